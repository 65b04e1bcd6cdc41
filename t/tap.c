/* TAP output for the C unit tests. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

static int	tap_n, tap_failed, tap_planned;

void
plan(int n)
{
	printf("1..%d\n", n);
	tap_planned = 1;
}

static int
tap_result(int pass, const char *file, int line, const char *fmt,
    va_list ap)
{
	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return pass;
}

int
ok_at(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = tap_result(pass, file, line, fmt, ap);
	va_end(ap);
	return rc;
}

int
is_int_at(long long got, long long want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = tap_result(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!rc)
		printf("#   got %lld, want %lld\n", got, want);
	return rc;
}

int
is_str_at(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	rc, pass;

	pass = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);
	va_start(ap, fmt);
	rc = tap_result(pass, file, line, fmt, ap);
	va_end(ap);
	if (!rc)
		printf("#   got \"%s\", want \"%s\"\n", got != NULL ? got :
		    "(null)", want != NULL ? want : "(null)");
	return rc;
}

void
diag(const char *fmt, ...)
{
	va_list	ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int
done_testing(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed == 0 ? 0 : 1;
}
