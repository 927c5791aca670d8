/*
 * od-img: a test tool for the image front end (client-keys/sniff,
 * imgdecode, digests), so that scenarios and benches can run it on files
 * ImageMagick made.
 *
 *   od-img [--repeat N] FILE [THUMB]  decode FILE in the sandboxed child
 *                                     (od-img exec'd again, imgchild.h):
 *                                     print "MIME W H HEX QUALITY" and
 *                                     exit 0, or "refused: REASON" and
 *                                     exit 1; THUMB gets the thumbnail
 *                                     as a binary PGM. With --repeat,
 *                                     decode N times, each in a child of
 *                                     its own, then N times through one
 *                                     decoder that keeps its child (as
 *                                     decrypt does), and print on stderr
 *                                     the fastest of each in ms ("best
 *                                     MS", "kept MS").
 *   od-img --sniff FILE               print "MIME W H" (0 0: the header
 *                                     ended first) or "MIME malformed: WHY"
 *   od-img --digests FILE             print "MD5 SHA1 SHA256" in hex
 * Any other exit status is the tool's own failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digests.h"
#include "imgchild.h"
#include "imgdecode.h"
#include "sniff.h"

static int
usage(void)
{
	fprintf(stderr, "usage: od-img [--repeat N] FILE [THUMB]\n"
	    "       od-img --sniff FILE\n       od-img --digests FILE\n");
	return 2;
}

/* The whole file (one byte over the decoder's cap at most). */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = IMGDECODE_INPUT_MAX + 1;
	uint8_t *p = malloc(cap);

	if (f == NULL || p == NULL) {
		perror(path);
		exit(3);
	}
	*len = fread(p, 1, cap, f);
	if (ferror(f)) {
		perror(path);
		exit(3);
	}
	fclose(f);
	return p;
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
sniff(const uint8_t *p, size_t len)
{
	const char *mime = sniff_type(p, len, NULL), *why;
	uint32_t w = 0, h = 0;

	if (sniff_dimensions(p, len, &w, &h, &why) < 0)
		printf("%s malformed: %s\n", mime, why);
	else
		printf("%s %u %u\n", mime, w, h);
	return 0;
}

static int
digests(const uint8_t *p, size_t len)
{
	struct digests *d = digests_new();
	struct digests_out out;

	if (d == NULL || digests_update(d, p, len) != 0 ||
	    digests_end(d, &out) != 0)
		return 3;
	printf("%s %s %s\n", out.md5_hex, out.sha1_hex, out.sha256_hex);
	digests_free(d);
	return 0;
}

static int
write_pgm(const char *path, const struct imgdecode_result *r)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fprintf(f, "P5\n%u %u\n255\n", r->thumb_width,
	    r->thumb_height) < 0 || fwrite(r->thumb, 1, (size_t)r->thumb_width *
	    r->thumb_height, f) != (size_t)r->thumb_width * r->thumb_height ||
	    fclose(f) != 0) {
		perror(path);
		return 3;
	}
	return 0;
}

/* The fastest of repeat decodings through d, or each alone if d is NULL. */
static double
fastest(struct imgdecoder *d, const uint8_t *p, size_t len,
    unsigned long repeat, struct imgdecode_result *r)
{
	double best = 1e9;

	for (unsigned long i = 0; i < repeat; i++) {
		double t = now_ms();

		if (d != NULL)
			imgdecoder_decode(d, p, len, r);
		else
			imgdecode(p, len, r);
		if ((t = now_ms() - t) < best)
			best = t;
	}
	return best;
}

/* Decode p repeat times; print the result, write THUMB if asked. */
static int
decode(const uint8_t *p, size_t len, unsigned long repeat, const char *thumb)
{
	static struct imgdecode_result r;
	struct imgdecoder *d;
	char hex[PDQ_HEX_LEN + 1];
	double best = fastest(NULL, p, len, repeat, &r);

	if (repeat > 1) {
		if ((d = imgdecoder_new(1)) == NULL)
			return 3;
		fprintf(stderr, "best %.1f\nkept %.1f\n", best,
		    fastest(d, p, len, repeat, &r));
		imgdecoder_free(d);
	}
	if (!r.decoded) {
		printf("refused: %s\n", r.reason);
		return 1;
	}
	pdq_format(hex, &r.pdq);
	printf("%s %u %u %s %d\n", r.mime, r.width, r.height, hex, r.quality);
	return thumb != NULL ? write_pgm(thumb, &r) : 0;
}

int
main(int argc, char **argv)
{
	unsigned long repeat = 1;
	const char *mode = "";
	uint8_t *p;
	size_t len;
	int rc;

	imgchild_main(argc, argv);
	if (argc == 3 && (strcmp(argv[1], "--sniff") == 0 ||
	    strcmp(argv[1], "--digests") == 0)) {
		mode = argv[1];
		argc--;
		argv++;
	} else if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
		repeat = strtoul(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || argc > 3 || repeat == 0 || (*mode && argc != 2))
		return usage();
	p = slurp(argv[1], &len);
	if (strcmp(mode, "--sniff") == 0)
		rc = sniff(p, len);
	else if (strcmp(mode, "--digests") == 0)
		rc = digests(p, len);
	else
		rc = decode(p, len, repeat, argc == 3 ? argv[2] : NULL);
	free(p);
	return rc;
}
