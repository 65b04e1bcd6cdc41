/* t/unit/jsonio.c -- bounded JSON parsing and typed getters. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "jsonio.h"
#include "tap.h"

static enum jsonio_rc
parse(const char *s, int depth, struct json_object **o)
{
	*o = NULL;
	return jsonio_parse(s, strlen(s), depth, o);
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
	return done_testing();
}
