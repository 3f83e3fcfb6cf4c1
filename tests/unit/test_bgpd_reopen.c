/*
 * RFC 4724 §4.2 against the raw fake peer (127.0.0.3) of B: an OPEN on a
 * new connection while the session is still Established, from a peer that
 * can restart gracefully, may say the peer restarted without the old
 * connection's end reaching B (a reboot sends no FIN). B answers it; the
 * peer's KEEPALIVE confirms the restart: B ends the old session without a
 * NOTIFICATION, keeps the peer's routes stale and goes on with the new
 * connection. A live peer's own dial that lost a §6.8 collision (its OPEN,
 * then its 6/7) leaves the session as it is. Without graceful restart or
 * with a bad OPEN, the new connection is refused at once. A new
 * connection still silent when the session ends is the peer's connection
 * from then on (closed when the peer is held down by max-prefix). The
 * fixture is test_bgpd_fsm.h, the fake peer test_bgpd_fake.h.
 */
#include <time.h>

#include "tests/unit/test_bgpd_fake.h"

TestSuite(bgpd_reopen, .init = setup, .fini = teardown, .timeout = 30);

static void setup_limits(void)
{
	setup_with(", \"passive\": true, \"max_prefix\": {\"limit\": 2, \"restart\": 0}");
}

TestSuite(bgpd_reopen_limits, .init = setup_limits, .fini = teardown, .timeout = 30);

/* the restarting peer's capability: R bit, restart time 5 s, VPN-IPv4 kept */
#define CAP_GR_RESTARTING 64, 6, 0x80, 5, 0, 1, 128, 0x80

static const uint8_t caps_gr[] = { CAP_MP_VPN, CAP_GR_FWD };
static const uint8_t caps_back[] = { CAP_MP_VPN, CAP_GR_RESTARTING };
static const uint8_t caps_plain[] = { CAP_MP_VPN };

/* Established for seconds: no rule of a session's first seconds applies (what B sent drained). */
static bool settled(void *arg)
{
	raw_read(arg);
	return bgpd_clock() - B->peers[1].up_since >= 3;
}

/* The fake peer up with one route in B. */
static void up_with_route(struct raw *r, const uint8_t *caps, uint8_t clen)
{
	size_t want = 1;

	fake_up(r, caps, clen);
	send_route(r, 1);
	cr_assert(run_until(b_fake_routes, &want, 5));
}

/* A second connection from the fake peer's address, its OPEN sent as router id 127.0.0.<id>. */
static void reopen(struct raw *r2, uint8_t id, const uint8_t *caps, uint8_t clen)
{
	uint8_t b[256];
	size_t n = open_caps(b, id, caps, clen);

	raw_connect(r2, "127.0.0.3", port);
	raw_send(r2, b, n);
}

static bool got_msg(const struct raw *r, uint8_t type)
{
	for (size_t off = 0; off + 19 <= r->len;
	     off += (size_t)r->rx[off + 16] << 8 | r->rx[off + 17])
		if (r->rx[off + 18] == type)
			return true;
	return false;
}

/* B still holds the first session and the route, fresh. */
static void session_untouched(const struct bgp_conn *before)
{
	cr_assert_eq(peer_state(&B->peers[1]), FSM_ESTABLISHED);
	cr_assert_eq(B->peers[1].est, before, "the established connection was replaced");
	cr_assert_eq(B->peers[1].src.n_paths, 1);
	cr_assert_not(B->peers[1].src.paths->stale);
}

/* B's answer on r2 so far holds its OPEN and KEEPALIVE (a run_until condition). */
static bool answered(void *arg)
{
	struct raw *r = arg;

	raw_read(r);
	return got_msg(r, BGP_MSG_OPEN) && got_msg(r, BGP_MSG_KEEPALIVE);
}

/* The F bit for VPN-IPv4 in the graceful restart capability of B's OPEN in r. */
static bool open_says_fwd(const struct raw *r)
{
	const uint8_t *o = r->rx, *end;

	cr_assert(r->len >= 29 && o[18] == BGP_MSG_OPEN);
	end = o + 29 + o[28];
	for (const uint8_t *pp = o + 29; pp + 2 <= end; pp += 2 + pp[1])
		for (const uint8_t *c = pp + 2; pp[0] == 2 && c + 2 <= pp + 2 + pp[1]; c += 2 + c[1])
			if (c[0] == 64) /* flags+time, then AFI, SAFI, flags */
				for (int i = 4; i + 4 <= 2 + c[1]; i += 4)
					if (c[i + 1] == 1 && c[i + 2] == 128)
						return c[i + 3] & 0x80;
	return false;
}

static bool old_closed_new_up(void *arg)
{
	struct raw *r = arg;

	raw_read(&r[1]);
	return raw_read(&r[0]) && peer_state(&B->peers[1]) == FSM_ESTABLISHED;
}

/* The restart's OPEN on r[1] answered while the old session holds, then confirmed. */
static void restart_confirmed(struct raw *r, const struct bgp_conn *before)
{
	cr_assert(run_until(answered, &r[1], 5), "B did not answer the new connection's OPEN");
	cr_assert(open_says_fwd(&r[1]), "B's OPEN lost the F bit: the peer would drop our routes");
	session_untouched(before); /* nothing ends before the peer confirms */
	raw_send(&r[1], keepalive, sizeof(keepalive));
	cr_assert(run_until(old_closed_new_up, r, 5), "the old session did not give way");
	cr_assert_not(got_msg(&r[0], BGP_MSG_NOTIFICATION), "NOTIFICATION sent to a restarted peer");
	cr_assert_neq(B->peers[1].est, before);
	cr_assert_eq(B->peers[1].session_downs, 1);
	cr_assert_eq(B->peers[1].src.n_paths, 1, "routes not kept across the restart");
	cr_assert(B->peers[1].src.paths->stale);
	cr_assert(B->peers[1].gr_waiting);
}

Test(bgpd_reopen, open_on_a_new_connection_is_a_restart)
{
	struct raw r[2];

	up_with_route(&r[0], caps_gr, sizeof(caps_gr));
	cr_assert(run_until(settled, &r[0], 5));
	reopen(&r[1], 3, caps_back, sizeof(caps_back));
	restart_confirmed(r, B->peers[1].est);
	send_route(&r[1], 2);
	send_eor(&r[1]);
	cr_assert(run_until(only_second, NULL, 5), "stale route not swept at End-of-RIB");
	cr_assert_not(B->peers[1].gr_waiting);
	close(r[0].fd);
	close(r[1].fd);
}

Test(bgpd_reopen, without_graceful_restart_it_is_a_collision)
{
	struct raw r, r2;
	const struct bgp_conn *before;

	up_with_route(&r, caps_plain, sizeof(caps_plain));
	cr_assert(run_until(settled, &r, 5));
	before = B->peers[1].est;
	reopen(&r2, 3, caps_plain, sizeof(caps_plain));
	expect_notification(&r2, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	session_untouched(before);
	close(r.fd);
}

/* A restart right after the session came up is one too (it used to get 6/7 for 2 s). */
Test(bgpd_reopen, in_the_first_seconds_too_it_is_a_restart)
{
	struct raw r[2];

	up_with_route(&r[0], caps_gr, sizeof(caps_gr));
	reopen(&r[1], 3, caps_back, sizeof(caps_back));
	restart_confirmed(r, B->peers[1].est);
	close(r[0].fd);
	close(r[1].fd);
}

Test(bgpd_reopen, a_bad_open_is_refused_and_the_session_stays)
{
	struct raw r, r2;
	const struct bgp_conn *before;

	up_with_route(&r, caps_gr, sizeof(caps_gr));
	cr_assert(run_until(settled, &r, 5));
	before = B->peers[1].est;
	reopen(&r2, 2, caps_back, sizeof(caps_back)); /* B's own router id */
	expect_notification(&r2, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID);
	session_untouched(before);
	close(r.fd);
}

/* ---- a probe still silent when the session it met ends ---- */

static bool probe_pending(void *arg)
{
	(void)arg;
	return B->peers[1].probe != NULL;
}

static bool session_gone(void *arg)
{
	raw_read(arg);
	return B->peers[1].est == NULL;
}

/*
 * The peer's new connection came while the old session was still up; the
 * old one then ends (here its FIN) before the new one's OPEN arrives, as
 * when the rebooted peer delays its OPEN (its DelayOpen) or the old
 * connection's RST arrives first. The probe is then the peer's only
 * connection: it carries on as an inbound one (it used to be taken for a
 * restart with no session left to end: a NULL dereference).
 */
Test(bgpd_reopen, a_probe_outliving_the_session_becomes_the_connection)
{
	struct raw r, r2;
	uint8_t b[256];
	size_t n;

	up_with_route(&r, caps_gr, sizeof(caps_gr));
	cr_assert(run_until(settled, &r, 5));
	raw_connect(&r2, "127.0.0.3", port);
	cr_assert(run_until(probe_pending, NULL, 5), "the new connection was not taken as a probe");
	close(r.fd);
	cr_assert(run_until(session_gone, &r2, 5), "the old session did not end");
	cr_assert(B->peers[1].src.paths->stale, "routes not kept across the TCP loss");
	n = open_caps(b, 3, caps_back, sizeof(caps_back));
	raw_send(&r2, b, n);
	raw_send(&r2, keepalive, sizeof(keepalive));
	cr_assert(run_until(fake_established, &r2, 5), "the new connection did not come up");
	cr_assert(got_msg(&r2, BGP_MSG_OPEN), "B sent no OPEN on the new connection");
	send_route(&r2, 2);
	send_eor(&r2);
	cr_assert(run_until(only_second, NULL, 5), "stale route not swept at End-of-RIB");
	close(r2.fd);
}

/* Held down by max-prefix, the peer gets no session: its waiting probe is closed, not taken. */
Test(bgpd_reopen_limits, a_probe_outliving_a_max_prefix_cease_is_closed)
{
	struct raw r, r2;
	uint8_t b[256];
	size_t n = open_caps(b, 3, caps_back, sizeof(caps_back));

	up_with_route(&r, caps_gr, sizeof(caps_gr));
	cr_assert(run_until(settled, &r, 5));
	raw_connect(&r2, "127.0.0.3", port);
	cr_assert(run_until(probe_pending, NULL, 5), "the new connection was not taken as a probe");
	send_route(&r, 2);
	send_route(&r, 3);
	expect_notification(&r, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX);
	(void)send(r2.fd, b, n, MSG_NOSIGNAL); /* B may have closed it already */
	cr_assert(run_until(raw_read, &r2, 5), "the probe of a held-down peer was kept");
	cr_assert_not(got_msg(&r2, BGP_MSG_OPEN), "B answered a held-down peer with its OPEN");
	cr_assert(!B->peers[1].est && !B->peers[1].in && !B->peers[1].probe);
	cr_assert(B->peers[1].admin_down);
	cr_assert_eq(B->peers[1].src.n_paths, 0);
	close(r2.fd);
}

/*
 * The peer's own dial that lost a §6.8 collision, read late (B's loop busy,
 * say a full table walked for the session that won): its OPEN, then the
 * peer's Cease 6/7 on it. The peer is alive and Established: that OPEN is
 * no restart, however long the session has been up, and B keeps it.
 */
Test(bgpd_reopen, a_racing_dials_open_read_late_leaves_the_session)
{
	struct raw r, r2;
	const struct bgp_conn *before;
	uint8_t b[256];
	size_t n = open_caps(b, 3, caps_gr, sizeof(caps_gr));
	const uint8_t cease[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 21, BGP_MSG_NOTIFICATION,
				  BGP_ERR_CEASE, BGP_CEASE_COLLISION };

	up_with_route(&r, caps_gr, sizeof(caps_gr));
	cr_assert(run_until(settled, &r, 5));
	before = B->peers[1].est;
	memcpy(b + n, cease, sizeof(cease));
	raw_connect(&r2, "127.0.0.3", port);
	raw_send(&r2, b, n + sizeof(cease));
	cr_assert(run_until(raw_read, &r2, 5), "the new connection was not closed");
	session_untouched(before);
	cr_assert_str_eq(B->peers[1].last_error, "");
	cr_assert_not(raw_read(&r), "the established connection was closed");
	close(r.fd);
}

/* Max-prefix on the old session while a restart's connection waits: that one goes too. */
Test(bgpd_reopen_limits, max_prefix_takes_a_pending_restart_down_too)
{
	struct raw r, r2;

	up_with_route(&r, caps_gr, sizeof(caps_gr));
	reopen(&r2, 3, caps_back, sizeof(caps_back));
	cr_assert(run_until(answered, &r2, 5), "B did not answer the new connection's OPEN");
	send_route(&r, 2);
	send_route(&r, 3);
	expect_notification(&r, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX);
	expect_notification(&r2, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX);
	cr_assert(!B->peers[1].est && !B->peers[1].in && !B->peers[1].probe);
	cr_assert(B->peers[1].admin_down);
}

/* The monotonic clock in seconds. */
static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* B's OPEN arrived on r (a run_until condition). */
static bool open_came(void *arg)
{
	struct raw *r = arg;

	raw_read(r);
	return got_msg(r, BGP_MSG_OPEN);
}

/*
 * The rebooted peer delays its OPEN (its DelayOpen) for longer than B
 * waits for it: it waits for B's OPEN first. B used to close such a
 * connection, so the peer only got a session when the old one's hold timer
 * ran out. From a peer that can restart gracefully, B now sends its OPEN
 * after its wait; the peer's OPEN and KEEPALIVE then end the old session as
 * a restart.
 */
Test(bgpd_reopen, a_silent_new_connection_gets_our_open_and_may_be_a_restart)
{
	struct raw r[2];
	const struct bgp_conn *before;
	uint8_t b[256];
	size_t n;
	double t0;

	B->probe_wait = 1;
	up_with_route(&r[0], caps_gr, sizeof(caps_gr));
	cr_assert(run_until(settled, &r[0], 5));
	before = B->peers[1].est;
	t0 = mono_now();
	raw_connect(&r[1], "127.0.0.3", port);
	cr_assert(run_until(probe_pending, NULL, 5), "the new connection was not taken as a probe");
	cr_assert(run_until(open_came, &r[1], 5), "B sent no OPEN on the silent connection");
	/* a lower bound only: B's timer starts after the connect, never fires early */
	cr_assert_geq(mono_now() - t0, 0.95, "OPEN sent before the wait (after %.2f s of 1)",
		      mono_now() - t0);
	cr_assert_not(r[1].eof, "the silent connection was closed");
	cr_assert(open_says_fwd(&r[1]), "B's OPEN lost the F bit");
	session_untouched(before);
	n = open_caps(b, 3, caps_back, sizeof(caps_back));
	raw_send(&r[1], b, n);
	restart_confirmed(r, before);
	close(r[0].fd);
	close(r[1].fd);
}

/* A live peer's silent extra connection answers B's OPEN with 6/7: the session stays. */
Test(bgpd_reopen, a_live_peer_refuses_our_open_on_its_silent_connection)
{
	struct raw r, r2;
	const struct bgp_conn *before;
	const uint8_t cease[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 21, BGP_MSG_NOTIFICATION,
				  BGP_ERR_CEASE, BGP_CEASE_COLLISION };

	B->probe_wait = 1;
	up_with_route(&r, caps_gr, sizeof(caps_gr));
	cr_assert(run_until(settled, &r, 5));
	before = B->peers[1].est;
	raw_connect(&r2, "127.0.0.3", port);
	cr_assert(run_until(open_came, &r2, 5), "B sent no OPEN on the silent connection");
	raw_send(&r2, cease, sizeof(cease));
	cr_assert(run_until(raw_read, &r2, 5), "the refused connection was not closed");
	session_untouched(before);
	cr_assert_str_eq(B->peers[1].last_error, "");
	cr_assert_not(raw_read(&r), "the established connection was closed");
	close(r.fd);
}

/* Without graceful restart a silent new connection gets 6/7 after the wait, as before. */
Test(bgpd_reopen, without_graceful_restart_a_silent_connection_is_closed)
{
	struct raw r, r2;
	const struct bgp_conn *before;

	B->probe_wait = 1;
	up_with_route(&r, caps_plain, sizeof(caps_plain));
	cr_assert(run_until(settled, &r, 5));
	before = B->peers[1].est;
	raw_connect(&r2, "127.0.0.3", port);
	expect_notification(&r2, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	cr_assert_not(got_msg(&r2, BGP_MSG_OPEN), "OPEN sent to a peer that cannot restart");
	session_untouched(before);
	close(r.fd);
}
