/* Route lookup: segment matching against a const table, no regexes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

/*
 * Match "path" against "pattern" segment by segment.  {x} matches one
 * non-empty segment, recorded in caps.  Returns 1 on a match.
 */
static int
route_match(const char *pattern, char *path, const char **caps,
    const char **names, size_t *namelens, size_t *ncaps)
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
			names[*ncaps] = p + 1;
			namelens[*ncaps] = plen - 2;
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
	const char	*caps[REQ_CAPTURES_MAX], *names[REQ_CAPTURES_MAX];
	size_t		 lens[REQ_CAPTURES_MAX];
	size_t		 i, ncaps, k;
	int		 path_known = 0;
	char		*buf;

	if (req->path == NULL || (buf = strdup(req->path)) == NULL)
		return ROUTE_NOT_FOUND;
	for (i = 0; i < n; i++) {
		if (!route_match(tab[i].pattern, buf, caps, names, lens,
		    &ncaps))
			continue;
		path_known = 1;
		if (tab[i].method != req->method)
			continue;
		route_terminate(buf);
		for (k = 0; k < ncaps; k++) {
			req->captures[k] = caps[k];
			req->capnames[k] = names[k];
			req->capnamelen[k] = lens[k];
		}
		req->ncaptures = ncaps;
		free(req->capture_buf);
		req->capture_buf = buf;
		*out = &tab[i];
		return ROUTE_FOUND;
	}
	free(buf);
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

static const char *const route_methods[REQ__MAX] = {
	"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "OTHER"
};

const char *
route_method_name(enum req_method m)
{
	return m < REQ__MAX ? route_methods[m] : "OTHER";
}

void
route_allow(const struct route *tab, size_t n, const char *path, char *buf,
    size_t bufsz)
{
	const char	*caps[REQ_CAPTURES_MAX], *names[REQ_CAPTURES_MAX];
	size_t		 lens[REQ_CAPTURES_MAX], i, ncaps, len = 0;
	unsigned int	 seen = 0;
	char		*copy;
	int		 w;

	buf[0] = '\0';
	if ((copy = strdup(path)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((seen & (1u << tab[i].method)) ||
		    !route_match(tab[i].pattern, copy, caps, names, lens,
		    &ncaps))
			continue;
		seen |= 1u << tab[i].method;
		w = snprintf(buf + len, bufsz - len, "%s%s", len > 0 ? ", " :
		    "", route_method_name(tab[i].method));
		if (w < 0 || (size_t)w >= bufsz - len)
			break;
		len += (size_t)w;
	}
	free(copy);
}
