#ifndef METRICS_H
#define METRICS_H

/*
 * Counters of the whole pool in one shared memory segment, mapped by the
 * master before it forks (MAP_SHARED | MAP_ANONYMOUS): every worker adds
 * to the same cells with atomic operations, so a scrape answered by any
 * worker sees them all, and a worker that exits or is recycled loses
 * nothing.  The tables are fixed-size and keyed by (dialect index in
 * dialects[], route index in its table, status code slot): nothing is
 * allocated per request.
 *
 * Every function is a no-op until metrics_map() has run (the responder
 * and CGI modes, and the other commands, count nothing).
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct jbuf;

#define MET_DIALECTS	8	/* entries of dialects[] counted */
#define MET_ROUTES	64	/* routes of one dialect; the last: none */
#define MET_ROUTE_NONE	(MET_ROUTES - 1)
#define MET_WORKERS	512	/* the master's slots, two generations */
#define MET_BUCKETS	14	/* latency bounds; one more slot above */

enum met_wstate { MET_W_STARTING, MET_W_IDLE, MET_W_BUSY };

/* One worker slot, as "herald status" shows it. */
struct met_worker_view {
	pid_t		 pid;		/* 0: no process in the slot */
	unsigned int	 gen;
	enum met_wstate	 state;
	int64_t		 started_ms;
	uint64_t	 requests;
};

/* Master, before the first fork.  0, or -1 (then nothing is counted). */
int	metrics_map(void);
/* 1 once mapped. */
int	metrics_mapped(void);

/* A worker, first thing after fork: the slot it runs in. */
void	metrics_worker_start(size_t slot, unsigned int gen);
void	metrics_worker_state(enum met_wstate);
/* Master: the worker of "slot" (pid) was reaped; "respawn" unless stopping. */
void	metrics_worker_gone(size_t slot, pid_t pid, int respawn);

/* One answered request; "route" is MET_ROUTE_NONE when none matched. */
void	metrics_request(size_t dialect, size_t route, int status,
	    int64_t usec);
void	metrics_db_error(void);
void	metrics_db_connect(int reconnect);
void	metrics_db_statement(int64_t usec);

/* The master's start time (ms), 0 when not mapped. */
int64_t	metrics_started_ms(void);
/* Copy worker slot "i" out; 0, or -1 past the end or not mapped. */
int	metrics_worker_view(size_t i, struct met_worker_view *);
/* Requests answered by every worker since the master started. */
uint64_t metrics_requests_total(void);

/* Every counter of the segment in the text format, appended to "b". */
int	metrics_render(struct jbuf *);

#endif
