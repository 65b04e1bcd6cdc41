#ifndef PUSH_INT_H
#define PUSH_INT_H

/*
 * herald push's own parts: push.c is the libwebsockets side (the
 * listener, the streams' queues, signals, timers), feed.c the change-log
 * cursor and the matching of changes to streams.
 */
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "request.h"
#include "stream.h"

struct cfg;
struct lws;
struct lws_context;
struct pollfd;

#define PUSH_BUCKETS	4096	/* streams hashed by recipient id */
#define PUSH_ABOVE_MAX	32	/* changes past the cursor an SSE id lists */
#define PUSH_ID_MAX	(21 * (PUSH_ABOVE_MAX + 2))

struct frame {
	struct frame	*next;
	size_t		 len;
	int		 ping;		/* a WebSocket ping, no payload */
	int		 event;		/* an event (counted), not a beat */
	unsigned char	 buf[];		/* LWS_PRE, then the bytes */
};

struct conn {
	struct lws		*wsi;
	struct conn		*next;		/* in its recipient's bucket */
	struct conn		*all_prev, *all_next;
	int			 linked;	/* in a bucket and the list */
	int			 open;		/* headers / handshake done */
	int			 closing;	/* close once the queue empties */
	int			 gone;		/* hung up: lws closes it */
	int			 close_code;	/* WebSocket close status */
	const char		*close_why;
	struct stream		 st;
	size_t			 dialect;	/* index in dialects[] */
	struct principal	 who;		/* user and tenant owned */
	unsigned char		 tok[32];	/* the token's hash, re-checked */
	int			 has_tok;
	struct frame		*qhead, *qtail;
	size_t			 qbytes;
	/* SSE ids: the changes past the cursor this stream was sent. */
	long long		 above[PUSH_ABOVE_MAX];
	size_t			 nabove;
	/* Last-Event-ID: resume after base, less those listed. */
	int			 resume;
	long long		 resume_base;
};

/* The change-log cursor shared by every stream of the process. */
struct feed {
	long long	 low;	/* every change <= low was seen or given up */
	long long	 high;	/* the highest change seen */
	long long	*holes;	/* numbers in (low, high] not seen, ascending */
	int64_t		*since;	/* when each was first missed */
	size_t		 nholes;
	size_t		 cap;
};

/*
 * push's own metrics, served on its socket at PUSH_METRICS_PATH (the
 * pool's shared memory is the pool's; push is one process a host).
 */
#define PUSH_METRICS_PATH	"/_herald/push/metrics"
#define PUSH_MET_DIALECTS	8	/* entries of dialects[] counted */
#define PUSH_POLL_BOUNDS	10
struct push_stats {
	uint64_t	opened[2][PUSH_MET_DIALECTS];	/* [ws][dialect] */
	uint64_t	refused;
	uint64_t	frames[2];	/* event frames written, [ws] */
	uint64_t	bytes[2];
	uint64_t	dropped;	/* slow readers: send queue full */
	uint64_t	revoked;	/* token revoked or expired */
	uint64_t	changes;	/* change-log rows read */
	uint64_t	hup_scans, hups;	/* push_hangups: runs, found */
	double		hup_sum;	/* seconds in push_hangups */
	uint64_t	polls[PUSH_POLL_BOUNDS + 1];
	double		poll_sum, poll_max;	/* seconds */
};

/* The system notifications framed lately (sysfeed.c). */
struct sys_seen {
	unsigned char	 id[16];
	int64_t		 activation;
	int64_t		 key;		/* when it became active */
};

struct sysfeed {
	struct sys_seen	*v;
	size_t		 n, cap;
	int		 started;	/* what was active at start is known */
};

struct pushd {
	struct cfg		*cfg;
	struct app		 app;
	struct lws_context	*lws;
	struct conn		*buckets[PUSH_BUCKETS];
	struct conn		*all;
	int			 nconns;
	struct feed		 feed;
	int			 feed_ok;	/* the cursor is known */
	struct sysfeed		 sysfeed;
	void			*sul;		/* the poll timer (push.c) */
	int64_t			 beat, check, prune;	/* last runs, ms */
	struct push_stats	 stats;
	/* push.c: hung-up SSE clients (push_hangups) */
	unsigned long		 wakes;		/* lws_service returns */
	unsigned long		 hup_slice;	/* the next scan's tenth */
	struct pollfd		*hup_fds;
	struct conn		**hup_conns;
	size_t			 hup_cap;
};

/* feed.c */
int	feed_start(struct pushd *);
void	feed_poll(struct pushd *);
void	feed_free(struct feed *);
/* Count the streams of c's recipient already attached. */
int	feed_user_count(const struct pushd *, const unsigned char id[16]);
/* Link "c" to its recipient and send what a resume missed. */
void	feed_attach(struct pushd *, struct conn *);
void	feed_detach(struct pushd *, struct conn *);
/* Parse a Last-Event-ID ("base" or "base.c1.c2…") into c. 0 or -1. */
int	feed_resume_parse(struct conn *, const char *);

/* push_metrics.c */
int64_t	push_clock_us(void);
void	push_metrics_poll(struct pushd *, int64_t usec);
/* Serve PUSH_METRICS_PATH on "wsi" (metrics_access applies).  0 or -1. */
int	push_metrics_serve(struct pushd *, struct lws *);

/* push.c: write a whole response (before any stream).  0 or -1. */
int	push_respond(struct lws *, int status, const char *ctype,
	    const char *body, size_t len);
/* push.c: a header (malloc'd), by lws token or by "name:". */
char	*push_hdr(struct lws *, int token);
char	*push_custom(struct lws *, const char *name);
char	*push_real_ip(struct lws *);
/* sysfeed.c: system notifications as they become active. */
void	sysfeed_poll(struct pushd *);
void	sysfeed_free(struct sysfeed *);

/* push.c: queue one event ("event" NULL: a comment) on "c". */
void	push_queue_event(struct pushd *, struct conn *, const char *event,
	    const char *id, const char *data, size_t len);

#endif
