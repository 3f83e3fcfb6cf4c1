/*
 * Route target constraint (RFC 4684): a membership change looks only at
 * the routes under the route targets that changed (bgpd/rtc_rewalk.c),
 * through the RIB's paths by attribute set, kept only while a neighbor has
 * the family. Two real speakers in one event loop: A holds VPN routes, B
 * imports a random set of RTs, again and again (now and then the default
 * route, or a partial one beside), while A's routes are added, withdrawn
 * and given other RTs. After each change B holds exactly
 * what its membership asks for, and A's Adj-RIB-Out for B agrees with what
 * a walk of the whole RIB would make it (every destination's bit against
 * its best path's eligibility): what the look sent is what a walk would
 * have sent. None of the looks, the first (the membership End-of-RIB)
 * included, walks the whole RIB. What A holds back from B (GET /neighbor's
 * held_back, bgpd/rtc_held.c: counted once, then kept where B's routes are
 * decided) is, after each change, the routes B's membership does not ask
 * for, also across a session reset. The index is not there without such a
 * neighbor, built when one comes up and dropped when it goes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "bgpd/rtc_update.h"
#include "common/log.h"
#include "test_event_util.h"
#include "test_bgpd_rtc_routes.h"

#define N_RT 20      /* RTs 65000:1..N_RT */
#define N_ROUTES 120 /* A's routes: route i under RT 1 + i % N_RT, some under a second */

static struct event_base *base;
static struct ferry_config cfg[2];
static struct bgpd *S[2];
static uint16_t port;

/* A's routes as the test made them: rt[i][0..n_rt[i]) (RT numbers), n_rt 0: none. */
static unsigned rt[N_ROUTES][2];
static size_t n_rt[N_ROUTES];
static bool imported[N_RT + 1]; /* B's import RTs */
static bool imports_all;        /* B asks for everything (the default route) */
static bool partial_on;         /* A holds from B the 92-bit route of RTs 65000:16..31 */

static void speaker(int i, const char *families)
{
	char json[1024], err[256];

	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"s%d\", \"router_id\": \"127.0.0.%d\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-rtc-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.%d\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, \"neighbors\": [{\"address\": \"127.0.0.%d\","
		 " \"remote_as\": 65000, \"local_address\": \"127.0.0.%d\", \"families\": %s}]}}",
		 i + 1, i + 1, i + 1, port, 2 - i, i + 1, families);
	cr_assert_eq(config_load_string(json, "test.json", &cfg[i], err, sizeof(err)), 0, "%s",
		     err);
	S[i] = bgpd_new(base, &cfg[i]);
	cr_assert_not_null(S[i]);
}

static void setup(void)
{
	log_init("test_bgpd_rtcrewalk", LOG_LVL_WARN);
	port = (uint16_t)(20000 + getpid() % 20000);
	base = event_base_new();
	memset(n_rt, 0, sizeof(n_rt));
	memset(imported, 0, sizeof(imported));
	imports_all = partial_on = false;
}

static void teardown(void)
{
	for (int i = 0; i < 2; i++) {
		bgpd_free(S[i]);
		S[i] = NULL;
		if (cfg[i].path[0] || cfg[i].name[0])
			config_free(&cfg[i]);
		memset(&cfg[i], 0, sizeof(cfg[i]));
	}
	event_base_free(base);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_rtcrewalk, .init = setup, .fini = teardown, .timeout = 60);

static bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 20000);
}

static void route_key(size_t i, struct rd *rd, struct prefix4 *pfx)
{
	char s[32];

	snprintf(s, sizeof(s), "65000:%zu", i % 5);
	cr_assert_eq(rd_parse(s, rd), 0);
	*pfx = (struct prefix4){ 0x0a000000u | (uint32_t)i << 8, 24 };
}

/* A's route i under RTs a (and b, when not 0), added or replacing what it had. */
static void put_route(size_t i, unsigned a, unsigned b)
{
	struct ext_community c[2] = { rt_n(a), rt_n(b ? b : a) };
	struct rd rd;
	struct prefix4 pfx;

	route_key(i, &rd, &pfx);
	cr_assert_eq(bgpd_local_add(S[0], &rd, &pfx, 100 + (uint32_t)i, c, b ? 2 : 1, 0, 0, 0), 0);
	rt[i][0] = a;
	rt[i][1] = b;
	n_rt[i] = b ? 2 : 1;
}

static void del_route(size_t i)
{
	struct rd rd;
	struct prefix4 pfx;

	route_key(i, &rd, &pfx);
	cr_assert_eq(bgpd_local_del(S[0], &rd, &pfx), 0);
	n_rt[i] = 0;
}

/* B's imports become the RTs whose bit is set in mask (bit k: RT k). */
static void set_imports(unsigned mask)
{
	struct ext_community c[N_RT];
	size_t n = 0;

	imports_all = false;
	for (unsigned k = 1; k <= N_RT; k++) {
		imported[k] = mask >> k & 1;
		if (imported[k])
			c[n++] = rt_n(k);
	}
	rtc_local_set(S[1], c, n);
}

static bool wanted(size_t i)
{
	if (!n_rt[i])
		return false;
	if (imports_all)
		return true;
	for (size_t k = 0; k < n_rt[i]; k++)
		if (imported[rt[i][k]] || (partial_on && (rt[i][k] & 0xf0) == 0x10))
			return true;
	return false;
}

/* The partial membership route: 92 bits, RTs 65000:16..31. */
static struct rtc_route partial_route(void)
{
	struct ext_community c = rt_n(16);
	struct rtc_route m = rtc_route_of(65000, &c);

	m.len = 92; /* 16 = 0x10: the bits past 92 are zero already */
	return m;
}

/* A takes membership route m from B, announced or withdrawn, as its session would. */
static void membership_from_b(struct rtc_route m, bool announce)
{
	struct bgp_peer *a_b = &S[0]->peers[0];
	struct bgp_update *u = bgp_update_new();
	struct bgp_attrs a = { 0 };
	struct bgp_err e;
	struct wbuf w;

	cr_assert_not_null(u);
	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a.local_pref = 100;
	a.nexthop = 0x7f000002;
	wbuf_init(&w);
	if (announce)
		cr_assert_eq(rtc_update_encode_reach(&w, &a, &m, 1, &a_b->ctx), 1);
	else
		cr_assert_eq(rtc_update_encode_unreach(&w, &m, 1), 1);
	cr_assert_eq(bgp_update_decode(w.data + 19, w.len - 19, &a_b->ctx, u, &e), 0);
	rtc_input(a_b, u, false);
	wbuf_free(&w);
	bgp_update_free(u);
}

/* A takes the partial route from B, announced or withdrawn, as its session would. */
static void partial_from_b(bool announce)
{
	membership_from_b(partial_route(), announce);
	partial_on = announce;
}

/* B holds A's route i exactly when it wants it. */
static bool b_holds_what_it_wants(void)
{
	struct bgp_peer *b_a = &S[1]->peers[0];
	size_t n_want = 0;

	for (size_t i = 0; i < N_ROUTES; i++) {
		struct rd rd;
		struct prefix4 pfx;
		struct rib_entry *e;
		bool has = false;

		route_key(i, &rd, &pfx);
		e = rib_lookup(S[1]->rib, &rd, &pfx);
		for (struct rib_path *p = e ? e->paths : NULL; p; p = p->next)
			has |= p->src == &b_a->src;
		if (has != wanted(i))
			return false;
		n_want += wanted(i);
	}
	return b_a->src.n_paths == n_want;
}

/* What A told B's group of each destination is what a walk of A's whole RIB would make it. */
static size_t walk_disagreements(void)
{
	struct bgp_peer *a_b = &S[0]->peers[0];
	struct rib *rib = S[0]->rib;
	size_t n = 0;

	for (size_t i = 0; i < rib->n_buckets; i++)
		for (struct rib_entry *e = rib->buckets[i]; e; e = e->hnext)
			n += adjout_group_eligible(&a_b->grp->key, e->best) !=
			     rib_adv_test(e, a_b->grp->slot);
	return n;
}

/* The routes A has. */
static size_t n_routes(void)
{
	size_t n = 0;

	for (size_t i = 0; i < N_ROUTES; i++)
		n += n_rt[i] != 0;
	return n;
}

/* The routes A has whose route targets B's membership does not ask for: what it holds back. */
static size_t n_unwanted(void)
{
	size_t n = 0;

	for (size_t i = 0; i < N_ROUTES; i++)
		n += n_rt[i] && !wanted(i);
	return n;
}

/* A has B's membership as B last set it (and the partial route when it took it). */
static bool a_has_b_membership(void)
{
	const struct rtc_set *in = &S[0]->peers[0].rtc_in;
	struct rtc_route def = { 0 }, part = partial_route();
	size_t n = partial_on;

	if (partial_on && !rtc_set_has(in, &part))
		return false;
	if (imports_all)
		return in->n == n + 1 && rtc_set_has(in, &def);
	for (unsigned k = 1; k <= N_RT; k++) {
		struct ext_community c = rt_n(k);
		struct rtc_route r = rtc_route_of(65000, &c);

		if (imported[k] && !rtc_set_has(in, &r))
			return false;
		n += imported[k];
	}
	return in->n == n;
}

static bool settled(void *arg)
{
	(void)arg;
	return S[0]->peers[0].grp && a_has_b_membership() && b_holds_what_it_wants() && walk_disagreements() == 0 &&
	       !S[0]->peers[0].rtc_rewalk && rtc_held_back(&S[0]->peers[0]) == n_unwanted();
}

static bool established(void *arg)
{
	(void)arg;
	return peer_state(&S[0]->peers[0]) == FSM_ESTABLISHED &&
	       peer_state(&S[1]->peers[0]) == FSM_ESTABLISHED;
}

static bool rtc_ready(void *arg)
{
	(void)arg;
	return S[0]->peers[0].rtc_ready;
}

static void expect_settled(const char *when)
{
	run_until(settled, NULL, 10);
	cr_assert(b_holds_what_it_wants(), "%s: B does not hold what its membership asks for", when);
	cr_assert_eq(walk_disagreements(), 0, "%s: a whole walk would send more", when);
	cr_assert_eq(rtc_held_back(&S[0]->peers[0]), n_unwanted(), "%s: held back miscounted",
		     when);
	cr_assert(S[0]->peers[0].held_counted, "%s: held back not kept as a count", when);
	/* a deleted route's destination goes, its held-back bit with it (none left to pin it) */
	cr_assert_eq(S[0]->rib->n_entries, n_routes(), "%s: destinations kept past their routes",
		     when);
}

static bool down_and_dropped(void *arg)
{
	(void)arg;
	return peer_state(&S[0]->peers[0]) != FSM_ESTABLISHED && !S[0]->rib->byattr;
}

Test(bgpd_rtcrewalk, membership_changes_send_what_a_whole_walk_would)
{
	struct bgp_peer *a_b;
	struct bgp_err err;
	unsigned seed = 42;
	uint64_t looks;

	speaker(0, "[\"vpnv4\", \"rtc\"]");
	speaker(1, "[\"vpnv4\", \"rtc\"]");
	a_b = &S[0]->peers[0];
	for (size_t i = 0; i < N_ROUTES; i++)
		put_route(i, 1 + (unsigned)(i % N_RT), i % 7 == 0 ? 1 + (unsigned)((i + 5) % N_RT) : 0);
	cr_assert_null(S[0]->rib->byattr, "indexed before any neighbor has the family");
	set_imports(1u << 1 | 1u << 2);
	cr_assert(run_until(established, NULL, 15), "sessions not up");
	cr_assert(a_b->rtc, "route target constraint not negotiated");
	cr_assert(run_until(rtc_ready, NULL, 10));
	expect_settled("first membership");
	cr_assert_not_null(S[0]->rib->byattr, "no index with a neighbor that has the family");
	cr_assert_eq(a_b->rtc_full_walks, 0, "the first look walked the whole RIB");
	looks = a_b->rtc_rewalks;

	for (int round = 0; round < 25; round++) {
		char when[64];

		/* A's routes change while the index is kept: added, withdrawn, other RTs */
		for (int k = 0; k < 15; k++) {
			size_t i = (size_t)rand_r(&seed) % N_ROUTES;
			unsigned a = 1 + (unsigned)rand_r(&seed) % N_RT;

			if (n_rt[i] && rand_r(&seed) % 3 == 0)
				del_route(i);
			else
				put_route(i, a, rand_r(&seed) % 4 == 0 ? 1 + (a % N_RT) : 0);
		}
		if (round == 3 || round == 17)
			partial_from_b(true); /* a partial length: RTs 65000:16..31 */
		else if (round == 7 || round == 21)
			partial_from_b(false);
		if (round == 10) {
			imports_all = true; /* the default route: everything is looked at */
			rtc_local_set_all(S[1]);
		} else {
			set_imports(round == 5 ? 0 : (unsigned)rand_r(&seed) << 1);
		}
		snprintf(when, sizeof(when), "round %d", round);
		expect_settled(when);
	}
	cr_assert_gt(a_b->rtc_rewalks, looks + 15, "membership changes not looked at");
	cr_assert_eq(a_b->rtc_full_walks, 0, "a change walked the whole RIB");
	cr_assert_eq(S[0]->rib->byattr->n_paths, S[0]->rib->n_paths);

	/* a new session: nothing counted until asked, then counted again from scratch */
	bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET, NULL, 0);
	fsm_peer_reset(a_b, &err, "test: session reset");
	cr_assert(!a_b->held_counted && a_b->n_held == 0, "held back kept past its session");
	fsm_peer_start(a_b);
	cr_assert(run_until(established, NULL, 15), "sessions not up again");
	cr_assert(run_until(rtc_ready, NULL, 10));
	put_route(0, 1 + N_RT / 2, 0); /* and a change before the count is asked for */
	expect_settled("after a session reset");

	bgpd_free(S[1]); /* B goes: nobody has the family any more, the index goes */
	S[1] = NULL;
	cr_assert(run_until(down_and_dropped, NULL, 15), "index kept without the neighbor");
}

/*
 * Between two looks B's membership of RT 1 goes and comes back, and B asks
 * for a route refresh in between (all read before the next flush, as from
 * one read of its socket): the refresh withdraws RT 1's routes (not wanted
 * then), and the membership at the next look is the one of the last look.
 * That look must still send them again: the refresh answered under a
 * membership the last look never saw.
 */
Test(bgpd_rtcrewalk, a_refresh_between_looks_is_not_left_out_of_the_next)
{
	struct bgp_peer *a_b;
	struct ext_community c = rt_n(1);

	speaker(0, "[\"vpnv4\", \"rtc\"]");
	speaker(1, "[\"vpnv4\", \"rtc\"]");
	a_b = &S[0]->peers[0];
	for (size_t i = 0; i < N_ROUTES; i++)
		put_route(i, 1 + (unsigned)(i % N_RT), 0);
	set_imports(1u << 1 | 1u << 2);
	cr_assert(run_until(established, NULL, 15), "sessions not up");
	cr_assert(run_until(rtc_ready, NULL, 10));
	expect_settled("first membership");

	membership_from_b(rtc_route_of(65000, &c), false);
	adjout_refresh(a_b);
	membership_from_b(rtc_route_of(65000, &c), true);
	expect_settled("RT 1 gone and back around a route refresh");

	c = rt_n(3); /* not imported by B: RT 3's routes sent by the refresh, then not wanted */
	membership_from_b(rtc_route_of(65000, &c), true);
	adjout_refresh(a_b);
	membership_from_b(rtc_route_of(65000, &c), false);
	expect_settled("RT 3 come and gone around a route refresh");

	/* the refresh alone decides RT 3's routes under the new membership: no longer held back */
	membership_from_b(rtc_route_of(65000, &c), true);
	imported[3] = true;
	adjout_refresh(a_b);
	expect_settled("RT 3 come before a route refresh");
}

static bool b_has_everything(void *arg)
{
	(void)arg;
	return S[1]->peers[0].src.n_paths == N_ROUTES;
}

Test(bgpd_rtcrewalk, no_index_without_the_family)
{
	speaker(0, "[\"vpnv4\"]");
	speaker(1, "[\"vpnv4\"]");
	for (size_t i = 0; i < N_ROUTES; i++)
		put_route(i, 1 + (unsigned)(i % N_RT), 0);
	cr_assert(run_until(established, NULL, 15), "sessions not up");
	cr_assert(run_until(b_has_everything, NULL, 10), "routes not sent");
	cr_assert_null(S[0]->rib->byattr, "a PE without route target constraint pays for the index");
	cr_assert_null(S[1]->rib->byattr);
}
