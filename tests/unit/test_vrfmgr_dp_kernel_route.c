/*
 * vrfmgr/dp_kernel_route.c without a kernel: the rtnetlink messages built for
 * each kind of FIB and LFIB entry (table, protocol, type, scope, label
 * stacks, gateways) and the VRF device names and table ids.
 */
#include "tests/unit/test_vrfmgr_dp_kernel.h"

Test(dp_kernel_names, vrf_device_name_and_table)
{
	char name[DPK_IFNAMSIZ], err[256];

	cr_assert_eq(dpk_vrf_ifname("A", name, err, sizeof(err)), 0);
	cr_assert_str_eq(name, "vrf-A");
	cr_assert_eq(dpk_vrf_ifname("cust-123456", name, err, sizeof(err)), 0);
	cr_assert_str_eq(name, "vrf-cust-123456"); /* 15 characters: the most Linux takes */
	cr_assert_eq(dpk_vrf_ifname("cust-1234567", name, err, sizeof(err)), -1);
	cr_assert(strstr(err, "\"vrf-cust-1234567\" would have 16 characters") != NULL, "%s", err);
	cr_assert(strstr(err, "want a VRF name of 1..11 characters") != NULL, "%s", err);
	cr_assert_eq(dpk_vrf_table(1), 10001);
	cr_assert_eq(dpk_vrf_table(65535), 75535);
}


Test(dp_kernel_route, label_stack_bytes)
{
	static const uint8_t want[8] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x81, 0x00 };
	uint32_t labels[2] = { 16, 200 };
	uint8_t got[8];

	dpk_label_stack(labels, 2, got);
	cr_assert_arr_eq(got, want, 8);
}


Test(dp_kernel_route, gateway_route_in_the_vrf_table)
{
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct parsed p;

	parse(fib(&nh, MPLS_LABEL_NONE, 4), &p);
	cr_assert_eq(p.rtm.rtm_family, AF_INET);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(p.rtm.rtm_type, RTN_UNICAST);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_UNIVERSE);
	cr_assert_eq(p.rtm.rtm_dst_len, 24);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10001);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.1.0"));
	cr_assert_eq(attr_be32(p.tb[RTA_GATEWAY]), ip("10.1.1.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 4);
	cr_assert_null(p.tb[RTA_ENCAP], "an unlabeled next hop pushes nothing");
	parsed_free(&p);
}


Test(dp_kernel_route, labeled_pushes_transport_and_vpn_labels)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	uint32_t labels[4];
	struct parsed p;

	parse(fib(&nh, 200, 3), &p);
	cr_assert_eq(encap_labels(&p, labels), 2);
	cr_assert_eq(labels[0], 16);
	cr_assert_eq(labels[1], 200);
	cr_assert_eq(attr_be32(p.tb[RTA_GATEWAY]), ip("10.0.1.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 3);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10001);
	parsed_free(&p);
}


Test(dp_kernel_route, labeled_implicit_null_pushes_only_the_vpn_label)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", MPLS_LABEL_IMPLICIT_NULL,
					"core0");
	uint32_t labels[4];
	struct parsed p;

	parse(fib(&nh, 200, 3), &p);
	cr_assert_eq(encap_labels(&p, labels), 1);
	cr_assert_eq(labels[0], 200);
	parsed_free(&p);
	/* nothing left to push: a plain route via the gateway */
	parse(fib(&nh, MPLS_LABEL_NONE, 3), &p);
	cr_assert_null(p.tb[RTA_ENCAP]);
	cr_assert_eq(attr_be32(p.tb[RTA_GATEWAY]), ip("10.0.1.2"));
	parsed_free(&p);
}


Test(dp_kernel_route, explicit_null_is_pushed)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2",
					MPLS_LABEL_IPV4_EXPLICIT_NULL, "core0");
	uint32_t labels[4];
	struct parsed p;

	parse(fib(&nh, 300, 3), &p);
	cr_assert_eq(encap_labels(&p, labels), 2);
	cr_assert_eq(labels[0], 0);
	cr_assert_eq(labels[1], 300);
	parsed_free(&p);
}


Test(dp_kernel_route, connected_local_and_drop)
{
	struct ipc_nexthop conn = nexthop(1, IPC_NH_CONNECTED, NULL, MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop local = nexthop(2, IPC_NH_LOCAL, NULL, MPLS_LABEL_NONE, "");
	struct ipc_nexthop drop = nexthop(3, IPC_NH_DROP, NULL, MPLS_LABEL_NONE, "");
	struct parsed p;

	parse(fib(&conn, MPLS_LABEL_NONE, 4), &p);
	cr_assert_eq(p.rtm.rtm_type, RTN_UNICAST);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_LINK);
	cr_assert_null(p.tb[RTA_GATEWAY]);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 4);
	parsed_free(&p);

	parse(fib(&local, MPLS_LABEL_NONE, 0), &p);
	cr_assert_eq(p.rtm.rtm_type, RTN_LOCAL);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_HOST);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 50, "a local route is on the VRF device");
	parsed_free(&p);

	parse(fib(&drop, MPLS_LABEL_NONE, 0), &p);
	cr_assert_eq(p.rtm.rtm_type, RTN_BLACKHOLE);
	cr_assert_null(p.tb[RTA_OIF]);
	cr_assert_null(p.tb[RTA_GATEWAY]);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	parsed_free(&p);
}


Test(dp_kernel_route, refused_with_a_reason)
{
	struct ipc_nexthop gw = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-gone");
	struct ipc_nexthop odd = nexthop(9, 42, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct dpk_fib_in in = { .table = 10001, .prefix = ip("10.9.0.0"), .plen = 16, .nh = &gw,
				 .inner_label = MPLS_LABEL_NONE, .oif = -NLE_OBJ_NOTFOUND };
	char why[160];

	cr_assert_null(dpk_route_fib(&in, why, sizeof(why)));
	cr_assert_str_eq(why, "interface ce-gone of next hop 7 does not exist");
	in.nh = &odd;
	in.oif = 4;
	cr_assert_null(dpk_route_fib(&in, why, sizeof(why)));
	cr_assert(strstr(why, "type 42") != NULL, "%s", why);
}


Test(dp_kernel_route, delete_key_matches_only_ferry_routes)
{
	struct parsed p;

	parse(dpk_route_fib_key(10002, ip("10.2.0.0"), 16), &p);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(p.rtm.rtm_type, RTN_UNSPEC);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_NOWHERE);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10002);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("10.2.0.0"));
	cr_assert_eq(p.rtm.rtm_dst_len, 16);
	cr_assert_null(p.tb[RTA_OIF]);
	parsed_free(&p);
}


Test(dp_kernel_route, lfib_pop_lookup_goes_to_the_vrf_device)
{
	struct ipc_lfib_entry e = { .in_label = 1000, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	char why[160];
	struct parsed p;

	parse(lfib(&e, NULL, 0, why), &p);
	assert_mpls_key(&p, 1000);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 50);
	cr_assert_null(p.tb[RTA_VIA]);
	cr_assert_null(p.tb[RTA_NEWDST]);
	parsed_free(&p);
}


Test(dp_kernel_route, lfib_swap_and_php)
{
	struct ipc_nexthop nh = nexthop(4, IPC_NH_GATEWAY, "10.0.2.2", MPLS_LABEL_NONE, "core1");
	struct ipc_lfib_entry e = { .in_label = 1001, .action = IPC_LFIB_SWAP, .nh_id = 4,
				    .out_label = 17 };
	uint32_t l[4];
	char why[160];
	struct parsed p;

	parse(lfib(&e, &nh, 6, why), &p);
	assert_mpls_key(&p, 1001);
	cr_assert_eq(labels_of(p.tb[RTA_NEWDST], l), 1);
	cr_assert_eq(l[0], 17);
	cr_assert_eq(via_of(&p), ip("10.0.2.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 6);
	parsed_free(&p);

	e.out_label = MPLS_LABEL_IMPLICIT_NULL; /* penultimate hop: popped */
	parse(lfib(&e, &nh, 6, why), &p);
	cr_assert_null(p.tb[RTA_NEWDST]);
	cr_assert_eq(via_of(&p), ip("10.0.2.2"));
	parsed_free(&p);
}


Test(dp_kernel_route, lfib_pop_forward_to_a_ce)
{
	struct ipc_nexthop ce = nexthop(5, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop conn = nexthop(6, IPC_NH_CONNECTED, NULL, MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop drop = nexthop(6, IPC_NH_DROP, NULL, MPLS_LABEL_NONE, "");
	struct ipc_lfib_entry e = { .in_label = 1002, .action = IPC_LFIB_POP_FORWARD, .nh_id = 5,
				    .vrf_id = 1 };
	char why[160];
	struct parsed p;

	parse(lfib(&e, &ce, 4, why), &p);
	assert_mpls_key(&p, 1002);
	cr_assert_null(p.tb[RTA_NEWDST]);
	cr_assert_eq(via_of(&p), ip("10.1.1.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 4);
	parsed_free(&p);

	/* the label of a connected link: popped into the VRF, whose connected route finds the host */
	e.nh_id = 6;
	parse(lfib(&e, &conn, 4, why), &p);
	assert_mpls_key(&p, 1002);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 50);
	cr_assert_null(p.tb[RTA_VIA]);
	parsed_free(&p);
	/* a drop next hop has nowhere to send to */
	drop.nh_id = 6;
	cr_assert_null(lfib(&e, &drop, 4, why));
	cr_assert(strstr(why, "has no gateway") != NULL, "%s", why);
	e.action = 9;
	cr_assert_null(lfib(&e, &ce, 4, why));
	cr_assert(strstr(why, "action 9") != NULL, "%s", why);
}
