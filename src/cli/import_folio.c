/*
 * FOLIO mod-notify's store (peers.md §1.1): one table per tenant,
 * <tenant>_mod_notify.notify_data (id uuid, jsonb), the record as the
 * module wrote it, metadata included.  Each record keeps its id, its
 * recipient (a user id, made on first reference as the dialect does),
 * text, link, sender, event, language, context, seen state and
 * metadata (dates and the creating and updating users' ids).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "date.h"
#include "herr.h"
#include "import_int.h"
#include "jsonio.h"
#include "log.h"
#include "util.h"

#define FOLIO_JSON_DEPTH	64
#define FOLIO_TENANT_MAX	63
#define FOLIO_SQL_MAX		1024

/* Milliseconds of a timestamp column, read in the session's zone. */
#define MS(col)	"floor(extract(epoch from " col "::timestamptz) * 1000)::bigint"

static char	folio_count[FOLIO_SQL_MAX], folio_page[FOLIO_SQL_MAX];
static char	folio_verify_sql[FOLIO_SQL_MAX];

static const char *
folio_str(struct json_object *o, const char *key)
{
	const char	*s;

	return jsonio_get_str(o, key, &s) == 1 ? s : NULL;
}

/* A FOLIO date ("2024-05-01T10:11:12.345+00:00"), or "dflt". */
static int64_t
folio_date(struct json_object *md, const char *key, int64_t dflt)
{
	const char	*s = md != NULL ? folio_str(md, key) : NULL;
	char		 buf[48];
	size_t		 len;
	int64_t		 ms;

	if (s == NULL || (len = strlen(s)) < 3 || len + 4 > sizeof(buf))
		return dflt;
	/* RMB's update trigger writes the zone as to_char's "+00". */
	memcpy(buf, s, len + 1);
	if (buf[len - 3] == '+' || buf[len - 3] == '-')
		memcpy(buf + len, ":00", 4);
	if (date_parse_ms(buf, &ms) != 0)
		return dflt;
	return ms;
}

/* Columns: 0 id, 1 jsonb, 2 creation_date (ms), 3 created_by. */
static int
folio_row(struct imp_run *run, const struct imp_page *p, int i,
    struct import_row *r, struct herr *e)
{
	struct import_note_opts	 o;
	struct json_object	*doc = NULL, *md = NULL, *ctx = NULL, *v;
	const char		*rid, *json = imp_val(p, i, 1);
	struct note		 n;
	size_t			 len;
	int			 rc = 0;

	imp_digest(p, i, 1, r);
	memset(&n, 0, sizeof(n));
	memset(&o, 0, sizeof(o));
	if (imp_uuid(p, i, 0, "id", n.id, r) != 0)
		return 0;
	if (json == NULL || jsonio_parse(json, strlen(json), FOLIO_JSON_DEPTH,
	    &doc) != JSONIO_OK || !json_object_is_type(doc, json_type_object)) {
		imp_skip(r, "the record is not a JSON object", NULL, NULL);
		goto out;
	}
	rid = folio_str(doc, "recipientId");
	if (rid == NULL || util_uuid_parse(rid, n.user_id) != 0) {
		imp_skip(r, "unknown user: the recipient is not a user id",
		    "recipientId", rid);
		goto out;
	}
	if ((n.body = folio_str(doc, "text")) == NULL) {
		imp_skip(r, "no text", NULL, NULL);
		goto out;
	}
	if (jsonio_get_obj(doc, "metadata", &md) != 1)
		md = NULL;
	n.sender = folio_str(doc, "senderId");
	n.link = folio_str(doc, "link");
	n.type = folio_str(doc, "eventConfigName");
	if (n.type == NULL)
		n.type = "";
	n.lang = folio_str(doc, "lang");
	n.subject = "";
	n.format = NOTE_FMT_TEXT;
	n.payload = "{}";
	if (jsonio_get_obj(doc, "context", &ctx) == 1)
		n.payload = jsonio_text(ctx, &len);
	n.seen = json_object_object_get_ex(doc, "seen", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
	n.created = folio_date(md, "createdDate", imp_i64(p, i, 2, 0));
	n.updated = folio_date(md, "updatedDate", n.created);
	/* FOLIO keeps no time of reading: the last write set "seen". */
	n.seen_at = n.updated;
	n.created_by = md != NULL ? folio_str(md, "createdByUserId") : NULL;
	if (n.created_by == NULL)
		n.created_by = imp_val(p, i, 3);
	n.updated_by = md != NULL ? folio_str(md, "updatedByUserId") : NULL;
	o.by_id = 1;
	o.create = 1;
	rc = model_import_note(&run->ctx, r, &n, &o, e);
out:
	json_object_put(doc);
	return rc;
}

/* FOLIO's rule for a tenant id, which names the schema here. */
static int
folio_tenant_ok(const char *t)
{
	size_t	i, len = strlen(t);

	if (len == 0 || len > FOLIO_TENANT_MAX || t[0] < 'a' || t[0] > 'z')
		return 0;
	for (i = 0; i < len; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == '_'))
			return 0;
	return 1;
}

int
imp_folio(struct imp_run *run)
{
	struct imp_client	cl = imp_pg_client;
	struct imp_tbl		t;
	const char		*s = run->ctx.tenant;
	int			rc = -1;

	if (!folio_tenant_ok(s)) {
		log_error("import: folio: --tenant %s is not a FOLIO tenant id "
		    "([a-z][a-z0-9_]*)", s);
		return -1;
	}
	/* The schema is an identifier, checked above: not a parameter. */
	snprintf(folio_count, sizeof(folio_count), "SELECT count(*) FROM "
	    "%s_mod_notify.notify_data WHERE ($1 = 0 OR id > $2::uuid) AND "
	    "($3 = 0 OR " MS("creation_date") " >= $3)", s);
	snprintf(folio_page, sizeof(folio_page), "SELECT id::text, jsonb::text, "
	    MS("creation_date") ", created_by FROM %s_mod_notify.notify_data "
	    "WHERE ($1 = 0 OR id > $2::uuid) AND ($4 = 0 OR "
	    MS("creation_date") " >= $4) ORDER BY id LIMIT $3", s);
	snprintf(folio_verify_sql, sizeof(folio_verify_sql), "SELECT "
	    "lower(jsonb->>'recipientId'), count(*), count(*) FILTER (WHERE "
	    "coalesce(jsonb->>'seen', 'false') <> 'true') FROM "
	    "%s_mod_notify.notify_data WHERE jsonb->>'recipientId' ~* "
	    "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "
	    "GROUP BY 1 ORDER BY 1", s);
	memset(&t, 0, sizeof(t));
	t.name = "notify_data";
	t.count_sql = folio_count;
	t.cparams = "fks";
	t.page_sql = folio_page;
	t.pparams = "fkls";
	t.keys = 1;
	t.first = IMP_NIL_UUID;
	t.row = folio_row;
	if ((cl.conn = imp_pg_open(run->url)) == NULL)
		return -1;
	if (imp_read_tables(run, &cl, &t, 1) != 0 || imp_finish(run) != 0)
		goto out;
	if (!run->dry_run && imp_pg_verify(run, cl.conn, folio_verify_sql) != 0)
		goto out;
	rc = 0;
out:
	imp_pg_close(cl.conn);
	return rc;
}
