#ifndef ETESTER_INT_H
#define ETESTER_INT_H

/*
 * Enterprise Tester's user notifications (seed 002): what its files
 * share.  notes.c: handlers, errors and the JSON; routes.c: the table.
 */
struct herr;
struct reply;
struct request;

int	api_et_list(struct request *, struct reply *);
int	api_et_create(struct request *, struct reply *);
int	api_et_clear(struct request *, struct reply *);
int	api_et_get(struct request *, struct reply *);
int	api_et_patch(struct request *, struct reply *);
int	api_et_delete(struct request *, struct reply *);

/* {"Message": ...} */
int	et_render_error(struct request *, struct reply *, const struct herr *);

#endif
