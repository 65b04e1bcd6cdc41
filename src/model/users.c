/* Users as the model sees them: found by id or name, acted for by role. */
#include "config.h"

#include <string.h>

#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"
#include "util.h"

int
model_store_err(enum store_rc rc, struct herr *e)
{
	switch (rc) {
	case STORE_OK:
		return 0;
	case STORE_NOTFOUND:
		herr_set(e, 404, HERR_NOT_FOUND, "no such notification");
		break;
	case STORE_CONFLICT:
		herr_set(e, 409, HERR_CONFLICT, "the record already exists");
		break;
	case STORE_INVALID:
		herr_set(e, 422, HERR_INVALID,
		    "a value was refused by the store");
		break;
	case STORE_UNAVAILABLE:
	case STORE_RETRY:	/* conflicts outlasted the retries */
		herr_set(e, 503, HERR_UNAVAILABLE,
		    "the database is unavailable; try again later");
		break;
	default:
		herr_set(e, 500, HERR_INTERNAL, "internal error");
		break;
	}
	return -1;
}

int
model_may_act_for(const struct ctx *c, const char *name, struct herr *e)
{
	const struct principal	*p = c->who;

	switch (p->role) {
	case ROLE_ADMIN:
	case ROLE_SERVICE:
		return 0;
	case ROLE_USER:
		if (p->user != NULL && strcmp(p->user, name) == 0)
			return 0;
		break;
	default:
		break;
	}
	herr_set(e, 403, HERR_FORBIDDEN, "not allowed to act for this user");
	return -1;
}

struct user_found {
	unsigned char	*id;
	char		*name;
	size_t		 namesz;
	int		 fits;
};

static int
user_found_row(const struct user_row *u, void *arg)
{
	struct user_found	*f = arg;

	memcpy(f->id, u->id, 16);
	if (strlen(u->name) < f->namesz) {
		strcpy(f->name, u->name);
		f->fits = 1;
	}
	return 1;
}

int
model_user_find(const struct ctx *c, const char *ref, unsigned char id[16],
    char *name, size_t namesz, struct herr *e)
{
	struct user_found	f = { id, name, namesz, 0 };
	unsigned char		uid[16];
	enum store_rc		rc = STORE_NOTFOUND;

	/* A UUID names a user by id when one has it; else it is a name. */
	if (util_uuid_parse(ref, uid) == 0)
		rc = store_user_get(c->st, c->tenant, uid, NULL,
		    user_found_row, &f);
	if (rc == STORE_NOTFOUND)
		rc = store_user_get(c->st, c->tenant, NULL, ref,
		    user_found_row, &f);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return model_store_err(rc, e);
	if (!f.fits)
		return model_store_err(STORE_ERROR, e);
	return 1;
}
