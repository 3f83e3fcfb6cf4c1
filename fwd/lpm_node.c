/*
 * Lookup nodes of the LPM (see lpm_node.h): building a range node's search
 * tree from the cut points lpm.c computes, and the lock-free lookups, one at
 * a time or a batch at once. In the batch every lookup advances one line per
 * round and prefetches its next line, so a batch keeps dozens of cache misses
 * in flight instead of one: on tables far larger than the caches that is
 * where most of the time goes. The rest is instructions, so a round does
 * little per lookup: broadcast key, line pointer and index are all its state.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__)
#include <immintrin.h>
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

/* Inner lines: int32_t k[16]: k[0] = the byte distance from the line to its first child
 * (its children are consecutive lines), k[j] = first start under child j (j = 1..15). */

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
		       uint32_t child_span, uint32_t child_dist)
{
	k[0] = (int32_t)(child_dist * LINE);
	for (unsigned j = 1; j < 16; j++) {
		uint32_t idx = first + j * child_span;

		k[j] = idx < n ? cut(keys[idx]) : PAD;
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
	for (unsigned d = 0; d + 1 < levels; d++) /* line u's children: 16u.. of depth d + 1 */
		for (uint32_t u = 0; u < cnt[d]; u++)
			fill_inner((int32_t *)(tree + (size_t)(off[d] + u) * LINE), keys, n,
				   u * span_of(levels, d), span_of(levels, d + 1),
				   off[d + 1] + 16 * u - (off[d] + u));
	for (uint32_t b = 0; b < cnt[levels - 1]; b++)
		fill_leaf((struct leaf *)(tree + (size_t)(off[levels - 1] + b) * LINE), keys, vals,
			  n, b * 8);
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

/* A key in every lane (SSE2), so the batch broadcasts each key once, not once a line. */
#ifdef __SSE2__
typedef __m128i kvec;
#define KVEC(key) _mm_set1_epi32(key)
#else
typedef int32_t kvec;
#define KVEC(key) (key)
#endif

/* How many of the 15 cut points k[1..15] of an inner line are < key (they are sorted). */
static inline unsigned count15(const int32_t *k, kvec x)
{
#ifdef __SSE2__
	__m128i g0 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)k));
	__m128i g1 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(k + 4)));
	__m128i g2 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(k + 8)));
	__m128i g3 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(k + 12)));
	unsigned lt = (unsigned)_mm_movemask_epi8(
		_mm_packs_epi16(_mm_packs_epi32(g0, g1), _mm_packs_epi32(g2, g3)));

	/* bits 1..c set (a prefix: the cuts are sorted), bit 0 is k[0]: c = the highest bit of
	 * lt | 1, one bsr */
	return (unsigned)(31 ^ __builtin_clz(lt | 1));
#else
	unsigned c = 0;

	for (int i = 1; i < 16; i++)
		c += k[i] < x;
	return c;
#endif
}

/* The value of key's range in a leaf line (0: a gap, take dflt). */
static inline uint32_t leaf_value(const struct leaf *l, kvec x)
{
#ifdef __SSE2__
	__m128i g0 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)l->k));
	__m128i g1 = _mm_cmpgt_epi32(x, _mm_load_si128((const __m128i *)(l->k + 4)));
	unsigned lt = (unsigned)_mm_movemask_epi8(_mm_packs_epi32(g0, g1));
	/* lt = 2c ones (two bits per key; k[7] never counts): 2c = the highest bit of 2lt + 1 */
	unsigned c2 = (unsigned)(31 ^ __builtin_clz(lt * 2 + 1));

	return *(const uint32_t *)((const uint8_t *)l->v + 2 * (size_t)c2); /* v[c], no shift */
#else
	unsigned c = 0;

	for (int i = 0; i < 7; i++)
		c += l->k[i] < x;
	return l->v[c];
#endif
}

/* Child c of inner line k: its first child's distance is in k[0]. */
static inline const int32_t *child(const int32_t *k, unsigned c)
{
	return (const int32_t *)((const uint8_t *)k + ((uint32_t)k[0] + c * LINE));
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
	const int32_t *k = (const int32_t *)LPM_PTR(x);
	unsigned levels = LPM_LEVELS(x);
	kvec key = KVEC((int32_t)(addr ^ BIAS));
	uint64_t lo = 0, hi = UINT32_MAX; /* the caller's chunk bounds are looser: fine */
	struct leaf *l;

	for (unsigned d = 0; d + 1 < levels; d++) {
		unsigned c = count15(k, key);

		if (c > 0)
			lo = uncut(k[c]);
		if (c < 15 && k[c + 1] != PAD)
			hi = uncut(k[c + 1]) - 1;
		k = child(k, c);
	}
	l = (struct leaf *)k;
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

static inline uint32_t dflt_of(uintptr_t x)
{
	return atomic_load_explicit(&hdr_of(x)->dflt, memory_order_acquire);
}

static uint32_t rnode_lookup(uintptr_t x, uint32_t addr)
{
	const int32_t *k = (const int32_t *)LPM_PTR(x);
	kvec key = KVEC((int32_t)(addr ^ BIAS));
	uint32_t v;

	for (unsigned d = LPM_LEVELS(x); d > 1; d--)
		k = child(k, count15(k, key));
	v = leaf_value((const struct leaf *)k, key);
	return v != 0 ? v : dflt_of(x);
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
 * The batch walks in rounds: every lookup reads its next line in the same
 * loop, having prefetched it in the previous one, so the misses of a whole
 * round are in flight together. First the root words (directories, rare,
 * are descended a level per loop); the lookups that reach a range node
 * become steps, sorted by the node's levels, most first, so round r is two
 * plain loops: an inner line for the steps with levels > r + 1, the leaf
 * for those with levels == r + 1. Values 0 (a gap in the chunk: the
 * ancestors' answer) read the node's dflt.
 */
struct step {
	kvec key;            /* addr ^ BIAS, in every lane */
	const int32_t *line; /* the next line to read */
	uint32_t i;          /* the lookup's index in the batch */
};

struct walk {
	struct step s[BATCH_MAX];
	uintptr_t node[BATCH_MAX]; /* the words of lookups that went through a directory */
	uint16_t dir[BATCH_MAX];   /* lookups in a directory */
	uint32_t lv[8];            /* steps by levels */
	uintptr_t any, all;        /* the steps' words ORed and ANDed: the same levels? */
	unsigned m, nd;
};

static inline void step_set(struct step *s, uintptr_t x, uint32_t i, uint32_t addr)
{
	s->key = KVEC((int32_t)(addr ^ BIAS));
	s->line = (const int32_t *)LPM_PTR(x);
	s->i = i;
	__builtin_prefetch(s->line);
}

/* The steps found so far: in registers while a loop adds to them (walk's fields are not). */
struct found {
	struct step *s;      /* the next free step */
	uintptr_t any, all; /* their words ORed and ANDed */
};

/*
 * Where lookup i goes from word x: its answer (a leaf) or a step into a
 * range node; for a directory, true: the caller queues the lookup for
 * walk_dirs, the slot it reads next prefetched.
 */
static inline bool word_next(struct found *f, uintptr_t x, uint16_t i, uint32_t addr,
			     uint32_t *out)
{
	if (LPM_IS_LEAF(x)) {
		out[i] = LPM_LEAF_VALUE(x);
	} else if ((x & 14) != 0) { /* LPM_LEVELS(x) != 0, without the shift */
		step_set(f->s++, x, i, addr);
		f->any |= x;
		f->all &= x;
	} else {
		__builtin_prefetch(&lpm_dir_slots(x)[(addr >> LPM_DIR_SHIFT(x)) & 255]);
		return true;
	}
	return false;
}

/* The words under directories, a level per loop; each slot is prefetched the loop before. */
static void walk_dirs(struct walk *w, const uint32_t *addr, uint32_t *out)
{
	struct found f = { w->s + w->m, w->any, w->all };

	while (w->nd > 0) {
		unsigned k = 0;

		for (unsigned j = 0; j < w->nd; j++) {
			uint16_t i = w->dir[j];
			uintptr_t x = dir_slot(w->node[i], addr[i]);

			w->node[i] = x; /* step_word's, for a range node under a directory */
			if (word_next(&f, x, i, addr[i], out))
				w->dir[k++] = i;
		}
		w->nd = k;
	}
	w->m = (unsigned)(f.s - w->s);
	w->any = f.any;
	w->all = f.all;
}

static uintptr_t step_word(const struct walk *w, const uintptr_t *roots, uint32_t i)
{
	return LPM_LEVELS(roots[i]) != 0 ? roots[i] : w->node[i];
}

/* Mixed depths (rare): the steps sorted by levels, most first. */
static __attribute__((noinline)) void sort_steps(struct walk *w, const uintptr_t *roots)
{
	struct step tmp[BATCH_MAX];
	unsigned pos[8] = { 0 };

	for (unsigned j = 0; j < w->m; j++)
		w->lv[LPM_LEVELS(step_word(w, roots, w->s[j].i))]++;
	memcpy(tmp, w->s, w->m * sizeof(tmp[0]));
	for (unsigned l = 4; l > 1; l--)
		pos[l - 1] = pos[l] + w->lv[l];
	for (unsigned j = 0; j < w->m; j++)
		w->s[pos[LPM_LEVELS(step_word(w, roots, tmp[j].i))]++] = tmp[j];
}

/* A value 0 is a gap in the chunk: the node's dflt, the ancestors' answer. */
static __attribute__((noinline)) uint32_t gap(const struct walk *w, const uintptr_t *roots,
					      uint32_t i)
{
	return dflt_of(step_word(w, roots, i));
}

#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__)
/*
 * Where the CPU has AVX2 (checked at run time: the build targets baseline
 * x86-64), a line is two 8-key compares and a popcount: 7 fewer
 * instructions an inner line than SSE2's four compares and three packs.
 */
#define AVX2_OK (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))

__attribute__((target("avx2,popcnt"))) static inline const int32_t *
child_avx2(const int32_t *k, const kvec *key)
{
	__m256i x = _mm256_broadcastsi128_si256(_mm_load_si128(key));
	__m256i g0 = _mm256_cmpgt_epi32(x, _mm256_load_si256((const __m256i *)k));
	__m256i g1 = _mm256_cmpgt_epi32(x, _mm256_load_si256((const __m256i *)(k + 8)));
	/* two mask bits per key, in some order; bits 0-1 are k[0], the child distance */
	uint32_t lt = (uint32_t)_mm256_movemask_epi8(_mm256_packs_epi32(g0, g1)) & ~3u;
	uint32_t c2 = (uint32_t)__builtin_popcount(lt);

	return (const int32_t *)((const uint8_t *)k + ((uint32_t)k[0] + c2 * (LINE / 2)));
}

__attribute__((target("avx2,popcnt"))) static inline uint32_t
leaf_value_avx2(const struct leaf *l, const kvec *key)
{
	__m256i x = _mm256_broadcastsi128_si256(_mm_load_si128(key));
	__m256i g = _mm256_cmpgt_epi32(x, _mm256_load_si256((const __m256i *)l->k));
	uint64_t lt = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(g));

	return l->v[__builtin_popcountll(lt)]; /* k[7] never counts */
}
#else
#define AVX2_OK 0
#define child_avx2(k, key) child(k, count15(k, *(key)))
#define leaf_value_avx2(l, key) leaf_value(l, *(key))
#endif

static _Atomic bool avx2_allowed = true;

void lpm_node_allow_avx2(bool allow)
{
	atomic_store_explicit(&avx2_allowed, allow, memory_order_relaxed);
}

/* The rounds; avx2 is a constant in each of the two copies below. */
static inline __attribute__((always_inline)) void
rounds_with(struct walk *w, const uintptr_t *roots, uint32_t *out, const bool avx2)
{
	unsigned ge[6] = { 0 }; /* ge[l]: steps with levels >= l */

	for (unsigned l = 4; l > 0; l--)
		ge[l] = ge[l + 1] + w->lv[l];
	for (unsigned r = 0; ge[r + 1] > 0; r++) {
#pragma GCC unroll 4
		for (unsigned j = 0; j < ge[r + 2]; j++) {
			struct step *s = &w->s[j];

			s->line = avx2 ? child_avx2(s->line, &s->key) :
					 child(s->line, count15(s->line, s->key));
			__builtin_prefetch(s->line);
		}
#pragma GCC unroll 4
		for (unsigned j = ge[r + 2]; j < ge[r + 1]; j++) {
			const struct step *s = &w->s[j];
			const struct leaf *l = (const struct leaf *)s->line;
			uint32_t v = avx2 ? leaf_value_avx2(l, &s->key) : leaf_value(l, s->key);

			out[s->i] = __builtin_expect(v != 0, 1) ? v : gap(w, roots, s->i);
		}
	}
}

static void rounds(struct walk *w, const uintptr_t *roots, uint32_t *out)
{
	rounds_with(w, roots, out, false);
}

#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__)
__attribute__((target("avx2,popcnt"))) static void rounds_avx2(struct walk *w,
							     const uintptr_t *roots, uint32_t *out)
{
	rounds_with(w, roots, out, true);
}
#else
#define rounds_avx2 rounds
#endif

static void batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n)
{
	struct walk w;
	struct found f = { w.s, 0, ~(uintptr_t)0 };
	unsigned nd = 0;

	for (unsigned i = 0; i < n; i++) {
		if (word_next(&f, roots[i], (uint16_t)i, addr[i], out)) {
			w.node[i] = roots[i];
			w.dir[nd++] = (uint16_t)i;
		}
	}
	w.m = (unsigned)(f.s - w.s);
	w.nd = nd;
	w.any = f.any;
	w.all = f.all;
	walk_dirs(&w, addr, out);
	memset(w.lv, 0, sizeof(w.lv));
	if (((w.any ^ w.all) & 14) == 0) /* one depth (or none): in order already */
		w.lv[LPM_LEVELS(w.any)] = w.m;
	else
		sort_steps(&w, roots);
	if (AVX2_OK && atomic_load_explicit(&avx2_allowed, memory_order_relaxed))
		rounds_avx2(&w, roots, out);
	else
		rounds(&w, roots, out);
}

void lpm_node_batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n)
{
	for (unsigned i = 0; i < n; i += BATCH_MAX)
		batch(roots + i, addr + i, out + i, n - i < BATCH_MAX ? n - i : BATCH_MAX);
}
