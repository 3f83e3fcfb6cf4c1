/*
 * The dataplane calls vrfmgr's core makes, recorded: the order promised to
 * fwd (next hop before the FIB entries using it, FIB deletes before NH_DEL),
 * one NH per remote PE shared by its routes, and a replay that reproduces
 * exactly the state the incremental calls built.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

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
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfg);
}

TestSuite(sync, .init = setup, .fini = teardown);

/* Every fib_add's next hop was added earlier (and not deleted since). */
static void assert_nh_before_fib(const struct fx_rec *r)
{
	int i, j;

	for (i = 0; i < r->n; i++) {
		unsigned nh;
		char want[32];
		int added = -1, deleted = -1;

		if (sscanf(r->line[i], "fib_add %*u %*s nh %u", &nh) != 1)
			continue;
		snprintf(want, sizeof(want), "nh_add %u ", nh);
		for (j = 0; j < i; j++)
			if (strncmp(r->line[j], want, strlen(want)) == 0)
				added = j;
		snprintf(want, sizeof(want), "nh_del %u ", nh);
		for (j = 0; j < i; j++)
			if (strncmp(r->line[j], want, strlen(want)) == 0)
				deleted = j;
		cr_assert(added >= 0 && deleted < added, "line %d (%s) uses nh %u not added", i,
			  r->line[i], nh);
	}
}

Test(sync, start_programs_vrfs_interfaces_labels_and_local_routes)
{
	cr_assert_eq(fx_find(&rec, "vrf_add 1 A"), 0);
	cr_assert_geq(fx_find(&rec, "if_bind 1 ce-a1 10.1.1.1/30"), 0);
	cr_assert_geq(fx_find(&rec, "if_bind 2 ce-b1 10.2.1.1/30"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 100 action 1 vrf 1"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 101 action 1 vrf 2"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 1 10.1.1.0/30 nh"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 1 192.168.100.0/24 nh"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 2 10.2.1.0/30 nh"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 2 192.168.100.0/24 nh"), 0);
	cr_assert_eq(fx_count(&rec, "fib_add"), 4);
	cr_assert_eq(fx_count(&rec, "nh_add"), 4); /* connected + gateway, per VRF */
	cr_assert_geq(fx_find(&rec, "nh_add 2 type 2 gw 10.1.1.2 out - if ce-a1"), 0);
	cr_assert_geq(fx_find(&rec, "nh_add 1 type 1 gw 0.0.0.0 out - if ce-a1"), 0);
	cr_assert_eq(fx_count(&rec, "fib_add 1 192.168.100.0/24 nh 2 inner -"), 1);
	assert_nh_before_fib(&rec);
}

Test(sync, remote_routes_share_one_labeled_next_hop)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn b = fx_vpn("10.255.0.2:200", "192.168.101.0/24", 201, "10.255.0.2",
				 "65000:200");
	struct fx_vpn c = fx_vpn("10.255.0.2:200", "10.2.2.0/30", 201, "10.255.0.2", "65000:200");

	rec.n = 0;
	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(fx_import(&t, &b), 1);
	cr_assert_eq(fx_import(&t, &c), 1);
	cr_assert_eq(rec.n, 4);
	cr_assert_str_eq(rec.line[0], "nh_add 5 type 3 gw 10.0.1.2 out 16 if core0");
	cr_assert_str_eq(rec.line[1], "fib_add 1 192.168.101.0/24 nh 5 inner 200");
	cr_assert_str_eq(rec.line[2], "fib_add 2 192.168.101.0/24 nh 5 inner 201");
	cr_assert_str_eq(rec.line[3], "fib_add 2 10.2.2.0/30 nh 5 inner 201");

	/* Re-announcing the same thing changes nothing in the dataplane. */
	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(rec.n, 4);
	/* A new label for the same prefix is one replace. */
	a.r.label = 250;
	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(rec.n, 5);
	cr_assert_str_eq(rec.line[4], "fib_add 1 192.168.101.0/24 nh 5 inner 250");

	/* Withdrawals: FIB deletes first, the next hop after the last user. */
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:100", "192.168.101.0/24"), 1);
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:200", "192.168.101.0/24"), 1);
	cr_assert_eq(rec.n, 7);
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:200", "10.2.2.0/30"), 1);
	cr_assert_eq(rec.n, 9);
	cr_assert_str_eq(rec.line[7], "fib_del 2 10.2.2.0/30");
	cr_assert_str_eq(rec.line[8], "nh_del 5 type 3 gw 10.0.1.2 out 16 if core0");
	assert_nh_before_fib(&rec);
}

Test(sync, unresolved_next_hop_never_reaches_the_dataplane)
{
	struct fx_vpn v = fx_vpn("10.255.0.9:100", "192.168.109.0/24", 900, "10.255.0.9",
				 "65000:100");
	struct fx_rec re = { .n = 0 };
	struct dataplane dp = { &fx_ops, &re };

	rec.n = 0;
	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_eq(rec.n, 0);
	vrf_table_replay(&t, &dp);
	cr_assert_eq(fx_find(&re, "fib_add 1 192.168.109.0/24"), -1);
	cr_assert_eq(fx_count(&re, "nh_add"), 4);
}

Test(sync, replay_reproduces_the_incremental_state)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn b = fx_vpn("10.255.0.2:200", "192.168.101.0/24", 201, "10.255.0.2",
				 "65000:200");
	struct fx_vpn x = fx_vpn("10.255.0.2:200", "192.168.77.0/24", 201, "10.255.0.2",
				 "65000:200");
	struct fx_rec re = { .n = 0 };
	struct dataplane dp = { &fx_ops, &re };
	struct fx_held inc = { .n = 0 }, rep = { .n = 0 };
	int i, first_fib, last_nh;

	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(fx_import(&t, &b), 1);
	cr_assert_eq(fx_import(&t, &x), 1);
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:200", "192.168.77.0/24"), 1);
	vrf_table_replay(&t, &dp);

	fx_held_apply(&inc, &rec);
	fx_held_apply(&rep, &re);
	qsort(inc.s, (size_t)inc.n, sizeof(inc.s[0]), fx_cmp_str);
	qsort(rep.s, (size_t)rep.n, sizeof(rep.s[0]), fx_cmp_str);
	cr_assert_eq(inc.n, rep.n);
	for (i = 0; i < inc.n; i++)
		cr_assert_str_eq(inc.s[i], rep.s[i]);
	cr_assert_eq(fx_count(&re, "fib_add"), 6);
	cr_assert_eq(fx_count(&re, "nh_add"), 5);
	cr_assert_eq(fx_count(&re, "lfib_add"), 2);
	cr_assert_eq(fx_count(&re, "vrf_add"), 2);
	cr_assert_eq(fx_count(&re, "if_bind"), 2);
	cr_assert_eq(fx_count(&re, "fib_del") + fx_count(&re, "nh_del"), 0);
	/* Replay order: VRFs and interfaces, all next hops, then FIB, then LFIB. */
	first_fib = fx_find(&re, "fib_add");
	for (last_nh = re.n - 1; last_nh >= 0 && strncmp(re.line[last_nh], "nh_add", 6); last_nh--)
		;
	cr_assert_lt(fx_find(&re, "if_bind"), fx_find(&re, "nh_add"));
	cr_assert_lt(last_nh, first_fib);
	cr_assert_gt(fx_find(&re, "lfib_add"), first_fib);
	assert_nh_before_fib(&re);
}

Test(sync, dataplane_can_be_switched)
{
	struct fx_rec other = { .n = 0 };
	struct dataplane dp = { &fx_ops, &other };
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	int before = rec.n;

	vrf_table_set_dataplane(&t, &dp);
	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(rec.n, before);
	cr_assert_eq(other.n, 2);
}
