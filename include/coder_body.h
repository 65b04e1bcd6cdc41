#ifndef CODER_BODY_H
#define CODER_BODY_H

/*
 * Deliveries of a notification made from a template (Coder's enqueuer,
 * issue J): sent as the template rendered the notification, by Coder's
 * rules rather than by a delivery template.
 */
#include <stddef.h>

#include "send.h"

struct cfg;
struct json_object;
struct note;

/* What such a delivery carries; every field borrowed. */
struct coder_msg {
	const unsigned char	*id;		/* the delivery: Coder's msg_id */
	const struct note	*note;		/* rendered title, body, ... */
	const char		*tmpl_name;	/* NULL when none */
	const char		*email;		/* the recipient's; NULL none */
	struct json_object	*data;		/* the note's data object */
};

/*
 * Coder's webhook body {_version "1.0", msg_id, payload (its
 * types.MessagePayload, _version "1.2"), title, body} with title and
 * body as plain text; *out caller frees.  0, or -1 with a reason.
 */
int		coder_webhook_body(const struct coder_msg *, char **out,
		    char *err, size_t errsz);
/* POST it to webhook_url with X-Message-Id. */
enum send_rc	coder_send_webhook(const struct cfg *,
		    const struct coder_msg *, char *err, size_t errsz);
/* E-mail it to "to": the plain text of the title and the body. */
enum send_rc	coder_send_smtp(const struct cfg *, const struct coder_msg *,
		    const char *to, char *err, size_t errsz);

#endif
