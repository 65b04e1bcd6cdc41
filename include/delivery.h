#ifndef DELIVERY_H
#define DELIVERY_H

/*
 * herald dispatch: load "cfgpath", lease due deliveries, render and send
 * them, record each outcome; until SIGTERM/SIGINT, which lets the send in
 * flight finish.  SIGHUP reads the configuration again.  Returns the exit
 * status.
 */
int	delivery_run(const char *cfgpath);

#endif
