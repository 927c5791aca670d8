/*
 * imgdecode: an attachment that is a JPEG, PNG, WebP or GIF image decoded,
 * away from the analyst's tool, to what the desk keeps of it: its size,
 * its PDQ hash and quality, and a grey, strongly blurred thumbnail. Images
 * are decoded by a child process (imgchild) that locks itself down first:
 * rlimits (CPU time, memory, no files written or opened), no new
 * privileges and a seccomp filter that lets it only read and write the
 * socket to its parent, manage its memory and exit. Whatever an image
 * does to the decoding libraries, the caller gets a result or a refusal
 * with a reason: a crash, a kill, a timeout or a malformed reply of the
 * child is a refusal, never an error of the caller.
 *
 * The child is exec'd (imgchild_start): the same program run again from
 * /proc/self/exe with nothing of the caller's memory, so no key or
 * plaintext of the caller is there for an exploited decoder to put in its
 * reply; without /proc the image is refused. The program must call
 * imgchild_main first thing in main, be single-threaded and not set
 * SIGCHLD to SIG_IGN.
 *
 * A decoder (struct imgdecoder) keeps its child for up to
 * IMGDECODE_CHILD_IMAGES images (an exec and a lockdown cost more than a
 * small image's decoding) and starts another after that, after a refusal
 * and after anything wrong. So an image that took over the decoding
 * libraries could also answer for the next images until then: their
 * size, PDQ hash and thumbnail, never their MD5, SHA-1 or SHA-256 (the
 * caller's own); it can answer anything for itself already, and PDQ is
 * no defence against an adversary anyway (a crop of 5 % escapes it).
 * Each image still has its own IMGDECODE_CPU_SECONDS and wall time.
 */
#ifndef IMGDECODE_H
#define IMGDECODE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pdq.h"
#include "thumb.h"

/* An attachment over this is not decoded: no camera image comes near. */
#define IMGDECODE_INPUT_MAX ((size_t)256 << 20)
/* A bomb is refused from its header: 100 megapixels is 300 MB of RGB. */
#define IMGDECODE_PIXELS_MAX 100000000u
/* The child's CPU time for an image (then SIGPROF kills it). */
#define IMGDECODE_CPU_SECONDS 4
/* From an image's request sent to its reply read (then SIGKILL). */
#define IMGDECODE_WALL_MS 10000
/* Images a child decodes before the decoder starts another. */
#define IMGDECODE_CHILD_IMAGES 64
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
	uint32_t thumb_width;	/* thumb_size(width, height), or 0 0 */
	uint32_t thumb_height;	/* from a decoder without thumbnails */
	uint8_t thumb[THUMB_BYTES];	/* thumb_width x thumb_height grey */
};

struct imgdecoder;

/*
 * imgdecoder_new(thumbnails):
 * A decoder, no child started yet; NULL if memory is short. thumbnails 0:
 * the caller has no use for them, the child makes none (a twelfth of a
 * small image's time) and results have a thumbnail of 0 x 0.
 */
struct imgdecoder *imgdecoder_new(int thumbnails);

/*
 * imgdecoder_send(d, data, len, res):
 * Start decoding the attachment data[0..len): check what needs no child
 * (over IMGDECODE_INPUT_MAX, not one of the four images, a malformed
 * header, over IMGDECODE_PIXELS_MAX), then send it to the child (started
 * if d has none that may go on). Return 0: the child has every byte (the
 * caller may reuse data) and decodes while the caller goes on; call
 * imgdecoder_receive(d, res) before anything else of d. Or -1 with res
 * refused, as imgdecode says, and nothing in flight. res->mime is set
 * either way. d must have nothing in flight.
 */
int imgdecoder_send(struct imgdecoder *d, const uint8_t *data, size_t len,
    struct imgdecode_result *res);

/*
 * imgdecoder_receive(d, res):
 * The answer to the image imgdecoder_send sent (res the same or a copy
 * of it): 0 or -1 as imgdecode says. Waits at most until IMGDECODE_WALL_MS
 * after the send; a reply already there is taken however late.
 */
int imgdecoder_receive(struct imgdecoder *d, struct imgdecode_result *res);

/*
 * imgdecoder_decode(d, data, len, res): imgdecoder_send, then, if that
 * sent it, imgdecoder_receive; 0 or -1 as imgdecode says.
 */
int imgdecoder_decode(struct imgdecoder *d, const uint8_t *data, size_t len,
    struct imgdecode_result *res);

/*
 * imgdecoder_free(d): end d's child (told, then killed if it has not
 * gone within IMGDECODE_WALL_MS) and free d; NULL is a no-op.
 */
void imgdecoder_free(struct imgdecoder *d);

/*
 * imgdecode(data, len, res):
 * Decode the attachment data[0..len) in a sandboxed child of its own.
 * Return 0 with res->decoded 1 and every field set; or -1 with
 * res->decoded 0 and res->reason saying why it was refused: over
 * IMGDECODE_INPUT_MAX, not one of the four images (res->mime says what
 * it is), a malformed header, over IMGDECODE_PIXELS_MAX (from the header,
 * before any child runs), the decoder's refusal (truncated, corrupt), or
 * the child's death, timeout or malformed reply. Reports nothing. res
 * holds what is left of a possibly abusive image (the thumbnail): the
 * caller wipes it when done.
 */
int imgdecode(const uint8_t *data, size_t len, struct imgdecode_result *res);

#ifdef IMGCHILD_TEST_HOOKS
/* Test builds only: the pid of d's child, or -1 if it has none. */
pid_t imgdecoder_child(const struct imgdecoder *d);
#endif

/*
 * The parent's reading of a reply (imgchild.h), whole or as it comes:
 * imgdecode_reply_head(head, hw, hh, thumbnail):
 * Check the reply's first IMGCHILD_HEADER bytes, each field against the
 * others, against whether the thumbnail was asked for and, unless hw is
 * 0, the size against hw x hh (what the parent read in the image's own
 * header). Return the length of the body that must follow, or -1 if the
 * header is malformed.
 * imgdecode_reply_body(head, body, res):
 * With a header imgdecode_reply_head accepted and the body of its
 * length, fill res: 0 decoded (size, quality, PDQ hash, thumbnail), -1
 * refused (its reason), or -2 if the body is malformed (res->decoded 0).
 */
int64_t imgdecode_reply_head(const uint8_t *head, uint32_t hw, uint32_t hh,
    int thumbnail);
int imgdecode_reply_body(const uint8_t *head, const uint8_t *body,
    struct imgdecode_result *res);

#endif
