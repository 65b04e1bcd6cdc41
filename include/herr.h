#ifndef HERR_H
#define HERR_H

/*
 * One error, found anywhere below a dialect (validators, the model, the
 * store mapping, the transport), rendered only by the dialect that owns
 * the request's path.  Every string is copied in, bounded.
 */
#include <stddef.h>

enum herr_code {
	HERR_NONE,
	HERR_BAD_QUERY,		/* 400: the query string cannot be parsed */
	HERR_BAD_JSON,		/* 400: the body is not the JSON asked for */
	HERR_BAD_REQUEST,	/* 400: another malformed input */
	HERR_INVALID,		/* 422: well-formed, refused */
	HERR_UNAUTHENTICATED,	/* 401 */
	HERR_FORBIDDEN,		/* 403 */
	HERR_NOT_FOUND,		/* 404: no such record */
	HERR_NO_ROUTE,		/* 404: no such path */
	HERR_METHOD,		/* 405 */
	HERR_CONFLICT,		/* 409 */
	HERR_TOO_LARGE,		/* 413 */
	HERR_URI_TOO_LONG,	/* 414 */
	HERR_INTERNAL,		/* 500 */
	HERR_UNAVAILABLE,	/* 503 */
	HERR__MAX
};

/* Where the offending value came from. */
enum herr_src { HERR_SRC_NONE, HERR_SRC_QUERY, HERR_SRC_BODY,
	HERR_SRC_PATH, HERR_SRC_HEADER };

#define HERR_MSG_MAX	256
#define HERR_FIELD_MAX	64
#define HERR_VALUE_MAX	256
#define HERR_KV_MAX	3

struct herr_kv {
	const char	*key;		/* static string */
	char		 value[HERR_VALUE_MAX];
};

struct herr {
	int		 status;	/* 0: no error */
	enum herr_code	 code;
	const char	*dcode;		/* the finding dialect's own code, or NULL */
	char		 message[HERR_MSG_MAX];
	enum herr_src	 src;
	char		 field[HERR_FIELD_MAX];	/* "" when none */
	char		 value[HERR_VALUE_MAX];
	int		 has_value;
	struct herr_kv	 kv[HERR_KV_MAX];	/* extra context, in order */
	size_t		 nkv;
	char		 allow[64];	/* 405: the methods the path has */
};

void	herr_init(struct herr *);

/* Set status, code and message (printf-style).  Returns the status. */
int	herr_set(struct herr *, int status, enum herr_code, const char *fmt,
	    ...) __attribute__((format(printf, 4, 5)));
/* Name the offending field and, unless NULL, its value. */
void	herr_field(struct herr *, enum herr_src, const char *field,
	    const char *value);
/* Add one key/value of context ("key" must be a static string). */
void	herr_kv(struct herr *, const char *key, const char *value);

/* The generic code's name: "not_found", "invalid", ... */
const char *herr_code_name(enum herr_code);
/* The usual status of a code. */
int	herr_code_status(enum herr_code);

#endif
