/*
 * vrfmgr/dp_kernel_remake.c over the recording io: a VRF device deleted
 * behind vrfmgr's back is made again on its table, its links bound again
 * with their addresses, its routes and labels programmed again; vrfmgr's
 * own deletes are not undone; a device deleted again and again is made
 * again after a growing wait, its links down meanwhile, and then no more.
 */
#include "tests/unit/test_vrfmgr_dp_kernel.h"

/*
 * `ip link del vrf-A` as vrfmgr reads it: first ce-a1 released by the kernel
 * (down, and up again in the main VRF: vrfmgr programs its route again,
 * harmless), then vrf-A gone.
 */
static void vrf_a_released(int dev)
{
	dev_there[dev] = false; /* the kernel deleted it first */
	link_master[0] = 0;
	link_ev(2, "ce-a1", false);
	link_ev(2, "ce-a1", true);
}

static void vrf_a_deleted(int ifindex)
{
	vrf_a_released(ifindex);
	dp_kernel_link_gone(k, ifindex);
}

Test(dp_kernel_remake, a_deleted_vrf_device_is_made_again_with_its_links_and_routes,
     .init = setup, .fini = teardown)
{
	struct dp_kernel_vrf_device d;
	uint32_t tables[16];
	int oifs[16], before, n;
	bool ce_route = false, core_route = false, label = false;
	const char *log;

	lab();
	log_capture(LOG_LVL_WARN);
	log_set_level(LOG_LVL_INFO);
	vrf_dev_shift = 10; /* the kernel gives the new device a new ifindex: 111 */
	vrf_a_released(101);
	before = n_calls;
	dp_kernel_link_gone(k, 101);
	cr_assert_str_eq(calls[before].op, "vrf_dev_add");
	cr_assert_str_eq(calls[before].name, "vrf-A");
	cr_assert_eq(calls[before].table, 10001, "the same table");
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert(link_up[0] && link_master[0] == 111, "ce-a1 in the new vrf-A, up");
	cr_assert_eq(count_ops("addr", before), 1, "ce-a1's address given again");
	for (int i = before; i < n_calls; i++)
		if (strcmp(calls[i].op, "addr") == 0)
			cr_assert(calls[i].add && calls[i].ifindex == 2 &&
				  calls[i].table == lab_a1.address && calls[i].master == 30);
	/* each of A's routes and its label once; nothing of B's (ce-b1 still in vrf-B, 102) */
	n = routes_from(before, tables, oifs);
	cr_assert_eq(n, 3, "%d routes", n);
	for (int i = 0; i < n; i++) {
		ce_route |= tables[i] == 10001 && oifs[i] == 2;
		core_route |= tables[i] == 10001 && oifs[i] == 3;
		label |= tables[i] == 0 && oifs[i] == 111;
	}
	cr_assert(ce_route && core_route && label, "via ce-a1 %d, via core0 %d, label into vrf-A %d",
		  ce_route, core_route, label);
	cr_assert(link_master[2] == 102 && link_up[2], "ce-b1 untouched");
	log = log_captured();
	cr_assert(strstr(log, "warning: kernel dataplane: VRF A: device vrf-A (ifindex 101) was "
			      "deleted, not by vrfmgr: making it again") != NULL, "%s", log);
	cr_assert(strstr(log, "info: kernel dataplane: VRF A is device vrf-A again (ifindex 111, "
			      "table 10001); links bound again: 1, routes and labels programmed "
			      "again: 3") != NULL, "%s", log);
	cr_assert_eq(dp_kernel_errors(k), 0);
	cr_assert_eq(dp_kernel_vrf_remakes(k), 1);
	cr_assert_eq(dp_kernel_vrfs_without_device(k), 0);
	cr_assert_eq(dp_kernel_next_tick_ms(k), -1, "nothing pending");
	/* what GET /vrfs shows */
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.ifname, "vrf-A");
	cr_assert_eq(d.table, 10001);
	cr_assert_eq(d.ifindex, 111);
	cr_assert_str_eq(d.state, "present");
	cr_assert_eq(d.remade, 1);
	cr_assert(dp_kernel_vrf_device(k, 2, &d));
	cr_assert_eq(d.remade, 0, "B untouched");
	cr_assert(!dp_kernel_vrf_device(k, 3, &d), "no VRF 3");
	/* the old device's events, read late, change nothing */
	before = n_calls;
	dp_kernel_link_gone(k, 101);
	cr_assert_eq(n_calls, before);
}

Test(dp_kernel_remake, vrfmgr_own_deletes_are_not_undone, .init = setup, .fini = teardown)
{
	struct ipc_vrf va = { .vrf_id = 1, .name = "A" };
	int before;

	lab();
	/* a reload removes A and builds it again (its RD changed, say): a new device, 111 */
	dp_kernel_ops.if_unbind(k, &lab_a1);
	dp_kernel_ops.vrf_del(k, &va);
	vrf_dev_shift = 10;
	dp_kernel_ops.vrf_add(k, &va);
	dp_kernel_ops.if_bind(k, &lab_a1);
	before = n_calls;
	dp_kernel_link_gone(k, 101); /* the delete of the old device, read now */
	cr_assert_eq(n_calls, before, "nothing made again");
	/*
	 * B removed for good while an operator deletes vrf-B by hand: vrfmgr's
	 * delete finds nothing (what it wanted: no error), and the deletion, read
	 * later, makes nothing again
	 */
	devs_gone = true;
	dp_kernel_ops.vrf_del(k, &(struct ipc_vrf){ .vrf_id = 2, .name = "B" });
	devs_gone = false;
	before = n_calls;
	dp_kernel_link_gone(k, 102);
	cr_assert_eq(n_calls, before);
	/* a previous run's device on A's table, deleted by A's claim when A is built again */
	devs[n_devs++] = (struct dev){ 150, "vrf-old", 10001, true };
	dp_kernel_ops.vrf_del(k, &va);
	vrf_dev_shift = 20;
	dp_kernel_ops.vrf_add(k, &va);
	before = n_calls;
	dp_kernel_link_gone(k, 150);
	dp_kernel_link_gone(k, 111);
	cr_assert_eq(n_calls, before);
	cr_assert_eq(dp_kernel_vrf_remakes(k), 0);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

/* Deleted again right after each time it is made again: made again after 1 s, 2 s, 4 s... */
Test(dp_kernel_remake, a_device_deleted_again_and_again_backs_off_then_stops, .init = setup,
     .fini = teardown)
{
	static const uint64_t waits[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
	struct dp_kernel_vrf_device d;
	int before, ifindex = 101;
	const char *log;

	lab();
	log_capture(LOG_LVL_WARN);
	vrf_dev_shift = 10;
	vrf_a_deleted(ifindex); /* made again at once: 111 */
	ifindex = 111;
	cr_assert_eq(dp_kernel_vrf_remakes(k), 1);
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		fake_now += 500;
		before = n_calls;
		vrf_a_deleted(ifindex);
		cr_assert_eq(count_ops("vrf_dev_add", before), 0, "not at once (%zu)", i);
		cr_assert_eq(dp_kernel_next_tick_ms(k), (int64_t)waits[i], "wait %zu: %lld", i,
			     (long long)dp_kernel_next_tick_ms(k));
		/* ce-a1, released up by the kernel, is set down until then */
		cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 down meanwhile (%zu)", i);
		cr_assert_eq(dp_kernel_vrfs_without_device(k), 1);
		cr_assert(dp_kernel_vrf_device(k, 1, &d));
		cr_assert_str_eq(d.state, "waiting");
		cr_assert_eq(d.ifindex, 0);
		cr_assert_eq(d.remake_in_ms, waits[i]);
		/* brought up meanwhile (an operator, a hotplug script): released down again */
		link_up[0] = true;
		link_ev(2, "ce-a1", false);
		link_ev(2, "ce-a1", true);
		cr_assert(!link_up[0], "ce-a1 down again (%zu)", i);
		fake_now += waits[i] - 1;
		dp_kernel_tick(k);
		cr_assert_eq(count_ops("vrf_dev_add", before), 0, "not before its time (%zu)", i);
		fake_now += 1;
		vrf_dev_shift += 10;
		dp_kernel_tick(k);
		cr_assert_eq(count_ops("vrf_dev_add", before), 1, "made again (%zu)", i);
		ifindex = 101 + vrf_dev_shift;
		cr_assert(link_up[0] && link_master[0] == ifindex, "ce-a1 bound again (%zu)", i);
		cr_assert_eq(dp_kernel_next_tick_ms(k), -1);
	}
	cr_assert_eq(dp_kernel_vrf_remakes(k), 8);
	log = log_captured();
	cr_assert(strstr(log, "VRF A: device vrf-A (ifindex 111) deleted again, 500 ms after vrfmgr "
			      "last put it right: made again in 1000 ms, its links down until then") !=
			  NULL,
		  "%s", log);
	/* the eighth attempt in a row spent: no more, said so, its links down */
	fake_now += 500;
	before = n_calls;
	vrf_a_deleted(ifindex);
	cr_assert_eq(dp_kernel_next_tick_ms(k), -1, "nothing pending");
	fake_now += 600000;
	dp_kernel_tick(k);
	cr_assert_eq(count_ops("vrf_dev_add", before), 0);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 down");
	log = log_captured();
	cr_assert(strstr(log, "warning: kernel dataplane: VRF A: device vrf-A gone or refused 8 "
			      "times in a row: not made again (its links down, its routes and "
			      "labels not programmed) until vrfmgr restarts") != NULL, "%s", log);
	cr_assert_eq(dp_kernel_vrfs_without_device(k), 1);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.state, "given_up");
	cr_assert_eq(d.remade, 8);
	/* given up: ce-a1 brought up by hand is left so (no answer: no fight) */
	link_up[0] = true;
	before = n_calls;
	link_ev(2, "ce-a1", true);
	cr_assert_eq(n_calls, before);
	/* the releases of ce-a1 its up events forced, and the giving up, are the errors */
	cr_assert_geq(dp_kernel_errors(k), 1);
	/* a reload that builds A anew starts over */
	dp_kernel_ops.vrf_add(k, &(struct ipc_vrf){ .vrf_id = 1, .name = "A" });
	cr_assert_eq(dp_kernel_vrfs_without_device(k), 0);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.state, "present");
	cr_assert_eq(d.remade, 0);
}

Test(dp_kernel_remake, a_device_that_stayed_is_made_again_at_once, .init = setup, .fini = teardown)
{
	int before;

	lab();
	vrf_dev_shift = 10;
	vrf_a_deleted(101);
	fake_now += DPK_REMAKE_STABLE_MS; /* it stayed a minute: a new streak */
	vrf_dev_shift = 20;
	before = n_calls;
	vrf_a_deleted(111);
	cr_assert_eq(count_ops("vrf_dev_add", before), 1);
	cr_assert(link_up[0] && link_master[0] == 121);
	cr_assert_eq(dp_kernel_vrf_remakes(k), 2);
}

Test(dp_kernel_remake, a_refused_remake_is_tried_again_later, .init = setup, .fini = teardown)
{
	struct dp_kernel_vrf_device d;
	int before;
	const char *log;

	lab();
	log_capture(LOG_LVL_WARN);
	fail_vrf_devs = 1;
	before = n_calls;
	vrf_a_deleted(101);
	cr_assert_eq(count_ops("vrf_dev_add", before), 1);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 down until vrf-A is back");
	cr_assert_eq(count_ops("route", before), 1, "only the kernel's own cycle of ce-a1's route");
	cr_assert_eq(dp_kernel_next_tick_ms(k), 1000);
	log = log_captured();
	cr_assert(strstr(log, "warning: kernel dataplane: VRF A: making device vrf-A for table "
			      "10001 again: refused by the test: ") != NULL, "%s", log);
	cr_assert_eq(dp_kernel_errors(k), 1);
	/* refused when the core built a VRF (no retry there: logged, as before): missing */
	dp_kernel_ops.vrf_add(k, &(struct ipc_vrf){ .vrf_id = 3, .name = "C" });
	cr_assert(dp_kernel_vrf_device(k, 3, &d));
	cr_assert_str_eq(d.state, "missing");
	cr_assert_eq(dp_kernel_vrfs_without_device(k), 2);
	fail_vrf_devs = 0;
	vrf_dev_shift = 10;
	fake_now += 1000;
	dp_kernel_tick(k);
	cr_assert(link_up[0] && link_master[0] == 111, "bound again");
	cr_assert_eq(dp_kernel_vrf_remakes(k), 1);
	cr_assert_eq(dp_kernel_vrfs_without_device(k), 1, "C's only");
}

/* A reload that builds A anew while its device waits to be made again: the core's make wins. */
Test(dp_kernel_remake, a_rebuild_by_the_core_cancels_a_waiting_remake, .init = setup,
     .fini = teardown)
{
	struct ipc_vrf va = { .vrf_id = 1, .name = "A" };
	int before;

	lab();
	vrf_dev_shift = 10;
	vrf_a_deleted(101);
	fake_now += 500;
	vrf_a_deleted(111); /* waiting: 1 s */
	cr_assert_eq(dp_kernel_next_tick_ms(k), 1000);
	vrf_dev_shift = 20;
	dp_kernel_ops.vrf_add(k, &va); /* vrf-A, 121 */
	dp_kernel_ops.if_bind(k, &lab_a1);
	cr_assert_eq(dp_kernel_next_tick_ms(k), -1, "nothing pending");
	cr_assert(link_up[0] && link_master[0] == 121);
	fake_now += 1000;
	before = n_calls;
	dp_kernel_tick(k);
	cr_assert_eq(n_calls, before, "not made a second time");
}

/* vrf-A's deletion among the events the watch socket lost: the listing finds it gone. */
Test(dp_kernel_remake, a_deletion_among_lost_events_is_found_by_the_listing, .init = setup,
     .fini = teardown)
{
	int before;

	lab();
	devs[n_devs++] = (struct dev){ 102, "vrf-B", 10002, true }; /* vrf-A is not listed */
	link_master[0] = 0;
	vrf_dev_shift = 10;
	before = n_calls;
	cr_assert_eq(dp_kernel_resync(k), 0);
	cr_assert_eq(count_ops("vrf_dev_add", before), 1);
	cr_assert_str_eq(calls[before].name, "vrf-A");
	cr_assert(link_up[0] && link_master[0] == 111, "ce-a1 bound again");
	cr_assert(link_master[2] == 102, "ce-b1 untouched");
	cr_assert_eq(dp_kernel_vrf_remakes(k), 1);
	cr_assert_eq(dp_kernel_errors(k), 0);
}
