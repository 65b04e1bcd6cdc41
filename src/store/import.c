/*
 * Import (issue R): whole records as an original stored them, with their
 * own ids, times and states, and the bookkeeping that makes a second run
 * a no-op and a stopped run resumable.  An existing id is replaced only
 * when it is the same user's (or, for a system notification, the same
 * tenant's): every ON DUPLICATE KEY UPDATE assignment is guarded, so a
 * foreign row is left exactly as it was.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "util.h"

/* MariaDB: 1 inserted, 2 changed, 0 the same (no CLIENT_FOUND_ROWS). */
static int
import_outcome(unsigned long long affected)
{
	return affected == 1 ? 1 : affected >= 2 ? 2 : 0;
}

/* --- digests and checkpoints ----------------------------------------- */

static const char sql_digest_put[] =
    "INSERT INTO import_rows (tenant, source, tbl, src_key, digest, updated) "
    "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "import_rows.updated = IF(import_rows.digest = VALUES(digest), "
    "import_rows.updated, VALUES(updated)), "
    "import_rows.digest = VALUES(digest)";

static const char sql_digest_get[] =
    "SELECT digest FROM import_rows "
    "WHERE tenant = ? AND source = ? AND tbl = ? AND src_key = ?";

struct digest_peek {
	const unsigned char	*want;
	int			 found;
	int			 same;
};

static int
digest_row(const struct sqlrow *r, void *arg)
{
	struct digest_peek	*p = arg;
	const char		*d;
	size_t			 len = 0;

	p->found = 1;
	if ((d = row_str(r, 0, &len)) != NULL && len == 32 &&
	    memcmp(d, p->want, 32) == 0)
		p->same = 1;
	return 1;
}

enum store_rc
store_import_digest(struct store *st, const struct import_key *k,
    const unsigned char digest[32], int peek, int64_t now, int *out)
{
	struct sqlv		 v[] = { SQL_STR(k->tenant), SQL_STR(k->source),
	    SQL_STR(k->tbl), SQL_STR(k->key), SQL_BIN(digest, 32),
	    SQL_I64(now) };
	struct digest_peek	 p = { digest, 0, 0 };
	unsigned long long	 affected = 0;
	enum store_rc		 rc;

	if (peek) {
		if ((rc = db_select(st, sql_digest_get, v, 4, digest_row, &p)) !=
		    STORE_OK)
			return rc;
		*out = !p.found ? 1 : p.same ? 0 : 2;
		return STORE_OK;
	}
	if ((rc = db_exec(st, sql_digest_put, v, 6, &affected)) != STORE_OK)
		return rc;
	*out = import_outcome(affected);
	return STORE_OK;
}

enum store_rc
store_import_forget(struct store *st, const struct import_key *k)
{
	struct sqlv	v[] = { SQL_STR(k->tenant), SQL_STR(k->source),
	    SQL_STR(k->tbl), SQL_STR(k->key) };

	return db_exec(st, "DELETE FROM import_rows WHERE tenant = ? AND "
	    "source = ? AND tbl = ? AND src_key = ?", v, 4, NULL);
}

struct checkpoint {
	char	*last;
	size_t	 lastsz;
	int	*done;
	int	 found;
};

static int
checkpoint_row(const struct sqlrow *r, void *arg)
{
	struct checkpoint	*c = arg;
	const char		*last = row_str(r, 0, NULL);

	if (last == NULL || strlen(last) >= c->lastsz)
		return 1;
	strcpy(c->last, last);
	*c->done = (int)row_i64(r, 1);
	c->found = 1;
	return 1;
}

enum store_rc
store_import_checkpoint(struct store *st, const struct import_key *k,
    char *last, size_t lastsz, int *done)
{
	struct sqlv		v[] = { SQL_STR(k->tenant), SQL_STR(k->source),
	    SQL_STR(k->tbl) };
	struct checkpoint	c = { last, lastsz, done, 0 };
	enum store_rc		rc;

	rc = db_select(st, "SELECT last_key, done FROM import_checkpoints "
	    "WHERE tenant = ? AND source = ? AND tbl = ?", v, 3,
	    checkpoint_row, &c);
	if (rc != STORE_OK)
		return rc;
	return c.found ? STORE_OK : STORE_NOTFOUND;
}

enum store_rc
store_import_checkpoint_put(struct store *st, const struct import_key *k,
    int done, int64_t now)
{
	struct sqlv	v[] = { SQL_STR(k->tenant), SQL_STR(k->source),
	    SQL_STR(k->tbl), SQL_STR(k->key), SQL_I64(done), SQL_I64(now) };

	return db_exec(st, "INSERT INTO import_checkpoints (tenant, source, "
	    "tbl, last_key, done, updated) VALUES (?, ?, ?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE import_checkpoints.last_key = "
	    "VALUES(last_key), import_checkpoints.done = VALUES(done), "
	    "import_checkpoints.updated = VALUES(updated)", v, 6, NULL);
}

enum store_rc
store_import_checkpoint_clear(struct store *st, const char *tenant,
    const char *source)
{
	struct sqlv	v[] = { SQL_STR(tenant), SQL_STR(source) };

	return db_exec(st, "DELETE FROM import_checkpoints WHERE tenant = ? "
	    "AND source = ?", v, 2, NULL);
}

/* --- notifications ----------------------------------------------------- */

#define NOTE_OWN \
    "notifications.tenant = VALUES(tenant) AND " \
    "notifications.user_id = VALUES(user_id)"
#define NOTE_SET(c) \
    "notifications." c " = IF(" NOTE_OWN ", VALUES(" c "), notifications." \
    c ")"

static const char sql_note_import[] =
    "INSERT INTO notifications (id, tenant, user_id, sender, type, subject, "
    "body, body_format, link, icon, actions, payload, template, lang, email, "
    "created, updated, seen, seen_at, deleted, deleted_at, targets, "
    "template_id, created_by, updated_by, icon_title) "
    "SELECT ?, u.tenant, u.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ? FROM users u WHERE u.tenant = ? AND u.username = ? "
    "ON DUPLICATE KEY UPDATE "
    NOTE_SET("sender") ", " NOTE_SET("type") ", " NOTE_SET("subject") ", "
    NOTE_SET("body") ", " NOTE_SET("body_format") ", " NOTE_SET("link") ", "
    NOTE_SET("icon") ", " NOTE_SET("actions") ", " NOTE_SET("payload") ", "
    NOTE_SET("template") ", " NOTE_SET("lang") ", " NOTE_SET("email") ", "
    NOTE_SET("created") ", " NOTE_SET("updated") ", " NOTE_SET("seen_at") ", "
    NOTE_SET("seen") ", " NOTE_SET("deleted_at") ", " NOTE_SET("targets")
    ", " NOTE_SET("template_id") ", " NOTE_SET("created_by") ", "
    NOTE_SET("updated_by") ", " NOTE_SET("icon_title") ", "
    NOTE_SET("deleted");

enum store_rc
store_note_import(struct store *st, const char *tenant, const struct note *n,
    int64_t deleted_at, int *out)
{
	unsigned long long	 affected = 0;
	long long		 own = 0;
	enum store_rc		 rc;
	struct sqlv		 v[] = {
		SQL_BIN(n->id, 16), SQL_OPTSTR(n->sender), SQL_STR(n->type),
		SQL_STR(n->subject), SQL_STR(n->body), SQL_I64(n->format),
		SQL_OPTSTR(n->link), SQL_OPTSTR(n->icon),
		SQL_OPTSTR(n->actions), SQL_STR(n->payload),
		SQL_OPTSTR(n->template), SQL_OPTSTR(n->lang),
		SQL_I64(n->email != 0), SQL_I64(n->created),
		SQL_I64(n->updated), SQL_I64(n->seen != 0),
		n->seen ? SQL_I64(n->seen_at) : SQL_NULL,
		SQL_I64(n->deleted != 0),
		n->deleted ? SQL_I64(deleted_at) : SQL_NULL,
		SQL_OPTSTR(n->targets),
		n->has_template_id ? SQL_BIN(n->template_id, 16) : SQL_NULL,
		SQL_OPTSTR(n->created_by), SQL_OPTSTR(n->updated_by),
		SQL_OPTSTR(n->icon_title),
		SQL_STR(tenant), SQL_STR(n->user)
	};
	struct sqlv		 ov[] = { SQL_BIN(n->id, 16), SQL_STR(tenant),
	    SQL_STR(n->user) };

	if ((rc = db_exec(st, sql_note_import, v, sizeof(v) / sizeof(v[0]),
	    &affected)) != STORE_OK)
		return rc;
	if ((*out = import_outcome(affected)) != 0)
		return STORE_OK;
	/* Nothing changed: the same row, or one the guard kept from us. */
	if ((rc = db_select_i64(st, "SELECT COUNT(*) FROM notifications n "
	    "JOIN users u ON u.id = n.user_id WHERE n.id = ? AND "
	    "n.tenant = ? AND u.tenant = n.tenant AND u.username = ?", ov, 3,
	    &own, 1)) != STORE_OK)
		return rc;
	return own == 1 ? STORE_OK : STORE_CONFLICT;
}

enum store_rc
store_note_targets_import(struct store *st, const unsigned char id[16],
    const unsigned char (*ids)[16], size_t n)
{
	struct sqlv	dv[] = { SQL_BIN(id, 16) };
	enum store_rc	rc;
	size_t		i;

	if ((rc = db_exec(st, "DELETE FROM note_targets WHERE "
	    "notification_id = ?", dv, 1, NULL)) != STORE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		struct sqlv	v[] = { SQL_BIN(ids[i], 16), SQL_BIN(id, 16) };

		if ((rc = db_exec(st, "INSERT IGNORE INTO note_targets "
		    "(notification_id, user_id, target) SELECT n.id, "
		    "n.user_id, ? FROM notifications n WHERE n.id = ?", v, 2,
		    NULL)) != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* --- templates and preferences (Coder) ----------------------------------- */

/* The same id of the same tenant; a clash of names changes nothing. */
#define TMPL_OWN \
    "templates.tenant = VALUES(tenant) AND templates.id = VALUES(id)"
#define TMPL_SET(c) \
    "templates." c " = IF(" TMPL_OWN ", VALUES(" c "), templates." c ")"

enum store_rc
store_tmpl_import(struct store *st, const char *tenant, const struct tmpl_row *t,
    int64_t now, int *out)
{
	unsigned long long	 affected = 0;
	long long		 own = 0;
	enum store_rc		 rc;
	struct sqlv		 v[] = { SQL_BIN(t->id, 16), SQL_STR(tenant),
	    SQL_STR(t->name), SQL_STR(t->kind), SQL_OPTSTR(t->group),
	    SQL_STR(t->title), SQL_STR(t->body), SQL_STR(t->actions),
	    SQL_STR(t->method), SQL_I64(t->enabled_by_default != 0),
	    SQL_I64(t->dedupe != 0), SQL_I64(now), SQL_I64(now) };
	struct sqlv		 ov[] = { SQL_BIN(t->id, 16), SQL_STR(tenant) };

	/* A name another template of the tenant has is a 1062: CONFLICT. */
	if ((rc = db_exec(st, "INSERT INTO templates (id, tenant, name, kind, "
	    "grp, title_tmpl, body_tmpl, actions, methods, enabled_by_default, "
	    "dedupe, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?) ON DUPLICATE KEY UPDATE " TMPL_SET("name") ", "
	    TMPL_SET("kind") ", " TMPL_SET("grp") ", " TMPL_SET("title_tmpl")
	    ", " TMPL_SET("body_tmpl") ", " TMPL_SET("actions") ", "
	    TMPL_SET("methods") ", " TMPL_SET("enabled_by_default") ", "
	    TMPL_SET("updated"), v, sizeof(v) / sizeof(v[0]), &affected)) !=
	    STORE_OK)
		return rc;
	if ((*out = import_outcome(affected)) != 0)
		return STORE_OK;
	if ((rc = db_select_i64(st, "SELECT COUNT(*) FROM templates WHERE "
	    "id = ? AND tenant = ?", ov, 2, &own, 1)) != STORE_OK)
		return rc;
	return own == 1 ? STORE_OK : STORE_CONFLICT;
}

enum store_rc
store_pref_import(struct store *st, const char *tenant,
    const unsigned char user_id[16], const unsigned char tmpl_id[16],
    int disabled, int64_t updated, int *out)
{
	unsigned long long	 affected = 0;
	long long		 found = 0;
	enum store_rc		 rc;
	struct sqlv		 v[] = { SQL_I64(disabled != 0), SQL_I64(updated),
	    SQL_BIN(user_id, 16), SQL_STR(tenant), SQL_BIN(tmpl_id, 16) };
	struct sqlv		 fv[] = { SQL_BIN(user_id, 16), SQL_STR(tenant),
	    SQL_BIN(tmpl_id, 16) };

	if ((rc = db_exec(st, "INSERT INTO preferences (user_id, template_id, "
	    "disabled, updated) SELECT u.id, t.id, ?, ? FROM users u JOIN "
	    "templates t ON t.tenant = u.tenant WHERE u.id = ? AND "
	    "u.tenant = ? AND t.id = ? ON DUPLICATE KEY UPDATE "
	    "preferences.disabled = VALUES(disabled), "
	    "preferences.updated = VALUES(updated)", v,
	    sizeof(v) / sizeof(v[0]), &affected)) != STORE_OK)
		return rc;
	if ((*out = import_outcome(affected)) != 0)
		return STORE_OK;
	if ((rc = db_select_i64(st, "SELECT COUNT(*) FROM users u JOIN "
	    "templates t ON t.tenant = u.tenant WHERE u.id = ? AND "
	    "u.tenant = ? AND t.id = ?", fv, 3, &found, 1)) != STORE_OK)
		return rc;
	return found == 1 ? STORE_OK : STORE_NOTFOUND;
}

/* --- system notifications ---------------------------------------------- */

enum store_rc
store_sys_type_import(struct store *st, const char *type, int *out)
{
	struct sqlv		v[] = { SQL_STR(type) };
	unsigned long long	affected = 0;
	enum store_rc		rc;

	rc = db_exec(st, "INSERT INTO system_notification_types (name) "
	    "VALUES (?) ON DUPLICATE KEY UPDATE "
	    "system_notification_types.name = system_notification_types.name",
	    v, 1, &affected);
	if (rc == STORE_OK)
		*out = affected == 1;
	return rc;
}

#define SYS_OWN	"system_notifications.tenant = VALUES(tenant)"
#define SYS_SET(c) \
    "system_notifications." c " = IF(" SYS_OWN ", VALUES(" c "), " \
    "system_notifications." c ")"

enum store_rc
store_sys_import(struct store *st, const char *tenant, const struct sysnote *s,
    int *out)
{
	unsigned long long	 affected = 0;
	long long		 own = 0;
	enum store_rc		 rc;
	struct sqlv		 v[] = { SQL_BIN(s->id, 16), SQL_STR(tenant),
	    SQL_STR(s->type), SQL_STR(s->message), SQL_I64(s->activation),
	    SQL_I64(s->deactivation), SQL_I64(s->dismissible != 0),
	    SQL_I64(s->logins_disabled != 0), SQL_I64(s->created) };
	struct sqlv		 ov[] = { SQL_BIN(s->id, 16), SQL_STR(tenant) };

	if ((rc = db_exec(st, "INSERT INTO system_notifications (id, tenant, "
	    "type, message, activation, deactivation, dismissible, "
	    "logins_disabled, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE " SYS_SET("type") ", " SYS_SET("message")
	    ", " SYS_SET("activation") ", " SYS_SET("deactivation") ", "
	    SYS_SET("dismissible") ", " SYS_SET("logins_disabled") ", "
	    SYS_SET("created"), v, sizeof(v) / sizeof(v[0]), &affected)) !=
	    STORE_OK)
		return rc;
	if ((*out = import_outcome(affected)) != 0)
		return STORE_OK;
	if ((rc = db_select_i64(st, "SELECT COUNT(*) FROM system_notifications "
	    "WHERE id = ? AND tenant = ?", ov, 2, &own, 1)) != STORE_OK)
		return rc;
	return own == 1 ? STORE_OK : STORE_CONFLICT;
}

enum store_rc
store_sys_state_import(struct store *st, const char *tenant, const char *user,
    const unsigned char id[16], enum sys_state state, int64_t acknowledged_at,
    int64_t updated, int *out)
{
	unsigned long long	 affected = 0;
	long long		 found = 0;
	enum store_rc		 rc;
	struct sqlv		 v[] = { SQL_I64(state),
	    acknowledged_at != 0 ? SQL_I64(acknowledged_at) : SQL_NULL,
	    SQL_I64(updated), SQL_STR(tenant), SQL_STR(user),
	    SQL_BIN(id, 16) };
	struct sqlv		 fv[] = { SQL_BIN(id, 16), SQL_STR(tenant) };

	if ((rc = db_exec(st, "INSERT INTO system_states (user_id, system_id, "
	    "state, acknowledged_at, updated) SELECT u.id, s.id, ?, ?, ? "
	    "FROM users u JOIN system_notifications s ON s.tenant = u.tenant "
	    "WHERE u.tenant = ? AND u.username = ? AND s.id = ? "
	    "ON DUPLICATE KEY UPDATE system_states.state = VALUES(state), "
	    "system_states.acknowledged_at = VALUES(acknowledged_at), "
	    "system_states.updated = VALUES(updated)", v,
	    sizeof(v) / sizeof(v[0]), &affected)) != STORE_OK)
		return rc;
	if ((*out = import_outcome(affected)) != 0)
		return STORE_OK;
	if ((rc = db_select_i64(st, "SELECT COUNT(*) FROM system_notifications "
	    "WHERE id = ? AND tenant = ?", fv, 2, &found, 1)) != STORE_OK)
		return rc;
	return found == 1 ? STORE_OK : STORE_NOTFOUND;
}

/* --- deliveries already made --------------------------------------------- */

#define DLV_SENT	"deliveries.state = 'sent'"
#define DLV_SET(c) \
    "deliveries." c " = IF(" DLV_SENT ", VALUES(" c "), deliveries." c ")"

enum store_rc
store_delivery_import(struct store *st, const char *tenant,
    const unsigned char note_id[16], const char *method, const char *address,
    const char *template, int64_t sent_at, int *out)
{
	unsigned char		 id[16];
	unsigned long long	 affected = 0;
	long long		 found = 0;
	enum store_rc		 rc;
	struct sqlv		 v[10];
	struct sqlv		 fv[] = { SQL_BIN(note_id, 16), SQL_STR(tenant) };

	/* The id of a new row only: an existing one keeps its own. */
	util_uuid_new(id);
	v[0] = SQL_BIN(id, 16);
	v[1] = SQL_STR(method);
	v[2] = SQL_I64(sent_at);
	v[3] = SQL_I64(sent_at);
	v[4] = SQL_OPTSTR(address);
	v[5] = SQL_OPTSTR(template);
	v[6] = SQL_I64(sent_at);
	v[7] = SQL_I64(sent_at);
	v[8] = SQL_BIN(note_id, 16);
	v[9] = SQL_STR(tenant);
	if ((rc = db_exec(st, "INSERT INTO deliveries (id, notification_id, "
	    "method, state, attempts, next_attempt, sent_at, address, template, "
	    "created, updated) SELECT ?, n.id, ?, 'sent', 1, ?, ?, ?, ?, ?, ? "
	    "FROM notifications n WHERE n.id = ? AND n.tenant = ? "
	    "ON DUPLICATE KEY UPDATE " DLV_SET("sent_at") ", "
	    DLV_SET("address") ", " DLV_SET("template"), v, 10, &affected)) !=
	    STORE_OK)
		return rc;
	if ((*out = import_outcome(affected)) != 0)
		return STORE_OK;
	if ((rc = db_select_i64(st, "SELECT COUNT(*) FROM notifications "
	    "WHERE id = ? AND tenant = ?", fv, 2, &found, 1)) != STORE_OK)
		return rc;
	return found == 1 ? STORE_OK : STORE_NOTFOUND;
}

/* --- many rows a statement (the import's batches) ---------------------- */

#define IMPORT_SQL_MAX	16384

enum store_rc
store_packet_max(struct store *st, long long *bytes)
{
	return db_select_i64(st, "SELECT @@max_allowed_packet", NULL, 0, bytes,
	    1);
}

/*
 * "head", n copies of "tuple" joined by ", ", then "tail": a statement
 * over n rows, from constant fragments only.  -1 when it does not fit.
 */
static int
import_sql(char *buf, size_t sz, const char *head, const char *tuple,
    size_t n, const char *tail)
{
	size_t	hl = strlen(head), tl = strlen(tuple), el = strlen(tail);
	size_t	at, i;

	if (n == 0 || n > STORE_IMPORT_ROWS || hl + n * (tl + 2) + el >= sz)
		return -1;
	memcpy(buf, head, hl);
	at = hl;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(buf + at, ", ", 2);
			at += 2;
		}
		memcpy(buf + at, tuple, tl);
		at += tl;
	}
	memcpy(buf + at, tail, el + 1);
	return 0;
}

struct digests_found {
	const char *const	*keys;
	size_t			 n;
	size_t			 next;		/* rows come mostly in order */
	unsigned char		(*digests)[32];
	int			*found;
};

static int
digests_row(const struct sqlrow *r, void *arg)
{
	struct digests_found	*f = arg;
	const char		*key = row_str(r, 0, NULL), *d;
	size_t			 len = 0, k;

	if (key == NULL || (d = row_str(r, 1, &len)) == NULL || len != 32)
		return 0;
	for (k = 0; k < f->n; k++) {
		size_t	i = (f->next + k) % f->n;

		if (strcmp(f->keys[i], key) == 0) {
			memcpy(f->digests[i], d, 32);
			f->found[i] = 1;
			f->next = (i + 1) % f->n;
			break;
		}
	}
	return 0;
}

enum store_rc
store_import_digests(struct store *st, const struct import_key *k,
    const char *const *keys, size_t n, unsigned char (*digests)[32],
    int *found)
{
	struct digests_found	 f = { keys, n, 0, digests, found };
	char			 sql[IMPORT_SQL_MAX];
	struct sqlv		*v;
	enum store_rc		 rc;
	size_t			 i;

	if (import_sql(sql, sizeof(sql), "SELECT src_key, digest FROM "
	    "import_rows WHERE tenant = ? AND source = ? AND tbl = ? AND "
	    "src_key IN (", "?", n, ")") != 0 ||
	    (v = calloc(n + 3, sizeof(*v))) == NULL)
		return STORE_ERROR;
	v[0] = SQL_STR(k->tenant);
	v[1] = SQL_STR(k->source);
	v[2] = SQL_STR(k->tbl);
	for (i = 0; i < n; i++) {
		v[3 + i] = SQL_STR(keys[i]);
		found[i] = 0;
	}
	rc = db_select(st, sql, v, n + 3, digests_row, &f);
	free(v);
	return rc;
}

enum store_rc
store_import_digests_put(struct store *st, const struct import_key *k,
    const char *const *keys, const unsigned char (*digests)[32], size_t n,
    int64_t now)
{
	char		 sql[IMPORT_SQL_MAX];
	struct sqlv	*v;
	enum store_rc	 rc;
	size_t		 i;

	if (import_sql(sql, sizeof(sql), "INSERT INTO import_rows (tenant, "
	    "source, tbl, src_key, digest, updated) VALUES ",
	    "(?, ?, ?, ?, ?, ?)", n, " ON DUPLICATE KEY UPDATE "
	    "import_rows.updated = IF(import_rows.digest = VALUES(digest), "
	    "import_rows.updated, VALUES(updated)), "
	    "import_rows.digest = VALUES(digest)") != 0 ||
	    (v = calloc(n * 6, sizeof(*v))) == NULL)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		v[6 * i] = SQL_STR(k->tenant);
		v[6 * i + 1] = SQL_STR(k->source);
		v[6 * i + 2] = SQL_STR(k->tbl);
		v[6 * i + 3] = SQL_STR(keys[i]);
		v[6 * i + 4] = SQL_BIN(digests[i], 32);
		v[6 * i + 5] = SQL_I64(now);
	}
	rc = db_exec(st, sql, v, n * 6, NULL);
	free(v);
	return rc;
}

/* Rows (username, id), or (id, username): every input that matches. */
struct users_found {
	const char *const	*names;		/* by name, or */
	const unsigned char	(*ids)[16];	/* by id */
	size_t			 n;
	unsigned char		(*got)[16];
	int			*found;
	char			**gotnames;
	int			 oom;
};

static int
users_row(const struct sqlrow *r, void *arg)
{
	struct users_found	*f = arg;
	const unsigned char	*id;
	const char		*name;
	size_t			 i;

	if (f->names != NULL) {
		if ((name = row_str(r, 0, NULL)) == NULL ||
		    (id = row_bin16(r, 1)) == NULL)
			return 0;
		for (i = 0; i < f->n; i++)
			if (strcmp(f->names[i], name) == 0) {
				memcpy(f->got[i], id, 16);
				f->found[i] = 1;
			}
		return 0;
	}
	if ((id = row_bin16(r, 0)) == NULL ||
	    (name = row_str(r, 1, NULL)) == NULL)
		return 0;
	for (i = 0; i < f->n; i++)
		if (f->gotnames[i] == NULL && memcmp(f->ids[i], id, 16) == 0 &&
		    (f->gotnames[i] = strdup(name)) == NULL)
			f->oom = 1;
	return 0;
}

enum store_rc
store_import_user_ids(struct store *st, const char *tenant,
    const char *const *names, size_t n, unsigned char (*ids)[16], int *found)
{
	struct users_found	 f = { names, NULL, n, ids, found, NULL, 0 };
	char			 sql[IMPORT_SQL_MAX];
	struct sqlv		*v;
	enum store_rc		 rc;
	size_t			 i;

	if (import_sql(sql, sizeof(sql), "SELECT username, id FROM users "
	    "WHERE tenant = ? AND username IN (", "?", n, ")") != 0 ||
	    (v = calloc(n + 1, sizeof(*v))) == NULL)
		return STORE_ERROR;
	v[0] = SQL_STR(tenant);
	for (i = 0; i < n; i++) {
		v[1 + i] = SQL_STR(names[i]);
		found[i] = 0;
	}
	rc = db_select(st, sql, v, n + 1, users_row, &f);
	free(v);
	return rc;
}

enum store_rc
store_import_user_names(struct store *st, const char *tenant,
    const unsigned char (*ids)[16], size_t n, char **names)
{
	struct users_found	 f = { NULL, ids, n, NULL, NULL, names, 0 };
	char			 sql[IMPORT_SQL_MAX];
	struct sqlv		*v;
	enum store_rc		 rc;
	size_t			 i;

	if (import_sql(sql, sizeof(sql), "SELECT id, username FROM users "
	    "WHERE tenant = ? AND id IN (", "?", n, ")") != 0 ||
	    (v = calloc(n + 1, sizeof(*v))) == NULL)
		return STORE_ERROR;
	v[0] = SQL_STR(tenant);
	for (i = 0; i < n; i++) {
		v[1 + i] = SQL_BIN(ids[i], 16);
		names[i] = NULL;
	}
	rc = db_select(st, sql, v, n + 1, users_row, &f);
	free(v);
	if (rc == STORE_OK && f.oom)
		rc = STORE_ERROR;
	if (rc != STORE_OK)
		for (i = 0; i < n; i++) {
			free(names[i]);
			names[i] = NULL;
		}
	return rc;
}

#define NOTE_ROW_COLS	26

enum store_rc
store_note_import_rows(struct store *st, const char *tenant,
    const struct note_import_row *rows, size_t n)
{
	char			 sql[IMPORT_SQL_MAX];
	unsigned long long	 affected = 0;
	struct sqlv		*v;
	enum store_rc		 rc;
	size_t			 i;

	/* A plain INSERT: an id there already fails it all (CONFLICT). */
	if (import_sql(sql, sizeof(sql), "INSERT INTO notifications (id, "
	    "tenant, user_id, sender, type, subject, body, body_format, link, "
	    "icon, actions, payload, template, lang, email, created, updated, "
	    "seen, seen_at, deleted, deleted_at, targets, template_id, "
	    "created_by, updated_by, icon_title) VALUES ", "(?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", n,
	    "") != 0 || (v = calloc(n * NOTE_ROW_COLS, sizeof(*v))) == NULL)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		const struct note	*x = rows[i].n;
		struct sqlv		*p = v + i * NOTE_ROW_COLS;

		*p++ = SQL_BIN(x->id, 16);
		*p++ = SQL_STR(tenant);
		*p++ = SQL_BIN(x->user_id, 16);
		*p++ = SQL_OPTSTR(x->sender);
		*p++ = SQL_STR(x->type);
		*p++ = SQL_STR(x->subject);
		*p++ = SQL_STR(x->body);
		*p++ = SQL_I64(x->format);
		*p++ = SQL_OPTSTR(x->link);
		*p++ = SQL_OPTSTR(x->icon);
		*p++ = SQL_OPTSTR(x->actions);
		*p++ = SQL_STR(x->payload);
		*p++ = SQL_OPTSTR(x->template);
		*p++ = SQL_OPTSTR(x->lang);
		*p++ = SQL_I64(x->email != 0);
		*p++ = SQL_I64(x->created);
		*p++ = SQL_I64(x->updated);
		*p++ = SQL_I64(x->seen != 0);
		*p++ = x->seen ? SQL_I64(x->seen_at) : SQL_NULL;
		*p++ = SQL_I64(x->deleted != 0);
		*p++ = x->deleted ? SQL_I64(rows[i].deleted_at) : SQL_NULL;
		*p++ = SQL_OPTSTR(x->targets);
		*p++ = x->has_template_id ? SQL_BIN(x->template_id, 16) :
		    SQL_NULL;
		*p++ = SQL_OPTSTR(x->created_by);
		*p++ = SQL_OPTSTR(x->updated_by);
		*p = SQL_OPTSTR(x->icon_title);
	}
	rc = db_exec(st, sql, v, n * NOTE_ROW_COLS, &affected);
	free(v);
	if (rc == STORE_OK && affected != n)
		rc = STORE_ERROR;
	return rc;
}

enum store_rc
store_note_targets_add(struct store *st, const struct note_target_row *rows,
    size_t n)
{
	char		 sql[IMPORT_SQL_MAX];
	struct sqlv	*v;
	enum store_rc	 rc;
	size_t		 i;

	if (import_sql(sql, sizeof(sql), "INSERT IGNORE INTO note_targets "
	    "(notification_id, user_id, target) VALUES ", "(?, ?, ?)", n,
	    "") != 0 || (v = calloc(n * 3, sizeof(*v))) == NULL)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		v[3 * i] = SQL_BIN(rows[i].note, 16);
		v[3 * i + 1] = SQL_BIN(rows[i].user, 16);
		v[3 * i + 2] = SQL_BIN(rows[i].target, 16);
	}
	rc = db_exec(st, sql, v, n * 3, NULL);
	free(v);
	return rc;
}
