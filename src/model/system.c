/*
 * System notifications: broadcasts with an activation window, and each
 * user's state of them.  Users act on their own view; the rest is the
 * admin's.
 */
#include "config.h"

#include <string.h>

#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"

static int
sys_admin(const struct ctx *c, struct herr *e)
{
	if (c->who->role == ROLE_ADMIN)
		return 0;
	herr_set(e, 403, HERR_FORBIDDEN, "this operation needs the admin role");
	return -1;
}

int
model_sys_user_list(const struct ctx *c, const char *user,
    enum sys_state below, sysnote_cb cb, void *arg, struct herr *e)
{
	if (model_may_act_for(c, user, e) != 0)
		return -1;
	return model_store_err(store_sys_user_list(c->st, c->tenant, user,
	    below, c->now, cb, arg), e);
}

int
model_sys_user_counts(const struct ctx *c, const char *user,
    long long *total, long long *fresh, long long *unseen, struct herr *e)
{
	if (model_may_act_for(c, user, e) != 0)
		return -1;
	return model_store_err(store_sys_user_counts(c->st, c->tenant, user,
	    c->now, total, fresh, unseen), e);
}

int
model_overview(const struct ctx *c, const char *user,
    struct note_counts *notes, long long *sys_total, long long *sys_fresh,
    long long *sys_unseen, struct herr *e)
{
	struct overview	o;

	if (model_may_act_for(c, user, e) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	if (model_store_err(store_counts_overview(c->st, c->tenant, user,
	    c->now, &o), e) != 0)
		return -1;
	*notes = o.notes;
	*sys_total = o.sys_total;
	*sys_fresh = o.sys_fresh;
	*sys_unseen = o.sys_unseen;
	return 0;
}

/* A mark's arguments, for model_tx. */
struct sys_mark_tx {
	const char		*user;
	const unsigned char	(*ids)[16];
	size_t			 n;
	enum sys_state		 to;
	int			 all;	/* every active one, not ids */
};

static int
sys_mark_tx(const struct ctx *c, void *arg, struct herr *e)
{
	const struct sys_mark_tx	*m = arg;

	if (m->all)
		return model_store_err(store_sys_mark_all(c->st, c->tenant,
		    m->user, m->to, c->now), e);
	return model_store_err(store_sys_mark(c->st, c->tenant, m->user,
	    m->ids, m->n, m->to, c->now), e);
}

int
model_sys_mark(const struct ctx *c, const char *user,
    const unsigned char (*ids)[16], size_t n, enum sys_state to,
    struct herr *e)
{
	struct sys_mark_tx	m = { user, ids, n, to, 0 };

	if (model_may_act_for(c, user, e) != 0)
		return -1;
	return model_tx(c, sys_mark_tx, &m, e);
}

int
model_sys_mark_all(const struct ctx *c, const char *user, enum sys_state to,
    struct herr *e)
{
	struct sys_mark_tx	m = { user, NULL, 0, to, 1 };

	if (model_may_act_for(c, user, e) != 0)
		return -1;
	return model_tx(c, sys_mark_tx, &m, e);
}

struct sys_one {
	const unsigned char	*id;
	sysnote_cb		 cb;
	void			*arg;
	int			 found;
};

static int
sys_one_row(const struct sysnote *s, void *arg)
{
	struct sys_one	*o = arg;

	if (memcmp(s->id, o->id, 16) != 0)
		return 0;
	o->found = 1;
	return o->cb(s, o->arg) != 0 ? 1 : 1;
}

int
model_sys_user_get(const struct ctx *c, const char *user,
    const unsigned char id[16], sysnote_cb cb, void *arg, struct herr *e)
{
	struct sys_one	o = { id, cb, arg, 0 };

	if (model_sys_user_list(c, user, SYS_DISMISSED + 1, sys_one_row, &o,
	    e) != 0)
		return -1;
	if (!o.found) {
		herr_set(e, 404, HERR_NOT_FOUND,
		    "no such active system notification");
		return -1;
	}
	return 0;
}

int
model_sys_type_known(const struct ctx *c, const char *type, int *known,
    struct herr *e)
{
	return model_store_err(store_sys_type_known(c->st, type, known), e);
}

int
model_sys_types(const struct ctx *c, int (*cb)(const char *, void *),
    void *arg, struct herr *e)
{
	return model_store_err(store_sys_types(c->st, cb, arg), e);
}

int
model_sys_create(const struct ctx *c, struct sysnote *s, struct herr *e)
{
	if (sys_admin(c, e) != 0)
		return -1;
	s->created = c->now;
	return model_store_err(store_sys_create(c->st, c->tenant, s), e);
}

int
model_sys_get(const struct ctx *c, const unsigned char id[16],
    struct sysnote *s, char **type, char **message, struct herr *e)
{
	if (sys_admin(c, e) != 0)
		return -1;
	return model_store_err(store_sys_get(c->st, c->tenant, id, s, type,
	    message), e);
}

static int
sys_update_tx(const struct ctx *c, void *arg, struct herr *e)
{
	return model_store_err(store_sys_update(c->st, c->tenant, arg), e);
}

int
model_sys_update(const struct ctx *c, const struct sysnote *s,
    struct herr *e)
{
	struct sysnote	copy = *s;

	if (sys_admin(c, e) != 0)
		return -1;
	return model_tx(c, sys_update_tx, &copy, e);
}

int
model_sys_delete(const struct ctx *c, const unsigned char id[16],
    struct herr *e)
{
	if (sys_admin(c, e) != 0)
		return -1;
	return model_store_err(store_sys_delete(c->st, c->tenant, id), e);
}

int
model_sys_admin_list(const struct ctx *c, int64_t active_at,
    const char *type, long long limit, long long offset, sysnote_cb cb,
    void *arg, long long *total, struct herr *e)
{
	if (sys_admin(c, e) != 0)
		return -1;
	return model_store_err(store_sys_admin_list(c->st, c->tenant,
	    active_at, type, limit, offset, cb, arg, total), e);
}
