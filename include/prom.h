#ifndef PROM_H
#define PROM_H

/*
 * The Prometheus text exposition format (version 0.0.4), written by
 * hand into a struct jbuf: no client library for C is in Debian, and
 * the format is small.  The rules kept here, and checked by
 * t/unit/metrics.c: a metric name matches [a-zA-Z_:][a-zA-Z0-9_:]*, a
 * label name [a-zA-Z_][a-zA-Z0-9_]*; label values escape \ " and
 * newline, HELP text \ and newline; a family's HELP and TYPE come before
 * its samples, once; a histogram's buckets are cumulative, ascending in
 * "le", end with le="+Inf" equal to _count, and come with _sum, _count.
 */
#include <stddef.h>
#include <stdint.h>

struct jbuf;

/* Labels: name/value pairs, "n" pairs (values borrowed). */
struct prom_label {
	const char	*name;
	const char	*value;
};

/* 1 if "s" is a valid metric name (label: a valid label name). */
int	prom_name_ok(const char *);
int	prom_label_name_ok(const char *);

/*
 * "# HELP name help" and "# TYPE name type" ("counter", "gauge",
 * "histogram").  Returns 0, or -1 on a bad name or a full buffer.
 */
int	prom_family(struct jbuf *, const char *name, const char *type,
	    const char *help);

/* One sample line, an integer or a floating value. */
int	prom_u64(struct jbuf *, const char *name, const struct prom_label *,
	    size_t nlabels, uint64_t value);
int	prom_f64(struct jbuf *, const char *name, const struct prom_label *,
	    size_t nlabels, double value);

/*
 * The samples of one histogram series: "counts" holds nbounds + 1
 * per-bucket (not cumulative) counts, the last one above every bound;
 * "bounds" ascend.  Writes name_bucket{...,le=...} cumulatively, then
 * name_sum and name_count.
 */
int	prom_histogram(struct jbuf *, const char *name,
	    const struct prom_label *, size_t nlabels, const double *bounds,
	    const uint64_t *counts, size_t nbounds, double sum);

#endif
