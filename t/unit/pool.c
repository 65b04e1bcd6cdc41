/* t/unit/pool.c -- the master's worker slots across reloads. */
#include "config.h"

#include <string.h>

#include "pool.h"
#include "tap.h"

#define NSLOTS	512	/* 2 * POOL_MAX */

static pid_t	next_pid = 100;

/* What the master does with a slot due to start: a fork that works. */
static void
spawn_due(struct pool_slot *w, unsigned int gen)
{
	size_t	i;

	for (i = 0; i < NSLOTS; i++)
		if (w[i].gen == gen && w[i].pid == 0 && w[i].respawn_at != 0) {
			w[i].pid = next_pid++;
			w[i].respawn_at = 0;
		}
}

static size_t
count(const struct pool_slot *w, unsigned int gen, int live)
{
	size_t	i, n = 0;

	for (i = 0; i < NSLOTS; i++)
		if (w[i].gen == gen && (live ? w[i].pid > 0 :
		    w[i].pid == 0 && w[i].respawn_at != 0))
			n++;
	return n;
}

int
main(void)
{
	static struct pool_slot	w[NSLOTS];
	size_t			i, want = 171;
	int64_t			now = 1000000;

	memset(w, 0, sizeof(w));
	is_int((long long)pool_slots_assign(w, NSLOTS, 1, want, now), 171,
	    "generation 1 gets its 171 slots");
	spawn_due(w, 1);
	is_int((long long)count(w, 1, 1), 171, "171 workers of generation 1");

	/* SIGHUP: generation 2; generation 1 drains (still running). */
	is_int((long long)pool_slots_assign(w, NSLOTS, 2, want, now), 171,
	    "generation 2 fits beside the draining generation 1");
	spawn_due(w, 2);

	/* A second SIGHUP while both still run: only 170 free slots. */
	is_int((long long)pool_slots_assign(w, NSLOTS, 3, want, now), 170,
	    "generation 3 is one slot short while 342 workers drain");
	spawn_due(w, 3);

	/* Generation 2's workers finish: the first freed slot is gen 3's. */
	for (i = 0; i < NSLOTS; i++)
		if (w[i].gen == 2 && w[i].pid > 0)
			pool_slot_exited(w, NSLOTS, i, 3, want, now + 5000);
	is_int((long long)count(w, 3, 0), 1,
	    "a slot an old worker freed is due to start for generation 3");
	spawn_due(w, 3);
	is_int((long long)count(w, 3, 1), 171,
	    "generation 3 reaches its 171 workers");
	is_int((long long)count(w, 2, 1) + (long long)count(w, 2, 0), 0,
	    "nothing of generation 2 is left or restarted");

	/* Generation 1 finishing now adds nothing: gen 3 is whole. */
	for (i = 0; i < NSLOTS; i++)
		if (w[i].gen == 1 && w[i].pid > 0)
			pool_slot_exited(w, NSLOTS, i, 3, want, now + 6000);
	is_int((long long)count(w, 3, 0), 0, "no extra slot for generation 3");

	/* A current worker that dies is restarted; young, after a pause. */
	for (i = 0; i < NSLOTS && !(w[i].gen == 3 && w[i].pid > 0); i++)
		;
	if (i == NSLOTS)
		return 1;	/* cannot be: generation 3 has 171 */
	w[i].started = now + 6000;
	pool_slot_exited(w, NSLOTS, i, 3, want, now + 6100);
	ok(w[i].pid == 0 && w[i].respawn_at == now + 6100 + 500,
	    "a worker that died young restarts after 500 ms");
	pool_slot_exited(w, NSLOTS, i, 3, want, now + 9000);
	ok(w[i].respawn_at == now + 9000, "an older one at once");

	/* A reload drops old slots still waiting to restart. */
	is_int((long long)pool_slots_assign(w, NSLOTS, 4, 2, now + 9000), 2,
	    "generation 4 of 2 workers");
	is_int((long long)count(w, 3, 0), 0,
	    "generation 3's pending restart is dropped");
	return done_testing();
}
