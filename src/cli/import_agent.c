/*
 * The DE notification-agent's PostgreSQL store (agent.md §4), read in
 * keyset batches (bounded memory whatever its size) with statements whose
 * values are all parameters, and written through the model a batch per
 * transaction, each batch ending with its checkpoint.
 *
 * Times: the agent's columns are "timestamp" (no zone); they are read in
 * the session's TimeZone (PGTZ, or the server's default), as the agent
 * read them in its JVM's.  A notification's time is its message's
 * "timestamp" (what the agent showed) when that parses.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cfg.h"
#include "date.h"
#include "herr.h"
#include "import_int.h"
#include "jsonio.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define AGENT_FOREVER	253402300799999LL	/* 9999-12-31: no deactivation */
#define AGENT_JSON_DEPTH	64

/* Milliseconds of a "timestamp" column, read in the session's zone. */
#define MS(col)	"(extract(epoch from " col "::timestamptz) * 1000)::bigint"

/* --- users ------------------------------------------------------------- */

static int
agent_user_row(struct imp_run *run, const struct imp_page *res, int i,
    struct import_row *r, struct herr *e)
{
	imp_digest(res, i, 1, r);
	return model_import_user(&run->ctx, r, imp_val(res, i, 1), e);
}

/* --- notifications ------------------------------------------------------ */

/* The parts of the stored message JSON (agent.md §3.1) Herald keeps. */
struct agent_msg {
	struct json_object	*doc;
	const char		*text;
	const char		*payload;
	const char		*template;
	int			 email;
	int64_t			 timestamp;	/* 0: none */
};

static int
agent_msg_parse(const char *msg, struct agent_msg *m)
{
	struct json_object	*inner = NULL, *payload = NULL, *v;
	const char		*ts = NULL;
	size_t			 len;

	memset(m, 0, sizeof(*m));
	if (msg == NULL || jsonio_parse(msg, strlen(msg), AGENT_JSON_DEPTH,
	    &m->doc) != JSONIO_OK)
		return -1;
	if (!json_object_is_type(m->doc, json_type_object))
		return -2;
	if (jsonio_get_obj(m->doc, "message", &inner) == 1) {
		if (jsonio_get_str(inner, "text", &m->text) != 1)
			m->text = NULL;
		if (json_object_object_get_ex(inner, "timestamp", &v)) {
			if (json_object_is_type(v, json_type_int))
				m->timestamp = json_object_get_int64(v);
			else if (json_object_is_type(v, json_type_string))
				ts = json_object_get_string(v);
		}
		if (ts != NULL && date_parse_ms(ts, &m->timestamp) != 0)
			m->timestamp = 0;
	}
	if (jsonio_get_obj(m->doc, "payload", &payload) == 1)
		m->payload = jsonio_text(payload, &len);
	if (jsonio_get_str(m->doc, "email_template", &m->template) != 1 ||
	    util_blank(m->template))
		m->template = NULL;
	m->email = json_object_object_get_ex(m->doc, "email", &v) &&
	    json_object_get_boolean(v);
	return 0;
}

/*
 * Columns: 0 id, 1 uuid, 2 type, 3 username, 4 subject, 5 seen,
 * 6 deleted, 7 date_created (ms), 8 message, 9 user_id.
 */
static int
agent_note_row(struct imp_run *run, const struct imp_page *res, int i,
    struct import_row *r, struct herr *e)
{
	struct import_note_opts	o;
	struct agent_msg	m;
	struct note		n;
	int			rc;

	imp_digest(res, i, 1, r);
	memset(&n, 0, sizeof(n));
	if (imp_uuid(res, i, 1, "uuid", n.id, r) != 0)
		return 0;
	if ((n.user = imp_val(res, i, 3)) == NULL) {
		imp_skip(r, "unknown user", "user_id", imp_val(res, i, 9));
		return 0;
	}
	if ((rc = agent_msg_parse(imp_val(res, i, 8), &m)) != 0) {
		json_object_put(m.doc);
		imp_skip(r, rc == -1 ? "the message is not valid JSON" :
		    "the message is not a JSON object", NULL, NULL);
		return 0;
	}
	n.type = imp_val(res, i, 2);
	n.subject = imp_val(res, i, 4);
	n.body = m.text != NULL ? m.text : n.subject;
	n.format = NOTE_FMT_TEXT;
	n.payload = m.payload != NULL ? m.payload : "{}";
	n.template = m.template;
	n.email = m.email;
	n.created = m.timestamp > 0 ? m.timestamp :
	    imp_i64(res, i, 7, 0);
	/* The agent kept no time of reading or deleting: its creation's. */
	n.updated = n.created;
	n.seen = imp_bool(res, i, 5);
	n.seen_at = n.created;
	n.deleted = imp_bool(res, i, 6);
	memset(&o, 0, sizeof(o));
	o.deleted_at = n.created;
	rc = model_import_note(&run->ctx, r, &n, &o, e);
	json_object_put(m.doc);
	return rc;
}

/*
 * E-mails the agent sent: 0 id, 1 the notification's uuid, 2 template,
 * 3 address, 4 date_sent (ms), 5 notification_id.
 */
static int
agent_email_row(struct imp_run *run, const struct imp_page *res, int i,
    struct import_row *r, struct herr *e)
{
	unsigned char	id[16];

	imp_digest(res, i, 1, r);
	if (imp_val(res, i, 1) == NULL) {
		imp_skip(r, "unknown notification", "notification_id",
		    imp_val(res, i, 5));
		return 0;
	}
	if (imp_uuid(res, i, 1, "uuid", id, r) != 0)
		return 0;
	return model_import_sent_email(&run->ctx, r, id, imp_val(res, i, 3),
	    imp_val(res, i, 2), imp_i64(res, i, 4, run->ctx.now), e);
}

/* --- system notifications ------------------------------------------------ */

static int
agent_type_row(struct imp_run *run, const struct imp_page *res, int i,
    struct import_row *r, struct herr *e)
{
	imp_digest(res, i, 1, r);
	return model_import_sys_type(&run->ctx, r, imp_val(res, i, 1), e);
}

/*
 * 0 id, 1 uuid, 2 type name, 3 date_created, 4 activation_date,
 * 5 deactivation_date, 6 dismissible, 7 logins_disabled, 8 message,
 * 9 system_notification_type_id.
 */
static int
agent_sys_row(struct imp_run *run, const struct imp_page *res, int i,
    struct import_row *r, struct herr *e)
{
	struct sysnote	s;
	const char	*msg;

	imp_digest(res, i, 1, r);
	memset(&s, 0, sizeof(s));
	if (imp_uuid(res, i, 1, "uuid", s.id, r) != 0)
		return 0;
	if ((s.type = imp_val(res, i, 2)) == NULL) {
		imp_skip(r, "unknown type", "system_notification_type_id",
		    imp_val(res, i, 9));
		return 0;
	}
	s.created = imp_i64(res, i, 3, 0);
	s.activation = imp_i64(res, i, 4, s.created);
	s.deactivation = imp_i64(res, i, 5, AGENT_FOREVER);
	s.dismissible = imp_bool(res, i, 6);
	s.logins_disabled = imp_bool(res, i, 7);
	s.message = (msg = imp_val(res, i, 8)) != NULL ? msg : "";
	return model_import_sys(&run->ctx, r, &s, e);
}

/*
 * 0 user_id, 1 system_notification_id, 2 username, 3 uuid, 4 state,
 * 5 date_acknowledged (ms).
 */
static int
agent_ack_row(struct imp_run *run, const struct imp_page *res, int i,
    struct import_row *r, struct herr *e)
{
	static const char *const states[] = { "unreceived", "received",
	    "acknowledged", "dismissed" };
	unsigned char	 id[16];
	const char	*state = imp_val(res, i, 4);
	size_t		 k;

	imp_digest(res, i, 2, r);
	if (imp_val(res, i, 2) == NULL) {
		imp_skip(r, "unknown user", "user_id", imp_val(res, i, 0));
		return 0;
	}
	if (imp_val(res, i, 3) == NULL) {
		imp_skip(r, "unknown system notification",
		    "system_notification_id", imp_val(res, i, 1));
		return 0;
	}
	if (imp_uuid(res, i, 3, "uuid", id, r) != 0)
		return 0;
	for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
		if (state != NULL && strcmp(state, states[k]) == 0)
			break;
	if (k == sizeof(states) / sizeof(states[0])) {
		imp_skip(r, "unknown state", "state", state);
		return 0;
	}
	return model_import_sys_state(&run->ctx, r, imp_val(res, i, 2), id,
	    (enum sys_state)k, imp_i64(res, i, 5, 0), e);
}

static const struct imp_tbl agent_tables[] = {
	{ "users",
	  "SELECT count(*) FROM users WHERE id > $1", "k",
	  "SELECT id, username FROM users WHERE id > $1 ORDER BY id LIMIT $2",
	  "kl", 1, 1, "0", agent_user_row },
	{ "notifications",
	  "SELECT count(*) FROM notifications n WHERE n.id > $1 "
	  "AND ($2 = 0 OR " MS("n.date_created") " >= $2)", "ks",
	  "SELECT n.id, n.uuid, n.type, u.username, n.subject, n.seen, "
	  "n.deleted, " MS("n.date_created") ", n.message, n.user_id "
	  "FROM notifications n LEFT JOIN users u ON u.id = n.user_id "
	  "WHERE n.id > $1 AND ($3 = 0 OR " MS("n.date_created") " >= $3) "
	  "ORDER BY n.id LIMIT $2", "kls", 1, 1, "0", agent_note_row },
	{ "email_notification_messages",
	  "SELECT count(*) FROM email_notification_messages e WHERE e.id > $1 "
	  "AND ($2 = 0 OR " MS("e.date_sent") " >= $2)", "ks",
	  "SELECT e.id, n.uuid, e.template, e.address, " MS("e.date_sent")
	  ", e.notification_id FROM email_notification_messages e "
	  "LEFT JOIN notifications n ON n.id = e.notification_id "
	  "WHERE e.id > $1 AND ($3 = 0 OR " MS("e.date_sent") " >= $3) "
	  "ORDER BY e.id LIMIT $2", "kls", 1, 1, "0", agent_email_row },
	{ "system_notification_types",
	  "SELECT count(*) FROM system_notification_types WHERE id > $1", "k",
	  "SELECT id, name FROM system_notification_types WHERE id > $1 "
	  "ORDER BY id LIMIT $2", "kl", 1, 1, "0", agent_type_row },
	{ "system_notifications",
	  "SELECT count(*) FROM system_notifications s WHERE s.id > $1 "
	  "AND ($2 = 0 OR " MS("s.date_created") " >= $2)", "ks",
	  "SELECT s.id, s.uuid, t.name, " MS("s.date_created") ", "
	  MS("s.activation_date") ", " MS("s.deactivation_date") ", "
	  "s.dismissible, s.logins_disabled, s.message, "
	  "s.system_notification_type_id FROM system_notifications s "
	  "LEFT JOIN system_notification_types t "
	  "ON t.id = s.system_notification_type_id "
	  "WHERE s.id > $1 AND ($3 = 0 OR " MS("s.date_created") " >= $3) "
	  "ORDER BY s.id LIMIT $2", "kls", 1, 1, "0", agent_sys_row },
	{ "system_notification_acknowledgments",
	  "SELECT count(*) FROM system_notification_acknowledgments a "
	  "WHERE (a.user_id, a.system_notification_id) > ($1, $2)", "kK",
	  "SELECT a.user_id, a.system_notification_id, u.username, s.uuid, "
	  "a.state::text, " MS("a.date_acknowledged") " "
	  "FROM system_notification_acknowledgments a "
	  "LEFT JOIN users u ON u.id = a.user_id "
	  "LEFT JOIN system_notifications s ON s.id = a.system_notification_id "
	  "WHERE (a.user_id, a.system_notification_id) > ($1, $2) "
	  "ORDER BY a.user_id, a.system_notification_id LIMIT $3", "kKl", 2,
	  1, "0", agent_ack_row },
};

/*
 * Each user's counts, in the source and in Herald (the counters the
 * triggers kept): total and unseen of the notifications not deleted.
 */
static const char agent_verify_sql[] =
    "SELECT u.username, count(n.id) FILTER (WHERE NOT n.deleted), "
    "count(n.id) FILTER (WHERE NOT n.deleted AND NOT n.seen) "
    "FROM users u LEFT JOIN notifications n ON n.user_id = u.id "
    "GROUP BY u.id, u.username ORDER BY u.id";

int
imp_agent(struct imp_run *run)
{
	struct imp_client	 cl = imp_pg_client;
	int			 rc = -1;

	if ((cl.conn = imp_pg_open(run->url)) == NULL)
		return -1;
	if (imp_read_tables(run, &cl, agent_tables, sizeof(agent_tables) /
	    sizeof(agent_tables[0])) != 0 || imp_finish(run) != 0)
		goto out;
	if (!run->dry_run && imp_pg_verify(run, cl.conn, agent_verify_sql) != 0)
		goto out;
	rc = 0;
out:
	imp_pg_close(cl.conn);
	return rc;
}
