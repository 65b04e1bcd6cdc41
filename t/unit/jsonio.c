/* t/unit/jsonio.c -- bounded JSON parsing and typed getters. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "jbuf.h"
#include "jsonio.h"
#include "tap.h"

static enum jsonio_rc
parse(const char *s, int depth, struct json_object **o)
{
	*o = NULL;
	return jsonio_parse(s, strlen(s), depth, o);
}

/*
 * jsonio_canonical("s") is "want", and a canonical text is what
 * jsonio_text writes once it is parsed: then copying it is exact.
 */
static void
canonical(const char *s, int want, const char *name)
{
	struct json_object	*o = NULL;
	const char		*t = NULL;
	size_t			 len = 0;
	int			 got = jsonio_canonical(s, strlen(s), 16);

	is_int(got, want, "canonical: %s", name);
	if (got && jsonio_parse(s, strlen(s), 16, &o) == JSONIO_OK)
		t = jsonio_text(o, &len);
	if (got)
		is_str(t, s, "canonical: %s: written back the same", name);
	json_object_put(o);
}

/* jsonio_stored("s") into a buffer. */
static void
stored(const char *s, char open, const char *want, const char *name)
{
	struct jbuf	b;

	jbuf_init(&b, 1 << 16);
	jsonio_stored(&b, s, 16, open, open == '{' ? "{}" : "[]");
	is_str(b.buf, want, "stored: %s", name);
	jbuf_free(&b);
}

int
main(void)
{
	struct json_object	*o, *a;
	const char		*s;
	char			 deep[200];
	size_t			 i;

	is_int(parse("{\"a\":\"x\",\"n\":1,\"l\":[1]}", 8, &o), JSONIO_OK, "object parses");
	is_int(jsonio_get_str(o, "a", &s), 1, "string field");
	is_str(s, "x", "string value");
	is_int(jsonio_get_str(o, "n", &s), -1, "number is not a string");
	is_int(jsonio_get_str(o, "missing", &s), 0, "absent field");
	is_int(jsonio_get_arr(o, "l", &a), 1, "array field");
	json_object_put(o);

	is_int(parse("", 8, &o), JSONIO_EMPTY, "empty body");
	is_int(parse("  \n", 8, &o), JSONIO_EMPTY, "blank body");
	is_int(parse("{\"a\":1", 8, &o), JSONIO_SYNTAX, "truncated JSON");
	is_int(parse("{\"a\":1} x", 8, &o), JSONIO_SYNTAX, "trailing garbage");
	is_int(parse("{\"a\":1}\n", 8, &o), JSONIO_OK, "trailing newline is fine");
	json_object_put(o);
	is_int(parse("[1,]", 8, &o), JSONIO_SYNTAX, "strict: no trailing comma");
	is_int(parse("{a:1}", 8, &o), JSONIO_SYNTAX, "strict: keys are quoted");
	is_int(parse("NaN", 8, &o), JSONIO_SYNTAX, "NaN is not JSON");
	is_int(parse("{\"a\":\"\xff\"}", 8, &o), JSONIO_UTF8, "invalid UTF-8 refused");

	for (i = 0; i < 100; i++)
		deep[i] = '[';
	for (i = 100; i < 200; i++)
		deep[i] = ']';
	is_int(jsonio_parse(deep, 200, 32, &o), JSONIO_DEPTH, "nesting past the bound refused");

	is_int(parse("{\"a\":\"x\\u0000y\"}", 8, &o), JSONIO_OK, "escaped NUL parses");
	is_int(jsonio_get_str(o, "a", &s), -1, "... but is refused as a string");
	json_object_put(o);

	/* json-c's strict mode takes these and writes them back: not JSON. */
	is_int(parse("[NaN]", 8, &o), JSONIO_SYNTAX, "NaN refused");
	is_int(parse("{\"a\":-Infinity}", 8, &o), JSONIO_SYNTAX,
	    "-Infinity refused");
	is_int(parse("[1.]", 8, &o), JSONIO_SYNTAX, "1. refused");
	is_int(parse("[1.e5]", 8, &o), JSONIO_SYNTAX, "1.e5 refused");
	is_int(parse("[1.5,-0.0,1e400,1E+5]", 8, &o), JSONIO_OK,
	    "fractions and exponents parse");
	json_object_put(o);
	is_int(parse("[\"NaN\\\" 1. Infinity\"]", 8, &o), JSONIO_OK,
	    "... and such text in a string");
	json_object_put(o);

	canonical("{}", 1, "empty object");
	canonical("[]", 1, "empty array");
	canonical("{\"a\":[1,-2,0,true,false,null,\"x/y\"],\"\":{}}", 1,
	    "every kind of value, '/' kept");
	canonical("[\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\"]", 1,
	    "json-c's escapes");
	canonical("[\"caf\xc3\xa9 \xe2\x80\xa8\x7f\"]", 1, "UTF-8 and DEL as is");
	canonical("[123456789012345678,-123456789012345678]", 1,
	    "18 digits");
	canonical("[1234567890123456789]", 0, "19 digits: parsed");
	canonical("[1.5]", 0, "a fraction: parsed");
	canonical("[1e3]", 0, "an exponent: parsed");
	canonical("[-0]", 0, "-0: parsed");
	canonical("[01]", 0, "a leading zero");
	canonical("[\"a\\/b\"]", 0, "\\/: json-c writes /");
	canonical("{\"\\u0000a\":1}", 0, "\\u0000: json-c cuts a key there");
	canonical("[\"\\u00e9\"]", 0, "\\u00e9: json-c writes UTF-8");
	canonical("[\"\\u000a\"]", 0, "\\u000a: json-c writes \\n");
	canonical("[\"\\u001F\"]", 0, "upper-case hex");
	canonical("[\"\x01\"]", 0, "a raw control character");
	canonical("{\"a\":1,\"a\":2}", 0, "a key twice: parsed");
	canonical("{\"a\": 1}", 0, "white space");
	canonical("[1,]", 0, "a trailing comma");
	canonical("[1]x", 0, "trailing text");
	canonical("[\"\xff\"]", 0, "not UTF-8");
	canonical("\"s\"", 0, "not a container");
	canonical("[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]", 1, "15 deep");
	canonical("[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]", 0, "16 deep: parsed");
	canonical("[\"\\u00", 0, "cut in an escape");
	canonical("{\"a\"", 0, "cut after a key");

	stored("[{\"l\":\"a/b\"}]", '[', "[{\"l\":\"a/b\"}]", "canonical: copied");
	stored("[ {\"l\" : \"a\\/b\\u00e9\", \"n\": 1.50} ]", '[',
	    "[{\"l\":\"a/b\xc3\xa9\",\"n\":1.50}]", "other JSON: as json-c writes it");
	stored("{\"x\":1,\"x\":2}", '{', "{\"x\":2}", "a key twice: json-c's last");
	stored("{\"a\":1}", '[', "[]", "not an array: the default");
	stored("[1,", '[', "[]", "not JSON: the default");
	stored(NULL, '[', "[]", "none: the default");
	stored("[1.]", '[', "[]", "1. (JSON_VALID takes it): the default");
	return done_testing();
}
