/*
 * test_outcome: the signed outcome file: round trip through writer and
 * reader, the writer's refusals, and the reader's refusal of every damage
 * (wrong key, any flipped byte, any truncation, garbage, oversize, trailing
 * bytes) and of well-signed files that break the entry rules.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "outcome.h"
#include "tap.h"

static uint8_t desk_pk[32], desk_sk[64], other_pk[32], other_sk[64];

static void
make_keys(void)
{
	uint8_t seed[32];

	memset(seed, 0x5a, sizeof(seed));	/* a fixed key, as the fuzz seeds' */
	crypto_sign_seed_keypair(desk_pk, desk_sk, seed);
	crypto_sign_keypair(other_pk, other_sk);
}

static struct outcome_entry
entry(uint8_t idbyte, unsigned status, const uint8_t *msg, size_t mlen)
{
	struct outcome_entry e = { .status = (enum outcome_status)status,
	    .day = 20000 + idbyte, .message = msg, .message_len = mlen };

	memset(e.id, idbyte, sizeof(e.id));
	return e;
}

/* A file of three entries: no message, the shortest and the longest. */
static uint8_t *
make_file(size_t *len, const uint8_t *sk)
{
	static uint8_t msg[OUTCOME_SEALED_MAX];
	struct outcome_writer *w = outcome_writer_new(7, 20500);
	struct outcome_entry e[3] = { entry(1, OUTCOME_ACTIONED, NULL, 0),
	    entry(2, OUTCOME_NEED_INFORMATION, msg, crypto_box_SEALBYTES + 1),
	    entry(3, OUTCOME_IN_REVIEW, msg, OUTCOME_SEALED_MAX) };
	const char *why;
	uint8_t *out = NULL;

	randombytes_buf(msg, sizeof(msg));
	for (int i = 0; i < 3; i++)
		if (outcome_writer_add(w, &e[i], &why) != 0)
			return NULL;
	if (outcome_writer_finish(w, sk, &out, len) != 0)
		return NULL;
	return out;
}

/* Verify buf against pk; return the reason, or NULL if it verified. */
static const char *
refusal(const uint8_t *buf, size_t len, const uint8_t *pk)
{
	struct outcome_file f;
	const char *why = NULL;

	return outcome_verify(&f, buf, len, pk, &why) == 0 ? NULL : why;
}

/* One check: why (from a refusal) names want. */
static void
refused(const char *why, const char *want, const char *name)
{
	ok(why != NULL && strstr(why, want) != NULL, "%s: %s", name,
	    why ? why : "(accepted)");
}

static void
test_statuses(void)
{
	int good = 1;

	for (unsigned st = 1; st < OUTCOME_STATUS_COUNT; st++)
		good &= outcome_status_parse(outcome_status_name(st)) == st;
	ok(good, "every status name parses back to its status");
	ok(outcome_status_name(0) == NULL && outcome_status_name(7) == NULL &&
	    outcome_status_parse("done") == OUTCOME_NONE &&
	    outcome_status_parse(NULL) == OUTCOME_NONE,
	    "no name for 0 or 7; an unknown name is no status");
}

static void
test_round_trip(void)
{
	struct outcome_file f;
	struct outcome_entry e;
	const char *why = NULL;
	size_t len, pos = 0;
	uint8_t *buf = make_file(&len, desk_sk);
	int n = 0, good = 1;

	ok(buf != NULL && len == OUTCOME_HEADER_BYTES + 3 * OUTCOME_ENTRY_FIXED +
	    crypto_box_SEALBYTES + 1 + OUTCOME_SEALED_MAX + OUTCOME_SIG_BYTES,
	    "writer makes a file of the documented size (%zu)", len);
	ok(outcome_verify(&f, buf, len, desk_pk, &why) == 0, "it verifies");
	ok(f.sequence == 7 && f.day == 20500 && f.count == 3 &&
	    memcmp(f.signer, desk_pk, 32) == 0, "header read back");
	while (outcome_next(&f, &pos, &e) == 1) {
		n++;
		good &= e.id[0] == n && e.id[15] == n && e.day == 20000u + n;
	}
	ok(n == 3 && good, "three entries read back in order");
	pos = 0;
	outcome_next(&f, &pos, &e);
	ok(e.status == OUTCOME_ACTIONED && e.message == NULL && e.message_len == 0,
	    "an entry without a message");
	outcome_next(&f, &pos, &e);
	ok(e.status == OUTCOME_NEED_INFORMATION && e.message_len == 49 &&
	    e.message == buf + OUTCOME_HEADER_BYTES + 2 * OUTCOME_ENTRY_FIXED,
	    "the shortest message points into the buffer");
	free(buf);
}

static void
test_writer_refusals(void)
{
	struct outcome_writer *w = outcome_writer_new(1, 1);
	uint8_t msg[OUTCOME_SEALED_MAX + 1] = { 0 }, *out = NULL;
	struct outcome_entry e = entry(9, OUTCOME_ACTIONED, NULL, 0);
	const char *why = NULL;
	size_t len;

	ok(outcome_writer_new(0, 1) == NULL, "sequence 0 is refused");
	ok(outcome_writer_finish(outcome_writer_new(1, 1), desk_sk, &out, &len) != 0,
	    "a file of no entry is refused");
	ok(outcome_writer_add(w, &e, &why) == 0, "first entry added");
	why = NULL;
	outcome_writer_add(w, &e, &why);
	refused(why, "same report", "a second entry for the id");
	e = entry(10, 0, NULL, 0);
	why = NULL;
	outcome_writer_add(w, &e, &why);
	refused(why, "status", "status 0");
	e = entry(10, OUTCOME_STATUS_COUNT, NULL, 0);
	ok(outcome_writer_add(w, &e, &why) != 0, "status 7 refused");
	e = entry(10, OUTCOME_ACTIONED, msg, crypto_box_SEALBYTES);
	why = NULL;
	outcome_writer_add(w, &e, &why);
	refused(why, "length", "a message of SEALBYTES (empty plaintext)");
	e = entry(10, OUTCOME_ACTIONED, msg, OUTCOME_SEALED_MAX + 1);
	ok(outcome_writer_add(w, &e, &why) != 0, "a message over OUTCOME_SEALED_MAX refused");
	outcome_writer_free(w);
	outcome_writer_free(NULL);
}

/* Sign a hand-made file: header for count, then body[0..blen). */
static uint8_t *
forge(size_t *len, uint64_t seq, uint32_t count, const uint8_t *body,
    size_t blen)
{
	uint8_t *buf = calloc(1, OUTCOME_HEADER_BYTES + blen + OUTCOME_SIG_BYTES);

	memcpy(buf, "ODOC", 4);
	buf[4] = 1;
	memcpy(buf + 8, desk_pk, 32);
	encode_be64(buf + 40, seq);
	encode_be32(buf + 48, 20500);
	encode_be32(buf + 52, count);
	memcpy(buf + OUTCOME_HEADER_BYTES, body, blen);
	*len = OUTCOME_HEADER_BYTES + blen;
	crypto_sign_detached(buf + *len, NULL, buf, *len, desk_sk);
	*len += OUTCOME_SIG_BYTES;
	return buf;
}

/* Verify a forged file; return why, or NULL if it verified. */
static const char *
verify_forged(uint64_t seq, uint32_t count, const uint8_t *body, size_t blen)
{
	struct outcome_file f;
	const char *why = NULL;
	size_t len;
	uint8_t *buf = forge(&len, seq, count, body, blen);
	int rc = outcome_verify(&f, buf, len, desk_pk, &why);

	free(buf);
	return rc == 0 ? NULL : why;
}

/* entry bytes: id filled with idbyte, status, day 1, message length. */
static size_t
put_entry(uint8_t *p, uint8_t idbyte, uint8_t status, uint16_t mlen)
{
	memset(p, idbyte, ENVELOPE_ID_BYTES);
	p[16] = status;
	encode_be32(p + 17, 1);
	encode_be16(p + 21, mlen);
	memset(p + OUTCOME_ENTRY_FIXED, 0xee, mlen);
	return OUTCOME_ENTRY_FIXED + mlen;
}

static void
test_signed_but_bad(void)
{
	static uint8_t b[3 * (OUTCOME_ENTRY_FIXED + OUTCOME_SEALED_MAX + 1)];
	size_t n;

	n = put_entry(b, 1, 1, 0);
	ok(verify_forged(1, 1, b, n) == NULL, "a forged well-formed file verifies");
	refused(verify_forged(0, 1, b, n), "sequence", "sequence 0");
	refused(verify_forged(1, 0, b, n), "count", "zero entries");
	refused(verify_forged(1, 2, b, n), "count", "count 2, one entry");
	b[n] = 0;
	refused(verify_forged(1, 1, b, n + 1), "left over", "a signed trailing byte");
	n += put_entry(b + n, 1, 2, 0);
	refused(verify_forged(1, 2, b, n), "twice", "duplicate id");
	n = put_entry(b, 1, 0, 0);
	refused(verify_forged(1, 1, b, n), "status", "status 0");
	n = put_entry(b, 1, 7, 0);
	refused(verify_forged(1, 1, b, n), "status", "status 7");
	n = put_entry(b, 1, 1, crypto_box_SEALBYTES);
	refused(verify_forged(1, 1, b, n), "length", "message of 48");
	n = put_entry(b, 1, 1, OUTCOME_SEALED_MAX + 1);
	refused(verify_forged(1, 1, b, n), "length", "message of 4049");
	n = put_entry(b, 1, 1, OUTCOME_SEALED_MAX);
	ok(verify_forged(1, 1, b, n) == NULL, "message of 4048 verifies");
	n = put_entry(b, 1, 1, 100);
	refused(verify_forged(1, 1, b, n - 1), "cut short", "a message longer than the rest");
	n = put_entry(b, 1, 1, 49);
	n += put_entry(b + n, 2, 1, 0);
	refused(verify_forged(1, 2, b, n - 1), "cut short", "a second entry cut short");
}

static void
test_damage(void)
{
	size_t len, flips = 0, cuts = 0;
	uint8_t *buf = make_file(&len, desk_sk), *big;

	refused(refusal(buf, len, other_pk), "another key", "verified against another key");
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x20;
		flips += refusal(buf, len, desk_pk) != NULL;
		buf[i] ^= 0x20;
	}
	ok(flips == len, "every flipped byte is refused (%zu of %zu)", flips, len);
	for (size_t i = 0; i < len; i++)
		cuts += refusal(buf, i, desk_pk) != NULL;
	ok(cuts == len, "every truncation is refused (%zu of %zu)", cuts, len);
	refused(refusal(buf, len - 1, desk_pk), "signature", "one byte short");
	refused(refusal(buf, 40, desk_pk), "truncated", "40 bytes");
	free(buf);
	buf = make_file(&len, other_sk);
	refused(refusal(buf, len, desk_pk), "another key", "re-signed with another key");
	memcpy(buf + 8, desk_pk, 32);
	refused(refusal(buf, len, desk_pk), "signature",
	    "another key's signature under desk_key's name");
	big = calloc(1, OUTCOME_FILE_MAX + 1);
	memcpy(big, buf, len);
	refused(refusal(big, len + 1, desk_pk), "signature", "a trailing byte");
	refused(refusal(big, OUTCOME_FILE_MAX + 1, desk_pk), "16 MiB", "16 MiB + 1");
	randombytes_buf(big, 5000);
	refused(refusal(big, 5000, desk_pk), "not an outcome", "garbage");
	memcpy(big, "ODOC\1\0\0\0", 8);
	memcpy(big + 8, desk_pk, 32);
	refused(refusal(big, 5000, desk_pk), "signature", "garbage after a good header");
	free(big);
	free(buf);
}

/* 100,000 entries, the cap, verify in linear time; one more is refused. */
static void
test_many(void)
{
	struct outcome_writer *w = outcome_writer_new(2, 1);
	struct outcome_entry e = entry(0, OUTCOME_ACTIONED, NULL, 0);
	struct outcome_file f;
	const char *why = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int added = 0;

	for (uint32_t i = 0; i < OUTCOME_ENTRIES_MAX; i++) {
		encode_be32(e.id, i);
		added += outcome_writer_add(w, &e, &why) == 0;
	}
	encode_be32(e.id, OUTCOME_ENTRIES_MAX);
	why = NULL;
	outcome_writer_add(w, &e, &why);
	is_int(added, OUTCOME_ENTRIES_MAX, "OUTCOME_ENTRIES_MAX entries added");
	refused(why, "too many", "and no more");
	ok(outcome_writer_finish(w, desk_sk, &buf, &len) == 0 &&
	    outcome_verify(&f, buf, len, desk_pk, &why) == 0 &&
	    f.count == OUTCOME_ENTRIES_MAX, "a file of OUTCOME_ENTRIES_MAX entries verifies");
	f.count = OUTCOME_ENTRIES_MAX;
	memcpy((uint8_t *)f.entries + (OUTCOME_ENTRIES_MAX - 1) * OUTCOME_ENTRY_FIXED,
	    f.entries, ENVELOPE_ID_BYTES);
	why = NULL;
	outcome_parse_entries(&f, &why);
	refused(why, "twice", "the last id equal to the first");
	free(buf);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	make_keys();
	test_statuses();
	test_round_trip();
	test_writer_refusals();
	test_signed_but_bad();
	test_damage();
	test_many();
	return tap_done();
}
