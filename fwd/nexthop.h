/*
 * Next-hop objects, shared by many FIB and LFIB entries and keyed by the
 * nh_id vrfmgr chose (IPC_NH_ADD), so one LSP change is one update.
 * Entries hold a counted reference; an id referenced before it is announced
 * (or after IPC_NH_DEL) is a placeholder whose packets drop as "no_nexthop".
 */
#ifndef FERRY_FWD_NEXTHOP_H
#define FERRY_FWD_NEXTHOP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/ipc.h"
#include "fwd/fwd.h"

/* Ids at and above this are fwd's own (static LFIB entries in the config). */
#define NH_ID_STATIC_BASE 0x80000000u

struct nexthop {
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
	bool present;       /* announced and not deleted */
	bool is_static;     /* from the config: never swept */
	struct nexthop *hnext;
};

struct nh_table *nh_table_new(void);
void nh_table_free(struct nh_table *t);

struct nexthop *nh_find(const struct fwd *f, uint32_t id);
/* Adds or replaces from an IPC_NH_ADD payload (already length-checked). 0 or -errno. */
int nh_set(struct fwd *f, const struct ipc_nexthop *m, bool is_static);
/* IPC_NH_DEL: back to a placeholder; freed once nothing refers to it. */
void nh_del(struct fwd *f, uint32_t id);
/* Takes a reference, creating a placeholder when id is unknown. NULL on ENOMEM. */
struct nexthop *nh_ref(struct fwd *f, uint32_t id);
void nh_unref(struct fwd *f, struct nexthop *nh);
/* Caches the ARP answer for nh's gateway on out when it is reachable. */
void nh_adj_learn(struct nexthop *nh, struct fwd_iface *out);
/* True when nh's cached MAC is still what ARP says for its gateway on out. */
static inline bool nh_adj_valid(const struct nexthop *nh, const struct fwd_iface *out)
{
	return nh->adj_ifp == out && nh->adj_gen == out->arp_gen;
}
/* The active egress interface of nh, or NULL. */
struct fwd_iface *nh_iface(struct fwd *f, struct nexthop *nh);
/* Deletes every non-static next hop not refreshed in generation gen. */
void nh_sweep(struct fwd *f, uint32_t gen);
/* Calls cb for each present next hop. */
void nh_foreach(const struct fwd *f, void (*cb)(const struct nexthop *nh, void *ctx), void *ctx);

const char *nh_type_name(uint32_t type);

#endif
