/* API tokens: only hashes are stored; lookups are by hash. */
#include "config.h"

#include <string.h>

#include "db.h"
#include "store.h"


#define TOKEN_COLS \
    "id, hash, tenant, username, role, created, COALESCE(expires, 0), " \
    "COALESCE(revoked, 0), COALESCE(last_used, 0)"

enum store_rc
store_token_add(struct store *st, const struct token_row *t)
{
	struct sqlv	v[] = { SQL_BIN(t->id, 16), SQL_BIN(t->hash, 32),
	    SQL_STR(t->tenant), SQL_STR(t->user), SQL_STR(t->role),
	    SQL_I64(t->created), t->expires > 0 ? SQL_I64(t->expires) :
	    SQL_NULL };

	return db_settle(st, "SELECT COUNT(*) FROM api_tokens WHERE id = ?",
	    t->id, db_exec(st, "INSERT INTO api_tokens (id, hash, tenant, "
	    "username, role, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    v, sizeof(v) / sizeof(v[0]), NULL));
}

struct token_ctx {
	token_cb	 cb;
	void		*arg;
	int		 rows;
};

static int
token_row(const struct sqlrow *r, void *arg)
{
	struct token_ctx	*c = arg;
	struct token_row	 t;
	const unsigned char	*id;
	const char		*hash;
	size_t			 hlen = 0;

	memset(&t, 0, sizeof(t));
	if ((id = row_bin16(r, 0)) == NULL ||
	    (hash = row_str(r, 1, &hlen)) == NULL || hlen != 32)
		return 0;
	memcpy(t.id, id, 16);
	memcpy(t.hash, hash, 32);
	t.tenant = row_str(r, 2, NULL);
	t.user = row_str(r, 3, NULL);
	t.role = row_str(r, 4, NULL);
	t.created = row_i64(r, 5);
	t.expires = row_i64(r, 6);
	t.revoked = row_i64(r, 7);
	t.last_used = row_i64(r, 8);
	if (t.tenant == NULL || t.user == NULL || t.role == NULL)
		return 0;
	c->rows++;
	return c->cb(&t, c->arg);
}

enum store_rc
store_token_find(struct store *st, const unsigned char hash[32], token_cb cb,
    void *arg)
{
	struct token_ctx	c = { cb, arg, 0 };
	struct sqlv		v[] = { SQL_BIN(hash, 32) };
	enum store_rc		rc;

	rc = db_select(st, "SELECT " TOKEN_COLS " FROM api_tokens "
	    "WHERE hash = ?", v, 1, token_row, &c);
	if (rc == STORE_OK && c.rows == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

enum store_rc
store_token_list(struct store *st, token_cb cb, void *arg)
{
	struct token_ctx	c = { cb, arg, 0 };

	return db_select(st, "SELECT " TOKEN_COLS " FROM api_tokens "
	    "ORDER BY created, id", NULL, 0, token_row, &c);
}

enum store_rc
store_token_revoke(struct store *st, const unsigned char id[16], int64_t now)
{
	struct sqlv		v[] = { SQL_I64(now), SQL_BIN(id, 16) };
	unsigned long long	n = 0;
	enum store_rc		rc;

	rc = db_exec(st, "UPDATE api_tokens SET revoked = "
	    "COALESCE(revoked, ?) WHERE id = ?", v, 2, &n);
	if (rc == STORE_OK && n == 0) {
		/* Zero rows changed: unknown, or revoked before. */
		rc = STORE_NOTFOUND;
	}
	return rc;
}

enum store_rc
store_token_touch(struct store *st, const unsigned char id[16], int64_t now,
    int64_t since)
{
	struct sqlv	v[] = { SQL_I64(now), SQL_BIN(id, 16), SQL_I64(since) };

	return db_exec(st, "UPDATE api_tokens SET last_used = ? "
	    "WHERE id = ? AND (last_used IS NULL OR last_used < ?)", v, 3,
	    NULL);
}
