/* Delivery templates: {{name}} substitution, HTML-escaped where needed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "render.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

#define RENDER_MAX	(1024 * 1024)	/* bytes of output */
#define NAME_MAX_LEN	128

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

struct render_ctx {
	const struct note	*n;
	struct json_object	*payload;
	const char		*address;
	char			 name[NAME_MAX_LEN + 1];
	char			 tmp[64];
};

static const char *
render_name(const char *name, size_t len, void *arg)
{
	struct render_ctx	*c = arg;

	if (len == 0 || len > NAME_MAX_LEN)
		return NULL;
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	return render_lookup(c->name, c->n, c->payload, c->address, c->tmp,
	    sizeof(c->tmp));
}

int
render(const char *tmpl, int html, const struct note *n,
    struct json_object *payload, const char *address, char **out,
    char *err, size_t errsz)
{
	struct render_ctx	 c = { n, payload, address, "", "" };
	const char		*bad = NULL;
	size_t			 badlen = 0;

	switch (tmpl_expand(tmpl, render_name, &c, html, RENDER_MAX, out,
	    &bad, &badlen)) {
	case TMPL_OK:
		return 0;
	case TMPL_UNCLOSED:
		snprintf(err, errsz, "unclosed \"{{\" in template");
		return -1;
	case TMPL_UNKNOWN:
		if (badlen == 0 || badlen > NAME_MAX_LEN)
			snprintf(err, errsz, "bad variable name in template");
		else
			snprintf(err, errsz, "template uses unknown variable "
			    "\"%.*s\"", (int)badlen, bad);
		return -1;
	default:
		snprintf(err, errsz, "rendered message too large");
		return -1;
	}
}
