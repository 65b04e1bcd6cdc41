#ifndef TMPL_H
#define TMPL_H

/*
 * "{{ name }}" expansion, shared by the delivery templates and Coder's
 * template texts: each caller says what a name means and words its own
 * errors.
 */
#include <stddef.h>

enum tmpl_rc { TMPL_OK, TMPL_UNCLOSED, TMPL_UNKNOWN, TMPL_TOO_LONG };

/* A name's value (borrowed until the next call), or NULL: unknown. */
typedef const char *(*tmpl_lookup)(const char *name, size_t len, void *);

/*
 * Expand "tmpl" into *out (caller frees) of at most "max" bytes, with
 * the values HTML-escaped when "html".  A name is the text between the
 * braces without surrounding blanks.  On TMPL_UNKNOWN (and only then),
 * *bad and *badlen give the name.
 */
enum tmpl_rc	tmpl_expand(const char *tmpl, tmpl_lookup, void *, int html,
		    size_t max, char **out, const char **bad, size_t *badlen);

#endif
