#ifndef IMPORT_INT_H
#define IMPORT_INT_H

/*
 * "herald import": what the sources (import_agent.c, ...) share with the
 * command (import.c): the run, its per-table tallies, progress, batches.
 */
#include <stdint.h>

#include "model.h"
#include "request.h"

#define IMP_REASONS_MAX	8
#define IMP_KEY_MAX	128

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
	int			 dry_run;
	int64_t			 since;		/* ms; 0: everything */
	long			 batch;
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

/* The agent source (import_agent.c): 0 done, -1 failed. */
int	imp_agent(struct imp_run *);

#endif
