/*
 * bgpd_link: vrfmgr's side of the bgpd connection. Towards bgpd it replays
 * the exported VPN routes after each HELLO; from bgpd it takes the best
 * paths of the VPN routes learned from peers and hands them to import.c.
 * When bgpd goes away its routes stay (fwd keeps forwarding along them):
 * they are only swept by the REPLAY_END of bgpd's next replay. Logging is
 * one line per replay and at most one per second of incremental changes.
 *
 * Route ADDs and DELs go through a short window (struct ahead) before they
 * are applied, in order: at a million routes each one's lookups (VPN table
 * slot, entry, then each VRF's bucket, chain, candidate) are cache misses
 * in a row, and the window lets the fetches for the next ones overlap.
 */
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "common/plural.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

/*
 * The window: AHEAD_N messages, the oldest applied when a new one comes in.
 * Each message gets its hints in stages as it moves along: the VPN slot when
 * it arrives, its entry 4 messages later, then (8, 12 and 14 later) the
 * bucket, chain head and candidate in each of the first AHEAD_VRFS VRFs it
 * is placed in (withdraw) or its RTs import it into (add). A stage reads
 * only what the one before fetched and looks it up again (the table may
 * have changed in between), but for the VRFs' slots in the VRF array,
 * kept from the bucket stage: a stale one is checked against the array's
 * size and only gives a useless hint. A hint is never trusted, only fetched.
 * What is waiting is applied before any other message from bgpd, before
 * its connection goes or is replaced, and at the end of the event-loop turn
 * that read it (an event made active), so nothing waits for more input.
 * One bgpd link per process, so the window is static.
 */
#define AHEAD_N 16
#define AHEAD_VRFS 2

struct ahead_msg {
	uint16_t type;    /* IPC_VPN_ROUTE_ADD or _DEL */
	bool hinted;      /* the key is valid (plen <= 32): hints may be given */
	struct rd rd;
	struct prefix4 p; /* normalized */
	uint64_t h;       /* vpn_key_hash(rd, p) */
	uint32_t vrf_slot[AHEAD_VRFS]; /* where the later stages look (n_vrfs of them) */
	uint8_t n_vrfs;
	struct ipc_vpn_route r;
	struct ext_community rts[UINT8_MAX];
};

static struct {
	struct vrfmgr *vm;
	struct event *ev; /* applies what waits, at the end of the turn */
	uint64_t head, tail; /* messages head..tail-1 wait, in m[i % AHEAD_N] */
	struct ahead_msg m[AHEAD_N];
} ahead;

static const uint64_t ahead_stage_at[] = { 0, 4, 8, 12, 14 };

/* The VRFs (slots) holding a withdrawn route, or importing an added one: the first few. */
static void find_vrfs(struct vrf_table *t, struct ahead_msg *m)
{
	const uint32_t *slots;
	size_t i, j, n;

	m->n_vrfs = 0;
	if (!t->rtix.ready)
		return;
	if (m->type == IPC_VPN_ROUTE_DEL) {
		const struct vpn_route *vr = vpn_find_hashed(&t->vpn, &m->rd, &m->p, m->h);
		const uint16_t *ids = vr != NULL ? vpn_placed(vr, &n) : NULL;

		for (i = 0; ids != NULL && i < n && m->n_vrfs < AHEAD_VRFS; i++) {
			long slot = rt_index_slot(&t->rtix, ids[i]);

			if (slot >= 0)
				m->vrf_slot[m->n_vrfs++] = (uint32_t)slot;
		}
		return;
	}
	for (i = 0; i < m->r.n_rts && m->n_vrfs < AHEAD_VRFS; i++) {
		slots = rt_index_vrfs(&t->rtix, &m->rts[i], &n);
		for (j = 0; j < n && m->n_vrfs < AHEAD_VRFS; j++)
			m->vrf_slot[m->n_vrfs++] = slots[j];
	}
}

/* Hints in each of those VRFs' tables (level: see rtable_prefetch). */
static void hint_vrfs(struct vrf_table *t, struct ahead_msg *m, int level)
{
	if (level == 0)
		find_vrfs(t, m);
	for (size_t i = 0; i < m->n_vrfs; i++)
		if (m->vrf_slot[i] < t->n_vrfs)
			rtable_prefetch(&t->vrfs[m->vrf_slot[i]].routes, &m->p, level);
}

/* The stage of each waiting message for newest message n (later stages for older ones). */
static void ahead_hint(uint64_t n)
{
	struct vrf_table *t = &ahead.vm->table;
	size_t s;

	for (s = 0; s < sizeof(ahead_stage_at) / sizeof(ahead_stage_at[0]); s++) {
		struct ahead_msg *m;

		if (n < ahead_stage_at[s] || n - ahead_stage_at[s] < ahead.head ||
		    n - ahead_stage_at[s] >= ahead.tail)
			continue;
		m = &ahead.m[(n - ahead_stage_at[s]) % AHEAD_N];
		if (!m->hinted)
			continue;
		if (s < 2)
			vpn_prefetch(&t->vpn, m->h, (int)s);
		else
			hint_vrfs(t, m, (int)s - 2);
	}
}

static void on_route_add(struct vrfmgr *vm, const struct ipc_vpn_route *r,
			 const struct ext_community *rts);
static void on_route_del(struct vrfmgr *vm, const struct ipc_vpn_route *r);

static void ahead_apply_oldest(void)
{
	struct ahead_msg *m = &ahead.m[ahead.head++ % AHEAD_N];

	if (m->type == IPC_VPN_ROUTE_ADD)
		on_route_add(ahead.vm, &m->r, m->rts);
	else
		on_route_del(ahead.vm, &m->r);
}

/* Applies everything waiting, in order, the hints going on for the rest. */
static void ahead_flush(void)
{
	uint64_t n = ahead.tail;

	while (ahead.head < ahead.tail) {
		ahead_hint(n++);
		ahead_apply_oldest();
	}
}

static void ahead_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	ahead_flush();
}

/* Takes an ADD or DEL (p: ipc_payload_ok checked n_rts RTs follow the struct). */
static void ahead_push(uint16_t type, const void *p)
{
	struct ahead_msg *m = &ahead.m[ahead.tail % AHEAD_N];

	m->type = type;
	memcpy(&m->r, p, sizeof(m->r));
	/* The tail need not be aligned for the struct's sake; RTs are bytes anyway. */
	if (type == IPC_VPN_ROUTE_ADD)
		memcpy(m->rts, (const uint8_t *)p + sizeof(m->r), (size_t)m->r.n_rts * sizeof(m->rts[0]));
	else
		m->r.n_rts = 0;
	m->hinted = m->r.plen <= 32;
	m->n_vrfs = 0;
	if (m->hinted) {
		memcpy(m->rd.b, m->r.rd, sizeof(m->rd.b));
		m->p = (struct prefix4){ .addr = m->r.prefix, .len = m->r.plen };
		prefix4_normalize(&m->p);
		m->h = vpn_key_hash(&m->rd, &m->p);
	}
	if (ahead.head == ahead.tail)
		event_active(ahead.ev, EV_TIMEOUT, 0);
	ahead.tail++;
	ahead_hint(ahead.tail - 1);
	if (ahead.tail - ahead.head == AHEAD_N)
		ahead_apply_oldest();
}

static void counters_reset(struct bgpd_link *bl)
{
	bl->received = bl->placed = bl->withdrawn = bl->ignored = 0;
}

static void bgpd_flush(evutil_socket_t fd, short what, void *arg)
{
	struct bgpd_link *bl = arg;

	(void)fd;
	(void)what;
	bl->flush_armed = false;
	if (bl->received == 0 && bl->withdrawn == 0)
		return;
	log_info("bgpd: %zu %s updated (%zu %s, %zu ignored), %zu withdrawn", bl->received,
		 plural(bl->received, "VPN route", "VPN routes"), bl->placed,
		 plural(bl->placed, "VRF placement", "VRF placements"), bl->ignored, bl->withdrawn);
	counters_reset(bl);
}

static void export_send(const struct ipc_vpn_route *r, const struct ext_community *rts, void *arg)
{
	hub_send2(arg, IPC_VPN_ROUTE_ADD, r, sizeof(*r), rts, (uint32_t)r->n_rts * sizeof(*rts));
}

/* The export sink: changes after the replay go to the connected bgpd, if any. */
static void sink_add(void *ctx, const struct ipc_vpn_route *r, const struct ext_community *rts)
{
	struct bgpd_link *bl = ctx;

	if (bl->conn != NULL && !bl->conn->dead) {
		export_send(r, rts, bl->conn);
		bl->exported++;
	}
}

static void sink_del(void *ctx, const struct ipc_vpn_route *r)
{
	struct bgpd_link *bl = ctx;
	struct ipc_vpn_route d = *r;

	d.n_rts = 0;
	if (bl->conn != NULL && !bl->conn->dead && hub_send(bl->conn, IPC_VPN_ROUTE_DEL, &d,
							       sizeof(d)) == 0)
		bl->exported++;
}

static const struct export_ops bgpd_export_ops = { .add = sink_add, .del = sink_del };

/* How long bgpd's routes outlive it: as long as its peers keep ours (its restart time). */
static unsigned gone_seconds(const struct vrfmgr *vm)
{
	return vm->cfg->bgp.gr_restart_time ? vm->cfg->bgp.gr_restart_time : 120;
}

/*
 * bgpd went away and did not come back within its restart time: no peer
 * keeps forwarding toward us on its routes any longer (docs/bgp.md,
 * "Graceful restart"), and a bgpd that stays stopped must not leave its
 * routes in the VRFs for ever. They go as a replay without them would.
 */
static void bgpd_gone_cb(evutil_socket_t fd, short what, void *arg)
{
	struct vrfmgr *vm = arg;
	size_t n, swept;

	(void)fd;
	(void)what;
	if (vm->bgp.conn != NULL)
		return;
	n = import_mark_stale(&vm->table);
	swept = import_sweep(&vm->table);
	if (swept > 0)
		import_retry_limits(&vm->table);
	vm->bgp.in_replay = false;
	log_warnx("bgpd not back within %u s (bgp.graceful_restart.restart_time): its %zu %s "
		  "dropped (%zu %s)", gone_seconds(vm), n,
		  plural(n, "imported route", "imported routes"), swept,
		  plural(swept, "VRF placement", "VRF placements"));
}

int bgpd_link_init(struct vrfmgr *vm)
{
	struct export_sink sink = { &bgpd_export_ops, &vm->bgp };

	memset(&vm->bgp, 0, sizeof(vm->bgp));
	vm->bgp.gone_ev = evtimer_new(vm->base, bgpd_gone_cb, vm);
	if (vm->bgp.gone_ev == NULL)
		return -1;
	vm->bgp.flush_ev = evtimer_new(vm->base, bgpd_flush, &vm->bgp);
	ahead.vm = vm;
	ahead.head = ahead.tail = 0;
	ahead.ev = event_new(vm->base, -1, 0, ahead_cb, NULL);
	vrf_table_set_export(&vm->table, &sink);
	return vm->bgp.flush_ev != NULL && ahead.ev != NULL ? 0 : -1;
}

void bgpd_link_free(struct vrfmgr *vm)
{
	if (ahead.vm == vm) {
		ahead_flush();
		if (ahead.ev != NULL)
			event_free(ahead.ev);
		ahead.ev = NULL;
		ahead.vm = NULL;
	}
	if (vm->bgp.flush_ev != NULL)
		event_free(vm->bgp.flush_ev);
	vm->bgp.flush_ev = NULL;
	if (vm->bgp.gone_ev != NULL)
		event_free(vm->bgp.gone_ev);
	vm->bgp.gone_ev = NULL;
	bgpd_link_imports_free(vm);
}

void bgpd_link_hello(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	size_t n;

	ahead_flush(); /* the routes the connection replaced here sent */
	if (vm->bgp.conn != NULL && vm->bgp.conn != c)
		hub_conn_drop(vm->bgp.conn, "replaced by a new bgpd connection");
	vm->bgp.conn = c;
	vm->bgp.in_replay = false;
	evtimer_del(vm->bgp.gone_ev);
	if (hub_send(c, IPC_REPLAY_BEGIN, NULL, 0) < 0)
		return;
	n = export_walk(&vm->table, export_send, c);
	bgpd_link_imports(vm, true);
	if (hub_send(c, IPC_REPLAY_END, NULL, 0) < 0)
		return;
	log_info("bgpd %s: exported %zu %s", c->name, n, plural(n, "VPN route", "VPN routes"));
}

static void arm_flush(struct bgpd_link *bl)
{
	struct timeval one = { 1, 0 };

	if (bl->in_replay || bl->flush_armed)
		return;
	bl->flush_armed = true;
	evtimer_add(bl->flush_ev, &one);
}

static void on_replay_begin(struct vrfmgr *vm)
{
	struct bgpd_link *bl = &vm->bgp;
	size_t stale;

	/* Log what was pending so far, then count the replay on its own. */
	if (bl->flush_armed) {
		evtimer_del(bl->flush_ev);
		bgpd_flush(-1, 0, bl);
	}
	counters_reset(bl);
	stale = import_mark_stale(&vm->table);
	bl->in_replay = true;
	log_debug("bgpd replay begins; %zu %s to refresh", stale,
		  plural(stale, "imported route", "imported routes"));
}

static void on_replay_end(struct vrfmgr *vm)
{
	struct bgpd_link *bl = &vm->bgp;
	size_t swept;

	if (!bl->in_replay) {
		log_warnx("bgpd sent REPLAY_END without REPLAY_BEGIN; nothing swept");
		return;
	}
	swept = import_sweep(&vm->table);
	if (swept > 0)
		import_retry_limits(&vm->table);
	bl->in_replay = false;
	bl->replays++;
	log_info("bgpd replay: %zu %s (%zu ignored), %zu %s, %zu withdrawn, %zu stale swept",
		 bl->received, plural(bl->received, "VPN route", "VPN routes"), bl->ignored,
		 bl->placed, plural(bl->placed, "VRF placement", "VRF placements"), bl->withdrawn,
		 swept);
	counters_reset(bl);
	fwd_sync_converged(vm, "bgpd replayed");
}

static void on_route_add(struct vrfmgr *vm, const struct ipc_vpn_route *r,
			 const struct ext_community *rts)
{
	int n = import_vpn_add(&vm->table, r, rts);

	vm->bgp.received++;
	if (n < 0)
		vm->bgp.ignored++;
	else
		vm->bgp.placed += (size_t)n;
	arm_flush(&vm->bgp);
}

static void on_route_del(struct vrfmgr *vm, const struct ipc_vpn_route *r)
{
	struct prefix4 p = { .addr = r->prefix, .len = r->plen };
	struct rd rd;

	memcpy(rd.b, r->rd, sizeof(rd.b));
	import_vpn_del(&vm->table, &rd, &p);
	import_retry_limits(&vm->table);
	vm->bgp.withdrawn++;
	arm_flush(&vm->bgp);
}

void bgpd_link_msg(struct vrfmgr *vm, struct vrfmgr_conn *c, uint16_t type, const void *p,
		   uint32_t len)
{
	(void)len;
	if (c != vm->bgp.conn)
		return; /* a replaced connection's last words */
	if (type == IPC_VPN_ROUTE_ADD || type == IPC_VPN_ROUTE_DEL) {
		ahead_push(type, p);
		return;
	}
	ahead_flush(); /* in order: what waits comes before this */
	switch (type) {
	case IPC_REPLAY_BEGIN:
		on_replay_begin(vm);
		break;
	case IPC_REPLAY_END:
		on_replay_end(vm);
		break;
	default:
		log_warnx("bgpd sent %s, which it never should", ipc_type_name(type));
		hub_conn_drop(c, "unexpected message");
	}
}

void bgpd_link_closed(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	struct timeval gone = { 0, 0 };
	size_t n;

	if (vm->bgp.conn != c)
		return;
	ahead_flush(); /* what it sent before it went still counts */
	vm->bgp.conn = NULL;
	n = vm->table.vpn.count; /* its routes, as the "not back" line counts them */
	gone.tv_sec = gone_seconds(vm);
	evtimer_add(vm->bgp.gone_ev, &gone);
	log_info("bgpd gone; keeping its %zu imported %s until its next replay, at most %ld s", n,
		 plural(n, "route", "routes"), (long)gone.tv_sec);
}
