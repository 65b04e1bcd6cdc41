/*
 * Log lines on standard error: "2026-11-23T18:00:00Z herald[pid] level: text",
 * or with log_format = json one JSON object a line.  log_file puts a file
 * onto standard error, reopened on SIGUSR1 for logrotate.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jbuf.h"
#include "log.h"
#include "util.h"

#define LOG_LINE_MAX	4096
#define LOG_PATH_MAX	512

static enum log_level	 log_max = LOG_INFO;
static int		 log_json;
static char		 log_path[LOG_PATH_MAX];
static volatile sig_atomic_t log_reopen_asked;
static const char *const log_names[] = { "error", "warn", "info", "debug" };

void
log_set_level(enum log_level l)
{
	log_max = l;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_set_json(int on)
{
	log_json = on;
}

int
log_has_file(void)
{
	return log_path[0] != '\0';
}

int
log_open(const char *path)
{
	int	fd;

	if (strlen(path) >= sizeof(log_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (path[0] == '\0')
		return 0;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	/* dup2 keeps fd 2 valid throughout: no line is lost in between. */
	if (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return -1;
	}
	if (fd != STDERR_FILENO)
		close(fd);
	memmove(log_path, path, strlen(path) + 1);
	return 0;
}

int
log_reopen(void)
{
	return log_path[0] != '\0' ? log_open(log_path) : 0;
}

void
log_reopen_on_signal(int sig)
{
	(void)sig;
	log_reopen_asked = 1;
}

int
log_reopen_if_asked(void)
{
	if (!log_reopen_asked)
		return 0;
	log_reopen_asked = 0;
	if (!log_has_file())
		return 0;
	if (log_reopen() != 0) {
		log_error("reopen %s: %s", log_path, strerror(errno));
		return 0;
	}
	log_info("log file reopened");
	return 1;
}

/* One line, one write, so lines of several workers do not interleave. */
static void
log_write(const char *line, size_t len)
{
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

/* {"time":"...","level":"...","pid":N, then the caller's fields. */
static void
log_json_head(struct jbuf *b, enum log_level l)
{
	char	stamp[40];

	util_time_rfc3339(util_now_ms(), stamp, sizeof(stamp));
	jbuf_lit(b, "{");
	jbuf_key(b, "time");
	jbuf_str(b, stamp);
	jbuf_lit(b, ",");
	jbuf_key(b, "level");
	jbuf_str(b, log_names[l]);
	jbuf_lit(b, ",");
	jbuf_key(b, "pid");
	jbuf_i64(b, (long long)getpid());
}

static void
log_json_line(enum log_level l, const char *msg)
{
	struct jbuf	b;

	jbuf_init(&b, LOG_LINE_MAX);
	log_json_head(&b, l);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "msg");
	/* Not valid UTF-8 (a library's message): say so, not broken JSON. */
	jbuf_str(&b, util_utf8_valid(msg, strlen(msg)) ? msg :
	    "(message not valid UTF-8)");
	jbuf_lit(&b, "}\n");
	if (!b.over)
		log_write(b.buf, b.len);
	jbuf_free(&b);
}

void
log_access(const struct log_access *a)
{
	struct jbuf	b;
	char		line[1024];
	int		n;

	if (LOG_INFO > log_max)
		return;
	if (!log_json) {
		n = snprintf(line, sizeof(line), "access %s %s %s %d %.3f ms "
		    "principal=%s role=%s id=%s", a->dialect, a->method,
		    a->route, a->status, (double)a->usec / 1000.0,
		    a->principal != NULL ? a->principal : "-", a->role,
		    a->request_id);
		log_info("%s", n > 0 ? line : "access");
		return;
	}
	jbuf_init(&b, LOG_LINE_MAX);
	log_json_head(&b, LOG_INFO);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "msg");
	jbuf_str(&b, "access");
	jbuf_lit(&b, ",");
	jbuf_key(&b, "request_id");
	jbuf_str(&b, a->request_id);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "dialect");
	jbuf_str(&b, a->dialect);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "method");
	jbuf_str(&b, a->method);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "route");
	jbuf_str(&b, a->route);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "status");
	jbuf_i64(&b, a->status);
	jbuf_lit(&b, ",");
	n = snprintf(line, sizeof(line), "%.3f", (double)a->usec / 1000.0);
	jbuf_key(&b, "duration_ms");
	jbuf_raw(&b, line, n > 0 ? (size_t)n : 0);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "principal");
	jbuf_str(&b, a->principal != NULL &&
	    util_utf8_valid(a->principal, strlen(a->principal)) ?
	    a->principal : NULL);
	jbuf_lit(&b, ",");
	jbuf_key(&b, "role");
	jbuf_str(&b, a->role);
	jbuf_lit(&b, "}\n");
	if (!b.over)
		log_write(b.buf, b.len);
	jbuf_free(&b);
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	char		 line[1024], stamp[32];
	va_list		 ap;
	time_t		 now;
	struct tm	 tm;
	int		 n;

	if (l > log_max)
		return;
	if (log_json) {
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		log_json_line(l, line);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s herald[%ld] %s: ", stamp,
	    (long)getpid(), log_names[l]);
	if (n < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line, so lines of several workers do not interleave. */
	n = (int)strnlen(line, sizeof(line) - 2);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
