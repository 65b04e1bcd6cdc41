#ifndef MODEL_H
#define MODEL_H

/*
 * The domain every dialect maps onto: notifications, users, system
 * notifications, and who may do what to them.  No SQL (that is the
 * store's) and no JSON (that is each dialect's).  Every call takes the
 * request's context and fills a struct herr on failure; authorization is
 * checked here, so no dialect can skip it.
 */
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct cfg;
struct herr;
struct principal;

/* Built once per request by dispatch. */
struct ctx {
	struct store		*st;
	const struct cfg	*cfg;
	const struct principal	*who;
	const char		*tenant;
	int64_t			 now;		/* ms since the epoch */
};

/* --- users (src/model/users.c) --- */

/*
 * Resolve "ref" (a UUID, or a name within the tenant) to the user's id
 * and name.  Returns 1 found, 0 no such user, -1 with *e set.  The
 * name is copied into name[NOTE_USER_MAX * 4 + 1].
 */
int	model_user_find(const struct ctx *, const char *ref,
	    unsigned char id[16], char *name, size_t namesz, struct herr *);
/*
 * May the principal read or change the notifications of user "name"?
 * 0, or -1 with a 403 in *e.
 */
int	model_may_act_for(const struct ctx *, const char *name, struct herr *);

/* --- user notifications (src/model/notes.c) --- */

/*
 * A template by id or name: its id, and its name in name[namesz].
 * 1 found, 0 none, -1 with *e set.
 */
int	model_template_ref(const struct ctx *, const char *ref,
	    unsigned char id[16], char *name, size_t namesz, struct herr *);

/* Bounds on what a new notification may carry. */
#define NOTE_LINK_MAX		2048
#define NOTE_ICON_MAX		255
#define NOTE_ACTIONS_MAX	10
#define NOTE_ACTION_LABEL_MAX	255
#define NOTE_TARGETS_MAX	32
#define NOTE_IDEM_KEY_MAX	255

/* Delivery channels a notification asks for, besides the inbox. */
#define NOTE_CH_SMTP		0x01
#define NOTE_CH_WEBHOOK		0x02
#define NOTE_CH_AGENT_EMAIL	0x04	/* agent.md §5.3: to payload.email_address */
/*
 * The inbox named on its own: no delivery.  A notification of a
 * template that names no channel at all gets one by the template's
 * method, else the default (email_method), as Coder's enqueuer does.
 */
#define NOTE_CH_INBOX		0x08

/* A notification to create; every string borrowed for the call. */
struct note_new {
	const char		*recipient;	/* user name, or NULL ... */
	int			 recipient_ref;	/* recipient may be an id */
	const unsigned char	*recipient_id;	/* ... a user id */
	const char		*type;
	const char		*title;
	const char		*body;
	enum note_format	 format;
	const char		*link;		/* NULL: none */
	const char		*icon;
	const char		*actions;	/* JSON array text, or NULL */
	const unsigned char	(*targets)[16];
	size_t			 ntargets;
	const char		*data;		/* JSON object text, or NULL */
	const char		*lang;
	const char		*template_ref;	/* a template's id or name */
	const char		*email_template;	/* agent e-mail template */
	int			 email;		/* e-mail requested (agent) */
	const char		*email_address;	/* agent payload address */
	unsigned int		 channels;	/* NOTE_CH_* */
	/* Idempotency-Key and a digest of the request, or NULL. */
	const char		*idem_key;
	const unsigned char	*idem_hash;	/* 32 bytes */
	/* Coder (issue J): a template's labels, name/value pairs. */
	const char *const	*labels;	/* 2 * nlabels strings */
	size_t			 nlabels;
	/* K (issue K): Enterprise Tester's IconTitle, or NULL. */
	const char		*icon_title;
};

/*
 * Create a notification: id and clock, the recipient (created on first
 * reference), the act-for check, the outbox decision (a delivery row in
 * the same transaction), idempotency.  On success the new id is in "id"
 * and *replayed says whether an earlier request with the same key made
 * it.  Errors: 403, 422 (unknown template, no address, key reused with
 * another body), 409 (the same key in flight), 503.
 */
int	model_note_create(const struct ctx *, const struct note_new *,
	    unsigned char id[16], int *replayed, struct herr *);

/*
 * One notification by id, as the principal may see it: another user's
 * is NOTFOUND for a user-role principal.  Calls "cb" once.  404 when
 * there is none.
 */
int	model_note_get(const struct ctx *, const unsigned char id[16],
	    note_cb, void *, struct herr *);

/*
 * A page of the user's notifications (q->user names it; the act-for
 * check is made) and, with "counts", the counts q->want asks for.
 */
int	model_note_list(const struct ctx *, const struct note_query *,
	    note_cb, void *, struct note_counts *, struct herr *);
int	model_note_count(const struct ctx *, const struct note_query *,
	    struct note_counts *, struct herr *);

/* Read state of one notification (1 read, 0 unread); 404 when none. */
int	model_note_set_read(const struct ctx *, const unsigned char id[16],
	    int read, struct herr *);
/* Soft-delete one notification; 404 when nothing matched. */
int	model_note_delete(const struct ctx *, const unsigned char id[16],
	    struct herr *);

/* By ids, for one user; unknown ids are ignored. */
int	model_note_mark_ids(const struct ctx *, const char *user,
	    const unsigned char (*ids)[16], size_t n, struct herr *);
int	model_note_delete_ids(const struct ctx *, const char *user,
	    const unsigned char (*ids)[16], size_t n, struct herr *);
/* Every notification "q" selects; *changed rows when not NULL. */
int	model_note_read_where(const struct ctx *, const struct note_query *,
	    long long *changed, struct herr *);
int	model_note_delete_where(const struct ctx *, const struct note_query *,
	    long long *changed, struct herr *);

/* --- system notifications (src/model/system.c) --- */

int	model_sys_user_list(const struct ctx *, const char *user,
	    enum sys_state below, sysnote_cb, void *, struct herr *);
int	model_sys_user_counts(const struct ctx *, const char *user,
	    long long *total, long long *fresh, long long *unseen,
	    struct herr *);
/* The user's counters and the system counts, in one round trip. */
int	model_overview(const struct ctx *, const char *user,
	    struct note_counts *, long long *sys_total, long long *sys_fresh,
	    long long *sys_unseen, struct herr *);
int	model_sys_mark(const struct ctx *, const char *user,
	    const unsigned char (*ids)[16], size_t n, enum sys_state to,
	    struct herr *);
int	model_sys_mark_all(const struct ctx *, const char *user,
	    enum sys_state to, struct herr *);
/* One system notification as "user" sees it; 404 when not active. */
int	model_sys_user_get(const struct ctx *, const char *user,
	    const unsigned char id[16], sysnote_cb, void *, struct herr *);

/* Admin calls: the admin role is required. */
int	model_sys_type_known(const struct ctx *, const char *type, int *known,
	    struct herr *);
int	model_sys_types(const struct ctx *, int (*)(const char *, void *),
	    void *, struct herr *);
int	model_sys_create(const struct ctx *, struct sysnote *, struct herr *);
int	model_sys_get(const struct ctx *, const unsigned char id[16],
	    struct sysnote *, char **type, char **message, struct herr *);
int	model_sys_update(const struct ctx *, const struct sysnote *,
	    struct herr *);
int	model_sys_delete(const struct ctx *, const unsigned char id[16],
	    struct herr *);
int	model_sys_admin_list(const struct ctx *, int64_t active_at,
	    const char *type, long long limit, long long offset, sysnote_cb,
	    void *, long long *total, struct herr *);

/* --- K (issue K): editing a notification (src/model/notes.c) --- */

/* The fields to change; NULL (read: -1) leaves one as it is. */
struct note_edit {
	const char		*body;		/* with "format" */
	enum note_format	 format;
	const char		*icon;
	const char		*icon_title;
	int			 read;		/* -1, 0 or 1 */
};

/*
 * Change one notification the principal may see (as model_note_get
 * decides): 404 when there is none, 422 when a value is refused.
 */
int	model_note_edit(const struct ctx *, const unsigned char id[16],
	    const struct note_edit *, struct herr *);

/*
 * Run "fn", one whole write (a transaction or a statement), again while
 * it fails on a conflict the store says a retry may get past
 * (STORE_RETRY: deadlock, lock wait, Galera certification, node not
 * ready), up to MODEL_TX_TRIES runs with a jittered backoff between.  "fn"
 * must be safe to run again: what it generates (ids) is chosen before.
 * Returns what the last run of "fn" returned (0, or -1 with *e set).
 */
#define MODEL_TX_TRIES	4
typedef int	(*model_tx_fn)(const struct ctx *, void *, struct herr *);
int	model_tx(const struct ctx *, model_tx_fn, void *, struct herr *);

/* Map a store outcome to an error in *e (STORE_OK: 0).  Returns -1/0. */
int	model_store_err(enum store_rc, struct herr *);

/* --- Coder (issue J): templates, preferences, settings --- */

/* The principal's templates of "kind" ("system" | "custom"), by name. */
int	model_tmpl_list(const struct ctx *, const char *kind, tmpl_cb, void *,
	    struct herr *);
/* One template; 404 when there is none. */
int	model_tmpl_get(const struct ctx *, const unsigned char id[16], tmpl_cb,
	    void *, struct herr *);
/*
 * Admin: a template's delivery method ("smtp", "webhook", or "" for the
 * default).  *changed 0 when it already was.  403, 404, 422.
 */
int	model_tmpl_set_method(const struct ctx *, const unsigned char id[16],
	    const char *method, int *changed, struct herr *);

/* The stored preferences of "user" (act-for checked). */
int	model_pref_list(const struct ctx *, const char *user, pref_cb, void *,
	    struct herr *);
/*
 * Upsert ids[i] → disabled[i] for "user" in one transaction.  422 with
 * the template id in e->value when one is not the tenant's.
 */
int	model_pref_set(const struct ctx *, const char *user,
	    const unsigned char (*ids)[16], const int *disabled, size_t n,
	    struct herr *);

/* The tenant's notifier_paused setting (false when unset). */
int	model_setting_paused(const struct ctx *, int *paused, struct herr *);
/* Admin: set it; *changed 0 when it already was so.  403. */
int	model_setting_set_paused(const struct ctx *, int paused, int *changed,
	    struct herr *);

/*
 * The template policy model_note_create applies (src/model/prefs.c):
 * 422 (dcode "inhibited") when the user disabled the template, or it is
 * off by default and not enabled; else 0, with *dedupe set and the
 * day's de-duplication hash in "hash" when the template asks for it,
 * and the template's delivery method in "method" ("" the default).
 */
int	model_note_policy(const struct ctx *, const struct note_new *,
	    const char *user, const unsigned char template_id[16],
	    const char *targets, int *dedupe, unsigned char hash[32],
	    char *method, size_t methodsz, struct herr *);

/*
 * Render a template's text (src/model/tmpl_render.c): Coder's
 * {{.Labels.NAME}}, {{.UserName}}, {{.UserUsername}}, {{.UserEmail}}
 * substituted, at most "max" bytes out.  0 and *out (caller frees), or
 * -1 with a reason in err.
 */
int	model_tmpl_render(const char *tmpl, const char *user,
	    const char *email, const char *const *labels, size_t nlabels,
	    size_t max, char **out, char *err, size_t errsz);
/*
 * A template's actions (JSON array text of {label, url}) with each label
 * and url rendered as model_tmpl_render does; *out the array's text
 * (caller frees).  0, or -1 with a reason in err.
 */
int	model_tmpl_render_actions(const char *actions, const char *user,
	    const char *email, const char *const *labels, size_t nlabels,
	    char **out, char *err, size_t errsz);
/*
 * FOLIO (issue I): {{name}} (Mustache variables) from name/value pairs
 * vals[2i], vals[2i+1]; a name without a value is empty.  HTML-escaped
 * with "html".  0 and *out (caller frees), or -1 with a reason in err.
 */
int	model_tmpl_render_vals(const char *tmpl, const char *const *vals,
	    size_t nvals, int html, size_t max, char **out, char *err,
	    size_t errsz);

/* --- FOLIO (issue I): whole records, searches (src/model/search.c) --- */

/* A whole notification as a replace-all dialect writes it; borrowed. */
struct note_rec {
	unsigned char	 id[16];
	unsigned char	 recipient[16];	/* a user id; created on first use */
	const char	*sender;	/* NULL: none */
	const char	*body;
	const char	*link;
	const char	*type;		/* NULL: none */
	const char	*lang;
	const char	*data;		/* JSON object text, or NULL */
	int		 seen;
	const char	*by;		/* who writes it (metadata), or NULL */
};

/*
 * The user with this id, created (named by the id's text) when "create"
 * is set and there is none.  1 found or made, 0 none, -1 with *e set.
 */
int	model_user_by_id(const struct ctx *, const unsigned char id[16],
	    int create, char *name, size_t namesz, struct herr *);
/* Create "r" with its own id: 409 when the id is taken, 403. */
int	model_note_create_rec(const struct ctx *, const struct note_rec *,
	    struct herr *);
/* Replace every field of r->id but its creation: 404 when none, 403. */
int	model_note_update(const struct ctx *, const struct note_rec *,
	    struct herr *);
/*
 * A page of the tenant's notifications "q" selects (q->tenant is the
 * request's) and the number matching; a user-role principal sees only
 * its own.  422 for a tree beyond the store's bounds.
 */
int	model_note_search(const struct ctx *, const struct note_search *,
	    note_cb, void *, long long *total, struct herr *);
/* Delete what "pred" selects, under the same rules. */
int	model_note_delete_search(const struct ctx *, const struct note_pred *,
	    long long *changed, struct herr *);


/* --- FOLIO (issue I): events mailed through the outbox (src/model/events.c) --- */

/* A template of the tenant rendered for one user and queued as e-mail. */
struct event_mail {
	const char		*tmpl;		/* the template's name */
	const char *const	*vals;		/* name/value pairs, {{name}} */
	size_t			 nvals;
	const unsigned char	*user_id;	/* the recipient */
	/*
	 * The notification it is for, or NULL: a notice of its own (FOLIO's
	 * patron notice), carried by a notification no dialect lists.
	 */
	const unsigned char	*note_id;
	const char		*type;		/* the carrier's type (note_id NULL) */
	const char		*by;		/* the caller's id text, or NULL */
};

/*
 * Render e->tmpl with e->vals and queue it (smtp) to the recipient's
 * stored address.  1 queued; 0 the tenant has no such template; -1 with
 * *e: 422 (no such user, no address, e-mail disabled, a template it
 * cannot render: e->dcode "event"), 403, 503.
 */
int	model_event_mail(const struct ctx *, const struct event_mail *,
	    struct herr *);

/* --- Import (issue R): an original's records (src/model/import.c) --- */

enum import_out { IMPORT_NEW, IMPORT_CHANGED, IMPORT_UNCHANGED,
	IMPORT_SKIPPED };

struct import_batch;

/*
 * One source row on its way in.  The caller names it (source, table,
 * key) and digests its values as read (model_import_digest); the call
 * sets "out", and "reason" when the row is skipped.  Skipping is not an
 * error: the calls return -1 (with *e) only when the import must stop.
 */
struct import_row {
	const char	*source;	/* "agent" */
	const char	*tbl;		/* the source table */
	const char	*key;		/* the row's key there, as text */
	unsigned char	 digest[32];
	int		 dry_run;	/* validate and compare; write nothing */
	struct import_batch *batch;	/* notifications: see model_import_flush */
	enum import_out	 out;
	char		 reason[160];
};

/* SHA-256 of n values (NULL allowed), each framed by its length. */
void	model_import_digest(struct import_row *, const char *const *vals,
	    size_t n);
/* A user by name; created when missing.  The admin role is required. */
int	model_import_user(const struct ctx *, struct import_row *,
	    const char *name, struct herr *);
/* How a source's notification finds its recipient, and what it carries. */
struct import_note_opts {
	int64_t			 deleted_at;
	int			 by_id;		/* n->user_id, not n->user */
	int			 create;	/* by id: made when missing */
	const unsigned char	(*targets)[16];	/* n->targets, as ids */
	size_t			 ntargets;
};
/*
 * A whole notification: its id, recipient (n->user by name, created when
 * missing, or n->user_id as "o" says), type, subject, body, payload,
 * e-mail request, icon, actions, targets, template, creator, created and
 * updated times, read state (n->seen_at) and deleted state.  Skipped:
 * out of bounds, an unknown recipient, or the id is another user's.
 */
int	model_import_note(const struct ctx *, struct import_row *,
	    const struct note *, const struct import_note_opts *,
	    struct herr *);
/*
 * A user with the source's own id and name (and e-mail, or NULL).
 * Skipped when another user has the name or the id.
 */
int	model_import_user_id(const struct ctx *, struct import_row *,
	    const unsigned char id[16], const char *name, const char *email,
	    struct herr *);
/* A template with its own id (Coder); skipped when its name is taken. */
int	model_import_template(const struct ctx *, struct import_row *,
	    const struct tmpl_row *, struct herr *);
/* A user's preference for a template; both must have been imported. */
int	model_import_pref(const struct ctx *, struct import_row *,
	    const unsigned char user_id[16], const unsigned char tmpl_id[16],
	    int disabled, int64_t updated, struct herr *);
int	model_import_sys_type(const struct ctx *, struct import_row *,
	    const char *type, struct herr *);
/* A system notification with its id and times; s->type must be known. */
int	model_import_sys(const struct ctx *, struct import_row *,
	    const struct sysnote *, struct herr *);
/* A user's state of one, as it is (up or down); 0 ack: never seen. */
int	model_import_sys_state(const struct ctx *, struct import_row *,
	    const char *user, const unsigned char id[16], enum sys_state,
	    int64_t acknowledged_at, struct herr *);
/* An e-mail the original sent for notification "note_id": never resent. */
int	model_import_sent_email(const struct ctx *, struct import_row *,
	    const unsigned char note_id[16], const char *address,
	    const char *template, int64_t sent_at, struct herr *);

/*
 * Notifications written a batch at a time, with a few multi-row
 * statements: with r->batch set, model_import_note copies the row into
 * the batch and returns without r->out; model_import_flush then writes
 * every row queued (rows of one source table) and sets each r->out, just
 * as one call a row would have.  r and r->key must stay valid until then.
 * The flush empties the batch, and so does clear (after a failure).
 */
struct import_batch *model_import_batch_new(void);	/* NULL: no memory */
void	model_import_batch_free(struct import_batch *);
void	model_import_batch_clear(struct import_batch *);
int	model_import_flush(const struct ctx *, struct import_batch *,
	    struct herr *);

/* A batch: one transaction, ended by the checkpoint "last" of "tbl". */
int	model_import_begin(const struct ctx *, struct herr *);
int	model_import_commit(const struct ctx *, const char *source,
	    const char *tbl, const char *last, int done, struct herr *);
void	model_import_rollback(const struct ctx *);
/* The run in progress: 1 and the checkpoint of "tbl", or 0 none. */
int	model_import_checkpoint(const struct ctx *, const char *source,
	    const char *tbl, char *last, size_t lastsz, int *done,
	    struct herr *);
/* The run is complete: the next one starts afresh (comparing). */
int	model_import_finish(const struct ctx *, const char *source,
	    struct herr *);

#endif
