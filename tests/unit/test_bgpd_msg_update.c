/*
 * bgpd message codec, UPDATE (the rest is test_bgpd_msg.c): encode ->
 * decode round trips (VPN-IPv4 NLRI with RD, label and route targets;
 * packing into 4096-byte messages, or more with extended messages), and a
 * table of malformed UPDATEs, each with the NOTIFICATION code/subcode (and
 * RFC 7606 action) it must produce.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"

static const struct attr_ctx ibgp4 = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = 65000 };

static void vpn_attrs(struct bgp_attrs *a, struct ext_community *rts);

Test(bgpd_update, extended_message_packs_more)
{
	enum { N = 2000 };
	struct ext_community rts[2];
	struct bgp_attrs a;
	static struct bgp_vpn_nlri n[N];
	struct attr_ctx ext = { .as4 = true, .ext_msg = true, .afs = BGP_AF_VPNV4 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct bgp_hdr h;
	struct wbuf w;
	int k;

	vpn_attrs(&a, rts);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(rd_parse("65000:1", &n[i].rd), 0);
		n[i].prefix.addr = 0x0a000000u | (uint32_t)i << 8;
		n[i].prefix.len = 24;
		n[i].label = 16 + (uint32_t)i;
	}
	wbuf_init(&w);
	k = bgp_update_encode_reach(&w, &a, n, N, &ext);
	cr_assert_gt(k, 1000, "only %d NLRI in one extended UPDATE", k);
	cr_assert_gt(w.len, 4096);
	cr_assert_eq(bgp_hdr_decode_ext(w.data, &h, &e, true), 0);
	cr_assert_eq(bgp_update_decode(w.data + 19, h.len - 19, &ext, u, &e), 0);
	cr_assert_eq(u->n_reach, (size_t)k);
	cr_assert_eq(u->reach[k - 1].label, n[k - 1].label);
	wbuf_free(&w);
	bgp_update_free(u);
}

/* ---- UPDATE round trips ---- */

static const uint8_t path_65001[] = { 2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea };

static void vpn_attrs(struct bgp_attrs *a, struct ext_community *rts)
{
	static const uint32_t comms[] = { 0xfde80064 };

	memset(a, 0, sizeof(*a));
	cr_assert_eq(rt_parse("65000:100", &rts[0]), 0);
	cr_assert_eq(rt_parse("10.255.0.1:7", &rts[1]), 0);
	a->present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF) |
		     ATTR_BIT(ATTR_MED) | ATTR_BIT(ATTR_EXT_COMMUNITIES) | ATTR_BIT(ATTR_COMMUNITIES);
	a->origin = ORIGIN_EGP;
	a->aspath = path_65001;
	a->aspath_len = sizeof(path_65001);
	a->local_pref = 200;
	a->med = 7;
	a->nexthop = 0x0aff0001;
	a->ext = rts;
	a->n_ext = 2;
	a->communities = comms;
	a->n_communities = 1;
}

static void nlri(struct bgp_vpn_nlri *n, const char *rd, const char *pfx, uint32_t label)
{
	cr_assert_eq(rd_parse(rd, &n->rd), 0);
	cr_assert_eq(prefix4_parse(pfx, &n->prefix), 0);
	n->label = label;
}

static void decode_msg(const struct wbuf *w, size_t off, struct bgp_update *u, int want_rc,
		       struct bgp_err *e)
{
	struct bgp_hdr h;

	cr_assert_eq(bgp_hdr_decode(w->data + off, &h, e), 0);
	cr_assert_eq(h.type, BGP_MSG_UPDATE);
	cr_assert_leq(h.len, 4096);
	cr_assert_eq(bgp_update_decode(w->data + off + 19, h.len - 19u, &ibgp4, u, e), want_rc);
}

Test(bgpd_update, update_vpn_roundtrip)
{
	struct ext_community rts[2];
	struct bgp_attrs a;
	struct bgp_vpn_nlri n[3];
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;

	vpn_attrs(&a, rts);
	nlri(&n[0], "10.255.0.1:100", "192.168.100.0/24", 100);
	nlri(&n[1], "65000:200", "10.0.0.0/8", 0xfffff);
	nlri(&n[2], "4200000000:7", "0.0.0.0/0", 16);
	wbuf_init(&w);
	cr_assert_eq(bgp_update_encode_reach(&w, &a, n, 3, &ibgp4), 3);
	decode_msg(&w, 0, u, 0, &e);
	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_eq(u->n_reach, 3);
	for (int i = 0; i < 3; i++) {
		cr_assert(rd_equal(&u->reach[i].rd, &n[i].rd));
		cr_assert(prefix4_equal(&u->reach[i].prefix, &n[i].prefix));
		cr_assert_eq(u->reach[i].label, n[i].label);
	}
	cr_assert_eq(u->attrs.nexthop, 0x0aff0001);
	cr_assert_eq(u->attrs.origin, ORIGIN_EGP);
	cr_assert_eq(u->attrs.local_pref, 200);
	cr_assert_eq(u->attrs.med, 7);
	cr_assert_eq(u->attrs.aspath_len, sizeof(path_65001));
	cr_assert_arr_eq(u->attrs.aspath, path_65001, sizeof(path_65001));
	cr_assert_eq(u->attrs.n_ext, 2);
	cr_assert(extcom_equal(&u->attrs.ext[0], &rts[0]));
	cr_assert(extcom_equal(&u->attrs.ext[1], &rts[1]));
	cr_assert_eq(u->attrs.n_communities, 1);
	cr_assert_eq(u->attrs.communities[0], 0xfde80064);
	cr_assert(!attr_has(&u->attrs, ATTR_NEXT_HOP)); /* MP only: no NEXT_HOP sent */
	wbuf_free(&w);
	bgp_update_free(u);
}

Test(bgpd_update, update_label_on_the_wire)
{
	struct ext_community rts[2];
	struct bgp_attrs a;
	struct bgp_vpn_nlri n;
	struct wbuf w;
	size_t i;

	vpn_attrs(&a, rts);
	nlri(&n, "10.255.0.1:100", "192.168.100.0/24", 100);
	wbuf_init(&w);
	cr_assert_eq(bgp_update_encode_reach(&w, &a, &n, 1, &ibgp4), 1);
	/* the NLRI is last in MP_REACH: 112 bits, label 100<<4|S, RD type 1, 3 prefix bytes */
	for (i = 0; i + 15 <= w.len; i++)
		if (w.data[i] == 112 && w.data[i + 1] == 0x00 && w.data[i + 2] == 0x06 &&
		    w.data[i + 3] == 0x41)
			break;
	cr_assert_lt(i + 15, w.len + 1, "NLRI not found");
	cr_assert_eq(w.data[i + 4], 0);
	cr_assert_eq(w.data[i + 5], 1); /* RD type 1 */
	cr_assert_eq(w.data[i + 12], 192);
	wbuf_free(&w);
}

Test(bgpd_update, update_packs_into_several_messages)
{
	enum { N = 1000 };
	struct ext_community rts[2];
	struct bgp_attrs a;
	static struct bgp_vpn_nlri n[N];
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;
	size_t off = 0, done = 0, got = 0, msgs = 0;

	vpn_attrs(&a, rts);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(rd_parse("65000:1", &n[i].rd), 0);
		n[i].prefix.addr = 0x0a000000u | (uint32_t)i << 8;
		n[i].prefix.len = 24;
		n[i].label = 1000 + (uint32_t)i;
	}
	wbuf_init(&w);
	while (done < N) {
		int k = bgp_update_encode_reach(&w, &a, n + done, N - done, &ibgp4);

		cr_assert_gt(k, 1);
		done += (size_t)k;
	}
	while (off < w.len) {
		size_t len = (size_t)w.data[off + 16] << 8 | w.data[off + 17];

		decode_msg(&w, off, u, 0, &e);
		for (size_t i = 0; i < u->n_reach; i++)
			cr_assert_eq(u->reach[i].label, n[got + i].label);
		got += u->n_reach;
		off += len;
		msgs++;
	}
	cr_assert_eq(got, N);
	cr_assert_lt(msgs, 6); /* ~15 bytes per NLRI: about 260 per message */
	wbuf_free(&w);
	bgp_update_free(u);
}

Test(bgpd_update, update_withdraw_and_eor)
{
	struct bgp_vpn_nlri n[2];
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;

	nlri(&n[0], "10.255.0.1:100", "192.168.100.0/24", 100);
	nlri(&n[1], "10.255.0.1:200", "192.168.100.128/25", 101);
	wbuf_init(&w);
	cr_assert_eq(bgp_update_encode_unreach(&w, n, 2), 2);
	decode_msg(&w, 0, u, 0, &e);
	cr_assert_eq(u->n_unreach, 2);
	cr_assert_eq(u->n_reach, 0);
	cr_assert(!u->end_of_rib);
	cr_assert(prefix4_equal(&u->unreach[1].prefix, &n[1].prefix));
	cr_assert(rd_equal(&u->unreach[1].rd, &n[1].rd));
	cr_assert_eq(u->unreach[0].label, 0x80000 /* 0x800000 >> 4 */);
	wbuf_reset(&w);
	cr_assert_eq(bgp_update_encode_eor(&w), 0);
	decode_msg(&w, 0, u, 0, &e);
	cr_assert(u->end_of_rib);
	cr_assert_eq(u->n_unreach, 0);
	wbuf_free(&w);
	bgp_update_free(u);
}

/*
 * RFC 4724 §2: an End-of-RIB is the empty MP_UNREACH_NLRI alone. One with
 * ORIGIN and AS_PATH beside it, or with a withdrawn IPv4 route, is not
 * (marked a lookalike, for input.c's log), and takes no action of its own.
 */
Test(bgpd_update, end_of_rib_is_the_empty_mp_unreach_alone)
{
	static const uint8_t alone[] = { 0, 0, 0, 6, 0x80, 15, 3, 0, 1, 128 };
	static const uint8_t with_attrs[] = { 0, 0, 0, 13, 0x40, 1, 1, 0, 0x40, 2, 0,
					      0x80, 15, 3, 0, 1, 128 };
	static const uint8_t with_withdrawn[] = { 0, 2, 8, 10, 0, 6, 0x80, 15, 3, 0, 1, 128 };
	static const uint8_t extlen[] = { 0, 0, 0, 7, 0x90, 15, 0, 3, 0, 1, 128 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(alone, sizeof(alone), &ibgp4, u, &e), 0);
	cr_assert(u->end_of_rib && !u->eor_lookalike);
	cr_assert_eq(bgp_update_decode(extlen, sizeof(extlen), &ibgp4, u, &e), 0);
	cr_assert(u->end_of_rib && !u->eor_lookalike, "with an extended length it is one too");
	cr_assert_eq(bgp_update_decode(with_attrs, sizeof(with_attrs), &ibgp4, u, &e), 0);
	cr_assert(!u->end_of_rib, "an empty MP_UNREACH beside ORIGIN and AS_PATH taken as End-of-RIB");
	cr_assert(u->eor_lookalike);
	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_eq(u->n_unreach + u->n_reach, 0);
	cr_assert_eq(bgp_update_decode(with_withdrawn, sizeof(with_withdrawn), &ibgp4, u, &e), 0);
	cr_assert(!u->end_of_rib && u->eor_lookalike, "with a withdrawn IPv4 route");
	bgp_update_free(u);
}

/* ---- malformed UPDATEs ---- */

/*
 * An UPDATE body: withdrawn routes (raw), attributes (raw), NLRI (raw), with
 * the two length fields either computed or forced.
 */
struct upd_case {
	const char *what;
	uint8_t attrs[96];
	size_t attrs_len;
	int rc;
	uint8_t sub;
	enum attr_action action; /* when rc == 0 */
	int force_attr_len;      /* -1: the real length */
	int force_wd_len;        /* -1: 0 */
};

/* A good MP_REACH with one NLRI: 65000:1 10.1.0.0/16 label 100, next hop 10.0.0.1. */
#define MP_REACH_OK                                                                        \
	0x80, 14, 31, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 104, 0, 6, 0x41, \
		0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1
#define MP_REACH_OK_LEN 34
#define ORIGIN_OK 0x40, 1, 1, 0
#define ASPATH_EMPTY 0x40, 2, 0
#define LP_OK 0x40, 5, 4, 0, 0, 0, 100

static const struct upd_case upd_cases[] = {
	{ "all good", { ORIGIN_OK, ASPATH_EMPTY, LP_OK, MP_REACH_OK }, 4 + 3 + 7 + MP_REACH_OK_LEN,
	  0, 0, ATTR_ACT_NONE, -1, -1 },
	{ "truncated attribute header", { ORIGIN_OK, 0x40 }, 5, -1, BGP_ERR_UPD_LENGTH, 0, -1, -1 },
	{ "attribute length overrun", { ORIGIN_OK, 0x40, 2, 9, 2, 1 }, 9, -1, BGP_ERR_UPD_LENGTH, 0,
	  -1, -1 },
	{ "attribute section longer than message", { ORIGIN_OK }, 4, -1, BGP_ERR_UPD_ATTR_LIST, 0,
	  200, -1 },
	{ "withdrawn length overrun", { ORIGIN_OK }, 4, -1, BGP_ERR_UPD_ATTR_LIST, 0, -1, 300 },
	{ "ORIGIN with optional flag", { 0xc0, 1, 1, 0, ASPATH_EMPTY, MP_REACH_OK },
	  4 + 3 + MP_REACH_OK_LEN, 0, BGP_ERR_UPD_FLAGS, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "MP_REACH with transitive flag (and empty)", { ORIGIN_OK, ASPATH_EMPTY, 0xc0, 14, 0 }, 10,
	  -1, BGP_ERR_UPD_FLAGS, 0, -1, -1 },
	{ "ORIGIN value 5", { 0x40, 1, 1, 5, ASPATH_EMPTY, MP_REACH_OK }, 4 + 3 + MP_REACH_OK_LEN, 0,
	  BGP_ERR_UPD_ORIGIN, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "ORIGIN length 2", { 0x40, 1, 2, 0, 0, ASPATH_EMPTY, MP_REACH_OK },
	  5 + 3 + MP_REACH_OK_LEN, 0, BGP_ERR_UPD_LENGTH, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "missing ORIGIN", { ASPATH_EMPTY, MP_REACH_OK }, 3 + MP_REACH_OK_LEN, 0,
	  BGP_ERR_UPD_MISSING_WK, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "missing AS_PATH", { ORIGIN_OK, MP_REACH_OK }, 4 + MP_REACH_OK_LEN, 0,
	  BGP_ERR_UPD_MISSING_WK, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "no NLRI: nothing is mandatory", { LP_OK }, 7, 0, 0, ATTR_ACT_NONE, -1, -1 },
	{ "AS_PATH segment overrun", { ORIGIN_OK, 0x40, 2, 6, 2, 3, 0, 0, 0, 1, MP_REACH_OK },
	  4 + 9 + MP_REACH_OK_LEN, 0, BGP_ERR_UPD_ASPATH, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "AS_PATH bad segment type", { ORIGIN_OK, 0x40, 2, 6, 9, 1, 0, 0, 0, 1, MP_REACH_OK },
	  4 + 9 + MP_REACH_OK_LEN, 0, BGP_ERR_UPD_ASPATH, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "unrecognized well-known", { ORIGIN_OK, 0x40, 99, 1, 0 }, 8, -1, BGP_ERR_UPD_UNKNOWN_WK, 0,
	  -1, -1 },
	{ "MP_REACH NLRI length overrun",
	  { ORIGIN_OK, ASPATH_EMPTY, 0x80, 14, 21, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0,
	    1, 0, 120, 0, 6, 0x41 },
	  4 + 3 + 24, -1, BGP_ERR_UPD_OPTIONAL, 0, -1, -1 },
	{ "MP_REACH NLRI shorter than label+RD",
	  { ORIGIN_OK, ASPATH_EMPTY, 0x80, 14, 21, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0,
	    1, 0, 24, 0, 6, 0x41 },
	  4 + 3 + 24, -1, BGP_ERR_UPD_OPTIONAL, 0, -1, -1 },
	{ "MP_REACH next hop length 4",
	  { ORIGIN_OK, ASPATH_EMPTY, 0x80, 14, 10, 0, 1, 128, 4, 10, 0, 0, 1, 0, 0 }, 4 + 3 + 13, -1,
	  BGP_ERR_UPD_OPTIONAL, 0, -1, -1 },
	{ "MP_REACH twice", { ORIGIN_OK, ASPATH_EMPTY, MP_REACH_OK, MP_REACH_OK },
	  4 + 3 + 2 * MP_REACH_OK_LEN, -1, BGP_ERR_UPD_ATTR_LIST, 0, -1, -1 },
	{ "ext communities length 5", { ORIGIN_OK, ASPATH_EMPTY, 0xc0, 16, 5, 0, 2, 0, 0, 0, MP_REACH_OK },
	  4 + 3 + 8 + MP_REACH_OK_LEN, 0, BGP_ERR_UPD_LENGTH, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "ATOMIC_AGGREGATE length 1 is discarded",
	  { ORIGIN_OK, ASPATH_EMPTY, 0x40, 6, 1, 0, MP_REACH_OK }, 4 + 3 + 4 + MP_REACH_OK_LEN, 0,
	  BGP_ERR_UPD_LENGTH, ATTR_ACT_DISCARD, -1, -1 },
	{ "LOCAL_PREF length 3", { ORIGIN_OK, ASPATH_EMPTY, 0x40, 5, 3, 0, 0, 100, MP_REACH_OK },
	  4 + 3 + 6 + MP_REACH_OK_LEN, 0, BGP_ERR_UPD_LENGTH, ATTR_ACT_WITHDRAW, -1, -1 },
	{ "MP_REACH next hop 0.0.0.0",
	  { ORIGIN_OK, ASPATH_EMPTY, 0x80, 14, 31, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 104, 0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1 },
	  4 + 3 + 34, 0, BGP_ERR_UPD_NEXTHOP, ATTR_ACT_WITHDRAW, -1, -1 },
};

static size_t build_update(uint8_t *b, const struct upd_case *c)
{
	size_t off = 0;
	uint16_t alen = c->force_attr_len >= 0 ? (uint16_t)c->force_attr_len : (uint16_t)c->attrs_len;
	uint16_t wlen = c->force_wd_len >= 0 ? (uint16_t)c->force_wd_len : 0;

	b[off++] = (uint8_t)(wlen >> 8);
	b[off++] = (uint8_t)wlen;
	b[off++] = (uint8_t)(alen >> 8);
	b[off++] = (uint8_t)alen;
	memcpy(b + off, c->attrs, c->attrs_len);
	return off + c->attrs_len;
}

Test(bgpd_update, update_malformed_table)
{
	struct bgp_update *u = bgp_update_new();

	for (size_t i = 0; i < sizeof(upd_cases) / sizeof(upd_cases[0]); i++) {
		const struct upd_case *c = &upd_cases[i];
		uint8_t b[256];
		size_t len = build_update(b, c);
		struct bgp_err e = { 0 };
		int rc = bgp_update_decode(b, len, &ibgp4, u, &e);

		cr_assert_eq(rc, c->rc, "%s: rc %d", c->what, rc);
		if (rc < 0) {
			cr_assert_eq(e.code, BGP_ERR_UPDATE, "%s", c->what);
			cr_assert_eq(e.subcode, c->sub, "%s: subcode %u", c->what, e.subcode);
		} else {
			cr_assert_eq(u->action, c->action, "%s: action %d", c->what, u->action);
			if (c->action != ATTR_ACT_NONE)
				cr_assert_eq(u->withdraw_err.subcode, c->sub, "%s: subcode %u", c->what,
					     u->withdraw_err.subcode);
		}
	}
	bgp_update_free(u);
}

Test(bgpd_update, update_good_case_content)
{
	struct bgp_update *u = bgp_update_new();
	uint8_t b[256];
	size_t len = build_update(b, &upd_cases[0]);
	struct bgp_err e;
	struct rd rd;

	cr_assert_eq(bgp_update_decode(b, len, &ibgp4, u, &e), 0);
	cr_assert_eq(u->n_reach, 1);
	cr_assert_eq(rd_parse("65000:1", &rd), 0);
	cr_assert(rd_equal(&u->reach[0].rd, &rd));
	cr_assert_eq(u->reach[0].prefix.addr, 0x0a010000);
	cr_assert_eq(u->reach[0].prefix.len, 16);
	cr_assert_eq(u->reach[0].label, 100);
	cr_assert_eq(u->attrs.nexthop, 0x0a000001);
	bgp_update_free(u);
}

Test(bgpd_update, update_missing_wk_data_is_the_type)
{
	struct bgp_update *u = bgp_update_new();
	uint8_t b[256];
	size_t len = build_update(b, &upd_cases[9]);
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(b, len, &ibgp4, u, &e), 0);
	cr_assert_eq(u->withdraw_err.data_len, 1);
	cr_assert_eq(u->withdraw_err.data[0], ATTR_ORIGIN);
	bgp_update_free(u);
}

Test(bgpd_update, update_bad_flags_data_is_the_attribute)
{
	struct bgp_update *u = bgp_update_new();
	uint8_t b[256];
	size_t len = build_update(b, &upd_cases[6]);
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(b, len, &ibgp4, u, &e), -1);
	cr_assert_eq(e.data_len, 3);
	cr_assert_eq(e.data[0], 0xc0);
	cr_assert_eq(e.data[1], 14);
	bgp_update_free(u);
}

Test(bgpd_update, update_plain_ipv4_ignored_but_checked)
{
	struct bgp_update *u = bgp_update_new();
	/* withdrawn: 10.0.0.0/8; attrs: ORIGIN, AS_PATH, NEXT_HOP; NLRI 10.1.0.0/16 */
	const uint8_t ok[] = { 0, 2, 8, 10, 0, 21, ORIGIN_OK, ASPATH_EMPTY, 0x40, 3, 4, 10, 0, 0, 1,
			       LP_OK, 16, 10, 1 };
	uint8_t bad[sizeof(ok)];
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(ok, sizeof(ok), &ibgp4, u, &e), 0);
	cr_assert_eq(u->n_ipv4_withdrawn, 1);
	cr_assert_eq(u->n_ipv4_nlri, 1);
	cr_assert_eq(u->n_reach, 0);
	memcpy(bad, ok, sizeof(ok));
	bad[sizeof(bad) - 3] = 33; /* prefix length 33 */
	cr_assert_eq(bgp_update_decode(bad, sizeof(bad), &ibgp4, u, &e), -1);
	cr_assert_eq(e.subcode, BGP_ERR_UPD_NETWORK);
	bgp_update_free(u);
}
