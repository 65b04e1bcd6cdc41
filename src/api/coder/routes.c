/*
 * The Coder dialect (seed 000, peers.md §2.3): its routes under /api/v2.
 * Its GET routes take the coder_session_token cookie too (C for short).
 */
#include "config.h"

#include "coder_int.h"
#include "dialect.h"
#include "router.h"

#define N	"/api/v2/notifications"
#define C	ROUTE_COOKIE

static const struct route coder_routes[] = {
	{ REQ_GET,	N "/inbox",		api_coder_inbox_list,	C },
	{ REQ_GET,	N "/inbox/watch",	api_coder_inbox_watch,	C },
	{ REQ_PUT,	N "/inbox/mark-all-as-read",
			    api_coder_inbox_read_all,			0 },
	{ REQ_PUT,	N "/inbox/{id}/read-status",
			    api_coder_inbox_read_status,		ROUTE_JSON },
	{ REQ_POST,	N "/custom",		api_coder_custom,	ROUTE_JSON },
	{ REQ_POST,	N "/test",		api_coder_test,		ROUTE_ADMIN },
	{ REQ_GET,	N "/dispatch-methods",	api_coder_dispatch_methods, C },
	{ REQ_GET,	N "/settings",		api_coder_settings_get,	C },
	{ REQ_PUT,	N "/settings",		api_coder_settings_put,	ROUTE_JSON },
	{ REQ_GET,	N "/templates/system",	api_coder_templates_system, C },
	{ REQ_GET,	N "/templates/custom",	api_coder_templates_custom, C },
	{ REQ_PUT,	N "/templates/{id}/method",
			    api_coder_template_method,	ROUTE_ADMIN | ROUTE_JSON },
	{ REQ_GET,	"/api/v2/users/{user}/notifications/preferences",
			    api_coder_prefs_get,			C },
	{ REQ_PUT,	"/api/v2/users/{user}/notifications/preferences",
			    api_coder_prefs_put,			ROUTE_JSON },
};

static const char *const coder_prefixes[] = { "/api/v2", NULL };

const struct dialect dialect_coder = {
	"coder",
	coder_prefixes,
	coder_routes,
	sizeof(coder_routes) / sizeof(coder_routes[0]),
	coder_render_error,
	NULL,
	NULL,
};
