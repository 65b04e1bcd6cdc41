#ifndef CFG_H
#define CFG_H

#include <stddef.h>

#include "log.h"

#define CFG_STR_MAX	512

/* Retention (issue M): the kinds of retention_*_days. */
enum cfg_retain { CFG_RETAIN_READ, CFG_RETAIN_DELETED, CFG_RETAIN_DELIVERIES,
	CFG_RETAIN__MAX };

enum auth_mode { AUTH_TOKEN, AUTH_REMOTE_USER, AUTH_TRUSTED_NETWORK };

struct cfg {
	char		listen[CFG_STR_MAX];
	unsigned int	socket_mode;
	int		backlog;
	int		workers;
	long long	max_requests;
	size_t		body_max;
	int		json_depth;
	size_t		query_max;
	long long	list_max;	/* rows in one unpaged listing */
	size_t		reply_max;	/* bytes of one listing */
	char		db_socket[CFG_STR_MAX];
	char		db_host[CFG_STR_MAX];
	unsigned int	db_port;
	char		db_name[CFG_STR_MAX];
	char		db_user[CFG_STR_MAX];
	char		db_password[CFG_STR_MAX];	/* secret: never logged */
	char		db_password_file[CFG_STR_MAX];
	unsigned int	db_connect_timeout;
	unsigned int	db_read_timeout;
	unsigned int	db_write_timeout;
	enum auth_mode	auth;
	char		admin_users[CFG_STR_MAX];	/* remote-user roles */
	char		service_users[CFG_STR_MAX];
	enum log_level	log_level;
	char		schema_dir[CFG_STR_MAX];

	/* Delivery (herald dispatch) */
	int		email_enabled;
	char		email_method[16];	/* smtp | webhook */
	char		smtp_url[CFG_STR_MAX];
	char		smtp_from[CFG_STR_MAX];
	char		smtp_user[CFG_STR_MAX];
	char		smtp_password[CFG_STR_MAX];	/* secret */
	char		smtp_password_file[CFG_STR_MAX];
	char		smtp_tls[16];		/* none | try | required */
	char		webhook_url[CFG_STR_MAX];
	char		webhook_format[16];	/* herald | agent-email */
	unsigned int	send_timeout;
	int		delivery_max_attempts;
	unsigned int	delivery_retry_base;
	unsigned int	delivery_lease;
	unsigned int	dispatch_interval_ms;
	int		dispatch_batch;

	/* K (issue K): the project tool's zone for created_at/updated_at. */
	char		projects_timezone[CFG_STR_MAX];
	/* Operations */
	char		log_format[16];		/* text | json */
	char		log_file[CFG_STR_MAX];	/* "": standard error */
	char		metrics_access[16];	/* loopback | token */
	int		metrics;		/* count at all */

	/* L (issue L): herald push, the streams' process. */
	char		push_listen[CFG_STR_MAX];	/* socket path or addr:port */
	unsigned int	push_poll_ms;		/* change-log poll period */
	unsigned int	push_gap_ms;		/* wait for a skipped change */
	size_t		push_queue_max;		/* bytes queued per stream */
	int		push_watchers_max;	/* streams per process */
	int		push_user_watchers_max;	/* streams per user */
	unsigned int	push_heartbeat_s;
	unsigned int	push_recheck_s;		/* tokens re-checked */
	unsigned int	push_retention_s;	/* change-log rows kept */
	/* L: AMQP for the DE; "" publishes nothing. */
	char		amqp_url[CFG_STR_MAX];	/* amqp[s]://user:pw@host:port/vhost */
	char		amqp_password_file[CFG_STR_MAX];
	char		amqp_password[CFG_STR_MAX];	/* its content: secret */
	char		amqp_exchange[CFG_STR_MAX];	/* topic, durable */
	char		amqp_ping_queue[CFG_STR_MAX];	/* "": no pong */
	/* Retention (issue M): days, 0 = forever; see cfg_retention(). */
	int		retention_days[CFG_RETAIN__MAX];
	char		retention_overrides[CFG_STR_MAX];
	unsigned int	purge_interval;		/* s between dispatcher purges */
	int		purge_batch;		/* rows per transaction */
	unsigned int	purge_pause_ms;		/* between batches */
	/*
	 * I (issue I): FOLIO's Okapi, for _username, eventConfigName and
	 * patron notices ("": Herald's own users and templates), and the
	 * bound on each call a pool worker makes to it.
	 */
	char		folio_okapi_url[CFG_STR_MAX];
	unsigned int	folio_okapi_timeout_ms;
};

/* Fill "cfg" with the built-in defaults. */
void	cfg_defaults(struct cfg *);

/*
 * Load "path" over the defaults.  On failure returns -1 with a message
 * (file:line: what) in "err"; "cfg" is then unspecified.
 */
int	cfg_load(const char *path, struct cfg *, char *err, size_t errsz);
/*
 * A process's configuration: loaded into new memory (caller frees with
 * cfg_clear and free), the log level set from it; NULL, logged, when the
 * file is refused.
 */
struct cfg *cfg_read(const char *path);

/* Parse config text already in memory (for tests). */
int	cfg_parse(const char *text, const char *name, struct cfg *,
	    char *err, size_t errsz);

/*
 * The retention days (enum cfg_retain order) for "tenant": the global
 * keys, then its retention_tenant_overrides entry.  "tenant" and "days"
 * NULL: check the overrides' syntax only.  -1 when malformed.
 */
int	cfg_retention(const struct cfg *, const char *tenant, int *days);

/* Wipe the secret fields. */
void	cfg_clear(struct cfg *);

#endif
