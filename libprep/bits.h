/*
 * bits.h: 64-bit masks of a block of input, one bit per byte (bit i for
 * byte i), as the scans of csv.c (its records) and par.c (the cuts)
 * make them.
 */
#ifndef PREP_BITS_H
#define PREP_BITS_H

#include <stdint.h>

/* The bits set in x: inline where the target has no popcount
 * instruction (libgcc's is a call, a table lookup per byte). */
static inline unsigned long
prep_bits_set(uint64_t x)
{
#ifdef __POPCNT__
	return (unsigned long)__builtin_popcountll(x);
#else
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned long)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/*
 * Bit i: the xor of bits 0..i of x. Of a block's quotes, the bytes inside
 * quotes (an opening quote's bit set, a closing one's clear), when the
 * block begins outside them.
 */
static inline uint64_t
prep_prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

#endif
