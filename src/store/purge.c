/*
 * Retention (issue M): what "herald purge" deletes, a bounded batch at a
 * time.  The rows due are found by a plain (non-locking) read along an
 * index, keyset-paged so that no row is looked at twice; they are then
 * deleted by primary key, the statement checking again that each is
 * still due, so that a transaction locks only the rows it deletes.
 *
 * Ages: a notification's "updated" is the time of its last change, and
 * reading or deleting one is a change; notifications are therefore
 * ranged over notes_tenant_written (tenant, deleted, updated, seq).  A
 * delivery's next_attempt is the time it was sent or failed, ranged over
 * deliveries_due (state, next_attempt, id).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "store.h"

/* Ids per DELETE statement (the parameters of one statement are bounded). */
#define PURGE_CHUNK	100

#define IDS10	"?,?,?,?,?,?,?,?,?,?"
#define IDS100	IDS10 "," IDS10 "," IDS10 "," IDS10 "," IDS10 "," \
		IDS10 "," IDS10 "," IDS10 "," IDS10 "," IDS10

/*
 * Parameters: tenant, deleted, cutoff, keyset (t, t, seq), min seen,
 * limit.  One with a delivery still pending is not due (yet).
 */
static const char sql_due_note[] =
    "SELECT id, updated, seq FROM notifications "
    "FORCE INDEX (notes_tenant_written) "
    "WHERE tenant = ? AND deleted = ? AND updated < ? "
    "AND (updated > ? OR (updated = ? AND seq > ?)) AND seen >= ? "
    "AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE "
    "d.notification_id = notifications.id AND d.state = 'pending') "
    "ORDER BY updated, seq LIMIT ?";

/* Parameters: state, cutoff, keyset (t, t, id), tenant, limit. */
static const char sql_due_delivery[] =
    "SELECT d.id, d.next_attempt FROM deliveries d "
    "FORCE INDEX (deliveries_due) "
    "JOIN notifications n ON n.id = d.notification_id "
    "WHERE d.state = ? AND d.next_attempt < ? "
    "AND (d.next_attempt > ? OR (d.next_attempt = ? AND d.id > ?)) "
    "AND n.tenant = ? ORDER BY d.next_attempt, d.id LIMIT ?";

/*
 * A notification's finished deliveries go first (no cascade on that
 * key); one with a delivery still pending stays until it is done.
 * Parameters: ids, deleted, cutoff, min seen.
 */
static const char sql_del_note_deliveries[] =
    "DELETE d FROM deliveries d JOIN notifications n "
    "ON n.id = d.notification_id WHERE d.notification_id IN (" IDS100 ") "
    "AND d.state <> 'pending' AND n.deleted = ? AND n.updated < ? "
    "AND n.seen >= ?";

/* note_targets and note_dedupe go by cascade, note_counts by trigger. */
static const char sql_del_notes[] =
    "DELETE FROM notifications WHERE id IN (" IDS100 ") "
    "AND deleted = ? AND updated < ? AND seen >= ? AND NOT EXISTS "
    "(SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id)";

/* Parameters: ids, state, cutoff. */
static const char sql_del_deliveries[] =
    "DELETE FROM deliveries WHERE id IN (" IDS100 ") "
    "AND state = ? AND next_attempt < ?";

struct due_fill {
	unsigned char		(*ids)[16];
	int			 max, n;
	struct purge_pos	*pos;
	int			 note;
};

static int
due_fill_row(const struct sqlrow *r, void *arg)
{
	struct due_fill		*f = arg;
	const unsigned char	*id = row_bin16(r, 0);

	if (id == NULL || f->n >= f->max)
		return 0;
	memcpy(f->ids[f->n++], id, 16);
	f->pos->t = row_i64(r, 1);
	if (f->note)
		f->pos->seq = row_i64(r, 2);
	else
		memcpy(f->pos->id, id, 16);
	return 0;
}

static int
purge_is_note(enum purge_kind k)
{
	return k == PURGE_READ || k == PURGE_DELETED;
}

static const char *
purge_state(enum purge_kind k)
{
	return k == PURGE_SENT ? "sent" : "failed";
}

void
store_purge_pos_init(struct purge_pos *pos)
{
	memset(pos, 0, sizeof(*pos));
	pos->t = -1;
}

enum store_rc
store_purge_due(struct store *st, const char *tenant, enum purge_kind kind,
    int64_t cutoff, struct purge_pos *pos, int max, unsigned char (*ids)[16],
    int *n)
{
	struct due_fill	f = { ids, max, 0, pos, purge_is_note(kind) };
	enum store_rc	rc;

	*n = 0;
	if (f.note) {
		struct sqlv	v[] = { SQL_STR(tenant),
		    SQL_I64(kind == PURGE_DELETED), SQL_I64(cutoff),
		    SQL_I64(pos->t), SQL_I64(pos->t), SQL_I64(pos->seq),
		    SQL_I64(kind == PURGE_READ), SQL_I64(max) };

		rc = db_select(st, sql_due_note, v, sizeof(v) / sizeof(v[0]),
		    due_fill_row, &f);
	} else {
		struct sqlv	v[] = { SQL_STR(purge_state(kind)),
		    SQL_I64(cutoff), SQL_I64(pos->t), SQL_I64(pos->t),
		    SQL_BIN(pos->id, 16), SQL_STR(tenant), SQL_I64(max) };

		rc = db_select(st, sql_due_delivery, v,
		    sizeof(v) / sizeof(v[0]), due_fill_row, &f);
	}
	if (rc == STORE_OK)
		*n = f.n;
	return rc;
}

/* One statement over up to PURGE_CHUNK ids, the last one repeated. */
static enum store_rc
purge_chunk(struct store *st, const char *sql, const unsigned char (*ids)[16],
    int n, const struct sqlv *tail, size_t ntail, unsigned long long *aff)
{
	struct sqlv	v[PURGE_CHUNK + 4];
	size_t		i;

	db_bind_ids(v, ids, (size_t)n, PURGE_CHUNK);
	for (i = 0; i < ntail; i++)
		v[PURGE_CHUNK + i] = tail[i];
	return db_exec(st, sql, v, PURGE_CHUNK + ntail, aff);
}

enum store_rc
store_purge_delete(struct store *st, enum purge_kind kind, int64_t cutoff,
    const unsigned char (*ids)[16], int n, long long *deleted)
{
	unsigned long long	 aff;
	enum store_rc		 rc;
	int			 i, k;

	*deleted = 0;
	if (n <= 0)
		return STORE_OK;
	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	for (i = 0; i < n; i += PURGE_CHUNK) {
		k = n - i < PURGE_CHUNK ? n - i : PURGE_CHUNK;
		aff = 0;
		if (purge_is_note(kind)) {
			struct sqlv	t[] = { SQL_I64(kind == PURGE_DELETED),
			    SQL_I64(cutoff), SQL_I64(kind == PURGE_READ) };

			if ((rc = purge_chunk(st, sql_del_note_deliveries,
			    ids + i, k, t, 3, NULL)) != STORE_OK ||
			    (rc = purge_chunk(st, sql_del_notes, ids + i, k, t,
			    3, &aff)) != STORE_OK)
				goto fail;
		} else {
			struct sqlv	t[] = { SQL_STR(purge_state(kind)),
			    SQL_I64(cutoff) };

			if ((rc = purge_chunk(st, sql_del_deliveries, ids + i,
			    k, t, 2, &aff)) != STORE_OK)
				goto fail;
		}
		*deleted += (long long)aff;
	}
	if ((rc = store_commit(st)) != STORE_OK)
		*deleted = 0;
	return rc;
fail:
	store_rollback(st);
	*deleted = 0;
	return rc;
}

struct tenant_ctx {
	int	(*cb)(const char *, void *);
	void	*arg;
};

static int
tenant_row(const struct sqlrow *r, void *arg)
{
	struct tenant_ctx	*c = arg;
	const char		*t = row_str(r, 0, NULL);

	return t != NULL ? c->cb(t, c->arg) : 0;
}

enum store_rc
store_purge_tenants(struct store *st, int (*cb)(const char *, void *),
    void *arg)
{
	struct tenant_ctx	c = { cb, arg };

	return db_select(st, "SELECT DISTINCT tenant FROM users ORDER BY tenant",
	    NULL, 0, tenant_row, &c);
}

enum store_rc
store_purge_lock(struct store *st, int *got)
{
	struct sqlv	v[] = { SQL_STR("herald_purge") };
	long long	r = 0;
	enum store_rc	rc;

	rc = db_select_i64(st, "SELECT COALESCE(GET_LOCK(?, 0), 0)", v, 1,
	    &r, 1);
	*got = rc == STORE_OK && r == 1;
	return rc;
}
