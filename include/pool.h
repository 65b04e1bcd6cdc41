#ifndef POOL_H
#define POOL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Run the FastCGI pool: open (or inherit) the listening socket, fork the
 * workers, keep them alive, reload on SIGHUP, drain on SIGTERM/SIGINT.
 * Returns the process exit status.
 */
int	pool_run(const char *cfgpath);

/*
 * The master's table of worker slots, two generations' worth; exposed for
 * t/unit/pool.c.  A slot with pid 0 and respawn_at set is (re)started at
 * that time by the master for its generation.
 */
struct pool_slot {
	pid_t		pid;		/* 0: no process */
	unsigned int	gen;
	int64_t		started;
	int64_t		respawn_at;	/* 0: slot live or not wanted */
};

/*
 * A reload to generation "gen" wanting "want" workers: free slots up to
 * that number become gen's, to start now; free slots of other generations
 * are no longer wanted.  Returns how many slots gen holds (fewer than
 * "want" while old workers still fill the table).
 */
size_t	pool_slots_assign(struct pool_slot *, size_t nslots, unsigned int gen,
	    size_t want, int64_t now);

/*
 * Slot i's worker exited: respawn it for generation "gen" (after a pause
 * if it died young), or hand the slot of an old generation to "gen" while
 * gen holds fewer than "want".
 */
void	pool_slot_exited(struct pool_slot *, size_t nslots, size_t i,
	    unsigned int gen, size_t want, int64_t now);

#endif
