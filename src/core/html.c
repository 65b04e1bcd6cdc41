/*
 * The HTML sanitiser.  libxml2 parses (it knows HTML's implied and
 * misplaced tags, entities and broken markup as a browser does); what
 * is written back is only what this file emits from the tree: allowed
 * tags, allowed attributes with checked values, and text, all escaped.
 * Nothing of the input is copied through unparsed.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html.h"
#include "jbuf.h"

/* Deeper than this, elements lose their tags (text stays). */
#define HTML_DEPTH_MAX	64
#define HTML_IN_MAX	(16 * 1024 * 1024)

/* Text for an element's content, or an attribute value (quotes too). */
static void
hb_esc(struct jbuf *b, const char *s, size_t n, int attr)
{
	jbuf_html(b, s, n, attr ? JBUF_HTML_QUOT : 0);
}

/* What becomes of an element. */
enum html_fate { HTML_KEEP, HTML_UNWRAP, HTML_DROP };

static const char *const html_kept[] = { "a", "b", "i", "em", "strong", "u",
	"br", "p", "span", "ul", "ol", "li", "code", "pre", NULL };
/* Their content is script, style, markup of another language or form
 * state: none of it is text a reader should see. */
static const char *const html_dropped[] = { "script", "style", "iframe",
	"object", "applet", "svg", "math", "template", "noscript", "noembed",
	"noframes", "frame", "frameset", "title", "head", "textarea",
	"select", "option", "button", "xml", "xmp", "plaintext", "audio",
	"video", "canvas", "portal", NULL };

static int
html_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(name, *list) == 0)
			return 1;
	return 0;
}

static enum html_fate
html_fate(const xmlNode *n, int depth)
{
	const char	*name = (const char *)n->name;

	if (name == NULL || html_in(name, html_dropped))
		return HTML_DROP;
	if (depth < HTML_DEPTH_MAX && html_in(name, html_kept))
		return HTML_KEEP;
	return HTML_UNWRAP;
}

/*
 * An href a click may follow: http, https, mailto, or relative (no
 * scheme before the first '/', '?' or '#').  Any control character or
 * space is refused outright, since browsers drop some of them inside a
 * scheme ("java\tscript:").
 */
static int
html_href_ok(const char *v)
{
	size_t	i, colon;

	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= 0x20 || v[i] == 0x7f)
			return 0;
	colon = strcspn(v, ":/?#");
	if (v[colon] != ':')
		return 1;
	return (colon == 4 && strncasecmp(v, "http", 4) == 0) ||
	    (colon == 5 && strncasecmp(v, "https", 5) == 0) ||
	    (colon == 6 && strncasecmp(v, "mailto", 6) == 0);
}

static int
html_class_ok(const char *v)
{
	size_t	i;

	for (i = 0; v[i] != '\0'; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '-' ||
		    v[i] == '_' || v[i] == ' '))
			return 0;
	return i > 0;
}

/* Whether attribute "attr" of element "el" may stay with value "v". */
static int
html_attr_ok(const char *el, const char *attr, const char *v)
{
	if (strcasecmp(el, "a") == 0) {
		if (strcasecmp(attr, "href") == 0)
			return html_href_ok(v);
		if (strcasecmp(attr, "target") == 0)
			return strcmp(v, "_blank") == 0 ||
			    strcmp(v, "_self") == 0 ||
			    strcmp(v, "_parent") == 0 ||
			    strcmp(v, "_top") == 0;
		return strcasecmp(attr, "title") == 0;
	}
	if (strcasecmp(el, "span") == 0 && strcasecmp(attr, "class") == 0)
		return html_class_ok(v);
	return 0;
}

static void
html_open(struct jbuf *b, const xmlNode *n)
{
	const xmlAttr	*a;
	xmlChar		*v;
	const char	*el = (const char *)n->name;

	jbuf_lit(b, "<");
	jbuf_lit(b, el);
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name == NULL || a->ns != NULL)
			continue;
		if ((v = xmlNodeListGetString(n->doc, a->children, 1)) ==
		    NULL) {
			/* A bare attribute is an empty value: not one we
			 * keep (every kept one needs a value). */
			continue;
		}
		if (html_attr_ok(el, (const char *)a->name,
		    (const char *)v)) {
			jbuf_lit(b, " ");
			jbuf_lit(b, (const char *)a->name);
			jbuf_lit(b, "=\"");
			hb_esc(b, (const char *)v, strlen((const char *)v), 1);
			jbuf_lit(b, "\"");
		}
		xmlFree(v);
	}
	jbuf_lit(b, ">");
}

/*
 * The tree in document order, without recursion (its depth is the
 * input's): enter a node, then its children, then leave it.
 */
static void
html_walk(struct jbuf *b, xmlNode *root)
{
	xmlNode		*n = root->children;
	int		 depth = 0;
	enum html_fate	 f;

	while (n != NULL && !b->over) {
		f = HTML_DROP;
		if (n->type == XML_TEXT_NODE && n->content != NULL)
			hb_esc(b, (const char *)n->content,
			    strlen((const char *)n->content), 0);
		else if (n->type == XML_ELEMENT_NODE &&
		    (f = html_fate(n, depth)) == HTML_KEEP)
			html_open(b, n);
		if (n->type == XML_ELEMENT_NODE && f != HTML_DROP &&
		    n->children != NULL) {
			depth++;
			n = n->children;
			continue;
		}
		if (f == HTML_KEEP && strcasecmp((const char *)n->name,
		    "br") != 0) {
			jbuf_lit(b, "</");
			jbuf_lit(b, (const char *)n->name);
			jbuf_lit(b, ">");
		}
		/* Leave: the next sibling, or close the parents in turn. */
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == NULL || n == root)
				return;
			depth--;
			if (html_fate(n, depth) == HTML_KEEP &&
			    strcasecmp((const char *)n->name, "br") != 0) {
				jbuf_lit(b, "</");
				jbuf_lit(b, (const char *)n->name);
				jbuf_lit(b, ">");
			}
		}
		if (n != NULL)
			n = n->next;
	}
}

int
html_sanitize(const char *in, size_t len, char **out, size_t *outlen)
{
	static const char	 pre[] = "<html><body>";
	struct jbuf		 b, src;
	htmlDocPtr		 doc;
	xmlNode			*root;

	if (len > HTML_IN_MAX)
		return -1;
	jbuf_init(&b, SIZE_MAX);
	jbuf_init(&src, SIZE_MAX);
	/*
	 * The fragment goes inside an explicit body, so that the parser
	 * does not wrap leading text in an implied <p>.
	 */
	jbuf_lit(&src, pre);
	jbuf_raw(&src, in, len);
	jbuf_lit(&b, "");
	if (src.over || b.over) {
		jbuf_free(&src);
		jbuf_free(&b);
		return -1;
	}
	doc = htmlReadMemory(src.buf, (int)src.len, NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	jbuf_free(&src);
	if (doc != NULL && (root = xmlDocGetRootElement(doc)) != NULL)
		html_walk(&b, root);
	xmlFreeDoc(doc);
	if (b.over) {
		jbuf_free(&b);
		return -1;
	}
	*out = jbuf_take(&b, outlen);
	return 0;
}

int
html_escape(const char *in, size_t len, char **out, size_t *outlen)
{
	struct jbuf	b;

	jbuf_init(&b, SIZE_MAX);
	jbuf_lit(&b, "");
	jbuf_html(&b, in, len, JBUF_HTML_QUOT | JBUF_HTML_APOS);
	if (b.over) {
		jbuf_free(&b);
		return -1;
	}
	*out = jbuf_take(&b, outlen);
	return 0;
}
