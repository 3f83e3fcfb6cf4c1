/*
 * Interned route-target sets (rtset.h): a chained hash of counted arrays,
 * keyed by content, doubled as it fills (fewer again when quiet and under
 * 1/8 full: rtset_shrink). One table per process: VPN routes
 * and VRF routes of every table share it, which is what saves the memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/log.h"
#include "vrfmgr/rtset.h"

struct rtset {
	struct rtset *hnext;
	uint64_t hash;
	uint64_t unordered; /* rts_unordered_hash: equal for the same RTs in any order */
	uint32_t refs;
	uint32_t n;
	struct ext_community rts[];
};

static struct {
	struct rtset **b;
	size_t nb, count;
} sets;

#define RTSET_MIN_BUCKETS 64

/*
 * Every input bit must reach the low bits (the bucket index): route targets
 * differ in their last bytes, the top of the little-endian word, which a
 * multiply alone carries upwards only (that put 1,000 sets in one chain).
 */

static uint64_t rtset_hash(const struct ext_community *rts, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;

	for (size_t i = 0; i < n; i++) {
		uint64_t k;

		memcpy(&k, rts[i].b, sizeof(k));
		h = hash_mix64(h ^ k);
	}
	return h;
}

/* A sum of each RT's mix: the order does not change it, a duplicate does. */
static uint64_t rts_unordered_hash(const struct ext_community *rts, size_t n)
{
	uint64_t h = n;

	for (size_t i = 0; i < n; i++) {
		uint64_t k;

		memcpy(&k, rts[i].b, sizeof(k));
		h += hash_mix64(k);
	}
	return h;
}

static struct rtset *rtset_of(const struct ext_community *set)
{
	return (struct rtset *)((const char *)set - offsetof(struct rtset, rts));
}

/* The sets linked into nb buckets (a power of two). 0 or -1. */
static int rtset_resize(size_t nb)
{
	struct rtset **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < sets.nb; i++) {
		struct rtset *s, *next;

		for (s = sets.b[i]; s != NULL; s = next) {
			next = s->hnext;
			s->hnext = b[s->hash & (nb - 1)];
			b[s->hash & (nb - 1)] = s;
		}
	}
	free(sets.b);
	sets.b = b;
	sets.nb = nb;
	return 0;
}

static int rtset_grow(void)
{
	return rtset_resize(sets.nb ? sets.nb * 2 : RTSET_MIN_BUCKETS);
}

size_t rtset_shrink(void)
{
	size_t was = sets.nb, nb = hash_shrink_size(was, sets.count, RTSET_MIN_BUCKETS, 2);

	if (nb == 0)
		return 0;
	return rtset_resize(nb) == 0 ? (was - nb) * sizeof(*sets.b) : 0;
}

const struct ext_community *rtset_get(const struct ext_community *rts, size_t n)
{
	uint64_t h;
	struct rtset *s;

	if (n == 0)
		return NULL;
	h = rtset_hash(rts, n);
	if (sets.nb > 0)
		for (s = sets.b[h & (sets.nb - 1)]; s != NULL; s = s->hnext)
			if (s->hash == h && s->n == n && memcmp(s->rts, rts, n * sizeof(*rts)) == 0) {
				s->refs++;
				return s->rts;
			}
	if ((sets.count >= sets.nb && rtset_grow() < 0 && sets.nb == 0) ||
	    (s = malloc(sizeof(*s) + n * sizeof(*rts))) == NULL) {
		log_warn("route target set");
		return NULL;
	}
	s->hash = h;
	s->unordered = rts_unordered_hash(rts, n);
	s->refs = 1;
	s->n = (uint32_t)n;
	memcpy(s->rts, rts, n * sizeof(*rts));
	s->hnext = sets.b[h & (sets.nb - 1)];
	sets.b[h & (sets.nb - 1)] = s;
	sets.count++;
	return s->rts;
}

static size_t rt_count(const struct ext_community *rt, const struct ext_community *rts, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += memcmp(rt->b, rts[i].b, sizeof(rt->b)) == 0;
	return c;
}

/* Quadratic, for the few RTs a route has; rtset_same calls it only on equal hashes. */
bool rt_sets_equal(const struct ext_community *a, size_t na, const struct ext_community *b,
		   size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (rt_count(&a[i], a, na) != rt_count(&a[i], b, nb))
			return false;
	return true;
}

bool rtset_same(const struct ext_community *a, const struct ext_community *b)
{
	const struct rtset *sa, *sb;

	if (a == b)
		return true; /* interned: the same array, one pointer */
	if (a == NULL || b == NULL)
		return false;
	sa = rtset_of(a);
	sb = rtset_of(b);
	return sa->n == sb->n && sa->unordered == sb->unordered &&
	       rt_sets_equal(a, sa->n, b, sb->n);
}

const struct ext_community *rtset_ref(const struct ext_community *set)
{
	if (set != NULL)
		rtset_of(set)->refs++;
	return set;
}

void rtset_put(const struct ext_community *set)
{
	struct rtset *s, **pp;

	if (set == NULL || --(s = rtset_of(set))->refs > 0)
		return;
	for (pp = &sets.b[s->hash & (sets.nb - 1)]; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
	free(s);
	if (--sets.count == 0) { /* nothing left: no buckets lingering for leak checkers */
		free(sets.b);
		sets.b = NULL;
		sets.nb = 0;
	}
}

size_t rtset_count(void)
{
	return sets.count;
}
