/*
 * The VPN table (vpn.h): a chained hash keyed by RD and prefix, doubled as
 * it fills, with sorted snapshots for walks that may change the table and
 * for the API. Each route's placement list (which VRFs hold it) lives here
 * too; import.c keeps it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/log.h"
#include "vrfmgr/rtset.h"
#include "vrfmgr/slab.h"
#include "vrfmgr/vpn.h"

#define VPN_MIN_BUCKETS 64
#define VPN_PLACED_INLINE 4

static struct slab vpn_slab = SLAB_INIT(struct vpn_route);

/* The overlay of rd and prefix on msg (vpn.h) relies on these. */
_Static_assert(offsetof(struct ipc_vpn_route, prefix) == offsetof(struct prefix4, addr) + 8,
	       "prefix overlay");
_Static_assert(offsetof(struct ipc_vpn_route, plen) == offsetof(struct prefix4, len) + 8,
	       "plen overlay");

void vpn_table_init(struct vpn_table *t)
{
	memset(t, 0, sizeof(*t));
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
	for (size_t i = 0; i < t->nb; i++) {
		struct vpn_route *vr, *next;

		for (vr = t->b[i]; vr != NULL; vr = next) {
			next = vr->hnext;
			vpn_free_one(vr);
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

/*
 * The RD as one word and the prefix as another through a full 64-bit mix
 * (the low bits must depend on every input bit: prefixes share their low
 * byte, RDs their first six).
 */
static size_t vpn_hash(const struct rd *rd, const struct prefix4 *p, size_t nb)
{
	uint64_t h;

	memcpy(&h, rd->b, sizeof(h));
	h ^= (((uint64_t)p->addr << 6) | p->len) * 0x9E3779B97F4A7C15ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (size_t)h & (nb - 1);
}

struct vpn_route *vpn_find(const struct vpn_table *t, const struct rd *rd,
			   const struct prefix4 *p)
{
	struct vpn_route *vr;

	if (t->nb == 0)
		return NULL;
	for (vr = t->b[vpn_hash(rd, p, t->nb)]; vr != NULL; vr = vr->hnext)
		if (vr->prefix.addr == p->addr && vr->prefix.len == p->len &&
		    memcmp(vr->rd.b, rd->b, sizeof(rd->b)) == 0)
			return vr;
	return NULL;
}

/*
 * Zeroed memory; past 2 MB in transparent huge pages: a million-route
 * table's buckets are hit at random, and on a VM a TLB miss costs more than
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

static int vpn_grow(struct vpn_table *t)
{
	size_t nb = t->nb ? t->nb * 2 : VPN_MIN_BUCKETS;
	struct vpn_route **b = vpn_calloc(nb * sizeof(*b));

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < t->nb; i++) {
		struct vpn_route *vr, *next;

		for (vr = t->b[i]; vr != NULL; vr = next) {
			size_t h = vpn_hash(&vr->rd, &vr->prefix, nb);

			next = vr->hnext;
			vr->hnext = b[h];
			b[h] = vr;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

/* A new, empty entry for rd:p linked into t. */
static struct vpn_route *vpn_new(struct vpn_table *t, const struct rd *rd, const struct prefix4 *p)
{
	struct vpn_route *vr;
	size_t h;

	if ((t->count >= t->nb && vpn_grow(t) < 0 && t->nb == 0) ||
	    (vr = slab_alloc(&vpn_slab)) == NULL)
		return NULL;
	vr->rd = *rd;
	vr->prefix.addr = p->addr;
	vr->prefix.len = p->len;
	h = vpn_hash(rd, p, t->nb);
	vr->hnext = t->b[h];
	t->b[h] = vr;
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
	struct vpn_route **pp;

	for (pp = &t->b[vpn_hash(&vr->rd, &vr->prefix, t->nb)]; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == vr) {
			*pp = vr->hnext;
			t->count--;
			vpn_free_one(vr);
			return;
		}
	}
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
	struct vpn_route **v;
	size_t n = 0;

	*out = NULL;
	if (t->count == 0)
		return 0;
	if ((v = malloc(t->count * sizeof(*v))) == NULL) {
		log_warn("VPN table listing");
		return 0;
	}
	for (size_t i = 0; i < t->nb; i++)
		for (struct vpn_route *vr = t->b[i]; vr != NULL; vr = vr->hnext)
			v[n++] = vr;
	qsort(v, n, sizeof(*v), vpn_cmp);
	*out = v;
	return n;
}
