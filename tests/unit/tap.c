/*
 * tap: see tap.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "tap.h"

int tap_count;
int tap_failed;

int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("# failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

static FILE *captured;
static int saved_stderr = -1;

void
tap_stderr_begin(void)
{
	fflush(stderr);
	if ((captured = tmpfile()) == NULL)
		return;
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured), STDERR_FILENO);
}

const char *
tap_stderr_end(void)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = '\0';
	if (captured == NULL)
		return buf;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(captured);
	n = fread(buf, 1, sizeof(buf) - 1, captured);
	buf[n] = '\0';
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	fclose(captured);
	captured = NULL;
	return buf;
}
