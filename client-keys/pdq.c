/*
 * pdq: see pdq.h. The steps, as Meta's description and reference give them:
 *
 *   0. an image over 512 pixels on a side is first resampled to 512x512,
 *      nearest neighbour (source pixel floor(x * width / 512)), as the
 *      reference's hasher does with CImg before anything else;
 *   1. luminance Y = 0.299 R + 0.587 G + 0.114 B, in float;
 *   2. a Jarosz filter (two box filters per axis make a tent): a box along
 *      the rows of window ceil(width / 128), one along the columns of
 *      window ceil(height / 128), and again both. Each output is the mean
 *      of the window's part inside the image, the window reaching
 *      (window + 2) / 2 - 1 pixels forward and the rest back;
 *   3. decimation to 64x64: the filtered pixel at the centre of each of 64
 *      equal bands of rows and of columns (a 64x64 image is not filtered);
 *   4. quality: |difference| * 100 / 255 (truncated) summed over every
 *      pair of neighbours of the 64x64 image, divided by 90, at most 100;
 *   5. DCT-II coefficients 1..16 x 1..16 of the 64x64 image through the
 *      16x64 matrix sqrt(2/64) cos(pi/128 (i+1)(2j+1));
 *   6. a bit per coefficient: set if it is above the median (the 128th
 *      smallest of the 256).
 *
 * The floats are added in the reference's order (the box filters as running
 * sums that add the entering pixel before subtracting the leaving one, the
 * matrix products over k in order) so that they round alike and borderline
 * coefficients fall on the same side of the median: on the vectors of
 * tests/vectors/pdq-reference.txt the bits are the reference's, all 256.
 * Step 0 is why: without it, 600x400 and 800x300 images came out 62 and 18
 * bits away from the reference's hashes.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "encode.h"
#include "pdq.h"

#define SAMPLE_SIDE 512	/* larger images are resampled to this square */
#define DIM 64		/* the decimated image */
#define NCOEF 16	/* DCT coefficients kept per axis */
#define MIN_SIDE 5	/* the reference's smallest hashable side */

/*
 * Luminance of the w x h image resampled (nearest) to ow x oh (each at
 * most SAMPLE_SIDE), into out; each column's offset worked out once.
 */
static void
luma(const uint8_t *rgb, size_t stride, size_t w, size_t h, float *out,
    size_t ow, size_t oh)
{
	size_t col[SAMPLE_SIDE];

	for (size_t x = 0; x < ow; x++)
		col[x] = x * w / ow * 3;
	for (size_t y = 0; y < oh; y++) {
		const uint8_t *row = rgb + y * h / oh * stride;

		for (size_t x = 0; x < ow; x++) {
			const uint8_t *p = row + col[x];

			*out++ = 0.299f * (float)p[0] + 0.587f * (float)p[1] +
			    0.114f * (float)p[2];
		}
	}
}

/*
 * box(in, out, n, step, lanes, win):
 * Box filters of window win along n >= win positions step floats apart,
 * for lanes <= SAMPLE_SIDE neighbouring floats at once: out[i] is the mean
 * of in[i - back .. i + half - 1] (what of it exists), half = (win + 2) / 2,
 * back = win - half, as one running sum per lane. A whole row of lanes at
 * a time for the column box reads memory in order: column by column, the
 * 2 KB stride of a 512-wide plane made a hash 5 ms instead of 1.4.
 */
static void
box(const float *in, float *out, size_t n, size_t step, size_t lanes,
    size_t win)
{
	size_t half = (win + 2) / 2, back = win - half, count = 0;
	float sum[SAMPLE_SIDE];

	memset(sum, 0, lanes * sizeof(float));
	for (size_t i = 0; i + 1 < half; i++, count++)
		for (size_t l = 0; l < lanes; l++)
			sum[l] += in[i * step + l];
	for (size_t i = 0; i < n; i++) {
		if (i + half - 1 < n) {
			for (size_t l = 0; l < lanes; l++)
				sum[l] += in[(i + half - 1) * step + l];
			count++;
		}
		if (i > back) {
			for (size_t l = 0; l < lanes; l++)
				sum[l] -= in[(i - back - 1) * step + l];
			count--;
		}
		for (size_t l = 0; l < lanes; l++)
			out[i * step + l] = sum[l] / (float)count;
	}
	sodium_memzero(sum, lanes * sizeof(float));
}

/* The window of a box filter along a side: ceil(side / 128). */
static size_t
window_for(size_t side)
{
	return (side + 2 * DIM - 1) / (2 * DIM);
}

/* The w x h plane in, transposed into out (h x w), in tiles of 16. */
static void
transpose(const float *in, float *out, size_t w, size_t h)
{
	for (size_t y0 = 0; y0 < h; y0 += 16)
		for (size_t x0 = 0; x0 < w; x0 += 16)
			for (size_t y = y0; y < y0 + 16 && y < h; y++)
				for (size_t x = x0; x < x0 + 16 && x < w; x++)
					out[x * h + y] = in[y * w + x];
}

/*
 * The Jarosz filter of the w x h plane a, with b as scratch. The box
 * along the rows is the box along the columns of the plane transposed:
 * each output the same sums in the same order, but all rows at once
 * instead of one running sum at a time (a 640x480 image's hash: 1.3 ms,
 * then 1.1; 0.9 once luma no longer divided for every pixel).
 */
static void
jarosz(float *a, float *b, size_t w, size_t h)
{
	size_t win_x = window_for(w), win_y = window_for(h);

	for (int pass = 0; pass < 2; pass++) {
		transpose(a, b, w, h);
		box(b, a, w, h, h, win_x);
		transpose(a, b, h, w);
		box(b, a, h, w, w, win_y);
	}
}

/* The centre of band i of DIM over side pixels. */
static size_t
band_centre(size_t i, size_t side)
{
	return (2 * i + 1) * side / (2 * DIM);
}

/*
 * The 64x64 image of the w x h one into out: resampled, luminance,
 * filtered, decimated. -1 if memory is short.
 */
static int
downsample(const uint8_t *rgb, size_t stride, size_t w, size_t h,
    float out[DIM][DIM])
{
	size_t ow = w, oh = h, n;
	float *a;

	if (w > SAMPLE_SIDE || h > SAMPLE_SIDE)
		ow = oh = SAMPLE_SIDE;
	n = ow * oh;
	if ((a = malloc(2 * n * sizeof(float))) == NULL)
		return -1;
	luma(rgb, stride, w, h, a, ow, oh);
	if (ow != DIM || oh != DIM)
		jarosz(a, a + n, ow, oh);
	for (size_t i = 0; i < DIM; i++)
		for (size_t j = 0; j < DIM; j++)
			out[i][j] = a[band_centre(i, oh) * ow +
			    band_centre(j, ow)];
	sodium_memzero(a, 2 * n * sizeof(float));
	free(a);
	return 0;
}

/*
 * The quality score: significant gradients of the 64x64 image. The
 * reference truncates each scaled difference to an integer.
 */
static int
quality_of(float a[DIM][DIM])
{
	long sum = 0;

	for (size_t i = 0; i < DIM; i++)
		for (size_t j = 0; j < DIM; j++) {
			if (i + 1 < DIM)
				sum += labs((long)((a[i][j] - a[i + 1][j]) *
				    100.0f / 255.0f));
			if (j + 1 < DIM)
				sum += labs((long)((a[i][j] - a[i][j + 1]) *
				    100.0f / 255.0f));
		}
	return sum / 90 > 100 ? 100 : (int)(sum / 90);
}

static void
dct_matrix(float d[NCOEF][DIM])
{
	const float scale = (float)sqrt(2.0 / DIM);
	const double pi = 3.14159265358979323846;

	for (size_t i = 0; i < NCOEF; i++)
		for (size_t j = 0; j < DIM; j++)
			d[i][j] = (float)(scale * cos(pi / 2.0 / DIM *
			    (double)(i + 1) * (double)(2 * j + 1)));
}

/* b = D a D^T, each sum over k in order, as the reference adds them. */
static void
dct(float a[DIM][DIM], float b[NCOEF][NCOEF])
{
	float d[NCOEF][DIM], t[NCOEF][DIM] = { { 0 } };

	dct_matrix(d);
	for (size_t i = 0; i < NCOEF; i++)
		for (size_t k = 0; k < DIM; k++)
			for (size_t j = 0; j < DIM; j++)
				t[i][j] += d[i][k] * a[k][j];
	for (size_t i = 0; i < NCOEF; i++)
		for (size_t j = 0; j < NCOEF; j++) {
			float s = 0.0f;

			for (size_t k = 0; k < DIM; k++)
				s += t[i][k] * d[j][k];
			b[i][j] = s;
		}
	sodium_memzero(t, sizeof(t));
}

static int
cmp_float(const void *pa, const void *pb)
{
	float a = *(const float *)pa, b = *(const float *)pb;

	return (a > b) - (a < b);
}

static void
bits_of(float b[NCOEF][NCOEF], struct pdq_hash *hash)
{
	float sorted[NCOEF * NCOEF], median;

	memcpy(sorted, b, sizeof(sorted));
	qsort(sorted, NCOEF * NCOEF, sizeof(float), cmp_float);
	median = sorted[NCOEF * NCOEF / 2 - 1];
	memset(hash, 0, sizeof(*hash));
	for (size_t i = 0; i < NCOEF; i++)
		for (size_t j = 0; j < NCOEF; j++)
			if (b[i][j] > median)
				hash->b[2 * (NCOEF - 1 - i) + (j < 8)] |=
				    (uint8_t)(1u << (j % 8));
	sodium_memzero(sorted, sizeof(sorted));
}

int
pdq_hash_rgb(const uint8_t *rgb, size_t width, size_t height, size_t stride,
    struct pdq_hash *hash, int *quality)
{
	float a[DIM][DIM], b[NCOEF][NCOEF];

	if (width > PDQ_SIDE_MAX || height > PDQ_SIDE_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (stride / 3 < width) {
		errno = EINVAL;
		return -1;
	}
	memset(hash, 0, sizeof(*hash));
	*quality = 0;
	if (width < MIN_SIDE || height < MIN_SIDE)
		return 0;
	if (downsample(rgb, stride, width, height, a) != 0) {
		errno = ENOMEM;
		return -1;
	}
	*quality = quality_of(a);
	dct(a, b);
	bits_of(b, hash);
	sodium_memzero(a, sizeof(a));
	sodium_memzero(b, sizeof(b));
	return 0;
}

int
pdq_distance(const struct pdq_hash *a, const struct pdq_hash *b)
{
	int n = 0;

	for (size_t i = 0; i < PDQ_HASH_BYTES; i += 8) {
		uint64_t x, y;

		memcpy(&x, a->b + i, 8);
		memcpy(&y, b->b + i, 8);
		n += __builtin_popcountll(x ^ y);
	}
	return n;
}

void
pdq_format(char out[PDQ_HEX_LEN + 1], const struct pdq_hash *hash)
{
	encode_hex(out, hash->b, PDQ_HASH_BYTES);
}

int
pdq_parse(struct pdq_hash *hash, const char *text, size_t len)
{
	uint8_t b[PDQ_HASH_BYTES];

	if (decode_hex(b, sizeof(b), text, len) != 0)
		return -1;
	memcpy(hash->b, b, sizeof(b));
	return 0;
}
