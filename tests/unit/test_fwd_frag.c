/*
 * IPv4 fragmentation: frag_ipv4 alone (exact headers, options, offsets,
 * the data put back together), then through the PE's pipeline (a CE's
 * packet without DF too big once labeled leaves as labeled fragments; a
 * popped one too big for the CE's link leaves as plain ones).
 */
#include "fwd/frag.h"
#include "test_fwd_pe.h"

/* ---- frag_ipv4 alone ---- */

#define FRAGS_MAX 8

static struct {
	uint8_t data[T_BUF];
	size_t len;
} got[FRAGS_MAX];
static int n_got;

static void keep(void *ctx, struct fwd_pkt *frag)
{
	(void)ctx;
	cr_assert(n_got < FRAGS_MAX);
	cr_assert_geq(frag->headroom, FWD_HEADROOM, "room for labels in front");
	memcpy(got[n_got].data, frag->data, frag->len);
	got[n_got++].len = frag->len;
}

static const uint8_t *frag_ip(int i)
{
	return got[i].data + FWD_ETH_HLEN;
}

static unsigned frag_offset(int i)
{
	return (t_get16(frag_ip(i) + 6) & 0x1FFF) * 8u;
}

static bool frag_more(int i)
{
	return (t_get16(frag_ip(i) + 6) & 0x2000) != 0;
}

/* A UDP packet of total bytes, header hlen (options as given), flags/offset word ff. */
static struct ipv4_info packet(struct tframe *t, unsigned total, const uint8_t *opts,
			       unsigned opts_len, uint16_t ff)
{
	struct ipv4_info info;
	enum fwd_drop why;
	uint8_t *ip;

	t_eth(t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(t, SITE1, SITE2, 63, 17, total - 20 - opts_len);
	memmove(ip + 20 + opts_len, ip + 20, total - 20 - opts_len);
	if (opts_len > 0)
		memcpy(ip + 20, opts, opts_len);
	ip[0] = (uint8_t)(0x40 | (20 + opts_len) / 4);
	t_put16(ip + 2, (uint16_t)total);
	t_put16(ip + 6, ff);
	t->p.len = FWD_ETH_HLEN + total;
	t_put16(ip + 10, 0);
	t_put16(ip + 10, ipv4_checksum(ip, 20 + opts_len));
	cr_assert(ipv4_check(ip, total, &info, &why));
	n_got = 0;
	return info;
}

/* The fragments' data, put back together by offset, equals the packet's. */
static void expect_data(const struct tframe *t, const struct ipv4_info *info, unsigned base)
{
	const uint8_t *ip = t->p.data + FWD_ETH_HLEN;
	unsigned data_len = info->total_len - info->hlen, covered = 0;

	for (int i = 0; i < n_got; i++) {
		unsigned hl = (frag_ip(i)[0] & 0xF) * 4u, len = t_get16(frag_ip(i) + 2) - hl;

		cr_assert_eq(frag_offset(i), base + covered, "fragment %d in order, no gap", i);
		cr_assert_arr_eq(frag_ip(i) + hl, ip + info->hlen + covered, len);
		covered += len;
		cr_assert_eq(got[i].len, FWD_ETH_HLEN + hl + len);
		cr_assert(t_ip_csum_ok(frag_ip(i)));
		cr_assert_eq(t_get16(frag_ip(i) + 4), 0x1234, "the packet's identification");
		cr_assert_eq(frag_ip(i)[8], 63);
		cr_assert_eq(t_get32(frag_ip(i) + 12), SITE1);
		cr_assert_eq(t_get32(frag_ip(i) + 16), SITE2);
		cr_assert_arr_eq(got[i].data, t->p.data, FWD_ETH_HLEN);
	}
	cr_assert_eq(covered, data_len);
}

Test(frag, two_fragments_at_eight_byte_boundaries)
{
	struct tframe t;
	struct ipv4_info info = packet(&t, 1500, NULL, 0, 0);

	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 1492, keep, NULL), 2);
	cr_assert_eq(t_get16(frag_ip(0) + 2), 1492, "20 + 1,472: the most a multiple of 8 allows");
	cr_assert(frag_more(0));
	cr_assert_eq(t_get16(frag_ip(1) + 2), 20 + 8);
	cr_assert(!frag_more(1));
	expect_data(&t, &info, 0);
}

Test(frag, many_fragments)
{
	struct tframe t;
	struct ipv4_info info = packet(&t, 1500, NULL, 0, 0);

	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 576, keep, NULL), 3);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(t_get16(frag_ip(i) + 2), 20 + 552);
		cr_assert(frag_more(i));
	}
	cr_assert_eq(t_get16(frag_ip(2) + 2), 20 + 1480 - 2 * 552);
	cr_assert(!frag_more(2));
	expect_data(&t, &info, 0);
}

Test(frag, only_copied_options_after_the_first)
{
	/* record route (not copied), NOP, loose source route (copied), end of list */
	static const uint8_t opts[16] = { 7, 7, 4, 0, 0, 0, 0, 1, 0x83, 7, 4, 10, 0, 0, 1, 0 };
	struct tframe t;
	struct ipv4_info info = packet(&t, 1000, opts, sizeof(opts), 0);

	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 600, keep, NULL), 2);
	cr_assert_eq(frag_ip(0)[0], 0x45 + 4, "the first keeps every option");
	cr_assert_arr_eq(frag_ip(0) + 20, opts, sizeof(opts));
	cr_assert_eq(frag_ip(1)[0], 0x47, "the later: the 7-byte copied option, padded to 8");
	cr_assert_arr_eq(frag_ip(1) + 20, opts + 8, 7);
	cr_assert_eq(frag_ip(1)[27], 0, "end of list");
	expect_data(&t, &info, 0);
}

Test(frag, a_fragment_cut_again_keeps_its_place)
{
	struct tframe t;
	/* a middle fragment: offset 2,960, more to come */
	struct ipv4_info info = packet(&t, 1500, NULL, 0, 0x2000 | 2960 / 8);

	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 1000, keep, NULL), 2);
	cr_assert(frag_more(0));
	cr_assert(frag_more(1), "the original's MF: it was not the last piece");
	expect_data(&t, &info, 2960);
	/* the last fragment of a packet: its last piece has no MF */
	info = packet(&t, 1500, NULL, 0, 2960 / 8);
	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 1000, keep, NULL), 2);
	cr_assert(!frag_more(1));
	expect_data(&t, &info, 2960);
}

Test(frag, refused)
{
	static const uint8_t bad_opts[4] = { 0x83, 9, 0, 0 }; /* runs past the header */
	struct tframe t;
	struct ipv4_info info = packet(&t, 1500, NULL, 0, 0x4000);

	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 1492, keep, NULL), -EINVAL, "DF");
	info = packet(&t, 1500, NULL, 0, 0);
	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 27, keep, NULL), -EINVAL, "no room for 8 bytes");
	info = packet(&t, 1500, bad_opts, sizeof(bad_opts), 0);
	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 1492, keep, NULL), -EINVAL, "bad options");
	cr_assert_eq(n_got, 0, "nothing sent");
}

/*
 * A fragment whose data would end past the largest datagram (its offset
 * plus its data over 65,535 - 20): its pieces' offsets do not fit the
 * 13-bit field, and the carry would land in MF. Such a packet is refused,
 * not cut into fragments that say something else.
 */
Test(frag, offset_past_the_largest_datagram_refused)
{
	struct tframe t;
	/* the last 8-byte unit the field can name, then 1,480 bytes of data */
	struct ipv4_info info = packet(&t, 1500, NULL, 0, 0x1FFF);

	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 1000, keep, NULL), -EINVAL);
	cr_assert_eq(n_got, 0, "nothing sent");
	/* near the largest that fits (offset + data at most 65,515) */
	info = packet(&t, 1500, NULL, 0, (65515 - 1480) / 8);
	cr_assert_eq(frag_ipv4(&t.p, FWD_ETH_HLEN, &info, 1000, keep, NULL), 2);
	cr_assert(frag_more(0));
	cr_assert(!frag_more(1), "the original was the last fragment");
	expect_data(&t, &info, (65515 - 1480) / 8 * 8);
}

/* ---- through the PE ---- */

TestSuite(frag_pe, .init = setup, .fini = teardown);

Test(frag_pe, labeled_fragments_toward_the_core)
{
	struct tframe t;

	core0->mtu = 1500;
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 1480); /* 1,500 + two labels > 1,500; no DF */
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 2);
	for (int i = 0; i < 2; i++) {
		const uint8_t *ip = cap[i].data + 22;

		cr_assert_eq(cap[i].ifp, core0);
		cr_assert_arr_eq(cap[i].data, mac_p, 6);
		cr_assert_eq(t_lse(cap[i].data, 0).label, 16);
		cr_assert_eq(t_lse(cap[i].data, 1).label, 200);
		cr_assert(t_lse(cap[i].data, 1).bos);
		cr_assert_eq(t_lse(cap[i].data, 1).ttl, 63);
		cr_assert_eq(ip[8], 63, "the TTL was decremented once, before cutting");
		cr_assert(t_ip_csum_ok(ip));
		cr_assert_leq(cap[i].len - FWD_ETH_HLEN, 1500u, "labels and IP within the MTU");
	}
	cr_assert_eq(t_get16(cap[0].data + 22 + 2), 1492);
	cr_assert_eq(t_get16(cap[1].data + 22 + 2), 28);
	cr_assert_eq(f->ip_fragmented, 1);
	cr_assert_eq(f->ip_fragments, 2);
	cr_assert_eq(core0->tx_packets, 2);
	cr_assert_eq(total_drops(), 0);
}

Test(frag_pe, plain_fragments_toward_the_ce)
{
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 9 };
	struct tframe t;
	uint8_t *ip;

	ce_a->mtu = 1000;
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, SITE2, SITE1, 64);
	/* grow the 60-byte packet to 1,400 (no DF) */
	t.p.len = 14 + 4;
	ip = t_ipv4(&t, SITE2, SITE1, 64, 17, 1380);
	(void)ip;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 2);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(cap[i].ifp, ce_a);
		cr_assert_arr_eq(cap[i].data, mac_cea, 6);
		cr_assert_eq(t_get16(cap[i].data + 12), FWD_ETHERTYPE_IPV4);
		cr_assert(t_ip_csum_ok(cap[i].data + 14));
	}
	cr_assert_eq(t_get16(cap[0].data + 14 + 2), 996, "20 + 976");
	cr_assert_eq(t_get16(cap[1].data + 14 + 2), 20 + 1380 - 976);
	cr_assert_eq(f->ip_fragments, 2);
}

Test(frag_pe, df_still_gets_fragmentation_needed)
{
	struct tframe t;
	uint8_t *ip;

	core0->mtu = 1500;
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(&t, SITE1, SITE2, 64, 17, 1480);
	ip[6] = 0x40;
	t_put16(ip + 10, 0);
	t_put16(ip + 10, ipv4_checksum(ip, 20));
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT, "the error back to the CE");
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(cap[0].ifp, ce_a);
	cr_assert_eq(cap[0].data[14 + 20], 3, "destination unreachable");
	cr_assert_eq(cap[0].data[14 + 21], 4, "fragmentation needed");
	cr_assert_eq(f->ip_fragments, 0);
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 1);
}

/* ---- at an LSR (P): under the labels ---- */

/* [label | 200 S] with TTLs 9 over a UDP packet of total bytes, on core0; DF as given. */
static void labeled_big(struct tframe *t, uint32_t label, unsigned total, bool df)
{
	uint32_t l[2] = { label, 200 };
	uint8_t ttls[2] = { 9, 9 }, *ip;

	t_mpls_frame(t, mac_core0, mac_p, l, ttls, 2, SITE1, SITE2, 64);
	t->p.len = FWD_ETH_HLEN + 8;
	ip = t_ipv4(t, SITE1, SITE2, 64, 17, total - 20);
	if (df) {
		ip[6] = 0x40;
		t_put16(ip + 10, 0);
		t_put16(ip + 10, ipv4_checksum(ip, 20));
	}
}

Test(frag_pe, an_lsr_fragments_under_the_labels)
{
	struct tframe t;

	core1->mtu = 1500;
	labeled_big(&t, 16, 1500, false); /* swapped to 17: 1,508 bytes of labels and IP */
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 2);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(cap[i].ifp, core1);
		cr_assert_arr_eq(cap[i].data, mac_p2, 6);
		cr_assert_eq(t_lse(cap[i].data, 0).label, 17);
		cr_assert_eq(t_lse(cap[i].data, 0).ttl, 8);
		cr_assert_eq(t_lse(cap[i].data, 1).label, 200);
		cr_assert(t_lse(cap[i].data, 1).bos);
		cr_assert_eq(t_lse(cap[i].data, 1).ttl, 9, "only the top entry is swapped");
		cr_assert(t_ip_csum_ok(cap[i].data + 22));
		cr_assert_leq(cap[i].len - FWD_ETH_HLEN, 1500u);
	}
	cr_assert_eq(t_get16(cap[0].data + 22 + 2), 1492, "the MTU less two labels");
	cr_assert_eq(t_get16(cap[1].data + 22 + 2), 28);
	cr_assert_eq(f->ip_fragments, 2);
	cr_assert_eq(total_drops(), 0);
}

Test(frag_pe, penultimate_hop_popping_then_fragments)
{
	struct tframe t;

	core1->mtu = 1500;
	labeled_big(&t, 18, 1500, false); /* 18 is popped (PHP): [200] over 1,500 bytes */
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 2);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 200);
	cr_assert(t_lse(cap[0].data, 0).bos);
	cr_assert_eq(t_get16(cap[0].data + 18 + 2), 1492, "20 + 1,472: 1,496 less a multiple of 8");
	cr_assert_eq(t_get16(cap[1].data + 18 + 2), 28);
}

/*
 * The RFC 4950 extension after an LSR error's 128-byte quote: version 2, its
 * checksum, one MPLS label stack object with the n entries lse (as the
 * packet arrived: label, TC, S, TTL before fwd's decrement).
 */
static void expect_label_stack(const uint8_t *icmp, size_t icmp_len, const uint32_t *lse,
			       unsigned n)
{
	const uint8_t *ext = icmp + 8 + 128;

	cr_assert_eq(icmp_len, 8 + 128 + 8 + 4 * n);
	cr_assert_eq(icmp[5], 128 / 4, "the quote's length in words (RFC 4884)");
	cr_assert_eq(ext[0], 0x20, "extension version 2");
	cr_assert_eq(ipv4_checksum(ext, 8 + 4 * n), 0, "extension checksum");
	cr_assert_eq(t_get16(ext + 4), 4 + 4 * n, "object length");
	cr_assert_eq(ext[6], 1, "class: MPLS label stack");
	cr_assert_eq(ext[7], 1, "c-type: incoming label stack");
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(t_get32(ext + 8 + 4 * i), lse[i], "entry %u: %08x, want %08x", i,
			     t_get32(ext + 8 + 4 * i), lse[i]);
}

Test(frag_pe, an_lsr_sends_fragmentation_needed_along_the_lsp)
{
	struct tframe t;
	const uint8_t *ip, *icmp;

	core1->mtu = 1500;
	labeled_big(&t, 16, 1500, true);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT, "the error goes on");
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 1);
	cr_assert_eq(f->icmp_sent, 1);
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(cap[0].ifp, core1, "on along the LSP, to the egress PE");
	cr_assert_eq(t_lse(cap[0].data, 0).label, 17);
	cr_assert_eq(t_lse(cap[0].data, 0).ttl, 255);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 200);
	cr_assert_eq(t_lse(cap[0].data, 1).ttl, 255);
	ip = cap[0].data + 22;
	icmp = ip + 20;
	cr_assert(t_ip_csum_ok(ip));
	cr_assert_eq(t_get32(ip + 12), t_ip(10, 0, 1, 1), "from the address it came in on");
	cr_assert_eq(t_get32(ip + 16), SITE1, "to the sender");
	cr_assert_eq(icmp[0], 3);
	cr_assert_eq(icmp[1], 4);
	cr_assert_eq(t_get16(icmp + 6), 1492, "the MTU less the labels");
	cr_assert_eq(ipv4_checksum(icmp, t_get16(ip + 2) - 20u), 0);
	cr_assert_eq(t_get32(icmp + 8 + 12), SITE1, "quoting the packet");
	/* as it arrived: [16 | 200 S], both TTL 9 (the top one swapped to 17 since) */
	expect_label_stack(icmp, t_get16(ip + 2) - 20u,
			   (const uint32_t[]){ 16u << 12 | 9, 200u << 12 | 0x100 | 9 }, 2);
	cr_assert_eq(f->ip_fragments, 0);
}

/*
 * After penultimate hop popping the popped entry goes back on top of the
 * stack the error shows; the entry it exposed keeps the TTL fwd gave it
 * (the popped one's less one: RFC 3032's propagation), its own is lost.
 */
Test(frag_pe, an_lsrs_fragmentation_needed_after_php_shows_the_popped_label)
{
	struct tframe t;
	const uint8_t *ip;

	core1->mtu = 1500;
	labeled_big(&t, 18, 1500, true); /* 18 is popped (PHP): [200] over 1,500 bytes */
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT, "the error goes on");
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 200);
	cr_assert(t_lse(cap[0].data, 0).bos);
	ip = cap[0].data + 18;
	cr_assert_eq(ip[20], 3);
	cr_assert_eq(ip[21], 4);
	cr_assert_eq(t_get16(ip + 20 + 6), 1496, "the MTU less the one label left");
	expect_label_stack(ip + 20, t_get16(ip + 2) - 20u,
			   (const uint32_t[]){ 18u << 12 | 9, 200u << 12 | 0x100 | 8 }, 2);
}

/*
 * A labeled frame longer than the IPv4 packet under its labels says (bytes
 * after the packet: padding, or junk a neighbour sent): too big as it is,
 * but the packet itself fits. It leaves whole, without what followed it,
 * and is neither counted as fragmented nor lost (a packet of a bare header
 * was cut into no fragments at all, counted as sent).
 */
Test(frag_pe, an_lsr_trims_bytes_after_the_packet_rather_than_cutting_it)
{
	static const unsigned totals[2] = { 60, 20 }; /* with data, a bare header */

	core1->mtu = 1500;
	for (int k = 0; k < 2; k++) {
		struct tframe t;

		labeled_big(&t, 16, totals[k], false);
		t.p.len = 1600; /* the rest is t_eth's 0xEE filler */
		n_cap = 0;
		cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
		cr_assert_eq(n_cap, 1, "total %u: the packet leaves", totals[k]);
		cr_assert_eq(cap[0].ifp, core1);
		cr_assert_eq(cap[0].len, FWD_ETH_HLEN + 8 + totals[k], "labels and the packet only");
		cr_assert_eq(t_lse(cap[0].data, 0).label, 17);
		cr_assert_eq(t_get16(cap[0].data + 22 + 6), 0, "not a fragment");
		cr_assert(t_ip_csum_ok(cap[0].data + 22));
	}
	cr_assert_eq(f->ip_fragmented, 0);
	cr_assert_eq(f->ip_fragments, 0);
	cr_assert_eq(total_drops(), 0);
}

/*
 * An LSR's fragmentation needed is built of the packet's first 548 bytes
 * under its label entries: on a link of less than that (and the labels),
 * it too must fit, cut like any packet without DF, not leave over the MTU.
 */
Test(frag_pe, an_lsrs_fragmentation_needed_fits_a_small_link_too)
{
	struct tframe t;
	unsigned ip_bytes = 0;

	core1->mtu = 300;
	labeled_big(&t, 16, 1000, true);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT, "the error goes on");
	cr_assert_eq(f->icmp_sent, 1);
	cr_assert_geq(n_cap, 1);
	for (int i = 0; i < n_cap; i++) {
		const uint8_t *ip = cap[i].data + 22;

		cr_assert_eq(cap[i].ifp, core1);
		cr_assert_leq(cap[i].len - FWD_ETH_HLEN, 300u, "frame %d within the MTU", i);
		cr_assert_eq(t_lse(cap[i].data, 0).label, 17);
		cr_assert_eq(t_lse(cap[i].data, 0).ttl, 255);
		cr_assert_eq(t_lse(cap[i].data, 1).label, 200);
		cr_assert(t_ip_csum_ok(ip));
		cr_assert_eq(t_get32(ip + 16), SITE1, "to the sender");
		cr_assert_eq(ip[9], 1, "ICMP");
		ip_bytes += t_get16(ip + 2) - 20u;
	}
	cr_assert_eq(cap[0].data[22 + 20], 3, "destination unreachable");
	cr_assert_eq(cap[0].data[22 + 21], 4, "fragmentation needed");
	cr_assert_eq(t_get16(cap[0].data + 22 + 20 + 6), 292, "the MTU less the labels");
	cr_assert_eq(ip_bytes, 8 + 128 + 8 + 2 * 4, "the whole error (and its label stack), in pieces");
}

/*
 * A link whose MTU is smaller than the labels a PE pushes (1 to 7 bytes on
 * a misconfigured tunnel): the room left for IPv4 wrapped around to 4 GB,
 * frag_ipv4 gave the packet back whole as its one "fragment", too big
 * again, which was cut again from the scratch buffer it sat in, without
 * end. It is dropped.
 */
Test(frag_pe, a_link_smaller_than_the_labels_drops)
{
	struct tframe t;

	core0->mtu = 4;
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 80); /* two labels to push: 8 bytes */
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(n_cap, 0);
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 1);
	cr_assert_eq(f->ip_fragments, 0);
}
