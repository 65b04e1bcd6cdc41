/*
 * The FastCGI transport: the only code that knows libfcgi.  It turns the
 * CGI environment and a bounded body into a struct request, and a struct
 * reply into bytes.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "cfg.h"
#include "dispatch.h"
#include "herr.h"
#include "log.h"
#include "ops.h"
#include "reply.h"
#include "request.h"
#include "transport.h"
#include "util.h"

/* A body without CONTENT_LENGTH: read to its end. */
#define TP_UNKNOWN_LENGTH	((size_t)-1)

/* Environment lookup, so the same code serves FastCGI and plain CGI. */
typedef const char *(*env_fn)(const char *, void *);

static char *
tp_dup(env_fn env, void *arg, const char *name)
{
	const char	*v = env(name, arg);

	return v != NULL ? strdup(v) : NULL;
}

/*
 * Fill "req" from the environment.  The body is not read here: returns
 * the declared length in *bodylen, or an HTTP status >= 400 with the
 * reply set.
 */
/*
 * Keep the request's headers for req_header(), but never the ones that
 * carry credentials: those have fields of their own and are wiped.
 */
static void
tp_headers(struct request *req, char **envp)
{
	static const char *const secret[] = { "HTTP_AUTHORIZATION",
	    "HTTP_COOKIE", "HTTP_CODER_SESSION_TOKEN", "HTTP_X_OKAPI_TOKEN",
	    "HTTP_PROXY_AUTHORIZATION", NULL };
	const char	*eq;
	char		 name[128];
	size_t		 i, len;

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, "HTTP_", 5) != 0 ||
		    (eq = strchr(*envp, '=')) == NULL ||
		    (len = (size_t)(eq - *envp)) >= sizeof(name))
			continue;
		memcpy(name, *envp, len);
		name[len] = '\0';
		for (i = 0; secret[i] != NULL; i++)
			if (strcmp(name, secret[i]) == 0)
				break;
		/* Past the bounds, a header is simply not kept. */
		if (secret[i] == NULL)
			(void)req_header_add(req, name, eq + 1);
	}
}

static int
tp_request(struct app *app, env_fn env, void *arg, char **envp,
    struct request *req, struct reply *rep, size_t *bodylen)
{
	const struct cfg	*cfg = app->cfg;
	const char		*m, *path, *qs, *cl;
	long long		 len = 0;

	req->app = app;
	m = env("REQUEST_METHOD", arg);
	req->method = req_method_parse(m != NULL ? m : "");
	req->method_name = strdup(m != NULL ? m : "");
	/* Routing uses PATH_INFO; DOCUMENT_URI when mounted without one. */
	path = env("PATH_INFO", arg);
	if (path == NULL || *path == '\0')
		path = env("DOCUMENT_URI", arg);
	if (path == NULL || *path == '\0')
		path = "/";
	req->path = strdup(path);
	req->content_type = tp_dup(env, arg, "CONTENT_TYPE");
	req->authorization = tp_dup(env, arg, "HTTP_AUTHORIZATION");
	req->coder_token = tp_dup(env, arg, "HTTP_CODER_SESSION_TOKEN");
	req->okapi_token = tp_dup(env, arg, "HTTP_X_OKAPI_TOKEN");
	req->coder_cookie = req_cookie(env("HTTP_COOKIE", arg),
	    "coder_session_token", REQ_HEADER_MAX);
	req->remote_user = tp_dup(env, arg, "REMOTE_USER");
	req->remote_addr = tp_dup(env, arg, "REMOTE_ADDR");
	tp_headers(req, envp);
	if (req->method_name == NULL || req->path == NULL)
		return reply_fail(rep, 500, HERR_INTERNAL, "out of memory");

	qs = env("QUERY_STRING", arg);
	if (qs == NULL)
		qs = "";
	if (strlen(qs) > cfg->query_max)
		return reply_fail(rep, 414, HERR_URI_TOO_LONG,
		    "the query string is too long");
	if ((req->query = strdup(qs)) == NULL)
		return reply_fail(rep, 500, HERR_INTERNAL, "out of memory");
	switch (req_parse_query(req, qs)) {
	case REQ_PARSE_OK:
		break;
	case REQ_PARSE_TOO_MANY:
		return reply_fail(rep, 400, HERR_BAD_QUERY,
		    "too many query parameters");
	default:
		return reply_fail(rep, 400, HERR_BAD_QUERY,
		    "the query string is not valid percent-encoded UTF-8");
	}

	/* RFC 3875 4.1.2: CONTENT_LENGTH is decimal digits, or absent. */
	cl = env("CONTENT_LENGTH", arg);
	if (cl == NULL || *cl == '\0') {
		/*
		 * A chunked body some servers pass on without a length:
		 * read what comes, up to the limit.
		 */
		*bodylen = req->method == REQ_POST || req->method == REQ_PUT ||
		    req->method == REQ_PATCH || req->method == REQ_DELETE ?
		    TP_UNKNOWN_LENGTH : 0;
		return 0;
	}
	if (util_strtoll(cl, 0, INT64_MAX, &len) != 0)
		return reply_fail(rep, 400, HERR_BAD_REQUEST,
		    "bad Content-Length");
	if ((unsigned long long)len > cfg->body_max)
		return reply_fail(rep, 413, HERR_TOO_LARGE,
		    "the request body is larger than the configured limit");
	*bodylen = (size_t)len;
	return 0;
}

/*
 * Read exactly "len" bytes; a short body is the client's error.  With
 * TP_UNKNOWN_LENGTH, read to the end, refusing more than body_max.
 */
static int
tp_body(struct request *req, struct reply *rep, size_t len,
    int (*rd)(char *, int, void *), void *arg)
{
	size_t	got = 0, max = req->app->cfg->body_max;
	int	n, open_ended = len == TP_UNKNOWN_LENGTH;

	if (open_ended)
		len = max + 1;
	if ((req->body = malloc(len + 1)) == NULL)
		return reply_fail(rep, 500, HERR_INTERNAL, "out of memory");
	while (got < len) {
		n = rd(req->body + got, (int)(len - got > 65536 ? 65536 :
		    len - got), arg);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->bodysz = got;
	if (open_ended && got > max)
		return reply_fail(rep, 413, HERR_TOO_LARGE,
		    "the request body is larger than the configured limit");
	if (open_ended)
		return 0;
	if (got < len)
		return reply_fail(rep, 400, HERR_BAD_REQUEST,
		    "the request body is shorter than its Content-Length");
	return 0;
}

static const char *
fcgi_env(const char *name, void *arg)
{
	return FCGX_GetParam(name, ((FCGX_Request *)arg)->envp);
}

static int
fcgi_read(char *buf, int n, void *arg)
{
	return FCGX_GetStr(buf, n, ((FCGX_Request *)arg)->in);
}

static void
fcgi_write(FCGX_Request *fr, const struct request *req,
    const struct reply *rep)
{
	char	head[1024];
	size_t	n;

	if ((n = reply_head(rep, head, sizeof(head))) == 0)
		return;
	/* Format with snprintf; FCGX_FPrintF does not know %zu. */
	FCGX_PutStr(head, (int)n, fr->out);
	if (req->method != REQ_HEAD && rep->bodysz > 0)
		FCGX_PutStr(rep->body, (int)rep->bodysz, fr->out);
}

/* One request, start to finish. */
static void
tp_serve(struct app *app, env_fn env, void *earg, char **envp,
    int (*rd)(char *, int, void *), void *rarg, struct request *req,
    struct reply *rep)
{
	size_t	len = 0;
	int64_t	t0 = ops_request_begin();

	req_init(req);
	reply_init(rep);
	if (tp_request(app, env, earg, envp, req, rep, &len) == 0)
		tp_body(req, rep, len, rd, rarg);
	/* Errors found so far are rendered there, in the path's dialect. */
	dispatch(req, rep);
	ops_request_end(req, rep, t0);
	log_debug("%s %s -> %d", req->method_name != NULL ?
	    req->method_name : "-", req->path != NULL ? req->path : "-",
	    rep->status);
}

int
transport_fcgi_run(struct app *app, int fd, volatile sig_atomic_t *stop,
    long long max_requests)
{
	FCGX_Request	fr;
	struct request	req;
	struct reply	rep;
	sigset_t	term;
	struct timespec	pause = { 0, 10 * 1000 * 1000 };
	long long	served = 0;
	int		rc, failures = 0;

	if (FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		return -1;
	/*
	 * A stop signal must not interrupt a request half read or half
	 * written: it is held from accept to finish, and acted on between
	 * requests (accept itself is interruptible).
	 */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGUSR1);
	while (!*stop && (max_requests == 0 || served < max_requests)) {
		ops_between_requests();
		if ((rc = FCGX_Accept_r(&fr)) < 0) {
			if (*stop)
				break;
			if (errno == EINTR)
				continue;
			/* A connection that went away before it was
			 * accepted is not a reason to stop serving. */
			if (errno != EBADF && errno != EINVAL &&
			    errno != ENOTSOCK && ++failures < 100) {
				log_warn("accept: %s (rc %d)", strerror(errno),
				    rc);
				nanosleep(&pause, NULL);
				continue;
			}
			log_error("accept: %s; worker stops", strerror(errno));
			break;
		}
		failures = 0;
		sigprocmask(SIG_BLOCK, &term, NULL);
		tp_serve(app, fcgi_env, &fr, fr.envp, fcgi_read, &fr, &req, &rep);
		fcgi_write(&fr, &req, &rep);
		FCGX_Finish_r(&fr);
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		req_free(&req);
		reply_free(&rep);
		served++;
	}
	FCGX_Free(&fr, 0);
	return 0;
}

static const char *
cgi_env(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

static int
cgi_read(char *buf, int n, void *arg)
{
	size_t	got;

	(void)arg;
	got = fread(buf, 1, (size_t)n, stdin);
	return got == 0 ? -1 : (int)got;
}

int
transport_cgi_run(struct app *app)
{
	struct request	req;
	struct reply	rep;
	char		head[1024];
	size_t		n;

	tp_serve(app, cgi_env, NULL, environ, cgi_read, NULL, &req, &rep);
	if ((n = reply_head(&rep, head, sizeof(head))) > 0) {
		fwrite(head, 1, n, stdout);
		if (req.method != REQ_HEAD)
			fwrite(rep.body, 1, rep.bodysz, stdout);
	}
	fflush(stdout);
	req_free(&req);
	reply_free(&rep);
	return 0;
}
