/*
 * hashlist: the reader of hash list files (docs/analyst.md, "Hash lists"),
 * which come from outside the desk and are read as hostile input. One hash
 * a line, in hex of its format's length (MD5 32 digits, SHA-1 40, SHA-256
 * and PDQ 64, either case), then optionally a grade (one token of printable
 * ASCII, at most HASHLIST_GRADE_MAX bytes, no '#'), then optionally a
 * comment from '#'; spaces and tabs around each; lines empty or only a
 * comment are skipped; LF or CRLF ends a line, the last may end with none;
 * a UTF-8 byte order mark may open the file. Any other line is bad: the
 * reader names the first HASHLIST_BAD_SHOWN by their numbers and counts
 * the rest. A line is at most HASHLIST_LINE_MAX bytes; the caller bounds
 * the file (HASHLIST_FILE_MAX). The reader is fed the file in pieces of
 * any size and keeps one line's buffer: its memory does not grow with the
 * file. Owns no storage: each hash goes to the caller's function.
 */
#ifndef HASHLIST_H
#define HASHLIST_H

#include <stddef.h>
#include <stdint.h>

#define HASHLIST_FILE_MAX ((uint64_t)1 << 30)	/* 1 GiB: 15 million
						 * SHA-256 lines with a grade */
#define HASHLIST_LINE_MAX 1024	/* bytes of a line, its CR and LF left out */
#define HASHLIST_GRADE_MAX 32	/* bytes of a grade */
#define HASHLIST_VALUE_MAX 32	/* bytes of the longest hash (SHA-256, PDQ) */
#define HASHLIST_BAD_SHOWN 20	/* bad lines named; the rest are counted */

enum hashlist_format {
	HASHLIST_AUTO = 0,	/* from the first hash's length (not 64) */
	HASHLIST_MD5,
	HASHLIST_SHA1,
	HASHLIST_SHA256,
	HASHLIST_PDQ,
};

/* One hash of the file, as the reader hands it over. */
struct hashlist_entry {
	enum hashlist_format format;
	uint8_t value[HASHLIST_VALUE_MAX];	/* len bytes */
	size_t len;
	char grade[HASHLIST_GRADE_MAX + 1];	/* "" when the line has none */
	uint64_t line;				/* 1, 2, ... */
};

/* Why a line is not a hash. */
enum hashlist_why {
	HASHLIST_BAD_LONG = 1,	/* over HASHLIST_LINE_MAX bytes */
	HASHLIST_BAD_NOT_HEX,	/* its first token is not hex digits */
	HASHLIST_BAD_LENGTH,	/* hex, of another length than the format's */
	HASHLIST_BAD_GRADE,	/* a grade too long or not printable ASCII */
	HASHLIST_BAD_EXTRA,	/* a third token (not a '#' comment) */
};

struct hashlist_bad {
	uint64_t line;
	enum hashlist_why why;
	size_t digits;		/* HASHLIST_BAD_LENGTH: the hex digits found */
};

/* Why the reader stopped before the end (hashlist_reader_feed gave -1). */
enum hashlist_stop {
	HASHLIST_STOP_NONE = 0,
	HASHLIST_STOP_AMBIGUOUS,	/* HASHLIST_AUTO met 64 digits first */
	HASHLIST_STOP_CALLER,		/* the caller's function returned -1 */
};

/* What the reader saw; complete after hashlist_reader_end. */
struct hashlist_result {
	enum hashlist_format format;	/* as given or found (AUTO: no hash) */
	uint64_t lines;			/* lines read */
	uint64_t hashes;		/* hashes handed over */
	uint64_t nbad;			/* bad lines, all of them */
	struct hashlist_bad bad[HASHLIST_BAD_SHOWN];	/* the first ones */
	size_t first_digits;	/* hex digits of the first line whose first
				 * token is hex (0: none), for the message
				 * when --format was wrong */
	uint64_t first_line;	/* and that line's number */
	enum hashlist_stop stop;
	uint64_t stop_line;	/* the line it stopped at */
};

/* Called for each hash; return 0 to go on, -1 to stop the reader. */
typedef int hashlist_fn(void *arg, const struct hashlist_entry *e);

struct hashlist_reader;

/*
 * hashlist_reader_new(format, fn, arg):
 * A reader of a file in format (HASHLIST_AUTO: the first hash's length
 * decides; 64 digits stop it, since SHA-256 and PDQ have that length)
 * calling fn(arg, entry) for each hash. NULL if memory is short.
 */
struct hashlist_reader *hashlist_reader_new(enum hashlist_format format,
    hashlist_fn *fn, void *arg);

/*
 * hashlist_reader_feed(r, buf, len):
 * Read the next len bytes of the file. Return 0, or -1 once the reader
 * has stopped (the result's stop says why; it reads nothing more).
 */
int hashlist_reader_feed(struct hashlist_reader *r, const void *buf,
    size_t len);

/*
 * hashlist_reader_end(r):
 * The file ended: read its last line if it had no newline. Return 0, or
 * -1 if the reader stopped (now or before).
 */
int hashlist_reader_end(struct hashlist_reader *r);

/* hashlist_reader_result(r): what r has read so far. */
const struct hashlist_result *hashlist_reader_result(
    const struct hashlist_reader *r);

/* hashlist_reader_free(r): free r; NULL is a no-op. */
void hashlist_reader_free(struct hashlist_reader *r);

/*
 * hashlist_format_name(format): "md5", "sha1", "sha256", "pdq" (the
 * values of --format and of the case file's kind column), "auto".
 */
const char *hashlist_format_name(enum hashlist_format format);

/* hashlist_format_parse(s): the format named s, or -1 if none is. */
int hashlist_format_parse(const char *s);

/* hashlist_format_digits(format): its hex digits (0 for AUTO). */
size_t hashlist_format_digits(enum hashlist_format format);

/*
 * hashlist_describe(bad, format, buf, size):
 * Why line bad->line is not a hash of format, in words, into buf
 * (NUL-terminated, cut to size).
 */
void hashlist_describe(const struct hashlist_bad *bad,
    enum hashlist_format format, char *buf, size_t size);

#endif
