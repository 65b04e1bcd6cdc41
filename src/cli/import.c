/*
 * "herald import SOURCE --from URL": bring an original's history along.
 * Each source (import_agent.c, ...) reads its store in keyset batches and
 * hands every row to the model; this file parses the command line, shows
 * progress, and prints the closing report.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "cfg.h"
#include "cli.h"
#include "date.h"
#include "herr.h"
#include "import_int.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define IMPORT_USAGE \
    "usage: herald import agent|folio|coder|laravel --from URL [--tenant T]\n" \
    "           [--dry-run] [--since TIME] [--batch N]\n" \
    "       (folio needs --tenant; laravel's URL is mysql://...)\n"
#define IMPORT_BATCH_DEFAULT	500
#define IMPORT_BATCH_MAX	10000
#define IMPORT_SKIPS_SHOWN	100	/* skipped rows listed one by one */
#define IMPORT_PLAIN_EVERY	5.0	/* s between lines off a terminal */

/* The sources; "tenant": --tenant is required (it names the schema). */
static const struct {
	const char	*name;
	int		(*run)(struct imp_run *);
	int		 tenant;
} import_sources[] = {
	{ "agent",	imp_agent,	0 },
	{ "folio",	imp_folio,	1 },
	{ "coder",	imp_coder,	0 },
	{ "laravel",	imp_laravel,	0 },
};

static volatile sig_atomic_t	import_stop;

static void
import_on_signal(int sig)
{
	(void)sig;
	import_stop = 1;
}

int
imp_stopping(void)
{
	return import_stop != 0;
}

static double
import_clock(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct imp_table *
imp_table(struct imp_run *run, const char *name, long long total)
{
	struct imp_table	*t;

	if (run->ntables >= sizeof(run->tables) / sizeof(run->tables[0]))
		t = &run->tables[run->ntables - 1];	/* not reached */
	else
		t = &run->tables[run->ntables++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->total = total;
	t->t0 = import_clock();
	run->last_print = 0;
	return t;
}

void
imp_row(struct imp_run *run, struct imp_table *t, const struct import_row *r)
{
	size_t	i;

	t->read++;
	switch (r->out) {
	case IMPORT_NEW:
		t->imported++;
		break;
	case IMPORT_CHANGED:
		t->changed++;
		break;
	case IMPORT_UNCHANGED:
		t->unchanged++;
		break;
	case IMPORT_SKIPPED:
		t->skipped++;
		if (run->shown_skips++ < IMPORT_SKIPS_SHOWN) {
			if (run->tty)
				fputs("\r\033[K", stderr);
			fprintf(stderr, "import: skipped %s %s: %s\n", t->name,
			    r->key, r->reason);
		}
		for (i = 0; i < t->nreasons; i++)
			if (strcmp(t->reasons[i].why, r->reason) == 0)
				break;
		if (i == t->nreasons && t->nreasons < IMP_REASONS_MAX) {
			snprintf(t->reasons[i].why, sizeof(t->reasons[i].why),
			    "%s", r->reason);
			t->nreasons++;
		}
		if (i < t->nreasons)
			t->reasons[i].n++;
		break;
	}
}

void
imp_progress(struct imp_run *run, struct imp_table *t, int final)
{
	double	now = import_clock(), dt = now - t->t0, rate;
	char	eta[32] = "-", of[32] = "?";
	int	pct = 0;

	if (!final && now - run->last_print < (run->tty ? 0.2 :
	    IMPORT_PLAIN_EVERY))
		return;
	run->last_print = now;
	rate = dt > 0 ? (double)t->read / dt : 0;
	if (t->total >= 0) {
		snprintf(of, sizeof(of), "%lld", t->total);
		pct = t->total > 0 ? (int)(100 * t->read / t->total) : 100;
		if (pct > 100)
			pct = 100;
		if (rate > 0 && t->total > t->read) {
			long long	s = (long long)((double)(t->total -
			    t->read) / rate);

			snprintf(eta, sizeof(eta), "%lld:%02lld:%02lld",
			    s / 3600, s / 60 % 60, s % 60);
		} else
			snprintf(eta, sizeof(eta), "0:00:00");
	}
	if (run->tty) {
		char	bar[21];
		int	i, fill = pct / 5;

		for (i = 0; i < 20; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[20] = '\0';
		fprintf(stderr, "\r\033[K%-38s [%s] %lld/%s %3d%% %8.0f rows/s "
		    "ETA %s%s", t->name, bar, t->read, of, pct, rate, eta,
		    final ? "\n" : "");
	} else
		fprintf(stderr, "import: %s %lld/%s (%d%%), %.0f rows/s, "
		    "ETA %s%s\n", t->name, t->read, of, pct, rate, eta,
		    final ? ", done" : "");
	fflush(stderr);
}

void
imp_differs(struct imp_run *run, const char *user, long long st,
    long long su, long long ht, long long hu)
{
	if (run->differ++ < IMPORT_SKIPS_SHOWN)
		fprintf(stderr, "import: verify: %s has %lld (%lld unseen) in "
		    "the source, %lld (%lld unseen) in Herald\n", user, st, su,
		    ht, hu);
}

static void
import_report(const struct imp_run *run)
{
	const struct imp_table	*t;
	size_t			 i, k;

	printf("%s import%s: %-36s %9s %9s %9s %9s %9s\n", run->source,
	    run->dry_run ? " (dry run: nothing written)" : "", "table",
	    "read", "imported", "changed", "unchanged", "skipped");
	for (i = 0; i < run->ntables; i++) {
		t = &run->tables[i];
		printf("  %-50s %9lld %9lld %9lld %9lld %9lld%s\n", t->name,
		    t->read, t->imported, t->changed, t->unchanged, t->skipped,
		    t->resumed ? "  (resumed)" : "");
		for (k = 0; k < t->nreasons; k++)
			printf("      skipped %lld: %s\n", t->reasons[k].n,
			    t->reasons[k].why);
	}
	if (!run->dry_run)
		printf("  verify: %lld users compared (total, unseen): %lld "
		    "differ\n", run->verified, run->differ);
}

/* The arguments after SOURCE; -1 on a usage error. */
static int
import_args(int argc, char *argv[], struct imp_run *run)
{
	static const struct option opts[] = {
		{ "from",	required_argument,	NULL, 'f' },
		{ "tenant",	required_argument,	NULL, 't' },
		{ "dry-run",	no_argument,		NULL, 'n' },
		{ "since",	required_argument,	NULL, 's' },
		{ "batch",	required_argument,	NULL, 'b' },
		{ NULL,		0,			NULL, 0 }
	};
	long long	n;
	int		ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:t:ns:b:", opts, NULL)) != -1)
		switch (ch) {
		case 'f': run->url = optarg; break;
		case 't': run->ctx.tenant = optarg; run->tenant_given = 1; break;
		case 'n': run->dry_run = 1; break;
		case 's':
			if (date_parse_ms(optarg, &run->since) != 0) {
				log_error("--since: not a date: %s", optarg);
				return -1;
			}
			break;
		case 'b':
			if (util_strtoll(optarg, 1, IMPORT_BATCH_MAX, &n) != 0) {
				log_error("--batch: 1 to %d", IMPORT_BATCH_MAX);
				return -1;
			}
			run->batch = (long)n;
			break;
		default:
			return -1;
		}
	/* argv[0] is SOURCE (getopt takes it for the program's name). */
	if (argc < 1 || optind != argc || run->url == NULL ||
	    strlen(run->ctx.tenant) > 64 || util_blank(run->ctx.tenant))
		return -1;
	run->source = argv[0];
	return 0;
}

int
import_cmd(const struct cfg *cfg, int argc, char *argv[])
{
	struct sigaction	 sa;
	struct imp_run		*run;
	struct store		*st;
	int			 rc, status = 1;
	size_t			 i, src;

	if ((run = calloc(1, sizeof(*run))) == NULL)
		return 1;
	run->ctx.tenant = STORE_TENANT_DEFAULT;
	run->batch = IMPORT_BATCH_DEFAULT;
	src = sizeof(import_sources) / sizeof(import_sources[0]);
	if (import_args(argc, argv, run) == 0)
		for (src = 0; src < sizeof(import_sources) /
		    sizeof(import_sources[0]); src++)
			if (strcmp(run->source, import_sources[src].name) == 0)
				break;
	if (src == sizeof(import_sources) / sizeof(import_sources[0]) ||
	    (import_sources[src].tenant && !run->tenant_given)) {
		fputs(IMPORT_USAGE, stderr);
		free(run);
		return 2;
	}
	if ((run->rows = model_import_batch_new()) == NULL ||
	    mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(cfg)) == NULL) {
		model_import_batch_free(run->rows);
		free(run);
		return 1;
	}
	run->who.role = ROLE_ADMIN;
	run->ctx.st = st;
	run->ctx.cfg = cfg;
	run->ctx.who = &run->who;
	run->ctx.now = util_now_ms();
	run->tty = isatty(STDERR_FILENO);

	/* Stop between batches: what was committed is the checkpoint. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = import_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = import_sources[src].run(run);
	import_report(run);
	if (rc != 0)
		fprintf(stderr, "import: %s; run the same command again to "
		    "resume\n", import_stop ? "interrupted" : "failed");
	else {
		status = run->differ > 0 ? 3 : 0;
		for (i = 0; i < run->ntables; i++)
			if (run->tables[i].skipped > 0)
				status = 3;
	}
	store_free(st);
	mysql_library_end();
	model_import_batch_free(run->rows);
	free(run);
	return status;
}
