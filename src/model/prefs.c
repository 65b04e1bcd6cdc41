/*
 * Preferences (user × template → disabled), the inhibit rule and the
 * daily de-duplication every creation obeys, and a tenant's settings
 * (Coder, issue J).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"
#include "token.h"
#include "util.h"

#define DAY_MS	(24LL * 3600 * 1000)

int
model_pref_list(const struct ctx *c, const char *user, pref_cb cb, void *arg,
    struct herr *e)
{
	if (model_may_act_for(c, user, e) != 0)
		return -1;
	return model_store_err(store_pref_list(c->st, c->tenant, user, cb,
	    arg), e);
}

static int
pref_tmpl_seen(const struct tmpl_row *t, void *arg)
{
	(void)t;
	*(int *)arg = 1;
	return 1;
}

int
model_pref_set(const struct ctx *c, const char *user,
    const unsigned char (*ids)[16], const int *disabled, size_t n,
    struct herr *e)
{
	enum store_rc	rc;
	char		idtext[UUID_STR_LEN];
	size_t		i;
	int		found;

	if (model_may_act_for(c, user, e) != 0)
		return -1;
	/* Every id first: an unknown one changes nothing at all. */
	for (i = 0; i < n; i++) {
		found = 0;
		rc = store_tmpl_get(c->st, c->tenant, ids[i], pref_tmpl_seen,
		    &found);
		if (rc == STORE_NOTFOUND || (rc == STORE_OK && !found)) {
			util_uuid_format(ids[i], 0, idtext);
			herr_set(e, 422, HERR_INVALID, "no such template");
			herr_field(e, HERR_SRC_BODY, "template_disabled_map",
			    idtext);
			return -1;
		}
		if (rc != STORE_OK)
			return model_store_err(rc, e);
	}
	if ((rc = store_user_ensure(c->st, c->tenant, user, c->now)) !=
	    STORE_OK || (rc = store_begin(c->st)) != STORE_OK)
		return model_store_err(rc, e);
	for (i = 0; i < n && rc == STORE_OK; i++)
		rc = store_pref_put(c->st, c->tenant, user, ids[i],
		    disabled[i], c->now);
	if (rc != STORE_OK) {
		store_rollback(c->st);
		return model_store_err(rc, e);
	}
	return model_store_err(store_commit(c->st), e);
}

/* The digest of one field, appended to the digests hashed last. */
static int
policy_put(unsigned char *buf, size_t *at, const void *p, size_t n)
{
	if (token_sha256(p, n, buf + *at) != 0)
		return -1;
	*at += 32;
	return 0;
}

int
model_note_policy(const struct ctx *c, const struct note_new *nn,
    const char *user, const unsigned char template_id[16],
    const char *targets, int *dedupe, unsigned char hash[32],
    char *method, size_t methodsz, struct herr *e)
{
	unsigned char		 in[7 * 32];
	enum store_rc		 rc;
	const char		*data = nn->data != NULL ? nn->data : "{}";
	long long		 day = c->now / DAY_MS;
	size_t			 at = 0;
	int			 ebd = 1, pref = -1;

	*dedupe = 0;
	method[0] = '\0';
	rc = store_tmpl_policy(c->st, c->tenant, template_id, user, dedupe,
	    &ebd, &pref, method, methodsz);
	if (rc == STORE_NOTFOUND)
		return 0;	/* resolved a moment ago; nothing to obey */
	if (rc != STORE_OK)
		return model_store_err(rc, e);
	/* Coder's inhibit_enqueue_if_disabled, as a rule of the model. */
	if (pref == 1 || (!ebd && pref != 0)) {
		herr_set(e, 422, HERR_INVALID,
		    "cannot enqueue message: user has disabled this "
		    "notification");
		e->dcode = "inhibited";
		return -1;
	}
	if (!*dedupe)
		return 0;
	/*
	 * Coder's dedupe hash covers template, user, method, payload and
	 * targets within a UTC day; the title and body count too here,
	 * since a caller may give them instead of labels.
	 */
	/* A digest of digests: every field bounded, no field run together. */
	if (policy_put(in, &at, template_id, 16) != 0 ||
	    policy_put(in, &at, user, strlen(user)) != 0 ||
	    policy_put(in, &at, data, strlen(data)) != 0 ||
	    policy_put(in, &at, targets != NULL ? targets : "",
	    targets != NULL ? strlen(targets) : 0) != 0 ||
	    policy_put(in, &at, &day, sizeof(day)) != 0 ||
	    policy_put(in, &at, nn->title != NULL ? nn->title : "",
	    nn->title != NULL ? strlen(nn->title) : 0) != 0 ||
	    policy_put(in, &at, nn->body != NULL ? nn->body : "",
	    nn->body != NULL ? strlen(nn->body) : 0) != 0 ||
	    token_sha256(in, at, hash) != 0)
		return model_store_err(STORE_ERROR, e);
	return 0;
}

#define SETTING_PAUSED	"notifier_paused"

int
model_setting_paused(const struct ctx *c, int *paused, struct herr *e)
{
	long long	v = 0;

	if (c->who->role == ROLE_NONE) {
		herr_set(e, 401, HERR_UNAUTHENTICATED, "no principal");
		return -1;
	}
	if (model_store_err(store_setting_get(c->st, c->tenant,
	    SETTING_PAUSED, &v), e) != 0)
		return -1;
	*paused = v != 0;
	return 0;
}

int
model_setting_set_paused(const struct ctx *c, int paused, int *changed,
    struct herr *e)
{
	int	cur = 0;

	if (c->who->role != ROLE_ADMIN) {
		herr_set(e, 403, HERR_FORBIDDEN,
		    "this operation needs the admin role");
		return -1;
	}
	if (model_setting_paused(c, &cur, e) != 0)
		return -1;
	*changed = cur != (paused != 0);
	if (!*changed)
		return 0;
	return model_store_err(store_setting_put(c->st, c->tenant,
	    SETTING_PAUSED, paused != 0, c->now), e);
}
