/*
 * herald.conf: "key = value" lines.  Keys live in one table with their
 * type and range; unknown keys and out-of-range values are errors.  A
 * '#' starts a comment at the start of a line or after white space, so
 * that a value (a password) may contain one.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "util.h"

enum cfg_type { CFG_STR, CFG_INT, CFG_UINT, CFG_SIZE, CFG_LL, CFG_OCTAL,
	CFG_AUTH, CFG_LOG, CFG_BOOL, CFG_WORD };

struct cfg_key {
	const char	*name;
	enum cfg_type	 type;
	size_t		 off;
	long long	 min, max;
};

#define K(n, t, f, lo, hi)	{ n, t, offsetof(struct cfg, f), lo, hi }

static const struct cfg_key cfg_keys[] = {
	K("listen",		CFG_STR,   listen, 0, 0),
	K("socket_mode",	CFG_OCTAL, socket_mode, 0, 0777),
	K("backlog",		CFG_INT,   backlog, 1, 65535),
	K("workers",		CFG_INT,   workers, 1, 256),
	K("max_requests",	CFG_LL,    max_requests, 0, 1000000000),
	K("body_max",		CFG_SIZE,  body_max, 1024, 67108864),
	K("json_depth",		CFG_INT,   json_depth, 2, 1000),
	K("query_max",		CFG_SIZE,  query_max, 256, 1048576),
	K("list_max",		CFG_LL,    list_max, 10, 1000000),
	K("reply_max",		CFG_SIZE,  reply_max, 65536, 1073741824),
	K("db_socket",		CFG_STR,   db_socket, 0, 0),
	K("db_host",		CFG_STR,   db_host, 0, 0),
	K("db_port",		CFG_UINT,  db_port, 1, 65535),
	K("db_name",		CFG_STR,   db_name, 0, 0),
	K("db_user",		CFG_STR,   db_user, 0, 0),
	K("db_password",	CFG_STR,   db_password, 0, 0),
	K("db_password_file",	CFG_STR,   db_password_file, 0, 0),
	K("db_connect_timeout",	CFG_UINT,  db_connect_timeout, 1, 300),
	K("db_read_timeout",	CFG_UINT,  db_read_timeout, 1, 300),
	K("db_write_timeout",	CFG_UINT,  db_write_timeout, 1, 300),
	K("auth",		CFG_AUTH,  auth, 0, 0),
	K("admin_users",	CFG_STR,   admin_users, 0, 0),
	K("service_users",	CFG_STR,   service_users, 0, 0),
	K("log_level",		CFG_LOG,   log_level, 0, 0),
	K("schema_dir",		CFG_STR,   schema_dir, 0, 0),
	K("email_enabled",	CFG_BOOL,  email_enabled, 0, 0),
	K("email_method",	CFG_WORD,  email_method, 0, 0),
	K("smtp_url",		CFG_STR,   smtp_url, 0, 0),
	K("smtp_from",		CFG_STR,   smtp_from, 0, 0),
	K("smtp_user",		CFG_STR,   smtp_user, 0, 0),
	K("smtp_password_file",	CFG_STR,   smtp_password_file, 0, 0),
	K("smtp_tls",		CFG_WORD,  smtp_tls, 0, 0),
	K("webhook_url",	CFG_STR,   webhook_url, 0, 0),
	K("webhook_format",	CFG_WORD,  webhook_format, 0, 0),
	K("send_timeout",	CFG_UINT,  send_timeout, 1, 300),
	K("delivery_max_attempts", CFG_INT, delivery_max_attempts, 1, 100),
	K("delivery_retry_base", CFG_UINT, delivery_retry_base, 1, 86400),
	K("delivery_lease",	CFG_UINT,  delivery_lease, 5, 3600),
	K("dispatch_interval_ms", CFG_UINT, dispatch_interval_ms, 10, 60000),
	K("dispatch_batch",	CFG_INT,   dispatch_batch, 1, 100),
	K("projects_timezone",	CFG_STR,   projects_timezone, 0, 0),	/* K */
	K("log_format",		CFG_WORD,  log_format, 0, 0),
	K("log_file",		CFG_STR,   log_file, 0, 0),
	K("metrics_access",	CFG_WORD,  metrics_access, 0, 0),
	K("metrics",		CFG_BOOL,  metrics, 0, 0),
	/* L: herald push */
	K("push_listen",	CFG_STR,   push_listen, 0, 0),
	K("push_poll_ms",	CFG_UINT,  push_poll_ms, 10, 10000),
	K("push_gap_ms",	CFG_UINT,  push_gap_ms, 100, 600000),
	K("push_queue_max",	CFG_SIZE,  push_queue_max, 4096, 67108864),
	K("push_watchers_max",	CFG_INT,   push_watchers_max, 1, 1000000),
	K("push_user_watchers_max", CFG_INT, push_user_watchers_max, 1, 100000),
	K("push_heartbeat_s",	CFG_UINT,  push_heartbeat_s, 1, 3600),
	K("push_recheck_s",	CFG_UINT,  push_recheck_s, 1, 60),
	K("push_retention_s",	CFG_UINT,  push_retention_s, 60, 31536000),
	/* L: AMQP for the Discovery Environment (herald dispatch) */
	K("amqp_url",		CFG_STR,   amqp_url, 0, 0),
	K("amqp_password_file",	CFG_STR,   amqp_password_file, 0, 0),
	K("amqp_exchange",	CFG_STR,   amqp_exchange, 0, 0),
	K("amqp_ping_queue",	CFG_STR,   amqp_ping_queue, 0, 0),
	/* Retention (issue M): days; 0 keeps forever. */
	K("retention_read_days", CFG_INT, retention_days[CFG_RETAIN_READ],
	    0, 36500),
	K("retention_deleted_days", CFG_INT,
	    retention_days[CFG_RETAIN_DELETED], 0, 36500),
	K("retention_deliveries_days", CFG_INT,
	    retention_days[CFG_RETAIN_DELIVERIES], 0, 36500),
	K("retention_tenant_overrides", CFG_STR, retention_overrides, 0, 0),
	K("purge_interval",	CFG_UINT,  purge_interval, 0, 604800),
	K("purge_batch",	CFG_INT,   purge_batch, 1, 10000),
	K("purge_pause_ms",	CFG_UINT,  purge_pause_ms, 0, 60000),
	/* I: FOLIO's Okapi */
	K("folio_okapi_url",	CFG_STR,   folio_okapi_url, 0, 0),
	K("folio_okapi_timeout_ms", CFG_UINT, folio_okapi_timeout_ms, 100,
	    30000),
};

/* The words a CFG_WORD key accepts, "|"-separated. */
static const struct {
	const char	*key;
	const char	*words;
} cfg_words[] = {
	{ "email_method",	"|smtp|webhook|" },
	{ "smtp_tls",		"|none|try|required|" },
	{ "webhook_format",	"|herald|agent-email|" },
	{ "log_format",		"|text|json|" },
	{ "metrics_access",	"|loopback|token|" },
};

static int
cfg_word_ok(const char *key, const char *v)
{
	char	pat[64];
	size_t	i;

	if (strchr(v, '|') != NULL ||
	    (size_t)snprintf(pat, sizeof(pat), "|%s|", v) >= sizeof(pat))
		return 0;
	for (i = 0; i < sizeof(cfg_words) / sizeof(cfg_words[0]); i++)
		if (strcmp(cfg_words[i].key, key) == 0)
			return strstr(cfg_words[i].words, pat) != NULL;
	return 0;
}

void
cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "/run/herald/herald.sock");
	c->socket_mode = 0660;
	c->backlog = 256;
	c->workers = 4;
	c->body_max = 1048576;
	c->json_depth = 32;
	c->query_max = 4096;
	c->list_max = 1000;
	c->reply_max = 8 * 1024 * 1024;
	snprintf(c->db_socket, sizeof(c->db_socket), "/run/mysqld/mysqld.sock");
	snprintf(c->db_host, sizeof(c->db_host), "localhost");
	c->db_port = 3306;
	snprintf(c->db_name, sizeof(c->db_name), "herald");
	snprintf(c->db_user, sizeof(c->db_user), "herald");
	c->db_connect_timeout = 2;
	c->db_read_timeout = 10;
	c->db_write_timeout = 10;
	c->auth = AUTH_TOKEN;
	c->log_level = LOG_INFO;
	snprintf(c->schema_dir, sizeof(c->schema_dir), "%s/schema",
	    HERALD_DATADIR);
	c->email_enabled = 1;
	snprintf(c->email_method, sizeof(c->email_method), "smtp");
	snprintf(c->smtp_url, sizeof(c->smtp_url), "smtp://127.0.0.1:25");
	snprintf(c->smtp_from, sizeof(c->smtp_from), "herald@localhost");
	snprintf(c->smtp_tls, sizeof(c->smtp_tls), "try");
	snprintf(c->webhook_format, sizeof(c->webhook_format), "herald");
	c->send_timeout = 10;
	c->delivery_max_attempts = 8;
	c->delivery_retry_base = 30;
	c->delivery_lease = 120;
	c->dispatch_interval_ms = 1000;
	c->dispatch_batch = 10;	/* 10 x send_timeout < delivery_lease */
	snprintf(c->projects_timezone, sizeof(c->projects_timezone), "UTC");
	snprintf(c->log_format, sizeof(c->log_format), "text");
	snprintf(c->metrics_access, sizeof(c->metrics_access), "loopback");
	c->metrics = 1;
	snprintf(c->push_listen, sizeof(c->push_listen),
	    "/run/herald/push.sock");
	c->push_poll_ms = 100;
	c->push_gap_ms = 5000;
	c->push_queue_max = 1048576;
	c->push_watchers_max = 20000;
	c->push_user_watchers_max = 64;
	c->push_heartbeat_s = 15;
	c->push_recheck_s = 30;
	c->push_retention_s = 86400;
	snprintf(c->amqp_exchange, sizeof(c->amqp_exchange), "de");
	snprintf(c->amqp_ping_queue, sizeof(c->amqp_ping_queue),
	    "events.notification-agent.queue");
	c->retention_days[CFG_RETAIN_READ] = 0;
	c->retention_days[CFG_RETAIN_DELETED] = 30;
	c->retention_days[CFG_RETAIN_DELIVERIES] = 90;
	c->purge_interval = 3600;
	c->purge_batch = 500;
	c->purge_pause_ms = 50;
	c->folio_okapi_timeout_ms = 2000;	/* I: a worker waits this long */
}

/*
 * retention_tenant_overrides: "TENANT:what=DAYS[,what=DAYS...]" entries
 * separated by ';', "what" one of read, deleted, deliveries; what an
 * entry leaves out is the global setting.  Fills days[] for "tenant"
 * (NULL: only check the text).  -1 when the text is malformed.
 */
int
cfg_retention(const struct cfg *c, const char *tenant,
    int *days)
{
	static const char *const what[CFG_RETAIN__MAX] =
	    { "read", "deleted", "deliveries" };
	const char	*p = c->retention_overrides, *e, *colon, *q, *eq, *end;
	char		 num[16];
	long long	 n;
	size_t		 tl, wl, i;
	int		 mine;

	if (days != NULL)
		for (i = 0; i < CFG_RETAIN__MAX; i++)
			days[i] = c->retention_days[i];
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, ';');
		end = e != NULL ? e : p + strlen(p);
		if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL ||
		    colon == p || (tl = (size_t)(colon - p)) > 64)
			return -1;
		mine = tenant != NULL && strlen(tenant) == tl &&
		    memcmp(p, tenant, tl) == 0;
		for (q = colon + 1; q < end; q = e != NULL && e < end ?
		    e + 1 : end) {
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			e = memchr(q, ',', (size_t)(end - q));
			if ((eq = memchr(q, '=', (size_t)((e != NULL ? e : end) -
			    q))) == NULL)
				return -1;
			wl = (size_t)(eq - q);
			for (i = 0; i < CFG_RETAIN__MAX; i++)
				if (strlen(what[i]) == wl &&
				    memcmp(q, what[i], wl) == 0)
					break;
			if (i == CFG_RETAIN__MAX)
				return -1;
			tl = (size_t)((e != NULL ? e : end) - (eq + 1));
			while (tl > 0 && (eq[tl] == ' ' || eq[tl] == '\t'))
				tl--;
			if (tl == 0 || tl >= sizeof(num))
				return -1;
			memcpy(num, eq + 1, tl);
			num[tl] = '\0';
			if (util_strtoll(num, 0, 36500, &n) != 0)
				return -1;
			if (mine && days != NULL)
				days[i] = (int)n;
		}
		p = end;
	}
	return 0;
}

void
cfg_clear(struct cfg *c)
{
	explicit_bzero(c->db_password, sizeof(c->db_password));
	explicit_bzero(c->smtp_password, sizeof(c->smtp_password));
}

static int
cfg_fail(char *err, size_t errsz, const char *name, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	n = snprintf(err, errsz, "%s:%d: ", name, line);
	if (n < 0 || (size_t)n >= errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
cfg_set(struct cfg *c, const struct cfg_key *k, const char *v)
{
	char		*field = (char *)c + k->off;
	long long	 n;
	char		*end;

	switch (k->type) {
	case CFG_STR:
		if (strlen(v) >= CFG_STR_MAX)
			return -1;
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case CFG_OCTAL:
		errno = 0;
		n = strtoll(v, &end, 8);
		if (*v == '\0' || *end != '\0' || errno != 0 ||
		    n < k->min || n > k->max)
			return -1;
		*(unsigned int *)(void *)field = (unsigned int)n;
		return 0;
	case CFG_AUTH:
		if (strcmp(v, "token") == 0)
			*(enum auth_mode *)(void *)field = AUTH_TOKEN;
		else if (strcmp(v, "remote-user") == 0)
			*(enum auth_mode *)(void *)field = AUTH_REMOTE_USER;
		else if (strcmp(v, "trusted-network") == 0)
			*(enum auth_mode *)(void *)field = AUTH_TRUSTED_NETWORK;
		else
			return -1;
		return 0;
	case CFG_LOG:
		return log_level_parse(v, (enum log_level *)(void *)field);
	case CFG_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			*(int *)(void *)field = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			*(int *)(void *)field = 0;
		else
			return -1;
		return 0;
	case CFG_WORD:
		if (!cfg_word_ok(k->name, v) || strlen(v) >= 16)
			return -1;
		memcpy(field, v, strlen(v) + 1);
		return 0;
	default:
		break;
	}
	if (util_strtoll(v, k->min, k->max, &n) != 0)
		return -1;
	switch (k->type) {
	case CFG_INT:
		*(int *)(void *)field = (int)n;
		break;
	case CFG_UINT:
		*(unsigned int *)(void *)field = (unsigned int)n;
		break;
	case CFG_SIZE:
		*(size_t *)(void *)field = (size_t)n;
		break;
	default:
		*(long long *)(void *)field = n;
		break;
	}
	return 0;
}

/* Cut a comment: '#' at the start or after white space. */
static void
cfg_uncomment(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++)
		if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
}

/*
 * Settings that are each in range but wrong together.  A batch that
 * can outlast its lease lets another dispatcher take and send the rest.
 */
static int
cfg_check(const struct cfg *c, const char *name, char *err, size_t errsz)
{
	if (cfg_retention(c, NULL, NULL) != 0)
		return cfg_fail(err, errsz, name, 0, "retention_tenant_overrides:"
		    " expected \"TENANT:read=DAYS,deleted=DAYS,deliveries=DAYS"
		    "; ...\"");
	if ((unsigned long long)c->dispatch_batch * c->send_timeout >=
	    c->delivery_lease)
		return cfg_fail(err, errsz, name, 0, "dispatch_batch (%d) x "
		    "send_timeout (%u s) must be less than delivery_lease "
		    "(%u s)", c->dispatch_batch, c->send_timeout,
		    c->delivery_lease);
	/* I: a base URL, no trailing slash (paths are appended). */
	if (c->folio_okapi_url[0] != '\0' &&
	    ((strncmp(c->folio_okapi_url, "http://", 7) != 0 &&
	    strncmp(c->folio_okapi_url, "https://", 8) != 0) ||
	    c->folio_okapi_url[strlen(c->folio_okapi_url) - 1] == '/' ||
	    strpbrk(c->folio_okapi_url, "?# \t") != NULL))
		return cfg_fail(err, errsz, name, 0, "folio_okapi_url: expected "
		    "http[s]://host[:port][/path] without a trailing \"/\"");
	if (c->amqp_url[0] != '\0' && strncmp(c->amqp_url, "amqp://", 7) != 0 &&
	    strncmp(c->amqp_url, "amqps://", 8) != 0)
		return cfg_fail(err, errsz, name, 0, "amqp_url: expected "
		    "amqp://user:password@host:port/vhost (or amqps://)");
	/* An AMQP short string, and a word the broker accepts. */
	if (c->amqp_exchange[0] == '\0' || strlen(c->amqp_exchange) > 127 ||
	    strspn(c->amqp_exchange, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") !=
	    strlen(c->amqp_exchange))
		return cfg_fail(err, errsz, name, 0, "amqp_exchange: letters, "
		    "digits, \"-_.:\", at most 127");
	if (strlen(c->amqp_ping_queue) > 127 ||
	    strspn(c->amqp_ping_queue, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") !=
	    strlen(c->amqp_ping_queue) || strncmp(c->amqp_ping_queue, "amq.",
	    4) == 0)
		return cfg_fail(err, errsz, name, 0, "amqp_ping_queue: letters, "
		    "digits, \"-_.:\", at most 127, not \"amq.\"");
	return 0;
}

static char *
cfg_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
cfg_parse(const char *text, const char *name, struct cfg *c, char *err,
    size_t errsz)
{
	char		 line[2048], *p, *key, *val, *eq;
	const char	*nl;
	size_t		 i, len;
	int		 lineno = 0;

	while (*text != '\0') {
		lineno++;
		nl = strchr(text, '\n');
		len = nl != NULL ? (size_t)(nl - text) : strlen(text);
		if (len >= sizeof(line))
			return cfg_fail(err, errsz, name, lineno,
			    "line too long");
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (nl != NULL);
		cfg_uncomment(line);
		p = cfg_trim(line);
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) == NULL)
			return cfg_fail(err, errsz, name, lineno,
			    "expected \"key = value\"");
		*eq = '\0';
		key = cfg_trim(p);
		val = cfg_trim(eq + 1);
		for (i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
			if (strcmp(key, cfg_keys[i].name) == 0)
				break;
		if (i == sizeof(cfg_keys) / sizeof(cfg_keys[0]))
			return cfg_fail(err, errsz, name, lineno,
			    "unknown key \"%s\"", key);
		if (cfg_set(c, &cfg_keys[i], val) != 0) {
			if (cfg_keys[i].max > 0)
				return cfg_fail(err, errsz, name, lineno,
				    "bad value for %s (range %lld..%lld)", key,
				    cfg_keys[i].min, cfg_keys[i].max);
			return cfg_fail(err, errsz, name, lineno,
			    "bad value for %s", key);
		}
	}
	return cfg_check(c, name, err, errsz);
}

/* A password file holds a secret: refuse one that others can read. */
static int
cfg_read_password(const char *path, char *dst, char *err, size_t errsz)
{
	struct stat	 sb;
	char		 buf[CFG_STR_MAX];
	ssize_t		 n;
	int		 fd;
	char		*nl;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return cfg_fail(err, errsz, path, 0, "%s", strerror(errno));
	if (fstat(fd, &sb) == -1 || (sb.st_mode & 077) != 0) {
		close(fd);
		return cfg_fail(err, errsz, path, 0,
		    "must not be group- or world-accessible (chmod 600)");
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return cfg_fail(err, errsz, path, 0, "%s", strerror(errno));
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	/* A file written on Windows ends its line with CR LF. */
	if ((nl = strchr(buf, '\r')) != NULL && nl[1] == '\0')
		*nl = '\0';
	memcpy(dst, buf, strlen(buf) + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int
cfg_load(const char *path, struct cfg *c, char *err, size_t errsz)
{
	char	*text;
	int	 rc;

	cfg_defaults(c);
	if ((text = util_slurp(path, 1024 * 1024)) == NULL)
		return cfg_fail(err, errsz, path, 0, "cannot read: %s",
		    strerror(errno));
	rc = cfg_parse(text, path, c, err, errsz);
	free(text);
	if (rc == 0 && c->db_password_file[0] != '\0')
		rc = cfg_read_password(c->db_password_file, c->db_password,
		    err, errsz);
	if (rc == 0 && c->smtp_password_file[0] != '\0')
		rc = cfg_read_password(c->smtp_password_file,
		    c->smtp_password, err, errsz);
	if (rc == 0 && c->amqp_password_file[0] != '\0')
		rc = cfg_read_password(c->amqp_password_file,
		    c->amqp_password, err, errsz);
	return rc;
}

struct cfg *
cfg_read(const char *path)
{
	struct cfg	*c;
	char		 err[512];

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (cfg_load(path, c, err, sizeof(err)) != 0) {
		log_error("%s", err);
		free(c);
		return NULL;
	}
	log_set_level(c->log_level);
	return c;
}
