/* t/unit/token.c -- token shape, hashing, durations. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "token.h"

int
main(void)
{
	char		a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	unsigned char	ha[TOKEN_HASH_LEN], hb[TOKEN_HASH_LEN];
	long long	ms = 0;

	is_int(token_new(a), 0, "token made");
	is_int(token_new(b), 0, "another");
	ok(strcmp(a, b) != 0, "two tokens differ");
	is_int((long long)strlen(a), TOKEN_LEN, "length");
	ok(token_shape(a), "a new token has the shape");
	ok(!token_shape("hrld_xyz"), "short refused");
	a[TOKEN_LEN - 1] = 'G';
	ok(!token_shape(a), "non-hex refused");
	a[TOKEN_LEN - 1] = '0';
	ok(!token_shape("Bearer hrld_00"), "other prefix refused");
	is_int(token_hash(a, ha), 0, "hash");
	is_int(token_hash(a, hb), 0, "hash again");
	ok(token_hash_eq(ha, hb), "same token, same hash");
	token_hash(b, hb);
	ok(!token_hash_eq(ha, hb), "other token, other hash");
	is_int(token_duration_ms("30d", &ms), 0, "30d");
	is_int(ms, 30LL * 86400000, "30 days in ms");
	is_int(token_duration_ms("90m", &ms), 0, "90m");
	is_int(ms, 90LL * 60000, "90 minutes in ms");
	is_int(token_duration_ms("3600", &ms), 0, "plain seconds");
	is_int(ms, 3600000, "... in ms");
	is_int(token_duration_ms("0s", &ms), -1, "zero refused");
	is_int(token_duration_ms("abc", &ms), -1, "junk refused");
	is_int(token_duration_ms("", &ms), -1, "empty refused");
	return done_testing();
}
