/*
 * verdicts: the verdict log of a case file (docs/cases.md, "The chain"):
 * the values each field allows, the BLAKE2b-256 chain that makes the
 * append-only log tamper-evident, appending rows to it and re-checking it,
 * and a URL's current verdict. Works on an open case file (cases.h); the
 * caller owns the transaction, so a batch of rows is all or nothing.
 */
#ifndef VERDICTS_H
#define VERDICTS_H

#include <stddef.h>
#include <stdint.h>

struct cases;

#define VERDICTS_HASH_BYTES 32
#define VERDICTS_FIELDS 14	/* seq .. analyst, the hashed columns */
#define VERDICTS_NOTE_MAX 4096	/* bytes of --note */
#define VERDICTS_ANALYST_MAX 128	/* bytes of --analyst */

/* The fields that take one of a fixed set of values. */
enum verdicts_enum {
	VERDICTS_VERDICT,
	VERDICTS_SEVERITY,
	VERDICTS_AGE_BAND,
	VERDICTS_SEX,
	VERDICTS_SITE_TYPE,
	VERDICTS_REFERRED_TO,
};

/* One verdict as given to assess; NULL strings are absent (SQL NULL). */
struct verdicts_row {
	const char *verdict;
	const char *severity;
	const char *age_band;
	const char *sex;
	int self_generated;
	int ai_generated;
	const char *site_type;
	const char *hosting_country;
	const char *referred_to;
	const char *note;
	const char *analyst;
};

/* One hashed cell: len bytes at p, or SQL NULL when p is NULL. */
struct verdicts_cell {
	const void *p;
	size_t len;
};

/*
 * verdicts_allowed(field):
 * The values field allows, joined by '|' (as the usage and errors say them).
 */
const char *verdicts_allowed(enum verdicts_enum field);

/* verdicts_is_allowed(field, s): 1 if s is one of field's values, else 0. */
int verdicts_is_allowed(enum verdicts_enum field, const char *s);

/*
 * verdicts_text_ok(s, max):
 * 1 if s is non-empty, at most max bytes, valid UTF-8 and free of control
 * characters (C0, DEL, C1), as --note and --analyst must be; else 0.
 */
int verdicts_text_ok(const char *s, size_t max);

/*
 * verdicts_chain(prev, cells, out):
 * out = BLAKE2b-256(prev || each of the VERDICTS_FIELDS cells as a 4-byte
 * big-endian length and its bytes, a NULL as 0xFFFFFFFF and no bytes).
 */
void verdicts_chain(const uint8_t prev[VERDICTS_HASH_BYTES],
    const struct verdicts_cell cells[VERDICTS_FIELDS],
    uint8_t out[VERDICTS_HASH_BYTES]);

/*
 * verdicts_append(c, ids, n, row, at):
 * Append one row per URL id ids[0..n) with the fields of row, made at
 * `at` (YYYY-MM-DDTHH:MM:SSZ), chained to the last row, and move meta's
 * verdicts_count and verdicts_head along. Must run inside a write
 * transaction (BEGIN IMMEDIATE) the caller commits or rolls back; refuses
 * (-1) a log whose last row does not match meta's head, so a truncated log
 * is never extended into one that looks intact. On success *first holds
 * the first new seq. Prints one error line and returns -1 on failure.
 */
int verdicts_append(struct cases *c, const char *const *ids, size_t n,
    const struct verdicts_row *row, const char *at, int64_t *first);

/*
 * verdicts_verify(c, &count):
 * Recompute the chain in seq order and compare it with each row and with
 * meta. Return 0 if intact (*count rows), 1 if broken (one line on stderr
 * naming the first bad row: edited, a gap in seq, or rows missing at the
 * end), -1 if the log could not be read (error printed). Run inside a read
 * transaction so rows and meta are one snapshot.
 */
int verdicts_verify(struct cases *c, int64_t *count);

#endif
