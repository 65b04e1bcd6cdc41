#ifndef JBUF_H
#define JBUF_H

/*
 * Text written straight into one growing buffer, bounded: listings
 * render their JSON rows here as they come from the database (stored
 * JSON copied in as it is, never parsed and serialised again), and the
 * template renderers and the HTML sanitiser build their output here.
 */
#include <stddef.h>

struct jbuf {
	char	*buf;		/* NUL-terminated; owned */
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* bytes it may hold */
	int	 over;		/* a write did not fit (or memory ran out) */
	int	 noslash;	/* jbuf_str keeps '/' as jsonio_text does */
};

void	jbuf_init(struct jbuf *, size_t max);
void	jbuf_free(struct jbuf *);
/* Each returns 0, or -1 (and sets over) when the text did not fit. */
int	jbuf_raw(struct jbuf *, const char *, size_t);
int	jbuf_lit(struct jbuf *, const char *);
/*
 * A JSON string, escaped as json-c escapes it ('/' as "\/", unless the
 * buffer is noslash: then as jsonio_text writes it); NULL writes null.
 */
int	jbuf_str(struct jbuf *, const char *);
int	jbuf_i64(struct jbuf *, long long);
/* HTML-escaped text: & < > always, and " and ' when asked. */
#define JBUF_HTML_QUOT	0x01
#define JBUF_HTML_APOS	0x02
int	jbuf_html(struct jbuf *, const char *, size_t, unsigned int flags);
/* A literal (a key and its punctuation), then a string or a number. */
int	jbuf_lit_str(struct jbuf *, const char *lit, const char *);
int	jbuf_lit_i64(struct jbuf *, const char *lit, long long);
/* "key": */
int	jbuf_key(struct jbuf *, const char *);
/* Give the text away (caller frees); the buffer is empty after. */
char	*jbuf_take(struct jbuf *, size_t *len);

#endif
