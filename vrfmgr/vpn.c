/*
 * The VPN table (vpn.h): open addressing keyed by RD and prefix, tags in
 * the slot words, removed entries' slots marked dead, rebuilt (and doubled
 * when needed) at 3/4 full counting the dead, and into a smaller array
 * when quiet and under 1/8 full (vpn_table_shrink); sorted snapshots for
 * walks that may change the table and for the API. Each route's placement
 * list (which VRFs hold it) lives here too; import.c keeps it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/hash.h"
#include "common/log.h"
#include "vrfmgr/rtset.h"
#include "vrfmgr/slab.h"
#include "vrfmgr/vpn.h"

#define VPN_MIN_SLOTS 64
#define VPN_PLACED_INLINE 4

static struct slab vpn_slab = SLAB_INIT(struct vpn_route);

_Static_assert(sizeof(uintptr_t) == 8, "slot words hold a 48-bit address and a 16-bit tag");
/* The overlay of rd and prefix on msg (vpn.h) relies on these. */
_Static_assert(offsetof(struct ipc_vpn_route, prefix) == offsetof(struct prefix4, addr) + 8,
	       "prefix overlay");
_Static_assert(offsetof(struct ipc_vpn_route, plen) == offsetof(struct prefix4, len) + 8,
	       "plen overlay");

void vpn_table_init(struct vpn_table *t)
{
	memset(t, 0, sizeof(*t));
}

/* A removed entry's slot: probes go on past it, inserts may take it. */
#define VPN_DEAD ((uintptr_t)1)
#define VPN_TAG_SHIFT 48
#define VPN_PTR_MASK ((UINT64_C(1) << VPN_TAG_SHIFT) - 1)

static struct vpn_route *slot_entry(const struct vpn_table *t, uintptr_t s)
{
	return (struct vpn_route *)(t->untagged ? s : (s & VPN_PTR_MASK));
}

static void vpn_free_one(struct vpn_route *vr)
{
	rtset_put(vr->rts);
	if (vr->n_placed > VPN_PLACED_INLINE)
		free(vr->placed.many);
	slab_free(&vpn_slab, vr);
}

void vpn_table_free(struct vpn_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i] > VPN_DEAD)
			vpn_free_one(slot_entry(t, t->slot[i]));
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/*
 * The RD as one word and the prefix as another through a full 64-bit mix
 * (the low bits, the home slot, and the top 16, the tag, must depend on
 * every input bit: prefixes share their low byte, RDs their first six).
 */
uint64_t vpn_key_hash(const struct rd *rd, const struct prefix4 *p)
{
	uint64_t h;

	memcpy(&h, rd->b, sizeof(h));
	h ^= (((uint64_t)p->addr << 6) | p->len) * 0x9E3779B97F4A7C15ull;
	return hash_mix64(h);
}

/* The slot word for vr with hash h: its address and, tagged, h's top 16 bits (never 0). */
static uintptr_t slot_word(const struct vpn_table *t, const struct vpn_route *vr, uint64_t h)
{
	uintptr_t tag = (uintptr_t)((h >> VPN_TAG_SHIFT) | 1);

	return t->untagged ? (uintptr_t)vr : (uintptr_t)vr | tag << VPN_TAG_SHIFT;
}

static bool slot_may_be(const struct vpn_table *t, uintptr_t s, uint64_t h)
{
	return t->untagged || (s >> VPN_TAG_SHIFT) == ((h >> VPN_TAG_SHIFT) | 1);
}

static bool vpn_key_is(const struct vpn_route *vr, const struct rd *rd, const struct prefix4 *p)
{
	return vr->prefix.addr == p->addr && vr->prefix.len == p->len &&
	       memcmp(vr->rd.b, rd->b, sizeof(rd->b)) == 0;
}

struct vpn_route *vpn_find(const struct vpn_table *t, const struct rd *rd,
			   const struct prefix4 *p)
{
	return t->cap != 0 ? vpn_find_hashed(t, rd, p, vpn_key_hash(rd, p)) : NULL;
}

struct vpn_route *vpn_find_hashed(const struct vpn_table *t, const struct rd *rd,
				  const struct prefix4 *p, uint64_t h)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = h & (t->cap - 1); t->slot[i] != 0; i = (i + 1) & (t->cap - 1)) {
		struct vpn_route *vr;

		if (t->slot[i] == VPN_DEAD || !slot_may_be(t, t->slot[i], h))
			continue;
		vr = slot_entry(t, t->slot[i]);
		if (vpn_key_is(vr, rd, p))
			return vr;
	}
	return NULL;
}

void vpn_prefetch(const struct vpn_table *t, uint64_t h, int level)
{
	size_t i, n;

	if (t->cap == 0)
		return;
	i = h & (t->cap - 1);
	if (level == 0) {
		__builtin_prefetch(&t->slot[i]);
		return;
	}
	/* A few slots on at most: a long run is rare at 3/4 full and not worth chasing. */
	for (n = 0; n < 4 && t->slot[i] != 0; n++, i = (i + 1) & (t->cap - 1))
		if (t->slot[i] != VPN_DEAD && slot_may_be(t, t->slot[i], h))
			__builtin_prefetch(slot_entry(t, t->slot[i]));
}

/*
 * Zeroed memory; past 2 MB in transparent huge pages: a million-route
 * table's slots are hit at random, and on a VM a TLB miss costs more than
 * the cache miss (25% of vpn_find's time at 1M).
 */
static void *vpn_calloc(size_t len)
{
	size_t huge = 2u << 20;
	void *p;

	if (len < huge)
		return calloc(1, len);
	len = (len + huge - 1) & ~(huge - 1);
	if ((p = aligned_alloc(huge, len)) != NULL) {
		madvise(p, len, MADV_HUGEPAGE);
		memset(p, 0, len);
	}
	return p;
}

/* Puts vr (not in the table) in the first empty or dead slot from its home. */
static void slot_put(struct vpn_table *t, struct vpn_route *vr, uint64_t h)
{
	size_t i = h & (t->cap - 1);

	while (t->slot[i] > VPN_DEAD)
		i = (i + 1) & (t->cap - 1);
	if (t->slot[i] == VPN_DEAD)
		t->n_dead--;
	t->slot[i] = slot_word(t, vr, h);
}

/*
 * The rebuild reads the slots in order but each entry (for its key) and
 * its new slot at random, a cache miss each (76% of vpn_put's time while a
 * million routes came in): fetch the entry 16 slots ahead, then, 8 ahead,
 * its new slot. Always inlined: GCC may drop a call that only prefetches.
 */
#define REHASH_AHEAD 16

static inline __attribute__((always_inline)) void rehash_prefetch(const struct vpn_table *t,
								  const struct vpn_table *old,
								  size_t i)
{
	const struct vpn_route *vr;

	if (i + REHASH_AHEAD < old->cap && old->slot[i + REHASH_AHEAD] > VPN_DEAD)
		__builtin_prefetch(slot_entry(old, old->slot[i + REHASH_AHEAD]));
	if (i + REHASH_AHEAD / 2 < old->cap && old->slot[i + REHASH_AHEAD / 2] > VPN_DEAD) {
		vr = slot_entry(old, old->slot[i + REHASH_AHEAD / 2]);
		__builtin_prefetch(&t->slot[vpn_key_hash(&vr->rd, &vr->prefix) & (t->cap - 1)], 1);
	}
}

/* Rebuilds the table into cap slots (a power of two with room), without dead slots. 0 or -1. */
static int vpn_rebuild(struct vpn_table *t, size_t cap)
{
	struct vpn_table old = *t;
	uintptr_t *slot;

	if ((slot = vpn_calloc(cap * sizeof(*slot))) == NULL)
		return -1;
	t->slot = slot;
	t->cap = cap;
	t->n_dead = 0;
	for (size_t i = 0; i < old.cap; i++) {
		struct vpn_route *vr;

		rehash_prefetch(t, &old, i);
		if (old.slot[i] <= VPN_DEAD)
			continue;
		vr = slot_entry(&old, old.slot[i]);
		slot_put(t, vr, vpn_key_hash(&vr->rd, &vr->prefix));
	}
	free(old.slot);
	return 0;
}

/*
 * Rebuilds the table without its dead slots, twice as large when the live
 * entries alone would fill more than 3/8 of it (so it ends at most 3/4
 * full). 0 or -1.
 */
static int vpn_rehash(struct vpn_table *t)
{
	size_t cap = t->cap ? t->cap : VPN_MIN_SLOTS;

	if ((t->count + 1) * 8 > cap * 3)
		cap *= 2;
	return vpn_rebuild(t, cap);
}

size_t vpn_table_shrink(struct vpn_table *t)
{
	/* at most 1/4 full: far from both thresholds */
	size_t cap = hash_shrink_size(t->cap, t->count, VPN_MIN_SLOTS, 4), was = t->cap;

	if (cap == 0)
		return 0;
	if (vpn_rebuild(t, cap) < 0)
		return 0; /* out of memory: the table stays as it was, only larger */
	return (was - cap) * sizeof(*t->slot);
}

/* Stops tagging (an address above 48 bits): every slot word becomes the bare address. */
static void vpn_untag(struct vpn_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i] > VPN_DEAD)
			t->slot[i] &= VPN_PTR_MASK;
	t->untagged = true;
}

/* A new, empty entry for rd:p placed in t. */
static struct vpn_route *vpn_new(struct vpn_table *t, const struct rd *rd, const struct prefix4 *p)
{
	struct vpn_route *vr;

	if (((t->count + t->n_dead + 1) * 4 > t->cap * 3 && vpn_rehash(t) < 0) ||
	    (vr = slab_alloc(&vpn_slab)) == NULL)
		return NULL;
	if (!t->untagged && ((uintptr_t)vr & ~(uintptr_t)VPN_PTR_MASK) != 0)
		vpn_untag(t);
	vr->rd = *rd;
	vr->prefix.addr = p->addr;
	vr->prefix.len = p->len;
	slot_put(t, vr, vpn_key_hash(rd, p));
	t->count++;
	return vr;
}
struct vpn_route *vpn_put(struct vpn_table *t, const struct ipc_vpn_route *r,
			  const struct ext_community *rts)
{
	struct prefix4 p = { .addr = r->prefix, .len = r->plen };
	const struct ext_community *set = rtset_get(rts, r->n_rts);
	struct vpn_route *vr;
	struct rd rd;

	prefix4_normalize(&p);
	memcpy(rd.b, r->rd, sizeof(rd.b));
	if (r->n_rts > 0 && set == NULL)
		goto nomem;
	vr = vpn_find(t, &rd, &p);
	if (vr == NULL && (vr = vpn_new(t, &rd, &p)) == NULL)
		goto nomem;
	rtset_put(vr->rts);
	vr->msg = *r;
	vr->msg.prefix = p.addr; /* normalized; rd, plen as they were */
	vr->rts = set;
	vr->n_rts = r->n_rts;
	vr->problem = NULL;
	vr->stale = false;
	return vr;
nomem:
	log_warn("VPN table");
	rtset_put(set);
	return NULL;
}

void vpn_remove(struct vpn_table *t, struct vpn_route *vr)
{
	size_t mask = t->cap - 1, i;

	if (t->cap == 0)
		return;
	/*
	 * Its slot, found by address (no other entry read), becomes dead: a
	 * backward shift would read every entry after it in the run to learn
	 * its home, a cache miss each. Dead slots go at the next rehash.
	 */
	for (i = vpn_key_hash(&vr->rd, &vr->prefix) & mask; t->slot[i] != 0; i = (i + 1) & mask) {
		if (t->slot[i] > VPN_DEAD && slot_entry(t, t->slot[i]) == vr) {
			t->slot[i] = VPN_DEAD;
			t->count--;
			t->n_dead++;
			vpn_free_one(vr);
			return;
		}
	}
}

struct vpn_route *vpn_next(const struct vpn_table *t, size_t *pos)
{
	while (*pos < t->cap) {
		uintptr_t s = t->slot[(*pos)++];

		if (s > VPN_DEAD)
			return slot_entry(t, s);
	}
	return NULL;
}

const uint16_t *vpn_placed(const struct vpn_route *vr, size_t *n)
{
	*n = vr->n_placed;
	return vr->n_placed > VPN_PLACED_INLINE ? vr->placed.many : vr->placed.one;
}

/* Room for one more id (moving to, or growing, the heap array). 0 or -ENOMEM. */
static int vpn_place_room(struct vpn_route *vr)
{
	size_t n = vr->n_placed;
	uint16_t *a;

	if (n < VPN_PLACED_INLINE)
		return 0;
	if (n == VPN_PLACED_INLINE) {
		if ((a = malloc(2 * VPN_PLACED_INLINE * sizeof(*a))) == NULL)
			return -ENOMEM;
		memcpy(a, vr->placed.one, sizeof(vr->placed.one));
		vr->placed.many = a;
	} else if ((n & (n - 1)) == 0) { /* full power of two */
		if (n >= UINT16_MAX || (a = realloc(vr->placed.many, 2 * n * sizeof(*a))) == NULL)
			return -ENOMEM;
		vr->placed.many = a;
	}
	return 0;
}

int vpn_place(struct vpn_route *vr, uint16_t id)
{
	size_t i, n;
	const uint16_t *ids = vpn_placed(vr, &n);

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 0;
	if (vpn_place_room(vr) < 0) {
		log_warn("VPN route placement");
		return -ENOMEM;
	}
	if (vr->n_placed >= VPN_PLACED_INLINE)
		vr->placed.many[vr->n_placed] = id;
	else
		vr->placed.one[vr->n_placed] = id;
	vr->n_placed++;
	return 0;
}

void vpn_place_filter(struct vpn_route *vr, bool (*keep)(uint16_t id, void *arg), void *arg)
{
	size_t i, j = 0, n;
	uint16_t *ids = (uint16_t *)vpn_placed(vr, &n);

	for (i = 0; i < n; i++)
		if (keep(ids[i], arg))
			ids[j++] = ids[i];
	/*
	 * Back inline when it fits; a heap array kept for fewer ids is still at
	 * least the power of two vpn_place_room expects.
	 */
	if (n > VPN_PLACED_INLINE && j <= VPN_PLACED_INLINE) {
		uint16_t *heap = vr->placed.many;

		memcpy(vr->placed.one, heap, j * sizeof(*heap));
		free(heap);
	}
	vr->n_placed = (unsigned)j;
}

static int vpn_cmp(const void *a, const void *b)
{
	const struct vpn_route *x = *(struct vpn_route *const *)a;
	const struct vpn_route *y = *(struct vpn_route *const *)b;
	int c = memcmp(x->rd.b, y->rd.b, sizeof(x->rd.b));

	if (c != 0)
		return c;
	if (x->prefix.addr != y->prefix.addr)
		return x->prefix.addr < y->prefix.addr ? -1 : 1;
	return (int)x->prefix.len - (int)y->prefix.len;
}

size_t vpn_list(const struct vpn_table *t, struct vpn_route ***out)
{
	struct vpn_route **v, *vr;
	size_t n = 0;

	*out = NULL;
	if (t->count == 0)
		return 0;
	if ((v = malloc(t->count * sizeof(*v))) == NULL) {
		log_warn("VPN table listing");
		return 0;
	}
	for (size_t pos = 0; (vr = vpn_next(t, &pos)) != NULL;)
		v[n++] = vr;
	qsort(v, n, sizeof(*v), vpn_cmp);
	*out = v;
	return n;
}
