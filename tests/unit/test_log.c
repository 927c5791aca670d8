/* test_log: a message that repeats is held to its budget per minute, then
 * counted; libevent's own messages go through one such budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/util.h>

#include "log.h"
#include "tap.h"

static char captured[65536];

/* Run f with stderr going to a temporary file; its text into captured. */
static void
capture(void (*f)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	f(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
}

static size_t
count(const char *needle)
{
	size_t n = 0;

	for (const char *p = captured; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static struct log_budget budget;
static int taken;

static void
take_1000(void *arg)
{
	taken = 0;
	for (int i = 0; i < 1000; i++)
		if (log_budget_take(&budget, 10, "things")) {
			log_error("thing %d", i);
			taken++;
		}
}

static void
take_1(void *arg)
{
	taken = log_budget_take(&budget, 10, "things");
}

static void
libevent_warns(void *arg)
{
	for (int i = 0; i < 100; i++)
		evutil_make_socket_nonblocking(-1);	/* warns: fcntl(-1) */
}

int
main(void)
{
	capture(take_1000, NULL);
	is_int(taken, 10, "1000 lines in a minute, a budget of 10: 10 logged");
	is_int(count("\n"), 10, "... and nothing else written");
	is_int(budget.dropped, 990, "... 990 counted as dropped");

	budget.minute--;	/* as if a minute had passed */
	capture(take_1, NULL);
	ok(taken, "the next minute, a line may be logged again");
	ok(strstr(captured, "990 things not logged (at most 10 a minute)") != NULL,
	    "... after one saying how many were not");
	is_int(budget.dropped, 0, "... and the count starts again");

	log_libevent();
	capture(libevent_warns, NULL);
	is_int(count("oniondropd: error: libevent: fcntl(-1, F_GETFL)"), 10,
	    "100 warnings from libevent: 10 logged, as the daemon's");
	return tap_done();
}
