#ifndef CLI_H
#define CLI_H

struct cfg;

/* "herald user add|show|list|remove": the exit status. */
int	user_cmd(const struct cfg *, int argc, char *argv[]);
/* "herald status [--json]": asks the pool on "listen"; the exit status. */
int	status_cmd(const struct cfg *, int argc, char *argv[]);

/* --- Import (issue R) --- */
/* "herald import SOURCE --from URL ...": 0, 1 failed, 2 usage, 3 with
 * skipped rows or counts that differ. */
int	import_cmd(const struct cfg *, int argc, char *argv[]);

#endif
