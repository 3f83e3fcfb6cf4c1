/*
 * Labels across reloads (vrfmgr/reload.c with label.c): a VRF that waits
 * for a label held down for another, and a VRF re-created under its name
 * with another RD, which must never get its predecessor's labels.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "log_capture.h"
#include "test_vrfmgr_reload.h"

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

/* The table built from json, its label clock the fake one at 1000 s. */
static void clocked_setup(const char *json)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };

	log_init("test", LOG_LVL_ERR);
	cur = 0;
	now = 1000;
	fx_load(&cfgs[0], json);
	cr_assert_eq(vrf_table_init(&t, &cfgs[0], &dp), 0);
	t.labels.clock = fake_clock;
	vrf_table_set_export(&t, &sink);
	rec.n = exps.n = 0;
}

static void tight_setup(void)
{
	clocked_setup(TIGHT(VRF_A "," VRF_B));
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

/* What vrfmgr logs from here on (stderr into a file, warnings and worse). */

/*
 * The warning of a VRF that waits for a label says that routes keep the
 * label they had meanwhile only when a label mode change waits: a VRF just
 * added has no routes out, so the line would promise what does not happen.
 */
Test(labelwait, a_new_vrf_waiting_for_a_label_is_not_told_of_a_label_mode_change)
{
	const char *log;

	log_capture(LOG_LVL_WARN);
	reload(TIGHT(VRF_C "," VRF_B));
	log = log_captured();
	cr_assert_not_null(strstr(log, "vrf C: no free label in 100-101 (1 held down, the first "
				       "free again in 60 s): its routes are not exported until it "
				       "gets one\n"), "%s", log);
	cr_assert_null(strstr(log, "label mode change"), "%s", log);
}

Test(labelwait, a_new_per_prefix_vrf_waiting_for_a_label_is_not_told_of_a_label_mode_change)
{
	const char *log;

	log_capture(LOG_LVL_WARN);
	reload(TIGHT(VRF_P "," VRF_B));
	log = log_captured();
	cr_assert_not_null(strstr(log, "vrf P: no free label in 100-101 (1 held down, the first "
				       "free again in 60 s): 10.4.1.0/30, and any other prefix that "
				       "finds none, not exported until it gets one\n"), "%s", log);
	cr_assert_null(strstr(log, "label mode change"), "%s", log);
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
 * A label mode changed in a range with no free label: the new labels wait,
 * and meanwhile each prefix keeps the label it went out with while that one
 * still leads where the prefix goes (a per-VRF label pops into the VRF
 * itself). Before, every prefix of the VRF was withdrawn until a label was
 * free: the customer cut off for the hold-down, by a reload that is meant
 * to be make-before-break.
 */
#define A_PER_CE VRF_A_("10.255.0.1:100", "\"65000:100\"", "\"65000:100\"", "per-ce", "")

Test(labelwait, a_label_mode_change_with_no_free_label_keeps_the_old_label_meanwhile)
{
	char lfib_del[32];

	log_capture(LOG_LVL_WARN);
	reload(TIGHT(A_PER_CE "," VRF_B));
	cr_assert_not_null(strstr(log_captured(), "not exported until it gets one (or, after its label "
					    "mode change, exported with the label it had "
					    "meanwhile)\n"), "%s", log_captured());
	cr_assert_eq(fx_find(&exps, "exp_del 10.255.0.1:100 "), -1, "A withdrawn for want of a label");
	snprintf(lfib_del, sizeof(lfib_del), "lfib_del 100 ");
	cr_assert_eq(fx_find(&rec, lfib_del), -1, "100 still pops into A");
	cr_assert(vrf_by_name(&t, "A")->label_wait, "A still waits for its per-CE labels");
	cr_assert_eq(vrf_label_exports_waiting(vrf_by_name(&t, "A")), 0, "both exported, with 100");
	cr_assert_eq(vrf_label_exports_old_label(vrf_by_name(&t, "A")), 2, "both on the old label");

	/* B goes: its label is free after the hold-down, and one of A's prefixes takes it */
	reload(TIGHT(A_PER_CE));
	now += 60;
	vrf_table_labels_tick(&t);
	cr_assert_geq(fx_find(&exps, "exp_add 10.255.0.1:100 10.1.1.0/30 label 101 "), 0,
		      "relabelled once a label is free");
	cr_assert_eq(fx_find(&exps, "exp_del 10.255.0.1:100 "), -1);
	cr_assert_eq(vrf_label_exports_old_label(vrf_by_name(&t, "A")), 1, "the other still waits");
}

/*
 * GET /vrfs' "exports_waiting": a VRF whose routes wait for a label looks
 * like any other VRF (its label null, as a per-CE VRF's always is) but for
 * this count, which ferryctl's show vrf and verify say.
 */
Test(labelwait, the_routes_waiting_for_a_label_are_counted_until_they_have_one)
{
	reload(TIGHT(VRF_C "," VRF_B));
	cr_assert_eq(vrf_label_exports_waiting(vrf_by_name(&t, "C")), 2, "both of C's prefixes");
	cr_assert_eq(vrf_label_exports_waiting(vrf_by_name(&t, "B")), 0, "B has its label");
	now += 60;
	vrf_table_labels_tick(&t);
	cr_assert_eq(vrf_label_exports_waiting(vrf_by_name(&t, "C")), 0, "exported now");

	reload(TIGHT(VRF_P "," VRF_B));
	cr_assert_eq(vrf_label_exports_waiting(vrf_by_name(&t, "P")), 1, "10.4.1.0/30, per prefix");
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
	clocked_setup(HOLD(VRF_A "," VRF_B));
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
