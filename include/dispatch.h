#ifndef DISPATCH_H
#define DISPATCH_H

struct request;
struct reply;

/*
 * Run one request through the pipeline: dialect by path prefix, route,
 * principal, role marks, JSON body, handler, error rendering.  Never
 * fails: every outcome ends as a status and body in "rep".  An error
 * the transport already recorded in rep->err is rendered at once.
 */
void	dispatch(struct request *, struct reply *);

#endif
