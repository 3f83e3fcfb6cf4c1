/*
 * Route target membership (RFC 4684) a neighbor may send is bounded:
 * max_prefix.rtc_limit (default CFG_RTC_LIMIT, with or without max_prefix).
 * Past it the raw fake peer (127.0.0.3, test_bgpd_fake.h) gets Cease 6/1
 * whose data names AFI 1 / SAFI 132 and the limit (RFC 4486 §4), and stays
 * down (restart 0); warn_only only logs; routes announced again are not
 * counted twice.
 */
#include "bgpd/rtc_update.h"
#include "tests/unit/test_bgpd_fake.h"

#define CAP_MP_RTC 1, 4, 0, 1, 0, 132

static void setup_small(void)
{
	setup_with(", \"passive\": true, \"families\": [\"vpnv4\", \"rtc\"],"
		   " \"max_prefix\": {\"limit\": 100, \"rtc_limit\": 3, \"restart\": 0}");
}

static void setup_warn(void)
{
	setup_with(", \"passive\": true, \"families\": [\"vpnv4\", \"rtc\"],"
		   " \"max_prefix\": {\"limit\": 100, \"rtc_limit\": 3, \"warn_only\": true}");
}

static void setup_default(void)
{
	setup_with(", \"passive\": true, \"families\": [\"vpnv4\", \"rtc\"]");
}

TestSuite(bgpd_rtclimit, .init = setup_small, .fini = teardown, .timeout = 30);
TestSuite(bgpd_rtclimit_warn, .init = setup_warn, .fini = teardown, .timeout = 30);
TestSuite(bgpd_rtclimit_default, .init = setup_default, .fini = teardown, .timeout = 30);

static const uint8_t caps[] = { CAP_MP_VPN, CAP_MP_RTC };

/* Membership route i: origin AS 65000, route target 65000:i. */
static struct rtc_route member(uint32_t i)
{
	struct ext_community c = { { 0, 2, 0xfd, 0xe8, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
				     (uint8_t)(i >> 8), (uint8_t)i } };

	return rtc_route_of(65000, &c);
}

/* Announces membership routes first..first+n-1, as many per UPDATE as fit. */
static void send_members(struct raw *r, uint32_t first, size_t n)
{
	static const struct attr_ctx ctx = { .as4 = true, .peer_as = 65000,
					     .afs = BGP_AF_VPNV4 | BGP_AF_RTC };
	struct rtc_route *v = calloc(n, sizeof(*v));
	struct bgp_attrs a = { 0 };
	size_t done = 0;
	struct wbuf w;
	int k;

	cr_assert_not_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = member(first + (uint32_t)i);
	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a.local_pref = 100;
	a.nexthop = 0x7f000003u;
	wbuf_init(&w);
	while (done < n) {
		wbuf_reset(&w);
		k = rtc_update_encode_reach(&w, &a, v + done, n - done, &ctx);
		cr_assert_gt(k, 0);
		raw_send(r, w.data, w.len);
		event_base_loop(base, EVLOOP_NONBLOCK); /* B reads as it comes: no full socket */
		done += (size_t)k;
	}
	wbuf_free(&w);
	free(v);
}

struct want_members {
	size_t n;
};

static bool b_has_members(void *arg)
{
	const struct want_members *w = arg;

	return B->peers[1].rtc_in.n == w->n && B->peers[1].rtc_in.n_sorted == w->n;
}

/* The Cease's data: reserved 0, AFI 1, SAFI 132, the limit (4 octets). */
static void expect_rtc_cease(struct raw *r, uint32_t limit)
{
	const uint8_t want[7] = { 0,
				  BGP_AFI_IPV4,
				  BGP_SAFI_RTC,
				  (uint8_t)(limit >> 24),
				  (uint8_t)(limit >> 16),
				  (uint8_t)(limit >> 8),
				  (uint8_t)limit };
	size_t off = 0;

	expect_notification(r, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX);
	while (r->rx[off + 18] != BGP_MSG_NOTIFICATION)
		off += (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];
	cr_assert_eq((size_t)r->rx[off + 16] << 8 | r->rx[off + 17], 21 + sizeof(want),
		     "Cease data not 7 octets");
	cr_assert_leq(off + 21 + sizeof(want), r->len);
	cr_assert_eq(memcmp(r->rx + off + 21, want, sizeof(want)), 0,
		     "Cease data does not name 1/132/%u", limit);
}

Test(bgpd_rtclimit, over_rtc_limit_ceases_naming_the_rtc_family)
{
	struct want_members w = { 3 };
	struct raw r, again;

	fake_up(&r, caps, sizeof(caps));
	cr_assert(B->peers[1].rtc, "membership not negotiated");
	send_members(&r, 1, 3);
	cr_assert(run_until(b_has_members, &w, 5));
	send_members(&r, 1, 3); /* the same again: not counted twice */
	send_members(&r, 2, 2);
	cr_assert(run_until(b_has_members, &w, 5));
	cr_assert_eq(peer_state(&B->peers[1]), FSM_ESTABLISHED, "repeats counted toward the limit");
	send_members(&r, 4, 1);
	expect_rtc_cease(&r, 3);
	cr_assert(B->peers[1].admin_down);
	raw_connect(&again, "127.0.0.3", port); /* refused while down (restart 0) */
	cr_assert(run_until(raw_read, &again, 5));
	cr_assert_eq(again.len, 0);
	close(again.fd);
	cr_assert(both_established(NULL), "the other session was disturbed");
}

Test(bgpd_rtclimit_warn, warn_only_keeps_the_session)
{
	struct want_members w = { 5 };
	struct raw r;

	fake_up(&r, caps, sizeof(caps));
	send_members(&r, 1, 5);
	cr_assert(run_until(b_has_members, &w, 5));
	cr_assert_eq(peer_state(&B->peers[1]), FSM_ESTABLISHED);
	cr_assert(B->peers[1].rtc_limit_warned);
	close(r.fd);
}

Test(bgpd_rtclimit_default, default_limit_without_max_prefix)
{
	struct want_members w = { CFG_RTC_LIMIT };
	struct raw r;

	cr_assert_eq(B->peers[1].cfg->max_prefix, 0);
	cr_assert_eq(B->peers[1].cfg->rtc_limit, CFG_RTC_LIMIT);
	fake_up(&r, caps, sizeof(caps));
	send_members(&r, 1, CFG_RTC_LIMIT);
	cr_assert(run_until(b_has_members, &w, 10));
	cr_assert_eq(peer_state(&B->peers[1]), FSM_ESTABLISHED);
	send_members(&r, CFG_RTC_LIMIT + 1, 1);
	expect_rtc_cease(&r, CFG_RTC_LIMIT);
	cr_assert_not(B->peers[1].admin_down && !B->peers[1].cfg->max_prefix_restart,
		      "no restart: the default restart time is 30 s");
}
