/*
 * The VRF names ferryctl gives beside "no VRF named X" (cli/vrf_names.c),
 * from vrfmgr's /vrfs answer: the names in its order, at most 8 and then
 * how many more, "no VRF is configured" for none, nothing for an answer
 * without the list, nothing rather than a list cut short.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *text_of(const char *answer, size_t len)
{
	static char buf[1024];
	struct json_object *doc = json_tokener_parse(answer);

	cr_assert_not_null(doc, "%s", answer);
	cr_assert_leq(len, sizeof(buf));
	cli_vrf_names_text(doc, buf, len);
	json_object_put(doc);
	return buf;
}

Test(cli_vrf_names, the_names_there_are)
{
	cr_assert_str_eq(text_of("{\"vrfs\":[{\"name\":\"A\",\"id\":1},{\"name\":\"B\",\"id\":2}]}",
				 640),
			 " (VRFs here: A, B)");
	cr_assert_str_eq(text_of("{\"vrfs\":[]}", 640), " (no VRF is configured)");
	cr_assert_str_eq(text_of("{\"error\":\"x\",\"status\":500}", 640), "");
}

Test(cli_vrf_names, eight_then_how_many_more)
{
	char answer[1024] = "{\"vrfs\":[";

	for (int i = 1; i <= 11; i++)
		snprintf(answer + strlen(answer), sizeof(answer) - strlen(answer),
			 "%s{\"name\":\"v%d\"}", i > 1 ? "," : "", i);
	strcat(answer, "]}");
	cr_assert_str_eq(text_of(answer, 640),
			 " (VRFs here: v1, v2, v3, v4, v5, v6, v7, v8 and 3 more)");
}

Test(cli_vrf_names, no_list_cut_short)
{
	cr_assert_str_eq(text_of("{\"vrfs\":[{\"name\":\"customer-alpha\"},{\"name\":\"customer-beta\"}]}",
				 24),
			 "");
	cr_assert_str_eq(text_of("{\"vrfs\":[{\"name\":\"A\"}]}", 20), " (VRFs here: A)");
}

static const char *removed_of(const char *answer)
{
	static char buf[128];
	struct json_object *doc = json_tokener_parse(answer);

	cr_assert_not_null(doc, "%s", answer);
	cli_vrf_removed_text(doc, buf, sizeof(buf));
	json_object_put(doc);
	return buf;
}

/*
 * A VRF just removed (vrfmgr's /labels?vrf=NAME lists only its held-down
 * labels) is said to be so; a name whose labels are in use (vrfmgr has the
 * VRF, fwd not yet) or an error answer says nothing more.
 */
Test(cli_vrf_names, a_vrf_removed_is_said_so)
{
	cr_assert_str_eq(removed_of("{\"labels\":[{\"label\":103,\"vrf\":\"t3\",\"action\":\"held\","
				    "\"mode\":\"per-vrf\",\"held_for_s\":42}]}"),
			 ": removed; its label 103 is held down for 42 s more");
	cr_assert_str_eq(removed_of("{\"labels\":[{\"label\":103,\"action\":\"held\",\"held_for_s\":"
				    "12},{\"label\":104,\"action\":\"held\",\"held_for_s\":57}]}"),
			 ": removed; its 2 labels are held down for 57 s more at most");
	cr_assert_str_eq(removed_of("{\"labels\":[{\"label\":103,\"action\":\"held\",\"held_for_s\":"
				    "12},{\"label\":104,\"action\":\"pop-lookup\",\"users\":1}]}"),
			 "");
	cr_assert_str_eq(removed_of("{\"labels\":[]}"), "");
	cr_assert_str_eq(removed_of("{\"error\":\"no VRF named\",\"status\":404}"), "");
}

/*
 * A name vrfmgr's /vrfs lists is a VRF it has (fwd, which answered 404, may
 * lag behind): its held labels (a predecessor's, say) do not make it one
 * removed. Only an exact name counts.
 */
Test(cli_vrf_names, a_listed_vrf_is_not_said_removed)
{
	struct json_object *doc = json_tokener_parse("{\"vrfs\":[{\"name\":\"A\",\"id\":1},"
						     "{\"name\":\"B\",\"id\":2}]}");

	cr_assert_not_null(doc);
	cr_assert(cli_vrf_listed(doc, "B"));
	cr_assert_not(cli_vrf_listed(doc, "b"));
	cr_assert_not(cli_vrf_listed(doc, "C"));
	json_object_put(doc);
	doc = json_tokener_parse("{\"error\":\"x\",\"status\":500}");
	cr_assert_not(cli_vrf_listed(doc, "A"));
	json_object_put(doc);
}
