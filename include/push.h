#ifndef PUSH_H
#define PUSH_H

/*
 * herald push (issue L): one event-loop process holding every stream
 * (SSE and WebSocket) of this host, fed by polling the change log.
 * Loads "cfgpath"; SIGHUP reloads the limits; SIGTERM closes every
 * stream (WebSocket close 1001) and exits.  Returns the exit status.
 */
int	push_run(const char *cfgpath);

#endif
