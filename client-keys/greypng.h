/*
 * greypng: the contact sheet's pictures as files. The pixels are the
 * sandboxed decoder's thumbnail (thumb.h: grey, blurred, at most
 * THUMB_SIDE on a side), which the analyst's tool only writes, never
 * decodes: an 8-bit greyscale PNG (one channel, so no colour of the
 * original can be in it) with no ancillary chunk, through libpng. An
 * attachment's own page shows the thumbnail enlarged, which adds no
 * detail: each pixel is interpolated between four of the thumbnail's.
 */
#ifndef GREYPNG_H
#define GREYPNG_H

#include <stdint.h>

/* How much an attachment's page enlarges a thumbnail, each way. */
#define GREYPNG_ENLARGE 3

/*
 * greypng_write(dirfd, name, px, w, h):
 * Write the w x h grey pixels px (rows of w bytes) as the new PNG file
 * name in the directory dirfd (mode 0600, never over an existing file or
 * through a link). Return 0, or -1 with errno set (EIO: libpng's error);
 * a file begun is removed.
 */
int greypng_write(int dirfd, const char *name, const uint8_t *px, uint32_t w,
    uint32_t h);

/*
 * greypng_enlarge(in, w, h, out):
 * Write in (w x h grey) enlarged GREYPNG_ENLARGE times each way to out
 * (w * h * GREYPNG_ENLARGE^2 bytes), by bilinear interpolation between
 * the centres of in's pixels (edges repeated).
 */
void greypng_enlarge(const uint8_t *in, uint32_t w, uint32_t h, uint8_t *out);

#endif
