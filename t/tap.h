#ifndef TAP_H
#define TAP_H

/*
 * A small TAP producer in the manner of git's test-lib: checks print
 * "ok N - name" or "not ok N - name" with the values on '#' lines.
 */
void	plan(int);
int	ok_at(int, const char *, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	is_int_at(long long, long long, const char *, int, const char *, ...)
	    __attribute__((format(printf, 5, 6)));
int	is_str_at(const char *, const char *, const char *, int,
	    const char *, ...) __attribute__((format(printf, 5, 6)));
void	diag(const char *, ...) __attribute__((format(printf, 1, 2)));
int	done_testing(void);

#define ok(c, ...)	ok_at(!!(c), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(g, w, ...) is_int_at((g), (w), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(g, w, ...) is_str_at((g), (w), __FILE__, __LINE__, __VA_ARGS__)

#endif
