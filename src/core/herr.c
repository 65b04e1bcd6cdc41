/* struct herr: an error as a value, rendered by a dialect. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "herr.h"
#include "util.h"

static const struct {
	const char	*name;
	int		 status;
} herr_codes[HERR__MAX] = {
	[HERR_NONE] =		{ "none", 0 },
	[HERR_BAD_QUERY] =	{ "bad_request", 400 },
	[HERR_BAD_JSON] =	{ "bad_json", 400 },
	[HERR_BAD_REQUEST] =	{ "bad_request", 400 },
	[HERR_INVALID] =	{ "invalid", 422 },
	[HERR_UNAUTHENTICATED] = { "unauthenticated", 401 },
	[HERR_FORBIDDEN] =	{ "forbidden", 403 },
	[HERR_NOT_FOUND] =	{ "not_found", 404 },
	[HERR_NO_ROUTE] =	{ "no_route", 404 },
	[HERR_METHOD] =		{ "method_not_allowed", 405 },
	[HERR_CONFLICT] =	{ "conflict", 409 },
	[HERR_TOO_LARGE] =	{ "too_large", 413 },
	[HERR_URI_TOO_LONG] =	{ "uri_too_long", 414 },
	[HERR_INTERNAL] =	{ "internal", 500 },
	[HERR_UNAVAILABLE] =	{ "unavailable", 503 },
};

void
herr_init(struct herr *e)
{
	memset(e, 0, sizeof(*e));
}

/* Copy "s" into dst[n], cut on a character boundary. */
static void
herr_copy(char *dst, size_t n, const char *s)
{
	size_t	len = strlen(s);

	if (len >= n)
		len = util_utf8_cut(s, n - 1);
	memcpy(dst, s, len);
	dst[len] = '\0';
}

int
herr_set(struct herr *e, int status, enum herr_code code, const char *fmt,
    ...)
{
	char	buf[HERR_MSG_MAX * 2];
	va_list	ap;

	e->status = status;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	herr_copy(e->message, sizeof(e->message), buf);
	return status;
}

void
herr_field(struct herr *e, enum herr_src src, const char *field,
    const char *value)
{
	e->src = src;
	herr_copy(e->field, sizeof(e->field), field);
	if (value != NULL) {
		herr_copy(e->value, sizeof(e->value), value);
		e->has_value = 1;
	}
}

void
herr_kv(struct herr *e, const char *key, const char *value)
{
	if (e->nkv == HERR_KV_MAX)
		return;
	e->kv[e->nkv].key = key;
	herr_copy(e->kv[e->nkv].value, sizeof(e->kv[0].value), value);
	e->nkv++;
}

const char *
herr_code_name(enum herr_code c)
{
	return c < HERR__MAX ? herr_codes[c].name : "internal";
}

int
herr_code_status(enum herr_code c)
{
	return c < HERR__MAX ? herr_codes[c].status : 500;
}
