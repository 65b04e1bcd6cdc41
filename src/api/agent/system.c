/*
 * The notification-agent's system notifications (agent.md §3.2, §3.3,
 * §5.2): the admin API and each user's view of the broadcasts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent_int.h"
#include "api.h"
#include "app.h"
#include "date.h"
#include "jsonio.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define TENANT	agent_tenant(req)

/* Admin object A; with "user_view", the user's S (adds acknowledged). */
static struct json_object *
sys_json(const struct sysnote *s, int user_view)
{
	struct json_object	*o;
	char			 id[UUID_STR_LEN];

	util_uuid_format(s->id, 0, id);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "uuid", json_object_new_string(id));
	json_object_object_add(o, "type", json_object_new_string(s->type));
	json_object_object_add(o, "message",
	    json_object_new_string(s->message));
	json_object_object_add(o, "dismissible",
	    json_object_new_boolean(s->dismissible));
	json_object_object_add(o, "logins_disabled",
	    json_object_new_boolean(s->logins_disabled));
	json_object_object_add(o, "activation_date",
	    json_object_new_int64(s->activation));
	json_object_object_add(o, "deactivation_date",
	    json_object_new_int64(s->deactivation));
	json_object_object_add(o, "date_created",
	    json_object_new_int64(s->created));
	if (user_view)
		json_object_object_add(o, "acknowledged",
		    json_object_new_boolean(s->acknowledged));
	return o;
}

struct sys_list {
	struct json_object	*arr;
	int			 user_view;
	int			 failed;
};

static int
sys_list_row(const struct sysnote *s, void *arg)
{
	struct sys_list		*l = arg;
	struct json_object	*o;

	if ((o = sys_json(s, l->user_view)) == NULL) {
		l->failed = 1;
		return 1;
	}
	json_object_array_add(l->arr, o);
	return 0;
}

static enum store_rc
sys_user_array(struct request *req, const char *user, enum sys_state below,
    struct json_object **out)
{
	struct sys_list	l = { NULL, 1, 0 };
	enum store_rc	rc;

	if ((l.arr = json_object_new_array()) == NULL)
		return STORE_ERROR;
	rc = store_sys_user_list(req->app->store, TENANT, user, below,
	    util_now_ms(), sys_list_row, &l);
	if (rc == STORE_OK && l.failed)
		rc = STORE_ERROR;
	if (rc != STORE_OK) {
		json_object_put(l.arr);
		return rc;
	}
	*out = l.arr;
	return STORE_OK;
}

enum store_rc
agent_system_messages(struct request *req, const char *user, int unseen_only,
    struct json_object **out)
{
	return sys_user_array(req, user, unseen_only ? SYS_SEEN :
	    SYS_DISMISSED, out);
}

enum store_rc
agent_system_counts(struct request *req, const char *user, long long *total,
    long long *fresh, long long *unseen)
{
	return store_sys_user_counts(req->app->store, TENANT, user,
	    util_now_ms(), total, fresh, unseen);
}

/* --- the user's view ------------------------------------------------- */

static int
sys_user_listing(struct request *req, struct reply *rep, enum sys_state below)
{
	struct json_object	*arr, *doc;
	const char		*user;
	enum store_rc		 rc;

	if (agent_user(req, rep, NULL, &user) != 0)
		return rep->status;
	if ((rc = sys_user_array(req, user, below, &arr)) != STORE_OK)
		return agent_store_err(rep, rc);
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
	enum store_rc		 rc;

	if ((rc = agent_system_counts(req, user, &total, &fresh, &unseen)) !=
	    STORE_OK)
		return agent_store_err(rep, rc);
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
	size_t			 n;
	enum store_rc		 rc;

	if (agent_body(req, rep, &body) != 0 ||
	    agent_user(req, rep, body, &user) != 0 ||
	    agent_ids(rep, body, &ids, &n) != 0)
		return rep->status;
	/* Unknown uuids are ignored (agent.md §7.2). */
	rc = store_sys_mark(req->app->store, TENANT, user,
	    (const unsigned char (*)[16])ids, n, to, util_now_ms());
	free(ids);
	if (rc != STORE_OK)
		return agent_store_err(rep, rc);
	return sys_count_reply(req, rep, user, to);
}

/* POST /system/mark-all-*, DELETE /system/delete-all */
static int
sys_mark_all(struct request *req, struct reply *rep, enum sys_state to,
    int body_user)
{
	struct json_object	*body = NULL;
	const char		*user;
	enum store_rc		 rc;

	if ((body_user && agent_body(req, rep, &body) != 0) ||
	    agent_user(req, rep, body, &user) != 0)
		return rep->status;
	if ((rc = store_sys_mark_all(req->app->store, TENANT, user, to,
	    util_now_ms())) != STORE_OK)
		return agent_store_err(rep, rc);
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

/* --- admin ------------------------------------------------------------ */

/*
 * A date field: a number, a digit string or a formatted date (§5.6).
 * Returns 1 and *ms, 0 when absent or null, -1 with the reply set.
 */
static int
sys_date(struct reply *rep, struct json_object *body, const char *name,
    int64_t *ms)
{
	struct json_object	*v;
	char			 reason[128];

	if (!json_object_object_get_ex(body, name, &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) >= 0) {
		*ms = json_object_get_int64(v);
		return 1;
	}
	if (json_object_is_type(v, json_type_string) &&
	    date_parse_ms(json_object_get_string(v), ms) == 0)
		return 1;
	snprintf(reason, sizeof(reason), "%s is not a date: use milliseconds "
	    "since the epoch or a date such as 2026-11-24T10:00:00.000Z", name);
	agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT", reason, "field_name", name,
	    AGENT_END);
	return -1;
}

/* A boolean field; 0 when absent, -1 with the reply set when not boolean. */
static int
sys_bool(struct reply *rep, struct json_object *body, const char *name,
    int *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(body, name, &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return 1;
	}
	agent_bad_field(rep, name, "must be true or false");
	return -1;
}

/* A string field within bounds; 0 when absent, -1 with the reply set. */
static int
sys_str(struct reply *rep, struct json_object *body, const char *name,
    size_t max, const char **out)
{
	char	reason[96];
	int	rc;

	if ((rc = jsonio_get_str(body, name, out)) < 0) {
		snprintf(reason, sizeof(reason), "%s must be a string", name);
		agent_bad_field(rep, name, reason);
		return -1;
	}
	if (rc == 1 && strlen(*out) > max) {
		snprintf(reason, sizeof(reason), "%s is too long", name);
		agent_bad_field(rep, name, reason);
		return -1;
	}
	return rc;
}

static int
sys_missing(struct reply *rep, const char *name)
{
	char	reason[96];

	snprintf(reason, sizeof(reason), "missing required field %s", name);
	return agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT", reason,
	    "field_name", name, AGENT_END);
}

/* Read every admin field present in "body" into "s". */
static int
sys_fields(struct request *req, struct reply *rep, struct json_object *body,
    struct sysnote *s, unsigned int *seen)
{
	int	known, rc;

	*seen = 0;
	if ((rc = sys_str(rep, body, "type", SYS_TYPE_MAX, &s->type)) < 0)
		return -1;
	if (rc == 1 && util_blank(s->type)) {
		sys_missing(rep, "type");
		return -1;
	}
	if (rc == 1) {
		if (store_sys_type_known(req->app->store, s->type, &known) !=
		    STORE_OK) {
			agent_store_err(rep, STORE_UNAVAILABLE);
			return -1;
		}
		if (!known) {
			agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
			    "unknown system notification type; see "
			    "/admin/system-types", "field_name", "type",
			    "value", s->type, AGENT_END);
			return -1;
		}
		*seen |= 1;
	}
	if ((rc = sys_str(rep, body, "message", SYS_MESSAGE_MAX,
	    &s->message)) < 0)
		return -1;
	*seen |= rc == 1 ? 2 : 0;
	if ((rc = sys_date(rep, body, "deactivation_date",
	    &s->deactivation)) < 0)
		return -1;
	*seen |= rc == 1 ? 4 : 0;
	if ((rc = sys_date(rep, body, "activation_date", &s->activation)) < 0)
		return -1;
	*seen |= rc == 1 ? 8 : 0;
	if (sys_bool(rep, body, "dismissible", &s->dismissible) < 0 ||
	    sys_bool(rep, body, "logins_disabled", &s->logins_disabled) < 0)
		return -1;
	return 0;
}

static int
sys_window(struct reply *rep, const struct sysnote *s)
{
	if (s->activation >= s->deactivation)
		return agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
		    "The activation date needs to be prior to the "
		    "deactivation date.", AGENT_END);
	return 0;
}

/* {"action": A, "success": true, "system-notification": {...}} */
static int
sys_action_reply(struct reply *rep, const char *action,
    const struct sysnote *s)
{
	struct json_object	*doc;

	doc = json_object_new_object();
	json_object_object_add(doc, "action", json_object_new_string(action));
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	json_object_object_add(doc, "system-notification", sys_json(s, 0));
	return agent_json(rep, doc);
}

/* The README wraps update bodies in {"system-notification": {...}}. */
static struct json_object *
sys_unwrap(struct json_object *body)
{
	struct json_object	*inner;

	if (jsonio_get_obj(body, "system-notification", &inner) == 1)
		return inner;
	return body;
}

/* PUT /admin/system */
int
api_agent_admin_create(struct request *req, struct reply *rep)
{
	struct json_object	*body;
	struct sysnote		 s;
	unsigned int		 seen;
	enum store_rc		 rc;
	int64_t			 now = util_now_ms();

	if (agent_body(req, rep, &body) != 0)
		return rep->status;
	if (body == NULL || !json_object_is_type(body, json_type_object))
		return sys_missing(rep, "type");
	body = sys_unwrap(body);
	memset(&s, 0, sizeof(s));
	s.activation = now;
	if (sys_fields(req, rep, body, &s, &seen) != 0)
		return rep->status;
	if (!(seen & 1) || util_blank(s.type))
		return sys_missing(rep, "type");
	if (!(seen & 4))
		return sys_missing(rep, "deactivation_date");
	if (!(seen & 2) || util_blank(s.message))
		return sys_missing(rep, "message");
	if (s.deactivation <= now)
		return agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
		    "The provided deactivation date is in the past.", AGENT_END);
	if (sys_window(rep, &s) != 0)
		return rep->status;
	util_uuid_new(s.id);
	s.created = now;
	if ((rc = store_sys_create(req->app->store, TENANT, &s)) != STORE_OK)
		return agent_store_err(rep, rc);
	return sys_action_reply(rep, "add-system-notification", &s);
}

/* {uuid} from the path: 400 when it is not a UUID. */
static int
sys_path_id(struct request *req, struct reply *rep, unsigned char id[16])
{
	if (req->ncaptures < 1 || util_uuid_parse(req->captures[0], id) != 0) {
		agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD", "invalid UUID",
		    "description", "invalid UUID", "value",
		    req->ncaptures > 0 ? req->captures[0] : "", AGENT_END);
		return -1;
	}
	return 0;
}

static int
sys_not_found(struct request *req, struct reply *rep)
{
	return agent_err(rep, 404, "ERR_NOT_FOUND",
	    "no such system notification", "system_msg_id",
	    req->captures[0], AGENT_END);
}

/* Look the {uuid} notification up; strings freed by the caller. */
static int
sys_load(struct request *req, struct reply *rep, struct sysnote *s,
    char **type, char **message)
{
	unsigned char	id[16];
	enum store_rc	rc;

	*type = *message = NULL;
	memset(s, 0, sizeof(*s));
	if (sys_path_id(req, rep, id) != 0)
		return -1;
	rc = store_sys_get(req->app->store, TENANT, id, s, type, message);
	if (rc == STORE_NOTFOUND) {
		sys_not_found(req, rep);
		return -1;
	}
	if (rc != STORE_OK) {
		agent_store_err(rep, rc);
		return -1;
	}
	return 0;
}

/* GET /admin/system/{uuid} */
int
api_agent_admin_get(struct request *req, struct reply *rep)
{
	struct sysnote	 s;
	char		*type, *message;
	int		 status;

	if (sys_load(req, rep, &s, &type, &message) != 0)
		return rep->status;
	status = sys_action_reply(rep, "get-system-notification", &s);
	free(type);
	free(message);
	return status;
}

/*
 * POST /admin/system/{uuid}: change the fields present, then every user
 * sees it as new again (§5.2 "Admin update").
 */
int
api_agent_admin_update(struct request *req, struct reply *rep)
{
	struct json_object	*body, *doc, *a;
	struct sysnote		 s;
	char			*type, *message;
	unsigned int		 seen;
	enum store_rc		 rc;
	int			 status;

	if (agent_body(req, rep, &body) != 0 ||
	    sys_load(req, rep, &s, &type, &message) != 0)
		return rep->status;
	status = rep->status;
	if (body != NULL && !json_object_is_type(body, json_type_object)) {
		status = agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD",
		    "the body must be a JSON object", AGENT_END);
		goto out;
	}
	if (body != NULL) {
		if (sys_fields(req, rep, sys_unwrap(body), &s, &seen) != 0 ||
		    ((seen & 2) && util_blank(s.message) &&
		    sys_missing(rep, "message")) || sys_window(rep, &s) != 0) {
			status = rep->status;
			goto out;
		}
	}
	if ((rc = store_sys_update(req->app->store, TENANT, &s)) != STORE_OK) {
		status = agent_store_err(rep, rc);
		goto out;
	}
	/* The README's flat fields, plus the wrapped object. */
	doc = sys_json(&s, 0);
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	a = sys_json(&s, 0);
	json_object_object_add(doc, "system-notification", a);
	status = agent_json(rep, doc);
out:
	free(type);
	free(message);
	return status;
}

/* DELETE /admin/system/{uuid}: answers with the deleted notification. */
int
api_agent_admin_delete(struct request *req, struct reply *rep)
{
	struct sysnote	 s;
	char		*type, *message;
	enum store_rc	 rc;
	int		 status;

	if (sys_load(req, rep, &s, &type, &message) != 0)
		return rep->status;
	rc = store_sys_delete(req->app->store, TENANT, s.id);
	if (rc == STORE_NOTFOUND)
		status = sys_not_found(req, rep);
	else if (rc != STORE_OK)
		status = agent_store_err(rep, rc);
	else
		status = sys_action_reply(rep, "delete-system-notification",
		    &s);
	free(type);
	free(message);
	return status;
}

/* GET /admin/system?active-only&type&limit&offset */
int
api_agent_admin_list(struct request *req, struct reply *rep)
{
	struct sys_list		 l = { NULL, 0, 0 };
	struct json_object	*doc;
	const char		*active = NULL, *type = NULL;
	long long		 limit, offset, total = 0;
	enum store_rc		 rc;

	if (agent_param1(req, rep, "active-only", &active) < 0 ||
	    agent_param1(req, rep, "type", &type) < 0 ||
	    agent_long(req, rep, "limit", &limit) < 0 ||
	    agent_long(req, rep, "offset", &offset) < 0)
		return rep->status;
	if ((l.arr = json_object_new_array()) == NULL)
		return agent_store_err(rep, STORE_ERROR);
	rc = store_sys_admin_list(req->app->store, TENANT,
	    active != NULL && util_strcaseeq(active, "true") ? util_now_ms() :
	    0, type, limit, offset, sys_list_row, &l, &total);
	if (rc != STORE_OK || l.failed) {
		json_object_put(l.arr);
		return agent_store_err(rep, l.failed ? STORE_ERROR : rc);
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "action",
	    json_object_new_string("admin-list-system-notifications"));
	json_object_object_add(doc, "status", json_object_new_string("success"));
	json_object_object_add(doc, "system-messages", l.arr);
	json_object_object_add(doc, "total", json_object_new_int64(total));
	return agent_json(rep, doc);
}

static int
sys_type_add(const char *name, void *arg)
{
	json_object_array_add(arg, json_object_new_string(name));
	return 0;
}

/* GET /admin/system-types */
int
api_agent_admin_types(struct request *req, struct reply *rep)
{
	struct json_object	*arr, *doc;
	enum store_rc		 rc;

	if ((arr = json_object_new_array()) == NULL)
		return agent_store_err(rep, STORE_ERROR);
	if ((rc = store_sys_types(req->app->store, sys_type_add, arr)) !=
	    STORE_OK) {
		json_object_put(arr);
		return agent_store_err(rep, rc);
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "action",
	    json_object_new_string("get-system-notification-types"));
	json_object_object_add(doc, "status", json_object_new_string("success"));
	json_object_object_add(doc, "types", arr);
	return agent_json(rep, doc);
}
