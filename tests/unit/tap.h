/*
 * tap: the smallest Test Anything Protocol producer, for meson's 'tap' test
 * protocol. One test program per module; each check is one numbered line.
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>

extern int tap_count;
extern int tap_failed;

/* Record one check; prints "ok N - name" or "not ok N - name". Returns cond. */
int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Print the plan line and return the exit status for main(). */
int tap_done(void);

/*
 * tap_stderr_begin() / tap_stderr_end():
 * Capture what the code under test writes on stderr between the two calls;
 * tap_stderr_end returns it (newlines made spaces, so it fits one TAP
 * line) in a static buffer valid until the next capture.
 */
void tap_stderr_begin(void);
const char *tap_stderr_end(void);

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, name) \
	ok((long long)(got) == (long long)(want), "%s (got %lld, want %lld)", \
	    (name), (long long)(got), (long long)(want))

#endif
