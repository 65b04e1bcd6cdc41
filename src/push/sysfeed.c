/*
 * System notifications on the streams (the agent's /events, issue L): a
 * notification becomes active at its activation time, or at its creation
 * when that is later, and no write marks that moment.  Each push process
 * (one a host) asks, every poll, for the active ones that became active
 * in the last push_gap_ms and a second (a commit that lands late, clocks
 * a little apart), and frames those it has not framed yet: the set it
 * keeps is of that window only.  Several hosts each frame their own
 * streams; a process starting frames only what becomes active after.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "jbuf.h"
#include "log.h"
#include "push_int.h"
#include "store.h"
#include "util.h"

#define SYS_SKEW_MS	1000
#define SYS_FRAME_MAX	(4 * 1024 * 1024)

static int64_t
sys_key(const struct sysnote *s)
{
	return s->activation > s->created ? s->activation : s->created;
}

/* 1 when (id, activation) was framed already. */
static int
sys_had(const struct sysfeed *f, const struct sysnote *s)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].activation == s->activation &&
		    memcmp(f->v[i].id, s->id, 16) == 0)
			return 1;
	return 0;
}

static int
sys_add(struct sysfeed *f, const struct sysnote *s)
{
	struct sys_seen	*p;

	if (f->n == f->cap) {
		if ((p = realloc(f->v, (f->cap ? f->cap * 2 : 16) *
		    sizeof(*p))) == NULL)
			return -1;
		f->v = p;
		f->cap = f->cap ? f->cap * 2 : 16;
	}
	memcpy(f->v[f->n].id, s->id, 16);
	f->v[f->n].activation = s->activation;
	f->v[f->n].key = sys_key(s);
	f->n++;
	return 0;
}

static void
sys_send(struct pushd *pd, const struct sysnote *s, const char *tenant)
{
	struct conn	*c;
	struct jbuf	 b;
	int		 rc;

	for (c = pd->all; c != NULL; c = c->all_next) {
		if (c->closing || c->st.system == NULL ||
		    strcmp(c->st.tenant, tenant) != 0)
			continue;
		jbuf_init(&b, SYS_FRAME_MAX);
		rc = c->st.system(&c->st, s, &b);
		/* No id: a resume's cursor is the change log's alone. */
		if (rc == 0 && !b.over)
			push_queue_event(pd, c, "system_message", NULL, b.buf,
			    b.len);
		else if (rc < 0 || b.over) {
			log_warn("push: a system notification could not be "
			    "rendered");
			c->closing = 1;
			c->close_code = 1011;
			c->close_why = "internal error";
		}
		jbuf_free(&b);
	}
}

struct sys_poll {
	struct pushd	*pd;
	int		 failed;
};

static int
sys_row(const struct sysnote *s, const char *tenant, void *arg)
{
	struct sys_poll	*p = arg;
	struct sysfeed	*f = &p->pd->sysfeed;

	if (sys_had(f, s))
		return 0;
	if (sys_add(f, s) != 0) {
		p->failed = 1;
		return 1;
	}
	/* The first poll learns what is already active: not news. */
	if (f->started)
		sys_send(p->pd, s, tenant);
	return 0;
}

void
sysfeed_poll(struct pushd *pd)
{
	struct sysfeed	*f = &pd->sysfeed;
	struct sys_poll	 p = { pd, 0 };
	int64_t		 now = util_now_ms();
	int64_t		 after = now - (int64_t)pd->cfg->push_gap_ms -
	    SYS_SKEW_MS;
	size_t		 i, k;

	if (store_sys_activated(pd->app.store, after, now, sys_row, &p) !=
	    STORE_OK || p.failed)
		return;
	f->started = 1;
	/* What left the window will not be asked for again. */
	for (i = k = 0; i < f->n; i++)
		if (f->v[i].key > after)
			f->v[k++] = f->v[i];
	f->n = k;
}

void
sysfeed_free(struct sysfeed *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}
