/*
 * herald push: every stream of this host on one libwebsockets event loop
 * (field notes: a pool worker held by an idle connection stalls the
 * pool, so no stream ever reaches one).  A request is turned into a
 * struct request and run through the ordinary dispatch, so that routing,
 * the principal (tokens, REMOTE_USER, trusted-network), the tenant and
 * each dialect's errors are the pool's own; the stream route records
 * what the client watches in req->stream.  libwebsockets does all of
 * HTTP and WebSocket; this file only queues and writes payloads.
 */
#include "config.h"

#include <sys/stat.h>

#include <poll.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <mysql.h>

#include "auth.h"
#include "cfg.h"
#include "dialect.h"
#include "dispatch.h"
#include "log.h"
#include "ops.h"
#include "push.h"
#include "push_int.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define PUSH_HDR_MAX	REQ_HEADER_MAX
#define PUSH_DRAIN_MS	3000	/* SIGTERM: time for close frames to go */
#define PUSH_PRUNE_MS	60000

static volatile sig_atomic_t	push_stop, push_reload;

static void
push_on_term(int sig)
{
	(void)sig;
	push_stop = 1;
}

static void
push_on_hup(int sig)
{
	(void)sig;
	push_reload = 1;
}

static struct pushd *
push_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* A known header's value (malloc'd), or NULL. */
char *
push_hdr(struct lws *wsi, int token)
{
	enum lws_token_indexes	 h = (enum lws_token_indexes)token;
	char	*v;
	int	 n = lws_hdr_total_length(wsi, h);

	if (n <= 0 || n > PUSH_HDR_MAX || (v = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (lws_hdr_copy(wsi, v, n + 1, h) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* A header lws does not know, by its lower-case "name:", or NULL. */
char *
push_custom(struct lws *wsi, const char *name)
{
	char	*v;
	int	 nl = (int)strlen(name), n;

	n = lws_hdr_custom_length(wsi, name, nl);
	if (n < 0 || n > PUSH_HDR_MAX || (v = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (lws_hdr_custom_copy(wsi, v, n + 1, name, nl) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* X-Real-IP (the front end's client address): a header lws knows when
 * built with its uncommon headers, and then not a custom one. */
char *
push_real_ip(struct lws *wsi)
{
#if defined(LWS_WITH_HTTP_UNCOMMON_HEADERS) || defined(LWS_HTTP_HEADERS_ALL)
	return push_hdr(wsi, WSI_TOKEN_HTTP_X_REAL_IP);
#else
	return push_custom(wsi, "x-real-ip:");
#endif
}

/*
 * The query parameters: lws splits the arguments at '&' and decodes
 * them; each "name=value" becomes a parameter as req_parse_query makes
 * them (decoded, valid UTF-8).  0, or -1 when one is refused.
 */
static int
push_params(struct lws *wsi, struct request *req)
{
	char	 buf[PUSH_HDR_MAX], *eq;
	int	 i, n;

	for (i = 0; req->nparams < REQ_PARAMS_MAX; i++) {
		if ((n = lws_hdr_copy_fragment(wsi, buf, sizeof(buf),
		    WSI_TOKEN_HTTP_URI_ARGS, i)) < 0)
			break;
		if (!util_utf8_valid(buf, (size_t)n))
			return -1;
		if ((eq = strchr(buf, '=')) != NULL)
			*eq++ = '\0';
		req->params[req->nparams].name = strdup(buf);
		req->params[req->nparams].value = strdup(eq != NULL ? eq : "");
		if (req->params[req->nparams].name == NULL ||
		    req->params[req->nparams].value == NULL) {
			req->nparams++;
			return -1;
		}
		req->nparams++;
	}
	return lws_hdr_copy_fragment(wsi, buf, sizeof(buf),
	    WSI_TOKEN_HTTP_URI_ARGS, i) < 0 ? 0 : -1;
}

/* Write a whole response (an error before any stream).  0 or -1. */
int
push_respond(struct lws *wsi, int status, const char *ctype,
    const char *body, size_t len)
{
	unsigned char	 head[LWS_PRE + 1024], *p = head + LWS_PRE;
	unsigned char	*end = head + sizeof(head) - 1, *b;
	int		 rc;

	if (lws_add_http_common_headers(wsi, (unsigned int)status,
	    ctype != NULL ? ctype : "text/plain; charset=utf-8", len, &p, end) ||
	    lws_finalize_write_http_header(wsi, head + LWS_PRE, &p, end))
		return -1;
	if ((b = malloc(LWS_PRE + len + 1)) == NULL)
		return -1;
	memcpy(b + LWS_PRE, body, len);
	rc = lws_write(wsi, b + LWS_PRE, len, LWS_WRITE_HTTP_FINAL) < 0 ?
	    -1 : 0;
	free(b);
	return rc;
}

static void
conn_free(struct conn *c)
{
	struct frame	*f, *n;

	if (c == NULL)
		return;
	for (f = c->qhead; f != NULL; f = n) {
		n = f->next;
		free(f);
	}
	free(c->who.user);
	free(c->who.tenant);
	free(c);
}

/* The stream is gone: out of the feed, its memory freed. */
static void
conn_gone(struct pushd *pd, struct lws *wsi)
{
	struct conn	*c = lws_get_opaque_user_data(wsi);

	if (c == NULL)
		return;
	lws_set_opaque_user_data(wsi, NULL);
	feed_detach(pd, c);
	conn_free(c);
}

/* "what": 0 bytes, 1 a WebSocket ping, 2 an event (counted when sent). */
static void
push_frame_add(struct pushd *pd, struct conn *c, const char *a, size_t alen,
    const char *b, size_t blen, const char *z, size_t zlen, int what)
{
	struct frame	*f;
	size_t		 len = alen + blen + zlen;

	if (c->closing)
		return;
	if (c->qbytes + len > pd->cfg->push_queue_max) {
		/* A slow reader: dropped, never allowed to grow memory. */
		log_warn("push: a stream's send queue is full; closing it");
		pd->stats.dropped++;
		c->closing = 1;
		c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
		c->close_why = "send queue full";
		lws_callback_on_writable(c->wsi);
		return;
	}
	if ((f = malloc(sizeof(*f) + LWS_PRE + len)) == NULL) {
		c->closing = 1;
		c->close_code = 1011;
		c->close_why = "out of memory";
		lws_callback_on_writable(c->wsi);
		return;
	}
	f->next = NULL;
	f->len = len;
	f->ping = what == 1;
	f->event = what == 2;
	memcpy(f->buf + LWS_PRE, a, alen);
	memcpy(f->buf + LWS_PRE + alen, b, blen);
	memcpy(f->buf + LWS_PRE + alen + blen, z, zlen);
	if (c->qtail != NULL)
		c->qtail->next = f;
	else
		c->qhead = f;
	c->qtail = f;
	c->qbytes += len;
	if (c->open)
		lws_callback_on_writable(c->wsi);
}

void
push_queue_event(struct pushd *pd, struct conn *c, const char *event,
    const char *id, const char *data, size_t len)
{
	char	head[PUSH_ID_MAX + 64];
	int	n;

	if (c->st.kind == STREAM_WS) {
		push_frame_add(pd, c, "", 0, data, len, "", 0, 2);
		return;
	}
	/* One data line: the JSON has no raw line breaks. */
	n = snprintf(head, sizeof(head), "%s%s%sevent: %s\ndata: ",
	    id != NULL ? "id: " : "", id != NULL ? id : "",
	    id != NULL ? "\n" : "", event);
	if (n > 0 && (size_t)n < sizeof(head))
		push_frame_add(pd, c, head, (size_t)n, data, len, "\n\n", 2, 2);
}

/* The heartbeat: an SSE comment, or a WebSocket ping as Coder sends. */
static void
push_heartbeat(struct pushd *pd, struct conn *c)
{
	if (c->st.kind == STREAM_WS)
		push_frame_add(pd, c, "", 0, "", 0, "", 0, 1);
	else
		push_frame_add(pd, c, ": ping\n\n", 8, "", 0, "", 0, 0);
}

/*
 * Run the request on "wsi" through dispatch.  On acceptance returns the
 * stream, else NULL with the answer written (or -1 in *fail when even
 * that failed).
 */
static struct conn *
conn_open(struct pushd *pd, struct lws *wsi, unsigned int kind, int *fail)
{
	struct request	 req;
	struct reply	 rep;
	struct conn	*c;
	char		*lei = NULL, *cookie;
	int		 status = 500;

	*fail = 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return *fail = -1, NULL;
	c->wsi = wsi;
	c->st.kind = kind;
	c->st.seen = -1;
	req_init(&req);
	reply_init(&rep);
	req.app = &pd->app;
	req.stream = &c->st;
	req.method = REQ_GET;
	req.method_name = strdup("GET");
	req.path = push_hdr(wsi, WSI_TOKEN_GET_URI);
	req.authorization = push_hdr(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	req.coder_token = push_custom(wsi, "coder-session-token:");
	req.remote_addr = push_real_ip(wsi);
	/* Only a front end sets it: push listens where only it reaches. */
	if (pd->cfg->auth == AUTH_REMOTE_USER)
		req.remote_user = push_custom(wsi, "x-remote-user:");
	/* A browser's WebSocket carries Coder's session as its cookie. */
	if ((cookie = push_hdr(wsi, WSI_TOKEN_HTTP_COOKIE)) != NULL) {
		req.coder_cookie = req_cookie(cookie, "coder_session_token",
		    REQ_HEADER_MAX);
		explicit_bzero(cookie, strlen(cookie));
		free(cookie);
	}
	if (req.method_name == NULL || req.path == NULL) {
		status = 400;
		push_respond(wsi, 400, NULL, "bad request\n", 12);
		goto refused;
	}
	if (pd->nconns >= pd->cfg->push_watchers_max) {
		status = 503;
		push_respond(wsi, 503, NULL, "too many streams\n", 17);
		goto refused;
	}
	if (push_params(wsi, &req) != 0)
		reply_fail(&rep, 400, HERR_BAD_REQUEST,
		    "the query string is not valid");
	dispatch(&req, &rep);
	if (!c->st.accepted || rep.status >= 400 || rep.err.status != 0) {
		status = rep.status >= 400 ? rep.status : 500;
		if (rep.body == NULL)
			reply_text(&rep, status, "text/plain; charset=utf-8",
			    "stream refused\n");
		if (push_respond(wsi, status, rep.ctype, rep.body,
		    rep.bodysz) != 0)
			*fail = -1;
		goto refused;
	}
	if (feed_user_count(pd, c->st.user_id) >=
	    pd->cfg->push_user_watchers_max) {
		status = 429;
		push_respond(wsi, 429, NULL, "too many streams for this "
		    "user\n", 30);
		goto refused;
	}
	if ((lei = push_custom(wsi, "last-event-id:")) != NULL &&
	    lei[0] != '\0' && kind == STREAM_SSE &&
	    feed_resume_parse(c, lei) != 0) {
		status = 400;
		push_respond(wsi, 400, NULL, "bad Last-Event-ID\n", 18);
		goto refused;
	}
	for (c->dialect = 0; dialects[c->dialect] != NULL &&
	    dialects[c->dialect] != req.dialect; c->dialect++)
		;
	if (c->dialect < PUSH_MET_DIALECTS)
		pd->stats.opened[kind == STREAM_WS][c->dialect]++;
	c->who.role = req.principal.role;
	c->who.user = req.principal.user != NULL ?
	    strdup(req.principal.user) : NULL;
	c->who.tenant = req.principal.tenant != NULL ?
	    strdup(req.principal.tenant) : NULL;
	c->has_tok = auth_token_of(&req, c->tok);
	free(lei);
	reply_free(&rep);
	req_free(&req);
	log_info("push: %s stream for %s", kind == STREAM_WS ? "websocket" :
	    "sse", c->st.user);
	return c;
refused:
	pd->stats.refused++;
	log_info("push: stream refused (%d)", status);
	free(lei);
	reply_free(&rep);
	req_free(&req);
	conn_free(c);
	return NULL;
}

/* The SSE response head; the stream then stays open. */
static int
push_sse_head(struct lws *wsi)
{
	unsigned char	 head[LWS_PRE + 512], *p = head + LWS_PRE;
	unsigned char	*end = head + sizeof(head) - 1;

	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
	    "text/event-stream", LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)
	    "cache-control:", (const unsigned char *)"no-cache", 8, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)
	    "x-accel-buffering:", (const unsigned char *)"no", 2, &p, end) ||
	    lws_finalize_write_http_header(wsi, head + LWS_PRE, &p, end))
		return -1;
	/* No idle timeout from here on: the heartbeats keep it alive.
	 * (lws_http_mark_sse is for HTTP/2 substreams; nginx speaks 1.1.) */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	return 0;
}

/* Write one queued frame; close when asked.  0, or -1 to close. */
static int
conn_write(struct conn *c)
{
	struct frame		*f;
	enum lws_write_protocol	 wp;
	unsigned char		 cl[LWS_PRE + 128];

	if (c == NULL)
		return -1;
	if ((f = c->qhead) == NULL) {
		if (!c->closing)
			return 0;
		if (c->st.kind == STREAM_WS)
			lws_close_reason(c->wsi, (enum lws_close_status)
			    c->close_code, (unsigned char *)(uintptr_t)
			    c->close_why, strlen(c->close_why));
		(void)cl;
		return -1;
	}
	if (c->closing && c->close_code != LWS_CLOSE_STATUS_GOINGAWAY) {
		/* Dropped: what is queued is not sent. */
		c->qhead = NULL;
		c->qtail = NULL;
		while (f != NULL) {
			struct frame *n = f->next;
			free(f);
			f = n;
		}
		return conn_write(c);
	}
	if (c->st.kind == STREAM_WS)
		wp = f->ping ? LWS_WRITE_PING : LWS_WRITE_TEXT;
	else
		wp = LWS_WRITE_HTTP;
	if (lws_write(c->wsi, f->buf + LWS_PRE, f->len, wp) < (int)f->len)
		return -1;
	if (f->event) {
		struct pushd	*pd = push_of(c->wsi);

		pd->stats.frames[c->st.kind == STREAM_WS]++;
		pd->stats.bytes[c->st.kind == STREAM_WS] += f->len;
	}
	c->qhead = f->next;
	if (c->qhead == NULL)
		c->qtail = NULL;
	c->qbytes -= f->len;
	free(f);
	if (c->qhead != NULL || c->closing)
		lws_callback_on_writable(c->wsi);
	return 0;
}

static int
push_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct pushd	*pd = push_of(wsi);
	struct conn	*c;
	int		 fail;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (in != NULL && strcmp(in, PUSH_METRICS_PATH) == 0)
			return push_metrics_serve(pd, wsi) != 0 ? -1 :
			    lws_http_transaction_completed(wsi);
		if ((c = conn_open(pd, wsi, STREAM_SSE, &fail)) == NULL)
			return fail != 0 || lws_http_transaction_completed(wsi);
		lws_set_opaque_user_data(wsi, c);
		if (push_sse_head(wsi) != 0)
			return -1;
		/* Every header was copied: ~4 KiB a stream back (bench/push). */
		lws_http_headers_detach(wsi);
		c->open = 1;
		feed_attach(pd, c);
		/* The client learns at once that the stream is up. */
		push_frame_add(pd, c, "retry: 2000\n\n", 13, "", 0, "", 0, 0);
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		if (in == NULL || strcmp(in, "websocket") != 0)
			return -1;
		if ((c = conn_open(pd, wsi, STREAM_WS, &fail)) == NULL)
			return fail != 0 ? -1 : 1;
		lws_set_opaque_user_data(wsi, c);
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
		if ((c = lws_get_opaque_user_data(wsi)) == NULL)
			return -1;
		c->open = 1;
		feed_attach(pd, c);
		if (c->qhead != NULL)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return conn_write(lws_get_opaque_user_data(wsi));
	case LWS_CALLBACK_RECEIVE:
		/* Clients only listen; what they send is ignored. */
		return 0;
	case LWS_CALLBACK_CLOSED:
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_WSI_DESTROY:
		conn_gone(pd, wsi);
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols push_protocols[] = {
	{ "herald", push_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
push_lws_log(int level, const char *line)
{
	size_t	n = strlen(line);

	while (n > 0 && line[n - 1] == '\n')
		n--;
	log_msg(level == LLL_ERR ? LOG_ERROR : LOG_WARN, "lws: %.*s", (int)n,
	    line);
}

/* Close streams whose token was revoked or has expired. */
static void
push_recheck(struct pushd *pd)
{
	struct conn	*c;

	for (c = pd->all; c != NULL; c = c->all_next) {
		if (!c->has_tok || c->closing)
			continue;
		if (auth_token_check(&pd->app, c->tok) !=
		    AUTH_UNAUTHENTICATED)
			continue;
		log_info("push: closing a stream: its token is no longer valid");
		pd->stats.revoked++;
		c->closing = 1;
		c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
		c->close_why = "token revoked or expired";
		lws_callback_on_writable(c->wsi);
	}
}

/*
 * SSE clients that hung up.  lws 4.1 does not read an HTTP connection in
 * mid-transaction, so a closed SSE client's POLLIN|POLLHUP wakes the loop
 * at once, every time (a spin), and the stream stays until a heartbeat
 * write fails.  poll(2) over the SSE sockets finds them; lws closes each
 * on its next service.  Every tick scans a tenth of them ("slice": each
 * stream once in PUSH_HUP_SLICES ticks, so a tick stays short with 10^4
 * streams), and all of them when the loop was woken far more often than
 * its timer would (a spin).
 */
#define PUSH_HUP_SLICES	10
#define PUSH_HUP_WAKES	1000	/* a tick's wake-ups that mean a spin */

static void
push_hangups(struct pushd *pd, int slice)
{
	struct conn	*c;
	size_t		 n = 0, i, cap;
	void		*p;
	int		 fd;

	if ((size_t)pd->nconns > pd->hup_cap) {
		cap = (size_t)pd->nconns + 64;
		if ((p = realloc(pd->hup_fds, cap * sizeof(struct pollfd))) ==
		    NULL)
			return;
		pd->hup_fds = p;
		if ((p = realloc(pd->hup_conns, cap * sizeof(struct conn *))) ==
		    NULL)
			return;
		pd->hup_conns = p;
		pd->hup_cap = cap;
	}
	for (c = pd->all, i = 0; c != NULL && n < pd->hup_cap;
	    c = c->all_next, i++) {
		if ((slice >= 0 && i % PUSH_HUP_SLICES != (size_t)slice) ||
		    c->st.kind != STREAM_SSE || !c->open || c->gone ||
		    (fd = lws_get_socket_fd(c->wsi)) < 0)
			continue;
		pd->hup_fds[n].fd = fd;
		pd->hup_fds[n].events = POLLRDHUP;
		pd->hup_fds[n].revents = 0;
		pd->hup_conns[n++] = c;
	}
	if (n == 0 || poll(pd->hup_fds, n, 0) <= 0)
		return;
	for (i = 0; i < n; i++)
		if (pd->hup_fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			c = pd->hup_conns[i];
			c->gone = 1;
			pd->stats.hups++;
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK,
			    LWS_TO_KILL_ASYNC);
		}
}

static void
push_tick(struct pushd *pd)
{
	int64_t			*beat = &pd->beat, *check = &pd->check;
	int64_t			*prune = &pd->prune;
	struct conn		*c;
	unsigned long long	 gone = 0;
	int64_t			 now, t0 = push_clock_us();

	push_hangups(pd, pd->wakes > PUSH_HUP_WAKES ? -1 :
	    (int)(pd->hup_slice++ % PUSH_HUP_SLICES));
	pd->wakes = 0;
	pd->stats.hup_scans++;
	pd->stats.hup_sum += (double)(push_clock_us() - t0) / 1e6;
	t0 = push_clock_us();
	store_request_begin(pd->app.store);
	feed_poll(pd);
	sysfeed_poll(pd);
	push_metrics_poll(pd, push_clock_us() - t0);
	now = util_now_ms();
	if (now - *check >= (int64_t)pd->cfg->push_recheck_s * 1000) {
		*check = now;
		push_recheck(pd);
	}
	if (now - *beat >= (int64_t)pd->cfg->push_heartbeat_s * 1000) {
		*beat = now;
		for (c = pd->all; c != NULL; c = c->all_next)
			push_heartbeat(pd, c);
	}
	if (now - *prune >= PUSH_PRUNE_MS) {
		*prune = now;
		(void)store_change_prune(pd->app.store, now -
		    (int64_t)pd->cfg->push_retention_s * 1000, 10000, &gone);
	}
	store_request_end(pd->app.store);
}

/* The poll timer: lws's own sorted timer list, on the event loop. */
struct push_timer {
	lws_sorted_usec_list_t	 sul;
	struct pushd		*pd;
};

static void
push_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct push_timer	*t = lws_container_of(sul, struct push_timer,
				    sul);

	push_tick(t->pd);
	lws_sul_schedule(t->pd->lws, 0, &t->sul, push_timer_cb,
	    (lws_usec_t)t->pd->cfg->push_poll_ms * LWS_US_PER_MS);
}

/* SIGHUP: the limits and periods again; the listener stays. */
static void
push_reload_cfg(struct pushd *pd, const char *path)
{
	struct cfg	*next;
	char		 err[512];

	if ((next = malloc(sizeof(*next))) == NULL ||
	    cfg_load(path, next, err, sizeof(err)) != 0) {
		log_error("reload refused: %s", next != NULL ? err :
		    "out of memory");
		free(next);
		return;
	}
	if (strcmp(next->push_listen, pd->cfg->push_listen) != 0)
		log_warn("push_listen changed: it takes a restart");
	/* The store keeps its connection; only the numbers change. */
	pd->cfg->push_poll_ms = next->push_poll_ms;
	pd->cfg->push_gap_ms = next->push_gap_ms;
	pd->cfg->push_queue_max = next->push_queue_max;
	pd->cfg->push_watchers_max = next->push_watchers_max;
	pd->cfg->push_user_watchers_max = next->push_user_watchers_max;
	pd->cfg->push_heartbeat_s = next->push_heartbeat_s;
	pd->cfg->push_recheck_s = next->push_recheck_s;
	pd->cfg->push_retention_s = next->push_retention_s;
	log_set_level(next->log_level);
	cfg_clear(next);
	free(next);
	log_info("push reloaded");
}

/* The listener: a unix socket path, or "addr:port" on loopback. */
static int
push_listen_info(const struct cfg *cfg, struct lws_context_creation_info *i,
    char *iface, size_t ifsz)
{
	const char	*colon;
	long long	 port;

	if (cfg->push_listen[0] == '/') {
		snprintf(iface, ifsz, "%s", cfg->push_listen);
		(void)unlink(iface);
		i->options |= LWS_SERVER_OPTION_UNIX_SOCK;
		i->iface = iface;
		i->port = 0;
		return 0;
	}
	if ((colon = strrchr(cfg->push_listen, ':')) == NULL ||
	    util_strtoll(colon + 1, 1, 65535, &port) != 0 ||
	    (size_t)(colon - cfg->push_listen) >= ifsz)
		return -1;
	memcpy(iface, cfg->push_listen, (size_t)(colon - cfg->push_listen));
	iface[colon - cfg->push_listen] = '\0';
	i->iface = iface[0] != '\0' ? iface : NULL;
	i->port = (int)port;
	i->options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	return 0;
}

/* SIGTERM: close frames (1001) to every stream, then exit. */
static void
push_drain(struct pushd *pd)
{
	struct conn	*c;
	int64_t		 until = util_now_ms() + PUSH_DRAIN_MS;

	for (c = pd->all; c != NULL; c = c->all_next) {
		c->closing = 1;
		c->close_code = LWS_CLOSE_STATUS_GOINGAWAY;
		c->close_why = "server shutting down";
		lws_callback_on_writable(c->wsi);
	}
	while (pd->nconns > 0 && util_now_ms() < until)
		if (lws_service(pd->lws, 0) < 0)
			break;
}

static void
push_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = push_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = push_on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = log_reopen_on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int
push_run(const char *cfgpath)
{
	struct lws_context_creation_info	 info;
	struct pushd				 pd;
	struct cfg				*cfg;
	char					 iface[CFG_STR_MAX];
	struct push_timer			 timer;
	int					 status = 1;

	memset(&pd, 0, sizeof(pd));
	memset(&timer, 0, sizeof(timer));
	if ((cfg = cfg_read(cfgpath)) == NULL)
		return 1;
	/* log_file, when set, as the pool's: reopened on SIGUSR1. */
	if (ops_log_setup(cfg, 1) != 0) {
		cfg_clear(cfg);
		free(cfg);
		return 1;
	}
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    (pd.app.store = store_new(cfg)) == NULL) {
		log_error("push: cannot set up the store");
		goto out;
	}
	pd.cfg = cfg;
	pd.app.cfg = cfg;
	/* Without the database now, the feed starts once it answers. */
	if (feed_start(&pd) != 0)
		log_warn("push: the database is not answering yet");
	lws_set_log_level(LLL_ERR | LLL_WARN, push_lws_log);
	memset(&info, 0, sizeof(info));
	info.protocols = push_protocols;
	info.user = &pd;
	info.uid = -1;
	info.gid = -1;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (push_listen_info(cfg, &info, iface, sizeof(iface)) != 0) {
		log_error("push_listen: not a path or addr:port: %s",
		    cfg->push_listen);
		goto out;
	}
	if ((pd.lws = lws_create_context(&info)) == NULL) {
		log_error("push: cannot listen on %s", cfg->push_listen);
		goto out;
	}
	if (cfg->push_listen[0] == '/' &&
	    chmod(cfg->push_listen, cfg->socket_mode) != 0)
		log_warn("push: chmod %s: %s", cfg->push_listen,
		    strerror(errno));
	push_signals();
	log_info("push: listening on %s", cfg->push_listen);
	pd.beat = pd.check = pd.prune = util_now_ms();
	timer.pd = &pd;
	pd.sul = &timer;
	lws_sul_schedule(pd.lws, 0, &timer.sul, push_timer_cb,
	    (lws_usec_t)cfg->push_poll_ms * LWS_US_PER_MS);
	/* A signal interrupts the wait; the timer ends it every poll. */
	while (!push_stop) {
		log_reopen_if_asked();
		if (push_reload) {
			push_reload = 0;
			push_reload_cfg(&pd, cfgpath);
		}
		if (lws_service(pd.lws, 0) < 0)
			break;
		pd.wakes++;
	}
	lws_sul_cancel(&timer.sul);
	push_drain(&pd);
	status = 0;
out:
	if (pd.lws != NULL)
		lws_context_destroy(pd.lws);
	feed_free(&pd.feed);
	free(pd.hup_fds);
	free(pd.hup_conns);
	sysfeed_free(&pd.sysfeed);
	store_free(pd.app.store);
	mysql_library_end();
	cfg_clear(cfg);
	free(cfg);
	log_info("push: stopped");
	return status;
}
