/*
 * What every dialect's stream route shares: accepting a stream for a
 * user, and Coder's format=plaintext (markdown through libcmark's tree,
 * keeping the text and dropping the markup).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "herr.h"
#include "jbuf.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "stream.h"
#include "util.h"

#define PLAIN_MAX	(NOTE_BODY_MAX * 2)

int
stream_accept(struct request *req, struct reply *rep, const char *user,
    stream_frame_fn frame, unsigned int events)
{
	struct stream	*s = req->stream;
	struct herr	 e;
	int		 rc;

	herr_init(&e);
	if (model_may_act_for(req->ctx, user, &e) != 0)
		return reply_err(rep, &e);
	if ((rc = model_user_find(req->ctx, user, s->user_id, s->user,
	    sizeof(s->user), &e)) < 0)
		return reply_err(rep, &e);
	/* Users are made on first reference: watching one is one. */
	if (rc == 0) {
		if (model_store_err(store_user_ensure(req->ctx->st,
		    req->ctx->tenant, user, req->ctx->now), &e) != 0)
			return reply_err(rep, &e);
		if (model_user_find(req->ctx, user, s->user_id, s->user,
		    sizeof(s->user), &e) != 1) {
			if (e.status == 0)
				herr_set(&e, 503, HERR_UNAVAILABLE,
				    "the user could not be made");
			return reply_err(rep, &e);
		}
	}
	snprintf(s->tenant, sizeof(s->tenant), "%s", req->ctx->tenant);
	s->frame = frame;
	s->events = events;
	s->accepted = 1;
	rep->status = 200;
	return 200;
}

/* Append the text of the tree under "root" to "b". */
static void
plain_walk(cmark_node *root, struct jbuf *b)
{
	cmark_iter		*it;
	cmark_event_type	 ev;
	cmark_node		*n;
	const char		*lit;
	int			 blocks = 0;

	if ((it = cmark_iter_new(root)) == NULL)
		return;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			if ((lit = cmark_node_get_literal(n)) != NULL)
				jbuf_raw(b, lit, strlen(lit));
			break;
		case CMARK_NODE_SOFTBREAK:
			jbuf_lit(b, " ");
			break;
		case CMARK_NODE_LINEBREAK:
			jbuf_lit(b, "\n");
			break;
		case CMARK_NODE_PARAGRAPH:
		case CMARK_NODE_HEADING:
		case CMARK_NODE_ITEM:
			/* Blocks one per line, as their text reads. */
			if (ev == CMARK_EVENT_ENTER && blocks++ > 0)
				jbuf_lit(b, "\n");
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

char *
stream_plaintext(const char *md)
{
	cmark_node	*doc;
	struct jbuf	 b;
	char		*out;
	size_t		 len;

	if ((doc = cmark_parse_document(md, strlen(md),
	    CMARK_OPT_DEFAULT)) == NULL)
		return NULL;
	jbuf_init(&b, PLAIN_MAX);
	plain_walk(doc, &b);
	cmark_node_free(doc);
	jbuf_lit(&b, "");
	/* A code block keeps its last newline; the text does not. */
	while (b.len > 0 && b.buf[b.len - 1] == '\n')
		b.buf[--b.len] = '\0';
	if (b.over) {
		jbuf_free(&b);
		return NULL;
	}
	out = jbuf_take(&b, &len);
	return out != NULL ? out : strdup("");
}
