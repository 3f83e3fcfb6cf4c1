/*
 * The labels a VRF advertises, by its label mode, and the LFIB entries that
 * give them meaning:
 *   per-vrf     one label per VRF, held by the VRF: "pop, look up in the VRF";
 *   per-ce      one label per CE next hop (interface + CE address, or the
 *               connected subnet itself), held by the prefixes exported
 *               through it: "pop, send to that next hop" (no second lookup);
 *   per-prefix  one label per exported prefix: "pop, send to the prefix's
 *               next hop", re-pointed when that next hop changes.
 * A POP_FORWARD entry keeps its next hop in the dataplane the way an
 * installed FIB entry does (nexthop_fib_hold), so fwd always has the NH
 * before the label entry that uses it and loses it only after.
 *
 * Make-before-break: a label released while its VRF stays (a label_mode
 * change, a per-CE label whose last prefix moved to another CE) is held
 * down because remote PEs may still send with it until our new UPDATE
 * reaches them; its LFIB entry stays in fwd with its last meaning for as
 * long (label->programmed, its next hop held), and goes when the hold-down
 * ends (the allocator's drop hook), or at once when the VRF goes, is
 * re-created or gives the CE's interface up: a VRF id may go to another
 * tenant, and an old label must never deliver into another VRF or to
 * another VRF's CE. So does one whose CE is no longer on its link (the
 * link renumbered within the VRF): that next hop is gone, and the address
 * may be another CE's on another link. Claimed again by its key in time,
 * it is simply in use again, fwd's entry as it was. Across a vrfmgr
 * restart the state file carries each entry's meaning (state.c), and
 * vrf_label_restore programs a held label again with it, while it still
 * means the same, so fwd's sweep after the replay does not drop it.
 *
 * A VRF that finds no free label (typically one that replaced a VRF whose
 * label is still held down, in a range with no other room) is not left
 * without: it waits, said once in the log with when a label is free again,
 * and vrf_table_labels_tick gives it one as soon as one is, exporting its
 * routes then. Another VRF's held label is never taken early: remote PEs
 * may still send that VRF's traffic with it. A VRF whose label mode
 * changed waits the same way for its new labels, but its prefixes keep
 * the label they went out with meanwhile while it still leads to them
 * (export.c): make-before-break, also in a full range, and across a
 * restart, which finds that label by its key (vrf_label_get_earlier).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "common/plural.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/state.h"
#include "vrfmgr/vrf.h"

bool vrf_label_lfib_entry(const struct label_entry *e, struct ipc_lfib_entry *m)
{
	*m = (struct ipc_lfib_entry){ .in_label = e->label, .vrf_id = e->vrf_id,
				      .out_label = MPLS_LABEL_NONE };
	if (e->state != LABEL_USED && !e->programmed)
		return false;
	if (e->key.kind == LABEL_KIND_VRF) {
		m->action = IPC_LFIB_POP_LOOKUP;
		return true;
	}
	m->action = IPC_LFIB_POP_FORWARD;
	m->nh_id = e->nh != NULL ? e->nh->ipc.nh_id : 0;
	return e->nh != NULL;
}

static void lfib_program(struct vrf_table *t, struct label_entry *e)
{
	struct ipc_lfib_entry m;

	if (!vrf_label_lfib_entry(e, &m))
		return;
	DP_CALL(&t->dp, lfib_add, &m);
	e->programmed = true;
	t->labels.dirty = true; /* the state file says what fwd's entry is */
}

/*
 * e's LFIB entry out of fwd, then the next hop it held: the NH leaves after
 * the label. fwd reads only the label; the owner's id is for /events, whose
 * ?vrf= shows a VRF's label dels (a VRF's labels leave before it does).
 */
static void lfib_drop(struct vrf_table *t, struct label_entry *e)
{
	struct ipc_lfib_entry m = { .in_label = e->label, .vrf_id = e->vrf_id,
				    .out_label = MPLS_LABEL_NONE };
	struct nexthop *nh = e->nh;

	if (e->programmed) {
		DP_CALL(&t->dp, lfib_del, &m);
		t->labels.dirty = true;
	}
	e->programmed = false;
	e->nh = NULL;
	if (e->state != LABEL_USED)
		e->vrf_id = 0;
	if (nh != NULL)
		nexthop_fib_release(&t->nhs, nh, &t->dp);
}

/* The allocator frees a label kept in fwd (its hold-down ended): out of the LFIB first. */
static void lfib_drop_hook(void *ctx, struct label_entry *e)
{
	lfib_drop(ctx, e);
}

void vrf_label_attach(struct vrf_table *t)
{
	t->labels.drop = lfib_drop_hook;
	t->labels.drop_ctx = t;
}

/*
 * Points e's LFIB entry at nh (per-CE, per-prefix): the new NH in before
 * the entry, the old one out after. A label kept in fwd that comes back
 * to the same next hop needs no message at all.
 */
static void lfib_point(struct vrf_table *t, struct label_entry *e, struct nexthop *nh)
{
	struct nexthop *old = e->nh;

	if (e->programmed && old == nh)
		return;
	nexthop_fib_hold(&t->nhs, nh, &t->dp);
	e->nh = nh;
	lfib_program(t, e);
	if (old != NULL)
		nexthop_fib_release(&t->nhs, old, &t->dp);
}

/*
 * The log line of v's wait for a label (p: the first prefix that found none;
 * NULL: v's own). mode_changed: it is a label mode change that waits (a
 * reload), so the routes whose old label still leads to them keep it meanwhile
 * (export.c), which the line then says; a VRF just added has none.
 */
static void label_wait_say(const struct vrf_table *t, const struct vrf *v, const struct prefix4 *p,
			   bool mode_changed)
{
	char pb[PREFIX4_STRLEN], when[96];
	size_t n_held;
	uint32_t s = label_next_free(&t->labels, &n_held);

	if (n_held > 0)
		snprintf(when, sizeof(when), "%zu held down, the first free again in %u s", n_held,
			 s);
	else
		snprintf(when, sizeof(when), "all in use: one must be released");
	if (p != NULL)
		log_warnx("vrf %s: no free label in %u-%u (%s): %s, and any other prefix "
			  "that finds none, not exported until it gets one%s", v->cfg->name,
			  t->labels.min, t->labels.max, when, prefix4_format(p, pb),
			  mode_changed ? " (or, after its label mode change, exported with the "
					 "label it had meanwhile)" : "");
	else
		log_warnx("vrf %s: no free label in %u-%u (%s): its routes are not exported "
			  "until it gets one%s", v->cfg->name, t->labels.min, t->labels.max, when,
			  mode_changed ? " (or, after its label mode change, exported with the "
					 "label they had meanwhile)" : "");
}

/* No free label for v (p: for that prefix; NULL: v's own): said once while v waits. */
static void label_wait(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		       bool mode_changed)
{
	t->label_wait = true;
	if (v->label_wait)
		return;
	v->label_wait = true;
	v->label_wait_on_prefix = p != NULL;
	v->label_wait_mode_changed = mode_changed;
	if (p != NULL)
		v->label_wait_prefix = *p;
	if (!t->building)
		label_wait_say(t, v, p, mode_changed);
}

void vrf_label_wait_report(const struct vrf_table *t)
{
	for (size_t i = 0; i < t->n_vrfs; i++) {
		const struct vrf *v = &t->vrfs[i];

		if (v->label_wait)
			label_wait_say(t, v, v->label_wait_on_prefix ? &v->label_wait_prefix : NULL,
				       v->label_wait_mode_changed);
	}
}

int vrf_label_claim_vrf(struct vrf_table *t, struct vrf *v, bool mode_changed)
{
	struct label_key k;
	struct label_entry *e;

	label_key_vrf(&k, v->cfg->name);
	e = label_claim(&t->labels, &k, v->id);
	if (e == NULL) {
		label_wait(t, v, NULL, mode_changed);
		return -ENOSPC;
	}
	v->vrf_label = e;
	v->label = e->label;
	/* Kept in fwd through its hold-down: popping into v still, as it did. */
	if (e->refs == 1 && !e->programmed)
		lfib_program(t, e);
	return 0;
}

void vrf_label_release_vrf(struct vrf_table *t, struct vrf *v)
{
	struct label_entry *e = v->vrf_label;

	if (e == NULL)
		return;
	v->vrf_label = NULL;
	v->label = MPLS_LABEL_NONE;
	vrf_label_put(t, v, e);
}

bool vrf_label_fits(const struct vrf *v, const struct label_entry *e, const struct vrf_route *r)
{
	switch (v->cfg->label_mode) {
	case CFG_LABEL_PER_VRF:
		return e == v->vrf_label;
	case CFG_LABEL_PER_CE:
		return e->key.kind == LABEL_KIND_CE && e->key.gateway == r->nh->ipc.gateway &&
		       strncmp(e->key.ifname, r->nh->ipc.ifname, sizeof(e->key.ifname)) == 0;
	case CFG_LABEL_PER_PREFIX:
		return e->key.kind == LABEL_KIND_PREFIX;
	}
	return false;
}

/* The key v's prefix vp, through r, would have in label mode kind. */
static void label_key_of(struct label_key *k, uint32_t kind, const struct vrf *v,
			 const struct vrf_prefix *vp, const struct vrf_route *r)
{
	if (kind == LABEL_KIND_VRF)
		label_key_vrf(k, v->cfg->name);
	else if (kind == LABEL_KIND_CE)
		label_key_ce(k, v->cfg->name, r->nh->ipc.ifname, r->nh->ipc.gateway);
	else
		label_key_prefix(k, v->cfg->name, &vp->prefix);
}

static uint32_t mode_kind(enum cfg_label_mode m)
{
	return m == CFG_LABEL_PER_VRF ? LABEL_KIND_VRF
	       : m == CFG_LABEL_PER_CE ? LABEL_KIND_CE : LABEL_KIND_PREFIX;
}

struct label_entry *vrf_label_get(struct vrf_table *t, struct vrf *v, const struct vrf_prefix *vp,
				  const struct vrf_route *r)
{
	struct label_entry *e;
	struct label_key k;

	if (v->cfg->label_mode == CFG_LABEL_PER_VRF) {
		if (v->vrf_label == NULL)
			return NULL;
		v->vrf_label->refs++;
		return v->vrf_label;
	}
	label_key_of(&k, mode_kind(v->cfg->label_mode), v, vp, r);
	e = label_claim(&t->labels, &k, v->id);
	if (e == NULL) {
		/* exported with a label of another mode: it is the mode change that waits */
		label_wait(t, v, &vp->prefix,
			   vp->exp_label != NULL && vp->exp_label->key.kind != k.kind);
		return NULL;
	}
	if (e->refs == 1)
		lfib_point(t, e, r->nh);
	return e;
}

struct label_entry *vrf_label_get_earlier(struct vrf_table *t, struct vrf *v,
					  const struct vrf_prefix *vp, const struct vrf_route *r,
					  struct label_entry *old)
{
	/*
	 * The most specific first: only vp can have held its own per-prefix
	 * label (surely the one it went out with), only prefixes through r's
	 * CE that CE's; the per-VRF one, any prefix's, taken first gave a
	 * prefix on its own label another (a new UPDATE, its own held down).
	 */
	static const uint32_t kinds[] = { LABEL_KIND_PREFIX, LABEL_KIND_CE, LABEL_KIND_VRF };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct label_entry *e;
		struct label_key k;

		if (kinds[i] == mode_kind(v->cfg->label_mode))
			continue;
		label_key_of(&k, kinds[i], v, vp, r);
		e = label_find(&t->labels, &k);
		/* Held down: not taken back, another VRF may be waiting for it. */
		if (e == NULL || e->state == LABEL_HELD)
			continue;
		if (e == old)
			return old; /* vp's own per-prefix label, its next hop changed */
		e = label_claim(&t->labels, &k, v->id);
		if (e != NULL && e->refs == 1) {
			if (kinds[i] == LABEL_KIND_VRF)
				lfib_program(t, e);
			else
				lfib_point(t, e, r->nh);
		}
		return e;
	}
	return NULL;
}

/*
 * Whether a POP_FORWARD entry of a label of VRF config c (key k), to the
 * next hop (ifname, gateway), still reaches what it did: c still has the
 * link (one given to another VRF would take c's traffic to that VRF's CE)
 * and the CE is still a neighbour on it (a link renumbered in c leaves an
 * old CE off it: that next hop is gone). A connected next hop (gateway 0)
 * of a per-prefix label: the prefix is still the link's subnet.
 */
static bool label_target_valid(const struct cfg_vrf *c, const struct label_key *k,
			       const char *ifname, uint32_t gateway)
{
	const struct cfg_vrf_if *ifc = config_vrf_interface(c, ifname);
	struct prefix4 net;

	if (ifc == NULL)
		return false;
	if (gateway != 0)
		return vrf_static_nh_check(ifc, gateway) == STATIC_NH_OK;
	if (k->kind != LABEL_KIND_PREFIX)
		return true;
	net = ifc->address;
	prefix4_normalize(&net);
	return net.addr == k->prefix.addr && net.len == k->prefix.len;
}

/* e's LFIB entry still means what it did in its VRF (config c): pop+lookup always does. */
static bool label_meaning_valid(const struct cfg_vrf *c, const struct label_entry *e)
{
	return e->nh == NULL || label_target_valid(c, &e->key, e->nh->ipc.ifname,
						   e->nh->ipc.gateway);
}

/*
 * Whether e, released by v, keeps its LFIB entry through the hold-down:
 * only while v stays, and a POP_FORWARD only to a CE still on a link v
 * still has.
 */
static bool label_keep(const struct vrf_table *t, const struct vrf *v,
		       const struct label_entry *e)
{
	if (t->labels.hold_down == 0 || v->dying || !e->programmed || e->vrf_id != v->id)
		return false;
	return label_meaning_valid(v->cfg, e);
}

void vrf_label_arrive(struct vrf_table *t, const struct cfg_vrf *c)
{
	char rb[RD_STRLEN], wb[RD_STRLEN];
	struct rd was;
	size_t n = label_vrf_arrived(&t->labels, c->name, &c->rd, &was);

	if (n > 0)
		log_info("vrf %s: re-created with RD %s (was %s): the %zu %s of its predecessor "
			 "%s reserved until %s hold-down ends, never its own; it takes new ones",
			 c->name, rd_format(&c->rd, rb), rd_format(&was, wb), n,
			 plural(n, "label", "labels"), plural(n, "stays", "stay"),
			 plural(n, "its", "their"));
}

void vrf_label_put(struct vrf_table *t, const struct vrf *v, struct label_entry *e)
{
	if (e->refs == 1 && !label_keep(t, v, e))
		lfib_drop(t, e);
	label_unclaim(&t->labels, e);
}

void vrf_label_retarget(struct vrf_table *t, struct label_entry *e, struct nexthop *nh)
{
	if (e->nh == nh || e->key.kind == LABEL_KIND_VRF)
		return;
	lfib_point(t, e, nh);
}

void vrf_label_drop_vrf(struct vrf_table *t, const struct vrf *v)
{
	for (size_t i = 0; i < t->labels.n; i++) {
		struct label_entry *e = t->labels.v[i];

		if (e->state != LABEL_USED && e->programmed && e->vrf_id == v->id)
			lfib_drop(t, e);
	}
}

void vrf_label_drop_stale(struct vrf_table *t)
{
	for (size_t i = 0; i < t->labels.n; i++) {
		struct label_entry *e = t->labels.v[i];
		const struct vrf *v;

		if (e->state == LABEL_USED || !e->programmed || e->nh == NULL)
			continue;
		v = vrf_by_id(t, e->vrf_id);
		if (v == NULL || v->dying || v->cfg == NULL || !label_meaning_valid(v->cfg, e))
			lfib_drop(t, e);
	}
}

/* The VRF built from config c: at start-up the table follows the config's order. */
static struct vrf *vrf_of_cfg(struct vrf_table *t, const struct cfg_vrf *c)
{
	size_t i = (size_t)(c - t->cfg->vrfs);

	if (i < t->n_vrfs && t->vrfs[i].cfg == c)
		return &t->vrfs[i];
	return vrf_by_name(t, c->name);
}

/*
 * Why m, e's LFIB entry before the restart, no longer means what it did,
 * or NULL when it still does: the VRF is there with the same RD (not one
 * re-created under its name), and a CE it popped to is still on a link of
 * that VRF.
 */
static const char *restore_why_not(struct vrf_table *t, const struct label_entry *e,
				   const struct state_lfib *m, struct vrf **v)
{
	const struct cfg_vrf *c = config_vrf_by_name(t->cfg, e->key.vrf);

	if (c == NULL || (*v = vrf_of_cfg(t, c)) == NULL || (*v)->dying)
		return "its VRF is gone";
	if (label_key_retired(&e->key) || !rd_equal(&c->rd, &m->rd))
		return "its VRF has another RD now";
	if ((label_key_kind(&e->key) == LABEL_KIND_VRF) != (m->ifname[0] == '\0'))
		return "the state file gives it another kind of entry";
	if (m->ifname[0] != '\0' && !label_target_valid(c, &e->key, m->ifname, m->gateway))
		return "the CE it popped to is no longer on a link of its VRF";
	return NULL;
}

/* e in fwd again as before the restart, popping into v (per-vrf) or to m's CE. */
static int restore_one(struct vrf_table *t, struct label_entry *e, const struct vrf *v,
		       const struct state_lfib *m)
{
	struct nexthop *nh = NULL;

	if (m->ifname[0] != '\0') {
		nh = m->gateway != 0 ? nexthop_get_gateway(&t->nhs, m->ifname, m->gateway)
				     : nexthop_get_connected(&t->nhs, m->ifname);
		if (nh == NULL)
			return -ENOMEM;
	}
	e->vrf_id = v->id;
	/* Kept in fwd: what makes vrf_label_lfib_entry give a held label its entry. */
	e->programmed = true;
	if (nh != NULL) {
		lfib_point(t, e, nh);
		nexthop_put(&t->nhs, nh); /* lfib_point holds its own reference */
	} else {
		lfib_program(t, e);
	}
	return 0;
}

/* "per-ce A ce-a1 10.1.1.3", "per-prefix A 192.168.7.0/24", "per-vrf A": what e stands for. */
static const char *label_what(const struct label_entry *e, char *buf, size_t len)
{
	char b[PREFIX4_STRLEN];
	const struct label_key *k = &e->key;

	if (label_key_kind(k) == LABEL_KIND_CE)
		snprintf(buf, len, "per-ce %s %s %s", k->vrf, k->ifname, ipv4_format(k->gateway, b));
	else if (label_key_kind(k) == LABEL_KIND_PREFIX)
		snprintf(buf, len, "per-prefix %s %s", k->vrf, prefix4_format(&k->prefix, b));
	else
		snprintf(buf, len, "%s %s", label_kind_name(k->kind), k->vrf);
	return buf;
}

void vrf_label_restore(struct vrf_table *t, const struct state_lfib *m, size_t n)
{
	char what[CFG_NAME_MAX + CFG_IFNAME_MAX + 48];
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct label_entry *e = label_lookup(&t->labels, m[i].label);
		struct vrf *v = NULL;
		const char *why;

		/* Claimed again (in use, fwd's entry as the build made it), freed, or done. */
		if (e == NULL || e->state != LABEL_HELD || e->programmed)
			continue;
		if ((why = restore_why_not(t, e, &m[i], &v)) == NULL) {
			if (restore_one(t, e, v, &m[i]) == 0)
				kept++;
			continue;
		}
		t->labels.dirty = true; /* its lfib line goes */
		log_info("label %u (%s): held down %u s more, but not in fwd again: %s", e->label,
			 label_what(e, what, sizeof(what)), label_held_for(&t->labels, e), why);
	}
	if (kept > 0)
		log_info("%zu held %s kept in fwd with the last run's meaning until %s hold-down "
			 "ends", kept, plural(kept, "label", "labels"), plural(kept, "its", "their"));
}

void vrf_label_replay(const struct vrf_table *t, const struct dataplane *dp)
{
	for (size_t i = 0; i < t->labels.n; i++) {
		struct ipc_lfib_entry m;

		if (vrf_label_lfib_entry(t->labels.v[i], &m))
			DP_CALL(dp, lfib_add, &m);
	}
}

/* vp should be exported and is not with the label its VRF's mode gives it. */
static bool label_owed(const struct vrf *v, const struct vrf_prefix *vp)
{
	const struct vrf_route *r = export_route(v, vp);

	return r != NULL && (vp->exp_label == NULL || !vrf_label_fits(v, vp->exp_label, r));
}

/*
 * v waited for a label: its per-VRF label first, then every prefix it
 * should export and does not, or exports with the label it had before its
 * label mode changed (export.c keeps it meanwhile). true when nothing of v
 * waits any more.
 */
static bool label_retry_vrf(struct vrf_table *t, struct vrf *v)
{
	struct vrf_prefix **vps;
	size_t i, n, exported = 0, left = 0;

	if (v->cfg->label_mode == CFG_LABEL_PER_VRF && v->vrf_label == NULL &&
	    vrf_label_claim_vrf(t, v, false) < 0) /* silent: it waits already */
		return false;
	n = rtable_sorted(&v->routes, &vps);
	for (i = 0; i < n; i++) {
		struct prefix4 p = vps[i]->prefix;
		/* An export leaks into other VRFs, which may lead back here: look again. */
		struct vrf_prefix *vp = rtable_find(&v->routes, &p);

		if (vp == NULL || !label_owed(v, vp))
			continue;
		export_prefix_sync(t, v, vp);
		if (label_owed(v, vp))
			left++;
		else if (vp->exp_label != NULL)
			exported++;
	}
	free(vps);
	if (left > 0)
		return false;
	v->label_wait = false;
	if (v->vrf_label != NULL)
		log_info("vrf %s: label %u, free again: %zu %s exported", v->cfg->name,
			 v->vrf_label->label, exported, plural(exported, "route", "routes"));
	else
		log_info("vrf %s: labels free again: %zu %s exported", v->cfg->name, exported,
			 plural(exported, "route", "routes"));
	return true;
}

/* rtable_count's form of label_owed (arg: the VRF). */
static bool owed(const struct vrf_prefix *vp, const void *arg)
{
	return label_owed(arg, vp);
}

void vrf_label_wait_recheck(struct vrf *v)
{
	if (!v->label_wait ||
	    (v->cfg->label_mode == CFG_LABEL_PER_VRF && v->vrf_label == NULL) ||
	    rtable_count(&v->routes, owed, v) > 0)
		return;
	v->label_wait = false;
	if (v->vrf_label != NULL)
		log_info("vrf %s: label %u, no route waits for a label any more", v->cfg->name,
			 v->vrf_label->label);
	else
		log_info("vrf %s: no route waits for a label any more", v->cfg->name);
}

/* vp (of VRF arg) should be exported and has no label to be exported with. */
static bool export_waits(const struct vrf_prefix *vp, const void *arg)
{
	return vp->exp_label == NULL && export_route(arg, vp) != NULL;
}

size_t vrf_label_exports_waiting(const struct vrf *v)
{
	return v->label_wait ? rtable_count(&v->routes, export_waits, v) : 0;
}

/* vp (of VRF arg) is exported with a label its VRF's mode does not give (a mode change waits). */
static bool export_on_old_label(const struct vrf_prefix *vp, const void *arg)
{
	const struct vrf_route *r;

	return vp->exp_label != NULL && (r = export_route(arg, vp)) != NULL &&
	       !vrf_label_fits(arg, vp->exp_label, r);
}

size_t vrf_label_exports_old_label(const struct vrf *v)
{
	return v->label_wait ? rtable_count(&v->routes, export_on_old_label, v) : 0;
}

void vrf_table_labels_tick(struct vrf_table *t)
{
	label_expire(&t->labels);
	/* Only a label freed since the last try can end a wait. */
	if (!t->label_wait || t->labels.freed == t->label_wait_freed)
		return;
	t->label_wait_freed = t->labels.freed;
	t->label_wait = false;
	for (size_t i = 0; i < t->n_vrfs; i++) {
		struct vrf *v = &t->vrfs[i];

		if (v->label_wait && !v->dying && !label_retry_vrf(t, v))
			t->label_wait = true;
	}
}
