/*
 * Hashing for the daemons' tables (open addressing and chains): a full
 * 64-bit mix, so the low bits (the slot) and the high ones (a tag) each
 * depend on every input bit, and FNV-1a over bytes to feed it. Keys that
 * differ only in their last bytes (route targets, prefixes, interface
 * names) would otherwise share slots.
 */
#ifndef FERRY_COMMON_HASH_H
#define FERRY_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_OFFSET 0xcbf29ce484222325ull

/* MurmurHash3's 64-bit finalizer. */
static inline uint64_t hash_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	return k ^ (k >> 33);
}

/* FNV-1a over len bytes at p, from h (HASH_FNV_OFFSET to start). Not mixed. */
static inline uint64_t hash_fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/*
 * The quiet-time shrink of a table of size slots (or buckets) holding n:
 * under 1/8 full and above min, the smallest power of two from min up
 * with room for per slots an entry (so it stays far from growing again);
 * else 0, nothing to do.
 */
static inline size_t hash_shrink_size(size_t size, size_t n, size_t min, size_t per)
{
	size_t to = min;

	if (size <= min || n * 8 >= size)
		return 0;
	while (to < n * per)
		to *= 2;
	return to;
}

#endif
