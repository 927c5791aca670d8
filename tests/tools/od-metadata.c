/*
 * od-metadata: a test tool for client-keys/metadata, so that scenarios
 * can ask what a file reveals.
 *
 *   od-metadata FILE...   print each warning of each file on a line of
 *                         its own, "FILE: WARNING"; nothing for a clean
 *                         file. Exit 1 if a file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "metadata.h"

/* Read the whole of path into *buf (malloc'd); its length, or -1. */
static long
slurp(const char *path, unsigned char **buf)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 0, n;

	*buf = NULL;
	if (f == NULL)
		return -1;
	do {
		if (len == cap) {
			unsigned char *p = realloc(*buf, cap = cap ? 2 * cap : 65536);
			if (p == NULL)
				break;
			*buf = p;
		}
		n = fread(*buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f) || len == cap) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return (long)len;
}

int
main(int argc, char **argv)
{
	struct metadata m = { 0 };
	unsigned char *buf;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: od-metadata FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		long len = slurp(argv[i], &buf);
		if (len < 0) {
			perror(argv[i]);
			rc = 1;
		} else {
			metadata_scan(buf, (size_t)len, &m);
			for (size_t j = 0; j < m.n; j++)
				printf("%s: %s\n", argv[i], m.warning[j]);
		}
		free(buf);
	}
	return rc;
}
