/*
 * libFuzzer: FOLIO's CQL parser (src/api/folio/cql.c).  Whatever the
 * input, cql_compile returns 0 or -1 with a message, and a tree it
 * returns stays inside its own storage and the store's bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/api/folio/cql.h"

static const struct cql	*cur;

static int
inside(const void *p)
{
	const char	*s = p, *base = cur->str;

	return s >= base && s < base + sizeof(cur->str);
}

/* The depth of "p"; aborts on anything out of bounds. */
static int
walk(const struct note_pred *p, int depth)
{
	int	l, r;

	if (p == NULL || depth > NOTE_PRED_DEPTH_MAX ||
	    p < cur->nodes || p >= cur->nodes + cur->nnodes)
		abort();
	switch (p->op) {
	case NP_ALL:
	case NP_NULL:
		return depth;
	case NP_NOT:
		return walk(p->l, depth + 1);
	case NP_AND:
	case NP_OR:
		l = walk(p->l, depth + 1);
		r = walk(p->r, depth + 1);
		return l > r ? l : r;
	case NP_CMP:
		if ((unsigned int)p->field >= NF__MAX ||
		    (unsigned int)p->rel > NR_GE || p->value == NULL)
			abort();
		/* Values are in the string store, or our constants. */
		if (!inside(p->value) && strcmp(p->value, "%") != 0 &&
		    strcmp(p->value, "0") != 0 && strcmp(p->value, "1") != 0)
			abort();
		if (p->field == NF_DATA && (p->path == NULL ||
		    !inside(p->path) || p->path[0] != '$'))
			abort();
		(void)strlen(p->value);
		return depth;
	}
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cql	c;
	char			err[CQL_ERR_MAX];
	size_t			i;
	int			self = size > 0 && (data[0] & 1);

	cur = &c;
	if (cql_compile(&c, (const char *)data, size,
	    self ? "77777777-7777-4777-8777-777777777777" : NULL, err) != 0) {
		if (err[0] == '\0' || strlen(err) >= CQL_ERR_MAX)
			abort();
		return 0;
	}
	if (c.ncmp > NOTE_PRED_NODES_MAX || c.nkeys > NOTE_SORTKEYS_MAX ||
	    c.nstr > sizeof(c.str))
		abort();
	if (c.pred != NULL)
		walk(c.pred, 0);
	for (i = 0; i < c.nkeys; i++)
		if ((unsigned int)c.keys[i].field >= NF__MAX ||
		    (c.keys[i].field == NF_DATA && c.keys[i].path == NULL))
			abort();
	return 0;
}
