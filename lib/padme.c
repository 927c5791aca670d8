/*
 * padme: envelope sizes (see envelope.h). Padmé is from Nikitin et al.,
 * "Reducing Metadata Leakage from Encrypted Files and Communication with
 * PURBs" (PETS 2019): keep the top floor(log2(E))+1 bits of the length's
 * exponent E's worth of mantissa, zero the rest by rounding up.
 */
#include "envelope.h"

static unsigned
floor_log2(uint64_t v)
{
	unsigned n = 0;

	while (v >>= 1)
		n++;
	return n;
}

uint64_t
envelope_padded_size(uint64_t len)
{
	unsigned e, s, zero_bits;
	uint64_t mask;

	if (len < 2)
		return len;
	e = floor_log2(len);
	s = floor_log2(e) + 1;
	zero_bits = e - s;
	mask = (1ULL << zero_bits) - 1;
	return (len + mask) & ~mask;
}

uint64_t
envelope_sealed_size(uint64_t padded, size_t nslots)
{
	uint64_t chunks = (padded + ENVELOPE_CHUNK - 1) / ENVELOPE_CHUNK;

	return ENVELOPE_HEADER_BYTES(nslots) + padded +
	    chunks * ENVELOPE_CHUNK_OVERHEAD;
}
