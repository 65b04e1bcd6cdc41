/*
 * herald push (issue L): the change log (schema 007).  Every statement is a
 * range of one index: the poll of all of a process's watchers reads the
 * primary key, a resume the (user_id, chg) key.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "db.h"
#include "store.h"

#define CHANGE_COLS	"chg, user_id, notification_id, kind"

struct change_ctx {
	change_cb	 cb;
	void		*arg;
};

static int
change_row(const struct sqlrow *r, void *arg)
{
	struct change_ctx	*c = arg;
	struct note_change	 ch;
	const unsigned char	*u, *n;

	memset(&ch, 0, sizeof(ch));
	if ((u = row_bin16(r, 1)) == NULL || (n = row_bin16(r, 2)) == NULL)
		return 0;
	ch.chg = row_i64(r, 0);
	memcpy(ch.user_id, u, 16);
	memcpy(ch.note_id, n, 16);
	ch.kind = (enum note_change_kind)row_i64(r, 3);
	return c->cb(&ch, c->arg);
}

enum store_rc
store_change_list(struct store *st, long long after, long long upto,
    long long limit, change_cb cb, void *arg)
{
	struct change_ctx	c = { cb, arg };
	struct sqlv		v[] = { SQL_I64(after),
	    SQL_I64(upto > 0 ? upto : INT64_MAX), SQL_I64(limit) };

	return db_select(st, "SELECT " CHANGE_COLS " FROM note_changes "
	    "WHERE chg > ? AND chg <= ? ORDER BY chg LIMIT ?", v, 3,
	    change_row, &c);
}

enum store_rc
store_change_user(struct store *st, const unsigned char user[16],
    long long after, long long upto, long long limit, change_cb cb, void *arg)
{
	struct change_ctx	c = { cb, arg };
	struct sqlv		v[] = { SQL_BIN(user, 16), SQL_I64(after),
	    SQL_I64(upto > 0 ? upto : INT64_MAX), SQL_I64(limit) };

	return db_select(st, "SELECT " CHANGE_COLS " FROM note_changes "
	    "WHERE user_id = ? AND chg > ? AND chg <= ? ORDER BY chg LIMIT ?",
	    v, 4, change_row, &c);
}

enum store_rc
store_change_head(struct store *st, long long *chg)
{
	long long	v = 0;
	enum store_rc	rc;

	rc = db_select_i64(st, "SELECT COALESCE(MAX(chg), 0) FROM note_changes",
	    NULL, 0, &v, 1);
	if (rc == STORE_OK)
		*chg = v;
	return rc;
}

enum store_rc
store_change_prune(struct store *st, int64_t before, long long limit,
    unsigned long long *gone)
{
	struct sqlv	v[] = { SQL_I64(before), SQL_I64(limit) };

	return db_exec(st, "DELETE FROM note_changes WHERE at < ? "
	    "ORDER BY at LIMIT ?", v, 2, gone);
}

enum store_rc
store_counts_by_id(struct store *st, const unsigned char user[16],
    struct note_counts *out)
{
	struct sqlv	v[] = { SQL_BIN(user, 16) };
	long long	r[2] = { 0, 0 };
	enum store_rc	rc;

	rc = db_select_i64(st, "SELECT total, unseen FROM note_counts "
	    "WHERE user_id = ?", v, 1, r, 2);
	if (rc == STORE_OK) {
		out->total = r[0];
		out->unread = r[1];
	}
	return rc;
}

/*
 * A list of STORE_IDS_MAX parameters, the unused ones repeating the last
 * id: one statement text, prepared once, whatever the poll's size.
 */
#define IDS8	"?,?,?,?,?,?,?,?"
#define IDS64	IDS8 "," IDS8 "," IDS8 "," IDS8 "," IDS8 "," IDS8 "," IDS8 \
		"," IDS8

static int
ids_bind(struct sqlv *v, const unsigned char (*ids)[16], size_t n)
{
	if (n == 0 || n > STORE_IDS_MAX)
		return -1;
	db_bind_ids(v, ids, n, STORE_IDS_MAX);
	return 0;
}

enum store_rc
store_note_many(struct store *st, const unsigned char (*ids)[16], size_t n,
    note_cb cb, void *arg)
{
	struct sqlv	v[STORE_IDS_MAX];
	long long	rows = 0;

	if (ids_bind(v, ids, n) != 0)
		return STORE_ERROR;
	/* Primary-key lookups; the recipient of the notification's tenant. */
	return db_note_select(st, " FROM notifications n JOIN users u "
	    "ON u.id = n.user_id AND u.tenant = n.tenant "
	    "WHERE n.id IN (" IDS64 ")", v, STORE_IDS_MAX, cb, arg, &rows);
}

struct counts_ctx {
	counts_cb	 cb;
	void		*arg;
};

static int
counts_row(const struct sqlrow *r, void *arg)
{
	struct counts_ctx	*c = arg;
	struct note_counts	 nc;
	const unsigned char	*u;

	if ((u = row_bin16(r, 0)) == NULL)
		return 0;
	nc.total = row_i64(r, 1);
	nc.unread = row_i64(r, 2);
	return c->cb(u, &nc, c->arg);
}

enum store_rc
store_counts_many(struct store *st, const unsigned char (*users)[16],
    size_t n, counts_cb cb, void *arg)
{
	struct counts_ctx	c = { cb, arg };
	struct sqlv		v[STORE_IDS_MAX];

	if (ids_bind(v, users, n) != 0)
		return STORE_ERROR;
	return db_select(st, "SELECT user_id, total, unseen FROM note_counts "
	    "WHERE user_id IN (" IDS64 ")", v, STORE_IDS_MAX, counts_row, &c);
}

struct tenant_copy {
	char	*buf;
	size_t	 sz;
	int	 found;
};

static int
tenant_copy_row(const struct sqlrow *r, void *arg)
{
	struct tenant_copy	*c = arg;
	const char		*t = row_str(r, 0, NULL);

	if (t != NULL && strlen(t) < c->sz) {
		strcpy(c->buf, t);
		c->found = 1;
	}
	return 1;
}

enum store_rc
store_note_tenant(struct store *st, const unsigned char id[16], char *tenant,
    size_t tenantsz)
{
	struct tenant_copy	c = { tenant, tenantsz, 0 };
	struct sqlv		v[] = { SQL_BIN(id, 16) };
	enum store_rc		rc;

	rc = db_select(st, "SELECT tenant FROM notifications WHERE id = ?",
	    v, 1, tenant_copy_row, &c);
	if (rc == STORE_OK && !c.found)
		rc = STORE_NOTFOUND;
	return rc;
}
