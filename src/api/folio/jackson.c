/*
 * The wire format of RMB modules: Jackson's DefaultPrettyPrinter.  Objects
 * open a line per member, indented two spaces a level, "key" : value;
 * arrays stay on the line ("[ a, b ]", "[ ]"); an empty object is "{ }".
 * FOLIO's clients and mod-notify's own tests match these strings.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "folio_int.h"

#define JK_DEPTH_MAX	64

struct jk {
	char	*buf;
	size_t	 len, cap;
	int	 oom;
};

static void
jk_put(struct jk *j, const char *s, size_t n)
{
	char	*nb;
	size_t	 cap;

	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		cap = j->cap == 0 ? 1024 : j->cap;
		while (cap < j->len + n + 1)
			cap *= 2;
		if ((nb = realloc(j->buf, cap)) == NULL) {
			j->oom = 1;
			return;
		}
		j->buf = nb;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void
jk_puts(struct jk *j, const char *s)
{
	jk_put(j, s, strlen(s));
}

static void
jk_indent(struct jk *j, int level)
{
	int	i;

	jk_put(j, "\n", 1);
	for (i = 0; i < level; i++)
		jk_put(j, "  ", 2);
}

/* A JSON string as Jackson escapes it: ", \ and controls, nothing else. */
static void
jk_string(struct jk *j, const char *s, size_t n)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i, from = 0;
	char			esc[7];

	jk_put(j, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char	ch = (unsigned char)s[i];
		const char	*e = NULL;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		jk_put(j, s + from, i - from);
		from = i + 1;
		switch (ch) {
		case '"':	e = "\\\""; break;
		case '\\':	e = "\\\\"; break;
		case '\n':	e = "\\n"; break;
		case '\r':	e = "\\r"; break;
		case '\t':	e = "\\t"; break;
		case '\b':	e = "\\b"; break;
		case '\f':	e = "\\f"; break;
		default:
			snprintf(esc, sizeof(esc), "\\u00%c%c", hex[ch >> 4],
			    hex[ch & 15]);
			e = esc;
		}
		jk_puts(j, e);
	}
	jk_put(j, s + from, n - from);
	jk_put(j, "\"", 1);
}

static void
jk_value(struct jk *j, struct json_object *v, int level)
{
	char		 num[64];
	size_t		 i, n;
	int		 first = 1;

	if (level > JK_DEPTH_MAX) {
		j->oom = 1;
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		jk_puts(j, "null");
		break;
	case json_type_boolean:
		jk_puts(j, json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_int:
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_object_get_int64(v));
		jk_puts(j, num);
		break;
	case json_type_double:
		/* The number as it was written, when json-c kept it. */
		jk_puts(j, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
		break;
	case json_type_string:
		jk_string(j, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		break;
	case json_type_array:
		n = json_object_array_length(v);
		if (n == 0) {
			jk_puts(j, "[ ]");
			break;
		}
		jk_puts(j, "[ ");
		for (i = 0; i < n; i++) {
			if (i > 0)
				jk_puts(j, ", ");
			jk_value(j, json_object_array_get_idx(v, i), level);
		}
		jk_puts(j, " ]");
		break;
	case json_type_object: {
		json_object_object_foreach(v, key, val) {
			/* Jackson leaves null members out (NON_NULL). */
			if (val == NULL)
				continue;
			jk_puts(j, first ? "{" : ",");
			first = 0;
			jk_indent(j, level + 1);
			jk_string(j, key, strlen(key));
			jk_puts(j, " : ");
			jk_value(j, val, level + 1);
		}
		if (first)
			jk_puts(j, "{ }");
		else {
			jk_indent(j, level);
			jk_puts(j, "}");
		}
		break;
	}
	}
}

char *
folio_jackson(struct json_object *doc, size_t *len)
{
	struct jk	j;

	memset(&j, 0, sizeof(j));
	jk_value(&j, doc, 0);
	if (j.oom) {
		free(j.buf);
		return NULL;
	}
	*len = j.len;
	return j.buf;
}
