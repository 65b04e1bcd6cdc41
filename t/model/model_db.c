/*
 * t/model/model_db.c: the model's calls against a real MariaDB, with no
 * web server in between.  Run by t/model/10-model.t, which starts the
 * harness's MariaDB and passes its configuration in HERALD_CONFIG.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "cfg.h"
#include "herr.h"
#include "model.h"
#include "request.h"
#include "store.h"
#include "tap.h"
#include "util.h"

#define TENANT	"t_model"

static struct store	*st;
static struct cfg	 cfg;

/* A context for "role" acting as "user", at time "now" (0: the clock). */
static struct ctx
ctx_of(struct principal *p, enum role role, const char *user, int64_t now)
{
	struct ctx	c;

	memset(p, 0, sizeof(*p));
	p->role = role;
	p->user = (char *)(uintptr_t)user;
	c.st = st;
	c.cfg = &cfg;
	c.who = p;
	c.tenant = TENANT;
	c.now = now != 0 ? now : util_now_ms();
	return c;
}

static int
create(const struct ctx *c, const char *to, const char *title,
    const unsigned char (*targets)[16], size_t nt, unsigned char id[16],
    struct herr *e)
{
	struct note_new	n;
	int		replayed;

	memset(&n, 0, sizeof(n));
	n.recipient = to;
	n.type = "test";
	n.title = title;
	n.body = "body";
	n.targets = targets;
	n.ntargets = nt;
	herr_init(e);
	return model_note_create(c, &n, id, &replayed, e);
}

struct seen {
	unsigned char	 ids[64][16];
	char		 titles[64][32];
	size_t		 n;
};

static int
seen_row(const struct note *n, void *arg)
{
	struct seen	*s = arg;

	if (s->n < 64) {
		memcpy(s->ids[s->n], n->id, 16);
		snprintf(s->titles[s->n], sizeof(s->titles[0]), "%s",
		    n->subject);
		s->n++;
	}
	return 0;
}

static size_t
list_targets(const struct ctx *c, const char *user,
    const unsigned char (*t)[16], size_t nt)
{
	struct note_query	q;
	struct seen		s;
	struct herr		e;

	memset(&q, 0, sizeof(q));
	memset(&s, 0, sizeof(s));
	q.user = user;
	q.seen = -1;
	q.targets = t;
	q.ntargets = nt;
	herr_init(&e);
	if (model_note_list(c, &q, seen_row, &s, NULL, &e) != 0)
		return (size_t)-1;
	return s.n;
}

static void
test_users_and_roles(void)
{
	struct principal	p;
	struct ctx		svc = ctx_of(&p, ROLE_SERVICE, "svc", 0);
	struct principal	pb;
	struct ctx		bob = ctx_of(&pb, ROLE_USER, "bob", 0);
	unsigned char		id[16], uid[16];
	char			name[64], idtext[UUID_STR_LEN];
	struct herr		e;

	is_int(create(&svc, "alice", "first", NULL, 0, id, &e), 0,
	    "a service creates for a user it never named before");
	is_int(model_user_find(&svc, "alice", uid, name, sizeof(name), &e), 1,
	    "... and the user exists now");
	util_uuid_format(uid, 0, idtext);
	is_int(model_user_find(&svc, idtext, uid, name, sizeof(name), &e), 1,
	    "found by id too");
	is_str(name, "alice", "... with its name");
	is_int(create(&bob, "alice", "from bob", NULL, 0, id, &e), -1,
	    "a user may not create for another");
	is_int(e.status, 403, "... 403");
	is_int(e.code, HERR_FORBIDDEN, "... forbidden");
	is_int(create(&bob, "bob", "own", NULL, 0, id, &e), 0,
	    "a user creates for itself");
	herr_init(&e);
	is_int(model_note_get(&bob, id, NULL, NULL, &e), 0, "bob reads his");
	is_int(create(&svc, "alice", "alice's", NULL, 0, id, &e), 0,
	    "another of alice's");
	herr_init(&e);
	is_int(model_note_get(&bob, id, NULL, NULL, &e), -1,
	    "bob cannot read alice's");
	is_int(e.status, 404, "... it does not exist for him (404)");
	herr_init(&e);
	is_int(model_note_set_read(&bob, id, 1, &e), -1, "nor mark it read");
	herr_init(&e);
	is_int(model_note_delete(&bob, id, &e), -1, "nor delete it");
	is_int(e.status, 404, "... 404");
}

static void
test_targets(void)
{
	struct principal	p;
	struct ctx		c = ctx_of(&p, ROLE_SERVICE, "svc", 0);
	unsigned char		t[3][16], id[16];
	struct herr		e;

	util_uuid_new(t[0]);
	util_uuid_new(t[1]);
	util_uuid_new(t[2]);
	create(&c, "tina", "ab", (const unsigned char (*)[16])t, 2, id, &e);
	create(&c, "tina", "a", (const unsigned char (*)[16])t, 1, id, &e);
	create(&c, "tina", "none", NULL, 0, id, &e);
	is_int((long long)list_targets(&c, "tina", NULL, 0), 3,
	    "no target filter: all three");
	is_int((long long)list_targets(&c, "tina",
	    (const unsigned char (*)[16])t, 1), 2, "target A: two");
	is_int((long long)list_targets(&c, "tina",
	    (const unsigned char (*)[16])t, 2), 1, "targets A and B: one");
	is_int((long long)list_targets(&c, "tina",
	    (const unsigned char (*)[16])t + 2, 1), 0, "target C: none");
}

/* Five at one instant: the keyset cursor still gives each once. */
static void
test_cursor(void)
{
	struct principal	p;
	struct ctx		c = ctx_of(&p, ROLE_SERVICE, "svc", 1700000000000);
	struct note_query	q;
	struct seen		all, page;
	unsigned char		id[16];
	struct herr		e;
	size_t			i, k;
	int			repeated = 0;

	for (i = 0; i < 5; i++)
		create(&c, "carl", "same instant", NULL, 0, id, &e);
	memset(&all, 0, sizeof(all));
	memset(&q, 0, sizeof(q));
	q.user = "carl";
	q.seen = -1;
	q.limit = 2;
	for (;;) {
		memset(&page, 0, sizeof(page));
		herr_init(&e);
		if (model_note_list(&c, &q, seen_row, &page, NULL, &e) != 0 ||
		    page.n == 0)
			break;
		for (i = 0; i < page.n; i++) {
			for (k = 0; k < all.n; k++)
				repeated |= memcmp(all.ids[k], page.ids[i],
				    16) == 0;
			memcpy(all.ids[all.n++], page.ids[i], 16);
		}
		q.has_after = 1;
		q.after_created = 1700000000000;
		memcpy(q.after_id, page.ids[page.n - 1], 16);
	}
	is_int((long long)all.n, 5, "pages of two: all five rows");
	ok(!repeated, "... none twice");
	for (i = 1; i < all.n; i++)
		if (memcmp(all.ids[i - 1], all.ids[i], 16) <= 0)
			break;
	is_int((long long)i, 5, "... in descending id order");
}

static void
test_read_counts_delete(void)
{
	struct principal	p;
	struct ctx		c = ctx_of(&p, ROLE_SERVICE, "svc", 0);
	struct note_query	q;
	struct note_counts	n;
	unsigned char		id[16];
	struct herr		e;

	create(&c, "dora", "one", NULL, 0, id, &e);
	create(&c, "dora", "two", NULL, 0, id, &e);
	memset(&q, 0, sizeof(q));
	q.user = "dora";
	q.seen = -1;
	model_note_count(&c, &q, &n, &e);
	is_int(n.total, 2, "two");
	is_int(n.unread, 2, "two unread");
	is_int(model_note_set_read(&c, id, 1, &e), 0, "read");
	model_note_count(&c, &q, &n, &e);
	is_int(n.unread, 1, "one unread");
	is_int(model_note_set_read(&c, id, 0, &e), 0, "unread again");
	model_note_count(&c, &q, &n, &e);
	is_int(n.unread, 2, "two unread again");
	is_int(model_note_delete(&c, id, &e), 0, "deleted");
	herr_init(&e);
	is_int(model_note_delete(&c, id, &e), -1, "deleting again: nothing");
	is_int(e.status, 404, "... 404");
	model_note_count(&c, &q, &n, &e);
	is_int(n.total, 1, "one left");
}

static void
test_idempotency_and_templates(void)
{
	struct principal	p;
	struct ctx		c = ctx_of(&p, ROLE_SERVICE, "svc", 0);
	struct note_new		n;
	unsigned char		h1[32], h2[32], id1[16], id2[16];
	struct herr		e;
	int			replayed;

	memset(h1, 1, sizeof(h1));
	memset(h2, 2, sizeof(h2));
	memset(&n, 0, sizeof(n));
	n.recipient = "ida";
	n.type = "test";
	n.idem_key = "key-1";
	n.idem_hash = h1;
	herr_init(&e);
	is_int(model_note_create(&c, &n, id1, &replayed, &e), 0, "keyed");
	is_int(replayed, 0, "... first time");
	is_int(model_note_create(&c, &n, id2, &replayed, &e), 0, "again");
	is_int(replayed, 1, "... a replay");
	ok(memcmp(id1, id2, 16) == 0, "... of the same notification");
	n.idem_hash = h2;
	is_int(model_note_create(&c, &n, id2, &replayed, &e), -1,
	    "the key with another request");
	is_int(e.status, 422, "... 422");
	is_str(e.dcode, "idempotency_mismatch", "... idempotency_mismatch");
	memset(&n, 0, sizeof(n));
	n.recipient = "ida";
	n.type = "test";
	n.template_ref = "no-such-template";
	herr_init(&e);
	is_int(model_note_create(&c, &n, id2, &replayed, &e), -1,
	    "an unknown template");
	is_int(e.status, 422, "... 422");
	is_str(e.field, "template", "... naming the field");
}

struct addr {
	char	seen[8][64];
	size_t	n;
};

static int
addr_row(const struct delivery_info *d, void *arg)
{
	struct addr	*a = arg;

	if (a->n < 8 && d->address != NULL)
		snprintf(a->seen[a->n++], sizeof(a->seen[0]), "%s",
		    d->address);
	return 0;
}

static int
addr_has(const struct addr *a, const char *s)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->seen[i], s) == 0)
			return 1;
	return 0;
}

/* Issue P item 2: a user's e-mail goes only to its stored address. */
static void
test_email_policy(void)
{
	struct principal	pu, ps;
	struct ctx		u = ctx_of(&pu, ROLE_USER, "erin", 0);
	struct ctx		s = ctx_of(&ps, ROLE_SERVICE, "svc", 0);
	struct note_new		n;
	struct addr		a;
	unsigned char		id[16], uid[16];
	struct herr		e;
	int			replayed;

	cfg.email_enabled = 1;
	store_user_put(st, TENANT, NULL, "erin", "erin@example.org", 1,
	    util_now_ms(), uid);
	memset(&n, 0, sizeof(n));
	n.recipient = "erin";
	n.type = "test";
	n.email = 1;
	n.email_template = "notification";
	n.email_address = "victim@example.net";
	n.channels = NOTE_CH_AGENT_EMAIL;
	herr_init(&e);
	is_int(model_note_create(&u, &n, id, &replayed, &e), 0,
	    "a user asks for e-mail to an address it names");
	n.recipient = "frank";
	is_int(model_note_create(&s, &n, id, &replayed, &e), 0,
	    "a service names an address for frank");
	memset(&a, 0, sizeof(a));
	store_delivery_list(st, "pending", addr_row, &a);
	is_int((long long)a.n, 2, "two deliveries queued");
	ok(addr_has(&a, "victim@example.net"),
	    "the service's named address is used");
	ok(addr_has(&a, "erin@example.org"),
	    "the user's goes to its stored address, not the one it named");
	cfg.email_enabled = 0;
}

/* Kill every other connection of our database user (the store's). */
static int
kill_store_connections(void)
{
	MYSQL		*m;
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	char		 q[64];
	int		 n = 0;

	if ((m = mysql_init(NULL)) == NULL || mysql_real_connect(m,
	    cfg.db_socket[0] ? NULL : cfg.db_host, cfg.db_user,
	    cfg.db_password, cfg.db_name, cfg.db_port,
	    cfg.db_socket[0] ? cfg.db_socket : NULL, 0) == NULL)
		return -1;
	if (mysql_query(m, "SELECT id FROM information_schema.processlist "
	    "WHERE user = CURRENT_USER() OR user = SUBSTRING_INDEX("
	    "CURRENT_USER(), '@', 1)") == 0 &&
	    (res = mysql_store_result(m)) != NULL) {
		while ((row = mysql_fetch_row(res)) != NULL) {
			if (strtoull(row[0], NULL, 10) == mysql_thread_id(m))
				continue;
			snprintf(q, sizeof(q), "KILL CONNECTION %s", row[0]);
			if (mysql_query(m, q) == 0)
				n++;
		}
		mysql_free_result(res);
	}
	mysql_close(m);
	return n;
}

static int
user_seen(const struct user_row *u, void *arg)
{
	(void)u;
	*(int *)arg = 1;
	return 1;
}

/*
 * A transaction whose connection is lost half-way: what follows in it
 * must fail, not run on a new connection in autocommit, and nothing of
 * it stays; once rolled back, the store works again.
 */
static void
test_lost_transaction(void)
{
	int	found = 0;

	store_request_begin(st);
	is_int(store_begin(st), STORE_OK, "a transaction");
	is_int(store_user_ensure(st, TENANT, "lost_a", util_now_ms()),
	    STORE_OK, "a write in it");
	ok(kill_store_connections() >= 1, "its connection killed");
	ok(store_user_ensure(st, TENANT, "lost_b", util_now_ms()) !=
	    STORE_OK, "the next write in it fails");
	is_int(store_user_ensure(st, TENANT, "lost_c", util_now_ms()),
	    STORE_UNAVAILABLE, "... and so does the one after (no reconnect)");
	is_int(store_commit(st), STORE_UNAVAILABLE, "the commit fails");
	store_request_end(st);
	store_request_begin(st);
	is_int(store_user_get(st, TENANT, NULL, "lost_a", user_seen, &found),
	    STORE_NOTFOUND, "the next request: the first write is not kept");
	found = 0;
	(void)store_user_get(st, TENANT, NULL, "lost_c", user_seen, &found);
	ok(!found, "... nor a later one");
	is_int(store_user_ensure(st, TENANT, "lost_d", util_now_ms()),
	    STORE_OK, "... and writes work again");
	store_request_end(st);
}

int
main(void)
{
	char	err[512];

	if (cfg_load(getenv("HERALD_CONFIG"), &cfg, err, sizeof(err)) != 0) {
		printf("1..0 # SKIP no configuration: %s\n", err);
		return 1;
	}
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(&cfg)) == NULL)
		return 1;
	strcpy(cfg.email_method, "smtp");
	test_users_and_roles();
	test_targets();
	test_cursor();
	test_read_counts_delete();
	test_idempotency_and_templates();
	test_email_policy();
	test_lost_transaction();
	store_free(st);
	mysql_library_end();
	cfg_clear(&cfg);
	return done_testing();
}
