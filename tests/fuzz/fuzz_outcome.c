/*
 * fuzz_outcome: the outcome file reader (lib/outcome.c), which the server
 * runs on a file that came by hand. Each input is read two ways:
 *
 * - outcome_verify against the fixed test desk key (Ed25519 seed 0x5a x
 *   32; the seeds are signed with it by od-mkoutcome), as import-outcomes
 *   does. A mutated file fails the signature, so this mostly exercises the
 *   checks before it; the seeds themselves pass it.
 * - outcome_parse_entries on the header's count and the bytes between the
 *   header and the last 64 (where a signature would be), signature
 *   ignored, so that mutated entries reach the entry parser.
 *
 * Whatever either accepts is walked with outcome_next (it must see exactly
 * count entries that fill the bytes) and written again with the writer,
 * which must accept every entry and give the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "outcome.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t desk_pk[crypto_sign_PUBLICKEYBYTES];
static uint8_t desk_sk[crypto_sign_SECRETKEYBYTES];

/* Walk and rewrite an accepted file; abort on any disagreement. */
static void
check_accepted(const struct outcome_file *f)
{
	struct outcome_writer *w = outcome_writer_new(1, 0);
	struct outcome_entry e;
	const char *why;
	uint8_t *out;
	size_t pos = 0, len;
	uint32_t n = 0;

	while (outcome_next(f, &pos, &e) == 1) {
		if (outcome_writer_add(w, &e, &why) != 0)
			abort();
		n++;
	}
	if (n != f->count || pos != f->entries_len ||
	    outcome_writer_finish(w, desk_sk, &out, &len) != 0)
		abort();
	if (len != OUTCOME_HEADER_BYTES + f->entries_len + OUTCOME_SIG_BYTES ||
	    memcmp(out + OUTCOME_HEADER_BYTES, f->entries, f->entries_len) != 0)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct outcome_file f;
	const char *why;
	uint8_t seed[crypto_sign_SEEDBYTES];

	if (!ready) {
		if (sodium_init() < 0)
			return 0;
		memset(seed, 0x5a, sizeof(seed));
		crypto_sign_seed_keypair(desk_pk, desk_sk, seed);
		ready = 1;
	}
	if (outcome_verify(&f, data, size, desk_pk, &why) == 0)
		check_accepted(&f);
	if (size < OUTCOME_HEADER_BYTES + OUTCOME_SIG_BYTES)
		return 0;
	memset(&f, 0, sizeof(f));
	f.count = decode_be32(data + 52);
	f.entries = data + OUTCOME_HEADER_BYTES;
	f.entries_len = size - OUTCOME_HEADER_BYTES - OUTCOME_SIG_BYTES;
	if (outcome_parse_entries(&f, &why) == 0)
		check_accepted(&f);
	return 0;
}
