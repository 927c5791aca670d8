/*
 * log: the daemon's own messages (start, stop, its errors) and libevent's
 * on stderr, where systemd's journal takes them; a message that can repeat
 * without end is held to a budget per minute. Nothing about a visitor is
 * ever logged: no
 * address, circuit, request line, URL, header, timing or report content.
 * Callers pass fixed text and server-side facts only.
 */
#ifndef LOG_H
#define LOG_H

/* log_info(fmt, ...): "oniondropd: message". */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* log_error(fmt, ...): "oniondropd: error: message". */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* log_errno(fmt, ...): log_error with ": strerror(errno)" appended. */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A budget of lines per minute for a message that may come back on every
 * turn of the event loop (out of descriptors, the daemon once wrote 1.8
 * million lines in 5 s). Zero-initialised; not shared between threads.
 */
struct log_budget {
	long minute;		/* which minute (monotonic clock) */
	unsigned lines;		/* logged in that minute */
	unsigned long dropped;	/* not logged since the last count */
};

/*
 * log_budget_take(b, per_minute, what):
 * Return 1 if one more line may be logged now (at most per_minute in a
 * minute), else 0 and count it as dropped. The first line allowed after
 * drops is preceded by one saying how many "what" were not logged.
 */
int log_budget_take(struct log_budget *b, unsigned per_minute,
    const char *what);

/*
 * log_libevent():
 * Send libevent's own messages (warnings and errors; never debug) to this
 * log, at most LOG_LIBEVENT_PER_MINUTE a minute, from any thread.
 */
#define LOG_LIBEVENT_PER_MINUTE 10
void log_libevent(void);

#endif
