/*
 * What every dialect's stream route shares: accepting a stream for a
 * user, and Coder's format=plaintext (src/core/markdown.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herr.h"
#include "markdown.h"
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

char *
stream_plaintext(const char *md)
{
	return md_plaintext(md, PLAIN_MAX);
}
