#ifndef AGENT_INT_H
#define AGENT_INT_H

/*
 * Helpers shared by the notification-agent's files (agent.c: user
 * notifications; agent_system.c: system notifications).  Each helper
 * that can fail sets the reply and returns -1 (or the status).
 */
#include <stddef.h>

#include "store.h"

struct json_object;
struct reply;
struct request;

/* The principal's tenant; the default one without a token. */
const char *agent_tenant(const struct request *);

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
int	agent_user(struct request *, struct reply *, struct json_object *,
	    const char **);
int	agent_long(struct request *, struct reply *, const char *,
	    long long *);
int	agent_ids(struct reply *, struct json_object *,
	    unsigned char (**)[16], size_t *);
int	agent_too_long(const char *, size_t);

/* System notifications for the user listings (agent_system.c). */
enum store_rc	agent_system_messages(struct request *, const char *user,
		    int unseen_only, struct json_object **out);
enum store_rc	agent_system_counts(struct request *, const char *user,
		    long long *total, long long *fresh, long long *unseen);

#endif
