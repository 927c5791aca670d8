/*
 * view: `oniondrop-keys view`, the contact sheet of a case directory's
 * attachments (every report's, or those named): HTML-DIR/index.html with
 * a card for each attachment, and a<n>.html, its own page. Owns the
 * command, HTML-DIR (made, or taken empty, mode 0700; everything written
 * by descriptor inside it, never over a file or through a link) and what
 * each attachment shows, decided from its file as it is now, whatever
 * the case file recorded at decrypt: read by descriptor (casedir.c),
 * hashed, sniffed, looked up on the hash lists (a list imported after
 * decrypt counts too), and an image that is not known decoded by the
 * sandboxed child (imgdecode) into the grey, blurred thumbnail that
 * greypng.c writes. A known attachment shows no picture at all, only its
 * list; a file that is not previewed, a box naming its kind. The pages
 * themselves are viewhtml.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "cases.h"
#include "casedir.h"
#include "cli.h"
#include "commands.h"
#include "digests.h"
#include "greypng.h"
#include "imgdecode.h"
#include "known.h"
#include "metadata.h"
#include "sniff.h"
#include "viewhtml.h"

#define READ_CHUNK 65536
#define ENLARGED (THUMB_BYTES * GREYPNG_ENLARGE * GREYPNG_ENLARGE)

static const char view_usage[] =
    "usage: oniondrop-keys view DIR [REPORT-ID...] --out HTML-DIR\n"
    "\n"
    "Writes a contact sheet of the attachments of the reports named (of\n"
    "every report if none is) into HTML-DIR, which must not exist or be an\n"
    "empty directory (made mode 0700): index.html, with for each\n"
    "attachment its name, type and size and a small, grey, strongly\n"
    "blurred thumbnail of an image (made by the sandboxed decoder); an\n"
    "attachment on a hash list shows 'known: LIST' and no picture, any\n"
    "other file a box naming its kind (video, PDF, archive...). Each opens\n"
    "a page with an enlarged, still blurred preview, the hashes, what its\n"
    "metadata reveals and a link to the original. The pages hold no\n"
    "script and forbid any (Content-Security-Policy).\n";

static const char rows_sql[] =
    "SELECT a.report_id, r.received, a.pos, a.name, a.size, a.sha256, "
    "a.type, a.known_list, a.known_grade FROM attachments AS a JOIN "
    "reports AS r ON r.id = a.report_id WHERE ?1 IS NULL OR "
    "a.report_id = ?1 ORDER BY r.received, a.report_id, a.pos";

struct view {
	const char *dir, *out;
	char **ids;
	size_t nids;
	struct cases *c;
	struct known *known;
	struct digests *dg;
	struct imgdecoder *dec;	/* one child for many images */
	int dirfd, outfd, thumbsfd, largefd;
	char *up;		/* HTML-DIR to DIR: "../"..., percent-encoded */
	FILE *index;
	size_t n, reports, counts[3];
	char report[CASEDIR_ID_LEN + 1];	/* the current one's */
	int attfd;		/* its attachments, or -1 (why: attnote) */
	const char *attnote;
	/* plaintext and what is left of images: wiped */
	uint8_t chunk[READ_CHUNK];
	struct imgdecode_result img;
	uint8_t large[ENLARGED];
};

/* One attachment while it is examined. */
struct att {
	struct viewhtml_att h;
	const char *db_sha256;	/* the case file's */
	uint8_t *buf;		/* the file, or its first SNIFF_HEAD_MAX bytes */
	size_t kept;
	int whole;		/* buf holds all of it */
	int read;		/* dg is the file's */
	struct digests_out dg;
	struct metadata md;
	char list[KNOWN_NAME_MAX + 1], grade[HASHLIST_GRADE_MAX + 1];
	char how[48], note[IMGDECODE_REASON_MAX + 48];
};

/* --- HTML-DIR ----------------------------------------------------------- */

/* 1 if the directory fd holds nothing but . and .., 0 if not, -1. */
static int
dir_empty(int fd)
{
	int dfd = dup(fd), empty = 1;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* Make the directory name in fd (0700) and open it; -1 with errno. */
static int
subdir(int fd, const char *name)
{
	if (mkdirat(fd, name, 0700) != 0)
		return -1;
	return openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

/* HTML-DIR made (or taken empty), 0700, with its subdirectories. */
static int
make_out(struct view *v)
{
	int made = mkdir(v->out, 0700) == 0, empty;

	if (!made && errno != EEXIST) {
		cli_error_errno("cannot create %s", v->out);
		return -1;
	}
	if ((v->outfd = open(v->out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		cli_error_errno("%s: not a directory (a link is not followed)",
		    v->out);
		return -1;
	}
	if (!made && (empty = dir_empty(v->outfd)) != 1) {
		if (empty == 0)
			cli_error("%s is not empty: the contact sheet is written "
			    "into a new or empty directory", v->out);
		else
			cli_error_errno("cannot read %s", v->out);
		return -1;
	}
	if (fchmod(v->outfd, 0700) != 0 ||
	    (v->thumbsfd = subdir(v->outfd, VIEWHTML_THUMBS)) < 0 ||
	    (v->largefd = subdir(v->outfd, VIEWHTML_LARGE)) < 0) {
		cli_error_errno("cannot prepare %s", v->out);
		return -1;
	}
	return 0;
}

/* A new file name in HTML-DIR (0600), or NULL after printing why. */
static FILE *
new_file(struct view *v, const char *name)
{
	int fd = openat(v->outfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL) {
		cli_error_errno("cannot create %s/%s", v->out, name);
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/* Close a file from new_file; 0, or -1 after printing why. */
static int
close_file(struct view *v, FILE *f, const char *name)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		cli_error("cannot write %s/%s", v->out, name);
		return -1;
	}
	return 0;
}

/* Append "comp/" for each component of path p (absolute) to f. */
static void
put_components(FILE *f, const char *p)
{
	char *copy = strdup(p), *save = NULL;

	if (copy == NULL)
		return;		/* memstream's own failure is seen at fclose */
	for (char *c = strtok_r(copy, "/", &save); c != NULL;
	    c = strtok_r(NULL, "/", &save)) {
		viewhtml_encode(f, c);
		fputc('/', f);
	}
	free(copy);
}

/*
 * v->up: the relative path from HTML-DIR to DIR (both resolved), as a
 * link's prefix: "../" for each component of HTML-DIR below their common
 * ancestor, then DIR's below it, each percent-encoded, each with a '/'.
 */
static int
make_up(struct view *v)
{
	char *from = realpath(v->out, NULL), *to = realpath(v->dir, NULL);
	size_t c = 0, len = 0, depth = 0;
	FILE *f = NULL;

	if (from == NULL || to == NULL)
		goto err;
	for (size_t i = 0;; i++) {
		if ((from[i] == '/' || !from[i]) && (to[i] == '/' || !to[i]))
			c = i;
		if (from[i] != to[i] || from[i] == '\0')
			break;
	}
	for (const char *p = from + c; *p; p++)
		depth += *p == '/' && p[1] != '\0';
	if ((f = open_memstream(&v->up, &len)) == NULL)
		goto err;
	while (depth-- > 0)
		fputs("../", f);
	put_components(f, to + c);
	if (fclose(f) != 0)
		goto err;
	free(from);
	free(to);
	return 0;
err:
	cli_error_errno("cannot find the way from %s to %s", v->out, v->dir);
	free(from);
	free(to);
	return -1;
}

/* --- one attachment ------------------------------------------------------ */

/* A note on why there is no preview. */
static void
note(struct att *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct att *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->note, sizeof(a->note), fmt, ap);
	va_end(ap);
	a->h.note = a->note;
}

/* Open the current report's attachments when the report changes. */
static void
enter_report(struct view *v, const char *id)
{
	if (strcmp(v->report, id) == 0)
		return;
	if (v->attfd >= 0)
		close(v->attfd);
	snprintf(v->report, sizeof(v->report), "%s", id);
	v->attfd = casedir_attachments(v->dirfd, id);
	v->attnote = v->attfd >= 0 ? NULL : errno == ENOENT ?
	    "the report has no attachments directory (purged?)" :
	    errno == EINVAL ? "the case file's report id is not one" :
	    "its attachments directory is not a directory (a link?)";
}

/* Read fd into a (digests of all, buf of what may be decoded). */
static int
read_fd(struct view *v, int fd, uint64_t size, struct att *a)
{
	size_t cap = size <= IMGDECODE_INPUT_MAX ? (size_t)size + 1 :
	    SNIFF_HEAD_MAX;
	uint64_t total = 0;
	ssize_t n;

	if ((a->buf = malloc(cap)) == NULL) {
		cli_error("out of memory");
		return -1;
	}
	while ((n = read(fd, v->chunk, sizeof(v->chunk))) != 0) {
		size_t keep = a->kept < cap ? cap - a->kept : 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || digests_update(v->dg, v->chunk, (size_t)n) != 0)
			return -1;
		keep = keep < (size_t)n ? keep : (size_t)n;
		memcpy(a->buf + a->kept, v->chunk, keep);
		a->kept += keep;
		total += (size_t)n;
	}
	a->whole = total == a->kept && total <= IMGDECODE_INPUT_MAX;
	a->h.size = (int64_t)total;
	return digests_end(v->dg, &a->dg);
}

/* Read the attachment's file, if it can be: 0 (a->read says), or -1. */
static int
read_att(struct view *v, struct att *a)
{
	struct stat st;
	int fd, rc;

	if (v->attfd < 0) {
		note(a, "%s", v->attnote);
		return 0;
	}
	if ((fd = casedir_open(v->attfd, a->h.name)) < 0) {
		note(a, "%s", errno == ENOENT ? "the file is not in the case "
		    "directory (purged, or withheld as known at decrypt)" :
		    errno == ELOOP ? "a symbolic link: not followed" :
		    errno == EINVAL ? "its name is not one file name: not opened"
		    : strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		note(a, "not a regular file: not read");
		return 0;
	}
	rc = read_fd(v, fd, (uint64_t)st.st_size, a);
	close(fd);
	if (rc != 0) {
		cli_error_errno("cannot read %s/%s/attachments/%s", v->dir,
		    v->report, a->h.name);
		return -1;
	}
	a->read = 1;
	a->h.type = sniff_type(a->buf, a->kept, NULL);
	a->h.sha256 = a->dg.sha256_hex;
	a->h.sha1 = a->dg.sha1_hex;
	a->h.md5 = a->dg.md5_hex;
	a->h.changed = strcmp(a->dg.sha256_hex, a->db_sha256) != 0;
	if (a->whole) {
		metadata_scan(a->buf, a->kept, &a->md);
		a->h.md = &a->md;
	}
	return 0;
}

/* The hit (or the case file's flag, from decrypt) as what a shows. */
static void
known_from(struct att *a, const struct known_hit *hit, const char *db_list,
    const char *db_grade)
{
	a->h.show = VIEWHTML_KNOWN;
	snprintf(a->list, sizeof(a->list), "%s", hit ? hit->list : db_list);
	a->h.list = a->list;
	if ((hit ? hit->grade : db_grade) != NULL) {
		snprintf(a->grade, sizeof(a->grade), "%s",
		    hit ? hit->grade : db_grade);
		a->h.grade = a->grade;
	}
	if (hit == NULL)
		snprintf(a->how, sizeof(a->how), "decrypt");
	else if (hit->kind == HASHLIST_PDQ)
		snprintf(a->how, sizeof(a->how), "PDQ, %d bits apart",
		    hit->distance);
	else
		snprintf(a->how, sizeof(a->how), "%s",
		    hashlist_format_name(hit->kind));
	a->h.how = a->how;
}

/* Decode an image that is not known by its exact hashes. */
static void
decode(struct view *v, struct att *a, struct known_query *q)
{
	enum sniff_image kind;

	sniff_type(a->buf, a->kept, &kind);
	if (kind == SNIFF_NOT_IMAGE) {
		note(a, "only JPEG, PNG, WebP and GIF images are previewed");
		return;
	}
	if (!a->whole) {
		note(a, a->h.size > (int64_t)IMGDECODE_INPUT_MAX ? "over %zu MiB: "
		    "not decoded" : "it changed while it was read (not over "
		    "%zu MiB): not decoded", IMGDECODE_INPUT_MAX >> 20);
		return;
	}
	if (imgdecoder_decode(v->dec, a->buf, a->kept, &v->img) != 0) {
		note(a, "the decoder refused it: %s", v->img.reason);
		return;
	}
	a->h.width = v->img.width;
	a->h.height = v->img.height;
	a->h.quality = v->img.quality;
	q->pdq = &v->img.pdq;
	q->quality = v->img.quality;
}

/*
 * What a shows: known (its exact hashes, or its PDQ once decoded, on a
 * list now, or flagged by decrypt), its preview, or a placeholder.
 */
static int
decide(struct view *v, struct att *a, const char *db_list,
    const char *db_grade)
{
	uint8_t sha256[DIGESTS_SHA256_BYTES];
	struct known_query q = { 0 };
	struct known_hit hit;
	int rc;

	if (a->read) {
		q.md5 = a->dg.md5;
		q.sha1 = a->dg.sha1;
		q.sha256 = a->dg.sha256;
	} else if (sodium_hex2bin(sha256, sizeof(sha256), a->db_sha256,
	    strlen(a->db_sha256), NULL, NULL, NULL) == 0)
		q.sha256 = sha256;
	if ((rc = known_match(v->known, &q, &hit)) == 0 && a->read) {
		decode(v, a, &q);
		if (q.pdq != NULL)
			rc = known_match(v->known, &q, &hit);
	}
	if (rc < 0)
		return -1;
	a->h.show = v->img.decoded ? VIEWHTML_PREVIEW : VIEWHTML_PLACEHOLDER;
	if (rc == 1 || db_list != NULL)
		known_from(a, rc == 1 ? &hit : NULL, db_list, db_grade);
	return 0;
}

/* The preview's two PNG files; 0 or -1 (printed). */
static int
write_preview(struct view *v, struct att *a)
{
	char name[32];
	uint32_t tw = v->img.thumb_width, th = v->img.thumb_height;

	snprintf(name, sizeof(name), "%zu.png", a->h.n);
	a->h.tw = tw;
	a->h.th = th;
	greypng_enlarge(v->img.thumb, tw, th, v->large);
	if (greypng_write(v->thumbsfd, name, v->img.thumb, tw, th) != 0 ||
	    greypng_write(v->largefd, name, v->large, tw * GREYPNG_ENLARGE,
	    th * GREYPNG_ENLARGE) != 0) {
		cli_error_errno("cannot write the preview %s", name);
		return -1;
	}
	return 0;
}

/* The link to the original: v->up, then <report>/attachments/<name>. */
static char *
link_original(struct view *v, const struct att *a)
{
	char *link = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&link, &len);

	if (f == NULL)
		return NULL;
	fputs(v->up, f);
	viewhtml_encode(f, v->report);
	fputs("/attachments/", f);
	viewhtml_encode(f, a->h.name);
	if (fclose(f) != 0) {
		free(link);
		return NULL;
	}
	return link;
}

/* Write a's page, a<n>.html; 0 or -1 (printed). */
static int
write_page(struct view *v, struct att *a)
{
	char name[32];
	char *link = NULL;
	FILE *f;

	snprintf(name, sizeof(name), "a%zu.html", a->h.n);
	if (a->read && (link = link_original(v, a)) == NULL) {
		cli_error("out of memory");
		return -1;
	}
	a->h.original = link;
	if ((f = new_file(v, name)) == NULL) {
		free(link);
		return -1;
	}
	viewhtml_page(f, &a->h);
	free(link);
	return close_file(v, f, name);
}

/* A row of rows_sql: examine the attachment, write its files and card. */
static int
att_row(struct view *v, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	struct att *a = calloc(1, sizeof(*a));
	int rc = -1;

	if (a == NULL) {
		cli_error("out of memory");
		return -1;
	}
	if (strcmp(v->report, id) != 0)
		viewhtml_report(v->index, id, (const char *)sqlite3_column_text(
		    st, 1), v->reports++ == 0);
	enter_report(v, id);
	a->h = (struct viewhtml_att){ .n = ++v->n, .report = v->report,
		.pos = sqlite3_column_int64(st, 2),
		.name = (const char *)sqlite3_column_text(st, 3),
		.size = sqlite3_column_int64(st, 4),
		.sha256 = (const char *)sqlite3_column_text(st, 5),
		.type = (const char *)sqlite3_column_text(st, 6) };
	a->db_sha256 = a->h.sha256;
	if (read_att(v, a) == 0 && decide(v, a, (const char *)
	    sqlite3_column_text(st, 7), (const char *)sqlite3_column_text(st,
	    8)) == 0 && (a->h.show != VIEWHTML_PREVIEW ||
	    write_preview(v, a) == 0) && write_page(v, a) == 0) {
		viewhtml_card(v->index, &a->h);
		v->counts[a->h.show]++;
		rc = 0;
	}
	if (a->buf != NULL)
		sodium_memzero(a->buf, a->kept);
	free(a->buf);
	sodium_memzero(&v->img, sizeof(v->img));
	sodium_memzero(v->large, sizeof(v->large));
	sodium_memzero(a, sizeof(*a));
	free(a);
	return rc;
}

/* Every attachment of report id (NULL: of every report). 0 or -1. */
static int
each_att(struct view *v, const char *id)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, failed = 0;

	if (sqlite3_prepare_v2(cases_db(v->c), rows_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return cases_sqlerr(v->c, "cannot read the attachments");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW)
		failed = att_row(v, st) != 0;
	sqlite3_finalize(st);
	if (!failed && rc != SQLITE_DONE)
		return cases_sqlerr(v->c, "cannot read the attachments");
	return failed ? -1 : 0;
}

/* --- the command -------------------------------------------------------- */

static int
parse_args(int argc, char *argv[], struct view *v)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': v->out = optarg; break;
		case 'h': return -1;
		default: return 1;
		}
	}
	if (argc - optind < 1 || v->out == NULL) {
		cli_error("view: DIR and --out are required");
		return 1;
	}
	v->dir = argv[optind];
	v->ids = argv + optind + 1;
	v->nids = (size_t)(argc - optind - 1);
	for (size_t i = 0; i < v->nids; i++)
		if (!casedir_id_ok(v->ids[i])) {
			cli_error("view: '%s' is not a report id (32 lower-case "
			    "hex digits)", v->ids[i]);
			return 1;
		}
	return 0;
}

/* Each report named is in the case file. 0, or -1 (printed). */
static int
check_ids(struct view *v)
{
	for (size_t i = 0; i < v->nids; i++) {
		int rc = cases_has_report(v->c, v->ids[i]);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			cli_error("view: no report %s in %s", v->ids[i],
			    cases_path(v->c));
			return -1;
		}
	}
	return 0;
}

/* 1 if ids[i] was named before it (it is shown once). */
static int
named_before(const struct view *v, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(v->ids[j], v->ids[i]) == 0)
			return 1;
	return 0;
}

/* The stylesheet, the sheet and every page. 0 or -1 (printed). */
static int
write_sheet(struct view *v)
{
	FILE *css = new_file(v, VIEWHTML_CSS);
	int rc = 0;

	if (css == NULL)
		return -1;
	viewhtml_css(css);
	if (close_file(v, css, VIEWHTML_CSS) != 0 ||
	    (v->index = new_file(v, VIEWHTML_INDEX)) == NULL)
		return -1;
	viewhtml_index_begin(v->index, v->dir);
	if (v->nids == 0)
		rc = each_att(v, NULL);
	for (size_t i = 0; i < v->nids && rc == 0; i++)
		if (!named_before(v, i))
			rc = each_att(v, v->ids[i]);
	viewhtml_index_end(v->index, v->counts);
	if (close_file(v, v->index, VIEWHTML_INDEX) != 0)
		rc = -1;
	v->index = NULL;
	return rc;
}

/* Open what the sheet is made from, then make it. 0 or -1 (printed). */
static int
view_run(struct view *v)
{
	int rc = -1;

	if ((v->c = cases_open(v->dir, CASES_READ)) == NULL)
		return -1;
	if (sqlite3_exec(cases_db(v->c), "BEGIN", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return cases_sqlerr(v->c, "cannot read the case file");
	if (check_ids(v) != 0 || (v->known = known_load(v->c)) == NULL)
		goto done;
	if ((v->dg = digests_new()) == NULL) {
		cli_error("cannot hash: MD5, SHA-1 or SHA-256 is unavailable");
		goto done;
	}
	if ((v->dec = imgdecoder_new(1)) == NULL) {
		cli_error("out of memory");
		goto done;
	}
	if ((v->dirfd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cli_error_errno("cannot open %s", v->dir);
		goto done;
	}
	if (make_out(v) != 0 || make_up(v) != 0)
		goto done;
	if ((rc = write_sheet(v)) != 0) {
		unlinkat(v->outfd, VIEWHTML_INDEX, 0);
		cli_error("%s is incomplete (no %s): remove it before running "
		    "view again", v->out, VIEWHTML_INDEX);
	}
done:
	sqlite3_exec(cases_db(v->c), "COMMIT", NULL, NULL, NULL);
	return rc;
}

static void
view_free(struct view *v)
{
	int fds[] = { v->dirfd, v->outfd, v->thumbsfd, v->largefd, v->attfd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (v->index != NULL)
		fclose(v->index);
	free(v->up);
	digests_free(v->dg);
	imgdecoder_free(v->dec);
	known_free(v->known);
	cases_close(v->c);
	sodium_memzero(v, sizeof(*v));
	free(v);
}

int
view_main(int argc, char *argv[])
{
	struct view *v = calloc(1, sizeof(*v));
	int rc;

	if (v == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	v->dirfd = v->outfd = v->thumbsfd = v->largefd = v->attfd = -1;
	if ((rc = parse_args(argc, argv, v)) != 0) {
		fputs(view_usage, rc < 0 ? stdout : stderr);
		view_free(v);
		return rc < 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	rc = view_run(v);
	if (rc == 0)
		printf("%s/%s: %zu attachment%s of %zu report%s: %zu previews, "
		    "%zu known (not shown), %zu placeholders\n", v->out,
		    VIEWHTML_INDEX, v->n, v->n == 1 ? "" : "s", v->reports,
		    v->reports == 1 ? "" : "s", v->counts[VIEWHTML_PREVIEW],
		    v->counts[VIEWHTML_KNOWN], v->counts[VIEWHTML_PLACEHOLDER]);
	view_free(v);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
