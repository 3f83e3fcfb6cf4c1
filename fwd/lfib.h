/*
 * The LFIB: incoming label -> what to do with the packet. Workers read it
 * without locks: an entry is never changed once published, a new one
 * replaces it with one atomic store and the old one is freed through RCU;
 * the array grows by publishing a larger copy the same way.
 */
#ifndef FERRY_FWD_LFIB_H
#define FERRY_FWD_LFIB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd/fwd.h"

struct nexthop;

struct lfib_entry {
	uint32_t in_label;
	uint32_t action;    /* enum ipc_lfib_action */
	uint32_t vrf_id;    /* POP_LOOKUP */
	uint32_t out_label; /* SWAP; MPLS_LABEL_IMPLICIT_NULL = pop (PHP) */
	struct nexthop *nh; /* POP_FORWARD, SWAP: counted reference */
	uint32_t gen;
	bool is_static;     /* from the config: never swept */
	/*
	 * The label's counters (ctr.h) when this meaning of it began: set when
	 * the label is programmed with another action, VRF, next hop or out
	 * label than before (or anew), kept across refreshes of the same one.
	 */
	uint64_t base_packets, base_bytes, base_lookups;
};

/* A direct array over 0..cap-1: O(1) per packet; grows to the largest label in use. */
struct lfib_tab {
	uint32_t cap;
	_Atomic(struct lfib_entry *) e[];
};

struct lfib {
	_Atomic(struct lfib_tab *) tab; /* NULL until the first entry */
	size_t count;
	/*
	 * Per VRF id, the labels whose entries pop into it (POP_LOOKUP): what
	 * its lookups_from_core is worked out from (ctr.h). A list through
	 * label numbers, 0 ending it (no entry has a reserved label):
	 * pop_head[FIB_VRF_ID_MAX + 1], pop_next[the table's cap]. Beside the
	 * entries, not in them: an entry stays in one 64-byte malloc chunk,
	 * laid out in memory as before. Control thread only.
	 */
	uint32_t *pop_head, *pop_next;
};

/* The entry for label in table t (which may be NULL: no table yet), or NULL. */
static inline const struct lfib_entry *lfib_tab_lookup(const struct lfib_tab *t, uint32_t label)
{
	if (t == NULL || label >= t->cap)
		return NULL;
	return atomic_load_explicit(&t->e[label], memory_order_acquire);
}

/* Any thread; the entry stays valid until the reader's next quiescent point. */
static inline const struct lfib_entry *lfib_lookup(const struct lfib *l, uint32_t label)
{
	return lfib_tab_lookup(atomic_load_explicit(&l->tab, memory_order_acquire), label);
}

struct lfib *lfib_new(void);
/* Frees every entry, releasing their next hops. */
void lfib_free(struct fwd *f, struct lfib *l);

/*
 * Adds or replaces the entry for in_label (a copy of e, taking a reference
 * on nh_id for POP_FORWARD/SWAP). 0 or -errno (logged).
 */
int lfib_set(struct fwd *f, const struct lfib_entry *e, uint32_t nh_id);
/* 0, or -ENOENT. */
int lfib_del(struct fwd *f, uint32_t in_label);

/* Calls cb for each entry in label order. */
void lfib_foreach(const struct fwd *f, void (*cb)(const struct lfib_entry *e, void *ctx), void *ctx);
size_t lfib_count(const struct fwd *f);
/* Deletes the POP_FORWARD entries to a CE on ifname not refreshed in generation gen; how many. */
size_t lfib_sweep_out_of(struct fwd *f, const char *ifname, uint32_t gen);
/* Deletes the entries that pop into VRF vrf_id (POP_LOOKUP); how many. */
size_t lfib_del_vrf(struct fwd *f, uint32_t vrf_id);
/* Deletes every non-static entry not refreshed in generation gen. */
void lfib_sweep(struct fwd *f, uint32_t gen);

const char *lfib_action_name(const struct lfib_entry *e);
/*
 * The VRF lookups made after popping the labels that pop into vrf_id now,
 * each since its entry's meaning began (the rest of the VRF's
 * lookups_from_core was folded into the control thread's set: ctr.h).
 */
uint64_t lfib_vrf_lookups(const struct fwd *f, uint32_t vrf_id);
/* Packets and bytes that arrived with e's label since e's meaning was programmed. */
void lfib_entry_counters(const struct fwd *f, const struct lfib_entry *e, uint64_t *packets,
			 uint64_t *bytes);

#endif
