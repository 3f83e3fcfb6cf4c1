/*
 * Static routes (vrfmgr/vrf.c): several per prefix chosen by distance
 * (floating statics), against BGP routes (distance 200), the next hop's
 * interface found from the VRF's subnets when not given, and a next hop on
 * none of them: kept, never installed nor exported, with the reason.
 */
#include <criterion/criterion.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "test_api_route.h"
#include "test_vrfmgr_fixture.h"
#include "vrfmgr/api.h"
#include "vrfmgr/vrfmgr.h"

#define STATIC_JSON                                                                              \
	"{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"      \
	"  \"label_range\": { \"min\": 100, \"max\": 199 } },"                                   \
	"  \"vrfs\": ["                                                                          \
	"   { \"name\": \"A\", \"rd\": \"65000:1\", \"import_rts\": [\"65000:1\"],"                \
	"     \"export_rts\": [\"65000:1\"], \"label_mode\": \"per-ce\","                          \
	"     \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/24\" },"               \
	"                       { \"name\": \"a1\", \"address\": \"10.1.1.1/24\" } ],"             \
	"     \"static_routes\": ["                                                              \
	"       { \"prefix\": \"10.8.0.0/16\", \"next_hop\": \"10.1.0.2\", \"interface\": \"a0\" }," \
	"       { \"prefix\": \"10.8.0.0/16\", \"next_hop\": \"10.1.1.2\", \"distance\": 5 },"      \
	"       { \"prefix\": \"10.9.0.0/16\", \"next_hop\": \"10.1.1.3\", \"distance\": 250 },"    \
	"       { \"prefix\": \"10.10.0.0/16\", \"next_hop\": \"10.7.7.7\" } ] },"                 \
	"   { \"name\": \"S\", \"rd\": \"65000:2\", \"import_rts\": [\"65000:1\"],"                \
	"     \"export_rts\": [\"65000:2\"] } ],"                                                \
	"  \"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16, \"next_hop\": \"10.0.1.2\"," \
	"              \"interface\": \"core0\" } ],"                                             \
	"  \"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] } }"

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
	fx_load(&cfg, STATIC_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, &dp), 0);
	vrf_table_set_export(&t, &sink);
	rec.n = 0;
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfg);
}

TestSuite(statics, .init = setup, .fini = teardown);

static const char *best_gw(const char *vrf, const char *p)
{
	static char b[IPV4_STRLEN];
	struct vrf_prefix *vp = fx_vp(&t, vrf, p);

	cr_assert_not_null(vp);
	cr_assert_not_null(vp->best);
	return ipv4_format(vp->best->nh->ipc.gateway, b);
}

Test(statics, lowest_distance_wins_and_the_interface_is_found)
{
	struct vrf_prefix *vp = fx_vp(&t, "A", "10.8.0.0/16");
	struct vrf_route *r;
	char why[128];
	int n = 0;

	for (r = vp->routes; r != NULL; r = r->next)
		n++;
	cr_assert_eq(n, 2, "two next hops, two candidates");
	cr_assert_str_eq(best_gw("A", "10.8.0.0/16"), "10.1.0.2");
	cr_assert_eq(vp->best->distance, 1);
	for (r = vp->routes; r != NULL && r == vp->best; r = r->next)
		;
	cr_assert_str_eq(r->nh->ipc.ifname, "a1", "found from the subnets");
	cr_assert(vrf_route_usable(r));
	cr_assert_str_eq(vrf_route_reason(vp, r, why, sizeof(why)),
			 "the static route via 10.1.0.2 (distance 1) is preferred");
	cr_assert_not_null(vp->exp_label);
}

Test(statics, backup_takes_over_when_the_primary_goes)
{
	struct vrf_prefix *vp = fx_vp(&t, "A", "10.8.0.0/16");
	uint32_t old = vp->exp_label->label;
	struct prefix4 p = fx_prefix("10.8.0.0/16");

	cr_assert_eq(vrf_static_remove(&t, vrf_by_name(&t, "A"), &p, vp->best->nh), 0);
	cr_assert_str_eq(best_gw("A", "10.8.0.0/16"), "10.1.1.2");
	cr_assert_geq(fx_find(&rec, "fib_add 1 10.8.0.0/16 nh"), 0);
	/* per-ce: another CE, another label, told to bgpd once */
	cr_assert_neq(vp->exp_label->label, old);
	cr_assert_eq(fx_count(&exps, "exp_add 65000:1 10.8.0.0/16"), 1);
	cr_assert_eq(fx_count(&exps, "exp_del"), 0);
	/* S imports A's routes: its leaked copy follows to the new next hop. */
	cr_assert_str_eq(best_gw("S", "10.8.0.0/16"), "10.1.1.2");
}

Test(statics, floating_static_yields_to_bgp_and_comes_back)
{
	struct fx_vpn v = fx_vpn("65000:9", "10.9.0.0/16", 300, "10.255.0.2", "65000:1");
	struct vrf_prefix *vp = fx_vp(&t, "A", "10.9.0.0/16");
	char why[128];

	cr_assert_not_null(vp->exp_label, "alone, the floating static is used and exported");
	cr_assert_not_null(fx_vp(&t, "S", "10.9.0.0/16"));
	cr_assert_eq(fx_import(&t, &v), 2, "A and S import 65000:1");
	cr_assert_eq(vp->best->source, ROUTE_BGP, "200 beats 250");
	cr_assert_null(vp->exp_label, "a prefix whose best route is from BGP is not exported");
	cr_assert_eq(fx_count(&exps, "exp_del 65000:1 10.9.0.0/16"), 1);
	cr_assert_null(vrf_route_find(vrf_by_name(&t, "S"), &vp->prefix, ROUTE_LEAKED,
				      &vrf_by_name(&t, "A")->cfg->rd),
		       "nor leaked");
	cr_assert_geq(fx_find(&rec, "fib_add 1 10.9.0.0/16 nh"), 0, "via the LSP");
	for (struct vrf_route *r = vp->routes; r != NULL; r = r->next)
		if (r->source == ROUTE_STATIC)
			cr_assert_str_eq(vrf_route_reason(vp, r, why, sizeof(why)),
					 "a bgp route is preferred (lower distance)");
	cr_assert_eq(fx_withdraw(&t, "65000:9", "10.9.0.0/16"), 2);
	cr_assert_eq(vp->best->source, ROUTE_STATIC);
	cr_assert_not_null(vp->exp_label);
	cr_assert_eq(fx_count(&exps, "exp_add 65000:1 10.9.0.0/16"), 1);
	cr_assert_not_null(fx_vp(&t, "S", "10.9.0.0/16"));
}

Test(statics, unreachable_next_hop_is_kept_but_not_used)
{
	struct vrf_prefix *vp = fx_vp(&t, "A", "10.10.0.0/16");
	char why[128];

	cr_assert_not_null(vp);
	cr_assert_not(vrf_route_usable(vp->best));
	cr_assert_not(vrf_route_installed(vp, vp->best));
	cr_assert_str_eq(vrf_route_reason(vp, vp->best, why, sizeof(why)),
			 "next hop 10.7.7.7 is not on a connected subnet of the VRF");
	cr_assert_null(vp->exp_label);
	cr_assert_null(fx_vp(&t, "S", "10.10.0.0/16"));
}

/*
 * GET /routes?prefix=P as served, on this table: each candidate of P in A
 * as its "source next_hop export_label route_targets" in JSON, one a line.
 */
static const char *routes_of(const char *prefix)
{
	static char out[512];
	struct vrfmgr vm = { .cfg = &cfg };
	json_object *j, *routes;
	int status;

	memcpy(&vm.table, &t, sizeof(t));
	j = t_api_get_q(vrfmgr_api_route("/routes"), &vm, "prefix", prefix, &status);
	cr_assert_eq(status, 200);
	routes = json_object_object_get(j, "routes");
	out[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(routes); i++) {
		json_object *r = json_object_array_get_idx(routes, i);

		if (strcmp(json_object_get_string(json_object_object_get(r, "vrf")), "A") != 0)
			continue;
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s %s %s %s\n",
			 json_object_to_json_string(json_object_object_get(r, "source")),
			 json_object_to_json_string(json_object_object_get(r, "next_hop")),
			 json_object_to_json_string(json_object_object_get(r, "export_label")),
			 json_object_to_json_string(json_object_object_get(r, "route_targets")));
	}
	json_object_put(j);
	return out;
}

/*
 * A local route's route_targets are the RTs it is exported with: none on
 * one that is not (unused, or outranked by another static), where the
 * VRF's export RTs read as if it went out with them.
 */
Test(statics, a_local_route_not_exported_has_no_route_targets)
{
	cr_assert_str_eq(routes_of("10.10.0.0/16"), "\"static\" \"10.7.7.7\" null [ ]\n",
			 "unused");
	cr_assert_str_eq(routes_of("10.8.0.0/16"),
			 "\"static\" \"10.1.0.2\" 102 [ \"65000:1\" ]\n"
			 "\"static\" \"10.1.1.2\" null [ ]\n", "the selected one only");
}

/*
 * Without "interface" the loader takes any next hop; one inside a link's
 * subnet must still be a neighbour there, as the loader requires of a route
 * that names the interface: not the router's own address, and on a link
 * shorter than /31 neither the subnet's network nor its broadcast address
 * (one via the broadcast address was installed; fwd ARPed for it). Each is
 * kept with its own reason (our own address read "not on the subnet").
 */
Test(statics_link, a_next_hop_that_is_no_neighbour_on_its_link_is_not_used)
{
	const char *json =
	    "{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000 },"
	    "  \"vrfs\": [ { \"name\": \"A\", \"rd\": \"65000:1\", \"export_rts\": [\"65000:1\"],"
	    "    \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/30\" },"
	    "                      { \"name\": \"a1\", \"address\": \"10.2.0.0/31\" } ],"
	    "    \"static_routes\": ["
	    "      { \"prefix\": \"10.20.0.0/16\", \"next_hop\": \"10.1.0.1\" },"
	    "      { \"prefix\": \"10.21.0.0/16\", \"next_hop\": \"10.1.0.3\" },"
	    "      { \"prefix\": \"10.22.0.0/16\", \"next_hop\": \"10.1.0.0\" },"
	    "      { \"prefix\": \"10.23.0.0/16\", \"next_hop\": \"10.1.0.2\" },"
	    "      { \"prefix\": \"10.24.0.0/16\", \"next_hop\": \"10.2.0.1\" } ] } ] }";
	static const struct {
		const char *prefix, *why; /* why: NULL when installed */
	} want[] = {
		{ "10.20.0.0/16", "next hop 10.1.0.1 is this router's own address on interface a0" },
		{ "10.21.0.0/16", "next hop 10.1.0.3 is the broadcast address of interface a0's "
				  "subnet" },
		{ "10.22.0.0/16", "next hop 10.1.0.0 is the network address of interface a0's "
				  "subnet" },
		{ "10.23.0.0/16", NULL },
		{ "10.24.0.0/16", NULL }, /* a /31 has neither (RFC 3021) */
	};
	struct ferry_config c;
	struct vrf_table vt;
	char why[128];

	log_init("test", LOG_LVL_ERR);
	fx_load(&c, json);
	cr_assert_eq(vrf_table_init(&vt, &c, NULL), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct vrf_prefix *vp = fx_vp(&vt, "A", want[i].prefix);
		const char *r;

		cr_assert_not_null(vp, "%s", want[i].prefix);
		r = vrf_route_reason(vp, vp->best, why, sizeof(why));
		if (want[i].why == NULL) {
			cr_expect_null(r, "%s: %s", want[i].prefix, r);
			cr_expect(vrf_route_installed(vp, vp->best), "%s", want[i].prefix);
		} else {
			cr_expect_not(vrf_route_installed(vp, vp->best), "%s", want[i].prefix);
			cr_expect_str_eq(r ? r : "(installed)", want[i].why);
		}
	}
	vrf_table_free(&vt);
	config_free(&c);
}

/* GET /explain?<query> as served, on this table: its "vpn_route" and S's "route_targets". */
static const char *explain_of(const char *query)
{
	static char out[512];
	struct vrfmgr vm = { .cfg = &cfg };
	const struct api_route *route = vrfmgr_api_route("/explain");
	struct evkeyvalq q;
	struct api_request req = { .path = route->path, .query = &q };
	struct evbuffer *buf = evbuffer_new();
	json_object *j, *verdict;
	struct jw w;

	memcpy(&vm.table, &t, sizeof(t));
	cr_assert_eq(evhttp_parse_query_str(query, &q), 0);
	jw_init(&w, buf);
	cr_assert_eq(api_route_call(route, &w, &req, &vm), 200);
	jw_flush(&w);
	evbuffer_add(buf, "", 1);
	j = json_tokener_parse((const char *)evbuffer_pullup(buf, -1));
	cr_assert_not_null(j);
	verdict = json_object_array_get_idx(json_object_object_get(j, "vrfs"), 0);
	snprintf(out, sizeof(out), "%s %s %s",
		 json_object_to_json_string(json_object_object_get(j, "vpn_route")),
		 json_object_to_json_string(json_object_object_get(verdict, "route_targets")),
		 json_object_to_json_string(json_object_object_get(verdict, "common_rts")));
	json_object_put(j);
	evbuffer_free(buf);
	evhttp_clear_headers(&q);
	return out;
}

/*
 * /explain names a local route's RTs as /routes does: those it is exported
 * with, none while it is not (here unused, its next hop on no subnet); it
 * gave the VRF's export RTs beside "exported": false.
 */
Test(statics, explain_gives_a_local_route_not_exported_no_route_targets)
{
	cr_assert_str_eq(explain_of("rd=65000:1&prefix=10.10.0.0/16&vrf=S"),
			 "{ \"source\": \"local\", \"vrf\": \"A\", \"exported\": false, "
			 "\"label\": null, \"route_targets\": [ ] } [ ] [ ]");
	cr_assert_str_eq(explain_of("rd=65000:1&prefix=10.8.0.0/16&vrf=S"),
			 "{ \"source\": \"local\", \"vrf\": \"A\", \"exported\": true, "
			 "\"label\": 102, \"route_targets\": [ \"65000:1\" ] } [ \"65000:1\" ] "
			 "[ \"65000:1\" ]");
}
