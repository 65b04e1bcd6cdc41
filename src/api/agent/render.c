/*
 * The notification-agent's JSON: the notification object N and the
 * system notification objects A and S of agent.md §3.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent_int.h"
#include "date.h"
#include "jbuf.h"
#include "jsonio.h"
#include "store.h"
#include "util.h"

/*
 * payload.startdate and enddate given as formatted dates are shown as
 * millisecond strings, as the original repaired them (agent.md §5.1.12).
 */
static void
agent_payload_dates(struct json_object *payload)
{
	static const char *const keys[] = { "startdate", "enddate" };
	const char	*v;
	char		 ms[32];
	int64_t		 t;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (jsonio_get_str(payload, keys[i], &v) != 1 ||
		    date_parse_ms(v, &t) != 0)
			continue;
		snprintf(ms, sizeof(ms), "%lld", (long long)t);
		if (strcmp(ms, v) != 0)
			json_object_object_add(payload, keys[i],
			    json_object_new_string(ms));
	}
}

/*
 * The stored payload as the agent shows it: the text as stored, unless
 * it holds the dates the original repaired (then parsed and repaired).
 */
static int
agent_payload_write(struct jbuf *b, const char *payload, int depth)
{
	struct json_object	*doc = NULL;
	const char		*p = payload, *text;
	size_t			 len;
	int			 rc;

	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	if (*p != '{')
		return jbuf_lit(b, "{}");
	if (strstr(p, "startdate") == NULL && strstr(p, "enddate") == NULL)
		return jbuf_lit(b, p);
	if (jsonio_parse(payload, strlen(payload), depth, &doc) != JSONIO_OK ||
	    !json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return jbuf_lit(b, "{}");
	}
	agent_payload_dates(doc);
	text = jsonio_text(doc, &len);
	rc = text != NULL ? jbuf_raw(b, text, len) : jbuf_lit(b, "{}");
	json_object_put(doc);
	return rc;
}

/* The notification object N of agent.md §3.1, written into "b". */
int
agent_note_write(struct jbuf *b, const struct note *n, int depth)
{
	char	id[UUID_STR_LEN], type[NOTE_TYPE_STORED_MAX * 4 + 1];
	size_t	i;

	/* Types display with spaces: tool_request -> "tool request". */
	for (i = 0; n->type[i] != '\0' && i + 1 < sizeof(type); i++)
		type[i] = n->type[i] == '_' ? ' ' : n->type[i];
	type[i] = '\0';
	util_uuid_format(n->id, 1, id);
	jbuf_lit(b, "{");
	jbuf_key(b, "type");
	jbuf_str(b, type);
	jbuf_lit(b, ",");
	jbuf_key(b, "user");
	jbuf_str(b, n->user);
	jbuf_lit(b, ",");
	jbuf_key(b, "subject");
	jbuf_str(b, n->subject);
	jbuf_lit(b, n->email ? ",\"email\":true," : ",\"email\":false,");
	jbuf_key(b, "email_template");
	jbuf_str(b, n->template);
	jbuf_lit(b, ",");
	jbuf_key(b, "payload");
	agent_payload_write(b, n->payload, depth);
	jbuf_lit(b, ",\"message\":{\"id\":");
	jbuf_str(b, id);
	jbuf_lit(b, ",\"timestamp\":");
	jbuf_i64(b, n->created);
	jbuf_lit(b, ",\"text\":");
	jbuf_str(b, n->body);
	jbuf_lit(b, n->seen ? "},\"seen\":true" : "},\"seen\":false");
	return jbuf_lit(b, n->deleted ? ",\"deleted\":true}" :
	    ",\"deleted\":false}");
}

struct json_object *
agent_count_str(long long v)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return json_object_new_string(buf);
}

/* Admin object A; with "user_view", the user's S (adds acknowledged). */
struct json_object *
agent_sys_json(const struct sysnote *s, int user_view)
{
	struct json_object	*o;
	char			 id[UUID_STR_LEN];

	util_uuid_format(s->id, 0, id);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "uuid", json_object_new_string(id));
	json_object_object_add(o, "type", json_object_new_string(s->type));
	json_object_object_add(o, "message",
	    json_object_new_string(s->message));
	json_object_object_add(o, "dismissible",
	    json_object_new_boolean(s->dismissible));
	json_object_object_add(o, "logins_disabled",
	    json_object_new_boolean(s->logins_disabled));
	json_object_object_add(o, "activation_date",
	    json_object_new_int64(s->activation));
	json_object_object_add(o, "deactivation_date",
	    json_object_new_int64(s->deactivation));
	json_object_object_add(o, "date_created",
	    json_object_new_int64(s->created));
	if (user_view)
		json_object_object_add(o, "acknowledged",
		    json_object_new_boolean(s->acknowledged));
	return o;
}

