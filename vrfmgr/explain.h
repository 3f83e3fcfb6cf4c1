/*
 * Why a VPN route is or is not in a VRF, and where its packets go. The
 * operator's question "this route is in BGP, why is it not in my VRF?" gets
 * one answer from the state vrfmgr acts on, not a guess: the route as bgpd
 * gave it (or the local VRF that has that RD), the VRF's import RTs against
 * the route's, the VRF's route limit, and for a route in the VRF its
 * selection and next-hop resolution. The API (api_explain.c) turns it into
 * JSON; nothing here formats for output beyond the one-line reason.
 */
#ifndef FERRY_VRFMGR_EXPLAIN_H
#define FERRY_VRFMGR_EXPLAIN_H

#include <stdbool.h>

#include "vrfmgr/vpn.h"
#include "vrfmgr/vrf.h"

enum explain_verdict {
	EXPLAIN_INSTALLED = 0,   /* in the VRF and in the FIB */
	EXPLAIN_LOCAL,           /* the VRF's own connected or static route */
	EXPLAIN_NOT_SELECTED,    /* in the VRF, another route for the prefix is preferred */
	EXPLAIN_NH_UNRESOLVED,   /* in the VRF, its next hop (remote PE) has no LSP */
	EXPLAIN_NO_COMMON_RT,    /* the VRF imports none of the route's RTs */
	EXPLAIN_UNUSABLE,        /* the route itself cannot be used (no label, no next hop) */
	EXPLAIN_VRF_LIMIT,       /* the VRF is at its route limit */
	EXPLAIN_NOT_EXPORTED,    /* a local VRF's prefix that it does not export */
	EXPLAIN_NOT_RECEIVED,    /* bgpd has no path for it and no local VRF has that RD */
};

struct explain {
	/* the route asked about: from bgpd, or the local VRF whose RD it has */
	const struct vpn_route *vpn;
	const struct vrf *origin;
	const struct vrf_prefix *origin_vp;
	/* the VRF asked about */
	const struct vrf *vrf;
	const struct vrf_prefix *vp;   /* its entry for the prefix, or NULL */
	const struct vrf_route *route; /* the candidate that came from the route, or NULL */
	enum explain_verdict verdict;
	bool imported;                 /* the VRF holds it (installed or not) */
	bool installed;
	char reason[200];              /* one line for humans */
};

/* Only the route's side: e->vpn, e->origin, e->origin_vp (no VRF yet). */
void explain_source(const struct vrf_table *t, const struct rd *rd, const struct prefix4 *p,
		    struct explain *e);
/* Explains rd:p for VRF v (p normalized by the caller). */
void explain_route(const struct vrf_table *t, const struct vrf *v, const struct rd *rd,
		   const struct prefix4 *p, struct explain *out);
/* "installed", "no-common-rt", ... (API values). */
const char *explain_verdict_name(enum explain_verdict v);

#endif
