/*
 * Labels across random runs of reloads, vrfmgr restarts (the state file in
 * a temporary directory) and hold-down ticks in a range with barely room
 * (vrfmgr/vrf_label.c, export.c): label modes, RDs, a link's numbering,
 * CEs and VRFs change at random. After every step each exported prefix's
 * label is its own VRF's (that name, not retired, that id), in use,
 * counted once per holder, and in fwd as what it stands for: pop into that
 * VRF, or to the route's own next hop; a held label kept in fwd is of a
 * VRF there under its name, popping to a link of that VRF (never
 * delivering into another tenant); exports_waiting and exports_old_label
 * count what the prefixes show; the replay equals what the incremental
 * calls built. A label mode change waiting for labels across a restart
 * (vrf_label_get_earlier) comes up in hundreds of steps; the hand-made
 * cases are in test_vrfmgr_labelkeep.c. Each of these broke it, tried
 * once: a per-CE label kept for a prefix moved to another CE, the label
 * of a VRF re-created across a restart kept in fwd, a label taken back
 * after a restart not pointed at its next hop.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/state.h"

#define SEEDS 200
#define STEPS 12

#define LSP                                                                                      \
	"\"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16,"                           \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ]"
#define CORE "\"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] }"
/* A's second static: to a second CE, to the first, or none */
#define CE3 ", { \"prefix\": \"192.168.110.0/24\", \"next_hop\": \"10.1.1.3\" }"
#define CE3_TO_2 ", { \"prefix\": \"192.168.110.0/24\", \"next_hop\": \"10.1.1.2\" }"

static const char *const modes[] = { "per-vrf", "per-ce", "per-prefix" };

static struct ferry_config cfgs[2];
static int cur;
static struct vrf_table t;
static struct fx_rec rec, exps, all;
static int64_t t0, now;
static char dir[64], path[128], json[4096];
static int range_max; /* label_range 100..range_max: a reload cannot change it, a restart may */
static unsigned waits_seen; /* prefixes on a label of another mode right after a restart */

static int64_t fake_clock(void)
{
	return now;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ferry-labelrandom-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, VRFMGR_STATE_FILE);
}

static void teardown(void)
{
	char tmp[160];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
}

TestSuite(labelrandom, .init = setup, .fini = teardown);

/* A's link /24 or /30 (10.1.1.3 off it), its mode and RD; B and C or not. */
static const char *random_config(unsigned *seed)
{
	static const char *const rds[] = { "10.255.0.1:100", "10.255.0.1:100", "10.255.0.1:101" };
	static const char *const addrs[] = { "10.1.1.1/24", "10.1.1.1/24", "10.1.1.1/30" };
	static const char *const statics[] = { "", CE3, CE3_TO_2 };
	const char *mode = modes[rand_r(seed) % 3], *rd = rds[rand_r(seed) % 3];
	const char *addr = addrs[rand_r(seed) % 3], *st = statics[rand_r(seed) % 3];
	bool with_b = rand_r(seed) % 3 != 0, with_c = rand_r(seed) % 2;
	size_t n;

	n = (size_t)snprintf(json, sizeof(json),
		"{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"
		"  \"label_range\": { \"min\": 100, \"max\": %d }, \"label_hold_down\": 60 },"
		" \"vrfs\": [ { \"name\": \"A\", \"rd\": \"%s\", \"import_rts\": [\"65000:100\"],"
		"  \"export_rts\": [\"65000:100\"], \"label_mode\": \"%s\","
		"  \"interfaces\": [ { \"name\": \"ce-a1\", \"address\": \"%s\" } ],"
		"  \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.1.1.2\" }"
		" %s ] }", range_max, rd, mode, addr, st);
	if (with_b)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
			", { \"name\": \"B\", \"rd\": \"10.255.0.1:200\", \"import_rts\": [\"65000:200\"],"
			"  \"export_rts\": [\"65000:200\"],"
			"  \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ] }");
	if (with_c)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
			", { \"name\": \"C\", \"rd\": \"10.255.0.1:300\", \"import_rts\": [\"65000:300\"],"
			"  \"export_rts\": [\"65000:300\"], \"label_mode\": \"%s\","
			"  \"interfaces\": [ { \"name\": \"ce-c1\", \"address\": \"10.3.1.1/24\" } ],"
			"  \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\","
			"    \"next_hop\": \"10.3.1.2\" } ] }", modes[rand_r(seed) % 3]);
	snprintf(json + n, sizeof(json) - n, " ], " LSP ", " CORE " }");
	return json;
}

/* Moves what rec recorded to all (every call fwd holds so far) and empties rec. */
static void flush(void)
{
	for (int i = 0; i < rec.n; i++)
		fx_rec_add(&all, "%s", rec.line[i]);
	rec.n = 0;
	exps.n = 0; /* bgpd's side is not looked at here */
}

/* The table on cfgs[cur] from the state file; a start may fail for want of labels. */
static int build(void)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };

	if (vrf_table_init_state(&t, &cfgs[cur], &dp, path) < 0)
		return -1;
	t.labels.clock = fake_clock;
	vrf_table_set_export(&t, &sink);
	return 0;
}

static int start(unsigned *seed)
{
	cur = 0;
	memset(&rec, 0, sizeof(rec));
	memset(&exps, 0, sizeof(exps));
	memset(&all, 0, sizeof(all));
	fx_load(&cfgs[0], random_config(seed));
	return build();
}

static void reload(unsigned *seed)
{
	struct reload_stats st;
	char err[256];
	int next = 1 - cur;

	flush();
	fx_load(&cfgs[next], random_config(seed));
	cr_assert_eq(vrf_table_reload_check(&t, &cfgs[next], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vrf_table_reload(&t, &cfgs[next], &st), 0);
	config_free(&cfgs[cur]);
	cur = next;
}

/* vrfmgr stops (saving its state) and starts 5 s later; fwd then holds its replay alone. */
static int restart(unsigned *seed)
{
	flush();
	cr_assert_eq(vrf_table_save(&t), 0);
	vrf_table_free(&t);
	config_free(&cfgs[cur]);
	now += 5;
	range_max = 102 + (int)(rand_r(seed) % 2);
	fx_load(&cfgs[cur], random_config(seed));
	if (build() < 0)
		return -1;
	rec.n = 0; /* no fwd connected during the build */
	all.n = 0;
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &all });
	return 0;
}

/* fwd's entry for label l ("lfib_add ..."), or "none". */
static const char *fwd_lfib(uint32_t l)
{
	static struct fx_held h;
	char key[32];

	flush();
	h.n = 0;
	fx_held_apply(&h, &all);
	snprintf(key, sizeof(key), "lfib %u|", l);
	for (int i = 0; i < h.n; i++)
		if (strncmp(h.s[i], key, strlen(key)) == 0)
			return h.s[i] + strlen(key);
	return "none";
}

/* vp of v is exported with e: e is v's, in use, and fwd pops it into v or to vp's next hop. */
static void check_export(const char *at, const struct vrf *v, const struct vrf_prefix *vp,
			 const struct label_entry *e)
{
	const struct vrf_route *r = export_route(v, vp);
	char want[64];

	cr_assert_not_null(r, "%s: exported without a route", at);
	cr_assert_eq(e->state, LABEL_USED, "%s: label %u", at, e->label);
	cr_assert_str_eq(e->key.vrf, v->cfg->name, "%s: label %u", at, e->label);
	cr_assert(!label_key_retired(&e->key) && e->vrf_id == v->id && e->programmed,
		  "%s: label %u", at, e->label);
	if (e->key.kind == LABEL_KIND_VRF) {
		snprintf(want, sizeof(want), "lfib_add %u action 1 vrf %u nh 0", e->label, v->id);
	} else {
		cr_assert(e->nh == r->nh, "%s: label %u pops elsewhere than the route goes", at,
			  e->label);
		snprintf(want, sizeof(want), "lfib_add %u action 2 vrf %u nh %u", e->label, v->id,
			 r->nh->ipc.nh_id);
	}
	cr_assert_str_eq(fwd_lfib(e->label), want, "%s", at);
}

/* Walks v's prefixes: checks each export, counts e's holders, waiting and old-label ones. */
static unsigned walk_vrf(const char *at, const struct vrf *v, const struct label_entry *e,
			 size_t *waiting, size_t *old)
{
	struct vrf_prefix **vps;
	size_t n = rtable_sorted(&v->routes, &vps);
	unsigned holders = v->vrf_label == e;

	for (size_t j = 0; j < n; j++) {
		const struct vrf_route *r = export_route(v, vps[j]);

		if (vps[j]->exp_label == e && e != NULL) {
			holders++;
			check_export(at, v, vps[j], e);
		}
		if (r != NULL && vps[j]->exp_label == NULL)
			(*waiting)++;
		else if (r != NULL && !vrf_label_fits(v, vps[j]->exp_label, r))
			(*old)++;
	}
	free(vps);
	return holders;
}

static void check_label(const char *at, const struct label_entry *e)
{
	unsigned holders = 0;
	size_t waiting = 0, old = 0;

	for (size_t k = 0; k < t.n_vrfs; k++)
		if (t.vrfs[k].cfg != NULL)
			holders += walk_vrf(at, &t.vrfs[k], e, &waiting, &old);
	cr_assert_eq(e->state == LABEL_USED ? e->refs : 0, holders, "%s: label %u", at, e->label);
	if (e->state != LABEL_USED && e->programmed) {
		const struct vrf *v = vrf_by_id(&t, e->vrf_id);

		cr_assert(v != NULL && v->cfg != NULL && strcmp(v->cfg->name, e->key.vrf) == 0 &&
				  !label_key_retired(&e->key),
			  "%s: held label %u of %s kept in fwd for another VRF", at, e->label,
			  e->key.vrf);
		cr_assert(e->nh == NULL || config_vrf_interface(v->cfg, e->nh->ipc.ifname) != NULL,
			  "%s: held label %u pops to a link its VRF no longer has", at, e->label);
	}
}

static void check_counts(const char *at, bool restarted)
{
	for (size_t k = 0; k < t.n_vrfs; k++) {
		const struct vrf *v = &t.vrfs[k];
		size_t waiting = 0, old = 0;

		if (v->cfg == NULL)
			continue;
		walk_vrf(at, v, NULL, &waiting, &old);
		cr_assert_eq(vrf_label_exports_waiting(v), waiting, "%s: VRF %s", at, v->cfg->name);
		cr_assert_eq(vrf_label_exports_old_label(v), old, "%s: VRF %s", at, v->cfg->name);
		if (restarted)
			waits_seen += (unsigned)old;
	}
}

static void check_all(const char *at, bool restarted)
{
	struct fx_rec re = { .n = 0 };

	for (size_t i = 0; i < t.labels.n; i++)
		check_label(at, t.labels.v[i]);
	for (uint32_t l = 100; l <= (uint32_t)range_max; l++) {
		const struct label_entry *e = label_lookup(&t.labels, l);

		cr_assert(strcmp(fwd_lfib(l), "none") == 0 || (e != NULL && e->programmed),
			  "%s: fwd has label %u, vrfmgr does not", at, l);
	}
	check_counts(at, restarted);
	flush();
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &re });
	fx_assert_same_state(&all, &re);
}

/* One run: a start, then STEPS reloads, restarts and ticks; false when a start failed. */
static bool run(unsigned seed)
{
	const unsigned first = seed;
	char at[64];

	t0 = now = (int64_t)time(NULL);
	range_max = 102 + (int)(rand_r(&seed) % 2);
	if (start(&seed) < 0) {
		config_free(&cfgs[cur]);
		return false;
	}
	snprintf(at, sizeof(at), "seed %u start", first);
	check_all(at, false);
	for (int step = 0; step < STEPS; step++) {
		int op = rand_r(&seed) % 4;

		snprintf(at, sizeof(at), "seed %u step %d (%s)", first, step,
			 op < 2 ? "reload" : op == 2 ? "restart" : "tick");
		if (op < 2) {
			reload(&seed);
		} else if (op == 2 && restart(&seed) < 0) {
			config_free(&cfgs[cur]);
			return false;
		} else if (op == 3) {
			now += 30;
			flush();
			vrf_table_labels_tick(&t);
		}
		check_all(at, op == 2);
	}
	vrf_table_free(&t);
	config_free(&cfgs[cur]);
	return true;
}

Test(labelrandom, every_exported_label_is_its_vrfs_and_pops_where_its_route_goes, .timeout = 60)
{
	unsigned runs = 0;

	log_init("test", LOG_LVL_ERR);
	for (unsigned seed = 1; seed <= SEEDS; seed++) {
		runs += run(seed);
		unlink(path);
	}
	cr_assert_gt(runs, SEEDS / 2, "most runs end (a start may fail for want of labels)");
	cr_assert_gt(waits_seen, 50, "relabels waiting across a restart: %u", waits_seen);
}
