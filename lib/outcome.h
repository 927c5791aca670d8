/*
 * outcome: the signed file of outcomes the desk carries by hand to the
 * server, written by oniondrop-keys (outcomes) and read by oniondropd
 * (import-outcomes). The server may be hostile to the desk and the file may
 * be tampered with on its way, so the reader is strict and bounded, and
 * checks the signature before it looks at a single entry. Layout (integers
 * big-endian):
 *
 *    0  "ODOC"        4  version (1)      5  reserved (0, 0, 0)
 *    8  signer's Ed25519 public key [32]
 *   40  sequence u64 (1, 2, ...: a server imports only a newer one)
 *   48  day made u32 (days since 1970-01-01 UTC)
 *   52  entry count u32 (1..OUTCOME_ENTRIES_MAX)
 *   56  entries, each: report id[16] | status u8 | day u32 |
 *       message length u16 | message [length]
 *       (length 0: no message; else a crypto_box_seal of 1..MESSAGE_MAX
 *       bytes of UTF-8 to the report's reply key)
 *  end  Ed25519 signature [64] over every byte before it
 *
 * No report id appears twice in one file; nothing follows the signature.
 */
#ifndef OUTCOME_H
#define OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "envelope.h"

#define OUTCOME_MAGIC "ODOC"
#define OUTCOME_HEADER_BYTES 56
#define OUTCOME_ENTRY_FIXED (ENVELOPE_ID_BYTES + 1 + 4 + 2)
#define OUTCOME_SIG_BYTES crypto_sign_BYTES
#define OUTCOME_SIGNER_BYTES crypto_sign_PUBLICKEYBYTES
#define OUTCOME_MESSAGE_MAX 4000	/* plaintext bytes of one message */
#define OUTCOME_SEALED_MAX (OUTCOME_MESSAGE_MAX + crypto_box_SEALBYTES)
#define OUTCOME_ENTRIES_MAX 100000
#define OUTCOME_FILE_MAX (16u * 1024 * 1024)

/* Statuses, as stored (the byte) and as named on the command line. */
enum outcome_status {
	OUTCOME_NONE = 0,		/* not a status: no outcome yet */
	OUTCOME_IN_REVIEW = 1,		/* "in-review" */
	OUTCOME_ACTIONED = 2,		/* "actioned" */
	OUTCOME_NOT_ILLEGAL = 3,	/* "not-illegal" */
	OUTCOME_ALREADY_KNOWN = 4,	/* "already-known" */
	OUTCOME_UNREACHABLE = 5,	/* "unreachable" */
	OUTCOME_NEED_INFORMATION = 6,	/* "need-information" */
	OUTCOME_STATUS_COUNT
};

/* outcome_status_name(st): "in-review", ...; NULL if st is not a status. */
const char *outcome_status_name(unsigned st);

/* outcome_status_parse(name): the status named, or OUTCOME_NONE. */
enum outcome_status outcome_status_parse(const char *name);

/* One entry; message points into the file being read (or is NULL). */
struct outcome_entry {
	uint8_t id[ENVELOPE_ID_BYTES];
	enum outcome_status status;
	uint32_t day;
	const uint8_t *message;		/* sealed */
	size_t message_len;		/* 0 or crypto_box_SEALBYTES+1.. */
};

/* A verified file: its header, and where its entries are. */
struct outcome_file {
	uint8_t signer[OUTCOME_SIGNER_BYTES];
	uint64_t sequence;
	uint32_t day;
	uint32_t count;
	const uint8_t *entries;		/* into the caller's buffer */
	size_t entries_len;
};

/*
 * outcome_verify(f, buf, len, desk_pk, why):
 * Check a whole file image: size within bounds, magic and version, the
 * signer is desk_pk ("signed by another key"), the signature is good, then
 * every entry parses (known status, message length in bounds, no
 * duplicate id, nothing left over). Return 0 with f filled, or -1 with
 * *why set to a one-line reason. Nothing is trusted before the signature.
 */
int outcome_verify(struct outcome_file *f, const uint8_t *buf, size_t len,
    const uint8_t desk_pk[OUTCOME_SIGNER_BYTES], const char **why);

/*
 * outcome_parse_entries(f, why):
 * The last step of outcome_verify, on f->count, f->entries and
 * f->entries_len: every entry parses and nothing is left over. Return 0, or
 * -1 with *why set. Exported for the fuzzer, which reaches the entries
 * without forging a signature; anything else calls outcome_verify.
 */
int outcome_parse_entries(const struct outcome_file *f, const char **why);

/*
 * outcome_next(f, pos, e):
 * The entry at *pos (start with 0) of a verified file; advance *pos.
 * Return 1 with e filled, or 0 after the last one.
 */
int outcome_next(const struct outcome_file *f, size_t *pos,
    struct outcome_entry *e);

struct outcome_writer;

/* outcome_writer_new(sequence, day): an empty file, or NULL. */
struct outcome_writer *outcome_writer_new(uint64_t sequence, uint32_t day);

/*
 * outcome_writer_add(w, e):
 * Append an entry (its message copied). Return 0, or -1 with *why set if
 * it would break the format: a second entry for the id, an unknown status,
 * a message out of bounds, or a file over OUTCOME_FILE_MAX / the entry cap.
 */
int outcome_writer_add(struct outcome_writer *w, const struct outcome_entry *e,
    const char **why);

/*
 * outcome_writer_finish(w, sign_sk, out, len):
 * Sign with the Ed25519 secret key sign_sk (64 bytes, libsodium's form)
 * and hand the image to the caller (*out, malloc'd, *len bytes). Return 0
 * or -1 (no entry, or memory short). w is freed either way.
 */
int outcome_writer_finish(struct outcome_writer *w,
    const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], uint8_t **out,
    size_t *len);

/* outcome_writer_free(w): discard an unfinished file; NULL is a no-op. */
void outcome_writer_free(struct outcome_writer *w);

#endif
