/*
 * imgdecode: an attachment that is a JPEG, PNG, WebP or GIF image decoded,
 * away from the analyst's tool, to what the desk keeps of it: its size,
 * its PDQ hash and quality, and a grey, strongly blurred thumbnail. Each
 * image is decoded by a new child process (imgchild) that locks itself
 * down first: rlimits (CPU time, memory, no files written or opened), no
 * new privileges and a seccomp filter that lets it only read and write
 * the socket to its parent, manage its memory and exit. Whatever the
 * image does to the decoding libraries, the caller gets a result or a
 * refusal with a reason: a crash, a kill, a timeout or a malformed reply
 * of the child is a refusal, never an error of the caller.
 *
 * The child is exec'd (imgchild_start): the same program run again from
 * /proc/self/exe with nothing of the caller's memory, so no key or
 * plaintext of the caller is there for an exploited decoder to put in its
 * reply; without /proc the image is refused. The program must call
 * imgchild_main first thing in main, be single-threaded and not set
 * SIGCHLD to SIG_IGN.
 */
#ifndef IMGDECODE_H
#define IMGDECODE_H

#include <stddef.h>
#include <stdint.h>

#include "pdq.h"
#include "thumb.h"

/* An attachment over this is not decoded: no camera image comes near. */
#define IMGDECODE_INPUT_MAX ((size_t)256 << 20)
/* A bomb is refused from its header: 100 megapixels is 300 MB of RGB. */
#define IMGDECODE_PIXELS_MAX 100000000u
/* The child's CPU time (SIGXCPU, then SIGKILL a second later). */
#define IMGDECODE_CPU_SECONDS 4
/* The whole exchange, from the child started to reaped (then SIGKILL). */
#define IMGDECODE_WALL_MS 10000
/* Address space the child may add to its own after exec (RLIMIT_AS). */
#define IMGDECODE_MEMORY ((uint64_t)768 << 20)
/* The longest reason, in bytes of printable ASCII. */
#define IMGDECODE_REASON_MAX 159

struct imgdecode_result {
	const char *mime;	/* sniff_type's, always set */
	int decoded;		/* 1: the fields below; 0: see reason */
	char reason[IMGDECODE_REASON_MAX + 1];
	uint32_t width;
	uint32_t height;
	struct pdq_hash pdq;
	int quality;		/* PDQ's, 0..100 */
	uint32_t thumb_width;	/* thumb_size(width, height) */
	uint32_t thumb_height;
	uint8_t thumb[THUMB_BYTES];	/* thumb_width x thumb_height grey */
};

/*
 * imgdecode(data, len, res):
 * Decode the attachment data[0..len) in a sandboxed child. Return 0 with
 * res->decoded 1 and every field set; or -1 with res->decoded 0 and
 * res->reason saying why it was refused: over IMGDECODE_INPUT_MAX, not
 * one of the four images (res->mime says what it is), a malformed header,
 * over IMGDECODE_PIXELS_MAX (from the header, before any child runs),
 * the decoder's refusal (truncated, corrupt), or the child's death,
 * timeout or malformed reply. Reports nothing. res holds what is left of
 * a possibly abusive image (the thumbnail): the caller wipes it when done.
 */
int imgdecode(const uint8_t *data, size_t len, struct imgdecode_result *res);

#endif
