/*
 * vrfmgr/import.c: which VRFs take a VPN route (RT intersection, never the
 * RD), several RTs, the same prefix from two RDs and the selection between
 * them, withdrawals, RT changes on update, replay sweeps, bad routes, and
 * local leaking between VRFs of this PE.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "test_vrfmgr_fixture.h"

static struct ferry_config cfg;
static struct vrf_table t;
static struct fx_rec rec;

static void setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };

	log_init("test", LOG_LVL_ERR);
	memset(&rec, 0, sizeof(rec));
	fx_load(&cfg, FX_PE1_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, &dp), 0);
	rec.n = 0;
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfg);
}

TestSuite(import, .init = setup, .fini = teardown);

static struct vrf_route *bgp_route(const char *vrf, const char *prefix, const char *rd)
{
	struct prefix4 p = fx_prefix(prefix);
	struct rd d = fx_rd(rd);

	return vrf_route_find(vrf_by_name(&t, vrf), &p, ROUTE_BGP, &d);
}

Test(import, rt_match_decides_the_vrf)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn b = fx_vpn("10.255.0.2:200", "192.168.101.0/24", 201, "10.255.0.2",
				 "65000:200");

	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(fx_import(&t, &b), 1);
	cr_assert_not_null(bgp_route("A", "192.168.101.0/24", "10.255.0.2:100"));
	cr_assert_null(bgp_route("B", "192.168.101.0/24", "10.255.0.2:100"));
	cr_assert_not_null(bgp_route("B", "192.168.101.0/24", "10.255.0.2:200"));
	cr_assert_null(bgp_route("A", "192.168.101.0/24", "10.255.0.2:200"));
	/* The overlapping prefix carries each customer's own label. */
	cr_assert_geq(fx_find(&rec, "fib_add 1 192.168.101.0/24 nh"), 0);
	cr_assert_neq(strstr(rec.line[fx_find(&rec, "fib_add 1 192.168.101.0/24")], "inner 200"),
		      NULL);
	cr_assert_neq(strstr(rec.line[fx_find(&rec, "fib_add 2 192.168.101.0/24")], "inner 201"),
		      NULL);
}

Test(import, no_common_rt_is_not_imported)
{
	/* Even an RD that looks like VRF A's own does not matter: RTs decide. */
	struct fx_vpn v = fx_vpn("10.255.0.1:100", "192.168.50.0/24", 300, "10.255.0.2",
				 "65000:300 65001:100");
	struct fx_vpn none = fx_vpn("10.255.0.2:7", "192.168.51.0/24", 300, "10.255.0.2", "");

	cr_assert_eq(fx_import(&t, &v), 0);
	cr_assert_eq(fx_import(&t, &none), 0);
	cr_assert_null(fx_vp(&t, "A", "192.168.50.0/24"));
	cr_assert_null(fx_vp(&t, "B", "192.168.50.0/24"));
	cr_assert_null(fx_vp(&t, "A", "192.168.51.0/24"));
	cr_assert_eq(rec.n, 0);
}

Test(import, several_rts)
{
	struct fx_vpn one = fx_vpn("10.255.0.2:9", "172.16.0.0/16", 300, "10.255.0.2",
				   "65000:999 65000:200");
	struct fx_vpn both = fx_vpn("10.255.0.2:10", "172.17.0.0/16", 301, "10.255.0.2",
				    "65000:100 65000:200");

	cr_assert_eq(fx_import(&t, &one), 1);
	cr_assert_not_null(bgp_route("B", "172.16.0.0/16", "10.255.0.2:9"));
	cr_assert_null(bgp_route("A", "172.16.0.0/16", "10.255.0.2:9"));
	cr_assert_eq(fx_import(&t, &both), 2);
	cr_assert_not_null(bgp_route("A", "172.17.0.0/16", "10.255.0.2:10"));
	cr_assert_not_null(bgp_route("B", "172.17.0.0/16", "10.255.0.2:10"));
	cr_assert_eq(bgp_route("A", "172.17.0.0/16", "10.255.0.2:10")->n_rts, 2);
	cr_assert(rt_sets_meet(one.rts, 2, both.rts, 2));
	cr_assert_not(rt_sets_meet(one.rts, 1, both.rts, 2));
}

Test(import, same_prefix_from_two_rds_selects_by_local_pref_then_next_hop)
{
	struct fx_vpn x = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn y = fx_vpn("10.255.0.3:100", "192.168.101.0/24", 300, "10.255.0.3",
				 "65000:100");
	static struct cfg_lsp lsps[2]; /* outlives the table */
	struct vrf_prefix *vp;

	/* Give pe "10.255.0.3" an LSP too (the fixture only has pe2's). */
	lsps[0] = lsps[1] = cfg.lsps[0];
	cr_assert_eq(prefix4_parse("10.255.0.0/24", &lsps[1].fec), 0);
	lsps[1].out_label = 17;
	t.nhs.lsps = lsps;
	t.nhs.n_lsps = 2;

	cr_assert_eq(fx_import(&t, &y), 1);
	cr_assert_eq(fx_import(&t, &x), 1);
	vp = fx_vp(&t, "A", "192.168.101.0/24");
	cr_assert_eq(vrf_by_name(&t, "A")->n_routes, 4); /* connected, static, two bgp */
	/* Equal local_pref: the lower next hop wins. */
	cr_assert_eq(vp->best->inner_label, 200);
	cr_assert_eq(vp->fib_label, 200);
	/* A higher local_pref beats the lower next hop. */
	y.r.local_pref = 200;
	cr_assert_eq(fx_import(&t, &y), 1);
	cr_assert_eq(vp->best->inner_label, 300);
	cr_assert_eq(vp->fib_label, 300);
	cr_assert_eq(rec.line[rec.n - 1][0], 'n', "old next hop released last: %s",
		     rec.line[rec.n - 1]);
	/* Withdrawing the best brings the other back. */
	cr_assert_eq(fx_withdraw(&t, "10.255.0.3:100", "192.168.101.0/24"), 1);
	cr_assert_eq(vp->best->inner_label, 200);
	cr_assert_eq(vp->fib_label, 200);
	cr_assert_null(bgp_route("A", "192.168.101.0/24", "10.255.0.3:100"));
}

Test(import, equal_paths_tie_break_on_rd)
{
	struct fx_vpn x = fx_vpn("10.255.0.2:101", "192.168.101.0/24", 201, "10.255.0.2",
				 "65000:100");
	struct fx_vpn y = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");

	cr_assert_eq(fx_import(&t, &x), 1);
	cr_assert_eq(fx_import(&t, &y), 1);
	cr_assert_eq(fx_vp(&t, "A", "192.168.101.0/24")->best->inner_label, 200);
}

Test(import, withdraw_removes_and_cleans_the_dataplane)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");

	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:100", "192.168.101.0/24"), 1);
	cr_assert_null(fx_vp(&t, "A", "192.168.101.0/24"));
	cr_assert_eq(fx_count(&rec, "fib_del 1 192.168.101.0/24"), 1);
	cr_assert_eq(fx_count(&rec, "nh_del"), 1);
	cr_assert_lt(fx_find(&rec, "fib_del"), fx_find(&rec, "nh_del"));
	/* A second withdrawal, or one for another RD, changes nothing. */
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:100", "192.168.101.0/24"), 0);
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:200", "192.168.100.0/24"), 0);
	cr_assert_not_null(fx_vp(&t, "B", "192.168.100.0/24"));
	/* The remote PE's next hop object is gone with its last route. */
	for (struct nexthop *nh = t.nhs.head; nh != NULL; nh = nh->next)
		cr_assert_neq(nh->ipc.type, IPC_NH_LABELED);
}

Test(import, update_with_other_rts_moves_the_route)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:5", "10.99.0.0/16", 250, "10.255.0.2", "65000:100");

	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_not_null(bgp_route("A", "10.99.0.0/16", "10.255.0.2:5"));
	v = fx_vpn("10.255.0.2:5", "10.99.0.0/16", 251, "10.255.0.2", "65000:200");
	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_null(bgp_route("A", "10.99.0.0/16", "10.255.0.2:5"));
	cr_assert_eq(bgp_route("B", "10.99.0.0/16", "10.255.0.2:5")->inner_label, 251);
	cr_assert_eq(fx_count(&rec, "fib_del 1 10.99.0.0/16"), 1);
}

Test(import, local_routes_beat_bgp)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.100.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct vrf_prefix *vp;
	char why[128];

	cr_assert_eq(fx_import(&t, &v), 1);
	vp = fx_vp(&t, "A", "192.168.100.0/24");
	cr_assert_eq(vp->best->source, ROUTE_STATIC);
	cr_assert_eq(rec.n, 0, "the static stays in the FIB");
	cr_assert_str_eq(vrf_route_reason(vp, bgp_route("A", "192.168.100.0/24", "10.255.0.2:100"),
					  why, sizeof(why)),
			 "a static route is preferred");
	cr_assert_null(vrf_route_reason(vp, vp->best, why, sizeof(why)));
}

Test(import, replay_sweeps_what_was_not_refreshed)
{
	struct fx_vpn keep = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				    "65000:100");
	struct fx_vpn gone = fx_vpn("10.255.0.2:200", "192.168.101.0/24", 201, "10.255.0.2",
				    "65000:200");
	struct fx_vpn gone2 = fx_vpn("10.255.0.2:200", "192.168.102.0/24", 201, "10.255.0.2",
				     "65000:200");

	cr_assert_eq(fx_import(&t, &keep), 1);
	cr_assert_eq(fx_import(&t, &gone), 1);
	cr_assert_eq(fx_import(&t, &gone2), 1);
	/* bgpd went away: nothing is removed until its next replay ends. */
	cr_assert_eq(import_mark_stale(&t), 3);
	cr_assert_eq(fx_import(&t, &keep), 1);
	rec.n = 0;
	cr_assert_eq(import_sweep(&t), 2);
	cr_assert_not_null(bgp_route("A", "192.168.101.0/24", "10.255.0.2:100"));
	cr_assert_null(bgp_route("B", "192.168.101.0/24", "10.255.0.2:200"));
	cr_assert_null(fx_vp(&t, "B", "192.168.102.0/24"));
	cr_assert_eq(fx_count(&rec, "fib_del"), 2);
	cr_assert_eq(fx_count(&rec, "fib_add"), 0);
	cr_assert_eq(import_sweep(&t), 0);
}

Test(import, bad_routes_are_refused)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");

	v.r.plen = 33;
	cr_assert_eq(fx_import(&t, &v), -EINVAL);
	v.r.plen = 24;
	v.r.label = MPLS_LABEL_IMPLICIT_NULL;
	cr_assert_eq(fx_import(&t, &v), -EINVAL);
	v.r.label = MPLS_LABEL_MAX + 1;
	cr_assert_eq(fx_import(&t, &v), -EINVAL);
	v.r.label = 200;
	v.r.next_hop = 0;
	cr_assert_eq(fx_import(&t, &v), -EINVAL);
	v.r.next_hop = cfg.router_id; /* our own route coming back */
	cr_assert_eq(fx_import(&t, &v), -EINVAL);
	cr_assert_null(fx_vp(&t, "A", "192.168.101.0/24"));
	/* Host bits are cleared rather than kept. */
	v.r.next_hop = cfg.lsps[0].fec.addr;
	v.r.prefix |= 5;
	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_not_null(fx_vp(&t, "A", "192.168.101.0/24"));
}

Test(import, local_leaking_by_rt)
{
	const char *json =
		"{ \"router\": { \"name\": \"pe9\", \"router_id\": \"10.255.0.9\", \"asn\": 65000,"
		"  \"label_range\": { \"min\": 100, \"max\": 199 } },"
		"  \"vrfs\": ["
		"   { \"name\": \"A\", \"rd\": \"65000:1\", \"import_rts\": [\"65000:1\"],"
		"     \"export_rts\": [\"65000:1\"],"
		"     \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/24\" } ] },"
		"   { \"name\": \"S\", \"rd\": \"65000:2\", \"import_rts\": [\"65000:2\", \"65000:1\"],"
		"     \"export_rts\": [\"65000:2\"],"
		"     \"interfaces\": [ { \"name\": \"s0\", \"address\": \"10.2.0.1/24\" } ],"
		"     \"static_routes\": [ { \"prefix\": \"10.3.0.0/16\", \"next_hop\": \"10.2.0.2\","
		"                            \"interface\": \"s0\" } ] } ] }";
	struct ferry_config c2;
	struct vrf_table t2;
	struct vrf_prefix *vp;
	struct vrf *s, *a;

	fx_load(&c2, json);
	cr_assert_eq(vrf_table_init(&t2, &c2, NULL), 0);
	cr_assert_eq(import_leak_local(&t2), 1);
	s = vrf_by_name(&t2, "S");
	a = vrf_by_name(&t2, "A");
	/* S imports 65000:1, so A's connected subnet shows up in S, via A's interface. */
	vp = rtable_find(&s->routes, &(struct prefix4){ .addr = 0x0A010000, .len = 24 });
	cr_assert_not_null(vp);
	cr_assert_eq(vp->best->source, ROUTE_LEAKED);
	cr_assert_eq(vp->best->origin_vrf, a->id);
	cr_assert_str_eq(vp->best->nh->ipc.ifname, "a0");
	cr_assert(vrf_route_installed(vp, vp->best));
	/* A does not import 65000:2: nothing of S in A. */
	cr_assert_eq(a->n_routes, 1);
	vrf_table_free(&t2);
	config_free(&c2);
}

Test(import, leaked_routes_follow_the_source_exports)
{
	const char *json =
		"{ \"router\": { \"name\": \"pe9\", \"router_id\": \"10.255.0.9\", \"asn\": 65000,"
		"  \"label_range\": { \"min\": 100, \"max\": 199 } },"
		"  \"vrfs\": ["
		"   { \"name\": \"A\", \"rd\": \"65000:1\", \"import_rts\": [\"65000:2\"],"
		"     \"export_rts\": [\"65000:1\"],"
		"     \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/24\" } ] },"
		"   { \"name\": \"S\", \"rd\": \"65000:2\", \"import_rts\": [\"65000:1\"],"
		"     \"export_rts\": [\"65000:2\"],"
		"     \"interfaces\": [ { \"name\": \"s0\", \"address\": \"10.2.0.1/24\" } ],"
		"     \"static_routes\": [ { \"prefix\": \"10.3.0.0/16\", \"next_hop\": \"10.2.0.2\","
		"                            \"interface\": \"s0\" } ] } ] }";
	struct ferry_config c2;
	struct vrf_table t2;
	struct fx_rec r2 = { .n = 0 };
	struct dataplane dp = { &fx_ops, &r2 };
	struct prefix4 p = fx_prefix("10.3.0.0/16");
	struct vrf_prefix *vp;
	struct vrf *s, *a;

	fx_load(&c2, json);
	cr_assert_eq(vrf_table_init(&t2, &c2, &dp), 0);
	s = vrf_by_name(&t2, "S");
	a = vrf_by_name(&t2, "A");
	/* S was built after A: its exports leaked into A as they appeared. */
	vp = rtable_find(&a->routes, &p);
	cr_assert_not_null(vp);
	cr_assert_eq(vp->best->source, ROUTE_LEAKED);
	cr_assert_eq(import_leak_local(&t2), 3, "A's /24 into S, S's /24 and /16 into A");
	/* The static goes away in S: its leaked copy leaves A at once. */
	r2.n = 0;
	cr_assert_eq(vrf_route_remove(&t2, s, &p, ROUTE_STATIC, NULL), 0);
	cr_assert_null(rtable_find(&a->routes, &p));
	cr_assert_geq(fx_find(&r2, "fib_del 1 10.3.0.0/16"), 0);
	cr_assert_geq(fx_find(&r2, "fib_del 2 10.3.0.0/16"), 0);
	cr_assert_eq(a->n_routes, 2);
	vrf_table_free(&t2);
	config_free(&c2);
}
