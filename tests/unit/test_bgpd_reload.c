/*
 * bgpd's reload (SIGHUP) end to end inside one process: three speakers on
 * one event_base, A (127.0.0.1), B (127.0.0.2) and C (127.0.0.3). A and C
 * each have B as their neighbor; B starts with A only, and its config file
 * is rewritten and reloaded through bgpd_sighup as the signal would: C
 * added (the session comes up, C's route reflected on to A), removed (C
 * gets Cease 6/3, A loses C's route, B's neighbor gone), changed (Cease
 * 6/6, back with the new setting), and bad or restart-only files refused
 * with nothing touched. B's session with A must never move. GET
 * /reload/check, the dry run, is asked about such files too: what it
 * says is then what the reload does, and it touches nothing.
 * Everything is polled with deadlines, never fixed sleeps.
 */
#include <criterion/criterion.h>
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/log.h"
#include "test_api_route.h"
#include "test_event_util.h"

static struct event_base *base;
static struct ferry_config *cfg_a, *cfg_b, *cfg_c;
static struct bgpd *A, *B, *C;
static uint16_t port;
static char path_b[64];
static const struct bgp_conn *b_a_conn; /* B's session with A, which nothing may touch */
static uint64_t b_a_downs;

#define ADDR_A 0x7f000001u
#define ADDR_B 0x7f000002u
#define ADDR_C 0x7f000003u

/* B's config: A, then `more` neighbors (JSON, with its leading comma). */
static void write_b(const char *more, uint32_t asn, const char *router_id)
{
	FILE *f = fopen(path_b, "w");

	cr_assert_not_null(f);
	fprintf(f,
		"{\"router\": {\"name\": \"b\", \"router_id\": \"%s\", \"asn\": %u,"
		" \"run_dir\": \"/tmp/bgpd-reload-test\"},"
		" \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u, \"hold_time\": 9,"
		" \"connect_retry\": 1, \"neighbors\": ["
		" {\"address\": \"127.0.0.1\", \"remote_as\": 65000, \"local_address\": \"127.0.0.2\"}"
		" %s]}}",
		router_id, asn, port, more);
	fclose(f);
}

static const char *const C_CLIENT =
	", {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"local_address\": \"127.0.0.2\","
	" \"route_reflector_client\": true}";

/*
 * A (me 1) or C (me 3) with router_id, B as the one neighbor; gr: graceful
 * restart on (the default) or off.
 */
static struct ferry_config *load_spoke_as(int me, const char *router_id, bool gr)
{
	struct ferry_config *c = calloc(1, sizeof(*c));
	char json[1024], err[256];

	cr_assert_not_null(c);
	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"s%d\", \"router_id\": \"%s\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-reload-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.%d\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, \"graceful_restart\": {\"enabled\": %s},"
		 " \"neighbors\": [{\"address\": \"127.0.0.2\", \"remote_as\": 65000,"
		 " \"local_address\": \"127.0.0.%d\"}]}}",
		 me, router_id, me, port, gr ? "true" : "false", me);
	cr_assert_eq(config_load_string(json, "spoke.json", c, err, sizeof(err)), 0, "%s", err);
	return c;
}

static struct ferry_config *load_spoke(int me)
{
	char id[16];

	snprintf(id, sizeof(id), "127.0.0.%d", me);
	return load_spoke_as(me, id, true);
}

static struct ferry_config *load_b(void)
{
	struct ferry_config *c = calloc(1, sizeof(*c));
	char err[256];

	cr_assert_not_null(c);
	cr_assert_eq(config_load(path_b, c, err, sizeof(err)), 0, "%s", err);
	return c;
}

static void start(const char *b_more)
{
	log_init("test_bgpd_reload", LOG_LVL_INFO);
	port = (uint16_t)(20000 + (getpid() + 7919) % 20000);
	snprintf(path_b, sizeof(path_b), "/tmp/test_bgpd_reload.%d.json", (int)getpid());
	base = event_base_new();
	write_b(b_more, 65000, "127.0.0.2");
	cfg_a = load_spoke(1);
	cfg_b = load_b();
	cfg_c = load_spoke(3);
	A = bgpd_new(base, cfg_a);
	B = bgpd_new(base, cfg_b);
	C = bgpd_new(base, cfg_c);
	cr_assert(A && B && C);
}

static void setup(void)
{
	start("");
}

static void setup_with_c(void)
{
	start(C_CLIENT);
}

static void cfg_drop(struct ferry_config *c)
{
	config_free(c);
	free(c);
}

static void teardown(void)
{
	bgpd_free(A);
	bgpd_free(B);
	bgpd_free(C);
	cfg_drop(cfg_a);
	cfg_drop(cfg_b);
	cfg_drop(cfg_c);
	event_base_free(base);
	unlink(path_b);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_reload, .init = setup, .fini = teardown, .timeout = 40);
TestSuite(bgpd_reload_c, .init = setup_with_c, .fini = teardown, .timeout = 40);

static bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 20000);
}

static bool est(struct bgpd *d, uint32_t addr)
{
	struct bgp_peer *p = bgpd_peer_by_addr(d, addr);

	return p && peer_state(p) == FSM_ESTABLISHED;
}

static bool a_b_up(void *arg)
{
	(void)arg;
	return est(A, ADDR_B) && est(B, ADDR_A);
}

static bool b_c_up(void *arg)
{
	(void)arg;
	return est(B, ADDR_C) && est(C, ADDR_B);
}

/* A-B up; remember B's connection to A to check no reload touches it. */
static void a_b_wait(void)
{
	cr_assert(run_until(a_b_up, NULL, 10), "A and B never established");
	b_a_conn = bgpd_peer_by_addr(B, ADDR_A)->est;
	b_a_downs = bgpd_peer_by_addr(B, ADDR_A)->session_downs;
}

static void a_b_untouched(void)
{
	struct bgp_peer *p = bgpd_peer_by_addr(B, ADDR_A);

	cr_assert_not_null(p, "B lost neighbor A");
	cr_assert_eq(p->est, b_a_conn, "B's session with A was replaced");
	cr_assert_eq(p->session_downs, b_a_downs, "B's session with A went down");
	cr_assert(a_b_up(NULL));
}

/* Reloads B as SIGHUP does; true when the new config runs. */
static bool reload_b(void)
{
	struct ferry_config *was = cfg_b;

	cfg_b = bgpd_sighup(B, cfg_b, NULL);
	cr_assert_eq(B->cfg, cfg_b);
	return cfg_b != was;
}

static struct rd rd;
static struct prefix4 pfx;
static struct ext_community rt;

static void c_announces(void)
{
	cr_assert_eq(rd_parse("10.255.0.3:100", &rd), 0);
	cr_assert_eq(prefix4_parse("192.168.33.0/24", &pfx), 0);
	cr_assert_eq(rt_parse("65000:100", &rt), 0);
	cr_assert_eq(bgpd_local_add(C, &rd, &pfx, 300, &rt, 1, 0, 0, 0), 0);
}

static bool a_has_c_route(void *arg)
{
	struct rib_entry *e = rib_lookup(A->rib, &rd, &pfx);

	return arg ? e && e->best : !e || !e->best;
}

Test(bgpd_reload, neighbor_added_comes_up)
{
	a_b_wait();
	cr_assert_null(bgpd_peer_by_addr(B, ADDR_C));
	c_announces();
	write_b(C_CLIENT, 65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	cr_assert_not_null(bgpd_peer_by_addr(B, ADDR_C), "C not configured");
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not reflected to A");
	cr_assert(bgpd_peer_by_addr(B, ADDR_C)->cfg->rr_client);
	a_b_untouched();
}

static bool b_lost_c_route(void)
{
	struct rib_entry *e = rib_lookup(B->rib, &rd, &pfx);

	return !e || !e->best;
}

static bool c_route_gone_and_c_down(void *arg)
{
	(void)arg;
	return a_has_c_route(NULL) && !est(C, ADDR_B);
}

Test(bgpd_reload_c, neighbor_removed_gets_a_hard_reset_of_cease_3_and_its_routes_go)
{
	struct bgp_peer *slot;

	a_b_wait();
	c_announces();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not reflected to A");
	slot = bgpd_peer_by_addr(B, ADDR_C);
	write_b("", 65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	cr_assert_null(bgpd_peer_by_addr(B, ADDR_C), "C still a neighbor of B");
	cr_assert(b_lost_c_route(), "C's route still at B");
	cr_assert(run_until(c_route_gone_and_c_down, NULL, 5), "A kept C's route");
	/* both sent the N bit: for good, so a Hard Reset (RFC 8538) */
	cr_assert_str_eq(bgpd_peer_by_addr(C, ADDR_B)->last_error,
			 "NOTIFICATION: received cease / hard reset (6/9) of cease / peer "
			 "de-configured (6/3)");
	a_b_untouched();

	/* its slot serves the next neighbor added, from scratch */
	write_b(C_CLIENT, 65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	cr_assert_eq(bgpd_peer_by_addr(B, ADDR_C), slot, "the freed slot was not reused");
	cr_assert(run_until(b_c_up, NULL, 15), "B and C never established again");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not back at A");
	a_b_untouched();
}

static bool c_reset(void *arg)
{
	struct bgp_peer *p = bgpd_peer_by_addr(C, ADDR_B);

	return p->session_downs > (uint64_t)(uintptr_t)arg;
}

Test(bgpd_reload_c, neighbor_changed_gets_cease_6_and_comes_back)
{
	struct bgp_peer *p;
	uint64_t downs;

	a_b_wait();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	downs = bgpd_peer_by_addr(C, ADDR_B)->session_downs;
	write_b(", {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"local_address\":"
		" \"127.0.0.2\", \"route_reflector_client\": true, \"max_prefix\": {\"limit\": 500}}",
		65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	cr_assert(run_until(c_reset, (void *)(uintptr_t)downs, 5), "C's session not reset");
	cr_assert_str_eq(bgpd_peer_by_addr(C, ADDR_B)->last_error,
			 "NOTIFICATION: received cease / other configuration change (6/6)");
	cr_assert(run_until(b_c_up, NULL, 15), "B and C not back");
	p = bgpd_peer_by_addr(B, ADDR_C);
	cr_assert_eq(p->cfg->max_prefix, 500, "the new setting is not in force");
	cr_assert_eq(p->cfg, &cfg_b->bgp.neighbors[1]);
	a_b_untouched();
}

static bool c_down_and_c_route_gone(void *arg)
{
	(void)arg;
	return !est(B, ADDR_C) && !est(C, ADDR_B) && a_has_c_route(NULL);
}

/*
 * Shut down in the config: C gets Cease / administrative shutdown with the
 * reason (as a Hard Reset: both sent the N bit), its routes go, B refuses it
 * while it stays so; taken out again, the session comes back.
 */
Test(bgpd_reload_c, neighbor_shut_down_and_back)
{
	struct bgp_peer *p;

	a_b_wait();
	c_announces();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not reflected to A");
	write_b(", {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"local_address\":"
		" \"127.0.0.2\", \"route_reflector_client\": true, \"shutdown\": \"maintenance\"}",
		65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	cr_assert(run_until(c_down_and_c_route_gone, NULL, 5), "C still up, or its route at A");
	cr_assert_str_eq(bgpd_peer_by_addr(C, ADDR_B)->last_error,
			 "NOTIFICATION: received cease / hard reset (6/9) of cease / administrative "
			 "shutdown (6/2): \"maintenance\"");
	p = bgpd_peer_by_addr(B, ADDR_C);
	cr_assert(p->cfg->shutdown);
	/* C dials every second; B refuses it, and does not dial itself */
	cr_assert(!run_until(b_c_up, NULL, 3), "B took a session with a neighbor shut down");
	cr_assert_eq(peer_state(p), FSM_IDLE);
	write_b(C_CLIENT, 65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	cr_assert(run_until(b_c_up, NULL, 15), "B and C not back");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not back at A");
	a_b_untouched();
}

/* B's neighbor 127.0.0.4: nothing listens there, so each dial is refused. */
#define ADDR_D 0x7f000004u

static bool b_d_refused(void *arg)
{
	struct bgp_peer *p = bgpd_peer_by_addr(B, ADDR_D);

	(void)arg;
	return p && strcmp(p->connect_error, "Connection refused") == 0;
}

/*
 * A neighbor whose dials fail says why (connect_error) until a connection
 * comes up. A reload that makes it passive, or shuts it down, ends the
 * dialling: the old refusal must go with it, or an Idle or passive neighbor
 * shows "connect: Connection refused" in show bgp neighbors for good, and
 * docs/api.md has connect_error null for a passive neighbor.
 */
static void dial_refused_then(const char *setting)
{
	char more[256];
	struct bgp_peer *p;

	write_b(", {\"address\": \"127.0.0.4\", \"remote_as\": 65000, \"local_address\":"
		" \"127.0.0.2\"}", 65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	cr_assert(run_until(b_d_refused, NULL, 5), "B's dial to 127.0.0.4 not said refused");
	snprintf(more, sizeof(more),
		 ", {\"address\": \"127.0.0.4\", \"remote_as\": 65000, \"local_address\":"
		 " \"127.0.0.2\", %s}", setting);
	write_b(more, 65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	p = bgpd_peer_by_addr(B, ADDR_D);
	cr_assert_not_null(p);
	cr_assert_str_eq(p->connect_error, "", "%s neighbor still says \"%s\"", setting,
			 p->connect_error);
	/* and stays so: nothing dials it any more */
	cr_assert(!run_until(b_d_refused, NULL, 3), "B dialled a %s neighbor", setting);
}

Test(bgpd_reload, a_neighbor_made_passive_drops_its_connect_error)
{
	dial_refused_then("\"passive\": true");
}

Test(bgpd_reload, a_neighbor_shut_down_drops_its_connect_error)
{
	dial_refused_then("\"shutdown\": \"maintenance\"");
}

static bool b_keeps_c_stale(void *arg)
{
	struct bgp_peer *p = bgpd_peer_by_addr(B, ADDR_C);

	(void)arg;
	return !est(B, ADDR_C) && p->gr_waiting && p->src.n_paths == 1 && p->src.paths->stale;
}

/*
 * C's session ends without a NOTIFICATION (a graceful stop): B keeps C's
 * route stale for C's restart time. A reload that shuts C down meanwhile
 * drops it at once (at B and at A), not when that time runs out.
 */
Test(bgpd_reload_c, neighbor_shut_down_while_its_routes_are_stale)
{
	struct bgp_peer *p;

	a_b_wait();
	c_announces();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not reflected to A");
	bgpd_stop_graceful(C, NULL);
	cr_assert(run_until(b_keeps_c_stale, NULL, 5), "B did not keep C's route stale");
	cr_assert(a_has_c_route((void *)1), "A lost C's route while B keeps it");
	write_b(", {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"local_address\":"
		" \"127.0.0.2\", \"route_reflector_client\": true, \"shutdown\": true}",
		65000, "127.0.0.2");
	cr_assert(reload_b(), "reload refused");
	p = bgpd_peer_by_addr(B, ADDR_C);
	cr_assert_not(p->gr_waiting);
	cr_assert_eq(p->src.n_paths, 0, "C's stale route kept after it was shut down");
	cr_assert(run_until(a_has_c_route, NULL, 5), "C's route still at A");
	a_b_untouched();
}

Test(bgpd_reload_c, unchanged_neighbors_stay_up)
{
	const struct bgp_conn *c_conn;

	a_b_wait();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	c_conn = bgpd_peer_by_addr(B, ADDR_C)->est;
	/* the same neighbors in another order, one with a new description; a new hold time */
	{
		FILE *f = fopen(path_b, "w");

		cr_assert_not_null(f);
		fprintf(f,
			"{\"router\": {\"name\": \"b\", \"router_id\": \"127.0.0.2\", \"asn\": 65000,"
			" \"run_dir\": \"/tmp/bgpd-reload-test\"},"
			" \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u, \"hold_time\": 30,"
			" \"connect_retry\": 1, \"neighbors\": ["
			" {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"local_address\":"
			" \"127.0.0.2\", \"route_reflector_client\": true, \"description\": \"c\"},"
			" {\"address\": \"127.0.0.1\", \"remote_as\": 65000, \"local_address\":"
			" \"127.0.0.2\"}]}}",
			port);
		fclose(f);
	}
	cr_assert(reload_b(), "reload refused");
	cr_assert(!run_until(c_reset, (void *)(uintptr_t)0, 2), "C's session was reset");
	cr_assert_eq(bgpd_peer_by_addr(B, ADDR_C)->est, c_conn, "B's session with C replaced");
	cr_assert_str_eq(bgpd_peer_by_addr(B, ADDR_C)->cfg->description, "c");
	cr_assert_eq(B->cfg->bgp.hold_time, 30);
	a_b_untouched();
}

Test(bgpd_reload, bad_file_refused_running_config_kept)
{
	struct ferry_config *was = cfg_b;
	FILE *f;

	a_b_wait();
	f = fopen(path_b, "w");
	cr_assert_not_null(f);
	fprintf(f, "{\"router\": {\"name\": \"b\", \"router_id\": \"127.0.0.2\", \"asn\": 65000},"
		   " \"bgp\": {\"neighbors\": [{\"address\": \"127.0.0.3\", \"remote_as\": \"x\"}]}}");
	fclose(f);
	cr_assert_not(reload_b(), "a bad file was taken");
	cr_assert_eq(cfg_b, was);
	cr_assert_null(bgpd_peer_by_addr(B, ADDR_C));
	f = fopen(path_b, "w");
	cr_assert_not_null(f);
	fprintf(f, "{ not json");
	fclose(f);
	cr_assert_not(reload_b(), "a file that is not JSON was taken");
	cr_assert(!run_until(c_reset, (void *)(uintptr_t)0, 1));
	a_b_untouched();
}

Test(bgpd_reload, restart_only_changes_refused)
{
	struct bgpd_reload_stats st;
	struct ferry_config *nc;
	char err[512], more[8192];
	size_t off = 0;

	a_b_wait();
	/* a new router id, with a neighbor added: nothing of it applied */
	write_b(C_CLIENT, 65000, "127.0.0.22");
	nc = load_b();
	cr_assert_eq(bgpd_reload(B, nc, &st, err, sizeof(err)), -1);
	cr_assert(strstr(err, "router.router_id changed; that needs a restart of bgpd"), "%s", err);
	/* named as a load error names it: the base name, not the path */
	cr_assert(strncmp(err, strrchr(path_b, '/') + 1, strlen(strrchr(path_b, '/') + 1)) == 0,
		  "the file is not named as the loader names it: %s", err);
	cfg_drop(nc);
	cr_assert_null(bgpd_peer_by_addr(B, ADDR_C), "a refused reload added a neighbor");

	write_b(C_CLIENT, 65001, "127.0.0.2");
	nc = load_b();
	cr_assert_eq(bgpd_reload(B, nc, &st, err, sizeof(err)), -1);
	cr_assert(strstr(err, "router.asn changed"), "%s", err);
	cfg_drop(nc);

	/* more neighbors than the slots sized at start (21 for 1) */
	for (int i = 0; i < 21; i++)
		off += (size_t)snprintf(more + off, sizeof(more) - off,
					", {\"address\": \"127.0.1.%d\", \"remote_as\": 65000}", i + 1);
	write_b(more, 65000, "127.0.0.2");
	nc = load_b();
	cr_assert_eq(bgpd_reload(B, nc, &st, err, sizeof(err)), -1);
	cr_assert(strstr(err, "bgp.neighbors: 22 neighbors, but this bgpd has room for 21"), "%s",
		  err);
	cfg_drop(nc);
	cr_assert_eq(B->cfg, cfg_b);
	a_b_untouched();

	/* 21 fit: the same without the first */
	write_b(strstr(more + 1, ", {"), 65000, "127.0.0.2");
	cr_assert(reload_b(), "21 neighbors refused");
	cr_assert_not_null(bgpd_peer_by_addr(B, 0x7f000115u)); /* 127.0.1.21 */
	cr_assert_null(bgpd_peer_by_addr(B, 0x7f000101u));     /* 127.0.1.1, left out */
	a_b_untouched();
}

/*
 * Not a reload, but the update groups' memo that reload.c clears when a
 * slot changes hands (adjout_forget_source): a session that comes back
 * with another BGP identifier is a new source too. C (no graceful
 * restart, so B withdraws its routes when it goes) restarts as router
 * 127.0.0.33 and announces the same route: the attributes B interns are
 * the same set as before, and A must hear the new ORIGINATOR_ID, not the
 * one memoized from C's first life (RFC 4456 section 8).
 */
static void setup_c_no_gr(void)
{
	start(C_CLIENT);
	bgpd_free(C);
	cfg_drop(cfg_c);
	cfg_c = load_spoke_as(3, "127.0.0.3", false);
	C = bgpd_new(base, cfg_c);
	cr_assert_not_null(C);
}

TestSuite(bgpd_memo, .init = setup_c_no_gr, .fini = teardown, .timeout = 40);

static uint32_t a_originator(void)
{
	struct rib_entry *e = rib_lookup(A->rib, &rd, &pfx);

	cr_assert(e && e->best, "A has no route of C's");
	cr_assert(attr_has(&e->best->attrs->a, ATTR_ORIGINATOR_ID));
	return e->best->attrs->a.originator_id;
}

Test(bgpd_memo, a_source_back_with_a_new_router_id_is_reflected_with_it)
{
	a_b_wait();
	c_announces();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not reflected to A");
	cr_assert_eq(a_originator(), ADDR_C);

	bgpd_free(C); /* C goes without a word; no graceful restart: B withdraws its route */
	C = NULL;
	cr_assert(run_until(a_has_c_route, NULL, 10), "A kept C's route");
	cfg_drop(cfg_c);
	cfg_c = load_spoke_as(3, "127.0.0.33", false);
	C = bgpd_new(base, cfg_c);
	cr_assert_not_null(C);
	c_announces();
	cr_assert(run_until(b_c_up, NULL, 15), "B and C never established again");
	cr_assert(run_until(a_has_c_route, (void *)1, 5), "C's route not back at A");
	cr_assert_eq(a_originator(), 0x7f000021u, "A heard C's old router id as ORIGINATOR_ID");
	a_b_untouched();
}


/* ---- GET /reload/check, the dry run (bgpd/api_reload.c) ---- */

/* B's /reload/check as served (its route, its parameter check), parsed. */
static json_object *check_b(void)
{
	const struct api_route *r = bgpd_api_find("/reload/check");
	json_object *j;
	int status;

	cr_assert_not_null(r);
	cr_assert(r->local, "/reload/check is served on TCP");
	j = t_api_get(r, B, &status);
	cr_assert_eq(status, 200);
	return j;
}

static json_object *jget(json_object *o, const char *k)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, k, &v), "no %s", k);
	return v;
}

static const char *jstr(json_object *o, const char *k)
{
	return json_object_get_string(jget(o, k));
}

/* Nothing of B moved: its config, its neighbors A and C, both sessions. */
static void b_untouched(const struct ferry_config *was, const struct bgp_conn *c_conn)
{
	cr_assert_eq(B->cfg, was);
	cr_assert_eq(cfg_b, was);
	cr_assert_null(bgpd_peer_by_addr(B, 0x7f000004u), "the dry run added a neighbor");
	cr_assert_eq(bgpd_peer_by_addr(B, ADDR_C)->cfg, &was->bgp.neighbors[1]);
	cr_assert(bgpd_peer_by_addr(B, ADDR_C)->cfg->rr_client);
	cr_assert_eq(bgpd_peer_by_addr(B, ADDR_C)->est, c_conn, "B's session with C moved");
	a_b_untouched();
}

static const char *const D_NEW =
	", {\"address\": \"127.0.0.4\", \"remote_as\": 65000, \"local_address\": \"127.0.0.2\"}";

Test(bgpd_reload_c, dry_run_accepted_says_what_the_reload_then_does)
{
	struct ferry_config *was = cfg_b, *nc;
	const struct bgp_conn *c_conn;
	struct bgpd_reload_stats st;
	json_object *j, *v;
	char more[512], err[512], done[128];

	a_b_wait();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	c_conn = bgpd_peer_by_addr(B, ADDR_C)->est;
	/* C no longer a route-reflector client, D new, A as it was */
	snprintf(more, sizeof(more), "%s%s",
		 ", {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"local_address\":"
		 " \"127.0.0.2\"}", D_NEW);
	write_b(more, 65000, "127.0.0.2");
	j = check_b();
	cr_assert(json_object_get_boolean(jget(j, "accepted")));
	cr_assert_null(jstr(j, "reason"));
	cr_assert_str_eq(jstr(j, "daemon"), "bgpd");
	cr_assert_str_eq(jstr(j, "file"), path_b);
	cr_assert_str_eq(jstr(j, "summary"), "1 neighbor added, 0 removed, 1 changed, 1 unchanged");
	v = jget(j, "neighbors");
	cr_assert_eq(json_object_array_length(v), 2);
	cr_assert_str_eq(jstr(json_object_array_get_idx(v, 0), "address"), "127.0.0.3");
	cr_assert_str_eq(jstr(json_object_array_get_idx(v, 0), "action"), "changed");
	cr_assert_str_eq(jstr(json_object_array_get_idx(v, 0), "setting"),
			 "route_reflector_client");
	cr_assert_str_eq(jstr(json_object_array_get_idx(v, 1), "address"), "127.0.0.4");
	cr_assert_str_eq(jstr(json_object_array_get_idx(v, 1), "action"), "added");
	cr_assert_null(jstr(json_object_array_get_idx(v, 1), "setting"));
	json_object_put(j);
	cr_assert(!run_until(c_reset, (void *)(uintptr_t)bgpd_peer_by_addr(C, ADDR_B)->session_downs,
			     1), "the dry run reset C's session");
	b_untouched(was, c_conn);

	/* the reload of the same file: the same summary, and it happened */
	nc = bgpd_reload_load(cfg_b, NULL, err, sizeof(err));
	cr_assert_not_null(nc, "%s", err);
	cr_assert_eq(bgpd_reload(B, nc, &st, err, sizeof(err)), 0, "%s", err);
	cfg_drop(cfg_b);
	cfg_b = nc;
	bgpd_reload_stats_format(&st, done, sizeof(done));
	cr_assert_str_eq(done, "1 neighbor added, 0 removed, 1 changed, 1 unchanged");
	cr_assert_not_null(bgpd_peer_by_addr(B, 0x7f000004u));
	cr_assert_not(bgpd_peer_by_addr(B, ADDR_C)->cfg->rr_client);
}

Test(bgpd_reload_c, dry_run_refused_gives_the_reason_and_touches_nothing)
{
	struct ferry_config *was = cfg_b;
	const struct bgp_conn *c_conn;
	json_object *j;
	char want[256];
	FILE *f;

	a_b_wait();
	cr_assert(run_until(b_c_up, NULL, 10), "B and C never established");
	c_conn = bgpd_peer_by_addr(B, ADDR_C)->est;
	/* a new router id (restart only), C removed and D added: none of it */
	write_b(D_NEW, 65000, "127.0.0.22");
	j = check_b();
	cr_assert_not(json_object_get_boolean(jget(j, "accepted")));
	/* the file named as a load error names it, its base name (it was the path) */
	snprintf(want, sizeof(want), "%s: router.router_id changed; that needs a restart of bgpd",
		 strrchr(path_b, '/') + 1);
	cr_assert_str_eq(jstr(j, "reason"), want);
	cr_assert_null(jstr(j, "summary"));
	cr_assert_null(jstr(j, "neighbors"));
	json_object_put(j);
	b_untouched(was, c_conn);

	/* a file that does not load: the loader's words */
	f = fopen(path_b, "w");
	cr_assert_not_null(f);
	fputs("{ \"router\": ", f);
	fclose(f);
	j = check_b();
	cr_assert_not(json_object_get_boolean(jget(j, "accepted")));
	cr_assert(strstr(jstr(j, "reason"), "invalid JSON"), "%s", jstr(j, "reason"));
	json_object_put(j);
	b_untouched(was, c_conn);
	/* and SIGHUP refuses the same file */
	cr_assert_not(reload_b());
	b_untouched(was, c_conn);
}

Test(bgpd_reload_c, dry_run_names_a_shutdown)
{
	json_object *j, *v;

	a_b_wait();
	write_b(", {\"address\": \"127.0.0.3\", \"remote_as\": 65000, \"local_address\":"
		" \"127.0.0.2\", \"route_reflector_client\": true, \"shutdown\": \"maintenance\"}",
		65000, "127.0.0.2");
	j = check_b();
	cr_assert_str_eq(jstr(j, "summary"), "0 neighbors added, 0 removed, 1 changed, 1 unchanged");
	v = jget(j, "neighbors");
	cr_assert_eq(json_object_array_length(v), 1);
	cr_assert_str_eq(jstr(json_object_array_get_idx(v, 0), "action"), "shut_down");
	json_object_put(j);
	cr_assert_not(bgpd_peer_by_addr(B, ADDR_C)->cfg->shutdown);
}
