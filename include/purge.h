#ifndef PURGE_H
#define PURGE_H

#include <signal.h>

struct cfg;
struct store;

/* What one purge deleted (or, in a dry run, would delete). */
struct purge_totals {
	long long	read, deleted, deliveries;
	long long	batches;	/* transactions (dry run: batches read) */
	long long	largest;	/* rows in the largest batch */
};

/*
 * Delete what retention makes due, of "tenant" (NULL: every tenant), in
 * batches of cfg->purge_batch rows, one short transaction each, pausing
 * purge_pause_ms between them; stops early when *stop becomes set.
 * "dry": only count.  Adds to *t; 0, or -1 on a database error (logged).
 */
int	purge_run(const struct cfg *, struct store *, const char *tenant,
	    int dry, volatile sig_atomic_t *stop, struct purge_totals *t);

/* "herald purge [--tenant T] [--dry-run]": the exit status. */
int	purge_cmd(const struct cfg *, int argc, char *argv[]);

#endif
