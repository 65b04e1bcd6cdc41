/*
 * One request through the pipeline (nginx's phase order): dialect by
 * path prefix, route (404/405 in the dialect's words), principal (401,
 * 503), role marks (403), the JSON body (400), the handler; then the
 * dialect renders any error the request ended with.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "dialect.h"
#include "dispatch.h"
#include "herr.h"
#include "jsonio.h"
#include "log.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "router.h"
#include "store.h"
#include "util.h"

/* The body as JSON, parsed once for every route marked ROUTE_JSON. */
static int
dispatch_json(struct request *req, struct reply *rep)
{
	struct json_object	*doc = NULL;

	switch (jsonio_parse(req->body, req->bodysz,
	    req->app->cfg->json_depth, &doc)) {
	case JSONIO_OK:
		req->json = doc;
		return 0;
	case JSONIO_EMPTY:
		return 0;
	case JSONIO_DEPTH:
		return reply_fail(rep, 400, HERR_BAD_JSON,
		    "the request body is nested too deeply");
	case JSONIO_UTF8:
		return reply_fail(rep, 400, HERR_BAD_JSON,
		    "the request body is not valid UTF-8 text");
	default:
		return reply_fail(rep, 400, HERR_BAD_JSON,
		    "the request body is not valid JSON");
	}
}

/* Route, principal, marks and body; 0 when the handler may run. */
static int
dispatch_admit(struct request *req, struct reply *rep,
    const struct route *rt)
{
	if (!(rt->flags & ROUTE_PUBLIC)) {
		switch (auth_resolve(req)) {
		case AUTH_OK:
			break;
		case AUTH_UNAVAILABLE:
			return reply_fail(rep, 503, HERR_UNAVAILABLE,
			    "the database is unavailable; try again later");
		default:
			reply_header(rep, "WWW-Authenticate",
			    "Bearer realm=\"herald\"");
			return reply_fail(rep, 401, HERR_UNAUTHENTICATED,
			    "a valid API token is required");
		}
		/* Route marks are enforced here, and only here. */
		if ((rt->flags & ROUTE_ADMIN) &&
		    req->principal.role != ROLE_ADMIN)
			return reply_fail(rep, 403, HERR_FORBIDDEN,
			    "this operation needs the admin role");
	}
	if ((rt->flags & ROUTE_JSON) && dispatch_json(req, rep) != 0)
		return -1;
	return 0;
}

/* An unknown path or method: the dialect's rule, or 404 / 405. */
static void
dispatch_miss(struct request *req, struct reply *rep, enum route_rc rc)
{
	const struct dialect	*d = req->dialect;

	if (d->render_miss != NULL) {
		d->render_miss(req, rep, rc);
		return;
	}
	if (rc == ROUTE_BAD_METHOD) {
		reply_fail(rep, 405, HERR_METHOD,
		    "the path does not take this method");
		route_allow(d->routes, d->nroutes, req->path, rep->err.allow,
		    sizeof(rep->err.allow));
		reply_header(rep, "Allow", rep->err.allow);
	} else
		reply_fail(rep, 404, HERR_NO_ROUTE, "no such path");
}

/*
 * The tenant of the request: the dialect's own, if it names one, which
 * a token of another tenant may not enter; else the principal's.
 */
static int
dispatch_tenant(struct request *req, struct reply *rep, const char **out)
{
	const struct principal	*p = &req->principal;
	const char		*t = NULL;

	*out = p->tenant != NULL ? p->tenant : STORE_TENANT_DEFAULT;
	if (req->dialect->tenant == NULL)
		return 0;
	if (req->dialect->tenant(req, rep, &t) != 0)
		return -1;
	if (p->tenant != NULL && strcmp(p->tenant, t) != 0)
		return reply_fail(rep, 403, HERR_FORBIDDEN,
		    "this token belongs to another tenant"), -1;
	*out = t;
	return 0;
}

void
dispatch(struct request *req, struct reply *rep)
{
	const struct route	*rt;
	struct ctx		 ctx;
	enum route_rc		 rc;

	req->dialect = dialect_for_path(req->path);
	if (rep->err.status != 0)
		goto render;
	if ((rc = route_lookup(req->dialect->routes, req->dialect->nroutes,
	    req, &rt)) != ROUTE_FOUND) {
		dispatch_miss(req, rep, rc);
		goto render;
	}
	req->route = rt;
	store_request_begin(req->app->store);
	if (dispatch_admit(req, rep, rt) == 0 &&
	    dispatch_tenant(req, rep, &ctx.tenant) == 0) {
		ctx.st = req->app->store;
		ctx.cfg = req->app->cfg;
		ctx.who = &req->principal;
		ctx.now = util_now_ms();
		req->ctx = &ctx;
		rt->fn(req, rep);
		req->ctx = NULL;
	}
	store_request_end(req->app->store);
render:
	if (rep->body != NULL || (rep->status >= 200 && rep->status < 400 &&
	    rep->err.status == 0))
		return;
	if (rep->err.status == 0)
		reply_fail(rep, rep->status >= 400 ? rep->status : 500,
		    HERR_INTERNAL, "internal error");
	req->dialect->render_error(req, rep, &rep->err);
}
