/*
 * thumb: see thumb.h. The blur does the work: sampling a 4 x 4 grid per
 * thumbnail pixel (not every source pixel) keeps a 12-megapixel image's
 * thumbnail at 0.3 million reads, and what aliasing the grid leaves is
 * far finer than the blur's radius. Integer luminance (Rec. 601 weights,
 * as pdq uses) and integer running sums: the same bytes on every machine.
 */

#include "thumb.h"

#define GRID 4		/* samples per thumbnail pixel, each way */
#define PASSES 3	/* three boxes make a near-Gaussian */

void
thumb_size(uint32_t width, uint32_t height, uint32_t *tw, uint32_t *th)
{
	uint32_t longest = width > height ? width : height;
	uint32_t side = longest < THUMB_SIDE ? longest : THUMB_SIDE;
	uint64_t other = width > height ? height : width;

	other = (other * side + longest / 2) / longest;
	if (other == 0)
		other = 1;
	*tw = width > height ? side : (uint32_t)other;
	*th = width > height ? (uint32_t)other : side;
}

static uint32_t
luma(const uint8_t *p)
{
	return 299u * p[0] + 587u * p[1] + 114u * p[2];	/* x 1000 */
}

/*
 * Where the n * GRID samples along a side of the image fall (the centres
 * of as many equal parts of side pixels), each times unit: bytes from the
 * first pixel of a row, or from the first row.
 */
static void
positions(size_t *at, uint32_t n, uint32_t side, uint64_t unit)
{
	for (uint64_t k = 0; k < (uint64_t)n * GRID; k++)
		at[k] = (size_t)((k * 2 + 1) * side / (2 * GRID * (uint64_t)n) *
		    unit);
}

/* The mean luminance of a grid of samples: its rows' and columns' bytes. */
static uint8_t
sample(const uint8_t *rgb, const size_t *ys, const size_t *xs)
{
	uint64_t sum = 0;

	for (int j = 0; j < GRID; j++)
		for (int i = 0; i < GRID; i++)
			sum += luma(rgb + ys[j] + xs[i]);
	return (uint8_t)((sum + GRID * GRID * 500) / (GRID * GRID * 1000));
}

/*
 * One box pass of radius r over n values step apart, edges repeated:
 * tmp holds a copy of the line.
 */
static void
box(uint8_t *v, size_t n, size_t step, uint32_t r, uint8_t *tmp)
{
	uint32_t sum = 0, win = 2 * r + 1;

	for (size_t i = 0; i < n; i++)
		tmp[i] = v[i * step];
	for (int64_t k = -(int64_t)r; k <= (int64_t)r; k++)
		sum += tmp[k < 0 ? 0 : (size_t)k < n ? (size_t)k : n - 1];
	for (size_t i = 0; i < n; i++) {
		size_t in = i + r + 1 < n ? i + r + 1 : n - 1;
		size_t out = i < r ? 0 : i - r;

		v[i * step] = (uint8_t)((sum + win / 2) / win);
		sum += tmp[in];
		sum -= tmp[out];
	}
}

void
thumb_make(const uint8_t *rgb, uint32_t width, uint32_t height,
    uint8_t *out)
{
	size_t xs[THUMB_SIDE * GRID], ys[THUMB_SIDE * GRID];
	uint8_t tmp[THUMB_SIDE];
	uint32_t tw, th, r;

	thumb_size(width, height, &tw, &th);
	positions(xs, tw, width, 3);
	positions(ys, th, height, (uint64_t)width * 3);
	for (uint32_t ty = 0; ty < th; ty++)
		for (uint32_t tx = 0; tx < tw; tx++)
			out[ty * tw + tx] = sample(rgb, ys + GRID * ty,
			    xs + GRID * tx);
	r = ((tw > th ? tw : th) + 26) / 27;
	for (int pass = 0; pass < PASSES; pass++) {
		for (uint32_t y = 0; y < th; y++)
			box(out + y * tw, tw, 1, r, tmp);
		for (uint32_t x = 0; x < tw; x++)
			box(out + x, th, tw, r, tmp);
	}
}
