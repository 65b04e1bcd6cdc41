/* One request through the pipeline: auth, route, role, handler. */
#include "config.h"

#include <stdio.h>

#include "api.h"
#include "app.h"
#include "auth.h"
#include "dispatch.h"
#include "log.h"
#include "reply.h"
#include "request.h"
#include "router.h"
#include "store.h"

void
dispatch(struct request *req, struct reply *rep)
{
	const struct route	*rt;

	if (route_lookup(routes, routes_sz, req, &rt) != ROUTE_FOUND) {
		/* Unknown path and wrong method alike (agent.md §2.3). */
		api_agent_unrecognized(rep);
		return;
	}
	store_request_begin(req->app->store);
	if (!(rt->flags & ROUTE_PUBLIC)) {
		switch (auth_resolve(req)) {
		case AUTH_OK:
			break;
		case AUTH_UNAVAILABLE:
			api_agent_error(rep, 503, "ERR_UNAVAILABLE",
			    "the database is unavailable; try again later");
			goto out;
		default:
			snprintf(rep->extra, sizeof(rep->extra),
			    "WWW-Authenticate: Bearer realm=\"herald\"\r\n");
			api_agent_error(rep, 401, "ERR_NOT_AUTHORIZED",
			    "a valid API token is required");
			goto out;
		}
		/* Route marks are enforced here, and only here. */
		if ((rt->flags & ROUTE_ADMIN) &&
		    req->principal.role != ROLE_ADMIN) {
			api_agent_error(rep, 403, "ERR_FORBIDDEN",
			    "this operation needs the admin role");
			goto out;
		}
	}
	rt->fn(req, rep);
out:
	store_request_end(req->app->store);
	if (rep->body == NULL)
		api_agent_error(rep, rep->status >= 400 ? rep->status : 500,
		    "ERR_UNCHECKED_EXCEPTION", "internal error");
}

int
dispatch_error(struct reply *rep, int status, const char *code,
    const char *reason)
{
	/* The notification-agent's format is the default one. */
	return api_agent_error(rep, status, code, reason);
}
