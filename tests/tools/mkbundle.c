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
 * usage: mkbundle OUT.bundle KEY.pub... < spec
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
	if ((m->tmp = tmpfile()) == NULL)
		die("tmpfile");
	randombytes_buf(m->id, sizeof(m->id));
	m->seal = seal_new(m->keys, m->nkeys, m->id, to_file, m->tmp);
	if (m->seal == NULL)
		die("seal_new failed");
}

/* Copy the finished envelope into the bundle as one record. */
static void
report_end(struct mk *m)
{
	static uint8_t buf[1 << 20];
	uint64_t len, off;
	char hex[33];
	size_t n;
	int rc;

	while ((rc = seal_finish(m->seal)) == 1)
		continue;
	if (rc != 0)
		die("seal_finish failed");
	len = seal_bytes(m->seal);
	seal_free(m->seal);
	off = m->bundle_off;
	if (bundle_writer_begin(m->bw, m->id, len) != 0)
		die("bundle_writer_begin failed");
	rewind(m->tmp);
	while ((n = fread(buf, 1, sizeof(buf), m->tmp)) > 0)
		if (bundle_writer_data(m->bw, buf, n) != 0)
			die("bundle_writer_data failed");
	if (bundle_writer_end(m->bw) != 0)
		die("bundle_writer_end failed");
	fclose(m->tmp);
	encode_hex(hex, m->id, sizeof(m->id));
	printf("report %s %llu %llu\n", hex, (unsigned long long)off,
	    (unsigned long long)(m->bundle_off - off));
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

	if (argc < 3 || sodium_init() < 0)
		die("usage: mkbundle OUT.bundle KEY.pub... < spec");
	for (int i = 2; i < argc; i++)
		load_key(&m, argv[i]);
	if ((m.bundle = fopen(argv[1], "wbx")) == NULL)
		die("cannot create the bundle");
	if ((m.bw = bundle_writer_new(to_bundle, &m)) == NULL)
		die("bundle_writer_new failed");
	while (fgets(line, sizeof(line), stdin) != NULL)
		spec_line(&m, line);
	if (bundle_writer_finish(m.bw) != 0 || fclose(m.bundle) != 0)
		die("cannot finish the bundle");
	bundle_writer_free(m.bw);
	return 0;
}
