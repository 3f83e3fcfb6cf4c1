/*
 * The lookup side of lpm.c (internal to lpm*.c): immutable nodes that readers
 * walk without locks. A tagged word is either a leaf (value << 1 | 1: the
 * answer for a whole region) or a pointer to a node:
 *   dir:   256 tagged words indexed by the next 8 address bits;
 *   range: the region cut into n ranges [key_i, key_i+1) with one value each
 *          (0 = no route inside this chunk: take dflt, the best route of the
 *          ancestors covering the region). The keys form a static 16-ary
 *          search tree of up to three levels (s2 -> s1 -> keys), each level
 *          one 64-byte line searched with SSE2 compares, then one value
 *          load: at most five lines per lookup, the top two shared by every
 *          lookup in the VRF.
 * Only dflt (range) and the slots (dir) change in place, by atomic stores.
 */
#ifndef FERRY_FWD_LPM_NODE_H
#define FERRY_FWD_LPM_NODE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define LPM_NODE_RANGE 1
#define LPM_NODE_DIR 2
#define LPM_RANGE_MAX 4096 /* 16^3: three levels of 16-key lines */
#define LPM_LEAF(v) (((uintptr_t)(v) << 1) | 1)
#define LPM_IS_LEAF(x) (((x) & 1) != 0)
#define LPM_LEAF_VALUE(x) ((uint32_t)((x) >> 1))

struct lpm_rnode {
	uint8_t type;   /* LPM_NODE_RANGE */
	uint8_t levels; /* 1..3 */
	uint16_t nb;    /* blocks of 16 keys */
	uint32_t n;     /* ranges */
	_Atomic uint32_t dflt;
	uint32_t size;  /* bytes allocated */
	uint32_t off_s1, off_keys, off_vals;
	uint32_t pad;
	int32_t s2[];   /* levels 3 only: 16 keys; keys are stored as addr ^ 0x80000000 */
};

struct lpm_dir {
	uint8_t type;  /* LPM_NODE_DIR */
	uint8_t shift; /* slot = (addr >> shift) & 255 */
	_Atomic uintptr_t slot[256];
};

/*
 * A range node for keys[0..n) (ascending, keys[0] = the region start) and
 * vals[0..n); NULL on ENOMEM or n outside 1..LPM_RANGE_MAX.
 */
struct lpm_rnode *lpm_rnode_build(const uint32_t *keys, const uint32_t *vals, uint32_t n,
				  uint32_t dflt);
struct lpm_dir *lpm_dir_new(uint8_t depth);
uint32_t lpm_rnode_lookup(const struct lpm_rnode *r, uint32_t addr);
/* The answer under a tagged word (root or slot) for addr. */
uint32_t lpm_node_lookup(uintptr_t x, uint32_t addr);
void lpm_node_batch(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n);

#endif
