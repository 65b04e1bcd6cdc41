/*
 * System notifications: broadcasts with an activation window, and each
 * user's state of them.  A state row exists only once a user acted, so a
 * broadcast costs one row however many users there are; the ladder
 * (received < seen < dismissed) is one upsert that never moves down.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "util.h"


#define SYS_COLS \
    "s.id, s.type, s.message, s.activation, s.deactivation, s.created, " \
    "s.dismissible, s.logins_disabled"

#define IDS_CHUNK	32

static const char sql_get[] =
    "SELECT " SYS_COLS " FROM system_notifications s "
    "WHERE s.tenant = ? AND s.id = ?";

/* The user's view: active ones, with the user's state (none = 0). */
#define USER_FROM \
    " FROM system_notifications s " \
    "LEFT JOIN users u ON u.tenant = s.tenant AND u.username = ? " \
    "LEFT JOIN system_states x ON x.user_id = u.id AND x.system_id = s.id " \
    "WHERE s.tenant = ? AND s.deactivation > ? AND s.activation <= ?"

static const char sql_user_list[] =
    "SELECT " SYS_COLS ", COALESCE(x.state, 0), x.acknowledged_at"
    USER_FROM " AND COALESCE(x.state, 0) < ? "
    "ORDER BY s.activation DESC, s.created DESC, s.id";

static const char sql_user_counts[] =
    "SELECT COALESCE(SUM(COALESCE(x.state, 0) < 3), 0), "
    "COALESCE(SUM(COALESCE(x.state, 0) < 1), 0), "
    "COALESCE(SUM(COALESCE(x.state, 0) < 2), 0)" USER_FROM;

/*
 * The ladder.  Assignments run left to right, so acknowledged_at and
 * updated still see the old state when they are computed.
 */
#define UPSERT_TAIL \
    " ON DUPLICATE KEY UPDATE " \
    "acknowledged_at = IF(VALUES(state) = 2 AND state < 2, " \
    "VALUES(acknowledged_at), acknowledged_at), " \
    "updated = IF(VALUES(state) > state, VALUES(updated), updated), " \
    "state = GREATEST(state, VALUES(state))"

#define UPSERT_HEAD \
    "INSERT INTO system_states (user_id, system_id, state, " \
    "acknowledged_at, updated) " \
    "SELECT u.id, s.id, ?, ?, ? FROM users u " \
    "JOIN system_notifications s ON s.tenant = u.tenant " \
    "WHERE u.tenant = ? AND u.username = ?"

#define IDS_IN \
    " AND s.id IN (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?," \
    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

static const char *const sql_mark_ids[2] = {
	UPSERT_HEAD IDS_IN UPSERT_TAIL,
	UPSERT_HEAD " AND s.dismissible = 1" IDS_IN UPSERT_TAIL,
};

static const char *const sql_mark_all[2] = {
	UPSERT_HEAD " AND s.deactivation > ? AND s.activation <= ?"
	    UPSERT_TAIL,
	UPSERT_HEAD " AND s.deactivation > ? AND s.activation <= ?"
	    " AND s.dismissible = 1" UPSERT_TAIL,
};

static const char *const sql_admin_list[4] = {
	"SELECT " SYS_COLS " FROM system_notifications s WHERE s.tenant = ?"
	" ORDER BY s.created, s.id LIMIT ? OFFSET ?",
	"SELECT " SYS_COLS " FROM system_notifications s WHERE s.tenant = ?"
	" AND s.deactivation > ? AND s.activation <= ?"
	" ORDER BY s.created, s.id LIMIT ? OFFSET ?",
	"SELECT " SYS_COLS " FROM system_notifications s WHERE s.tenant = ?"
	" AND s.type = ? ORDER BY s.created, s.id LIMIT ? OFFSET ?",
	"SELECT " SYS_COLS " FROM system_notifications s WHERE s.tenant = ?"
	" AND s.deactivation > ? AND s.activation <= ? AND s.type = ?"
	" ORDER BY s.created, s.id LIMIT ? OFFSET ?",
};

static const char *const sql_admin_count[4] = {
	"SELECT COUNT(*) FROM system_notifications s WHERE s.tenant = ?",
	"SELECT COUNT(*) FROM system_notifications s WHERE s.tenant = ?"
	" AND s.deactivation > ? AND s.activation <= ?",
	"SELECT COUNT(*) FROM system_notifications s WHERE s.tenant = ?"
	" AND s.type = ?",
	"SELECT COUNT(*) FROM system_notifications s WHERE s.tenant = ?"
	" AND s.deactivation > ? AND s.activation <= ? AND s.type = ?",
};

enum store_rc
store_sys_type_known(struct store *st, const char *type, int *known)
{
	struct sqlv	v[] = { SQL_STR(type) };
	long long	n = 0;
	enum store_rc	rc;

	rc = db_select_i64(st, "SELECT COUNT(*) FROM "
	    "system_notification_types WHERE name = ?", v, 1, &n, 1);
	*known = n > 0;
	return rc;
}

struct types_ctx {
	int	(*cb)(const char *, void *);
	void	*arg;
};

static int
types_row(const struct sqlrow *r, void *arg)
{
	struct types_ctx	*c = arg;
	const char		*name = row_str(r, 0, NULL);

	return name != NULL ? c->cb(name, c->arg) : 0;
}

enum store_rc
store_sys_types(struct store *st, int (*cb)(const char *, void *), void *arg)
{
	struct types_ctx	c = { cb, arg };

	return db_select(st, "SELECT name FROM "
	    "system_notification_types ORDER BY name", NULL, 0, types_row, &c);
}

enum store_rc
store_sys_create(struct store *st, const char *tenant, const struct sysnote *s)
{
	struct sqlv	v[] = { SQL_BIN(s->id, 16), SQL_STR(tenant),
	    SQL_STR(s->type), SQL_STR(s->message), SQL_I64(s->activation),
	    SQL_I64(s->deactivation), SQL_I64(s->dismissible),
	    SQL_I64(s->logins_disabled), SQL_I64(s->created) };

	return db_settle(st, "SELECT COUNT(*) FROM system_notifications "
	    "WHERE id = ?", s->id, db_exec(st, "INSERT INTO "
	    "system_notifications (id, tenant, type, message, activation, "
	    "deactivation, dismissible, logins_disabled, created) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", v, sizeof(v) / sizeof(v[0]),
	    NULL));
}

/* Fill "s" from a SYS_COLS row; strings are borrowed from the row. */
static int
sys_from_row(const struct sqlrow *r, struct sysnote *s)
{
	const unsigned char	*id;

	memset(s, 0, sizeof(*s));
	if ((id = row_bin16(r, 0)) == NULL)
		return -1;
	memcpy(s->id, id, 16);
	s->type = row_str(r, 1, NULL);
	s->message = row_str(r, 2, NULL);
	s->activation = row_i64(r, 3);
	s->deactivation = row_i64(r, 4);
	s->created = row_i64(r, 5);
	s->dismissible = (int)row_i64(r, 6);
	s->logins_disabled = (int)row_i64(r, 7);
	return s->type != NULL && s->message != NULL ? 0 : -1;
}

struct get_ctx {
	struct sysnote	*out;
	char		*type;
	char		*message;
	int		 found;
};

static int
get_row(const struct sqlrow *r, void *arg)
{
	struct get_ctx	*c = arg;

	if (sys_from_row(r, c->out) != 0)
		return 1;
	c->type = strdup(c->out->type);
	c->message = strdup(c->out->message);
	c->found = c->type != NULL && c->message != NULL ? 1 : -1;
	return 1;
}

enum store_rc
store_sys_get(struct store *st, const char *tenant, const unsigned char id[16],
    struct sysnote *out, char **type, char **message)
{
	struct get_ctx	c = { out, NULL, NULL, 0 };
	struct sqlv	v[] = { SQL_STR(tenant), SQL_BIN(id, 16) };
	enum store_rc	rc;

	rc = db_select(st, sql_get, v, 2, get_row, &c);
	if (rc == STORE_OK && c.found <= 0)
		rc = c.found == 0 ? STORE_NOTFOUND : STORE_ERROR;
	if (rc != STORE_OK) {
		free(c.type);
		free(c.message);
		return rc;
	}
	out->type = *type = c.type;
	out->message = *message = c.message;
	return STORE_OK;
}

enum store_rc
store_sys_update(struct store *st, const char *tenant, const struct sysnote *s)
{
	struct sqlv		v[] = { SQL_STR(s->type), SQL_STR(s->message),
	    SQL_I64(s->activation), SQL_I64(s->deactivation),
	    SQL_I64(s->dismissible), SQL_I64(s->logins_disabled),
	    SQL_STR(tenant), SQL_BIN(s->id, 16) };
	struct sqlv		f[] = { SQL_BIN(s->id, 16) };
	enum store_rc		rc;

	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	if ((rc = db_exec(st, "UPDATE system_notifications SET "
	    "type = ?, message = ?, activation = ?, deactivation = ?, "
	    "dismissible = ?, logins_disabled = ?, "
	    /* L: published again (AMQP) once active, as the original did. */
	    "published = NULL, pub_owner = NULL, pub_lease = NULL "
	    "WHERE tenant = ? AND id = ?",
	    v, sizeof(v) / sizeof(v[0]), NULL)) != STORE_OK ||
	    (rc = db_exec(st, "DELETE FROM system_states "
	    "WHERE system_id = ?", f, 1, NULL)) != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

enum store_rc
store_sys_delete(struct store *st, const char *tenant,
    const unsigned char id[16])
{
	struct sqlv		v[] = { SQL_STR(tenant), SQL_BIN(id, 16) };
	unsigned long long	n = 0;
	enum store_rc		rc;

	/* The states go with it (ON DELETE CASCADE). */
	rc = db_exec(st, "DELETE FROM system_notifications "
	    "WHERE tenant = ? AND id = ?", v, 2, &n);
	if (rc == STORE_OK && n == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

struct list_ctx {
	sysnote_cb	 cb;
	void		*arg;
	int		 user;
};

static int
list_row(const struct sqlrow *r, void *arg)
{
	struct list_ctx	*c = arg;
	struct sysnote	 s;

	if (sys_from_row(r, &s) != 0)
		return 0;
	if (c->user) {
		s.state = (enum sys_state)row_i64(r, 8);
		s.acknowledged = !row_isnull(r, 9);
	}
	return c->cb(&s, c->arg);
}

enum store_rc
store_sys_admin_list(struct store *st, const char *tenant, int64_t active_at,
    const char *type, long long limit, long long offset, sysnote_cb cb,
    void *arg, long long *total)
{
	struct sqlv	v[6];
	struct list_ctx	c = { cb, arg, 0 };
	size_t		n = 0;
	unsigned int	variant = (active_at > 0 ? 1u : 0u) |
	    (type != NULL ? 2u : 0u);
	enum store_rc	rc;

	v[n++] = SQL_STR(tenant);
	if (active_at > 0) {
		v[n++] = SQL_I64(active_at);
		v[n++] = SQL_I64(active_at);
	}
	if (type != NULL)
		v[n++] = SQL_STR(type);
	if ((rc = db_select_i64(st,
	    sql_admin_count[variant], v, n, total, 1)) != STORE_OK)
		return rc;
	v[n++] = SQL_I64(limit > 0 ? limit : INT64_MAX);
	v[n++] = SQL_I64(offset > 0 ? offset : 0);
	return db_select(st, sql_admin_list[variant],
	    v, n, list_row, &c);
}

enum store_rc
store_sys_user_list(struct store *st, const char *tenant, const char *user,
    enum sys_state below, int64_t now, sysnote_cb cb, void *arg)
{
	struct list_ctx	c = { cb, arg, 1 };
	struct sqlv	v[] = { SQL_STR(user), SQL_STR(tenant), SQL_I64(now),
	    SQL_I64(now), SQL_I64(below) };

	return db_select(st, sql_user_list, v, 5, list_row, &c);
}

/*
 * /count-messages in one round trip: the three system counts over the
 * active system notifications, and the user's counters (schema 002)
 * joined to the users row those already read (every row carries the
 * same counters: MAX).  Without an active system notification there is
 * no row to carry them: then they are asked for (sql_user_counts).
 */
static const char sql_overview[] =
    "SELECT COALESCE(MAX(c.total), 0), COALESCE(MAX(c.unseen), 0), "
    "COALESCE(SUM(COALESCE(x.state, 0) < 3), 0), "
    "COALESCE(SUM(COALESCE(x.state, 0) < 1), 0), "
    "COALESCE(SUM(COALESCE(x.state, 0) < 2), 0), COUNT(*) "
    "FROM system_notifications s "
    "LEFT JOIN users u ON u.tenant = s.tenant AND u.username = ? "
    "LEFT JOIN system_states x ON x.user_id = u.id AND x.system_id = s.id "
    "LEFT JOIN note_counts c ON c.user_id = u.id "
    "WHERE s.tenant = ? AND s.deactivation > ? AND s.activation <= ?";

static const char sql_user_notes[] = SQL_USER_COUNTS;

enum store_rc
store_counts_overview(struct store *st, const char *tenant, const char *user,
    int64_t now, struct overview *o)
{
	struct sqlv	v[] = { SQL_STR(user), SQL_STR(tenant), SQL_I64(now),
	    SQL_I64(now) };
	struct sqlv	cv[] = { SQL_STR(tenant), SQL_STR(user) };
	long long	out[6];
	enum store_rc	rc;

	if ((rc = db_select_i64(st, sql_overview, v,
	    sizeof(v) / sizeof(v[0]), out, 6)) != STORE_OK)
		return rc;
	/* No active system notification: no row carried the counters. */
	if (out[5] == 0 && (rc = db_select_i64(st, sql_user_notes, cv, 2,
	    out, 2)) != STORE_OK)
		return rc;
	o->notes.total = out[0];
	o->notes.unread = out[1];
	o->sys_total = out[2];
	o->sys_fresh = out[3];
	o->sys_unseen = out[4];
	return STORE_OK;
}

enum store_rc
store_sys_user_counts(struct store *st, const char *tenant, const char *user,
    int64_t now, long long *total, long long *fresh, long long *unseen)
{
	struct sqlv	v[] = { SQL_STR(user), SQL_STR(tenant), SQL_I64(now),
	    SQL_I64(now) };
	long long	out[3];
	enum store_rc	rc;

	if ((rc = db_select_i64(st, sql_user_counts, v, 4,
	    out, 3)) != STORE_OK)
		return rc;
	*total = out[0];
	*fresh = out[1];
	*unseen = out[2];
	return STORE_OK;
}

/* The first five parameters of every upsert. */
static size_t
mark_head(struct sqlv *v, const char *tenant, const char *user,
    enum sys_state to, int64_t now)
{
	v[0] = SQL_I64(to);
	v[1] = to == SYS_SEEN ? SQL_I64(now) : SQL_NULL;
	v[2] = SQL_I64(now);
	v[3] = SQL_STR(tenant);
	v[4] = SQL_STR(user);
	return 5;
}

enum store_rc
store_sys_mark(struct store *st, const char *tenant, const char *user,
    const unsigned char (*ids)[16], size_t n, enum sys_state to, int64_t now)
{
	struct sqlv	v[5 + IDS_CHUNK];
	size_t		i, k, h;
	int		dis = to == SYS_DISMISSED;
	enum store_rc	rc;

	if (n == 0)
		return STORE_OK;
	/* Users are created when they first act (agent.md §1). */
	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	if ((rc = store_user_ensure(st, tenant, user, now)) != STORE_OK)
		goto fail;
	h = mark_head(v, tenant, user, to, now);
	for (i = 0; i < n; i += IDS_CHUNK) {
		k = n - i < IDS_CHUNK ? n - i : IDS_CHUNK;
		db_bind_ids(v + h, ids + i, k, IDS_CHUNK);
		if ((rc = db_exec(st,
		    sql_mark_ids[dis], v, h + IDS_CHUNK, NULL)) != STORE_OK)
			goto fail;
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return rc;
}

enum store_rc
store_sys_mark_all(struct store *st, const char *tenant, const char *user,
    enum sys_state to, int64_t now)
{
	struct sqlv	v[7];
	size_t		h;
	int		dis = to == SYS_DISMISSED;
	enum store_rc	rc;

	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	if ((rc = store_user_ensure(st, tenant, user, now)) != STORE_OK)
		goto fail;
	h = mark_head(v, tenant, user, to, now);
	v[h++] = SQL_I64(now);
	v[h++] = SQL_I64(now);
	if ((rc = db_exec(st,
	    sql_mark_all[dis], v, h, NULL)) != STORE_OK)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return rc;
}

/* --- L: activation, for AMQP (herald dispatch) and the streams (push) --- */

struct tenant_ctx {
	sysnote_tenant_cb	 cb;
	void			*arg;
};

static int
tenant_row(const struct sqlrow *r, void *arg)
{
	struct tenant_ctx	*c = arg;
	struct sysnote		 s;
	const char		*tenant;

	if (sys_from_row(r, &s) != 0 || (tenant = row_str(r, 8, NULL)) == NULL)
		return 0;
	return c->cb(&s, tenant, c->arg);
}

/*
 * One statement, committed before anything is published: a concurrent
 * one waits for it and then sees the lease (on Galera, one of two fails
 * certification).  The order and limit serve the (published, activation)
 * key.
 */
static const char sql_claim_pub[] =
    "UPDATE system_notifications SET pub_owner = ?, pub_lease = ? "
    "WHERE published IS NULL AND activation <= ? AND deactivation > ? "
    "AND (pub_lease IS NULL OR pub_lease < ?) "
    "ORDER BY activation LIMIT ?";

static const char sql_claimed_pub[] =
    "SELECT " SYS_COLS ", s.tenant FROM system_notifications s "
    "WHERE s.pub_owner = ? AND s.pub_lease = ? AND s.published IS NULL "
    "ORDER BY s.activation, s.id";

enum store_rc
store_sys_claim_publish(struct store *st, const unsigned char owner[16],
    int64_t now, int64_t lease_until, int limit, sysnote_tenant_cb cb,
    void *arg)
{
	struct tenant_ctx	c = { cb, arg };
	struct sqlv		v[] = { SQL_BIN(owner, 16), SQL_I64(lease_until),
	    SQL_I64(now), SQL_I64(now), SQL_I64(now), SQL_I64(limit) };
	struct sqlv		f[] = { SQL_BIN(owner, 16), SQL_I64(lease_until) };
	unsigned long long	n = 0;
	enum store_rc		rc;

	if ((rc = db_exec(st, sql_claim_pub, v, sizeof(v) / sizeof(v[0]),
	    &n)) != STORE_OK || n == 0)
		return rc;
	return db_select(st, sql_claimed_pub, f, 2, tenant_row, &c);
}

enum store_rc
store_sys_release(struct store *st, const unsigned char owner[16])
{
	struct sqlv	v[] = { SQL_BIN(owner, 16) };

	return db_exec(st, "UPDATE system_notifications SET pub_owner = NULL, "
	    "pub_lease = NULL WHERE pub_owner = ? AND published IS NULL", v, 1,
	    NULL);
}

enum store_rc
store_sys_published(struct store *st, const unsigned char id[16],
    const unsigned char owner[16], int64_t now)
{
	struct sqlv		v[] = { SQL_I64(now), SQL_BIN(id, 16),
	    SQL_BIN(owner, 16) };
	unsigned long long	n = 0;
	enum store_rc		rc;

	rc = db_exec(st, "UPDATE system_notifications SET published = ?, "
	    "pub_owner = NULL, pub_lease = NULL WHERE id = ? AND pub_owner = ?",
	    v, 3, &n);
	if (rc == STORE_OK && n == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

/* Either key may bring a row in: each has its index (schema 010). */
static const char sql_activated[] =
    "SELECT " SYS_COLS ", s.tenant FROM system_notifications s "
    "WHERE s.activation <= ? AND s.deactivation > ? "
    "AND (s.activation > ? OR s.created > ?) "
    "ORDER BY s.activation, s.id LIMIT 1000";

enum store_rc
store_sys_activated(struct store *st, int64_t after, int64_t now,
    sysnote_tenant_cb cb, void *arg)
{
	struct tenant_ctx	c = { cb, arg };
	struct sqlv		v[] = { SQL_I64(now), SQL_I64(now),
	    SQL_I64(after), SQL_I64(after) };

	return db_select(st, sql_activated, v, 4, tenant_row, &c);
}
