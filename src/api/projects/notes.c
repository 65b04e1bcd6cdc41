/*
 * The project tool's notifications (seed 001): the caller's own
 * notifications, paged, sorted and filtered as Herald documents it (the
 * seed names the fields, not the parameters), read one or many at once.
 *
 * Indexes (schema 001, 003, 006): the default -created_at and
 * created_at ranges are notes_by_time; filter[read_at]=null|notnull
 * notes_seen; filter[type] notes_type / notes_type_seen; sort=id
 * notes_k_id; sort=type notes_k_type; sort=updated_at notes_k_updated;
 * sort=read_at and read_at ranges notes_k_read_at; filter[id] the
 * primary key.  Unfiltered totals are the per-user counters.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cfg.h"
#include "herr.h"
#include "jbuf.h"
#include "model.h"
#include "projects_int.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define PJ_LIMIT_DEFAULT	15
#define PJ_LIMIT_MAX		100
#define PJ_PAGE_MAX		1000000
#define PJ_LATEST_DEFAULT	10
#define PJ_LATEST_MAX		1000
#define PJ_MARK_MAX		10000

/* The caller: a bearer token bound to one user, or 401. */
static const char *
pj_user(struct request *req, struct reply *rep)
{
	if (req->principal.user == NULL) {
		reply_fail(rep, 401, HERR_UNAUTHENTICATED,
		    "a token bound to a user is required");
		return NULL;
	}
	return req->principal.user;
}

/* Rows written into one answer; only the caller's own. */
struct pj_rows {
	struct jbuf	 out;
	const char	*user;
	const char	*zone;
	long long	 rows;
	int		 found;
	int		 check;		/* pj_own: only whether it is there */
};

static void
pj_rows_init(struct request *req, struct pj_rows *p, const char *head)
{
	memset(p, 0, sizeof(*p));
	jbuf_init(&p->out, req->ctx->cfg->reply_max);
	p->out.noslash = 1;
	jbuf_lit(&p->out, head);
	p->zone = req->ctx->cfg->projects_timezone;
}

static int
pj_row(const struct note *n, void *arg)
{
	struct pj_rows	*p = arg;

	/* A service or admin token sees only its own here, too. */
	if (strcmp(n->user, p->user) != 0)
		return 0;
	if (p->rows++ > 0)
		jbuf_lit(&p->out, ",");
	p->found = 1;
	return pj_note_write(&p->out, n, p->zone) != 0;
}

/* --- GET /api/notifications ------------------------------------------- */

static const struct {
	const char	*name;
	enum note_sort	 sort;
} pj_sorts[] = {
	{ "id",		NOTE_SORT_ID },
	{ "type",	NOTE_SORT_TYPE },
	{ "read_at",	NOTE_SORT_READ_AT },
	{ "created_at",	NOTE_SORT_CREATED },
	{ "updated_at",	NOTE_SORT_UPDATED },
};

static int
pj_sort_field(const char *s, enum note_sort *out)
{
	size_t	i;

	for (i = 0; i < sizeof(pj_sorts) / sizeof(pj_sorts[0]); i++)
		if (strcmp(s, pj_sorts[i].name) == 0) {
			*out = pj_sorts[i].sort;
			return 0;
		}
	return -1;
}

/* "a,b,c": at most NOTE_QUERY_IN_MAX ids. */
static int
pj_id_list(const char *v, unsigned char (*ids)[16], size_t *n)
{
	char		one[UUID_STR_LEN];
	const char	*p = v, *comma;
	size_t		len;

	*n = 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len != 36 || *n == NOTE_QUERY_IN_MAX)
			return -1;
		memcpy(one, p, 36);
		one[36] = '\0';
		if (util_uuid_parse(one, ids[*n]) != 0)
			return -1;
		(*n)++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/*
 * filter[<field>][gte|gt|lte|lt]=<date> into strict bounds; the store's
 * times are milliseconds, so ">= t" is "> t - 1".  0 means "no bound",
 * so an upper bound that falls on 0 becomes -1.
 */
static int
pj_range(const char *op, const char *v, int64_t *after, int64_t *before)
{
	int64_t	t, b;

	if (pj_date_parse(v, &t) != 0)
		return -1;
	if (strcmp(op, "gt") == 0 || strcmp(op, "gte") == 0) {
		t = op[2] == 'e' ? t - 1 : t;
		if (*after == 0 || t > *after)
			*after = t;
		return 0;
	}
	if (strcmp(op, "lt") == 0 || strcmp(op, "lte") == 0) {
		b = op[2] == 'e' ? t + 1 : t;
		if (b == 0)
			b = -1;
		if (*before == 0 || b < *before)
			*before = b;
		return 0;
	}
	return -1;
}

/* "filter[...]": one field, maybe with an operator. */
static int
pj_filter(const char *name, const char *v, struct note_query *q,
    unsigned char (*ids)[16])
{
	char		field[16], op[8];
	const char	*f = name + strlen("filter["), *close;
	size_t		len;

	if ((close = strchr(f, ']')) == NULL ||
	    (len = (size_t)(close - f)) >= sizeof(field))
		return -1;
	memcpy(field, f, len);
	field[len] = '\0';
	if (close[1] == '\0') {
		if (strcmp(field, "id") == 0)
			return pj_id_list(v, ids, &q->nids);
		if (strcmp(field, "type") == 0) {
			if (util_utf8_len(v, strlen(v)) > NOTE_TYPE_MAX)
				return -1;
			q->type = v;
			return 0;
		}
		if (strcmp(field, "read_at") == 0) {
			if (strcmp(v, "null") == 0)
				q->seen = 0;
			else if (strcmp(v, "notnull") == 0)
				q->seen = 1;
			else
				return -1;
			return 0;
		}
		return -1;
	}
	f = close + 1;
	if (f[0] != '[' || (close = strchr(f, ']')) == NULL ||
	    close[1] != '\0' || (len = (size_t)(close - f - 1)) >= sizeof(op))
		return -1;
	memcpy(op, f + 1, len);
	op[len] = '\0';
	if (strcmp(field, "created_at") == 0)
		return pj_range(op, v, &q->created_after, &q->created_before);
	if (strcmp(field, "updated_at") == 0)
		return pj_range(op, v, &q->updated_after, &q->updated_before);
	if (strcmp(field, "read_at") == 0)
		return pj_range(op, v, &q->read_after, &q->read_before);
	return -1;
}

/* sort=[-]field, or orderBy=field&sortedBy=asc|desc (l5-repository). */
static int
pj_sorting(struct request *req, struct reply *rep, struct note_query *q)
{
	const char	*sort = NULL, *by = NULL, *dir = NULL;

	if (req_param(req, "sort", 0, &sort) < 0 ||
	    req_param(req, "orderBy", 0, &by) < 0 ||
	    req_param(req, "sortedBy", 0, &dir) < 0)
		return pj_bad_param(rep, "sort"), -1;
	q->sort = NOTE_SORT_CREATED;
	q->asc = 0;
	if (sort != NULL && by != NULL)
		return pj_bad_param(rep, "orderBy"), -1;
	if (sort != NULL) {
		q->asc = sort[0] != '-';
		if (pj_sort_field(sort + (sort[0] == '-'), &q->sort) != 0)
			return pj_bad_param(rep, "sort"), -1;
	} else if (by != NULL && pj_sort_field(by, &q->sort) != 0)
		return pj_bad_param(rep, "orderBy"), -1;
	if (dir != NULL) {
		if (by == NULL)
			return pj_bad_param(rep, "sortedBy"), -1;
		if (!util_strcaseeq(dir, "asc") && !util_strcaseeq(dir, "desc"))
			return pj_bad_param(rep, "sortedBy"), -1;
		q->asc = util_strcaseeq(dir, "asc");
	} else if (by != NULL)
		q->asc = 1;
	return 0;
}

static int
pj_list_params(struct request *req, struct reply *rep, struct note_query *q,
    unsigned char (*ids)[16], long long *page)
{
	const char	*name, *v;
	long long	 n;
	size_t		 i;

	*page = 1;
	q->limit = PJ_LIMIT_DEFAULT;
	for (i = 0; i < req->nparams; i++) {
		name = req->params[i].name;
		v = req->params[i].value;
		if (req_param(req, name, 0, &v) < 0)
			return pj_bad_param(rep, name), -1;
		if (strcmp(name, "page") == 0) {
			if (util_strtoll(v, 1, PJ_PAGE_MAX, page) != 0)
				return pj_bad_param(rep, name), -1;
		} else if (strcmp(name, "limit") == 0) {
			if (util_strtoll(v, 1, PJ_LIMIT_MAX, &n) != 0)
				return pj_bad_param(rep, name), -1;
			q->limit = n;
		} else if (strncmp(name, "filter[", 7) == 0) {
			if (pj_filter(name, v, q, ids) != 0)
				return pj_bad_param(rep, name), -1;
		} else if (strcmp(name, "sort") != 0 &&
		    strcmp(name, "orderBy") != 0 &&
		    strcmp(name, "sortedBy") != 0 &&
		    strcmp(name, "include") != 0)
			return pj_bad_param(rep, name), -1;
	}
	q->ids = (const unsigned char (*)[16])ids;
	q->offset = (*page - 1) * q->limit;
	return pj_sorting(req, rep, q);
}

int
api_pj_list(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct note_counts	 c = { 0, 0 };
	struct pj_rows		 p;
	unsigned char		 ids[NOTE_QUERY_IN_MAX][16];
	long long		 page, pages;
	const char		*user;
	struct herr		 e;

	memset(&q, 0, sizeof(q));
	q.seen = -1;
	q.want = NOTE_WANT_MATCH;
	if ((user = pj_user(req, rep)) == NULL ||
	    pj_list_params(req, rep, &q, ids, &page) != 0)
		return rep->status;
	q.user = user;
	pj_rows_init(req, &p, "{\"items\":[");
	p.user = user;
	herr_init(&e);
	if (model_note_list(req->ctx, &q, pj_row, &p, &c, &e) != 0) {
		jbuf_free(&p.out);
		return pj_model_err(rep, &e);
	}
	/* Laravel's paginator: an empty result still has one page. */
	pages = c.total > 0 ? (c.total + q.limit - 1) / q.limit : 1;
	jbuf_lit_i64(&p.out, "],\"meta\":{\"pagination\":{\"total\":",
	    c.total);
	jbuf_lit_i64(&p.out, ",\"count\":", p.rows);
	jbuf_lit_i64(&p.out, ",\"per_page\":", q.limit);
	jbuf_lit_i64(&p.out, ",\"current_page\":", page);
	jbuf_lit_i64(&p.out, ",\"total_pages\":", pages);
	jbuf_lit(&p.out, "}}}");
	return reply_jbuf(rep, 200, &p.out);
}

/* --- GET /api/latest-notifications ------------------------------------ */

int
api_pj_latest(struct request *req, struct reply *rep)
{
	struct note_query	 q;
	struct pj_rows		 p;
	const char		*v = NULL, *user;
	long long		 limit = PJ_LATEST_DEFAULT;
	struct herr		 e;
	size_t			 i;

	memset(&q, 0, sizeof(q));
	if ((user = pj_user(req, rep)) == NULL)
		return rep->status;
	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, "limit") != 0)
			return pj_bad_param(rep, req->params[i].name);
	if (req_param(req, "limit", 0, &v) < 0 ||
	    (v != NULL && util_strtoll(v, 1, PJ_LATEST_MAX, &limit) != 0))
		return pj_bad_param(rep, "limit");
	q.seen = -1;
	q.user = user;
	q.limit = limit;
	q.sort = NOTE_SORT_CREATED;	/* newest first; ties by id, desc */
	pj_rows_init(req, &p, "{\"items\":[");
	p.user = user;
	herr_init(&e);
	if (model_note_list(req->ctx, &q, pj_row, &p, NULL, &e) != 0) {
		jbuf_free(&p.out);
		return pj_model_err(rep, &e);
	}
	jbuf_lit(&p.out, "]}");
	return reply_jbuf(rep, 200, &p.out);
}

/* --- one notification ------------------------------------------------- */

static int
pj_one_row(const struct note *n, void *arg)
{
	struct pj_rows	*p = arg;

	if (strcmp(n->user, p->user) != 0)
		return 1;
	if (p->check)
		p->found = 1;
	else
		(void)pj_row(n, p);
	return 1;
}

/*
 * The caller's notification {id}: 404 for another's, for an unknown id
 * and for what is not an id (route-model binding answers so).  With
 * "render", the answer is its text.
 */
static int
pj_own(struct request *req, struct reply *rep, unsigned char id[16],
    int render)
{
	struct pj_rows	 p;
	const char	*s = req_capture(req, "id");
	struct herr	 e;

	pj_rows_init(req, &p, "");
	p.check = !render;
	if ((p.user = pj_user(req, rep)) == NULL)
		goto fail;
	if (s == NULL || util_uuid_parse(s, id) != 0) {
		reply_fail(rep, 404, HERR_NOT_FOUND, "no such notification");
		goto fail;
	}
	herr_init(&e);
	if (model_note_get(req->ctx, id, pj_one_row, &p, &e) != 0) {
		pj_model_err(rep, &e);
		goto fail;
	}
	if (!p.found) {
		reply_fail(rep, 404, HERR_NOT_FOUND, "no such notification");
		goto fail;
	}
	if (render)
		return reply_jbuf(rep, 200, &p.out) == 200 ? 0 : -1;
	jbuf_free(&p.out);
	return 0;
fail:
	jbuf_free(&p.out);
	return -1;
}

int
api_pj_get(struct request *req, struct reply *rep)
{
	unsigned char	id[16];

	(void)pj_own(req, rep, id, 1);
	return rep->status;
}

int
api_pj_read(struct request *req, struct reply *rep)
{
	unsigned char	id[16];
	struct herr	e;

	/* The body is "{}"; what else it holds is ignored, as Laravel does. */
	if (req->json != NULL && !json_object_is_type(req->json,
	    json_type_object))
		return reply_fail(rep, 400, HERR_BAD_JSON, "The body must be "
		    "a JSON object.");
	if (pj_own(req, rep, id, 0) != 0)
		return rep->status;
	herr_init(&e);
	/* markAsRead(): a read notification keeps its read_at. */
	if (model_note_set_read(req->ctx, id, 1, &e) != 0)
		return pj_model_err(rep, &e);
	(void)pj_own(req, rep, id, 1);
	return rep->status;
}

/* --- POST /api/notifications {"notification_ids": [...]} -------------- */

static int
pj_id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* The body's ids, sorted and without repeats, into *out (caller frees). */
static int
pj_mark_ids(struct request *req, struct reply *rep, unsigned char (**out)[16],
    size_t *n)
{
	struct json_object	*arr, *v;
	unsigned char		(*ids)[16];
	size_t			 i, k, len;

	*out = NULL;
	*n = 0;
	if (req->json == NULL || !json_object_is_type(req->json,
	    json_type_object) || !json_object_object_get_ex(req->json,
	    "notification_ids", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return reply_fail(rep, 400, HERR_BAD_REQUEST, "The "
		    "notification_ids field must be an array."), -1;
	if ((len = json_object_array_length(arr)) > PJ_MARK_MAX)
		return reply_fail(rep, 400, HERR_BAD_REQUEST, "The "
		    "notification_ids field must not have more than %d "
		    "items.", PJ_MARK_MAX), -1;
	if (len == 0)
		return 0;
	if ((ids = calloc(len, sizeof(*ids))) == NULL)
		return reply_fail(rep, 500, HERR_INTERNAL, "out of memory"),
		    -1;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    util_uuid_parse(json_object_get_string(v), ids[i]) != 0) {
			free(ids);
			return reply_fail(rep, 400, HERR_BAD_REQUEST, "The "
			    "notification_ids.%zu field must be a valid "
			    "UUID.", i), -1;
		}
	}
	/* Sorted: the reply lists them in id order, as whereIn() does. */
	qsort(ids, len, sizeof(*ids), pj_id_cmp);
	for (i = 1, k = 1; i < len; i++)
		if (memcmp(ids[i], ids[k - 1], 16) != 0)
			memcpy(ids[k++], ids[i], 16);
	*out = ids;
	*n = k;
	return 0;
}

int
api_pj_mark(struct request *req, struct reply *rep)
{
	unsigned char		(*ids)[16] = NULL;
	struct note_query	 q;
	struct pj_rows		 p;
	const char		*user;
	struct herr		 e;
	size_t			 n, i;

	if ((user = pj_user(req, rep)) == NULL ||
	    pj_mark_ids(req, rep, &ids, &n) != 0)
		return rep->status;
	pj_rows_init(req, &p, "{\"items\":[");
	p.user = user;
	herr_init(&e);
	/* All in one transaction: none is marked unless all are. */
	if (model_note_mark_ids(req->ctx, user,
	    (const unsigned char (*)[16])ids, n, &e) != 0)
		goto fail;
	/* Read back the caller's own, a statement per NOTE_QUERY_IN_MAX. */
	for (i = 0; i < n && !p.out.over; i += NOTE_QUERY_IN_MAX) {
		memset(&q, 0, sizeof(q));
		q.seen = -1;
		q.user = user;
		q.sort = NOTE_SORT_ID;
		q.asc = 1;
		q.ids = (const unsigned char (*)[16])ids + i;
		q.nids = n - i < NOTE_QUERY_IN_MAX ? n - i : NOTE_QUERY_IN_MAX;
		if (model_note_list(req->ctx, &q, pj_row, &p, NULL, &e) != 0)
			goto fail;
	}
	free(ids);
	jbuf_lit(&p.out, "]}");
	return reply_jbuf(rep, 200, &p.out);
fail:
	free(ids);
	jbuf_free(&p.out);
	return pj_model_err(rep, &e);
}
