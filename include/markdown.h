#ifndef MARKDOWN_H
#define MARKDOWN_H

#include <stddef.h>

/*
 * The text of markdown "md" without its markup (libcmark), blocks one a
 * line, at most "max" bytes; caller frees.  NULL on failure or when
 * longer.
 */
char	*md_plaintext(const char *md, size_t max);

#endif
