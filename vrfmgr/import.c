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

bool import_room_for(struct vrf_table *t, struct vrf *v, const struct prefix4 *p)
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
	t->limits_hit = true;
	return false;
}

/* The import index, rebuilt first when VRFs changed since it was built. */
static const struct rt_index *import_index(struct vrf_table *t)
{
	if (!t->rtix.ready)
		rt_index_build(&t->rtix, t->vrfs, t->n_vrfs);
	return &t->rtix;
}

static bool vrf_importing(const struct vrf *v)
{
	return v->cfg != NULL && !v->dying;
}

/* Whether v imports vr: by the index, not a scan of v's import RTs (there may be 1,000). */
static bool vpn_matches(struct vrf_table *t, const struct vrf *v, const struct vpn_route *vr)
{
	return vr->problem == NULL && vrf_importing(v) &&
	       rt_index_imports(import_index(t), (uint32_t)(v - t->vrfs), vr->rts, vr->n_rts);
}

/* Places vr in v (or refreshes it there) and records it. 0, -ENOSPC (route limit) or -ENOMEM. */
static int import_into(struct vrf_table *t, struct vrf *v, struct vpn_route *vr)
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
	int rc;

	if (!import_room_for(t, v, &vr->prefix))
		return -ENOSPC;
	tmpl.nh = nexthop_get_labeled(&t->nhs, vr->msg.next_hop);
	if (tmpl.nh == NULL)
		return -ENOMEM;
	/* Recorded first: a route in a VRF is always on the list (a failed upsert leaves an extra id). */
	if ((rc = vpn_place(vr, (uint16_t)v->id)) == 0)
		rc = vrf_route_upsert(t, v, &vr->prefix, &tmpl);
	else
		nexthop_put(&t->nhs, tmpl.nh);
	return rc;
}

static bool id_not(uint16_t id, void *arg)
{
	return id != *(const uint16_t *)arg;
}

/* Takes vr out of v, and v off vr's list. */
static int import_out(struct vrf_table *t, struct vrf *v, struct vpn_route *vr)
{
	uint16_t id = (uint16_t)v->id;

	vpn_place_filter(vr, id_not, &id);
	return vrf_route_remove(t, v, &vr->prefix, ROUTE_BGP, &vr->rd);
}

/* Puts vr where it belongs in v: in when its RTs match, out otherwise. 1 when it is in. */
static int import_place(struct vrf_table *t, struct vrf *v, struct vpn_route *vr)
{
	if (vpn_matches(t, v, vr))
		return import_into(t, v, vr) == 0;
	import_out(t, v, vr);
	return 0;
}

struct leave_ctx {
	struct vrf_table *t;
	struct vpn_route *vr;
	uint32_t gen;
	int left; /* VRFs it was taken out of */
};

/* A new visit stamp; never 0, the stamp of a VRF no visit reached yet. */
static uint32_t import_next_gen(struct vrf_table *t)
{
	if (++t->import_gen == 0) {
		for (size_t i = 0; i < t->n_vrfs; i++)
			t->vrfs[i].import_gen = 0;
		t->import_gen = 1;
	}
	return t->import_gen;
}

/* vpn_place_filter: keeps the VRFs this visit reached; takes vr out of the others. */
static bool leave_unvisited(uint16_t id, void *arg)
{
	struct leave_ctx *c = arg;
	long slot = rt_index_slot(import_index(c->t), id);
	struct vrf *v;

	if (slot < 0)
		return false; /* torn down since: nothing to take out */
	v = &c->t->vrfs[slot];
	if (v->import_gen == c->gen)
		return true;
	vrf_route_remove(c->t, v, &c->vr->prefix, ROUTE_BGP, &c->vr->rd);
	return false;
}

/*
 * Places vr in every VRF importing one of its RTs (each once: the visit
 * stamps it) and takes it out of the VRFs it was in that no longer do.
 * Returns the number of VRFs holding it.
 */
static int import_visit(struct vrf_table *t, struct vpn_route *vr)
{
	const struct rt_index *ix = import_index(t);
	struct leave_ctx c = { .t = t, .vr = vr, .gen = import_next_gen(t) };
	size_t i, j, n;
	int placed = 0;

	for (i = 0; vr->problem == NULL && i < vr->n_rts; i++) {
		const uint32_t *slots = rt_index_vrfs(ix, &vr->rts[i], &n);

		for (j = 0; j < n; j++) {
			struct vrf *v = &t->vrfs[slots[j]];

			if (v->import_gen == c.gen || !vrf_importing(v))
				continue;
			v->import_gen = c.gen;
			if (import_into(t, v, vr) == 0)
				placed++;
		}
	}
	vpn_place_filter(vr, leave_unvisited, &c);
	return placed;
}

int import_vpn_add(struct vrf_table *t, const struct ipc_vpn_route *r,
		   const struct ext_community *rts)
{
	char rdb[RD_STRLEN], a[IPV4_STRLEN];
	struct vpn_route *vr;
	int n;

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
	n = import_visit(t, vr);
	return vr->problem != NULL ? -EINVAL : n;
}

static bool take_out(uint16_t id, void *arg)
{
	struct leave_ctx *c = arg;
	long slot = rt_index_slot(import_index(c->t), id);

	if (slot >= 0 &&
	    vrf_route_remove(c->t, &c->t->vrfs[slot], &c->vr->prefix, ROUTE_BGP, &c->vr->rd) == 0)
		c->left++;
	return false;
}

int import_vpn_del(struct vrf_table *t, const struct rd *rd, const struct prefix4 *p)
{
	struct prefix4 q = *p;
	struct leave_ctx c = { .t = t };

	if (q.len > 32)
		return 0;
	prefix4_normalize(&q);
	/* Only the VRFs it was placed in: a VPN route is in no VRF without being on its list. */
	if ((c.vr = vpn_find(&t->vpn, rd, &q)) == NULL)
		return 0;
	vpn_place_filter(c.vr, take_out, &c);
	vpn_remove(&t->vpn, c.vr);
	return c.left;
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

/* The VRF with this id, by the index (by a scan when the index could not be built). */
static struct vrf *vrf_of_id(struct vrf_table *t, uint16_t id)
{
	const struct rt_index *ix = import_index(t);
	long slot;

	if (!ix->ready)
		return vrf_by_id(t, id);
	slot = rt_index_slot(ix, id);
	return slot >= 0 ? &t->vrfs[slot] : NULL;
}

static int slot_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * From the placement list alone: a VRF holding vr is always on it, and the
 * list may name more (a VRF torn down since, an upsert that failed), so
 * each is looked at. Their slots into slots; with slots NULL, 1 at the first.
 */
static size_t holders(struct vrf_table *t, const struct vpn_route *vr, uint32_t *slots)
{
	size_t n, held = 0;
	const uint16_t *ids = vpn_placed(vr, &n);

	for (size_t i = 0; i < n; i++) {
		struct vrf *v = vrf_of_id(t, ids[i]);

		if (v == NULL || v->cfg == NULL ||
		    vrf_route_find(v, &vr->prefix, ROUTE_BGP, &vr->rd) == NULL)
			continue;
		if (slots == NULL)
			return 1;
		slots[held++] = (uint32_t)(v - t->vrfs);
	}
	return held;
}

bool import_vpn_held(struct vrf_table *t, const struct vpn_route *vr)
{
	return holders(t, vr, NULL) > 0;
}

size_t import_vpn_holders(struct vrf_table *t, const struct vpn_route *vr, uint32_t *slots)
{
	size_t held = holders(t, vr, slots);

	qsort(slots, held, sizeof(*slots), slot_cmp);
	return held;
}

size_t import_refused(const struct vrf_table *t, const struct vrf *v)
{
	struct vrf_table *mt = (struct vrf_table *)t; /* the index may be rebuilt */
	size_t i = 0, n = 0;

	for (const struct vpn_route *vr; (vr = vpn_next(&t->vpn, &i)) != NULL;)
		if (vpn_matches(mt, v, vr) &&
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
	if (!import_room_for(t, dst, &vp->prefix))
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

/*
 * The slots of the VRFs src leaks into (leaks_to), ascending, each once:
 * the import index's VRFs under src's export RTs, each checked with
 * leaks_to, so an index that lists more (vrf_table_init's, built before
 * the VRFs are) is enough. A walk over every VRF per exported prefix was
 * a third of a 10,000-VRF start. NULL and *n 0 when there are none, or
 * when out of memory (logged; leaking is then left to the next sync).
 */
static uint32_t *leak_targets(struct vrf_table *t, const struct vrf *src, size_t *n)
{
	const struct rt_index *ix = import_index(t);
	uint32_t *v = NULL;
	size_t i, j, k, cnt = 0, cap = 0;

	*n = 0;
	for (i = 0; src->cfg != NULL && i < src->cfg->n_export_rts; i++) {
		const uint32_t *slots = rt_index_vrfs(ix, &src->cfg->export_rts[i], &k);

		for (j = 0; j < k; j++) {
			if (slots[j] >= t->n_vrfs || !leaks_to(src, &t->vrfs[slots[j]]))
				continue;
			if (cnt == cap) {
				uint32_t *grown = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));

				if (grown == NULL) {
					log_warn("leaking");
					free(v);
					return NULL;
				}
				v = grown;
			}
			v[cnt++] = slots[j];
		}
	}
	if (cnt > 1 && src->cfg->n_export_rts > 1) {
		qsort(v, cnt, sizeof(*v), slot_cmp);
		for (i = 1, j = 1; i < cnt; i++)
			if (v[i] != v[j - 1])
				v[j++] = v[i];
		cnt = j;
	}
	*n = cnt;
	return v;
}

void import_leak_prefix(struct vrf_table *t, const struct vrf *src, const struct vrf_prefix *vp)
{
	/* vp may go away while we work (it is src's): keep what we need. */
	struct prefix4 p = vp->prefix;
	bool exported = vp->exp_label != NULL;
	size_t d, k = 0, n = 0;
	uint32_t *to = exported ? leak_targets(t, src, &n) : NULL;

	/*
	 * Without a leaked route anywhere (t->n_leaked) there is nothing to
	 * take out: the targets alone (a leak creates routes of src's RD only
	 * in them). Else one walk in slot order, as before the index: leak
	 * into the targets, take src's route out of the others that hold
	 * leaked routes.
	 */
	if (t->n_leaked == 0) {
		for (k = 0; k < n; k++)
			leak_into(t, &t->vrfs[to[k]], src, vp);
		free(to);
		return;
	}
	for (d = 0; d < t->n_vrfs; d++) {
		struct vrf *dst = &t->vrfs[d];

		if (k < n && to[k] == d) {
			k++;
			leak_into(t, dst, src, vp);
		} else if (dst != src && dst->cfg != NULL && dst->n_leaked > 0) {
			vrf_route_remove(t, dst, &p, ROUTE_LEAKED, &src->cfg->rd);
		}
	}
	free(to);
}

size_t import_leak_local(struct vrf_table *t)
{
	size_t s, j, k, n, n_to, count = 0;

	for (s = 0; s < t->n_vrfs; s++) {
		const struct vrf *src = &t->vrfs[s];
		struct vrf_prefix **vps;
		uint32_t *to = leak_targets(t, src, &n_to);

		if (n_to == 0)
			continue;
		n = rtable_sorted(&src->routes, &vps);
		for (j = 0; j < n; j++) {
			if (vps[j]->exp_label == NULL)
				continue;
			for (k = 0; k < n_to; k++)
				if (leak_into(t, &t->vrfs[to[k]], src, vps[j]) == 0)
					count++;
		}
		free(vps);
		free(to);
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
		bool leaks;

		if (src == v || src->cfg == NULL)
			continue;
		/* Nothing to leak, nothing leaked to take out: src's routes need no look. */
		leaks = leaks_to(src, v);
		if (!leaks && v->n_leaked == 0)
			continue;
		n = rtable_sorted(&src->routes, &vps);
		for (j = 0; j < n; j++) {
			if (vps[j]->exp_label != NULL && leaks) {
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
	bool still = false;

	/* Called after every withdraw: without a VRF at its limit, no walk over the VRFs. */
	if (!t->limits_hit)
		return 0;
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
	for (i = 0; i < t->n_vrfs; i++)
		still = still || t->vrfs[i].limit_hit;
	t->limits_hit = still;
	return count;
}
