/*
 * vrfmgr/dp_kernel_guard.c over the recording io: one of this run's VRF
 * devices set down, or a bound link taken out of it, behind vrfmgr's back,
 * as the link events say it and the io (the kernel) has it: set up again /
 * bound again with its address, and what the kernel dropped programmed
 * again; late events of what is already put right change nothing; when it
 * keeps happening, spaced by the backoff, then no more; and the pending
 * count that spares the timer a walk of the VRFs.
 */
#include "tests/unit/test_vrfmgr_dp_kernel.h"

/* The state of ce-a1 in VRF A as GET /vrfs shows it. */
static const char *a_link_state;
static int a_link_ifindex;

static void on_link(const char *ifname, int ifindex, const char *state, void *arg)
{
	(void)arg;
	if (strcmp(ifname, "ce-a1") == 0) {
		a_link_state = state;
		a_link_ifindex = ifindex;
	}
}

static const char *ce_a1_state(void)
{
	a_link_state = NULL;
	dp_kernel_vrf_links(k, 1, on_link, NULL);
	cr_assert_not_null(a_link_state);
	return a_link_state;
}

/* `ip link set vrf-A down`, as vrfmgr reads it. */
static void vrf_a_set_down(int ifindex)
{
	dev_down[ifindex] = true;
	link_ev(ifindex, "vrf-A", false);
}

/* `ip link set ce-a1 nomaster` (master 0) or `master X`: the kernel cycles it, up. */
static void ce_a1_moved(int master)
{
	link_master[0] = master;
	link_ev(2, "ce-a1", false);
	link_ev(2, "ce-a1", true);
}

Test(dp_kernel_guard, a_vrf_device_set_down_is_set_up_again_with_its_routes, .init = setup,
     .fini = teardown)
{
	struct dp_kernel_vrf_device d;
	uint32_t tables[16];
	int oifs[16], before, n;
	const char *log;

	lab();
	log_capture(LOG_LVL_WARN);
	log_set_level(LOG_LVL_INFO);
	before = n_calls;
	vrf_a_set_down(101);
	cr_assert_eq(count_ops("link_up", before), 1);
	cr_assert_eq(calls[before].ifindex, 101, "vrf-A set up");
	cr_assert(!dev_down[101]);
	cr_assert_eq(count_ops("vrf_dev_add", before) + count_ops("enslave", before), 0,
		     "nothing made or bound: only set up");
	/* A's two routes and its label (the kernel dropped what went through vrf-A) */
	n = routes_from(before, tables, oifs);
	cr_assert_eq(n, 3, "%d routes", n);
	for (int i = 0; i < n; i++)
		cr_assert(tables[i] == 10001 || tables[i] == 0, "A's only: table %u", tables[i]);
	log = log_captured();
	cr_assert(strstr(log, "warning: kernel dataplane: VRF A: device vrf-A (ifindex 101) was set "
			      "down, not by vrfmgr: setting it up again") != NULL, "%s", log);
	cr_assert(strstr(log, "info: kernel dataplane: VRF A put right: device vrf-A set up again; "
			      "links bound again: 0, routes and labels programmed again: 3") != NULL,
		  "%s", log);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.state, "present");
	cr_assert_eq(d.set_up_again, 1);
	cr_assert_eq(d.remade, 0);
	cr_assert(!d.repair_pending);
	cr_assert_eq(dp_kernel_errors(k), 0);
	/* its own up event, and a late copy of the down one (the device is up now): nothing */
	before = n_calls;
	link_ev(101, "vrf-A", true);
	dp_kernel_link_event(k, 101, "vrf-A", 0, false);
	cr_assert_eq(n_calls, before);
	/* another VRF's device, and a link that is no VRF's, set down: not vrfmgr's business */
	dev_down[102] = false;
	link_ev(30, "eth9", false);
	cr_assert_eq(n_calls, before);
}

Test(dp_kernel_guard, a_bound_link_taken_out_is_bound_again_with_its_address, .init = setup,
     .fini = teardown)
{
	struct dp_kernel_vrf_device d;
	uint32_t tables[16];
	int oifs[16], before, n;
	bool via_ce = false;
	const char *log;

	lab();
	log_capture(LOG_LVL_WARN);
	log_set_level(LOG_LVL_INFO);
	before = n_calls;
	ce_a1_moved(0);
	cr_assert_eq(count_ops("enslave", before), 1, "bound again once");
	cr_assert(link_master[0] == 101 && link_up[0], "ce-a1 in vrf-A, up");
	cr_assert_eq(count_ops("addr", before), 1);
	for (int i = before; i < n_calls; i++)
		if (strcmp(calls[i].op, "addr") == 0)
			cr_assert(calls[i].add && calls[i].ifindex == 2 &&
				  calls[i].table == lab_a1.address && calls[i].master == 30);
	n = routes_from(before, tables, oifs);
	for (int i = 0; i < n; i++)
		via_ce |= tables[i] == 10001 && oifs[i] == 2;
	cr_assert(via_ce, "the route via the CE programmed again");
	cr_assert(link_master[2] == 102, "ce-b1 untouched");
	log = log_captured();
	cr_assert(strstr(log, "warning: kernel dataplane: VRF A: ce-a1 was taken out of vrf-A (now in "
			      "no VRF device), not by vrfmgr: binding it again") != NULL, "%s", log);
	cr_assert(strstr(log, "info: kernel dataplane: VRF A put right: device vrf-A up; links bound "
			      "again: 1, routes and labels programmed again: ") != NULL, "%s", log);
	cr_assert_str_eq(ce_a1_state(), "bound");
	cr_assert_eq(a_link_ifindex, 2);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_eq(d.links_bound_again, 1);
	cr_assert_eq(dp_kernel_errors(k), 0);
	/* late copies of the events that said it was out (it is back): nothing */
	before = n_calls;
	dp_kernel_link_event(k, 2, "ce-a1", 0, false);
	dp_kernel_link_event(k, 2, "ce-a1", 0, true);
	cr_assert_eq(count_ops("enslave", before) + count_ops("release", before), 0);
}

/* Enslaved to another VRF device (B's: A's CE would reach B's sites) is taken out too. */
Test(dp_kernel_guard, a_bound_link_moved_into_another_vrf_is_bound_back, .init = setup,
     .fini = teardown)
{
	const char *log;
	int before;

	lab();
	log_capture(LOG_LVL_WARN);
	before = n_calls;
	ce_a1_moved(102);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(link_master[0], 101, "ce-a1 back in vrf-A");
	log = log_captured();
	cr_assert(strstr(log, "VRF A: ce-a1 was taken out of vrf-A (now a slave of ifindex 102), not "
			      "by vrfmgr: binding it again") != NULL, "%s", log);
}

/* vrfmgr's own moves (a reload moving ce-a1 to B, an unbind) are not undone. */
Test(dp_kernel_guard, vrfmgr_own_moves_are_not_undone, .init = setup, .fini = teardown)
{
	struct ipc_if_bind to_b = lab_a1;
	int before;

	lab();
	to_b.vrf_id = 2;
	dp_kernel_ops.if_bind(k, &to_b);
	cr_assert_eq(link_master[0], 102);
	before = n_calls;
	/* its events, read now: first the release from vrf-A (master 0), then into vrf-B */
	dp_kernel_link_event(k, 2, "ce-a1", 0, false);
	dp_kernel_link_event(k, 2, "ce-a1", 102, true);
	cr_assert_eq(count_ops("enslave", before) + count_ops("release", before), 0);
	dp_kernel_ops.if_unbind(k, &to_b);
	before = n_calls;
	link_ev(2, "ce-a1", false);
	cr_assert_eq(n_calls, before);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

/* Set down again and again: set up after 1 s, 2 s, 4 s..., then no more. */
Test(dp_kernel_guard, a_device_set_down_again_and_again_backs_off_then_stops, .init = setup,
     .fini = teardown)
{
	static const uint64_t waits[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
	struct dp_kernel_vrf_device d;
	const char *log;
	int before;

	lab();
	log_capture(LOG_LVL_WARN);
	vrf_a_set_down(101); /* set up at once */
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		fake_now += 500;
		before = n_calls;
		vrf_a_set_down(101);
		cr_assert_eq(count_ops("link_up", before), 0, "not at once (%zu)", i);
		cr_assert_eq(dp_kernel_next_tick_ms(k), (int64_t)waits[i], "wait %zu", i);
		cr_assert(dp_kernel_vrf_device(k, 1, &d));
		cr_assert_str_eq(d.state, "down");
		cr_assert(d.repair_pending);
		cr_assert_eq(d.remake_in_ms, waits[i]);
		/* its down event read twice meanwhile: still one attempt, when due */
		link_ev(101, "vrf-A", false);
		fake_now += waits[i] - 1;
		dp_kernel_tick(k);
		cr_assert_eq(count_ops("link_up", before), 0, "not before its time (%zu)", i);
		fake_now += 1;
		dp_kernel_tick(k);
		cr_assert_eq(count_ops("link_up", before), 1, "set up (%zu)", i);
		cr_assert(!dev_down[101]);
		cr_assert_eq(dp_kernel_next_tick_ms(k), -1);
	}
	log = log_captured();
	cr_assert(strstr(log, "VRF A: device vrf-A (ifindex 101) set down again, 500 ms after vrfmgr "
			      "last put it right: set up again in 1000 ms") != NULL, "%s", log);
	fake_now += 500;
	before = n_calls;
	vrf_a_set_down(101);
	fake_now += 600000;
	dp_kernel_tick(k);
	cr_assert_eq(count_ops("link_up", before), 0, "given up");
	cr_assert(dev_down[101]);
	log = log_captured();
	cr_assert(strstr(log, "VRF A: device vrf-A set down or its links taken out 8 times in a row "
			      "(or refused): not put right again") != NULL, "%s", log);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.state, "given_up");
	cr_assert_eq(d.set_up_again, 8);
	/* given up: a set up by hand and down again is not answered */
	dev_down[101] = false;
	link_ev(101, "vrf-A", true);
	before = n_calls;
	vrf_a_set_down(101);
	fake_now += 600000;
	dp_kernel_tick(k);
	cr_assert_eq(n_calls, before);
	/* a reload that builds A anew starts over */
	dp_kernel_ops.vrf_add(k, &(struct ipc_vrf){ .vrf_id = 1, .name = "A" });
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.state, "present");
	cr_assert_eq(d.set_up_again, 0);
}

/*
 * Taken out again within a minute: set down and out of any VRF until its
 * backoff is over (brought up meanwhile: set down again), then bound again.
 */
Test(dp_kernel_guard, a_link_taken_out_again_waits_down, .init = setup, .fini = teardown)
{
	struct dp_kernel_vrf_device d;
	const char *log;
	int before;

	lab();
	log_capture(LOG_LVL_WARN);
	ce_a1_moved(0); /* bound again at once */
	fake_now += 500;
	before = n_calls;
	ce_a1_moved(102); /* into vrf-B this time */
	cr_assert_eq(count_ops("enslave", before), 0, "not at once");
	cr_assert_eq(count_ops("release", before), 1);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 down and in no VRF meanwhile");
	cr_assert_eq(dp_kernel_next_tick_ms(k), 1000);
	cr_assert_str_eq(ce_a1_state(), "waiting");
	cr_assert_eq(a_link_ifindex, 0);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.state, "present", "the device is fine");
	cr_assert(d.repair_pending);
	log = log_captured();
	cr_assert(strstr(log, "VRF A: ce-a1 taken out of vrf-A (now a slave of ifindex 102) again, 500 "
			      "ms after vrfmgr last put it right: bound again in 1000 ms, its links "
			      "down until then") != NULL, "%s", log);
	/* its release read, then brought up by hand: set down again */
	link_ev(2, "ce-a1", false);
	cr_assert_eq(count_ops("release", before), 1, "its own release's event: nothing");
	link_up[0] = true;
	link_ev(2, "ce-a1", true);
	cr_assert_eq(count_ops("release", before), 2);
	cr_assert(!link_up[0]);
	fake_now += 1000;
	dp_kernel_tick(k);
	cr_assert_eq(count_ops("enslave", before), 1, "bound again when due");
	cr_assert(link_up[0] && link_master[0] == 101);
	cr_assert_str_eq(ce_a1_state(), "bound");
	cr_assert_eq(dp_kernel_next_tick_ms(k), -1);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_eq(d.links_bound_again, 2);
}

/* A link taken out while vrf-A is being deleted is vrf-A's deletion, not a move. */
Test(dp_kernel_guard, links_released_by_a_device_deletion_are_no_move, .init = setup,
     .fini = teardown)
{
	int before;

	lab();
	dev_there[101] = false;
	before = n_calls;
	ce_a1_moved(0);
	cr_assert_eq(count_ops("enslave", before), 0, "left to the deletion's event");
	cr_assert_eq(count_ops("release", before), 0);
}

/* n_pending: what the timer is armed from after every read of link events. */
Test(dp_kernel_guard, pending_repairs_are_counted, .init = setup, .fini = teardown)
{
	lab();
	cr_assert_eq(k->n_pending, 0);
	cr_assert_eq(dp_kernel_next_tick_ms(k), -1);
	vrf_a_set_down(101);
	fake_now += 500;
	vrf_a_set_down(101);
	cr_assert_eq(k->n_pending, 1);
	ce_a1_moved(0); /* the same VRF: its one attempt due puts both right */
	cr_assert_eq(k->n_pending, 1);
	cr_assert_eq(dp_kernel_next_tick_ms(k), 1000);
	/* a reload removes A while it waits: nothing pending, no timer */
	dp_kernel_ops.if_unbind(k, &lab_a1);
	dp_kernel_ops.vrf_del(k, &(struct ipc_vrf){ .vrf_id = 1, .name = "A" });
	cr_assert_eq(k->n_pending, 0);
	cr_assert_eq(dp_kernel_next_tick_ms(k), -1);
	/* and one put right when due is counted out */
	fake_now += 500;
	dev_down[102] = true;
	link_ev(102, "vrf-B", false); /* at once */
	fake_now += 500;
	dev_down[102] = true;
	link_ev(102, "vrf-B", false);
	cr_assert_eq(k->n_pending, 1);
	fake_now += 1000;
	dp_kernel_tick(k);
	cr_assert_eq(k->n_pending, 0);
	cr_assert(!dev_down[102]);
}

/* vrf-A deleted while ce-a1 waits to be bound again: the attempt due makes the device. */
Test(dp_kernel_guard, a_device_deleted_while_a_link_waits_is_made_at_the_attempt_due,
     .init = setup, .fini = teardown)
{
	struct dp_kernel_vrf_device d;
	int before;

	lab();
	ce_a1_moved(0); /* bound again at once */
	fake_now += 500;
	ce_a1_moved(0); /* waits 1 s, down */
	cr_assert_eq(dp_kernel_next_tick_ms(k), 1000);
	fake_now += 200;
	dev_there[101] = false;
	before = n_calls;
	dp_kernel_link_gone(k, 101);
	cr_assert_eq(count_ops("vrf_dev_add", before), 0, "not sooner than the attempt due");
	cr_assert_eq(dp_kernel_next_tick_ms(k), 800);
	cr_assert(dp_kernel_vrf_device(k, 1, &d));
	cr_assert_str_eq(d.state, "waiting");
	vrf_dev_shift = 10;
	fake_now += 800;
	dp_kernel_tick(k);
	cr_assert_eq(count_ops("vrf_dev_add", before), 1);
	cr_assert(link_up[0] && link_master[0] == 111, "ce-a1 in the new vrf-A");
	cr_assert_str_eq(ce_a1_state(), "bound");
	cr_assert_eq(k->n_pending, 0);
}
