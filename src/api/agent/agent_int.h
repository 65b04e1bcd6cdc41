#ifndef AGENT_INT_H
#define AGENT_INT_H

/*
 * What the notification-agent's files share (common.c: parameters and
 * errors; render.c: its JSON; notes.c, system.c, admin.c: handlers;
 * routes.c: the table).  Each helper that can fail records the error in
 * the reply and returns -1 (or the status).
 */
#include <stddef.h>

#include "router.h"
#include "store.h"

struct herr;
struct json_object;
struct reply;
struct request;
struct sysnote;

/* Handlers (notes.c, system.c, admin.c). */
int	api_agent_welcome(struct request *, struct reply *);
int	api_agent_notification_create(struct request *, struct reply *);
int	api_agent_messages(struct request *, struct reply *);
int	api_agent_events(struct request *, struct reply *);	/* L: events.c */
int	api_agent_unseen(struct request *, struct reply *);
int	api_agent_last_ten(struct request *, struct reply *);
int	api_agent_count(struct request *, struct reply *);
int	api_agent_seen(struct request *, struct reply *);
int	api_agent_mark_all_seen(struct request *, struct reply *);
int	api_agent_delete(struct request *, struct reply *);
int	api_agent_delete_all(struct request *, struct reply *);
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

/* The dialect's renderers (common.c). */
int	agent_render_error(struct request *, struct reply *,
	    const struct herr *);
int	agent_render_miss(struct request *, struct reply *, enum route_rc);

/* {"error_code", "reason", name: value ...}; pairs end with AGENT_END. */
#define AGENT_END	((const char *)NULL)
int	agent_err(struct reply *, int, const char *code, const char *reason,
	    ...);
int	agent_store_err(struct reply *, enum store_rc);
int	agent_bad_field(struct reply *, const char *name, const char *reason);
/* Render "doc" (consumed) as 200. */
int	agent_json(struct reply *, struct json_object *doc);
struct json_object *agent_count_str(long long);

int	agent_param(struct request *, struct reply *, const char *const *,
	    const char **);
int	agent_param1(struct request *, struct reply *, const char *,
	    const char **);
int	agent_body(struct request *, struct reply *, struct json_object **);
int	agent_acting_for(struct request *, struct reply *, const char *,
	    const char **);
int	agent_user(struct request *, struct reply *, struct json_object *,
	    const char **);
int	agent_long(struct request *, struct reply *, const char *,
	    long long *);
int	agent_ids(struct reply *, struct json_object *,
	    unsigned char (**)[16], size_t *);
int	agent_too_long(const char *, size_t);

/* The JSON of a notification and of a system notification (render.c). */
struct jbuf;
int	agent_note_write(struct jbuf *, const struct note *, int depth);
struct json_object *agent_sys_json(const struct sysnote *, int user_view);

/* An array being filled with system notifications. */
struct agent_sys_list {
	struct json_object	*arr;
	int			 user_view;
	int			 failed;
};
int	agent_sys_list_row(const struct sysnote *, void *);

/* System notifications for the user listings (system.c). */
int	agent_system_messages(struct request *, struct reply *,
	    const char *user, int unseen_only, struct json_object **out);
/* The same array written into "b" as it is read; 0 or -1 (reply set). */
int	agent_system_messages_write(struct request *, struct reply *,
	    const char *user, int unseen_only, struct jbuf *b);
int	agent_system_counts(struct request *, struct reply *,
	    const char *user, long long *total, long long *fresh,
	    long long *unseen);

#endif
