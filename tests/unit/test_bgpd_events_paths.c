/*
 * bgpd's route events follow a destination's path count (bgpd/rib.c's
 * paths_only, bgpd.c's flush): a second neighbor's copy of a route coming
 * in behind the best, then withdrawn, is a `route` update each time with
 * the new `paths`, so a mirror of bgpd's routes built from GET /events
 * keeps the count /routes has. Peers and vrfmgr hold only the best path,
 * which did not change: neither an UPDATE nor a message to vrfmgr goes out
 * for it. A speaker (127.0.0.2) with two raw route reflector clients (.3,
 * .4) that send routes and decode what they get, a fake vrfmgr on its run
 * directory's socket, and its /events served on a Unix socket.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/ipc.h"
#include "test_bgpd_open.h"
#include "test_bgpd_raw.h"
#include "test_event_util.h" /* before the fixture's `base`, which its parameter would shadow */
#include "test_common_api_util.h"
#include "test_ipc_reader.h"

static struct ferry_config cfg;
static struct bgpd *B;
static uint16_t port;
static char run_dir[64];
static int lfd = -1, vfd = -1;
static struct ipc_reader vrx;
static struct bgp_update *dec;

/* Per route 10.<x>.0.0/16: what each raw peer and the fake vrfmgr were sent of it. */
enum { N_X = 8 };
struct peer {
	struct raw r;
	int id; /* 127.0.0.<id> */
	unsigned reach[N_X], unreach[N_X];
};
static struct peer p3, p4;
static unsigned vm_msgs[N_X];

static int h_bgpd_events(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)ctx;
	return bgpd_api_events(w, req, B);
}

static const struct api_route routes[] = {
	{ "/events", h_bgpd_events, "SSE", .params = API_PARAMS("since", "type") },
};

static void setup(void)
{
	char json[1024], err[256], path[CFG_PATH_MAX];

	api_fixture_setup(routes, 1);
	port = (uint16_t)(20000 + getpid() % 20000);
	snprintf(run_dir, sizeof(run_dir), "/tmp/bgpd-evpaths-%d", (int)getpid());
	cr_assert(mkdir(run_dir, 0700) == 0 || errno == EEXIST);
	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"t\", \"router_id\": \"127.0.0.2\", \"asn\": 65000,"
		 " \"run_dir\": \"%s\"}, \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u,"
		 " \"neighbors\": ["
		 " {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"passive\": true,"
		 "  \"route_reflector_client\": true},"
		 " {\"address\": \"127.0.0.4\", \"remote_as\": 65000, \"passive\": true,"
		 "  \"route_reflector_client\": true}]}}",
		 run_dir, port);
	cr_assert_eq(config_load_string(json, "test.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(config_sock_path(&cfg, FERRY_SOCK_VRFMGR_IPC, path), 0);
	lfd = ipc_listen_unix(path);
	cr_assert_geq(lfd, 0);
	B = bgpd_new(base, &cfg);
	cr_assert_not_null(B);
	B->vl = vrfmgr_link_new(B);
	cr_assert_not_null(B->vl);
	cr_assert_eq(bgpd_events_start(B), 0);
	dec = bgp_update_new();
}

static void teardown(void)
{
	char path[CFG_PATH_MAX];

	bgpd_free(B); /* ends its event ring before the server goes */
	api_fixture_teardown();
	bgp_update_free(dec);
	if (p3.r.fd > 0) /* 0: never connected (a zeroed peer) */
		close(p3.r.fd);
	if (p4.r.fd > 0)
		close(p4.r.fd);
	if (vfd >= 0)
		close(vfd);
	close(lfd);
	if (config_sock_path(&cfg, FERRY_SOCK_VRFMGR_IPC, path) == 0)
		unlink(path);
	rmdir(run_dir);
	config_free(&cfg);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_events_paths, .init = setup, .fini = teardown, .timeout = 30);

static bool loop_until(bool (*cond)(void *), void *arg)
{
	return t_loop_until(base, cond, arg, 10000, 5000);
}

/* ---- the raw peers ---- */

static unsigned x_of(uint32_t addr)
{
	unsigned x = (addr >> 16) & 0xff;

	cr_assert_lt(x, N_X, "a route this test never sent: 10.%u.0.0", x);
	return x;
}

/* Counts the routes in one UPDATE from the speaker. */
static void peer_update(struct peer *p, const uint8_t *m, size_t len)
{
	const struct attr_ctx ctx = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = 65000 };
	struct bgp_err err;

	cr_assert_eq(bgp_update_decode(m + 19, len - 19, &ctx, dec, &err), 0, "bad UPDATE sent");
	for (size_t i = 0; i < dec->n_reach; i++)
		p->reach[x_of(dec->reach[i].prefix.addr)]++;
	for (size_t i = 0; i < dec->n_unreach; i++)
		p->unreach[x_of(dec->unreach[i].prefix.addr)]++;
}

/* Reads what arrived and takes every whole message out of the buffer. */
static void peer_pump(struct peer *p)
{
	size_t off = 0;

	raw_read(&p->r);
	while (off + 19 <= p->r.len) {
		size_t ml = (size_t)p->r.rx[off + 16] << 8 | p->r.rx[off + 17];

		cr_assert_geq(ml, 19);
		if (off + ml > p->r.len)
			break;
		if (p->r.rx[off + 18] == BGP_MSG_UPDATE)
			peer_update(p, p->r.rx + off, ml);
		off += ml;
	}
	memmove(p->r.rx, p->r.rx + off, p->r.len - off);
	p->r.len -= off;
}

static bool peer_established(void *arg)
{
	struct peer *p = arg;

	peer_pump(p);
	return peer_state(&B->peers[p->id - 3]) == FSM_ESTABLISHED;
}

static bool connected(void *arg)
{
	struct sockaddr_in sin;
	socklen_t al = sizeof(sin);

	return getpeername(((struct raw *)arg)->fd, (struct sockaddr *)&sin, &al) == 0;
}

static void peer_send(struct peer *p, const uint8_t *b, size_t n)
{
	cr_assert(loop_until(connected, &p->r), "127.0.0.%d never connected", p->id);
	cr_assert_eq(send(p->r.fd, b, n, 0), (ssize_t)n);
}

/* 127.0.0.<id> connects (hold time 0: no keepalives), and is established. */
static void peer_up(struct peer *p, int id)
{
	static const uint8_t caps[] = { 65, 4, 0, 0, 0xfd, 0xe8, 1, 4, 0, 1, 0, 128 };
	static const uint8_t keepalive[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4 };
	char a[16];
	uint8_t b[128];
	size_t n = open_with_caps(b, (uint8_t)id, 0, caps, sizeof(caps));

	memset(p, 0, sizeof(*p));
	p->id = id;
	snprintf(a, sizeof(a), "127.0.0.%d", id);
	raw_connect(&p->r, a, port);
	memcpy(b + n, keepalive, sizeof(keepalive));
	peer_send(p, b, n + sizeof(keepalive));
	cr_assert(loop_until(peer_established, p), "%s not established", a);
}

/* An UPDATE around attrs (no withdrawn routes, no plain NLRI). */
static void send_update(struct peer *p, const uint8_t *attrs, size_t alen)
{
	uint8_t m[128];
	size_t len = 23 + alen;

	memset(m, 0xff, 16);
	m[16] = 0;
	m[17] = (uint8_t)len;
	m[18] = BGP_MSG_UPDATE;
	m[19] = m[20] = m[21] = 0;
	m[22] = (uint8_t)alen;
	memcpy(m + 23, attrs, alen);
	peer_send(p, m, len);
}

/* RD 65000:1, 10.<x>.0.0/16, label 100 via 10.0.0.<p's id>, LOCAL_PREF lp. */
static void send_route(struct peer *p, uint8_t x, uint8_t lp)
{
	const uint8_t attrs[] = { 0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 5, 4, 0, 0, 0, lp, 0x80, 14,
				  31, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0,
				  (uint8_t)p->id, 0, 104, 0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1,
				  10, x };

	send_update(p, attrs, sizeof(attrs));
}

/* MP_UNREACH_NLRI of RD 65000:1, 10.<x>.0.0/16. */
static void send_withdraw(struct peer *p, uint8_t x)
{
	const uint8_t attrs[] = { 0x80, 15, 17, 0, 1, 128, 104, 0x80, 0, 0,
				  0,    0,  0xfd, 0xe8, 0, 0, 0, 1, 10, x };

	send_update(p, attrs, sizeof(attrs));
}

/* ---- the fake vrfmgr ---- */

static void on_vrfmgr_msg(const struct ipc_hdr *h, const uint8_t *payload)
{
	struct ipc_vpn_route r;

	if (h->type != IPC_VPN_ROUTE_ADD && h->type != IPC_VPN_ROUTE_DEL)
		return;
	memcpy(&r, payload, sizeof(r));
	vm_msgs[x_of(r.prefix)]++;
}

static bool vrfmgr_accepted(void *arg)
{
	(void)arg;
	if (vfd < 0)
		vfd = accept(lfd, NULL, NULL);
	return vfd >= 0;
}

/* ---- what the test waits for ---- */

static size_t paths_of(uint8_t x)
{
	struct rd rd = { .b = { 0, 0, 0xfd, 0xe8, 0, 0, 0, 1 } };
	struct prefix4 pfx = { 0x0a000000u | (uint32_t)x << 16, 16 };
	struct rib_entry *e = rib_lookup(B->rib, &rd, &pfx);
	size_t n = 0;

	for (const struct rib_path *p = e ? e->paths : NULL; p; p = p->next)
		n++;
	return n;
}

static size_t want_paths;
static bool x1_has_want_paths(void *arg)
{
	(void)arg;
	return paths_of(1) == want_paths;
}

/* Route x reached .4 (reflected) and vrfmgr: everything sent before it has too. */
static uint8_t sent_x;
static bool everyone_has_sent_x(void *arg)
{
	(void)arg;
	peer_pump(&p3);
	peer_pump(&p4);
	ipc_reader_poll(&vrx, vfd, on_vrfmgr_msg);
	return p4.reach[sent_x] > 0 && vm_msgs[sent_x] > 0;
}

/* GET /events?since=N&type=route, read until a route event for 10.<until>.0.0/16 is whole. */
static const char *events_until(uint64_t since, uint8_t until)
{
	static char resp[1 << 16];
	char req[128], stop[32];
	const char *at = NULL;
	size_t n = 0;
	int fd = unix_fd();

	snprintf(req, sizeof(req), "GET /events?since=%llu&type=route HTTP/1.0\r\n\r\n",
		 (unsigned long long)since);
	snprintf(stop, sizeof(stop), "\"prefix\":\"10.%u.0.0/16\"", until);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	resp[0] = '\0';
	for (int i = 0; i < 500 && (at == NULL || strstr(at, "\n\n") == NULL); i++) {
		struct timeval tick = { 0, 10000 };
		ssize_t r;

		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
		while ((r = recv(fd, resp + n, sizeof(resp) - 1 - n, MSG_DONTWAIT)) > 0)
			n += (size_t)r;
		resp[n] = '\0';
		at = strstr(resp, stop);
	}
	close(fd);
	cr_assert_not_null(at, "no event for 10.%u.0.0/16: %s", until, resp);
	return resp;
}

/* The route events since seq up to one for 10.<until>.0.0/16, as "prefix peer paths" lines. */
static const char *route_events(uint64_t since, uint8_t until)
{
	static char out[1024];
	size_t n = 0;

	out[0] = '\0';
	for (const char *d = strstr(events_until(since, until), "event: route\ndata: {"); d;
	     d = strstr(d + 1, "event: route\ndata: {")) {
		char line[512], pfx[24] = "", peer[24] = "";
		unsigned paths = 0;
		const char *f;

		sscanf(d, "event: route\n%511[^\n]", line);
		if ((f = strstr(line, "\"prefix\":\"")))
			sscanf(f + 10, "%23[^\"]", pfx);
		if ((f = strstr(line, "\"peer\":\"")))
			sscanf(f + 8, "%23[^\"]", peer);
		if ((f = strstr(line, "\"paths\":")))
			sscanf(f + 8, "%u", &paths);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s %s %u\n", pfx, peer, paths);
	}
	return out;
}

Test(bgpd_events_paths, a_path_behind_the_best_is_a_route_update_for_no_one_else)
{
	uint64_t before;
	const char *ev;

	cr_assert(loop_until(vrfmgr_accepted, NULL), "bgpd never connected to the fake vrfmgr");
	peer_up(&p3, 3);
	peer_up(&p4, 4);
	before = bgpd_events_last(B);

	/* .3's route: the best, reflected to .4, sent to vrfmgr */
	send_route(&p3, 1, 100);
	sent_x = 1;
	cr_assert(loop_until(everyone_has_sent_x, NULL), "10.1.0.0/16 not passed on");
	cr_assert_eq(p4.reach[1], 1);

	/* .4's copy behind it comes, then goes */
	send_route(&p4, 1, 50);
	want_paths = 2;
	cr_assert(loop_until(x1_has_want_paths, NULL), "10.1.0.0/16: %zu paths", paths_of(1));
	send_withdraw(&p4, 1);
	want_paths = 1;
	cr_assert(loop_until(x1_has_want_paths, NULL), "10.1.0.0/16: %zu paths", paths_of(1));

	/* a route after them: once it is through, anything sent for 10.1 would be too */
	send_route(&p3, 2, 100);
	sent_x = 2;
	cr_assert(loop_until(everyone_has_sent_x, NULL), "10.2.0.0/16 not passed on");
	cr_assert_eq(p4.reach[1] + p4.unreach[1], 1, "an UPDATE for 10.1 went to .4 again");
	cr_assert_eq(p3.reach[1] + p3.unreach[1], 0, "an UPDATE for 10.1 went to .3");
	cr_assert_eq(vm_msgs[1], 1, "vrfmgr was told of 10.1 again");

	ev = route_events(before, 2);
	cr_assert_str_eq(ev,
			 "10.1.0.0/16 127.0.0.3 1\n"
			 "10.1.0.0/16 127.0.0.3 2\n"
			 "10.1.0.0/16 127.0.0.3 1\n"
			 "10.2.0.0/16 127.0.0.3 1\n",
			 "route events:\n%s", ev);
}
