/*
 * The DE notification-agent dialect (seed 004): user notifications.
 * Behaviour follows shared/api/agent.md; its section numbers are cited.
 * Thin: parse and validate, call the model, render the agent's JSON.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent_int.h"
#include "app.h"
#include "cfg.h"
#include "herr.h"
#include "jbuf.h"
#include "jsonio.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

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
agent_filter(const char *v, char *buf, size_t bufsz, struct note_query *f)
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
    size_t bufsz, struct note_query *f)
{
	const char	*v;
	int		 rc;

	if ((rc = agent_param1(req, rep, "filter", &v)) != 1)
		return rc;
	/* Cut, it could match another type's prefix: refuse instead. */
	if (strlen(v) >= bufsz) {
		agent_err(rep, 400, "ERR_ILLEGAL_ARGUMENT",
		    "filter is too long", "param", "filter", AGENT_END);
		return -1;
	}
	agent_filter(v, buf, bufsz, f);
	return rc;
}

/* sortField / sortDir and their spellings (§5.1.6). */
static int
agent_sort(struct request *req, struct reply *rep, struct note_query *pg)
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


/* Rows written as they come, within reply_max; offsets for reversing. */
struct agent_list {
	struct jbuf	 out;
	int		 depth;
	long long	 rows;
	size_t		 starts[16];
	int		 truncated;
};

static int
agent_list_row(const struct note *n, void *arg)
{
	struct agent_list	*l = arg;
	size_t			 mark = l->out.len;

	if (l->rows > 0)
		jbuf_lit(&l->out, ",");
	if (l->rows < 16)
		l->starts[l->rows] = l->out.len;
	if (agent_note_write(&l->out, n, l->depth) != 0) {
		/* The row that did not fit is not sent at all. */
		l->out.len = mark;
		l->out.buf[mark] = '\0';
		l->out.over = 0;
		l->truncated = 1;
		return 1;
	}
	l->rows++;
	return 0;
}

/* The rows of "l" (at most 16) in reverse order, into "b". */
static void
agent_reverse(const struct agent_list *l, struct jbuf *b)
{
	long long	i;
	size_t		end;

	for (i = l->rows - 1; i >= 0; i--) {
		end = i + 1 < l->rows ? l->starts[i + 1] - 1 : l->out.len;
		if (i < l->rows - 1)
			jbuf_lit(b, ",");
		jbuf_raw(b, l->out.buf + l->starts[i], end - l->starts[i]);
	}
}

/* A query for the request's user: every notification, newest first. */
static void
agent_query(struct note_query *q)
{
	memset(q, 0, sizeof(*q));
	q->seen = -1;
	q->want = NOTE_WANT_MATCH;
}

/*
 * A listing {"messages", "total", "unseen_total", "system-messages"}:
 * total counts the filter's rows ignoring paging, unseen_total the same
 * without the seen condition but unseen (§5.1.7).  Rows go from the
 * database into the answer one at a time, at most list_max of them when
 * the client asked for more (or for all), and at most reply_max bytes.
 */
static int
agent_listing(struct request *req, struct reply *rep,
    const struct note_query *q0, int reverse, int with_system)
{
	const struct cfg	*cfg = req->app->cfg;
	struct agent_list	 l;
	struct note_query	 q = *q0;
	struct note_counts	 counts = { 0, 0 };
	struct jbuf		 rev;
	struct herr		 e;
	char			*body, num[96];
	size_t			 len, first;

	herr_init(&e);
	memset(&l, 0, sizeof(l));
	jbuf_init(&l.out, cfg->reply_max);
	l.depth = cfg->json_depth + 1;
	if (q.limit <= 0 || q.limit > cfg->list_max)
		q.limit = cfg->list_max;
	jbuf_lit(&l.out, "{\"messages\":[");
	first = l.out.len;
	/* The counts ignore paging: last-ten's total is everything the
	 * user has, not the ten (§5.1.8). */
	if (model_note_list(req->ctx, &q, agent_list_row, &l, &counts, &e) !=
	    0) {
		jbuf_free(&l.out);
		return reply_err(rep, &e);
	}
	if (reverse && l.rows <= 16) {
		jbuf_init(&rev, cfg->reply_max);
		jbuf_raw(&rev, l.out.buf, first);
		agent_reverse(&l, &rev);
		jbuf_free(&l.out);
		l.out = rev;
	}
	/* The envelope has room beyond the rows' bound. */
	l.out.max += 1024 * 1024;
	/* Counts are strings in the agent's listings. */
	snprintf(num, sizeof(num), "],\"total\":\"%lld\",\"unseen_total\":"
	    "\"%lld\"", counts.total, counts.unread);
	jbuf_lit(&l.out, num);
	/* /messages carries the user's system notifications, and
	 * /unseen-messages the unseen ones, written as they are read. */
	if (with_system) {
		jbuf_lit(&l.out, ",\"system-messages\":");
		if (agent_system_messages_write(req, rep, q.user,
		    q.seen == 0 && with_system == 2, &l.out) != 0) {
			jbuf_free(&l.out);
			return rep->status;
		}
	}
	jbuf_lit(&l.out, "}");
	if (l.out.over) {
		jbuf_free(&l.out);
		return agent_store_err(rep, STORE_ERROR);
	}
	if (l.truncated)
		reply_header(rep, "Herald-Truncated", "true");
	body = jbuf_take(&l.out, &len);
	return reply_take(rep, 200, "application/json; charset=utf-8", body,
	    len);
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
		    "agent!\nError: expecting %.*s.", (int)util_utf8_cut(exp,
		    400), exp);
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

int
api_agent_notification_create(struct request *req, struct reply *rep)
{
	struct json_object	*body, *v, *payload = NULL, *doc;
	struct note_new		 n;
	struct herr		 e;
	unsigned char		 id[16];
	char			 idtext[UUID_STR_LEN];
	const char		*user;
	size_t			 len;
	int			 status, replayed;

	if (agent_body(req, rep, &body) != 0)
		return rep->status;
	memset(&n, 0, sizeof(n));
	if (body == NULL || !json_object_is_type(body, json_type_object))
		body = NULL;
	if ((status = agent_required(rep, body, "type", NOTE_TYPE_MAX,
	    &n.type)) != 0 ||
	    (status = agent_required(rep, body, "user", NOTE_USER_MAX,
	    &n.recipient)) != 0 ||
	    (status = agent_required(rep, body, "subject", NOTE_SUBJECT_MAX,
	    &n.title)) != 0)
		return status;
	if (agent_acting_for(req, rep, n.recipient, &user) != 0)
		return rep->status;
	if (jsonio_get_str(body, "message", &n.body) < 0)
		return agent_bad_field(rep, "message",
		    "message must be a string");
	if (n.body == NULL)
		n.body = n.title;
	if (strlen(n.body) > NOTE_BODY_MAX)
		return agent_bad_field(rep, "message", "message is too long");
	if (json_object_object_get_ex(body, "email", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			return agent_bad_field(rep, "email",
			    "email must be true or false");
		n.email = json_object_get_boolean(v);
	}
	if (jsonio_get_str(body, "email_template", &n.email_template) < 0)
		return agent_bad_field(rep, "email_template",
		    "email_template must be a string");
	if (n.email_template != NULL && agent_too_long(n.email_template,
	    NOTE_TEMPLATE_MAX))
		return agent_bad_field(rep, "email_template",
		    "email_template is too long");
	if (jsonio_get_obj(body, "payload", &payload) < 0)
		return agent_bad_field(rep, "payload",
		    "payload must be an object");
	n.data = payload != NULL ? jsonio_text(payload, &len) : "{}";
	if (n.data == NULL)
		return agent_store_err(rep, STORE_ERROR);
	if (payload != NULL &&
	    jsonio_get_str(payload, "email_address", &n.email_address) != 1)
		n.email_address = NULL;

	/*
	 * The e-mail request is kept with the notification (email, template,
	 * payload.email_address); the model decides whether it is queued.
	 */
	n.channels = NOTE_CH_AGENT_EMAIL;
	herr_init(&e);
	if (model_note_create(req->ctx, &n, id, &replayed, &e) != 0)
		return reply_err(rep, &e);
	util_uuid_format(id, 1, idtext);
	doc = json_object_new_object();
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	json_object_object_add(doc, "id", json_object_new_string(idtext));
	return agent_json(rep, doc);
}

/* GET /messages (§3.1 #3). */
int
api_agent_messages(struct request *req, struct reply *rep)
{
	struct note_query	q;
	char			fbuf[256];

	agent_query(&q);
	if (agent_user(req, rep, NULL, &q.user) != 0 ||
	    agent_long(req, rep, "limit", &q.limit) < 0 ||
	    agent_long(req, rep, "offset", &q.offset) < 0 ||
	    agent_seen(req, rep, &q.seen) < 0 ||
	    agent_sort(req, rep, &q) < 0 ||
	    agent_filter_param(req, rep, fbuf, sizeof(fbuf), &q) < 0)
		return rep->status;
	return agent_listing(req, rep, &q, 0, 1);
}

/* GET /unseen-messages: unseen, oldest first, no paging (§3.1 #4). */
int
api_agent_unseen(struct request *req, struct reply *rep)
{
	struct note_query	q;

	agent_query(&q);
	q.seen = 0;
	q.asc = 1;
	if (agent_user(req, rep, NULL, &q.user) != 0)
		return rep->status;
	return agent_listing(req, rep, &q, 0, 2);
}

/* GET /last-ten-messages: the ten newest, oldest first (§5.1.8). */
int
api_agent_last_ten(struct request *req, struct reply *rep)
{
	struct note_query	q;

	agent_query(&q);
	q.limit = 10;
	if (agent_user(req, rep, NULL, &q.user) != 0)
		return rep->status;
	return agent_listing(req, rep, &q, 1, 0);
}

/* GET /count-messages: numbers, not strings (§5.5). */
int
api_agent_count(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct note_counts	 c = { 0, 0 };
	struct json_object	*doc;
	struct herr		 e;
	long long		 total, st = 0, sn = 0, su = 0;
	char			 fbuf[256];

	agent_query(&q);
	herr_init(&e);
	if (agent_user(req, rep, NULL, &q.user) != 0 ||
	    agent_seen(req, rep, &q.seen) < 0 ||
	    agent_filter_param(req, rep, fbuf, sizeof(fbuf), &q) < 0)
		return rep->status;
	if (q.type == NULL) {
		/* Unfiltered (or "new"): one statement answers it all. */
		if (model_overview(req->ctx, q.user, &c, &st, &sn, &su,
		    &e) != 0)
			return reply_err(rep, &e);
		total = q.seen < 0 ? c.total : q.seen == 0 ? c.unread :
		    c.total - c.unread;
	} else {
		if (model_note_count(req->ctx, &q, &c, &e) != 0)
			return reply_err(rep, &e);
		if (agent_system_counts(req, rep, q.user, &st, &sn, &su) != 0)
			return rep->status;
		total = c.total;
	}
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

/* {"success": true, "count": remaining unseen} with count as "numeric". */
static int
agent_count_reply(struct request *req, struct reply *rep, const char *user,
    int as_string)
{
	struct note_query	 q;
	struct note_counts	 c = { 0, 0 };
	struct json_object	*doc;
	struct herr		 e;

	agent_query(&q);
	q.user = user;
	q.seen = 0;
	herr_init(&e);
	if (model_note_count(req->ctx, &q, &c, &e) != 0)
		return reply_err(rep, &e);
	doc = json_object_new_object();
	json_object_object_add(doc, "success", json_object_new_boolean(1));
	json_object_object_add(doc, "count", as_string ?
	    agent_count_str(c.unread) : json_object_new_int64(c.unread));
	return agent_json(rep, doc);
}

/* POST /seen?user=U {"uuids": [...]} (§3.1 #7, §5.1.3). */
int
api_agent_seen(struct request *req, struct reply *rep)
{
	struct json_object	*body;
	unsigned char		(*ids)[16];
	const char		*user;
	struct herr		 e;
	size_t			 n;
	int			 rc;

	if (agent_body(req, rep, &body) != 0 ||
	    agent_user(req, rep, body, &user) != 0 ||
	    agent_ids(rep, body, &ids, &n) != 0)
		return rep->status;
	herr_init(&e);
	rc = model_note_mark_ids(req->ctx, user,
	    (const unsigned char (*)[16])ids, n, &e);
	free(ids);
	if (rc != 0)
		return reply_err(rep, &e);
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
	struct note_query	 q;
	struct herr		 e;
	const char		*filter, *user;
	char			 fbuf[256];

	agent_query(&q);
	if (agent_body(req, rep, &body) != 0)
		return rep->status;
	if (body != NULL && !json_object_is_type(body, json_type_object))
		body = NULL;
	/* The body names the user here; the query string is the fallback. */
	if (body != NULL && jsonio_get_str(body, "user", &user) == 1 &&
	    !util_blank(user)) {
		if (agent_too_long(user, NOTE_USER_MAX))
			return agent_bad_field(rep, "user", "user is too long");
		if (agent_acting_for(req, rep, user, &q.user) != 0)
			return rep->status;
	} else if (agent_user(req, rep, NULL, &q.user) != 0)
		return rep->status;
	if (agent_opt_str(rep, body, "type", &q.type) != 0 ||
	    agent_opt_str(rep, body, "filter", &filter) != 0 ||
	    agent_opt_str(rep, body, "subject", &q.subject) != 0)
		return rep->status;
	if (filter != NULL) {
		if (strlen(filter) >= sizeof(fbuf))
			return agent_bad_field(rep, "filter",
			    "filter is too long");
		agent_filter(filter, fbuf, sizeof(fbuf), &q);
	}
	herr_init(&e);
	if (model_note_read_where(req->ctx, &q, NULL, &e) != 0)
		return reply_err(rep, &e);
	return agent_count_reply(req, rep, q.user, 0);
}

/* POST /delete?user=U {"uuids": [...]} (§3.1 #9). */
int
api_agent_delete(struct request *req, struct reply *rep)
{
	struct json_object	*body, *doc;
	unsigned char		(*ids)[16];
	const char		*user;
	struct herr		 e;
	size_t			 n;
	int			 rc;

	if (agent_body(req, rep, &body) != 0 ||
	    agent_user(req, rep, body, &user) != 0 ||
	    agent_ids(rep, body, &ids, &n) != 0)
		return rep->status;
	herr_init(&e);
	rc = model_note_delete_ids(req->ctx, user,
	    (const unsigned char (*)[16])ids, n, &e);
	free(ids);
	if (rc != 0)
		return reply_err(rep, &e);
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
	struct note_query	 q;
	struct herr		 e;
	const char		*v;
	char			 fbuf[256];
	long long		 before;
	int			 r;

	agent_query(&q);
	if (agent_user(req, rep, NULL, &q.user) != 0 ||
	    agent_seen(req, rep, &q.seen) < 0 ||
	    agent_param1(req, rep, "type", &q.type) < 0 ||
	    agent_param1(req, rep, "subject", &q.subject) < 0 ||
	    agent_filter_param(req, rep, fbuf, sizeof(fbuf), &q) < 0 ||
	    (r = agent_param1(req, rep, "created-before", &v)) < 0)
		return rep->status;
	if (r == 1) {
		if (util_strtoll(v, 1, INT64_MAX, &before) != 0)
			return agent_err(rep, 400, "ERR_BAD_QUERY_PARAMETER",
			    "created-before must be milliseconds since the "
			    "epoch", "param", "created-before", "value", v,
			    AGENT_END);
		q.created_before = before;
	}
	herr_init(&e);
	if (model_note_delete_where(req->ctx, &q, NULL, &e) != 0)
		return reply_err(rep, &e);
	return agent_count_reply(req, rep, q.user, 1);
}
