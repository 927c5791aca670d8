/*
 * export: `oniondrop-keys export`, the case file as one row per report and
 * line of its urls field (csv or json lines), and the definition of those
 * rows, which stats counts (so that its totals agree with the export),
 * and the rule for a URL's current verdict, which purge-plaintext uses too.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include "cases.h"

/*
 * EXPORT_CURRENT_SEQ(url):
 * SQL for the seq of the current verdict of the URL whose id is the SQL
 * expression url: its row with the highest seq (NULL when it has none).
 */
#define EXPORT_CURRENT_SEQ(url) \
	"(SELECT max(w.seq) FROM verdicts w WHERE w.url_id = " url ")"

/*
 * export_view(c):
 * Create the temporary view desk_rows on c's connection: one row per
 * report and line of its urls (a report with no line: one row, its line
 * columns NULL), with the URL's current verdict (NULL columns when it has
 * none or the line is text). Its columns are those of the export, in the
 * same order, followed by pos (the line's position). Return 0, or -1
 * after printing why.
 */
int export_view(struct cases *c);

#endif
