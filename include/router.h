#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>

#include "request.h"

struct reply;

typedef int (*route_fn)(struct request *, struct reply *);

#define ROUTE_ADMIN	0x01	/* needs an admin principal */
#define ROUTE_PUBLIC	0x02	/* answered without a principal */

struct route {
	enum req_method	 method;
	const char	*pattern;	/* "/a/{x}/b": {x} matches one segment */
	route_fn	 fn;
	unsigned int	 flags;
};

enum route_rc { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

extern const struct route	routes[];
extern const size_t		routes_sz;

/*
 * Find the route for req->method and req->path in "tab".  On ROUTE_FOUND
 * fills req->captures (pointing into req->capture_buf) and *out.
 */
enum route_rc	route_lookup(const struct route *, size_t, struct request *,
		    const struct route **out);

#endif
