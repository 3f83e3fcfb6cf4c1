/*
 * Update groups (bgpd/updgroup.c) end to end: one speaker (127.0.0.2) and
 * raw peers on loopback addresses that read and decode everything it sends.
 *  - two members with the same policy receive byte-identical UPDATEs, and
 *    the speaker encoded each of them once (counted);
 *  - a member joining late gets the whole table on its own, then shares;
 *  - a member with another policy (route reflector client) is in its own group;
 *  - split horizon inside a group: a client's route goes to the other
 *    client, never back to its source, and later updates are shared again;
 *  - a member that stops reading is parked (its backlog stops growing) while
 *    the other gets everything; once it reads again it gets what changed;
 *  - while vrfmgr's routes are not in yet, a peer coming up gets what there
 *    is and its End-of-RIB only after them.
 * Everything is polled with deadlines, never fixed sleeps.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "test_bgpd_open.h"
#include "test_event_util.h"

static struct event_base *base;
static struct ferry_config cfg;
static struct bgpd *B;
static uint16_t port;
static struct bgp_update *dec;

/* Peers 127.0.0.3 .. .6: the first `clients` of them are route reflector clients. */
static void setup_with(int clients)
{
	char json[2048], err[256], nb[1024] = "";
	size_t o = 0;

	log_init("test_bgpd_updgroup", LOG_LVL_INFO);
	port = (uint16_t)(20000 + getpid() % 20000);
	for (int i = 0; i < 4; i++)
		o += (size_t)snprintf(nb + o, sizeof(nb) - o,
				      "%s{\"address\": \"127.0.0.%d\", \"remote_as\": 65000,"
				      " \"passive\": true, \"route_reflector_client\": %s}",
				      i ? ", " : "", 3 + i, i < clients ? "true" : "false");
	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"t2\", \"router_id\": \"127.0.0.2\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-updgroup-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, \"neighbors\": [%s]}}",
		 port, nb);
	cr_assert_eq(config_load_string(json, "test.json", &cfg, err, sizeof(err)), 0, "%s", err);
	base = event_base_new();
	B = bgpd_new(base, &cfg);
	cr_assert_not_null(B);
	dec = bgp_update_new();
}

static void setup(void)
{
	setup_with(1); /* .3 is a client, .4 .5 .6 are not */
}

static void setup_clients(void)
{
	setup_with(2); /* .3 and .4 are clients */
}

static void teardown(void)
{
	bgpd_free(B);
	config_free(&cfg);
	event_base_free(base);
	bgp_update_free(dec);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_updgroup, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(bgpd_updgroup_rr, .init = setup_clients, .fini = teardown, .timeout = 30);

static bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 20000);
}

/* ---- a raw peer that decodes what it receives ---- */

#define N_SLOTS 65536 /* routes 10.x.y.0/24 are slot x * 256 + y */

struct raw {
	int fd;
	int id;           /* last octet of 127.0.0.<id> */
	bool reading;     /* false: a slow peer that reads nothing */
	uint8_t *rx;
	size_t len, cap;
	struct wbuf upd;  /* every UPDATE received since the last mark, as sent */
	size_t n_upd;     /* how many */
	uint8_t *have;    /* per slot: announced and not withdrawn */
	size_t n_have;
	size_t n_reach;   /* announcements seen (duplicates included) */
	bool eor;
	size_t have_at_eor; /* routes it held when the first End-of-RIB came */
	unsigned rr_seen;   /* ROUTE-REFRESH subtypes received (bit BGP_RR_*) */
	bool eof;
};

static struct bgp_peer *peer_of(const struct raw *r)
{
	return &B->peers[r->id - 3];
}

static size_t slot_of(const struct bgp_vpn_nlri *n)
{
	return (n->prefix.addr >> 8) & 0xffff;
}

static void raw_note(struct raw *r, const struct bgp_vpn_nlri *n, bool on)
{
	size_t s = slot_of(n);

	if (r->have[s] != on)
		r->n_have += on ? 1 : (size_t)-1;
	r->have[s] = on;
}

static void raw_message(struct raw *r, const uint8_t *m, size_t len)
{
	const struct attr_ctx ctx = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = 65000 };
	struct bgp_err err;

	if (m[18] == BGP_MSG_ROUTE_REFRESH && len >= 23)
		r->rr_seen |= 1u << m[21]; /* AFI (2 bytes), subtype, SAFI */
	if (m[18] != BGP_MSG_UPDATE)
		return;
	wbuf_put_bytes(&r->upd, m, len);
	r->n_upd++;
	cr_assert_eq(bgp_update_decode(m + 19, len - 19, &ctx, dec, &err), 0, "bad UPDATE sent");
	cr_assert_eq(dec->action, ATTR_ACT_NONE, "malformed UPDATE sent");
	for (size_t i = 0; i < dec->n_unreach; i++)
		raw_note(r, &dec->unreach[i], false);
	for (size_t i = 0; i < dec->n_reach; i++)
		raw_note(r, &dec->reach[i], true);
	r->n_reach += dec->n_reach;
	if (dec->end_of_rib && !r->eor)
		r->have_at_eor = r->n_have;
	r->eor |= dec->end_of_rib;
}

/* Reads what arrived (unless slow) and decodes every whole message. */
static void raw_pump(struct raw *r)
{
	size_t off = 0;
	ssize_t n;

	while (r->reading) {
		if (r->cap - r->len < 65536) {
			r->cap *= 2;
			r->rx = realloc(r->rx, r->cap);
			cr_assert_not_null(r->rx);
		}
		n = recv(r->fd, r->rx + r->len, r->cap - r->len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			r->eof = true;
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	while (off + 19 <= r->len) {
		size_t ml = (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];

		cr_assert_geq(ml, 19);
		if (off + ml > r->len)
			break;
		raw_message(r, r->rx + off, ml);
		off += ml;
	}
	memmove(r->rx, r->rx + off, r->len - off);
	r->len -= off;
}

static void raw_mark(struct raw *r)
{
	raw_pump(r);
	wbuf_reset(&r->upd);
	r->n_upd = 0;
}

static bool raw_writable(void *arg)
{
	struct raw *r = arg;
	struct sockaddr_in sin;
	socklen_t al = sizeof(sin);

	return getpeername(r->fd, (struct sockaddr *)&sin, &al) == 0;
}

static void raw_send(struct raw *r, const void *p, size_t n)
{
	cr_assert(run_until(raw_writable, r, 5), "raw socket never connected");
	cr_assert_eq(send(r->fd, p, n, 0), (ssize_t)n);
}

static const uint8_t keepalive[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4 };

/*
 * OPEN from 127.0.0.<id>: AS 65000, hold 0 (no keepalives needed), 4-octet
 * AS, VPN-IPv4, route refresh and enhanced route refresh.
 */
static size_t open_msg(uint8_t *b, int id)
{
	const uint8_t caps[] = { 65, 4, 0, 0, 0xfd, 0xe8, 1, 4, 0, 1, 0, 128, 2, 0, 70, 0 };

	return open_with_caps(b, (uint8_t)id, 0, caps, sizeof(caps));
}

static bool raw_up_done(void *arg)
{
	struct raw *r = arg;

	raw_pump(r);
	return peer_state(peer_of(r)) == FSM_ESTABLISHED && (r->eor || !r->reading);
}

/* Connects as 127.0.0.<id>, gets Established and (when reading) the initial table and EoR. */
static void raw_up(struct raw *r, int id, bool reading)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t b[128];
	size_t n = open_msg(b, id);
	char a[16];

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->reading = reading;
	r->cap = 1 << 16;
	r->rx = malloc(r->cap);
	r->have = calloc(N_SLOTS, 1);
	wbuf_init(&r->upd);
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	cr_assert_geq(r->fd, 0);
	if (!reading) { /* a small window: what it does not read piles up at the sender */
		int sz = 4096;

		setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	snprintf(a, sizeof(a), "127.0.0.%d", id);
	inet_pton(AF_INET, a, &sin.sin_addr);
	cr_assert_eq(bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	sin.sin_port = htons(port);
	cr_assert(connect(r->fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 || errno == EINPROGRESS);
	memcpy(b + n, keepalive, sizeof(keepalive));
	raw_send(r, b, n + sizeof(keepalive));
	cr_assert(run_until(raw_up_done, r, 10), "peer %s not up (%s)", a,
		  fsm_state_name(peer_state(peer_of(r))));
}

static void raw_free(struct raw *r)
{
	close(r->fd);
	free(r->rx);
	free(r->have);
	wbuf_free(&r->upd);
}

/* ---- routes ---- */

static struct rd rd;
static struct ext_community rt;

/* Local routes 10.<i/256>.<i%256>.0/24 for i in [from, to), MED alternating (two sets). */
static void add_routes(uint32_t from, uint32_t to)
{
	cr_assert_eq(rd_parse("10.255.0.2:100", &rd), 0);
	cr_assert_eq(rt_parse("65000:100", &rt), 0);
	for (uint32_t i = from; i < to; i++) {
		struct prefix4 p = { 0x0a000000u | i << 8, 24 };

		cr_assert_eq(bgpd_local_add(B, &rd, &p, 1000 + i % 50, &rt, 1, 0, 0, 1 + i % 2), 0);
	}
}

struct want {
	struct raw *r[4];
	size_t n;
};

static bool all_have(void *arg)
{
	const struct want *w = arg;
	bool ok = true;

	for (int i = 0; i < 4 && w->r[i]; i++) {
		raw_pump(w->r[i]);
		ok &= w->r[i]->n_have == w->n;
	}
	return ok;
}

static void expect_routes(struct raw *a, struct raw *b, size_t n)
{
	struct want w = { { a, b, NULL, NULL }, n };

	cr_assert(run_until(all_have, &w, 20), "routes: %zu (%u) / %zu (%u), want %zu", a->n_have,
		  a->id, b ? b->n_have : 0, b ? b->id : 0, n);
}

static void expect_same_bytes(const struct raw *a, const struct raw *b)
{
	cr_assert_gt(a->n_upd, 0);
	cr_assert_eq(a->n_upd, b->n_upd, "%zu UPDATEs vs %zu", a->n_upd, b->n_upd);
	cr_assert_eq(a->upd.len, b->upd.len);
	cr_assert_eq(memcmp(a->upd.data, b->upd.data, a->upd.len), 0, "UPDATE bytes differ");
}

/* ---- tests ---- */

Test(bgpd_updgroup, same_policy_same_bytes_built_once)
{
	struct raw x, y;
	uint64_t enc, built, own;
	struct updgroup *g;

	raw_up(&x, 5, true);
	add_routes(0, 10);
	expect_routes(&x, NULL, 10);
	/* a member joining late: the whole table, on its own */
	own = B->peers[3].updates_own;
	raw_up(&y, 6, true);
	cr_assert_eq(y.n_have, 10, "late member got %zu routes", y.n_have);
	cr_assert_gt(B->peers[3].updates_own, own);
	g = B->peers[2].grp;
	cr_assert_not_null(g);
	cr_assert_eq(B->peers[3].grp, g, "same policy, different groups");
	cr_assert_eq(g->n_members, 2);
	{
		size_t members;

		cr_assert_eq(bgpd_peer_update_group(&B->peers[3], &members, NULL), g->id);
		cr_assert_eq(members, 2);
		cr_assert_eq(bgpd_peer_update_group(&B->peers[1], &members, NULL), 0);
		cr_assert_eq(members, 0);
	}

	/* from now on both get the same bytes, built once */
	raw_mark(&x);
	raw_mark(&y);
	enc = B->updates_encoded;
	built = g->updates_built;
	add_routes(10, 3010);
	expect_routes(&x, &y, 3010);
	expect_same_bytes(&x, &y);
	cr_assert_eq(B->updates_encoded - enc, x.n_upd, "%lu encoded for %zu UPDATEs each",
		     (unsigned long)(B->updates_encoded - enc), x.n_upd);
	cr_assert_eq(g->updates_built - built, x.n_upd);
	cr_assert_lt(x.n_upd, 40, "not packed: %zu UPDATEs", x.n_upd);

	/* withdrawals too */
	raw_mark(&x);
	raw_mark(&y);
	enc = B->updates_encoded;
	for (uint32_t i = 0; i < 1000; i++) {
		struct prefix4 p = { 0x0a000000u | i << 8, 24 };

		cr_assert_eq(bgpd_local_del(B, &rd, &p), 0);
	}
	expect_routes(&x, &y, 2010);
	expect_same_bytes(&x, &y);
	cr_assert_eq(B->updates_encoded - enc, x.n_upd);
	cr_assert_eq(B->peers[2].n_advertised, 2010);
	cr_assert_eq(B->peers[3].n_advertised, 2010);
	raw_free(&x);
	raw_free(&y);
}

static size_t n_groups(void)
{
	size_t n = 0;

	for (const struct updgroup *g = B->groups; g; g = g->next)
		n++;
	return n;
}

Test(bgpd_updgroup, other_policy_own_group)
{
	struct raw x, c;
	uint64_t enc;

	raw_up(&x, 5, true);
	raw_up(&c, 3, true); /* a route reflector client */
	cr_assert_neq(B->peers[0].grp, B->peers[2].grp);
	cr_assert(B->peers[0].grp->key.rr_client);
	cr_assert_not(B->peers[2].grp->key.rr_client);
	cr_assert_eq(n_groups(), 2);
	raw_mark(&x);
	raw_mark(&c);
	enc = B->updates_encoded;
	add_routes(0, 100);
	expect_routes(&x, &c, 100);
	/* the same routes, encoded once per group */
	cr_assert_eq(B->updates_encoded - enc, x.n_upd + c.n_upd);
	raw_free(&c);
	raw_free(&x);
}

static bool n_groups_is(void *arg)
{
	return n_groups() == (size_t)(uintptr_t)arg;
}

Test(bgpd_updgroup, group_freed_with_its_last_member)
{
	struct raw x, c;

	raw_up(&x, 5, true);
	raw_up(&c, 3, true);
	cr_assert_eq(n_groups(), 2);
	raw_free(&c);
	cr_assert(run_until(n_groups_is, (void *)1, 5), "%zu groups", n_groups());
	cr_assert_eq(B->groups, B->peers[2].grp);
	cr_assert_null(B->peers[0].grp);
	raw_free(&x);
}

/* ---- split horizon inside a group of two clients ---- */

/* ORIGIN, AS_PATH, LOCAL_PREF, MP_REACH 65000:1 10.<x>.<y>.0/24 label 100 via 10.0.0.1, RT */
static void send_route(struct raw *r, uint8_t x, uint8_t y)
{
	const uint8_t attrs[] = { 0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 5, 4, 0, 0, 0, 100, 0x80, 14,
				  32, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 112,
				  0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, x, y, 0xc0, 16, 8,
				  0, 2, 0xfd, 0xe8, 0, 0, 0, 100 };
	uint8_t msg[128];
	size_t len = 19 + 4 + sizeof(attrs);

	memset(msg, 0xff, 16);
	msg[16] = 0;
	msg[17] = (uint8_t)len;
	msg[18] = BGP_MSG_UPDATE;
	msg[19] = msg[20] = 0;
	msg[21] = 0;
	msg[22] = (uint8_t)sizeof(attrs);
	memcpy(msg + 23, attrs, sizeof(attrs));
	raw_send(r, msg, len);
}

static bool learned(void *arg)
{
	return B->peers[0].src.n_paths == (size_t)(uintptr_t)arg;
}

Test(bgpd_updgroup_rr, split_horizon_inside_a_group)
{
	struct raw c1, c2;
	struct want w2 = { { NULL }, 1 };
	uint64_t built;

	raw_up(&c1, 3, true);
	raw_up(&c2, 4, true);
	cr_assert_eq(B->peers[0].grp, B->peers[1].grp);
	raw_mark(&c1);
	raw_mark(&c2);
	send_route(&c1, 7, 1); /* 10.7.1.0/24: slot 0x0701 */
	cr_assert(run_until(learned, (void *)1, 5));
	w2.r[0] = &c2;
	cr_assert(run_until(all_have, &w2, 5), "not reflected to the other client");
	cr_assert(c2.have[0x0701]);
	raw_pump(&c1);
	cr_assert_eq(c1.n_upd, 0, "the route went back to its source");
	cr_assert_eq(B->peers[0].n_advertised, 0);
	cr_assert_eq(B->peers[1].n_advertised, 1);

	/* the next change is shared again */
	raw_mark(&c1);
	raw_mark(&c2);
	built = B->peers[0].grp->updates_built;
	add_routes(0, 5);
	expect_routes(&c1, NULL, 5);
	w2.n = 6;
	cr_assert(run_until(all_have, &w2, 5));
	expect_same_bytes(&c1, &c2);
	cr_assert_eq(B->peers[0].grp->updates_built - built, c1.n_upd);
	raw_free(&c1);
	raw_free(&c2);
}

/* ---- a member that does not read ---- */

static bool backlog_over(void *arg)
{
	const struct raw *r = arg;

	return updgroup_backlog(peer_of(r)) > B->out_high_water;
}

Test(bgpd_updgroup, slow_member_parked_others_go_on)
{
	struct raw x, s;
	size_t held;

	B->out_high_water = 64 * 1024;
	B->out_low_water = 16 * 1024;
	raw_up(&x, 5, true);
	raw_up(&s, 6, false);
	cr_assert_eq(B->peers[2].grp, B->peers[3].grp);
	/* a small kernel buffer on our side too, so what s does not read stays in bgpd */
	cr_assert_eq(setsockopt(bufferevent_getfd(B->peers[3].est->bev), SOL_SOCKET, SO_SNDBUF,
				&(int){ 4096 }, sizeof(int)), 0);
	add_routes(0, 20000);
	expect_routes(&x, NULL, 20000);
	cr_assert(run_until(backlog_over, &s, 5), "slow peer's backlog %zu",
		  updgroup_backlog(peer_of(&s)));
	held = updgroup_backlog(peer_of(&s));

	add_routes(20000, 40000); /* the slow one is parked; the other gets them all */
	expect_routes(&x, NULL, 40000);
	cr_assert(B->peers[3].parked);
	cr_assert_eq(B->peers[3].parks, 1);
	cr_assert_leq(updgroup_backlog(peer_of(&s)), held, "backlog grew while parked");
	cr_assert_not(B->peers[2].parked);

	s.reading = true; /* it catches up: the first 20000 queued, the rest resent */
	expect_routes(&s, &x, 40000);
	cr_assert_not(B->peers[3].parked);
	cr_assert_eq(B->peers[3].n_advertised, 40000);
	raw_free(&x);
	raw_free(&s);
}

/* ---- End-of-RIB after vrfmgr's routes ---- */

Test(bgpd_updgroup, eor_waits_for_local_routes)
{
	struct raw x;

	B->local_pending = true; /* as vrfmgr_link_new sets it, until vrfmgr's first replay */
	add_routes(0, 5);        /* what vrfmgr replayed so far */
	raw_up(&x, 5, false);    /* up, without waiting for an End-of-RIB */
	x.reading = true;
	expect_routes(&x, NULL, 5);
	add_routes(5, 6); /* later on the same stream than an End-of-RIB sent at once */
	expect_routes(&x, NULL, 6);
	cr_assert_not(x.eor, "End-of-RIB sent before vrfmgr's routes were in");
	/* a refresh meanwhile: the routes again, without BoRR/EoRR (the table is not complete) */
	cr_assert(B->peers[2].enhanced_rr);
	raw_send(&x, (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 23,
					 BGP_MSG_ROUTE_REFRESH, 0, 1, BGP_RR_REQUEST, 128 },
		 23);
	{
		size_t n0 = x.n_reach;

		add_routes(6, 7); /* behind the refresh's answer on the stream */
		expect_routes(&x, NULL, 7);
		cr_assert_geq(x.n_reach, n0 + 6 + 1, "the refresh was answered");
	}
	cr_assert_eq(x.rr_seen, 0, "BoRR/EoRR while End-of-RIB is owed");
	cr_assert_not(x.eor);

	add_routes(7, 9); /* the rest of the replay, then its end (vrfmgr_link.c: local_ready) */
	B->local_pending = false;
	bgpd_schedule_flush(B);
	expect_routes(&x, NULL, 9);
	cr_assert(run_until(raw_up_done, &x, 5), "no End-of-RIB after vrfmgr's routes");
	cr_assert_eq(x.have_at_eor, 9, "End-of-RIB after %zu of 9 routes", x.have_at_eor);
	raw_free(&x);
}
