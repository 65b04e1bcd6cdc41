#ifndef AUTH_H
#define AUTH_H

struct request;

enum auth_rc { AUTH_OK, AUTH_UNAUTHENTICATED };

/* Resolve req->principal from the request and the configured mode. */
enum auth_rc	auth_resolve(struct request *);

#endif
