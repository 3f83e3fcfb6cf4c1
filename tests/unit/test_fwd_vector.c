/*
 * The vector path (fwd/vector.c) on crafted frames: exact output bytes for
 * each fast case (push, pop+lookup, swap, PHP), drops by reason, the next-hop
 * MAC cache following ARP, and whole mixed batches compared frame by frame
 * with pipeline.c alone (f->slow_only) on a twin PE: same frames out, same
 * bytes, same verdicts, same counters. Random batches: test_fwd_vector_random.c.
 */
#include "test_fwd_vector.h"

TestSuite(vector, .init = setup, .fini = teardown);

Test(vector, push_exact_bytes)
{
	struct tframe t;
	uint8_t want[T_BUF];
	uint32_t labels[2] = { 16, 200 };
	uint8_t ttls[2] = { 63, 63 };
	size_t n;

	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_SENT);
	n = expect(want, mac_p, mac_core0, ETHERTYPE_MPLS, labels, ttls, 2, 63, SITE2);
	cr_assert_eq(pe1.n_out, 1);
	assert_out(&pe1.out[0], pe1.core0, want, n);
	cr_assert(t_ip_csum_ok(pe1.out[0].data + 22));
	cr_assert_eq(pe1.f->fast, 1);
	cr_assert_eq(pe1.ce_a->rx_packets, 1);
	cr_assert_eq(pe1.core0->tx_packets, 1);
	cr_assert_eq(pe1.core0->tx_bytes, n);
}

Test(vector, implicit_null_transport_pushes_one_label)
{
	struct tframe t;
	uint8_t want[T_BUF];
	uint32_t labels[1] = { 202 };
	uint8_t ttls[1] = { 9 };
	size_t n;

	udp_frame(&t, mac_ce_b, mac_ceb, t_ip(192, 168, 102, 1), 10);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_b, &t.p), FWD_SENT);
	n = expect(want, mac_p, mac_core0, ETHERTYPE_MPLS, labels, ttls, 1, 9,
		   t_ip(192, 168, 102, 1));
	assert_out(&pe1.out[0], pe1.core0, want, n);
}

Test(vector, pop_lookup_exact_bytes)
{
	struct tframe t;
	uint8_t want[T_BUF];
	uint32_t in[1] = { 100 };
	uint8_t ttls[1] = { 10 };
	size_t n;

	/* uniform model: label TTL 10 - 1 becomes the IP TTL (the IP TTL 64 is not used) */
	t_mpls_frame(&t, mac_core0, mac_p, in, ttls, 1, t_ip(192, 168, 101, 10), SITE1, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	t_eth(&t, 64, mac_cea, mac_ce_a, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, t_ip(192, 168, 101, 10), SITE1, 9, 17, 40);
	n = t.p.len;
	memcpy(want, t.p.data, n);
	assert_out(&pe1.out[0], pe1.ce_a, want, n);
	cr_assert(t_ip_csum_ok(pe1.out[0].data + 14));
	cr_assert_eq(pe1.f->fast, 1);
}

Test(vector, swap_keeps_tc_and_inner_entry)
{
	struct tframe t;
	uint32_t in[2] = { 16, 200 };
	uint8_t ttls[2] = { 5, 33 };

	t_mpls_frame(&t, mac_core0, mac_p, in, ttls, 2, 1, SITE2, 64);
	t.p.data[14 + 2] |= 5 << 1; /* TC 5 on the top entry */
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	cr_assert_eq(pe1.out[0].ifp, pe1.core1);
	cr_assert_arr_eq(pe1.out[0].data, mac_p2, 6);
	cr_assert_arr_eq(pe1.out[0].data + 6, mac_core1, 6);
	cr_assert_eq(t_get16(pe1.out[0].data + 12), ETHERTYPE_MPLS);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).label, 17);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).tc, 5);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).ttl, 4);
	cr_assert(!t_lse(pe1.out[0].data, 0).bos);
	cr_assert_eq(t_lse(pe1.out[0].data, 1).label, 200);
	cr_assert_eq(t_lse(pe1.out[0].data, 1).ttl, 33, "the inner entry is not touched");
	cr_assert(t_lse(pe1.out[0].data, 1).bos);
	cr_assert_eq(pe1.out[0].len, t.p.len);
	cr_assert_eq(pe1.f->fast, 1);
}

Test(vector, php_copies_ttl_to_exposed_label_or_ip)
{
	struct tframe t;
	uint32_t two[2] = { 18, 200 }, one[1] = { 18 };
	uint8_t ttls[2] = { 5, 7 };

	t_mpls_frame(&t, mac_core0, mac_p, two, ttls, 2, 1, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	cr_assert_eq(pe1.out[0].len, 14 + 4 + 60);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).label, 200);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).ttl, 4);
	cr_assert(t_lse(pe1.out[0].data, 0).bos);
	t_mpls_frame(&t, mac_core0, mac_p, one, ttls, 1, 1, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	cr_assert_eq(t_get16(pe1.out[1].data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(pe1.out[1].data[14 + 8], 4);
	cr_assert(t_ip_csum_ok(pe1.out[1].data + 14));
	cr_assert_eq(pe1.f->fast, 2);
}

Test(vector, drops_by_reason)
{
	struct tframe t;
	struct fwd_pkt p[4];
	struct fwd_iface *in[4] = { pe1.ce_a, pe1.ce_a, pe1.ce_a, pe1.ce_a };
	enum fwd_verdict v[4];
	uint8_t buf[4][T_BUF];

	udp_frame(&t, mac_ce_a, mac_cea, t_ip(8, 8, 8, 8), 64);   /* no route in A */
	memcpy(buf[0], t.buf, T_BUF);
	udp_frame(&t, mac_ce_a, mac_cea, t_ip(192, 168, 66, 1), 64); /* blackhole */
	memcpy(buf[1], t.buf, T_BUF);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 1);               /* TTL */
	memcpy(buf[2], t.buf, T_BUF);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	t.p.data[14 + 10] ^= 1;                                   /* checksum */
	memcpy(buf[3], t.buf, T_BUF);
	for (int i = 0; i < 4; i++)
		p[i] = (struct fwd_pkt){ buf[i] + 64, t.p.len, 64 };
	fwd_input_batch(pe1.f, in, p, 4, v);
	/* no route and TTL: dropped, and an ICMP error back to the CE for each */
	cr_assert_eq(v[0], FWD_SENT);
	cr_assert_eq(v[1], FWD_DROPPED);
	cr_assert_eq(v[2], FWD_SENT);
	cr_assert_eq(v[3], FWD_DROPPED);
	cr_assert_eq(pe1.f->drops[FWD_DROP_NO_ROUTE], 1);
	cr_assert_eq(pe1.f->drops[FWD_DROP_BLACKHOLE], 1);
	cr_assert_eq(pe1.f->drops[FWD_DROP_TTL_EXPIRED], 1);
	cr_assert_eq(pe1.f->drops[FWD_DROP_BAD_IP_CHECKSUM], 1);
	cr_assert_eq(pe1.n_out, 2);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pe1.out[i].ifp, pe1.ce_a);
		cr_assert_eq(pe1.out[i].data[14 + 9], IPV4_PROTO_ICMP);
		cr_assert_eq(pe1.out[i].data[14 + 20], i == 0 ? 3 : 11, "unreachable, then time exceeded");
	}
	cr_assert_eq(pe1.ce_a->rx_packets, 4);
}

Test(vector, mtu_exceeded_after_push)
{
	struct tframe t;

	uint8_t *ip;

	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(&t, 1, SITE2, 64, 17, 1600 - 20 - 4); /* 1596 + 8 > core MTU 1600 */
	ip[6] = 0x40; /* DF: no fragments; no error either (source 0.0.0.1 is no host) */
	t_put16(ip + 10, 0);
	t_put16(ip + 10, ipv4_checksum(ip, 20));
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(pe1.f->drops[FWD_DROP_MTU_EXCEEDED], 1);
	/* without DF the slow path sends it in two fragments */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, SITE2, 64, 17, 1600 - 20 - 4);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_SENT);
	cr_assert_eq(pe1.n_out, 2);
	cr_assert_eq(pe1.f->ip_fragments, 2);
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, SITE2, 64, 17, 1600 - 20 - 8);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_SENT);
	cr_assert_eq(pe1.n_out, 3, "1592 + 8 fits whole");
}

Test(vector, next_hop_mac_follows_arp)
{
	static const uint8_t moved[6] = { 2, 0, 0, 0, 0x99, 0x77 };
	struct tframe t;

	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	fwd_input(pe1.f, pe1.ce_a, &t.p);
	cr_assert_arr_eq(pe1.out[0].data, mac_p, 6);
	/* P's MAC changes: the cached copy must not be used any more */
	arp_in(&pe1, pe1.core0, 2, moved, P_ADDR, pe1.core0->addr);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	fwd_input(pe1.f, pe1.ce_a, &t.p);
	cr_assert_arr_eq(pe1.out[1].data, moved, 6);
	/* P ages out: the next frame waits for ARP instead of using the old MAC */
	pe1.f->now_ms += 301 * 1000;
	arp_tick(pe1.f, pe1.core0);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_QUEUED);
	cr_assert_eq(t_get16(pe1.out[2].data + 12), FWD_ETHERTYPE_ARP);
}

Test(vector, mixed_batch_matches_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));

	mixed(b);
	assert_same(b);
	cr_assert_gt(pe1.n_out, 8);
	cr_assert_eq(pe1.f->fast, 8,
		     "push x2, pop+lookup, swap, PHP, pop+forward (to a CE, to a labeled next hop), "
		     "padded push");
	cr_assert_eq(pe2.f->fast, 0);
	free(b);
}

/*
 * Popping to IPv4 gives the IP packet the label's TTL - 1 (uniform model)
 * and updates the header checksum incrementally (vector.c's ttl_set): for
 * every label TTL, with IP TTLs and source addresses (so checksums) spread
 * out, the bytes must be pipeline.c's, on all three ways to pop to IPv4.
 */
Test(vector, popped_ttl_and_checksum_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	const uint32_t pops[3][1] = { { 100 }, { 102 }, { 18 } }; /* lookup, forward, PHP */
	const uint32_t dsts[3] = { SITE1, SITE1, SITE2 };
	uint64_t fast = pe1.f->fast, frames = 0;

	for (unsigned ttl = 2; ttl < 256; ttl++) {
		uint8_t lse_ttl[1] = { (uint8_t)ttl };

		b->n = 0;
		for (int k = 0; k < 3; k++)
			for (int j = 0; j < 2; j++) {
				struct tframe t;
				uint8_t ip_ttl = j ? (uint8_t)(255 - ttl) : (uint8_t)(ttl * 37 + 11);

				t_mpls_frame(&t, mac_core0, mac_p, pops[k], lse_ttl, 1,
					     t_ip(192, 168, 100, (uint8_t)(ttl + j)), dsts[k], ip_ttl);
				add(b, &t, 0);
			}
		pe1.n_out = pe2.n_out = 0;
		assert_same(b);
		frames += b->n;
	}
	cr_assert_eq(pe1.f->fast - fast, frames, "every frame took the vector path");
	free(b);
}

/* Random damage to mixed frames (bytes flipped, lengths cut): both paths must agree. */
Test(vector, damaged_batches_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	uint64_t x = 7;

	for (int round = 0; round < 300; round++) {
		mixed(b);
		for (unsigned i = 0; i < b->n; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((x >> 60) < 6) {
				size_t at = (x >> 20) % (b->p[i].len + 1);

				if (at < b->p[i].len)
					b->p[i].data[at] ^= (uint8_t)(x >> 8) | 1;
			}
			if ((x >> 56) % 16 == 0)
				b->p[i].len = (x >> 30) % (b->p[i].len + 1);
		}
		pe1.n_out = pe2.n_out = 0;
		assert_same(b);
	}
	free(b);
}
