/*
 * bgpd message codec: OPEN / UPDATE / NOTIFICATION / KEEPALIVE / ROUTE-REFRESH
 * encode -> decode round trips (VPN-IPv4 NLRI with RD, label and route
 * targets; packing into 4096-byte messages), and a table of malformed
 * messages, each with the NOTIFICATION code/subcode (and RFC 7606 action)
 * it must produce.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"

static const struct attr_ctx ibgp4 = { .as4 = true, .ebgp = false, .peer_as = 65000 };

/* ---- header ---- */

static void hdr(uint8_t *p, uint16_t len, uint8_t type)
{
	memset(p, 0xff, 16);
	p[16] = (uint8_t)(len >> 8);
	p[17] = (uint8_t)len;
	p[18] = type;
}

Test(bgpd_msg, header_ok)
{
	uint8_t p[19];
	struct bgp_hdr h;
	struct bgp_err e;

	hdr(p, 19, BGP_MSG_KEEPALIVE);
	cr_assert_eq(bgp_hdr_decode(p, &h, &e), 0);
	cr_assert_eq(h.len, 19);
	cr_assert_eq(h.type, BGP_MSG_KEEPALIVE);
}

struct hdr_case {
	uint16_t len;
	uint8_t type;
	int marker_byte; /* index to break, or -1 */
	uint8_t code, sub;
	uint16_t data_len;
};

Test(bgpd_msg, header_errors)
{
	static const struct hdr_case cases[] = {
		{ 19, BGP_MSG_KEEPALIVE, 7, 1, 1, 0 },     /* bad marker */
		{ 18, BGP_MSG_KEEPALIVE, -1, 1, 2, 2 },    /* shorter than a header */
		{ 4097, BGP_MSG_UPDATE, -1, 1, 2, 2 },     /* longer than 4096 */
		{ 20, BGP_MSG_KEEPALIVE, -1, 1, 2, 2 },    /* KEEPALIVE must be 19 */
		{ 28, BGP_MSG_OPEN, -1, 1, 2, 2 },         /* OPEN below 29 */
		{ 22, BGP_MSG_UPDATE, -1, 1, 2, 2 },       /* UPDATE below 23 */
		{ 20, BGP_MSG_NOTIFICATION, -1, 1, 2, 2 }, /* NOTIFICATION below 21 */
		{ 22, BGP_MSG_ROUTE_REFRESH, -1, 1, 2, 2 }, /* ROUTE-REFRESH below 23 */
		{ 19, 0, -1, 1, 3, 1 },                    /* bad types */
		{ 19, 6, -1, 1, 3, 1 },
		{ 19, 255, -1, 1, 3, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hdr_case *c = &cases[i];
		uint8_t p[19];
		struct bgp_hdr h;
		struct bgp_err e;

		hdr(p, c->len, c->type);
		if (c->marker_byte >= 0)
			p[c->marker_byte] = 0;
		cr_assert_eq(bgp_hdr_decode(p, &h, &e), -1, "case %zu", i);
		cr_assert_eq(e.code, c->code, "case %zu", i);
		cr_assert_eq(e.subcode, c->sub, "case %zu: sub %u", i, e.subcode);
		cr_assert_eq(e.data_len, c->data_len, "case %zu", i);
	}
}

Test(bgpd_msg, header_length_data_is_the_length)
{
	uint8_t p[19];
	struct bgp_hdr h;
	struct bgp_err e;

	hdr(p, 5000, BGP_MSG_UPDATE);
	cr_assert_eq(bgp_hdr_decode(p, &h, &e), -1);
	cr_assert_eq(e.data[0], 5000 >> 8);
	cr_assert_eq(e.data[1], 5000 & 0xff);
}

/* ---- OPEN ---- */

static void open_roundtrip(uint32_t asn, struct bgp_open *out)
{
	struct bgp_open o = { .asn = asn, .hold_time = 90, .bgp_id = 0x0aff0001 };
	struct wbuf w;
	struct bgp_hdr h;
	struct bgp_err e;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	cr_assert_eq(bgp_hdr_decode(w.data, &h, &e), 0);
	cr_assert_eq(h.type, BGP_MSG_OPEN);
	cr_assert_eq(h.len, w.len);
	cr_assert_eq(bgp_open_decode(w.data + 19, w.len - 19, out, &e), 0);
	wbuf_free(&w);
}

Test(bgpd_msg, open_roundtrip)
{
	struct bgp_open o;

	open_roundtrip(65000, &o);
	cr_assert_eq(o.version, 4);
	cr_assert_eq(o.my_as2, 65000);
	cr_assert_eq(o.asn, 65000);
	cr_assert_eq(o.hold_time, 90);
	cr_assert_eq(o.bgp_id, 0x0aff0001);
	cr_assert(o.cap_as4 && o.cap_vpnv4 && o.cap_route_refresh);
	cr_assert_eq(o.n_families, 1);
}

Test(bgpd_msg, open_as4_uses_as_trans)
{
	struct bgp_open o;

	open_roundtrip(4200000000u, &o);
	cr_assert_eq(o.my_as2, BGP_AS_TRANS);
	cr_assert_eq(o.asn, 4200000000u);
}

/* OPEN body: version, AS, hold, id, then raw optional parameters. */
static size_t open_body(uint8_t *b, uint8_t version, uint16_t hold, uint32_t id,
			const uint8_t *params, uint8_t plen)
{
	b[0] = version;
	b[1] = 65000 >> 8;
	b[2] = 65000 & 0xff;
	b[3] = (uint8_t)(hold >> 8);
	b[4] = (uint8_t)hold;
	b[5] = (uint8_t)(id >> 24);
	b[6] = (uint8_t)(id >> 16);
	b[7] = (uint8_t)(id >> 8);
	b[8] = (uint8_t)id;
	b[9] = plen;
	if (plen)
		memcpy(b + 10, params, plen);
	return 10u + plen;
}

struct open_case {
	const char *what;
	uint8_t version;
	uint16_t hold;
	uint32_t id;
	uint8_t params[16];
	uint8_t plen;
	int rc;
	uint8_t sub;
};

Test(bgpd_msg, open_errors)
{
	static const struct open_case cases[] = {
		{ "version 3", 3, 90, 1, { 0 }, 0, -1, BGP_ERR_OPEN_VERSION },
		{ "hold 1", 4, 1, 1, { 0 }, 0, -1, BGP_ERR_OPEN_HOLD },
		{ "hold 2", 4, 2, 1, { 0 }, 0, -1, BGP_ERR_OPEN_HOLD },
		{ "hold 0 ok", 4, 0, 1, { 0 }, 0, 0, 0 },
		{ "hold 3 ok", 4, 3, 1, { 0 }, 0, 0, 0 },
		{ "id 0", 4, 90, 0, { 0 }, 0, -1, BGP_ERR_OPEN_BGP_ID },
		{ "unknown param", 4, 90, 1, { 1, 2, 0, 0 }, 4, -1, BGP_ERR_OPEN_OPT_PARAM },
		{ "param overrun", 4, 90, 1, { 2, 9, 1, 4 }, 4, -1, BGP_ERR_OPEN_UNSPEC },
		{ "bad MP cap length", 4, 90, 1, { 2, 5, 1, 3, 0, 1, 0 }, 7, -1, BGP_ERR_OPEN_UNSPEC },
		{ "unknown cap ignored", 4, 90, 1, { 2, 3, 99, 1, 7 }, 5, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct open_case *c = &cases[i];
		uint8_t b[64];
		size_t len = open_body(b, c->version, c->hold, c->id, c->params, c->plen);
		struct bgp_open o;
		struct bgp_err e = { 0 };

		cr_assert_eq(bgp_open_decode(b, len, &o, &e), c->rc, "%s", c->what);
		if (c->rc < 0) {
			cr_assert_eq(e.code, BGP_ERR_OPEN, "%s", c->what);
			cr_assert_eq(e.subcode, c->sub, "%s: got %u", c->what, e.subcode);
		}
	}
}

Test(bgpd_msg, open_bad_version_says_4)
{
	uint8_t b[16];
	size_t len = open_body(b, 5, 90, 1, NULL, 0);
	struct bgp_open o;
	struct bgp_err e;

	cr_assert_eq(bgp_open_decode(b, len, &o, &e), -1);
	cr_assert_eq(e.data_len, 2);
	cr_assert_eq(e.data[1], 4);
}

Test(bgpd_msg, open_without_mp_has_no_vpnv4)
{
	const uint8_t params[] = { 2, 6, 65, 4, 0, 0, 0xfd, 0xe8 };
	uint8_t b[32];
	size_t len = open_body(b, 4, 90, 1, params, sizeof(params));
	struct bgp_open o;
	struct bgp_err e;

	cr_assert_eq(bgp_open_decode(b, len, &o, &e), 0);
	cr_assert(!o.cap_vpnv4);
	cr_assert(o.cap_as4);
	cr_assert_eq(o.asn, 65000);
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---- */

Test(bgpd_msg, keepalive)
{
	struct wbuf w;
	struct bgp_hdr h;
	struct bgp_err e;

	wbuf_init(&w);
	cr_assert_eq(bgp_keepalive_encode(&w), 0);
	cr_assert_eq(w.len, 19);
	cr_assert_eq(bgp_hdr_decode(w.data, &h, &e), 0);
	cr_assert_eq(h.type, BGP_MSG_KEEPALIVE);
	wbuf_free(&w);
}

Test(bgpd_msg, notification_roundtrip)
{
	struct bgp_err in, out;
	struct wbuf w;
	struct bgp_hdr h;
	const uint8_t data[] = { 0x40, 1, 1, 9 };

	bgp_err_set(&in, BGP_ERR_UPDATE, BGP_ERR_UPD_ORIGIN, data, sizeof(data));
	wbuf_init(&w);
	cr_assert_eq(bgp_notification_encode(&w, &in), 0);
	cr_assert_eq(w.len, 21 + sizeof(data));
	cr_assert_eq(bgp_hdr_decode(w.data, &h, &out), 0);
	cr_assert_eq(h.type, BGP_MSG_NOTIFICATION);
	cr_assert_eq(bgp_notification_decode(w.data + 19, w.len - 19, &out), 0);
	cr_assert_eq(out.code, 3);
	cr_assert_eq(out.subcode, 6);
	cr_assert_eq(out.data_len, sizeof(data));
	cr_assert_arr_eq(out.data, data, sizeof(data));
	wbuf_free(&w);
}

Test(bgpd_msg, notification_names)
{
	char buf[96];

	cr_assert_str_eq(bgp_err_format(6, 7, buf, sizeof(buf)),
			 "cease / connection collision resolution (6/7)");
	cr_assert_str_eq(bgp_err_format(1, 1, buf, sizeof(buf)),
			 "message header error / connection not synchronized (1/1)");
	cr_assert_str_eq(bgp_err_format(9, 9, buf, sizeof(buf)), "unknown error (9/9)");
}

Test(bgpd_msg, route_refresh_roundtrip)
{
	struct wbuf w;
	uint16_t afi;
	uint8_t safi, sub;

	wbuf_init(&w);
	cr_assert_eq(bgp_route_refresh_encode(&w, 1, 128, BGP_RR_EORR), 0);
	cr_assert_eq(w.len, 23);
	cr_assert_eq(bgp_route_refresh_decode(w.data + 19, 4, &afi, &safi, &sub), 0);
	cr_assert_eq(afi, 1);
	cr_assert_eq(safi, 128);
	cr_assert_eq(sub, BGP_RR_EORR); /* RFC 7313 puts the subtype in the old reserved octet */
	wbuf_free(&w);
}

/* RFC 7313 §5: a BoRR/EoRR that is not 4 bytes is 7/1 carrying the whole message. */
Test(bgpd_msg, route_refresh_length_by_subtype)
{
	struct hdr_case_rr {
		uint8_t body[8];
		size_t len;
		int rc;
		uint8_t code, sub;
	} cases[] = {
		{ { 0, 1, 0, 128 }, 4, 0, 0, 0 },                      /* request */
		{ { 0, 1, 1, 128 }, 4, 0, 0, 0 },                      /* BoRR */
		{ { 0, 1, 7, 128 }, 4, 1, 0, 0 },                      /* unknown subtype: ignored */
		{ { 0, 1, 9, 128, 1, 2 }, 6, 1, 0, 0 },                /* ... whatever its length */
		{ { 0, 1, 1, 128, 0 }, 5, -1, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_LENGTH },
		{ { 0, 1, 2, 128, 0, 0, 0, 0 }, 8, -1, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_LENGTH },
		{ { 0, 1, 0, 128, 0 }, 5, -1, BGP_ERR_HEADER, BGP_ERR_HDR_LEN }, /* no ORF here */
	};
	uint8_t p[19];
	struct bgp_hdr h;
	struct bgp_err e;
	char buf[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hdr_case_rr *c = &cases[i];

		hdr(p, (uint16_t)(19 + c->len), BGP_MSG_ROUTE_REFRESH);
		cr_assert_eq(bgp_hdr_decode(p, &h, &e), 0, "case %zu: header refused", i);
		memset(&e, 0, sizeof(e));
		cr_assert_eq(bgp_route_refresh_check(c->body, c->len, &e), c->rc, "case %zu", i);
		if (c->rc >= 0)
			continue;
		cr_assert_eq(e.code, c->code, "case %zu", i);
		cr_assert_eq(e.subcode, c->sub, "case %zu", i);
		if (c->code == BGP_ERR_ROUTE_REFRESH) {
			cr_assert_eq(e.data_len, 19 + c->len, "case %zu", i);
			cr_assert_eq(e.data[17], 19 + c->len);
			cr_assert_eq(e.data[18], BGP_MSG_ROUTE_REFRESH);
			cr_assert_eq(memcmp(e.data + 19, c->body, c->len), 0);
		}
	}
	cr_assert_str_eq(bgp_err_format(7, 1, buf, sizeof(buf)),
			 "ROUTE-REFRESH message error / invalid message length (7/1)");
}

static void vpn_attrs(struct bgp_attrs *a, struct ext_community *rts);

/* ---- capabilities: families, enhanced route refresh, extended message, GR ---- */

Test(bgpd_msg, open_all_capabilities_roundtrip)
{
	struct bgp_open o = { .asn = 65000, .hold_time = 90, .bgp_id = 1,
			      .afs = BGP_AF_VPNV4 | BGP_AF_IPV4, .cap_enhanced_rr = true,
			      .cap_ext_msg = true, .cap_gr = true, .gr_time = 120 },
			out;
	struct bgp_err e;
	struct wbuf w;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	cr_assert_eq(bgp_open_decode(w.data + 19, w.len - 19, &out, &e), 0);
	cr_assert_eq(out.afs, BGP_AF_VPNV4 | BGP_AF_IPV4);
	cr_assert_eq(out.n_families, 2);
	cr_assert(out.cap_enhanced_rr && out.cap_ext_msg && out.cap_gr && out.cap_route_refresh);
	cr_assert_eq(out.gr_time, 120);
	cr_assert_not(out.gr_restarting);
	cr_assert_eq(out.gr_afs, 0); /* a receiving speaker lists no family */
	wbuf_free(&w);
}

/* The capability a restarting ferry sends: exact bytes (RFC 4724 section 3). */
Test(bgpd_msg, open_encodes_the_restarting_speakers_families)
{
	struct bgp_open o = { .asn = 65000, .hold_time = 90, .bgp_id = 1, .cap_gr = true,
			      .gr_time = 300, .gr_restarting = true, .gr_afs = BGP_AF_VPNV4,
			      .gr_fwd_afs = BGP_AF_VPNV4 };
	/* code 64, length 6: R bit and 300 s, then AFI 1 / SAFI 128 with the F bit */
	const uint8_t want[] = { 64, 6, 0x81, 0x2c, 0, 1, 128, 0x80 };
	struct wbuf w;
	bool found = false;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	for (size_t i = 0; i + sizeof(want) <= w.len; i++)
		found |= memcmp(w.data + i, want, sizeof(want)) == 0;
	cr_assert(found, "no graceful restart capability with R, 300 s, VPN-IPv4 and F");
	/* not restarting, forwarding not kept: the family without its F bit, no R bit */
	o.gr_restarting = false;
	o.gr_fwd_afs = 0;
	wbuf_reset(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	found = false;
	for (size_t i = 0; i + sizeof(want) <= w.len; i++)
		found |= memcmp(w.data + i, (const uint8_t[]){ 64, 6, 0x01, 0x2c, 0, 1, 128, 0 },
				sizeof(want)) == 0;
	cr_assert(found, "no graceful restart capability with 300 s and VPN-IPv4, without R and F");
	wbuf_free(&w);
}

Test(bgpd_msg, open_graceful_restart_capability)
{
	/* R bit, time 300; VPN-IPv4 with F bit, IPv4 unicast without */
	const uint8_t params[] = { 2, 12, 64, 10, 0x81, 0x2c, 0, 1, 128, 0x80, 0, 1, 1, 0 };
	const uint8_t bad[] = { 2, 5, 64, 3, 0x81, 0x2c, 0 }; /* not 2 + 4n */
	uint8_t b[64];
	size_t len = open_body(b, 4, 90, 1, params, sizeof(params));
	struct bgp_open o;
	struct bgp_err e;

	cr_assert_eq(bgp_open_decode(b, len, &o, &e), 0);
	cr_assert(o.cap_gr && o.gr_restarting);
	cr_assert_eq(o.gr_time, 300);
	cr_assert_eq(o.gr_afs, BGP_AF_VPNV4 | BGP_AF_IPV4);
	cr_assert_eq(o.gr_fwd_afs, BGP_AF_VPNV4);
	len = open_body(b, 4, 90, 1, bad, sizeof(bad));
	cr_assert_eq(bgp_open_decode(b, len, &o, &e), -1);
	cr_assert_eq(e.subcode, BGP_ERR_OPEN_UNSPEC);
}

Test(bgpd_msg, extended_message_header_limits)
{
	uint8_t p[19];
	struct bgp_hdr h;
	struct bgp_err e;

	hdr(p, 9000, BGP_MSG_UPDATE);
	cr_assert_eq(bgp_hdr_decode(p, &h, &e), -1);
	cr_assert_eq(bgp_hdr_decode_ext(p, &h, &e, true), 0);
	cr_assert_eq(h.len, 9000);
	hdr(p, 9000, BGP_MSG_OPEN); /* RFC 8654 §4: OPEN keeps 4096 */
	cr_assert_eq(bgp_hdr_decode_ext(p, &h, &e, true), -1);
	cr_assert_eq(e.subcode, BGP_ERR_HDR_LEN);
}

Test(bgpd_msg, extended_message_packs_more)
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

Test(bgpd_msg, update_vpn_roundtrip)
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

Test(bgpd_msg, update_label_on_the_wire)
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

Test(bgpd_msg, update_packs_into_several_messages)
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

Test(bgpd_msg, update_withdraw_and_eor)
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
	  -1, BGP_ERR_UPD_OPTIONAL, 0, -1, -1 },
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

Test(bgpd_msg, update_malformed_table)
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

Test(bgpd_msg, update_good_case_content)
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

Test(bgpd_msg, update_missing_wk_data_is_the_type)
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

Test(bgpd_msg, update_bad_flags_data_is_the_attribute)
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

Test(bgpd_msg, update_plain_ipv4_ignored_but_checked)
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
