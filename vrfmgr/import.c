/*
 * Import: VPN-IPv4 routes from bgpd into the VRFs whose import RTs meet the
 * route's RTs, and local leaking between this PE's own VRFs. bgpd sends one
 * (best) path per RD:prefix, so a VRF holds at most one bgp candidate per
 * RD for a prefix and the same prefix from two RDs is two candidates.
 * Every route bgpd sent is kept in the VPN table (vpn.h), imported or not:
 * a VRF added or changed later, or one whose route limit frees up, imports
 * from it without a BGP round trip, and the API can say why a route is not
 * in a VRF. Replays: REPLAY_BEGIN marks every VPN route stale, each ADD
 * refreshes, REPLAY_END sweeps the rest; a disconnected bgpd's routes stay.
 *
 * Route limits: a VRF with max_routes refuses a VPN or leaked route that
 * would add a prefix beyond it (routes for prefixes it has, and its own
 * connected and static routes, always get in); refused routes are retried
 * when it has room again (import_retry_limits).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/l3vpn.h"

/* Why no VRF may use r, or NULL. */
static const char *vpn_problem(const struct vrf_table *t, const struct ipc_vpn_route *r)
{
	if (r->label < MPLS_LABEL_FIRST_UNRESERVED || r->label > MPLS_LABEL_MAX)
		return "no usable VPN label";
	if (r->next_hop == 0)
		return "no next hop";
	/* Our own routes coming back (through a reflector): not an error, not ours to import. */
	if (r->next_hop == t->cfg->router_id)
		return "its next hop is this router (one of our own routes)";
	return NULL;
}

static void vpn_log_problem(const struct vpn_route *vr)
{
	char rdb[RD_STRLEN], pb[PREFIX4_STRLEN], nh[IPV4_STRLEN];

	if (vr->msg.next_hop != 0 && strncmp(vr->problem, "its next hop", 12) == 0)
		log_debug("VPN route %s %s: %s: ignored", rd_format(&vr->rd, rdb),
			  prefix4_format(&vr->prefix, pb), vr->problem);
	else
		log_warnx("VPN route %s %s next hop %s label %u ignored: %s",
			  rd_format(&vr->rd, rdb), prefix4_format(&vr->prefix, pb),
			  ipv4_format(vr->msg.next_hop, nh), vr->msg.label, vr->problem);
}

bool import_room_for(struct vrf *v, const struct prefix4 *p)
{
	char pb[PREFIX4_STRLEN];

	if (v->cfg->max_routes == 0 || v->routes.count < v->cfg->max_routes ||
	    rtable_find(&v->routes, p) != NULL)
		return true;
	if (!v->limit_hit)
		log_warnx("vrf %s: route limit %u reached: %s refused, as is every route that "
			  "would add a prefix until there is room",
			  v->cfg->name, v->cfg->max_routes, prefix4_format(p, pb));
	v->limit_hit = true;
	return false;
}

static bool vpn_matches(const struct vrf *v, const struct vpn_route *vr)
{
	return vr->problem == NULL && v->cfg != NULL && !v->dying &&
	       rt_sets_meet(v->cfg->import_rts, v->cfg->n_import_rts, vr->rts, vr->n_rts);
}

/* Places vr in v (or refreshes it there). 0, -ENOSPC (route limit) or -ENOMEM. */
static int import_into(struct vrf_table *t, struct vrf *v, const struct vpn_route *vr)
{
	struct vrf_route tmpl = {
		.source = ROUTE_BGP,
		.rd = vr->rd,
		.inner_label = vr->msg.label,
		.remote_pe = vr->msg.next_hop,
		.local_pref = vr->msg.local_pref,
		.distance = ROUTE_DISTANCE_BGP,
		.peer = vr->msg.peer,
		.rts = vr->rts,
		.n_rts = vr->n_rts,
		.valid = true,
	};

	if (!import_room_for(v, &vr->prefix))
		return -ENOSPC;
	tmpl.nh = nexthop_get_labeled(&t->nhs, vr->msg.next_hop);
	if (tmpl.nh == NULL)
		return -ENOMEM;
	return vrf_route_upsert(t, v, &vr->prefix, &tmpl);
}

/* Puts vr where it belongs in v: in when its RTs match, out otherwise. 1 when it is in. */
static int import_place(struct vrf_table *t, struct vrf *v, const struct vpn_route *vr)
{
	if (vpn_matches(v, vr))
		return import_into(t, v, vr) == 0;
	vrf_route_remove(t, v, &vr->prefix, ROUTE_BGP, &vr->rd);
	return 0;
}

int import_vpn_add(struct vrf_table *t, const struct ipc_vpn_route *r,
		   const struct ext_community *rts)
{
	char rdb[RD_STRLEN], a[IPV4_STRLEN];
	struct vpn_route *vr;
	size_t i;
	int n = 0;

	if (r->plen > 32) {
		log_warnx("VPN route %s %s/%u ignored: prefix length over 32",
			  rd_format((const struct rd *)r->rd, rdb), ipv4_format(r->prefix, a),
			  r->plen);
		return -EINVAL;
	}
	if ((vr = vpn_put(&t->vpn, r, rts)) == NULL)
		return -ENOMEM;
	vr->problem = vpn_problem(t, r);
	if (vr->problem != NULL)
		vpn_log_problem(vr);
	/* An update may have changed the RTs (or made it unusable): leave VRFs that no longer match. */
	for (i = 0; i < t->n_vrfs; i++)
		n += import_place(t, &t->vrfs[i], vr);
	return vr->problem != NULL ? -EINVAL : n;
}

int import_vpn_del(struct vrf_table *t, const struct rd *rd, const struct prefix4 *p)
{
	struct prefix4 q = *p;
	struct vpn_route *vr;
	size_t i;
	int n = 0;

	if (q.len > 32)
		return 0;
	prefix4_normalize(&q);
	for (i = 0; i < t->n_vrfs; i++)
		if (vrf_route_remove(t, &t->vrfs[i], &q, ROUTE_BGP, rd) == 0)
			n++;
	if ((vr = vpn_find(&t->vpn, rd, &q)) != NULL)
		vpn_remove(&t->vpn, vr);
	return n;
}

size_t import_mark_stale(struct vrf_table *t)
{
	struct vpn_route **v;
	size_t i, n = vpn_list(&t->vpn, &v);

	for (i = 0; i < n; i++)
		v[i]->stale = true;
	free(v);
	return n;
}

size_t import_sweep(struct vrf_table *t)
{
	struct vpn_route **v;
	size_t i, n = vpn_list(&t->vpn, &v), count = 0;

	for (i = 0; i < n; i++) {
		if (!v[i]->stale)
			continue;
		import_vpn_del(t, &v[i]->rd, &v[i]->prefix);
		count++;
	}
	free(v);
	return count;
}

size_t import_refused(const struct vrf_table *t, const struct vrf *v)
{
	size_t i, n = 0;

	for (i = 0; i < t->vpn.nb; i++)
		for (const struct vpn_route *vr = t->vpn.b[i]; vr != NULL; vr = vr->hnext)
			if (vpn_matches(v, vr) &&
			    vrf_route_find((struct vrf *)v, &vr->prefix, ROUTE_BGP, &vr->rd) == NULL)
				n++;
	return n;
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
	if (!import_room_for(dst, &vp->prefix))
		return -ENOSPC;
	tmpl.nh = nexthop_ref(via->nh);
	return vrf_route_upsert(t, dst, &vp->prefix, &tmpl);
}

static bool leaks_to(const struct vrf *src, const struct vrf *dst)
{
	return dst != src && dst->cfg != NULL && !dst->dying &&
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

size_t import_vrf_sync(struct vrf_table *t, struct vrf *v)
{
	struct vpn_route **vrs;
	size_t i, j, n, count = 0;

	n = vpn_list(&t->vpn, &vrs);
	for (i = 0; i < n; i++)
		count += (size_t)import_place(t, v, vrs[i]);
	free(vrs);
	for (i = 0; i < t->n_vrfs; i++) {
		const struct vrf *src = &t->vrfs[i];
		struct vrf_prefix **vps;

		if (src == v || src->cfg == NULL)
			continue;
		n = rtable_sorted(&src->routes, &vps);
		for (j = 0; j < n; j++) {
			if (vps[j]->exp_label != NULL && leaks_to(src, v)) {
				if (leak_into(t, v, src, vps[j]) == 0)
					count++;
			} else {
				vrf_route_remove(t, v, &vps[j]->prefix, ROUTE_LEAKED, &src->cfg->rd);
			}
		}
		free(vps);
	}
	return count;
}

size_t import_retry_limits(struct vrf_table *t)
{
	size_t i, count = 0;

	for (i = 0; i < t->n_vrfs; i++) {
		struct vrf *v = &t->vrfs[i];

		if (!v->limit_hit || v->cfg == NULL ||
		    (v->cfg->max_routes != 0 && v->routes.count >= v->cfg->max_routes))
			continue;
		v->limit_hit = false;
		log_info("vrf %s: room below its route limit again: importing refused routes",
			 v->cfg->name);
		count += import_vrf_sync(t, v);
	}
	return count;
}
