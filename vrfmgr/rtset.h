/*
 * Interned route-target sets. A million VPN routes from 1,000 RDs carry
 * 1,000 distinct RT sets; every VPN route and every VRF route holding one
 * shares a single counted copy instead of owning an array (32 bytes of
 * malloc each, twice per route). Sets are interned by content, in order
 * (one pointer for equal arrays); rtset_same compares them in any order.
 */
#ifndef FERRY_VRFMGR_RTSET_H
#define FERRY_VRFMGR_RTSET_H

#include <stdbool.h>
#include <stddef.h>

#include "common/rd.h"

/*
 * A counted reference on the interned copy of rts[0..n). NULL for n == 0
 * (nothing to hold) and when out of memory (logged).
 */
const struct ext_community *rtset_get(const struct ext_community *rts, size_t n);
/* Another reference on a set rtset_get returned (NULL: nothing). */
const struct ext_community *rtset_ref(const struct ext_community *set);
/*
 * Whether two interned sets (NULL: the empty one) hold the same route
 * targets in any order: RTs are a set, their order on the wire or in the
 * config means nothing. A route target given twice counts twice (as
 * interning does: [a, a] is not [a]).
 */
bool rtset_same(const struct ext_community *a, const struct ext_community *b);
/* The same for two arrays (the config's). */
bool rt_sets_equal(const struct ext_community *a, size_t na, const struct ext_community *b,
		   size_t nb);
/* Drops a reference; the last frees the set. NULL is ignored. */
void rtset_put(const struct ext_community *set);
/*
 * Under one set per 8 buckets (routes withdrawn): fewer buckets, two per
 * set, never under the minimum. The bytes given back (0: nothing to do).
 */
size_t rtset_shrink(void);
/* Distinct sets held (tests, metrics). */
size_t rtset_count(void);

#endif
