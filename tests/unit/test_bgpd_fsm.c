/*
 * bgpd FSM end to end inside one process: two speakers on one event_base
 * (127.0.0.1 and 127.0.0.2, same port, both dialing out so §6.8 collision
 * handling runs) reach Established and exchange a VPN-IPv4 route; a withdraw
 * and a peer going down remove it. A raw "fake peer" socket checks the
 * NOTIFICATIONs: garbage or an OPEN on a second connection while
 * Established (1/1, 6/7, established session untouched), and a malformed
 * UPDATE on a real session (3/x, session reset, daemon alive).
 * Everything is polled with deadlines, never fixed sleeps.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "tests/unit/test_bgpd_raw.h"
#include "test_event_util.h"

static struct event_base *base;
static struct ferry_config cfg_a, cfg_b;
static struct bgpd *A, *B;
static uint16_t port;

static void load(struct ferry_config *cfg, int me, const char *extra_neighbor)
{
	char json[1024], err[256];
	int other = 3 - me;

	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"t%d\", \"router_id\": \"127.0.0.%d\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-fsm-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.%d\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, \"neighbors\": ["
		 " {\"address\": \"127.0.0.%d\", \"remote_as\": 65000, \"local_address\": \"127.0.0.%d\"}"
		 " %s]}}",
		 me, me, me, port, other, me, extra_neighbor);
	cr_assert_eq(config_load_string(json, "test.json", cfg, err, sizeof(err)), 0, "%s", err);
}

static int raw_listen(void);
static int listen_fd = -1;

static void setup_with(const char *third)
{
	char extra[128];

	log_init("test_bgpd_fsm", LOG_LVL_INFO);
	port = (uint16_t)(20000 + getpid() % 20000);
	base = event_base_new();
	load(&cfg_a, 1, "");
	snprintf(extra, sizeof(extra), ", {\"address\": \"127.0.0.3\", \"remote_as\": 65000%s}",
		 third);
	load(&cfg_b, 2, extra);
	A = bgpd_new(base, &cfg_a);
	B = bgpd_new(base, &cfg_b);
	cr_assert_not_null(A);
	cr_assert_not_null(B);
}

static void setup(void)
{
	setup_with(", \"passive\": true");
}

/* 127.0.0.3 is dialed by B too, and listened for by the test: a real collision. */
static void setup_collision(void)
{
	listen_fd = raw_listen();
	setup_with("");
}

static void teardown(void)
{
	if (listen_fd >= 0)
		close(listen_fd);
	bgpd_free(A);
	bgpd_free(B);
	config_free(&cfg_a);
	config_free(&cfg_b);
	event_base_free(base);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_fsm, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(bgpd_collision, .init = setup_collision, .fini = teardown, .timeout = 30);

/* Runs the loop until cond(arg) holds or `seconds` pass. */
static bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 20000);
}

static bool both_established(void *arg)
{
	(void)arg;
	return peer_state(&A->peers[0]) == FSM_ESTABLISHED &&
	       peer_state(&B->peers[0]) == FSM_ESTABLISHED;
}

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
	cr_assert_str_eq(B->peers[0].last_error,
			 "NOTIFICATION: received cease / administrative shutdown (6/2)");
}

/* ---- a raw socket standing in for a peer ---- */

static bool raw_writable(void *arg)
{
	struct raw *r = arg;
	int err = 0;
	socklen_t sl = sizeof(err);
	struct sockaddr_in sin;
	socklen_t al = sizeof(sin);

	getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &sl);
	return err == 0 && getpeername(r->fd, (struct sockaddr *)&sin, &al) == 0;
}

static void raw_send(struct raw *r, const void *p, size_t n)
{
	cr_assert(run_until(raw_writable, r, 5), "raw socket never connected");
	cr_assert_eq(send(r->fd, p, n, 0), (ssize_t)n);
}

/* Reads what arrived; true once the peer closed. */
static bool raw_closed(void *arg)
{
	struct raw *r = arg;
	ssize_t n;

	while ((n = recv(r->fd, r->rx + r->len, sizeof(r->rx) - r->len, 0)) > 0)
		r->len += (size_t)n;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		r->eof = true;
	return r->eof;
}

/* The NOTIFICATION in what arrived (after any OPEN/KEEPALIVE). */
static void expect_notification(struct raw *r, uint8_t code, uint8_t sub)
{
	size_t off = 0;

	cr_assert(run_until(raw_closed, r, 5), "connection not closed");
	while (off + 19 <= r->len && r->rx[off + 18] != BGP_MSG_NOTIFICATION)
		off += (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];
	cr_assert_leq(off + 21, r->len, "no NOTIFICATION received");
	cr_assert_eq(r->rx[off + 19], code, "code %u", r->rx[off + 19]);
	cr_assert_eq(r->rx[off + 20], sub, "subcode %u", r->rx[off + 20]);
	close(r->fd);
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

static size_t open_msg(uint8_t *b, uint32_t id)
{
	struct bgp_open o = { .asn = 65000, .hold_time = 9, .bgp_id = id };
	struct wbuf w;
	size_t n;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	memcpy(b, w.data, w.len);
	n = w.len;
	wbuf_free(&w);
	return n;
}

Test(bgpd_fsm, open_while_established_is_a_collision)
{
	struct raw r;
	uint8_t b[128];
	size_t n = open_msg(b, 0x7f000001);

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(&r, "127.0.0.1", port);
	raw_send(&r, b, n);
	expect_notification(&r, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	cr_assert(both_established(NULL));
}

Test(bgpd_fsm, unconfigured_address_is_closed)
{
	struct raw r;

	raw_connect(&r, "127.0.0.9", port);
	cr_assert(run_until(raw_closed, &r, 5));
	cr_assert_eq(r.len, 0);
	close(r.fd);
}

static bool fake_established(void *arg)
{
	struct raw *r = arg;

	raw_closed(r);
	return peer_state(&B->peers[1]) == FSM_ESTABLISHED;
}

Test(bgpd_fsm, malformed_update_resets_only_that_session)
{
	struct raw r;
	uint8_t b[256];
	size_t n = open_msg(b, 0x7f000003);
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

/* An UPDATE message around attrs (no withdrawn routes, no plain NLRI). */
static size_t update_msg(uint8_t *b, const uint8_t *attrs, size_t alen)
{
	size_t len = 19 + 4 + alen;

	memset(b, 0xff, 16);
	b[16] = (uint8_t)(len >> 8);
	b[17] = (uint8_t)len;
	b[18] = BGP_MSG_UPDATE;
	b[19] = b[20] = 0;
	b[21] = (uint8_t)(alen >> 8);
	b[22] = (uint8_t)alen;
	memcpy(b + 23, attrs, alen);
	return len;
}

static bool b_fake_routes(void *arg)
{
	return B->peers[1].src.n_paths == *(size_t *)arg;
}

/*
 * RFC 7606 on iBGP: a malformed MED withdraws that UPDATE's route and the
 * session stays up; the neighbor's counters say what happened.
 */
Test(bgpd_fsm, malformed_attribute_withdraws_and_keeps_the_session)
{
	struct raw r;
	uint8_t b[256], msg[256];
	size_t n = open_msg(b, 0x7f000003), want;
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
	cr_assert(!run_until(raw_closed, &r, 1), "session closed");
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
 * B dials 127.0.0.3 (conn X, accepted here) and 127.0.0.3 dials B (conn Y).
 * Our OPEN on Y carries `id`; B must keep the connection initiated by the
 * higher identifier and send Cease/collision (6/7) on the other.
 */
static void collide(uint32_t id, bool keep_inbound)
{
	struct raw x, y;
	uint8_t b[256];
	size_t n = open_msg(b, id);
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

/* An OPEN from 127.0.0.3 (AS 65000, hold 9): AS4 plus the given capabilities. */
static size_t open_caps(uint8_t *b, const uint8_t *caps, uint8_t clen)
{
	const uint8_t as4[] = { 65, 4, 0, 0, 0xfd, 0xe8 };
	size_t n = 19;

	memset(b, 0xff, 16);
	b[18] = BGP_MSG_OPEN;
	b[n++] = 4;
	b[n++] = 0xfd;
	b[n++] = 0xe8;
	b[n++] = 0;
	b[n++] = 9;
	b[n++] = 127;
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = 3;
	b[n++] = (uint8_t)(2 + sizeof(as4) + clen);
	b[n++] = 2;
	b[n++] = (uint8_t)(sizeof(as4) + clen);
	memcpy(b + n, as4, sizeof(as4));
	n += sizeof(as4);
	memcpy(b + n, caps, clen);
	n += clen;
	b[16] = (uint8_t)(n >> 8);
	b[17] = (uint8_t)n;
	return n;
}

#define CAP_MP_VPN 1, 4, 0, 1, 0, 128
#define CAP_GR_FWD 64, 6, 0, 5, 0, 1, 128, 0x80 /* restart time 5 s, VPN-IPv4 kept */
#define CAP_GR_NOFWD 64, 6, 0, 5, 0, 1, 128, 0
#define CAP_ERR 70, 0

static const uint8_t keepalive[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4 };

static void fake_up(struct raw *r, const uint8_t *caps, uint8_t clen)
{
	uint8_t b[256];
	size_t n = open_caps(b, caps, clen);

	raw_connect(r, "127.0.0.3", port);
	memcpy(b + n, keepalive, sizeof(keepalive));
	raw_send(r, b, n + sizeof(keepalive));
	cr_assert(run_until(fake_established, r, 5), "fake peer not established");
}

/* ORIGIN, AS_PATH, LOCAL_PREF, MP_REACH 65000:1 10.<x>.0.0/16 label 100 via 10.0.0.1, extra */
static void send_route_with(struct raw *r, uint8_t x, const uint8_t *extra, size_t elen)
{
	const uint8_t attrs[] = { 0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 5, 4, 0, 0, 0, 100, 0x80, 14,
				  31, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 104,
				  0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, x };
	uint8_t all[128], msg[160];

	memcpy(all, attrs, sizeof(attrs));
	if (elen)
		memcpy(all + sizeof(attrs), extra, elen);
	raw_send(r, msg, update_msg(msg, all, sizeof(attrs) + elen));
}

static void send_route(struct raw *r, uint8_t x)
{
	send_route_with(r, x, NULL, 0);
}

static void send_eor(struct raw *r)
{
	const uint8_t attrs[] = { 0x80, 15, 3, 0, 1, 128 };
	uint8_t msg[64];

	raw_send(r, msg, update_msg(msg, attrs, sizeof(attrs)));
}

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

static bool fake_has_prefix(uint8_t x)
{
	for (const struct rib_path *p = B->peers[1].src.paths; p; p = p->src_next)
		if (p->entry->prefix.addr == (0x0a000000u | (uint32_t)x << 16))
			return true;
	return false;
}

static bool only_second(void *arg)
{
	(void)arg;
	return fake_has_prefix(2) && !fake_has_prefix(1);
}

static bool fake_gone(void *arg)
{
	(void)arg;
	return peer_state(&B->peers[1]) != FSM_ESTABLISHED;
}

Test(bgpd_caps, graceful_restart_keeps_routes_until_end_of_rib)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_GR_FWD };
	struct raw r;
	size_t want = 1;

	cr_assert(run_until(both_established, NULL, 10));
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

	cr_assert(run_until(both_established, NULL, 10));
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

	cr_assert(run_until(both_established, NULL, 10));
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

	cr_assert(run_until(both_established, NULL, 10));
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
	raw_closed(arg);
	return refresh_subtypes(arg) == (1u << BGP_RR_BORR | 1u << BGP_RR_EORR);
}

Test(bgpd_caps, enhanced_route_refresh_both_ways)
{
	const uint8_t caps[] = { CAP_MP_VPN, CAP_ERR };
	struct raw r;
	size_t want = 2;

	cr_assert(run_until(both_established, NULL, 10));
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

	cr_assert(run_until(both_established, NULL, 10));
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
	size_t n = open_caps(b, caps, sizeof(caps));

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

	cr_assert(run_until(both_established, NULL, 10));
	fake_up(&r, caps, sizeof(caps));
	send_route(&r, 1);
	send_route(&r, 2);
	cr_assert(run_until(b_fake_routes, &want, 5));
	send_route(&r, 3);
	expect_notification(&r, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX);
	cr_assert_eq(B->peers[1].src.n_paths, 0);
	cr_assert(B->peers[1].admin_down);
	raw_connect(&again, "127.0.0.3", port); /* refused while down (restart 0) */
	cr_assert(run_until(raw_closed, &again, 5));
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

	cr_assert(run_until(both_established, NULL, 10));
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
