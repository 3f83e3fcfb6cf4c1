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

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/reload.h"

#define ROUTER                                                                                   \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 199 } },"
#define VRF_A_(rd, imp, exp, mode, statics)                                                     \
	"{ \"name\": \"A\", \"rd\": \"" rd "\", \"import_rts\": [" imp "],"                      \
	"  \"export_rts\": [" exp "], \"label_mode\": \"" mode "\","                             \
	"  \"interfaces\": [ { \"name\": \"ce-a1\", \"address\": \"10.1.1.1/30\" } ],"           \
	"  \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.1.1.2\" }" \
	statics " ] }"
#define VRF_A VRF_A_("10.255.0.1:100", "\"65000:100\"", "\"65000:100\"", "per-vrf", "")
#define VRF_B                                                                                    \
	"{ \"name\": \"B\", \"rd\": \"10.255.0.1:200\", \"import_rts\": [\"65000:200\"],"        \
	"  \"export_rts\": [\"65000:200\"],"                                                     \
	"  \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ],"           \
	"  \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.2.1.2\" } ] }"
#define VRF_C                                                                                    \
	"{ \"name\": \"C\", \"rd\": \"10.255.0.1:300\", \"import_rts\": [\"65000:100\"],"        \
	"  \"export_rts\": [\"65000:300\"],"                                                     \
	"  \"interfaces\": [ { \"name\": \"ce-c1\", \"address\": \"10.3.1.1/30\" } ],"           \
	"  \"static_routes\": [ { \"prefix\": \"192.168.200.0/24\", \"next_hop\": \"10.3.1.2\" } ] }"
#define LSP(label)                                                                               \
	"\"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": " label ","                    \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ]"
#define CORE "\"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] }"
#define CONFIG(vrfs, lsps) "{ " ROUTER " \"vrfs\": [ " vrfs " ], " lsps ", " CORE " }"
#define BASE CONFIG(VRF_A "," VRF_B, LSP("16"))

static struct ferry_config cfgs[2];
static int cur;
static struct vrf_table t;
static struct fx_rec rec, exps;

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

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfgs[cur]);
}

TestSuite(reload, .init = setup, .fini = teardown);

/* The VRF ids of the table by name, as they were before a reload. */
static uint32_t id_before(const char names[][CFG_NAME_MAX], const uint32_t *ids, size_t n,
			  const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return ids[i];
	return 0;
}

/*
 * What the dry run said came true: the VRFs it adds or re-creates are
 * there, those it removes are gone, every other one kept its id, and the
 * table has as many as it counted.
 */
static void assert_plan_done(const struct reload_plan *p, const char names[][CFG_NAME_MAX],
			     const uint32_t *ids, size_t n_before)
{
	cr_assert_eq(t.n_vrfs, n_before - p->st.removed + p->st.added);
	for (size_t i = 0; i < p->n; i++) {
		const char *name = p->vrfs[i].name;
		bool there = config_vrf_by_name(t.cfg, name) != NULL;

		cr_assert_eq(there, p->vrfs[i].fate != RELOAD_VRF_REMOVED, "vrf %s", name);
	}
	for (size_t i = 0; i < t.n_vrfs; i++) {
		const char *name = t.vrfs[i].cfg->name;
		bool planned = false;

		for (size_t j = 0; j < p->n; j++)
			planned |= strcmp(p->vrfs[j].name, name) == 0 &&
				   p->vrfs[j].fate != RELOAD_VRF_CHANGED;
		if (!planned)
			cr_assert_eq(t.vrfs[i].id, id_before(names, ids, n_before, name),
				     "vrf %s was replaced but the dry run did not say so", name);
	}
}

/*
 * Applies json as the new config; the old one is freed as vrfmgr does.
 * Its dry run first, which must change nothing, and then come true:
 * every reload in this file checks both.
 */
static void reload(const char *json)
{
	static char names[64][CFG_NAME_MAX];
	uint32_t ids[64];
	struct reload_stats st;
	struct reload_plan plan;
	char err[256], planned[160], done[160];
	int next = 1 - cur, calls = rec.n, exported = exps.n;
	size_t n_before = t.n_vrfs;

	cr_assert_leq(n_before, 64);
	for (size_t i = 0; i < n_before; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", t.vrfs[i].cfg->name);
		ids[i] = t.vrfs[i].id;
	}
	fx_load(&cfgs[next], json);
	cr_assert_eq(vrf_table_reload_check(&t, &cfgs[next], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vrf_table_reload_plan(&t, &cfgs[next], &plan), 0);
	cr_assert_eq(rec.n, calls, "the dry run programmed the dataplane");
	cr_assert_eq(exps.n, exported, "the dry run exported");
	cr_assert_eq(t.cfg, &cfgs[cur], "the dry run switched the config");
	cr_assert_eq(vrf_table_reload(&t, &cfgs[next], &st), 0);
	reload_stats_format(&plan.st, planned, sizeof(planned));
	reload_stats_format(&st, done, sizeof(done));
	cr_assert_str_eq(planned, done);
	assert_plan_done(&plan, names, ids, n_before);
	reload_plan_free(&plan);
	config_free(&cfgs[cur]);
	cur = next;
}

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

/*
 * A label range with room for two per-VRF labels: a VRF that replaces
 * another finds the other's label held down and nothing else free. It waits
 * for a label instead of staying without one (and its routes unexported
 * until a restart): it gets one, and exports, the second the hold-down ends.
 */
#define TIGHT_ROUTER                                                                             \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 101 }, \"label_hold_down\": 60 },"
#define TIGHT(vrfs) "{ " TIGHT_ROUTER " \"vrfs\": [ " vrfs " ], " LSP("16") ", " CORE " }"
#define VRF_P                                                                                    \
	"{ \"name\": \"P\", \"rd\": \"10.255.0.1:400\", \"export_rts\": [\"65000:400\"],"        \
	"  \"label_mode\": \"per-prefix\","                                                      \
	"  \"interfaces\": [ { \"name\": \"ce-p1\", \"address\": \"10.4.1.1/30\" } ] }"

static int64_t now;

static int64_t fake_clock(void)
{
	return now;
}

static void tight_setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };

	log_init("test", LOG_LVL_ERR);
	cur = 0;
	now = 1000;
	fx_load(&cfgs[0], TIGHT(VRF_A "," VRF_B));
	cr_assert_eq(vrf_table_init(&t, &cfgs[0], &dp), 0);
	t.labels.clock = fake_clock;
	vrf_table_set_export(&t, &sink);
	rec.n = exps.n = 0;
}

TestSuite(labelwait, .init = tight_setup, .fini = teardown);

Test(labelwait, a_vrf_replacing_one_held_down_gets_its_label_when_the_hold_down_ends)
{
	struct vrf *c;
	char lfib[64];

	reload(TIGHT(VRF_C "," VRF_B));
	c = vrf_by_name(&t, "C");
	cr_assert_not_null(c);
	cr_assert_eq(c->label, MPLS_LABEL_NONE, "100 is held down for A, 101 is B's");
	cr_assert_eq(fx_find(&exps, "exp_add 10.255.0.1:300 "), -1, "nothing to export it with");
	now += 59;
	vrf_table_labels_tick(&t);
	cr_assert_eq(c->label, MPLS_LABEL_NONE, "A's label is still held down");
	now += 1;
	vrf_table_labels_tick(&t);
	c = vrf_by_name(&t, "C");
	cr_assert_eq(c->label, 100, "the hold-down is over: C gets the label");
	cr_assert_eq(label_lookup(&t.labels, 100)->key.kind, LABEL_KIND_VRF);
	cr_assert_str_eq(label_lookup(&t.labels, 100)->key.vrf, "C");
	snprintf(lfib, sizeof(lfib), "lfib_add 100 action %u vrf %u ", IPC_LFIB_POP_LOOKUP, c->id);
	cr_assert_geq(fx_find(&rec, lfib), 0, "fwd pops 100 into C");
	cr_assert_eq(fx_count(&exps, "exp_add 10.255.0.1:300 "), 2, "C's two prefixes exported");
	cr_assert_geq(fx_find(&exps, "exp_add 10.255.0.1:300 192.168.200.0/24 label 100 "), 0);
	cr_assert(!t.label_wait && !c->label_wait, "nothing waits any more");
}

Test(labelwait, a_per_prefix_vrf_exports_once_labels_are_free)
{
	reload(TIGHT(VRF_P "," VRF_B));
	cr_assert_eq(fx_find(&exps, "exp_add 10.255.0.1:400 "), -1, "100 is held down for A");
	now += 60;
	vrf_table_labels_tick(&t);
	cr_assert_geq(fx_find(&exps, "exp_add 10.255.0.1:400 10.4.1.0/30 label 100 "), 0);
}

/*
 * A re-created with another RD in a range with no other room: 100 is the
 * old A's, so the new A waits for it to end its hold-down like any other
 * VRF would, then gets it (free by then).
 */
Test(labelwait, a_vrf_re_created_with_another_rd_waits_out_its_predecessors_hold_down)
{
	const char *a101 = TIGHT(VRF_A_("10.255.0.1:101", "\"65000:100\"", "\"65000:100\"",
					"per-vrf", "") "," VRF_B);

	reload(a101);
	cr_assert_eq(vrf_by_name(&t, "A")->label, MPLS_LABEL_NONE, "100 is the old A's");
	cr_assert_eq(fx_find(&exps, "exp_add 10.255.0.1:101 "), -1);
	now += 59;
	vrf_table_labels_tick(&t);
	cr_assert_eq(vrf_by_name(&t, "A")->label, MPLS_LABEL_NONE);
	now += 1;
	vrf_table_labels_tick(&t);
	cr_assert_eq(vrf_by_name(&t, "A")->label, 100, "free now: anyone's, the new A's too");
	cr_assert(!label_key_retired(&label_lookup(&t.labels, 100)->key));
	cr_assert_geq(fx_find(&exps, "exp_add 10.255.0.1:101 192.168.100.0/24 label 100 "), 0);
}

Test(labelwait, the_same_vrf_back_or_room_left_needs_no_wait)
{
	/* A removed, then back within its hold-down: its own label at once. */
	reload(TIGHT(VRF_B));
	reload(TIGHT(VRF_A "," VRF_B));
	cr_assert_eq(vrf_by_name(&t, "A")->label, 100);
	cr_assert(!t.label_wait);
}

/*
 * A VRF re-created under its name with another RD: a new customer may
 * stand behind the old name, and remote PEs may still send the old one's
 * traffic with the old labels until they have our withdrawals. The
 * predecessor's labels stay reserved, given to nothing (not to the new VRF,
 * not to any other) until their hold-down ends, then they are free; the new
 * VRF takes new ones. With the same RD it is the same VRF: its labels come
 * back, as they always did. Range 100-199, hold-down 60 s, the clock faked.
 */
#define HOLD_ROUTER                                                                              \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 199 }, \"label_hold_down\": 60 },"
#define HOLD(vrfs) "{ " HOLD_ROUTER " \"vrfs\": [ " vrfs " ], " LSP("16") ", " CORE " }"
#define VRF_A_RD(rd, mode) VRF_A_(rd, "\"65000:100\"", "\"65000:100\"", mode, "")

static void hold_setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };

	log_init("test", LOG_LVL_ERR);
	cur = 0;
	now = 1000;
	fx_load(&cfgs[0], HOLD(VRF_A "," VRF_B));
	cr_assert_eq(vrf_table_init(&t, &cfgs[0], &dp), 0);
	t.labels.clock = fake_clock;
	vrf_table_set_export(&t, &sink);
	rec.n = exps.n = 0;
}

TestSuite(recreate, .init = hold_setup, .fini = teardown);

/* Label l is held down, out of fwd, retired: what it stood for (A's, mode) is still said. */
static void assert_retired(uint32_t l, const char *mode)
{
	const struct label_entry *e = label_lookup(&t.labels, l);

	cr_assert_not_null(e, "label %u is free", l);
	cr_assert(e->state == LABEL_HELD && !e->programmed, "label %u", l);
	cr_assert(label_key_retired(&e->key), "label %u may be claimed again", l);
	cr_assert_str_eq(e->key.vrf, "A");
	cr_assert_str_eq(label_kind_name(e->key.kind), mode);
}

static size_t n_retired(void)
{
	size_t n = 0;

	for (size_t i = 0; i < t.labels.n; i++)
		n += label_key_retired(&t.labels.v[i]->key);
	return n;
}

Test(recreate, a_new_rd_gives_a_new_label_and_the_old_one_goes_to_no_one_until_its_hold_down_ends)
{
	struct label_key k;
	struct vrf *a;
	char lfib[64];

	reload(HOLD(VRF_A_RD("10.255.0.1:101", "per-vrf") "," VRF_B));
	a = vrf_by_name(&t, "A");
	cr_assert_eq(a->label, 102, "100 was the old A's");
	cr_assert_eq(fx_count(&exps, "exp_add 10.255.0.1:101 192.168.100.0/24 label 102 "), 1);
	snprintf(lfib, sizeof(lfib), "lfib_add 102 action %u vrf %u ", IPC_LFIB_POP_LOOKUP, a->id);
	cr_assert_geq(fx_find(&rec, lfib), 0, "fwd pops 102 into the new A");
	cr_assert_eq(fx_find(&rec, "lfib_add 100 "), -1, "100 pops into nothing");
	assert_retired(100, "per-vrf");
	label_key_vrf(&k, "A");
	cr_assert_eq(label_find(&t.labels, &k)->label, 102, "A's key is the new A's label");
	/* Another VRF within the hold-down does not get it either... */
	now += 59;
	vrf_table_labels_tick(&t);
	reload(HOLD(VRF_C "," VRF_B "," VRF_A_RD("10.255.0.1:101", "per-vrf")));
	cr_assert_eq(vrf_by_name(&t, "C")->label, 103);
	assert_retired(100, "per-vrf");
	/* ...and once it ends, 100 is free: the first VRF to want one gets it. */
	now += 1;
	vrf_table_labels_tick(&t);
	cr_assert_null(label_lookup(&t.labels, 100));
	reload(HOLD(VRF_C "," VRF_B "," VRF_P "," VRF_A_RD("10.255.0.1:101", "per-vrf")));
	cr_assert_geq(fx_find(&exps, "exp_add 10.255.0.1:400 10.4.1.0/30 label 100 "), 0);
	cr_assert_eq(vrf_by_name(&t, "A")->label, 102);
}

/*
 * Per-prefix labels, kept in fwd while A stays (make-before-break), leave
 * fwd when A is re-created and stay reserved: none of them is the new A's.
 */
Test(recreate, a_new_rd_retires_every_label_of_the_old_vrf)
{
	uint32_t conn, stat;

	reload(HOLD(VRF_A_RD("10.255.0.1:100", "per-prefix") "," VRF_B));
	conn = fx_vp(&t, "A", "10.1.1.0/30")->exp_label->label;
	stat = fx_vp(&t, "A", "192.168.100.0/24")->exp_label->label;
	cr_assert_eq(conn + stat, 102 + 103);
	reload(HOLD(VRF_A_RD("10.255.0.1:101", "per-prefix") "," VRF_B));
	cr_assert_geq(fx_find(&rec, "lfib_del 100"), 0);
	cr_assert_lt(fx_find(&rec, "lfib_del 100"), fx_find(&rec, "vrf_del 1 A"));
	assert_retired(100, "per-vrf");
	assert_retired(conn, "per-prefix");
	assert_retired(stat, "per-prefix");
	cr_assert_eq(fx_vp(&t, "A", "10.1.1.0/30")->exp_label->label +
		     fx_vp(&t, "A", "192.168.100.0/24")->exp_label->label, 104 + 105,
		     "new labels for the same prefixes");
	cr_assert_eq(n_retired(), 3);
}

/* Removed in one reload, back under its name with another RD in a later one: the same. */
Test(recreate, removed_then_added_back_with_another_rd_gets_a_new_label)
{
	reload(HOLD(VRF_B));
	now += 30;
	reload(HOLD(VRF_A_RD("10.255.0.1:101", "per-vrf") "," VRF_B));
	cr_assert_eq(vrf_by_name(&t, "A")->label, 102);
	assert_retired(100, "per-vrf");
	cr_assert_eq(label_held_for(&t.labels, label_lookup(&t.labels, 100)), 30,
		     "held from its release: 30 s left");
}

/*
 * The same RD is the same VRF, whatever else changes: a plain reload, a
 * label mode changed and back, removed and back. Its labels come back,
 * none is retired.
 */
Test(recreate, with_the_same_rd_its_labels_come_back)
{
	uint32_t conn, stat;

	reload(HOLD(VRF_A_RD("10.255.0.1:100", "per-prefix") "," VRF_B));
	conn = fx_vp(&t, "A", "10.1.1.0/30")->exp_label->label;
	stat = fx_vp(&t, "A", "192.168.100.0/24")->exp_label->label;
	reload(HOLD(VRF_B));
	now += 10;
	reload(HOLD(VRF_A_RD("10.255.0.1:100", "per-prefix") "," VRF_B));
	cr_assert_eq(fx_vp(&t, "A", "10.1.1.0/30")->exp_label->label, conn);
	cr_assert_eq(fx_vp(&t, "A", "192.168.100.0/24")->exp_label->label, stat);
	reload(HOLD(VRF_A_RD("10.255.0.1:100", "per-vrf") "," VRF_B));
	cr_assert_eq(vrf_by_name(&t, "A")->label, 100, "back to per-vrf: its label");
	reload(HOLD(VRF_A_("10.255.0.1:100", "\"65000:100\"", "\"65000:100\", \"65000:7\"",
			   "per-vrf", "") "," VRF_B));
	cr_assert_eq(vrf_by_name(&t, "A")->label, 100, "a plain change keeps it");
	cr_assert_eq(n_retired(), 0);
}
