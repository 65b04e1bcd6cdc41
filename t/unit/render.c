/* t/unit/render.c -- delivery templates. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "render.h"
#include "store.h"
#include "tap.h"

static struct note		 n;
static struct json_object	*payload;

static char *
r(const char *tmpl, int html, char *err, size_t errsz)
{
	char	*out = NULL;

	err[0] = '\0';
	if (render(tmpl, html, &n, payload, "a@b.example", &out, err,
	    errsz) != 0)
		return NULL;
	return out;
}

int
main(void)
{
	char	 err[256], *o;

	memset(&n, 0, sizeof(n));
	n.user = "ann";
	n.subject = "Job <done>";
	n.body = "it & worked";
	n.type = "analysis";
	n.created = 1340390304000LL;
	payload = json_tokener_parse("{\"name\":\"cat\",\"n\":3,"
	    "\"deep\":{\"k\":\"v\"}}");

	o = r("Hi {{user}}: {{subject}} / {{ message }}", 0, err, sizeof(err));
	is_str(o, "Hi ann: Job <done> / it & worked", "plain substitution");
	free(o);
	o = r("<b>{{subject}}</b> {{message}}", 1, err, sizeof(err));
	is_str(o, "<b>Job &lt;done&gt;</b> it &amp; worked",
	    "values are escaped in HTML, the template is not");
	free(o);
	o = r("{{payload.name}} {{payload.n}} {{payload.deep.k}} {{payload.deep}}",
	    0, err, sizeof(err));
	is_str(o, "cat 3 v {\"k\":\"v\"}", "payload values, nested, and objects as JSON");
	free(o);
	o = r("{{timestamp}} {{email_address}} {{type}}", 0, err, sizeof(err));
	is_str(o, "1340390304000 a@b.example analysis", "timestamp, address, type");
	free(o);
	o = r("no variables at all", 0, err, sizeof(err));
	is_str(o, "no variables at all", "a template without variables");
	free(o);
	ok(r("{{nope}}", 0, err, sizeof(err)) == NULL, "unknown variable refused");
	ok(strstr(err, "\"nope\"") != NULL, "... naming it: %s", err);
	ok(r("{{payload.missing}}", 0, err, sizeof(err)) == NULL,
	    "missing payload key refused");
	ok(r("a {{subject", 0, err, sizeof(err)) == NULL, "unclosed braces refused");
	ok(r("{{}}", 0, err, sizeof(err)) == NULL, "empty name refused");
	json_object_put(payload);
	return done_testing();
}
