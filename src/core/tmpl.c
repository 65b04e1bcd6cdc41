/* {{ name }} expansion into a bounded buffer. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jbuf.h"
#include "tmpl.h"

enum tmpl_rc
tmpl_expand(const char *tmpl, tmpl_lookup lookup, void *arg, int html,
    size_t max, char **out, const char **bad, size_t *badlen)
{
	struct jbuf	 b;
	const char	*p = tmpl, *open, *close, *name, *v;
	size_t		 n, len;

	jbuf_init(&b, max);
	jbuf_raw(&b, "", 0);
	while ((open = strstr(p, "{{")) != NULL) {
		jbuf_raw(&b, p, (size_t)(open - p));
		if ((close = strstr(open + 2, "}}")) == NULL) {
			jbuf_free(&b);
			return TMPL_UNCLOSED;
		}
		name = open + 2;
		n = (size_t)(close - name);
		while (n > 0 && (*name == ' ' || *name == '\t')) {
			name++;
			n--;
		}
		while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			n--;
		if ((v = lookup(name, n, arg)) == NULL) {
			jbuf_free(&b);
			*bad = name;
			*badlen = n;
			return TMPL_UNKNOWN;
		}
		if (html)
			jbuf_html(&b, v, strlen(v), JBUF_HTML_QUOT |
			    JBUF_HTML_APOS);
		else
			jbuf_lit(&b, v);
		p = close + 2;
	}
	jbuf_lit(&b, p);
	if (b.over) {
		jbuf_free(&b);
		return TMPL_TOO_LONG;
	}
	*out = jbuf_take(&b, &len);
	return TMPL_OK;
}
