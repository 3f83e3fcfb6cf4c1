/*
 * The MPLS label allocator: labels from the configured range
 * (label_min..label_max), lowest free first, so a fresh start allocates per-VRF
 * labels in config order (pe1: A=100, B=101). The table is what the LFIB
 * holds for vrfmgr's labels and what GET /labels lists.
 */
#ifndef FERRY_VRFMGR_LABEL_H
#define FERRY_VRFMGR_LABEL_H

#include <stddef.h>
#include <stdint.h>

struct label_entry {
	uint32_t label;
	uint32_t vrf_id; /* per-VRF label: pop, then look up in this VRF */
};

struct label_alloc {
	uint32_t min, max;
	struct label_entry *v; /* sorted by label */
	size_t n, cap;
};

/* Clamps the range to the unreserved labels (16..2^20-1). */
void label_alloc_init(struct label_alloc *la, uint32_t min, uint32_t max);
void label_alloc_free(struct label_alloc *la);
/* The lowest free label, bound to vrf_id; MPLS_LABEL_NONE when the range is used up. */
uint32_t label_alloc_vrf(struct label_alloc *la, uint32_t vrf_id);
/* 0, or -ENOENT when label was not allocated. */
int label_release(struct label_alloc *la, uint32_t label);
const struct label_entry *label_lookup(const struct label_alloc *la, uint32_t label);

#endif
