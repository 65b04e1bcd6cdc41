/*
 * The change log (schema 007) read for every stream of the process at
 * once: one index range of its primary key per poll, however many
 * streams there are.  Each change goes to the streams of its recipient
 * (hashed by user id), each of which filters and renders it in its
 * dialect; the notes and counters of FEED_CHUNK changes are read by one
 * statement each, not one each per change (the event loop serves no
 * stream while a poll runs).
 *
 * The numbers come from an AUTO_INCREMENT, assigned in statement order
 * while commits happen in any order: a number below the highest seen may
 * still commit.  Such a number is a hole; the feed waits push_gap_ms for
 * it (a second statement, only while there are holes, reads the range
 * the holes are in) and gives it up after.  An SSE id is then "low" when
 * every change up to the event's is settled, else "base.c1.c2…": the
 * settled part and the changes past it this stream was sent, so that a
 * resume neither skips a late commit nor repeats an event.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "jbuf.h"
#include "log.h"
#include "model.h"
#include "push_int.h"
#include "store.h"
#include "stream.h"
#include "util.h"

#define FEED_BATCH	1000	/* changes read per statement */
#define FEED_ROUNDS	10	/* statements per poll while behind */
#define FEED_HOLES_MAX	65536
#define FEED_FRAME_MAX	(4 * 1024 * 1024)
#define FEED_CHUNK	STORE_IDS_MAX	/* changes a read of notes serves */

static const char *const feed_kinds[] = { "", "created", "read", "unread",
	"deleted" };

static unsigned int
feed_bucket(const unsigned char id[16])
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < 16; i++)
		h = (h ^ id[i]) * 16777619u;
	return h % PUSH_BUCKETS;
}

void
feed_free(struct feed *f)
{
	free(f->holes);
	free(f->since);
	memset(f, 0, sizeof(*f));
}

int
feed_start(struct pushd *pd)
{
	long long	head = 0;

	if (store_change_head(pd->app.store, &head) != STORE_OK)
		return -1;
	pd->feed.low = pd->feed.high = head;
	pd->feed.nholes = 0;
	pd->feed_ok = 1;
	log_info("push: change log at %lld", head);
	return 0;
}

/* Index of hole "chg", or -1. */
static long
feed_hole_find(const struct feed *f, long long chg)
{
	size_t	lo = 0, hi = f->nholes, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (f->holes[mid] == chg)
			return (long)mid;
		if (f->holes[mid] < chg)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void
feed_hole_drop(struct feed *f, size_t i, size_t n)
{
	memmove(f->holes + i, f->holes + i + n,
	    (f->nholes - i - n) * sizeof(*f->holes));
	memmove(f->since + i, f->since + i + n,
	    (f->nholes - i - n) * sizeof(*f->since));
	f->nholes -= n;
}

/* Note the numbers in (high, chg) as holes; the oldest go past the cap. */
static void
feed_hole_add(struct feed *f, long long chg, int64_t now)
{
	long long	c;
	void		*p;

	for (c = f->high + 1; c < chg; c++) {
		if (f->nholes == FEED_HOLES_MAX)
			feed_hole_drop(f, 0, 1);
		if (f->nholes == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 64;
			if ((p = realloc(f->holes, f->cap *
			    sizeof(*f->holes))) == NULL)
				return;
			f->holes = p;
			if ((p = realloc(f->since, f->cap *
			    sizeof(*f->since))) == NULL)
				return;
			f->since = p;
		}
		f->holes[f->nholes] = c;
		f->since[f->nholes++] = now;
	}
}

/* A note's fields copied out of the store's row buffers. */
struct note_copy {
	struct note	 n;
	int		 ok;
};

static char *
feed_dup(const char *s, int *ok)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = 0;
	return d;
}

static void
feed_note_copy(struct note_copy *c, const struct note *n)
{
	c->n = *n;
	c->ok = 1;
	c->n.user = feed_dup(n->user, &c->ok);
	c->n.sender = feed_dup(n->sender, &c->ok);
	c->n.type = feed_dup(n->type, &c->ok);
	c->n.subject = feed_dup(n->subject, &c->ok);
	c->n.body = feed_dup(n->body, &c->ok);
	c->n.link = feed_dup(n->link, &c->ok);
	c->n.icon = feed_dup(n->icon, &c->ok);
	c->n.actions = feed_dup(n->actions, &c->ok);
	c->n.targets = feed_dup(n->targets, &c->ok);
	c->n.template = feed_dup(n->template, &c->ok);
	c->n.payload = feed_dup(n->payload, &c->ok);
	c->n.lang = feed_dup(n->lang, &c->ok);
	c->n.created_by = feed_dup(n->created_by, &c->ok);
	c->n.updated_by = feed_dup(n->updated_by, &c->ok);
	c->n.icon_title = feed_dup(n->icon_title, &c->ok);
}

static void
feed_note_clear(struct note_copy *c)
{
	free((char *)c->n.user);
	free((char *)c->n.sender);
	free((char *)c->n.type);
	free((char *)c->n.subject);
	free((char *)c->n.body);
	free((char *)c->n.link);
	free((char *)c->n.icon);
	free((char *)c->n.actions);
	free((char *)c->n.targets);
	free((char *)c->n.template);
	free((char *)c->n.payload);
	free((char *)c->n.lang);
	free((char *)c->n.created_by);
	free((char *)c->n.updated_by);
	free((char *)c->n.icon_title);
	memset(c, 0, sizeof(*c));
}

/*
 * The notes and counters of up to FEED_CHUNK changes, read by one
 * statement each before those changes are delivered: at most FEED_CHUNK
 * notes (NOTE_BODY_MAX each, with their payloads) held at once.
 */
struct feed_pre {
	struct note_copy	 notes[FEED_CHUNK];
	size_t			 nnotes;
	struct {
		unsigned char		id[16];
		struct note_counts	c;
	}			 counts[FEED_CHUNK];
	size_t			 ncounts;
};

static int
feed_pre_note(const struct note *n, void *arg)
{
	struct feed_pre		*p = arg;
	struct note_copy	*c;

	if (p->nnotes == FEED_CHUNK)
		return 1;
	c = &p->notes[p->nnotes];
	feed_note_copy(c, n);
	if (c->ok)
		p->nnotes++;
	else
		feed_note_clear(c);
	return 0;
}

static int
feed_pre_counts(const unsigned char user[16], const struct note_counts *nc,
    void *arg)
{
	struct feed_pre	*p = arg;

	if (p->ncounts == FEED_CHUNK)
		return 1;
	memcpy(p->counts[p->ncounts].id, user, 16);
	p->counts[p->ncounts++].c = *nc;
	return 0;
}

static void
feed_pre_clear(struct feed_pre *p)
{
	size_t	i;

	for (i = 0; i < p->nnotes; i++)
		feed_note_clear(&p->notes[i]);
	p->nnotes = p->ncounts = 0;
}

/*
 * The SSE id of change "chg" for "c": what "c" may resume after once it
 * has this event.  Everything below the lowest hole is settled.
 */
static void
feed_id(const struct feed *f, struct conn *c, long long chg, char *buf,
    size_t bufsz)
{
	long long	base = chg;
	size_t		i, k, n;

	if (f->nholes > 0 && f->holes[0] <= chg)
		base = f->holes[0] - 1;
	for (i = k = 0; i < c->nabove; i++)
		if (c->above[i] > base)
			c->above[k++] = c->above[i];
	c->nabove = k;
	if (chg > base && c->nabove < PUSH_ABOVE_MAX) {
		for (i = 0; i < c->nabove && c->above[i] < chg; i++)
			;
		memmove(c->above + i + 1, c->above + i,
		    (c->nabove - i) * sizeof(*c->above));
		c->above[i] = chg;
		c->nabove++;
	}
	n = (size_t)snprintf(buf, bufsz, "%lld", base);
	for (i = 0; i < c->nabove && n < bufsz; i++)
		n += (size_t)snprintf(buf + n, bufsz - n, ".%lld",
		    c->above[i]);
}

/* Render and queue change "ch" for "c"; "nc" is the note, "counts" its
 * recipient's counters. */
static void
feed_send(struct pushd *pd, struct conn *c, const struct note_change *ch,
    const struct note *n, const struct note_counts *counts)
{
	struct stream_event	 ev;
	struct ctx		 ctx;
	struct jbuf		 b;
	char			 id[PUSH_ID_MAX];
	int			 rc;

	if (c->closing || !(c->st.events & STREAM_EV(ch->kind)))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = ch->kind;
	ev.note = n;
	ev.counts = *counts;
	if (c->st.kind == STREAM_SSE || c->st.events == STREAM_EV_ALL) {
		feed_id(&pd->feed, c, ch->chg, id, sizeof(id));
		ev.id = id;
	}
	ctx.st = pd->app.store;
	ctx.cfg = pd->cfg;
	ctx.who = &c->who;
	ctx.tenant = c->st.tenant;
	ctx.now = util_now_ms();
	jbuf_init(&b, FEED_FRAME_MAX);
	rc = c->st.frame(&ctx, &c->st, &ev, &b);
	if (rc == 0 && !b.over)
		push_queue_event(pd, c, feed_kinds[ch->kind], ev.id, b.buf,
		    b.len);
	else if (rc < 0 || b.over) {
		log_warn("push: an event could not be rendered");
		c->closing = 1;
		c->close_code = 1011;
		c->close_why = "internal error";
	}
	jbuf_free(&b);
}

/*
 * The first stream change "ch" goes to ("only" set: that one stream, if
 * it takes such changes), or NULL: then nothing of it is read.
 */
static struct conn *
feed_first(struct pushd *pd, const struct note_change *ch, struct conn *only)
{
	struct conn	*c;

	if (only != NULL)
		return (only->st.events & STREAM_EV(ch->kind)) ? only : NULL;
	for (c = pd->buckets[feed_bucket(ch->user_id)]; c != NULL;
	    c = c->next)
		if (memcmp(c->st.user_id, ch->user_id, 16) == 0 &&
		    (c->st.events & STREAM_EV(ch->kind)))
			return c;
	return NULL;
}

static int
feed_has_id(const unsigned char (*ids)[16], size_t n,
    const unsigned char id[16])
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (memcmp(ids[i], id, 16) == 0)
			return 1;
	return 0;
}

/*
 * Read the notes and counters that v[0..n) (n <= FEED_CHUNK) need, one
 * statement each.  The per-change reads this replaces ran after the
 * change-log statement too, so a frame already showed a note and its
 * counters as they are at the poll, not as they were at the change (a
 * "created" frame of a note since read says read, a deleted note is
 * shown deleted).  One read is that same state, taken once rather than
 * milliseconds apart; a write that commits meanwhile has its own change,
 * in the next poll.  A failed read leaves its changes unsent, as a
 * failed per-change read did.
 */
static int
feed_prefetch(struct pushd *pd, struct feed_pre *p,
    const struct note_change *v, size_t n, struct conn *only)
{
	unsigned char	ids[FEED_CHUNK][16], users[FEED_CHUNK][16];
	size_t		i, nids = 0, nusers = 0;

	for (i = 0; i < n && i < FEED_CHUNK; i++) {
		if (feed_first(pd, &v[i], only) == NULL)
			continue;
		if (!feed_has_id(ids, nids, v[i].note_id))
			memcpy(ids[nids++], v[i].note_id, 16);
		if (!feed_has_id(users, nusers, v[i].user_id))
			memcpy(users[nusers++], v[i].user_id, 16);
	}
	/* A failed read is not "gone": the caller stops and tries again. */
	if (nids > 0 && store_note_many(pd->app.store, ids, nids,
	    feed_pre_note, p) != STORE_OK)
		return -1;
	if (nusers > 0 && store_counts_many(pd->app.store, users, nusers,
	    feed_pre_counts, p) != STORE_OK)
		return -1;
	return 0;
}

/*
 * Change "ch" to the streams of its recipient ("only" set: to that one
 * stream), from the note and counters "p" read.  A note is its own
 * recipient's only: a user id is one tenant's, the stream's.
 */
static void
feed_deliver(struct pushd *pd, const struct note_change *ch,
    struct conn *only, const struct feed_pre *p)
{
	const struct note	*n = NULL;
	struct note_counts	 counts = { 0, 0 };
	struct conn		*c, *first;
	size_t			 i;

	if ((first = feed_first(pd, ch, only)) == NULL)
		return;
	for (i = 0; i < p->nnotes && n == NULL; i++)
		if (memcmp(p->notes[i].n.id, ch->note_id, 16) == 0 &&
		    memcmp(p->notes[i].n.user_id, ch->user_id, 16) == 0)
			n = &p->notes[i].n;
	/* Gone since (a user removed): nothing to show. */
	if (n == NULL)
		return;
	for (i = 0; i < p->ncounts; i++)
		if (memcmp(p->counts[i].id, ch->user_id, 16) == 0) {
			counts = p->counts[i].c;
			break;
		}
	if (only != NULL)
		feed_send(pd, only, ch, n, &counts);
	else
		for (c = first; c != NULL; c = c->next)
			if (memcmp(c->st.user_id, ch->user_id, 16) == 0)
				feed_send(pd, c, ch, n, &counts);
}

/*
 * What runs for each change just before it is delivered, in order (the
 * cursor's bookkeeping); 0 skips the change.
 */
typedef int	(*feed_step_fn)(struct pushd *, struct conn *only,
		    const struct note_change *, int64_t now);

/*
 * v[0..n) in order, FEED_CHUNK at a time from one read of each kind.
 * -1 when a read failed: the changes from that chunk on were not stepped
 * (the cursor stays before them), so the next poll reads them again.
 */
static int
feed_deliver_all(struct pushd *pd, const struct note_change *v, size_t n,
    struct conn *only, feed_step_fn step, int64_t now)
{
	struct feed_pre	 p;
	size_t		 i, j, m;
	int		 rc = 0;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < n && (only == NULL || !only->closing); i += m) {
		m = n - i < FEED_CHUNK ? n - i : FEED_CHUNK;
		if (feed_prefetch(pd, &p, v + i, m, only) != 0) {
			feed_pre_clear(&p);
			log_warn("push: cannot read the notes of %zu change(s) "
			    "now; trying again", n - i);
			rc = -1;
			break;
		}
		for (j = i; j < i + m; j++) {
			if (only != NULL && only->closing)
				break;
			if (step(pd, only, &v[j], now))
				feed_deliver(pd, &v[j], only, &p);
		}
		feed_pre_clear(&p);
	}
	return rc;
}

/* Changes read by one statement, kept until it is done. */
struct feed_rows {
	struct note_change	*v;
	size_t			 n, cap;
};

static int
feed_row(const struct note_change *ch, void *arg)
{
	struct feed_rows	*r = arg;
	void			*p;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		if ((p = realloc(r->v, r->cap * sizeof(*r->v))) == NULL)
			return 1;
		r->v = p;
	}
	r->v[r->n++] = *ch;
	return 0;
}

/* A late commit: one of the holes, no longer one. */
static int
feed_step_hole(struct pushd *pd, struct conn *only, const struct note_change *ch,
    int64_t now)
{
	long	h;

	(void)only;
	(void)now;
	if ((h = feed_hole_find(&pd->feed, ch->chg)) < 0)
		return 0;
	feed_hole_drop(&pd->feed, (size_t)h, 1);
	return 1;
}

/* A new change: the numbers it skipped are holes, it is the highest. */
static int
feed_step_new(struct pushd *pd, struct conn *only, const struct note_change *ch,
    int64_t now)
{
	(void)only;
	feed_hole_add(&pd->feed, ch->chg, now);
	pd->feed.high = ch->chg;
	return 1;
}

/* Late commits: the holes' range, for the numbers still missing. */
static void
feed_poll_holes(struct pushd *pd, struct feed_rows *r)
{
	struct feed	*f = &pd->feed;
	size_t		 i, k;

	r->n = 0;
	if (f->nholes == 0 || store_change_list(pd->app.store,
	    f->holes[0] - 1, f->holes[f->nholes - 1], FEED_BATCH * 10,
	    feed_row, r) != STORE_OK)
		return;
	/* The range's other rows were sent: read no note for them. */
	for (i = k = 0; i < r->n; i++)
		if (feed_hole_find(f, r->v[i].chg) >= 0)
			r->v[k++] = r->v[i];
	(void)feed_deliver_all(pd, r->v, k, NULL, feed_step_hole, 0);
}

void
feed_poll(struct pushd *pd)
{
	struct feed		*f = &pd->feed;
	struct feed_rows	 r = { NULL, 0, 0 };
	int64_t			 now = util_now_ms();
	size_t			 k;
	int			 round;

	if (!pd->feed_ok && feed_start(pd) != 0)
		return;
	feed_poll_holes(pd, &r);
	for (round = 0; round < FEED_ROUNDS; round++) {
		r.n = 0;
		if (store_change_list(pd->app.store, f->high, 0, FEED_BATCH,
		    feed_row, &r) != STORE_OK)
			break;
		pd->stats.changes += r.n;
		if (feed_deliver_all(pd, r.v, r.n, NULL, feed_step_new, now) !=
		    0 || r.n < FEED_BATCH)
			break;
	}
	/* Holes older than push_gap_ms will not commit any more. */
	for (k = 0; k < f->nholes && f->since[k] + (int64_t)pd->cfg->push_gap_ms
	    <= now; k++)
		;
	if (k > 0)
		feed_hole_drop(f, 0, k);
	f->low = f->nholes > 0 ? f->holes[0] - 1 : f->high;
	free(r.v);
}

int
feed_user_count(const struct pushd *pd, const unsigned char id[16])
{
	const struct conn	*c;
	int			 n = 0;

	for (c = pd->buckets[feed_bucket(id)]; c != NULL; c = c->next)
		if (memcmp(c->st.user_id, id, 16) == 0)
			n++;
	return n;
}

int
feed_resume_parse(struct conn *c, const char *s)
{
	long long	v;
	const char	*p = s, *e;
	char		 one[24];

	c->nabove = 0;
	for (;;) {
		if ((e = strchr(p, '.')) == NULL)
			e = p + strlen(p);
		if (e == p || (size_t)(e - p) >= sizeof(one))
			return -1;
		memcpy(one, p, (size_t)(e - p));
		one[e - p] = '\0';
		if (util_strtoll(one, 0, INT64_MAX, &v) != 0)
			return -1;
		if (p == s)
			c->resume_base = v;
		else if (c->nabove < PUSH_ABOVE_MAX && v > c->resume_base)
			c->above[c->nabove++] = v;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	c->resume = 1;
	return 0;
}

/* 1 when a resume of "c" already had change "chg". */
static int
feed_had(const struct conn *c, long long chg)
{
	size_t	i;

	for (i = 0; i < c->nabove; i++)
		if (c->above[i] == chg)
			return 1;
	return 0;
}

/* A resume: not a change the stream had, nor a hole (sent when it comes). */
static int
feed_step_resume(struct pushd *pd, struct conn *only,
    const struct note_change *ch, int64_t now)
{
	(void)now;
	return !feed_had(only, ch->chg) &&
	    feed_hole_find(&pd->feed, ch->chg) < 0;
}

/*
 * A resume: what the stream missed, up to what the feed has seen (the
 * feed sends the rest, and the holes, as they come).
 */
static void
feed_catch_up(struct pushd *pd, struct conn *c)
{
	struct feed_rows	 r = { NULL, 0, 0 };
	long long		 after = c->resume_base;

	if (!pd->feed_ok)
		return;
	for (;;) {
		r.n = 0;
		if (store_change_user(pd->app.store, c->st.user_id, after,
		    pd->feed.high, FEED_BATCH, feed_row, &r) != STORE_OK)
			break;
		if (feed_deliver_all(pd, r.v, r.n, c, feed_step_resume, 0) !=
		    0) {
			/* Closed, not left with a gap: the client resumes
			 * from the last id it had. */
			c->closing = 1;
			c->close_code = 1011;
			c->close_why = "database unavailable";
			break;
		}
		if (r.n < FEED_BATCH || c->closing)
			break;
		after = r.v[r.n - 1].chg;
	}
	free(r.v);
}

void
feed_attach(struct pushd *pd, struct conn *c)
{
	unsigned int	b = feed_bucket(c->st.user_id);

	if (c->linked)
		return;
	c->next = pd->buckets[b];
	pd->buckets[b] = c;
	c->all_prev = NULL;
	c->all_next = pd->all;
	if (pd->all != NULL)
		pd->all->all_prev = c;
	pd->all = c;
	c->linked = 1;
	pd->nconns++;
	if (c->resume)
		feed_catch_up(pd, c);
}

void
feed_detach(struct pushd *pd, struct conn *c)
{
	struct conn	**pp;

	if (!c->linked)
		return;
	for (pp = &pd->buckets[feed_bucket(c->st.user_id)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->all_prev != NULL)
		c->all_prev->all_next = c->all_next;
	else
		pd->all = c->all_next;
	if (c->all_next != NULL)
		c->all_next->all_prev = c->all_prev;
	c->linked = 0;
	pd->nconns--;
}
