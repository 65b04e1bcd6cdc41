#ifndef OPS_H
#define OPS_H

/*
 * Operations: the "herald" dialect (/_herald: health, metrics, status,
 * API descriptions), and what every request passes through on its way
 * out (request id, counters, access log).
 */
#include <stddef.h>
#include <stdint.h>

struct cfg;
struct reply;
struct request;

/* A request starts (the worker is busy); returns the time, in us. */
int64_t	ops_request_begin(void);
/*
 * The reply is built: give it its X-Request-Id (the client's, if sane,
 * else a new one), count it and write the access line.
 */
void	ops_request_end(struct request *, struct reply *, int64_t t0);
/*
 * log_format, and log_file when "file" is set (herald serve; other
 * commands keep standard error, which is their user's).  A log file that
 * cannot be opened: logged, -1; the previous one stays.
 */
int	ops_log_setup(const struct cfg *, int file);
/*
 * metrics_access for /_herald/metrics (and herald push's own): 0, or the
 * refusal's status (403, or 401 with WWW-Authenticate) set in "rep".
 */
int	ops_allowed(struct request *, struct reply *);
/* Between requests: the worker is idle; reopen the log when asked to. */
void	ops_between_requests(void);

/*
 * The OpenAPI descriptions compiled in (generated openapi_docs.c, from
 * doc/openapi/<dialect>.json), served at /_herald/openapi/<name>.json;
 * the table ends with a NULL name.
 */
struct ops_openapi_doc {
	const char		*name;
	const unsigned char	*json;
	size_t			 len;
};
extern const struct ops_openapi_doc ops_openapi_docs[];

#endif
