/*
 * bgpd capabilities end to end against a raw "fake peer" (127.0.0.3) while
 * A and B keep their session: graceful restart (routes kept stale until
 * End-of-RIB, dropped without the F bit, on a NOTIFICATION or a reload
 * removing the peer), enhanced route refresh both ways, no common family,
 * max-prefix (bgpd_limits) and route reflection (bgpd_rr). The fixture is
 * test_bgpd_fsm.h; sessions, collisions and errors are in test_bgpd_fsm.c.
 */
#include "tests/unit/test_bgpd_fake.h"

/* ---- capabilities against a raw peer: GR, enhanced route refresh, families, max-prefix ---- */

static void setup_limits(void)
{
	setup_with(", \"passive\": true, \"max_prefix\": {\"limit\": 2, \"restart\": 0}");
}

TestSuite(bgpd_caps, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(bgpd_limits, .init = setup_limits, .fini = teardown, .timeout = 30);

static void setup_rr(void)
{
	setup_with(", \"passive\": true, \"route_reflector_client\": true");
}

TestSuite(bgpd_rr, .init = setup_rr, .fini = teardown, .timeout = 30);

static void send_refresh(struct raw *r, uint8_t subtype)
{
	uint8_t m[23];

	memset(m, 0xff, 16);
	m[16] = 0;
	m[17] = 23;
	m[18] = BGP_MSG_ROUTE_REFRESH;
	m[19] = 0;
	m[20] = 1;
	m[21] = subtype;
	m[22] = 128;
	raw_send(r, m, sizeof(m));
}

Test(bgpd_caps, graceful_restart_keeps_routes_until_end_of_rib)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_FWD };
	struct raw r;
	size_t want = 1;

	fake_up(&r, caps, sizeof(caps));
	cr_assert(B->peers[1].gr_capable);
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	close(r.fd); /* the TCP session dies without a NOTIFICATION */
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 1, "routes not kept across the restart");
	cr_assert(B->peers[1].src.paths->stale);
	cr_assert_eq(B->peers[1].src.n_stale, 1, "the stale counter (/neighbors) missed it");
	cr_assert(B->peers[1].gr_waiting);
	fake_up(&r, caps, sizeof(caps)); /* back, forwarding state kept */
	cr_assert_eq(B->peers[1].src.n_paths, 1, "stale routes dropped before End-of-RIB");
	send_route(&r, 2); /* 10.2/16 is new; 10.1/16 is not resent */
	send_eor(&r);
	cr_assert(run_until(only_second, NULL, 5), "stale route not swept at End-of-RIB");
	cr_assert_not(B->peers[1].gr_waiting);
	cr_assert_eq(B->peers[1].src.n_stale, 0, "stale counter not back to 0 after the sweep");
	close(r.fd);
}

Test(bgpd_caps, graceful_restart_without_forwarding_state_drops_at_once)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_FWD }, nofwd[] = { CAP_MP_VPN, CAP_GR_NOFWD };
	struct raw r;
	size_t want = 1;

	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	close(r.fd);
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 1);
	fake_up(&r, nofwd, sizeof(nofwd));
	cr_assert_eq(B->peers[1].src.n_paths, 0, "stale routes kept without the F bit");
	close(r.fd);
}

/* A reload that removes a peer whose routes wait, stale, for its restart drops them too. */
Test(bgpd_caps, reload_removing_a_restarting_peer_drops_its_stale_routes)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_FWD };
	struct bgpd_reload_stats st;
	struct ferry_config nc;
	struct raw r;
	size_t want = 1;
	char err[256];

	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	close(r.fd);
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert(B->peers[1].gr_waiting);
	cr_assert_eq(B->rib->n_paths, 1);
	load(&nc, 2, ""); /* B without 127.0.0.3 */
	cr_assert_eq(bgpd_reload(B, &nc, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(st.removed, 1);
	cr_assert_eq(st.unchanged, 1);
	cr_assert_null(bgpd_peer_by_addr(B, 0x7f000003u));
	cr_assert_eq(B->rib->n_paths, 0, "stale routes of a removed neighbor kept");
	cr_assert(both_established(NULL));
	config_free(&cfg_b); /* B runs nc now: teardown frees it as cfg_b */
	cfg_b = nc;
	B->cfg = &cfg_b;
}

Test(bgpd_caps, notification_is_no_graceful_restart)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_FWD };
	const uint8_t cease[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0xff, 0xff, 0, 21, 3, 6, 2 };
	struct raw r;
	size_t want = 1;

	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	raw_send(&r, cease, sizeof(cease));
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 0);
	close(r.fd);
}

/* The ROUTE-REFRESH messages B sent, by subtype (bit 1 << subtype). */
static unsigned refresh_subtypes(const struct raw *r)
{
	unsigned seen = 0;

	for (size_t off = 0; off + 23 <= r->len;) {
		size_t len = (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];

		if (r->rx[off + 18] == BGP_MSG_ROUTE_REFRESH)
			seen |= 1u << r->rx[off + 21];
		if (len < 19)
			break;
		off += len;
	}
	return seen;
}

static bool got_borr_eorr(void *arg)
{
	raw_read(arg);
	return refresh_subtypes(arg) == (1u << BGP_RR_BORR | 1u << BGP_RR_EORR);
}

Test(bgpd_caps, enhanced_route_refresh_both_ways)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_ERR };
	struct raw r;
	size_t want = 2;

	fake_up(&r, caps, sizeof(caps));
	cr_assert(B->peers[1].enhanced_rr);
	send_route(&r, 1);
	send_route(&r, 2);
	cr_assert(run_until(b_fake_routes, &want, 5));
	send_refresh(&r, BGP_RR_BORR); /* the peer refreshes: only 10.1/16 this time */
	send_route(&r, 1);
	send_refresh(&r, BGP_RR_EORR);
	want = 1;
	cr_assert(run_until(b_fake_routes, &want, 5), "route not refreshed stayed");
	cr_assert(fake_has_prefix(1));
	send_refresh(&r, BGP_RR_REQUEST); /* and asks B: BoRR ... EoRR */
	cr_assert(run_until(got_borr_eorr, &r, 5), "no BoRR/EoRR (got %#x)", refresh_subtypes(&r));
	close(r.fd);
}

/* RFC 7313 §5: a BoRR of the wrong length resets with 7/1. */
Test(bgpd_caps, enhanced_route_refresh_bad_length)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_ERR };
	uint8_t m[24] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			  0xff, 0xff, 0xff, 0xff, 0, 24, BGP_MSG_ROUTE_REFRESH, 0, 1, BGP_RR_BORR, 128, 0 };
	struct raw r;

	fake_up(&r, caps, sizeof(caps));
	raw_send(&r, m, sizeof(m));
	expect_notification(&r, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_LENGTH);
	cr_assert(both_established(NULL), "the other session was disturbed");
}

Test(bgpd_caps, no_common_family_is_a_clean_notification)
{
	const uint8_t caps[] = { 1, 4, 0, 1, 0, 1 }; /* IPv4 unicast only */
	uint8_t b[128];
	struct raw r;
	size_t n = open_caps(b, 3, caps, sizeof(caps));

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(&r, "127.0.0.3", port);
	raw_send(&r, b, n);
	expect_notification(&r, BGP_ERR_OPEN, BGP_ERR_OPEN_CAPABILITY);
}

Test(bgpd_limits, max_prefix_ceases_and_stays_down)
{
	const uint8_t caps[] = { CAP_MP_VPN };
	struct raw r, again;
	size_t want = 2;

	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	send_route(&r, 2);
	cr_assert(run_until(b_fake_routes, &want, 5));
	send_route(&r, 3);
	expect_notification(&r, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX);
	cr_assert_eq(B->peers[1].src.n_paths, 0);
	cr_assert(B->peers[1].admin_down);
	raw_connect(&again, "127.0.0.3", port); /* refused while down (restart 0) */
	cr_assert(run_until(raw_read, &again, 5));
	cr_assert_eq(again.len, 0);
	close(again.fd);
	cr_assert(both_established(NULL), "the other session was disturbed");
}

/* ---- route reflection (RFC 4456): the raw peer is B's client, A a non-client ---- */

static bool a_has_reflected(void *arg)
{
	(void)arg;
	return A->peers[0].src.n_paths == 1;
}

Test(bgpd_rr, client_route_reflected_with_originator_and_cluster)
{
	const uint8_t caps[] = { CAP_MP_VPN };
	const uint8_t own_originator[] = { 0x80, 9, 4, 127, 0, 0, 2 };
	const uint8_t own_cluster[] = { 0x80, 10, 8, 10, 9, 9, 9, 127, 0, 0, 2 };
	const struct bgp_attrs *a;
	struct raw r;
	size_t want = 1;

	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	cr_assert(run_until(a_has_reflected, NULL, 5), "not reflected to the non-client");
	a = &A->peers[0].src.paths->attrs->a;
	cr_assert(attr_has(a, ATTR_ORIGINATOR_ID));
	cr_assert_eq(a->originator_id, 0x7f000003);
	cr_assert_eq(a->n_cluster, 1);
	cr_assert_eq(a->cluster[0], 0x7f000002); /* cluster id = B's router id */
	/* routes that looped back to B (its router id / cluster id) are ignored */
	send_route_with(&r, 2, own_originator, sizeof(own_originator));
	send_route_with(&r, 3, own_cluster, sizeof(own_cluster));
	send_route(&r, 4);
	want = 2;
	cr_assert(run_until(b_fake_routes, &want, 5));
	cr_assert(fake_has_prefix(4) && !fake_has_prefix(2) && !fake_has_prefix(3));
	close(r.fd);
}

static bool a_hears_originator(void *arg)
{
	const struct rib_path *p = A->peers[0].src.paths;

	return p && attr_has(&p->attrs->a, ATTR_ORIGINATOR_ID) &&
	       p->attrs->a.originator_id == *(const uint32_t *)arg;
}

/*
 * A client that restarts gracefully as another router (a new BGP
 * identifier) and resends the same route: B keeps the path, whose
 * attributes do not change, yet what B reflects names the client's router
 * id (ORIGINATOR_ID, RFC 4456 section 8), and best-path selection compares
 * router ids: the path must be selected and reflected again.
 */
Test(bgpd_rr, graceful_restart_as_another_router_is_reflected_with_its_new_id)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_FWD };
	uint32_t first = 0x7f000003, second = 0x7f000021;
	struct raw r;

	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	cr_assert(run_until(a_hears_originator, &first, 5), "not reflected to the non-client");
	close(r.fd); /* the TCP session dies: B keeps the route, stale */
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert(B->peers[1].gr_waiting);
	fake_up_as(&r, 33, caps, sizeof(caps)); /* back as router 127.0.0.33 */
	send_route(&r, 1);
	send_eor(&r);
	cr_assert(run_until(a_hears_originator, &second, 5),
		  "A still hears the client's old router id as ORIGINATOR_ID");
	cr_assert_eq(B->peers[1].src.n_paths, 1);
	close(r.fd);
}
