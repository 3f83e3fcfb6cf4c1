/*
 * Long-lived graceful restart (RFC 9494), receiving side: the capability's
 * bytes both ways and its malformed lengths, then against the raw fake
 * peer (127.0.0.3) of B (test_bgpd_fake.h): what B offers in its OPEN,
 * the fake peer's routes going long-lived stale when its graceful restart
 * (1 s here) ends, least preferred against A's path, gone at the end of
 * the long-lived stale time (2 s) or swept by its End-of-RIB, and withheld
 * from A, which did not negotiate LLGR. The fake peer is B's route
 * reflector client, so B reflects its routes to A.
 */
#include <sys/stat.h>

#include <event2/buffer.h>

#include "bgpd/api.h"
#include "common/ipc.h"
#include "common/jw.h"
#include "tests/unit/test_bgpd_fake.h"
#include "test_ipc_reader.h"

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

static void setup_client(void)
{
	setup_with(", \"passive\": true, \"route_reflector_client\": true");
}

TestSuite(bgpd_llgr, .init = setup_client, .fini = teardown, .timeout = 40);

/* Restart time 1 s, VPN-IPv4 with F; LLGR for VPN-IPv4 with F, long-lived stale time 2 s. */
#define CAP_GR_1S 64, 6, 0, 1, 0, 1, 128, 0x80
#define CAP_LLGR_2S 71, 7, 0, 1, 128, 0x80, 0, 0, 2
/* for tests that come back within the long-lived stale time: room for a loaded machine */
#define CAP_LLGR_8S 71, 7, 0, 1, 128, 0x80, 0, 0, 8

static const uint8_t caps_llgr[] = { CAP_MP_VPN, CAP_GR_1S, CAP_LLGR_2S };
static const uint8_t caps_llgr_8s[] = { CAP_MP_VPN, CAP_GR_1S, CAP_LLGR_8S };

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

/* ---- the receiving side ---- */

#define COMMS_NO_LLGR 0xc0, 8, 4, 0xff, 0xff, 0, 7
#define COMMS_LLGR_STALE 0xc0, 8, 4, 0xff, 0xff, 0, 6

static struct rd rd1;

/* 65000:1 10.<x>.0.0/16, as the fake peer's send_route. */
static struct rib_entry *b_entry(uint8_t x)
{
	struct prefix4 pfx = { .addr = 0x0a000000u | (uint32_t)x << 16, .len = 16 };

	cr_assert_eq(rd_parse("65000:1", &rd1), 0);
	return rib_lookup(B->rib, &rd1, &pfx);
}

/* A originates 65000:1 10.<x>.0.0/16 with LOCAL_PREF 50: the fake peer's (100) wins while fresh. */
static void a_originates(uint8_t x)
{
	struct prefix4 pfx = { .addr = 0x0a000000u | (uint32_t)x << 16, .len = 16 };
	struct ext_community rt;

	cr_assert_eq(rd_parse("65000:1", &rd1), 0);
	cr_assert_eq(rt_parse("65000:1", &rt), 0);
	cr_assert_eq(bgpd_local_add(A, &rd1, &pfx, 200, &rt, 1, 0, 50, 0), 0);
}

static bool b_has_both_paths(void *arg)
{
	struct rib_entry *e = b_entry(*(uint8_t *)arg);

	return e && e->paths && e->paths->next;
}

static bool fake_long_lived(void *arg)
{
	(void)arg;
	return B->peers[1].llgr_stale;
}

static bool fake_has_none(void *arg)
{
	(void)arg;
	return B->peers[1].src.n_paths == 0;
}

/* A holds B's path to 10.<x>/16 (what B reflected to it) */
static bool a_has_from_b(uint8_t x)
{
	struct prefix4 pfx = { .addr = 0x0a000000u | (uint32_t)x << 16, .len = 16 };
	struct rib_entry *e = rib_lookup(A->rib, &rd1, &pfx);

	for (const struct rib_path *p = e ? e->paths : NULL; p; p = p->next)
		if (p->src == &A->peers[0].src)
			return true;
	return false;
}

static bool a_lost_3(void *arg)
{
	(void)arg;
	return !a_has_from_b(3);
}

static bool has_llgr_stale(const struct rib_path *p)
{
	return attr_has_community(&p->attrs->a, COMM_LLGR_STALE);
}

/*
 * Up with LLGR (B's 3600 s, the peer's `secs`, 2 or 8: the lower kept),
 * three routes: 10.1 (A has it too, less preferred), 10.2 with NO_LLGR,
 * 10.3 (only from it).
 */
static void up_with_routes_for(struct raw *r, unsigned secs)
{
	const uint8_t no_llgr[] = { COMMS_NO_LLGR };
	uint8_t one = 1;
	size_t want = 3;

	cfg_b.bgp.llgr_stale_time = 3600;
	if (secs == 8)
		fake_up(r, caps_llgr_8s, sizeof(caps_llgr_8s));
	else
		fake_up(r, caps_llgr, sizeof(caps_llgr));
	cr_assert(B->peers[1].llgr, "LLGR not negotiated");
	cr_assert_eq(B->peers[1].llgr_time, secs, "not the lower of %u and 3600", secs);
	cr_assert_eq(B->peers[1].llgr_peer_time, secs);
	cr_assert_not(A->peers[0].llgr || B->peers[0].llgr, "A offered no LLGR");
	send_route(r, 1);
	send_route_with(r, 2, no_llgr, sizeof(no_llgr));
	send_route(r, 3);
	cr_assert(run_until(b_fake_routes, &want, 5));
	a_originates(1);
	cr_assert(run_until(b_has_both_paths, &one, 5), "A's path to 10.1 not at B");
	cr_assert_eq(b_entry(1)->best->src, &B->peers[1].src, "the fake peer's LOCAL_PREF 100 lost");
}

static void up_with_routes(struct raw *r)
{
	up_with_routes_for(r, 2);
}

Test(bgpd_llgr, restart_time_over_routes_long_lived_stale_then_gone)
{
	struct raw r;
	struct rib_entry *e;

	up_with_routes(&r);
	cr_assert(a_has_from_b(3), "B did not reflect the fake peer's route to A");
	close(r.fd); /* TCP gone: graceful restart, 1 s */
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_stale, 3);
	cr_assert_not(B->peers[1].llgr_stale, "long-lived stale before the restart time is over");
	cr_assert(run_until(fake_long_lived, NULL, 5), "never long-lived stale");
	cr_assert_eq(B->peers[1].src.n_paths, 2, "the NO_LLGR route kept");
	cr_assert_null(b_entry(2), "10.2 (NO_LLGR) still in the RIB");
	cr_assert_eq(B->peers[1].src.n_llgr, 2);
	e = b_entry(3);
	cr_assert(e && e->best && e->best->llgr && has_llgr_stale(e->best),
		  "10.3 not long-lived stale with LLGR_STALE");
	cr_assert(e->best->stale);
	e = b_entry(1);
	cr_assert_eq(e->best->src, &B->peers[0].src, "the long-lived stale path still best");
	cr_assert_str_eq(e->best_reason, "not long-lived stale");
	cr_assert(run_until(a_lost_3, NULL, 5), "A (no LLGR) still has the long-lived stale 10.3");
	cr_assert(run_until(fake_has_none, NULL, 5), "not removed at the long-lived stale time's end");
	cr_assert_not(B->peers[1].llgr_stale || B->peers[1].gr_waiting);
	cr_assert_eq(B->peers[1].src.n_llgr, 0);
	cr_assert_eq(b_entry(1)->best->src, &B->peers[0].src);
}

static bool fake_swept(void *arg)
{
	(void)arg;
	return !B->peers[1].gr_waiting;
}

/* Back with F in LLGR: the long-lived stale routes stay; its End-of-RIB sweeps those not sent again. */
Test(bgpd_llgr, end_of_rib_sweeps_long_lived_stale_routes)
{
	struct raw r;
	struct rib_entry *e;

	up_with_routes_for(&r, 8);
	close(r.fd);
	cr_assert(run_until(fake_long_lived, NULL, 5), "never long-lived stale");
	fake_up(&r, caps_llgr_8s, sizeof(caps_llgr_8s));
	cr_assert(B->peers[1].llgr_stale, "long-lived stale routes dropped at its OPEN");
	cr_assert_eq(B->peers[1].src.n_llgr, 2);
	send_route(&r, 3); /* 10.3 again, fresh; 10.1 is not */
	send_eor(&r);
	cr_assert(run_until(fake_swept, NULL, 5), "End-of-RIB did not end it");
	cr_assert_eq(B->peers[1].src.n_paths, 1);
	cr_assert_eq(B->peers[1].src.n_llgr, 0);
	cr_assert_not(B->peers[1].llgr_stale);
	e = b_entry(3);
	cr_assert(e && e->best && !e->best->llgr && !has_llgr_stale(e->best),
		  "10.3 sent again is still long-lived stale");
	cr_assert_eq(b_entry(1)->best->src, &B->peers[0].src);
	close(r.fd);
}

/* Back without the F bit in its LLGR capability: its long-lived stale routes go at once. */
Test(bgpd_llgr, back_without_forwarding_drops_them)
{
	static const uint8_t caps_nof[] = { CAP_MP_VPN, CAP_GR_1S, 71, 7, 0, 1, 128, 0, 0, 0, 2 };
	struct raw r;

	up_with_routes(&r);
	close(r.fd);
	cr_assert(run_until(fake_long_lived, NULL, 5), "never long-lived stale");
	fake_up(&r, caps_nof, sizeof(caps_nof));
	cr_assert_eq(B->peers[1].src.n_paths, 0, "kept without the LLGR F bit");
	cr_assert_not(B->peers[1].llgr_stale || B->peers[1].gr_waiting);
	close(r.fd);
}

/* A session that ends again while long-lived stale: its new routes join them, the time runs on. */
Test(bgpd_llgr, session_down_again_keeps_the_time_running)
{
	struct raw r;
	size_t want = 3;

	up_with_routes_for(&r, 8);
	close(r.fd);
	cr_assert(run_until(fake_long_lived, NULL, 5), "never long-lived stale");
	fake_up(&r, caps_llgr_8s, sizeof(caps_llgr_8s));
	send_route(&r, 4);
	cr_assert(run_until(b_fake_routes, &want, 5));
	close(r.fd);
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_llgr, 3, "10.4 not long-lived stale at once");
	cr_assert(has_llgr_stale(b_entry(4)->best));
	cr_assert(run_until(fake_has_none, NULL, 12), "not removed at the long-lived stale time's end");
}

/* Restart time 0 (RFC 9494 §4.2): long-lived stale at once. */
Test(bgpd_llgr, restart_time_zero_goes_straight_to_long_lived_stale)
{
	static const uint8_t caps0[] = { CAP_MP_VPN, 64, 6, 0, 0, 0, 1, 128, 0x80, CAP_LLGR_2S };
	struct raw r;
	size_t want = 1;

	cfg_b.bgp.llgr_stale_time = 3600;
	fake_up(&r, caps0, sizeof(caps0));
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	close(r.fd);
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert(B->peers[1].llgr_stale, "not long-lived stale at once");
	cr_assert(has_llgr_stale(b_entry(1)->best));
	close(r.fd);
}

/* Without LLGR on either side: deleted when the restart time is over, as graceful restart does. */
static void restart_time_over_deletes(const uint8_t *caps, uint8_t clen, uint32_t ours)
{
	struct raw r;
	size_t want = 1;

	cfg_b.bgp.llgr_stale_time = ours;
	fake_up(&r, caps, clen);
	cr_assert_not(B->peers[1].llgr);
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	close(r.fd);
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert(run_until(fake_has_none, NULL, 5), "not deleted at the restart time's end");
	cr_assert_not(B->peers[1].llgr_stale);
}

Test(bgpd_llgr, peer_without_llgr_deleted_as_before)
{
	static const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_1S };

	restart_time_over_deletes(caps, sizeof(caps), 3600);
}

Test(bgpd_llgr, llgr_off_here_ignores_the_peers)
{
	restart_time_over_deletes(caps_llgr, sizeof(caps_llgr), 0);
}

/* A path that came tagged LLGR_STALE (from any peer) is least preferred too. */
Test(bgpd_llgr, received_llgr_stale_is_least_preferred)
{
	const uint8_t tagged[] = { COMMS_LLGR_STALE };
	struct raw r;
	uint8_t one = 1;

	fake_up(&r, caps_llgr, sizeof(caps_llgr)); /* LLGR off at B: not negotiated */
	send_route_with(&r, 1, tagged, sizeof(tagged));
	a_originates(1);
	cr_assert(run_until(b_has_both_paths, &one, 5));
	cr_assert_eq(b_entry(1)->best->src, &B->peers[0].src);
	cr_assert_str_eq(b_entry(1)->best_reason, "not long-lived stale");
	close(r.fd);
}

/* ---- the API ---- */

/* The JSON of a neighbor (peer) or else of a path, as a string in out. */
static void json_of(char *out, size_t len, const struct rib_entry *e, const struct rib_path *path,
		    const struct bgp_peer *peer)
{
	struct evbuffer *b = evbuffer_new();
	struct jw w;
	size_t n;

	jw_init(&w, b);
	if (peer)
		bgpd_api_neighbor_json(&w, peer);
	else
		bgpd_api_path_json(&w, e, path);
	jw_flush(&w);
	n = evbuffer_get_length(b);
	cr_assert_lt(n, len);
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	evbuffer_free(b);
}

/* /neighbors: the peer's and our stale times, the one used, the count; /routes: the community. */
Test(bgpd_llgr, api_shows_llgr_and_the_community)
{
	char j[4096];
	struct raw r;
	struct rib_entry *e;

	up_with_routes(&r);
	json_of(j, sizeof(j), NULL, NULL, &B->peers[1]);
	cr_assert(strstr(j, "\"llgr\":{\"negotiated\":true,\"stale_time\":2,\"peer_stale_time\":2,"
			    "\"local_stale_time\":3600,\"long_lived_stale\":0}"), "%s", j);
	close(r.fd);
	cr_assert(run_until(fake_long_lived, NULL, 5), "never long-lived stale");
	json_of(j, sizeof(j), NULL, NULL, &B->peers[1]);
	cr_assert(strstr(j, "\"long_lived_stale\":2}"), "%s", j);
	e = b_entry(3);
	json_of(j, sizeof(j), e, e->best, NULL);
	cr_assert(strstr(j, "\"communities\":[\"65535:6\"]"), "%s", j);
	cr_assert(strstr(j, "\"stale\":true"), "%s", j);
	json_of(j, sizeof(j), NULL, NULL, &A->peers[0]);
	cr_assert(strstr(j, "\"llgr\":{\"negotiated\":false,\"stale_time\":0,"), "%s", j);
}

/* ---- who may hear a long-lived stale path (adjout.c) ---- */

Test(bgpd_llgr_codec, only_llgr_peers_hear_llgr_stale_paths)
{
	static const uint32_t comms[] = { COMM_LLGR_STALE };
	struct rib_source src = { .slot = 1, .rr_client = true };
	struct bgp_attrs a = { .present = ATTR_BIT(ATTR_COMMUNITIES), .communities = comms,
			       .n_communities = 1 };
	struct rib_path path = { .src = &src };
	struct updgroup_key plain = { .rr_client = false }, llgr = { .llgr = true };

	path.attrs = attr_intern(&a);
	cr_assert_not(adjout_group_eligible(&plain, &path), "to a peer without LLGR");
	cr_assert(adjout_group_eligible(&llgr, &path), "not to an LLGR peer");
	attr_unref(path.attrs);
	a.n_communities = 0;
	a.present = 0;
	path.attrs = attr_intern(&a);
	cr_assert(adjout_group_eligible(&plain, &path), "an untagged path withheld");
	attr_unref(path.attrs);
}

/* ---- what vrfmgr hears of a long-lived stale path (vrfmgr_link.c) ---- */

static char vrf_dir[64];
static int vrf_lfd = -1, vrf_fd = -1;
static struct ipc_reader vrf_rx;
static int64_t vrf_lp3 = -1; /* LOCAL_PREF of the last ADD of 10.3/16 vrfmgr read, -1: none or DEL */

static void teardown_vrf(void)
{
	char path[CFG_PATH_MAX];

	if (vrf_fd >= 0)
		close(vrf_fd);
	if (vrf_lfd >= 0)
		close(vrf_lfd);
	if (config_sock_path(&cfg_b, FERRY_SOCK_VRFMGR_IPC, path) == 0)
		unlink(path);
	rmdir(vrf_dir);
	teardown();
}

TestSuite(bgpd_llgr_vrf, .init = setup_client, .fini = teardown_vrf, .timeout = 40);

static void vrf_on_msg(const struct ipc_hdr *h, const uint8_t *payload)
{
	struct ipc_vpn_route m;

	if (h->type != IPC_VPN_ROUTE_ADD && h->type != IPC_VPN_ROUTE_DEL)
		return;
	memcpy(&m, payload, sizeof(m));
	if (m.prefix == 0x0a030000u)
		vrf_lp3 = h->type == IPC_VPN_ROUTE_ADD ? (int64_t)m.local_pref : -1;
}

static bool vrf_accepted(void *arg)
{
	(void)arg;
	if (vrf_fd < 0)
		vrf_fd = accept(vrf_lfd, NULL, NULL);
	return vrf_fd >= 0;
}

static bool vrf_lp3_is(void *arg)
{
	ipc_reader_poll(&vrf_rx, vrf_fd, vrf_on_msg);
	return vrf_lp3 == *(int64_t *)arg;
}

/* B's vrfmgr link to a fake vrfmgr in a directory of this test's own. */
static void fake_vrfmgr_for_b(void)
{
	char path[CFG_PATH_MAX];
	struct ipc_hdr h = { .type = IPC_REPLAY_BEGIN };

	snprintf(vrf_dir, sizeof(vrf_dir), "/tmp/bgpd-llgr-%d", (int)getpid());
	cr_assert(mkdir(vrf_dir, 0700) == 0 || errno == EEXIST);
	snprintf(cfg_b.run_dir, sizeof(cfg_b.run_dir), "%s", vrf_dir);
	cr_assert_eq(config_sock_path(&cfg_b, FERRY_SOCK_VRFMGR_IPC, path), 0);
	cr_assert_geq(vrf_lfd = ipc_listen_unix(path), 0);
	B->vl = vrfmgr_link_new(B);
	cr_assert_not_null(B->vl);
	cr_assert(run_until(vrf_accepted, NULL, 5), "B never connected to vrfmgr");
	cr_assert_eq(send(vrf_fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	h.type = IPC_REPLAY_END;
	cr_assert_eq(send(vrf_fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
}

/*
 * vrfmgr keeps a long-lived stale path (RFC 9494: still usable), but it
 * ranks the VRF's candidates for a prefix across RDs by LOCAL_PREF: the
 * path must come depreferred (LOCAL_PREF 0, as the RFC's partial
 * deployment rules do for speakers without LLGR), or it would beat a
 * fresh path under another RD.
 */
Test(bgpd_llgr_vrf, vrfmgr_gets_long_lived_stale_paths_depreferred)
{
	struct raw r;
	int64_t fresh = 100, depreferred = 0;

	up_with_routes_for(&r, 8);
	fake_vrfmgr_for_b();
	cr_assert(run_until(vrf_lp3_is, &fresh, 5), "vrfmgr never had 10.3 with LOCAL_PREF 100");
	close(r.fd);
	cr_assert(run_until(fake_long_lived, NULL, 5), "never long-lived stale");
	cr_assert(run_until(vrf_lp3_is, &depreferred, 5),
		  "vrfmgr holds the long-lived stale 10.3 with LOCAL_PREF %lld, not 0",
		  (long long)vrf_lp3);
	cr_assert_eq(b_entry(3)->best->attrs->a.local_pref, 100, "the path itself changed");
}
