/*
 * driver: the one entry point shared by every fuzz target. Built with
 * -fsanitize=fuzzer, libFuzzer supplies main() and this file adds nothing.
 * Otherwise it is a replayer: each argument is a file or a directory of
 * files, each fed once to LLVMFuzzerTestOneInput; no argument reads stdin.
 * meson test replays every corpus this way, so each corpus is a unit test.
 */
#ifndef ODFUZZ_LIBFUZZER
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_stream(FILE *f, const char *name)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		if (len == cap) {
			uint8_t *nbuf;
			cap = cap ? cap * 2 : 65536;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				fprintf(stderr, "%s: out of memory\n", name);
				return -1;
			}
			buf = nbuf;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		if (got == 0)
			break;
		len += got;
	}
	if (ferror(f)) {
		free(buf);
		fprintf(stderr, "%s: read error\n", name);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	rc = replay_stream(f, path);
	fclose(f);
	return rc;
}

static int
replay_dir(const char *path, int *count)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char full[4096];
	int rc = 0;

	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
		if (replay_file(full) != 0)
			rc = -1;
		(*count)++;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat st;
	int count = 0, rc = 0;

	if (argc < 2)
		return replay_stream(stdin, "stdin") ? 1 : 0;
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) != 0)
				rc = 1;
		} else {
			if (replay_file(argv[i]) != 0)
				rc = 1;
			count++;
		}
	}
	printf("replayed %d inputs\n", count);
	return rc;
}
#endif
