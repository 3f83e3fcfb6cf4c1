/*
 * common/config*.c: a full PE and a P config load with the right values,
 * defaults apply, and a few errors whole; the catalogue of refusals, each
 * with its exact message, is test_common_config_refused.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/config_get.h"
#include "common/label.h"
#include "test_common_config.h"

static const char PE1[] =
	"{\n"
	"  \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,\n"
	"              \"run_dir\": \"/run/ferry/pe1\", \"label_range\": { \"min\": 100, \"max\": 199 } },\n"
	"  \"bgp\": {\n"
	"    \"listen\": \"10.255.0.1\", \"port\": 1179, \"hold_time\": 30, \"connect_retry\": 2,\n"
	"    \"neighbors\": [ { \"address\": \"10.255.0.2\", \"remote_as\": 65000,\n"
	"                     \"local_address\": \"10.255.0.1\", \"description\": \"pe2\" },\n"
	"                   { \"address\": \"10.255.0.9\", \"remote_as\": 4200000000, \"passive\": true } ]\n"
	"  },\n"
	"  \"vrfs\": [\n"
	"    { \"name\": \"A\", \"rd\": \"10.255.0.1:100\",\n"
	"      \"import_rts\": [\"65000:100\", \"target:4200000000:7\"], \"export_rts\": [\"65000:100\"],\n"
	"      \"label_mode\": \"per-vrf\",\n"
	"      \"interfaces\": [ { \"name\": \"ce-a1\", \"address\": \"10.1.1.1/30\" } ],\n"
	"      \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.1.1.2\",\n"
	"                           \"interface\": \"ce-a1\" } ] },\n"
	"    { \"name\": \"B\", \"rd\": \"10.255.0.1:200\",\n"
	"      \"import_rts\": [\"65000:200\"], \"export_rts\": [\"65000:200\"],\n"
	"      \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ],\n"
	"      \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.2.1.2\",\n"
	"                           \"interface\": \"ce-b1\" } ] }\n"
	"  ],\n"
	"  \"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16, \"next_hop\": \"10.0.1.2\",\n"
	"              \"interface\": \"core0\" },\n"
	"            { \"fec\": \"10.255.0.3/32\", \"out_label\": \"implicit-null\",\n"
	"              \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ],\n"
	"  \"fwd\": { \"mode\": \"pe\",\n"
	"           \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ],\n"
	"           \"lfib\": [], \"arp_timeout\": 120, \"workers\": 2 }\n"
	"}\n";

static const char P[] =
	"{ \"router\": { \"name\": \"p\", \"router_id\": \"10.255.0.3\", \"asn\": 65000 },\n"
	"  \"fwd\": { \"mode\": \"lsr\",\n"
	"    \"core_interfaces\": [ { \"name\": \"to-pe1\", \"address\": \"10.0.1.2/30\" },\n"
	"                         { \"name\": \"to-pe2\", \"address\": \"10.0.2.1/30\" } ],\n"
	"    \"lfib\": [ { \"in_label\": 16, \"action\": \"pop\", \"next_hop\": \"10.0.2.2\",\n"
	"                \"interface\": \"to-pe2\" },\n"
	"              { \"in_label\": 18, \"action\": \"swap\", \"out_label\": 30,\n"
	"                \"next_hop\": \"10.0.1.1\", \"interface\": \"to-pe1\" } ] } }";

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	cr_assert_eq(ipv4_parse(s, &a), 0, "%s", s);
	return a;
}

static const char *rdstr(const struct rd *rd)
{
	static char buf[RD_STRLEN];

	return rd_format(rd, buf);
}

static const char *rtstr(const struct ext_community *c)
{
	static char buf[RD_STRLEN];

	return extcom_format(c, buf);
}

static const char *pfx(const struct prefix4 *p)
{
	static char buf[PREFIX4_STRLEN];

	return prefix4_format(p, buf);
}

Test(config, full_pe)
{
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string(PE1, "pe1.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.name, "pe1");
	cr_assert_str_eq(cfg.path, "pe1.json");
	cr_assert_eq(cfg.router_id, ip("10.255.0.1"));
	cr_assert_eq(cfg.asn, 65000);
	cr_assert_str_eq(cfg.run_dir, "/run/ferry/pe1");
	cr_assert(cfg.label_min == 100 && cfg.label_max == 199);

	cr_assert(cfg.bgp.enabled);
	cr_assert_eq(cfg.bgp.listen_address, ip("10.255.0.1"));
	cr_assert(cfg.bgp.port == 1179 && cfg.bgp.hold_time == 30 && cfg.bgp.connect_retry == 2);
	cr_assert_eq(cfg.bgp.n_neighbors, 2);
	cr_assert_eq(cfg.bgp.neighbors[0].address, ip("10.255.0.2"));
	cr_assert_eq(cfg.bgp.neighbors[0].remote_as, 65000);
	cr_assert_eq(cfg.bgp.neighbors[0].local_address, ip("10.255.0.1"));
	cr_assert_str_eq(cfg.bgp.neighbors[0].description, "pe2");
	cr_assert_not(cfg.bgp.neighbors[0].passive);
	cr_assert_eq(cfg.bgp.neighbors[1].remote_as, 4200000000u);
	cr_assert_eq(cfg.bgp.neighbors[1].local_address, 0);
	cr_assert_str_eq(cfg.bgp.neighbors[1].description, "");
	cr_assert(cfg.bgp.neighbors[1].passive);

	cr_assert_eq(cfg.n_vrfs, 2);
	const struct cfg_vrf *a = &cfg.vrfs[0], *b = &cfg.vrfs[1];
	cr_assert_str_eq(a->name, "A");
	cr_assert_eq(a->id, 1);
	cr_assert_str_eq(rdstr(&a->rd), "10.255.0.1:100");
	cr_assert_eq(a->n_import_rts, 2);
	cr_assert_str_eq(rtstr(&a->import_rts[0]), "65000:100");
	cr_assert_str_eq(rtstr(&a->import_rts[1]), "4200000000:7");
	cr_assert_eq(a->n_export_rts, 1);
	cr_assert_str_eq(rtstr(&a->export_rts[0]), "65000:100");
	cr_assert_eq(a->label_mode, CFG_LABEL_PER_VRF);
	cr_assert_eq(a->n_interfaces, 1);
	cr_assert_str_eq(a->interfaces[0].name, "ce-a1");
	cr_assert_eq(a->interfaces[0].address.addr, ip("10.1.1.1"));
	cr_assert_eq(a->interfaces[0].address.len, 30);
	cr_assert_eq(a->n_static_routes, 1);
	cr_assert_str_eq(pfx(&a->static_routes[0].prefix), "192.168.100.0/24");
	cr_assert_eq(a->static_routes[0].next_hop, ip("10.1.1.2"));
	cr_assert_str_eq(a->static_routes[0].interface, "ce-a1");
	cr_assert_str_eq(b->name, "B");
	cr_assert_eq(b->id, 2);
	cr_assert_str_eq(rdstr(&b->rd), "10.255.0.1:200");
	cr_assert_str_eq(b->interfaces[0].name, "ce-b1");
	cr_assert_eq(config_vrf_by_name(&cfg, "B"), b);
	cr_assert_null(config_vrf_by_name(&cfg, "C"));

	cr_assert_eq(cfg.n_lsps, 2);
	cr_assert_str_eq(pfx(&cfg.lsps[0].fec), "10.255.0.2/32");
	cr_assert_eq(cfg.lsps[0].out_label, 16);
	cr_assert_eq(cfg.lsps[0].next_hop, ip("10.0.1.2"));
	cr_assert_str_eq(cfg.lsps[0].interface, "core0");
	cr_assert_eq(cfg.lsps[1].out_label, MPLS_LABEL_IMPLICIT_NULL);

	cr_assert_eq(cfg.fwd.mode, CFG_FWD_PE);
	cr_assert_eq(cfg.fwd.n_core_interfaces, 1);
	cr_assert_str_eq(cfg.fwd.core_interfaces[0].name, "core0");
	cr_assert_eq(cfg.fwd.core_interfaces[0].address.addr, ip("10.0.1.1"));
	cr_assert_eq(cfg.fwd.n_lfib, 0);
	cr_assert_eq(cfg.fwd.arp_timeout, 120);
	cr_assert_eq(cfg.fwd.workers, 2);
	config_free(&cfg);
	cr_assert_null(cfg.vrfs);
}

Test(config, p_router)
{
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string(P, "p.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_not(cfg.bgp.enabled);
	cr_assert_eq(cfg.n_vrfs, 0);
	cr_assert_eq(cfg.n_lsps, 0);
	cr_assert_eq(cfg.fwd.mode, CFG_FWD_LSR);
	cr_assert_eq(cfg.fwd.n_core_interfaces, 2);
	cr_assert_eq(cfg.fwd.n_lfib, 2);
	cr_assert_eq(cfg.fwd.lfib[0].in_label, 16);
	cr_assert_eq(cfg.fwd.lfib[0].action, CFG_LFIB_POP);
	cr_assert_eq(cfg.fwd.lfib[0].out_label, MPLS_LABEL_NONE);
	cr_assert_eq(cfg.fwd.lfib[0].next_hop, ip("10.0.2.2"));
	cr_assert_str_eq(cfg.fwd.lfib[0].interface, "to-pe2");
	cr_assert_eq(cfg.fwd.lfib[1].action, CFG_LFIB_SWAP);
	cr_assert_eq(cfg.fwd.lfib[1].out_label, 30);
	config_free(&cfg);
}

Test(config, defaults)
{
	struct ferry_config cfg;
	char err[512], path[CFG_PATH_MAX];

	cr_assert_eq(config_load_string("{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\","
					"\"asn\":1},\"bgp\":{}}",
					"x.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(cfg.run_dir, "/run/ferry/x");
	cr_assert(cfg.label_min == 1000 && cfg.label_max == 99999);
	cr_assert_eq(cfg.label_hold_down, 60);
	cr_assert_eq(cfg.dataplane, CFG_DATAPLANE_FWD);
	cr_assert(cfg.bgp.enabled);
	cr_assert_eq(cfg.bgp.listen_address, 0);
	cr_assert(cfg.bgp.port == 179 && cfg.bgp.hold_time == 90 && cfg.bgp.connect_retry == 5);
	cr_assert_eq(cfg.bgp.n_neighbors, 0);
	cr_assert_eq(cfg.bgp.llgr_stale_time, 0, "long-lived graceful restart is opt-in");
	cr_assert_eq(cfg.fwd.mode, CFG_FWD_PE);
	cr_assert_eq(cfg.fwd.arp_timeout, 300);
	cr_assert_eq(cfg.fwd.io, CFG_FWD_IO_AF_PACKET);
	cr_assert_eq(cfg.fwd.workers, 0);
	cr_assert_not(cfg.api.configured);
	cr_assert_eq(cfg.api.listen, ip("127.0.0.1"));
	cr_assert(cfg.api.port_bgpd == CFG_API_PORT_BGPD && cfg.api.port_vrfmgr == CFG_API_PORT_VRFMGR &&
		  cfg.api.port_fwd == CFG_API_PORT_FWD);
	cr_assert(cfg.api.read_only && cfg.api.tls_cert[0] == '\0' && cfg.api.token_file[0] == '\0');
	cr_assert_eq(config_sock_path(&cfg, FERRY_SOCK_VRFMGR_IPC, path), 0);
	cr_assert_str_eq(path, "/run/ferry/x/vrfmgr.ipc");
	config_free(&cfg);
	config_free(&cfg); /* harmless twice */
}

Test(config, dataplane_kernel)
{
	static const char json[] =
		"{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\",\"asn\":1,"
		"\"dataplane\":\"kernel\"},\"vrfs\":[{\"name\":\"cust-123456\",\"rd\":\"1:1\"}],"
		"\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"10.0.1.1/30\"}]}}";
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string(json, "x.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.dataplane, CFG_DATAPLANE_KERNEL);
	config_free(&cfg);
	cr_assert_eq(config_load_string("{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\","
					"\"asn\":1,\"dataplane\":\"fwd\"}}",
					"x.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.dataplane, CFG_DATAPLANE_FWD);
	config_free(&cfg);
}

Test(config, label_modes)
{
	static const char json[] =
		"{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\",\"asn\":1},\"vrfs\":["
		"{\"name\":\"A\",\"rd\":\"1:1\"},{\"name\":\"B\",\"rd\":\"1:2\",\"label_mode\":\"per-vrf\"},"
		"{\"name\":\"C\",\"rd\":\"1:3\",\"label_mode\":\"per-ce\"},"
		"{\"name\":\"D\",\"rd\":\"1:4\",\"label_mode\":\"per-prefix\"}]}";
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string(json, "x.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.vrfs[0].label_mode, CFG_LABEL_PER_VRF);
	cr_assert_eq(cfg.vrfs[1].label_mode, CFG_LABEL_PER_VRF);
	cr_assert_eq(cfg.vrfs[2].label_mode, CFG_LABEL_PER_CE);
	cr_assert_eq(cfg.vrfs[3].label_mode, CFG_LABEL_PER_PREFIX);
	cr_assert_eq(cfg.vrfs[0].max_routes, 0, "no limit by default");
	cr_assert_eq(cfg.vrfs[0].warn_threshold, 80);
	config_free(&cfg);
	cr_assert_eq(config_load_string("{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\","
					"\"asn\":1},\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\","
					"\"max_routes\":500,\"warn_threshold\":90}]}",
					"x.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.vrfs[0].max_routes, 500);
	cr_assert_eq(cfg.vrfs[0].warn_threshold, 90);
	config_free(&cfg);
	cr_assert_eq(config_load_string("{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\","
					"\"asn\":1,\"label_hold_down\":0}}",
					"x.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.label_hold_down, 0);
	config_free(&cfg);
}

Test(config, static_routes_distance_and_optional_interface)
{
	static const char json[] =
		"{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\",\"asn\":1},\"vrfs\":["
		"{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"a0\","
		"\"address\":\"10.1.1.1/30\"}],\"static_routes\":["
		"{\"prefix\":\"10.8.0.0/16\",\"next_hop\":\"10.1.1.2\",\"interface\":\"a0\"},"
		"{\"prefix\":\"10.8.0.0/16\",\"next_hop\":\"10.9.9.9\",\"distance\":250}]}]}";
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string(json, "x.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.vrfs[0].n_static_routes, 2);
	cr_assert_eq(cfg.vrfs[0].static_routes[0].distance, 1);
	cr_assert_str_eq(cfg.vrfs[0].static_routes[0].interface, "a0");
	/* no interface: not checked here, vrfmgr finds the link (or keeps the route unused) */
	cr_assert_eq(cfg.vrfs[0].static_routes[1].distance, 250);
	cr_assert_str_eq(cfg.vrfs[0].static_routes[1].interface, "");
	cr_assert_eq(cfg.vrfs[0].static_routes[1].next_hop, ip("10.9.9.9"));
	config_free(&cfg);
}

Test(config, out_label_forms)
{
	static const struct {
		const char *label;
		uint32_t want;
	} ok[] = {
		{ "16", 16 }, { "1048575", 1048575 }, { "3", MPLS_LABEL_IMPLICIT_NULL },
		{ "0", MPLS_LABEL_IPV4_EXPLICIT_NULL },
		{ "\"implicit-null\"", MPLS_LABEL_IMPLICIT_NULL },
		{ "\"explicit-null\"", MPLS_LABEL_IPV4_EXPLICIT_NULL },
	};
	char json[512], err[512];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct ferry_config cfg;

		snprintf(json, sizeof(json),
			 "{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\",\"asn\":1},"
			 "\"lsps\":[{\"fec\":\"10.255.0.2/32\",\"out_label\":%s,\"next_hop\":"
			 "\"10.0.1.2\",\"interface\":\"core0\"}],\"fwd\":{\"core_interfaces\":"
			 "[{\"name\":\"core0\",\"address\":\"10.0.1.1/30\"}]}}",
			 ok[i].label);
		cr_assert_eq(config_load_string(json, "x.json", &cfg, err, sizeof(err)), 0,
			     "%s: %s", ok[i].label, err);
		cr_assert_eq(cfg.lsps[0].out_label, ok[i].want, "%s", ok[i].label);
		config_free(&cfg);
	}
}

Test(config, point_to_point_links)
{
	/* /31 (RFC 3021) and /32 links have no network or broadcast address */
	static const char json[] =
		"{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\",\"asn\":1},\"vrfs\":["
		"{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{\"name\":\"a0\","
		"\"address\":\"10.1.1.0/31\"},{\"name\":\"a1\",\"address\":\"10.1.2.1/31\"},"
		"{\"name\":\"a2\",\"address\":\"10.1.3.7/32\"}],\"static_routes\":["
		"{\"prefix\":\"10.8.0.0/16\",\"next_hop\":\"10.1.1.1\",\"interface\":\"a0\"},"
		"{\"prefix\":\"10.9.0.0/16\",\"next_hop\":\"10.1.2.0\",\"interface\":\"a1\"}]}],"
		"\"fwd\":{\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"10.0.1.1/30\"}]}}";
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string(json, "x.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.vrfs[0].interfaces[0].address.addr, ip("10.1.1.0"));
	cr_assert_eq(cfg.vrfs[0].static_routes[1].next_hop, ip("10.1.2.0"));
	config_free(&cfg);
}

Test(config, hold_time_zero_allowed)
{
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string("{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\","
					"\"asn\":1},\"bgp\":{\"hold_time\":0}}",
					"x.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.bgp.hold_time, 0);
	config_free(&cfg);
}

Test(config, bgp_options)
{
	struct ferry_config cfg;
	char err[512];
	const struct cfg_neighbor *n;

	cr_assert_eq(config_load_string(
			 "{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\",\"asn\":1},"
			 "\"bgp\":{\"cluster_id\":\"9.9.9.9\",\"graceful_restart\":{\"enabled\":"
			 "false,\"restart_time\":60,\"stale_time\":90,\"deferral_time\":30,"
			 "\"notification\":false,\"long_lived_stale_time\":16777215},"
			 "\"neighbors\":["
			 "{\"address\":\"2.2.2.2\",\"remote_as\":1},"
			 "{\"address\":\"3.3.3.3\",\"remote_as\":1,\"families\":[\"ipv4\",\"vpnv4\"],"
			 "\"password\":\"s3cret\",\"ttl_security\":true,"
			 "\"route_reflector_client\":true,\"max_prefix\":{\"limit\":1000,"
			 "\"rtc_limit\":500,\"warn_only\":true,\"restart\":0},\"delay_open\":5,"
			 "\"shutdown\":\"maintenance until 10:00\"},"
			 "{\"address\":\"4.4.4.4\",\"remote_as\":1,\"shutdown\":true}]}}",
			 "x.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.bgp.cluster_id, ip("9.9.9.9"));
	cr_assert_not(cfg.bgp.graceful_restart);
	cr_assert_eq(cfg.bgp.gr_restart_time, 60);
	cr_assert_eq(cfg.bgp.gr_stale_time, 90);
	cr_assert_eq(cfg.bgp.gr_deferral_time, 30);
	cr_assert_not(cfg.bgp.gr_notification);
	cr_assert_eq(cfg.bgp.llgr_stale_time, 16777215);
	n = &cfg.bgp.neighbors[0]; /* defaults */
	cr_assert_eq(n->families, CFG_AF_VPNV4);
	cr_assert_str_eq(n->password, "");
	cr_assert_not(n->ttl_security || n->rr_client || n->max_prefix_warn_only);
	cr_assert_eq(n->max_prefix, 0);
	cr_assert_eq(n->max_prefix_restart, 30);
	cr_assert_eq(n->rtc_limit, CFG_RTC_LIMIT, "membership unbounded without max_prefix");
	cr_assert_eq(n->delay_open, 0);
	cr_assert_not(n->shutdown);
	n = &cfg.bgp.neighbors[1];
	cr_assert_eq(n->families, CFG_AF_VPNV4 | CFG_AF_IPV4);
	cr_assert_str_eq(n->password, "s3cret");
	cr_assert(n->ttl_security && n->rr_client && n->max_prefix_warn_only);
	cr_assert_eq(n->max_prefix, 1000);
	cr_assert_eq(n->max_prefix_restart, 0);
	cr_assert_eq(n->rtc_limit, 500);
	cr_assert_eq(n->delay_open, 5);
	cr_assert(n->shutdown);
	cr_assert_str_eq(n->shutdown_msg, "maintenance until 10:00");
	n = &cfg.bgp.neighbors[2];
	cr_assert(n->shutdown);
	cr_assert_str_eq(n->shutdown_msg, "");
	config_free(&cfg);
}

Test(config, api_section)
{
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string("{\"router\":{\"name\":\"x\",\"router_id\":\"1.1.1.1\","
					"\"asn\":1},\"api\":{\"listen\":\"10.0.0.1\",\"ports\":{\"fwd\":0,"
					"\"bgpd\":8000},\"tls\":{\"cert\":\"/etc/c.pem\",\"key\":"
					"\"/etc/k.pem\"},\"token_file\":\"/etc/t\",\"read_only\":false}}",
					"x.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert(cfg.api.configured);
	cr_assert_eq(cfg.api.listen, ip("10.0.0.1"));
	cr_assert(cfg.api.port_bgpd == 8000 && cfg.api.port_vrfmgr == CFG_API_PORT_VRFMGR &&
		  cfg.api.port_fwd == 0);
	cr_assert_str_eq(cfg.api.tls_cert, "/etc/c.pem");
	cr_assert_str_eq(cfg.api.tls_key, "/etc/k.pem");
	cr_assert_str_eq(cfg.api.token_file, "/etc/t");
	cr_assert_not(cfg.api.read_only);
	config_free(&cfg);
}

/* ---- errors ---- */

Test(config, late_error_frees_everything)
{
	/* everything parses up to fwd, then one bad key: ASan checks nothing leaks */
	static const char json[] = "{" R ",\"bgp\":{\"neighbors\":[{\"address\":\"1.1.1.1\","
				   "\"remote_as\":1}]},\"vrfs\":[" VRF_A ",\"import_rts\":[\"1:1\"]}],"
				   "\"lsps\":[],\"fwd\":{\"bogus\":1}}";
	struct ferry_config cfg;
	char err[256];

	cr_assert_eq(config_load_string(json, "t.json", &cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "t.json: fwd.bogus: unknown key (want one of mode, core_interfaces, "
			      "lfib, arp_timeout, io, rx_ring, workers)");
}

Test(config, fwd_io_backend)
{
	struct ferry_config cfg;
	char err[256];

	cr_assert_eq(config_load_string("{" R ",\"fwd\":{\"io\":\"af_xdp\"}}", "t.json", &cfg, err,
					sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.fwd.io, CFG_FWD_IO_AF_XDP);
	config_free(&cfg);
	cr_assert_eq(config_load_string("{" R ",\"fwd\":{\"io\":\"af_packet\"}}", "t.json", &cfg,
					err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.fwd.io, CFG_FWD_IO_AF_PACKET);
	cr_assert_eq(cfg.fwd.rx_ring, CFG_FWD_RX_BLOCKS, "blocks by default");
	config_free(&cfg);
}

Test(config, fwd_rx_ring)
{
	struct ferry_config cfg;
	char err[256];

	cr_assert_eq(config_load_string("{" R ",\"fwd\":{\"rx_ring\":\"frames\"}}", "t.json",
					&cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.fwd.rx_ring, CFG_FWD_RX_FRAMES);
	config_free(&cfg);
	cr_assert_eq(config_load_string("{" R ",\"fwd\":{\"rx_ring\":\"blocks\"}}", "t.json",
					&cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.fwd.rx_ring, CFG_FWD_RX_BLOCKS);
	config_free(&cfg);
}

Test(config, basename_in_messages_and_short_buffers)
{
	struct ferry_config cfg;
	char err[512], tiny[12];

	cr_assert_eq(config_load_string("{}", "/etc/ferry/pe1.json", &cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "pe1.json: router: missing (want the router section)");
	cr_assert_eq(config_load_string("{}", "/etc/ferry/pe1.json", &cfg, tiny, sizeof(tiny)), -1);
	cr_assert_str_eq(tiny, "pe1.json: r", "truncated, still terminated");
}

Test(config, load_file)
{
	char dir[] = "/tmp/ferry-cfg-XXXXXX", path[128], err[512], want[512];
	struct ferry_config cfg;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pe1.json", dir);
	f = fopen(path, "w");
	fputs(PE1, f);
	fclose(f);
	cr_assert_eq(config_load(path, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.path, path);
	cr_assert_eq(cfg.n_vrfs, 2);
	config_free(&cfg);
	unlink(path);
	/* a file that cannot be read is named as given (where it was looked for) */
	cr_assert_eq(config_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: cannot read: No such file or directory (want a readable JSON file of at "
		 "most 16 MiB)", path);
	cr_assert_str_eq(err, want);
	cr_assert_eq(config_load("pe1-nonexistent.json", &cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "pe1-nonexistent.json: cannot read: No such file or directory (want a "
			      "readable JSON file of at most 16 MiB)");
	rmdir(dir);
}

/*
 * A multi-tenant PE's file as a generator writes it, pretty-printed: 500
 * tenants, each with one attachment link and 20 static routes, is ~1.4 MB
 * (it was refused over 1 MiB). It loads; a file past the limit does not,
 * and says the limit.
 */
static void write_tenants(FILE *f, int n_vrfs, int n_statics)
{
	fprintf(f, "{\n  \"router\": {\n    \"name\": \"pe1\",\n    \"router_id\": \"10.255.0.1\",\n"
		   "    \"asn\": 65000,\n    \"label_range\": { \"min\": 100, \"max\": 9999 }\n  },\n"
		   "  \"vrfs\": [\n");
	for (int i = 1; i <= n_vrfs; i++) {
		fprintf(f, "    {\n      \"name\": \"tenant-%04d\",\n      \"rd\": \"10.255.0.1:%d\",\n"
			   "      \"import_rts\": [\n        \"65000:%d\"\n      ],\n"
			   "      \"export_rts\": [\n        \"65000:%d\"\n      ],\n"
			   "      \"interfaces\": [\n        {\n          \"name\": \"ce%d\",\n"
			   "          \"address\": \"192.168.1.1/24\"\n        }\n      ],\n"
			   "      \"static_routes\": [\n",
			i, 1000 + i, 1000 + i, 1000 + i, i);
		for (int k = 0; k < n_statics; k++)
			fprintf(f, "        {\n          \"prefix\": \"192.168.%d.0/24\",\n"
				   "          \"next_hop\": \"192.168.1.2\",\n"
				   "          \"interface\": \"ce%d\"\n        }%s\n",
				100 + k, i, k + 1 < n_statics ? "," : "");
		fprintf(f, "      ]\n    }%s\n", i < n_vrfs ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

Test(config, a_large_multi_tenant_file_loads)
{
	char dir[] = "/tmp/ferry-cfg-XXXXXX", path[128], err[512], want[512];
	struct ferry_config cfg;
	FILE *f;
	long size;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pe1.json", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	write_tenants(f, 500, 20);
	size = ftell(f);
	fclose(f);
	cr_assert_gt(size, 1024 * 1024, "the case this is about: over the old limit (%ld)", size);
	cr_assert_eq(config_load(path, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.n_vrfs, 500);
	cr_assert_eq(cfg.vrfs[499].n_static_routes, 20);
	config_free(&cfg);
	/* past the limit: refused, and the message gives it */
	cr_assert_not_null(f = fopen(path, "w"));
	write_tenants(f, 1, 0);
	for (long i = 0; i < 16 * 1024 * 1024 / 64; i++)
		fprintf(f, "%63s\n", "");
	fclose(f);
	cr_assert_eq(config_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: cannot read: file too large (want a readable JSON file of at most 16 MiB)",
		 path);
	cr_assert_str_eq(err, want);
	unlink(path);
	rmdir(dir);
}

/* More VRFs than the ids vrfmgr and fwd share (1..65535) is refused, not cut later. */
Test(config, more_vrfs_than_ids_refused)
{
	size_t n = 65536, cap = n * 40 + 256, len;
	char *json = malloc(cap), err[512];
	struct ferry_config cfg;

	cr_assert_not_null(json);
	len = (size_t)snprintf(json, cap, "{\"router\":{\"name\":\"pe1\",\"router_id\":\"10.255.0.1\","
					  "\"asn\":65000},\"vrfs\":[");
	for (size_t i = 1; i <= n; i++)
		len += (size_t)snprintf(json + len, cap - len, "{\"name\":\"v%zu\",\"rd\":\"1:%zu\"}%s",
					i, i, i < n ? "," : "]}");
	cr_assert_eq(config_load_string(json, "pe1.json", &cfg, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "pe1.json: vrfs: 65536 VRFs (want at most 65535: a VRF id is 1..65535)");
	free(json);
}

Test(config, sock_path_too_long)
{
	struct ferry_config cfg;
	char buf[CFG_PATH_MAX];

	memset(&cfg, 0, sizeof(cfg));
	memset(cfg.run_dir, 'a', sizeof(cfg.run_dir) - 1);
	cfg.run_dir[0] = '/';
	cr_assert_eq(config_sock_path(&cfg, "a-very-long-socket-name.sock", buf), -ENAMETOOLONG);
	cr_assert_eq(config_sock_path(&cfg, FERRY_SOCK_VRFMGR_API, buf), 0);
}

/* -r RUN_DIR takes router.run_dir's form: absolute, at most 91 characters */
Test(config, run_dir_override)
{
	struct ferry_config cfg;
	char err[512], dir[128];

	cr_assert_eq(config_load_string("{" R "}", "t.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(config_run_dir_set(&cfg, "/tmp/x", err, sizeof(err)), 0);
	cr_assert_str_eq(cfg.run_dir, "/tmp/x");
	cr_assert_eq(config_run_dir_set(&cfg, "run/x", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "-r: \"run/x\" is not a run directory (want an absolute path of at "
			      "most 91 characters)");
	cr_assert_str_eq(cfg.run_dir, "/tmp/x", "unchanged when refused");
	cr_assert_eq(config_run_dir_set(&cfg, "", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "-r: \"\" is not a run directory (want an absolute path of at most 91 "
			      "characters)");
	memset(dir, 'a', 92);
	dir[0] = '/';
	dir[92] = '\0';
	cr_assert_eq(config_run_dir_set(&cfg, dir, err, sizeof(err)), -1, "92 characters");
	dir[91] = '\0';
	cr_assert_eq(config_run_dir_set(&cfg, dir, err, sizeof(err)), 0, "91 characters");
	cr_assert_str_eq(cfg.run_dir, dir);
	config_free(&cfg);
}

/* a static LFIB label inside the label range: refused on a PE only (an LSR has no vrfmgr) */
#define LFIB_IN(mode, label) "{" R ",\"fwd\":{\"mode\":\"" mode "\",\"lfib\":[{\"in_label\":" \
	label ",\"action\":\"pop\",\"next_hop\":\"10.0.1.2\",\"interface\":\"core0\"}]," \
	"\"core_interfaces\":[{\"name\":\"core0\",\"address\":\"10.0.1.1/30\"}]}}"

Test(config, static_lfib_and_label_range)
{
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string(LFIB_IN("lsr", "1000"), "t.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	config_free(&cfg);
	cr_assert_eq(config_load_string(LFIB_IN("pe", "999"), "t.json", &cfg, err, sizeof(err)), 0,
		     "%s", err);
	config_free(&cfg);
	cr_assert_eq(config_load_string(LFIB_IN("pe", "100000"), "t.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	config_free(&cfg);
	cr_assert_eq(config_load_string(LFIB_IN("pe", "99999"), "t.json", &cfg, err, sizeof(err)),
		     -1);
}

/* -n: the API files named can be read, for a daemon that listens on TCP */
Test(config, api_files_check)
{
	struct ferry_config cfg;
	char err[512];

	cr_assert_eq(config_load_string("{" R ",\"api\":{\"token_file\":\"/nonexistent/token\"}}",
					"/etc/ferry/t.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(config_api_files_check(&cfg, cfg.api.port_vrfmgr, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "t.json: api.token_file: \"/nonexistent/token\" cannot be read: No such "
			      "file or directory (want a readable file)");
	cr_assert_eq(config_api_files_check(&cfg, 0, err, sizeof(err)), 0, "no TCP: not used");
	config_free(&cfg);
	cr_assert_eq(config_load_string("{" R ",\"api\":{\"tls\":{\"cert\":\"/dev/null\",\"key\":"
					"\"/nonexistent/key\"},\"token_file\":\"/dev/null\"}}",
					"t.json", &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(config_api_files_check(&cfg, 7179, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "t.json: api.tls.key: \"/nonexistent/key\" cannot be read: No such file "
			      "or directory (want a readable file)");
	config_free(&cfg);
	cr_assert_eq(config_load_string("{" R "}", "t.json", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(config_api_files_check(&cfg, 7179, err, sizeof(err)), 0, "none named");
	config_free(&cfg);
}

/*
 * The loader's uniqueness sets (config_uniq.c) agree with the pairwise scan
 * they replaced: 20,000 puts of names from a pool of 5,000 (so most are
 * repeats, and the table grows past 64 several times); a repeat returns
 * where the name was first put, a new name 0.
 */
Test(config, uniq_agrees_with_a_linear_scan)
{
	enum { PUTS = 20000, POOL = 5000 };
	static char keys[PUTS][16];
	struct cfg_uniq u = { 0 };
	unsigned seed = 11;

	for (size_t i = 0; i < PUTS; i++) {
		const struct cfg_uniq_slot *seen;
		size_t first = SIZE_MAX;
		int rc;

		snprintf(keys[i], sizeof(keys[i]), "if%u", (unsigned)rand_r(&seed) % POOL);
		for (size_t j = 0; j < i && first == SIZE_MAX; j++)
			if (strcmp(keys[j], keys[i]) == 0)
				first = j;
		rc = cfg_uniq_put(&u, keys[i], strlen(keys[i]), i, i + 1, &seen);
		if (first == SIZE_MAX) {
			cr_assert_eq(rc, 0, "put %zu: %s is new", i, keys[i]);
			cr_assert_null(seen);
		} else {
			cr_assert_eq(rc, 1, "put %zu: %s was put at %zu", i, keys[i], first);
			cr_assert_eq(seen->a, first);
			cr_assert_eq(seen->b, first + 1);
		}
	}
	cr_assert_gt(u.cap, 64);
	cfg_uniq_free(&u);
	cr_assert_null(u.s);
}
