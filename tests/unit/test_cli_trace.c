/*
 * ferryctl trace, on the daemons' answers recorded from the lab
 * (tests/unit/cli/): the lab as it is gives no finding (and the golden
 * text), and each way bgpd, vrfmgr and fwd can see one address differently
 * is found and named: another label pushed, a prefix fwd lacks, a VPN
 * route bgpd and vrfmgr disagree on, no route anywhere, VPN routes the VRF
 * does not use (and why), covering routes listed by what matters to it.
 * verify: test_cli_check.c.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "test_cli_util.h"

static void trace_load(struct cli_trace_docs *d)
{
	d->vrf = "A";
	d->address = "192.168.101.10";
	d->vrf_route = fixture("trace_vrf_route");
	d->bgp_route = fixture("bgp_route");
	d->explain = fixture("trace_explain");
	d->fwd_lookup = fixture("trace_lookup");
	d->fwd_fib = fixture("fib_A");
	d->vpn_covering = d->vrf_info = d->unused_explains = NULL;
	d->bgpd_unasked = d->fwd_unasked = false;
}

/* The lab's answers, but no route in VRF A for the address, in vrfmgr or fwd. */
static void trace_load_no_route(struct cli_trace_docs *d)
{
	trace_load(d);
	json_object_put(d->vrf_route);
	d->vrf_route = json_tokener_parse("{\"routes\":[]}");
	json_object_put(d->fwd_lookup);
	d->fwd_lookup = json_tokener_parse("{\"found\":false}");
}

static void trace_free(struct cli_trace_docs *d)
{
	json_object_put(d->vrf_route);
	json_object_put(d->bgp_route);
	json_object_put(d->explain);
	json_object_put(d->fwd_lookup);
	json_object_put(d->fwd_fib);
	json_object_put(d->vpn_covering);
	json_object_put(d->vrf_info);
	json_object_put(d->unused_explains);
}

/* The report's disagreements joined by newlines. */
static char *disagreements(struct json_object *report)
{
	struct json_object *a = json_object_object_get(report, "disagreements");
	size_t cap = 4096, n = 0;
	char *s = calloc(1, cap);

	for (size_t i = 0; i < json_object_array_length(a); i++)
		n += (size_t)snprintf(s + n, cap - n, "%s\n",
				      json_object_get_string(json_object_array_get_idx(a, i)));
	return s;
}

Test(cli_trace, lab_is_consistent_golden)
{
	struct cli_trace_docs d;
	struct json_object *report;
	char *text = NULL;

	trace_load(&d);
	cr_assert_eq(cli_trace_report(&d, &report), 0);
	cr_assert(json_object_get_boolean(json_object_object_get(report, "consistent")));
	CAPTURE(text, cli_trace_print(out, report));
	golden("trace_A_192.168.101.10", text);
	free(text);
	json_object_put(report);
	trace_free(&d);
}

static void trace_expect(struct cli_trace_docs *d, int n, const char *msg)
{
	struct json_object *report;
	char *s;

	cr_assert_eq(cli_trace_report(d, &report), n);
	s = disagreements(report);
	cr_expect(strstr(s, msg) != NULL, "\"%s\" not in:\n%s", msg, s);
	free(s);
	json_object_put(report);
}

/*
 * fwd, or bgpd, not running: the trace still shows what the others hold,
 * marks the part it could not check and is not clean (exit 1). It ended at
 * the first daemon that did not answer, showing nothing.
 */
Test(cli_trace, a_daemon_not_asked_leaves_the_rest_shown)
{
	struct cli_trace_docs d;
	struct json_object *report, *un;
	char *text = NULL;

	trace_load(&d);
	json_object_put(d.fwd_lookup);
	json_object_put(d.fwd_fib);
	d.fwd_lookup = d.fwd_fib = NULL;
	d.fwd_unasked = true;
	cr_assert_eq(cli_trace_report(&d, &report), 1);
	cr_assert(!json_object_get_boolean(json_object_object_get(report, "consistent")));
	un = json_object_object_get(report, "unchecked");
	cr_assert_eq(json_object_array_length(un), 1);
	cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(un, 0)), "fwd");
	CAPTURE(text, cli_trace_print(out, report));
	cr_assert_not_null(strstr(text, "  outer label  16\n"
					"  fwd holds    unknown: fwd could not be asked (see above)\n"
					"  verdict      incomplete: fwd not asked\n"), "%s", text);
	free(text);
	json_object_put(report);

	d.bgpd_unasked = true; /* and bgpd: vrfmgr's chain is all there is */
	cr_assert_eq(cli_trace_report(&d, &report), 2);
	CAPTURE(text, cli_trace_print(out, report));
	cr_assert_not_null(strstr(text, "  BGP best     unknown: bgpd could not be asked (see above)\n"
					"  inner label  200\n"), "%s", text);
	cr_assert_not_null(strstr(text, "  verdict      incomplete: bgpd and fwd not asked\n"), "%s",
			   text);
	free(text);
	json_object_put(report);
	trace_free(&d);
}

Test(cli_trace, fwd_pushes_another_label)
{
	struct cli_trace_docs d;

	trace_load(&d);
	json_object_object_add(d.fwd_lookup, "inner_label", json_object_new_int(999));
	trace_expect(&d, 1, "fwd pushes [16 | 999], vrfmgr expects [16 | 200]");
	trace_free(&d);
}

Test(cli_trace, fwd_lacks_the_prefix)
{
	struct cli_trace_docs d;

	trace_load(&d);
	json_object_put(d.fwd_fib);
	d.fwd_fib = json_tokener_parse("{\"fib\":[]}");
	trace_expect(&d, 1, "fwd has no FIB entry for 192.168.101.0/24 in VRF A");
	json_object_object_add(d.fwd_lookup, "found", json_object_new_boolean(false));
	trace_expect(&d, 1, "fwd has no route for 192.168.101.10 in VRF A");
	trace_free(&d);
}

Test(cli_trace, bgpd_disagrees)
{
	struct cli_trace_docs d;
	struct json_object *best;

	trace_load(&d);
	best = json_object_array_get_idx(json_object_object_get(d.bgp_route, "paths"), 0);
	json_object_object_add(best, "label", json_object_new_int(300));
	json_object_object_add(best, "next_hop", json_object_new_string("10.255.0.9"));
	trace_expect(&d, 2, "bgpd's best path carries label 300, vrfmgr pushes inner label 200");
	trace_expect(&d, 2, "next hop 10.255.0.9, vrfmgr sends to remote PE 10.255.0.2");
	json_object_put(d.bgp_route);
	d.bgp_route = NULL;
	trace_expect(&d, 1, "bgpd has no route 10.255.0.2:100:192.168.101.0/24");
	trace_free(&d);
}

Test(cli_trace, no_route_anywhere_says_so)
{
	struct cli_trace_docs d;
	struct json_object *report;
	char *text = NULL;

	trace_load_no_route(&d);
	cr_assert_eq(cli_trace_report(&d, &report), 0);
	CAPTURE(text, cli_trace_print(out, report));
	cr_assert(strstr(text, "verdict      no route: fwd drops packets to 192.168.101.10 (the "
			       "sender hears network unreachable); bgpd, vrfmgr and fwd agree") != NULL,
		  "%s", text);
	free(text);
	json_object_put(report);
	trace_free(&d);
}

/* /explain?vrf=A of RD:192.168.101.0/24 carrying RT, as vrfmgr answers it with A importing 65000:10 */
static struct json_object *explain_no_common_rt(const char *rd, const char *rt)
{
	char j[1024];

	snprintf(j, sizeof(j),
		 "{\"rd\":\"%s\",\"prefix\":\"192.168.101.0/24\",\"vpn_route\":{\"source\":\"bgp\","
		 "\"label\":200,\"next_hop\":\"10.255.0.2\",\"route_targets\":[\"%s\"]},"
		 "\"vrfs\":[{\"vrf\":\"A\",\"verdict\":\"no-common-rt\",\"imported\":false,"
		 "\"installed\":false,\"reason\":\"no route target in common between the route and "
		 "VRF A's import RTs\",\"import_rts\":[\"65000:10\"],\"route_targets\":[\"%s\"],"
		 "\"common_rts\":[],\"chain\":null}]}",
		 rd, rt, rt);
	return json_tokener_parse(j);
}

/* A /vpn answer of n routes covering 192.168.101.10 (their RDs 10.255.0.2:1..n). */
static struct json_object *covering(int n)
{
	struct json_object *doc = json_object_new_object(), *a = json_object_new_array();

	for (int i = 1; i <= n; i++) {
		char j[256];

		snprintf(j, sizeof(j), "{\"rd\":\"10.255.0.2:%d\",\"prefix\":\"192.168.101.0/24\"}", i);
		json_object_array_add(a, json_tokener_parse(j));
	}
	json_object_object_add(doc, "routes", a);
	return doc;
}

/*
 * No route in VRF A, because A imports an RT nobody exports (65000:10, a
 * typo of 65000:100): the trace names each VPN route covering the address
 * and why A does not use it, with what A imports. It said only "no route".
 */
Test(cli_trace, no_vrf_route_names_the_vpn_routes_not_used)
{
	struct cli_trace_docs d;
	struct json_object *report;
	char *text = NULL;

	trace_load_no_route(&d);
	d.vpn_covering = covering(2);
	d.unused_explains = json_object_new_array();
	json_object_array_add(d.unused_explains, explain_no_common_rt("10.255.0.2:100", "65000:100"));
	json_object_array_add(d.unused_explains, explain_no_common_rt("10.255.0.2:200", "65000:200"));
	cr_assert_eq(cli_trace_report(&d, &report), 0);
	CAPTURE(text, cli_trace_print(out, report));
	cr_assert_str_eq(text,
			 "trace 192.168.101.10 in VRF A\n"
			 "  VRF route    none: no installed route in VRF A covers 192.168.101.10\n"
			 "  VPN route    10.255.0.2:100:192.168.101.0/24, RTs 65000:100, not used: no "
			 "route target in common between the route and VRF A's import RTs (VRF A "
			 "imports 65000:10)\n"
			 "  VPN route    10.255.0.2:200:192.168.101.0/24, RTs 65000:200, not used: no "
			 "route target in common between the route and VRF A's import RTs (VRF A "
			 "imports 65000:10)\n"
			 "  verdict      no route: fwd drops packets to 192.168.101.10 (the sender "
			 "hears network unreachable); bgpd, vrfmgr and fwd agree\n");
	free(text);
	json_object_put(report);
	trace_free(&d);
}

/* None covers it: said; more than were explained: counted, with the command that lists them. */
Test(cli_trace, no_vrf_route_and_no_vpn_route_or_many)
{
	struct cli_trace_docs d;
	struct json_object *report;
	char *text = NULL;

	trace_load_no_route(&d);
	d.vpn_covering = covering(0);
	d.unused_explains = json_object_new_array();
	cr_assert_eq(cli_trace_report(&d, &report), 0);
	CAPTURE(text, cli_trace_print(out, report));
	cr_assert_not_null(strstr(text, "  VPN route    none: no VPN route (from any PE) covers "
					"192.168.101.10\n"), "%s", text);
	free(text);
	json_object_put(report);

	json_object_put(d.vpn_covering);
	d.vpn_covering = covering(CLI_TRACE_UNUSED_MAX + 3);
	for (int i = 1; i <= CLI_TRACE_UNUSED_MAX; i++)
		json_object_array_add(d.unused_explains,
				      explain_no_common_rt("10.255.0.2:1", "65000:1"));
	cr_assert_eq(cli_trace_report(&d, &report), 0);
	CAPTURE(text, cli_trace_print(out, report));
	cr_assert_not_null(strstr(text, "  VPN route    and 3 more cover it (ferryctl show vpn "
					"192.168.101.10/32 shorter)\n"), "%s", text);
	cr_assert_null(strstr(text, "none: no VPN route"), "%s", text);
	free(text);
	json_object_put(report);
	trace_free(&d);
}

/* A covering route as /vpn lists it. */
static struct json_object *vpn_route(const char *rd, const char *prefix, const char *rt)
{
	char j[256];

	snprintf(j, sizeof(j), "{\"rd\":\"%s\",\"prefix\":\"%s\",\"route_targets\":[\"%s\"]}",
		 rd, prefix, rt);
	return json_tokener_parse(j);
}

/*
 * On a PE of many tenants, the routes that matter to the traced VRF come
 * first: one carrying an import RT of A, then A's RD or its number on
 * another PE, then the others by prefix length, as vrfmgr listed them; what
 * is not explained is counted, with how many of those matter.
 */
Test(cli_trace, covering_routes_that_matter_to_the_vrf_first)
{
	struct json_object *vrf = json_tokener_parse(
		"{\"name\":\"A\",\"rd\":\"10.255.0.1:100\",\"import_rts\":[\"65000:10\",\"65000:7\"]}");
	struct json_object *routes = json_object_new_array(), *report;
	struct cli_trace_docs d;
	size_t order[6];
	char *text = NULL;

	json_object_array_add(routes, vpn_route("10.255.0.2:1", "0.0.0.0/0", "65000:1"));
	json_object_array_add(routes, vpn_route("10.255.0.2:2", "192.168.0.0/16", "65000:2"));
	json_object_array_add(routes, vpn_route("10.255.0.2:3", "192.168.101.0/24", "65000:7"));
	json_object_array_add(routes, vpn_route("10.255.0.2:100", "192.168.0.0/16", "65000:100"));
	json_object_array_add(routes, vpn_route("10.255.0.1:100", "192.168.101.0/24", "65000:100"));
	json_object_array_add(routes, vpn_route("10.255.0.2:4", "192.168.101.0/24", "65000:4"));
	cr_assert_eq(cli_trace_relevance(json_object_array_get_idx(routes, 2), vrf),
		     CLI_TRACE_SHARES_RT);
	cr_assert_eq(cli_trace_relevance(json_object_array_get_idx(routes, 3), vrf),
		     CLI_TRACE_SAME_RD);
	cr_assert_eq(cli_trace_relevance(json_object_array_get_idx(routes, 4), vrf),
		     CLI_TRACE_SAME_RD);
	cr_assert_eq(cli_trace_relevance(json_object_array_get_idx(routes, 0), vrf),
		     CLI_TRACE_OTHER);
	cr_assert_eq(cli_trace_relevance(json_object_array_get_idx(routes, 0), NULL),
		     CLI_TRACE_OTHER);
	cr_assert_eq(cli_trace_unused_order(routes, vrf, order), 0);
	cr_assert_eq(order[0], 2);
	cr_assert_eq(order[1], 4); /* the same relevance: the longer prefix first */
	cr_assert_eq(order[2], 3);
	cr_assert_eq(order[3], 5);
	cr_assert_eq(order[4], 1);
	cr_assert_eq(order[5], 0);

	/* two explained (the RT and the RD ones); of the 4 more, one has A's RD */
	trace_load_no_route(&d);
	d.vpn_covering = json_object_new_object();
	json_object_object_add(d.vpn_covering, "routes", routes);
	d.vrf_info = json_object_new_object();
	json_object_object_add(d.vrf_info, "vrfs", json_object_new_array());
	json_object_array_add(json_object_object_get(d.vrf_info, "vrfs"), vrf);
	d.unused_explains = json_object_new_array();
	json_object_array_add(d.unused_explains, explain_no_common_rt("10.255.0.2:3", "65000:7"));
	json_object_array_add(d.unused_explains, explain_no_common_rt("10.255.0.1:100", "65000:100"));
	cr_assert_eq(cli_trace_report(&d, &report), 0);
	CAPTURE(text, cli_trace_print(out, report));
	cr_assert_not_null(strstr(text, "  VPN route    and 4 more cover it, 1 of them with an import "
					"RT or the RD of VRF A (ferryctl show vpn 192.168.101.10/32 "
					"shorter)\n"), "%s", text);
	free(text);
	json_object_put(report);
	trace_free(&d);
}

Test(cli_trace, no_vrf_route_but_fwd_forwards)
{
	struct cli_trace_docs d;

	trace_load(&d);
	json_object_put(d.vrf_route);
	d.vrf_route = json_tokener_parse("{\"routes\":[]}");
	trace_expect(&d, 1, "fwd still forwards 192.168.101.10 in VRF A");
	trace_free(&d);
}
