/* t/unit/request.c -- query-string parsing and parameter lookup. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "tap.h"

static enum req_parse_rc
parse(struct request *r, const char *qs)
{
	req_free(r);
	req_init(r);
	return req_parse_query(r, qs);
}

/* One cookie's value, as req_cookie gives it ("(null)" when none). */
static void
cookie_is(const char *h, size_t max, const char *want, const char *what)
{
	char	*v = req_cookie(h, "coder_session_token", max);

	is_str(v != NULL ? v : "(null)", want, "%s", what);
	free(v);
}

static void
cookie_tests(void)
{
	cookie_is("coder_session_token=abc", 64, "abc", "cookie alone");
	cookie_is("a=1; coder_session_token=abc; b=2", 64, "abc",
	    "cookie among others");
	cookie_is("a=1;coder_session_token=abc ", 64, "abc",
	    "no space after ';', a trailing space");
	cookie_is("coder_session_token=\"abc\"", 64, "abc", "quotes removed");
	cookie_is("coder_session_token=one; coder_session_token=two", 64, "one",
	    "the first of two");
	cookie_is("xcoder_session_token=abc; coder_session_tokenx=abc", 64,
	    "(null)", "other names that contain it");
	cookie_is("coder_session_token", 64, "(null)", "no '='");
	cookie_is("coder_session_token=", 64, "(null)", "empty value");
	cookie_is("coder_session_token=\"\"", 64, "(null)", "empty quotes");
	cookie_is("coder_session_token=abcdef", 5, "(null)", "longer than max");
	cookie_is("coder_session_token=abcde", 5, "abcde", "exactly max");
	cookie_is(";;; ;", 64, "(null)", "only separators");
	cookie_is("", 64, "(null)", "empty header");
	cookie_is(NULL, 64, "(null)", "no header");
}

int
main(void)
{
	struct request	 r;
	const char	*v = NULL;
	char		 big[REQ_PARAMS_MAX * 4 + 8];
	size_t		 i;

	req_init(&r);
	is_int(parse(&r, "user=a+b&limit=10"), REQ_PARSE_OK, "plain query parses");
	is_int(req_param(&r, "user", 0, &v), 1, "user found");
	is_str(v, "a b", "'+' decodes to a space");
	is_int(req_param(&r, "LIMIT", 1, &v), 1, "names match ignoring case when asked");
	is_str(v, "10", "limit value");
	is_int(req_param(&r, "LIMIT", 0, &v), 0, "exact lookup is case-sensitive");

	is_int(parse(&r, "q=%41%62%2B%25&e=&flag"), REQ_PARSE_OK, "escapes parse");
	req_param(&r, "q", 0, &v);
	is_str(v, "Ab+%", "percent-escapes decode");
	req_param(&r, "e", 0, &v);
	is_str(v, "", "empty value");
	is_int(req_param(&r, "flag", 0, &v), 1, "name without '=' is present");
	is_str(v, "", "... with an empty value");

	is_int(parse(&r, "a=1&a=2"), REQ_PARSE_OK, "repeated names parse");
	is_int(req_param(&r, "a", 0, &v), -1, "a repeated name is reported");

	is_int(parse(&r, "a=%zz"), REQ_PARSE_BAD, "bad hex digits refused");
	is_int(parse(&r, "a=%4"), REQ_PARSE_BAD, "truncated escape refused");
	is_int(parse(&r, "a=%00"), REQ_PARSE_BAD, "NUL refused");
	is_int(parse(&r, "a=%ff%fe"), REQ_PARSE_BAD, "invalid UTF-8 refused");
	is_int(parse(&r, "u=%C3%A9t%C3%A9"), REQ_PARSE_OK, "UTF-8 accepted");
	is_int(parse(&r, "&&a=1&&"), REQ_PARSE_OK, "empty pairs skipped");
	is_int((long long)r.nparams, 1, "... leaving one parameter");

	big[0] = '\0';
	for (i = 0; i <= REQ_PARAMS_MAX; i++)
		strcat(big, "a=1&");
	is_int(parse(&r, big), REQ_PARSE_TOO_MANY, "more than REQ_PARAMS_MAX refused");

	cookie_tests();

	is_int(req_method_parse("DELETE"), REQ_DELETE, "DELETE method");
	is_int(req_method_parse("delete"), REQ_OTHER, "methods are case-sensitive");
	req_free(&r);
	return done_testing();
}
