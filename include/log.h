#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* One line per call on standard error, with time, pid and level. */
void	log_set_level(enum log_level);
int	log_level_parse(const char *, enum log_level *);
void	log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * log_format = json: every line a JSON object {"time","level","pid",
 * "msg"}, access lines with their fields (below) instead of "msg".
 */
void	log_set_json(int);
/*
 * log_file: open "path" (append) onto standard error, so that whatever
 * writes there (libraries too) goes to it; "" leaves standard error.
 * 0, or -1 with errno set.  log_reopen() opens the same path again
 * (after logrotate moved it); 0 when there is none.
 */
int	log_open(const char *path);
int	log_reopen(void);
/* A signal handler (SIGUSR1 in workers): ask for a reopen... */
void	log_reopen_on_signal(int);
/* ... done here, between requests.  1 when it reopened. */
int	log_reopen_if_asked(void);
/* 1 when log_open() named a file. */
int	log_has_file(void);

/* One request, at info.  Never a credential: the principal is a name. */
struct log_access {
	const char	*request_id;
	const char	*dialect;
	const char	*method;
	const char	*route;		/* the pattern, not the path */
	int		 status;
	long long	 usec;
	const char	*principal;	/* user name, or NULL */
	const char	*role;
};
void	log_access(const struct log_access *);

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
