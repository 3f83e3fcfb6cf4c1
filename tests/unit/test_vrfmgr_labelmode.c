/*
 * The three label modes (vrfmgr/vrf_label.c, export.c): per-vrf pops and
 * looks up; per-ce gives one label per CE next hop, popped straight to it;
 * per-prefix one label per exported prefix, re-pointed when its next hop
 * changes. Checked on the recorded dataplane calls and exports: labels,
 * LFIB actions and next hops, the NH-before-LFIB order, labels shared and
 * released, and a replay equal to the incremental state.
 */
#include <criterion/criterion.h>

#include "test_api_route.h"
#include "test_vrfmgr_fixture.h"
#include "vrfmgr/api.h"
#include "vrfmgr/vrfmgr.h"

#define MODES_JSON                                                                               \
	"{ \"router\": { \"name\": \"pe9\", \"router_id\": \"10.255.0.9\", \"asn\": 65000,"      \
	"  \"label_range\": { \"min\": 300, \"max\": 399 } },"                                   \
	"  \"vrfs\": ["                                                                          \
	"   { \"name\": \"C\", \"rd\": \"65000:1\", \"export_rts\": [\"65000:1\"],"                \
	"     \"label_mode\": \"per-ce\","                                                       \
	"     \"interfaces\": [ { \"name\": \"c0\", \"address\": \"10.1.0.1/24\" } ],"             \
	"     \"static_routes\": ["                                                              \
	"       { \"prefix\": \"10.8.0.0/16\", \"next_hop\": \"10.1.0.2\", \"interface\": \"c0\" }," \
	"       { \"prefix\": \"10.9.0.0/16\", \"next_hop\": \"10.1.0.2\", \"interface\": \"c0\" }," \
	"       { \"prefix\": \"10.10.0.0/16\", \"next_hop\": \"10.1.0.3\", \"interface\": \"c0\" } ] }," \
	"   { \"name\": \"P\", \"rd\": \"65000:2\", \"export_rts\": [\"65000:2\"],"                \
	"     \"label_mode\": \"per-prefix\","                                                   \
	"     \"interfaces\": [ { \"name\": \"p0\", \"address\": \"10.2.0.1/24\" } ],"             \
	"     \"static_routes\": ["                                                              \
	"       { \"prefix\": \"10.20.0.0/16\", \"next_hop\": \"10.2.0.2\", \"interface\": \"p0\" }," \
	"       { \"prefix\": \"10.21.0.0/16\", \"next_hop\": \"10.2.0.2\", \"interface\": \"p0\" } ] }," \
	"   { \"name\": \"V\", \"rd\": \"65000:3\", \"export_rts\": [\"65000:3\"],"                \
	"     \"interfaces\": [ { \"name\": \"v0\", \"address\": \"10.3.0.1/24\" } ] } ] }"

static struct ferry_config cfg;
static struct vrf_table t;
static struct fx_rec rec, exps;

static void setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };

	log_init("test", LOG_LVL_ERR);
	memset(&rec, 0, sizeof(rec));
	memset(&exps, 0, sizeof(exps));
	fx_load(&cfg, MODES_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, &dp), 0);
	vrf_table_set_export(&t, &sink);
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfg);
}

TestSuite(labelmode, .init = setup, .fini = teardown);

/* The label prefix p of VRF vrf is exported with (MPLS_LABEL_NONE: not exported). */
static uint32_t exp_label(const char *vrf, const char *p)
{
	struct vrf_prefix *vp = fx_vp(&t, vrf, p);

	return vp != NULL && vp->exp_label != NULL ? vp->exp_label->label : MPLS_LABEL_NONE;
}

static void assert_nh_before_lfib(const struct fx_rec *r)
{
	for (int i = 0; i < r->n; i++) {
		unsigned nh;
		char want[32];

		if (sscanf(r->line[i], "lfib_add %*u action 2 vrf %*u nh %u", &nh) != 1)
			continue;
		snprintf(want, sizeof(want), "nh_add %u ", nh);
		cr_assert_geq(fx_find(r, want), 0, "line %d (%s): nh %u never added", i, r->line[i],
			      nh);
		cr_assert_lt(fx_find(r, want), i, "line %d (%s): nh %u added later", i, r->line[i],
			     nh);
	}
}

static void upsert_static(const char *vrf, const char *p, const char *ifname, const char *gw)
{
	struct vrf *v = vrf_by_name(&t, vrf);
	struct vrf_route r = { .source = ROUTE_STATIC, .inner_label = MPLS_LABEL_NONE,
			       .valid = true, .distance = 1 };
	struct prefix4 pf = fx_prefix(p);
	uint32_t a;

	cr_assert_eq(ipv4_parse(gw, &a), 0);
	r.rd = v->cfg->rd;
	r.rts = v->cfg->export_rts;
	r.n_rts = v->cfg->n_export_rts;
	r.nh = nexthop_get_gateway(&t.nhs, ifname, a);
	cr_assert_eq(vrf_route_upsert(&t, v, &pf, &r), 0);
}

static void remove_static(const char *vrf, const char *p)
{
	struct prefix4 pf = fx_prefix(p);

	cr_assert_eq(vrf_route_remove(&t, vrf_by_name(&t, vrf), &pf, ROUTE_STATIC, NULL), 0);
}

Test(labelmode, per_ce_one_label_per_next_hop)
{
	cr_assert_eq(vrf_by_name(&t, "C")->label, MPLS_LABEL_NONE, "no per-VRF label");
	cr_assert_eq(exp_label("C", "10.1.0.0/24"), 300, "the connected subnet is a CE too");
	cr_assert_eq(exp_label("C", "10.8.0.0/16"), 301);
	cr_assert_eq(exp_label("C", "10.9.0.0/16"), 301, "same CE, same label");
	cr_assert_eq(exp_label("C", "10.10.0.0/16"), 302);
	cr_assert_geq(fx_find(&rec, "lfib_add 300 action 2 vrf 1 nh 1"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 301 action 2 vrf 1 nh 2"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 302 action 2 vrf 1 nh 3"), 0);
	cr_assert_eq(fx_count(&rec, "lfib_add 30"), 7);
	cr_assert_geq(fx_find(&rec, "nh_add 2 type 2 gw 10.1.0.2 out - if c0"), 0);
	assert_nh_before_lfib(&rec);
	cr_assert_eq(label_lookup(&t.labels, 301)->refs, 2);
}

Test(labelmode, per_prefix_one_label_each_and_per_vrf_pops_and_looks_up)
{
	cr_assert_eq(exp_label("P", "10.2.0.0/24"), 303);
	cr_assert_eq(exp_label("P", "10.20.0.0/16"), 304);
	cr_assert_eq(exp_label("P", "10.21.0.0/16"), 305);
	cr_assert_geq(fx_find(&rec, "lfib_add 303 action 2 vrf 2 nh 4"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 304 action 2 vrf 2 nh 5"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 305 action 2 vrf 2 nh 5"), 0);
	/* V is per-vrf: its label was claimed before its routes, in config order. */
	cr_assert_eq(vrf_by_name(&t, "V")->label, 306);
	cr_assert_eq(exp_label("V", "10.3.0.0/24"), 306);
	cr_assert_geq(fx_find(&rec, "lfib_add 306 action 1 vrf 3 nh 0"), 0);
	cr_assert_eq(label_lookup(&t.labels, 306)->refs, 2, "the VRF and its one prefix");
	assert_nh_before_lfib(&rec);
}

static void walk_cb(const struct ipc_vpn_route *r, const struct ext_community *rts, void *arg)
{
	fx_exp_add(arg, r, rts);
}

Test(labelmode, exports_carry_the_mode_labels)
{
	struct fx_rec walk = { .n = 0 };

	cr_assert_eq(export_walk(&t, walk_cb, &walk), 8);
	cr_assert_str_eq(walk.line[0], "exp_add 65000:1 10.1.0.0/24 label 300 rt 65000:1 n 1");
	cr_assert_str_eq(walk.line[1], "exp_add 65000:1 10.8.0.0/16 label 301 rt 65000:1 n 1");
	cr_assert_str_eq(walk.line[2], "exp_add 65000:1 10.9.0.0/16 label 301 rt 65000:1 n 1");
	cr_assert_str_eq(walk.line[3], "exp_add 65000:1 10.10.0.0/16 label 302 rt 65000:1 n 1");
	cr_assert_str_eq(walk.line[5], "exp_add 65000:2 10.20.0.0/16 label 304 rt 65000:2 n 1");
	cr_assert_str_eq(walk.line[7], "exp_add 65000:3 10.3.0.0/24 label 306 rt 65000:3 n 1");
	cr_assert_eq(exps.n, 0, "the sink was set after the build: nothing told twice");
}

Test(labelmode, per_ce_label_lives_while_a_prefix_uses_it)
{
	rec.n = 0;
	remove_static("C", "10.8.0.0/16");
	cr_assert_eq(fx_count(&rec, "lfib_del"), 0, "10.9/16 still uses 301");
	cr_assert_eq(exps.n, 1);
	cr_assert_str_eq(exps.line[0], "exp_del 65000:1 10.8.0.0/16");
	remove_static("C", "10.9.0.0/16");
	cr_assert_str_eq(exps.line[1], "exp_del 65000:1 10.9.0.0/16");
	/*
	 * The FIB entries go; the label is held down and, C staying, kept in
	 * fwd with its next hop until the hold-down ends (test_vrfmgr_labelkeep).
	 */
	cr_assert_eq(rec.n, 2);
	cr_assert_str_eq(rec.line[0], "fib_del 1 10.8.0.0/16");
	cr_assert_str_eq(rec.line[1], "fib_del 1 10.9.0.0/16");
	cr_assert_eq(label_lookup(&t.labels, 301)->state, LABEL_HELD, "held down, not freed");
	cr_assert(label_lookup(&t.labels, 301)->programmed, "still in fwd");
	/* Back again within the hold-down: the same label, announced once. */
	upsert_static("C", "10.8.0.0/16", "c0", "10.1.0.2");
	cr_assert_eq(exp_label("C", "10.8.0.0/16"), 301);
	cr_assert_str_eq(exps.line[2], "exp_add 65000:1 10.8.0.0/16 label 301 rt 65000:1 n 1");
	assert_nh_before_lfib(&rec);
}

Test(labelmode, per_ce_prefix_moving_to_another_ce_changes_label)
{
	rec.n = 0;
	upsert_static("C", "10.10.0.0/16", "c0", "10.1.0.2");
	cr_assert_eq(exp_label("C", "10.10.0.0/16"), 301);
	cr_assert_eq(exps.n, 1);
	cr_assert_str_eq(exps.line[0], "exp_add 65000:1 10.10.0.0/16 label 301 rt 65000:1 n 1");
	cr_assert_str_eq(rec.line[0], "fib_add 1 10.10.0.0/16 nh 2 inner -");
	/* 302 is held down, still in fwd with its next hop until the hold-down ends. */
	cr_assert_eq(fx_find(&rec, "lfib_del 302"), -1);
	cr_assert_eq(fx_find(&rec, "nh_del 3 "), -1);
	cr_assert_eq(label_lookup(&t.labels, 302)->state, LABEL_HELD);
	cr_assert(label_lookup(&t.labels, 302)->programmed);
}

Test(labelmode, per_prefix_label_follows_its_next_hop)
{
	struct prefix4 p = fx_prefix("10.20.0.0/16");

	upsert_static("P", "10.20.0.0/16", "p0", "10.2.0.3"); /* a second next hop, unused */
	rec.n = 0;
	cr_assert_eq(vrf_static_remove(&t, vrf_by_name(&t, "P"), &p,
				       fx_vp(&t, "P", "10.20.0.0/16")->best->nh),
		     0);
	cr_assert_eq(exp_label("P", "10.20.0.0/16"), 304, "the label stays");
	cr_assert_eq(exps.n, 0, "so nothing to tell bgpd");
	cr_assert_str_eq(rec.line[0], "nh_add 7 type 2 gw 10.2.0.3 out - if p0");
	cr_assert_str_eq(rec.line[1], "fib_add 2 10.20.0.0/16 nh 7 inner -");
	cr_assert_str_eq(rec.line[2], "lfib_add 304 action 2 vrf 2 nh 7");
	cr_assert_eq(rec.n, 3, "nh 5 is still used by 10.21/16");
	assert_nh_before_lfib(&rec);
}

Test(labelmode, replay_reproduces_the_incremental_state)
{
	struct fx_rec re = { .n = 0 };
	struct dataplane dp = { &fx_ops, &re };

	remove_static("C", "10.8.0.0/16");
	upsert_static("C", "10.10.0.0/16", "c0", "10.1.0.2");
	upsert_static("P", "10.20.0.0/16", "p0", "10.2.0.3");
	remove_static("P", "10.20.0.0/16"); /* the first: via 10.2.0.2 */
	remove_static("P", "10.21.0.0/16");
	vrf_table_replay(&t, &dp);
	fx_assert_same_state(&rec, &re);
	/* in use: 300 301 303 304 306; held down and kept in fwd: 302 305 */
	cr_assert_eq(fx_count(&re, "lfib_add"), 7);
	assert_nh_before_lfib(&re);
}

/* GET /labels as served, on this table: the entry of label l ("interface"/"next_hop" as text). */
static void label_target(uint32_t l, char *ifname, char *next_hop, size_t len)
{
	struct vrfmgr vm = { .cfg = &cfg };
	json_object *j, *labels;
	int status;

	memcpy(&vm.table, &t, sizeof(t));
	j = t_api_get(vrfmgr_api_route("/labels"), &vm, &status);
	cr_assert_eq(status, 200);
	labels = json_object_object_get(j, "labels");
	snprintf(ifname, len, "absent");
	snprintf(next_hop, len, "absent");
	for (size_t i = 0; i < json_object_array_length(labels); i++) {
		json_object *e = json_object_array_get_idx(labels, i), *v;

		if (json_object_get_int64(json_object_object_get(e, "label")) != l)
			continue;
		if (json_object_object_get_ex(e, "interface", &v))
			snprintf(ifname, len, "%s", v ? json_object_get_string(v) : "null");
		if (json_object_object_get_ex(e, "next_hop", &v))
			snprintf(next_hop, len, "%s", v ? json_object_get_string(v) : "null");
	}
	json_object_put(j);
}

/*
 * /labels says where a per-CE or per-prefix label pops to: its interface
 * and next hop, null for the hosts of a connected subnet. A per-prefix
 * label said neither (ferryctl show labels: "-" under both).
 */
Test(labelmode, the_labels_api_says_where_each_label_pops_to)
{
	static const struct {
		uint32_t label;
		const char *ifname, *next_hop;
	} want[] = {
		{ 300, "c0", "null" },     /* per-ce: C's connected subnet */
		{ 301, "c0", "10.1.0.2" }, /* per-ce: the CE of 10.8/16 and 10.9/16 */
		{ 303, "p0", "null" },     /* per-prefix: P's connected subnet */
		{ 304, "p0", "10.2.0.2" }, /* per-prefix: 10.20/16 */
		{ 306, "absent", "absent" }, /* per-vrf: pops and looks up */
	};
	char ifname[32], nh[32];

	cr_assert_eq(exp_label("C", "10.1.0.0/24"), 300);
	cr_assert_eq(exp_label("C", "10.8.0.0/16"), 301);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		label_target(want[i].label, ifname, nh, sizeof(ifname));
		cr_assert_str_eq(ifname, want[i].ifname, "label %u", want[i].label);
		cr_assert_str_eq(nh, want[i].next_hop, "label %u", want[i].label);
	}
}
