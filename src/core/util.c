/* Small helpers shared by every module. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/random.h>

#include <uuid/uuid.h>

#include "util.h"

int
util_strtoll(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int64_t
util_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
util_strcaseeq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int
util_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

int
util_utf8_valid(const char *buf, size_t len)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i = 0, n, k;
	unsigned int		 cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1; cp = s[i] & 0x1f; min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2; cp = s[i] & 0x0f; min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3; cp = s[i] & 0x07; min = 0x10000;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
util_utf8_trunc(const char *buf, size_t max)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i = 0, n, k;

	while (s[i] != '\0') {
		if (s[i] < 0x80)
			n = 1;
		else if ((s[i] & 0xe0) == 0xc0)
			n = 2;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((s[i] & 0xf8) == 0xf0)
			n = 4;
		else
			break;
		if (n > max - i)
			break;
		/* A NUL ends the loop here too: it is not 10xxxxxx. */
		for (k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		i += n;
	}
	return i;
}

size_t
util_utf8_len(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
util_utf8_cut(const char *s, size_t max)
{
	size_t	len = strlen(s);

	if (len <= max)
		return len;
	/* Step back over continuation bytes to the start of a character. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

int
util_uuid_parse(const char *s, unsigned char out[16])
{
	uuid_t	u;

	if (strlen(s) != 36 || uuid_parse(s, u) != 0)
		return -1;
	memcpy(out, u, 16);
	return 0;
}

void
util_uuid_format(const unsigned char id[16], int upper, char out[UUID_STR_LEN])
{
	if (upper)
		uuid_unparse_upper(id, out);
	else
		uuid_unparse_lower(id, out);
}

void
util_uuid_new(unsigned char out[16])
{
	uuid_t	u;

	uuid_generate_random(u);
	memcpy(out, u, 16);
}

/* "n" random bytes from the kernel; a short read is retried. */
static void
util_random(unsigned char *buf, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		if ((r = getrandom(buf, n, 0)) < 0) {
			if (errno == EINTR)
				continue;
			/* No entropy source: still unique enough by time. */
			memset(buf, 0, n);
			return;
		}
		buf += r;
		n -= (size_t)r;
	}
}

uint32_t
util_random_u32(void)
{
	unsigned char	b[4];

	util_random(b, sizeof(b));
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/*
 * The generator's state, per process (a forked worker starts from its
 * parent's, and the 62 random bits keep the two apart): the last
 * timestamp used and the counter within it.
 */
static int64_t	v7_last_ms = -1;
static unsigned	v7_counter;

/*
 * RFC 9562, 5.7 and 6.2 method 1: unix_ts_ms (48 bits), ver = 7, rand_a
 * as a 12-bit counter seeded at random below 2^11 each new millisecond,
 * var = 0b10, rand_b (62 random bits).  Ids of one process are strictly
 * increasing: within a millisecond the counter grows; when it would wrap,
 * or the clock stepped back, the timestamp moves one past the last used.
 */
void
util_uuid_v7_at(int64_t now, unsigned char out[16])
{
	unsigned char	r[10];
	int64_t		ms;
	int		i;

	util_random(r, sizeof(r));
	if (now > v7_last_ms) {
		ms = now;
		v7_counter = ((unsigned)r[8] << 8 | r[9]) & 0x7ff;
	} else if (v7_counter < 0xfff) {
		ms = v7_last_ms;
		v7_counter++;
	} else {
		ms = v7_last_ms + 1;
		v7_counter = ((unsigned)r[8] << 8 | r[9]) & 0x7ff;
	}
	v7_last_ms = ms;
	for (i = 0; i < 6; i++)
		out[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
	out[6] = (unsigned char)(0x70 | (v7_counter >> 8));
	out[7] = (unsigned char)(v7_counter & 0xff);
	out[8] = (unsigned char)(0x80 | (r[0] & 0x3f));
	memcpy(out + 9, r + 1, 7);
}

void
util_uuid_v7(unsigned char out[16])
{
	util_uuid_v7_at(util_now_ms(), out);
}

void
util_time_text(int64_t ms, char *buf, size_t sz)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	if (ms <= 0) {
		snprintf(buf, sz, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
util_time_rfc3339(int64_t ms, char *buf, size_t sz)
{
	time_t		t;
	struct tm	tm;
	char		sec[32];
	int64_t		frac;

	/* Floor division, so times before 1970 keep a positive fraction. */
	frac = ms % 1000;
	if (frac < 0)
		frac += 1000;
	t = (time_t)((ms - frac) / 1000);
	gmtime_r(&t, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, sz, "%s.%03dZ", sec, (int)frac);
}

char *
util_slurp(const char *path, size_t max)
{
	FILE	*f;
	char	*text = NULL;
	long	 sz;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
	    (size_t)sz <= max && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = calloc(1, (size_t)sz + 1)) != NULL &&
	    fread(text, 1, (size_t)sz, f) != (size_t)sz) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
util_email_ok(const char *a)
{
	const char	*at = strchr(a, '@');
	size_t		 i;

	if (at == NULL || at == a || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strlen(a) > 320)
		return 0;
	for (i = 0; a[i] != '\0'; i++)
		if ((unsigned char)a[i] <= ' ' || a[i] == 0x7f ||
		    strchr("<>,;\"()[]\\", a[i]) != NULL)
			return 0;
	return 1;
}
