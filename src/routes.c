/* The whole API surface, one line a route. */
#include "config.h"

#include "api.h"
#include "router.h"

const struct route routes[] = {
	/* notification-agent (seed 004): user notifications */
	{ REQ_GET,	"/",			api_agent_welcome,	0 },
	{ REQ_POST,	"/notification",	api_agent_notification_create, 0 },
	{ REQ_GET,	"/messages",		api_agent_messages,	0 },
	{ REQ_GET,	"/unseen-messages",	api_agent_unseen,	0 },
	{ REQ_GET,	"/last-ten-messages",	api_agent_last_ten,	0 },
	{ REQ_GET,	"/count-messages",	api_agent_count,	0 },
	{ REQ_POST,	"/seen",		api_agent_seen,		0 },
	{ REQ_POST,	"/mark-all-seen",	api_agent_mark_all_seen, 0 },
	{ REQ_POST,	"/delete",		api_agent_delete,	0 },
	{ REQ_DELETE,	"/delete-all",		api_agent_delete_all,	0 },
};
const size_t routes_sz = sizeof(routes) / sizeof(routes[0]);
