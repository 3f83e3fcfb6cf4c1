/*
 * fwd/icmp.c on its own: which packets may have an error sent about them
 * (RFC 1812 4.3.2.7), the bytes of an error, plain and with the RFC 4950
 * label stack extension (RFC 4884), and the rate limit's bucket.
 * test_fwd_pipeline_icmp.c checks the errors the packet path sends.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fwd/icmp.h"
#include "test_fwd_util.h"

/* A UDP packet (or ICMP of type icmp_type when >= 0) src -> dst, checked. */
static uint8_t *packet(struct tframe *t, uint32_t src, uint32_t dst, int icmp_type,
		       struct ipv4_info *info)
{
	enum fwd_drop why;
	uint8_t *ip;

	t_eth(t, 64, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, (const uint8_t[6]){ 2, 0, 0, 0, 0, 2 },
	      FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(t, src, dst, 64, icmp_type >= 0 ? IPV4_PROTO_ICMP : 17, 32);
	if (icmp_type >= 0)
		ip[20] = (uint8_t)icmp_type;
	cr_assert(ipv4_check(ip, 52, info, &why));
	return ip;
}

Test(icmp, errors_allowed_only_about_one_host_s_first_fragments)
{
	struct tframe t;
	struct ipv4_info in;
	uint8_t *ip;

	ip = packet(&t, t_ip(192, 0, 2, 1), t_ip(198, 51, 100, 1), -1, &in);
	cr_assert(icmp_error_allowed(ip, &in));
	ip = packet(&t, t_ip(192, 0, 2, 1), t_ip(198, 51, 100, 1), 8, &in); /* echo request */
	cr_assert(icmp_error_allowed(ip, &in));
	for (int type = 3; type <= 12; type++) {
		bool error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;

		ip = packet(&t, t_ip(192, 0, 2, 1), t_ip(198, 51, 100, 1), type, &in);
		cr_assert_eq(icmp_error_allowed(ip, &in), !error, "ICMP type %d", type);
	}
	ip = packet(&t, t_ip(192, 0, 2, 1), t_ip(198, 51, 100, 1), -1, &in);
	ip[7] = 1; /* offset 8: not the first fragment */
	cr_assert_not(icmp_error_allowed(ip, &in));
	ip[6] = 0x20; /* more fragments, offset 0: the first */
	ip[7] = 0;
	cr_assert(icmp_error_allowed(ip, &in));
	static const uint32_t not_one_host[] = { 0, 0x01020304 & 0x00FFFFFF, 0x7F000001,
						 0xE0000005, 0xF0000001, 0xFFFFFFFF };
	for (size_t i = 0; i < sizeof(not_one_host) / sizeof(not_one_host[0]); i++) {
		ip = packet(&t, not_one_host[i], t_ip(198, 51, 100, 1), -1, &in);
		cr_assert_not(icmp_error_allowed(ip, &in), "source %08x", not_one_host[i]);
	}
	ip = packet(&t, t_ip(192, 0, 2, 1), t_ip(239, 1, 1, 1), -1, &in);
	cr_assert_not(icmp_error_allowed(ip, &in), "to a multicast group");
	ip = packet(&t, t_ip(192, 0, 2, 1), 0xFFFFFFFF, -1, &in);
	cr_assert_not(icmp_error_allowed(ip, &in), "to the broadcast address");
}

Test(icmp, error_quotes_at_most_548_bytes_and_needs_headroom)
{
	struct tframe t;
	struct ipv4_info in;
	uint8_t *ip, *e;

	t_eth(&t, 64, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, (const uint8_t[6]){ 2, 0, 0, 0, 0, 2 },
	      FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(&t, t_ip(192, 0, 2, 1), t_ip(198, 51, 100, 1), 9, 17, 1000);
	in = (struct ipv4_info){ .hlen = 20, .total_len = 1020, .src = t_ip(192, 0, 2, 1) };
	cr_assert_eq(icmp_error_build(&t.p, 14, &in, 3, 4, 1400, t_ip(10, 0, 0, 1)), 0);
	cr_assert_eq(t.p.len, 14 + 576);
	cr_assert_eq(t.p.headroom, 64 - ICMP_ERROR_ROOM);
	e = t.p.data + 14;
	cr_assert_eq(e + 28, ip, "the packet quoted where it was");
	cr_assert_eq(t_get16(e + 2), 576);
	cr_assert_eq(t_get32(e + 12), t_ip(10, 0, 0, 1));
	cr_assert_eq(t_get32(e + 16), t_ip(192, 0, 2, 1));
	cr_assert(t_ip_csum_ok(e));
	cr_assert_eq(e[20], 3);
	cr_assert_eq(e[21], 4);
	cr_assert_eq(t_get16(e + 26), 1400);
	cr_assert_eq(ipv4_checksum(e + 20, 8 + 548), 0);

	t_eth(&t, 20, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, (const uint8_t[6]){ 2, 0, 0, 0, 0, 2 },
	      FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, t_ip(192, 0, 2, 1), t_ip(198, 51, 100, 1), 9, 17, 10);
	cr_assert_eq(icmp_error_build(&t.p, 14, &in, 11, 0, 0, t_ip(10, 0, 0, 1)), -ENOSPC);
	cr_assert_eq(t.p.headroom, 20, "left as it was");
}

/*
 * An LSR's frame: Ethernet, [16 TC 5 TTL 1 | 200 S TTL 1] as received, then
 * a UDP packet of total bytes src -> 198.51.100.1 with TTL 1 (checked).
 */
static const uint8_t lsr_stack[8] = { 0x00, 0x01, 0x0A, 0x01, 0x00, 0x0C, 0x81, 0x01 };

static uint8_t *lsr_frame(struct tframe *t, size_t total, struct ipv4_info *info)
{
	enum fwd_drop why;
	uint8_t *ip;

	t_eth(t, 64, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, (const uint8_t[6]){ 2, 0, 0, 0, 0, 2 },
	      ETHERTYPE_MPLS);
	memcpy(t->p.data + 14, lsr_stack, 8);
	t->p.len += 8;
	ip = t_ipv4(t, t_ip(192, 0, 2, 1), t_ip(198, 51, 100, 1), 1, 17, total - 20);
	cr_assert(ipv4_check(ip, total, info, &why));
	return ip;
}

Test(icmp, error_with_the_label_stack_it_arrived_with)
{
	static const uint8_t ext[16] = {
		0x20, 0x00, 0x53, 0xE3,   /* version 2, reserved, checksum (as tshark checks it) */
		0x00, 0x0C, 0x01, 0x01,   /* object of 12 bytes: class 1 (MPLS label stack), c-type 1 */
		0x00, 0x01, 0x0A, 0x01,   /* label 16, TC 5, TTL 1: as received, not decremented */
		0x00, 0x0C, 0x81, 0x01 }; /* label 200, S, TTL 1 */
	struct icmp_mpls_stack stack = { NULL, 2 };
	uint8_t orig[14 + 8 + 60], zeros[68] = { 0 }, *e, *icmp, *q;
	struct tframe t;
	struct ipv4_info in;

	lsr_frame(&t, 60, &in);
	memcpy(orig, t.p.data, sizeof(orig));
	stack.lse = t.p.data + 14;
	cr_assert_eq(icmp_error_build_mpls(&t.p, 22, &in, 11, 0, 0, t_ip(10, 0, 1, 2), &stack), 0);
	cr_assert(t.p.data < t.buf || t.p.data >= t.buf + sizeof(t.buf), "not built in place");
	cr_assert_arr_eq(t.buf + 64, orig, sizeof(orig), "the received frame left as it was");
	cr_assert_eq(t.p.headroom, FWD_HEADROOM, "room to send it under labels");
	cr_assert_eq(t.p.len, 22 + 20 + 8 + 128 + 16);
	cr_assert_arr_eq(t.p.data, orig, 22, "Ethernet and label entries in front as they were");
	e = t.p.data + 22;
	icmp = e + 20;
	q = icmp + 8;
	cr_assert_eq(e[0], 0x45);
	cr_assert_eq(e[1], 0xC0);
	cr_assert_eq(t_get16(e + 2), 20 + 8 + 128 + 16);
	cr_assert_eq(e[8], 64);
	cr_assert_eq(e[9], IPV4_PROTO_ICMP);
	cr_assert(t_ip_csum_ok(e));
	cr_assert_eq(t_get32(e + 12), t_ip(10, 0, 1, 2));
	cr_assert_eq(t_get32(e + 16), t_ip(192, 0, 2, 1));
	cr_assert_eq(icmp[0], 11);
	cr_assert_eq(icmp[1], 0);
	cr_assert_eq(icmp[4], 0);
	cr_assert_eq(icmp[5], 32, "the quote's length: 128 bytes in 32-bit words");
	cr_assert_eq(t_get16(icmp + 6), 0);
	cr_assert_eq(ipv4_checksum(icmp, 8 + 128 + 16), 0, "ICMP checksum over the extension too");
	cr_assert_arr_eq(q, orig + 22, 60, "the packet quoted");
	cr_assert_arr_eq(q + 60, zeros, 68, "zero padded to 128 bytes");
	cr_assert_arr_eq(q + 128, ext, sizeof(ext));
	cr_assert_eq(ipv4_checksum(q + 128, sizeof(ext)), 0);
}

Test(icmp, extension_quotes_128_bytes_of_a_longer_packet_beside_the_mtu)
{
	struct icmp_mpls_stack stack = { lsr_stack + 4, 1 };
	struct tframe t;
	struct ipv4_info in;
	uint8_t orig[128], *icmp;

	memcpy(orig, lsr_frame(&t, 1000, &in), sizeof(orig));
	cr_assert_eq(icmp_error_build_mpls(&t.p, 22, &in, 3, 4, 1400, t_ip(10, 0, 1, 2), &stack), 0);
	cr_assert_eq(t.p.len, 22 + 20 + 8 + 128 + 12);
	icmp = t.p.data + 22 + 20;
	cr_assert_eq(icmp[0], 3);
	cr_assert_eq(icmp[1], 4);
	cr_assert_eq(icmp[4], 0);
	cr_assert_eq(icmp[5], 32);
	cr_assert_eq(t_get16(icmp + 6), 1400, "the next-hop MTU beside the length octet");
	cr_assert_arr_eq(icmp + 8, orig, 128, "the first 128 bytes, no more");
	cr_assert_arr_eq(icmp + 8 + 128, ((const uint8_t[]){ 0x20, 0x00, 0x5D, 0xE9, 0x00, 0x08, 0x01,
							      0x01, 0x00, 0x0C, 0x81, 0x01 }),
			 12);
	cr_assert_eq(ipv4_checksum(icmp, 8 + 128 + 12), 0);
}

Test(icmp, no_extension_where_it_cannot_go)
{
	struct icmp_mpls_stack none = { lsr_stack, 0 }, nine = { lsr_stack, 9 },
			       two = { lsr_stack, 2 };
	struct tframe t;
	struct ipv4_info in;
	uint8_t *data;

	lsr_frame(&t, 60, &in);
	data = t.p.data;
	cr_assert_eq(icmp_error_build_mpls(&t.p, 22, &in, 5, 0, 0, 1, &two), -EINVAL, "a redirect");
	cr_assert_eq(icmp_error_build_mpls(&t.p, 22, &in, 11, 0, 0, 1, &none), -EINVAL);
	cr_assert_eq(icmp_error_build_mpls(&t.p, 22, &in, 11, 0, 0, 1, &nine), -EINVAL);
	cr_assert_eq(icmp_error_build_mpls(&t.p, 14 + 9 * 4, &in, 11, 0, 0, 1, &two), -ENOSPC,
		     "nine label entries in front");
	cr_assert(t.p.data == data && t.p.len == 22 + 60 && t.p.headroom == 64, "left as it was");
	/* an error about the error just built: that buffer is not copied into itself */
	cr_assert_eq(icmp_error_build_mpls(&t.p, 22, &in, 11, 0, 0, 1, &two), 0);
	data = t.p.data;
	cr_assert_eq(icmp_error_build_mpls(&t.p, 22, &in, 11, 0, 0, 1, &two), -EINVAL);
	cr_assert_eq(t.p.data, data);
}

Test(icmp, rate_limit_refills_a_token_a_millisecond_up_to_the_burst)
{
	struct icmp_limit l = { 0 };
	int n = 0;

	while (icmp_limit_take(&l, 5000))
		n++;
	cr_assert_eq(n, ICMP_BURST);
	cr_assert(icmp_limit_take(&l, 5001));
	cr_assert_not(icmp_limit_take(&l, 5001));
	n = 0;
	while (icmp_limit_take(&l, 60000)) /* a long pause: a full bucket, no more */
		n++;
	cr_assert_eq(n, ICMP_BURST);
	cr_assert(icmp_limit_take(&l, 1000), "a clock that went back starts over");
}
