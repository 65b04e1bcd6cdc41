/*
 * Import (issue R): records from an original's own store, written with
 * their own ids, times and states.  The rules every other path obeys hold
 * here too: the admin role, the bounds of the store, users created on
 * first reference.  What makes a re-run a no-op is the digest of each
 * source row: a row read as before is not written again, so whatever its
 * users did in Herald since (read, dismissed) is kept.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
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
		/*
		 * A refusal that cost the connection (a packet too large)
		 * lost the batch's transaction: what follows would be
		 * written without it, and the batch's checkpoint with it.
		 */
		if (!store_in_tx(c->st))
			return model_store_err(STORE_UNAVAILABLE, e);
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

/*
 * Write a checked note whose digest differs (or is new), as one
 * statement or two: insert or replace it, making a missing recipient
 * named by n->user, then its targets.
 */
static int
import_note_put(const struct ctx *c, struct import_row *r,
    const struct note *n, const struct import_note_opts *o, struct herr *e)
{
	enum store_rc	 rc;
	int		 out = 0;

	/*
	 * The recipient usually exists (users come first): try, and make
	 * it only when the insert found no user to insert for.
	 */
	rc = store_note_import(c->st, c->tenant, n, o->deleted_at, &out);
	if (rc == STORE_CONFLICT && !o->by_id) {
		int	created;

		if ((created = import_ensure_user(c, n->user, e)) < 0)
			return -1;
		if (created)
			rc = store_note_import(c->st, c->tenant, n,
			    o->deleted_at, &out);
	}
	/* A new row has no targets yet: one statement fewer per row. */
	if (rc == STORE_OK && (out == 2 || (out == 1 && o->ntargets > 0)) &&
	    (rc = store_note_targets_import(c->st, n->id, o->targets,
	    o->ntargets)) != STORE_OK)
		return model_store_err(rc, e);
	return import_written(c, r, rc, out,
	    "its id is another user's notification", e);
}

static int import_queue(const struct ctx *, struct import_row *,
	    const struct note *, const struct import_note_opts *,
	    struct herr *);

int
model_import_note(const struct ctx *c, struct import_row *r,
    const struct note *in, const struct import_note_opts *o, struct herr *e)
{
	char		 name[NOTE_USER_MAX * 4 + 1];
	const char	*why;
	struct note	 n = *in;
	int		 out = 0;

	if (import_admin(c, e) != 0)
		return -1;
	if (r->batch != NULL)
		return import_queue(c, r, in, o, e);
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
	return import_note_put(c, r, &n, o, e);
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

/* --- a batch of notifications: a few statements for many rows ---------- */

/* About what one multi-row statement's values may weigh, at most half
 * the server's max_allowed_packet (a larger row goes alone, as before). */
#define IMPORT_STMT_BYTES	(512 * 1024)

struct import_q {
	struct import_row	*r;
	struct note		 n;		/* its texts in "mem" */
	struct import_note_opts	 o;		/* o.targets: "targets" */
	unsigned char		 targets[NOTE_TARGETS_MAX][16];
	char			*mem;
	char			*name;		/* by id: the recipient's name */
	size_t			 bytes;		/* its values, about */
	int			 cls;		/* digest: 1 new, 2 changed, 0 same */
	int			 has_uid;	/* n.user_id is the recipient's */
	int			 done;		/* r->out is final */
	int			 written;	/* its digest is to be recorded */
};

struct import_batch {
	struct import_q	**q;		/* in the source's order */
	struct import_q	**sel;		/* some of q, in order */
	size_t		  n, cap;
	size_t		  stmt_bytes;	/* see import_flush_new; 0: not asked */
};

/* The texts of a note, copied into the batch. */
static const size_t import_texts[] = {
	offsetof(struct note, user), offsetof(struct note, sender),
	offsetof(struct note, type), offsetof(struct note, subject),
	offsetof(struct note, body), offsetof(struct note, link),
	offsetof(struct note, icon), offsetof(struct note, actions),
	offsetof(struct note, targets), offsetof(struct note, template),
	offsetof(struct note, payload), offsetof(struct note, lang),
	offsetof(struct note, created_by), offsetof(struct note, updated_by),
	offsetof(struct note, icon_title),
};
#define IMPORT_NTEXTS	(sizeof(import_texts) / sizeof(import_texts[0]))

static const char **
import_text(struct note *n, size_t i)
{
	return (const char **)(void *)((char *)n + import_texts[i]);
}

struct import_batch *
model_import_batch_new(void)
{
	return calloc(1, sizeof(struct import_batch));
}

void
model_import_batch_clear(struct import_batch *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->q[i]->mem);
		free(b->q[i]->name);
		free(b->q[i]);
	}
	b->n = 0;
}

void
model_import_batch_free(struct import_batch *b)
{
	if (b == NULL)
		return;
	model_import_batch_clear(b);
	free(b->q);
	free(b->sel);
	free(b);
}

/* Copy the row into r->batch: its texts and targets are the caller's. */
static int
import_queue(const struct ctx *c, struct import_row *r, const struct note *n,
    const struct import_note_opts *o, struct herr *e)
{
	struct import_batch	 *b = r->batch;
	struct import_q		 *q, **nq;
	const char		**f;
	size_t			  i, len, total = 0;
	char			 *p;

	(void)c;
	if (o->ntargets > NOTE_TARGETS_MAX)
		return model_store_err(STORE_ERROR, e);
	if (b->n == b->cap) {
		size_t	cap = b->cap == 0 ? 64 : b->cap * 2;
		if ((nq = realloc(b->q, cap * sizeof(*nq))) == NULL)
			return model_store_err(STORE_ERROR, e);
		b->q = nq;
		if ((nq = realloc(b->sel, cap * sizeof(*nq))) == NULL)
			return model_store_err(STORE_ERROR, e);
		b->sel = nq;
		b->cap = cap;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return model_store_err(STORE_ERROR, e);
	q->n = *n;
	for (i = 0; i < IMPORT_NTEXTS; i++)
		if (*(f = import_text(&q->n, i)) != NULL)
			total += strlen(*f) + 1;
	if ((q->mem = malloc(total + 1)) == NULL) {
		free(q);
		return model_store_err(STORE_ERROR, e);
	}
	p = q->mem;
	for (i = 0; i < IMPORT_NTEXTS; i++) {
		if (*(f = import_text(&q->n, i)) == NULL)
			continue;
		len = strlen(*f) + 1;
		memcpy(p, *f, len);
		*f = p;
		p += len;
	}
	/* The ids, times and flags weigh about this much more. */
	q->bytes = total + 160;
	q->o = *o;
	if (o->ntargets > 0)
		memcpy(q->targets, o->targets, o->ntargets * 16);
	q->o.targets = (const unsigned char (*)[16])q->targets;
	q->r = r;
	b->q[b->n++] = q;
	return 0;
}

/*
 * Rows for the next statement, of "left": STORE_IMPORT_ROWS, else the
 * largest power of two, so that a run prepares a few statement shapes.
 */
static size_t
import_chunk(size_t left)
{
	size_t	k = 1;

	if (left >= STORE_IMPORT_ROWS)
		return STORE_IMPORT_ROWS;
	while (k * 2 <= left)
		k *= 2;
	return k;
}

static int
import_want_by_id(const struct import_q *q)
{
	return !q->done && q->o.by_id;
}

static int
import_want_by_name(const struct import_q *q)
{
	return !q->done && !q->o.by_id;
}

static int
import_want_open(const struct import_q *q)
{
	return !q->done;
}

static int
import_want_written(const struct import_q *q)
{
	return q->written;
}

/* The rows "want" takes, in order, into b->sel; how many. */
static size_t
import_select(struct import_batch *b, int (*want)(const struct import_q *))
{
	size_t	i, n = 0;

	for (i = 0; i < b->n; i++)
		if (want(b->q[i]))
			b->sel[n++] = b->q[i];
	return n;
}

/*
 * Recipients named by id: those Herald has, a statement per
 * STORE_IMPORT_ROWS rows; the others one at a time, as a single row
 * goes (made on first reference, or the row skipped).
 */
static int
import_flush_by_id(const struct ctx *c, struct import_batch *b,
    struct herr *e)
{
	unsigned char	 ids[STORE_IMPORT_ROWS][16];
	char		*names[STORE_IMPORT_ROWS];
	char		 name[NOTE_USER_MAX * 4 + 1];
	struct import_q	*q;
	size_t		 n = import_select(b, import_want_by_id), at, k, i;
	int		 out;

	for (at = 0; at < n; at += k) {
		k = import_chunk(n - at);
		for (i = 0; i < k; i++)
			memcpy(ids[i], b->sel[at + i]->n.user_id, 16);
		if (model_store_err(store_import_user_names(c->st, c->tenant,
		    (const unsigned char (*)[16])ids, k, names), e) != 0)
			return -1;
		for (i = 0; i < k; i++)
			b->sel[at + i]->name = names[i];
	}
	for (i = 0; i < n; i++) {
		q = b->sel[i];
		if (q->name == NULL) {
			if ((out = import_user_of(c, q->r, &q->n, &q->o, name,
			    sizeof(name), e)) < 0)
				return -1;
			if (out == 0) {
				q->done = 1;
				continue;
			}
			if ((q->name = strdup(name)) == NULL)
				return model_store_err(STORE_ERROR, e);
		}
		q->n.user = q->name;
		q->has_uid = 1;
	}
	return 0;
}

/* Bounds, as a single row is checked. */
static void
import_flush_check(struct import_batch *b)
{
	size_t		 i;

	for (i = 0; i < b->n; i++) {
		const char	*why;

		if (!b->q[i]->done &&
		    (why = import_note_invalid(&b->q[i]->n)) != NULL) {
			import_skip(b->q[i]->r, why);
			b->q[i]->done = 1;
		}
	}
}

/*
 * The digests recorded: a row read as before is unchanged (and done);
 * a dry run ends here, every row new or changed.
 */
static int
import_flush_digests(const struct ctx *c, struct import_batch *b,
    struct herr *e)
{
	const char		*keys[STORE_IMPORT_ROWS];
	unsigned char		 dig[STORE_IMPORT_ROWS][32];
	int			 found[STORE_IMPORT_ROWS];
	struct import_key	 k = { c->tenant, NULL, NULL, NULL };
	size_t			 n = import_select(b, import_want_open), at, m;
	size_t			 i;

	for (at = 0; at < n; at += m) {
		m = import_chunk(n - at);
		for (i = 0; i < m; i++)
			keys[i] = b->sel[at + i]->r->key;
		k.source = b->sel[at]->r->source;
		k.tbl = b->sel[at]->r->tbl;
		if (model_store_err(store_import_digests(c->st, &k, keys, m,
		    dig, found), e) != 0)
			return -1;
		for (i = 0; i < m; i++) {
			struct import_q	*q = b->sel[at + i];

			q->cls = !found[i] ? 1 :
			    memcmp(dig[i], q->r->digest, 32) != 0 ? 2 : 0;
			if (q->cls != 0 && !q->r->dry_run)
				continue;
			q->r->out = q->cls == 1 ? IMPORT_NEW : q->cls == 2 ?
			    IMPORT_CHANGED : IMPORT_UNCHANGED;
			q->done = 1;
		}
	}
	return 0;
}

/*
 * Recipients named by name, for the rows to write: their ids, a
 * statement per STORE_IMPORT_ROWS rows; one Herald has not is made (as
 * the insert of a single row would make it).
 */
static int
import_flush_by_name(const struct ctx *c, struct import_batch *b,
    struct herr *e)
{
	const char	*names[STORE_IMPORT_ROWS];
	unsigned char	 ids[STORE_IMPORT_ROWS][16];
	int		 found[STORE_IMPORT_ROWS];
	enum store_rc	 rc;
	size_t		 n = import_select(b, import_want_by_name), at, k, i, j;

	for (at = 0; at < n; at += k) {
		k = import_chunk(n - at);
		for (i = 0; i < k; i++)
			names[i] = b->sel[at + i]->n.user;
		if ((rc = store_import_user_ids(c->st, c->tenant, names, k,
		    ids, found)) != STORE_OK)
			return model_store_err(rc, e);
		for (i = 0; i < k; i++)
			if (found[i]) {
				memcpy(b->sel[at + i]->n.user_id, ids[i], 16);
				b->sel[at + i]->has_uid = 1;
			}
	}
	for (i = 0; i < n; i++) {
		struct import_q	*q = b->sel[i];

		if (q->has_uid)
			continue;
		/* Made for an earlier row of the batch? */
		for (j = 0; j < i; j++)
			if (b->sel[j]->has_uid &&
			    strcmp(b->sel[j]->n.user, q->n.user) == 0)
				break;
		if (j < i) {
			memcpy(q->n.user_id, b->sel[j]->n.user_id, 16);
			q->has_uid = 1;
			continue;
		}
		rc = store_user_put(c->st, c->tenant, NULL, q->n.user, NULL, 0,
		    c->now, q->n.user_id);
		if (rc == STORE_OK)
			q->has_uid = 1;
		else if (rc != STORE_NOTFOUND)
			return model_store_err(rc, e);
	}
	return 0;
}

/* One row by itself, as model_import_note writes it. */
static int
import_flush_one(const struct ctx *c, struct import_q *q, struct herr *e)
{
	if (import_note_put(c, q->r, &q->n, &q->o, e) != 0)
		return -1;
	q->done = 1;
	q->written = q->r->out != IMPORT_SKIPPED;
	return 0;
}

/* The targets of new rows sel[0..n-1], a statement per STORE_IMPORT_ROWS. */
static int
import_flush_targets(const struct ctx *c, struct import_q **sel, size_t n,
    struct herr *e)
{
	struct note_target_row	 t[STORE_IMPORT_ROWS];
	size_t			 i, j, m = 0, at, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < sel[i]->o.ntargets; j++) {
			t[m].note = sel[i]->n.id;
			t[m].user = sel[i]->n.user_id;
			t[m].target = sel[i]->targets[j];
			if (++m < STORE_IMPORT_ROWS)
				continue;
			if (model_store_err(store_note_targets_add(c->st, t, m),
			    e) != 0)
				return -1;
			m = 0;
		}
	for (at = 0; at < m; at += k) {
		k = import_chunk(m - at);
		if (model_store_err(store_note_targets_add(c->st, t + at, k),
		    e) != 0)
			return -1;
	}
	return 0;
}

/*
 * New rows b->sel[0..n-1] with their recipients' ids: plain multi-row
 * inserts.  A statement the database refuses (an id there already, a
 * value it will not keep) changed nothing: its rows go one at a time.
 * One the server cannot take costs the connection, and the batch: the
 * rows a statement carries are kept to what max_allowed_packet allows.
 */
static int
import_flush_new(const struct ctx *c, struct import_batch *b, size_t n,
    struct herr *e)
{
	struct note_import_row	 rows[STORE_IMPORT_ROWS];
	struct import_q		**sel = b->sel;
	size_t			 at, k, i, bytes;
	long long		 max = 0;

	if (b->stmt_bytes == 0) {
		if (model_store_err(store_packet_max(c->st, &max), e) != 0)
			return -1;
		/* Half: a row's weight is an estimate. */
		b->stmt_bytes = max / 2 > 0 && max / 2 < IMPORT_STMT_BYTES ?
		    (size_t)(max / 2) : IMPORT_STMT_BYTES;
	}
	for (at = 0; at < n; at += k) {
		enum store_rc	rc;

		for (k = 0, bytes = 0; at + k < n && k < STORE_IMPORT_ROWS &&
		    (k == 0 || bytes + sel[at + k]->bytes <= b->stmt_bytes);
		    k++)
			bytes += sel[at + k]->bytes;
		k = import_chunk(k);
		for (i = 0; i < k; i++) {
			rows[i].n = &sel[at + i]->n;
			rows[i].deleted_at = sel[at + i]->o.deleted_at;
		}
		rc = store_note_import_rows(c->st, c->tenant, rows, k);
		/* A refusal that cost the connection lost the transaction. */
		if ((rc == STORE_CONFLICT || rc == STORE_INVALID) &&
		    store_in_tx(c->st)) {
			for (i = 0; i < k; i++)
				if (import_flush_one(c, sel[at + i], e) != 0)
					return -1;
			continue;
		}
		if (rc != STORE_OK)
			return model_store_err(rc == STORE_INVALID ?
			    STORE_UNAVAILABLE : rc, e);
		for (i = 0; i < k; i++) {
			sel[at + i]->r->out = IMPORT_NEW;
			sel[at + i]->done = 1;
			sel[at + i]->written = 1;
		}
		if (import_flush_targets(c, sel + at, k, e) != 0)
			return -1;
	}
	return 0;
}

/*
 * The writes, in the source's order: runs of new rows with known
 * recipients many a statement, any other row by itself.
 */
static int
import_flush_notes(const struct ctx *c, struct import_batch *b,
    struct herr *e)
{
	struct import_q	*q;
	size_t		 i, run = 0;

	for (i = 0; i <= b->n; i++) {
		q = i < b->n ? b->q[i] : NULL;
		if (q != NULL && q->done)
			continue;
		if (q != NULL && q->cls == 1 && q->has_uid) {
			b->sel[run++] = q;
			continue;
		}
		if (run > 0 && import_flush_new(c, b, run, e) != 0)
			return -1;
		run = 0;
		if (q != NULL && import_flush_one(c, q, e) != 0)
			return -1;
	}
	return 0;
}

/* The digests of the rows written, a statement per STORE_IMPORT_ROWS. */
static int
import_flush_record(const struct ctx *c, struct import_batch *b,
    struct herr *e)
{
	const char		*keys[STORE_IMPORT_ROWS];
	unsigned char		 dig[STORE_IMPORT_ROWS][32];
	struct import_key	 k = { c->tenant, NULL, NULL, NULL };
	size_t			 n = import_select(b, import_want_written), at, m;
	size_t			 i;

	for (at = 0; at < n; at += m) {
		m = import_chunk(n - at);
		for (i = 0; i < m; i++) {
			keys[i] = b->sel[at + i]->r->key;
			memcpy(dig[i], b->sel[at + i]->r->digest, 32);
		}
		k.source = b->sel[at]->r->source;
		k.tbl = b->sel[at]->r->tbl;
		if (model_store_err(store_import_digests_put(c->st, &k, keys,
		    (const unsigned char (*)[32])dig, m, c->now), e) != 0)
			return -1;
	}
	return 0;
}

int
model_import_flush(const struct ctx *c, struct import_batch *b,
    struct herr *e)
{
	int	rc = -1;

	if (b == NULL || b->n == 0)
		return 0;
	/* The order of model_import_note's checks, a step for all rows. */
	if (import_flush_by_id(c, b, e) != 0)
		goto out;
	import_flush_check(b);
	if (import_flush_digests(c, b, e) != 0 ||
	    import_flush_by_name(c, b, e) != 0 ||
	    import_flush_notes(c, b, e) != 0 ||
	    import_flush_record(c, b, e) != 0)
		goto out;
	rc = 0;
out:
	model_import_batch_clear(b);
	return rc;
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
