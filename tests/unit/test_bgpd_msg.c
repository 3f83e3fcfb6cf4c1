/*
 * bgpd message codec, all but UPDATE (test_bgpd_msg_update.c): header,
 * OPEN with its capabilities, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH:
 * encode -> decode round trips, exact bytes where they matter, and the
 * NOTIFICATION code/subcode each malformed one must produce.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"

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

/* Whether o's OPEN holds the 8 bytes of a one-family graceful restart capability. */
static bool open_has_gr_cap(const struct bgp_open *o, const uint8_t want[8])
{
	struct wbuf w;
	bool found = false;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, o), 0);
	for (size_t i = 0; i + 8 <= w.len; i++)
		found |= memcmp(w.data + i, want, 8) == 0;
	wbuf_free(&w);
	return found;
}

/* The capability a restarting ferry sends: exact bytes (RFC 4724 section 3, RFC 8538). */
Test(bgpd_msg, open_encodes_the_restarting_speakers_families)
{
	struct bgp_open o = { .asn = 65000, .hold_time = 90, .bgp_id = 1, .cap_gr = true,
			      .gr_time = 300, .gr_restarting = true, .gr_afs = BGP_AF_VPNV4,
			      .gr_fwd_afs = BGP_AF_VPNV4 };

	/* code 64, length 6: R bit and 300 s, then AFI 1 / SAFI 128 with the F bit */
	cr_assert(open_has_gr_cap(&o, (const uint8_t[]){ 64, 6, 0x81, 0x2c, 0, 1, 128, 0x80 }),
		  "no graceful restart capability with R, 300 s, VPN-IPv4 and F");
	/* not restarting, forwarding not kept: the family without its F bit, no R bit */
	o.gr_restarting = false;
	o.gr_fwd_afs = 0;
	cr_assert(open_has_gr_cap(&o, (const uint8_t[]){ 64, 6, 0x01, 0x2c, 0, 1, 128, 0 }),
		  "no graceful restart capability with 300 s and VPN-IPv4, without R and F");
	/* the N bit (RFC 8538) beside R in the flags nibble */
	o.gr_notification = true;
	cr_assert(open_has_gr_cap(&o, (const uint8_t[]){ 64, 6, 0x41, 0x2c, 0, 1, 128, 0 }),
		  "no graceful restart capability with the N bit");
}

/* RFC 8538 §3: a Hard Reset carries the NOTIFICATION it replaces as its data. */
Test(bgpd_msg, hard_reset_carries_the_notification)
{
	const uint8_t limit[7] = { 0, 1, 128, 0, 0, 0, 2 };
	struct bgp_err in, out, big;
	char s[160];

	bgp_err_set(&in, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, limit, sizeof(limit));
	bgp_err_hard_reset(&in, &out);
	cr_assert_eq(out.code, BGP_ERR_CEASE);
	cr_assert_eq(out.subcode, BGP_CEASE_HARD_RESET);
	cr_assert_eq(out.data_len, 9);
	cr_assert_eq(out.data[0], BGP_ERR_CEASE);
	cr_assert_eq(out.data[1], BGP_CEASE_MAX_PREFIX);
	cr_assert_arr_eq(out.data + 2, limit, sizeof(limit));
	cr_assert(bgp_err_is_hard_reset(&out));
	cr_assert_not(bgp_err_is_hard_reset(&in));
	cr_assert_str_eq(bgp_err_describe(&out, s, sizeof(s)),
			 "cease / hard reset (6/9) of cease / maximum prefixes reached (6/1)");
	cr_assert_str_eq(bgp_err_describe(&in, s, sizeof(s)), "cease / maximum prefixes reached (6/1)");
	/* inner data at the limit: cut so code and subcode still fit */
	memset(big.data, 7, sizeof(big.data));
	big.code = BGP_ERR_UPDATE;
	big.subcode = 1;
	big.data_len = BGP_ERR_DATA_MAX;
	bgp_err_hard_reset(&big, &out);
	cr_assert_eq(out.data_len, BGP_ERR_DATA_MAX);
	cr_assert_eq(out.data[0], BGP_ERR_UPDATE);
	cr_assert_eq(out.data[BGP_ERR_DATA_MAX - 1], 7);
	/* a Hard Reset too short to carry one is named alone */
	bgp_err_set(&out, BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, NULL, 0);
	cr_assert_str_eq(bgp_err_describe(&out, s, sizeof(s)), "cease / hard reset (6/9)");
}

Test(bgpd_msg, open_graceful_restart_capability)
{
	/* R bit, time 300; VPN-IPv4 with F bit, IPv4 unicast without */
	const uint8_t params[] = { 2, 12, 64, 10, 0x81, 0x2c, 0, 1, 128, 0x80, 0, 1, 1, 0 };
	const uint8_t n_bit[] = { 2, 8, 64, 6, 0x41, 0x2c, 0, 1, 128, 0 }; /* N, not R */
	const uint8_t bad[] = { 2, 5, 64, 3, 0x81, 0x2c, 0 }; /* not 2 + 4n */
	uint8_t b[64];
	size_t len = open_body(b, 4, 90, 1, params, sizeof(params));
	struct bgp_open o;
	struct bgp_err e;

	cr_assert_eq(bgp_open_decode(b, len, &o, &e), 0);
	cr_assert(o.cap_gr && o.gr_restarting);
	cr_assert_not(o.gr_notification);
	cr_assert_eq(o.gr_time, 300);
	cr_assert_eq(o.gr_afs, BGP_AF_VPNV4 | BGP_AF_IPV4);
	cr_assert_eq(o.gr_fwd_afs, BGP_AF_VPNV4);
	len = open_body(b, 4, 90, 1, n_bit, sizeof(n_bit));
	cr_assert_eq(bgp_open_decode(b, len, &o, &e), 0);
	cr_assert(o.gr_notification && !o.gr_restarting);
	cr_assert_eq(o.gr_time, 300);
	len = open_body(b, 4, 90, 1, bad, sizeof(bad));
	cr_assert_eq(bgp_open_decode(b, len, &o, &e), -1);
	cr_assert_eq(e.subcode, BGP_ERR_OPEN_UNSPEC);
}

/* RFC 9003: a shutdown or reset's communication, as logs and the API show it. */
Test(bgpd_msg, shutdown_communication_described)
{
	const uint8_t bad_len[] = { 9, 'a', 'b' };                     /* 9 bytes said, 2 there */
	const uint8_t ctl[] = { 7, 'u', 'p', '\n', 'x', 0x7f, 0xff, 'z' }; /* control, DEL, not UTF-8 */
	const uint8_t utf[] = { 6, 'f', 0xc3, 0xbc, 'r', 0xe2, 0x82 };     /* ü, then a cut sequence */
	const uint8_t c1[] = { 12, 'a', 0xc2, 0x9b, '[', '2', 'J', 'b', 0xc2, 0x85, 'c', 0xc2, 0xa0 };
	struct bgp_err e, hard;
	char s[BGP_ERR_TEXT_MAX];

	bgp_err_set_shutdown(&e, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance, back at 10:00");
	cr_assert_eq(e.data_len, 27);
	cr_assert_eq(e.data[0], 26);
	cr_assert_str_eq(bgp_err_describe(&e, s, sizeof(s)), "cease / administrative shutdown (6/2): "
							       "\"maintenance, back at 10:00\"");
	bgp_err_hard_reset(&e, &hard);
	cr_assert_str_eq(bgp_err_describe(&hard, s, sizeof(s)),
			 "cease / hard reset (6/9) of cease / administrative shutdown (6/2): "
			 "\"maintenance, back at 10:00\"");
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET, bad_len, sizeof(bad_len));
	cr_assert_str_eq(bgp_err_describe(&e, s, sizeof(s)),
			 "cease / administrative reset (6/4) (malformed shutdown communication)");
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET, ctl, sizeof(ctl));
	cr_assert_str_eq(bgp_err_describe(&e, s, sizeof(s)),
			 "cease / administrative reset (6/4): \"up?x??z\"");
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, utf, sizeof(utf));
	cr_assert_str_eq(bgp_err_describe(&e, s, sizeof(s)),
			 "cease / administrative shutdown (6/2): \"f\xc3\xbcr??\"");
	/* C1 controls are well-formed UTF-8 but controls all the same (U+009B is CSI) */
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, c1, sizeof(c1));
	cr_assert_str_eq(bgp_err_describe(&e, s, sizeof(s)),
			 "cease / administrative shutdown (6/2): \"a??[2Jb??c\xc2\xa0\"");
	/* other subcodes' data is no communication; an empty one says nothing */
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, ctl, sizeof(ctl));
	cr_assert_str_eq(bgp_err_describe(&e, s, sizeof(s)), "cease / maximum prefixes reached (6/1)");
	bgp_err_set_shutdown(&e, BGP_CEASE_ADMIN_SHUTDOWN, "");
	cr_assert_str_eq(bgp_err_describe(&e, s, sizeof(s)), "cease / administrative shutdown (6/2)");
	/* the longest: 255 bytes, what a longer text is cut to */
	memset(s, 'x', 300);
	s[300] = '\0';
	bgp_err_set_shutdown(&e, BGP_CEASE_ADMIN_SHUTDOWN, s);
	cr_assert_eq(e.data[0], 255);
	bgp_err_hard_reset(&e, &hard);
	cr_assert_eq(hard.data_len, 2 + 1 + 255, "the Hard Reset cut its communication");
	cr_assert_not_null(strstr(bgp_err_describe(&hard, s, sizeof(s)), "xxx\""));
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
