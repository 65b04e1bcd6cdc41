/*
 * The master: owns the listening socket and N single-threaded workers.
 * Signals are taken synchronously with sigtimedwait(), so the master has
 * no handlers and no races: SIGCHLD respawns, SIGHUP reloads (new workers
 * first, then the old ones drain), SIGTERM/SIGINT drain and exit, SIGUSR1
 * reopens logs (standard error: nothing to reopen).
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#include "app.h"
#include "cfg.h"
#include "log.h"
#include "metrics.h"
#include "ops.h"
#include "pool.h"
#include "store.h"
#include "transport.h"
#include "util.h"

#define POOL_MAX	256
#define DRAIN_MS	30000	/* then SIGKILL what is left */
#define RESPAWN_MS	500	/* a worker that died young waits this */

static volatile sig_atomic_t	worker_stop;
static int			pool_fd;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
	/* Stop libfcgi accepting; the request in flight finishes. */
	FCGX_ShutdownPending();
}

static void
worker_main(const struct cfg *cfg, int fd, size_t slot, unsigned int gen)
{
	struct sigaction	sa;
	sigset_t		none;
	struct app		app;

	/* A master killed with SIGKILL must not leave workers behind. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/*
	 * Every disposition is ours, none inherited: FCGX_Init gave the
	 * master libfcgi's SIGUSR1 handler, which would make accept fail
	 * at once, forever.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;	/* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/* Reopen log_file between requests (the master passes it on). */
	sa.sa_handler = log_reopen_on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (getppid() == 1)
		_exit(0);
	metrics_worker_start(slot, gen);

	app.cfg = cfg;
	if ((app.store = store_new(cfg)) == NULL)
		_exit(1);
	transport_fcgi_run(&app, fd, &worker_stop, cfg->max_requests);
	store_free(app.store);
	mysql_library_end();
	/* exit, not _exit: LeakSanitizer checks a worker when it ends. */
	exit(0);
}

static pid_t
pool_spawn(const struct cfg *cfg, int fd, size_t slot, unsigned int gen)
{
	pid_t	pid;

	/* 0, not -1, on failure: a slot with pid 0 is respawned later. */
	if ((pid = fork()) == -1) {
		log_error("fork: %s", strerror(errno));
		return 0;
	}
	if (pid == 0)
		worker_main(cfg, fd, slot, gen);
	return pid;
}

/*
 * "host:port" for a TCP "listen": ":port" means loopback, since whoever
 * reaches the socket can speak FastCGI and set REMOTE_USER.  Warns when
 * the host is not a loopback address.
 */
static int
pool_tcp_addr(const char *listen, char *buf, size_t sz)
{
	const char	*colon = strrchr(listen, ':');
	size_t		 hlen;
	int		 n;

	if (colon == NULL || colon == listen)
		n = snprintf(buf, sz, "127.0.0.1%s%s", colon == NULL ? ":" : "",
		    listen);
	else
		n = snprintf(buf, sz, "%s", listen);
	if (n < 0 || (size_t)n >= sz)
		return -1;
	hlen = (size_t)(strrchr(buf, ':') - buf);
	if (!((hlen == 9 && strncmp(buf, "localhost", 9) == 0) ||
	    (hlen >= 4 && strncmp(buf, "127.", 4) == 0)))
		log_warn("listening on %s, not a loopback address: anyone who "
		    "reaches it can speak FastCGI and set REMOTE_USER", buf);
	return 0;
}

/* Open the socket the config names, or take fd 0 from spawn-fcgi. */
static int
pool_listen(const struct cfg *cfg, int *created)
{
	struct stat	sb;
	char		addr[CFG_STR_MAX + 16];
	const char	*where = cfg->listen;
	int		fd;

	*created = 0;
	if (cfg->listen[0] == '\0') {
		if (fstat(0, &sb) == -1 || !S_ISSOCK(sb.st_mode)) {
			log_error("listen is empty and fd 0 is not a socket");
			return -1;
		}
		return 0;
	}
	if (cfg->listen[0] == '/') {
		/* A stale socket from a previous run would make bind fail. */
		if (lstat(cfg->listen, &sb) == 0 && S_ISSOCK(sb.st_mode))
			unlink(cfg->listen);
	}
	if (cfg->listen[0] != '/') {
		if (pool_tcp_addr(cfg->listen, addr, sizeof(addr)) != 0) {
			log_error("bad listen address %s", cfg->listen);
			return -1;
		}
		where = addr;
	}
	if ((fd = FCGX_OpenSocket(where, cfg->backlog)) < 0) {
		log_error("cannot listen on %s", cfg->listen);
		return -1;
	}
	if (cfg->listen[0] == '/') {
		*created = 1;
		if (chmod(cfg->listen, cfg->socket_mode) == -1) {
			log_error("chmod %s: %s", cfg->listen,
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static size_t
pool_live(const struct pool_slot *w, size_t n)
{
	size_t	i, live = 0;

	for (i = 0; i < n; i++)
		live += w[i].pid > 0;
	return live;
}

static void
pool_signal_all(struct pool_slot *w, size_t n, int sig)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (w[i].pid > 0)
			kill(w[i].pid, sig);
}

/* Slots generation "gen" holds: live, or waiting to respawn. */
static size_t
pool_held(const struct pool_slot *w, size_t n, unsigned int gen)
{
	size_t	i, held = 0;

	for (i = 0; i < n; i++)
		held += w[i].gen == gen && (w[i].pid > 0 || w[i].respawn_at != 0);
	return held;
}

size_t
pool_slots_assign(struct pool_slot *w, size_t n, unsigned int gen,
    size_t want, int64_t now)
{
	size_t	i, held = pool_held(w, n, gen);

	for (i = 0; i < n; i++) {
		if (w[i].gen == gen || w[i].pid > 0)
			continue;
		/* A free slot: the new generation's, or nobody's. */
		w[i].respawn_at = 0;
		if (held < want) {
			w[i] = (struct pool_slot){ 0, gen, now, now };
			held++;
		}
	}
	return held;
}

void
pool_slot_exited(struct pool_slot *w, size_t n, size_t i, unsigned int gen,
    size_t want, int64_t now)
{
	w[i].pid = 0;
	if (w[i].gen != gen) {
		/*
		 * A reload that found too few free slots (old workers still
		 * draining) left the generation short: this one is its.
		 */
		w[i].respawn_at = 0;
		if (pool_held(w, n, gen) >= want)
			return;
		w[i].gen = gen;
		w[i].started = now;
	}
	w[i].respawn_at = now - w[i].started < 1000 ? now + RESPAWN_MS : now;
}

/* Reap exited workers; schedule respawns (pool_slot_exited). */
static void
pool_reap(struct pool_slot *w, size_t n, unsigned int gen, size_t want,
    int stopping)
{
	pid_t	pid;
	int	status;
	size_t	i;
	int64_t	now = util_now_ms();

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < n; i++)
			if (w[i].pid == pid)
				break;
		if (i == n)
			continue;
		if (WIFSIGNALED(status) && !stopping)
			log_warn("worker %ld died of signal %d", (long)pid,
			    WTERMSIG(status));
		/* A reload's old workers leaving are not respawns. */
		metrics_worker_gone(i, pid, !stopping && w[i].gen == gen);
		if (stopping)
			w[i].pid = 0;
		else
			pool_slot_exited(w, n, i, gen, want, now);
	}
}

/*
 * SIGHUP: start a new generation under the new config, then ask the old
 * one to finish what it is doing and exit.  The listening socket is the
 * same, so no request is refused in between.
 */
static void
pool_reload(struct pool_slot *w, size_t *n, const struct cfg *cfg,
    unsigned int *gen)
{
	size_t	i, held;
	int64_t	now = util_now_ms();

	(*gen)++;
	*n = (size_t)cfg->workers;
	held = pool_slots_assign(w, 2 * POOL_MAX, *gen, *n, now);
	for (i = 0; i < 2 * POOL_MAX; i++) {
		if (w[i].gen != *gen || w[i].pid != 0 || w[i].respawn_at == 0)
			continue;
		w[i].pid = pool_spawn(cfg, pool_fd, i, *gen);
		w[i].respawn_at = w[i].pid > 0 ? 0 : now + RESPAWN_MS;
	}
	for (i = 0; i < 2 * POOL_MAX; i++)
		if (w[i].gen != *gen && w[i].pid > 0)
			kill(w[i].pid, SIGTERM);
	if (held < *n)
		log_warn("reload: %zu of %zu workers wait for old ones to "
		    "finish", *n - held, *n);
	log_info("reloaded: generation %u, %zu workers", *gen, *n);
}

int
pool_run(const char *cfgpath)
{
	static struct pool_slot	 w[2 * POOL_MAX];	/* two generations */
	struct cfg		*cfg, *next;
	sigset_t		 set;
	struct timespec		 tick = { 0, 100 * 1000 * 1000 };
	char			 err[512];
	unsigned int		 gen = 1;
	size_t			 i, n;
	int			 fd, created, sig, stopping = 0;
	int64_t			 deadline = 0, resend = INT64_MAX, now;

	if ((cfg = cfg_read(cfgpath)) == NULL)
		return 1;
	if (ops_log_setup(cfg, 1) != 0) {
		free(cfg);
		return 1;
	}
	/* Before any fork: every worker inherits the one segment. */
	if (cfg->metrics && metrics_map() != 0)
		log_warn("metrics: no shared memory: %s; nothing is counted",
		    strerror(errno));
	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0 ||
	    (fd = pool_listen(cfg, &created)) < 0) {
		free(cfg);
		return 1;
	}
	pool_fd = fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(w, 0, sizeof(w));
	n = (size_t)cfg->workers;
	now = util_now_ms();
	for (i = 0; i < n; i++)
		w[i] = (struct pool_slot){ 0, gen, 0, now };
	log_info("listening on %s with %zu workers", cfg->listen[0] != '\0' ?
	    cfg->listen : "fd 0", n);

	for (;;) {
		now = util_now_ms();
		for (i = 0; i < 2 * POOL_MAX && !stopping; i++)
			if (w[i].pid == 0 && w[i].gen == gen &&
			    w[i].respawn_at != 0 && w[i].respawn_at <= now) {
				w[i].pid = pool_spawn(cfg, fd, i, gen);
				w[i].started = now;
				w[i].respawn_at = w[i].pid > 0 ? 0 :
				    now + RESPAWN_MS;
			}
		if (stopping && pool_live(w, 2 * POOL_MAX) == 0)
			break;
		if (stopping && now > deadline) {
			log_warn("drain timed out; killing workers");
			pool_signal_all(w, 2 * POOL_MAX, SIGKILL);
			deadline = INT64_MAX;
		} else if (stopping && now >= resend) {
			/* One that got SIGTERM just before blocking in
			 * accept() is woken by the next. */
			pool_signal_all(w, 2 * POOL_MAX, SIGTERM);
			resend = now + 1000;
		}
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				log_info("draining on signal %d", sig);
				stopping = 1;
				deadline = now + DRAIN_MS;
				resend = now + 1000;
				pool_signal_all(w, 2 * POOL_MAX, SIGTERM);
			}
		} else if (sig == SIGUSR1 && !log_has_file()) {
			/* Logs go to standard error; whoever redirects it
			 * reopens it.  Nothing else to do. */
			log_info("SIGUSR1: logs go to standard error; "
			    "nothing to reopen");
		} else if (sig == SIGUSR1) {
			/* Ours first, then each worker's between requests. */
			if (log_reopen() != 0)
				log_error("reopen %s: %s", cfg->log_file,
				    strerror(errno));
			else
				log_info("SIGUSR1: log file reopened");
			pool_signal_all(w, 2 * POOL_MAX, SIGUSR1);
		} else if (sig == SIGHUP && !stopping) {
			if ((next = calloc(1, sizeof(*next))) == NULL ||
			    cfg_load(cfgpath, next, err, sizeof(err)) != 0) {
				log_error("reload refused: %s", next != NULL ?
				    err : "out of memory");
				free(next);
				continue;
			}
			if (strcmp(next->listen, cfg->listen) != 0)
				log_warn("reload: a new listen address needs "
				    "a restart; keeping %s", cfg->listen);
			memcpy(next->listen, cfg->listen, sizeof(cfg->listen));
			/* Old workers still use the old cfg; it is theirs
			 * after fork, so the master can replace its own. */
			cfg_clear(cfg);
			free(cfg);
			cfg = next;
			log_set_level(cfg->log_level);
			ops_log_setup(cfg, 1);
			pool_reload(w, &n, cfg, &gen);
		}
		pool_reap(w, 2 * POOL_MAX, gen, n, stopping);
	}
	if (created)
		unlink(cfg->listen);
	close(fd);
	cfg_clear(cfg);
	free(cfg);
	mysql_library_end();
	log_info("stopped");
	return 0;
}
