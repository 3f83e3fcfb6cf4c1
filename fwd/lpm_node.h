/*
 * The lookup side of lpm.c (internal to lpm*.c): immutable nodes that readers
 * walk without locks, reached through tagged words:
 *   leaf:  value << 1 | 1, the answer for a whole region;
 *   dir:   a 64-byte aligned array of 256 words indexed by the next 8 address
 *          bits, tag = depth / 8 << 4 (the bits it consumes follow);
 *   range: the region cut into n ranges [key_i, key_i+1) with one value each
 *          (0 = no route of this chunk: take dflt, the best route of the
 *          ancestors covering the region), tag = levels << 1.
 * A range node is a static search tree of 64-byte lines: leaf lines hold 8
 * ranges (7 cut points and 8 values side by side), inner lines 16 children
 * (the byte distance from the line to its first child, the 16 children being
 * consecutive lines, then 15 cut points), so a lookup reads one line per
 * level (1-4 levels: up to 32768 ranges), finds the next one from the line
 * alone and gets the value with the last one. Cut points are
 * stored as (start - 1) ^ 0x80000000: "start <= addr" becomes a signed
 * "key < addr" SSE2 compare, and unused slots (INT32_MAX) never count, so no
 * bound is needed. The node's n, dflt and size sit in a header line just
 * before the tree, read only when a value is 0.
 * Only dflt (range) and the slots (dir) change in place, by atomic stores.
 */
#ifndef FERRY_FWD_LPM_NODE_H
#define FERRY_FWD_LPM_NODE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LPM_RANGE_MAX 32768 /* 16 * 16 * 16 * 8: four levels */
#define LPM_LEAF(v) (((uintptr_t)(v) << 1) | 1)
#define LPM_IS_LEAF(x) (((x) & 1) != 0)
#define LPM_LEAF_VALUE(x) ((uint32_t)((x) >> 1))
#define LPM_PTR(x) ((x) & ~(uintptr_t)63)
#define LPM_LEVELS(x) ((unsigned)((x) >> 1) & 7) /* 0 = dir */
#define LPM_DIR_SHIFT(x) (24 - 8 * (unsigned)(((x) >> 4) & 3))

/*
 * A range node for keys[0..n) (ascending, keys[0] = the region start) and
 * vals[0..n); its tagged word, or 0 on ENOMEM or n outside 1..LPM_RANGE_MAX.
 */
uintptr_t lpm_rnode_build(const uint32_t *keys, const uint32_t *vals, uint32_t n,
			  uint32_t dflt);
void lpm_rnode_set_dflt(uintptr_t x, uint32_t dflt);
/*
 * Patching a copy of a range node (the control thread's incremental commit):
 * the leaf line covering addr, decoded. The leaf covers [lo, hi]; its n
 * ranges start at start[0] = lo < start[1] < ...
 */
struct lpm_leaf_view {
	void *line;
	uint32_t lo, hi, n;
	uint32_t start[8], val[8];
};

/* A private copy of range node x (to patch before publishing); 0 on ENOMEM. */
uintptr_t lpm_rnode_copy(uintptr_t x);
void lpm_rnode_leaf(uintptr_t x, uint32_t addr, struct lpm_leaf_view *v);
/* Writes v back (1 <= v->n <= 8, v->start[0] == v->lo). */
void lpm_rnode_leaf_store(uintptr_t x, const struct lpm_leaf_view *v, uint32_t old_n);

/* An empty directory at depth 0, 8 or 16 (all slots leaf 0); its tagged word or 0. */
uintptr_t lpm_dir_new(unsigned depth);
static inline _Atomic uintptr_t *lpm_dir_slots(uintptr_t x)
{
	return (_Atomic uintptr_t *)LPM_PTR(x);
}
/* Bytes a node word holds (0 for leaves), and freeing it. */
size_t lpm_node_size(uintptr_t x);
void lpm_node_free(uintptr_t x);

/* The answer under a tagged word (root or slot) for addr. */
uint32_t lpm_node_lookup(uintptr_t x, uint32_t addr);
void lpm_node_batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n);
/* Tests: let the batch use AVX2 where the CPU has it (the default) or not (baseline SSE2). */
void lpm_node_allow_avx2(bool allow);

#endif
