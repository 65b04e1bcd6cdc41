/* JSON in and out, with json-c, bounded. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "jbuf.h"
#include "jsonio.h"
#include "util.h"

/*
 * json-c's strict mode still reads NaN, Infinity, -Infinity, "1." and
 * "1.e5", and writes them back so: not JSON (and MariaDB's JSON_VALID
 * keeps "1.").  In text json-c has read, outside the strings only such a
 * number has an 'N' or an 'I', or a '.' without a digit after it.
 */
static int
jsonio_numbers_ok(const char *s, size_t len)
{
	size_t	i;
	int	in = 0;

	for (i = 0; i < len; i++) {
		if (in) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in = 0;
		} else if (s[i] == '"')
			in = 1;
		else if (s[i] == 'N' || s[i] == 'I' || (s[i] == '.' &&
		    (i + 1 == len || s[i + 1] < '0' || s[i + 1] > '9')))
			return 0;
	}
	return 1;
}

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
	if (e == json_tokener_success && !jsonio_numbers_ok(text, len))
		e = json_tokener_error_parse_number;
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

/* --- canonical text: what json-c writes, checked without parsing --- */

#define CANON_KEYS_MAX	64	/* keys of one object compared for repeats */

struct canon {
	const char	*s;
	size_t		 len;
	size_t		 at;
	int		 depth;	/* containers still allowed */
};

static int	canon_value(struct canon *);

static int
canon_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A string as json-c escapes it ('/' kept, as jsonio_text asks). */
static int
canon_string(struct canon *c)
{
	unsigned int	 v;

	if (c->at >= c->len || c->s[c->at] != '"')
		return 0;
	for (c->at++; c->at < c->len; c->at++) {
		unsigned char	ch = (unsigned char)c->s[c->at];

		if (ch == '"') {
			c->at++;
			return 1;
		}
		if (ch < 0x20)
			return 0;
		if (ch != '\\')
			continue;
		if (++c->at >= c->len)
			return 0;
		switch (c->s[c->at]) {
		case '"': case '\\': case 'b': case 'f': case 'n': case 'r':
		case 't':
			continue;
		case 'u':
			break;
		default:
			return 0;
		}
		/* \u00xx, lower-case, only for what has no short escape. */
		if (c->len - c->at < 5 || c->s[c->at + 1] != '0' ||
		    c->s[c->at + 2] != '0' || c->s[c->at + 3] > '1' ||
		    !canon_hex(c->s[c->at + 3]) || !canon_hex(c->s[c->at + 4]))
			return 0;
		v = (c->s[c->at + 3] == '1' ? 16 : 0) + (unsigned int)
		    (c->s[c->at + 4] <= '9' ? c->s[c->at + 4] - '0' :
		    c->s[c->at + 4] - 'a' + 10);
		/* A NUL would cut a key short in json-c: parse that. */
		if (v == 0 || v == '\b' || v == '\t' || v == '\n' ||
		    v == '\f' || v == '\r')
			return 0;
		c->at += 4;
	}
	return 0;
}

/* An integer json-c writes back the same: no "-0", within int64. */
static int
canon_number(struct canon *c)
{
	size_t	start;
	int	neg = c->s[c->at] == '-';

	start = c->at += neg;
	while (c->at < c->len && c->s[c->at] >= '0' && c->s[c->at] <= '9')
		c->at++;
	if (c->at == start || c->at - start > 18 ||
	    (c->s[start] == '0' && (c->at - start > 1 || neg)))
		return 0;
	return c->at == c->len || strchr(",]}", c->s[c->at]) != NULL;
}

static int
canon_word(struct canon *c, const char *w)
{
	size_t	n = strlen(w);

	if (c->len - c->at < n || memcmp(c->s + c->at, w, n) != 0)
		return 0;
	c->at += n;
	return 1;
}

/* An object's keys, to find one written twice. */
struct canon_keys {
	size_t	at[CANON_KEYS_MAX];
	size_t	len[CANON_KEYS_MAX];
	size_t	n;
};

/* A key and its colon; canonical keys that differ differ byte for byte. */
static int
canon_key(struct canon *c, struct canon_keys *k)
{
	size_t	start = c->at, i;

	if (k->n == CANON_KEYS_MAX || !canon_string(c))
		return 0;
	k->at[k->n] = start;
	k->len[k->n] = c->at - start;
	for (i = 0; i < k->n; i++)
		if (k->len[i] == k->len[k->n] &&
		    memcmp(c->s + k->at[i], c->s + start, k->len[i]) == 0)
			return 0;
	k->n++;
	return c->at < c->len && c->s[c->at++] == ':';
}

/* An object or an array, at its opening bracket. */
static int
canon_container(struct canon *c)
{
	struct canon_keys	 keys;
	char			 close = c->s[c->at] == '{' ? '}' : ']';

	keys.n = 0;
	if (++c->at < c->len && c->s[c->at] == close) {
		c->at++;
		return 1;
	}
	for (;;) {
		if ((close == '}' && !canon_key(c, &keys)) ||
		    !canon_value(c) || c->at >= c->len)
			return 0;
		if (c->s[c->at] == close) {
			c->at++;
			return 1;
		}
		if (c->s[c->at++] != ',')
			return 0;
	}
}

static int
canon_value(struct canon *c)
{
	int	ok;

	if (c->at >= c->len)
		return 0;
	switch (c->s[c->at]) {
	case '{':
	case '[':
		if (c->depth-- <= 0)
			return 0;
		ok = canon_container(c);
		c->depth++;
		return ok;
	case '"':
		return canon_string(c);
	case 't':
		return canon_word(c, "true");
	case 'f':
		return canon_word(c, "false");
	case 'n':
		return canon_word(c, "null");
	default:
		return canon_number(c);
	}
}

int
jsonio_canonical(const char *text, size_t len, int depth)
{
	struct canon	c = { text, len, 0, depth - 1 };

	/* jsonio_parse refuses what is not UTF-8, or holds a NUL. */
	if (len == 0 || (text[0] != '{' && text[0] != '[') ||
	    memchr(text, '\0', len) != NULL || !util_utf8_valid(text, len))
		return 0;
	return canon_value(&c) && c.at == len;
}

int
jsonio_stored(struct jbuf *b, const char *text, int depth, char open,
    const char *dflt)
{
	struct json_object	*v = NULL;
	const char		*out;
	size_t			 len = text != NULL ? strlen(text) : 0;
	int			 rc;

	if (len > 0 && text[0] == open && jsonio_canonical(text, len, depth))
		return jbuf_raw(b, text, len);
	/* Another program's JSON (an import, a hand edit): as parsed. */
	if (len == 0 || jsonio_parse(text, len, depth, &v) != JSONIO_OK ||
	    !json_object_is_type(v, open == '{' ? json_type_object :
	    json_type_array) || (out = jsonio_text(v, &len)) == NULL)
		rc = jbuf_lit(b, dflt);
	else
		rc = jbuf_raw(b, out, len);
	json_object_put(v);
	return rc;
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
