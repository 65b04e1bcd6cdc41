/*
 * The Coder dialect's shared pieces: codersdk.Response errors, JSON as
 * Go's encoding/json writes it, times, and the InboxNotification.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "coder_int.h"
#include "herr.h"
#include "jbuf.h"
#include "jsonio.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

/* Our own errors carry Coder's message verbatim; others are mapped. */
#define CODER_DCODE	"coder"

/* Coder's words for an error Herald found below the dialect. */
static const char *
coder_message(const struct herr *e)
{
	switch (e->code) {
	case HERR_BAD_JSON:
		return "Request body must be valid JSON.";
	case HERR_UNAUTHENTICATED:
		return "You are signed out or your session has expired. "
		    "Please sign in again to continue.";
	case HERR_FORBIDDEN:
		return "Forbidden.";
	case HERR_NOT_FOUND:
		return "Resource not found or you do not have access to "
		    "this resource";
	case HERR_NO_ROUTE:
		return "Route not found.";
	case HERR_METHOD:
		return "Method not allowed.";
	case HERR_INTERNAL:
		return "An internal error occurred.";
	default:
		return e->message;
	}
}

static void
coder_add_validation(struct json_object *arr, const char *field,
    const char *detail)
{
	struct json_object	*v = json_object_new_object();

	json_object_object_add(v, "field", json_object_new_string(field));
	json_object_object_add(v, "detail", json_object_new_string(detail));
	json_object_array_add(arr, v);
}

/* codersdk.Response: {message, detail?, validations?[{field, detail}]} */
int
coder_render_error(struct request *req, struct reply *rep,
    const struct herr *e)
{
	struct json_object	*doc, *arr = NULL;
	const char		*detail = NULL, *nl;
	char			 field[HERR_VALUE_MAX];
	int			 own = e->dcode != NULL &&
				     strcmp(e->dcode, CODER_DCODE) == 0;
	size_t			 i;

	(void)req;
	if ((doc = json_object_new_object()) == NULL)
		return reply_text(rep, 500, "text/plain; charset=utf-8",
		    "out of memory\n");
	json_object_object_add(doc, "message", json_object_new_string(
	    own ? e->message : coder_message(e)));
	for (i = 0; i < e->nkv; i++)
		if (strcmp(e->kv[i].key, "detail") == 0)
			detail = e->kv[i].value;
	if (detail == NULL && !own && strcmp(coder_message(e), e->message))
		detail = e->message;
	if (detail != NULL && detail[0] != '\0')
		json_object_object_add(doc, "detail",
		    json_object_new_string(detail));
	if (e->field[0] != '\0') {
		arr = json_object_new_array();
		coder_add_validation(arr, e->field, own && e->has_value ?
		    e->value : e->message);
		for (i = 0; i < e->nkv; i++) {
			if (strcmp(e->kv[i].key, "validation") != 0 ||
			    (nl = strchr(e->kv[i].value, '\n')) == NULL)
				continue;
			snprintf(field, sizeof(field), "%.*s",
			    (int)(nl - e->kv[i].value), e->kv[i].value);
			coder_add_validation(arr, field, nl + 1);
		}
		json_object_object_add(doc, "validations", arr);
	}
	if (e->allow[0] != '\0')
		(void)reply_header(rep, "Allow", e->allow);
	return coder_json(rep, e->status, doc);
}

int
coder_fail(struct reply *rep, int status, const char *message,
    const char *detail)
{
	enum herr_code	code;

	switch (status) {
	case 400:
		code = HERR_BAD_REQUEST;
		break;
	case 401:
		code = HERR_UNAUTHENTICATED;
		break;
	case 403:
		code = HERR_FORBIDDEN;
		break;
	case 404:
		code = HERR_NOT_FOUND;
		break;
	default:
		code = status >= 500 ? HERR_INTERNAL : HERR_BAD_REQUEST;
		break;
	}
	reply_fail(rep, status, code, "%s", message);
	rep->err.dcode = CODER_DCODE;
	if (detail != NULL)
		herr_kv(&rep->err, "detail", detail);
	return status;
}

void
coder_validation(struct reply *rep, const char *field, const char *detail)
{
	char	buf[HERR_VALUE_MAX];
	size_t	i, n;

	if (rep->err.field[0] == '\0') {
		herr_field(&rep->err, HERR_SRC_QUERY, field, detail);
		return;
	}
	/* "field\ndetail": a field name never keeps a line break. */
	n = util_utf8_cut(field, HERR_FIELD_MAX - 1);
	for (i = 0; i < n; i++)
		buf[i] = field[i] == '\n' ? ' ' : field[i];
	snprintf(buf + n, sizeof(buf) - n, "\n%s", detail);
	herr_kv(&rep->err, "validation", buf);
}

int
coder_model_err(struct reply *rep, const struct herr *e)
{
	rep->err = *e;
	rep->status = e->status;
	return e->status;
}

int
coder_json(struct reply *rep, int status, struct json_object *doc)
{
	const char	*text;
	char		*buf;
	size_t		 len;

	if (doc == NULL ||
	    (text = jsonio_text(doc, &len)) == NULL ||
	    (buf = malloc(len + 2)) == NULL) {
		json_object_put(doc);
		return reply_text(rep, 500, "text/plain; charset=utf-8",
		    "out of memory\n");
	}
	memcpy(buf, text, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	status = reply_text(rep, status, "application/json; charset=utf-8",
	    buf);
	free(buf);
	json_object_put(doc);
	return status;
}

void
coder_time_text(int64_t ms, char *buf, size_t sz)
{
	char	*dot, *z;
	size_t	 len;

	util_time_rfc3339(ms, buf, sz);
	/* RFC3339Nano drops trailing zeros of the fraction, and a bare dot. */
	if ((dot = strchr(buf, '.')) != NULL && (z = strchr(dot, 'Z')) !=
	    NULL) {
		len = (size_t)(z - dot);
		while (len > 1 && dot[len - 1] == '0')
			len--;
		if (len == 1)
			len = 0;
		memmove(dot + len, z, strlen(z) + 1);
	}
}

int
coder_note_write(struct jbuf *b, const struct note *n, const char *icon,
    size_t *icon_at)
{
	static const unsigned char	nil[16];
	char				id[UUID_STR_LEN], when[40];
	int64_t				read_at;

	if (icon_at != NULL)
		*icon_at = SIZE_MAX;
	util_uuid_format(n->id, 0, id);
	jbuf_lit_str(b, "{\"id\":", id);
	util_uuid_format(n->user_id, 0, id);
	jbuf_lit_str(b, ",\"user_id\":", id);
	/* A notification made without a template: uuid.Nil, as Go says. */
	util_uuid_format(n->has_template_id ? n->template_id : nil, 0, id);
	jbuf_lit_str(b, ",\"template_id\":", id);
	jbuf_lit(b, ",\"targets\":");
	jsonio_stored(b, n->targets, 16, '[', "[]");
	jbuf_lit_str(b, ",\"title\":", n->subject);
	jbuf_lit_str(b, ",\"content\":", n->body);
	jbuf_lit(b, ",\"icon\":");
	if (n->icon != NULL && n->icon[0] != '\0')
		jbuf_str(b, n->icon);
	else if (icon != NULL || icon_at == NULL)
		jbuf_str(b, icon != NULL ? icon : "");
	else
		*icon_at = b->len;
	jbuf_lit(b, ",\"actions\":");
	jsonio_stored(b, n->actions, 16, '[', "[]");
	read_at = n->seen ? (n->seen_at != 0 ? n->seen_at : n->updated) : 0;
	if (read_at != 0) {
		coder_time_text(read_at, when, sizeof(when));
		jbuf_lit_str(b, ",\"read_at\":", when);
	} else
		jbuf_lit(b, ",\"read_at\":null");
	coder_time_text(n->created, when, sizeof(when));
	jbuf_lit_str(b, ",\"created_at\":", when);
	return jbuf_lit(b, "}");
}

int
coder_reply(struct reply *rep, int status, struct jbuf *b,
    const char *failed)
{
	/* json.Encoder's newline. */
	jbuf_lit(b, "\n");
	if (b->over) {
		jbuf_free(b);
		return coder_fail(rep, 500, failed, "the answer is larger "
		    "than reply_max");
	}
	return reply_jbuf(rep, status, b);
}

const char *
coder_me(struct request *req, struct reply *rep)
{
	/* Every inbox is a user's: a principal bound to none has none. */
	if (req->principal.user == NULL || req->principal.user[0] == '\0') {
		coder_fail(rep, 401, "You are signed out or your session has "
		    "expired. Please sign in again to continue.",
		    "This credential is not bound to a user.");
		return NULL;
	}
	return req->principal.user;
}
