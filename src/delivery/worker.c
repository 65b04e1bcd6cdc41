/*
 * The delivery dispatcher: a long-running process beside the pool.  Any
 * number of them may run against one database: leases keep them from
 * sending one delivery twice, and a crashed one's leases expire.  Each
 * lease is renewed just before its send; one that was lost is not sent.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <mysql.h>

#include "amqp_pub.h"
#include "cfg.h"
#include "coder_body.h"
#include "delivery.h"
#include "jsonio.h"
#include "log.h"
#include "render.h"
#include "ops.h"
#include "purge.h"
#include "send.h"
#include "store.h"
#include "util.h"

#define BACKOFF_MAX_MS	(3600 * 1000LL)
#define ERR_TEXT_MAX	500	/* bytes of a reason kept in last_error */

/* The reason recorded when the real one was refused by the database. */
#define ERR_FALLBACK	"the reason for this outcome could not be stored"

static volatile sig_atomic_t	dispatch_stop, dispatch_reload;

static void
dispatch_on_term(int sig)
{
	(void)sig;
	dispatch_stop = 1;
}

static void
dispatch_on_hup(int sig)
{
	(void)sig;
	dispatch_reload = 1;
}

/* A leased delivery, copied out of the result set. */
struct job {
	unsigned char	 id[16];
	unsigned char	 note_id[16];
	char		*method, *address, *template;
	char		*user, *type, *subject, *body, *payload;
	int64_t		 created;
	int		 attempts;
	/* Coder (issue J): what a template's delivery sends. */
	unsigned char	 user_id[16], template_id[16];
	int		 has_template_id;
	char		*tmpl_name, *email, *targets, *actions;
	/* FOLIO (issue I): the message as rendered when queued, or NULL. */
	char		*msg_subject, *msg_body;
	int		 msg_html;
};

struct batch {
	struct job	*jobs;
	size_t		 n, cap;
	int		 failed;
};

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int
batch_add(const struct delivery *d, void *arg)
{
	struct batch	*b = arg;
	struct job	*j, *nj;

	if (b->n == b->cap) {
		if ((nj = realloc(b->jobs, (b->cap ? b->cap * 2 : 16) *
		    sizeof(*nj))) == NULL) {
			b->failed = 1;
			return 1;
		}
		b->jobs = nj;
		b->cap = b->cap ? b->cap * 2 : 16;
	}
	j = &b->jobs[b->n++];
	memset(j, 0, sizeof(*j));
	memcpy(j->id, d->id, 16);
	memcpy(j->note_id, d->note.id, 16);
	j->method = dup_or_empty(d->method);
	j->address = dup_or_empty(d->address);
	j->template = d->template != NULL ? strdup(d->template) : NULL;
	j->user = dup_or_empty(d->note.user);
	j->type = dup_or_empty(d->note.type);
	j->subject = dup_or_empty(d->note.subject);
	j->body = dup_or_empty(d->note.body);
	j->payload = dup_or_empty(d->note.payload);
	j->created = d->note.created;
	j->attempts = d->attempts;
	memcpy(j->user_id, d->note.user_id, 16);
	memcpy(j->template_id, d->note.template_id, 16);
	j->has_template_id = d->note.has_template_id;
	j->tmpl_name = dup_or_empty(d->tmpl_name);
	j->email = dup_or_empty(d->user_email);
	j->targets = d->note.targets != NULL ? strdup(d->note.targets) : NULL;
	j->actions = dup_or_empty(d->note.actions);
	if (d->subject != NULL && d->body != NULL) {
		j->msg_subject = strdup(d->subject);
		j->msg_body = strdup(d->body);
		j->msg_html = d->html;
		if (j->msg_subject == NULL || j->msg_body == NULL)
			b->failed = 1;
	}
	if (j->method == NULL || j->address == NULL || j->user == NULL ||
	    j->type == NULL || j->subject == NULL || j->body == NULL ||
	    j->payload == NULL || j->tmpl_name == NULL || j->email == NULL ||
	    j->actions == NULL || (d->note.targets != NULL && j->targets == NULL))
		b->failed = 1;
	return 0;
}

static void
job_clear(struct job *j)
{
	free(j->method);
	free(j->address);
	free(j->template);
	free(j->user);
	free(j->type);
	free(j->subject);
	free(j->body);
	free(j->payload);
	free(j->tmpl_name);
	free(j->email);
	free(j->targets);
	free(j->actions);
	free(j->msg_subject);
	free(j->msg_body);
}

static void
job_note(const struct job *j, struct note *n)
{
	memset(n, 0, sizeof(*n));
	memcpy(n->id, j->note_id, 16);
	n->user = j->user;
	n->type = j->type;
	n->subject = j->subject;
	n->body = j->body;
	n->payload = j->payload;
	n->created = j->created;
	memcpy(n->user_id, j->user_id, 16);
	memcpy(n->template_id, j->template_id, 16);
	n->has_template_id = j->has_template_id;
	n->targets = j->targets;
	n->actions = j->actions;
}

/*
 * A delivery without a delivery template, of a notification made from a
 * template (Coder's enqueuer): sent by Coder's rules (coder_body.c).
 */
static enum send_rc
job_coder(const struct cfg *cfg, const struct job *j,
    struct json_object *payload, char *err, size_t errsz)
{
	struct coder_msg	m;
	struct note		n;

	job_note(j, &n);
	m.id = j->id;
	m.note = &n;
	m.tmpl_name = j->tmpl_name;
	m.email = j->email;
	m.data = payload;
	if (strcmp(j->method, "webhook") == 0)
		return coder_send_webhook(cfg, &m, err, errsz);
	return coder_send_smtp(cfg, &m, j->address, err, errsz);
}

struct tmpl_copy {
	char	*subject, *body;
	int	 html;
};

static int
tmpl_copy(const struct template *t, void *arg)
{
	struct tmpl_copy	*c = arg;

	c->subject = strdup(t->subject);
	c->body = strdup(t->body);
	c->html = t->html;
	return 1;
}

/* smtp: the named template, rendered with the notification. */
static enum send_rc
job_smtp(const struct cfg *cfg, struct store *st, const struct job *j,
    struct json_object *payload, char *err, size_t errsz)
{
	struct tmpl_copy	 t = { NULL, NULL, 0 };
	struct note		 n;
	char			*subject = NULL, *body = NULL;
	enum store_rc		 rc;
	enum send_rc		 sr = SEND_RETRY;

	/* Rendered when it was queued (FOLIO): sent as it is. */
	if (j->msg_subject != NULL && j->msg_body != NULL)
		return send_smtp(cfg, j->address, j->msg_subject, j->msg_body,
		    j->msg_html, j->id, err, errsz);
	if (j->template == NULL) {
		snprintf(err, errsz, "no template named");
		return SEND_FAIL;
	}
	rc = store_template_get(st, NULL, j->template, tmpl_copy, &t);
	if (rc == STORE_NOTFOUND) {
		snprintf(err, errsz, "unknown template \"%.*s\"",
		    (int)util_utf8_trunc(j->template, 200), j->template);
		return SEND_FAIL;
	}
	if (rc != STORE_OK || t.subject == NULL || t.body == NULL) {
		snprintf(err, errsz, "cannot read template");
		goto out;
	}
	job_note(j, &n);
	if (render(t.subject, 0, &n, payload, j->address, &subject, err,
	    errsz) != 0 || render(t.body, t.html, &n, payload, j->address,
	    &body, err, errsz) != 0) {
		sr = SEND_FAIL;
		goto out;
	}
	sr = send_smtp(cfg, j->address, subject, body, t.html, j->id, err,
	    errsz);
out:
	free(t.subject);
	free(t.body);
	free(subject);
	free(body);
	return sr;
}

/*
 * webhook: "agent-email" is the DE mail service's contract,
 * {to, template, subject, values}; "herald" carries the notification.
 */
static enum send_rc
job_webhook(const struct cfg *cfg, const struct job *j,
    struct json_object *payload, char *err, size_t errsz)
{
	struct json_object	*doc, *n;
	char			 id[UUID_STR_LEN], nid[UUID_STR_LEN];
	const char		*text;
	size_t			 len;
	enum send_rc		 sr;

	doc = json_object_new_object();
	if (strcmp(cfg->webhook_format, "agent-email") == 0) {
		json_object_object_add(doc, "to",
		    json_object_new_string(j->address));
		json_object_object_add(doc, "template", j->template != NULL ?
		    json_object_new_string(j->template) : NULL);
		json_object_object_add(doc, "subject",
		    json_object_new_string(j->subject));
		json_object_object_add(doc, "values", json_object_get(payload));
	} else {
		util_uuid_format(j->id, 0, id);
		util_uuid_format(j->note_id, 1, nid);
		n = json_object_new_object();
		json_object_object_add(n, "id", json_object_new_string(nid));
		json_object_object_add(n, "user",
		    json_object_new_string(j->user));
		json_object_object_add(n, "type",
		    json_object_new_string(j->type));
		json_object_object_add(n, "subject",
		    json_object_new_string(j->subject));
		json_object_object_add(n, "message",
		    json_object_new_string(j->body));
		json_object_object_add(n, "timestamp",
		    json_object_new_int64(j->created));
		json_object_object_add(n, "payload", json_object_get(payload));
		json_object_object_add(doc, "_version",
		    json_object_new_string("1"));
		json_object_object_add(doc, "msg_id", json_object_new_string(id));
		json_object_object_add(doc, "to",
		    json_object_new_string(j->address));
		json_object_object_add(doc, "template", j->template != NULL ?
		    json_object_new_string(j->template) : NULL);
		json_object_object_add(doc, "notification", n);
	}
	if ((text = jsonio_text(doc, &len)) == NULL) {
		json_object_put(doc);
		snprintf(err, errsz, "out of memory");
		return SEND_RETRY;
	}
	sr = send_webhook(cfg, text, j->id, err, errsz);
	json_object_put(doc);
	return sr;
}

/*
 * Record the outcome.  A reason the database refuses must not keep the
 * row pending with its attempts never counted: record it again with a
 * fixed reason.
 */
static void
job_done(struct store *st, const unsigned char owner[16],
    const struct job *j, const char *state, int64_t next, const char *err,
    int64_t now, const char *id)
{
	enum store_rc	rc;

	rc = store_delivery_done(st, j->id, owner, state, next, err, now);
	if (rc != STORE_OK && rc != STORE_NOTFOUND &&
	    rc != STORE_UNAVAILABLE && rc != STORE_RETRY && err != NULL) {
		log_error("delivery %s: the outcome's reason was refused; "
		    "recording a fallback reason", id);
		rc = store_delivery_done(st, j->id, owner, state, next,
		    ERR_FALLBACK, now);
	}
	if (rc == STORE_NOTFOUND)
		log_warn("delivery %s: lease lost before the outcome was "
		    "recorded", id);
	else if (rc != STORE_OK)
		log_error("delivery %s: could not record the outcome", id);
}

static void
job_run(const struct cfg *cfg, struct store *st, const unsigned char owner[16],
    const struct job *j, struct amqp_pub *amqp)
{
	struct json_object	*payload = NULL;
	char			 err[512] = "", id[UUID_STR_LEN];
	enum send_rc		 sr;
	enum store_rc		 rc;
	int64_t			 now, next, delay;
	const char		*state;

	util_uuid_format(j->id, 0, id);
	/*
	 * Another dispatcher may have taken the row once our lease ran out:
	 * renew it, and send only what is still ours.
	 */
	now = util_now_ms();
	rc = store_delivery_renew(st, j->id, owner,
	    now + (int64_t)cfg->delivery_lease * 1000);
	if (rc != STORE_OK) {
		log_warn("delivery %s: %s; not sent", id, rc == STORE_NOTFOUND ?
		    "lease lost" : "cannot renew the lease");
		return;
	}
	if (jsonio_parse(j->payload, strlen(j->payload), 64, &payload) !=
	    JSONIO_OK || !json_object_is_type(payload, json_type_object)) {
		json_object_put(payload);
		payload = json_object_new_object();
	}
	/* Rendered when queued (FOLIO) wins over a Coder template's body. */
	if (j->template == NULL && j->has_template_id &&
	    j->msg_subject == NULL &&
	    (strcmp(j->method, "smtp") == 0 ||
	    strcmp(j->method, "webhook") == 0))
		sr = job_coder(cfg, j, payload, err, sizeof(err));
	else if (strcmp(j->method, "smtp") == 0)
		sr = job_smtp(cfg, st, j, payload, err, sizeof(err));
	else if (strcmp(j->method, "webhook") == 0)
		sr = job_webhook(cfg, j, payload, err, sizeof(err));
	else if (strcmp(j->method, "amqp") == 0)	/* L: the DE */
		sr = amqp_send_note(amqp, cfg, st, j->id, j->note_id, err,
		    sizeof(err));
	else {
		snprintf(err, sizeof(err), "unknown method \"%.*s\"",
		    (int)util_utf8_trunc(j->method, 32), j->method);
		sr = SEND_FAIL;
	}
	json_object_put(payload);
	/* snprintf may have cut a reason in the middle of a character. */
	err[util_utf8_trunc(err, ERR_TEXT_MAX)] = '\0';

	now = util_now_ms();
	next = now;
	if (sr == SEND_OK)
		state = "sent";
	else if (sr == SEND_FAIL || j->attempts + 1 >= cfg->delivery_max_attempts)
		state = "failed";
	else {
		/* Exponential backoff: base, 2 base, 4 base ... up to 1 h. */
		delay = (int64_t)cfg->delivery_retry_base * 1000;
		delay <<= j->attempts < 20 ? j->attempts : 20;
		next = now + (delay < BACKOFF_MAX_MS ? delay : BACKOFF_MAX_MS);
		state = "pending";
	}
	/* The log names the delivery, never the address or content. */
	if (sr == SEND_OK)
		log_info("delivery %s sent (%s)", id, j->method);
	else
		log_warn("delivery %s %s after attempt %d: %s", id,
		    strcmp(state, "failed") == 0 ? "failed" : "will retry",
		    j->attempts + 1, err);
	job_done(st, owner, j, state, next, sr == SEND_OK ? NULL : err, now,
	    id);
}

static void
dispatch_sleep(unsigned int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	/* A signal ends the sleep early; the loop then checks the flag. */
	nanosleep(&ts, NULL);
}

/*
 * Retention (issue M): every purge_interval seconds, from the start, a
 * child process runs "herald purge" on its own connection, so a long
 * purge never delays a delivery; one at a time (GET_LOCK, also against
 * other dispatchers and the command).  SIGTERM stops it between batches.
 */
static pid_t	purge_pid = -1;

static void
dispatch_purge(const struct cfg *cfg, int64_t now, int64_t *next)
{
	struct purge_totals	 t;
	struct store		*pst;
	pid_t			 pid;
	int			 status, got = 0, rc = 1;

	if (purge_pid > 0 && waitpid(purge_pid, &status, WNOHANG) == purge_pid)
		purge_pid = -1;
	if (cfg->purge_interval == 0 || purge_pid > 0 || now < *next)
		return;
	*next = now + (int64_t)cfg->purge_interval * 1000;
	if ((pid = fork()) == -1) {
		log_warn("dispatcher: cannot start the purge: %s",
		    strerror(errno));
		return;
	}
	if (pid > 0) {
		purge_pid = pid;
		return;
	}
	/* The parent's connection is its own: never used or closed here. */
	memset(&t, 0, sizeof(t));
	if ((pst = store_new(cfg)) != NULL) {
		if (store_purge_lock(pst, &got) == STORE_OK && !got)
			rc = 0;		/* another purge is running */
		else if (got)
			rc = purge_run(cfg, pst, NULL, 0, &dispatch_stop,
			    &t) == 0 ? 0 : 1;
		store_free(pst);
	}
	_exit(rc);
}

static void
dispatch_purge_stop(void)
{
	if (purge_pid <= 0)
		return;
	kill(purge_pid, SIGTERM);
	while (waitpid(purge_pid, NULL, 0) == -1 && errno == EINTR)
		;
	purge_pid = -1;
}

/*
 * SIGHUP: read the configuration again.  A bad file keeps the old one;
 * a good one gets a new store, since the store borrows its cfg.
 */
static void
dispatch_reload_cfg(const char *path, struct cfg **cfg, struct store **st)
{
	struct cfg	*next;
	struct store	*nst;
	char		 err[512];

	if ((next = calloc(1, sizeof(*next))) == NULL ||
	    cfg_load(path, next, err, sizeof(err)) != 0) {
		log_error("reload refused: %s", next != NULL ? err :
		    "out of memory");
		free(next);
		return;
	}
	if ((nst = store_new(next)) == NULL) {
		log_error("reload refused: out of memory");
		cfg_clear(next);
		free(next);
		return;
	}
	store_free(*st);
	cfg_clear(*cfg);
	free(*cfg);
	*cfg = next;
	*st = nst;
	log_set_level(next->log_level);
	ops_log_setup(next, 0);
	log_info("dispatcher reloaded (%s)", next->email_method);
}

int
delivery_run(const char *cfgpath)
{
	struct sigaction	 sa;
	struct cfg		*cfg;
	struct store		*st = NULL;
	struct amqp_pub		*amqp = NULL;
	struct batch		 b;
	unsigned char		 owner[16];
	enum store_rc		 rc;
	size_t			 i;
	int64_t			 now, next_purge = 0;
	int			 status = 1;

	if ((cfg = cfg_read(cfgpath)) == NULL)
		return 1;
	/* log_file, when set, as the pool's: reopened on SIGUSR1. */
	if (ops_log_setup(cfg, 1) != 0) {
		cfg_clear(cfg);
		free(cfg);
		return 1;
	}
	/* Every disposition is ours; no SA_RESTART, so a sleep ends. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dispatch_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = dispatch_on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = log_reopen_on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (st = store_new(cfg)) == NULL || (amqp = amqp_pub_new()) == NULL)
		goto out;
	util_uuid_new(owner);
	log_info("dispatcher started (%s)", cfg->email_method);
	while (!dispatch_stop) {
		log_reopen_if_asked();
		if (dispatch_reload) {
			dispatch_reload = 0;
			dispatch_reload_cfg(cfgpath, &cfg, &st);
			amqp_pub_close(amqp);	/* reconnect as configured */
		}
		memset(&b, 0, sizeof(b));
		now = util_now_ms();
		dispatch_purge(cfg, now, &next_purge);
		store_request_begin(st);
		rc = store_delivery_lease(st, owner, now,
		    now + (int64_t)cfg->delivery_lease * 1000,
		    cfg->dispatch_batch, batch_add, &b);
		if (rc != STORE_OK)
			log_warn("dispatcher: cannot lease deliveries now");
		/* SIGTERM lets the send in flight finish, then stops. */
		for (i = 0; i < b.n && !dispatch_stop && !b.failed; i++) {
			store_request_begin(st);
			job_run(cfg, st, owner, &b.jobs[i], amqp);
		}
		/* L: system notifications become active on the clock. */
		if (!dispatch_stop) {
			store_request_begin(st);
			amqp_system_step(amqp, cfg, st, util_now_ms());
			amqp_ping_step(amqp, cfg, util_now_ms());
		}
		for (i = 0; i < b.n; i++)
			job_clear(&b.jobs[i]);
		free(b.jobs);
		if (b.n == 0 && !dispatch_stop && !dispatch_reload)
			dispatch_sleep(cfg->dispatch_interval_ms);
	}
	dispatch_purge_stop();
	log_info("dispatcher stopped");
	status = 0;
out:
	amqp_pub_free(amqp);
	store_free(st);
	curl_global_cleanup();
	mysql_library_end();
	cfg_clear(cfg);
	free(cfg);
	return status;
}
