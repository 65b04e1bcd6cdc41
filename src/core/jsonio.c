/* JSON in and out, with json-c, bounded. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "jsonio.h"
#include "util.h"

enum jsonio_rc
jsonio_parse(const char *text, size_t len, int depth, struct json_object **out)
{
	struct json_tokener	*tok;
	struct json_object	*doc;
	enum json_tokener_error	 e;
	size_t			 i;

	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n')
			break;
	if (i == len)
		return JSONIO_EMPTY;
	/* json-c checks UTF-8 only with a flag, and NULs end strings early. */
	if (memchr(text, '\0', len) != NULL || !util_utf8_valid(text, len))
		return JSONIO_UTF8;
	if (len > (size_t)INT32_MAX)
		return JSONIO_SYNTAX;
	if ((tok = json_tokener_new_ex(depth)) == NULL)
		return JSONIO_SYNTAX;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	if (e == json_tokener_success &&
	    json_tokener_get_parse_end(tok) < len) {
		/* Trailing white space is fine, anything else is not. */
		for (i = json_tokener_get_parse_end(tok); i < len; i++)
			if (strchr(" \t\r\n", text[i]) == NULL)
				e = json_tokener_error_parse_unexpected;
	}
	json_tokener_free(tok);
	if (e != json_tokener_success) {
		json_object_put(doc);
		return e == json_tokener_error_depth ? JSONIO_DEPTH :
		    JSONIO_SYNTAX;
	}
	*out = doc;
	return JSONIO_OK;
}

static int
jsonio_get(struct json_object *obj, const char *key, enum json_type t,
    struct json_object **out)
{
	struct json_object	*v;

	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, t))
		return -1;
	*out = v;
	return 1;
}

int
jsonio_get_str(struct json_object *obj, const char *key, const char **out)
{
	struct json_object	*v;
	int			 rc;

	if ((rc = jsonio_get(obj, key, json_type_string, &v)) != 1)
		return rc;
	/* "\u0000" would cut a C string short: refuse it. */
	*out = json_object_get_string(v);
	if (strlen(*out) != (size_t)json_object_get_string_len(v))
		return -1;
	return 1;
}

int
jsonio_get_obj(struct json_object *obj, const char *key,
    struct json_object **out)
{
	return jsonio_get(obj, key, json_type_object, out);
}

int
jsonio_get_arr(struct json_object *obj, const char *key,
    struct json_object **out)
{
	return jsonio_get(obj, key, json_type_array, out);
}

const char *
jsonio_text(struct json_object *doc, size_t *len)
{
	return json_object_to_json_string_length(doc,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

int
jsonio_append(struct json_object *arr, struct json_object *o, int *failed)
{
	if (o == NULL || json_object_array_add(arr, o) != 0) {
		json_object_put(o);
		*failed = 1;
		return 1;
	}
	return 0;
}

struct json_object *
jsonio_object(const struct jsonio_field *f, size_t n)
{
	struct json_object	*o, *v;
	size_t			 i;

	o = json_object_new_object();
	for (i = 0; i < n; i++) {
		switch (f[i].kind) {
		case JSONIO_STR:
			v = f[i].str != NULL ?
			    json_object_new_string(f[i].str) : NULL;
			break;
		case JSONIO_BOOL:
			v = json_object_new_boolean(f[i].num != 0);
			break;
		case JSONIO_I64:
			v = json_object_new_int64(f[i].num);
			break;
		default:
			v = f[i].value;
			break;
		}
		if (o == NULL)
			json_object_put(v);
		else
			json_object_object_add(o, f[i].key, v);
	}
	return o;
}
