/*
 * bgpd's GET /events (docs/api.md): route and session changes over SSE,
 * through common/api_events.c's ring.
 *
 * Route events come from the one place every best-path change already
 * passes: the flush of the RIB's changed queue (bgpd.c calls
 * bgpd_events_route), which also holds the destinations that only gained
 * or lost a path behind their best (paths_only, rib.h: their `paths`
 * changed, so a mirror's count stays right; peers and vrfmgr are not told
 * of them), so an event is one memcpy of the new best path (and
 * a reference on its interned attributes, for its route targets, let go
 * when the ring overwrites the record), and the JSON is made only if a
 * client reads it. Session events come from a
 * watcher that compares each neighbor's state four times a second: the FSM
 * stays free of API hooks, and a flap shorter than that is seen as its
 * outcome (state and last error), which is what a monitoring client needs.
 *
 * The snapshot (a resync, or ?snapshot=1) is the same records made from
 * the current state: one session event per neighbor (from = to = its
 * state), then one route event per destination with a best path, walked
 * with /routes' cursor (api_rib.c), which stays valid however the RIB
 * changes between two chunks.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <event2/buffer.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/api_events.h"
#include "common/label.h"

#define SESSION_POLL_MS 250

enum { EV_ROUTE = 0, EV_SESSION };
static const char *const event_names[] = { "route", "session", NULL };

struct route_rec {
	struct rd rd;
	uint32_t addr;
	uint8_t len;
	uint8_t has_best;
	uint8_t local;
	uint8_t pad;
	uint32_t label;
	uint32_t next_hop;
	uint32_t peer;
	uint32_t local_pref;
	uint32_t n_paths;
	/*
	 * An update: the best path's interned attributes, for its route
	 * targets. In the ring a reference is held until the record is
	 * overwritten (drop_rec); a snapshot item, written at once, borrows it.
	 */
	struct attr_set *attrs;
};

struct session_rec {
	uint32_t addr;
	uint8_t from, to;
};

/* A record past API_EVENT_DATA would be cut short in the ring, silently. */
_Static_assert(sizeof(struct route_rec) <= API_EVENT_DATA, "route_rec too big for an event");
_Static_assert(sizeof(struct session_rec) <= API_EVENT_DATA, "session_rec too big for an event");

struct bgpd_events {
	struct bgpd *d;
	struct api_events *ring;
	struct event *poll_ev;
	uint8_t *state; /* last seen state per peer */
	struct api_events_snapshot snap;
};

static void route_fmt(struct jw *w, const struct route_rec *r)
{
	char b[RD_STRLEN];
	struct prefix4 p = { r->addr, r->len };

	jw_kv_string(w, "action", r->has_best ? "update" : "withdraw");
	jw_kv_string(w, "rd", rd_format(&r->rd, b));
	jw_kv_string(w, "prefix", prefix4_format(&p, b));
	if (!r->has_best)
		return;
	jw_key(w, "label");
	if (r->label == MPLS_LABEL_NONE)
		jw_null(w);
	else
		jw_uint(w, r->label);
	jw_kv_ipv4(w, "next_hop", r->next_hop);
	if (r->local)
		jw_kv_string(w, "peer", "local");
	else
		jw_kv_ipv4(w, "peer", r->peer);
	jw_kv_uint(w, "local_pref", r->local_pref);
	jw_kv_uint(w, "paths", r->n_paths);
	jw_key(w, "route_targets"); /* as /routes has them */
	jw_array_begin(w);
	for (size_t i = 0; r->attrs != NULL && i < r->attrs->a.n_ext; i++)
		if (extcom_is_rt(&r->attrs->a.ext[i]))
			api_extcom(w, &r->attrs->a.ext[i]);
	jw_array_end(w);
}

static void event_fmt(struct jw *w, const struct api_event *e, void *ctx)
{
	struct bgpd_events *be = ctx;

	if (e->type == EV_ROUTE) {
		struct route_rec r;

		memcpy(&r, e->data, sizeof(r));
		route_fmt(w, &r);
	} else if (e->type == EV_SESSION) {
		struct session_rec s;
		struct bgp_peer *p;

		memcpy(&s, e->data, sizeof(s));
		jw_kv_ipv4(w, "neighbor", s.addr);
		jw_kv_string(w, "from", fsm_state_name(s.from));
		jw_kv_string(w, "to", fsm_state_name(s.to));
		p = bgpd_peer_by_addr(be->d, s.addr);
		jw_kv_string(w, "last_error", p != NULL && p->last_error[0] ? p->last_error : NULL);
	}
}

static void route_rec_of(const struct rib_entry *e, struct route_rec *out)
{
	const struct rib_path *b = e->best;
	struct route_rec r;

	memset(&r, 0, sizeof(r));
	r.rd = e->rd;
	r.addr = e->prefix.addr;
	r.len = e->prefix.len;
	if (b != NULL) {
		r.has_best = 1;
		r.local = b->src->local;
		r.label = b->label;
		r.next_hop = b->attrs->a.nexthop;
		r.peer = b->src->address;
		r.local_pref = rib_path_local_pref(b);
		r.attrs = b->attrs;
		for (const struct rib_path *p = e->paths; p != NULL; p = p->next)
			r.n_paths++;
	}
	*out = r;
}

void bgpd_events_route(struct bgpd *d, const struct rib_entry *e)
{
	struct route_rec r;

	if (d->events == NULL)
		return;
	route_rec_of(e, &r);
	if (r.attrs != NULL)
		r.attrs = attr_ref(r.attrs); /* the ring's own, until drop_rec */
	api_events_publish(d->events->ring, EV_ROUTE, &r, sizeof(r));
}

/* The ring overwrites (or frees) a record: a route update lets its attributes go. */
static void drop_rec(const struct api_event *e, void *ctx)
{
	struct route_rec r;

	(void)ctx;
	if (e->type != EV_ROUTE)
		return;
	memcpy(&r, e->data, sizeof(r));
	if (r.attrs != NULL)
		attr_unref(r.attrs);
}

/* ---- the snapshot ---- */

struct snap {
	struct bgpd_events *be;
	size_t peer;          /* next neighbor to write */
	struct rib_cursor cur; /* the last destination written */
	bool started;
	struct jw *w;
	size_t budget_end;
};

static void *snap_begin(void *ctx)
{
	struct snap *sn = calloc(1, sizeof(*sn));

	if (sn != NULL)
		sn->be = ctx;
	return sn;
}

static int snap_route(struct rib_entry *e, void *arg)
{
	struct snap *sn = arg;
	struct route_rec r;

	if (e->best == NULL)
		return 0; /* withdrawn, not yet flushed: its event is on the way */
	route_rec_of(e, &r);
	api_events_snapshot_item(sn->w, sn->be->ring, EV_ROUTE, &r, sizeof(r));
	return evbuffer_get_length(sn->w->out) + sn->w->staged >= sn->budget_end;
}

static bool snap_fill(struct jw *w, void *cursor, size_t budget_end)
{
	struct snap *sn = cursor;
	struct bgpd *d = sn->be->d;

	for (; sn->peer < d->peer_slots; sn->peer++) {
		struct session_rec s;

		if (!d->peers[sn->peer].cfg)
			continue;
		memset(&s, 0, sizeof(s));
		s.addr = d->peers[sn->peer].cfg->address;
		s.from = s.to = (uint8_t)peer_state(&d->peers[sn->peer]);
		api_events_snapshot_item(w, sn->be->ring, EV_SESSION, &s, sizeof(s));
	}
	if (!api_events_snapshot_wants(sn->be->ring, EV_ROUTE))
		return true; /* ?type=session: the RIB is not walked for nothing */
	sn->w = w;
	sn->budget_end = budget_end;
	return bgpd_rib_walk(d->rib, &sn->cur, &sn->started, snap_route, sn);
}

static const struct api_events_snapshot snap_ops = { snap_begin, snap_fill, free, NULL };

/* A free slot reads Idle: a neighbor a reload puts there starts from it. */
static void sessions_publish(struct bgpd_events *be)
{
	struct bgpd *d = be->d;

	for (size_t i = 0; i < d->peer_slots; i++) {
		uint8_t now = d->peers[i].cfg ? (uint8_t)peer_state(&d->peers[i]) : FSM_IDLE;
		struct session_rec s;

		if (now == be->state[i])
			continue;
		if (!d->peers[i].cfg) {
			be->state[i] = now;
			continue;
		}
		memset(&s, 0, sizeof(s));
		s.addr = d->peers[i].cfg->address;
		s.from = be->state[i];
		s.to = now;
		be->state[i] = now;
		api_events_publish(be->ring, EV_SESSION, &s, sizeof(s));
	}
}

static void session_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sessions_publish(arg);
}

void bgpd_events_sessions(struct bgpd *d)
{
	if (d->events != NULL)
		sessions_publish(d->events);
}

static void events_free_cb(void *arg)
{
	bgpd_events_free(arg);
}

int bgpd_events_start(struct bgpd *d)
{
	struct timeval tv = { 0, SESSION_POLL_MS * 1000 };
	struct bgpd_events *be = calloc(1, sizeof(*be));

	if (be == NULL)
		return -1;
	be->d = d;
	be->state = calloc(d->peer_slots + 1, 1);
	be->ring = api_events_new(d->base, API_EVENTS_RING, event_names, event_fmt, be);
	be->poll_ev = event_new(d->base, -1, EV_PERSIST, session_poll, be);
	if (be->state == NULL || be->ring == NULL || be->poll_ev == NULL ||
	    event_add(be->poll_ev, &tv) < 0) {
		d->events = be;
		bgpd_events_free(d);
		return -1;
	}
	for (size_t i = 0; i < d->peer_slots; i++)
		be->state[i] = d->peers[i].cfg ? (uint8_t)peer_state(&d->peers[i]) : FSM_IDLE;
	be->snap = snap_ops;
	be->snap.ctx = be;
	api_events_set_snapshot(be->ring, &be->snap);
	api_events_set_drop(be->ring, drop_rec);
	d->events = be;
	if (d->api != NULL)
		api_server_on_free(d->api, events_free_cb, d);
	return 0;
}

void bgpd_events_free(struct bgpd *d)
{
	struct bgpd_events *be = d->events;

	if (be == NULL)
		return;
	d->events = NULL;
	if (be->poll_ev != NULL)
		event_free(be->poll_ev);
	api_events_free(be->ring);
	free(be->state);
	free(be);
}

int bgpd_api_events(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;

	if (d->events == NULL)
		return api_error(w, 503, "events are not available");
	return api_events_serve(d->events->ring, w, req);
}

uint64_t bgpd_events_last(const struct bgpd *d)
{
	return d->events != NULL ? api_events_last(d->events->ring) : 0;
}

size_t bgpd_events_clients(const struct bgpd *d)
{
	return d->events != NULL ? api_events_clients(d->events->ring) : 0;
}
