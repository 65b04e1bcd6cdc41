/* Delivery templates, by name, within a tenant (the default one unless
 * named: FOLIO's event templates are a tenant's own). */
#include "config.h"

#include <stdio.h>
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
	struct sqlv	v[] = { SQL_BIN(id, 16), SQL_STR(t->tenant != NULL ?
	    t->tenant : STORE_TENANT_DEFAULT),
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

	t.tenant = NULL;
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
store_template_get(struct store *st, const char *tenant, const char *name,
    int (*cb)(const struct template *, void *), void *arg)
{
	struct tmpl_ctx	c = { cb, arg, 0 };
	struct sqlv	v[] = { SQL_STR(tenant != NULL ? tenant :
	    STORE_TENANT_DEFAULT), SQL_STR(name) };
	enum store_rc	rc;

	rc = db_select(st, "SELECT " TEMPLATE_COLS " FROM templates "
	    "WHERE tenant = ? AND name = ?", v, 2, tmpl_row, &c);
	return rc == STORE_OK && c.rows == 0 ? STORE_NOTFOUND : rc;
}

enum store_rc
store_template_list(struct store *st, const char *tenant,
    int (*cb)(const struct template *, void *), void *arg)
{
	struct tmpl_ctx	c = { cb, arg, 0 };
	struct sqlv	v[] = { SQL_STR(tenant != NULL ? tenant :
	    STORE_TENANT_DEFAULT) };

	return db_select(st, "SELECT " TEMPLATE_COLS " FROM templates "
	    "WHERE tenant = ? ORDER BY name", v, 1, tmpl_row, &c);
}

enum store_rc
store_template_remove(struct store *st, const char *tenant, const char *name)
{
	struct sqlv		v[] = { SQL_STR(tenant != NULL ? tenant :
	    STORE_TENANT_DEFAULT), SQL_STR(name) };
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

/* --- Coder (issue J): templates as the model's records ------------------ */

#define TMPL_COLS \
    "id, name, kind, COALESCE(grp, ''), title_tmpl, body_tmpl, actions, " \
    "methods, enabled_by_default, dedupe"

struct tmpl_list {
	tmpl_cb	 cb;
	void	*arg;
	int	 rows;
};

static int
tmpl_full_row(const struct sqlrow *r, void *arg)
{
	struct tmpl_list	*c = arg;
	struct tmpl_row		 t;
	const unsigned char	*id;

	memset(&t, 0, sizeof(t));
	if ((id = row_bin16(r, 0)) == NULL)
		return 0;
	memcpy(t.id, id, 16);
	t.name = row_str(r, 1, NULL);
	t.kind = row_str(r, 2, NULL);
	t.group = row_str(r, 3, NULL);
	t.title = row_str(r, 4, NULL);
	t.body = row_str(r, 5, NULL);
	t.actions = row_str(r, 6, NULL);
	t.method = row_str(r, 7, NULL);
	t.enabled_by_default = (int)row_i64(r, 8);
	t.dedupe = (int)row_i64(r, 9);
	if (t.name == NULL || t.kind == NULL || t.group == NULL ||
	    t.title == NULL || t.body == NULL || t.actions == NULL ||
	    t.method == NULL)
		return 0;
	c->rows++;
	return c->cb(&t, c->arg);
}

enum store_rc
store_tmpl_list(struct store *st, const char *tenant, const char *kind,
    tmpl_cb cb, void *arg)
{
	struct tmpl_list	c = { cb, arg, 0 };
	struct sqlv		v[] = { SQL_STR(tenant), SQL_STR(kind) };

	return db_select(st, "SELECT " TMPL_COLS " FROM templates "
	    "WHERE tenant = ? AND kind = ? ORDER BY name, id", v, 2,
	    tmpl_full_row, &c);
}

enum store_rc
store_tmpl_get(struct store *st, const char *tenant,
    const unsigned char id[16], tmpl_cb cb, void *arg)
{
	struct tmpl_list	c = { cb, arg, 0 };
	struct sqlv		v[] = { SQL_STR(tenant), SQL_BIN(id, 16) };
	enum store_rc		rc;

	rc = db_select(st, "SELECT " TMPL_COLS " FROM templates "
	    "WHERE tenant = ? AND id = ?", v, 2, tmpl_full_row, &c);
	return rc == STORE_OK && c.rows == 0 ? STORE_NOTFOUND : rc;
}

enum store_rc
store_tmpl_set_method(struct store *st, const char *tenant,
    const unsigned char id[16], const char *method,
    unsigned long long *changed)
{
	struct sqlv	v[] = { SQL_STR(method), SQL_I64(util_now_ms()),
	    SQL_STR(tenant), SQL_BIN(id, 16), SQL_STR(method) };

	return db_exec(st, "UPDATE templates SET methods = ?, updated = ? "
	    "WHERE tenant = ? AND id = ? AND methods <> ?", v, 5, changed);
}

struct tmpl_pol {
	int	*dedupe, *ebd, *pref;
	char	*method;
	size_t	 methodsz;
	int	 found;
};

static int
tmpl_policy_row(const struct sqlrow *r, void *arg)
{
	struct tmpl_pol	*p = arg;
	const char	*m;

	*p->dedupe = (int)row_i64(r, 0);
	*p->ebd = (int)row_i64(r, 1);
	*p->pref = row_isnull(r, 2) ? -1 : (int)row_i64(r, 2) != 0;
	m = row_str(r, 3, NULL);
	snprintf(p->method, p->methodsz, "%s", m != NULL ? m : "");
	p->found = 1;
	return 1;
}

enum store_rc
store_tmpl_policy(struct store *st, const char *tenant,
    const unsigned char id[16], const char *user, int *dedupe,
    int *enabled_by_default, int *pref, char *method, size_t methodsz)
{
	struct tmpl_pol	p = { dedupe, enabled_by_default, pref, method,
	    methodsz, 0 };
	struct sqlv	v[] = { SQL_STR(tenant), SQL_STR(user),
	    SQL_STR(tenant), SQL_BIN(id, 16) };
	enum store_rc	rc;

	/* One round trip: the template, and the user's row if any. */
	rc = db_select(st, "SELECT t.dedupe, t.enabled_by_default, "
	    "(SELECT p.disabled FROM users u JOIN preferences p "
	    "ON p.user_id = u.id WHERE u.tenant = ? AND u.username = ? "
	    "AND p.template_id = t.id), t.methods FROM templates t "
	    "WHERE t.tenant = ? AND t.id = ?", v, 4, tmpl_policy_row, &p);
	return rc == STORE_OK && !p.found ? STORE_NOTFOUND : rc;
}
