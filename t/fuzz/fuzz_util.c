/* libFuzzer: the UTF-8, integer and uuid helpers of src/core/util.c, each
 * checked against a simple reference. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Reference UTF-8 check, written differently from util_utf8_valid. */
static int
ref_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;
	uint32_t	cp;

	while (i < len) {
		unsigned char c = s[i];
		size_t need;
		if (c < 0x80) { i++; continue; }
		else if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
		else return 0;
		if (i + need >= len)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	 id[16];
	char		 out[UUID_STR_LEN], *s;
	long long	 v;
	size_t		 n;

	if (util_utf8_valid((const char *)data, size) != ref_utf8(data, size))
		abort();
	if (util_utf8_valid((const char *)data, size) &&
	    (n = util_utf8_len((const char *)data, size)) > size)
		abort();

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (util_uuid_parse(s, id) == 0) {
		util_uuid_format(id, 1, out);
		if (strcasecmp(out, s) != 0)
			abort();
		util_uuid_format(id, 0, out);
		if (strcasecmp(out, s) != 0)
			abort();
	}
	if (util_strtoll(s, INT64_MIN, INT64_MAX, &v) == 0) {
		/* Accepted: digits with an optional sign, nothing else. */
		const char *p = s + (*s == '-' || *s == '+');
		if (*p == '\0')
			abort();
		for (; *p != '\0'; p++)
			if (!isdigit((unsigned char)*p))
				abort();
	}
	(void)util_strtoll(s, 0, 1000, &v);
	(void)util_blank(s);
	free(s);
	return 0;
}
