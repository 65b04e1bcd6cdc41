/* t/unit/util.c -- numbers, UTF-8, UUIDs. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "util.h"

int
main(void)
{
	long long	v = 0;
	unsigned char	id[16], id2[16];
	char		s[UUID_STR_LEN];

	is_int(util_strtoll("42", 0, 100, &v), 0, "number in range");
	is_int(v, 42, "value");
	is_int(util_strtoll("-1", 0, 100, &v), -1, "below range");
	is_int(util_strtoll("101", 0, 100, &v), -1, "above range");
	is_int(util_strtoll("12a", 0, 100, &v), -1, "trailing junk");
	is_int(util_strtoll("", 0, 100, &v), -1, "empty");
	is_int(util_strtoll(" 1", 0, 100, &v), -1, "leading space");
	is_int(util_strtoll("99999999999999999999", 0, 100, &v), -1, "overflow");

	ok(util_utf8_valid("h\xc3\xa9", 3), "valid 2-byte sequence");
	ok(!util_utf8_valid("\xc0\xaf", 2), "overlong refused");
	ok(!util_utf8_valid("\xed\xa0\x80", 3), "surrogate refused");
	ok(!util_utf8_valid("\xc3", 1), "truncated refused");
	is_int((long long)util_utf8_len("h\xc3\xa9", 3), 2, "code points counted");

	/* 67 x U+20AC is 201 bytes: a cut at 200 must not split the last. */
	{
		char	eur[3 * 67 + 1];
		size_t	i, n;

		for (i = 0; i < 67; i++)
			memcpy(eur + 3 * i, "\xe2\x82\xac", 3);
		eur[3 * 67] = '\0';
		n = util_utf8_trunc(eur, 200);
		is_int((long long)n, 198, "cut before a half character");
		ok(util_utf8_valid(eur, n), "the cut text is valid UTF-8");
		is_int((long long)util_utf8_trunc(eur, 1000), 201,
		    "short enough: all of it");
	}
	is_int((long long)util_utf8_trunc("abc", 2), 2, "ASCII cut anywhere");
	is_int((long long)util_utf8_trunc("abc", 0), 0, "max 0");
	is_int((long long)util_utf8_trunc("ab\xc3", 10), 2,
	    "a trailing partial sequence is dropped");
	is_int((long long)util_utf8_trunc("a\xf0\x9f\x98\x80" "b", 4), 1,
	    "a 4-byte character is kept whole or not at all");
	is_int((long long)util_utf8_trunc("a\xf0\x9f\x98\x80" "b", 5), 5,
	    "... whole");
	is_int((long long)util_utf8_trunc("a\xff" "b", 10), 1,
	    "stops at a byte that is not UTF-8");

	is_int(util_uuid_parse("6DF4475F-EE81-4063-B457-6EDFA4ED9C5F", id), 0, "upper-case UUID");
	util_uuid_format(id, 0, s);
	is_str(s, "6df4475f-ee81-4063-b457-6edfa4ed9c5f", "formats lower-case");
	is_int(util_uuid_parse(s, id2), 0, "lower-case UUID");
	ok(memcmp(id, id2, 16) == 0, "same bytes either case");
	is_int(util_uuid_parse("6df4475f-ee81-4063-b457-6edfa4ed9c5", id), -1, "short refused");
	is_int(util_uuid_parse("xyz", id), -1, "junk refused");
	ok(util_blank(" \t"), "blank");
	ok(!util_blank(" a"), "not blank");

	is_int(util_hexval('0'), 0, "hex 0");
	is_int(util_hexval('f'), 15, "hex f");
	is_int(util_hexval('A'), 10, "hex A");
	is_int(util_hexval('g'), -1, "not hex: g");
	is_int(util_hexval('\0'), -1, "not hex: NUL");

	ok(util_email_ok("ann@example.org"), "an address");
	ok(!util_email_ok("ann"), "no @");
	ok(!util_email_ok("@example.org"), "no local part");
	ok(!util_email_ok("ann@"), "no domain");
	ok(!util_email_ok("a@b@c"), "two @");
	ok(!util_email_ok("ann@example.org\r\nBcc: eve@evil"),
	    "a header smuggled in");
	ok(!util_email_ok("ann@example.org, eve@evil"), "a second recipient");
	ok(!util_email_ok("<ann@example.org>"), "angle brackets");
	{
		char	 big[400];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		big[10] = '@';
		ok(!util_email_ok(big), "over 320 bytes");
	}
	return done_testing();
}
