#ifndef API_H
#define API_H

struct request;
struct reply;

/*
 * Handlers: each returns the HTTP status it set in the reply.
 * The notification-agent dialect (seed 004), src/api/agent.c.
 */
int	api_agent_welcome(struct request *, struct reply *);
int	api_agent_notification_create(struct request *, struct reply *);
int	api_agent_messages(struct request *, struct reply *);
int	api_agent_unseen(struct request *, struct reply *);
int	api_agent_last_ten(struct request *, struct reply *);
int	api_agent_count(struct request *, struct reply *);
int	api_agent_seen(struct request *, struct reply *);
int	api_agent_mark_all_seen(struct request *, struct reply *);
int	api_agent_delete(struct request *, struct reply *);
int	api_agent_delete_all(struct request *, struct reply *);

/* System notifications, src/api/agent_system.c. */
int	api_agent_sys_messages(struct request *, struct reply *);
int	api_agent_sys_new(struct request *, struct reply *);
int	api_agent_sys_unseen(struct request *, struct reply *);
int	api_agent_sys_received(struct request *, struct reply *);
int	api_agent_sys_mark_all_received(struct request *, struct reply *);
int	api_agent_sys_seen(struct request *, struct reply *);
int	api_agent_sys_mark_all_seen(struct request *, struct reply *);
int	api_agent_sys_delete(struct request *, struct reply *);
int	api_agent_sys_delete_all(struct request *, struct reply *);
int	api_agent_admin_create(struct request *, struct reply *);
int	api_agent_admin_list(struct request *, struct reply *);
int	api_agent_admin_get(struct request *, struct reply *);
int	api_agent_admin_update(struct request *, struct reply *);
int	api_agent_admin_delete(struct request *, struct reply *);
int	api_agent_admin_types(struct request *, struct reply *);

/* Answers for what no handler took, in the agent's words. */
int	api_agent_unrecognized(struct reply *);
int	api_agent_error(struct reply *, int status, const char *code,
	    const char *reason);

#endif
