/*
 * libFuzzer: the request-to-struct transport (tp_request / tp_body /
 * tp_serve in src/http/transport.c), with the CGI environment and body from the
 * input: lines "NAME=VALUE" up to a line "--", then the body.  fcgi.c is
 * included so its static functions can be reached; dispatch() and the
 * error reply are stubs (no database).
 */
#include "../../src/http/transport.c"

#include <stdint.h>

#include "cfg.h"

#define ENV_MAX	32

struct fz_env {
	char	*name[ENV_MAX];
	char	*value[ENV_MAX];
	size_t	 n;
	const char *body;
	size_t	 bodysz, off;
};

/* Stubs for what fcgi.c calls beyond the transport. */
void
dispatch(struct request *req, struct reply *rep)
{
	size_t	i;

	/* An error the transport found is rendered by the dialect. */
	if (rep->err.status != 0) {
		reply_text(rep, rep->err.status, "application/json", "{}");
		return;
	}
	/* Touch everything the transport filled in. */
	for (i = 0; i < req->nheaders; i++)
		if (strncmp(req->headers[i].name, "HTTP_", 5) != 0 ||
		    strlen(req->headers[i].value) > REQ_HEADER_MAX)
			abort();
	(void)req_header(req, "X-Okapi-Tenant");
	for (i = 0; i < req->nparams; i++)
		if (req->params[i].name == NULL || req->params[i].value == NULL)
			abort();
	if (req->body == NULL || strlen(req->body) > req->bodysz)
		abort();
	/* Coder's session cookie: one bounded, non-empty value. */
	if (req->coder_cookie != NULL && (req->coder_cookie[0] == '\0' ||
	    strlen(req->coder_cookie) > REQ_HEADER_MAX ||
	    strchr(req->coder_cookie, ';') != NULL))
		abort();
	reply_text(rep, 200, "text/plain", "ok");
}


/* The operations hooks: no metrics or access log here. */
int64_t
ops_request_begin(void)
{
	return 0;
}

void
ops_request_end(struct request *req, struct reply *rep, int64_t t0)
{
	(void)req;
	(void)rep;
	(void)t0;
}

void
ops_between_requests(void)
{
}

static const char *
fz_getenv(const char *name, void *arg)
{
	struct fz_env	*e = arg;
	size_t		 i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return e->value[i];
	return NULL;
}

static int
fz_read(char *buf, int n, void *arg)
{
	struct fz_env	*e = arg;
	size_t		 k = e->bodysz - e->off;

	if (k == 0)
		return 0;
	if (k > (size_t)n)
		k = (size_t)n;
	memcpy(buf, e->body + e->off, k);
	e->off += k;
	return (int)k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg	 cfg;
	static int		 init;
	struct app		 app;
	struct fz_env		 e;
	struct request		 req;
	struct reply		 rep;
	const char		*p = (const char *)data, *end = p + size, *nl;
	char			 head[1024], *envp[ENV_MAX + 1];
	size_t			 i;

	if (!init) {
		cfg_defaults(&cfg);
		cfg.body_max = 65536;
		cfg.query_max = 4096;
		init = 1;
	}
	memset(&e, 0, sizeof(e));
	while (p < end && e.n < ENV_MAX) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl - p == 2 && memcmp(p, "--", 2) == 0) {
			p = nl + (nl < end);
			break;
		}
		const char *eq = memchr(p, '=', (size_t)(nl - p));
		if (eq != NULL) {
			e.name[e.n] = strndup(p, (size_t)(eq - p));
			e.value[e.n] = strndup(eq + 1, (size_t)(nl - eq - 1));
			e.n++;
		}
		p = nl + (nl < end);
	}
	e.body = p < end ? p : end;
	e.bodysz = (size_t)(end - e.body);

	app.cfg = &cfg;
	app.store = NULL;
	for (i = 0; i < e.n; i++) {
		size_t	l = strlen(e.name[i]) + strlen(e.value[i]) + 2;

		if ((envp[i] = malloc(l)) != NULL)
			snprintf(envp[i], l, "%s=%s", e.name[i], e.value[i]);
	}
	envp[e.n] = NULL;
	tp_serve(&app, fz_getenv, &e, envp, fz_read, &e, &req, &rep);
	if (rep.status < 200 || rep.status > 599)
		abort();
	(void)reply_head(&rep, head, sizeof(head));
	req_free(&req);
	reply_free(&rep);
	for (i = 0; i < e.n; i++) {
		free(e.name[i]);
		free(e.value[i]);
		free(envp[i]);
	}
	return 0;
}
