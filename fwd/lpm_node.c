/*
 * Lookup nodes of the LPM (see lpm_node.h): building a range node's search
 * tree from the cut points lpm.c computes, and the lock-free lookups, one at
 * a time or a batch at once. In the batch every lookup advances one line per
 * round and prefetches its next line, so a batch keeps dozens of cache misses
 * in flight instead of one: on tables far larger than the caches that is
 * where the time goes (memory latency, not instructions).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fwd/lpm_node.h"

#define BIAS 0x80000000u
#define PAD INT32_MAX /* an unused slot: never "< key" */
#define LINE 64
#define BATCH_MAX 256

/* The line before a range node's tree. */
struct rhdr {
	uint32_t n;
	_Atomic uint32_t dflt;
	uint32_t size; /* bytes allocated, this line included */
	uint32_t levels;
	uint8_t pad[LINE - 16];
};

struct leaf {
	int32_t k[8];  /* k[j - 1] = start of range j - 1 (j = 1..7); k[7] unused */
	uint32_t v[8]; /* the values of the line's 8 ranges */
};

/* Inner lines: int32_t k[16], k[j - 1] = first start under child j - 1; k[15] unused,
 * except in the top line, where it holds the line counts of depths 1 and 2 (u16 each). */

static unsigned levels_for(uint32_t n)
{
	return n <= 8 ? 1 : n <= 128 ? 2 : n <= 2048 ? 3 : 4;
}

/* Ranges under one line at depth d (0 = top) of a node with the given levels. */
static uint32_t span_of(unsigned levels, unsigned d)
{
	return 8u << (4 * (levels - 1 - d));
}

static int32_t cut(uint32_t start)
{
	return (int32_t)((start - 1) ^ BIAS);
}

static inline struct rhdr *hdr_of(uintptr_t x)
{
	return (struct rhdr *)(LPM_PTR(x) - LINE);
}

static void fill_inner(int32_t *k, const uint32_t *keys, uint32_t n, uint32_t first,
		       uint32_t child_span)
{
	for (unsigned j = 0; j < 16; j++)
		k[j] = PAD;
	for (unsigned j = 1; j < 16; j++) {
		uint32_t idx = first + j * child_span;

		if (idx < n)
			k[j - 1] = cut(keys[idx]);
	}
}

static void fill_leaf(struct leaf *l, const uint32_t *keys, const uint32_t *vals, uint32_t n,
		      uint32_t first)
{
	for (unsigned j = 0; j < 8; j++) {
		uint32_t idx = first + j;

		l->k[j] = PAD;
		l->v[j] = idx < n ? vals[idx] : 0;
		if (j > 0 && idx < n)
			l->k[j - 1] = cut(keys[idx]);
	}
}

uintptr_t lpm_rnode_build(const uint32_t *keys, const uint32_t *vals, uint32_t n,
			  uint32_t dflt)
{
	unsigned levels = levels_for(n);
	uint32_t cnt[4], off[4], lines = 0;
	uint8_t *mem, *tree;
	struct rhdr *h;

	if (n == 0 || n > LPM_RANGE_MAX)
		return 0;
	for (unsigned d = 0; d < levels; d++) {
		cnt[d] = (n + span_of(levels, d) - 1) / span_of(levels, d);
		off[d] = lines;
		lines += cnt[d];
	}
	if ((mem = aligned_alloc(LINE, (size_t)(lines + 1) * LINE)) == NULL)
		return 0;
	h = (struct rhdr *)mem;
	memset(h, 0, sizeof(*h));
	h->n = n;
	atomic_init(&h->dflt, dflt);
	h->size = (lines + 1) * LINE;
	h->levels = levels;
	tree = mem + LINE;
	for (unsigned d = 0; d + 1 < levels; d++)
		for (uint32_t u = 0; u < cnt[d]; u++)
			fill_inner((int32_t *)(tree + (size_t)(off[d] + u) * LINE), keys, n,
				   u * span_of(levels, d), span_of(levels, d + 1));
	for (uint32_t b = 0; b < cnt[levels - 1]; b++)
		fill_leaf((struct leaf *)(tree + (size_t)(off[levels - 1] + b) * LINE), keys, vals,
			  n, b * 8);
	if (levels >= 3)
		((int32_t *)tree)[15] = (int32_t)(cnt[1] | (levels == 4 ? cnt[2] << 16 : 0));
	return (uintptr_t)tree | (uintptr_t)levels << 1;
}

void lpm_rnode_set_dflt(uintptr_t x, uint32_t dflt)
{
	atomic_store_explicit(&hdr_of(x)->dflt, dflt, memory_order_release);
}

uintptr_t lpm_dir_new(unsigned depth)
{
	_Atomic uintptr_t *s = aligned_alloc(LINE, 256 * sizeof(*s));

	if (s == NULL)
		return 0;
	for (int i = 0; i < 256; i++)
		atomic_init(&s[i], LPM_LEAF(0));
	return (uintptr_t)s | (uintptr_t)(depth / 8) << 4;
}

size_t lpm_node_size(uintptr_t x)
{
	if (x == 0 || LPM_IS_LEAF(x))
		return 0;
	return LPM_LEVELS(x) == 0 ? 256 * sizeof(uintptr_t) : hdr_of(x)->size;
}

void lpm_node_free(uintptr_t x)
{
	if (x == 0 || LPM_IS_LEAF(x))
		return;
	free(LPM_LEVELS(x) == 0 ? (void *)LPM_PTR(x) : (void *)hdr_of(x));
}

/* ---- searching a line ---- */

/* How many of the 15 cut points of an inner line are < key (they are sorted). */
static inline unsigned count15(const int32_t *k, int32_t key)
{
#ifdef __SSE2__
	__m128i x = _mm_set1_epi32(key);
	__m128i g0 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)k));
	__m128i g1 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(k + 4)));
	__m128i g2 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(k + 8)));
	__m128i g3 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(k + 12)));
	unsigned lt = (unsigned)_mm_movemask_epi8(
		_mm_packs_epi16(_mm_packs_epi32(g0, g1), _mm_packs_epi32(g2, g3)));

	return (unsigned)__builtin_ctz(~(lt & 0x7FFFu)); /* a prefix of ones: its length */
#else
	unsigned c = 0;

	for (int i = 0; i < 15; i++)
		c += k[i] < key;
	return c;
#endif
}

/* The same for the 7 cut points of a leaf line. */
static inline unsigned count7(const int32_t *k, int32_t key)
{
#ifdef __SSE2__
	__m128i x = _mm_set1_epi32(key);
	__m128i g0 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)k));
	__m128i g1 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(k + 4)));
	unsigned lt = (unsigned)_mm_movemask_epi8(_mm_packs_epi32(g0, g1));

	return (unsigned)__builtin_ctz(~lt) / 2; /* two mask bits per key; k[7] never counts */
#else
	unsigned c = 0;

	for (int i = 0; i < 7; i++)
		c += k[i] < key;
	return c;
#endif
}

/* Line offset of depth d's first line, from the counts kept in the top line. */
static inline uint32_t depth_off(uint32_t meta, unsigned d)
{
	return d == 0 ? 0 : d == 1 ? 1 : d == 2 ? 1 + (meta & 0xFFFF) : 1 + (meta & 0xFFFF) + (meta >> 16);
}

/* ---- patching a copy (control thread) ---- */

uintptr_t lpm_rnode_copy(uintptr_t x)
{
	const struct rhdr *h = hdr_of(x);
	uint8_t *mem = aligned_alloc(LINE, h->size);

	if (mem == NULL)
		return 0;
	memcpy(mem, h, h->size);
	return (uintptr_t)(mem + LINE) | (x & 63);
}

static uint32_t uncut(int32_t k)
{
	return ((uint32_t)k ^ BIAS) + 1;
}

void lpm_rnode_leaf(uintptr_t x, uint32_t addr, struct lpm_leaf_view *v)
{
	uint8_t *tree = (uint8_t *)LPM_PTR(x);
	unsigned levels = LPM_LEVELS(x);
	int32_t key = (int32_t)(addr ^ BIAS);
	uint32_t meta = (uint32_t)((int32_t *)tree)[15], u = 0;
	uint64_t lo = 0, hi = UINT32_MAX; /* the caller's chunk bounds are looser: fine */
	struct leaf *l;

	for (unsigned d = 0; d + 1 < levels; d++) {
		const int32_t *k = (const int32_t *)(tree + (size_t)(depth_off(meta, d) + u) * LINE);
		unsigned c = count15(k, key);

		if (c > 0)
			lo = uncut(k[c - 1]);
		if (c < 15 && k[c] != PAD)
			hi = uncut(k[c]) - 1;
		u = u * 16 + c;
	}
	l = (struct leaf *)(tree + (size_t)(depth_off(meta, levels - 1) + u) * LINE);
	v->line = l;
	v->n = 1;
	v->start[0] = (uint32_t)lo;
	v->val[0] = l->v[0];
	for (unsigned j = 0; j < 7 && l->k[j] != PAD; j++) {
		v->start[j + 1] = uncut(l->k[j]);
		v->val[j + 1] = l->v[j + 1];
		v->n++;
	}
	v->lo = (uint32_t)lo;
	v->hi = (uint32_t)hi;
}

void lpm_rnode_leaf_store(uintptr_t x, const struct lpm_leaf_view *v, uint32_t old_n)
{
	struct leaf *l = v->line;
	struct rhdr *h = hdr_of(x);

	for (unsigned j = 0; j < 8; j++) {
		l->k[j] = j + 1 < v->n ? cut(v->start[j + 1]) : PAD;
		l->v[j] = j < v->n ? v->val[j] : 0;
	}
	h->n = h->n - old_n + v->n;
}

/* ---- lookups ---- */

static inline const int32_t *line_at(const uint8_t *tree, uint32_t meta, unsigned d, uint32_t u)
{
	return (const int32_t *)(tree + (size_t)(depth_off(meta, d) + u) * LINE);
}

static inline uint32_t leaf_value(uintptr_t x, const int32_t *line, int32_t key)
{
	const struct leaf *l = (const struct leaf *)line;
	uint32_t v = l->v[count7(l->k, key)];

	return v != 0 ? v : atomic_load_explicit(&hdr_of(x)->dflt, memory_order_acquire);
}

static uint32_t rnode_lookup(uintptr_t x, uint32_t addr)
{
	const uint8_t *tree = (const uint8_t *)LPM_PTR(x);
	unsigned levels = LPM_LEVELS(x);
	int32_t key = (int32_t)(addr ^ BIAS);
	uint32_t meta = (uint32_t)((const int32_t *)tree)[15];
	uint32_t u = 0; /* the line's index within its depth */

	for (unsigned d = 0; d + 1 < levels; d++)
		u = u * 16 + count15(line_at(tree, meta, d, u), key);
	return leaf_value(x, line_at(tree, meta, levels - 1, u), key);
}

static inline uintptr_t dir_slot(uintptr_t x, uint32_t addr)
{
	return atomic_load_explicit(&lpm_dir_slots(x)[(addr >> LPM_DIR_SHIFT(x)) & 255],
				    memory_order_acquire);
}

uint32_t lpm_node_lookup(uintptr_t x, uint32_t addr)
{
	while (!LPM_IS_LEAF(x)) {
		if (LPM_LEVELS(x) != 0)
			return rnode_lookup(x, addr);
		x = dir_slot(x, addr);
	}
	return LPM_LEAF_VALUE(x);
}

/* ---- the batch ---- */

/*
 * The batch walks in phases: every lookup reads its next line in the same
 * loop, having prefetched it in the previous one, so the misses of a whole
 * phase are in flight together. Phases: the root words (and the rare
 * directory slots), then one loop per search-tree depth, then the rare
 * dflt reads of lookups that ended in a gap.
 */
struct walk {
	const uint8_t *tree[BATCH_MAX];
	const int32_t *line[BATCH_MAX];
	uint32_t u[BATCH_MAX], meta[BATCH_MAX];
	uint8_t left[BATCH_MAX]; /* lines still to read; 0 = done */
};

/* Prefetches the line a word's lookup of addr reads first. */
static inline void prefetch_word(uintptr_t x, uint32_t addr)
{
	if (LPM_IS_LEAF(x))
		return;
	if (LPM_LEVELS(x) == 0)
		__builtin_prefetch(&lpm_dir_slots(x)[(addr >> LPM_DIR_SHIFT(x)) & 255]);
	else
		__builtin_prefetch((const void *)LPM_PTR(x));
}

/* Words to range nodes (or answers): directories are descended a level per loop. */
static void walk_words(uintptr_t *x, const uint32_t *addr, unsigned n)
{
	bool more = true;

	for (unsigned i = 0; i < n; i++)
		prefetch_word(x[i], addr[i]);
	while (more) {
		more = false;
		for (unsigned i = 0; i < n; i++) {
			if (LPM_IS_LEAF(x[i]) || LPM_LEVELS(x[i]) != 0)
				continue;
			x[i] = dir_slot(x[i], addr[i]);
			prefetch_word(x[i], addr[i]);
			more = true;
		}
	}
}

/* Reads line d of every lookup that has one; prefetches each one's next. */
static bool walk_depth(struct walk *w, const uintptr_t *x, const uint32_t *addr, uint32_t *out,
		       unsigned n, unsigned d)
{
	bool more = false;

	for (unsigned i = 0; i < n; i++) {
		int32_t key = (int32_t)(addr[i] ^ BIAS);
		const int32_t *k = w->line[i];

		if (w->left[i] == 0)
			continue;
		if (w->left[i] > 1) {
			w->u[i] = w->u[i] * 16 + count15(k, key);
			w->line[i] = (const int32_t *)(w->tree[i] +
						       (size_t)(depth_off(w->meta[i], d + 1) + w->u[i]) * LINE);
			__builtin_prefetch(w->line[i]);
			w->left[i]--;
			more = true;
			continue;
		}
		out[i] = ((const struct leaf *)k)->v[count7(k, key)];
		w->left[i] = 0;
		if (out[i] == 0) /* a gap in the chunk: the ancestors' answer */
			out[i] = atomic_load_explicit(&hdr_of(x[i])->dflt, memory_order_acquire);
	}
	return more;
}

static void batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n)
{
	struct walk w;
	uintptr_t x[BATCH_MAX];

	memcpy(x, roots, n * sizeof(*x));
	walk_words(x, addr, n);
	for (unsigned i = 0; i < n; i++) {
		if (LPM_IS_LEAF(x[i])) {
			out[i] = LPM_LEAF_VALUE(x[i]);
			w.left[i] = 0;
			continue;
		}
		w.tree[i] = (const uint8_t *)LPM_PTR(x[i]);
		w.line[i] = (const int32_t *)w.tree[i];
		w.meta[i] = (uint32_t)w.line[i][15];
		w.u[i] = 0;
		w.left[i] = (uint8_t)LPM_LEVELS(x[i]);
	}
	for (unsigned d = 0; walk_depth(&w, x, addr, out, n, d); d++)
		;
}

void lpm_node_batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n)
{
	for (unsigned i = 0; i < n; i += BATCH_MAX)
		batch(roots + i, addr + i, out + i, n - i < BATCH_MAX ? n - i : BATCH_MAX);
}
