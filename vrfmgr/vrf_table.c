/*
 * The VRF table's life: building VRFs from config (ids, labels, connected
 * and static routes), adding and tearing down VRFs (reload.c), saving the
 * state file, freeing, and replaying everything to a dataplane that
 * (re)connects. Routes and selection are vrf.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/rtset.h"
#include "vrfmgr/state.h"
#include "vrfmgr/vrf.h"

struct vrf *vrf_by_name(struct vrf_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_vrfs; i++)
		if (strcmp(t->vrfs[i].cfg->name, name) == 0)
			return &t->vrfs[i];
	return NULL;
}

/*
 * By the import index's id -> slot map when it is current (almost always:
 * it is rebuilt when next used after VRFs change), else by a scan: the
 * event tap asks once per FIB change, with thousands of VRFs.
 */
struct vrf *vrf_by_id(struct vrf_table *t, uint32_t id)
{
	long slot = t->rtix.ready ? rt_index_slot(&t->rtix, id) : -1;
	size_t i;

	if (slot >= 0 && (size_t)slot < t->n_vrfs && t->vrfs[slot].id == id)
		return &t->vrfs[slot];
	for (i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].id == id)
			return &t->vrfs[i];
	return NULL;
}

/* The interface a static route's next hop is a neighbour on, or NULL. */
static const struct cfg_vrf_if *static_interface(const struct cfg_vrf *c,
						 const struct cfg_static_route *s)
{
	size_t i;

	if (s->interface[0] != '\0')
		return config_vrf_interface(c, s->interface);
	for (i = 0; i < c->n_interfaces; i++)
		if (prefix4_contains(&c->interfaces[i].address, s->next_hop))
			return &c->interfaces[i];
	return NULL;
}

enum static_nh vrf_static_cfg_check(const struct cfg_vrf *c, const struct cfg_static_route *s,
				    const char **ifname)
{
	const struct cfg_vrf_if *ifc = static_interface(c, s);

	*ifname = ifc != NULL ? ifc->name : s->interface;
	return vrf_static_nh_check(ifc, s->next_hop);
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
 * Whether nh is a neighbour on ifc's link, by the loader's rule for a route
 * that names its interface (common/config_sections.c): inside the subnet,
 * not our own address and, shorter than /31, neither its network nor its
 * broadcast address. Without an interface the loader checks nothing.
 */
enum static_nh vrf_static_nh_check(const struct cfg_vrf_if *ifc, uint32_t nh)
{
	uint32_t host;

	if (ifc == NULL || !prefix4_contains(&ifc->address, nh))
		return STATIC_NH_OFF_LINK;
	if (nh == ifc->address.addr)
		return STATIC_NH_OWN;
	if (ifc->address.len >= 31)
		return STATIC_NH_OK;
	host = ~prefix4_netmask(ifc->address.len);
	if ((nh & host) == 0)
		return STATIC_NH_NETWORK;
	return (nh & host) == host ? STATIC_NH_BROADCAST : STATIC_NH_OK;
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
	char pb[PREFIX4_STRLEN], ab[IPV4_STRLEN], why[128];
	const struct vrf_route *dup;

	r.static_nh = (uint8_t)vrf_static_nh_check(ifc, s->next_hop);
	r.valid = r.static_nh == STATIC_NH_OK;
	r.rts = v->cfg->export_rts;
	r.n_rts = v->cfg->n_export_rts;
	r.nh = nexthop_get_gateway(&t->nhs, ifc != NULL ? ifc->name : s->interface, s->next_hop);
	if (r.nh == NULL)
		return -ENOMEM;
	if (!r.valid)
		log_warnx("vrf %s: static route %s via %s: %s; kept but neither installed nor "
			  "exported", v->cfg->name, prefix4_format(&s->prefix, pb),
			  ipv4_format(s->next_hop, ab), vrf_static_nh_reason(&r, why, sizeof(why)));
	/* Marked: still there from before a reload, not a duplicate. */
	if ((dup = vrf_route_find_static(v, &s->prefix, r.nh)) != NULL && !dup->mark)
		log_warnx("vrf %s: static route %s via %s given twice; the last one wins",
			  v->cfg->name, prefix4_format(&s->prefix, pb), ipv4_format(s->next_hop, ab));
	return vrf_route_upsert(t, v, &s->prefix, &r);
}

void vrf_emit_config(const struct vrf *v, const struct dataplane *dp)
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

/*
 * Builds v (its id already set) from c and programs it. A VRF that finds
 * no free label waits for one (vrf_label.c). strict (start-up): unless one
 * will be free (held down, or the last run's, held down after the build),
 * the range is too small and the build fails; a reload must not half-fail.
 */
static int vrf_build(struct vrf_table *t, struct vrf *v, const struct cfg_vrf *c, bool strict)
{
	size_t i, n_held;
	int rc;

	v->cfg = c;
	v->label = MPLS_LABEL_NONE;
	rtable_init(&v->routes);
	vrf_emit_config(v, &t->dp);
	if (c->n_export_rts > UINT8_MAX)
		log_warnx("vrf %s: only the first %u export RTs are advertised", c->name,
			  UINT8_MAX);
	/* Before any claim: a predecessor with another RD keeps its labels from this VRF. */
	vrf_label_arrive(t, c);
	/* Before the routes: their exports need it. */
	if (c->label_mode == CFG_LABEL_PER_VRF && (rc = vrf_label_claim_vrf(t, v, false)) < 0 &&
	    strict && label_next_free(&t->labels, &n_held) == UINT32_MAX)
		return rc;
	for (i = 0; i < c->n_interfaces; i++)
		if ((rc = vrf_add_connected(t, v, &c->interfaces[i])) < 0)
			return rc;
	for (i = 0; i < c->n_static_routes; i++)
		if ((rc = vrf_add_static(t, v, &c->static_routes[i])) < 0)
			return rc;
	return 0;
}

/* Removes p's marked candidates (marked_only) or all of them, one at a time. */
static void prefix_drop(struct vrf_table *t, struct vrf *v, struct prefix4 p, bool marked_only)
{
	struct vrf_prefix *vp;

	while ((vp = rtable_find(&v->routes, &p)) != NULL) {
		struct vrf_route *r;

		for (r = vp->routes; r != NULL; r = r->next)
			if (!marked_only || r->mark)
				break;
		if (r == NULL)
			return;
		if (r->source == ROUTE_STATIC)
			vrf_static_remove(t, v, &p, r->nh);
		else
			vrf_route_remove(t, v, &p, r->source, &r->rd);
	}
}

void vrf_local_shed(struct vrf_table *t, struct vrf *v)
{
	struct vrf_prefix **vps;
	size_t i, n = rtable_sorted(&v->routes, &vps);

	for (i = 0; i < n; i++)
		for (struct vrf_route *r = vps[i]->routes; r != NULL; r = r->next)
			r->mark = (r->source == ROUTE_CONNECTED || r->source == ROUTE_STATIC) &&
				  r->nh != NULL && r->nh->ipc.ifname[0] != '\0' &&
				  config_vrf_interface(v->cfg, r->nh->ipc.ifname) == NULL;
	for (i = 0; i < n; i++)
		prefix_drop(t, v, vps[i]->prefix, true);
	free(vps);
}

int vrf_local_sync(struct vrf_table *t, struct vrf *v)
{
	struct vrf_prefix **vps;
	size_t i, n = rtable_sorted(&v->routes, &vps);
	int rc = 0;

	for (i = 0; i < n; i++)
		for (struct vrf_route *r = vps[i]->routes; r != NULL; r = r->next)
			r->mark = r->source == ROUTE_CONNECTED || r->source == ROUTE_STATIC;
	/* Upserts clear the mark of what is still configured; the rest goes after. */
	for (i = 0; i < v->cfg->n_interfaces && rc == 0; i++)
		rc = vrf_add_connected(t, v, &v->cfg->interfaces[i]);
	for (i = 0; i < v->cfg->n_static_routes && rc == 0; i++)
		rc = vrf_add_static(t, v, &v->cfg->static_routes[i]);
	for (i = 0; i < n; i++)
		prefix_drop(t, v, vps[i]->prefix, true);
	free(vps);
	return rc;
}

struct vrf *vrf_table_add(struct vrf_table *t, const struct cfg_vrf *c)
{
	struct vrf *vrfs = realloc(t->vrfs, (t->n_vrfs + 1) * sizeof(*vrfs)), *v;

	if (vrfs == NULL) {
		log_warn("vrf %s", c->name);
		return NULL;
	}
	t->vrfs = vrfs;
	v = &vrfs[t->n_vrfs];
	memset(v, 0, sizeof(*v));
	v->id = vrf_table_free_id(t);
	t->n_vrfs++;
	/* Appended: the import index takes it as it is, or is rebuilt when next used. */
	if (rt_index_append(&t->rtix, c->import_rts, c->n_import_rts, (uint32_t)(v - vrfs),
			    v->id) < 0)
		vrf_table_changed(t);
	if (vrf_build(t, v, c, false) < 0)
		log_warnx("vrf %s: built in part only (out of memory)", c->name);
	return v;
}

bool config_has_interface(const struct ferry_config *next, const char *name)
{
	if (config_vrf_by_ifname(next, name) != NULL)
		return true;
	for (size_t i = 0; i < next->fwd.n_core_interfaces; i++)
		if (strcmp(next->fwd.core_interfaces[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Whether interface name goes to a VRF that stays (same name and RD in t
 * and in next): that VRF binds it before any VRF is added (reload.c), so
 * IF_BIND simply replaces. Anywhere else it is unbound with its VRF: fwd
 * keeps a binding to a deleted VRF's id, and a VRF added later in the same
 * reload may take that id, with the interface's CE delivering into it
 * until the interface's own new VRF is built.
 */
static bool if_moves_to_kept_vrf(const struct vrf_table *t, const struct ferry_config *next,
				 const char *name)
{
	const struct cfg_vrf *c = config_vrf_by_ifname(next, name);

	for (size_t j = 0; c != NULL && j < t->n_vrfs; j++) {
		const struct vrf *k = &t->vrfs[j];

		if (strcmp(k->cfg->name, c->name) == 0)
			return !k->dying && rd_equal(&k->cfg->rd, &c->rd);
	}
	return false;
}

void vrf_teardown(struct vrf_table *t, struct vrf *v, const struct ferry_config *next)
{
	struct ipc_vrf iv = { .vrf_id = v->id };
	struct vrf_prefix **vps;
	size_t i, n;

	/* Dying: the first removal on a prefix uninstalls and unexports it, the rest is quiet. */
	v->dying = true;
	vrf_table_changed(t);
	n = rtable_sorted(&v->routes, &vps);
	for (i = 0; i < n; i++)
		prefix_drop(t, v, vps[i]->prefix, false);
	free(vps);
	vrf_label_release_vrf(t, v);
	vrf_label_drop_vrf(t, v);
	/* Its labels stay its name's for a VRF with its RD, not for one with another. */
	label_vrf_left(&t->labels, v->cfg->name, &v->cfg->rd);
	for (i = 0; i < v->cfg->n_interfaces; i++) {
		const struct cfg_vrf_if *ifc = &v->cfg->interfaces[i];
		struct ipc_if_bind b = { .vrf_id = v->id, .address = ifc->address.addr,
					 .plen = ifc->address.len };

		if (if_moves_to_kept_vrf(t, next, ifc->name))
			continue;
		snprintf(b.ifname, sizeof(b.ifname), "%s", ifc->name);
		DP_CALL(&t->dp, if_unbind, &b);
	}
	snprintf(iv.name, sizeof(iv.name), "%s", v->cfg->name);
	DP_CALL(&t->dp, vrf_del, &iv);
	rtable_free(&v->routes);
	t->n_leaked -= v->n_leaked;
	v->n_leaked = 0;
}

size_t vrf_table_shrink(struct vrf_table *t)
{
	size_t given = vpn_table_shrink(&t->vpn) + label_alloc_shrink(&t->labels) + rtset_shrink();

	for (size_t i = 0; i < t->n_vrfs; i++)
		given += rtable_shrink(&t->vrfs[i].routes);
	return given;
}

void vrf_table_compact(struct vrf_table *t)
{
	size_t i, j = 0;

	for (i = 0; i < t->n_vrfs; i++)
		if (!t->vrfs[i].dying)
			t->vrfs[j++] = t->vrfs[i];
	t->n_vrfs = j;
	vrf_table_changed(t);
}

void vrf_table_changed(struct vrf_table *t)
{
	t->rtix.ready = false;
}

void vrf_table_reselect_nh(struct vrf_table *t, const struct nexthop *nh)
{
	for (size_t i = 0; i < t->n_vrfs; i++) {
		struct vrf *v = &t->vrfs[i];
		struct vrf_prefix **vps;
		size_t j, n = rtable_sorted(&v->routes, &vps);

		for (j = 0; j < n; j++) {
			struct prefix4 p = vps[j]->prefix;
			struct vrf_prefix *vp = rtable_find(&v->routes, &p);

			/* An earlier reselect may have changed this VRF (leaking): look again. */
			if (vp == NULL)
				continue;
			for (struct vrf_route *r = vp->routes; r != NULL; r = r->next) {
				if (r->nh == nh) {
					vrf_prefix_reselect(t, v, vp);
					break;
				}
			}
		}
		free(vps);
	}
}

/*
 * The ids in use as a bitmap over 0..VRF_ID_MAX (8 KiB): finding the lowest
 * free id is one pass over the VRFs and the bits, not a pass over the VRFs
 * per candidate id, which made the first start with 10,000 VRFs cubic.
 */
#define VRF_ID_WORDS (VRF_ID_MAX / 64 + 1)

static void id_mark(uint64_t *used, uint32_t id)
{
	if (id <= VRF_ID_MAX)
		used[id / 64] |= 1ull << (id % 64);
}

static bool id_taken(const uint64_t *used, uint32_t id)
{
	return id <= VRF_ID_MAX && (used[id / 64] >> (id % 64) & 1) != 0;
}

/* The lowest id >= from not in used; VRF_ID_MAX + 1 when there is none (the config caps VRFs). */
static uint32_t id_lowest_free(const uint64_t *used, uint32_t from)
{
	uint32_t id = from;

	while (id <= VRF_ID_MAX && id_taken(used, id))
		id = used[id / 64] == ~0ull ? (id / 64 + 1) * 64 : id + 1;
	return id;
}

uint32_t vrf_table_free_id(const struct vrf_table *t)
{
	uint64_t used[VRF_ID_WORDS] = { 0 };

	id_mark(used, 0);
	for (size_t i = 0; i < t->n_vrfs; i++)
		id_mark(used, t->vrfs[i].id);
	return id_lowest_free(used, 1);
}

/*
 * Ids: what the state file remembers for a VRF's name (so fwd, which kept
 * forwarding, sees the same VRFs), else the lowest unused, which without a
 * state file is the position in the config.
 */
static void vrf_ids_assign(struct vrf_table *t, const struct state_vrf_id *ids, size_t n_ids)
{
	const struct ferry_config *cfg = t->cfg;
	uint64_t used[VRF_ID_WORDS] = { 0 };
	uint32_t next = 1;
	size_t i, j;

	id_mark(used, 0);
	t->n_vrfs = cfg->n_vrfs;
	for (i = 0; i < cfg->n_vrfs; i++) {
		for (j = 0; j < n_ids; j++)
			if (strcmp(ids[j].name, cfg->vrfs[i].name) == 0)
				break;
		/* a state file edited by hand may repeat an id: the first VRF keeps it */
		if (j == n_ids || ids[j].id > VRF_ID_MAX || id_taken(used, ids[j].id))
			continue;
		t->vrfs[i].id = ids[j].id;
		id_mark(used, ids[j].id);
	}
	for (i = 0; i < cfg->n_vrfs; i++) {
		if (t->vrfs[i].id != 0)
			continue;
		next = id_lowest_free(used, next);
		t->vrfs[i].id = next;
		id_mark(used, next);
	}
}

int vrf_table_init_state(struct vrf_table *t, const struct ferry_config *cfg,
			 const struct dataplane *dp, const char *state_path)
{
	struct state_loaded st = { 0 };
	size_t i;
	int rc;

	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	if (dp != NULL)
		t->dp = *dp;
	label_alloc_init(&t->labels, cfg->label_min, cfg->label_max, cfg->label_hold_down);
	vrf_label_attach(t);
	vpn_table_init(&t->vpn);
	nexthop_table_init(&t->nhs, cfg->lsps, cfg->n_lsps);
	if (state_path != NULL) {
		snprintf(t->state_path, sizeof(t->state_path), "%s", state_path);
		if (state_load(state_path, &t->labels, &st) == -ENOMEM) {
			state_loaded_free(&st);
			label_alloc_free(&t->labels);
			return -ENOMEM;
		}
	}
	if (cfg->n_vrfs > 0) {
		t->vrfs = calloc(cfg->n_vrfs, sizeof(*t->vrfs));
		if (t->vrfs == NULL) {
			log_warn("vrf table");
			state_loaded_free(&st);
			label_alloc_free(&t->labels);
			return -ENOMEM;
		}
	}
	vrf_ids_assign(t, st.ids, st.n_ids);
	/*
	 * Leaking during the build finds its VRFs in the import index: one of
	 * them all, built once (leak_targets skips those not built yet), not
	 * one per VRF built. Out of memory it is built as needed and the
	 * catch-up below leaks what the build missed.
	 */
	for (i = 0; i < cfg->n_vrfs; i++)
		t->vrfs[i].cfg = &cfg->vrfs[i];
	rt_index_build(&t->rtix, t->vrfs, cfg->n_vrfs);
	for (i = 0; i < cfg->n_vrfs; i++)
		t->vrfs[i].cfg = NULL;
	t->building = true;
	for (i = 0; i < cfg->n_vrfs; i++) {
		if ((rc = vrf_build(t, &t->vrfs[i], &cfg->vrfs[i], true)) < 0) {
			t->building = false;
			vrf_label_wait_report(t); /* a range too small: the last one says so */
			state_loaded_free(&st);
			vrf_table_free(t);
			return rc;
		}
	}
	/* VRFs built early leaked into none built after them: catch up. */
	vrf_table_changed(t);
	import_leak_local(t);
	/* Labels of routes that are gone since the last run: held down from now. */
	if (label_release_reserved(&t->labels) > 0)
		t->labels.dirty = true;
	/* Those the last run had in fwd keep their entry there if it still means the same. */
	vrf_label_restore(t, st.lfib, st.n_lfib);
	state_loaded_free(&st);
	t->building = false;
	vrf_label_wait_report(t);
	/*
	 * Not saved here: the caller saves once it is up. A start that fails
	 * later (its socket taken by a running vrfmgr, the API's TLS files
	 * missing) must leave the file as the last run, or the live one, wrote it.
	 */
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
				vrf_route_free(r);
			}
			v[j]->routes = NULL;
			rtable_remove(&t->vrfs[i].routes, v[j]);
		}
		free(v);
		rtable_free(&t->vrfs[i].routes);
	}
	free(t->vrfs);
	rt_index_free(&t->rtix);
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

bool vrf_prefix_fib_entry(const struct vrf *v, const struct vrf_prefix *vp,
			  struct ipc_fib_entry *e)
{
	*e = (struct ipc_fib_entry){ .vrf_id = v->id, .prefix = vp->prefix.addr,
				     .plen = vp->prefix.len };
	if (vp->fib_nh == NULL)
		return false;
	e->nh_id = vp->fib_nh->ipc.nh_id;
	e->inner_label = vp->fib_label;
	return true;
}

static void vrf_replay_fib(const struct vrf *v, const struct dataplane *dp)
{
	struct vrf_prefix **vps;
	size_t i, n = rtable_sorted(&v->routes, &vps);
	struct ipc_fib_entry e;

	for (i = 0; i < n; i++)
		if (vrf_prefix_fib_entry(v, vps[i], &e))
			DP_CALL(dp, fib_add, &e);
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
