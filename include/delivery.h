#ifndef DELIVERY_H
#define DELIVERY_H

struct cfg;

/*
 * herald dispatch: lease due deliveries, render and send them, record
 * each outcome; until SIGTERM/SIGINT, which lets the send in flight
 * finish.  Returns the exit status.
 */
int	delivery_run(const struct cfg *);

#endif
