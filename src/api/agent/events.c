/*
 * GET /events?user=NAME (agent.md §5.4, the stand-in for the original's
 * AMQP push): Server-Sent Events, one per new notification, with data
 * {"message":N,"total":unseen} as the original published to exchange
 * "de".  Served by herald push; the pool answers 501.
 */
#include "config.h"

#include "agent_int.h"
#include "jbuf.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "stream.h"

#define AGENT_PAYLOAD_DEPTH	32

static int
agent_event_frame(const struct ctx *ctx, const struct stream *s,
    const struct stream_event *ev, struct jbuf *out)
{
	(void)ctx;
	(void)s;
	if (ev->kind != CHANGE_CREATED || ev->note->deleted)
		return 1;
	jbuf_lit(out, "{\"message\":");
	agent_note_write(out, ev->note, AGENT_PAYLOAD_DEPTH);
	jbuf_lit(out, ",\"total\":");
	jbuf_i64(out, ev->counts.unread);
	return jbuf_lit(out, "}") == 0 ? 0 : -1;
}

/* 200 (the stream); 400 without a user; 403; 501 in the pool. */
int
api_agent_events(struct request *req, struct reply *rep)
{
	const char	*user;

	if (agent_user(req, rep, NULL, &user) != 0)
		return rep->status;
	if (req->stream == NULL || !(req->stream->kind & STREAM_SSE))
		return agent_err(rep, 501, "ERR_NOT_IMPLEMENTED", "the event "
		    "stream is served by herald push", AGENT_END);
	return stream_accept(req, rep, user, agent_event_frame,
	    STREAM_EV(CHANGE_CREATED));
}
