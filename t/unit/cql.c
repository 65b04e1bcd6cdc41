/*
 * t/unit/cql.c -- FOLIO's CQL (issue I): a table of queries, each with
 * the tree cql_compile makes of it (printed as an s-expression) and what
 * the store turns that tree into (fragments of the statement, and how
 * many values it binds: none of the query is ever SQL text); then the
 * refusals, each with its message.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../../src/api/folio/cql.h"
#include "tap.h"

static const char *const fields[NF__MAX] = {
	[NF_ID] = "id", [NF_RECIPIENT] = "recipient", [NF_SENDER] = "sender",
	[NF_BODY] = "text", [NF_LINK] = "link", [NF_SEEN] = "seen",
	[NF_LANG] = "lang", [NF_TYPE] = "event", [NF_CREATED] = "created",
	[NF_UPDATED] = "updated", [NF_CREATED_BY] = "createdBy",
	[NF_UPDATED_BY] = "updatedBy", [NF_DATA] = "data",
};
static const char *const rels[] = {
	[NR_WORDS] = "words", [NR_LIKE] = "like", [NR_EQ] = "=",
	[NR_NE] = "<>", [NR_LT] = "<", [NR_LE] = "<=", [NR_GT] = ">",
	[NR_GE] = ">=",
};

static void
put(char *buf, size_t sz, const char *s)
{
	size_t	l = strlen(buf);

	snprintf(buf + l, sz - l, "%s", s);
}

static void
sexp(const struct note_pred *p, char *buf, size_t sz)
{
	char	one[512];

	switch (p->op) {
	case NP_ALL:
		put(buf, sz, "all");
		return;
	case NP_NULL:
		put(buf, sz, "none");
		return;
	case NP_NOT:
		put(buf, sz, "(not ");
		sexp(p->l, buf, sz);
		put(buf, sz, ")");
		return;
	case NP_AND:
	case NP_OR:
		put(buf, sz, p->op == NP_AND ? "(and " : "(or ");
		sexp(p->l, buf, sz);
		put(buf, sz, " ");
		sexp(p->r, buf, sz);
		put(buf, sz, ")");
		return;
	case NP_CMP:
		snprintf(one, sizeof(one), "(%s %s%s%s '%s')", rels[p->rel],
		    fields[p->field], p->path != NULL ? " " : "",
		    p->path != NULL ? p->path : "", p->value);
		put(buf, sz, one);
		return;
	}
	put(buf, sz, "?");
}

static void
keys(const struct cql *c, char *buf, size_t sz)
{
	size_t	i;

	for (i = 0; i < c->nkeys; i++) {
		put(buf, sz, i > 0 ? " " : "");
		put(buf, sz, fields[c->keys[i].field]);
		if (c->keys[i].path != NULL)
			put(buf, sz, c->keys[i].path);
		put(buf, sz, c->keys[i].desc ? "/desc" : "/asc");
	}
}

static const struct row {
	const char	*q;
	const char	*self;	/* the caller's id, for _self */
	const char	*tree;	/* the compiled predicate */
	const char	*sort;	/* the sort keys */
	const char	*sql;	/* a fragment of the page statement */
	int		 nbind;	/* its parameters: tenant + values + 2 */
} rows[] = {
	{ "", NULL, "-", "", " WHERE n.tenant = ? AND n.deleted = 0 ORDER BY "
	    "n.updated ASC, n.seq ASC LIMIT ? OFFSET ?", 3 },
	{ "cql.allRecords=1", NULL, "-", "", "n.deleted = 0 ORDER BY", 3 },
	{ "seen=false", NULL, "(= seen '0')", "", "n.seen = ?", 4 },
	{ "seen==true", NULL, "(= seen '1')", "", "n.seen = ?", 4 },
	{ "text=overdue", NULL, "(words text '% overdue %')", "",
	    "(CONVERT(n.body USING utf8mb4) COLLATE utf8mb4_unicode_ci LIKE ? "
	    "AND CONCAT(' ', REGEXP_REPLACE(", 5 },
	{ "text=\"book over*\"", NULL, "(words text '% book over% %')", "",
	    "REGEXP_REPLACE", 5 },
	/* == without a wildcard is equality: % and _ are plain there. */
	{ "text==\"50%_off\"", NULL, "(= text '50%_off')", "",
	    "utf8mb4_unicode_ci = ?", 4 },
	{ "text==\"50%_off*\"", NULL, "(like text '50\\%\\_off%')", "",
	    "utf8mb4_unicode_ci LIKE ?", 4 },
	{ "text==\"a?c*\"", NULL, "(like text 'a_c%')", "", "LIKE ?", 4 },
	{ "link<>\"x\"", NULL, "(<> link 'x')", "", " <> ?", 4 },
	{ "metadata.createdDate>=\"2024-01-01\"", NULL,
	    "(>= created '2024-01-01')", "", "utf8mb4_bin >= ?", 4 },
	{ "recipientId==\"6e8704be-89c1-4770-8f56-1ebd484d8679\"", NULL,
	    "(= recipient '6e8704be-89c1-4770-8f56-1ebd484d8679')", "",
	    "(n.user_id = ?)", 4 },
	/* A whole id: the primary key, not a scan. */
	{ "id=6e8704be-89c1-4770-8f56-1ebd484d8679", NULL,
	    "(= id '6e8704be-89c1-4770-8f56-1ebd484d8679')", "",
	    "(n.id = ?)", 4 },
	{ "context.item=dune", NULL, "(words data $.\"item\" '% dune %')", "",
	    "JSON_EXTRACT(n.payload, ?)", 7 },
	{ "seen=false and lang=en", NULL,
	    "(and (= seen '0') (words lang '% en %'))", "",
	    ") AND (", 6 },
	/* CQL's "not" is binary: "a not b" is a and not b. */
	{ "seen=false not text=x", NULL,
	    "(and (= seen '0') (not (words text '% x %')))", "",
	    ") AND (NOT (", 6 },
	/* An unknown index matches nothing (SQL NULL, so "not" too). */
	{ "(a=1 or seen=true) and text=b", NULL,
	    "(and (or none (= seen '1')) (words text '% b %'))",
	    "", "((NULL) OR (n.seen = ?))", 6 },
	{ "text any \"red blue\"", NULL,
	    "(or (words text '% red %') (words text '% blue %'))", "",
	    ") OR (", 7 },
	{ "text all \"red blue\"", NULL,
	    "(and (words text '% red %') (words text '% blue %'))", "",
	    ") AND (", 7 },
	{ "text adj \"red blue\"", NULL, "(words text '% red blue %')", "",
	    "REGEXP_REPLACE", 5 },
	{ "cql.allRecords=1 sortby metadata.createdDate/sort.descending text",
	    NULL, "-", "created/desc text/asc", "ORDER BY n.created DESC, "
	    "CONVERT(n.body USING utf8mb4) COLLATE utf8mb4_unicode_ci ASC, "
	    "n.updated ASC", 3 },
	{ "seen=false sortby id", "11111111-2222-4333-8444-555555555555",
	    "(and (= recipient '11111111-2222-4333-8444-555555555555') "
	    "(= seen '0'))", "id/asc", "n.user_id = ?", 5 },
	{ "", "11111111-2222-4333-8444-555555555555",
	    "(= recipient '11111111-2222-4333-8444-555555555555')", "",
	    "n.user_id = ?", 4 },
	{ "nosuchindex=1", NULL, "none", "", "AND (NULL)", 3 },
	{ "text=\"O'Brien; DROP TABLE notifications\"", NULL,
	    "(words text '% O Brien DROP TABLE notifications %')", "",
	    "LIKE ?", 5 },
};

static const struct bad {
	const char	*q;
	const char	*msg;	/* a fragment of the reason */
} bads[] = {
	{ "overdue", "cql.serverChoice requested, but no serverChoiceIndexes "
	    "defined." },
	{ "text=", "" },
	{ "(seen=false", "" },
	{ "seen=false)", "" },
	{ "seen=false and", "" },
	{ "text=\"unterminated", "" },
	{ "seen=false sortby", "" },
	{ "text frob x", "" },
};

int
main(void)
{
	struct cql		 c;
	struct note_search	 ns;
	char			 err[CQL_ERR_MAX], got[4096], sql[16384];
	char			 deep[CQL_DEPTH_MAX * 2 + 64], many[4096];
	size_t			 i, nb;
	int			 rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row	*r = &rows[i];

		rc = cql_compile(&c, r->q, strlen(r->q), r->self, err);
		if (!ok(rc == 0, "compiles: %s", r->q)) {
			diag("%s", err);
			continue;
		}
		got[0] = '\0';
		if (c.pred == NULL)
			put(got, sizeof(got), "-");
		else
			sexp(c.pred, got, sizeof(got));
		is_str(got, r->tree, "tree: %s", r->q);
		got[0] = '\0';
		keys(&c, got, sizeof(got));
		is_str(got, r->sort, "sort: %s", r->q);
		memset(&ns, 0, sizeof(ns));
		ns.tenant = "t";
		ns.pred = c.pred;
		ns.keys = c.keys;
		ns.nkeys = c.nkeys;
		ns.limit = 10;
		if (!ok(store_note_search_text(&ns, sql, sizeof(sql), &nb) == 0,
		    "SQL: %s", r->q))
			continue;
		if (!ok(strstr(sql, r->sql) != NULL, "... has \"%s\"", r->sql))
			diag("%s", sql);
		is_int((long long)nb, r->nbind, "... binds %d", r->nbind);
		ok(strstr(sql, "overdue") == NULL && strstr(sql, "DROP") == NULL
		    && strstr(sql, "dune") == NULL, "... and no value in its text");
	}

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		rc = cql_compile(&c, bads[i].q, strlen(bads[i].q), NULL, err);
		ok(rc != 0, "refused: %s", bads[i].q);
		ok(rc != 0 && strstr(err, bads[i].msg) != NULL && err[0] != '\0',
		    "... with a reason: %s", rc != 0 ? err : "(none)");
	}

	/* The bounds: nesting, clauses, length. */
	memset(deep, '(', CQL_DEPTH_MAX + 1);
	snprintf(deep + CQL_DEPTH_MAX + 1, sizeof(deep) - CQL_DEPTH_MAX - 1,
	    "seen=true");
	memset(deep + strlen(deep), ')', CQL_DEPTH_MAX + 1);
	deep[2 * (CQL_DEPTH_MAX + 1) + 9] = '\0';
	ok(cql_compile(&c, deep, strlen(deep), NULL, err) != 0,
	    "nesting beyond %d refused: %s", CQL_DEPTH_MAX, err);
	many[0] = '\0';
	for (i = 0; i <= CQL_CLAUSES_MAX; i++)
		put(many, sizeof(many), i > 0 ? " or seen=true" : "seen=true");
	ok(cql_compile(&c, many, strlen(many), NULL, err) != 0,
	    "%d clauses refused: %s", CQL_CLAUSES_MAX + 1, err);
	many[0] = '\0';
	for (i = 0; i < CQL_CLAUSES_MAX; i++)
		put(many, sizeof(many), i > 0 ? " or context.k=v" : "context.k=v");
	ok(cql_compile(&c, many, strlen(many), NULL, err) == 0,
	    "%d clauses accepted", CQL_CLAUSES_MAX);
	memset(&ns, 0, sizeof(ns));
	ns.tenant = "t";
	ns.pred = c.pred;
	ns.limit = 10;
	ok(store_note_search_text(&ns, sql, sizeof(sql), &nb) == 0,
	    "... and the store takes them (%zu values bound)", nb);
	{
		static char	 longq[CQL_QUERY_MAX + 16];

		memset(longq, 'a', sizeof(longq) - 1);
		memcpy(longq, "text=", 5);
		ok(cql_compile(&c, longq, strlen(longq), NULL, err) != 0,
		    "a query over %d bytes refused: %s", CQL_QUERY_MAX, err);
	}
	return done_testing();
}
