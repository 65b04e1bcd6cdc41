/* Coder's comma-separated UUID query values (httpapi.UUIDs). */
#include "config.h"

#include <string.h>

#include "coder_int.h"
#include "util.h"

#define CODER_UUID_TEXT	64	/* longer than any UUID, trimmed or not */

int
coder_uuid_csv(const char *v, unsigned char (*out)[16], size_t max,
    size_t *n, char *bad, size_t badsz)
{
	const char	*p = v, *end, *s, *t;
	char		 one[CODER_UUID_TEXT + 1];
	unsigned char	 id[16];
	size_t		 len, blen = 0;
	int		 rc = 0, over = 0;

	*n = 0;
	if (badsz > 0)
		bad[0] = '\0';
	for (;;) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		/* Go trims Unicode space; ASCII white space is what occurs. */
		for (s = p; s < end && strchr(" \t\r\n\v\f", *s) != NULL; s++)
			;
		for (t = end; t > s && strchr(" \t\r\n\v\f", t[-1]) != NULL;
		    t--)
			;
		len = (size_t)(t - s);
		if (len <= CODER_UUID_TEXT) {
			memcpy(one, s, len);
			one[len] = '\0';
		}
		if (len > CODER_UUID_TEXT || util_uuid_parse(one, id) != 0) {
			/* The value as sent, untrimmed, as Go reports it. */
			len = (size_t)(end - p);
			if (blen > 0 && blen + 1 < badsz)
				bad[blen++] = ',';
			if (blen + len >= badsz)
				len = badsz > blen + 1 ? badsz - blen - 1 : 0;
			len = util_utf8_cut(p, len);
			memcpy(bad + blen, p, len);
			blen += len;
			if (badsz > 0)
				bad[blen] = '\0';
			rc = 1;
		} else if (*n < max)
			memcpy(out[(*n)++], id, 16);
		else
			over = 1;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return rc != 0 ? rc : over ? 2 : 0;
}
