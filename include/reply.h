#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

#include "herr.h"

struct json_object;

/* A response being built: status, content type, body. */
struct reply {
	int		 status;
	const char	*ctype;		/* static string */
	char		*body;		/* owned, or doc's text when doc is set */
	size_t		 bodysz;
	struct json_object *doc;	/* a reference holding body (reply_json) */
	char		 extra[512];	/* additional header lines, CRLF-terminated */
	struct herr	 err;		/* an error to render, when no body */
};

void	reply_init(struct reply *);
void	reply_free(struct reply *);
void	reply_reset(struct reply *);

/*
 * Set the body to the JSON text of "doc" (borrowed: the reply takes a
 * reference and sends json-c's own text, no copy).  Returns status.
 */
int	reply_json(struct reply *, int status, struct json_object *doc);

/* Take "body" (malloc'd, NUL-terminated) as the body.  Returns status. */
int	reply_take(struct reply *, int status, const char *ctype, char *body,
	    size_t len);

/*
 * Take the JSON text written in "b" as the body (the buffer is empty
 * after).  When a write to "b" did not fit, "b" is freed and a 500
 * (HERR_INTERNAL) recorded for the dialect to render instead.  Returns
 * the status.
 */
struct jbuf;
int	reply_jbuf(struct reply *, int status, struct jbuf *b);

/* Set a literal body.  Returns status. */
int	reply_text(struct reply *, int status, const char *ctype,
	    const char *text);

/*
 * Record an error for the dialect to render (no body is written here).
 * Returns the status.
 */
int	reply_fail(struct reply *, int status, enum herr_code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record "e" (copied) for the dialect to render.  Returns its status. */
int	reply_err(struct reply *, const struct herr *);

/* Append one header line ("Name: value"); 0, or -1 when it won't fit. */
int	reply_header(struct reply *, const char *name, const char *value);

/* HTTP reason phrase for a status ("Unknown" if not one we use). */
const char *reply_reason(int);

/* Write the CGI/FastCGI header block for "r" into buf; returns length. */
size_t	reply_head(const struct reply *, char *buf, size_t bufsz);

#endif
