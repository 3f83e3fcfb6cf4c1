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
 * re-resolved), the core needs no hooks, and replays
 * (which fwd_sync sends on a connection of its own) are not reported as
 * changes.
 *
 * The snapshot (a resync, or ?snapshot=1) is what fwd should hold now, as
 * the same records: the VRFs and their links, the next hops in use, then
 * each VRF's FIB entries
 * (walked in prefix order by key, api_walk.c, so the VRF may change between
 * chunks), then the LFIB entries (by label, from the sorted label array).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/api_events.h"
#include "common/label.h"
#include "vrfmgr/api.h"
#include "vrfmgr/vrfmgr.h"

enum { EV_FIB = 0, EV_LABEL, EV_NEXTHOP, EV_VRF, EV_INTERFACE };
static const char *const event_names[] = { "fib", "label", "nexthop", "vrf", "interface", NULL };

struct fib_rec {
	uint32_t vrf_id;
	uint32_t prefix;
	uint8_t plen;
	uint8_t add;
	uint16_t pad;
	uint32_t inner_label;
	uint32_t nh_type;
	uint32_t gateway;
	uint32_t out_label;
	char ifname[IPC_IFNAME_MAX];
};

struct label_rec {
	struct ipc_lfib_entry e;
	uint8_t add;
};

struct nh_rec {
	struct ipc_nexthop nh;
};

/* A VRF added or removed; its name as it was then (a removed one is gone when read). */
struct vrf_rec {
	struct ipc_vrf v;
	uint8_t add;
};

/* An attachment link bound to a VRF or unbound, with that VRF's name then. */
struct if_rec {
	struct ipc_if_bind b;
	char vrf[IPC_NAME_MAX];
	uint8_t bind;
};

/* A record past API_EVENT_DATA would be cut short in the ring, silently. */
_Static_assert(sizeof(struct fib_rec) <= API_EVENT_DATA, "fib_rec too big for an event");
_Static_assert(sizeof(struct label_rec) <= API_EVENT_DATA, "label_rec too big for an event");
_Static_assert(sizeof(struct nh_rec) <= API_EVENT_DATA, "nh_rec too big for an event");
_Static_assert(sizeof(struct vrf_rec) <= API_EVENT_DATA, "vrf_rec too big for an event");
_Static_assert(sizeof(struct if_rec) <= API_EVENT_DATA, "if_rec too big for an event");

struct vrfapi_events {
	struct vrfmgr *vm;
	struct dataplane inner; /* where every call goes on to (fwd_sync) */
	struct api_events *ring;
	struct api_events_snapshot snap;
};

static const struct nexthop *nh_by_id(const struct vrfmgr *vm, uint32_t id)
{
	for (const struct nexthop *nh = vm->table.nhs.head; nh != NULL; nh = nh->next)
		if (nh->ipc.nh_id == id)
			return nh;
	return NULL;
}

static void fib_rec_of(struct fib_rec *out, const struct ipc_fib_entry *e, bool add,
		       const struct nexthop *nh)
{
	struct fib_rec r;

	memset(&r, 0, sizeof(r));
	r.vrf_id = e->vrf_id;
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
	*out = r;
}

static void publish_fib(struct vrfapi_events *ev, const struct ipc_fib_entry *e, bool add)
{
	struct fib_rec r;

	fib_rec_of(&r, e, add, add ? nh_by_id(ev->vm, e->nh_id) : NULL);
	api_events_publish(ev->ring, EV_FIB, &r, sizeof(r));
}

/* ---- the tap: forward, then record ---- */

#define TAP_FORWARD(fn, type)                                                                     \
	static void tap_##fn(void *ctx, const type *x)                                           \
	{                                                                                         \
		struct vrfapi_events *ev = ctx;                                                   \
		DP_CALL(&ev->inner, fn, x);                                                       \
	}
TAP_FORWARD(nh_del, struct ipc_nexthop)

static void vrf_rec_of(struct vrf_rec *r, const struct ipc_vrf *v, bool add)
{
	memset(r, 0, sizeof(*r));
	r->v = *v;
	r->add = add;
}

/* The VRF's name from the table (the IF_BIND carries only its id); "" when it has none. */
static void if_rec_of(struct if_rec *r, struct vrfmgr *vm, const struct ipc_if_bind *b, bool bind)
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
	vrf_rec_of(&r, v, add);
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
	if_rec_of(&r, ev->vm, b, bind);
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
	publish_fib(ev, e, true);
}

static void tap_fib_del(void *ctx, const struct ipc_fib_entry *e)
{
	struct vrfapi_events *ev = ctx;

	DP_CALL(&ev->inner, fib_del, e);
	publish_fib(ev, e, false);
}

static void tap_lfib(struct vrfapi_events *ev, const struct ipc_lfib_entry *e, bool add)
{
	struct label_rec r;

	memset(&r, 0, sizeof(r));
	r.e = *e;
	r.add = add;
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
	tap_vrf_add, tap_vrf_del, tap_if_bind, tap_if_unbind, tap_nh_add,
	tap_nh_del,  tap_fib_add, tap_fib_del, tap_lfib_add, tap_lfib_del,
};

/* ---- the snapshot: what fwd should hold, as records ---- */

enum { SNAP_VRFS = 0, SNAP_NH, SNAP_FIB, SNAP_LABELS };

struct snap {
	struct vrfapi_events *ev;
	int phase;
	size_t vi;             /* SNAP_FIB: the VRF walked, by index and id */
	uint32_t vrf_id;
	bool vrf_started;
	uint32_t label;        /* SNAP_LABELS: the last label written */
	bool label_started;
	struct vrfapi_walk wk; /* last: large */
};

static void *snap_begin(void *ctx)
{
	struct snap *sn = malloc(sizeof(*sn));

	if (sn != NULL) {
		memset(sn, 0, offsetof(struct snap, wk));
		sn->ev = ctx;
		vrfapi_walk_start(&sn->wk, NULL);
	}
	return sn;
}

static void snap_end(void *cursor)
{
	struct snap *sn = cursor;

	vrfapi_walk_free(&sn->wk);
	free(sn);
}

static bool snap_full(const struct jw *w, size_t budget_end)
{
	return evbuffer_get_length(w->out) + w->staged >= budget_end;
}

/* The snapshot's VRFs and bindings: vrf_emit_config's calls, written as records. */
struct snap_emit {
	struct jw *w;
	struct vrfapi_events *ev;
};

static void snap_vrf_add(void *ctx, const struct ipc_vrf *v)
{
	struct snap_emit *se = ctx;
	struct vrf_rec r;

	vrf_rec_of(&r, v, true);
	api_events_snapshot_item(se->w, se->ev->ring, EV_VRF, &r, sizeof(r));
}

static void snap_if_bind(void *ctx, const struct ipc_if_bind *b)
{
	struct snap_emit *se = ctx;
	struct if_rec r;

	if_rec_of(&r, se->ev->vm, b, true);
	api_events_snapshot_item(se->w, se->ev->ring, EV_INTERFACE, &r, sizeof(r));
}

/* VRFs are at most a few thousand, a record or three each: all in one go. */
static void snap_vrfs(struct jw *w, struct snap *sn)
{
	static const struct dataplane_ops ops = { .vrf_add = snap_vrf_add, .if_bind = snap_if_bind };
	struct snap_emit se = { w, sn->ev };
	struct dataplane dp = { .ops = &ops, .ctx = &se };
	const struct vrf_table *t = &sn->ev->vm->table;

	for (size_t i = 0; i < t->n_vrfs; i++)
		vrf_emit_config(&t->vrfs[i], &dp);
}

/* Next hops are few (one per remote PE and CE gateway): all in one go. */
static void snap_nexthops(struct jw *w, struct snap *sn)
{
	for (const struct nexthop *nh = sn->ev->vm->table.nhs.head; nh != NULL; nh = nh->next)
		if (nh->fib_refs > 0) {
			struct nh_rec r = { nh->ipc };

			api_events_snapshot_item(w, sn->ev->ring, EV_NEXTHOP, &r, sizeof(r));
		}
}

/* The VRF the FIB phase is in (found again by id when a reload moved it), or NULL at the end. */
static struct vrf *snap_vrf(struct snap *sn)
{
	struct vrf_table *t = &sn->ev->vm->table;

	if (sn->vi < t->n_vrfs && t->vrfs[sn->vi].id == sn->vrf_id)
		return &t->vrfs[sn->vi];
	if (sn->vrf_started) {
		struct vrf *v = vrf_by_id(t, sn->vrf_id);

		if (v != NULL) {
			sn->vi = (size_t)(v - t->vrfs);
			return v;
		}
	}
	if (sn->vi >= t->n_vrfs)
		return NULL;
	sn->vrf_id = t->vrfs[sn->vi].id; /* the next one (or the one now in a gone one's place) */
	sn->vrf_started = false;
	return &t->vrfs[sn->vi];
}

/*
 * Each VRF's FIB entries; true when all are written. The walk's batch is
 * sized from each VRF (a few passes per VRF, not one per 8192 routes), and
 * a fill stops after a pass's worth of scanning so a big VRF does not hold
 * the daemon in one callback.
 */
static bool snap_fib(struct jw *w, struct snap *sn, size_t budget_end)
{
	uint64_t scanned0 = sn->wk.scanned;
	struct vrfapi_key k;
	struct vrf *v;

	while ((v = snap_vrf(sn)) != NULL) {
		if (!sn->vrf_started) {
			vrfapi_walk_seek(&sn->wk, NULL);
			vrfapi_walk_reserve(&sn->wk, v->routes.count);
			sn->vrf_started = true;
		}
		for (;;) {
			if (vrfapi_walk_yield(&sn->wk, scanned0))
				return false;
			if (!vrfapi_walk_next(&sn->wk, vrfapi_each_prefix, &v->routes, &k))
				break;
			struct prefix4 p = { k.addr, k.len };
			const struct vrf_prefix *vp = rtable_find(&v->routes, &p);
			struct ipc_fib_entry e;
			struct fib_rec r;

			if (vp == NULL || !vrf_prefix_fib_entry(v, vp, &e))
				continue;
			fib_rec_of(&r, &e, true, vp->fib_nh);
			api_events_snapshot_item(w, sn->ev->ring, EV_FIB, &r, sizeof(r));
			if (snap_full(w, budget_end))
				return false;
		}
		sn->vi++;
		sn->vrf_started = false;
	}
	return true;
}

/* The labels after the last one written, from the array sorted by label; true when done. */
static bool snap_labels(struct jw *w, struct snap *sn, size_t budget_end)
{
	const struct label_alloc *la = &sn->ev->vm->table.labels;
	size_t lo = 0, hi = la->n;

	while (sn->label_started && lo < hi) { /* the first label above the last one */
		size_t mid = lo + (hi - lo) / 2;

		if (la->v[mid]->label <= sn->label)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < la->n; lo++) {
		struct label_rec r = { .add = 1 };

		sn->label = la->v[lo]->label;
		sn->label_started = true;
		if (!vrf_label_lfib_entry(la->v[lo], &r.e))
			continue;
		api_events_snapshot_item(w, sn->ev->ring, EV_LABEL, &r, sizeof(r));
		if (snap_full(w, budget_end))
			return false;
	}
	return true;
}

static bool snap_fill(struct jw *w, void *cursor, size_t budget_end)
{
	struct snap *sn = cursor;

	if (sn->phase == SNAP_VRFS) {
		snap_vrfs(w, sn);
		sn->phase = SNAP_NH;
	}
	if (sn->phase == SNAP_NH) {
		snap_nexthops(w, sn);
		sn->phase = SNAP_FIB;
	}
	if (sn->phase == SNAP_FIB) {
		if (!snap_fib(w, sn, budget_end))
			return false;
		sn->phase = SNAP_LABELS;
	}
	return snap_labels(w, sn, budget_end);
}

static const struct api_events_snapshot snap_ops = { snap_begin, snap_fill, snap_end, NULL };

/* ---- formatting, when a client reads ---- */

static void kv_vrf(struct jw *w, struct vrfmgr *vm, uint32_t id)
{
	struct vrf *v = vrf_by_id(&vm->table, id);

	jw_kv_string(w, "vrf", v != NULL && v->cfg != NULL ? v->cfg->name : NULL);
	jw_kv_uint(w, "vrf_id", id);
}

static void fib_fmt(struct jw *w, struct vrfmgr *vm, const struct fib_rec *r)
{
	struct prefix4 p = { r->prefix, r->plen };

	jw_kv_string(w, "action", r->add ? "add" : "del");
	kv_vrf(w, vm, r->vrf_id);
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
}

static void label_fmt(struct jw *w, struct vrfmgr *vm, const struct label_rec *r)
{
	jw_kv_string(w, "action", r->add ? "add" : "del");
	jw_kv_uint(w, "label", r->e.in_label);
	if (!r->add)
		return;
	jw_kv_string(w, "does", r->e.action == IPC_LFIB_POP_LOOKUP ? "pop-lookup"
				: r->e.action == IPC_LFIB_SWAP    ? "swap"
								  : "pop-forward");
	if (r->e.action == IPC_LFIB_POP_LOOKUP)
		kv_vrf(w, vm, r->e.vrf_id);
	else
		jw_kv_uint(w, "nh_id", r->e.nh_id);
}

static void event_fmt(struct jw *w, const struct api_event *e, void *ctx)
{
	struct vrfapi_events *ev = ctx;

	if (e->type == EV_FIB) {
		struct fib_rec r;

		memcpy(&r, e->data, sizeof(r));
		fib_fmt(w, ev->vm, &r);
	} else if (e->type == EV_LABEL) {
		struct label_rec r;

		memcpy(&r, e->data, sizeof(r));
		label_fmt(w, ev->vm, &r);
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

static void events_free(void *arg)
{
	struct vrfmgr *vm = arg;
	struct vrfapi_events *ev = vm->api_events;

	if (ev == NULL)
		return;
	/* the core keeps programming fwd after the API is gone (shutdown sweeps) */
	vrf_table_set_dataplane(&vm->table, &ev->inner);
	vm->api_events = NULL;
	api_events_free(ev->ring);
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
	ev->snap = snap_ops;
	ev->snap.ctx = ev;
	api_events_set_snapshot(ev->ring, &ev->snap);
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
