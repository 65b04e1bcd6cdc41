/*
 * libFuzzer: the Coder dialect's hand-written parsers: the comma list of
 * UUIDs (src/api/coder/query.c) and the template texts
 * (src/model/tmpl_render.c).  The input's first byte picks one.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/api/coder/coder_int.h"
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
