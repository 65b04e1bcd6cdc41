/*
 * The DE notification-agent dialect (seed 004): user notifications.
 * Behaviour follows shared/api/agent.md; its section numbers are cited.
 * Thin: parse and validate, call the store, render the agent's JSON.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "agent_int.h"
#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "date.h"
#include "jsonio.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define TENANT	agent_tenant(req)

/*
 * Error body {"error_code", "reason", k: v ...}: the agent's format (§2.2).
 * The variadic part is NULL-terminated name/value string pairs.
 */
int
agent_err(struct reply *rep, int status, const char *code,
    const char *reason, ...)
{
	struct json_object	*doc;
	const char		*k, *v;
	va_list			 ap;

	if ((doc = json_object_new_object()) == NULL)
		return reply_text(rep, 500, "text/plain; charset=utf-8",
		    "out of memory\n");
	json_object_object_add(doc, "error_code",
	    json_object_new_string(code));
	json_object_object_add(doc, "reason", reason != NULL ?
	    json_object_new_string(reason) : NULL);
	va_start(ap, reason);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		json_object_object_add(doc, k, json_object_new_string(v));
	}
	va_end(ap);
	status = reply_json(rep, status, doc);
	json_object_put(doc);
	return status;
}

int
api_agent_error(struct reply *rep, int status, const char *code,
    const char *reason)
{
	return agent_err(rep, status, code, reason, AGENT_END);
}

const char *
agent_tenant(const struct request *req)
{
	return req->principal.tenant != NULL ? req->principal.tenant :
	    STORE_TENANT_DEFAULT;
}

int
api_agent_unrecognized(struct reply *rep)
{
	/* The README's 400, not the original's 404 (agent.md §2.3). */
	return reply_text(rep, 400, "text/plain; charset=utf-8",
	    "Unrecognized service path.\n");
}

int
agent_store_err(struct reply *rep, enum store_rc rc)
{
	switch (rc) {
	case STORE_UNAVAILABLE:
		return agent_err(rep, 503, "ERR_UNAVAILABLE",
		    "the database is unavailable; try again later", AGENT_END);
	case STORE_INVALID:
		return agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD",
		    "a value was refused by the store", AGENT_END);
	default:
		return agent_err(rep, 500, "ERR_UNCHECKED_EXCEPTION",
		    "internal error", AGENT_END);
	}
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

/* Parse the body, whatever its Content-Type (§1); NULL when empty. */
int
agent_body(struct request *req, struct reply *rep, struct json_object **out)
{
	const struct cfg	*cfg = req->app->cfg;
	struct json_object	*doc = NULL;

	*out = NULL;
	switch (jsonio_parse(req->body, req->bodysz, cfg->json_depth, &doc)) {
	case JSONIO_OK:
		req->json = doc;
		*out = doc;
		return 0;
	case JSONIO_EMPTY:
		return 0;
	case JSONIO_DEPTH:
		agent_err(rep, 400, "ERR_INVALID_JSON",
		    "the request body is nested too deeply", AGENT_END);
		return -1;
	case JSONIO_UTF8:
		agent_err(rep, 400, "ERR_INVALID_JSON",
		    "the request body is not valid UTF-8 text", AGENT_END);
		return -1;
	default:
		agent_err(rep, 400, "ERR_INVALID_JSON",
		    "the request body is not valid JSON", AGENT_END);
		return -1;
	}
}

int
agent_too_long(const char *s, size_t max)
{
	return util_utf8_len(s, strlen(s)) > max;
}

/* The principal must be allowed to act for "u" (a user: only itself). */
static int
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

/* "seen": true or false in any case; -1 in *out when absent. */
static int
agent_seen(struct request *req, struct reply *rep, int *out)
{
	const char	*v;
	int		 rc;

	*out = -1;
	if ((rc = agent_param1(req, rep, "seen", &v)) <= 0)
		return rc;
	if (util_strcaseeq(v, "true"))
		*out = 1;
	else if (util_strcaseeq(v, "false"))
		*out = 0;
	else {
		agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
		    "seen must be true or false", "param", "seen",
		    "value", v, AGENT_END);
		return -1;
	}
	return 1;
}

/*
 * "filter": lower-cased, spaces to '_', compared with the stored type;
 * "new" means unseen of any type, everywhere (§5.1.4, §7.7).  The
 * normalised copy goes in buf.
 */
static void
agent_filter(const char *v, char *buf, size_t bufsz, struct note_filter *f)
{
	size_t	i;

	for (i = 0; v[i] != '\0' && i + 1 < bufsz; i++)
		buf[i] = v[i] == ' ' ? '_' : (char)tolower((unsigned char)v[i]);
	buf[i] = '\0';
	if (strcmp(buf, "new") == 0) {
		f->seen = 0;
		f->type = NULL;
	} else
		f->type = buf;
}

static int
agent_filter_param(struct request *req, struct reply *rep, char *buf,
    size_t bufsz, struct note_filter *f)
{
	const char	*v;
	int		 rc;

	if ((rc = agent_param1(req, rep, "filter", &v)) == 1)
		agent_filter(v, buf, bufsz, f);
	return rc;
}

/* sortField / sortDir and their spellings (§5.1.6). */
static int
agent_sort(struct request *req, struct reply *rep, struct note_page *pg)
{
	static const char *const fields[] = { "sortfield", "sort_field",
	    "sort-field", NULL };
	static const char *const dirs[] = { "sortdir", "sort_dir",
	    "sort-dir", NULL };
	const char	*v;
	int		 rc;

	pg->sort = NOTE_SORT_CREATED;
	pg->asc = 0;
	if ((rc = agent_param(req, rep, fields, &v)) < 0)
		return -1;
	if (rc == 1) {
		if (util_strcaseeq(v, "timestamp") ||
		    util_strcaseeq(v, "date_created"))
			pg->sort = NOTE_SORT_CREATED;
		else if (util_strcaseeq(v, "uuid"))
			pg->sort = NOTE_SORT_ID;
		else if (util_strcaseeq(v, "subject"))
			pg->sort = NOTE_SORT_SUBJECT;
		else {
			agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
			    "unknown sort field", "arg_name", "sort-field",
			    "arg_value", v, AGENT_END);
			return -1;
		}
	}
	if ((rc = agent_param(req, rep, dirs, &v)) < 0)
		return -1;
	if (rc == 1) {
		if (util_strcaseeq(v, "asc"))
			pg->asc = 1;
		else if (!util_strcaseeq(v, "desc")) {
			agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
			    "sort direction must be asc or desc", "arg_name",
			    "sort-dir", "arg_value", v, AGENT_END);
			return -1;
		}
	}
	return 0;
}

/*
 * payload.startdate and enddate given as formatted dates are shown as
 * millisecond strings, as the original repaired them (agent.md §5.1.12).
 */
static void
agent_payload_dates(struct json_object *payload)
{
	static const char *const keys[] = { "startdate", "enddate" };
	const char	*v;
	char		 ms[32];
	int64_t		 t;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (jsonio_get_str(payload, keys[i], &v) != 1 ||
		    date_parse_ms(v, &t) != 0)
			continue;
		snprintf(ms, sizeof(ms), "%lld", (long long)t);
		if (strcmp(ms, v) != 0)
			json_object_object_add(payload, keys[i],
			    json_object_new_string(ms));
	}
}

/* The notification object N of agent.md §3.1. */
static struct json_object *
agent_note_json(const struct note *n, int depth)
{
	struct json_object	*o, *m, *payload = NULL;
	char			 id[UUID_STR_LEN], *type, *p;

	if (jsonio_parse(n->payload, strlen(n->payload), depth, &payload) !=
	    JSONIO_OK || !json_object_is_type(payload, json_type_object)) {
		json_object_put(payload);
		payload = json_object_new_object();
	}
	agent_payload_dates(payload);
	/* Types display with spaces: tool_request -> "tool request". */
	if ((type = strdup(n->type)) == NULL) {
		json_object_put(payload);
		return NULL;
	}
	for (p = type; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
	util_uuid_format(n->id, 1, id);
	o = json_object_new_object();
	m = json_object_new_object();
	json_object_object_add(m, "id", json_object_new_string(id));
	json_object_object_add(m, "timestamp",
	    json_object_new_int64(n->created));
	json_object_object_add(m, "text", json_object_new_string(n->body));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "user", json_object_new_string(n->user));
	json_object_object_add(o, "subject",
	    json_object_new_string(n->subject));
	json_object_object_add(o, "email", json_object_new_boolean(n->email));
	json_object_object_add(o, "email_template", n->template != NULL ?
	    json_object_new_string(n->template) : NULL);
	json_object_object_add(o, "payload", payload);
	json_object_object_add(o, "message", m);
	json_object_object_add(o, "seen", json_object_new_boolean(n->seen));
	json_object_object_add(o, "deleted",
	    json_object_new_boolean(n->deleted));
	free(type);
	return o;
}

struct agent_list {
	struct json_object	*arr;
	int			 depth;
	int			 failed;
};

static int
agent_list_row(const struct note *n, void *arg)
{
	struct agent_list	*l = arg;
	struct json_object	*o;

	if ((o = agent_note_json(n, l->depth)) == NULL) {
		l->failed = 1;
		return 1;
	}
	json_object_array_add(l->arr, o);
	return 0;
}

struct json_object *
agent_count_str(long long v)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return json_object_new_string(buf);
}

/*
 * A listing {"total", "unseen_total", "messages", "system-messages"}:
 * total counts the filter's rows ignoring paging, unseen_total the same
 * without the seen condition but unseen (§5.1.7).
 */
static int
agent_listing(struct request *req, struct reply *rep,
    const struct note_filter *f, const struct note_page *pg, int reverse,
    int with_system)
{
	struct store		*st = req->app->store;
	struct agent_list	 l = { NULL, req->app->cfg->json_depth + 1, 0 };
	struct json_object	*doc, *rev, *sys = NULL;
	long long		 total = 0, unseen = 0;
	enum store_rc		 rc;
	size_t			 i, n;

	if ((l.arr = json_object_new_array()) == NULL)
		return agent_store_err(rep, STORE_ERROR);
	/* The counts ignore paging: last-ten's total is everything the
	 * user has, not the ten (§5.1.8). */
	if ((rc = store_note_list(st, f, pg, agent_list_row, &l, &total,
	    &unseen)) != STORE_OK || l.failed) {
		json_object_put(l.arr);
		return agent_store_err(rep, l.failed ? STORE_ERROR : rc);
	}
	if (reverse) {
		rev = json_object_new_array();
		n = json_object_array_length(l.arr);
		for (i = n; i > 0; i--)
			json_object_array_add(rev, json_object_get(
			    json_object_array_get_idx(l.arr, i - 1)));
		json_object_put(l.arr);
		l.arr = rev;
	}
	/* /messages carries the user's system notifications, and
	 * /unseen-messages the unseen ones. */
	if (with_system && (rc = agent_system_messages(req, f->user,
	    f->seen == 0 && with_system == 2, &sys)) != STORE_OK) {
		json_object_put(l.arr);
		return agent_store_err(rep, rc);
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "total", agent_count_str(total));
	json_object_object_add(doc, "unseen_total", agent_count_str(unseen));
	json_object_object_add(doc, "messages", l.arr);
	if (with_system)
		json_object_object_add(doc, "system-messages", sys);
	return agent_json(rep, doc);
}

int
api_agent_welcome(struct request *req, struct reply *rep)
{
	const char	*exp;
	char		 buf[512];
	int		 rc;

	if ((rc = agent_param1(req, rep, "expecting", &exp)) < 0)
		return rep->status;
	if (rc == 1 && strcmp(exp, "notification-agent") != 0) {
		snprintf(buf, sizeof(buf), "Welcome to the notification "
		    "agent!\nError: expecting %.400s.", exp);
		return reply_text(rep, 500, "text/plain; charset=utf-8", buf);
	}
	return reply_text(rep, 200, "text/plain; charset=utf-8",
	    "Welcome to the notification agent!\n");
}

/* A required non-blank string field of POST /notification (§5.1.1). */
static int
agent_required(struct reply *rep, struct json_object *body, const char *name,
    size_t max, const char **out)
{
	char	reason[96];
	int	rc;

	rc = jsonio_get_str(body, name, out);
	if (rc < 0) {
		snprintf(reason, sizeof(reason), "%s must be a string", name);
		return agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD", reason,
		    "field_name", name, AGENT_END);
	}
	if (rc == 0 || util_blank(*out)) {
		snprintf(reason, sizeof(reason), "missing required field %s",
		    name);
		return agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT", reason,
		    "field_name", name, AGENT_END);
	}
	if (agent_too_long(*out, max)) {
		snprintf(reason, sizeof(reason), "%s is longer than %zu "
		    "characters", name, max);
		return agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD", reason,
		    "field_name", name, AGENT_END);
	}
	return 0;
}

int
agent_bad_field(struct reply *rep, const char *name, const char *reason)
{
	return agent_err(rep, 400, "ERR_BAD_OR_MISSING_FIELD", reason,
	    "field_name", name, AGENT_END);
}

/*
 * An address as the agent accepted it (^[^@ ]+@[^@ ]+$), minus what could
 * smuggle headers or extra recipients into a message.
 */
static int
agent_email_address(const char *a)
{
	const char	*at = strchr(a, '@');
	size_t		 i;

	if (at == NULL || at == a || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strlen(a) > 320)
		return 0;
	for (i = 0; a[i] != '\0'; i++)
		if ((unsigned char)a[i] <= ' ' || a[i] == 0x7f ||
		    strchr("<>,;\"()[]\\", a[i]) != NULL)
			return 0;
	return 1;
}

/*
 * Whether the notification gets an e-mail (agent.md §5.3): e-mail is
 * enabled, requested, has a template and a plausible address.  Anything
 * else is stored without one and still answered 200.
 */
static int
agent_email_request(struct request *req, const struct note *n,
    struct json_object *payload, struct delivery_req *d)
{
	const struct cfg	*cfg = req->app->cfg;
	const char		*addr = NULL;

	if (!cfg->email_enabled || !n->email || n->template == NULL ||
	    util_blank(n->template) ||
	    jsonio_get_str(payload, "email_address", &addr) != 1 ||
	    !agent_email_address(addr))
		return 0;
	memset(d, 0, sizeof(*d));
	util_uuid_new(d->id);
	d->method = cfg->email_method;
	d->address = addr;
	d->template = n->template;
	return 1;
}

int
api_agent_notification_create(struct request *req, struct reply *rep)
{
	struct json_object	*body, *v, *payload = NULL, *doc;
	struct note		 n;
	struct delivery_req	 d;
	enum store_rc		 rc;
	char			 id[UUID_STR_LEN];
	size_t			 len;
	int			 status, deliver;

	if (agent_body(req, rep, &body) != 0)
		return rep->status;
	memset(&n, 0, sizeof(n));
	if (body == NULL || !json_object_is_type(body, json_type_object))
		body = NULL;
	if ((status = agent_required(rep, body, "type", NOTE_TYPE_MAX,
	    &n.type)) != 0 ||
	    (status = agent_required(rep, body, "user", NOTE_USER_MAX,
	    &n.user)) != 0 ||
	    (status = agent_required(rep, body, "subject", NOTE_SUBJECT_MAX,
	    &n.subject)) != 0)
		return status;
	if (agent_acting_for(req, rep, n.user, &n.user) != 0)
		return rep->status;
	if (jsonio_get_str(body, "message", &n.body) < 0)
		return agent_bad_field(rep, "message",
		    "message must be a string");
	if (n.body == NULL)
		n.body = n.subject;
	if (strlen(n.body) > NOTE_BODY_MAX)
		return agent_bad_field(rep, "message", "message is too long");
	if (json_object_object_get_ex(body, "email", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			return agent_bad_field(rep, "email",
			    "email must be true or false");
		n.email = json_object_get_boolean(v);
	}
	if (jsonio_get_str(body, "email_template", &n.template) < 0)
		return agent_bad_field(rep, "email_template",
		    "email_template must be a string");
	if (n.template != NULL && agent_too_long(n.template,
	    NOTE_TEMPLATE_MAX))
		return agent_bad_field(rep, "email_template",
		    "email_template is too long");
	if (jsonio_get_obj(body, "payload", &payload) < 0)
		return agent_bad_field(rep, "payload",
		    "payload must be an object");
	n.payload = payload != NULL ? jsonio_text(payload, &len) : "{}";
	if (n.payload == NULL)
		return agent_store_err(rep, STORE_ERROR);

	/*
	 * The e-mail request is kept with the notification (email, template,
	 * payload.email_address); a deliverable one is queued in the same
	 * transaction and sent by "herald dispatch", off the request path.
	 */
	util_uuid_new(n.id);
	n.created = util_now_ms();
	deliver = agent_email_request(req, &n, payload, &d);
	if ((rc = store_note_create(req->app->store, TENANT, &n,
	    deliver ? &d : NULL)) != STORE_OK)
		return agent_store_err(rep, rc);
	util_uuid_format(n.id, 1, id);
	doc = json_object_new_object();
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	json_object_object_add(doc, "id", json_object_new_string(id));
	return agent_json(rep, doc);
}

/* GET /messages (§3.1 #3). */
int
api_agent_messages(struct request *req, struct reply *rep)
{
	struct note_filter	f;
	struct note_page	pg;
	char			fbuf[256];

	memset(&f, 0, sizeof(f));
	memset(&pg, 0, sizeof(pg));
	f.tenant = TENANT;
	if (agent_user(req, rep, NULL, &f.user) != 0 ||
	    agent_long(req, rep, "limit", &pg.limit) < 0 ||
	    agent_long(req, rep, "offset", &pg.offset) < 0 ||
	    agent_seen(req, rep, &f.seen) < 0 ||
	    agent_sort(req, rep, &pg) < 0 ||
	    agent_filter_param(req, rep, fbuf, sizeof(fbuf), &f) < 0)
		return rep->status;
	return agent_listing(req, rep, &f, &pg, 0, 1);
}

/* GET /unseen-messages: unseen, oldest first, no paging (§3.1 #4). */
int
api_agent_unseen(struct request *req, struct reply *rep)
{
	struct note_filter	f;
	struct note_page	pg;

	memset(&f, 0, sizeof(f));
	memset(&pg, 0, sizeof(pg));
	f.tenant = TENANT;
	f.seen = 0;
	pg.asc = 1;
	if (agent_user(req, rep, NULL, &f.user) != 0)
		return rep->status;
	return agent_listing(req, rep, &f, &pg, 0, 2);
}

/* GET /last-ten-messages: the ten newest, oldest first (§5.1.8). */
int
api_agent_last_ten(struct request *req, struct reply *rep)
{
	struct note_filter	f;
	struct note_page	pg;

	memset(&f, 0, sizeof(f));
	memset(&pg, 0, sizeof(pg));
	f.tenant = TENANT;
	f.seen = -1;
	pg.limit = 10;
	if (agent_user(req, rep, NULL, &f.user) != 0)
		return rep->status;
	return agent_listing(req, rep, &f, &pg, 1, 0);
}

/* GET /count-messages: numbers, not strings (§5.5). */
int
api_agent_count(struct request *req, struct reply *rep)
{
	struct note_filter	 f;
	struct json_object	*doc;
	long long		 total = 0, unseen = 0, st = 0, sn = 0, su = 0;
	long long		 all[5];
	enum store_rc		 rc;
	char			 fbuf[256];

	memset(&f, 0, sizeof(f));
	f.tenant = TENANT;
	if (agent_user(req, rep, NULL, &f.user) != 0 ||
	    agent_seen(req, rep, &f.seen) < 0 ||
	    agent_filter_param(req, rep, fbuf, sizeof(fbuf), &f) < 0)
		return rep->status;
	if (f.type == NULL) {
		/* Unfiltered (or "new"): one statement answers it all. */
		if ((rc = store_counts_overview(req->app->store, TENANT,
		    f.user, util_now_ms(), all)) != STORE_OK)
			return agent_store_err(rep, rc);
		total = f.seen < 0 ? all[0] : f.seen == 0 ? all[1] :
		    all[0] - all[1];
		st = all[2];
		sn = all[3];
		su = all[4];
	} else if ((rc = store_note_count(req->app->store, &f, &total,
	    &unseen)) != STORE_OK ||
	    (rc = agent_system_counts(req, f.user, &st, &sn, &su)) != STORE_OK)
		return agent_store_err(rep, rc);
	/* The system counts ignore seen and filter (§5.1.9). */
	doc = json_object_new_object();
	json_object_object_add(doc, "user-total", json_object_new_int64(total));
	json_object_object_add(doc, "system-total", json_object_new_int64(st));
	json_object_object_add(doc, "system-total-new",
	    json_object_new_int64(sn));
	json_object_object_add(doc, "system-total-unseen",
	    json_object_new_int64(su));
	return agent_json(rep, doc);
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

/* {"success": true, "count": remaining unseen} with count as "numeric". */
static int
agent_count_reply(struct request *req, struct reply *rep, const char *user,
    int as_string)
{
	struct note_filter	 f;
	struct json_object	*doc;
	long long		 total = 0, unseen = 0;
	enum store_rc		 rc;

	memset(&f, 0, sizeof(f));
	f.tenant = TENANT;
	f.user = user;
	f.seen = 0;
	if ((rc = store_note_count(req->app->store, &f, &total, &unseen)) !=
	    STORE_OK)
		return agent_store_err(rep, rc);
	doc = json_object_new_object();
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	json_object_object_add(doc, "count", as_string ?
	    agent_count_str(unseen) : json_object_new_int64(unseen));
	return agent_json(rep, doc);
}

/* POST /seen?user=U {"uuids": [...]} (§3.1 #7, §5.1.3). */
int
api_agent_seen(struct request *req, struct reply *rep)
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
	rc = store_note_mark_seen(req->app->store, TENANT, user,
	    (const unsigned char (*)[16])ids, n, util_now_ms());
	free(ids);
	if (rc != STORE_OK)
		return agent_store_err(rep, rc);
	return agent_count_reply(req, rep, user, 0);
}

/* An optional string field of a body, for the filters of mark-all-seen. */
static int
agent_opt_str(struct reply *rep, struct json_object *body, const char *name,
    const char **out)
{
	*out = NULL;
	if (body != NULL && jsonio_get_str(body, name, out) < 0) {
		agent_bad_field(rep, name, "must be a string");
		return -1;
	}
	return 0;
}

/* POST /mark-all-seen {"user": U[, "type"|"filter", "subject"]} (§5.1.10). */
int
api_agent_mark_all_seen(struct request *req, struct reply *rep)
{
	struct json_object	*body;
	struct note_filter	 f;
	const char		*filter, *user;
	char			 fbuf[256];
	enum store_rc		 rc;

	memset(&f, 0, sizeof(f));
	f.tenant = TENANT;
	f.seen = -1;
	if (agent_body(req, rep, &body) != 0)
		return rep->status;
	if (body != NULL && !json_object_is_type(body, json_type_object))
		body = NULL;
	/* The body names the user here; the query string is the fallback. */
	if (body != NULL && jsonio_get_str(body, "user", &user) == 1 &&
	    !util_blank(user)) {
		if (agent_too_long(user, NOTE_USER_MAX))
			return agent_bad_field(rep, "user", "user is too long");
		if (agent_acting_for(req, rep, user, &f.user) != 0)
			return rep->status;
	} else if (agent_user(req, rep, NULL, &f.user) != 0)
		return rep->status;
	if (agent_opt_str(rep, body, "type", &f.type) != 0 ||
	    agent_opt_str(rep, body, "filter", &filter) != 0 ||
	    agent_opt_str(rep, body, "subject", &f.subject) != 0)
		return rep->status;
	if (filter != NULL)
		agent_filter(filter, fbuf, sizeof(fbuf), &f);
	if ((rc = store_note_mark_all_seen(req->app->store, &f,
	    util_now_ms())) != STORE_OK)
		return agent_store_err(rep, rc);
	return agent_count_reply(req, rep, f.user, 0);
}

/* POST /delete?user=U {"uuids": [...]} (§3.1 #9). */
int
api_agent_delete(struct request *req, struct reply *rep)
{
	struct json_object	*body, *doc;
	unsigned char		(*ids)[16];
	const char		*user;
	size_t			 n;
	enum store_rc		 rc;

	if (agent_body(req, rep, &body) != 0 ||
	    agent_user(req, rep, body, &user) != 0 ||
	    agent_ids(rep, body, &ids, &n) != 0)
		return rep->status;
	rc = store_note_delete(req->app->store, TENANT, user,
	    (const unsigned char (*)[16])ids, n, util_now_ms());
	free(ids);
	if (rc != STORE_OK)
		return agent_store_err(rep, rc);
	doc = json_object_new_object();
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	return agent_json(rep, doc);
}

/*
 * DELETE /delete-all?user=U: "filter", "type", "subject", "seen" and
 * "created-before" (ms) narrow it (§5.1.11).  count is a string.
 */
int
api_agent_delete_all(struct request *req, struct reply *rep)
{
	struct note_filter	 f;
	const char		*v;
	char			 fbuf[256];
	long long		 before;
	enum store_rc		 rc;
	int			 r;

	memset(&f, 0, sizeof(f));
	f.tenant = TENANT;
	if (agent_user(req, rep, NULL, &f.user) != 0 ||
	    agent_seen(req, rep, &f.seen) < 0 ||
	    agent_param1(req, rep, "type", &f.type) < 0 ||
	    agent_param1(req, rep, "subject", &f.subject) < 0 ||
	    agent_filter_param(req, rep, fbuf, sizeof(fbuf), &f) < 0 ||
	    (r = agent_param1(req, rep, "created-before", &v)) < 0)
		return rep->status;
	if (r == 1) {
		if (util_strtoll(v, 1, INT64_MAX, &before) != 0)
			return agent_err(rep, 400, "ERR_BAD_QUERY_PARAMETER",
			    "created-before must be milliseconds since the "
			    "epoch", "param", "created-before", "value", v,
			    AGENT_END);
		f.created_before = before;
	}
	if ((rc = store_note_delete_all(req->app->store, &f,
	    util_now_ms())) != STORE_OK)
		return agent_store_err(rep, rc);
	return agent_count_reply(req, rep, f.user, 1);
}
