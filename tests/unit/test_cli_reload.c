/*
 * ferryctl reload check's report (cli/reload.c), from answers shaped as
 * vrfmgr's and bgpd's GET /reload/check give them: both accepting is exit
 * 0 with each daemon's summary and what it would touch; one refusing is
 * exit 1 naming that daemon and its reason.
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

/* The report of the two answers, and its exit status in *rc. */
static char *report(const char *vrfmgr, const char *bgpd, int *rc)
{
	struct json_object *docs[2] = { json_tokener_parse(vrfmgr), json_tokener_parse(bgpd) };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert(docs[0] && docs[1] && out);
	*rc = cli_reload_report(out, docs);
	fclose(out);
	json_object_put(docs[0]);
	json_object_put(docs[1]);
	return text;
}

Test(cli_reload, both_accept)
{
	int rc;
	char *t = report(VRFMGR_OK, BGPD_OK, &rc);

	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "vrfmgr: would apply pe1.json: 1 VRF added, 0 removed, 1 changed, 0 "
			    "remote PEs with a new LSP state\n"
			    "  vrf B: changed ([\"import_rts\",\"static_routes\"])\n"
			    "  vrf C: added\n"
			    "bgpd: would apply pe1.json: 0 neighbors added, 0 removed, 1 changed, 0 "
			    "unchanged\n"
			    "  neighbor 10.255.0.2: changed (max_prefix)\n");
	free(t);
}

Test(cli_reload, one_refuses_and_is_named_with_its_reason)
{
	int rc;
	char *t = report(VRFMGR_NO, BGPD_OK, &rc);

	cr_assert_eq(rc, 1);
	cr_assert(strstr(t, "vrfmgr: refuses the file: pe1.json: router.label_range changed; that "
			    "needs a restart of vrfmgr\n") == t, "%s", t);
	cr_assert_not_null(strstr(t, "bgpd: would apply"), "%s", t);
	free(t);
}

Test(cli_reload, an_answer_from_the_wrong_daemon_is_no_acceptance)
{
	int rc;
	char *t = report(BGPD_OK, BGPD_OK, &rc);

	cr_assert_eq(rc, 1);
	cr_assert(strstr(t, "vrfmgr: not a /reload/check answer\n") == t, "%s", t);
	free(t);
}
