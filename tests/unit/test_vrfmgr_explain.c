/*
 * Explanations (vrfmgr/explain.c, api_explain.c): for each reason a VPN
 * route is not in a VRF the verdict names it (no RT in common, next hop
 * unresolved, no usable label, VRF limit, never received, not exported by
 * the local VRF), and an installed route gets its whole chain in the JSON.
 */
#include <criterion/criterion.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/api.h"
#include "vrfmgr/explain.h"
#include "vrfmgr/vrfmgr.h"

/* pe1 with a limit on B: its connected /30 and static /24 fill it. */
static struct ferry_config cfg;
static struct vrf_table t;

static void setup(void)
{
	log_init("test", LOG_LVL_ERR);
	fx_load(&cfg, FX_PE1_JSON);
	cfg.vrfs[1].max_routes = 2;
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfg);
}

TestSuite(explain, .init = setup, .fini = teardown);

static struct explain ex(const char *vrf, const char *rd, const char *prefix)
{
	struct explain e;
	struct rd d = fx_rd(rd);
	struct prefix4 p = fx_prefix(prefix);

	explain_route(&t, vrf_by_name(&t, vrf), &d, &p, &e);
	return e;
}

Test(explain, installed_route)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct explain e;

	cr_assert_eq(fx_import(&t, &v), 1);
	e = ex("A", "10.255.0.2:100", "192.168.101.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_INSTALLED);
	cr_assert(e.imported && e.installed);
	cr_assert_str_eq(e.reason, "imported, installed");
	cr_assert_not_null(e.route);
	cr_assert_eq(e.route->nh->lsp, &cfg.lsps[0]);
}

Test(explain, no_common_rt)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:999 65000:998");
	struct explain e;

	cr_assert_eq(fx_import(&t, &v), 0);
	e = ex("A", "10.255.0.2:100", "192.168.101.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_NO_COMMON_RT);
	cr_assert_not(e.imported);
	cr_assert_str_eq(e.reason,
			 "no route target in common between the route and VRF A's import RTs");
	cr_assert_eq(e.vpn->n_rts, 2);
}

Test(explain, next_hop_without_lsp)
{
	struct fx_vpn v = fx_vpn("10.255.0.9:100", "192.168.109.0/24", 900, "10.255.0.9",
				 "65000:100");
	struct explain e;

	cr_assert_eq(fx_import(&t, &v), 1);
	e = ex("A", "10.255.0.9:100", "192.168.109.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_NH_UNRESOLVED);
	cr_assert(e.imported);
	cr_assert_not(e.installed);
	cr_assert_str_eq(e.reason, "imported, not installed: next hop 10.255.0.9 has no LSP");
}

Test(explain, no_usable_label)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 3, "10.255.0.2",
				 "65000:100");
	struct explain e;

	cr_assert_eq(fx_import(&t, &v), -EINVAL);
	e = ex("A", "10.255.0.2:100", "192.168.101.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_UNUSABLE);
	cr_assert_str_eq(e.reason, "not imported anywhere: no usable VPN label");
}

Test(explain, a_good_route_made_unusable_leaves_the_vrfs)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");

	cr_assert_eq(fx_import(&t, &v), 1);
	v.r.label = 0;
	cr_assert_eq(fx_import(&t, &v), -EINVAL);
	cr_assert_null(fx_vp(&t, "A", "192.168.101.0/24"));
}

Test(explain, vrf_limit)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:200", "192.168.101.0/24", 201, "10.255.0.2",
				 "65000:200");
	struct explain e;

	cr_assert_eq(fx_import(&t, &v), 0);
	e = ex("B", "10.255.0.2:200", "192.168.101.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_VRF_LIMIT);
	cr_assert_str_eq(e.reason, "VRF B is at its route limit (2 prefixes, max_routes 2)");
}

Test(explain, not_received)
{
	struct explain e = ex("A", "10.255.0.2:100", "192.168.101.0/24");

	cr_assert_eq(e.verdict, EXPLAIN_NOT_RECEIVED);
	cr_assert_str_eq(e.reason, "bgpd has no path for 10.255.0.2:100:192.168.101.0/24");
}

Test(explain, local_routes_and_local_leaking)
{
	struct explain e = ex("A", "10.255.0.1:100", "192.168.100.0/24");

	cr_assert_eq(e.verdict, EXPLAIN_LOCAL);
	cr_assert(e.installed);
	cr_assert_str_eq(e.reason, "a route of this VRF, installed");
	/* B does not import A's RT: A's route is not leaked into B. */
	e = ex("B", "10.255.0.1:100", "192.168.100.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_NO_COMMON_RT);
	cr_assert_str_eq(e.reason, "no route target in common: VRF A exports none that VRF B "
				   "imports");
	e = ex("B", "10.255.0.1:100", "192.168.99.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_NOT_EXPORTED);
	cr_assert_str_eq(e.reason, "VRF A does not export it (no such route)");
}

Test(explain, a_local_route_wins)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.100.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct explain e;

	cr_assert_eq(fx_import(&t, &v), 1);
	e = ex("A", "10.255.0.2:100", "192.168.100.0/24");
	cr_assert_eq(e.verdict, EXPLAIN_NOT_SELECTED);
	cr_assert_str_eq(e.reason, "imported, not installed: a static route is preferred");
}

/* ---- the JSON ---- */

static char *get_path(const char *path, const char *query, int *status)
{
	static char out[8192];
	struct vrfmgr vm = { .cfg = &cfg };
	struct evkeyvalq q;
	struct api_request req = { .path = path, .query = &q };
	struct evbuffer *buf = evbuffer_new();
	struct jw w;
	size_t n;

	memcpy(&vm.table, &t, sizeof(t));
	cr_assert_eq(evhttp_parse_query_str(query, &q), 0);
	jw_init(&w, buf);
	*status = api_route_call(vrfmgr_api_route(path), &w, &req, &vm); /* as served */
	jw_flush(&w);
	n = evbuffer_get_length(buf);
	cr_assert_lt(n, sizeof(out));
	evbuffer_remove(buf, out, n);
	out[n] = '\0';
	evbuffer_free(buf);
	evhttp_clear_headers(&q);
	return out;
}

static char *get_explain(const char *query, int *status)
{
	return get_path("/explain", query, status);
}

/* /routes: "reason" on every candidate, null on the one installed (as explained above). */
Test(explain, json_routes_reason_null_when_installed)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.100.0/24", 200, "10.255.0.2",
				 "65000:100");
	int status;
	char *s;

	cr_assert_eq(fx_import(&t, &v), 1);
	s = get_path("/routes", "vrf=A&prefix=192.168.100.0/24", &status);
	cr_assert_eq(status, 200);
	cr_assert_not_null(strstr(s, "\"source\":\"static\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"installed\":true,\"reason\":null}"), "%s", s);
	cr_assert_not_null(strstr(s, "\"installed\":false,\"reason\":\"a static route is "
				     "preferred"), "%s", s);
}

/*
 * /routes?address=A without a VRF: each VRF's longest match for A, so the
 * same customer address in two tenants shows both ways (it was a 400).
 */
Test(explain, json_routes_address_in_every_vrf)
{
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn b = fx_vpn("10.255.0.2:200", "192.168.101.0/24", 201, "10.255.0.2",
				 "65000:200");
	int status;
	char *s;

	vrf_table_free(&t);
	cfg.vrfs[1].max_routes = 0; /* B takes the remote route too */
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(fx_import(&t, &b), 1);
	s = get_path("/routes", "address=192.168.101.10", &status);
	cr_assert_eq(status, 200, "%s", s);
	cr_assert_not_null(strstr(s, "{\"vrf\":\"A\",\"prefix\":\"192.168.101.0/24\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"inner_label\":200"), "%s", s);
	cr_assert_not_null(strstr(s, "{\"vrf\":\"B\",\"prefix\":\"192.168.101.0/24\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"inner_label\":201"), "%s", s);
	cr_assert_not_null(strstr(s, "\"prefixes\":2,"), "%s", s);
	s = get_path("/routes", "address=192.168.100.10", &status);
	cr_assert_eq(status, 200, "%s", s);
	cr_assert_not_null(strstr(s, "\"prefixes\":2,"), "each VRF's own static route: %s", s);
	s = get_path("/routes", "address=192.168.101.10&prefix=192.168.101.0/24", &status);
	cr_assert_eq(status, 400, "%s", s);
	cr_assert_not_null(strstr(s, "address: not with prefix="), "%s", s);
}

/*
 * A static route whose next hop is on no subnet of the VRF has no interface:
 * "interface" is null, as /explain and the events say, not "" (the key a
 * client reads as a name).
 */
Test(explain, json_routes_interface_null_when_next_hop_off_link)
{
	struct cfg_static_route *s;
	struct cfg_vrf *a = &cfg.vrfs[0];
	int status;
	char *r;

	vrf_table_free(&t);
	s = realloc(a->static_routes, (a->n_static_routes + 1) * sizeof(*s));
	cr_assert_not_null(s);
	a->static_routes = s;
	s[a->n_static_routes++] = (struct cfg_static_route){ .prefix = fx_prefix("10.50.0.0/16"),
							     .next_hop = 0x0a070707,
							     .distance = 1 };
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
	r = get_path("/routes", "vrf=A&prefix=10.50.0.0/16", &status);
	cr_assert_eq(status, 200);
	cr_assert_not_null(strstr(r, "\"outer_label\":null,\"interface\":null,"
				     "\"next_hop\":\"10.7.7.7\""), "%s", r);
	cr_assert_not_null(strstr(r, "\"installed\":false,\"reason\":\"next hop 10.7.7.7 is "
				     "not on a connected subnet of the VRF\"}"), "%s", r);
}

Test(explain, json_chain_of_an_installed_route)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	int status;
	char *s;

	cr_assert_eq(fx_import(&t, &v), 1);
	s = get_explain("vrf=A&rd=10.255.0.2:100&prefix=192.168.101.0/24", &status);
	cr_assert_eq(status, 200);
	cr_assert_str_eq(
	    s,
	    "{\"rd\":\"10.255.0.2:100\",\"prefix\":\"192.168.101.0/24\","
	    "\"vpn_route\":{\"source\":\"bgp\",\"label\":200,\"next_hop\":\"10.255.0.2\","
	    "\"peer\":\"10.255.0.2\",\"local_pref\":100,\"route_targets\":[\"65000:100\"],"
	    "\"problem\":null},"
	    "\"vrfs\":[{\"vrf\":\"A\",\"verdict\":\"installed\",\"imported\":true,\"installed\":true,"
	    "\"reason\":\"imported, installed\",\"import_rts\":[\"65000:100\"],"
	    "\"route_targets\":[\"65000:100\"],\"common_rts\":[\"65000:100\"],"
	    "\"chain\":{\"source\":\"bgp\",\"vpn_route\":\"10.255.0.2:100:192.168.101.0/24\","
	    "\"rd\":\"10.255.0.2:100\",\"route_targets\":[\"65000:100\"],\"inner_label\":200,"
	    "\"remote_pe\":\"10.255.0.2\",\"lsp\":{\"fec\":\"10.255.0.2/32\",\"out_label\":16,"
	    "\"next_hop\":\"10.0.1.2\",\"interface\":\"core0\"},\"outer_label\":16,"
	    "\"interface\":\"core0\",\"next_hop\":\"10.0.1.2\",\"installed\":true}}]}");
}

Test(explain, json_both_rt_sets_when_none_meet_and_errors)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:999");
	int status;
	char *s;

	cr_assert_eq(fx_import(&t, &v), 0);
	s = get_explain("rd=10.255.0.2:100&prefix=192.168.101.0/24", &status);
	cr_assert_eq(status, 200);
	cr_assert_not_null(strstr(s, "{\"vrf\":\"A\",\"verdict\":\"no-common-rt\",\"imported\":false,"
				     "\"installed\":false,"), "%s", s);
	cr_assert_not_null(strstr(s, "\"import_rts\":[\"65000:100\"],\"route_targets\":"
				     "[\"65000:999\"],\"common_rts\":[],\"chain\":null}"), "%s", s);
	cr_assert_not_null(strstr(s, "{\"vrf\":\"B\",\"verdict\":\"no-common-rt\""), "%s", s);
	s = get_explain("rd=10.255.0.2:100", &status);
	cr_assert_eq(status, 400);
	cr_assert_str_eq(s, "{\"error\":\"missing prefix (want ?rd=RD&prefix=PREFIX, and "
			    "optionally &vrf=NAME)\",\"status\":400,\"param\":\"prefix\"}");
	s = get_explain("vrf=A", &status);
	cr_assert_eq(status, 400);
	cr_assert_not_null(strstr(s, "\"missing rd and prefix (want ?rd=RD&prefix="), "%s", s);
	/* as every other endpoint says it: the parameter, the value, the form wanted */
	s = get_explain("rd=nonsense&prefix=192.168.101.0/24", &status);
	cr_assert_eq(status, 400);
	cr_assert_str_eq(s, "{\"error\":\"rd: \\\"nonsense\\\" is not a route distinguisher "
			    "(want ASN:NN, IP:NN, ASN4:NN or ASNL:NN)\",\"status\":400,\"param\":\"rd\"}");
	s = get_explain("rd=10.255.0.2:100&prefix=192.168.101.5", &status);
	cr_assert_eq(status, 400);
	cr_assert_str_eq(s, "{\"error\":\"prefix: \\\"192.168.101.5\\\" is not an IPv4 prefix "
			    "(want a.b.c.d/len, host bits clear)\",\"status\":400,\"param\":\"prefix\"}");
	s = get_explain("vrf=Z&rd=10.255.0.2:100&prefix=192.168.101.0/24", &status);
	cr_assert_eq(status, 404);
	cr_assert_str_eq(s, "{\"error\":\"no VRF named \\\"Z\\\"\",\"status\":404,\"param\":\"vrf\"}");
}

Test(explain, json_unknown_or_repeated_parameters_are_400)
{
	int status;
	char *s;

	s = get_explain("rd=10.255.0.2:100&prefix=192.168.101.0/24&vfr=B", &status);
	cr_assert_eq(status, 400);
	cr_assert_str_eq(s, "{\"error\":\"unknown parameter \\\"vfr\\\" (want rd, prefix, vrf)\","
			    "\"status\":400,\"param\":\"vfr\"}");
	get_explain("rd=10.255.0.2:100&prefix=192.168.101.0/24&vrf=A&vrf=B", &status);
	cr_assert_eq(status, 400);
	get_explain("RD=10.255.0.2:100&prefix=192.168.101.0/24", &status);
	cr_assert_eq(status, 400);
}

/*
 * /labels?vrf=NAME: one tenant's labels (per-CE and per-prefix VRFs have
 * many) out of hundreds of VRFs' worth; an unknown VRF is a 404 naming vrf.
 */
Test(explain, json_labels_of_one_vrf)
{
	int status;
	char *s = get_path("/labels", "vrf=B", &status);

	cr_assert_eq(status, 200, "%s", s);
	cr_assert_not_null(strstr(s, "\"vrf\":\"B\""), "%s", s);
	cr_assert_null(strstr(s, "\"vrf\":\"A\""), "%s", s);
	s = get_path("/labels", "", &status);
	cr_assert(strstr(s, "\"vrf\":\"A\"") != NULL && strstr(s, "\"vrf\":\"B\"") != NULL, "%s", s);
	s = get_path("/labels", "vrf=Z", &status);
	cr_assert_eq(status, 404);
	cr_assert_not_null(strstr(s, "\"param\":\"vrf\""), "%s", s);
}

/*
 * /labels says whether fwd's LFIB has each label (programmed): those in
 * use, and one held down but kept there while its VRF stays (remote PEs
 * may still send with it).
 */
Test(explain, json_labels_say_which_are_programmed)
{
	int status;
	char *s;

	s = get_path("/labels", "", &status);
	cr_assert_eq(status, 200, "%s", s);
	cr_assert_not_null(strstr(s, "{\"label\":100,\"vrf\":\"A\",\"action\":\"pop-lookup\","
				     "\"mode\":\"per-vrf\",\"programmed\":true,\"users\":"),
			   "%s", s);
	/* A's mode becomes per-prefix, as a reload does it: its prefixes first, then A's label. */
	cfg.vrfs[0].label_mode = CFG_LABEL_PER_PREFIX;
	export_prefix_sync(&t, vrf_by_name(&t, "A"), fx_vp(&t, "A", "10.1.1.0/30"));
	export_prefix_sync(&t, vrf_by_name(&t, "A"), fx_vp(&t, "A", "192.168.100.0/24"));
	vrf_label_release_vrf(&t, vrf_by_name(&t, "A"));
	s = get_path("/labels", "vrf=A", &status);
	cr_assert_not_null(strstr(s, "{\"label\":100,\"vrf\":\"A\",\"action\":\"held\","
				     "\"mode\":\"per-vrf\",\"programmed\":true,\"held_for_s\":"),
			   "%s", s);
}

/*
 * /labels marks the labels of a VRF re-created under its name with another
 * RD "retired" (never claimed again), still saying what they stood for:
 * mode, and a per-prefix label's prefix. The others are "retired": false.
 */
Test(explain, json_labels_say_which_are_retired)
{
	struct rd other = fx_rd("10.255.0.1:999"), was;
	int status;
	char *s;

	cfg.vrfs[0].label_mode = CFG_LABEL_PER_PREFIX;
	export_prefix_sync(&t, vrf_by_name(&t, "A"), fx_vp(&t, "A", "10.1.1.0/30"));
	export_prefix_sync(&t, vrf_by_name(&t, "A"), fx_vp(&t, "A", "192.168.100.0/24"));
	vrf_label_release_vrf(&t, vrf_by_name(&t, "A"));
	/* as a reload re-creating A does it, around its teardown and its build */
	label_vrf_left(&t.labels, "A", &cfg.vrfs[0].rd);
	cr_assert_eq(label_vrf_arrived(&t.labels, "A", &other, &was), 3);
	s = get_path("/labels", "", &status);
	cr_assert_eq(status, 200, "%s", s);
	cr_assert_not_null(strstr(s, "{\"label\":100,\"vrf\":\"A\",\"action\":\"held\","
				     "\"mode\":\"per-vrf\",\"programmed\":false,\"held_for_s\":60,"
				     "\"retired\":true}"),
			   "%s", s);
	cr_assert_not_null(strstr(s, "\"vrf\":\"A\",\"action\":\"pop-forward\","
				     "\"mode\":\"per-prefix\",\"prefix\":\"10.1.1.0/30\","),
			   "%s", s);
	cr_assert_not_null(strstr(s, "{\"label\":101,\"vrf\":\"B\",\"action\":\"pop-lookup\","
				     "\"mode\":\"per-vrf\",\"programmed\":true,\"users\":3,"
				     "\"retired\":false}"),
			   "%s", s);
}

/*
 * /vpn says of each route whether a VRF imported it: a route no VRF imports
 * (no import RT in common, or refused by a full VRF) is "imported": false,
 * beside its empty "vrfs"; one in A is true.
 */
Test(explain, json_vpn_imported_or_not)
{
	struct fx_vpn in_a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				    "65000:100");
	struct fx_vpn nowhere = fx_vpn("10.255.0.2:900", "192.168.109.0/24", 209, "10.255.0.2",
				       "65000:900");
	struct fx_vpn b_full = fx_vpn("10.255.0.2:200", "192.168.101.0/24", 201, "10.255.0.2",
				      "65000:200");
	static const struct {
		const char *query, *want;
	} cases[] = {
		{ "rd=10.255.0.2:100&prefix=192.168.101.0/24", "\"vrfs\":[\"A\"],\"imported\":true}" },
		{ "rd=10.255.0.2:900&prefix=192.168.109.0/24", "\"vrfs\":[],\"imported\":false}" },
		{ "rd=10.255.0.2:200&prefix=192.168.101.0/24", "\"vrfs\":[],\"imported\":false}" },
	};
	int status;

	cr_assert_eq(fx_import(&t, &in_a), 1);
	cr_assert_eq(fx_import(&t, &nowhere), 0);
	cr_assert_eq(fx_import(&t, &b_full), 0); /* B is at its limit of 2 */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = get_path("/vpn", cases[i].query, &status);

		cr_assert_eq(status, 200, "%s", s);
		cr_assert_not_null(strstr(s, cases[i].want), "%s: %s", cases[i].query, s);
	}
}

/* ?imported= keeps the routes by that field: false, those no VRF took (a typo'd import RT). */
Test(explain, json_vpn_filter_imported)
{
	struct fx_vpn in_a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				    "65000:100");
	struct fx_vpn nowhere = fx_vpn("10.255.0.2:900", "192.168.109.0/24", 209, "10.255.0.2",
				       "65000:900");
	static const struct {
		const char *query, *want, *not;
	} cases[] = {
		{ "imported=false", "\"rd\":\"10.255.0.2:900\"", "10.255.0.2:100" },
		{ "imported=0&limit=1", "\"returned\":1}", "10.255.0.2:100" },
		{ "imported=true", "\"rd\":\"10.255.0.2:100\"", "10.255.0.2:900" },
		{ "rd=10.255.0.2:100&prefix=192.168.101.0/24&imported=false", "\"routes\":[]", "900" },
	};
	int status;
	char *s;

	cr_assert_eq(fx_import(&t, &in_a), 1);
	cr_assert_eq(fx_import(&t, &nowhere), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = get_path("/vpn", cases[i].query, &status);
		cr_assert_eq(status, 200, "%s: %s", cases[i].query, s);
		cr_assert_not_null(strstr(s, cases[i].want), "%s: %s", cases[i].query, s);
		cr_assert_null(strstr(s, cases[i].not), "%s: %s", cases[i].query, s);
	}
	s = get_path("/vpn", "imported=no", &status);
	cr_assert_eq(status, 400);
	cr_assert_str_eq(s, "{\"error\":\"imported: \\\"no\\\" is not a boolean (want true, false, 1 "
			    "or 0)\",\"status\":400,\"param\":\"imported\"}");
}

/* ?address= that is a prefix (or not an address) says the form wanted and where a prefix goes. */
Test(explain, json_routes_bad_address_says_the_form_wanted)
{
	int status;
	char *s = get_path("/routes", "address=192.168.101.0/24", &status);

	cr_assert_eq(status, 400);
	cr_assert_str_eq(s, "{\"error\":\"address: \\\"192.168.101.0/24\\\" is not an IPv4 "
			    "address (want a.b.c.d; a prefix goes in ?prefix=)\",\"status\":400,"
			    "\"param\":\"address\"}");
}

/*
 * A local route's label, the one remote PEs send to reach it (bgpd's
 * "label" for its VPN route), is on its candidate: "export_label". Null on
 * a remote route (never re-exported) and on a local one that is not selected.
 */
Test(explain, json_routes_export_label_of_local_routes)
{
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.100.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn r = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	int status;
	char *s;

	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_eq(fx_import(&t, &r), 1);
	s = get_path("/routes", "vrf=A&prefix=192.168.100.0/24", &status);
	cr_assert_eq(status, 200);
	cr_assert_not_null(strstr(s, "\"source\":\"static\",\"distance\":1,\"rd\":\"10.255.0.1:100\","
				     "\"inner_label\":null,\"export_label\":100,"), "%s", s);
	cr_assert_not_null(strstr(s, "\"source\":\"bgp\",\"distance\":200,\"rd\":\"10.255.0.2:100\","
				     "\"inner_label\":200,\"export_label\":null,"), "%s", s);
	s = get_path("/routes", "vrf=A&prefix=192.168.101.0/24", &status);
	cr_assert_not_null(strstr(s, "\"inner_label\":200,\"export_label\":null,"), "%s", s);
}
