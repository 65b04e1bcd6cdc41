/*
 * floor -- the bare libfcgi responders that Herald is measured against.
 *
 * A pool of worker processes forked like herald's (FCGX_OpenSocket, then
 * N children each looping on FCGX_Accept_r), one database connection per
 * worker.  What a request does depends on its path (DOCUMENT_URI):
 *
 *   .../json     a constant JSON body, no database
 *   .../select   one prepared point SELECT by primary key on notifications
 *                (a random id of a preloaded set), its row as JSON
 *   .../insert   one prepared INSERT into notifications (autocommit), for
 *                a random preloaded user, with a fresh random UUID
 *
 * and, per read scenario of bench/run, "the same work": exactly the
 * statements Herald runs for the route (the same SQL text, byte for byte,
 * the same binds, so the same rows; bench/run checks the text against
 * MariaDB's general log), the rows written as JSON in the simplest correct
 * way (fixed bind buffers, one snprintf-style pass, no library):
 *
 *   .../same/messages?user=U&limit=N  GET /messages: the page with its
 *                counts as columns, then the user's system notifications
 *   .../same/unseen?user=U            GET /unseen-messages: the unseen rows
 *                (list_max 1000), the counts when the page is empty, the
 *                unseen system notifications
 *   .../same/count?user=U             GET /count-messages: the overview
 *   .../same/v1list?user=U&limit=N    GET /v1/users/U/notifications: the
 *                bearer token's row, the page (N + 1 rows) with counters
 *   .../same/v1count?user=U           GET /v1/users/U/notifications/count
 *
 * and per write scenario (the body parsed with json-c, as a real handler
 * must, and the same statement with the same binds):
 *
 *   .../same/notification             POST /notification: Herald's
 *                INSERT ... SELECT from the recipient's users row (a
 *                time-ordered v7 id, as Herald's), then {"success", "id"}
 *   .../same/seen?user=U              POST /seen: the UPDATE over the ids
 *                (32 slots, the last id repeated), then the unseen count
 *
 * and for the other dialects (one JSON shape of every note column):
 *
 *   .../same/folio-count              FOLIO _self?query=seen=false&limit=0
 *                (X-Okapi-User-Id), .../same/folio-text?word=W  text=W
 *   .../same/coder-inbox, coder-unread  Coder's inbox (Coder-Session-Token)
 *   .../same/pj-list, pj-latest       the project tool's (Bearer)
 *   .../same/et-list?user=U           Enterprise Tester's (a service Bearer)
 *
 * usage: floor SOCKET WORKERS DB_SOCKET DB_NAME DB_USER DB_PASSWORD
 *
 * Built by bench/run:  cc -O2 -o floor floor.c $(pkg-config --cflags
 * --libs fcgi libmariadb).  Stops on SIGTERM (the master signals the
 * workers and waits for them).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json.h>
#include <mysql.h>
#include <openssl/evp.h>

#define MAXW	64
#define NIDS	4096

#define TENANT	"default"

static const char json_body[] =
    "{\"total\":\"0\",\"unseen_total\":\"0\",\"messages\":[],"
    "\"system-messages\":[]}";

static MYSQL		*db;
static MYSQL_STMT	*sel, *ins;
static unsigned char	 ids[NIDS][16], users[NIDS][16];
static size_t		 nids, nusers;
static volatile sig_atomic_t stop;
static unsigned long long rng;

static void
die(const char *what)
{
	fprintf(stderr, "floor[%d]: %s: %s\n", (int)getpid(), what,
	    db != NULL ? mysql_error(db) : strerror(errno));
	exit(1);
}

static unsigned long long
rnd(void)
{
	/* xorshift64*: cheap, per-process state. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static size_t
load_ids(const char *sql, unsigned char (*out)[16])
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	unsigned long	*len;
	size_t		 n = 0;

	if (mysql_query(db, sql) != 0 || (res = mysql_store_result(db)) == NULL)
		die("load ids");
	while (n < NIDS && (row = mysql_fetch_row(res)) != NULL) {
		len = mysql_fetch_lengths(res);
		if (len[0] == 16) {
			memcpy(out[n], row[0], 16);
			n++;
		}
	}
	mysql_free_result(res);
	return n;
}

static void
db_open(char **av)
{
	static const char q_sel[] =
	    "SELECT id, type, subject, body, payload, seen, created "
	    "FROM notifications WHERE id = ?";
	static const char q_ins[] =
	    "INSERT INTO notifications (id, tenant, user_id, type, subject, "
	    "body, payload, created, updated) "
	    "VALUES (?, 'default', ?, 'data', 'bench', 'bench', '{}', ?, ?)";

	if ((db = mysql_init(NULL)) == NULL)
		die("mysql_init");
	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(db, NULL, av[5], av[6], av[4], 0, av[3], 0) ==
	    NULL)
		die("connect");
	/* A random sample spread over the table, so lookups miss caches
	 * as Herald's do. */
	/* (No ORDER BY RAND(): on 10^6 rows it needs an on-disk temporary
	 * table, and a scan keeps the spread.) */
	nids = load_ids("SELECT id FROM notifications WHERE RAND() < 8192 / "
	    "(SELECT COUNT(*) FROM notifications) LIMIT 4096", ids);
	nusers = load_ids("SELECT id FROM users WHERE username <> 'heavy' "
	    "ORDER BY RAND() LIMIT 4096", users);
	if (nids == 0 || nusers == 0) {
		errno = ENOENT;
		die("no notifications or users to sample (load data first)");
	}
	if ((sel = mysql_stmt_init(db)) == NULL ||
	    mysql_stmt_prepare(sel, q_sel, sizeof(q_sel) - 1) != 0 ||
	    (ins = mysql_stmt_init(db)) == NULL ||
	    mysql_stmt_prepare(ins, q_ins, sizeof(q_ins) - 1) != 0)
		die("prepare");
}

static void
reply(FCGX_Stream *out, const char *status, const char *body, size_t len)
{
	char	hdr[256];
	int	n;

	n = snprintf(hdr, sizeof(hdr), "Status: %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %lu\r\n\r\n", status, (unsigned long)len);
	FCGX_PutStr(hdr, n, out);
	FCGX_PutStr(body, (int)len, out);
}

static void
fail(FCGX_Stream *out, MYSQL_STMT *s)
{
	char	buf[512];
	int	n;

	n = snprintf(buf, sizeof(buf), "{\"error\":\"%u\"}",
	    mysql_stmt_errno(s));
	reply(out, "500 Internal Server Error", buf, (size_t)n);
}

static void
do_select(FCGX_Stream *out)
{
	MYSQL_BIND		 p[1], r[7];
	unsigned char		 id[16];
	char			 type[128], subj[1024], body[4096], pay[4096];
	unsigned long		 len[7], idlen = 16;
	long long		 seen, created;
	char			 buf[8192];
	int			 n, f;

	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_BLOB;
	p[0].buffer = ids[rnd() % nids];
	p[0].buffer_length = 16;
	p[0].length = &idlen;
	memset(r, 0, sizeof(r));
	r[0].buffer_type = MYSQL_TYPE_BLOB;
	r[0].buffer = id;
	r[0].buffer_length = sizeof(id);
	r[1].buffer_type = MYSQL_TYPE_STRING;
	r[1].buffer = type;
	r[1].buffer_length = sizeof(type);
	r[2].buffer_type = MYSQL_TYPE_STRING;
	r[2].buffer = subj;
	r[2].buffer_length = sizeof(subj);
	r[3].buffer_type = MYSQL_TYPE_STRING;
	r[3].buffer = body;
	r[3].buffer_length = sizeof(body);
	r[4].buffer_type = MYSQL_TYPE_STRING;
	r[4].buffer = pay;
	r[4].buffer_length = sizeof(pay);
	r[5].buffer_type = MYSQL_TYPE_LONGLONG;
	r[5].buffer = &seen;
	r[6].buffer_type = MYSQL_TYPE_LONGLONG;
	r[6].buffer = &created;
	for (n = 0; n < 7; n++)
		r[n].length = &len[n];
	if (mysql_stmt_bind_param(sel, p) != 0 ||
	    mysql_stmt_execute(sel) != 0 ||
	    mysql_stmt_bind_result(sel, r) != 0) {
		fail(out, sel);
		return;
	}
	f = mysql_stmt_fetch(sel);
	/* Drain, so the statement is ready again without a reset. */
	while (mysql_stmt_fetch(sel) == 0)
		;
	mysql_stmt_free_result(sel);
	if (f != 0 && f != MYSQL_DATA_TRUNCATED) {
		fail(out, sel);
		return;
	}
	type[len[1] < sizeof(type) ? len[1] : sizeof(type) - 1] = '\0';
	subj[len[2] < sizeof(subj) ? len[2] : sizeof(subj) - 1] = '\0';
	body[len[3] < sizeof(body) ? len[3] : sizeof(body) - 1] = '\0';
	pay[len[4] < sizeof(pay) ? len[4] : sizeof(pay) - 1] = '\0';
	n = snprintf(buf, sizeof(buf), "{\"type\":\"%s\",\"subject\":\"%s\","
	    "\"text\":\"%s\",\"payload\":%s,\"seen\":%s,\"timestamp\":\"%lld\"}",
	    type, subj, body, pay, seen ? "true" : "false", created);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	reply(out, "200 OK", buf, (size_t)n);
}

static void
do_insert(FCGX_Stream *in, FCGX_Stream *out)
{
	MYSQL_BIND		 p[4];
	unsigned char		 id[16];
	unsigned long		 idlen = 16, ulen = 16;
	long long		 now;
	struct timeval		 tv;
	unsigned long long	 a, b;
	char			 sink[4096];

	/* Read the request body, as a real handler must. */
	while (FCGX_GetStr(sink, sizeof(sink), in) > 0)
		;
	a = rnd();
	b = rnd();
	memcpy(id, &a, 8);
	memcpy(id + 8, &b, 8);
	id[6] = (id[6] & 0x0f) | 0x40;
	id[8] = (id[8] & 0x3f) | 0x80;
	gettimeofday(&tv, NULL);
	now = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_BLOB;
	p[0].buffer = id;
	p[0].buffer_length = 16;
	p[0].length = &idlen;
	p[1].buffer_type = MYSQL_TYPE_BLOB;
	p[1].buffer = users[rnd() % nusers];
	p[1].buffer_length = 16;
	p[1].length = &ulen;
	p[2].buffer_type = MYSQL_TYPE_LONGLONG;
	p[2].buffer = &now;
	p[3].buffer_type = MYSQL_TYPE_LONGLONG;
	p[3].buffer = &now;
	if (mysql_stmt_bind_param(ins, p) != 0 ||
	    mysql_stmt_execute(ins) != 0 ||
	    mysql_stmt_affected_rows(ins) != 1) {
		fail(out, ins);
		return;
	}
	reply(out, "200 OK", "{\"success\":true}", 16);
}

/* --- the same work as Herald ------------------------------------------ */

/*
 * The SQL text Herald sends, copied from MariaDB's general log (Execute
 * lines) while the scenario ran; bench/run compares it again every run.
 */
#define USER_COUNTER(col) \
    "(SELECT c." col " FROM users v JOIN note_counts c " \
    "ON c.user_id = v.id WHERE v.tenant = ? AND v.username = ?)"
/* The note columns (src/store/notes.c NOTE_COLS). */
#define NOTE_SEL_COLS \
    "n.id, u.username, n.type, n.subject, n.body, n.template, " \
    "n.payload, n.email, n.seen, n.deleted, n.created, n.body_format, " \
    "n.link, n.icon, n.actions, n.targets, n.template_id, n.updated, " \
    "n.seen_at, n.sender, n.lang, u.id, n.created_by, n.updated_by, " \
    "n.icon_title"
/* The page's counters are columns of a join (src/store/notes.c). */
#define NOTE_COLS_SQL(idx) \
    "SELECT " NOTE_SEL_COLS ", c.total, c.unseen " \
    "FROM notifications n FORCE INDEX (" idx ") JOIN users u ON " \
    "u.id = n.user_id LEFT JOIN note_counts c ON c.user_id = u.id " \
    "WHERE u.tenant = ? AND u.username = ? AND n.deleted = 0"
#define SYS_FROM_SQL \
    " FROM system_notifications s LEFT JOIN users u ON u.tenant = " \
    "s.tenant AND u.username = ? LEFT JOIN system_states x ON x.user_id " \
    "= u.id AND x.system_id = s.id WHERE s.tenant = ? AND " \
    "s.deactivation > ? AND s.activation <= ?"
#define COUNTS_SQL \
    "SELECT COALESCE(MAX(c.total), 0), COALESCE(MAX(c.unseen), 0) " \
    "FROM users v LEFT JOIN note_counts c ON c.user_id = v.id " \
    "WHERE v.tenant = ? AND v.username = ?"

enum q_id { Q_PAGE, Q_UNSEEN, Q_COUNTS, Q_SYS, Q_OVERVIEW, Q_TOKEN,
    Q_USER, Q_V1PAGE, Q_UNION, Q_NOTE_INSERT, Q_MARK_SEEN,
    /* The other dialects (issues I, J, K): their own block below. */
    Q_FCOUNT, Q_FTEXT, Q_FTEXTN, Q_UNREAD, Q_LATEST, Q__MAX };

static const char *const q_sql[Q__MAX] = {
	[Q_PAGE] = NOTE_COLS_SQL("notes_by_time") " ORDER BY n.created DESC, n.id DESC "
	    "LIMIT ? OFFSET ?",
	[Q_UNSEEN] = NOTE_COLS_SQL("notes_seen") " AND n.seen = 0 ORDER BY n.created ASC, "
	    "n.id ASC LIMIT ? OFFSET ?",
	[Q_COUNTS] = COUNTS_SQL,
	[Q_SYS] = "SELECT s.id, s.type, s.message, s.activation, "
	    "s.deactivation, s.created, s.dismissible, s.logins_disabled, "
	    "COALESCE(x.state, 0), x.acknowledged_at" SYS_FROM_SQL
	    " AND COALESCE(x.state, 0) < ? ORDER BY s.activation DESC, "
	    "s.created DESC, s.id",
	[Q_OVERVIEW] = "SELECT COALESCE(MAX(c.total), 0), "
	    "COALESCE(MAX(c.unseen), 0), "
	    "COALESCE(SUM(COALESCE(x.state, 0) < 3), 0), "
	    "COALESCE(SUM(COALESCE(x.state, 0) < 1), 0), "
	    "COALESCE(SUM(COALESCE(x.state, 0) < 2), 0), COUNT(*) "
	    "FROM system_notifications s LEFT JOIN users u ON u.tenant = "
	    "s.tenant AND u.username = ? LEFT JOIN system_states x ON "
	    "x.user_id = u.id AND x.system_id = s.id LEFT JOIN note_counts c "
	    "ON c.user_id = u.id WHERE s.tenant = ? AND s.deactivation > ? "
	    "AND s.activation <= ?",
	[Q_TOKEN] = "SELECT id, hash, tenant, username, role, created, "
	    "COALESCE(expires, 0), COALESCE(revoked, 0), "
	    "COALESCE(last_used, 0) FROM api_tokens WHERE hash = ?",
	/*
	 * Not Herald's: the page and the system list as one UNION ALL (the
	 * first column says which), to measure one statement against two
	 * (.../same/messages-union; bench/README.md).
	 */
	[Q_UNION] = "(SELECT 0, n.id, u.username, n.type, n.subject, n.body, "
	    "n.template, n.payload, n.email, n.seen, n.deleted, n.created, "
	    "c.total, c.unseen FROM notifications n FORCE INDEX "
	    "(notes_by_time) JOIN users u ON u.id = "
	    "n.user_id LEFT JOIN note_counts c ON c.user_id = u.id WHERE "
	    "u.tenant = ? AND u.username = ? AND n.deleted = 0 ORDER BY "
	    "n.created DESC, n.id DESC LIMIT ? OFFSET ?) UNION ALL "
	    "(SELECT 1, s.id, NULL, s.type, NULL, s.message, "
	    "x.acknowledged_at, NULL, "
	    "s.dismissible, s.logins_disabled, COALESCE(x.state, 0), "
	    "s.activation, s.deactivation, s.created" SYS_FROM_SQL
	    " AND COALESCE(x.state, 0) < ? ORDER BY s.activation DESC, "
	    "s.created DESC, s.id LIMIT 1000000)",
	[Q_USER] = "SELECT id, tenant, username, email, created FROM users "
	    "WHERE tenant = ? AND username = ?",
	/* The writes (src/store/notes.c sql_note_insert, sql_mark_ids). */
	[Q_NOTE_INSERT] = "INSERT INTO notifications (id, tenant, user_id, "
	    "sender, type, subject, body, body_format, link, icon, actions, "
	    "targets, template_id, payload, template, lang, email, created, "
	    "updated, icon_title) SELECT ?, u.tenant, u.id, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM users u WHERE u.tenant = ? "
	    "AND u.username = ?",
	[Q_MARK_SEEN] = "UPDATE users u JOIN notifications n ON n.user_id = "
	    "u.id SET n.seen = 1, n.seen_at = ?, n.updated = ? WHERE u.tenant "
	    "= ? AND u.username = ? AND n.seen = 0 AND n.id IN (?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_V1PAGE] = NOTE_COLS_SQL("notes_by_time") " ORDER BY n.created DESC, n.id DESC "
	    "LIMIT ? OFFSET ?",
	/* --- FOLIO, Coder, the project tool, Enterprise Tester --- */
	/* FOLIO _self?query=seen=false&limit=0 (src/store/notes_cql.c). */
	[Q_FCOUNT] = "SELECT COUNT(*) FROM notifications n JOIN users u ON "
	    "u.id = n.user_id WHERE u.tenant = ? AND n.deleted = 0 AND "
	    "((n.user_id = ?) AND (n.seen = ?))",
	/* FOLIO /notify?query=text=W: the page, then (a full one) the count. */
	[Q_FTEXT] = "SELECT " NOTE_SEL_COLS " FROM notifications n FORCE "
	    "INDEX (notes_tenant_written) JOIN users u ON u.id = n.user_id "
	    "WHERE n.tenant = ? AND n.deleted = 0 AND ((CONVERT(n.body USING "
	    "utf8mb4) COLLATE utf8mb4_unicode_ci LIKE ? AND CONCAT(' ', "
	    "REGEXP_REPLACE(CONVERT(n.body USING utf8mb4) COLLATE "
	    "utf8mb4_unicode_ci, '[^\\\\p{L}\\\\p{N}]+', ' '), ' ') LIKE ?)) "
	    "ORDER BY n.updated ASC, n.seq ASC LIMIT ? OFFSET ?",
	[Q_FTEXTN] = "SELECT COUNT(*) FROM notifications n FORCE INDEX "
	    "(notes_tenant_written) WHERE n.tenant = ? AND n.deleted = 0 AND "
	    "((CONVERT(n.body USING utf8mb4) COLLATE utf8mb4_unicode_ci LIKE ? "
	    "AND CONCAT(' ', REGEXP_REPLACE(CONVERT(n.body USING utf8mb4) "
	    "COLLATE utf8mb4_unicode_ci, '[^\\\\p{L}\\\\p{N}]+', ' '), ' ') "
	    "LIKE ?))",
	/* Coder's inbox, read_status=unread: newest first. */
	[Q_UNREAD] = NOTE_COLS_SQL("notes_seen") " AND n.seen = 0 ORDER BY "
	    "n.created DESC, n.id DESC LIMIT ? OFFSET ?",
	/* The project tool's latest-notifications: no counts. */
	[Q_LATEST] = "SELECT " NOTE_SEL_COLS " FROM notifications n FORCE "
	    "INDEX (notes_by_time) JOIN users u ON u.id = n.user_id WHERE "
	    "u.tenant = ? AND u.username = ? AND n.deleted = 0 ORDER BY "
	    "n.created DESC, n.id DESC LIMIT ? OFFSET ?",
};

/* Column numbers of the note rows. */
enum { C_ID, C_USER, C_TYPE, C_SUBJ, C_BODY, C_TMPL, C_PAY, C_EMAIL,
    C_SEEN, C_DEL, C_CREATED, C_FORMAT, C_LINK, C_ICON, C_ACTIONS,
    C_TARGETS, C_TMPLID, C_UPDATED, C_SEENAT, C_SENDER, C_LANG, C_UID,
    C_CREATEDBY, C_UPDATEDBY, C_ICONTITLE, C_TOTAL, C_UNSEEN };

#define NCOL	27
#define COLMAX	65536	/* bytes of one column; more is an error */

static MYSQL_STMT	*qs[Q__MAX];

/* A fetched row: every column as text (ints converted by the client). */
struct frow {
	MYSQL_BIND	 b[NCOL];
	char		 v[NCOL][COLMAX + 1];
	unsigned long	 len[NCOL];
	my_bool		 null[NCOL];
	unsigned int	 n;
};
static struct frow	 row;

/* The answer, written as it goes. */
static char	 ob[8 * 1024 * 1024];
static size_t	 ol;
static int	 oover;

static void
o_raw(const char *s, size_t n)
{
	if (n > sizeof(ob) - ol) {
		oover = 1;
		return;
	}
	memcpy(ob + ol, s, n);
	ol += n;
}

static void
o_lit(const char *s)
{
	o_raw(s, strlen(s));
}

/* A JSON string (escaped as RFC 8259 asks), or null. */
static void
o_str(const char *s, size_t n, int isnull)
{
	static const char	hex[] = "0123456789abcdef";
	char			e[6] = "\\u00";
	size_t			i, run = 0;

	if (isnull) {
		o_lit("null");
		return;
	}
	o_raw("\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		o_raw(s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			e[1] = (char)c;
			o_raw(e, 2);
			e[1] = 'u';
		} else {
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			o_raw(e, 6);
		}
	}
	o_raw(s + run, n - run);
	o_raw("\"", 1);
}

static void
o_col(int c)
{
	o_str(row.v[c], row.len[c], row.null[c]);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 32);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
uuid_text(const unsigned char id[16], int upper, char out[37])
{
	const char	*h = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int		 i, k = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = h[id[i] >> 4];
		out[k++] = h[id[i] & 15];
	}
	out[k] = '\0';
}

static int
uuid_parse(const char *s, unsigned char id[16])
{
	int	i, k = 0, hi, lo;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (s[k++] != '-')
				return -1;
		}
		/* Stops at the NUL: never reads past a short string. */
		if ((hi = hexval(s[k])) < 0 || (lo = hexval(s[k + 1])) < 0)
			return -1;
		k += 2;
		id[i] = (unsigned char)(hi << 4 | lo);
	}
	return s[k] == '\0' ? 0 : -1;
}

static void
bind_null(MYSQL_BIND *b)
{
	b->buffer_type = MYSQL_TYPE_NULL;
}

static void
bind_bin(MYSQL_BIND *b, const unsigned char *v, unsigned long *len)
{
	*len = 16;
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = (void *)(uintptr_t)v;
	b->buffer_length = 16;
	b->length = len;
}

static void
o_uuid(int c, int upper)
{
	char	t[37];

	if (row.null[c] || row.len[c] != 16) {
		o_lit("null");
		return;
	}
	uuid_text((const unsigned char *)row.v[c], upper, t);
	o_raw("\"", 1);
	o_raw(t, 36);
	o_raw("\"", 1);
}

static void
o_bool(int c)
{
	o_lit(!row.null[c] && row.v[c][0] != '0' ? "true" : "false");
}

/* Stored JSON as stored, or "dflt" when it is not the expected kind. */
static void
o_stored(int c, char open, const char *dflt)
{
	if (row.null[c] || row.v[c][0] != open)
		o_lit(dflt);
	else
		o_raw(row.v[c], row.len[c]);
}

static void
o_time(int c, int nullable)
{
	long long	ms = atoll(row.v[c]);
	time_t		t;
	struct tm	tm;
	char		buf[48];
	size_t		n;

	if (ms == 0 && nullable) {
		o_lit("null");
		return;
	}
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	n = strftime(buf, sizeof(buf), "\"%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%03dZ\"", (int)(ms % 1000));
	o_lit(buf);
}

static long long	now_ms(void);

/* Run statement "q" with "np" binds; 0, or -1 after a failure. */
static int
q_run(enum q_id q, MYSQL_BIND *p, unsigned int np)
{
	MYSQL_STMT	*s;
	unsigned int	 i;

	(void)np;
	if (qs[q] == NULL) {
		if ((s = mysql_stmt_init(db)) == NULL ||
		    mysql_stmt_prepare(s, q_sql[q], strlen(q_sql[q])) != 0)
			die("prepare");
		qs[q] = s;
	}
	s = qs[q];
	if (mysql_stmt_bind_param(s, p) != 0 || mysql_stmt_execute(s) != 0)
		return -1;
	row.n = mysql_stmt_field_count(s);
	if (row.n == 0)		/* a write: no result to bind */
		return 0;
	if (row.n > NCOL)
		return -1;
	memset(row.b, 0, sizeof(row.b));
	for (i = 0; i < row.n; i++) {
		row.b[i].buffer_type = MYSQL_TYPE_STRING;
		row.b[i].buffer = row.v[i];
		row.b[i].buffer_length = COLMAX;
		row.b[i].length = &row.len[i];
		row.b[i].is_null = &row.null[i];
	}
	return mysql_stmt_bind_result(s, row.b) == 0 ? 0 : -1;
}

/* The next row (NUL-terminated columns): 1, 0 at the end, -1 failed. */
static int
q_next(enum q_id q)
{
	unsigned int	i;
	int		f = mysql_stmt_fetch(qs[q]);

	if (f == MYSQL_NO_DATA) {
		mysql_stmt_free_result(qs[q]);
		return 0;
	}
	if (f != 0) {	/* truncated (a column over COLMAX) or an error */
		mysql_stmt_free_result(qs[q]);
		mysql_stmt_reset(qs[q]);
		return -1;
	}
	for (i = 0; i < row.n; i++)
		row.v[i][row.null[i] ? 0 : row.len[i]] = '\0';
	return 1;
}

static void
bind_str(MYSQL_BIND *b, const char *s, unsigned long *len)
{
	*len = strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = *len;
	b->length = len;
}

static void
bind_i64(MYSQL_BIND *b, long long *v)
{
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
}

/* The note rows of the agent (object N of agent.md §3.1); 0 or -1. */
static int
agent_rows(enum q_id q, long long *total, long long *unseen, long long *n)
{
	int	r;
	size_t	i;

	for (*n = 0; (r = q_next(q)) == 1; (*n)++) {
		if (*n > 0)
			o_lit(",");
		else {
			*total = atoll(row.v[C_TOTAL]);
			*unseen = atoll(row.v[C_UNSEEN]);
		}
		for (i = 0; i < row.len[C_TYPE]; i++)
			if (row.v[C_TYPE][i] == '_')
				row.v[C_TYPE][i] = ' ';
		o_lit("{\"type\":");
		o_col(C_TYPE);
		o_lit(",\"user\":");
		o_col(C_USER);
		o_lit(",\"subject\":");
		o_col(C_SUBJ);
		o_lit(",\"email\":");
		o_bool(C_EMAIL);
		o_lit(",\"email_template\":");
		o_col(C_TMPL);
		o_lit(",\"payload\":");
		o_stored(C_PAY, '{', "{}");
		o_lit(",\"message\":{\"id\":");
		o_uuid(C_ID, 1);
		o_lit(",\"timestamp\":");
		o_lit(row.v[C_CREATED]);
		o_lit(",\"text\":");
		o_col(C_BODY);
		o_lit("},\"seen\":");
		o_bool(C_SEEN);
		o_lit(",\"deleted\":");
		o_bool(C_DEL);
		o_lit("}");
	}
	return r;
}

/* "system-messages": the user's active ones below state "below". */
static int
agent_sys(const char *user, long long below)
{
	MYSQL_BIND	p[5];
	unsigned long	l[2];
	long long	now = now_ms(), n = 0;
	int		r;

	memset(p, 0, sizeof(p));
	bind_str(&p[0], user, &l[0]);
	bind_str(&p[1], TENANT, &l[1]);
	bind_i64(&p[2], &now);
	bind_i64(&p[3], &now);
	bind_i64(&p[4], &below);
	if (q_run(Q_SYS, p, 5) != 0)
		return -1;
	o_lit(",\"system-messages\":[");
	for (; (r = q_next(Q_SYS)) == 1; n++) {
		o_lit(n > 0 ? ",{\"uuid\":" : "{\"uuid\":");
		o_uuid(0, 0);
		o_lit(",\"type\":");
		o_col(1);
		o_lit(",\"message\":");
		o_col(2);
		o_lit(",\"dismissible\":");
		o_bool(6);
		o_lit(",\"logins_disabled\":");
		o_bool(7);
		o_lit(",\"activation_date\":");
		o_lit(row.v[3]);
		o_lit(",\"deactivation_date\":");
		o_lit(row.v[4]);
		o_lit(",\"date_created\":");
		o_lit(row.v[5]);
		o_lit(",\"acknowledged\":");
		o_lit(row.null[9] ? "false" : "true");
		o_lit("}");
	}
	o_lit("]");
	return r;
}

/* The value of "name" in the query string (no decoding: bench values). */
static const char *
qparam(const char *qs_, const char *name, char *buf, size_t sz)
{
	size_t		 n = strlen(name), k;
	const char	*p = qs_;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			k = strcspn(p + n + 1, "&");
			if (k >= sz)
				k = sz - 1;
			memcpy(buf, p + n + 1, k);
			buf[k] = '\0';
			return buf;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return NULL;
}

static void
same_messages(FCGX_Stream *out, const char *user, long long limit,
    int unseen)
{
	MYSQL_BIND	p[4];
	unsigned long	l[2];
	long long	off = 0, total = 0, unseen_n = 0, n = 0;
	char		num[96];
	enum q_id	q = unseen ? Q_UNSEEN : Q_PAGE;

	memset(p, 0, sizeof(p));
	bind_str(&p[0], TENANT, &l[0]);
	bind_str(&p[1], user, &l[1]);
	bind_i64(&p[2], &limit);
	bind_i64(&p[3], &off);
	ol = 0;
	oover = 0;
	o_lit("{\"messages\":[");
	if (q_run(q, p, 4) != 0 || agent_rows(q, &total, &unseen_n, &n) != 0)
		goto fail;
	if (n == 0) {	/* an empty page carries no counts: ask */
		if (q_run(Q_COUNTS, p, 2) != 0 || q_next(Q_COUNTS) != 1)
			goto fail;
		total = atoll(row.v[0]);
		unseen_n = atoll(row.v[1]);
		if (q_next(Q_COUNTS) != 0)
			goto fail;
		/* /unseen-messages: total counts the filter (seen = 0). */
		if (unseen)
			total = unseen_n;
	} else if (unseen)
		total = unseen_n;
	snprintf(num, sizeof(num), "],\"total\":\"%lld\",\"unseen_total\":"
	    "\"%lld\"", total, unseen_n);
	o_lit(num);
	if (agent_sys(user, unseen ? 2 : 3) != 0)
		goto fail;
	o_lit("}");
	if (oover)
		goto fail;
	reply(out, "200 OK", ob, ol);
	return;
fail:
	fail(out, qs[q]);
}

/* GET /messages as one statement (not Herald's; for the measurement). */
static void
same_messages_union(FCGX_Stream *out, const char *user, long long limit)
{
	MYSQL_BIND	p[9];
	unsigned long	l[4];
	long long	off = 0, below = 3, now = now_ms(), n = 0, k = 0;
	long long	total = 0, unseen_n = 0;
	char		num[96];
	size_t		i;
	int		r, sys = 0;

	memset(p, 0, sizeof(p));
	bind_str(&p[0], TENANT, &l[0]);
	bind_str(&p[1], user, &l[1]);
	bind_i64(&p[2], &limit);
	bind_i64(&p[3], &off);
	bind_str(&p[4], user, &l[2]);
	bind_str(&p[5], TENANT, &l[3]);
	bind_i64(&p[6], &now);
	bind_i64(&p[7], &now);
	bind_i64(&p[8], &below);
	ol = 0;
	oover = 0;
	o_lit("{\"messages\":[");
	if (q_run(Q_UNION, p, 9) != 0)
		goto fail;
	while ((r = q_next(Q_UNION)) == 1) {
		if (row.v[0][0] == '1' && !sys) {
			snprintf(num, sizeof(num), "],\"total\":\"%lld\","
			    "\"unseen_total\":\"%lld\",\"system-messages\":[",
			    total, unseen_n);
			o_lit(num);
			sys = 1;
		}
		if (sys) {
			o_lit(k++ > 0 ? ",{\"uuid\":" : "{\"uuid\":");
			o_uuid(1, 0);
			o_lit(",\"type\":");
			o_col(3);
			o_lit(",\"message\":");
			o_col(5);
			o_lit(",\"dismissible\":");
			o_bool(8);
			o_lit(",\"logins_disabled\":");
			o_bool(9);
			o_lit(",\"activation_date\":");
			o_lit(row.v[11]);
			o_lit(",\"deactivation_date\":");
			o_lit(row.v[12]);
			o_lit(",\"date_created\":");
			o_lit(row.v[13]);
			o_lit(row.null[6] ? ",\"acknowledged\":false}" :
			    ",\"acknowledged\":true}");
			continue;
		}
		if (n++ == 0) {
			total = atoll(row.v[12]);
			unseen_n = atoll(row.v[13]);
		} else
			o_lit(",");
		for (i = 0; i < row.len[3]; i++)
			if (row.v[3][i] == '_')
				row.v[3][i] = ' ';
		o_lit("{\"type\":");
		o_col(3);
		o_lit(",\"user\":");
		o_col(2);
		o_lit(",\"subject\":");
		o_col(4);
		o_lit(",\"email\":");
		o_bool(8);
		o_lit(",\"email_template\":");
		o_col(6);
		o_lit(",\"payload\":");
		o_stored(7, '{', "{}");
		o_lit(",\"message\":{\"id\":");
		o_uuid(1, 1);
		o_lit(",\"timestamp\":");
		o_lit(row.v[11]);
		o_lit(",\"text\":");
		o_col(5);
		o_lit("},\"seen\":");
		o_bool(9);
		o_lit(",\"deleted\":");
		o_bool(10);
		o_lit("}");
	}
	if (r != 0)
		goto fail;
	o_lit(sys ? "]}" : "],\"system-messages\":[]}");
	if (oover)
		goto fail;
	reply(out, "200 OK", ob, ol);
	return;
fail:
	fail(out, qs[Q_UNION]);
}

static void
same_count(FCGX_Stream *out, const char *user)
{
	MYSQL_BIND	p[4];
	unsigned long	l[2];
	long long	now = now_ms(), v[6];
	char		buf[256];
	int		n, i;

	memset(p, 0, sizeof(p));
	bind_str(&p[0], user, &l[0]);
	bind_str(&p[1], TENANT, &l[1]);
	bind_i64(&p[2], &now);
	bind_i64(&p[3], &now);
	if (q_run(Q_OVERVIEW, p, 4) != 0 || q_next(Q_OVERVIEW) != 1) {
		fail(out, qs[Q_OVERVIEW]);
		return;
	}
	for (i = 0; i < 6; i++)
		v[i] = atoll(row.v[i]);
	if (q_next(Q_OVERVIEW) != 0) {
		fail(out, qs[Q_OVERVIEW]);
		return;
	}
	/* No active system notification: the counters are asked for. */
	if (v[5] == 0) {
		memset(p, 0, sizeof(p));
		bind_str(&p[0], TENANT, &l[0]);
		bind_str(&p[1], user, &l[1]);
		if (q_run(Q_COUNTS, p, 2) != 0 || q_next(Q_COUNTS) != 1) {
			fail(out, qs[Q_COUNTS]);
			return;
		}
		v[0] = atoll(row.v[0]);
		if (q_next(Q_COUNTS) != 0) {
			fail(out, qs[Q_COUNTS]);
			return;
		}
	}
	n = snprintf(buf, sizeof(buf), "{\"user-total\":%lld,\"system-total\":"
	    "%lld,\"system-total-new\":%lld,\"system-total-unseen\":%lld}",
	    v[0], v[2], v[3], v[4]);
	reply(out, "200 OK", buf, (size_t)n);
}

/* The bearer token's row, as Herald's authentication reads it. */
static int
same_token(FCGX_Request *rq)
{
	const char	*a = FCGX_GetParam("HTTP_AUTHORIZATION", rq->envp);
	unsigned char	 h[32];
	unsigned int	 hl = 0;
	unsigned long	 len = 32;
	MYSQL_BIND	 p[1];
	int		 r, found = 0;

	if (a == NULL || strncmp(a, "Bearer ", 7) != 0 ||
	    EVP_Digest(a + 7, strlen(a + 7), h, &hl, EVP_sha256(), NULL) != 1)
		return -1;
	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_BLOB;
	p[0].buffer = h;
	p[0].buffer_length = 32;
	p[0].length = &len;
	if (q_run(Q_TOKEN, p, 1) != 0)
		return -1;
	while ((r = q_next(Q_TOKEN)) == 1)
		found = row.len[1] == 32 && memcmp(row.v[1], h, 32) == 0 &&
		    atoll(row.v[7]) == 0;
	return r == 0 && found ? 0 : -1;
}

/* /v1 looks the path's user up first (404 when there is none). */
static int
same_user(const char *user)
{
	MYSQL_BIND	p[2];
	unsigned long	l[2];
	int		r, found = 0;

	memset(p, 0, sizeof(p));
	bind_str(&p[0], TENANT, &l[0]);
	bind_str(&p[1], user, &l[1]);
	if (q_run(Q_USER, p, 2) != 0)
		return -1;
	while ((r = q_next(Q_USER)) == 1)
		found = 1;
	return r == 0 && found ? 0 : -1;
}

static void
same_v1list(FCGX_Request *rq, const char *user, long long limit)
{
	MYSQL_BIND	p[4];
	unsigned long	l[2];
	long long	off = 0, lim = limit + 1, n = 0, unread = 0;
	char		num[64], last[2][64];
	int		i, r;

	if (same_token(rq) != 0) {
		reply(rq->out, "401 Unauthorized", "{}", 2);
		return;
	}
	if (same_user(user) != 0) {
		reply(rq->out, "404 Not Found", "{}", 2);
		return;
	}
	memset(p, 0, sizeof(p));
	bind_str(&p[0], TENANT, &l[0]);
	bind_str(&p[1], user, &l[1]);
	bind_i64(&p[2], &lim);
	bind_i64(&p[3], &off);
	ol = 0;
	oover = 0;
	o_lit("{\"items\":[");
	if (q_run(Q_V1PAGE, p, 4) != 0)
		goto fail;
	for (; (r = q_next(Q_V1PAGE)) == 1; n++) {
		if (n == 0)
			unread = atoll(row.v[C_UNSEEN]);
		if (n == limit)
			continue;	/* one past the page: there is a next */
		o_lit(n > 0 ? ",{\"id\":" : "{\"id\":");
		o_uuid(C_ID, 0);
		o_lit(",\"recipient\":{\"id\":");
		o_uuid(C_UID, 0);
		o_lit(",\"name\":");
		o_col(C_USER);
		o_lit("},\"template\":");
		o_uuid(C_TMPLID, 0);
		o_lit(",\"type\":");
		o_col(C_TYPE);
		o_lit(",\"title\":");
		o_col(C_SUBJ);
		o_lit(",\"body\":");
		o_col(C_BODY);
		o_lit(",\"body_format\":");
		o_lit(row.v[C_FORMAT][0] == '1' ? "\"markdown\"" :
		    row.v[C_FORMAT][0] == '2' ? "\"html\"" : "\"text\"");
		o_lit(",\"link\":");
		o_col(C_LINK);
		o_lit(",\"icon\":");
		o_col(C_ICON);
		o_lit(",\"actions\":");
		o_stored(C_ACTIONS, '[', "[]");
		o_lit(",\"targets\":");
		o_stored(C_TARGETS, '[', "[]");
		o_lit(",\"data\":");
		o_stored(C_PAY, '{', "{}");
		o_lit(",\"read_at\":");
		o_time(row.v[C_SEEN][0] == '1' ? (atoll(row.v[C_SEENAT]) != 0 ?
		    C_SEENAT : C_UPDATED) : C_SEENAT, row.v[C_SEEN][0] != '1');
		o_lit(",\"created_at\":");
		o_time(C_CREATED, 0);
		o_lit(",\"updated_at\":");
		o_time(C_UPDATED, 0);
		o_lit("}");
		snprintf(last[0], sizeof(last[0]), "%016llx",
		    (unsigned long long)atoll(row.v[C_CREATED]));
		memcpy(last[1], row.v[C_ID], 16);
	}
	if (r != 0)
		goto fail;
	o_lit("],\"next\":");
	if (n > limit) {
		o_lit("\"");
		o_lit(last[0]);
		for (i = 0; i < 16; i++) {
			snprintf(num, sizeof(num), "%02x",
			    (unsigned char)last[1][i]);
			o_lit(num);
		}
		o_lit("\"");
	} else
		o_lit("null");
	snprintf(num, sizeof(num), ",\"unread\":%lld}", unread);
	o_lit(num);
	if (oover)
		goto fail;
	reply(rq->out, "200 OK", ob, ol);
	return;
fail:
	fail(rq->out, qs[Q_V1PAGE]);
}

/* The user's counters (COUNTS_SQL): 0, or -1 after a failure. */
static int
user_counts(const char *user, long long *total, long long *unseen)
{
	MYSQL_BIND	p[2];
	unsigned long	l[2];

	memset(p, 0, sizeof(p));
	bind_str(&p[0], TENANT, &l[0]);
	bind_str(&p[1], user, &l[1]);
	if (q_run(Q_COUNTS, p, 2) != 0 || q_next(Q_COUNTS) != 1)
		return -1;
	*total = atoll(row.v[0]);
	*unseen = atoll(row.v[1]);
	return q_next(Q_COUNTS) == 0 ? 0 : -1;
}

static void
same_v1count(FCGX_Request *rq, const char *user)
{
	long long	total, unseen;
	char		buf[128];
	int		n;

	if (same_token(rq) != 0) {
		reply(rq->out, "401 Unauthorized", "{}", 2);
		return;
	}
	if (same_user(user) != 0) {
		reply(rq->out, "404 Not Found", "{}", 2);
		return;
	}
	if (user_counts(user, &total, &unseen) != 0) {
		fail(rq->out, qs[Q_COUNTS]);
		return;
	}
	n = snprintf(buf, sizeof(buf), "{\"total\":%lld,\"unread\":%lld}",
	    total, unseen);
	reply(rq->out, "200 OK", buf, (size_t)n);
}

/* --- the same work as Herald's writes ---------------------------------- */

/* Run a statement without a result: affected rows, or -1. */
static long long
q_exec(enum q_id q, MYSQL_BIND *p)
{
	return q_run(q, p, 0) == 0 ?
	    (long long)mysql_stmt_affected_rows(qs[q]) : -1;
}

/* The request body as a JSON object (bodies over 64 KiB are refused). */
static struct json_object *
body_json(FCGX_Stream *in)
{
	static char		 buf[65536];
	struct json_object	*o;
	int			 n = 0, k;

	while (n < (int)sizeof(buf) - 1 &&
	    (k = FCGX_GetStr(buf + n, (int)sizeof(buf) - 1 - n, in)) > 0)
		n += k;
	if (n == (int)sizeof(buf) - 1)
		return NULL;
	buf[n] = '\0';
	if ((o = json_tokener_parse(buf)) != NULL &&
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static const char *
body_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* POST /notification {"type", "user", "subject"}: the agent's defaults. */
static void
same_notification(FCGX_Request *rq)
{
	struct json_object	*o = body_json(rq->in);
	const char		*type, *user, *subj;
	MYSQL_BIND		 p[20];
	unsigned long		 l[20];
	unsigned char		 id[16];
	unsigned long long	 r = rnd();
	long long		 now = now_ms(), fmt = 0, email = 0;
	char			 buf[128], t[37];
	int			 i, n;

	if (o == NULL || (type = body_str(o, "type")) == NULL ||
	    (user = body_str(o, "user")) == NULL ||
	    (subj = body_str(o, "subject")) == NULL) {
		if (o != NULL)
			json_object_put(o);
		reply(rq->out, "400 Bad Request", "{}", 2);
		return;
	}
	/* A v7 id: the time in ms, the version, random bits. */
	for (i = 0; i < 6; i++)
		id[i] = (unsigned char)((unsigned long long)now >> (40 - 8 * i));
	for (i = 6; i < 16; i++)
		id[i] = (unsigned char)(r >> (8 * (i - 6)));
	id[6] = (id[6] & 0x0f) | 0x70;
	id[8] = (id[8] & 0x3f) | 0x80;
	memset(p, 0, sizeof(p));
	bind_bin(&p[0], id, &l[0]);
	bind_null(&p[1]);			/* sender */
	bind_str(&p[2], type, &l[2]);
	bind_str(&p[3], subj, &l[3]);
	bind_str(&p[4], subj, &l[4]);		/* the body: the subject */
	bind_i64(&p[5], &fmt);
	for (i = 6; i <= 10; i++)		/* link .. template_id */
		bind_null(&p[i]);
	bind_str(&p[11], "{}", &l[11]);
	bind_null(&p[12]);
	bind_null(&p[13]);
	bind_i64(&p[14], &email);
	bind_i64(&p[15], &now);
	bind_i64(&p[16], &now);
	bind_null(&p[17]);
	bind_str(&p[18], TENANT, &l[18]);
	bind_str(&p[19], user, &l[19]);
	if (q_exec(Q_NOTE_INSERT, p) != 1) {
		json_object_put(o);
		fail(rq->out, qs[Q_NOTE_INSERT]);
		return;
	}
	json_object_put(o);
	uuid_text(id, 1, t);
	n = snprintf(buf, sizeof(buf), "{\"success\":true,\"id\":\"%s\"}", t);
	reply(rq->out, "200 OK", buf, (size_t)n);
}

/* POST /seen?user=U {"uuids": [...]} (at most 32 here). */
static void
same_seen(FCGX_Request *rq, const char *user)
{
	struct json_object	*o = body_json(rq->in), *a = NULL;
	unsigned char		 ids[32][16];
	MYSQL_BIND		 p[36];
	unsigned long		 l[36];
	long long		 now = now_ms(), total, unseen;
	size_t			 i, n = 0;
	char			 buf[128];
	int			 k;

	if (o == NULL || !json_object_object_get_ex(o, "uuids", &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) > 32) {
		if (o != NULL)
			json_object_put(o);
		reply(rq->out, "400 Bad Request", "{}", 2);
		return;
	}
	for (i = 0; i < json_object_array_length(a); i++) {
		struct json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string) ||
		    uuid_parse(json_object_get_string(v), ids[n]) != 0) {
			json_object_put(o);
			reply(rq->out, "400 Bad Request", "{}", 2);
			return;
		}
		n++;
	}
	json_object_put(o);
	if (n > 0) {
		memset(p, 0, sizeof(p));
		bind_i64(&p[0], &now);
		bind_i64(&p[1], &now);
		bind_str(&p[2], TENANT, &l[2]);
		bind_str(&p[3], user, &l[3]);
		for (i = 0; i < 32; i++)
			bind_bin(&p[4 + i], ids[i < n ? i : n - 1], &l[4 + i]);
		if (q_exec(Q_MARK_SEEN, p) < 0) {
			fail(rq->out, qs[Q_MARK_SEEN]);
			return;
		}
	}
	if (user_counts(user, &total, &unseen) != 0) {
		fail(rq->out, qs[Q_COUNTS]);
		return;
	}
	k = snprintf(buf, sizeof(buf), "{\"success\":true,\"count\":%lld}",
	    unseen);
	reply(rq->out, "200 OK", buf, (size_t)k);
}

static long long
now_ms(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}


/* --- the same work: FOLIO, Coder, the project tool, Enterprise Tester ---
 *
 * The statements each route runs (bench/run checks them against the
 * general log); the rows written in one shape for all four (every note
 * column the dialects print, ids as UUIDs), the simplest correct JSON.
 */

/* One note row of the NOTE_SEL_COLS shape. */
static void
o_note(void)
{
	o_lit("{\"id\":");
	o_uuid(C_ID, 0);
	o_lit(",\"user\":");
	o_uuid(C_UID, 0);
	o_lit(",\"name\":");
	o_col(C_USER);
	o_lit(",\"type\":");
	o_col(C_TYPE);
	o_lit(",\"title\":");
	o_col(C_SUBJ);
	o_lit(",\"text\":");
	o_col(C_BODY);
	o_lit(",\"template\":");
	o_uuid(C_TMPLID, 0);
	o_lit(",\"link\":");
	o_col(C_LINK);
	o_lit(",\"icon\":");
	o_col(C_ICON);
	o_lit(",\"icon_title\":");
	o_col(C_ICONTITLE);
	o_lit(",\"lang\":");
	o_col(C_LANG);
	o_lit(",\"sender\":");
	o_col(C_SENDER);
	o_lit(",\"created_by\":");
	o_col(C_CREATEDBY);
	o_lit(",\"updated_by\":");
	o_col(C_UPDATEDBY);
	o_lit(",\"actions\":");
	o_stored(C_ACTIONS, '[', "[]");
	o_lit(",\"targets\":");
	o_stored(C_TARGETS, '[', "[]");
	o_lit(",\"data\":");
	o_stored(C_PAY, '{', "{}");
	o_lit(",\"seen\":");
	o_bool(C_SEEN);
	o_lit(",\"read_at\":");
	o_time(row.v[C_SEEN][0] == '1' ? (atoll(row.v[C_SEENAT]) != 0 ?
	    C_SEENAT : C_UPDATED) : C_SEENAT, row.v[C_SEEN][0] != '1');
	o_lit(",\"created_at\":");
	o_time(C_CREATED, 0);
	o_lit(",\"updated_at\":");
	o_time(C_UPDATED, 0);
	o_lit("}");
}

/* The token's row by the SHA-256 of "tok"; its username into "user". */
static int
token_user(const char *tok, char *user, size_t sz)
{
	unsigned char	 h[32];
	unsigned int	 hl = 0;
	unsigned long	 len = 32;
	MYSQL_BIND	 p[1];
	int		 r, found = 0;

	if (tok == NULL || EVP_Digest(tok, strlen(tok), h, &hl, EVP_sha256(),
	    NULL) != 1)
		return -1;
	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_BLOB;
	p[0].buffer = h;
	p[0].buffer_length = 32;
	p[0].length = &len;
	if (q_run(Q_TOKEN, p, 1) != 0)
		return -1;
	while ((r = q_next(Q_TOKEN)) == 1)
		if (row.len[1] == 32 && memcmp(row.v[1], h, 32) == 0 &&
		    atoll(row.v[7]) == 0 && row.len[3] < sz) {
			memcpy(user, row.v[3], row.len[3] + 1);
			found = 1;
		}
	return r == 0 && found ? 0 : -1;
}

/*
 * A user's page (q: Q_PAGE, Q_UNREAD or Q_LATEST), "unread" from the
 * page's counters, or from the counts statement when the page is empty
 * (Q_LATEST has no counters and asks nothing).
 */
static void
same_page(FCGX_Stream *out, enum q_id q, const char *user, long long limit)
{
	MYSQL_BIND	p[4];
	unsigned long	l[2];
	long long	off = 0, n = 0, total = 0, unread = 0;
	char		num[96];
	int		r;

	memset(p, 0, sizeof(p));
	bind_str(&p[0], TENANT, &l[0]);
	bind_str(&p[1], user, &l[1]);
	bind_i64(&p[2], &limit);
	bind_i64(&p[3], &off);
	ol = 0;
	oover = 0;
	o_lit("{\"items\":[");
	if (q_run(q, p, 4) != 0)
		goto fail;
	for (; (r = q_next(q)) == 1; n++) {
		if (n > 0)
			o_lit(",");
		else if (q != Q_LATEST) {
			total = atoll(row.v[C_TOTAL]);
			unread = atoll(row.v[C_UNSEEN]);
		}
		o_note();
	}
	if (r != 0)
		goto fail;
	if (n == 0 && q != Q_LATEST) {
		q = Q_COUNTS;
		if (q_run(Q_COUNTS, p, 2) != 0 || q_next(Q_COUNTS) != 1)
			goto fail;
		total = atoll(row.v[0]);
		unread = atoll(row.v[1]);
		if (q_next(Q_COUNTS) != 0)
			goto fail;
	}
	snprintf(num, sizeof(num), "],\"total\":%lld,\"unread\":%lld}", total,
	    unread);
	o_lit(num);
	if (oover)
		goto fail;
	reply(out, "200 OK", ob, ol);
	return;
fail:
	fail(out, qs[q]);
}

/* FOLIO: the caller's unseen count (limit=0: the count alone). */
static void
same_fcount(FCGX_Request *rq)
{
	const char	*who = FCGX_GetParam("HTTP_X_OKAPI_USER_ID", rq->envp);
	unsigned char	 id[16];
	unsigned long	 l[2];
	long long	 seen = 0;
	MYSQL_BIND	 p[3];
	char		 buf[96];
	int		 n;

	/* The header is a UUID: 36 characters, hyphens at 8, 13, 18, 23. */
	if (who == NULL || uuid_parse(who, id) != 0) {
		reply(rq->out, "400 Bad Request", "{}", 2);
		return;
	}
	memset(p, 0, sizeof(p));
	bind_str(&p[0], "folio", &l[0]);
	bind_bin(&p[1], id, &l[1]);
	bind_i64(&p[2], &seen);
	if (q_run(Q_FCOUNT, p, 3) != 0 || q_next(Q_FCOUNT) != 1) {
		fail(rq->out, qs[Q_FCOUNT]);
		return;
	}
	n = snprintf(buf, sizeof(buf), "{\"notifications\":[],"
	    "\"totalRecords\":%lld}", atoll(row.v[0]));
	if (q_next(Q_FCOUNT) != 0) {
		fail(rq->out, qs[Q_FCOUNT]);
		return;
	}
	reply(rq->out, "200 OK", buf, (size_t)n);
}

/* FOLIO: text=W over the tenant, 10 a page (the bench's word matches). */
static void
same_ftext(FCGX_Stream *out, const char *word)
{
	MYSQL_BIND	p[5];
	unsigned long	l[3];
	long long	lim = 10, off = 0, n = 0, total = 0;
	char		pre[300], pat[300], num[64];
	int		r;

	/* Herald's LIKE before the word regex (src/store/notes_cql.c). */
	snprintf(pre, sizeof(pre), "%%%s%%", word);
	snprintf(pat, sizeof(pat), "%% %s %%", word);
	memset(p, 0, sizeof(p));
	bind_str(&p[0], "folio", &l[0]);
	bind_str(&p[1], pre, &l[1]);
	bind_str(&p[2], pat, &l[2]);
	bind_i64(&p[3], &lim);
	bind_i64(&p[4], &off);
	ol = 0;
	oover = 0;
	o_lit("{\"notifications\":[");
	if (q_run(Q_FTEXT, p, 5) != 0)
		goto fail;
	for (; (r = q_next(Q_FTEXT)) == 1; n++) {
		if (n > 0)
			o_lit(",");
		o_note();
	}
	if (r != 0 || n == 0)
		goto fail;
	total = n;
	if (n == lim) {
		if (q_run(Q_FTEXTN, p, 3) != 0 || q_next(Q_FTEXTN) != 1)
			goto fail;
		total = atoll(row.v[0]);
		if (q_next(Q_FTEXTN) != 0)
			goto fail;
	}
	snprintf(num, sizeof(num), "],\"totalRecords\":%lld}", total);
	o_lit(num);
	if (oover)
		goto fail;
	reply(out, "200 OK", ob, ol);
	return;
fail:
	fail(out, qs[Q_FTEXT]);
}

/*
 * .../same/<what>: coder-inbox, coder-unread (Coder-Session-Token),
 * pj-list, pj-latest (Bearer, the token's user), et-list?user=U (a
 * service Bearer, the path's user), folio-count (X-Okapi-User-Id),
 * folio-text?word=W.  0 when "what" is one of them.
 */
static int
do_same_dialect(FCGX_Request *rq, const char *what, const char *qstr)
{
	const char	*a = FCGX_GetParam("HTTP_AUTHORIZATION", rq->envp);
	const char	*ct = FCGX_GetParam("HTTP_CODER_SESSION_TOKEN", rq->envp);
	char		 user[256], word[128];
	const char	*bearer = a != NULL && strncmp(a, "Bearer ", 7) == 0 ?
			    a + 7 : NULL;

	if (strcmp(what, "folio-count") == 0) {
		same_fcount(rq);
		return 0;
	}
	if (strcmp(what, "folio-text") == 0) {
		if (qstr == NULL || qparam(qstr, "word", word, sizeof(word)) ==
		    NULL)
			reply(rq->out, "400 Bad Request", "{}", 2);
		else
			same_ftext(rq->out, word);
		return 0;
	}
	if (strncmp(what, "coder-", 6) == 0 || strncmp(what, "pj-", 3) == 0) {
		if (token_user(what[0] == 'c' ? ct : bearer, user,
		    sizeof(user)) != 0)
			reply(rq->out, "401 Unauthorized", "{}", 2);
		else if (strcmp(what, "coder-inbox") == 0)
			same_page(rq->out, Q_PAGE, user, 25);
		else if (strcmp(what, "coder-unread") == 0)
			same_page(rq->out, Q_UNREAD, user, 25);
		else if (strcmp(what, "pj-list") == 0)
			same_page(rq->out, Q_PAGE, user, 15);
		else if (strcmp(what, "pj-latest") == 0)
			same_page(rq->out, Q_LATEST, user, 10);
		else
			reply(rq->out, "404 Not Found", "{}", 2);
		return 0;
	}
	if (strcmp(what, "et-list") == 0) {
		if (qstr == NULL || qparam(qstr, "user", user, sizeof(user)) ==
		    NULL)
			reply(rq->out, "400 Bad Request", "{}", 2);
		else if (token_user(bearer, word, sizeof(word)) != 0)
			reply(rq->out, "401 Unauthorized", "{}", 2);
		else if (same_user(user) != 0)
			reply(rq->out, "404 Not Found", "{}", 2);
		else
			same_page(rq->out, Q_PAGE, user, 25);
		return 0;
	}
	return -1;
}

static void
do_same(FCGX_Request *rq, const char *what)
{
	const char	*qstr = FCGX_GetParam("QUERY_STRING", rq->envp);
	char		 user[256], lim[32];
	long long	 limit = 20;

	if (do_same_dialect(rq, what, qstr) == 0)
		return;
	if (strcmp(what, "notification") == 0) {
		same_notification(rq);
		return;
	}
	if (qstr == NULL || qparam(qstr, "user", user, sizeof(user)) == NULL) {
		reply(rq->out, "400 Bad Request", "{}", 2);
		return;
	}
	if (qparam(qstr, "limit", lim, sizeof(lim)) != NULL)
		limit = atoll(lim);
	if (strncmp(what, "messages-union", 14) == 0)
		same_messages_union(rq->out, user, limit);
	else if (strncmp(what, "messages", 8) == 0)
		same_messages(rq->out, user, limit, 0);
	else if (strncmp(what, "unseen", 6) == 0)
		same_messages(rq->out, user, 1000, 1);
	else if (strncmp(what, "count", 5) == 0)
		same_count(rq->out, user);
	else if (strncmp(what, "v1list", 6) == 0)
		same_v1list(rq, user, limit);
	else if (strncmp(what, "v1count", 7) == 0)
		same_v1count(rq, user);
	else if (strcmp(what, "seen") == 0)
		same_seen(rq, user);
	else
		reply(rq->out, "404 Not Found", "{}", 2);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
	FCGX_ShutdownPending();
}

static void
worker(int fd, char **av)
{
	FCGX_Request		 rq;
	struct sigaction	 sa;
	const char		*uri, *same;
	struct timeval		 tv;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sa, NULL);
	gettimeofday(&tv, NULL);
	rng = ((unsigned long long)getpid() << 32) ^ (unsigned long long)
	    tv.tv_usec ^ 0x9e3779b97f4a7c15ULL;
	db_open(av);
	FCGX_InitRequest(&rq, fd, 0);
	while (!stop && FCGX_Accept_r(&rq) == 0) {
		uri = FCGX_GetParam("DOCUMENT_URI", rq.envp);
		if (uri == NULL)
			uri = "";
		if ((same = strstr(uri, "/same/")) != NULL)
			do_same(&rq, same + 6);
		else if (strstr(uri, "/select") != NULL)
			do_select(rq.out);
		else if (strstr(uri, "/insert") != NULL)
			do_insert(rq.in, rq.out);
		else
			reply(rq.out, "200 OK", json_body,
			    sizeof(json_body) - 1);
		FCGX_Finish_r(&rq);
	}
	mysql_close(db);
	_exit(0);
}

int
main(int ac, char **av)
{
	pid_t		 kids[MAXW];
	int		 fd, n, i, st;
	sigset_t	 set;
	int		 sig;

	if (ac != 7) {
		fprintf(stderr, "usage: floor SOCKET WORKERS DB_SOCKET DB_NAME "
		    "DB_USER DB_PASSWORD\n");
		return 2;
	}
	n = atoi(av[2]);
	if (n < 1 || n > MAXW)
		n = 4;
	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0)
		return 1;
	unlink(av[1]);
	if ((fd = FCGX_OpenSocket(av[1], 256)) < 0)
		die("FCGX_OpenSocket");
	chmod(av[1], 0666);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++) {
		if ((kids[i] = fork()) == -1)
			die("fork");
		if (kids[i] == 0) {
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			worker(fd, av);
		}
	}
	/* The master only waits for a signal, then stops its workers. */
	sigwait(&set, &sig);
	for (i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	/* Give them 2 s to finish the request in flight, then kill. */
	for (sig = 0; sig < 200; sig++) {
		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		for (i = 0; i < n; i++)
			if (kids[i] > 0 && kill(kids[i], 0) != 0)
				kids[i] = 0;
		for (i = 0; i < n && kids[i] == 0; i++)
			;
		if (i == n)
			break;
		usleep(10000);
	}
	for (i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	while (waitpid(-1, &st, 0) > 0)
		;
	unlink(av[1]);
	return 0;
}
