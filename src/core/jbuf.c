/* struct jbuf: bounded JSON output without a document tree. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jbuf.h"

void
jbuf_init(struct jbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
jbuf_free(struct jbuf *b)
{
	int	noslash;

	if (b == NULL)
		return;
	noslash = b->noslash;
	free(b->buf);
	jbuf_init(b, b->max);
	b->noslash = noslash;
}

int
jbuf_raw(struct jbuf *b, const char *s, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->over || n > b->max - b->len) {
		b->over = 1;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap > 0 ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->buf, cap)) == NULL) {
			b->over = 1;
			return -1;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

int
jbuf_lit(struct jbuf *b, const char *s)
{
	return jbuf_raw(b, s, strlen(s));
}

int
jbuf_str(struct jbuf *b, const char *s)
{
	const char	*run;
	char		 esc[8];

	if (s == NULL)
		return jbuf_lit(b, "null");
	if (jbuf_raw(b, "\"", 1) != 0)
		return -1;
	for (run = s; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\' &&
		    (c != '/' || b->noslash))
			continue;
		jbuf_raw(b, run, (size_t)(s - run));
		switch (c) {
		case '"':  jbuf_lit(b, "\\\""); break;
		case '\\': jbuf_lit(b, "\\\\"); break;
		case '/':  jbuf_lit(b, "\\/"); break;	/* as json-c does */
		case '\b': jbuf_lit(b, "\\b"); break;
		case '\f': jbuf_lit(b, "\\f"); break;
		case '\n': jbuf_lit(b, "\\n"); break;
		case '\r': jbuf_lit(b, "\\r"); break;
		case '\t': jbuf_lit(b, "\\t"); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jbuf_lit(b, esc);
			break;
		}
		run = s + 1;
	}
	jbuf_raw(b, run, (size_t)(s - run));
	return jbuf_raw(b, "\"", 1);
}

int
jbuf_html(struct jbuf *b, const char *s, size_t n, unsigned int flags)
{
	const char	*rep;
	size_t		 i, start = 0;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = flags & JBUF_HTML_QUOT ? "&quot;" : NULL; break;
		case '\'': rep = flags & JBUF_HTML_APOS ? "&#39;" : NULL; break;
		default: rep = NULL; break;
		}
		if (rep == NULL)
			continue;
		jbuf_raw(b, s + start, i - start);
		jbuf_lit(b, rep);
		start = i + 1;
	}
	return jbuf_raw(b, s + start, n - start);
}

int
jbuf_i64(struct jbuf *b, long long v)
{
	char	num[32];

	snprintf(num, sizeof(num), "%lld", v);
	return jbuf_lit(b, num);
}

int
jbuf_lit_str(struct jbuf *b, const char *lit, const char *s)
{
	jbuf_lit(b, lit);
	return jbuf_str(b, s);
}

int
jbuf_lit_i64(struct jbuf *b, const char *lit, long long v)
{
	jbuf_lit(b, lit);
	return jbuf_i64(b, v);
}

int
jbuf_key(struct jbuf *b, const char *k)
{
	jbuf_str(b, k);
	return jbuf_raw(b, ":", 1);
}

char *
jbuf_take(struct jbuf *b, size_t *len)
{
	char	*p = b->buf;

	*len = b->len;
	b->buf = NULL;
	b->len = b->cap = 0;
	return p;
}
