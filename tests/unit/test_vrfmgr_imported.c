/*
 * "imported" (GET /vpn's field and ?imported= filter): import_vpn_held and
 * import_vpn_holders answer from a route's placement list what the old
 * rule answered by looking into every VRF (a VRF with a config holding a
 * bgp candidate of the route's RD at its prefix), on a table of 200 VRFs
 * with overlapping RTs: a hub importing what the spokes export and spokes
 * importing the hub's RT, an extranet RT shared by fifty VRFs, a VRF at its
 * route limit, RTs nobody imports, routes with no RT or no usable label,
 * one prefix from several RDs; then after a reload that removes VRFs, adds
 * others taking their ids and changes the hub's RTs, and after withdrawals.
 */
#include <criterion/criterion.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/rtset.h"

#define N_VRFS 200
#define N_ROUTES 3000

#define ROUTER                                                                                   \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 999 } },"
#define LSPS                                                                                     \
	"\"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16,"                           \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ],"                          \
	"\"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] }"

static struct ferry_config cfgs[2];
static int cur;
static struct vrf_table t;

/*
 * VRF i's import RTs and limit, in generation gen (1: the first config, 2:
 * after the reload). 65000:1 is what spokes export (the hub imports it),
 * 65000:2 the hub's (spokes import it), 65000:3 the extranet's, 65100:i a
 * VRF's own, 65999:i nobody's.
 */
static int vrf_json(char *b, size_t len, int i, int gen)
{
	const char *name_fmt = gen == 2 && i >= 2 && i <= 20 ? "N%d" : "V%d"; /* re-created */
	char name[16], imports[128];
	const char *limit = i == 150 ? ", \"max_routes\": 5" : "";

	snprintf(name, sizeof(name), name_fmt, i);
	if (i == 1)
		snprintf(imports, sizeof(imports), gen == 1 ? "\"65000:1\"" : "\"65000:1\", \"65000:3\"");
	else if (i <= 100 && !(gen == 2 && i <= 20))
		snprintf(imports, sizeof(imports), "\"65000:2\", \"65100:%d\"", i);
	else if (i <= 20) /* the re-created ones: another set */
		snprintf(imports, sizeof(imports), "\"65000:3\", \"65100:%d\"", i + 100);
	else if (i <= 150)
		snprintf(imports, sizeof(imports), "\"65000:3\", \"65100:%d\"%s", i,
			 i % 5 == 0 ? ", \"65000:1\"" : "");
	else if (i <= 190)
		snprintf(imports, sizeof(imports), "\"65100:%d\"", i);
	else
		snprintf(imports, sizeof(imports), "\"65999:%d\"", i);
	return snprintf(b, len,
			"%s{ \"name\": \"%s\", \"rd\": \"10.255.0.1:%d\", \"import_rts\": [%s],"
			" \"export_rts\": [\"65001:%d\"]%s }",
			i > 1 ? "," : "", name, i + (gen == 2 && i <= 20 ? 1000 : 0), imports, i,
			limit);
}

static void build(struct ferry_config *c, int gen)
{
	static char json[65536];
	size_t off = (size_t)snprintf(json, sizeof(json), "{ " ROUTER " \"vrfs\": [");

	for (int i = 1; i <= N_VRFS; i++)
		off += (size_t)vrf_json(json + off, sizeof(json) - off, i, gen);
	cr_assert_lt(off + 64, sizeof(json));
	snprintf(json + off, sizeof(json) - off, " ], " LSPS " }");
	fx_load(c, json);
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfgs[cur]);
	cr_assert_eq(rtset_count(), 0);
}

TestSuite(imported, .fini = teardown);

/* Route k: RD 65000:(k % 7), prefix 10.x.y.0/24 for k / 3 (so a prefix comes in up to 3 RDs). */
static void route_key(uint32_t k, char *rd, char *prefix)
{
	snprintf(rd, 24, "65000:%u", k % 7);
	snprintf(prefix, 24, "10.%u.%u.0/24", (k / 3) >> 8, (k / 3) & 0xff);
}

static struct fx_vpn route(uint32_t k)
{
	char rd[24], prefix[24], rts[64];

	route_key(k, rd, prefix);
	switch (k % 8) {
	case 0: snprintf(rts, sizeof(rts), "65000:1"); break; /* a spoke's: the hub */
	case 1: snprintf(rts, sizeof(rts), "65000:2"); break; /* the hub's: every spoke */
	case 2: snprintf(rts, sizeof(rts), "65000:3 65100:%u", 1 + k % N_VRFS); break;
	case 3: snprintf(rts, sizeof(rts), "65100:%u 65000:1", 1 + k % N_VRFS); break;
	case 4: snprintf(rts, sizeof(rts), "65100:%u", 1 + k % N_VRFS); break;
	case 5: snprintf(rts, sizeof(rts), "65998:1"); break; /* nobody imports it */
	case 6: rts[0] = '\0'; break;                          /* no RT at all */
	default: snprintf(rts, sizeof(rts), "65000:3 65000:2"); break;
	}
	/* Every 11th without a usable label: kept in the VPN table, in no VRF. */
	return fx_vpn(rd, prefix, k % 11 == 0 ? 3 : 1000 + k, "10.255.0.2", rts);
}

/* The old rule: every VRF looked into. */
static size_t holders_by_scan(const struct vpn_route *vr, uint32_t *slots)
{
	size_t n = 0;

	for (size_t i = 0; i < t.n_vrfs; i++) {
		struct vrf *v = &t.vrfs[i];

		if (v->cfg != NULL && vrf_route_find(v, &vr->prefix, ROUTE_BGP, &vr->rd) != NULL)
			slots[n++] = (uint32_t)i;
	}
	return n;
}

/* Every VPN route: the same answer both ways; how many are imported (and not, in *none). */
static size_t compare_all(size_t *none)
{
	static uint32_t want[VRF_ID_MAX + 1], got[VRF_ID_MAX + 1];
	size_t pos = 0, imported = 0;
	const struct vpn_route *vr;

	*none = 0;
	while ((vr = vpn_next(&t.vpn, &pos)) != NULL) {
		size_t n = holders_by_scan(vr, want);

		cr_assert_eq(import_vpn_held(&t, vr), n > 0);
		cr_assert_eq(import_vpn_holders(&t, vr, got), n);
		cr_assert_arr_eq(got, want, n * sizeof(*got));
		if (n > 0)
			imported++;
		else
			(*none)++;
	}
	return imported;
}

Test(imported, the_placement_list_answers_as_a_look_into_every_vrf, .timeout = 60)
{
	struct dataplane dp = { NULL, NULL }; /* nothing recorded: too many calls to keep */
	struct reload_stats st;
	size_t imported, none, many = 0;
	const struct vpn_route *vr;
	char rd[24], prefix[24];

	log_init("test", LOG_LVL_ERR);
	build(&cfgs[0], 1);
	cr_assert_eq(vrf_table_init(&t, &cfgs[0], &dp), 0);
	for (uint32_t k = 0; k < N_ROUTES; k++) {
		struct fx_vpn v = route(k);

		fx_import(&t, &v);
	}
	imported = compare_all(&none);
	cr_assert_gt(imported, N_ROUTES / 3, "%zu imported", imported);
	cr_assert_gt(none, N_ROUTES / 5, "%zu imported nowhere", none);
	cr_assert(vrf_by_name(&t, "V150")->limit_hit, "the limited VRF refused some");
	for (size_t pos = 0; (vr = vpn_next(&t.vpn, &pos)) != NULL;)
		many += vr->n_placed > 4;
	cr_assert_gt(many, 0, "some routes in more VRFs than the inline list holds");

	/* VRFs 2..20 removed and re-created (new names and RDs, other RTs; their ids reused). */
	build(&cfgs[1], 2);
	cr_assert_eq(vrf_table_reload(&t, &cfgs[1], &st), 0);
	config_free(&cfgs[0]);
	cur = 1;
	imported = compare_all(&none);
	cr_assert_gt(imported, N_ROUTES / 3);

	for (uint32_t k = 1; k < N_ROUTES; k += 4) { /* the hub's routes and nobody's */
		route_key(k, rd, prefix);
		fx_withdraw(&t, rd, prefix);
	}
	imported = compare_all(&none);
	cr_assert_gt(imported, N_ROUTES / 4);
	cr_assert_gt(none, 0);

	/*
	 * A list naming a VRF that does not hold the route (what an upsert that
	 * failed for memory leaves): out of the first VRF of every third route,
	 * behind the list's back. Some routes are then imported nowhere.
	 */
	size_t none_before = none, n, k = 0;

	for (size_t pos = 0; (vr = vpn_next(&t.vpn, &pos)) != NULL; k++) {
		const uint16_t *ids = vpn_placed(vr, &n);

		if (k % 3 == 0 && n > 0)
			vrf_route_remove(&t, vrf_by_id(&t, ids[0]), &vr->prefix, ROUTE_BGP, &vr->rd);
	}
	compare_all(&none);
	cr_assert_gt(none, none_before, "routes whose only VRF let go: imported nowhere");
}
