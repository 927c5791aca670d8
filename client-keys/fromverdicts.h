/*
 * fromverdicts: the outcomes the verdicts imply (outcomes --from-verdicts).
 * Owns the one table from a report's URLs' current verdicts to a status
 * (docs/analyst.md gives it) and the rule for when a verdict is new enough
 * to queue one (docs/cases.md, "Outcomes").
 */
#ifndef FROMVERDICTS_H
#define FROMVERDICTS_H

struct cases;

/*
 * fromverdicts_queue(c, now, &queued):
 * In its own write transaction, queue (source 'verdict', queued at now)
 * for every report that names a URL and has no outcome of the analyst's
 * still queued: the status its URLs' current verdicts imply, once every
 * one of them has a verdict (the strongest: actioned > unreachable >
 * not-illegal, off-remit counting as not-illegal), if one of those
 * verdicts is newer than the report's last outcome and the status differs
 * from it; while only some have one, in-review, for a report with no
 * outcome yet. Return 0 with *queued the rows added, or -1 after printing
 * why (nothing queued).
 */
int fromverdicts_queue(struct cases *c, const char *now, long *queued);

#endif
