/*
 * imgcodec: see imgcodec.h. Each decoder reads its header, checks the
 * size, allocates width x height x 3 bytes and decodes into them:
 *   JPEG  libjpeg-turbo from memory, grey and YCbCr as RGB, CMYK and YCCK
 *         as CMYK made RGB (Adobe's inverted convention, which is what
 *         Photoshop and ImageMagick write); a premature end refused;
 *   PNG   libpng's transformations to 8-bit RGB: palettes expanded, grey
 *         made RGB, 16-bit samples scaled, alpha and tRNS dropped (as
 *         Meta's reference hasher reads the colour channels; libpng's
 *         simplified API would apply gamma and move pixels by one step,
 *         two bits of PDQ on an interlaced 16-bit image);
 *   WebP  a still image decoded to RGB (alpha dropped), an animation's
 *         first frame through WebPAnimDecoder (RGBA, alpha dropped);
 *   GIF   the logical screen filled with the background colour, the first
 *         frame drawn on it in place (transparent pixels left, interlaced
 *         rows put back in order, the frame clipped to the screen).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include "imgcodec.h"
#include "pdq.h"

int
imgcodec_check_size(uint64_t width, uint64_t height, uint64_t pixels_max,
    char *why)
{
	if (width == 0 || height == 0) {
		snprintf(why, IMGCODEC_WHY_SIZE, "the image is empty (%llux%llu)",
		    (unsigned long long)width, (unsigned long long)height);
		return -1;
	}
	if (width > PDQ_SIDE_MAX || height > PDQ_SIDE_MAX ||
	    width * height > pixels_max) {
		snprintf(why, IMGCODEC_WHY_SIZE,
		    "%llux%llu is over the limit of %llu pixels",
		    (unsigned long long)width, (unsigned long long)height,
		    (unsigned long long)pixels_max);
		return -1;
	}
	return 0;
}

/* Check the size and allocate the RGB pixels (uninitialised). */
static int
alloc_image(struct imgcodec_image *img, uint64_t width, uint64_t height,
    uint64_t pixels_max, char *why)
{
	if (imgcodec_check_size(width, height, pixels_max, why) != 0)
		return -1;
	if ((img->rgb = malloc(width * height * 3)) == NULL) {
		snprintf(why, IMGCODEC_WHY_SIZE,
		    "out of memory for %llux%llu pixels",
		    (unsigned long long)width, (unsigned long long)height);
		return -1;
	}
	img->width = (uint32_t)width;
	img->height = (uint32_t)height;
	return 0;
}

/* The encoded bytes, read in order by PNG's and GIF's callbacks. */
struct memin {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

/* Copy n pixels of 4 bytes to 3, dropping the fourth. */
static void
drop_alpha(uint8_t *rgb, const uint8_t *rgba, size_t n)
{
	for (size_t i = 0; i < n; i++, rgb += 3, rgba += 4)
		memcpy(rgb, rgba, 3);
}

/* --- JPEG --------------------------------------------------------------- */

/* libjpeg's error exits longjmp here; static, so nothing is clobbered. */
static struct jpeg_state {
	struct jpeg_decompress_struct d;
	struct jpeg_error_mgr err;
	jmp_buf jump;
	int truncated;
	uint8_t *cmyk;
	char *why;
} js;

static void
jpeg_error_exit(j_common_ptr c)
{
	char msg[JMSG_LENGTH_MAX];

	c->err->format_message(c, msg);
	snprintf(js.why, IMGCODEC_WHY_SIZE, "JPEG: %.150s", msg);
	longjmp(js.jump, 1);
}

/* Warnings are not printed; a premature end is remembered. */
static void
jpeg_emit(j_common_ptr c, int level)
{
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF)
		js.truncated = 1;
}

/* Inverted CMYK (Adobe) to RGB: R = C * K / 255. */
static void
cmyk_row(uint8_t *rgb, const uint8_t *cmyk, size_t n)
{
	for (size_t i = 0; i < n; i++, rgb += 3, cmyk += 4)
		for (int c = 0; c < 3; c++)
			rgb[c] = (uint8_t)((cmyk[c] * cmyk[3] + 127) / 255);
}

static void
jpeg_rows(struct imgcodec_image *img)
{
	struct jpeg_decompress_struct *d = &js.d;

	while (d->output_scanline < d->output_height) {
		uint8_t *row = img->rgb + (size_t)d->output_scanline * 3 *
		    img->width;
		JSAMPROW out = js.cmyk != NULL ? js.cmyk : row;

		jpeg_read_scanlines(d, &out, 1);
		if (js.cmyk != NULL)
			cmyk_row(row, js.cmyk, img->width);
	}
}

static int
jpeg_decode(const uint8_t *data, size_t len, uint64_t pixels_max,
    struct imgcodec_image *img, char *why)
{
	struct jpeg_decompress_struct *d = &js.d;

	memset(&js, 0, sizeof(js));
	js.why = why;
	d->err = jpeg_std_error(&js.err);
	js.err.error_exit = jpeg_error_exit;
	js.err.emit_message = jpeg_emit;
	if (setjmp(js.jump) != 0)
		goto err;
	jpeg_create_decompress(d);
	jpeg_mem_src(d, data, (unsigned long)len);
	jpeg_read_header(d, TRUE);
	if (alloc_image(img, d->image_width, d->image_height, pixels_max,
	    why) != 0)
		goto err;
	if (d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK) {
		d->out_color_space = JCS_CMYK;
		if ((js.cmyk = malloc((size_t)4 * img->width)) == NULL)
			ERREXIT(d, JERR_OUT_OF_MEMORY);
	} else
		d->out_color_space = JCS_RGB;
	jpeg_start_decompress(d);
	jpeg_rows(img);
	jpeg_finish_decompress(d);
	if (js.truncated) {
		snprintf(why, IMGCODEC_WHY_SIZE, "JPEG: the file is truncated");
		goto err;
	}
	jpeg_destroy_decompress(d);
	free(js.cmyk);
	return 0;
err:
	jpeg_destroy_decompress(d);
	free(js.cmyk);
	free(img->rgb);
	img->rgb = NULL;
	return -1;
}

/* --- PNG ---------------------------------------------------------------- */

/* libpng's errors longjmp here; static, so nothing is clobbered. */
static struct png_state {
	png_structp png;
	png_infop info;
	png_bytep *rows;
	struct memin in;
	char *why;
} ps;

static void
png_error_fn(png_structp png, png_const_charp msg)
{
	snprintf(ps.why, IMGCODEC_WHY_SIZE, "PNG: %.150s", msg);
	png_longjmp(png, 1);
}

static void
png_warning_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
png_read_mem(png_structp png, png_bytep out, size_t n)
{
	struct memin *m = png_get_io_ptr(png);

	if (n > m->len - m->pos)
		png_error(png, "the file is truncated");
	memcpy(out, m->p + m->pos, n);
	m->pos += n;
}

/* Ask libpng for 8-bit RGB rows: no alpha, no gamma, whole rows. */
static void
png_to_rgb(png_structp png, png_infop info)
{
	int colour = png_get_color_type(png, info);

	if (png_get_bit_depth(png, info) == 16)
		png_set_scale_16(png);
	if (colour == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if ((colour & PNG_COLOR_MASK_COLOR) == 0) {
		png_set_expand_gray_1_2_4_to_8(png);
		png_set_gray_to_rgb(png);
	}
	if (colour & PNG_COLOR_MASK_ALPHA)
		png_set_strip_alpha(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != (size_t)3 *
	    png_get_image_width(png, info))
		png_error(png, "rows that are not 8-bit RGB");
}

static int
png_decode(const uint8_t *data, size_t len, uint64_t pixels_max,
    struct imgcodec_image *img, char *why)
{
	memset(&ps, 0, sizeof(ps));
	ps.why = why;
	ps.in = (struct memin){ data, len, 0 };
	snprintf(why, IMGCODEC_WHY_SIZE, "out of memory");
	if ((ps.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL,
	    png_error_fn, png_warning_fn)) == NULL ||
	    (ps.info = png_create_info_struct(ps.png)) == NULL ||
	    setjmp(png_jmpbuf(ps.png)) != 0)
		goto err;
	png_set_read_fn(ps.png, &ps.in, png_read_mem);
	png_read_info(ps.png, ps.info);
	if (alloc_image(img, png_get_image_width(ps.png, ps.info),
	    png_get_image_height(ps.png, ps.info), pixels_max, why) != 0)
		goto err;
	png_to_rgb(ps.png, ps.info);
	if ((ps.rows = malloc(img->height * sizeof(*ps.rows))) == NULL)
		png_error(ps.png, "out of memory for the rows");
	for (uint32_t y = 0; y < img->height; y++)
		ps.rows[y] = img->rgb + (size_t)y * 3 * img->width;
	png_read_image(ps.png, ps.rows);
	png_read_end(ps.png, NULL);
	png_destroy_read_struct(&ps.png, &ps.info, NULL);
	free(ps.rows);
	return 0;
err:
	png_destroy_read_struct(&ps.png, &ps.info, NULL);
	free(ps.rows);
	free(img->rgb);
	img->rgb = NULL;
	return -1;
}

/* --- WebP --------------------------------------------------------------- */

/* The first frame of an animation, composed on its canvas. */
static int
webp_first_frame(const uint8_t *data, size_t len, struct imgcodec_image *img)
{
	WebPAnimDecoderOptions o;
	WebPData in = { data, len };
	WebPAnimDecoder *dec;
	WebPAnimInfo info;
	uint8_t *rgba;
	int ts, rc = -1;

	if (!WebPAnimDecoderOptionsInit(&o))
		return -1;
	o.color_mode = MODE_RGBA;
	o.use_threads = 0;
	if ((dec = WebPAnimDecoderNew(&in, &o)) == NULL)
		return -1;
	if (WebPAnimDecoderGetInfo(dec, &info) &&
	    info.canvas_width == img->width &&
	    info.canvas_height == img->height &&
	    WebPAnimDecoderGetNext(dec, &rgba, &ts)) {
		drop_alpha(img->rgb, rgba, (size_t)img->width * img->height);
		rc = 0;
	}
	WebPAnimDecoderDelete(dec);
	return rc;
}

static int
webp_decode(const uint8_t *data, size_t len, uint64_t pixels_max,
    struct imgcodec_image *img, char *why)
{
	WebPBitstreamFeatures f;
	size_t size;
	int rc;

	if (WebPGetFeatures(data, len, &f) != VP8_STATUS_OK) {
		snprintf(why, IMGCODEC_WHY_SIZE, "WebP: a malformed header");
		return -1;
	}
	if (f.width <= 0 || f.height <= 0)
		return imgcodec_check_size(0, 0, pixels_max, why);
	if (alloc_image(img, (uint64_t)f.width, (uint64_t)f.height, pixels_max,
	    why) != 0)
		return -1;
	size = (size_t)img->width * img->height * 3;
	if (f.has_animation)
		rc = webp_first_frame(data, len, img);
	else
		rc = WebPDecodeRGBInto(data, len, img->rgb, size,
		    (int)(3 * img->width)) != NULL ? 0 : -1;
	if (rc != 0) {
		snprintf(why, IMGCODEC_WHY_SIZE,
		    "WebP: the image data is corrupt or truncated");
		free(img->rgb);
		img->rgb = NULL;
	}
	return rc;
}

/* --- GIF ---------------------------------------------------------------- */

static int
gif_read(GifFileType *g, GifByteType *buf, int n)
{
	struct memin *m = g->UserData;
	size_t k = m->len - m->pos < (size_t)n ? m->len - m->pos : (size_t)n;

	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (int)k;
}

/* The transparent index a graphic control extension sets, or -1. */
static int
gif_extension(GifFileType *g, int *transparent)
{
	GifByteType *ext;
	int code;

	if (DGifGetExtension(g, &code, &ext) != GIF_OK)
		return -1;
	if (code == GRAPHICS_EXT_FUNC_CODE && ext != NULL && ext[0] >= 4)
		*transparent = (ext[1] & 1) ? ext[4] : -1;
	while (ext != NULL)
		if (DGifGetExtensionNext(g, &ext) != GIF_OK)
			return -1;
	return 0;
}

/* Row r of an interlaced frame of height h, in the order it is stored. */
static int
gif_interlaced_row(int r, int h)
{
	static const int start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };

	for (int pass = 0; pass < 4; pass++) {
		int n = (h - start[pass] + step[pass] - 1) / step[pass];

		if (n < 0)
			n = 0;
		if (r < n)
			return start[pass] + r * step[pass];
		r -= n;
	}
	return -1;
}

/* One stored row of the frame onto the screen; -1 on a bad index. */
static int
gif_put_row(struct imgcodec_image *img, const GifImageDesc *f,
    const ColorMapObject *map, const GifByteType *line, int y, int transparent)
{
	if (y < 0 || (uint32_t)y >= img->height)
		return 0;
	for (int x = 0; x < f->Width; x++) {
		uint32_t sx = (uint32_t)(f->Left + x);

		if (line[x] == transparent || sx >= img->width)
			continue;
		if (line[x] >= map->ColorCount)
			return -1;
		memcpy(img->rgb + ((size_t)y * img->width + sx) * 3,
		    &map->Colors[line[x]], 3);
	}
	return 0;
}

/* The frame whose descriptor was just read, drawn on the screen. */
static int
gif_frame(GifFileType *g, struct imgcodec_image *img, int transparent,
    uint64_t pixels_max, char *why)
{
	const GifImageDesc *f = &g->Image;
	const ColorMapObject *map = f->ColorMap ? f->ColorMap : g->SColorMap;
	GifByteType *line;
	int rc = 0;

	if (imgcodec_check_size((uint64_t)f->Width, (uint64_t)f->Height,
	    pixels_max, why) != 0)
		return -1;
	if (map == NULL || (line = malloc((size_t)f->Width)) == NULL) {
		snprintf(why, IMGCODEC_WHY_SIZE, map == NULL ?
		    "GIF: a frame without a colour map" : "out of memory");
		return -1;
	}
	for (int r = 0; r < f->Height && rc == 0; r++) {
		int row = f->Interlace ? gif_interlaced_row(r, f->Height) : r;

		if (DGifGetLine(g, line, f->Width) != GIF_OK)
			rc = -2;
		else if (gif_put_row(img, f, map, line, f->Top + row,
		    transparent) != 0)
			rc = -1;
	}
	free(line);
	if (rc == -1)
		snprintf(why, IMGCODEC_WHY_SIZE,
		    "GIF: a pixel outside its colour map");
	else if (rc == -2)
		snprintf(why, IMGCODEC_WHY_SIZE, "GIF: %s",
		    GifErrorString(g->Error));
	return rc == 0 ? 0 : -1;
}

/* Fill the screen with the background colour (black without one). */
static void
gif_background(GifFileType *g, struct imgcodec_image *img)
{
	uint8_t c[3] = { 0, 0, 0 };
	size_t n = (size_t)img->width * img->height;

	if (g->SColorMap != NULL && g->SBackGroundColor < g->SColorMap->ColorCount)
		memcpy(c, &g->SColorMap->Colors[g->SBackGroundColor], 3);
	for (size_t i = 0; i < n; i++)
		memcpy(img->rgb + 3 * i, c, 3);
}

/* Records up to the first image descriptor, then that frame. */
static int
gif_records(GifFileType *g, struct imgcodec_image *img, uint64_t pixels_max,
    char *why)
{
	GifRecordType type;
	int transparent = -1;

	for (;;) {
		if (DGifGetRecordType(g, &type) != GIF_OK)
			break;
		if (type == EXTENSION_RECORD_TYPE) {
			if (gif_extension(g, &transparent) != 0)
				break;
		} else if (type == IMAGE_DESC_RECORD_TYPE) {
			if (DGifGetImageDesc(g) != GIF_OK)
				break;
			return gif_frame(g, img, transparent, pixels_max, why);
		} else {
			snprintf(why, IMGCODEC_WHY_SIZE, "GIF: no image");
			return -1;
		}
	}
	snprintf(why, IMGCODEC_WHY_SIZE, "GIF: %s", GifErrorString(g->Error));
	return -1;
}

static int
gif_decode(const uint8_t *data, size_t len, uint64_t pixels_max,
    struct imgcodec_image *img, char *why)
{
	struct memin in = { data, len, 0 };
	GifFileType *g;
	int err, rc = -1;

	if ((g = DGifOpen(&in, gif_read, &err)) == NULL) {
		snprintf(why, IMGCODEC_WHY_SIZE, "GIF: %s", GifErrorString(err));
		return -1;
	}
	if (alloc_image(img, (uint64_t)g->SWidth, (uint64_t)g->SHeight,
	    pixels_max, why) == 0) {
		gif_background(g, img);
		if ((rc = gif_records(g, img, pixels_max, why)) != 0) {
			free(img->rgb);
			img->rgb = NULL;
		}
	}
	DGifCloseFile(g, &err);
	return rc;
}

int
imgcodec_decode(enum sniff_image kind, const uint8_t *data, size_t len,
    uint64_t pixels_max, struct imgcodec_image *img, char *why)
{
	img->rgb = NULL;
	switch (kind) {
	case SNIFF_JPEG:
		return jpeg_decode(data, len, pixels_max, img, why);
	case SNIFF_PNG:
		return png_decode(data, len, pixels_max, img, why);
	case SNIFF_WEBP:
		return webp_decode(data, len, pixels_max, img, why);
	case SNIFF_GIF:
		return gif_decode(data, len, pixels_max, img, why);
	default:
		snprintf(why, IMGCODEC_WHY_SIZE, "not an image that is decoded");
		return -1;
	}
}
