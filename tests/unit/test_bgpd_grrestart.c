/*
 * bgpd as the restarting speaker of graceful restart (bgpd/gr_restart.c),
 * end to end in one process: speakers A (127.0.0.1) and B (127.0.0.2),
 * each the other's one neighbor, and a fake vrfmgr on B's
 * <run_dir>/vrfmgr.ipc that gives B two local routes and records what B
 * tells it. B is then dropped without a NOTIFICATION (as kill -9 would) and
 * started again as restarted: A must keep B's routes through it, B must
 * keep its replay to vrfmgr open until A's routes are in, and send its
 * End-of-RIB only then, so A sweeps only the route B no longer has.
 * Everything is polled with deadlines, never fixed sleeps.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/ipc.h"
#include "common/log.h"
#include "test_event_util.h"
#include "test_ipc_reader.h"

static struct event_base *base;
static struct ferry_config cfg_a, cfg_b;
static struct bgpd *A, *B;
static uint16_t port;
static char run_a[64], run_b[64];
static int lfd = -1, vfd = -1; /* the fake vrfmgr: listening, and its connection to B */

/* What the fake vrfmgr read from B, in order: message types, and the ADDs' prefixes. */
#define LOG_MAX 64
static uint16_t seen[LOG_MAX];
static uint32_t seen_prefix[LOG_MAX];
static size_t n_seen;
static struct ipc_reader rx;

#define ROUTE_KEPT 0xc0a80100u /* 192.168.1.0/24: B's, before and after its restart */
#define ROUTE_GONE 0xc0a80200u /* 192.168.2.0/24: B's before its restart only */
#define ROUTE_OF_A 0xc0a80900u /* 192.168.9.0/24: A's */

/* Speaker 127.0.0.<me> with the other as its one neighbor (plus `neighbor_extra` keys). */
static void load_with(struct ferry_config *cfg, int me, const char *run_dir,
		      const char *neighbor_extra)
{
	char json[1024], err[256];

	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"g%d\", \"router_id\": \"127.0.0.%d\", \"asn\": 65000,"
		 " \"run_dir\": \"%s\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.%d\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, \"neighbors\": [{\"address\": \"127.0.0.%d\","
		 " \"remote_as\": 65000, \"local_address\": \"127.0.0.%d\"%s}]}}",
		 me, me, run_dir, me, port, 3 - me, me, neighbor_extra);
	cr_assert_eq(config_load_string(json, "test.json", cfg, err, sizeof(err)), 0, "%s", err);
}

static void load(struct ferry_config *cfg, int me, const char *run_dir)
{
	load_with(cfg, me, run_dir, "");
}

static void setup(void)
{
	char path[CFG_PATH_MAX];

	log_init("test_bgpd_grrestart", LOG_LVL_INFO);
	port = (uint16_t)(20000 + (getpid() + 4099) % 20000);
	snprintf(run_a, sizeof(run_a), "/tmp/bgpd-grr-%d-a", (int)getpid());
	snprintf(run_b, sizeof(run_b), "/tmp/bgpd-grr-%d-b", (int)getpid());
	cr_assert(mkdir(run_a, 0700) == 0 || errno == EEXIST);
	cr_assert(mkdir(run_b, 0700) == 0 || errno == EEXIST);
	load(&cfg_a, 1, run_a);
	load(&cfg_b, 2, run_b);
	cr_assert_eq(config_sock_path(&cfg_b, FERRY_SOCK_VRFMGR_IPC, path), 0);
	lfd = ipc_listen_unix(path);
	cr_assert_geq(lfd, 0);
	base = event_base_new();
	A = bgpd_new(base, &cfg_a);
	cr_assert_not_null(A);
}

static void teardown(void)
{
	char path[CFG_PATH_MAX];

	bgpd_free(A);
	bgpd_free(B);
	event_base_free(base);
	if (vfd >= 0)
		close(vfd);
	close(lfd);
	if (config_sock_path(&cfg_b, FERRY_SOCK_VRFMGR_IPC, path) == 0)
		unlink(path);
	rmdir(run_a);
	rmdir(run_b);
	config_free(&cfg_a);
	config_free(&cfg_b);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_grrestart, .init = setup, .fini = teardown, .timeout = 60);

static bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 5000);
}

/* B as bgpd starts it: restarted (main.c found its marker) or not, with its vrfmgr link. */
static void start_b(bool restarted, unsigned deferral_s)
{
	B = bgpd_new(base, &cfg_b);
	cr_assert_not_null(B);
	if (restarted)
		cr_assert_eq(bgpd_gr_restarted(B, deferral_s), 0);
	B->vl = vrfmgr_link_new(B);
	cr_assert_not_null(B->vl);
}

static void fake_send(uint16_t type, const void *payload, uint32_t len)
{
	struct ipc_hdr h = { .type = type, .len = len };

	cr_assert_eq(send(vfd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	if (len)
		cr_assert_eq(send(vfd, payload, len, 0), (ssize_t)len);
}

/* A local route of B's, as vrfmgr exports it: RD 10.255.0.2:100, RT 65000:100. */
static void fake_add(uint32_t prefix)
{
	struct {
		struct ipc_vpn_route r;
		uint8_t rt[8];
	} m = { .r = { .rd = { 0, 1, 10, 255, 0, 2, 0, 100 }, .prefix = prefix, .plen = 24,
		       .n_rts = 1, .label = 300, .next_hop = 0x7f000002 },
		.rt = { 0, 2, 0xfd, 0xe8, 0, 0, 0, 100 } };

	fake_send(IPC_VPN_ROUTE_ADD, &m, sizeof(m));
}

static bool accepted(void *arg)
{
	(void)arg;
	if (vfd < 0)
		vfd = accept(lfd, NULL, NULL);
	return vfd >= 0;
}

/* The fake vrfmgr takes B's connection and replays B's local routes to it. */
static void fake_vrfmgr(const uint32_t *prefixes, size_t n)
{
	cr_assert(run_until(accepted, NULL, 5), "B never connected to vrfmgr");
	fake_send(IPC_REPLAY_BEGIN, NULL, 0);
	for (size_t i = 0; i < n; i++)
		fake_add(prefixes[i]);
	fake_send(IPC_REPLAY_END, NULL, 0);
}

static void on_msg(const struct ipc_hdr *h, const uint8_t *payload)
{
	struct ipc_vpn_route r = { 0 };

	if (h->type == IPC_VPN_ROUTE_ADD || h->type == IPC_VPN_ROUTE_DEL)
		memcpy(&r, payload, sizeof(r));
	cr_assert_lt(n_seen, LOG_MAX);
	seen[n_seen] = h->type;
	seen_prefix[n_seen++] = r.prefix;
}

/* Reads what B sent (non-blocking) into seen[]. */
static void fake_read(void)
{
	ipc_reader_poll(&rx, vfd, on_msg);
}

/* Where in seen[] the first message of type (and prefix, for ADDs) is; -1: none. */
static int seen_at(uint16_t type, uint32_t prefix)
{
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == type && (type != IPC_VPN_ROUTE_ADD || seen_prefix[i] == prefix))
			return (int)i;
	return -1;
}

static bool fake_has_end(void *arg)
{
	(void)arg;
	fake_read();
	return seen_at(IPC_REPLAY_END, 0) >= 0;
}

static bool fake_has_begin(void *arg)
{
	(void)arg;
	fake_read();
	return seen_at(IPC_REPLAY_BEGIN, 0) >= 0;
}

static bool both_up(void *arg)
{
	(void)arg;
	return A->peers[0].est && B->peers[0].est;
}

static bool a_has_from_b(uint32_t prefix, bool *stale)
{
	for (const struct rib_path *p = A->peers[0].src.paths; p; p = p->src_next) {
		if (p->entry->prefix.addr == prefix) {
			if (stale)
				*stale = p->stale;
			return true;
		}
	}
	return false;
}

static bool a_has_both(void *arg)
{
	(void)arg;
	return a_has_from_b(ROUTE_KEPT, NULL) && a_has_from_b(ROUTE_GONE, NULL);
}

static bool a_lost_b(void *arg)
{
	(void)arg;
	return !A->peers[0].est;
}

/* A and B up, A with B's two routes, B's vrfmgr with A's route. */
static void first_life(void)
{
	const uint32_t routes[] = { ROUTE_KEPT, ROUTE_GONE };
	struct rd rd;
	struct prefix4 pfx = { ROUTE_OF_A, 24 };
	struct ext_community rt;

	cr_assert_eq(rd_parse("10.255.0.1:100", &rd), 0);
	cr_assert_eq(rt_parse("65000:100", &rt), 0);
	cr_assert_eq(bgpd_local_add(A, &rd, &pfx, 200, &rt, 1, 0, 0, 0), 0);
	start_b(false, 0);
	fake_vrfmgr(routes, 2);
	cr_assert(run_until(both_up, NULL, 10), "A and B never established");
	cr_assert(run_until(a_has_both, NULL, 5), "B's routes never reached A");
}

Test(bgpd_grrestart, a_fresh_start_offers_its_routes_for_keeping_without_r_or_f)
{
	const struct bgp_open *o;

	first_life();
	o = &A->peers[0].est->open;
	cr_assert(o->cap_gr);
	cr_assert_eq(o->gr_afs, BGP_AF_VPNV4, "VPN-IPv4 not offered for keeping across a restart");
	cr_assert_not(o->gr_restarting, "R bit on a fresh start");
	cr_assert_eq(o->gr_fwd_afs, 0, "F bit on a fresh start: nothing was kept");
	cr_assert(A->peers[0].gr_capable);
	cr_assert_not(B->gr_deferring);
	cr_assert(run_until(fake_has_end, NULL, 5));
}

/* Each tick: B must not have told A its table is complete while it still defers. */
static bool early_eor;

static bool restart_done(void *arg)
{
	(void)arg;
	fake_read();
	if (B->gr_deferring && A->peers[0].est && !A->peers[0].gr_waiting)
		early_eor = true;
	return !B->gr_deferring && !A->peers[0].gr_waiting && seen_at(IPC_REPLAY_END, 0) >= 0;
}

Test(bgpd_grrestart, a_killed_bgpd_comes_back_without_losing_a_route)
{
	const uint32_t kept[] = { ROUTE_KEPT };
	const struct bgp_open *o;
	bool stale = false;
	int add_of_a, end;

	first_life();
	bgpd_free(B); /* no NOTIFICATION: as when bgpd is killed */
	B = NULL;
	close(vfd);
	vfd = -1;
	cr_assert(run_until(a_lost_b, NULL, 5));
	cr_assert(a_has_both(NULL), "A dropped B's routes when its session died");
	cr_assert(a_has_from_b(ROUTE_KEPT, &stale) && stale);
	cr_assert(A->peers[0].gr_waiting);

	start_b(true, 30);
	n_seen = rx.len = 0;
	fake_vrfmgr(kept, 1); /* ROUTE_GONE went while bgpd was away */
	cr_assert(run_until(both_up, NULL, 10), "A and B never established again");
	o = &A->peers[0].est->open;
	cr_assert(o->gr_restarting, "no R bit from the restarted B");
	cr_assert_eq(o->gr_fwd_afs, BGP_AF_VPNV4, "no F bit from the restarted B");

	cr_assert(run_until(restart_done, NULL, 10), "the restart never finished: B deferring %d, "
		  "A waiting %d", B->gr_deferring, A->peers[0].gr_waiting);
	cr_assert_not(early_eor, "B sent End-of-RIB while it still deferred");
	/* vrfmgr: the replay stayed open until A's route was in again */
	add_of_a = seen_at(IPC_VPN_ROUTE_ADD, ROUTE_OF_A);
	end = seen_at(IPC_REPLAY_END, 0);
	cr_assert_geq(add_of_a, 0, "A's route never reached vrfmgr");
	cr_assert_lt(seen_at(IPC_REPLAY_BEGIN, 0), add_of_a);
	cr_assert_gt(end, add_of_a, "REPLAY_END came before A's route: vrfmgr would sweep it");
	/* A: B's End-of-RIB swept only the route B no longer has */
	cr_assert(a_has_from_b(ROUTE_KEPT, &stale));
	cr_assert_not(stale);
	cr_assert_not(a_has_from_b(ROUTE_GONE, NULL), "the route B lost was not swept");
}

/* A planned restart (SIGUSR1): B closes without a NOTIFICATION, A keeps its routes as for a kill. */
Test(bgpd_grrestart, a_graceful_stop_leaves_the_routes_with_the_peer)
{
	bool stale = false;

	first_life();
	bgpd_stop_graceful(B, NULL);
	cr_assert(run_until(a_lost_b, NULL, 5), "A still has its session with B");
	cr_assert(a_has_both(NULL), "A dropped B's routes on B's graceful stop");
	cr_assert(a_has_from_b(ROUTE_KEPT, &stale) && stale);
	cr_assert(A->peers[0].gr_waiting);
	cr_assert_null(strstr(A->peers[0].last_error, "NOTIFICATION"), "B sent a NOTIFICATION: %s",
		       A->peers[0].last_error);
}

static bool deferral_over(void *arg)
{
	(void)arg;
	fake_read();
	return !B->gr_deferring && seen_at(IPC_REPLAY_END, 0) >= 0;
}

/* A neighbor that never comes holds the deferral only for its time. */
Test(bgpd_grrestart, the_deferral_ends_on_its_timer_without_the_neighbors)
{
	bgpd_free(A); /* B's one neighbor is gone for good */
	A = NULL;
	start_b(true, 1);
	fake_vrfmgr(NULL, 0);
	/* BEGIN and, were it not deferred, END leave B in one go */
	cr_assert(run_until(fake_has_begin, NULL, 5), "no REPLAY_BEGIN from B");
	cr_assert(B->gr_deferring);
	cr_assert_eq(seen_at(IPC_REPLAY_END, 0), -1, "REPLAY_END while deferring");
	cr_assert(run_until(deferral_over, NULL, 5), "the deferral did not end on its timer");
}

static bool neither_defers(void *arg)
{
	(void)arg;
	return A->peers[0].est && B->peers[0].est && !A->gr_deferring && !B->gr_deferring;
}

/*
 * Both restarted at once: each would wait for the other's End-of-RIB, which
 * each sends only once its deferral is over. A neighbor that is restarting
 * too (R bit) is not waited for (RFC 4724 §4.1): both finish long before
 * their deferral time (30 s here).
 */
Test(bgpd_grrestart, two_speakers_restarting_together_do_not_wait_for_each_other)
{
	cr_assert_eq(bgpd_gr_restarted(A, 30), 0);
	start_b(true, 30);
	fake_vrfmgr(NULL, 0);
	cr_assert(run_until(neither_defers, NULL, 10), "deferring: A %d, B %d", A->gr_deferring,
		  B->gr_deferring);
	cr_assert(A->peers[0].est->open.gr_restarting, "B's OPEN had no R bit");
	cr_assert(run_until(fake_has_end, NULL, 5), "B's replay to vrfmgr never ended");
}

static bool b_holds_a_down(void *arg)
{
	(void)arg;
	fake_read();
	return B->peers[0].admin_down && !B->gr_deferring;
}

/*
 * A neighbor held down by max-prefix sends no End-of-RIB until its
 * hold-down ends (here never: restart 0): the deferral does not wait for it
 * (30 s here).
 */
Test(bgpd_grrestart, a_neighbor_held_down_by_max_prefix_is_not_waited_for)
{
	struct rd rd;
	struct prefix4 one = { ROUTE_OF_A, 24 }, two = { ROUTE_OF_A + 0x100, 24 };
	struct ext_community rt;

	cr_assert_eq(rd_parse("10.255.0.1:100", &rd), 0);
	cr_assert_eq(rt_parse("65000:100", &rt), 0);
	cr_assert_eq(bgpd_local_add(A, &rd, &one, 200, &rt, 1, 0, 0, 0), 0);
	cr_assert_eq(bgpd_local_add(A, &rd, &two, 201, &rt, 1, 0, 0, 0), 0);
	config_free(&cfg_b);
	load_with(&cfg_b, 2, run_b, ", \"max_prefix\": {\"limit\": 1, \"restart\": 0}");
	start_b(true, 30);
	fake_vrfmgr(NULL, 0);
	cr_assert(run_until(b_holds_a_down, NULL, 10), "held down %d, still deferring %d",
		  B->peers[0].admin_down, B->gr_deferring);
	cr_assert(run_until(fake_has_end, NULL, 5), "B's replay to vrfmgr never ended");
}

static bool b_stopping_long(void *arg)
{
	(void)arg;
	fake_read();
	return false;
}

/*
 * SIGUSR1 while B still defers: B's connections linger a while (up to
 * BGP_LINGER when a peer does not close its side; here B's stop never
 * completes), and the deferral's timer must not end the replay meanwhile:
 * REPLAY_END would have vrfmgr sweep every route no neighbor sent again,
 * which the graceful stop is there to keep.
 */
Test(bgpd_grrestart, a_graceful_stop_while_deferring_does_not_end_the_replay)
{
	bgpd_free(A);
	A = NULL;
	start_b(true, 1);
	fake_vrfmgr(NULL, 0);
	cr_assert(run_until(fake_has_begin, NULL, 5), "no REPLAY_BEGIN from B");
	cr_assert(B->gr_deferring);
	bgpd_stop_graceful(B, NULL);
	run_until(b_stopping_long, NULL, 2); /* past the 1 s deferral */
	cr_assert_eq(seen_at(IPC_REPLAY_END, 0), -1, "REPLAY_END after a graceful stop");
}
