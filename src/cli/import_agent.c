/*
 * The DE notification-agent's PostgreSQL store (agent.md §4), read in
 * keyset batches (bounded memory whatever its size) with statements whose
 * values are all parameters, and written through the model a batch per
 * transaction, each batch ending with its checkpoint.
 *
 * Times: the agent's columns are "timestamp" (no zone); they are read in
 * the session's TimeZone (PGTZ, or the server's default), as the agent
 * read them in its JVM's.  A notification's time is its message's
 * "timestamp" (what the agent showed) when that parses.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "cfg.h"
#include "date.h"
#include "herr.h"
#include "import_int.h"
#include "jsonio.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define AGENT_SOURCE	"agent"
#define AGENT_INT8OID	20
#define AGENT_FOREVER	253402300799999LL	/* 9999-12-31: no deactivation */
#define AGENT_JSON_DEPTH	64
#define AGENT_VERIFY_FETCH	"FETCH FORWARD 1000 FROM herald_verify"

/* Milliseconds of a "timestamp" column, read in the session's zone. */
#define MS(col)	"(extract(epoch from " col "::timestamptz) * 1000)::bigint"

struct agent_tbl;
typedef int	(*agent_row_fn)(struct imp_run *, PGresult *, int,
		    struct import_row *, struct herr *);

/*
 * One source table.  "cparams"/"pparams" name the parameters of the
 * count and page statements in order: k (last key), K (its second
 * part), l (limit), s (since, ms; 0 none).
 */
struct agent_tbl {
	const char	*name;
	const char	*count_sql;
	const char	*cparams;
	const char	*page_sql;
	const char	*pparams;
	int		 keys;		/* columns of the key: 1 or 2 */
	agent_row_fn	 row;
};

static const char *
agent_val(PGresult *res, int i, int col)
{
	return PQgetisnull(res, i, col) ? NULL : PQgetvalue(res, i, col);
}

static long long
agent_i64(PGresult *res, int i, int col, long long dflt)
{
	long long	v;

	if (PQgetisnull(res, i, col) || util_strtoll(PQgetvalue(res, i, col),
	    INT64_MIN, INT64_MAX, &v) != 0)
		return dflt;
	return v;
}

static int
agent_bool(PGresult *res, int i, int col)
{
	const char	*v = agent_val(res, i, col);

	return v != NULL && v[0] == 't';
}

/* The digest of the row's columns first..ncols-1, as read. */
static void
agent_digest(PGresult *res, int i, int first, struct import_row *r)
{
	const char	*vals[16];
	int		 c, n = 0;

	for (c = first; c < PQnfields(res) && n < 16; c++)
		vals[n++] = agent_val(res, i, c);
	model_import_digest(r, vals, (size_t)n);
}

static void
agent_skip(struct import_row *r, const char *why, const char *col,
    const char *val)
{
	r->out = IMPORT_SKIPPED;
	if (col != NULL)
		snprintf(r->reason, sizeof(r->reason), "%s (%s %s)", why, col,
		    val != NULL ? val : "NULL");
	else
		snprintf(r->reason, sizeof(r->reason), "%s", why);
}

static int
agent_uuid(PGresult *res, int i, int col, unsigned char id[16],
    struct import_row *r)
{
	const char	*v = agent_val(res, i, col);

	if (v == NULL || util_uuid_parse(v, id) != 0) {
		agent_skip(r, "not a UUID", "uuid", v);
		return -1;
	}
	return 0;
}

/* --- users ------------------------------------------------------------- */

static int
agent_user_row(struct imp_run *run, PGresult *res, int i,
    struct import_row *r, struct herr *e)
{
	agent_digest(res, i, 1, r);
	return model_import_user(&run->ctx, r, agent_val(res, i, 1), e);
}

/* --- notifications ------------------------------------------------------ */

/* The parts of the stored message JSON (agent.md §3.1) Herald keeps. */
struct agent_msg {
	struct json_object	*doc;
	const char		*text;
	const char		*payload;
	const char		*template;
	int			 email;
	int64_t			 timestamp;	/* 0: none */
};

static int
agent_msg_parse(const char *msg, struct agent_msg *m)
{
	struct json_object	*inner = NULL, *payload = NULL, *v;
	const char		*ts = NULL;
	size_t			 len;

	memset(m, 0, sizeof(*m));
	if (msg == NULL || jsonio_parse(msg, strlen(msg), AGENT_JSON_DEPTH,
	    &m->doc) != JSONIO_OK)
		return -1;
	if (!json_object_is_type(m->doc, json_type_object))
		return -2;
	if (jsonio_get_obj(m->doc, "message", &inner) == 1) {
		if (jsonio_get_str(inner, "text", &m->text) != 1)
			m->text = NULL;
		if (json_object_object_get_ex(inner, "timestamp", &v)) {
			if (json_object_is_type(v, json_type_int))
				m->timestamp = json_object_get_int64(v);
			else if (json_object_is_type(v, json_type_string))
				ts = json_object_get_string(v);
		}
		if (ts != NULL && date_parse_ms(ts, &m->timestamp) != 0)
			m->timestamp = 0;
	}
	if (jsonio_get_obj(m->doc, "payload", &payload) == 1)
		m->payload = jsonio_text(payload, &len);
	if (jsonio_get_str(m->doc, "email_template", &m->template) != 1 ||
	    util_blank(m->template))
		m->template = NULL;
	m->email = json_object_object_get_ex(m->doc, "email", &v) &&
	    json_object_get_boolean(v);
	return 0;
}

/*
 * Columns: 0 id, 1 uuid, 2 type, 3 username, 4 subject, 5 seen,
 * 6 deleted, 7 date_created (ms), 8 message, 9 user_id.
 */
static int
agent_note_row(struct imp_run *run, PGresult *res, int i,
    struct import_row *r, struct herr *e)
{
	struct agent_msg	m;
	struct note		n;
	int			rc;

	agent_digest(res, i, 1, r);
	memset(&n, 0, sizeof(n));
	if (agent_uuid(res, i, 1, n.id, r) != 0)
		return 0;
	if ((n.user = agent_val(res, i, 3)) == NULL) {
		agent_skip(r, "unknown user", "user_id", agent_val(res, i, 9));
		return 0;
	}
	if ((rc = agent_msg_parse(agent_val(res, i, 8), &m)) != 0) {
		json_object_put(m.doc);
		agent_skip(r, rc == -1 ? "the message is not valid JSON" :
		    "the message is not a JSON object", NULL, NULL);
		return 0;
	}
	n.type = agent_val(res, i, 2);
	n.subject = agent_val(res, i, 4);
	n.body = m.text != NULL ? m.text : n.subject;
	n.format = NOTE_FMT_TEXT;
	n.payload = m.payload != NULL ? m.payload : "{}";
	n.template = m.template;
	n.email = m.email;
	n.created = m.timestamp > 0 ? m.timestamp :
	    agent_i64(res, i, 7, 0);
	/* The agent kept no time of reading or deleting: its creation's. */
	n.updated = n.created;
	n.seen = agent_bool(res, i, 5);
	n.seen_at = n.created;
	n.deleted = agent_bool(res, i, 6);
	rc = model_import_note(&run->ctx, r, &n, n.created, e);
	json_object_put(m.doc);
	return rc;
}

/*
 * E-mails the agent sent: 0 id, 1 the notification's uuid, 2 template,
 * 3 address, 4 date_sent (ms), 5 notification_id.
 */
static int
agent_email_row(struct imp_run *run, PGresult *res, int i,
    struct import_row *r, struct herr *e)
{
	unsigned char	id[16];

	agent_digest(res, i, 1, r);
	if (agent_val(res, i, 1) == NULL) {
		agent_skip(r, "unknown notification", "notification_id",
		    agent_val(res, i, 5));
		return 0;
	}
	if (agent_uuid(res, i, 1, id, r) != 0)
		return 0;
	return model_import_sent_email(&run->ctx, r, id, agent_val(res, i, 3),
	    agent_val(res, i, 2), agent_i64(res, i, 4, run->ctx.now), e);
}

/* --- system notifications ------------------------------------------------ */

static int
agent_type_row(struct imp_run *run, PGresult *res, int i,
    struct import_row *r, struct herr *e)
{
	agent_digest(res, i, 1, r);
	return model_import_sys_type(&run->ctx, r, agent_val(res, i, 1), e);
}

/*
 * 0 id, 1 uuid, 2 type name, 3 date_created, 4 activation_date,
 * 5 deactivation_date, 6 dismissible, 7 logins_disabled, 8 message,
 * 9 system_notification_type_id.
 */
static int
agent_sys_row(struct imp_run *run, PGresult *res, int i,
    struct import_row *r, struct herr *e)
{
	struct sysnote	s;
	const char	*msg;

	agent_digest(res, i, 1, r);
	memset(&s, 0, sizeof(s));
	if (agent_uuid(res, i, 1, s.id, r) != 0)
		return 0;
	if ((s.type = agent_val(res, i, 2)) == NULL) {
		agent_skip(r, "unknown type", "system_notification_type_id",
		    agent_val(res, i, 9));
		return 0;
	}
	s.created = agent_i64(res, i, 3, 0);
	s.activation = agent_i64(res, i, 4, s.created);
	s.deactivation = agent_i64(res, i, 5, AGENT_FOREVER);
	s.dismissible = agent_bool(res, i, 6);
	s.logins_disabled = agent_bool(res, i, 7);
	s.message = (msg = agent_val(res, i, 8)) != NULL ? msg : "";
	return model_import_sys(&run->ctx, r, &s, e);
}

/*
 * 0 user_id, 1 system_notification_id, 2 username, 3 uuid, 4 state,
 * 5 date_acknowledged (ms).
 */
static int
agent_ack_row(struct imp_run *run, PGresult *res, int i,
    struct import_row *r, struct herr *e)
{
	static const char *const states[] = { "unreceived", "received",
	    "acknowledged", "dismissed" };
	unsigned char	 id[16];
	const char	*state = agent_val(res, i, 4);
	size_t		 k;

	agent_digest(res, i, 2, r);
	if (agent_val(res, i, 2) == NULL) {
		agent_skip(r, "unknown user", "user_id", agent_val(res, i, 0));
		return 0;
	}
	if (agent_val(res, i, 3) == NULL) {
		agent_skip(r, "unknown system notification",
		    "system_notification_id", agent_val(res, i, 1));
		return 0;
	}
	if (agent_uuid(res, i, 3, id, r) != 0)
		return 0;
	for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
		if (state != NULL && strcmp(state, states[k]) == 0)
			break;
	if (k == sizeof(states) / sizeof(states[0])) {
		agent_skip(r, "unknown state", "state", state);
		return 0;
	}
	return model_import_sys_state(&run->ctx, r, agent_val(res, i, 2), id,
	    (enum sys_state)k, agent_i64(res, i, 5, 0), e);
}

static const struct agent_tbl agent_tables[] = {
	{ "users",
	  "SELECT count(*) FROM users WHERE id > $1", "k",
	  "SELECT id, username FROM users WHERE id > $1 ORDER BY id LIMIT $2",
	  "kl", 1, agent_user_row },
	{ "notifications",
	  "SELECT count(*) FROM notifications n WHERE n.id > $1 "
	  "AND ($2 = 0 OR " MS("n.date_created") " >= $2)", "ks",
	  "SELECT n.id, n.uuid, n.type, u.username, n.subject, n.seen, "
	  "n.deleted, " MS("n.date_created") ", n.message, n.user_id "
	  "FROM notifications n LEFT JOIN users u ON u.id = n.user_id "
	  "WHERE n.id > $1 AND ($3 = 0 OR " MS("n.date_created") " >= $3) "
	  "ORDER BY n.id LIMIT $2", "kls", 1, agent_note_row },
	{ "email_notification_messages",
	  "SELECT count(*) FROM email_notification_messages e WHERE e.id > $1 "
	  "AND ($2 = 0 OR " MS("e.date_sent") " >= $2)", "ks",
	  "SELECT e.id, n.uuid, e.template, e.address, " MS("e.date_sent")
	  ", e.notification_id FROM email_notification_messages e "
	  "LEFT JOIN notifications n ON n.id = e.notification_id "
	  "WHERE e.id > $1 AND ($3 = 0 OR " MS("e.date_sent") " >= $3) "
	  "ORDER BY e.id LIMIT $2", "kls", 1, agent_email_row },
	{ "system_notification_types",
	  "SELECT count(*) FROM system_notification_types WHERE id > $1", "k",
	  "SELECT id, name FROM system_notification_types WHERE id > $1 "
	  "ORDER BY id LIMIT $2", "kl", 1, agent_type_row },
	{ "system_notifications",
	  "SELECT count(*) FROM system_notifications s WHERE s.id > $1 "
	  "AND ($2 = 0 OR " MS("s.date_created") " >= $2)", "ks",
	  "SELECT s.id, s.uuid, t.name, " MS("s.date_created") ", "
	  MS("s.activation_date") ", " MS("s.deactivation_date") ", "
	  "s.dismissible, s.logins_disabled, s.message, "
	  "s.system_notification_type_id FROM system_notifications s "
	  "LEFT JOIN system_notification_types t "
	  "ON t.id = s.system_notification_type_id "
	  "WHERE s.id > $1 AND ($3 = 0 OR " MS("s.date_created") " >= $3) "
	  "ORDER BY s.id LIMIT $2", "kls", 1, agent_sys_row },
	{ "system_notification_acknowledgments",
	  "SELECT count(*) FROM system_notification_acknowledgments a "
	  "WHERE (a.user_id, a.system_notification_id) > ($1, $2)", "kK",
	  "SELECT a.user_id, a.system_notification_id, u.username, s.uuid, "
	  "a.state::text, " MS("a.date_acknowledged") " "
	  "FROM system_notification_acknowledgments a "
	  "LEFT JOIN users u ON u.id = a.user_id "
	  "LEFT JOIN system_notifications s ON s.id = a.system_notification_id "
	  "WHERE (a.user_id, a.system_notification_id) > ($1, $2) "
	  "ORDER BY a.user_id, a.system_notification_id LIMIT $3", "kKl", 2,
	  agent_ack_row },
};

/* Run "sql" with the parameters "which" names; NULL after logging. */
static PGresult *
agent_query(PGconn *conn, const char *sql, const char *which, long long k1,
    long long k2, long long limit, long long since)
{
	char		 buf[4][24];
	const char	*vals[4];
	Oid		 types[4];
	PGresult	*res;
	long long	 v;
	int		 n;

	for (n = 0; n < 4 && which[n] != '\0'; n++) {
		v = which[n] == 'k' ? k1 : which[n] == 'K' ? k2 :
		    which[n] == 'l' ? limit : since;
		snprintf(buf[n], sizeof(buf[n]), "%lld", v);
		vals[n] = buf[n];
		types[n] = AGENT_INT8OID;
	}
	res = PQexecParams(conn, sql, n, types, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("import: source: %s", PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

static void
agent_herr(const struct herr *e)
{
	log_error("import: %s (%d)", e->message, e->status);
}

/* Tally a finished batch and commit it with its checkpoint. */
static int
agent_commit(struct imp_run *run, const struct agent_tbl *d,
    const char *last, int done)
{
	struct herr	e;

	if (run->dry_run)
		return 0;
	herr_init(&e);
	if (model_import_commit(&run->ctx, AGENT_SOURCE, d->name, last, done,
	    &e) != 0) {
		agent_herr(&e);
		return -1;
	}
	return 0;
}

/* One page of rows, in one transaction: 0, or -1 (rolled back). */
static int
agent_page(struct imp_run *run, const struct agent_tbl *d,
    struct imp_table *t, PGresult *res, char *last, size_t lastsz)
{
	struct import_row	 r;
	struct herr		 e;
	char			 key[IMP_KEY_MAX];
	int			 i, n = PQntuples(res);

	herr_init(&e);
	run->ctx.now = util_now_ms();
	if (!run->dry_run && model_import_begin(&run->ctx, &e) != 0) {
		agent_herr(&e);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (d->keys == 2)
			snprintf(key, sizeof(key), "%s:%s",
			    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		else
			snprintf(key, sizeof(key), "%s", PQgetvalue(res, i, 0));
		memset(&r, 0, sizeof(r));
		r.source = AGENT_SOURCE;
		r.tbl = d->name;
		r.key = key;
		r.dry_run = run->dry_run;
		if (d->row(run, res, i, &r, &e) != 0) {
			agent_herr(&e);
			if (!run->dry_run)
				model_import_rollback(&run->ctx);
			return -1;
		}
		imp_row(run, t, &r);
	}
	snprintf(last, lastsz, "%s", key);
	return agent_commit(run, d, last, 0);
}

static int
agent_table(struct imp_run *run, PGconn *conn, const struct agent_tbl *d)
{
	struct imp_table	*t;
	struct herr		 e;
	PGresult		*res;
	char			 last[IMP_KEY_MAX] = "0:0";
	long long		 k1 = 0, k2 = 0, total = -1;
	int			 done = 0, cp = 0, n;

	herr_init(&e);
	if (!run->dry_run && (cp = model_import_checkpoint(&run->ctx,
	    AGENT_SOURCE, d->name, last, sizeof(last), &done, &e)) < 0) {
		agent_herr(&e);
		return -1;
	}
	if (cp && sscanf(last, "%lld:%lld", &k1, &k2) < 1) {
		log_error("import: bad checkpoint %s for %s", last, d->name);
		return -1;
	}
	if ((res = agent_query(conn, d->count_sql, d->cparams, k1, k2, 0,
	    run->since)) == NULL)
		return -1;
	total = done ? 0 : atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	t = imp_table(run, d->name, total);
	t->resumed = cp;
	if (done)
		return 0;
	for (;;) {
		if ((res = agent_query(conn, d->page_sql, d->pparams, k1, k2,
		    run->batch, run->since)) == NULL)
			return -1;
		n = PQntuples(res);
		if (n > 0) {
			if (agent_page(run, d, t, res, last, sizeof(last)) != 0) {
				PQclear(res);
				return -1;
			}
			k1 = atoll(PQgetvalue(res, n - 1, 0));
			k2 = d->keys == 2 ? atoll(PQgetvalue(res, n - 1, 1)) : 0;
		}
		PQclear(res);
		imp_progress(run, t, 0);
		if (n < run->batch)
			break;
		if (imp_stopping())
			return -1;
	}
	imp_progress(run, t, 1);
	if (run->dry_run)
		return 0;
	if (model_import_begin(&run->ctx, &e) != 0) {
		agent_herr(&e);
		return -1;
	}
	return agent_commit(run, d, last, 1);
}

/*
 * Each user's counts, in the source and in Herald (the counters the
 * triggers kept): total and unseen of the notifications not deleted.
 * One aggregate over the source, read through a cursor.
 */
static int
agent_verify(struct imp_run *run, PGconn *conn)
{
	struct note_counts	 hc;
	struct note_query	 q;
	struct herr		 e;
	PGresult		*res;
	const char		*name;
	long long		 st, su;
	int			 i, n, rc = -1;

	res = PQexec(conn, "BEGIN READ ONLY");
	PQclear(res);
	res = PQexec(conn, "DECLARE herald_verify NO SCROLL CURSOR FOR "
	    "SELECT u.username, count(n.id) FILTER (WHERE NOT n.deleted), "
	    "count(n.id) FILTER (WHERE NOT n.deleted AND NOT n.seen) "
	    "FROM users u LEFT JOIN notifications n ON n.user_id = u.id "
	    "GROUP BY u.id, u.username ORDER BY u.id");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("import: verify: %s", PQerrorMessage(conn));
		goto out;
	}
	for (;;) {
		PQclear(res);
		res = PQexec(conn, AGENT_VERIFY_FETCH);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			log_error("import: verify: %s", PQerrorMessage(conn));
			goto out;
		}
		if ((n = PQntuples(res)) == 0)
			break;
		for (i = 0; i < n; i++) {
			name = PQgetvalue(res, i, 0);
			st = atoll(PQgetvalue(res, i, 1));
			su = atoll(PQgetvalue(res, i, 2));
			memset(&q, 0, sizeof(q));
			q.tenant = run->ctx.tenant;
			q.user = name;
			q.seen = -1;
			memset(&hc, 0, sizeof(hc));
			herr_init(&e);
			run->verified++;
			if (!util_utf8_valid(name, strlen(name)) ||
			    model_note_count(&run->ctx, &q, &hc, &e) != 0)
				hc.total = hc.unread = -1;
			if (hc.total != st || hc.unread != su)
				imp_differs(run, name, st, su, hc.total,
				    hc.unread);
		}
	}
	rc = 0;
out:
	PQclear(res);
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
	return rc;
}

int
imp_agent(struct imp_run *run)
{
	PGconn		*conn;
	struct herr	 e;
	size_t		 i;
	int		 rc = -1;

	conn = PQconnectdb(run->url);
	if (PQstatus(conn) != CONNECTION_OK) {
		log_error("import: cannot connect to the source: %s",
		    PQerrorMessage(conn));
		goto out;
	}
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		log_error("import: source: %s", PQerrorMessage(conn));
		goto out;
	}
	for (i = 0; i < sizeof(agent_tables) / sizeof(agent_tables[0]); i++)
		if (agent_table(run, conn, &agent_tables[i]) != 0)
			goto out;
	herr_init(&e);
	if (!run->dry_run) {
		if (model_import_finish(&run->ctx, AGENT_SOURCE, &e) != 0) {
			agent_herr(&e);
			goto out;
		}
		if (agent_verify(run, conn) != 0)
			goto out;
	}
	rc = 0;
out:
	PQfinish(conn);
	return rc;
}
