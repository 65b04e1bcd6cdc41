/*
 * The worker's one MariaDB connection: connect lazily, prepare each
 * statement once, reconnect after the server went away.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "cfg.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "util.h"

#define DB_COLS_MAX	32
#define DB_PARAMS_MAX	160	/* K: as many as notes.c's query builder binds */
#define DB_PARAMS_BULK	4096	/* R: the import's multi-row statements */
#define DB_STRBUF_INIT	256
#define DB_RETRY_MS	250	/* between reconnect attempts while down */
#define DB_CACHE_SLOTS	1024	/* prepared statements kept, a power of 2 */
#define DB_HOSTS_MAX	8	/* entries in a db_host list */
#define DB_AUTOCOMMIT_TRIES 4	/* runs of one statement on a conflict */
#define ER_WSREP_NOT_READY 1047	/* ER_UNKNOWN_COM_ERROR, as Galera uses it */

/*
 * The statement cache is keyed by the SQL text itself, so a statement
 * built from fragments (one per predicate a query uses) is cached once
 * per distinct set of predicates, with no key ranges to keep apart.
 */
struct db_cached {
	uint64_t	 hash;
	char		*sql;
	MYSQL_STMT	*stmt;
};

struct store {
	const struct cfg	*cfg;
	MYSQL			*conn;
	struct db_cached	 cache[DB_CACHE_SLOTS];
	size_t			 ncached;
	int			 in_tx;		/* depth of store_begin() */
	int			 tx_failed;	/* an inner level rolled back */
	int			 tx_lost;	/* it went with the connection */
	int			 used;		/* statements run this request */
	int			 maybe_applied;	/* see db_maybe_applied() */
	int			 retry;		/* a STORE_RETRY since reset */
	size_t			 host;		/* db_host entry to try first */
	int64_t			 next_try;	/* ms; no connect before */
	int			 connected;	/* once: later ones reconnect */
};

struct sqlrow {
	unsigned int	 ncols;
	MYSQL_BIND	 bind[DB_COLS_MAX];
	my_bool		 isnull[DB_COLS_MAX];
	unsigned long	 len[DB_COLS_MAX];
	long long	 ival[DB_COLS_MAX];
	char		*sval[DB_COLS_MAX];
	size_t		 cap[DB_COLS_MAX];
};

struct store *
store_new(const struct cfg *cfg)
{
	struct store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->cfg = cfg;
	return st;
}

static void
db_cache_clear(struct store *st)
{
	size_t	i;

	for (i = 0; i < DB_CACHE_SLOTS; i++)
		if (st->cache[i].sql != NULL) {
			mysql_stmt_close(st->cache[i].stmt);
			free(st->cache[i].sql);
			st->cache[i].sql = NULL;
			st->cache[i].stmt = NULL;
		}
	st->ncached = 0;
}

/*
 * Drop the connection.  An open transaction went with it: until its
 * levels are rolled back (or "committed", which fails), no statement
 * may reconnect, or the rest of it would run in autocommit.
 */
static void
db_disconnect(struct store *st)
{
	db_cache_clear(st);
	if (st->conn != NULL)
		mysql_close(st->conn);
	st->conn = NULL;
	if (st->in_tx > 0)
		st->tx_lost = 1;
	st->tx_failed = 0;
}

/* FNV-1a over the SQL text. */
static uint64_t
db_hash(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The slot holding "sql", or the empty slot where it would go. */
static struct db_cached *
db_cache_slot(struct store *st, const char *sql, uint64_t h)
{
	size_t	i = (size_t)h & (DB_CACHE_SLOTS - 1);

	while (st->cache[i].sql != NULL && (st->cache[i].hash != h ||
	    strcmp(st->cache[i].sql, sql) != 0))
		i = (i + 1) & (DB_CACHE_SLOTS - 1);
	return &st->cache[i];
}

void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	db_disconnect(st);
	free(st);
}

/*
 * Entry "i" of the db_host list ("host[:port], host[:port], ..."): its
 * host in buf and its port (db_port when it names none).  -1 past the end.
 */
static int
db_host_entry(const struct cfg *c, size_t i, char *buf, size_t sz,
    unsigned int *port)
{
	const char	*p = c->db_host, *end, *colon;
	size_t		 len;
	long long	 v;
	char		 num[8];

	for (; i > 0 && p != NULL; i--)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	if (p == NULL)
		return -1;
	p += strspn(p, " \t");
	if ((end = strchr(p, ',')) == NULL)
		end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - p);
	*port = c->db_port;
	/* One colon: host:port (an IPv6 address has several). */
	if ((colon = memchr(p, ':', len)) != NULL &&
	    memchr(colon + 1, ':', (size_t)(end - colon - 1)) == NULL &&
	    (size_t)(end - colon - 1) < sizeof(num)) {
		memcpy(num, colon + 1, (size_t)(end - colon - 1));
		num[end - colon - 1] = '\0';
		if (util_strtoll(num, 1, 65535, &v) == 0) {
			*port = (unsigned int)v;
			len = (size_t)(colon - p);
		}
	}
	if (len == 0 || len >= sz)
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return 0;
}

static int
db_hosts(const struct cfg *c)
{
	const char	*p;
	int		 n = 1;

	for (p = c->db_host; (p = strchr(p, ',')) != NULL; p++)
		n++;
	return n < DB_HOSTS_MAX ? n : DB_HOSTS_MAX;
}

/* The next connect starts at the next db_host entry (failover). */
static void
db_host_next(struct store *st)
{
	if (st->cfg->db_socket[0] == '\0' && db_hosts(st->cfg) > 1)
		st->host = (st->host + 1) % (size_t)db_hosts(st->cfg);
}

static enum store_rc
db_connect_one(struct store *st, const char *host, unsigned int port,
    const char *sock);

/*
 * Connect to db_socket, or to the entries of db_host in order from the
 * one that last worked; the first that answers is kept until it fails.
 */
static enum store_rc
db_connect(struct store *st)
{
	const struct cfg	*c = st->cfg;
	char			 host[CFG_STR_MAX];
	unsigned int		 port;
	enum store_rc		 rc = STORE_UNAVAILABLE;
	int64_t			 now;
	int			 i, n;

	if (st->conn != NULL)
		return STORE_OK;
	if (st->tx_lost)
		return STORE_UNAVAILABLE;
	/*
	 * While the server is down, answer 503 at once between attempts;
	 * a request after the pause tries again.
	 */
	now = util_now_ms();
	if (now < st->next_try)
		return STORE_UNAVAILABLE;
	if (c->db_socket[0] != '\0')
		rc = db_connect_one(st, NULL, c->db_port, c->db_socket);
	else
		for (i = 0, n = db_hosts(c); i < n && rc == STORE_UNAVAILABLE;
		    i++) {
			if (db_host_entry(c, st->host, host, sizeof(host),
			    &port) != 0) {
				log_error("db_host: entry %zu is not host[:port]",
				    st->host + 1);
				return STORE_ERROR;
			}
			if ((rc = db_connect_one(st, host, port, NULL)) ==
			    STORE_UNAVAILABLE)
				db_host_next(st);
		}
	/* From the end of the attempt: a connect can take a while. */
	st->next_try = rc == STORE_OK ? 0 : util_now_ms() + DB_RETRY_MS;
	return rc;
}

static enum store_rc
db_connect_one(struct store *st, const char *host, unsigned int port,
    const char *sock)
{
	const struct cfg	*c = st->cfg;
	my_bool			 off = 0;

	if ((st->conn = mysql_init(NULL)) == NULL)
		return STORE_ERROR;
	mysql_options(st->conn, MYSQL_OPT_CONNECT_TIMEOUT,
	    &c->db_connect_timeout);
	mysql_options(st->conn, MYSQL_OPT_READ_TIMEOUT, &c->db_read_timeout);
	mysql_options(st->conn, MYSQL_OPT_WRITE_TIMEOUT, &c->db_write_timeout);
	mysql_options(st->conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(st->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(st->conn, MYSQL_INIT_COMMAND,
	    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,"
	    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
	/* No CLIENT_MULTI_STATEMENTS: only db_script needs it, for a while. */
	if (mysql_real_connect(st->conn, host, c->db_user, c->db_password,
	    c->db_name, port, sock, 0) == NULL) {
		log_error("database connect (%s:%u): %s", sock != NULL ? sock :
		    host, sock != NULL ? 0 : port, mysql_error(st->conn));
		mysql_close(st->conn);
		st->conn = NULL;
		return STORE_UNAVAILABLE;
	}
	metrics_db_connect(st->connected);
	st->connected = 1;
	return STORE_OK;
}

void
store_request_begin(struct store *st)
{
	st->used = 0;
	if (st->tx_lost) {
		st->in_tx = 0;
		st->tx_lost = 0;
	}
}

void
store_request_end(struct store *st)
{
	if (st->in_tx) {
		st->in_tx = 1;
		store_rollback(st);
	}
}

static int
db_gone(unsigned int err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
	    err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR ||
	    err == ER_CONNECTION_KILLED || err == 4031 /* idle timeout */ ||
	    err == ER_SERVER_SHUTDOWN;
}

/* Map a failed call's error; drop the connection if the server is gone. */
static enum store_rc
db_fail(struct store *st, unsigned int err, const char *msg, const char *what)
{
	metrics_db_error();
	if (db_gone(err)) {
		log_warn("database gone (%s): %u %s", what, err, msg);
		db_disconnect(st);
		return STORE_UNAVAILABLE;
	}
	switch (err) {
	case ER_DUP_ENTRY:
		return STORE_CONFLICT;
	case ER_NET_PACKET_TOO_LARGE:
		/* The server drops the connection after saying so. */
		log_warn("database refused a packet (%s): %u %s", what, err,
		    msg);
		db_disconnect(st);
		return STORE_INVALID;
	case CR_NET_PACKET_TOO_LARGE:
	case ER_WARN_ALLOWED_PACKET_OVERFLOWED:
	case ER_DATA_TOO_LONG:
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
	case ER_NO_REFERENCED_ROW_2:
	case ER_CONSTRAINT_FAILED:
	case ER_BAD_NULL_ERROR:
		log_warn("database refused values (%s): %u %s", what, err, msg);
		return STORE_INVALID;
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		/*
		 * Rolled back for a conflict: a deadlock, a lock wait too
		 * long, or (Galera, as ER_LOCK_DEADLOCK) a certification
		 * failure at commit or an abort by a replicated write.
		 */
		log_warn("database conflict (%s): %u %s", what, err, msg);
		st->retry = 1;
		return STORE_RETRY;
	case ER_WSREP_NOT_READY:
		/*
		 * A Galera node outside the primary component refuses every
		 * query: drop it, and let the retry go to the next db_host.
		 */
		log_warn("database node not ready (%s): %u %s", what, err, msg);
		db_disconnect(st);
		db_host_next(st);
		st->next_try = 0;
		st->retry = 1;
		return STORE_RETRY;
	default:
		log_error("database error (%s): %u %s", what, err, msg);
		return STORE_ERROR;
	}
}

/* Monotonic microseconds, for the statement-time counter. */
static int64_t
db_clock_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum store_rc
db_stmt(struct store *st, const char *sql, MYSQL_STMT **out)
{
	struct db_cached	*c;
	MYSQL_STMT		*s;
	enum store_rc		 rc;
	uint64_t		 h = db_hash(sql);

	if ((rc = db_connect(st)) != STORE_OK)
		return rc;
	c = db_cache_slot(st, sql, h);
	if (c->sql != NULL) {
		*out = c->stmt;
		return STORE_OK;
	}
	/* Bounded: a full cache starts again (never within a transaction's
	 * statements in flight, which hold no cached pointers). */
	if (st->ncached >= DB_CACHE_SLOTS / 2 && !st->in_tx) {
		db_cache_clear(st);
		c = db_cache_slot(st, sql, h);
	}
	if ((s = mysql_stmt_init(st->conn)) == NULL)
		return STORE_ERROR;
	if (mysql_stmt_prepare(s, sql, strlen(sql)) != 0) {
		rc = db_fail(st, mysql_stmt_errno(s), mysql_stmt_error(s),
		    "prepare");
		mysql_stmt_close(s);
		return rc;
	}
	if (st->ncached >= DB_CACHE_SLOTS - 1 ||
	    (c->sql = strdup(sql)) == NULL) {
		mysql_stmt_close(s);
		return STORE_ERROR;
	}
	c->hash = h;
	c->stmt = s;
	st->ncached++;
	*out = s;
	return STORE_OK;
}

static void
db_bind_params(MYSQL_BIND *b, const struct sqlv *v, size_t n,
    unsigned long *lens)
{
	size_t	i;

	memset(b, 0, sizeof(*b) * n);
	for (i = 0; i < n; i++) {
		switch (v[i].t) {
		case SQLT_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case SQLT_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			/* The API takes non-const buffers; it only reads. */
			b[i].buffer = (void *)(uintptr_t)&v[i].i;
			break;
		case SQLT_STR:
		case SQLT_BIN:
			b[i].buffer_type = v[i].t == SQLT_STR ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)(uintptr_t)v[i].p;
			lens[i] = v[i].len;
			b[i].buffer_length = v[i].len;
			b[i].length = &lens[i];
			break;
		}
	}
}

/*
 * Prepare (cached), bind and execute.  A server that went away before
 * anything else ran in this request is reconnected once and the statement
 * retried: nothing of the request was applied but perhaps this statement,
 * when only its reply was lost.  Then st->maybe_applied stays set, and a
 * caller that gets CONFLICT (its own first insert) or UNAVAILABLE can look.
 */
static enum store_rc
db_run(struct store *st, const char *sql,
    const struct sqlv *v, size_t n, MYSQL_STMT **out)
{
	MYSQL_BIND	 bs[DB_PARAMS_MAX], *b = bs;
	unsigned long	 ls[DB_PARAMS_MAX], *lens = ls;
	MYSQL_STMT	*s = NULL;
	enum store_rc	 rc;
	int		 attempt, had_conn, in_tx = st->in_tx;
	int64_t		 t0;

	if (n > DB_PARAMS_BULK)
		return STORE_ERROR;
	/* Past what the stack holds (the import's rows): the heap. */
	if (n > DB_PARAMS_MAX && ((b = calloc(n, sizeof(*b))) == NULL ||
	    (lens = calloc(n, sizeof(*lens))) == NULL)) {
		free(b);
		return STORE_ERROR;
	}
	st->maybe_applied = 0;
	for (attempt = 0;; attempt++) {
		had_conn = st->conn != NULL;
		if ((rc = db_stmt(st, sql, &s)) == STORE_OK) {
			db_bind_params(b, v, n, lens);
			t0 = db_clock_us();
			if (mysql_stmt_bind_param(s, b) == 0 &&
			    mysql_stmt_execute(s) == 0) {
				metrics_db_statement(db_clock_us() - t0);
				st->used++;
				*out = s;
				rc = STORE_OK;
				goto out;
			}
			rc = db_fail(st, mysql_stmt_errno(s),
			    mysql_stmt_error(s), "execute");
			if (st->conn != NULL)
				mysql_stmt_reset(s);
			else if (rc == STORE_UNAVAILABLE && !in_tx)
				/* Sent, no reply.  (In a transaction the
				 * server rolls it all back.) */
				st->maybe_applied = 1;
		}
		/*
		 * A statement of its own (autocommit) rolled back by a
		 * conflict is run again: nothing of it was applied.  In a
		 * transaction the whole must be (model_tx).
		 */
		if (rc == STORE_RETRY && !in_tx && !st->in_tx) {
			if (attempt + 1 < DB_AUTOCOMMIT_TRIES) {
				store_backoff(attempt + 1);
				continue;
			}
			/* Retried here already: not again by model_tx. */
			st->retry = 0;
			goto out;
		}
		/* Only an idle connection lost before this request did anything. */
		if (rc != STORE_UNAVAILABLE || !had_conn || st->conn != NULL ||
		    attempt > 0 || st->used > 0 || st->in_tx)
			goto out;
		st->next_try = 0;
	}
out:
	if (b != bs) {
		free(b);
		free(lens);
	}
	return rc;
}

enum store_rc
db_exec(struct store *st, const char *sql,
    const struct sqlv *v, size_t n, unsigned long long *affected)
{
	MYSQL_STMT	*s;
	enum store_rc	 rc;

	if ((rc = db_run(st, sql, v, n, &s)) != STORE_OK)
		return rc;
	if (affected != NULL)
		*affected = (unsigned long long)mysql_stmt_affected_rows(s);
	/*
	 * No mysql_stmt_reset() on success: it is a round trip to the
	 * server, and a statement without a result needs none to run again.
	 */
	return STORE_OK;
}

static void
row_free(struct sqlrow *r)
{
	unsigned int	i;

	for (i = 0; i < r->ncols; i++)
		free(r->sval[i]);
}

/* Bind result columns: integers as LONGLONG, the rest as growable text. */
static int
row_bind(struct sqlrow *r, MYSQL_STMT *s)
{
	MYSQL_RES	*meta;
	MYSQL_FIELD	*f;
	unsigned int	 i;

	if ((meta = mysql_stmt_result_metadata(s)) == NULL)
		return -1;
	r->ncols = mysql_num_fields(meta);
	if (r->ncols > DB_COLS_MAX) {
		mysql_free_result(meta);
		r->ncols = 0;
		return -1;
	}
	f = mysql_fetch_fields(meta);
	memset(r->bind, 0, sizeof(r->bind));
	for (i = 0; i < r->ncols; i++) {
		r->bind[i].is_null = &r->isnull[i];
		r->bind[i].length = &r->len[i];
		switch (f[i].type) {
		case MYSQL_TYPE_TINY:
		case MYSQL_TYPE_SHORT:
		case MYSQL_TYPE_LONG:
		case MYSQL_TYPE_INT24:
		case MYSQL_TYPE_LONGLONG:
		case MYSQL_TYPE_NEWDECIMAL:
			if (f[i].type == MYSQL_TYPE_NEWDECIMAL && f[i].decimals)
				goto text;
			r->bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			r->bind[i].buffer = &r->ival[i];
			break;
		default:
		text:
			r->cap[i] = DB_STRBUF_INIT;
			if ((r->sval[i] = malloc(r->cap[i] + 1)) == NULL) {
				mysql_free_result(meta);
				return -1;
			}
			r->bind[i].buffer_type = MYSQL_TYPE_STRING;
			r->bind[i].buffer = r->sval[i];
			r->bind[i].buffer_length = r->cap[i];
			break;
		}
	}
	mysql_free_result(meta);
	return mysql_stmt_bind_result(s, r->bind) == 0 ? 0 : -1;
}

/* After MYSQL_DATA_TRUNCATED: grow the short buffers and refetch them. */
static int
row_refetch(struct sqlrow *r, MYSQL_STMT *s)
{
	unsigned int	 i;
	char		*p;
	MYSQL_BIND	 b;

	for (i = 0; i < r->ncols; i++) {
		if (r->sval[i] == NULL || r->isnull[i] || r->len[i] <= r->cap[i])
			continue;
		if ((p = realloc(r->sval[i], r->len[i] + 1)) == NULL)
			return -1;
		r->sval[i] = p;
		r->cap[i] = r->len[i];
		memset(&b, 0, sizeof(b));
		b.buffer_type = MYSQL_TYPE_STRING;
		b.buffer = p;
		b.buffer_length = r->cap[i];
		b.length = &r->len[i];
		if (mysql_stmt_fetch_column(s, &b, i, 0) != 0)
			return -1;
		r->bind[i].buffer = p;
		r->bind[i].buffer_length = r->cap[i];
	}
	/* Rebind so the next row fetches into the grown buffers. */
	return mysql_stmt_bind_result(s, r->bind) == 0 ? 0 : -1;
}

enum store_rc
db_select(struct store *st, const char *sql,
    const struct sqlv *v, size_t n, row_cb cb, void *arg)
{
	MYSQL_STMT	*s;
	struct sqlrow	*r;
	enum store_rc	 rc;
	unsigned int	 i;
	int		 f, stop = 0;

	if ((rc = db_run(st, sql, v, n, &s)) != STORE_OK)
		return rc;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		mysql_stmt_reset(s);
		return STORE_ERROR;
	}
	rc = STORE_ERROR;
	if (row_bind(r, s) != 0) {
		rc = db_fail(st, mysql_stmt_errno(s), mysql_stmt_error(s),
		    "bind");
		goto out;
	}
	while (!stop) {
		f = mysql_stmt_fetch(s);
		if (f == MYSQL_NO_DATA)
			break;
		if (f == MYSQL_DATA_TRUNCATED && row_refetch(r, s) != 0)
			f = 1;
		if (f == 1) {
			rc = db_fail(st, mysql_stmt_errno(s),
			    mysql_stmt_error(s), "fetch");
			goto out;
		}
		for (i = 0; i < r->ncols; i++)
			if (r->sval[i] != NULL && !r->isnull[i])
				r->sval[i][r->len[i] <= r->cap[i] ?
				    r->len[i] : r->cap[i]] = '\0';
		stop = cb(r, arg);
	}
	rc = STORE_OK;
out:
	/* free_result drains what is left on the client side; the server
	 * needs a reset only after a failure. */
	if (st->conn != NULL) {
		mysql_stmt_free_result(s);
		if (rc != STORE_OK)
			mysql_stmt_reset(s);
	}
	row_free(r);
	free(r);
	return rc;
}

struct db_ints {
	long long	*out;
	size_t		 n;
};

static int
db_ints_row(const struct sqlrow *r, void *arg)
{
	struct db_ints	*d = arg;
	size_t		 i;

	for (i = 0; i < d->n && i < r->ncols; i++)
		d->out[i] = row_isnull(r, (unsigned int)i) ? 0 :
		    row_i64(r, (unsigned int)i);
	return 1;
}

void
db_bind_ids(struct sqlv *v, const unsigned char (*ids)[16], size_t n,
    size_t slots)
{
	size_t	i;

	for (i = 0; i < slots; i++)
		v[i] = SQL_BIN(ids[i < n ? i : n - 1], 16);
}

enum store_rc
db_select_i64(struct store *st, const char *sql,
    const struct sqlv *v, size_t n, long long *out, size_t nout)
{
	struct db_ints	d = { out, nout };

	memset(out, 0, sizeof(*out) * nout);
	return db_select(st, sql, v, n, db_ints_row, &d);
}

int
row_isnull(const struct sqlrow *r, unsigned int col)
{
	return col >= r->ncols || r->isnull[col];
}

long long
row_i64(const struct sqlrow *r, unsigned int col)
{
	if (col >= r->ncols || r->isnull[col])
		return 0;
	if (r->sval[col] != NULL)
		return strtoll(r->sval[col], NULL, 10);
	return r->ival[col];
}

const char *
row_str(const struct sqlrow *r, unsigned int col, size_t *len)
{
	if (col >= r->ncols || r->isnull[col] || r->sval[col] == NULL)
		return NULL;
	if (len != NULL)
		*len = r->len[col];
	return r->sval[col];
}

const unsigned char *
row_bin16(const struct sqlrow *r, unsigned int col)
{
	if (col >= r->ncols || r->isnull[col] || r->sval[col] == NULL ||
	    r->len[col] != 16)
		return NULL;
	return (const unsigned char *)r->sval[col];
}

int
db_maybe_applied(const struct store *st)
{
	return st->maybe_applied;
}

enum store_rc
db_settle(struct store *st, const char *exists_sql,
    const unsigned char id[16], enum store_rc rc)
{
	struct sqlv	v[] = { SQL_BIN(id, 16) };
	long long	n = 0;

	if ((rc != STORE_CONFLICT && rc != STORE_UNAVAILABLE) ||
	    !db_maybe_applied(st))
		return rc;
	if (db_select_i64(st, exists_sql, v, 1, &n, 1) != STORE_OK)
		return rc;
	log_warn("a write's reply was lost; it %s applied",
	    n > 0 ? "was" : "was not");
	return n > 0 ? STORE_OK : rc;
}

int
store_in_tx(const struct store *st)
{
	return st->in_tx > 0;
}

int
store_retry_wanted(const struct store *st)
{
	return st->retry;
}

void
store_retry_reset(struct store *st)
{
	st->retry = 0;
}

/*
 * Before retry "n" (1, 2, ...): sleep a random time in [b, 2b) ms with
 * b = 5 * 2^(n-1), so that two writers that collided do not collide
 * again in step.
 */
void
store_backoff(int n)
{
	struct timespec	ts;
	long		base = 5L << (n > 1 ? (n < 6 ? n - 1 : 5) : 0);
	long		ms = base + (long)(util_random_u32() % (uint32_t)base);

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Like db_run: a connection lost while idle is reconnected once, and the
 * transaction opened on the new one.
 */
enum store_rc
store_begin(struct store *st)
{
	enum store_rc	rc;
	int		attempt, had_conn;

	/* Nested: the outermost level owns the transaction. */
	if (st->in_tx > 0 && st->conn != NULL) {
		st->in_tx++;
		return STORE_OK;
	}
	for (attempt = 0;; attempt++) {
		had_conn = st->conn != NULL;
		if ((rc = db_connect(st)) != STORE_OK)
			return rc;
		if (mysql_real_query(st->conn, "START TRANSACTION", 17) == 0)
			break;
		rc = db_fail(st, mysql_errno(st->conn),
		    mysql_error(st->conn), "begin");
		if (rc != STORE_UNAVAILABLE || !had_conn || st->conn != NULL ||
		    attempt > 0 || st->used > 0 || st->in_tx)
			return rc;
		st->next_try = 0;
	}
	st->in_tx = 1;
	st->tx_failed = 0;
	st->used++;
	return STORE_OK;
}

enum store_rc
store_commit(struct store *st)
{
	enum store_rc	rc;

	st->maybe_applied = 0;
	if (st->tx_lost) {
		/* Never sent: nothing of it was applied. */
		if (--st->in_tx <= 0) {
			st->in_tx = 0;
			st->tx_lost = 0;
		}
		return STORE_UNAVAILABLE;
	}
	if (st->conn == NULL)
		return STORE_UNAVAILABLE;
	if (st->in_tx > 1) {
		st->in_tx--;
		return st->tx_failed ? STORE_ERROR : STORE_OK;
	}
	st->in_tx = 0;
	if (st->tx_failed) {
		st->tx_failed = 0;
		store_rollback(st);
		return STORE_ERROR;
	}
	if (mysql_commit(st->conn) != 0) {
		rc = db_fail(st, mysql_errno(st->conn),
		    mysql_error(st->conn), "commit");
		/* A COMMIT whose reply was lost may have been applied. */
		if (rc == STORE_UNAVAILABLE && st->conn == NULL)
			st->maybe_applied = 1;
		return rc;
	}
	return STORE_OK;
}

void
store_rollback(struct store *st)
{
	/* An inner level poisons the whole; the outermost rolls back. */
	if (st->in_tx > 1) {
		st->in_tx--;
		st->tx_failed = 1;
		return;
	}
	st->in_tx = 0;
	st->tx_failed = 0;
	st->tx_lost = 0;
	if (st->conn != NULL && mysql_rollback(st->conn) != 0)
		db_fail(st, mysql_errno(st->conn), mysql_error(st->conn),
		    "rollback");
}

enum store_rc
db_script(struct store *st, const char *sql)
{
	enum store_rc	 rc;
	MYSQL_RES	*res;
	int		 more;

	if ((rc = db_connect(st)) != STORE_OK)
		return rc;
	/* Several statements in one text, on this connection only now. */
	if (mysql_set_server_option(st->conn, MYSQL_OPTION_MULTI_STATEMENTS_ON)
	    != 0)
		return db_fail(st, mysql_errno(st->conn),
		    mysql_error(st->conn), "script");
	rc = STORE_ERROR;
	if (mysql_real_query(st->conn, sql, strlen(sql)) != 0) {
		rc = db_fail(st, mysql_errno(st->conn),
		    mysql_error(st->conn), "script");
		goto out;
	}
	do {
		if ((res = mysql_store_result(st->conn)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(st->conn) != 0) {
			rc = db_fail(st, mysql_errno(st->conn),
			    mysql_error(st->conn), "script");
			goto out;
		}
		if ((more = mysql_next_result(st->conn)) > 0) {
			rc = db_fail(st, mysql_errno(st->conn),
			    mysql_error(st->conn), "script");
			goto out;
		}
	} while (more == 0);
	rc = STORE_OK;
out:
	if (st->conn != NULL)
		mysql_set_server_option(st->conn,
		    MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return rc;
}
