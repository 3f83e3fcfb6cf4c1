/*
 * bgpd_link: vrfmgr's side of the bgpd connection. Towards bgpd it replays
 * the exported VPN routes after each HELLO; from bgpd it takes the best
 * paths of the VPN routes learned from peers and hands them to import.c.
 * When bgpd goes away its routes stay (fwd keeps forwarding along them):
 * they are only swept by the REPLAY_END of bgpd's next replay. Logging is
 * one line per replay and at most one per second of incremental changes.
 */
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

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
	log_info("bgpd: %zu VPN routes updated (%zu VRF placements, %zu ignored), %zu withdrawn",
		 bl->received, bl->placed, bl->ignored, bl->withdrawn);
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

int bgpd_link_init(struct vrfmgr *vm)
{
	struct export_sink sink = { &bgpd_export_ops, &vm->bgp };

	memset(&vm->bgp, 0, sizeof(vm->bgp));
	vm->bgp.flush_ev = evtimer_new(vm->base, bgpd_flush, &vm->bgp);
	vrf_table_set_export(&vm->table, &sink);
	return vm->bgp.flush_ev != NULL ? 0 : -1;
}

void bgpd_link_free(struct vrfmgr *vm)
{
	if (vm->bgp.flush_ev != NULL)
		event_free(vm->bgp.flush_ev);
	vm->bgp.flush_ev = NULL;
}

void bgpd_link_hello(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	size_t n;

	if (vm->bgp.conn != NULL && vm->bgp.conn != c)
		hub_conn_drop(vm->bgp.conn, "replaced by a new bgpd connection");
	vm->bgp.conn = c;
	vm->bgp.in_replay = false;
	if (hub_send(c, IPC_REPLAY_BEGIN, NULL, 0) < 0)
		return;
	n = export_walk(&vm->table, export_send, c);
	if (hub_send(c, IPC_REPLAY_END, NULL, 0) < 0)
		return;
	log_info("bgpd %s: exported %zu VPN routes", c->name, n);
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
	log_debug("bgpd replay begins; %zu imported routes to refresh", stale);
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
	log_info("bgpd replay: %zu VPN routes (%zu ignored), %zu VRF placements, %zu withdrawn, "
		 "%zu stale swept",
		 bl->received, bl->ignored, bl->placed, bl->withdrawn, swept);
	counters_reset(bl);
	fwd_sync_converged(vm, "bgpd replayed");
}

static void on_route_add(struct vrfmgr *vm, const void *p)
{
	const struct ipc_vpn_route *r = p;
	/* ipc_payload_ok checked that n_rts RTs follow the struct. */
	const struct ext_community *rts = (const void *)((const uint8_t *)p + sizeof(*r));
	struct ext_community copy[UINT8_MAX];
	int n;

	/* The tail need not be aligned for the struct's sake; RTs are bytes anyway. */
	memcpy(copy, rts, (size_t)r->n_rts * sizeof(copy[0]));
	n = import_vpn_add(&vm->table, r, copy);
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
	switch (type) {
	case IPC_REPLAY_BEGIN:
		on_replay_begin(vm);
		break;
	case IPC_REPLAY_END:
		on_replay_end(vm);
		break;
	case IPC_VPN_ROUTE_ADD:
		on_route_add(vm, p);
		break;
	case IPC_VPN_ROUTE_DEL:
		on_route_del(vm, p);
		break;
	default:
		log_warnx("bgpd sent %s, which it never should", ipc_type_name(type));
		hub_conn_drop(c, "unexpected message");
	}
}

void bgpd_link_closed(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	size_t i, n = 0;

	if (vm->bgp.conn != c)
		return;
	vm->bgp.conn = NULL;
	for (i = 0; i < vm->table.n_vrfs; i++)
		n += vm->table.vrfs[i].n_routes;
	log_info("bgpd gone; keeping its imported routes until its next replay (%zu routes in "
		 "all VRFs)", n);
}
