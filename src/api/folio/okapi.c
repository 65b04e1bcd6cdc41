/*
 * With folio_okapi_url: mod-notify's calls to other modules through
 * Okapi (peers.md §1.4), made the same way and answered the same way.
 * mod-users for _username; mod-event-config, the template engine and
 * mod-sender for an eventConfigName and a patron notice.
 *
 * Only the configured URL is ever called: a request's X-Okapi-Url is
 * believed only when it is that URL, so a client cannot make Herald
 * reach an address of its choosing.  Every call is bounded by
 * folio_okapi_timeout_ms (connect included), its answer by OKAPI_BODY_MAX,
 * since a pool worker waits for it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "app.h"
#include "cfg.h"
#include "folio_int.h"
#include "jsonio.h"
#include "log.h"
#include "model.h"
#include "reply.h"
#include "request.h"
#include "util.h"

#define OKAPI_BODY_MAX		(1024 * 1024)	/* bytes of one answer */
#define OKAPI_TEMPLATES_MAX	16		/* of one event config */
#define OKAPI_ERR_MAX		200		/* bytes quoted in a 400 */
#define FOLIO_500	"Internal Server Error, Please contact System " \
			"Administrator or try again"
#define TEXT_CT		"text/plain; charset=utf-8"

struct okapi_resp {
	long	 status;
	char	*body;
	size_t	 len;
	int	 over;
};

static size_t
okapi_write(char *p, size_t size, size_t n, void *arg)
{
	struct okapi_resp	*r = arg;
	char			*nb;

	n *= size;
	if (r->len + n > OKAPI_BODY_MAX) {
		r->over = 1;
		return 0;
	}
	if ((nb = realloc(r->body, r->len + n + 1)) == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/* A header line "name: value", or -1 when the value could split it. */
static int
okapi_header(struct curl_slist **h, const char *name, const char *value)
{
	struct curl_slist	*n;
	char			 line[8192];	/* a FOLIO JWT fits */

	if (value == NULL)
		return 0;
	if (strpbrk(value, "\r\n") != NULL || (size_t)snprintf(line,
	    sizeof(line), "%s: %s", name, value) >= sizeof(line))
		return -1;
	if ((n = curl_slist_append(*h, line)) == NULL)
		return -1;
	*h = n;
	return 0;
}

/*
 * One call: "path" under the configured URL, with ?query=<q> (escaped)
 * when q is not NULL, "json" as a POST body when not NULL.  0 with the
 * answer in *r (r->body: caller frees), or -1 when none came in time.
 */
static int
okapi_call(struct request *req, const char *path, const char *q,
    const char *json, const char *accept, struct okapi_resp *r)
{
	const struct cfg	*cfg = req->app->cfg;
	const char		*url = req_header(req, "X-Okapi-Url");
	struct curl_slist	*h = NULL;
	CURL			*c;
	CURLcode		 cc;
	char			*esc = NULL, *full = NULL;
	size_t			 n;
	int			 rc = -1;

	memset(r, 0, sizeof(*r));
	if (url != NULL && strcmp(url, cfg->folio_okapi_url) != 0)
		log_info("folio: the request's X-Okapi-Url is not "
		    "folio_okapi_url; calling folio_okapi_url");
	if ((c = curl_easy_init()) == NULL)
		return -1;
	if (q != NULL && (esc = curl_easy_escape(c, q, 0)) == NULL)
		goto out;
	n = strlen(cfg->folio_okapi_url) + strlen(path) +
	    (esc != NULL ? strlen(esc) + 8 : 0) + 1;
	if ((full = malloc(n)) == NULL)
		goto out;
	snprintf(full, n, "%s%s%s%s", cfg->folio_okapi_url, path,
	    esc != NULL ? "?query=" : "", esc != NULL ? esc : "");
	if (okapi_header(&h, "X-Okapi-Tenant", req->ctx->tenant) != 0 ||
	    okapi_header(&h, "X-Okapi-Token", req->okapi_token) != 0 ||
	    okapi_header(&h, "X-Okapi-Url", cfg->folio_okapi_url) != 0 ||
	    okapi_header(&h, "X-Okapi-Request-Id",
	    req_header(req, "X-Okapi-Request-Id")) != 0 ||
	    okapi_header(&h, "Accept", accept) != 0 ||
	    (json != NULL && okapi_header(&h, "Content-Type",
	    "application/json") != 0))
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (json != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->folio_okapi_timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)cfg->folio_okapi_timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, okapi_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		log_warn("folio: %s%s: %s", cfg->folio_okapi_url, path,
		    r->over ? "answer too large" : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body == NULL && (r->body = strdup("")) == NULL)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		free(r->body);
		r->body = NULL;
	}
	curl_slist_free_all(h);
	curl_free(esc);
	free(full);
	curl_easy_cleanup(c);
	return rc;
}

/*
 * mod-notify's OkapiClient.responseMapper: 400 → 400 text with the
 * module's answer (quoted, bounded), other than 200/204 → 500.  0 when
 * the answer is good, else the status with the reply set.
 */
static int
okapi_mapped(struct reply *rep, const struct okapi_resp *r, int rc)
{
	if (rc != 0)
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	if (r->status == 400)
		return folio_text_err(rep, 400, "%.*s",
		    (int)util_utf8_trunc(r->body, OKAPI_ERR_MAX), r->body);
	if (r->status != 200 && r->status != 204)
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	return 0;
}

static struct json_object *
okapi_json(const struct okapi_resp *r)
{
	struct json_object	*doc = NULL;

	if (jsonio_parse(r->body, r->len, 32, &doc) != JSONIO_OK ||
	    !json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

static const char *
okapi_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void
add_str(struct json_object *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_object_add(o, key, json_object_new_string(s));
}

int
folio_okapi_user(struct request *req, struct reply *rep, const char *name,
    char id[UUID_STR_LEN])
{
	struct okapi_resp	 r;
	struct json_object	*doc = NULL, *users, *u, *tr;
	const char		*uid;
	char			 q[1100];
	int			 status;

	if (strlen(name) > 1000)
		return folio_text_err(rep, 400, "User lookup failed. Can not "
		    "find user %.128s", name);
	/* As MODNOTIFY-81 left it: the name is not CQL-escaped. */
	snprintf(q, sizeof(q), "username==\"%s\"", name);
	if (okapi_call(req, "/users", q, NULL, "application/json", &r) != 0)
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	if (r.status == 403) {
		status = folio_text_err(rep, 400, "User lookup failed with 403. "
		    "%.128s %.*s", name, (int)util_utf8_trunc(r.body,
		    OKAPI_ERR_MAX), r.body);
		goto out;
	}
	if (r.status != 200) {
		status = reply_text(rep, 500, TEXT_CT, FOLIO_500);
		goto out;
	}
	doc = okapi_json(&r);
	if (doc != NULL && json_object_object_get_ex(doc, "totalRecords",
	    &tr) && json_object_get_int64(tr) == 0) {
		status = folio_text_err(rep, 400, "User lookup failed. Can not "
		    "find user %.128s", name);
		goto out;
	}
	if (doc == NULL || !json_object_object_get_ex(doc, "users", &users) ||
	    !json_object_is_type(users, json_type_array) ||
	    json_object_array_length(users) == 0 ||
	    (u = json_object_array_get_idx(users, 0)) == NULL ||
	    (uid = okapi_str(u, "id")) == NULL || !folio_uuid_loose(uid)) {
		status = folio_text_err(rep, 400, "User lookup failed for "
		    "%.128s. Bad response %.*s", name,
		    (int)util_utf8_trunc(r.body, OKAPI_ERR_MAX), r.body);
		goto out;
	}
	snprintf(id, UUID_STR_LEN, "%s", uid);
	status = 0;
out:
	json_object_put(doc);
	free(r.body);
	return status;
}

/*
 * POST /template-request {templateId, outputFormat, lang, context}: the
 * result's header and body in *header and *body (owned by *res).  0, or
 * the status with the reply set (by "map").
 */
static int
okapi_template(struct request *req, struct reply *rep, const char *tmpl,
    const char *format, const char *lang, struct json_object *ctx,
    struct json_object **res, const char **header, const char **body)
{
	struct okapi_resp	 r;
	struct json_object	*rq, *result;
	const char		*text;
	int			 rc, status;

	*res = NULL;
	if ((rq = json_object_new_object()) == NULL)
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	add_str(rq, "templateId", tmpl);
	add_str(rq, "outputFormat", format);
	add_str(rq, "lang", lang);
	if (ctx != NULL)
		json_object_object_add(rq, "context", json_object_get(ctx));
	text = json_object_to_json_string_ext(rq, JSON_C_TO_STRING_PLAIN);
	rc = okapi_call(req, "/template-request", NULL, text,
	    "application/json", &r);
	json_object_put(rq);
	if ((status = okapi_mapped(rep, &r, rc)) != 0)
		goto out;
	if ((*res = okapi_json(&r)) == NULL ||
	    !json_object_object_get_ex(*res, "result", &result)) {
		status = reply_text(rep, 500, TEXT_CT, FOLIO_500);
		goto out;
	}
	*header = okapi_str(result, "header");
	*body = okapi_str(result, "body");
out:
	free(r.body);
	return status;
}

/* POST /message-delivery {notificationId, recipientUserId, messages}. */
static int
okapi_deliver(struct request *req, struct reply *rep, const char *recipient,
    struct json_object *messages)
{
	struct okapi_resp	 r;
	struct json_object	*rq;
	unsigned char		 nid[16];
	char			 text[UUID_STR_LEN];
	int			 rc, status;

	if ((rq = json_object_new_object()) == NULL) {
		json_object_put(messages);
		return reply_text(rep, 500, TEXT_CT, FOLIO_500);
	}
	util_uuid_new(nid);
	util_uuid_format(nid, 0, text);
	add_str(rq, "notificationId", text);
	add_str(rq, "recipientUserId", recipient);
	json_object_object_add(rq, "messages", messages);
	rc = okapi_call(req, "/message-delivery", NULL,
	    json_object_to_json_string_ext(rq, JSON_C_TO_STRING_PLAIN),
	    "text/plain", &r);
	json_object_put(rq);
	status = okapi_mapped(rep, &r, rc);
	free(r.body);
	return status;
}

static struct json_object *
okapi_message(const char *header, const char *body, const char *channel,
    const char *format)
{
	struct json_object	*m;

	if ((m = json_object_new_object()) == NULL)
		return NULL;
	add_str(m, "deliveryChannel", channel);
	add_str(m, "header", header);
	add_str(m, "body", body);
	add_str(m, "outputFormat", format);
	return m;
}

int
folio_okapi_event(struct request *req, struct reply *rep,
    const struct folio_body *b)
{
	struct okapi_resp	 r;
	struct json_object	*coll = NULL, *ents, *ent, *tmpls, *t, *res;
	struct json_object	*msgs = NULL, *ctx = NULL, *m;
	const char		*header, *body;
	char			 q[NOTE_TYPE_MAX * 4 + 16];
	size_t			 i, n;
	int			 rc, status;

	snprintf(q, sizeof(q), "name==%s", b->event);
	rc = okapi_call(req, "/eventConfig", q, NULL, "application/json", &r);
	if ((status = okapi_mapped(rep, &r, rc)) != 0)
		goto out;
	if ((coll = okapi_json(&r)) == NULL) {
		status = reply_text(rep, 500, TEXT_CT, FOLIO_500);
		goto out;
	}
	if (!json_object_object_get_ex(coll, "eventEntity", &ents) ||
	    !json_object_is_type(ents, json_type_array) ||
	    json_object_array_length(ents) == 0 ||
	    (ent = json_object_array_get_idx(ents, 0)) == NULL ||
	    !json_object_is_type(ent, json_type_object)) {
		status = folio_text_err(rep, 400, "Cannot fetch event entity");
		goto out;
	}
	(void)json_object_object_get_ex(b->doc, "context", &ctx);
	if ((msgs = json_object_new_array()) == NULL) {
		status = reply_text(rep, 500, TEXT_CT, FOLIO_500);
		goto out;
	}
	n = 0;
	if (json_object_object_get_ex(ent, "templates", &tmpls) &&
	    json_object_is_type(tmpls, json_type_array))
		n = json_object_array_length(tmpls);
	for (i = 0; i < n && i < OKAPI_TEMPLATES_MAX; i++) {
		t = json_object_array_get_idx(tmpls, i);
		if ((status = okapi_template(req, rep, okapi_str(t,
		    "templateId"), okapi_str(t, "outputFormat"), b->lang, ctx,
		    &res, &header, &body)) != 0) {
			json_object_put(res);
			goto out;
		}
		m = okapi_message(header, body, okapi_str(t,
		    "deliveryChannel"), okapi_str(t, "outputFormat"));
		json_object_put(res);
		if (m == NULL) {
			status = reply_text(rep, 500, TEXT_CT, FOLIO_500);
			goto out;
		}
		json_object_array_add(msgs, m);
	}
	status = okapi_deliver(req, rep, b->recipient, msgs);
	msgs = NULL;
out:
	json_object_put(msgs);
	json_object_put(coll);
	free(r.body);
	return status;
}

int
folio_okapi_notice(struct request *req, struct reply *rep,
    struct json_object *doc)
{
	struct json_object	*ctx = NULL, *res = NULL, *msgs, *m;
	const char		*format, *lang, *header = NULL, *body = NULL;
	int			 status;

	/* The schema's defaults, as Jackson fills them in. */
	if ((format = okapi_str(doc, "outputFormat")) == NULL)
		format = "text/html";
	if ((lang = okapi_str(doc, "lang")) == NULL)
		lang = "en";
	(void)json_object_object_get_ex(doc, "context", &ctx);
	status = okapi_template(req, rep, okapi_str(doc, "templateId"), format,
	    lang, ctx, &res, &header, &body);
	if (status == 0) {
		m = okapi_message(header, body, okapi_str(doc,
		    "deliveryChannel"), format);
		msgs = m != NULL ? json_object_new_array() : NULL;
		if (msgs == NULL) {
			json_object_put(m);
			status = reply_text(rep, 500, TEXT_CT, FOLIO_500);
		} else {
			json_object_array_add(msgs, m);
			status = okapi_deliver(req, rep, okapi_str(doc,
			    "recipientId"), msgs);
		}
	}
	json_object_put(res);
	if (status == 400)
		return folio_notice_422(rep, NULL);
	if (status != 0)
		return status;
	rep->status = 200;
	return 200;
}
