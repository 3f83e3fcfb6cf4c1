/*
 * Export: local VRF routes as VPN-IPv4 routes for bgpd. A prefix is exported
 * once per VRF (RD:prefix is the VPN route's identity) while its selected
 * route is a usable connected or static one and the VRF has export RTs;
 * routes the VRF itself imported (bgp, leaked) are never re-exported, which
 * keeps routes from looping between PEs.
 *
 * The export state lives on the prefix (the label it went out with) and is
 * re-derived after every selection (export_prefix_sync), so a change is
 * told once, when it happens: to bgpd through the export sink, and to the
 * local VRFs that import it (import_leak_prefix). export_walk replays it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/l3vpn.h"

bool rt_sets_meet(const struct ext_community *a, size_t na, const struct ext_community *b,
		  size_t nb)
{
	size_t i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (extcom_equal(&a[i], &b[j]))
				return true;
	return false;
}

/* The route a prefix is exported through, or NULL when it is not exported. */
const struct vrf_route *export_route(const struct vrf *v, const struct vrf_prefix *vp)
{
	const struct vrf_route *b = vp->best;

	if (v->cfg == NULL || v->dying || v->cfg->n_export_rts == 0 || b == NULL)
		return NULL;
	if (b->source != ROUTE_CONNECTED && b->source != ROUTE_STATIC)
		return NULL;
	return vrf_route_usable(b) ? b : NULL;
}

bool export_route_is(const struct vrf *v, const struct vrf_prefix *vp, const struct vrf_route *r)
{
	return export_route(v, vp) == r && vp->exp_label != NULL;
}

size_t export_rts_given(const struct vrf *v, const struct vrf_prefix *vp,
			const struct vrf_route *r)
{
	bool local = r->source == ROUTE_CONNECTED || r->source == ROUTE_STATIC;

	return !local || export_route_is(v, vp, r) ? r->n_rts : 0;
}

/* How many RTs vp's selected route is given (0: none selected). */
static size_t best_rts_given(const struct vrf *v, const struct vrf_prefix *vp)
{
	return vp->best != NULL ? export_rts_given(v, vp, vp->best) : 0;
}

/* The VPN route vp is advertised as (label from its export state). */
static void export_msg(const struct vrf *v, const struct vrf_prefix *vp,
		       struct ipc_vpn_route *r)
{
	/* The IPC message counts RTs in a byte; vrf_build warned about the rest. */
	size_t n_rts = v->cfg->n_export_rts > UINT8_MAX ? UINT8_MAX : v->cfg->n_export_rts;

	memset(r, 0, sizeof(*r));
	memcpy(r->rd, v->cfg->rd.b, sizeof(r->rd));
	r->prefix = vp->prefix.addr;
	r->plen = vp->prefix.len;
	r->n_rts = (uint8_t)n_rts;
	r->label = vp->exp_label != NULL ? vp->exp_label->label : MPLS_LABEL_NONE;
	r->local_pref = 100;
}

static void export_tell(struct vrf_table *t, const struct vrf *v, const struct vrf_prefix *vp,
			bool add)
{
	struct ipc_vpn_route r;

	if (t->exp.ops == NULL)
		return;
	export_msg(v, vp, &r);
	if (add && t->exp.ops->add != NULL)
		t->exp.ops->add(t->exp.ctx, &r, v->cfg->export_rts);
	else if (!add && t->exp.ops->del != NULL)
		t->exp.ops->del(t->exp.ctx, &r);
}

/*
 * The label vp went out with, kept while no label its mode gives is free
 * (v waits for one, vrf_label.c), when it still leads where want goes: v's
 * per-VRF label pops into v, which routes any of v's prefixes; a per-CE or
 * per-prefix one only when it pops to want's own next hop. A label mode
 * changed in a full range relabels then, not withdraws the VRF meanwhile;
 * after a restart, which begins with no label on vp, the label of the
 * previous mode is found by its key instead (vrf_label_get_earlier).
 */
static bool label_still_leads(const struct label_entry *old, const struct vrf_route *want)
{
	return old->state == LABEL_USED &&
	       (old->key.kind == LABEL_KIND_VRF || (old->programmed && old->nh == want->nh));
}

/* Brings vp's export state in line with its selected route, once. */
static void export_once(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp)
{
	const struct vrf_route *want = export_route(v, vp);
	struct label_entry *old = vp->exp_label, *e = NULL;
	uint32_t old_label = old != NULL ? old->label : MPLS_LABEL_NONE;
	uint32_t nh_id = want != NULL ? want->nh->ipc.nh_id : 0;
	size_t rts_given = best_rts_given(v, vp);

	if (want != NULL) {
		if (old != NULL && vrf_label_fits(v, old, want))
			e = old;
		else if ((e = vrf_label_get(t, v, vp, want)) == NULL)
			e = old != NULL && label_still_leads(old, want)
				    ? old
				    : vrf_label_get_earlier(t, v, vp, want, old);
		if (e != NULL && e == old && e->key.kind == LABEL_KIND_PREFIX)
			vrf_label_retarget(t, e, want->nh);
	}
	vp->exp_label = e;
	/* an installed local route exported or no longer: the RTs it is given change */
	if (best_rts_given(v, vp) != rts_given)
		vrf_prefix_rts_changed(t, v, vp);
	if (e != NULL && (old == NULL || e->label != old_label))
		export_tell(t, v, vp, true);
	else if (e == NULL && old != NULL)
		export_tell(t, v, vp, false);
	if (old != NULL && old != e)
		vrf_label_put(t, v, old);
	if (e == NULL)
		nh_id = 0;
	/* exp_nh_id keeps 30 bits: a larger id is stored as VRF_EXP_NH_BIG, equal to none. */
	if ((e != NULL) != (old != NULL) || nh_id >= VRF_EXP_NH_BIG || nh_id != vp->exp_nh_id) {
		vp->exp_nh_id = nh_id < VRF_EXP_NH_BIG ? nh_id : VRF_EXP_NH_BIG;
		import_leak_prefix(t, v, vp);
	}
}

void export_prefix_sync(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp)
{
	/* Leaking can come back to this prefix (a VRF that imports it exports it too). */
	if (vp->busy) {
		vp->resync = true;
		return;
	}
	vp->busy = true;
	do {
		vp->resync = false;
		export_once(t, v, vp);
	} while (vp->resync);
	vp->busy = false;
}

void export_vrf_announce(struct vrf_table *t, struct vrf *v)
{
	struct vrf_prefix **vps;
	size_t i, n = rtable_sorted(&v->routes, &vps);

	for (i = 0; i < n; i++) {
		if (vps[i]->exp_label == NULL)
			continue;
		export_tell(t, v, vps[i], true);
		import_leak_prefix(t, v, vps[i]);
	}
	free(vps);
}

static size_t export_vrf(const struct vrf *v, export_cb cb, void *arg)
{
	struct vrf_prefix **vps;
	size_t i, n = rtable_sorted(&v->routes, &vps), count = 0;

	for (i = 0; i < n; i++) {
		struct ipc_vpn_route r;

		if (vps[i]->exp_label == NULL)
			continue;
		export_msg(v, vps[i], &r);
		cb(&r, v->cfg->export_rts, arg);
		count++;
	}
	free(vps);
	return count;
}

size_t export_walk(const struct vrf_table *t, export_cb cb, void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_vrfs; i++)
		n += export_vrf(&t->vrfs[i], cb, arg);
	return n;
}
