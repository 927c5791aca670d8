/*
 * readoutcome: a test tool that reads an outcome file as the server would
 * (lib/outcome.h's outcome_verify against a desk public key line) and
 * opens its messages with reply keys made from known seeds, so a scenario
 * can check what the desk wrote without a server.
 *
 *   readoutcome pk SEEDHEX
 *       the reply public key (64 hex) of crypto_box_seed_keypair(seed)
 *   readoutcome read FILE DESK.pub [SEEDHEX...]
 *       verify FILE; print "sequence S", "day D", "count N", then per
 *       entry "ID STATUS DAY -" or "ID STATUS DAY SEED-INDEX MESSAGE"
 *       (the message opened with the first seed's key that opens it, as
 *       hex; "? -" if none does). Exit 1 with the reason if refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "keys.h"
#include "outcome.h"

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "readoutcome: %s: %s\n", what, why);
	exit(1);
}

static uint8_t *
slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(max + 1);

	if (f == NULL || buf == NULL)
		die(path, "cannot open");
	*len = fread(buf, 1, max + 1, f);
	fclose(f);
	if (*len > max)
		die(path, "too large");
	buf[*len] = '\0';
	return buf;
}

static void
keypair(const char *seedhex, uint8_t pk[32], uint8_t sk[32])
{
	uint8_t seed[crypto_box_SEEDBYTES];

	if (strlen(seedhex) != 2 * sizeof(seed) ||
	    decode_hex(seed, sizeof(seed), seedhex, strlen(seedhex)) != 0)
		die(seedhex, "a seed is 64 hex digits");
	crypto_box_seed_keypair(pk, sk, seed);
}

/* Open e's message with the first seed that does; print it as hex. */
static void
print_message(const struct outcome_entry *e, char **seeds, int nseeds)
{
	uint8_t pk[32], sk[32], m[OUTCOME_MESSAGE_MAX];
	size_t mlen = e->message_len - crypto_box_SEALBYTES;
	char hex[2 * OUTCOME_MESSAGE_MAX + 1];

	for (int i = 0; i < nseeds; i++) {
		keypair(seeds[i], pk, sk);
		if (crypto_box_seal_open(m, e->message, e->message_len, pk,
		    sk) == 0) {
			encode_hex(hex, m, mlen);
			printf(" %d %s\n", i, hex);
			return;
		}
	}
	printf(" ? -\n");
}

static void
read_file(const char *path, const char *pubpath, char **seeds, int nseeds)
{
	struct keys_public desk;
	struct outcome_file f;
	struct outcome_entry e;
	size_t len, publen, pos = 0;
	uint8_t *buf = slurp(path, OUTCOME_FILE_MAX, &len);
	char *pub = (char *)slurp(pubpath, 4096, &publen), id[33];
	const char *why;

	if (keys_sign_public_parse(&desk, pub, publen, &why) != 0)
		die(pubpath, why);
	if (outcome_verify(&f, buf, len, desk.pk, &why) != 0)
		die(path, why);
	printf("sequence %llu\nday %u\ncount %u\n",
	    (unsigned long long)f.sequence, f.day, f.count);
	while (outcome_next(&f, &pos, &e)) {
		encode_hex(id, e.id, sizeof(e.id));
		printf("%s %s %u", id, outcome_status_name(e.status), e.day);
		if (e.message_len == 0)
			printf(" -\n");
		else
			print_message(&e, seeds, nseeds);
	}
	free(buf);
	free(pub);
}

int
main(int argc, char *argv[])
{
	uint8_t pk[32], sk[32];
	char hex[65];

	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && strcmp(argv[1], "pk") == 0) {
		keypair(argv[2], pk, sk);
		encode_hex(hex, pk, sizeof(pk));
		printf("%s\n", hex);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "read") == 0) {
		read_file(argv[2], argv[3], argv + 4, argc - 4);
		return 0;
	}
	fprintf(stderr, "usage: readoutcome pk SEEDHEX | readoutcome read "
	    "FILE DESK.pub [SEEDHEX...]\n");
	return 2;
}
