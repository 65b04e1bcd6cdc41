#ifndef APP_H
#define APP_H

struct cfg;
struct store;

/* What a worker hands down to every request. */
struct app {
	const struct cfg	*cfg;
	struct store		*store;
};

#endif
