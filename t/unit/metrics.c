/*
 * t/unit/metrics.c: the text exposition format's rules (include/prom.h)
 * and the shared counters: cells added to by forked processes, as the
 * pool's workers do, are seen whole by the parent.
 */
#include "config.h"

#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dialect.h"
#include "jbuf.h"
#include "metrics.h"
#include "prom.h"
#include "tap.h"

static void
names(void)
{
	ok(prom_name_ok("herald_http_requests_total"), "a plain name");
	ok(prom_name_ok("a:b_c9"), "colons are allowed in metric names");
	ok(!prom_name_ok("9lives"), "no leading digit");
	ok(!prom_name_ok("a-b"), "no dash");
	ok(!prom_name_ok(""), "not empty");
	ok(!prom_label_name_ok("a:b"), "no colon in a label name");
	ok(!prom_label_name_ok("__name"), "__ is reserved");
	ok(prom_label_name_ok("route"), "a plain label name");
}

static void
lines(void)
{
	struct jbuf		b;
	struct prom_label	l[2] = { { "route", "/a/{id}" },
	    { "odd", "q\"b\\s\nn" } };

	jbuf_init(&b, 1 << 16);
	is_int(prom_family(&b, "x_total", "counter", "Help \\ with\nnewline"),
	    0, "family written");
	is_str(b.buf, "# HELP x_total Help \\\\ with\\nnewline\n"
	    "# TYPE x_total counter\n", "HELP escapes \\ and newline only");
	jbuf_free(&b);

	jbuf_init(&b, 1 << 16);
	prom_u64(&b, "x_total", l, 2, 42);
	is_str(b.buf, "x_total{route=\"/a/{id}\",odd=\"q\\\"b\\\\s\\nn\"} 42\n",
	    "label values escape \" \\ and newline");
	jbuf_free(&b);

	jbuf_init(&b, 1 << 16);
	prom_u64(&b, "up", NULL, 0, 1);
	prom_f64(&b, "t_seconds", NULL, 0, 0.25);
	is_str(b.buf, "up 1\nt_seconds 0.25\n", "no braces without labels");
	jbuf_free(&b);

	jbuf_init(&b, 1 << 16);
	is_int(prom_family(&b, "x", "summary", "no"), -1,
	    "only counter, gauge, histogram");
	is_int(prom_u64(&b, "bad-name", NULL, 0, 1), -1, "a bad name refused");
	jbuf_free(&b);
}

static void
histogram(void)
{
	static const double	bounds[3] = { 0.001, 0.01, 0.1 };
	static const double	bad[3] = { 0.01, 0.001, 0.1 };
	uint64_t		counts[4] = { 2, 0, 3, 1 };
	struct prom_label	l[1] = { { "route", "/r" } };
	struct jbuf		b;

	jbuf_init(&b, 1 << 16);
	is_int(prom_histogram(&b, "d_seconds", l, 1, bounds, counts, 3, 0.5),
	    0, "histogram written");
	is_str(b.buf,
	    "d_seconds_bucket{route=\"/r\",le=\"0.001\"} 2\n"
	    "d_seconds_bucket{route=\"/r\",le=\"0.01\"} 2\n"
	    "d_seconds_bucket{route=\"/r\",le=\"0.1\"} 5\n"
	    "d_seconds_bucket{route=\"/r\",le=\"+Inf\"} 6\n"
	    "d_seconds_sum{route=\"/r\"} 0.5\n"
	    "d_seconds_count{route=\"/r\"} 6\n",
	    "cumulative buckets, +Inf equal to _count, then _sum and _count");
	jbuf_free(&b);
	jbuf_init(&b, 1 << 16);
	is_int(prom_histogram(&b, "d", NULL, 0, bad, counts, 3, 0), -1,
	    "bounds must ascend");
	jbuf_free(&b);
}

/* Children add to the segment as workers do; the parent sees the sum. */
static void
shared(void)
{
	struct jbuf		b;
	struct met_worker_view	v;
	pid_t			kids[4];
	size_t			i, k;
	int			st, all = 1;

	is_int(metrics_mapped(), 0, "not mapped before metrics_map");
	metrics_request(0, 0, 200, 10);	/* a no-op, not a crash */
	is_int(metrics_map(), 0, "segment mapped");
	for (i = 0; i < 4; i++) {
		if ((kids[i] = fork()) == 0) {
			metrics_worker_start(i, 1);
			for (k = 0; k < 1000; k++)
				metrics_request(0, 0, k % 2 ? 200 : 404,
				    (int64_t)k);
			metrics_request(0, MET_ROUTES + 5, 418, 1);
			metrics_db_statement(7);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		waitpid(kids[i], &st, 0);
		all &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
		metrics_worker_gone(i, kids[i], 1);
	}
	ok(all, "four children counted and exited");
	is_int((long long)metrics_requests_total(), 4 * 1001,
	    "every request of every child is counted");
	ok(metrics_worker_view(0, &v) == 0 && v.pid == 0 && v.requests == 1001,
	    "a reaped slot keeps its count and has no pid");
	jbuf_init(&b, 1 << 20);
	is_int(metrics_render(&b), 0, "rendered");
	ok(strstr(b.buf, "herald_http_requests_total{dialect=\"") != NULL,
	    "requests by dialect");
	ok(strstr(b.buf, "code=\"200\"} 2000\n") != NULL &&
	    strstr(b.buf, "code=\"404\"} 2000\n") != NULL,
	    "by status code: 2000 each");
	ok(strstr(b.buf, "route=\"(unmatched)\",method=\"other\",code=\"other\"} 4\n")
	    != NULL, "a route past the table and an odd status have cells");
	ok(strstr(b.buf, "herald_pool_workers_respawned_total 4\n") != NULL,
	    "respawns counted");
	ok(strstr(b.buf, "herald_db_statements_total 4\n") != NULL,
	    "statements counted");
	ok(strstr(b.buf, "le=\"+Inf\"} 4000\n") != NULL,
	    "the histogram holds them all");
	jbuf_free(&b);
}

int
main(void)
{
	size_t	i;

	names();
	lines();
	histogram();
	for (i = 0; dialects[i] != NULL; i++)
		ok(dialects[i]->nroutes < MET_ROUTES,
		    "%s: its routes fit the table", dialects[i]->name);
	ok(i <= MET_DIALECTS, "the dialects fit the table");
	shared();
	return done_testing();
}
