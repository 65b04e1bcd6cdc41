#ifndef DISPATCH_H
#define DISPATCH_H

struct request;
struct reply;

/*
 * Run one request through auth, routing, body parsing and its handler.
 * Never fails: every outcome ends as a status and body in "rep".
 */
void	dispatch(struct request *, struct reply *);

#endif
