/*
 * herald migrate: apply schema_dir/NNN_name.sql in numeric order, once
 * each, recording what was applied in schema_migrations.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "store.h"
#include "util.h"


#define MIGRATIONS_MAX	999

static const char sql_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " applied BIGINT NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

static int
migrate_is_name(const char *name, long long *version)
{
	size_t	len = strlen(name);
	char	num[4];

	if (len < 9 || name[3] != '_' || strcmp(name + len - 4, ".sql") != 0)
		return 0;
	memcpy(num, name, 3);
	num[3] = '\0';
	return util_strtoll(num, 1, MIGRATIONS_MAX, version) == 0;
}

static int
migrate_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
migrate_read(const char *dir, const char *name)
{
	char	path[1024];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return NULL;
	return util_slurp(path, 16 * 1024 * 1024);
}

static int
migrate_one(struct store *st, const char *dir, const char *name,
    long long version)
{
	long long	 seen = 0;
	char		*text;
	struct sqlv	 v[] = { SQL_I64(version), SQL_STR(name),
	    SQL_I64(util_now_ms()) };

	if (db_select_i64(st, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
	    v, 1, &seen, 1) != STORE_OK)
		return -1;
	if (seen > 0)
		return 0;
	if ((text = migrate_read(dir, name)) == NULL) {
		log_error("migrate: cannot read %s/%s", dir, name);
		return -1;
	}
	log_info("migrate: applying %s", name);
	if (db_script(st, text) != STORE_OK) {
		free(text);
		log_error("migrate: %s failed; fix it and run again", name);
		return -1;
	}
	free(text);
	return db_exec(st, "INSERT INTO schema_migrations "
	    "(version, name, applied) VALUES (?, ?, ?)", v, 3, NULL) ==
	    STORE_OK ? 0 : -1;
}

int
store_migrate(struct store *st, const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		*names[MIGRATIONS_MAX];
	size_t		 n = 0, i;
	long long	 version, got = 0;
	int		 rc = -1;

	if ((d = opendir(dir)) == NULL) {
		log_error("migrate: %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL && n < MIGRATIONS_MAX)
		if (migrate_is_name(e->d_name, &version) &&
		    (names[n] = strdup(e->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), migrate_cmp);

	/* Two migrations at once (two hosts starting) take turns. */
	if (db_select_i64(st, "SELECT GET_LOCK('herald_migrate', 60)",
	    NULL, 0, &got, 1) != STORE_OK || got != 1) {
		log_error("migrate: cannot take the migration lock");
		goto out;
	}
	if (db_script(st, sql_table) != STORE_OK)
		goto unlock;
	for (i = 0; i < n; i++) {
		if (i > 0 && strncmp(names[i], names[i - 1], 3) == 0) {
			log_error("migrate: two migrations numbered %.3s",
			    names[i]);
			goto unlock;
		}
		migrate_is_name(names[i], &version);
		if (migrate_one(st, dir, names[i], version) != 0)
			goto unlock;
	}
	rc = 0;
unlock:
	db_select_i64(st, "SELECT RELEASE_LOCK('herald_migrate')",
	    NULL, 0, &got, 1);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

enum store_rc
store_schema_pending(struct store *st, const char *dir, long long *pending,
    char *first, size_t firstsz)
{
	DIR		*d;
	struct dirent	*e;
	long long	 version, seen;
	long long	 n = 0;
	enum store_rc	 rc = STORE_OK;
	struct sqlv	 v[1];

	*pending = -1;
	if (firstsz > 0)
		first[0] = '\0';
	if ((d = opendir(dir)) == NULL)
		return STORE_OK;
	/* The same statement as migrate_one's, so the same cached one. */
	while (rc == STORE_OK && (e = readdir(d)) != NULL) {
		if (!migrate_is_name(e->d_name, &version))
			continue;
		v[0] = SQL_I64(version);
		seen = 0;
		rc = db_select_i64(st, "SELECT COUNT(*) FROM schema_migrations "
		    "WHERE version = ?", v, 1, &seen, 1);
		/* No schema_migrations table: nothing was ever applied. */
		if (rc == STORE_ERROR)
			rc = STORE_OK;
		else if (rc != STORE_OK)
			break;
		if (seen > 0)
			continue;
		if (n++ == 0 || (firstsz > 0 && strcmp(e->d_name, first) < 0))
			snprintf(first, firstsz, "%s", e->d_name);
	}
	closedir(d);
	if (rc == STORE_OK)
		*pending = n;
	return rc;
}
