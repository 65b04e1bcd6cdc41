/* t/unit/cfg.c -- config parsing: keys, ranges, errors. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "tap.h"

static int
parse(struct cfg *c, const char *text, char *err, size_t errsz)
{
	cfg_defaults(c);
	err[0] = '\0';
	return cfg_parse(text, "test.conf", c, err, errsz);
}

int
main(void)
{
	struct cfg	c;
	char		err[256];

	is_int(parse(&c, "# comment\n\nworkers = 8\nlisten = 127.0.0.1:9000 # tcp\n",
	    err, sizeof(err)), 0, "valid config parses");
	is_int(c.workers, 8, "workers read");
	is_str(c.listen, "127.0.0.1:9000", "listen read, comment stripped");
	is_int((long long)c.body_max, 1048576, "default body_max kept");
	is_int(parse(&c, "socket_mode = 0666\n", err, sizeof(err)), 0, "octal mode");
	is_int(c.socket_mode, 0666, "mode is octal");
	is_int(parse(&c, "workers = 0\n", err, sizeof(err)), -1, "workers below range refused");
	ok(strstr(err, "test.conf:1") != NULL, "error names file and line: %s", err);
	is_int(parse(&c, "workers = 4x\n", err, sizeof(err)), -1, "junk number refused");
	is_int(parse(&c, "nonsense = 1\n", err, sizeof(err)), -1, "unknown key refused");
	ok(strstr(err, "nonsense") != NULL, "error names the key");
	is_int(parse(&c, "workers\n", err, sizeof(err)), -1, "line without '=' refused");
	is_int(parse(&c, "auth = magic\n", err, sizeof(err)), -1, "unknown auth mode refused");
	is_int(parse(&c, "log_level = debug\n", err, sizeof(err)), 0, "log level");
	is_int(c.log_level, LOG_DEBUG, "log level read");
	is_int(parse(&c, "body_max = 100\n", err, sizeof(err)), -1, "body_max below 1024 refused");

	/* '#' starts a comment only at the start or after white space. */
	is_int(parse(&c, "db_password = a#b\n", err, sizeof(err)), 0,
	    "a '#' inside a value");
	is_str(c.db_password, "a#b", "... is part of the value");
	is_int(parse(&c, "db_password = a#b # the password\n", err,
	    sizeof(err)), 0, "a '#' after white space");
	is_str(c.db_password, "a#b", "... starts a comment");
	is_int(parse(&c, "db_password = #secret\n", err, sizeof(err)), 0,
	    "a value that starts with '#'");
	is_str(c.db_password, "", "... is a comment (documented)");
	is_int(parse(&c, "\t# indented comment\nworkers = 3#4\n", err,
	    sizeof(err)), -1, "workers = 3#4 is not a number");

	/* A batch must not outlast its lease (issue P, item 4). */
	is_int(parse(&c, "", err, sizeof(err)), 0, "the defaults pass the check");
	ok((long long)c.dispatch_batch * c.send_timeout < c.delivery_lease,
	    "default batch x send_timeout < delivery_lease");
	is_int(parse(&c, "dispatch_batch = 20\nsend_timeout = 10\n"
	    "delivery_lease = 120\n", err, sizeof(err)), -1,
	    "20 x 10 s against a 120 s lease refused");
	ok(strstr(err, "delivery_lease") != NULL, "... saying why: %s", err);
	is_int(parse(&c, "dispatch_batch = 20\nsend_timeout = 5\n"
	    "delivery_lease = 120\n", err, sizeof(err)), 0,
	    "20 x 5 s against a 120 s lease accepted");
	is_int(parse(&c, "dispatch_batch = 1\nsend_timeout = 5\n"
	    "delivery_lease = 5\n", err, sizeof(err)), -1,
	    "one send as long as the lease refused");

	/* Retention (issue M): the global keys, then a tenant's overrides. */
	{
		int	d[CFG_RETAIN__MAX];

		is_int(parse(&c, "", err, sizeof(err)), 0, "defaults");
		is_int(cfg_retention(&c, "x", d), 0, "no overrides");
		ok(d[CFG_RETAIN_READ] == 0 && d[CFG_RETAIN_DELETED] == 30 &&
		    d[CFG_RETAIN_DELIVERIES] == 90, "documented defaults "
		    "0/30/90");
		is_int(parse(&c, "retention_read_days = 10\n"
		    "retention_tenant_overrides = diku:read=365,deleted=3 ; "
		    "acme:deliveries=0\n", err, sizeof(err)), 0,
		    "overrides accepted: %s", err);
		cfg_retention(&c, "diku", d);
		ok(d[0] == 365 && d[1] == 3 && d[2] == 90, "diku: 365/3/90");
		cfg_retention(&c, "acme", d);
		ok(d[0] == 10 && d[1] == 30 && d[2] == 0, "acme: 10/30/0");
		cfg_retention(&c, "dik", d);
		ok(d[0] == 10 && d[1] == 30, "a prefix is another tenant");
		is_int(parse(&c, "retention_tenant_overrides = diku:reed=3\n",
		    err, sizeof(err)), -1, "unknown kind refused");
		is_int(parse(&c, "retention_tenant_overrides = diku=3\n",
		    err, sizeof(err)), -1, "no tenant refused");
		is_int(parse(&c, "retention_tenant_overrides = d:read=-1\n",
		    err, sizeof(err)), -1, "negative days refused");
		is_int(parse(&c, "retention_tenant_overrides = d:read=\n",
		    err, sizeof(err)), -1, "no days refused");
		is_int(parse(&c, "purge_batch = 0\n", err, sizeof(err)), -1,
		    "purge_batch 0 refused");
	}

	/* A password file ending in CR LF; AMQP's, ending in LF. */
	{
		char	dir[] = "/tmp/herald-cfg-XXXXXX", conf[256], pw[256];
		char	apw[256];
		FILE	*f;

		if (mkdtemp(dir) == NULL)
			return 1;
		snprintf(pw, sizeof(pw), "%s/pw", dir);
		snprintf(apw, sizeof(apw), "%s/amqp-pw", dir);
		snprintf(conf, sizeof(conf), "%s/herald.conf", dir);
		if ((f = fopen(pw, "w")) == NULL)
			return 1;
		fputs("s3cret\r\n", f);
		fclose(f);
		chmod(pw, 0600);
		if ((f = fopen(apw, "w")) == NULL)
			return 1;
		fputs("mq-s3cret\n", f);
		fclose(f);
		chmod(apw, 0600);
		if ((f = fopen(conf, "w")) == NULL)
			return 1;
		fprintf(f, "db_password_file = %s\n", pw);
		fprintf(f, "amqp_url = amqp://de:inline@127.0.0.1/%%2f\n");
		fprintf(f, "amqp_password_file = %s\n", apw);
		fclose(f);
		is_int(cfg_load(conf, &c, err, sizeof(err)), 0,
		    "config with a CRLF password file loads");
		is_str(c.db_password, "s3cret", "the CR is not part of it");
		is_str(c.amqp_password, "mq-s3cret",
		    "amqp_password_file: its first line");
		chmod(apw, 0640);
		is_int(cfg_load(conf, &c, err, sizeof(err)), -1,
		    "a group-readable amqp_password_file refused");
		ok(strstr(err, apw) != NULL && strstr(err, "chmod 600") != NULL &&
		    strstr(err, "s3cret") == NULL,
		    "... naming the file, not what it holds: %s", err);
		unlink(apw);
		unlink(pw);
		unlink(conf);
		rmdir(dir);
	}
	/* L: AMQP for the DE. */
	is_int(parse(&c, "", err, sizeof(err)), 0, "no amqp_url by default");
	ok(c.amqp_url[0] == '\0' && strcmp(c.amqp_exchange, "de") == 0,
	    "AMQP off, exchange de");
	is_int(parse(&c, "amqp_url = amqp://u:p@127.0.0.1:5672/%2f\n", err,
	    sizeof(err)), 0, "an amqp:// URL");
	is_int(parse(&c, "amqp_url = amqps://u:p@rabbit/de\n", err,
	    sizeof(err)), 0, "an amqps:// URL");
	is_int(parse(&c, "amqp_url = http://rabbit/\n", err, sizeof(err)), -1,
	    "another scheme refused");
	ok(strstr(err, "amqp_url") != NULL, "... naming the key: %s", err);
	is_int(parse(&c, "amqp_exchange = de x\n", err, sizeof(err)), -1,
	    "an exchange name with a space refused");
	is_int(parse(&c, "amqp_exchange = herald.de\n", err, sizeof(err)), 0,
	    "another exchange");
	is_int(parse(&c, "", err, sizeof(err)), 0, "the ping queue's default");
	is_str(c.amqp_ping_queue, "events.notification-agent.queue",
	    "... the original's");
	is_int(parse(&c, "amqp_ping_queue =\n", err, sizeof(err)), 0,
	    "no ping queue: pings unanswered");
	ok(c.amqp_ping_queue[0] == '\0', "... empty");
	is_int(parse(&c, "amqp_ping_queue = amq.gen-x\n", err, sizeof(err)),
	    -1, "a broker-reserved queue name refused");
	ok(strstr(err, "amqp_ping_queue") != NULL, "... naming the key: %s",
	    err);

	return done_testing();
}
