#ifndef STORE_DB_H
#define STORE_DB_H

/*
 * The store's private interface: the connection, the statement cache and
 * typed parameter/row helpers.  Only files under src/store include this.
 */
#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum sqlt { SQLT_NULL, SQLT_I64, SQLT_STR, SQLT_BIN };

/* One statement parameter; "p" is borrowed for the call. */
struct sqlv {
	enum sqlt	 t;
	long long	 i;
	const void	*p;
	unsigned long	 len;
};

#define SQL_I64(v)	((struct sqlv){ SQLT_I64, (v), NULL, 0 })
#define SQL_STR(s)	((struct sqlv){ SQLT_STR, 0, (s), (unsigned long)strlen(s) })
#define SQL_BIN(b, n)	((struct sqlv){ SQLT_BIN, 0, (b), (n) })
#define SQL_NULL	((struct sqlv){ SQLT_NULL, 0, NULL, 0 })
#define SQL_OPTSTR(s)	((s) != NULL ? SQL_STR(s) : SQL_NULL)

/* A fetched row: integer columns as i64, others as NUL-terminated text. */
struct sqlrow;

int		 row_isnull(const struct sqlrow *, unsigned int col);
long long	 row_i64(const struct sqlrow *, unsigned int col);
const char	*row_str(const struct sqlrow *, unsigned int col, size_t *len);
const unsigned char *row_bin16(const struct sqlrow *, unsigned int col);

typedef int	(*row_cb)(const struct sqlrow *, void *);

/*
 * Statements are cached by their SQL text and prepared on first use.  The SQL must be constant text
 * chosen by the caller, never built from client input.
 */
enum store_rc	 db_exec(struct store *, const char *sql,
		    const struct sqlv *, size_t, unsigned long long *affected);
enum store_rc	 db_select(struct store *, const char *sql,
		    const struct sqlv *, size_t, row_cb, void *);
/*
 * Bind ids[0..n) to "slots" parameters of an IN list, the unused ones
 * repeating the last id: one statement text, prepared once, for any n
 * from 1 to slots (a repeated id matches nothing twice).
 */
void		 db_bind_ids(struct sqlv *v, const unsigned char (*ids)[16],
		    size_t n, size_t slots);
/* A one-row, one-or-more integer column SELECT; zeroes when no row. */
enum store_rc	 db_select_i64(struct store *, const char *sql,
		    const struct sqlv *, size_t, long long *out, size_t nout);

/*
 * 1 when the last statement (db_exec/db_select) or store_commit() failed
 * after it reached the server and its reply was lost, or was retried
 * after that: it may have been applied.  A CONFLICT from the retry of an
 * insert may be the first attempt's own row.
 */
int		 db_maybe_applied(const struct store *);

/* Fixed maintenance SQL (migrations), possibly several statements. */
enum store_rc	 db_script(struct store *, const char *sql);

/*
 * One of a user's counters (schema 002), as a scalar subquery with two
 * parameters (tenant, username); NULL when the user has none.
 */
#define SQL_USER_COUNTER(col) \
    "(SELECT c." col " FROM users v JOIN note_counts c " \
    "ON c.user_id = v.id WHERE v.tenant = ? AND v.username = ?)"

/*
 * A user's two counters as one row (zeroes without the user or its
 * counters), two parameters (tenant, username): one join, no subquery.
 */
#define SQL_USER_COUNTS \
    "SELECT COALESCE(MAX(c.total), 0), COALESCE(MAX(c.unseen), 0) " \
    "FROM users v LEFT JOIN note_counts c ON c.user_id = v.id " \
    "WHERE v.tenant = ? AND v.username = ?"

/*
 * "rc" of an INSERT of a row with a fresh random "id" whose reply may
 * have been lost after the server applied it (db_maybe_applied): when
 * "exists_sql" (one parameter, the id; COUNT(*)) finds the row, it is
 * ours, and the answer is success.
 */
enum store_rc	 db_settle(struct store *, const char *exists_sql,
		    const unsigned char id[16], enum store_rc rc);

/*
 * FOLIO (issue I): notes.c's columns and row decoder, for the statements
 * of notes_cql.c.  Runs "SELECT <notification columns>" followed by
 * "tail" (constant fragments: FROM ... WHERE ... ORDER BY ... LIMIT),
 * calling "cb" per row; *rows is how many there were.
 */
enum store_rc	 db_note_select(struct store *, const char *tail,
		    const struct sqlv *, size_t, note_cb, void *,
		    long long *rows);

#endif
