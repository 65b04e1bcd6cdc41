/* /v1 notifications (doc/v1.md): a thin mapping onto the model. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
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
#include "token.h"
#include "util.h"

#define NATIVE_LIMIT_DEFAULT	20
#define NATIVE_LIMIT_MAX	100

/* An optional string field of at most "max" characters (bytes if raw). */
static int
nv_str(struct reply *rep, struct json_object *body, const char *name,
    size_t max, int bytes, const char **out)
{
	struct json_object	*v;
	const char		*s;

	*out = NULL;
	if (!json_object_object_get_ex(body, name, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return native_fail(rep, 422, name, "%s must be a string",
		    name), -1;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return native_fail(rep, 422, name, "%s holds a NUL", name),
		    -1;
	if ((bytes ? strlen(s) : util_utf8_len(s, strlen(s))) > max)
		return native_fail(rep, 422, name, "%s is longer than %zu %s",
		    name, max, bytes ? "bytes" : "characters"), -1;
	*out = s;
	return 1;
}

/* "actions": at most NOTE_ACTIONS_MAX {label, url}; the text in *out. */
static int
nv_actions(struct reply *rep, struct json_object *body, const char **out)
{
	struct json_object	*arr, *a;
	const char		*label, *url;
	size_t			 i, n, len;

	*out = NULL;
	if (!json_object_object_get_ex(body, "actions", &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return native_fail(rep, 422, "actions",
		    "actions must be an array"), -1;
	if ((n = json_object_array_length(arr)) > NOTE_ACTIONS_MAX)
		return native_fail(rep, 422, "actions",
		    "at most %d actions", NOTE_ACTIONS_MAX), -1;
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(a, json_type_object) ||
		    json_object_object_length(a) != 2 ||
		    nv_str(rep, a, "label", NOTE_ACTION_LABEL_MAX, 0,
		    &label) != 1 || nv_str(rep, a, "url", NOTE_LINK_MAX, 0,
		    &url) != 1) {
			return native_fail(rep, 422, "actions", "each action "
			    "is {\"label\": text, \"url\": text}"), -1;
		}
	}
	*out = jsonio_text(arr, &len);
	return *out != NULL ? 1 : -1;
}

/* "targets": at most NOTE_TARGETS_MAX UUIDs into ids. */
static int
nv_targets(struct reply *rep, struct json_object *body,
    unsigned char (*ids)[16], size_t *n)
{
	struct json_object	*arr, *v;
	size_t			 i;

	*n = 0;
	if (!json_object_object_get_ex(body, "targets", &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return native_fail(rep, 422, "targets",
		    "targets must be an array"), -1;
	if (json_object_array_length(arr) > NOTE_TARGETS_MAX)
		return native_fail(rep, 422, "targets", "at most %d targets",
		    NOTE_TARGETS_MAX), -1;
	for (i = 0; i < json_object_array_length(arr); i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    util_uuid_parse(json_object_get_string(v), ids[i]) != 0)
			return native_fail(rep, 422, "targets",
			    "each target is a UUID"), -1;
	}
	*n = i;
	return 1;
}

static int
nv_channels(struct reply *rep, struct json_object *body, unsigned int *out)
{
	struct json_object	*arr, *v;
	const char		*s;
	size_t			 i;

	*out = 0;
	if (!json_object_object_get_ex(body, "channels", &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > 3)
		return native_fail(rep, 422, "channels", "channels is a "
		    "subset of [\"inbox\",\"smtp\",\"webhook\"]"), -1;
	for (i = 0; i < json_object_array_length(arr); i++) {
		v = json_object_array_get_idx(arr, i);
		s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
		if (strcmp(s, "smtp") == 0)
			*out |= NOTE_CH_SMTP;
		else if (strcmp(s, "webhook") == 0)
			*out |= NOTE_CH_WEBHOOK;
		else if (strcmp(s, "inbox") == 0)
			*out |= NOTE_CH_INBOX;
		else
			return native_fail(rep, 422, "channels", "unknown "
			    "channel; channels is a subset of "
			    "[\"inbox\",\"smtp\",\"webhook\"]"), -1;
	}
	return 1;
}

static int
nv_known_fields(struct reply *rep, struct json_object *body)
{
	static const char *const known[] = { "recipient", "template", "type",
	    "title", "body", "body_format", "link", "icon", "actions",
	    "targets", "data", "channels", NULL };
	size_t	i;

	json_object_object_foreach(body, key, val) {
		(void)val;
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (known[i] == NULL)
			return native_fail(rep, 422, NULL, "unknown field"),
			    herr_field(&rep->err, HERR_SRC_BODY, key, NULL), -1;
	}
	return 0;
}

/* The Idempotency-Key header: 1 present, 0 absent, -1 refused. */
static int
nv_idem_key(struct request *req, struct reply *rep, const char **key)
{
	const char	*k = req_header(req, "Idempotency-Key");
	size_t		 i;

	*key = NULL;
	if (k == NULL)
		return 0;
	for (i = 0; k[i] != '\0'; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			break;
	if (i == 0 || k[i] != '\0' || i > NOTE_IDEM_KEY_MAX) {
		native_fail(rep, 400, NULL, "Idempotency-Key is 1 to %d "
		    "printable ASCII characters", NOTE_IDEM_KEY_MAX);
		herr_field(&rep->err, HERR_SRC_HEADER, "Idempotency-Key",
		    NULL);
		return -1;
	}
	*key = k;
	return 1;
}

/* Render notification "id" with "status" (and Location on 201). */
static int
note_reply_cb(const struct note *n, void *arg)
{
	native_note_write(arg, n);
	return 1;
}

static int
nv_reply_note(struct request *req, struct reply *rep,
    const unsigned char id[16], int status)
{
	struct jbuf		 b;
	struct herr		 e;
	char			 loc[64], idtext[UUID_STR_LEN], *body;
	size_t			 len;

	herr_init(&e);
	jbuf_init(&b, req->app->cfg->reply_max);
	if (model_note_get(req->ctx, id, note_reply_cb, &b, &e) != 0) {
		jbuf_free(&b);
		return reply_err(rep, &e);
	}
	if (b.over) {
		jbuf_free(&b);
		return native_fail(rep, 500, NULL, "the notification is larger "
		    "than reply_max");
	}
	if (status == 201) {
		util_uuid_format(id, 0, idtext);
		snprintf(loc, sizeof(loc), "/v1/notifications/%s", idtext);
		reply_header(rep, "Location", loc);
	}
	body = jbuf_take(&b, &len);
	return reply_take(rep, status, "application/json; charset=utf-8",
	    body, len);
}

int
api_native_create(struct request *req, struct reply *rep)
{
	struct json_object	*body = req->json, *v;
	struct note_new		 n;
	unsigned char		 targets[NOTE_TARGETS_MAX][16], id[16];
	unsigned char		 digest[32];
	const char		*fmt, *key;
	struct herr		 e;
	size_t			 len;
	int			 replayed;

	if (body == NULL || !json_object_is_type(body, json_type_object))
		return reply_fail(rep, 400, HERR_BAD_JSON,
		    "the body must be a JSON object");
	memset(&n, 0, sizeof(n));
	if (nv_known_fields(rep, body) != 0 || nv_idem_key(req, rep, &key) < 0)
		return rep->status;
	if (nv_str(rep, body, "recipient", NOTE_USER_MAX, 0,
	    &n.recipient) < 0)
		return rep->status;
	if (n.recipient == NULL || util_blank(n.recipient))
		return native_fail(rep, 422, "recipient",
		    "recipient is required");
	n.recipient_ref = 1;
	if (nv_str(rep, body, "template", NOTE_TEMPLATE_MAX, 0,
	    &n.template_ref) < 0 ||
	    nv_str(rep, body, "type", NOTE_TYPE_MAX, 0, &n.type) < 0 ||
	    nv_str(rep, body, "title", NOTE_SUBJECT_MAX, 0, &n.title) < 0 ||
	    nv_str(rep, body, "body", NOTE_BODY_MAX, 1, &n.body) < 0 ||
	    nv_str(rep, body, "body_format", 16, 0, &fmt) < 0 ||
	    nv_str(rep, body, "link", NOTE_LINK_MAX, 0, &n.link) < 0 ||
	    nv_str(rep, body, "icon", NOTE_ICON_MAX, 0, &n.icon) < 0 ||
	    nv_actions(rep, body, &n.actions) < 0 ||
	    nv_targets(rep, body, targets, &n.ntargets) < 0 ||
	    nv_channels(rep, body, &n.channels) < 0)
		return rep->status;
	if (n.type == NULL)
		n.type = "notification";
	if (fmt == NULL || strcmp(fmt, "text") == 0)
		n.format = NOTE_FMT_TEXT;
	else if (strcmp(fmt, "markdown") == 0)
		n.format = NOTE_FMT_MARKDOWN;
	else if (strcmp(fmt, "html") == 0)
		n.format = NOTE_FMT_HTML;
	else
		return native_fail(rep, 422, "body_format",
		    "body_format is text, markdown or html");
	if (json_object_object_get_ex(body, "data", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_object))
			return native_fail(rep, 422, "data",
			    "data must be an object");
		if ((n.data = jsonio_text(v, &len)) == NULL ||
		    len > NOTE_BODY_MAX)
			return native_fail(rep, 422, "data",
			    "data is larger than %d bytes", NOTE_BODY_MAX);
	}
	n.targets = (const unsigned char (*)[16])targets;
	if (key != NULL) {
		if (token_sha256(req->body, req->bodysz, digest) != 0)
			return native_fail(rep, 500, NULL, "internal error");
		n.idem_key = key;
		n.idem_hash = digest;
	}
	herr_init(&e);
	if (model_note_create(req->ctx, &n, id, &replayed, &e) != 0)
		return reply_err(rep, &e);
	return nv_reply_note(req, rep, id, 201);
}

/* {id} of the path; 404 for what is not an id, as for an unknown one. */
static int
nv_path_id(struct request *req, struct reply *rep, unsigned char id[16])
{
	const char	*s = req_capture(req, "id");

	if (s == NULL || util_uuid_parse(s, id) != 0)
		return native_fail(rep, 404, NULL, "no such notification"),
		    -1;
	return 0;
}

int
api_native_get(struct request *req, struct reply *rep)
{
	unsigned char	id[16];

	if (nv_path_id(req, rep, id) != 0)
		return rep->status;
	return nv_reply_note(req, rep, id, 200);
}

int
api_native_patch(struct request *req, struct reply *rep)
{
	struct json_object	*body = req->json, *v;
	unsigned char		 id[16];
	struct herr		 e;

	if (nv_path_id(req, rep, id) != 0)
		return rep->status;
	if (body == NULL || !json_object_is_type(body, json_type_object))
		return reply_fail(rep, 400, HERR_BAD_JSON,
		    "the body must be a JSON object");
	json_object_object_foreach(body, key, val) {
		(void)val;
		if (strcmp(key, "read") != 0)
			return native_fail(rep, 422, NULL, "only \"read\" can "
			    "be changed"), herr_field(&rep->err, HERR_SRC_BODY,
			    key, NULL), 422;
	}
	if (!json_object_object_get_ex(body, "read", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return native_fail(rep, 422, "read", "read must be true or "
		    "false");
	herr_init(&e);
	if (model_note_set_read(req->ctx, id, json_object_get_boolean(v),
	    &e) != 0)
		return reply_err(rep, &e);
	return nv_reply_note(req, rep, id, 200);
}

int
api_native_delete(struct request *req, struct reply *rep)
{
	unsigned char	id[16];
	struct herr	e;

	if (nv_path_id(req, rep, id) != 0)
		return rep->status;
	herr_init(&e);
	if (model_note_delete(req->ctx, id, &e) != 0)
		return reply_err(rep, &e);
	rep->status = 204;
	return 204;
}

/* --- a user's notifications ------------------------------------------- */

struct nv_page {
	struct jbuf		 out;
	long long		 want;		/* rows to render */
	long long		 rows;
	int64_t			 last_created;
	unsigned char		 last_id[16];
	int			 more;
	int			 failed;
};

static int
nv_page_row(const struct note *n, void *arg)
{
	struct nv_page		*p = arg;

	/* One row past the page says whether there is a next one. */
	if (p->rows++ == p->want) {
		p->more = 1;
		return 1;
	}
	if (p->rows > 1)
		jbuf_lit(&p->out, ",");
	if (native_note_write(&p->out, n) != 0) {
		p->failed = 1;
		return 1;
	}
	p->last_created = n->created;
	memcpy(p->last_id, n->id, 16);
	return 0;
}

/* The cursor: 16 hex digits of created, 32 of the id. */
static void
nv_cursor(const struct nv_page *p, char out[49])
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	snprintf(out, 17, "%016llx", (unsigned long long)p->last_created);
	for (i = 0; i < 16; i++) {
		out[16 + 2 * i] = hex[p->last_id[i] >> 4];
		out[17 + 2 * i] = hex[p->last_id[i] & 15];
	}
	out[48] = '\0';
}

static int
nv_uncursor(const char *s, struct note_query *q)
{
	char			buf[17];
	unsigned long long	c;
	size_t			i;
	int			hi, lo;

	if (strlen(s) != 48 || strspn(s, "0123456789abcdef") != 48)
		return -1;
	memcpy(buf, s, 16);
	buf[16] = '\0';
	c = strtoull(buf, NULL, 16);
	if (c > INT64_MAX)
		return -1;
	for (i = 0; i < 16; i++) {
		hi = s[16 + 2 * i];
		lo = s[17 + 2 * i];
		hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
		q->after_id[i] = (unsigned char)(hi << 4 | lo);
	}
	q->after_created = (int64_t)c;
	q->has_after = 1;
	return 0;
}

/* A template filter: an id or a name; *none when there is no such. */
static int
nv_template_filter(struct request *req, struct reply *rep, const char *v,
    unsigned char id[16], int *none)
{
	char		name[NOTE_TEMPLATE_MAX * 4 + 1];
	struct herr	e;
	int		rc;

	herr_init(&e);
	if ((rc = model_template_ref(req->ctx, v, id, name, sizeof(name),
	    &e)) < 0)
		return reply_err(rep, &e), -1;
	/* An id no template has still filters (to nothing). */
	*none = rc == 0 && util_uuid_parse(v, id) != 0;
	return 0;
}

/* The query string of a listing into "q"; -1 with the reply set. */
static int
nv_list_params(struct request *req, struct reply *rep, struct note_query *q,
    unsigned char (*targets)[16], unsigned char *tmpl, int *empty)
{
	size_t		i;
	long long	limit;
	const char	*name, *v;

	q->limit = NATIVE_LIMIT_DEFAULT;
	for (i = 0; i < req->nparams; i++) {
		name = req->params[i].name;
		v = req->params[i].value;
		if (strcmp(name, "target") == 0) {
			if (q->ntargets == NOTE_TARGETS_MAX ||
			    util_uuid_parse(v, targets[q->ntargets]) != 0)
				goto bad;
			q->ntargets++;
			continue;
		}
		if (req_param(req, name, 0, &v) < 0)
			return native_fail(rep, 400, name, "%s is given more "
			    "than once", name), -1;
		if (strcmp(name, "limit") == 0) {
			if (util_strtoll(v, 1, NATIVE_LIMIT_MAX, &limit) != 0)
				goto bad;
			q->limit = limit;
		} else if (strcmp(name, "after") == 0) {
			if (nv_uncursor(v, q) != 0)
				goto bad;
		} else if (strcmp(name, "read") == 0) {
			if (strcmp(v, "true") == 0)
				q->seen = 1;
			else if (strcmp(v, "false") == 0)
				q->seen = 0;
			else
				goto bad;
		} else if (strcmp(name, "type") == 0) {
			if (util_utf8_len(v, strlen(v)) > NOTE_TYPE_MAX)
				goto bad;
			q->type = v;
		} else if (strcmp(name, "template") == 0) {
			if (nv_template_filter(req, rep, v, tmpl, empty) != 0)
				return -1;
			q->templates = (const unsigned char (*)[16])tmpl;
			q->ntemplates = 1;
		} else
			return native_fail(rep, 400, name, "unknown parameter "
			    "%s", name), -1;
	}
	q->targets = (const unsigned char (*)[16])targets;
	return 0;
bad:
	native_fail(rep, 400, name, "bad value for %s", name);
	herr_field(&rep->err, HERR_SRC_QUERY, name, NULL);
	return -1;
}

int
api_native_list(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct note_counts	 c = { 0, 0 };
	struct nv_page		 p;
	unsigned char		 targets[NOTE_TARGETS_MAX][16], tmpl[16];
	char			 user[NOTE_USER_MAX * 4 + 1], cur[49], *body;
	size_t			 len;
	struct herr		 e;
	int			 empty = 0;

	memset(&q, 0, sizeof(q));
	memset(&p, 0, sizeof(p));
	q.seen = -1;
	q.want = NOTE_WANT_USER;
	if (native_path_user(req, rep, user, sizeof(user)) < 0 ||
	    nv_list_params(req, rep, &q, targets, tmpl, &empty) != 0)
		return rep->status;
	q.user = user;
	jbuf_init(&p.out, req->app->cfg->reply_max);
	jbuf_lit(&p.out, "{\"items\":[");
	p.want = q.limit;
	q.limit++;
	herr_init(&e);
	/* An unknown template matches nothing; the counts still stand. */
	if (empty) {
		q.ntemplates = 0;
		q.limit = 1;
		p.want = 0;
	}
	if (model_note_list(req->ctx, &q, nv_page_row, &p, &c, &e) != 0 ||
	    p.failed) {
		jbuf_free(&p.out);
		return p.failed ? native_fail(rep, 500, NULL, "the page is "
		    "larger than reply_max") : reply_err(rep, &e);
	}
	if (empty)
		p.more = 0;
	jbuf_lit(&p.out, "],\"next\":");
	if (p.more) {
		nv_cursor(&p, cur);
		jbuf_str(&p.out, cur);
	} else
		jbuf_lit(&p.out, "null");
	jbuf_lit(&p.out, ",\"unread\":");
	jbuf_i64(&p.out, c.unread);
	jbuf_lit(&p.out, "}");
	if (p.out.over) {
		jbuf_free(&p.out);
		return native_fail(rep, 500, NULL, "the page is larger than "
		    "reply_max");
	}
	body = jbuf_take(&p.out, &len);
	return reply_take(rep, 200, "application/json; charset=utf-8", body,
	    len);
}

int
api_native_count(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct note_counts	 c = { 0, 0 };
	struct json_object	*doc;
	char			 user[NOTE_USER_MAX * 4 + 1];
	struct herr		 e;

	if (req->nparams > 0)
		return native_fail(rep, 400, req->params[0].name, "unknown "
		    "parameter %s", req->params[0].name);
	if (native_path_user(req, rep, user, sizeof(user)) < 0)
		return rep->status;
	memset(&q, 0, sizeof(q));
	q.user = user;
	q.seen = -1;
	herr_init(&e);
	if (model_note_count(req->ctx, &q, &c, &e) != 0)
		return reply_err(rep, &e);
	doc = json_object_new_object();
	json_object_object_add(doc, "total", json_object_new_int64(c.total));
	json_object_object_add(doc, "unread", json_object_new_int64(c.unread));
	return native_json(rep, 200, doc);
}

int
api_native_read_all(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct json_object	*doc;
	char			 user[NOTE_USER_MAX * 4 + 1];
	long long		 changed = 0;
	struct herr		 e;

	if (native_path_user(req, rep, user, sizeof(user)) < 0)
		return rep->status;
	memset(&q, 0, sizeof(q));
	q.user = user;
	q.seen = -1;
	herr_init(&e);
	if (model_note_read_where(req->ctx, &q, &changed, &e) != 0)
		return reply_err(rep, &e);
	doc = json_object_new_object();
	json_object_object_add(doc, "updated", json_object_new_int64(changed));
	return native_json(rep, 200, doc);
}
