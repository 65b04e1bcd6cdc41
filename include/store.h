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

/*
 * Store "n" (id, type, subject, body, template, payload, email, created
 * set by the caller) for user n->user of "tenant", creating the user.
 */
enum store_rc	 store_note_create(struct store *, const char *tenant,
		    const struct note *);
enum store_rc	 store_note_list(struct store *, const struct note_filter *,
		    const struct note_page *, note_cb, void *);
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

/* --- migrations (store/migrate.c) --- */

/* Apply schema_dir/NNN_*.sql not yet recorded, in order.  Returns 0/-1. */
int		 store_migrate(struct store *, const char *schema_dir);

#endif
