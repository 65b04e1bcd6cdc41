/*
 * Import (issue R): records from an original's own store, written with
 * their own ids, times and states.  The rules every other path obeys hold
 * here too: the admin role, the bounds of the store, users created on
 * first reference.  What makes a re-run a no-op is the digest of each
 * source row: a row read as before is not written again, so whatever its
 * users did in Herald since (read, dismissed) is kept.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cfg.h"
#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define IMPORT_TENANT_MAX	64

static int
import_admin(const struct ctx *c, struct herr *e)
{
	if (c->who->role == ROLE_ADMIN)
		return 0;
	herr_set(e, 403, HERR_FORBIDDEN, "importing needs the admin role");
	return -1;
}

static void
import_skip(struct import_row *r, const char *why)
{
	r->out = IMPORT_SKIPPED;
	snprintf(r->reason, sizeof(r->reason), "%.159s", why);
}

void
model_import_digest(struct import_row *r, const char *const *vals, size_t n)
{
	EVP_MD_CTX	*md;
	unsigned char	 len[9];
	unsigned int	 outlen = 0;
	size_t		 i, l;
	int		 k;

	memset(r->digest, 0, sizeof(r->digest));
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		/* A NULL and "" differ: the frame says which. */
		l = vals[i] != NULL ? strlen(vals[i]) : 0;
		len[0] = vals[i] != NULL;
		for (k = 0; k < 8; k++)
			len[1 + k] = (unsigned char)(l >> (8 * k));
		if (EVP_DigestUpdate(md, len, sizeof(len)) != 1 ||
		    (l > 0 && EVP_DigestUpdate(md, vals[i], l) != 1))
			goto out;
	}
	EVP_DigestFinal_ex(md, r->digest, &outlen);
out:
	EVP_MD_CTX_free(md);
}

/* Text the store can keep: valid UTF-8 of at most "max" code points. */
static int
import_text_ok(const char *s, size_t max)
{
	size_t	len;

	if (s == NULL)
		return 1;
	len = strlen(s);
	return util_utf8_valid(s, len) && util_utf8_len(s, len) <= max;
}

static int
import_name_ok(const char *name)
{
	return name != NULL && !util_blank(name) &&
	    import_text_ok(name, NOTE_USER_MAX);
}

/*
 * Compare the row's digest with the one recorded.  1: write it (the
 * digest is recorded, unless dry), 0: nothing to do (r->out set),
 * -1: error.
 */
static int
import_changed(const struct ctx *c, struct import_row *r, struct herr *e)
{
	struct import_key	k = { c->tenant, r->source, r->tbl, r->key };
	enum store_rc		rc;
	int			out = 0;

	if ((rc = store_import_digest(c->st, &k, r->digest, r->dry_run,
	    c->now, &out)) != STORE_OK)
		return model_store_err(rc, e);
	if (out == 0) {
		r->out = IMPORT_UNCHANGED;
		return 0;
	}
	r->out = out == 1 ? IMPORT_NEW : IMPORT_CHANGED;
	return r->dry_run ? 0 : 1;
}

/*
 * The outcome of a write: "out" is the store's (1 inserted, 2 changed,
 * 0 as it was).  A refused row is skipped and its digest forgotten, so
 * that the next run reports it again.
 */
static int
import_written(const struct ctx *c, struct import_row *r, enum store_rc rc,
    int out, const char *refused, struct herr *e)
{
	struct import_key	k = { c->tenant, r->source, r->tbl, r->key };
	enum store_rc		frc;

	switch (rc) {
	case STORE_OK:
		r->out = out == 1 ? IMPORT_NEW : out == 2 ? IMPORT_CHANGED :
		    IMPORT_UNCHANGED;
		return 0;
	case STORE_CONFLICT:
	case STORE_NOTFOUND:
	case STORE_INVALID:
		import_skip(r, rc == STORE_INVALID ?
		    "the database refused its values" : refused);
		if ((frc = store_import_forget(c->st, &k)) != STORE_OK)
			return model_store_err(frc, e);
		return 0;
	default:
		return model_store_err(rc, e);
	}
}

/* The user, created when missing; 1 created, 0 there, -1 error. */
static int
import_ensure_user(const struct ctx *c, const char *name, struct herr *e)
{
	enum store_rc	rc;

	rc = store_user_get(c->st, c->tenant, NULL, name, NULL, NULL);
	if (rc == STORE_OK)
		return 0;
	if (rc != STORE_NOTFOUND)
		return model_store_err(rc, e);
	if ((rc = store_user_ensure(c->st, c->tenant, name, c->now)) !=
	    STORE_OK)
		return model_store_err(rc, e);
	return 1;
}

int
model_import_user(const struct ctx *c, struct import_row *r,
    const char *name, struct herr *e)
{
	int	rc;

	if (import_admin(c, e) != 0)
		return -1;
	if (!import_name_ok(name)) {
		import_skip(r, "the user name is blank, not UTF-8 or too long");
		return 0;
	}
	if ((rc = import_changed(c, r, e)) <= 0)
		return rc;
	if ((rc = import_ensure_user(c, name, e)) < 0)
		return -1;
	r->out = rc == 1 ? IMPORT_NEW : IMPORT_UNCHANGED;
	return 0;
}

/* Why "n" cannot be stored, or NULL. */
static const char *
import_note_invalid(const struct note *n)
{
	if (!import_name_ok(n->user))
		return "unknown user, or a name Herald cannot keep";
	/* A type may be empty (FOLIO without eventConfigName), not absent. */
	if (n->type == NULL || !import_text_ok(n->type, NOTE_TYPE_STORED_MAX))
		return "the type is not UTF-8 or too long";
	if (n->subject == NULL || !import_text_ok(n->subject, NOTE_SUBJECT_MAX))
		return "the subject is not UTF-8 or too long";
	if (n->body == NULL || strlen(n->body) > NOTE_BODY_MAX ||
	    !util_utf8_valid(n->body, strlen(n->body)))
		return "the message text is not UTF-8 or too long";
	if (n->payload == NULL || strlen(n->payload) > NOTE_BODY_MAX ||
	    !util_utf8_valid(n->payload, strlen(n->payload)))
		return "the payload is not UTF-8 or too long";
	if (!import_text_ok(n->template, NOTE_TEMPLATE_MAX))
		return "the e-mail template is not UTF-8 or too long";
	if (!import_text_ok(n->link, NOTE_LINK_MAX) ||
	    !import_text_ok(n->icon, NOTE_ICON_MAX) ||
	    !import_text_ok(n->sender, NOTE_USER_MAX) ||
	    !import_text_ok(n->lang, 16) ||
	    !import_text_ok(n->created_by, 255) ||
	    !import_text_ok(n->updated_by, 255))
		return "a link, icon, sender, language or creator is not UTF-8 "
		    "or too long";
	if (n->actions != NULL && (strlen(n->actions) > 65535 ||
	    !util_utf8_valid(n->actions, strlen(n->actions))))
		return "the actions are not UTF-8 or too long";
	if (n->created <= 0)
		return "no creation time";
	return NULL;
}

/*
 * The recipient of a note addressed by id: its name in name[namesz].
 * 1 found (or made), 0 none (the row skipped), -1 error.
 */
static int
import_user_of(const struct ctx *c, struct import_row *r, const struct note *n,
    const struct import_note_opts *o, char *name, size_t namesz,
    struct herr *e)
{
	int	rc;

	if ((rc = model_user_by_id(c, n->user_id, o->create && !r->dry_run,
	    name, namesz, e)) < 0) {
		if (e->status != 422)
			return -1;
		/* Another user is named by the id, or another tenant has it. */
		import_skip(r, e->message);
		herr_init(e);
		return 0;
	}
	if (rc == 0 && o->create) {
		/* A dry run makes no user: the one it would make. */
		util_uuid_format(n->user_id, 0, name);
		return 1;
	}
	if (rc == 0)
		import_skip(r, "unknown user");
	return rc;
}

int
model_import_note(const struct ctx *c, struct import_row *r,
    const struct note *in, const struct import_note_opts *o, struct herr *e)
{
	char		 name[NOTE_USER_MAX * 4 + 1];
	const char	*why;
	struct note	 n = *in;
	enum store_rc	 rc;
	int		 out = 0, created;

	if (import_admin(c, e) != 0)
		return -1;
	if (o->by_id) {
		if ((out = import_user_of(c, r, &n, o, name, sizeof(name),
		    e)) <= 0)
			return out;
		n.user = name;
	}
	if ((why = import_note_invalid(&n)) != NULL) {
		import_skip(r, why);
		return 0;
	}
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	/*
	 * The recipient usually exists (users come first): try, and make
	 * it only when the insert found no user to insert for.
	 */
	rc = store_note_import(c->st, c->tenant, &n, o->deleted_at, &out);
	if (rc == STORE_CONFLICT && !o->by_id) {
		if ((created = import_ensure_user(c, n.user, e)) < 0)
			return -1;
		if (created)
			rc = store_note_import(c->st, c->tenant, &n,
			    o->deleted_at, &out);
	}
	/* A new row has no targets yet: one statement fewer per row. */
	if (rc == STORE_OK && (out == 2 || (out == 1 && o->ntargets > 0)) &&
	    (rc = store_note_targets_import(c->st, n.id, o->targets,
	    o->ntargets)) != STORE_OK)
		return model_store_err(rc, e);
	return import_written(c, r, rc, out,
	    "its id is another user's notification", e);
}

int
model_import_user_id(const struct ctx *c, struct import_row *r,
    const unsigned char id[16], const char *name, const char *email,
    struct herr *e)
{
	unsigned char	got[16];
	char		have[NOTE_USER_MAX * 4 + 1];
	enum store_rc	rc;
	int		found, out;

	if (import_admin(c, e) != 0)
		return -1;
	if (!import_name_ok(name) || !import_text_ok(email, 320)) {
		import_skip(r, "the user name is blank, not UTF-8 or too long");
		return 0;
	}
	/* The id first: a rename in the source is another user here. */
	if ((found = model_user_by_id(c, id, 0, have, sizeof(have), e)) < 0)
		return -1;
	if (found && strcmp(have, name) != 0) {
		import_skip(r, "its id is another user's");
		return 0;
	}
	if ((found = model_user_find(c, name, got, have, sizeof(have), e)) < 0)
		return -1;
	if (found && memcmp(got, id, 16) != 0) {
		import_skip(r, "a user of that name has another id");
		return 0;
	}
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	rc = store_user_put(c->st, c->tenant, id, name, email, email != NULL,
	    c->now, got);
	if (rc == STORE_OK && memcmp(got, id, 16) != 0)
		rc = STORE_CONFLICT;
	if (rc == STORE_NOTFOUND)
		rc = STORE_CONFLICT;
	return import_written(c, r, rc, found ? 2 : 1,
	    "its id is another user's", e);
}

int
model_import_template(const struct ctx *c, struct import_row *r,
    const struct tmpl_row *t, struct herr *e)
{
	enum store_rc	rc;
	int		out = 0;

	if (import_admin(c, e) != 0)
		return -1;
	if (!import_name_ok(t->name) || !import_text_ok(t->group, 255) ||
	    t->title == NULL || !import_text_ok(t->title, 65535) ||
	    t->body == NULL || strlen(t->body) > NOTE_BODY_MAX ||
	    !util_utf8_valid(t->body, strlen(t->body)) ||
	    t->actions == NULL || !import_text_ok(t->actions, 65535) ||
	    !import_text_ok(t->method, 255)) {
		import_skip(r, "a name, group, text or action Herald cannot "
		    "keep");
		return 0;
	}
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	rc = store_tmpl_import(c->st, c->tenant, t, c->now, &out);
	return import_written(c, r, rc, out,
	    "its id or its name is another template's", e);
}

int
model_import_pref(const struct ctx *c, struct import_row *r,
    const unsigned char user_id[16], const unsigned char tmpl_id[16],
    int disabled, int64_t updated, struct herr *e)
{
	enum store_rc	rc;
	int		out = 0;

	if (import_admin(c, e) != 0)
		return -1;
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	rc = store_pref_import(c->st, c->tenant, user_id, tmpl_id, disabled,
	    updated, &out);
	return import_written(c, r, rc, out,
	    "its user or its template was not imported", e);
}

int
model_import_sys_type(const struct ctx *c, struct import_row *r,
    const char *type, struct herr *e)
{
	enum store_rc	rc;
	int		out = 0;

	if (import_admin(c, e) != 0)
		return -1;
	if (type == NULL || util_blank(type) ||
	    !import_text_ok(type, SYS_TYPE_MAX)) {
		import_skip(r, "the type is blank, not UTF-8 or too long");
		return 0;
	}
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	rc = store_sys_type_import(c->st, type, &out);
	return import_written(c, r, rc, out, "refused", e);
}

int
model_import_sys(const struct ctx *c, struct import_row *r,
    const struct sysnote *s, struct herr *e)
{
	enum store_rc	rc;
	int		out = 0, known = 0;

	if (import_admin(c, e) != 0)
		return -1;
	if (s->type == NULL || !import_text_ok(s->type, SYS_TYPE_MAX) ||
	    s->message == NULL || strlen(s->message) > SYS_MESSAGE_MAX ||
	    !util_utf8_valid(s->message, strlen(s->message))) {
		import_skip(r, "no type, or a message that is not UTF-8 or "
		    "too long");
		return 0;
	}
	if ((rc = store_sys_type_known(c->st, s->type, &known)) != STORE_OK)
		return model_store_err(rc, e);
	if (!known && !r->dry_run) {
		import_skip(r, "its type was not imported");
		return 0;
	}
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	rc = store_sys_import(c->st, c->tenant, s, &out);
	return import_written(c, r, rc, out,
	    "its id is another tenant's system notification", e);
}

int
model_import_sys_state(const struct ctx *c, struct import_row *r,
    const char *user, const unsigned char id[16], enum sys_state state,
    int64_t acknowledged_at, struct herr *e)
{
	enum store_rc	rc;
	int		out = 0;

	if (import_admin(c, e) != 0)
		return -1;
	if (!import_name_ok(user)) {
		import_skip(r, "unknown user, or a name Herald cannot keep");
		return 0;
	}
	if (state > SYS_DISMISSED) {
		import_skip(r, "unknown state");
		return 0;
	}
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	if (import_ensure_user(c, user, e) < 0)
		return -1;
	rc = store_sys_state_import(c->st, c->tenant, user, id, state,
	    acknowledged_at, acknowledged_at, &out);
	return import_written(c, r, rc, out,
	    "its system notification was not imported", e);
}

int
model_import_sent_email(const struct ctx *c, struct import_row *r,
    const unsigned char note_id[16], const char *address,
    const char *template, int64_t sent_at, struct herr *e)
{
	enum store_rc	rc;
	int		out = 0;

	if (import_admin(c, e) != 0)
		return -1;
	if (!import_text_ok(address, 320) ||
	    !import_text_ok(template, NOTE_TEMPLATE_MAX)) {
		import_skip(r, "the address or template is not UTF-8 or too "
		    "long");
		return 0;
	}
	if ((out = import_changed(c, r, e)) <= 0)
		return out;
	rc = store_delivery_import(c->st, c->tenant, note_id,
	    c->cfg->email_method, address, template, sent_at, &out);
	return import_written(c, r, rc, out,
	    "its notification was not imported", e);
}

int
model_import_begin(const struct ctx *c, struct herr *e)
{
	if (import_admin(c, e) != 0)
		return -1;
	return model_store_err(store_begin(c->st), e);
}

int
model_import_commit(const struct ctx *c, const char *source, const char *tbl,
    const char *last, int done, struct herr *e)
{
	struct import_key	k = { c->tenant, source, tbl, last };
	enum store_rc		rc;

	if ((rc = store_import_checkpoint_put(c->st, &k, done, c->now)) !=
	    STORE_OK) {
		store_rollback(c->st);
		return model_store_err(rc, e);
	}
	return model_store_err(store_commit(c->st), e);
}

void
model_import_rollback(const struct ctx *c)
{
	store_rollback(c->st);
}

int
model_import_checkpoint(const struct ctx *c, const char *source,
    const char *tbl, char *last, size_t lastsz, int *done, struct herr *e)
{
	struct import_key	k = { c->tenant, source, tbl, NULL };
	enum store_rc		rc;

	if (import_admin(c, e) != 0)
		return -1;
	rc = store_import_checkpoint(c->st, &k, last, lastsz, done);
	if (rc == STORE_NOTFOUND)
		return 0;
	return rc == STORE_OK ? 1 : model_store_err(rc, e);
}

int
model_import_finish(const struct ctx *c, const char *source, struct herr *e)
{
	if (import_admin(c, e) != 0)
		return -1;
	return model_store_err(store_import_checkpoint_clear(c->st, c->tenant,
	    source), e);
}
