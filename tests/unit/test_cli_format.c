/*
 * ferryctl's pure parts: HTTP response splitting (plain, Content-Length,
 * chunked, incomplete, not HTTP), query encoding, cell formatting and
 * table layout; what ferryctl says of words that are no command.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static int parse(const char *raw, bool eof, struct cli_response *r)
{
	return cli_http_parse(raw, strlen(raw), eof, r);
}

Test(cli_http, content_length)
{
	struct cli_response r;

	cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}", false, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "{\"a\":1}");
	cli_response_free(&r);
	/* a short body is incomplete, extra bytes are cut */
	cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{\"a\":1}", true, &r),
		     -EAGAIN);
	cr_assert_eq(parse("HTTP/1.0 404 NF\r\ncontent-length: 2\r\n\r\n{}xx", false, &r), 0);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(r.body, "{}");
	cli_response_free(&r);
}

Test(cli_http, no_length_needs_eof)
{
	struct cli_response r;

	cr_assert_eq(parse("HTTP/1.0 200 OK\r\n\r\n{\"a\"", false, &r), -EAGAIN);
	cr_assert_eq(parse("HTTP/1.0 200 OK\r\n\r\n{\"a\":2}", true, &r), 0);
	cr_assert_str_eq(r.body, "{\"a\":2}");
	cli_response_free(&r);
}

Test(cli_http, chunked)
{
	struct cli_response r;
	const char *raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "3\r\n{\"a\r\n4\r\n\":3}\r\n0\r\n\r\n";

	cr_assert_eq(parse(raw, false, &r), 0);
	cr_assert_str_eq(r.body, "{\"a\":3}");
	cr_assert_eq(r.body_len, 7);
	cli_response_free(&r);
	cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true,
			   &r),
		     -EAGAIN);
	cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true,
			   &r),
		     -EAGAIN);
}

/*
 * Header values end with their line: an empty or non-numeric Content-Length
 * is refused, not read on into the body (or into bytes not received yet).
 */
Test(cli_http, header_values_stay_in_their_line)
{
	struct cli_response r;

	cr_assert_lt(parse("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n 1\r\n\r\n}", true, &r), 0);
	cr_assert_lt(parse("HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n{}", true, &r), 0);
	cr_assert_lt(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}", true, &r), 0);
	cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length:  2 \r\n\r\n{}", false, &r), 0,
		     "blanks around the value are fine");
	cr_assert_str_eq(r.body, "{}");
	cli_response_free(&r);
	cr_assert_eq(parse("HTTP/1.0 200 OK\r\nTransfer-Encoding:\r\n\r\nchunked", true, &r), 0,
		     "an empty Transfer-Encoding is not chunked: the body runs to EOF");
	cr_assert_str_eq(r.body, "chunked");
	cli_response_free(&r);
}

Test(cli_http, not_http)
{
	struct cli_response r;

	cr_assert_lt(parse("", true, &r), 0);
	cr_assert_lt(parse("SSH-2.0-OpenSSH\r\n\r\n", true, &r), 0);
	cr_assert_lt(parse("HTTP/1.1 200 OK\r\nno end of headers", true, &r), 0);
}

Test(cli_http, url_encode)
{
	char buf[32] = "/routes?vrf=";

	cr_assert_eq(cli_url_encode("A b/&", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/routes?vrf=A%20b%2F%26");
	buf[0] = '\0';
	cr_assert_lt(cli_url_encode("0123456789012345678901234567890123", buf, sizeof(buf)), 0);
}

static const char *cell(const char *json, enum cli_col_kind kind, char *buf)
{
	struct json_object *v = json ? json_tokener_parse(json) : NULL;

	cli_cell_format(v, kind, buf, 128);
	json_object_put(v);
	return buf;
}

Test(cli_table, cells)
{
	char b[128];

	cr_assert_str_eq(cell(NULL, CLI_COL_TEXT, b), "-");
	cr_assert_str_eq(cell("null", CLI_COL_LABEL, b), "-");
	cr_assert_str_eq(cell("3", CLI_COL_LABEL, b), "imp-null");
	cr_assert_str_eq(cell("200", CLI_COL_LABEL, b), "200");
	cr_assert_str_eq(cell("\"x\"", CLI_COL_TEXT, b), "x");
	cr_assert_str_eq(cell("\"\"", CLI_COL_TEXT, b), "-");
	cr_assert_str_eq(cell("3725", CLI_COL_DURATION, b), "01:02:05");
	cr_assert_str_eq(cell("90061", CLI_COL_DURATION, b), "1d01:01:01");
	cr_assert_str_eq(cell("[\"65000:1\",\"65000:2\"]", CLI_COL_LIST, b), "65000:1,65000:2");
	cr_assert_str_eq(cell("[]", CLI_COL_LIST, b), "-");
	cr_assert_str_eq(cell("[{\"name\":\"ce-a1\",\"address\":\"10.1.1.1/30\"},"
			      "{\"name\":\"ce-a9\",\"address\":\"10.1.9.1/30\"}]",
			      CLI_COL_LIST, b),
			 "ce-a1 10.1.1.1/30, ce-a9 10.1.9.1/30");
	cr_assert_str_eq(cell("true", CLI_COL_BOOL, b), "yes");
	cr_assert_str_eq(cell("false", CLI_COL_MARK, b), "");
	cr_assert_str_eq(cell("true", CLI_COL_MARK, b), "*");
}

/* The table of t rows through cols; the text (free it). */
static char *table_of(struct json_object *rows, const struct cli_column *cols, size_t ncols)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_eq(cli_table_print(f, rows, cols, ncols), 0);
	fclose(f);
	return out;
}

/*
 * A multi-tenant PE: one VRF (a hub, a shared service) imports a dozen RTs,
 * and one shared prefix sits in 300 VRFs. show vrf keeps one line per VRF
 * at the width of the others (the full list is in show vrf NAME), and show
 * vpn's VRFS says how many more there are instead of a list cut mid-name
 * at 512 bytes ("...,t29" for t298 reads as another tenant).
 */
Test(cli_table, long_lists_say_how_many_more_instead_of_widening_or_cutting)
{
	char rts[1024] = "", vrfs[8192] = "", *out, *line, *save;
	struct json_object *doc, *rows;
	size_t n = 0;

	for (int i = 0; i < 12; i++)
		n += (size_t)snprintf(rts + n, sizeof(rts) - n, "%s\"65000:%d\"", i ? "," : "",
				      2000 + i);
	snprintf(vrfs, sizeof(vrfs), "{\"vrfs\":[{\"name\":\"hub\",\"id\":1,\"rd\":\"1:1\","
				     "\"label\":100,\"label_mode\":\"per-vrf\",\"import_rts\":[%s],"
				     "\"export_rts\":[\"65000:1\"],\"route_count\":2,\"interfaces\":[]},"
				     "{\"name\":\"t2\",\"id\":2,\"rd\":\"1:2\",\"label\":101,"
				     "\"label_mode\":\"per-vrf\",\"import_rts\":[\"65000:2\"],"
				     "\"export_rts\":[\"65000:2\"],\"route_count\":2,\"interfaces\":[]}]}",
		 rts);
	doc = json_tokener_parse(vrfs);
	rows = json_object_object_get(doc, "vrfs");
	out = table_of(rows, cli_cols_vrfs, cli_ncols_vrfs);
	cr_assert_not_null(strstr(out, "65000:2000,65000:2001,65000:2002,+9 more"), "%s", out);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		cr_assert_lt(strlen(line), 120, "%s", line);
	free(out);
	json_object_put(doc);

	n = (size_t)snprintf(vrfs, sizeof(vrfs), "[{\"rd\":\"1:50\",\"prefix\":\"172.16.50.0/24\","
						 "\"label\":102,\"next_hop\":\"10.255.0.1\","
						 "\"route_targets\":[\"65000:50\"],\"vrfs\":[");
	for (int i = 1; i <= 300; i++)
		n += (size_t)snprintf(vrfs + n, sizeof(vrfs) - n, "%s\"t%d\"", i > 1 ? "," : "", i);
	snprintf(vrfs + n, sizeof(vrfs) - n, "],\"problem\":null}]");
	rows = json_tokener_parse(vrfs);
	out = table_of(rows, cli_cols_vpn, cli_ncols_vpn);
	cr_assert_not_null(strstr(out, "  t1,t2,t3,+297 more  "), "%s", out);
	free(out);
	json_object_put(rows);
}

/* A list too long for a cell ends with how many are left out, never with a cut item. */
Test(cli_table, a_list_too_long_for_a_cell_is_never_cut_mid_item)
{
	char json[8192], s[512];
	size_t n = 0;
	struct json_object *v;
	const char *more;

	n += (size_t)snprintf(json, sizeof(json), "[");
	for (int i = 1; i <= 300; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"tenant-%d\"", i > 1 ? "," : "",
				      i);
	snprintf(json + n, sizeof(json) - n, "]");
	v = json_tokener_parse(json);
	cli_cell_format(v, CLI_COL_LIST, s, sizeof(s));
	json_object_put(v);
	more = strstr(s, ",+");
	cr_assert_not_null(more, "%s", s);
	cr_assert(strcmp(more + strcspn(more, " "), " more") == 0, "%s", s);
	/* every item shown is whole: the one before ",+N more" is tenant-K, K = 300 - N */
	cr_assert_eq(atoi(strrchr(s, '-') + 1), 300 - atoi(more + 2), "%s", s);
}

Test(cli_table, layout)
{
	static const struct cli_column cols[] = {
		{ "PREFIX", "prefix", CLI_COL_TEXT },
		{ "LABEL", "label", CLI_COL_LABEL },
	};
	struct json_object *rows = json_tokener_parse(
		"[{\"prefix\":\"192.168.101.0/24\",\"label\":200},{\"prefix\":\"10.0.0.0/8\"}]");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_eq(cli_table_print(f, rows, cols, 2), 0);
	fclose(f);
	cr_assert_str_eq(out, "PREFIX            LABEL\n"
			      "192.168.101.0/24  200\n"
			      "10.0.0.0/8        -\n");
	free(out);
	json_object_put(rows);
	cr_assert_eq(cli_table_print(stdout, NULL, cols, 2), -EINVAL);
}

Test(cli_commands, lookup)
{
	cr_assert_not_null(cli_command_find("bgp", "neighbors"));
	cr_assert_str_eq(cli_command_find("vrf", "routes")->daemon, "vrfmgr");
	cr_assert_null(cli_command_find("bgp", "nope"));
	cr_assert_null(cli_command_find("bgp", NULL));
}

/* What ferryctl says of words that are no command: one line, the word in the way, what would do. */
static const char *unknown(int argc, char **argv)
{
	static char err[600];

	cli_command_unknown(argc, argv, err, sizeof(err));
	return err;
}

Test(cli_commands, unknown_names_the_word_and_what_would_do)
{
	char *typo[] = { "shwo", "vrf" }, *vrf[] = { "vrf", "lsit" }, *fwd[] = { "fwd" };

	cr_assert_str_eq(unknown(2, typo), "unknown command: shwo (want show, trace, verify, events, "
					   "vrf explain or reload check; ferryctl --help lists them)");
	cr_assert_str_eq(unknown(2, vrf), "unknown command: vrf lsit (want vrf list, vrf routes "
					  "[VRF], vrf lsps, vrf labels or vrf explain RD PREFIX "
					  "[VRF])");
	cr_assert_str_eq(unknown(1, fwd), "fwd what? (want fwd fib [VRF] [PREFIX [longer|shorter]], "
					  "fwd lfib, fwd arp or fwd counters)");
	cr_assert_str_eq(unknown(1, vrf), "vrf what? (want vrf list, vrf routes [VRF], vrf lsps, "
					  "vrf labels or vrf explain RD PREFIX [VRF])");
}

Test(cli_events, words_other_than_the_daemons_are_named)
{
	char *ok[] = { "vrfmgr", "bgpd" }, *bad[] = { "bgpd", "foo" }, *twice[] = { "bgpd", "bgpd" };
	struct cli_ctx c = { 0 };
	struct cli_events_plan p;
	char err[300] = "";

	cr_assert_eq(cli_events_plan(&c, 0, ok, &p, err, sizeof(err)), 0);
	cr_assert_eq(cli_events_plan(&c, 2, ok, &p, err, sizeof(err)), 0);
	cr_assert_eq(cli_events_plan(&c, 2, bad, &p, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "events: unexpected \"foo\" (want events [bgpd] [vrfmgr] [--type "
			      "T[,T...]] [--vrf NAME] [--since N] [--snapshot] [--count N])");
	cr_assert_eq(cli_events_plan(&c, 2, twice, &p, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "events: a second \"bgpd\" (want events [bgpd] [vrfmgr] [--type "
			      "T[,T...]] [--vrf NAME] [--since N] [--snapshot] [--count N])");
}

/* ferryctl events [DAEMON...] with options: which daemons are asked, and with which query. */
static const struct cli_events_plan *plan_of(const struct cli_ctx *c, int argc, char **argv)
{
	static struct cli_events_plan p;
	char err[300] = "";

	cr_assert_eq(cli_events_plan(c, argc, argv, &p, err, sizeof(err)), 0, "%s", err);
	return &p;
}

static const char *plan_err(const struct cli_ctx *c, int argc, char **argv)
{
	static char err[300];
	struct cli_events_plan p;

	err[0] = '\0';
	cr_assert_eq(cli_events_plan(c, argc, argv, &p, err, sizeof(err)), -1);
	return err;
}

/*
 * --type and --vrf are the daemons' ?type= and ?vrf= (the daemons filter):
 * each daemon is sent its own types, and one none of whose events could
 * pass is not asked, or, named on the command line, is bad usage.
 */
Test(cli_events, type_and_vrf_become_each_daemons_query)
{
	char *bgpd[] = { "bgpd" }, *vrfmgr[] = { "vrfmgr" };
	struct cli_ctx c = { .since = "42", .snapshot = true };
	const struct cli_events_plan *p = plan_of(&c, 0, NULL);

	cr_assert_eq(p->n, 2);
	cr_assert_str_eq(p->query[0], "/events?since=42&snapshot=1");
	c = (struct cli_ctx){ .types = "fib,session,nexthop" };
	p = plan_of(&c, 0, NULL);
	cr_assert_eq(p->n, 2);
	cr_assert_str_eq(p->daemons[0], "bgpd");
	cr_assert_str_eq(p->query[0], "/events?type=session");
	cr_assert_str_eq(p->query[1], "/events?type=fib%2Cnexthop");
	c = (struct cli_ctx){ .types = "route" };
	p = plan_of(&c, 0, NULL);
	cr_assert_eq(p->n, 1, "vrfmgr has no route events: not asked");
	cr_assert_str_eq(p->daemons[0], "bgpd");
	c = (struct cli_ctx){ .vrf = "B" };
	p = plan_of(&c, 0, NULL);
	cr_assert_eq(p->n, 1, "bgpd's events name no VRF: not asked");
	cr_assert_str_eq(p->daemons[0], "vrfmgr");
	cr_assert_str_eq(p->query[0], "/events?vrf=B");
	c = (struct cli_ctx){ .vrf = "B", .types = "fib,label" };
	p = plan_of(&c, 1, vrfmgr);
	cr_assert_str_eq(p->query[0], "/events?type=fib%2Clabel&vrf=B");
	/* what cannot be: said, before any daemon is asked */
	c = (struct cli_ctx){ .types = "fib,rout" };
	cr_assert_str_eq(plan_err(&c, 0, NULL),
			 "events: --type: \"rout\" is not an event type (want route or session "
			 "(bgpd); fib, label, nexthop, vrf or interface (vrfmgr); several "
			 "comma-separated)");
	c = (struct cli_ctx){ .types = "fib," };
	cr_assert_str_eq(plan_err(&c, 0, NULL),
			 "events: --type: \"\" is not an event type (want route or session (bgpd); "
			 "fib, label, nexthop, vrf or interface (vrfmgr); several comma-separated)");
	c = (struct cli_ctx){ .types = "fib" };
	cr_assert_str_eq(plan_err(&c, 1, bgpd), "events: --type fib: bgpd has none of those events "
						 "(its events: route, session)");
	c = (struct cli_ctx){ .vrf = "A" };
	cr_assert_str_eq(plan_err(&c, 1, bgpd), "events: --vrf: bgpd's events name no VRF (want "
						 "events vrfmgr --vrf NAME, or bgpd without --vrf)");
	c = (struct cli_ctx){ .vrf = "A", .types = "route,session" };
	cr_assert_str_eq(plan_err(&c, 0, NULL),
			 "events: --vrf with --type route,session: only vrfmgr's events name a VRF "
			 "(want --type fib, label, nexthop, vrf or interface with --vrf)");
}
