/*
 * Next-hop objects, shared by many FIB and LFIB entries and keyed by the
 * nh_id vrfmgr chose (IPC_NH_ADD), so one LSP change is one update.
 * Entries hold a counted reference; an id referenced before it is announced
 * (or after IPC_NH_DEL) is a placeholder whose packets drop as "no_nexthop".
 *
 * The control thread owns the object and changes its fields; the fast path
 * (any thread) reads only nh->view, an immutable snapshot of what it needs,
 * replaced as a whole (nh_publish) and the old one freed through RCU: a
 * worker sees the next hop before or after a change, never half of one.
 */
#ifndef FERRY_FWD_NEXTHOP_H
#define FERRY_FWD_NEXTHOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/ipc.h"
#include "fwd/fwd.h"

/* Ids at and above this are fwd's own (static LFIB entries in the config). */
#define NH_ID_STATIC_BASE 0x80000000u

/* What the vector path reads of a next hop: never changed once published. */
struct nh_view {
	uint32_t type;      /* enum ipc_nh_type; 0 while a placeholder */
	uint32_t out_label;
	struct fwd_iface *ifp; /* the egress interface once resolved, else NULL */
	uint32_t adj_gen;   /* ifp->arp_gen adj_mac belongs to; 0 = no MAC */
	uint8_t adj_mac[FWD_ETH_ALEN];
	/*
	 * Label entries the vector path pushes for the next hop itself (worked
	 * out once here, not per frame): 1 for a labeled next hop with a real
	 * out label, 0 for none or implicit null, NH_PUSH_SLOW when out_label is
	 * out of range (pipeline.c decides what to do with such a frame).
	 */
	uint8_t n_out;
	bool labeled; /* the route's inner label goes under (type LABELED) */
};

#define NH_PUSH_SLOW 0xFF

struct nexthop {
	_Atomic(struct nh_view *) view; /* NULL until first published */
	uint32_t id;
	uint32_t type;      /* enum ipc_nh_type; 0 while a placeholder */
	uint32_t gateway;   /* host order */
	uint32_t out_label; /* LABELED only */
	char ifname[IPC_IFNAME_MAX];
	struct fwd_iface *ifp; /* resolved from ifname on first use (interfaces live as long as fwd) */
	/*
	 * The gateway's MAC as ARP last knew it, valid while adj_ifp's arp_gen
	 * is still adj_gen: the fast path rewrites without an ARP lookup.
	 */
	struct fwd_iface *adj_ifp;
	uint32_t adj_gen;
	uint8_t adj_mac[FWD_ETH_ALEN];
	uint32_t refs;
	uint32_t gen;
	/*
	 * Which meaning of this id: a number from the table's sequence, new
	 * whenever the id is (re)defined with another type, gateway, label or
	 * interface, or deleted. A frame a worker handed over with this next
	 * hop is sent only if it still means the same (punt.c): vrfmgr may give
	 * a deleted id to another customer's next hop meanwhile.
	 */
	uint32_t meaning;
	bool present;       /* announced and not deleted */
	bool is_static;     /* from the config: never swept */
	struct nexthop *hnext;
};

struct nh_table *nh_table_new(void);
void nh_table_free(struct nh_table *t);

struct nexthop *nh_find(const struct fwd *f, uint32_t id);
/* The id index, once mostly empty, made smaller (quiet time). Bytes freed. */
size_t nh_table_shrink(struct fwd *f);
/* Adds or replaces from an IPC_NH_ADD payload (already length-checked). 0 or -errno. */
int nh_set(struct fwd *f, const struct ipc_nexthop *m, bool is_static);
/* IPC_NH_DEL: back to a placeholder; freed once nothing refers to it. */
void nh_del(struct fwd *f, uint32_t id);
/* Takes a reference, creating a placeholder when id is unknown. NULL on ENOMEM. */
struct nexthop *nh_ref(struct fwd *f, uint32_t id);
void nh_unref(struct fwd *f, struct nexthop *nh);
/* Caches the ARP answer for nh's gateway on out when it is reachable. */
void nh_adj_learn(struct fwd *f, struct nexthop *nh, struct fwd_iface *out);
/* Control thread: publishes a new view of nh when what the fast path reads changed. */
void nh_publish(struct fwd *f, struct nexthop *nh);
/*
 * nh's current view when the fast path can finish a frame with it alone
 * (gateway or labeled, egress interface up, MAC still what ARP says for the
 * gateway there), else NULL. Any thread; the view stays valid until the
 * reader's next quiescent point.
 */
static inline const struct nh_view *nh_fast_view(const struct nexthop *nh)
{
	const struct nh_view *v = atomic_load_explicit(&nh->view, memory_order_acquire);
	const struct fwd_iface *out;

	if (v == NULL || (v->type != IPC_NH_GATEWAY && v->type != IPC_NH_LABELED) ||
	    (out = v->ifp) == NULL)
		return NULL;
	/* written by the control thread (unbind, ARP changes) while workers read them */
	if (!__atomic_load_n(&out->active, __ATOMIC_RELAXED) ||
	    v->adj_gen != __atomic_load_n(&out->arp_gen, __ATOMIC_RELAXED))
		return NULL;
	return v;
}
/* The active egress interface of nh, or NULL. */
struct fwd_iface *nh_iface(struct fwd *f, struct nexthop *nh);
/* Deletes every non-static next hop not refreshed in generation gen. */
void nh_sweep(struct fwd *f, uint32_t gen);
/* Whether a present next hop names interface ifname. */
bool nh_names_iface(const struct fwd *f, const char *ifname);

const char *nh_type_name(uint32_t type);

#endif
