/*
 * User notifications.  Statements that vary by filter or sort are built
 * from the constant fragments below, keyed by which fragments they use,
 * and cached like any other: client values are only ever bound.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "store.h"
#include "util.h"

enum {
	K_USER_UPSERT = STMT_NOTES_BASE,
	K_NOTE_INSERT,
	K_MARK_IDS,
	K_DELETE_IDS,
	K_DELIVERY_INSERT,
	K_COUNTS,
	K_NOTE_EXISTS,
	K_DYN = STMT_NOTES_BASE + 16	/* + kind * 512 + variant */
};

enum nq_kind { NQ_LIST, NQ_COUNT, NQ_MARKALL, NQ_DELALL, NQ_LIST_COUNTED,
	NQ__MAX };

/* Every variant of every kind must stay inside this file's key range. */
_Static_assert(K_DYN + NQ__MAX * 512 <= STMT_SYSTEM_BASE,
    "notes statement keys overlap the next range");

#define IDS_CHUNK	32

static const char sql_user_upsert[] =
    "INSERT INTO users (id, tenant, username, created) VALUES (?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";

static const char sql_note_insert[] =
    "INSERT INTO notifications (id, tenant, user_id, type, subject, body, "
    "payload, template, email, created, updated) "
    "SELECT ?, u.tenant, u.id, ?, ?, ?, ?, ?, ?, ?, ? FROM users u "
    "WHERE u.tenant = ? AND u.username = ?";

#define NOTE_COLS \
    "n.id, u.username, n.type, n.subject, n.body, n.template, n.payload, " \
    "n.email, n.seen, n.deleted, n.created"
#define NOTE_FROM \
    " FROM notifications n JOIN users u ON u.id = n.user_id " \
    "WHERE u.tenant = ? AND u.username = ? AND n.deleted = 0"

/* A statement under construction: text, parameters, cache key. */
struct nq {
	char		sql[2048];
	size_t		len;
	struct sqlv	args[48];
	size_t		n;
	unsigned int	variant;
};

static void
nq_add(struct nq *q, const char *frag)
{
	size_t	l = strlen(frag);

	/* The fragments are ours and bounded; overflowing is a bug. */
	if (q->len + l >= sizeof(q->sql))
		l = 0;
	memcpy(q->sql + q->len, frag, l);
	q->len += l;
	q->sql[q->len] = '\0';
}

static void
nq_arg(struct nq *q, struct sqlv v)
{
	if (q->n < sizeof(q->args) / sizeof(q->args[0]))
		q->args[q->n++] = v;
}

/* Append the filter's conditions; "seen" only when with_seen. */
static void
nq_where(struct nq *q, const struct note_filter *f, int with_seen)
{
	nq_add(q, NOTE_FROM);
	nq_arg(q, SQL_STR(f->tenant));
	nq_arg(q, SQL_STR(f->user));
	if (with_seen && f->seen >= 0) {
		nq_add(q, f->seen ? " AND n.seen = 1" : " AND n.seen = 0");
		q->variant |= f->seen ? 1u : 2u;
	}
	if (f->type != NULL) {
		nq_add(q, " AND n.type = ?");
		nq_arg(q, SQL_STR(f->type));
		q->variant |= 4u;
	}
	if (f->subject != NULL) {
		nq_add(q, " AND n.subject = ?");
		nq_arg(q, SQL_STR(f->subject));
		q->variant |= 8u;
	}
	if (f->created_before > 0) {
		nq_add(q, " AND n.created < ?");
		nq_arg(q, SQL_I64(f->created_before));
		q->variant |= 16u;
	}
}

static unsigned int
nq_key(const struct nq *q, enum nq_kind kind)
{
	return K_DYN + (unsigned int)kind * 512 + q->variant;
}

enum store_rc
store_user_ensure(struct store *st, const char *tenant, const char *user,
    int64_t now)
{
	unsigned char	uid[16];
	struct sqlv	v[] = { SQL_BIN(uid, 16), SQL_STR(tenant),
	    SQL_STR(user), SQL_I64(now) };

	util_uuid_new(uid);
	return db_exec(st, K_USER_UPSERT, sql_user_upsert, v, 4, NULL);
}

static const char sql_delivery_insert[] =
    "INSERT INTO deliveries (id, notification_id, method, state, attempts, "
    "next_attempt, address, template, created, updated) "
    "VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)";

static const char sql_note_exists[] =
    "SELECT COUNT(*) FROM notifications WHERE id = ?";

/*
 * "rc" from a create whose first attempt may have been applied although
 * its reply was lost: then the row, if there, is ours (a random id), and
 * the answer is success.
 */
static enum store_rc
note_create_settle(struct store *st, const unsigned char id[16],
    enum store_rc rc)
{
	struct sqlv	v[] = { SQL_BIN(id, 16) };
	long long	n = 0;

	if ((rc != STORE_CONFLICT && rc != STORE_UNAVAILABLE) ||
	    !db_maybe_applied(st))
		return rc;
	if (db_select_i64(st, K_NOTE_EXISTS, sql_note_exists, v, 1, &n, 1) !=
	    STORE_OK)
		return rc;
	log_warn("a notification's reply was lost; it %s stored",
	    n > 0 ? "was" : "was not");
	return n > 0 ? STORE_OK : rc;
}

/* The notification and its delivery, in one transaction. */
static enum store_rc
note_create_with_delivery(struct store *st, const char *tenant,
    const struct note *n, const struct delivery_req *d)
{
	struct sqlv	v[] = { SQL_BIN(d->id, 16), SQL_BIN(n->id, 16),
	    SQL_STR(d->method), SQL_I64(n->created), SQL_STR(d->address),
	    SQL_OPTSTR(d->template), SQL_I64(n->created),
	    SQL_I64(n->created) };
	enum store_rc	rc;

	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	if ((rc = store_note_create(st, tenant, n, NULL)) != STORE_OK ||
	    (rc = db_exec(st, K_DELIVERY_INSERT, sql_delivery_insert, v,
	    sizeof(v) / sizeof(v[0]), NULL)) != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return note_create_settle(st, n->id, store_commit(st));
}

enum store_rc
store_note_create(struct store *st, const char *tenant, const struct note *n,
    const struct delivery_req *d)
{
	unsigned long long	affected = 0;
	enum store_rc		rc;
	struct sqlv		ins[] = {
		SQL_BIN(n->id, 16), SQL_STR(n->type), SQL_STR(n->subject),
		SQL_STR(n->body), SQL_STR(n->payload), SQL_OPTSTR(n->template),
		SQL_I64(n->email), SQL_I64(n->created), SQL_I64(n->created),
		SQL_STR(tenant), SQL_STR(n->user)
	};

	if (d != NULL)
		return note_create_with_delivery(st, tenant, n, d);
	/*
	 * One statement when the user exists, which is almost always; a
	 * first notification creates the user and inserts again.
	 */
	rc = db_exec(st, K_NOTE_INSERT, sql_note_insert, ins,
	    sizeof(ins) / sizeof(ins[0]), &affected);
	if (rc != STORE_OK)
		return note_create_settle(st, n->id, rc);
	if (affected == 1)
		return rc;
	if ((rc = store_user_ensure(st, tenant, n->user, n->created)) !=
	    STORE_OK)
		return rc;
	rc = db_exec(st, K_NOTE_INSERT, sql_note_insert, ins,
	    sizeof(ins) / sizeof(ins[0]), &affected);
	if (rc != STORE_OK)
		return note_create_settle(st, n->id, rc);
	if (affected != 1)
		rc = STORE_ERROR;
	return rc;
}

struct list_ctx {
	note_cb		 cb;
	void		*arg;
	int		 counted;	/* rows carry two count columns */
	int		 rows;
	long long	 c0, c1;
};

static int
note_row(const struct sqlrow *r, void *arg)
{
	struct list_ctx		*c = arg;
	struct note		 n;
	const unsigned char	*id;

	memset(&n, 0, sizeof(n));
	if ((id = row_bin16(r, 0)) == NULL)
		return 0;
	memcpy(n.id, id, 16);
	n.user = row_str(r, 1, NULL);
	n.type = row_str(r, 2, NULL);
	n.subject = row_str(r, 3, NULL);
	n.body = row_str(r, 4, NULL);
	n.template = row_str(r, 5, NULL);
	n.payload = row_str(r, 6, NULL);
	n.email = (int)row_i64(r, 7);
	n.seen = (int)row_i64(r, 8);
	n.deleted = (int)row_i64(r, 9);
	n.created = row_i64(r, 10);
	if (n.user == NULL || n.type == NULL || n.subject == NULL ||
	    n.body == NULL || n.payload == NULL)
		return 0;
	if (c->counted && c->rows++ == 0) {
		c->c0 = row_i64(r, 11);
		c->c1 = row_i64(r, 12);
	}
	return c->cb(&n, c->arg);
}

/*
 * The counts as two more columns of the list, so that a page and its
 * totals are one round trip: the counters when the filter allows, else
 * two counts over an index.
 */
static int
nq_count_columns(struct nq *q, const struct note_filter *f)
{
	struct nq	sub;

	if (f->type == NULL && f->subject == NULL && f->created_before == 0) {
		nq_add(q, ", " SQL_USER_COUNTER("total") ", "
		    SQL_USER_COUNTER("unseen"));
		nq_arg(q, SQL_STR(f->tenant));
		nq_arg(q, SQL_STR(f->user));
		nq_arg(q, SQL_STR(f->tenant));
		nq_arg(q, SQL_STR(f->user));
		q->variant |= 256u;
		return 1;
	}
	memset(&sub, 0, sizeof(sub));
	nq_add(&sub, ", (SELECT COUNT(*)");
	nq_where(&sub, f, 1);
	nq_add(&sub, "), (SELECT COUNT(*)");
	nq_where(&sub, f, 0);
	nq_add(&sub, " AND n.seen = 0)");
	nq_add(q, sub.sql);
	memcpy(q->args + q->n, sub.args, sub.n * sizeof(sub.args[0]));
	q->n += sub.n;
	return 0;
}

enum store_rc
store_note_list(struct store *st, const struct note_filter *f,
    const struct note_page *pg, note_cb cb, void *arg, long long *total,
    long long *unseen)
{
	static const char *const orders[3][2] = {
		{ " ORDER BY n.created DESC, n.id DESC",
		  " ORDER BY n.created ASC, n.id ASC" },
		{ " ORDER BY n.id DESC", " ORDER BY n.id ASC" },
		{ " ORDER BY n.subject DESC, n.id DESC",
		  " ORDER BY n.subject ASC, n.id ASC" },
	};
	struct nq	 q;
	struct list_ctx	 c = { cb, arg, total != NULL, 0, 0, 0 };
	long long	 limit;
	int		 counters = 0;
	enum store_rc	 rc;

	memset(&q, 0, sizeof(q));
	nq_add(&q, "SELECT " NOTE_COLS);
	if (total != NULL)
		counters = nq_count_columns(&q, f);
	nq_where(&q, f, 1);
	nq_add(&q, orders[pg->sort][pg->asc ? 1 : 0]);
	nq_add(&q, " LIMIT ? OFFSET ?");
	q.variant |= ((unsigned int)pg->sort * 2 + (pg->asc ? 1 : 0)) << 5;
	/* MariaDB wants a LIMIT whenever there is an OFFSET. */
	limit = pg->limit > 0 ? pg->limit : INT64_MAX;
	nq_arg(&q, SQL_I64(limit));
	nq_arg(&q, SQL_I64(pg->offset > 0 ? pg->offset : 0));
	if ((rc = db_select(st, nq_key(&q, total != NULL ? NQ_LIST_COUNTED :
	    NQ_LIST), q.sql, q.args, q.n, note_row, &c)) != STORE_OK ||
	    total == NULL)
		return rc;
	/* An empty page carries no counts: ask for them. */
	if (c.rows == 0)
		return store_note_count(st, f, total, unseen);
	*unseen = c.c1;
	*total = !counters || f->seen < 0 ? c.c0 : f->seen == 0 ? c.c1 :
	    c.c0 - c.c1;
	return STORE_OK;
}

static const char sql_counts[] =
    "SELECT COALESCE(" SQL_USER_COUNTER("total") ", 0), "
    "COALESCE(" SQL_USER_COUNTER("unseen") ", 0)";

enum store_rc
store_note_count(struct store *st, const struct note_filter *f,
    long long *total, long long *unseen)
{
	struct nq	q;
	long long	v[2];
	enum store_rc	rc;
	unsigned int	variant;
	struct sqlv	cv[] = { SQL_STR(f->tenant), SQL_STR(f->user),
	    SQL_STR(f->tenant), SQL_STR(f->user) };

	/* Unfiltered: the counters the triggers keep (schema 002). */
	if (f->type == NULL && f->subject == NULL && f->created_before == 0) {
		if ((rc = db_select_i64(st, K_COUNTS, sql_counts, cv, 4, v,
		    2)) != STORE_OK)
			return rc;
		*unseen = v[1];
		*total = f->seen < 0 ? v[0] : f->seen == 0 ? v[1] :
		    v[0] - v[1];
		return STORE_OK;
	}

	/* Two ranges of one index each, rather than one pass over both. */
	memset(&q, 0, sizeof(q));
	nq_add(&q, "SELECT (SELECT COUNT(*)");
	nq_where(&q, f, 1);
	variant = q.variant;
	nq_add(&q, "), (SELECT COUNT(*)");
	nq_where(&q, f, 0);
	nq_add(&q, " AND n.seen = 0)");
	q.variant = variant;
	if ((rc = db_select_i64(st, nq_key(&q, NQ_COUNT), q.sql, q.args, q.n,
	    v, 2)) != STORE_OK)
		return rc;
	*total = v[0];
	*unseen = v[1];
	return STORE_OK;
}

/*
 * Apply "sql" (a statement ending in "IN (?, ...)" with IDS_CHUNK slots
 * after "nfixed" fixed parameters) to "ids", a chunk at a time, in one
 * transaction when there is more than one chunk.
 */
static enum store_rc
note_by_ids(struct store *st, unsigned int key, const char *sql,
    const struct sqlv *fixed, size_t nfixed, const unsigned char (*ids)[16],
    size_t n)
{
	struct sqlv	args[8 + IDS_CHUNK];
	size_t		i, k;
	enum store_rc	rc = STORE_OK;
	int		tx = n > IDS_CHUNK;

	if (n == 0)
		return STORE_OK;
	if (tx && (rc = store_begin(st)) != STORE_OK)
		return rc;
	memcpy(args, fixed, nfixed * sizeof(*fixed));
	for (i = 0; i < n && rc == STORE_OK; i += IDS_CHUNK) {
		/* Pad a short chunk by repeating its last id. */
		for (k = 0; k < IDS_CHUNK; k++)
			args[nfixed + k] = SQL_BIN(ids[i + k < n ? i + k :
			    n - 1], 16);
		rc = db_exec(st, key, sql, args, nfixed + IDS_CHUNK, NULL);
	}
	if (!tx)
		return rc;
	if (rc != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

#define IDS_IN \
    " AND n.id IN (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?," \
    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

static const char sql_mark_ids[] =
    "UPDATE users u JOIN notifications n ON n.user_id = u.id "
    "SET n.seen = 1, n.seen_at = ?, n.updated = ? "
    "WHERE u.tenant = ? AND u.username = ? AND n.seen = 0" IDS_IN;

static const char sql_delete_ids[] =
    "UPDATE users u JOIN notifications n ON n.user_id = u.id "
    "SET n.deleted = 1, n.deleted_at = ?, n.updated = ? "
    "WHERE u.tenant = ? AND u.username = ? AND n.deleted = 0" IDS_IN;

enum store_rc
store_note_mark_seen(struct store *st, const char *tenant, const char *user,
    const unsigned char (*ids)[16], size_t n, int64_t now)
{
	struct sqlv	fixed[] = { SQL_I64(now), SQL_I64(now),
	    SQL_STR(tenant), SQL_STR(user) };

	return note_by_ids(st, K_MARK_IDS, sql_mark_ids, fixed, 4, ids, n);
}

enum store_rc
store_note_delete(struct store *st, const char *tenant, const char *user,
    const unsigned char (*ids)[16], size_t n, int64_t now)
{
	struct sqlv	fixed[] = { SQL_I64(now), SQL_I64(now),
	    SQL_STR(tenant), SQL_STR(user) };

	return note_by_ids(st, K_DELETE_IDS, sql_delete_ids, fixed, 4, ids, n);
}

/* UPDATE ... over the filter's rows: "set" names the columns to change. */
static enum store_rc
note_update_all(struct store *st, enum nq_kind kind, const char *set,
    const struct note_filter *f, int64_t now)
{
	struct nq	q, w;
	const char	*where;

	/* Reuse the SELECT's WHERE, turned into a multi-table UPDATE. */
	memset(&w, 0, sizeof(w));
	nq_where(&w, f, 1);
	where = strstr(w.sql, " WHERE ");
	memset(&q, 0, sizeof(q));
	nq_add(&q, "UPDATE users u JOIN notifications n ON n.user_id = u.id ");
	nq_add(&q, set);
	nq_add(&q, where != NULL ? where : " WHERE 0");
	nq_arg(&q, SQL_I64(now));
	nq_arg(&q, SQL_I64(now));
	memcpy(q.args + q.n, w.args, w.n * sizeof(w.args[0]));
	q.n += w.n;
	q.variant = w.variant;
	return db_exec(st, nq_key(&q, kind), q.sql, q.args, q.n, NULL);
}

enum store_rc
store_note_mark_all_seen(struct store *st, const struct note_filter *f,
    int64_t now)
{
	struct note_filter	g = *f;

	g.seen = 0;
	return note_update_all(st, NQ_MARKALL,
	    "SET n.seen = 1, n.seen_at = ?, n.updated = ?", &g, now);
}

enum store_rc
store_note_delete_all(struct store *st, const struct note_filter *f,
    int64_t now)
{
	return note_update_all(st, NQ_DELALL,
	    "SET n.deleted = 1, n.deleted_at = ?, n.updated = ?", f, now);
}
