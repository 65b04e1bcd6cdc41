/*
 * bench/push_load.c -- the load client of bench/push: many SSE watchers
 * of the agent's GET /events?user= on one epoll loop, and a writer posting
 * agent notifications at a steady rate, each watched by one of them.
 *
 *   push_load hold -p PORT -n 10000 [-u PREFIX]
 *	open N watchers (users PREFIX0..), print "ready N failed F" once
 *	every one is open (or refused), then hold them until SIGTERM or
 *	SIGINT; print "closed ..." with what arrived.
 *   push_load lat -p PORT -k 10 -r 100 -s 30 [-g 10]
 *	K watchers (users lat0..), then R writes a second for S seconds,
 *	round robin over them; wait up to G seconds for the last frames;
 *	print the latencies.
 *
 * Watchers speak HTTP/1.0 to nginx (no chunking: the SSE bytes as they
 * come) or, with -U PATH, to herald push's unix socket directly.  The
 * writer always goes through nginx to the pool (POST /notification).
 * A bench client only: it writes its requests and reads status lines and
 * SSE lines, nothing more.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF	8192
#define PENDING	128	/* watchers connecting at once */

enum { W_CONN, W_HEAD, W_OPEN, W_DONE };

struct conn {
	int		 fd;
	int		 state;
	int		 writer;	/* a POST, not a watcher */
	long		 seq;		/* writer: its write */
	int		 status;
	size_t		 len, off;
	char		*req;
	size_t		 reqlen;
	char		 buf[BUF];
	long		 frames;
};

static volatile sig_atomic_t	 stop;
static int			 ep;
static struct sockaddr_in	 nginx;
static struct sockaddr_un	 pushsun;
static int			 use_unix;
static long			 nready, nfailed, nframes, nclosed_early;
static long			 wsent, wok, wbad;
static int64_t			*t_send, *t_resp, *t_frame;
static long			 nwrites;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static int
open_to(int to_push)
{
	int	fd, one = 1;

	if (to_push && use_unix) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&pushsun,
		    sizeof(pushsun)) < 0 && errno != EINPROGRESS &&
		    errno != EAGAIN) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&nginx, sizeof(nginx)) < 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct conn *
conn_new(int writer, const char *req, size_t reqlen)
{
	struct conn		*c;
	struct epoll_event	 ev;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		die("calloc");
	c->writer = writer;
	if ((c->req = malloc(reqlen)) == NULL)
		die("malloc");
	memcpy(c->req, req, reqlen);
	c->reqlen = reqlen;
	if ((c->fd = open_to(!writer)) < 0) {
		free(c->req);
		free(c);
		return NULL;
	}
	c->state = W_CONN;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
	return c;
}

static void
conn_close(struct conn *c)
{
	if (c->state != W_DONE) {
		close(c->fd);
		free(c->req);
		c->req = NULL;
		c->state = W_DONE;
	}
}

static struct conn *
watcher(const char *prefix, long i)
{
	char	req[512];
	int	n;

	n = snprintf(req, sizeof(req), "GET /events?user=%s%ld HTTP/1.0\r\n"
	    "Host: localhost\r\nAccept: text/event-stream\r\n\r\n", prefix, i);
	return conn_new(0, req, (size_t)n);
}

static struct conn *
writer(long seq, long nusers)
{
	char		 body[256], req[768];
	int		 b, n;

	b = snprintf(body, sizeof(body), "{\"type\":\"data\",\"user\":"
	    "\"lat%ld\",\"subject\":\"pb-%ld-\",\"message\":\"x\"}",
	    seq % nusers, seq);
	struct conn	*c;

	n = snprintf(req, sizeof(req), "POST /notification HTTP/1.0\r\n"
	    "Host: localhost\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\n\r\n%s", b, body);
	if ((c = conn_new(1, req, (size_t)n)) != NULL)
		c->seq = seq;
	return c;
}

/* One SSE line of a latency watcher: note the first arrival of "pb-N-". */
static void
sse_line(struct conn *c, const char *l, size_t n)
{
	const char	*p;
	char		*e;
	long		 seq;

	if (n < 6 || memcmp(l, "data:", 5) != 0)
		return;
	c->frames++;
	nframes++;
	if (t_frame == NULL || (p = memmem(l, n, "pb-", 3)) == NULL)
		return;
	seq = strtol(p + 3, &e, 10);
	if (e == p + 3 || *e != '-' || seq < 0 || seq >= nwrites)
		return;
	if (t_frame[seq] == 0)
		t_frame[seq] = now_us();
}

/* Read what there is; 0, or -1 when the connection ended. */
static int
conn_read(struct conn *c)
{
	ssize_t	 r;
	char	*nl, *p;

	for (;;) {
		if (c->len == sizeof(c->buf))
			c->len = 0;	/* a line too long: not ours */
		r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r == 0)
			return -1;
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->len += (size_t)r;
		for (;;) {
			if ((nl = memchr(c->buf, '\n', c->len)) == NULL)
				break;
			*nl = '\0';
			if (c->state == W_HEAD) {
				if (c->status == 0 && strncmp(c->buf,
				    "HTTP/1.", 7) == 0 && (p = strchr(c->buf,
				    ' ')) != NULL)
					c->status = atoi(p + 1);
				if (nl == c->buf || (nl == c->buf + 1 &&
				    c->buf[0] == '\r')) {
					c->state = W_OPEN;
					if (c->writer) {
						if (c->status >= 200 &&
						    c->status < 300) {
							wok++;
							t_resp[c->seq] = now_us();
						} else
							wbad++;
						c->len = 0;
						return -1;
					}
					if (c->status == 200)
						nready++;
					else {
						nfailed++;
						return -1;
					}
				}
			} else
				sse_line(c, c->buf, (size_t)(nl - c->buf));
			memmove(c->buf, nl + 1, c->len - (size_t)(nl + 1 -
			    c->buf));
			c->len -= (size_t)(nl + 1 - c->buf);
		}
	}
}

/* A connection is ready: finish writing, or read. */
static void
conn_event(struct conn *c, uint32_t events)
{
	struct epoll_event	ev;
	ssize_t			w;
	int			err = 0;
	socklen_t		el = sizeof(err);

	if (c->state == W_CONN) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 ||
		    err != 0)
			goto gone;
		while (c->off < c->reqlen) {
			w = write(c->fd, c->req + c->off, c->reqlen - c->off);
			if (w < 0 && errno == EAGAIN)
				return;
			if (w <= 0)
				goto gone;
			c->off += (size_t)w;
		}
		c->state = W_HEAD;
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
	if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) &&
	    conn_read(c) != 0)
		goto gone;
	return;
gone:
	if (c->writer) {
		wbad += c->state != W_OPEN;
		conn_close(c);
		free(c);
		return;
	} else if (c->state != W_OPEN)
		nfailed++;
	else
		nclosed_early++;
	conn_close(c);
}

static void
pump(int ms, struct conn **all, size_t nall)
{
	struct epoll_event	 evs[256];
	int			 n, i;

	(void)all;
	(void)nall;
	n = epoll_wait(ep, evs, 256, ms);
	for (i = 0; i < n; i++)
		conn_event(evs[i].data.ptr, evs[i].events);
}

/* Open n watchers, at most PENDING connecting at once; until all are
 * open or refused, or "secs" pass. */
static struct conn **
open_watchers(const char *prefix, long n, int secs)
{
	struct conn	**w;
	long		  next = 0;
	int64_t		  until = now_us() + (int64_t)secs * 1000000;

	if ((w = calloc((size_t)n + 1, sizeof(*w))) == NULL)
		die("calloc");
	while (!stop && nready + nfailed < n && now_us() < until) {
		while (next < n && next - nready - nfailed < PENDING) {
			if ((w[next] = watcher(prefix, next)) == NULL) {
				nfailed++;
				fprintf(stderr, "connect %ld: %s\n", next,
				    strerror(errno));
			}
			next++;
		}
		pump(50, w, (size_t)n);
	}
	return w;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, int64_t *v, long n)
{
	if (n == 0) {
		printf("%s n=0\n", what);
		return;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	printf("%s n=%ld p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
	    what, n, v[n / 2] / 1000.0, v[n * 90 / 100] / 1000.0,
	    v[n * 99 / 100] / 1000.0, v[n - 1] / 1000.0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: push_load hold|lat -p PORT [-U PUSHSOCK] "
	    "[-n N] [-u PREFIX] [-k K] [-r RATE] [-s SECS] [-g GRACE] "
	    "[-t CONNECT_SECS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sigaction	  sa;
	struct conn		**w;
	const char		 *mode, *prefix = "idle";
	long			  n = 100, k = 10, rate = 100, secs = 10;
	long			  grace = 10, csecs = 120, i, got;
	int64_t			  t0, next, now, *lat, *lat2;
	long			  nl, nl2;
	int			  port = 0, opt;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "p:U:n:u:k:r:s:g:t:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'U':
			use_unix = 1;
			pushsun.sun_family = AF_UNIX;
			if (strlen(optarg) >= sizeof(pushsun.sun_path))
				usage();
			strcpy(pushsun.sun_path, optarg);
			break;
		case 'n': n = atol(optarg); break;
		case 'u': prefix = optarg; break;
		case 'k': k = atol(optarg); break;
		case 'r': rate = atol(optarg); break;
		case 's': secs = atol(optarg); break;
		case 'g': grace = atol(optarg); break;
		case 't': csecs = atol(optarg); break;
		default: usage();
		}
	}
	if (port <= 0 || n < 1 || k < 1 || rate < 1 || secs < 1)
		usage();
	nginx.sin_family = AF_INET;
	nginx.sin_port = htons((uint16_t)port);
	nginx.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((ep = epoll_create1(0)) < 0)
		die("epoll_create1");

	if (strcmp(mode, "hold") == 0) {
		t0 = now_us();
		w = open_watchers(prefix, n, (int)csecs);
		printf("ready %ld failed %ld seconds %.1f\n", nready, nfailed,
		    (now_us() - t0) / 1e6);
		while (!stop)
			pump(1000, w, (size_t)n);
		printf("closed frames %ld closed_early %ld\n", nframes,
		    nclosed_early);
		return nfailed == 0 && nclosed_early == 0 ? 0 : 1;
	}
	if (strcmp(mode, "lat") != 0)
		usage();
	w = open_watchers("lat", k, (int)csecs);
	if (nready != k) {
		printf("watchers ready %ld of %ld (failed %ld)\n", nready, k,
		    nfailed);
		return 1;
	}
	nwrites = rate * secs;
	if ((t_send = calloc((size_t)nwrites, sizeof(int64_t))) == NULL ||
	    (t_resp = calloc((size_t)nwrites, sizeof(int64_t))) == NULL ||
	    (t_frame = calloc((size_t)nwrites, sizeof(int64_t))) == NULL)
		die("calloc");
	t0 = now_us();
	for (i = 0; i < nwrites && !stop; ) {
		now = now_us();
		next = t0 + i * 1000000 / rate;
		if (now >= next) {
			t_send[i] = now;
			if (writer(i, k) == NULL)
				wbad++;
			wsent++;
			i++;
			continue;
		}
		pump((int)((next - now + 999) / 1000), w, (size_t)k);
	}
	printf("writes sent %ld in %.2f s\n", wsent, (now_us() - t0) / 1e6);
	/* The last frames, then the counts. */
	next = now_us() + grace * 1000000;
	for (;;) {
		for (got = 0, i = 0; i < nwrites; i++)
			got += t_frame[i] != 0;
		if ((got >= wok && wok + wbad >= wsent) || now_us() > next ||
		    stop)
			break;
		pump(20, w, (size_t)k);
	}
	if ((lat = calloc((size_t)nwrites, sizeof(int64_t))) == NULL ||
	    (lat2 = calloc((size_t)nwrites, sizeof(int64_t))) == NULL)
		die("calloc");
	for (nl = nl2 = 0, i = 0; i < nwrites; i++) {
		if (t_frame[i] == 0)
			continue;
		lat[nl++] = t_frame[i] - t_send[i];
		if (t_resp[i] != 0)
			lat2[nl2++] = t_frame[i] > t_resp[i] ?
			    t_frame[i] - t_resp[i] : 0;
	}
	printf("writes ok %ld bad %ld frames %ld missing %ld closed_early "
	    "%ld\n", wok, wbad, nl, wsent - nl, nclosed_early);
	report("send_to_frame", lat, nl);
	report("response_to_frame", lat2, nl2);
	for (nl = 0, i = 0; i < nwrites; i++)
		if (t_resp[i] != 0)
			lat[nl++] = t_resp[i] - t_send[i];
	report("write_response", lat, nl);
	return wok == wsent && nl2 == wok && nclosed_early == 0 ? 0 : 1;
}
