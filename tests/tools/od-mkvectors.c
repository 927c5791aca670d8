/*
 * od-mkvectors: a test tool that writes the format reference vectors
 * (tests/vectors/format/README) from their fixed inputs and fixed
 * randomness (tests/unit/vecmake.h):
 *
 *   od-mkvectors DIR     writes each file of vecmake_files under DIR:
 *                        the whole of format/, keys/analyst.pub and
 *                        keys/desk.pub
 *
 * Run with DIR = the source's tests/vectors, it rewrites the committed
 * files with the same bytes; after a deliberate format change it writes the
 * new reference (commit it with the change). test_vectors fails until then.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "vecmake.h"

static int
write_file(const char *dir, const struct vecmake_file *f)
{
	struct membuf b = { 0 };
	char path[4096];
	FILE *out;
	size_t n;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, f->path);
	if (vecmake_make(f, &b) != 0) {
		fprintf(stderr, "od-mkvectors: cannot make %s\n", f->path);
		goto done;
	}
	if ((out = fopen(path, "wb")) == NULL) {
		perror(path);
		goto done;
	}
	n = fwrite(b.p, 1, b.len, out);
	if (fclose(out) != 0 || n != b.len)
		perror(path);
	else
		rc = 0;
done:
	free(b.p);
	return rc;
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: od-mkvectors DIR\n");
		return 2;
	}
	vecmake_rng_install();
	if (sodium_init() < 0)
		return 1;
	for (const struct vecmake_file *f = vecmake_files; f->path; f++) {
		if (write_file(argv[1], f) != 0)
			return 1;
		printf("%s\n", f->path);
	}
	return 0;
}
