/*
 * bgpd FSM end to end inside one process: two speakers on one event_base
 * (127.0.0.1 and 127.0.0.2, same port, both dialing out so §6.8 collision
 * handling runs) reach Established and exchange a VPN-IPv4 route; a withdraw
 * and a peer going down remove it. A raw "fake peer" socket checks the
 * NOTIFICATIONs: garbage or an OPEN on a second connection while
 * Established (1/1; the OPEN answered, as it may be a restart, then left
 * to the peer's 6/7: established session untouched), and a malformed
 * UPDATE on a real session (3/x, session reset, daemon alive).
 * Everything is polled with deadlines, never fixed sleeps. The capability
 * suites (GR, route refresh, max-prefix, reflection) are in test_bgpd_caps.c;
 * the fixture both share is test_bgpd_fsm.h.
 */
#include "tests/unit/test_bgpd_fsm.h"

static int raw_listen(void);

/* 127.0.0.3 is dialed by B too, and listened for by the test: a real collision. */
static void setup_collision(void)
{
	listen_fd = raw_listen();
	setup_with("");
}

TestSuite(bgpd_fsm, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(bgpd_collision, .init = setup_collision, .fini = teardown, .timeout = 30);

/* B dials 127.0.0.3 too, which the test listens for only later. */
static void setup_dial(void)
{
	setup_with("");
}

TestSuite(bgpd_dial, .init = setup_dial, .fini = teardown, .timeout = 30);

static struct rd rd;
static struct prefix4 pfx;
static struct ext_community rt;

static void route_init(void)
{
	cr_assert_eq(rd_parse("10.255.0.1:100", &rd), 0);
	cr_assert_eq(prefix4_parse("192.168.100.0/24", &pfx), 0);
	cr_assert_eq(rt_parse("65000:100", &rt), 0);
}

static bool b_has_route(void *arg)
{
	struct rib_entry *e = rib_lookup(B->rib, &rd, &pfx);

	return arg ? e && e->best : !e || !e->best;
}

Test(bgpd_fsm, established_and_route_exchange)
{
	struct rib_entry *e;

	route_init();
	cr_assert(run_until(both_established, NULL, 10), "no session");
	cr_assert_eq(bgpd_local_add(A, &rd, &pfx, 100, &rt, 1, 0, 0, 0), 0);
	cr_assert(run_until(b_has_route, (void *)1, 5), "route not received");
	e = rib_lookup(B->rib, &rd, &pfx);
	cr_assert_eq(e->best->label, 100);
	cr_assert_eq(e->best->src, &B->peers[0].src);
	cr_assert_eq(e->best->attrs->a.nexthop, 0x7f000001); /* next hop self */
	cr_assert_eq(e->best->attrs->a.n_ext, 1);
	cr_assert(extcom_equal(&e->best->attrs->a.ext[0], &rt));
	cr_assert_eq(rib_path_local_pref(e->best), 100);
	cr_assert_eq(A->peers[0].n_advertised, 1);
	cr_assert_eq(B->peers[0].src.n_paths, 1);

	cr_assert_eq(bgpd_local_del(A, &rd, &pfx), 0);
	cr_assert(run_until(b_has_route, NULL, 5), "withdraw not received");
	cr_assert_eq(A->peers[0].n_advertised, 0);
}

static bool b_lost_a(void *arg)
{
	(void)arg;
	return peer_state(&B->peers[0]) != FSM_ESTABLISHED && b_has_route(NULL);
}

static bool a_stopped(void *arg)
{
	(void)arg;
	return A->closing == NULL;
}

Test(bgpd_fsm, peer_down_withdraws_its_routes)
{
	route_init();
	cr_assert(run_until(both_established, NULL, 10));
	cr_assert_eq(bgpd_local_add(A, &rd, &pfx, 100, &rt, 1, 0, 0, 0), 0);
	cr_assert(run_until(b_has_route, (void *)1, 5));
	bgpd_stop(A, NULL);
	cr_assert(run_until(b_lost_a, NULL, 5), "B kept A's route");
	cr_assert(run_until(a_stopped, NULL, 5));
	/* both sent the N bit: the shutdown is a Hard Reset, or B would keep A's routes (RFC 8538) */
	cr_assert_str_eq(B->peers[0].last_error,
			 "NOTIFICATION: received cease / hard reset (6/9) of cease / administrative "
			 "shutdown (6/2): \"ferry bgpd on t1 stopping\"");
}

Test(bgpd_fsm, garbage_while_established)
{
	struct raw r;
	const struct bgp_conn *before;

	cr_assert(run_until(both_established, NULL, 10));
	/* The established connection object itself must survive (KEEPALIVEs may
	 * still arrive on it meanwhile, so message counts are no measure). */
	before = B->peers[0].est;
	raw_connect(&r, "127.0.0.1", port); /* from the configured peer's address */
	raw_send(&r, "this is not BGP\n", 16);
	expect_notification(&r, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC);
	cr_assert(both_established(NULL), "established session disturbed");
	cr_assert_eq(B->peers[0].est, before, "established connection replaced");
}

/* B's OPEN and KEEPALIVE arrived on r (a run_until condition). */
static bool open_answered(void *arg)
{
	struct raw *r = arg;

	raw_read(r);
	return r->len >= 29 + 19 && r->rx[18] == BGP_MSG_OPEN;
}

/*
 * From A, which can restart gracefully, an OPEN on a new connection may be
 * its restart (RFC 4724 §4.2, test_bgpd_reopen.c): B answers it. A live A
 * refuses the answer (§6.8, here the raw socket's 6/7): the session stays.
 */
Test(bgpd_fsm, open_while_established_is_answered_and_a_collision_leaves_it)
{
	struct raw r;
	uint8_t b[128];
	size_t n = open_encoded(b, 65000, 0x7f000001);
	const uint8_t cease[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0xff, 0xff, 0, 21, 3, 6, 7 };
	const struct bgp_conn *before;

	cr_assert(run_until(both_established, NULL, 10));
	before = B->peers[0].est;
	raw_connect(&r, "127.0.0.1", port);
	raw_send(&r, b, n);
	cr_assert(run_until(open_answered, &r, 5), "B did not answer the OPEN");
	raw_send(&r, cease, sizeof(cease));
	cr_assert(run_until(raw_read, &r, 5), "connection not closed");
	close(r.fd);
	cr_assert(both_established(NULL));
	cr_assert_eq(B->peers[0].est, before, "established connection replaced");
}

Test(bgpd_fsm, unconfigured_address_is_closed)
{
	struct raw r;

	raw_connect(&r, "127.0.0.9", port);
	cr_assert(run_until(raw_read, &r, 5));
	cr_assert_eq(r.len, 0);
	close(r.fd);
}

Test(bgpd_fsm, malformed_update_resets_only_that_session)
{
	struct raw r;
	uint8_t b[256];
	size_t n = open_encoded(b, 65000, 0x7f000003);
	/* UPDATE whose ORIGIN claims 9 bytes where 3 are left: no RFC 7606 recovery (3/5) */
	const uint8_t upd[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0xff, 0,    29,   2,    0,    0,    0,
				6,    0x40, 1,    9,    0,    0,    0 };
	const uint8_t ka[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4 };

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(&r, "127.0.0.3", port);
	memcpy(b + n, ka, sizeof(ka));
	raw_send(&r, b, n + sizeof(ka));
	cr_assert(run_until(fake_established, &r, 5), "fake peer not established: %s",
		  fsm_state_name(peer_state(&B->peers[1])));
	raw_send(&r, upd, sizeof(upd));
	expect_notification(&r, BGP_ERR_UPDATE, BGP_ERR_UPD_LENGTH);
	cr_assert_neq(peer_state(&B->peers[1]), FSM_ESTABLISHED);
	cr_assert(both_established(NULL), "the other session was disturbed");
}

/*
 * RFC 7606 on iBGP: a malformed MED withdraws that UPDATE's route and the
 * session stays up; the neighbor's counters say what happened.
 */
Test(bgpd_fsm, malformed_attribute_withdraws_and_keeps_the_session)
{
	struct raw r;
	uint8_t b[256], msg[256];
	size_t n = open_encoded(b, 65000, 0x7f000003), want;
	const uint8_t ka[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4 };
	/* ORIGIN, empty AS_PATH, LOCAL_PREF, MP_REACH 65000:1 10.1.0.0/16 label 100 via 10.0.0.1 */
	uint8_t attrs[] = { 0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 5, 4, 0, 0, 0, 100, 0x80, 14, 31, 0, 1,
			    128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 104, 0, 6, 0x41, 0,
			    0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1, 0x80, 4, 4, 0, 0, 0, 7 };

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(&r, "127.0.0.3", port);
	memcpy(b + n, ka, sizeof(ka));
	raw_send(&r, b, n + sizeof(ka));
	cr_assert(run_until(fake_established, &r, 5));
	raw_send(&r, msg, update_msg(msg, attrs, sizeof(attrs)));
	want = 1;
	cr_assert(run_until(b_fake_routes, &want, 5), "route not learned");
	attrs[sizeof(attrs) - 5] = 3; /* MED length 3: treat-as-withdraw */
	raw_send(&r, msg, update_msg(msg, attrs, sizeof(attrs)));
	want = 0;
	cr_assert(run_until(b_fake_routes, &want, 5), "route not withdrawn");
	raw_send(&r, msg, update_msg(msg, attrs, sizeof(attrs))); /* again: counted, not logged */
	cr_assert(!run_until(raw_read, &r, 1), "session closed");
	cr_assert_eq(peer_state(&B->peers[1]), FSM_ESTABLISHED);
	cr_assert_eq(B->peers[1].uerr.treat_as_withdraw, 2);
	cr_assert_eq(B->peers[1].uerr.routes_withdrawn, 2);
	cr_assert_eq(B->peers[1].uerr.session_reset, 0);
	close(r.fd);
}

/* ---- connection collision (RFC 4271 §6.8) ---- */

static int raw_listen(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	port = (uint16_t)(20000 + getpid() % 20000);
	inet_pton(AF_INET, "127.0.0.3", &sin.sin_addr);
	sin.sin_port = htons(port);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

static bool raw_accepted(void *arg)
{
	struct raw *r = arg;

	r->fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK);
	return r->fd >= 0;
}

static bool b_third_state(void *arg)
{
	return peer_state(&B->peers[1]) == (enum fsm_state)(uintptr_t)arg;
}

/*
 * B dials 127.0.0.3, where nothing listens at first: the refusal is what B
 * says about that neighbor (it was Active with no error at all), until a
 * connection comes up.
 */
static bool b_third_connect_error(void *arg)
{
	return strcmp(B->peers[1].connect_error, (const char *)arg) == 0;
}

Test(bgpd_dial, a_failed_connect_is_said_until_one_comes_up)
{
	struct raw x;

	memset(&x, 0, sizeof(x));
	cr_assert(run_until(b_third_connect_error, "Connection refused", 5), "B says \"%s\"",
		  B->peers[1].connect_error);
	cr_assert_neq(peer_state(&B->peers[1]), FSM_ESTABLISHED);
	listen_fd = raw_listen();
	cr_assert(run_until(raw_accepted, &x, 10), "B did not dial again");
	cr_assert(run_until(b_third_connect_error, "", 5), "still \"%s\" once connected",
		  B->peers[1].connect_error);
	close(x.fd);
}

/*
 * B dials 127.0.0.3 (conn X, accepted here) and 127.0.0.3 dials B (conn Y).
 * Our OPEN on Y carries `id`; B must keep the connection initiated by the
 * higher identifier and send Cease/collision (6/7) on the other.
 */
static void collide(uint32_t id, bool keep_inbound)
{
	struct raw x, y;
	uint8_t b[256];
	size_t n = open_encoded(b, 65000, id);
	const uint8_t ka[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4 };

	memset(&x, 0, sizeof(x));
	cr_assert(run_until(raw_accepted, &x, 5), "B did not dial");
	cr_assert(run_until(b_third_state, (void *)(uintptr_t)FSM_OPENSENT, 5));
	raw_connect(&y, "127.0.0.3", port);
	raw_send(&y, b, n);
	if (keep_inbound) {
		expect_notification(&x, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
		raw_send(&y, ka, sizeof(ka));
		cr_assert(run_until(b_third_state, (void *)(uintptr_t)FSM_ESTABLISHED, 5));
		cr_assert(!B->peers[1].est->outbound);
		close(y.fd);
	} else {
		expect_notification(&y, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
		raw_send(&x, b, n);
		raw_send(&x, ka, sizeof(ka));
		cr_assert(run_until(b_third_state, (void *)(uintptr_t)FSM_ESTABLISHED, 5));
		cr_assert(B->peers[1].est->outbound);
		close(x.fd);
	}
	cr_assert(both_established(NULL));
}

Test(bgpd_collision, higher_remote_id_keeps_inbound)
{
	collide(0x7f000003, true); /* 127.0.0.3 > B's 127.0.0.2 */
}

Test(bgpd_collision, lower_remote_id_keeps_outbound)
{
	collide(0x01010101, false); /* 1.1.1.1 < 127.0.0.2 */
}

static bool b_has_n(void *arg)
{
	return B->peers[0].src.n_paths == (size_t)(uintptr_t)arg;
}

Test(bgpd_fsm, many_routes_packed)
{
	enum { N = 20000 };
	uint64_t before;

	route_init();
	cr_assert(run_until(both_established, NULL, 10));
	before = A->peers[0].msgs_out;
	for (uint32_t i = 0; i < N; i++) {
		struct prefix4 p = { 0x0a000000u | i << 8, 24 };

		cr_assert_eq(bgpd_local_add(A, &rd, &p, 1000 + (i % 7), &rt, 1, 0, 0, 0), 0);
	}
	cr_assert(run_until(b_has_n, (void *)(uintptr_t)N, 20), "B has %zu routes",
		  B->peers[0].src.n_paths);
	/* ~14 bytes per NLRI, so about 280 per UPDATE: far fewer messages than routes */
	cr_assert_lt(A->peers[0].msgs_out - before, N / 200);
	cr_assert_eq(A->peers[0].n_advertised, N);
	bgpd_stop(A, NULL);
	cr_assert(run_until(b_has_n, (void *)0, 10), "B kept %zu routes", B->peers[0].src.n_paths);
}
