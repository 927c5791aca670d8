/*
 * vecmake: the format reference vectors (tests/vectors/format/README): their
 * fixed inputs (keys from seeds, two reports' ids, fields and attachment), a
 * deterministic randombytes for libsodium, and how each file is made from
 * them with lib/. test_vectors checks the committed files against what
 * vecmake makes today; od-mkvectors writes them. For test programs only:
 * nothing in lib/ knows of it.
 */
#ifndef VECMAKE_H
#define VECMAKE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "keys.h"
#include "membuf.h"

/*
 * vecmake_rng_install():
 * Make libsodium's randombytes a ChaCha20 stream (randombytes_buf_
 * deterministic) that vecmake_rng_seed restarts. Call before sodium_init;
 * the stream is all zeros until the first vecmake_rng_seed.
 */
void vecmake_rng_install(void);

/*
 * vecmake_rng_seed(label):
 * Restart the stream from the seed BLAKE2b-256(label). Each file, and each
 * envelope, is made right after its own seed, so what a program draws
 * before (sodium_init's canary) or between files changes none of them.
 */
void vecmake_rng_seed(const char *label);

/* The fixed keys. */
enum vecmake_key {
	VECMAKE_ANALYST,	/* analyst, crypto_box seed 0x42 x 32 */
	VECMAKE_SECOND,		/* analyst, crypto_box seed 0x43 x 32 */
	VECMAKE_DESK,		/* desk signing, Ed25519 seed 0x5a x 32 */
};

/*
 * vecmake_key(which):
 * The fixed key which, in keys_secret_new memory (the caller frees it with
 * keys_secret_free), or NULL if memory is short.
 */
struct keys_secret *vecmake_key(enum vecmake_key which);

/*
 * One item of a report, in the order sealed: a field (name, value), or an
 * attachment (name as submitted, size bytes of vecmake_attachment_byte,
 * sealed in pieces of VECMAKE_PIECE bytes, as a server passes them on).
 */
struct vecmake_item {
	const char *field;	/* a field's name, or NULL: an attachment */
	const char *name;	/* the attachment's name */
	const char *value;	/* the field's value */
	size_t size;		/* the attachment's length */
};

#define VECMAKE_PIECE 256

struct vecmake_report {
	const char *label;	/* the seed of its randomness */
	uint8_t id[ENVELOPE_ID_BYTES];
	size_t nkeys;		/* sealed to VECMAKE_ANALYST (, VECMAKE_SECOND) */
	const struct vecmake_item *items;
	size_t nitems;
};

/* The bundle's two reports; the first is also format/report.ode. */
extern const struct vecmake_report vecmake_reports[2];

/* vecmake_attachment_byte(i): byte i of an attachment. */
uint8_t vecmake_attachment_byte(size_t i);

/* The files, named from tests/vectors/, and what each is. */
enum vecmake_kind {
	VECMAKE_ENVELOPE,	/* vecmake_reports[0] sealed */
	VECMAKE_BUNDLE,		/* both reports sealed, in one bundle */
	VECMAKE_SECRET,		/* key's secret file, under pass or none */
	VECMAKE_PUBLIC,		/* key's public line and a newline */
};

struct vecmake_file {
	const char *path;
	enum vecmake_kind kind;
	enum vecmake_key key;
	const char *pass;
};

/* Argon2id cost of a secret file under a passphrase: 1 pass, 8 KiB. */
extern const struct keys_kdf_cost vecmake_cost;

/* Every file, ended by one whose path is NULL. */
extern const struct vecmake_file vecmake_files[];

/*
 * vecmake_make(f, out):
 * Append file f, made from its fixed inputs, to out. Return 0, or -1 if
 * lib/ refused to make it.
 */
int vecmake_make(const struct vecmake_file *f, struct membuf *out);

#endif
