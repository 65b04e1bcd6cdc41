/* "herald user": create, show, list and remove users. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <mysql.h>

#include "cli.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define USER_USAGE \
    "usage: herald user add NAME [--id UUID] [--tenant T] [--email ADDR]\n" \
    "       herald user show NAME [--tenant T]\n" \
    "       herald user list [--tenant T]\n" \
    "       herald user remove NAME [--tenant T]\n"

static int
user_print(const struct user_row *u, void *arg)
{
	char	id[UUID_STR_LEN], t[32];

	(void)arg;
	util_uuid_format(u->id, 0, id);
	util_time_text(u->created, t, sizeof(t));
	printf("%s  %-24s %-32s created %s\n", id, u->name,
	    u->email != NULL ? u->email : "-", t);
	return 0;
}

/* NAME and the options after the verb; -1 on a usage error. */
static int
user_args(int argc, char *argv[], const char **name, const char **tenant,
    const char **email, unsigned char id[16], int *has_id)
{
	static const struct option opts[] = {
		{ "tenant",	required_argument,	NULL, 't' },
		{ "email",	required_argument,	NULL, 'e' },
		{ "id",		required_argument,	NULL, 'i' },
		{ NULL,		0,			NULL, 0 }
	};
	int	ch;

	*name = NULL;
	*tenant = STORE_TENANT_DEFAULT;
	*email = NULL;
	*has_id = 0;
	optind = 0;	/* 0: GNU getopt starts afresh, permuting again */
	while ((ch = getopt_long(argc, argv, "t:e:i:", opts, NULL)) != -1)
		switch (ch) {
		case 't': *tenant = optarg; break;
		case 'e': *email = optarg; break;
		case 'i':
			if (util_uuid_parse(optarg, id) != 0) {
				log_error("--id: not a UUID: %s", optarg);
				return -1;
			}
			*has_id = 1;
			break;
		default:
			return -1;
		}
	if (optind < argc)
		*name = argv[optind++];
	if (optind != argc || strlen(*tenant) > 64 || (*name != NULL &&
	    (util_blank(*name) || !util_utf8_valid(*name, strlen(*name)) ||
	    util_utf8_len(*name, strlen(*name)) > NOTE_USER_MAX)) ||
	    (*email != NULL && strlen(*email) > 320))
		return -1;
	return 0;
}

int
user_cmd(const struct cfg *cfg, int argc, char *argv[])
{
	struct store	*st;
	const char	*name, *tenant, *email, *verb = argc > 0 ? argv[0] : "";
	unsigned char	 id[16], out[16];
	char		 text[UUID_STR_LEN];
	enum store_rc	 rc;
	int		 has_id, status = 1;

	if (argc < 1 || user_args(argc, argv, &name, &tenant, &email, id,
	    &has_id) != 0 || ((strcmp(verb, "list") == 0) != (name == NULL))) {
		fputs(USER_USAGE, stderr);
		return 2;
	}
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    (st = store_new(cfg)) == NULL)
		return 1;
	if (strcmp(verb, "add") == 0) {
		rc = store_user_put(st, tenant, has_id ? id : NULL, name, email,
		    email != NULL, util_now_ms(), out);
		if (rc == STORE_OK) {
			util_uuid_format(out, 0, text);
			printf("%s\n", text);
			status = 0;
		} else
			log_error("user add: %s", rc == STORE_CONFLICT ?
			    "that id belongs to another user" :
			    "database error");
	} else if (strcmp(verb, "show") == 0) {
		rc = store_user_get(st, tenant, NULL, name, user_print, NULL);
		status = rc == STORE_OK ? 0 : 1;
		if (rc == STORE_NOTFOUND)
			log_error("user show: no such user: %s", name);
	} else if (strcmp(verb, "list") == 0)
		status = store_user_list(st, tenant, user_print, NULL) ==
		    STORE_OK ? 0 : 1;
	else if (strcmp(verb, "remove") == 0) {
		rc = store_user_remove(st, tenant, name);
		status = rc == STORE_OK ? 0 : 1;
		if (rc == STORE_NOTFOUND)
			log_error("user remove: no such user: %s", name);
	} else {
		fputs(USER_USAGE, stderr);
		status = 2;
	}
	store_free(st);
	mysql_library_end();
	return status;
}
