/*
 * Route target constraint (RFC 4684) end to end between real speakers in
 * one event loop (127.0.0.1..3): PE A has local routes under three route
 * targets; PE B imports some of them (its membership, as vrfmgr would give
 * it). A sends B only what B's membership asks for, more when it asks for
 * more, withdraws what it no longer asks for, sends nothing before B's
 * membership End-of-RIB and its VPN End-of-RIB only after; a neighbor
 * without the family gets everything. With a reflector R between them, R
 * reflects B's membership to A (A then sends R only what B wants), or the
 * default when a client has no membership to give.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "test_event_util.h"
#include "test_bgpd_rtc_routes.h"

#define N_PER_RT 10

static struct event_base *base;
static struct ferry_config cfg[4], cfg_new; /* cfg_new: a reload's, when loaded */
static struct bgpd *S[4];
static uint16_t port;
static const char *bgp_extra = ""; /* more keys of the next speaker's "bgp" section */

/* Speaker i's config (127.0.0.<i+1>), its neighbors as JSON objects (without brackets). */
static void speaker_config(int i, const char *neighbors, struct ferry_config *c)
{
	char json[2048], err[256];

	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"s%d\", \"router_id\": \"127.0.0.%d\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-rtc-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.%d\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, %s \"neighbors\": [%s]}}",
		 i + 1, i + 1, i + 1, port, bgp_extra, neighbors);
	cr_assert_eq(config_load_string(json, "test.json", c, err, sizeof(err)), 0, "%s", err);
}

static void speaker(int i, const char *neighbors)
{
	speaker_config(i, neighbors, &cfg[i]);
	S[i] = bgpd_new(base, &cfg[i]);
	cr_assert_not_null(S[i]);
}

#define NB(addr, me, fams, extra)                                                        \
	"{\"address\": \"127.0.0." addr "\", \"remote_as\": 65000, \"local_address\": "   \
	"\"127.0.0." me "\", \"families\": " fams extra "}"
#define RTC "[\"vpnv4\", \"rtc\"]"
#define VPN "[\"vpnv4\"]"

static void setup(void)
{
	log_init("test_bgpd_rtcfilter", LOG_LVL_WARN);
	port = (uint16_t)(20000 + getpid() % 20000);
	base = event_base_new();
	bgp_extra = "";
}

static void teardown(void)
{
	for (int i = 0; i < 4; i++) {
		bgpd_free(S[i]);
		S[i] = NULL;
		if (cfg[i].path[0] || cfg[i].name[0])
			config_free(&cfg[i]);
		memset(&cfg[i], 0, sizeof(cfg[i]));
	}
	if (cfg_new.name[0])
		config_free(&cfg_new);
	memset(&cfg_new, 0, sizeof(cfg_new));
	event_base_free(base);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_rtcfilter, .init = setup, .fini = teardown, .timeout = 60);

static bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 20000);
}

/* N_PER_RT local routes under each of RTs 65000:1..3 (10.<rt>.<i>.0/24, RD 65000:<rt>). */
static void add_routes(struct bgpd *d)
{
	for (unsigned r = 1; r <= 3; r++) {
		struct ext_community c = rt_n(r);
		struct rd rd;
		char s[32];

		snprintf(s, sizeof(s), "65000:%u", r);
		cr_assert_eq(rd_parse(s, &rd), 0);
		for (uint32_t i = 0; i < N_PER_RT; i++) {
			struct prefix4 p = { 0x0a000000u | r << 16 | i << 8, 24 };

			cr_assert_eq(bgpd_local_add(d, &rd, &p, 100 + r, &c, 1, 0, 0, 0), 0);
		}
	}
}

/* What d imports: route targets 65000:<rts[i]>. */
static void imports(struct bgpd *d, const unsigned *rts, size_t n)
{
	struct ext_community c[4];

	for (size_t i = 0; i < n; i++)
		c[i] = rt_n(rts[i]);
	rtc_local_set(d, c, n);
}

/* The routes p gave us, counted per route target 65000:1..3 (index 0: any other). */
static void count_by_rt(const struct bgp_peer *p, size_t out[4])
{
	memset(out, 0, 4 * sizeof(out[0]));
	for (const struct rib_path *r = p->src.paths; r; r = r->src_next) {
		const struct bgp_attrs *a = &r->attrs->a;
		size_t k = 0;

		for (unsigned t = 1; t <= 3 && a->n_ext == 1; t++) {
			struct ext_community c = rt_n(t);

			if (extcom_equal(&a->ext[0], &c))
				k = t;
		}
		out[k]++;
	}
}

struct expect {
	const struct bgp_peer *p;
	size_t want[4];
};

static bool has_exactly(void *arg)
{
	const struct expect *e = arg;
	size_t got[4];

	count_by_rt(e->p, got);
	return memcmp(got, e->want, sizeof(got)) == 0;
}

static void expect_counts(const struct bgp_peer *p, size_t r1, size_t r2, size_t r3)
{
	struct expect e = { p, { 0, r1, r2, r3 } };
	size_t got[4];

	run_until(has_exactly, &e, 10);
	count_by_rt(p, got);
	cr_assert(has_exactly(&e), "%s: got %zu/%zu/%zu (other %zu), want %zu/%zu/%zu", p->name,
		  got[1], got[2], got[3], got[0], r1, r2, r3);
}

static bool established(void *arg)
{
	struct bgp_peer **pp = arg;

	for (; *pp; pp++)
		if (peer_state(*pp) != FSM_ESTABLISHED)
			return false;
	return true;
}

static void wait_up(struct bgp_peer *a, struct bgp_peer *b)
{
	struct bgp_peer *v[3] = { a, b, NULL };

	cr_assert(run_until(established, v, 15), "sessions not up");
}

static bool vpn_eor_seen(void *arg)
{
	return ((struct bgp_peer *)arg)->gr_eor_seen;
}

static bool ready(void *arg)
{
	return ((struct bgp_peer *)arg)->rtc_ready;
}

Test(bgpd_rtcfilter, sends_what_the_membership_asks_for)
{
	static const unsigned one[] = { 1 }, one_two[] = { 1, 2 }, two[] = { 2 };
	struct bgp_peer *a_b, *b_a;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ""));
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	add_routes(S[0]);
	imports(S[1], one, 1);
	wait_up(a_b, b_a);
	cr_assert(a_b->rtc && b_a->rtc, "route target constraint not negotiated");
	expect_counts(b_a, N_PER_RT, 0, 0);
	cr_assert(run_until(vpn_eor_seen, b_a, 5), "no VPN-IPv4 End-of-RIB after the routes");
	cr_assert_eq(a_b->rtc_in.n, 1);
	cr_assert_eq(a_b->rtc_in.v[0].len, 96);
	cr_assert_eq(a_b->rtc_in.v[0].origin_as, 65000);
	cr_assert_eq(a_b->n_advertised, N_PER_RT);
	cr_assert_eq(rtc_held_back(a_b), 2 * N_PER_RT);
	cr_assert_eq(b_a->n_rtc_out, 1);

	imports(S[1], one_two, 2); /* a VRF more on B: routes newly wanted are sent */
	expect_counts(b_a, N_PER_RT, N_PER_RT, 0);
	cr_assert_eq(rtc_held_back(a_b), N_PER_RT);
	imports(S[1], two, 1); /* 65000:1 not imported any more: its routes are withdrawn */
	expect_counts(b_a, 0, N_PER_RT, 0);
	cr_assert_eq(a_b->n_advertised, N_PER_RT);
	imports(S[1], NULL, 0);
	expect_counts(b_a, 0, 0, 0);
	cr_assert_eq(a_b->n_advertised, 0);
	cr_assert_eq(rtc_held_back(a_b), 3 * N_PER_RT);
	/* and a new route under a wanted RT follows the membership as any change does */
	imports(S[1], two, 1);
	expect_counts(b_a, 0, N_PER_RT, 0);
}

/* RFC 4684 §6: nothing before the peer's membership is complete, End-of-RIB after the routes. */
Test(bgpd_rtcfilter, vpn_routes_wait_for_the_membership_end_of_rib)
{
	static const unsigned three[] = { 3 };
	struct bgp_peer *a_b, *b_a;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ""));
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	add_routes(S[0]);
	imports(S[1], three, 1);
	S[1]->local_pending = true; /* as before vrfmgr's first replay: B's membership waits */
	wait_up(a_b, b_a);
	run_until(vpn_eor_seen, b_a, 1);
	cr_assert(!a_b->rtc_ready);
	cr_assert_eq(b_a->src.n_paths, 0, "VPN routes before the membership End-of-RIB");
	cr_assert(!b_a->gr_eor_seen, "VPN End-of-RIB before the membership's");
	cr_assert_eq(rtc_held_back(a_b), 3 * N_PER_RT);
	S[1]->local_pending = false;
	bgpd_schedule_flush(S[1]);
	cr_assert(run_until(ready, a_b, 5));
	expect_counts(b_a, 0, 0, N_PER_RT);
	cr_assert(run_until(vpn_eor_seen, b_a, 5));
	/* counted before the membership was complete, kept since: what it asks for is out of it */
	cr_assert(a_b->held_counted);
	cr_assert_eq(rtc_held_back(a_b), 2 * N_PER_RT);
}

/* A neighbor that never sends its membership End-of-RIB: taken as complete after the wait. */
Test(bgpd_rtcfilter, membership_taken_as_complete_after_the_wait)
{
	static const unsigned one[] = { 1 };
	struct bgp_peer *a_b, *b_a;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ""));
	S[0]->rtc_eor_wait = 2;
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	add_routes(S[0]);
	imports(S[1], one, 1);
	S[1]->local_pending = true; /* B sends no membership, no End-of-RIB */
	wait_up(a_b, b_a);
	run_until(ready, a_b, 1);
	cr_assert(!a_b->rtc_ready && !b_a->gr_eor_seen, "not before the wait is over");
	cr_assert(run_until(ready, a_b, 5), "the wait never ended");
	cr_assert(run_until(vpn_eor_seen, b_a, 5), "no VPN End-of-RIB after the wait");
	cr_assert_eq(b_a->src.n_paths, 0, "an empty membership asks for nothing");
	/* its membership coming late still counts */
	S[1]->local_pending = false;
	bgpd_schedule_flush(S[1]);
	expect_counts(b_a, N_PER_RT, 0, 0);
}

/*
 * vrfmgr had more import RTs than one message holds (IPC_RT_IMPORTS_ALL):
 * B asks for everything with the default membership route, and gets it.
 */
Test(bgpd_rtcfilter, too_many_import_rts_ask_for_everything)
{
	struct rtc_route def = { 0 };
	struct bgp_peer *a_b, *b_a;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ""));
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	add_routes(S[0]);
	rtc_local_set_all(S[1]);
	wait_up(a_b, b_a);
	expect_counts(b_a, N_PER_RT, N_PER_RT, N_PER_RT);
	cr_assert(rtc_set_has(&a_b->rtc_in, &def), "B did not send the default membership route");
	cr_assert_eq(a_b->rtc_in.n, 1);
}

static bool has_membership_n1(void *arg)
{
	return ((struct bgp_peer *)arg)->rtc_in.n == 1;
}

/* A ROUTE-REFRESH for AFI 1 / SAFI 132 is answered with the membership routes again. */
Test(bgpd_rtcfilter, route_refresh_resends_the_membership)
{
	static const unsigned three[] = { 3 };
	struct bgp_peer *a_b, *b_a;
	struct wbuf *w;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ""));
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	imports(S[0], three, 1);
	wait_up(a_b, b_a);
	cr_assert(run_until(has_membership_n1, b_a, 5));
	rtc_set_clear(&b_a->rtc_in); /* as if B had lost it */
	w = &S[1]->out;
	wbuf_reset(w);
	cr_assert_eq(bgp_route_refresh_encode(w, BGP_AFI_IPV4, BGP_SAFI_RTC, BGP_RR_REQUEST), 0);
	session_send(b_a->est, w);
	cr_assert(run_until(has_membership_n1, b_a, 5), "membership not sent again");
}

static bool has_no_membership(void *arg)
{
	return ((struct bgp_peer *)arg)->rtc_in.n == 0;
}

/*
 * A ROUTE-REFRESH taken before the flush that would withdraw a membership
 * route no VRF imports any more: the resend must withdraw it too (it
 * forgot what B had and sent only the current set: B kept the old route).
 */
Test(bgpd_rtcfilter, route_refresh_before_a_flush_withdraws_what_went)
{
	static const unsigned three[] = { 3 };
	struct bgp_peer *a_b, *b_a;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ""));
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	imports(S[0], three, 1);
	wait_up(a_b, b_a);
	cr_assert(run_until(has_membership_n1, b_a, 5));
	imports(S[0], NULL, 0); /* its flush is scheduled, not run */
	rtc_refresh(a_b);
	cr_assert(run_until(has_no_membership, b_a, 5), "B still holds %zu membership routes",
		  b_a->rtc_in.n);
}

Test(bgpd_rtcfilter, neighbor_without_the_family_gets_everything)
{
	static const unsigned one[] = { 1 };
	struct bgp_peer *a_b, *b_a;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", VPN, ""));
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	add_routes(S[0]);
	imports(S[1], one, 1);
	wait_up(a_b, b_a);
	cr_assert(!a_b->rtc);
	expect_counts(b_a, N_PER_RT, N_PER_RT, N_PER_RT);
	cr_assert_eq(rtc_held_back(a_b), 0);
}

static bool has_membership(void *arg)
{
	const struct bgp_peer *p = arg;

	return p->rtc_ready && p->rtc_in.n > 0;
}

/*
 * S[1] is a reflector with clients S[0] (routes under 1..3) and S[2]
 * (imports 2): S[0] is asked for 65000:2 only, which S[2] gets reflected.
 */
Test(bgpd_rtcfilter, reflector_passes_membership_on)
{
	static const unsigned two[] = { 2 };
	struct bgp_peer *a_r, *r_a, *r_c, *c_r;
	size_t got[4];

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ", \"route_reflector_client\": true") ","
		   NB("3", "2", RTC, ", \"route_reflector_client\": true"));
	speaker(2, NB("2", "3", RTC, ""));
	a_r = &S[0]->peers[0];
	r_a = &S[1]->peers[0];
	r_c = &S[1]->peers[1];
	c_r = &S[2]->peers[0];
	add_routes(S[0]);
	imports(S[2], two, 1);
	wait_up(a_r, r_a);
	wait_up(r_c, c_r);
	expect_counts(c_r, 0, N_PER_RT, 0);
	/* the reflector holds only what its client asked for, as A was asked for it */
	expect_counts(r_a, 0, N_PER_RT, 0);
	cr_assert(run_until(has_membership, a_r, 5));
	cr_assert_eq(a_r->rtc_in.n, 1, "A has %zu membership routes from R", a_r->rtc_in.n);
	count_by_rt(r_a, got);
	cr_assert_eq(rtc_held_back(a_r), 2 * N_PER_RT);
	/* C stops importing: R withdraws the reflected membership, A withdraws the routes */
	imports(S[2], NULL, 0);
	expect_counts(r_a, 0, 0, 0);
	expect_counts(c_r, 0, 0, 0);
}

/* The same with C not speaking the family: R asks A for everything (the default). */
Test(bgpd_rtcfilter, reflector_asks_for_everything_for_a_client_without_it)
{
	struct bgp_peer *a_r, *r_a, *r_c, *c_r;
	struct rtc_route def = { 0 };

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ", \"route_reflector_client\": true") ","
		   NB("3", "2", VPN, ", \"route_reflector_client\": true"));
	speaker(2, NB("2", "3", VPN, ""));
	a_r = &S[0]->peers[0];
	r_a = &S[1]->peers[0];
	r_c = &S[1]->peers[1];
	c_r = &S[2]->peers[0];
	add_routes(S[0]);
	wait_up(a_r, r_a);
	wait_up(r_c, c_r);
	expect_counts(c_r, N_PER_RT, N_PER_RT, N_PER_RT);
	expect_counts(r_a, N_PER_RT, N_PER_RT, N_PER_RT);
	cr_assert(rtc_set_has(&a_r->rtc_in, &def), "R did not send A the default membership route");
}

/*
 * A reload that adds a client without the family (not even up yet): the
 * reflector asks its other client for everything at once (the default).
 */
Test(bgpd_rtcfilter, reload_adding_a_client_without_it_asks_for_everything)
{
	struct bgpd_reload_stats st = { 0 };
	struct rtc_route def = { 0 };
	struct bgp_peer *a_r, *r_a;
	char err[256];

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ", \"route_reflector_client\": true"));
	a_r = &S[0]->peers[0];
	r_a = &S[1]->peers[0];
	add_routes(S[0]);
	wait_up(a_r, r_a);
	cr_assert(run_until(ready, a_r, 5));
	expect_counts(r_a, 0, 0, 0); /* R imports nothing and passes nobody's membership on */
	cr_assert_eq(rtc_held_back(a_r), 3 * N_PER_RT);
	speaker_config(1, NB("1", "2", RTC, ", \"route_reflector_client\": true") ","
			  NB("3", "2", VPN, ", \"route_reflector_client\": true, \"passive\": true"),
		       &cfg_new);
	cr_assert_eq(bgpd_reload(S[1], &cfg_new, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(st.added, 1);
	expect_counts(r_a, N_PER_RT, N_PER_RT, N_PER_RT);
	cr_assert(rtc_set_has(&a_r->rtc_in, &def));
}

/*
 * A speaker started without a neighbor with the family keeps no RIB bit for
 * what a membership holds back (bgpd/rtc_held.c): one that gains it by a
 * reload is counted by a walk, the same numbers.
 */
Test(bgpd_rtcfilter, held_back_without_a_bit_for_it_is_walked)
{
	static const unsigned one[] = { 1 }, one_two[] = { 1, 2 };
	struct bgpd_reload_stats st = { 0 };
	struct bgp_peer *a_b, *b_a;
	char err[256];

	speaker(0, NB("2", "1", VPN, ""));
	speaker(1, NB("1", "2", RTC, ""));
	a_b = &S[0]->peers[0];
	b_a = &S[1]->peers[0];
	cr_assert_eq(S[0]->slot_bits, 3);
	cr_assert_eq(S[1]->slot_bits, 4);
	/* the room a reload has in the words sized at start (docs/bgp.md, "Neighbor slots") */
	cr_assert_eq(S[0]->peer_slots, 21);
	cr_assert_eq(S[1]->peer_slots, 15);
	cr_assert_eq(a_b->held_slot, 0);
	add_routes(S[0]);
	imports(S[1], one, 1);
	wait_up(a_b, b_a);
	expect_counts(b_a, N_PER_RT, N_PER_RT, N_PER_RT);
	speaker_config(0, NB("2", "1", RTC, ""), &cfg_new);
	cr_assert_eq(bgpd_reload(S[0], &cfg_new, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert(run_until(ready, a_b, 15), "no route target constraint after the reload");
	expect_counts(b_a, N_PER_RT, 0, 0);
	cr_assert_eq(rtc_held_back(a_b), 2 * N_PER_RT);
	cr_assert(!a_b->held_counted);
	imports(S[1], one_two, 2);
	expect_counts(b_a, N_PER_RT, N_PER_RT, 0);
	cr_assert_eq(rtc_held_back(a_b), N_PER_RT);
}

static bool stale_kept(void *arg)
{
	const struct bgp_peer *p = arg;

	return !p->est && p->gr_waiting;
}

static bool not_waiting(void *arg)
{
	return !((const struct bgp_peer *)arg)->gr_waiting;
}

/*
 * A reflector keeps a client's membership while it keeps its routes for its
 * graceful restart (else the other PEs would withdraw what it imports, and
 * send it again only after its End-of-RIB swept them at the client), and
 * drops it when the restart time runs out.
 */
Test(bgpd_rtcfilter, membership_kept_across_a_graceful_restart)
{
	static const unsigned nine[] = { 9 }, two[] = { 2 };
	struct bgp_peer *a_r, *r_a, *r_c;
	struct ext_community c9 = rt_n(9);
	struct prefix4 p9 = { 0x0a090000u, 24 };
	struct rd rd9;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ", \"route_reflector_client\": true") ","
		   NB("3", "2", RTC, ", \"route_reflector_client\": true"));
	bgp_extra = "\"graceful_restart\": {\"restart_time\": 3},";
	speaker(2, NB("2", "3", RTC, ""));
	a_r = &S[0]->peers[0];
	r_a = &S[1]->peers[0];
	r_c = &S[1]->peers[1];
	add_routes(S[0]);
	imports(S[0], nine, 1);
	imports(S[2], two, 1);
	cr_assert_eq(rd_parse("65000:9", &rd9), 0);
	cr_assert_eq(bgpd_local_add(S[2], &rd9, &p9, 900, &c9, 1, 0, 0, 0), 0);
	wait_up(a_r, r_a);
	wait_up(r_c, &S[2]->peers[0]);
	expect_counts(r_a, 0, N_PER_RT, 0);
	cr_assert(run_until(has_membership, r_c, 5));
	cr_assert_eq(r_c->src.n_paths, 1, "C's route (65000:9, which A imports) not at R");

	bgpd_free(S[2]); /* C killed: no NOTIFICATION, R keeps its route stale */
	S[2] = NULL;
	cr_assert(run_until(stale_kept, r_c, 5));
	run_until(has_exactly, &(struct expect){ r_a, { 0, 0, 0, 0 } }, 1);
	expect_counts(r_a, 0, N_PER_RT, 0); /* A still sends R what C imports */
	cr_assert_eq(a_r->rtc_in.n, 1, "R withdrew C's membership from A during its restart");
	/* C does not come back: its restart time (3 s) runs out, its membership goes */
	cr_assert(run_until(not_waiting, r_c, 8));
	expect_counts(r_a, 0, 0, 0);
	cr_assert_eq(a_r->rtc_in.n, 0);
}

/*
 * The client back from its restart with another membership: what it asked
 * for before is passed on until its End-of-RIB, then only the new one.
 */
Test(bgpd_rtcfilter, membership_replaced_after_a_graceful_restart)
{
	static const unsigned nine[] = { 9 }, two[] = { 2 }, three[] = { 3 };
	struct bgp_peer *a_r, *r_a, *r_c;
	struct ext_community c9 = rt_n(9);
	struct prefix4 p9 = { 0x0a090000u, 24 };
	struct rd rd9;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ", \"route_reflector_client\": true") ","
		   NB("3", "2", RTC, ", \"route_reflector_client\": true"));
	speaker(2, NB("2", "3", RTC, ""));
	a_r = &S[0]->peers[0];
	r_a = &S[1]->peers[0];
	r_c = &S[1]->peers[1];
	add_routes(S[0]);
	imports(S[0], nine, 1);
	imports(S[2], two, 1);
	cr_assert_eq(rd_parse("65000:9", &rd9), 0);
	cr_assert_eq(bgpd_local_add(S[2], &rd9, &p9, 900, &c9, 1, 0, 0, 0), 0);
	wait_up(a_r, r_a);
	wait_up(r_c, &S[2]->peers[0]);
	expect_counts(r_a, 0, N_PER_RT, 0);
	cr_assert(run_until(has_membership, r_c, 5));
	cr_assert_eq(r_c->src.n_paths, 1);

	bgpd_free(S[2]);
	config_free(&cfg[2]);
	memset(&cfg[2], 0, sizeof(cfg[2]));
	cr_assert(run_until(stale_kept, r_c, 5));
	speaker(2, NB("2", "3", RTC, "")); /* back, now importing 65000:3 */
	cr_assert_eq(bgpd_gr_restarted(S[2], 30), 0); /* as after a kill: R and F bits */
	S[2]->local_pending = true; /* its membership waits: the old one stays meanwhile */
	imports(S[2], three, 1);
	wait_up(r_c, &S[2]->peers[0]);
	run_until(has_exactly, &(struct expect){ r_a, { 0, 0, 0, 0 } }, 1);
	expect_counts(r_a, 0, N_PER_RT, 0);
	cr_assert_eq(r_c->rtc_old.n, 1);
	S[2]->local_pending = false;
	bgpd_schedule_flush(S[2]);
	expect_counts(r_a, 0, 0, N_PER_RT);
	expect_counts(&S[2]->peers[0], 0, 0, N_PER_RT);
	cr_assert_eq(r_c->rtc_old.n, 0);
	cr_assert_eq(a_r->rtc_in.n, 1);
}

/*
 * Two levels of reflection: D (imports 65000:2) is a client of R2, R2 a
 * client of R1, A (routes) a client of R1. D's membership reaches R1 with
 * D as ORIGINATOR_ID and R2's cluster id, then A, R1's client, with R1 as
 * ORIGINATOR_ID (RFC 4684 §3.2) and both cluster ids (R1's first), and A's
 * routes under 65000:2 reach D through both.
 */
Test(bgpd_rtcfilter, membership_through_two_reflectors_keeps_its_attributes)
{
	static const unsigned two[] = { 2 };
	struct bgp_peer *a_r1;
	const struct bgp_attrs *at;

	speaker(0, NB("2", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ", \"route_reflector_client\": true") ","
		   NB("3", "2", RTC, ", \"route_reflector_client\": true"));
	speaker(2, NB("2", "3", RTC, "") "," NB("4", "3", RTC, ", \"route_reflector_client\": true"));
	speaker(3, NB("3", "4", RTC, ""));
	a_r1 = &S[0]->peers[0];
	add_routes(S[0]);
	imports(S[3], two, 1);
	wait_up(a_r1, &S[1]->peers[0]);
	wait_up(&S[1]->peers[1], &S[2]->peers[0]);
	wait_up(&S[2]->peers[1], &S[3]->peers[0]);
	expect_counts(&S[3]->peers[0], 0, N_PER_RT, 0);
	cr_assert(run_until(has_membership_n1, a_r1, 5));
	cr_assert_eq(S[1]->peers[1].rtc_in.n, 1);
	at = &S[1]->peers[1].rtc_in.attrs[0]->a; /* R1, R2's non-client: kept */
	cr_assert(attr_has(at, ATTR_ORIGINATOR_ID));
	cr_assert_eq(at->originator_id, 0x7f000004u, "originator %08x", at->originator_id);
	cr_assert_eq(at->n_cluster, 1);
	cr_assert_eq(at->cluster[0], 0x7f000003u);
	cr_assert_not_null(a_r1->rtc_in.attrs[0]);
	at = &a_r1->rtc_in.attrs[0]->a;
	cr_assert(attr_has(at, ATTR_ORIGINATOR_ID));
	cr_assert_eq(at->originator_id, 0x7f000002u, "originator %08x", at->originator_id);
	cr_assert_eq(at->n_cluster, 2);
	cr_assert_eq(at->cluster[0], 0x7f000002u);
	cr_assert_eq(at->cluster[1], 0x7f000003u);
	expect_counts(&S[1]->peers[0], 0, N_PER_RT, 0); /* R1 got only what D asked for */
}

struct own_back {
	const struct bgp_peer *c_r, *r_r2;
	struct rtc_route x;
};

/* C holds X from R, with R as ORIGINATOR_ID, once R has X from R2 too. */
static bool holds_x_from_r(void *arg)
{
	const struct own_back *o = arg;
	const struct rtc_set *s = &o->c_r->rtc_in;

	if (!rtc_set_has(&o->r_r2->rtc_in, &o->x))
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (rtc_route_equal(&s->v[i], &o->x))
			return s->attrs[i] && attr_has(&s->attrs[i]->a, ATTR_ORIGINATOR_ID) &&
			       s->attrs[i]->a.originator_id == 0x7f000002u;
	return false;
}

/*
 * C is a client of two reflectors, R and R2 (non-clients of each other);
 * P, another client of R, imports 65000:2 as C does. Both PEs' membership
 * is the one NLRI 65000:65000:2, and R has it from R2 (C's own, reflected:
 * ORIGINATOR_ID C) and from P. R sends C that NLRI with itself as
 * ORIGINATOR_ID (RFC 4684 §3.2): with C's own, C dropped it as a loop and
 * held no membership from R, so it sent R none of the routes P imports.
 */
Test(bgpd_rtcfilter, client_hears_membership_from_its_reflector_as_the_originator)
{
	static const unsigned two[] = { 2 };
	struct own_back o;

	speaker(0, NB("2", "1", RTC, "") "," NB("3", "1", RTC, ""));
	speaker(1, NB("1", "2", RTC, ", \"route_reflector_client\": true") ","
		   NB("3", "2", RTC, "") ","
		   NB("4", "2", RTC, ", \"route_reflector_client\": true"));
	speaker(2, NB("1", "3", RTC, ", \"route_reflector_client\": true") ","
		   NB("2", "3", RTC, ""));
	speaker(3, NB("2", "4", RTC, ""));
	add_routes(S[0]);
	imports(S[0], two, 1);
	imports(S[3], two, 1);
	wait_up(&S[0]->peers[0], &S[1]->peers[0]);
	wait_up(&S[0]->peers[1], &S[2]->peers[0]);
	wait_up(&S[1]->peers[1], &S[2]->peers[1]);
	wait_up(&S[1]->peers[2], &S[3]->peers[0]);
	o.c_r = &S[0]->peers[0];
	o.r_r2 = &S[1]->peers[1];
	o.x = rtc_route_of(65000, &(struct ext_community){ 0 });
	o.x.rt = rt_n(2);
	cr_assert(run_until(holds_x_from_r, &o, 10),
		  "C holds %zu membership routes from R, not 65000:65000:2 with R as originator",
		  o.c_r->rtc_in.n);
	/* what P imports goes from C to R, not only around through R2 */
	expect_counts(&S[1]->peers[0], 0, N_PER_RT, 0);
	expect_counts(&S[3]->peers[0], 0, N_PER_RT, 0);
}
