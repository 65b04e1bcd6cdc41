/*
 * Retention (issue M): "herald purge", also run by the dispatcher every
 * purge_interval seconds.  Per tenant and per kind (read notifications,
 * deleted ones, sent and failed deliveries), the rows older than the
 * tenant's retention are read a batch at a time along an index, then
 * deleted by primary key in one short transaction per batch, with a
 * pause between batches: no statement holds locks for long, and the pool
 * keeps its throughput (bench/purge measures it).
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "cfg.h"
#include "log.h"
#include "purge.h"
#include "store.h"
#include "util.h"

#define DAY_MS	(86400LL * 1000)

static const char *const purge_names[PURGE__MAX] =
    { "read", "deleted", "sent deliveries", "failed deliveries" };

static void
purge_sleep(unsigned int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

struct purge_job {
	const struct cfg	*cfg;
	struct store		*st;
	int			 dry;
	volatile sig_atomic_t	*stop;
	struct purge_totals	*t;
	unsigned char		(*ids)[16];
	int			 failed;
};

static int
purge_kind(struct purge_job *j, const char *tenant, enum purge_kind kind,
    int days)
{
	struct purge_pos	pos;
	enum store_rc		rc;
	long long		deleted, sum = 0;
	int64_t			cutoff;
	int			n;

	if (days <= 0)
		return 0;
	cutoff = util_now_ms() - (int64_t)days * DAY_MS;
	store_purge_pos_init(&pos);
	for (;;) {
		if (j->stop != NULL && *j->stop)
			break;
		store_request_begin(j->st);
		rc = store_purge_due(j->st, tenant, kind, cutoff, &pos,
		    j->cfg->purge_batch, j->ids, &n);
		if (rc != STORE_OK)
			goto fail;
		if (n == 0)
			break;
		if (j->dry)
			deleted = n;
		else if ((rc = store_purge_delete(j->st, kind, cutoff,
		    (const unsigned char (*)[16])j->ids, n, &deleted)) !=
		    STORE_OK)
			goto fail;
		j->t->batches++;
		if (n > j->t->largest)
			j->t->largest = n;
		sum += deleted;
		if (kind == PURGE_READ)
			j->t->read += deleted;
		else if (kind == PURGE_DELETED)
			j->t->deleted += deleted;
		else
			j->t->deliveries += deleted;
		log_debug("purge: tenant %s, %s: batch of %d row(s), %lld %s",
		    tenant, purge_names[kind], n, deleted, j->dry ?
		    "due (dry run)" : "deleted");
		if (n < j->cfg->purge_batch)
			break;
		purge_sleep(j->cfg->purge_pause_ms);
	}
	if (sum > 0)
		log_info("purge: tenant %s, %s older than %d day(s): %lld %s",
		    tenant, purge_names[kind], days, sum, j->dry ?
		    "due (dry run)" : "deleted");
	return 0;
fail:
	log_error("purge: tenant %s, %s: database error; stopped", tenant,
	    purge_names[kind]);
	j->failed = 1;
	return -1;
}

static int
purge_tenant(const char *tenant, void *arg)
{
	struct purge_job	*j = arg;
	int			 days[CFG_RETAIN__MAX];

	if (cfg_retention(j->cfg, tenant, days) != 0)
		return -1;
	/* Deliveries first: a notification with one left waits for it. */
	if (purge_kind(j, tenant, PURGE_SENT, days[CFG_RETAIN_DELIVERIES]) ||
	    purge_kind(j, tenant, PURGE_FAILED, days[CFG_RETAIN_DELIVERIES]) ||
	    purge_kind(j, tenant, PURGE_DELETED, days[CFG_RETAIN_DELETED]) ||
	    purge_kind(j, tenant, PURGE_READ, days[CFG_RETAIN_READ]))
		return 1;	/* stop the tenant listing */
	return 0;
}

/* A bounded copy of the tenant names: the listing's rows are borrowed. */
#define PURGE_TENANTS_MAX	10000

struct tenant_list {
	char	**names;
	size_t	  n;
};

static int
purge_collect(const char *tenant, void *arg)
{
	struct tenant_list	*l = arg;

	if (l->n >= PURGE_TENANTS_MAX)
		return 0;
	if ((l->names[l->n] = strdup(tenant)) == NULL)
		return 1;
	l->n++;
	return 0;
}

int
purge_run(const struct cfg *cfg, struct store *st, const char *tenant,
    int dry, volatile sig_atomic_t *stop, struct purge_totals *t)
{
	struct purge_job	 j = { cfg, st, dry, stop, t, NULL, 0 };
	struct tenant_list	 l = { NULL, 0 };
	size_t			 i;

	if ((j.ids = calloc((size_t)cfg->purge_batch, 16)) == NULL)
		return -1;
	if (tenant != NULL)
		purge_tenant(tenant, &j);
	else if ((l.names = calloc(PURGE_TENANTS_MAX, sizeof(char *))) ==
	    NULL)
		j.failed = 1;
	else {
		/* The listing first: a tenant's purge runs other statements. */
		if (store_purge_tenants(st, purge_collect, &l) != STORE_OK) {
			log_error("purge: cannot list the tenants");
			j.failed = 1;
		}
		for (i = 0; i < l.n && !j.failed; i++)
			purge_tenant(l.names[i], &j);
		for (i = 0; i < l.n; i++)
			free(l.names[i]);
		free(l.names);
	}
	free(j.ids);
	return j.failed ? -1 : 0;
}

int
purge_cmd(const struct cfg *cfg, int argc, char *argv[])
{
	struct purge_totals	 t;
	struct store		*st;
	const char		*tenant = NULL;
	int			 i, dry = 0, rc, got = 0;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--dry-run") == 0)
			dry = 1;
		else if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc &&
		    !util_blank(argv[i + 1]) && strlen(argv[i + 1]) <= 64)
			tenant = argv[++i];
		else {
			log_error("usage: herald purge [--tenant T] "
			    "[--dry-run]");
			return 2;
		}
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(cfg)) == NULL)
		return 1;
	memset(&t, 0, sizeof(t));
	/* One purge at a time (a dry run writes nothing: it needs none). */
	if (!dry && (store_purge_lock(st, &got) != STORE_OK || !got)) {
		log_error("purge: another purge is running, or the "
		    "database cannot be reached");
		rc = 1;
	} else
		rc = purge_run(cfg, st, tenant, dry, NULL, &t) == 0 ? 0 : 1;
	printf("%s read=%lld deleted=%lld deliveries=%lld batches=%lld "
	    "largest_batch=%lld batch_max=%d\n", dry ? "due" : "purged",
	    t.read, t.deleted, t.deliveries, t.batches, t.largest,
	    cfg->purge_batch);
	store_free(st);
	mysql_library_end();
	return rc;
}
