/*
 * greypng: see greypng.h. libpng's errors jump back to write_png, which
 * leaves nothing it allocated; the file is then unlinked.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>

#include <png.h>

#include "greypng.h"

#define K GREYPNG_ENLARGE

/* libpng prints nothing: the caller says which file failed. */
static void
png_error_fn(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void
png_warning_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Write the PNG to f; 0 or -1. */
static int
write_png(FILE *f, const uint8_t *px, uint32_t w, uint32_t h)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
	    png_error_fn, png_warning_fn);
	png_infop info = png != NULL ? png_create_info_struct(png) : NULL;

	if (info == NULL) {
		png_destroy_write_struct(&png, NULL);
		return -1;
	}
	if (setjmp(png_jmpbuf(png)) != 0) {
		png_destroy_write_struct(&png, &info);
		return -1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_GRAY,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (uint32_t y = 0; y < h; y++)
		png_write_row(png, px + (size_t)y * w);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int
greypng_write(int dirfd, const char *name, const uint8_t *px, uint32_t w,
    uint32_t h)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600), saved;
	FILE *f;

	if (fd < 0)
		return -1;
	if ((f = fdopen(fd, "wb")) == NULL) {
		saved = errno;
		close(fd);
		goto err;
	}
	errno = EIO;
	if (write_png(f, px, w, h) != 0) {
		saved = errno;
		fclose(f);
		goto err;
	}
	if (fclose(f) != 0) {
		saved = errno;
		goto err;
	}
	return 0;
err:
	unlinkat(dirfd, name, 0);
	errno = saved;
	return -1;
}

/*
 * Output pixel i of a line enlarged K times lies at (2i + 1 - K) / 2K in
 * the input's pixel coordinates: the input pixel at or before it and its
 * weight out of 2K for the next one.
 */
static void
locate(uint32_t i, uint32_t n, uint32_t *at, uint32_t *next, uint32_t *wt)
{
	int64_t pos = 2 * (int64_t)i + 1 - K;

	if (pos < 0)
		pos = 0;
	*at = (uint32_t)(pos / (2 * K));
	*wt = (uint32_t)(pos % (2 * K));
	if (*at >= n - 1) {
		*at = n - 1;
		*wt = 0;
	}
	*next = *at + (*at < n - 1);
}

void
greypng_enlarge(const uint8_t *in, uint32_t w, uint32_t h, uint8_t *out)
{
	const uint32_t d = 2 * K;

	for (uint32_t y = 0; y < h * K; y++) {
		uint32_t y0, y1, wy;

		locate(y, h, &y0, &y1, &wy);
		for (uint32_t x = 0; x < w * K; x++) {
			const uint8_t *r0 = in + (size_t)y0 * w;
			const uint8_t *r1 = in + (size_t)y1 * w;
			uint32_t x0, x1, wx, top, bottom;

			locate(x, w, &x0, &x1, &wx);
			top = r0[x0] * (d - wx) + r0[x1] * wx;
			bottom = r1[x0] * (d - wx) + r1[x1] * wx;
			*out++ = (uint8_t)((top * (d - wy) + bottom * wy +
			    d * d / 2) / (d * d));
		}
	}
}
