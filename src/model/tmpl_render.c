/*
 * Coder's template texts (Go text/template) as far as its seeded and
 * custom templates use them: field and label references.  Anything else
 * inside {{ }} is refused rather than guessed at.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct rbuf {
	char	*p;
	size_t	 len, cap, max;
	int	 over;
};

static void
rbuf_add(struct rbuf *b, const char *s, size_t n)
{
	char	*np;
	size_t	 cap;

	if (b->over)
		return;
	if (b->len + n > b->max) {
		b->over = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap != 0 ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->over = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* The value of one action's text (trimmed), or NULL when unsupported. */
static const char *
render_value(const char *a, size_t n, const char *user, const char *email,
    const char *const *labels, size_t nlabels)
{
	static const char	lp[] = ".Labels.";
	size_t			i, kl;

	if (n == 9 && memcmp(a, ".UserName", 9) == 0)
		return user;
	if (n == 13 && memcmp(a, ".UserUsername", 13) == 0)
		return user;
	if (n == 10 && memcmp(a, ".UserEmail", 10) == 0)
		return email != NULL ? email : "";
	if (n <= sizeof(lp) - 1 || memcmp(a, lp, sizeof(lp) - 1) != 0)
		return NULL;
	a += sizeof(lp) - 1;
	kl = n - (sizeof(lp) - 1);
	for (i = 0; i < kl; i++)
		if (!(a[i] == '_' || (a[i] >= 'a' && a[i] <= 'z') ||
		    (a[i] >= 'A' && a[i] <= 'Z') || (a[i] >= '0' &&
		    a[i] <= '9')))
			return NULL;
	/* Go's map[string]string: a missing label is the empty string. */
	for (i = 0; i < nlabels; i++)
		if (strlen(labels[2 * i]) == kl &&
		    memcmp(labels[2 * i], a, kl) == 0)
			return labels[2 * i + 1];
	return "";
}

int
model_tmpl_render(const char *tmpl, const char *user, const char *email,
    const char *const *labels, size_t nlabels, size_t max, char **out,
    char *err, size_t errsz)
{
	struct rbuf	 b = { NULL, 0, 0, max, 0 };
	const char	*p = tmpl, *open, *close, *a, *v;
	size_t		 n;

	rbuf_add(&b, "", 0);
	while ((open = strstr(p, "{{")) != NULL) {
		rbuf_add(&b, p, (size_t)(open - p));
		if ((close = strstr(open + 2, "}}")) == NULL) {
			snprintf(err, errsz, "unclosed action");
			goto fail;
		}
		a = open + 2;
		n = (size_t)(close - a);
		while (n > 0 && (*a == ' ' || *a == '\t')) {
			a++;
			n--;
		}
		while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t'))
			n--;
		if ((v = render_value(a, n, user, email, labels, nlabels)) ==
		    NULL) {
			snprintf(err, errsz, "unsupported action {{%.*s}}",
			    (int)(n > 64 ? 64 : n), a);
			goto fail;
		}
		rbuf_add(&b, v, strlen(v));
		p = close + 2;
	}
	rbuf_add(&b, p, strlen(p));
	if (b.over) {
		snprintf(err, errsz, "the rendered text is too long");
		goto fail;
	}
	*out = b.p;
	return 0;
fail:
	free(b.p);
	return -1;
}
