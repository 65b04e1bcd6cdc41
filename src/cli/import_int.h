#ifndef IMPORT_INT_H
#define IMPORT_INT_H

/*
 * "herald import": what the sources (import_agent.c, import_folio.c,
 * import_coder.c, import_laravel.c) share with the command (import.c)
 * and the driver (import_src.c): the run, its per-table tallies,
 * progress, and a source table read in keyset batches over either client
 * library (import_pg.c, import_my.c).
 */
#include <stdint.h>

#include "model.h"
#include "request.h"

#define IMP_REASONS_MAX	8
#define IMP_KEY_MAX	128
#define IMP_NIL_UUID	"00000000-0000-0000-0000-000000000000"

struct herr;

struct imp_table {
	const char	*name;
	long long	 total;		/* rows to read, -1 unknown */
	long long	 read;
	long long	 imported;	/* new */
	long long	 changed;
	long long	 unchanged;
	long long	 skipped;
	struct {
		char		 why[160];
		long long	 n;
	}		 reasons[IMP_REASONS_MAX];
	size_t		 nreasons;
	int		 resumed;
	double		 t0;
};

struct imp_run {
	struct ctx		 ctx;
	struct principal	 who;
	const char		*source;
	const char		*url;
	int			 tenant_given;	/* --tenant on the command line */
	int			 dry_run;
	int64_t			 since;		/* ms; 0: everything */
	long			 batch;
	struct import_batch	*rows;		/* a page's notifications */
	int			 tty;
	double			 last_print;
	long long		 shown_skips;
	struct imp_table	 tables[8];
	size_t			 ntables;
	/* The verification pass. */
	long long		 verified;
	long long		 differ;
};

/* Start a table; total -1 when unknown. */
struct imp_table *imp_table(struct imp_run *, const char *name,
	    long long total);
/* Tally one row (reports a skipped row with its key). */
void	imp_row(struct imp_run *, struct imp_table *,
	    const struct import_row *);
/* Progress, at most a few times a second; "final" ends the table. */
void	imp_progress(struct imp_run *, struct imp_table *, int final);
/* A per-user count that differs between the source and Herald. */
void	imp_differs(struct imp_run *, const char *user, long long st,
	    long long su, long long ht, long long hu);

/* 1 when SIGINT/SIGTERM asked the run to stop after this batch. */
int	imp_stopping(void);

/* --- a page of source rows, whichever client read it ------------------ */

struct imp_page {
	int	  nrows;
	int	  ncols;
	/* Row i, column c as text; NULL for SQL NULL. */
	const char *(*val)(const struct imp_page *, int i, int c);
	void	 *h;		/* the client's result */
};

struct imp_tbl;
typedef int	(*imp_row_fn)(struct imp_run *, const struct imp_page *, int,
		    struct import_row *, struct herr *);

/*
 * One source table.  "cparams"/"pparams" name the parameters of the
 * count and page statements in order: k (last key), K (its second part),
 * l (limit), s (since, ms; 0 none), f (0 on the first page, then 1).
 * The key is the first "keys" columns of a page, as text.
 */
struct imp_tbl {
	const char	*name;
	const char	*count_sql;
	const char	*cparams;
	const char	*page_sql;
	const char	*pparams;
	int		 keys;		/* columns of the key: 1 or 2 */
	int		 int_keys;	/* PostgreSQL: the key is a bigint */
	const char	*first;		/* the key before the first row */
	imp_row_fn	 row;
};

/* The parameters of one statement. */
struct imp_args {
	const char	*k1, *k2;
	long long	 limit, since;
	int		 started;
};

/* A source's client: run a statement, free its result. */
struct imp_client {
	int	(*query)(void *conn, const struct imp_tbl *, const char *sql,
		    const char *which, const struct imp_args *,
		    struct imp_page *);
	void	(*clear)(struct imp_page *);
	void	 *conn;
};

/*
 * Read "tables" in order, each in batches of run->batch rows, every
 * batch one transaction ending with its checkpoint; a table done in a
 * run that stopped is not read again.  0, or -1 (stopped or failed).
 */
int	imp_read_tables(struct imp_run *, const struct imp_client *,
	    const struct imp_tbl *, size_t n);
/* The run is complete: forget its checkpoints.  0 or -1. */
int	imp_finish(struct imp_run *);
/*
 * The verification pass over rows of (user name, total, unseen): each
 * user's counts of notifications not deleted, compared with Herald's.
 */
void	imp_verify_row(struct imp_run *, const char *name, long long st,
	    long long su);

/* Helpers for the row functions. */
const char *imp_val(const struct imp_page *, int i, int c);
long long imp_i64(const struct imp_page *, int i, int c, long long dflt);
int	imp_bool(const struct imp_page *, int i, int c);
/* The digest of columns first..ncols-1, as read. */
void	imp_digest(const struct imp_page *, int i, int first,
	    struct import_row *);
void	imp_skip(struct import_row *, const char *why, const char *col,
	    const char *val);
/* Column c as a UUID; -1 (the row skipped) when it is not one. */
int	imp_uuid(const struct imp_page *, int i, int c, const char *col,
	    unsigned char id[16], struct import_row *);
void	imp_herr(const struct herr *);
/*
 * A JSON array of UUID strings (or NULL) as canonical text in
 * out[outsz] and ids (up to max).  0, or -1 when it is not one.
 */
int	imp_uuid_array(const char *json, unsigned char (*ids)[16],
	    size_t max, size_t *n, char *out, size_t outsz);

/* --- the clients ------------------------------------------------------ */

/* PostgreSQL (libpq): connect "url"; NULL after logging. */
void	*imp_pg_open(const char *url);
void	 imp_pg_close(void *);
extern const struct imp_client imp_pg_client;	/* .conn set by caller */
/* A verification query read through a cursor: rows (name, total, unseen). */
int	 imp_pg_verify(struct imp_run *, void *conn, const char *sql);

/* MySQL/MariaDB (the client library Herald uses): "mysql://..." URL. */
void	*imp_my_open(const char *url);
void	 imp_my_close(void *);
extern const struct imp_client imp_my_client;
/* One query without parameters, every row to "fn"; 0 or -1. */
int	 imp_my_rows(void *conn, const char *sql,
	    void (*fn)(struct imp_run *, const struct imp_page *, int),
	    struct imp_run *);
int	 imp_my_verify(struct imp_run *, void *conn, const char *sql);

/* --- the sources: 0 done, -1 failed ---------------------------------- */
int	imp_agent(struct imp_run *);
int	imp_folio(struct imp_run *);
int	imp_coder(struct imp_run *);
int	imp_laravel(struct imp_run *);

#endif
