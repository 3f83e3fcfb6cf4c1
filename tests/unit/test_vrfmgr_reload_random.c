/*
 * vrfmgr's reload at scale and at random (vrfmgr/reload.c): thousands of
 * VRFs get their ids in time; random runs of reloads end where a fresh
 * start on the last config does, and local leaking follows the pairwise
 * rule throughout. The hand-made cases are in test_vrfmgr_reload.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/reload.h"

/* the core side every random config has (as test_vrfmgr_reload.c's) */
#define LSP(label)                                                                               \
	"\"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": " label ","                    \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ]"
#define CORE "\"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] }"

/*
 * Thousands of tenants: ids are found in time. The lowest free id was
 * searched for from 1 over the whole table for each VRF, which made the
 * first start with 10,000 VRFs (no state file) cubic: minutes of 100% CPU
 * before vrfmgr said a word. Here 5,000 VRFs start and a reload replaces
 * half of them with new ones (listed first), which take the freed ids.
 */
#define MANY 5000

static char *many_vrfs(int first_new, int n_new)
{
	size_t cap = (size_t)(MANY + n_new) * 48 + 512, len;
	char *s = malloc(cap);

	cr_assert_not_null(s);
	len = (size_t)snprintf(s, cap, "{ \"router\": { \"name\": \"pe1\", \"router_id\": "
				       "\"10.255.0.1\", \"asn\": 65000, \"label_range\": { \"min\": "
				       "100, \"max\": 30099 }, \"label_hold_down\": 0 }, \"vrfs\": [");
	for (int i = 0; i < n_new; i++)
		len += (size_t)snprintf(s + len, cap - len, "{\"name\":\"n%d\",\"rd\":\"2:%d\"},", i, i);
	for (int i = first_new; i < MANY; i++)
		len += (size_t)snprintf(s + len, cap - len, "{\"name\":\"v%d\",\"rd\":\"1:%d\"}%s", i,
					i, i + 1 < MANY ? "," : "");
	snprintf(s + len, cap - len, "] }");
	return s;
}

Test(many, five_thousand_vrfs_get_their_ids_in_time, .timeout = 15)
{
	struct vrf_table mt;
	struct ferry_config c0, c1;
	struct reload_stats st;
	char *j0 = many_vrfs(0, 0), *j1 = many_vrfs(MANY / 2, MANY / 2);

	log_init("test", LOG_LVL_ERR);
	fx_load(&c0, j0);
	cr_assert_eq(vrf_table_init(&mt, &c0, NULL), 0);
	cr_assert_eq(mt.n_vrfs, MANY);
	for (size_t i = 0; i < mt.n_vrfs; i++)
		cr_assert_eq(mt.vrfs[i].id, i + 1, "without a state file: the position in the file");
	fx_load(&c1, j1);
	cr_assert_eq(vrf_table_reload(&mt, &c1, &st), 0);
	cr_assert_eq(st.added, MANY / 2);
	cr_assert_eq(st.removed, MANY / 2);
	for (size_t i = 0; i < mt.n_vrfs; i++) {
		const struct vrf *v = &mt.vrfs[i];

		if (v->cfg->name[0] == 'n')
			cr_assert_eq(v->id, (uint32_t)atoi(v->cfg->name + 1) + 1, "%s: %u", v->cfg->name,
				     v->id);
		else
			cr_assert_eq(v->id, (uint32_t)atoi(v->cfg->name + 1) + 1);
	}
	vrf_table_free(&mt);
	config_free(&c0);
	config_free(&c1);
	free(j0);
	free(j1);
}

/*
 * Reload against a fresh start, at random: a run of reloads through random
 * configs (VRFs come, go, are renamed, change RD, RTs, label mode, trade
 * interfaces, change static routes; RTs from a small pool, so VRFs leak into
 * each other) must leave each VRF with exactly the routes, selections and
 * FIB next hops a vrfmgr started on the last config builds. Labels and ids
 * are left out: they depend on history (hold-down, the state) by design.
 */
#define RND_VRFS 12
#define RND_IFS 24

static void rnd_config(unsigned *seed, char *out, size_t cap)
{
	static const char *const modes[] = { "per-vrf", "per-vrf", "per-ce", "per-prefix" };
	int ifs[RND_IFS], n_ifs = RND_IFS;
	size_t n;

	for (int i = 0; i < RND_IFS; i++)
		ifs[i] = i;
	/* room for every label, those held down too: a VRF waiting for one exports nothing */
	n = (size_t)snprintf(out, cap, "{ \"router\": { \"name\": \"pe1\", \"router_id\": "
				       "\"10.255.0.1\", \"asn\": 65000, \"label_range\": { \"min\": "
				       "100, \"max\": 99999 }, \"label_hold_down\": 60 }, \"vrfs\": [");
	for (int v = 0; v < RND_VRFS; v++) {
		int nm = rand_r(seed) % 16, rd = rand_r(seed) % 3, k = 1 + rand_r(seed) % 2;

		/* names from a pool of 16 (some VRFs "renamed" between configs), RD by name and 0..2 */
		n += (size_t)snprintf(out + n, cap - n,
				      "%s{ \"name\": \"v%d_%d\", \"rd\": \"1:%d\", \"label_mode\": \"%s\","
				      " \"import_rts\": [\"65000:%d\"], \"export_rts\": [\"65000:%d\"],"
				      " \"interfaces\": [",
				      v ? "," : "", nm, v, (nm * 4 + rd) * 16 + v, modes[rand_r(seed) % 4],
				      rand_r(seed) % 4, rand_r(seed) % 4);
		for (int i = 0; i < k; i++) {
			int j = rand_r(seed) % n_ifs, name = ifs[j];

			ifs[j] = ifs[--n_ifs];
			n += (size_t)snprintf(out + n, cap - n,
					      "%s{ \"name\": \"ce%d\", \"address\": \"192.168.%d.1/24\" }",
					      i ? "," : "", name, i + 1);
		}
		n += (size_t)snprintf(out + n, cap - n, "], \"static_routes\": [");
		for (int s = 0, ns = rand_r(seed) % 3; s < ns; s++)
			n += (size_t)snprintf(out + n, cap - n,
					      "%s{ \"prefix\": \"172.16.%d.0/24\", \"next_hop\": "
					      "\"192.168.1.%d\" }",
					      s ? "," : "", s * 4 + rand_r(seed) % 4, 2 + s);
		n += (size_t)snprintf(out + n, cap - n, "] }");
	}
	snprintf(out + n, cap - n, " ], " LSP("16") ", " CORE " }");
}

/* One line per candidate of every VRF, sorted: "VRF PREFIX source best fib-nh-type if gw". */
static size_t rnd_state(struct vrf_table *tb, char (*lines)[96], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < tb->n_vrfs; i++) {
		struct vrf *v = &tb->vrfs[i];
		struct vrf_prefix **vps;
		size_t np = rtable_sorted(&v->routes, &vps);

		for (size_t j = 0; j < np; j++) {
			char p[PREFIX4_STRLEN], g[IPV4_STRLEN];

			for (struct vrf_route *r = vps[j]->routes; r != NULL; r = r->next) {
				const struct nexthop *nh = r == vps[j]->best ? vps[j]->fib_nh : NULL;

				cr_assert_lt(n, max);
				snprintf(lines[n++], 96, "%s %s %u %d %u %s %s", v->cfg->name,
					 prefix4_format(&vps[j]->prefix, p), r->source,
					 r == vps[j]->best, nh ? nh->ipc.type : 0,
					 nh ? nh->ipc.ifname : "-",
					 ipv4_format(nh ? nh->ipc.gateway : 0, g));
			}
		}
		free(vps);
	}
	qsort(lines, n, sizeof(lines[0]), fx_cmp_str);
	return n;
}

Test(random, reloads_end_where_a_fresh_start_does)
{
	static char json[2][16384], a[2048][96], b[2048][96];
	struct ferry_config cf[2], fresh;
	struct vrf_table tb, fr;
	struct reload_stats st;
	unsigned seed = 7;
	int c = 0;

	log_init("test", LOG_LVL_ERR);
	rnd_config(&seed, json[0], sizeof(json[0]));
	fx_load(&cf[0], json[0]);
	cr_assert_eq(vrf_table_init(&tb, &cf[0], NULL), 0);
	for (int step = 0; step < 150; step++) {
		size_t na, nb;

		rnd_config(&seed, json[1 - c], sizeof(json[0]));
		fx_load(&cf[1 - c], json[1 - c]);
		cr_assert_eq(vrf_table_reload(&tb, &cf[1 - c], &st), 0);
		config_free(&cf[c]);
		c = 1 - c;
		fx_load(&fresh, json[c]);
		cr_assert_eq(vrf_table_init(&fr, &fresh, NULL), 0);
		na = rnd_state(&tb, a, 2048);
		nb = rnd_state(&fr, b, 2048);
		for (size_t i = 0; i < na && i < nb; i++)
			cr_assert_str_eq(a[i], b[i], "step %d: reloaded \"%s\", fresh \"%s\"", step,
					 a[i], b[i]);
		cr_assert_eq(na, nb, "step %d: %zu candidates reloaded, %zu fresh", step, na, nb);
		vrf_table_free(&fr);
		config_free(&fresh);
	}
	vrf_table_free(&tb);
	config_free(&cf[c]);
}

/*
 * Local leaking by the import index holds what the rule it replaced says,
 * pair by pair: after each of 150 random reloads (and in a fresh start of
 * each config) a VRF holds a leaked candidate for (RD, prefix) exactly when
 * another VRF with that RD exports the prefix and one of its export RTs is
 * one of this VRF's import RTs (rt_sets_meet, the old test of every pair);
 * the counts of leaked candidates (per VRF, for the table) are exact.
 */
static size_t assert_leaks_by_the_rule(struct vrf_table *tb, int step)
{
	size_t total = 0;

	for (size_t d = 0; d < tb->n_vrfs; d++) {
		struct vrf *dst = &tb->vrfs[d];
		struct vrf_prefix **vps;
		size_t n = rtable_sorted(&dst->routes, &vps), held = 0, want = 0;

		for (size_t j = 0; j < n; j++)
			for (struct vrf_route *r = vps[j]->routes; r != NULL; r = r->next)
				held += r->source == ROUTE_LEAKED;
		free(vps);
		cr_assert_eq(dst->n_leaked, held, "step %d: %s counts %zu leaked, holds %zu", step,
			     dst->cfg->name, dst->n_leaked, held);
		total += held;
		for (size_t s = 0; s < tb->n_vrfs; s++) {
			struct vrf *src = &tb->vrfs[s];
			bool meet = s != d && rt_sets_meet(dst->cfg->import_rts, dst->cfg->n_import_rts,
							   src->cfg->export_rts, src->cfg->n_export_rts);

			n = rtable_sorted(&src->routes, &vps);
			for (size_t j = 0; s != d && j < n; j++) {
				bool leaked = vrf_route_find(dst, &vps[j]->prefix, ROUTE_LEAKED,
							     &src->cfg->rd) != NULL;
				bool should = meet && vps[j]->exp_label != NULL;
				char p[PREFIX4_STRLEN];

				cr_assert_eq(leaked, should, "step %d: %s %s %s's %s", step,
					     dst->cfg->name, should ? "lacks" : "holds", src->cfg->name,
					     prefix4_format(&vps[j]->prefix, p));
				want += should;
			}
			free(vps);
		}
		cr_assert_eq(held, want, "step %d: %s holds %zu leaked, the rule %zu", step,
			     dst->cfg->name, held, want);
	}
	cr_assert_eq(tb->n_leaked, total, "step %d: the table counts %zu, VRFs hold %zu", step,
		     tb->n_leaked, total);
	return total;
}

Test(random, leaking_follows_the_pairwise_rule)
{
	static char json[2][16384];
	struct ferry_config cf[2], fresh;
	struct vrf_table tb, fr;
	struct reload_stats st;
	unsigned seed = 23;
	size_t leaks = 0;
	int c = 0;

	log_init("test", LOG_LVL_ERR);
	rnd_config(&seed, json[0], sizeof(json[0]));
	fx_load(&cf[0], json[0]);
	cr_assert_eq(vrf_table_init(&tb, &cf[0], NULL), 0);
	assert_leaks_by_the_rule(&tb, -1);
	for (int step = 0; step < 150; step++) {
		rnd_config(&seed, json[1 - c], sizeof(json[0]));
		fx_load(&cf[1 - c], json[1 - c]);
		cr_assert_eq(vrf_table_reload(&tb, &cf[1 - c], &st), 0);
		config_free(&cf[c]);
		c = 1 - c;
		leaks += assert_leaks_by_the_rule(&tb, step);
		fx_load(&fresh, json[c]);
		cr_assert_eq(vrf_table_init(&fr, &fresh, NULL), 0);
		assert_leaks_by_the_rule(&fr, step);
		vrf_table_free(&fr);
		config_free(&fresh);
	}
	cr_assert_gt(leaks, 150, "the configs leak: %zu leaked candidates over the steps", leaks);
	vrf_table_free(&tb);
	config_free(&cf[c]);
}
