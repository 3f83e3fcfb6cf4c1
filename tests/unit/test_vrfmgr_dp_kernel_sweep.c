/*
 * vrfmgr/dp_kernel_sweep.c and dp_kernel_claim.c over the recording io: the
 * sweep after a restart (only ferry's stale routes and devices go, stray
 * links released down) and a VRF's claim on its table and its links.
 */
#include "tests/unit/test_vrfmgr_dp_kernel.h"

static struct rtnl_route *dumped_route(int family, uint32_t table, uint8_t proto,
				       const char *dst, uint8_t plen, uint32_t label)
{
	struct rtnl_route *r = family == AF_MPLS ? dpk_route_lfib_key(label)
						 : dpk_route_fib_key(table, ip(dst), plen);

	rtnl_route_set_protocol(r, proto);
	cr_assert_lt(n_dumped, 8);
	dumped[n_dumped++] = r;
	return r;
}

Test(dp_kernel_ops, sweep_deletes_only_ferry_vrf_devices_of_no_vrf, .init = setup,
     .fini = teardown)
{
	int before;

	vrf_a(); /* vrf-A, ifindex 101 */
	devs[n_devs++] = (struct dev){ 101, "vrf-A", 10001, true };  /* this run's */
	devs[n_devs++] = (struct dev){ 102, "vrf-B", 10002, true };  /* B is gone */
	devs[n_devs++] = (struct dev){ 103, "vrf-mgmt", 10003, false }; /* not ferry's */
	devs[n_devs++] = (struct dev){ 104, "red", 20, true };       /* not ferry's table */
	before = n_calls;
	cr_assert_eq(dp_kernel_sweep(k), 1);
	cr_assert_eq(n_calls, before + 1);
	cr_assert_str_eq(calls[before].op, "link_del");
	cr_assert_eq(calls[before].ifindex, 102);
}

Test(dp_kernel_ops, sweep_releases_links_a_previous_run_left_in_a_vrf, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	char got[256];
	int before;

	vrf_a(); /* vrf-A, ifindex 101, adopted from the previous run */
	dp_kernel_ops.if_bind(k, &b);
	/* the previous run had ce-b1 in A too; this run's file no longer gives it to A */
	link_master[0] = 101; /* ce-a1: bound there by this run */
	link_master[2] = 101; /* ce-b1 */
	before = n_calls;
	cr_assert_eq(dp_kernel_sweep(k), 1);
	calls_from(before, got, sizeof(got));
	/* only ce-b1 (4) released; ce-a1 stays, eth9 in a device not ferry's is left alone */
	cr_assert_str_eq(got, "release:4/0", "%s", got);
	cr_assert(!link_up[2] && link_master[2] == 0, "ce-b1 out of vrf-A and down");
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 kept, up");
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, sweep_sets_the_links_of_a_swept_device_down_first, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	char got[256];
	int before;

	vrf_a(); /* vrf-A, ifindex 101 */
	dp_kernel_ops.if_bind(k, &b);
	devs[n_devs++] = (struct dev){ 101, "vrf-A", 10001, true };
	devs[n_devs++] = (struct dev){ 102, "vrf-B", 10002, true }; /* B was removed while down */
	link_master[2] = 102; /* ce-b1, B's link, up in vrf-B */
	before = n_calls;
	log_capture(LOG_LVL_WARN);
	log_set_level(LOG_LVL_INFO);
	cr_assert_eq(dp_kernel_sweep(k), 2);
	calls_from(before, got, sizeof(got));
	/* deleting vrf-B alone, the kernel would release ce-b1 up, into the main table */
	cr_assert_str_eq(got, "release:4/0 link_del:102/0", "%s", got);
	cr_assert(!link_up[2] && link_master[2] == 0, "ce-b1 out of vrf-B and down");
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 kept, up");
	cr_assert(strstr(log_captured(), "released ce-b1 from vrf-B: its VRF is no longer configured") !=
			  NULL,
		  "%s", log_captured());
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, sweep_deletes_only_ferry_routes_not_programmed, .init = setup,
     .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct ipc_lfib_entry pop = { .in_label = 1000, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	struct rtnl_route *stale_ip, *stale_mpls;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.fib_add(k, &e);
	dp_kernel_ops.lfib_add(k, &pop);
	dumped_route(AF_INET, 10001, DPK_RTPROT, "192.168.100.0", 24, 0); /* programmed */
	stale_ip = dumped_route(AF_INET, 10001, DPK_RTPROT, "192.168.9.0", 24, 0);
	dumped_route(AF_INET, 10001, 4 /* static: someone else's */, "192.168.8.0", 24, 0);
	dumped_route(AF_INET, 254 /* main: not ferry's */, DPK_RTPROT, "192.168.7.0", 24, 0);
	dumped_route(AF_MPLS, 0, DPK_RTPROT, NULL, 0, 1000); /* programmed */
	stale_mpls = dumped_route(AF_MPLS, 0, DPK_RTPROT, NULL, 0, 1005);
	dumped_route(AF_MPLS, 0, 11 /* zebra's */, NULL, 0, 1006);
	before = n_calls;
	cr_assert_eq(dp_kernel_sweep(k), 2);
	cr_assert_eq(n_calls, before + 2);
	cr_assert_eq(calls[before].route, stale_ip);
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before + 1].route, stale_mpls);
	cr_assert(!calls[before + 1].add);
}

Test(dp_kernel_claim, a_table_a_host_vrf_device_has_is_refused, .init = setup, .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(7, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = 200 };
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	char got[512];

	/* the host's own VRF on 10001: sharing it, either's links would see the other's routes */
	devs[n_devs++] = (struct dev){ 103, "vrf-mgmt", 10001, false };
	log_capture(LOG_LVL_WARN);
	vrf_a();
	cr_assert_eq(count_ops("vrf_dev_add", 0), 0, "no device made on another's table");
	cr_assert(strstr(log_captured(), "table 10001 is already the table of VRF device vrf-mgmt, "
				   "which is not ferry's") != NULL,
		  "%s", log_captured());
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.fib_add(k, &e);
	cr_assert_eq(count_ops("route", 0), 0, "nothing put into the host's table");
	/* the link is not left wherever it was (a previous run's VRF): released, no address */
	dp_kernel_ops.if_bind(k, &b);
	calls_from(0, got, sizeof(got));
	cr_assert_str_eq(got, "release:2/0", "%s", got);
	cr_assert(!link_up[0], "ce-a1 down: in the main table it would forward into the core");
	cr_assert_eq(dp_kernel_errors(k), 3);
}

Test(dp_kernel_claim, a_previous_runs_device_on_the_table_goes_with_its_routes, .init = setup,
     .fini = teardown)
{
	struct rtnl_route *stale, *stale7;
	char got[512];

	/* VRF old had id 1 and was removed while vrfmgr was down: A now gets id 1 */
	devs[n_devs++] = (struct dev){ 102, "vrf-old", 10001, true };
	/* A had id 7 in that run (its state lost): its device is on another table */
	devs[n_devs++] = (struct dev){ 105, "vrf-A", 10007, true };
	devs[n_devs++] = (struct dev){ 106, "vrf-C", 10003, true }; /* another VRF's: kept */
	stale = dumped_route(AF_INET, 10001, DPK_RTPROT, "192.168.9.0", 24, 0);
	stale7 = dumped_route(AF_INET, 10007, DPK_RTPROT, "192.168.7.0", 24, 0);
	dumped_route(AF_INET, 10001, 4 /* static: someone else's */, "192.168.8.0", 24, 0);
	dumped_route(AF_INET, 10003, DPK_RTPROT, "192.168.3.0", 24, 0); /* C's */
	vrf_a();
	calls_from(0, got, sizeof(got));
	cr_assert_str_eq(got, "link_del:102/0 route:0/0 link_del:105/0 route:0/0 vrf_dev_add:0/0",
			 "%s", got);
	cr_assert_eq(calls[1].route, stale);
	cr_assert(!calls[1].add);
	cr_assert_eq(calls[3].route, stale7);
	cr_assert(!calls[3].add);
	cr_assert_str_eq(calls[4].name, "vrf-A");
	cr_assert_eq(calls[4].table, 10001);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_claim, a_link_moved_to_a_vrf_without_device_leaves_the_old_one, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind a = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_if_bind b = { .vrf_id = 2, .address = ip("10.2.2.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_vrf vb = { .vrf_id = 2, .name = "B" };
	int before;
	char got[512];

	vrf_a();
	dp_kernel_ops.if_bind(k, &a);
	/* a reload moves ce-a1 to a new VRF B, whose table a host VRF device holds */
	devs[n_devs++] = (struct dev){ 103, "vrf-mgmt", 10002, false };
	dp_kernel_ops.vrf_add(k, &vb);
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b);
	calls_from(before, got, sizeof(got));
	/* A's address removed, the link out of vrf-A (101), B's address not added */
	cr_assert_str_eq(got, "addr:2/30 release:2/0", "%s", got);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before].table, ip("10.1.1.1"));
}

Test(dp_kernel_claim, a_link_the_kernel_will_not_enslave_is_released, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind a = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_if_bind b = { .vrf_id = 2, .address = ip("10.2.2.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_vrf vb = { .vrf_id = 2, .name = "B" };
	int before;
	char got[512];

	vrf_a();
	dp_kernel_ops.if_bind(k, &a);
	dp_kernel_ops.vrf_add(k, &vb); /* vrf-B: ifindex 102 */
	fail_enslave_to = 102;
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b);
	calls_from(before, got, sizeof(got));
	/* not left in vrf-A with B's address: A's address gone, released, nothing added */
	cr_assert_str_eq(got, "addr:2/30 enslave:2/102 release:2/0", "%s", got);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before].table, ip("10.1.1.1"));
	cr_assert_eq(dp_kernel_errors(k), 1);
}
