/*
 * The notification-agent dialect (seed 004): what its handlers share —
 * parameters, the user a request is about, and its error format.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent_int.h"
#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "herr.h"
#include "jsonio.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "router.h"
#include "store.h"
#include "util.h"

int
agent_err(struct reply *rep, int status, const char *code,
    const char *reason, ...)
{
	const char	*k, *v;
	va_list		 ap;

	herr_init(&rep->err);
	herr_set(&rep->err, status, status == 403 ? HERR_FORBIDDEN :
	    status == 503 ? HERR_UNAVAILABLE : status >= 500 ? HERR_INTERNAL :
	    HERR_BAD_REQUEST, "%s", reason);
	rep->err.dcode = code;
	va_start(ap, reason);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		herr_kv(&rep->err, k, v);
	}
	va_end(ap);
	rep->status = status;
	return status;
}

int
agent_store_err(struct reply *rep, enum store_rc rc)
{
	struct herr	e;

	herr_init(&e);
	model_store_err(rc == STORE_OK ? STORE_ERROR : rc, &e);
	return reply_err(rep, &e);
}

/* The agent's code for an error found below it (§2.2). */
static const char *
agent_code(const struct herr *e)
{
	switch (e->code) {
	case HERR_BAD_QUERY:
	case HERR_URI_TOO_LONG:
		return "ERR_BAD_QUERY_PARAMETER";
	case HERR_BAD_JSON:
		return "ERR_INVALID_JSON";
	case HERR_INVALID:
		return "ERR_BAD_OR_MISSING_FIELD";
	case HERR_UNAUTHENTICATED:
		return "ERR_NOT_AUTHORIZED";
	case HERR_FORBIDDEN:
		return "ERR_FORBIDDEN";
	case HERR_NOT_FOUND:
	case HERR_NO_ROUTE:
		return "ERR_NOT_FOUND";
	case HERR_TOO_LARGE:
		return "ERR_REQUEST_TOO_LARGE";
	case HERR_UNAVAILABLE:
		return "ERR_UNAVAILABLE";
	case HERR_BAD_REQUEST:
		return "ERR_ILLEGAL_ARGUMENT";
	default:
		return "ERR_UNCHECKED_EXCEPTION";
	}
}

/*
 * Error body {"error_code", "reason", k: v ...}: the agent's format
 * (§2.2), whose statuses are 400 and 500 for what others call 422.
 */
int
agent_render_error(struct request *req, struct reply *rep,
    const struct herr *e)
{
	struct json_object	*doc;
	int			 status = e->status == 422 ? 400 : e->status;
	size_t			 i;

	(void)req;
	if ((doc = json_object_new_object()) == NULL)
		return reply_text(rep, 500, "text/plain; charset=utf-8",
		    "out of memory\n");
	json_object_object_add(doc, "error_code", json_object_new_string(
	    e->dcode != NULL ? e->dcode : agent_code(e)));
	json_object_object_add(doc, "reason",
	    json_object_new_string(e->message));
	for (i = 0; i < e->nkv; i++)
		json_object_object_add(doc, e->kv[i].key,
		    json_object_new_string(e->kv[i].value));
	status = reply_json(rep, status, doc);
	json_object_put(doc);
	return status;
}

int
agent_render_miss(struct request *req, struct reply *rep, enum route_rc rc)
{
	(void)req;
	(void)rc;
	/* Unknown path and wrong method alike: the README's 400, not the
	 * original's 404 (agent.md §2.3). */
	return reply_text(rep, 400, "text/plain; charset=utf-8",
	    "Unrecognized service path.\n");
}

int
agent_json(struct reply *rep, struct json_object *doc)
{
	int	status;

	if (doc == NULL)
		return agent_store_err(rep, STORE_ERROR);
	status = reply_json(rep, 200, doc);
	json_object_put(doc);
	return status;
}

/*
 * A query parameter under any of "names" (case-insensitive, §1).
 * Returns 1 and *val, 0 when absent, -1 with the reply set when repeated.
 */
int
agent_param(struct request *req, struct reply *rep,
    const char *const *names, const char **val)
{
	const char	*v;
	int		 found = 0, rc;

	for (; *names != NULL; names++) {
		if ((rc = req_param(req, *names, 1, &v)) == 0)
			continue;
		if (rc < 0 || found) {
			agent_err(rep, 400, "ERR_BAD_QUERY_PARAMETER",
			    "parameter given more than once", "param",
			    *names, AGENT_END);
			return -1;
		}
		*val = v;
		found = 1;
	}
	return found;
}

int
agent_param1(struct request *req, struct reply *rep, const char *name,
    const char **val)
{
	const char *const	names[] = { name, NULL };

	return agent_param(req, rep, names, val);
}

/*
 * The body, parsed centrally for routes marked ROUTE_JSON whatever its
 * Content-Type (§1); NULL when empty.
 */
int
agent_body(struct request *req, struct reply *rep, struct json_object **out)
{
	(void)rep;
	*out = req->json;
	return 0;
}

int
agent_too_long(const char *s, size_t max)
{
	return util_utf8_len(s, strlen(s)) > max;
}

/* The principal must be allowed to act for "u" (a user: only itself). */
int
agent_acting_for(struct request *req, struct reply *rep, const char *u,
    const char **user)
{
	if (!auth_may_act_for(req, u)) {
		agent_err(rep, 403, "ERR_FORBIDDEN",
		    "not allowed to act for this user", "param", "user", AGENT_END);
		return -1;
	}
	*user = u;
	return 0;
}

/*
 * The user a request is about: the query string first, then the body's
 * "user" field (§1 "Where user comes from").
 */
int
agent_user(struct request *req, struct reply *rep, struct json_object *body,
    const char **user)
{
	const char	*u = NULL;
	int		 rc;

	if ((rc = agent_param1(req, rep, "user", &u)) < 0)
		return -1;
	if (rc == 0 && body != NULL && jsonio_get_str(body, "user", &u) < 0)
		u = NULL;
	/* A user-role principal need not name itself. */
	if (u == NULL && req->principal.role == ROLE_USER)
		u = req->principal.user;
	if (u == NULL || util_blank(u)) {
		agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
		    "missing or empty parameter: user", "code",
		    "notification-agent.query/missing-or-empty-param",
		    "param", "user", AGENT_END);
		return -1;
	}
	if (agent_too_long(u, NOTE_USER_MAX)) {
		agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
		    "parameter too long: user", "param", "user", AGENT_END);
		return -1;
	}
	return agent_acting_for(req, rep, u, user);
}

/* "limit"/"offset": longs; <= 0 means none (§5.1.7). */
int
agent_long(struct request *req, struct reply *rep, const char *name,
    long long *out)
{
	const char	*v;
	int		 rc;

	*out = 0;
	if ((rc = agent_param1(req, rep, name, &v)) <= 0)
		return rc;
	if (util_strtoll(v, INT64_MIN, INT64_MAX, out) != 0) {
		agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
		    "not an integer", "details",
		    "notification-agent.query/invalid-long-integer-param",
		    "param", name, "value", v, AGENT_END);
		return -1;
	}
	if (*out < 0)
		*out = 0;
	return 1;
}


/*
 * The body's "uuids": a JSON array of UUID strings, at most NOTE_IDS_MAX.
 * On success *ids is malloc'd (caller frees) and *n set.
 */
int
agent_ids(struct reply *rep, struct json_object *body,
    unsigned char (**ids)[16], size_t *n)
{
	struct json_object	*arr, *v;
	unsigned char		(*out)[16];
	const char		*s;
	size_t			 i, len;

	if (body == NULL || jsonio_get_arr(body, "uuids", &arr) != 1) {
		agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD",
		    "uuids must be an array of UUIDs", "field_name", "uuids",
		    AGENT_END);
		return -1;
	}
	len = json_object_array_length(arr);
	if (len > NOTE_IDS_MAX) {
		agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD",
		    "too many uuids in one request", "field_name", "uuids",
		    AGENT_END);
		return -1;
	}
	if ((out = calloc(len > 0 ? len : 1, sizeof(*out))) == NULL) {
		agent_store_err(rep, STORE_ERROR);
		return -1;
	}
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(arr, i);
		s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : NULL;
		/* A NUL inside would end the C string early: refuse it. */
		if (s == NULL || strlen(s) !=
		    (size_t)json_object_get_string_len(v) ||
		    util_uuid_parse(s, out[i]) != 0) {
			agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD",
			    "invalid UUID", "description", "invalid UUID",
			    "value", s != NULL ? s :
			    json_object_to_json_string(v), AGENT_END);
			free(out);
			return -1;
		}
	}
	*ids = out;
	*n = len;
	return 0;
}

