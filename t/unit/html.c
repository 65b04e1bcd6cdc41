/* t/unit/html.c -- the HTML sanitiser: what stays, what goes, the seeds. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "tap.h"

/* Sanitise "in" and compare with "want". */
static void
clean(const char *in, const char *want, const char *name)
{
	char	*out = NULL, *again = NULL;
	size_t	 len = 0, len2 = 0;

	if (html_sanitize(in, strlen(in), &out, &len) != 0) {
		ok(0, "%s: sanitised", name);
		return;
	}
	is_str(out, want, "%s", name);
	is_int((long long)len, (long long)strlen(out), "%s: length", name);
	if (html_sanitize(out, len, &again, &len2) == 0)
		is_str(again, out, "%s: idempotent", name);
	else
		ok(0, "%s: sanitised again", name);
	free(again);
	free(out);
}

int
main(void)
{
	static const char seed1[] = "Joe Blogs deleted Requirement "
	    "'Weapons must use antimater'";
	static const char seed2[] = "Joe Blogs updated Requirement '<a "
	    "href=\"http://myserver/EnterpriseTester/home#/requirement/edit/"
	    "8f5a4b01-ef57-4910-b1a2-a10101632917\">Weapons must use "
	    "anti-matter</a>'";
	static const char seed3[] = "Reminder - <a href=\"http://mywiki/"
	    "projectx?page=sprint1\" target=\"_blank\">Sprint 1</a> finishes "
	    "tomorrow!";
	char	*out = NULL;
	size_t	 len = 0;

	/* The seed's examples, byte for byte. */
	clean(seed1, seed1, "seed: plain text");
	clean(seed2, seed2, "seed: a link");
	clean(seed3, seed3, "seed: a link with target");
	clean("", "", "empty");
	clean("a &amp; b &lt;c&gt;", "a &amp; b &lt;c&gt;", "entities kept");
	clean("a & b < c", "a &amp; b &lt; c", "bare & and < escaped");
	clean("caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93", "UTF-8 kept");

	/* The allow-list. */
	clean("<b>b</b><i>i</i><em>e</em><strong>s</strong><u>u</u>",
	    "<b>b</b><i>i</i><em>e</em><strong>s</strong><u>u</u>", "inline");
	clean("<p>x<br>y</p><ul><li>a</li></ul><ol><li>b</li></ol>",
	    "<p>x<br>y</p><ul><li>a</li></ul><ol><li>b</li></ol>", "blocks");
	clean("<pre><code>int x;</code></pre>", "<pre><code>int x;</code></pre>",
	    "pre and code");
	clean("<span class=\"hl x-1\">s</span>", "<span class=\"hl x-1\">s</span>",
	    "span class");
	clean("<span class=\"a\" style=\"color:red\" id=\"q\">s</span>",
	    "<span class=\"a\">s</span>", "style and id dropped");
	clean("<a href=\"https://x/\" title=\"t\" rel=\"x\">l</a>",
	    "<a href=\"https://x/\" title=\"t\">l</a>", "a: rel dropped");
	clean("<a href=\"mailto:a@b\">m</a>", "<a href=\"mailto:a@b\">m</a>",
	    "mailto");
	clean("<a href=\"/r?q=1#f\">r</a>", "<a href=\"/r?q=1#f\">r</a>",
	    "relative");
	clean("<a target=\"evil\">t</a>", "<a>t</a>", "odd target dropped");

	/* Hostile markup: every class of vector. */
	clean("<script>alert(1)</script>x", "x", "script and its text");
	clean("<SCRIPT SRC=//x/y.js></SCRIPT>x", "x", "upper-case script");
	clean("<style>b{}</style>x", "x", "style");
	clean("<img src=x onerror=alert(1)>x", "x", "img onerror");
	clean("<b onclick=\"alert(1)\" onmouseover=x>b</b>", "<b>b</b>",
	    "event handlers");
	clean("<a href=\"javascript:alert(1)\">j</a>", "<a>j</a>",
	    "javascript: URL");
	clean("<a href=\"JaVaScRiPt:alert(1)\">j</a>", "<a>j</a>",
	    "mixed-case scheme");
	clean("<a href=\"&#106;avascript:alert(1)\">j</a>", "<a>j</a>",
	    "entity-encoded scheme");
	clean("<a href=\"java&#x09;script:alert(1)\">j</a>", "<a>j</a>",
	    "tab inside the scheme");
	clean("<a href=\" javascript:alert(1)\">j</a>", "<a>j</a>",
	    "leading space");
	clean("<a href=\"data:text/html;base64,PHNjcmlwdD4=\">d</a>",
	    "<a>d</a>", "data: URL");
	clean("<a href=\"vbscript:x\">v</a>", "<a>v</a>", "vbscript: URL");
	clean("<iframe src=\"//x\">f</iframe>x", "x", "iframe");
	clean("<object data=x>o</object><embed src=x>x", "x", "object, embed");
	clean("<svg><script>1</script><a xlink:href=\"javascript:1\">s</a>"
	    "</svg>x", "x", "svg");
	clean("<math><mi>m</mi></math>x", "x", "math");
	clean("<div onclick=x><h1>T</h1><table><tr><td>c</td></tr></table>"
	    "</div>", "Tc", "unknown elements keep their text");
	clean("<!-- <script>x</script> -->y", "y", "comments");
	clean("<b><i>x</b>y</i>", "<b><i>x</i></b>y", "misnested");
	clean("<b>unclosed", "<b>unclosed</b>", "unclosed");
	clean("<p>a<p>b", "<p>a</p><p>b</p>", "implied ends");
	clean("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)",
	    "split tag");
	clean("<<b>>x", "&lt;<b>&gt;x</b>", "stray angle brackets");
	clean("<a href=\"http://x/\"\" onclick=\"y\">q</a>",
	    "<a href=\"http://x/\">q</a>", "attribute quote games");
	clean("<a title='\"><script>1</script>'>q</a>",
	    "<a title=\"&quot;&gt;&lt;script&gt;1&lt;/script&gt;\">q</a>",
	    "an attribute's value stays a value");
	clean("<textarea><b>x</b></textarea>y", "y", "textarea");
	clean("<form><input onfocus=x autofocus>f</form>", "f", "form");
	clean("<meta http-equiv=refresh content=0;url=javascript:1>x", "x",
	    "meta refresh");
	clean("<base href=\"javascript:1\">x", "x", "base");
	/* libxml2 puts text after a closed body in a paragraph. */
	clean("</body><script>1</script>x", "<p>x</p>", "a closing body first");

	/*
	 * Depth: past 64 elements lose their tags, not their text; past
	 * libxml2's own limit (256) the parser stops, and what follows is
	 * lost rather than let through.
	 */
	{
		char	deep[3000 * 3 + 2], *p = deep, *q;
		int	i, n;

		for (i = 0; i < 200; i++, p += 3)
			memcpy(p, "<b>", 3);
		strcpy(p, "x");
		ok(html_sanitize(deep, strlen(deep), &out, &len) == 0,
		    "deep: sanitised");
		for (n = 0, q = out; (q = strstr(q, "<b>")) != NULL; q++)
			n++;
		is_int(n, 63, "deep: 63 kept (64 levels; body is one)");
		ok(strchr(out, 'x') != NULL, "deep: the text kept");
		free(out);
		for (p = deep, i = 0; i < 3000; i++, p += 3)
			memcpy(p, "<b>", 3);
		strcpy(p, "x");
		ok(html_sanitize(deep, strlen(deep), &out, &len) == 0,
		    "very deep: sanitised");
		free(out);
	}

	ok(html_escape("<a href='x'>&\"", 14, &out, &len) == 0, "escape");
	is_str(out, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;", "escape: all five");
	free(out);
	return done_testing();
}
