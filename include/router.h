#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>

#include "request.h"

struct reply;

typedef int (*route_fn)(struct request *, struct reply *);

#define ROUTE_ADMIN	0x01	/* needs an admin principal */
#define ROUTE_PUBLIC	0x02	/* answered without a principal */
#define ROUTE_JSON	0x04	/* the body is JSON, parsed before the handler */
#define ROUTE_COOKIE	0x08	/* Coder's session cookie authenticates (GET) */

struct route {
	enum req_method	 method;
	const char	*pattern;	/* "/a/{x}/b": {x} matches one segment */
	route_fn	 fn;
	unsigned int	 flags;
};

enum route_rc { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/*
 * Find the route for req->method and req->path in "tab".  On ROUTE_FOUND
 * fills req->captures and req->capnames (pointing into req->capture_buf
 * and the pattern) and *out.
 */
enum route_rc	route_lookup(const struct route *, size_t, struct request *,
		    const struct route **out);

/* The methods "path" has in "tab", as an Allow header value. */
void		route_allow(const struct route *, size_t, const char *path,
		    char *buf, size_t bufsz);

/* "GET", "POST", ... */
const char	*route_method_name(enum req_method);

#endif
