/*
 * The VRF <-> VPN-IPv4 bridge (after BIRD's l3vpn protocol): export turns
 * each local VRF route into a VPN route (the VRF's RD and label, its export
 * RTs, next hop self); import places each VPN route from bgpd into every VRF
 * whose import RTs meet the route's RTs (RTs decide membership, never RDs).
 * Local leaking imports other local VRFs' routes the same way without a BGP
 * round trip. Only policy lives here; vrf.c holds and programs the result.
 */
#ifndef FERRY_VRFMGR_L3VPN_H
#define FERRY_VRFMGR_L3VPN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/ipc.h"
#include "common/rd.h"
#include "vrfmgr/vrf.h"

/* True when the two route-target sets have a member in common. */
bool rt_sets_meet(const struct ext_community *a, size_t na, const struct ext_community *b,
		  size_t nb);

/* ---- export (export.c) ---- */
typedef void (*export_cb)(const struct ipc_vpn_route *r, const struct ext_community *rts,
			  void *arg);
/*
 * Calls cb once per VPN route to advertise: every prefix of every VRF that
 * has a usable connected or static route, with the VRF's RD, label and export
 * RTs, next hop 0 (= self). Returns the count.
 */
size_t export_walk(const struct vrf_table *t, export_cb cb, void *arg);

/* ---- import (import.c) ---- */
/*
 * A VPN route from bgpd (its best path for rd:prefix). Replaces any earlier
 * one for the same rd:prefix, including in VRFs that no longer import it.
 * Returns the number of VRFs now holding it, or -EINVAL for a route that
 * cannot be used (bad length or label, no next hop; logged).
 */
int import_vpn_add(struct vrf_table *t, const struct ipc_vpn_route *r,
		   const struct ext_community *rts);
/* bgpd has no path for rd:prefix any more. Returns the number of VRFs it left. */
int import_vpn_del(struct vrf_table *t, const struct rd *rd, const struct prefix4 *p);
/* bgpd starts a replay: every bgp route becomes stale until refreshed. Returns the count. */
size_t import_mark_stale(struct vrf_table *t);
/* bgpd ended its replay: drops what was not refreshed. Returns the count removed. */
size_t import_sweep(struct vrf_table *t);
/* Imports each local VRF's usable routes into the other local VRFs whose import RTs meet
 * its export RTs. Returns the number of routes leaked. */
size_t import_leak_local(struct vrf_table *t);

#endif
