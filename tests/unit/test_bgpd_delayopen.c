/*
 * DelayOpen (RFC 4271 §8, DelayOpenTimer) against raw sockets standing in
 * for the peer, one speaker at 127.0.0.2:
 *  - inbound: nothing is sent until the timer runs out, then our OPEN;
 *  - the peer's OPEN while delaying is answered at once with OPEN then
 *    KEEPALIVE (OpenConfirm), and the session comes up;
 *  - outbound (we dialed): the same from the Connect state;
 *  - any other message while delaying drops the connection without a
 *    NOTIFICATION (no OPEN was sent) and counts as a failure; a bad header
 *    or a bad OPEN still gets its NOTIFICATION (sent without OPEN).
 * Waits are polled with deadlines; "nothing arrives" is checked over a
 * bounded window shorter than the delay.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "tests/unit/test_bgpd_open.h"
#include "tests/unit/test_bgpd_raw.h"
#include "test_event_util.h"

static struct event_base *base;
static struct ferry_config cfg;
static struct bgpd *B;
static uint16_t port;
static int listen_fd = -1;

/* .3: passive, delay 1 s; .5: passive, delay 5 s; .4: dialed by us, delay 5 s (outbound suite). */
static void setup_with(bool outbound)
{
	char json[1024], err[256];

	log_init("test_bgpd_delayopen", LOG_LVL_INFO);
	port = (uint16_t)(20000 + getpid() % 20000);
	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"t2\", \"router_id\": \"127.0.0.2\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-delayopen-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, \"neighbors\": ["
		 " {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"passive\": true,"
		 "  \"delay_open\": 1},"
		 " {\"address\": \"127.0.0.5\", \"remote_as\": 65000, \"passive\": true,"
		 "  \"delay_open\": 5}%s]}}",
		 port,
		 outbound ? ", {\"address\": \"127.0.0.4\", \"remote_as\": 65000, \"delay_open\": 5}"
			  : "");
	cr_assert_eq(config_load_string(json, "test.json", &cfg, err, sizeof(err)), 0, "%s", err);
	base = event_base_new();
	B = bgpd_new(base, &cfg);
	cr_assert_not_null(B);
}

static void setup(void)
{
	setup_with(false);
}

/* Listens on 127.0.0.4:port before the speaker starts dialing it. */
static void setup_outbound(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1;

	port = (uint16_t)(20000 + getpid() % 20000);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	inet_pton(AF_INET, "127.0.0.4", &sin.sin_addr);
	sin.sin_port = htons(port);
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(listen_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(listen_fd, 4), 0);
	setup_with(true);
}

static void teardown(void)
{
	if (listen_fd >= 0)
		close(listen_fd);
	bgpd_free(B);
	config_free(&cfg);
	event_base_free(base);
}

TestSuite(bgpd_delayopen, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(bgpd_delayopen_out, .init = setup_outbound, .fini = teardown, .timeout = 30);

/* Runs the loop until cond(arg) holds or ms milliseconds pass. */
static bool run_until_ms(bool (*cond)(void *), void *arg, int ms)
{
	return t_loop_until(base, cond, arg, ms, 20000);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool raw_got(void *arg)
{
	struct raw *r = arg;

	raw_read(r);
	return r->len > 0;
}

/* The type of the k-th message received (0 when there is none). */
static uint8_t msg_type(const struct raw *r, int k)
{
	size_t off = 0;

	for (int i = 0; off + 19 <= r->len; i++) {
		if (i == k)
			return r->rx[off + 18];
		off += (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];
	}
	return 0;
}

static bool got_two(void *arg)
{
	raw_read(arg);
	return msg_type(arg, 1) != 0;
}

static bool raw_connected(void *arg)
{
	struct raw *r = arg;
	struct sockaddr_in sin;
	socklen_t al = sizeof(sin);

	return getpeername(r->fd, (struct sockaddr *)&sin, &al) == 0;
}

static void raw_send(struct raw *r, const void *p, size_t n)
{
	cr_assert(run_until_ms(raw_connected, r, 5000), "raw socket never connected");
	cr_assert_eq(send(r->fd, p, n, 0), (ssize_t)n);
}

static const uint8_t keepalive[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4 };

static struct bgp_peer *peer(const char *addr)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	return bgpd_peer_by_addr(B, ntohl(a.s_addr));
}

static bool established(void *arg)
{
	return peer_state(arg) == FSM_ESTABLISHED;
}

/* ---- inbound ---- */

Test(bgpd_delayopen, our_open_waits_for_the_timer)
{
	struct raw r;
	double t0;
	uint8_t b[128];

	raw_connect(&r, "127.0.0.3", port);
	cr_assert(run_until_ms(raw_connected, &r, 5000));
	t0 = now();
	cr_assert_not(run_until_ms(raw_got, &r, 500), "something sent before the DelayOpen time");
	cr_assert_eq(peer_state(peer("127.0.0.3")), FSM_ACTIVE);
	cr_assert(peer("127.0.0.3")->in && peer("127.0.0.3")->in->delay_open);
	cr_assert(run_until_ms(raw_got, &r, 3000), "no OPEN after the DelayOpen time");
	cr_assert_geq(now() - t0, 0.9, "OPEN after %.2f s, before the 1 s delay", now() - t0);
	cr_assert_eq(msg_type(&r, 0), BGP_MSG_OPEN);
	cr_assert_eq(peer_state(peer("127.0.0.3")), FSM_OPENSENT);
	raw_send(&r, b, open_encoded(b, 65000, 0x7f000003));
	raw_send(&r, keepalive, sizeof(keepalive));
	cr_assert(run_until_ms(established, peer("127.0.0.3"), 5000));
	close(r.fd);
}

Test(bgpd_delayopen, peer_open_answered_at_once)
{
	struct raw r;
	uint8_t b[128];
	size_t n = open_encoded(b, 65000, 0x7f000005);
	double t0 = now();

	raw_connect(&r, "127.0.0.5", port);
	raw_send(&r, b, n);
	cr_assert(run_until_ms(got_two, &r, 2000), "no answer to our OPEN");
	cr_assert_lt(now() - t0, 2.0, "answered only after %.2f s", now() - t0);
	cr_assert_eq(msg_type(&r, 0), BGP_MSG_OPEN, "first message type %u", msg_type(&r, 0));
	cr_assert_eq(msg_type(&r, 1), BGP_MSG_KEEPALIVE, "second message type %u", msg_type(&r, 1));
	cr_assert_eq(peer_state(peer("127.0.0.5")), FSM_OPENCONFIRM);
	cr_assert_not(peer("127.0.0.5")->in->delay_open);
	raw_send(&r, keepalive, sizeof(keepalive));
	cr_assert(run_until_ms(established, peer("127.0.0.5"), 2000));
	cr_assert_eq(peer("127.0.0.5")->est->hold_time, 9);
	close(r.fd);
}

Test(bgpd_delayopen, other_message_drops_without_notification)
{
	struct raw r;

	raw_connect(&r, "127.0.0.5", port);
	raw_send(&r, keepalive, sizeof(keepalive));
	cr_assert(run_until_ms(raw_read, &r, 3000), "connection not closed");
	cr_assert_eq(r.len, 0, "%zu bytes sent (type %u)", r.len, msg_type(&r, 0));
	cr_assert_eq(peer("127.0.0.5")->flaps, 1);
	cr_assert_neq(peer_state(peer("127.0.0.5")), FSM_ESTABLISHED);
	close(r.fd);
}

static void expect_only_notification(struct raw *r, uint8_t code, uint8_t sub)
{
	cr_assert(run_until_ms(raw_read, r, 5000), "connection not closed");
	cr_assert_eq(msg_type(r, 0), BGP_MSG_NOTIFICATION, "got type %u", msg_type(r, 0));
	cr_assert_eq(r->rx[19], code);
	cr_assert_eq(r->rx[20], sub);
	cr_assert_eq(msg_type(r, 1), 0, "more than the NOTIFICATION");
}

Test(bgpd_delayopen, bad_header_still_notified)
{
	struct raw r;

	raw_connect(&r, "127.0.0.5", port);
	raw_send(&r, "this is not BGP\n", 16);
	expect_only_notification(&r, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC);
	close(r.fd);
}

Test(bgpd_delayopen, bad_open_still_notified)
{
	struct raw r;
	uint8_t b[128];
	size_t n = open_encoded(b, 65099, 0x7f000005); /* wrong AS */

	raw_connect(&r, "127.0.0.5", port);
	raw_send(&r, b, n);
	expect_only_notification(&r, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS);
	close(r.fd);
}

/* ---- outbound: we dialed, the Connect state delays ---- */

static bool accepted(void *arg)
{
	struct raw *r = arg;

	r->fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK);
	return r->fd >= 0;
}

Test(bgpd_delayopen_out, dialed_connection_delays_then_answers)
{
	struct raw x;
	uint8_t b[128];
	size_t n = open_encoded(b, 65000, 0x7f000004);
	struct bgp_peer *p = peer("127.0.0.4");

	memset(&x, 0, sizeof(x));
	cr_assert(run_until_ms(accepted, &x, 5000), "the speaker did not dial");
	cr_assert_not(run_until_ms(raw_got, &x, 500), "OPEN sent while delaying");
	cr_assert(p->out && p->out->delay_open);
	cr_assert_eq(peer_state(p), FSM_CONNECT);
	raw_send(&x, b, n);
	cr_assert(run_until_ms(got_two, &x, 2000), "no answer to our OPEN");
	cr_assert_eq(msg_type(&x, 0), BGP_MSG_OPEN);
	cr_assert_eq(msg_type(&x, 1), BGP_MSG_KEEPALIVE);
	raw_send(&x, keepalive, sizeof(keepalive));
	cr_assert(run_until_ms(established, p, 2000));
	cr_assert(p->est->outbound);
	close(x.fd);
}
