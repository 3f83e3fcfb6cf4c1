/*
 * Internals shared by lpm.c (tables, route lists, lookups) and lpm_commit.c
 * (publishing changes): the control nodes that mirror the lookup nodes.
 */
#ifndef FERRY_FWD_LPM_INT_H
#define FERRY_FWD_LPM_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rcu;

#define STRIDE 8
enum { CN_RANGE = 1, CN_DIR };
/* Ranges in one chunk before it splits: bounds what one rebuild copies (64 KB). */
#define CHUNK_MAX 8192
/*
 * Routes in one chunk before it splits, whatever its ranges: routes with
 * one answer (a label per VRF) merge into few ranges, and a chunk holding a
 * million of them would be rebuilt whole at every commit. Not lower: a
 * commit copies every chunk it touches (14 KB for a VRF of 1,000 routes),
 * and 256 made 1M routes over 1,000 VRFs go in and out 4x faster, but
 * bench/fwd-lookup's clustered VRFs then split into directories of small
 * chunks: 124 bytes a route instead of 29, lookups 69 ns instead of 24.
 */
#define CHUNK_MAX_ROUTES 8192

struct lpm_route {
	uint32_t prefix;
	uint32_t value;
	uint16_t tag;
	uint8_t plen;
	uint8_t pad;
};

#define PEND_MAX 4 /* changed prefixes remembered for an incremental commit */

struct lpm_cnode {
	uint8_t kind;  /* CN_RANGE or CN_DIR */
	uint8_t depth; /* the region is base/depth */
	bool dirty;
	bool rebuild;  /* the next commit rebuilds the chunk (pend[] is not enough) */
	uint8_t n_pend;
	uint8_t pend_plen[PEND_MAX];
	uint32_t pend_prefix[PEND_MAX];
	uint32_t base;
	uint32_t dflt; /* best route of the ancestors covering the region; 0 = none */
	struct lpm_route *r;
	uint32_t n, cap;
	/*
	 * Deleted routes stay in r as value 0 (every reader skips them) until a
	 * commit finds them half the list and squeezes them out in one pass:
	 * removing each at once shifted the whole list, quadratic when a
	 * million routes leave a chunk front first.
	 */
	uint32_t n_dead;
	/*
	 * Bit l set: r may hold a route of length l (set on insert, exact again
	 * after a compaction). Looking for the routes covering a prefix then
	 * skips the lengths the chunk has none of: for a table of /24s, all 24.
	 */
	uint64_t plens;
	struct lpm_cnode *parent;
	struct lpm_cnode **child; /* dir: [256] */
	uintptr_t live;           /* the published node, 0 while there is none */
	struct lpm_cnode *next_dirty;
};

struct lpm {
	_Atomic uintptr_t own_root;
	_Atomic uintptr_t *root; /* &own_root, or the caller's word */
	struct lpm_cnode *croot; /* NULL while empty */
	struct lpm_cnode *dirty;
	size_t count;
	size_t bytes;
	struct rcu *rcu;
};

static inline uint32_t mask_of(unsigned plen)
{
	return plen == 0 ? 0 : 0xFFFFFFFFu << (32 - plen);
}

static inline unsigned slot_of(uint32_t addr, unsigned depth)
{
	return (addr >> (24 - depth)) & 255;
}

/* Shared by lpm.c and lpm_commit.c. */
void lpm_retire(struct lpm *t, uintptr_t x);
void lpm_mark_dirty(struct lpm *t, struct lpm_cnode *c);
struct lpm_cnode *lpm_cnode_new(struct lpm *t, struct lpm_cnode *parent, uint8_t depth,
				uint32_t base, uint32_t dflt, bool dirty);
uint32_t lpm_list_find(const struct lpm_cnode *c, uint32_t prefix, uint8_t plen, bool *found);
/* The longest live route of c's own list covering prefix with a length up to hi (-1: none), or 0. */
uint32_t lpm_list_cover(const struct lpm_cnode *c, uint32_t prefix, int hi);
int lpm_list_insert(struct lpm *t, struct lpm_cnode *c, uint32_t at, const struct lpm_route *r);
void lpm_list_compact(struct lpm *t, struct lpm_cnode *c);
/* Recomputes c->plens from its list. */
void lpm_list_plens(struct lpm_cnode *c);

#endif
