/*
 * The forwarding pipeline in memory: a PE with VRFs A and B (programmed
 * through apply_msg as vrfmgr would) plus P-style label entries, fed byte
 * buffers; frames handed to the output hook are captured and checked.
 */
#include "test_fwd_pe.h"

TestSuite(pipeline, .init = setup, .fini = teardown);

Test(pipeline, ingress_vrf_lookup_and_push)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(cap[0].ifp, core0);
	cr_assert_arr_eq(cap[0].data, mac_p, 6);
	cr_assert_arr_eq(cap[0].data + 6, mac_core0, 6);
	cr_assert_eq(t_get16(cap[0].data + 12), ETHERTYPE_MPLS);
	struct mpls_lse o = t_lse(cap[0].data, 0), i = t_lse(cap[0].data, 1);
	cr_assert_eq(o.label, 16);
	cr_assert(!o.bos);
	cr_assert_eq(o.ttl, 63, "uniform model: IP TTL - 1 into the labels");
	cr_assert_eq(i.label, 200);
	cr_assert(i.bos);
	cr_assert_eq(i.ttl, 63);
	cr_assert_eq(cap[0].data[22 + 8], 63);
	cr_assert(t_ip_csum_ok(cap[0].data + 22));
	cr_assert_eq(cap[0].len, 14 + 8 + 60);
	cr_assert_eq(ce_a->rx_packets, 1);
	cr_assert_eq(core0->tx_packets, 1);
	cr_assert_eq(core0->tx_bytes, 82);
	cr_assert_eq(total_drops(), 0);
}

Test(pipeline, same_destination_in_vrf_b_uses_b_label)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_b, mac_ceb, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 201);
}

Test(pipeline, implicit_null_transport_pushes_only_vpn_label)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_b, mac_ceb, SITE1, t_ip(192, 168, 102, 1), 64);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 202);
	cr_assert(t_lse(cap[0].data, 0).bos);
	cr_assert_eq(cap[0].len, 14 + 4 + 60);
}


Test(pipeline, vrf_isolation)
{
	struct tframe t;
	uint8_t orig[60];

	/*
	 * 192.168.102.0/24 exists only in B: a packet arriving in A must not use
	 * it. It is dropped, and A's sender hears so: network unreachable from
	 * fwd's address on A's link, back to A's CE.
	 */
	memcpy(orig, t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(192, 168, 102, 1), 64), 60);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 1);
	cr_assert_eq(n_cap, 1);
	expect_icmp(&cap[0], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 3, 0, 0, orig, 60, 63);
	/* B's attachment subnet is not reachable from A either */
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, CEB_ADDR, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 2);
	cr_assert_eq(n_cap, 2);
	cr_assert_eq(cap[1].ifp, ce_a);
	n_cap = 0;
	/* the same local prefix goes to each VRF's own CE */
	t_ip_frame(&t, mac_ce_b, mac_ceb, t_ip(10, 2, 1, 2), SITE1, 64);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_b);
	cr_assert_arr_eq(cap[0].data, mac_ceb, 6);
}

Test(pipeline, egress_pop_and_lookup_in_label_vrf)
{
	struct tframe t;
	uint32_t labels[1] = { 100 };
	uint8_t ttls[1] = { 61 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE2, SITE1, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_a);
	cr_assert_arr_eq(cap[0].data, mac_cea, 6);
	cr_assert_arr_eq(cap[0].data + 6, mac_ce_a, 6);
	cr_assert_eq(t_get16(cap[0].data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(cap[0].data[14 + 8], 60, "label TTL - 1 copied into IP");
	cr_assert(t_ip_csum_ok(cap[0].data + 14));
	cr_assert_eq(cap[0].len, 74);
	/* label 101 lands the same destination in B */
	labels[0] = 101;
	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE2, SITE1, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].ifp, ce_b);
	cr_assert_arr_eq(cap[1].data, mac_ceb, 6);
}

Test(pipeline, egress_pop_forward_per_ce_label)
{
	struct tframe t;
	uint32_t labels[1] = { 102 };
	uint8_t ttls[1] = { 20 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE2, t_ip(172, 16, 0, 1), 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_b, "per-CE label forwards without a lookup");
	cr_assert_eq(cap[0].data[14 + 8], 19);
}

Test(pipeline, p_router_swap)
{
	struct tframe t;
	uint32_t labels[2] = { 16, 200 };
	uint8_t ttls[2] = { 63, 63 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 2, SITE1, SITE2, 63);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, core1);
	cr_assert_arr_eq(cap[0].data, mac_p2, 6);
	cr_assert_arr_eq(cap[0].data + 6, mac_core1, 6);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 17);
	cr_assert_eq(t_lse(cap[0].data, 0).ttl, 62);
	cr_assert(!t_lse(cap[0].data, 0).bos);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 200);
	cr_assert_eq(t_lse(cap[0].data, 1).ttl, 63);
}

Test(pipeline, p_router_php_exposes_inner_label)
{
	struct tframe t;
	uint32_t labels[2] = { 18, 200 };
	uint8_t ttls[2] = { 63, 63 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 2, SITE1, SITE2, 63);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, core1);
	cr_assert_eq(t_get16(cap[0].data + 12), ETHERTYPE_MPLS);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 200);
	cr_assert(t_lse(cap[0].data, 0).bos);
	cr_assert_eq(t_lse(cap[0].data, 0).ttl, 62, "popped TTL - 1 copied into the exposed label");
	cr_assert_eq(cap[0].len, 14 + 4 + 60);
}

Test(pipeline, p_router_php_of_last_label_exposes_ip)
{
	struct tframe t;
	uint32_t labels[1] = { 18 };
	uint8_t ttls[1] = { 5 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE1, SITE2, 63);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(t_get16(cap[0].data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(cap[0].data[14 + 8], 4);
	cr_assert(t_ip_csum_ok(cap[0].data + 14));
}

Test(pipeline, unknown_label_and_bad_stacks)
{
	struct tframe t;
	uint32_t l[2] = { 555, 200 }, l2[2] = { 100, 200 };
	uint8_t ttls[2] = { 9, 9 };

	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 2, 1, 2, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_UNKNOWN_LABEL), 1);
	/* reserved label 3 is never valid on the wire */
	l[0] = 3;
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 2, 1, 2, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_UNKNOWN_LABEL), 2);
	/* a per-VRF label with another label below it */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttls, 2, 1, 2, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_LABEL_STACK), 1);
	/* a per-VRF label over something that is not IPv4 */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttls, 1, 1, 2, 64);
	t.p.data[18] = 0x60;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_LABEL_STACK), 2);
	/* a per-VRF label over a broken IPv4 header */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttls, 1, 1, 2, 64);
	t.p.data[18 + 10] ^= 0x5A;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_IP_CHECKSUM), 1);
	cr_assert_eq(n_cap, 0);
}

Test(pipeline, truncated_and_malformed_frames)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 9 };

	for (size_t len = 0; len < 14; len++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
		t_ip_frame(&t, mac_core0, mac_p, SITE1, SITE2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	}
	cr_assert_eq(drops(FWD_DROP_TRUNCATED), 28);
	for (size_t len = 14; len < 18; len++) {
		t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, 1, 2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	}
	cr_assert_eq(drops(FWD_DROP_TRUNCATED), 32);
	for (size_t len = 14; len < 74; len++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED, "IPv4 cut at %zu", len);
	}
	cr_assert_eq(drops(FWD_DROP_TRUNCATED), 32 + 60);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	t.p.data[14] = 0x46;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	t.p.data[14 + 11] ^= 1;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_IP_CHECKSUM), 2);
	cr_assert_eq(n_cap, 0);
}

Test(pipeline, random_garbage_never_crashes)
{
	struct tframe t;
	uint64_t s = 42;
	struct fwd_iface *ifs[4] = { core0, core1, ce_a, ce_b };

	for (int i = 0; i < 20000; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		struct fwd_iface *ifp = ifs[(s >> 60) & 3];
		size_t len = (s >> 33) % 200;

		t_eth(&t, 64, ifp->mac, mac_p, (uint16_t)((s >> 40) & 1 ? 0x8847 : 0x0800));
		for (size_t j = 14; j < len; j++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			t.p.data[j] = (uint8_t)(s >> 56);
		}
		if (len > 14 && (s & 3) == 0)
			t.p.data[14] = 0x45; /* get past the version check now and then */
		t.p.len = len;
		fwd_input(f, ifp, &t.p);
		n_cap = 0;
	}
}

Test(pipeline, ipv4_on_core_is_left_to_the_kernel)
{
	struct tframe t;

	t_ip_frame(&t, mac_core0, mac_p, P_ADDR, t_ip(10, 0, 1, 1), 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_IGNORED);
	t_eth(&t, 64, mac_core0, mac_p, 0x86DD);
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_IGNORED);
	cr_assert_eq(total_drops(), 0);
	cr_assert_eq(core0->rx_packets, 2);
}

Test(pipeline, access_non_ip_is_dropped_and_counted)
{
	struct tframe t;

	t_eth(&t, 64, mac_ce_a, mac_cea, 0x86DD);
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	t_eth(&t, 64, mac_ce_a, mac_cea, ETHERTYPE_MPLS);
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_UNSUPPORTED), 2);
}

Test(pipeline, frames_for_other_macs_are_ignored)
{
	struct tframe t;

	t_ip_frame(&t, mac_p, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_IGNORED);
	cr_assert_eq(n_cap, 0);
	cr_assert_eq(total_drops(), 0);
}

Test(pipeline, mtu_exceeded_after_push)
{
	struct tframe t;

	core0->mtu = 1500;
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 1480);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT, "in fragments (test_fwd_frag.c)");
	cr_assert_eq(n_cap, 2);
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 0);
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 1472);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT, "1492 + 8 fits");
}

Test(pipeline, ethernet_padding_is_not_forwarded)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 9 };

	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 8); /* 28-byte packet in a 60-byte frame */
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].len, 14 + 8 + 28);
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, SITE2, SITE1, 64);
	t.p.len += 10;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].len, 14 + 60);
}

Test(pipeline, ping_to_own_address)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 50 };

	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, CEA_ADDR, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 32);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_a);
	cr_assert_arr_eq(cap[0].data, mac_cea, 6);
	cr_assert_eq(cap[0].data[14 + 20], 0, "echo reply");
	cr_assert_eq(t_get32(cap[0].data + 14 + 16), CEA_ADDR);
	/* from the remote site, through the core: the reply goes back labeled */
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, SITE2, t_ip(10, 1, 1, 1), 64);
	t.p.len -= 60;
	t_ipv4(&t, SITE2, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 32);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].ifp, core0);
	cr_assert_eq(t_lse(cap[1].data, 1).label, 200);
	/* anything else addressed to fwd is dropped */
	t_ip_frame(&t, mac_ce_a, mac_cea, CEA_ADDR, t_ip(10, 1, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_TO_SELF), 1);
}

Test(pipeline, arp_answers_own_address_on_access_only)
{
	static const uint8_t newcomer[6] = { 2, 0, 0, 0, 0x55, 5 };

	cr_assert_eq(arp_in(ce_a, 1, newcomer, t_ip(10, 1, 1, 3), bcast, t_ip(10, 1, 1, 1)),
		     FWD_SENT);
	cr_assert_eq(n_cap, 1);
	const uint8_t *a = cap[0].data + 14;
	cr_assert_arr_eq(cap[0].data, newcomer, 6);
	cr_assert_eq(t_get16(cap[0].data + 12), FWD_ETHERTYPE_ARP);
	cr_assert_eq(t_get16(a + 6), 2, "reply");
	cr_assert_arr_eq(a + 8, mac_ce_a, 6);
	cr_assert_eq(t_get32(a + 14), t_ip(10, 1, 1, 1));
	cr_assert_arr_eq(a + 18, newcomer, 6);
	cr_assert_eq(t_get32(a + 24), t_ip(10, 1, 1, 3));
	cr_assert_eq(arp_find(ce_a, t_ip(10, 1, 1, 3))->state, ARP_REACHABLE, "requester learned");
	/* not our address: no answer (a stranger's request is ignored altogether) */
	arp_in(ce_a, 1, newcomer, t_ip(10, 1, 1, 3), bcast, t_ip(10, 1, 1, 2));
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(arp_in(ce_a, 1, newcomer, t_ip(10, 1, 1, 9), bcast, t_ip(10, 1, 1, 2)),
		     FWD_IGNORED);
	cr_assert_null(arp_find(ce_a, t_ip(10, 1, 1, 9)));
	/* the kernel owns core addresses: fwd never answers there */
	cr_assert_eq(arp_in(core0, 1, mac_p, P_ADDR, bcast, t_ip(10, 0, 1, 1)), FWD_CONSUMED);
	cr_assert_eq(n_cap, 1);
	/* core: an unknown neighbour's request teaches nothing */
	arp_in(core0, 1, newcomer, t_ip(10, 0, 1, 3), bcast, t_ip(10, 0, 1, 1));
	cr_assert_null(arp_find(core0, t_ip(10, 0, 1, 3)));
	/* malformed ARP on an access link is counted */
	struct tframe t;
	t_eth(&t, 64, bcast, newcomer, FWD_ETHERTYPE_ARP);
	t.p.len = 30;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_ARP), 1);
}

Test(pipeline, arp_resolution_queue_and_release)
{
	struct tframe t;
	static const uint8_t host[6] = { 2, 0, 0, 0, 0x77, 7 };
	int i;

	/* a connected destination with no ARP entry yet */
	for (i = 0; i < 6; i++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(10, 1, 1, 3), 64);
		t.p.data[14 + 20] = (uint8_t)i; /* tell the frames apart */
		t.p.data[14 + 10] = t.p.data[14 + 11] = 0;
		t_put16(t.p.data + 24, ipv4_checksum(t.p.data + 14, 20));
		cr_assert_eq(fwd_input(f, ce_a, &t.p), i < ARP_QUEUE_MAX ? FWD_QUEUED : FWD_DROPPED);
	}
	cr_assert_eq(drops(FWD_DROP_ARP_QUEUE_FULL), 2);
	cr_assert_eq(n_cap, 1, "one request");
	const uint8_t *a = cap[0].data + 14;
	cr_assert_arr_eq(cap[0].data, bcast, 6);
	cr_assert_eq(t_get16(a + 6), 1);
	cr_assert_eq(t_get32(a + 14), t_ip(10, 1, 1, 1), "asked from our access address");
	cr_assert_eq(t_get32(a + 24), t_ip(10, 1, 1, 3));
	cr_assert_eq(cap[0].len, 60);
	cr_assert_eq(arp_in(ce_a, 2, host, t_ip(10, 1, 1, 3), mac_ce_a, t_ip(10, 1, 1, 1)),
		     FWD_CONSUMED);
	cr_assert_eq(n_cap, 1 + ARP_QUEUE_MAX);
	for (i = 0; i < ARP_QUEUE_MAX; i++) {
		cr_assert_arr_eq(cap[1 + i].data, host, 6);
		cr_assert_eq(cap[1 + i].data[14 + 20], i, "in order");
	}
}

Test(pipeline, arp_core_request_from_core_address)
{
	struct tframe t;

	arp_flush(f, core0);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_QUEUED);
	cr_assert_eq(cap[0].ifp, core0);
	cr_assert_eq(t_get32(cap[0].data + 14 + 14), t_ip(10, 0, 1, 1));
	/* a gratuitous request from the neighbour resolves it too */
	arp_in(core0, 1, mac_p, P_ADDR, bcast, P_ADDR);
	cr_assert_eq(n_cap, 2);
	cr_assert_arr_eq(cap[1].data, mac_p, 6);
	cr_assert_eq(t_get16(cap[1].data + 12), ETHERTYPE_MPLS);
}

Test(pipeline, arp_retries_then_fails_then_ages)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(10, 1, 1, 3), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_QUEUED);
	for (int i = 0; i < 5; i++) {
		f->now_ms += ARP_RETRY_MS;
		arp_tick(f, ce_a);
	}
	cr_assert_eq(n_cap, ARP_MAX_TRIES, "bounded retries");
	cr_assert_eq(arp_find(ce_a, t_ip(10, 1, 1, 3))->state, ARP_FAILED);
	cr_assert_eq(drops(FWD_DROP_ARP_FAILED), 1);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(10, 1, 1, 3), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_ARP_FAILED), 2);
	f->now_ms += ARP_FAILED_HOLD_MS;
	arp_tick(f, ce_a);
	cr_assert_null(arp_find(ce_a, t_ip(10, 1, 1, 3)), "failed entry forgotten");
	/* reachable entries age out after arp_timeout */
	cr_assert_not_null(arp_find(ce_a, CEA_ADDR));
	f->now_ms += (uint64_t)f->arp_timeout_s * 1000;
	arp_tick(f, ce_a);
	cr_assert_null(arp_find(ce_a, CEA_ADDR));
}

Test(pipeline, tx_failure_is_counted)
{
	struct tframe t;

	fail_output = 1;
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_TX_ERROR), 1);
	cr_assert_eq(core0->tx_packets, 0);
}

Test(pipeline, next_hop_placeholder_until_announced)
{
	struct tframe t;

	add_route(1, t_ip(172, 16, 0, 0), 16, 99, 300);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_NEXTHOP), 1);
	add_nh(99, IPC_NH_LABELED, P_ADDR, 16, "core0");
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 300);
	/* a next hop update (new LSP label) applies to every route using it */
	add_nh(99, IPC_NH_LABELED, P_ADDR, 40, "core0");
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[1].data, 0).label, 40);
	/* drop next hops count as blackhole */
	add_nh(99, IPC_NH_DROP, 0, 0, "");
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BLACKHOLE), 1);
}

Test(pipeline, unbound_interface_forwards_nothing)
{
	struct tframe t;
	struct ipc_if_bind b = { .vrf_id = 1 };

	strcpy(b.ifname, "ce-a1");
	t_apply(f, IPC_IF_UNBIND, &b, sizeof(b));
	cr_assert(!ce_a->active);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 1);
	/* and traffic toward it has no usable next hop */
	t_ip_frame(&t, mac_core0, mac_p, SITE2, SITE1, 64);
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 9 };
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, SITE2, SITE1, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_NEXTHOP), 1);
}

Test(pipeline, core_interface_cannot_be_bound)
{
	bind_if("core0", 1, t_ip(10, 9, 9, 9));
	cr_assert_eq(core0->role, FWD_IF_CORE);
	cr_assert_eq(core0->addr, t_ip(10, 0, 1, 1));
}
