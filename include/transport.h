#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <signal.h>

struct app;

/*
 * Accept and answer FastCGI requests on "fd" until "stop" is set or
 * "max_requests" (0 = no bound) have been served.  Returns 0.
 */
int	transport_fcgi_run(struct app *, int fd, volatile sig_atomic_t *stop,
	    long long max_requests);

/* Answer one request from the CGI environment and stdin.  Returns 0. */
int	transport_cgi_run(struct app *);

#endif
