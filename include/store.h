#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct store;

/*
 * Every store call answers one of these; details go to the log, never to
 * the client.  STORE_UNAVAILABLE: the database cannot be reached now.
 */
enum store_rc {
	STORE_OK,
	STORE_NOTFOUND,
	STORE_CONFLICT,
	STORE_INVALID,		/* the database refused the values */
	STORE_UNAVAILABLE,
	STORE_ERROR,
	STORE_RETRY		/* rolled back by a conflict (deadlock, lock
				   wait, Galera certification, node not
				   ready): running it again may succeed */
};

#define STORE_TENANT_DEFAULT	"default"

/* Bounds on what the store keeps, in characters (code points). */
#define NOTE_USER_MAX		255
#define NOTE_TYPE_MAX		64
#define NOTE_TYPE_STORED_MAX	255	/* the column (schema 011): imports */
#define NOTE_SUBJECT_MAX	512
#define NOTE_TEMPLATE_MAX	255
#define NOTE_BODY_MAX		65535	/* bytes */
#define NOTE_IDS_MAX		10000	/* ids in one mark/delete request */

/* Create a store for "cfg" (borrowed; must outlive it).  Connects lazily. */
struct store	*store_new(const struct cfg *);
void		 store_free(struct store *);

/* Request boundaries: end rolls back a transaction left open. */
void		 store_request_begin(struct store *);
void		 store_request_end(struct store *);

enum store_rc	 store_begin(struct store *);
enum store_rc	 store_commit(struct store *);
void		 store_rollback(struct store *);

/*
 * Retries (model_tx): 1 when a transaction is open, so a retry belongs to
 * its owner; 1 when a call since store_retry_reset() answered STORE_RETRY.
 */
int		 store_in_tx(const struct store *);
int		 store_retry_wanted(const struct store *);
void		 store_retry_reset(struct store *);
/* Sleep before retry n (1, 2, ...): jittered, doubling from 5 ms. */
void		 store_backoff(int n);

/* --- users (store/users.c) --- */

struct user_row {
	unsigned char	 id[16];
	const char	*tenant;
	const char	*name;
	const char	*email;		/* NULL when none */
	int64_t		 created;
};

typedef int	(*user_cb)(const struct user_row *, void *);

/* Create the user if missing. */
enum store_rc	 store_user_ensure(struct store *, const char *tenant,
		    const char *user, int64_t now);
/* By id (name NULL) or by name (id NULL); STORE_NOTFOUND when none. */
enum store_rc	 store_user_get(struct store *, const char *tenant,
		    const unsigned char *id, const char *name, user_cb, void *);
/* Create or update; an existing user keeps its id unless "id" is given
 * for a new one.  *out gets the id. */
enum store_rc	 store_user_put(struct store *, const char *tenant,
		    const unsigned char *id, const char *name,
		    const char *email, int set_email, int64_t now,
		    unsigned char out[16]);
enum store_rc	 store_user_list(struct store *, const char *tenant,
		    user_cb, void *);
/* The user and everything that is theirs. */
enum store_rc	 store_user_remove(struct store *, const char *tenant,
		    const char *name);

/* --- user notifications (store/notes.c) --- */

enum note_format { NOTE_FMT_TEXT, NOTE_FMT_MARKDOWN, NOTE_FMT_HTML };

/* A stored notification; strings borrowed for the callback. */
struct note {
	unsigned char	 id[16];
	unsigned char	 user_id[16];
	const char	*user;		/* the recipient's name */
	const char	*sender;	/* NULL when none */
	const char	*type;
	const char	*subject;	/* title */
	const char	*body;
	enum note_format format;
	const char	*link;		/* NULL when none */
	const char	*icon;		/* NULL when none */
	const char	*actions;	/* JSON array text, "[]" when none */
	const char	*targets;	/* JSON array of uuid strings */
	const char	*template;	/* e-mail template; NULL when none */
	unsigned char	 template_id[16];
	int		 has_template_id;
	const char	*payload;	/* data: a JSON object's text */
	const char	*lang;		/* NULL when none */
	int		 email;		/* e-mail requested */
	int		 seen;
	int64_t		 seen_at;	/* read_at; 0 while unread */
	int		 deleted;
	int64_t		 created;	/* ms since the epoch */
	int64_t		 updated;
	/* FOLIO (issue I): the ids of the creating and last changing user. */
	const char	*created_by;	/* NULL when unknown */
	const char	*updated_by;
	/* K (issue K): Enterprise Tester's IconTitle; NULL when none. */
	const char	*icon_title;
};

enum note_sort { NOTE_SORT_CREATED, NOTE_SORT_ID, NOTE_SORT_SUBJECT,
	NOTE_SORT_UPDATED, NOTE_SORT_TYPE, NOTE_SORT_READ_AT, NOTE_SORT__MAX };

/* Which counts a listing carries. */
#define NOTE_WANT_MATCH	0x01	/* total: rows matching; unread: the same
				   but for the read state, unread */
#define NOTE_WANT_USER	0x02	/* the user's totals, whatever the filter */

/*
 * Which of a user's notifications (not deleted) an operation applies
 * to, in which order, which page.  Zero values mean "no condition".
 */
struct note_query {
	const char		*tenant;
	const char		*user;		/* the recipient's name */
	int			 seen;		/* -1: either */
	const char		*type;
	const char		*subject;
	const unsigned char	(*templates)[16];	/* any of */
	size_t			 ntemplates;
	const unsigned char	(*targets)[16];	/* all of */
	size_t			 ntargets;
	int64_t			 created_before;	/* < */
	int64_t			 created_after;		/* > */
	int64_t			 updated_before;
	int64_t			 updated_after;
	enum note_sort		 sort;
	int			 asc;
	long long		 limit;		/* 0: no limit */
	long long		 offset;
	/* Keyset: rows after (created, id) in (created, id) order. */
	int			 has_after;
	int64_t			 after_created;
	unsigned char		 after_id[16];
	unsigned int		 want;		/* NOTE_WANT_*, for lists */
	/*
	 * K (issue K): any of these ids (at most NOTE_QUERY_IN_MAX), and
	 * read_at bounds (ms; 0 none; strict; set ones imply read).
	 */
	const unsigned char	(*ids)[16];
	size_t			 nids;
	int64_t			 read_before;
	int64_t			 read_after;
};

#define NOTE_QUERY_IN_MAX	32	/* templates or targets in one query */

struct note_counts {
	long long	total;
	long long	unread;
};

/* Called per row; fields borrowed for the call.  Non-zero stops. */
typedef int	(*note_cb)(const struct note *, void *);

/* A delivery to queue with a notification, in the same transaction. */
struct delivery_req {
	unsigned char	 id[16];
	const char	*method;	/* "smtp" | "webhook" | "amqp" */
	const char	*address;
	const char	*template;
	/* FOLIO (issue I): rendered when queued; NULL: "template" at send. */
	const char	*subject;
	const char	*body;
	int		 html;
};

/*
 * Store "n" for user n->user of "tenant" (created if missing), with its
 * targets and deliveries, in one transaction when there is more than
 * one row to write.
 */
enum store_rc	 store_note_create(struct store *, const char *tenant,
		    const struct note *, const unsigned char (*targets)[16],
		    size_t ntargets, const struct delivery_req *d, size_t nd);
/* One notification by id (deleted or not); STORE_NOTFOUND when none. */
enum store_rc	 store_note_get(struct store *, const char *tenant,
		    const unsigned char id[16], note_cb, void *);
/* The page "q" selects, with the counts q->want names. */
enum store_rc	 store_note_list(struct store *, const struct note_query *,
		    note_cb, void *, struct note_counts *);
/* The NOTE_WANT_MATCH counts of "q". */
enum store_rc	 store_note_count(struct store *, const struct note_query *,
		    struct note_counts *);
/* One notification by id; *changed: rows changed (0 or 1). */
enum store_rc	 store_note_set_read(struct store *, const char *tenant,
		    const unsigned char id[16], int read, int64_t now,
		    unsigned long long *changed);
enum store_rc	 store_note_delete_id(struct store *, const char *tenant,
		    const unsigned char id[16], int64_t now,
		    unsigned long long *changed);
enum store_rc	 store_note_mark_seen(struct store *, const char *tenant,
		    const char *user, const unsigned char (*ids)[16], size_t n,
		    int64_t now);
enum store_rc	 store_note_delete(struct store *, const char *tenant,
		    const char *user, const unsigned char (*ids)[16], size_t n,
		    int64_t now);
enum store_rc	 store_note_mark_all_seen(struct store *,
		    const struct note_query *, int64_t now,
		    unsigned long long *changed);
enum store_rc	 store_note_delete_all(struct store *,
		    const struct note_query *, int64_t now,
		    unsigned long long *changed);

/* --- idempotency keys (store/notes.c) --- */

/*
 * Claim (tenant, principal, key) for a request with digest "hash",
 * inside the caller's transaction.  STORE_OK: claimed, the caller goes
 * on to create "id".  STORE_CONFLICT: an earlier request holds it; its
 * digest and notification are in prev_hash and prev_id.  Keys older
 * than "expired_before" are forgotten first.
 */
enum store_rc	 store_idem_claim(struct store *, const char *tenant,
		    const char *principal, const char *key,
		    const unsigned char hash[32], const unsigned char id[16],
		    int64_t now, int64_t expired_before,
		    unsigned char prev_hash[32], unsigned char prev_id[16]);

/* --- templates by reference (store/templates.c) --- */

/* A template's id and name from its id or name; STORE_NOTFOUND. */
enum store_rc	 store_template_ref(struct store *, const char *tenant,
		    const unsigned char *id, const char *name,
		    unsigned char out_id[16], char *out_name, size_t namesz);

/* --- system notifications (store/system.c) --- */

#define SYS_TYPE_MAX		64
#define SYS_MESSAGE_MAX		65535	/* bytes */

/* A user's state for one system notification; only ever moves up. */
enum sys_state { SYS_UNRECEIVED, SYS_RECEIVED, SYS_SEEN, SYS_DISMISSED };

struct sysnote {
	unsigned char	 id[16];
	const char	*type;
	const char	*message;
	int64_t		 activation;
	int64_t		 deactivation;
	int64_t		 created;
	int		 dismissible;
	int		 logins_disabled;
	/* The user's view only: */
	enum sys_state	 state;
	int		 acknowledged;	/* marked seen at some time */
};

typedef int	(*sysnote_cb)(const struct sysnote *, void *);

/* 1 when "type" is a known system-notification type. */
enum store_rc	 store_sys_type_known(struct store *, const char *type,
		    int *known);
enum store_rc	 store_sys_types(struct store *,
		    int (*)(const char *, void *), void *);
enum store_rc	 store_sys_create(struct store *, const char *tenant,
		    const struct sysnote *);
/* STORE_NOTFOUND when there is no such notification. */
enum store_rc	 store_sys_get(struct store *, const char *tenant,
		    const unsigned char id[16], struct sysnote *,
		    char **type, char **message);
/* Replace the fields and forget every user's state of it, atomically. */
enum store_rc	 store_sys_update(struct store *, const char *tenant,
		    const struct sysnote *);
enum store_rc	 store_sys_delete(struct store *, const char *tenant,
		    const unsigned char id[16]);
enum store_rc	 store_sys_admin_list(struct store *, const char *tenant,
		    int64_t active_at, const char *type, long long limit,
		    long long offset, sysnote_cb, void *, long long *total);

/* The user's active notifications whose state is below "below". */
enum store_rc	 store_sys_user_list(struct store *, const char *tenant,
		    const char *user, enum sys_state below, int64_t now,
		    sysnote_cb, void *);
enum store_rc	 store_sys_user_counts(struct store *, const char *tenant,
		    const char *user, int64_t now, long long *total,
		    long long *fresh, long long *unseen);
/*
 * One round trip for a user's overview: the user's counters, and the
 * system total, new and unseen.
 */
struct overview {
	struct note_counts	notes;
	long long		sys_total;
	long long		sys_fresh;
	long long		sys_unseen;
};
enum store_rc	 store_counts_overview(struct store *, const char *tenant,
		    const char *user, int64_t now, struct overview *);
/* Raise the user's state of "ids" (any, active or not) to "to". */
enum store_rc	 store_sys_mark(struct store *, const char *tenant,
		    const char *user, const unsigned char (*ids)[16],
		    size_t n, enum sys_state to, int64_t now);
/* Raise the state of every active notification to "to". */
enum store_rc	 store_sys_mark_all(struct store *, const char *tenant,
		    const char *user, enum sys_state to, int64_t now);

/*
 * L: activation.  A system notification with its tenant; borrowed for
 * the call.  Non-zero stops.
 */
typedef int	(*sysnote_tenant_cb)(const struct sysnote *, const char *tenant,
		    void *);
/*
 * AMQP (herald dispatch): lease to "owner" until "lease_until" the active
 * notifications not yet published nor leased, at most "limit", and call
 * "cb" for each leased; store_sys_published() marks one done
 * (STORE_NOTFOUND: the lease was lost, to an update or another owner).
 */
enum store_rc	 store_sys_claim_publish(struct store *,
		    const unsigned char owner[16], int64_t now,
		    int64_t lease_until, int limit, sysnote_tenant_cb, void *);
enum store_rc	 store_sys_published(struct store *,
		    const unsigned char id[16], const unsigned char owner[16],
		    int64_t now);
/* Give back the leases of "owner" not marked published. */
enum store_rc	 store_sys_release(struct store *,
		    const unsigned char owner[16]);
/*
 * herald push: the notifications active at "now" that became active
 * (activation or creation, whichever is later) after "after".
 */
enum store_rc	 store_sys_activated(struct store *, int64_t after,
		    int64_t now, sysnote_tenant_cb, void *);
/* The tenant of notification "id" (deleted or not); NOTFOUND if none. */
enum store_rc	 store_note_tenant(struct store *, const unsigned char id[16],
		    char *tenant, size_t tenantsz);

/* --- API tokens (store/tokens.c) --- */

struct token_row {
	unsigned char	 id[16];
	unsigned char	 hash[32];
	const char	*tenant;
	const char	*user;
	const char	*role;
	int64_t		 created;
	int64_t		 expires;	/* 0: never */
	int64_t		 revoked;	/* 0: not revoked */
	int64_t		 last_used;	/* 0: never */
};

typedef int	(*token_cb)(const struct token_row *, void *);

enum store_rc	 store_token_add(struct store *, const struct token_row *);
/* The row whose hash is "hash" (one at most), or STORE_NOTFOUND. */
enum store_rc	 store_token_find(struct store *, const unsigned char hash[32],
		    token_cb, void *);
enum store_rc	 store_token_list(struct store *, token_cb, void *);
enum store_rc	 store_token_revoke(struct store *, const unsigned char id[16],
		    int64_t now);
/* Record a use, unless one was recorded since "since". */
enum store_rc	 store_token_touch(struct store *, const unsigned char id[16],
		    int64_t now, int64_t since);

/* --- deliveries: the outbox (store/deliveries.c) --- */

/* A leased delivery with what rendering it needs. */
struct delivery {
	unsigned char	 id[16];
	const char	*method;
	const char	*address;
	const char	*template;	/* NULL: sent as its template rendered */
	int		 attempts;	/* before this one */
	struct note	 note;
	/* Coder (issue J): the note's template, the recipient's e-mail. */
	const char	*tmpl_name;	/* NULL when none */
	const char	*user_email;	/* NULL when none */
	/* FOLIO (issue I): the message rendered when queued, or NULL. */
	const char	*subject;
	const char	*body;
	int		 html;
};

typedef int	(*delivery_cb)(const struct delivery *, void *);

/*
 * Lease up to "max" due deliveries for "owner" until lease_until
 * (SELECT ... FOR UPDATE SKIP LOCKED), then call "cb" for each.
 */
enum store_rc	 store_delivery_lease(struct store *, const unsigned char owner[16],
		    int64_t now, int64_t lease_until, int max,
		    delivery_cb, void *);
/*
 * Record an outcome: state "sent", "pending" (retry at next) or "failed".
 * STORE_NOTFOUND when "owner" no longer holds the lease.
 */
enum store_rc	 store_delivery_done(struct store *, const unsigned char id[16],
		    const unsigned char owner[16], const char *state,
		    int64_t next, const char *error, int64_t now);
/*
 * FOLIO (issue I): queue "d" for the existing notification "note_id" of
 * "tenant".  STORE_NOTFOUND when there is no such notification,
 * STORE_CONFLICT when it already has a delivery by that method.
 */
enum store_rc	 store_delivery_add(struct store *, const char *tenant,
		    const unsigned char note_id[16], const struct delivery_req *,
		    int64_t now);
/*
 * Extend owner's lease of a pending delivery to lease_until, before a
 * send.  STORE_NOTFOUND when the lease was lost: do not send.
 */
enum store_rc	 store_delivery_renew(struct store *,
		    const unsigned char id[16], const unsigned char owner[16],
		    int64_t lease_until);

struct delivery_info {
	unsigned char	 id[16];
	unsigned char	 note_id[16];
	const char	*method;
	const char	*state;
	const char	*address;
	const char	*template;
	const char	*last_error;
	int		 attempts;
	int64_t		 next_attempt;
	int64_t		 created;
	int64_t		 sent_at;
};

enum store_rc	 store_delivery_list(struct store *, const char *state,
		    int (*)(const struct delivery_info *, void *), void *);

/* --- templates (store/templates.c) --- */

struct template {
	const char	*tenant;	/* NULL: the default tenant */
	const char	*name;
	const char	*subject;
	const char	*body;
	int		 html;
	int64_t		 updated;
};

/*
 * By name within a tenant (NULL: the default one, which the dispatcher
 * renders from; FOLIO's event templates are each tenant's own).
 */
enum store_rc	 store_template_put(struct store *, const struct template *);
/* STORE_NOTFOUND when there is none; strings valid during the call. */
enum store_rc	 store_template_get(struct store *, const char *tenant,
		    const char *name, int (*)(const struct template *, void *),
		    void *);
enum store_rc	 store_template_list(struct store *, const char *tenant,
		    int (*)(const struct template *, void *), void *);
enum store_rc	 store_template_remove(struct store *, const char *tenant,
		    const char *name);

/* --- K (issue K): editing a notification (store/notes.c) --- */

/*
 * Replace the fields given (NULL: unchanged) of one notification that is
 * not deleted; "format" is written with "body" only.  *changed: rows
 * matched and changed (0 or 1).
 */
enum store_rc	 store_note_update(struct store *, const char *tenant,
		    const unsigned char id[16], const char *body,
		    enum note_format format, const char *icon,
		    const char *icon_title, int64_t now,
		    unsigned long long *changed);

/* --- migrations (store/migrate.c) --- */

/* Apply schema_dir/NNN_*.sql not yet recorded, in order.  Returns 0/-1. */
int		 store_migrate(struct store *, const char *schema_dir);
/*
 * How many of schema_dir's migrations are not recorded as applied, in
 * *pending (-1 when the directory cannot be read), and the first such
 * file's name in "first".  STORE_UNAVAILABLE when the database is down;
 * a database never migrated counts every file as pending.
 */
enum store_rc	 store_schema_pending(struct store *, const char *schema_dir,
		    long long *pending, char *first, size_t firstsz);

/* --- operations (store/deliveries.c): the outbox by state and method --- */

#define STORE_QUEUE_ROWS	32
#define STORE_QUEUE_CAP		100000	/* rows looked at by one count */

struct store_queue {
	char		 state[16];
	char		 method[16];
	long long	 count;
	long long	 attempts;	/* sum over those rows */
};

/*
 * The deliveries by (state, method), counting at most STORE_QUEUE_CAP
 * rows so that a scrape stays bounded: a count at the cap means "at
 * least".  Fills up to STORE_QUEUE_ROWS entries, *n of them.
 */
enum store_rc	 store_queue_depth(struct store *, struct store_queue *,
		    size_t *n);

/* --- retention (store/purge.c, issue M) --- */

/* What a purge deletes: read or deleted notifications, finished deliveries. */
enum purge_kind { PURGE_READ, PURGE_DELETED, PURGE_SENT, PURGE_FAILED,
	PURGE__MAX };

/* Where a keyset scan of one kind stands (store_purge_pos_init first). */
struct purge_pos {
	int64_t		 t;
	long long	 seq;
	unsigned char	 id[16];
};

void		 store_purge_pos_init(struct purge_pos *);
/*
 * Up to "max" ids (into "ids", caller-owned) of the tenant's rows of
 * "kind" last changed before "cutoff" (ms), after *pos, which advances.
 * A plain read: it locks nothing.  *n 0: no more.
 */
enum store_rc	 store_purge_due(struct store *, const char *tenant,
		    enum purge_kind, int64_t cutoff, struct purge_pos *,
		    int max, unsigned char (*ids)[16], int *n);
/*
 * Delete those of "ids" still due, in one transaction (a notification's
 * finished deliveries with it; one with a pending delivery stays).
 * *deleted: the rows of "kind" deleted.
 */
enum store_rc	 store_purge_delete(struct store *, enum purge_kind,
		    int64_t cutoff, const unsigned char (*ids)[16], int n,
		    long long *deleted);
/* Every tenant that has a user. */
enum store_rc	 store_purge_tenants(struct store *,
		    int (*)(const char *, void *), void *);
/* GET_LOCK: *got 1 when no other purge runs (held until disconnect). */
enum store_rc	 store_purge_lock(struct store *, int *got);

/* --- Coder (issue J): templates of the model, preferences, settings --- */

/* A notification template (templates table); strings borrowed. */
struct tmpl_row {
	unsigned char	 id[16];
	const char	*name;
	const char	*kind;		/* "system" | "custom" */
	const char	*group;		/* "" when none */
	const char	*title;		/* title template (markdown) */
	const char	*body;		/* body template (markdown) */
	const char	*actions;	/* JSON array text */
	const char	*method;	/* "" : the default method */
	int		 enabled_by_default;
	int		 dedupe;	/* daily de-duplication */
};

typedef int	(*tmpl_cb)(const struct tmpl_row *, void *);

/* The templates of one kind, by name. */
enum store_rc	 store_tmpl_list(struct store *, const char *tenant,
		    const char *kind, tmpl_cb, void *);
/* One by id; STORE_NOTFOUND when none. */
enum store_rc	 store_tmpl_get(struct store *, const char *tenant,
		    const unsigned char id[16], tmpl_cb, void *);
/* Set the method ("" for the default); *changed 0 when it was so. */
enum store_rc	 store_tmpl_set_method(struct store *, const char *tenant,
		    const unsigned char id[16], const char *method,
		    unsigned long long *changed);
/*
 * What creating a notification of template "id" for "user" must obey:
 * *dedupe, *enabled_by_default and the method ("" the default) of the
 * template, and the user's preference (*pref -1 none, 0 enabled, 1
 * disabled).  STORE_NOTFOUND.
 */
enum store_rc	 store_tmpl_policy(struct store *, const char *tenant,
		    const unsigned char id[16], const char *user, int *dedupe,
		    int *enabled_by_default, int *pref, char *method,
		    size_t methodsz);

/* A stored preference: user × template → disabled. */
struct pref_row {
	unsigned char	 template_id[16];
	int		 disabled;
	int64_t		 updated;
};

typedef int	(*pref_cb)(const struct pref_row *, void *);

enum store_rc	 store_pref_list(struct store *, const char *tenant,
		    const char *user, pref_cb, void *);
/* Upsert one, for an existing user; STORE_INVALID: no such template. */
enum store_rc	 store_pref_put(struct store *, const char *tenant,
		    const char *user, const unsigned char template_id[16],
		    int disabled, int64_t now);

/*
 * Claim a daily de-duplication hash for notification "id", inside the
 * caller's transaction: STORE_CONFLICT when it was claimed before.
 */
enum store_rc	 store_dedupe_claim(struct store *,
		    const unsigned char hash[32], const unsigned char id[16],
		    int64_t now);

/* A tenant's setting "k" (0 when unset), and setting it. */
enum store_rc	 store_setting_get(struct store *, const char *tenant,
		    const char *k, long long *v);
enum store_rc	 store_setting_put(struct store *, const char *tenant,
		    const char *k, long long v, int64_t now);
/* --- FOLIO (issue I): whole-record writes and predicate trees --- */

/*
 * A condition on a tenant's notifications, as a tree the store turns
 * into SQL from constant fragments, every value bound.  Strings compare
 * case- and accent-insensitively; dates compare as their ISO text
 * ("2024-05-01T10:11:12.345+00:00"), ids as their lower-case text.
 */
enum note_field { NF_ID, NF_RECIPIENT, NF_SENDER, NF_BODY, NF_LINK,
	NF_SEEN, NF_LANG, NF_TYPE, NF_CREATED, NF_UPDATED, NF_CREATED_BY,
	NF_UPDATED_BY, NF_DATA, NF__MAX };

enum note_rel {
	NR_WORDS,	/* the value's words, space-joined, LIKE "value" */
	NR_LIKE,	/* the whole value LIKE "value" (\ escapes) */
	NR_EQ, NR_NE, NR_LT, NR_LE, NR_GT, NR_GE
};

enum note_pop { NP_CMP, NP_AND, NP_OR, NP_NOT, NP_ALL, NP_NULL };

struct note_pred {
	enum note_pop		 op;	/* NP_NULL: unknown, matches nothing */
	enum note_field		 field;
	enum note_rel		 rel;
	const char		*path;	/* NF_DATA: a JSON path, "$.\"k\"" */
	const char		*value;	/* NF_SEEN: "0" or "1" */
	const struct note_pred	*l, *r;	/* NP_NOT: l only */
};

#define NOTE_PRED_DEPTH_MAX	64	/* nesting the store accepts */
#define NOTE_PRED_NODES_MAX	30	/* comparisons in one tree */
#define NOTE_SORTKEYS_MAX	8

struct note_sortkey {
	enum note_field		 field;
	const char		*path;	/* NF_DATA */
	int			 desc;
};

/*
 * Which of a tenant's notifications (not deleted), in which order (the
 * keys, then last written: updated, then insertion order), which page.
 */
struct note_search {
	const char			*tenant;
	const struct note_pred		*pred;	/* NULL: all */
	const struct note_sortkey	*keys;
	size_t				 nkeys;
	long long			 offset;
	long long			 limit;	/* 0: count only */
};

/*
 * The page "q" selects and, in *total, how many match in all.
 * STORE_INVALID when the tree is beyond the bounds above.
 */
/*
 * The page statement store_note_search sends for "q", from FROM on, and
 * how many parameters it binds; the text depends only on the tree's
 * shape (t/unit/cql).  0, or -1 when the store would refuse it.
 */
int		 store_note_search_text(const struct note_search *, char *out,
		    size_t outsz, size_t *nbind);
enum store_rc	 store_note_search(struct store *, const struct note_search *,
		    note_cb, void *, long long *total);
/* Soft-delete every notification "pred" selects in "tenant". */
enum store_rc	 store_note_delete_pred(struct store *, const char *tenant,
		    const struct note_pred *, int64_t now,
		    unsigned long long *changed);
/*
 * Insert "n" with its id, seen flag, creator and deleted flag, for the
 * existing user n->user_id of "tenant".  STORE_CONFLICT when the id is
 * taken.
 */
enum store_rc	 store_note_insert(struct store *, const char *tenant,
		    const struct note *);
/*
 * Replace n->id's recipient (n->user_id), sender, type, body, link, lang,
 * payload and seen flag; updated and updated_by from "n", created and
 * created_by kept.  STORE_NOTFOUND when there is no such notification.
 */
enum store_rc	 store_note_replace(struct store *, const char *tenant,
		    const struct note *);

/* --- push (issue L): the change log of schema 007 (store/push.c) --- */

enum note_change_kind { CHANGE_CREATED = 1, CHANGE_READ, CHANGE_UNREAD,
	CHANGE_DELETED };

struct note_change {
	long long		 chg;
	unsigned char		 user_id[16];
	unsigned char		 note_id[16];
	enum note_change_kind	 kind;
};

typedef int	(*change_cb)(const struct note_change *, void *);

/* Changes after "after" (and at most "upto" when > 0), in order, at most
 * "limit".  One index range of the log's primary key. */
enum store_rc	 store_change_list(struct store *, long long after,
		    long long upto, long long limit, change_cb, void *);
/* The same for one user: a resume. */
enum store_rc	 store_change_user(struct store *, const unsigned char user[16],
		    long long after, long long upto, long long limit, change_cb,
		    void *);
/* The highest change number (0 when none). */
enum store_rc	 store_change_head(struct store *, long long *chg);
/* Drop changes recorded before "before" (ms), at most "limit" rows. */
enum store_rc	 store_change_prune(struct store *, int64_t before,
		    long long limit, unsigned long long *gone);
/* The counters of schema 002 by user id (zeroes when none). */
enum store_rc	 store_counts_by_id(struct store *, const unsigned char user[16],
		    struct note_counts *);

/*
 * One poll's reads at once (issue L): at most STORE_IDS_MAX ids a call,
 * a repeated id read once.  store_note_many: the notifications (deleted
 * or not) of every tenant, each with its recipient (n->user_id), whose
 * tenant is the notification's: the caller keeps each to the streams of
 * that user.  store_counts_many: the counters of the users that have
 * them (a user without is not called back: zeroes).
 */
#define STORE_IDS_MAX	64
typedef int	(*counts_cb)(const unsigned char user[16],
		    const struct note_counts *, void *);
enum store_rc	 store_note_many(struct store *, const unsigned char (*ids)[16],
		    size_t n, note_cb, void *);
enum store_rc	 store_counts_many(struct store *,
		    const unsigned char (*users)[16], size_t n, counts_cb, void *);

/* --- Import (issue R): whole records from an original's store --- */

/* Which import: the tenant, the source ("agent"), its table. */
struct import_key {
	const char	*tenant;
	const char	*source;
	const char	*tbl;
	const char	*key;		/* the source row's key, as text */
};

/*
 * Record the digest of a source row.  *out: 1 new, 2 changed, 0 the
 * same as recorded.  With "peek", only compare (writes nothing).
 */
enum store_rc	 store_import_digest(struct store *, const struct import_key *,
		    const unsigned char digest[32], int peek, int64_t now,
		    int *out);
/* Forget a row's digest (its write was refused): the next run retries. */
enum store_rc	 store_import_forget(struct store *, const struct import_key *);

/*
 * Insert "n" (its id, user n->user of "tenant", which must exist, its
 * times, read and deleted state, payload) or, when the id is the same
 * user's, replace it.  *out: 1 inserted, 2 replaced, 0 no change.
 * STORE_CONFLICT: the id is another user's or another tenant's.
 */
enum store_rc	 store_note_import(struct store *, const char *tenant,
		    const struct note *, int64_t deleted_at, int *out);
/* The targets of notification "id" are exactly ids[0..n-1]. */
enum store_rc	 store_note_targets_import(struct store *,
		    const unsigned char id[16], const unsigned char (*ids)[16],
		    size_t n);
/*
 * Insert or replace template t->id in "tenant".  *out as above.
 * STORE_CONFLICT: the id is another tenant's, or the name another id's.
 */
enum store_rc	 store_tmpl_import(struct store *, const char *tenant,
		    const struct tmpl_row *, int64_t now, int *out);
/* User × template → disabled.  STORE_NOTFOUND: either is missing. */
enum store_rc	 store_pref_import(struct store *, const char *tenant,
		    const unsigned char user_id[16],
		    const unsigned char tmpl_id[16], int disabled,
		    int64_t updated, int *out);
/* A system-notification type; *out 1 new, 0 known. */
enum store_rc	 store_sys_type_import(struct store *, const char *type,
		    int *out);
/* Insert or replace "s" in "tenant"; STORE_CONFLICT: another tenant's. */
enum store_rc	 store_sys_import(struct store *, const char *tenant,
		    const struct sysnote *, int *out);
/*
 * Set the state of system notification "id" for "user" (who must exist)
 * as it is, up or down.  STORE_NOTFOUND: no such system notification.
 */
enum store_rc	 store_sys_state_import(struct store *, const char *tenant,
		    const char *user, const unsigned char id[16],
		    enum sys_state, int64_t acknowledged_at, int64_t updated,
		    int *out);
/*
 * A delivery that was sent (state "sent", never sent again) of the
 * notification "note_id".  STORE_NOTFOUND: no such notification.
 */
enum store_rc	 store_delivery_import(struct store *, const char *tenant,
		    const unsigned char note_id[16], const char *method,
		    const char *address, const char *template,
		    int64_t sent_at, int *out);

/*
 * Many rows a statement, for the import's batches: each of these takes
 * 1 to STORE_IMPORT_ROWS rows (the caller chunks), so that a batch is a
 * few statements instead of a few per row.
 */
#define STORE_IMPORT_ROWS	100

/* The largest statement the server takes (max_allowed_packet), bytes. */
enum store_rc	 store_packet_max(struct store *, long long *bytes);

/* The digests recorded for keys[0..n-1] of k->tbl: found[i], digests[i]. */
enum store_rc	 store_import_digests(struct store *,
		    const struct import_key *, const char *const *keys,
		    size_t n, unsigned char (*digests)[32], int *found);
/* Record them (as store_import_digest does, one row each). */
enum store_rc	 store_import_digests_put(struct store *,
		    const struct import_key *, const char *const *keys,
		    const unsigned char (*digests)[32], size_t n, int64_t now);
/* The ids of users names[0..n-1] of "tenant": found[i], ids[i]. */
enum store_rc	 store_import_user_ids(struct store *, const char *tenant,
		    const char *const *names, size_t n, unsigned char (*ids)[16],
		    int *found);
/*
 * The names of users ids[0..n-1] of "tenant": names[i], which the caller
 * frees, or NULL when there is none.
 */
enum store_rc	 store_import_user_names(struct store *, const char *tenant,
		    const unsigned char (*ids)[16], size_t n, char **names);
/* A new notification and when it was deleted (if it was). */
struct note_import_row {
	const struct note	*n;
	int64_t			 deleted_at;
};
/*
 * Insert n new notifications of "tenant", each for the user of its
 * n->user_id, in one statement: all of them or none.  STORE_CONFLICT:
 * an id is there already; STORE_INVALID: the database refused a value.
 */
enum store_rc	 store_note_import_rows(struct store *, const char *tenant,
		    const struct note_import_row *, size_t n);
/* One target of a notification just inserted, and its recipient. */
struct note_target_row {
	const unsigned char	*note;
	const unsigned char	*user;
	const unsigned char	*target;
};
enum store_rc	 store_note_targets_add(struct store *,
		    const struct note_target_row *, size_t n);

/* The checkpoint of k->tbl: its last key in last[lastsz], *done. */
enum store_rc	 store_import_checkpoint(struct store *,
		    const struct import_key *, char *last, size_t lastsz,
		    int *done);
/* Write it (in the caller's transaction). */
enum store_rc	 store_import_checkpoint_put(struct store *,
		    const struct import_key *, int done, int64_t now);
/* The run of (tenant, source) is over: remove its checkpoints. */
enum store_rc	 store_import_checkpoint_clear(struct store *,
		    const char *tenant, const char *source);

#endif
