/*
 * VPN-IPv4 on the wire, checked against the RFC text byte by byte: what
 * bgpd sends (attribute order and flags, RFC 7606 §5.1 and RFC 4271 §5; the
 * MP_REACH_NLRI fields, RFC 4760 §3 and RFC 4364 §4.3.2; the label's S bit,
 * RFC 8277 §2.2; the withdrawal's Compatibility field, §2.4; End-of-RIB,
 * RFC 4724 §2) and the corners of what it accepts (Compatibility and S bit
 * ignored on receipt, reserved labels, host bits, the reserved octet, both
 * MP attributes in one UPDATE, a family not negotiated, the Partial bit and
 * repeated unknown attributes), and the RFC 7606 §6 dump of a malformed
 * UPDATE. The RFC 7606 error table is
 * test_bgpd_rfc7606.c; round trips and packing, test_bgpd_msg_update.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"
#include "bgpd/rtc_update.h"

static const struct attr_ctx ibgp = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = 65000 };

/* One attribute of an encoded UPDATE, as found by attrs_of. */
struct seen_attr {
	uint8_t flags, type;
	size_t off, len; /* value: offset in the message, length */
};

/* Splits the attribute section of the UPDATE at msg into out[]; how many. */
static size_t attrs_of(const uint8_t *msg, struct seen_attr *out, size_t max)
{
	size_t wlen = (size_t)msg[19] << 8 | msg[20];
	size_t off = 21 + wlen, alen = (size_t)msg[off] << 8 | msg[off + 1], n = 0;
	size_t end = off + 2 + alen;

	for (off += 2; off < end && n < max; n++) {
		struct seen_attr *a = &out[n];
		bool ext = msg[off] & ATTR_F_EXTLEN;

		a->flags = msg[off];
		a->type = msg[off + 1];
		a->len = ext ? (size_t)msg[off + 2] << 8 | msg[off + 3] : msg[off + 2];
		a->off = off + (ext ? 4 : 3);
		off = a->off + a->len;
	}
	cr_assert_eq(off, end, "attributes do not add up to the section length");
	return n;
}

static const uint8_t path_65001[] = { 2, 1, 0, 0, 0xfd, 0xe9 };
static const uint32_t comms[] = { 0xfde80064 };

/* Every attribute bgpd knows how to send, on an iBGP session. */
static void full_attrs(struct bgp_attrs *a, struct ext_community *rt)
{
	memset(a, 0, sizeof(*a));
	cr_assert_eq(rt_parse("65000:100", rt), 0);
	a->present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_MED) |
		     ATTR_BIT(ATTR_LOCAL_PREF) | ATTR_BIT(ATTR_ATOMIC_AGGREGATE) |
		     ATTR_BIT(ATTR_AGGREGATOR) | ATTR_BIT(ATTR_COMMUNITIES) |
		     ATTR_BIT(ATTR_ORIGINATOR_ID) | ATTR_BIT(ATTR_CLUSTER_LIST) |
		     ATTR_BIT(ATTR_EXT_COMMUNITIES);
	a->aspath = path_65001;
	a->aspath_len = sizeof(path_65001);
	a->med = 5;
	a->local_pref = 100;
	a->aggregator_as = 65001;
	a->aggregator_id = 0x0a000009;
	a->communities = comms;
	a->n_communities = 1;
	a->originator_id = 0x0a000002;
	a->cluster = comms;
	a->n_cluster = 1;
	a->ext = rt;
	a->n_ext = 1;
	a->nexthop = 0x0aff0001;
}

static void nlri(struct bgp_vpn_nlri *n, const char *rd, const char *pfx, uint32_t label)
{
	cr_assert_eq(rd_parse(rd, &n->rd), 0);
	cr_assert_eq(prefix4_parse(pfx, &n->prefix), 0);
	n->label = label;
}

/*
 * RFC 7606 §5.1: "The MP_REACH_NLRI or MP_UNREACH_NLRI attribute (if
 * present) SHALL be encoded as the very first path attribute", the rest in
 * ascending type order (RFC 4271 §5), each with the flags its RFC gives it.
 */
Test(bgpd_wire, mp_reach_first_then_type_order_with_exact_flags)
{
	static const struct { uint8_t type, flags; } want[] = {
		{ ATTR_MP_REACH, 0x90 },        { ATTR_ORIGIN, 0x40 },
		{ ATTR_AS_PATH, 0x40 },         { ATTR_MED, 0x80 },
		{ ATTR_LOCAL_PREF, 0x40 },      { ATTR_ATOMIC_AGGREGATE, 0x40 },
		{ ATTR_AGGREGATOR, 0xc0 },      { ATTR_COMMUNITIES, 0xc0 },
		{ ATTR_ORIGINATOR_ID, 0x80 },   { ATTR_CLUSTER_LIST, 0x80 },
		{ ATTR_EXT_COMMUNITIES, 0xc0 },
	};
	struct ext_community rt;
	struct bgp_attrs a;
	struct bgp_vpn_nlri n;
	struct seen_attr got[16];
	struct wbuf w;
	size_t k;

	full_attrs(&a, &rt);
	nlri(&n, "65000:1", "10.1.0.0/16", 100);
	wbuf_init(&w);
	cr_assert_eq(bgp_update_encode_reach(&w, &a, &n, 1, &ibgp), 1);
	k = attrs_of(w.data, got, 16);
	cr_assert_eq(k, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < k; i++) {
		cr_assert_eq(got[i].type, want[i].type, "attribute %zu: type %u, want %u", i,
			     got[i].type, want[i].type);
		cr_assert_eq(got[i].flags, want[i].flags, "type %u: flags 0x%02x, want 0x%02x",
			     got[i].type, got[i].flags, want[i].flags);
	}
	wbuf_free(&w);
}

/* The same for route target membership (RFC 4684), built by rtc_update.c. */
Test(bgpd_wire, rtc_mp_reach_first_too)
{
	struct ext_community rt;
	struct bgp_attrs a;
	struct rtc_route m;
	struct seen_attr got[16];
	struct wbuf w;
	size_t k;

	full_attrs(&a, &rt);
	m = rtc_route_of(65000, &rt);
	wbuf_init(&w);
	cr_assert_eq(rtc_update_encode_reach(&w, &a, &m, 1, &ibgp), 1);
	k = attrs_of(w.data, got, 16);
	cr_assert_gt(k, 2);
	cr_assert_eq(got[0].type, ATTR_MP_REACH);
	for (size_t i = 2; i < k; i++)
		cr_assert_lt(got[i - 1].type, got[i].type);
	wbuf_free(&w);
}

/*
 * MP_REACH_NLRI: AFI 1, SAFI 128, next hop length 12 = an RD of zero and
 * the IPv4 address (RFC 4364 §4.3.2), reserved octet 0 (RFC 4760 §3), then
 * 112 bits: the label with S set (RFC 8277 §2.2: "MUST be set to one on
 * transmission"), the RD, three prefix octets.
 */
Test(bgpd_wire, mp_reach_fields)
{
	static const uint8_t want[] = { 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 255, 0, 1,
					0, 112, 0xff, 0xff, 0xf1, 0, 1, 10, 255, 0, 1, 0, 7,
					192, 168, 100 };
	struct ext_community rt;
	struct bgp_attrs a;
	struct bgp_vpn_nlri n;
	struct seen_attr got[16];
	struct wbuf w;

	full_attrs(&a, &rt);
	nlri(&n, "10.255.0.1:7", "192.168.100.0/24", 0xfffff);
	wbuf_init(&w);
	cr_assert_eq(bgp_update_encode_reach(&w, &a, &n, 1, &ibgp), 1);
	attrs_of(w.data, got, 16);
	cr_assert_eq(got[0].len, sizeof(want));
	cr_assert_arr_eq(w.data + got[0].off, want, sizeof(want));
	wbuf_free(&w);
}

/*
 * A withdrawal: only MP_UNREACH_NLRI, whose NLRI carry the Compatibility
 * field 0x800000 where the label was (RFC 8277 §2.4: "SHOULD be set to
 * 0x800000"). End-of-RIB: MP_UNREACH_NLRI with AFI/SAFI and nothing else.
 */
Test(bgpd_wire, withdrawal_and_end_of_rib_bytes)
{
	static const uint8_t wd[] = { 0, 0, 0, 22, 0x90, 15, 0, 18, 0, 1, 128, 112, 0x80, 0, 0,
				      0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1, 0 };
	static const uint8_t eor[] = { 0, 0, 0, 7, 0x90, 15, 0, 3, 0, 1, 128 };
	struct bgp_vpn_nlri n;
	struct wbuf w;

	nlri(&n, "65000:1", "10.1.0.0/24", 100);
	wbuf_init(&w);
	cr_assert_eq(bgp_update_encode_unreach(&w, &n, 1), 1);
	cr_assert_eq(w.len, 19 + sizeof(wd));
	cr_assert_eq(w.data[18], BGP_MSG_UPDATE);
	cr_assert_arr_eq(w.data + 19, wd, sizeof(wd));
	wbuf_reset(&w);
	cr_assert_eq(bgp_update_encode_eor(&w), 0);
	cr_assert_eq(w.len, 19 + sizeof(eor));
	cr_assert_arr_eq(w.data + 19, eor, sizeof(eor));
	wbuf_free(&w);
}

/* ---- receiving ---- */

#define ORIGIN_OK 0x40, 1, 1, 0
#define ASPATH_EMPTY 0x40, 2, 0
/* MP_REACH_NLRI for VPN-IPv4, next hop 10.0.0.1, up to the NLRI: len = 17 + NLRI bytes */
#define MP_REACH_HDR(len) 0x80, 14, len, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0
/* 65000:1 10.1.0.0/16 with a label field of three given octets */
#define NLRI_16(l0, l1, l2) 104, l0, l1, l2, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1
#define HDR(alen) 0, 0, 0, alen

static struct bgp_update *decode_ok(const uint8_t *b, size_t len, const struct attr_ctx *ctx)
{
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e = { 0 };

	cr_assert_eq(bgp_update_decode(b, len, ctx, u, &e), 0, "reset %u/%u", e.code, e.subcode);
	return u;
}

/* RFC 8277 §2.4: "Upon reception, the value of the Compatibility field MUST be ignored." */
Test(bgpd_wire, withdrawal_compatibility_field_ignored)
{
	static const uint8_t compat[][3] = { { 0x80, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 },
					     { 0x12, 0x34, 0x50 }, { 0xff, 0xff, 0xff } };

	for (size_t i = 0; i < sizeof(compat) / sizeof(compat[0]); i++) {
		const uint8_t *c = compat[i];
		const uint8_t b[] = { HDR(20), 0x80, 15, 17, 0, 1, 128, NLRI_16(c[0], c[1], c[2]) };
		struct bgp_update *u = decode_ok(b, sizeof(b), &ibgp);

		cr_assert_eq(u->n_unreach, 1, "compatibility %02x%02x%02x", c[0], c[1], c[2]);
		cr_assert_eq(u->unreach[0].prefix.addr, 0x0a010000);
		cr_assert_eq(u->unreach[0].prefix.len, 16);
		cr_assert_eq(u->action, ATTR_ACT_NONE);
		cr_assert(!u->end_of_rib);
		bgp_update_free(u);
	}
}

/*
 * RFC 8277 §2.2, without the Multiple Labels Capability (bgpd never offers
 * it): exactly one label, and its S bit "MUST be ignored on reception".
 * Labels 0 (IPv4 explicit null) and 3 (implicit null) are kept as sent:
 * vrfmgr decides what it can forward with (it imports none below 16).
 */
Test(bgpd_wire, one_label_whatever_its_s_bit_reserved_values_kept)
{
	static const struct { uint8_t l[3]; uint32_t label; } cases[] = {
		{ { 0x00, 0x06, 0x41 }, 100 }, /* S set */
		{ { 0x00, 0x06, 0x40 }, 100 }, /* S clear: still one label */
		{ { 0x00, 0x00, 0x31 }, 3 },   /* implicit null */
		{ { 0x00, 0x00, 0x01 }, 0 },   /* IPv4 explicit null */
		{ { 0xff, 0xff, 0xfe }, 0xfffff },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *l = cases[i].l;
		const uint8_t b[] = { HDR(7 + 34), ORIGIN_OK, ASPATH_EMPTY, MP_REACH_HDR(31),
				      NLRI_16(l[0], l[1], l[2]) };
		struct bgp_update *u = decode_ok(b, sizeof(b), &ibgp);

		cr_assert_eq(u->action, ATTR_ACT_NONE);
		cr_assert_eq(u->n_reach, 1);
		cr_assert_eq(u->reach[0].label, cases[i].label, "case %zu: label %u", i,
			     u->reach[0].label);
		cr_assert_eq(u->reach[0].prefix.len, 16);
		bgp_update_free(u);
	}
}

/* RFC 4271 §4.3: "the value of trailing bits is irrelevant"; announce and withdraw agree. */
Test(bgpd_wire, host_bits_past_the_length_ignored)
{
	const uint8_t b[] = { HDR(7 + 34 + 20), ORIGIN_OK, ASPATH_EMPTY, MP_REACH_HDR(31), 100, 0,
			      6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 0xff, 0x80, 15, 17, 0, 1,
			      128, 100, 0x80, 0, 0, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 0xff };
	struct bgp_update *u = decode_ok(b, sizeof(b), &ibgp);

	cr_assert_eq(u->n_reach, 1);
	cr_assert_eq(u->reach[0].prefix.addr, 0x0af00000); /* 10.255/12 -> 10.240.0.0/12 */
	cr_assert_eq(u->reach[0].prefix.len, 12);
	cr_assert_eq(u->n_unreach, 1);
	cr_assert(prefix4_equal(&u->unreach[0].prefix, &u->reach[0].prefix));
	bgp_update_free(u);
}

/*
 * RFC 4760 §3: the reserved octet "SHOULD be ignored upon receipt" (it was
 * RFC 2858's SNPA count). The next hop's RD is not looked at either.
 */
Test(bgpd_wire, reserved_octet_and_next_hop_rd_ignored)
{
	const uint8_t b[] = { HDR(7 + 34), ORIGIN_OK, ASPATH_EMPTY, 0x80, 14, 31, 0, 1, 128, 12,
			      0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 0, 0, 1, 7,
			      NLRI_16(0, 6, 0x41) };
	struct bgp_update *u = decode_ok(b, sizeof(b), &ibgp);

	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_eq(u->n_reach, 1);
	cr_assert_eq(u->attrs.nexthop, 0x0a000001);
	bgp_update_free(u);
}

/*
 * RFC 7606 §7.11: a next hop length other than VPN-IPv4's 12 (24 would be
 * an IPv6 next hop, RFC 8950, which needs a capability we never offer)
 * leaves the NLRI unlocatable: session reset, Optional Attribute Error.
 */
Test(bgpd_wire, next_hop_length_24_resets)
{
	uint8_t b[4 + 7 + 46] = { HDR(7 + 46), ORIGIN_OK, ASPATH_EMPTY, 0x80, 14, 43, 0, 1, 128,
				  24 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e = { 0 };

	/* next hop: 24 zero octets but for 10.0.0.1 at the end of the first half */
	b[4 + 7 + 7 + 8] = 10;
	b[4 + 7 + 7 + 11] = 1;
	memcpy(b + 4 + 7 + 7 + 24 + 1, (const uint8_t[]){ NLRI_16(0, 6, 0x41) }, 14);
	cr_assert_eq(bgp_update_decode(b, sizeof(b), &ibgp, u, &e), -1);
	cr_assert_eq(e.code, BGP_ERR_UPDATE);
	cr_assert_eq(e.subcode, BGP_ERR_UPD_OPTIONAL);
	bgp_update_free(u);
}

/* Both MP attributes in one UPDATE (RFC 7606 §5.1: to be accepted in any combination). */
Test(bgpd_wire, reach_and_unreach_in_one_update)
{
	const uint8_t b[] = { HDR(20 + 7 + 34), 0x80, 15, 17, 0, 1, 128, 104, 0x80, 0, 0, 0, 0,
			      0xfd, 0xe8, 0, 0, 0, 2, 10, 2, ORIGIN_OK, ASPATH_EMPTY,
			      MP_REACH_HDR(31), NLRI_16(0, 6, 0x41) };
	struct bgp_update *u = decode_ok(b, sizeof(b), &ibgp);

	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_eq(u->n_reach, 1);
	cr_assert_eq(u->n_unreach, 1);
	cr_assert_eq(u->unreach[0].prefix.addr, 0x0a020000);
	cr_assert(!u->end_of_rib);
	bgp_update_free(u);
}

/*
 * VPN-IPv4 from a neighbor that did not negotiate it (its families or ours
 * lack it): neither announced nor withdrawn, counted as another family's.
 */
Test(bgpd_wire, vpn_routes_of_a_session_without_vpnv4_ignored)
{
	static const struct attr_ctx ipv4_only = { .as4 = true, .afs = BGP_AF_IPV4,
						   .peer_as = 65000 };
	const uint8_t b[] = { HDR(7 + 34 + 20), ORIGIN_OK, ASPATH_EMPTY, MP_REACH_HDR(31),
			      NLRI_16(0, 6, 0x41), 0x80, 15, 17, 0, 1, 128, NLRI_16(0x80, 0, 0) };
	const uint8_t eor[] = { HDR(6), 0x80, 15, 3, 0, 1, 128 };
	struct bgp_update *u = decode_ok(b, sizeof(b), &ipv4_only);

	cr_assert_eq(u->n_reach, 0);
	cr_assert_eq(u->n_unreach, 0);
	cr_assert_eq(u->n_other_afi, 2);
	bgp_update_free(u);
	u = decode_ok(eor, sizeof(eor), &ipv4_only);
	cr_assert(!u->end_of_rib);
	bgp_update_free(u);
}

/*
 * RFC 4271 §5: a recognized optional transitive attribute whose Partial bit
 * "is set to 1 by some previous AS ... MUST NOT be set back to 0": it is
 * sent on with it, and two otherwise equal sets stay apart when interned.
 */
#define PARTIAL_ATTRS(f, fx)                                                                  \
	f, 8, 4, 0xfd, 0xe8, 0, 1, f, 16, 8, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100, fx, 32, 0, 12, 0, \
		0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0, 2
#define PARTIAL_LEN (7 + 11 + 16)

Test(bgpd_wire, partial_bit_of_known_attributes_passed_on)
{
	const uint8_t b[] = { HDR(7 + 34 + PARTIAL_LEN), ORIGIN_OK, ASPATH_EMPTY,
			      MP_REACH_HDR(31), NLRI_16(0, 6, 0x41), PARTIAL_ATTRS(0xe0, 0xf0) };
	const uint8_t whole[] = { HDR(7 + 34 + PARTIAL_LEN), ORIGIN_OK, ASPATH_EMPTY,
				  MP_REACH_HDR(31), NLRI_16(0, 6, 0x41), PARTIAL_ATTRS(0xc0, 0xd0) };
	struct bgp_update *u = decode_ok(b, sizeof(b), &ibgp);
	struct attr_set *with, *without;
	struct seen_attr got[16];
	struct wbuf w;
	size_t k, partial = 0;

	cr_assert_eq(u->action, ATTR_ACT_NONE);
	wbuf_init(&w);
	cr_assert_eq(bgp_update_encode_reach(&w, &u->attrs, u->reach, 1, &ibgp), 1);
	k = attrs_of(w.data, got, 16);
	for (size_t i = 0; i < k; i++) {
		bool p = got[i].flags & ATTR_F_PARTIAL;

		if (got[i].type == ATTR_COMMUNITIES || got[i].type == ATTR_EXT_COMMUNITIES ||
		    got[i].type == ATTR_LARGE_COMMUNITIES) {
			cr_assert(p, "type %u sent without the Partial bit", got[i].type);
			partial++;
		} else {
			cr_assert(!p, "type %u sent with the Partial bit", got[i].type);
		}
	}
	cr_assert_eq(partial, 3);
	with = attr_intern(&u->attrs);
	bgp_update_free(u);
	u = decode_ok(whole, sizeof(whole), &ibgp);
	without = attr_intern(&u->attrs);
	cr_assert_neq(with, without, "the Partial bits are part of the set");
	attr_unref(with);
	attr_unref(without);
	wbuf_free(&w);
	bgp_update_free(u);
}

/*
 * RFC 7606 §3(g): an attribute other than MP_REACH/MP_UNREACH, "whether
 * recognized or unrecognized", repeated: all but the first are discarded.
 * So an unknown optional transitive one is passed on once, the first.
 */
Test(bgpd_wire, repeated_unknown_attribute_keeps_the_first)
{
	const uint8_t b[] = { HDR(7 + 34 + 6 + 6), ORIGIN_OK, ASPATH_EMPTY, MP_REACH_HDR(31),
			      NLRI_16(0, 6, 0x41), 0xc0, 99, 3, 1, 2, 3, 0xc0, 99, 3, 4, 5, 6 };
	struct bgp_update *u = decode_ok(b, sizeof(b), &ibgp);

	cr_assert_eq(u->action, ATTR_ACT_NONE);
	cr_assert_eq(u->attrs.unknown_len, 6);
	cr_assert_eq(u->attrs.unknown[5], 3);
	bgp_update_free(u);
}

/* ---- RFC 7606 §6: "the NLRI involved" and "the entire malformed UPDATE message" ---- */

struct lines {
	char l[16][512];
	size_t n;
};

static void keep_line(void *arg, const char *line)
{
	struct lines *ls = arg;

	cr_assert_lt(ls->n, 16);
	cr_assert_lt(strlen(line), sizeof(ls->l[0]));
	strcpy(ls->l[ls->n++], line);
}

Test(bgpd_wire, malformed_update_dump_names_routes_and_holds_every_byte)
{
	/* five routes 65000:1 10.1..5.0.0/16 and a MED of length 3 */
	uint8_t b[4 + 7 + 3 + 17 + 5 * 14 + 6] = { 0, 0, 0, 7 + 3 + 17 + 5 * 14 + 6, ORIGIN_OK,
						    ASPATH_EMPTY, MP_REACH_HDR(17 + 5 * 14) };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;
	struct lines ls = { .n = 0 };
	uint8_t back[sizeof(b)];
	size_t off = 4 + 7 + 20, got = 0;

	for (uint8_t i = 1; i <= 5; i++, off += 14)
		memcpy(b + off, (const uint8_t[]){ NLRI_16(0, 6, 0x41) }, 14), b[off + 13] = i;
	memcpy(b + off, (const uint8_t[]){ 0x80, 4, 3, 0, 0, 7 }, 6);
	cr_assert_eq(bgp_update_decode(b, sizeof(b), &ibgp, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_WITHDRAW);
	cr_assert_eq(bgp_update_dump(u, b, sizeof(b), keep_line, &ls), ls.n);
	cr_assert_str_eq(ls.l[0], "VPN-IPv4 routes: 5 announced, 0 withdrawn: 65000:1 10.1.0.0/16 "
				  "65000:1 10.2.0.0/16 65000:1 10.3.0.0/16 65000:1 10.4.0.0/16 "
				  "(+1 more)");
	cr_assert_str_eq(ls.l[1], "the UPDATE, 107 bytes after its 19-byte header, in hex:");
	cr_assert_eq(ls.n, 2 + (sizeof(b) + BGP_DUMP_BYTES_PER_LINE - 1) / BGP_DUMP_BYTES_PER_LINE);
	for (size_t i = 2; i < ls.n; i++) {
		const char *h = ls.l[i] + 5; /* "0020 " */
		unsigned x;

		cr_assert_eq(strtoul(ls.l[i], NULL, 16), got, "line %zu offset", i);
		for (; *h; h += 2, got++) {
			cr_assert_eq(sscanf(h, "%2x", &x), 1);
			back[got] = (uint8_t)x;
		}
	}
	cr_assert_eq(got, sizeof(b));
	cr_assert_arr_eq(back, b, sizeof(b));
	bgp_update_free(u);
}

struct big_lines {
	char l[64][2 * BGP_DUMP_BYTES_PER_LINE + 128];
	size_t n, total; /* kept (the first 64), and all */
};

static void keep_big_line(void *arg, const char *line)
{
	struct big_lines *ls = arg;

	if (ls->n < 64) {
		cr_assert_lt(strlen(line), sizeof(ls->l[0]));
		strcpy(ls->l[ls->n++], line);
	}
	ls->total++;
}

/* The hex lines ls->l[from..to) back into body's bytes; checks each line's offset. Bytes read. */
static size_t unhex(const struct big_lines *ls, size_t from, size_t to, const uint8_t *body,
		    size_t off)
{
	size_t start = off;

	for (size_t i = from; i < to; i++) {
		const char *h = ls->l[i] + 5;
		unsigned x;

		cr_assert_eq(strtoul(ls->l[i], NULL, 16), off, "line %zu offset", i);
		for (; *h; h += 2, off++) {
			cr_assert_eq(sscanf(h, "%2x", &x), 1);
			cr_assert_eq((uint8_t)x, body[off], "byte %zu", off);
		}
	}
	return off - start;
}

/*
 * A 65,535-byte UPDATE (RFC 8654) is not 2,048 lines of hex: its first
 * BGP_DUMP_HEAD bytes, a line counting what was left out, its last ones
 * from a line's boundary; the first size that leaves a line out too. Up
 * to it whole: just over the bound, the tail's line boundary falls at
 * BGP_DUMP_HEAD and nothing would be left out.
 */
Test(bgpd_wire, malformed_update_dump_of_a_large_update_is_capped)
{
	static uint8_t body[65535];
	struct bgp_update *u = bgp_update_new();
	const size_t sizes[] = { 65535, BGP_DUMP_HEAD + BGP_DUMP_TAIL + 32 };
	struct big_lines ls;
	char want[160];

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 7 + i / 256);
	for (size_t k = 0; k < 2; k++) {
		size_t len = sizes[k], tail = (len - BGP_DUMP_TAIL) / 32 * 32, head_lines = BGP_DUMP_HEAD / 32;

		memset(&ls, 0, sizeof(ls));
		cr_assert_eq(bgp_update_dump(u, body, len, keep_big_line, &ls), ls.total);
		cr_assert_eq(ls.total, 2 + head_lines + 1 + (len - tail + 31) / 32, "%zu bytes: %zu lines",
			     len, ls.total);
		cr_assert_leq(ls.total, 2 + 16 + 1 + 9);
		snprintf(want, sizeof(want), "the UPDATE, %zu bytes after its 19-byte header, in hex: "
			 "the first 512 and the last %zu", len, len - tail);
		cr_assert_str_eq(ls.l[1], want);
		cr_assert_eq(unhex(&ls, 2, 2 + head_lines, body, 0), BGP_DUMP_HEAD);
		snprintf(want, sizeof(want), "... %zu bytes left out (0200 to %04zx) ...",
			 tail - BGP_DUMP_HEAD, tail - 1);
		cr_assert_str_eq(ls.l[2 + head_lines], want);
		cr_assert_eq(unhex(&ls, 3 + head_lines, ls.n, body, tail), len - tail);
	}
	for (size_t len = BGP_DUMP_HEAD + BGP_DUMP_TAIL; len < BGP_DUMP_HEAD + BGP_DUMP_TAIL + 32;
	     len++) { /* whole: no "0 bytes left out (0200 to 01ff)" */
		memset(&ls, 0, sizeof(ls));
		cr_assert_eq(bgp_update_dump(u, body, len, keep_big_line, &ls), 2 + (len + 31) / 32,
			     "%zu bytes", len);
		snprintf(want, sizeof(want), "the UPDATE, %zu bytes after its 19-byte header, in hex:",
			 len);
		cr_assert_str_eq(ls.l[1], want);
		cr_assert_eq(unhex(&ls, 2, ls.n, body, 0), len);
	}
	bgp_update_free(u);
}
