/* FOLIO mod-notify (seed 003, peers.md §1.2): its routes and its tenant. */
#include "config.h"

#include <string.h>

#include "dialect.h"
#include "folio_int.h"
#include "reply.h"
#include "request.h"
#include "router.h"

/* Literal segments before {id}: the table is searched in order. */
static const struct route folio_routes[] = {
	{ REQ_GET,	"/admin/health",	api_folio_health, ROUTE_PUBLIC },
	{ REQ_GET,	"/notify",		api_folio_list,		0 },
	{ REQ_POST,	"/notify",		api_folio_create,	0 },
	{ REQ_GET,	"/notify/user/_self",	api_folio_self_list,	0 },
	{ REQ_DELETE,	"/notify/user/_self",	api_folio_self_delete,	0 },
	{ REQ_POST,	"/notify/user/_self",	api_folio_self_post,	0 },
	/* The paths of mod-notify before v2.0, which NotifyTest uses. */
	{ REQ_GET,	"/notify/_self",	api_folio_self_list,	0 },
	{ REQ_DELETE,	"/notify/_self",	api_folio_self_delete,	0 },
	{ REQ_POST,	"/notify/_username/{username}",
			    api_folio_create_username,			0 },
	{ REQ_GET,	"/notify/{id}",		api_folio_get,		0 },
	{ REQ_PUT,	"/notify/{id}",		api_folio_put,		0 },
	{ REQ_DELETE,	"/notify/{id}",		api_folio_delete,	0 },
	{ REQ_POST,	"/patron-notice",	api_folio_patron_notice, 0 },
	{ REQ_POST,	"/_/tenant",		api_folio_tenant_post,
			    ROUTE_JSON },
	{ REQ_GET,	"/_/tenant/{operationId}", api_folio_tenant_get, 0 },
	{ REQ_DELETE,	"/_/tenant/{operationId}", api_folio_tenant_delete,
			    0 },
};

static const char *const folio_prefixes[] = { "/notify", "/patron-notice",
	"/admin/health", "/_/tenant", NULL };

/*
 * X-Okapi-Tenant names the tenant: [a-z][a-z0-9_]{0,62}, its own
 * namespace from its first request.  Health needs none.
 */
int
folio_tenant(struct request *req, struct reply *rep, const char **tenant)
{
	const char	*t = req_header(req, "X-Okapi-Tenant");
	size_t		 i;

	if (strcmp(req->path, "/admin/health") == 0) {
		*tenant = STORE_TENANT_DEFAULT;
		return 0;
	}
	if (t == NULL || *t == '\0')
		return folio_text_err(rep, 400, "Unable to process request "
		    "Tenant must be set"), -1;
	for (i = 0; t[i] != '\0'; i++)
		if (i > 62 || !((t[i] >= 'a' && t[i] <= 'z') ||
		    (i > 0 && ((t[i] >= '0' && t[i] <= '9') || t[i] == '_'))))
			return folio_text_err(rep, 400, "Unable to process "
			    "request Tenant is not a valid tenant id"), -1;
	*tenant = t;
	return 0;
}

const struct dialect dialect_folio = {
	"folio",
	folio_prefixes,
	folio_routes,
	sizeof(folio_routes) / sizeof(folio_routes[0]),
	folio_render_error,
	NULL,
	folio_tenant,
};
