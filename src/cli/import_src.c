/*
 * The driver every "herald import" source shares: a source table read in
 * keyset batches (bounded memory whatever its size) through either
 * client, each batch written through the model in one transaction that
 * ends with its checkpoint, and the helpers the row functions use.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "herr.h"
#include "import_int.h"
#include "jsonio.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define IMP_JSON_DEPTH	16

const char *
imp_val(const struct imp_page *p, int i, int c)
{
	if (c >= p->ncols)
		return NULL;
	return p->val(p, i, c);
}

long long
imp_i64(const struct imp_page *p, int i, int c, long long dflt)
{
	const char	*s = imp_val(p, i, c);
	long long	 v;

	if (s == NULL || util_strtoll(s, INT64_MIN, INT64_MAX, &v) != 0)
		return dflt;
	return v;
}

int
imp_bool(const struct imp_page *p, int i, int c)
{
	const char	*v = imp_val(p, i, c);

	/* PostgreSQL says "t", MySQL "1". */
	return v != NULL && (v[0] == 't' || v[0] == '1');
}

void
imp_digest(const struct imp_page *p, int i, int first, struct import_row *r)
{
	const char	*vals[16];
	int		 c, n = 0;

	for (c = first; c < p->ncols && n < 16; c++)
		vals[n++] = imp_val(p, i, c);
	model_import_digest(r, vals, (size_t)n);
}

void
imp_skip(struct import_row *r, const char *why, const char *col,
    const char *val)
{
	r->out = IMPORT_SKIPPED;
	if (col != NULL)
		snprintf(r->reason, sizeof(r->reason), "%s (%s %.64s)", why,
		    col, val != NULL ? val : "NULL");
	else
		snprintf(r->reason, sizeof(r->reason), "%s", why);
}

int
imp_uuid(const struct imp_page *p, int i, int c, const char *col,
    unsigned char id[16], struct import_row *r)
{
	const char	*v = imp_val(p, i, c);

	if (v == NULL || util_uuid_parse(v, id) != 0) {
		imp_skip(r, "not a UUID", col, v);
		return -1;
	}
	return 0;
}

void
imp_herr(const struct herr *e)
{
	log_error("import: %s (%d)", e->message, e->status);
}

int
imp_uuid_array(const char *json, unsigned char (*ids)[16], size_t max,
    size_t *n, char *out, size_t outsz)
{
	struct json_object	*doc = NULL, *v;
	size_t			 i, len, k = 0, at = 0;
	int			 rc = -1;

	*n = 0;
	if (json == NULL)
		return 0;
	if (jsonio_parse(json, strlen(json), IMP_JSON_DEPTH, &doc) !=
	    JSONIO_OK || !json_object_is_type(doc, json_type_array) ||
	    (len = json_object_array_length(doc)) > max ||
	    outsz < len * 39 + 3)
		goto out;
	out[at++] = '[';
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(doc, i);
		if (!json_object_is_type(v, json_type_string) ||
		    util_uuid_parse(json_object_get_string(v), ids[k]) != 0)
			goto out;
		if (i > 0)
			out[at++] = ',';
		out[at++] = '"';
		util_uuid_format(ids[k], 0, out + at);
		at += 36;
		out[at++] = '"';
		k++;
	}
	out[at++] = ']';
	out[at] = '\0';
	*n = k;
	rc = 0;
out:
	json_object_put(doc);
	return rc;
}

/* --- the batches -------------------------------------------------------- */

/* Commit a finished batch with its checkpoint. */
static int
imp_commit(struct imp_run *run, const struct imp_tbl *d, const char *last,
    int done)
{
	struct herr	e;

	if (run->dry_run)
		return 0;
	herr_init(&e);
	if (model_import_commit(&run->ctx, run->source, d->name, last, done,
	    &e) != 0) {
		imp_herr(&e);
		return -1;
	}
	return 0;
}

/* The key of row i, as text. */
static void
imp_key(const struct imp_tbl *d, const struct imp_page *p, int i, char *key,
    size_t keysz)
{
	const char	*a = imp_val(p, i, 0), *b = imp_val(p, i, 1);

	if (d->keys == 2)
		snprintf(key, keysz, "%s:%s", a != NULL ? a : "",
		    b != NULL ? b : "");
	else
		snprintf(key, keysz, "%s", a != NULL ? a : "");
}

/*
 * One page of rows, in one transaction: 0, or -1 (rolled back).  Its
 * notifications are queued and written together (model_import_flush), so
 * each row and its key stay until then; the tally follows.
 */
static int
imp_page_write(struct imp_run *run, const struct imp_tbl *d,
    struct imp_table *t, const struct imp_page *p, char *last, size_t lastsz)
{
	struct import_row	*rows;
	char			(*keys)[IMP_KEY_MAX];
	struct herr		 e;
	int			 i, rc = -1;

	herr_init(&e);
	rows = calloc((size_t)p->nrows, sizeof(*rows));
	keys = calloc((size_t)p->nrows, sizeof(*keys));
	if (rows == NULL || keys == NULL) {
		log_error("import: out of memory");
		goto out;
	}
	run->ctx.now = util_now_ms();
	if (!run->dry_run && model_import_begin(&run->ctx, &e) != 0) {
		imp_herr(&e);
		goto out;
	}
	for (i = 0; i < p->nrows; i++) {
		imp_key(d, p, i, keys[i], sizeof(keys[i]));
		rows[i].source = run->source;
		rows[i].tbl = d->name;
		rows[i].key = keys[i];
		rows[i].dry_run = run->dry_run;
		rows[i].batch = run->rows;
		if (d->row(run, p, i, &rows[i], &e) != 0)
			goto fail;
	}
	if (model_import_flush(&run->ctx, run->rows, &e) != 0)
		goto fail;
	for (i = 0; i < p->nrows; i++)
		imp_row(run, t, &rows[i]);
	snprintf(last, lastsz, "%s", p->nrows > 0 ? keys[p->nrows - 1] : "");
	rc = imp_commit(run, d, last, 0);
	goto out;
fail:
	imp_herr(&e);
	model_import_batch_clear(run->rows);
	if (!run->dry_run)
		model_import_rollback(&run->ctx);
out:
	free(rows);
	free(keys);
	return rc;
}

/* Split a checkpoint "a" or "a:b" into its parts. */
static int
imp_key_split(const struct imp_tbl *d, char *last, const char **k1,
    const char **k2)
{
	char	*colon;

	*k1 = last;
	*k2 = d->first;
	if (d->keys == 2) {
		if ((colon = strchr(last, ':')) == NULL)
			return -1;
		*colon = '\0';
		*k2 = colon + 1;
	}
	return 0;
}

static int
imp_read_table(struct imp_run *run, const struct imp_client *cl,
    const struct imp_tbl *d)
{
	struct imp_table	*t;
	struct imp_page		 p;
	struct imp_args		 a;
	struct herr		 e;
	char			 last[IMP_KEY_MAX], cur[IMP_KEY_MAX];
	long long		 total;
	int			 done = 0, cp = 0, n;

	herr_init(&e);
	memset(&a, 0, sizeof(a));
	if (d->keys == 2)
		snprintf(last, sizeof(last), "%s:%s", d->first, d->first);
	else
		snprintf(last, sizeof(last), "%s", d->first);
	if (!run->dry_run && (cp = model_import_checkpoint(&run->ctx,
	    run->source, d->name, last, sizeof(last), &done, &e)) < 0) {
		imp_herr(&e);
		return -1;
	}
	memcpy(cur, last, sizeof(cur));
	if (imp_key_split(d, cur, &a.k1, &a.k2) != 0) {
		log_error("import: bad checkpoint %s for %s", last, d->name);
		return -1;
	}
	a.started = cp;
	a.since = run->since;
	a.limit = run->batch;
	if (cl->query(cl->conn, d, d->count_sql, d->cparams, &a, &p) != 0)
		return -1;
	total = done ? 0 : imp_i64(&p, 0, 0, -1);
	cl->clear(&p);
	t = imp_table(run, d->name, total);
	t->resumed = cp;
	if (done)
		return 0;
	for (;;) {
		if (cl->query(cl->conn, d, d->page_sql, d->pparams, &a, &p) != 0)
			return -1;
		if ((n = p.nrows) > 0) {
			if (imp_page_write(run, d, t, &p, last,
			    sizeof(last)) != 0) {
				cl->clear(&p);
				return -1;
			}
			memcpy(cur, last, sizeof(cur));
			if (imp_key_split(d, cur, &a.k1, &a.k2) != 0) {
				cl->clear(&p);
				return -1;
			}
			a.started = 1;
		}
		cl->clear(&p);
		imp_progress(run, t, 0);
		if (n < run->batch)
			break;
		if (imp_stopping())
			return -1;
	}
	imp_progress(run, t, 1);
	if (run->dry_run)
		return 0;
	if (model_import_begin(&run->ctx, &e) != 0) {
		imp_herr(&e);
		return -1;
	}
	return imp_commit(run, d, last, 1);
}

int
imp_read_tables(struct imp_run *run, const struct imp_client *cl,
    const struct imp_tbl *tables, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (imp_read_table(run, cl, &tables[i]) != 0)
			return -1;
	return 0;
}

int
imp_finish(struct imp_run *run)
{
	struct herr	e;

	herr_init(&e);
	if (run->dry_run)
		return 0;
	if (model_import_finish(&run->ctx, run->source, &e) != 0) {
		imp_herr(&e);
		return -1;
	}
	return 0;
}

void
imp_verify_row(struct imp_run *run, const char *name, long long st,
    long long su)
{
	struct note_counts	hc;
	struct note_query	q;
	struct herr		e;

	memset(&q, 0, sizeof(q));
	q.tenant = run->ctx.tenant;
	q.user = name;
	q.seen = -1;
	memset(&hc, 0, sizeof(hc));
	herr_init(&e);
	run->verified++;
	if (name == NULL || !util_utf8_valid(name, strlen(name)) ||
	    model_note_count(&run->ctx, &q, &hc, &e) != 0)
		hc.total = hc.unread = -1;
	/* A user Herald does not have has none. */
	if (hc.total == -1 && e.status == 404)
		hc.total = hc.unread = 0;
	if (hc.total != st || hc.unread != su)
		imp_differs(run, name != NULL ? name : "NULL", st, su,
		    hc.total, hc.unread);
}
