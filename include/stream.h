#ifndef STREAM_H
#define STREAM_H

/*
 * A stream (herald push, issue L): what a dialect's stream route records
 * when herald push runs it, and how that dialect writes one event.  The
 * route runs through the ordinary dispatch (routing, principal, tenant,
 * the dialect's errors); in the pool req->stream is NULL and the route
 * answers that the stream is served by herald push.
 */
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct ctx;
struct jbuf;
struct request;
struct reply;

#define STREAM_SSE	0x01	/* text/event-stream */
#define STREAM_WS	0x02	/* WebSocket text frames */

/* Which changes a stream is sent (bits of 1 << note_change_kind). */
#define STREAM_EV(k)	(1u << (k))
#define STREAM_EV_ALL	(STREAM_EV(CHANGE_CREATED) | STREAM_EV(CHANGE_READ) | \
	STREAM_EV(CHANGE_UNREAD) | STREAM_EV(CHANGE_DELETED))

/* One change as a stream sees it; borrowed for the call. */
struct stream_event {
	enum note_change_kind	 kind;
	const struct note	*note;	/* its state now (deleted ones too) */
	struct note_counts	 counts; /* the recipient's, now */
	const char		*id;	/* the SSE id, or NULL (WebSocket) */
};

struct stream;

/*
 * Write the frame for "ev" into "out" (the SSE data, or the WebSocket
 * text).  Returns 0 to send it, 1 when the stream's filters leave it
 * out, -1 on failure (the stream is closed).
 */
typedef int	(*stream_frame_fn)(const struct ctx *, const struct stream *,
		    const struct stream_event *, struct jbuf *out);

/*
 * A system notification of the stream's tenant that became active (the
 * agent's stream, issue L): 0 to send, 1 to leave out, -1 to close.
 */
struct sysnote;
typedef int	(*stream_system_fn)(const struct stream *,
		    const struct sysnote *, struct jbuf *out);

struct stream {
	unsigned int		 kind;		/* what the client opened */
	/* Filled by the route when it accepts. */
	int			 accepted;
	stream_frame_fn		 frame;
	unsigned int		 events;	/* STREAM_EV() bits */
	stream_system_fn	 system;	/* NULL: no system events */
	char			 tenant[65];
	char			 user[NOTE_USER_MAX * 4 + 1];
	unsigned char		 user_id[16];
	/* Coder's inbox filters (peers.md §2.4). */
	unsigned char		 templates[NOTE_QUERY_IN_MAX][16];	/* any */
	size_t			 ntemplates;
	unsigned char		 targets[NOTE_QUERY_IN_MAX][16];	/* all */
	size_t			 ntargets;
	int			 seen;		/* -1 either, 0 unread, 1 read */
	int			 plaintext;	/* markdown to plain text */
};

/*
 * Record the acceptance of req->stream for "user" (a name, resolved in
 * the request's tenant) with "frame" and "events".  Returns 200, or the
 * model's error recorded in "rep" (404 no such user, 403, 503).
 */
int	stream_accept(struct request *, struct reply *, const char *user,
	    stream_frame_fn, unsigned int events);

/* Markdown to plain text (libcmark); caller frees.  NULL on failure. */
char	*stream_plaintext(const char *md);

#endif
