/*
 * Per-VRF and per-label packet counters (GET /counters, /lfib, /metrics).
 *
 * Every thread that forwards (the control thread, each worker) has its own
 * set: one 64-byte line per VRF id and 32 bytes per label, in arrays over
 * the whole id and label range. The arrays are anonymous mappings, so only
 * the pages of ids and labels actually used ever take memory, and they never
 * move or grow under a worker (no RCU, no resizing race). A thread writes
 * only its own set (relaxed stores, as for the interface counters); readers
 * (the API, on the control thread) add the sets up when asked. The vector
 * path (vector.c) counts a run of IPv4 frames received on one link (one
 * VRF) once: a batch from one link costs one update, not one per frame;
 * MPLS frames from the core, whose batches mix labels, are counted frame by
 * frame. A received frame is counted once: by vector.c when
 * it classified it, else by pipeline.c, which then handles it from the
 * start. What a VRF delivers to its CEs (to_ce) is not counted per frame:
 * it is worked out from its links' tx counters when read (below).
 *
 * Nor is a VRF's lookups_from_core: a frame popped by a per-VRF label
 * (POP_LOOKUP) counts its lookup in its label's line, which it is counted
 * in anyway (one line a popped frame instead of two). The VRF's figure is
 * worked out when read: the lookups of the labels whose LFIB entry pops
 * into it now, each since that entry's meaning began (lfib_vrf_lookups,
 * through a list of them per VRF id), plus what labels that stopped
 * popping into it had counted, which lfib.c folds into the control
 * thread's line of the VRF (the only thread's lookups_from_core that holds
 * anything) when the entry changes meaning or is deleted. That is exact
 * for every lookup made with the entry the control thread published. One
 * limit: a worker may still hold the entry a change replaced until its
 * next quiescent point (the rest of its batch); lookups it makes with it
 * after the fold are counted on the label from the new meaning's base: in
 * the new VRF when the label now pops into another, in no VRF when it was
 * deleted or no longer pops, never twice, and a VRF's figure never goes
 * back. The label's packets and bytes have the same window.
 *
 * Restarts: what a label or a VRF shows is the sum minus a base taken when
 * its LFIB entry was programmed with a different meaning (action, VRF, next
 * hop, out label) or when the VRF was created or renamed; nothing in the
 * threads' arrays is ever reset.
 */
#ifndef FERRY_FWD_CTR_H
#define FERRY_FWD_CTR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/label.h"
#include "fwd/fib.h"
#include "fwd/fwd.h"

/* One VRF, one thread: exactly one cache line. */
struct fwd_vrf_ctr {
	_Alignas(64) uint64_t from_ce_packets; /* IPv4 received on the VRF's attachment links */
	uint64_t from_ce_bytes;
	/*
	 * forwarded out of the VRF's attachment links: in a sum (fwd_vrf_sum);
	 * in a thread's set only the control thread's holds any, what links
	 * that left the VRF delivered to it (fwd_if_vrf_leave)
	 */
	uint64_t to_ce_packets;
	uint64_t to_ce_bytes;
	uint64_t lookups_from_ce;   /* LPM lookups for packets from a CE */
	/*
	 * LPM lookups after popping a per-VRF label: in a sum; in a thread's
	 * set only the control thread's holds any, what labels that no longer
	 * pop into the VRF counted in it (see above)
	 */
	uint64_t lookups_from_core;
	uint64_t no_route;          /* of those lookups: no match */
	uint64_t spare;
};

/*
 * One label, one thread: MPLS frames from the core, addressed to us, with
 * it on top. 32 bytes, two labels a line: a power of two, so no label's
 * counters straddle two lines.
 */
struct fwd_label_ctr {
	uint64_t packets, bytes;
	uint64_t lookups; /* VRF lookups after popping it (a per-VRF label's; see above) */
	uint64_t spare;
};
_Static_assert(sizeof(struct fwd_label_ctr) == 32, "label counters: a power of two bytes");

/* A thread's set. */
struct fwd_ctrs {
	struct fwd_vrf_ctr *vrf;     /* [FIB_VRF_ID_MAX + 1]; slot 0: ids out of range */
	struct fwd_label_ctr *label; /* [MPLS_LABEL_MAX + 1] */
};

/* The control thread's set and the VRFs' link lists (fwd_new); 0 or -ENOMEM. */
int fwd_ctrs_init(struct fwd *f);
/* The set of thread slot (0: control thread, 1 + worker id), made on first use; NULL on ENOMEM. */
struct fwd_ctrs *fwd_ctrs_get(struct fwd *f, unsigned slot);
/* Unmaps every thread's set and frees the link lists (fwd_free). */
void fwd_ctrs_free(struct fwd *f);

/* The calling thread's set (workers: their own; the control thread and tests: slot 0). */
static inline struct fwd_ctrs *fwd_ctrs_self(const struct fwd *f)
{
	struct fwd_thread *t = fwd_self;

	return t == NULL ? f->ctrs[0] : t->ctrs;
}

/* The VRF counter line for id; ids out of range share slot 0, which nobody shows. */
static inline struct fwd_vrf_ctr *fwd_vrf_ctr(struct fwd_ctrs *c, uint32_t vrf_id)
{
	return &c->vrf[vrf_id <= FIB_VRF_ID_MAX ? vrf_id : 0];
}

/*
 * One lookup in VRF vrf_id in the per-frame path (no run), and whether it
 * matched: for a packet from a CE (popped_label MPLS_LABEL_NONE), or after
 * popping that per-VRF label (counted on the label, as vector.c does).
 */
static inline void fwd_vrf_lookup(const struct fwd *f, uint32_t vrf_id, uint32_t popped_label,
				  bool found)
{
	struct fwd_ctrs *s = fwd_ctrs_self(f);
	struct fwd_vrf_ctr *c = fwd_vrf_ctr(s, vrf_id);

	if (popped_label <= MPLS_LABEL_MAX)
		fwd_ctr_add(&s->label[popped_label].lookups, 1);
	else
		fwd_ctr_add(&c->lookups_from_ce, 1);
	if (!found)
		fwd_ctr_add(&c->no_route, 1);
}

/* An IPv4 frame of len bytes from a CE of VRF vrf_id (the per-frame path). */
static inline void fwd_vrf_from_ce(const struct fwd *f, uint32_t vrf_id, size_t len)
{
	struct fwd_vrf_ctr *c = fwd_vrf_ctr(fwd_ctrs_self(f), vrf_id);

	fwd_ctr_add(&c->from_ce_packets, 1);
	fwd_ctr_add(&c->from_ce_bytes, len);
}

/* An MPLS frame of len bytes from the core with label on top (the per-frame path). */
static inline void fwd_label_count(const struct fwd *f, uint32_t label, size_t len)
{
	struct fwd_label_ctr *c = &fwd_ctrs_self(f)->label[label & MPLS_LABEL_MAX];

	fwd_ctr_add(&c->packets, 1);
	fwd_ctr_add(&c->bytes, len);
}

/*
 * A VRF's to_ce: every frame but ARP sent on its attachment links while
 * they are bound to it. The packet path only counts the links' tx; the
 * VRF's figure is worked out when read (fwd_vrf_sum), and a link leaving
 * its VRF (unbound, or bound to another) leaves what it delivered so far
 * in the control thread's set, in to_ce_packets and to_ce_bytes (which no
 * thread counts into otherwise). Each VRF id keeps a list of the links
 * bound to it, so a sum reads those links only. Control thread.
 */
/* ifp, in no VRF, is bound to vrf_id from now on (sets ifp->vrf_id). */
void fwd_if_vrf_join(struct fwd *f, struct fwd_iface *ifp, uint32_t vrf_id);
/* ifp leaves the VRF it is bound to, if any (before it is unbound or bound elsewhere). */
void fwd_if_vrf_leave(struct fwd *f, struct fwd_iface *ifp);

/* ---- readers (control thread): every thread's sets added up ---- */

void fwd_label_sum(const struct fwd *f, uint32_t label, struct fwd_label_ctr *out);
void fwd_vrf_sum(const struct fwd *f, uint32_t vrf_id, struct fwd_vrf_ctr *out);
/* a - base, field by field (what a VRF shows since its base was taken). */
void fwd_vrf_ctr_since(struct fwd_vrf_ctr *a, const struct fwd_vrf_ctr *base);

#endif
