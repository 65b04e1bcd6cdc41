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

/*
 * What such a delivery carries, every field borrowed: the delivery's id
 * (Coder's msg_id), the notification as rendered, its template's name
 * and the recipient's e-mail (NULL when none), the note's data object.
 */
struct coder_msg {
	const unsigned char	*id;
	const struct note	*note;
	const char		*tmpl_name;
	const char		*email;
	struct json_object	*data;
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
enum send_rc	coder_send_smtp(const struct cfg *,
		    const struct coder_msg *, const char *to, char *err,
		    size_t errsz);

#endif
