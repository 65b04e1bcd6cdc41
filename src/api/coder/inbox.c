/*
 * The Coder inbox (coderd/inboxnotifications.go): the list with its
 * filters and cursor, read status, mark-all, and the parameters the watch
 * shares (the watch itself is watch.c, run by herald push).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cfg.h"
#include "coder_int.h"
#include "herr.h"
#include "jbuf.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"


/* The first value of "name" (Go's url.Values.Get), or NULL. */
static const char *
inbox_get(const struct request *req, const char *name)
{
	size_t	i;

	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

static void
inbox_uuids(struct reply *rep, const char *v, const char *name,
    unsigned char (*out)[16], size_t *n)
{
	char	bad[HERR_VALUE_MAX / 2], detail[HERR_VALUE_MAX];

	if (v == NULL || v[0] == '\0')
		return;
	switch (coder_uuid_csv(v, out, NOTE_QUERY_IN_MAX, n, bad,
	    sizeof(bad))) {
	case 1:
		snprintf(detail, sizeof(detail),
		    "Query param \"%s\" has invalid values: %s", name, bad);
		coder_validation(rep, name, detail);
		break;
	case 2:
		/* Coder has no bound; ours keeps the statement indexed. */
		snprintf(detail, sizeof(detail), "Query param \"%s\" has "
		    "more than %d values", name, NOTE_QUERY_IN_MAX);
		coder_validation(rep, name, detail);
		break;
	default:
		break;
	}
}

/*
 * Coder's QueryParamParser over the list's (or the watch's) parameters:
 * 400 "Query parameters have invalid values." with every finding, then
 * the read_status check with its message as Coder words it.
 */
int
coder_inbox_params(struct request *req, struct reply *rep, int watch,
    struct inbox_params *p)
{
	static const char *const list_names[] = { "targets", "templates",
	    "read_status", "starting_before", NULL };
	static const char *const watch_names[] = { "targets", "templates",
	    "read_status", "format", NULL };
	const char *const	*known = watch ? watch_names : list_names;
	const char		*v;
	char			 detail[HERR_VALUE_MAX];
	size_t			 i, k, j;

	memset(p, 0, sizeof(*p));
	herr_init(&rep->err);
	inbox_uuids(rep, inbox_get(req, "targets"), "targets", p->targets,
	    &p->ntargets);
	inbox_uuids(rep, inbox_get(req, "templates"), "templates",
	    p->templates, &p->ntemplates);
	p->read_status = inbox_get(req, "read_status");
	if (p->read_status == NULL || p->read_status[0] == '\0')
		p->read_status = "all";
	if (!watch && (v = inbox_get(req, "starting_before")) != NULL &&
	    v[0] != '\0') {
		if (util_uuid_parse(v, p->before) == 0)
			p->has_before = 1;
		else
			coder_validation(rep, "starting_before",
			    "Query param \"starting_before\" must be a valid "
			    "uuid");
	}
	for (i = 0; i < req->nparams; i++) {
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(req->params[i].name, known[k]) == 0)
				break;
		for (j = 0; j < i; j++)
			if (strcmp(req->params[j].name,
			    req->params[i].name) == 0)
				break;
		if (known[k] != NULL || j < i)
			continue;
		snprintf(detail, sizeof(detail),
		    "Query param \"%s\" is not a valid query param",
		    req->params[i].name);
		coder_validation(rep, req->params[i].name, detail);
	}
	if (rep->err.field[0] != '\0') {
		/* Keep the findings while setting Coder's message. */
		struct herr	found = rep->err;

		coder_fail(rep, 400, "Query parameters have invalid values.",
		    NULL);
		memcpy(rep->err.field, found.field, sizeof(found.field));
		memcpy(rep->err.value, found.value, sizeof(found.value));
		rep->err.has_value = 1;
		memcpy(rep->err.kv, found.kv, sizeof(found.kv));
		rep->err.nkv = found.nkv;
		return -1;
	}
	if (strcmp(p->read_status, "all") != 0 &&
	    strcmp(p->read_status, "read") != 0 &&
	    strcmp(p->read_status, "unread") != 0)
		return coder_fail(rep, 400, "starting_before query parameter "
		    "should be any of 'all', 'read', 'unread'.", NULL), -1;
	return 0;
}

/*
 * Icons: Coder's fallback per template group.  The template is asked
 * after the page is read (one statement at a time), so such a row's
 * icon is left out of the text and written in afterwards.
 */
#define ICON_PENDING_MAX	CODER_PAGE

struct icon_fix {
	size_t		 at[ICON_PENDING_MAX];	/* where the value goes */
	const char	*icon[ICON_PENDING_MAX];
	unsigned char	 tid[ICON_PENDING_MAX][16];
	size_t		 n;
};

int
coder_icon_group_row(const struct tmpl_row *t, void *arg)
{
	const char	**icon = arg;

	if (strcmp(t->group, "Workspace Events") == 0)
		*icon = "DEFAULT_ICON_WORKSPACE";
	else if (strcmp(t->group, "User Events") == 0)
		*icon = "DEFAULT_ICON_ACCOUNT";
	else if (strcmp(t->group, "Template Events") == 0)
		*icon = "DEFAULT_ICON_TEMPLATE";
	return 1;
}

/* Write "n" into "b", its icon to be found later when its template's. */
static int
icon_note_write(struct jbuf *b, struct icon_fix *f, const struct note *n)
{
	const char	*icon = NULL;
	size_t		 at;
	int		 rc;

	if (!n->has_template_id)
		icon = "DEFAULT_ICON_OTHER";
	else if (f->n == ICON_PENDING_MAX)
		icon = "";
	rc = coder_note_write(b, n, icon, &at);
	if (at != SIZE_MAX) {
		f->at[f->n] = at;
		memcpy(f->tid[f->n], n->template_id, 16);
		f->n++;
	}
	return rc;
}

static void
icon_find(struct request *req, struct icon_fix *f)
{
	struct herr	 e;
	size_t		 i, k;

	for (i = 0; i < f->n; i++) {
		f->icon[i] = "DEFAULT_ICON_OTHER";
		/* The same template earlier in the page: its answer. */
		for (k = 0; k < i; k++)
			if (memcmp(f->tid[k], f->tid[i], 16) == 0)
				break;
		if (k < i)
			f->icon[i] = f->icon[k];
		else {
			herr_init(&e);
			(void)model_tmpl_get(req->ctx, f->tid[i],
			    coder_icon_group_row, &f->icon[i], &e);
		}
	}
}

/* The text of "b" with the icons found written in, into "b" again. */
static void
icon_apply(struct request *req, struct icon_fix *f, struct jbuf *b)
{
	struct jbuf	 out;
	size_t		 i, from = 0;

	if (f->n == 0 || b->over)
		return;
	icon_find(req, f);
	jbuf_init(&out, b->max);
	out.noslash = 1;
	for (i = 0; i < f->n; i++) {
		jbuf_raw(&out, b->buf + from, f->at[i] - from);
		jbuf_str(&out, f->icon[i]);
		from = f->at[i];
	}
	jbuf_raw(&out, b->buf + from, b->len - from);
	jbuf_free(b);
	*b = out;
}

struct inbox_page {
	struct jbuf	 out;
	struct icon_fix	 icons;
	size_t		 rows;
};

static int
inbox_row(const struct note *n, void *arg)
{
	struct inbox_page	*pg = arg;

	if (pg->rows++ > 0)
		jbuf_lit(&pg->out, ",");
	return icon_note_write(&pg->out, &pg->icons, n) != 0;
}

struct before_row {
	const char	*me;
	int64_t		 created;
	int		 found;
};

static int
inbox_before_row(const struct note *n, void *arg)
{
	struct before_row	*b = arg;

	/* Another user's id is as unknown as no id: ignored. */
	if (strcmp(n->user, b->me) == 0) {
		b->created = n->created;
		b->found = 1;
	}
	return 1;
}

/*
 * GET /api/v2/notifications/inbox
 * 200 {notifications (≤ 25, newest first), unread_count}; 400 (bad
 * parameters); 401; 503.
 */
int
api_coder_inbox_list(struct request *req, struct reply *rep)
{
	struct inbox_params	 p;
	struct inbox_page	 pg;
	struct note_query	 q;
	struct note_counts	 counts = { 0, 0 };
	struct before_row	 b;
	struct herr		 e;
	const char		*me;

	if ((me = coder_me(req, rep)) == NULL ||
	    coder_inbox_params(req, rep, 0, &p) != 0)
		return rep->status;
	memset(&q, 0, sizeof(q));
	q.user = me;
	q.seen = strcmp(p.read_status, "read") == 0 ? 1 :
	    strcmp(p.read_status, "unread") == 0 ? 0 : -1;
	q.templates = (const unsigned char (*)[16])p.templates;
	q.ntemplates = p.ntemplates;
	q.targets = (const unsigned char (*)[16])p.targets;
	q.ntargets = p.ntargets;
	q.sort = NOTE_SORT_CREATED;
	q.limit = CODER_PAGE;
	q.want = NOTE_WANT_USER;
	herr_init(&e);
	if (p.has_before) {
		/* Coder looks the cursor up; an unknown one is no cursor. */
		memset(&b, 0, sizeof(b));
		b.me = me;
		if (model_note_get(req->ctx, p.before, inbox_before_row, &b,
		    &e) != 0 && e.status != 404)
			return coder_model_err(rep, &e);
		if (b.found) {
			q.has_after = 1;
			q.after_created = b.created;
			memcpy(q.after_id, p.before, 16);
		}
		herr_init(&e);
	}
	memset(&pg, 0, sizeof(pg));
	jbuf_init(&pg.out, req->ctx->cfg->reply_max);
	pg.out.noslash = 1;
	jbuf_lit(&pg.out, "{\"notifications\":[");
	if (model_note_list(req->ctx, &q, inbox_row, &pg, &counts, &e) != 0) {
		jbuf_free(&pg.out);
		return coder_model_err(rep, &e);
	}
	icon_apply(req, &pg.icons, &pg.out);
	jbuf_lit_i64(&pg.out, "],\"unread_count\":", counts.unread);
	jbuf_lit(&pg.out, "}");
	return coder_reply(rep, 200, &pg.out, "Failed to get filtered inbox "
	    "notifications.");
}

/* PUT /api/v2/notifications/inbox/mark-all-as-read: 204. */
int
api_coder_inbox_read_all(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct herr		 e;
	const char		*me;

	if ((me = coder_me(req, rep)) == NULL)
		return rep->status;
	memset(&q, 0, sizeof(q));
	q.user = me;
	q.seen = -1;
	herr_init(&e);
	if (model_note_read_where(req->ctx, &q, NULL, &e) != 0) {
		if (e.status >= 500 && e.status != 503)
			return coder_fail(rep, 500, "Failed to mark all unread "
			    "notifications as read.", NULL);
		return coder_model_err(rep, &e);
	}
	rep->status = 204;
	return 204;
}

/* The caller's own notification: whether it is, and maybe its text. */
struct owned_note {
	const char	*me;
	int		 mine;
	struct jbuf	*out;		/* NULL: only whether it is mine */
	struct icon_fix	 icons;
};

static int
owned_row(const struct note *n, void *arg)
{
	struct owned_note	*o = arg;

	o->mine = strcmp(n->user, o->me) == 0;
	if (o->mine && o->out != NULL && o->out->len == 0) {
		jbuf_lit(o->out, "{\"notification\":");
		(void)icon_note_write(o->out, &o->icons, n);
	}
	return 1;
}

/*
 * PUT /api/v2/notifications/inbox/{id}/read-status {"is_read": bool}
 * 200 {notification, unread_count}; 400 (id, body); 500 for an id that
 * is not the caller's, as Coder answers.
 */
int
api_coder_inbox_read_status(struct request *req, struct reply *rep)
{
	static const char	 failed[] =
	    "Failed to update inbox notification read status.";
	struct owned_note	 o;
	struct note_query	 q;
	struct note_counts	 counts = { 0, 0 };
	struct json_object	*v;
	struct jbuf		 out;
	struct herr		 e;
	const char		*me, *ref = req_capture(req, "id");
	unsigned char		 id[16];
	char			 msg[HERR_MSG_MAX];
	int			 read = 0;

	if ((me = coder_me(req, rep)) == NULL)
		return rep->status;
	if (ref == NULL || util_uuid_parse(ref, id) != 0) {
		snprintf(msg, sizeof(msg), "Invalid UUID \"%.64s\".",
		    ref != NULL ? ref : "");
		return coder_fail(rep, 400, msg, "invalid UUID format");
	}
	if (req->json == NULL || !json_object_is_type(req->json,
	    json_type_object))
		return coder_fail(rep, 400, "Request body must be valid JSON.",
		    req->json == NULL ? "EOF" : "the body is not an object");
	if (json_object_object_get_ex(req->json, "is_read", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			return coder_fail(rep, 400, "Request body must be "
			    "valid JSON.", "is_read must be a boolean");
		read = json_object_get_boolean(v);
	}
	memset(&o, 0, sizeof(o));
	o.me = me;
	herr_init(&e);
	/* Only the caller's own: dbauthz's refusal is Coder's 500. */
	if (model_note_get(req->ctx, id, owned_row, &o, &e) != 0 || !o.mine) {
		if (e.status == 503)
			return coder_model_err(rep, &e);
		return coder_fail(rep, 500, failed, NULL);
	}
	jbuf_init(&out, req->ctx->cfg->reply_max);
	out.noslash = 1;
	o.out = &out;
	o.mine = 0;
	if (model_note_set_read(req->ctx, id, read, &e) != 0 ||
	    model_note_get(req->ctx, id, owned_row, &o, &e) != 0 ||
	    !o.mine) {
		jbuf_free(&out);
		return e.status == 503 ? coder_model_err(rep, &e) :
		    coder_fail(rep, 500, failed, NULL);
	}
	memset(&q, 0, sizeof(q));
	q.user = me;
	q.seen = -1;
	q.want = NOTE_WANT_USER;
	if (model_note_count(req->ctx, &q, &counts, &e) != 0) {
		jbuf_free(&out);
		return coder_fail(rep, 500, "Failed to call count unread inbox "
		    "notifications.", NULL);
	}
	icon_apply(req, &o.icons, &out);
	jbuf_lit_i64(&out, ",\"unread_count\":", counts.unread);
	jbuf_lit(&out, "}");
	return coder_reply(rep, 200, &out, failed);
}
