/*
 * Whole-record writes and tenant-wide searches (FOLIO, issue I): the
 * same rules as every other path to notifications.  A user-role
 * principal reaches only its own; services and admins the tenant's.
 */
#include "config.h"

#include <string.h>

#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"
#include "util.h"

int
model_user_by_id(const struct ctx *c, const unsigned char id[16], int create,
    char *name, size_t namesz, struct herr *e)
{
	char		text[UUID_STR_LEN];
	unsigned char	got[16];
	enum store_rc	rc;
	int		found;

	util_uuid_format(id, 0, text);
	if ((found = model_user_find(c, text, got, name, namesz, e)) < 0)
		return -1;
	/* A name that looks like the id but is someone else's is not it. */
	if (found && memcmp(got, id, 16) == 0)
		return 1;
	if (found || !create) {
		if (found) {
			herr_set(e, 422, HERR_INVALID,
			    "another user is named by this id");
			herr_field(e, HERR_SRC_BODY, "recipientId", text);
			return -1;
		}
		return 0;
	}
	rc = store_user_put(c->st, c->tenant, id, text, NULL, 0, c->now, got);
	/*
	 * User ids are unique across tenants (users.id is the key every
	 * table refers to): one another tenant holds cannot be made here.
	 */
	if (rc == STORE_NOTFOUND) {
		herr_set(e, 422, HERR_INVALID,
		    "this user id belongs to another tenant");
		herr_field(e, HERR_SRC_BODY, "recipientId", text);
		return -1;
	}
	if (rc != STORE_OK)
		return model_store_err(rc, e);
	if (memcmp(got, id, 16) != 0 || strlen(text) >= namesz)
		return model_store_err(STORE_ERROR, e);
	strcpy(name, text);
	return 1;
}

/* The recipient's name, made on first reference, and the act-for check. */
static int
rec_recipient(const struct ctx *c, const struct note_rec *r, struct herr *e)
{
	char	name[NOTE_USER_MAX * 4 + 1];

	if (model_user_by_id(c, r->recipient, 1, name, sizeof(name), e) < 0)
		return -1;
	return model_may_act_for(c, name, e);
}

static void
rec_note(const struct ctx *c, const struct note_rec *r, struct note *n)
{
	memset(n, 0, sizeof(*n));
	memcpy(n->id, r->id, 16);
	memcpy(n->user_id, r->recipient, 16);
	n->sender = r->sender;
	n->type = r->type;
	n->body = r->body != NULL ? r->body : "";
	n->link = r->link;
	n->lang = r->lang;
	n->payload = r->data != NULL ? r->data : "{}";
	n->seen = r->seen;
	n->created = c->now;
	n->updated = c->now;
	n->created_by = r->by;
	n->updated_by = r->by;
}

int
model_note_create_rec(const struct ctx *c, const struct note_rec *r,
    struct herr *e)
{
	struct note	n;

	if (rec_recipient(c, r, e) != 0)
		return -1;
	rec_note(c, r, &n);
	return model_store_err(store_note_insert(c->st, c->tenant, &n), e);
}

int
model_note_update(const struct ctx *c, const struct note_rec *r,
    struct herr *e)
{
	struct note	n;

	/* The record as it is must be the principal's to change, too. */
	if (model_note_get(c, r->id, NULL, NULL, e) != 0 ||
	    rec_recipient(c, r, e) != 0)
		return -1;
	rec_note(c, r, &n);
	return model_store_err(store_note_replace(c->st, c->tenant, &n), e);
}

/*
 * "pred" as the principal may apply it: a user's own notifications
 * only.  "own" and "idtext" are the caller's storage for the wrapper.
 */
static int
search_scope(const struct ctx *c, const struct note_pred *pred,
    struct note_pred own[2], char idtext[UUID_STR_LEN],
    const struct note_pred **out, struct herr *e)
{
	const struct principal	*p = c->who;
	unsigned char		 id[16];
	char			 name[NOTE_USER_MAX * 4 + 1];
	int			 rc;

	*out = pred;
	if (p->role == ROLE_ADMIN || p->role == ROLE_SERVICE)
		return 0;
	if (p->role != ROLE_USER || p->user == NULL) {
		herr_set(e, 403, HERR_FORBIDDEN, "not allowed to list");
		return -1;
	}
	if ((rc = model_user_find(c, p->user, id, name, sizeof(name), e)) < 0)
		return -1;
	memset(own, 0, 2 * sizeof(own[0]));
	own[0].op = NP_CMP;
	own[0].field = NF_RECIPIENT;
	own[0].rel = NR_EQ;
	/* A user not yet known has no notifications: match nothing. */
	if (rc == 0)
		own[0].op = NP_NULL;
	util_uuid_format(id, 0, idtext);
	own[0].value = idtext;
	if (pred == NULL) {
		*out = &own[0];
		return 0;
	}
	own[1].op = NP_AND;
	own[1].l = &own[0];
	own[1].r = pred;
	*out = &own[1];
	return 0;
}

int
model_note_search(const struct ctx *c, const struct note_search *q,
    note_cb cb, void *arg, long long *total, struct herr *e)
{
	struct note_pred	 own[2];
	struct note_search	 s = *q;
	char			 idtext[UUID_STR_LEN];

	if (search_scope(c, q->pred, own, idtext, &s.pred, e) != 0)
		return -1;
	s.tenant = c->tenant;
	return model_store_err(store_note_search(c->st, &s, cb, arg, total),
	    e);
}

int
model_note_delete_search(const struct ctx *c, const struct note_pred *pred,
    long long *changed, struct herr *e)
{
	struct note_pred	 own[2];
	const struct note_pred	*p;
	unsigned long long	 n = 0;
	char			 idtext[UUID_STR_LEN];

	if (search_scope(c, pred, own, idtext, &p, e) != 0)
		return -1;
	if (model_store_err(store_note_delete_pred(c->st, c->tenant, p,
	    c->now, &n), e) != 0)
		return -1;
	if (changed != NULL)
		*changed = (long long)n;
	return 0;
}
