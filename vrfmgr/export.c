/*
 * Export: local VRF routes as VPN-IPv4 routes for bgpd. A prefix is exported
 * once per VRF (RD:prefix is the VPN route's identity) when it has a usable
 * connected or static route; routes the VRF itself imported (bgp, leaked) are
 * never re-exported, which keeps routes from looping between PEs.
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

static bool prefix_exportable(const struct vrf_prefix *vp)
{
	const struct vrf_route *r;

	for (r = vp->routes; r != NULL; r = r->next)
		if ((r->source == ROUTE_CONNECTED || r->source == ROUTE_STATIC) && r->valid &&
		    r->nh != NULL)
			return true;
	return false;
}

static size_t export_vrf(const struct vrf *v, export_cb cb, void *arg)
{
	struct ipc_vpn_route r = { .label = v->label, .local_pref = 100 };
	size_t n_rts = v->cfg->n_export_rts, i, n, count = 0;
	struct vrf_prefix **vps;

	if (v->label == MPLS_LABEL_NONE || n_rts == 0)
		return 0;
	if (n_rts > UINT8_MAX) {
		log_warnx("vrf %s: only the first %u export RTs are advertised", v->cfg->name,
			  UINT8_MAX);
		n_rts = UINT8_MAX;
	}
	memcpy(r.rd, v->cfg->rd.b, sizeof(r.rd));
	r.n_rts = (uint8_t)n_rts;
	n = rtable_sorted(&v->routes, &vps);
	for (i = 0; i < n; i++) {
		if (!prefix_exportable(vps[i]))
			continue;
		r.prefix = vps[i]->prefix.addr;
		r.plen = vps[i]->prefix.len;
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
