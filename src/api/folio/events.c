/*
 * eventConfigName and POST /patron-notice (peers.md §1.4): a template
 * rendered with a context and sent to a user.  Locally the template is
 * one of the tenant's and the message goes through the outbox (the
 * model's events); with folio_okapi_url the calls go to FOLIO's own
 * modules (okapi.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "cfg.h"
#include "folio_int.h"
#include "herr.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "util.h"

#define CTX_VALS_MAX	256		/* {{name}} values of one context */
#define CTX_PATH_MAX	256		/* bytes of one dotted name */
#define CTX_DEPTH_MAX	8
#define NOTICE_TMPL_MAX	255

/* A context object as {{a.b}} pairs: strings as they are, others JSON. */
struct ctx_vals {
	const char	*v[2 * CTX_VALS_MAX];
	char		*own[CTX_VALS_MAX];	/* the names */
	size_t		 n;
	int		 over;
};

static void
ctx_flatten(struct ctx_vals *cv, struct json_object *o, const char *prefix,
    int depth)
{
	char	path[CTX_PATH_MAX];
	int	len;

	json_object_object_foreach(o, key, val) {
		if (cv->n >= CTX_VALS_MAX) {
			cv->over = 1;
			return;
		}
		len = prefix != NULL ? snprintf(path, sizeof(path), "%s.%s",
		    prefix, key) : snprintf(path, sizeof(path), "%s", key);
		if (len < 0 || (size_t)len >= sizeof(path))
			continue;
		if (val != NULL && json_object_is_type(val, json_type_object)) {
			if (depth < CTX_DEPTH_MAX)
				ctx_flatten(cv, val, path, depth + 1);
			continue;
		}
		if ((cv->own[cv->n] = strdup(path)) == NULL) {
			cv->over = 1;
			return;
		}
		cv->v[2 * cv->n] = cv->own[cv->n];
		cv->v[2 * cv->n + 1] = val == NULL ? "" :
		    json_object_is_type(val, json_type_string) ?
		    json_object_get_string(val) :
		    json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
		cv->n++;
	}
}

static void
ctx_vals_free(struct ctx_vals *cv)
{
	size_t	i;

	for (i = 0; i < cv->n; i++)
		free(cv->own[i]);
	cv->n = 0;
}

/* The local event: 1 sent, 0 no such template, -1 with *e set. */
static int
event_local(struct request *req, const char *tmpl, struct json_object *ctx,
    const unsigned char *note_id, const unsigned char user_id[16],
    struct herr *e)
{
	struct ctx_vals		*cv;
	struct event_mail	 em;
	int			 rc;

	if ((cv = calloc(1, sizeof(*cv))) == NULL) {
		herr_set(e, 500, HERR_INTERNAL, "out of memory");
		return -1;
	}
	if (ctx != NULL && json_object_is_type(ctx, json_type_object))
		ctx_flatten(cv, ctx, NULL, 0);
	if (cv->over) {
		ctx_vals_free(cv);
		free(cv);
		herr_set(e, 422, HERR_INVALID, "The context has more than %d "
		    "values", CTX_VALS_MAX);
		herr_field(e, HERR_SRC_BODY, "context", NULL);
		return -1;
	}
	memset(&em, 0, sizeof(em));
	em.tmpl = tmpl;
	em.vals = cv->v;
	em.nvals = cv->n;
	em.user_id = user_id;
	em.note_id = note_id;
	em.type = "patron-notice";
	em.by = folio_caller(req);
	if (em.by != NULL && !folio_uuid_loose(em.by))
		em.by = NULL;
	rc = model_event_mail(req->ctx, &em, e);
	ctx_vals_free(cv);
	free(cv);
	return rc;
}

int
folio_event(struct request *req, struct reply *rep, const struct folio_body *b,
    const unsigned char note_id[16], const unsigned char user_id[16])
{
	struct json_object	*ctx = NULL;
	struct herr		 e;
	int			 rc;

	if (req->app->cfg->folio_okapi_url[0] != '\0')
		return folio_okapi_event(req, rep, b);
	(void)json_object_object_get_ex(b->doc, "context", &ctx);
	herr_init(&e);
	rc = event_local(req, b->event, ctx, note_id, user_id, &e);
	if (rc == 1)
		return 0;
	if (rc == 0)
		return folio_text_err(rep, 400, "Cannot fetch event entity");
	/* What mod-sender or the template engine refuses is a 400 here. */
	if (e.status == 422)
		return folio_text_err(rep, 400, "%s", e.message);
	return folio_model_err(rep, &e);
}

/* --- POST /patron-notice ---------------------------------------------- */

static const struct {
	const char	*name;
	json_type	 type;
} notice_fields[] = {
	{ "recipientId", json_type_string },
	{ "deliveryChannel", json_type_string },
	{ "templateId", json_type_string },
	{ "outputFormat", json_type_string },
	{ "lang", json_type_string },
	{ "context", json_type_object },
};

#define NOTICE_NFIELDS	(sizeof(notice_fields) / sizeof(notice_fields[0]))

static const char *
notice_str(struct json_object *doc, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* RMB's pipeline for a PatronNoticeEntity: 0, or -1 with the error. */
static int
notice_check(struct reply *rep, struct json_object *doc)
{
	struct json_object	*v;
	size_t			 i;

	json_object_object_foreach(doc, key, val) {
		(void)val;
		for (i = 0; i < NOTICE_NFIELDS; i++)
			if (strcmp(key, notice_fields[i].name) == 0)
				break;
		if (i == NOTICE_NFIELDS)
			return folio_422(rep, NULL, "", "", "Unrecognized field "
			    "\"%.64s\" (class org.folio.rest.jaxrs.model."
			    "PatronNoticeEntity), not marked as ignorable",
			    key), -1;
	}
	for (i = 0; i < NOTICE_NFIELDS; i++) {
		if (!json_object_object_get_ex(doc, notice_fields[i].name,
		    &v) || v == NULL)
			continue;
		if (!json_object_is_type(v, notice_fields[i].type))
			return folio_text_err(rep, 400, "Cannot deserialize the "
			    "value of \"%s\": wrong type",
			    notice_fields[i].name), -1;
		if (notice_fields[i].type == json_type_string &&
		    (json_object_get_string_len(v) > NOTICE_TMPL_MAX ||
		    !util_utf8_valid(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v)) ||
		    memchr(json_object_get_string(v), '\0',
		    (size_t)json_object_get_string_len(v)) != NULL))
			return folio_422(rep, NULL, notice_fields[i].name, NULL,
			    "size must be between 0 and %d", NOTICE_TMPL_MAX),
			    -1;
	}
	if (notice_str(doc, "recipientId") == NULL)
		return folio_422(rep, "jakarta.validation.constraints.NotNull."
		    "message", "recipientId", "null", "must not be null"), -1;
	return 0;
}

int
folio_notice_422(struct reply *rep, const char *msg)
{
	struct json_object	*doc, *errs, *one;
	char			 text[HERR_MSG_MAX];

	/* The refusal recorded (a module's 400) when "msg" is NULL. */
	snprintf(text, sizeof(text), "%s", msg != NULL ? msg :
	    rep->err.message);
	memset(&rep->err, 0, sizeof(rep->err));
	doc = json_object_new_object();
	errs = json_object_new_array();
	one = json_object_new_object();
	if (doc == NULL || errs == NULL || one == NULL) {
		json_object_put(doc);
		json_object_put(errs);
		json_object_put(one);
		return folio_text_err(rep, 500, "out of memory");
	}
	json_object_object_add(one, "message", json_object_new_string(text));
	json_object_object_add(one, "parameters", json_object_new_array());
	json_object_array_add(errs, one);
	json_object_object_add(doc, "errors", errs);
	return folio_json(rep, 422, doc);
}

/*
 * POST /patron-notice {recipientId, deliveryChannel, templateId,
 * outputFormat, lang, context}: the template rendered with the context,
 * mailed to the user.  200 empty; 400 (Content-Type, JSON, lang); 422
 * (body, or what the template engine or sender refuse); 500.
 */
int
api_folio_patron_notice(struct request *req, struct reply *rep)
{
	struct json_object	*doc = NULL, *ctx = NULL;
	const char		*rid, *tmpl, *chan;
	unsigned char		 uid[16];
	char			 msg[HERR_MSG_MAX];
	struct herr		 e;
	int			 rc, status;

	if (folio_body_object(req, rep, "PatronNoticeEntity", &doc) != 0)
		return rep->err.status;
	if (notice_check(rep, doc) != 0 ||
	    folio_params(req, rep, 0, NULL, NULL) != 0) {
		status = rep->err.status;
		goto out;
	}
	if (req->app->cfg->folio_okapi_url[0] != '\0') {
		status = folio_okapi_notice(req, rep, doc);
		goto out;
	}
	rid = notice_str(doc, "recipientId");
	tmpl = notice_str(doc, "templateId");
	chan = notice_str(doc, "deliveryChannel");
	(void)json_object_object_get_ex(doc, "context", &ctx);
	if (tmpl == NULL || *tmpl == '\0') {
		status = folio_notice_422(rep, "Template id is required");
		goto out;
	}
	/* Herald delivers e-mail; mod-sender's other channels it has not. */
	if (chan == NULL || strcmp(chan, "email") != 0) {
		snprintf(msg, sizeof(msg), "Delivery channel \"%.64s\" is not "
		    "supported", chan != NULL ? chan : "");
		status = folio_notice_422(rep, msg);
		goto out;
	}
	if (!folio_uuid_loose(rid) || util_uuid_parse(rid, uid) != 0) {
		snprintf(msg, sizeof(msg), "Recipient \"%.64s\" not found", rid);
		status = folio_notice_422(rep, msg);
		goto out;
	}
	herr_init(&e);
	rc = event_local(req, tmpl, ctx, NULL, uid, &e);
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "Template \"%.200s\" not found",
		    tmpl);
		status = folio_notice_422(rep, msg);
	} else if (rc < 0 && e.status == 422)
		status = folio_notice_422(rep, e.message);
	else if (rc < 0)
		status = folio_model_err(rep, &e);
	else {
		rep->status = 200;
		status = 200;
	}
out:
	json_object_put(doc);
	return status;
}
