/*
 * vrfmgr's import index and placement lists (import.c, rt_index.c, vpn.c,
 * rtset.c): a VPN route goes exactly into the VRFs whose import RTs meet
 * its RTs, is recorded there, and a withdraw, an update with other RTs or
 * a reload changing import RTs moves exactly the affected routes, checked
 * on the recorded dataplane calls; more VRFs than the inline list holds;
 * VRFs torn down and their ids reused; interned RT sets shared.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/rtset.h"

#define ROUTER                                                                                   \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 199 } },"
#define LSPS                                                                                     \
	"\"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16,"                           \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ],"                          \
	"\"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] }"

static struct ferry_config cfgs[2];
static int cur;
static struct vrf_table t;
static struct fx_rec rec;

/*
 * A config of VRFs V1..Vn; imports[i] is V(i+1)'s import RT list (JSON
 * strings, "" for none). Export RTs are 65001:i, imported by nobody.
 */
static void build(struct ferry_config *c, const char *const *imports, int n)
{
	static char json[16384];
	size_t off;

	off = (size_t)snprintf(json, sizeof(json), "{ " ROUTER " \"vrfs\": [");
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(json + off, sizeof(json) - off,
					"%s{ \"name\": \"V%d\", \"rd\": \"10.255.0.1:%d\","
					" \"import_rts\": [%s], \"export_rts\": [\"65001:%d\"] }",
					i ? "," : "", i + 1, i + 1, imports[i], i + 1);
	snprintf(json + off, sizeof(json) - off, " ], " LSPS " }");
	fx_load(c, json);
}

static void start(const char *const *imports, int n)
{
	struct dataplane dp = { &fx_ops, &rec };

	log_init("test", LOG_LVL_ERR);
	memset(&rec, 0, sizeof(rec));
	cur = 0;
	build(&cfgs[0], imports, n);
	cr_assert_eq(vrf_table_init(&t, &cfgs[0], &dp), 0);
	rec.n = 0;
}

static void reload(const char *const *imports, int n)
{
	struct reload_stats st;
	int next = 1 - cur;

	build(&cfgs[next], imports, n);
	cr_assert_eq(vrf_table_reload(&t, &cfgs[next], &st), 0);
	config_free(&cfgs[cur]);
	cur = next;
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfgs[cur]);
	cr_assert_eq(rtset_count(), 0, "interned RT sets left: %zu", rtset_count());
}

TestSuite(placement, .fini = teardown);

static bool in_vrf(const char *vrf, const char *prefix, const char *rd)
{
	struct prefix4 p = fx_prefix(prefix);
	struct rd d = fx_rd(rd);

	return vrf_route_find(vrf_by_name(&t, vrf), &p, ROUTE_BGP, &d) != NULL;
}

/* The VRF names holding rd:prefix by its placement list, sorted by id, space-separated. */
static const char *placed(const char *rd, const char *prefix)
{
	static char out[512];
	struct prefix4 p = fx_prefix(prefix);
	struct rd d = fx_rd(rd);
	const struct vpn_route *vr = vpn_find(&t.vpn, &d, &p);
	size_t n, off = 0, left;
	const uint16_t *ids;

	out[0] = '\0';
	if (vr == NULL)
		return "(none)";
	ids = vpn_placed(vr, &n);
	left = n;
	for (uint32_t id = 1; id <= VRF_ID_MAX && left > 0; id++)
		for (size_t i = 0; i < n; i++)
			if (ids[i] == id) {
				struct vrf *v = vrf_by_id(&t, id);

				off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s",
							off ? " " : "", v ? v->cfg->name : "?");
				left--;
			}
	return out;
}

/* Count of recorded lines starting with "fib_add <id> " / "fib_del <id> ". */
static int fib_ops(const char *op, int id)
{
	char k[32];

	snprintf(k, sizeof(k), "fib_%s %d ", op, id);
	return fx_count(&rec, k);
}

Test(placement, a_route_goes_only_where_its_rts_are_imported_and_leaves_from_there)
{
	static const char *const imp[] = { "\"65000:1\"", "\"65000:2\"", "\"65000:1\", \"65000:2\"",
					   "\"65000:3\"", "" };
	struct fx_vpn r = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 300, "10.255.0.2",
				 "65000:1 65000:2");

	start(imp, 5);
	cr_assert_eq(fx_import(&t, &r), 3); /* V3 imports both RTs: one candidate */
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.1.0/24"), "V1 V2 V3");
	cr_assert_eq(rec.n, 4, "nh_add + 3 fib_add"); /* nothing for V4, V5 */
	cr_assert_eq(fib_ops("add", 1) + fib_ops("add", 2) + fib_ops("add", 3), 3);
	rec.n = 0;
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:1", "20.0.1.0/24"), 3);
	cr_assert_eq(fib_ops("del", 1) + fib_ops("del", 2) + fib_ops("del", 3), 3);
	cr_assert_eq(fx_count(&rec, "fib_"), 3);
	for (int i = 1; i <= 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "V%d", i);
		cr_assert_not(in_vrf(name, "20.0.1.0/24", "10.255.0.2:1"));
	}
	cr_assert_eq(t.vpn.count, 0);
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:1", "20.0.1.0/24"), 0, "a second withdraw");
}

Test(placement, an_update_with_other_rts_moves_exactly_between_the_vrfs_concerned)
{
	static const char *const imp[] = { "\"65000:1\"", "\"65000:2\"", "\"65000:1\", \"65000:3\"",
					   "\"65000:3\"" };
	struct fx_vpn a = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 300, "10.255.0.2", "65000:1");
	struct fx_vpn b = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 301, "10.255.0.2", "65000:3");

	start(imp, 4);
	cr_assert_eq(fx_import(&t, &a), 2);
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.1.0/24"), "V1 V3");
	rec.n = 0;
	cr_assert_eq(fx_import(&t, &b), 2);
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.1.0/24"), "V3 V4");
	cr_assert_eq(fib_ops("del", 1), 1);             /* left V1 */
	cr_assert_eq(fib_ops("add", 3), 1, "new label"); /* stays in V3 with label 301 */
	cr_assert_eq(fib_ops("add", 4), 1);             /* entered V4 */
	cr_assert_eq(fib_ops("add", 2) + fib_ops("del", 2) + fib_ops("del", 3), 0);
	cr_assert_not(in_vrf("V1", "20.0.1.0/24", "10.255.0.2:1"));
	cr_assert(in_vrf("V4", "20.0.1.0/24", "10.255.0.2:1"));
	/* Unusable now (no label): out of every VRF, kept in the VPN table. */
	b.r.label = 3;
	rec.n = 0;
	cr_assert_eq(fx_import(&t, &b), -EINVAL);
	cr_assert_eq(fib_ops("del", 3) + fib_ops("del", 4), 2);
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.1.0/24"), "");
	cr_assert_eq(t.vpn.count, 1);
}

Test(placement, reload_changing_import_rts_moves_exactly_the_affected_routes)
{
	static const char *const before[] = { "\"65000:1\"", "\"65000:2\"", "\"65000:1\"" };
	static const char *const after[] = { "\"65000:1\"", "\"65000:2\"", "\"65000:2\"" };
	struct fx_vpn one = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 300, "10.255.0.2", "65000:1");
	struct fx_vpn two = fx_vpn("10.255.0.2:2", "20.0.2.0/24", 301, "10.255.0.2", "65000:2");

	start(before, 3);
	cr_assert_eq(fx_import(&t, &one), 2);
	cr_assert_eq(fx_import(&t, &two), 1);
	rec.n = 0;
	reload(after, 3);
	/* V3 swaps 20.0.1.0/24 for 20.0.2.0/24; V1 and V2 are not touched. */
	cr_assert_eq(fib_ops("del", 3), 1);
	cr_assert_eq(fib_ops("add", 3), 1);
	cr_assert_geq(fx_find(&rec, "fib_del 3 20.0.1.0/24"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 3 20.0.2.0/24"), 0);
	cr_assert_eq(fx_count(&rec, "fib_"), 2);
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.1.0/24"), "V1");
	cr_assert_str_eq(placed("10.255.0.2:2", "20.0.2.0/24"), "V2 V3");
	/* The index follows the new config: a new route and a withdraw use it. */
	rec.n = 0;
	one = fx_vpn("10.255.0.2:1", "20.0.3.0/24", 302, "10.255.0.2", "65000:2");
	cr_assert_eq(fx_import(&t, &one), 2);
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.3.0/24"), "V2 V3");
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:2", "20.0.2.0/24"), 2);
	cr_assert_not(in_vrf("V3", "20.0.2.0/24", "10.255.0.2:2"));
	cr_assert_not(in_vrf("V2", "20.0.2.0/24", "10.255.0.2:2"));
}

Test(placement, a_removed_vrf_and_one_reusing_its_id)
{
	static const char *const before[] = { "\"65000:1\"", "\"65000:1\"" };
	static const char *const after[] = { "\"65000:1\"" };
	static const char *const again[] = { "\"65000:1\"", "\"65000:9\"" };
	struct fx_vpn r = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 300, "10.255.0.2", "65000:1");

	start(before, 2);
	cr_assert_eq(fx_import(&t, &r), 2);
	reload(after, 1);
	cr_assert_eq(t.n_vrfs, 1);
	/* V2 comes back with id 2 and another RT: the stale id on the list is harmless. */
	reload(again, 2);
	cr_assert_eq(vrf_by_name(&t, "V2")->id, 2);
	cr_assert_not(in_vrf("V2", "20.0.1.0/24", "10.255.0.2:1"));
	rec.n = 0;
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:1", "20.0.1.0/24"), 1);
	cr_assert_eq(fx_count(&rec, "fib_del"), 1);
	cr_assert_geq(fx_find(&rec, "fib_del 1 20.0.1.0/24"), 0);
}

Test(placement, more_vrfs_than_the_inline_list_and_back)
{
	static const char *imp[12];
	struct fx_vpn wide = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 300, "10.255.0.2", "65000:1");
	struct fx_vpn narrow = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 300, "10.255.0.2",
				      "65000:2");

	for (int i = 0; i < 12; i++)
		imp[i] = i < 2 ? "\"65000:1\", \"65000:2\"" : "\"65000:1\"";
	start(imp, 12);
	cr_assert_eq(fx_import(&t, &wide), 12);
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.1.0/24"),
			 "V1 V2 V3 V4 V5 V6 V7 V8 V9 V10 V11 V12");
	rec.n = 0;
	cr_assert_eq(fx_import(&t, &narrow), 2);
	cr_assert_str_eq(placed("10.255.0.2:1", "20.0.1.0/24"), "V1 V2");
	cr_assert_eq(fx_count(&rec, "fib_del"), 10);
	cr_assert_eq(fx_import(&t, &wide), 12);
	rec.n = 0;
	cr_assert_eq(fx_withdraw(&t, "10.255.0.2:1", "20.0.1.0/24"), 12);
	cr_assert_eq(fx_count(&rec, "fib_del"), 12);
	for (size_t i = 0; i < t.n_vrfs; i++)
		cr_assert_eq(t.vrfs[i].routes.count, 0);
}

Test(placement, route_target_sets_are_shared)
{
	static const char *const imp[] = { "\"65000:1\"", "\"65000:1\"" };
	struct fx_vpn a = fx_vpn("10.255.0.2:1", "20.0.1.0/24", 300, "10.255.0.2",
				 "65000:1 65000:7");
	struct fx_vpn b = fx_vpn("10.255.0.2:1", "20.0.2.0/24", 301, "10.255.0.2",
				 "65000:1 65000:7");
	struct fx_vpn c = fx_vpn("10.255.0.2:1", "20.0.3.0/24", 302, "10.255.0.2",
				 "65000:7 65000:1");
	struct prefix4 pa = fx_prefix("20.0.1.0/24"), pb = fx_prefix("20.0.2.0/24");
	struct rd d = fx_rd("10.255.0.2:1");
	size_t base;

	start(imp, 2);
	base = rtset_count(); /* the VRFs' own (export RTs of their local routes: none here) */
	cr_assert_eq(fx_import(&t, &a), 2);
	cr_assert_eq(fx_import(&t, &b), 2);
	cr_assert_eq(rtset_count(), base + 1);
	cr_assert_eq(vpn_find(&t.vpn, &d, &pa)->rts, vpn_find(&t.vpn, &d, &pb)->rts);
	cr_assert_eq(vrf_route_find(vrf_by_name(&t, "V1"), &pa, ROUTE_BGP, &d)->rts,
		     vpn_find(&t.vpn, &d, &pa)->rts);
	cr_assert_eq(fx_import(&t, &c), 2); /* another order is another set */
	cr_assert_eq(rtset_count(), base + 2);
	fx_withdraw(&t, "10.255.0.2:1", "20.0.3.0/24");
	cr_assert_eq(rtset_count(), base + 1);
}

/*
 * The import index with VRFs appended one by one (rt_index_append, as a
 * reload adds them) holds what a build of the whole array holds: for every
 * RT the same slots in the same (ascending) order, for every id its slot.
 * 600 VRFs with ids in random order, 1-3 import RTs each from a pool of 40
 * (some listed twice), 100 in the first build, the tables growing past
 * their first size.
 */
Test(placement, index_appended_agrees_with_a_build)
{
	enum { N = 600, FIRST = 100, POOL = 40 };
	static struct cfg_vrf vcfg[N];
	static struct ext_community rts[N][3];
	static struct vrf vrfs[N];
	struct rt_index built = { 0 }, grown = { 0 };
	unsigned seed = 5;

	for (size_t i = 0; i < N; i++) {
		size_t n = 1 + (size_t)rand_r(&seed) % 3;
		char s[32];

		for (size_t j = 0; j < n; j++) {
			snprintf(s, sizeof(s), "65000:%u", (unsigned)rand_r(&seed) % POOL);
			cr_assert_eq(rt_parse(s, &rts[i][j]), 0);
		}
		vcfg[i].import_rts = rts[i];
		vcfg[i].n_import_rts = n;
		vrfs[i].cfg = &vcfg[i];
		vrfs[i].id = (uint32_t)(i * 7919 % 1000) + 1; /* distinct, not in slot order */
	}
	cr_assert_eq(rt_index_build(&grown, vrfs, FIRST), 0);
	for (size_t i = FIRST; i < N; i++)
		cr_assert_eq(rt_index_append(&grown, rts[i], vcfg[i].n_import_rts, (uint32_t)i,
					     vrfs[i].id), 0, "append %zu", i);
	cr_assert_eq(rt_index_build(&built, vrfs, N), 0);
	for (unsigned k = 0; k < POOL; k++) {
		struct ext_community rt;
		const uint32_t *a, *b;
		size_t na, nb;
		char s[32];

		snprintf(s, sizeof(s), "65000:%u", k);
		cr_assert_eq(rt_parse(s, &rt), 0);
		a = rt_index_vrfs(&built, &rt, &na);
		b = rt_index_vrfs(&grown, &rt, &nb);
		cr_assert_eq(na, nb, "RT %s: %zu VRFs built, %zu appended", s, na, nb);
		for (size_t j = 0; j < na; j++)
			cr_assert_eq(a[j], b[j], "RT %s, #%zu", s, j);
	}
	for (uint32_t id = 0; id <= 1001; id++)
		cr_assert_eq(rt_index_slot(&built, id), rt_index_slot(&grown, id), "id %u", id);
	/* an id listed already, or an index not ready: left to a rebuild */
	cr_assert_lt(rt_index_append(&grown, rts[0], 1, N, vrfs[0].id), 0);
	cr_assert_not(grown.ready);
	cr_assert_lt(rt_index_append(&grown, rts[0], 1, N, 5000), 0);
	rt_index_free(&built);
	rt_index_free(&grown);
}
