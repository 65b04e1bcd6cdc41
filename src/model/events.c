/*
 * FOLIO (issue I): what mod-notify does with an eventConfigName or a
 * patron notice, locally.  The event config is a template of the tenant
 * by that name; it is rendered with the notification's context when the
 * request comes (as mod-notify asks the template engine), and the
 * message is queued in the outbox for the recipient's stored address (as
 * it asks mod-sender).  The dispatcher sends it as it was rendered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"
#include "util.h"

#define EVENT_SUBJECT_MAX	4096		/* bytes */
#define EVENT_BODY_MAX		(1024 * 1024)

struct event_msg {
	const struct event_mail	*em;
	char			*subject;
	char			*body;
	int			 html;
	int			 found;
	int			 failed;
	char			 err[128];
};

static int
event_tmpl_row(const struct template *t, void *arg)
{
	struct event_msg	*m = arg;

	m->found = 1;
	m->html = t->html;
	/* A subject is one header line: values must not break it. */
	if (model_tmpl_render_vals(t->subject, m->em->vals, m->em->nvals, 0,
	    EVENT_SUBJECT_MAX, &m->subject, m->err, sizeof(m->err)) != 0 ||
	    model_tmpl_render_vals(t->body, m->em->vals, m->em->nvals,
	    t->html, EVENT_BODY_MAX, &m->body, m->err, sizeof(m->err)) != 0)
		m->failed = 1;
	return 1;
}

struct event_addr {
	char	addr[321];
	char	name[NOTE_USER_MAX * 4 + 1];
	int	found;
};

static int
event_user_row(const struct user_row *u, void *arg)
{
	struct event_addr	*a = arg;

	a->found = 1;
	if (u->name != NULL && strlen(u->name) < sizeof(a->name))
		strcpy(a->name, u->name);
	if (u->email != NULL && strlen(u->email) < sizeof(a->addr))
		strcpy(a->addr, u->email);
	return 1;
}

static int
event_refuse(struct herr *e, const char *field, const char *msg)
{
	herr_set(e, 422, HERR_INVALID, "%s", msg);
	e->dcode = "event";
	herr_field(e, HERR_SRC_BODY, field, NULL);
	return -1;
}

/* One run of a notice's writes: its carrier, then its delivery. */
struct event_tx {
	const struct note		*n;
	const struct delivery_req	*d;
};

static int
event_tx(const struct ctx *c, void *arg, struct herr *e)
{
	struct event_tx	*t = arg;
	enum store_rc	 rc;

	if ((rc = store_begin(c->st)) != STORE_OK)
		return model_store_err(rc, e);
	if ((rc = store_note_insert(c->st, c->tenant, t->n)) == STORE_OK)
		rc = store_delivery_add(c->st, c->tenant, t->n->id, t->d,
		    c->now);
	if (rc != STORE_OK) {
		store_rollback(c->st);
		return model_store_err(rc, e);
	}
	return model_store_err(store_commit(c->st), e);
}

int
model_event_mail(const struct ctx *c, const struct event_mail *em,
    struct herr *e)
{
	struct event_msg	 m;
	struct event_addr	 a;
	struct delivery_req	 d;
	struct note		 n;
	struct event_tx		 t;
	enum store_rc		 rc;
	int			 ret = -1;

	memset(&m, 0, sizeof(m));
	memset(&a, 0, sizeof(a));
	m.em = em;
	rc = store_template_get(c->st, c->tenant, em->tmpl, event_tmpl_row,
	    &m);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return model_store_err(rc, e);
	if (m.failed) {
		herr_set(e, 422, HERR_INVALID, "Template %.64s: %s", em->tmpl,
		    m.err);
		e->dcode = "event";
		herr_field(e, HERR_SRC_BODY, "templateId", em->tmpl);
		goto out;
	}
	rc = store_user_get(c->st, c->tenant, em->user_id, NULL,
	    event_user_row, &a);
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		model_store_err(rc, e);
		goto out;
	}
	if (!a.found) {
		event_refuse(e, "recipientId", "No such user");
		goto out;
	}
	if (model_may_act_for(c, a.name, e) != 0)
		goto out;
	if (!c->cfg->email_enabled) {
		event_refuse(e, "deliveryChannel",
		    "E-mail delivery is not enabled");
		goto out;
	}
	if (a.addr[0] == '\0' || !util_email_ok(a.addr)) {
		event_refuse(e, "recipientId",
		    "The recipient has no e-mail address");
		goto out;
	}
	memset(&d, 0, sizeof(d));
	util_uuid_v7(d.id);
	d.method = "smtp";
	d.address = a.addr;
	d.template = em->tmpl;
	d.subject = m.subject;
	d.body = m.body;
	d.html = m.html;
	if (em->note_id != NULL) {
		rc = store_delivery_add(c->st, c->tenant, em->note_id, &d,
		    c->now);
		if (rc == STORE_CONFLICT) {
			event_refuse(e, "id", "This notification was mailed "
			    "already");
			goto out;
		}
		if (model_store_err(rc, e) == 0)
			ret = 1;
		goto out;
	}
	/* The carrier: deleted from the start, so no dialect lists it. */
	memset(&n, 0, sizeof(n));
	util_uuid_v7(n.id);
	memcpy(n.user_id, em->user_id, 16);
	n.type = em->type;
	n.body = "";
	n.payload = "{}";
	n.deleted = 1;
	n.created = c->now;
	n.updated = c->now;
	n.created_by = em->by;
	n.updated_by = em->by;
	t.n = &n;
	t.d = &d;
	if (model_tx(c, event_tx, &t, e) == 0)
		ret = 1;
out:
	free(m.subject);
	free(m.body);
	return ret;
}
