/*
 * hashlistcmd: `oniondrop-keys hashlist import` and `hashlist ls`. Owns
 * the commands' arguments, reading the file within HASHLIST_FILE_MAX, and
 * their messages; the lines are hashlist.c's to read, the case file's
 * tables known.c's to fill.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "cli.h"
#include "commands.h"
#include "hashlist.h"
#include "known.h"

#define READ_CHUNK 65536
#define IMPORT_CACHE_KIB "262144"	/* 256 MiB, used only as it fills */

static const char usage[] =
    "usage: oniondrop-keys hashlist import DIR FILE --name NAME\n"
    "                                [--format md5|sha1|sha256|pdq]\n"
    "       oniondrop-keys hashlist ls DIR\n"
    "\n"
    "import reads FILE, one hash a line in hex (optionally followed by a\n"
    "grade; '#' starts a comment), into DIR/cases.db as the list NAME, in\n"
    "one transaction: all of it or, if a line is not a hash, none (the\n"
    "lines are named). A list of the same name is replaced. Without\n"
    "--format the first hash's length says (32 md5, 40 sha1); 64 digits\n"
    "need --format sha256 or pdq. ls lists the lists, 'local' included:\n"
    "the attachments of reports whose URLs are assessed actioned.\n";

struct import_args {
	const char *dir, *file, *name;
	enum hashlist_format format;
};

/*
 * 0 to go on, 1 for a usage error shown with the usage, 2 one explained,
 * -1 for --help.
 */
static int
parse_import(int argc, char *argv[], struct import_args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h') {
			return -1;
		} else if (c == 'n') {
			a->name = optarg;
		} else if (c == 'f' && (f = hashlist_format_parse(optarg)) > 0) {
			a->format = (enum hashlist_format)f;
		} else if (c == 'f') {
			cli_error("hashlist: --format must be md5, sha1, sha256 "
			    "or pdq");
			return 2;
		} else {
			return 1;
		}
	}
	if (argc - optind != 2 || a->name == NULL)
		return 1;
	a->dir = argv[optind];
	a->file = argv[optind + 1];
	if (!known_name_ok(a->name)) {
		cli_error("hashlist: --name must be 1 to %d letters, digits, "
		    "'.', '_' or '-', not starting with '-' or '.', and not "
		    "'%s' (the list the verdicts fill)", KNOWN_NAME_MAX,
		    KNOWN_LOCAL);
		return 2;
	}
	return 0;
}

/* Open file for reading: a regular file within HASHLIST_FILE_MAX. */
static int
open_list(const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		cli_error_errno("cannot open %s", file);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		cli_error_errno("cannot look at %s", file);
	} else if (!S_ISREG(st.st_mode)) {
		cli_error("%s: not a regular file; refused", file);
	} else if ((uint64_t)st.st_size > HASHLIST_FILE_MAX) {
		cli_error("%s: %jd bytes, over the %" PRIu64 " (1 GiB) a hash "
		    "list may have; refused", file, (intmax_t)st.st_size,
		    HASHLIST_FILE_MAX);
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

static int
add_entry(void *arg, const struct hashlist_entry *e)
{
	return known_import_add(arg, e);
}

/* Feed the whole of fd to r, hashing it into sha256. 0, or -1 (printed). */
static int
feed(int fd, const char *file, struct hashlist_reader *r,
    uint8_t sha256[crypto_hash_sha256_BYTES])
{
	static uint8_t buf[READ_CHUNK];
	crypto_hash_sha256_state h;
	uint64_t total = 0;
	ssize_t n;

	crypto_hash_sha256_init(&h);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error_errno("cannot read %s", file);
			return -1;
		}
		if ((total += (uint64_t)n) > HASHLIST_FILE_MAX) {
			cli_error("%s: grew past 1 GiB while read; refused",
			    file);
			return -1;
		}
		crypto_hash_sha256_update(&h, buf, (size_t)n);
		if (hashlist_reader_feed(r, buf, (size_t)n) != 0)
			return 0;	/* stopped: the caller says why */
	}
	hashlist_reader_end(r);
	crypto_hash_sha256_final(&h, sha256);
	return 0;
}

/* What has n hex digits, for a message. */
static const char *
length_of(size_t n)
{
	switch (n) {
	case 32: return " (the length of md5)";
	case 40: return " (the length of sha1)";
	case 64: return " (the length of sha256 and pdq)";
	default: return "";
	}
}

/* Name the bad lines (the first ones, then how many more). */
static void
report_bad(const char *file, const struct hashlist_result *res,
    enum hashlist_format asked)
{
	char why[256];
	uint64_t shown = res->nbad < HASHLIST_BAD_SHOWN ? res->nbad :
	    HASHLIST_BAD_SHOWN;

	for (uint64_t i = 0; i < shown; i++) {
		hashlist_describe(&res->bad[i], res->format, why, sizeof(why));
		cli_error("%s:%" PRIu64 ": %s", file, res->bad[i].line, why);
	}
	if (res->nbad > shown)
		cli_error("%s: and %" PRIu64 " more lines that are not hashes",
		    file, res->nbad - shown);
	if (asked != HASHLIST_AUTO && res->first_digits != 0 &&
	    res->first_digits != hashlist_format_digits(asked))
		cli_error("%s: its first hash (line %" PRIu64 ") has %zu hex "
		    "digits%s, where %s takes %zu: is --format %s right?",
		    file, res->first_line, res->first_digits,
		    length_of(res->first_digits), hashlist_format_name(asked),
		    hashlist_format_digits(asked), hashlist_format_name(asked));
}

/* 0 if the file read is a list to keep; else -1 after saying why. */
static int
check_result(const char *file, const struct hashlist_result *res,
    enum hashlist_format asked)
{
	if (res->stop == HASHLIST_STOP_AMBIGUOUS) {
		cli_error("%s:%" PRIu64 ": 64 hex digits: a SHA-256 or a PDQ "
		    "hash; say which with --format sha256 or --format pdq",
		    file, res->stop_line);
		return -1;
	}
	if (res->stop == HASHLIST_STOP_CALLER)
		return -1;	/* the case file said why */
	if (res->nbad > 0) {
		report_bad(file, res, asked);
		cli_error("%s: %" PRIu64 " %s; nothing imported", file,
		    res->nbad, res->nbad == 1 ? "line is not a hash" :
		    "lines are not hashes");
		return -1;
	}
	if (res->hashes == 0) {
		cli_error("%s: no hash in it; nothing imported", file);
		return -1;
	}
	return 0;
}

static void
say_imported(const struct import_args *a, enum hashlist_format format,
    int64_t count, int64_t dups, const struct known_replaced *old)
{
	printf("%s: %" PRId64 " %s hash%s imported from %s\n", a->name, count,
	    hashlist_format_name(format), count == 1 ? "" : "es", a->file);
	if (dups > 0)
		printf("%s: %" PRId64 " duplicate line%s counted once\n",
		    a->name, dups, dups == 1 ? "" : "s");
	if (old->found)
		printf("%s: replaces the list imported on %s (%" PRId64
		    " hash%s)\n", a->name, old->day, old->count,
		    old->count == 1 ? "" : "es");
}

/* Read the file into the list, in the caller's transaction. */
static int
import(struct cases *c, const struct import_args *a, int fd)
{
	struct known_replaced old;
	struct known_import *im = known_import_begin(c, a->name, &old);
	struct hashlist_reader *r = NULL;
	const struct hashlist_result *res;
	uint8_t sha[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(sha) + 1];
	int64_t count, dups;
	int rc = -1;

	if (im == NULL)
		return -1;
	if ((r = hashlist_reader_new(a->format, add_entry, im)) == NULL) {
		cli_error("out of memory");
		goto done;
	}
	if (feed(fd, a->file, r, sha) != 0 ||
	    check_result(a->file, res = hashlist_reader_result(r),
	    a->format) != 0)
		goto done;
	sodium_bin2hex(hex, sizeof(hex), sha, sizeof(sha));
	if (known_import_end(im, res->format, hex, &count, &dups) != 0)
		goto done;
	if ((rc = cases_commit(c)) == 0)
		say_imported(a, res->format, count, dups, &old);
done:
	hashlist_reader_free(r);
	known_import_free(im);
	return rc;
}

/*
 * SQLite's page cache up to IMPORT_CACHE_KIB while a list goes in: the
 * hashes arrive in no order, and with the default 2 MB a million of them
 * (95 MB of table and index) took 15-23 s, 9-11 s of it the kernel's,
 * moving pages in and out; 9-11 s with it (bench/README.md).
 */
static int
big_cache(struct cases *c)
{
	if (sqlite3_exec(cases_db(c), "PRAGMA cache_size = -" IMPORT_CACHE_KIB,
	    NULL, NULL, NULL) != SQLITE_OK)
		return cases_sqlerr(c, "cannot set the cache size");
	return 0;
}

static int
import_main(int argc, char *argv[])
{
	struct import_args a = { 0 };
	int parsed = parse_import(argc, argv, &a), fd, rc = -1;
	struct cases *c;

	if (parsed != 0) {
		if (parsed < 2)
			fputs(usage, parsed < 0 ? stdout : stderr);
		return parsed < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if ((fd = open_list(a.file)) < 0)
		return CLI_EXIT_FAIL;
	if ((c = cases_open(a.dir, CASES_CREATE)) != NULL &&
	    big_cache(c) == 0 && cases_begin(c) == 0) {
		rc = import(c, &a, fd);
		cases_rollback(c);	/* a no-op once committed */
	}
	cases_close(c);
	close(fd);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int
ls_main(int argc, char *argv[])
{
	sqlite3_stmt *st;
	struct cases *c;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fputs(usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((c = cases_open(argv[1], CASES_READ)) == NULL)
		return CLI_EXIT_FAIL;
	if (sqlite3_prepare_v2(cases_db(c), "SELECT name, format, count, "
	    "substr(imported_at, 1, 10) FROM hashlists ORDER BY name <> "
	    "'local', name", -1, &st, NULL) != SQLITE_OK) {
		cases_sqlerr(c, "cannot read the hash lists");
		cases_close(c);
		return CLI_EXIT_FAIL;
	}
	printf("%-24s %-10s %10s  %s\n", "NAME", "FORMAT", "HASHES",
	    "IMPORTED");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		printf("%-24s %-10s %10lld  %s\n", sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1),
		    (long long)sqlite3_column_int64(st, 2),
		    sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		cases_sqlerr(c, "cannot read the hash lists");
	cases_close(c);
	return rc == SQLITE_DONE ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int
hashlist_main(int argc, char *argv[])
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return import_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "ls") == 0)
		return ls_main(argc - 1, argv + 1);
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	fputs(usage, stderr);
	return CLI_EXIT_USAGE;
}
