/*
 * libFuzzer: the HTML sanitiser (src/core/html.c).  Besides crashes and
 * leaks, it checks the properties the store relies on: the output has
 * no tag outside the allow-list's, no event handler, no javascript: or
 * data: URL, and neither has the output of sanitising it again (the
 * parser may nest a second reading differently: <b><p> is not stable).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"

/* A case-insensitive search, for the checks. */
static const char *
fz_find(const char *h, const char *n)
{
	size_t	ln = strlen(n);

	for (; *h != '\0'; h++)
		if (strncasecmp(h, n, ln) == 0)
			return h;
	return NULL;
}

/*
 * The output's grammar: every '<' opens one of our tags, whose only
 * attributes are ours, each name="value" with no '"' or '<' in the
 * value; no href leads to script.  Anything else aborts.
 */
static void
fz_check(const char *s)
{
	static const char *const tags[] = { "a", "b", "i", "em", "strong",
	    "u", "br", "p", "span", "ul", "ol", "li", "code", "pre", NULL };
	static const char *const attrs[] = { "href", "target", "title",
	    "class", NULL };
	const char	*p, *q;
	size_t		 i, n;

	if (strchr(s, '>') != NULL && strchr(s, '<') == NULL)
		abort();
	for (p = s; (p = strchr(p, '<')) != NULL; ) {
		p += 1 + (p[1] == '/');
		n = strcspn(p, " >");
		for (i = 0; tags[i] != NULL; i++)
			if (strlen(tags[i]) == n && strncmp(p, tags[i], n) == 0)
				break;
		if (tags[i] == NULL)
			abort();
		for (p += n; *p == ' '; ) {
			p++;
			n = strcspn(p, "=");
			for (i = 0; attrs[i] != NULL; i++)
				if (strlen(attrs[i]) == n &&
				    strncmp(p, attrs[i], n) == 0)
					break;
			if (attrs[i] == NULL || p[n + 1] != '"')
				abort();
			q = p + n + 2;
			if (strncmp(p, "href", 4) == 0 &&
			    (fz_find(q, "javascript:") == q ||
			    fz_find(q, "data:") == q ||
			    fz_find(q, "vbscript:") == q))
				abort();
			if ((q = strchr(q, '"')) == NULL ||
			    memchr(p, '<', (size_t)(q - p)) != NULL)
				abort();
			p = q + 1;
		}
		if (*p != '>')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*out = NULL, *again = NULL;
	size_t	 len = 0, len2 = 0;

	if (memchr(data, '\0', size) != NULL)
		return 0;
	if (html_sanitize((const char *)data, size, &out, &len) != 0)
		return 0;
	if (strlen(out) != len)
		abort();
	fz_check(out);
	if (html_sanitize(out, len, &again, &len2) != 0)
		abort();
	fz_check(again);
	free(again);
	free(out);
	return 0;
}
