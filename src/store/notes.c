/*
 * User notifications.  Statements that vary by query are built from the
 * constant fragments below, one per predicate the query uses, and cached
 * by their text like any other: client values are only ever bound.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define IDS_CHUNK	32

static const char sql_note_insert[] =
    "INSERT INTO notifications (id, tenant, user_id, sender, type, subject, "
    "body, body_format, link, icon, actions, targets, template_id, payload, "
    "template, lang, email, created, updated, icon_title) "
    "SELECT ?, u.tenant, u.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "? "
    "FROM users u WHERE u.tenant = ? AND u.username = ?";

static const char sql_target_insert[] =
    "INSERT INTO note_targets (notification_id, user_id, target) "
    "SELECT n.id, n.user_id, ? FROM notifications n WHERE n.id = ?";

static const char sql_delivery_insert[] =
    "INSERT INTO deliveries (id, notification_id, method, state, attempts, "
    "next_attempt, address, template, created, updated) "
    "VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)";

#define NOTE_COLS \
    "n.id, u.username, n.type, n.subject, n.body, n.template, n.payload, " \
    "n.email, n.seen, n.deleted, n.created, n.body_format, n.link, " \
    "n.icon, n.actions, n.targets, n.template_id, n.updated, n.seen_at, " \
    "n.sender, n.lang, u.id, n.created_by, n.updated_by, n.icon_title"
#define NOTE_NCOLS	25
/*
 * FROM notifications n [index hint] JOIN users u [LEFT JOIN note_counts c]
 * WHERE ...: the counters (schema 002) joined are one eq_ref lookup
 * beside the users row already read, where two scalar subqueries cost
 * two more joins to optimise and run on every execution.
 */
#define NOTE_FROM	" FROM notifications n"
#define NOTE_JOIN	" JOIN users u ON u.id = n.user_id"
#define NOTE_COUNTED	" LEFT JOIN note_counts c ON c.user_id = u.id"
#define NOTE_WHERE	" WHERE u.tenant = ? AND u.username = ? AND n.deleted = 0"

/* A statement under construction: text and parameters. */
struct nq {
	char		sql[4096];
	size_t		len;
	struct sqlv	args[160];
	size_t		n;
	int		overflow;
	int		counted;	/* FROM joins the counters */
	const char	*hint;		/* an index hint for n, or NULL */
};

static void
nq_add(struct nq *q, const char *frag)
{
	size_t	l = strlen(frag);

	/* The fragments are ours and bounded; overflowing is a bug. */
	if (q->len + l >= sizeof(q->sql)) {
		q->overflow = 1;
		return;
	}
	memcpy(q->sql + q->len, frag, l);
	q->len += l;
	q->sql[q->len] = '\0';
}

static void
nq_arg(struct nq *q, struct sqlv v)
{
	if (q->n < sizeof(q->args) / sizeof(q->args[0]))
		q->args[q->n++] = v;
	else
		q->overflow = 1;
}

/* " IN (?, ?, ...)" with n slots bound to ids. */
static void
nq_in(struct nq *q, const unsigned char (*ids)[16], size_t n)
{
	size_t	i;

	nq_add(q, " IN (");
	for (i = 0; i < n; i++) {
		nq_add(q, i == 0 ? "?" : ", ?");
		nq_arg(q, SQL_BIN(ids[i], 16));
	}
	nq_add(q, ")");
}

/* 1 when "q" has conditions the per-user counters cannot answer. */
static int
nq_filtered(const struct note_query *q)
{
	return q->type != NULL || q->subject != NULL || q->ntemplates > 0 ||
	    q->ntargets > 0 || q->created_before != 0 ||
	    q->created_after != 0 || q->updated_before != 0 ||
	    q->updated_after != 0 || q->nids > 0 || q->read_before != 0 ||
	    q->read_after != 0;
}

/*
 * K (issue K): ids and read_at bounds.  The id list is padded to
 * NOTE_QUERY_IN_MAX slots with its last id, so that every such query is
 * one cached statement whatever the number of ids.
 */
static void
nq_where_k(struct nq *q, const struct note_query *f)
{
	size_t	i;

	if (f->nids > 0 && f->nids <= NOTE_QUERY_IN_MAX) {
		nq_add(q, " AND n.id IN (");
		for (i = 0; i < NOTE_QUERY_IN_MAX; i++) {
			nq_add(q, i == 0 ? "?" : ",?");
			nq_arg(q, SQL_BIN(f->ids[i < f->nids ? i :
			    f->nids - 1], 16));
		}
		nq_add(q, ")");
	} else if (f->nids > 0)
		q->overflow = 1;
	if (f->read_before != 0 || f->read_after != 0)
		nq_add(q, " AND n.seen = 1");
	if (f->read_before != 0) {
		nq_add(q, " AND n.seen_at < ?");
		nq_arg(q, SQL_I64(f->read_before));
	}
	if (f->read_after != 0) {
		nq_add(q, " AND n.seen_at > ?");
		nq_arg(q, SQL_I64(f->read_after));
	}
}

/* Append the query's conditions; the read state only when with_seen. */
static void
nq_where(struct nq *q, const struct note_query *f, int with_seen)
{
	char	buf[32];

	nq_add(q, NOTE_FROM);
	if (q->hint != NULL)
		nq_add(q, q->hint);
	nq_add(q, NOTE_JOIN);
	if (q->counted)
		nq_add(q, NOTE_COUNTED);
	nq_add(q, NOTE_WHERE);
	nq_arg(q, SQL_STR(f->tenant));
	nq_arg(q, SQL_STR(f->user));
	if (with_seen && f->seen >= 0)
		nq_add(q, f->seen ? " AND n.seen = 1" : " AND n.seen = 0");
	if (f->type != NULL) {
		nq_add(q, " AND n.type = ?");
		nq_arg(q, SQL_STR(f->type));
	}
	if (f->subject != NULL) {
		nq_add(q, " AND n.subject = ?");
		nq_arg(q, SQL_STR(f->subject));
	}
	if (f->ntemplates > 0) {
		nq_add(q, " AND n.template_id");
		nq_in(q, f->templates, f->ntemplates);
	}
	if (f->ntargets > 0) {
		/* Every target: the user's rows of the targets table, one
		 * per target a notification has among those asked for. */
		nq_add(q, " AND n.id IN (SELECT t.notification_id FROM "
		    "note_targets t WHERE t.user_id = u.id AND t.target");
		nq_in(q, f->targets, f->ntargets);
		snprintf(buf, sizeof(buf), "%zu", f->ntargets);
		nq_add(q, " GROUP BY t.notification_id HAVING COUNT(*) = ");
		nq_add(q, buf);
		nq_add(q, ")");
	}
	if (f->created_before != 0) {
		nq_add(q, " AND n.created < ?");
		nq_arg(q, SQL_I64(f->created_before));
	}
	if (f->created_after != 0) {
		nq_add(q, " AND n.created > ?");
		nq_arg(q, SQL_I64(f->created_after));
	}
	if (f->updated_before != 0) {
		nq_add(q, " AND n.updated < ?");
		nq_arg(q, SQL_I64(f->updated_before));
	}
	if (f->updated_after != 0) {
		nq_add(q, " AND n.updated > ?");
		nq_arg(q, SQL_I64(f->updated_after));
	}
	nq_where_k(q, f);
}

/* The keyset condition: strictly after (created, id) in list order. */
static void
nq_after(struct nq *q, const struct note_query *f)
{
	if (!f->has_after)
		return;
	nq_add(q, f->asc ?
	    " AND (n.created > ? OR (n.created = ? AND n.id > ?))" :
	    " AND (n.created < ? OR (n.created = ? AND n.id < ?))");
	nq_arg(q, SQL_I64(f->after_created));
	nq_arg(q, SQL_I64(f->after_created));
	nq_arg(q, SQL_BIN(f->after_id, 16));
}

/* A create whose reply was lost: the row, if there, is ours. */
static enum store_rc
note_create_settle(struct store *st, const unsigned char id[16],
    enum store_rc rc)
{
	return db_settle(st, "SELECT COUNT(*) FROM notifications WHERE id = ?",
	    id, rc);
}

enum store_rc
store_note_create(struct store *st, const char *tenant, const struct note *n,
    const unsigned char (*targets)[16], size_t ntargets,
    const struct delivery_req *d, size_t nd)
{
	unsigned long long	affected = 0;
	enum store_rc		rc;
	size_t			i;
	int			tx = ntargets > 0 || nd > 0;
	struct sqlv		ins[] = {
		SQL_BIN(n->id, 16), SQL_OPTSTR(n->sender), SQL_STR(n->type),
		SQL_STR(n->subject), SQL_STR(n->body), SQL_I64(n->format),
		SQL_OPTSTR(n->link), SQL_OPTSTR(n->icon),
		SQL_OPTSTR(n->actions), SQL_OPTSTR(n->targets),
		n->has_template_id ? SQL_BIN(n->template_id, 16) : SQL_NULL,
		SQL_STR(n->payload), SQL_OPTSTR(n->template),
		SQL_OPTSTR(n->lang), SQL_I64(n->email), SQL_I64(n->created),
		SQL_I64(n->created), SQL_OPTSTR(n->icon_title),
		SQL_STR(tenant), SQL_STR(n->user)
	};

	if (tx && (rc = store_begin(st)) != STORE_OK)
		return rc;
	/*
	 * One statement when the user exists, which is almost always; a
	 * first notification creates the user and inserts again.
	 */
	rc = db_exec(st, sql_note_insert, ins, sizeof(ins) / sizeof(ins[0]),
	    &affected);
	if (!tx && rc != STORE_OK)
		return note_create_settle(st, n->id, rc);
	if (rc == STORE_OK && affected != 1) {
		if ((rc = store_user_ensure(st, tenant, n->user, n->created)) ==
		    STORE_OK)
			rc = db_exec(st, sql_note_insert, ins,
			    sizeof(ins) / sizeof(ins[0]), &affected);
		if (rc == STORE_OK && affected != 1)
			rc = STORE_ERROR;
	}
	for (i = 0; rc == STORE_OK && i < ntargets; i++) {
		struct sqlv	tv[] = { SQL_BIN(targets[i], 16),
		    SQL_BIN(n->id, 16) };

		rc = db_exec(st, sql_target_insert, tv, 2, NULL);
		/* The same target twice is one target. */
		if (rc == STORE_CONFLICT)
			rc = STORE_OK;
	}
	for (i = 0; rc == STORE_OK && i < nd; i++) {
		struct sqlv	dv[] = { SQL_BIN(d[i].id, 16),
		    SQL_BIN(n->id, 16), SQL_STR(d[i].method),
		    SQL_I64(n->created), SQL_OPTSTR(d[i].address),
		    SQL_OPTSTR(d[i].template), SQL_I64(n->created),
		    SQL_I64(n->created) };

		rc = db_exec(st, sql_delivery_insert, dv,
		    sizeof(dv) / sizeof(dv[0]), NULL);
	}
	if (!tx)
		return rc != STORE_OK ? note_create_settle(st, n->id, rc) : rc;
	if (rc != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return note_create_settle(st, n->id, store_commit(st));
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
	const unsigned char	*id, *tid, *uid;

	memset(&n, 0, sizeof(n));
	if ((id = row_bin16(r, 0)) == NULL || (uid = row_bin16(r, 21)) == NULL)
		return 0;
	memcpy(n.id, id, 16);
	memcpy(n.user_id, uid, 16);
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
	n.format = (enum note_format)row_i64(r, 11);
	n.link = row_str(r, 12, NULL);
	n.icon = row_str(r, 13, NULL);
	n.actions = row_str(r, 14, NULL);
	n.targets = row_str(r, 15, NULL);
	if ((tid = row_bin16(r, 16)) != NULL) {
		memcpy(n.template_id, tid, 16);
		n.has_template_id = 1;
	}
	n.updated = row_i64(r, 17);
	n.seen_at = n.seen ? row_i64(r, 18) : 0;
	n.sender = row_str(r, 19, NULL);
	n.lang = row_str(r, 20, NULL);
	n.created_by = row_str(r, 22, NULL);
	n.updated_by = row_str(r, 23, NULL);
	n.icon_title = row_str(r, 24, NULL);
	if (n.actions == NULL)
		n.actions = "[]";
	if (n.targets == NULL)
		n.targets = "[]";
	if (n.user == NULL || n.type == NULL || n.subject == NULL ||
	    n.body == NULL || n.payload == NULL)
		return 0;
	if (c->rows++ == 0 && c->counted) {
		c->c0 = row_i64(r, NOTE_NCOLS);
		c->c1 = row_i64(r, NOTE_NCOLS + 1);
	}
	return c->cb(&n, c->arg);
}

enum store_rc
store_note_get(struct store *st, const char *tenant,
    const unsigned char id[16], note_cb cb, void *arg)
{
	struct list_ctx	c = { cb, arg, 0, 0, 0, 0 };
	struct sqlv	v[] = { SQL_BIN(id, 16), SQL_STR(tenant) };
	enum store_rc	rc;

	rc = db_select(st, "SELECT " NOTE_COLS " FROM notifications n "
	    "JOIN users u ON u.id = n.user_id WHERE n.id = ? AND n.tenant = ?",
	    v, 2, note_row, &c);
	if (rc != STORE_OK)
		return rc;
	return c.rows > 0 ? STORE_OK : STORE_NOTFOUND;
}

/*
 * The counts as two more columns of the list, so that a page and its
 * totals are one round trip: the counters when they answer it, else two
 * counts over an index.  Returns 1 when the columns are the counters.
 */
static int
nq_count_columns(struct nq *q, const struct note_query *f)
{
	struct nq	sub;

	if (!(f->want & NOTE_WANT_MATCH) || !nq_filtered(f)) {
		/* The FROM that nq_where() adds joins them. */
		nq_add(q, ", c.total, c.unseen");
		q->counted = 1;
		return 1;
	}
	memset(&sub, 0, sizeof(sub));
	nq_add(&sub, ", (SELECT COUNT(*)");
	nq_where(&sub, f, 1);
	nq_add(&sub, "), (SELECT COUNT(*)");
	nq_where(&sub, f, 0);
	nq_add(&sub, " AND n.seen = 0)");
	nq_add(q, sub.sql);
	if (q->n + sub.n > sizeof(q->args) / sizeof(q->args[0]))
		q->overflow = 1;
	else {
		memcpy(q->args + q->n, sub.args, sub.n * sizeof(sub.args[0]));
		q->n += sub.n;
	}
	q->overflow |= sub.overflow;
	return 0;
}

/* Counter columns as the query's counts. */
static void
counts_from_counters(const struct note_query *f, long long total,
    long long unseen, struct note_counts *out)
{
	out->unread = unseen;
	if (f->want & NOTE_WANT_USER)
		out->total = total;
	else
		out->total = f->seen < 0 ? total : f->seen == 0 ? unseen :
		    total - unseen;
}

enum store_rc
store_note_list(struct store *st, const struct note_query *f, note_cb cb,
    void *arg, struct note_counts *counts)
{
	static const char *const orders[NOTE_SORT__MAX][2] = {
		{ " ORDER BY n.created DESC, n.id DESC",
		  " ORDER BY n.created ASC, n.id ASC" },
		{ " ORDER BY n.id DESC", " ORDER BY n.id ASC" },
		{ " ORDER BY n.subject DESC, n.id DESC",
		  " ORDER BY n.subject ASC, n.id ASC" },
		{ " ORDER BY n.updated DESC, n.id DESC",
		  " ORDER BY n.updated ASC, n.id ASC" },
		{ " ORDER BY n.type DESC, n.id DESC",
		  " ORDER BY n.type ASC, n.id ASC" },
		{ " ORDER BY n.seen_at DESC, n.id DESC",
		  " ORDER BY n.seen_at ASC, n.id ASC" },
	};
	struct nq	 q;
	struct list_ctx	 c = { cb, arg, counts != NULL, 0, 0, 0 };
	long long	 limit;
	int		 counters = 0;
	enum store_rc	 rc;

	if (f->sort >= NOTE_SORT__MAX)
		return STORE_ERROR;
	memset(&q, 0, sizeof(q));
	/*
	 * The hot listings (the user's, newest first, perhaps by read
	 * state) name their index: the optimizer then skips estimating the
	 * five others that start with (user_id, deleted) on every execution
	 * (~15-20 us of mariadbd CPU a page).
	 */
	if (!nq_filtered(f) && f->sort == NOTE_SORT_CREATED)
		q.hint = f->seen >= 0 ? " FORCE INDEX (notes_seen)" :
		    " FORCE INDEX (notes_by_time)";
	nq_add(&q, "SELECT " NOTE_COLS);
	if (counts != NULL)
		counters = nq_count_columns(&q, f);
	nq_where(&q, f, 1);
	nq_after(&q, f);
	nq_add(&q, orders[f->sort][f->asc ? 1 : 0]);
	nq_add(&q, " LIMIT ? OFFSET ?");
	/* MariaDB wants a LIMIT whenever there is an OFFSET. */
	limit = f->limit > 0 ? f->limit : INT64_MAX;
	nq_arg(&q, SQL_I64(limit));
	nq_arg(&q, SQL_I64(f->offset > 0 ? f->offset : 0));
	if (q.overflow)
		return STORE_ERROR;
	if ((rc = db_select(st, q.sql, q.args, q.n, note_row, &c)) !=
	    STORE_OK || counts == NULL)
		return rc;
	/* An empty page carries no counts: ask for them. */
	if (c.rows == 0) {
		if (f->want & NOTE_WANT_USER) {
			struct note_query	u;

			memset(&u, 0, sizeof(u));
			u.tenant = f->tenant;
			u.user = f->user;
			u.seen = -1;
			u.want = NOTE_WANT_USER;
			return store_note_count(st, &u, counts);
		}
		return store_note_count(st, f, counts);
	}
	if (counters)
		counts_from_counters(f, c.c0, c.c1, counts);
	else {
		counts->total = c.c0;
		counts->unread = c.c1;
	}
	return STORE_OK;
}

/* One row (zeroes without the user or counters): one join, no subquery. */
static const char sql_counts[] = SQL_USER_COUNTS;

enum store_rc
store_note_count(struct store *st, const struct note_query *f,
    struct note_counts *out)
{
	struct nq	q;
	long long	v[2];
	enum store_rc	rc;
	struct sqlv	cv[] = { SQL_STR(f->tenant), SQL_STR(f->user) };

	/* Unfiltered: the counters the triggers keep (schema 002). */
	if (!nq_filtered(f)) {
		if ((rc = db_select_i64(st, sql_counts, cv, 2, v, 2)) !=
		    STORE_OK)
			return rc;
		counts_from_counters(f, v[0], v[1], out);
		return STORE_OK;
	}

	/* Two ranges of one index each, rather than one pass over both. */
	memset(&q, 0, sizeof(q));
	nq_add(&q, "SELECT (SELECT COUNT(*)");
	nq_where(&q, f, 1);
	nq_add(&q, "), (SELECT COUNT(*)");
	nq_where(&q, f, 0);
	nq_add(&q, " AND n.seen = 0)");
	if (q.overflow)
		return STORE_ERROR;
	if ((rc = db_select_i64(st, q.sql, q.args, q.n, v, 2)) != STORE_OK)
		return rc;
	out->total = v[0];
	out->unread = v[1];
	return STORE_OK;
}

enum store_rc
store_note_set_read(struct store *st, const char *tenant,
    const unsigned char id[16], int read, int64_t now,
    unsigned long long *changed)
{
	struct sqlv	v[] = { SQL_I64(read), SQL_I64(now), SQL_I64(read),
	    SQL_I64(now), SQL_BIN(id, 16), SQL_STR(tenant), SQL_I64(read) };

	/*
	 * Reading sets seen_at, unreading clears it.  It is assigned before
	 * seen: MariaDB assigns left to right, so an IF(seen = 0, ...) after
	 * "seen = ?" would see the new value and never set it.
	 */
	return db_exec(st, "UPDATE notifications SET "
	    "seen_at = IF(? = 1, ?, NULL), seen = ?, updated = ? "
	    "WHERE id = ? AND tenant = ? AND deleted = 0 AND seen <> ?",
	    v, 7, changed);
}

enum store_rc
store_note_delete_id(struct store *st, const char *tenant,
    const unsigned char id[16], int64_t now, unsigned long long *changed)
{
	struct sqlv	v[] = { SQL_I64(now), SQL_I64(now), SQL_BIN(id, 16),
	    SQL_STR(tenant) };

	return db_exec(st, "UPDATE notifications SET deleted = 1, "
	    "deleted_at = ?, updated = ? "
	    "WHERE id = ? AND tenant = ? AND deleted = 0", v, 4, changed);
}

/*
 * Apply "sql" (a statement ending in "IN (?, ...)" with IDS_CHUNK slots
 * after "nfixed" fixed parameters) to "ids", a chunk at a time, in one
 * transaction when there is more than one chunk.
 */
static enum store_rc
note_by_ids(struct store *st, const char *sql, const struct sqlv *fixed,
    size_t nfixed, const unsigned char (*ids)[16], size_t n)
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
		k = n - i < IDS_CHUNK ? n - i : IDS_CHUNK;
		db_bind_ids(args + nfixed, ids + i, k, IDS_CHUNK);
		rc = db_exec(st, sql, args, nfixed + IDS_CHUNK, NULL);
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

	return note_by_ids(st, sql_mark_ids, fixed, 4, ids, n);
}

enum store_rc
store_note_delete(struct store *st, const char *tenant, const char *user,
    const unsigned char (*ids)[16], size_t n, int64_t now)
{
	struct sqlv	fixed[] = { SQL_I64(now), SQL_I64(now),
	    SQL_STR(tenant), SQL_STR(user) };

	return note_by_ids(st, sql_delete_ids, fixed, 4, ids, n);
}

/* UPDATE ... over the query's rows: "set" names the columns to change. */
static enum store_rc
note_update_all(struct store *st, const char *set,
    const struct note_query *f, int64_t now, unsigned long long *changed)
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
	if (w.overflow || q.overflow ||
	    q.n + w.n > sizeof(q.args) / sizeof(q.args[0]))
		return STORE_ERROR;
	memcpy(q.args + q.n, w.args, w.n * sizeof(w.args[0]));
	q.n += w.n;
	return db_exec(st, q.sql, q.args, q.n, changed);
}

enum store_rc
store_note_mark_all_seen(struct store *st, const struct note_query *f,
    int64_t now, unsigned long long *changed)
{
	struct note_query	g = *f;

	g.seen = 0;
	return note_update_all(st,
	    "SET n.seen = 1, n.seen_at = ?, n.updated = ?", &g, now, changed);
}

enum store_rc
store_note_delete_all(struct store *st, const struct note_query *f,
    int64_t now, unsigned long long *changed)
{
	return note_update_all(st,
	    "SET n.deleted = 1, n.deleted_at = ?, n.updated = ?", f, now,
	    changed);
}

/* --- K (issue K): editing a notification ---------------------------- */

enum store_rc
store_note_update(struct store *st, const char *tenant,
    const unsigned char id[16], const char *body, enum note_format format,
    const char *icon, const char *icon_title, int64_t now,
    unsigned long long *changed)
{
	struct sqlv	v[] = { SQL_OPTSTR(body),
	    body != NULL ? SQL_I64(format) : SQL_NULL, SQL_OPTSTR(icon),
	    SQL_OPTSTR(icon_title), SQL_I64(now), SQL_BIN(id, 16),
	    SQL_STR(tenant) };

	return db_exec(st, "UPDATE notifications SET "
	    "body = COALESCE(?, body), body_format = COALESCE(?, body_format), "
	    "icon = COALESCE(?, icon), icon_title = COALESCE(?, icon_title), "
	    "updated = ? WHERE id = ? AND tenant = ? AND deleted = 0",
	    v, 7, changed);
}

/* --- idempotency keys ------------------------------------------------- */

struct idem_prev {
	unsigned char	*hash;
	unsigned char	*id;
	int64_t		 created;
	int		 found;
};

static int
idem_row(const struct sqlrow *r, void *arg)
{
	struct idem_prev	*p = arg;
	const char		*h;
	const unsigned char	*id;
	size_t			 len = 0;

	if ((h = row_str(r, 0, &len)) == NULL || len != 32 ||
	    (id = row_bin16(r, 1)) == NULL)
		return 1;
	memcpy(p->hash, h, 32);
	memcpy(p->id, id, 16);
	p->created = row_i64(r, 2);
	p->found = 1;
	return 1;
}

enum store_rc
store_idem_claim(struct store *st, const char *tenant, const char *principal,
    const char *key, const unsigned char hash[32], const unsigned char id[16],
    int64_t now, int64_t expired_before, unsigned char prev_hash[32],
    unsigned char prev_id[16])
{
	struct sqlv		 kv[] = { SQL_STR(tenant), SQL_STR(principal),
	    SQL_STR(key) };
	struct sqlv		 iv[] = { SQL_STR(tenant), SQL_STR(principal),
	    SQL_STR(key), SQL_BIN(hash, 32), SQL_BIN(id, 16), SQL_I64(now) };
	struct sqlv		 uv[] = { SQL_BIN(hash, 32), SQL_BIN(id, 16),
	    SQL_I64(now), SQL_STR(tenant), SQL_STR(principal), SQL_STR(key) };
	struct idem_prev	 p = { prev_hash, prev_id, 0, 0 };
	enum store_rc		 rc;

	/*
	 * INSERT first, with no range read before it: a concurrent request
	 * with the same key then waits on this row's lock until the first
	 * commits (and sees a duplicate) or rolls back (and claims it).  A
	 * DELETE of expired keys first would take gap locks both requests
	 * hold, and deadlock.
	 */
	rc = db_exec(st, "INSERT INTO idempotency_keys (tenant, principal, "
	    "idem_key, request_hash, notification_id, created) "
	    "VALUES (?, ?, ?, ?, ?, ?)", iv, 6, NULL);
	if (rc != STORE_CONFLICT)
		return rc;
	if ((rc = db_select(st, "SELECT request_hash, notification_id, "
	    "created FROM idempotency_keys WHERE tenant = ? AND principal = ? "
	    "AND idem_key = ? FOR UPDATE", kv, 3, idem_row, &p)) != STORE_OK)
		return rc;
	if (!p.found)
		return STORE_ERROR;
	if (p.created >= expired_before)
		return STORE_CONFLICT;
	/* Kept longer than promised: the key is free again. */
	return db_exec(st, "UPDATE idempotency_keys SET request_hash = ?, "
	    "notification_id = ?, created = ? WHERE tenant = ? AND "
	    "principal = ? AND idem_key = ?", uv, 6, NULL);
}

/* --- FOLIO (issue I) --------------------------------------------------- */

enum store_rc
db_note_select(struct store *st, const char *tail, const struct sqlv *v,
    size_t n, note_cb cb, void *arg, long long *rows)
{
	static const char	 head[] = "SELECT " NOTE_COLS;
	struct list_ctx		 c = { cb, arg, 0, 0, 0, 0 };
	char			 sql[8192];
	size_t			 tl = strlen(tail);
	enum store_rc		 rc;

	/* "tail" is the caller's constant fragments, never client text. */
	if (sizeof(head) + tl > sizeof(sql))
		return STORE_ERROR;
	memcpy(sql, head, sizeof(head) - 1);
	memcpy(sql + sizeof(head) - 1, tail, tl + 1);
	if ((rc = db_select(st, sql, v, n, note_row, &c)) != STORE_OK)
		return rc;
	*rows = c.rows;
	return STORE_OK;
}
