/*
 * Who is asking, resolved once per request before any handler runs.
 * Sources, in order: an API token (Authorization: Bearer, or the
 * dialects' Coder-Session-Token and X-Okapi-Token headers; Coder's
 * coder_session_token cookie on GET routes marked ROUTE_COOKIE);
 * REMOTE_USER when auth = remote-user (which ignores a credential that
 * is not a Herald token: the front end's own); the dialect's own user
 * parameter when auth = trusted-network.  Tokens are never accepted from the query
 * string, and never logged.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "log.h"
#include "request.h"
#include "router.h"
#include "store.h"
#include "token.h"
#include "util.h"

#define TOUCH_MS	60000	/* last_used is kept to the minute */

/* The token the request presents, or NULL. */
static const char *
auth_credential(const struct request *req, int *malformed)
{
	const char	*a = req->authorization;

	*malformed = 0;
	if (a != NULL && *a != '\0') {
		if (strncasecmp(a, "Bearer ", 7) == 0) {
			a += 7;
			while (*a == ' ')
				a++;
			return a;
		}
		/*
		 * Other schemes (Basic) belong to the web server's own
		 * authentication; only token mode has nothing else to go by.
		 */
		if (req->app->cfg->auth == AUTH_TOKEN)
			*malformed = 1;
	}
	if (req->coder_token != NULL && *req->coder_token != '\0')
		return req->coder_token;
	if (req->okapi_token != NULL && *req->okapi_token != '\0')
		return req->okapi_token;
	/*
	 * Coder's browser session: the cookie, last, and only on the GET
	 * routes that say so; a cookie cannot make a write (CSRF).
	 */
	if (req->coder_cookie != NULL && req->method == REQ_GET &&
	    req->route != NULL && (req->route->flags & ROUTE_COOKIE))
		return req->coder_cookie;
	return NULL;
}

struct auth_found {
	struct request		*req;
	const unsigned char	*hash;
	int			 ok;
	unsigned char		 id[16];
	int64_t			 last_used;
};

static enum role
auth_role(const char *s)
{
	if (strcmp(s, "admin") == 0)
		return ROLE_ADMIN;
	if (strcmp(s, "service") == 0)
		return ROLE_SERVICE;
	if (strcmp(s, "user") == 0)
		return ROLE_USER;
	return ROLE_NONE;
}

static int
auth_token_row(const struct token_row *t, void *arg)
{
	struct auth_found	*f = arg;
	struct principal	*p = &f->req->principal;
	int64_t			 now = util_now_ms();

	/* The lookup was by hash; compare again in constant time. */
	if (!token_hash_eq(t->hash, f->hash) || t->revoked != 0 ||
	    (t->expires != 0 && t->expires <= now) ||
	    (p->role = auth_role(t->role)) == ROLE_NONE)
		return 1;
	if ((p->user = strdup(t->user)) == NULL ||
	    (p->tenant = strdup(t->tenant)) == NULL)
		return 1;
	memcpy(f->id, t->id, 16);
	f->last_used = t->last_used;
	f->ok = 1;
	return 1;
}

/* The token with this hash: the principal, the last-use mark. */
static enum auth_rc
auth_token_hash(struct request *req, const unsigned char *hash)
{
	struct auth_found	f;
	enum store_rc		rc;
	int64_t			now;

	memset(&f, 0, sizeof(f));
	f.req = req;
	f.hash = hash;
	rc = store_token_find(req->app->store, hash, auth_token_row, &f);
	if (rc == STORE_UNAVAILABLE || rc == STORE_ERROR ||
	    rc == STORE_RETRY)
		return AUTH_UNAVAILABLE;
	if (rc != STORE_OK || !f.ok) {
		req->principal.role = ROLE_NONE;
		return AUTH_UNAUTHENTICATED;
	}
	/* At most one write a minute per token, not one per request. */
	now = util_now_ms();
	if (f.last_used < now - TOUCH_MS &&
	    store_token_touch(req->app->store, f.id, now, now - TOUCH_MS) !=
	    STORE_OK)
		log_warn("could not record a token's use");
	return AUTH_OK;
}

static enum auth_rc
auth_token(struct request *req, const char *tok)
{
	unsigned char	hash[TOKEN_HASH_LEN];

	if (!token_shape(tok) || token_hash(tok, hash) != 0)
		return AUTH_UNAUTHENTICATED;
	return auth_token_hash(req, hash);
}

/* 1 when "name" is in the comma-separated "list". */
static int
auth_listed(const char *list, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = list, *e;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		e = p;
		while (*e != '\0' && *e != ',' && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && n > 0 && strncmp(p, name, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/*
 * The credential auth_resolve goes by: behind auth_request a front end's
 * own bearer (a JWT it checked) reaches us too, which is not a Herald
 * token, so REMOTE_USER decides.
 */
static const char *
auth_own_token(const struct request *req, const char *tok)
{
	if (tok != NULL && req->app->cfg->auth == AUTH_REMOTE_USER &&
	    strncmp(tok, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return NULL;
	/*
	 * I: behind Okapi every request carries FOLIO's own JWT in
	 * X-Okapi-Token; on a trusted network it is FOLIO's (passed on to
	 * Okapi), not a Herald token.
	 */
	if (tok != NULL && tok == req->okapi_token &&
	    req->app->cfg->auth == AUTH_TRUSTED_NETWORK &&
	    strncmp(tok, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return NULL;
	return tok;
}

int
auth_token_of(const struct request *req, unsigned char hash[TOKEN_HASH_LEN])
{
	const char	*tok;
	int		 malformed;

	tok = auth_own_token(req, auth_credential(req, &malformed));
	return tok != NULL && token_shape(tok) && token_hash(tok, hash) == 0;
}

enum auth_rc
auth_token_check(struct app *app, const unsigned char hash[TOKEN_HASH_LEN])
{
	struct request	req;
	enum auth_rc	rc;

	req_init(&req);
	req.app = app;
	rc = auth_token_hash(&req, hash);
	req_free(&req);
	return rc;
}

enum auth_rc
auth_resolve(struct request *req)
{
	const struct cfg	*cfg = req->app->cfg;
	struct principal	*p = &req->principal;
	const char		*tok, *ru = req->remote_user;
	int			 malformed;

	p->role = ROLE_NONE;
	tok = auth_credential(req, &malformed);
	if ((tok = auth_own_token(req, tok)) != NULL)
		return auth_token(req, tok);
	if (malformed)
		return AUTH_UNAUTHENTICATED;
	switch (cfg->auth) {
	case AUTH_TOKEN:
		return AUTH_UNAUTHENTICATED;
	case AUTH_REMOTE_USER:
		if (ru == NULL || *ru == '\0' || strlen(ru) > 255 ||
		    !util_utf8_valid(ru, strlen(ru)))
			return AUTH_UNAUTHENTICATED;
		if ((p->user = strdup(ru)) == NULL)
			return AUTH_UNAVAILABLE;
		p->role = auth_listed(cfg->admin_users, ru) ? ROLE_ADMIN :
		    auth_listed(cfg->service_users, ru) ? ROLE_SERVICE :
		    ROLE_USER;
		return AUTH_OK;
	case AUTH_TRUSTED_NETWORK:
		/* The original agent's model: whoever reaches us is trusted. */
		p->role = ROLE_ADMIN;
		return AUTH_OK;
	}
	return AUTH_UNAUTHENTICATED;
}

int
auth_may_act_for(const struct request *req, const char *user)
{
	const struct principal	*p = &req->principal;

	switch (p->role) {
	case ROLE_ADMIN:
	case ROLE_SERVICE:
		return 1;
	case ROLE_USER:
		return p->user != NULL && strcmp(p->user, user) == 0;
	default:
		return 0;
	}
}
