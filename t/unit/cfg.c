/* t/unit/cfg.c -- config parsing: keys, ranges, errors. */
#include "config.h"

#include <string.h>

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
	return done_testing();
}
