/*
 * fwd/icmp.c on its own: which packets may have an error sent about them
 * (RFC 1812 4.3.2.7), the bytes of an error, and the rate limit's bucket.
 * test_fwd_pipeline.c checks the errors the packet path sends.
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
