/*
 * Lookup nodes of the LPM (see lpm_node.h): building a range node from the
 * cut points lpm.c computes, and the lock-free lookups, one at a time or a
 * batch at once. In the batch, every lookup advances one cache line per
 * round and prefetches its next line, so a batch of 64 keeps dozens of misses
 * in flight instead of one: on tables far larger than the caches that is
 * where the time goes (DRAM latency, not instructions).
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fwd/lpm_node.h"

#define BIAS 0x80000000u /* unsigned order as signed: SSE2 compares are signed */
#define BATCH_MAX 256

static uint32_t round16(uint32_t n)
{
	return (n + 15) & ~15u;
}

/* Copies n keys (biased) and pads to a multiple of 16 with the last one. */
static void put_keys(int32_t *dst, const uint32_t *src, uint32_t n, uint32_t stride)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		dst[i] = (int32_t)(src[(size_t)i * stride] ^ BIAS);
	for (; i < round16(n); i++)
		dst[i] = dst[n - 1];
}

struct lpm_rnode *lpm_rnode_build(const uint32_t *keys, const uint32_t *vals, uint32_t n,
				  uint32_t dflt)
{
	uint32_t nb = (n + 15) / 16, ns1 = (nb + 15) / 16;
	uint8_t levels = n <= 16 ? 1 : nb <= 16 ? 2 : 3;
	uint32_t off_s1 = sizeof(struct lpm_rnode) + (levels == 3 ? 64 : 0);
	uint32_t off_keys = off_s1 + (levels >= 2 ? round16(nb) * 4 : 0);
	uint32_t off_vals = off_keys + nb * 64;
	uint32_t size = (off_vals + n * 4 + 63) & ~63u;
	struct lpm_rnode *r;
	uint8_t *base;

	if (n == 0 || n > LPM_RANGE_MAX || (r = aligned_alloc(64, size)) == NULL)
		return NULL;
	base = (uint8_t *)r;
	memset(r, 0, sizeof(*r));
	r->type = LPM_NODE_RANGE;
	r->levels = levels;
	r->nb = (uint16_t)nb;
	r->n = n;
	atomic_init(&r->dflt, dflt);
	r->size = size;
	r->off_s1 = off_s1;
	r->off_keys = off_keys;
	r->off_vals = off_vals;
	put_keys((int32_t *)(base + off_keys), keys, n, 1);
	memcpy(base + off_vals, vals, n * 4);
	if (levels >= 2)
		put_keys((int32_t *)(base + off_s1), keys, nb, 16);
	if (levels == 3)
		put_keys(r->s2, keys, ns1, 256);
	return r;
}

struct lpm_dir *lpm_dir_new(uint8_t depth)
{
	struct lpm_dir *d = aligned_alloc(64, sizeof(struct lpm_dir) + 56);

	if (d == NULL)
		return NULL;
	d->type = LPM_NODE_DIR;
	d->shift = (uint8_t)(24 - depth);
	for (int i = 0; i < 256; i++)
		atomic_init(&d->slot[i], LPM_LEAF(0));
	return d;
}

/* How many of the 16 sorted keys at k are <= key (keys are padded, so all 16 count). */
static inline unsigned count_le16(const int32_t *k, int32_t key)
{
#ifdef __SSE2__
	__m128i x = _mm_set1_epi32(key);
	__m128i g0 = _mm_cmpgt_epi32(_mm_load_si128((const __m128i *)k), x);
	__m128i g1 = _mm_cmpgt_epi32(_mm_load_si128((const __m128i *)(k + 4)), x);
	__m128i g2 = _mm_cmpgt_epi32(_mm_load_si128((const __m128i *)(k + 8)), x);
	__m128i g3 = _mm_cmpgt_epi32(_mm_load_si128((const __m128i *)(k + 12)), x);
	unsigned gt = (unsigned)_mm_movemask_epi8(
		_mm_packs_epi16(_mm_packs_epi32(g0, g1), _mm_packs_epi32(g2, g3)));

	/* sorted keys: the "greater" bits are a suffix, the first one is the count */
	return (unsigned)__builtin_ctz(gt | 0x10000u);
#else
	unsigned c = 0;

	for (int i = 0; i < 16; i++)
		c += k[i] <= key;
	return c;
#endif
}

/* Index of the last of the (up to 16) entries at k that is <= key; avail >= 1 real ones. */
static inline unsigned pos16(const int32_t *k, int32_t key, unsigned avail)
{
	unsigned c = count_le16(k, key);

	return (c < avail ? c : avail) - 1; /* keys[0] <= key always: c >= 1 */
}

static inline const int32_t *s1_of(const struct lpm_rnode *r)
{
	return (const int32_t *)((const uint8_t *)r + r->off_s1);
}

static inline const int32_t *keys_of(const struct lpm_rnode *r)
{
	return (const int32_t *)((const uint8_t *)r + r->off_keys);
}

static inline const uint32_t *vals_of(const struct lpm_rnode *r)
{
	return (const uint32_t *)((const uint8_t *)r + r->off_vals);
}

static inline uint32_t answer(const struct lpm_rnode *r, unsigned i)
{
	uint32_t v = vals_of(r)[i];

	return v != 0 ? v : atomic_load_explicit(&r->dflt, memory_order_relaxed);
}

uint32_t lpm_rnode_lookup(const struct lpm_rnode *r, uint32_t addr)
{
	int32_t key = (int32_t)(addr ^ BIAS);
	unsigned b = 0, c;

	if (r->levels == 3) {
		c = pos16(r->s2, key, (r->nb + 15u) / 16);
		b = c * 16 + pos16(s1_of(r) + c * 16, key, r->nb - c * 16);
	} else if (r->levels == 2) {
		b = pos16(s1_of(r), key, r->nb);
	}
	return answer(r, b * 16 + pos16(keys_of(r) + b * 16, key, r->n - b * 16));
}

uint32_t lpm_node_lookup(uintptr_t x, uint32_t addr)
{
	while (!LPM_IS_LEAF(x)) {
		const struct lpm_dir *d = (const struct lpm_dir *)x;

		if (d->type == LPM_NODE_RANGE)
			return lpm_rnode_lookup((const struct lpm_rnode *)x, addr);
		x = atomic_load_explicit(&d->slot[(addr >> d->shift) & 255], memory_order_acquire);
	}
	return LPM_LEAF_VALUE(x);
}

/* Where one lookup of a batch stands: the line it waits for next. */
enum step { ST_NODE, ST_S1, ST_KEYS, ST_VAL, ST_DONE };

struct cursor {
	uintptr_t x;
	uint16_t i;  /* block (ST_S1: s1 block; ST_KEYS: key block) or range (ST_VAL) */
	uint8_t st;
};

/* At a node whose first line is (being) fetched: descend or start the range search. */
static void step_node(struct cursor *c, uint32_t addr, uint32_t *out)
{
	const struct lpm_rnode *r;
	int32_t key = (int32_t)(addr ^ BIAS);

	if (LPM_IS_LEAF(c->x)) {
		*out = LPM_LEAF_VALUE(c->x);
		c->st = ST_DONE;
		return;
	}
	if (((const struct lpm_dir *)c->x)->type == LPM_NODE_DIR) {
		const struct lpm_dir *d = (const struct lpm_dir *)c->x;

		c->x = atomic_load_explicit(&d->slot[(addr >> d->shift) & 255],
					    memory_order_acquire);
		if (!LPM_IS_LEAF(c->x))
			__builtin_prefetch((const void *)c->x);
		return;
	}
	r = (const struct lpm_rnode *)c->x;
	if (r->levels == 3) {
		c->i = (uint16_t)pos16(r->s2, key, (r->nb + 15u) / 16);
		c->st = ST_S1;
		__builtin_prefetch(s1_of(r) + c->i * 16);
	} else if (r->levels == 2) {
		c->i = 0;
		c->st = ST_S1;
		__builtin_prefetch(s1_of(r));
	} else {
		c->i = (uint16_t)pos16(keys_of(r), key, r->n);
		c->st = ST_VAL;
		__builtin_prefetch(vals_of(r) + c->i);
	}
}

static void step(struct cursor *c, uint32_t addr, uint32_t *out)
{
	const struct lpm_rnode *r = (const struct lpm_rnode *)c->x;
	int32_t key = (int32_t)(addr ^ BIAS);
	unsigned b;

	switch (c->st) {
	case ST_NODE:
		step_node(c, addr, out);
		return;
	case ST_S1:
		b = c->i * 16u + pos16(s1_of(r) + c->i * 16, key, r->nb - c->i * 16u);
		c->i = (uint16_t)b;
		c->st = ST_KEYS;
		__builtin_prefetch(keys_of(r) + b * 16);
		return;
	case ST_KEYS:
		b = c->i;
		c->i = (uint16_t)(b * 16 + pos16(keys_of(r) + b * 16, key, r->n - b * 16));
		c->st = ST_VAL;
		__builtin_prefetch(vals_of(r) + c->i);
		return;
	case ST_VAL:
		*out = answer(r, c->i);
		c->st = ST_DONE;
		return;
	default:
		return;
	}
}

static void batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n)
{
	struct cursor c[BATCH_MAX];
	unsigned left = n;

	for (unsigned i = 0; i < n; i++) {
		c[i] = (struct cursor){ .x = roots[i], .st = ST_NODE };
		if (!LPM_IS_LEAF(roots[i]))
			__builtin_prefetch((const void *)roots[i]);
	}
	while (left > 0) {
		for (unsigned i = 0; i < n; i++) {
			if (c[i].st == ST_DONE)
				continue;
			step(&c[i], addr[i], &out[i]);
			left -= c[i].st == ST_DONE;
		}
	}
}

void lpm_node_batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n)
{
	for (unsigned i = 0; i < n; i += BATCH_MAX)
		batch(roots + i, addr + i, out + i, n - i < BATCH_MAX ? n - i : BATCH_MAX);
}
