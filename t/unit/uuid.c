/* t/unit/uuid.c -- util_uuid_v7(): RFC 9562 layout, order, uniqueness. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"

#define MANY	20000

static int64_t
v7_ms(const unsigned char id[16])
{
	int64_t	ms = 0;
	int	i;

	for (i = 0; i < 6; i++)
		ms = ms << 8 | id[i];
	return ms;
}

static int
cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

int
main(void)
{
	static unsigned char	ids[MANY][16];
	unsigned char		a[16], b[16];
	char			text[UUID_STR_LEN];
	int64_t			now = util_now_ms(), t;
	int			i, bad_ver = 0, bad_var = 0, order = 0, dup = 0;

	util_uuid_v7(a);
	t = util_now_ms();
	is_int(a[6] >> 4, 7, "version 7 in the high nibble of byte 6");
	is_int(a[8] >> 6, 2, "variant 0b10 in the high bits of byte 8");
	ok(v7_ms(a) >= now && v7_ms(a) <= t,
	    "the first 48 bits are the time in ms");
	util_uuid_format(a, 0, text);
	is_int(text[14], '7', "text form: version digit '7'");
	ok(strchr("89ab", text[19]) != NULL, "text form: variant digit");
	is_int(util_uuid_parse(text, b), 0, "the text form parses back");
	ok(memcmp(a, b, 16) == 0, "... to the same bytes");

	/* Tight loop: many ids share a millisecond. */
	for (i = 0; i < MANY; i++)
		util_uuid_v7(ids[i]);
	for (i = 0; i < MANY; i++) {
		bad_ver += ids[i][6] >> 4 != 7;
		bad_var += ids[i][8] >> 6 != 2;
		if (i > 0 && memcmp(ids[i - 1], ids[i], 16) >= 0)
			order++;
	}
	is_int(bad_ver + bad_var, 0, "%d ids: version and variant", MANY);
	is_int(order, 0, "%d ids in a row strictly increase", MANY);
	qsort(ids, MANY, 16, cmp16);
	for (i = 1; i < MANY; i++)
		dup += memcmp(ids[i - 1], ids[i], 16) == 0;
	is_int(dup, 0, "no duplicates");

	/* 5000 in one millisecond: more than the 12-bit counter holds from
	 * its seed (< 2^11), so the timestamp moves on, still increasing. */
	t = now + 3600000;
	util_uuid_v7_at(t, a);
	order = 0;
	for (i = 0; i < 5000; i++) {
		util_uuid_v7_at(t, b);
		if (memcmp(a, b, 16) >= 0)
			order++;
		memcpy(a, b, 16);
	}
	is_int(order, 0, "5000 ids in one ms strictly increase");
	ok(v7_ms(a) > t && v7_ms(a) <= t + 3,
	    "a full counter borrows the next millisecond");

	/* The clock steps back a second: ids keep increasing. */
	util_uuid_v7_at(t - 1000, b);
	ok(memcmp(a, b, 16) < 0, "a clock stepping back keeps the order");
	ok(v7_ms(b) >= v7_ms(a), "... by keeping the last timestamp");

	/* A later millisecond starts a new counter below 2^11. */
	util_uuid_v7_at(t + 1000, b);
	is_int(v7_ms(b), t + 1000, "a later ms is used as is");
	ok(((b[6] & 0x0f) << 8 | b[7]) < 0x800,
	    "its counter is seeded below 2^11");

	/* util_uuid_new stays random (v4) for tokens and the like. */
	util_uuid_new(a);
	is_int(a[6] >> 4, 4, "util_uuid_new is still version 4");
	return done_testing();
}
