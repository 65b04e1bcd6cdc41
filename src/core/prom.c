/*
 * The Prometheus text format, by hand (include/prom.h has the rules).
 * Numbers are written with snprintf ("%g" is a subset of the Go float
 * syntax Prometheus parses): bucket bounds are short decimals, sums are
 * kept to ten significant digits, enough for microseconds of a day.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jbuf.h"
#include "prom.h"

#define PROM_LE_MAX	8	/* labels of a series, plus "le" */

static int
prom_name_chars(const char *s, int colon)
{
	const char	*p;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (colon && *p == ':')))
			return 0;
	return 1;
}

int
prom_name_ok(const char *s)
{
	return prom_name_chars(s, 1);
}

int
prom_label_name_ok(const char *s)
{
	/* "__" names are reserved for Prometheus itself. */
	return prom_name_chars(s, 0) && strncmp(s, "__", 2) != 0;
}

/* Text with \ and newline escaped, and " too when "quote" is set. */
static int
prom_escaped(struct jbuf *b, const char *s, int quote)
{
	const char	*p, *run = s;

	for (p = s; *p != '\0'; p++) {
		if (*p != '\\' && *p != '\n' && !(quote && *p == '"'))
			continue;
		jbuf_raw(b, run, (size_t)(p - run));
		jbuf_lit(b, *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : "\\\"");
		run = p + 1;
	}
	return jbuf_raw(b, run, (size_t)(p - run));
}

int
prom_family(struct jbuf *b, const char *name, const char *type,
    const char *help)
{
	if (!prom_name_ok(name) || (strcmp(type, "counter") != 0 &&
	    strcmp(type, "gauge") != 0 && strcmp(type, "histogram") != 0))
		return -1;
	jbuf_lit(b, "# HELP ");
	jbuf_lit(b, name);
	jbuf_lit(b, " ");
	prom_escaped(b, help, 0);
	jbuf_lit(b, "\n# TYPE ");
	jbuf_lit(b, name);
	jbuf_lit(b, " ");
	jbuf_lit(b, type);
	return jbuf_lit(b, "\n");
}

/* name{a="x",b="y"} and the space before the value. */
static int
prom_series(struct jbuf *b, const char *name, const char *suffix,
    const struct prom_label *l, size_t n)
{
	size_t	i;

	if (!prom_name_ok(name))
		return -1;
	for (i = 0; i < n; i++)
		if (!prom_label_name_ok(l[i].name))
			return -1;
	jbuf_lit(b, name);
	jbuf_lit(b, suffix);
	for (i = 0; i < n; i++) {
		jbuf_lit(b, i == 0 ? "{" : ",");
		jbuf_lit(b, l[i].name);
		jbuf_lit(b, "=\"");
		prom_escaped(b, l[i].value != NULL ? l[i].value : "", 1);
		jbuf_lit(b, "\"");
	}
	return jbuf_lit(b, n > 0 ? "} " : " ");
}

static int
prom_value_u64(struct jbuf *b, uint64_t v)
{
	char	num[32];

	snprintf(num, sizeof(num), "%llu\n", (unsigned long long)v);
	return jbuf_lit(b, num);
}

static int
prom_value_f64(struct jbuf *b, double v)
{
	char	num[40];

	if (isnan(v))
		return jbuf_lit(b, "NaN\n");
	if (isinf(v))
		return jbuf_lit(b, v > 0 ? "+Inf\n" : "-Inf\n");
	snprintf(num, sizeof(num), "%.10g\n", v);
	return jbuf_lit(b, num);
}

int
prom_u64(struct jbuf *b, const char *name, const struct prom_label *l,
    size_t n, uint64_t v)
{
	if (prom_series(b, name, "", l, n) != 0)
		return -1;
	return prom_value_u64(b, v);
}

int
prom_f64(struct jbuf *b, const char *name, const struct prom_label *l,
    size_t n, double v)
{
	if (prom_series(b, name, "", l, n) != 0)
		return -1;
	return prom_value_f64(b, v);
}

int
prom_histogram(struct jbuf *b, const char *name, const struct prom_label *l,
    size_t n, const double *bounds, const uint64_t *counts, size_t nbounds,
    double sum)
{
	struct prom_label	 le[PROM_LE_MAX + 1];
	char			 bound[40];
	uint64_t		 cum = 0;
	size_t			 i;

	if (n > PROM_LE_MAX)
		return -1;
	if (n > 0)
		memcpy(le, l, n * sizeof(*l));
	le[n].name = "le";
	le[n].value = bound;
	for (i = 0; i <= nbounds; i++) {
		if (i > 0 && i < nbounds && !(bounds[i] > bounds[i - 1]))
			return -1;
		cum += counts[i];
		if (i < nbounds)
			snprintf(bound, sizeof(bound), "%g", bounds[i]);
		else
			snprintf(bound, sizeof(bound), "+Inf");
		if (prom_series(b, name, "_bucket", le, n + 1) != 0 ||
		    prom_value_u64(b, cum) != 0)
			return -1;
	}
	if (prom_series(b, name, "_sum", l, n) != 0 ||
	    prom_value_f64(b, sum) != 0 ||
	    prom_series(b, name, "_count", l, n) != 0)
		return -1;
	return prom_value_u64(b, cum);
}
