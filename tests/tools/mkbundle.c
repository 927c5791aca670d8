/*
 * mkbundle: a test tool that seals reports with lib/ exactly as the daemon
 * will, and writes them into a bundle, so the offline tool can be tested
 * without a server. Reads a spec on stdin:
 *
 *   report                         start a report (random id)
 *   field NAME VALUE...            a field; VALUE is the rest of the line
 *   field-file NAME PATH           a field whose value is a file's bytes
 *   attach NAME PATH               an attachment, fed in odd-sized pieces
 *   attach-hex HEXNAME PATH        the same, with a name given in hex
 *   attach-random NAME SIZE SEED   SIZE pseudo-random bytes (ChaCha20)
 *   end                            finish the report
 *
 * A hostile sender needs only the public keys and need not use lib/seal:
 *
 *   raw                            start a report written frame by frame,
 *                                  nothing checked, sealed as it is
 *   frame TYPE LEN [HEX]           a frame header declaring LEN body bytes,
 *                                  then the body: HEX repeated (or zeros)
 *   bytes HEX                      these plaintext bytes as they are
 *   end                            seal it (64 KiB chunks, the last FINAL)
 *
 * usage: mkbundle OUT.bundle KEY.pub... < spec
 *        mkbundle --plaintext OUT < spec   raw reports' plaintext, unsealed
 * Prints, per report, "report ID OFFSET LENGTH" (where its record starts in
 * the bundle) and per attachment "attachment SHA256 SIZE".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "encode.h"
#include "keys.h"
#include "payload.h"
#include "seal.h"

static const size_t piece_sizes[] = { 1, 7, 4093, 65537, 100003, 3, 262147 };

struct mk {
	struct keys_public keys[ENVELOPE_SLOTS_MAX];
	size_t nkeys;
	struct bundle_writer *bw;
	FILE *bundle;
	uint64_t bundle_off;
	FILE *tmp;		/* the current envelope */
	FILE *plain;		/* a raw report's plaintext */
	int plaintext_only;	/* --plaintext: raw plaintext, no bundle */
	struct seal *seal;
	uint8_t id[ENVELOPE_ID_BYTES];
	crypto_hash_sha256_state sha;
	uint64_t att_size;
	size_t piece;
};

static void
die(const char *msg)
{
	fprintf(stderr, "mkbundle: %s\n", msg);
	exit(1);
}

static int
to_file(void *ctx, const uint8_t *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

static int
to_bundle(void *ctx, const uint8_t *buf, size_t len)
{
	struct mk *m = ctx;

	m->bundle_off += len;
	return fwrite(buf, 1, len, m->bundle) == len ? 0 : -1;
}

static void
load_key(struct mk *m, const char *path)
{
	char line[256];
	const char *why;
	FILE *f = fopen(path, "r");

	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		die("cannot read a public key");
	fclose(f);
	if (keys_public_parse(&m->keys[m->nkeys++], line, strlen(line), &why))
		die(why);
}

/* Feed an attachment's bytes in the next odd-sized pieces. */
static void
feed(struct mk *m, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t n = piece_sizes[m->piece++ % 7];
		if (n > len)
			n = len;
		crypto_hash_sha256_update(&m->sha, buf, n);
		if (seal_attachment_data(m->seal, buf, n) != 0)
			die("seal_attachment_data failed");
		m->att_size += n;
		buf += n;
		len -= n;
	}
}

static void
attach_begin(struct mk *m, const uint8_t *name, size_t len)
{
	if (seal_attachment_begin(m->seal, name, len) != 0)
		die("seal_attachment_begin failed");
	crypto_hash_sha256_init(&m->sha);
	m->att_size = 0;
}

static void
attach_end(struct mk *m)
{
	uint8_t h[32];
	char hex[65];

	if (seal_attachment_end(m->seal) != 0)
		die("seal_attachment_end failed");
	crypto_hash_sha256_final(&m->sha, h);
	encode_hex(hex, h, 32);
	printf("attachment %s %llu\n", hex, (unsigned long long)m->att_size);
}

static void
attach_file(struct mk *m, const uint8_t *name, size_t namelen, const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		die("cannot open an attachment");
	attach_begin(m, name, namelen);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		feed(m, buf, n);
	fclose(f);
	attach_end(m);
}

static void
attach_random(struct mk *m, const char *name, unsigned long long size,
    unsigned long long seed)
{
	static uint8_t buf[1 << 20];
	uint8_t key[32] = { 0 }, nonce[8] = { 0 };
	uint64_t done = 0;

	encode_be64(key, seed);
	attach_begin(m, (const uint8_t *)name, strlen(name));
	while (done < size) {
		size_t n = size - done > sizeof(buf) ? sizeof(buf) : size - done;
		encode_be64(nonce, done / sizeof(buf));
		crypto_stream_chacha20(buf, n, nonce, key);
		feed(m, buf, n);
		done += n;
	}
	attach_end(m);
}

static void
field_file(struct mk *m, const char *name, const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		die("cannot open a field file");
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (seal_field(m->seal, name, buf, n) != 0)
		die("seal_field failed");
}

static void
report_begin(struct mk *m)
{
	if (m->plaintext_only)
		die("--plaintext takes raw reports only");
	if ((m->tmp = tmpfile()) == NULL)
		die("tmpfile");
	randombytes_buf(m->id, sizeof(m->id));
	m->seal = seal_new(m->keys, m->nkeys, m->id, to_file, m->tmp);
	if (m->seal == NULL)
		die("seal_new failed");
}

static void
raw_begin(struct mk *m)
{
	if ((m->plain = tmpfile()) == NULL ||
	    (!m->plaintext_only && (m->tmp = tmpfile()) == NULL))
		die("tmpfile");
	randombytes_buf(m->id, sizeof(m->id));
}

/* frame TYPE LEN [HEX]: the header, then LEN bytes of HEX repeated. */
static void
raw_frame(struct mk *m, const char *type, const char *len, const char *hex)
{
	static uint8_t fill[1 << 15];
	uint8_t h[PAYLOAD_FRAME_HEADER];
	unsigned long long left = len ? strtoull(len, NULL, 10) : 0;
	size_t n;

	if (hex == NULL)
		hex = "00";
	n = strlen(hex) / 2;
	if (len == NULL || left > UINT32_MAX || n == 0 || n > sizeof(fill) ||
	    decode_hex(fill, n, hex, strlen(hex)) != 0)
		die("bad frame line");
	payload_frame_header(h, (uint8_t)strtoul(type, NULL, 10), (uint32_t)left);
	fwrite(h, 1, sizeof(h), m->plain);
	while (left > 0) {
		size_t k = n < left ? n : (size_t)left;
		fwrite(fill, 1, k, m->plain);
		left -= k;
	}
}

static void
raw_bytes(struct mk *m, const char *hex)
{
	static uint8_t buf[1 << 15];
	size_t n = strlen(hex) / 2;

	if (n > sizeof(buf) || decode_hex(buf, n, hex, strlen(hex)) != 0)
		die("bad bytes line");
	fwrite(buf, 1, n, m->plain);
}

/* Seal the raw plaintext into m->tmp; every chunk full but the FINAL one. */
static uint64_t
raw_seal(struct mk *m)
{
	static uint8_t in[2][ENVELOPE_CHUNK];
	static uint8_t out[ENVELOPE_CHUNK + ENVELOPE_CHUNK_OVERHEAD];
	crypto_secretstream_xchacha20poly1305_state st;
	struct seal_slots slots = { 0 };
	uint8_t header[ENVELOPE_HEADER_MAX];
	size_t hlen, n, next;
	unsigned long long clen;
	uint64_t total;
	int cur = 0;

	if (seal_slots_make(&slots, m->keys, m->nkeys, m->id) != 0)
		die("seal_slots_make failed");
	memcpy(header, slots.header, slots.header_len);
	crypto_secretstream_xchacha20poly1305_init_push(&st,
	    header + slots.header_len, slots.key);
	hlen = total = slots.header_len + ENVELOPE_STREAM_HEADER;
	sodium_memzero(&slots, sizeof(slots));
	fwrite(header, 1, hlen, m->tmp);
	rewind(m->plain);
	n = fread(in[cur], 1, ENVELOPE_CHUNK, m->plain);
	for (int first = 1;; first = 0, cur = !cur, n = next) {
		next = fread(in[!cur], 1, ENVELOPE_CHUNK, m->plain);
		crypto_secretstream_xchacha20poly1305_push(&st, out, &clen,
		    in[cur], n, first ? header : NULL, first ? hlen : 0,
		    next ? crypto_secretstream_xchacha20poly1305_TAG_MESSAGE :
		    crypto_secretstream_xchacha20poly1305_TAG_FINAL);
		fwrite(out, 1, clen, m->tmp);
		total += clen;
		if (next == 0)
			return total;
	}
}

/* Pass a whole file to a sink. */
static void
copy_file(FILE *from, int (*sink)(void *, const uint8_t *, size_t), void *ctx)
{
	static uint8_t buf[1 << 20];
	size_t n;

	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		if (sink(ctx, buf, n) != 0)
			die("cannot write");
}

static int
to_writer(void *ctx, const uint8_t *buf, size_t len)
{
	return bundle_writer_data(ctx, buf, len);
}

/* Copy the finished envelope (len bytes) into the bundle as one record. */
static void
record(struct mk *m, uint64_t len)
{
	uint64_t off = m->bundle_off;
	char hex[33];

	if (bundle_writer_begin(m->bw, m->id, len) != 0)
		die("bundle_writer_begin failed");
	copy_file(m->tmp, to_writer, m->bw);
	if (bundle_writer_end(m->bw) != 0)
		die("bundle_writer_end failed");
	fclose(m->tmp);
	encode_hex(hex, m->id, sizeof(m->id));
	printf("report %s %llu %llu\n", hex, (unsigned long long)off,
	    (unsigned long long)(m->bundle_off - off));
}

static void
report_end(struct mk *m)
{
	int rc;

	if (m->plain != NULL && m->plaintext_only) {
		copy_file(m->plain, to_file, m->bundle);
	} else if (m->plain != NULL) {
		record(m, raw_seal(m));
	} else {
		while ((rc = seal_finish(m->seal)) == 1)
			continue;
		if (rc != 0)
			die("seal_finish failed");
		record(m, seal_bytes(m->seal));
		seal_free(m->seal);
	}
	if (m->plain != NULL)
		fclose(m->plain);
	m->plain = NULL;
}

static void
spec_line(struct mk *m, char *line)
{
	char *cmd = strtok(line, " \n"), *a = strtok(NULL, " \n");
	char *rest = a ? a + strlen(a) + 1 : NULL;
	static uint8_t name[PAYLOAD_FILE_NAME_MAX];

	if (cmd == NULL)
		return;
	if (strcmp(cmd, "report") == 0) {
		report_begin(m);
	} else if (strcmp(cmd, "raw") == 0) {
		raw_begin(m);
	} else if (strcmp(cmd, "frame") == 0 && a && m->plain) {
		char *len = strtok(NULL, " \n");
		raw_frame(m, a, len, strtok(NULL, " \n"));
	} else if (strcmp(cmd, "bytes") == 0 && a && m->plain) {
		raw_bytes(m, a);
	} else if (strcmp(cmd, "end") == 0) {
		report_end(m);
	} else if (strcmp(cmd, "field") == 0 && a) {
		rest[strcspn(rest, "\n")] = '\0';
		if (seal_field(m->seal, a, (uint8_t *)rest, strlen(rest)) != 0)
			die("seal_field failed");
	} else if (strcmp(cmd, "field-file") == 0 && a) {
		field_file(m, a, strtok(NULL, " \n"));
	} else if (strcmp(cmd, "attach") == 0 && a) {
		attach_file(m, (uint8_t *)a, strlen(a), strtok(NULL, " \n"));
	} else if (strcmp(cmd, "attach-hex") == 0 && a) {
		if (strlen(a) / 2 > sizeof(name) ||
		    decode_hex(name, strlen(a) / 2, a, strlen(a)) != 0)
			die("bad hex name");
		attach_file(m, name, strlen(a) / 2, strtok(NULL, " \n"));
	} else if (strcmp(cmd, "attach-random") == 0 && a) {
		unsigned long long size = strtoull(strtok(NULL, " \n"), NULL, 10);
		attach_random(m, a, size, strtoull(strtok(NULL, " \n"), NULL, 10));
	} else {
		die("bad spec line");
	}
}

int
main(int argc, char *argv[])
{
	static struct mk m;
	static char line[1 << 16];

	m.plaintext_only = argc == 3 && strcmp(argv[1], "--plaintext") == 0;
	if (argc < 3 || sodium_init() < 0)
		die("usage: mkbundle OUT.bundle KEY.pub... < spec");
	for (int i = 2; i < argc && !m.plaintext_only; i++)
		load_key(&m, argv[i]);
	if ((m.bundle = fopen(argv[1 + m.plaintext_only], "wbx")) == NULL)
		die("cannot create the output file");
	if (!m.plaintext_only &&
	    (m.bw = bundle_writer_new(to_bundle, &m)) == NULL)
		die("bundle_writer_new failed");
	while (fgets(line, sizeof(line), stdin) != NULL)
		spec_line(&m, line);
	if ((!m.plaintext_only && bundle_writer_finish(m.bw) != 0) ||
	    fclose(m.bundle) != 0)
		die("cannot finish the output file");
	bundle_writer_free(m.bw);
	return 0;
}
