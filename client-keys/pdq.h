/*
 * pdq: the PDQ perceptual hash (Meta, 2019) of an image already decoded to
 * 8-bit RGB pixels: 256 bits that stay within a few bits (Hamming distance)
 * of each other when an image is re-encoded, resized, turned grey or
 * slightly rotated, and a quality score 0..100 saying whether the image has
 * enough structure for its hash to mean anything (Meta discards hashes of
 * quality below 50 and calls hashes within 31 bits a match). Written from
 * Meta's description (facebook/ThreatExchange, hashing/hashing.pdf) to give
 * the bits its reference implementation gives on the same pixels.
 *
 * This module never parses a file: the caller decodes (in its sandbox) and
 * passes pixels. Like the reference's hasher, it first resamples an image
 * over 512 pixels on a side to 512x512 (nearest neighbour), so its time and
 * memory (two float planes of at most 512x512, wiped before they are freed:
 * they hold what is left of a possibly abusive image) do not grow with the
 * image. It refuses sides over PDQ_SIDE_MAX. An image under 5 pixels on a
 * side gets the all-zero hash and quality 0, as in the reference. A grey
 * image is passed as R = G = B (the reference reads a one-channel file's
 * value as its luminance: the same to within a float's rounding).
 */
#ifndef PDQ_H
#define PDQ_H

#include <stddef.h>
#include <stdint.h>

#define PDQ_HASH_BYTES 32
#define PDQ_HEX_LEN 64
/* JPEG's largest side; WebP's is 16383, GIF's 65535. */
#define PDQ_SIDE_MAX 65535
/* Meta's recommended thresholds. */
#define PDQ_QUALITY_MIN 50
#define PDQ_MATCH_DISTANCE 31

/*
 * The 256 bits in the order of their hex text: b[0] is the text's first two
 * digits. Bit (i, j) of the 16x16 DCT (row i, column j) is bit j % 8 of
 * b[2 * (15 - i) + (j < 8)], as the reference writes its sixteen 16-bit
 * words from the last.
 */
struct pdq_hash {
	uint8_t b[PDQ_HASH_BYTES];
};

/*
 * pdq_hash_rgb(rgb, width, height, stride, hash, quality):
 * Hash the image whose row y is the 3 * width bytes R, G, B, R, ... at
 * rgb + y * stride. Return 0 with hash and quality (0..100) set; -1 with
 * errno EINVAL (stride < 3 * width), EFBIG (a side over PDQ_SIDE_MAX) or
 * ENOMEM. Reports nothing: the caller does.
 */
int pdq_hash_rgb(const uint8_t *rgb, size_t width, size_t height,
    size_t stride, struct pdq_hash *hash, int *quality);

/* pdq_distance(a, b): the number of bits in which a and b differ, 0..256. */
int pdq_distance(const struct pdq_hash *a, const struct pdq_hash *b);

/* pdq_format(out, hash): the 64 lowercase hex digits of hash and a NUL. */
void pdq_format(char out[PDQ_HEX_LEN + 1], const struct pdq_hash *hash);

/*
 * pdq_parse(hash, text, len):
 * Read exactly 64 hex digits (either case; nothing else, no white space)
 * from text[0..len). Return 0, or -1 with hash untouched.
 */
int pdq_parse(struct pdq_hash *hash, const char *text, size_t len);

#endif
