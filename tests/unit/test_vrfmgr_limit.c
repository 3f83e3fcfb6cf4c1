/*
 * Per-VRF route limits (vrfmgr/import.c, vrf.c): a warning once at the
 * threshold, VPN and leaked routes that would add a prefix refused at the
 * maximum (routes for prefixes already there still get in), the refusals
 * counted, and retried when there is room again.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "test_vrfmgr_fixture.h"

#define LIMIT_JSON                                                                               \
	"{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"      \
	"  \"label_range\": { \"min\": 100, \"max\": 199 } },"                                   \
	"  \"vrfs\": ["                                                                          \
	"   { \"name\": \"A\", \"rd\": \"65000:1\", \"import_rts\": [\"65000:1\"],"                \
	"     \"export_rts\": [\"65000:1\"], \"max_routes\": 4, \"warn_threshold\": 75,"          \
	"     \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/24\" } ],"             \
	"     \"static_routes\": [ { \"prefix\": \"10.8.0.0/16\", \"next_hop\": \"10.1.0.2\" } ] }," \
	"   { \"name\": \"S\", \"rd\": \"65000:2\", \"import_rts\": [\"65000:2\"],"                \
	"     \"export_rts\": [\"65000:1\"],"                                                    \
	"     \"interfaces\": [ { \"name\": \"s0\", \"address\": \"10.2.0.1/24\" } ] } ],"         \
	"  \"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16, \"next_hop\": \"10.0.1.2\"," \
	"              \"interface\": \"core0\" } ],"                                             \
	"  \"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] } }"

static struct ferry_config cfg;
static struct vrf_table t;

static void setup(void)
{
	log_init("test", LOG_LVL_ERR);
	fx_load(&cfg, LIMIT_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
}

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfg);
}

TestSuite(limit, .init = setup, .fini = teardown);
TestSuite(limit_logged);

/*
 * The warning gives the share the VRF holds, not the threshold: A at a
 * limit of 3 warning at 50% reaches it with its second prefix, 66%.
 */
Test(limit_logged, warning_says_the_share_held)
{
	static const char lower[] = "\"max_routes\": 3, \"warn_threshold\": 50"; /* same length */
	char json[sizeof(LIMIT_JSON)], buf[4096], *at;
	FILE *err;
	size_t n;

	snprintf(json, sizeof(json), "%s", LIMIT_JSON);
	at = strstr(json, "\"max_routes\": 4, \"warn_threshold\": 75");
	cr_assert_not_null(at);
	memcpy(at, lower, sizeof(lower) - 1);
	log_init("test", LOG_LVL_INFO);
	cr_redirect_stderr();
	fx_load(&cfg, json);
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
	fflush(stderr);
	err = cr_get_redirected_stderr();
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "vrf A: 2 prefixes, 66% of its limit of 3 (warns at 50%)\n"),
			   "%s", buf);
	vrf_table_free(&t);
	config_free(&cfg);
}

Test(limit, leaked_route_counts_and_warning_is_said_once)
{
	struct vrf *a = vrf_by_name(&t, "A");

	/* connected /24, static /16 and S's subnet leaked in (S exports 65000:1) */
	cr_assert_eq(a->routes.count, 3);
	cr_assert(a->limit_warned, "3 of 4 is 75%%");
	cr_assert_not(a->limit_hit);
}

Test(limit, full_vrf_refuses_new_prefixes_only)
{
	struct vrf *a = vrf_by_name(&t, "A");
	struct fx_vpn r1 = fx_vpn("65000:9", "10.50.0.0/16", 300, "10.255.0.2", "65000:1");
	struct fx_vpn r2 = fx_vpn("65000:9", "10.51.0.0/16", 300, "10.255.0.2", "65000:1");
	struct fx_vpn r3 = fx_vpn("65000:9", "10.8.0.0/16", 300, "10.255.0.2", "65000:1");

	cr_assert_eq(fx_import(&t, &r1), 1);
	cr_assert_eq(a->routes.count, 4);
	cr_assert_eq(fx_import(&t, &r2), 0, "a fifth prefix is refused");
	cr_assert(a->limit_hit);
	cr_assert_null(fx_vp(&t, "A", "10.51.0.0/16"));
	cr_assert_eq(import_refused(&t, a), 1);
	cr_assert_eq(fx_import(&t, &r3), 1, "a path for a prefix it has adds nothing");
	{
		struct prefix4 p = fx_prefix("10.8.0.0/16");
		struct rd rd = fx_rd("65000:9");

		cr_assert_not_null(vrf_route_find(a, &p, ROUTE_BGP, &rd));
	}
	/* It stays refused until there is room, then comes in by itself. */
	cr_assert_eq(import_retry_limits(&t), 0);
	cr_assert_eq(fx_withdraw(&t, "65000:9", "10.50.0.0/16"), 1);
	cr_assert_eq(import_retry_limits(&t), 3, "A re-synced: 10.51/16, 10.8/16 via BGP, S's subnet");
	cr_assert_not_null(fx_vp(&t, "A", "10.51.0.0/16"));
	cr_assert_not(a->limit_hit);
	cr_assert_eq(import_refused(&t, a), 0);
}

Test(limit, withdrawn_refused_route_is_no_longer_counted)
{
	struct vrf *a = vrf_by_name(&t, "A");
	struct fx_vpn r1 = fx_vpn("65000:9", "10.50.0.0/16", 300, "10.255.0.2", "65000:1");
	struct fx_vpn r2 = fx_vpn("65000:9", "10.51.0.0/16", 300, "10.255.0.2", "65000:1");

	cr_assert_eq(fx_import(&t, &r1), 1);
	cr_assert_eq(fx_import(&t, &r2), 0);
	cr_assert_eq(import_refused(&t, a), 1);
	cr_assert_eq(fx_withdraw(&t, "65000:9", "10.51.0.0/16"), 0);
	cr_assert_eq(import_refused(&t, a), 0);
	{
		struct prefix4 p = fx_prefix("10.51.0.0/16");
		struct rd rd = fx_rd("65000:9");

		cr_assert_null(vpn_find(&t.vpn, &rd, &p), "gone from the VPN table too");
		p = fx_prefix("10.50.0.0/16");
		cr_assert_not_null(vpn_find(&t.vpn, &rd, &p));
	}
}
