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
	STORE_ERROR
};

#define STORE_TENANT_DEFAULT	"default"

/* Bounds on what the store keeps, in characters (code points). */
#define NOTE_USER_MAX		255
#define NOTE_TYPE_MAX		64
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

/* Create the user if missing (store/notes.c). */
enum store_rc	 store_user_ensure(struct store *, const char *tenant,
		    const char *user, int64_t now);

/* --- user notifications (store/notes.c) --- */

struct note {
	unsigned char	 id[16];
	const char	*user;
	const char	*type;
	const char	*subject;
	const char	*body;
	const char	*template;	/* NULL when none */
	const char	*payload;	/* JSON object text */
	int		 email;		/* e-mail requested */
	int		 seen;
	int		 deleted;
	int64_t		 created;	/* ms since the epoch */
};

enum note_sort { NOTE_SORT_CREATED, NOTE_SORT_ID, NOTE_SORT_SUBJECT };

/* Which of a user's notifications an operation applies to. */
struct note_filter {
	const char	*tenant;
	const char	*user;
	int		 seen;		/* -1: either */
	const char	*type;		/* NULL: any */
	const char	*subject;	/* NULL: any */
	int64_t		 created_before;	/* 0: no bound */
};

struct note_page {
	enum note_sort	 sort;
	int		 asc;
	long long	 limit;		/* 0: no limit */
	long long	 offset;
};

/* Called per row; fields borrowed for the call.  Non-zero stops. */
typedef int	(*note_cb)(const struct note *, void *);

/* A delivery to queue with a notification, in the same transaction. */
struct delivery_req {
	unsigned char	 id[16];
	const char	*method;	/* "smtp" | "webhook" */
	const char	*address;
	const char	*template;
};

/*
 * Store "n" (id, type, subject, body, template, payload, email, created
 * set by the caller) for user n->user of "tenant", creating the user;
 * with "d", queue its delivery atomically with it.
 */
enum store_rc	 store_note_create(struct store *, const char *tenant,
		    const struct note *, const struct delivery_req *d);
/*
 * The page of rows "f" and "pg" select.  With "total", the counts that
 * store_note_count() gives are fetched in the same round trip.
 */
enum store_rc	 store_note_list(struct store *, const struct note_filter *,
		    const struct note_page *, note_cb, void *,
		    long long *total, long long *unseen);
/* *total: rows matching; *unseen: rows matching but for "seen". */
enum store_rc	 store_note_count(struct store *, const struct note_filter *,
		    long long *total, long long *unseen);
enum store_rc	 store_note_mark_seen(struct store *, const char *tenant,
		    const char *user, const unsigned char (*ids)[16], size_t n,
		    int64_t now);
enum store_rc	 store_note_mark_all_seen(struct store *,
		    const struct note_filter *, int64_t now);
enum store_rc	 store_note_delete(struct store *, const char *tenant,
		    const char *user, const unsigned char (*ids)[16], size_t n,
		    int64_t now);
enum store_rc	 store_note_delete_all(struct store *,
		    const struct note_filter *, int64_t now);

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
 * One round trip for a user's overview: out[0] notifications not deleted,
 * out[1] of them unseen, out[2..4] the system total, new and unseen.
 */
enum store_rc	 store_counts_overview(struct store *, const char *tenant,
		    const char *user, int64_t now, long long out[5]);
/* Raise the user's state of "ids" (any, active or not) to "to". */
enum store_rc	 store_sys_mark(struct store *, const char *tenant,
		    const char *user, const unsigned char (*ids)[16],
		    size_t n, enum sys_state to, int64_t now);
/* Raise the state of every active notification to "to". */
enum store_rc	 store_sys_mark_all(struct store *, const char *tenant,
		    const char *user, enum sys_state to, int64_t now);

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
	const char	*template;
	int		 attempts;	/* before this one */
	struct note	 note;
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
	const char	*name;
	const char	*subject;
	const char	*body;
	int		 html;
	int64_t		 updated;
};

/* Create or replace by name (default tenant). */
enum store_rc	 store_template_put(struct store *, const struct template *);
/* STORE_NOTFOUND when there is none; strings valid during the call. */
enum store_rc	 store_template_get(struct store *, const char *name,
		    int (*)(const struct template *, void *), void *);
enum store_rc	 store_template_list(struct store *,
		    int (*)(const struct template *, void *), void *);
enum store_rc	 store_template_remove(struct store *, const char *name);

/* --- migrations (store/migrate.c) --- */

/* Apply schema_dir/NNN_*.sql not yet recorded, in order.  Returns 0/-1. */
int		 store_migrate(struct store *, const char *schema_dir);

#endif
