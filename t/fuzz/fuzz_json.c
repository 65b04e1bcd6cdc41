/* libFuzzer: JSON input validation (jsonio_parse, jsonio_get_*, jsonio_text
 * in src/core/jsonio.c) as the agent's handlers use it, with the uuid helper;
 * and jsonio_canonical: what it lets be copied is what json-c writes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonio.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "type", "user", "subject",
	    "message", "email_template", "deactivation_date",
	    "activation_date", "" };
	struct json_object	*doc = NULL, *o, *v;
	const char		*s, *t;
	unsigned char		 id[16];
	size_t			 i, n, len;
	int			 depth, canon;

	/* The first byte picks the depth bound (2..33), as configured. */
	if (size == 0)
		return 0;
	depth = 2 + data[0] % 32;
	canon = jsonio_canonical((const char *)data + 1, size - 1, depth);
	if (jsonio_parse((const char *)data + 1, size - 1, depth, &doc) !=
	    JSONIO_OK) {
		if (canon)
			abort();
		return 0;
	}
	/* Canonical text is written back byte for byte. */
	if (canon && ((t = jsonio_text(doc, &len)) == NULL ||
	    len != size - 1 || memcmp(t, data + 1, len) != 0))
		abort();
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (jsonio_get_str(doc, keys[i], &s) == 1) {
			if (memchr(s, '\0', strlen(s)) != NULL)
				abort();
			(void)util_utf8_len(s, strlen(s));
			(void)util_blank(s);
		}
	}
	if (jsonio_get_obj(doc, "payload", &o) == 1 &&
	    (t = jsonio_text(o, &len)) != NULL) {
		/* What is stored must parse again within the same depth. */
		struct json_object *again = NULL;
		if (jsonio_parse(t, len, depth, &again) != JSONIO_OK)
			abort();
		json_object_put(again);
	}
	if (jsonio_get_arr(doc, "uuids", &o) == 1) {
		n = json_object_array_length(o);
		for (i = 0; i < n && i < 100000; i++) {
			v = json_object_array_get_idx(o, i);
			if (json_object_is_type(v, json_type_string))
				(void)util_uuid_parse(
				    json_object_get_string(v), id);
		}
	}
	(void)jsonio_text(doc, &len);
	json_object_put(doc);
	return 0;
}
