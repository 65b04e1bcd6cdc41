/* Delivery templates, by name, in the default tenant. */
#include "config.h"

#include <string.h>

#include "db.h"
#include "store.h"
#include "util.h"


#define TEMPLATE_COLS	"name, title_tmpl, body_tmpl, body_html, updated"

enum store_rc
store_template_put(struct store *st, const struct template *t)
{
	unsigned char	id[16];
	int64_t		now = util_now_ms();
	struct sqlv	v[] = { SQL_BIN(id, 16), SQL_STR(STORE_TENANT_DEFAULT),
	    SQL_STR(t->name), SQL_STR(t->subject), SQL_STR(t->body),
	    SQL_I64(t->html), SQL_I64(now), SQL_I64(now) };

	util_uuid_new(id);
	return db_exec(st, "INSERT INTO templates (id, tenant, name, "
	    "title_tmpl, body_tmpl, body_html, actions, created, updated) "
	    "VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?) ON DUPLICATE KEY UPDATE "
	    "title_tmpl = VALUES(title_tmpl), body_tmpl = VALUES(body_tmpl), "
	    "body_html = VALUES(body_html), updated = VALUES(updated)",
	    v, sizeof(v) / sizeof(v[0]), NULL);
}

struct tmpl_ctx {
	int	(*cb)(const struct template *, void *);
	void	*arg;
	int	 rows;
};

static int
tmpl_row(const struct sqlrow *r, void *arg)
{
	struct tmpl_ctx	*c = arg;
	struct template	 t;

	t.name = row_str(r, 0, NULL);
	t.subject = row_str(r, 1, NULL);
	t.body = row_str(r, 2, NULL);
	t.html = (int)row_i64(r, 3);
	t.updated = row_i64(r, 4);
	if (t.name == NULL || t.subject == NULL || t.body == NULL)
		return 0;
	c->rows++;
	return c->cb(&t, c->arg);
}

enum store_rc
store_template_get(struct store *st, const char *name,
    int (*cb)(const struct template *, void *), void *arg)
{
	struct tmpl_ctx	c = { cb, arg, 0 };
	struct sqlv	v[] = { SQL_STR(STORE_TENANT_DEFAULT), SQL_STR(name) };
	enum store_rc	rc;

	rc = db_select(st, "SELECT " TEMPLATE_COLS " FROM templates "
	    "WHERE tenant = ? AND name = ?", v, 2, tmpl_row, &c);
	return rc == STORE_OK && c.rows == 0 ? STORE_NOTFOUND : rc;
}

enum store_rc
store_template_list(struct store *st,
    int (*cb)(const struct template *, void *), void *arg)
{
	struct tmpl_ctx	c = { cb, arg, 0 };
	struct sqlv	v[] = { SQL_STR(STORE_TENANT_DEFAULT) };

	return db_select(st, "SELECT " TEMPLATE_COLS " FROM templates "
	    "WHERE tenant = ? ORDER BY name", v, 1, tmpl_row, &c);
}

enum store_rc
store_template_remove(struct store *st, const char *name)
{
	struct sqlv		v[] = { SQL_STR(STORE_TENANT_DEFAULT),
	    SQL_STR(name) };
	unsigned long long	n = 0;
	enum store_rc		rc;

	rc = db_exec(st, "DELETE FROM templates WHERE tenant = ? "
	    "AND name = ?", v, 2, &n);
	return rc == STORE_OK && n == 0 ? STORE_NOTFOUND : rc;
}

struct tmpl_ref {
	unsigned char	*id;
	char		*name;
	size_t		 namesz;
	int		 found;
};

static int
tmpl_ref_row(const struct sqlrow *r, void *arg)
{
	struct tmpl_ref		*t = arg;
	const unsigned char	*id;
	const char		*name;

	if ((id = row_bin16(r, 0)) == NULL || (name = row_str(r, 1, NULL)) ==
	    NULL || strlen(name) >= t->namesz)
		return 1;
	memcpy(t->id, id, 16);
	strcpy(t->name, name);
	t->found = 1;
	return 1;
}

enum store_rc
store_template_ref(struct store *st, const char *tenant,
    const unsigned char *id, const char *name, unsigned char out_id[16],
    char *out_name, size_t namesz)
{
	struct tmpl_ref	t = { out_id, out_name, namesz, 0 };
	enum store_rc	rc;

	if (id != NULL) {
		struct sqlv	v[] = { SQL_STR(tenant), SQL_BIN(id, 16) };

		rc = db_select(st, "SELECT id, name FROM templates "
		    "WHERE tenant = ? AND id = ?", v, 2, tmpl_ref_row, &t);
	} else {
		struct sqlv	v[] = { SQL_STR(tenant), SQL_STR(name) };

		rc = db_select(st, "SELECT id, name FROM templates "
		    "WHERE tenant = ? AND name = ?", v, 2, tmpl_ref_row, &t);
	}
	if (rc != STORE_OK)
		return rc;
	return t.found ? STORE_OK : STORE_NOTFOUND;
}
