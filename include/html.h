#ifndef HTML_H
#define HTML_H

/*
 * HTML a browser will render, made safe at write (issue K): parsed with
 * libxml2's HTML parser (never with patterns) and written out again from
 * the tree, keeping only an allow-list.  Any dialect may use it.
 */
#include <stddef.h>

/*
 * Sanitise the fragment "in" (len bytes, UTF-8, no NUL).  Kept: a (href
 * http/https/mailto or relative, target, title), b, i, em, strong, u,
 * br, p, span (class), ul, ol, li, code, pre.  Dropped with everything
 * inside: script, style, iframe, object, embed, svg, math, template,
 * head matter, form controls, comments.  Other elements lose their tags
 * and keep their text, escaped.  Returns 0 and *out (caller frees, NUL-terminated) with
 * *outlen, or -1 (out of memory, input too large).
 */
int	html_sanitize(const char *in, size_t len, char **out, size_t *outlen);

/* Text as HTML: & < > " ' escaped.  0 and *out (caller frees), or -1. */
int	html_escape(const char *in, size_t len, char **out, size_t *outlen);

#endif
