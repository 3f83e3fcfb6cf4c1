/*
 * bgpd path attributes: the table (flags, known rows), AS_PATH helpers
 * (widen/narrow, length, prepend, AS4 merge, format), 2-octet sessions
 * (AS4_PATH, AS_TRANS), eBGP checks, unknown attributes (kept with Partial,
 * or dropped), and interning (sharing, reference counts, release).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bgpd/attr.h"

static const struct attr_ctx ibgp4 = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = 65000 };
static const struct attr_ctx ebgp4 = { .as4 = true, .afs = BGP_AF_VPNV4, .ebgp = true,
				       .peer_as = 65001 };
static const struct attr_ctx ebgp2 = { .as4 = false, .afs = BGP_AF_VPNV4, .ebgp = true,
				       .peer_as = 65001 };

Test(bgpd_attr, table_rows)
{
	cr_assert_str_eq(attr_desc_get(ATTR_ORIGIN)->name, "ORIGIN");
	cr_assert_eq(attr_desc_get(ATTR_ORIGIN)->flags, ATTR_F_TRANSITIVE);
	cr_assert_eq(attr_desc_get(ATTR_MP_REACH)->flags, ATTR_F_OPTIONAL);
	cr_assert_eq(attr_desc_get(ATTR_MP_REACH)->on_error, ATTR_ACT_RESET);
	cr_assert_eq(attr_desc_get(ATTR_EXT_COMMUNITIES)->flags,
		     ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE);
	cr_assert_eq(attr_desc_get(ATTR_AGGREGATOR)->on_error, ATTR_ACT_DISCARD);
	cr_assert_null(attr_desc_get(99));
	cr_assert_str_eq(attr_origin_name(ORIGIN_INCOMPLETE), "incomplete");
}

/* 4-octet path: SEQUENCE 65001 4200000000, SET {65003 65004} */
static const uint8_t path4[] = { 2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00,
				 1, 2, 0, 0, 0xfd, 0xeb, 0, 0, 0xfd, 0xec };

Test(bgpd_attr, aspath_helpers)
{
	char buf[128];
	uint8_t out[64];
	size_t n;

	cr_assert_eq(aspath_validate(path4, sizeof(path4), 4, false), 0);
	cr_assert_eq(aspath_validate(path4, sizeof(path4) - 1, 4, false), -1);
	cr_assert_eq(aspath_count(path4, sizeof(path4)), 3);
	cr_assert_eq(aspath_first_as(path4, sizeof(path4)), 65001);
	cr_assert(aspath_contains(path4, sizeof(path4), 65004));
	cr_assert(!aspath_contains(path4, sizeof(path4), 65000));
	cr_assert_str_eq(aspath_format(path4, sizeof(path4), buf, sizeof(buf)),
			 "65001 4200000000 {65003,65004}");
	n = aspath_prepend(path4, sizeof(path4), 65000, out);
	cr_assert_eq(n, sizeof(path4) + 4);
	cr_assert_eq(aspath_count(out, n), 4);
	cr_assert_str_eq(aspath_format(out, n, buf, sizeof(buf)),
			 "65000 65001 4200000000 {65003,65004}");
	n = aspath_prepend(NULL, 0, 65000, out);
	cr_assert_eq(n, 6);
	cr_assert_str_eq(aspath_format(out, n, buf, sizeof(buf)), "65000");
	cr_assert_str_eq(aspath_format(NULL, 0, buf, sizeof(buf)), "");
}

Test(bgpd_attr, aspath_confed_rules)
{
	const uint8_t confed[] = { 3, 1, 0, 0, 0xfd, 0xe9 };
	char buf[32];

	cr_assert_eq(aspath_validate(confed, sizeof(confed), 4, false), -1);
	cr_assert_eq(aspath_validate(confed, sizeof(confed), 4, true), 0);
	cr_assert_eq(aspath_count(confed, sizeof(confed)), 0);
	cr_assert_str_eq(aspath_format(confed, sizeof(confed), buf, sizeof(buf)), "(65001)");
}

Test(bgpd_attr, aspath_widen_narrow)
{
	const uint8_t p2[] = { 2, 2, 0xfd, 0xe9, 0x5b, 0xa0 }; /* 65001 23456 */
	uint8_t w[16], n[16];
	bool need;
	size_t wl = aspath_widen(p2, sizeof(p2), w), nl;

	cr_assert_eq(wl, 10);
	cr_assert_eq(aspath_first_as(w, wl), 65001);
	nl = aspath_narrow(w, wl, n, &need);
	cr_assert_eq(nl, sizeof(p2));
	cr_assert_arr_eq(n, p2, sizeof(p2));
	cr_assert(!need);
	nl = aspath_narrow(path4, sizeof(path4), n, &need);
	cr_assert(need);
	cr_assert_eq(n[4], 0x5b); /* 4200000000 became AS_TRANS */
	cr_assert_eq(n[5], 0xa0);
}

Test(bgpd_attr, aspath_merge_as4)
{
	/* AS_PATH (widened): 65001 23456 23456; AS4_PATH: 4200000000 4200000001 */
	const uint8_t p[] = { 2, 3, 0, 0, 0xfd, 0xe9, 0, 0, 0x5b, 0xa0, 0, 0, 0x5b, 0xa0 };
	const uint8_t a4[] = { 2, 2, 0xfa, 0x56, 0xea, 0x00, 0xfa, 0x56, 0xea, 0x01 };
	uint8_t out[64];
	char buf[64];
	size_t n = aspath_merge_as4(p, sizeof(p), a4, sizeof(a4), out);

	cr_assert_gt(n, 0);
	cr_assert_str_eq(aspath_format(out, n, buf, sizeof(buf)), "65001 4200000000 4200000001");
	/* an AS4_PATH longer than AS_PATH is ignored */
	cr_assert_eq(aspath_merge_as4(a4, 6, p, sizeof(p), out), 0);
}

/* Decodes an attribute section (only) with ctx. */
static int decode_attrs(const uint8_t *a, size_t len, const struct attr_ctx *ctx,
			struct bgp_update *u, struct bgp_err *e)
{
	static uint8_t body[512]; /* decoded attributes may point into it */

	body[0] = 0;
	body[1] = 0;
	body[2] = (uint8_t)(len >> 8);
	body[3] = (uint8_t)len;
	memcpy(body + 4, a, len);
	return bgp_update_decode(body, 4 + len, ctx, u, e);
}

Test(bgpd_attr, two_octet_session_with_as4_path)
{
	const uint8_t a[] = {
		0x40, 1, 1, 0,                          /* ORIGIN */
		0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, /* AS_PATH 65001 23456 */
		0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00, /* AS4_PATH 4200000000 */
		0xc0, 7, 6, 0x5b, 0xa0, 10, 0, 0, 9,    /* AGGREGATOR 23456 10.0.0.9 */
		0xc0, 18, 8, 0xfa, 0x56, 0xea, 0x00, 10, 0, 0, 9, /* AS4_AGGREGATOR */
	};
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	char buf[64];

	cr_assert_eq(decode_attrs(a, sizeof(a), &ebgp2, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_str_eq(aspath_format(u->attrs.aspath, u->attrs.aspath_len, buf, sizeof(buf)),
			 "65001 4200000000");
	cr_assert_eq(u->attrs.aggregator_as, 4200000000u);
	cr_assert(!attr_has(&u->attrs, ATTR_AS4_PATH));
	bgp_update_free(u);
}

/*
 * RFC 6793 §4.2.3 and §6 with a 2-octet eBGP neighbor (AS 65001): ORIGIN,
 * AS_PATH and AS4_PATH (and AGGREGATOR/AS4_AGGREGATOR) as sent, the path
 * and aggregator AS we keep, and the RFC 7606 action.
 */
struct as4_case {
	const char *what;
	uint8_t attrs[64];
	size_t len;
	const char *path;
	uint32_t aggregator_as; /* 0: none */
	enum attr_action action;
};

#define ORIGIN_IGP_ 0x40, 1, 1, 0
#define AGGR_TRANS 0xc0, 7, 6, 0x5b, 0xa0, 10, 0, 0, 9   /* AGGREGATOR 23456 10.0.0.9 */
#define AGGR_65002 0xc0, 7, 6, 0xfd, 0xea, 10, 0, 0, 9   /* AGGREGATOR 65002 10.0.0.9 */
#define AS4_AGGR 0xc0, 18, 8, 0xfa, 0x56, 0xea, 0x00, 10, 0, 0, 9
#define AS4C(w, p, ag, act, ...)                                                              \
	{ w, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), p, ag, act }

static const struct as4_case as4_cases[] = {
	AS4C("AS4_PATH replaces the AS_TRANS of the tail", "65001 4200000000 4200000001", 0,
	     ATTR_ACT_NONE, ORIGIN_IGP_, 0x40, 2, 8, 2, 3, 0xfd, 0xe9, 0x5b, 0xa0, 0x5b, 0xa0,
	     0xc0, 17, 10, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0xfa, 0x56, 0xea, 0x01),
	AS4C("AS4_PATH as long as AS_PATH would hide the neighbor: discarded",
	     "65001 23456", 0, ATTR_ACT_DISCARD, ORIGIN_IGP_, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b,
	     0xa0, 0xc0, 17, 10, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0xfa, 0x56, 0xea, 0x01),
	AS4C("AS4_PATH longer than AS_PATH: ignored", "65001", 0, ATTR_ACT_NONE, ORIGIN_IGP_, 0x40,
	     2, 4, 2, 1, 0xfd, 0xe9, 0xc0, 17, 10, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0xfa, 0x56, 0xea,
	     0x01),
	AS4C("confederation segments in AS4_PATH dropped, the rest merged", "65001 4200000000", 0,
	     ATTR_ACT_NONE, ORIGIN_IGP_, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, 0xc0, 17, 12, 3,
	     1, 0, 0, 0xfd, 0xe8, 2, 1, 0xfa, 0x56, 0xea, 0x00),
	AS4C("AS_SET counts one", "65001 4200000000 {65010,65011}", 0, ATTR_ACT_NONE, ORIGIN_IGP_,
	     0x40, 2, 12, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, 1, 2, 0xfd, 0xf2, 0xfd, 0xf3, 0xc0, 17, 16,
	     2, 1, 0xfa, 0x56, 0xea, 0x00, 1, 2, 0, 0, 0xfd, 0xf2, 0, 0, 0xfd, 0xf3),
	AS4C("AGGREGATOR AS_TRANS + AS4_AGGREGATOR: merged", "65001 4200000000", 4200000000u,
	     ATTR_ACT_NONE, ORIGIN_IGP_, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, AGGR_TRANS,
	     0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00, AS4_AGGR),
	AS4C("AGGREGATOR from a 2-octet AS + AS4_AGGREGATOR: both AS4 ignored", "65001 23456",
	     65002, ATTR_ACT_NONE, ORIGIN_IGP_, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0,
	     AGGR_65002, 0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00, AS4_AGGR),
	AS4C("AGGREGATOR from a 2-octet AS alone: AS4_PATH still used", "65001 4200000000", 65002,
	     ATTR_ACT_NONE, ORIGIN_IGP_, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, AGGR_65002,
	     0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00),
	AS4C("AS4_AGGREGATOR without AGGREGATOR: ignored", "65001 4200000000", 0, ATTR_ACT_NONE,
	     ORIGIN_IGP_, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, 0xc0, 17, 6, 2, 1, 0xfa, 0x56,
	     0xea, 0x00, AS4_AGGR),
};

Test(bgpd_attr, as4_merge_table)
{
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	char buf[96];

	for (size_t i = 0; i < sizeof(as4_cases) / sizeof(as4_cases[0]); i++) {
		const struct as4_case *c = &as4_cases[i];

		cr_assert_eq(decode_attrs(c->attrs, c->len, &ebgp2, u, &e), 0, "%s", c->what);
		cr_assert_eq(u->action, c->action, "%s: action %d", c->what, u->action);
		cr_assert_str_eq(aspath_format(u->attrs.aspath, u->attrs.aspath_len, buf, sizeof(buf)),
				 c->path, "%s", c->what);
		cr_assert_eq(attr_has(&u->attrs, ATTR_AGGREGATOR), c->aggregator_as != 0, "%s",
			     c->what);
		if (c->aggregator_as)
			cr_assert_eq(u->attrs.aggregator_as, c->aggregator_as, "%s", c->what);
	}
	bgp_update_free(u);
}

Test(bgpd_attr, encode_for_two_octet_peer_adds_as4_path)
{
	struct bgp_attrs a = { 0 };
	struct wbuf w;
	struct attr_ctx ctx2 = { .as4 = false, .afs = BGP_AF_VPNV4, .ebgp = true,
				 .peer_as = 65001 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	char buf[64];

	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH);
	a.aspath = path4;
	a.aspath_len = 10; /* the SEQUENCE only: 65001 4200000000 */
	wbuf_init(&w);
	attr_encode_all(&w, &a, &ctx2);
	cr_assert(wbuf_ok(&w));
	/* decoding it as the 2-octet peer would: the true path comes back */
	ctx2.peer_as = 65001;
	cr_assert_eq(decode_attrs(w.data, w.len, &ctx2, u, &e), 0);
	cr_assert_str_eq(aspath_format(u->attrs.aspath, u->attrs.aspath_len, buf, sizeof(buf)),
			 "65001 4200000000");
	wbuf_free(&w);
	bgp_update_free(u);
}

/* The flags octet of the attribute of type t in an encoded attribute section, or -1. */
static int flags_of(const struct wbuf *w, uint8_t t)
{
	for (size_t off = 0; off + 3 <= w->len;) {
		size_t hdr = w->data[off] & ATTR_F_EXTLEN ? 4 : 3;
		size_t len = hdr == 4 ? (size_t)w->data[off + 2] << 8 | w->data[off + 3]
				      : w->data[off + 2];

		if (w->data[off + 1] == t)
			return w->data[off];
		off += hdr + len;
	}
	return -1;
}

/*
 * RFC 6793 with RFC 4271 §5's Partial bit: an AS4_PATH from a 2-octet
 * neighbor that came with it (a 2-octet speaker before passed it on) is
 * merged, and the bit goes out again on the AS4_PATH made for a 2-octet
 * peer; never on AS_PATH, nor to a 4-octet peer (no AS4_PATH); an AS4_PATH
 * without it, or one that was not used, leaves none.
 */
Test(bgpd_attr, as4_path_partial_bit_is_carried_into_the_rebuilt_one)
{
	uint8_t a[] = {
		0x40, 1, 1, 0,                          /* ORIGIN */
		0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, /* AS_PATH 65001 23456 */
		0xe0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00, /* AS4_PATH 4200000000, Partial */
	};
	const uint8_t from4[] = { /* with the bit, from a 4-octet neighbor: dropped, bit and all */
		0x40, 1, 1, 0, 0x40, 2, 10, 2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0x5b, 0xa0,
		0xe0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00,
	};
	const uint8_t longer[] = { /* an AS4_PATH longer than the AS_PATH: ignored (§4.2.3) */
		0x40, 1, 1, 0, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0,
		0xe0, 17, 14, 2, 3, 0xfa, 0x56, 0xea, 0x00, 0xfa, 0x56, 0xea, 0x01, 0xfa, 0x56, 0xea, 0x02,
	};
	struct attr_ctx to2 = { .as4 = false, .afs = BGP_AF_VPNV4, .ebgp = true, .peer_as = 65002 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;
	char buf[64];

	wbuf_init(&w);
	cr_assert_eq(decode_attrs(a, sizeof(a), &ebgp2, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_str_eq(aspath_format(u->attrs.aspath, u->attrs.aspath_len, buf, sizeof(buf)),
			 "65001 4200000000");
	cr_assert(!attr_has(&u->attrs, ATTR_AS4_PATH));
	cr_assert_eq(u->attrs.partial, ATTR_BIT(ATTR_AS4_PATH));
	attr_encode_all(&w, &u->attrs, &to2);
	cr_assert(wbuf_ok(&w));
	cr_assert_eq(flags_of(&w, ATTR_AS4_PATH), 0xe0, "AS4_PATH to a 2-octet peer: %#x",
		     flags_of(&w, ATTR_AS4_PATH));
	cr_assert_eq(flags_of(&w, ATTR_AS_PATH), 0x40);
	wbuf_reset(&w);
	attr_encode_all(&w, &u->attrs, &ebgp4);
	cr_assert_eq(flags_of(&w, ATTR_AS4_PATH), -1, "AS4_PATH to a 4-octet peer");
	cr_assert_eq(flags_of(&w, ATTR_AS_PATH), 0x40);

	a[13] = 0xc0; /* without the bit: made anew without it */
	cr_assert_eq(decode_attrs(a, sizeof(a), &ebgp2, u, &e), 0);
	cr_assert_eq(u->attrs.partial, 0);
	wbuf_reset(&w);
	attr_encode_all(&w, &u->attrs, &to2);
	cr_assert_eq(flags_of(&w, ATTR_AS4_PATH), 0xc0);

	cr_assert_eq(decode_attrs(from4, sizeof(from4), &ebgp4, u, &e), 0);
	cr_assert_eq(u->attrs.partial, 0);
	cr_assert_eq(decode_attrs(longer, sizeof(longer), &ebgp2, u, &e), 0);
	cr_assert_str_eq(aspath_format(u->attrs.aspath, u->attrs.aspath_len, buf, sizeof(buf)),
			 "65001 23456");
	cr_assert_eq(u->attrs.partial, 0, "the bit of an AS4_PATH that was ignored");
	bgp_update_free(u);
	wbuf_free(&w);
}

/*
 * The same for AS4_AGGREGATOR: one with the Partial bit from a 2-octet
 * neighbor is taken into AGGREGATOR, and the AS4_AGGREGATOR made for a
 * 2-octet peer carries the bit again; AGGREGATOR (AS_TRANS) keeps its own
 * flags. Ignored (AGGREGATOR from a real 2-octet AS), it leaves none.
 */
Test(bgpd_attr, as4_aggregator_partial_bit_is_carried_into_the_rebuilt_one)
{
	uint8_t a[] = {
		0x40, 1, 1, 0,                          /* ORIGIN */
		0x40, 2, 4, 2, 1, 0xfd, 0xe9,           /* AS_PATH 65001 */
		0xc0, 7, 6, 0x5b, 0xa0, 10, 0, 0, 9,    /* AGGREGATOR 23456 10.0.0.9 */
		0xe0, 18, 8, 0xfa, 0x56, 0xea, 0x00, 10, 0, 0, 9, /* AS4_AGGREGATOR, Partial */
	};
	struct attr_ctx to2 = { .as4 = false, .afs = BGP_AF_VPNV4, .ebgp = true, .peer_as = 65002 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;

	wbuf_init(&w);
	cr_assert_eq(decode_attrs(a, sizeof(a), &ebgp2, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_eq(u->attrs.aggregator_as, 4200000000u);
	cr_assert_eq(u->attrs.partial, ATTR_BIT(ATTR_AS4_AGGREGATOR));
	attr_encode_all(&w, &u->attrs, &to2);
	cr_assert(wbuf_ok(&w));
	cr_assert_eq(flags_of(&w, ATTR_AS4_AGGREGATOR), 0xe0, "AS4_AGGREGATOR to a 2-octet peer: %#x",
		     flags_of(&w, ATTR_AS4_AGGREGATOR));
	cr_assert_eq(flags_of(&w, ATTR_AGGREGATOR), 0xc0);
	wbuf_reset(&w);
	attr_encode_all(&w, &u->attrs, &ebgp4);
	cr_assert_eq(flags_of(&w, ATTR_AS4_AGGREGATOR), -1, "AS4_AGGREGATOR to a 4-octet peer");
	cr_assert_eq(flags_of(&w, ATTR_AGGREGATOR), 0xc0);

	a[14] = 0xfd; /* AGGREGATOR 65001 10.0.0.9: a 2-octet speaker aggregated after; ignored */
	a[15] = 0xe9;
	cr_assert_eq(decode_attrs(a, sizeof(a), &ebgp2, u, &e), 0);
	cr_assert_eq(u->attrs.aggregator_as, 65001);
	cr_assert_eq(u->attrs.partial, 0, "the bit of an AS4_AGGREGATOR that was ignored");
	bgp_update_free(u);
	wbuf_free(&w);
}

/* with a route (MP_REACH 65000:1 10.1.0.0/16): without one, RFC 7606 §5.2 would reset */
Test(bgpd_attr, ebgp_first_as_must_be_the_peer)
{
	const uint8_t a[] = { 0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xea, 0x80, 14, 31, 0, 1,
			      128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 104, 0, 6, 0x41, 0, 0,
			      0xfd, 0xe8, 0, 0, 0, 1, 10, 1 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;

	cr_assert_eq(decode_attrs(a, sizeof(a), &ebgp4, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_WITHDRAW);
	cr_assert_eq(u->withdraw_err.subcode, BGP_ERR_UPD_ASPATH);
	cr_assert_eq(decode_attrs(a, sizeof(a), &ibgp4, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_NONE);
	bgp_update_free(u);
}

Test(bgpd_attr, ebgp_local_pref_ignored)
{
	const uint8_t a[] = { 0x40, 5, 4, 0, 0, 0, 200 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;

	cr_assert_eq(decode_attrs(a, sizeof(a), &ebgp4, u, &e), 0);
	cr_assert(!attr_has(&u->attrs, ATTR_LOCAL_PREF));
	cr_assert_eq(decode_attrs(a, sizeof(a), &ibgp4, u, &e), 0);
	cr_assert(attr_has(&u->attrs, ATTR_LOCAL_PREF));
	cr_assert_eq(u->attrs.local_pref, 200);
	bgp_update_free(u);
}

Test(bgpd_attr, unknown_attributes)
{
	const uint8_t a[] = {
		0xc0, 99, 3, 1, 2, 3, /* optional transitive 99: kept, Partial set */
		0x80, 40, 2, 9, 9,    /* optional non-transitive 40: dropped */
	};
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;

	cr_assert_eq(decode_attrs(a, sizeof(a), &ibgp4, u, &e), 0);
	cr_assert_eq(u->attrs.unknown_len, 6);
	cr_assert_eq(u->attrs.unknown[0], 0xe0); /* Partial set */
	cr_assert_eq(u->attrs.unknown[1], 99);
	wbuf_init(&w);
	attr_encode_all(&w, &u->attrs, &ibgp4);
	cr_assert_eq(w.len, 6);
	cr_assert_arr_eq(w.data + 3, a + 3, 3);
	wbuf_free(&w);
	bgp_update_free(u);
}

Test(bgpd_attr, duplicate_attribute_keeps_the_first)
{
	const uint8_t a[] = { 0x40, 1, 1, 2, 0x40, 1, 1, 0 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;

	cr_assert_eq(decode_attrs(a, sizeof(a), &ibgp4, u, &e), 0);
	cr_assert_eq(u->attrs.origin, ORIGIN_INCOMPLETE);
	bgp_update_free(u);
}

Test(bgpd_attr, extended_length_roundtrip)
{
	static struct ext_community many[40];
	struct bgp_attrs a = { 0 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct wbuf w;

	for (int i = 0; i < 40; i++) {
		char s[32];

		snprintf(s, sizeof(s), "65000:%d", i);
		cr_assert_eq(rt_parse(s, &many[i]), 0);
	}
	a.present = ATTR_BIT(ATTR_EXT_COMMUNITIES);
	a.ext = many;
	a.n_ext = 40; /* 320 bytes: needs the extended length bit */
	wbuf_init(&w);
	attr_encode_all(&w, &a, &ibgp4);
	cr_assert_eq(w.data[0], 0xd0);
	cr_assert_eq(w.len, 4 + 320);
	cr_assert_eq(decode_attrs(w.data, w.len, &ibgp4, u, &e), 0);
	cr_assert_eq(u->attrs.n_ext, 40);
	cr_assert(extcom_equal(&u->attrs.ext[39], &many[39]));
	wbuf_free(&w);
	bgp_update_free(u);
}

static void base_attrs(struct bgp_attrs *a, uint32_t lp)
{
	memset(a, 0, sizeof(*a));
	a->present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a->aspath = path4;
	a->aspath_len = sizeof(path4);
	a->local_pref = lp;
	a->nexthop = 0x0a000001;
}

Test(bgpd_attr, intern_shares_and_releases)
{
	struct bgp_attrs a, b;
	struct attr_set *s1, *s2, *s3;
	uint8_t copy[sizeof(path4)];

	cr_assert_eq(attr_intern_count(), 0);
	base_attrs(&a, 100);
	base_attrs(&b, 100);
	memcpy(copy, path4, sizeof(path4));
	b.aspath = copy; /* equal content, other memory */
	b.med = 99;      /* not present: must not matter */
	s1 = attr_intern(&a);
	s2 = attr_intern(&b);
	cr_assert_eq(s1, s2);
	cr_assert_eq(s1->refcnt, 2);
	cr_assert_eq(attr_intern_count(), 1);
	cr_assert_neq(s1->a.aspath, path4); /* the set owns its copy */
	cr_assert_arr_eq(s1->a.aspath, path4, sizeof(path4));
	b.local_pref = 200;
	s3 = attr_intern(&b);
	cr_assert_neq(s3, s1);
	cr_assert_eq(s3->a.local_pref, 200);
	cr_assert_eq(attr_intern_count(), 2);
	attr_unref(s1);
	attr_unref(s2);
	attr_unref(s3);
	cr_assert_eq(attr_intern_count(), 0);
}

Test(bgpd_attr, intern_many_grows_table)
{
	enum { N = 3000 };
	static struct attr_set *s[N];
	struct bgp_attrs a;

	for (int i = 0; i < N; i++) {
		base_attrs(&a, (uint32_t)i);
		s[i] = attr_intern(&a);
		cr_assert_not_null(s[i]);
	}
	cr_assert_eq(attr_intern_count(), N);
	for (int i = 0; i < N; i++) {
		base_attrs(&a, (uint32_t)i);
		struct attr_set *again = attr_intern(&a);

		cr_assert_eq(again, s[i]);
		attr_unref(again);
		attr_unref(s[i]);
	}
	cr_assert_eq(attr_intern_count(), 0);
}
