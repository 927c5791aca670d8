/*
 * thumb: the preview an analyst sees first of an image that may be abusive
 * material: grey, small (THUMB_SIDE pixels on its longest side at most,
 * never enlarged) and strongly blurred, as moderation tools show by
 * default. Made by the sandboxed decoder (imgchild) from the pixels it
 * decoded; the parent only checks its size.
 */
#ifndef THUMB_H
#define THUMB_H

#include <stddef.h>
#include <stdint.h>

#define THUMB_SIDE 160
#define THUMB_BYTES (THUMB_SIDE * THUMB_SIDE)

/*
 * thumb_size(width, height, tw, th):
 * The size of the thumbnail of a width x height image (both at least 1):
 * the longest side min(THUMB_SIDE, that side), the other in proportion,
 * rounded, at least 1.
 */
void thumb_size(uint32_t width, uint32_t height, uint32_t *tw, uint32_t *th);

/*
 * thumb_make(rgb, width, height, out):
 * Write the thumbnail of the 8-bit RGB image (rows of 3 * width bytes, no
 * padding) to out: thumb_size's tw x th bytes of grey, row by row, each
 * the luminance of a 4 x 4 grid of samples over its part of the image,
 * then blurred by three box passes each way of radius about a 27th of the
 * longest side (6 pixels at 160: a Gaussian of sigma 6.5).
 */
void thumb_make(const uint8_t *rgb, uint32_t width, uint32_t height,
    uint8_t *out);

#endif
