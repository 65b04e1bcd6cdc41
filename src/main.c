/* herald: the command line.  Subcommands: serve, migrate. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#include "app.h"
#include "cfg.h"
#include "cli.h"
#include "dialect.h"
#include "log.h"
#include "ops.h"
#include "pool.h"
#include "purge.h"
#include "store.h"
#include "delivery.h"
#include "push.h"
#include "outbox.h"
#include "token.h"
#include "transport.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: herald [-c config] command\n"
	    "\n"
	    "commands:\n"
	    "  serve     run the FastCGI pool (socket from \"listen\", or fd 0)\n"
	    "  migrate   apply schema/NNN_*.sql not yet applied, in order\n"
	    "  routes    every dialect's routes: dialect, method, path, flags\n"
	    "  token create --user NAME --role user|service|admin\n"
	    "            [--expires DURATION] [--tenant T]\n"
	    "                                   print a new API token, once\n"
	    "  token list                       list tokens (never the tokens)\n"
	    "  token revoke ID                  refuse a token from now on\n"
	    "  dispatch  send queued e-mail and webhook deliveries\n"
	    "  push      serve the streams (SSE, WebSocket) from \"push_listen\"\n"
	    "  template add NAME FILE | load DIR | list | show NAME | remove NAME\n"
	    "  user add NAME [--id UUID] [--tenant T] [--email ADDR]\n"
	    "            create or update a user; print its id\n"
	    "  user show NAME | list | remove NAME   [--tenant T]\n"
	    "  deliveries [--state pending|sent|failed]\n"
	    "  status [--json]  the pool's workers, requests, uptime, queue\n"
	    "  import agent|folio|coder|laravel --from URL [--tenant T]\n"
	    "            [--dry-run] [--since TIME] [--batch N]\n"
	    "                                   bring an original's history along:\n"
	    "            URL is its PostgreSQL (postgresql://... or \"dbname=...\"),\n"
	    "            laravel's mysql://USER:PW@HOST[:PORT]/DB[?socket=PATH];\n"
	    "            folio needs --tenant; safe to run again, resumes\n"
	    "  purge [--tenant T] [--dry-run]\n"
	    "            delete what retention_*_days make due, in batches\n"
	    "\n"
	    "Started by a web server with no command, herald answers as a\n"
	    "FastCGI responder on fd 0 (spawn-fcgi, mod_fcgid) or, when\n"
	    "GATEWAY_INTERFACE is set, as a CGI program.\n"
	    "\n"
	    "options:\n"
	    "  -c, --config FILE   configuration (default: $HERALD_CONFIG,\n"
	    "                      then %s/herald.conf)\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       the version\n", HERALD_SYSCONFDIR);
}

/* The usage lines of one command (and their continuations). */
static int
usage_of(const char *cmd)
{
	char		*text = NULL, *line, *save = NULL;
	size_t		 sz = 0, len = strlen(cmd);
	FILE		*f;
	int		 in = 0, found = 0;

	if ((f = open_memstream(&text, &sz)) == NULL)
		return 1;
	usage(f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ')
			in = strncmp(line + 2, cmd, len) == 0 &&
			    (line[2 + len] == ' ' || line[2 + len] == '\0');
		else if (strncmp(line, "    ", 4) != 0)
			in = 0;
		if (in) {
			printf("%s\n", line);
			found = 1;
		}
	}
	free(text);
	if (!found) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static const char *
config_path(const char *opt)
{
	const char	*env;

	if (opt != NULL)
		return opt;
	if ((env = getenv("HERALD_CONFIG")) != NULL && *env != '\0')
		return env;
	return HERALD_SYSCONFDIR "/herald.conf";
}

static int
load(const char *path, struct cfg *cfg)
{
	char	err[512];

	if (cfg_load(path, cfg, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return -1;
	}
	log_set_level(cfg->log_level);
	/* log_file is herald serve's; a command's stderr is its user's. */
	return ops_log_setup(cfg, 0);
}

static int
cmd_migrate(const char *path)
{
	struct cfg	 cfg;
	struct store	*st;
	int		 rc;

	if (load(path, &cfg) != 0)
		return 1;
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(&cfg)) == NULL)
		return 1;
	rc = store_migrate(st, cfg.schema_dir);
	store_free(st);
	mysql_library_end();
	cfg_clear(&cfg);
	if (rc == 0)
		log_info("migrate: schema is up to date");
	return rc == 0 ? 0 : 1;
}

/* A subcommand that needs only the configuration. */
static int
cmd_with_cfg(const char *path, int (*fn)(const struct cfg *, int, char **),
    int argc, char *argv[])
{
	struct cfg	cfg;
	int		rc;

	if (load(path, &cfg) != 0)
		return 1;
	rc = fn(&cfg, argc, argv);
	cfg_clear(&cfg);
	return rc;
}


static volatile sig_atomic_t	responder_stop;

static void
responder_on_term(int sig)
{
	(void)sig;
	responder_stop = 1;
	/* Stop libfcgi accepting; the request in flight finishes. */
	FCGX_ShutdownPending();
}

/* No command: a web server started us (spawn-fcgi, mod_fcgid or CGI). */
static int
cmd_responder(const char *path)
{
	struct sigaction		 sa;
	struct cfg			 cfg;
	struct app			 app;
	struct stat			 sb;
	int				 cgi;

	cgi = getenv("GATEWAY_INTERFACE") != NULL;
	if (!cgi && (fstat(0, &sb) == -1 || !S_ISSOCK(sb.st_mode))) {
		usage(stderr);
		return 2;
	}
	if (load(path, &cfg) != 0)
		return 1;
	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0 ||
	    (app.store = store_new(&cfg)) == NULL)
		return 1;
	app.cfg = &cfg;
	if (cgi)
		transport_cgi_run(&app);
	else {
		/* After FCGX_Init, which installs libfcgi's own handlers. */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = responder_on_term;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGUSR1, &sa, NULL);	/* mod_fcgid's "please exit" */
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
		transport_fcgi_run(&app, 0, &responder_stop, cfg.max_requests);
	}
	store_free(app.store);
	mysql_library_end();
	cfg_clear(&cfg);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const char	*cfgopt = NULL;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			cfgopt = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("herald %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	argc -= optind;
	argv += optind;

	if (argc == 0)
		return cmd_responder(config_path(cfgopt));
	/* "herald CMD --help": that command's lines of the usage, with no
	 * configuration read. */
	if (argc >= 2 && (strcmp(argv[argc - 1], "--help") == 0 ||
	    strcmp(argv[argc - 1], "-h") == 0))
		return usage_of(argv[0]);
	/* Needs no configuration: the tables are compiled in. */
	if (argc == 1 && strcmp(argv[0], "routes") == 0)
		return dialect_print_routes();
	if (argc == 1 && strcmp(argv[0], "serve") == 0)
		return pool_run(config_path(cfgopt));
	if (argc == 1 && strcmp(argv[0], "migrate") == 0)
		return cmd_migrate(config_path(cfgopt));
	if (argc >= 2 && strcmp(argv[0], "token") == 0)
		return cmd_with_cfg(config_path(cfgopt), token_cmd, argc - 1,
		    argv + 1);
	/* The dispatcher loads the config itself: SIGHUP reloads it. */
	if (argc == 1 && strcmp(argv[0], "dispatch") == 0)
		return delivery_run(config_path(cfgopt));
	/* herald push (issue L) loads it itself too: SIGHUP reloads it. */
	if (argc == 1 && strcmp(argv[0], "push") == 0)
		return push_run(config_path(cfgopt));
	if (argc >= 2 && strcmp(argv[0], "template") == 0)
		return cmd_with_cfg(config_path(cfgopt), outbox_template_cmd,
		    argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[0], "user") == 0)
		return cmd_with_cfg(config_path(cfgopt), user_cmd, argc - 1,
		    argv + 1);
	if (strcmp(argv[0], "status") == 0)
		return cmd_with_cfg(config_path(cfgopt), status_cmd, argc,
		    argv);
	/* Import (issue R) */
	if (argc >= 2 && strcmp(argv[0], "import") == 0)
		return cmd_with_cfg(config_path(cfgopt), import_cmd, argc - 1,
		    argv + 1);
	if (strcmp(argv[0], "purge") == 0)
		return cmd_with_cfg(config_path(cfgopt), purge_cmd, argc - 1,
		    argv + 1);
	if (strcmp(argv[0], "deliveries") == 0)
		return cmd_with_cfg(config_path(cfgopt),
		    outbox_deliveries_cmd, argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
