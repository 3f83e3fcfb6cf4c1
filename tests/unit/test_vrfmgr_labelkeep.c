/*
 * Make-before-break for released labels (vrfmgr/vrf_label.c): a label that
 * stops being used while its VRF stays (a label_mode change, a per-CE
 * label whose last prefix moved to another CE) is held down because remote
 * PEs may still send with it until they have our new UPDATE; its LFIB entry
 * stays in fwd with its last meaning for as long, and goes when the
 * hold-down ends. A VRF removed, re-created or dying takes its held labels
 * out of fwd at once: its id may go to another tenant, and an old label
 * must never deliver into that one. A vrfmgr restart within the hold-down
 * (the state file in a temporary run directory) programs the held label
 * again with its last meaning while that still holds, so fwd's sweep after
 * the replay keeps it; one during a label mode change waiting in a full
 * range exports the prefixes with their old label still, in use. Checked
 * on the recorded dataplane calls, with the allocator's clock replaced (no
 * sleeping).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log_capture.h"
#include "test_vrfmgr_fixture.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/state.h"

#define ROUTER_(hold)                                                                            \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 199 }, \"label_hold_down\": " hold " },"
#define ROUTER ROUTER_("60")
/* A: a CE at 10.1.1.2 (192.168.100/24) and one at 10.1.1.3 (192.168.110/24) on ce-a1. */
#define VRF_A_IF_(name, rd, mode, address, statics)                                              \
	"{ \"name\": \"" name "\", \"rd\": \"" rd "\", \"import_rts\": [\"65000:100\"],"         \
	"  \"export_rts\": [\"65000:100\"], \"label_mode\": \"" mode "\","                       \
	"  \"interfaces\": [ { \"name\": \"ce-a1\", \"address\": \"" address "\" } ],"             \
	"  \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.1.1.2\" }" \
	statics " ] }"
#define VRF_A_(name, rd, mode, statics) VRF_A_IF_(name, rd, mode, "10.1.1.1/24", statics)
/* ce-a1 renumbered to a /30: CE 10.1.1.2 is still on it, 10.1.1.3 (its broadcast) is not. */
#define VRF_A_30(statics) VRF_A_IF_("A", "10.255.0.1:100", "per-ce", "10.1.1.1/30", statics)
#define CE3 ", { \"prefix\": \"192.168.110.0/24\", \"next_hop\": \"10.1.1.3\" }"
#define CE3_TO_2 ", { \"prefix\": \"192.168.110.0/24\", \"next_hop\": \"10.1.1.2\" }"
#define VRF_A(mode) VRF_A_("A", "10.255.0.1:100", mode, "")
#define VRF_B                                                                                    \
	"{ \"name\": \"B\", \"rd\": \"10.255.0.1:200\", \"import_rts\": [\"65000:200\"],"        \
	"  \"export_rts\": [\"65000:200\"],"                                                     \
	"  \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ] }"
#define LSP                                                                                      \
	"\"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16,"                           \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ]"
#define CORE "\"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] }"
#define CONFIG(vrfs) "{ " ROUTER " \"vrfs\": [ " vrfs " ], " LSP ", " CORE " }"
#define CONFIG_NO_HOLD(vrfs) "{ " ROUTER_("0") " \"vrfs\": [ " vrfs " ], " LSP ", " CORE " }"

static struct ferry_config cfgs[2];
static int cur;
static struct vrf_table t;
static struct fx_rec rec, exps, all;
/* The test's start in wall-clock seconds: a restart loads the state file by the real clock. */
static int64_t t0, now;
static char dir[64], path[128];

static int64_t fake_clock(void)
{
	return now;
}

/* The table on cfgs[cur] from the state file at path (none: a first start). */
static void build(void)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };

	cr_assert_eq(vrf_table_init_state(&t, &cfgs[cur], &dp, path), 0);
	t.labels.clock = fake_clock;
	vrf_table_set_export(&t, &sink);
}

static void start(const char *json)
{
	log_init("test", LOG_LVL_ERR);
	cur = 0;
	t0 = now = (int64_t)time(NULL);
	memset(&rec, 0, sizeof(rec));
	memset(&exps, 0, sizeof(exps));
	memset(&all, 0, sizeof(all));
	fx_load(&cfgs[0], json);
	build();
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ferry-labelkeep-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, VRFMGR_STATE_FILE);
}

static void teardown(void)
{
	char tmp[160];

	vrf_table_free(&t);
	config_free(&cfgs[cur]);
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
}

TestSuite(labelkeep, .init = setup, .fini = teardown);

/* Moves what rec recorded to all (every call so far) and empties rec. */
static void flush(void)
{
	for (int i = 0; i < rec.n; i++)
		fx_rec_add(&all, "%s", rec.line[i]);
	rec.n = 0;
}

static void reload(const char *json)
{
	struct reload_stats st;
	char err[256];
	int next = 1 - cur;

	flush();
	fx_load(&cfgs[next], json);
	cr_assert_eq(vrf_table_reload_check(&t, &cfgs[next], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vrf_table_reload(&t, &cfgs[next], &st), 0);
	config_free(&cfgs[cur]);
	cur = next;
}

static void tick_at(int64_t s)
{
	flush();
	now = t0 + s;
	vrf_table_labels_tick(&t);
}

/* fwd's entry for "lfib L" or "nh N" (what added it), by every call recorded so far; or NULL. */
static const char *fwd_has(const char *what, uint32_t id)
{
	static struct fx_held h;
	char key[32];

	flush();
	h.n = 0;
	fx_held_apply(&h, &all);
	snprintf(key, sizeof(key), "%s %u|", what, id);
	for (int i = 0; i < h.n; i++)
		if (strncmp(h.s[i], key, strlen(key)) == 0)
			return h.s[i] + strlen(key);
	return NULL;
}

/* Whether fwd holds an LFIB entry for label l. */
static bool in_fwd(uint32_t l)
{
	return fwd_has("lfib", l) != NULL;
}

/*
 * vrfmgr stops (saving its state file, as at exit) and starts again on
 * json, s seconds after the test's start. fwd kept forwarding meanwhile;
 * on vrfmgr's return it gets the replay and sweeps what that did not
 * mention: from then on it holds the replay (all), nothing more.
 */
static void restart_at(int64_t s, const char *json)
{
	flush();
	cr_assert_eq(vrf_table_save(&t), 0);
	vrf_table_free(&t);
	config_free(&cfgs[cur]);
	now = t0 + s;
	fx_load(&cfgs[cur], json);
	build();
	rec.n = 0; /* no fwd connected while it builds: those calls went nowhere */
	all.n = 0;
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &all });
}

/* The replay equals what the incremental calls built (all, then rec). */
static void assert_replay_agrees(void)
{
	struct fx_rec re = { .n = 0 };

	flush();
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &re });
	fx_assert_same_state(&all, &re);
}

Test(labelkeep, a_mode_change_keeps_the_old_label_in_fwd_until_its_hold_down_ends)
{
	struct label_entry *e;

	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-prefix") "," VRF_B));
	cr_assert_geq(fx_find(&rec, "lfib_add 102 action 2 vrf 1 "), 0, "the new labels are in");
	cr_assert_eq(fx_find(&rec, "lfib_del 100"), -1, "remote PEs may still send 100");
	e = label_lookup(&t.labels, 100);
	cr_assert(e != NULL && e->state == LABEL_HELD && in_fwd(100));
	tick_at(59);
	cr_assert_eq(fx_find(&rec, "lfib_del 100"), -1, "59 s: still held down, still in fwd");
	tick_at(60);
	cr_assert_eq(fx_count(&rec, "lfib_del 100"), 1, "the hold-down is over: out of fwd");
	cr_assert_null(label_lookup(&t.labels, 100), "and free");
	assert_replay_agrees();
}

Test(labelkeep, back_to_the_old_mode_in_time_the_label_simply_goes_back_to_use)
{
	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-ce") "," VRF_B));
	reload(CONFIG(VRF_A("per-vrf") "," VRF_B));
	cr_assert_eq(vrf_by_name(&t, "A")->label, 100);
	cr_assert_eq(fx_count(&rec, "lfib_add 100 "), 0, "fwd has it as it was: nothing to send");
	cr_assert_eq(fx_count(&rec, "lfib_del"), 0, "the per-CE labels are held down in turn");
	cr_assert(label_lookup(&t.labels, 102)->state == LABEL_HELD && in_fwd(102));
	tick_at(60);
	cr_assert_geq(fx_find(&rec, "lfib_del 102"), 0);
	cr_assert_eq(fx_find(&rec, "lfib_del 100"), -1, "100 is in use");
	assert_replay_agrees();
}

Test(labelkeep, a_removed_vrf_takes_its_held_labels_out_of_fwd_at_once)
{
	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-prefix") "," VRF_B));
	reload(CONFIG(VRF_B));
	cr_assert_geq(fx_find(&rec, "lfib_del 100"), 0, "held for A, A is gone");
	cr_assert_geq(fx_find(&rec, "lfib_del 102"), 0);
	cr_assert_geq(fx_find(&rec, "lfib_del 103"), 0);
	cr_assert_lt(fx_find(&rec, "lfib_del 100"), fx_find(&rec, "vrf_del 1 A"));
	for (size_t i = 0; i < t.labels.n; i++)
		if (strcmp(t.labels.v[i]->key.vrf, "A") == 0)
			cr_assert(!in_fwd(t.labels.v[i]->label), "label %u", t.labels.v[i]->label);
	assert_replay_agrees();
}

Test(labelkeep, a_recreated_vrf_takes_its_held_labels_out_of_fwd_at_once)
{
	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-ce") "," VRF_B));
	cr_assert(in_fwd(100), "kept while A stays");
	reload(CONFIG(VRF_A_("A", "10.255.0.1:101", "per-ce", "") "," VRF_B));
	cr_assert_geq(fx_find(&rec, "lfib_del 100"), 0);
	cr_assert_lt(fx_find(&rec, "lfib_del 100"), fx_find(&rec, "vrf_del 1 A"));
	assert_replay_agrees();
}

/*
 * A is removed and C, another tenant, added: C takes A's id 1. The label
 * A held down must not pop into id 1 any more, at any moment after C's
 * vrf_add, nor come back with a replay.
 */
Test(labelkeep, a_vrf_id_given_to_a_new_vrf_never_inherits_an_old_label)
{
	struct fx_held h = { .n = 0 };
	struct fx_rec re = { .n = 0 };
	int add_c;

	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-ce") "," VRF_B));
	cr_assert(in_fwd(100), "kept while A stays");
	reload(CONFIG(VRF_A_("C", "10.255.0.1:300", "per-vrf", "") "," VRF_B));
	cr_assert_eq(vrf_by_name(&t, "C")->id, 1, "the case this is about: C takes A's id");
	add_c = fx_find(&rec, "vrf_add 1 C");
	cr_assert_geq(fx_find(&rec, "lfib_del 100"), 0);
	cr_assert_gt(add_c, fx_find(&rec, "lfib_del 100"));
	flush();
	fx_held_apply(&h, &all);
	for (int i = 0; i < h.n; i++) {
		unsigned l, vid;

		if (sscanf(h.s[i], "lfib %*u|lfib_add %u action %*u vrf %u", &l, &vid) == 2 &&
		    vid == 1)
			cr_assert_str_eq(label_lookup(&t.labels, l)->key.vrf, "C", "%s", h.s[i]);
	}
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &re });
	for (int i = 0; i < re.n; i++) {
		unsigned l, vid;

		if (sscanf(re.line[i], "lfib_add %u action %*u vrf %u", &l, &vid) == 2 && vid == 1)
			cr_assert_str_eq(label_lookup(&t.labels, l)->key.vrf, "C", "%s",
					 re.line[i]);
	}
}

Test(labelkeep, a_replay_programs_the_held_labels_kept_in_fwd)
{
	struct fx_rec re = { .n = 0 };

	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-ce") "," VRF_B));
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &re });
	cr_assert_geq(fx_find(&re, "lfib_add 100 action 1 vrf 1 "), 0);
	assert_replay_agrees();
	tick_at(60);
	re.n = 0;
	vrf_table_replay(&t, &(struct dataplane){ &fx_ops, &re });
	cr_assert_eq(fx_find(&re, "lfib_add 100 "), -1, "gone with its hold-down");
}

/*
 * Per-CE: 192.168.110/24 moves from CE 10.1.1.3 to 10.1.1.2. Its label
 * (the last prefix behind 10.1.1.3) is held down and still pops to that
 * CE, whose next hop stays in fwd for as long; both go at the end.
 */
Test(labelkeep, a_pop_forward_label_keeps_its_next_hop_in_fwd_while_it_is_kept)
{
	struct label_entry *e;
	unsigned nh;
	char del[32];

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B));
	e = fx_vp(&t, "A", "192.168.110.0/24")->exp_label;
	cr_assert_not_null(e);
	nh = e->nh->ipc.nh_id;
	snprintf(del, sizeof(del), "nh_del %u ", nh);
	reload(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3_TO_2) "," VRF_B));
	cr_assert_neq(fx_vp(&t, "A", "192.168.110.0/24")->exp_label, e, "relabelled");
	cr_assert_eq(fx_find(&rec, "lfib_del"), -1);
	cr_assert_eq(fx_find(&rec, del), -1, "the CE's next hop stays for the kept label");
	cr_assert(e->state == LABEL_HELD && in_fwd(e->label));
	assert_replay_agrees();
	tick_at(60);
	cr_assert_geq(fx_find(&rec, "lfib_del"), 0);
	cr_assert_gt(fx_find(&rec, del), fx_find(&rec, "lfib_del"), "the label first, then its NH");
	assert_replay_agrees();
}

/*
 * A per-CE label kept for a CE whose interface then moves to another VRF
 * (B) would pop A's remote traffic to B's CE: it goes at once, and so do
 * A's labels released by the move itself.
 */
Test(labelkeep, a_kept_label_to_an_interface_another_vrf_takes_goes_at_once)
{
	const char *b_takes_ce_a1 =
		CONFIG("{ \"name\": \"A\", \"rd\": \"10.255.0.1:100\", \"import_rts\": [\"65000:100\"],"
		       "  \"export_rts\": [\"65000:100\"], \"label_mode\": \"per-ce\","
		       "  \"interfaces\": [ { \"name\": \"ce-a2\", \"address\": \"10.1.2.1/24\" } ] },"
		       "{ \"name\": \"B\", \"rd\": \"10.255.0.1:200\", \"import_rts\": [\"65000:200\"],"
		       "  \"export_rts\": [\"65000:200\"],"
		       "  \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" },"
		       "                    { \"name\": \"ce-a1\", \"address\": \"10.1.1.1/24\" } ] }");

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B));
	reload(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3_TO_2) "," VRF_B));
	cr_assert(in_fwd(102), "CE 10.1.1.3's label, kept while A has ce-a1");
	reload(b_takes_ce_a1);
	for (size_t i = 0; i < t.labels.n; i++) {
		const struct label_entry *e = t.labels.v[i];

		if (e->key.kind == LABEL_KIND_CE && strcmp(e->key.ifname, "ce-a1") == 0)
			cr_assert(!in_fwd(e->label), "label %u still pops to ce-a1", e->label);
	}
	assert_replay_agrees();
}

static struct label_entry *ce_label(const char *ifname, const char *gateway)
{
	struct label_key k;
	uint32_t gw;

	cr_assert_eq(ipv4_parse(gateway, &gw), 0, "%s", gateway);
	label_key_ce(&k, "A", ifname, gw);
	return label_find(&t.labels, &k);
}

/*
 * CE 10.1.1.3's label is kept in fwd (its last prefix moved to 10.1.1.2),
 * then ce-a1 is renumbered within A so that 10.1.1.3 is no longer on it:
 * the kept entry would pop to a next hop that is gone (a new CE may take
 * that address on another link): it goes at once, with its next hop.
 * 10.1.1.2's label, still on the link, stays in use and in fwd.
 */
Test(labelkeep, a_kept_label_to_a_ce_a_renumbered_link_leaves_off_goes_at_once)
{
	struct label_entry *e, *e2;
	char del[32];

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B));
	reload(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3_TO_2) "," VRF_B));
	e = ce_label("ce-a1", "10.1.1.3");
	e2 = ce_label("ce-a1", "10.1.1.2");
	cr_assert(e != NULL && e->state == LABEL_HELD && in_fwd(e->label));
	snprintf(del, sizeof(del), "nh_del %u ", e->nh->ipc.nh_id);
	reload(CONFIG(VRF_A_30(CE3_TO_2) "," VRF_B));
	cr_assert_geq(fx_find(&rec, "lfib_del"), 0);
	cr_assert_gt(fx_find(&rec, del), fx_find(&rec, "lfib_del"), "the label first, then its NH");
	cr_assert(!in_fwd(e->label), "label %u still pops to 10.1.1.3, off the link", e->label);
	cr_assert_eq(e->state, LABEL_HELD, "still held down: remote PEs may send with it");
	cr_assert(e2->state == LABEL_USED && in_fwd(e2->label), "10.1.1.2 is still on ce-a1");
	assert_replay_agrees();
}

/* The renumbering itself takes 192.168.110/24's CE off the link: its label is not kept. */
Test(labelkeep, a_label_released_by_a_renumbering_that_leaves_its_ce_off_the_link_goes_at_once)
{
	struct label_entry *e;

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B));
	e = ce_label("ce-a1", "10.1.1.3");
	cr_assert(e != NULL && in_fwd(e->label));
	reload(CONFIG(VRF_A_30(CE3) "," VRF_B));
	cr_assert_null(fx_vp(&t, "A", "192.168.110.0/24")->exp_label, "not exported: CE off-link");
	cr_assert_eq(e->state, LABEL_HELD);
	cr_assert(!in_fwd(e->label), "label %u still pops to 10.1.1.3, off the link", e->label);
	cr_assert(in_fwd(ce_label("ce-a1", "10.1.1.2")->label));
	assert_replay_agrees();
}

/* A link renumbered with its CE still on it (a wider mask) keeps the held label. */
Test(labelkeep, a_renumbering_that_keeps_the_ce_on_the_link_keeps_its_label)
{
	struct label_entry *e;

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B));
	reload(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3_TO_2) "," VRF_B));
	e = ce_label("ce-a1", "10.1.1.3");
	reload(CONFIG(VRF_A_IF_("A", "10.255.0.1:100", "per-ce", "10.1.1.1/16", CE3_TO_2) ","
		      VRF_B));
	cr_assert(e->state == LABEL_HELD && in_fwd(e->label));
	assert_replay_agrees();
}

/* label_hold_down 0: a released label is free at once, and so out of fwd at once. */
Test(labelkeep, without_a_hold_down_the_old_label_goes_at_once)
{
	start(CONFIG_NO_HOLD(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG_NO_HOLD(VRF_A("per-prefix") "," VRF_B));
	cr_assert_geq(fx_find(&rec, "lfib_del 100"), 0);
	assert_replay_agrees();
}

/* ---- across a vrfmgr restart ---- */

/*
 * A's per-VRF label 100, held down by a mode change 20 s before vrfmgr
 * restarts: the restarted vrfmgr programs it again (pop, look up in A), so
 * fwd's sweep after the replay keeps it, for the 40 s left, then it goes.
 */
Test(labelkeep, a_restart_keeps_a_held_per_vrf_label_in_fwd_for_the_rest_of_its_hold_down)
{
	const char *per_prefix = CONFIG(VRF_A("per-prefix") "," VRF_B);
	struct label_entry *e;

	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(per_prefix);
	cr_assert(in_fwd(100));
	restart_at(20, per_prefix);
	e = label_lookup(&t.labels, 100);
	cr_assert(e != NULL && e->state == LABEL_HELD && e->programmed);
	cr_assert_eq(label_held_for(&t.labels, e), 40, "the hold-down goes on, not again");
	cr_assert_str_eq(fwd_has("lfib", 100), "lfib_add 100 action 1 vrf 1 nh 0",
			 "popping into A (id 1) as before");
	cr_assert_eq(vrf_by_name(&t, "A")->id, 1);
	assert_replay_agrees();
	tick_at(59);
	cr_assert(in_fwd(100), "59 s after the release: still held down");
	tick_at(60);
	cr_assert_eq(fx_count(&rec, "lfib_del 100"), 1, "the hold-down is over: out of fwd");
	cr_assert_null(label_lookup(&t.labels, 100));
	assert_replay_agrees();
}

/*
 * Per-CE: 192.168.110/24 moved from CE 10.1.1.3 to 10.1.1.2, whose label
 * is kept, popping to 10.1.1.3. After the restart it pops there again,
 * through a next hop the restarted vrfmgr has in fwd for it alone; both go
 * at the end, the label first.
 */
Test(labelkeep, a_restart_keeps_a_held_per_ce_label_popping_to_its_ce)
{
	const char *moved = CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3_TO_2) "," VRF_B);
	struct label_entry *e;
	char want[64], del[32];
	const char *nh;

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B));
	reload(moved);
	restart_at(10, moved);
	e = ce_label("ce-a1", "10.1.1.3");
	cr_assert(e != NULL && e->state == LABEL_HELD && e->programmed && e->nh != NULL);
	snprintf(want, sizeof(want), "lfib_add %u action 2 vrf 1 nh %u", e->label,
		 e->nh->ipc.nh_id);
	cr_assert_str_eq(fwd_has("lfib", e->label), want);
	nh = fwd_has("nh", e->nh->ipc.nh_id);
	cr_assert(nh != NULL && strstr(nh, "gw 10.1.1.3 out - if ce-a1") != NULL, "%s", nh);
	snprintf(del, sizeof(del), "nh_del %u ", e->nh->ipc.nh_id);
	assert_replay_agrees();
	tick_at(60);
	cr_assert_geq(fx_find(&rec, "lfib_del"), 0);
	cr_assert_gt(fx_find(&rec, del), fx_find(&rec, "lfib_del"), "the label first, then its NH");
	assert_replay_agrees();
}

/*
 * Per-prefix labels of A, released by a change to per-vrf: each pops to
 * its prefix's own next hop again after the restart (the file says which:
 * the key names only the prefix), the connected subnet's to the link.
 */
Test(labelkeep, a_restart_keeps_held_per_prefix_labels_popping_to_their_next_hops)
{
	const char *per_vrf = CONFIG(VRF_A_("A", "10.255.0.1:100", "per-vrf", CE3) "," VRF_B);
	static const struct {
		const char *prefix, *nh;
	} want[] = { { "10.1.1.0/24", "gw 0.0.0.0 out - if ce-a1" },
		     { "192.168.100.0/24", "gw 10.1.1.2 out - if ce-a1" },
		     { "192.168.110.0/24", "gw 10.1.1.3 out - if ce-a1" } };
	uint32_t labels[3];

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-prefix", CE3) "," VRF_B));
	for (int i = 0; i < 3; i++)
		labels[i] = fx_vp(&t, "A", want[i].prefix)->exp_label->label;
	reload(per_vrf);
	restart_at(5, per_vrf);
	for (int i = 0; i < 3; i++) {
		struct label_entry *e = label_lookup(&t.labels, labels[i]);
		const char *l = fwd_has("lfib", labels[i]), *nh;
		char head[32];

		cr_assert(e != NULL && e->state == LABEL_HELD, "%s", want[i].prefix);
		cr_assert_not_null(l, "%s: label %u not in fwd", want[i].prefix, labels[i]);
		snprintf(head, sizeof(head), "lfib_add %u action 2 vrf 1 ", labels[i]);
		cr_assert_eq(strncmp(l, head, strlen(head)), 0, "%s", l);
		nh = fwd_has("nh", e->nh->ipc.nh_id);
		cr_assert(nh != NULL && strstr(nh, want[i].nh) != NULL, "%s: %s", want[i].prefix, nh);
	}
	assert_replay_agrees();
	tick_at(60);
	for (int i = 0; i < 3; i++)
		cr_assert(!in_fwd(labels[i]));
	assert_replay_agrees();
}

/* Two restarts within one hold-down: the second one keeps it too (the file says it again). */
Test(labelkeep, a_second_restart_in_the_hold_down_still_keeps_it)
{
	const char *per_ce = CONFIG(VRF_A("per-ce") "," VRF_B);

	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(per_ce);
	restart_at(10, per_ce);
	restart_at(30, per_ce);
	cr_assert_str_eq(fwd_has("lfib", 100), "lfib_add 100 action 1 vrf 1 nh 0");
	cr_assert_eq(label_held_for(&t.labels, label_lookup(&t.labels, 100)), 30);
}

/*
 * The mode changed while vrfmgr was down: label 100 was in use, nothing
 * claims it in the new config, so it is held down from the start, and
 * popping into A still (its last meaning) through that hold-down, as a
 * reload changing the mode would have kept it.
 */
Test(labelkeep, a_label_in_use_before_a_restart_that_nothing_claims_stays_in_fwd)
{
	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	restart_at(0, CONFIG(VRF_A("per-prefix") "," VRF_B));
	cr_assert_eq(label_lookup(&t.labels, 100)->state, LABEL_HELD);
	cr_assert_str_eq(fwd_has("lfib", 100), "lfib_add 100 action 1 vrf 1 nh 0");
	assert_replay_agrees();
}

/* A removed while vrfmgr was down: its held label stays reserved, out of fwd. */
Test(labelkeep, a_restart_without_the_vrf_leaves_its_held_label_out_of_fwd)
{
	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-prefix") "," VRF_B));
	restart_at(10, CONFIG(VRF_B));
	cr_assert_eq(label_lookup(&t.labels, 100)->state, LABEL_HELD, "still reserved");
	cr_assert(!label_lookup(&t.labels, 100)->programmed);
	cr_assert(!in_fwd(100) && !in_fwd(102) && !in_fwd(103));
	assert_replay_agrees();
}

/*
 * A re-created under its name with another RD while vrfmgr was down (a new
 * customer may stand behind it): it keeps its id, but not the old label's
 * entry. A VRF C taking A's place under another name gets no entry either.
 */
Test(labelkeep, a_restart_with_the_vrf_re_created_leaves_its_held_label_out_of_fwd)
{
	start(CONFIG(VRF_A("per-vrf") "," VRF_B));
	reload(CONFIG(VRF_A("per-prefix") "," VRF_B));
	restart_at(10, CONFIG(VRF_A_("A", "10.255.0.1:101", "per-prefix", "") "," VRF_B));
	cr_assert_eq(vrf_by_name(&t, "A")->id, 1);
	cr_assert_eq(label_lookup(&t.labels, 100)->state, LABEL_HELD);
	cr_assert(!in_fwd(100));
	restart_at(20, CONFIG(VRF_A_("C", "10.255.0.1:100", "per-prefix", "") "," VRF_B));
	cr_assert(!in_fwd(100));
	assert_replay_agrees();
}

/*
 * The CE's link renumbered (10.1.1.3 off it) or given to B while vrfmgr
 * was down: the held per-CE label stays reserved, out of fwd.
 */
Test(labelkeep, a_restart_with_the_ce_off_its_link_leaves_its_held_label_out_of_fwd)
{
	const char *moved = CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3_TO_2) "," VRF_B);
	uint32_t l;

	start(CONFIG(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B));
	reload(moved);
	l = ce_label("ce-a1", "10.1.1.3")->label;
	restart_at(10, CONFIG(VRF_A_30(CE3_TO_2) "," VRF_B));
	cr_assert_eq(label_lookup(&t.labels, l)->state, LABEL_HELD);
	cr_assert(!in_fwd(l), "label %u pops to 10.1.1.3, off the renumbered link", l);
	cr_assert(in_fwd(ce_label("ce-a1", "10.1.1.2")->label));
	assert_replay_agrees();
}

/* ---- a restart while a relabelled VRF waits for labels ---- */

/* Room for two per-VRF labels: A's 100 and B's 101, nothing else free. */
#define FULL_ROUTER                                                                              \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 101 }, \"label_hold_down\": 60 },"
#define FULL(vrfs) "{ " FULL_ROUTER " \"vrfs\": [ " vrfs " ], " LSP ", " CORE " }"

/* Each of A's two prefixes (its link, and 192.168.100/24 behind 10.1.1.2) exported with label l. */
static void assert_a_exported_with(uint32_t l)
{
	static const char *const prefixes[] = { "10.1.1.0/24", "192.168.100.0/24" };

	for (size_t i = 0; i < 2; i++) {
		const struct vrf_prefix *vp = fx_vp(&t, "A", prefixes[i]);

		cr_assert(vp != NULL && vp->exp_label != NULL, "%s not exported", prefixes[i]);
		cr_assert_eq(vp->exp_label->label, l, "%s", prefixes[i]);
	}
	cr_assert_eq(vrf_label_exports_waiting(vrf_by_name(&t, "A")), 0);
}

/*
 * A's label_mode changed to per-ce in a full range: its prefixes wait for
 * per-CE labels and keep 100 meanwhile (make-before-break). vrfmgr
 * restarts during that wait: the restarted one must export them with 100
 * still, not withdraw them until a label is free (the customer cut off
 * from its other sites), and keep 100 in use, popping into A.
 */
Test(labelkeep, a_restart_while_a_relabelled_vrf_waits_keeps_exporting_its_old_label)
{
	const char *per_ce = FULL(VRF_A("per-ce") "," VRF_B);
	struct label_entry *e;

	start(FULL(VRF_A("per-vrf") "," VRF_B));
	reload(per_ce);
	assert_a_exported_with(100);
	restart_at(10, per_ce);
	assert_a_exported_with(100);
	cr_assert(vrf_by_name(&t, "A")->label_wait, "A still waits for its per-CE labels");
	cr_assert_eq(vrf_label_exports_old_label(vrf_by_name(&t, "A")), 2, "GET /vrfs says so");
	e = label_lookup(&t.labels, 100);
	cr_assert(e != NULL && e->state == LABEL_USED, "in use, not held down by the restart");
	cr_assert_str_eq(fwd_has("lfib", 100), "lfib_add 100 action 1 vrf 1 nh 0", "pops into A");
	assert_replay_agrees();
}


/*
 * The wait that restart logs says what is free once the start-up build is
 * done: the last run's labels are reserved during it, and 100 is then A's
 * (in use) rather than held down from the end of the build. It read "(2
 * held down, the first free again in 60 s)": nothing was free then, or
 * ever, without a label released.
 */
Test(labelkeep, the_wait_a_restart_logs_says_what_is_free_after_the_build)
{
	const char *per_ce = FULL(VRF_A("per-ce") "," VRF_B);

	start(FULL(VRF_A("per-vrf") "," VRF_B));
	reload(per_ce);
	log_capture(LOG_LVL_WARN);
	restart_at(10, per_ce);
	cr_assert_not_null(strstr(log_captured(), "vrf A: no free label in 100-101 (all in use: one must "
					    "be released): 10.1.1.0/24, and any other prefix"),
			   "%s", log_captured());
	cr_assert_null(strstr(log_captured(), "held down"), "%s", log_captured());
}

/* The same when the mode changed while vrfmgr was down: as a reload would have kept it. */
Test(labelkeep, a_mode_changed_while_vrfmgr_was_down_in_a_full_range_keeps_the_old_label)
{
	start(FULL(VRF_A("per-vrf") "," VRF_B));
	restart_at(0, FULL(VRF_A("per-prefix") "," VRF_B));
	assert_a_exported_with(100);
	cr_assert_eq(label_lookup(&t.labels, 100)->state, LABEL_USED);
	assert_replay_agrees();
}

/*
 * After that restart the wait ends as it would have without one: B goes,
 * its 101 is free after the hold-down, and one of A's prefixes takes it
 * as a per-CE label; the other keeps 100, which stays in use.
 */
Test(labelkeep, after_that_restart_a_free_label_relabels_as_before)
{
	const char *per_ce = FULL(VRF_A("per-ce") "," VRF_B);

	start(FULL(VRF_A("per-vrf") "," VRF_B));
	reload(per_ce);
	restart_at(10, per_ce);
	reload(FULL(VRF_A("per-ce")));
	tick_at(10 + 60);
	cr_assert_eq(fx_vp(&t, "A", "10.1.1.0/24")->exp_label->label, 101);
	cr_assert_eq(fx_vp(&t, "A", "192.168.100.0/24")->exp_label->label, 100);
	cr_assert_geq(fx_find(&exps, "exp_add 10.255.0.1:100 10.1.1.0/24 label 101 "), 0);
	cr_assert_eq(fx_find(&exps, "exp_del 10.255.0.1:100 "), -1, "never withdrawn");
	cr_assert(in_fwd(100) && in_fwd(101));
	assert_replay_agrees();
}

/*
 * A prefix that went out with its own per-prefix label keeps it across a
 * restart while its VRF waits for labels of its mode, though the VRF's
 * per-VRF label is in use too (by the other prefixes): only vp can have
 * held its own label, so the state file says exactly what it went out
 * with. It was given the per-VRF label: a new UPDATE for nothing, its own
 * label held down (and kept in fwd) for the hold-down.
 */
#define ROOM_FOR_3                                                                               \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"        \
	"  \"label_range\": { \"min\": 100, \"max\": 102 }, \"label_hold_down\": 60 },"
#define ROOM3(vrfs) "{ " ROOM_FOR_3 " \"vrfs\": [ " vrfs " ], " LSP ", " CORE " }"

Test(labelkeep, a_prefix_on_its_own_label_keeps_it_across_a_restart_while_its_vrf_waits)
{
	const char *per_ce = ROOM3(VRF_A_("A", "10.255.0.1:100", "per-ce", CE3) "," VRF_B);

	start(ROOM3(VRF_A_("A", "10.255.0.1:100", "per-vrf", CE3) "," VRF_B));
	/* 102, the one free label, goes to the link's prefix; the two statics keep 100 */
	reload(ROOM3(VRF_A_("A", "10.255.0.1:100", "per-prefix", CE3) "," VRF_B));
	cr_assert_eq(fx_vp(&t, "A", "10.1.1.0/24")->exp_label->label, 102);
	reload(per_ce);
	cr_assert_eq(fx_vp(&t, "A", "10.1.1.0/24")->exp_label->label, 102, "still leads there");
	exps.n = 0;
	restart_at(10, per_ce);
	cr_assert_eq(fx_vp(&t, "A", "10.1.1.0/24")->exp_label->label, 102);
	cr_assert_eq(fx_vp(&t, "A", "192.168.100.0/24")->exp_label->label, 100);
	cr_assert_eq(fx_vp(&t, "A", "192.168.110.0/24")->exp_label->label, 100);
	cr_assert_eq(label_lookup(&t.labels, 102)->state, LABEL_USED);
	cr_assert_str_eq(fwd_has("lfib", 102), "lfib_add 102 action 2 vrf 1 nh 1", "to ce-a1's hosts");
	assert_replay_agrees();
}

/*
 * A relabel that waits for labels, then the label_mode changed back: A has
 * its 100 again and nothing waits. The wait ends with that reload, said
 * then; it lasted until some label was freed (B removed, 60 s later),
 * which logged "vrf A: label 100, free again: 0 routes exported" of the
 * label A had all along.
 */
Test(labelkeep, a_relabel_changed_back_ends_the_wait_with_the_reload)
{
	start(FULL(VRF_A("per-vrf") "," VRF_B));
	reload(FULL(VRF_A("per-ce") "," VRF_B));
	cr_assert(vrf_by_name(&t, "A")->label_wait);
	log_capture(LOG_LVL_INFO);
	reload(FULL(VRF_A("per-vrf") "," VRF_B));
	cr_assert_not(vrf_by_name(&t, "A")->label_wait, "nothing of A waits");
	cr_assert_not_null(strstr(log_captured(), "vrf A: label 100, no route waits for a label any "
					    "more"), "%s", log_captured());
	reload(FULL(VRF_A("per-vrf")));
	tick_at(61);
	cr_assert_null(strstr(log_captured(), "free again"), "%s", log_captured());
	assert_replay_agrees();
}
