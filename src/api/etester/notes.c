/*
 * Enterprise Tester's user notifications (seed 002): a user's messages,
 * newest first, paged OData-style; created, marked viewed, removed.
 * HtmlSummary is HTML a browser renders: it is sanitised when written
 * (src/core/html.c), and again when shown, for HTML that came in
 * through another dialect; a plain-text body is shown escaped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "etester_int.h"
#include "cfg.h"
#include "herr.h"
#include "html.h"
#include "jbuf.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define ET_TOP_DEFAULT		25
#define ET_TOP_MAX		500
#define ET_SKIP_MAX		100000000
#define ET_ICON_DEFAULT		"notification-message-icon"
#define ET_TITLE_DEFAULT	"Alert"
#define ET_TITLE_MAX		255

/* --- errors ----------------------------------------------------------- */

static const char *
et_message(const struct herr *e)
{
	switch (e->status) {
	case 401:
		return "Authorization has been denied for this request.";
	case 403:
		return "You do not have permission to access the "
		    "notifications of this user.";
	case 404:
		return e->code == HERR_NO_ROUTE || e->code == HERR_METHOD ?
		    "No HTTP resource was found that matches the request URI." :
		    "The notification was not found.";
	case 500:
		return "An error has occurred.";
	default:
		return e->message;
	}
}

int
et_render_error(struct request *req, struct reply *rep, const struct herr *e)
{
	struct json_object	*doc;
	int			 status;

	(void)req;
	if ((doc = json_object_new_object()) == NULL)
		return reply_text(rep, 500, "text/plain; charset=utf-8",
		    "out of memory\n");
	json_object_object_add(doc, "Message",
	    json_object_new_string(et_message(e)));
	status = reply_json(rep, e->status, doc);
	json_object_put(doc);
	return status;
}

static int
et_fail(struct reply *rep, int status, const char *msg)
{
	return reply_fail(rep, status, status == 404 ? HERR_NOT_FOUND :
	    status == 403 ? HERR_FORBIDDEN : status == 413 ? HERR_TOO_LARGE :
	    status >= 500 ? HERR_INTERNAL : HERR_BAD_REQUEST, "%s", msg);
}

static int
et_model_err(struct reply *rep, const struct herr *e)
{
	rep->err = *e;
	rep->status = e->status;
	return e->status;
}

/* --- the path's user, the absolute URLs ------------------------------ */

struct et_user {
	char	name[NOTE_USER_MAX * 4 + 1];
	char	ref[NOTE_USER_MAX * 4 + 1];	/* as the URLs show it */
};

/*
 * {user}: a user id in any case (written lower-case in URLs), resolved
 * to the user; an id no user has yet names a new user by that text.
 * Then the act-for check (403).  0, or -1 with the reply set.
 */
static int
et_path_user(struct request *req, struct reply *rep, struct et_user *u)
{
	const char	*s = req_capture(req, "user");
	unsigned char	 id[16];
	struct herr	 e;
	int		 rc;

	if (s == NULL || s[0] == '\0' ||
	    util_utf8_len(s, strlen(s)) > NOTE_USER_MAX)
		return et_fail(rep, 400, "The user id is not valid."), -1;
	if (util_uuid_parse(s, id) == 0)
		util_uuid_format(id, 0, u->ref);
	else
		snprintf(u->ref, sizeof(u->ref), "%s", s);
	herr_init(&e);
	if ((rc = model_user_find(req->ctx, u->ref, id, u->name,
	    sizeof(u->name), &e)) < 0)
		return et_model_err(rep, &e), -1;
	if (rc == 0)
		snprintf(u->name, sizeof(u->name), "%s", u->ref);
	if (model_may_act_for(req->ctx, u->name, &e) != 0)
		return et_model_err(rep, &e), -1;
	return 0;
}

/*
 * "http://host": the scheme a proxy in front says (X-Forwarded-Proto)
 * or http, and the Host header when it is a plain host[:port].
 */
static void
et_origin(struct request *req, char *buf, size_t sz)
{
	const char	*host = req_header(req, "Host");
	const char	*proto = req_header(req, "X-Forwarded-Proto");
	size_t		 i;

	if (host == NULL || host[0] == '\0' || strlen(host) > 255)
		host = "localhost";
	for (i = 0; host[i] != '\0'; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') ||
		    (host[i] >= 'A' && host[i] <= 'Z') ||
		    (host[i] >= '0' && host[i] <= '9') ||
		    strchr(".-:[]", host[i]) != NULL)) {
			host = "localhost";
			break;
		}
	snprintf(buf, sz, "%s://%s", proto != NULL &&
	    strcmp(proto, "https") == 0 ? "https" : "http", host);
}

/* --- the notification's JSON ----------------------------------------- */

/* Rows written into one answer (an array's, or the one item's). */
struct et_rows {
	struct jbuf		 out;
	const char		*origin;
	const struct et_user	*user;
	long long		 rows;
	int			 found;
	int			 none;	/* $top=0: the counts only */
};

static void
et_rows_init(struct request *req, struct et_rows *p, const char *origin,
    const struct et_user *u)
{
	memset(p, 0, sizeof(*p));
	jbuf_init(&p->out, req->ctx->cfg->reply_max);
	/* The bodies were json-c's, which wrote '/' as it is. */
	p->out.noslash = 1;
	p->origin = origin;
	p->user = u;
}

static int
et_class_ok(const char *s)
{
	size_t	i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("-_ ", s[i])))
			return 0;
	return 1;
}

static int
et_note_write(struct jbuf *b, const struct note *n, const struct et_rows *p)
{
	struct tm		 tm;
	time_t			 t = (time_t)(n->created / 1000);
	const char		*text;
	char			 id[UUID_STR_LEN], when[32], self[1400];
	char			*html = NULL;
	size_t			 len;
	int			 rc;

	text = n->body != NULL && n->body[0] != '\0' ? n->body :
	    n->subject != NULL ? n->subject : "";
	rc = n->format == NOTE_FMT_HTML ?
	    html_sanitize(text, strlen(text), &html, &len) :
	    html_escape(text, strlen(text), &html, &len);
	if (rc != 0) {
		b->over = 1;
		return -1;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	util_uuid_format(n->id, 0, id);
	snprintf(self, sizeof(self), "%s/api/user/%s/notification/%s",
	    p->origin, p->user->ref, id);
	jbuf_lit_str(b, "{\"OccurredAt\":", when);
	jbuf_lit_str(b, ",\"Id\":", id);
	jbuf_lit_str(b, ",\"HtmlSummary\":", html);
	jbuf_lit(b, n->seen ? ",\"Viewed\":true" : ",\"Viewed\":false");
	jbuf_lit_str(b, ",\"IconClass\":", et_class_ok(n->icon) ? n->icon :
	    ET_ICON_DEFAULT);
	jbuf_lit_str(b, ",\"IconTitle\":", n->icon_title != NULL ?
	    n->icon_title : ET_TITLE_DEFAULT);
	jbuf_lit_str(b, ",\"Self\":", self);
	free(html);
	return jbuf_lit(b, "}");
}

static int
et_row(const struct note *n, void *arg)
{
	struct et_rows	*p = arg;

	if (p->none)
		return 1;
	if (p->rows++ > 0)
		jbuf_lit(&p->out, ",");
	return et_note_write(&p->out, n, p) != 0;
}

/* --- the collection --------------------------------------------------- */

/* $skip / skip (any case) as a number in [0, max]; -1 when refused. */
static int
et_num_param(struct request *req, const char *name, long long max,
    long long *out)
{
	const char	*v = NULL, *w = NULL;
	int		 a, b;

	a = req_param(req, name, 1, &v);
	b = req_param(req, name + 1, 1, &w);
	if (a < 0 || b < 0 || (a == 1 && b == 1))
		return -1;
	if (a == 0 && b == 0)
		return 0;
	return util_strtoll(a == 1 ? v : w, 0, max, out);
}

int
api_et_list(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct note_counts	 c = { 0, 0 };
	struct et_rows		 p;
	struct et_user		 u;
	struct jbuf		 out;
	long long		 skip = 0, top = ET_TOP_DEFAULT;
	char			 origin[300], self[1400];
	struct herr		 e;

	if (et_path_user(req, rep, &u) != 0)
		return rep->status;
	if (et_num_param(req, "$skip", ET_SKIP_MAX, &skip) != 0)
		return et_fail(rep, 400, "The $skip parameter is not valid.");
	if (et_num_param(req, "$top", INT32_MAX, &top) != 0)
		return et_fail(rep, 400, "The $top parameter is not valid.");
	/* A page larger than the server's is the server's, as OData does. */
	if (top > ET_TOP_MAX)
		top = ET_TOP_MAX;
	et_origin(req, origin, sizeof(origin));
	memset(&q, 0, sizeof(q));
	q.user = u.name;
	q.seen = -1;
	q.sort = NOTE_SORT_CREATED;
	q.limit = top;
	q.offset = skip;
	q.want = NOTE_WANT_MATCH;
	et_rows_init(req, &p, origin, &u);
	/* Top 0 asks for the counts only; the store's 0 is "no limit". */
	if (top == 0) {
		q.limit = 1;
		p.none = 1;
	}
	herr_init(&e);
	if (model_note_list(req->ctx, &q, et_row, &p, &c, &e) != 0) {
		jbuf_free(&p.out);
		return et_model_err(rep, &e);
	}
	/* The counts come after the rows, and go before them. */
	jbuf_init(&out, p.out.max);
	out.noslash = 1;
	jbuf_lit_i64(&out, "{\"Skip\":", skip);
	jbuf_lit_i64(&out, ",\"Top\":", top);
	jbuf_lit_i64(&out, ",\"Total\":", c.total);
	jbuf_lit(&out, ",\"Items\":[");
	if (p.out.len > 0)
		jbuf_raw(&out, p.out.buf, p.out.len);
	out.over |= p.out.over;
	jbuf_free(&p.out);
	jbuf_lit_i64(&out, "],\"UnviewedTotal\":", c.unread);
	snprintf(self, sizeof(self), "%s%s", origin, req->path);
	jbuf_lit_str(&out, ",\"Self\":", self);
	jbuf_lit(&out, "}");
	return reply_jbuf(rep, 200, &out);
}

int
api_et_clear(struct request *req, struct reply *rep)
{
	struct note_query	q;
	struct et_user		u;
	struct herr		e;

	if (et_path_user(req, rep, &u) != 0)
		return rep->status;
	memset(&q, 0, sizeof(q));
	q.user = u.name;
	q.seen = -1;
	herr_init(&e);
	if (model_note_delete_where(req->ctx, &q, NULL, &e) != 0)
		return et_model_err(rep, &e);
	rep->status = 200;
	return 200;
}

/* --- writable fields ---------------------------------------------------- */

struct et_fields {
	const char	*html;		/* raw HtmlSummary, or NULL */
	const char	*icon;
	const char	*title;
	int		 viewed;	/* -1: not given */
};

/* A string field, names matched in any case (as ASP.NET binds them). */
static int
et_field(struct json_object *body, const char *name, size_t max,
    const char **out, struct reply *rep)
{
	char	msg[128];

	*out = NULL;
	json_object_object_foreach(body, key, val) {
		if (!util_strcaseeq(key, name) || val == NULL)
			continue;
		snprintf(msg, sizeof(msg), "%s must be a string of at most "
		    "%zu bytes without NUL.", name, max);
		if (!json_object_is_type(val, json_type_string) ||
		    (size_t)json_object_get_string_len(val) > max ||
		    strlen(json_object_get_string(val)) !=
		    (size_t)json_object_get_string_len(val))
			return et_fail(rep, 400, msg), -1;
		*out = json_object_get_string(val);
	}
	return 0;
}

static int
et_fields(struct request *req, struct reply *rep, struct et_fields *f)
{
	struct json_object	*body = req->json;

	memset(f, 0, sizeof(*f));
	f->viewed = -1;
	if (body == NULL || !json_object_is_type(body, json_type_object))
		return et_fail(rep, 400, "The body must be a JSON object."),
		    -1;
	if (et_field(body, "HtmlSummary", NOTE_BODY_MAX, &f->html, rep) ||
	    et_field(body, "IconClass", NOTE_TYPE_MAX, &f->icon, rep) ||
	    et_field(body, "IconTitle", ET_TITLE_MAX, &f->title, rep))
		return -1;
	if (f->icon != NULL && !et_class_ok(f->icon))
		return et_fail(rep, 400, "IconClass is a CSS class name."), -1;
	json_object_object_foreach(body, key, val) {
		if (!util_strcaseeq(key, "Viewed") || val == NULL)
			continue;
		if (!json_object_is_type(val, json_type_boolean))
			return et_fail(rep, 400, "Viewed must be true or "
			    "false."), -1;
		f->viewed = json_object_get_boolean(val);
	}
	return 0;
}

/* The sanitised HtmlSummary (caller frees), within the store's bound. */
static int
et_clean(struct reply *rep, const char *html, char **out)
{
	size_t	len;

	if (html_sanitize(html, strlen(html), out, &len) != 0)
		return et_fail(rep, 500, "out of memory"), -1;
	if (len > NOTE_BODY_MAX) {
		free(*out);
		*out = NULL;
		return et_fail(rep, 413, "HtmlSummary is too large."), -1;
	}
	return 0;
}

/* --- one notification --------------------------------------------------- */

static int
et_one_row(const struct note *n, void *arg)
{
	struct et_rows	*p = arg;

	/* Only the path user's: another's is not there, at this path. */
	if (strcmp(n->user, p->user->name) != 0)
		return 1;
	p->found = 1;
	if (!p->none)
		(void)et_note_write(&p->out, n, p);
	return 1;
}

/*
 * The path user's notification {id}, answered with "status" (0: only
 * whether it is there): 404 when it is another's, unknown, or not an id.
 * 0, or -1 with the reply set.
 */
static int
et_fetch(struct request *req, struct reply *rep, const struct et_user *u,
    const unsigned char id[16], int status)
{
	char		 origin[300];
	struct et_rows	 p;
	struct herr	 e;

	et_origin(req, origin, sizeof(origin));
	et_rows_init(req, &p, origin, u);
	p.none = status == 0;
	herr_init(&e);
	if (model_note_get(req->ctx, id, et_one_row, &p, &e) != 0) {
		jbuf_free(&p.out);
		return et_model_err(rep, &e), -1;
	}
	if (!p.found) {
		jbuf_free(&p.out);
		return et_fail(rep, 404, "no such notification"), -1;
	}
	if (status == 0) {
		jbuf_free(&p.out);
		return 0;
	}
	return reply_jbuf(rep, status, &p.out) == status ? 0 : -1;
}

/* The same for the path's {id}, into "id". */
static int
et_own(struct request *req, struct reply *rep, const struct et_user *u,
    unsigned char id[16], int status)
{
	const char	*s = req_capture(req, "id");

	if (s == NULL || util_uuid_parse(s, id) != 0)
		return et_fail(rep, 404, "no such notification"), -1;
	return et_fetch(req, rep, u, id, status);
}

int
api_et_create(struct request *req, struct reply *rep)
{
	struct et_fields	 f;
	struct et_user		 u;
	struct note_new		 n;
	unsigned char		 id[16];
	char			*html = NULL;
	struct herr		 e;
	int			 replayed;

	if (et_path_user(req, rep, &u) != 0 || et_fields(req, rep, &f) != 0)
		return rep->status;
	if (f.html == NULL || util_blank(f.html))
		return et_fail(rep, 400, "HtmlSummary is required.");
	if (et_clean(rep, f.html, &html) != 0)
		return rep->status;
	memset(&n, 0, sizeof(n));
	n.recipient = u.name;
	n.type = f.icon != NULL ? f.icon : ET_ICON_DEFAULT;
	n.body = html;
	n.format = NOTE_FMT_HTML;
	n.icon = n.type;
	n.icon_title = f.title != NULL ? f.title : ET_TITLE_DEFAULT;
	herr_init(&e);
	if (model_note_create(req->ctx, &n, id, &replayed, &e) != 0) {
		free(html);
		return et_model_err(rep, &e);
	}
	free(html);
	if (f.viewed == 1 && model_note_set_read(req->ctx, id, 1, &e) != 0)
		return et_model_err(rep, &e);
	(void)et_fetch(req, rep, &u, id, 201);
	return rep->status;
}

int
api_et_get(struct request *req, struct reply *rep)
{
	struct et_user	u;
	unsigned char	id[16];

	if (et_path_user(req, rep, &u) != 0)
		return rep->status;
	(void)et_own(req, rep, &u, id, 200);
	return rep->status;
}

int
api_et_patch(struct request *req, struct reply *rep)
{
	struct note_edit	 ed;
	struct et_fields	 f;
	struct et_user		 u;
	unsigned char		 id[16];
	char			*html = NULL;
	struct herr		 e;
	int			 rc;

	if (et_path_user(req, rep, &u) != 0 || et_own(req, rep, &u, id,
	    0) != 0 || et_fields(req, rep, &f) != 0)
		return rep->status;
	if (f.html != NULL && et_clean(rep, f.html, &html) != 0)
		return rep->status;
	memset(&ed, 0, sizeof(ed));
	ed.body = html;
	ed.format = NOTE_FMT_HTML;
	ed.icon = f.icon;
	ed.icon_title = f.title;
	ed.read = f.viewed;
	herr_init(&e);
	rc = model_note_edit(req->ctx, id, &ed, &e);
	free(html);
	if (rc != 0)
		return et_model_err(rep, &e);
	(void)et_fetch(req, rep, &u, id, 200);
	return rep->status;
}

int
api_et_delete(struct request *req, struct reply *rep)
{
	struct et_user	u;
	unsigned char	id[16];
	struct herr	e;

	if (et_path_user(req, rep, &u) != 0 ||
	    et_own(req, rep, &u, id, 0) != 0)
		return rep->status;
	herr_init(&e);
	if (model_note_delete(req->ctx, id, &e) != 0)
		return et_model_err(rep, &e);
	rep->status = 200;
	return 200;
}
