/*
 * Notifications selected by a predicate tree (FOLIO's CQL, issue I), and
 * whole-record writes.  The SQL text is assembled from the constant
 * fragments below, one per node of the tree, so it depends only on the
 * tree's shape; every value a client sent is a bound parameter.  The
 * statement cache keys on the text, like every other statement.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "store.h"
#include "util.h"

/* No more than db.c binds in one statement (DB_PARAMS_MAX). */
#define SB_ARGS_MAX	128

/* Text as utf8mb4 under a case- and accent-insensitive collation. */
#define CI(x)	"CONVERT(" x " USING utf8mb4) COLLATE utf8mb4_unicode_ci"
/* Text compared byte by byte (ids, ISO dates). */
#define BIN(x)	"CONVERT(" x " USING utf8mb4) COLLATE utf8mb4_bin"
#define UUIDTXT(c) \
    "LOWER(INSERT(INSERT(INSERT(INSERT(HEX(" c "), 9, 0, '-'), 14, 0, " \
    "'-'), 19, 0, '-'), 24, 0, '-'))"
/* ms since the epoch as FOLIO writes it; independent of the session zone. */
#define ISO(c) \
    "CONCAT(LEFT(DATE_FORMAT(TIMESTAMP('1970-01-01') + INTERVAL " c \
    " * 1000 MICROSECOND, '%Y-%m-%dT%H:%i:%s.%f'), 23), '+00:00')"
#define DATA	"JSON_UNQUOTE(JSON_EXTRACT(n.payload, ?))"

enum fkind { FK_TEXT, FK_BINTEXT, FK_BOOL };

/* How each field reads in SQL: compared, and sorted. */
static const struct nfield {
	enum fkind	 kind;
	const char	*cmp;	/* the expression under its collation */
	const char	*raw;	/* a binary id column, for the equality fast path */
	const char	*sort;
} nfields[NF__MAX] = {
	[NF_ID] =	{ FK_BINTEXT, BIN(UUIDTXT("n.id")), "n.id", "n.id" },
	[NF_RECIPIENT] = { FK_BINTEXT, BIN(UUIDTXT("n.user_id")), "n.user_id",
			    "n.user_id" },
	[NF_SENDER] =	{ FK_TEXT, CI("n.sender"), NULL, CI("n.sender") },
	[NF_BODY] =	{ FK_TEXT, CI("n.body"), NULL, CI("n.body") },
	[NF_LINK] =	{ FK_TEXT, CI("n.link"), NULL, CI("n.link") },
	[NF_SEEN] =	{ FK_BOOL, "n.seen", NULL, "n.seen" },
	[NF_LANG] =	{ FK_TEXT, CI("n.lang"), NULL, CI("n.lang") },
	[NF_TYPE] =	{ FK_TEXT, CI("NULLIF(n.type, '')"), NULL,
			    CI("NULLIF(n.type, '')") },
	[NF_CREATED] =	{ FK_BINTEXT, BIN(ISO("n.created")), NULL, "n.created" },
	[NF_UPDATED] =	{ FK_BINTEXT, BIN(ISO("n.updated")), NULL, "n.updated" },
	[NF_CREATED_BY] = { FK_TEXT, CI("n.created_by"), NULL,
			    CI("n.created_by") },
	[NF_UPDATED_BY] = { FK_TEXT, CI("n.updated_by"), NULL,
			    CI("n.updated_by") },
	[NF_DATA] =	{ FK_TEXT, CI(DATA), NULL, CI(DATA) },
};

static const char *const nrels[] = {
	[NR_EQ] = " = ?", [NR_NE] = " <> ?", [NR_LT] = " < ?",
	[NR_LE] = " <= ?", [NR_GT] = " > ?", [NR_GE] = " >= ?",
};

/* A statement being assembled: bounded text and its parameters. */
struct sb {
	char		 sql[8192];
	size_t		 len;
	struct sqlv	 args[SB_ARGS_MAX];
	size_t		 n;
	int		 bad;		/* too long, too many, too deep */
	int		 nodes;
	char		 pool[8192];	/* word matches' pre-filters */
	size_t		 npool;
};

static void
sb_put(struct sb *b, const char *frag)
{
	size_t	l = strlen(frag);

	if (b->len + l >= sizeof(b->sql)) {
		b->bad = 1;
		return;
	}
	memcpy(b->sql + b->len, frag, l + 1);
	b->len += l;
}

static void
sb_bind(struct sb *b, struct sqlv v)
{
	if (b->n >= SB_ARGS_MAX) {
		b->bad = 1;
		return;
	}
	b->args[b->n++] = v;
}

/*
 * A word match's pattern " w1 w2 " as a plain LIKE over the raw text,
 * "%w1%w2%": true wherever the words match (letters and digits are the
 * same in both; each space of the pattern stands for a run of other
 * characters), so ANDed before the REGEXP_REPLACE it spares that on
 * most rows -- about 6x cheaper on a 10^5-row tenant (bench/run, FOLIO
 * text=).  NULL when the pool is full: the match alone is as correct.
 */
static const char *
sb_prefilter(struct sb *b, const char *v)
{
	size_t	 l = strlen(v), i, k = b->npool;
	char	*d = b->pool + k;

	if (l + 1 > sizeof(b->pool) - k)
		return NULL;
	for (i = 0; i < l; i++) {
		if (v[i] == '\\' && i + 1 < l) {
			b->pool[k++] = v[i++];
			b->pool[k++] = v[i];
		} else
			b->pool[k++] = v[i] == ' ' ? '%' : v[i];
	}
	b->pool[k++] = '\0';
	b->npool = k;
	return d;
}

/* One comparison; "raw" is the parsed id when the fast path applies. */
static void
sb_cmp(struct sb *b, const struct note_pred *p, unsigned char raw[16])
{
	const struct nfield	*f = &nfields[p->field];
	const char		*pre = NULL;

	if (f->kind == FK_BOOL) {
		sb_put(b, f->cmp);
		sb_put(b, p->rel == NR_WORDS || p->rel == NR_LIKE ? " = ?" :
		    nrels[p->rel]);
		sb_bind(b, SQL_I64(strcmp(p->value, "1") == 0));
		return;
	}
	/* A whole id: the primary key or the recipient index, not a scan. */
	if (f->raw != NULL && p->rel == NR_EQ &&
	    util_uuid_parse(p->value, raw) == 0) {
		sb_put(b, f->raw);
		sb_put(b, " = ?");
		sb_bind(b, SQL_BIN(raw, 16));
		return;
	}
	if (p->rel == NR_WORDS && (pre = sb_prefilter(b, p->value)) != NULL) {
		sb_put(b, "(");
		sb_put(b, f->cmp);
		sb_put(b, " LIKE ? AND ");
		if (p->field == NF_DATA)
			sb_bind(b, SQL_STR(p->path));
		sb_bind(b, SQL_STR(pre));
	}
	if (p->rel == NR_WORDS) {
		/*
		 * Words are the runs of letters and digits; each value is
		 * rewritten to " w1 w2 ... " so that a pattern of whole
		 * words, " a b ", matches at word boundaries only.
		 */
		sb_put(b, "CONCAT(' ', REGEXP_REPLACE(");
		sb_put(b, f->cmp);
		sb_put(b, ", '[^\\\\p{L}\\\\p{N}]+', ' '), ' ') LIKE ?");
	} else {
		sb_put(b, f->cmp);
		sb_put(b, p->rel == NR_LIKE ? " LIKE ?" : nrels[p->rel]);
	}
	if (p->field == NF_DATA) {
		/* The path comes first in the text, so it binds first. */
		if (b->n >= SB_ARGS_MAX - 1) {
			b->bad = 1;
			return;
		}
		sb_bind(b, SQL_STR(p->path));
	}
	sb_bind(b, SQL_STR(p->value));
	if (pre != NULL)
		sb_put(b, ")");
}

/*
 * The tree as a parenthesised condition.  "raw" holds one 16-byte slot
 * per comparison for the ids the fast path binds.
 */
static void
sb_pred(struct sb *b, const struct note_pred *p, int depth,
    unsigned char (*raw)[16])
{
	if (b->bad)
		return;
	if (p == NULL || depth > NOTE_PRED_DEPTH_MAX) {
		b->bad = 1;
		return;
	}
	switch (p->op) {
	case NP_ALL:
		sb_put(b, "1");
		break;
	case NP_NULL:
		/* NULL, not 0: "not" an unknown index matches nothing too. */
		sb_put(b, "NULL");
		break;
	case NP_NOT:
		sb_put(b, "NOT (");
		sb_pred(b, p->l, depth + 1, raw);
		sb_put(b, ")");
		break;
	case NP_AND:
	case NP_OR:
		sb_put(b, "(");
		sb_pred(b, p->l, depth + 1, raw);
		sb_put(b, p->op == NP_AND ? ") AND (" : ") OR (");
		sb_pred(b, p->r, depth + 1, raw);
		sb_put(b, ")");
		break;
	case NP_CMP:
		if (b->nodes >= NOTE_PRED_NODES_MAX ||
		    (unsigned int)p->field >= NF__MAX ||
		    (unsigned int)p->rel > NR_GE || p->value == NULL ||
		    (p->field == NF_DATA && p->path == NULL)) {
			b->bad = 1;
			return;
		}
		sb_cmp(b, p, raw[b->nodes++]);
		break;
	default:
		b->bad = 1;
	}
}

/* " AND (<pred>)" after a WHERE naming the tenant. */
static void
sb_where(struct sb *b, const char *tenant, const struct note_pred *pred,
    unsigned char (*raw)[16])
{
	sb_put(b, " WHERE n.tenant = ? AND n.deleted = 0");
	sb_bind(b, SQL_STR(tenant));
	if (pred != NULL) {
		sb_put(b, " AND (");
		sb_pred(b, pred, 0, raw);
		sb_put(b, ")");
	}
}

static void
sb_order(struct sb *b, const struct note_search *q)
{
	size_t	i;

	sb_put(b, " ORDER BY ");
	for (i = 0; i < q->nkeys && i < NOTE_SORTKEYS_MAX; i++) {
		if ((unsigned int)q->keys[i].field >= NF__MAX ||
		    (q->keys[i].field == NF_DATA && q->keys[i].path == NULL)) {
			b->bad = 1;
			return;
		}
		sb_put(b, nfields[q->keys[i].field].sort);
		sb_put(b, q->keys[i].desc ? " DESC, " : " ASC, ");
		if (q->keys[i].field == NF_DATA)
			sb_bind(b, SQL_STR(q->keys[i].path));
	}
	if (q->nkeys > NOTE_SORTKEYS_MAX)
		b->bad = 1;
	/* Last written: FOLIO's order when the query names none. */
	sb_put(b, "n.updated ASC, n.seq ASC");
}

/*
 * Whether "p" can hold for one value of "f" only (a whole id): an AND
 * chain with "f = <uuid>" in it.
 */
static int
pred_pins(const struct note_pred *p, enum note_field f, int depth)
{
	unsigned char	raw[16];

	if (p == NULL || depth > NOTE_PRED_DEPTH_MAX)
		return 0;
	if (p->op == NP_AND)
		return pred_pins(p->l, f, depth + 1) ||
		    pred_pins(p->r, f, depth + 1);
	return p->op == NP_CMP && p->field == f && p->rel == NR_EQ &&
	    p->value != NULL && util_uuid_parse(p->value, raw) == 0;
}

/*
 * The page's FROM onwards (db_note_select puts the columns before it).
 * Tenant-wide, the tenant's index in FOLIO's order, read until the page
 * is full: left to itself MariaDB may start from the tenant's users and
 * sort all their matches.
 */
static void
sb_page(struct sb *b, const struct note_search *q, unsigned char (*raw)[16])
{
	sb_put(b, pred_pins(q->pred, NF_RECIPIENT, 0) ||
	    pred_pins(q->pred, NF_ID, 0) ? " FROM notifications n" :
	    " FROM notifications n FORCE INDEX (notes_tenant_written)");
	sb_put(b, " JOIN users u ON u.id = n.user_id");
	sb_where(b, q->tenant, q->pred, raw);
	sb_order(b, q);
	sb_put(b, " LIMIT ? OFFSET ?");
	sb_bind(b, SQL_I64(q->limit));
	sb_bind(b, SQL_I64(q->offset > 0 ? q->offset : 0));
}

int
store_note_search_text(const struct note_search *q, char *out, size_t outsz,
    size_t *nbind)
{
	unsigned char	raw[NOTE_PRED_NODES_MAX][16];
	struct sb	b;

	memset(&b, 0, sizeof(b));
	sb_page(&b, q, raw);
	if (b.bad || b.len >= outsz)
		return -1;
	memcpy(out, b.sql, b.len + 1);
	*nbind = b.n;
	return 0;
}

enum store_rc
store_note_search(struct store *st, const struct note_search *q, note_cb cb,
    void *arg, long long *total)
{
	unsigned char	raw[NOTE_PRED_NODES_MAX][16];
	struct sb	b;
	long long	rows = 0;
	enum store_rc	rc;

	memset(&b, 0, sizeof(b));
	if (q->limit > 0) {
		sb_page(&b, q, raw);
		if (b.bad)
			return STORE_INVALID;
		if ((rc = db_note_select(st, b.sql, b.args, b.n, cb, arg,
		    &rows)) != STORE_OK)
			return rc;
		/* A page that is not full, and not past the end, is the count. */
		if (rows < q->limit && (rows > 0 || q->offset <= 0)) {
			*total = (q->offset > 0 ? q->offset : 0) + rows;
			return STORE_OK;
		}
		memset(&b, 0, sizeof(b));
	}
	/*
	 * Counted apart, not with COUNT(*) OVER () on the page: the window
	 * makes MariaDB sort every match in a temporary table instead of
	 * reading an index in order and stopping at the page.  One user's
	 * count checks the tenant on that user (a notification's tenant is
	 * its user's, set from it on insert), so that it reads the user's
	 * index alone and no row of notifications.  A tenant-wide count
	 * reads the tenant's rows and no other tenant's, even where the
	 * tenant is most of the table and a full scan looks cheaper.
	 */
	if (pred_pins(q->pred, NF_RECIPIENT, 0)) {
		sb_put(&b, "SELECT COUNT(*) FROM notifications n JOIN users u "
		    "ON u.id = n.user_id WHERE u.tenant = ? AND n.deleted = 0 "
		    "AND (");
		sb_bind(&b, SQL_STR(q->tenant));
		sb_pred(&b, q->pred, 0, raw);
		sb_put(&b, ")");
	} else {
		sb_put(&b, pred_pins(q->pred, NF_ID, 0) ?
		    "SELECT COUNT(*) FROM notifications n" :
		    "SELECT COUNT(*) FROM notifications n FORCE INDEX "
		    "(notes_tenant_written)");
		sb_where(&b, q->tenant, q->pred, raw);
	}
	if (b.bad)
		return STORE_INVALID;
	return db_select_i64(st, b.sql, b.args, b.n, total, 1);
}

enum store_rc
store_note_delete_pred(struct store *st, const char *tenant,
    const struct note_pred *pred, int64_t now, unsigned long long *changed)
{
	unsigned char	raw[NOTE_PRED_NODES_MAX][16];
	struct sb	b;

	memset(&b, 0, sizeof(b));
	sb_put(&b, "UPDATE notifications n SET n.deleted = 1, "
	    "n.deleted_at = ?, n.updated = ?");
	sb_bind(&b, SQL_I64(now));
	sb_bind(&b, SQL_I64(now));
	sb_where(&b, tenant, pred, raw);
	if (b.bad)
		return STORE_INVALID;
	return db_exec(st, b.sql, b.args, b.n, changed);
}

static const char sql_note_insert_rec[] =
    "INSERT INTO notifications (id, tenant, user_id, sender, type, subject, "
    "body, body_format, link, payload, lang, seen, seen_at, created, "
    "updated, created_by, updated_by, deleted, deleted_at) "
    "SELECT ?, u.tenant, u.id, ?, ?, '', ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ? FROM users u WHERE u.tenant = ? AND u.id = ?";

enum store_rc
store_note_insert(struct store *st, const char *tenant, const struct note *n)
{
	unsigned long long	 affected = 0;
	enum store_rc		 rc;
	struct sqlv		 v[] = {
		SQL_BIN(n->id, 16), SQL_OPTSTR(n->sender),
		SQL_STR(n->type != NULL ? n->type : ""), SQL_STR(n->body),
		SQL_OPTSTR(n->link), SQL_STR(n->payload),
		SQL_OPTSTR(n->lang), SQL_I64(n->seen != 0),
		n->seen ? SQL_I64(n->created) : SQL_NULL,
		SQL_I64(n->created), SQL_I64(n->updated),
		SQL_OPTSTR(n->created_by), SQL_OPTSTR(n->updated_by),
		SQL_I64(n->deleted != 0),
		n->deleted ? SQL_I64(n->created) : SQL_NULL,
		SQL_STR(tenant), SQL_BIN(n->user_id, 16)
	};

	rc = db_exec(st, sql_note_insert_rec, v, sizeof(v) / sizeof(v[0]),
	    &affected);
	if (rc == STORE_OK && affected != 1)
		rc = STORE_NOTFOUND;
	return rc;
}

struct owner {
	unsigned char	id[16];
	int		found;
};

static int
owner_row(const struct sqlrow *r, void *arg)
{
	struct owner		*o = arg;
	const unsigned char	*id;

	if ((id = row_bin16(r, 0)) != NULL) {
		memcpy(o->id, id, 16);
		o->found = 1;
	}
	return 1;
}

static const char sql_note_replace[] =
    "UPDATE notifications SET user_id = ?, sender = ?, type = ?, body = ?, "
    "link = ?, payload = ?, lang = ?, "
    "seen_at = IF(? = 1, IF(seen = 1, seen_at, ?), seen_at), seen = ?, "
    "deleted = 0, deleted_at = NULL, updated = ?, updated_by = ? "
    "WHERE id = ? AND tenant = ?";

/*
 * The counters (schema 002) follow a row's user only through deleted:
 * a notification that moves to another user is deleted from the first,
 * then revived for the second, whose counter row must exist.
 */
static enum store_rc
note_move_user(struct store *st, const struct note *n)
{
	struct sqlv	dv[] = { SQL_BIN(n->id, 16) };
	struct sqlv	cv[] = { SQL_BIN(n->user_id, 16) };
	enum store_rc	rc;

	if ((rc = db_exec(st, "UPDATE notifications SET deleted = 1 "
	    "WHERE id = ?", dv, 1, NULL)) != STORE_OK)
		return rc;
	return db_exec(st, "INSERT IGNORE INTO note_counts (user_id, total, "
	    "unseen) VALUES (?, 0, 0)", cv, 1, NULL);
}

enum store_rc
store_note_replace(struct store *st, const char *tenant, const struct note *n)
{
	struct owner	 o;
	enum store_rc	 rc;
	struct sqlv	 kv[] = { SQL_BIN(n->id, 16), SQL_STR(tenant) };
	struct sqlv	 v[] = {
		SQL_BIN(n->user_id, 16), SQL_OPTSTR(n->sender),
		SQL_STR(n->type != NULL ? n->type : ""), SQL_STR(n->body),
		SQL_OPTSTR(n->link), SQL_STR(n->payload), SQL_OPTSTR(n->lang),
		SQL_I64(n->seen != 0), SQL_I64(n->updated),
		SQL_I64(n->seen != 0), SQL_I64(n->updated),
		SQL_OPTSTR(n->updated_by), SQL_BIN(n->id, 16), SQL_STR(tenant)
	};

	memset(&o, 0, sizeof(o));
	if ((rc = store_begin(st)) != STORE_OK)
		return rc;
	rc = db_select(st, "SELECT user_id FROM notifications WHERE id = ? "
	    "AND tenant = ? AND deleted = 0 FOR UPDATE", kv, 2, owner_row, &o);
	if (rc == STORE_OK && !o.found)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK && memcmp(o.id, n->user_id, 16) != 0)
		rc = note_move_user(st, n);
	if (rc == STORE_OK)
		rc = db_exec(st, sql_note_replace, v, sizeof(v) / sizeof(v[0]),
		    NULL);
	if (rc != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}
