/*
 * admin: the operator's commands on the store, "oniondropd export|stats|
 * purge", run as a second process while the server runs (LMDB allows it;
 * the same process must not open the store twice). Each returns a process
 * exit status: 0, or 1 after one line on stderr. Nothing here prints a
 * receipt or any byte of a report.
 *
 * Each may be run by root: it then works on the store as data_dir's owner,
 * in a child process, and follows no link in data_dir (see admin.c).
 */
#ifndef ADMIN_H
#define ADMIN_H

/*
 * admin_export(data_dir, bundle_path, all):
 * Create bundle_path (mode 0600, never replacing a file), write into it
 * every report not yet exported (every report with all) as the store held
 * them when the export began, fsync it and its directory, and only then
 * mark those reports exported (today, unless they already were). Print
 * "exported N reports to BUNDLE". On failure remove the partial bundle;
 * the reports stay as they were.
 */
int admin_export(const char *data_dir, const char *bundle_path, int all);

/*
 * admin_stats(data_dir):
 * Print "key: value" lines: reports, unexported, bytes (envelope bytes of
 * all reports), then purged, oldest_unexported_day (YYYY-MM-DD or none),
 * map_size, map_used, transactions.
 */
int admin_stats(const char *data_dir);

/*
 * admin_purge(data_dir, days):
 * Delete every report exported at least days UTC days ago (0: every
 * exported report), keeping its receipt so the status page says "purged".
 * Print "purged N reports".
 */
int admin_purge(const char *data_dir, unsigned days);

#endif
