/* Herald's own dialect, /v1 (doc/v1.md): its routes. */
#include "config.h"

#include "dialect.h"
#include "native_int.h"
#include "router.h"

static const struct route native_routes[] = {
	{ REQ_POST,	"/v1/notifications",	api_native_create,	ROUTE_JSON },
	{ REQ_GET,	"/v1/notifications/{id}", api_native_get,	0 },
	{ REQ_PATCH,	"/v1/notifications/{id}", api_native_patch,	ROUTE_JSON },
	{ REQ_DELETE,	"/v1/notifications/{id}", api_native_delete,	0 },
	{ REQ_GET,	"/v1/users/{user}/notifications", api_native_list, 0 },
	{ REQ_GET,	"/v1/users/{user}/notifications/stream",
			    api_native_stream,				0 },	/* L */
	{ REQ_GET,	"/v1/users/{user}/notifications/count",
			    api_native_count,				0 },
	{ REQ_POST,	"/v1/users/{user}/notifications/read-all",
			    api_native_read_all,			0 },
	{ REQ_GET,	"/v1/users/{user}/system-notifications",
			    api_native_sys_list,			0 },
	/* One handler: the last segment says which state. */
	{ REQ_POST,	"/v1/users/{user}/system-notifications/{id}/seen",
			    api_native_sys_act,				0 },
	{ REQ_POST,	"/v1/users/{user}/system-notifications/{id}/dismiss",
			    api_native_sys_act,				0 },
};

static const char *const native_prefixes[] = { "/v1", NULL };

/* 404 and 405 are the registry's own, rendered in native JSON. */
const struct dialect dialect_native = {
	.name = "native", .prefixes = native_prefixes,
	.routes = native_routes,
	.nroutes = sizeof(native_routes) / sizeof(native_routes[0]),
	.render_error = native_render_error,
};
