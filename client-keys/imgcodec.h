/*
 * imgcodec: JPEG (libjpeg-turbo), PNG (libpng), WebP (libwebp, the first
 * frame of an animation) and GIF (giflib, the first frame) decoded to 8-bit
 * RGB. Run only inside the sandboxed decoder (imgchild): these libraries
 * parse hostile bytes, and their bugs are why that child exists. Every
 * size is checked against the caller's pixel budget from the header the
 * library reads, before the pixels are allocated. Nothing is printed: the
 * libraries' messages become the reason for a refusal.
 */
#ifndef IMGCODEC_H
#define IMGCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "sniff.h"

/* Room for a reason, its NUL included. */
#define IMGCODEC_WHY_SIZE 160

/* A decoded image: rows of 3 * width bytes, no padding; free(rgb). */
struct imgcodec_image {
	uint8_t *rgb;
	uint32_t width;
	uint32_t height;
};

/*
 * imgcodec_check_size(width, height, pixels_max, why):
 * Return 0 if a width x height image may be decoded (both sides 1 ..
 * PDQ_SIDE_MAX, at most pixels_max pixels), else -1 with the reason in
 * why (IMGCODEC_WHY_SIZE bytes).
 */
int imgcodec_check_size(uint64_t width, uint64_t height, uint64_t pixels_max,
    char *why);

/*
 * imgcodec_decode(kind, data, len, pixels_max, img, why):
 * Decode the image data[0..len) of kind (not SNIFF_NOT_IMAGE). Return 0
 * with img set, or -1 with the reason in why (IMGCODEC_WHY_SIZE bytes):
 * a size imgcodec_check_size refuses, a library's error, a truncated
 * file (libjpeg's "premature end", which it would fill with grey), memory
 * short. Not reentrant (the JPEG decoder's state is static): one call at
 * a time, as the child makes.
 */
int imgcodec_decode(enum sniff_image kind, const uint8_t *data, size_t len,
    uint64_t pixels_max, struct imgcodec_image *img, char *why);

#endif
