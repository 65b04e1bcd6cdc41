/*
 * GET /v1/users/{user}/notifications/stream (doc/v1.md): every change of
 * the user's notifications (created, read, unread, deleted) as Server-Sent
 * Events, or the same as WebSocket text frames.  Each SSE event's id is
 * the change's cursor: Last-Event-ID resumes after it.  Served by herald
 * push; the pool answers 501.
 */
#include "config.h"

#include <string.h>

#include "jbuf.h"
#include "native_int.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "stream.h"

static const char *const native_kinds[] = { "", "created", "read",
	"unread", "deleted" };

/* {"event":K,"id":C,"notification":N,"unread_count":U} */
static int
native_frame(const struct ctx *ctx, const struct stream *s,
    const struct stream_event *ev, struct jbuf *out)
{
	(void)ctx;
	(void)s;
	jbuf_lit(out, "{\"event\":");
	jbuf_str(out, native_kinds[(unsigned int)ev->kind < 5 ? ev->kind : 0]);
	if (ev->id != NULL) {
		jbuf_lit(out, ",\"id\":");
		jbuf_str(out, ev->id);
	}
	jbuf_lit(out, ",\"notification\":");
	native_note_write(out, ev->note);
	jbuf_lit(out, ",\"unread_count\":");
	jbuf_i64(out, ev->counts.unread);
	return jbuf_lit(out, "}") == 0 ? 0 : -1;
}

/*
 * 200 (the stream, through herald push); 400 bad user; 403 another
 * user's; 501 in the pool, which holds no streams.
 */
int
api_native_stream(struct request *req, struct reply *rep)
{
	char	name[NOTE_USER_MAX * 4 + 1];

	if (native_path_user(req, rep, name, sizeof(name)) < 0)
		return rep->status;
	if (req->stream == NULL)
		return native_fail(rep, 501, NULL, "streams are served by "
		    "herald push: route this path to it");
	return stream_accept(req, rep, name, native_frame, STREAM_EV_ALL);
}
