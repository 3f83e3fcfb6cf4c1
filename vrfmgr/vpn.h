/*
 * The VPN table: every VPN-IPv4 route bgpd has given vrfmgr (its best path
 * per RD:prefix), whether any VRF imports it or not. VRFs hold their own
 * copies of what they import; this table is what lets vrfmgr import a route
 * into a VRF created or changed later (reload, a route limit that frees up)
 * without asking bgpd for a replay, and explain why a route is not in a VRF.
 */
#ifndef FERRY_VRFMGR_VPN_H
#define FERRY_VRFMGR_VPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"
#include "common/prefix.h"
#include "common/rd.h"

struct vpn_route {
	struct vpn_route *hnext;
	struct rd rd;
	struct prefix4 prefix;     /* normalized */
	struct ipc_vpn_route msg;  /* as bgpd sent it: label, next hop, local_pref, peer... */
	struct ext_community *rts; /* owned */
	size_t n_rts;
	const char *problem;       /* why no VRF may use it ("no usable label"), or NULL */
	bool stale;                /* not refreshed by bgpd's current replay */
};

struct vpn_table {
	struct vpn_route **b;
	size_t nb, count;
};

void vpn_table_init(struct vpn_table *t);
void vpn_table_free(struct vpn_table *t);
struct vpn_route *vpn_find(const struct vpn_table *t, const struct rd *rd,
			   const struct prefix4 *p);
/* Adds or replaces rd:prefix (prefix normalized). NULL when out of memory (logged). */
struct vpn_route *vpn_put(struct vpn_table *t, const struct ipc_vpn_route *r,
			  const struct ext_community *rts);
void vpn_remove(struct vpn_table *t, struct vpn_route *vr);
/* A malloc'd snapshot sorted by RD then prefix (caller frees); *out NULL when empty. */
size_t vpn_list(const struct vpn_table *t, struct vpn_route ***out);

#endif
