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
#include "vrfmgr/vpn.h"
#include "vrfmgr/vrf.h"

/* True when the two route-target sets have a member in common. */
bool rt_sets_meet(const struct ext_community *a, size_t na, const struct ext_community *b,
		  size_t nb);

/* ---- export (export.c) ---- */
typedef void (*export_cb)(const struct ipc_vpn_route *r, const struct ext_community *rts,
			  void *arg);
/*
 * Calls cb once per VPN route advertised: every prefix of every VRF whose
 * selected route is a usable connected or static one, with the VRF's RD, the
 * prefix's label and the VRF's export RTs, next hop 0 (= self). Returns the
 * count. This is the replay for bgpd; changes go out through t->exp.
 */
size_t export_walk(const struct vrf_table *t, export_cb cb, void *arg);
/* The route vp is exported through, or NULL when it is not exported. */
const struct vrf_route *export_route(const struct vrf *v, const struct vrf_prefix *vp);
/* Whether r is what vp goes out as, with a label (not waiting for one). */
bool export_route_is(const struct vrf *v, const struct vrf_prefix *vp, const struct vrf_route *r);
/*
 * How many of r's RTs (a candidate of vp in v) the APIs give it (/routes,
 * /events, /explain): a local route's are its VRF's export RTs, which it
 * carries only while exported (not while unused, outranked, or waiting for
 * a label): none then. Another route's are all its own.
 */
size_t export_rts_given(const struct vrf *v, const struct vrf_prefix *vp,
			const struct vrf_route *r);
/*
 * Called after every selection on vp (vrf.c): claims or drops its label,
 * tells the export sink and the local importers what changed, if anything.
 */
void export_prefix_sync(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp);
/* Re-advertises all of v's exports (its export RTs changed) and re-leaks them. */
void export_vrf_announce(struct vrf_table *t, struct vrf *v);

/* ---- import (import.c) ---- */
/*
 * A VPN route from bgpd (its best path for rd:prefix). Replaces any earlier
 * one for the same rd:prefix, including in VRFs that no longer import it.
 * Returns the number of VRFs now holding it, or -EINVAL for a route that
 * cannot be used (bad length or label, no next hop, our own; logged, kept
 * in the VPN table with the reason unless the length is bad).
 */
int import_vpn_add(struct vrf_table *t, const struct ipc_vpn_route *r,
		   const struct ext_community *rts);
/* bgpd has no path for rd:prefix any more. Returns the number of VRFs it left. */
int import_vpn_del(struct vrf_table *t, const struct rd *rd, const struct prefix4 *p);
/* bgpd starts a replay: every VPN route becomes stale until refreshed. Returns the count. */
size_t import_mark_stale(struct vrf_table *t);
/* bgpd ended its replay: drops what was not refreshed. Returns the count removed. */
size_t import_sweep(struct vrf_table *t);
/*
 * Makes v hold exactly what it should import from the VPN table and leak
 * from the other local VRFs (after v was created, its RTs or limit changed).
 * Returns the number of routes it holds from them.
 */
size_t import_vrf_sync(struct vrf_table *t, struct vrf *v);
/* VRFs that refused routes at their limit and have room now import them. Returns the count. */
size_t import_retry_limits(struct vrf_table *t);
/* False (and logged, once) when v's route limit keeps prefix p out. */
bool import_room_for(struct vrf_table *t, struct vrf *v, const struct prefix4 *p);
/*
 * Whether a VRF holds vr as a bgp candidate (installed or not): the API's
 * "imported". Looks only at the VRFs on vr's placement list, not at every
 * VRF (O(VRFs holding it), 1,000 VRFs made /vpn?imported= a probe into
 * each per route).
 */
bool import_vpn_held(struct vrf_table *t, const struct vpn_route *vr);
/*
 * The slots of the VRFs holding vr, ascending (the VRF array's order), in
 * slots (room for vr->n_placed); how many.
 */
size_t import_vpn_holders(struct vrf_table *t, const struct vpn_route *vr, uint32_t *slots);
/* The VPN routes v would import but its route limit keeps out. */
size_t import_refused(const struct vrf_table *t, const struct vrf *v);
/*
 * Local leaking: src's prefix vp (exported or not any more) into every other
 * VRF whose import RTs meet src's export RTs, out of those that no longer do.
 */
void import_leak_prefix(struct vrf_table *t, const struct vrf *src, const struct vrf_prefix *vp);
/* Leaks every exported prefix of every VRF again. Returns the number of routes leaked. */
size_t import_leak_local(struct vrf_table *t);

#endif
