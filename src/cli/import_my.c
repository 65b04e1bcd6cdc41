/*
 * The MySQL/MariaDB client of "herald import" (the client library Herald
 * itself uses): a source named by a URL,
 *   mysql://USER:PASSWORD@HOST:PORT/DATABASE
 *   mysql://USER:PASSWORD@localhost/DATABASE?socket=/run/mysqld/mysqld.sock
 * (user, password and socket percent-encoded), statements prepared with
 * their values bound, every value read as text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "import_int.h"
#include "log.h"
#include "util.h"

#define MY_PART_MAX	512
#define MY_PARAMS_MAX	5

/* Percent-decode s[0..n) into out[outsz]; -1 when malformed or long. */
static int
my_decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t	i, k = 0;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (k + 1 >= outsz)
			return -1;
		if (s[i] != '%') {
			out[k++] = s[i];
			continue;
		}
		if (i + 2 >= n)
			return -1;
		if ((hi = util_hexval(s[i + 1])) < 0 ||
		    (lo = util_hexval(s[i + 2])) < 0)
			return -1;
		out[k++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[k] = '\0';
	return 0;
}

struct my_url {
	char	user[MY_PART_MAX], pass[MY_PART_MAX], host[MY_PART_MAX];
	char	db[MY_PART_MAX], socket[MY_PART_MAX];
	long long port;
};

static int
my_url_parse(const char *url, struct my_url *u)
{
	const char	*p, *at, *slash, *colon, *q, *end;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "mysql://", 8) != 0)
		return -1;
	p = url + 8;
	if ((slash = strchr(p, '/')) == NULL)
		return -1;
	/* The last '@' before the path ends the credentials. */
	for (at = NULL, q = p; q < slash; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		end = colon != NULL ? colon : at;
		if (my_decode(p, (size_t)(end - p), u->user,
		    sizeof(u->user)) != 0 || (colon != NULL &&
		    my_decode(colon + 1, (size_t)(at - colon - 1), u->pass,
		    sizeof(u->pass)) != 0))
			return -1;
		p = at + 1;
	}
	colon = memchr(p, ':', (size_t)(slash - p));
	end = colon != NULL ? colon : slash;
	if ((size_t)(end - p) >= sizeof(u->host))
		return -1;
	memcpy(u->host, p, (size_t)(end - p));
	if (colon != NULL) {
		char	port[16];

		if ((size_t)(slash - colon - 1) >= sizeof(port))
			return -1;
		memcpy(port, colon + 1, (size_t)(slash - colon - 1));
		port[slash - colon - 1] = '\0';
		if (util_strtoll(port, 1, 65535, &u->port) != 0)
			return -1;
	}
	p = slash + 1;
	q = strchr(p, '?');
	end = q != NULL ? q : p + strlen(p);
	if (end == p || my_decode(p, (size_t)(end - p), u->db,
	    sizeof(u->db)) != 0)
		return -1;
	if (q != NULL) {
		if (strncmp(q, "?socket=", 8) != 0 ||
		    my_decode(q + 8, strlen(q + 8), u->socket,
		    sizeof(u->socket)) != 0)
			return -1;
	}
	return 0;
}

void *
imp_my_open(const char *url)
{
	struct my_url	 u;
	MYSQL		*my;

	if (my_url_parse(url, &u) != 0) {
		log_error("import: --from: not mysql://USER:PASSWORD@HOST"
		    "[:PORT]/DATABASE[?socket=PATH]");
		return NULL;
	}
	if ((my = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(my, u.host[0] != '\0' ? u.host : "localhost",
	    u.user[0] != '\0' ? u.user : NULL, u.pass, u.db,
	    (unsigned int)u.port, u.socket[0] != '\0' ? u.socket : NULL,
	    0) == NULL) {
		log_error("import: cannot connect to the source: %s",
		    mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	/* Times as UTC text, whatever the server's zone. */
	if (mysql_query(my, "SET time_zone = '+00:00'") != 0) {
		log_error("import: source: %s", mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	return my;
}

void
imp_my_close(void *my)
{
	mysql_close(my);
}

/* A page: nrows * ncols values, each malloc'd or NULL. */
struct my_rows {
	char	**v;
	size_t	  cap;		/* slots in v */
};

static const char *
my_val(const struct imp_page *p, int i, int c)
{
	const struct my_rows	*r = p->h;

	return r->v[(size_t)i * (size_t)p->ncols + (size_t)c];
}

static void
my_clear(struct imp_page *p)
{
	struct my_rows	*r = p->h;
	size_t		 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->cap; i++)
		free(r->v[i]);
	free(r->v);
	free(r);
	p->h = NULL;
}

/* Every row of a prepared, executed statement, into "p". */
static int
my_fetch(MYSQL_STMT *stmt, struct imp_page *p)
{
	MYSQL_RES	*meta = NULL;
	MYSQL_FIELD	*f;
	MYSQL_BIND	*b = NULL;
	struct my_rows	*r;
	unsigned long	*lens = NULL;
	my_bool		*nulls = NULL;
	char		**bufs = NULL;
	size_t		 nc, i, at = 0, cap;
	my_bool		 upd = 1;
	int		 rc = -1, fr;

	memset(p, 0, sizeof(*p));
	p->val = my_val;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	p->h = r;
	if ((meta = mysql_stmt_result_metadata(stmt)) == NULL)
		return -1;
	nc = mysql_num_fields(meta);
	p->ncols = (int)nc;
	mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &upd);
	if (mysql_stmt_store_result(stmt) != 0)
		goto out;
	f = mysql_fetch_fields(meta);
	if ((b = calloc(nc, sizeof(*b))) == NULL ||
	    (lens = calloc(nc, sizeof(*lens))) == NULL ||
	    (nulls = calloc(nc, sizeof(*nulls))) == NULL ||
	    (bufs = calloc(nc, sizeof(*bufs))) == NULL)
		goto out;
	for (i = 0; i < nc; i++) {
		/* Numbers' max_length is their width as text, at most 64. */
		size_t	sz = (f[i].max_length > 64 ? f[i].max_length : 64) + 1;

		if ((bufs[i] = malloc(sz)) == NULL)
			goto out;
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].buffer = bufs[i];
		b[i].buffer_length = sz;
		b[i].length = &lens[i];
		b[i].is_null = &nulls[i];
	}
	if (mysql_stmt_bind_result(stmt, b) != 0)
		goto out;
	cap = (size_t)mysql_stmt_num_rows(stmt) * nc;
	if (cap > 0 && (r->v = calloc(cap, sizeof(*r->v))) == NULL)
		goto out;
	r->cap = cap;
	while ((fr = mysql_stmt_fetch(stmt)) == 0 || fr == MYSQL_DATA_TRUNCATED) {
		if (fr == MYSQL_DATA_TRUNCATED || at + nc > cap)
			goto out;
		for (i = 0; i < nc; i++) {
			if (nulls[i])
				continue;
			if ((r->v[at + i] = malloc(lens[i] + 1)) == NULL)
				goto out;
			memcpy(r->v[at + i], bufs[i], lens[i]);
			r->v[at + i][lens[i]] = '\0';
		}
		at += nc;
		p->nrows++;
	}
	if (fr != MYSQL_NO_DATA)
		goto out;
	rc = 0;
out:
	if (bufs != NULL)
		for (i = 0; i < nc; i++)
			free(bufs[i]);
	free(bufs);
	free(b);
	free(lens);
	free(nulls);
	mysql_free_result(meta);
	return rc;
}

static int
my_query(void *conn, const struct imp_tbl *d, const char *sql,
    const char *which, const struct imp_args *a, struct imp_page *p)
{
	MYSQL_STMT	*stmt;
	MYSQL_BIND	 b[MY_PARAMS_MAX];
	long long	 nums[MY_PARAMS_MAX];
	unsigned long	 lens[MY_PARAMS_MAX];
	char		 keys[MY_PARAMS_MAX][IMP_KEY_MAX];
	int		 n, rc = -1;

	(void)d;
	memset(p, 0, sizeof(*p));
	p->val = my_val;
	memset(b, 0, sizeof(b));
	for (n = 0; n < MY_PARAMS_MAX && which[n] != '\0'; n++) {
		switch (which[n]) {
		case 'k':
		case 'K':
			/* A copy: the bind buffer is not const. */
			snprintf(keys[n], sizeof(keys[n]), "%s",
			    which[n] == 'k' ? a->k1 : a->k2);
			lens[n] = (unsigned long)strlen(keys[n]);
			b[n].buffer_type = MYSQL_TYPE_STRING;
			b[n].buffer = keys[n];
			b[n].buffer_length = lens[n];
			b[n].length = &lens[n];
			continue;
		case 'l':
			nums[n] = a->limit;
			break;
		case 's':
			nums[n] = a->since;
			break;
		default:
			nums[n] = a->started;
			break;
		}
		b[n].buffer_type = MYSQL_TYPE_LONGLONG;
		b[n].buffer = &nums[n];
	}
	if ((stmt = mysql_stmt_init(conn)) == NULL)
		return -1;
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0 ||
	    (n > 0 && mysql_stmt_bind_param(stmt, b) != 0) ||
	    mysql_stmt_execute(stmt) != 0 || my_fetch(stmt, p) != 0) {
		log_error("import: source: %s", mysql_stmt_error(stmt));
		my_clear(p);
		goto out;
	}
	rc = 0;
out:
	mysql_stmt_close(stmt);
	return rc;
}

const struct imp_client imp_my_client = { my_query, my_clear, NULL };

int
imp_my_rows(void *conn, const char *sql,
    void (*fn)(struct imp_run *, const struct imp_page *, int),
    struct imp_run *run)
{
	static const struct imp_args	a;
	static const char		none[MY_PARAMS_MAX + 1];
	struct imp_page			p;
	int				i;

	if (my_query(conn, NULL, sql, none, &a, &p) != 0)
		return -1;
	for (i = 0; i < p.nrows; i++)
		fn(run, &p, i);
	my_clear(&p);
	return 0;
}

static void
my_verify_row(struct imp_run *run, const struct imp_page *p, int i)
{
	imp_verify_row(run, imp_val(p, i, 0), imp_i64(p, i, 1, 0),
	    imp_i64(p, i, 2, 0));
}

int
imp_my_verify(struct imp_run *run, void *conn, const char *sql)
{
	return imp_my_rows(conn, sql, my_verify_row, run);
}
