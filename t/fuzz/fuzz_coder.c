/*
 * libFuzzer: the Coder dialect's hand-written parsers: the comma list of
 * UUIDs (src/api/coder/query.c) and the template texts
 * (src/model/tmpl_render.c), and a template's actions rendered.  The
 * input's first byte picks one.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../src/api/coder/coder_int.h"
#include "jsonio.h"
#include "model.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = { "custom_title", "T",
	    "custom_message", "M" };
	unsigned char	 ids[4][16];
	char		 bad[128], err[128], *s, *out = NULL;
	size_t		 n = 99;
	int		 rc;

	if (size < 1 || (s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1) {
		rc = coder_uuid_csv(s, ids, 4, &n, bad, sizeof(bad));
		/* Bounded, terminated, and valid UTF-8 when the input is. */
		if (n > 4 || rc < 0 || rc > 2 || strlen(bad) >= sizeof(bad) ||
		    (util_utf8_valid(s, strlen(s)) &&
		    !util_utf8_valid(bad, strlen(bad))))
			abort();
	} else if (data[0] & 2) {
		struct json_object	*v = NULL;

		rc = model_tmpl_render_actions(s, "user", NULL, labels, 2,
		    &out, err, sizeof(err));
		/* Rendered: a JSON array of at most 10 actions. */
		if (rc == 0 && (out == NULL || jsonio_parse(out, strlen(out),
		    4, &v) != JSONIO_OK || !json_object_is_type(v,
		    json_type_array) || json_object_array_length(v) >
		    NOTE_ACTIONS_MAX))
			abort();
		if (rc != 0 && out != NULL)
			abort();
		json_object_put(v);
		free(out);
	} else {
		rc = model_tmpl_render(s, "user", NULL, labels, 2, 4096, &out,
		    err, sizeof(err));
		if (rc == 0 && (out == NULL || strlen(out) > 4096))
			abort();
		free(out);
	}
	free(s);
	return 0;
}
