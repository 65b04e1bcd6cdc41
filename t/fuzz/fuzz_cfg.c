/* libFuzzer: the configuration parser (cfg_parse in src/core/cfg.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg	*c;
	char		*text, err[512];

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((c = malloc(sizeof(*c))) == NULL) {
		free(text);
		return 0;
	}
	cfg_defaults(c);
	err[0] = '\0';
	if (cfg_parse(text, "fuzz.conf", c, err, sizeof(err)) == 0) {
		/* Accepted values are in range and strings terminated. */
		if (c->workers < 1 || c->workers > 256 || c->body_max < 1024 ||
		    c->json_depth < 2 || c->json_depth > 1000 ||
		    memchr(c->listen, '\0', sizeof(c->listen)) == NULL ||
		    memchr(c->db_password, '\0', sizeof(c->db_password)) ==
		    NULL)
			abort();
	} else if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	cfg_clear(c);
	free(c);
	free(text);
	return 0;
}
