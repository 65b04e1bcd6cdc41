#ifndef CODER_INT_H
#define CODER_INT_H

/*
 * The Coder dialect (seed 000, /api/v2, peers.md §2): what its files
 * share.  common.c: codersdk.Response errors, JSON out, times, the inbox
 * notification; query.c: the comma-separated UUID lists; inbox.c and
 * admin.c: handlers; routes.c: the table.
 */
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct herr;
struct jbuf;
struct json_object;
struct reply;
struct request;

#define CODER_PAGE		25	/* Coder's fixed inbox page */
#define CODER_VALIDATIONS_MAX	4	/* kept per error (herr's room) */

int	api_coder_inbox_list(struct request *, struct reply *);
int	api_coder_inbox_watch(struct request *, struct reply *);
int	api_coder_inbox_read_all(struct request *, struct reply *);
int	api_coder_inbox_read_status(struct request *, struct reply *);
int	api_coder_custom(struct request *, struct reply *);
int	api_coder_test(struct request *, struct reply *);
int	api_coder_dispatch_methods(struct request *, struct reply *);
int	api_coder_settings_get(struct request *, struct reply *);
int	api_coder_settings_put(struct request *, struct reply *);
int	api_coder_templates_system(struct request *, struct reply *);
int	api_coder_templates_custom(struct request *, struct reply *);
int	api_coder_template_method(struct request *, struct reply *);
int	api_coder_prefs_get(struct request *, struct reply *);
int	api_coder_prefs_put(struct request *, struct reply *);

int	coder_render_error(struct request *, struct reply *,
	    const struct herr *);

/* Record Coder's own message (and detail, or NULL); returns status. */
int	coder_fail(struct reply *, int status, const char *message,
	    const char *detail);
/* Add a validation {field, detail} to the error being recorded. */
void	coder_validation(struct reply *, const char *field,
	    const char *detail);
/* A model error, in Coder's words where it has them. */
int	coder_model_err(struct reply *, const struct herr *);
/* Render "doc" (consumed) as Go writes it: compact, a trailing newline. */
int	coder_json(struct reply *, int status, struct json_object *doc);
/*
 * The body written in "b" (a noslash jbuf, taken) as coder_json would
 * send it; when it did not fit, a 500 with Coder's "failed" message.
 */
int	coder_reply(struct reply *, int status, struct jbuf *b,
	    const char *failed);
/* RFC 3339 with Go's trimmed fraction, UTC, into buf (40 bytes do). */
void	coder_time_text(int64_t ms, char *buf, size_t sz);
/*
 * An InboxNotification into "b" (noslash), as coder_json writes it.  An
 * empty stored icon shows "icon"; with "icon" NULL and icon_at given,
 * the icon's value is left out and *icon_at is the offset where it goes
 * (else SIZE_MAX).  Returns what the jbuf writes return.
 */
int	coder_note_write(struct jbuf *b, const struct note *, const char *icon,
	    size_t *icon_at);
/* The principal's user name, or NULL with a 401 recorded. */
const char *coder_me(struct request *, struct reply *);

/* The inbox's filters, from the list's or the watch's parameters. */
struct inbox_params {
	unsigned char	 targets[NOTE_QUERY_IN_MAX][16];
	size_t		 ntargets;
	unsigned char	 templates[NOTE_QUERY_IN_MAX][16];
	size_t		 ntemplates;
	const char	*read_status;
	int		 has_before;
	unsigned char	 before[16];
};

/*
 * Coder's QueryParamParser over the list's (watch 0) or the watch's
 * parameters (inbox.c): 0, or -1 with the 400 recorded in "rep".
 */
int	coder_inbox_params(struct request *, struct reply *, int watch,
	    struct inbox_params *);
/* A model_tmpl_get callback: the fallback icon of the template's group
 * into *(const char **)arg. */
struct tmpl_row;
int	coder_icon_group_row(const struct tmpl_row *, void *);

/*
 * Split "v" at commas, trim white space, parse each UUID into out[]
 * (at most max).  Returns 0; or 1 with the bad values joined by commas
 * in bad[] (Go's message), or 2 when there are more than max.
 */
int	coder_uuid_csv(const char *v, unsigned char (*out)[16], size_t max,
	    size_t *n, char *bad, size_t badsz);

#endif
