/* /v1: a user's active system notifications and their state. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "herr.h"
#include "jsonio.h"
#include "model.h"
#include "native_int.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

static struct json_object *
nv_sys_json(const struct sysnote *s)
{
	static const char *const states[] = { "new", "received", "seen",
	    "dismissed" };
	char			 id[UUID_STR_LEN];
	struct jsonio_field	 f[] = {
		{ "id", JSONIO_STR, id, 0, NULL },
		{ "type", JSONIO_STR, s->type, 0, NULL },
		{ "message", JSONIO_STR, s->message, 0, NULL },
		{ "dismissible", JSONIO_BOOL, NULL, s->dismissible, NULL },
		{ "logins_disabled", JSONIO_BOOL, NULL, s->logins_disabled,
		    NULL },
		{ "activation", JSONIO_VALUE, NULL, 0,
		    native_time(s->activation, 0) },
		{ "deactivation", JSONIO_VALUE, NULL, 0,
		    native_time(s->deactivation, 0) },
		{ "created_at", JSONIO_VALUE, NULL, 0,
		    native_time(s->created, 0) },
		{ "state", JSONIO_STR, states[(unsigned int)s->state <=
		    SYS_DISMISSED ? s->state : 0], 0, NULL },
	};

	util_uuid_format(s->id, 0, id);
	return jsonio_object(f, sizeof(f) / sizeof(f[0]));
}

struct nv_sys {
	struct json_object	*arr;
	int			 failed;
};

static int
nv_sys_row(const struct sysnote *s, void *arg)
{
	struct nv_sys		*l = arg;

	return jsonio_append(l->arr, nv_sys_json(s), &l->failed);
}

int
api_native_sys_list(struct request *req, struct reply *rep)
{
	struct nv_sys		 l = { NULL, 0 };
	struct json_object	*doc;
	char			 user[NOTE_USER_MAX * 4 + 1];
	struct herr		 e;

	if (native_path_user(req, rep, user, sizeof(user)) < 0)
		return rep->status;
	if ((l.arr = json_object_new_array()) == NULL)
		return native_fail(rep, 500, NULL, "out of memory");
	herr_init(&e);
	if (model_sys_user_list(req->ctx, user, SYS_DISMISSED, nv_sys_row, &l,
	    &e) != 0 || l.failed) {
		json_object_put(l.arr);
		return l.failed ? native_fail(rep, 500, NULL, "internal error") :
		    reply_err(rep, &e);
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "items", l.arr);
	return native_json(rep, 200, doc);
}

static int
nv_sys_keep(const struct sysnote *s, void *arg)
{
	int	*dismissible = arg;

	*dismissible = s->dismissible;
	return 1;
}

/* Raise the user's state of {id} to "to", then answer with it. */
static int
nv_sys_mark(struct request *req, struct reply *rep, enum sys_state to)
{
	struct nv_sys		 l = { NULL, 0 };
	struct json_object	*o;
	unsigned char		 id[16];
	char			 user[NOTE_USER_MAX * 4 + 1];
	const char		*ref = req_capture(req, "id");
	struct herr		 e;
	int			 dismissible = 0;

	if (native_path_user(req, rep, user, sizeof(user)) < 0)
		return rep->status;
	if (ref == NULL || util_uuid_parse(ref, id) != 0)
		return native_fail(rep, 404, NULL,
		    "no such active system notification");
	herr_init(&e);
	if (model_sys_user_get(req->ctx, user, id, nv_sys_keep, &dismissible,
	    &e) != 0)
		return reply_err(rep, &e);
	if (to == SYS_DISMISSED && !dismissible) {
		native_fail(rep, 422, NULL,
		    "this system notification cannot be dismissed");
		rep->err.dcode = "not_dismissible";
		return 422;
	}
	if (model_sys_mark(req->ctx, user, (const unsigned char (*)[16])id, 1,
	    to, &e) != 0)
		return reply_err(rep, &e);
	if ((l.arr = json_object_new_array()) == NULL)
		return native_fail(rep, 500, NULL, "out of memory");
	if (model_sys_user_get(req->ctx, user, id, nv_sys_row, &l, &e) != 0 ||
	    l.failed) {
		json_object_put(l.arr);
		return l.failed ? native_fail(rep, 500, NULL, "internal error") :
		    reply_err(rep, &e);
	}
	o = json_object_get(json_object_array_get_idx(l.arr, 0));
	json_object_put(l.arr);
	return native_json(rep, 200, o);
}

/* POST …/system-notifications/{id}/seen and …/dismiss */
int
api_native_sys_act(struct request *req, struct reply *rep)
{
	const char	*a = strrchr(req->path, '/');

	/* The router matched one of the two paths. */
	return nv_sys_mark(req, rep, a != NULL && strcmp(a, "/seen") == 0 ?
	    SYS_SEEN : SYS_DISMISSED);
}
