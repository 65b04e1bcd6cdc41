#ifndef FOLIO_CQL_H
#define FOLIO_CQL_H

/*
 * The CQL subset mod-notify's clients send (peers.md §1.3), parsed by
 * recursive descent into the store's predicate tree (include/store.h):
 * no SQL here, and nothing of the query ever becomes SQL text.
 */
#include <stddef.h>

#include "store.h"

#define CQL_QUERY_MAX	4096	/* bytes of one query */
#define CQL_DEPTH_MAX	16	/* nested parentheses and operators */
#define CQL_CLAUSES_MAX	20	/* search clauses in one query */
#define CQL_NODES_MAX	128
#define CQL_ERR_MAX	256

/* A compiled query: the tree and sort keys point into it. */
struct cql {
	const struct note_pred	*pred;		/* NULL: every record */
	struct note_sortkey	 keys[NOTE_SORTKEYS_MAX];
	size_t			 nkeys;
	/* Storage. */
	struct note_pred	 nodes[CQL_NODES_MAX];
	size_t			 nnodes;
	size_t			 ncmp;
	char			 str[3 * CQL_QUERY_MAX + 1024];
	size_t			 nstr;
};

/*
 * Compile "q" (len bytes, NUL-free; NULL or empty: every record).  With
 * "self" (the caller's id text), the query is recipientId=<self> and
 * (<q>), its sortby lifted out.  Returns 0, or -1 with the reason in
 * err[CQL_ERR_MAX] (FOLIO answers 422 with it).
 */
int	cql_compile(struct cql *, const char *q, size_t len, const char *self,
	    char *err);

#endif
