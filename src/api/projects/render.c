/*
 * The project tool's wire format: Apiato's error body, Laravel's two date
 * formats, and the notification object exactly as seed 001 shows it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "date.h"
#include "herr.h"
#include "jbuf.h"
#include "jsonio.h"
#include "projects_int.h"
#include "reply.h"
#include "request.h"
#include "store.h"
#include "util.h"

/* Apiato's exception names, by status. */
static const char *
pj_error_type(const struct herr *e)
{
	switch (e->status) {
	case 400:
		return "BadRequest";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "NotFound";
	case 405:
		return "MethodNotAllowed";
	case 409:
		return "Conflict";
	case 413:
		return "PayloadTooLarge";
	case 414:
		return "UriTooLong";
	case 422:
		return "UnprocessableEntity";
	case 503:
		return "ServiceUnavailable";
	default:
		return "InternalServerError";
	}
}

/* The message: the seed's own for a missing record, else ours. */
static const char *
pj_error_message(const struct herr *e)
{
	if (e->code == HERR_NOT_FOUND)
		return "Required model was not found.";
	if (e->status == 401)
		return "An Exception occurred when trying to authenticate the "
		    "User.";
	if (e->status >= 500)
		return e->status == 503 ? "The service is unavailable; try "
		    "again later." : "Internal error.";
	return e->message;
}

int
pj_render_error(struct request *req, struct reply *rep, const struct herr *e)
{
	struct json_object	*doc;
	unsigned char		 id[16];
	char			 idtext[UUID_STR_LEN];
	int			 status;

	(void)req;
	if ((doc = json_object_new_object()) == NULL)
		return reply_text(rep, 500, "text/plain; charset=utf-8",
		    "out of memory\n");
	/* Each error has its own id, for the log and the support desk. */
	util_uuid_new(id);
	util_uuid_format(id, 0, idtext);
	json_object_object_add(doc, "type",
	    json_object_new_string(pj_error_type(e)));
	json_object_object_add(doc, "message",
	    json_object_new_string(pj_error_message(e)));
	json_object_object_add(doc, "id", json_object_new_string(idtext));
	status = reply_json(rep, e->status, doc);
	json_object_put(doc);
	return status;
}

int
pj_bad_param(struct reply *rep, const char *param)
{
	reply_fail(rep, 400, HERR_BAD_QUERY, "Invalid value for the query "
	    "parameter %.64s.", param);
	herr_field(&rep->err, HERR_SRC_QUERY, param, NULL);
	return 400;
}

int
pj_model_err(struct reply *rep, const struct herr *e)
{
	rep->err = *e;
	rep->status = e->status;
	return e->status;
}

int
pj_date_parse(const char *s, int64_t *ms)
{
	char	buf[40];
	size_t	n = 0, frac;

	/* Only the shapes of ISO 8601 a client sends, normalised for
	 * date_parse_ms(): a fraction of exactly three digits. */
	if (strlen(s) < 10 || strlen(s) > 35 || strspn(s, "0123456789") != 4)
		return -1;
	if (s[10] == '\0') {
		snprintf(buf, sizeof(buf), "%.10sT00:00:00.000Z", s);
		return date_parse_ms(buf, ms);
	}
	if (s[10] != 'T' || strlen(s) < 19)
		return -1;
	memcpy(buf, s, 19);
	n = 19;
	s += 19;
	buf[n++] = '.';
	frac = 0;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, frac++)
			if (frac < 3)
				buf[n++] = *s;
		if (frac == 0)
			return -1;
	}
	for (; frac < 3; frac++)
		buf[n++] = '0';
	/* A '+' sent unencoded in a query string arrives as a space. */
	if (*s == ' ')
		buf[n++] = '+', s++;
	if (*s == '\0')
		buf[n++] = 'Z';
	if (strlen(s) + n >= sizeof(buf))
		return -1;
	strcpy(buf + n, s);
	return date_parse_ms(buf, ms);
}

/*
 * A zone name as the configuration may give it: an IANA name, letters,
 * digits and "/_+-", no "..".  Anything else is UTC.
 */
static int
pj_zone_ok(const char *z)
{
	size_t	i;

	if (z[0] == '\0' || z[0] == '/' || strstr(z, "..") != NULL ||
	    strlen(z) > 63)
		return 0;
	for (i = 0; z[i] != '\0'; i++)
		if (!((z[i] >= 'a' && z[i] <= 'z') ||
		    (z[i] >= 'A' && z[i] <= 'Z') ||
		    (z[i] >= '0' && z[i] <= '9') || strchr("/_+-", z[i])))
			return 0;
	return 1;
}

/*
 * "2022-04-28T13:25:12+0200": Carbon's ISO-8601 in the tool's zone.  The
 * C library converts to a named zone only through TZ; a worker serves
 * one configuration, so it is set once and changed only when the
 * configuration names another zone (nothing else here uses local time).
 */
static void
pj_time_local(int64_t ms, const char *zone, char *buf, size_t sz)
{
	static char	cur[64];
	struct tm	tm;
	time_t		t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);

	if (!pj_zone_ok(zone) || strcmp(zone, "UTC") == 0) {
		gmtime_r(&t, &tm);
		strftime(buf, sz, "%Y-%m-%dT%H:%M:%S+0000", &tm);
		return;
	}
	if (strcmp(cur, zone) != 0) {
		setenv("TZ", zone, 1);
		tzset();
		snprintf(cur, sizeof(cur), "%s", zone);
	}
	localtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

/* "2023-03-06T15:36:47.000000Z": Laravel's cast of a datetime, in UTC. */
static void
pj_time_utc_us(int64_t ms, char *buf, size_t sz)
{
	struct tm	tm;
	time_t		t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	char		sec[32];

	gmtime_r(&t, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, sz, "%s.%03d000Z", sec, (int)(ms - (int64_t)t * 1000));
}

/*
 * The notification's data object, with its title and body when it has
 * them and data does not already name them: data parsed, for what is
 * not as Herald writes it (pj_data_write copies the rest).
 */
static int
pj_data_parsed(struct jbuf *b, const struct note *n)
{
	struct json_object	*v = NULL;
	const char		*text;
	size_t			 len;
	int			 rc;

	if (n->payload == NULL || jsonio_parse(n->payload, strlen(n->payload),
	    64, &v) != JSONIO_OK || !json_object_is_type(v, json_type_object)) {
		json_object_put(v);
		if ((v = json_object_new_object()) == NULL)
			goto oom;
	}
	if (n->subject != NULL && n->subject[0] != '\0' &&
	    !json_object_object_get_ex(v, "title", NULL))
		json_object_object_add(v, "title",
		    json_object_new_string(n->subject));
	if (n->body != NULL && n->body[0] != '\0' &&
	    !json_object_object_get_ex(v, "body", NULL))
		json_object_object_add(v, "body",
		    json_object_new_string(n->body));
	if ((text = jsonio_text(v, &len)) == NULL) {
		json_object_put(v);
		goto oom;
	}
	rc = jbuf_raw(b, text, len);
	json_object_put(v);
	return rc;
oom:
	b->over = 1;
	return -1;
}

static int
pj_data_write(struct jbuf *b, const struct note *n)
{
	const char	*p = n->payload;
	size_t		 len = p != NULL ? strlen(p) : 0;
	int		 title = n->subject != NULL && n->subject[0] != '\0';
	int		 body = n->body != NULL && n->body[0] != '\0';

	/* Copied when canonical and surely without the keys added. */
	if (len < 2 || p[0] != '{' || !jsonio_canonical(p, len, 64) ||
	    (title && strstr(p, "\"title\":") != NULL) ||
	    (body && strstr(p, "\"body\":") != NULL))
		return pj_data_parsed(b, n);
	jbuf_raw(b, p, len - 1);
	if (title) {
		jbuf_lit(b, len > 2 ? ",\"title\":" : "\"title\":");
		jbuf_str(b, n->subject);
	}
	if (body) {
		jbuf_lit(b, len > 2 || title ? ",\"body\":" : "\"body\":");
		jbuf_str(b, n->body);
	}
	return jbuf_lit(b, "}");
}

int
pj_note_write(struct jbuf *b, const struct note *n, const char *zone)
{
	char	id[UUID_STR_LEN], when[64];

	util_uuid_format(n->id, 0, id);
	jbuf_lit_str(b, "{\"id\":", id);
	jbuf_lit_str(b, ",\"type\":", n->type);
	jbuf_lit(b, ",\"data\":");
	pj_data_write(b, n);
	/* A row read before seen_at was kept: its update is the read. */
	if (n->seen) {
		pj_time_utc_us(n->seen_at != 0 ? n->seen_at : n->updated, when,
		    sizeof(when));
		jbuf_lit_str(b, ",\"read_at\":", when);
	} else
		jbuf_lit(b, ",\"read_at\":null");
	pj_time_local(n->created, zone, when, sizeof(when));
	jbuf_lit_str(b, ",\"created_at\":", when);
	pj_time_local(n->updated, zone, when, sizeof(when));
	jbuf_lit_str(b, ",\"updated_at\":", when);
	/* The id needs no escaping: the link is written as it is. */
	jbuf_lit(b, ",\"_links\":[{\"href\":\"/api/v0/notifications/");
	jbuf_lit(b, id);
	return jbuf_lit(b, "\",\"rel\":\"self\",\"type\":\"GET\"}]}");
}
