#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>

/*
 * API tokens: "hrld_" and 64 hex digits (256 bits from the kernel).
 * Only the SHA-256 of the whole token is stored.
 */
#define TOKEN_PREFIX	"hrld_"
#define TOKEN_LEN	(5 + 64)
#define TOKEN_HASH_LEN	32

/* A new token into buf (TOKEN_LEN + 1 bytes).  Returns 0 or -1. */
int	token_new(char *buf);

/* 1 when "s" has the token's shape (checked before any hashing). */
int	token_shape(const char *s);

/* SHA-256 of the token.  Returns 0 or -1. */
int	token_hash(const char *s, unsigned char out[TOKEN_HASH_LEN]);
/* SHA-256 of a buffer (request digests). */
int	token_sha256(const void *, size_t, unsigned char out[TOKEN_HASH_LEN]);

/* Constant-time equality of two hashes: 1 when equal. */
int	token_hash_eq(const unsigned char *, const unsigned char *);

/* "30d", "12h", "90m", "3600s" or plain seconds, into ms. 0 or -1. */
int	token_duration_ms(const char *, long long *);

/* herald token create|list|revoke; returns the exit status. */
struct cfg;
int	token_cmd(const struct cfg *, int argc, char *argv[]);

#endif
