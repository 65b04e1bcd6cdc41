#ifndef DIALECT_H
#define DIALECT_H

/*
 * A dialect: one of the APIs Herald speaks, owning the paths under its
 * prefixes.  Each is a const struct in src/api/<name>/routes.c, listed
 * once in src/http/dialects.c; nothing else knows which exist.
 */
#include <stddef.h>

#include "router.h"

struct herr;
struct reply;
struct request;

struct dialect {
	const char		*name;
	/*
	 * Path prefixes, NULL-terminated, matched at segment boundaries
	 * ("/v1" owns "/v1" and "/v1/x", not "/v1x"); "/" owns the rest.
	 */
	const char *const	*prefixes;
	const struct route	*routes;
	size_t			 nroutes;
	/* Write "e" as this dialect's error body.  Returns the status. */
	int			(*render_error)(struct request *,
				    struct reply *, const struct herr *);
	/*
	 * An unknown path or method, when the dialect has a rule of its
	 * own (NULL: 404 no_route / 405 with Allow, through render_error).
	 */
	int			(*render_miss)(struct request *,
				    struct reply *, enum route_rc);
	/*
	 * The tenant a request acts in, when the dialect names it itself
	 * (FOLIO's X-Okapi-Tenant): set *tenant (borrowed from the request)
	 * and return 0, or record the error and return -1.  Called after
	 * the principal is known.  NULL: the principal's tenant.  A token
	 * bound to another tenant is refused by dispatch (403).
	 */
	int			(*tenant)(struct request *, struct reply *,
				    const char **tenant);
};

/* Every dialect, NULL-terminated. */
extern const struct dialect *const dialects[];

/* The dialect whose prefix is the longest match for "path". */
const struct dialect *dialect_for_path(const char *path);

/* "herald routes": every dialect's table, a line a route. */
int	dialect_print_routes(void);

#endif
