/*
 * A route reflector's membership routes (RFC 4684 §3.2, rtc_out.c), end
 * to end: bgpd (127.0.0.2) with three raw clients (127.0.1.1..3, route
 * reflector clients with VPN-IPv4 and route target constraint) on one event
 * loop. Each client decodes every UPDATE it is sent into the set it holds;
 * after each step every client must hold exactly the union of the others'
 * membership. Withdraw and announce again, a client going down, partial
 * lengths (32..95) and the default route, and a change when every client
 * already holds a thousand routes (one UPDATE for it; the thousands before
 * packed into full UPDATEs, not one each).
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "bgpd/rtc_update.h"
#include "common/log.h"
#include "test_event_util.h"
#include "test_bgpd_rtc_routes.h"

#define N_CL 3

static const struct attr_ctx ctx = { .as4 = true, .peer_as = 65000,
				     .afs = BGP_AF_VPNV4 | BGP_AF_RTC };

struct client {
	int fd;
	uint8_t rx[1 << 16];
	size_t len;
	struct rtc_set has;  /* what it announced */
	struct rtc_set got;  /* what it was advertised */
	bool down;
};

static struct event_base *base;
static struct ferry_config cfg;
static struct bgpd *R;
static struct client cl[N_CL];
static struct bgp_update *upd;
static uint16_t port;

static void client_send(struct client *c, const struct wbuf *w)
{
	size_t off = 0;

	while (off < w->len) {
		ssize_t k = send(c->fd, w->data + off, w->len - off, MSG_NOSIGNAL);

		if (k < 0 && (errno == EAGAIN || errno == ENOTCONN)) {
			struct timeval tick = { 0, 1000 };

			event_base_loopexit(base, &tick);
			event_base_dispatch(base);
			continue;
		}
		cr_assert_gt(k, 0, "send: %s", strerror(errno));
		off += (size_t)k;
	}
}

/* Takes one UPDATE's membership routes into what c was advertised. */
static void client_take(struct client *c, const uint8_t *body, size_t len)
{
	struct bgp_err err;
	struct rtc_route m;

	cr_assert_eq(bgp_update_decode(body, len, &ctx, upd, &err), 0, "bgpd sent a bad UPDATE");
	while (rbuf_left(&upd->rtc_unreach) > 0 && rtc_nlri_get(&upd->rtc_unreach, &m) == 0)
		cr_assert_eq(rtc_set_del(&c->got, &m), 1, "withdrawn without being announced");
	while (rbuf_left(&upd->rtc_reach) > 0 && rtc_nlri_get(&upd->rtc_reach, &m) == 0) {
		cr_assert_geq(rtc_set_put(&c->got, &m, NULL), 0);
		cr_assert_eq(rtc_set_settle(&c->got), 0);
	}
}

static void client_read(struct client *c)
{
	ssize_t k;
	size_t off = 0;

	if (c->down)
		return;
	while ((k = recv(c->fd, c->rx + c->len, sizeof(c->rx) - c->len, 0)) > 0)
		c->len += (size_t)k;
	while (off + 19 <= c->len) {
		size_t mlen = (size_t)c->rx[off + 16] << 8 | c->rx[off + 17];

		cr_assert_geq(mlen, 19);
		if (off + mlen > c->len)
			break;
		if (c->rx[off + 18] == BGP_MSG_UPDATE)
			client_take(c, c->rx + off + 19, mlen - 19);
		off += mlen;
	}
	memmove(c->rx, c->rx + off, c->len - off);
	c->len -= off;
}

/* Whether c holds exactly the union of the other clients' membership (those up). */
static bool holds_the_others(const struct client *c)
{
	size_t n = 0;
	struct rtc_set all = { 0 };
	bool ok;

	for (int i = 0; i < N_CL; i++)
		if (&cl[i] != c && !cl[i].down)
			for (size_t j = 0; j < cl[i].has.n; j++)
				rtc_set_add(&all, &cl[i].has.v[j]);
	rtc_set_settle(&all);
	n = all.n;
	ok = c->got.n == n;
	for (size_t j = 0; ok && j < all.n; j++)
		ok = rtc_set_has(&c->got, &all.v[j]);
	rtc_set_free(&all);
	return ok;
}

static bool all_hold_the_others(void *arg)
{
	(void)arg;
	for (int i = 0; i < N_CL; i++)
		client_read(&cl[i]);
	for (int i = 0; i < N_CL; i++)
		if (!cl[i].down && !holds_the_others(&cl[i]))
			return false;
	return true;
}

static bool all_up(void *arg)
{
	(void)arg;
	for (int i = 0; i < N_CL; i++) {
		client_read(&cl[i]);
		if (!R->peers[i].est || !R->peers[i].rtc_eor_sent)
			return false;
	}
	return true;
}

static void settle(void)
{
	cr_assert(t_loop_until(base, all_hold_the_others, NULL, 5000, 1000),
		  "clients hold %zu, %zu, %zu membership routes, not the others' union",
		  cl[0].got.n, cl[1].got.n, cl[2].got.n);
}

static void client_connect(struct client *c, int i)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct bgp_open o = { .asn = 65000, .hold_time = 0, .cap_as4 = true,
			      .afs = BGP_AF_VPNV4 | BGP_AF_RTC };
	struct wbuf w;
	char a[16];

	snprintf(a, sizeof(a), "127.0.1.%u", (unsigned)(i + 1) & 0xff);
	o.bgp_id = ntohl(inet_addr(a));
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	cr_assert_geq(c->fd, 0);
	inet_pton(AF_INET, a, &sin.sin_addr);
	cr_assert_eq(bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	sin.sin_port = htons(port);
	cr_assert(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
		  errno == EINPROGRESS);
	wbuf_init(&w);
	bgp_open_encode(&w, &o);
	bgp_keepalive_encode(&w);
	client_send(c, &w);
	wbuf_free(&w);
}

static void setup(void)
{
	char json[2048], err[256];

	log_init("test_bgpd_rtcreflect", LOG_LVL_WARN);
	port = (uint16_t)(20000 + getpid() % 20000);
	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"rr\", \"router_id\": \"127.0.0.2\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp\"}, \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u,"
		 " \"hold_time\": 90, \"neighbors\": ["
		 " {\"address\": \"127.0.1.1\", \"remote_as\": 65000, \"passive\": true,"
		 "  \"route_reflector_client\": true, \"families\": [\"vpnv4\", \"rtc\"]},"
		 " {\"address\": \"127.0.1.2\", \"remote_as\": 65000, \"passive\": true,"
		 "  \"route_reflector_client\": true, \"families\": [\"vpnv4\", \"rtc\"]},"
		 " {\"address\": \"127.0.1.3\", \"remote_as\": 65000, \"passive\": true,"
		 "  \"route_reflector_client\": true, \"families\": [\"vpnv4\", \"rtc\"]}]}}",
		 port);
	cr_assert_eq(config_load_string(json, "test.json", &cfg, err, sizeof(err)), 0, "%s", err);
	base = event_base_new();
	R = bgpd_new(base, &cfg);
	cr_assert_not_null(R);
	upd = bgp_update_new();
	memset(cl, 0, sizeof(cl));
	for (int i = 0; i < N_CL; i++)
		client_connect(&cl[i], i);
	cr_assert(t_loop_until(base, all_up, NULL, 5000, 1000), "clients not established");
}

static void teardown(void)
{
	for (int i = 0; i < N_CL; i++) {
		if (!cl[i].down)
			close(cl[i].fd);
		rtc_set_free(&cl[i].has);
		rtc_set_free(&cl[i].got);
	}
	bgpd_free(R);
	bgp_update_free(upd);
	config_free(&cfg);
	event_base_free(base);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_rtcreflect, .init = setup, .fini = teardown, .timeout = 30);

static void announce(struct client *c, const struct rtc_route *v, size_t n)
{
	struct bgp_attrs a = { 0 };
	struct wbuf w;

	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a.local_pref = 100;
	a.nexthop = 0x0a000001u;
	wbuf_init(&w);
	for (size_t done = 0; done < n;) {
		int k = rtc_update_encode_reach(&w, &a, v + done, n - done, &ctx);

		cr_assert_gt(k, 0);
		done += (size_t)k;
	}
	client_send(c, &w);
	wbuf_free(&w);
	for (size_t i = 0; i < n; i++)
		rtc_set_add(&c->has, &v[i]);
	rtc_set_settle(&c->has);
}

static void withdraw(struct client *c, const struct rtc_route *v, size_t n)
{
	struct wbuf w;

	wbuf_init(&w);
	cr_assert_eq(rtc_update_encode_unreach(&w, v, n), (int)n);
	client_send(c, &w);
	wbuf_free(&w);
	for (size_t i = 0; i < n; i++)
		rtc_set_del(&c->has, &v[i]);
}

static void eor(struct client *c)
{
	struct wbuf w;

	wbuf_init(&w);
	cr_assert_eq(rtc_update_encode_eor(&w), 0);
	client_send(c, &w);
	wbuf_free(&w);
}

/* c1 {1, 2}, c2 {2, 3}, c3 nothing; each then End-of-RIB. */
static void start_abc(void)
{
	const struct rtc_route a[] = { whole(1), whole(2) }, b[] = { whole(2), whole(3) };

	announce(&cl[0], a, 2);
	announce(&cl[1], b, 2);
	for (int i = 0; i < N_CL; i++)
		eor(&cl[i]);
	settle();
	cr_assert_eq(cl[2].got.n, 3);
}

Test(bgpd_rtcreflect, each_client_gets_the_others_union)
{
	start_abc();
	cr_assert_eq(cl[0].got.n, 2); /* 2 (its own and c2's) and 3 */
	cr_assert_eq(cl[1].got.n, 2); /* 1 and 2 */
}

Test(bgpd_rtcreflect, withdrawn_and_announced_again)
{
	const struct rtc_route two = whole(2), one = whole(1);

	start_abc();
	withdraw(&cl[0], &two, 1); /* c3 keeps 2 (c2 has it), c2 loses it */
	settle();
	cr_assert_eq(cl[1].got.n, 1);
	cr_assert(rtc_set_has(&cl[2].got, &two));
	withdraw(&cl[1], &two, 1); /* now nobody has 2 */
	settle();
	cr_assert_not(rtc_set_has(&cl[2].got, &two));
	announce(&cl[1], &two, 1);
	announce(&cl[0], &two, 1);
	settle();
	cr_assert(rtc_set_has(&cl[0].got, &two) && rtc_set_has(&cl[1].got, &two));
	withdraw(&cl[0], &one, 1);
	announce(&cl[0], &one, 1); /* in one burst: back where it was */
	settle();
	cr_assert(rtc_set_has(&cl[2].got, &one));
}

Test(bgpd_rtcreflect, a_client_going_down_takes_its_membership)
{
	const struct rtc_route three = whole(3), two = whole(2);

	start_abc();
	close(cl[1].fd);
	cl[1].down = true;
	settle(); /* c1 loses 3 (2 is its own), c3 loses 3 but keeps 2 from c1 */
	cr_assert_not(rtc_set_has(&cl[0].got, &three));
	cr_assert_not(rtc_set_has(&cl[2].got, &three));
	cr_assert(rtc_set_has(&cl[2].got, &two));
	cr_assert_eq(cl[0].got.n, 0);
	cr_assert_eq(cl[2].got.n, 2);
}

Test(bgpd_rtcreflect, partial_lengths_and_the_default)
{
	const struct rtc_route parts[] = { cut(7, 32), cut(7, 40), cut(7, 64), cut(7, 95) };
	const struct rtc_route def = { 0 };

	start_abc();
	announce(&cl[0], parts, 4);
	announce(&cl[1], &def, 1);
	settle();
	cr_assert_eq(cl[2].got.n, 3 + 4 + 1);
	cr_assert(rtc_set_has(&cl[2].got, &parts[3]));
	cr_assert(rtc_set_has(&cl[0].got, &def));
	withdraw(&cl[0], parts + 1, 2);
	withdraw(&cl[1], &def, 1);
	settle();
	cr_assert_eq(cl[2].got.n, 3 + 2);
	cr_assert_not(rtc_set_has(&cl[0].got, &def));
	cr_assert(rtc_set_has(&cl[2].got, &parts[0]));
}

/* A change among a thousand routes each: only the change goes out. */
Test(bgpd_rtcreflect, one_change_among_many_sends_one_route)
{
	struct rtc_route v[1000], extra = whole(5000);
	uint64_t before[N_CL];

	for (int i = 0; i < N_CL; i++) {
		for (uint32_t j = 0; j < 1000; j++)
			v[j] = whole((uint32_t)i * 1000 + j + 10);
		announce(&cl[i], v, 1000);
		eor(&cl[i]);
	}
	settle();
	cr_assert_eq(cl[0].got.n, 2000);
	/*
	 * packed per source: 1000 routes of 13 bytes fill 4 UPDATEs; each flush
	 * sends what came in since, so some are partly full, but not one a route
	 */
	cr_assert_leq(R->peers[0].msgs_out, 30, "%" PRIu64 " messages for 2000 routes",
		      R->peers[0].msgs_out);
	for (int i = 0; i < N_CL; i++)
		before[i] = R->peers[i].msgs_out;
	announce(&cl[2], &extra, 1);
	settle();
	cr_assert_eq(R->peers[0].msgs_out - before[0], 1, "more than one UPDATE for one route");
	cr_assert_eq(R->peers[1].msgs_out - before[1], 1);
	cr_assert_eq(R->peers[2].msgs_out, before[2], "its own route sent back to it");
}
