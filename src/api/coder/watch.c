/*
 * GET /api/v2/notifications/inbox/watch (peers.md §2.4): a WebSocket of
 * {"notification":…,"unread_count":N} text frames, one per new
 * notification that passes the inbox filters.  herald push runs this
 * route; the pool, which never holds a stream, answers as Coder does when
 * the handshake fails.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "coder_int.h"
#include "herr.h"
#include "jbuf.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "stream.h"
#include "util.h"

/* 1 when "n" passes the watch's filters (Coder filters in memory too). */
static int
watch_match(const struct stream *s, const struct note *n)
{
	char	id[UUID_STR_LEN];
	size_t	i;

	if (s->seen >= 0 && (n->seen != 0) != (s->seen != 0))
		return 0;
	if (s->ntemplates > 0) {
		for (i = 0; i < s->ntemplates; i++)
			if (n->has_template_id &&
			    memcmp(s->templates[i], n->template_id, 16) == 0)
				break;
		if (i == s->ntemplates)
			return 0;
	}
	/* Every requested target must be among the stored ones. */
	for (i = 0; i < s->ntargets; i++) {
		util_uuid_format(s->targets[i], 0, id);
		if (n->targets == NULL || strstr(n->targets, id) == NULL)
			return 0;
	}
	return 1;
}

static int
watch_frame(const struct ctx *ctx, const struct stream *s,
    const struct stream_event *ev, struct jbuf *out)
{
	struct note	 n = *ev->note;
	struct herr	 e;
	const char	*icon = NULL;
	char		*title = NULL, *content = NULL;
	int		 rc = -1;

	if (ev->kind != CHANGE_CREATED || n.deleted || !watch_match(s, &n))
		return 1;
	/* An empty icon: the fallback of the template's group, as the list. */
	if (n.icon == NULL || n.icon[0] == '\0') {
		icon = "DEFAULT_ICON_OTHER";
		herr_init(&e);
		if (n.has_template_id)
			(void)model_tmpl_get(ctx, n.template_id,
			    coder_icon_group_row, &icon, &e);
	}
	if (s->plaintext) {
		if ((title = stream_plaintext(n.subject)) == NULL ||
		    (content = stream_plaintext(n.body)) == NULL)
			goto out;
		n.subject = title;
		n.body = content;
	}
	/* wsjson writes with json.Encoder: compact, then a newline. */
	out->noslash = 1;
	jbuf_lit(out, "{\"notification\":");
	coder_note_write(out, &n, icon, NULL);
	jbuf_lit_i64(out, ",\"unread_count\":", ev->counts.unread);
	rc = jbuf_lit(out, "}\n");
out:
	free(title);
	free(content);
	return rc;
}

/*
 * 101 through herald push with valid parameters; 400 (Coder's
 * validations) before any upgrade; 401 without a user; 500 "Failed to
 * upgrade connection to websocket." in the pool or without an upgrade.
 */
int
api_coder_inbox_watch(struct request *req, struct reply *rep)
{
	struct inbox_params	 p;
	struct stream		*s = req->stream;
	const char		*me, *fmt = NULL;
	size_t			 i;

	if ((me = coder_me(req, rep)) == NULL ||
	    coder_inbox_params(req, rep, 1, &p) != 0)
		return rep->status;
	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, "format") == 0 && fmt == NULL)
			fmt = req->params[i].value;
	if (fmt != NULL && fmt[0] != '\0' && strcmp(fmt, "markdown") != 0 &&
	    strcmp(fmt, "plaintext") != 0)
		return coder_fail(rep, 400, "Query parameters have invalid "
		    "values.", "Query param \"format\" must be one of "
		    "'markdown', 'plaintext'");
	if (s == NULL || !(s->kind & STREAM_WS))
		return coder_fail(rep, 500, "Failed to upgrade connection to "
		    "websocket.", s == NULL ? "the watch is served by herald "
		    "push, over a WebSocket upgrade" : "not a WebSocket "
		    "upgrade request");
	memcpy(s->templates, p.templates, sizeof(s->templates));
	s->ntemplates = p.ntemplates;
	memcpy(s->targets, p.targets, sizeof(s->targets));
	s->ntargets = p.ntargets;
	s->seen = strcmp(p.read_status, "read") == 0 ? 1 :
	    strcmp(p.read_status, "unread") == 0 ? 0 : -1;
	s->plaintext = fmt != NULL && strcmp(fmt, "plaintext") == 0;
	return stream_accept(req, rep, me, watch_frame,
	    STREAM_EV(CHANGE_CREATED));
}
