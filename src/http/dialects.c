/*
 * The dialect registry: the one list of the APIs Herald speaks.  Adding
 * a dialect is a folder src/api/<name>/ with its routes and renderers,
 * and one line here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dialect.h"

extern const struct dialect dialect_agent;
extern const struct dialect dialect_native;
extern const struct dialect dialect_coder;	/* Coder (issue J) */
extern const struct dialect dialect_folio;
extern const struct dialect dialect_projects;	/* K */
extern const struct dialect dialect_etester;	/* K */
extern const struct dialect dialect_herald;

const struct dialect *const dialects[] = {
	&dialect_native,
	&dialect_folio,
	&dialect_agent,
	&dialect_coder,
	&dialect_projects,	/* K */
	&dialect_etester,	/* K */
	&dialect_herald,
	NULL
};

/* Length of "prefix" when it owns "path", else 0 ("/" counts as 1). */
static size_t
dialect_prefix_len(const char *prefix, const char *path)
{
	size_t	len = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return path[0] == '/' ? 1 : 0;
	if (strncmp(path, prefix, len) != 0 ||
	    (path[len] != '\0' && path[len] != '/'))
		return 0;
	return len;
}

const struct dialect *
dialect_for_path(const char *path)
{
	const struct dialect	*best = NULL;
	const char *const	*p;
	size_t			 i, len, best_len = 0;

	for (i = 0; dialects[i] != NULL; i++)
		for (p = dialects[i]->prefixes; *p != NULL; p++)
			if (path != NULL &&
			    (len = dialect_prefix_len(*p, path)) > best_len) {
				best = dialects[i];
				best_len = len;
			}
	/* A path that is not even absolute: the default dialect's. */
	return best != NULL ? best : &dialect_agent;
}

int
dialect_print_routes(void)
{
	const struct route	*r;
	size_t			 i, k;
	char			 flags[32];

	for (i = 0; dialects[i] != NULL; i++)
		for (k = 0; k < dialects[i]->nroutes; k++) {
			r = &dialects[i]->routes[k];
			snprintf(flags, sizeof(flags), "%s%s%s",
			    r->flags & ROUTE_PUBLIC ? "public," : "",
			    r->flags & ROUTE_ADMIN ? "admin," : "",
			    r->flags & ROUTE_JSON ? "json," : "");
			if (flags[0] == '\0')
				strcpy(flags, "-");
			else
				flags[strlen(flags) - 1] = '\0';
			printf("%s\t%s\t%s\t%s\n", dialects[i]->name,
			    route_method_name(r->method), r->pattern, flags);
		}
	return fflush(stdout) == 0 ? 0 : 1;
}
