/*
 * ferryctl's `show` forms: which daemon and path each asks (the grammar in
 * cli/show.c, old two-word aliases included) and, on answers recorded from
 * the lab, the exact text of every table and detail view (golden files in
 * tests/unit/cli/).
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "test_cli_util.h"

static void parse_ok(const char *words, const char *daemon, const char *path)
{
	char buf[256], *argv[16], err[256], *save = NULL;
	struct cli_view v;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	cr_assert_eq(cli_show_parse(argc, argv, &v, err, sizeof(err)), 0, "show %s: %s", words, err);
	cr_expect_str_eq(v.daemon, daemon, "show %s", words);
	cr_expect_str_eq(v.path, path, "show %s", words);
}

static void parse_bad(const char *words, const char *msg)
{
	char buf[256], *argv[16], err[256] = "", *save = NULL;
	struct cli_view v;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	cr_assert_lt(cli_show_parse(argc, argv, &v, err, sizeof(err)), 0, "show %s accepted", words);
	cr_expect(strstr(err, msg) != NULL, "show %s: \"%s\" lacks \"%s\"", words, err, msg);
}

Test(cli_show, grammar)
{
	parse_ok("bgp neighbors", "bgpd", "/neighbors");
	parse_ok("bgp neighbors 10.255.0.2", "bgpd", "/neighbor?address=10.255.0.2");
	parse_ok("bgp summary", "bgpd", "/neighbors");
	parse_ok("vrf A routes 192.168.101.0/24", "vrfmgr", "/routes?vrf=A&prefix=192.168.101.0%2F24");
	parse_ok("vrf A routes 192.168.101.10", "vrfmgr", "/routes?vrf=A&address=192.168.101.10");
	parse_ok("bgp vpnv4", "bgpd", "/routes");
	parse_ok("bgp vpnv4 rd 10.255.0.2:100", "bgpd", "/routes?rd=10.255.0.2%3A100");
	parse_ok("bgp vpnv4 rd 10.255.0.2:100 192.168.101.0/24", "bgpd",
		 "/route?rd=10.255.0.2%3A100&prefix=192.168.101.0%2F24");
	parse_ok("bgp vpnv4 192.168.0.0/16 longer best", "bgpd",
		 "/routes?best=true&prefix=192.168.0.0%2F16&match=longer");
	parse_ok("bgp vpnv4 rt 65000:100 neighbor local", "bgpd",
		 "/routes?rt=65000%3A100&neighbor=local");
	parse_ok("vrf", "vrfmgr", "/vrfs");
	parse_ok("vrf A", "vrfmgr", "/vrfs?vrf=A"); /* vrfmgr picks it: --json holds only A */
	parse_ok("vrf A routes", "vrfmgr", "/routes?vrf=A");
	parse_ok("vrf routes", "vrfmgr", "/routes");
	/* without a VRF: the prefix, or an address's longest match, in every VRF */
	parse_ok("vrf routes 192.168.101.0/24", "vrfmgr", "/routes?prefix=192.168.101.0%2F24");
	parse_ok("vrf routes 192.168.101.10", "vrfmgr", "/routes?address=192.168.101.10");
	parse_ok("vrf routes routes", "vrfmgr", "/routes?vrf=routes"); /* a VRF named routes */
	parse_ok("counters", "fwd", "/counters");
	parse_ok("counters B", "fwd", "/counters?vrf=B");
	parse_ok("labels", "vrfmgr", "/labels");
	parse_ok("labels B", "vrfmgr", "/labels?vrf=B");
	parse_ok("interfaces B", "fwd", "/interfaces?vrf=B");
	parse_ok("labels", "vrfmgr", "/labels");
	parse_ok("lsp", "vrfmgr", "/lsps");
	parse_ok("vpn", "vrfmgr", "/vpn");
	parse_ok("vpn rd 10.255.0.2:100", "vrfmgr", "/vpn?rd=10.255.0.2%3A100");
	parse_ok("vpn 192.168.0.0/16 longer rt 65000:200 neighbor 10.255.0.2", "vrfmgr",
		 "/vpn?rt=65000%3A200&neighbor=10.255.0.2&prefix=192.168.0.0%2F16&match=longer");
	parse_ok("fib A", "fwd", "/fib?vrf=A");
	parse_ok("fib", "fwd", "/fib");
	parse_ok("lfib", "fwd", "/lfib");
	parse_ok("interfaces", "fwd", "/interfaces");
	parse_ok("counters", "fwd", "/counters");
	parse_ok("arp", "fwd", "/arp");
	/* which keyword lacks what, and a filter given twice, before bgpd is asked */
	parse_bad("bgp vpnv4 rd", "show bgp vpnv4: rd needs a value (want rd RD, e.g. rd "
				  "10.255.0.2:100)");
	parse_bad("bgp vpnv4 best rt", "show bgp vpnv4: rt needs a value (want rt RT, e.g. rt "
				       "65000:100)");
	parse_bad("bgp vpnv4 neighbor", "show bgp vpnv4: neighbor needs a value (want neighbor "
					"ADDRESS or neighbor local)");
	parse_bad("bgp vpnv4 longer", "show bgp vpnv4: longer needs a prefix (want show bgp vpnv4 "
				      "PREFIX longer, e.g. 192.168.0.0/16 longer)");
	parse_bad("bgp vpnv4 best best", "show bgp vpnv4: a second \"best\" (each filter at most "
					 "once)");
	parse_bad("bgp vpnv4 rd 1:1 rd 1:2", "show bgp vpnv4: a second \"rd\"");
	parse_bad("bgp vpnv4 rt 1:1 10.0.0.0/8 rt 1:2", "show bgp vpnv4: a second \"rt\"");
	parse_bad("bgp vpnv4 10.0.0.0/8 longer shorter", "show bgp vpnv4: a second \"shorter\"");
	parse_bad("bgp vpnv4 foo", "unexpected \"foo\"");
	/* show vpn takes the same filters but best (its table holds best paths only) */
	parse_bad("vpn best", "show vpn: unexpected \"best\" (want rd RD, a prefix a.b.c.d/len, "
			      "longer, shorter, rt RT, neighbor A, imported, not-imported)");
	parse_bad("vpn rt", "show vpn: rt needs a value (want rt RT, e.g. rt 65000:100)");
	parse_bad("vpn shorter", "show vpn: shorter needs a prefix (want show vpn PREFIX shorter");
	parse_bad("vpn rd 1:1 rd 1:2", "show vpn: a second \"rd\"");
	parse_bad("bgp neighbors a b", "show bgp neighbors: unexpected \"b\" (want show bgp neighbors [ADDRESS])");
	parse_bad("routers", "unknown command: show routers (want one of bgp, vrf, vpn,");
	parse_bad("vrf A routes x y", "show vrf: unexpected \"y\" (want show vrf [NAME] [routes [PREFIX|ADDRESS]])");
	parse_bad("vrf routes 10.0.0.1 y", "show vrf: unexpected \"y\" (want show vrf [NAME] [routes [PREFIX|ADDRESS]])");
	parse_bad("bgp summary x", "show bgp summary: unexpected \"x\" (show bgp summary takes nothing more)");
	parse_bad("vrf A B", "show vrf: unexpected \"B\"");
	/* the word in the way is named, and what the command wants */
	parse_bad("fib A 192.168.101.10",
		  "show fib: unexpected \"192.168.101.10\" (want show fib [VRF] [PREFIX "
		  "[longer|shorter]]; for one address: ferryctl trace VRF ADDRESS)");
	parse_bad("bgp", "show bgp: neighbors or vpnv4? (want show bgp neighbors [ADDRESS] or "
			 "show bgp vpnv4");
	parse_bad("bgp foo", "unknown command: show bgp foo (want show bgp neighbors [ADDRESS], "
			     "show bgp summary or show bgp vpnv4 ...)");
	parse_ok("lfib B", "fwd", "/lfib?vrf=B");
	parse_bad("lfib B x", "show lfib: unexpected \"x\" (want show lfib [VRF])");
	parse_bad("counters A 1", "show counters: unexpected \"1\" (want show counters [VRF])");
}

Test(cli_show, show_alone_lists_the_words)
{
	struct cli_view v;
	char err[256];

	cr_assert_lt(cli_show_parse(0, NULL, &v, err, sizeof(err)), 0);
	cr_assert_str_eq(err, "show what? (want one of bgp, vrf, vpn, labels, lsp, fib, lfib, "
			      "interfaces, counters, arp; ferryctl --help)");
}

Test(cli_show, old_forms_are_aliases)
{
	struct cli_view v;

	cr_assert_eq(cli_command_view(cli_command_find("vrf", "routes"), "A", &v), 0);
	cr_assert_str_eq(v.path, "/routes?vrf=A");
	cr_assert_eq(cli_command_view(cli_command_find("fwd", "counters"), NULL, &v), 0);
	cr_assert_str_eq(v.daemon, "fwd");
	cr_assert_eq(v.print, cli_print_counters);
	cr_assert_eq(cli_command_find("bgp", "routes")->print, cli_print_bgp_routes);
}

/* show WORDS printed from the answer doc (all: with --all): the text (free it). */
static char *show_doc_all(const char *words, struct json_object *doc, bool all)
{
	char buf[256], *argv[16], err[256], *save = NULL, *text = NULL;
	struct cli_view v;
	int argc = 0, rc;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	cr_assert_eq(cli_show_parse(argc, argv, &v, err, sizeof(err)), 0, "%s", err);
	v.all_rows = all;
	CAPTURE(text, rc = (v.print ? v.print : cli_view_table)(out, &v, doc));
	cr_assert_eq(rc, 0, "show %s printed with %d", words, rc);
	return text;
}

static char *show_doc(const char *words, struct json_object *doc)
{
	return show_doc_all(words, doc, false);
}

/* show WORDS printed from the fixture FIX: the text (free it). */
static char *show_text(const char *words, const char *fix)
{
	struct json_object *doc = fixture(fix);
	char *text = show_doc(words, doc);

	json_object_put(doc);
	return text;
}

/* Prints fixture through the view of `show words` and checks the golden text. */
static void show_golden(const char *words, const char *fix, const char *gold)
{
	char *text = show_text(words, fix);

	golden(gold, text);
	free(text);
}

/*
 * show counters leaves out the rows whose counters are all 0 (an idle
 * interface, VRF, label, drop reasons that never happened) and says how
 * many; --all prints every row, as fwd sent them.
 */
Test(cli_show, counters_hide_rows_of_zeros)
{
	struct json_object *doc = fixture("counters");
	char *text = show_doc_all("counters", doc, true);

	golden("show_counters_all", text);
	free(text);
	text = show_doc("counters", doc);
	cr_expect_null(strstr(text, "ce-b1"), "an idle interface is left out:\n%s", text);
	cr_expect_null(strstr(text, "truncated"), "a drop reason at 0 is left out:\n%s", text);
	cr_expect_null(strstr(text, "DROP-REASON"), "no drop table when every reason is 0:\n%s",
		       text);
	cr_expect_null(strstr(text, "\nB "), "an idle VRF is left out:\n%s", text);
	cr_expect_not_null(strstr(text, "\nA    1 "), "a VRF with traffic is shown:\n%s", text);
	/* 1 interface, 18 drop reasons, 1 sent counter, VRF B, label 101 */
	cr_expect_not_null(strstr(text, "\n(22 rows whose counters are all 0 not shown: --all "
				       "shows them)\n"), "%s", text);
	free(text);
	json_object_put(doc);
}

Test(cli_show, tables_golden)
{
	show_golden("bgp neighbors", "bgp_neighbors", "show_bgp_neighbors");
	show_golden("bgp vpnv4", "bgp_routes", "show_bgp_vpnv4");
	show_golden("vrf", "vrfs", "show_vrf");
	show_golden("vrf routes", "vrf_routes", "show_vrf_routes");
	show_golden("labels", "labels", "show_labels");
	show_golden("labels", "labels_held", "show_labels_held"); /* kept in fwd, or not */
	show_golden("lsp", "lsps", "show_lsp");
	show_golden("fib A", "fib_A", "show_fib_A");
	show_golden("lfib", "lfib", "show_lfib");
	show_golden("interfaces", "interfaces", "show_interfaces");
	show_golden("counters", "counters", "show_counters");
	show_golden("arp", "arp", "show_arp");
	show_golden("vpn", "vpn", "show_vpn");
	show_golden("vpn not-imported", "vpn_not_imported", "show_vpn_not_imported");
	show_golden("fib 192.168.101.0/24", "fib_prefix", "show_fib_prefix");
}

/* A route not installed says why (vrfmgr's reason) under INSTALLED, not only "no". */
Test(cli_show, vrf_routes_not_installed_say_why)
{
	show_golden("vrf SVC routes 192.168.100.0/24", "vrf_routes_not_installed",
		    "show_vrf_routes_not_installed");
	show_golden("vrf routes", "vrf_routes_not_installed", "show_vrf_routes_not_installed");
}

/*
 * A VRF whose routes wait for a free label (vrfmgr's "exports_waiting") has
 * a null label, as a per-CE VRF always has: show vrf says "none free", and
 * show vrf NAME how many routes are not exported; so does one relabelled by
 * a label_mode change whose routes wait on their old label
 * ("exports_old_label").
 */
Test(cli_show, vrfs_waiting_for_a_label)
{
	show_golden("vrf", "vrfs_label_wait", "show_vrf_label_wait");
	show_golden("vrf t65", "vrfs_label_wait", "show_vrf_t65_label_wait");
	show_golden("vrf t63", "vrfs_label_wait", "show_vrf_t63");
	/* a label_mode change waiting for labels of the new mode: exported with the old ones */
	show_golden("vrf t66", "vrfs_label_wait", "show_vrf_t66_relabel_wait");
}

/*
 * show fib [VRF] [PREFIX [longer|shorter]] asks fwd's /fib for one prefix
 * (in every tenant, or one), its more-specifics or what covers it, as show
 * vpn PREFIX longer|shorter asks vrfmgr; before, show fib took a VRF alone.
 */
Test(cli_show, fib_of_one_prefix)
{
	parse_ok("fib 192.168.101.0/24", "fwd", "/fib?prefix=192.168.101.0%2F24");
	parse_ok("fib A 192.168.101.0/24", "fwd", "/fib?vrf=A&prefix=192.168.101.0%2F24");
	parse_ok("fib 192.168.0.0/16 longer", "fwd", "/fib?prefix=192.168.0.0%2F16&match=longer");
	parse_ok("fib B 192.168.101.5/32 shorter", "fwd",
		 "/fib?vrf=B&prefix=192.168.101.5%2F32&match=shorter");
	parse_ok("fib 0.0.0.0/0 longer", "fwd", "/fib?prefix=0.0.0.0%2F0&match=longer");
}

/* A bad prefix is bad usage here, named with fwd's form; an address points to trace. */
Test(cli_show, fib_errors_name_the_form_wanted)
{
	parse_bad("fib 192.168.101.0/33", "show fib: \"192.168.101.0/33\" is not a prefix (want "
					   "a.b.c.d/len with the host bits clear, e.g. "
					   "192.168.101.0/24; show fib [VRF] [PREFIX [longer|shorter]])");
	parse_bad("fib A 192.168.101.10/24", "show fib: \"192.168.101.10/24\" is not a prefix");
	parse_bad("fib A 192.168/16", "show fib: \"192.168/16\" is not a prefix");
	parse_bad("fib 192.168.101.10", "show fib: unexpected \"192.168.101.10\" (want show fib "
					"[VRF] [PREFIX [longer|shorter]]; for one address: "
					"ferryctl trace VRF ADDRESS)");
	parse_bad("fib longer", "show fib: longer needs a prefix (want show fib [VRF] PREFIX "
				"longer, e.g. show fib 192.168.0.0/16 longer)");
	parse_bad("fib A shorter", "show fib: shorter needs a prefix");
	parse_bad("fib A 10.0.0.0/8 longer shorter",
		  "show fib: unexpected \"shorter\" (want show fib [VRF] [PREFIX [longer|shorter]])");
	parse_bad("fib A B", "show fib: unexpected \"B\" (want show fib [VRF] [PREFIX");
	parse_bad("fib 10.0.0.0/8 A", "show fib: unexpected \"A\"");
}

/*
 * show vrf [NAME] routes PREFIX checks its prefix as show fib does (the same
 * helper), before vrfmgr is asked: a bad one was sent on and came back as
 * vrfmgr's HTTP 400, exit 1. A word that is neither a prefix nor an
 * address is named too.
 */
Test(cli_show, vrf_routes_prefix_errors_name_the_form_wanted)
{
	parse_bad("vrf A routes 192.168.101.10/24",
		  "show vrf: \"192.168.101.10/24\" is not a prefix (want a.b.c.d/len with the host "
		  "bits clear, e.g. 192.168.101.0/24; show vrf [NAME] [routes [PREFIX|ADDRESS]])");
	parse_bad("vrf routes 192.168/16", "show vrf: \"192.168/16\" is not a prefix (want "
					   "a.b.c.d/len");
	parse_bad("vrf A routes 10.0.0.0/33", "show vrf: \"10.0.0.0/33\" is not a prefix");
	parse_bad("vrf A routes 10.0.0", "show vrf: \"10.0.0\" is not an address (want a.b.c.d, "
					 "or a prefix a.b.c.d/len; show vrf [NAME] [routes "
					 "[PREFIX|ADDRESS]])");
	parse_ok("vrf A routes 0.0.0.0/0", "vrfmgr", "/routes?vrf=A&prefix=0.0.0.0%2F0");
}

/* fwd fib, show fib's older alias, takes show fib's words; its errors name fwd fib. */
static void fwd_fib(const char *words, int want_rc, const char *want)
{
	const struct cli_command *cmd = cli_command_find("fwd", "fib");
	char buf[256], *argv[16], err[256] = "", *save = NULL;
	struct cli_view v;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	cr_assert_not_null(cmd->parse, "fwd fib takes only [VRF]");
	cr_assert_eq(cmd->parse("fwd fib", argc, argv, &v, err, sizeof(err)), want_rc,
		     "fwd fib %s: %s", words, err);
	if (want_rc == 0)
		cr_assert_str_eq(v.path, want, "fwd fib %s", words);
	else
		cr_assert_str_eq(err, want, "fwd fib %s", words);
}

Test(cli_show, fwd_fib_takes_show_fibs_words)
{
	char form[96];

	fwd_fib("", 0, "/fib");
	fwd_fib("A", 0, "/fib?vrf=A");
	fwd_fib("A 192.168.101.0/24", 0, "/fib?vrf=A&prefix=192.168.101.0%2F24");
	fwd_fib("192.168.0.0/16 longer", 0, "/fib?prefix=192.168.0.0%2F16&match=longer");
	fwd_fib("A 192.168.101.10/24", -1,
		"fwd fib: \"192.168.101.10/24\" is not a prefix (want a.b.c.d/len with the host "
		"bits clear, e.g. 192.168.101.0/24; fwd fib [VRF] [PREFIX [longer|shorter]])");
	fwd_fib("A B", -1, "fwd fib: unexpected \"B\" (want fwd fib [VRF] [PREFIX "
			   "[longer|shorter]])");
	fwd_fib("shorter", -1, "fwd fib: shorter needs a prefix (want fwd fib [VRF] PREFIX "
			       "shorter, e.g. fwd fib 192.168.0.0/16 shorter)");
	fwd_fib("A 192.168.101.10", -1, "fwd fib: unexpected \"192.168.101.10\" (want fwd fib "
					"[VRF] [PREFIX [longer|shorter]]; for one address: ferryctl "
					"trace VRF ADDRESS)");
	cli_command_form(cli_command_find("fwd", "fib"), form, sizeof(form));
	cr_assert_str_eq(form, "fwd fib [VRF] [PREFIX [longer|shorter]]", "the help's form");
}

/*
 * show vpn not-imported: the routes received that no VRF took (a mistyped
 * import RT's), vrfmgr's /vpn?imported=false; imported the others. Only
 * show vpn has them: bgpd's table knows nothing of VRFs.
 */
Test(cli_show, vpn_imported_or_not)
{
	parse_ok("vpn not-imported", "vrfmgr", "/vpn?imported=false");
	parse_ok("vpn imported", "vrfmgr", "/vpn?imported=true");
	parse_ok("vpn rt 65000:900 not-imported", "vrfmgr", "/vpn?rt=65000%3A900&imported=false");
	parse_ok("vpn not-imported 192.168.0.0/16 longer", "vrfmgr",
		 "/vpn?imported=false&prefix=192.168.0.0%2F16&match=longer");
	parse_bad("vpn imported not-imported",
		  "show vpn: \"not-imported\" after \"imported\" (imported or not-imported, once)");
	parse_bad("vpn not-imported not-imported", "show vpn: \"not-imported\" after");
	parse_bad("vpn foo", "show vpn: unexpected \"foo\" (want rd RD, a prefix a.b.c.d/len, "
			     "longer, shorter, rt RT, neighbor A, imported, not-imported)");
	parse_bad("bgp vpnv4 not-imported", "show bgp vpnv4: unexpected \"not-imported\"");
}

/*
 * show labels says which labels are retired: a VRF's since re-created with
 * another RD, reserved for no one until the hold-down ends (vrf.md). A
 * vrfmgr from before the field shows "-".
 */
Test(cli_show, labels_say_which_are_retired)
{
	char *text = show_text("labels", "labels_held");
	struct json_object *old = json_tokener_parse(
		"{\"labels\":[{\"label\":100,\"vrf\":\"A\",\"action\":\"pop-lookup\","
		"\"mode\":\"per-vrf\",\"programmed\":true,\"users\":3}]}");
	char *before = show_doc("labels", old);

	cr_assert_not_null(strstr(text, "  HELD-S  RETIRED\n"), "%s", text);
	cr_assert_not_null(strstr(text, "\n104    A    held        per-vrf  -       -          -  "
					"       -      no      45      yes\n"), "%s", text);
	cr_assert_not_null(strstr(text, "\n100    A    pop_lookup  per-vrf  -       -          -  "
					"       3      yes     -       no\n"), "%s", text);
	cr_assert(strstr(before, "HELD-S  RETIRED\n") != NULL && strstr(before, "yes     -       -\n"),
		  "%s", before);
	free(before);
	free(text);
	json_object_put(old);
}

/*
 * A label that pops to a connected subnet (per-CE, or per-prefix of the
 * subnet) has an interface and no gateway: NEXT-HOP says "connected" in
 * show labels and show lfib (it read "-", as if it went nowhere); a
 * per-prefix label names where it pops to as a per-CE one does.
 */
Test(cli_show, labels_popping_to_a_connected_subnet_say_so)
{
	char *text;

	show_golden("labels", "labels_pop_forward", "show_labels_pop_forward");
	show_golden("lfib", "lfib_pop_forward", "show_lfib_pop_forward");
	text = show_text("labels", "labels_pop_forward");
	cr_assert_not_null(strstr(text, "\n102    A    pop_forward  per-ce      -                 "
					"ce-a1      connected "), "%s", text);
	cr_assert_not_null(strstr(text, "\n106    B    held         per-prefix  192.168.7.0/24    "
					"-          -         "), "held, out of fwd: %s", text);
	free(text);
	text = show_text("lfib", "lfib");
	cr_assert_null(strstr(text, "connected"), "pop_lookup has no next hop: %s", text);
	free(text);
}

/* The label columns' headers, in order, joined by a space. */
static void label_headers(const struct cli_column *cols, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (cols[i].kind == CLI_COL_LABEL)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "",
				 cols[i].header);
}

/*
 * show vrf routes and show fib give a labeled route's two labels under the
 * same names (they were OUTER INNER and OUT-LABEL INNER-LABEL), outer first.
 */
Test(cli_show, vrf_routes_and_fib_name_their_label_columns_alike)
{
	char routes[128], fib[128];

	label_headers(cli_cols_vrf_routes, cli_ncols_vrf_routes, routes, sizeof(routes));
	label_headers(cli_cols_fib, cli_ncols_fib, fib, sizeof(fib));
	cr_assert_str_eq(routes, "OUTER-LABEL INNER-LABEL");
	cr_assert_str_eq(fib, routes);
}

/*
 * show vpn marks a route that no VRF imports: IMPORTED "no" beside its
 * empty VRFS (an operator saw only "-" there, as for a route with no RTs).
 */
Test(cli_show, vpn_routes_imported_by_no_vrf_are_marked)
{
	struct json_object *doc = json_tokener_parse(
		"{\"count\":2,\"routes\":["
		"{\"rd\":\"10.255.0.2:100\",\"prefix\":\"192.168.101.0/24\",\"label\":200,"
		"\"next_hop\":\"10.255.0.2\",\"route_targets\":[\"65000:100\"],\"problem\":null,"
		"\"vrfs\":[\"A\"],\"imported\":true},"
		"{\"rd\":\"10.255.0.2:900\",\"prefix\":\"192.168.109.0/24\",\"label\":209,"
		"\"next_hop\":\"10.255.0.2\",\"route_targets\":[\"65000:900\"],\"problem\":null,"
		"\"vrfs\":[],\"imported\":false}],\"next\":null,\"returned\":2}");
	char *text = show_doc("vpn", doc);

	cr_assert_str_eq(text,
			 "RD              PREFIX            LABEL  NEXT-HOP    ROUTE-TARGETS  VRFS  "
			 "IMPORTED  PROBLEM\n"
			 "10.255.0.2:100  192.168.101.0/24  200    10.255.0.2  65000:100      A     "
			 "yes       -\n"
			 "10.255.0.2:900  192.168.109.0/24  209    10.255.0.2  65000:900      -     "
			 "no        -\n");
	free(text);
	json_object_put(doc);
}

/*
 * show counters VRF: the interfaces, VRF and label tables are that VRF's,
 * but drops and what fwd sent are fwd's as a whole (it does not count them
 * per VRF): their headers say so, or one tenant would read every tenant's
 * drops as its own. Without a VRF the headers are plain.
 */
Test(cli_show, counters_of_one_vrf_say_drops_are_every_vrfs)
{
	struct json_object *doc = fixture("counters"); /* every drop reason 0: --all shows them */
	char *one = show_doc_all("counters A", doc, true), *all = show_doc_all("counters", doc, true);

	json_object_put(doc);
	cr_assert_not_null(strstr(one, "\nDROP-REASON (ALL VRFS)  PACKETS\n"), "%s", one);
	cr_assert_not_null(strstr(one, "\nSENT-BY-FWD (ALL VRFS)    PACKETS\n"), "%s", one);
	cr_assert_null(strstr(all, "ALL VRFS"), "%s", all);
	cr_assert_not_null(strstr(all, "\nDROP-REASON "), "%s", all);
	free(one);
	free(all);
}

/*
 * show bgp neighbors: a neighbor bgpd cannot connect to (no last_error: it
 * never had a session to lose) shows why in LAST-ERROR, "connect: ...";
 * a last_error stays what it was. Only the table: --json is bgpd's.
 */
Test(cli_show, neighbors_table_says_why_a_dial_fails)
{
	char *argv[] = { "bgp", "neighbors" }, err[256], *text = NULL;
	struct json_object *doc = json_tokener_parse(
		"{\"neighbors\":[{\"address\":\"10.255.0.2\",\"state\":\"Idle\","
		"\"last_error\":\"NOTIFICATION: received cease / administrative shutdown (6/2)\","
		"\"connect_error\":\"Connection refused\"},"
		"{\"address\":\"10.255.0.9\",\"state\":\"Active\",\"last_error\":null,"
		"\"connect_error\":\"Network is unreachable\"},"
		"{\"address\":\"10.255.0.3\",\"state\":\"Established\",\"last_error\":null,"
		"\"connect_error\":null}]}");
	struct cli_view v;
	int rc;

	cr_assert_eq(cli_show_parse(2, argv, &v, err, sizeof(err)), 0, "%s", err);
	CAPTURE(text, rc = (v.print ? v.print : cli_view_table)(out, &v, doc));
	cr_assert_eq(rc, 0);
	cr_assert_not_null(strstr(text, "Active  "), "%s", text);
	cr_assert_not_null(strstr(text, "connect: Network is unreachable\n"), "%s", text);
	cr_assert_not_null(strstr(text, "(6/2)\n"), "%s", text);
	cr_assert_null(strstr(text, "Connection refused"), "%s", text);
	cr_assert_not_null(strstr(text, "Established  "), "%s", text);
	free(text);
	json_object_put(doc);
}

/* Where a table's column for the JSON key is, or -1. */
static int col_of(const struct cli_column *cols, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i].key, key) == 0)
			return (int)i;
	return -1;
}

/*
 * show fib and show vrf routes give the two labels of a labeled route side
 * by side, outer first: the order of the stack on the wire (show vrf routes
 * gave the inner label first, three columns before the outer one).
 */
Test(cli_show, label_columns_outer_first_in_fib_and_vrf_routes)
{
	int fo = col_of(cli_cols_fib, cli_ncols_fib, "out_label");
	int fi = col_of(cli_cols_fib, cli_ncols_fib, "inner_label");
	int ro = col_of(cli_cols_vrf_routes, cli_ncols_vrf_routes, "outer_label");
	int ri = col_of(cli_cols_vrf_routes, cli_ncols_vrf_routes, "inner_label");

	cr_assert(fo >= 0 && fi >= 0 && ro >= 0 && ri >= 0);
	cr_expect_eq(fi, fo + 1, "show fib: inner label right after the outer one");
	cr_expect_eq(ri, ro + 1, "show vrf routes: inner label right after the outer one");
}

Test(cli_show, details_golden)
{
	show_golden("bgp neighbors 10.255.0.2", "bgp_neighbor", "show_bgp_neighbor");
	/* the same peer back from a graceful restart: what it asks us to keep, F and R */
	show_golden("bgp neighbors 10.255.0.2", "bgp_neighbor_gr", "show_bgp_neighbor_gr");
	show_golden("bgp neighbors 10.255.0.2", "bgp_neighbor_llgr", "show_bgp_neighbor_llgr");
	/* route target constraint (RFC 4684): its membership and what it holds back */
	show_golden("bgp neighbors 10.255.0.2", "bgp_neighbor_rtc", "show_bgp_neighbor_rtc");
	/* down: for how long, as the table's UP/DOWN column says (it said only "Idle") */
	show_golden("bgp neighbors 10.255.0.2", "bgp_neighbor_down", "show_bgp_neighbor_down");
	/* shut down in the config, with the reason it sends */
	show_golden("bgp neighbors 10.255.0.2", "bgp_neighbor_shutdown", "show_bgp_neighbor_shutdown");
	show_golden("bgp vpnv4 rd 10.255.0.2:100 192.168.101.0/24", "bgp_route", "show_bgp_route");
	show_golden("vrf A", "vrfs", "show_vrf_A");
}

Test(cli_show, explain_golden)
{
	struct json_object *doc = fixture("explain");
	struct cli_view v = { .daemon = "vrfmgr" };
	char *text = NULL;

	CAPTURE(text, cli_print_explain(out, &v, doc));
	golden("vrf_explain", text);
	free(text);
	json_object_put(doc);
}

/*
 * A local route that is not exported has no label nor RT to name (/explain
 * from the lab's pe1 with a static route whose next hop is on no subnet of
 * VRF A; its route_targets are [] then).
 */
Test(cli_show, explain_of_a_local_route_not_exported)
{
	struct json_object *doc = json_tokener_parse(
	    "{\"rd\":\"10.255.0.1:100\",\"prefix\":\"10.50.0.0/16\",\"vpn_route\":{\"source\":"
	    "\"local\",\"vrf\":\"A\",\"exported\":false,\"label\":null,\"route_targets\":"
	    "[]},\"vrfs\":[]}");
	struct cli_view v = { .daemon = "vrfmgr" };
	char *text = NULL;

	cr_assert_not_null(doc);
	CAPTURE(text, cli_print_explain(out, &v, doc));
	cr_assert_str_eq(text, "10.255.0.1:100:10.50.0.0/16: local to VRF A, not exported\n");
	free(text);
	json_object_put(doc);
}

/*
 * vrf explain on a PE of 500 tenants: the route is in one VRF and has no RT
 * in common with the 499 others. Those 499 are one line (how many, the
 * first names), the VRFs with anything else to say in full: it printed 499
 * no-common-rt lines around the one that mattered.
 */
Test(cli_show, explain_many_vrfs_without_a_common_rt_are_one_line)
{
	static char json[262144];
	char *text = NULL;
	size_t n;
	struct cli_view v = { .daemon = "vrfmgr" };
	struct json_object *doc;
	int lines = 0;

	n = (size_t)snprintf(json, sizeof(json),
			     "{\"rd\":\"10.255.0.1:1005\",\"prefix\":\"192.168.105.0/24\","
			     "\"vpn_route\":{\"source\":\"local\",\"vrf\":\"t5\",\"exported\":true,"
			     "\"label\":104,\"route_targets\":[\"65000:1005\"]},\"vrfs\":[");
	for (int i = 1; i <= 500; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
				      "%s{\"vrf\":\"t%d\",\"verdict\":\"%s\",\"reason\":\"%s\","
				      "\"import_rts\":[\"65000:%d\"],\"common_rts\":[%s],\"chain\":null}",
				      i > 1 ? "," : "", i, i == 5 ? "local" : "no-common-rt",
				      i == 5 ? "a route of this VRF, installed" : "no route target in common",
				      1000 + i, i == 5 ? "\"65000:1005\"" : "");
	snprintf(json + n, sizeof(json) - n, "]}");
	doc = json_tokener_parse(json);
	cr_assert_not_null(doc);
	CAPTURE(text, cli_print_explain(out, &v, doc));
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 3, "%s", text);
	cr_assert_not_null(strstr(text, "  VRF t5: local: a route of this VRF, installed (import RTs "
					"65000:1005, in common 65000:1005)\n"), "%s", text);
	cr_assert_not_null(strstr(text, "  499 VRFs: no-common-rt: none of their import RTs is among "
					"the route's (t1, t2, t3, +496 more; vrf explain RD PREFIX "
					"VRF for one)\n"), "%s", text);
	free(text);
	json_object_put(doc);
}

/* A VRF name vrfmgr or fwd does not know: the same words for the table and --json (main.c). */
Test(cli_show, vrf_name_views_say_which_vrf_is_missing)
{
	static const char *const forms[][3] = {
		{ "vrf", "Z", NULL }, { "vrf", "Z", "routes" }, { "fib", "Z", NULL },
	};
	char err[64];
	struct cli_view v;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *argv[3] = { (char *)forms[i][0], (char *)forms[i][1], (char *)forms[i][2] };

		cr_assert_eq(cli_show_parse(argv[2] ? 3 : 2, argv, &v, err, sizeof(err)), 0);
		cr_expect_str_eq(v.not_found, "no VRF named \"Z\"", "show %s %s", argv[0], argv[1]);
	}
	cr_assert_eq(cli_command_view(cli_command_find("fwd", "fib"), "Z", &v), 0);
	cr_expect_str_eq(v.not_found, "no VRF named \"Z\"");
	cr_assert_eq(cli_command_view(cli_command_find("fwd", "fib"), NULL, &v), 0);
	cr_expect_str_eq(v.not_found, "");
	cr_assert_eq(cli_show_parse(1, (char *[]){ "vrf" }, &v, err, sizeof(err)), 0);
	cr_expect_str_eq(v.not_found, "");
}

Test(cli_show, unknown_vrf_detail)
{
	struct json_object *doc = fixture("vrfs");
	char *argv[] = { "vrf", "Z" }, err[64], *text = NULL;
	struct cli_view v;
	int rc;

	cr_assert_eq(cli_show_parse(2, argv, &v, err, sizeof(err)), 0);
	CAPTURE(text, rc = cli_print_vrf(out, &v, doc));
	cr_assert_lt(rc, 0);
	cr_assert_str_eq(text, "");
	free(text);
	json_object_put(doc);
}

Test(cli_show, bgp_routes_sorted_by_rd_then_prefix)
{
	struct json_object *doc = json_tokener_parse(
		"{\"routes\":[{\"rd\":\"65000:20\",\"prefix\":\"10.0.0.0/8\",\"best\":true},"
		"{\"rd\":\"65000:3\",\"prefix\":\"10.9.0.0/16\",\"best\":false},"
		"{\"rd\":\"65000:3\",\"prefix\":\"10.9.0.0/16\",\"best\":true},"
		"{\"rd\":\"65000:3\",\"prefix\":\"9.0.0.0/8\",\"best\":true}]}");
	static const struct cli_column cols[] = { { "RD", "rd", CLI_COL_TEXT },
						  { "PREFIX", "prefix", CLI_COL_TEXT },
						  { "B", "best", CLI_COL_MARK } };
	struct cli_view v = { .array_key = "routes", .cols = cols, .ncols = 3 };
	char *text = NULL;

	CAPTURE(text, cli_print_bgp_routes(out, &v, doc));
	cr_assert_str_eq(text, "RD        PREFIX       B\n"
			       "65000:3   9.0.0.0/8    *\n"
			       "65000:3   10.9.0.0/16  *\n"
			       "65000:3   10.9.0.0/16  \n"
			       "65000:20  10.0.0.0/8   *\n");
	free(text);
	json_object_put(doc);
}
