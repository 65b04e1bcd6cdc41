#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>

struct json_object;
struct note;

/*
 * Substitute {{name}} in "tmpl" with values of the notification:
 * subject, message, type, user, id, timestamp, email_address, and
 * payload.KEY[.KEY...] from its payload.  With "html", values are
 * HTML-escaped.  An unknown name or an unclosed "{{" is an error.
 * On success returns 0 and *out (caller frees); on error -1 with a
 * reason in err.
 */
int	render(const char *tmpl, int html, const struct note *,
	    struct json_object *payload, const char *address, char **out,
	    char *err, size_t errsz);

#endif
