/*
 * attscan: what decrypt learns of an attachment from its bytes as they
 * stream by, one attachment after another: its MD5, SHA-1 and SHA-256 in
 * one pass (digests), its type from its first bytes (sniff), and for the
 * images imgdecode decodes (JPEG, PNG, WebP, GIF) their size and PDQ hash
 * from the sandboxed decoder and the metadata they carry (metadata); then
 * whether a hash list of the case file knows it (known). A file of any
 * other type never starts a decoder.
 *
 * Bytes are held in memory only while they may be needed: the first
 * SNIFF_HEAD_MAX always (the type), an image whole up to
 * IMGDECODE_INPUT_MAX (the decoder and the metadata scan read it whole),
 * and any attachment whole up to the caller's bound (decrypt
 * --withhold-known keeps an attachment off the disk until it knows it may
 * be written). They live in one private anonymous mapping, reserved on the
 * first byte, kept out of child processes (the exec'd decoder is sent the
 * image and nothing else) and wiped after each attachment. It is not
 * locked: like any memory of the tool it may be swapped out.
 *
 * The decoders work while the caller goes on: an image's attscan_end
 * sends it to one of ATTSCAN_DECODERS sandboxed children and returns with
 * the result pending; attscan_receive waits for that decoder's answer and
 * then matches. Each decoder has one image at a time: several smooth a
 * small image's report against a large one's and use both cores of a
 * laptop. Three, not two: over 200 JPEG, PNG and WebP images on two
 * cores, decrypt kept 1.45 of them busy with two decoders (it waited for
 * one while the other core idled) and 1.85 with three, in 1.2 s instead
 * of 1.4; a fourth gained nothing (bench/README).
 */
#ifndef ATTSCAN_H
#define ATTSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "digests.h"
#include "hashlist.h"
#include "imgdecode.h"
#include "known.h"
#include "pdq.h"

#define ATTSCAN_DECODERS 3

/* What attscan_end learnt of one attachment. */
struct attscan_result {
	struct digests_out dg;
	const char *type;	/* sniff_type's MIME type (a static string) */
	int image;		/* a JPEG, PNG, WebP or GIF: decoded or refused */
	int decoded;		/* the four fields below are set */
	uint32_t width, height;
	char pdq[PDQ_HEX_LEN + 1];
	int quality;		/* PDQ's, 0..100 */
	char image_error[IMGDECODE_REASON_MAX + 1];	/* an image refused */
	int known;		/* a hash list has it: the four fields below */
	char list[KNOWN_NAME_MAX + 1];
	char grade[HASHLIST_GRADE_MAX + 1];	/* "": the list gave none */
	enum hashlist_format match;	/* which hash matched */
	int distance;		/* a PDQ match's distance, else 0 */
	char *warnings;		/* the metadata warnings: a JSON array of
				 * strings ("[]": none), malloc'd */
	int pending;		/* a decoder has the image: the fields
				 * above from decoded on, and known, wait
				 * for attscan_receive */
	int decoder;		/* pending: which one (0..) */
};

struct attscan;

/*
 * attscan_new(k, hold):
 * A scanner matching attachments against the hash lists of k (NULL: no
 * matching) that holds every attachment whole up to hold bytes (0: only
 * what it needs; at most IMGDECODE_INPUT_MAX). NULL if memory is short.
 */
struct attscan *attscan_new(struct known *k, size_t hold);

/*
 * attscan_data(s, buf, len):
 * The current attachment's next len bytes. Return 0, or -1 if memory
 * could not be reserved or a digest failed (then call attscan_reset).
 */
int attscan_data(struct attscan *s, const uint8_t *buf, size_t len);

/*
 * attscan_held(s, p):
 * The bytes of the current attachment held so far (*p set to the first):
 * all of them while attscan_holds_all(s), else the first ones only.
 */
size_t attscan_held(const struct attscan *s, const uint8_t **p);

/* attscan_size(s): the bytes of the current attachment seen so far. */
uint64_t attscan_size(const struct attscan *s);

/*
 * attscan_holds_all(s):
 * 1 while every byte of the current attachment is held: an image up to
 * IMGDECODE_INPUT_MAX, anything up to the hold bound; once 0 it stays 0.
 */
int attscan_holds_all(const struct attscan *s);

/*
 * attscan_needs_decoder(s):
 * 1 if the current attachment, as it is so far, is an image that
 * attscan_end would send to a decoder and every decoder has an image: then
 * one still pending must be received first.
 */
int attscan_needs_decoder(struct attscan *s);

/*
 * attscan_end(s, res):
 * The current attachment has ended: fill res (an image refused by the
 * decoder is an image_error, not a failure), or, an image sent to the
 * decoder, all but what waits for its answer (res->pending 1; the bytes
 * are the decoder's already). The held bytes stay until attscan_reset.
 * Return 0, or -1 (res->warnings NULL) if a digest failed, memory is
 * short, the case file could not be read (known printed why) or it is an
 * image and every decoder has one pending.
 */
int attscan_end(struct attscan *s, struct attscan_result *res);

/*
 * attscan_receive(s, res):
 * With res the pending result of attscan_end (or a copy of it, moved),
 * wait for the decoder's answer and fill the rest of res; res->pending is
 * then 0. Nothing to do if it is 0 already. Return 0, or -1 (res cleared)
 * if the case file could not be read (known printed why).
 */
int attscan_receive(struct attscan *s, struct attscan_result *res);

/*
 * attscan_reset(s):
 * Wipe the held bytes and start an empty attachment, whether or not the
 * current one ended.
 */
void attscan_reset(struct attscan *s);

/* attscan_result_clear(res): free what res holds; res is then empty. */
void attscan_result_clear(struct attscan_result *res);

/* attscan_free(s): wipe and free s; NULL is a no-op. */
void attscan_free(struct attscan *s);

#endif
