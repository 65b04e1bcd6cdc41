/* /v1: errors in Herald's own format, the user of a path, the JSON. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "cfg.h"
#include "herr.h"
#include "jbuf.h"
#include "jsonio.h"
#include "model.h"
#include "native_int.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

/* {"error":{"status","code","message","field"?}} */
int
native_render_error(struct request *req, struct reply *rep,
    const struct herr *e)
{
	struct json_object	*doc, *o;
	int			 status;

	(void)req;
	if ((doc = json_object_new_object()) == NULL ||
	    (o = json_object_new_object()) == NULL) {
		json_object_put(doc);
		return reply_text(rep, 500, "text/plain; charset=utf-8",
		    "out of memory\n");
	}
	json_object_object_add(o, "status", json_object_new_int(e->status));
	json_object_object_add(o, "code", json_object_new_string(
	    e->dcode != NULL ? e->dcode : herr_code_name(e->code)));
	json_object_object_add(o, "message",
	    json_object_new_string(e->message));
	if (e->field[0] != '\0')
		json_object_object_add(o, "field",
		    json_object_new_string(e->field));
	json_object_object_add(doc, "error", o);
	status = reply_json(rep, e->status, doc);
	json_object_put(doc);
	return status;
}

int
native_fail(struct reply *rep, int status, const char *field,
    const char *fmt, ...)
{
	char	msg[HERR_MSG_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_fail(rep, status, status == 422 ? HERR_INVALID :
	    status == 404 ? HERR_NOT_FOUND : status == 403 ? HERR_FORBIDDEN :
	    status == 409 ? HERR_CONFLICT : status >= 500 ? HERR_INTERNAL :
	    HERR_BAD_REQUEST, "%s", msg);
	if (field != NULL)
		herr_field(&rep->err, HERR_SRC_BODY, field, NULL);
	return status;
}

int
native_json(struct reply *rep, int status, struct json_object *doc)
{
	if (doc == NULL)
		return native_fail(rep, 500, NULL, "out of memory");
	status = reply_json(rep, status, doc);
	json_object_put(doc);
	return status;
}

int
native_path_user(struct request *req, struct reply *rep, char *name,
    size_t namesz)
{
	const char	*ref = req_capture(req, "user");
	unsigned char	 id[16];
	struct herr	 e;
	int		 rc;

	if (ref == NULL || util_utf8_len(ref, strlen(ref)) > NOTE_USER_MAX)
		return native_fail(rep, 400, "user", "bad user in the path"),
		    -1;
	herr_init(&e);
	if ((rc = model_user_find(req->ctx, ref, id, name, namesz, &e)) < 0)
		return reply_err(rep, &e), -1;
	if (rc == 0) {
		/* Not there yet: a name is still the user's name. */
		if (strlen(ref) >= namesz)
			return native_fail(rep, 400, "user", "bad user"), -1;
		strcpy(name, ref);
	}
	/* The act-for check comes before anything is read. */
	if (model_may_act_for(req->ctx, name, &e) != 0)
		return reply_err(rep, &e), -1;
	return rc;
}

struct json_object *
native_time(int64_t ms, int nullable)
{
	char	buf[40];

	if (ms == 0 && nullable)
		return NULL;
	util_time_rfc3339(ms, buf, sizeof(buf));
	return json_object_new_string(buf);
}

/* Stored JSON copied as stored (validated when written), or "dflt". */
static void
native_stored(struct jbuf *b, const char *text, char open, const char *dflt)
{
	const char	*p = text;

	while (p != NULL && (*p == ' ' || *p == '\n' || *p == '\t' ||
	    *p == '\r'))
		p++;
	jbuf_lit(b, p != NULL && *p == open ? p : dflt);
}

/* ,"key": */
static void
native_key(struct jbuf *b, const char *key)
{
	jbuf_lit(b, ",");
	jbuf_key(b, key);
}

static void
native_time_write(struct jbuf *b, int64_t ms, int nullable)
{
	char	buf[40];

	if (ms == 0 && nullable) {
		jbuf_lit(b, "null");
		return;
	}
	util_time_rfc3339(ms, buf, sizeof(buf));
	jbuf_str(b, buf);
}

int
native_note_write(struct jbuf *b, const struct note *n)
{
	static const char *const formats[] = { "text", "markdown", "html" };
	char			 id[UUID_STR_LEN];

	util_uuid_format(n->id, 0, id);
	jbuf_lit(b, "{");
	jbuf_key(b, "id");
	jbuf_str(b, id);
	util_uuid_format(n->user_id, 0, id);
	jbuf_lit(b, ",\"recipient\":{\"id\":");
	jbuf_str(b, id);
	jbuf_lit(b, ",\"name\":");
	jbuf_str(b, n->user);
	jbuf_lit(b, "}");
	native_key(b, "template");
	if (n->has_template_id) {
		util_uuid_format(n->template_id, 0, id);
		jbuf_str(b, id);
	} else
		jbuf_lit(b, "null");
	native_key(b, "type");
	jbuf_str(b, n->type);
	native_key(b, "title");
	jbuf_str(b, n->subject);
	native_key(b, "body");
	jbuf_str(b, n->body);
	native_key(b, "body_format");
	jbuf_str(b, formats[(unsigned int)n->format < 3 ? n->format : 0]);
	native_key(b, "link");
	jbuf_str(b, n->link);
	native_key(b, "icon");
	jbuf_str(b, n->icon);
	native_key(b, "actions");
	native_stored(b, n->actions, '[', "[]");
	native_key(b, "targets");
	native_stored(b, n->targets, '[', "[]");
	native_key(b, "data");
	native_stored(b, n->payload, '{', "{}");
	native_key(b, "read_at");
	native_time_write(b, n->seen ? (n->seen_at != 0 ? n->seen_at :
	    n->updated) : 0, 1);
	native_key(b, "created_at");
	native_time_write(b, n->created, 0);
	native_key(b, "updated_at");
	native_time_write(b, n->updated, 0);
	return jbuf_lit(b, "}");
}
