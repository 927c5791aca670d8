/*
 * cleancopy: the copy of one attachment that may leave the desk in a
 * referral, stripped of what it reveals about whoever made it. The
 * original, DIR/<report>/attachments/NAME, is read by descriptor (no link
 * followed) and must still have the SHA-256 the case file recorded. Only
 * a JPEG, PNG or GIF is copied: the images that both Debian's mat2 cleans
 * and metadata.c reads (mat2 0.13 cannot clean WebP; other types have no
 * check that the result is clean). The sandboxed decoder (imgdecode)
 * must accept it first, so that no bomb and no file it refuses reaches
 * mat2's decoders. mat2 rewrites the copy in place, run as a child
 * process in the work directory: its own process group, no new
 * privileges, HOME and TMPDIR there, rlimits, stdin and stdout on
 * /dev/null, killed after CLEANCOPY_SECONDS. The result must be of the
 * same type and metadata_scan must find nothing in it. Once mat2 has run,
 * whatever it did, the original is read again and must not have changed.
 * Any other outcome leaves the attachment out, with a reason; nothing of
 * it stays in the work directory.
 */
#ifndef CLEANCOPY_H
#define CLEANCOPY_H

#include <stdint.h>

/* The longest mat2 may take on one file (then its process group is killed). */
#define CLEANCOPY_SECONDS 60
/* The program run, from PATH=/usr/bin:/bin; ONIONDROP_MAT2 names another
 * (tests use it for a mat2 that fails or cleans nothing). */
#define CLEANCOPY_MAT2 "mat2"
/* The longest reason an attachment is left out, in bytes. */
#define CLEANCOPY_WHY_MAX 255

struct cleancopy {
	const char *type;	/* sniff_type of the original */
	const char *ext;	/* the copy's extension: "jpg", "png", "gif" */
	uint64_t size;		/* the copy's */
	char sha256[65];	/* the copy's, lower-case hex */
	uint64_t original_size;
	char why[CLEANCOPY_WHY_MAX + 1];	/* when left out */
};

/*
 * cleancopy_make(attfd, name, sha256, workfd, stem, c):
 * Make the clean copy of the attachment name in the directory attfd,
 * which the case file says has SHA-256 sha256 (hex), as the file
 * "<stem>.<ext>" (mode 0600, never over an existing file) in workfd,
 * filling c. Return 1 if it was made; 0 if it was left out (c->why says
 * why, in printable text that names no value from the file); -1 after
 * printing why on an error of the desk's own (memory, writing workfd) or
 * an original that changed while it was copied.
 */
int cleancopy_make(int attfd, const char *name, const char *sha256,
    int workfd, const char *stem, struct cleancopy *c);

#endif
