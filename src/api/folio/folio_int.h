#ifndef FOLIO_INT_H
#define FOLIO_INT_H

/*
 * The FOLIO mod-notify dialect (seed 003, peers.md §1): what its files
 * share.  common.c: errors, parameters, the body pipeline, the Jackson
 * wire format; notify.c: the handlers; cql.c: queries; routes.c: the
 * table and the tenant.
 */
#include <stddef.h>

#include "store.h"

struct herr;
struct json_object;
struct reply;
struct request;

int	api_folio_health(struct request *, struct reply *);
int	api_folio_list(struct request *, struct reply *);
int	api_folio_create(struct request *, struct reply *);
int	api_folio_create_username(struct request *, struct reply *);
int	api_folio_get(struct request *, struct reply *);
int	api_folio_put(struct request *, struct reply *);
int	api_folio_delete(struct request *, struct reply *);
int	api_folio_self_list(struct request *, struct reply *);
int	api_folio_self_delete(struct request *, struct reply *);
int	api_folio_self_post(struct request *, struct reply *);
int	api_folio_tenant_post(struct request *, struct reply *);
int	api_folio_tenant_get(struct request *, struct reply *);
int	api_folio_tenant_delete(struct request *, struct reply *);

int	folio_render_error(struct request *, struct reply *,
	    const struct herr *);
int	folio_tenant(struct request *, struct reply *, const char **);

/* A 400/404/500 whose body is "text" (FOLIO's text/plain errors). */
int	folio_text_err(struct reply *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * A 422 in FOLIO's errors format: message, code (NULL: "-1"), and the
 * one parameter key/value.
 */
int	folio_422(struct reply *, const char *code, const char *key,
	    const char *value, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* A model error, as FOLIO answers it (409 becomes 422). */
int	folio_model_err(struct reply *, const struct herr *);

/* "doc" (consumed) pretty-printed as Jackson does, with "status". */
int	folio_json(struct reply *, int status, struct json_object *doc);
/*
 * Jackson's DefaultPrettyPrinter text of "doc" (borrowed): caller frees.
 * NULL when out of memory.
 */
char	*folio_jackson(struct json_object *doc, size_t *len);

/* 1 when "s" is a UUID as RMB's UuidUtil.isUuid says (v1-5, RFC 4122). */
int	folio_uuid_strict(const char *s);
/* 1 when "s" matches the loose metadata pattern (hex 8-4-4-4-12). */
int	folio_uuid_loose(const char *s);

/* lang, and offset/limit when "paged": 0, or -1 with a 400 recorded. */
int	folio_params(struct request *, struct reply *, int paged,
	    long long *offset, long long *limit);

/*
 * Content-Type, UTF-8 and JSON syntax of a body that must be an object
 * (of Java class "class" in the messages): 0 and *out (caller frees), or
 * -1 with the 400 recorded.
 */
int	folio_body_object(struct request *, struct reply *, const char *class,
	    struct json_object **out);

/* A notification body through the pipeline (Content-Type to metadata). */
struct folio_body {
	struct json_object	*doc;		/* owned */
	const char		*id;		/* NULL: absent or blank */
	const char		*recipient;	/* NULL: absent or empty */
	const char		*sender;
	const char		*text;
	const char		*link;
	const char		*event;
	const char		*lang;
	const char		*context;	/* JSON text (in doc) or NULL */
	int			 seen;
};
int	folio_body_parse(struct request *, struct reply *, struct folio_body *);
void	folio_body_free(struct folio_body *);

/* The caller's id (X-Okapi-User-Id, or the token's user), or NULL. */
const char *folio_caller(struct request *);

/* --- events and patron notices (events.c) --- */

int	api_folio_patron_notice(struct request *, struct reply *);
/*
 * mod-notify's 422 for a patron notice a module refused:
 * {"errors":[{"message","parameters":[]}]}, of "msg" or (NULL) of the
 * error recorded.
 */
int	folio_notice_422(struct reply *, const char *msg);
/*
 * After the notification "note_id" for "user_id" was stored from "b"
 * (b->event set): its event, as mod-notify handles it.  0 when it was
 * sent (the caller answers 201 with no Location), or the status of the
 * error recorded: 400 text (no such event, the event refused), 500.
 */
int	folio_event(struct request *, struct reply *, const struct folio_body *,
	    const unsigned char note_id[16], const unsigned char user_id[16]);

/* --- Okapi (okapi.c), with folio_okapi_url set --- */

/*
 * mod-users' id of "name" into "id": 0, or the status with the reply set
 * (400 as mod-notify words it, 500).
 */
int	folio_okapi_user(struct request *, struct reply *, const char *name,
	    char id[37]);
/* As folio_event, through mod-event-config, the engine and mod-sender. */
int	folio_okapi_event(struct request *, struct reply *,
	    const struct folio_body *);
/* POST /patron-notice through the engine and mod-sender: 200, 422, 500. */
int	folio_okapi_notice(struct request *, struct reply *,
	    struct json_object *doc);

/* A stored notification as FOLIO's "notification" object. */
struct json_object *folio_note_json(const struct note *);

#endif
