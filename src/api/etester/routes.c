/* Enterprise Tester's user notifications (seed 002): its routes. */
#include "config.h"

#include "dialect.h"
#include "etester_int.h"
#include "router.h"

static const struct route et_routes[] = {
	{ REQ_GET,	"/api/user/{user}/notifications", api_et_list,	0 },
	{ REQ_POST,	"/api/user/{user}/notifications", api_et_create,
			    ROUTE_JSON },
	{ REQ_DELETE,	"/api/user/{user}/notifications", api_et_clear,	0 },
	{ REQ_GET,	"/api/user/{user}/notification/{id}", api_et_get, 0 },
	{ REQ_PATCH,	"/api/user/{user}/notification/{id}", api_et_patch,
			    ROUTE_JSON },
	{ REQ_DELETE,	"/api/user/{user}/notification/{id}", api_et_delete,
			    0 },
};

static const char *const et_prefixes[] = { "/api/user", NULL };

const struct dialect dialect_etester = {
	"etester",
	et_prefixes,
	et_routes,
	sizeof(et_routes) / sizeof(et_routes[0]),
	et_render_error,
	NULL,
	NULL,
};
