/* libFuzzer: the query-string parser (req_parse_query, req_param,
 * req_pct_decode in src/http/request.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request	 r;
	const char	*v;
	char		*q;
	size_t		 i;
	long		 n;
	static const char *const names[] = { "user", "limit", "offset",
	    "sortField", "sortdir", "filter", "seen", "" };

	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';

	req_init(&r);
	if (req_parse_query(&r, q) == REQ_PARSE_OK) {
		/* Every parameter is a NUL-free, valid UTF-8 C string. */
		for (i = 0; i < r.nparams; i++) {
			if (!util_utf8_valid(r.params[i].name,
			    strlen(r.params[i].name)) ||
			    !util_utf8_valid(r.params[i].value,
			    strlen(r.params[i].value)))
				abort();
		}
	}
	if (r.nparams > REQ_PARAMS_MAX)
		abort();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)req_param(&r, names[i], 0, &v);
		if (req_param(&r, names[i], 1, &v) == 1 && v == NULL)
			abort();
	}
	for (i = 0; i < r.nparams; i++)
		if (req_param(&r, r.params[i].name, 0, &v) == 0)
			abort();	/* a parsed name must be found */
	req_free(&r);

	/* The decoder alone: never longer than its input. */
	n = req_pct_decode(q);
	if (n > (long)size || (n >= 0 && (size_t)n != strlen(q) &&
	    memchr(q, '\0', (size_t)n) == NULL))
		abort();
	free(q);
	return 0;
}
