/*
 * ferryctl reload check's report (cli/reload.c), from answers shaped as
 * vrfmgr's, bgpd's and fwd's GET /reload/check give them: every daemon
 * accepting is exit 0 with each one's summary and what it would touch;
 * one refusing (fwd too: its part of the file changed) is exit 1 naming
 * that daemon and its reason. A P router's report is fwd's alone.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const VRFMGR_OK =
	"{\"daemon\":\"vrfmgr\",\"file\":\"pe1.json\",\"accepted\":true,\"reason\":null,"
	"\"summary\":\"1 VRF added, 0 removed, 1 changed, 0 remote PEs with a new LSP state\","
	"\"added\":1,\"removed\":0,\"changed\":1,\"remote_pes_new_lsp_state\":0,"
	"\"vrfs\":[{\"vrf\":\"B\",\"action\":\"changed\",\"keys\":[\"import_rts\",\"static_routes\"]},"
	"{\"vrf\":\"C\",\"action\":\"added\",\"keys\":null}]}";
static const char *const VRFMGR_NO =
	"{\"daemon\":\"vrfmgr\",\"file\":\"pe1.json\",\"accepted\":false,"
	"\"reason\":\"pe1.json: router.label_range changed; that needs a restart of vrfmgr\","
	"\"summary\":null,\"vrfs\":null}";
static const char *const BGPD_OK =
	"{\"daemon\":\"bgpd\",\"file\":\"pe1.json\",\"accepted\":true,\"reason\":null,"
	"\"summary\":\"0 neighbors added, 0 removed, 1 changed, 0 unchanged\",\"added\":0,"
	"\"removed\":0,\"changed\":1,\"unchanged\":0,\"neighbors\":[{\"address\":\"10.255.0.2\","
	"\"action\":\"changed\",\"setting\":\"max_prefix\"}]}";
static const char *const FWD_OK =
	"{\"daemon\":\"fwd\",\"file\":\"pe1.json\",\"accepted\":true,\"reason\":null,"
	"\"summary\":\"nothing for fwd to do\",\"mode\":\"pe\"}";
static const char *const FWD_NO =
	"{\"daemon\":\"fwd\",\"file\":\"pe1.json\",\"accepted\":false,"
	"\"reason\":\"pe1.json: fwd.workers: 0 -> 2; that needs a restart of fwd (it takes its "
	"part of the file only at start)\",\"summary\":null,\"mode\":\"pe\"}";
static const char *const PE[] = { "vrfmgr", "bgpd", "fwd" };

/* The report of the answers (as JSON text) of daemons[0..n), and its exit status in *rc. */
static char *report_of(const char *const *daemons, const char *const *answers, size_t n, int *rc)
{
	struct json_object *docs[3];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert(out && n <= 3);
	for (size_t i = 0; i < n; i++)
		cr_assert_not_null(docs[i] = json_tokener_parse(answers[i]));
	*rc = cli_reload_report(out, daemons, docs, n);
	fclose(out);
	for (size_t i = 0; i < n; i++)
		json_object_put(docs[i]);
	return text;
}

/* A PE's report: vrfmgr's, bgpd's and fwd's answers. */
static char *report(const char *vrfmgr, const char *bgpd, const char *fwd, int *rc)
{
	const char *const answers[] = { vrfmgr, bgpd, fwd };

	return report_of(PE, answers, 3, rc);
}

Test(cli_reload, all_accept)
{
	int rc;
	char *t = report(VRFMGR_OK, BGPD_OK, FWD_OK, &rc);

	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "vrfmgr: would apply pe1.json: 1 VRF added, 0 removed, 1 changed, 0 "
			    "remote PEs with a new LSP state\n"
			    "  vrf B: changed ([\"import_rts\",\"static_routes\"])\n"
			    "  vrf C: added\n"
			    "bgpd: would apply pe1.json: 0 neighbors added, 0 removed, 1 changed, 0 "
			    "unchanged\n"
			    "  neighbor 10.255.0.2: changed (max_prefix)\n"
			    "fwd: would apply pe1.json: nothing for fwd to do\n");
	free(t);
}

/* fwd's warnings (a VRF interface its namespace lacks) follow its line; still accepted. */
Test(cli_reload, fwds_warnings_are_printed_and_accept)
{
	static const char *const fwd_warns =
		"{\"daemon\":\"fwd\",\"file\":\"pe1.json\",\"accepted\":true,\"reason\":null,"
		"\"summary\":\"nothing for fwd to do\",\"mode\":\"pe\",\"warnings\":["
		"\"vrfs[0].interfaces[0].name (VRF A): no interface \\\"ce-x1\\\" here: the VRF "
		"forwards nothing through it until it appears (fwd opens it then)\"]}";
	int rc;
	char *t = report(VRFMGR_OK, BGPD_OK, fwd_warns, &rc);

	cr_assert_eq(rc, 0);
	cr_assert_not_null(strstr(t, "fwd: would apply pe1.json: nothing for fwd to do\n"
				     "fwd: warning: vrfs[0].interfaces[0].name (VRF A): no interface "
				     "\"ce-x1\" here: the VRF forwards nothing through it until it "
				     "appears (fwd opens it then)\n"), "%s", t);
	free(t);
}

/*
 * fwd's answer with n VRF interfaces it lacks (ce-t1.. of VRFs t1..), as
 * warnings and as missing_interfaces; into buf.
 */
static const char *fwd_missing(char *buf, size_t len, int n)
{
	size_t at = (size_t)snprintf(buf, len, "{\"daemon\":\"fwd\",\"file\":\"pe1.json\","
					 "\"accepted\":true,\"reason\":null,\"summary\":\"nothing "
					 "for fwd to do\",\"mode\":\"pe\",\"warnings\":[");

	for (int i = 1; i <= n; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s\"vrfs[%d].interfaces[0].name (VRF t%d): "
				       "no interface \\\"ce-t%d\\\" here: the VRF forwards nothing "
				       "through it until it appears (fwd opens it then)\"",
				       i > 1 ? "," : "", i - 1, i, i);
	at += (size_t)snprintf(buf + at, len - at, "],\"missing_interfaces\":[");
	for (int i = 1; i <= n; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s{\"interface\":\"ce-t%d\",\"vrf\":"
				       "\"t%d\"}", i > 1 ? "," : "", i, i);
	snprintf(buf + at, len - at, "]}");
	return buf;
}

/*
 * 43 tenants added before their links exist: one warning line with the
 * count and the first 8 names, not 43 lines; 2 are one line naming both;
 * 1 keeps its own line, path and all.
 */
Test(cli_reload, fwds_missing_interfaces_are_one_line)
{
	static char buf[32768];
	int rc;
	char *t = report(VRFMGR_OK, BGPD_OK, fwd_missing(buf, sizeof(buf), 43), &rc);

	cr_assert_eq(rc, 0);
	cr_assert_not_null(strstr(t, "fwd: would apply pe1.json: nothing for fwd to do\n"
				     "fwd: warning: 43 VRF interfaces are not here: ce-t1 (VRF t1), "
				     "ce-t2 (VRF t2), ce-t3 (VRF t3), ce-t4 (VRF t4), ce-t5 (VRF t5), "
				     "ce-t6 (VRF t6), ce-t7 (VRF t7), ce-t8 (VRF t8) and 35 more: their "
				     "VRFs forward nothing through them until they appear (fwd opens "
				     "each then)\n"), "%s", t);
	cr_assert_null(strstr(t, "vrfs["), "no warning of its own:\n%s", t);
	free(t);
	t = report(VRFMGR_OK, BGPD_OK, fwd_missing(buf, sizeof(buf), 2), &rc);
	cr_assert_not_null(strstr(t, "fwd: warning: 2 VRF interfaces are not here: ce-t1 (VRF t1), "
				     "ce-t2 (VRF t2): their VRFs"), "%s", t);
	free(t);
	t = report(VRFMGR_OK, BGPD_OK, fwd_missing(buf, sizeof(buf), 1), &rc);
	cr_assert_not_null(strstr(t, "fwd: warning: vrfs[0].interfaces[0].name (VRF t1): no "
				     "interface \"ce-t1\" here: the VRF forwards nothing"), "%s", t);
	free(t);
}

/* A PE's report of these answers is exit 1, with the line said and also, when not NULL. */
static void assert_refused(const char *vrfmgr, const char *bgpd, const char *fwd,
			   const char *line, const char *also)
{
	int rc;
	char *t = report(vrfmgr, bgpd, fwd, &rc), want[512];

	cr_assert_eq(rc, 1);
	snprintf(want, sizeof(want), "%s\n", line);
	cr_assert_not_null(strstr(t, want), "%s", t);
	cr_assert(also == NULL || strstr(t, also) != NULL, "%s", t);
	free(t);
}

Test(cli_reload, one_refuses_and_is_named_with_its_reason)
{
	assert_refused(VRFMGR_NO, BGPD_OK, FWD_OK,
		       "vrfmgr: refuses the file: pe1.json: router.label_range changed; that needs a "
		       "restart of vrfmgr",
		       "bgpd: would apply");
}

/*
 * A file none of them can read is refused by each in the same words: said
 * once, naming the three; different reasons keep a line each.
 */
Test(cli_reload, the_same_refusal_is_said_once)
{
#define BAD_RD "pe1.json: vrfs[0].rd: \\\"10.255.0.1;100\\\" is not a route distinguisher"
#define NO(d) "{\"daemon\":\"" d "\",\"file\":\"pe1.json\",\"accepted\":false,\"reason\":\"" \
	BAD_RD "\",\"summary\":null,\"mode\":\"pe\"}"
	int rc;
	char *t = report(NO("vrfmgr"), NO("bgpd"), NO("fwd"), &rc);

	cr_assert_eq(rc, 1);
	cr_assert_str_eq(t, "vrfmgr, bgpd and fwd: refuse the file: pe1.json: vrfs[0].rd: "
			    "\"10.255.0.1;100\" is not a route distinguisher\n");
	free(t);
	t = report(VRFMGR_NO, NO("bgpd"), NO("fwd"), &rc);
	cr_assert_str_eq(t, "vrfmgr: refuses the file: pe1.json: router.label_range changed; that "
			    "needs a restart of vrfmgr\n"
			    "bgpd and fwd: refuse the file: pe1.json: vrfs[0].rd: \"10.255.0.1;100\" is "
			    "not a route distinguisher\n");
	free(t);
#undef NO
#undef BAD_RD
}

Test(cli_reload, an_answer_from_the_wrong_daemon_is_no_acceptance)
{
	assert_refused(BGPD_OK, BGPD_OK, FWD_OK, "vrfmgr: not a /reload/check answer", NULL);
	assert_refused(VRFMGR_OK, BGPD_OK, BGPD_OK, "fwd: not a /reload/check answer", NULL);
}

Test(cli_reload, fwd_refusing_refuses_the_whole_file)
{
	assert_refused(VRFMGR_OK, BGPD_OK, FWD_NO,
		       "fwd: refuses the file: pe1.json: fwd.workers: 0 -> 2; that needs a restart of "
		       "fwd (it takes its part of the file only at start)",
		       "vrfmgr: would apply");
}

Test(cli_reload, a_p_routers_report_is_fwds_alone)
{
	static const char *const p[] = { "fwd" };
	const char *ok = "{\"daemon\":\"fwd\",\"file\":\"p.json\",\"accepted\":true,"
			 "\"reason\":null,\"summary\":\"nothing for fwd to do\",\"mode\":\"lsr\"}";
	int rc;
	char *t = report_of(p, &ok, 1, &rc);

	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "fwd: would apply p.json: nothing for fwd to do\n");
	free(t);
}
