/* struct reply: the response a handler builds and the transport writes. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jbuf.h"
#include "jsonio.h"
#include "reply.h"

void
reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->ctype = "text/plain; charset=utf-8";
}

/* Drop the body: json-c's text goes with its document. */
static void
reply_body_free(struct reply *r)
{
	if (r->doc != NULL)
		json_object_put(r->doc);
	else
		free(r->body);
	r->doc = NULL;
	r->body = NULL;
}

void
reply_free(struct reply *r)
{
	if (r == NULL)
		return;
	reply_body_free(r);
	reply_init(r);
}

void
reply_reset(struct reply *r)
{
	reply_free(r);
}

static int
reply_set(struct reply *r, int status, const char *ctype, const char *text,
    size_t len)
{
	char	*copy;

	if ((copy = malloc(len + 1)) == NULL)
		return 500;
	memcpy(copy, text, len);
	copy[len] = '\0';
	reply_body_free(r);
	r->body = copy;
	r->bodysz = len;
	r->status = status;
	r->ctype = ctype;
	return status;
}

int
reply_json(struct reply *r, int status, struct json_object *doc)
{
	const char	*text;
	size_t		 len;

	if ((text = jsonio_text(doc, &len)) == NULL)
		return 500;
	/* The text lives in doc's buffer until the reference is put. */
	reply_body_free(r);
	r->doc = json_object_get(doc);
	r->body = (char *)(uintptr_t)text;
	r->bodysz = len;
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	return status;
}

int
reply_take(struct reply *r, int status, const char *ctype, char *body,
    size_t len)
{
	reply_body_free(r);
	r->body = body;
	r->bodysz = len;
	r->status = status;
	r->ctype = ctype;
	return status;
}

int
reply_jbuf(struct reply *r, int status, struct jbuf *b)
{
	char	*body;
	size_t	 len;

	if (b->over) {
		jbuf_free(b);
		return reply_fail(r, 500, HERR_INTERNAL, "the answer is larger "
		    "than reply_max");
	}
	body = jbuf_take(b, &len);
	return reply_take(r, status, "application/json; charset=utf-8", body,
	    len);
}

int
reply_text(struct reply *r, int status, const char *ctype, const char *text)
{
	return reply_set(r, status, ctype, text, strlen(text));
}

int
reply_fail(struct reply *r, int status, enum herr_code code, const char *fmt,
    ...)
{
	char	msg[HERR_MSG_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	herr_init(&r->err);
	herr_set(&r->err, status, code, "%s", msg);
	r->status = status;
	return status;
}

int
reply_err(struct reply *r, const struct herr *e)
{
	r->err = *e;
	r->status = e->status;
	return e->status;
}

int
reply_header(struct reply *r, const char *name, const char *value)
{
	size_t	len = strlen(r->extra);
	int	n;

	/* A header value never carries a line break into the block. */
	if (strpbrk(value, "\r\n") != NULL)
		return -1;
	n = snprintf(r->extra + len, sizeof(r->extra) - len, "%s: %s\r\n",
	    name, value);
	if (n < 0 || (size_t)n >= sizeof(r->extra) - len) {
		r->extra[len] = '\0';
		return -1;
	}
	return 0;
}

const char *
reply_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 304: return "Not Modified";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}

size_t
reply_head(const struct reply *r, char *buf, size_t bufsz)
{
	int	n;

	/* The reason phrase matters: without one nginx sends a bare status. */
	n = snprintf(buf, bufsz,
	    "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "%s\r\n",
	    r->status, reply_reason(r->status), r->ctype, r->bodysz, r->extra);
	if (n < 0 || (size_t)n >= bufsz)
		return 0;
	return (size_t)n;
}
