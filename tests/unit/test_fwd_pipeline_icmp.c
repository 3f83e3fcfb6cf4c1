/*
 * The ICMP errors the pipeline sends about what it drops (fwd/icmp.h,
 * docs/fwd.md): time exceeded from a CE, at the egress PE and at an LSR (on
 * along the LSP), fragmentation needed, network unreachable (in
 * test_fwd_pipeline.c's vrf_isolation), RFC 1812's exclusions, the rate
 * limit per VRF, and packets for fwd itself taken in whatever their TTL.
 * Exact bytes: addresses, checksums, the quoted packet, label TTLs, and the
 * label stack an error about a labeled packet carries (RFC 4950).
 */
#include "fwd/icmp.h"
#include "test_fwd_pe.h"

TestSuite(pipeline_icmp, .init = setup, .fini = teardown);

/* Takes the two label entries off a captured frame, as if it had come without them. */
static void unlabel(struct capture *c)
{
	memmove(c->data + 14, c->data + 22, c->len - 22);
	c->len -= 8;
	t_put16(c->data + 12, FWD_ETHERTYPE_IPV4);
}

/*
 * c is a time exceeded from src to dst, sent on ifp to mac, about a packet
 * that arrived labeled: it quotes orig (60 bytes; TTL byte ttl) zero padded
 * to 128 bytes, then the extension structure carries the n label entries
 * lse (4 bytes each, as received).
 */
static void expect_time_exceeded_mpls(const struct capture *c, const struct fwd_iface *ifp,
				      const uint8_t *mac, uint32_t src, uint32_t dst,
				      const uint8_t *orig, uint8_t ttl, const uint8_t *lse,
				      unsigned n)
{
	const uint8_t *ip = c->data + 14, *icmp = ip + 20, *q = icmp + 8, *ext = q + 128;
	uint8_t zeros[128 - 60] = { 0 };
	size_t icmp_len = 8 + 128 + 8 + 4 * n;

	cr_assert_eq(c->ifp, ifp, "ICMP error on %s", c->ifp->name);
	cr_assert_arr_eq(c->data, mac, 6);
	cr_assert_arr_eq(c->data + 6, ifp->mac, 6);
	cr_assert_eq(t_get16(c->data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(c->len, 14 + 20 + icmp_len);
	cr_assert_eq(t_get16(ip + 2), 20 + icmp_len);
	cr_assert_eq(ip[8], 64);
	cr_assert_eq(ip[9], IPV4_PROTO_ICMP);
	cr_assert(t_ip_csum_ok(ip));
	cr_assert_eq(t_get32(ip + 12), src, "from %08x", t_get32(ip + 12));
	cr_assert_eq(t_get32(ip + 16), dst, "to %08x", t_get32(ip + 16));
	cr_assert_eq(icmp[0], 11);
	cr_assert_eq(icmp[1], 0);
	cr_assert_eq(icmp[4], 0);
	cr_assert_eq(icmp[5], 128 / 4, "the quote's length in 32-bit words (RFC 4884)");
	cr_assert_eq(t_get16(icmp + 6), 0);
	cr_assert_eq(ipv4_checksum(icmp, icmp_len), 0, "ICMP checksum");
	cr_assert_arr_eq(q, orig, 8);
	cr_assert_eq(q[8], ttl);
	cr_assert(t_ip_csum_ok(q));
	cr_assert_arr_eq(q + 12, orig + 12, 60 - 12);
	cr_assert_arr_eq(q + 60, zeros, sizeof(zeros), "zero padded to 128 bytes");
	cr_assert_eq(ext[0], 0x20, "extension version 2");
	cr_assert_eq(ext[1], 0);
	cr_assert_eq(ipv4_checksum(ext, 8 + 4 * n), 0, "extension checksum");
	cr_assert_eq(t_get16(ext + 4), 4 + 4 * n, "object length");
	cr_assert_eq(ext[6], 1, "class: MPLS label stack");
	cr_assert_eq(ext[7], 1, "c-type: incoming label stack");
	cr_assert_arr_eq(ext + 8, lse, 4 * n, "the entries as they arrived");
}

Test(pipeline_icmp, ttl_expiry)
{
	struct tframe t;
	uint32_t l1[1] = { 100 }, l2[2] = { 16, 200 };
	uint8_t one[2] = { 1, 1 };
	uint8_t orig[60], lse[8];

	/* from A's CE: time exceeded from fwd's address on A's link, back to the CE */
	memcpy(orig, t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 1), 60);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	expect_icmp(&cap[0], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 11, 0, 0, orig, 60, 1);
	memcpy(orig, t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 0), 60);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	expect_icmp(&cap[1], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 11, 0, 0, orig, 60, 0);
	cr_assert_eq(cap[1].len, 14 + 28 + 60, "from a CE: no label stack extension");
	/*
	 * A's per-VRF label with TTL 1 at this egress PE: the error is from A's
	 * address here, routed in A back to the sender behind the other PE. It
	 * carries the label entry as it arrived (TC 3 to show it is that one).
	 */
	t_mpls_frame(&t, mac_core0, mac_p, l1, one, 1, SITE2, SITE1, 64);
	t.p.data[14 + 2] |= 3 << 1;
	memcpy(lse, t.p.data + 14, 4);
	memcpy(orig, t.p.data + 14 + 4, 60);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[2].ifp, core0);
	cr_assert_eq(t_lse(cap[2].data, 0).label, 16);
	cr_assert_eq(t_lse(cap[2].data, 1).label, 200);
	cr_assert(t_lse(cap[2].data, 1).bos);
	cr_assert_eq(t_lse(cap[2].data, 1).ttl, 64, "pushed with the error's own TTL");
	/* the error itself, under the labels */
	unlabel(&cap[2]);
	cr_assert_arr_eq(lse, ((const uint8_t[]){ 0x00, 0x06, 0x47, 0x01 }), 4);
	expect_time_exceeded_mpls(&cap[2], core0, mac_p, t_ip(10, 1, 1, 1), SITE2, orig, 64, lse, 1);
	/*
	 * a transit label (P role here): no VRF to answer from, so the error
	 * from core0's address goes on along the LSP under the same labels
	 * (fresh TTLs), for the egress PE to route back to the sender; it
	 * carries both entries as they arrived, TTLs not decremented
	 */
	t_mpls_frame(&t, mac_core0, mac_p, l2, one, 2, SITE2, SITE1, 64);
	t.p.data[14 + 2] |= 5 << 1;
	memcpy(lse, t.p.data + 14, 8);
	memcpy(orig, t.p.data + 14 + 8, 60);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_TTL_EXPIRED), 4);
	cr_assert_eq(n_cap, 4);
	cr_assert_eq(t_lse(cap[3].data, 0).label, 17, "swapped as the LFIB says");
	cr_assert_eq(t_lse(cap[3].data, 0).ttl, 254);
	cr_assert(!t_lse(cap[3].data, 0).bos);
	cr_assert_eq(t_lse(cap[3].data, 1).label, 200, "the VPN label kept");
	cr_assert_eq(t_lse(cap[3].data, 1).ttl, 255);
	cr_assert(t_lse(cap[3].data, 1).bos);
	unlabel(&cap[3]);
	cr_assert_arr_eq(lse, ((const uint8_t[]){ 0x00, 0x01, 0x0A, 0x01, 0x00, 0x0C, 0x81, 0x01 }),
			 8);
	expect_time_exceeded_mpls(&cap[3], core1, mac_p2, t_ip(10, 0, 1, 1), SITE2, orig, 64, lse,
				  2);
	n_cap = 0;
	/* TTL 2 still makes it, leaving with 1 */
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 2);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 0).ttl, 1);
}

/* A frame of total IPv4 bytes from A's CE toward site 2, DF as given. */
static uint8_t *big_frame(struct tframe *t, size_t total, bool df)
{
	uint8_t *ip;

	t_eth(t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(t, SITE1, SITE2, 64, 17, total - 20);
	if (df) {
		ip[6] |= 0x40;
		t_put16(ip + 10, 0);
		t_put16(ip + 10, ipv4_checksum(ip, 20));
	}
	return ip;
}

Test(pipeline_icmp, fragmentation_needed_when_df_is_set)
{
	struct tframe t;
	uint8_t orig[548];

	core0->mtu = 1500;
	/* 1496 bytes + two labels > 1500: the sender learns it can send 1492 */
	memcpy(orig, big_frame(&t, 1496, true), sizeof(orig));
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 1);
	cr_assert_eq(n_cap, 1);
	orig[10] = orig[11] = 0; /* the quoted header has TTL 63 and its checksum */
	expect_icmp(&cap[0], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 3, 4, 1492, orig,
		    sizeof(orig), 63);
	/* 1492 fits (without DF: test_fwd_frag.c) */
	big_frame(&t, 1492, true);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].ifp, core0);
	cr_assert_eq(cap[1].len, 14 + 8 + 1492);
	cr_assert_eq(n_cap, 2);
}

Test(pipeline_icmp, icmp_errors_only_where_allowed)
{
	struct tframe t;
	uint8_t *ip;

	/* no error about an ICMP error (an unreachable that cannot be delivered) */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(&t, SITE1, t_ip(8, 8, 8, 8), 64, IPV4_PROTO_ICMP, 36);
	ip[20] = 3;
	t_put16(ip + 22, 0);
	t_put16(ip + 22, ipv4_checksum(ip + 20, 36));
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	/* but about a ping, yes */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, t_ip(8, 8, 8, 8), 64, IPV4_PROTO_ICMP, 36);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 1);
	/* nor about a fragment other than the first */
	ip = t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(8, 8, 8, 8), 64);
	t_put16(ip + 6, 0x0010);
	t_put16(ip + 10, 0);
	t_put16(ip + 10, ipv4_checksum(ip, 20));
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	/* nor to a source that is no single host */
	t_ip_frame(&t, mac_ce_a, mac_cea, t_ip(0, 0, 0, 0), t_ip(8, 8, 8, 8), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	t_ip_frame(&t, mac_ce_a, mac_cea, t_ip(224, 0, 0, 5), SITE2, 1);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	/* nor to a sender the VRF has no route back to: no error built, no token spent */
	t_ip_frame(&t, mac_ce_a, mac_cea, t_ip(9, 9, 9, 9), t_ip(8, 8, 8, 8), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 5);
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(f->icmp_sent, 1);
	cr_assert_eq(fib_vrf_get(f, 1)->icmp.tokens, ICMP_BURST - 1, "only the ping's error took one");
}

Test(pipeline_icmp, icmp_errors_rate_limited)
{
	struct tframe t;
	int sent = 0;

	for (int i = 0; i < 2 * ICMP_BURST; i++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 1);
		sent += fwd_input(f, ce_a, &t.p) == FWD_SENT;
		n_cap = 0; /* the capture holds 32 */
	}
	cr_assert_eq(sent, ICMP_BURST, "a burst of %d, then none until time passes", ICMP_BURST);
	cr_assert_eq(f->icmp_limited, ICMP_BURST);
	cr_assert_eq(drops(FWD_DROP_TTL_EXPIRED), 2 * ICMP_BURST, "each counted as dropped");
	/* A's flood does not silence B: each VRF has its own bucket */
	t_ip_frame(&t, mac_ce_b, mac_ceb, SITE1, SITE2, 1);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT, "B's error held back by A's flood");
	n_cap = 0;
	f->now_ms += 10; /* 10 ms: 10 more at 1,000 a second */
	sent = 0;
	for (int i = 0; i < 2 * ICMP_BURST; i++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 1);
		sent += fwd_input(f, ce_a, &t.p) == FWD_SENT;
		n_cap = 0; /* the capture holds 32 */
	}
	cr_assert_eq(sent, 10 * ICMP_PER_SECOND / 1000);
}

Test(pipeline_icmp, expired_packets_for_us_are_taken_in)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t one[1] = { 1 };

	/* a ping to A's address here under A's label with TTL 1: answered, not expired */
	t_eth(&t, 64, mac_core0, mac_p, ETHERTYPE_MPLS);
	mpls_lse_encode(t.p.data + 14, &(struct mpls_lse){ .label = l[0], .bos = true, .ttl = one[0] });
	t.p.len += 4;
	t_ipv4(&t, SITE2, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 16);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_TTL_EXPIRED), 0);
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 200, "the reply goes back to site 2 in A");
	cr_assert_eq(cap[0].data[14 + 8 + 20], 0, "an echo reply");
}

Test(pipeline_icmp, per_ce_label_ttl_expiry_answers_from_its_vrf)
{
	struct tframe t;
	uint32_t l[1] = { 102 };
	uint8_t one[1] = { 1 };
	uint8_t orig[60];

	/* label 102 pops to B's CE: the error comes from B's address, back through B */
	t_mpls_frame(&t, mac_core0, mac_p, l, one, 1, SITE2, SITE1, 64);
	memcpy(orig, t.p.data + 14 + 4, 60);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 16);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 201, "B's route to site 2, not A's");
	unlabel(&cap[0]);
	expect_time_exceeded_mpls(&cap[0], core0, mac_p, t_ip(10, 2, 1, 1), SITE2, orig, 64,
				  (const uint8_t[]){ 0x00, 0x06, 0x61, 0x01 }, 1);
}
