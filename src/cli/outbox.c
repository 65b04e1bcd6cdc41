/*
 * The command-line side of delivery: templates and the outbox listing.
 * A template file is "Subject: ..." on its first line, optionally
 * "Content-Type: text/html" (the body is HTML: values get escaped), a
 * blank line, then the body.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "cfg.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

#define TEMPLATE_FILE_MAX	(256 * 1024)

/* Split a template file into *t (pointing into text, which is cut). */
static int
outbox_parse(char *text, struct template *t)
{
	char	*line = text, *nl;

	memset(t, 0, sizeof(*t));
	for (;;) {
		if ((nl = strchr(line, '\n')) == NULL)
			return -1;
		*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*line == '\0')
			break;
		if (strncmp(line, "Subject:", 8) == 0) {
			t->subject = line + 8;
			while (*t->subject == ' ')
				t->subject++;
		} else if (strcmp(line, "Content-Type: text/html") == 0)
			t->html = 1;
		else if (strcmp(line, "Content-Type: text/plain") != 0)
			return -1;
		line = nl + 1;
	}
	t->body = nl + 1;
	return t->subject != NULL && util_utf8_valid(text, strlen(text)) &&
	    util_utf8_valid(t->body, strlen(t->body)) ? 0 : -1;
}

static int
outbox_add(struct store *st, const char *tenant, const char *name,
    const char *path)
{
	struct template	 t;
	char		*text;
	int		 rc;

	if (util_blank(name) || strlen(name) > 255) {
		log_error("template: bad name \"%s\"", name);
		return 1;
	}
	if ((text = util_slurp(path, TEMPLATE_FILE_MAX)) == NULL) {
		log_error("template: cannot read %s", path);
		return 1;
	}
	if (outbox_parse(text, &t) != 0) {
		log_error("template %s: expected \"Subject: ...\", optional "
		    "\"Content-Type: text/html\", a blank line, then the body",
		    path);
		free(text);
		return 1;
	}
	t.tenant = tenant;
	t.name = name;
	rc = store_template_put(st, &t) == STORE_OK ? 0 : 1;
	if (rc == 0)
		log_info("template %s saved", name);
	free(text);
	return rc;
}

/* Every NAME.tmpl in a directory (conf/templates) becomes template NAME. */
static int
outbox_load(struct store *st, const char *tenant, const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 name[256], path[1024];
	size_t		 len;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		log_error("template load: %s: %s", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 6 || len - 5 >= sizeof(name) ||
		    strcmp(e->d_name + len - 5, ".tmpl") != 0)
			continue;
		memcpy(name, e->d_name, len - 5);
		name[len - 5] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rc |= outbox_add(st, tenant, name, path);
	}
	closedir(d);
	return rc;
}

static int
outbox_print_template(const struct template *t, void *arg)
{
	int	full = *(int *)arg;

	if (!full) {
		printf("%-32s %s  %s\n", t->name, t->html ? "html " : "plain",
		    t->subject);
		return 0;
	}
	printf("Subject: %s\n%s\n%s", t->subject, t->html ?
	    "Content-Type: text/html\n" : "", t->body);
	return 1;
}

int
outbox_template_cmd(const struct cfg *cfg, int argc, char *argv[])
{
	struct store	*st;
	const char	*tenant = NULL;
	enum store_rc	 rc;
	int		 status = 2, full;

	/* FOLIO (issue I): a tenant's own templates, its event configs. */
	if (argc >= 2 && strcmp(argv[0], "--tenant") == 0) {
		tenant = argv[1];
		argc -= 2;
		argv += 2;
		if (*tenant == '\0' || strlen(tenant) > 64) {
			log_error("template: bad tenant \"%s\"", tenant);
			return 2;
		}
	}
	if (argc < 1 || mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(cfg)) == NULL) {
		log_error("usage: herald template add|load|list|show|remove");
		return 2;
	}
	if (strcmp(argv[0], "add") == 0 && argc == 3)
		status = outbox_add(st, tenant, argv[1], argv[2]);
	else if (strcmp(argv[0], "load") == 0 && argc == 2)
		status = outbox_load(st, tenant, argv[1]);
	else if (strcmp(argv[0], "list") == 0 && argc == 1) {
		full = 0;
		status = store_template_list(st, tenant, outbox_print_template,
		    &full) == STORE_OK ? 0 : 1;
	} else if (strcmp(argv[0], "show") == 0 && argc == 2) {
		full = 1;
		rc = store_template_get(st, tenant, argv[1],
		    outbox_print_template,
		    &full);
		if (rc == STORE_NOTFOUND)
			log_error("no template \"%s\"", argv[1]);
		status = rc == STORE_OK ? 0 : 1;
	} else if (strcmp(argv[0], "remove") == 0 && argc == 2) {
		rc = store_template_remove(st, tenant, argv[1]);
		if (rc == STORE_NOTFOUND)
			log_error("no template \"%s\"", argv[1]);
		status = rc == STORE_OK ? 0 : 1;
	} else
		log_error("usage: herald template [--tenant T] add NAME FILE | "
		    "load DIR | list | show NAME | remove NAME");
	store_free(st);
	mysql_library_end();
	return status;
}

static int
outbox_print_delivery(const struct delivery_info *d, void *arg)
{
	char	id[UUID_STR_LEN], nid[UUID_STR_LEN], c[32], n[32], s[32];

	(void)arg;
	util_uuid_format(d->id, 0, id);
	util_uuid_format(d->note_id, 1, nid);
	util_time_text(d->created, c, sizeof(c));
	util_time_text(d->next_attempt, n, sizeof(n));
	util_time_text(d->sent_at, s, sizeof(s));
	printf("%s  %-7s %-7s attempts %d  created %s  next %s  sent %s  "
	    "notification %s  template %s  error %s\n", id, d->method,
	    d->state, d->attempts, c, n, s, nid,
	    d->template != NULL ? d->template : "-",
	    d->last_error != NULL ? d->last_error : "-");
	return 0;
}

int
outbox_deliveries_cmd(const struct cfg *cfg, int argc, char *argv[])
{
	struct store	*st;
	const char	*state = NULL;
	int		 status;

	if (argc == 2 && strcmp(argv[0], "--state") == 0 &&
	    (strcmp(argv[1], "pending") == 0 || strcmp(argv[1], "sent") == 0 ||
	    strcmp(argv[1], "failed") == 0))
		state = argv[1];
	else if (argc != 0) {
		log_error("usage: herald deliveries [--state "
		    "pending|sent|failed]");
		return 2;
	}
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(cfg)) == NULL)
		return 1;
	status = store_delivery_list(st, state, outbox_print_delivery, NULL) ==
	    STORE_OK ? 0 : 1;
	store_free(st);
	mysql_library_end();
	return status;
}
