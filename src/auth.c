/*
 * Who is asking.  trusted-network: the original agent's model, where the
 * dialect's own user parameter is believed; the caller acts as a service
 * with every right.  Tokens and REMOTE_USER come with the auth issue.
 */
#include "config.h"

#include <string.h>

#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "request.h"

enum auth_rc
auth_resolve(struct request *req)
{
	switch (req->app->cfg->auth) {
	case AUTH_TRUSTED_NETWORK:
		req->principal.role = ROLE_ADMIN;
		req->principal.user = NULL;
		return AUTH_OK;
	}
	return AUTH_UNAUTHENTICATED;
}

int
auth_may_act_for(const struct request *req, const char *user)
{
	const struct principal	*p = &req->principal;

	switch (p->role) {
	case ROLE_ADMIN:
	case ROLE_SERVICE:
		return 1;
	case ROLE_USER:
		return p->user != NULL && strcmp(p->user, user) == 0;
	default:
		return 0;
	}
}
