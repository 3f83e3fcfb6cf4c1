/*
 * vrfmgr/dp_kernel*.c without a kernel, the ops over a recording io: what
 * reaches the kernel for each core call, re-programming when a next hop, a
 * bind or a link changes, link events, errors counted and not lost.
 */
#include "tests/unit/test_vrfmgr_dp_kernel.h"

Test(dp_kernel_ops, vrf_becomes_a_device_with_its_table, .init = setup, .fini = teardown)
{
	struct ipc_vrf v = { .vrf_id = 3, .name = "cust-1234567" };

	vrf_a();
	cr_assert_eq(n_calls, 1);
	cr_assert_str_eq(calls[0].op, "vrf_dev_add");
	cr_assert_str_eq(calls[0].name, "vrf-A");
	cr_assert_eq(calls[0].table, 10001);
	/* a name that cannot be a device: refused, counted, nothing asked of the kernel */
	dp_kernel_ops.vrf_add(k, &v);
	cr_assert_eq(n_calls, 1);
	cr_assert_eq(dp_kernel_errors(k), 1);
	v = (struct ipc_vrf){ .vrf_id = 1, .name = "A" };
	dp_kernel_ops.vrf_del(k, &v);
	cr_assert_str_eq(calls[1].op, "link_del");
	cr_assert_eq(calls[1].ifindex, 101);
}

Test(dp_kernel_ops, bind_enslaves_adds_the_address_and_reprograms, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct parsed p;

	vrf_a();
	/* vrfmgr sends a link's next hops (and routes) before its bind */
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.fib_add(k, &e);
	cr_assert_str_eq(calls[1].op, "route");
	link_up[0] = false; /* ce-a1 made, not brought up: the bind does it */
	dp_kernel_ops.if_bind(k, &b);
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 in vrf-A and up");
	cr_assert_str_eq(calls[2].op, "enslave");
	cr_assert_eq(calls[2].ifindex, 2);
	cr_assert_eq(calls[2].master, 101);
	cr_assert_str_eq(calls[3].op, "addr");
	cr_assert(calls[3].add);
	cr_assert_eq(calls[3].table, ip("10.1.1.1"));
	cr_assert_eq(calls[3].master, 30);
	/* enslaving took the link down and up: its routes are programmed again */
	cr_assert_eq(n_calls, 5);
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.100.0"));
	parsed_free(&p);

	/* unbound: out of vrf-A without its address, and down (its CE reaches no table) */
	dp_kernel_ops.if_unbind(k, &b);
	cr_assert_str_eq(calls[5].op, "addr");
	cr_assert(!calls[5].add);
	cr_assert_str_eq(calls[6].op, "release");
	cr_assert_eq(calls[6].ifindex, 2);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	cr_assert_eq(dp_kernel_errors(k), 0);
	/* bound again: up again */
	dp_kernel_ops.if_bind(k, &b);
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 in vrf-A and up again");
}

/* The calls from index from on, as "op:ifindex/master" words, for a readable assert. */
Test(dp_kernel_ops, a_removed_vrf_leaves_its_links_down, .init = setup, .fini = teardown)
{
	struct ipc_if_bind a1 = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				  .ifname = "ce-a1" };
	struct ipc_if_bind b1 = { .vrf_id = 2, .address = ip("10.2.1.1"), .plen = 30,
				  .ifname = "ce-b1" };
	struct ipc_vrf va = { .vrf_id = 1, .name = "A" }, vb = { .vrf_id = 2, .name = "B" };
	char got[256];
	int before;

	dp_kernel_ops.vrf_add(k, &va); /* vrf-A, 101 */
	dp_kernel_ops.vrf_add(k, &vb); /* vrf-B, 102 */
	dp_kernel_ops.if_bind(k, &a1);
	dp_kernel_ops.if_bind(k, &b1);
	/* a reload removes A the core's way: its links unbound, then the VRF */
	before = n_calls;
	dp_kernel_ops.if_unbind(k, &a1);
	dp_kernel_ops.vrf_del(k, &va);
	calls_from(before, got, sizeof(got));
	cr_assert_str_eq(got, "addr:2/30 release:2/0 link_del:101/0", "%s", got);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	/* B removed with ce-b1 still bound (a link moving to a kept VRF, bound there next):
	 * released down before its device goes, which the kernel would release up */
	before = n_calls;
	dp_kernel_ops.vrf_del(k, &vb);
	calls_from(before, got, sizeof(got));
	cr_assert_str_eq(got, "release:4/0 link_del:102/0", "%s", got);
	cr_assert(!link_up[2] && link_master[2] == 0, "ce-b1 out of vrf-B and down");
	cr_assert(link_up[1], "core0 untouched");
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, a_link_that_comes_back_gets_its_routes_again, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop core = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct ipc_fib_entry remote = { .vrf_id = 1, .prefix = ip("192.168.101.0"), .plen = 24,
					.nh_id = 8, .inner_label = 200 };
	struct parsed p;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.nh_add(k, &core);
	dp_kernel_ops.if_bind(k, &b);
	dp_kernel_ops.fib_add(k, &e);
	dp_kernel_ops.fib_add(k, &remote);
	link_ev(2, "ce-a1", true); /* first seen: programmed again, harmless */
	before = n_calls;
	link_ev(2, "ce-a1", true); /* still up: nothing */
	cr_assert_eq(n_calls, before);
	link_ev(2, "ce-a1", false); /* down: the kernel dropped the route */
	cr_assert_eq(n_calls, before);
	link_ev(2, "ce-a1", true); /* up again: only the route through ce-a1 */
	cr_assert_eq(n_calls, before + 1);
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.100.0"));
	parsed_free(&p);
	/* deleted and made again: a new ifindex, bound and addressed again, then its route */
	ifindex_shift = 10;
	before = n_calls;
	link_ev(12, "ce-a1", true);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(count_ops("addr", before), 1);
	cr_assert_eq(count_ops("route", before), 1);
	cr_assert_eq(calls[before].ifindex, 12);
	cr_assert_eq(calls[before].master, 101);
	p = last_route(true);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 12);
	parsed_free(&p);
	/* a link nothing goes through: nothing, and nothing said of its flaps */
	before = n_calls;
	log_capture(LOG_LVL_WARN);
	log_set_level(LOG_LVL_INFO);
	link_ev(30, "eth9", true);
	link_ev(30, "eth9", false);
	link_ev(30, "eth9", true);
	cr_assert_eq(n_calls, before);
	cr_assert(strstr(log_captured(), "eth9") == NULL, "%s", log_captured());
	link_ev(12, "ce-a1", false);
	link_ev(12, "ce-a1", true); /* ...but of one routes go through */
	cr_assert(strstr(log_captured(), "ce-a1 is up again: its routes are programmed again") != NULL,
		  "%s", log_captured());
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, lost_link_events_are_made_up_by_listing_the_links, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct parsed p;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.if_bind(k, &b);
	dp_kernel_ops.fib_add(k, &e);
	link_ev(2, "ce-a1", true);
	devs[n_devs++] = (struct dev){ 101, "vrf-A", 10001, true }; /* still there */
	/* ce-a1 went down and up while the watch socket overran: both events lost */
	before = n_calls;
	cr_assert_eq(dp_kernel_resync(k), 0);
	cr_assert_eq(count_ops("route", before), 1, "the route through ce-a1 again");
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.100.0"));
	parsed_free(&p);
	/* and the events that follow are read as before: still up, nothing */
	before = n_calls;
	link_ev(2, "ce-a1", true);
	cr_assert_eq(n_calls, before);
	/* ce-a1 deleted and made again unseen: bound again */
	ifindex_shift = 10;
	before = n_calls;
	cr_assert_eq(dp_kernel_resync(k), 0);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(calls[before].ifindex, 12);
	cr_assert_eq(calls[before].master, 101);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, a_deleted_link_is_forgotten, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	int before;

	vrf_a();
	dp_kernel_ops.if_bind(k, &b);
	link_ev(2, "ce-a1", true);
	/* a host's links come and go (containers' veths): none of them is kept */
	for (int i = 1000; i < 1100; i++) {
		link_ev(i, "veth-x", true);
		dp_kernel_link_gone(k, i);
	}
	cr_assert_eq(k->links.n, 1, "only ce-a1's state: %zu", k->links.n);
	/* ce-a1 deleted (down, then gone) and made again with the same ifindex: bound again */
	link_ev(2, "ce-a1", false);
	dp_kernel_link_gone(k, 2);
	before = n_calls;
	link_ev(2, "ce-a1", true);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(calls[before].ifindex, 2);
	cr_assert_eq(calls[before].master, 101);
	cr_assert_eq(count_ops("addr", before), 1);
	cr_assert(calls[before + 1].add);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, a_new_address_replaces_the_old_one, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	int before;

	vrf_a();
	dp_kernel_ops.if_bind(k, &b);
	before = n_calls;
	b.address = ip("10.1.1.5"); /* a reload gave the link another address: IF_BIND again */
	dp_kernel_ops.if_bind(k, &b);
	cr_assert_eq(count_ops("addr", before), 2);
	cr_assert_str_eq(calls[before].op, "addr");
	cr_assert(!calls[before].add, "the old one removed first");
	cr_assert_eq(calls[before].table, ip("10.1.1.1"));
	cr_assert_str_eq(calls[before + 2].op, "addr");
	cr_assert(calls[before + 2].add);
	cr_assert_eq(calls[before + 2].table, ip("10.1.1.5"));
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b); /* the same again: nothing removed */
	cr_assert_eq(count_ops("addr", before), 1);
	cr_assert(calls[before + 1].add, "only the add (already there: no error)");
	/* unbind: the one it has now goes (IF_UNBIND carries no address) */
	before = n_calls;
	dp_kernel_ops.if_unbind(k, &(struct ipc_if_bind){ .vrf_id = 1, .ifname = "ce-a1" });
	cr_assert_str_eq(calls[before].op, "addr");
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before].table, ip("10.1.1.5"));
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, a_link_that_appears_later_is_bound_then, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.3.1.1"), .plen = 30,
				 .ifname = "ce-late" };
	int before;

	vrf_a();
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b); /* not there: logged and counted, nothing asked */
	cr_assert_eq(n_calls, before);
	cr_assert_eq(dp_kernel_errors(k), 1);
	late_present = true;
	link_ev(20, "ce-late", false); /* made, still down */
	cr_assert_eq(n_calls, before);
	link_ev(20, "ce-late", true);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(calls[before].ifindex, 20);
	cr_assert_eq(calls[before].master, 101);
	cr_assert_eq(count_ops("addr", before), 1);
	/* unbound before it ever appeared: forgotten, a later link of that name is left alone */
	late_present = false;
	dp_kernel_ops.if_unbind(k, &b);
	before = n_calls;
	late_present = true;
	link_ev(21, "ce-late", true);
	cr_assert_eq(n_calls, before);
}

Test(dp_kernel_ops, next_hop_change_reprograms_its_routes, .init = setup, .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_nexthop other = nexthop(9, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e1 = { .vrf_id = 1, .prefix = ip("192.168.101.0"), .plen = 24,
				    .nh_id = 8, .inner_label = 200 };
	struct ipc_fib_entry e2 = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				    .nh_id = 9, .inner_label = MPLS_LABEL_NONE };
	uint32_t labels[4];
	struct parsed p;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.nh_add(k, &other);
	dp_kernel_ops.fib_add(k, &e1);
	dp_kernel_ops.fib_add(k, &e2);
	before = n_calls;
	dp_kernel_ops.nh_add(k, &nh); /* the same: nothing to do */
	cr_assert_eq(n_calls, before);
	nh.out_label = 17; /* the LSP's label changed */
	dp_kernel_ops.nh_add(k, &nh);
	cr_assert_eq(n_calls, before + 1, "only the route through next hop 8");
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.101.0"));
	cr_assert_eq(encap_labels(&p, labels), 2);
	cr_assert_eq(labels[0], 17);
	cr_assert_eq(labels[1], 200);
	parsed_free(&p);

	dp_kernel_ops.fib_del(k, &e1);
	p = last_route(false);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10001);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.101.0"));
	parsed_free(&p);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, errors_are_counted_not_dropped, .init = setup, .fini = teardown)
{
	struct ipc_nexthop gone = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-zz");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct ipc_fib_entry unknown = { .vrf_id = 1, .prefix = ip("10.0.0.0"), .plen = 8,
					 .nh_id = 99, .inner_label = MPLS_LABEL_NONE };

	vrf_a();
	dp_kernel_ops.nh_add(k, &gone);
	dp_kernel_ops.fib_add(k, &e); /* no such interface: not asked of the kernel */
	cr_assert_eq(n_calls, 1);
	cr_assert_eq(dp_kernel_errors(k), 1);
	dp_kernel_ops.fib_add(k, &unknown); /* a next hop never sent */
	cr_assert_eq(dp_kernel_errors(k), 2);
	fail_routes = 1;
	gone = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	dp_kernel_ops.nh_add(k, &gone); /* now resolvable: tried again, the kernel refuses */
	cr_assert_eq(n_calls, 2);
	cr_assert_eq(dp_kernel_errors(k), 3);
}

/* What was logged (stderr, into a file for the test) since start_capture. */
Test(dp_kernel_ops, errors_say_what_was_being_programmed, .init = setup, .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_nexthop drop = nexthop(9, IPC_NH_DROP, NULL, MPLS_LABEL_NONE, "");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.101.0"), .plen = 24,
				   .nh_id = 8, .inner_label = 200 };
	struct ipc_lfib_entry l = { .in_label = 1002, .action = IPC_LFIB_POP_FORWARD, .nh_id = 9,
				    .vrf_id = 1 };
	const char *log;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.nh_add(k, &drop);
	log_capture(LOG_LVL_WARN);
	fail_routes = 1;
	dp_kernel_ops.fib_add(k, &e);
	dp_kernel_ops.lfib_add(k, &l);
	log = log_captured();
	cr_assert(strstr(log, "warning: kernel dataplane: FIB add in VRF A (table 10001) "
			      "192.168.101.0/24 via next hop 8 (labeled via 10.0.1.2 dev core0, "
			      "push 16/200): Invalid input data or parameter\n") != NULL,
		  "%s", log);
	cr_assert(strstr(log, "warning: kernel dataplane: LFIB add of label 1002 (pop_forward in "
			      "VRF A to next hop 9 (drop)): not programmed: next hop 9 has no "
			      "gateway") != NULL,
		  "%s", log);
	cr_assert_eq(dp_kernel_errors(k), 2);
}

Test(dp_kernel_ops, lfib_entries, .init = setup, .fini = teardown)
{
	struct ipc_lfib_entry pop = { .in_label = 1000, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	struct parsed p;

	vrf_a();
	dp_kernel_ops.lfib_add(k, &pop);
	p = last_route(true);
	assert_mpls_key(&p, 1000);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 101, "the VRF device");
	parsed_free(&p);
	dp_kernel_ops.lfib_del(k, &pop);
	p = last_route(false);
	assert_mpls_key(&p, 1000);
	parsed_free(&p);
}

/* A route's link is looked up once, and again after a link event (here: made again, a new ifindex). */
Test(dp_kernel_ops, a_route_link_is_looked_up_once_until_a_link_event, .init = setup,
     .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct parsed p;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	before = n_lookups;
	for (int i = 0; i < 3; i++) {
		e.prefix = ip("192.168.100.0") + ((uint32_t)i << 8);
		dp_kernel_ops.fib_add(k, &e);
	}
	cr_assert_leq(n_lookups - before, 1, "ce-a1 looked up %d times for 3 routes",
		      n_lookups - before);
	/* ce-a1 deleted and made again (ifindex 2 -> 12): the events forget what was looked up */
	ifindex_shift = 10;
	dp_kernel_link_gone(k, 2);
	link_ev(12, "ce-a1", true);
	e.prefix = ip("192.168.200.0");
	dp_kernel_ops.fib_add(k, &e);
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.200.0"));
	cr_assert_eq(rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(calls[n_calls - 1].route, 0)), 12);
	parsed_free(&p);
	cr_assert_eq(dp_kernel_errors(k), 0);
}
