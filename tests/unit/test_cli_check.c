/*
 * ferryctl verify and events, on the daemons' answers recorded from the lab
 * (tests/unit/cli/): the lab as it is gives no finding (and the golden
 * text), and each kind of disagreement a daemon can have with another is
 * found and named: a missing or extra FIB entry, a different label or next
 * hop, a VPN route bgpd and vrfmgr disagree on, a VRF holding a route its
 * RTs do not allow, an LFIB entry vrfmgr does not know, a link or kernel
 * device out of place; an SSE event becomes one line. trace: test_cli_trace.c.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "test_cli_util.h"

/* ---- verify ---- */

static struct json_object *row(struct json_object *doc, const char *key, size_t i);

static void verify_load(struct cli_verify_docs *d)
{
	d->bgp_routes = fixture("bgp_routes");
	d->vpn = fixture("vpn");
	d->vrfs = fixture("vrfs");
	d->vrf_routes = fixture("vrf_routes");
	d->labels = fixture("labels");
	d->fib = fixture("fib");
	d->lfib = fixture("lfib");
	d->ifaces = fixture("interfaces");
	/* the recorded fwd could not open ce-b1 (for show interfaces); here it has */
	json_object_object_add(row(d->ifaces, "interfaces", 2), "state",
			       json_object_new_string("up"));
}

static char *verify_text(struct cli_verify_docs *d, int n)
{
	struct json_object *report;
	char *text = NULL;

	cr_assert_eq(cli_verify_report(d, &report), n);
	CAPTURE(text, cli_verify_print(out, report));
	json_object_put(report);
	return text;
}

static void verify_expect(struct cli_verify_docs *d, int n, const char *msg)
{
	char *text = verify_text(d, n);

	cr_expect(strstr(text, msg) != NULL, "\"%s\" not in:\n%s", msg, text);
	free(text);
}

/* Element i of doc[key]. */
static struct json_object *row(struct json_object *doc, const char *key, size_t i)
{
	return json_object_array_get_idx(json_object_object_get(doc, key), i);
}

/* Index of the element of doc[key] whose k1 and k2 are v1 and v2. */
static size_t find(struct json_object *doc, const char *key, const char *k1, const char *v1,
		   const char *k2, const char *v2)
{
	struct json_object *a = json_object_object_get(doc, key);

	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *r = json_object_array_get_idx(a, i);

		if (strcmp(json_object_get_string(json_object_object_get(r, k1)), v1) == 0 &&
		    strcmp(json_object_get_string(json_object_object_get(r, k2)), v2) == 0)
			return i;
	}
	cr_assert_fail("no %s %s/%s in %s", key, v1, v2, key);
	return 0;
}

Test(cli_verify, lab_is_consistent_golden)
{
	struct cli_verify_docs d;
	char *text;

	verify_load(&d);
	text = verify_text(&d, 0);
	golden("verify_lab", text);
	free(text);
	cli_verify_docs_free(&d);
}

Test(cli_verify, fib_entry_missing_golden)
{
	struct cli_verify_docs d;
	char *text;

	verify_load(&d);
	json_object_array_del_idx(json_object_object_get(d.fib, "fib"),
				  find(d.fib, "fib", "vrf", "A", "prefix", "192.168.101.0/24"), 1);
	text = verify_text(&d, 1);
	golden("verify_fib_missing", text);
	free(text);
	cli_verify_docs_free(&d);
}

Test(cli_verify, fib_label_different_and_extra)
{
	struct cli_verify_docs d;
	struct json_object *e;

	verify_load(&d);
	e = row(d.fib, "fib", find(d.fib, "fib", "vrf", "B", "prefix", "192.168.101.0/24"));
	json_object_object_add(e, "inner_label", json_object_new_int(999));
	verify_expect(&d, 1, "B:192.168.101.0/24: different: vrfmgr via 10.0.1.2 on core0 [16 | 201], "
			     "fwd via 10.0.1.2 on core0 [16 | 999]");
	json_object_array_add(json_object_object_get(d.fib, "fib"),
			      json_tokener_parse("{\"vrf\":\"A\",\"prefix\":\"10.99.0.0/16\","
						 "\"type\":\"gateway\",\"interface\":\"ce-a1\","
						 "\"gateway\":\"10.1.1.2\",\"out_label\":null,"
						 "\"inner_label\":null}"));
	verify_expect(&d, 2, "A:10.99.0.0/16: extra in fwd: via 10.1.1.2 on ce-a1 [- | -]");
	cli_verify_docs_free(&d);
}

/*
 * A link a VRF binds that fwd could not open cuts its CEs off while the
 * tables agree: a warning. One fwd holds elsewhere or not at all is an
 * inconsistency.
 */
Test(cli_verify, vrf_link_fwd_cannot_use)
{
	struct cli_verify_docs d;
	struct json_object *ifaces;

	verify_load(&d);
	ifaces = json_object_object_get(d.ifaces, "interfaces");
	json_object_object_add(row(d.ifaces, "interfaces", 2), "state",
			       json_object_new_string("down"));
	verify_expect(&d, 0, "vrfmgr -> fwd links  2 compared, ok, 1 warning\n  ce-b1: warning: VRF "
			     "B binds it, fwd has it down (the link is missing or fwd could not open "
			     "it: see fwd's log)\nverify: consistent (1 warning)\n");
	json_object_object_add(row(d.ifaces, "interfaces", 2), "state",
			       json_object_new_string("up"));
	json_object_object_add(row(d.ifaces, "interfaces", 2), "vrf", json_object_new_string("A"));
	verify_expect(&d, 1, "ce-b1: VRF B binds it, fwd has it in VRF A");
	json_object_array_del_idx(ifaces, 2, 1);
	verify_expect(&d, 1, "ce-b1: VRF B binds it, fwd does not know it");
	cli_verify_docs_free(&d);
}

/*
 * A VRF whose routes wait for a free label exports none: bgpd and vrfmgr
 * agree, but its remote sites cannot reach it. A warning, with how many.
 */
Test(cli_verify, routes_waiting_for_a_label)
{
	struct cli_verify_docs d;
	struct json_object *routes, *b;

	verify_load(&d);
	b = row(d.vrfs, "vrfs", 1);
	json_object_object_add(b, "label", NULL);
	json_object_object_add(b, "exports_waiting", json_object_new_int(2));
	routes = json_object_object_get(d.bgp_routes, "routes");
	json_object_array_del_idx(routes, find(d.bgp_routes, "routes", "rd", "10.255.0.1:200",
					       "prefix", "10.2.1.0/30"), 1);
	json_object_array_del_idx(routes, find(d.bgp_routes, "routes", "rd", "10.255.0.1:200",
					       "prefix", "192.168.100.0/24"), 1);
	verify_expect(&d, 0, "bgpd exports         2 compared, ok, 1 warning\n  B: warning: 2 routes "
			     "of VRF B not exported: no free label in router.label_range (exported "
			     "once one is free; show labels)\n");
	verify_expect(&d, 0, "verify: consistent (1 warning)\n");
	cli_verify_docs_free(&d);
}

/*
 * A VRF relabelled by a label_mode change in a full range keeps exporting
 * its routes with their old label until one of the new mode is free, maybe
 * for good: a warning, with how many, beside one for the routes that wait.
 */
Test(cli_verify, routes_exported_with_their_old_label)
{
	struct cli_verify_docs d;
	struct json_object *b;

	verify_load(&d);
	b = row(d.vrfs, "vrfs", 1);
	json_object_object_add(b, "label", NULL);
	json_object_object_add(b, "label_mode", json_object_new_string("per-prefix"));
	json_object_object_add(b, "exports_old_label", json_object_new_int(1));
	verify_expect(&d, 0, "bgpd exports         4 compared, ok, 1 warning\n  B: warning: 1 route "
			     "of VRF B exported with its label from before the label mode change: no "
			     "free label of the new mode in router.label_range (relabelled once one "
			     "is free; show labels)\n");
	/* and one of its routes waits for a label: bgpd does not hold it */
	json_object_object_add(b, "exports_waiting", json_object_new_int(1));
	json_object_array_del_idx(json_object_object_get(d.bgp_routes, "routes"),
				  find(d.bgp_routes, "routes", "rd", "10.255.0.1:200", "prefix",
				       "10.2.1.0/30"), 1);
	verify_expect(&d, 0, "bgpd exports         3 compared, ok, 2 warnings\n  B: warning: 1 "
			     "route of VRF B not exported: no free label in router.label_range "
			     "(exported once one is free; show labels)\n  B: warning: 1 route of VRF B "
			     "exported with its label");
	verify_expect(&d, 0, "verify: consistent (2 warnings)\n");
	cli_verify_docs_free(&d);
}

Test(cli_verify, bgpd_and_vrfmgr_disagree)
{
	struct cli_verify_docs d;
	struct json_object *vr;

	verify_load(&d);
	vr = row(d.vpn, "routes", find(d.vpn, "routes", "rd", "10.255.0.2:100", "prefix",
				       "192.168.101.0/24"));
	json_object_object_add(vr, "label", json_object_new_int(777));
	verify_expect(&d, 1, "10.255.0.2:100:192.168.101.0/24: different: bgpd label 200 next hop "
			     "10.255.0.2, vrfmgr label 777 next hop 10.255.0.2");
	json_object_array_del_idx(json_object_object_get(d.vpn, "routes"),
				  find(d.vpn, "routes", "rd", "10.255.0.2:100", "prefix",
				       "192.168.101.0/24"),
				  1);
	verify_expect(&d, 1, "10.255.0.2:100:192.168.101.0/24: missing in vrfmgr: bgpd's best path "
			     "from 10.255.0.2, label 200");
	cli_verify_docs_free(&d);
}

Test(cli_verify, vrf_import_by_rt)
{
	struct cli_verify_docs d;
	struct json_object *vr;

	verify_load(&d);
	vr = row(d.vpn, "routes", find(d.vpn, "routes", "rd", "10.255.0.2:200", "prefix",
				       "10.2.2.0/30"));
	json_object_object_add(vr, "vrfs", json_tokener_parse("[\"A\"]"));
	verify_expect(&d, 2, "10.255.0.2:200:10.2.2.0/30: VRF A holds it without a route target in "
			     "common");
	verify_expect(&d, 2, "10.255.0.2:200:10.2.2.0/30: VRF B imports one of its RTs but does "
			     "not hold it");
	cli_verify_docs_free(&d);
}

Test(cli_verify, lfib_and_exports)
{
	struct cli_verify_docs d;
	struct json_object *l;

	verify_load(&d);
	l = row(d.lfib, "lfib", 0);
	json_object_object_add(l, "vrf", json_object_new_string("B"));
	verify_expect(&d, 1, "label 100: different: vrfmgr pop_lookup VRF A, fwd pop_lookup VRF B");
	json_object_array_add(json_object_object_get(d.lfib, "lfib"),
			      json_tokener_parse("{\"in_label\":150,\"action\":\"pop_lookup\","
						 "\"vrf\":\"A\"}"));
	verify_expect(&d, 2, "label 150: extra in fwd: pop_lookup, vrfmgr has no such label");
	cli_verify_docs_free(&d);
	verify_load(&d);
	l = row(d.vrfs, "vrfs", 0);
	json_object_object_add(l, "label", json_object_new_int(42));
	verify_expect(&d, 2, "exported with label 100, VRF A's label is 42");
	cli_verify_docs_free(&d);
}

/*
 * A label held down but kept in fwd's LFIB (programmed: its VRF stays,
 * remote PEs may still send with it) is expected there with its mode's
 * action; one held down without an entry is not.
 */
Test(cli_verify, held_labels_kept_in_fwd)
{
	struct cli_verify_docs d;
	struct json_object *held = json_tokener_parse(
		"{\"label\":102,\"vrf\":\"A\",\"action\":\"held\",\"mode\":\"per-vrf\","
		"\"programmed\":true,\"held_for_s\":30}");

	verify_load(&d);
	json_object_array_add(json_object_object_get(d.labels, "labels"), held);
	verify_expect(&d, 1, "label 102: missing in fwd: vrfmgr keeps it through its hold-down "
			     "(pop_lookup, VRF A)");
	json_object_array_add(json_object_object_get(d.lfib, "lfib"),
			      json_tokener_parse("{\"in_label\":102,\"action\":\"pop_lookup\","
						 "\"vrf\":\"A\"}"));
	free(verify_text(&d, 0));
	json_object_object_add(held, "programmed", json_object_new_boolean(false));
	verify_expect(&d, 1, "label 102: extra in fwd: pop_lookup, vrfmgr holds it down without "
			     "an LFIB entry");
	cli_verify_docs_free(&d);
}

/* ---- events: one SSE event as a line ---- */

Test(cli_events, lines)
{
	char b[512];

	cr_assert_str_eq(cli_event_line("bgpd", "route",
					"{\"seq\":7,\"action\":\"update\",\"rd\":\"10.255.0.2:100\","
					"\"prefix\":\"192.168.101.0/24\",\"label\":200,\"next_hop\":"
					"\"10.255.0.2\",\"peer\":\"10.255.0.2\"}",
					b, sizeof(b)),
			 "bgpd route update 10.255.0.2:100:192.168.101.0/24 label 200 next hop "
			 "10.255.0.2 from 10.255.0.2");
	cr_assert_str_eq(cli_event_line("bgpd", "route",
					"{\"action\":\"withdraw\",\"rd\":\"65000:1\",\"prefix\":"
					"\"10.0.0.0/8\"}",
					b, sizeof(b)),
			 "bgpd route withdraw 65000:1:10.0.0.0/8");
	cr_assert_str_eq(cli_event_line("bgpd", "session",
					"{\"neighbor\":\"10.255.0.2\",\"from\":\"Established\",\"to\":"
					"\"Idle\",\"last_error\":\"hold timer expired\"}",
					b, sizeof(b)),
			 "bgpd session 10.255.0.2 Established -> Idle, last error: hold timer expired");
	cr_assert_str_eq(cli_event_line("vrfmgr", "fib",
					"{\"action\":\"add\",\"vrf\":\"A\",\"prefix\":\"192.168.101.0/24\","
					"\"type\":\"labeled\",\"inner_label\":200,\"outer_label\":16,"
					"\"interface\":\"core0\",\"next_hop\":\"10.0.1.2\"}",
					b, sizeof(b)),
			 "vrfmgr fib add VRF A 192.168.101.0/24 labeled [16 | 200] via 10.0.1.2 on core0");
	cr_assert_str_eq(cli_event_line("vrfmgr", "resync",
					"{\"seq\":9,\"why\":\"events after the one asked are gone\"}", b,
					sizeof(b)),
			 "vrfmgr resync: events after the one asked are gone (at 9)");
	/* vrfmgr's "does" (pop-lookup) said as show lfib says fwd's action: pop_lookup */
	cr_assert_str_eq(cli_event_line("vrfmgr", "label",
					"{\"action\":\"add\",\"label\":101,\"does\":\"pop-lookup\","
					"\"vrf\":\"B\",\"vrf_id\":2}",
					b, sizeof(b)),
			 "vrfmgr label add 101 pop_lookup VRF B");
	cr_assert_str_eq(cli_event_line("vrfmgr", "label",
					"{\"action\":\"add\",\"label\":102,\"does\":\"pop-forward\","
					"\"vrf\":\"B\",\"nh_id\":3}",
					b, sizeof(b)),
			 "vrfmgr label add 102 pop_forward VRF B");
}

/* A route event's route_targets (bgpd's update, vrfmgr's fib add) end its line; none: nothing. */
Test(cli_events, lines_name_the_route_targets)
{
	char b[512];

	cr_assert_str_eq(cli_event_line("bgpd", "route",
					"{\"action\":\"update\",\"rd\":\"10.255.0.2:100\",\"prefix\":"
					"\"192.168.101.0/24\",\"label\":200,\"next_hop\":\"10.255.0.2\","
					"\"peer\":\"10.255.0.2\",\"route_targets\":[\"65000:100\","
					"\"65000:101\"]}",
					b, sizeof(b)),
			 "bgpd route update 10.255.0.2:100:192.168.101.0/24 label 200 next hop "
			 "10.255.0.2 from 10.255.0.2 rt 65000:100,65000:101");
	cr_assert_str_eq(cli_event_line("vrfmgr", "fib",
					"{\"action\":\"add\",\"vrf\":\"B\",\"prefix\":\"192.168.101.0/24\","
					"\"type\":\"labeled\",\"inner_label\":201,\"outer_label\":16,"
					"\"interface\":\"core0\",\"next_hop\":\"10.0.1.2\","
					"\"route_targets\":[\"65000:200\"]}",
					b, sizeof(b)),
			 "vrfmgr fib add VRF B 192.168.101.0/24 labeled [16 | 201] via 10.0.1.2 on core0 "
			 "rt 65000:200");
	cr_assert_str_eq(cli_event_line("vrfmgr", "fib",
					"{\"action\":\"add\",\"vrf\":\"A\",\"prefix\":\"10.1.1.0/30\","
					"\"type\":\"connected\",\"inner_label\":null,\"outer_label\":null,"
					"\"interface\":\"ce-a1\",\"next_hop\":null,\"route_targets\":[]}",
					b, sizeof(b)),
			 "vrfmgr fib add VRF A 10.1.1.0/30 connected [- | -] via - on ce-a1");
}

/*
 * fwd (or bgpd) does not answer: the checks that need it are not done and
 * said so, the others still run, and the verdict is incomplete (as trace's),
 * not consistent: verify stopped at the first daemon that did not answer.
 */
Test(cli_verify, fwd_or_bgpd_not_asked)
{
	struct cli_verify_docs d;
	struct json_object *report;
	char *text;

	verify_load(&d);
	json_object_put(d.fib);
	json_object_put(d.lfib);
	d.fib = d.lfib = NULL;
	cr_assert_eq(cli_verify_report(&d, &report), 0);
	cr_assert_str_eq(json_object_to_json_string(json_object_object_get(report, "unchecked")),
			 "[ \"fwd\" ]");
	json_object_put(report);
	text = verify_text(&d, 0);
	cr_expect(strstr(text, "bgpd -> vrfmgr       4 compared, ok\n") != NULL, "%s", text);
	cr_expect(strstr(text, "vrfmgr -> fwd FIB    not checked: fwd could not be asked (see "
			       "above)\n") != NULL, "%s", text);
	cr_expect(strstr(text, "vrfmgr -> fwd LFIB   not checked: fwd could not be asked") != NULL,
		  "%s", text);
	cr_expect(strstr(text, "verify: incomplete: fwd not asked; what was compared agrees\n") != NULL,
		  "%s", text);
	free(text);

	json_object_put(d.bgp_routes);
	d.bgp_routes = NULL;
	text = verify_text(&d, 0);
	cr_expect(strstr(text, "bgpd -> vrfmgr       not checked: bgpd could not be asked") != NULL,
		  "%s", text);
	cr_expect(strstr(text, "vrfmgr import        ") != NULL && strstr(text, "compared, ok") != NULL,
		  "%s", text);
	cr_expect(strstr(text, "verify: incomplete: bgpd, fwd not asked") != NULL, "%s", text);
	free(text);
	cli_verify_docs_free(&d);
}

/* ---- verify on a PE with the kernel dataplane (no fwd): vrfmgr -> kernel ---- */

/* The lab's PE1 with router.dataplane "kernel": its /vrfs carries each VRF's device; no fwd. */
static void verify_load_kernel(struct cli_verify_docs *d)
{
	verify_load(d);
	json_object_put(d->vrfs);
	d->vrfs = fixture("vrfs_kernel");
	json_object_put(d->fib);
	json_object_put(d->lfib);
	json_object_put(d->ifaces);
	d->fib = d->lfib = d->ifaces = NULL;
}

static struct json_object *kernel_device(struct cli_verify_docs *d, size_t vrf)
{
	return json_object_object_get(row(d->vrfs, "vrfs", vrf), "kernel_device");
}

Test(cli_verify, kernel_pe_is_consistent_golden)
{
	struct cli_verify_docs d;
	struct json_object *report, *checks;
	char *text;

	verify_load_kernel(&d);
	text = verify_text(&d, 0);
	golden("verify_kernel", text);
	free(text);
	/* the fwd checks do not apply (not "unchecked": the PE has no fwd to ask) */
	cr_assert_eq(cli_verify_report(&d, &report), 0);
	cr_assert_eq(json_object_array_length(json_object_object_get(report, "unchecked")), 0);
	checks = json_object_object_get(report, "checks");
	cr_assert_str_eq(json_object_get_string(json_object_object_get(
				 json_object_array_get_idx(checks, 3), "not_applicable")),
			 "the PE forwards with the kernel");
	cr_assert_eq(json_object_get_int(json_object_object_get(json_object_array_get_idx(checks, 6),
								"compared")),
		     4, "2 devices, 2 links");
	json_object_put(report);
	cli_verify_docs_free(&d);
}

/* On a PE with fwd the kernel check does not apply: not printed, said so in the JSON. */
Test(cli_verify, fwd_pe_has_no_kernel_check)
{
	struct cli_verify_docs d;
	struct json_object *report, *kernel;
	char *text;

	verify_load(&d);
	text = verify_text(&d, 0);
	cr_expect(strstr(text, "kernel") == NULL, "%s", text);
	free(text);
	cr_assert_eq(cli_verify_report(&d, &report), 0);
	kernel = json_object_array_get_idx(json_object_object_get(report, "checks"), 6);
	cr_assert_str_eq(json_object_get_string(json_object_object_get(kernel, "check")),
			 "vrfmgr -> kernel");
	cr_assert_str_eq(json_object_get_string(json_object_object_get(kernel, "not_applicable")),
			 "the PE forwards with fwd");
	json_object_put(report);
	cli_verify_docs_free(&d);
}

Test(cli_verify, kernel_device_not_present)
{
	static const char *const states[][2] = {
		{ "down", "vrf-A: VRF A's device is down (set down behind vrfmgr's back, not up again "
			  "yet)" },
		{ "waiting", "vrf-A: VRF A's device is waiting (deleted behind vrfmgr's back, not made "
			     "again yet)" },
		{ "given_up", "vrf-A: VRF A's device is given_up (vrfmgr gave up putting it right: "
			      "see its log)" },
		{ "missing", "vrf-A: VRF A's device is missing (the kernel refused it: see vrfmgr's "
			     "log)" },
	};
	struct cli_verify_docs d;

	verify_load_kernel(&d);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		json_object_object_add(kernel_device(&d, 0), "state",
				       json_object_new_string(states[i][0]));
		verify_expect(&d, 1, states[i][1]);
	}
	verify_expect(&d, 1, "vrfmgr -> kernel     4 compared, INCONSISTENT\n");
	json_object_object_del(row(d.vrfs, "vrfs", 1), "kernel_device");
	verify_expect(&d, 2, "B: VRF B has no kernel device in vrfmgr's answer");
	cli_verify_docs_free(&d);
}

Test(cli_verify, kernel_links_not_bound)
{
	struct cli_verify_docs d;
	struct json_object *links, *link;

	verify_load_kernel(&d);
	links = json_object_object_get(kernel_device(&d, 0), "links");
	link = json_object_array_get_idx(links, 0);
	json_object_object_add(link, "state", json_object_new_string("waiting"));
	verify_expect(&d, 1, "ce-a1: VRF A binds it, the kernel dataplane has it waiting (taken out "
			     "of it, or its device deleted: down until vrfmgr puts the VRF right)");
	json_object_object_add(link, "state", json_object_new_string("unbound"));
	verify_expect(&d, 1, "ce-a1: VRF A binds it, the kernel dataplane has it unbound (no such "
			     "link, or the kernel refused the bind: see vrfmgr's log)");
	json_object_object_add(link, "name", json_object_new_string("ce-x"));
	json_object_object_add(link, "state", json_object_new_string("bound"));
	verify_expect(&d, 2, "ce-a1: VRF A binds it, the kernel dataplane does not");
	verify_expect(&d, 2, "ce-x: the kernel dataplane binds it to VRF A, which does not");
	cli_verify_docs_free(&d);
}
