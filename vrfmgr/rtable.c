/*
 * The per-VRF prefix hash. Chained buckets, doubled when the load passes 1,
 * and fewer when quiet and under 1/8 (rtable_shrink),
 * hashed on address and length (Fibonacci multiply: prefixes are clustered
 * in the low and high bits, the multiply spreads them).
 */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/log.h"
#include "vrfmgr/rtable.h"
#include "vrfmgr/slab.h"
#include "vrfmgr/vrf.h"

#define RTABLE_MIN_BUCKETS 16

static struct slab prefix_slab = SLAB_INIT(struct vrf_prefix);

static size_t rtable_hash(const struct prefix4 *p, size_t nb)
{
	uint64_t k = ((uint64_t)p->addr << 6) | p->len;

	return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 32) & (nb - 1);
}

void rtable_init(struct rtable *t)
{
	memset(t, 0, sizeof(*t));
}

void rtable_free(struct rtable *t)
{
	free(t->b);
	memset(t, 0, sizeof(*t));
}

struct vrf_prefix *rtable_find(const struct rtable *t, const struct prefix4 *p)
{
	struct vrf_prefix *vp;

	if (t->nb == 0)
		return NULL;
	for (vp = t->b[rtable_hash(p, t->nb)]; vp != NULL; vp = vp->hnext)
		if (vp->prefix.addr == p->addr && vp->prefix.len == p->len)
			return vp;
	return NULL;
}

void rtable_prefetch(const struct rtable *t, const struct prefix4 *p, int level)
{
	struct vrf_prefix *const *b;

	if (t->nb == 0)
		return;
	b = &t->b[rtable_hash(p, t->nb)];
	if (level == 0)
		__builtin_prefetch(b);
	else if (level == 1 && *b != NULL)
		__builtin_prefetch(*b);
	else if (level == 2) {
		const struct vrf_prefix *vp = rtable_find(t, p);

		if (vp != NULL && vp->routes != NULL)
			__builtin_prefetch(vp->routes);
	}
}

static int rtable_resize(struct rtable *t, size_t nb)
{
	struct vrf_prefix **b = calloc(nb, sizeof(*b));
	size_t i;

	if (b == NULL) {
		log_warn("route table");
		return -1;
	}
	for (i = 0; i < t->nb; i++) {
		struct vrf_prefix *vp, *next;

		for (vp = t->b[i]; vp != NULL; vp = next) {
			size_t h = rtable_hash(&vp->prefix, nb);

			next = vp->hnext;
			vp->hnext = b[h];
			b[h] = vp;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

struct vrf_prefix *rtable_get(struct rtable *t, const struct prefix4 *p)
{
	struct vrf_prefix *vp = rtable_find(t, p);
	size_t h;

	if (vp != NULL)
		return vp;
	if (t->count >= t->nb &&
	    rtable_resize(t, t->nb ? t->nb * 2 : RTABLE_MIN_BUCKETS) < 0 && t->nb == 0)
		return NULL;
	vp = slab_alloc(&prefix_slab);
	if (vp == NULL) {
		log_warn("route table");
		return NULL;
	}
	vp->prefix = *p;
	h = rtable_hash(p, t->nb);
	vp->hnext = t->b[h];
	t->b[h] = vp;
	t->count++;
	return vp;
}

void rtable_remove(struct rtable *t, struct vrf_prefix *vp)
{
	struct vrf_prefix **pp;

	if (t->nb == 0)
		return;
	for (pp = &t->b[rtable_hash(&vp->prefix, t->nb)]; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == vp) {
			*pp = vp->hnext;
			t->count--;
			slab_free(&prefix_slab, vp);
			return;
		}
	}
}

size_t rtable_shrink(struct rtable *t)
{
	size_t nb = hash_shrink_size(t->nb, t->count, RTABLE_MIN_BUCKETS, 2), was = t->nb;

	if (nb == 0 || rtable_resize(t, nb) < 0)
		return 0;
	return (was - nb) * sizeof(*t->b);
}

static int rtable_cmp(const void *a, const void *b)
{
	const struct vrf_prefix *x = *(struct vrf_prefix *const *)a;
	const struct vrf_prefix *y = *(struct vrf_prefix *const *)b;

	if (x->prefix.addr != y->prefix.addr)
		return x->prefix.addr < y->prefix.addr ? -1 : 1;
	return (int)x->prefix.len - (int)y->prefix.len;
}

size_t rtable_sorted(const struct rtable *t, struct vrf_prefix ***out)
{
	struct vrf_prefix **v;
	size_t i, n = 0;

	*out = NULL;
	if (t->count == 0)
		return 0;
	v = malloc(t->count * sizeof(*v));
	if (v == NULL) {
		log_warn("route table listing");
		return 0;
	}
	for (i = 0; i < t->nb; i++) {
		struct vrf_prefix *vp;

		for (vp = t->b[i]; vp != NULL; vp = vp->hnext)
			v[n++] = vp;
	}
	qsort(v, n, sizeof(*v), rtable_cmp);
	*out = v;
	return n;
}

size_t rtable_count(const struct rtable *t,
		    bool (*pred)(const struct vrf_prefix *vp, const void *arg), const void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nb; i++)
		for (const struct vrf_prefix *vp = t->b[i]; vp != NULL; vp = vp->hnext)
			n += pred(vp, arg);
	return n;
}
