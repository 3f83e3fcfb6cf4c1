/*
 * vrfmgr/bgpd_link.c's window: VPN route ADDs and DELs from bgpd wait a few
 * messages (their lookups prefetched) before they are applied. Checked
 * here: they are applied in the order sent (the same key added, withdrawn
 * and added again inside one window), all of them by the end of the
 * event-loop turn, before any other message from bgpd (a replay's sweep
 * must not see a refreshed route as stale) and before the link goes; a
 * withdraw-all of more routes than the window, over two VRFs, leaves
 * nothing behind.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/rtset.h"
#include "vrfmgr/vrfmgr.h"

static struct event_base *base;
static struct ferry_config cfg;
static struct vrfmgr vm;
static struct vrfmgr_conn conn;
static struct fx_rec rec;

static void setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };

	log_init("test", LOG_LVL_ERR);
	base = event_base_new();
	cr_assert(base != NULL);
	memset(&vm, 0, sizeof(vm));
	memset(&conn, 0, sizeof(conn));
	memset(&rec, 0, sizeof(rec));
	fx_load(&cfg, FX_PE1_JSON);
	vm.base = base;
	vm.cfg = &cfg;
	cr_assert_eq(vrf_table_init(&vm.table, &cfg, &dp), 0);
	cr_assert_eq(bgpd_link_init(&vm), 0);
	/* bgpd as connected; dead, so exports towards it go nowhere (no socket here). */
	conn.vm = &vm;
	conn.role = IPC_ROLE_BGPD;
	conn.dead = true;
	vm.bgp.conn = &conn;
	rec.n = 0;
}

static void teardown(void)
{
	bgpd_link_free(&vm);
	vrf_table_free(&vm.table);
	config_free(&cfg);
	event_base_free(base);
	cr_assert_eq(rtset_count(), 0, "interned RT sets left: %zu", rtset_count());
}

TestSuite(bgpdlink, .init = setup, .fini = teardown);

/* Sends one ADD (rts: "65000:100 ...") or DEL as bgpd would, payload and RTs in one buffer. */
static void send_route(bool add, const char *rd, const char *prefix, uint32_t label,
		       const char *rts)
{
	struct fx_vpn v = fx_vpn(rd, prefix, label, "10.255.0.2", add ? rts : "");
	uint8_t buf[sizeof(v.r) + sizeof(v.rts)];
	uint32_t len = (uint32_t)(sizeof(v.r) + v.r.n_rts * sizeof(v.rts[0]));

	memcpy(buf, &v.r, sizeof(v.r));
	memcpy(buf + sizeof(v.r), v.rts, v.r.n_rts * sizeof(v.rts[0]));
	bgpd_link_msg(&vm, &conn, add ? IPC_VPN_ROUTE_ADD : IPC_VPN_ROUTE_DEL, buf, len);
}

static void send_plain(uint16_t type)
{
	bgpd_link_msg(&vm, &conn, type, NULL, 0);
}

/* One turn of the loop: what waits in the window is applied at its end. */
static void turn(void)
{
	event_base_loop(base, EVLOOP_NONBLOCK);
}

static const struct vrf_route *route_in(const char *vrf, const char *rd, const char *prefix)
{
	struct prefix4 p = fx_prefix(prefix);
	struct rd d = fx_rd(rd);

	return vrf_route_find(vrf_by_name(&vm.table, vrf), &p, ROUTE_BGP, &d);
}

static void prefix_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "20.%d.%d.0/24", i / 256, i % 256);
}

Test(bgpdlink, routes_are_applied_in_order_by_the_end_of_the_turn)
{
	char p[32];
	const struct vrf_route *r;

	for (int i = 0; i < 40; i++) {
		prefix_of(i, p, sizeof(p));
		send_route(true, "10.255.0.2:100", p, 300 + (uint32_t)i, "65000:100");
	}
	/* the same key three times, and one withdrawn for good, all inside one window */
	send_route(true, "10.255.0.2:100", "30.0.0.0/24", 400, "65000:100");
	send_route(false, "10.255.0.2:100", "30.0.0.0/24", 0, "");
	send_route(true, "10.255.0.2:100", "30.0.0.0/24", 401, "65000:100");
	send_route(false, "10.255.0.2:100", "20.0.5.0/24", 0, "");
	turn();
	cr_assert_eq(vm.table.vpn.count, 40);
	for (int i = 0; i < 40; i++) {
		prefix_of(i, p, sizeof(p));
		r = route_in("A", "10.255.0.2:100", p);
		cr_assert_eq(r == NULL, i == 5, "%s", p);
		cr_assert(r == NULL || r->inner_label == 300 + (uint32_t)i, "%s", p);
		cr_assert_null(route_in("B", "10.255.0.2:100", p));
	}
	r = route_in("A", "10.255.0.2:100", "30.0.0.0/24");
	cr_assert_not_null(r);
	cr_assert_eq(r->inner_label, 401);
	cr_assert_eq(vm.bgp.received, 42);
	cr_assert_eq(vm.bgp.withdrawn, 2);
}

Test(bgpdlink, another_message_from_bgpd_comes_after_what_waits)
{
	char p[32];

	for (int i = 0; i < 5; i++) {
		prefix_of(i, p, sizeof(p));
		send_route(true, "10.255.0.2:100", p, 300, "65000:100");
	}
	turn();
	rec.n = 0;
	/* a replay refreshing all five: its sweep must find none of them stale */
	send_plain(IPC_REPLAY_BEGIN);
	for (int i = 0; i < 5; i++) {
		prefix_of(i, p, sizeof(p));
		send_route(true, "10.255.0.2:100", p, 300, "65000:100");
	}
	send_plain(IPC_REPLAY_END);
	cr_assert_eq(fx_count(&rec, "fib_del"), 0, "a refreshed route was swept");
	cr_assert_eq(vm.table.vpn.count, 5);
}

Test(bgpdlink, what_waits_is_applied_before_the_link_goes)
{
	send_route(true, "10.255.0.2:100", "20.0.1.0/24", 300, "65000:100");
	send_route(true, "10.255.0.2:200", "20.0.2.0/24", 301, "65000:200");
	bgpd_link_closed(&vm, &conn);
	cr_assert_null(vm.bgp.conn);
	cr_assert_not_null(route_in("A", "10.255.0.2:100", "20.0.1.0/24"));
	cr_assert_not_null(route_in("B", "10.255.0.2:200", "20.0.2.0/24"));
}

Test(bgpdlink, withdraw_all_over_two_vrfs_leaves_nothing)
{
	char p[32];
	int n = 100;
	size_t a0 = vrf_by_name(&vm.table, "A")->n_routes, b0 = vrf_by_name(&vm.table, "B")->n_routes;

	for (int i = 0; i < n; i++) {
		prefix_of(i, p, sizeof(p));
		/* both RTs: each route in A and in B */
		send_route(true, "10.255.0.2:100", p, 300, "65000:100 65000:200");
	}
	turn();
	cr_assert_eq(vrf_by_name(&vm.table, "A")->n_routes, a0 + (size_t)n);
	cr_assert_eq(vrf_by_name(&vm.table, "B")->n_routes, b0 + (size_t)n);
	rec.n = 0;
	for (int i = 0; i < n; i++) {
		prefix_of(i, p, sizeof(p));
		send_route(false, "10.255.0.2:100", p, 0, "");
	}
	turn();
	cr_assert_eq(vm.table.vpn.count, 0);
	cr_assert_eq(vrf_by_name(&vm.table, "A")->n_routes, a0);
	cr_assert_eq(fx_count(&rec, "fib_del"), 2 * n);
	for (int i = 0; i < n; i++) {
		prefix_of(i, p, sizeof(p));
		cr_assert_null(route_in("A", "10.255.0.2:100", p));
		cr_assert_null(route_in("B", "10.255.0.2:100", p));
	}
}

static bool routes_gone(void)
{
	return route_in("A", "10.255.0.2:100", "20.0.1.0/24") == NULL &&
	       route_in("B", "10.255.0.2:200", "20.0.2.0/24") == NULL;
}

/* Runs the loop for up to ms, until routes_gone() is want. */
static bool loop_until_gone(bool want, int ms)
{
	struct timeval tick = { 0, 10000 };

	for (int i = 0; i < ms / 10; i++) {
		if (routes_gone() == want)
			return true;
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	return routes_gone() == want;
}

/*
 * A bgpd that does not come back: its routes are kept for its graceful
 * restart time (as long as its peers keep ours), then dropped; one that
 * comes back in time keeps them (its replay then sweeps what it lacks).
 */
Test(bgpdlink, a_bgpd_that_stays_away_loses_its_routes_after_its_restart_time)
{
	cfg.bgp.gr_restart_time = 1;
	send_route(true, "10.255.0.2:100", "20.0.1.0/24", 300, "65000:100");
	send_route(true, "10.255.0.2:200", "20.0.2.0/24", 301, "65000:200");
	turn();
	bgpd_link_closed(&vm, &conn);
	cr_assert_not(routes_gone(), "dropped at once");
	cr_assert(loop_until_gone(true, 3000), "kept beyond the restart time");
	cr_assert_eq(vm.table.vpn.count, 0);
}

Test(bgpdlink, a_bgpd_back_in_time_keeps_its_routes)
{
	cfg.bgp.gr_restart_time = 1;
	send_route(true, "10.255.0.2:100", "20.0.1.0/24", 300, "65000:100");
	send_route(true, "10.255.0.2:200", "20.0.2.0/24", 301, "65000:200");
	turn();
	bgpd_link_closed(&vm, &conn);
	bgpd_link_hello(&vm, &conn); /* back (its replay to come) */
	cr_assert_not(loop_until_gone(true, 1500), "dropped though bgpd came back");
}

/* Criterion runs the suite's setup first (and its teardown last): this only adds to it. */
static void setup_logged(void)
{
	log_set_level(LOG_LVL_INFO);
	cr_redirect_stderr();
}

/*
 * The log says how many routes a departed bgpd leaves behind, as its "not
 * back" line counts what it drops: its VPN routes, not every route of the
 * VRFs (pe1's 4 connected and static ones came from no bgpd).
 */
Test(bgpdlink, a_departed_bgpd_is_logged_with_its_own_routes, .init = setup_logged)
{
	char buf[4096];
	size_t n;
	FILE *err = cr_get_redirected_stderr();

	cfg.bgp.gr_restart_time = 1;
	send_route(true, "10.255.0.2:100", "20.0.1.0/24", 300, "65000:100");
	send_route(true, "10.255.0.2:200", "20.0.2.0/24", 301, "65000:200");
	turn();
	bgpd_link_closed(&vm, &conn);
	cr_assert(loop_until_gone(true, 3000), "kept beyond the restart time");
	fflush(stderr);
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "bgpd gone; keeping its 2 imported routes until its next "
				       "replay, at most 1 s\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "its 2 imported routes dropped (2 VRF placements)\n"),
			   "%s", buf);
}

/*
 * Route target constraint (RFC 4684): what bgpd is told to ask its peers
 * for is every import RT of the VRFs, sorted, each once; a VRF torn down
 * takes its RTs out of the set.
 */
Test(bgpdlink, import_route_targets_for_bgpd)
{
	struct ext_community a, b;

	bgpd_link_imports(&vm, false);
	cr_assert_eq(vm.bgp.n_imports, 2);
	cr_assert_eq(rt_parse("65000:100", &a), 0);
	cr_assert_eq(rt_parse("65000:200", &b), 0);
	cr_assert(extcom_equal(&vm.bgp.imports[0], &a));
	cr_assert(extcom_equal(&vm.bgp.imports[1], &b));
	vm.table.vrfs[0].dying = true;
	bgpd_link_imports(&vm, false);
	cr_assert_eq(vm.bgp.n_imports, 1);
	cr_assert(extcom_equal(&vm.bgp.imports[0], &b));
	vm.table.vrfs[0].dying = false;
}

struct rt_imports_rx {
	bool got;
	struct ipc_rt_imports h;
	size_t n; /* route targets after h */
};

static void rt_imports_msg(struct ipc_conn *c, uint16_t type, const void *p, uint32_t len,
			   void *arg)
{
	struct rt_imports_rx *rx = arg;

	(void)c;
	if (type != IPC_RT_IMPORTS)
		return;
	rx->got = true;
	memcpy(&rx->h, p, sizeof(rx->h));
	rx->n = (len - sizeof(rx->h)) / 8;
}

static void no_close(struct ipc_conn *c, void *arg)
{
	(void)c;
	(void)arg;
}

/*
 * More distinct import RTs than one RT_IMPORTS holds (8191): bgpd must
 * still be asked to request every route some VRF imports. Sending only the
 * first 8191 left the rest unasked for: their VRFs never got a route from
 * a peer with route target constraint.
 */
Test(bgpdlink, import_route_targets_past_one_message_ask_for_everything)
{
	size_t n = IPC_RT_IMPORTS_MAX + 1;
	struct cfg_vrf *v = &cfg.vrfs[0]; /* the table's VRFs point into cfg */
	struct ext_community *rts = calloc(n, sizeof(*rts)), *saved = v->import_rts;
	size_t saved_n = v->n_import_rts;
	struct rt_imports_rx rx = { 0 };
	struct ipc_conn *bgpd_end;
	int sv[2];

	cr_assert_not_null(rts);
	for (size_t i = 0; i < n; i++) { /* 65000:<i>, type 0 subtype 2 */
		rts[i].b[1] = 2;
		rts[i].b[2] = 0xfd;
		rts[i].b[3] = 0xe8;
		rts[i].b[6] = (uint8_t)(i >> 8);
		rts[i].b[7] = (uint8_t)i;
	}
	v->import_rts = rts;
	v->n_import_rts = n;
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	conn.ipc = ipc_conn_new(base, sv[0], rt_imports_msg, no_close, NULL);
	bgpd_end = ipc_conn_new(base, sv[1], rt_imports_msg, no_close, &rx);
	cr_assert(conn.ipc && bgpd_end);
	conn.dead = false;
	bgpd_link_imports(&vm, true);
	for (int i = 0; i < 200 && !rx.got; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	conn.dead = true;
	ipc_conn_free(conn.ipc);
	conn.ipc = NULL;
	ipc_conn_free(bgpd_end);
	v->import_rts = saved;
	v->n_import_rts = saved_n;
	free(rts);
	cr_assert(rx.got, "no RT_IMPORTS reached bgpd");
	cr_assert(rx.h.flags & IPC_RT_IMPORTS_ALL,
		  "%u of %zu import RTs sent and no request for everything", rx.h.n_rts, n);
	cr_assert_eq(rx.h.n_rts, 0);
	cr_assert_eq(rx.n, 0);
}

/*
 * Each replay of bgpd's routes taken whole is counted (/metrics'
 * ferry_vrfmgr_bgpd_replays_total: scripts/lab restart waits for the first
 * one of a restarted vrfmgr); a REPLAY_END without its REPLAY_BEGIN is not one.
 */
Test(bgpdlink, a_whole_replay_is_counted)
{
	send_plain(IPC_REPLAY_END);
	cr_assert_eq(vm.bgp.replays, 0, "an END alone is no replay");
	send_plain(IPC_REPLAY_BEGIN);
	send_route(true, "10.255.0.2:100", "192.168.101.0/24", 200, "65000:100");
	cr_assert_eq(vm.bgp.replays, 0, "still replaying");
	send_plain(IPC_REPLAY_END);
	cr_assert_eq(vm.bgp.replays, 1);
	send_plain(IPC_REPLAY_BEGIN);
	send_plain(IPC_REPLAY_END);
	cr_assert_eq(vm.bgp.replays, 2);
}
