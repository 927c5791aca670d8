/*
 * fromverdicts: see fromverdicts.h. One statement: SQLite walks each
 * report's distinct URLs once with their current verdicts (the index
 * verdicts_url) and each report's last outcome (outcomes_report).
 */
#include <sqlite3.h>

#include "cases.h"
#include "export.h"
#include "fromverdicts.h"

/*
 * cur: each report's distinct URLs with their current verdict (or none).
 * per: per report, URLs, URLs with a verdict, the newest current verdict
 * and the strongest one's rank. last: the report's latest outcome, sent or
 * queued. "Newer" compares verdict seqs with the verdict log's length when
 * that outcome was queued (verdicts_seen): no clock is trusted. in-review
 * (some URLs still without a verdict) only goes to a report with no
 * outcome yet: it never replaces what the desk already said.
 */
static const char queue_sql[] =
    "WITH cur AS (SELECT l.report_id AS rid, v.seq AS seq, "
    "  v.verdict AS verdict FROM (SELECT DISTINCT report_id, url_id "
    "  FROM report_lines WHERE url_id IS NOT NULL) AS l "
    "  LEFT JOIN verdicts AS v ON v.seq = " EXPORT_CURRENT_SEQ("l.url_id")
    "), per AS (SELECT rid, count(*) AS n, count(seq) AS judged, "
    "  max(seq) AS newest, max(CASE verdict WHEN 'actioned' THEN 3 "
    "  WHEN 'unreachable' THEN 2 WHEN 'not-illegal' THEN 1 "
    "  WHEN 'off-remit' THEN 1 END) AS rank "
    "  FROM cur GROUP BY rid HAVING judged > 0), "
    "implied AS (SELECT rid, newest, CASE WHEN judged < n THEN 'in-review' "
    "  WHEN rank = 3 THEN 'actioned' WHEN rank = 2 THEN 'unreachable' "
    "  ELSE 'not-illegal' END AS status FROM per) "
    "INSERT INTO outcomes (report_id, status, queued_at, source, "
    "  verdicts_seen) "
    "SELECT i.rid, i.status, ?1, 'verdict', (SELECT CAST(value AS INTEGER) "
    "  FROM meta WHERE key = 'verdicts_count') FROM implied AS i "
    "LEFT JOIN outcomes AS last ON last.id = (SELECT max(id) FROM outcomes "
    "  WHERE report_id = i.rid) "
    "WHERE NOT EXISTS (SELECT 1 FROM outcomes AS a WHERE a.report_id = "
    "  i.rid AND a.source = 'analyst' AND a.sent_sequence IS NULL) "
    "AND (last.id IS NULL OR (i.status <> 'in-review' AND "
    "  i.newest > last.verdicts_seen AND i.status <> last.status)) "
    "ORDER BY i.rid";

int
fromverdicts_queue(struct cases *c, const char *now, long *queued)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (cases_begin(c) != 0)
		return -1;
	if (sqlite3_prepare_v2(cases_db(c), queue_sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		cases_sqlerr(c, "cannot read the verdicts");
		goto err;
	}
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cases_sqlerr(c, "cannot queue the verdicts' outcomes");
		goto err;
	}
	*queued = sqlite3_changes(cases_db(c));
	return cases_commit(c);
err:
	cases_rollback(c);
	return -1;
}
