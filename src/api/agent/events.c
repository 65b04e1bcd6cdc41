/*
 * GET /events?user=NAME (agent.md §5.4, the stand-in for the original's
 * AMQP push): Server-Sent Events, one per new notification, with data
 * {"message":N,"total":unseen} as the original published to exchange
 * "de", and one "system_message" event per system notification of the
 * user's tenant as it becomes active, its data the notification as the
 * original published it to "system_message".  Served by herald push; the
 * pool answers 501.  herald dispatch publishes the same bytes to AMQP.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "agent.h"
#include "agent_int.h"
#include "jbuf.h"
#include "jsonio.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "stream.h"

#define AGENT_PAYLOAD_DEPTH	32

int
agent_push_note(struct jbuf *out, const struct note *n, long long unseen)
{
	jbuf_lit(out, "{\"message\":");
	agent_note_write(out, n, AGENT_PAYLOAD_DEPTH);
	jbuf_lit_i64(out, ",\"total\":", unseen);
	return jbuf_lit(out, "}");
}

int
agent_push_system(struct jbuf *out, const struct sysnote *s)
{
	struct json_object	*o;
	const char		*text;
	size_t			 len;
	int			 rc = -1;

	if ((o = agent_sys_json(s, 0)) != NULL &&
	    (text = jsonio_text(o, &len)) != NULL)
		rc = jbuf_raw(out, text, len);
	json_object_put(o);
	return rc;
}

static int
agent_event_frame(const struct ctx *ctx, const struct stream *s,
    const struct stream_event *ev, struct jbuf *out)
{
	(void)ctx;
	(void)s;
	if (ev->kind != CHANGE_CREATED || ev->note->deleted)
		return 1;
	return agent_push_note(out, ev->note, ev->counts.unread);
}

static int
agent_event_system(const struct stream *s, const struct sysnote *sn,
    struct jbuf *out)
{
	(void)s;
	return agent_push_system(out, sn);
}

/* 200 (the stream); 400 without a user; 403; 501 in the pool. */
int
api_agent_events(struct request *req, struct reply *rep)
{
	const char	*user;
	int		 rc;

	if (agent_user(req, rep, NULL, &user) != 0)
		return rep->status;
	if (req->stream == NULL || !(req->stream->kind & STREAM_SSE))
		return agent_err(rep, 501, "ERR_NOT_IMPLEMENTED", "the event "
		    "stream is served by herald push", AGENT_END);
	rc = stream_accept(req, rep, user, agent_event_frame,
	    STREAM_EV(CHANGE_CREATED));
	if (rc == 200)
		req->stream->system = agent_event_system;
	return rc;
}
