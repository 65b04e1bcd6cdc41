/*
 * herald status: the pool's workers, their state and request counts,
 * uptime and queue depth, as php-fpm's status page gives.  The numbers
 * live in the master's shared segment, which only the pool's processes
 * map; so the command asks the pool itself: one FastCGI request for
 * /_herald/status straight on the "listen" socket, no web server needed.
 * Whoever reaches that socket is trusted already (it can set REMOTE_USER).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cfg.h"
#include "cli.h"
#include "jbuf.h"

#define ST_REPLY_MAX	(4 * 1024 * 1024)
#define ST_TIMEOUT_MS	5000

static int
st_connect(const char *listen)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *ai = NULL;
	char			 host[CFG_STR_MAX];
	const char		*colon;
	int			 fd = -1;

	if (listen[0] == '/') {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(listen) >= sizeof(sun.sun_path) ||
		    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			return -1;
		memcpy(sun.sun_path, listen, strlen(listen) + 1);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			goto fail;
		return fd;
	}
	/* "host:port", ":port" or "port": as pool_listen reads it. */
	colon = strrchr(listen, ':');
	snprintf(host, sizeof(host), "%.*s", colon != NULL && colon > listen ?
	    (int)(colon - listen) : 9, colon != NULL && colon > listen ?
	    listen : "127.0.0.1");
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon != NULL ? colon + 1 : listen, &hints,
	    &ai) != 0)
		return -1;
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		goto fail;
	freeaddrinfo(ai);
	return fd;
fail:
	if (ai != NULL)
		freeaddrinfo(ai);
	if (fd != -1)
		close(fd);
	return -1;
}

/* One FastCGI record header (version 1, request id 1) and its content. */
static void
st_record(struct jbuf *b, int type, const char *content, size_t len)
{
	unsigned char	h[8] = { 1, (unsigned char)type, 0, 1,
	    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	jbuf_raw(b, (const char *)h, sizeof(h));
	jbuf_raw(b, content, len);
}

static void
st_param(struct jbuf *b, const char *name, const char *value)
{
	unsigned char	l[2] = { (unsigned char)strlen(name),
	    (unsigned char)strlen(value) };

	jbuf_raw(b, (const char *)l, 2);
	jbuf_lit(b, name);
	jbuf_lit(b, value);
}

/* The STDOUT stream of the reply, up to END_REQUEST; -1 on failure. */
static int
st_exchange(int fd, struct jbuf *out)
{
	static const char	begin[8] = { 0, 1, 0 };	/* responder */
	struct jbuf		 req, in, pb;
	struct pollfd		 pfd = { fd, POLLIN, 0 };
	unsigned char		*p;
	size_t			 off, len, pad;
	ssize_t			 n;
	char			 buf[65536];
	int			 rc = -1;

	jbuf_init(&req, 4096);
	jbuf_init(&in, ST_REPLY_MAX);
	jbuf_init(&pb, 1024);
	jbuf_init(out, ST_REPLY_MAX);
	st_record(&req, 1, begin, sizeof(begin));
	st_param(&pb, "REQUEST_METHOD", "GET");
	st_param(&pb, "PATH_INFO", "/_herald/status");
	st_param(&pb, "REMOTE_ADDR", "127.0.0.1");
	st_param(&pb, "QUERY_STRING", "");
	st_param(&pb, "GATEWAY_INTERFACE", "CGI/1.1");
	st_record(&req, 4, pb.buf, pb.len);
	st_record(&req, 4, "", 0);
	st_record(&req, 5, "", 0);
	if (req.over || write(fd, req.buf, req.len) != (ssize_t)req.len)
		goto out;
	for (;;) {
		if (poll(&pfd, 1, ST_TIMEOUT_MS) != 1 ||
		    (n = read(fd, buf, sizeof(buf))) <= 0)
			goto out;
		if (jbuf_raw(&in, buf, (size_t)n) != 0)
			goto out;
		for (off = 0; in.len - off >= 8; off += 8 + len + pad) {
			p = (unsigned char *)in.buf + off;
			len = (size_t)p[4] << 8 | p[5];
			pad = p[6];
			if (in.len - off < 8 + len + pad)
				break;
			if (p[1] == 6)
				jbuf_raw(out, (char *)p + 8, len);
			else if (p[1] == 3) {
				rc = out->over ? -1 : 0;
				goto out;
			}
		}
		/* Keep the partial record; drop the ones read. */
		memmove(in.buf, in.buf + off, in.len - off);
		in.len -= off;
	}
out:
	jbuf_free(&pb);
	jbuf_free(&req);
	jbuf_free(&in);
	return rc;
}

static void
st_print(struct json_object *doc)
{
	struct json_object	*ws, *w, *q, *o;
	long long		 up;
	size_t			 i;

	json_object_object_get_ex(doc, "uptime_seconds", &o);
	up = json_object_get_int64(o);
	json_object_object_get_ex(doc, "started", &o);
	printf("pool:      up %lldd %02lld:%02lld:%02lld, since %s\n",
	    up / 86400, up / 3600 % 24, up / 60 % 60, up % 60,
	    json_object_get_string(o) != NULL ? json_object_get_string(o) : "-");
	json_object_object_get_ex(doc, "requests", &o);
	printf("requests:  %lld\n", (long long)json_object_get_int64(o));
	json_object_object_get_ex(doc, "database", &o);
	printf("database:  %s\n", json_object_get_boolean(o) ? "up" : "DOWN");
	printf("\n%-5s %-8s %-4s %-9s %-10s %s\n", "slot", "pid", "gen",
	    "state", "requests", "started");
	if (json_object_object_get_ex(doc, "workers", &ws))
		for (i = 0; i < json_object_array_length(ws); i++) {
			w = json_object_array_get_idx(ws, i);
#define F(k) (json_object_object_get_ex(w, k, &o) ? o : NULL)
			printf("%-5d %-8d %-4d %-9s %-10lld %s\n",
			    json_object_get_int(F("slot")),
			    json_object_get_int(F("pid")),
			    json_object_get_int(F("generation")),
			    json_object_get_string(F("state")),
			    (long long)json_object_get_int64(F("requests")),
			    json_object_get_string(F("started")));
#undef F
		}
	printf("\nqueue:\n");
	if (json_object_object_get_ex(doc, "queue", &q))
		for (i = 0; i < json_object_array_length(q); i++) {
			w = json_object_array_get_idx(q, i);
			printf("  %-8s %-8s %lld\n",
			    json_object_get_string(json_object_object_get(w,
			    "state")), json_object_get_string(
			    json_object_object_get(w, "method")),
			    (long long)json_object_get_int64(
			    json_object_object_get(w, "count")));
		}
}

int
status_cmd(const struct cfg *cfg, int argc, char *argv[])
{
	struct json_object	*doc = NULL;
	struct jbuf		 out;
	const char		*body;
	int			 fd, json = argc > 1 && strcmp(argv[1], "--json") == 0;
	int			 rc = 1;

	if (cfg->listen[0] == '\0') {
		fprintf(stderr, "herald status: listen is empty (a web server "
		    "runs the responders): no pool to ask\n");
		return 1;
	}
	if ((fd = st_connect(cfg->listen)) == -1) {
		fprintf(stderr, "herald status: cannot reach the pool on %s "
		    "(is herald serve running?)\n", cfg->listen);
		return 1;
	}
	if (st_exchange(fd, &out) != 0 ||
	    (body = strstr(out.buf != NULL ? out.buf : "", "\r\n\r\n")) == NULL) {
		fprintf(stderr, "herald status: no answer from the pool\n");
		goto out;
	}
	body += 4;
	if (strncmp(out.buf, "Status: 200", 11) != 0 ||
	    (doc = json_tokener_parse(body)) == NULL) {
		fprintf(stderr, "herald status: the pool answered: %.200s\n",
		    out.buf);
		goto out;
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY));
	else
		st_print(doc);
	rc = 0;
out:
	json_object_put(doc);
	jbuf_free(&out);
	close(fd);
	return rc;
}
