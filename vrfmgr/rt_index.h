/*
 * The import index: route target -> the VRFs importing it, and VRF id ->
 * its slot in the VRF array. Importing a VPN route then touches only the
 * VRFs whose import RTs meet the route's RTs, not every VRF (1,000 VRFs
 * made that 10^9 hash probes for 1M routes). It is rebuilt from the VRF
 * array whenever a VRF comes, goes or changes its config (rt_index_stale);
 * that is rare and costs the sum of the import RTs.
 */
#ifndef FERRY_VRFMGR_RT_INDEX_H
#define FERRY_VRFMGR_RT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rd.h"

struct vrf;
struct rtix_entry;

struct rt_index {
	struct rtix_entry *e; /* open addressing, a power of two */
	size_t cap, n;
	uint32_t *slot_by_id; /* VRF id -> slot + 1 (0: no such VRF) */
	size_t n_ids;
	bool ready;           /* false: rebuild before use */
};

/* Builds the index of vrfs[0..n) (VRFs without config or dying left out). 0 or -ENOMEM. */
int rt_index_build(struct rt_index *ix, const struct vrf *vrfs, size_t n);
void rt_index_free(struct rt_index *ix);
/*
 * Adds the VRF just appended to the array (slot: the last) without a
 * rebuild: a reload adding 2,000 VRFs to 8,000 rebuilt the index 2,000
 * times. Not ready, its id listed already or out of memory: -errno and the
 * index is left to a rebuild.
 */
int rt_index_append(struct rt_index *ix, const struct ext_community *rts, size_t n_rts,
		    uint32_t slot, uint32_t id);
/* The slots of the VRFs importing rt, ascending (*n 0: none). */
const uint32_t *rt_index_vrfs(const struct rt_index *ix, const struct ext_community *rt,
			      size_t *n);
/* Whether the VRF in slot imports one of rts[0..n). */
bool rt_index_imports(const struct rt_index *ix, uint32_t slot, const struct ext_community *rts,
		      size_t n);
/* The slot of VRF id, or -1. */
long rt_index_slot(const struct rt_index *ix, uint32_t id);

#endif
