/*
 * FOLIO: errors as RMB writes them, the parameter checks of its traits,
 * the request body through RMB's pipeline (peers.md §1.4), and the
 * notification object.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "cfg.h"
#include "folio_int.h"
#include "herr.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define TEXT_CT		"text/plain; charset=utf-8"
#define FOLIO_500	"Internal Server Error, Please contact System " \
			"Administrator or try again"
#define INT_MAX_TEXT	"2147483647"

int
folio_json(struct reply *rep, int status, struct json_object *doc)
{
	char	*text;
	size_t	 len;

	if (doc == NULL || (text = folio_jackson(doc, &len)) == NULL) {
		json_object_put(doc);
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	}
	status = reply_text(rep, status, "application/json", text);
	free(text);
	json_object_put(doc);
	return status;
}

/* {"errors":[{message,type,code,parameters:[{key,value}]}],"total_records":1} */
static int
folio_render_422(struct reply *rep, const struct herr *e)
{
	struct json_object	*doc, *errs, *one, *params, *kv;

	doc = json_object_new_object();
	errs = json_object_new_array();
	one = json_object_new_object();
	params = json_object_new_array();
	kv = json_object_new_object();
	if (doc == NULL || errs == NULL || one == NULL || params == NULL ||
	    kv == NULL) {
		json_object_put(doc);
		json_object_put(errs);
		json_object_put(one);
		json_object_put(params);
		json_object_put(kv);
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	}
	json_object_object_add(one, "message",
	    json_object_new_string(e->message));
	json_object_object_add(one, "type", json_object_new_string("1"));
	json_object_object_add(one, "code", json_object_new_string(
	    e->dcode != NULL ? e->dcode : "-1"));
	json_object_object_add(kv, "key", json_object_new_string(e->field));
	json_object_object_add(kv, "value",
	    json_object_new_string(e->has_value ? e->value : ""));
	json_object_array_add(params, kv);
	json_object_object_add(one, "parameters", params);
	json_object_array_add(errs, one);
	json_object_object_add(doc, "errors", errs);
	json_object_object_add(doc, "total_records", json_object_new_int(1));
	return folio_json(rep, 422, doc);
}

int
folio_render_error(struct request *req, struct reply *rep,
    const struct herr *e)
{
	(void)req;
	if (e->status == 422)
		return folio_render_422(rep, e);
	/* RMB hides what went wrong inside; the log has it. */
	if (e->status == 500)
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	return reply_text(rep, e->status, TEXT_CT, e->message);
}

int
folio_text_err(struct reply *rep, int status, const char *fmt, ...)
{
	char	msg[HERR_MSG_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return reply_fail(rep, status, status == 404 ? HERR_NOT_FOUND :
	    status >= 500 ? HERR_INTERNAL : HERR_BAD_REQUEST, "%s", msg);
}

int
folio_422(struct reply *rep, const char *code, const char *key,
    const char *value, const char *fmt, ...)
{
	char	msg[HERR_MSG_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_fail(rep, 422, HERR_INVALID, "%s", msg);
	rep->err.dcode = code;
	herr_field(&rep->err, HERR_SRC_BODY, key, value != NULL ? value : "");
	return 422;
}

int
folio_model_err(struct reply *rep, const struct herr *e)
{
	rep->err = *e;
	if (e->status == 409) {
		rep->err.status = 422;
		rep->err.code = HERR_INVALID;
	}
	/* The model's 422s carry Herald's own codes; FOLIO's are "-1". */
	if (rep->err.status == 422)
		rep->err.dcode = NULL;
	rep->status = rep->err.status;
	return rep->status;
}

static int
hexrun(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
folio_uuid_loose(const char *s)
{
	return strlen(s) == 36 && s[8] == '-' && s[13] == '-' &&
	    s[18] == '-' && s[23] == '-' && hexrun(s, 8) &&
	    hexrun(s + 9, 4) && hexrun(s + 14, 4) && hexrun(s + 19, 4) &&
	    hexrun(s + 24, 12);
}

int
folio_uuid_strict(const char *s)
{
	/* Version 1-5 and the RFC 4122 variant (8, 9, a, b). */
	return folio_uuid_loose(s) && s[14] >= '1' && s[14] <= '5' &&
	    strchr("89abAB", s[19]) != NULL;
}

/* RMB's wording for a parameter outside its range. */
static int
param_bad(struct reply *rep, const char *name, const char *value,
    const char *rule)
{
	return folio_text_err(rep, 400, "\n '%s' parameter is incorrect. "
	    "parameter value {%s} is not valid: %s", name, value, rule), -1;
}

/* An int parameter as Java's Integer.parseInt reads it; -1 on failure. */
static int
param_int(struct request *req, struct reply *rep, const char *name,
    long long dflt, long long *out)
{
	const char	*v;
	long long	 n;
	int		 rc;

	*out = dflt;
	if ((rc = req_param(req, name, 0, &v)) < 0)
		return folio_text_err(rep, 400, "'%s' was given more than once",
		    name), -1;
	if (rc == 0)
		return 0;
	if (strlen(v) > 11 || util_strtoll(v, -2147483648LL, 2147483647LL,
	    &n) != 0)
		return folio_text_err(rep, 400, "For input string: \"%.64s\"",
		    v), -1;
	if (n < 0)
		return param_bad(rep, name, v,
		    "must be greater than or equal to 0");
	*out = n;
	return 0;
}

int
folio_params(struct request *req, struct reply *rep, int paged,
    long long *offset, long long *limit)
{
	const char	*lang;
	long long	 off = 0, lim = 10;
	int		 rc;

	if (paged && (param_int(req, rep, "offset", 0, &off) != 0 ||
	    param_int(req, rep, "limit", 10, &lim) != 0))
		return -1;
	if (offset != NULL)
		*offset = off;
	if (limit != NULL)
		*limit = lim;
	if ((rc = req_param(req, "lang", 0, &lang)) < 0)
		return folio_text_err(rep, 400, "'lang' was given more than "
		    "once"), -1;
	if (rc == 1 && (strlen(lang) != 2 ||
	    !isalpha((unsigned char)lang[0]) ||
	    !isalpha((unsigned char)lang[1])))
		return param_bad(rep, "lang", lang,
		    "must match \"[a-zA-Z]{2}\"");
	return 0;
}

const char *
folio_caller(struct request *req)
{
	const char	*id = req_header(req, "X-Okapi-User-Id");

	if (id == NULL || *id == '\0')
		return NULL;
	return id;
}

/* --- the body pipeline ---------------------------------------------- */

/* Jackson's words for the first thing it could not read at "at". */
static int
body_syntax(struct reply *rep, const char *body, size_t len, size_t at)
{
	size_t	from, to;

	if (at >= len)
		return folio_text_err(rep, 400, "Unexpected end-of-input");
	if (isalpha((unsigned char)body[at])) {
		from = at;
		while (from > 0 && isalnum((unsigned char)body[from - 1]))
			from--;
		to = at;
		while (to < len && to - from < 64 &&
		    isalnum((unsigned char)body[to]))
			to++;
		return folio_text_err(rep, 400, "Unrecognized token '%.*s': "
		    "was expecting (JSON String, Number, Array, Object or "
		    "token 'null', 'true' or 'false')", (int)(to - from),
		    body + from);
	}
	return folio_text_err(rep, 400, "Unexpected character ('%c' (code "
	    "%d))", isprint((unsigned char)body[at]) ? body[at] : '?',
	    (unsigned char)body[at]);
}

static int
body_json(struct request *req, struct reply *rep, const char *class,
    struct json_object **out)
{
	struct json_tokener	*tok;
	struct json_object	*doc;
	enum json_tokener_error	 jerr;
	size_t			 end;

	*out = NULL;
	if (!util_utf8_valid(req->body, req->bodysz))
		return folio_text_err(rep, 400, "Invalid UTF-8 in the "
		    "request body"), -1;
	if ((tok = json_tokener_new_ex(req->app->cfg->json_depth)) == NULL)
		return folio_text_err(rep, 500, "out of memory"), -1;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, req->body, (int)req->bodysz);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue || req->bodysz == 0) {
		json_object_put(doc);
		return folio_text_err(rep, 400, "No content to map due to "
		    "end-of-input"), -1;
	}
	if (jerr == json_tokener_error_depth) {
		json_object_put(doc);
		return folio_text_err(rep, 400, "The request body is nested "
		    "too deeply"), -1;
	}
	if (jerr != json_tokener_success || end != req->bodysz) {
		json_object_put(doc);
		/* Trailing blanks are fine; anything else is not. */
		while (jerr == json_tokener_success && end < req->bodysz &&
		    isspace((unsigned char)req->body[end]))
			end++;
		if (jerr == json_tokener_success && end == req->bodysz)
			return folio_text_err(rep, 400, "The request body "
			    "holds more than one value"), -1;
		return body_syntax(rep, req->body, req->bodysz, end), -1;
	}
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return folio_text_err(rep, 400, "Cannot deserialize value of "
		    "type `org.folio.rest.jaxrs.model.%s` from a value that "
		    "is not an object", class), -1;
	}
	*out = doc;
	return 0;
}

/* The schema's properties, in its order, with their bounds. */
static const struct body_field {
	const char	*name;
	json_type	 type;
	size_t		 max;		/* characters; 0: not a string */
} body_fields[] = {
	{ "id", json_type_string, 64 },
	{ "recipientId", json_type_string, NOTE_USER_MAX },
	{ "senderId", json_type_string, NOTE_USER_MAX },
	{ "text", json_type_string, NOTE_BODY_MAX },
	{ "link", json_type_string, NOTE_LINK_MAX },
	{ "eventConfigName", json_type_string, NOTE_TYPE_MAX },
	{ "lang", json_type_string, 16 },
	{ "context", json_type_object, 0 },
	{ "seen", json_type_boolean, 0 },
	{ "metadata", json_type_object, 0 },
};

static const char *const meta_fields[] = { "createdDate", "createdByUserId",
	"createdByUsername", "updatedDate", "updatedByUserId",
	"updatedByUsername" };

/* Unknown properties, as Jackson reports the first (422). */
static int
body_unknown(struct reply *rep, struct json_object *doc)
{
	size_t	i;

	json_object_object_foreach(doc, key, val) {
		(void)val;
		for (i = 0; i < sizeof(body_fields) / sizeof(body_fields[0]);
		    i++)
			if (strcmp(key, body_fields[i].name) == 0)
				break;
		if (i == sizeof(body_fields) / sizeof(body_fields[0]))
			return folio_422(rep, NULL, "", "", "Unrecognized field "
			    "\"%.64s\" (class org.folio.rest.jaxrs.model."
			    "Notification), not marked as ignorable", key), -1;
	}
	return 0;
}

/* Types and lengths; a wrong type is a mapping error (400) in Jackson. */
static int
body_types(struct reply *rep, struct json_object *doc)
{
	struct json_object	*v;
	size_t			 i, n;

	for (i = 0; i < sizeof(body_fields) / sizeof(body_fields[0]); i++) {
		const struct body_field	*f = &body_fields[i];

		if (!json_object_object_get_ex(doc, f->name, &v) || v == NULL)
			continue;
		if (!json_object_is_type(v, f->type))
			return folio_text_err(rep, 400, "Cannot deserialize "
			    "the value of \"%s\": wrong type", f->name), -1;
		if (f->max == 0)
			continue;
		n = util_utf8_len(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		if (n > f->max || memchr(json_object_get_string(v), '\0',
		    (size_t)json_object_get_string_len(v)) != NULL)
			return folio_422(rep, NULL, f->name, NULL, "size must "
			    "be between 0 and %zu", f->max), -1;
	}
	return 0;
}

/* A client's metadata is checked as the schema says, then replaced. */
static int
body_metadata(struct reply *rep, struct json_object *doc)
{
	struct json_object	*m, *v;
	size_t			 i;

	if (!json_object_object_get_ex(doc, "metadata", &m) || m == NULL)
		return 0;
	json_object_object_foreach(m, key, val) {
		(void)val;
		for (i = 0; i < sizeof(meta_fields) / sizeof(meta_fields[0]);
		    i++)
			if (strcmp(key, meta_fields[i]) == 0)
				break;
		if (i == sizeof(meta_fields) / sizeof(meta_fields[0]))
			return folio_422(rep, NULL, "", "", "Unrecognized field "
			    "\"%.64s\" (class org.folio.rest.jaxrs.model."
			    "Metadata), not marked as ignorable", key), -1;
	}
	if (!json_object_object_get_ex(m, "createdDate", &v) || v == NULL)
		return folio_422(rep, "jakarta.validation.constraints.NotNull."
		    "message", "metadata.createdDate", "null",
		    "must not be null"), -1;
	if (!json_object_object_get_ex(m, "createdByUserId", &v) ||
	    v == NULL)
		return folio_422(rep, "jakarta.validation.constraints.NotNull."
		    "message", "metadata.createdByUserId", "null",
		    "must not be null"), -1;
	return 0;
}

static const char *
body_str(struct json_object *doc, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
folio_body_object(struct request *req, struct reply *rep, const char *class,
    struct json_object **out)
{
	const char	*ct = req->content_type;
	size_t		 n;

	*out = NULL;
	/* application/json, with or without parameters. */
	n = strlen("application/json");
	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' '))
		return folio_text_err(rep, 400, "Content-type header must be "
		    "[\"application/json\"] but it is \"%.64s\"",
		    ct != NULL ? ct : ""), -1;
	return body_json(req, rep, class, out);
}

int
folio_body_parse(struct request *req, struct reply *rep,
    struct folio_body *b)
{
	struct json_object	*v;

	memset(b, 0, sizeof(*b));
	if (folio_body_object(req, rep, "Notification", &b->doc) != 0 ||
	    body_unknown(rep, b->doc) != 0 || body_types(rep, b->doc) != 0)
		goto fail;
	if ((b->text = body_str(b->doc, "text")) == NULL) {
		folio_422(rep, "jakarta.validation.constraints.NotNull.message",
		    "text", "null", "must not be null");
		goto fail;
	}
	if (body_metadata(rep, b->doc) != 0)
		goto fail;
	b->id = body_str(b->doc, "id");
	if (b->id != NULL && util_blank(b->id))
		b->id = NULL;
	b->recipient = body_str(b->doc, "recipientId");
	if (b->recipient != NULL && *b->recipient == '\0')
		b->recipient = NULL;
	b->sender = body_str(b->doc, "senderId");
	b->link = body_str(b->doc, "link");
	b->event = body_str(b->doc, "eventConfigName");
	b->lang = body_str(b->doc, "lang");
	if (json_object_object_get_ex(b->doc, "context", &v) && v != NULL)
		b->context = json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN);
	if (json_object_object_get_ex(b->doc, "seen", &v) && v != NULL)
		b->seen = json_object_get_boolean(v);
	return 0;
fail:
	folio_body_free(b);
	return -1;
}

void
folio_body_free(struct folio_body *b)
{
	json_object_put(b->doc);
	b->doc = NULL;
}

/* --- the notification object ---------------------------------------- */

/* "2024-05-01T10:11:12.345+00:00": Jackson's StdDateFormat, in UTC. */
static struct json_object *
folio_date(int64_t ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);
	char		buf[48];

	if (gmtime_r(&t, &tm) == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return json_object_new_string(buf);
}

static void
add_str(struct json_object *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_object_add(o, key, json_object_new_string(s));
}

struct json_object *
folio_note_json(const struct note *n)
{
	struct json_object	*o, *m, *ctx = NULL;
	char			 id[UUID_STR_LEN];

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	util_uuid_format(n->id, 0, id);
	add_str(o, "id", id);
	util_uuid_format(n->user_id, 0, id);
	add_str(o, "recipientId", id);
	add_str(o, "senderId", n->sender);
	add_str(o, "text", n->body);
	add_str(o, "link", n->link);
	add_str(o, "eventConfigName", n->type != NULL && *n->type != '\0' ?
	    n->type : NULL);
	add_str(o, "lang", n->lang);
	/* An empty context is one the record did not have. */
	if (n->payload != NULL && strcmp(n->payload, "{}") != 0 &&
	    (ctx = json_tokener_parse(n->payload)) != NULL &&
	    json_object_is_type(ctx, json_type_object))
		json_object_object_add(o, "context", ctx);
	else
		json_object_put(ctx);
	json_object_object_add(o, "seen", json_object_new_boolean(n->seen));
	if ((m = json_object_new_object()) != NULL) {
		json_object_object_add(m, "createdDate", folio_date(n->created));
		add_str(m, "createdByUserId", n->created_by);
		json_object_object_add(m, "updatedDate", folio_date(n->updated));
		add_str(m, "updatedByUserId", n->updated_by);
		json_object_object_add(o, "metadata", m);
	}
	return o;
}
