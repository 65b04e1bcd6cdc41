/*
 * The pool's counters in shared memory (include/metrics.h).  Cells are
 * uint64_t, changed with __atomic builtins (relaxed: each cell is a
 * counter on its own; a scrape needs no snapshot across cells).
 */
#include "config.h"

#include <sys/mman.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dialect.h"
#include "jbuf.h"
#include "metrics.h"
#include "prom.h"
#include "router.h"
#include "util.h"

/* The statuses Herald answers with, each a cell; the rest share one. */
static const int met_codes[] = { 200, 201, 202, 204, 301, 302, 304, 400,
	401, 403, 404, 405, 406, 409, 410, 411, 412, 413, 414, 415, 422, 429,
	500, 501, 502, 503, 504 };
#define MET_NCODES	(sizeof(met_codes) / sizeof(met_codes[0]))
#define MET_CODE_OTHER	MET_NCODES

/* Seconds; a worker answers most reads in a millisecond or two. */
static const double met_bounds[MET_BUCKETS] = { 0.0005, 0.001, 0.0025,
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

struct met_route {
	uint64_t	codes[MET_NCODES + 1];
	uint64_t	buckets[MET_BUCKETS + 1];
	uint64_t	usec;		/* sum of latencies */
};

struct met_slot {
	uint64_t	pid;
	uint64_t	gen;
	uint64_t	state;
	uint64_t	started_ms;
	uint64_t	requests;
};

struct met_shm {
	uint64_t	started_ms;
	uint64_t	respawned;
	uint64_t	db_errors;
	uint64_t	db_connects;
	uint64_t	db_reconnects;
	uint64_t	db_statements;
	uint64_t	db_usec;
	struct met_route route[MET_DIALECTS][MET_ROUTES];
	struct met_slot	 worker[MET_WORKERS];
};

/* The process's view of the one segment; NULL until mapped. */
static struct met_shm	*met;
static size_t		 met_self = MET_WORKERS;	/* a worker's slot */

#define MET_ADD(x, n)	__atomic_fetch_add(&(x), (uint64_t)(n), __ATOMIC_RELAXED)
#define MET_GET(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define MET_SET(x, v)	__atomic_store_n(&(x), (uint64_t)(v), __ATOMIC_RELAXED)

int
metrics_map(void)
{
	void	*p;

	if (met != NULL)
		return 0;
	p = mmap(NULL, sizeof(*met), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	met = p;	/* zero-filled by the kernel */
	met->started_ms = (uint64_t)util_now_ms();
	return 0;
}

int
metrics_mapped(void)
{
	return met != NULL;
}

void
metrics_worker_start(size_t slot, unsigned int gen)
{
	if (met == NULL || slot >= MET_WORKERS)
		return;
	met_self = slot;
	MET_SET(met->worker[slot].requests, 0);
	MET_SET(met->worker[slot].gen, gen);
	MET_SET(met->worker[slot].started_ms, util_now_ms());
	MET_SET(met->worker[slot].state, MET_W_STARTING);
	MET_SET(met->worker[slot].pid, getpid());
}

void
metrics_worker_state(enum met_wstate s)
{
	if (met != NULL && met_self < MET_WORKERS)
		MET_SET(met->worker[met_self].state, s);
}

void
metrics_worker_gone(size_t slot, pid_t pid, int respawn)
{
	uint64_t	want = (uint64_t)pid;

	if (met == NULL || slot >= MET_WORKERS)
		return;
	/* Only if no successor has written its pid there already. */
	__atomic_compare_exchange_n(&met->worker[slot].pid, &want, 0, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	if (respawn)
		MET_ADD(met->respawned, 1);
}

static size_t
met_code_slot(int status)
{
	size_t	i;

	for (i = 0; i < MET_NCODES; i++)
		if (met_codes[i] == status)
			return i;
	return MET_CODE_OTHER;
}

void
metrics_request(size_t d, size_t r, int status, int64_t usec)
{
	struct met_route	*mr;
	size_t			 b;

	if (met == NULL || d >= MET_DIALECTS)
		return;
	if (r >= MET_ROUTES)
		r = MET_ROUTE_NONE;
	if (usec < 0)
		usec = 0;
	mr = &met->route[d][r];
	MET_ADD(mr->codes[met_code_slot(status)], 1);
	for (b = 0; b < MET_BUCKETS; b++)
		if ((double)usec <= met_bounds[b] * 1e6)
			break;
	MET_ADD(mr->buckets[b], 1);
	MET_ADD(mr->usec, usec);
	if (met_self < MET_WORKERS)
		MET_ADD(met->worker[met_self].requests, 1);
}

void
metrics_db_error(void)
{
	if (met != NULL)
		MET_ADD(met->db_errors, 1);
}

void
metrics_db_connect(int reconnect)
{
	if (met == NULL)
		return;
	MET_ADD(met->db_connects, 1);
	if (reconnect)
		MET_ADD(met->db_reconnects, 1);
}

void
metrics_db_statement(int64_t usec)
{
	if (met == NULL)
		return;
	MET_ADD(met->db_statements, 1);
	MET_ADD(met->db_usec, usec > 0 ? usec : 0);
}

int64_t
metrics_started_ms(void)
{
	return met != NULL ? (int64_t)met->started_ms : 0;
}

int
metrics_worker_view(size_t i, struct met_worker_view *v)
{
	struct met_slot	*s;

	if (met == NULL || i >= MET_WORKERS)
		return -1;
	s = &met->worker[i];
	v->pid = (pid_t)MET_GET(s->pid);
	v->gen = (unsigned int)MET_GET(s->gen);
	v->state = (enum met_wstate)MET_GET(s->state);
	v->started_ms = (int64_t)MET_GET(s->started_ms);
	v->requests = MET_GET(s->requests);
	return 0;
}

uint64_t
metrics_requests_total(void)
{
	uint64_t	n = 0;
	size_t		d, r, c;

	if (met == NULL)
		return 0;
	for (d = 0; d < MET_DIALECTS; d++)
		for (r = 0; r < MET_ROUTES; r++)
			for (c = 0; c <= MET_NCODES; c++)
				n += MET_GET(met->route[d][r].codes[c]);
	return n;
}

/* The label of route r of dialect d. */
static const char *
met_route_name(const struct dialect *dl, size_t r)
{
	return r < dl->nroutes && r != MET_ROUTE_NONE ?
	    dl->routes[r].pattern : "(unmatched)";
}

static int
met_render_requests(struct jbuf *b)
{
	struct prom_label	 l[4];
	struct met_route	*mr;
	char			 code[16];
	uint64_t		 v;
	size_t			 d, r, c;

	prom_family(b, "herald_http_requests_total", "counter",
	    "Requests answered, by dialect, route pattern, method and status.");
	for (d = 0; d < MET_DIALECTS && dialects[d] != NULL; d++)
		for (r = 0; r < MET_ROUTES; r++) {
			mr = &met->route[d][r];
			l[0] = (struct prom_label){ "dialect", dialects[d]->name };
			l[1] = (struct prom_label){ "route",
			    met_route_name(dialects[d], r) };
			l[2] = (struct prom_label){ "method",
			    r < dialects[d]->nroutes && r != MET_ROUTE_NONE ?
			    route_method_name(dialects[d]->routes[r].method) :
			    "other" };
			for (c = 0; c <= MET_NCODES; c++) {
				if ((v = MET_GET(mr->codes[c])) == 0)
					continue;
				if (c < MET_NCODES)
					snprintf(code, sizeof(code), "%d",
					    met_codes[c]);
				else
					snprintf(code, sizeof(code), "other");
				l[3] = (struct prom_label){ "code", code };
				prom_u64(b, "herald_http_requests_total", l, 4, v);
			}
		}
	prom_family(b, "herald_http_request_duration_seconds", "histogram",
	    "Time from the request's arrival to its reply, by route.");
	for (d = 0; d < MET_DIALECTS && dialects[d] != NULL; d++)
		for (r = 0; r < MET_ROUTES; r++) {
			uint64_t	counts[MET_BUCKETS + 1], n = 0;

			mr = &met->route[d][r];
			for (c = 0; c <= MET_BUCKETS; c++)
				n += counts[c] = MET_GET(mr->buckets[c]);
			if (n == 0)
				continue;
			l[0] = (struct prom_label){ "dialect", dialects[d]->name };
			l[1] = (struct prom_label){ "route",
			    met_route_name(dialects[d], r) };
			prom_histogram(b, "herald_http_request_duration_seconds",
			    l, 2, met_bounds, counts, MET_BUCKETS,
			    (double)MET_GET(mr->usec) / 1e6);
		}
	return b->over ? -1 : 0;
}

static int
met_render_pool(struct jbuf *b)
{
	struct prom_label	l[1];
	struct met_worker_view	v;
	uint64_t		busy = 0, idle = 0, starting = 0;
	size_t			i;

	for (i = 0; metrics_worker_view(i, &v) == 0; i++) {
		if (v.pid == 0)
			continue;
		if (v.state == MET_W_BUSY)
			busy++;
		else if (v.state == MET_W_IDLE)
			idle++;
		else
			starting++;
	}
	prom_family(b, "herald_pool_workers", "gauge",
	    "Pool workers by state (the one answering a scrape is busy).");
	l[0] = (struct prom_label){ "state", "busy" };
	prom_u64(b, "herald_pool_workers", l, 1, busy);
	l[0] = (struct prom_label){ "state", "idle" };
	prom_u64(b, "herald_pool_workers", l, 1, idle);
	l[0] = (struct prom_label){ "state", "starting" };
	prom_u64(b, "herald_pool_workers", l, 1, starting);
	prom_family(b, "herald_pool_workers_respawned_total", "counter",
	    "Workers that exited and were replaced (died or recycled).");
	prom_u64(b, "herald_pool_workers_respawned_total", NULL, 0,
	    MET_GET(met->respawned));
	prom_family(b, "herald_pool_start_time_seconds", "gauge",
	    "When the master started, in seconds since the epoch.");
	prom_f64(b, "herald_pool_start_time_seconds", NULL, 0,
	    (double)met->started_ms / 1e3);

	prom_family(b, "herald_db_errors_total", "counter",
	    "Database calls that failed (any error the store mapped).");
	prom_u64(b, "herald_db_errors_total", NULL, 0, MET_GET(met->db_errors));
	prom_family(b, "herald_db_connects_total", "counter",
	    "Database connections the workers opened.");
	prom_u64(b, "herald_db_connects_total", NULL, 0,
	    MET_GET(met->db_connects));
	prom_family(b, "herald_db_reconnects_total", "counter",
	    "Connections opened again after one was lost.");
	prom_u64(b, "herald_db_reconnects_total", NULL, 0,
	    MET_GET(met->db_reconnects));
	prom_family(b, "herald_db_statements_total", "counter",
	    "Prepared statements executed.");
	prom_u64(b, "herald_db_statements_total", NULL, 0,
	    MET_GET(met->db_statements));
	prom_family(b, "herald_db_statement_seconds_total", "counter",
	    "Time spent executing prepared statements.");
	prom_f64(b, "herald_db_statement_seconds_total", NULL, 0,
	    (double)MET_GET(met->db_usec) / 1e6);
	return b->over ? -1 : 0;
}

int
metrics_render(struct jbuf *b)
{
	if (met == NULL)
		return 0;
	if (met_render_requests(b) != 0)
		return -1;
	return met_render_pool(b);
}
