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

	/* A password file ending in CR LF. */
	{
		char	dir[] = "/tmp/herald-cfg-XXXXXX", conf[256], pw[256];
		FILE	*f;

		if (mkdtemp(dir) == NULL)
			return 1;
		snprintf(pw, sizeof(pw), "%s/pw", dir);
		snprintf(conf, sizeof(conf), "%s/herald.conf", dir);
		if ((f = fopen(pw, "w")) == NULL)
			return 1;
		fputs("s3cret\r\n", f);
		fclose(f);
		chmod(pw, 0600);
		if ((f = fopen(conf, "w")) == NULL)
			return 1;
		fprintf(f, "db_password_file = %s\n", pw);
		fclose(f);
		is_int(cfg_load(conf, &c, err, sizeof(err)), 0,
		    "config with a CRLF password file loads");
		is_str(c.db_password, "s3cret", "the CR is not part of it");
		unlink(pw);
		unlink(conf);
		rmdir(dir);
	}
	return done_testing();
}
