/*
 * A VRF's prefix table: a chained hash keyed by prefix, grown as it fills.
 * Lookups are exact (longest-prefix match is the dataplane's job); listings
 * are sorted on demand, which only the API and replays need.
 */
#ifndef FERRY_VRFMGR_RTABLE_H
#define FERRY_VRFMGR_RTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/prefix.h"

struct vrf_prefix;

struct rtable {
	struct vrf_prefix **b;
	size_t nb;
	size_t count;
};

void rtable_init(struct rtable *t);
/* Frees the buckets only: entries belong to the caller. */
void rtable_free(struct rtable *t);
struct vrf_prefix *rtable_find(const struct rtable *t, const struct prefix4 *p);
/*
 * A hint for a lookup of p coming soon (bgpd_link.c, a few messages ahead):
 * level 0 fetches p's bucket, 1 the first entry of its chain (reading the
 * bucket), 2 the first candidate route of p's entry (walking the chain:
 * past its first entry, the walk reads lines nothing fetched). Changes
 * nothing.
 */
void rtable_prefetch(const struct rtable *t, const struct prefix4 *p, int level);
/* Finds or creates an empty entry. NULL when out of memory (logged). */
struct vrf_prefix *rtable_get(struct rtable *t, const struct prefix4 *p);
/* Unlinks and frees an entry (it must hold no routes). */
void rtable_remove(struct rtable *t, struct vrf_prefix *vp);
/*
 * Under one entry per 8 buckets (routes withdrawn), fewer buckets: at most
 * two per entry, never under the minimum. The bytes given back (0: nothing
 * to do, or out of memory, the table unchanged).
 */
size_t rtable_shrink(struct rtable *t);
/*
 * A malloc'd snapshot of the entries sorted by address then length (caller
 * frees). Entries may be removed while walking it, each only after its turn.
 * Returns the count; *out is NULL for an empty table or when out of memory.
 */
size_t rtable_sorted(const struct rtable *t, struct vrf_prefix ***out);
/*
 * How many entries pred takes (given arg), visited in bucket order: a count
 * needs neither the sorted snapshot's copy and sort nor its memory.
 */
size_t rtable_count(const struct rtable *t,
		    bool (*pred)(const struct vrf_prefix *vp, const void *arg), const void *arg);

#endif
