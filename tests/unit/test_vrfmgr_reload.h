/*
 * Shared by the reload tests (test_vrfmgr_reload.c, test_vrfmgr_labelwait.c):
 * the configs they build from, the table under test with its recorded
 * dataplane calls and exports, and reload(), which checks every reload's
 * dry run against what it then does.
 */
#ifndef FERRY_TEST_VRFMGR_RELOAD_H
#define FERRY_TEST_VRFMGR_RELOAD_H

#include <criterion/criterion.h>
#include <stdio.h>
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

static void teardown(void)
{
	vrf_table_free(&t);
	config_free(&cfgs[cur]);
}

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

#endif
