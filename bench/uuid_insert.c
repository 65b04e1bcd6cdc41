/*
 * bench/uuid_insert: insert N rows keyed by UUIDs (v4 random, or v7
 * time-ordered from util_uuid_v7) into a table shaped like Herald's
 * notifications (BINARY(16) primary key, a secondary index on
 * (user_id, created), a ~200-byte row), in multi-row INSERTs of 500 rows
 * and one commit per statement; print the rate for each tenth of the run
 * and the table's data and index sizes.  Benchmark code: SQL of its own,
 * outside the store.
 *
 *   HERALD_BENCH_SOCKET=... HERALD_BENCH_USER=... HERALD_BENCH_PASSWORD=...
 *   bench/uuid_insert v4|v7 ROWS [SECONDS]
 *
 * SECONDS stops the run early: a rate that collapses as the table
 * outgrows the buffer pool can make ROWS take hours.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "util.h"

#define BATCH	500
#define COLS	5
#define USERS	10000

static void
die(MYSQL *m, const char *what)
{
	fprintf(stderr, "uuid_insert: %s: %s\n", what, mysql_error(m));
	exit(1);
}

static void
q(MYSQL *m, const char *sql)
{
	if (mysql_query(m, sql) != 0)
		die(m, sql);
}

/* One multi-row INSERT of BATCH rows: "INSERT ... VALUES (?,?,?,?,?),..." */
static char *
insert_sql(const char *table)
{
	size_t	sz = 128 + BATCH * 12;
	char	*s = malloc(sz);
	size_t	 len;
	int	 i;

	if (s == NULL)
		exit(1);
	len = (size_t)snprintf(s, sz, "INSERT INTO %s (id, user_id, created, "
	    "type, body) VALUES ", table);
	for (i = 0; i < BATCH; i++)
		len += (size_t)snprintf(s + len, sz - len, "%s(?,?,?,?,?)",
		    i > 0 ? "," : "");
	return s;
}

int
main(int argc, char **argv)
{
	static unsigned char	 ids[BATCH][16], uids[BATCH][16];
	static long long	 created[BATCH];
	static MYSQL_BIND	 b[BATCH * COLS];
	static unsigned long	 len16 = 16, lentype, lenbody;
	static char		 type[] = "data", body[200];
	MYSQL			*m;
	MYSQL_STMT		*st;
	MYSQL_RES		*res;
	MYSQL_ROW		 row;
	char			 table[16], sql[512], *ins;
	long long		 rows, done = 0, dp = 0, tenth;
	int64_t			 t0, tp, t, limit_ms = 0;
	int			 v7, i, k;

	if ((argc != 3 && argc != 4) || (strcmp(argv[1], "v4") != 0 &&
	    strcmp(argv[1], "v7") != 0) || (rows = atoll(argv[2])) < BATCH ||
	    (argc == 4 && (limit_ms = atoll(argv[3]) * 1000) <= 0)) {
		fprintf(stderr, "usage: uuid_insert v4|v7 ROWS (>= %d) "
		    "[SECONDS]\n", BATCH);
		return 2;
	}
	v7 = argv[1][1] == '7';
	snprintf(table, sizeof(table), "bench_%s", argv[1]);
	if ((m = mysql_init(NULL)) == NULL ||
	    mysql_real_connect(m, NULL, getenv("HERALD_BENCH_USER"),
	    getenv("HERALD_BENCH_PASSWORD"), "herald", 0,
	    getenv("HERALD_BENCH_SOCKET"), 0) == NULL)
		die(m, "connect");
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", table);
	q(m, sql);
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (id BINARY(16) NOT NULL, "
	    "user_id BINARY(16) NOT NULL, created BIGINT NOT NULL, "
	    "type VARCHAR(64) NOT NULL, body TEXT NOT NULL, PRIMARY KEY (id), "
	    "KEY by_user (user_id, created, id)) ENGINE=InnoDB", table);
	q(m, sql);

	memset(body, 'x', sizeof(body) - 1);
	lentype = strlen(type);
	lenbody = strlen(body);
	for (i = 0; i < BATCH; i++) {
		MYSQL_BIND	*r = &b[i * COLS];

		r[0].buffer_type = r[1].buffer_type = MYSQL_TYPE_BLOB;
		r[0].buffer = ids[i];
		r[1].buffer = uids[i];
		r[0].buffer_length = r[1].buffer_length = 16;
		r[0].length = r[1].length = &len16;
		r[2].buffer_type = MYSQL_TYPE_LONGLONG;
		r[2].buffer = &created[i];
		r[3].buffer_type = r[4].buffer_type = MYSQL_TYPE_STRING;
		r[3].buffer = type;
		r[3].length = &lentype;
		r[4].buffer = body;
		r[4].length = &lenbody;
	}
	ins = insert_sql(table);
	if ((st = mysql_stmt_init(m)) == NULL ||
	    mysql_stmt_prepare(st, ins, strlen(ins)) != 0 ||
	    mysql_stmt_bind_param(st, b) != 0)
		die(m, "prepare");
	q(m, "SET autocommit = 1");

	tenth = rows / 10;
	t0 = tp = util_now_ms();
	printf("%s rows=%lld batch=%d\n", argv[1], rows, BATCH);
	while (done < rows) {
		for (i = 0; i < BATCH; i++) {
			if (v7)
				util_uuid_v7(ids[i]);
			else
				util_uuid_new(ids[i]);
			/* The recipient: one of USERS, as a v4 user id. */
			k = (int)(util_random_u32() % USERS);
			memset(uids[i], 0, 16);
			memcpy(uids[i], &k, sizeof(k));
			created[i] = util_now_ms();
		}
		if (mysql_stmt_execute(st) != 0) {
			fprintf(stderr, "execute: %s\n", mysql_stmt_error(st));
			return 1;
		}
		done += BATCH;
		if (tenth > 0 && done % tenth < BATCH) {
			t = util_now_ms();
			printf("  %9lld rows  %8.0f rows/s over the last tenth\n",
			    done, (double)tenth * 1000.0 / (double)(t - tp +
			    (t == tp)));
			tp = t;
			dp = done;
		}
		if (limit_ms > 0 && util_now_ms() - t0 >= limit_ms) {
			t = util_now_ms();
			printf("  %9lld rows  %8.0f rows/s since the last line: "
			    "stopped at the %lld s limit\n", done,
			    (double)(done - dp) * 1000.0 /
			    (double)(t - tp + (t == tp)),
			    (long long)(limit_ms / 1000));
			break;
		}
	}
	t = util_now_ms();
	printf("%s total %lld rows in %.1f s: %.0f rows/s\n", argv[1], done,
	    (double)(t - t0) / 1000.0, (double)done * 1000.0 /
	    (double)(t - t0 + (t == t0)));
	fflush(stdout);

	snprintf(sql, sizeof(sql), "ANALYZE TABLE %s", table);
	q(m, sql);
	if ((res = mysql_store_result(m)) != NULL)
		mysql_free_result(res);
	snprintf(sql, sizeof(sql), "SELECT t.data_length, t.index_length, "
	    "s.file_size, s.allocated_size FROM information_schema.tables t "
	    "JOIN information_schema.innodb_sys_tablespaces s "
	    "ON s.name = CONCAT(t.table_schema, '/', t.table_name) "
	    "WHERE t.table_schema = 'herald' AND t.table_name = '%s'", table);
	q(m, sql);
	if ((res = mysql_store_result(m)) == NULL ||
	    (row = mysql_fetch_row(res)) == NULL)
		die(m, "sizes");
	printf("%s sizes: primary (data) %.1f MiB, secondary %.1f MiB, "
	    "file %.1f MiB; %.0f bytes/row on disk\n", argv[1],
	    atof(row[0]) / 1048576, atof(row[1]) / 1048576,
	    atof(row[2]) / 1048576, atof(row[2]) / (double)done);
	mysql_free_result(res);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*), "
	    "SUM(index_name = 'PRIMARY'), "
	    "ROUND(AVG(IF(index_name = 'PRIMARY', "
	    "data_size / 16384 * 100, NULL)), 1) "
	    "FROM information_schema.innodb_buffer_page "
	    "WHERE table_name = '`herald`.`%s`'", table);
	if (mysql_query(m, sql) == 0 && (res = mysql_store_result(m)) !=
	    NULL) {
		if ((row = mysql_fetch_row(res)) != NULL)
			printf("%s buffer pool: %s pages cached, %s of the "
			    "primary key, %s%% full on average\n", argv[1],
			    row[0], row[1] ? row[1] : "0",
			    row[2] ? row[2] : "-");
		mysql_free_result(res);
	}
	mysql_stmt_close(st);
	mysql_close(m);
	free(ins);
	return 0;
}
