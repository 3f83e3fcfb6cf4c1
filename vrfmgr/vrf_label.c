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
 */
#include <errno.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/vrf.h"

bool vrf_label_lfib_entry(const struct label_entry *e, struct ipc_lfib_entry *m)
{
	*m = (struct ipc_lfib_entry){ .in_label = e->label, .vrf_id = e->vrf_id,
				      .out_label = MPLS_LABEL_NONE };
	if (e->state != LABEL_USED)
		return false;
	if (e->key.kind == LABEL_KIND_VRF) {
		m->action = IPC_LFIB_POP_LOOKUP;
		return true;
	}
	m->action = IPC_LFIB_POP_FORWARD;
	m->nh_id = e->nh != NULL ? e->nh->ipc.nh_id : 0;
	return e->nh != NULL;
}

static void lfib_program(struct vrf_table *t, const struct label_entry *e)
{
	struct ipc_lfib_entry m;

	if (vrf_label_lfib_entry(e, &m))
		DP_CALL(&t->dp, lfib_add, &m);
}

static void lfib_unprogram(struct vrf_table *t, const struct label_entry *e)
{
	struct ipc_lfib_entry m = { .in_label = e->label, .out_label = MPLS_LABEL_NONE };

	DP_CALL(&t->dp, lfib_del, &m);
}

int vrf_label_claim_vrf(struct vrf_table *t, struct vrf *v)
{
	struct label_key k;
	struct label_entry *e;

	label_key_vrf(&k, v->cfg->name);
	e = label_claim(&t->labels, &k, v->id);
	if (e == NULL) {
		log_warnx("vrf %s: no label left in %u-%u", v->cfg->name, t->labels.min,
			  t->labels.max);
		return -ENOSPC;
	}
	v->vrf_label = e;
	v->label = e->label;
	if (e->refs == 1)
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
	vrf_label_put(t, e);
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

struct label_entry *vrf_label_get(struct vrf_table *t, struct vrf *v, const struct vrf_prefix *vp,
				  const struct vrf_route *r)
{
	struct label_entry *e;
	struct label_key k;
	char pb[PREFIX4_STRLEN];

	if (v->cfg->label_mode == CFG_LABEL_PER_VRF) {
		if (v->vrf_label == NULL)
			return NULL;
		v->vrf_label->refs++;
		return v->vrf_label;
	}
	if (v->cfg->label_mode == CFG_LABEL_PER_CE)
		label_key_ce(&k, v->cfg->name, r->nh->ipc.ifname, r->nh->ipc.gateway);
	else
		label_key_prefix(&k, v->cfg->name, &vp->prefix);
	e = label_claim(&t->labels, &k, v->id);
	if (e == NULL) {
		log_warnx("vrf %s: %s not exported: no label left in %u-%u", v->cfg->name,
			  prefix4_format(&vp->prefix, pb), t->labels.min, t->labels.max);
		return NULL;
	}
	if (e->refs == 1) {
		e->nh = r->nh;
		nexthop_fib_hold(&t->nhs, e->nh, &t->dp);
		lfib_program(t, e);
	}
	return e;
}

void vrf_label_put(struct vrf_table *t, struct label_entry *e)
{
	struct nexthop *nh = e->nh;

	if (e->refs == 1) {
		lfib_unprogram(t, e);
		if (nh != NULL)
			nexthop_fib_release(&t->nhs, nh, &t->dp);
	}
	label_unclaim(&t->labels, e);
}

void vrf_label_retarget(struct vrf_table *t, struct label_entry *e, struct nexthop *nh)
{
	struct nexthop *old = e->nh;

	if (old == nh || e->key.kind == LABEL_KIND_VRF)
		return;
	nexthop_fib_hold(&t->nhs, nh, &t->dp);
	e->nh = nh;
	lfib_program(t, e);
	if (old != NULL)
		nexthop_fib_release(&t->nhs, old, &t->dp);
}

void vrf_label_replay(const struct vrf_table *t, const struct dataplane *dp)
{
	for (size_t i = 0; i < t->labels.n; i++) {
		struct ipc_lfib_entry m;

		if (vrf_label_lfib_entry(t->labels.v[i], &m))
			DP_CALL(dp, lfib_add, &m);
	}
}
