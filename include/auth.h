#ifndef AUTH_H
#define AUTH_H

struct request;

enum auth_rc { AUTH_OK, AUTH_UNAUTHENTICATED, AUTH_UNAVAILABLE };

/* Resolve req->principal from the request and the configured mode. */
enum auth_rc	auth_resolve(struct request *);

/*
 * May the principal read or change the notifications of "user"?  A
 * user-role principal only its own; service and admin anyone's.
 * Returns 1 when allowed.
 */
int		auth_may_act_for(const struct request *, const char *user);

#endif
