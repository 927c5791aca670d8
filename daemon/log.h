/*
 * log: the daemon's own messages (start, stop, its errors) on stderr, where
 * systemd's journal takes them. Nothing about a visitor is ever logged: no
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

#endif
