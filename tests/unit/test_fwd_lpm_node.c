/*
 * fwd/lpm_node.c on its own: range nodes built straight from cut points at
 * the sizes where the search tree gains a level (8/9, 128/129, 2048/2049
 * ranges, and the largest, 32768), looked up one by one and in batches
 * (mixed with leaves, directories and nodes of other depths) at every cut
 * point and next to it, against a binary search, the batch both with AVX2
 * (where the CPU has it) and without; and the control thread's leaf view
 * and patch of a copy.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "fwd/lpm_node.h"
#include "tests/unit/test_fwd_lpm_rng.h"

#define DFLT 777

struct ranges {
	uint32_t *keys, *vals, n;
};

/* n ranges from base; the last one starts at `last` when it is not 0 (e.g. 0xFFFFFFFF). */
static struct ranges make(uint32_t n, uint32_t base, uint32_t last)
{
	struct ranges r = { calloc(n, 4), calloc(n, 4), n };
	uint32_t gap = (uint32_t)(((uint64_t)0xF0000000u - base) / n);

	cr_assert(r.keys != NULL && r.vals != NULL);
	for (uint32_t i = 0; i < n; i++) {
		r.keys[i] = i == 0 ? base : r.keys[i - 1] + 1 + (gap > 1 ? rng() % gap : 0);
		r.vals[i] = rng() % 4 == 0 ? 0 : 1 + rng() % 100000; /* 0: a gap, dflt */
	}
	if (last != 0 && n > 1)
		r.keys[n - 1] = last;
	return r;
}

static uint32_t ref(const struct ranges *r, uint32_t addr)
{
	uint32_t lo = 0, hi = r->n; /* the last key <= addr */

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->keys[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return r->vals[lo] != 0 ? r->vals[lo] : DFLT;
}

/* Addresses at, before and after every cut, and random ones in the region. */
static uint32_t probe(const struct ranges *r, uint32_t j)
{
	uint32_t i = j / 4, a = r->keys[i];

	switch (j % 4) {
	case 0: return a;
	case 1: return i > 0 ? a - 1 : a;
	case 2: return a == UINT32_MAX ? a : a + 1;
	default: return r->keys[0] + rng() % (UINT32_MAX - r->keys[0]);
	}
}

static void check_node(const struct ranges *r, uintptr_t x)
{
	uintptr_t roots[256];
	uint32_t addr[256], out[256];

	for (uint32_t j = 0; j < 4 * r->n; j += 256) {
		unsigned n = 4 * r->n - j < 256 ? 4 * r->n - j : 256;

		for (unsigned i = 0; i < n; i++) {
			roots[i] = x;
			addr[i] = probe(r, j + i);
			cr_assert_eq(lpm_node_lookup(x, addr[i]), ref(r, addr[i]), "n %u addr %08x",
				     r->n, addr[i]);
		}
		for (int avx2 = 0; avx2 < 2; avx2++) {
			lpm_node_allow_avx2(avx2);
			lpm_node_batch(roots, addr, out, n);
			for (unsigned i = 0; i < n; i++)
				cr_assert_eq(out[i], ref(r, addr[i]), "n %u addr %08x: batch %u (avx2 %d)",
					     r->n, addr[i], out[i], avx2);
		}
	}
}

Test(lpm_node, every_level_boundary)
{
	static const uint32_t sizes[] = { 1, 2, 7, 8, 9, 127, 128, 129, 2047, 2048, 2049, 32767, 32768 };

	rng_state = 0x1234567;
	cr_assert_eq(lpm_rnode_build(NULL, NULL, 0, DFLT), 0);
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int top = 0; top < 2; top++) { /* top: the last range starts at 255.255.255.255 */
			struct ranges r = make(sizes[s], top ? 0x0A000000u : 0, top ? UINT32_MAX : 0);
			uintptr_t x = lpm_rnode_build(r.keys, r.vals, r.n, DFLT);

			cr_assert_neq(x, 0);
			check_node(&r, x);
			lpm_node_free(x);
			free(r.keys);
			free(r.vals);
		}
	}
	{
		uint32_t k[1] = { 0 }, v[1] = { 1 };

		cr_assert_eq(lpm_rnode_build(k, v, LPM_RANGE_MAX + 1, DFLT), 0);
	}
}

/* One batch holding leaves, a directory over two nodes, and nodes of 1 to 4 levels. */
Test(lpm_node, batch_of_mixed_words)
{
	static const uint32_t sizes[] = { 5, 100, 1000, 20000 };
	struct ranges r[4];
	uintptr_t x[4], dir, roots[300];
	uint32_t addr[300], out[300], want[300];

	rng_state = 99;
	for (int i = 0; i < 4; i++) {
		r[i] = make(sizes[i], 0, 0);
		x[i] = lpm_rnode_build(r[i].keys, r[i].vals, r[i].n, DFLT);
		cr_assert_neq(x[i], 0);
	}
	cr_assert_neq(dir = lpm_dir_new(0), 0);
	atomic_store(&lpm_dir_slots(dir)[1], x[3]);
	atomic_store(&lpm_dir_slots(dir)[2], x[0]);
	atomic_store(&lpm_dir_slots(dir)[3], LPM_LEAF(42));
	for (int round = 0; round < 100; round++) {
		for (unsigned i = 0; i < 300; i++) {
			unsigned k = rng() % 7;

			addr[i] = rng();
			if (k < 4) {
				roots[i] = x[k];
				want[i] = ref(&r[k], addr[i]);
			} else if (k == 4) {
				roots[i] = LPM_LEAF(i);
				want[i] = i;
			} else {
				addr[i] = (addr[i] & 0x00FFFFFFu) | (1 + rng() % 4) << 24;
				roots[i] = dir;
				want[i] = addr[i] >> 24 == 1 ? ref(&r[3], addr[i]) :
					  addr[i] >> 24 == 2 ? ref(&r[0], addr[i]) :
					  addr[i] >> 24 == 3 ? 42 : 0;
			}
		}
		lpm_node_allow_avx2(round % 2);
		lpm_node_batch(roots, addr, out, 1 + round * 3);
		for (unsigned i = 0; i < 1 + round * 3u; i++) {
			cr_assert_eq(out[i], want[i], "i %u addr %08x", i, addr[i]);
			cr_assert_eq(lpm_node_lookup(roots[i], addr[i]), want[i]);
		}
	}
	lpm_node_free(dir);
	for (int i = 0; i < 4; i++) {
		lpm_node_free(x[i]);
		free(r[i].keys);
		free(r[i].vals);
	}
}

/* The leaf view gives the leaf's bounds at every depth; a patch changes only the copy. */
Test(lpm_node, leaf_view_and_patch)
{
	static const uint32_t sizes[] = { 6, 100, 2049, 32768 };

	rng_state = 5;
	for (unsigned s = 0; s < 4; s++) {
		struct ranges r = make(sizes[s], 0, 0);
		uintptr_t x = lpm_rnode_build(r.keys, r.vals, r.n, DFLT), y;

		cr_assert_neq(x, 0);
		for (uint32_t b = 0; b * 8 < r.n; b++) {
			struct lpm_leaf_view v;
			uint32_t a = r.keys[b * 8 + rng() % (r.n - b * 8 < 8 ? r.n - b * 8 : 8)];

			lpm_rnode_leaf(x, a, &v);
			cr_assert_eq(v.lo, b == 0 ? 0 : r.keys[b * 8], "n %u leaf %u", r.n, b);
			cr_assert_eq(v.hi, (b + 1) * 8 < r.n ? r.keys[(b + 1) * 8] - 1 : UINT32_MAX);
			cr_assert_eq(v.n, r.n - b * 8 < 8 ? r.n - b * 8 : 8);
			for (uint32_t j = 1; j < v.n; j++)
				cr_assert_eq(v.start[j], r.keys[b * 8 + j]);
			for (uint32_t j = 0; j < v.n; j++)
				cr_assert_eq(v.val[j], r.vals[b * 8 + j]);
		}
		cr_assert_neq(y = lpm_rnode_copy(x), 0);
		{
			uint32_t b = (r.n - 1) / 8 / 2, a = r.keys[b * 8]; /* a middle leaf */
			struct lpm_leaf_view v;

			lpm_rnode_leaf(y, a, &v);
			v.val[0] = 4242;
			lpm_rnode_leaf_store(y, &v, v.n);
			cr_assert_eq(lpm_node_lookup(y, a), 4242);
			cr_assert_eq(lpm_node_lookup(x, a), ref(&r, a));
			r.vals[b * 8] = 4242;
			check_node(&r, y);
		}
		lpm_node_free(x);
		lpm_node_free(y);
		free(r.keys);
		free(r.vals);
	}
}
