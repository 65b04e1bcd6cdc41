#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse the whole of "s" as a decimal integer in [min, max].
 * Returns 0 and writes *out, or -1 (empty, junk, out of range).
 */
int	 util_strtoll(const char *, long long, long long, long long *out);

/* Milliseconds since the epoch, from the real-time clock. */
int64_t	 util_now_ms(void);

/* Case-insensitive ASCII comparison; 0 when equal. */
int	 util_strcaseeq(const char *, const char *);

/* 1 if the NUL-free buffer is valid UTF-8 (no overlongs, no surrogates). */
int	 util_utf8_valid(const char *, size_t);

/*
 * The length in bytes of the longest prefix of NUL-terminated "s" that
 * has at most "max" bytes and ends on a character boundary: text cut
 * there stays valid UTF-8 (a cut half character makes MariaDB refuse
 * the whole value).  Stops early at a byte that is not UTF-8.
 */
size_t	 util_utf8_trunc(const char *, size_t max);

/* Number of code points in valid UTF-8. */
size_t	 util_utf8_len(const char *, size_t);

/*
 * The longest prefix of "s" of at most "max" bytes that ends on a
 * character boundary: its length.
 */
size_t	 util_utf8_cut(const char *, size_t max);

/* "2026-12-01T10:11:12.345Z" (RFC 3339, UTC, milliseconds). */
void	 util_time_rfc3339(int64_t ms, char *buf, size_t sz);

/* 1 if "s" is empty or only ASCII white space. */
int	 util_blank(const char *);

/* The value of hex digit "c", or -1. */
int	 util_hexval(int c);

/*
 * 1 if "a" is an address a message may go to: local@domain as the agent
 * accepted it (^[^@ ]+@[^@ ]+$), at most 320 bytes, and nothing that could
 * smuggle headers or extra recipients into a message.
 */
int	 util_email_ok(const char *a);

/*
 * UUIDs travel as 16 raw bytes.  util_uuid_parse() accepts the canonical
 * 36-character form in any case; util_uuid_format() writes 37 bytes.
 */
#define UUID_STR_LEN	37
int	 util_uuid_parse(const char *, unsigned char out[16]);
void	 util_uuid_format(const unsigned char[16], int upper, char out[UUID_STR_LEN]);
void	 util_uuid_new(unsigned char out[16]);
/*
 * A time-ordered UUID (version 7, RFC 9562) for keys that should append
 * to an index: strictly increasing within this process.  _at takes the
 * time in ms since the epoch (tests).
 */
void	 util_uuid_v7(unsigned char out[16]);
void	 util_uuid_v7_at(int64_t ms, unsigned char out[16]);
/* 32 random bits from the kernel (backoff jitter, not secrets). */
uint32_t util_random_u32(void);

/* "2026-11-23T18:00:00Z" for ms since the epoch; "-" for 0. */
void	 util_time_text(int64_t ms, char *buf, size_t sz);

/*
 * The whole of a file of at most "max" bytes, NUL-terminated (caller
 * frees), or NULL.
 */
char	*util_slurp(const char *path, size_t max);

#endif
