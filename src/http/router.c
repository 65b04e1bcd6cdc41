/* Route lookup: segment matching against a const table, no regexes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "router.h"

/*
 * Match "path" against "pattern" segment by segment.  {x} matches one
 * non-empty segment, recorded in caps.  Returns 1 on a match.
 */
static int
route_match(const char *pattern, char *path, const char **caps, size_t *ncaps)
{
	const char	*p = pattern, *pe;
	char		*s = path, *se;
	size_t		 plen, slen;

	*ncaps = 0;
	for (;;) {
		if (*p == '\0' || *s == '\0')
			return *p == '\0' && *s == '\0';
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		pe = strchr(p, '/');
		plen = pe != NULL ? (size_t)(pe - p) : strlen(p);
		se = strchr(s, '/');
		slen = se != NULL ? (size_t)(se - s) : strlen(s);
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (slen == 0 || *ncaps == REQ_CAPTURES_MAX)
				return 0;
			caps[(*ncaps)++] = s;
		} else if (plen != slen || strncmp(p, s, plen) != 0)
			return 0;
		p += plen;
		s += slen;
	}
}

/* Cut the capture copy into NUL-terminated segments. */
static void
route_terminate(char *buf)
{
	char	*p;

	for (p = buf; *p != '\0'; p++)
		if (*p == '/')
			*p = '\0';
}

enum route_rc
route_lookup(const struct route *tab, size_t n, struct request *req,
    const struct route **out)
{
	const char	*caps[REQ_CAPTURES_MAX];
	size_t		 i, ncaps, k;
	int		 path_known = 0;
	char		*buf;

	if (req->path == NULL || (buf = strdup(req->path)) == NULL)
		return ROUTE_NOT_FOUND;
	for (i = 0; i < n; i++) {
		if (!route_match(tab[i].pattern, buf, caps, &ncaps))
			continue;
		path_known = 1;
		if (tab[i].method != req->method)
			continue;
		route_terminate(buf);
		for (k = 0; k < ncaps; k++)
			req->captures[k] = caps[k];
		req->ncaptures = ncaps;
		free(req->capture_buf);
		req->capture_buf = buf;
		*out = &tab[i];
		return ROUTE_FOUND;
	}
	free(buf);
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
