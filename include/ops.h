#ifndef OPS_H
#define OPS_H

/*
 * Operations: the "herald" dialect (/_herald: health, metrics, status,
 * API descriptions), and what every request passes through on its way
 * out (request id, counters, access log).
 */
#include <stdint.h>

struct reply;
struct request;

/* A request starts (the worker is busy); returns the time, in us. */
int64_t	ops_request_begin(void);
/*
 * The reply is built: give it its X-Request-Id (the client's, if sane,
 * else a new one), count it and write the access line.
 */
void	ops_request_end(struct request *, struct reply *, int64_t t0);
/* Between requests: the worker is idle; reopen the log when asked to. */
void	ops_between_requests(void);

#endif
