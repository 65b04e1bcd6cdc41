/*
 * t/unit/folio_events.c -- FOLIO (issue I): the Mustache variables an
 * event template is rendered with, and the Okapi settings.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "model.h"
#include "tap.h"

static const char *const vals[] = {
	"user.firstName", "Ann",
	"item.title", "<b>Dune & co</b>",
	"loan.dueDate", "2026-12-24",
};

static char *
r(const char *tmpl, int html, size_t max, char *err, size_t errsz)
{
	char	*out = NULL;

	err[0] = '\0';
	if (model_tmpl_render_vals(tmpl, vals, 3, html, max, &out, err,
	    errsz) != 0)
		return NULL;
	return out;
}

static int
parse(struct cfg *c, const char *text, char *err, size_t errsz)
{
	cfg_defaults(c);
	err[0] = '\0';
	return cfg_parse(text, "test.conf", c, err, errsz);
}

int
main(void)
{
	struct cfg	 c;
	char		 err[256], *o;

	o = r("Dear {{user.firstName}}, {{ item.title }} is due {{loan.dueDate}}.",
	    0, 4096, err, sizeof(err));
	is_str(o, "Dear Ann, <b>Dune & co</b> is due 2026-12-24.",
	    "dotted names substituted, blanks inside braces ignored");
	free(o);
	o = r("<p>{{item.title}}</p>", 1, 4096, err, sizeof(err));
	is_str(o, "<p>&lt;b&gt;Dune &amp; co&lt;/b&gt;</p>",
	    "HTML: values escaped, the template not");
	free(o);
	o = r("[{{user.lastName}}][{{user}}]", 0, 4096, err, sizeof(err));
	is_str(o, "[][]", "a name without a value is empty, as in Mustache");
	free(o);
	o = r("{{user.first-name_2}}", 0, 4096, err, sizeof(err));
	is_str(o, "", "- and _ belong to names");
	free(o);
	ok(r("{{#loans}}x{{/loans}}", 0, 4096, err, sizeof(err)) == NULL,
	    "a section is refused");
	ok(strstr(err, "{{#loans}}") != NULL, "... naming it: %s", err);
	ok(r("{{{item.title}}}", 0, 4096, err, sizeof(err)) == NULL,
	    "a triple mustache is refused");
	ok(r("{{> partial}}", 0, 4096, err, sizeof(err)) == NULL,
	    "a partial is refused");
	ok(r("{{}}", 0, 4096, err, sizeof(err)) == NULL, "an empty tag is refused");
	ok(r("x {{user.firstName", 0, 4096, err, sizeof(err)) == NULL,
	    "an unclosed tag is refused");
	ok(strstr(err, "unclosed") != NULL, "... saying so: %s", err);
	ok(r("{{item.title}}{{item.title}}", 0, 20, err, sizeof(err)) == NULL,
	    "output beyond the bound is refused");
	ok(strstr(err, "too long") != NULL, "... saying so: %s", err);

	ok(parse(&c, "", err, sizeof(err)) == 0 &&
	    c.folio_okapi_url[0] == '\0' && c.folio_okapi_timeout_ms == 2000,
	    "no Okapi by default; 2000 ms a call");
	ok(parse(&c, "folio_okapi_url = http://okapi:9130\n"
	    "folio_okapi_timeout_ms = 500\n", err, sizeof(err)) == 0 &&
	    strcmp(c.folio_okapi_url, "http://okapi:9130") == 0 &&
	    c.folio_okapi_timeout_ms == 500, "an Okapi URL and a bound: %s",
	    err);
	ok(parse(&c, "folio_okapi_url = https://folio.example.org/okapi\n",
	    err, sizeof(err)) == 0, "https with a path");
	ok(parse(&c, "folio_okapi_url = http://okapi:9130/\n", err,
	    sizeof(err)) != 0, "a trailing slash is refused");
	ok(strstr(err, "folio_okapi_url") != NULL, "... naming the key: %s",
	    err);
	ok(parse(&c, "folio_okapi_url = file:///etc/passwd\n", err,
	    sizeof(err)) != 0, "another scheme is refused");
	ok(parse(&c, "folio_okapi_url = http://okapi:9130?x=1\n", err,
	    sizeof(err)) != 0, "a query is refused");
	ok(parse(&c, "folio_okapi_timeout_ms = 50\n", err, sizeof(err)) != 0,
	    "a bound under 100 ms is refused");
	ok(parse(&c, "folio_okapi_timeout_ms = 30001\n", err, sizeof(err)) != 0,
	    "a bound over 30 s is refused");
	return done_testing();
}
