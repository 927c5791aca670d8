/*
 * od-pdq: a test tool for client-keys/pdq, so that scenarios and benches
 * can hash pixels that ImageMagick decoded (`convert IMG -depth 8 rgb:-`).
 *
 *   od-pdq [--repeat N] W H [FILE]   hash W x H raw 8-bit RGB (exactly
 *                                    3 W H bytes) from FILE or stdin;
 *                                    print "HEX QUALITY". With --repeat,
 *                                    hash N times and print on stderr the
 *                                    fastest in milliseconds ("best MS").
 *   od-pdq distance HEX HEX...       print the smallest distance between
 *                                    any two of the hashes
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdq.h"

static int
usage(void)
{
	fprintf(stderr, "usage: od-pdq [--repeat N] W H [FILE]\n"
	    "       od-pdq distance HEX HEX...\n");
	return 2;
}

static int
distance(int argc, char **argv)
{
	struct pdq_hash *h = calloc((size_t)argc, sizeof(*h));
	int best = 257;

	if (h == NULL || argc < 2)
		return usage();
	for (int i = 0; i < argc; i++)
		if (pdq_parse(&h[i], argv[i], strlen(argv[i])) != 0) {
			fprintf(stderr, "od-pdq: not a PDQ hash: %s\n", argv[i]);
			return 1;
		}
	for (int i = 0; i < argc; i++)
		for (int j = i + 1; j < argc; j++)
			if (pdq_distance(&h[i], &h[j]) < best)
				best = pdq_distance(&h[i], &h[j]);
	printf("%d\n", best);
	free(h);
	return 0;
}

/* Read exactly len bytes from path (stdin if NULL), nothing more. */
static uint8_t *
read_pixels(const char *path, size_t len)
{
	FILE *f = path != NULL ? fopen(path, "rb") : stdin;
	uint8_t *p = malloc(len + 1);

	if (f == NULL || p == NULL ||
	    fread(p, 1, len + 1, f) != len || ferror(f)) {
		fprintf(stderr, "od-pdq: not %zu bytes of pixels\n", len);
		free(p);
		p = NULL;
	}
	if (f != NULL && f != stdin)
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

int
main(int argc, char **argv)
{
	struct pdq_hash hash;
	char hex[PDQ_HEX_LEN + 1];
	unsigned long repeat = 0, w, h;
	double best = 1e9;
	uint8_t *px;
	int quality;

	if (argc > 1 && strcmp(argv[1], "distance") == 0)
		return distance(argc - 2, argv + 2);
	if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
		repeat = strtoul(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc > 4)
		return usage();
	w = strtoul(argv[1], NULL, 10);
	h = strtoul(argv[2], NULL, 10);
	if (w == 0 || h == 0 || w > PDQ_SIDE_MAX || h > PDQ_SIDE_MAX)
		return usage();
	if ((px = read_pixels(argc == 4 ? argv[3] : NULL, 3 * w * h)) == NULL)
		return 1;
	for (unsigned long i = 0; i < (repeat ? repeat : 1); i++) {
		double t = now_ms();

		if (pdq_hash_rgb(px, w, h, 3 * w, &hash, &quality) != 0) {
			fprintf(stderr, "od-pdq: %s\n", strerror(errno));
			return 1;
		}
		if ((t = now_ms() - t) < best)
			best = t;
	}
	free(px);
	pdq_format(hex, &hash);
	printf("%s %d\n", hex, quality);
	if (repeat)
		fprintf(stderr, "best %.1f\n", best);
	return 0;
}
