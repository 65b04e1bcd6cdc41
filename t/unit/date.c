/* t/unit/date.c -- the agent's date formats. */
#include "config.h"

#include <stdint.h>

#include "date.h"
#include "tap.h"

static long long
ms(const char *s)
{
	int64_t	v;

	return date_parse_ms(s, &v) == 0 ? (long long)v : -1;
}

int
main(void)
{
	/* 2012-06-22T18:51:44.000Z = 1340391104000 */
	is_int(ms("1340391104000"), 1340391104000LL, "digits are milliseconds");
	is_int(ms("2012-06-22T18:51:44.000Z"), 1340391104000LL, "ISO with Z");
	is_int(ms("2012-06-22T11:51:44.000-0700"), 1340391104000LL, "ISO with -0700");
	is_int(ms("2012-06-22T20:51:44.000+02:00"), 1340391104000LL, "ISO with +02:00");
	is_int(ms("2012-06-22T18:51:44Z"), 1340391104000LL, "ISO without millis");
	is_int(ms("2012-06-22 18:51:44.123"), 1340391104123LL, "space form, UTC");
	is_int(ms("2012-06-22-18-51-44.000"), 1340391104000LL, "dashed form");
	is_int(ms("2012 Jun 22 18:51:44"), 1340391104000LL, "YYYY MMM dd form");
	is_int(ms("Fri Jun 22 2012 11:51:44 GMT-0700 (Mountain Standard Time)"),
	    1340391104000LL, "JavaScript Date.toString with zone name");
	is_int(ms("Fri Jun 22 2012 18:51:44 GMT+0000"), 1340391104000LL,
	    "JavaScript form without zone name");
	is_int(ms("2012-02-30 00:00:00.000"), -1, "Feb 30 refused");
	is_int(ms("2012-13-01 00:00:00.000"), -1, "month 13 refused");
	is_int(ms("yesterday"), -1, "words refused");
	is_int(ms(""), -1, "empty refused");
	is_int(ms("2012-06-22T18:51:44.000Zjunk"), -1, "trailing junk refused");
	is_int(ms("-5"), -1, "negative refused");
	return done_testing();
}
