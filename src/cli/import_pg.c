/*
 * The PostgreSQL client of "herald import" (libpq): statements whose
 * values are all parameters, a page as the PGresult, and the
 * verification aggregate read through a cursor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "import_int.h"
#include "log.h"

#define PG_INT8OID	20
#define PG_VERIFY_FETCH	"FETCH FORWARD 1000 FROM herald_verify"

void *
imp_pg_open(const char *url)
{
	PGconn	*conn = PQconnectdb(url);

	if (PQstatus(conn) != CONNECTION_OK) {
		log_error("import: cannot connect to the source: %s",
		    PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		log_error("import: source: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

void
imp_pg_close(void *conn)
{
	PQfinish(conn);
}

static const char *
pg_val(const struct imp_page *p, int i, int c)
{
	PGresult	*res = p->h;

	return PQgetisnull(res, i, c) ? NULL : PQgetvalue(res, i, c);
}

static void
pg_clear(struct imp_page *p)
{
	PQclear(p->h);
	p->h = NULL;
}

static int
pg_query(void *conn, const struct imp_tbl *d, const char *sql,
    const char *which, const struct imp_args *a, struct imp_page *p)
{
	char		 buf[5][24];
	const char	*vals[5];
	Oid		 types[5];
	PGresult	*res;
	long long	 v;
	int		 n;

	for (n = 0; n < 5 && which[n] != '\0'; n++) {
		types[n] = PG_INT8OID;
		switch (which[n]) {
		case 'k':
		case 'K':
			vals[n] = which[n] == 'k' ? a->k1 : a->k2;
			/* Text keys are typed by the statement's cast. */
			if (!d->int_keys)
				types[n] = 0;
			continue;
		case 'l':
			v = a->limit;
			break;
		case 's':
			v = a->since;
			break;
		default:
			v = a->started;
			break;
		}
		snprintf(buf[n], sizeof(buf[n]), "%lld", v);
		vals[n] = buf[n];
	}
	res = PQexecParams(conn, sql, n, types, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("import: source: %s", PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->h = res;
	p->nrows = PQntuples(res);
	p->ncols = PQnfields(res);
	p->val = pg_val;
	return 0;
}

const struct imp_client imp_pg_client = { pg_query, pg_clear, NULL };

int
imp_pg_verify(struct imp_run *run, void *conn, const char *sql)
{
	PGresult	*res;
	char		 decl[2048];
	int		 i, n, rc = -1;

	if (snprintf(decl, sizeof(decl), "DECLARE herald_verify NO SCROLL "
	    "CURSOR FOR %s", sql) >= (int)sizeof(decl))
		return -1;
	res = PQexec(conn, "BEGIN READ ONLY");
	PQclear(res);
	res = PQexec(conn, decl);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("import: verify: %s", PQerrorMessage(conn));
		goto out;
	}
	for (;;) {
		PQclear(res);
		res = PQexec(conn, PG_VERIFY_FETCH);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			log_error("import: verify: %s", PQerrorMessage(conn));
			goto out;
		}
		if ((n = PQntuples(res)) == 0)
			break;
		for (i = 0; i < n; i++)
			imp_verify_row(run, PQgetisnull(res, i, 0) ? NULL :
			    PQgetvalue(res, i, 0), atoll(PQgetvalue(res, i, 1)),
			    atoll(PQgetvalue(res, i, 2)));
	}
	rc = 0;
out:
	PQclear(res);
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
	return rc;
}
