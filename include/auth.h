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

/*
 * herald push (issue L): the SHA-256 of the token auth_resolve went by
 * for "req" into hash[32]; 1, or 0 when the principal came from no token.
 */
int		auth_token_of(const struct request *, unsigned char hash[32]);
/*
 * Is the token with this hash still good (not revoked or expired)?  The
 * same lookup as auth_resolve's: AUTH_OK, AUTH_UNAUTHENTICATED or
 * AUTH_UNAVAILABLE.
 */
struct app;
enum auth_rc	auth_token_check(struct app *, const unsigned char hash[32]);

#endif
