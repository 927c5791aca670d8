/*
 * admin: the operator's commands on the store, "oniondropd export|stats|
 * purge|import-outcomes", run as a second process while the server runs
 * (LMDB allows it; the same process must not open the store twice). Each
 * returns a process exit status: 0, or 1 after one line on stderr. Nothing
 * here prints a receipt or any byte of a report (import-outcomes names the
 * report ids of the desk's file that the store does not know).
 *
 * Each may be run by root: it then works on the store as data_dir's owner,
 * in a child process, and follows no link in data_dir (see admin.c).
 */
#ifndef ADMIN_H
#define ADMIN_H

#include "datadir.h"
#include "keys.h"

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
 * map_size, map_used, transactions, envelope_files (reports whose
 * envelope is a file beside the map), outcomes (reports with one),
 * follow_ups, outcome_sequence (of the last outcome file imported; 0).
 */
int admin_stats(const char *data_dir);

/*
 * admin_purge(data_dir, days):
 * Delete every report exported at least days UTC days ago (0: every
 * exported report), keeping its receipt so the status page says "purged".
 * Print "purged N reports".
 */
int admin_purge(const char *data_dir, unsigned days);

/*
 * admin_desk_key(path, pub):
 * Read the desk's signing key line (odsig1_...) from the file at path: a
 * regular file, not a link, of at most 1 KiB. Return 0 with pub filled,
 * or -1 after logging why ("desk_key PATH: ...").
 */
int admin_desk_key(const char *path, struct keys_public *pub);

/*
 * admin_import_outcomes(data_dir, desk_key, path):
 * Import the outcome file at path (outcome.h; a regular file, not a link,
 * of at most OUTCOME_FILE_MAX bytes) signed with the key in the file
 * desk_key (NULL: refused, "desk_key is not set"). In one write
 * transaction: refuse it unless its sequence is newer than the last one
 * imported; store each entry's status, day and sealed message for its
 * report, replacing the one before, if the store has or had that report
 * (purged reports included); record the sequence. Name each other report
 * on stderr ("unknown report: ID"), then print "imported: N" and
 * "unknown: M". Exit status 0 if every entry was stored, 1 if some named
 * unknown reports (the others stored), or 1 after one line on stderr with
 * nothing changed.
 */
int admin_import_outcomes(const char *data_dir, const char *desk_key,
    const char *path);

/*
 * admin_as_owner(d, fn, ctx):
 * Run fn(d, ctx), which works on the store, with the rights of data_dir's
 * owner and no more: if this process is root and the owner is not, in a
 * child that becomes the owner first (for good, undumpable). Return fn's
 * exit status, or 1 after logging why there is none.
 */
int admin_as_owner(const struct datadir *d,
    int (*fn)(const struct datadir *d, void *ctx), void *ctx);

#endif
