/*
 * Reload (vrfmgr/reload.c) at the module level: a config diff applied to a
 * running VRF table, checked on the recorded dataplane calls (what fwd
 * would get) and exports (what bgpd would get): exactly the differences,
 * nothing for the VRFs that did not change, no replay; and a replay after
 * it equals what the incremental calls built.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "test_vrfmgr_reload.h"

static void setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	struct fx_vpn b = fx_vpn("10.255.0.2:200", "192.168.102.0/24", 201, "10.255.0.2",
				 "65000:200");

	log_init("test", LOG_LVL_ERR);
	cur = 0;
	fx_load(&cfgs[0], BASE);
	cr_assert_eq(vrf_table_init(&t, &cfgs[0], &dp), 0);
	vrf_table_set_export(&t, &sink);
	cr_assert_eq(fx_import(&t, &a), 1);
	cr_assert_eq(fx_import(&t, &b), 1);
	rec.n = exps.n = 0;
}

TestSuite(reload, .init = setup, .fini = teardown);

/* No recorded call concerns VRF id: its VRF was left alone. */
static void assert_untouched(int id)
{
	for (int i = 0; i < rec.n; i++) {
		unsigned v;
		const char *l = rec.line[i];

		if (sscanf(l, "fib_%*[a-z] %u", &v) == 1 || sscanf(l, "vrf_%*[a-z] %u", &v) == 1 ||
		    sscanf(l, "if_%*[a-z] %u", &v) == 1 ||
		    sscanf(l, "lfib_add %*u action %*u vrf %u", &v) == 1)
			cr_assert_neq(v, (unsigned)id, "vrf %d touched: %s", id, l);
	}
}

Test(reload, the_same_config_changes_nothing)
{
	reload(BASE);
	cr_assert_eq(rec.n, 0);
	cr_assert_eq(exps.n, 0);
}

/* Bytes of p's struct past its length: padding the parser leaves as it finds it. */
static void scribble_padding(struct prefix4 *p)
{
	memset((uint8_t *)p + offsetof(struct prefix4, len) + 1, 0xA5,
	       sizeof(*p) - offsetof(struct prefix4, len) - 1);
}

/* What the parser does not set (after a name's NUL, struct padding) is not compared. */
Test(reload, bytes_the_parser_leaves_alone_change_nothing)
{
	struct reload_stats st;
	struct ferry_config *nc = &cfgs[1 - cur];
	char err[256];

	fx_load(nc, BASE);
	for (size_t v = 0; v < nc->n_vrfs; v++) {
		struct cfg_vrf *c = &nc->vrfs[v];

		for (size_t i = 0; i < c->n_interfaces; i++) {
			size_t n = strlen(c->interfaces[i].name);

			memset(c->interfaces[i].name + n + 1, 'x', sizeof(c->interfaces[i].name) - n - 1);
			scribble_padding(&c->interfaces[i].address);
		}
		for (size_t i = 0; i < c->n_static_routes; i++) {
			size_t n = strlen(c->static_routes[i].interface);

			memset(c->static_routes[i].interface + n + 1, 'x',
			       sizeof(c->static_routes[i].interface) - n - 1);
			scribble_padding(&c->static_routes[i].prefix);
		}
	}
	cr_assert_eq(vrf_table_reload_check(&t, nc, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vrf_table_reload(&t, nc, &st), 0);
	config_free(&cfgs[cur]);
	cur = 1 - cur;
	cr_assert_eq(st.changed, 0, "VRFs seen as changed");
	cr_assert_eq(rec.n, 0);
	cr_assert_eq(exps.n, 0);
}

Test(reload, adding_a_vrf_tells_only_about_it)
{
	reload(CONFIG(VRF_A "," VRF_B "," VRF_C, LSP("16")));
	assert_untouched(1);
	assert_untouched(2);
	cr_assert_eq(fx_find(&rec, "vrf_add 3 C"), 0);
	cr_assert_geq(fx_find(&rec, "if_bind 3 ce-c1 10.3.1.1/30"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 102 action 1 vrf 3"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 3 10.3.1.0/30"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 3 192.168.200.0/24"), 0);
	/* From the VPN table (no replay from bgpd) and leaked from A (C imports A's RT). */
	cr_assert_geq(fx_find(&rec, "fib_add 3 192.168.101.0/24 nh 5 inner 200"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 3 10.1.1.0/30 nh 1"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 3 192.168.100.0/24 nh 2"), 0);
	cr_assert_eq(fx_count(&rec, "fib_add"), 5);
	cr_assert_eq(fx_count(&rec, "nh_add"), 2, "C's own connected and CE next hops only");
	cr_assert_eq(exps.n, 2);
	cr_assert_eq(fx_count(&exps, "exp_add 10.255.0.1:300 "), 2);
}

Test(reload, removing_a_vrf_withdraws_it_and_nothing_else)
{
	reload(CONFIG(VRF_A, LSP("16")));
	assert_untouched(1);
	cr_assert_eq(fx_count(&rec, "fib_del 2 "), 3, "connected, static, imported");
	cr_assert_geq(fx_find(&rec, "lfib_del 101"), 0);
	cr_assert_geq(fx_find(&rec, "if_unbind 2 ce-b1"), 0);
	cr_assert_eq(fx_find(&rec, "vrf_del 2 B"), rec.n - 1, "the VRF goes last");
	cr_assert_eq(fx_count(&rec, "nh_del"), 2, "B's own next hops; pe2's stays for A");
	cr_assert_eq(exps.n, 2);
	cr_assert_eq(fx_count(&exps, "exp_del 10.255.0.1:200 "), 2);
	cr_assert_null(vrf_by_name(&t, "B"));
	cr_assert_eq(vrf_by_name(&t, "A")->id, 1);
}

Test(reload, a_new_import_rt_imports_from_the_vpn_table_and_leaks)
{
	reload(CONFIG(VRF_A_("10.255.0.1:100", "\"65000:100\", \"65000:200\"", "\"65000:100\"",
			     "per-vrf", "") "," VRF_B,
		      LSP("16")));
	assert_untouched(2);
	cr_assert_geq(fx_find(&rec, "fib_add 1 192.168.102.0/24 nh 5 inner 201"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 1 10.2.1.0/30"), 0, "leaked from B");
	cr_assert_eq(fx_count(&rec, "fib_add"), 2, "A's own static still beats B's");
	cr_assert_eq(exps.n, 0, "A exports the same as before");
}

Test(reload, new_export_rts_are_announced_again)
{
	reload(CONFIG(VRF_A_("10.255.0.1:100", "\"65000:100\"", "\"65000:101\"", "per-vrf", "")
		      "," VRF_B,
		      LSP("16")));
	cr_assert_eq(rec.n, 0, "nothing for fwd");
	cr_assert_eq(exps.n, 2);
	cr_assert_str_eq(exps.line[0], "exp_add 10.255.0.1:100 10.1.1.0/30 label 100 rt 65000:101 n 1");
	cr_assert_str_eq(exps.line[1],
			 "exp_add 10.255.0.1:100 192.168.100.0/24 label 100 rt 65000:101 n 1");
}

Test(reload, a_static_route_more_or_less)
{
	const char *more = CONFIG(VRF_A_("10.255.0.1:100", "\"65000:100\"", "\"65000:100\"",
					 "per-vrf",
					 ", { \"prefix\": \"192.168.150.0/24\", \"next_hop\": \"10.1.1.2\" }")
				  "," VRF_B,
				  LSP("16"));

	reload(more);
	cr_assert_eq(rec.n, 1);
	cr_assert_str_eq(rec.line[0], "fib_add 1 192.168.150.0/24 nh 2 inner -");
	cr_assert_eq(exps.n, 1);
	cr_assert_str_eq(exps.line[0],
			 "exp_add 10.255.0.1:100 192.168.150.0/24 label 100 rt 65000:100 n 1");
	rec.n = exps.n = 0;
	reload(BASE);
	cr_assert_eq(rec.n, 1);
	cr_assert_str_eq(rec.line[0], "fib_del 1 192.168.150.0/24");
	cr_assert_eq(exps.n, 1);
	cr_assert_str_eq(exps.line[0], "exp_del 10.255.0.1:100 192.168.150.0/24");
}

Test(reload, another_label_mode_relabels_the_vrf)
{
	reload(CONFIG(VRF_A_("10.255.0.1:100", "\"65000:100\"", "\"65000:100\"", "per-prefix", "")
		      "," VRF_B,
		      LSP("16")));
	assert_untouched(2);
	cr_assert_geq(fx_find(&rec, "lfib_add 102 action 2 vrf 1 nh 1"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_add 103 action 2 vrf 1 nh 2"), 0);
	/* The old label stays in fwd through its hold-down (test_vrfmgr_labelkeep). */
	cr_assert_eq(fx_find(&rec, "lfib_del 100"), -1, "remote PEs may still send 100");
	cr_assert_eq(fx_count(&rec, "fib_"), 0);
	cr_assert_eq(exps.n, 2);
	cr_assert_str_eq(exps.line[0], "exp_add 10.255.0.1:100 10.1.1.0/30 label 102 rt 65000:100 n 1");
	cr_assert_eq(vrf_by_name(&t, "A")->label, MPLS_LABEL_NONE);
	cr_assert_eq(label_lookup(&t.labels, 100)->state, LABEL_HELD);
	cr_assert(label_lookup(&t.labels, 100)->programmed);
}

Test(reload, lsp_changes_are_one_next_hop_update)
{
	reload(CONFIG(VRF_A "," VRF_B, LSP("20")));
	cr_assert_eq(rec.n, 1, "both VRFs' routes via pe2 follow one replace");
	cr_assert_str_eq(rec.line[0], "nh_add 5 type 3 gw 10.0.1.2 out 20 if core0");
	cr_assert_eq(exps.n, 0);
	/* The LSP goes: every route through pe2 leaves the FIB at once... */
	rec.n = 0;
	reload(CONFIG(VRF_A "," VRF_B, "\"lsps\": []"));
	cr_assert_eq(fx_count(&rec, "fib_del"), 2);
	cr_assert_str_eq(rec.line[rec.n - 1], "nh_del 5 type 3 gw 0.0.0.0 out - if ");
	cr_assert_not_null(fx_vp(&t, "A", "192.168.101.0/24"), "kept in the VRF, not installed");
	/* ...and comes back when it does. */
	rec.n = 0;
	reload(BASE);
	cr_assert_str_eq(rec.line[0], "nh_add 5 type 3 gw 10.0.1.2 out 16 if core0");
	cr_assert_eq(fx_count(&rec, "fib_add"), 2);
	cr_assert_eq(rec.n, 3);
}

Test(reload, what_needs_a_restart_is_refused)
{
	struct ferry_config nc;
	char err[256];

	fx_load(&nc, "{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.9\","
		     " \"asn\": 65000, \"label_range\": { \"min\": 100, \"max\": 199 } } }");
	cr_assert_eq(vrf_table_reload_check(&t, &nc, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "test.json: router.router_id changed; that needs a restart of vrfmgr");
	config_free(&nc);
	fx_load(&nc, "{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\","
		     " \"asn\": 65000, \"label_range\": { \"min\": 100, \"max\": 299 } } }");
	cr_assert_eq(vrf_table_reload_check(&t, &nc, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err,
			 "test.json: router.label_range changed; that needs a restart of vrfmgr");
	config_free(&nc);	/* the API listener is set up once: read_only false -> true was "reload done", still writable */
	fx_load(&nc, "{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\","
		     " \"asn\": 65000, \"label_range\": { \"min\": 100, \"max\": 199 } },"
		     " \"api\": { \"read_only\": false } }");
	cr_assert_eq(vrf_table_reload_check(&t, &nc, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "test.json: api changed; that needs a restart of vrfmgr");
	config_free(&nc);
	fx_load(&nc, "{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\","
		     " \"asn\": 65000, \"label_range\": { \"min\": 100, \"max\": 199 },"
		     " \"dataplane\": \"kernel\" } }");
	cr_assert_eq(vrf_table_reload_check(&t, &nc, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "test.json: router.dataplane changed; that needs a restart of vrfmgr");
	config_free(&nc);
	fx_load(&nc, "{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\","
		     " \"asn\": 65000, \"label_range\": { \"min\": 100, \"max\": 199 } },"
		     " \"api\": { \"ports\": { \"vrfmgr\": 7280 } } }");
	cr_assert_eq(vrf_table_reload_check(&t, &nc, err, sizeof(err)), -EINVAL);
	config_free(&nc);
	/* bgpd's and fwd's ports are theirs: not vrfmgr's restart */
	fx_load(&nc, "{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\","
		     " \"asn\": 65000, \"label_range\": { \"min\": 100, \"max\": 199 } },"
		     " \"api\": { \"ports\": { \"bgpd\": 7279, \"fwd\": 7281 } } }");
	cr_assert_eq(vrf_table_reload_check(&t, &nc, err, sizeof(err)), 0, "%s", err);
	config_free(&nc);
}

Test(reload, a_new_rd_recreates_the_vrf)
{
	reload(CONFIG(VRF_A_("10.255.0.1:101", "\"65000:100\"", "\"65000:100\"", "per-vrf", "")
		      "," VRF_B,
		      LSP("16")));
	assert_untouched(2);
	cr_assert_eq(fx_count(&exps, "exp_del 10.255.0.1:100 "), 2);
	cr_assert_eq(fx_count(&exps, "exp_add 10.255.0.1:101 "), 2);
	cr_assert_geq(fx_find(&rec, "vrf_del 1 A"), 0);
	cr_assert_gt(fx_find(&rec, "vrf_add 1 A"), fx_find(&rec, "vrf_del 1 A"));
	/* another tenant may stand behind the name: 100, held down, stays the old A's */
	cr_assert_eq(vrf_by_name(&t, "A")->label, 102, "a new label, not the old A's 100");
	cr_assert_eq(fx_count(&exps, "exp_add 10.255.0.1:101 192.168.100.0/24 label 102 "), 1);
}

Test(reload, an_interface_moves_to_a_new_vrf)
{
	const char *moved =
		CONFIG(VRF_A ", { \"name\": \"B2\", \"rd\": \"10.255.0.1:201\","
			     " \"import_rts\": [\"65000:200\"], \"export_rts\": [\"65000:200\"],"
			     " \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ] }",
		       LSP("16"));

	reload(moved);
	assert_untouched(1);
	/* unbound with B: B2 is new, and a VRF added before it could take B's id */
	cr_assert_lt(fx_find(&rec, "if_unbind 2 ce-b1"), fx_find(&rec, "vrf_del 2 B"));
	cr_assert_gt(fx_find(&rec, "if_bind 2 ce-b1"), fx_find(&rec, "vrf_del 2 B"));
	cr_assert_eq(vrf_by_name(&t, "B2")->id, 2, "B's id was free again");
	cr_assert_geq(fx_find(&rec, "fib_add 2 192.168.102.0/24"), 0, "re-imported");
}

/* B removed, its interface given to A, which stays: simply rebound (IF_BIND replaces). */
Test(reload, an_interface_moves_to_a_vrf_that_stays)
{
	reload(CONFIG(
		"{ \"name\": \"A\", \"rd\": \"10.255.0.1:100\", \"import_rts\": [\"65000:100\"],"
		"  \"export_rts\": [\"65000:100\"],"
		"  \"interfaces\": [ { \"name\": \"ce-a1\", \"address\": \"10.1.1.1/30\" },"
		"                    { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ],"
		"  \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.1.1.2\" } ] }",
		LSP("16")));
	cr_assert_eq(fx_find(&rec, "if_unbind"), -1, "rebound, not unbound");
	cr_assert_gt(fx_find(&rec, "if_bind 1 ce-b1"), fx_find(&rec, "vrf_del 2 B"));
	cr_assert_geq(fx_find(&rec, "fib_add 1 10.2.1.0/30"), 0, "its subnet now A's");
}

/*
 * fwd delivers a packet from an access interface into the VRF whose id the
 * interface is bound to, and VRF_DEL leaves the binding as it is. So at
 * each vrf_add of an id, no interface may still be bound to that id by an
 * earlier VRF: its CE's packets would land in the new VRF, another
 * tenant's. Replays the recorded calls and checks that at every vrf_add.
 */
static void assert_no_interface_inherits_an_id(const struct fx_rec *r)
{
	char ifs[16][32];
	unsigned ids[16];
	int n = 0;

	for (int i = 0; i < r->n; i++) {
		char ifn[32];
		unsigned id;
		int j;

		if (sscanf(r->line[i], "if_bind %u %31s", &id, ifn) == 2 ||
		    sscanf(r->line[i], "if_unbind %u %31s", &id, ifn) == 2) {
			for (j = 0; j < n && strcmp(ifs[j], ifn) != 0; j++)
				;
			if (j == n) {
				cr_assert_lt(n, 16);
				snprintf(ifs[n++], sizeof(ifs[0]), "%s", ifn);
			}
			ids[j] = strncmp(r->line[i], "if_bind", 7) == 0 ? id : 0;
		} else if (sscanf(r->line[i], "vrf_add %u", &id) == 1) {
			for (j = 0; j < n; j++)
				cr_assert_neq(ids[j], id, "line %d, %s: %s is still bound to id %u",
					      i, r->line[i], ifs[j], id);
		}
	}
}

/*
 * A VRF renamed (B -> B2, keeping ce-b1) while another is added before it
 * in the file (Z): Z gets B's freed id 2 first. ce-b1 must not be left
 * bound to id 2 meanwhile (Z's table would get B's customer's packets);
 * it is unbound with B and bound again with B2.
 */
Test(reload, a_new_vrf_taking_a_freed_id_gets_no_interface_of_the_old_one)
{
	struct fx_rec all = { .n = 0 };

	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &all });
	rec.n = 0;
	reload(CONFIG(
		"{ \"name\": \"Z\", \"rd\": \"10.255.0.1:900\", \"import_rts\": [\"65000:200\"],"
		"  \"interfaces\": [ { \"name\": \"ce-z1\", \"address\": \"10.9.1.1/30\" } ] },"
		VRF_A ", { \"name\": \"B2\", \"rd\": \"10.255.0.1:201\","
		" \"import_rts\": [\"65000:200\"], \"export_rts\": [\"65000:200\"],"
		" \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ] }",
		LSP("16")));
	for (int i = 0; i < rec.n; i++)
		fx_rec_add(&all, "%s", rec.line[i]);
	cr_assert_eq(vrf_by_name(&t, "Z")->id, 2, "the case this is about: Z takes B's id");
	assert_no_interface_inherits_an_id(&all);
	cr_assert_geq(fx_find(&rec, "if_bind 3 ce-b1"), 0, "ce-b1 bound to B2 in the end");
}

/* The same with B's RD changed instead of its name (B re-created), Z first. */
Test(reload, a_vrf_recreated_after_a_new_one_does_not_lend_it_its_interface)
{
	struct fx_rec all = { .n = 0 };

	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &all });
	rec.n = 0;
	reload(CONFIG(
		"{ \"name\": \"Z\", \"rd\": \"10.255.0.1:900\","
		"  \"interfaces\": [ { \"name\": \"ce-z1\", \"address\": \"10.9.1.1/30\" } ] },"
		VRF_A ", { \"name\": \"B\", \"rd\": \"10.255.0.1:201\","
		" \"import_rts\": [\"65000:200\"], \"export_rts\": [\"65000:200\"],"
		" \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ] }",
		LSP("16")));
	for (int i = 0; i < rec.n; i++)
		fx_rec_add(&all, "%s", rec.line[i]);
	assert_no_interface_inherits_an_id(&all);
	cr_assert_geq(fx_find(&rec, "if_bind 3 ce-b1"), 0, "ce-b1 bound to the new B in the end");
}

/*
 * When an interface is bound to VRF id, no other VRF may still have a FIB
 * entry out of it (through a next hop on it): that VRF's packets would go
 * to the new owner's CE. Replays the recorded calls and checks at every
 * if_bind.
 */
static void assert_no_route_out_of_anothers_interface(const struct fx_rec *r)
{
	static struct {
		unsigned id;
		char ifn[32];
	} nhs[64];
	static struct {
		unsigned vrf, nh;
		char pfx[32];
	} fib[128];
	int n_nh = 0, n_fib = 0;

	for (int i = 0; i < r->n; i++) {
		const char *l = r->line[i];
		unsigned a, b;
		char s1[32], s2[32];
		int j;

		if (sscanf(l, "nh_add %u type %*u gw %*s out %*s if %31s", &a, s1) == 2) {
			for (j = 0; j < n_nh && nhs[j].id != a; j++)
				;
			if (j == n_nh)
				n_nh++;
			cr_assert_lt(n_nh, 64);
			nhs[j].id = a;
			snprintf(nhs[j].ifn, sizeof(nhs[j].ifn), "%s", s1);
		} else if (sscanf(l, "fib_add %u %31s nh %u", &a, s1, &b) == 3 ||
			   sscanf(l, "fib_del %u %31s", &a, s1) == 2) {
			for (j = 0; j < n_fib && (fib[j].vrf != a || strcmp(fib[j].pfx, s1) != 0); j++)
				;
			if (strncmp(l, "fib_del", 7) == 0) {
				if (j < n_fib)
					fib[j] = fib[--n_fib];
				continue;
			}
			if (j == n_fib)
				n_fib++;
			cr_assert_lt(n_fib, 128);
			fib[j].vrf = a;
			fib[j].nh = b;
			snprintf(fib[j].pfx, sizeof(fib[j].pfx), "%s", s1);
		} else if (sscanf(l, "if_bind %u %31s", &a, s2) == 2) {
			for (j = 0; j < n_fib; j++) {
				if (fib[j].vrf == a)
					continue;
				for (int k = 0; k < n_nh; k++)
					cr_assert(nhs[k].id != fib[j].nh || strcmp(nhs[k].ifn, s2) != 0,
						  "line %d, %s: vrf %u still routes %s out of %s", i, l,
						  fib[j].vrf, fib[j].pfx, s2);
			}
		}
	}
}

/*
 * An interface moves from B to A, both staying, with its subnet and a
 * static route behind it. A comes first in the table, so it binds ce-x
 * before B is synced: B's routes out of ce-x must be gone by then.
 */
#define VRF_X(name, rd, rt, ifs, statics)                                                       \
	"{ \"name\": \"" name "\", \"rd\": \"" rd "\", \"import_rts\": [\"" rt "\"],"             \
	"  \"export_rts\": [\"" rt "\"], \"interfaces\": [ " ifs " ], \"static_routes\": [ " statics \
	" ] }"
#define IF_A "{ \"name\": \"ce-a1\", \"address\": \"10.1.1.1/30\" }"
#define IF_B "{ \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" }"
#define IF_X "{ \"name\": \"ce-x\", \"address\": \"10.7.1.1/30\" }"
#define ST_X "{ \"prefix\": \"172.16.7.0/24\", \"next_hop\": \"10.7.1.2\" }"

Test(reload, an_interface_moving_between_vrfs_that_stay_carries_no_old_route)
{
	struct fx_rec all = { .n = 0 };

	reload(CONFIG(VRF_X("A", "10.255.0.1:100", "65000:100", IF_A, "") ","
		      VRF_X("B", "10.255.0.1:200", "65000:200", IF_B "," IF_X, ST_X), LSP("16")));
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &all });
	rec.n = 0;
	reload(CONFIG(VRF_X("A", "10.255.0.1:100", "65000:100", IF_A "," IF_X, ST_X) ","
		      VRF_X("B", "10.255.0.1:200", "65000:200", IF_B, ""), LSP("16")));
	for (int i = 0; i < rec.n; i++)
		fx_rec_add(&all, "%s", rec.line[i]);
	assert_no_route_out_of_anothers_interface(&all);
	cr_assert_geq(fx_find(&rec, "if_bind 1 ce-x"), 0);
	cr_assert_geq(fx_find(&rec, "fib_del 2 172.16.7.0/24"), 0);
	cr_assert_geq(fx_find(&rec, "fib_add 1 172.16.7.0/24"), 0);
}

/*
 * The log of a reload that changes hundreds of VRFs says, per VRF, what
 * changed: "vrf A changed" alone sent the operator to diff the files to
 * learn which of 300 VRFs had its RTs touched and which a static route.
 */
Test(reload, the_log_says_what_changed_in_each_vrf)
{
	char buf[4096];
	size_t n;
	FILE *err;

	log_set_level(LOG_LVL_INFO);
	cr_redirect_stderr();
	err = cr_get_redirected_stderr();
	reload(CONFIG(VRF_A_("10.255.0.1:100", "\"65000:100\", \"65000:7\"", "\"65000:100\"", "per-ce",
			     ", { \"prefix\": \"10.9.0.0/16\", \"next_hop\": \"10.1.1.2\" }")
		      "," VRF_B,
		      LSP("16")));
	fflush(stderr);
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "reload: vrf A changed: label_mode, import_rts, static_routes\n"),
			   "%s", buf);
	cr_assert_null(strstr(buf, "vrf B"), "%s", buf);
}

/*
 * A VRF removed says what went with it: "vrf B removed" alone left the
 * operator to ask whether its routes were withdrawn and when its label is
 * free (B: per-VRF label 101, two exported routes; hold-down 60 s).
 */
Test(reload, the_log_says_what_a_removed_vrf_took_away)
{
	char buf[4096];
	size_t n;
	FILE *err;

	log_set_level(LOG_LVL_INFO);
	cr_redirect_stderr();
	err = cr_get_redirected_stderr();
	reload(CONFIG(VRF_A, LSP("16")));
	fflush(stderr);
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "reload: vrf B removed: its 2 exported routes withdrawn; its "
				       "label 101 held down 60 s, given to nothing else\n"),
			   "%s", buf);
}

Test(reload, replay_after_reloads_equals_the_incremental_state)
{
	struct fx_rec re = { .n = 0 };
	struct dataplane dp = { &fx_ops, &re };
	struct fx_rec all = { .n = 0 };

	/* The whole history: what init and the imports sent, then the reloads. */
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &all });
	rec.n = 0;
	reload(CONFIG(VRF_A "," VRF_B "," VRF_C, LSP("16")));
	reload(CONFIG(VRF_A_("10.255.0.1:100", "\"65000:100\"", "\"65000:100\"", "per-ce", "")
		      "," VRF_C,
		      LSP("17")));
	for (int i = 0; i < rec.n; i++)
		fx_rec_add(&all, "%s", rec.line[i]);
	vrf_table_replay(&t, &dp);
	fx_assert_same_state(&all, &re);
}
