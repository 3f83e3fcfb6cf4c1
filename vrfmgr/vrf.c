/*
 * VRF route tables: adding and removing candidate routes, selecting one per
 * prefix and keeping the dataplane in step (the table's life, from config
 * to replay, is vrf_table.c). All dataplane effects of a change are emitted right
 * here (prefix_program), so the promise "NH before the FIB entries using it,
 * FIB deletes before NH_DEL" is kept in one place. Import/export policy (RTs)
 * lives in import.c/export.c; this file only holds what they decide.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "common/plural.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/rtset.h"
#include "vrfmgr/slab.h"

static struct slab route_slab = SLAB_INIT(struct vrf_route);
#include "vrfmgr/vrf.h"

const char *route_source_name(enum route_source s)
{
	static const char *const names[] = {
		[ROUTE_CONNECTED] = "connected",
		[ROUTE_STATIC] = "static",
		[ROUTE_LEAKED] = "leaked",
		[ROUTE_BGP] = "bgp",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

bool vrf_route_usable(const struct vrf_route *r)
{
	return r->valid && r->nh != NULL && r->nh->resolved;
}

/* Negative when a is preferred over b. */
static int route_cmp(const struct vrf_route *a, const struct vrf_route *b)
{
	bool ua = vrf_route_usable(a), ub = vrf_route_usable(b);

	if (ua != ub)
		return ua ? -1 : 1;
	if (a->distance != b->distance)
		return a->distance < b->distance ? -1 : 1;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	if (a->source == ROUTE_BGP) {
		if (a->local_pref != b->local_pref)
			return a->local_pref > b->local_pref ? -1 : 1;
		if (a->remote_pe != b->remote_pe)
			return a->remote_pe < b->remote_pe ? -1 : 1;
	}
	if (a->source == ROUTE_STATIC && a->nh != NULL && b->nh != NULL &&
	    a->nh->ipc.gateway != b->nh->ipc.gateway)
		return a->nh->ipc.gateway < b->nh->ipc.gateway ? -1 : 1;
	return memcmp(a->rd.b, b->rd.b, sizeof(a->rd.b));
}

static bool route_keyed_by_rd(enum route_source s)
{
	return s == ROUTE_BGP || s == ROUTE_LEAKED;
}

/* A candidate's identity: bgp and leaked by RD, static by next hop (NULL: any). */
static struct vrf_route **route_slot(struct vrf_prefix *vp, enum route_source source,
				     const struct rd *rd, const struct nexthop *nh)
{
	struct vrf_route **pp;

	for (pp = &vp->routes; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->source != source)
			continue;
		if (route_keyed_by_rd(source) ? rd_equal(&(*pp)->rd, rd)
					      : source != ROUTE_STATIC || nh == NULL ||
						    (*pp)->nh == nh)
			break;
	}
	return pp;
}

/* The route targets of the route selected for vp (NULL: none, or no route). */
static const struct ext_community *best_rts(const struct vrf_prefix *vp)
{
	return vp->best != NULL ? vp->best->rts : NULL;
}

/*
 * Makes the dataplane hold what vp->best says (or nothing). held_rts: the
 * RTs of the route the FIB entry was made for (best_rts before the change):
 * an entry that stays as it is but now stands for other RTs is said to the
 * API's events alone (fib_rts in dataplane.h); fwd has nothing to change.
 * True when it added (or replaced) the FIB entry.
 */
static bool prefix_program(struct vrf_table *t, const struct vrf *v, struct vrf_prefix *vp,
			   const struct ext_community *held_rts)
{
	struct ipc_fib_entry e = {
		.vrf_id = v->id,
		.prefix = vp->prefix.addr,
		.plen = vp->prefix.len,
		.inner_label = MPLS_LABEL_NONE,
	};
	struct nexthop *nh = NULL, *old = vp->fib_nh;
	uint32_t label = MPLS_LABEL_NONE;

	if (vp->best != NULL && vrf_route_usable(vp->best) && !v->dying) {
		nh = vp->best->nh;
		label = vp->best->inner_label;
	}
	if (nh != NULL) {
		e.nh_id = nh->ipc.nh_id;
		e.inner_label = label;
	}
	if (nh == old && (nh == NULL || label == vp->fib_label)) {
		if (!rtset_same(best_rts(vp), held_rts)) /* in any order */
			vrf_prefix_rts_changed(t, v, vp);
		return false;
	}
	if (nh != NULL) {
		nexthop_fib_hold(&t->nhs, nh, &t->dp);
		DP_CALL(&t->dp, fib_add, &e);
	} else {
		DP_CALL(&t->dp, fib_del, &e);
	}
	vp->fib_nh = nh;
	vp->fib_label = label;
	if (old != NULL)
		nexthop_fib_release(&t->nhs, old, &t->dp);
	return nh != NULL;
}

void vrf_prefix_rts_changed(struct vrf_table *t, const struct vrf *v, const struct vrf_prefix *vp)
{
	struct ipc_fib_entry e;

	if (vrf_prefix_fib_entry(v, vp, &e))
		DP_CALL(&t->dp, fib_rts, &e);
}

/* held_rts: as prefix_program's (a route changed in place is no longer what it was). */
static void prefix_select(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp,
			  const struct ext_community *held_rts)
{
	const struct vrf_prefix *outer = t->fib_exporting;
	struct vrf_route *r, *best = NULL;

	for (r = vp->routes; r != NULL; r = r->next)
		if (best == NULL || route_cmp(r, best) < 0)
			best = r;
	vp->best = best;
	/* a local route installed now gets its RTs from the export that follows */
	if (prefix_program(t, v, vp, held_rts))
		t->fib_exporting = vp;
	export_prefix_sync(t, v, vp);
	t->fib_exporting = outer;
}

/* The prefix count changed: warn once when it reaches the threshold of the limit. */
static void vrf_limit_note(struct vrf *v)
{
	uint64_t max = v->cfg->max_routes, warn_at = (max * v->cfg->warn_threshold + 99) / 100;

	if (max == 0)
		return;
	if (!v->limit_warned && v->routes.count >= warn_at) {
		v->limit_warned = true;
		/* the share it holds, which a reload lowering the limit can put past the threshold */
		log_warnx("vrf %s: %zu %s, %llu%% of its limit of %u (warns at %u%%)", v->cfg->name,
			  v->routes.count, plural(v->routes.count, "prefix", "prefixes"),
			  (unsigned long long)(v->routes.count * 100 / max), v->cfg->max_routes,
			  v->cfg->warn_threshold);
	} else if (v->limit_warned && v->routes.count < warn_at) {
		v->limit_warned = false;
		log_info("vrf %s: %zu %s, back below %u%% of its limit of %u", v->cfg->name,
			 v->routes.count, plural(v->routes.count, "prefix", "prefixes"),
			 v->cfg->warn_threshold, v->cfg->max_routes);
	}
}

/* An export sync may be running on vp further up the stack: it frees vp then. */
static void prefix_gc(struct vrf *v, struct vrf_prefix *vp)
{
	if (vp->routes == NULL && !vp->busy) {
		rtable_remove(&v->routes, vp);
		vrf_limit_note(v);
	}
}

struct vrf_route *vrf_route_find(struct vrf *v, const struct prefix4 *p, enum route_source source,
				 const struct rd *rd)
{
	struct vrf_prefix *vp = rtable_find(&v->routes, p);

	return vp != NULL ? *route_slot(vp, source, rd, NULL) : NULL;
}

int vrf_route_upsert(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		     const struct vrf_route *tmpl)
{
	const struct ext_community *rts = rtset_get(tmpl->rts, tmpl->n_rts);
	struct vrf_prefix *vp = rtable_get(&v->routes, p);
	struct vrf_route **pp, *r, *next, old = { 0 };
	const struct ext_community *held_rts;

	if (vp == NULL || (tmpl->n_rts > 0 && rts == NULL)) {
		if (vp != NULL && vp->routes == NULL)
			rtable_remove(&v->routes, vp);
		nexthop_put(&t->nhs, tmpl->nh);
		rtset_put(rts);
		return -ENOMEM;
	}
	pp = route_slot(vp, tmpl->source, &tmpl->rd, tmpl->nh);
	r = *pp;
	if (r != NULL) {
		old = *r;
		next = r->next;
	} else {
		if (vp->routes == NULL)
			vrf_limit_note(v); /* a new prefix */
		r = slab_alloc(&route_slab);
		if (r == NULL) {
			log_warn("route");
			if (vp->routes == NULL)
				rtable_remove(&v->routes, vp);
			nexthop_put(&t->nhs, tmpl->nh);
			rtset_put(rts);
			return -ENOMEM;
		}
		next = vp->routes;
		vp->routes = r;
		v->n_routes++;
		if (tmpl->source == ROUTE_LEAKED) {
			v->n_leaked++;
			t->n_leaked++;
		}
	}
	held_rts = best_rts(vp); /* before r, perhaps the best, changes */
	*r = *tmpl;
	r->next = next;
	r->rts = rts;
	prefix_select(t, v, vp, held_rts);
	/* Only now: the dataplane may have used the old next hop until the line above. */
	nexthop_put(&t->nhs, old.nh);
	rtset_put(old.rts);
	prefix_gc(v, vp);
	return 0;
}

static int route_remove(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
			enum route_source source, const struct rd *rd, const struct nexthop *nh)
{
	struct vrf_prefix *vp = rtable_find(&v->routes, p);
	struct vrf_route **pp, *r;

	if (vp == NULL)
		return -ENOENT;
	pp = route_slot(vp, source, rd, nh);
	r = *pp;
	if (r == NULL)
		return -ENOENT;
	*pp = r->next;
	v->n_routes--;
	if (r->source == ROUTE_LEAKED) {
		v->n_leaked--;
		t->n_leaked--;
	}
	prefix_select(t, v, vp, best_rts(vp)); /* r, if it was the best, is not freed yet */
	nexthop_put(&t->nhs, r->nh);
	vrf_route_free(r);
	prefix_gc(v, vp);
	return 0;
}

int vrf_route_remove(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		     enum route_source source, const struct rd *rd)
{
	return route_remove(t, v, p, source, rd, NULL);
}

int vrf_static_remove(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		      const struct nexthop *nh)
{
	return route_remove(t, v, p, ROUTE_STATIC, NULL, nh);
}

struct vrf_route *vrf_route_find_static(struct vrf *v, const struct prefix4 *p,
					const struct nexthop *nh)
{
	struct vrf_prefix *vp = rtable_find(&v->routes, p);

	return vp != NULL ? *route_slot(vp, ROUTE_STATIC, NULL, nh) : NULL;
}

void vrf_route_free(struct vrf_route *r)
{
	rtset_put(r->rts);
	slab_free(&route_slab, r);
}

bool vrf_route_installed(const struct vrf_prefix *vp, const struct vrf_route *r)
{
	return vp->best == r && vp->fib_nh != NULL && vp->fib_nh == r->nh;
}

const char *vrf_static_nh_text(enum static_nh why, const char *ifname, uint32_t next_hop,
			       char *buf, size_t len)
{
	static const char *const what[] = { [STATIC_NH_NETWORK] = "network",
					    [STATIC_NH_BROADCAST] = "broadcast" };
	char a[IPV4_STRLEN];

	ipv4_format(next_hop, a);
	if (why == STATIC_NH_OWN)
		snprintf(buf, len, "next hop %s is this router's own address on interface %s", a,
			 ifname);
	else if (why == STATIC_NH_NETWORK || why == STATIC_NH_BROADCAST)
		snprintf(buf, len, "next hop %s is the %s address of interface %s's subnet", a,
			 what[why], ifname);
	else if (ifname[0] != '\0')
		snprintf(buf, len, "next hop %s is not on the subnet of interface %s", a, ifname);
	else
		snprintf(buf, len, "next hop %s is not on a connected subnet of the VRF", a);
	return buf;
}

const char *vrf_static_nh_reason(const struct vrf_route *r, char *buf, size_t len)
{
	return vrf_static_nh_text((enum static_nh)r->static_nh, r->nh->ipc.ifname,
				  r->nh->ipc.gateway, buf, len);
}

const char *vrf_route_reason(const struct vrf_prefix *vp, const struct vrf_route *r, char *buf,
			     size_t len)
{
	char a[IPV4_STRLEN], rdbuf[RD_STRLEN];

	if (vrf_route_installed(vp, r))
		return NULL;
	if (r->nh == NULL)
		snprintf(buf, len, "no next hop");
	else if (!r->valid)
		vrf_static_nh_reason(r, buf, len);
	else if (!r->nh->resolved)
		snprintf(buf, len, "next hop %s has no LSP", ipv4_format(r->remote_pe, a));
	else if (vp->best != NULL && vp->best != r && vp->best->source != r->source)
		snprintf(buf, len, "a %s route is preferred%s", route_source_name(vp->best->source),
			 vp->best->source > r->source ? " (lower distance)" : "");
	else if (vp->best != NULL && vp->best != r && r->source == ROUTE_STATIC)
		snprintf(buf, len, "the static route via %s (distance %u) is preferred",
			 ipv4_format(vp->best->nh->ipc.gateway, a), vp->best->distance);
	else if (vp->best != NULL && vp->best != r)
		snprintf(buf, len, "the path with RD %s is preferred",
			 rd_format(&vp->best->rd, rdbuf));
	else
		snprintf(buf, len, "not selected");
	return buf;
}

void vrf_prefix_reselect(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp)
{
	prefix_select(t, v, vp, best_rts(vp));
	prefix_gc(v, vp);
}
