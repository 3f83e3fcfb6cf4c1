/*
 * fwd/mpls.c and fwd/ipv4.c on byte buffers: push/pop/swap with RFC 3443
 * uniform TTL, S bits, implicit null, headroom and malformed stacks; IPv4
 * header checks, incremental TTL checksum, ICMP echo reply.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "fwd/ipv4.h"
#include "fwd/mpls.h"
#include "test_fwd_util.h"

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };

Test(mpls, push_two_labels_onto_ipv4)
{
	struct tframe t;
	uint8_t ip_copy[60];
	uint32_t labels[2] = { 16, 200 };
	size_t len;

	t_ip_frame(&t, mac_a, mac_b, t_ip(192, 168, 100, 10), t_ip(192, 168, 101, 10), 63);
	len = t.p.len;
	memcpy(ip_copy, t.p.data + 14, 60);
	cr_assert_eq(mpls_push(&t.p, labels, 2, 63), 0);
	cr_assert_eq(t.p.len, len + 8);
	cr_assert_eq(t.p.headroom, 64 - 8);
	cr_assert_eq(mpls_ethertype(&t.p), ETHERTYPE_MPLS);
	cr_assert_arr_eq(t.p.data, mac_a, 6);
	cr_assert_arr_eq(t.p.data + 6, mac_b, 6);
	struct mpls_lse o = t_lse(t.p.data, 0), i = t_lse(t.p.data, 1);
	cr_assert_eq(o.label, 16);
	cr_assert(!o.bos);
	cr_assert_eq(o.ttl, 63);
	cr_assert_eq(i.label, 200);
	cr_assert(i.bos);
	cr_assert_eq(i.ttl, 63);
	cr_assert_arr_eq(t.p.data + 22, ip_copy, 60, "the IP packet must be untouched");
}

Test(mpls, implicit_null_outer_pushes_only_inner)
{
	struct tframe t;
	uint32_t labels[2] = { MPLS_LABEL_IMPLICIT_NULL, 200 };
	size_t len;

	t_ip_frame(&t, mac_a, mac_b, 1, 2, 10);
	len = t.p.len;
	cr_assert_eq(mpls_push(&t.p, labels, 2, 9), 0);
	cr_assert_eq(t.p.len, len + 4);
	cr_assert_eq(t_lse(t.p.data, 0).label, 200);
	cr_assert(t_lse(t.p.data, 0).bos);
	cr_assert_eq(t.p.data[18] >> 4, 4, "IPv4 right behind the single label");
}

Test(mpls, no_inner_label_pushes_outer_with_s)
{
	struct tframe t;
	uint32_t labels[2] = { 16, MPLS_LABEL_NONE };

	t_ip_frame(&t, mac_a, mac_b, 1, 2, 10);
	cr_assert_eq(mpls_push(&t.p, labels, 2, 9), 0);
	cr_assert_eq(t_lse(t.p.data, 0).label, 16);
	cr_assert(t_lse(t.p.data, 0).bos);
}

Test(mpls, push_nothing_leaves_frame)
{
	struct tframe t;
	uint32_t labels[2] = { MPLS_LABEL_IMPLICIT_NULL, MPLS_LABEL_NONE };
	size_t len;

	t_ip_frame(&t, mac_a, mac_b, 1, 2, 10);
	len = t.p.len;
	cr_assert_eq(mpls_push(&t.p, labels, 2, 9), 0);
	cr_assert_eq(t.p.len, len);
	cr_assert_eq(mpls_ethertype(&t.p), FWD_ETHERTYPE_IPV4);
}

Test(mpls, push_onto_label_stack_keeps_s_clear)
{
	struct tframe t;
	uint32_t in[1] = { 300 }, out[1] = { 17 };
	uint8_t ttls[1] = { 40 };

	t_mpls_frame(&t, mac_a, mac_b, in, ttls, 1, 1, 2, 64);
	t.p.data[14 + 2] |= 5 << 1; /* TC 5 on the existing entry */
	cr_assert_eq(mpls_push(&t.p, out, 1, 40), 0);
	cr_assert_eq(t_lse(t.p.data, 0).label, 17);
	cr_assert(!t_lse(t.p.data, 0).bos);
	cr_assert_eq(t_lse(t.p.data, 0).tc, 5);
	cr_assert_eq(t_lse(t.p.data, 1).label, 300);
	cr_assert(t_lse(t.p.data, 1).bos);
}

Test(mpls, push_without_headroom_fails_cleanly)
{
	struct tframe t;
	uint32_t labels[2] = { 16, 200 };
	uint8_t copy[100];

	t_eth(&t, 4, mac_a, mac_b, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, 2, 5, 17, 20);
	memcpy(copy, t.p.data, t.p.len);
	cr_assert_eq(mpls_push(&t.p, labels, 2, 4), -ENOSPC);
	cr_assert_arr_eq(t.p.data, copy, 54);
	cr_assert_eq(t.p.headroom, 4);
}

Test(mpls, push_rejects_bad_labels_and_short_frames)
{
	struct tframe t;
	uint32_t big[1] = { MPLS_LABEL_MAX + 1 };

	t_ip_frame(&t, mac_a, mac_b, 1, 2, 10);
	cr_assert_eq(mpls_push(&t.p, big, 1, 4), -EINVAL);
	t.p.len = 10;
	cr_assert_eq(mpls_push(&t.p, big, 1, 4), -EBADMSG);
	cr_assert_eq(mpls_ethertype(&t.p), -EBADMSG);
}

Test(mpls, pop_bottom_copies_ttl_into_ip)
{
	struct tframe t;
	uint32_t labels[1] = { 200 };
	uint8_t ttls[1] = { 61 };

	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 1, t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 63);
	cr_assert_eq(mpls_pop(&t.p), 0);
	cr_assert_eq(mpls_ethertype(&t.p), FWD_ETHERTYPE_IPV4);
	cr_assert_arr_eq(t.p.data, mac_a, 6);
	cr_assert_arr_eq(t.p.data + 6, mac_b, 6);
	cr_assert_eq(t.p.data[14 + 8], 60, "IP TTL = label TTL - 1");
	cr_assert(t_ip_csum_ok(t.p.data + 14), "checksum updated");
	cr_assert_eq(t.p.len, 14 + 60);
	cr_assert_eq(t.p.headroom, 68);
}

Test(mpls, pop_middle_copies_ttl_into_next_label)
{
	struct tframe t;
	uint32_t labels[2] = { 16, 200 };
	uint8_t ttls[2] = { 50, 255 };

	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 2, 1, 2, 64);
	cr_assert_eq(mpls_pop(&t.p), 0);
	cr_assert_eq(mpls_ethertype(&t.p), ETHERTYPE_MPLS);
	struct mpls_lse e = t_lse(t.p.data, 0);
	cr_assert_eq(e.label, 200);
	cr_assert_eq(e.ttl, 49);
	cr_assert(e.bos);
	cr_assert_eq(t.p.data[18 + 8], 64, "IP TTL untouched while a label remains");
}

Test(mpls, pop_expired_ttl_leaves_frame)
{
	struct tframe t;
	uint32_t labels[1] = { 200 };
	uint8_t ttls[1] = { 1 };
	uint8_t copy[80];

	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 1, 1, 2, 64);
	memcpy(copy, t.p.data, t.p.len);
	cr_assert_eq(mpls_pop(&t.p), -ETIMEDOUT);
	cr_assert_arr_eq(t.p.data, copy, 78);
	ttls[0] = 0;
	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 1, 1, 2, 64);
	cr_assert_eq(mpls_pop(&t.p), -ETIMEDOUT);
}

Test(mpls, pop_rejects_malformed)
{
	struct tframe t;
	uint32_t labels[1] = { 200 };
	uint8_t ttls[1] = { 9 };

	/* bottom of stack but the payload is not IPv4 */
	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 1, 1, 2, 64);
	t.p.data[18] = 0x60;
	cr_assert_eq(mpls_pop(&t.p), -EBADMSG);
	/* bottom of stack with a payload too short for an IPv4 header */
	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 1, 1, 2, 64);
	t.p.len = 18 + 10;
	cr_assert_eq(mpls_pop(&t.p), -EBADMSG);
	/* S clear but nothing below */
	t_eth(&t, 64, mac_a, mac_b, ETHERTYPE_MPLS);
	mpls_lse_encode(t.p.data + 14, &(struct mpls_lse){ .label = 16, .ttl = 9 });
	t.p.len = 18;
	cr_assert_eq(mpls_pop(&t.p), -EBADMSG);
	/* truncated label entry */
	t.p.len = 16;
	cr_assert_eq(mpls_pop(&t.p), -EBADMSG);
	/* not MPLS at all */
	t_ip_frame(&t, mac_a, mac_b, 1, 2, 10);
	cr_assert_eq(mpls_pop(&t.p), -EBADMSG);
	cr_assert_eq(mpls_swap(&t.p, 17), -EBADMSG);
}

Test(mpls, swap_rewrites_label_and_decrements_ttl)
{
	struct tframe t;
	uint32_t labels[2] = { 16, 200 };
	uint8_t ttls[2] = { 30, 30 };
	size_t len;

	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 2, 1, 2, 64);
	t.p.data[14 + 2] |= 3 << 1;
	len = t.p.len;
	cr_assert_eq(mpls_swap(&t.p, 99999), 0);
	struct mpls_lse e = t_lse(t.p.data, 0);
	cr_assert_eq(e.label, 99999);
	cr_assert_eq(e.ttl, 29);
	cr_assert_eq(e.tc, 3);
	cr_assert(!e.bos);
	cr_assert_eq(t_lse(t.p.data, 1).ttl, 30);
	cr_assert_eq(t.p.len, len);
	cr_assert_eq(mpls_swap(&t.p, MPLS_LABEL_MAX + 1), -EINVAL);
}

Test(mpls, swap_to_implicit_null_is_php)
{
	struct tframe t;
	uint32_t labels[2] = { 16, 200 };
	uint8_t ttls[2] = { 62, 62 };

	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 2, 1, 2, 64);
	cr_assert_eq(mpls_swap(&t.p, MPLS_LABEL_IMPLICIT_NULL), 0);
	cr_assert_eq(t_lse(t.p.data, 0).label, 200);
	cr_assert_eq(t_lse(t.p.data, 0).ttl, 61);
	cr_assert(t_lse(t.p.data, 0).bos);
}

Test(mpls, swap_expired_ttl)
{
	struct tframe t;
	uint32_t labels[1] = { 16 };
	uint8_t ttls[1] = { 1 };

	t_mpls_frame(&t, mac_a, mac_b, labels, ttls, 1, 1, 2, 64);
	cr_assert_eq(mpls_swap(&t.p, 17), -ETIMEDOUT);
	cr_assert_eq(t_lse(t.p.data, 0).label, 16);
}

Test(ipv4, set_ttl_matches_full_checksum)
{
	struct tframe t;
	uint8_t *ip;

	for (unsigned i = 0; i < 2000; i++) {
		uint8_t ttl = (uint8_t)(i * 37);
		uint16_t incremental;

		ip = t_ip_frame(&t, mac_a, mac_b, i * 2654435761u, ~i * 40503u, (uint8_t)i);
		ip[1] = (uint8_t)(i >> 3);
		t_put16(ip + 10, 0);
		t_put16(ip + 10, ipv4_checksum(ip, 20));
		ipv4_set_ttl(ip, ttl);
		incremental = t_get16(ip + 10);
		cr_assert_eq(ip[8], ttl);
		cr_assert(t_ip_csum_ok(ip), "case %u", i);
		t_put16(ip + 10, 0);
		/* 0x0000 and 0xFFFF are the same one's-complement value */
		uint16_t full = ipv4_checksum(ip, 20);
		cr_assert(incremental == full || (incremental ^ full) == 0xFFFF, "case %u", i);
	}
}

Test(ipv4, check_accepts_and_reports)
{
	struct tframe t;
	struct ipv4_info info;
	enum fwd_drop why;
	uint8_t *ip = t_ip_frame(&t, mac_a, mac_b, t_ip(1, 2, 3, 4), t_ip(5, 6, 7, 8), 9);

	cr_assert(ipv4_check(ip, 60 + 6, &info, &why), "padding after the packet is fine");
	cr_assert_eq(info.total_len, 60);
	cr_assert_eq(info.hlen, 20);
	cr_assert_eq(info.ttl, 9);
	cr_assert_eq(info.src, t_ip(1, 2, 3, 4));
	cr_assert_eq(info.dst, t_ip(5, 6, 7, 8));
}

struct bad_ip_case {
	const char *name;
	int offset;      /* byte to overwrite, -1 for none */
	uint8_t value;
	int offset2;     /* a second byte to overwrite, -1 for none */
	uint8_t value2;
	size_t avail;
	enum fwd_drop why;
};

Test(ipv4, check_rejects_malformed)
{
	static const struct bad_ip_case cases[] = {
		{ "version 6", 0, 0x65, -1, 0, 60, FWD_DROP_BAD_IP_HEADER },
		{ "IHL 4", 0, 0x44, -1, 0, 60, FWD_DROP_BAD_IP_HEADER },
		{ "IHL beyond total", 0, 0x4F, 3, 40, 60, FWD_DROP_BAD_IP_HEADER },
		{ "IHL beyond frame", 0, 0x4F, -1, 0, 40, FWD_DROP_TRUNCATED },
		{ "total < 20", 3, 10, -1, 0, 60, FWD_DROP_BAD_IP_HEADER },
		{ "total > frame", 3, 61, -1, 0, 60, FWD_DROP_TRUNCATED },
		{ "short header", -1, 0, -1, 0, 19, FWD_DROP_TRUNCATED },
		{ "empty", -1, 0, -1, 0, 0, FWD_DROP_TRUNCATED },
		{ "checksum", 10, 0x00, -1, 0, 60, FWD_DROP_BAD_IP_CHECKSUM },
		{ "ttl changed without checksum", 8, 200, -1, 0, 60, FWD_DROP_BAD_IP_CHECKSUM },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tframe t;
		struct ipv4_info info;
		enum fwd_drop why = FWD_DROP_MAX;
		uint8_t *ip = t_ip_frame(&t, mac_a, mac_b, 1, 2, 9);

		if (cases[i].offset >= 0)
			ip[cases[i].offset] = cases[i].value;
		if (cases[i].offset2 >= 0)
			ip[cases[i].offset2] = cases[i].value2;
		if (cases[i].offset == 10)
			ip[11] ^= 0xFF;
		cr_assert(!ipv4_check(ip, cases[i].avail, &info, &why), "%s accepted", cases[i].name);
		cr_assert_eq(why, cases[i].why, "%s: reason %s", cases[i].name, fwd_drop_name(why));
	}
}

Test(ipv4, echo_reply_in_place)
{
	struct tframe t;
	struct ipv4_info info;
	enum fwd_drop why;
	uint8_t *ip;

	t_eth(&t, 64, mac_a, mac_b, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(&t, t_ip(10, 1, 1, 2), t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 64);
	cr_assert(ipv4_check(ip, 84, &info, &why));
	cr_assert_eq(ipv4_echo_reply(ip, &info), 0);
	cr_assert(ipv4_check(ip, 84, &info, &why), "reply header valid");
	cr_assert_eq(info.src, t_ip(10, 1, 1, 1));
	cr_assert_eq(info.dst, t_ip(10, 1, 1, 2));
	cr_assert_eq(ip[20], 0, "echo reply");
	cr_assert_eq(ipv4_checksum(ip + 20, 64), 0, "ICMP checksum valid");
	/* a reply is not answered again, nor is UDP */
	cr_assert_eq(ipv4_echo_reply(ip, &info), -EINVAL);
	ip = t_ip_frame(&t, mac_a, mac_b, 1, 2, 9);
	cr_assert(ipv4_check(ip, 60, &info, &why));
	cr_assert_eq(ipv4_echo_reply(ip, &info), -EINVAL);
}
