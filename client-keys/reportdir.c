/*
 * reportdir: see reportdir.h. Layout of a finished report:
 *   DIR/<id>/report.json
 *   DIR/<id>/attachments/<safe-name>
 * Files are 0600 and directories 0700: they hold the material itself.
 * Nothing is fsync'd report by report: reportdir_batch_flush makes a
 * batch durable with one syncfs before any of it is renamed into place.
 * An attachment is named when its file is made: as it begins, or,
 * withholding, once it is known not to be listed; a withheld attachment's
 * name is taken by no other attachment of its report.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "attscan.h"
#include "cli.h"
#include "encode.h"
#include "json.h"
#include "reportdir.h"
#include "safename.h"
#include "secmem.h"

#define FIELDS_MAX 256
#define HELD_MAX (16 * 1024 * 1024)	/* field values and submitted names */
#define ATTACHMENTS_MAX 4096
#define UNIQUE_TRIES 10000
#define PARTIAL_PREFIX ".partial-"	/* a report still being written */

struct field {
	char name[PAYLOAD_FIELD_NAME_MAX + 1];
	uint8_t *value;		/* secmem, cap bytes */
	size_t cap;
	size_t len;
	int extra;		/* under report.json's "extra", not at its top */
};

struct attachment {
	char name[SAFENAME_MAX + 16];
	uint8_t *submitted;	/* the name as submitted */
	size_t submitted_len;
	uint64_t size;
	int withheld;		/* known, withholding: no file written */
	struct attscan_result scan;
};

/* A finished report waiting in its hidden directory. */
struct waiting {
	char tmpname[64];
	char finalname[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];
};

/* An image a decoder has: whose, and which of its attachments. */
struct inflight {
	struct reportdir *d;
	size_t att;
};

struct reportdir_batch {
	int outfd;
	struct attscan *scan;	/* every attachment goes through it */
	struct inflight inflight[ATTSCAN_DECODERS];	/* oldest first */
	size_t ninflight;
	int withhold;		/* write no byte of a known attachment */
	struct waiting *w;
	size_t n, cap;
};

struct reportdir {
	struct reportdir_batch *batch;
	int outfd, dirfd, attfd, filefd;
	char tmpname[64];
	char finalname[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];
	struct field fields[FIELDS_MAX];
	size_t nfields;
	size_t held;		/* bytes kept for report.json: at most HELD_MAX */
	struct attachment *att;		/* grown as they come, ATTACHMENTS_MAX */
	size_t natt, attcap;
	size_t nwithheld;	/* attachments withheld */
	const char *why;
	unsigned dropped;	/* bit i: hex_fields[i] came malformed */
	struct cases_text *lines;	/* reportdir_summary's, FIELDS_MAX */
	struct cases_attachment *catt;	/* reportdir_summary's, natt */
};

/* The first field of that name, or NULL. */
static const struct field *
find_field(const struct reportdir *d, const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return &d->fields[i];
	return NULL;
}

/*
 * The field at the top of report.json under name: the first of that name,
 * unless it is "extra" (a reply_key or follow_up_of that came malformed).
 */
static const struct field *
top_field(const struct reportdir *d, const char *name)
{
	const struct field *f = find_field(d, name);

	return f != NULL && !f->extra ? f : NULL;
}

/* The first value of field name, or an empty text. */
static struct cases_text
summary_text(const struct reportdir *d, const char *name)
{
	const struct field *f = top_field(d, name);

	if (f == NULL)
		return (struct cases_text){ NULL, 0 };
	return (struct cases_text){ (const char *)f->value, f->len };
}

/*
 * report.json's top level holds every url and the first value of each
 * other field the daemon seals; any other field, and a repeat, is "extra":
 * a sealed report may name its fields anything, and must neither add a key
 * nor shadow one.
 */
static int
is_extra(const struct reportdir *d, const char *name)
{
	static const char *const top[] = { "received", "language",
	    "category", "seen_on", "description", "reply_key", "follow_up_of",
	    NULL };

	if (strcmp(name, "url") == 0)
		return 0;
	for (size_t i = 0; top[i] != NULL; i++)
		if (strcmp(name, top[i]) == 0)
			return find_field(d, name) != NULL;
	return 1;
}

/*
 * The fields the desk uses as keys (decrypt records them, outcomes seals
 * to reply_key): only lower-case hex of their length is taken. The
 * daemon writes them so; anything else came from a compromised server or
 * another sender, and is kept only under "extra".
 */
static const struct {
	const char *name;
	size_t hexlen;
} hex_fields[] = {
	{ "reply_key", 64 },
	{ "follow_up_of", ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) },
};
#define HEX_FIELDS (sizeof(hex_fields) / sizeof(hex_fields[0]))

/* Mark f extra (and d's dropped bit) if it is a hex field not in form. */
static void
check_hex_field(struct reportdir *d, struct field *f)
{
	for (size_t i = 0; i < HEX_FIELDS; i++) {
		if (strcmp(f->name, hex_fields[i].name) != 0)
			continue;
		if (f->len != hex_fields[i].hexlen || strspn((char *)f->value,
		    "0123456789abcdef") != f->len) {
			f->extra = 1;
			d->dropped |= 1u << i;
		}
	}
}

const char *
reportdir_dropped(const struct reportdir *d, size_t i)
{
	for (size_t j = 0; j < HEX_FIELDS; j++)
		if ((d->dropped & (1u << j)) && i-- == 0)
			return hex_fields[j].name;
	return NULL;
}

static int
on_field(void *ctx, const char *name, const uint8_t *value, size_t len)
{
	struct reportdir *d = ctx;
	struct field *f;

	if (d->nfields == FIELDS_MAX || len > HELD_MAX - d->held) {
		d->why = "report has too many or too large fields";
		return -1;
	}
	f = &d->fields[d->nfields];
	/* Powers of two, so the locked blocks are reused from report to report. */
	for (f->cap = 256; f->cap < len + 1; f->cap *= 2)
		continue;
	if ((f->value = secmem_get(f->cap)) == NULL) {
		d->why = "out of memory";
		return -1;
	}
	memcpy(f->value, value, len);
	f->value[len] = '\0';	/* cap > len */
	f->len = len;
	f->extra = is_extra(d, name);
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (!f->extra)
		check_hex_field(d, f);
	d->nfields++;
	d->held += len;
	return 0;
}

/* Does an earlier attachment of the report, withheld, have that name? */
static int
withheld_name(const struct reportdir *d, const char *name)
{
	for (size_t i = 0; d->nwithheld > 0 && i + 1 < d->natt; i++)
		if (d->att[i].withheld && strcmp(d->att[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Ways to take a name in attachments/ for the current attachment: 0 if
 * taken, 1 if the name is another file's, -1 on any other error.
 */
typedef int take_fn(struct reportdir *d, const char *name);

/* A new file (filefd). */
static int
take_create(struct reportdir *d, const char *name)
{
	d->filefd = openat(d->attfd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (d->filefd >= 0)
		return 0;
	return errno == EEXIST ? 1 : -1;
}

/* The unnamed file filefd linked in (O_TMPFILE's way, through /proc). */
static int
take_link(struct reportdir *d, const char *name)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", d->filefd);
	if (linkat(AT_FDCWD, path, d->attfd, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	return errno == EEXIST ? 1 : -1;
}

/* A name only (a withheld attachment): one no file has. */
static int
take_reserve(struct reportdir *d, const char *name)
{
	struct stat st;

	if (fstatat(d->attfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/* Give the attachment the first free one of "safe", "2-safe", ... */
static int
place(struct reportdir *d, struct attachment *a, take_fn *take)
{
	char safe[SAFENAME_MAX + 1];
	int rc = 1;

	safename_make(safe, a->submitted, a->submitted_len);
	for (int i = 1; i <= UNIQUE_TRIES && rc > 0; i++) {
		if (i == 1)
			snprintf(a->name, sizeof(a->name), "%s", safe);
		else
			snprintf(a->name, sizeof(a->name), "%d-%s", i, safe);
		rc = withheld_name(d, a->name) ? 1 : take(d, a->name);
	}
	if (rc != 0)
		d->why = take == take_link ?
		    "cannot link a large attachment into place (is /proc "
		    "mounted?)" : "cannot create an attachment file";
	return rc != 0 ? -1 : 0;
}

/* attachments/ is made with the first attachment: most reports have none. */
static int
open_attachments(struct reportdir *d)
{
	if (mkdirat(d->dirfd, "attachments", 0700) != 0 ||
	    (d->attfd = openat(d->dirfd, "attachments",
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		d->why = "cannot create the attachments directory";
		return -1;
	}
	return 0;
}

/*
 * The answer for the oldest image a decoder has, into its attachment; a
 * failure (the case file could not be read) fails that report.
 */
static void
batch_receive(struct reportdir_batch *b)
{
	struct inflight f;

	if (b->ninflight == 0)
		return;
	f = b->inflight[0];
	memmove(b->inflight, b->inflight + 1,
	    --b->ninflight * sizeof(b->inflight[0]));
	if (attscan_receive(b->scan, &f.d->att[f.att].scan) != 0)
		f.d->why = "cannot match an attachment against the hash lists";
}

/* Whether a decoder has an image of d. */
static int
holds(const struct reportdir_batch *b, const struct reportdir *d)
{
	for (size_t i = 0; i < b->ninflight; i++)
		if (b->inflight[i].d == d)
			return 1;
	return 0;
}

/* Receive until no decoder has an image of d (older ones first). */
static void
receive_for(struct reportdir_batch *b, const struct reportdir *d)
{
	while (holds(b, d))
		batch_receive(b);
}

/*
 * Room for more attachments, doubling: most reports have none, and an
 * array of ATTACHMENTS_MAX zeroed for each report was a tenth of the
 * time decrypt took over small reports. (The array moves: an image of it
 * still with the decoder is received first.)
 */
static int
grow_attachments(struct reportdir *d)
{
	size_t cap = d->attcap ? d->attcap * 2 : 4;
	struct attachment *att;

	receive_for(d->batch, d);
	if ((att = reallocarray(d->att, cap, sizeof(*att))) == NULL) {
		d->why = "out of memory";
		return -1;
	}
	d->att = att;
	d->attcap = cap;
	return 0;
}

static int
on_attachment_begin(void *ctx, const uint8_t *name, size_t len)
{
	struct reportdir *d = ctx;
	struct attachment *a;

	if (d->natt == ATTACHMENTS_MAX || len > HELD_MAX - d->held) {
		d->why = "report has too many attachments or too long names";
		return -1;
	}
	if (d->natt == d->attcap && grow_attachments(d) != 0)
		return -1;
	a = &d->att[d->natt];
	memset(a, 0, sizeof(*a));
	if ((a->submitted = malloc(len + 1)) == NULL) {
		d->why = "out of memory";
		return -1;
	}
	memcpy(a->submitted, name, len);
	a->submitted_len = len;
	d->held += len;
	d->natt++;
	if (d->attfd < 0 && open_attachments(d) != 0)
		return -1;
	attscan_reset(d->batch->scan);
	if (d->batch->withhold)
		return 0;	/* named at its end, if it is written */
	return place(d, a, take_create);
}

/*
 * Withholding, an attachment larger than what is held in memory goes on
 * into an unnamed file in attachments/ (O_TMPFILE): all that was held,
 * then the rest of buf, which was not.
 */
static int
spill(struct reportdir *d, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t held = attscan_held(d->batch->scan, &p);
	size_t rest = (size_t)(attscan_size(d->batch->scan) - held);

	d->filefd = openat(d->attfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
	    0600);
	if (d->filefd < 0) {
		d->why = "cannot make an unnamed file (O_TMPFILE) for an "
		    "attachment too large to hold in memory: decrypt without "
		    "--withhold-known";
		return -1;
	}
	if (cli_write_all(d->filefd, p, held) != 0 ||
	    cli_write_all(d->filefd, buf + len - rest, rest) != 0) {
		d->why = "cannot write an attachment (disk full?)";
		return -1;
	}
	return 0;
}

static int
on_attachment_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct reportdir *d = ctx;

	if (attscan_data(d->batch->scan, buf, len) != 0) {
		d->why = "cannot hash an attachment (out of memory?)";
		return -1;
	}
	if (d->filefd < 0 && !attscan_holds_all(d->batch->scan))
		return spill(d, buf, len);
	if (d->filefd >= 0 && cli_write_all(d->filefd, buf, len) != 0) {
		d->why = "cannot write an attachment (disk full?)";
		return -1;
	}
	return 0;
}

/*
 * Withholding, the attachment has ended and it is known whether a list
 * has it: if so no file is made, else its file is made from the bytes
 * held in memory, or its unnamed file is linked in.
 */
static int
settle(struct reportdir *d, struct attachment *a)
{
	const uint8_t *p;
	size_t held;

	if (a->scan.known) {
		a->withheld = 1;
		d->nwithheld++;
		return place(d, a, take_reserve);
	}
	if (d->filefd >= 0)
		return place(d, a, take_link);
	if (place(d, a, take_create) != 0)
		return -1;
	held = attscan_held(d->batch->scan, &p);
	if (cli_write_all(d->filefd, p, held) != 0) {
		d->why = "cannot write an attachment (disk full?)";
		return -1;
	}
	return 0;
}

/*
 * An image goes to the decoder, which works on it while the next
 * attachments, and reports, are decrypted; withholding, its answer is
 * needed at once (settle).
 */
static int
on_attachment_end(void *ctx, uint64_t size)
{
	struct reportdir *d = ctx;
	struct reportdir_batch *b = d->batch;
	struct attachment *a = &d->att[d->natt - 1];
	int rc = 0;

	a->size = size;
	if (attscan_needs_decoder(b->scan))
		batch_receive(b);	/* the oldest first */
	if (d->why == NULL && attscan_end(b->scan, &a->scan) != 0)
		d->why = "cannot hash an attachment or match it against the "
		    "hash lists";
	if (d->why == NULL && a->scan.pending) {
		b->inflight[b->ninflight++] = (struct inflight){ d,
		    d->natt - 1 };
		if (b->withhold)
			receive_for(b, d);
	}
	if (d->why == NULL && b->withhold)
		rc = settle(d, a);
	if (d->why != NULL)
		rc = -1;
	attscan_reset(b->scan);
	if (d->filefd >= 0 && close(d->filefd) != 0 && rc == 0 &&
	    !a->withheld) {
		d->why = "cannot write an attachment (disk full?)";
		rc = -1;
	}
	d->filefd = -1;
	return rc;
}

const struct payload_callbacks reportdir_callbacks = {
	on_field, on_attachment_begin, on_attachment_data, on_attachment_end,
};

static struct reportdir *
reportdir_alloc(struct reportdir_batch *b)
{
	struct reportdir *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->batch = b;
	d->outfd = b->outfd;
	d->dirfd = d->attfd = d->filefd = -1;
	return d;
}

struct reportdir *
reportdir_begin(struct reportdir_batch *b,
    const uint8_t id[ENVELOPE_ID_BYTES], const char **why)
{
	struct reportdir *d = reportdir_alloc(b);

	if (d == NULL) {
		*why = "out of memory";
		return NULL;
	}
	encode_hex(d->finalname, id, ENVELOPE_ID_BYTES);
	snprintf(d->tmpname, sizeof(d->tmpname), PARTIAL_PREFIX "%s-%08x",
	    d->finalname, randombytes_random());
	if (mkdirat(d->outfd, d->tmpname, 0700) != 0 ||
	    (d->dirfd = openat(d->outfd, d->tmpname,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		*why = "cannot create a directory in the output directory";
		reportdir_abort(d);
		return NULL;
	}
	return d;
}

/*
 * Call fn(dirfd, name) for every entry of dirfd whose name starts with
 * prefix (not "." or ".."). Return -1 if any call failed, else 0.
 */
static int
each_entry(int dirfd, const char *prefix,
    int (*fn)(int dirfd, const char *name))
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int rc = 0;

	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(dir)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
		    fn(dirfd, e->d_name) != 0)
			rc = -1;
	closedir(dir);
	return rc;
}

static int
unlink_file(int dirfd, const char *name)
{
	return unlinkat(dirfd, name, 0);
}

/*
 * Remove a partial report directory: its files, attachments/ and its files,
 * then itself. A partial directory holds nothing else, so this does not
 * recurse further; links are removed, never followed.
 */
static int
remove_partial(int outfd, const char *name)
{
	int fd = openat(outfd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), att;

	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ?
		    unlinkat(outfd, name, 0) : -1;
	att = openat(fd, "attachments",
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (att >= 0) {
		each_entry(att, "", unlink_file);
		close(att);
		unlinkat(fd, "attachments", AT_REMOVEDIR);
	}
	each_entry(fd, "", unlink_file);
	close(fd);
	return unlinkat(outfd, name, AT_REMOVEDIR);
}

int
reportdir_sweep(int outfd)
{
	return each_entry(outfd, PARTIAL_PREFIX, remove_partial);
}

static void
close_files(struct reportdir *d)
{
	if (d->filefd >= 0)
		close(d->filefd);
	if (d->attfd >= 0)
		close(d->attfd);
	if (d->dirfd >= 0)
		close(d->dirfd);
	d->filefd = d->attfd = d->dirfd = -1;
}

static void
reportdir_free(struct reportdir *d)
{
	receive_for(d->batch, d);
	close_files(d);
	for (size_t i = 0; i < d->nfields; i++)
		secmem_put(d->fields[i].value, d->fields[i].cap);
	for (size_t i = 0; i < d->natt; i++) {
		free(d->att[i].submitted);
		attscan_result_clear(&d->att[i].scan);
	}
	free(d->att);
	free(d->lines);
	free(d->catt);
	free(d);
}

const struct attscan_result *
reportdir_scan(const struct reportdir *d, size_t i, int *withheld)
{
	if (i >= d->natt)
		return NULL;
	*withheld = d->att[i].withheld;
	return &d->att[i].scan;
}

const char *
reportdir_error(const struct reportdir *d)
{
	return d->why;
}

int
reportdir_pending(const struct reportdir *d)
{
	return holds(d->batch, d);
}

int
reportdir_wait(struct reportdir *d)
{
	receive_for(d->batch, d);
	return d->why != NULL ? -1 : 0;
}

void
reportdir_abort(struct reportdir *d)
{
	if (d == NULL)
		return;
	attscan_reset(d->batch->scan);	/* an attachment cut short */
	close_files(d);
	if (d->tmpname[0] != '\0')
		remove_partial(d->outfd, d->tmpname);
	reportdir_free(d);
}

static void
json_key_field(FILE *f, const struct reportdir *d, const char *key)
{
	const struct field *fl = top_field(d, key);

	fprintf(f, "  \"%s\": ", key);
	json_string(f, fl ? fl->value : (const uint8_t *)"", fl ? fl->len : 0);
	fputs(",\n", f);
}

/* The field key at the top of report.json only if the report has it. */
static void
json_optional_field(FILE *f, const struct reportdir *d, const char *key)
{
	if (top_field(d, key) != NULL)
		json_key_field(f, d, key);
}

/* "key": [the values of the fields named name (extra or not), in order] */
static void
json_values(FILE *f, const struct reportdir *d, const char *key,
    const char *name, int extra)
{
	const char *sep = "";

	json_string(f, (const uint8_t *)key, strlen(key));
	fputs(": [", f);
	for (size_t i = 0; i < d->nfields; i++) {
		if (d->fields[i].extra != extra ||
		    strcmp(d->fields[i].name, name) != 0)
			continue;
		fputs(sep, f);
		json_string(f, d->fields[i].value, d->fields[i].len);
		sep = ", ";
	}
	fputc(']', f);
}

/* Has an extra field of the same name come before fields[i]? */
static int
extra_seen(const struct reportdir *d, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (d->fields[j].extra &&
		    strcmp(d->fields[j].name, d->fields[i].name) == 0)
			return 1;
	return 0;
}

/* "extra": { each name once: [its values in order] } */
static void
json_extra(FILE *f, const struct reportdir *d)
{
	const char *sep = "\n    ";

	fputs("  \"extra\": {", f);
	for (size_t i = 0; i < d->nfields; i++) {
		if (!d->fields[i].extra || extra_seen(d, i))
			continue;
		fputs(sep, f);
		json_values(f, d, d->fields[i].name, d->fields[i].name, 1);
		sep = ",\n    ";
	}
	fputs(sep[0] == ',' ? "\n  },\n" : "},\n", f);
}

/* "known": the list, its grade (null: none), the hash that matched. */
static void
json_known(FILE *f, const struct attscan_result *s)
{
	fputs(",\n      \"known\": { \"list\": ", f);
	json_string(f, (const uint8_t *)s->list, strlen(s->list));
	fputs(", \"grade\": ", f);
	if (s->grade[0] != '\0')
		json_string(f, (const uint8_t *)s->grade, strlen(s->grade));
	else
		fputs("null", f);
	fprintf(f, ", \"match\": \"%s\"", hashlist_format_name(s->match));
	if (s->match == HASHLIST_PDQ)
		fprintf(f, ", \"distance\": %d", s->distance);
	fputs(" }", f);
}

/*
 * What attscan learnt of an attachment, after its size: its SHA-256 on
 * the same line, as before there was more (scripts grep for the pair).
 */
static void
json_scan(FILE *f, const struct attscan_result *s)
{
	fprintf(f, ", \"sha256\": \"%s\",\n      \"md5\": \"%s\", "
	    "\"sha1\": \"%s\",\n      \"type\": \"%s\"", s->dg.sha256_hex,
	    s->dg.md5_hex, s->dg.sha1_hex, s->type);
	if (s->decoded)
		fprintf(f, ", \"width\": %lu, \"height\": %lu, "
		    "\"pdq_quality\": %d,\n      \"pdq\": \"%s\"",
		    (unsigned long)s->width, (unsigned long)s->height,
		    s->quality, s->pdq);
	else if (s->image) {
		fputs(",\n      \"image_error\": ", f);
		json_string(f, (const uint8_t *)s->image_error,
		    strlen(s->image_error));
	}
	if (s->known)
		json_known(f, s);
	fprintf(f, ",\n      \"metadata_warnings\": %s", s->warnings);
}

static void
json_attachments(FILE *f, const struct reportdir *d)
{
	fputs("  \"attachments\": [", f);
	for (size_t i = 0; i < d->natt; i++) {
		const struct attachment *a = &d->att[i];

		fprintf(f, "%s\n    { \"name\": ", i ? "," : "");
		json_string(f, (const uint8_t *)a->name, strlen(a->name));
		fputs(", \"submitted_name\": ", f);
		json_string(f, a->submitted, a->submitted_len);
		fprintf(f, ", \"size\": %llu", (unsigned long long)a->size);
		json_scan(f, &a->scan);
		fputs(a->withheld ? ",\n      \"withheld\": true }" : " }", f);
	}
	fputs(d->natt ? "\n  ]\n" : "]\n", f);
}

static int
write_json(struct reportdir *d)
{
	int fd = openat(d->dirfd, "report.json",
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc;

	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "{\n  \"id\": \"%s\",\n", d->finalname);
	json_key_field(f, d, "received");
	json_key_field(f, d, "language");
	json_key_field(f, d, "category");
	json_key_field(f, d, "seen_on");
	fputs("  ", f);
	json_values(f, d, "urls", "url", 0);
	fputs(",\n", f);
	json_key_field(f, d, "description");
	json_optional_field(f, d, "reply_key");
	json_optional_field(f, d, "follow_up_of");
	json_extra(f, d);
	json_attachments(f, d);
	fputs("}\n", f);
	rc = fflush(f) != 0 || ferror(f);
	return (fclose(f) != 0 || rc) ? -1 : 0;
}

/* What the case file records of attachment a. */
static void
summary_attachment(struct cases_attachment *c, const struct attachment *a)
{
	const struct attscan_result *s = &a->scan;

	*c = (struct cases_attachment){ .name = a->name, .size = a->size,
		.sha256 = s->dg.sha256_hex, .md5 = s->dg.md5_hex,
		.sha1 = s->dg.sha1_hex, .type = s->type,
		.width = s->width, .height = s->height,
		.pdq = s->decoded ? s->pdq : NULL, .pdq_quality = s->quality,
		.known_list = s->known ? s->list : NULL,
		.known_grade = s->known && s->grade[0] != '\0' ? s->grade : NULL,
		.metadata_warnings = s->warnings };
}

int
reportdir_summary(struct reportdir *d, struct cases_report *r)
{
	const struct field *f;

	if ((d->lines == NULL &&
	    (d->lines = calloc(FIELDS_MAX, sizeof(*d->lines))) == NULL) ||
	    (d->catt == NULL && d->natt > 0 &&
	    (d->catt = calloc(d->natt, sizeof(*d->catt))) == NULL))
		return -1;
	memset(r, 0, sizeof(*r));
	r->id = d->finalname;
	r->received = summary_text(d, "received");
	r->language = summary_text(d, "language");
	r->category = summary_text(d, "category");
	r->seen_on = summary_text(d, "seen_on");
	r->description = summary_text(d, "description");
	r->reply_key = (f = top_field(d, "reply_key")) ?
	    (const char *)f->value : NULL;
	r->follow_up_of = (f = top_field(d, "follow_up_of")) ?
	    (const char *)f->value : NULL;
	for (size_t i = 0; i < d->nfields; i++) {
		f = &d->fields[i];
		if (!f->extra && strcmp(f->name, "url") == 0)
			d->lines[r->nlines++] = (struct cases_text){
			    (const char *)f->value, f->len };
	}
	for (size_t i = 0; i < d->natt; i++)
		summary_attachment(&d->catt[i], &d->att[i]);
	r->lines = d->lines;
	r->att = d->catt;
	r->natt = d->natt;
	return 0;
}

/* Add d's directory to its batch: 0, or -1 if memory is short. */
static int
batch_add(struct reportdir_batch *b, const struct reportdir *d)
{
	struct waiting *w;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;

		if ((w = reallocarray(b->w, cap, sizeof(*w))) == NULL)
			return -1;
		b->w = w;
		b->cap = cap;
	}
	w = &b->w[b->n++];
	memcpy(w->tmpname, d->tmpname, sizeof(w->tmpname));
	memcpy(w->finalname, d->finalname, sizeof(w->finalname));
	return 0;
}

int
reportdir_commit(struct reportdir *d, const char **why)
{
	if (write_json(d) != 0) {
		*why = "cannot write report.json (disk full?)";
		goto err;
	}
	if (batch_add(d->batch, d) != 0) {
		*why = "out of memory";
		goto err;
	}
	reportdir_free(d);
	return 0;
err:
	reportdir_abort(d);
	return -1;
}

struct reportdir_batch *
reportdir_batch_new(int outfd, struct known *k, int withhold)
{
	struct reportdir_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	if ((b->scan = attscan_new(k, withhold ? REPORTDIR_WITHHOLD_MEMORY :
	    0)) == NULL) {
		free(b);
		return NULL;
	}
	b->outfd = outfd;
	b->withhold = withhold;
	return b;
}

int
reportdir_exists(const struct reportdir_batch *b,
    const uint8_t id[ENVELOPE_ID_BYTES])
{
	char name[ENCODE_HEX_LEN(ENVELOPE_ID_BYTES) + 1];
	struct stat st;

	encode_hex(name, id, ENVELOPE_ID_BYTES);
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->w[i].finalname, name) == 0)
			return 1;
	return fstatat(b->outfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

size_t
reportdir_batch_count(const struct reportdir_batch *b)
{
	return b->n;
}

int
reportdir_batch_flush(struct reportdir_batch *b,
    void (*failed)(void *ctx, const char *id, const char *why), void *ctx)
{
	const char *why = NULL;
	int rc = 0;

	if (b->n > 0 && syncfs(b->outfd) != 0)
		why = "cannot write its files to disk (disk full?)";
	for (size_t i = 0; i < b->n; i++) {
		struct waiting *w = &b->w[i];
		const char *fail = why;

		if (fail == NULL && renameat2(b->outfd, w->tmpname, b->outfd,
		    w->finalname, RENAME_NOREPLACE) == 0)
			continue;
		if (fail == NULL)
			fail = errno == EEXIST ?
			    "already in the output directory; not overwritten" :
			    "cannot rename the report directory into place";
		remove_partial(b->outfd, w->tmpname);
		failed(ctx, w->finalname, fail);
		rc = -1;
	}
	b->n = 0;
	if (fsync(b->outfd) != 0)	/* the renames */
		rc = -1;
	return rc;
}

void
reportdir_batch_free(struct reportdir_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		remove_partial(b->outfd, b->w[i].tmpname);
	attscan_free(b->scan);
	free(b->w);
	free(b);
}
