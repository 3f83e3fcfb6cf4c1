/*
 * Long-lived graceful restart (RFC 9494), receiving side: the capability's
 * bytes both ways and its malformed lengths, then against the raw fake
 * peer (127.0.0.3) of B (test_bgpd_fake.h): what B offers in its OPEN.
 */
#include "tests/unit/test_bgpd_fake.h"

/* ---- the capability (code 71): 7-byte tuples AFI, SAFI, flags, 24-bit stale time ---- */

/* Whether o's encoded OPEN holds the capability bytes want (n of them). */
static bool open_has(const struct bgp_open *o, const uint8_t *want, size_t n)
{
	struct wbuf w;
	bool found = false;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, o), 0);
	for (size_t i = 29; i + n <= w.len && !found; i++)
		found = memcmp(w.data + i, want, n) == 0;
	wbuf_free(&w);
	return found;
}

Test(bgpd_llgr_codec, encode_exact_bytes)
{
	struct bgp_open o = { .asn = 65000, .hold_time = 90, .bgp_id = 1, .cap_gr = true,
			      .gr_time = 120, .gr_afs = BGP_AF_VPNV4, .cap_llgr = true,
			      .llgr_afs = BGP_AF_VPNV4, .llgr_time = 86400 };
	const uint8_t plain[] = { 71, 7, 0, 1, 128, 0, 0x01, 0x51, 0x80 };
	const uint8_t fwd[] = { 71, 7, 0, 1, 128, 0x80, 0xff, 0xff, 0xff };

	cr_assert(open_has(&o, plain, sizeof(plain)), "VPN-IPv4, 86400 s, no F");
	o.llgr_fwd_afs = o.gr_fwd_afs = BGP_AF_VPNV4;
	o.llgr_time = BGP_LLGR_TIME_MAX;
	cr_assert(open_has(&o, fwd, sizeof(fwd)), "VPN-IPv4, F, 16777215 s");
	o.cap_llgr = false;
	cr_assert_not(open_has(&o, (const uint8_t[]){ 71, 7 }, 2), "sent while off");
}

/* Decodes an OPEN body whose only capabilities are caps; rc as bgp_open_decode. */
static int decode_caps(const uint8_t *caps, uint8_t clen, struct bgp_open *o, struct bgp_err *e)
{
	uint8_t b[256];
	size_t n = open_with_caps(b, 9, 90, caps, clen);

	return bgp_open_decode(b + 19, n - 19, o, e);
}

Test(bgpd_llgr_codec, decode_tuples)
{
	const uint8_t caps[] = { 71, 21, 0, 1, 1, 0x80, 0, 0, 5,      /* IPv4 unicast, F, 5 s */
				 0, 1, 128, 0x80, 0xff, 0xff, 0xff,   /* VPN-IPv4, F, max */
				 0, 2, 128, 0, 0, 0, 9 };             /* AFI 2: not ours, skipped */
	struct bgp_open o;
	struct bgp_err e;

	cr_assert_eq(decode_caps(caps, sizeof(caps), &o, &e), 0);
	cr_assert(o.cap_llgr);
	cr_assert_eq(o.llgr_afs, BGP_AF_VPNV4 | BGP_AF_IPV4);
	cr_assert_eq(o.llgr_fwd_afs, BGP_AF_VPNV4 | BGP_AF_IPV4);
	cr_assert_eq(o.llgr_time, BGP_LLGR_TIME_MAX, "VPN-IPv4's time, not another family's");
}

Test(bgpd_llgr_codec, roundtrip)
{
	struct bgp_open o = { .asn = 65000, .hold_time = 90, .bgp_id = 1, .cap_gr = true,
			      .gr_afs = BGP_AF_VPNV4, .cap_llgr = true, .llgr_afs = BGP_AF_VPNV4,
			      .llgr_fwd_afs = BGP_AF_VPNV4, .llgr_time = 3600 },
			out;
	struct bgp_err e;
	struct wbuf w;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	cr_assert_eq(bgp_open_decode(w.data + 19, w.len - 19, &out, &e), 0);
	wbuf_free(&w);
	cr_assert(out.cap_llgr && out.cap_gr);
	cr_assert_eq(out.llgr_afs, BGP_AF_VPNV4);
	cr_assert_eq(out.llgr_fwd_afs, BGP_AF_VPNV4);
	cr_assert_eq(out.llgr_time, 3600);
}

/* A length that is not a whole number of tuples is malformed: 2/0, as for graceful restart. */
Test(bgpd_llgr_codec, malformed_lengths)
{
	static const uint8_t lens[] = { 1, 6, 8, 13, 15 };
	uint8_t caps[2 + 15] = { 71 };
	struct bgp_open o;
	struct bgp_err e;

	memcpy(caps + 2, (const uint8_t[]){ 0, 1, 128, 0, 0, 0, 9, 0, 1, 128, 0, 0, 0, 9, 0 }, 15);
	for (size_t i = 0; i < sizeof(lens); i++) {
		caps[1] = lens[i];
		memset(&e, 0, sizeof(e));
		cr_assert_eq(decode_caps(caps, (uint8_t)(2 + lens[i]), &o, &e), -1, "length %u",
			     lens[i]);
		cr_assert_eq(e.code, BGP_ERR_OPEN, "length %u", lens[i]);
		cr_assert_eq(e.subcode, BGP_ERR_OPEN_UNSPEC, "length %u", lens[i]);
	}
	caps[1] = 0; /* no family: well formed, nothing kept */
	cr_assert_eq(decode_caps(caps, 2, &o, &e), 0);
	cr_assert(o.cap_llgr);
	cr_assert_eq(o.llgr_afs, 0);
	/* a capability running past its parameter is the parameter's error */
	caps[1] = 14;
	cr_assert_eq(decode_caps(caps, 2 + 7, &o, &e), -1);
	cr_assert_eq(e.subcode, BGP_ERR_OPEN_UNSPEC);
}

/* ---- B's OPEN to the fake peer ---- */

TestSuite(bgpd_llgr, .init = setup, .fini = teardown, .timeout = 40);

/* Restart time 1 s, VPN-IPv4 with F; LLGR for VPN-IPv4 with F, long-lived stale time 2 s. */
#define CAP_GR_1S 64, 6, 0, 1, 0, 1, 128, 0x80
#define CAP_LLGR_2S 71, 7, 0, 1, 128, 0x80, 0, 0, 2

static const uint8_t caps_llgr[] = { CAP_MP_VPN, CAP_GR_1S, CAP_LLGR_2S };

/* The offset of B's capability `code` in the OPEN the fake peer read, or 0. */
static size_t b_cap(const struct raw *r, uint8_t code)
{
	size_t off = 0, end;

	while (off + 19 <= r->len && r->rx[off + 18] != BGP_MSG_OPEN)
		off += (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];
	cr_assert_leq(off + 29, r->len, "no OPEN from B");
	end = off + ((size_t)r->rx[off + 16] << 8 | r->rx[off + 17]);
	/* one optional parameter of capabilities (B's encoder): walk them */
	for (size_t i = off + 31; i + 2 <= end; i += 2u + r->rx[i + 1])
		if (r->rx[i] == code)
			return i;
	return 0;
}

Test(bgpd_llgr, open_offers_llgr_when_configured)
{
	const uint8_t first[] = { 71, 7, 0, 1, 128, 0, 0x01, 0x51, 0x80 };
	const uint8_t again[] = { 71, 7, 0, 1, 128, 0x80, 0x01, 0x51, 0x80 };
	struct raw r;
	size_t i;

	cfg_b.bgp.llgr_stale_time = 86400; /* read when B sends its OPEN */
	fake_up(&r, caps_llgr, sizeof(caps_llgr));
	cr_assert_neq(i = b_cap(&r, BGP_CAP_LLGR), 0, "B offers no LLGR");
	cr_assert_arr_eq(r.rx + i, first, sizeof(first), "a first session: no F, as in GR");
	close(r.fd);
	cr_assert(run_until(fake_gone, NULL, 5));
	fake_up(&r, caps_llgr, sizeof(caps_llgr));
	cr_assert_neq(i = b_cap(&r, BGP_CAP_LLGR), 0, "B offers no LLGR");
	cr_assert_arr_eq(r.rx + i, again, sizeof(again), "F with GR's F");
	close(r.fd);
}

Test(bgpd_llgr, open_without_llgr_by_default)
{
	struct raw r;

	fake_up(&r, caps_llgr, sizeof(caps_llgr));
	cr_assert_neq(b_cap(&r, BGP_CAP_GR), 0, "B offers no GR");
	cr_assert_eq(b_cap(&r, BGP_CAP_LLGR), 0, "B offers LLGR with long_lived_stale_time 0");
	close(r.fd);
}

/* LLGR goes only beside GR (RFC 9494 §3): with GR disabled, no LLGR either. */
Test(bgpd_llgr, open_without_gr_has_no_llgr)
{
	struct raw r;

	cfg_b.bgp.llgr_stale_time = 60;
	cfg_b.bgp.graceful_restart = false;
	fake_up(&r, caps_llgr, sizeof(caps_llgr));
	cr_assert_eq(b_cap(&r, BGP_CAP_GR), 0);
	cr_assert_eq(b_cap(&r, BGP_CAP_LLGR), 0, "LLGR without GR");
	close(r.fd);
}
