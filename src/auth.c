/*
 * Who is asking.  trusted-network: the original agent's model, where the
 * dialect's own user parameter is believed; the caller acts as a service
 * with every right.  Tokens and REMOTE_USER come with the auth issue.
 */
#include "config.h"

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
