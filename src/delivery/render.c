/* Delivery templates: {{name}} substitution, HTML-escaped where needed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "render.h"
#include "store.h"
#include "util.h"

#define RENDER_MAX	(1024 * 1024)	/* bytes of output */
#define NAME_MAX_LEN	128

struct buf {
	char	*p;
	size_t	 len, cap;
	int	 failed;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	char	*np;
	size_t	 cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > RENDER_MAX) {
		b->failed = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_value(struct buf *b, const char *v, int html)
{
	const char	*esc;

	if (!html) {
		buf_add(b, v, strlen(v));
		return;
	}
	for (; *v != '\0'; v++) {
		switch (*v) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\'': esc = "&#39;"; break;
		default: esc = NULL; break;
		}
		if (esc != NULL)
			buf_add(b, esc, strlen(esc));
		else
			buf_add(b, v, 1);
	}
}

/* payload.a.b: walk objects; strings as they are, others as JSON text. */
static const char *
render_payload(struct json_object *payload, const char *path)
{
	struct json_object	*cur = payload;
	char			 key[NAME_MAX_LEN + 1];
	const char		*dot;
	size_t			 n;

	while (cur != NULL && *path != '\0') {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n == 0 || n > NAME_MAX_LEN ||
		    !json_object_is_type(cur, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(cur, key, &cur))
			return NULL;
		path += n + (dot != NULL);
	}
	if (cur == NULL)
		return "";
	if (json_object_is_type(cur, json_type_string))
		return json_object_get_string(cur);
	return json_object_to_json_string_ext(cur, JSON_C_TO_STRING_PLAIN);
}

static const char *
render_lookup(const char *name, const struct note *n,
    struct json_object *payload, const char *address, char *tmp, size_t tmpsz)
{
	if (strcmp(name, "subject") == 0)
		return n->subject;
	if (strcmp(name, "message") == 0)
		return n->body;
	if (strcmp(name, "type") == 0)
		return n->type;
	if (strcmp(name, "user") == 0)
		return n->user;
	if (strcmp(name, "email_address") == 0)
		return address != NULL ? address : "";
	if (strcmp(name, "id") == 0) {
		util_uuid_format(n->id, 1, tmp);
		return tmp;
	}
	if (strcmp(name, "timestamp") == 0) {
		snprintf(tmp, tmpsz, "%lld", (long long)n->created);
		return tmp;
	}
	if (strncmp(name, "payload.", 8) == 0)
		return render_payload(payload, name + 8);
	return NULL;
}

int
render(const char *tmpl, int html, const struct note *n,
    struct json_object *payload, const char *address, char **out,
    char *err, size_t errsz)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	const char	*p = tmpl, *open, *close, *v;
	char		 name[NAME_MAX_LEN + 1], tmp[64];
	size_t		 len;

	buf_add(&b, "", 0);
	while ((open = strstr(p, "{{")) != NULL) {
		buf_add(&b, p, (size_t)(open - p));
		if ((close = strstr(open + 2, "}}")) == NULL) {
			snprintf(err, errsz, "unclosed \"{{\" in template");
			goto fail;
		}
		open += 2;
		while (open < close && *open == ' ')
			open++;
		len = (size_t)(close - open);
		while (len > 0 && open[len - 1] == ' ')
			len--;
		if (len == 0 || len > NAME_MAX_LEN) {
			snprintf(err, errsz, "bad variable name in template");
			goto fail;
		}
		memcpy(name, open, len);
		name[len] = '\0';
		if ((v = render_lookup(name, n, payload, address, tmp,
		    sizeof(tmp))) == NULL) {
			snprintf(err, errsz, "template uses unknown variable "
			    "\"%s\"", name);
			goto fail;
		}
		buf_value(&b, v, html);
		p = close + 2;
	}
	buf_add(&b, p, strlen(p));
	if (b.failed) {
		snprintf(err, errsz, "rendered message too large");
		goto fail;
	}
	*out = b.p;
	return 0;
fail:
	free(b.p);
	return -1;
}
