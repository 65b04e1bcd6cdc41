#ifndef REQUEST_H
#define REQUEST_H

#include <stddef.h>

struct app;
struct ctx;
struct dialect;
struct json_object;
struct stream;

enum req_method {
	REQ_GET, REQ_POST, REQ_PUT, REQ_DELETE, REQ_PATCH, REQ_HEAD,
	REQ_OPTIONS, REQ_OTHER, REQ__MAX
};

#define REQ_PARAMS_MAX		64	/* query parameters per request */
#define REQ_CAPTURES_MAX	4	/* {name} segments per route */
#define REQ_HEADERS_MAX		48	/* HTTP_* variables kept per request */
#define REQ_HEADER_MAX		8192	/* bytes of one header value */

struct req_param {
	char	*name;		/* percent-decoded, as sent */
	char	*value;		/* percent-decoded, NUL-free */
};

/* A request header, by its CGI name (HTTP_X_OKAPI_TENANT). */
struct req_header {
	char	*name;
	char	*value;
};

enum role { ROLE_NONE, ROLE_USER, ROLE_SERVICE, ROLE_ADMIN };

/*
 * Who is asking.  In trusted-network mode the dialect names the user and
 * the principal is a service acting for anyone.
 */
struct principal {
	enum role	 role;
	char		*user;		/* NULL unless bound to one user */
	char		*tenant;	/* NULL: the default tenant */
};

/*
 * One request, transport-independent.  Everything reachable from here
 * belongs to the request and is released by req_free().
 */
struct request {
	struct app		*app;
	enum req_method		 method;
	char			*method_name;
	char			*path;
	char			*query;		/* raw QUERY_STRING */
	struct req_param	 params[REQ_PARAMS_MAX];
	size_t			 nparams;
	char			*body;		/* NUL-terminated; may be "" */
	size_t			 bodysz;
	char			*content_type;
	char			*authorization;	/* secret: never logged */
	char			*coder_token;	/* Coder-Session-Token; secret */
	char			*okapi_token;	/* X-Okapi-Token; secret */
	/* Coder's coder_session_token cookie; secret, GET routes only. */
	char			*coder_cookie;
	char			*remote_user;
	char			*remote_addr;
	struct req_header	 headers[REQ_HEADERS_MAX];	/* no secrets */
	size_t			 nheaders;
	const char		*captures[REQ_CAPTURES_MAX];	/* into path copy */
	const char		*capnames[REQ_CAPTURES_MAX];	/* into pattern */
	size_t			 capnamelen[REQ_CAPTURES_MAX];
	char			*capture_buf;
	size_t			 ncaptures;
	const struct dialect	*dialect;	/* owner of the path */
	const struct route	*route;		/* matched, or NULL */
	struct ctx		*ctx;		/* the model's view; dispatch's */
	struct principal	 principal;
	struct json_object	*json;		/* parsed body, or NULL */
	/*
	 * herald push (issue L): where a stream route records what the
	 * client watches (include/stream.h); NULL in the pool.
	 */
	struct stream		*stream;
};

enum req_parse_rc {
	REQ_PARSE_OK,
	REQ_PARSE_BAD,		/* bad percent-encoding, NUL, bad UTF-8 */
	REQ_PARSE_TOO_MANY	/* more than REQ_PARAMS_MAX parameters */
};

enum req_method	req_method_parse(const char *);

/* Split and decode "query" into req->params. */
enum req_parse_rc req_parse_query(struct request *, const char *query);

/*
 * Look a query parameter up by name: exactly, or ignoring ASCII case
 * when "ci" is set.  Returns 1 and sets *value (borrowed), 0 when absent,
 * -1 when the name is given more than once.
 */
int	req_param(const struct request *, const char *name, int ci,
	    const char **value);

/*
 * A request header by its HTTP name ("X-Okapi-Tenant"), or NULL.  The
 * credential headers are not in the map: see the fields above.
 */
const char *req_header(const struct request *, const char *name);
/* Keep a header given by its CGI name; 0, or -1 (too many, too long). */
int	req_header_add(struct request *, const char *cginame, const char *value);
/* The path segment the route captured as {name}, or NULL. */
const char *req_capture(const struct request *, const char *name);

/*
 * The value of cookie "name" in a Cookie header ("a=1; b=2"), the first
 * when it is given twice, quotes removed; NULL when absent, empty or
 * longer than "max" bytes.  Caller frees.
 */
char	*req_cookie(const char *header, const char *name, size_t max);

/* Percent-decode in place ('+' is a space).  Returns length or -1. */
long	req_pct_decode(char *);

void	req_init(struct request *);
void	req_free(struct request *);

#endif
