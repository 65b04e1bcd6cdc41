/* The date formats the notification-agent accepts, parsed by hand. */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "date.h"
#include "util.h"

static const char *const date_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Read exactly n digits; advances *s. */
static int
date_num(const char **s, int n, int *out)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return 0;
}

static int
date_lit(const char **s, const char *lit)
{
	size_t	n = strlen(lit);

	if (strncmp(*s, lit, n) != 0)
		return -1;
	*s += n;
	return 0;
}

static int
date_month(const char **s, int *mon)
{
	int	i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(*s, date_months[i], 3) == 0) {
			*mon = i + 1;
			*s += 3;
			return 0;
		}
	return -1;
}

/* "Z", "+hhmm", "+hh:mm" or "-..." into seconds east of UTC. */
static int
date_zone(const char **s, long *off)
{
	int	sign, hh, mm;

	if (**s == 'Z') {
		(*s)++;
		*off = 0;
		return 0;
	}
	if (**s != '+' && **s != '-')
		return -1;
	sign = **s == '-' ? -1 : 1;
	(*s)++;
	if (date_num(s, 2, &hh) != 0)
		return -1;
	if (**s == ':')
		(*s)++;
	if (date_num(s, 2, &mm) != 0 || hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

struct date_parts {
	int	y, mon, d, h, mi, sec, ms;
	long	off;
};

static int
date_to_ms(const struct date_parts *p, int64_t *out)
{
	struct tm	tm;
	time_t		t;

	if (p->y < 1970 || p->y > 9999 || p->mon < 1 || p->mon > 12 ||
	    p->d < 1 || p->d > 31 || p->h > 23 || p->mi > 59 || p->sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = p->y - 1900;
	tm.tm_mon = p->mon - 1;
	tm.tm_mday = p->d;
	tm.tm_hour = p->h;
	tm.tm_min = p->mi;
	tm.tm_sec = p->sec;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != p->d)
		return -1;	/* timegm normalises Feb 30 into March */
	*out = ((int64_t)t - p->off) * 1000 + p->ms;
	return 0;
}

/* hh:mm:ss */
static int
date_hms(const char **s, struct date_parts *p)
{
	return date_num(s, 2, &p->h) || date_lit(s, ":") ||
	    date_num(s, 2, &p->mi) || date_lit(s, ":") ||
	    date_num(s, 2, &p->sec) ? -1 : 0;
}

/* "EEE MMM dd YYYY HH:mm:ss 'GMT'Z", with an optional " (Zone Name)". */
static int
date_js(const char *s, struct date_parts *p)
{
	const char	*e;

	if (!isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]) ||
	    !isalpha((unsigned char)s[2]) || s[3] != ' ')
		return -1;
	s += 4;
	if (date_month(&s, &p->mon) || date_lit(&s, " ") ||
	    date_num(&s, 2, &p->d) || date_lit(&s, " ") ||
	    date_num(&s, 4, &p->y) || date_lit(&s, " ") || date_hms(&s, p) ||
	    date_lit(&s, " GMT") || date_zone(&s, &p->off))
		return -1;
	if (*s == '\0')
		return 0;
	/* The trailing zone name is a comment. */
	if (s[0] != ' ' || s[1] != '(' || (e = strchr(s, ')')) == NULL ||
	    e[1] != '\0')
		return -1;
	return 0;
}

/* "YYYY MMM dd HH:mm:ss" */
static int
date_ymmm(const char *s, struct date_parts *p)
{
	if (date_num(&s, 4, &p->y) || date_lit(&s, " ") ||
	    date_month(&s, &p->mon) || date_lit(&s, " ") ||
	    date_num(&s, 2, &p->d) || date_lit(&s, " ") || date_hms(&s, p))
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* "YYYY-MM-dd" then "-HH-mm-ss.SSS", " HH:mm:ss.SSS" or "THH:mm:ss.SSSZ" */
static int
date_iso(const char *s, struct date_parts *p)
{
	char	sep;

	if (date_num(&s, 4, &p->y) || date_lit(&s, "-") ||
	    date_num(&s, 2, &p->mon) || date_lit(&s, "-") ||
	    date_num(&s, 2, &p->d))
		return -1;
	sep = *s++;
	if (sep == '-') {
		if (date_num(&s, 2, &p->h) || date_lit(&s, "-") ||
		    date_num(&s, 2, &p->mi) || date_lit(&s, "-") ||
		    date_num(&s, 2, &p->sec))
			return -1;
	} else if (sep == ' ' || sep == 'T') {
		if (date_hms(&s, p))
			return -1;
	} else
		return -1;
	if (*s == '.' && (s++, date_num(&s, 3, &p->ms)))
		return -1;
	if (sep == 'T' && *s != '\0' && date_zone(&s, &p->off))
		return -1;
	return *s == '\0' ? 0 : -1;
}

int
date_parse_ms(const char *s, int64_t *ms)
{
	struct date_parts	p;
	long long		v;

	if (util_strtoll(s, 0, INT64_MAX / 2, &v) == 0) {
		*ms = v;
		return 0;
	}
	memset(&p, 0, sizeof(p));
	if (date_iso(s, &p) == 0 || (memset(&p, 0, sizeof(p)),
	    date_ymmm(s, &p) == 0) || (memset(&p, 0, sizeof(p)),
	    date_js(s, &p) == 0))
		return date_to_ms(&p, ms);
	return -1;
}
