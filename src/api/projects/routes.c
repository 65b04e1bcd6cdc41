/*
 * The project tool's notifications API (seed 001): its routes.  The
 * seed's own links point at /api/v0/..., so that prefix is an alias.
 */
#include "config.h"

#include "dialect.h"
#include "projects_int.h"
#include "router.h"

static const struct route pj_routes[] = {
	{ REQ_GET,	"/api/notifications",		api_pj_list,	0 },
	{ REQ_POST,	"/api/notifications",		api_pj_mark, ROUTE_JSON },
	{ REQ_GET,	"/api/latest-notifications",	api_pj_latest,	0 },
	{ REQ_GET,	"/api/notifications/{id}",	api_pj_get,	0 },
	{ REQ_POST,	"/api/notifications/{id}/read",	api_pj_read, ROUTE_JSON },
	{ REQ_PUT,	"/api/notifications/{id}/read",	api_pj_read, ROUTE_JSON },
	{ REQ_GET,	"/api/v0/notifications",	api_pj_list,	0 },
	{ REQ_POST,	"/api/v0/notifications",	api_pj_mark, ROUTE_JSON },
	{ REQ_GET,	"/api/v0/latest-notifications",	api_pj_latest,	0 },
	{ REQ_GET,	"/api/v0/notifications/{id}",	api_pj_get,	0 },
	{ REQ_POST,	"/api/v0/notifications/{id}/read", api_pj_read,
			    ROUTE_JSON },
	{ REQ_PUT,	"/api/v0/notifications/{id}/read", api_pj_read,
			    ROUTE_JSON },
};

static const char *const pj_prefixes[] = { "/api/notifications",
	"/api/latest-notifications", "/api/v0", NULL };

const struct dialect dialect_projects = {
	"projects",
	pj_prefixes,
	pj_routes,
	sizeof(pj_routes) / sizeof(pj_routes[0]),
	pj_render_error,
	NULL,
	NULL,
};
