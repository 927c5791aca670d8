/*
 * log: see log.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"

static void vlog(const char *level, const char *fmt, va_list ap, int errnum)
    __attribute__((format(printf, 2, 0)));

static void
vlog(const char *level, const char *fmt, va_list ap, int errnum)
{
	fprintf(stderr, "oniondropd: %s", level);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	fflush(stderr);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, 0);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap, 0);
	va_end(ap);
}

void
log_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap, errnum);
	va_end(ap);
}

int
log_budget_take(struct log_budget *b, unsigned per_minute, const char *what)
{
	struct timespec now;
	long minute;

	clock_gettime(CLOCK_MONOTONIC, &now);
	minute = (long)(now.tv_sec / 60);
	if (minute != b->minute) {
		b->minute = minute;
		b->lines = 0;
	}
	if (b->lines >= per_minute) {
		b->dropped++;
		return 0;
	}
	b->lines++;
	if (b->dropped > 0) {
		log_info("%lu %s not logged (at most %u a minute)", b->dropped,
		    what, per_minute);
		b->dropped = 0;
	}
	return 1;
}

/* libevent may log from the store's thread too: one budget, one lock. */
static void
on_libevent_log(int severity, const char *msg)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct log_budget budget;
	int take;

	if (severity == EVENT_LOG_DEBUG)
		return;
	pthread_mutex_lock(&lock);
	take = log_budget_take(&budget, LOG_LIBEVENT_PER_MINUTE,
	    "libevent messages");
	pthread_mutex_unlock(&lock);
	if (!take)
		return;
	if (severity == EVENT_LOG_MSG)
		log_info("libevent: %s", msg);
	else
		log_error("libevent: %s", msg);
}

void
log_libevent(void)
{
	event_set_log_callback(on_libevent_log);
}
