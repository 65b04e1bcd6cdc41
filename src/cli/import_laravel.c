/*
 * The project tool's store (peers.md §3.2): Laravel's standard
 * "notifications" table (its notifications migration stub) in
 * MySQL/MariaDB.  Each row keeps its id, type (the notification's class),
 * data (as stored), read_at, created_at and updated_at.
 *
 * Who it is for: Laravel addresses a notification to a model
 * (notifiable_type, notifiable_id).  Rows of a user model (the class's
 * base name is "User", e.g. App\Models\User) are imported; others are
 * skipped.  The Herald user is named by the user's e-mail address when
 * the database has Laravel's "users" table, or else by notifiable_id as
 * decimal text.  A user id the users table lacks is skipped.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "herr.h"
#include "import_int.h"
#include "jsonio.h"
#include "log.h"
#include "util.h"

#define LV_JSON_DEPTH	64
#define LV_MS(col)	"FLOOR(UNIX_TIMESTAMP(" col ") * 1000)"
#define LV_COLS \
    "SELECT n.id, n.type, n.notifiable_type, n.notifiable_id, n.data, " \
    LV_MS("n.read_at") ", " LV_MS("n.created_at") ", " \
    LV_MS("n.updated_at") ", "
#define LV_WHERE \
    " WHERE n.id > ? AND (? = 0 OR n.created_at >= FROM_UNIXTIME(? / 1000)) "
#define LV_IS_USER(t) "SUBSTRING_INDEX(" t ", '\\\\', -1) = 'User'"

static int
lv_is_user_type(const char *t)
{
	const char	*base;

	if (t == NULL)
		return 0;
	base = strrchr(t, '\\');
	return strcmp(base != NULL ? base + 1 : t, "User") == 0;
}

/*
 * 0 id, 1 type, 2 notifiable_type, 3 notifiable_id, 4 data, 5 read_at,
 * 6 created_at, 7 updated_at (ms), 8 the Herald user's name.
 */
static int
lv_row(struct imp_run *run, const struct imp_page *p, int i,
    struct import_row *r, struct herr *e)
{
	struct import_note_opts	 o;
	struct json_object	*doc = NULL;
	const char		*data = imp_val(p, i, 4), *s;
	struct note		 n;
	long long		 read_at = imp_i64(p, i, 5, 0);
	int			 rc = 0;

	imp_digest(p, i, 1, r);
	memset(&n, 0, sizeof(n));
	memset(&o, 0, sizeof(o));
	if (imp_uuid(p, i, 0, "id", n.id, r) != 0)
		return 0;
	if (!lv_is_user_type(imp_val(p, i, 2))) {
		imp_skip(r, "not a user's notification", "notifiable_type",
		    imp_val(p, i, 2));
		return 0;
	}
	if ((n.user = imp_val(p, i, 8)) == NULL || n.user[0] == '\0') {
		imp_skip(r, "unknown user", "notifiable_id", imp_val(p, i, 3));
		return 0;
	}
	if (data == NULL || jsonio_parse(data, strlen(data), LV_JSON_DEPTH,
	    &doc) != JSONIO_OK) {
		imp_skip(r, "the data is not valid JSON", NULL, NULL);
		goto out;
	}
	if (!json_object_is_type(doc, json_type_object)) {
		imp_skip(r, "the data is not a JSON object", NULL, NULL);
		goto out;
	}
	n.type = imp_val(p, i, 1);
	/* Title and body are the data's own, for the other dialects. */
	n.subject = jsonio_get_str(doc, "title", &s) == 1 ? s : "";
	n.body = jsonio_get_str(doc, "body", &s) == 1 ? s : "";
	n.format = NOTE_FMT_TEXT;
	n.payload = data;
	n.created = imp_i64(p, i, 6, imp_i64(p, i, 7, 0));
	n.updated = imp_i64(p, i, 7, n.created);
	n.seen = imp_val(p, i, 5) != NULL;
	n.seen_at = read_at;
	o.deleted_at = n.created;
	rc = model_import_note(&run->ctx, r, &n, &o, e);
out:
	json_object_put(doc);
	return rc;
}

static const struct imp_tbl lv_by_email = {
	"notifications",
	"SELECT COUNT(*) FROM notifications n" LV_WHERE, "kss",
	LV_COLS "u.email FROM notifications n LEFT JOIN users u ON "
	"u.id = n.notifiable_id" LV_WHERE "ORDER BY n.id LIMIT ?", "kssl",
	1, 0, "", lv_row
};

static const struct imp_tbl lv_by_id = {
	"notifications",
	"SELECT COUNT(*) FROM notifications n" LV_WHERE, "kss",
	LV_COLS "CAST(n.notifiable_id AS CHAR) FROM notifications n" LV_WHERE
	"ORDER BY n.id LIMIT ?", "kssl",
	1, 0, "", lv_row
};

static const char lv_verify_email[] =
    "SELECT u.email, COUNT(*), COALESCE(SUM(n.read_at IS NULL), 0) "
    "FROM notifications n JOIN users u ON u.id = n.notifiable_id "
    "WHERE " LV_IS_USER("n.notifiable_type") " GROUP BY u.id, u.email";
static const char lv_verify_id[] =
    "SELECT CAST(notifiable_id AS CHAR), COUNT(*), "
    "COALESCE(SUM(read_at IS NULL), 0) FROM notifications "
    "WHERE " LV_IS_USER("notifiable_type") " GROUP BY notifiable_id";

int
imp_laravel(struct imp_run *run)
{
	struct imp_client	 cl = imp_my_client;
	struct imp_page		 p;
	static const struct imp_args a;
	int			 rc = -1, users;

	if ((cl.conn = imp_my_open(run->url)) == NULL)
		return -1;
	/* Laravel's users table, when the database has one. */
	if (cl.query(cl.conn, NULL, "SELECT COUNT(*) FROM "
	    "information_schema.tables WHERE table_schema = DATABASE() AND "
	    "table_name = 'users'", "", &a, &p) != 0)
		goto out;
	users = imp_i64(&p, 0, 0, 0) > 0;
	cl.clear(&p);
	if (imp_read_tables(run, &cl, users ? &lv_by_email : &lv_by_id, 1) !=
	    0 || imp_finish(run) != 0)
		goto out;
	if (!run->dry_run && imp_my_verify(run, cl.conn, users ?
	    lv_verify_email : lv_verify_id) != 0)
		goto out;
	rc = 0;
out:
	imp_my_close(cl.conn);
	return rc;
}
