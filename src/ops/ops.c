/*
 * Herald's own routes, outside every API it speaks: a dialect "herald"
 * owning /_herald.  Health for load balancers (live: the process answers;
 * ready: the database answers and every migration is applied), metrics
 * for Prometheus and the pool's status for "herald status".  Metrics and
 * status tell more than health does, so they are limited by
 * metrics_access: loopback clients only, or an admin token.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "dialect.h"
#include "herr.h"
#include "jbuf.h"
#include "log.h"
#include "metrics.h"
#include "ops.h"
#include "prom.h"
#include "reply.h"
#include "request.h"
#include "router.h"
#include "store.h"
#include "util.h"

#define OPS_REPLY_MAX	(4 * 1024 * 1024)
#define OPS_JSON	"application/json"
#define OPS_ID_MAX	64	/* bytes of a request id taken from a client */

static int
ops_json(struct reply *rep, int status, struct jbuf *b)
{
	char	*body;
	size_t	 len;

	if (b->over) {
		jbuf_free(b);
		return reply_fail(rep, 500, HERR_INTERNAL, "reply too large");
	}
	reply_header(rep, "Cache-Control", "no-store");
	body = jbuf_take(b, &len);
	return reply_take(rep, status, OPS_JSON, body, len);
}

static int
ops_live(struct request *req, struct reply *rep)
{
	(void)req;
	reply_header(rep, "Cache-Control", "no-store");
	return reply_text(rep, 200, OPS_JSON, "{\"status\":\"ok\"}");
}

static int
ops_ready(struct request *req, struct reply *rep)
{
	const struct cfg	*cfg = req->app->cfg;
	struct jbuf		 b;
	char			 first[256], reason[CFG_STR_MAX + 64];
	long long		 pending;
	enum store_rc		 rc;

	rc = store_schema_pending(req->app->store, cfg->schema_dir, &pending,
	    first, sizeof(first));
	if (rc != STORE_OK)
		snprintf(reason, sizeof(reason),
		    "the database cannot be reached");
	else if (pending < 0)
		snprintf(reason, sizeof(reason), "schema_dir %s cannot be read",
		    cfg->schema_dir);
	else if (pending > 0)
		snprintf(reason, sizeof(reason), "%lld migration%s not applied "
		    "(first: %s); run herald migrate", pending,
		    pending == 1 ? "" : "s", first);
	else
		reason[0] = '\0';
	jbuf_init(&b, 4096);
	jbuf_lit(&b, "{");
	jbuf_key(&b, "status");
	jbuf_str(&b, reason[0] == '\0' ? "ready" : "unavailable");
	if (reason[0] != '\0') {
		jbuf_lit(&b, ",");
		jbuf_key(&b, "reason");
		jbuf_str(&b, reason);
	}
	jbuf_lit(&b, "}");
	return ops_json(rep, reason[0] == '\0' ? 200 : 503, &b);
}

/* metrics_access: 0 when the request may see metrics and status. */
int
ops_allowed(struct request *req, struct reply *rep)
{
	const char	*a = req->remote_addr != NULL ? req->remote_addr : "";

	if (strcmp(req->app->cfg->metrics_access, "loopback") == 0) {
		if (strcmp(a, "127.0.0.1") == 0 || strcmp(a, "::1") == 0 ||
		    strcmp(a, "::ffff:127.0.0.1") == 0)
			return 0;
		return reply_fail(rep, 403, HERR_FORBIDDEN,
		    "metrics_access = loopback: only local clients");
	}
	/* An admin token, whatever else the auth mode would accept. */
	if (req->authorization == NULL || auth_resolve(req) != AUTH_OK) {
		reply_header(rep, "WWW-Authenticate", "Bearer realm=\"herald\"");
		return reply_fail(rep, 401, HERR_UNAUTHENTICATED,
		    "metrics_access = token: an admin token is required");
	}
	if (req->principal.role != ROLE_ADMIN)
		return reply_fail(rep, 403, HERR_FORBIDDEN,
		    "this needs an admin token");
	return 0;
}

/* The outbox by state and method, read at scrape time. */
static void
ops_metrics_queue(struct request *req, struct jbuf *b)
{
	struct store_queue	 q[STORE_QUEUE_ROWS];
	struct prom_label	 l[2];
	size_t			 i, n = 0;
	int			 up;

	up = store_queue_depth(req->app->store, q, &n) == STORE_OK;
	prom_family(b, "herald_db_up", "gauge",
	    "1 when the scrape's database query succeeded.");
	prom_u64(b, "herald_db_up", NULL, 0, (uint64_t)up);
	prom_family(b, "herald_delivery_queue", "gauge",
	    "Deliveries in the outbox by state and method (counted up to "
	    "100000 rows).");
	for (i = 0; i < n; i++) {
		l[0] = (struct prom_label){ "state", q[i].state };
		l[1] = (struct prom_label){ "method", q[i].method };
		prom_u64(b, "herald_delivery_queue", l, 2,
		    (uint64_t)q[i].count);
	}
	prom_family(b, "herald_delivery_attempts", "gauge",
	    "Send attempts made for the deliveries in the outbox, by state "
	    "and method (failures: state=\"failed\").");
	for (i = 0; i < n; i++) {
		l[0] = (struct prom_label){ "state", q[i].state };
		l[1] = (struct prom_label){ "method", q[i].method };
		prom_u64(b, "herald_delivery_attempts", l, 2,
		    (uint64_t)q[i].attempts);
	}
}

static int
ops_metrics(struct request *req, struct reply *rep)
{
	struct jbuf	 b;
	char		*body;
	size_t		 len;

	if (ops_allowed(req, rep) != 0)
		return rep->err.status;
	jbuf_init(&b, OPS_REPLY_MAX);
	metrics_render(&b);
	ops_metrics_queue(req, &b);
	if (b.over) {
		jbuf_free(&b);
		return reply_fail(rep, 500, HERR_INTERNAL, "reply too large");
	}
	reply_header(rep, "Cache-Control", "no-store");
	body = jbuf_take(&b, &len);
	return reply_take(rep, 200, "text/plain; version=0.0.4; charset=utf-8",
	    body, len);
}

static const char *
ops_state_name(enum met_wstate s)
{
	return s == MET_W_BUSY ? "busy" : s == MET_W_IDLE ? "idle" :
	    "starting";
}

static int
ops_status(struct request *req, struct reply *rep)
{
	struct store_queue	 q[STORE_QUEUE_ROWS];
	struct met_worker_view	 v;
	struct jbuf		 b;
	char			 when[40];
	int64_t			 now = util_now_ms(), started;
	size_t			 i, n = 0, k = 0;
	int			 up;

	if (ops_allowed(req, rep) != 0)
		return rep->err.status;
	started = metrics_started_ms();
	up = store_queue_depth(req->app->store, q, &n) == STORE_OK;
	jbuf_init(&b, OPS_REPLY_MAX);
	jbuf_lit(&b, "{");
	jbuf_key(&b, "pool");
	jbuf_lit(&b, metrics_mapped() ? "true" : "false");
	jbuf_lit(&b, ",");
	util_time_rfc3339(started, when, sizeof(when));
	jbuf_key(&b, "started");
	jbuf_str(&b, started > 0 ? when : NULL);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "uptime_seconds");
	jbuf_i64(&b, started > 0 ? (now - started) / 1000 : 0);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "requests");
	jbuf_i64(&b, (long long)metrics_requests_total());
	jbuf_lit(&b, ",");
	jbuf_key(&b, "workers");
	jbuf_lit(&b, "[");
	for (i = 0; metrics_worker_view(i, &v) == 0; i++) {
		if (v.pid == 0)
			continue;
		util_time_rfc3339(v.started_ms, when, sizeof(when));
		jbuf_lit(&b, k++ > 0 ? ",{" : "{");
		jbuf_key(&b, "slot");
		jbuf_i64(&b, (long long)i);
		jbuf_lit(&b, ",");
		jbuf_key(&b, "pid");
		jbuf_i64(&b, (long long)v.pid);
		jbuf_lit(&b, ",");
		jbuf_key(&b, "generation");
		jbuf_i64(&b, (long long)v.gen);
		jbuf_lit(&b, ",");
		jbuf_key(&b, "state");
		jbuf_str(&b, ops_state_name(v.state));
		jbuf_lit(&b, ",");
		jbuf_key(&b, "requests");
		jbuf_i64(&b, (long long)v.requests);
		jbuf_lit(&b, ",");
		jbuf_key(&b, "started");
		jbuf_str(&b, when);
		jbuf_lit(&b, "}");
	}
	jbuf_lit(&b, "],");
	jbuf_key(&b, "database");
	jbuf_lit(&b, up ? "true" : "false");
	jbuf_lit(&b, ",");
	jbuf_key(&b, "queue");
	jbuf_lit(&b, "[");
	for (i = 0; i < n; i++) {
		jbuf_lit(&b, i > 0 ? ",{" : "{");
		jbuf_key(&b, "state");
		jbuf_str(&b, q[i].state);
		jbuf_lit(&b, ",");
		jbuf_key(&b, "method");
		jbuf_str(&b, q[i].method);
		jbuf_lit(&b, ",");
		jbuf_key(&b, "count");
		jbuf_i64(&b, q[i].count);
		jbuf_lit(&b, "}");
	}
	jbuf_lit(&b, "]}");
	return ops_json(rep, 200, &b);
}

/*
 * GET /_herald/openapi/<dialect>.json: a dialect's OpenAPI 3.1
 * description (doc/openapi/), public like the API it describes.
 */
static int
ops_openapi(struct request *req, struct reply *rep)
{
	const struct ops_openapi_doc	*d;
	const char			*file = req_capture(req, "file");
	size_t				 len;
	char				*body;

	len = file != NULL ? strlen(file) : 0;
	for (d = ops_openapi_docs; file != NULL && d->name != NULL; d++)
		if (len == strlen(d->name) + 5 &&
		    strncmp(file, d->name, len - 5) == 0 &&
		    strcmp(file + len - 5, ".json") == 0)
			break;
	if (file == NULL || d->name == NULL)
		return reply_fail(rep, 404, HERR_NOT_FOUND,
		    "no such description");
	if ((body = malloc(d->len)) == NULL)
		return reply_fail(rep, 500, HERR_INTERNAL, "out of memory");
	memcpy(body, d->json, d->len);
	reply_header(rep, "Cache-Control", "public, max-age=300");
	return reply_take(rep, 200, "application/json", body, d->len);
}

/* {"error":{"status":N,"code":"...","message":"..."}} */
static int
ops_render_error(struct request *req, struct reply *rep,
    const struct herr *e)
{
	struct jbuf	b;

	(void)req;
	jbuf_init(&b, 4096);
	jbuf_lit(&b, "{");
	jbuf_key(&b, "error");
	jbuf_lit(&b, "{");
	jbuf_key(&b, "status");
	jbuf_i64(&b, e->status);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "code");
	jbuf_str(&b, e->dcode != NULL ? e->dcode : herr_code_name(e->code));
	jbuf_lit(&b, ",");
	jbuf_key(&b, "message");
	jbuf_str(&b, e->message);
	jbuf_lit(&b, "}}");
	return ops_json(rep, e->status, &b);
}

static const struct route ops_routes[] = {
	{ REQ_GET,	"/_herald/health/live",	ops_live,	ROUTE_PUBLIC },
	{ REQ_GET,	"/_herald/health/ready", ops_ready,	ROUTE_PUBLIC },
	/* Public to dispatch: ops_allowed() applies metrics_access. */
	{ REQ_GET,	"/_herald/metrics",	ops_metrics,	ROUTE_PUBLIC },
	{ REQ_GET,	"/_herald/status",	ops_status,	ROUTE_PUBLIC },
	{ REQ_GET,	"/_herald/openapi/{file}", ops_openapi,	ROUTE_PUBLIC },
};

static const char *const ops_prefixes[] = { "/_herald", NULL };

const struct dialect dialect_herald = {
	.name = "herald", .prefixes = ops_prefixes,
	.routes = ops_routes,
	.nroutes = sizeof(ops_routes) / sizeof(ops_routes[0]),
	.render_error = ops_render_error,
};

int
ops_log_setup(const struct cfg *cfg, int file)
{
	log_set_json(strcmp(cfg->log_format, "json") == 0);
	if (file && log_open(cfg->log_file) != 0) {
		log_error("log_file %s: %s", cfg->log_file, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- every request, on its way out ------------------------------------ */

static int64_t
ops_clock_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
ops_request_begin(void)
{
	metrics_worker_state(MET_W_BUSY);
	return ops_clock_us();
}

/* A client's id is kept when it is short and plain, so it can be logged. */
static int
ops_id_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= OPS_ID_MAX || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-_.:", s[i]) != NULL))
			return 0;
	return i > 0;
}

static const char *
ops_role_name(enum role r)
{
	return r == ROLE_ADMIN ? "admin" : r == ROLE_SERVICE ? "service" :
	    r == ROLE_USER ? "user" : "none";
}

void
ops_request_end(struct request *req, struct reply *rep, int64_t t0)
{
	struct log_access	 a;
	unsigned char		 raw[16];
	char			 id[UUID_STR_LEN];
	const char		*given = req_header(req, "X-Request-Id");
	size_t			 d = 0;
	int64_t			 us = ops_clock_us() - t0;

	if (given == NULL || !ops_id_ok(given)) {
		util_uuid_new(raw);
		util_uuid_format(raw, 0, id);
		given = id;
	}
	reply_header(rep, "X-Request-Id", given);

	while (dialects[d] != NULL && dialects[d] != req->dialect)
		d++;
	metrics_request(d, req->route != NULL ? (size_t)(req->route -
	    req->dialect->routes) : MET_ROUTE_NONE, rep->status, us);

	memset(&a, 0, sizeof(a));
	a.request_id = given;
	a.dialect = req->dialect != NULL ? req->dialect->name : "-";
	a.method = req->method_name != NULL ? req->method_name : "-";
	a.route = req->route != NULL ? req->route->pattern : "-";
	a.status = rep->status;
	a.usec = us;
	a.principal = req->principal.user;
	a.role = ops_role_name(req->principal.role);
	log_access(&a);
}

void
ops_between_requests(void)
{
	metrics_worker_state(MET_W_IDLE);
	log_reopen_if_asked();
}
