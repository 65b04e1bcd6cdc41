/* Users: a name unique within a tenant, an id, an optional address. */
#include "config.h"

#include <string.h>

#include "db.h"
#include "store.h"
#include "util.h"

static const char sql_user_upsert[] =
    "INSERT INTO users (id, tenant, username, created) VALUES (?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";

enum store_rc
store_user_ensure(struct store *st, const char *tenant, const char *user,
    int64_t now)
{
	unsigned char	uid[16];
	struct sqlv	v[] = { SQL_BIN(uid, 16), SQL_STR(tenant),
	    SQL_STR(user), SQL_I64(now) };

	util_uuid_new(uid);
	return db_exec(st, sql_user_upsert, v, 4, NULL);
}

#define USER_COLS	"id, tenant, username, email, created"

struct user_ctx {
	user_cb	 cb;
	void	*arg;
	int	 rows;
};

static int
user_row(const struct sqlrow *r, void *arg)
{
	struct user_ctx		*c = arg;
	struct user_row		 u;
	const unsigned char	*id;

	memset(&u, 0, sizeof(u));
	if ((id = row_bin16(r, 0)) == NULL)
		return 0;
	memcpy(u.id, id, 16);
	u.tenant = row_str(r, 1, NULL);
	u.name = row_str(r, 2, NULL);
	u.email = row_str(r, 3, NULL);
	u.created = row_i64(r, 4);
	if (u.tenant == NULL || u.name == NULL)
		return 0;
	c->rows++;
	return c->cb != NULL ? c->cb(&u, c->arg) : 0;
}

enum store_rc
store_user_get(struct store *st, const char *tenant, const unsigned char *id,
    const char *name, user_cb cb, void *arg)
{
	struct user_ctx	c = { cb, arg, 0 };
	enum store_rc	rc;

	if (id != NULL) {
		struct sqlv	v[] = { SQL_STR(tenant), SQL_BIN(id, 16) };

		rc = db_select(st, "SELECT " USER_COLS " FROM users "
		    "WHERE tenant = ? AND id = ?", v, 2, user_row, &c);
	} else {
		struct sqlv	v[] = { SQL_STR(tenant), SQL_STR(name) };

		rc = db_select(st, "SELECT " USER_COLS " FROM users "
		    "WHERE tenant = ? AND username = ?", v, 2, user_row, &c);
	}
	if (rc != STORE_OK)
		return rc;
	return c.rows > 0 ? STORE_OK : STORE_NOTFOUND;
}

static int
user_id_row(const struct user_row *u, void *arg)
{
	memcpy(arg, u->id, 16);
	return 1;
}

enum store_rc
store_user_put(struct store *st, const char *tenant, const unsigned char *id,
    const char *name, const char *email, int set_email, int64_t now,
    unsigned char out[16])
{
	unsigned char	uid[16];
	enum store_rc	rc;

	if (id != NULL)
		memcpy(uid, id, 16);
	else
		util_uuid_new(uid);
	{
		struct sqlv	v[] = { SQL_BIN(uid, 16), SQL_STR(tenant),
		    SQL_STR(name), SQL_OPTSTR(email), SQL_I64(now),
		    SQL_I64(set_email) };

		/* An existing name keeps its id; the address is updated
		 * only when one was given. */
		if ((rc = db_exec(st, "INSERT INTO users (id, tenant, "
		    "username, email, created) VALUES (?, ?, ?, ?, ?) "
		    "ON DUPLICATE KEY UPDATE email = IF(? = 1, "
		    "VALUES(email), email)", v, 6, NULL)) != STORE_OK)
			return rc;
	}
	return store_user_get(st, tenant, NULL, name, user_id_row, out);
}

enum store_rc
store_user_list(struct store *st, const char *tenant, user_cb cb, void *arg)
{
	struct user_ctx	c = { cb, arg, 0 };
	struct sqlv	v[] = { SQL_STR(tenant) };

	return db_select(st, "SELECT " USER_COLS " FROM users WHERE "
	    "tenant = ? ORDER BY username", v, 1, user_row, &c);
}

enum store_rc
store_user_remove(struct store *st, const char *tenant, const char *name)
{
	/* Children first: every table that refers to the user. */
	static const char *const sql[] = {
		"DELETE d FROM deliveries d JOIN notifications n ON "
		    "n.id = d.notification_id JOIN users u ON u.id = n.user_id "
		    "WHERE u.tenant = ? AND u.username = ?",
		"DELETE n FROM notifications n JOIN users u ON "
		    "u.id = n.user_id WHERE u.tenant = ? AND u.username = ?",
		"DELETE c FROM note_counts c JOIN users u ON u.id = c.user_id "
		    "WHERE u.tenant = ? AND u.username = ?",
		"DELETE s FROM system_states s JOIN users u ON "
		    "u.id = s.user_id WHERE u.tenant = ? AND u.username = ?",
		"DELETE p FROM preferences p JOIN users u ON u.id = p.user_id "
		    "WHERE u.tenant = ? AND u.username = ?",
		"DELETE FROM api_tokens WHERE tenant = ? AND username = ?",
		"DELETE FROM users WHERE tenant = ? AND username = ?",
	};
	struct sqlv		v[] = { SQL_STR(tenant), SQL_STR(name) };
	unsigned long long	gone = 0;
	enum store_rc		rc;
	size_t			i;

	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]) && rc == STORE_OK; i++)
		rc = db_exec(st, sql[i], v, 2, &gone);
	if (rc == STORE_OK && gone == 0)
		rc = STORE_NOTFOUND;
	if (rc != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}
