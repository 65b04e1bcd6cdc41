/* struct request: the query-string parser and parameter lookup. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "request.h"
#include "util.h"

static const char *const req_methods[REQ__MAX] = {
	"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", NULL
};

enum req_method
req_method_parse(const char *s)
{
	int	i;

	for (i = 0; i < REQ_OTHER; i++)
		if (strcmp(s, req_methods[i]) == 0)
			return (enum req_method)i;
	return REQ_OTHER;
}

void
req_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
}

/* Secrets are overwritten before their memory is reused. */
static void
req_wipe(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
}

void
req_free(struct request *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	req_wipe(r->authorization);
	req_wipe(r->coder_token);
	req_wipe(r->okapi_token);
	req_wipe(r->coder_cookie);
	free(r->coder_token);
	free(r->coder_cookie);
	free(r->okapi_token);
	free(r->principal.tenant);
	free(r->method_name);
	free(r->path);
	free(r->query);
	free(r->body);
	free(r->content_type);
	free(r->authorization);
	free(r->remote_user);
	free(r->remote_addr);
	free(r->capture_buf);
	free(r->principal.user);
	json_object_put(r->json);
	req_init(r);
}

/*
 * application/x-www-form-urlencoded decoding, in place.  A '%' not followed
 * by two hex digits, and %00, are errors: values are C strings.
 */
long
req_pct_decode(char *s)
{
	char	*start = s, *w = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*w++ = ' ';
		else if (*s == '%') {
			if ((hi = util_hexval(s[1])) < 0 ||
			    (lo = util_hexval(s[2])) < 0)
				return -1;
			if (hi == 0 && lo == 0)
				return -1;
			*w++ = (char)(hi << 4 | lo);
			s += 2;
		} else
			*w++ = *s;
	}
	*w = '\0';
	return (long)(w - start);
}

enum req_parse_rc
req_parse_query(struct request *r, const char *query)
{
	const char	*p = query, *amp, *eq;
	size_t		 len, klen;
	char		*name, *value;

	while (*p != '\0') {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if (len == 0) {
			p += amp != NULL;
			continue;
		}
		if (r->nparams == REQ_PARAMS_MAX)
			return REQ_PARSE_TOO_MANY;
		eq = memchr(p, '=', len);
		klen = eq != NULL ? (size_t)(eq - p) : len;
		name = strndup(p, klen);
		value = eq != NULL ? strndup(eq + 1, len - klen - 1) :
		    strdup("");
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			return REQ_PARSE_BAD;
		}
		r->params[r->nparams].name = name;
		r->params[r->nparams].value = value;
		r->nparams++;
		if (req_pct_decode(name) < 0 || req_pct_decode(value) < 0 ||
		    !util_utf8_valid(name, strlen(name)) ||
		    !util_utf8_valid(value, strlen(value)))
			return REQ_PARSE_BAD;
		p += len + (amp != NULL);
	}
	return REQ_PARSE_OK;
}

int
req_param(const struct request *r, const char *name, int ci,
    const char **value)
{
	size_t	i;
	int	found = 0;

	for (i = 0; i < r->nparams; i++) {
		if (ci ? strcasecmp(r->params[i].name, name) != 0 :
		    strcmp(r->params[i].name, name) != 0)
			continue;
		if (found)
			return -1;
		*value = r->params[i].value;
		found = 1;
	}
	return found;
}

/* "X-Okapi-Tenant" and "HTTP_X_OKAPI_TENANT" name the same header. */
static int
req_header_is(const char *cginame, const char *name)
{
	if (strncmp(cginame, "HTTP_", 5) != 0)
		return 0;
	for (cginame += 5; *cginame != '\0' && *name != '\0';
	    cginame++, name++) {
		if (*name == '-' ? *cginame != '_' :
		    toupper((unsigned char)*name) != *cginame)
			return 0;
	}
	return *cginame == '\0' && *name == '\0';
}

const char *
req_header(const struct request *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nheaders; i++)
		if (req_header_is(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

int
req_header_add(struct request *r, const char *cginame, const char *value)
{
	char	*n, *v;

	if (r->nheaders == REQ_HEADERS_MAX || strlen(value) > REQ_HEADER_MAX)
		return -1;
	if ((n = strdup(cginame)) == NULL || (v = strdup(value)) == NULL) {
		free(n);
		return -1;
	}
	r->headers[r->nheaders].name = n;
	r->headers[r->nheaders].value = v;
	r->nheaders++;
	return 0;
}

const char *
req_capture(const struct request *r, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; i < r->ncaptures; i++)
		if (r->capnamelen[i] == len &&
		    strncmp(r->capnames[i], name, len) == 0)
			return r->captures[i];
	return NULL;
}

char *
req_cookie(const char *h, const char *name, size_t max)
{
	size_t		 nl = strlen(name), vl;
	const char	*p = h, *v, *e;
	char		*out;

	while (h != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		e = p + strcspn(p, ";");
		if ((size_t)(e - p) > nl && strncmp(p, name, nl) == 0 &&
		    p[nl] == '=') {
			v = p + nl + 1;
			vl = (size_t)(e - v);
			while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			/* RFC 6265 §4.1.1: a value may be in double quotes. */
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				v++;
				vl -= 2;
			}
			if (vl == 0 || vl > max || (out = malloc(vl + 1)) == NULL)
				return NULL;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
		p = e;
	}
	return NULL;
}
