/*
 * The link to vrfmgr (common/ipc.h): bgpd connects to <run_dir>/vrfmgr.ipc
 * and retries every second while it is absent. Both ways, after HELLO, the
 * owner of some state replays it between REPLAY_BEGIN and REPLAY_END:
 * vrfmgr replays the local routes to advertise (bgpd then sweeps the ones
 * not refreshed), bgpd replays the best remote path of every destination.
 * When vrfmgr goes away its routes stay advertised until its next replay
 * sweeps them, so a vrfmgr restart does not flap BGP.
 *
 * A vrfmgr slower than BGP would leave bgpd buffering the whole stream (a
 * million routes are ~56 MB of messages, more than a third of the RIB).
 * Past ipc_high_water unsent bytes, a changed destination is only marked
 * (export_pending, which keeps it in the RIB) and queued (8 bytes); once
 * vrfmgr has taken the stream under ipc_low_water, the oldest are sent as
 * they are then, until the stream is full again. Only the last state of a
 * destination is sent, however often it changed meanwhile. The
 * replay on (re)connection is sent whole: vrfmgr sweeps what it lacks at
 * REPLAY_END. Once a large backlog has been sent, the heap is trimmed
 * (malloc_trim): the RIB lives in pools of its own, so the heap then holds
 * only such transient buffers and can give them back.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/ipc.h"
#include "common/log.h"
#include "common/plural.h"

#define RETRY_SECONDS 1
/*
 * How long peers' first End-of-RIB waits for vrfmgr's first replay (bgpd.h,
 * local_pending). vrfmgr replays as soon as bgpd connects, so this only
 * bounds the wait when vrfmgr is not running: a peer then still learns that
 * the table is complete, as far as this bgpd knows.
 */
#define EOR_WAIT_SECONDS 30
#define MAX_RTS 255
#define TRIM_BACKLOG (4u << 20)   /* unsent bytes worth giving back once sent */
#define TRIM_CHECK_US (250 * 1000) /* how often a drained backlog is looked for */
/*
 * While routes wait, the stream is looked at after 5 ms, then at doubling
 * intervals up to 80 ms while vrfmgr is still behind: a slow vrfmgr costs
 * bgpd a dozen wakeups a second, and a fast one (~20 MB/s) never empties
 * the 2 MiB left under the low-water mark between two looks.
 */
#define DRAIN_CHECK_MIN_US (5 * 1000)
#define DRAIN_CHECK_MAX_US (80 * 1000)

struct vrfmgr_link {
	struct bgpd *d;
	struct ipc_conn *c;
	struct event *retry;
	struct event *trim;        /* a large backlog was seen: trim the heap once it is sent */
	struct event *drain;       /* routes wait for the stream to drain */
	struct event *eor_wait;    /* EOR_WAIT_SECONDS after start, while no replay came */
	struct rib_entry **q;      /* destinations marked export_pending, in the order they changed */
	size_t q_head, q_len, q_cap; /* waiting: q[q_head .. q_len - 1] */
	unsigned drain_us;         /* the next look at the stream, from now */
	bool replaying;            /* everything is sent, whatever the backlog */
	bool end_owed;             /* REPLAY_END waits: a restart's deferral, then the queue */
	size_t n_exported;         /* destinations marked exported: vrfmgr holds their best path */
	char path[CFG_PATH_MAX];
	bool warned_absent;
};

static void send_route(struct vrfmgr_link *vl, const struct rib_entry *e, uint16_t type)
{
	struct ext_community rts[MAX_RTS];
	struct ipc_vpn_route r = { 0 };
	const struct rib_path *b = e->best;
	size_t n = 0;

	memcpy(r.rd, e->rd.b, 8);
	r.prefix = e->prefix.addr;
	r.plen = e->prefix.len;
	if (type == IPC_VPN_ROUTE_ADD) {
		const struct bgp_attrs *a = &b->attrs->a;

		for (size_t i = 0; i < a->n_ext && n < MAX_RTS; i++)
			if (extcom_is_rt(&a->ext[i]))
				rts[n++] = a->ext[i];
		r.n_rts = (uint8_t)n;
		r.label = b->label;
		r.next_hop = a->nexthop;
		/*
		 * RFC 9494: a long-lived stale path stays usable but least
		 * preferred. vrfmgr ranks a VRF's candidates from several RDs by
		 * LOCAL_PREF and knows nothing of LLGR_STALE: 0, as the RFC's
		 * partial deployment rules give speakers without LLGR, so a
		 * fresh path under another RD wins there too.
		 */
		r.local_pref = attr_has_community(a, COMM_LLGR_STALE) ? 0 : rib_path_local_pref(b);
		r.med = attr_has(a, ATTR_MED) ? a->med : 0;
		r.peer = b->src->address;
	}
	if (ipc_send2(vl->c, type, &r, sizeof(r), rts, (uint32_t)(n * 8)) < 0)
		log_warnx("vrfmgr: cannot queue %s", ipc_type_name(type));
}

static void trim_arm(struct vrfmgr_link *vl)
{
	struct timeval tv = { 0, TRIM_CHECK_US };

	evtimer_add(vl->trim, &tv);
}

static void trim_cb(evutil_socket_t fd, short what, void *arg)
{
	struct vrfmgr_link *vl = arg;

	(void)fd;
	(void)what;
	if (vl->c && ipc_pending(vl->c) > 0) {
		trim_arm(vl);
		return;
	}
	malloc_trim(0);
}

/* Tells vrfmgr what e holds now: ADD of its best remote path, or DEL. */
static void export_now(struct vrfmgr_link *vl, struct rib_entry *e)
{
	if (!evtimer_pending(vl->trim, NULL) && ipc_pending(vl->c) > TRIM_BACKLOG)
		trim_arm(vl);
	if (e->best && !e->best->src->local) {
		send_route(vl, e, IPC_VPN_ROUTE_ADD);
		vl->n_exported += !e->exported;
		e->exported = true;
	} else if (e->exported) {
		send_route(vl, e, IPC_VPN_ROUTE_DEL);
		vl->n_exported--;
		e->exported = false;
	}
}

static void drain_arm(struct vrfmgr_link *vl)
{
	struct timeval tv = { 0, vl->drain_us };

	if (!evtimer_pending(vl->drain, NULL))
		evtimer_add(vl->drain, &tv);
}

/* Forgets the queue (vrfmgr gone, or every waiting destination sent). */
static void queue_reset(struct vrfmgr_link *vl)
{
	free(vl->q);
	vl->q = NULL;
	vl->q_head = vl->q_len = vl->q_cap = 0;
}

/*
 * Queues e to be sent once vrfmgr catches up. 0, or -ENOMEM (the caller
 * then sends it at once: an unbounded stream rather than a lost route).
 */
static int queue_push(struct vrfmgr_link *vl, struct rib_entry *e)
{
	if (e->export_pending)
		return 0; /* already waiting: it is sent as it is when its turn comes */
	if (vl->q_len == vl->q_cap && vl->q_head > 0) {
		memmove(vl->q, vl->q + vl->q_head, (vl->q_len - vl->q_head) * sizeof(*vl->q));
		vl->q_len -= vl->q_head;
		vl->q_head = 0;
	}
	if (vl->q_len == vl->q_cap) {
		size_t cap = vl->q_cap ? vl->q_cap * 2 : 4096;
		struct rib_entry **q = realloc(vl->q, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		vl->q = q;
		vl->q_cap = cap;
	}
	vl->q[vl->q_len++] = e;
	e->export_pending = true;
	drain_arm(vl);
	return 0;
}

/*
 * REPLAY_END makes vrfmgr sweep every route not sent since REPLAY_BEGIN: it
 * goes only once nothing waits, neither a restart's deferral (the routes
 * are still coming from the peers) nor the queue (they are not sent yet).
 */
static void replay_end_if_owed(struct vrfmgr_link *vl)
{
	if (!vl->end_owed || !vl->c || vl->d->gr_deferring || vl->q_head < vl->q_len)
		return;
	vl->end_owed = false;
	ipc_send(vl->c, IPC_REPLAY_END, NULL, 0);
	/* what vrfmgr holds from us: not the destinations whose best path is its own */
	log_info("vrfmgr: replay of best remote paths done (%zu %s with a remote best path; its "
		 "own %zu %s not sent back)", vl->n_exported,
		 plural(vl->n_exported, "destination", "destinations"), vl->d->local.n_paths,
		 plural(vl->d->local.n_paths, "route", "routes"));
}

void vrfmgr_link_replay_done(struct vrfmgr_link *vl)
{
	replay_end_if_owed(vl);
}

/*
 * Waiting destinations are cold by the time they are sent (a withdraw-all
 * queues most of a million, and rib_entry_done's bucket load and chain walk
 * were a third of bgpd's CPU for it): ahead of the send loop, fetch the
 * entry 16 places on (both its lines), then, once it has arrived, the bucket
 * and best path of the entry 8 on, and the chain head of the entry 4 on.
 * Always inlined: as a call GCC found it free of side effects and dropped it.
 */
#define DRAIN_PREFETCH 16

static inline __attribute__((always_inline)) void drain_prefetch(const struct vrfmgr_link *vl, size_t i)
{
	const struct rib *rib = vl->d->rib;
	const struct rib_entry *e;

	if (i + DRAIN_PREFETCH < vl->q_len) {
		e = vl->q[i + DRAIN_PREFETCH];
		__builtin_prefetch(e);
		__builtin_prefetch((const char *)e + 64);
	}
	if (i + DRAIN_PREFETCH / 2 < vl->q_len && rib->n_buckets) {
		e = vl->q[i + DRAIN_PREFETCH / 2];
		__builtin_prefetch(&rib->buckets[e->hash & (rib->n_buckets - 1)]);
		if (e->best)
			__builtin_prefetch(e->best);
	}
	if (i + DRAIN_PREFETCH / 4 < vl->q_len && rib->n_buckets) {
		e = vl->q[i + DRAIN_PREFETCH / 4];
		__builtin_prefetch(rib->buckets[e->hash & (rib->n_buckets - 1)]);
	}
}

/*
 * The stream drained under the low-water mark: send waiting destinations,
 * oldest first (vrfmgr gets them in the order BGP changed them, which keeps
 * its own work and fwd's in RD and prefix order), until it is full again.
 */
static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct vrfmgr_link *vl = arg;

	(void)fd;
	(void)what;
	if (!vl->c || vl->q_head == vl->q_len)
		return;
	if (ipc_pending(vl->c) > vl->d->ipc_low_water) {
		vl->drain_us = vl->drain_us * 2 > DRAIN_CHECK_MAX_US ? DRAIN_CHECK_MAX_US
								   : vl->drain_us * 2;
		drain_arm(vl);
		return;
	}
	vl->drain_us = DRAIN_CHECK_MIN_US;
	while (vl->q_head < vl->q_len && ipc_pending(vl->c) <= vl->d->ipc_high_water) {
		struct rib_entry *e;

		drain_prefetch(vl, vl->q_head);
		e = vl->q[vl->q_head++];
		e->export_pending = false;
		export_now(vl, e);
		rib_entry_done(vl->d->rib, e);
	}
	if (vl->q_head == vl->q_len) {
		queue_reset(vl);
		replay_end_if_owed(vl);
	} else {
		drain_arm(vl);
	}
}

void vrfmgr_link_entry(struct vrfmgr_link *vl, struct rib_entry *e)
{
	if (!vl->c)
		return;
	if (!vl->replaying &&
	    (vl->q_head < vl->q_len || ipc_pending(vl->c) > vl->d->ipc_high_water) &&
	    queue_push(vl, e) == 0)
		return;
	export_now(vl, e);
}

static void replay_entry(struct rib_entry *e, void *arg)
{
	vrfmgr_link_entry(arg, e);
}

/* vrfmgr is gone: nothing is exported to it, nothing waits for it. */
static void forget_entry(struct rib_entry *e, void *arg)
{
	struct vrfmgr_link *vl = arg;

	e->exported = false;
	e->export_pending = false;
	rib_entry_done(vl->d->rib, e);
}

static void on_route(struct vrfmgr_link *vl, uint16_t type, const struct ipc_vpn_route *r)
{
	const struct ext_community *rts = (const struct ext_community *)(r + 1);
	struct prefix4 pfx = { r->prefix, r->plen };
	struct rd rd;
	char buf[PREFIX4_STRLEN];

	if (r->plen > 32) {
		log_warnx("vrfmgr: route with prefix length %u ignored", r->plen);
		return;
	}
	prefix4_normalize(&pfx);
	memcpy(rd.b, r->rd, 8);
	if (type == IPC_VPN_ROUTE_ADD) {
		if (bgpd_local_add(vl->d, &rd, &pfx, r->label, rts, r->n_rts, r->next_hop,
				   r->local_pref, r->med) < 0)
			log_warnx("vrfmgr: cannot add local route %s", prefix4_format(&pfx, buf));
	} else {
		bgpd_local_del(vl->d, &rd, &pfx);
	}
}

/* The flush after this sends the routes, then the End-of-RIB peers are owed. */
static void local_ready(struct vrfmgr_link *vl)
{
	vl->d->local_pending = false;
	evtimer_del(vl->eor_wait);
}

static void eor_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct vrfmgr_link *vl = arg;

	(void)fd;
	(void)what;
	log_warnx("vrfmgr: no routes from it within %d s of start; peers get End-of-RIB without them",
		  EOR_WAIT_SECONDS);
	local_ready(vl);
	bgpd_schedule_flush(vl->d);
}

static void on_msg(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len, void *arg)
{
	struct vrfmgr_link *vl = arg;
	const struct ipc_hello *h = payload;
	size_t n;

	(void)c;
	(void)len;
	switch (type) {
	case IPC_HELLO:
		log_info("vrfmgr: hello from %.*s (version %u)", IPC_NAME_MAX, h->name, h->version);
		break;
	case IPC_REPLAY_BEGIN:
		rib_source_mark_stale(&vl->d->local);
		break;
	case IPC_REPLAY_END:
		n = rib_source_sweep(vl->d->rib, &vl->d->local);
		log_info("vrfmgr: replay done, %zu local %s, %zu swept", vl->d->local.n_paths,
			 plural(vl->d->local.n_paths, "route", "routes"), n);
		local_ready(vl);
		bgpd_schedule_flush(vl->d);
		break;
	case IPC_VPN_ROUTE_ADD:
	case IPC_VPN_ROUTE_DEL:
		on_route(vl, type, payload);
		break;
	case IPC_RT_IMPORTS: /* ipc_payload_ok checked the count against the length */
		if (((const struct ipc_rt_imports *)payload)->flags & IPC_RT_IMPORTS_ALL)
			rtc_local_set_all(vl->d);
		else
			rtc_local_set(vl->d,
				      (const struct ext_community *)((const uint8_t *)payload +
								     sizeof(struct ipc_rt_imports)),
				      ((const struct ipc_rt_imports *)payload)->n_rts);
		break;
	default:
		log_debug("vrfmgr: %s ignored", ipc_type_name(type));
	}
}

static void link_retry_arm(struct vrfmgr_link *vl)
{
	session_timer_set(vl->retry, RETRY_SECONDS);
}

static void on_close(struct ipc_conn *c, void *arg)
{
	struct vrfmgr_link *vl = arg;

	log_warnx("vrfmgr: connection lost; keeping its %zu %s until it replays",
		  vl->d->local.n_paths, plural(vl->d->local.n_paths, "route", "routes"));
	ipc_conn_free(c);
	vl->c = NULL;
	vl->end_owed = false;
	queue_reset(vl);
	rib_walk_safe(vl->d->rib, forget_entry, vl);
	vl->n_exported = 0;
	link_retry_arm(vl);
}

static void link_connect(evutil_socket_t fd_unused, short what, void *arg)
{
	struct vrfmgr_link *vl = arg;
	int fd;

	(void)fd_unused;
	(void)what;
	fd = ipc_connect_unix(vl->path);
	if (fd < 0) {
		if (!vl->warned_absent)
			log_info("vrfmgr: %s not there yet, retrying every second", vl->path);
		vl->warned_absent = true;
		link_retry_arm(vl);
		return;
	}
	vl->c = ipc_conn_new(vl->d->base, fd, on_msg, on_close, vl);
	if (!vl->c) {
		link_retry_arm(vl);
		return;
	}
	vl->warned_absent = false;
	log_info("vrfmgr: connected, replaying best remote paths%s",
		 vl->d->gr_deferring ? " (open until the neighbors' End-of-RIBs: graceful restart)" : "");
	ipc_send_hello(vl->c, IPC_ROLE_BGPD, vl->d->cfg->name);
	ipc_send(vl->c, IPC_REPLAY_BEGIN, NULL, 0);
	vl->replaying = true;
	rib_walk(vl->d->rib, replay_entry, vl);
	vl->replaying = false;
	vl->end_owed = true;
	replay_end_if_owed(vl);
}

struct vrfmgr_link *vrfmgr_link_new(struct bgpd *d)
{
	struct vrfmgr_link *vl = calloc(1, sizeof(*vl));

	if (!vl)
		return NULL;
	vl->d = d;
	vl->drain_us = DRAIN_CHECK_MIN_US;
	vl->retry = evtimer_new(d->base, link_connect, vl);
	vl->trim = evtimer_new(d->base, trim_cb, vl);
	vl->drain = evtimer_new(d->base, drain_cb, vl);
	vl->eor_wait = evtimer_new(d->base, eor_wait_cb, vl);
	if (!vl->retry || !vl->trim || !vl->drain || !vl->eor_wait ||
	    config_sock_path(d->cfg, FERRY_SOCK_VRFMGR_IPC, vl->path) < 0) {
		vrfmgr_link_free(vl);
		return NULL;
	}
	d->local_pending = true;
	session_timer_set(vl->eor_wait, EOR_WAIT_SECONDS);
	event_active(vl->retry, 0, 0);
	return vl;
}

void vrfmgr_link_free(struct vrfmgr_link *vl)
{
	if (!vl)
		return;
	if (vl->c)
		ipc_conn_free(vl->c);
	if (vl->retry)
		event_free(vl->retry);
	if (vl->trim)
		event_free(vl->trim);
	if (vl->drain)
		event_free(vl->drain);
	if (vl->eor_wait)
		event_free(vl->eor_wait);
	free(vl->q);
	free(vl);
}
