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

/* The notification object N of agent.md §3.1. */
struct json_object *
agent_note_json(const struct note *n, int depth)
{
	struct json_object	*o, *m, *payload = NULL;
	char			 id[UUID_STR_LEN], *type, *p;

	if (jsonio_parse(n->payload, strlen(n->payload), depth, &payload) !=
	    JSONIO_OK || !json_object_is_type(payload, json_type_object)) {
		json_object_put(payload);
		payload = json_object_new_object();
	}
	agent_payload_dates(payload);
	/* Types display with spaces: tool_request -> "tool request". */
	if ((type = strdup(n->type)) == NULL) {
		json_object_put(payload);
		return NULL;
	}
	for (p = type; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
	util_uuid_format(n->id, 1, id);
	o = json_object_new_object();
	m = json_object_new_object();
	json_object_object_add(m, "id", json_object_new_string(id));
	json_object_object_add(m, "timestamp",
	    json_object_new_int64(n->created));
	json_object_object_add(m, "text", json_object_new_string(n->body));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "user", json_object_new_string(n->user));
	json_object_object_add(o, "subject",
	    json_object_new_string(n->subject));
	json_object_object_add(o, "email", json_object_new_boolean(n->email));
	json_object_object_add(o, "email_template", n->template != NULL ?
	    json_object_new_string(n->template) : NULL);
	json_object_object_add(o, "payload", payload);
	json_object_object_add(o, "message", m);
	json_object_object_add(o, "seen", json_object_new_boolean(n->seen));
	json_object_object_add(o, "deleted",
	    json_object_new_boolean(n->deleted));
	free(type);
	return o;
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

