/*
 * herald push's metrics, in the Prometheus text format (src/core/prom.c),
 * served by push itself at /_herald/push/metrics on its own socket (nginx
 * proxies the path; conf/nginx/herald-push.conf).  push is one process a
 * host with its counters in its own memory, so nothing is shared with the
 * pool; metrics_access applies as for /_herald/metrics.  Open streams are
 * counted at scrape time from the list of streams, so a gauge can never
 * drift from what is open.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "app.h"
#include "cfg.h"
#include "dialect.h"
#include "jbuf.h"
#include "ops.h"
#include "prom.h"
#include "push_int.h"
#include "reply.h"
#include "request.h"

#define PUSH_METRICS_MAX	(256 * 1024)

/* Seconds: a poll is one statement when idle, more while it delivers. */
static const double poll_bounds[PUSH_POLL_BOUNDS] = { 0.0005, 0.001,
	0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0 };

int64_t
push_clock_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
push_metrics_poll(struct pushd *pd, int64_t usec)
{
	double	s = (double)usec / 1e6;
	size_t	i;

	for (i = 0; i < PUSH_POLL_BOUNDS && s > poll_bounds[i]; i++)
		;
	pd->stats.polls[i]++;
	pd->stats.poll_sum += s;
	if (s > pd->stats.poll_max)
		pd->stats.poll_max = s;
}

static const char *const kinds[2] = { "sse", "websocket" };

static void
render(const struct pushd *pd, struct jbuf *b)
{
	const struct push_stats	*st = &pd->stats;
	const struct conn	*c;
	struct prom_label	 l[2];
	uint64_t		 open[2][PUSH_MET_DIALECTS];
	size_t			 d, k;

	memset(open, 0, sizeof(open));
	for (c = pd->all; c != NULL; c = c->all_next)
		if (c->dialect < PUSH_MET_DIALECTS)
			open[c->st.kind == STREAM_WS][c->dialect]++;
	prom_family(b, "herald_push_streams", "gauge",
	    "Streams open on this push process, by kind and dialect.");
	for (k = 0; k < 2; k++)
		for (d = 0; d < PUSH_MET_DIALECTS && dialects[d] != NULL; d++) {
			l[0] = (struct prom_label){ "kind", kinds[k] };
			l[1] = (struct prom_label){ "dialect", dialects[d]->name };
			if (open[k][d] > 0 || st->opened[k][d] > 0)
				prom_u64(b, "herald_push_streams", l, 2,
				    open[k][d]);
		}
	prom_family(b, "herald_push_watchers", "gauge",
	    "Streams attached to the change feed (every open stream).");
	prom_u64(b, "herald_push_watchers", NULL, 0, (uint64_t)pd->nconns);
	prom_family(b, "herald_push_watchers_max", "gauge",
	    "push_watchers_max: streams this process accepts.");
	prom_u64(b, "herald_push_watchers_max", NULL, 0,
	    (uint64_t)pd->cfg->push_watchers_max);
	prom_family(b, "herald_push_streams_opened_total", "counter",
	    "Streams accepted since start, by kind and dialect.");
	for (k = 0; k < 2; k++)
		for (d = 0; d < PUSH_MET_DIALECTS && dialects[d] != NULL; d++) {
			l[0] = (struct prom_label){ "kind", kinds[k] };
			l[1] = (struct prom_label){ "dialect", dialects[d]->name };
			if (st->opened[k][d] > 0)
				prom_u64(b, "herald_push_streams_opened_total",
				    l, 2, st->opened[k][d]);
		}
	prom_family(b, "herald_push_streams_refused_total", "counter",
	    "Stream requests answered with an error instead of a stream.");
	prom_u64(b, "herald_push_streams_refused_total", NULL, 0, st->refused);
	prom_family(b, "herald_push_frames_total", "counter",
	    "Event frames written to streams (not heartbeats), by kind.");
	for (k = 0; k < 2; k++) {
		l[0] = (struct prom_label){ "kind", kinds[k] };
		prom_u64(b, "herald_push_frames_total", l, 1, st->frames[k]);
	}
	prom_family(b, "herald_push_frame_bytes_total", "counter",
	    "Bytes of the event frames written, by kind.");
	for (k = 0; k < 2; k++) {
		l[0] = (struct prom_label){ "kind", kinds[k] };
		prom_u64(b, "herald_push_frame_bytes_total", l, 1, st->bytes[k]);
	}
	prom_family(b, "herald_push_slow_dropped_total", "counter",
	    "Streams closed because their send queue reached push_queue_max.");
	prom_u64(b, "herald_push_slow_dropped_total", NULL, 0, st->dropped);
	prom_family(b, "herald_push_revoked_total", "counter",
	    "Streams closed because their token was revoked or expired.");
	prom_u64(b, "herald_push_revoked_total", NULL, 0, st->revoked);
	prom_family(b, "herald_push_changes_total", "counter",
	    "Change-log rows the feed has read.");
	prom_u64(b, "herald_push_changes_total", NULL, 0, st->changes);
	prom_family(b, "herald_push_hangup_scans_total", "counter",
	    "Scans of the SSE sockets for clients that hung up (a tenth of "
	    "them each poll, all after a burst of wake-ups).");
	prom_u64(b, "herald_push_hangup_scans_total", NULL, 0, st->hup_scans);
	prom_family(b, "herald_push_hangup_scan_seconds_total", "counter",
	    "Time spent in those scans (the event loop blocked).");
	prom_f64(b, "herald_push_hangup_scan_seconds_total", NULL, 0,
	    st->hup_sum);
	prom_family(b, "herald_push_hangups_total", "counter",
	    "SSE streams closed because their client hung up.");
	prom_u64(b, "herald_push_hangups_total", NULL, 0, st->hups);
	prom_family(b, "herald_push_poll_seconds", "histogram",
	    "Time of one poll of the change log, delivery included; the "
	    "event loop serves no stream meanwhile.");
	prom_histogram(b, "herald_push_poll_seconds", NULL, 0, poll_bounds,
	    st->polls, PUSH_POLL_BOUNDS, st->poll_sum);
	prom_family(b, "herald_push_poll_seconds_max", "gauge",
	    "The longest poll since start.");
	prom_f64(b, "herald_push_poll_seconds_max", NULL, 0, st->poll_max);
}

int
push_metrics_serve(struct pushd *pd, struct lws *wsi)
{
	struct request	 req;
	struct reply	 rep;
	struct jbuf	 b;
	char		 msg[HERR_MSG_MAX + 2];
	int		 rc, n;

	req_init(&req);
	reply_init(&rep);
	req.app = &pd->app;
	req.remote_addr = push_real_ip(wsi);
	req.authorization = push_hdr(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (ops_allowed(&req, &rep) != 0) {
		n = snprintf(msg, sizeof(msg), "%s\n", rep.err.message);
		rc = push_respond(wsi, rep.err.status, NULL, msg,
		    n > 0 ? (size_t)n : 0);
		reply_free(&rep);
		req_free(&req);
		return rc;
	}
	reply_free(&rep);
	req_free(&req);
	jbuf_init(&b, PUSH_METRICS_MAX);
	render(pd, &b);
	if (b.over) {
		jbuf_free(&b);
		return push_respond(wsi, 500, NULL, "too large\n", 10);
	}
	rc = push_respond(wsi, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.buf, b.len);
	jbuf_free(&b);
	return rc;
}
