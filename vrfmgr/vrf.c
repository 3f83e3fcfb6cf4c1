/*
 * VRFs and their route tables: building them from config, adding and
 * removing candidate routes, selecting one per prefix and keeping the
 * dataplane in step. All dataplane effects of a change are emitted right
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
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/state.h"
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

/* Makes the dataplane hold what vp->best says (or nothing). */
static void prefix_program(struct vrf_table *t, const struct vrf *v, struct vrf_prefix *vp)
{
	struct ipc_fib_entry e = {
		.vrf_id = v->id,
		.prefix = vp->prefix.addr,
		.plen = vp->prefix.len,
		.inner_label = MPLS_LABEL_NONE,
	};
	struct nexthop *nh = NULL, *old = vp->fib_nh;
	uint32_t label = MPLS_LABEL_NONE;

	if (vp->best != NULL && vrf_route_usable(vp->best)) {
		nh = vp->best->nh;
		label = vp->best->inner_label;
	}
	if (nh == old && (nh == NULL || label == vp->fib_label))
		return;
	if (nh != NULL) {
		nexthop_fib_hold(&t->nhs, nh, &t->dp);
		e.nh_id = nh->ipc.nh_id;
		e.inner_label = label;
		DP_CALL(&t->dp, fib_add, &e);
	} else {
		DP_CALL(&t->dp, fib_del, &e);
	}
	vp->fib_nh = nh;
	vp->fib_label = label;
	if (old != NULL)
		nexthop_fib_release(&t->nhs, old, &t->dp);
}

static void prefix_select(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp)
{
	struct vrf_route *r, *best = NULL;

	for (r = vp->routes; r != NULL; r = r->next)
		if (best == NULL || route_cmp(r, best) < 0)
			best = r;
	vp->best = best;
	prefix_program(t, v, vp);
	export_prefix_sync(t, v, vp);
}

/* The prefix count changed: warn once when it reaches the threshold of the limit. */
static void vrf_limit_note(struct vrf *v)
{
	uint64_t max = v->cfg->max_routes, warn_at = (max * v->cfg->warn_threshold + 99) / 100;

	if (max == 0)
		return;
	if (!v->limit_warned && v->routes.count >= warn_at) {
		v->limit_warned = true;
		log_warnx("vrf %s: %zu prefixes, %u%% of its limit of %u", v->cfg->name,
			  v->routes.count, v->cfg->warn_threshold, v->cfg->max_routes);
	} else if (v->limit_warned && v->routes.count < warn_at) {
		v->limit_warned = false;
		log_info("vrf %s: %zu prefixes, back below %u%% of its limit of %u", v->cfg->name,
			 v->routes.count, v->cfg->warn_threshold, v->cfg->max_routes);
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

static struct ext_community *rts_copy(const struct ext_community *rts, size_t n)
{
	struct ext_community *c;

	if (n == 0)
		return NULL;
	c = malloc(n * sizeof(*c));
	if (c == NULL)
		log_warn("route targets");
	else
		memcpy(c, rts, n * sizeof(*c));
	return c;
}

int vrf_route_upsert(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		     const struct vrf_route *tmpl)
{
	struct ext_community *rts = rts_copy(tmpl->rts, tmpl->n_rts);
	struct vrf_prefix *vp = rtable_get(&v->routes, p);
	struct vrf_route **pp, *r, *next, old = { 0 };

	if (vp == NULL || (tmpl->n_rts > 0 && rts == NULL)) {
		if (vp != NULL && vp->routes == NULL)
			rtable_remove(&v->routes, vp);
		nexthop_put(&t->nhs, tmpl->nh);
		free(rts);
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
		r = malloc(sizeof(*r));
		if (r == NULL) {
			log_warn("route");
			if (vp->routes == NULL)
				rtable_remove(&v->routes, vp);
			nexthop_put(&t->nhs, tmpl->nh);
			free(rts);
			return -ENOMEM;
		}
		next = vp->routes;
		vp->routes = r;
		v->n_routes++;
	}
	*r = *tmpl;
	r->next = next;
	r->rts = rts;
	prefix_select(t, v, vp);
	/* Only now: the dataplane may have used the old next hop until the line above. */
	nexthop_put(&t->nhs, old.nh);
	free(old.rts);
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
	prefix_select(t, v, vp);
	nexthop_put(&t->nhs, r->nh);
	free(r->rts);
	free(r);
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

bool vrf_route_installed(const struct vrf_prefix *vp, const struct vrf_route *r)
{
	return vp->best == r && vp->fib_nh != NULL && vp->fib_nh == r->nh;
}

const char *vrf_route_reason(const struct vrf_prefix *vp, const struct vrf_route *r, char *buf,
			     size_t len)
{
	char a[IPV4_STRLEN], rdbuf[RD_STRLEN];

	if (vrf_route_installed(vp, r))
		return NULL;
	if (r->nh == NULL)
		snprintf(buf, len, "no next hop");
	else if (!r->valid && r->nh->ipc.ifname[0] != '\0')
		snprintf(buf, len, "next hop %s is not on the subnet of interface %s",
			 ipv4_format(r->nh->ipc.gateway, a), r->nh->ipc.ifname);
	else if (!r->valid)
		snprintf(buf, len, "next hop %s is not on a connected subnet of the VRF",
			 ipv4_format(r->nh->ipc.gateway, a));
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

struct vrf *vrf_by_name(struct vrf_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_vrfs; i++)
		if (strcmp(t->vrfs[i].cfg->name, name) == 0)
			return &t->vrfs[i];
	return NULL;
}

struct vrf *vrf_by_id(struct vrf_table *t, uint32_t id)
{
	size_t i;

	for (i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].id == id)
			return &t->vrfs[i];
	return NULL;
}

static const struct cfg_vrf_if *vrf_interface(const struct cfg_vrf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_interfaces; i++)
		if (strcmp(c->interfaces[i].name, name) == 0)
			return &c->interfaces[i];
	return NULL;
}

/* The interface a static route's next hop is a neighbour on, or NULL. */
static const struct cfg_vrf_if *static_interface(const struct cfg_vrf *c,
						 const struct cfg_static_route *s)
{
	size_t i;

	if (s->interface[0] != '\0')
		return vrf_interface(c, s->interface);
	for (i = 0; i < c->n_interfaces; i++)
		if (prefix4_contains(&c->interfaces[i].address, s->next_hop))
			return &c->interfaces[i];
	return NULL;
}

static int vrf_add_connected(struct vrf_table *t, struct vrf *v, const struct cfg_vrf_if *ifc)
{
	struct vrf_route r = { .source = ROUTE_CONNECTED, .rd = v->cfg->rd, .valid = true,
			       .inner_label = MPLS_LABEL_NONE,
			       .distance = ROUTE_DISTANCE_CONNECTED };
	struct prefix4 p = ifc->address;

	prefix4_normalize(&p);
	r.rts = v->cfg->export_rts;
	r.n_rts = v->cfg->n_export_rts;
	r.nh = nexthop_get_connected(&t->nhs, ifc->name);
	if (r.nh == NULL)
		return -ENOMEM;
	return vrf_route_upsert(t, v, &p, &r);
}

/*
 * A static route whose next hop is not a neighbour on one of the VRF's
 * links is kept (visible, with the reason) but never installed or exported.
 */
static int vrf_add_static(struct vrf_table *t, struct vrf *v, const struct cfg_static_route *s)
{
	const struct cfg_vrf_if *ifc = static_interface(v->cfg, s);
	struct vrf_route r = { .source = ROUTE_STATIC, .rd = v->cfg->rd,
			       .inner_label = MPLS_LABEL_NONE, .distance = s->distance };
	char pb[PREFIX4_STRLEN], ab[IPV4_STRLEN];

	/* The next hop must be a neighbour on the link, not our own address. */
	r.valid = ifc != NULL && prefix4_contains(&ifc->address, s->next_hop) &&
		  s->next_hop != ifc->address.addr;
	if (!r.valid)
		log_warnx("vrf %s: static route %s via %s: next hop not on %s%s; kept but neither "
			  "installed nor exported", v->cfg->name, prefix4_format(&s->prefix, pb),
			  ipv4_format(s->next_hop, ab),
			  s->interface[0] ? "the subnet of interface " : "a connected subnet",
			  s->interface);
	r.rts = v->cfg->export_rts;
	r.n_rts = v->cfg->n_export_rts;
	r.nh = nexthop_get_gateway(&t->nhs, ifc != NULL ? ifc->name : s->interface, s->next_hop);
	if (r.nh == NULL)
		return -ENOMEM;
	if (vrf_route_find_static(v, &s->prefix, r.nh) != NULL)
		log_warnx("vrf %s: static route %s via %s given twice; the last one wins",
			  v->cfg->name, prefix4_format(&s->prefix, pb), ipv4_format(s->next_hop, ab));
	return vrf_route_upsert(t, v, &s->prefix, &r);
}

static void vrf_emit_config(const struct vrf *v, const struct dataplane *dp)
{
	struct ipc_vrf iv = { .vrf_id = v->id };
	size_t i;

	snprintf(iv.name, sizeof(iv.name), "%s", v->cfg->name);
	DP_CALL(dp, vrf_add, &iv);
	for (i = 0; i < v->cfg->n_interfaces; i++) {
		const struct cfg_vrf_if *ifc = &v->cfg->interfaces[i];
		struct ipc_if_bind b = { .vrf_id = v->id, .address = ifc->address.addr,
					 .plen = ifc->address.len };

		snprintf(b.ifname, sizeof(b.ifname), "%s", ifc->name);
		DP_CALL(dp, if_bind, &b);
	}
}

/* Builds v (its id already set) from c and programs it. */
static int vrf_build(struct vrf_table *t, struct vrf *v, const struct cfg_vrf *c)
{
	size_t i;
	int rc;

	v->cfg = c;
	v->label = MPLS_LABEL_NONE;
	rtable_init(&v->routes);
	vrf_emit_config(v, &t->dp);
	if (c->n_export_rts > UINT8_MAX)
		log_warnx("vrf %s: only the first %u export RTs are advertised", c->name,
			  UINT8_MAX);
	/* Before the routes: their exports need it. */
	if (c->label_mode == CFG_LABEL_PER_VRF && (rc = vrf_label_claim_vrf(t, v)) < 0)
		return rc;
	for (i = 0; i < c->n_interfaces; i++)
		if ((rc = vrf_add_connected(t, v, &c->interfaces[i])) < 0)
			return rc;
	for (i = 0; i < c->n_static_routes; i++)
		if ((rc = vrf_add_static(t, v, &c->static_routes[i])) < 0)
			return rc;
	return 0;
}

uint32_t vrf_table_free_id(const struct vrf_table *t)
{
	uint32_t id;
	size_t i;

	/* VRFs are few: a quadratic search for the lowest unused id is fine. */
	for (id = 1;; id++) {
		for (i = 0; i < t->n_vrfs && t->vrfs[i].id != id; i++)
			;
		if (i == t->n_vrfs)
			return id;
	}
}

/*
 * Ids: what the state file remembers for a VRF's name (so fwd, which kept
 * forwarding, sees the same VRFs), else the lowest unused, which without a
 * state file is the position in the config.
 */
static void vrf_ids_assign(struct vrf_table *t, const struct state_vrf_id *ids, size_t n_ids)
{
	const struct ferry_config *cfg = t->cfg;
	size_t i, j, k;

	t->n_vrfs = cfg->n_vrfs;
	for (i = 0; i < cfg->n_vrfs; i++) {
		for (j = 0; j < n_ids; j++)
			if (strcmp(ids[j].name, cfg->vrfs[i].name) == 0)
				break;
		if (j == n_ids || ids[j].id > VRF_ID_MAX)
			continue;
		for (k = 0; k < i && t->vrfs[k].id != ids[j].id; k++)
			;
		if (k == i) /* a state file edited by hand may repeat an id */
			t->vrfs[i].id = ids[j].id;
	}
	for (i = 0; i < cfg->n_vrfs; i++)
		if (t->vrfs[i].id == 0)
			t->vrfs[i].id = vrf_table_free_id(t);
}

int vrf_table_init_state(struct vrf_table *t, const struct ferry_config *cfg,
			 const struct dataplane *dp, const char *state_path)
{
	struct state_vrf_id *ids = NULL;
	size_t i, n_ids = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	if (dp != NULL)
		t->dp = *dp;
	label_alloc_init(&t->labels, cfg->label_min, cfg->label_max, cfg->label_hold_down);
	vpn_table_init(&t->vpn);
	nexthop_table_init(&t->nhs, cfg->lsps, cfg->n_lsps);
	if (state_path != NULL) {
		snprintf(t->state_path, sizeof(t->state_path), "%s", state_path);
		if (state_load(state_path, &t->labels, &ids, &n_ids) == -ENOMEM)
			return -ENOMEM;
	}
	if (cfg->n_vrfs > 0) {
		t->vrfs = calloc(cfg->n_vrfs, sizeof(*t->vrfs));
		if (t->vrfs == NULL) {
			log_warn("vrf table");
			free(ids);
			label_alloc_free(&t->labels);
			return -ENOMEM;
		}
	}
	vrf_ids_assign(t, ids, n_ids);
	free(ids);
	for (i = 0; i < cfg->n_vrfs; i++) {
		if ((rc = vrf_build(t, &t->vrfs[i], &cfg->vrfs[i])) < 0) {
			vrf_table_free(t);
			return rc;
		}
	}
	/* VRFs built early leaked into none built after them: catch up. */
	import_leak_local(t);
	/* Labels of routes that are gone since the last run: held down from now. */
	if (label_release_reserved(&t->labels) > 0)
		t->labels.dirty = true;
	vrf_table_save(t);
	return 0;
}

int vrf_table_init(struct vrf_table *t, const struct ferry_config *cfg, const struct dataplane *dp)
{
	return vrf_table_init_state(t, cfg, dp, NULL);
}

int vrf_table_save(struct vrf_table *t)
{
	int rc;

	if (t->state_path[0] == '\0' || !t->labels.dirty)
		return 0;
	rc = state_save(t->state_path, t);
	if (rc == 0)
		t->labels.dirty = false;
	return rc;
}

/* Shutdown: frees everything without telling the dataplane (fwd keeps forwarding). */
void vrf_table_free(struct vrf_table *t)
{
	size_t i, j, n;

	for (i = 0; i < t->n_vrfs; i++) {
		struct vrf_prefix **v;

		n = rtable_sorted(&t->vrfs[i].routes, &v);
		for (j = 0; j < n; j++) {
			struct vrf_route *r, *next;

			for (r = v[j]->routes; r != NULL; r = next) {
				next = r->next;
				free(r->rts);
				free(r);
			}
			v[j]->routes = NULL;
			rtable_remove(&t->vrfs[i].routes, v[j]);
		}
		free(v);
		rtable_free(&t->vrfs[i].routes);
	}
	free(t->vrfs);
	nexthop_table_free(&t->nhs);
	label_alloc_free(&t->labels);
	vpn_table_free(&t->vpn);
	memset(t, 0, sizeof(*t));
}

void vrf_table_set_dataplane(struct vrf_table *t, const struct dataplane *dp)
{
	t->dp = *dp;
}

void vrf_table_set_export(struct vrf_table *t, const struct export_sink *sink)
{
	t->exp = *sink;
}

static void vrf_replay_fib(const struct vrf *v, const struct dataplane *dp)
{
	struct vrf_prefix **vps;
	size_t i, n = rtable_sorted(&v->routes, &vps);

	for (i = 0; i < n; i++) {
		struct ipc_fib_entry e = { .vrf_id = v->id, .prefix = vps[i]->prefix.addr,
					   .plen = vps[i]->prefix.len };

		if (vps[i]->fib_nh == NULL)
			continue;
		e.nh_id = vps[i]->fib_nh->ipc.nh_id;
		e.inner_label = vps[i]->fib_label;
		DP_CALL(dp, fib_add, &e);
	}
	free(vps);
}

void vrf_table_replay(const struct vrf_table *t, const struct dataplane *dp)
{
	const struct nexthop *nh;
	size_t i;

	for (i = 0; i < t->n_vrfs; i++)
		vrf_emit_config(&t->vrfs[i], dp);
	for (nh = t->nhs.head; nh != NULL; nh = nh->next)
		if (nh->fib_refs > 0)
			DP_CALL(dp, nh_add, &nh->ipc);
	for (i = 0; i < t->n_vrfs; i++)
		vrf_replay_fib(&t->vrfs[i], dp);
	vrf_label_replay(t, dp);
}
