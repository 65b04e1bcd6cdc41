/*
 * Markdown to plain text, as Coder's PlaintextFromMarkdown gives it:
 * libcmark's tree, keeping the text and dropping the markup.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "jbuf.h"
#include "markdown.h"

/* Append the text of the tree under "root" to "b". */
static void
plain_walk(cmark_node *root, struct jbuf *b)
{
	cmark_iter		*it;
	cmark_event_type	 ev;
	cmark_node		*n;
	const char		*lit;
	int			 blocks = 0;

	if ((it = cmark_iter_new(root)) == NULL)
		return;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			if ((lit = cmark_node_get_literal(n)) != NULL)
				jbuf_raw(b, lit, strlen(lit));
			break;
		case CMARK_NODE_SOFTBREAK:
			jbuf_lit(b, " ");
			break;
		case CMARK_NODE_LINEBREAK:
			jbuf_lit(b, "\n");
			break;
		case CMARK_NODE_PARAGRAPH:
		case CMARK_NODE_HEADING:
		case CMARK_NODE_ITEM:
			/* Blocks one per line, as their text reads. */
			if (ev == CMARK_EVENT_ENTER && blocks++ > 0)
				jbuf_lit(b, "\n");
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

char *
md_plaintext(const char *md, size_t max)
{
	cmark_node	*doc;
	struct jbuf	 b;
	char		*out;
	size_t		 len;

	if ((doc = cmark_parse_document(md, strlen(md),
	    CMARK_OPT_DEFAULT)) == NULL)
		return NULL;
	jbuf_init(&b, max);
	plain_walk(doc, &b);
	cmark_node_free(doc);
	jbuf_lit(&b, "");
	/* A code block keeps its last newline; the text does not. */
	while (b.len > 0 && b.buf[b.len - 1] == '\n')
		b.buf[--b.len] = '\0';
	if (b.over) {
		jbuf_free(&b);
		return NULL;
	}
	out = jbuf_take(&b, &len);
	return out != NULL ? out : strdup("");
}
