#ifndef PROJECTS_INT_H
#define PROJECTS_INT_H

/*
 * The project tool's notifications API (seed 001, a Laravel/Apiato
 * application): what its files share.  render.c: errors, dates and the
 * notification's JSON; notes.c: handlers; routes.c: the table.
 */
#include <stddef.h>
#include <stdint.h>

struct herr;
struct jbuf;
struct note;
struct reply;
struct request;

int	api_pj_list(struct request *, struct reply *);
int	api_pj_latest(struct request *, struct reply *);
int	api_pj_get(struct request *, struct reply *);
int	api_pj_read(struct request *, struct reply *);
int	api_pj_mark(struct request *, struct reply *);

/* {"type","message","id"} with a fresh error id. */
int	pj_render_error(struct request *, struct reply *, const struct herr *);

/* Record a 400 BadRequest naming query parameter "param"; the status. */
int	pj_bad_param(struct reply *, const char *param);
/* Copy a model error into the reply; the status. */
int	pj_model_err(struct reply *, const struct herr *);

/*
 * An ISO-8601 date as clients of the tool send it: "2022-04-28",
 * "2022-04-28T13:25:12", with a fraction of any length and "Z", "+0200"
 * or "+02:00".  0 and *ms, or -1.
 */
int	pj_date_parse(const char *, int64_t *ms);

/*
 * The notification as the tool shows it, into "b" (a noslash jbuf: the
 * tool's bodies were json-c's, without "\/").  Returns what the jbuf
 * writes return.
 */
int	pj_note_write(struct jbuf *b, const struct note *, const char *zone);

#endif
