/*
 * Route target constraint (RFC 4684): the membership NLRI codec (exact
 * bytes, every length 0..96, the malformed cases and what they cost), the
 * UPDATEs carrying it, its End-of-RIB, the multiprotocol capability, and
 * the membership set with its matching of route targets.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"
#include "bgpd/rtc.h"
#include "bgpd/rtc_update.h"

static const struct attr_ctx rtc_ctx = { .as4 = true, .peer_as = 65000,
					 .afs = BGP_AF_VPNV4 | BGP_AF_RTC };

static struct ext_community rt(const char *s)
{
	struct ext_community c;

	cr_assert_eq(rt_parse(s, &c), 0, "%s", s);
	return c;
}

/* ---- the NLRI ---- */

Test(bgpd_rtc, nlri_bytes_of_one_route_target)
{
	struct ext_community c = rt("65000:100");
	struct rtc_route m = rtc_route_of(65000, &c), back;
	static const uint8_t want[] = { 96, 0, 0, 0xfd, 0xe8, 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 100 };
	struct wbuf w;
	struct rbuf r;

	wbuf_init(&w);
	rtc_nlri_put(&w, &m);
	cr_assert_eq(w.len, sizeof(want));
	cr_assert_eq(memcmp(w.data, want, sizeof(want)), 0);
	cr_assert_eq(rtc_nlri_size(&m), sizeof(want));
	rbuf_init(&r, w.data, w.len);
	cr_assert_eq(rtc_nlri_get(&r, &back), 0);
	cr_assert(rtc_route_equal(&back, &m));
	cr_assert_eq(rbuf_left(&r), 0);
	wbuf_free(&w);
}

Test(bgpd_rtc, nlri_default_is_one_octet)
{
	struct rtc_route d = { 0 }, back;
	uint8_t zero = 0;
	struct wbuf w;
	struct rbuf r;
	char buf[RTC_STRLEN];

	wbuf_init(&w);
	rtc_nlri_put(&w, &d);
	cr_assert_eq(w.len, 1);
	cr_assert_eq(w.data[0], 0);
	rbuf_init(&r, &zero, 1);
	cr_assert_eq(rtc_nlri_get(&r, &back), 0);
	cr_assert_eq(back.len, 0);
	cr_assert_str_eq(rtc_route_format(&back, buf), "default");
	wbuf_free(&w);
}

/*
 * Every length 0..255 with all following bits set: 0 and 32..96 are read
 * (bits past the length cleared, so the route written again is the input
 * with those bits masked), 1..31 and 97.. are malformed.
 */
Test(bgpd_rtc, nlri_every_length)
{
	for (unsigned len = 0; len <= 255; len++) {
		uint8_t in[1 + 32];
		size_t nbytes = (len + 7) / 8;
		struct rtc_route m;
		struct rbuf r;
		struct wbuf w;
		bool ok = len == 0 || (len >= 32 && len <= 96);

		in[0] = (uint8_t)len;
		memset(in + 1, 0xff, sizeof(in) - 1);
		rbuf_init(&r, in, 1 + (nbytes > 32 ? 32 : nbytes));
		cr_assert_eq(rtc_nlri_get(&r, &m), ok ? 0 : -1, "length %u", len);
		if (!ok)
			continue;
		cr_assert_eq(m.len, len);
		cr_assert_eq(rbuf_left(&r), 0, "length %u: %zu left", len, rbuf_left(&r));
		cr_assert_eq(m.origin_as, len ? 0xffffffffu : 0);
		wbuf_init(&w);
		rtc_nlri_put(&w, &m);
		cr_assert_eq(w.len, 1 + nbytes, "length %u", len);
		for (size_t i = 1; i < w.len; i++) {
			unsigned bits_here = len - (unsigned)(i - 1) * 8;
			uint8_t want = bits_here >= 8 ? 0xff : (uint8_t)(0xff00u >> bits_here);

			cr_assert_eq(w.data[i], want, "length %u byte %zu: %#x", len, i, w.data[i]);
		}
		wbuf_free(&w);
	}
}

Test(bgpd_rtc, nlri_truncated)
{
	static const uint8_t cut[] = { 96, 0, 0, 0xfd, 0xe8, 0, 2, 0xfd, 0xe8, 0, 0, 0 };
	static const uint8_t no_len[1];
	struct rtc_route m;
	struct rbuf r;
	size_t n;

	rbuf_init(&r, cut, sizeof(cut));
	cr_assert_eq(rtc_nlri_get(&r, &m), -1);
	rbuf_init(&r, no_len, 0);
	cr_assert_eq(rtc_nlri_get(&r, &m), -1);
	rbuf_init(&r, cut, sizeof(cut));
	cr_assert_eq(rtc_nlri_check(&r, &n), -1);
}

Test(bgpd_rtc, covers_by_prefix)
{
	struct ext_community a = rt("65000:100"), b = rt("65000:200"), c = rt("65001:100");
	struct rtc_route one = rtc_route_of(65000, &a), any = one, as_prefix = one, d = { 0 };

	any.len = 32;
	memset(any.rt.b, 0, 8);
	as_prefix.len = 32 + 32; /* type, subtype, the 2-byte AS and 2 bytes of the number */
	memset(as_prefix.rt.b + 4, 0, 4);
	cr_assert(rtc_route_covers(&one, &a));
	cr_assert(!rtc_route_covers(&one, &b));
	cr_assert(rtc_route_covers(&any, &c));
	cr_assert(rtc_route_covers(&as_prefix, &a));
	cr_assert(rtc_route_covers(&as_prefix, &b));
	cr_assert(!rtc_route_covers(&as_prefix, &c));
	cr_assert(rtc_route_covers(&d, &c));
	/* a prefix ending inside an octet: 65000:100 and 65000:101 differ in the last bit */
	one.len = 95;
	one.rt.b[7] &= 0xfe;
	b = rt("65000:101");
	cr_assert(rtc_route_covers(&one, &a));
	cr_assert(rtc_route_covers(&one, &b));
	c = rt("65000:102");
	cr_assert(!rtc_route_covers(&one, &c));
}

/* ---- the set ---- */

Test(bgpd_rtc, set_add_del_wants)
{
	struct ext_community a = rt("65000:100"), b = rt("65000:200"), x = rt("65000:300");
	struct ext_community route_ext[2] = { x, b };
	struct rtc_route ma = rtc_route_of(65000, &a), mb = rtc_route_of(65001, &b), d = { 0 };
	struct ext_community not_rt = b;
	struct rtc_set s = { 0 };

	cr_assert(!rtc_set_wants(&s, route_ext, 2));
	cr_assert_eq(rtc_set_add(&s, &ma), 1);
	cr_assert_eq(rtc_set_add(&s, &ma), 0);
	cr_assert_eq(s.n, 1);
	cr_assert(!rtc_set_wants(&s, route_ext, 2));
	cr_assert_eq(rtc_set_add(&s, &mb), 1);
	cr_assert(rtc_set_wants(&s, route_ext, 2));
	cr_assert(!rtc_set_wants(&s, route_ext, 1));
	/* the same bytes under a type that is no route target match nothing */
	not_rt.b[1] = 0x03;
	cr_assert(!rtc_set_wants(&s, &not_rt, 1));
	cr_assert_eq(rtc_set_del(&s, &mb), 1);
	cr_assert_eq(rtc_set_del(&s, &mb), 0);
	cr_assert(!rtc_set_wants(&s, route_ext, 2));
	cr_assert_eq(rtc_set_add(&s, &d), 1);
	cr_assert(rtc_set_wants(&s, route_ext, 1));
	cr_assert(rtc_set_wants(&s, NULL, 0), "the default wants routes without any RT too");
	cr_assert(rtc_set_has(&s, &ma));
	rtc_set_free(&s);
}

/* Route target 65000:i as a membership route of length len from AS 65000. */
static struct rtc_route member_len(uint32_t i, uint8_t len)
{
	struct ext_community c = { { 0, 2, 0xfd, 0xe8, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
				     (uint8_t)(i >> 8), (uint8_t)i } };
	struct rtc_route m = rtc_route_of(65000, &c);
	struct rbuf r;
	struct wbuf w;

	m.len = len;
	wbuf_init(&w); /* through the codec: bits past len cleared as on receipt */
	rtc_nlri_put(&w, &m);
	rbuf_init(&r, w.data, w.len);
	cr_assert_eq(rtc_nlri_get(&r, &m), 0);
	wbuf_free(&w);
	return m;
}

/*
 * Members put in any order wait, unsorted, until the settle, which sorts
 * them in once; repeats count once and keep the last attributes; lookups
 * are right before and after.
 */
Test(bgpd_rtc, set_settles_members_put_in_any_order)
{
	struct ext_community want = rt("65000:777"), other = rt("65000:5000");
	struct bgp_attrs a1 = { .present = ATTR_BIT(ATTR_ORIGIN), .origin = ORIGIN_IGP };
	struct bgp_attrs a2 = { .present = ATTR_BIT(ATTR_ORIGIN), .origin = ORIGIN_EGP };
	struct rtc_route m777 = member_len(777, RTC_MAX_BITS), part = member_len(0x1200, 88);
	struct attr_set *s1 = attr_intern(&a1), *s2 = attr_intern(&a2);
	struct rtc_set s = { 0 };
	uint32_t x = 1;
	size_t at;

	for (uint32_t i = 0; i < 1000; i++) { /* a permutation of 0..999: 7 is prime to 1000 */
		struct rtc_route m = member_len((x = (x + 7 * 131) % 1000), RTC_MAX_BITS);

		cr_assert_eq(rtc_set_put(&s, &m, NULL), 1);
	}
	cr_assert_eq(rtc_set_put(&s, &m777, attr_ref(s1)), 1, "a pending one is not looked for");
	cr_assert_eq(rtc_set_put(&s, &m777, attr_ref(s2)), 1);
	cr_assert_eq(s.n_sorted, 0);
	cr_assert(rtc_set_has(&s, &m777), "pending members are members");
	cr_assert(rtc_set_wants(&s, &want, 1), "pending members are looked at");
	cr_assert_not(rtc_set_wants(&s, &other, 1));
	cr_assert_eq(rtc_set_settle(&s), 0);
	cr_assert_eq(s.n, 1000, "repeats counted");
	cr_assert_eq(s.n_sorted, 1000);
	for (size_t i = 1; i < s.n; i++)
		cr_assert_lt(memcmp(s.v[i - 1].rt.b, s.v[i].rt.b, 8), 0, "not sorted at %zu", i);
	for (at = 0; at < s.n && !rtc_route_equal(&s.v[at], &m777); at++)
		;
	cr_assert_lt(at, s.n);
	cr_assert_eq(s.attrs[at], s2, "the last announcement's attributes lost");
	cr_assert(rtc_set_wants(&s, &want, 1));
	cr_assert_not(rtc_set_wants(&s, &other, 1));
	cr_assert_eq(rtc_set_put(&s, &m777, attr_ref(s2)), 0, "a sorted one is found");
	cr_assert_eq(rtc_set_put(&s, &part, NULL), 1); /* 65000:0x12xx, a partial length */
	cr_assert(rtc_set_wants(&s, &other, 1) == false);
	cr_assert_eq(rtc_set_del(&s, &m777), 1, "the delete settles first");
	cr_assert_eq(s.n, 1000);
	cr_assert_eq(s.n_partial, 1);
	cr_assert_not(rtc_set_wants(&s, &want, 1));
	rtc_set_free(&s);
	attr_unref(s1);
	attr_unref(s2);
	cr_assert_eq(attr_intern_count(), 0, "references leaked");
}

/* ---- UPDATEs ---- */

static void rtc_attrs(struct bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a->origin = ORIGIN_IGP;
	a->local_pref = 100;
	a->nexthop = 0x0aff0001;
}

Test(bgpd_rtc, update_bytes)
{
	static const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0, 63, 2, /* header: 63 bytes, UPDATE */
		0, 0, 0, 40,          /* no withdrawn routes; 40 bytes of attributes */
		0x90, 14, 0, 22, 0, 1, 132, 4, 10, 255, 0, 1, 0, /* MP_REACH AFI 1 SAFI 132 nh, first */
		96, 0, 0, 0xfd, 0xe8, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100, /* 65000 rt 65000:100 */
		0x40, 1, 1, 0,        /* ORIGIN IGP */
		0x40, 2, 0,           /* AS_PATH empty */
		0x40, 5, 4, 0, 0, 0, 100, /* LOCAL_PREF 100 */
	};
	struct ext_community c = rt("65000:100");
	struct rtc_route m = rtc_route_of(65000, &c);
	struct bgp_update *u = bgp_update_new();
	struct bgp_attrs a;
	struct bgp_err e;
	struct rtc_route back;
	struct wbuf w;

	rtc_attrs(&a);
	wbuf_init(&w);
	cr_assert_eq(rtc_update_encode_reach(&w, &a, &m, 1, &rtc_ctx), 1);
	cr_assert_eq(w.len, sizeof(want));
	cr_assert_eq(memcmp(w.data, want, sizeof(want)), 0);
	cr_assert_eq(bgp_update_decode(w.data + 19, w.len - 19, &rtc_ctx, u, &e), 0);
	cr_assert_eq(u->n_rtc_reach, 1);
	cr_assert_eq(u->n_reach, 0);
	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_eq(rtc_nlri_get(&u->rtc_reach, &back), 0);
	cr_assert(rtc_route_equal(&back, &m));
	wbuf_free(&w);
	bgp_update_free(u);
}

Test(bgpd_rtc, withdraw_and_eor_bytes)
{
	static const uint8_t wd[] = { 0, 0, 0, 21, 0x90, 15, 0, 17, 0, 1, 132, 96, 0, 0, 0xfd,
				      0xe8, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100, 0 };
	static const uint8_t eor[] = { 0, 0, 0, 7, 0x90, 15, 0, 3, 0, 1, 132 };
	static const uint8_t eor_origin[] = { 0, 0, 0, 11, 0x40, 1, 1, 0, 0x90, 15, 0, 3, 0, 1, 132 };
	struct ext_community c = rt("65000:100");
	struct rtc_route m[2] = { rtc_route_of(65000, &c), { 0 } };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;

	wbuf_init(&w);
	cr_assert_eq(rtc_update_encode_unreach(&w, m, 2), 2);
	cr_assert_eq(w.len, 19 + sizeof(wd));
	cr_assert_eq(memcmp(w.data + 19, wd, sizeof(wd)), 0);
	cr_assert_eq(bgp_update_decode(w.data + 19, w.len - 19, &rtc_ctx, u, &e), 0);
	cr_assert_eq(u->n_rtc_unreach, 2);
	cr_assert(!u->rtc_eor);
	wbuf_reset(&w);
	cr_assert_eq(rtc_update_encode_eor(&w), 0);
	cr_assert_eq(w.len, 19 + sizeof(eor));
	cr_assert_eq(memcmp(w.data + 19, eor, sizeof(eor)), 0);
	cr_assert_eq(bgp_update_decode(w.data + 19, w.len - 19, &rtc_ctx, u, &e), 0);
	cr_assert(u->rtc_eor);
	cr_assert(!u->end_of_rib, "not VPN-IPv4's End-of-RIB");
	/* RFC 4724 §2: with another attribute beside it, it is no End-of-RIB */
	cr_assert_eq(bgp_update_decode(eor_origin, sizeof(eor_origin), &rtc_ctx, u, &e), 0);
	cr_assert(!u->rtc_eor && u->eor_lookalike);
	wbuf_free(&w);
	bgp_update_free(u);
}

/* An UPDATE body: ORIGIN, AS_PATH, then MP_REACH (AFI 1 / SAFI 132) with nh and NLRI bytes. */
static size_t rtc_body(uint8_t *b, uint8_t nhlen, const uint8_t *nlri, size_t nlri_len,
		       bool origin)
{
	size_t off = 4, mp = 5 + nhlen + nlri_len;

	b[0] = b[1] = 0;
	if (origin) {
		memcpy(b + off, (const uint8_t[]){ 0x40, 1, 1, 0 }, 4);
		off += 4;
	}
	memcpy(b + off, (const uint8_t[]){ 0x40, 2, 0, 0x90, 14 }, 5);
	off += 5;
	b[off++] = (uint8_t)(mp >> 8);
	b[off++] = (uint8_t)mp;
	memcpy(b + off, (const uint8_t[]){ 0, 1, 132, nhlen }, 4);
	off += 4;
	memset(b + off, 10, nhlen);
	off += nhlen;
	b[off++] = 0;
	memcpy(b + off, nlri, nlri_len);
	off += nlri_len;
	b[2] = (uint8_t)((off - 4) >> 8);
	b[3] = (uint8_t)(off - 4);
	return off;
}

static const uint8_t one_rt[] = { 96, 0, 0, 0xfd, 0xe8, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100 };

struct rtc_bad {
	const char *what;
	uint8_t nhlen;
	uint8_t nlri[32];
	size_t nlri_len;
};

/*
 * Malformed membership NLRI or next hop: RFC 4760 §7 (RFC 7606 §5.3,
 * §7.11) resets the session with UPDATE error / optional attribute error.
 */
static const struct rtc_bad rtc_bad[] = {
	{ "length 1 (cuts the origin AS)", 4, { 1, 0 }, 2 },
	{ "length 31", 4, { 31, 0, 0, 0xfd, 0xe8 }, 5 },
	{ "length 97", 4, { 97, 0, 0, 0xfd, 0xe8, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100, 0 }, 14 },
	{ "length 255", 4, { 255, 0 }, 2 },
	{ "prefix truncated", 4, { 96, 0, 0, 0xfd, 0xe8, 0, 2, 0xfd }, 8 },
	{ "second NLRI truncated", 4, { 0, 40, 0, 0 }, 4 },
	{ "next hop length 12", 12, { 0 }, 1 },
	{ "next hop length 0", 0, { 0 }, 1 },
};

Test(bgpd_rtc, malformed_reach_resets)
{
	struct bgp_update *u = bgp_update_new();

	for (size_t i = 0; i < sizeof(rtc_bad) / sizeof(rtc_bad[0]); i++) {
		const struct rtc_bad *c = &rtc_bad[i];
		uint8_t b[128];
		size_t len = rtc_body(b, c->nhlen, c->nlri, c->nlri_len, true);
		struct bgp_err e = { 0 };

		cr_assert_eq(bgp_update_decode(b, len, &rtc_ctx, u, &e), -1, "%s", c->what);
		cr_assert_eq(e.code, BGP_ERR_UPDATE, "%s", c->what);
		cr_assert_eq(e.subcode, BGP_ERR_UPD_OPTIONAL, "%s: subcode %u", c->what, e.subcode);
	}
	bgp_update_free(u);
}

Test(bgpd_rtc, malformed_unreach_resets)
{
	static const uint8_t b[] = { 0, 0, 0, 7, 0x80, 15, 4, 0, 1, 132, 20 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e = { 0 };

	cr_assert_eq(bgp_update_decode(b, sizeof(b), &rtc_ctx, u, &e), -1);
	cr_assert_eq(e.subcode, BGP_ERR_UPD_OPTIONAL);
	bgp_update_free(u);
}

Test(bgpd_rtc, ipv6_next_hop_accepted)
{
	struct bgp_update *u = bgp_update_new();
	uint8_t b[128];
	size_t len = rtc_body(b, 16, one_rt, sizeof(one_rt), true);
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(b, len, &rtc_ctx, u, &e), 0);
	cr_assert_eq(u->n_rtc_reach, 1);
	bgp_update_free(u);
}

/* RFC 7606 §3(d): routes announced without ORIGIN are treated as withdrawn. */
Test(bgpd_rtc, missing_origin_is_treat_as_withdraw)
{
	struct bgp_update *u = bgp_update_new();
	uint8_t b[128];
	size_t len = rtc_body(b, 4, one_rt, sizeof(one_rt), false);
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(b, len, &rtc_ctx, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_WITHDRAW);
	cr_assert_eq(u->n_rtc_reach, 1);
	bgp_update_free(u);
}

/* Not negotiated: skipped like any family we did not offer, even malformed. */
Test(bgpd_rtc, not_negotiated_is_skipped)
{
	struct attr_ctx vpn_only = rtc_ctx;
	struct bgp_update *u = bgp_update_new();
	uint8_t b[128];
	size_t len = rtc_body(b, 4, (const uint8_t[]){ 7, 1 }, 2, true);
	struct bgp_err e;

	vpn_only.afs = BGP_AF_VPNV4;
	cr_assert_eq(bgp_update_decode(b, len, &vpn_only, u, &e), 0);
	cr_assert_eq(u->n_other_afi, 1);
	cr_assert_eq(u->n_rtc_reach, 0);
	bgp_update_free(u);
}

/* ---- the capability ---- */

Test(bgpd_rtc, open_offers_and_reads_the_family)
{
	static const uint8_t cap[] = { 1, 4, 0, 1, 0, 132 };
	struct bgp_open o = { .version = 4, .asn = 65000, .hold_time = 90, .bgp_id = 0x0aff0001,
			      .afs = BGP_AF_VPNV4 | BGP_AF_RTC }, back = { 0 };
	struct bgp_err e;
	struct wbuf w;
	bool found = false;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	for (size_t i = 19; i + sizeof(cap) <= w.len; i++)
		found |= memcmp(w.data + i, cap, sizeof(cap)) == 0;
	cr_assert(found, "no multiprotocol capability for AFI 1 / SAFI 132");
	cr_assert_eq(bgp_open_decode(w.data + 19, w.len - 19, &back, &e), 0);
	cr_assert_eq(back.afs, BGP_AF_VPNV4 | BGP_AF_RTC);
	cr_assert_eq(bgp_af_bit(1, 132), BGP_AF_RTC);
	cr_assert_eq(bgp_af_safi(BGP_AF_RTC), 132);
	wbuf_free(&w);
}

/*
 * A graceful restart or long-lived capability listing the family comes back
 * the same when encoded again (bgp_af_bit knows SAFI 132 now, so the
 * encoders must too: found by fuzz_bgp_msg).
 */
Test(bgpd_rtc, restart_capabilities_list_the_family)
{
	struct bgp_open o = { .version = 4, .asn = 65000, .hold_time = 90, .bgp_id = 0x0aff0001,
			      .afs = BGP_AF_VPNV4 | BGP_AF_RTC, .cap_gr = true, .gr_time = 120,
			      .gr_afs = BGP_AF_VPNV4 | BGP_AF_RTC, .gr_fwd_afs = BGP_AF_RTC,
			      .cap_llgr = true, .llgr_afs = BGP_AF_RTC, .llgr_fwd_afs = BGP_AF_RTC,
			      .llgr_time = 60 }, back = { 0 };
	struct bgp_err e;
	struct wbuf w;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	cr_assert_eq(bgp_open_decode(w.data + 19, w.len - 19, &back, &e), 0);
	cr_assert_eq(back.gr_afs, o.gr_afs);
	cr_assert_eq(back.gr_fwd_afs, o.gr_fwd_afs);
	cr_assert_eq(back.llgr_afs, o.llgr_afs);
	cr_assert_eq(back.llgr_fwd_afs, o.llgr_fwd_afs);
	wbuf_free(&w);
}

/*
 * The set's lookup (sorted, binary search for whole RTs) against the plain
 * definition (any member covers any RT of the route), over random sets
 * with several origin ASes, partial lengths, the default, and deletions.
 */
static bool naive_wants(const struct rtc_route *v, const bool *in, size_t n,
			const struct ext_community *ext, size_t n_ext)
{
	for (size_t i = 0; i < n; i++) {
		if (!in[i])
			continue;
		if (v[i].len == 0)
			return true;
		for (size_t j = 0; j < n_ext; j++)
			if (extcom_is_rt(&ext[j]) && rtc_route_covers(&v[i], &ext[j]))
				return true;
	}
	return false;
}

static struct ext_community small_rt(unsigned r)
{
	struct ext_community c = rt("65000:1");

	c.b[0] = (uint8_t)(r & 1 ? EXTCOM_TYPE_AS2 : EXTCOM_TYPE_AS4); /* two types, one subtype */
	c.b[7] = (uint8_t)(r >> 1);
	c.b[6] = (uint8_t)(r >> 9 & 1);
	return c;
}

/*
 * A member: mostly whole RTs, some partial ones of 92..95 bits (as read off
 * the wire) that cover a few of small_rt's values each.
 */
static struct rtc_route random_member(unsigned seed)
{
	struct ext_community c = small_rt(seed >> 16 & 1023);
	unsigned len = (seed >> 8) % 10 == 0 ? 92 + (seed >> 4) % 4 : 96;
	struct rtc_route m = rtc_route_of(65000 + (seed >> 12) % 3, &c);
	struct wbuf w;
	struct rbuf r;

	if (len == 96)
		return m;
	m.len = (uint8_t)len;
	wbuf_init(&w);
	rtc_nlri_put(&w, &m);
	rbuf_init(&r, w.data, w.len);
	cr_assert_eq(rtc_nlri_get(&r, &m), 0);
	wbuf_free(&w);
	return m;
}

Test(bgpd_rtc, set_lookup_matches_the_definition)
{
	enum { N = 120, ROUNDS = 4000 };
	static struct rtc_route v[N];
	static bool in[N];
	struct rtc_set s = { 0 };
	unsigned seed = 12345;
	size_t wanted = 0;
	struct ext_community any = rt("65000:1");

	/* v[0] the default, v[1] "any RT from 65000" (32 bits): each in the set half the time */
	v[0] = (struct rtc_route){ 0 };
	v[1] = rtc_route_of(65000, &any);
	v[1].len = 32;
	memset(v[1].rt.b, 0, 8);
	for (size_t i = 2; i < N; i++) {
		bool dup;

		do { /* each route once, so that the set and in[] agree */
			seed = seed * 1103515245u + 12345u;
			v[i] = random_member(seed);
			dup = false;
			for (size_t k = 0; k < i; k++)
				dup |= rtc_route_equal(&v[k], &v[i]);
		} while (dup);
	}
	for (size_t round = 0; round < ROUNDS; round++) {
		size_t i = ((seed = seed * 1103515245u + 12345u) >> 8) % N;
		struct ext_community q[2];

		cr_assert_eq(in[i] ? rtc_set_del(&s, &v[i]) : rtc_set_add(&s, &v[i]), 1);
		in[i] = !in[i];
		q[0] = small_rt(seed >> 4 & 1023);
		q[1] = small_rt(seed >> 14 & 1023);
		cr_assert_eq(rtc_set_wants(&s, q, 2), naive_wants(v, in, N, q, 2), "round %zu", round);
		cr_assert_eq(rtc_set_wants(&s, q, 1), naive_wants(v, in, N, q, 1), "round %zu", round);
		wanted += rtc_set_wants(&s, q, 2);
	}
	/* both outcomes common, or the comparison proves little */
	cr_assert(wanted > ROUNDS / 10 && wanted < ROUNDS - ROUNDS / 10, "%zu of %d wanted", wanted,
		  ROUNDS);
	for (size_t k = 1; k < s.n; k++) /* still sorted, no duplicate */
		cr_assert(memcmp(s.v[k - 1].rt.b, s.v[k].rt.b, 8) <= 0);
	rtc_set_free(&s);
}

/*
 * Partial members of any length 32..95, each found by its own binary
 * search: every length against every RT that agrees with it on a prefix
 * of 0..64 bits, whole members around them, against the definition.
 */
Test(bgpd_rtc, partial_lengths_match_the_definition)
{
	struct ext_community base = rt("65000:4660"), q;
	struct rtc_route m, filler;
	struct rtc_set s = { 0 };

	for (unsigned k = 0; k < 50; k++) { /* whole members on both sides of base */
		q = base;
		q.b[7] = (uint8_t)(q.b[7] + k - 25);
		q.b[3] = (uint8_t)(q.b[3] ^ (k & 1));
		filler = rtc_route_of(65000 + k % 3, &q);
		cr_assert_geq(rtc_set_add(&s, &filler), 0);
	}
	for (unsigned len = RTC_MIN_BITS; len < RTC_MAX_BITS; len++) {
		m = rtc_route_of(65001, &base);
		m.len = (uint8_t)len;
		for (unsigned b = len - RTC_MIN_BITS; b < 64; b++) /* as read off the wire */
			m.rt.b[b / 8] &= (uint8_t)~(0x80u >> b % 8);
		cr_assert_eq(rtc_set_add(&s, &m), 1);
		for (unsigned agree = 0; agree <= 64; agree++) {
			bool want = agree >= len - RTC_MIN_BITS, in_set = false;

			q = base;
			if (agree < 64)
				q.b[agree / 8] ^= (uint8_t)(0x80u >> agree % 8); /* first bit that differs */
			for (size_t i = 0; i < s.n; i++)
				in_set |= rtc_route_covers(&s.v[i], &q);
			cr_assert_eq(rtc_set_wants(&s, &q, 1), extcom_is_rt(&q) && (want || in_set),
				     "len %u, agreeing on %u bits", len, agree);
		}
		cr_assert_eq(rtc_set_del(&s, &m), 1);
	}
	rtc_set_free(&s);
}
