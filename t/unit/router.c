/* t/unit/router.c -- route_lookup() against a table. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "reply.h"
#include "request.h"
#include "router.h"
#include "tap.h"

static int
h1(struct request *req, struct reply *rep)
{
	(void)req; (void)rep;
	return 1;
}

static int
h2(struct request *req, struct reply *rep)
{
	(void)req; (void)rep;
	return 2;
}

static const struct route tab[] = {
	{ REQ_GET,	"/",			h1, 0 },
	{ REQ_GET,	"/admin/system",	h1, ROUTE_ADMIN },
	{ REQ_PUT,	"/admin/system",	h2, ROUTE_ADMIN },
	{ REQ_GET,	"/admin/system/{id}",	h2, ROUTE_ADMIN },
	{ REQ_GET,	"/a/{x}/b/{y}",		h1, 0 },
};

static enum route_rc
look(struct request *r, enum req_method m, const char *path,
    const struct route **rt)
{
	req_free(r);
	req_init(r);
	r->method = m;
	r->path = strdup(path);
	return route_lookup(tab, sizeof(tab) / sizeof(tab[0]), r, rt);
}

int
main(void)
{
	struct request		 r;
	const struct route	*rt = NULL;

	req_init(&r);
	is_int(look(&r, REQ_GET, "/", &rt), ROUTE_FOUND, "root found");
	is_int(look(&r, REQ_PUT, "/admin/system", &rt), ROUTE_FOUND,
	    "same path, other method");
	ok(rt != NULL && rt->fn == h2, "... picks that method's handler");
	is_int(look(&r, REQ_DELETE, "/admin/system", &rt), ROUTE_BAD_METHOD,
	    "known path with an unrouted method");
	is_int(look(&r, REQ_GET, "/admin/system/abc", &rt), ROUTE_FOUND,
	    "capture segment");
	is_str(r.captures[0], "abc", "... captured");
	is_int(look(&r, REQ_GET, "/admin/system/", &rt), ROUTE_NOT_FOUND,
	    "empty capture does not match");
	is_int(look(&r, REQ_GET, "/admin/system/abc/def", &rt),
	    ROUTE_NOT_FOUND, "extra segment is not found");
	is_int(look(&r, REQ_GET, "/a/1/b/2", &rt), ROUTE_FOUND, "two captures");
	is_str(r.captures[0], "1", "first capture");
	is_str(r.captures[1], "2", "second capture");
	is_int((long long)r.ncaptures, 2, "capture count");
	is_int(look(&r, REQ_GET, "/nope", &rt), ROUTE_NOT_FOUND, "unknown path");
	is_int(look(&r, REQ_GET, "", &rt), ROUTE_NOT_FOUND, "empty path");
	is_int(look(&r, REQ_GET, "/admin/systemx", &rt), ROUTE_NOT_FOUND,
	    "prefix is not a match");
	req_free(&r);
	return done_testing();
}
