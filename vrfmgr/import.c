/*
 * Import: VPN-IPv4 routes from bgpd into the VRFs whose import RTs meet the
 * route's RTs, and local leaking between this PE's own VRFs. bgpd sends one
 * (best) path per RD:prefix, so a VRF holds at most one bgp candidate per
 * RD for a prefix and the same prefix from two RDs is two candidates.
 * Each VRF keeps its own copy of what it imported (RTs included): VRFs are
 * few, so an update is O(VRFs) and no shared VPN table is needed.
 * Replays: REPLAY_BEGIN marks every bgp route stale, each ADD refreshes,
 * REPLAY_END sweeps the rest; a disconnected bgpd's routes are kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/l3vpn.h"

static int import_check(const struct vrf_table *t, const struct ipc_vpn_route *r)
{
	char rdb[RD_STRLEN], a[IPV4_STRLEN], nh[IPV4_STRLEN];
	const char *why = NULL;

	if (r->plen > 32)
		why = "prefix length over 32";
	else if (r->label < MPLS_LABEL_FIRST_UNRESERVED || r->label > MPLS_LABEL_MAX)
		why = "label not usable as a VPN label";
	else if (r->next_hop == 0)
		why = "no next hop";
	if (why != NULL) {
		log_warnx("VPN route %s %s/%u next hop %s label %u ignored: %s",
			  rd_format((const struct rd *)r->rd, rdb), ipv4_format(r->prefix, a),
			  r->plen, ipv4_format(r->next_hop, nh), r->label, why);
		return -EINVAL;
	}
	/* Our own routes coming back (through a reflector): not an error, just not ours to import. */
	if (r->next_hop == t->cfg->router_id) {
		log_debug("VPN route %s %s/%u has this router as next hop: ignored",
			  rd_format((const struct rd *)r->rd, rdb), ipv4_format(r->prefix, a),
			  r->plen);
		return -EINVAL;
	}
	return 0;
}

static int import_into(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		       const struct ipc_vpn_route *r, const struct ext_community *rts)
{
	struct vrf_route tmpl = {
		.source = ROUTE_BGP,
		.inner_label = r->label,
		.remote_pe = r->next_hop,
		.local_pref = r->local_pref,
		.distance = ROUTE_DISTANCE_BGP,
		.peer = r->peer,
		.rts = (struct ext_community *)rts,
		.n_rts = r->n_rts,
		.valid = true,
	};

	memcpy(tmpl.rd.b, r->rd, sizeof(tmpl.rd.b));
	tmpl.nh = nexthop_get_labeled(&t->nhs, r->next_hop);
	if (tmpl.nh == NULL)
		return -ENOMEM;
	return vrf_route_upsert(t, v, p, &tmpl);
}

int import_vpn_add(struct vrf_table *t, const struct ipc_vpn_route *r,
		   const struct ext_community *rts)
{
	struct prefix4 p = { .addr = r->prefix, .len = r->plen };
	struct rd rd;
	size_t i;
	int n = 0;

	if (import_check(t, r) < 0)
		return -EINVAL;
	prefix4_normalize(&p);
	memcpy(rd.b, r->rd, sizeof(rd.b));
	for (i = 0; i < t->n_vrfs; i++) {
		struct vrf *v = &t->vrfs[i];

		if (rt_sets_meet(v->cfg->import_rts, v->cfg->n_import_rts, rts, r->n_rts)) {
			if (import_into(t, v, &p, r, rts) == 0)
				n++;
		} else {
			/* An update may have changed the RTs: leave VRFs that no longer match. */
			vrf_route_remove(t, v, &p, ROUTE_BGP, &rd);
		}
	}
	return n;
}

int import_vpn_del(struct vrf_table *t, const struct rd *rd, const struct prefix4 *p)
{
	struct prefix4 q = *p;
	size_t i;
	int n = 0;

	if (q.len > 32)
		return 0;
	prefix4_normalize(&q);
	for (i = 0; i < t->n_vrfs; i++)
		if (vrf_route_remove(t, &t->vrfs[i], &q, ROUTE_BGP, rd) == 0)
			n++;
	return n;
}

size_t import_mark_stale(struct vrf_table *t)
{
	size_t i, j, n, count = 0;

	for (i = 0; i < t->n_vrfs; i++) {
		struct vrf_prefix **vps;

		n = rtable_sorted(&t->vrfs[i].routes, &vps);
		for (j = 0; j < n; j++) {
			struct vrf_route *r;

			for (r = vps[j]->routes; r != NULL; r = r->next) {
				if (r->source == ROUTE_BGP) {
					r->stale = true;
					count++;
				}
			}
		}
		free(vps);
	}
	return count;
}

static size_t sweep_prefix(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp)
{
	struct prefix4 p = vp->prefix;
	struct rd stale[16];
	size_t n = 0, removed = 0, k;
	struct vrf_route *r;

	/* Collect first: removing may free vp. Rare batches beyond 16 RDs take another pass. */
	do {
		n = 0;
		for (r = vp->routes; r != NULL && n < 16; r = r->next)
			if (r->source == ROUTE_BGP && r->stale)
				stale[n++] = r->rd;
		for (k = 0; k < n; k++)
			if (vrf_route_remove(t, v, &p, ROUTE_BGP, &stale[k]) == 0)
				removed++;
		vp = rtable_find(&v->routes, &p);
	} while (n == 16 && vp != NULL);
	return removed;
}

size_t import_sweep(struct vrf_table *t)
{
	size_t i, j, n, count = 0;

	for (i = 0; i < t->n_vrfs; i++) {
		struct vrf_prefix **vps;

		n = rtable_sorted(&t->vrfs[i].routes, &vps);
		for (j = 0; j < n; j++)
			count += sweep_prefix(t, &t->vrfs[i], vps[j]);
		free(vps);
	}
	return count;
}

/* Places (or refreshes) src's exported prefix vp in dst. 0 or -errno. */
static int leak_into(struct vrf_table *t, struct vrf *dst, const struct vrf *src,
		     const struct vrf_prefix *vp)
{
	const struct vrf_route *via = export_route(src, vp);
	struct vrf_route tmpl = {
		.source = ROUTE_LEAKED,
		.rd = src->cfg->rd,
		.inner_label = MPLS_LABEL_NONE,
		.origin_vrf = src->id,
		.distance = ROUTE_DISTANCE_LEAKED,
		.rts = src->cfg->export_rts,
		.n_rts = src->cfg->n_export_rts,
		.valid = true,
	};

	if (via == NULL) /* changing right now; its export sync leaks it again */
		return -EAGAIN;
	tmpl.nh = nexthop_ref(via->nh);
	return vrf_route_upsert(t, dst, &vp->prefix, &tmpl);
}

static bool leaks_to(const struct vrf *src, const struct vrf *dst)
{
	return dst != src && dst->cfg != NULL &&
	       rt_sets_meet(dst->cfg->import_rts, dst->cfg->n_import_rts, src->cfg->export_rts,
			    src->cfg->n_export_rts);
}

void import_leak_prefix(struct vrf_table *t, const struct vrf *src, const struct vrf_prefix *vp)
{
	/* vp may go away while we work (it is src's): keep what we need. */
	struct prefix4 p = vp->prefix;
	bool exported = vp->exp_label != NULL;
	size_t d;

	for (d = 0; d < t->n_vrfs; d++) {
		struct vrf *dst = &t->vrfs[d];

		if (dst == src || dst->cfg == NULL)
			continue;
		if (exported && leaks_to(src, dst))
			leak_into(t, dst, src, vp);
		else
			vrf_route_remove(t, dst, &p, ROUTE_LEAKED, &src->cfg->rd);
	}
}

size_t import_leak_local(struct vrf_table *t)
{
	size_t s, d, j, n, count = 0;

	for (s = 0; s < t->n_vrfs; s++) {
		const struct vrf *src = &t->vrfs[s];
		struct vrf_prefix **vps;

		n = rtable_sorted(&src->routes, &vps);
		for (j = 0; j < n; j++) {
			if (vps[j]->exp_label == NULL)
				continue;
			for (d = 0; d < t->n_vrfs; d++)
				if (leaks_to(src, &t->vrfs[d]) &&
				    leak_into(t, &t->vrfs[d], src, vps[j]) == 0)
					count++;
		}
		free(vps);
	}
	return count;
}
