/*
 * RFC 8538 end to end against the raw fake peer (127.0.0.3) of B: with the
 * N bit from both sides a NOTIFICATION (received or sent, other than a Hard
 * Reset) and the hold timer end the session as a TCP loss does, the peer's
 * routes kept stale; a Hard Reset drops them; what ends a session for good
 * (max-prefix) goes out as a Hard Reset carrying its own NOTIFICATION; and
 * bgp.graceful_restart.notification false leaves the N bit out. The fixture
 * is test_bgpd_fsm.h, the fake peer test_bgpd_fake.h.
 */
#include "tests/unit/test_bgpd_fake.h"

/* restart time 5 s with the N bit, VPN-IPv4 kept */
#define CAP_GR_N 64, 6, 0x40, 5, 0, 1, 128, 0x80

static void setup_limits(void)
{
	setup_with(", \"passive\": true, \"max_prefix\": {\"limit\": 2, \"restart\": 0}");
}

TestSuite(bgpd_grnotif, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(bgpd_grnotif_limits, .init = setup_limits, .fini = teardown, .timeout = 30);

static const uint8_t caps_n[] = { CAP_MP_VPN, CAP_GR_N };

static void send_notification(struct raw *r, const uint8_t *body, uint8_t len)
{
	uint8_t m[64];

	cr_assert_leq(len, sizeof(m) - 19);
	memset(m, 0xff, 16);
	m[16] = 0;
	m[17] = (uint8_t)(19 + len);
	m[18] = BGP_MSG_NOTIFICATION;
	memcpy(m + 19, body, len);
	raw_send(r, m, 19u + len);
}

/* The offset of the first message of `type` (whole, at least min bytes) the fake peer read. */
static size_t find_msg(const struct raw *r, uint8_t type, size_t min)
{
	size_t off = 0;

	while (off + 19 <= r->len && r->rx[off + 18] != type)
		off += (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];
	cr_assert_leq(off + min, r->len, "no message of type %u read", type);
	return off;
}

/* After B closed the session: the offset of the NOTIFICATION it sent (code, subcode, n data). */
static size_t b_notification(struct raw *r, size_t n)
{
	cr_assert(run_until(raw_read, r, 8), "B did not close the session");
	return find_msg(r, BGP_MSG_NOTIFICATION, 21 + n);
}

/* B's graceful restart capability in the OPEN the fake peer read: its offset. */
static size_t b_gr_cap(const struct raw *r)
{
	size_t off = find_msg(r, BGP_MSG_OPEN, 29), end;

	end = off + ((size_t)r->rx[off + 16] << 8 | r->rx[off + 17]);
	for (size_t i = off + 29; i + 8 <= end; i++)
		if (r->rx[i] == 64 && r->rx[i + 1] == 6) /* code 64, one family */
			return i;
	cr_assert_fail("B's OPEN has no graceful restart capability for one family");
	return 0;
}

/* Its restart flags (R 8, N 4). */
static unsigned b_gr_flags(const struct raw *r)
{
	return r->rx[b_gr_cap(r) + 2] >> 4;
}

/* Its VPN-IPv4 entry's flags (F 0x80). */
static unsigned b_gr_fwd(const struct raw *r)
{
	size_t i = b_gr_cap(r);

	cr_assert(r->rx[i + 4] == 0 && r->rx[i + 5] == 1 && r->rx[i + 6] == 128, "not VPN-IPv4");
	return r->rx[i + 7];
}

/* Up with the N bit, one route from the fake peer in B. */
static void up_with_route(struct raw *r)
{
	size_t want = 1;

	fake_up(r, caps_n, sizeof(caps_n));
	cr_assert(B->peers[1].gr_notif, "the N bit was not negotiated");
	send_route(r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
}

static void expect_kept_stale(void)
{
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 1, "routes not kept across the NOTIFICATION");
	cr_assert(B->peers[1].src.paths->stale);
	cr_assert(B->peers[1].gr_waiting);
}

Test(bgpd_grnotif, notification_keeps_routes_stale_until_end_of_rib)
{
	const uint8_t other_config[] = { BGP_ERR_CEASE, BGP_CEASE_OTHER_CONFIG };
	struct raw r;

	up_with_route(&r);
	cr_assert_eq(b_gr_flags(&r), BGP_GR_NOTIFICATION, "B's OPEN: N bit alone (not restarting)");
	cr_assert_eq(b_gr_fwd(&r), 0, "F bit on a first session");
	send_notification(&r, other_config, sizeof(other_config));
	expect_kept_stale();
	close(r.fd);
	fake_up(&r, caps_n, sizeof(caps_n)); /* back, forwarding state kept */
	cr_assert_eq(b_gr_fwd(&r), BGP_GR_F_FORWARDING, "B's forwarding was kept: F bit");
	cr_assert_eq(B->peers[1].src.n_paths, 1, "stale routes dropped before End-of-RIB");
	send_route(&r, 2);
	send_eor(&r);
	cr_assert(run_until(only_second, NULL, 5), "stale route not swept at End-of-RIB");
	cr_assert_not(B->peers[1].gr_waiting);
	close(r.fd);
}

Test(bgpd_grnotif, hard_reset_drops_routes)
{
	const uint8_t hard[] = { BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, BGP_ERR_CEASE,
				 BGP_CEASE_ADMIN_SHUTDOWN };
	struct raw r;

	up_with_route(&r);
	send_notification(&r, hard, sizeof(hard));
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 0, "routes kept after a Hard Reset");
	cr_assert_not(B->peers[1].gr_waiting);
	cr_assert_str_eq(B->peers[1].last_error, "NOTIFICATION: received cease / hard reset (6/9) "
						 "of cease / administrative shutdown (6/2)");
	close(r.fd);
}

/* An error B finds ends the session with its own NOTIFICATION, unwrapped, and keeps the routes. */
Test(bgpd_grnotif, notification_sent_keeps_routes_stale)
{
	uint8_t bad_marker[19];
	struct raw r;
	size_t off;

	up_with_route(&r);
	memcpy(bad_marker, keepalive, sizeof(bad_marker));
	bad_marker[3] = 0;
	r.len = 0;
	raw_send(&r, bad_marker, sizeof(bad_marker));
	off = b_notification(&r, 0);
	cr_assert_eq(r.rx[off + 19], BGP_ERR_HEADER, "a header error goes as itself");
	cr_assert_eq(r.rx[off + 20], BGP_ERR_HDR_SYNC);
	expect_kept_stale();
	close(r.fd);
}

/* The hold timer (3 s here) runs out: Hold Timer Expired is sent and the routes stay. */
Test(bgpd_grnotif, hold_timer_expiry_keeps_routes_stale)
{
	struct raw r;
	size_t want = 1, off;

	fake_up_hold(&r, 3, 3, caps_n, sizeof(caps_n));
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	r.len = 0;
	off = b_notification(&r, 0);
	cr_assert_eq(r.rx[off + 19], BGP_ERR_HOLD);
	expect_kept_stale();
	close(r.fd);
}

/* With the knob off B offers no N bit, and a NOTIFICATION drops the routes as before. */
Test(bgpd_grnotif, knob_off_leaves_the_n_bit_out)
{
	const uint8_t other_config[] = { BGP_ERR_CEASE, BGP_CEASE_OTHER_CONFIG };
	struct raw r;
	size_t want = 1;

	cfg_b.bgp.gr_notification = false; /* read when B sends its OPEN to the fake peer */
	fake_up(&r, caps_n, sizeof(caps_n));
	cr_assert_eq(b_gr_flags(&r), 0, "B's OPEN has the N bit with the knob off");
	cr_assert_not(B->peers[1].gr_notif);
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	send_notification(&r, other_config, sizeof(other_config));
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 0, "routes kept without the N bit");
	close(r.fd);
}

/* Max-prefix ends the session for good: a Hard Reset carrying Cease / max prefixes. */
Test(bgpd_grnotif_limits, max_prefix_is_a_hard_reset)
{
	struct raw r;
	size_t want = 2, off;

	fake_up(&r, caps_n, sizeof(caps_n));
	send_route(&r, 1);
	send_route(&r, 2);
	cr_assert(run_until(b_fake_routes, &want, 5));
	r.len = 0;
	send_route(&r, 3);
	off = b_notification(&r, 2);
	cr_assert_eq(r.rx[off + 19], BGP_ERR_CEASE);
	cr_assert_eq(r.rx[off + 20], BGP_CEASE_HARD_RESET);
	cr_assert_eq(r.rx[off + 21], BGP_ERR_CEASE, "the inner code");
	cr_assert_eq(r.rx[off + 22], BGP_CEASE_MAX_PREFIX, "the inner subcode");
	cr_assert_eq(r.rx[off + 16] << 8 | r.rx[off + 17], 19 + 2 + 2 + 7, "inner data: AFI/SAFI/limit");
	cr_assert_eq(B->peers[1].src.n_paths, 0);
	cr_assert_not(B->peers[1].gr_waiting);
	close(r.fd);
}

static bool fake_in_openconfirm(void *arg)
{
	raw_read(arg);
	return B->peers[1].in && B->peers[1].in->state == FSM_OPENCONFIRM;
}

static bool fake_in_closed(void *arg)
{
	(void)arg;
	return B->peers[1].in == NULL;
}

/*
 * B keeps the fake peer's routes stale after a NOTIFICATION; the peer comes
 * back, and before Established (both OPENs read, the N bit on both) sends a
 * Hard Reset: the session is to end for good, so the stale routes go now,
 * not at the end of its restart time.
 */
Test(bgpd_grnotif, hard_reset_before_established_drops_stale_routes)
{
	const uint8_t other_config[] = { BGP_ERR_CEASE, BGP_CEASE_OTHER_CONFIG };
	const uint8_t hard[] = { BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, BGP_ERR_CEASE,
				 BGP_CEASE_ADMIN_SHUTDOWN };
	uint8_t b[128];
	struct raw r;

	up_with_route(&r);
	send_notification(&r, other_config, sizeof(other_config));
	expect_kept_stale();
	close(r.fd);
	raw_connect(&r, "127.0.0.3", port);
	raw_send(&r, b, open_caps(b, 3, caps_n, sizeof(caps_n)));
	cr_assert(run_until(fake_in_openconfirm, &r, 5), "B's connection not in OpenConfirm");
	send_notification(&r, hard, sizeof(hard));
	cr_assert(run_until(fake_in_closed, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 0, "stale routes kept after a Hard Reset");
	cr_assert_not(B->peers[1].gr_waiting);
	close(r.fd);
}

/*
 * bgpd stopping while the fake peer's connection is in OpenConfirm (both
 * OPENs read, both with the N bit): the peer may keep B's routes stale from
 * an earlier session, so the final Cease goes as a Hard Reset here too.
 */
Test(bgpd_grnotif, stop_in_openconfirm_is_a_hard_reset)
{
	uint8_t b[128];
	struct raw r;
	size_t off;

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(&r, "127.0.0.3", port);
	raw_send(&r, b, open_caps(b, 3, caps_n, sizeof(caps_n)));
	cr_assert(run_until(fake_in_openconfirm, &r, 5), "B's connection not in OpenConfirm");
	bgpd_stop(B, NULL);
	off = b_notification(&r, 2);
	cr_assert_eq(r.rx[off + 19], BGP_ERR_CEASE);
	cr_assert_eq(r.rx[off + 20], BGP_CEASE_HARD_RESET, "subcode %u", r.rx[off + 20]);
	cr_assert_eq(r.rx[off + 21], BGP_ERR_CEASE, "the inner code");
	cr_assert_eq(r.rx[off + 22], BGP_CEASE_ADMIN_SHUTDOWN, "the inner subcode");
	close(r.fd);
}

/* Without the peer's N bit, the same stop is the plain Cease. */
Test(bgpd_grnotif, stop_in_openconfirm_without_n_is_plain)
{
	static const uint8_t caps_fwd[] = { CAP_MP_VPN, CAP_GR_FWD };
	uint8_t b[128];
	struct raw r;
	size_t off;

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(&r, "127.0.0.3", port);
	raw_send(&r, b, open_caps(b, 3, caps_fwd, sizeof(caps_fwd)));
	cr_assert(run_until(fake_in_openconfirm, &r, 5), "B's connection not in OpenConfirm");
	bgpd_stop(B, NULL);
	off = b_notification(&r, 0);
	cr_assert_eq(r.rx[off + 19], BGP_ERR_CEASE);
	cr_assert_eq(r.rx[off + 20], BGP_CEASE_ADMIN_SHUTDOWN);
	close(r.fd);
}

static bool fake_route_gone(void *arg)
{
	(void)arg;
	return B->peers[1].src.n_paths == 0;
}

/*
 * A peer whose every session ends in a NOTIFICATION before its End-of-RIB
 * (an UPDATE B resets on, sent each time) restarts again and again: each
 * end keeps the routes stale (RFC 8538), but not for ever. Restart time 5 s
 * and stale time 2 s here: a route the peer never sends again is gone
 * within the 7 s one restart may take, however often the peer comes back.
 */
Test(bgpd_grnotif, consecutive_restarts_do_not_keep_stale_routes_for_ever)
{
	const uint8_t other_config[] = { BGP_ERR_CEASE, BGP_CEASE_OTHER_CONFIG };
	struct raw r;
	int i;

	cfg_b.bgp.gr_stale_time = 2;
	up_with_route(&r);
	send_notification(&r, other_config, sizeof(other_config));
	expect_kept_stale();
	close(r.fd);
	for (i = 0; i < 12 && B->peers[1].src.n_paths; i++) {
		fake_up(&r, caps_n, sizeof(caps_n)); /* back with F, then ends again */
		send_notification(&r, other_config, sizeof(other_config));
		cr_assert(run_until(fake_gone, NULL, 5));
		close(r.fd);
		run_until(fake_route_gone, NULL, 1);
	}
	cr_assert_eq(B->peers[1].src.n_paths, 0, "stale route kept through %d restarts", i);
	cr_assert_leq(i, 9, "stale route gone only after %d restarts", i);
}

/*
 * A peer with the N bit whose graceful restart capability lists no family
 * (it keeps ours, we keep none of its): N is negotiated, so a final Cease
 * to it is a Hard Reset, but a NOTIFICATION it sends drops its routes at
 * once, as a TCP loss would (RFC 4724 §4.2: only the families it listed).
 */
Test(bgpd_grnotif, n_bit_without_vpnv4_keeps_nothing)
{
	static const uint8_t caps_n_none[] = { CAP_MP_VPN, 64, 2, 0x40, 5 };
	const uint8_t other_config[] = { BGP_ERR_CEASE, BGP_CEASE_OTHER_CONFIG };
	struct raw r;
	size_t want = 1;

	fake_up(&r, caps_n_none, sizeof(caps_n_none));
	cr_assert(B->peers[1].gr_notif, "the N bit was not negotiated");
	cr_assert_not(B->peers[1].gr_capable);
	send_route(&r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
	send_notification(&r, other_config, sizeof(other_config));
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_paths, 0, "routes kept from a peer that listed no family");
	cr_assert_not(B->peers[1].gr_waiting);
	close(r.fd);
}

/*
 * What the N bit negotiates is what both OPENs said: a reload turning the
 * knob off between B's OPEN (N set) and Established does not undo it (the
 * peer read B's N bit and treats NOTIFICATIONs as graceful; B must too, and
 * wrap its final Ceases).
 */
Test(bgpd_grnotif, n_bit_is_what_the_opens_said)
{
	uint8_t b[128];
	struct raw r;

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(&r, "127.0.0.3", port);
	raw_send(&r, b, open_caps(b, 3, caps_n, sizeof(caps_n)));
	cr_assert(run_until(fake_in_openconfirm, &r, 5), "B's connection not in OpenConfirm");
	cr_assert_eq(b_gr_flags(&r), BGP_GR_NOTIFICATION, "B's OPEN without the N bit");
	cfg_b.bgp.gr_notification = false; /* as a reload would, before the KEEPALIVE */
	raw_send(&r, keepalive, sizeof(keepalive));
	cr_assert(run_until(fake_established, &r, 5), "fake peer not established");
	cr_assert(B->peers[1].gr_notif, "both OPENs had the N bit, B says not negotiated");
	close(r.fd);
}

static bool fake_has_only_3_and_4(void *arg)
{
	(void)arg;
	return fake_has_prefix(3) && fake_has_prefix(4) && !fake_has_prefix(1) &&
	       !fake_has_prefix(2);
}

/*
 * Max-prefix (2 here) counts the fresh routes: a peer back from a graceful
 * restart with another table holds its old routes stale beside the new ones
 * until its End-of-RIB, 4 in all, and is no more over its limit for that.
 */
Test(bgpd_grnotif_limits, max_prefix_does_not_count_stale_routes)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_FWD };
	struct raw r;
	size_t want = 2, off;

	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	send_route(&r, 2);
	cr_assert(run_until(b_fake_routes, &want, 5));
	close(r.fd); /* restarting: routes 1 and 2 kept stale */
	cr_assert(run_until(fake_gone, NULL, 5));
	cr_assert_eq(B->peers[1].src.n_stale, 2);
	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 3);
	send_route(&r, 4);
	want = 4;
	cr_assert(run_until(b_fake_routes, &want, 5), "the new table did not come in beside the old");
	cr_assert_eq(peer_state(&B->peers[1]), FSM_ESTABLISHED, "ceased over stale routes");
	send_eor(&r);
	cr_assert(run_until(fake_has_only_3_and_4, NULL, 5), "End-of-RIB did not sweep 1 and 2");
	r.len = 0;
	send_route(&r, 5); /* the third fresh one: over */
	off = b_notification(&r, 2);
	cr_assert_eq(r.rx[off + 19], BGP_ERR_CEASE);
	cr_assert_eq(r.rx[off + 20], BGP_CEASE_MAX_PREFIX, "a plain Cease: no N bit from this peer");
	close(r.fd);
}
