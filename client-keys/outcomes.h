/*
 * outcomes: the commands outcome and outcomes (commands.h), and the rule
 * for which of a report's outcomes a file carries, which show uses too.
 */
#ifndef OUTCOMES_H
#define OUTCOMES_H

/*
 * OUTCOMES_CHOSEN(o):
 * SQL for the id of the outcome a file carries (or carried) for the report
 * of the outcomes row o, among the rows queued with it (those with the
 * same sent_sequence, or all still queued): the latest of the analyst's,
 * else the latest. An analyst's own word wins over one from the verdicts.
 */
#define OUTCOMES_CHOSEN(o) \
	"(SELECT p.id FROM outcomes AS p WHERE p.report_id = " o \
	".report_id AND p.sent_sequence IS " o ".sent_sequence " \
	"ORDER BY p.source = 'analyst' DESC, p.id DESC LIMIT 1)"

#endif
