#ifndef NATIVE_INT_H
#define NATIVE_INT_H

/*
 * Herald's own dialect, /v1 (doc/v1.md): what its files share.
 * common.c: errors, parameters, the notification's JSON; notes.c and
 * system.c: handlers; routes.c: the table.
 */
#include "router.h"
#include "store.h"

struct herr;
struct json_object;
struct reply;
struct request;

/* Every handler has the router's signature. */
#define NATIVE_HANDLER(name) \
	int api_native_##name(struct request *, struct reply *)
NATIVE_HANDLER(create);
NATIVE_HANDLER(get);
NATIVE_HANDLER(patch);
NATIVE_HANDLER(delete);
NATIVE_HANDLER(list);
NATIVE_HANDLER(count);
NATIVE_HANDLER(stream);		/* L: stream.c */
NATIVE_HANDLER(read_all);
NATIVE_HANDLER(sys_list);
NATIVE_HANDLER(sys_act);	/* …/seen and …/dismiss */

int	native_render_error(struct request *, struct reply *,
	    const struct herr *);

/* Record a 4xx naming "field"; returns the status. */
int	native_fail(struct reply *, int status, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Render "doc" (consumed) with "status". */
int	native_json(struct reply *, int status, struct json_object *doc);

/* {user} of the path: its name into name[]; 1 found, 0 none, -1 error. */
int	native_path_user(struct request *, struct reply *, char *name,
	    size_t namesz);

struct jbuf;
/* The notification's JSON, written into "b". */
int	native_note_write(struct jbuf *, const struct note *);
/* RFC 3339 text of a time, or JSON null for 0 (when nullable). */
struct json_object *native_time(int64_t ms, int nullable);

#endif
