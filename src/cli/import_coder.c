/*
 * Coder's store (peers.md §2.2): users (their ids and names), the
 * notification templates, the inbox (inbox_notifications: read_at,
 * targets, template, actions, icon) and the users' preferences.  Users
 * keep Coder's ids, so that user_id, template_id and the notification ids
 * a client holds stay what they were.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "herr.h"
#include "import_int.h"
#include "jsonio.h"
#include "util.h"

/* Milliseconds of a timestamptz (Coder keeps microseconds). */
#define MS(col)	"floor(extract(epoch from " col ") * 1000)::bigint"
#define AFTER(k)	"($1 = 0 OR " k " > $2::uuid)"

/*
 * A dry run writes no users, so the inbox cannot find them: it keeps the
 * ids it would have imported (PostgreSQL orders uuids as their bytes, so
 * they arrive sorted) and lets the model take those as made.
 */
static unsigned char	(*coder_dry_ids)[16];
static size_t		  coder_ndry, coder_dry_cap;

static void
coder_dry_add(const unsigned char id[16])
{
	unsigned char	(*n)[16];
	size_t		  cap;

	if (coder_ndry == coder_dry_cap) {
		cap = coder_dry_cap == 0 ? 256 : coder_dry_cap * 2;
		if ((n = realloc(coder_dry_ids, cap * 16)) == NULL)
			return;
		coder_dry_ids = n;
		coder_dry_cap = cap;
	}
	memcpy(coder_dry_ids[coder_ndry++], id, 16);
}

static int
coder_dry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static int
coder_dry_known(const unsigned char id[16])
{
	return coder_ndry > 0 && bsearch(id, coder_dry_ids, coder_ndry, 16,
	    coder_dry_cmp) != NULL;
}

/* 0 id, 1 username, 2 email. */
static int
coder_user_row(struct imp_run *run, const struct imp_page *p, int i,
    struct import_row *r, struct herr *e)
{
	unsigned char	 id[16];
	const char	*email = imp_val(p, i, 2);
	int		 rc;

	imp_digest(p, i, 1, r);

	if (imp_uuid(p, i, 0, "id", id, r) != 0)
		return 0;
	rc = model_import_user_id(&run->ctx, r, id, imp_val(p, i, 1),
	    email != NULL && email[0] != '\0' ? email : NULL, e);
	if (rc == 0 && run->dry_run && r->out != IMPORT_SKIPPED)
		coder_dry_add(id);
	return rc;
}

/*
 * 0 id, 1 name, 2 title_template, 3 body_template, 4 actions, 5 group,
 * 6 method, 7 kind, 8 enabled_by_default.
 */
static int
coder_template_row(struct imp_run *run, const struct imp_page *p, int i,
    struct import_row *r, struct herr *e)
{
	struct tmpl_row	t;

	imp_digest(p, i, 1, r);
	memset(&t, 0, sizeof(t));
	if (imp_uuid(p, i, 0, "id", t.id, r) != 0)
		return 0;
	t.name = imp_val(p, i, 1);
	t.title = imp_val(p, i, 2);
	t.body = imp_val(p, i, 3);
	t.actions = imp_val(p, i, 4);
	t.group = imp_val(p, i, 5);
	t.method = imp_val(p, i, 6);
	t.kind = imp_val(p, i, 7);
	t.enabled_by_default = imp_bool(p, i, 8);
	/* Coder's enqueuer de-duplicates every template daily. */
	t.dedupe = 1;
	if (t.kind == NULL || (strcmp(t.kind, "system") != 0 &&
	    strcmp(t.kind, "custom") != 0)) {
		imp_skip(r, "unknown kind", "kind", t.kind);
		return 0;
	}
	return model_import_template(&run->ctx, r, &t, e);
}

/* 1 when "text" is a JSON array (Coder's actions: [{label, url}]). */
static int
coder_is_array(const char *text)
{
	struct json_object	*v = NULL;
	int			 ok;

	ok = text != NULL && jsonio_parse(text, strlen(text), 16, &v) ==
	    JSONIO_OK && json_object_is_type(v, json_type_array);
	json_object_put(v);
	return ok;
}

/*
 * 0 id, 1 user_id, 2 template_id, 3 targets (JSON), 4 title, 5 content,
 * 6 icon, 7 actions, 8 read_at (ms), 9 created_at (ms), 10 template name.
 */
static int
coder_inbox_row(struct imp_run *run, const struct imp_page *p, int i,
    struct import_row *r, struct herr *e)
{
	unsigned char		 targets[NOTE_TARGETS_MAX][16];
	char			 tj[NOTE_TARGETS_MAX * 39 + 3];
	struct import_note_opts	 o;
	struct note		 n;
	const char		*type = imp_val(p, i, 10);
	long long		 read_at = imp_i64(p, i, 8, 0);

	imp_digest(p, i, 1, r);
	memset(&n, 0, sizeof(n));
	memset(&o, 0, sizeof(o));
	if (imp_uuid(p, i, 0, "id", n.id, r) != 0 ||
	    imp_uuid(p, i, 1, "user_id", n.user_id, r) != 0 ||
	    imp_uuid(p, i, 2, "template_id", n.template_id, r) != 0)
		return 0;
	if (imp_uuid_array(imp_val(p, i, 3), targets, NOTE_TARGETS_MAX,
	    &o.ntargets, tj, sizeof(tj)) != 0) {
		imp_skip(r, "more targets than Herald keeps, or not UUIDs",
		    NULL, NULL);
		return 0;
	}
	if (!coder_is_array(imp_val(p, i, 7))) {
		imp_skip(r, "the actions are not a JSON array", NULL, NULL);
		return 0;
	}
	n.has_template_id = 1;
	n.targets = imp_val(p, i, 3) != NULL ? tj : NULL;
	o.targets = (const unsigned char (*)[16])targets;
	/* The type is the template's name, where it fits. */
	n.type = type != NULL && strlen(type) <= NOTE_TYPE_STORED_MAX ? type : "";
	n.subject = imp_val(p, i, 4);
	n.body = imp_val(p, i, 5);
	n.format = NOTE_FMT_MARKDOWN;
	n.icon = imp_val(p, i, 6);
	n.actions = imp_val(p, i, 7);
	n.payload = "{}";
	n.created = imp_i64(p, i, 9, 0);
	n.seen = read_at != 0;
	n.seen_at = read_at;
	n.updated = read_at > n.created ? read_at : n.created;
	o.by_id = 1;
	o.create = run->dry_run && coder_dry_known(n.user_id);
	return model_import_note(&run->ctx, r, &n, &o, e);
}

/* 0 user_id, 1 notification_template_id, 2 disabled, 3 updated_at. */
static int
coder_pref_row(struct imp_run *run, const struct imp_page *p, int i,
    struct import_row *r, struct herr *e)
{
	unsigned char	user[16], tmpl[16];

	imp_digest(p, i, 2, r);
	if (imp_uuid(p, i, 0, "user_id", user, r) != 0 ||
	    imp_uuid(p, i, 1, "notification_template_id", tmpl, r) != 0)
		return 0;
	return model_import_pref(&run->ctx, r, user, tmpl, imp_bool(p, i, 2),
	    imp_i64(p, i, 3, run->ctx.now), e);
}

static const struct imp_tbl coder_tables[] = {
	{ "users",
	  "SELECT count(*) FROM users WHERE " AFTER("id"), "fk",
	  "SELECT id::text, username, email FROM users WHERE " AFTER("id")
	  " ORDER BY id LIMIT $3", "fkl", 1, 0, IMP_NIL_UUID, coder_user_row },
	{ "notification_templates",
	  "SELECT count(*) FROM notification_templates WHERE " AFTER("id"),
	  "fk",
	  "SELECT id::text, name, title_template, body_template, "
	  "coalesce(actions::text, '[]'), coalesce(\"group\", ''), "
	  "coalesce(method::text, ''), kind::text, enabled_by_default "
	  "FROM notification_templates WHERE " AFTER("id") " ORDER BY id "
	  "LIMIT $3", "fkl", 1, 0, IMP_NIL_UUID, coder_template_row },
	{ "inbox_notifications",
	  "SELECT count(*) FROM inbox_notifications i WHERE " AFTER("i.id")
	  " AND ($3 = 0 OR " MS("i.created_at") " >= $3)", "fks",
	  "SELECT i.id::text, i.user_id::text, i.template_id::text, "
	  "array_to_json(i.targets)::text, i.title, i.content, i.icon, "
	  "i.actions::text, " MS("i.read_at") ", " MS("i.created_at") ", "
	  "t.name FROM inbox_notifications i LEFT JOIN notification_templates "
	  "t ON t.id = i.template_id WHERE " AFTER("i.id") " AND ($4 = 0 OR "
	  MS("i.created_at") " >= $4) ORDER BY i.id LIMIT $3", "fkls", 1, 0,
	  IMP_NIL_UUID, coder_inbox_row },
	{ "notification_preferences",
	  "SELECT count(*) FROM notification_preferences WHERE ($1 = 0 OR "
	  "(user_id, notification_template_id) > ($2::uuid, $3::uuid))", "fkK",
	  "SELECT user_id::text, notification_template_id::text, disabled, "
	  MS("updated_at") " FROM notification_preferences WHERE ($1 = 0 OR "
	  "(user_id, notification_template_id) > ($2::uuid, $3::uuid)) "
	  "ORDER BY user_id, notification_template_id LIMIT $4", "fkKl", 2, 0,
	  IMP_NIL_UUID, coder_pref_row },
};

/* Each user's inbox: total, and unread (Coder deletes nothing). */
static const char coder_verify_sql[] =
    "SELECT u.username, count(i.id), count(i.id) FILTER (WHERE "
    "i.read_at IS NULL) FROM users u LEFT JOIN inbox_notifications i ON "
    "i.user_id = u.id GROUP BY u.id, u.username ORDER BY u.id";

int
imp_coder(struct imp_run *run)
{
	struct imp_client	cl = imp_pg_client;
	int			rc = -1;

	if ((cl.conn = imp_pg_open(run->url)) == NULL)
		return -1;
	if (imp_read_tables(run, &cl, coder_tables, sizeof(coder_tables) /
	    sizeof(coder_tables[0])) != 0 || imp_finish(run) != 0)
		goto out;
	if (!run->dry_run && imp_pg_verify(run, cl.conn, coder_verify_sql) != 0)
		goto out;
	rc = 0;
out:
	imp_pg_close(cl.conn);
	free(coder_dry_ids);
	coder_dry_ids = NULL;
	coder_ndry = coder_dry_cap = 0;
	return rc;
}
