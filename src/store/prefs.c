/*
 * Coder (issue J): a user's template preferences, the daily
 * de-duplication claims, and a tenant's settings.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "store.h"
#include "util.h"

struct pref_list {
	pref_cb	 cb;
	void	*arg;
};

static int
pref_row_cb(const struct sqlrow *r, void *arg)
{
	struct pref_list	*c = arg;
	struct pref_row		 p;
	const unsigned char	*id;

	if ((id = row_bin16(r, 0)) == NULL)
		return 0;
	memcpy(p.template_id, id, 16);
	p.disabled = (int)row_i64(r, 1);
	p.updated = row_i64(r, 2);
	return c->cb(&p, c->arg);
}

enum store_rc
store_pref_list(struct store *st, const char *tenant, const char *user,
    pref_cb cb, void *arg)
{
	struct pref_list	c = { cb, arg };
	struct sqlv		v[] = { SQL_STR(tenant), SQL_STR(user) };

	return db_select(st, "SELECT p.template_id, p.disabled, p.updated "
	    "FROM users u JOIN preferences p ON p.user_id = u.id "
	    "WHERE u.tenant = ? AND u.username = ? ORDER BY p.template_id",
	    v, 2, pref_row_cb, &c);
}

enum store_rc
store_pref_put(struct store *st, const char *tenant, const char *user,
    const unsigned char template_id[16], int disabled, int64_t now)
{
	struct sqlv	v[] = { SQL_I64(disabled != 0), SQL_I64(now),
	    SQL_BIN(template_id, 16), SQL_STR(tenant), SQL_STR(user),
	    SQL_STR(tenant) };

	/*
	 * The template must be the tenant's: the join inserts nothing for
	 * another tenant's id, as for an unknown one (the model checks
	 * first; an unchanged row also counts 0, so no count is checked).
	 */
	return db_exec(st, "INSERT INTO preferences (user_id, template_id, "
	    "disabled, updated) SELECT u.id, t.id, ?, ? FROM users u "
	    "JOIN templates t ON t.id = ? WHERE u.tenant = ? "
	    "AND u.username = ? AND t.tenant = ? "
	    "ON DUPLICATE KEY UPDATE disabled = VALUES(disabled), "
	    "updated = VALUES(updated)", v, 6, NULL);
}

enum store_rc
store_dedupe_claim(struct store *st, const unsigned char hash[32],
    const unsigned char id[16], int64_t now)
{
	struct sqlv	v[] = { SQL_BIN(hash, 32), SQL_BIN(id, 16),
	    SQL_I64(now) };

	return db_exec(st, "INSERT INTO note_dedupe (hash, notification_id, "
	    "created) VALUES (?, ?, ?)", v, 3, NULL);
}

enum store_rc
store_setting_get(struct store *st, const char *tenant, const char *k,
    long long *v)
{
	struct sqlv	a[] = { SQL_STR(tenant), SQL_STR(k) };

	*v = 0;
	return db_select_i64(st, "SELECT v FROM settings WHERE tenant = ? "
	    "AND k = ?", a, 2, v, 1);
}

enum store_rc
store_setting_put(struct store *st, const char *tenant, const char *k,
    long long v, int64_t now)
{
	struct sqlv	a[] = { SQL_STR(tenant), SQL_STR(k), SQL_I64(v),
	    SQL_I64(now) };

	return db_exec(st, "INSERT INTO settings (tenant, k, v, updated) "
	    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v), "
	    "updated = VALUES(updated)", a, 4, NULL);
}
