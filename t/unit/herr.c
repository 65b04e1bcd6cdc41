/* t/unit/herr.c: struct herr, and each dialect's rendering of one. */
#include "config.h"

#include <string.h>

#include "herr.h"
#include "reply.h"
#include "request.h"
#include "tap.h"

int	agent_render_error(struct request *, struct reply *,
	    const struct herr *);
int	native_render_error(struct request *, struct reply *,
	    const struct herr *);

/* The body "fn" writes for "e". */
static const char *
render(int (*fn)(struct request *, struct reply *, const struct herr *),
    const struct herr *e, struct reply *rep)
{
	struct request	req;

	req_init(&req);
	reply_free(rep);
	fn(&req, rep, e);
	req_free(&req);
	return rep->body != NULL ? rep->body : "";
}

int
main(void)
{
	struct herr	e;
	struct reply	rep;
	char		big[600];

	reply_init(&rep);

	herr_init(&e);
	is_int(herr_set(&e, 422, HERR_INVALID, "title is longer than %d "
	    "characters", 512), 422, "herr_set returns the status");
	herr_field(&e, HERR_SRC_BODY, "title", NULL);
	is_str(render(native_render_error, &e, &rep),
	    "{\"error\":{\"status\":422,\"code\":\"invalid\",\"message\":"
	    "\"title is longer than 512 characters\",\"field\":\"title\"}}",
	    "native: status, code, message, field");
	is_int(rep.status, 422, "native keeps 422");
	is_str(render(agent_render_error, &e, &rep),
	    "{\"error_code\":\"ERR_BAD_OR_MISSING_FIELD\",\"reason\":"
	    "\"title is longer than 512 characters\"}",
	    "agent: a 422 is its 400 ERR_BAD_OR_MISSING_FIELD");
	is_int(rep.status, 400, "agent answers 400");

	herr_init(&e);
	herr_set(&e, 400, HERR_BAD_REQUEST, "missing or empty parameter: user");
	e.dcode = "ERR_ILLEGAL_ARGUMENT";
	herr_kv(&e, "code", "notification-agent.query/missing-or-empty-param");
	herr_kv(&e, "param", "user");
	is_str(render(agent_render_error, &e, &rep),
	    "{\"error_code\":\"ERR_ILLEGAL_ARGUMENT\",\"reason\":\"missing or "
	    "empty parameter: user\",\"code\":\"notification-agent.query/"
	    "missing-or-empty-param\",\"param\":\"user\"}",
	    "agent: its own code and the pairs, in order");
	is_str(render(native_render_error, &e, &rep),
	    "{\"error\":{\"status\":400,\"code\":\"ERR_ILLEGAL_ARGUMENT\","
	    "\"message\":\"missing or empty parameter: user\"}}",
	    "native: a dialect code wins over the generic one");

	herr_init(&e);
	herr_set(&e, 413, HERR_TOO_LARGE, "the request body is larger than "
	    "the configured limit");
	is_str(render(agent_render_error, &e, &rep),
	    "{\"error_code\":\"ERR_REQUEST_TOO_LARGE\",\"reason\":\"the "
	    "request body is larger than the configured limit\"}",
	    "agent: a transport 413");
	is_str(render(native_render_error, &e, &rep),
	    "{\"error\":{\"status\":413,\"code\":\"too_large\",\"message\":"
	    "\"the request body is larger than the configured limit\"}}",
	    "native: the same 413");

	/* Bounded copies cut on a character boundary. */
	memset(big, 'a', sizeof(big));
	memcpy(big + 258, "\xe2\x82\xac", 3);	/* U+20AC across the cut */
	big[sizeof(big) - 1] = '\0';
	herr_init(&e);
	herr_set(&e, 400, HERR_BAD_REQUEST, "%s", big + 4);
	is_int((long long)strlen(e.message), 254, "message cut before a "
	    "character that would not fit whole");
	herr_field(&e, HERR_SRC_QUERY, big, big);
	ok(strlen(e.field) < HERR_FIELD_MAX && e.has_value, "field bounded, "
	    "value kept");
	herr_kv(&e, "a", "1");
	herr_kv(&e, "b", "2");
	herr_kv(&e, "c", "3");
	herr_kv(&e, "d", "4");
	is_int((long long)e.nkv, HERR_KV_MAX, "at most HERR_KV_MAX pairs");
	is_str(herr_code_name(HERR_NO_ROUTE), "no_route", "code names");
	is_int(herr_code_status(HERR_UNAVAILABLE), 503, "code statuses");
	reply_free(&rep);
	return done_testing();
}
