/*
 * Reload (SIGHUP): a new config replaces the running one in place. Only
 * differences leave vrfmgr: fwd gets the VRFs, interfaces, routes, labels
 * and next hops that changed, bgpd the exports that changed, and nothing
 * else is touched (no replay, no session reset). This works because every
 * change in the core is diff-based: re-adding an unchanged route, or
 * re-importing an unchanged VPN route, emits nothing.
 *
 * Order: first everything that goes (removed VRFs, and VRFs whose RD
 * changed, which are re-created, with their interfaces unless a VRF that
 * stays takes them; interfaces no VRF has any more), then the switch to the
 * new config, the routes of VRFs that stay out of interfaces they give up,
 * the LSPs, the VRFs that stay, the new VRFs. So no interface is bound to a
 * VRF while another VRF still routes out of it or an id it is still bound
 * to is given to another VRF. A VRF's identity is its name; its id stays.
 *
 * What a reload will do is decided, and counted, before any of it is done
 * (reload_walk), by the same predicates the phases act on; the dry run
 * (vrf_table_reload_plan, GET /reload/check) is that walk alone, so it
 * says what the reload then does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/plural.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/rtset.h"

/*
 * vrfmgr's API listener as the api section set it up at start (address,
 * port, TLS, token, read_only): not rebuilt by a reload, so a change to it
 * needs a restart, as bgpd says of its own.
 */
static bool api_same(const struct cfg_api *a, const struct cfg_api *b)
{
	return a->listen == b->listen && a->port_vrfmgr == b->port_vrfmgr &&
	       a->read_only == b->read_only && strcmp(a->tls_cert, b->tls_cert) == 0 &&
	       strcmp(a->tls_key, b->tls_key) == 0 && strcmp(a->token_file, b->token_file) == 0;
}

static bool core_names_same(const struct cfg_fwd *a, const struct cfg_fwd *b)
{
	if (a->n_core_interfaces != b->n_core_interfaces)
		return false;
	for (size_t i = 0; i < a->n_core_interfaces; i++)
		if (strcmp(a->core_interfaces[i].name, b->core_interfaces[i].name) != 0)
			return false;
	return true;
}

int vrf_table_reload_check(const struct vrf_table *t, const struct ferry_config *nc, char *err,
			   size_t len)
{
	const struct ferry_config *oc = t->cfg;
	const char *what = NULL;

	if (strcmp(oc->name, nc->name) != 0)
		what = "router.name";
	else if (oc->router_id != nc->router_id)
		what = "router.router_id";
	else if (strcmp(oc->run_dir, nc->run_dir) != 0)
		what = "router.run_dir";
	else if (oc->label_min != nc->label_min || oc->label_max != nc->label_max)
		what = "router.label_range";
	else if (!api_same(&oc->api, &nc->api))
		what = "api";
	else if (oc->dataplane != nc->dataplane)
		what = "router.dataplane";
	else if (nc->dataplane == CFG_DATAPLANE_KERNEL && !core_names_same(&oc->fwd, &nc->fwd))
		what = "fwd.core_interfaces (the kernel dataplane turns MPLS input on at start)";
	if (what == NULL)
		return 0;
	snprintf(err, len, "%s: %s changed; that needs a restart of vrfmgr",
		 config_file_name(nc->path), what);
	return -EINVAL;
}

/*
 * Field by field, not memcmp: a struct prefix4 has padding and a name has
 * whatever follows its NUL, neither of which the parser sets.
 */
static bool statics_equal(const struct cfg_vrf *a, const struct cfg_vrf *b)
{
	if (a->n_static_routes != b->n_static_routes)
		return false;
	for (size_t i = 0; i < a->n_static_routes; i++) {
		const struct cfg_static_route *x = &a->static_routes[i], *y = &b->static_routes[i];

		if (!prefix4_equal(&x->prefix, &y->prefix) || x->next_hop != y->next_hop ||
		    strcmp(x->interface, y->interface) != 0 || x->distance != y->distance)
			return false;
	}
	return true;
}

static bool ifs_equal(const struct cfg_vrf *a, const struct cfg_vrf *b)
{
	if (a->n_interfaces != b->n_interfaces)
		return false;
	for (size_t i = 0; i < a->n_interfaces; i++)
		if (strcmp(a->interfaces[i].name, b->interfaces[i].name) != 0 ||
		    !prefix4_equal(&a->interfaces[i].address, &b->interfaces[i].address))
			return false;
	return true;
}

/*
 * The keys of a VRF that stays (same name and RD) that differ between a
 * and b, as the config names them ("import_rts, static_routes"), in out;
 * false when none does. The reload's log line per VRF says them, so that
 * which of hundreds of VRFs changed what is in the log, not in a diff.
 */
static bool vrf_cfg_changes(const struct cfg_vrf *a, const struct cfg_vrf *b, char *out,
			    size_t len)
{
	const struct {
		const char *key;
		bool same;
	} keys[] = {
		{ "label_mode", a->label_mode == b->label_mode },
		{ "import_rts", rt_sets_equal(a->import_rts, a->n_import_rts, b->import_rts,
					      b->n_import_rts) },
		{ "export_rts", rt_sets_equal(a->export_rts, a->n_export_rts, b->export_rts,
					      b->n_export_rts) },
		{ "interfaces", ifs_equal(a, b) },
		{ "static_routes", statics_equal(a, b) },
		{ "max_routes", a->max_routes == b->max_routes },
		{ "warn_threshold", a->warn_threshold == b->warn_threshold },
	};
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!keys[i].same && n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s", n ? ", " : "", keys[i].key);
	return n > 0;
}

/*
 * The config v takes in nc when it stays (the same name and RD), else NULL:
 * it goes, or is re-created with its new RD. The apply and the dry run
 * (reload_walk) both decide by this.
 */
static const struct cfg_vrf *reload_kept_cfg(const struct vrf *v, const struct ferry_config *nc)
{
	const struct cfg_vrf *c = config_vrf_by_name(nc, v->cfg->name);

	return c != NULL && rd_equal(&c->rd, &v->cfg->rd) ? c : NULL;
}

static bool prefix_exported(const struct vrf_prefix *vp, const void *arg)
{
	(void)arg;
	return vp->exp_label != NULL;
}

/*
 * ": its 2 exported routes withdrawn; its label 101 held down 60 s", what
 * removing v (before its teardown) takes away: "vrf B removed" alone left
 * the operator to ask whether its routes went and when its labels are free.
 */
static const char *removal_text(const struct vrf_table *t, const struct vrf *v, char *buf,
				size_t len)
{
	size_t exported = rtable_count(&v->routes, prefix_exported, NULL), at;
	char label[32] = "labels";

	at = (size_t)snprintf(buf, len, ": its %zu exported %s withdrawn", exported,
			      plural(exported, "route", "routes"));
	/* per-VRF: its one label; per-CE and per-prefix ones are not looked for (10,000 VRFs) */
	if (v->vrf_label != NULL)
		snprintf(label, sizeof(label), "label %u", v->vrf_label->label);
	else if (exported == 0)
		return buf;
	if (at < len && t->labels.hold_down > 0)
		snprintf(buf + at, len - at, "; its %s held down %u s, given to nothing else",
			 label, t->labels.hold_down);
	else if (at < len)
		snprintf(buf + at, len - at, "; its %s free again", label);
	return buf;
}

/* Phase 1: VRFs that go (or are re-created with another RD) and interfaces nobody keeps. */
static void reload_remove(struct vrf_table *t, const struct ferry_config *nc)
{
	for (size_t i = 0; i < t->n_vrfs; i++) {
		struct vrf *v = &t->vrfs[i];
		const struct cfg_vrf *c = reload_kept_cfg(v, nc);

		if (c != NULL) {
			for (size_t j = 0; j < v->cfg->n_interfaces; j++) {
				const struct cfg_vrf_if *ifc = &v->cfg->interfaces[j];
				struct ipc_if_bind b = { .vrf_id = v->id };

				if (config_has_interface(nc, ifc->name))
					continue;
				snprintf(b.ifname, sizeof(b.ifname), "%s", ifc->name);
				DP_CALL(&t->dp, if_unbind, &b);
			}
			continue;
		}
		if (config_vrf_by_name(nc, v->cfg->name) == NULL) {
			char what[160];

			log_info("reload: vrf %s removed%s", v->cfg->name,
				 removal_text(t, v, what, sizeof(what)));
		} else {
			log_info("reload: vrf %s changes its RD: re-created", v->cfg->name);
		}
		vrf_teardown(t, v, nc);
	}
	vrf_table_compact(t);
}

/* Interfaces new to v, or with another address: IF_BIND (which replaces). */
static void reload_bind(struct vrf_table *t, const struct vrf *v, const struct cfg_vrf *old)
{
	for (size_t i = 0; i < v->cfg->n_interfaces; i++) {
		const struct cfg_vrf_if *ifc = &v->cfg->interfaces[i], *was = config_vrf_interface(old, ifc->name);
		struct ipc_if_bind b = { .vrf_id = v->id, .address = ifc->address.addr,
					 .plen = ifc->address.len };

		if (was != NULL && prefix4_equal(&was->address, &ifc->address) &&
		    was->address.addr == ifc->address.addr)
			continue;
		snprintf(b.ifname, sizeof(b.ifname), "%s", ifc->name);
		DP_CALL(&t->dp, if_bind, &b);
	}
}

/* Every exported prefix of v takes the label its (new) mode gives it. */
static void reload_relabel(struct vrf_table *t, struct vrf *v)
{
	struct vrf_prefix **vps;
	size_t i, n;

	if (v->cfg->label_mode == CFG_LABEL_PER_VRF && v->vrf_label == NULL)
		vrf_label_claim_vrf(t, v, true);
	n = rtable_sorted(&v->routes, &vps);
	for (i = 0; i < n; i++) {
		struct prefix4 p = vps[i]->prefix;
		struct vrf_prefix *vp = rtable_find(&v->routes, &p);

		if (vp != NULL)
			export_prefix_sync(t, v, vp);
	}
	free(vps);
	if (v->cfg->label_mode != CFG_LABEL_PER_VRF)
		vrf_label_release_vrf(t, v);
}

/* A VRF that stays: v->cfg is already the new one, old the one it had. */
static void reload_vrf(struct vrf_table *t, struct vrf *v, const struct cfg_vrf *old)
{
	const struct cfg_vrf *c = v->cfg;
	char what[RELOAD_KEYS_LEN];

	if (!vrf_cfg_changes(old, c, what, sizeof(what)))
		return;
	log_info("reload: vrf %s changed: %s", c->name, what);
	reload_bind(t, v, old);
	/* before the routes: their exports need it */
	if (c->label_mode == CFG_LABEL_PER_VRF && v->vrf_label == NULL)
		vrf_label_claim_vrf(t, v, old->label_mode != c->label_mode);
	vrf_local_sync(t, v);
	if (old->label_mode != c->label_mode)
		reload_relabel(t, v);
	if (!rt_sets_equal(old->export_rts, old->n_export_rts, c->export_rts, c->n_export_rts))
		export_vrf_announce(t, v);
	if (!rt_sets_equal(old->import_rts, old->n_import_rts, c->import_rts, c->n_import_rts) ||
	    old->max_routes != c->max_routes) {
		v->limit_hit = false;
		v->limit_warned = false;
		import_vrf_sync(t, v);
	}
	vrf_label_wait_recheck(v);
}

/* New LSPs: next hops re-resolve; the routes of those that gained or lost one select again. */
static void reload_lsps(struct vrf_table *t, const struct ferry_config *nc)
{
	struct nexthop **flipped;
	size_t i, n = nexthop_table_set_lsps(&t->nhs, nc->lsps, nc->n_lsps, &t->dp, &flipped);

	for (i = 0; i < n; i++) {
		char a[IPV4_STRLEN];

		/* a loss takes routes out of the FIB: a warning, which scripts/lab reload prints */
		if (flipped[i]->resolved)
			log_info("reload: remote PE %s has an LSP again",
				 ipv4_format(flipped[i]->remote_pe, a));
		else
			log_warnx("reload: remote PE %s lost its LSP: its routes leave the FIB",
				  ipv4_format(flipped[i]->remote_pe, a));
		vrf_table_reselect_nh(t, flipped[i]);
	}
	free(flipped);
}

/*
 * Phase 3: the new config's VRFs the table has not, in the config's order.
 * Every VRF in the table reads nc by now: those of nc's VRFs are marked
 * first, not looked up by name per VRF of nc (10,000 VRFs made that 10^8
 * string compares); a VRF whose config is not nc's (none should be) sends
 * it back to the lookup.
 */
static void reload_add(struct vrf_table *t, const struct ferry_config *nc)
{
	bool *have = calloc(nc->n_vrfs ? nc->n_vrfs : 1, sizeof(*have));
	uintptr_t lo = (uintptr_t)nc->vrfs, hi = (uintptr_t)(nc->vrfs + nc->n_vrfs);

	for (size_t i = 0; have != NULL && i < t->n_vrfs; i++) {
		uintptr_t c = (uintptr_t)t->vrfs[i].cfg;

		if (c < lo || c >= hi) {
			free(have);
			have = NULL;
		} else {
			have[(c - lo) / sizeof(*nc->vrfs)] = true;
		}
	}
	for (size_t i = 0; i < nc->n_vrfs; i++) {
		struct vrf *v;

		if (have != NULL ? have[i] : vrf_by_name(t, nc->vrfs[i].name) != NULL)
			continue;
		log_info("reload: vrf %s added", nc->vrfs[i].name);
		if ((v = vrf_table_add(t, &nc->vrfs[i])) != NULL)
			import_vrf_sync(t, v);
	}
	free(have);
}

/* One line of the plan (p NULL: only counting). */
static void plan_note(struct reload_plan *p, enum reload_fate fate, const char *name,
		      const char *keys)
{
	struct reload_plan_vrf *e;

	if (p == NULL)
		return;
	e = &p->vrfs[p->n++];
	e->fate = fate;
	e->name = name;
	snprintf(e->keys, sizeof(e->keys), "%s", keys);
}

/*
 * What a reload of nc would do to t, decided by what the apply decides by
 * (reload_kept_cfg, vrf_cfg_changes, the next hops' LSP lookup), touching
 * nothing: the counts into st and, when p is not NULL, one line per VRF
 * into p (its vrfs allocated here). vrf_table_reload counts its own work
 * with it before it starts, so its "reload done" line and the dry run
 * cannot disagree. 0, or -ENOMEM.
 */
static int reload_walk(const struct vrf_table *t, const struct ferry_config *nc,
		       struct reload_stats *st, struct reload_plan *p)
{
	uint8_t *mark = NULL; /* per VRF of nc: 1 kept, 2 re-created */
	size_t kept = 0;
	char keys[RELOAD_KEYS_LEN];

	memset(st, 0, sizeof(*st));
	if (p != NULL && ((mark = calloc(nc->n_vrfs + 1, 1)) == NULL ||
			  (p->vrfs = calloc(t->n_vrfs + nc->n_vrfs + 1, sizeof(*p->vrfs))) == NULL)) {
		free(mark);
		return -ENOMEM;
	}
	/* in the order the reload goes: those removed or re-created (phase 1), then the changed */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->n_vrfs; i++) {
			const struct vrf *v = &t->vrfs[i];
			const struct cfg_vrf *c = reload_kept_cfg(v, nc), *same_name;

			if ((c == NULL) != (pass == 0))
				continue;
			if (c == NULL) {
				same_name = config_vrf_by_name(nc, v->cfg->name);
				if (mark != NULL && same_name != NULL)
					mark[same_name - nc->vrfs] = 2;
				plan_note(p, same_name ? RELOAD_VRF_RECREATED : RELOAD_VRF_REMOVED,
					  v->cfg->name, "");
				st->removed++;
				continue;
			}
			kept++;
			if (mark != NULL)
				mark[c - nc->vrfs] = 1;
			if (vrf_cfg_changes(v->cfg, c, keys, sizeof(keys))) {
				plan_note(p, RELOAD_VRF_CHANGED, c->name, keys);
				st->changed++;
			}
		}
	}
	/* names are unique on both sides: every VRF of nc not kept is added */
	st->added = nc->n_vrfs - kept;
	for (size_t i = 0; mark != NULL && i < nc->n_vrfs; i++)
		if (mark[i] == 0)
			plan_note(p, RELOAD_VRF_ADDED, nc->vrfs[i].name, "");
	st->next_hops = nexthop_table_lsp_flips(&t->nhs, nc->lsps, nc->n_lsps);
	free(mark);
	return 0;
}

int vrf_table_reload_plan(const struct vrf_table *t, const struct ferry_config *nc,
			  struct reload_plan *p)
{
	memset(p, 0, sizeof(*p));
	return reload_walk(t, nc, &p->st, p);
}

void reload_plan_free(struct reload_plan *p)
{
	free(p->vrfs);
	memset(p, 0, sizeof(*p));
}

void reload_stats_format(const struct reload_stats *st, char *out, size_t len)
{
	snprintf(out, len, "%zu %s added, %zu removed, %zu changed, %zu %s with a new LSP state",
		 st->added, plural(st->added, "VRF", "VRFs"), st->removed, st->changed,
		 st->next_hops, plural(st->next_hops, "remote PE", "remote PEs"));
}

int vrf_table_reload(struct vrf_table *t, const struct ferry_config *nc, struct reload_stats *st)
{
	const struct cfg_vrf **old;
	size_t i, kept;

	/* What it will do, counted before it does it, as its dry run counts (no allocation). */
	(void)reload_walk(t, nc, st, NULL);
	reload_remove(t, nc);
	kept = t->n_vrfs;
	old = calloc(kept ? kept : 1, sizeof(*old));
	if (old == NULL) {
		log_warn("reload");
		return -ENOMEM;
	}
	/* The switch: from here on every VRF that stays reads the new config. */
	t->cfg = nc;
	t->labels.hold_down = nc->label_hold_down;
	for (i = 0; i < kept; i++) {
		old[i] = t->vrfs[i].cfg;
		t->vrfs[i].cfg = config_vrf_by_name(nc, old[i]->name);
	}
	vrf_table_changed(t); /* import RTs are the new config's from here on */
	/* Before any VRF binds a link another gives up: no kept label pops to it. */
	vrf_label_drop_stale(t);
	/*
	 * Before any VRF binds an interface another one gives up, the other's
	 * routes out of it go: else its packets reach the new owner's CE.
	 */
	for (i = 0; i < kept; i++)
		if (!ifs_equal(old[i], t->vrfs[i].cfg))
			vrf_local_shed(t, &t->vrfs[i]);
	reload_lsps(t, nc);
	for (i = 0; i < kept; i++)
		reload_vrf(t, &t->vrfs[i], old[i]);
	free(old);
	reload_add(t, nc);
	import_retry_limits(t);
	t->labels.dirty = true; /* VRF ids may have changed */
	return 0;
}
