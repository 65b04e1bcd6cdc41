/*
 * Notification templates as records of the model (Coder, issue J): who
 * may list and change them.  Rendering is in tmpl_render.c.
 */
#include "config.h"

#include <string.h>

#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"

/* Any principal bound to the request may read the templates. */
static int
tmpl_reader(const struct ctx *c, struct herr *e)
{
	if (c->who->role == ROLE_NONE) {
		herr_set(e, 401, HERR_UNAUTHENTICATED, "no principal");
		return -1;
	}
	return 0;
}

int
model_tmpl_list(const struct ctx *c, const char *kind, tmpl_cb cb,
    void *arg, struct herr *e)
{
	if (tmpl_reader(c, e) != 0)
		return -1;
	return model_store_err(store_tmpl_list(c->st, c->tenant, kind, cb,
	    arg), e);
}

int
model_tmpl_get(const struct ctx *c, const unsigned char id[16], tmpl_cb cb,
    void *arg, struct herr *e)
{
	enum store_rc	rc;

	if (tmpl_reader(c, e) != 0)
		return -1;
	if ((rc = store_tmpl_get(c->st, c->tenant, id, cb, arg)) ==
	    STORE_NOTFOUND) {
		herr_set(e, 404, HERR_NOT_FOUND, "no such template");
		return -1;
	}
	return model_store_err(rc, e);
}

static int
tmpl_seen(const struct tmpl_row *t, void *arg)
{
	(void)t;
	*(int *)arg = 1;
	return 1;
}

int
model_tmpl_set_method(const struct ctx *c, const unsigned char id[16],
    const char *method, int *changed, struct herr *e)
{
	unsigned long long	n = 0;
	int			found = 0;

	if (c->who->role != ROLE_ADMIN) {
		herr_set(e, 403, HERR_FORBIDDEN,
		    "this operation needs the admin role");
		return -1;
	}
	if (strcmp(method, "") != 0 && strcmp(method, "smtp") != 0 &&
	    strcmp(method, "webhook") != 0) {
		herr_set(e, 422, HERR_INVALID, "no such delivery method");
		herr_field(e, HERR_SRC_BODY, "method", method);
		return -1;
	}
	if (model_tmpl_get(c, id, tmpl_seen, &found, e) != 0)
		return -1;
	if (model_store_err(store_tmpl_set_method(c->st, c->tenant, id,
	    method, &n), e) != 0)
		return -1;
	*changed = n > 0;
	return 0;
}
