/* The notification-agent dialect (seed 004): its routes, one a line. */
#include "config.h"

#include "agent_int.h"
#include "dialect.h"
#include "router.h"

static const struct route agent_routes[] = {
	/* user notifications */
	{ REQ_GET,	"/",			api_agent_welcome,	ROUTE_PUBLIC },
	{ REQ_POST,	"/notification",	api_agent_notification_create,
			    ROUTE_JSON },
	{ REQ_GET,	"/messages",		api_agent_messages,	0 },
	{ REQ_GET,	"/events",		api_agent_events,	0 },	/* L */
	{ REQ_GET,	"/unseen-messages",	api_agent_unseen,	0 },
	{ REQ_GET,	"/last-ten-messages",	api_agent_last_ten,	0 },
	{ REQ_GET,	"/count-messages",	api_agent_count,	0 },
	{ REQ_POST,	"/seen",		api_agent_seen,		ROUTE_JSON },
	{ REQ_POST,	"/mark-all-seen",	api_agent_mark_all_seen, ROUTE_JSON },
	{ REQ_POST,	"/delete",		api_agent_delete,	ROUTE_JSON },
	{ REQ_DELETE,	"/delete-all",		api_agent_delete_all,	0 },

	/* each user's view of system notifications */
	{ REQ_GET,	"/system/messages",	api_agent_sys_messages,	0 },
	{ REQ_GET,	"/system/new-messages",	api_agent_sys_new,	0 },
	{ REQ_GET,	"/system/unseen-messages", api_agent_sys_unseen, 0 },
	{ REQ_POST,	"/system/received",	api_agent_sys_received,	ROUTE_JSON },
	{ REQ_POST,	"/system/mark-all-received",
			    api_agent_sys_mark_all_received,		ROUTE_JSON },
	{ REQ_POST,	"/system/seen",		api_agent_sys_seen,	ROUTE_JSON },
	{ REQ_POST,	"/system/mark-all-seen", api_agent_sys_mark_all_seen,
			    ROUTE_JSON },
	{ REQ_POST,	"/system/delete",	api_agent_sys_delete,	ROUTE_JSON },
	{ REQ_DELETE,	"/system/delete-all",	api_agent_sys_delete_all, 0 },

	/* administration of system notifications */
	{ REQ_PUT,	"/admin/system",	api_agent_admin_create,
			    ROUTE_ADMIN | ROUTE_JSON },
	{ REQ_GET,	"/admin/system",	api_agent_admin_list,	ROUTE_ADMIN },
	{ REQ_GET,	"/admin/system/{uuid}",	api_agent_admin_get,	ROUTE_ADMIN },
	{ REQ_POST,	"/admin/system/{uuid}",	api_agent_admin_update,
			    ROUTE_ADMIN | ROUTE_JSON },
	{ REQ_DELETE,	"/admin/system/{uuid}",	api_agent_admin_delete,	ROUTE_ADMIN },
	{ REQ_GET,	"/admin/system-types",	api_agent_admin_types,	ROUTE_ADMIN },
};

static const char *const agent_prefixes[] = { "/", NULL };

/* Unknown paths are the agent's 400; every tenant is the token's. */
const struct dialect dialect_agent = {
	.name = "agent",
	.prefixes = agent_prefixes,
	.routes = agent_routes,
	.nroutes = sizeof(agent_routes) / sizeof(agent_routes[0]),
	.render_error = agent_render_error,
	.render_miss = agent_render_miss,
};
