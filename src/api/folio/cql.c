/*
 * CQL for /notify (peers.md §1.3; CQL 1.2 grammar, the subset RMB's
 * CQL2PgJSON gives mod-notify):
 *
 *	query	:= boolq [ "sortby" sortkey+ ]
 *	boolq	:= clause ( ( "and" | "or" | "not" ) clause )*	(left to right)
 *	clause	:= "(" boolq ")" | term [ relation term ]
 *	relation := ( "=" | "==" | "<>" | "<" | ">" | "<=" | ">=" | "adj" |
 *		    "all" | "any" ) modifier*
 *	sortkey	:= index ( "/" modifier )*
 *
 * A term is a quoted string ("..." with \ escapes) or a run of other
 * characters.  The input is bounded in length, nesting and clauses, and
 * compiles into struct cql's own storage: nothing is allocated.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cql.h"
#include "store.h"
#include "util.h"

enum tok { T_END, T_LP, T_RP, T_SLASH, T_REL, T_WORD, T_QUOTED, T_BAD };

struct lexer {
	const char	*s;
	size_t		 len, pos;
	enum tok	 t;		/* the current token */
	const char	*tp;		/* its text (quoted: without quotes) */
	size_t		 tl;
};

struct parser {
	struct lexer	 lx;
	struct cql	*c;
	char		*err;
	int		 failed;
	int		 clauses;
};

static int
cql_fail(struct parser *p, const char *fmt, ...)
{
	va_list	ap;

	if (!p->failed) {
		va_start(ap, fmt);
		vsnprintf(p->err, CQL_ERR_MAX, fmt, ap);
		va_end(ap);
		p->failed = 1;
	}
	return -1;
}

/* Characters that end an unquoted term. */
static int
cql_special(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '(' || ch == ')' || ch == '=' || ch == '<' || ch == '>' ||
	    ch == '"';
}

static void
lex_next(struct lexer *lx)
{
	const char	*s = lx->s;

	while (lx->pos < lx->len && (s[lx->pos] == ' ' || s[lx->pos] == '\t' ||
	    s[lx->pos] == '\r' || s[lx->pos] == '\n'))
		lx->pos++;
	lx->tp = s + lx->pos;
	lx->tl = 0;
	if (lx->pos >= lx->len) {
		lx->t = T_END;
		return;
	}
	switch (s[lx->pos]) {
	case '(':
	case ')':
	case '/':
		lx->t = s[lx->pos] == '(' ? T_LP : s[lx->pos] == ')' ? T_RP :
		    T_SLASH;
		lx->tl = 1;
		lx->pos++;
		return;
	case '=':
	case '<':
	case '>':
		lx->t = T_REL;
		lx->tl = 1;
		if (lx->pos + 1 < lx->len && (s[lx->pos + 1] == '=' ||
		    (s[lx->pos] == '<' && s[lx->pos + 1] == '>')))
			lx->tl = 2;
		lx->pos += lx->tl;
		return;
	case '"':
		lx->pos++;
		lx->tp = s + lx->pos;
		while (lx->pos < lx->len && s[lx->pos] != '"') {
			if (s[lx->pos] == '\\' && lx->pos + 1 < lx->len)
				lx->pos++;
			lx->pos++;
		}
		if (lx->pos >= lx->len) {
			lx->t = T_BAD;
			return;
		}
		lx->tl = (size_t)(s + lx->pos - lx->tp);
		lx->pos++;
		lx->t = T_QUOTED;
		return;
	default:
		/* A "/" inside a term is the term's ("users/1234"). */
		while (lx->pos < lx->len && !cql_special(s[lx->pos]))
			lx->pos++;
		lx->tl = (size_t)(s + lx->pos - lx->tp);
		lx->t = T_WORD;
		return;
	}
}

/* The current token is the unquoted word "w" (ASCII case ignored). */
static int
lex_is(const struct lexer *lx, const char *w)
{
	size_t	n = strlen(w), i;

	if (lx->t != T_WORD || lx->tl != n)
		return 0;
	for (i = 0; i < n; i++)
		if ((lx->tp[i] | 0x20) != w[i])
			return 0;
	return 1;
}

static int
lex_eq(const struct lexer *lx, const char *w)
{
	return lx->tl == strlen(w) && memcmp(lx->tp, w, lx->tl) == 0;
}

/* --- the tree -------------------------------------------------------- */

static struct note_pred *
node_new(struct parser *p, enum note_pop op)
{
	struct note_pred	*n;

	if (p->c->nnodes >= CQL_NODES_MAX) {
		cql_fail(p, "query too complex");
		return NULL;
	}
	n = &p->c->nodes[p->c->nnodes++];
	memset(n, 0, sizeof(*n));
	n->op = op;
	return n;
}

static struct note_pred *
node_bin(struct parser *p, enum note_pop op, const struct note_pred *l,
    const struct note_pred *r)
{
	struct note_pred	*n;

	if (l == NULL || r == NULL || (n = node_new(p, op)) == NULL)
		return NULL;
	n->l = l;
	n->r = r;
	return n;
}

/* Room for "n" bytes and a NUL in the string store, or NULL. */
static char *
str_room(struct parser *p, size_t n)
{
	char	*s;

	if (n + 1 > sizeof(p->c->str) - p->c->nstr) {
		cql_fail(p, "query too long");
		return NULL;
	}
	s = p->c->str + p->c->nstr;
	p->c->nstr += n + 1;
	return s;
}

static const char *
str_copy(struct parser *p, const char *s, size_t n)
{
	char	*d;

	if ((d = str_room(p, n)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* The term with its escapes resolved and no wildcards: a literal. */
static const char *
term_literal(struct parser *p, const char *t, size_t n)
{
	char	*d;
	size_t	 i, k = 0;

	if ((d = str_room(p, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (t[i] == '\\' && i + 1 < n)
			i++;
		d[k++] = t[i];
	}
	d[k] = '\0';
	return d;
}

/* The whole term as a LIKE pattern: * and ? are wildcards. */
static const char *
term_like(struct parser *p, const char *t, size_t n, int *wild)
{
	char	*d;
	size_t	 i, k = 0;

	*wild = 0;
	if ((d = str_room(p, 2 * n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		char	ch = t[i];

		if (ch == '\\' && i + 1 < n)
			ch = t[++i];
		else if (ch == '*' || ch == '?') {
			d[k++] = ch == '*' ? '%' : '_';
			*wild = 1;
			continue;
		}
		if (ch == '%' || ch == '_' || ch == '\\')
			d[k++] = '\\';
		d[k++] = ch;
	}
	d[k] = '\0';
	return d;
}

/* Part of a word: a letter or digit (any non-ASCII byte counts). */
static int
word_char(unsigned char ch)
{
	return ch >= 0x80 || (ch >= '0' && ch <= '9') ||
	    ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
}

/*
 * The next word of term "t" from *i, as a pattern piece in d (* and ?
 * unescaped are wildcards, anything else not a word character ends the
 * word).  Returns its length, 0 at the end.
 */
static size_t
term_word(const char *t, size_t n, size_t *i, char *d)
{
	size_t	k = 0;

	while (*i < n) {
		unsigned char	ch = (unsigned char)t[*i];

		if ((ch == '*' || ch == '?') && (*i == 0 || t[*i - 1] != '\\'))
			break;
		if (word_char(ch))
			break;
		(*i)++;
	}
	while (*i < n) {
		unsigned char	ch = (unsigned char)t[*i];

		if (ch == '\\' && *i + 1 < n) {
			/* An escaped character is itself: a word's, or an end. */
			if (!word_char((unsigned char)t[*i + 1]))
				break;
			(*i)++;
			ch = (unsigned char)t[*i];
		} else if (ch == '*' || ch == '?')
			ch = ch == '*' ? '%' : '_';
		else if (!word_char(ch))
			break;
		d[k++] = (char)ch;
		(*i)++;
	}
	return k;
}

/*
 * Words of the term as a pattern over " w1 w2 ... " (store NR_WORDS):
 * all of them adjacent (one = "% a b %"), or each alone (one < 0: the
 * caller wants word "nth").  Returns the pattern, or NULL when there is
 * no such word (*none set) or on failure.
 */
static const char *
term_words(struct parser *p, const char *t, size_t n, int nth, int *none)
{
	char	*d;
	size_t	 i = 0, k = 0, w;
	int	 count = 0;

	*none = 0;
	if ((d = str_room(p, 2 * n + 4)) == NULL)
		return NULL;
	d[k++] = '%';
	d[k++] = ' ';
	for (;;) {
		char	*at = d + k;

		if ((w = term_word(t, n, &i, at)) == 0)
			break;
		if (nth >= 0 && count++ != nth)
			continue;
		k += w;
		d[k++] = ' ';
		if (nth >= 0)
			break;
	}
	if (k == 2) {
		*none = 1;
		return NULL;
	}
	d[k++] = '%';
	d[k] = '\0';
	return d;
}

static size_t
term_nwords(const char *t, size_t n)
{
	char	buf[CQL_QUERY_MAX];
	size_t	i = 0, count = 0;

	if (n > sizeof(buf))
		return 0;
	while (term_word(t, n, &i, buf) > 0)
		count++;
	return count;
}

/* --- indexes --------------------------------------------------------- */

static const struct cql_index {
	const char	*name;
	enum note_field	 field;
} cql_indexes[] = {
	{ "id", NF_ID },
	{ "recipientId", NF_RECIPIENT },
	{ "senderId", NF_SENDER },
	{ "text", NF_BODY },
	{ "link", NF_LINK },
	{ "seen", NF_SEEN },
	{ "lang", NF_LANG },
	{ "eventConfigName", NF_TYPE },
	{ "metadata.createdDate", NF_CREATED },
	{ "metadata.updatedDate", NF_UPDATED },
	{ "metadata.createdByUserId", NF_CREATED_BY },
	{ "metadata.updatedByUserId", NF_UPDATED_BY },
};

/*
 * The field an index names; for context.<k>[.<k>...], NF_DATA and the
 * JSON path $."k"... in *path.  Returns 1, or 0 for an index that names
 * nothing (which matches nothing, as in the original).
 */
static int
cql_index(struct parser *p, const char *s, size_t n, enum note_field *f,
    const char **path)
{
	size_t	 i, k;
	char	*d;

	*path = NULL;
	for (i = 0; i < sizeof(cql_indexes) / sizeof(cql_indexes[0]); i++)
		if (strlen(cql_indexes[i].name) == n &&
		    memcmp(cql_indexes[i].name, s, n) == 0) {
			*f = cql_indexes[i].field;
			return 1;
		}
	if (n <= 8 || memcmp(s, "context.", 8) != 0)
		return 0;
	/* Keys of letters, digits and _ only: the path is ours to quote. */
	if ((d = str_room(p, 3 * n + 2)) == NULL)
		return 0;
	k = 0;
	d[k++] = '$';
	for (i = 8; i <= n; i++) {
		if (i == 8 || s[i - 1] == '.') {
			if (i == n || s[i] == '.')
				return 0;
			d[k++] = '.';
			d[k++] = '"';
		}
		if (i == n || s[i] == '.') {
			d[k++] = '"';
			continue;
		}
		if (!word_char((unsigned char)s[i]) &&
		    s[i] != '_' && s[i] != '-')
			return 0;
		if ((unsigned char)s[i] >= 0x80)
			return 0;
		d[k++] = s[i];
	}
	d[k] = '\0';
	*f = NF_DATA;
	*path = d;
	return 1;
}

/* --- clauses --------------------------------------------------------- */

enum crel { CR_EQ, CR_EXACT, CR_NE, CR_LT, CR_GT, CR_LE, CR_GE, CR_ADJ,
	CR_ALL, CR_ANY, CR_NONE };

static enum crel
cql_relation(const struct lexer *lx)
{
	if (lx->t == T_REL) {
		if (lex_eq(lx, "="))
			return CR_EQ;
		if (lex_eq(lx, "=="))
			return CR_EXACT;
		if (lex_eq(lx, "<>"))
			return CR_NE;
		if (lex_eq(lx, "<"))
			return CR_LT;
		if (lex_eq(lx, ">"))
			return CR_GT;
		if (lex_eq(lx, "<="))
			return CR_LE;
		if (lex_eq(lx, ">="))
			return CR_GE;
		return CR_NONE;
	}
	if (lex_is(lx, "adj"))
		return CR_ADJ;
	if (lex_is(lx, "all"))
		return CR_ALL;
	if (lex_is(lx, "any"))
		return CR_ANY;
	return CR_NONE;
}

static struct note_pred *
cmp_new(struct parser *p, enum note_field f, const char *path,
    enum note_rel rel, const char *value)
{
	struct note_pred	*n;

	if (value == NULL)
		return NULL;
	if (++p->c->ncmp > NOTE_PRED_NODES_MAX) {
		cql_fail(p, "too many search terms (at most %d)",
		    NOTE_PRED_NODES_MAX);
		return NULL;
	}
	if ((n = node_new(p, NP_CMP)) == NULL)
		return NULL;
	n->field = f;
	n->path = path;
	n->rel = rel;
	n->value = value;
	return n;
}

/* "all" or "any": one word clause per word, joined by "op". */
static struct note_pred *
clause_each_word(struct parser *p, enum note_field f, const char *path,
    const char *t, size_t n, enum note_pop op)
{
	struct note_pred	*acc = NULL, *w;
	size_t			 i, count = term_nwords(t, n);
	int			 none;

	if (count == 0)
		return node_new(p, NP_NULL);
	for (i = 0; i < count; i++) {
		if ((w = cmp_new(p, f, path, NR_WORDS,
		    term_words(p, t, n, (int)i, &none))) == NULL)
			return NULL;
		acc = acc == NULL ? w : node_bin(p, op, acc, w);
		if (acc == NULL)
			return NULL;
	}
	return acc;
}

static struct note_pred *
clause_seen(struct parser *p, enum crel r, const char *t, size_t n)
{
	const char	*v;

	if (n == 4 && strncasecmp(t, "true", 4) == 0)
		v = "1";
	else if (n == 5 && strncasecmp(t, "false", 5) == 0)
		v = "0";
	else
		return node_new(p, NP_NULL);
	switch (r) {
	case CR_EQ:
	case CR_EXACT:
	case CR_ADJ:
	case CR_ALL:
	case CR_ANY:
		return cmp_new(p, NF_SEEN, NULL, NR_EQ, v);
	case CR_NE:
		return cmp_new(p, NF_SEEN, NULL, NR_NE, v);
	default:
		return node_new(p, NP_NULL);
	}
}

/* One search clause, "index relation term", into the tree. */
static struct note_pred *
clause_compile(struct parser *p, const char *ix, size_t ixl, enum crel r,
    const char *t, size_t n)
{
	static const enum note_rel ord[] = { [CR_NE] = NR_NE, [CR_LT] = NR_LT,
	    [CR_GT] = NR_GT, [CR_LE] = NR_LE, [CR_GE] = NR_GE };
	enum note_field		 f;
	const char		*path, *v;
	int			 wild, none;

	if ((ixl == 14 && memcmp(ix, "cql.allRecords", 14) == 0))
		return node_new(p, n == 1 && t[0] == '1' ? NP_ALL : NP_NULL);
	if (ixl == 16 && memcmp(ix, "cql.serverChoice", 16) == 0) {
		cql_fail(p, "cql.serverChoice requested, but no "
		    "serverChoiceIndexes defined.");
		return NULL;
	}
	if (!cql_index(p, ix, ixl, &f, &path))
		return p->failed ? NULL : node_new(p, NP_NULL);
	if (f == NF_SEEN)
		return clause_seen(p, r, t, n);
	switch (r) {
	case CR_EQ:
	case CR_ADJ:
		/* An id is a value, not words: = is ==. */
		if (f != NF_ID && f != NF_RECIPIENT) {
			if (n == 0)
				return cmp_new(p, f, path, NR_LIKE, "%");
			v = term_words(p, t, n, -1, &none);
			if (none)
				return node_new(p, NP_NULL);
			return cmp_new(p, f, path, NR_WORDS, v);
		}
		/* FALLTHROUGH */
	case CR_EXACT:
		v = term_like(p, t, n, &wild);
		if (v == NULL)
			return NULL;
		/* Without wildcards the value is itself (an index lookup). */
		if (!wild)
			return cmp_new(p, f, path, NR_EQ,
			    term_literal(p, t, n));
		return cmp_new(p, f, path, NR_LIKE, v);
	case CR_ALL:
	case CR_ANY:
		return clause_each_word(p, f, path, t, n,
		    r == CR_ALL ? NP_AND : NP_OR);
	default:
		return cmp_new(p, f, path, ord[r], term_literal(p, t, n));
	}
}

/* Skip "/modifier[relation value]" runs after a relation; 0 or -1. */
static int
skip_modifiers(struct parser *p)
{
	while (p->lx.t == T_SLASH) {
		lex_next(&p->lx);
		if (p->lx.t != T_WORD)
			return cql_fail(p, "expected a modifier after /");
		lex_next(&p->lx);
	}
	return 0;
}

static const struct note_pred *parse_bool(struct parser *, int depth);

static const struct note_pred *
parse_clause(struct parser *p, int depth)
{
	const struct note_pred	*n;
	const char		*ix;
	size_t			 ixl;
	enum crel		 r;

	if (depth > CQL_DEPTH_MAX) {
		cql_fail(p, "query nested too deeply (at most %d levels)",
		    CQL_DEPTH_MAX);
		return NULL;
	}
	if (p->lx.t == T_LP) {
		lex_next(&p->lx);
		if ((n = parse_bool(p, depth + 1)) == NULL)
			return NULL;
		if (p->lx.t != T_RP) {
			cql_fail(p, "expected ')'");
			return NULL;
		}
		lex_next(&p->lx);
		return n;
	}
	if (p->lx.t != T_WORD && p->lx.t != T_QUOTED) {
		cql_fail(p, p->lx.t == T_BAD ? "unterminated quoted term" :
		    "expected a search term");
		return NULL;
	}
	if (++p->clauses > CQL_CLAUSES_MAX) {
		cql_fail(p, "too many search clauses (at most %d)",
		    CQL_CLAUSES_MAX);
		return NULL;
	}
	ix = p->lx.tp;
	ixl = p->lx.tl;
	lex_next(&p->lx);
	if ((r = cql_relation(&p->lx)) == CR_NONE) {
		if (p->lx.t == T_REL || p->lx.t == T_SLASH) {
			cql_fail(p, "unknown relation");
			return NULL;
		}
		/* A bare term searches the server's choice of index. */
		cql_fail(p, "cql.serverChoice requested, but no "
		    "serverChoiceIndexes defined.");
		return NULL;
	}
	lex_next(&p->lx);
	if (skip_modifiers(p) != 0)
		return NULL;
	if (p->lx.t != T_WORD && p->lx.t != T_QUOTED) {
		cql_fail(p, p->lx.t == T_BAD ? "unterminated quoted term" :
		    "expected a search term after the relation");
		return NULL;
	}
	n = clause_compile(p, ix, ixl, r, p->lx.tp, p->lx.tl);
	lex_next(&p->lx);
	return n;
}

static const struct note_pred *
parse_bool(struct parser *p, int depth)
{
	const struct note_pred	*l, *r;
	struct note_pred	*nr;
	enum note_pop		 op;
	int			 neg;

	if ((l = parse_clause(p, depth)) == NULL)
		return NULL;
	for (;;) {
		neg = 0;
		if (lex_is(&p->lx, "and"))
			op = NP_AND;
		else if (lex_is(&p->lx, "or"))
			op = NP_OR;
		else if (lex_is(&p->lx, "not")) {
			op = NP_AND;
			neg = 1;
		} else if (lex_is(&p->lx, "prox")) {
			cql_fail(p, "prox is not supported");
			return NULL;
		} else
			return l;
		lex_next(&p->lx);
		if (skip_modifiers(p) != 0)
			return NULL;
		/* A chain is bounded by the clause count, not the depth. */
		if ((r = parse_clause(p, depth)) == NULL)
			return NULL;
		if (neg) {
			if ((nr = node_new(p, NP_NOT)) == NULL)
				return NULL;
			nr->l = r;
			r = nr;
		}
		if ((l = node_bin(p, op, l, r)) == NULL)
			return NULL;
	}
}

/* "sortby key[/modifier...] ..." */
static int
parse_sort(struct parser *p)
{
	struct note_sortkey	*k;
	const char		*s, *slash;
	size_t			 n;
	enum note_field		 f;
	const char		*path;

	if (p->lx.t != T_WORD && p->lx.t != T_QUOTED)
		return cql_fail(p, "expected a sort key after sortby");
	while (p->lx.t == T_WORD || p->lx.t == T_QUOTED) {
		s = p->lx.tp;
		/* The lexer keeps "/" in a word: "link/sort.descending". */
		slash = memchr(s, '/', p->lx.tl);
		n = slash != NULL ? (size_t)(slash - s) : p->lx.tl;
		if (p->c->nkeys >= NOTE_SORTKEYS_MAX)
			return cql_fail(p, "too many sort keys (at most %d)",
			    NOTE_SORTKEYS_MAX);
		if (n == 0)
			return cql_fail(p, "expected a sort key");
		k = &p->c->keys[p->c->nkeys];
		memset(k, 0, sizeof(*k));
		while (slash != NULL) {
			const char	*m = slash + 1, *end = s + p->lx.tl;
			size_t		 ml;

			slash = memchr(m, '/', (size_t)(end - m));
			ml = (size_t)((slash != NULL ? slash : end) - m);
			if (ml == 15 && memcmp(m, "sort.descending", 15) ==
			    0)
				k->desc = 1;
			else if (ml == 14 && memcmp(m, "sort.ascending", 14) ==
			    0)
				k->desc = 0;
		}
		if (cql_index(p, s, n, &f, &path)) {
			k->field = f;
			k->path = path;
			p->c->nkeys++;
		} else if (p->failed)
			return -1;
		lex_next(&p->lx);
		if (skip_modifiers(p) != 0)
			return -1;
	}
	if (p->lx.t != T_END)
		return cql_fail(p, "unexpected text after the sort keys");
	return 0;
}

int
cql_compile(struct cql *c, const char *q, size_t len, const char *self,
    char *err)
{
	struct parser		 p;
	const struct note_pred	*pred = NULL;
	struct note_pred	*own;

	memset(&p, 0, sizeof(p));
	c->pred = NULL;
	c->nkeys = c->nnodes = c->ncmp = c->nstr = 0;
	p.c = c;
	p.err = err;
	err[0] = '\0';
	if (q != NULL && len > CQL_QUERY_MAX)
		return cql_fail(&p, "query too long (at most %d bytes)",
		    CQL_QUERY_MAX);
	if (q != NULL && memchr(q, '\0', len) != NULL)
		return cql_fail(&p, "query contains a NUL");
	p.lx.s = q != NULL ? q : "";
	p.lx.len = q != NULL ? len : 0;
	lex_next(&p.lx);
	if (p.lx.t != T_END && !lex_is(&p.lx, "sortby")) {
		if ((pred = parse_bool(&p, 0)) == NULL)
			return -1;
	} else if (p.lx.t != T_END && self == NULL)
		return cql_fail(&p, "expected a search clause before sortby");
	if (lex_is(&p.lx, "sortby")) {
		lex_next(&p.lx);
		if (parse_sort(&p) != 0)
			return -1;
	} else if (p.lx.t != T_END)
		return cql_fail(&p, p.lx.t == T_RP ? "unbalanced ')'" :
		    "expected a boolean operator");
	if (self != NULL) {
		if ((own = cmp_new(&p, NF_RECIPIENT, NULL, NR_EQ,
		    str_copy(&p, self, strlen(self)))) == NULL)
			return -1;
		if (pred != NULL && (own = node_bin(&p, NP_AND, own, pred)) ==
		    NULL)
			return -1;
		pred = own;
	}
	if (pred != NULL && pred->op == NP_ALL)
		pred = NULL;
	c->pred = pred;
	return 0;
}
