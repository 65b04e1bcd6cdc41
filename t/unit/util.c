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

	is_int(util_uuid_parse("6DF4475F-EE81-4063-B457-6EDFA4ED9C5F", id), 0, "upper-case UUID");
	util_uuid_format(id, 0, s);
	is_str(s, "6df4475f-ee81-4063-b457-6edfa4ed9c5f", "formats lower-case");
	is_int(util_uuid_parse(s, id2), 0, "lower-case UUID");
	ok(memcmp(id, id2, 16) == 0, "same bytes either case");
	is_int(util_uuid_parse("6df4475f-ee81-4063-b457-6edfa4ed9c5", id), -1, "short refused");
	is_int(util_uuid_parse("xyz", id), -1, "junk refused");
	ok(util_blank(" \t"), "blank");
	ok(!util_blank(" a"), "not blank");
	return done_testing();
}
