/*
 * vrfmgr's /events (vrfmgr/api_events.c) on a VRF table of its own: the
 * ?vrf= filter and the "vrf" field of FIB and label events name the VRF
 * the event was about, also after a reload gave that VRF's id to another
 * (ids are reused: the lowest free one), so vrf=C never shows what A had.
 */
#include <criterion/criterion.h>

#include "test_common_api_util.h"
#include "test_vrfmgr_fixture.h"
#include "vrfmgr/api.h"
#include "vrfmgr/api_events_int.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/vrfmgr.h"

/* pe1 after a reload: A gone, C added (taking A's id), B as it was. */
#define PE1_C_JSON                                                                               \
	"{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"      \
	"  \"run_dir\": \"/tmp/ferry-test\", \"label_range\": { \"min\": 100, \"max\": 199 } },"  \
	"  \"bgp\": { \"listen\": \"10.255.0.1\", \"neighbors\": [ { \"address\": \"10.255.0.2\"," \
	"    \"remote_as\": 65000, \"local_address\": \"10.255.0.1\" } ] },"                     \
	"  \"vrfs\": ["                                                                          \
	"    { \"name\": \"B\", \"rd\": \"10.255.0.1:200\", \"import_rts\": [\"65000:200\"],"      \
	"      \"export_rts\": [\"65000:200\"], \"label_mode\": \"per-vrf\","                      \
	"      \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ],"         \
	"      \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.2.1.2\"," \
	"                             \"interface\": \"ce-b1\" } ] },"                           \
	"    { \"name\": \"C\", \"rd\": \"10.255.0.1:300\", \"import_rts\": [\"65000:300\"],"      \
	"      \"export_rts\": [\"65000:300\"], \"label_mode\": \"per-vrf\","                      \
	"      \"interfaces\": [ { \"name\": \"ce-c1\", \"address\": \"10.3.1.1/30\" } ] } ],"     \
	"  \"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16, \"next_hop\": \"10.0.1.2\"," \
	"              \"interface\": \"core0\" } ],"                                             \
	"  \"fwd\": { \"mode\": \"pe\", \"core_interfaces\": [ { \"name\": \"core0\","            \
	"            \"address\": \"10.0.1.1/30\" } ] } }"

static struct ferry_config cfgs[2];
static struct vrfmgr vm;
static struct fx_rec rec;

static int h_vrf_events(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)ctx;
	return vrfapi_events(w, req, &vm);
}

static const struct api_route routes[] = {
	{ "/events", h_vrf_events, "SSE",
	  .params = API_PARAMS("since", "limit", "snapshot", "type", "vrf") },
};

static void setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };

	api_fixture_setup(routes, sizeof(routes) / sizeof(routes[0]));
	fx_load(&cfgs[0], FX_PE1_JSON);
	fx_load(&cfgs[1], PE1_C_JSON);
	vm.cfg = &cfgs[0];
	vm.base = base;
	vm.api = srv;
	cr_assert_eq(vrf_table_init(&vm.table, &cfgs[0], &dp), 0);
	cr_assert_eq(vrfapi_events_start(&vm), 0);
}

static void teardown(void)
{
	api_fixture_teardown(); /* the server first: it ends the ring, which reads the table */
	vrf_table_free(&vm.table);
	config_free(&cfgs[0]);
	config_free(&cfgs[1]);
}

TestSuite(vrfevents, .init = setup, .fini = teardown);

static const char *get(const char *query)
{
	char req[256];

	snprintf(req, sizeof(req), "GET /events?%s HTTP/1.0\r\n\r\n", query);
	return body_of(http(req));
}

Test(vrfevents, a_reused_vrf_id_does_not_pass_the_old_vrfs_events_as_the_new_ones)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn c = fx_vpn("10.255.0.2:300", "192.168.103.0/24", 203, "10.255.0.2",
				 "65000:300");
	uint32_t a_id = vrf_by_name(&vm.table, "A")->id;
	struct reload_stats st;
	char q[128];
	uint64_t before;
	const char *b;

	before = vrfapi_events_last(&vm);
	cr_assert_eq(fx_import(&vm.table, &a), 1);
	cr_assert_eq(vrf_table_reload(&vm.table, &cfgs[1], &st), 0);
	cr_assert_eq(vrf_by_name(&vm.table, "C")->id, a_id, "the test wants C to take A's id");
	cr_assert_eq(fx_import(&vm.table, &c), 1);

	/* the first FIB add C's client gets is C's, not A's route of before */
	snprintf(q, sizeof(q), "since=%llu&vrf=C&type=fib&limit=1", (unsigned long long)before);
	b = get(q);
	cr_assert_null(strstr(b, "192.168.101.0/24"), "A's route passed vrf=C: %s", b);
	cr_assert_not_null(strstr(b, "\"vrf\":\"C\""), "%s", b);
	/* and read unfiltered, A's FIB add does not name C */
	snprintf(q, sizeof(q), "since=%llu&type=fib&limit=1", (unsigned long long)before);
	b = get(q);
	cr_assert_not_null(strstr(b, "192.168.101.0/24"), "%s", b);
	cr_assert_null(strstr(b, "\"vrf\":\"C\""), "A's FIB add named as C's: %s", b);
	/* A's per-VRF label (pop-lookup into A) is not C's either */
	snprintf(q, sizeof(q), "since=%llu&vrf=C&type=label&limit=1", (unsigned long long)before);
	b = get(q);
	cr_assert_not_null(strstr(b, "\"vrf\":\"C\""), "%s", b);
	cr_assert_null(strstr(b, "\"action\":\"del\""), "%s", b);
}

/* GET /events?<query>, read until until comes (at most 5 s). */
static const char *get_until(const char *query, const char *until)
{
	static char resp[1 << 16];
	char req[256];
	size_t n = 0;
	int fd = unix_fd();

	resp[0] = '\0';
	snprintf(req, sizeof(req), "GET /events?%s HTTP/1.0\r\n\r\n", query);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	for (int i = 0; i < 500 && strstr(resp, until) == NULL; i++) {
		struct timeval tick = { 0, 10000 };
		ssize_t r;

		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
		while ((r = recv(fd, resp + n, sizeof(resp) - 1 - n, MSG_DONTWAIT)) > 0)
			n += (size_t)r;
		resp[n] = '\0';
	}
	close(fd);
	cr_assert_not_null(strstr(resp, until), "no %s: %s", until, resp);
	return resp;
}

/* GET /events?<query> (a snapshot asked), read until its snapshot-end. */
static const char *get_snapshot(const char *query)
{
	return get_until(query, "event: snapshot-end");
}

Test(vrfevents, snapshot_items_of_a_vrf_added_by_a_reload_name_it)
{
	struct fx_vpn c = fx_vpn("10.255.0.2:300", "192.168.103.0/24", 203, "10.255.0.2",
				 "65000:300");
	struct reload_stats st;
	const char *b;

	cr_assert_eq(vrf_table_reload(&vm.table, &cfgs[1], &st), 0);
	cr_assert_eq(fx_import(&vm.table, &c), 1);
	b = get_snapshot("snapshot=1&vrf=C&type=fib");
	cr_assert_not_null(strstr(b, "event: fib\ndata: {\"snapshot\":true"), "%s", b);
	cr_assert_not_null(strstr(b, "192.168.103.0/24"), "%s", b);
	cr_assert_not_null(strstr(b, "\"vrf\":\"C\""), "%s", b);
}

/* The parts of the snapshot a client's ?type= leaves out are neither sent nor walked. */
Test(vrfevents, snapshot_parts_follow_the_types_asked)
{
	const char *b;

	b = get_snapshot("snapshot=1&type=label");
	cr_assert_not_null(strstr(b, "event: label\ndata: {\"snapshot\":true"), "%s", b);
	cr_assert_null(strstr(b, "event: fib"), "%s", b);
	b = get_snapshot("snapshot=1&type=vrf");
	cr_assert_not_null(strstr(b, "event: vrf\ndata: {\"snapshot\":true"), "%s", b);
	cr_assert_null(strstr(b, "event: fib"), "%s", b);
	cr_assert_null(strstr(b, "event: label"), "%s", b);
	b = get_snapshot("snapshot=1&type=fib");
	cr_assert_not_null(strstr(b, "event: fib\ndata: {\"snapshot\":true"), "%s", b);
	cr_assert_null(strstr(b, "event: label"), "%s", b);
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A fill that stops after each label looked at still gives every label, once, across fills. */
Test(vrfevents, a_label_snapshot_yielding_after_each_label_gives_them_all)
{
	size_t whole, cut, whole_b, cut_b;

	whole = count_of(get_snapshot("snapshot=1&type=label"), "event: label\n");
	whole_b = count_of(get_snapshot("snapshot=1&type=label&vrf=B"), "event: label\n");
	vrfapi_snap_label_look = 1;
	cut = count_of(get_snapshot("snapshot=1&type=label"), "event: label\n");
	cut_b = count_of(get_snapshot("snapshot=1&type=label&vrf=B"), "event: label\n");
	vrfapi_snap_label_look = 65536;
	cr_assert_geq(whole, 2);
	cr_assert_eq(whole_b, 1);
	cr_assert_eq(cut, whole);
	cr_assert_eq(cut_b, whole_b);
}

/*
 * A's removal reaches A's watcher, also one resuming after the reload (A
 * gone, C holding its id): its FIB del and its label's del name A, so
 * ?vrf=A passes them and ?vrf=B, ?vrf=C do not.
 */
Test(vrfevents, a_removed_vrfs_fib_and_label_dels_reach_its_watcher_alone)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn b2 = fx_vpn("10.255.0.2:200", "192.168.102.0/24", 201, "10.255.0.2",
				  "65000:200");
	struct fx_vpn c = fx_vpn("10.255.0.2:300", "192.168.103.0/24", 203, "10.255.0.2",
				 "65000:300");
	uint32_t a_label = vrf_by_name(&vm.table, "A")->label;
	struct reload_stats st;
	char q[160], want[64];
	uint64_t before;
	const char *b;

	cr_assert_eq(fx_import(&vm.table, &a), 1);
	before = vrfapi_events_last(&vm);
	cr_assert_eq(vrf_table_reload(&vm.table, &cfgs[1], &st), 0);
	cr_assert_eq(vrf_by_name(&vm.table, "C")->id, 1, "the test wants C to take A's id");
	cr_assert_eq(fx_import(&vm.table, &b2), 1); /* the last events of B and C */
	cr_assert_eq(fx_import(&vm.table, &c), 1);

	/* A's vrf del comes after its FIB and labels have left */
	snprintf(q, sizeof(q), "since=%llu&vrf=A", (unsigned long long)before);
	b = get_until(q, "event: vrf\n");
	cr_assert_not_null(strstr(b, "\"action\":\"del\",\"vrf\":\"A\",\"vrf_id\":1,"
				     "\"prefix\":\"192.168.101.0/24\""), "no FIB del: %s", b);
	snprintf(want, sizeof(want), "\"action\":\"del\",\"label\":%u,\"vrf\":\"A\"", a_label);
	cr_assert_not_null(strstr(b, want), "no label del: %s", b);
	cr_assert_null(strstr(b, "\"vrf\":\"C\""), "C's events passed vrf=A: %s", b);
	cr_assert_null(strstr(b, "\"vrf\":\"B\""), "%s", b);

	for (int i = 0; i < 2; i++) {
		snprintf(q, sizeof(q), "since=%llu&vrf=%s", (unsigned long long)before,
			 i == 0 ? "B" : "C");
		b = get_until(q, i == 0 ? "192.168.102.0/24" : "192.168.103.0/24");
		cr_assert_null(strstr(b, "\"vrf\":\"A\""), "A's events passed vrf=%s: %s",
			       i == 0 ? "B" : "C", b);
		cr_assert_null(strstr(b, "192.168.101.0/24"), "%s", b);
	}
	/* a new client asking for A, which is gone, is told so */
	b = get("vrf=A");
	cr_assert_not_null(strstr(b, "no VRF named \\\"A\\\""), "%s", b);
}

/*
 * An installed route whose route targets change while its next hop and
 * label stay (an UPDATE adding an RT) is the same FIB entry for fwd, which
 * is not told again; a mirror of the routes still needs its new RTs: a
 * fib add with them follows.
 */
Test(vrfevents, a_route_targets_change_alone_is_a_fib_add_with_the_new_ones)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn a2 = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				  "65000:100 65000:999");
	char q[128];
	uint64_t before;
	size_t fwd_told;
	const char *b;

	cr_assert_eq(fx_import(&vm.table, &a), 1);
	before = vrfapi_events_last(&vm);
	fwd_told = rec.n;
	cr_assert_eq(fx_import(&vm.table, &a2), 1);
	cr_assert_eq(rec.n, fwd_told, "fwd was told again: %s", rec.line[rec.n - 1]);

	snprintf(q, sizeof(q), "since=%llu&type=fib", (unsigned long long)before);
	b = get_until(q, "65000:999");
	cr_assert_not_null(strstr(b, "\"action\":\"add\",\"vrf\":\"A\",\"vrf_id\":1,"
				     "\"prefix\":\"192.168.101.0/24\",\"type\":\"labeled\","
				     "\"inner_label\":200,\"outer_label\":16"), "%s", b);
	cr_assert_not_null(strstr(b, "\"route_targets\":[\"65000:100\",\"65000:999\"]"), "%s", b);
	cr_assert_eq(count_of(b, "event: fib\n"), 1, "%s", b);
}

/*
 * The other two ways of the same: another candidate with the same next hop
 * and label but other RTs taking over is a fib add with its RTs (fwd not
 * told); an UPDATE that leaves the RTs as they were, or one changing a
 * candidate that is not selected, is no event at all.
 */
Test(vrfevents, a_takeover_with_other_route_targets_alone_is_one_fib_add)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn b = fx_vpn("10.255.0.2:101", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100 65000:999");
	struct fx_vpn b2 = fx_vpn("10.255.0.2:101", "192.168.101.0/24", 200, "10.255.0.2",
				  "65000:100 65000:998");
	char q[128];
	uint64_t before;
	size_t fwd_told;
	const char *body;

	cr_assert_eq(fx_import(&vm.table, &a), 1); /* selected: the lower RD */
	cr_assert_eq(fx_import(&vm.table, &b), 1);
	before = vrfapi_events_last(&vm);
	cr_assert_eq(fx_import(&vm.table, &a), 1);
	cr_assert_eq(vrfapi_events_last(&vm), before, "the same UPDATE again was an event");
	cr_assert_eq(fx_import(&vm.table, &b2), 1);
	cr_assert_eq(vrfapi_events_last(&vm), before, "the unselected one's RTs were an event");

	fwd_told = rec.n;
	cr_assert_eq(fx_withdraw(&vm.table, "10.255.0.2:100", "192.168.101.0/24"), 1);
	cr_assert_eq(rec.n, fwd_told, "fwd was told again: %s", rec.line[rec.n - 1]);
	snprintf(q, sizeof(q), "since=%llu&type=fib", (unsigned long long)before);
	body = get_until(q, "65000:998");
	cr_assert_not_null(strstr(body, "\"route_targets\":[\"65000:100\",\"65000:998\"]"), "%s",
			   body);
	cr_assert_eq(count_of(body, "event: fib\n"), 1, "%s", body);
}

/*
 * A local route's RTs are its VRF's export RTs: a reload changing them is,
 * for each local route installed, a fib add with the new ones (fwd holds
 * the same entries and is not told), as /routes then shows them.
 */
Test(vrfevents, a_reload_changing_export_rts_is_a_fib_add_per_local_route)
{
	static const char from[] = "\"export_rts\": [\"65000:200\"]";
	static char json[4096];
	struct ferry_config c2;
	struct reload_stats st;
	const char *pe1 = FX_PE1_JSON, *at = strstr(pe1, from), *b;
	char q[128];
	uint64_t before;
	size_t fwd_told;

	cr_assert_not_null(at);
	snprintf(json, sizeof(json), "%.*s\"export_rts\": [\"65000:200\", \"65000:299\"]%s",
		 (int)(at - pe1), pe1, at + strlen(from));
	fx_load(&c2, json);
	before = vrfapi_events_last(&vm);
	fwd_told = rec.n;
	cr_assert_eq(vrf_table_reload(&vm.table, &c2, &st), 0);
	cr_assert_eq(rec.n, fwd_told, "fwd was told: %s", rec.line[rec.n - 1]);

	snprintf(q, sizeof(q), "since=%llu&type=fib", (unsigned long long)before);
	b = get_until(q, "\"prefix\":\"192.168.100.0/24\"");
	cr_assert_eq(count_of(b, "event: fib\n"), 2, "%s", b);
	cr_assert_not_null(strstr(b, "\"vrf\":\"B\",\"vrf_id\":2,\"prefix\":\"10.2.1.0/30\",\"type\":"
				     "\"connected\""), "%s", b);
	cr_assert_eq(count_of(b, "\"route_targets\":[\"65000:200\",\"65000:299\"]"), 2, "%s", b);
	cr_assert_eq(vrf_table_reload(&vm.table, &cfgs[0], &st), 0); /* c2 is freed below */
	config_free(&c2);
}

/*
 * A label range of two, 60 s hold-down: C replacing A finds A's label held
 * down and B's in use, and waits. Its connected route is installed, not
 * exported: its fib add carries no RTs, as /routes gives it; when the
 * hold-down ends C gets the label, exports, and a fib add with its export
 * RTs follows (fwd holds the same entry and is not told).
 */
static int64_t now;

static int64_t fake_clock(void)
{
	return now;
}

/* json with the label range cut to 100-101, held down 60 s, into cfg. */
static void load_tight(struct ferry_config *cfg, const char *json)
{
	static const char from[] = "\"max\": 199 }";
	static char tight[4096];
	const char *at = strstr(json, from);

	cr_assert_not_null(at);
	snprintf(tight, sizeof(tight), "%.*s\"max\": 101 }, \"label_hold_down\": 60%s",
		 (int)(at - json), json, at + strlen(from));
	fx_load(cfg, tight);
}

/* Criterion runs the suite's setup first and its teardown last: this one replaces the first. */
static void tight_setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };

	teardown();
	api_fixture_setup(routes, sizeof(routes) / sizeof(routes[0]));
	load_tight(&cfgs[0], FX_PE1_JSON);
	load_tight(&cfgs[1], PE1_C_JSON);
	vm.cfg = &cfgs[0];
	vm.base = base;
	vm.api = srv;
	now = 1000;
	cr_assert_eq(vrf_table_init(&vm.table, &cfgs[0], &dp), 0);
	vm.table.labels.clock = fake_clock;
	cr_assert_eq(vrfapi_events_start(&vm), 0);
}

Test(vrfevents, a_local_route_waiting_for_a_label_has_no_rts_until_exported,
     .init = tight_setup)
{
	struct reload_stats st;
	const struct vrf *c;
	char q[128];
	uint64_t before;
	int fwd_told;
	const char *b;

	before = vrfapi_events_last(&vm);
	cr_assert_eq(vrf_table_reload(&vm.table, &cfgs[1], &st), 0);
	c = vrf_by_name(&vm.table, "C");
	cr_assert_not_null(c);
	cr_assert(c->label_wait, "C should wait for a label");
	snprintf(q, sizeof(q), "since=%llu&type=fib&vrf=C", (unsigned long long)before);
	b = get_until(q, "\"prefix\":\"10.3.1.0/30\"");
	cr_assert_not_null(strstr(b, "\"prefix\":\"10.3.1.0/30\",\"type\":\"connected\","), "%s", b);
	cr_assert_not_null(strstr(b, "\"route_targets\":[]"), "%s", b);
	cr_assert_null(strstr(b, "65000:300"), "%s", b);

	before = vrfapi_events_last(&vm);
	fwd_told = fx_count(&rec, "fib_");
	now += 60;
	vrf_table_labels_tick(&vm.table);
	cr_assert_eq(vrf_by_name(&vm.table, "C")->label, 100, "the hold-down is over: C gets 100");
	cr_assert_eq(fx_count(&rec, "fib_"), fwd_told, "fwd was told: %s", rec.line[rec.n - 1]);
	snprintf(q, sizeof(q), "since=%llu&type=fib&vrf=C", (unsigned long long)before);
	b = get_until(q, "65000:300");
	cr_assert_not_null(strstr(b, "\"action\":\"add\",\"vrf\":\"C\",\"vrf_id\":1,"
				     "\"prefix\":\"10.3.1.0/30\",\"type\":\"connected\""), "%s", b);
	cr_assert_not_null(strstr(b, "\"route_targets\":[\"65000:300\"]"), "%s", b);
	cr_assert_eq(count_of(b, "event: fib\n"), 1, "%s", b);
}

/*
 * A local route new at runtime (here C's connected and static routes, and
 * D's connected one, which a reload brings) is installed, then exported in
 * the same selection: one fib add, with the RTs it goes out with (C's
 * export RTs; none for D, which exports nothing), not one with none and a
 * second with them.
 */
#define C_STATIC_ROUTE                                                                             \
	"\"static_routes\": [ { \"prefix\": \"192.168.103.0/24\", \"next_hop\": \"10.3.1.2\","     \
	"\"interface\": \"ce-c1\" } ] }"
#define VRF_D                                                                                      \
	", { \"name\": \"D\", \"rd\": \"10.255.0.1:400\", \"import_rts\": [\"65000:400\"],"        \
	"\"export_rts\": [], \"interfaces\": [ { \"name\": \"ce-d1\","                             \
	"\"address\": \"10.4.1.1/30\" } ] }"

Test(vrfevents, a_local_route_added_at_runtime_is_one_fib_add_with_its_rts)
{
	static const char from[] = "\"address\": \"10.3.1.1/30\" } ] }";
	static char json[4096];
	struct ferry_config c2;
	struct reload_stats st;
	const char *pe1c = PE1_C_JSON, *at = strstr(pe1c, from), *b;
	char q[128];
	uint64_t before;

	cr_assert_not_null(at);
	snprintf(json, sizeof(json),
		 "%.*s\"address\": \"10.3.1.1/30\" } ], " C_STATIC_ROUTE VRF_D "%s",
		 (int)(at - pe1c), pe1c, at + strlen(from));
	fx_load(&c2, json);
	before = vrfapi_events_last(&vm);
	cr_assert_eq(vrf_table_reload(&vm.table, &c2, &st), 0);

	snprintf(q, sizeof(q), "since=%llu&type=fib&vrf=C", (unsigned long long)before);
	b = get_until(q, "\"prefix\":\"192.168.103.0/24\"");
	cr_assert_eq(count_of(b, "event: fib\n"), 2, "%s", b);
	cr_assert_eq(count_of(b, "\"route_targets\":[\"65000:300\"]"), 2, "%s", b);
	cr_assert_not_null(strstr(b, "\"prefix\":\"10.3.1.0/30\",\"type\":\"connected\""), "%s", b);

	snprintf(q, sizeof(q), "since=%llu&type=fib&vrf=D", (unsigned long long)before);
	b = get_until(q, "\"prefix\":\"10.4.1.0/30\"");
	cr_assert_eq(count_of(b, "event: fib\n"), 1, "%s", b);
	cr_assert_not_null(strstr(b, "\"route_targets\":[]"), "%s", b);
	cr_assert_eq(vrf_table_reload(&vm.table, &cfgs[0], &st), 0); /* c2 is freed below */
	config_free(&c2);
}

/*
 * Route targets are a set: the same ones in another order (an UPDATE
 * listing them differently, a reload reordering a VRF's export_rts) are no
 * change and no event; a different count of one (a duplicate more) still is.
 */
Test(vrfevents, reordered_route_targets_are_no_fib_add)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100 65000:999");
	struct fx_vpn a2 = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				  "65000:999 65000:100");
	struct fx_vpn a3 = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				  "65000:999 65000:100 65000:999");
	uint64_t before;

	cr_assert_eq(fx_import(&vm.table, &a), 1);
	before = vrfapi_events_last(&vm);
	cr_assert_eq(fx_import(&vm.table, &a2), 1);
	cr_assert_eq(vrfapi_events_last(&vm), before, "reordered RTs were an event");
	cr_assert_eq(fx_import(&vm.table, &a3), 1);
	cr_assert_eq(vrfapi_events_last(&vm), before + 1, "a duplicate more is a change");
}

/* pe1 with B's export_rts as given (a JSON array's inside) into cfg. */
static void load_b_exports(struct ferry_config *cfg, const char *rts)
{
	static const char from[] = "\"export_rts\": [\"65000:200\"]";
	static char json[4096];
	const char *pe1 = FX_PE1_JSON, *at = strstr(pe1, from);

	cr_assert_not_null(at);
	snprintf(json, sizeof(json), "%.*s\"export_rts\": [%s]%s", (int)(at - pe1), pe1, rts,
		 at + strlen(from));
	fx_load(cfg, json);
}

Test(vrfevents, a_reload_reordering_export_rts_is_no_fib_add)
{
	struct ferry_config c2, c3;
	struct reload_stats st;
	uint64_t before;
	size_t fwd_told;

	load_b_exports(&c2, "\"65000:200\", \"65000:299\"");
	load_b_exports(&c3, "\"65000:299\", \"65000:200\"");
	cr_assert_eq(vrf_table_reload(&vm.table, &c2, &st), 0);
	before = vrfapi_events_last(&vm);
	fwd_told = rec.n;
	cr_assert_eq(vrf_table_reload(&vm.table, &c3, &st), 0);
	cr_assert_eq(rec.n, fwd_told, "fwd was told: %s", rec.line[rec.n - 1]);
	cr_assert_eq(vrfapi_events_last(&vm), before, "reordered export RTs were an event");
	cr_assert_eq(vrf_table_reload(&vm.table, &cfgs[0], &st), 0); /* c2, c3 are freed below */
	config_free(&c2);
	config_free(&c3);
}
