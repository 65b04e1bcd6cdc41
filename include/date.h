#ifndef DATE_H
#define DATE_H

#include <stdint.h>

/*
 * Parse a date as the notification-agent accepts it (agent.md §5.6):
 * digits (ms since the epoch), or one of
 *   "Tue Nov 24 2026 10:00:00 GMT-0700 (MST)"   (JavaScript Date.toString)
 *   "2026 Nov 24 10:00:00"
 *   "2026-11-24-10-00-00.000"
 *   "2026-11-24 10:00:00.000"
 *   "2026-11-24T10:00:00.000Z" / "...+0100" / "...+01:00"
 * Dates without a zone are UTC.  Returns 0 and *ms, or -1.
 */
int	date_parse_ms(const char *, int64_t *ms);

#endif
