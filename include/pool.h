#ifndef POOL_H
#define POOL_H

/*
 * Run the FastCGI pool: open (or inherit) the listening socket, fork the
 * workers, keep them alive, reload on SIGHUP, drain on SIGTERM/SIGINT.
 * Returns the process exit status.
 */
int	pool_run(const char *cfgpath);

#endif
