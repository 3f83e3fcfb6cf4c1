/*
 * bgpd's stream to vrfmgr (bgpd/vrfmgr_link.c) when vrfmgr reads slowly: a
 * fake vrfmgr listens on <run_dir>/vrfmgr.ipc and stops reading. Past the
 * high-water mark changed destinations only wait in the RIB (marked, kept
 * even when withdrawn meanwhile); once the fake reads again every
 * destination arrives, in the order it changed and in its latest state
 * (labels changed while it was stalled, withdrawals as DEL), nothing stays
 * marked, and emptied destinations leave the RIB. The replay's log line
 * counts what it sent: destinations with a remote best path, not vrfmgr's own.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
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

#define N 20000

static struct event_base *base;
static struct ferry_config cfg;
static struct bgpd *B;
static int lfd = -1, vfd = -1;
static char run_dir[64];
static struct attr_set *attrs;
static int32_t state[N];  /* what the fake vrfmgr holds per prefix: label, or -1 */
static struct ipc_reader rx;
static int64_t last_add = -1; /* prefix index of the last ADD read ... */
static size_t disorder;       /* ... and how often an ADD came before the one read last */

static void setup(void)
{
	char json[1024], err[256], path[CFG_PATH_MAX];
	struct bgp_attrs a = { 0 };

	log_init("test_bgpd_vrflink", LOG_LVL_INFO);
	snprintf(run_dir, sizeof(run_dir), "/tmp/bgpd-vrflink-%d", (int)getpid());
	cr_assert(mkdir(run_dir, 0700) == 0 || errno == EEXIST);
	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"t\", \"router_id\": \"127.0.0.2\", \"asn\": 65000,"
		 " \"run_dir\": \"%s\"}, \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u,"
		 " \"neighbors\": [{\"address\": \"127.0.0.9\", \"remote_as\": 65000,"
		 " \"passive\": true}]}}",
		 run_dir, (unsigned)(20000 + getpid() % 20000));
	cr_assert_eq(config_load_string(json, "test.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(config_sock_path(&cfg, FERRY_SOCK_VRFMGR_IPC, path), 0);
	lfd = ipc_listen_unix(path);
	cr_assert_geq(lfd, 0);
	base = event_base_new();
	B = bgpd_new(base, &cfg);
	cr_assert_not_null(B);
	B->ipc_high_water = 4096;
	B->ipc_low_water = 1024;
	B->vl = vrfmgr_link_new(B);
	cr_assert_not_null(B->vl);
	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH);
	a.nexthop = 0x0aff0009;
	attrs = attr_intern(&a);
	cr_assert_not_null(attrs);
	memset(state, 0xff, sizeof(state));
}

static void teardown(void)
{
	char path[CFG_PATH_MAX];

	attr_unref(attrs);
	bgpd_free(B);
	event_base_free(base);
	if (vfd >= 0)
		close(vfd);
	close(lfd);
	if (config_sock_path(&cfg, FERRY_SOCK_VRFMGR_IPC, path) == 0)
		unlink(path);
	rmdir(run_dir);
	config_free(&cfg);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_vrflink, .init = setup, .fini = teardown, .timeout = 60);

static bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 5000);
}

static bool accepted(void *arg)
{
	(void)arg;
	if (vfd < 0)
		vfd = accept(lfd, NULL, NULL);
	return vfd >= 0;
}

/* One message from bgpd: a VPN route's ADD or DEL goes into state[]. */
static void on_msg(const struct ipc_hdr *h, const uint8_t *payload)
{
	struct ipc_vpn_route r;
	uint32_t i;

	if (h->type != IPC_VPN_ROUTE_ADD && h->type != IPC_VPN_ROUTE_DEL)
		return;
	memcpy(&r, payload, sizeof(r));
	i = (r.prefix - 0x14000000u) >> 8;
	cr_assert_lt(i, N);
	state[i] = h->type == IPC_VPN_ROUTE_ADD ? (int32_t)r.label : -1;
	if (h->type == IPC_VPN_ROUTE_ADD) {
		disorder += (int64_t)i < last_add;
		last_add = i;
	}
}

/* Reads what is there (non-blocking) and applies each VPN route message to state[]. */
static void fake_read(void)
{
	ipc_reader_poll(&rx, vfd, on_msg);
}

static size_t n_marked(void)
{
	size_t n = 0;

	for (size_t b = 0; b < B->rib->n_buckets; b++)
		for (const struct rib_entry *e = B->rib->buckets[b]; e; e = e->hnext)
			n += e->export_pending;
	return n;
}

/* The fake reads until it holds want(i) for every i, and nothing waits in bgpd. */
static int32_t (*want)(uint32_t i);

static bool fake_has_all(void *arg)
{
	(void)arg;
	fake_read();
	for (uint32_t i = 0; i < N; i++)
		if (state[i] != want(i))
			return false;
	return n_marked() == 0;
}

static void set_route(uint32_t i, uint32_t label)
{
	struct rd rd = { .b = { 0, 0, 0xfd, 0xe8, 0, 0, 0, 1 } };
	struct prefix4 p = { 0x14000000u + (i << 8), 24 };

	cr_assert_eq(rib_update(B->rib, &B->peers[0].src, &rd, &p, attrs, label), 0);
}

static void del_route(uint32_t i)
{
	struct rd rd = { .b = { 0, 0, 0xfd, 0xe8, 0, 0, 0, 1 } };
	struct prefix4 p = { 0x14000000u + (i << 8), 24 };

	cr_assert_eq(rib_withdraw(B->rib, &B->peers[0].src, &rd, &p), 0);
}

static void turns(int n)
{
	struct timeval tick = { 0, 2000 };

	for (int i = 0; i < n; i++) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
}

static int32_t want_first(uint32_t i) { return (int32_t)(100 + i); }
static int32_t want_second(uint32_t i) { return i % 3 == 0 ? (int32_t)(200000 + i) : (int32_t)(100 + i); }
static int32_t want_none(uint32_t i) { (void)i; return -1; }

Test(bgpd_vrflink, a_stalled_vrfmgr_gets_the_latest_state_of_everything)
{
	cr_assert(run_until(accepted, NULL, 10), "bgpd never connected to the fake vrfmgr");
	/* a full table while the fake reads nothing */
	for (uint32_t i = 0; i < N; i++)
		set_route(i, 100 + i);
	bgpd_schedule_flush(B);
	turns(20);
	cr_assert_gt(n_marked(), N / 2, "%zu of %d waiting: the backlog was not bounded",
		     n_marked(), N);
	want = want_first;
	cr_assert(run_until(fake_has_all, NULL, 30), "%zu still waiting", n_marked());
	cr_assert_eq(disorder, 0, "the waiting routes did not come in the order they changed");
	/* changed while stalled: every third label twice; the fake must see only the last */
	for (uint32_t i = 0; i < N; i += 3)
		set_route(i, 100000 + i);
	for (uint32_t i = 0; i < N; i += 3)
		set_route(i, 200000 + i);
	bgpd_schedule_flush(B);
	turns(20);
	cr_assert_gt(n_marked(), 0);
	want = want_second;
	cr_assert(run_until(fake_has_all, NULL, 30), "%zu still waiting", n_marked());
	/* withdrawn while stalled: entries kept until their DEL is sent, then freed */
	for (uint32_t i = 0; i < N; i++)
		del_route(i);
	bgpd_schedule_flush(B);
	turns(20);
	cr_assert_gt(n_marked(), 0);
	cr_assert_gt(B->rib->n_entries, 0, "withdrawn entries freed before vrfmgr heard of it");
	want = want_none;
	cr_assert(run_until(fake_has_all, NULL, 30), "%zu still waiting", n_marked());
	cr_assert_eq(B->rib->n_entries, 0);
}

static void setup_logged(void) /* after the suite's setup */
{
	cr_redirect_stderr();
}

static bool replay_logged(void *arg)
{
	char *buf = arg;
	size_t n;

	fflush(stderr);
	n = fread(buf + strlen(buf), 1, 4095 - strlen(buf), cr_get_redirected_stderr());
	buf[strlen(buf) + n] = '\0';
	return strstr(buf, "replay of best remote paths done") != NULL;
}

Test(bgpd_vrflink, the_replay_log_counts_the_destinations_sent, .init = setup_logged)
{
	struct rd rd = { .b = { 0, 0, 0xfd, 0xe8, 0, 0, 0, 2 } };
	static char buf[4096];

	for (uint32_t i = 0; i < 5; i++) /* remote best paths: sent */
		set_route(i, 100 + i);
	for (uint32_t i = 0; i < 3; i++) { /* vrfmgr's own routes: not sent back */
		struct prefix4 p = { 0x15000000u + (i << 8), 24 };

		cr_assert_eq(bgpd_local_add(B, &rd, &p, 300 + i, NULL, 0, 0, 0, 0), 0);
	}
	cr_assert(run_until(accepted, NULL, 10), "bgpd never connected to the fake vrfmgr");
	cr_assert(run_until(replay_logged, buf, 10), "no replay logged: %s", buf);
	cr_assert_not_null(strstr(buf, "vrfmgr: replay of best remote paths done (5 destinations "
				       "with a remote best path; its own 3 routes not sent back)\n"),
			   "%s", buf);
}
