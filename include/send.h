#ifndef SEND_H
#define SEND_H

#include <stddef.h>

struct cfg;

enum send_rc { SEND_OK, SEND_RETRY, SEND_FAIL };

/*
 * Send one e-mail through the configured SMTP server (libcurl).  The
 * Message-ID is derived from "msgid", so a resend is recognisable.
 * SEND_RETRY for what may pass later (connection, 4xx), SEND_FAIL for
 * a permanent refusal (5xx).  A reason goes in err.
 */
enum send_rc	send_smtp(const struct cfg *, const char *to,
		    const char *subject, const char *body, int html,
		    const unsigned char msgid[16], char *err, size_t errsz);

/*
 * The value of the Subject header (after "Subject: ", SUBJECT_PREFIX
 * characters), CR and LF replaced: as it is when plain ASCII that fits
 * a line, else RFC 2047 encoded words of at most 75 characters, each of
 * whole UTF-8 characters, lines folded to 76.  Caller frees; NULL when
 * out of memory.
 */
#define SUBJECT_PREFIX	9
char		*send_subject_header(const char *subject);

/* POST "json" to the webhook URL: 2xx sent, 4xx failed, else retry. */
enum send_rc	send_webhook(const struct cfg *, const char *json,
		    const unsigned char msgid[16], char *err, size_t errsz);

#endif
