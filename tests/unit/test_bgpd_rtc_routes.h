/*
 * Route target constraint test values shared by the bgpd RTC tests: a
 * route target 65000:n, and membership routes over it, whole or cut to a
 * prefix length as a peer would send them.
 */
#ifndef FERRY_TEST_BGPD_RTC_ROUTES_H
#define FERRY_TEST_BGPD_RTC_ROUTES_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bgpd/rtc.h"
#include "common/buf.h"

static inline struct ext_community rt_n(unsigned n)
{
	struct ext_community c;
	char s[32];

	snprintf(s, sizeof(s), "65000:%u", n);
	cr_assert_eq(rt_parse(s, &c), 0);
	return c;
}

/* The membership route of origin AS 65000 for RT 65000:n, all 96 bits. */
static inline struct rtc_route whole(uint32_t n)
{
	struct ext_community c = { { 0, 2, 0xfd, 0xe8, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
				     (uint8_t)(n >> 8), (uint8_t)n } };

	return rtc_route_of(65000, &c);
}

/* RT 65000:n cut to len bits, as a peer sends it (bits past len cleared on input). */
static inline struct rtc_route cut(uint32_t n, uint8_t len)
{
	struct rtc_route r = whole(n);
	uint8_t b[13] = { len, 0, 0, 0xfd, 0xe8 };
	struct rbuf rb;

	memcpy(b + 5, r.rt.b, 8);
	rbuf_init(&rb, b, 1 + (len + 7u) / 8);
	cr_assert_eq(rtc_nlri_get(&rb, &r), 0);
	return r;
}

#endif
