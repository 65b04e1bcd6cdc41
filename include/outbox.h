#ifndef OUTBOX_H
#define OUTBOX_H

struct cfg;

/* herald template add NAME FILE | load DIR | list | show NAME | remove NAME */
int	outbox_template_cmd(const struct cfg *, int argc, char *argv[]);

/* herald deliveries [--state pending|sent|failed] */
int	outbox_deliveries_cmd(const struct cfg *, int argc, char *argv[]);

#endif
