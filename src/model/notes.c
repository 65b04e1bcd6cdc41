/*
 * User notifications: the policy every dialect shares.  Ids, the clock,
 * who may act for whom, which deliveries a notification gets, and the
 * idempotency of creation are decided here and nowhere else.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "herr.h"
#include "log.h"
#include "model.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define IDEM_TTL_MS	(24LL * 3600 * 1000)
#define NOTE_DELIVERIES_MAX	4

struct stored_email {
	char	addr[321];
	int	found;
};

static int
stored_email_row(const struct user_row *u, void *arg)
{
	struct stored_email	*s = arg;

	if (u->email != NULL && strlen(u->email) < sizeof(s->addr)) {
		strcpy(s->addr, u->email);
		s->found = 1;
	}
	return 1;
}

/* The address stored for the recipient; 1 found, 0 none, -1 error. */
static int
note_stored_email(const struct ctx *c, const char *user,
    struct stored_email *s, struct herr *e)
{
	enum store_rc	rc;

	memset(s, 0, sizeof(*s));
	rc = store_user_get(c->st, c->tenant, NULL, user, stored_email_row, s);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return model_store_err(rc, e);
	return s->found;
}

/*
 * The agent's e-mail (agent.md §5.3): e-mail enabled, requested, with a
 * template and a plausible address; anything else is stored without one.
 * A user-role principal's e-mail goes only to the address stored for the
 * user, never to one it names: a user must not make Herald mail anyone.
 */
static int
note_agent_email(const struct ctx *c, const struct note_new *nn,
    const char *user, struct stored_email *se, struct delivery_req *d,
    struct herr *e)
{
	const char	*addr = nn->email_address;
	int		 rc;

	if (!c->cfg->email_enabled || !nn->email ||
	    nn->email_template == NULL || util_blank(nn->email_template))
		return 0;
	if (c->who->role == ROLE_USER) {
		if ((rc = note_stored_email(c, user, se, e)) <= 0)
			return rc;
		if (addr != NULL && strcmp(addr, se->addr) != 0)
			log_info("a user's e-mail goes to its stored address, "
			    "not the one it named");
		addr = se->addr;
	}
	if (addr == NULL || !util_email_ok(addr))
		return 0;
	memset(d, 0, sizeof(*d));
	util_uuid_v7(d->id);
	d->method = c->cfg->email_method;
	d->address = addr;
	d->template = nn->email_template;
	return 1;
}

/* The deliveries "nn" asks for; the count, or -1 with *e set. */
static int
note_deliveries(const struct ctx *c, const struct note_new *nn,
    const char *user, const char *tmpl_name, struct stored_email *se,
    struct delivery_req *d, struct herr *e)
{
	int	n = 0, rc;

	if (nn->channels & NOTE_CH_AGENT_EMAIL) {
		if ((rc = note_agent_email(c, nn, user, se, &d[n], e)) < 0)
			return -1;
		n += rc;
	}
	if (nn->channels & NOTE_CH_SMTP) {
		if (!c->cfg->email_enabled) {
			herr_set(e, 422, HERR_INVALID,
			    "e-mail delivery is not enabled");
			herr_field(e, HERR_SRC_BODY, "channels", "smtp");
			return -1;
		}
		if ((rc = note_stored_email(c, user, se, e)) < 0)
			return -1;
		if (rc == 0 || !util_email_ok(se->addr)) {
			herr_set(e, 422, HERR_INVALID,
			    "the recipient has no e-mail address");
			herr_field(e, HERR_SRC_BODY, "channels", "smtp");
			return -1;
		}
		memset(&d[n], 0, sizeof(d[n]));
		util_uuid_v7(d[n].id);
		d[n].method = "smtp";
		d[n].address = se->addr;
		d[n].template = tmpl_name != NULL ? tmpl_name : "notification";
		n++;
	}
	if (nn->channels & NOTE_CH_WEBHOOK) {
		if (c->cfg->webhook_url[0] == '\0') {
			herr_set(e, 422, HERR_INVALID,
			    "webhook delivery is not configured");
			herr_field(e, HERR_SRC_BODY, "channels", "webhook");
			return -1;
		}
		memset(&d[n], 0, sizeof(d[n]));
		util_uuid_v7(d[n].id);
		d[n].method = "webhook";
		d[n].address = c->cfg->webhook_url;
		d[n].template = tmpl_name != NULL ? tmpl_name : "notification";
		n++;
	}
	/*
	 * L: the DE's UI lists all of a user's notifications, whichever
	 * dialect made them: every one is published (herald dispatch), from
	 * this row written in its transaction, so never before its commit.
	 */
	if (c->cfg->amqp_url[0] != '\0') {
		memset(&d[n], 0, sizeof(d[n]));
		util_uuid_v7(d[n].id);
		d[n].method = "amqp";
		n++;
	}
	return n;
}

/*
 * Coder's enqueuer (issue J): a notification of a template that names
 * no channel gets one delivery by the template's method, else by the
 * default, when that method can deliver (smtp: e-mail on and an address
 * stored for the user; webhook: webhook_url set).  Its template is
 * NULL: the dispatcher sends the notification as the template rendered
 * it.  1 with *d set, 0 none, -1 with *e set.
 */
static int
note_tmpl_delivery(const struct ctx *c, const char *user,
    const char *method, struct stored_email *se, struct delivery_req *d,
    struct herr *e)
{
	const char	*m = method[0] != '\0' ? method : c->cfg->email_method;
	int		 rc;

	memset(d, 0, sizeof(*d));
	if (strcmp(m, "webhook") == 0) {
		if (c->cfg->webhook_url[0] == '\0')
			return 0;
		d->method = "webhook";
		d->address = c->cfg->webhook_url;
	} else if (strcmp(m, "smtp") == 0) {
		if (!c->cfg->email_enabled)
			return 0;
		if ((rc = note_stored_email(c, user, se, e)) <= 0 ||
		    !util_email_ok(se->addr))
			return rc < 0 ? -1 : 0;
		d->method = "smtp";
		d->address = se->addr;
	} else
		return 0;
	util_uuid_v7(d->id);
	return 1;
}

int
model_template_ref(const struct ctx *c, const char *ref, unsigned char id[16],
    char *name, size_t namesz, struct herr *e)
{
	unsigned char	tid[16];
	enum store_rc	rc = STORE_NOTFOUND;

	/* An id when a template has it; else a name (names may look like
	 * ids). */
	if (util_uuid_parse(ref, tid) == 0)
		rc = store_template_ref(c->st, c->tenant, tid, NULL, id, name,
		    namesz);
	if (rc == STORE_NOTFOUND)
		rc = store_template_ref(c->st, c->tenant, NULL, ref, id, name,
		    namesz);
	if (rc == STORE_NOTFOUND)
		return 0;
	return rc == STORE_OK ? 1 : model_store_err(rc, e);
}

/* "role:user", the scope of an idempotency key. */
static void
note_principal(const struct ctx *c, char *buf, size_t sz)
{
	static const char *const roles[] = { "none", "user", "service",
	    "admin" };
	const struct principal	*p = c->who;

	snprintf(buf, sz, "%s:%s", roles[p->role <= ROLE_ADMIN ? p->role : 0],
	    p->user != NULL ? p->user : "");
}

/* The recipient's name from a name or an id; created on first use. */
static int
note_recipient(const struct ctx *c, const struct note_new *nn, char *name,
    size_t namesz, struct herr *e)
{
	unsigned char	id[16];
	char		idtext[UUID_STR_LEN];
	int		rc;

	if (nn->recipient_id == NULL && nn->recipient_ref) {
		/* A user's id when one has it; else a name, new or not. */
		if ((rc = model_user_find(c, nn->recipient, id, name, namesz,
		    e)) != 0)
			return rc < 0 ? -1 : 0;
	}
	if (nn->recipient_id == NULL) {
		if (strlen(nn->recipient) >= namesz)
			return model_store_err(STORE_INVALID, e);
		strcpy(name, nn->recipient);
		return 0;
	}
	util_uuid_format(nn->recipient_id, 0, idtext);
	if ((rc = model_user_find(c, idtext, id, name, namesz, e)) < 0)
		return -1;
	if (rc == 0) {
		herr_set(e, 422, HERR_INVALID, "no such user");
		herr_field(e, HERR_SRC_BODY, "recipient", idtext);
		return -1;
	}
	return 0;
}

/* One run of a creation's writes (model_tx), all chosen beforehand. */
struct note_create_tx {
	const struct note_new	*nn;
	const struct note	*n;
	const struct delivery_req *d;
	size_t			 nd;
	unsigned char		*id;
	int			*replayed;
	int			 dedupe;	/* Coder: claim dhash too */
	const unsigned char	*dhash;
};

static int
note_create_tx(const struct ctx *c, void *arg, struct herr *e)
{
	struct note_create_tx	*t = arg;
	const struct note_new	*nn = t->nn;
	char			 who[320];
	unsigned char		 prev_hash[32], prev_id[16];
	enum store_rc		 rc;

	if (nn->idem_key == NULL && !t->dedupe) {
		rc = store_note_create(c->st, c->tenant, t->n, nn->targets,
		    nn->ntargets, t->d, t->nd);
		if (rc != STORE_OK)
			return model_store_err(rc, e);
		memcpy(t->id, t->n->id, 16);
		return 0;
	}
	if ((rc = store_begin(c->st)) != STORE_OK)
		return model_store_err(rc, e);
	if (nn->idem_key != NULL) {
		note_principal(c, who, sizeof(who));
		rc = store_idem_claim(c->st, c->tenant, who, nn->idem_key,
		    nn->idem_hash, t->n->id, c->now, c->now - IDEM_TTL_MS,
		    prev_hash, prev_id);
		if (rc == STORE_CONFLICT) {
			store_rollback(c->st);
			if (memcmp(prev_hash, nn->idem_hash, 32) != 0) {
				herr_set(e, 422, HERR_INVALID, "this "
				    "Idempotency-Key was used with another "
				    "request");
				e->dcode = "idempotency_mismatch";
				herr_field(e, HERR_SRC_HEADER,
				    "Idempotency-Key", NULL);
				return -1;
			}
			memcpy(t->id, prev_id, 16);
			*t->replayed = 1;
			return 0;
		}
		if (rc == STORE_UNAVAILABLE) {
			store_rollback(c->st);
			herr_set(e, 409, HERR_CONFLICT, "a request with "
			    "this Idempotency-Key is in flight");
			return -1;
		}
	}
	if (rc == STORE_OK)
		rc = store_note_create(c->st, c->tenant, t->n, nn->targets,
		    nn->ntargets, t->d, t->nd);
	/* Coder (issue J): the same notification once a day. */
	if (rc == STORE_OK && t->dedupe && (rc = store_dedupe_claim(c->st,
	    t->dhash, t->n->id, c->now)) == STORE_CONFLICT) {
		store_rollback(c->st);
		herr_set(e, 409, HERR_CONFLICT, "duplicate notification");
		e->dcode = "duplicate";
		return -1;
	}
	if (rc != STORE_OK) {
		store_rollback(c->st);
		return model_store_err(rc, e);
	}
	if ((rc = store_commit(c->st)) != STORE_OK)
		return model_store_err(rc, e);
	memcpy(t->id, t->n->id, 16);
	return 0;
}

static int
note_create(const struct ctx *c, const struct note_new *nn,
    unsigned char id[16], int *replayed, struct herr *e)
{
	struct delivery_req	 d[NOTE_DELIVERIES_MAX];
	struct stored_email	 se;
	struct note		 n;
	struct note_create_tx	 t;
	char			 user[NOTE_USER_MAX * 4 + 1];
	char			 tname[NOTE_TEMPLATE_MAX * 4 + 1];
	char			 tj[NOTE_TARGETS_MAX * 40 + 3];
	unsigned char		 dhash[32];
	char			 method[16];
	const char		*tmpl_name = NULL;
	size_t			 i, len = 0;
	int			 nd, rc2, dedupe = 0;

	*replayed = 0;
	if (note_recipient(c, nn, user, sizeof(user), e) != 0 ||
	    model_may_act_for(c, user, e) != 0)
		return -1;
	memset(&n, 0, sizeof(n));
	if (nn->template_ref != NULL) {
		if ((rc2 = model_template_ref(c, nn->template_ref,
		    n.template_id, tname, sizeof(tname), e)) < 0)
			return -1;
		if (rc2 == 0) {
			herr_set(e, 422, HERR_INVALID, "no such template");
			herr_field(e, HERR_SRC_BODY, "template",
			    nn->template_ref);
			return -1;
		}
		n.has_template_id = 1;
		tmpl_name = tname;
	}
	if ((nd = note_deliveries(c, nn, user, tmpl_name, &se, d, e)) < 0)
		return -1;

	/* Chosen once: a retried creation writes the same rows. */
	util_uuid_v7(n.id);
	n.user = user;
	n.sender = c->who->user;
	n.type = nn->type;
	n.subject = nn->title != NULL ? nn->title : "";
	n.body = nn->body != NULL ? nn->body : "";
	n.format = nn->format;
	n.link = nn->link;
	n.icon = nn->icon;
	n.icon_title = nn->icon_title;
	n.actions = nn->actions;
	n.template = nn->email_template;
	n.payload = nn->data != NULL ? nn->data : "{}";
	n.lang = nn->lang;
	n.email = nn->email;
	n.created = c->now;
	n.updated = c->now;
	/* Targets are rendered from the row; the table serves filters. */
	tj[len++] = '[';
	for (i = 0; i < nn->ntargets && i < NOTE_TARGETS_MAX; i++) {
		if (i > 0)
			tj[len++] = ',';
		tj[len++] = '"';
		util_uuid_format(nn->targets[i], 0, tj + len);
		len += 36;
		tj[len++] = '"';
	}
	tj[len++] = ']';
	tj[len] = '\0';
	n.targets = nn->ntargets > 0 ? tj : NULL;

	/* Coder (issue J): preferences inhibit; a day de-duplicates. */
	if (n.has_template_id && model_note_policy(c, nn, user,
	    n.template_id, n.targets, &dedupe, dhash, method, sizeof(method),
	    e) != 0)
		return -1;
	if (n.has_template_id && nn->channels == 0) {
		if ((rc2 = note_tmpl_delivery(c, user, method, &se, &d[nd],
		    e)) < 0)
			return -1;
		nd += rc2;
	}

	t.nn = nn;
	t.n = &n;
	t.d = d;
	t.nd = (size_t)nd;
	t.id = id;
	t.replayed = replayed;
	t.dedupe = dedupe;
	t.dhash = dhash;
	return model_tx(c, note_create_tx, &t, e);
}

/*
 * Coder (issue J): a notification of a template that gives no title and
 * no body takes both from the template, rendered with its labels.
 */
struct note_tmpl_text {
	char	*title;
	char	*body;
	char	*actions;	/* rendered, or NULL: none or unreadable */
	int	 found;
	int	 failed;
	char	 err[128];
	const struct note_new *nn;
	const char *user;
};

static int
note_tmpl_row(const struct tmpl_row *t, void *arg)
{
	struct note_tmpl_text	*x = arg;

	x->found = 1;
	if (model_tmpl_render(t->title, x->user, NULL, x->nn->labels,
	    x->nn->nlabels, NOTE_SUBJECT_MAX * 4, &x->title, x->err,
	    sizeof(x->err)) != 0 || model_tmpl_render(t->body, x->user, NULL,
	    x->nn->labels, x->nn->nlabels, NOTE_BODY_MAX, &x->body, x->err,
	    sizeof(x->err)) != 0)
		x->failed = 1;
	/* Actions the caller did not give: the template's, rendered. */
	if (!x->failed && x->nn->actions == NULL && strcmp(t->actions, "[]") &&
	    model_tmpl_render_actions(t->actions, x->user, NULL,
	    x->nn->labels, x->nn->nlabels, &x->actions, x->err,
	    sizeof(x->err)) != 0)
		log_warn("template actions not rendered: %s", x->err);
	return 1;
}

int
model_note_create(const struct ctx *c, const struct note_new *nn,
    unsigned char id[16], int *replayed, struct herr *e)
{
	struct note_tmpl_text	 x;
	struct note_new		 r;
	unsigned char		 tid[16];
	char			 user[NOTE_USER_MAX * 4 + 1];
	int			 rc;

	if (nn->template_ref == NULL || nn->title != NULL ||
	    nn->body != NULL || util_uuid_parse(nn->template_ref, tid) != 0)
		return note_create(c, nn, id, replayed, e);
	memset(&x, 0, sizeof(x));
	x.nn = nn;
	if (note_recipient(c, nn, user, sizeof(user), e) != 0)
		return -1;
	x.user = user;
	if (store_tmpl_get(c->st, c->tenant, tid, note_tmpl_row, &x) !=
	    STORE_OK || !x.found)
		return note_create(c, nn, id, replayed, e);
	if (x.failed) {
		/*
		 * Not a text this renderer reads (a delivery template's
		 * {{name}}s are the dispatcher's): created as before.
		 */
		free(x.title);
		free(x.body);
		free(x.actions);
		return note_create(c, nn, id, replayed, e);
	}
	r = *nn;
	r.title = x.title;
	r.body = x.body;
	if (x.actions != NULL)
		r.actions = x.actions;
	r.format = NOTE_FMT_MARKDOWN;
	rc = note_create(c, &r, id, replayed, e);
	free(x.title);
	free(x.body);
	free(x.actions);
	return rc;
}

/* A row as the principal may see it. */
struct note_seen {
	const struct ctx	*c;
	note_cb			 cb;
	void			*arg;
	int			 visible;
};

static int
note_visible_row(const struct note *n, void *arg)
{
	struct note_seen	*s = arg;
	const struct principal	*p = s->c->who;

	if (n->deleted)
		return 1;
	/* Another user's notification does not exist for a user. */
	if (p->role == ROLE_USER && (p->user == NULL ||
	    strcmp(p->user, n->user) != 0))
		return 1;
	if (p->role == ROLE_NONE)
		return 1;
	s->visible = 1;
	return s->cb != NULL ? s->cb(n, s->arg) : 1;
}

int
model_note_get(const struct ctx *c, const unsigned char id[16], note_cb cb,
    void *arg, struct herr *e)
{
	struct note_seen	s = { c, cb, arg, 0 };
	enum store_rc		rc;

	rc = store_note_get(c->st, c->tenant, id, note_visible_row, &s);
	if (rc == STORE_OK && !s.visible)
		rc = STORE_NOTFOUND;
	return model_store_err(rc, e);
}

int
model_note_set_read(const struct ctx *c, const unsigned char id[16],
    int read, struct herr *e)
{
	unsigned long long	changed = 0;

	if (model_note_get(c, id, NULL, NULL, e) != 0)
		return -1;
	return model_store_err(store_note_set_read(c->st, c->tenant, id,
	    read, c->now, &changed), e);
}

static int
note_delete_tx(const struct ctx *c, void *arg, struct herr *e)
{
	const unsigned char	*id = arg;
	unsigned long long	 changed = 0;
	enum store_rc		 rc;

	rc = store_note_delete_id(c->st, c->tenant, id, c->now, &changed);
	if (rc == STORE_OK && changed == 0)
		rc = STORE_NOTFOUND;
	return model_store_err(rc, e);
}

/* K (issue K) */
int
model_note_edit(const struct ctx *c, const unsigned char id[16],
    const struct note_edit *ed, struct herr *e)
{
	unsigned long long	changed = 0;
	enum store_rc		rc;

	if (model_note_get(c, id, NULL, NULL, e) != 0)
		return -1;
	if (ed->body != NULL || ed->icon != NULL || ed->icon_title != NULL) {
		rc = store_note_update(c->st, c->tenant, id, ed->body,
		    ed->format, ed->icon, ed->icon_title, c->now, &changed);
		if (rc != STORE_OK)
			return model_store_err(rc, e);
	}
	if (ed->read >= 0)
		return model_note_set_read(c, id, ed->read, e);
	return 0;
}

int
model_note_delete(const struct ctx *c, const unsigned char id[16],
    struct herr *e)
{
	unsigned char	key[16];

	if (model_note_get(c, id, NULL, NULL, e) != 0)
		return -1;
	memcpy(key, id, 16);
	return model_tx(c, note_delete_tx, key, e);
}

/* The query as the store takes it: the request's tenant, checked user. */
static int
note_scope(const struct ctx *c, const struct note_query *q,
    struct note_query *out, struct herr *e)
{
	if (q->user == NULL || model_may_act_for(c, q->user, e) != 0) {
		if (q->user == NULL)
			herr_set(e, 403, HERR_FORBIDDEN, "no user named");
		return -1;
	}
	if (q->ntemplates > NOTE_QUERY_IN_MAX ||
	    q->ntargets > NOTE_QUERY_IN_MAX || q->nids > NOTE_QUERY_IN_MAX) {
		herr_set(e, 422, HERR_INVALID, "too many values in a filter");
		return -1;
	}
	*out = *q;
	out->tenant = c->tenant;
	return 0;
}

int
model_note_list(const struct ctx *c, const struct note_query *q, note_cb cb,
    void *arg, struct note_counts *counts, struct herr *e)
{
	struct note_query	s;

	if (note_scope(c, q, &s, e) != 0)
		return -1;
	return model_store_err(store_note_list(c->st, &s, cb, arg, counts), e);
}

int
model_note_count(const struct ctx *c, const struct note_query *q,
    struct note_counts *counts, struct herr *e)
{
	struct note_query	s;

	if (note_scope(c, q, &s, e) != 0)
		return -1;
	return model_store_err(store_note_count(c->st, &s, counts), e);
}

int
model_note_mark_ids(const struct ctx *c, const char *user,
    const unsigned char (*ids)[16], size_t n, struct herr *e)
{
	if (model_may_act_for(c, user, e) != 0)
		return -1;
	return model_store_err(store_note_mark_seen(c->st, c->tenant, user,
	    ids, n, c->now), e);
}

int
model_note_delete_ids(const struct ctx *c, const char *user,
    const unsigned char (*ids)[16], size_t n, struct herr *e)
{
	if (model_may_act_for(c, user, e) != 0)
		return -1;
	return model_store_err(store_note_delete(c->st, c->tenant, user, ids,
	    n, c->now), e);
}

int
model_note_read_where(const struct ctx *c, const struct note_query *q,
    long long *changed, struct herr *e)
{
	struct note_query	s;
	unsigned long long	n = 0;

	if (note_scope(c, q, &s, e) != 0)
		return -1;
	if (model_store_err(store_note_mark_all_seen(c->st, &s, c->now, &n),
	    e) != 0)
		return -1;
	if (changed != NULL)
		*changed = (long long)n;
	return 0;
}

int
model_note_delete_where(const struct ctx *c, const struct note_query *q,
    long long *changed, struct herr *e)
{
	struct note_query	s;
	unsigned long long	n = 0;

	if (note_scope(c, q, &s, e) != 0)
		return -1;
	if (model_store_err(store_note_delete_all(c->st, &s, c->now, &n),
	    e) != 0)
		return -1;
	if (changed != NULL)
		*changed = (long long)n;
	return 0;
}
