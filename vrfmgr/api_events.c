/*
 * vrfmgr's GET /events (docs/api.md): what changes in the VRFs' forwarding
 * state, over SSE through common/api_events.c's ring.
 *
 * Every change vrfmgr makes to what fwd must hold already goes through one
 * narrow interface, struct dataplane (dataplane.h). The API puts a tap in
 * front of it: each call goes on to fwd unchanged and leaves an event
 * behind. So the events are exactly what the dataplane was told, in the
 * order it was told (VRFs added/removed, attachment links bound/unbound,
 * FIB entries added/removed per VRF, labels bound or released, next hops
 * re-resolved; and, through the one call no dataplane takes, fib_rts,
 * an installed route's new RTs), the core needs no other hooks, and replays
 * (which fwd_sync sends on a connection of its own) are not reported as
 * changes.
 *
 * The snapshot (a resync, or ?snapshot=1, api_events_snap.c) is what fwd
 * should hold now, as the same records: the VRFs and their links, the next
 * hops in use, then each VRF's FIB entries
 * (walked in prefix order by key, api_walk.c, so the VRF may change between
 * chunks), then the LFIB entries (by label, from the sorted label array).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api_events.h"
#include "common/label.h"
#include "vrfmgr/api.h"
#include "vrfmgr/api_events_int.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/rtset.h"
#include "vrfmgr/vrfmgr.h"

static const char *const event_names[] = { "fib", "label", "nexthop", "vrf", "interface", NULL };

void vrfapi_fib_rec_of(struct fib_rec *out, struct vrfapi_events *ev,
		       const struct ipc_fib_entry *e, bool add, const struct nexthop *nh,
		       const struct vrf *v, const struct vrf_prefix *vp)
{
	struct fib_rec r;

	memset(&r, 0, sizeof(r));
	r.vrf_id = e->vrf_id;
	r.vrf = vrfapi_name_of(&ev->names, &ev->vm->table, e->vrf_id);
	r.prefix = e->prefix;
	r.plen = e->plen;
	r.add = add;
	r.inner_label = e->inner_label;
	r.out_label = MPLS_LABEL_NONE;
	if (nh != NULL) {
		r.nh_type = nh->ipc.type;
		r.gateway = nh->ipc.gateway;
		if (nh->ipc.type == IPC_NH_LABELED)
			r.out_label = nh->ipc.out_label;
		memcpy(r.ifname, nh->ipc.ifname, sizeof(r.ifname));
		r.ifname[sizeof(r.ifname) - 1] = '\0';
	}
	if (add && vp != NULL && vp->best != NULL) {
		r.rts = vp->best->rts;
		r.n_rts = export_rts_given(v, vp, vp->best); /* as /routes gives them */
	}
	*out = r;
}

void vrfapi_label_rec_of(struct label_rec *out, struct vrfapi_events *ev,
			 const struct ipc_lfib_entry *e, bool add)
{
	memset(out, 0, sizeof(*out));
	out->e = *e;
	out->add = add;
	if (e->vrf_id != 0)
		out->vrf = vrfapi_name_of(&ev->names, &ev->vm->table, e->vrf_id);
}

static bool fib_entry_equal(const struct ipc_fib_entry *a, const struct ipc_fib_entry *b)
{
	return a->vrf_id == b->vrf_id && a->prefix == b->prefix && a->plen == b->plen &&
	       a->nh_id == b->nh_id && a->inner_label == b->inner_label;
}

/*
 * A FIB event about e. amend: e's route targets changed in the selection
 * that installed e (tap_fib_rts): they go into the fib add just published
 * for e, while no client has it, rather than into a second one.
 */
static void publish_fib(struct vrfapi_events *ev, const struct ipc_fib_entry *e, bool add,
			bool amend)
{
	const struct nexthop *nh = add ? nexthop_by_id(&ev->vm->table.nhs, e->nh_id) : NULL;
	/* the prefix whose selected route vrfmgr installs (prefix_program): its RTs */
	struct vrf *v = vrf_by_id(&ev->vm->table, e->vrf_id);
	struct prefix4 p = { e->prefix, e->plen };
	const struct vrf_prefix *vp = add && v != NULL ? rtable_find(&v->routes, &p) : NULL;
	struct fib_rec r;
	uint64_t seq;

	vrfapi_fib_rec_of(&r, ev, e, add, nh, v, vp);
	r.rts = rtset_ref(r.rts); /* the ring's own, until drop_rec */
	vrfapi_name_ref(r.vrf);
	amend = amend && vp != NULL && vp == ev->vm->table.fib_exporting &&
		ev->fib_added_seq != 0 && fib_entry_equal(e, &ev->fib_added);
	if (amend && api_events_amend(ev->ring, ev->fib_added_seq, &r, sizeof(r)))
		return;
	seq = api_events_publish(ev->ring, EV_FIB, &r, sizeof(r));
	ev->fib_added_seq = add ? seq : 0;
	ev->fib_added = *e;
}

/* The ring overwrites (or frees) a record: a FIB add lets its RTs go, FIB and label their VRF. */
static void drop_rec(const struct api_event *e, void *ctx)
{
	(void)ctx;
	if (e->type == EV_FIB) {
		struct fib_rec r;

		memcpy(&r, e->data, sizeof(r));
		rtset_put(r.rts);
		vrfapi_name_put(r.vrf);
	} else if (e->type == EV_LABEL) {
		struct label_rec r;

		memcpy(&r, e->data, sizeof(r));
		vrfapi_name_put(r.vrf);
	}
}

/* ---- the tap: forward, then record ---- */

#define TAP_FORWARD(fn, type)                                                                     \
	static void tap_##fn(void *ctx, const type *x)                                           \
	{                                                                                         \
		struct vrfapi_events *ev = ctx;                                                   \
		DP_CALL(&ev->inner, fn, x);                                                       \
	}
TAP_FORWARD(nh_del, struct ipc_nexthop)

void vrfapi_vrf_rec_of(struct vrf_rec *r, const struct ipc_vrf *v, bool add)
{
	memset(r, 0, sizeof(*r));
	r->v = *v;
	r->add = add;
}

/* The VRF's name from the table (the IF_BIND carries only its id); "" when it has none. */
void vrfapi_if_rec_of(struct if_rec *r, struct vrfmgr *vm, const struct ipc_if_bind *b, bool bind)
{
	const struct vrf *v = vrf_by_id(&vm->table, b->vrf_id);

	memset(r, 0, sizeof(*r));
	r->b = *b;
	r->bind = bind;
	if (v != NULL && v->cfg != NULL)
		snprintf(r->vrf, sizeof(r->vrf), "%s", v->cfg->name);
}

static void tap_vrf(void *ctx, const struct ipc_vrf *v, bool add)
{
	struct vrfapi_events *ev = ctx;
	struct vrf_rec r;

	if (add)
		DP_CALL(&ev->inner, vrf_add, v);
	else
		DP_CALL(&ev->inner, vrf_del, v);
	vrfapi_names_forget(&ev->names, v->vrf_id);
	vrfapi_vrf_rec_of(&r, v, add);
	api_events_publish(ev->ring, EV_VRF, &r, sizeof(r));
}

static void tap_vrf_add(void *ctx, const struct ipc_vrf *v)
{
	tap_vrf(ctx, v, true);
}

static void tap_vrf_del(void *ctx, const struct ipc_vrf *v)
{
	tap_vrf(ctx, v, false);
}

static void tap_if(void *ctx, const struct ipc_if_bind *b, bool bind)
{
	struct vrfapi_events *ev = ctx;
	struct if_rec r;

	if (bind)
		DP_CALL(&ev->inner, if_bind, b);
	else
		DP_CALL(&ev->inner, if_unbind, b);
	vrfapi_if_rec_of(&r, ev->vm, b, bind);
	api_events_publish(ev->ring, EV_INTERFACE, &r, sizeof(r));
}

static void tap_if_bind(void *ctx, const struct ipc_if_bind *b)
{
	tap_if(ctx, b, true);
}

static void tap_if_unbind(void *ctx, const struct ipc_if_bind *b)
{
	tap_if(ctx, b, false);
}

static void tap_nh_add(void *ctx, const struct ipc_nexthop *nh)
{
	struct vrfapi_events *ev = ctx;
	struct nh_rec r = { *nh };

	DP_CALL(&ev->inner, nh_add, nh);
	api_events_publish(ev->ring, EV_NEXTHOP, &r, sizeof(r));
}

static void tap_fib_add(void *ctx, const struct ipc_fib_entry *e)
{
	struct vrfapi_events *ev = ctx;

	DP_CALL(&ev->inner, fib_add, e);
	publish_fib(ev, e, true, false);
}

static void tap_fib_del(void *ctx, const struct ipc_fib_entry *e)
{
	struct vrfapi_events *ev = ctx;

	DP_CALL(&ev->inner, fib_del, e);
	publish_fib(ev, e, false, false);
}

/*
 * fwd holds e as it is; its route's RTs changed: a fib add again, with them
 * (dataplane.h). When e was installed in this same selection, which is now
 * exporting it (vrf_table.fib_exporting: a local route new at runtime gets
 * its RTs there), its fib add just published says them instead: one event.
 */
static void tap_fib_rts(void *ctx, const struct ipc_fib_entry *e)
{
	publish_fib(ctx, e, true, true);
}

static void tap_lfib(struct vrfapi_events *ev, const struct ipc_lfib_entry *e, bool add)
{
	struct label_rec r;

	vrfapi_label_rec_of(&r, ev, e, add);
	vrfapi_name_ref(r.vrf);
	api_events_publish(ev->ring, EV_LABEL, &r, sizeof(r));
}

static void tap_lfib_add(void *ctx, const struct ipc_lfib_entry *e)
{
	struct vrfapi_events *ev = ctx;

	DP_CALL(&ev->inner, lfib_add, e);
	tap_lfib(ev, e, true);
}

static void tap_lfib_del(void *ctx, const struct ipc_lfib_entry *e)
{
	struct vrfapi_events *ev = ctx;

	DP_CALL(&ev->inner, lfib_del, e);
	tap_lfib(ev, e, false);
}

static const struct dataplane_ops tap_ops = {
	.vrf_add = tap_vrf_add,	    .vrf_del = tap_vrf_del,   .if_bind = tap_if_bind,
	.if_unbind = tap_if_unbind, .nh_add = tap_nh_add,     .nh_del = tap_nh_del,
	.fib_add = tap_fib_add,	    .fib_del = tap_fib_del,   .lfib_add = tap_lfib_add,
	.lfib_del = tap_lfib_del,   .fib_rts = tap_fib_rts,
};

/* ---- formatting, when a client reads ---- */

/* A FIB or label event's VRF as it was when published (also once gone, its id another's). */
static void kv_vrf(struct jw *w, const struct vrfapi_name *name, uint32_t id)
{
	jw_kv_string(w, "vrf", name != NULL ? name->name : NULL);
	jw_kv_uint(w, "vrf_id", id);
}

static void fib_fmt(struct jw *w, const struct fib_rec *r)
{
	struct prefix4 p = { r->prefix, r->plen };

	jw_kv_string(w, "action", r->add ? "add" : "del");
	kv_vrf(w, r->vrf, r->vrf_id);
	vrfapi_kv_prefix(w, "prefix", &p);
	if (!r->add)
		return;
	jw_kv_string(w, "type", nexthop_type_name(r->nh_type));
	vrfapi_kv_label(w, "inner_label", r->inner_label);
	vrfapi_kv_label(w, "outer_label", r->out_label);
	jw_kv_string(w, "interface", r->ifname[0] ? r->ifname : NULL);
	if (r->gateway != 0)
		vrfapi_kv_addr(w, "next_hop", r->gateway);
	else
		jw_kv_string(w, "next_hop", NULL);
	vrfapi_kv_rts(w, "route_targets", r->rts, r->n_rts);
}

/* Every label of vrfmgr's is a VRF's (a swap, which none is, would have no "vrf"). */
static void label_fmt(struct jw *w, const struct label_rec *r)
{
	jw_kv_string(w, "action", r->add ? "add" : "del");
	jw_kv_uint(w, "label", r->e.in_label);
	if (r->add)
		jw_kv_string(w, "does", r->e.action == IPC_LFIB_POP_LOOKUP ? "pop-lookup"
					: r->e.action == IPC_LFIB_SWAP    ? "swap"
									  : "pop-forward");
	if (r->e.vrf_id != 0)
		kv_vrf(w, r->vrf, r->e.vrf_id);
	if (r->add && r->e.action != IPC_LFIB_POP_LOOKUP)
		jw_kv_uint(w, "nh_id", r->e.nh_id);
}

static void event_fmt(struct jw *w, const struct api_event *e, void *ctx)
{
	(void)ctx;
	if (e->type == EV_FIB) {
		struct fib_rec r;

		memcpy(&r, e->data, sizeof(r));
		fib_fmt(w, &r);
	} else if (e->type == EV_LABEL) {
		struct label_rec r;

		memcpy(&r, e->data, sizeof(r));
		label_fmt(w, &r);
	} else if (e->type == EV_VRF) {
		struct vrf_rec r;

		memcpy(&r, e->data, sizeof(r));
		jw_kv_string(w, "action", r.add ? "add" : "del");
		jw_kv_string(w, "vrf", r.v.name);
		jw_kv_uint(w, "vrf_id", r.v.vrf_id);
	} else if (e->type == EV_INTERFACE) {
		struct if_rec r;
		struct prefix4 p;

		memcpy(&r, e->data, sizeof(r));
		p.addr = r.b.address;
		p.len = r.b.plen;
		jw_kv_string(w, "action", r.bind ? "bind" : "unbind");
		jw_kv_string(w, "interface", r.b.ifname);
		jw_kv_string(w, "vrf", r.vrf[0] ? r.vrf : NULL);
		jw_kv_uint(w, "vrf_id", r.b.vrf_id);
		vrfapi_kv_prefix(w, "address", &p); /* fwd's own address on the link, with its length */
	} else if (e->type == EV_NEXTHOP) {
		struct nh_rec r;

		memcpy(&r, e->data, sizeof(r));
		jw_kv_uint(w, "nh_id", r.nh.nh_id);
		jw_kv_string(w, "type", nexthop_type_name(r.nh.type));
		vrfapi_kv_label(w, "outer_label", r.nh.type == IPC_NH_LABELED ? r.nh.out_label
									   : MPLS_LABEL_NONE);
		jw_kv_string(w, "interface", r.nh.ifname[0] ? r.nh.ifname : NULL);
		/* a connected next hop has no address: null, as in fib events and /routes */
		if (r.nh.gateway != 0)
			vrfapi_kv_addr(w, "next_hop", r.nh.gateway);
		else
			jw_kv_string(w, "next_hop", NULL);
	}
}

/* ---- ?vrf=NAME: the events whose "vrf" is NAME ---- */

/* The name an event's "vrf" field carries (as event_fmt writes it), or NULL: it names none. */
static const char *event_vrf(uint16_t type, const void *data)
{
	const struct vrfapi_name *n = NULL;

	if (type == EV_FIB) {
		struct fib_rec r;

		memcpy(&r, data, sizeof(r));
		n = r.vrf;
	} else if (type == EV_LABEL) {
		struct label_rec r;

		memcpy(&r, data, sizeof(r));
		n = r.e.vrf_id != 0 ? r.vrf : NULL;
	} else if (type == EV_VRF) {
		return ((const struct vrf_rec *)data)->v.name;
	} else if (type == EV_INTERFACE) {
		const char *name = ((const struct if_rec *)data)->vrf;

		return name[0] ? name : NULL;
	}
	return n != NULL ? n->name : NULL;
}

static bool vrf_match(uint16_t type, const void *data, const char *value, void *ctx)
{
	const char *name = event_vrf(type, data);

	(void)ctx;
	return name != NULL && strcmp(name, value) == 0;
}

/* A VRF must exist when the client asks (a typo is a 404); its events stay asked for after. */
static int vrf_check(struct jw *w, const char *value, void *ctx)
{
	struct vrfapi_events *ev = ctx;

	if (vrf_by_name(&ev->vm->table, value) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%.64s\"", value);
	return 0;
}

static void events_free(void *arg)
{
	struct vrfmgr *vm = arg;
	struct vrfapi_events *ev = vm->api_events;

	if (ev == NULL)
		return;
	/* the core keeps programming fwd after the API is gone (shutdown sweeps) */
	vrf_table_set_dataplane(&vm->table, &ev->inner);
	vm->api_events = NULL;
	api_events_free(ev->ring); /* its records' names first */
	vrfapi_names_free(&ev->names);
	free(ev);
}

int vrfapi_events_start(struct vrfmgr *vm)
{
	struct vrfapi_events *ev = calloc(1, sizeof(*ev));
	struct dataplane tap;

	if (ev == NULL)
		return -1;
	ev->vm = vm;
	ev->inner = vm->table.dp;
	ev->ring = api_events_new(vm->base, API_EVENTS_RING, event_names, event_fmt, ev);
	if (ev->ring == NULL) {
		free(ev);
		return -1;
	}
	ev->snap = vrfapi_snap_ops;
	ev->snap.ctx = ev;
	api_events_set_snapshot(ev->ring, &ev->snap);
	ev->filter = (struct api_events_filter){ "vrf", vrf_check, vrf_match, ev };
	api_events_set_filter(ev->ring, &ev->filter);
	api_events_set_drop(ev->ring, drop_rec);
	vm->api_events = ev;
	tap.ops = &tap_ops;
	tap.ctx = ev;
	vrf_table_set_dataplane(&vm->table, &tap);
	api_server_on_free(vm->api, events_free, vm);
	return 0;
}

int vrfapi_events(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;

	if (vm->api_events == NULL)
		return api_error(w, 503, "events are not available");
	return api_events_serve(vm->api_events->ring, w, req);
}

uint64_t vrfapi_events_last(const struct vrfmgr *vm)
{
	return vm->api_events != NULL ? api_events_last(vm->api_events->ring) : 0;
}

size_t vrfapi_events_clients(const struct vrfmgr *vm)
{
	return vm->api_events != NULL ? api_events_clients(vm->api_events->ring) : 0;
}

const struct dataplane *vrfapi_real_dataplane(const struct vrfmgr *vm)
{
	return vm->api_events != NULL ? &vm->api_events->inner : &vm->table.dp;
}
