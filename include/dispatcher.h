#ifndef DISPATCHER_H
#define DISPATCHER_H

struct cfg;

/*
 * herald dispatch: lease due deliveries, render and send them, record
 * each outcome; until SIGTERM/SIGINT, which lets the send in flight
 * finish.  Returns the exit status.
 */
int	dispatcher_run(const struct cfg *);

#endif
