/*
 * API tokens: generation and hashing (OpenSSL's libcrypto), and the
 * "herald token" subcommand.
 */
#include "config.h"

#include <sys/random.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cfg.h"
#include "log.h"
#include "store.h"
#include "token.h"
#include "util.h"

int
token_new(char *buf)
{
	unsigned char	raw[32];
	size_t		got = 0, i;
	ssize_t		n;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	memcpy(buf, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(buf + strlen(TOKEN_PREFIX) + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

int
token_shape(const char *s)
{
	size_t	i, p = strlen(TOKEN_PREFIX);

	if (strncmp(s, TOKEN_PREFIX, p) != 0 || strlen(s) != TOKEN_LEN)
		return 0;
	for (i = p; i < TOKEN_LEN; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return 1;
}

int
token_sha256(const void *buf, size_t sz, unsigned char out[TOKEN_HASH_LEN])
{
	unsigned int	len = 0;

	if (EVP_Digest(buf, sz, out, &len, EVP_sha256(), NULL) != 1 ||
	    len != TOKEN_HASH_LEN)
		return -1;
	return 0;
}

int
token_hash(const char *s, unsigned char out[TOKEN_HASH_LEN])
{
	return token_sha256(s, strlen(s), out);
}

int
token_hash_eq(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}

int
token_duration_ms(const char *s, long long *out)
{
	char		 num[32];
	size_t		 len = strlen(s);
	long long	 v, mult = 1000;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'd': mult = 86400000LL; num[--len] = '\0'; break;
	case 'h': mult = 3600000LL; num[--len] = '\0'; break;
	case 'm': mult = 60000LL; num[--len] = '\0'; break;
	case 's': num[--len] = '\0'; break;
	default: break;
	}
	if (util_strtoll(num, 1, 100LL * 365 * 86400, &v) != 0)
		return -1;
	*out = v * mult;
	return 0;
}

static int
token_role_ok(const char *r)
{
	return strcmp(r, "user") == 0 || strcmp(r, "service") == 0 ||
	    strcmp(r, "admin") == 0;
}

static int
token_print(const struct token_row *t, void *arg)
{
	char	id[UUID_STR_LEN], c[32], e[32], u[32], r[32];

	(void)arg;
	util_uuid_format(t->id, 0, id);
	util_time_text(t->created, c, sizeof(c));
	util_time_text(t->expires, e, sizeof(e));
	util_time_text(t->last_used, u, sizeof(u));
	util_time_text(t->revoked, r, sizeof(r));
	printf("%s  %-8s %-24s created %s  expires %s  last used %s  "
	    "revoked %s\n", id, t->role, t->user, c, e, u, r);
	return 0;
}

static int
token_create(struct store *st, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "user",	required_argument,	NULL, 'u' },
		{ "role",	required_argument,	NULL, 'r' },
		{ "expires",	required_argument,	NULL, 'e' },
		{ "tenant",	required_argument,	NULL, 't' },
		{ NULL,		0,			NULL, 0 }
	};
	struct token_row	t;
	char			tok[TOKEN_LEN + 1], id[UUID_STR_LEN];
	long long		dur = 0;
	int			ch, rc;

	memset(&t, 0, sizeof(t));
	t.tenant = STORE_TENANT_DEFAULT;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "u:r:e:t:", opts, NULL)) != -1)
		switch (ch) {
		case 'u': t.user = optarg; break;
		case 'r': t.role = optarg; break;
		case 't': t.tenant = optarg; break;
		case 'e':
			if (token_duration_ms(optarg, &dur) != 0) {
				log_error("bad --expires: use e.g. 30d, 12h, "
				    "90m or 3600s");
				return 2;
			}
			break;
		default:
			return 2;
		}
	if (t.user == NULL || util_blank(t.user) || strlen(t.user) > 255 ||
	    t.role == NULL || !token_role_ok(t.role) ||
	    strlen(t.tenant) > 64) {
		log_error("usage: herald token create --user NAME --role "
		    "user|service|admin [--expires DURATION] [--tenant T]");
		return 2;
	}
	if (token_new(tok) != 0 || token_hash(tok, t.hash) != 0)
		return 1;
	util_uuid_new(t.id);
	t.created = util_now_ms();
	t.expires = dur > 0 ? t.created + dur : 0;
	/* The token's user exists from now on, as any user named. */
	rc = store_token_add(st, &t) == STORE_OK &&
	    store_user_ensure(st, t.tenant, t.user, t.created) == STORE_OK ?
	    0 : 1;
	if (rc == 0) {
		util_uuid_format(t.id, 0, id);
		/* The token is shown once, here; only its hash is kept. */
		printf("%s\n", tok);
		fprintf(stderr, "token %s for %s (%s) created; it is not "
		    "shown again\n", id, t.user, t.role);
	}
	explicit_bzero(tok, sizeof(tok));
	return rc;
}

int
token_cmd(const struct cfg *cfg, int argc, char *argv[])
{
	struct store	*st;
	unsigned char	 id[16];
	enum store_rc	 rc;
	int		 status = 2;

	if (argc < 1 || mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(cfg)) == NULL) {
		log_error("usage: herald token create|list|revoke");
		return 2;
	}
	if (strcmp(argv[0], "create") == 0)
		status = token_create(st, argc, argv);
	else if (strcmp(argv[0], "list") == 0 && argc == 1)
		status = store_token_list(st, token_print, NULL) == STORE_OK ?
		    0 : 1;
	else if (strcmp(argv[0], "revoke") == 0 && argc == 2) {
		if (util_uuid_parse(argv[1], id) != 0)
			log_error("revoke: not a token id: %s", argv[1]);
		else if ((rc = store_token_revoke(st, id, util_now_ms())) ==
		    STORE_OK)
			status = 0;
		else {
			log_error("revoke: %s", rc == STORE_NOTFOUND ?
			    "no such token, or revoked already" :
			    "database error");
			status = 1;
		}
	} else
		log_error("usage: herald token create|list|revoke ID");
	store_free(st);
	mysql_library_end();
	return status;
}
