/*
 * The snapshot of vrfmgr's /events (api_events.c): what fwd should hold
 * now, written as the same records as the events, a chunk at a time: the
 * VRFs with their links, the next hops in use, each VRF's FIB entries (by
 * key, so the VRF may change between chunks), then the LFIB entries.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/api_events.h"
#include "vrfmgr/api.h"
#include "vrfmgr/api_events_int.h"
#include "vrfmgr/vrfmgr.h"

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

	vrfapi_vrf_rec_of(&r, v, true);
	api_events_snapshot_item(se->w, se->ev->ring, EV_VRF, &r, sizeof(r));
}

static void snap_if_bind(void *ctx, const struct ipc_if_bind *b)
{
	struct snap_emit *se = ctx;
	struct if_rec r;

	vrfapi_if_rec_of(&r, se->ev->vm, b, true);
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
			vrfapi_fib_rec_of(&r, sn->ev, &e, true, vp->fib_nh, v, vp);
			api_events_snapshot_item(w, sn->ev->ring, EV_FIB, &r, sizeof(r));
			if (snap_full(w, budget_end))
				return false;
		}
		sn->vi++;
		sn->vrf_started = false;
	}
	return true;
}

/*
 * Labels looked at in one fill, written or not: a ?vrf= or ?type= filter
 * writes few of them, so the byte budget alone would let a million
 * per-prefix labels hold the daemon in one callback. A variable for tests.
 */
size_t vrfapi_snap_label_look = 65536;

/* The labels after the last one written, from the array sorted by label; true when done. */
static bool snap_labels(struct jw *w, struct snap *sn, size_t budget_end)
{
	const struct label_alloc *la = &sn->ev->vm->table.labels;
	size_t lo = 0, hi = la->n, looked = 0;

	while (sn->label_started && lo < hi) { /* the first label above the last one */
		size_t mid = lo + (hi - lo) / 2;

		if (la->v[mid]->label <= sn->label)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < la->n; lo++) {
		struct ipc_lfib_entry e;
		struct label_rec r;

		sn->label = la->v[lo]->label;
		sn->label_started = true;
		if (vrf_label_lfib_entry(la->v[lo], &e)) {
			vrfapi_label_rec_of(&r, sn->ev, &e, true);
			api_events_snapshot_item(w, sn->ev->ring, EV_LABEL, &r, sizeof(r));
		}
		if (snap_full(w, budget_end) || ++looked >= vrfapi_snap_label_look)
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
	/* the big parts are not walked for a client whose ?type= leaves them out */
	if (sn->phase == SNAP_FIB) {
		if (api_events_snapshot_wants(sn->ev->ring, EV_FIB) && !snap_fib(w, sn, budget_end))
			return false;
		sn->phase = SNAP_LABELS;
	}
	return !api_events_snapshot_wants(sn->ev->ring, EV_LABEL) || snap_labels(w, sn, budget_end);
}

const struct api_events_snapshot vrfapi_snap_ops = { snap_begin, snap_fill, snap_end, NULL };
