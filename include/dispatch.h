#ifndef DISPATCH_H
#define DISPATCH_H

struct request;
struct reply;

/*
 * Run one request through auth, routing, body parsing and its handler.
 * Never fails: every outcome ends as a status and body in "rep".
 */
void	dispatch(struct request *, struct reply *);

/*
 * An error found before dispatch (in the transport: body too large, bad
 * query string), in the default dialect's format.  Returns the status.
 */
int	dispatch_error(struct reply *, int status, const char *code,
	    const char *reason);

#endif
