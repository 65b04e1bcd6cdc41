/*
 * The outbox.  Rows are written with their notification (notes.c); a
 * dispatcher leases due rows with SELECT ... FOR UPDATE SKIP LOCKED, so
 * several dispatchers never take the same row, and a crashed one's lease
 * simply expires.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "store.h"


#define LEASE_MAX	100

static const char sql_due[] =
    "SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt <= ? "
    "AND (lease_until IS NULL OR lease_until < ?) "
    /* Coder (issue J): nothing of a tenant whose notifier is paused. */
    "AND NOT EXISTS (SELECT 1 FROM notifications pn JOIN settings ps "
    "ON ps.tenant = pn.tenant WHERE pn.id = deliveries.notification_id "
    "AND ps.k = 'notifier_paused' AND ps.v <> 0) "
    "ORDER BY next_attempt LIMIT ? FOR UPDATE SKIP LOCKED";

#define LEASE_CHUNK	20

static const char sql_lease[] =
    "UPDATE deliveries SET lease_owner = ?, lease_until = ? WHERE id IN "
    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char sql_leased[] =
    "SELECT d.id, d.method, d.address, d.template, d.attempts, "
    "n.id, u.username, n.type, n.subject, n.body, n.template, n.payload, "
    "n.email, n.seen, n.deleted, n.created, "
    /* Coder's webhook payload (issue J) */
    "n.template_id, t.name, u.id, u.email, n.targets, n.actions, "
    /* FOLIO's message rendered when queued (issue I) */
    "d.subject, d.body, d.body_html "
    "FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
    "JOIN users u ON u.id = n.user_id "
    "LEFT JOIN templates t ON t.id = n.template_id "
    "WHERE d.lease_owner = ? AND d.lease_until = ? AND d.state = 'pending'";

static const char sql_done[] =
    "UPDATE deliveries SET state = ?, attempts = attempts + 1, "
    "next_attempt = ?, lease_owner = NULL, lease_until = NULL, "
    "last_error = ?, sent_at = IF(? = 'sent', ?, sent_at), updated = ? "
    "WHERE id = ? AND lease_owner = ?";

/* GREATEST: the row changes even within the millisecond it was leased. */
static const char sql_renew[] =
    "UPDATE deliveries SET lease_until = GREATEST(?, lease_until + 1) "
    "WHERE id = ? AND lease_owner = ? AND state = 'pending'";

struct due_ctx {
	unsigned char	ids[LEASE_MAX][16];
	int		n;
};

static int
due_row(const struct sqlrow *r, void *arg)
{
	struct due_ctx		*c = arg;
	const unsigned char	*id = row_bin16(r, 0);

	if (id != NULL && c->n < LEASE_MAX)
		memcpy(c->ids[c->n++], id, 16);
	return 0;
}

struct leased_ctx {
	delivery_cb	 cb;
	void		*arg;
};

static int
leased_row(const struct sqlrow *r, void *arg)
{
	struct leased_ctx	*c = arg;
	struct delivery		 d;
	const unsigned char	*id, *nid, *tid, *uid;

	memset(&d, 0, sizeof(d));
	if ((id = row_bin16(r, 0)) == NULL || (nid = row_bin16(r, 5)) == NULL)
		return 0;
	memcpy(d.id, id, 16);
	d.method = row_str(r, 1, NULL);
	d.address = row_str(r, 2, NULL);
	d.template = row_str(r, 3, NULL);
	d.attempts = (int)row_i64(r, 4);
	memcpy(d.note.id, nid, 16);
	d.note.user = row_str(r, 6, NULL);
	d.note.type = row_str(r, 7, NULL);
	d.note.subject = row_str(r, 8, NULL);
	d.note.body = row_str(r, 9, NULL);
	d.note.template = row_str(r, 10, NULL);
	d.note.payload = row_str(r, 11, NULL);
	d.note.email = (int)row_i64(r, 12);
	d.note.seen = (int)row_i64(r, 13);
	d.note.deleted = (int)row_i64(r, 14);
	d.note.created = row_i64(r, 15);
	if ((tid = row_bin16(r, 16)) != NULL) {
		memcpy(d.note.template_id, tid, 16);
		d.note.has_template_id = 1;
	}
	d.tmpl_name = row_str(r, 17, NULL);
	if ((uid = row_bin16(r, 18)) != NULL)
		memcpy(d.note.user_id, uid, 16);
	d.user_email = row_str(r, 19, NULL);
	d.note.targets = row_str(r, 20, NULL);
	d.note.actions = row_str(r, 21, NULL);
	d.subject = row_str(r, 22, NULL);
	d.body = row_str(r, 23, NULL);
	d.html = (int)row_i64(r, 24);
	if (d.method == NULL || d.note.user == NULL || d.note.type == NULL ||
	    d.note.subject == NULL || d.note.body == NULL ||
	    d.note.payload == NULL)
		return 0;
	return c->cb(&d, c->arg);
}

enum store_rc
store_delivery_lease(struct store *st, const unsigned char owner[16],
    int64_t now, int64_t lease_until, int max, delivery_cb cb, void *arg)
{
	struct due_ctx		 due;
	struct leased_ctx	 lc = { cb, arg };
	struct sqlv		 dv[] = { SQL_I64(now), SQL_I64(now),
	    SQL_I64(max < LEASE_MAX ? max : LEASE_MAX) };
	struct sqlv		 lv[2 + LEASE_CHUNK];
	struct sqlv		 fv[] = { SQL_BIN(owner, 16),
	    SQL_I64(lease_until) };
	enum store_rc		 rc;
	int			 i, k;

	due.n = 0;
	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	if ((rc = db_select(st, sql_due, dv, 3, due_row, &due)) !=
	    STORE_OK)
		goto fail;
	/* A chunk of ids a statement, the last one padded by repeating. */
	lv[0] = SQL_BIN(owner, 16);
	lv[1] = SQL_I64(lease_until);
	for (i = 0; i < due.n; i += LEASE_CHUNK) {
		for (k = 0; k < LEASE_CHUNK; k++)
			lv[2 + k] = SQL_BIN(due.ids[i + k < due.n ? i + k :
			    due.n - 1], 16);
		if ((rc = db_exec(st, sql_lease, lv,
		    2 + LEASE_CHUNK, NULL)) != STORE_OK)
			goto fail;
	}
	if ((rc = store_commit(st)) != STORE_OK || due.n == 0)
		return rc;
	return db_select(st, sql_leased, fv, 2, leased_row, &lc);
fail:
	store_rollback(st);
	return rc;
}

enum store_rc
store_delivery_done(struct store *st, const unsigned char id[16],
    const unsigned char owner[16], const char *state, int64_t next,
    const char *error, int64_t now)
{
	struct sqlv		v[] = { SQL_STR(state), SQL_I64(next),
	    SQL_OPTSTR(error), SQL_STR(state), SQL_I64(now), SQL_I64(now),
	    SQL_BIN(id, 16), SQL_BIN(owner, 16) };
	unsigned long long	affected = 0;
	enum store_rc		rc;

	rc = db_exec(st, sql_done, v, sizeof(v) / sizeof(v[0]),
	    &affected);
	/* attempts always changes: no row matched, the lease is gone. */
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

enum store_rc
store_delivery_renew(struct store *st, const unsigned char id[16],
    const unsigned char owner[16], int64_t lease_until)
{
	struct sqlv		v[] = { SQL_I64(lease_until), SQL_BIN(id, 16),
	    SQL_BIN(owner, 16) };
	unsigned long long	affected = 0;
	enum store_rc		rc;

	rc = db_exec(st, sql_renew, v, sizeof(v) / sizeof(v[0]),
	    &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

static const char sql_add[] =
    "INSERT INTO deliveries (id, notification_id, method, state, attempts, "
    "next_attempt, address, template, subject, body, body_html, created, "
    "updated) SELECT ?, n.id, ?, 'pending', 0, ?, ?, ?, ?, ?, ?, ?, ? "
    "FROM notifications n WHERE n.id = ? AND n.tenant = ?";

enum store_rc
store_delivery_add(struct store *st, const char *tenant,
    const unsigned char note_id[16], const struct delivery_req *d,
    int64_t now)
{
	struct sqlv		v[] = { SQL_BIN(d->id, 16), SQL_STR(d->method),
	    SQL_I64(now), SQL_OPTSTR(d->address), SQL_OPTSTR(d->template),
	    SQL_OPTSTR(d->subject), SQL_OPTSTR(d->body),
	    SQL_I64(d->html != 0), SQL_I64(now), SQL_I64(now),
	    SQL_BIN(note_id, 16), SQL_STR(tenant) };
	unsigned long long	n = 0;
	enum store_rc		rc;

	rc = db_exec(st, sql_add, v, sizeof(v) / sizeof(v[0]), &n);
	return rc == STORE_OK && n == 0 ? STORE_NOTFOUND : rc;
}

struct list_ctx {
	int	(*cb)(const struct delivery_info *, void *);
	void	*arg;
};

static int
list_row(const struct sqlrow *r, void *arg)
{
	struct list_ctx		*c = arg;
	struct delivery_info	 d;
	const unsigned char	*id, *nid;

	memset(&d, 0, sizeof(d));
	if ((id = row_bin16(r, 0)) == NULL || (nid = row_bin16(r, 1)) == NULL)
		return 0;
	memcpy(d.id, id, 16);
	memcpy(d.note_id, nid, 16);
	d.method = row_str(r, 2, NULL);
	d.state = row_str(r, 3, NULL);
	d.address = row_str(r, 4, NULL);
	d.template = row_str(r, 5, NULL);
	d.last_error = row_str(r, 6, NULL);
	d.attempts = (int)row_i64(r, 7);
	d.next_attempt = row_i64(r, 8);
	d.created = row_i64(r, 9);
	d.sent_at = row_i64(r, 10);
	if (d.method == NULL || d.state == NULL)
		return 0;
	return c->cb(&d, c->arg);
}

#define LIST_COLS \
    "SELECT id, notification_id, method, state, address, template, " \
    "last_error, attempts, next_attempt, created, COALESCE(sent_at, 0) " \
    "FROM deliveries"

enum store_rc
store_delivery_list(struct store *st, const char *state,
    int (*cb)(const struct delivery_info *, void *), void *arg)
{
	struct list_ctx	c = { cb, arg };
	struct sqlv	v[] = { SQL_OPTSTR(state) };

	if (state == NULL)
		return db_select(st, LIST_COLS " ORDER BY created, id",
		    NULL, 0, list_row, &c);
	return db_select(st, LIST_COLS " WHERE state = ? "
	    "ORDER BY created, id", v, 1, list_row, &c);
}

struct queue_fill {
	struct store_queue	*q;
	size_t			 n;
};

static int
queue_row(const struct sqlrow *r, void *arg)
{
	struct queue_fill	*f = arg;
	struct store_queue	*q;

	if (f->n >= STORE_QUEUE_ROWS)
		return 0;
	q = &f->q[f->n++];
	snprintf(q->state, sizeof(q->state), "%s", row_str(r, 0, NULL));
	snprintf(q->method, sizeof(q->method), "%s", row_str(r, 1, NULL));
	q->count = row_i64(r, 2);
	q->attempts = row_i64(r, 3);
	return 0;
}

enum store_rc
store_queue_depth(struct store *st, struct store_queue *q, size_t *n)
{
	struct queue_fill	f = { q, 0 };
	struct sqlv		v[] = { SQL_I64(STORE_QUEUE_CAP) };
	enum store_rc		rc;

	/* The cap bounds the rows read, whatever the outbox holds. */
	rc = db_select(st, "SELECT state, method, COUNT(*), "
	    "CAST(COALESCE(SUM(attempts), 0) AS SIGNED) FROM "
	    "(SELECT state, method, attempts FROM deliveries LIMIT ?) q "
	    "GROUP BY state, method ORDER BY state, method", v, 1,
	    queue_row, &f);
	if (rc == STORE_OK)
		*n = f.n;
	return rc;
}
