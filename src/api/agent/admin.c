/*
 * The notification-agent's administration of system notifications
 * (agent.md §3.2, §5.2).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent_int.h"
#include "date.h"
#include "herr.h"
#include "jsonio.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

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
		struct herr	e;

		herr_init(&e);
		if (model_sys_type_known(req->ctx, s->type, &known, &e) != 0) {
			reply_err(rep, &e);
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
	json_object_object_add(doc, "system-notification", agent_sys_json(s, 0));
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
	struct herr		 e;
	unsigned int		 seen;
	int64_t			 now = req->ctx->now;

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
	herr_init(&e);
	if (model_sys_create(req->ctx, &s, &e) != 0)
		return reply_err(rep, &e);
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
	struct herr	e;

	*type = *message = NULL;
	memset(s, 0, sizeof(*s));
	if (sys_path_id(req, rep, id) != 0)
		return -1;
	herr_init(&e);
	if (model_sys_get(req->ctx, id, s, type, message, &e) == 0)
		return 0;
	if (e.code == HERR_NOT_FOUND)
		sys_not_found(req, rep);
	else
		reply_err(rep, &e);
	return -1;
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
	struct herr		 e;
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
	herr_init(&e);
	if (model_sys_update(req->ctx, &s, &e) != 0) {
		status = reply_err(rep, &e);
		goto out;
	}
	/* The README's flat fields, plus the wrapped object. */
	doc = agent_sys_json(&s, 0);
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	a = agent_sys_json(&s, 0);
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
	struct herr	 e;
	int		 status;

	if (sys_load(req, rep, &s, &type, &message) != 0)
		return rep->status;
	herr_init(&e);
	if (model_sys_delete(req->ctx, s.id, &e) != 0)
		status = e.code == HERR_NOT_FOUND ? sys_not_found(req, rep) :
		    reply_err(rep, &e);
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
	struct agent_sys_list	 l = { NULL, 0, 0 };
	struct json_object	*doc;
	const char		*active = NULL, *type = NULL;
	long long		 limit, offset, total = 0;
	struct herr		 e;
	int			 rc;

	if (agent_param1(req, rep, "active-only", &active) < 0 ||
	    agent_param1(req, rep, "type", &type) < 0 ||
	    agent_long(req, rep, "limit", &limit) < 0 ||
	    agent_long(req, rep, "offset", &offset) < 0)
		return rep->status;
	if ((l.arr = json_object_new_array()) == NULL)
		return agent_store_err(rep, STORE_ERROR);
	herr_init(&e);
	rc = model_sys_admin_list(req->ctx,
	    active != NULL && util_strcaseeq(active, "true") ? req->ctx->now :
	    0, type, limit, offset, agent_sys_list_row, &l, &total, &e);
	if (rc != 0 || l.failed) {
		json_object_put(l.arr);
		return l.failed ? agent_store_err(rep, STORE_ERROR) :
		    reply_err(rep, &e);
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
	struct herr		 e;

	if ((arr = json_object_new_array()) == NULL)
		return agent_store_err(rep, STORE_ERROR);
	herr_init(&e);
	if (model_sys_types(req->ctx, sys_type_add, arr, &e) != 0) {
		json_object_put(arr);
		return reply_err(rep, &e);
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "action",
	    json_object_new_string("get-system-notification-types"));
	json_object_object_add(doc, "status", json_object_new_string("success"));
	json_object_object_add(doc, "types", arr);
	return agent_json(rep, doc);
}
