/*
 * The notification-agent's system notifications as each user sees them
 * (agent.md §3.3, §5.2).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent_int.h"
#include "herr.h"
#include "jbuf.h"
#include "jsonio.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"


int
agent_sys_list_row(const struct sysnote *s, void *arg)
{
	struct agent_sys_list	*l = arg;

	return jsonio_append(l->arr, agent_sys_json(s, l->user_view),
	    &l->failed);
}

static int
sys_user_array(struct request *req, struct reply *rep, const char *user,
    enum sys_state below, struct json_object **out)
{
	struct agent_sys_list	l = { NULL, 1, 0 };
	struct herr		e;

	herr_init(&e);
	if ((l.arr = json_object_new_array()) == NULL)
		return agent_store_err(rep, STORE_ERROR);
	if (model_sys_user_list(req->ctx, user, below, agent_sys_list_row, &l,
	    &e) != 0 || l.failed) {
		json_object_put(l.arr);
		return l.failed ? agent_store_err(rep, STORE_ERROR) :
		    reply_err(rep, &e);
	}
	*out = l.arr;
	return 0;
}

int
agent_system_messages(struct request *req, struct reply *rep,
    const char *user, int unseen_only, struct json_object **out)
{
	return sys_user_array(req, rep, user, unseen_only ? SYS_SEEN :
	    SYS_DISMISSED, out);
}

/* Object S of agent.md §3.3, as agent_sys_json() renders it. */
static int
sys_write_row(const struct sysnote *s, void *arg)
{
	struct jbuf	*b = arg;
	char		 id[UUID_STR_LEN];

	util_uuid_format(s->id, 0, id);
	if (b->len > 0 && b->buf[b->len - 1] == '}')
		jbuf_lit(b, ",");
	jbuf_lit_str(b, "{\"uuid\":", id);
	jbuf_lit_str(b, ",\"type\":", s->type);
	jbuf_lit_str(b, ",\"message\":", s->message);
	jbuf_lit(b, s->dismissible ? ",\"dismissible\":true" :
	    ",\"dismissible\":false");
	jbuf_lit(b, s->logins_disabled ? ",\"logins_disabled\":true" :
	    ",\"logins_disabled\":false");
	jbuf_lit_i64(b, ",\"activation_date\":", s->activation);
	jbuf_lit_i64(b, ",\"deactivation_date\":", s->deactivation);
	jbuf_lit_i64(b, ",\"date_created\":", s->created);
	jbuf_lit(b, s->acknowledged ? ",\"acknowledged\":true}" :
	    ",\"acknowledged\":false}");
	return b->over;
}

int
agent_system_messages_write(struct request *req, struct reply *rep,
    const char *user, int unseen_only, struct jbuf *b)
{
	struct herr	e;

	herr_init(&e);
	jbuf_lit(b, "[");
	if (model_sys_user_list(req->ctx, user, unseen_only ? SYS_SEEN :
	    SYS_DISMISSED, sys_write_row, b, &e) != 0)
		return reply_err(rep, &e), -1;
	if (jbuf_lit(b, "]") != 0)
		return agent_store_err(rep, STORE_ERROR), -1;
	return 0;
}

int
agent_system_counts(struct request *req, struct reply *rep, const char *user,
    long long *total, long long *fresh, long long *unseen)
{
	struct herr	e;

	herr_init(&e);
	if (model_sys_user_counts(req->ctx, user, total, fresh, unseen, &e) !=
	    0)
		return reply_err(rep, &e);
	return 0;
}

/* --- the user's view ------------------------------------------------- */

static int
sys_user_listing(struct request *req, struct reply *rep, enum sys_state below)
{
	struct json_object	*arr, *doc;
	const char		*user;

	if (agent_user(req, rep, NULL, &user) != 0 ||
	    sys_user_array(req, rep, user, below, &arr) != 0)
		return rep->status;
	doc = json_object_new_object();
	json_object_object_add(doc, "system-messages", arr);
	return agent_json(rep, doc);
}

/* GET /system/messages: active, not dismissed. */
int
api_agent_sys_messages(struct request *req, struct reply *rep)
{
	return sys_user_listing(req, rep, SYS_DISMISSED);
}

/* GET /system/new-messages: active, not yet received. */
int
api_agent_sys_new(struct request *req, struct reply *rep)
{
	return sys_user_listing(req, rep, SYS_RECEIVED);
}

/* GET /system/unseen-messages: active, not yet seen. */
int
api_agent_sys_unseen(struct request *req, struct reply *rep)
{
	return sys_user_listing(req, rep, SYS_SEEN);
}

/*
 * {"success": true, "count": "<n>"}: the count that matches the state
 * just raised (§5.2 "Response counts").
 */
static int
sys_count_reply(struct request *req, struct reply *rep, const char *user,
    enum sys_state to)
{
	struct json_object	*doc;
	long long		 total = 0, fresh = 0, unseen = 0;

	if (agent_system_counts(req, rep, user, &total, &fresh, &unseen) != 0)
		return rep->status;
	doc = json_object_new_object();
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	json_object_object_add(doc, "count", agent_count_str(
	    to == SYS_RECEIVED ? fresh : to == SYS_SEEN ? unseen : total));
	return agent_json(rep, doc);
}

/* POST /system/{received,seen,delete}?user=U {"uuids": [...]} */
static int
sys_mark(struct request *req, struct reply *rep, enum sys_state to)
{
	struct json_object	*body;
	unsigned char		(*ids)[16];
	const char		*user;
	struct herr		 e;
	size_t			 n;
	int			 rc;

	if (agent_body(req, rep, &body) != 0 ||
	    agent_user(req, rep, body, &user) != 0 ||
	    agent_ids(rep, body, &ids, &n) != 0)
		return rep->status;
	/* Unknown uuids are ignored (agent.md §7.2). */
	herr_init(&e);
	rc = model_sys_mark(req->ctx, user, (const unsigned char (*)[16])ids,
	    n, to, &e);
	free(ids);
	if (rc != 0)
		return reply_err(rep, &e);
	return sys_count_reply(req, rep, user, to);
}

/* POST /system/mark-all-*, DELETE /system/delete-all */
static int
sys_mark_all(struct request *req, struct reply *rep, enum sys_state to,
    int body_user)
{
	struct json_object	*body = NULL;
	const char		*user;
	struct herr		 e;

	if ((body_user && agent_body(req, rep, &body) != 0) ||
	    agent_user(req, rep, body, &user) != 0)
		return rep->status;
	herr_init(&e);
	if (model_sys_mark_all(req->ctx, user, to, &e) != 0)
		return reply_err(rep, &e);
	return sys_count_reply(req, rep, user, to);
}

int
api_agent_sys_received(struct request *req, struct reply *rep)
{
	return sys_mark(req, rep, SYS_RECEIVED);
}

int
api_agent_sys_seen(struct request *req, struct reply *rep)
{
	return sys_mark(req, rep, SYS_SEEN);
}

int
api_agent_sys_delete(struct request *req, struct reply *rep)
{
	return sys_mark(req, rep, SYS_DISMISSED);
}

int
api_agent_sys_mark_all_received(struct request *req, struct reply *rep)
{
	return sys_mark_all(req, rep, SYS_RECEIVED, 1);
}

int
api_agent_sys_mark_all_seen(struct request *req, struct reply *rep)
{
	return sys_mark_all(req, rep, SYS_SEEN, 1);
}

int
api_agent_sys_delete_all(struct request *req, struct reply *rep)
{
	return sys_mark_all(req, rep, SYS_DISMISSED, 0);
}

