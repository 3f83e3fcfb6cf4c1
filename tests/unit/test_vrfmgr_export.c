/*
 * vrfmgr/export.c: the VPN routes generated from config (RD, VRF label,
 * export RTs, next hop self) and what is never exported (statics off the
 * link, routes the VRF imported itself, VRFs without export RTs).
 */
#include <criterion/criterion.h>

#include "test_vrfmgr_fixture.h"

struct exported {
	struct ipc_vpn_route r[32];
	struct ext_community rts[32][4];
	int n;
};

static void collect(const struct ipc_vpn_route *r, const struct ext_community *rts, void *arg)
{
	struct exported *e = arg;

	cr_assert_lt(e->n, 32);
	cr_assert_leq(r->n_rts, 4);
	e->r[e->n] = *r;
	memcpy(e->rts[e->n], rts, r->n_rts * sizeof(*rts));
	e->n++;
}

static const char *describe(const struct exported *e, int i, char *buf, size_t len)
{
	char rd[RD_STRLEN], p[IPV4_STRLEN], rt[RD_STRLEN];

	snprintf(buf, len, "%s %s/%u label %u nh %u rt %s n_rts %u",
		 rd_format((const struct rd *)e->r[i].rd, rd), ipv4_format(e->r[i].prefix, p),
		 e->r[i].plen, e->r[i].label, e->r[i].next_hop, extcom_format(&e->rts[i][0], rt),
		 e->r[i].n_rts);
	return buf;
}

Test(export, pe1_routes_from_config)
{
	struct ferry_config cfg;
	struct vrf_table t;
	struct exported e = { .n = 0 };
	char b[4][128];

	log_init("test", LOG_LVL_WARN);
	fx_load(&cfg, FX_PE1_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
	cr_assert_eq(export_walk(&t, collect, &e), 4);
	cr_assert_eq(e.n, 4);
	cr_assert_str_eq(describe(&e, 0, b[0], sizeof(b[0])),
			 "10.255.0.1:100 10.1.1.0/30 label 100 nh 0 rt 65000:100 n_rts 1");
	cr_assert_str_eq(describe(&e, 1, b[1], sizeof(b[1])),
			 "10.255.0.1:100 192.168.100.0/24 label 100 nh 0 rt 65000:100 n_rts 1");
	cr_assert_str_eq(describe(&e, 2, b[2], sizeof(b[2])),
			 "10.255.0.1:200 10.2.1.0/30 label 101 nh 0 rt 65000:200 n_rts 1");
	cr_assert_str_eq(describe(&e, 3, b[3], sizeof(b[3])),
			 "10.255.0.1:200 192.168.100.0/24 label 101 nh 0 rt 65000:200 n_rts 1");
	vrf_table_free(&t);
	config_free(&cfg);
}

Test(export, imported_routes_are_not_reexported)
{
	struct ferry_config cfg;
	struct vrf_table t;
	struct exported e = { .n = 0 };
	struct fx_vpn v = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");

	log_init("test", LOG_LVL_WARN);
	fx_load(&cfg, FX_PE1_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_eq(export_walk(&t, collect, &e), 4);
	for (int i = 0; i < e.n; i++)
		cr_assert_neq(e.r[i].prefix, v.r.prefix);
	vrf_table_free(&t);
	config_free(&cfg);
}

Test(export, several_rts_offlink_static_and_vrf_without_export_rts)
{
	const char *json =
		"{ \"router\": { \"name\": \"pe9\", \"router_id\": \"10.255.0.9\", \"asn\": 65000,"
		"  \"label_range\": { \"min\": 500, \"max\": 599 } },"
		"  \"vrfs\": ["
		"   { \"name\": \"X\", \"rd\": \"4200000000:7\", \"import_rts\": [\"65000:1\"],"
		"     \"export_rts\": [\"65000:1\", \"10.0.0.1:5\"],"
		"     \"interfaces\": [ { \"name\": \"x0\", \"address\": \"10.1.0.1/24\" } ],"
		"     \"static_routes\": ["
		"       { \"prefix\": \"10.8.0.0/16\", \"next_hop\": \"10.1.0.2\", \"interface\": \"x0\" },"
		"       { \"prefix\": \"10.9.0.0/16\", \"next_hop\": \"10.1.0.3\", \"interface\": \"x0\" },"
		"       { \"prefix\": \"10.10.0.0/16\", \"next_hop\": \"10.1.0.4\", \"interface\": \"x0\" } ] },"
		"   { \"name\": \"Q\", \"rd\": \"65000:2\", \"import_rts\": [\"65000:2\"],"
		"     \"export_rts\": [],"
		"     \"interfaces\": [ { \"name\": \"q0\", \"address\": \"10.2.0.1/24\" } ] } ] }";
	struct ferry_config cfg;
	struct vrf_table t;
	struct exported e = { .n = 0 };
	char rt[RD_STRLEN], rd[RD_STRLEN], why[128];
	struct vrf_prefix *vp;

	log_init("test", LOG_LVL_ERR);
	fx_load(&cfg, json);
	/* The loader refuses these; vrfmgr still must not trust them blindly. */
	cr_assert_eq(ipv4_parse("10.7.0.2", &cfg.vrfs[0].static_routes[1].next_hop), 0);
	cr_assert_eq(ipv4_parse("10.1.0.1", &cfg.vrfs[0].static_routes[2].next_hop), 0);
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
	cr_assert_eq(export_walk(&t, collect, &e), 2, "only X's connected /24 and 10.8/16");
	cr_assert_str_eq(rd_format((const struct rd *)e.r[0].rd, rd), "4200000000:7");
	cr_assert_eq(e.r[0].label, 500);
	cr_assert_eq(e.r[0].n_rts, 2);
	cr_assert_str_eq(extcom_format(&e.rts[0][1], rt), "10.0.0.1:5");
	cr_assert_eq(e.r[1].prefix, 0x0A080000);
	/* The off-link statics stay visible, not installed, with the reason. */
	vp = fx_vp(&t, "X", "10.9.0.0/16");
	cr_assert_not_null(vp);
	cr_assert_not(vrf_route_installed(vp, vp->best));
	cr_assert_str_eq(vrf_route_reason(vp, vp->best, why, sizeof(why)),
			 "next hop 10.7.0.2 is not on the subnet of interface x0");
	vp = fx_vp(&t, "X", "10.10.0.0/16");
	cr_assert_not(vrf_route_installed(vp, vp->best), "our own address is no next hop");
	vrf_table_free(&t);
	config_free(&cfg);
}
