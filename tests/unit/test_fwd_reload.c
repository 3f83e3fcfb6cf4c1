/*
 * fwd/reload.c and GET /reload/check (fwd/api_reload.c): fwd's part of a
 * node's reload. fwd is "started" from a temporary file through
 * fwd_boot_load, as main.c starts it (-o, -r); the file is then rewritten
 * and checked. A file whose fwd part is what runs is accepted with nothing
 * for fwd to do, whatever changed elsewhere (VRFs, neighbors, vrfmgr's
 * settings); each setting fwd takes at start, changed, is refused naming
 * it with its old and new value; a bad file gets the loader's own error;
 * -o and -r weigh as they did at start.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "fwd/api_extra.h"
#include "fwd/fwd.h"
#include "fwd/fwd_api.h"
#include "fwd/reload.h"
#include "test_api_route.h"

#define ROUTER_AS(name, run_dir)                                                                 \
	"\"router\": { \"name\": \"" name "\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"   \
	"  \"run_dir\": \"" run_dir "\" },"
#define ROUTER ROUTER_AS("pe1", "/run/ferry/t1")
#define VRF(name, rd, ifname, addr)                                                              \
	"{ \"name\": \"" name "\", \"rd\": \"" rd "\", \"import_rts\": [\"65000:1\"],"           \
	"  \"export_rts\": [\"65000:1\"],"                                                       \
	"  \"interfaces\": [ { \"name\": \"" ifname "\", \"address\": \"" addr "\" } ] }"
#define VRFS "\"vrfs\": [ " VRF("A", "10.255.0.1:100", "ce-a1", "10.1.1.1/30") " ],"
#define BGP(peer)                                                                                \
	"\"bgp\": { \"neighbors\": [ { \"address\": \"" peer "\", \"remote_as\": 65000 } ] },"
#define CORE0 "{ \"name\": \"core0\", \"address\": \"10.0.1.1/30\" }"
#define CORE1(addr) "{ \"name\": \"core1\", \"address\": \"" addr "\" }"
#define CORES CORE0 ", " CORE1("10.0.2.1/24")
#define SWAP(in, out, nh)                                                                        \
	"{ \"in_label\": " in ", \"action\": \"swap\", \"out_label\": " out ","                  \
	"  \"next_hop\": \"" nh "\", \"interface\": \"core1\" }"
#define LFIB SWAP("16", "17", "10.0.2.2")
/* fwd's section: settings (each with a comma after it), core interfaces, static LFIB */
#define FWD(settings, cores, lfib)                                                               \
	"\"fwd\": { \"mode\": \"pe\", " settings " \"core_interfaces\": [ " cores " ],"          \
	"  \"lfib\": [ " lfib " ] }"
#define CONFIG_WITH(router, vrfs, bgp, fwd, api) "{ " router vrfs bgp fwd api " }"
#define CONFIG(fwd) CONFIG_WITH(ROUTER, VRFS, BGP("10.255.0.2"), fwd, "")
#define BASE CONFIG(FWD("\"arp_timeout\": 300,", CORES, LFIB))
#define RESTART "; that needs a restart of fwd (it takes its part of the file only at start)"

static char path[64];
/* How fwd names the file in a refusal: as the loader does, its base name (config_file_name). */
#define NAME (strrchr(path, '/') + 1)
static struct ferry_config run;
static struct fwd_boot boot;

static void write_file(const char *json)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(json, f);
	fclose(f);
}

/* fwd started from json, with -o overrides and -r run_dir (NULL: none), as main.c starts it. */
static void start(const char *json, char *const *overrides, size_t n, const char *run_dir)
{
	char err[512];

	write_file(json);
	boot = (struct fwd_boot){ path, run_dir, overrides, n, &run };
	cr_assert_eq(fwd_boot_load(&boot, &run, err, sizeof(err)), 0, "%s", err);
}

static void setup(void)
{
	log_init("test", LOG_LVL_ERR);
	snprintf(path, sizeof(path), "/tmp/test_fwd_reload.%d.json", (int)getpid());
	start(BASE, NULL, 0, NULL);
}

static void teardown(void)
{
	config_free(&run);
	unlink(path);
}

TestSuite(reload, .init = setup, .fini = teardown);

/* The file rewritten to json, checked: the verdict, with its words in why. */
static enum fwd_reload_verdict check_file(const char *json, char *why, size_t len)
{
	write_file(json);
	return fwd_reload_check(&boot, why, len);
}

static void assert_nothing_for_fwd(const char *json, const char *what)
{
	char why[1024];

	cr_assert_eq(check_file(json, why, sizeof(why)), FWD_RELOAD_NOTHING, "%s: %s", what, why);
	cr_assert_str_eq(why, "nothing for fwd to do", "%s", what);
}

Test(reload, the_file_as_it_runs_is_nothing_for_fwd_to_do)
{
	assert_nothing_for_fwd(BASE, "unchanged");
	/* the same settings written otherwise: arp_timeout's default, other spacing */
	assert_nothing_for_fwd(CONFIG(FWD("", CORES, LFIB)), "default arp_timeout spelt out");
	cr_assert_eq(run.fwd.arp_timeout, 300);
}

Test(reload, what_is_not_fwds_is_left_to_vrfmgr_and_bgpd)
{
	static const char *const others[] = {
		/* a VRF added, a neighbor changed */
		CONFIG_WITH(ROUTER, "\"vrfs\": [ " VRF("A", "10.255.0.1:100", "ce-a1", "10.1.1.1/30")
				    ", " VRF("B", "10.255.0.1:200", "ce-b1", "10.2.1.1/30") " ],",
			    BGP("10.255.0.9"), FWD("", CORES, LFIB), ""),
		/* vrfmgr's and bgpd's own restart-only settings */
		CONFIG_WITH("\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.7\","
			    "  \"asn\": 65001, \"run_dir\": \"/run/ferry/t1\","
			    "  \"label_range\": { \"min\": 2000, \"max\": 2999 } },",
			    VRFS, BGP("10.255.0.2"), FWD("", CORES, LFIB),
			    ", \"api\": { \"ports\": { \"vrfmgr\": 7190, \"bgpd\": 7189 } }"),
	};

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_nothing_for_fwd(others[i], others[i]);
}

Test(reload, each_setting_fwd_takes_at_start_is_named_old_and_new)
{
	static const struct {
		const char *json, *what;
	} changed[] = {
		{ CONFIG(FWD("", CORE0 ", " CORE1("10.0.2.1/25"), LFIB)),
		  "fwd.core_interfaces[1].address: 10.0.2.1/24 -> 10.0.2.1/25" },
		{ CONFIG(FWD("", "{ \"name\": \"core9\", \"address\": \"10.0.1.1/30\" }, "
				 CORE1("10.0.2.1/24"), LFIB)),
		  "fwd.core_interfaces[0].name: \"core0\" -> \"core9\"" },
		{ CONFIG(FWD("", CORES ", { \"name\": \"core2\", \"address\": \"10.0.3.1/24\" }",
			     LFIB)),
		  "fwd.core_interfaces: 2 entries -> 3 entries" },
		{ CONFIG(FWD("", CORES, SWAP("20", "17", "10.0.2.2"))),
		  "fwd.lfib[0].in_label: 16 -> 20" },
		{ CONFIG(FWD("", CORES,
			     "{ \"in_label\": 16, \"action\": \"pop\", \"next_hop\": \"10.0.2.2\","
			     "  \"interface\": \"core1\" }")),
		  "fwd.lfib[0].action: swap -> pop" },
		{ CONFIG(FWD("", CORES, SWAP("16", "18", "10.0.2.2"))),
		  "fwd.lfib[0].out_label: 17 -> 18" },
		{ CONFIG(FWD("", CORES, SWAP("16", "17", "10.0.2.3"))),
		  "fwd.lfib[0].next_hop: 10.0.2.2 -> 10.0.2.3" },
		{ CONFIG(FWD("", CORES, "")), "fwd.lfib: 1 entry -> 0 entries" },
		{ CONFIG(FWD("\"io\": \"af_xdp\",", CORES, LFIB)), "fwd.io: af_packet -> af_xdp" },
		{ CONFIG(FWD("\"rx_ring\": \"frames\",", CORES, LFIB)),
		  "fwd.rx_ring: blocks -> frames" },
		{ CONFIG(FWD("\"workers\": 2,", CORES, LFIB)), "fwd.workers: 0 -> 2" },
		{ CONFIG(FWD("\"arp_timeout\": 60,", CORES, LFIB)), "fwd.arp_timeout: 300 -> 60" },
		{ CONFIG_WITH(ROUTER_AS("pe9", "/run/ferry/t1"), VRFS, BGP("10.255.0.2"),
			      FWD("", CORES, LFIB), ""),
		  "router.name: \"pe1\" -> \"pe9\"" },
		{ CONFIG_WITH(ROUTER_AS("pe1", "/run/ferry/t2"), VRFS, BGP("10.255.0.2"),
			      FWD("", CORES, LFIB), ""),
		  "router.run_dir: \"/run/ferry/t1\" -> \"/run/ferry/t2\"" },
		{ CONFIG_WITH(ROUTER, VRFS, BGP("10.255.0.2"), FWD("", CORES, LFIB),
			      ", \"api\": { \"ports\": { \"fwd\": 7191 } }"),
		  "api.ports.fwd: 7181 -> 7191" },
		{ CONFIG_WITH(ROUTER, VRFS, BGP("10.255.0.2"), FWD("", CORES, LFIB),
			      ", \"api\": { \"listen\": \"127.0.0.2\" }"),
		  "api.listen: 127.0.0.1 -> 127.0.0.2" },
		{ CONFIG_WITH(ROUTER, VRFS, BGP("10.255.0.2"), FWD("", CORES, LFIB),
			      ", \"api\": { \"token_file\": \"/etc/ferry/token\" }"),
		  "api.token_file: \"\" -> \"/etc/ferry/token\"" },
	};

	for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
		char why[1024], want[1024];

		snprintf(want, sizeof(want), "%s: %s" RESTART, NAME, changed[i].what);
		cr_assert_eq(check_file(changed[i].json, why, sizeof(why)), FWD_RELOAD_CHANGED,
			     "%s: %s", changed[i].what, why);
		cr_expect_str_eq(why, want);
	}
	cr_assert_eq(run.fwd.workers, 0, "the check changed what runs");
}

Test(reload, an_lsr_is_compared_as_a_pe_is)
{
	char why[1024], want[1024];
	const char *p = "{ " ROUTER_AS("p", "/run/ferry/p")
			"\"fwd\": { \"mode\": \"lsr\", \"core_interfaces\": [ " CORES " ],"
			"  \"lfib\": [ " LFIB " ] } }";

	config_free(&run);
	start(p, NULL, 0, NULL);
	assert_nothing_for_fwd(p, "P unchanged");
	write_file("{ " ROUTER_AS("p", "/run/ferry/p") "\"fwd\": { \"core_interfaces\": [ " CORES
		   " ], \"lfib\": [ " LFIB " ] } }");
	cr_assert_eq(fwd_reload_check(&boot, why, sizeof(why)), FWD_RELOAD_CHANGED, "%s", why);
	snprintf(want, sizeof(want), "%s: fwd.mode: lsr -> pe" RESTART, NAME);
	cr_assert_str_eq(why, want);
}

/*
 * A file refused for what changed and one that does not load are named
 * alike, "NAME.json: ..." (the refusal gave the path as given: /tmp/...).
 */
Test(reload, a_refusal_names_the_file_as_a_load_error_does)
{
	char bad[1024], changed[1024];

	cr_assert_eq(check_file(CONFIG(FWD("\"workers\": 17,", CORES, LFIB)), bad, sizeof(bad)),
		     FWD_RELOAD_BAD_FILE, "%s", bad);
	cr_assert_eq(check_file(CONFIG(FWD("\"rx_ring\": \"frames\",", CORES, LFIB)), changed,
				sizeof(changed)),
		     FWD_RELOAD_CHANGED, "%s", changed);
	bad[strcspn(bad, ":")] = '\0';
	changed[strcspn(changed, ":")] = '\0';
	cr_assert_str_eq(changed, bad);
	cr_assert_str_eq(bad, NAME);
}

Test(reload, a_bad_file_gets_the_loaders_own_error)
{
	static const char *const bad[] = {
		"{ \"router\": ",
		CONFIG(FWD("\"workers\": 17,", CORES, LFIB)),
		CONFIG(FWD("", CORES, SWAP("16", "17", "10.0.9.2"))),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ferry_config cfg;
		char why[1024], err[1024];

		cr_assert_eq(check_file(bad[i], why, sizeof(why)), FWD_RELOAD_BAD_FILE, "%s: %s",
			     bad[i], why);
		cr_assert_eq(config_load(path, &cfg, err, sizeof(err)), -1);
		cr_expect_str_eq(why, err);
	}
}

Test(reload, overrides_and_run_dir_weigh_as_at_start)
{
	static char *overrides[] = { "workers=2", "io=af_xdp" };
	char why[1024], want[1024];

	config_free(&run);
	start(BASE, overrides, 2, "/run/ferry/lab-t");
	cr_assert_eq(run.fwd.workers, 2);
	cr_assert_str_eq(run.run_dir, "/run/ferry/lab-t");
	assert_nothing_for_fwd(BASE, "started with -o and -r");
	/* what -o and -r set, changed in the file: a restart with the same options ignores it too */
	assert_nothing_for_fwd(CONFIG(FWD("\"workers\": 4, \"io\": \"af_packet\",", CORES, LFIB)),
			       "settings -o overrides");
	assert_nothing_for_fwd(CONFIG_WITH(ROUTER_AS("pe1", "/run/ferry/t2"), VRFS,
					   BGP("10.255.0.2"), FWD("", CORES, LFIB), ""),
			       "run_dir under -r");
	/* a setting no -o names still counts */
	cr_assert_eq(check_file(CONFIG(FWD("\"rx_ring\": \"frames\",", CORES, LFIB)), why,
				sizeof(why)),
		     FWD_RELOAD_CHANGED);
	snprintf(want, sizeof(want), "%s: fwd.rx_ring: blocks -> frames" RESTART, NAME);
	cr_assert_str_eq(why, want);
}

Test(reload, boot_load_says_what_fwd_says_at_start)
{
	static char *bad_o[] = { "workers=1", "workers=99" };
	struct fwd_boot b = { path, NULL, bad_o, 2, NULL };
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(fwd_boot_load(&b, &cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "fwd: -o workers=99: want workers=0..16");
	b = (struct fwd_boot){ path, "run/relative", NULL, 0, NULL };
	cr_assert_eq(fwd_boot_load(&b, &cfg, err, sizeof(err)), -1);
	cr_assert(strstr(err, "fwd: -r: \"run/relative\" is not a run directory (want ") == err,
		  "%s", err);
}

/* GET /reload/check as served (its route, its parameter check) for fwd f; the JSON. */
static json_object *get_check(struct fwd *f, int *status)
{
	const struct api_route *r = NULL;

	for (size_t i = 0; i < fwd_api_n_routes; i++)
		if (strcmp(fwd_api_routes[i].path, "/reload/check") == 0)
			r = &fwd_api_routes[i];
	cr_assert_not_null(r, "fwd serves /reload/check");
	cr_assert(r->local, "/reload/check is served on TCP");
	return t_api_get(r, f, status);
}

static const char *str(json_object *o, const char *k)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, k, &v), "no %s", k);
	return json_object_get_string(v);
}

Test(reload, the_answer_has_vrfmgrs_and_bgpds_shape)
{
	struct fwd f = { .boot = &boot };
	json_object *j, *acc;
	char want[1024];
	int status;

	j = get_check(&f, &status);
	cr_assert_eq(status, 200);
	cr_assert_str_eq(str(j, "daemon"), "fwd");
	cr_assert_str_eq(str(j, "file"), path);
	cr_assert(json_object_object_get_ex(j, "accepted", &acc) && json_object_get_boolean(acc));
	cr_assert_null(str(j, "reason"));
	cr_assert_str_eq(str(j, "summary"), "nothing for fwd to do");
	cr_assert_str_eq(str(j, "mode"), "pe");
	json_object_put(j);

	write_file(CONFIG(FWD("\"workers\": 2,", CORES, LFIB)));
	j = get_check(&f, &status);
	cr_assert_eq(status, 200);
	cr_assert(json_object_object_get_ex(j, "accepted", &acc) && !json_object_get_boolean(acc));
	snprintf(want, sizeof(want), "%s: fwd.workers: 0 -> 2" RESTART, NAME);
	cr_assert_str_eq(str(j, "reason"), want);
	cr_assert_null(str(j, "summary"));
	cr_assert_str_eq(str(j, "mode"), "pe");
	json_object_put(j);
}

/* "warnings" of an answer as one string, the items joined by '|' ("" for none). */
static const char *warnings_of(json_object *j)
{
	static char all[2048];
	json_object *a;

	all[0] = '\0';
	cr_assert(json_object_object_get_ex(j, "warnings", &a) &&
		  json_object_is_type(a, json_type_array), "no warnings array");
	for (size_t i = 0; i < json_object_array_length(a); i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", i ? "|" : "",
			 json_object_get_string(json_object_array_get_idx(a, i)));
	return all;
}

/*
 * A VRF interface this namespace does not have (a typo) is accepted, as
 * fwd opens an interface when it appears, but named: lo exists everywhere,
 * ferry-nosuch0 nowhere. A refused file has no warnings: its reason is what
 * needs fixing first.
 */
Test(reload, vrf_interfaces_missing_here_are_warned_of)
{
	struct fwd f = { .boot = &boot };
	json_object *j, *acc, *miss;
	int status;

	write_file(CONFIG_WITH(ROUTER,
			       "\"vrfs\": [ " VRF("A", "10.255.0.1:100", "lo", "10.1.1.1/30")
			       ", " VRF("B", "10.255.0.1:200", "ferry-nosuch0", "10.2.1.1/30") " ],",
			       BGP("10.255.0.2"), FWD("\"arp_timeout\": 300,", CORES, LFIB), ""));
	j = get_check(&f, &status);
	cr_assert_eq(status, 200);
	cr_assert(json_object_object_get_ex(j, "accepted", &acc) && json_object_get_boolean(acc));
	cr_assert_str_eq(str(j, "summary"), "nothing for fwd to do");
	cr_assert_str_eq(warnings_of(j),
			 "vrfs[1].interfaces[0].name (VRF B): no interface \"ferry-nosuch0\" here: "
			 "the VRF forwards nothing through it until it appears (fwd opens it then)");
	/* the same interfaces by name, for a client that counts them on one line */
	cr_assert(json_object_object_get_ex(j, "missing_interfaces", &miss) &&
		  json_object_array_length(miss) == 1);
	cr_assert_str_eq(str(json_object_array_get_idx(miss, 0), "interface"), "ferry-nosuch0");
	cr_assert_str_eq(str(json_object_array_get_idx(miss, 0), "vrf"), "B");
	json_object_put(j);

	write_file(CONFIG_WITH(ROUTER,
			       "\"vrfs\": [ " VRF("A", "10.255.0.1:100", "lo", "10.1.1.1/30") " ],",
			       BGP("10.255.0.2"), FWD("\"arp_timeout\": 300,", CORES, LFIB), ""));
	j = get_check(&f, &status);
	cr_assert_str_eq(warnings_of(j), "", "every VRF interface exists");
	json_object_put(j);

	write_file(CONFIG(FWD("\"workers\": 2,", CORES, LFIB)));
	j = get_check(&f, &status);
	cr_assert(json_object_object_get_ex(j, "accepted", &acc) && !json_object_get_boolean(acc));
	cr_assert_str_eq(warnings_of(j), "", "refused: only its reason");
	json_object_put(j);
}

Test(reload, a_fwd_without_a_file_has_no_answer)
{
	struct fwd f = { .boot = NULL };
	int status;
	json_object *j = get_check(&f, &status);

	cr_assert_eq(status, 503);
	cr_assert_str_eq(str(j, "error"), "reload check: this fwd runs without a config file");
	json_object_put(j);
}
