/* t/unit/jbuf.c: bounded JSON output, escaped exactly as json-c does. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jbuf.h"
#include "tap.h"

/* jbuf_str("s") against json-c's serialisation of the same string. */
static void
same_as_jsonc(const char *s, const char *name)
{
	struct json_object	*o = json_object_new_string(s);
	struct jbuf		 b;

	jbuf_init(&b, 1 << 20);
	jbuf_str(&b, s);
	is_str(b.buf, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "%s: escaped as json-c does", name);
	jbuf_free(&b);
	json_object_put(o);
}

int
main(void)
{
	struct jbuf	b;
	char		ctl[40], *p;
	size_t		len, i;

	same_as_jsonc("plain", "ASCII");
	same_as_jsonc("a \"quoted\" \\ back/slash", "quotes, backslash, slash");
	same_as_jsonc("tab\tnl\ncr\rbs\bff\f", "short escapes");
	for (i = 1; i < 32; i++)
		ctl[i - 1] = (char)i;
	ctl[31] = '\0';
	same_as_jsonc(ctl, "every control character");
	same_as_jsonc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x94", "UTF-8 as is");
	same_as_jsonc("", "empty");

	jbuf_init(&b, 1 << 20);
	b.noslash = 1;
	jbuf_str(&b, "a/b\t\"");
	is_str(b.buf, "\"a/b\\t\\\"\"", "noslash: '/' as jsonio_text keeps it");
	jbuf_free(&b);
	ok(b.noslash, "noslash: kept when the buffer is freed");

	jbuf_init(&b, 16);
	is_int(jbuf_lit(&b, "0123456789"), 0, "fits");
	is_int(jbuf_lit(&b, "0123456789"), -1, "over the bound: refused");
	ok(b.over, "... and remembered");
	is_int(jbuf_lit(&b, "x"), -1, "nothing more after that");
	is_str(b.buf, "0123456789", "the text before stays whole");
	jbuf_free(&b);

	jbuf_init(&b, 1 << 20);
	jbuf_lit(&b, "{");
	jbuf_key(&b, "n");
	jbuf_i64(&b, -42);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "s");
	jbuf_str(&b, NULL);
	jbuf_lit(&b, "}");
	p = jbuf_take(&b, &len);
	is_str(p, "{\"n\":-42,\"s\":null}", "keys, numbers, null");
	is_int((long long)len, 18, "with its length");
	ok(b.buf == NULL && b.len == 0, "taken: the buffer is empty");
	free(p);
	return done_testing();
}
