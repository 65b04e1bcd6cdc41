#ifndef CLI_H
#define CLI_H

struct cfg;

/* "herald user add|show|list|remove": the exit status. */
int	user_cmd(const struct cfg *, int argc, char *argv[]);
/* "herald status [--json]": asks the pool on "listen"; the exit status. */
int	status_cmd(const struct cfg *, int argc, char *argv[]);

#endif
