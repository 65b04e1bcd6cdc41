/*
 * Coder's deliveries (issue J): the webhook body of coderd's
 * dispatch/webhook.go, {_version, msg_id, payload, title, body}, with
 * the payload its enqueuer stores (types.MessagePayload), and an e-mail
 * of the same plain text.  Title and body are plain text from the
 * stored markdown, as Coder's PlaintextFromMarkdown makes them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "coder_body.h"
#include "jsonio.h"
#include "markdown.h"
#include "store.h"
#include "util.h"

#define CODER_WEBHOOK_VERSION	"1.0"
#define CODER_PAYLOAD_VERSION	"1.2"
#define SORT_KEYS_MAX		256	/* keys of one object, sorted */
#define SORT_DEPTH_MAX		16

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A copy of "v" with every object's keys in byte order, as Go writes a
 * map[string]any; "skip" is left out of the top object.
 */
static struct json_object *
sorted_copy(struct json_object *v, const char *skip, int depth)
{
	struct json_object	*o, *a, *m;
	const char		*keys[SORT_KEYS_MAX];
	size_t			 n = 0, i;

	if (json_object_is_type(v, json_type_array) && depth < SORT_DEPTH_MAX) {
		a = json_object_new_array();
		for (i = 0; i < json_object_array_length(v); i++)
			json_object_array_add(a, sorted_copy(
			    json_object_array_get_idx(v, i), NULL, depth + 1));
		return a;
	}
	if (!json_object_is_type(v, json_type_object) ||
	    depth >= SORT_DEPTH_MAX ||
	    json_object_object_length(v) > SORT_KEYS_MAX)
		return json_object_get(v);
	json_object_object_foreach(v, k, val) {
		(void)val;
		if (skip == NULL || strcmp(k, skip) != 0)
			keys[n++] = k;
	}
	qsort(keys, n, sizeof(keys[0]), key_cmp);
	o = json_object_new_object();
	for (i = 0; i < n; i++) {
		json_object_object_get_ex(v, keys[i], &m);
		json_object_object_add(o, keys[i], sorted_copy(m, NULL,
		    depth + 1));
	}
	return o;
}

/* Stored JSON array text as a value; NULL (JSON null) when none. */
static struct json_object *
stored_array(const char *text, int empty_is_array)
{
	struct json_object	*v = NULL;

	if (text != NULL && jsonio_parse(text, strlen(text), 8, &v) ==
	    JSONIO_OK && json_object_is_type(v, json_type_array) &&
	    (empty_is_array || json_object_array_length(v) > 0))
		return v;
	json_object_put(v);
	return empty_is_array ? json_object_new_array() : NULL;
}

/*
 * Labels are Go's map[string]string: the data's "labels" strings
 * (Herald keeps them there); the data is the rest, null when empty.
 */
static void
payload_labels_data(struct json_object *data, struct json_object **labels,
    struct json_object **rest)
{
	struct json_object	*l = NULL, *s;
	const char		*keys[SORT_KEYS_MAX];
	size_t			 n = 0, i;

	*labels = json_object_new_object();
	*rest = NULL;
	if (data == NULL || !json_object_is_type(data, json_type_object))
		return;
	if (json_object_object_get_ex(data, "labels", &l) &&
	    json_object_is_type(l, json_type_object)) {
		json_object_object_foreach(l, k, v) {
			if (n < SORT_KEYS_MAX &&
			    json_object_is_type(v, json_type_string))
				keys[n++] = k;
		}
		qsort(keys, n, sizeof(keys[0]), key_cmp);
		for (i = 0; i < n; i++) {
			json_object_object_get_ex(l, keys[i], &s);
			json_object_object_add(*labels, keys[i],
			    json_object_get(s));
		}
	}
	if (json_object_object_length(data) > (l != NULL ? 1 : 0))
		*rest = sorted_copy(data, "labels", 0);
}

static struct json_object *
uuid_str(const unsigned char id[16])
{
	char	text[UUID_STR_LEN];

	util_uuid_format(id, 0, text);
	return json_object_new_string(text);
}

/* types.MessagePayload, its fields in Go's order. */
static struct json_object *
coder_payload(const struct coder_msg *m)
{
	static const unsigned char	 nil[16];
	const struct note		*n = m->note;
	struct json_object		*p = json_object_new_object();
	struct json_object		*labels, *data;

	payload_labels_data(m->data, &labels, &data);
	json_object_object_add(p, "_version",
	    json_object_new_string(CODER_PAYLOAD_VERSION));
	json_object_object_add(p, "notification_name",
	    json_object_new_string(m->tmpl_name != NULL ? m->tmpl_name : ""));
	json_object_object_add(p, "notification_template_id",
	    uuid_str(n->has_template_id ? n->template_id : nil));
	json_object_object_add(p, "user_id", uuid_str(n->user_id));
	json_object_object_add(p, "user_email",
	    json_object_new_string(m->email != NULL ? m->email : ""));
	/* Herald's users have no display name: the name is the username. */
	json_object_object_add(p, "user_name", json_object_new_string(n->user));
	json_object_object_add(p, "user_username",
	    json_object_new_string(n->user));
	json_object_object_add(p, "actions", stored_array(n->actions, 1));
	json_object_object_add(p, "labels", labels);
	json_object_object_add(p, "data", data);
	json_object_object_add(p, "targets", stored_array(n->targets, 0));
	return p;
}

/* Plain text of stored markdown; NULL when out of memory. */
static char *
plain(const char *md)
{
	return md_plaintext(md, strlen(md) + 1024);
}

int
coder_webhook_body(const struct coder_msg *m, char **out, char *err,
    size_t errsz)
{
	struct json_object	*doc;
	char			*title = NULL, *body = NULL;
	const char		*text;
	size_t			 len;
	int			 rc = -1;

	*out = NULL;
	if ((title = plain(m->note->subject)) == NULL ||
	    (body = plain(m->note->body)) == NULL) {
		snprintf(err, errsz, "cannot render the markdown");
		goto out;
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "_version",
	    json_object_new_string(CODER_WEBHOOK_VERSION));
	json_object_object_add(doc, "msg_id", uuid_str(m->id));
	json_object_object_add(doc, "payload", coder_payload(m));
	json_object_object_add(doc, "title", json_object_new_string(title));
	json_object_object_add(doc, "body", json_object_new_string(body));
	if ((text = jsonio_text(doc, &len)) != NULL &&
	    (*out = strdup(text)) != NULL)
		rc = 0;
	else
		snprintf(err, errsz, "out of memory");
	json_object_put(doc);
out:
	free(title);
	free(body);
	return rc;
}

enum send_rc
coder_send_webhook(const struct cfg *cfg, const struct coder_msg *m,
    char *err, size_t errsz)
{
	enum send_rc	 sr;
	char		*body;

	if (coder_webhook_body(m, &body, err, errsz) != 0)
		return SEND_RETRY;
	sr = send_webhook(cfg, body, m->id, err, errsz);
	free(body);
	return sr;
}

enum send_rc
coder_send_smtp(const struct cfg *cfg, const struct coder_msg *m,
    const char *to, char *err, size_t errsz)
{
	enum send_rc	 sr = SEND_RETRY;
	char		*title, *body = NULL;

	if ((title = plain(m->note->subject)) == NULL ||
	    (body = plain(m->note->body)) == NULL)
		snprintf(err, errsz, "cannot render the markdown");
	else
		sr = send_smtp(cfg, to, title, body, 0, m->id, err, errsz);
	free(title);
	free(body);
	return sr;
}
