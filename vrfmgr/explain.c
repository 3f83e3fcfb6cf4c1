/*
 * explain_route (explain.h): the same decisions import.c and vrf.c make,
 * asked in order and stopped at the first that keeps the route out, so the
 * answer names the one thing to fix. It reads the core's state only.
 */
#include <stdio.h>
#include <string.h>

#include "common/label.h"
#include "common/plural.h"
#include "vrfmgr/explain.h"
#include "vrfmgr/l3vpn.h"

const char *explain_verdict_name(enum explain_verdict v)
{
	static const char *const names[] = {
		[EXPLAIN_INSTALLED] = "installed",
		[EXPLAIN_LOCAL] = "local",
		[EXPLAIN_NOT_SELECTED] = "not-selected",
		[EXPLAIN_NH_UNRESOLVED] = "next-hop-unresolved",
		[EXPLAIN_NO_COMMON_RT] = "no-common-rt",
		[EXPLAIN_UNUSABLE] = "unusable",
		[EXPLAIN_VRF_LIMIT] = "vrf-limit",
		[EXPLAIN_NOT_EXPORTED] = "not-exported",
		[EXPLAIN_NOT_RECEIVED] = "not-received",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

static const struct vrf *vrf_with_rd(const struct vrf_table *t, const struct rd *rd)
{
	for (size_t i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].cfg != NULL && rd_equal(&t->vrfs[i].cfg->rd, rd))
			return &t->vrfs[i];
	return NULL;
}

static void limit_reason(struct explain *e)
{
	snprintf(e->reason, sizeof(e->reason),
		 "VRF %s is at its route limit (%zu %s, max_routes %u)", e->vrf->cfg->name,
		 e->vrf->routes.count, plural(e->vrf->routes.count, "prefix", "prefixes"),
		 e->vrf->cfg->max_routes);
	e->verdict = EXPLAIN_VRF_LIMIT;
}

/* The candidate is in the VRF: installed, or why not. */
static void explain_candidate(struct explain *e)
{
	bool local = e->route->source == ROUTE_CONNECTED || e->route->source == ROUTE_STATIC;
	const char *what = local ? "a route of this VRF" : "imported";
	char buf[128];
	const char *why = vrf_route_reason(e->vp, e->route, buf, sizeof(buf));

	e->imported = true;
	e->installed = why == NULL;
	if (local)
		e->verdict = EXPLAIN_LOCAL;
	else if (why == NULL)
		e->verdict = EXPLAIN_INSTALLED;
	else if (e->route->nh != NULL && !e->route->nh->resolved)
		e->verdict = EXPLAIN_NH_UNRESOLVED;
	else
		e->verdict = EXPLAIN_NOT_SELECTED;
	if (why == NULL)
		snprintf(e->reason, sizeof(e->reason), "%s, installed", what);
	else
		snprintf(e->reason, sizeof(e->reason), "%s, not installed: %s", what, why);
}

/* rd is the RD of e->origin, a VRF of this PE: its own route, or local leaking. */
static void explain_local(struct explain *e, const struct prefix4 *p)
{
	const struct vrf *o = e->origin;
	const struct vrf_prefix *vp;

	e->origin_vp = vp = rtable_find(&o->routes, p);
	if (o == e->vrf) {
		e->route = vp != NULL ? vp->best : NULL;
		if (e->route != NULL && e->route->source <= ROUTE_STATIC) {
			explain_candidate(e);
			return;
		}
		e->verdict = EXPLAIN_NOT_EXPORTED;
		snprintf(e->reason, sizeof(e->reason), "VRF %s has no connected or static route "
			 "for it", o->cfg->name);
		return;
	}
	if (vp == NULL || vp->exp_label == NULL) {
		e->verdict = EXPLAIN_NOT_EXPORTED;
		snprintf(e->reason, sizeof(e->reason), "VRF %s does not export it (%s)",
			 o->cfg->name, vp == NULL ? "no such route"
				       : o->cfg->n_export_rts == 0 ? "it has no export RTs"
								    : "no usable local route selected");
		return;
	}
	if (!rt_sets_meet(e->vrf->cfg->import_rts, e->vrf->cfg->n_import_rts,
			  o->cfg->export_rts, o->cfg->n_export_rts)) {
		e->verdict = EXPLAIN_NO_COMMON_RT;
		snprintf(e->reason, sizeof(e->reason), "no route target in common: VRF %s exports "
			 "none that VRF %s imports", o->cfg->name, e->vrf->cfg->name);
		return;
	}
	e->vp = rtable_find(&e->vrf->routes, p);
	e->route = vrf_route_find((struct vrf *)e->vrf, p, ROUTE_LEAKED, &o->cfg->rd);
	if (e->route == NULL) {
		limit_reason(e);
		return;
	}
	explain_candidate(e);
}

void explain_source(const struct vrf_table *t, const struct rd *rd, const struct prefix4 *p,
		    struct explain *e)
{
	memset(e, 0, sizeof(*e));
	e->vpn = vpn_find(&t->vpn, rd, p);
	e->origin = vrf_with_rd(t, rd);
	if (e->origin != NULL)
		e->origin_vp = rtable_find(&e->origin->routes, p);
}

void explain_route(const struct vrf_table *t, const struct vrf *v, const struct rd *rd,
		   const struct prefix4 *p, struct explain *e)
{
	char rdb[RD_STRLEN], pb[PREFIX4_STRLEN];

	explain_source(t, rd, p, e);
	e->vrf = v;
	e->vp = rtable_find(&v->routes, p);
	if (e->origin != NULL) {
		explain_local(e, p);
		return;
	}
	if (e->vpn == NULL) {
		e->verdict = EXPLAIN_NOT_RECEIVED;
		snprintf(e->reason, sizeof(e->reason), "bgpd has no path for %s:%s",
			 rd_format(rd, rdb), prefix4_format(p, pb));
		return;
	}
	if (e->vpn->problem != NULL) {
		e->verdict = EXPLAIN_UNUSABLE;
		snprintf(e->reason, sizeof(e->reason), "not imported anywhere: %s", e->vpn->problem);
		return;
	}
	if (!rt_sets_meet(v->cfg->import_rts, v->cfg->n_import_rts, e->vpn->rts, e->vpn->n_rts)) {
		e->verdict = EXPLAIN_NO_COMMON_RT;
		snprintf(e->reason, sizeof(e->reason), "no route target in common between the route "
			 "and VRF %s's import RTs", v->cfg->name);
		return;
	}
	e->route = vrf_route_find((struct vrf *)v, p, ROUTE_BGP, rd);
	if (e->route == NULL) {
		limit_reason(e);
		return;
	}
	explain_candidate(e);
}
