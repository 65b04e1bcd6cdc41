/*
 * The rest of Coder's notifications API (coderd/notifications.go):
 * templates, dispatch methods, settings, preferences, custom and test.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "cfg.h"
#include "coder_int.h"
#include "herr.h"
#include "jsonio.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define TMPL_TEST	"c425f63e-716a-4bf4-ae24-78348f706c3f"
#define TMPL_CUSTOM	"39b1e189-c857-4b0c-877a-511144c18516"
#define CUSTOM_TITLE_MAX	120	/* bytes, codersdk's Validate */
#define CUSTOM_MESSAGE_MAX	2000
#define PREFS_MAX	256	/* templates in one update */

static int
tmpl_json_row(const struct tmpl_row *t, void *arg)
{
	struct json_object	*arr = arg, *o;
	char			 id[UUID_STR_LEN];

	if ((o = json_object_new_object()) == NULL)
		return 1;
	util_uuid_format(t->id, 0, id);
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "title_template",
	    json_object_new_string(t->title));
	json_object_object_add(o, "body_template",
	    json_object_new_string(t->body));
	/* Coder sends the actions as JSON text, a string. */
	json_object_object_add(o, "actions",
	    json_object_new_string(t->actions));
	json_object_object_add(o, "group", json_object_new_string(t->group));
	json_object_object_add(o, "method", json_object_new_string(t->method));
	json_object_object_add(o, "kind", json_object_new_string(t->kind));
	json_object_object_add(o, "enabled_by_default",
	    json_object_new_boolean(t->enabled_by_default));
	json_object_array_add(arr, o);
	return 0;
}

/* An empty list is null, as Go writes a nil slice. */
static int
coder_list_json(struct reply *rep, struct json_object *arr)
{
	if (json_object_array_length(arr) == 0) {
		json_object_put(arr);
		return reply_text(rep, 200, "application/json; charset=utf-8",
		    "null\n");
	}
	return coder_json(rep, 200, arr);
}

static int
coder_templates(struct request *req, struct reply *rep, const char *kind)
{
	struct json_object	*arr = json_object_new_array();
	struct herr		 e;
	char			 msg[96];

	herr_init(&e);
	if (arr == NULL || model_tmpl_list(req->ctx, kind, tmpl_json_row, arr,
	    &e) != 0) {
		json_object_put(arr);
		if (e.status != 0 && e.status < 500)
			return coder_model_err(rep, &e);
		snprintf(msg, sizeof(msg), "Failed to retrieve %s "
		    "notifications templates.", kind);
		return coder_fail(rep, 500, msg, NULL);
	}
	return coder_list_json(rep, arr);
}

/* GET /api/v2/notifications/templates/system: 200 array or null. */
int
api_coder_templates_system(struct request *req, struct reply *rep)
{
	return coder_templates(req, rep, "system");
}

/* GET /api/v2/notifications/templates/custom: 200 array or null. */
int
api_coder_templates_custom(struct request *req, struct reply *rep)
{
	return coder_templates(req, rep, "custom");
}

/*
 * PUT /api/v2/notifications/templates/{id}/method {"method": ""|"smtp"|
 * "webhook"} (admin): 200, 304 when it already was; 400; 404.
 */
int
api_coder_template_method(struct request *req, struct reply *rep)
{
	const char	*ref = req_capture(req, "id"), *method = "";
	unsigned char	 id[16];
	char		 msg[HERR_MSG_MAX];
	struct herr	 e;
	int		 changed = 0;

	if (ref == NULL || util_uuid_parse(ref, id) != 0) {
		snprintf(msg, sizeof(msg), "Invalid UUID \"%.64s\".",
		    ref != NULL ? ref : "");
		return coder_fail(rep, 400, msg, "invalid UUID format");
	}
	if (req->json == NULL || jsonio_get_str(req->json, "method",
	    &method) < 0)
		return coder_fail(rep, 400, "Request body must be valid JSON.",
		    NULL);
	herr_init(&e);
	if (model_tmpl_set_method(req->ctx, id, method, &changed, &e) != 0) {
		if (e.status == 422) {
			snprintf(msg, sizeof(msg), "Invalid notification "
			    "method \"%.32s\".", method);
			return coder_fail(rep, 400, msg, NULL);
		}
		return coder_model_err(rep, &e);
	}
	if (!changed) {
		rep->status = 304;
		return 304;
	}
	return reply_text(rep, 200, "application/json; charset=utf-8",
	    "null\n");
}

/* GET /api/v2/notifications/dispatch-methods: one object, as coderd. */
int
api_coder_dispatch_methods(struct request *req, struct reply *rep)
{
	struct json_object	*doc = json_object_new_object(), *arr;

	arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_string("smtp"));
	json_object_array_add(arr, json_object_new_string("webhook"));
	json_object_object_add(doc, "available", arr);
	json_object_object_add(doc, "default", json_object_new_string(
	    req->app->cfg->email_method[0] != '\0' ?
	    req->app->cfg->email_method : "smtp"));
	return coder_json(rep, 200, doc);
}

static int
coder_settings_json(struct reply *rep, int paused)
{
	struct json_object	*doc = json_object_new_object();

	json_object_object_add(doc, "notifier_paused",
	    json_object_new_boolean(paused));
	return coder_json(rep, 200, doc);
}

/* GET /api/v2/notifications/settings: 200 {notifier_paused}. */
int
api_coder_settings_get(struct request *req, struct reply *rep)
{
	struct herr	e;
	int		paused = 0;

	herr_init(&e);
	if (model_setting_paused(req->ctx, &paused, &e) != 0)
		return e.status >= 500 && e.status != 503 ?
		    coder_fail(rep, 500, "Failed to fetch current "
		    "notifications settings.", NULL) :
		    coder_model_err(rep, &e);
	return coder_settings_json(rep, paused);
}

/*
 * PUT /api/v2/notifications/settings {"notifier_paused": bool}: 200
 * echo; 304 when unchanged; 403 unless admin; 400.
 */
int
api_coder_settings_put(struct request *req, struct reply *rep)
{
	struct json_object	*v;
	struct herr		 e;
	int			 paused = 0, changed = 0;

	if (req->principal.role != ROLE_ADMIN)
		return coder_fail(rep, 403, "Insufficient permissions to "
		    "update notifications settings.", NULL);
	if (req->json == NULL || !json_object_is_type(req->json,
	    json_type_object))
		return coder_fail(rep, 400, "Request body must be valid JSON.",
		    NULL);
	if (json_object_object_get_ex(req->json, "notifier_paused", &v) &&
	    v != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			return coder_fail(rep, 400, "Request body must be "
			    "valid JSON.", "notifier_paused must be a boolean");
		paused = json_object_get_boolean(v);
	}
	herr_init(&e);
	if (model_setting_set_paused(req->ctx, paused, &changed, &e) != 0)
		return e.status >= 500 && e.status != 503 ?
		    coder_fail(rep, 500, "Failed to update notifications "
		    "settings.", NULL) : coder_model_err(rep, &e);
	if (!changed) {
		/* RFC 9110, 15.4.5: no body. */
		rep->status = 304;
		return 304;
	}
	return coder_settings_json(rep, paused);
}

/* {user} of the path: "me", the caller's name, or a user's id or name. */
static int
coder_path_user(struct request *req, struct reply *rep, char *name,
    size_t namesz)
{
	const char	*ref = req_capture(req, "user"), *me;
	unsigned char	 id[16];
	struct herr	 e;
	int		 rc;

	if ((me = coder_me(req, rep)) == NULL)
		return -1;
	if (ref == NULL || strcmp(ref, "me") == 0 || strcmp(ref, me) == 0) {
		if (strlen(me) >= namesz)
			return coder_fail(rep, 400, "Invalid user.", NULL), -1;
		strcpy(name, me);
		return 0;
	}
	if (util_utf8_len(ref, strlen(ref)) > NOTE_USER_MAX)
		return coder_fail(rep, 400, "Invalid user.", NULL), -1;
	herr_init(&e);
	if ((rc = model_user_find(req->ctx, ref, id, name, namesz, &e)) < 0)
		return coder_model_err(rep, &e), -1;
	if (rc == 0)
		return coder_fail(rep, 404, "Resource not found or you do not "
		    "have access to this resource", NULL), -1;
	if (model_may_act_for(req->ctx, name, &e) != 0)
		return coder_model_err(rep, &e), -1;
	return 0;
}

static int
pref_json_row(const struct pref_row *p, void *arg)
{
	struct json_object	*arr = arg, *o;
	char			 id[UUID_STR_LEN], when[40];

	if ((o = json_object_new_object()) == NULL)
		return 1;
	util_uuid_format(p->template_id, 0, id);
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "disabled",
	    json_object_new_boolean(p->disabled));
	coder_time_text(p->updated, when, sizeof(when));
	json_object_object_add(o, "updated_at", json_object_new_string(when));
	json_object_array_add(arr, o);
	return 0;
}

static int
coder_prefs_reply(struct request *req, struct reply *rep, const char *user)
{
	struct json_object	*arr = json_object_new_array();
	struct herr		 e;

	herr_init(&e);
	if (arr == NULL || model_pref_list(req->ctx, user, pref_json_row, arr,
	    &e) != 0) {
		json_object_put(arr);
		return e.status != 0 && e.status < 500 ?
		    coder_model_err(rep, &e) : coder_fail(rep, 500,
		    "Failed to retrieve user notification preferences.", NULL);
	}
	return coder_list_json(rep, arr);
}

/* GET /api/v2/users/{user}/notifications/preferences: 200 array or null. */
int
api_coder_prefs_get(struct request *req, struct reply *rep)
{
	char	user[NOTE_USER_MAX * 4 + 1];

	if (coder_path_user(req, rep, user, sizeof(user)) != 0)
		return rep->status;
	return coder_prefs_reply(req, rep, user);
}

/*
 * PUT /api/v2/users/{user}/notifications/preferences
 * {"template_disabled_map": {uuid: bool}}: 200 with the stored list;
 * 400 for a bad UUID or body; 403; 404.
 */
int
api_coder_prefs_put(struct request *req, struct reply *rep)
{
	unsigned char		 ids[PREFS_MAX][16];
	int			 disabled[PREFS_MAX];
	struct json_object	*map = NULL;
	struct herr		 e;
	char			 user[NOTE_USER_MAX * 4 + 1];
	size_t			 n = 0;

	if (coder_path_user(req, rep, user, sizeof(user)) != 0)
		return rep->status;
	if (req->json == NULL || !json_object_is_type(req->json,
	    json_type_object) || jsonio_get_obj(req->json,
	    "template_disabled_map", &map) < 0)
		return coder_fail(rep, 400, "Request body must be valid JSON.",
		    NULL);
	if (map != NULL) {
		json_object_object_foreach(map, k, v) {
			if (n == PREFS_MAX)
				return coder_fail(rep, 400, "Too many "
				    "notification templates.", NULL);
			if (util_uuid_parse(k, ids[n]) != 0)
				return coder_fail(rep, 400, "Unable to parse "
				    "notification template UUID.", NULL);
			if (v == NULL || !json_object_is_type(v,
			    json_type_boolean))
				return coder_fail(rep, 400, "Request body must "
				    "be valid JSON.", "each value is a boolean");
			disabled[n++] = json_object_get_boolean(v);
		}
	}
	herr_init(&e);
	if (n > 0 && model_pref_set(req->ctx, user,
	    (const unsigned char (*)[16])ids, disabled, n, &e) != 0) {
		if (e.status == 422)
			return coder_fail(rep, 400, "Failed to update "
			    "notifications preferences.", e.value);
		return coder_model_err(rep, &e);
	}
	return coder_prefs_reply(req, rep, user);
}

/*
 * Notify the caller with one of Coder's templates, labels and a
 * timestamp in the data (which defeats the daily de-duplication, as
 * coderd does).  0, or -1 with *e set.
 */
static int
coder_notify_self(struct request *req, const char *me, const char *tmpl,
    const char *type, const char *const *labels, size_t nlabels,
    struct herr *e)
{
	struct note_new		 nn;
	struct json_object	*data, *lab;
	char			 ts[40];
	const char		*text;
	unsigned char		 id[16];
	size_t			 i, len;
	int			 replayed, rc = -1;

	data = json_object_new_object();
	lab = json_object_new_object();
	for (i = 0; i < nlabels; i++)
		json_object_object_add(lab, labels[2 * i],
		    json_object_new_string(labels[2 * i + 1]));
	json_object_object_add(data, "labels", lab);
	util_time_rfc3339(req->ctx->now, ts, sizeof(ts));
	json_object_object_add(data, "timestamp", json_object_new_string(ts));
	if ((text = jsonio_text(data, &len)) == NULL) {
		herr_set(e, 500, HERR_INTERNAL, "out of memory");
		goto out;
	}
	memset(&nn, 0, sizeof(nn));
	nn.recipient = me;
	nn.type = type;
	nn.format = NOTE_FMT_MARKDOWN;
	nn.template_ref = tmpl;
	nn.data = text;
	nn.labels = labels;
	nn.nlabels = nlabels;
	rc = model_note_create(req->ctx, &nn, id, &replayed, e);
out:
	json_object_put(data);
	return rc;
}

/*
 * POST /api/v2/notifications/custom {"content": {title, message}}:
 * 204; 400 (codersdk's Validate); 403 for a service ("system") user;
 * 500.
 */
int
api_coder_custom(struct request *req, struct reply *rep)
{
	struct json_object	*content = NULL;
	const char		*me, *title = "", *message = "";
	const char		*labels[4];
	struct herr		 e;

	if ((me = coder_me(req, rep)) == NULL)
		return rep->status;
	if (req->principal.role == ROLE_SERVICE)
		return coder_fail(rep, 403, "Forbidden",
		    "System users cannot send custom notifications.");
	if (req->json == NULL || !json_object_is_type(req->json,
	    json_type_object) || jsonio_get_obj(req->json, "content",
	    &content) < 0 || (content != NULL &&
	    (jsonio_get_str(content, "title", &title) < 0 ||
	    jsonio_get_str(content, "message", &message) < 0)))
		return coder_fail(rep, 400, "Request body must be valid JSON.",
		    NULL);
	if (content == NULL)
		return coder_fail(rep, 400, "Invalid request body",
		    "content is required");
	if (util_blank(title) || util_blank(message))
		return coder_fail(rep, 400, "Invalid request body",
		    "provide a non-empty 'content.title' and "
		    "'content.message'");
	if (strlen(title) > CUSTOM_TITLE_MAX)
		return coder_fail(rep, 400, "Invalid request body",
		    "'content.title' must be less than 120 characters");
	if (strlen(message) > CUSTOM_MESSAGE_MAX)
		return coder_fail(rep, 400, "Invalid request body",
		    "'content.message' must be less than 2000 characters");
	labels[0] = "custom_title";
	labels[1] = title;
	labels[2] = "custom_message";
	labels[3] = message;
	herr_init(&e);
	if (coder_notify_self(req, me, TMPL_CUSTOM, "Custom Notification",
	    labels, 2, &e) != 0) {
		if (e.status == 503)
			return coder_model_err(rep, &e);
		return coder_fail(rep, 500, "Failed to send custom "
		    "notification", e.message);
	}
	rep->status = 204;
	return 204;
}

/* POST /api/v2/notifications/test (admin): 204; 403; 500. */
int
api_coder_test(struct request *req, struct reply *rep)
{
	struct herr	 e;
	const char	*me;

	if ((me = coder_me(req, rep)) == NULL)
		return rep->status;
	herr_init(&e);
	if (coder_notify_self(req, me, TMPL_TEST, "Test Notification", NULL,
	    0, &e) != 0) {
		if (e.status == 503)
			return coder_model_err(rep, &e);
		return coder_fail(rep, 500, "Failed to send test notification",
		    e.message);
	}
	rep->status = 204;
	return 204;
}
