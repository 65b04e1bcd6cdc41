#ifndef JSONIO_H
#define JSONIO_H

#include <stddef.h>

struct json_object;

enum jsonio_rc { JSONIO_OK, JSONIO_EMPTY, JSONIO_SYNTAX, JSONIO_DEPTH,
	JSONIO_UTF8 };

/*
 * Parse exactly "len" bytes of "text" as one JSON value, with nesting
 * bounded by "depth".  On JSONIO_OK *out is a new reference (caller puts).
 */
enum jsonio_rc	jsonio_parse(const char *text, size_t len, int depth,
		    struct json_object **out);

/*
 * Typed getters on an object.  Return 1 and set *out (borrowed) when the
 * key holds the type, 0 when absent or null, -1 when of another type.
 */
int	jsonio_get_str(struct json_object *, const char *, const char **out);
int	jsonio_get_obj(struct json_object *, const char *,
	    struct json_object **out);
int	jsonio_get_arr(struct json_object *, const char *,
	    struct json_object **out);

/*
 * Append "o" (taken) to "arr"; a NULL "o" (a renderer out of memory)
 * sets *failed instead.  Returns what a row callback returns: 0 to go
 * on, 1 to stop.
 */
int	jsonio_append(struct json_object *arr, struct json_object *o,
	    int *failed);

/* One member of an object built from a table (jsonio_object). */
enum jsonio_kind { JSONIO_STR, JSONIO_BOOL, JSONIO_I64, JSONIO_VALUE };
struct jsonio_field {
	const char		*key;
	enum jsonio_kind	 kind;
	const char		*str;	/* JSONIO_STR; NULL: null */
	long long		 num;	/* JSONIO_BOOL, JSONIO_I64 */
	struct json_object	*value;	/* JSONIO_VALUE (taken); NULL: null */
};

/* A new object of the "n" fields, in order; NULL when out of memory
 * (the values are put either way). */
struct json_object *jsonio_object(const struct jsonio_field *, size_t n);

/* Text of "doc" (borrowed, valid until doc is put) and its length. */
const char *jsonio_text(struct json_object *, size_t *len);

/*
 * 1 when the "len" bytes of "text" are one JSON object or array exactly
 * as jsonio_text writes what jsonio_parse(text, len, depth) reads: no
 * white space, json-c's escapes, integers of at most 18 digits, no key
 * twice, nested less than "depth" deep.  Such text may be copied into an
 * answer as it is; 0 says only that it must be parsed to be known.
 */
int	jsonio_canonical(const char *text, size_t len, int depth);

/*
 * Stored JSON text into "b" as jsonio_text would write it once parsed:
 * as it is when canonical, else parsed (with "depth") and written
 * again; "dflt" when it is not an object (open '{') or an array ('[').
 * Returns what the jbuf writes return.
 */
struct jbuf;
int	jsonio_stored(struct jbuf *b, const char *text, int depth, char open,
	    const char *dflt);

#endif
