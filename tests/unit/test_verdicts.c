/*
 * test_verdicts: the verdict log. The chain's hash is pinned to a value
 * computed outside this code (Python's hashlib, following docs/cases.md);
 * the allowed values and the text checks of assess; rows appended in one
 * transaction verify, and verify names the first bad row after a field is
 * edited, a hash replaced, a row deleted in the middle or at the end, or a
 * row added behind the tool's back; assess refuses to extend a log whose
 * end does not match meta.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "encode.h"
#include "tap.h"
#include "verdicts.h"

static char tmp[] = "/tmp/test_verdicts.XXXXXX";

static void
test_chain_vector(void)
{
	/* python3: blake2b(zeros32 + be32(len)||bytes ..., digest_size=32) */
	static const char want[] =
	    "b290f33dfa59db51b80f8c3c6c23a623452f0c376281f866070ed51d21964c97";
	static const char note[] = "note \xd9\x85\xd9\x84\xd8\xa7\xd8\xad"
	    "\xd8\xb8\xd8\xa9";
	const struct verdicts_cell cells[VERDICTS_FIELDS] = {
		{ "1", 1 }, { "uabcdefghij", 11 }, { "2026-01-02T03:04:05Z", 20 },
		{ "actioned", 8 }, { "A", 1 }, { "7-10", 4 }, { NULL, 0 },
		{ "0", 1 }, { "1", 1 }, { "image-host", 10 }, { "NL", 2 },
		{ "police", 6 }, { note, sizeof(note) - 1 }, { "", 0 },
	};
	uint8_t zero[VERDICTS_HASH_BYTES] = { 0 }, out[VERDICTS_HASH_BYTES];
	char hex[ENCODE_HEX_LEN(VERDICTS_HASH_BYTES) + 1];

	verdicts_chain(zero, cells, out);
	encode_hex(hex, out, sizeof(out));
	ok(strcmp(hex, want) == 0, "the chain hash matches docs/cases.md as "
	    "Python computes it (%s)", hex);
}

static void
test_allowed(void)
{
	static const struct { enum verdicts_enum f; const char *s; int want; } v[] = {
		{ VERDICTS_VERDICT, "actioned", 1 },
		{ VERDICTS_VERDICT, "unreachable", 1 },
		{ VERDICTS_VERDICT, "Actioned", 0 },
		{ VERDICTS_VERDICT, "action", 0 },
		{ VERDICTS_VERDICT, "actioned|not-illegal", 0 },
		{ VERDICTS_VERDICT, "", 0 },
		{ VERDICTS_SEVERITY, "C", 1 },
		{ VERDICTS_SEVERITY, "c", 0 },
		{ VERDICTS_AGE_BAND, "0-2", 1 },
		{ VERDICTS_AGE_BAND, "unknown", 1 },
		{ VERDICTS_AGE_BAND, "2-6", 0 },
		{ VERDICTS_SEX, "unidentified", 1 },
		{ VERDICTS_SITE_TYPE, "other", 1 },
		{ VERDICTS_SITE_TYPE, "image", 0 },
		{ VERDICTS_REFERRED_TO, "none", 1 },
		{ VERDICTS_REFERRED_TO, "police|host", 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ok(verdicts_is_allowed(v[i].f, v[i].s) == v[i].want,
		    "'%s' is %sallowed in %s", v[i].s, v[i].want ? "" : "not ",
		    verdicts_allowed(v[i].f));
}

static void
test_text(void)
{
	char big[VERDICTS_NOTE_MAX + 2];

	ok(verdicts_text_ok("Léa", 8), "accented text");
	ok(verdicts_text_ok("\xd8\xb3\xd8\xa7\xd8\xb1\xd8\xa9", 8),
	    "Arabic text");
	ok(!verdicts_text_ok("", 8), "empty refused");
	ok(!verdicts_text_ok("a\tb", 8), "a tab refused");
	ok(!verdicts_text_ok("a\x7f", 8), "DEL refused");
	ok(!verdicts_text_ok("a\xc2\x85", 8), "a C1 control (U+0085) refused");
	ok(!verdicts_text_ok("a\xff", 8), "invalid UTF-8 refused");
	ok(!verdicts_text_ok("\xc0\xaf", 8), "an overlong form refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(!verdicts_text_ok(big, VERDICTS_NOTE_MAX), "one byte too long "
	    "refused");
	big[sizeof(big) - 2] = '\0';
	ok(verdicts_text_ok(big, VERDICTS_NOTE_MAX), "the longest accepted");
}

static void
exec_sql(struct cases *c, const char *sql)
{
	if (sqlite3_exec(cases_db(c), sql, NULL, NULL, NULL) != SQLITE_OK)
		printf("# %s: %s\n", sql, sqlite3_errmsg(cases_db(c)));
}

/* Append one verdict per id in one transaction; return what append did. */
static int
append(struct cases *c, const char *const *ids, size_t n, const char *verdict)
{
	const struct verdicts_row row = { .verdict = verdict, .severity = NULL,
	    .self_generated = 1, .hosting_country = "FR", .note = "n" };
	int64_t first;
	int rc;

	if (cases_begin(c) != 0)
		return -2;
	rc = verdicts_append(c, ids, n, &row, "2026-01-02T03:04:05Z", &first);
	if (rc == 0 && cases_commit(c) != 0)
		return -2;
	if (rc != 0)
		cases_rollback(c);
	return rc;
}

/* Run verify; check its result and that its message holds want. */
static void
verify_says(struct cases *c, int want_rc, const char *want, const char *what)
{
	int64_t count = -1;
	const char *err;
	int rc;

	tap_stderr_begin();
	rc = verdicts_verify(c, &count);
	err = tap_stderr_end();
	ok(rc == want_rc && strstr(err, want) != NULL, "%s: verify returns %d "
	    "and says '%s' (got %d: %s)", what, want_rc, want, rc, err);
}

/* A log of 5 rows over 2 URLs, the state every tampering starts from. */
static struct cases *
fresh_log(void)
{
	static const char *const ids[] = { "ua", "ub", "ua" };
	char path[sizeof(tmp) + 32];
	struct cases *c;

	snprintf(path, sizeof(path), "rm -f %s/cases.db*", tmp);
	if (system(path) != 0 || (c = cases_open(tmp, CASES_CREATE)) == NULL)
		return NULL;
	exec_sql(c, "INSERT INTO urls VALUES ('ua', 'http://a/', 'a'), "
	    "('ub', 'http://b/', 'b')");
	ok(append(c, ids, 3, "actioned") == 0 &&
	    append(c, ids + 1, 2, "off-remit") == 0, "5 verdicts appended");
	return c;
}

static void
test_log(void)
{
	static const char *const ids[] = { "ua" };
	struct cases *c;
	int64_t count = 0;
	const char *err;
	int rc;

	if ((c = fresh_log()) == NULL) {
		ok(0, "a case file to test on");
		return;
	}
	rc = verdicts_verify(c, &count);
	ok(rc == 0 && count == 5, "an untouched log verifies (%lld rows)",
	    (long long)count);
	exec_sql(c, "UPDATE verdicts SET verdict = 'not-illegal' WHERE seq = 3");
	verify_says(c, 1, "verdict 3: it does not match its hash (edited)",
	    "a verdict edited");
	exec_sql(c, "UPDATE verdicts SET verdict = 'actioned' WHERE seq = 3");
	ok(verdicts_verify(c, &count) == 0, "edited back, it verifies again");
	exec_sql(c, "UPDATE verdicts SET hash = zeroblob(32) WHERE seq = 2");
	verify_says(c, 1, "verdict 2: it does not match its hash",
	    "a hash replaced");
	cases_close(c);

	c = fresh_log();
	exec_sql(c, "DELETE FROM verdicts WHERE seq = 2");
	verify_says(c, 1, "verdict 2 is missing (deleted): the next one kept "
	    "is 3", "a verdict deleted");
	ok(append(c, ids, 1, "actioned") == 0, "a log with a hole in the "
	    "middle still takes verdicts (its end matches meta)");
	verify_says(c, 1, "verdict 2 is missing", "and still names the hole");
	cases_close(c);

	c = fresh_log();
	exec_sql(c, "DELETE FROM verdicts WHERE seq >= 4");
	verify_says(c, 1, "3 verdicts, meta counts 5: verdicts 4 to 5 were "
	    "removed", "the last verdicts deleted");
	tap_stderr_begin();
	rc = append(c, ids, 1, "actioned");
	err = tap_stderr_end();
	ok(rc == -1 && strstr(err, "does not end where meta says") != NULL,
	    "a truncated log is not extended (%s)", err);
	verify_says(c, 1, "meta counts 5", "nothing was added to it");
	cases_close(c);

	c = fresh_log();
	exec_sql(c, "UPDATE meta SET value = '6' WHERE key = 'verdicts_count'");
	verify_says(c, 1, "5 verdicts, meta counts 6", "meta counting more");
	exec_sql(c, "UPDATE meta SET value = '4' WHERE key = 'verdicts_count'");
	verify_says(c, 1, "verdict 5 was not recorded by oniondrop-keys",
	    "a row meta does not count");
	exec_sql(c, "UPDATE meta SET value = '5' WHERE key = 'verdicts_count'");
	exec_sql(c, "UPDATE meta SET value = 'zz' WHERE key = 'verdicts_head'");
	verify_says(c, 1, "verdicts_head is not a hash", "meta's head garbled");
	cases_close(c);

	c = fresh_log();
	exec_sql(c, "DELETE FROM verdicts");
	verify_says(c, 1, "0 verdicts, meta counts 5", "every verdict deleted");
	cases_close(c);
}

int
main(void)
{
	char cmd[sizeof(tmp) + 16];

	if (sodium_init() < 0 || mkdtemp(tmp) == NULL) {
		printf("Bail out! setup\n");
		return 1;
	}
	test_chain_vector();
	test_allowed();
	test_text();
	test_log();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", tmp);
	return tap_done();
}
