/*
 * floor -- the bare libfcgi responders that Herald is measured against.
 *
 * A pool of worker processes forked like herald's (FCGX_OpenSocket, then
 * N children each looping on FCGX_Accept_r), one database connection per
 * worker.  What a request does depends on its path (DOCUMENT_URI):
 *
 *   .../json     a constant JSON body, no database
 *   .../select   one prepared point SELECT by primary key on notifications
 *                (a random id of a preloaded set), its row as JSON
 *   .../insert   one prepared INSERT into notifications (autocommit), for
 *                a random preloaded user, with a fresh random UUID
 *
 * usage: floor SOCKET WORKERS DB_SOCKET DB_NAME DB_USER DB_PASSWORD
 *
 * Built by bench/run:  cc -O2 -o floor floor.c $(pkg-config --cflags
 * --libs fcgi libmariadb).  Stops on SIGTERM (the master signals the
 * workers and waits for them).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#define MAXW	64
#define NIDS	4096

static const char json_body[] =
    "{\"total\":\"0\",\"unseen_total\":\"0\",\"messages\":[],"
    "\"system-messages\":[]}";

static MYSQL		*db;
static MYSQL_STMT	*sel, *ins;
static unsigned char	 ids[NIDS][16], users[NIDS][16];
static size_t		 nids, nusers;
static volatile sig_atomic_t stop;
static unsigned long long rng;

static void
die(const char *what)
{
	fprintf(stderr, "floor[%d]: %s: %s\n", (int)getpid(), what,
	    db != NULL ? mysql_error(db) : strerror(errno));
	exit(1);
}

static unsigned long long
rnd(void)
{
	/* xorshift64*: cheap, per-process state. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static size_t
load_ids(const char *sql, unsigned char (*out)[16])
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	unsigned long	*len;
	size_t		 n = 0;

	if (mysql_query(db, sql) != 0 || (res = mysql_store_result(db)) == NULL)
		die("load ids");
	while (n < NIDS && (row = mysql_fetch_row(res)) != NULL) {
		len = mysql_fetch_lengths(res);
		if (len[0] == 16) {
			memcpy(out[n], row[0], 16);
			n++;
		}
	}
	mysql_free_result(res);
	return n;
}

static void
db_open(char **av)
{
	static const char q_sel[] =
	    "SELECT id, type, subject, body, payload, seen, created "
	    "FROM notifications WHERE id = ?";
	static const char q_ins[] =
	    "INSERT INTO notifications (id, tenant, user_id, type, subject, "
	    "body, payload, created, updated) "
	    "VALUES (?, 'default', ?, 'data', 'bench', 'bench', '{}', ?, ?)";

	if ((db = mysql_init(NULL)) == NULL)
		die("mysql_init");
	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(db, NULL, av[5], av[6], av[4], 0, av[3], 0) ==
	    NULL)
		die("connect");
	/* A random sample spread over the table, so lookups miss caches
	 * as Herald's do. */
	nids = load_ids("SELECT id FROM notifications ORDER BY RAND() "
	    "LIMIT 4096", ids);
	nusers = load_ids("SELECT id FROM users WHERE username <> 'heavy' "
	    "ORDER BY RAND() LIMIT 4096", users);
	if (nids == 0 || nusers == 0) {
		errno = ENOENT;
		die("no notifications or users to sample (load data first)");
	}
	if ((sel = mysql_stmt_init(db)) == NULL ||
	    mysql_stmt_prepare(sel, q_sel, sizeof(q_sel) - 1) != 0 ||
	    (ins = mysql_stmt_init(db)) == NULL ||
	    mysql_stmt_prepare(ins, q_ins, sizeof(q_ins) - 1) != 0)
		die("prepare");
}

static void
reply(FCGX_Stream *out, const char *status, const char *body, size_t len)
{
	char	hdr[256];
	int	n;

	n = snprintf(hdr, sizeof(hdr), "Status: %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %lu\r\n\r\n", status, (unsigned long)len);
	FCGX_PutStr(hdr, n, out);
	FCGX_PutStr(body, (int)len, out);
}

static void
fail(FCGX_Stream *out, MYSQL_STMT *s)
{
	char	buf[512];
	int	n;

	n = snprintf(buf, sizeof(buf), "{\"error\":\"%u\"}",
	    mysql_stmt_errno(s));
	reply(out, "500 Internal Server Error", buf, (size_t)n);
}

static void
do_select(FCGX_Stream *out)
{
	MYSQL_BIND		 p[1], r[7];
	unsigned char		 id[16];
	char			 type[128], subj[1024], body[4096], pay[4096];
	unsigned long		 len[7], idlen = 16;
	long long		 seen, created;
	char			 buf[8192];
	int			 n, f;

	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_BLOB;
	p[0].buffer = ids[rnd() % nids];
	p[0].buffer_length = 16;
	p[0].length = &idlen;
	memset(r, 0, sizeof(r));
	r[0].buffer_type = MYSQL_TYPE_BLOB;
	r[0].buffer = id;
	r[0].buffer_length = sizeof(id);
	r[1].buffer_type = MYSQL_TYPE_STRING;
	r[1].buffer = type;
	r[1].buffer_length = sizeof(type);
	r[2].buffer_type = MYSQL_TYPE_STRING;
	r[2].buffer = subj;
	r[2].buffer_length = sizeof(subj);
	r[3].buffer_type = MYSQL_TYPE_STRING;
	r[3].buffer = body;
	r[3].buffer_length = sizeof(body);
	r[4].buffer_type = MYSQL_TYPE_STRING;
	r[4].buffer = pay;
	r[4].buffer_length = sizeof(pay);
	r[5].buffer_type = MYSQL_TYPE_LONGLONG;
	r[5].buffer = &seen;
	r[6].buffer_type = MYSQL_TYPE_LONGLONG;
	r[6].buffer = &created;
	for (n = 0; n < 7; n++)
		r[n].length = &len[n];
	if (mysql_stmt_bind_param(sel, p) != 0 ||
	    mysql_stmt_execute(sel) != 0 ||
	    mysql_stmt_bind_result(sel, r) != 0) {
		fail(out, sel);
		return;
	}
	f = mysql_stmt_fetch(sel);
	/* Drain, so the statement is ready again without a reset. */
	while (mysql_stmt_fetch(sel) == 0)
		;
	mysql_stmt_free_result(sel);
	if (f != 0 && f != MYSQL_DATA_TRUNCATED) {
		fail(out, sel);
		return;
	}
	type[len[1] < sizeof(type) ? len[1] : sizeof(type) - 1] = '\0';
	subj[len[2] < sizeof(subj) ? len[2] : sizeof(subj) - 1] = '\0';
	body[len[3] < sizeof(body) ? len[3] : sizeof(body) - 1] = '\0';
	pay[len[4] < sizeof(pay) ? len[4] : sizeof(pay) - 1] = '\0';
	n = snprintf(buf, sizeof(buf), "{\"type\":\"%s\",\"subject\":\"%s\","
	    "\"text\":\"%s\",\"payload\":%s,\"seen\":%s,\"timestamp\":\"%lld\"}",
	    type, subj, body, pay, seen ? "true" : "false", created);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	reply(out, "200 OK", buf, (size_t)n);
}

static void
do_insert(FCGX_Stream *in, FCGX_Stream *out)
{
	MYSQL_BIND		 p[4];
	unsigned char		 id[16];
	unsigned long		 idlen = 16, ulen = 16;
	long long		 now;
	struct timeval		 tv;
	unsigned long long	 a, b;
	char			 sink[4096];

	/* Read the request body, as a real handler must. */
	while (FCGX_GetStr(sink, sizeof(sink), in) > 0)
		;
	a = rnd();
	b = rnd();
	memcpy(id, &a, 8);
	memcpy(id + 8, &b, 8);
	id[6] = (id[6] & 0x0f) | 0x40;
	id[8] = (id[8] & 0x3f) | 0x80;
	gettimeofday(&tv, NULL);
	now = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	memset(p, 0, sizeof(p));
	p[0].buffer_type = MYSQL_TYPE_BLOB;
	p[0].buffer = id;
	p[0].buffer_length = 16;
	p[0].length = &idlen;
	p[1].buffer_type = MYSQL_TYPE_BLOB;
	p[1].buffer = users[rnd() % nusers];
	p[1].buffer_length = 16;
	p[1].length = &ulen;
	p[2].buffer_type = MYSQL_TYPE_LONGLONG;
	p[2].buffer = &now;
	p[3].buffer_type = MYSQL_TYPE_LONGLONG;
	p[3].buffer = &now;
	if (mysql_stmt_bind_param(ins, p) != 0 ||
	    mysql_stmt_execute(ins) != 0 ||
	    mysql_stmt_affected_rows(ins) != 1) {
		fail(out, ins);
		return;
	}
	reply(out, "200 OK", "{\"success\":true}", 16);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
	FCGX_ShutdownPending();
}

static void
worker(int fd, char **av)
{
	FCGX_Request		 rq;
	struct sigaction	 sa;
	const char		*uri;
	struct timeval		 tv;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sa, NULL);
	gettimeofday(&tv, NULL);
	rng = ((unsigned long long)getpid() << 32) ^ (unsigned long long)
	    tv.tv_usec ^ 0x9e3779b97f4a7c15ULL;
	db_open(av);
	FCGX_InitRequest(&rq, fd, 0);
	while (!stop && FCGX_Accept_r(&rq) == 0) {
		uri = FCGX_GetParam("DOCUMENT_URI", rq.envp);
		if (uri == NULL)
			uri = "";
		if (strstr(uri, "/select") != NULL)
			do_select(rq.out);
		else if (strstr(uri, "/insert") != NULL)
			do_insert(rq.in, rq.out);
		else
			reply(rq.out, "200 OK", json_body,
			    sizeof(json_body) - 1);
		FCGX_Finish_r(&rq);
	}
	mysql_close(db);
	_exit(0);
}

int
main(int ac, char **av)
{
	pid_t		 kids[MAXW];
	int		 fd, n, i, st;
	sigset_t	 set;
	int		 sig;

	if (ac != 7) {
		fprintf(stderr, "usage: floor SOCKET WORKERS DB_SOCKET DB_NAME "
		    "DB_USER DB_PASSWORD\n");
		return 2;
	}
	n = atoi(av[2]);
	if (n < 1 || n > MAXW)
		n = 4;
	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0)
		return 1;
	unlink(av[1]);
	if ((fd = FCGX_OpenSocket(av[1], 256)) < 0)
		die("FCGX_OpenSocket");
	chmod(av[1], 0666);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++) {
		if ((kids[i] = fork()) == -1)
			die("fork");
		if (kids[i] == 0) {
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			worker(fd, av);
		}
	}
	/* The master only waits for a signal, then stops its workers. */
	sigwait(&set, &sig);
	for (i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	/* Give them 2 s to finish the request in flight, then kill. */
	for (sig = 0; sig < 200; sig++) {
		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		for (i = 0; i < n; i++)
			if (kids[i] > 0 && kill(kids[i], 0) != 0)
				kids[i] = 0;
		for (i = 0; i < n && kids[i] == 0; i++)
			;
		if (i == n)
			break;
		usleep(10000);
	}
	for (i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	while (waitpid(-1, &st, 0) > 0)
		;
	unlink(av[1]);
	return 0;
}
