/*
 * vrfmgr/label.c: lowest free label first, one label per key (the same key
 * gets the same label back), reference counts, range limits, hold-down;
 * a VRF name back with another RD (another tenant) never gets the labels
 * its predecessor had, back with the same RD it does.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "common/label.h"
#include "test_vrfmgr_fixture.h"
#include "vrfmgr/label.h"

static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

static struct label_entry *claim_vrf(struct label_alloc *la, const char *name, uint32_t id)
{
	struct label_key k;

	label_key_vrf(&k, name);
	return label_claim(la, &k, id);
}

static uint32_t claim_prefix(struct label_alloc *la, const char *vrf, const char *p)
{
	struct label_key k;
	struct prefix4 pf;
	struct label_entry *e;

	cr_assert_eq(prefix4_parse(p, &pf), 0);
	label_key_prefix(&k, vrf, &pf);
	e = label_claim(la, &k, 1);
	return e != NULL ? e->label : MPLS_LABEL_NONE;
}

Test(label, config_order_from_the_bottom_of_the_range)
{
	struct label_alloc la;

	label_alloc_init(&la, 100, 199, 0);
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, 100);
	cr_assert_eq(claim_vrf(&la, "B", 2)->label, 101);
	cr_assert_eq(label_lookup(&la, 100)->vrf_id, 1);
	cr_assert_eq(label_lookup(&la, 101)->vrf_id, 2);
	cr_assert_null(label_lookup(&la, 102));
	cr_assert_eq(la.n, 2);
	label_alloc_free(&la);
}

Test(label, same_key_same_label_and_references)
{
	struct label_alloc la;
	struct label_entry *a, *b;
	struct label_key k;

	label_alloc_init(&la, 100, 199, 0);
	a = claim_vrf(&la, "A", 1);
	b = claim_vrf(&la, "A", 1);
	cr_assert_eq(a, b);
	cr_assert_eq(a->refs, 2);
	label_key_ce(&k, "A", "ce-a1", 0x0A010102);
	cr_assert_eq(label_claim(&la, &k, 1)->label, 101);
	label_key_ce(&k, "A", "ce-a1", 0x0A010103);
	cr_assert_eq(label_claim(&la, &k, 1)->label, 102, "another CE, another label");
	label_key_vrf(&k, "A");
	cr_assert_eq(label_find(&la, &k), a);
	label_unclaim(&la, a);
	cr_assert_eq(label_lookup(&la, 100), a, "one reference left");
	label_unclaim(&la, a);
	cr_assert_null(label_lookup(&la, 100), "hold-down 0: freed at once");
	label_alloc_free(&la);
}

Test(label, released_label_is_reused_lowest_first_without_hold_down)
{
	struct label_alloc la;

	label_alloc_init(&la, 200, 299, 0);
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 200);
	cr_assert_eq(claim_prefix(&la, "A", "10.0.1.0/24"), 201);
	cr_assert_eq(claim_prefix(&la, "A", "10.0.2.0/24"), 202);
	label_unclaim(&la, label_lookup(&la, 201));
	cr_assert_null(label_lookup(&la, 201));
	cr_assert_eq(claim_prefix(&la, "B", "10.0.1.0/24"), 201);
	cr_assert_eq(claim_prefix(&la, "B", "10.0.9.0/24"), 203);
	/* The table stays sorted for the API listing. */
	for (size_t i = 1; i < la.n; i++)
		cr_assert_lt(la.v[i - 1]->label, la.v[i]->label);
	label_alloc_free(&la);
}

Test(label, exhausted_range_gives_none)
{
	struct label_alloc la;

	log_init("test", LOG_LVL_ERR);
	label_alloc_init(&la, 100, 101, 0);
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, 100);
	cr_assert_eq(claim_vrf(&la, "B", 2)->label, 101);
	cr_assert_null(claim_vrf(&la, "C", 3));
	cr_assert_eq(la.n, 2);
	label_alloc_free(&la);
}

Test(label, reserved_labels_and_max_are_clamped)
{
	struct label_alloc la;

	label_alloc_init(&la, 0, 0xFFFFFFF, 0);
	cr_assert_eq(la.min, MPLS_LABEL_FIRST_UNRESERVED);
	cr_assert_eq(la.max, MPLS_LABEL_MAX);
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, 16);
	label_alloc_free(&la);

	log_init("test", LOG_LVL_ERR);
	label_alloc_init(&la, MPLS_LABEL_MAX, MPLS_LABEL_MAX, 0);
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, MPLS_LABEL_MAX);
	cr_assert_null(claim_vrf(&la, "B", 2));
	label_alloc_free(&la);
}

Test(label, many_labels_grow_the_table)
{
	struct label_alloc la;
	char name[16];
	uint32_t i;

	label_alloc_init(&la, 1000, 99999, 60);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "v%u", i);
		cr_assert_eq(claim_vrf(&la, name, i + 1)->label, 1000 + i);
	}
	cr_assert_eq(label_lookup(&la, 1999)->vrf_id, 1000);
	for (i = 0; i < 1000; i++) {
		struct label_key k;

		snprintf(name, sizeof(name), "v%u", i);
		label_key_vrf(&k, name);
		cr_assert_eq(label_find(&la, &k)->label, 1000 + i);
	}
	label_alloc_free(&la);
}

Test(label, pe1_vrfs_get_100_and_101)
{
	struct ferry_config cfg;
	struct vrf_table t;

	log_init("test", LOG_LVL_WARN);
	fx_load(&cfg, FX_PE1_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), 0);
	cr_assert_eq(vrf_by_name(&t, "A")->label, 100);
	cr_assert_eq(vrf_by_name(&t, "B")->label, 101);
	cr_assert_eq(label_lookup(&t.labels, 101)->vrf_id, vrf_by_name(&t, "B")->id);
	vrf_table_free(&t);
	config_free(&cfg);
}

Test(label, vrf_table_refuses_a_range_too_small)
{
	struct ferry_config cfg;
	struct vrf_table t;

	log_init("test", LOG_LVL_ERR);
	fx_load(&cfg, FX_PE1_JSON);
	cfg.label_max = cfg.label_min; /* room for A only */
	cr_assert_eq(vrf_table_init(&t, &cfg, NULL), -ENOSPC);
	config_free(&cfg);
}

Test(label, hold_down_keeps_a_released_label_from_other_keys)
{
	struct label_alloc la;
	struct label_entry *e;

	fake_now = 1000;
	label_alloc_init(&la, 100, 199, 60);
	la.clock = fake_clock;
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 100);
	cr_assert_eq(claim_prefix(&la, "A", "10.0.1.0/24"), 101);
	label_unclaim(&la, label_lookup(&la, 100));
	e = label_lookup(&la, 100);
	cr_assert_not_null(e);
	cr_assert_eq(e->state, LABEL_HELD);
	cr_assert_eq(label_held_for(&la, e), 60);
	/* Another key may not have it while it is held down... */
	fake_now += 59;
	cr_assert_eq(claim_prefix(&la, "A", "10.0.2.0/24"), 102);
	cr_assert_eq(label_held_for(&la, e), 1);
	/* ...its own key gets it back at once (a flapping route keeps its label)... */
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 100);
	cr_assert_eq(e->state, LABEL_USED);
	label_unclaim(&la, e);
	/* ...and once the time is over it is the lowest free label again. */
	fake_now += 60;
	cr_assert_eq(claim_prefix(&la, "B", "10.9.0.0/24"), 103, "expiry is lazy: gaps first");
	cr_assert_eq(label_expire(&la), 1);
	cr_assert_eq(claim_prefix(&la, "B", "10.9.1.0/24"), 100);
	label_alloc_free(&la);
}

Test(label, exhausted_range_takes_expired_held_labels)
{
	struct label_alloc la;

	log_init("test", LOG_LVL_ERR);
	fake_now = 5000;
	label_alloc_init(&la, 100, 101, 10);
	la.clock = fake_clock;
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 100);
	cr_assert_eq(claim_prefix(&la, "A", "10.0.1.0/24"), 101);
	label_unclaim(&la, label_lookup(&la, 100));
	cr_assert_eq(claim_prefix(&la, "A", "10.0.2.0/24"), MPLS_LABEL_NONE, "100 is held");
	fake_now += 10;
	cr_assert_eq(claim_prefix(&la, "A", "10.0.2.0/24"), 100);
	/* A clock stepped back never holds a label longer than the hold-down. */
	label_unclaim(&la, label_lookup(&la, 101));
	fake_now -= 3600;
	cr_assert_eq(label_held_for(&la, label_lookup(&la, 101)), 10);
	label_alloc_free(&la);
}

/* What a VRF that finds no free label is told: how many are held, the first free when. */
Test(label, next_free_says_when_a_held_label_is_free_again)
{
	struct label_alloc la;
	struct label_key k;
	size_t n;

	fake_now = 2000;
	label_alloc_init(&la, 100, 102, 60);
	la.clock = fake_clock;
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 100);
	cr_assert_eq(claim_prefix(&la, "A", "10.0.1.0/24"), 101);
	cr_assert_eq(label_next_free(&la, &n), UINT32_MAX, "all in use");
	cr_assert_eq(n, 0);
	label_unclaim(&la, label_lookup(&la, 100));
	fake_now += 20;
	label_unclaim(&la, label_lookup(&la, 101));
	fake_now += 5;
	cr_assert_eq(label_next_free(&la, &n), 35, "100's hold-down ends first");
	cr_assert_eq(n, 2);
	/* The last run's label, not claimed yet: held for a whole hold-down from the build's end. */
	label_key_vrf(&k, "B");
	cr_assert_eq(label_restore(&la, 102, &k, LABEL_RESERVED, 0), 0);
	fake_now += 30;
	cr_assert_eq(label_next_free(&la, &n), 5);
	cr_assert_eq(n, 3);
	label_alloc_free(&la);
}

/* A's per-VRF label 100 and per-prefix label 101 (B has 102), both released by A at 1000. */
static void two_of_a_released(struct label_alloc *la)
{
	fake_now = 1000;
	label_alloc_init(la, 100, 199, 60);
	la->clock = fake_clock;
	cr_assert_eq(claim_vrf(la, "A", 1)->label, 100);
	cr_assert_eq(claim_prefix(la, "A", "10.0.0.0/24"), 101);
	cr_assert_eq(claim_vrf(la, "B", 2)->label, 102);
	label_unclaim(la, label_lookup(la, 100));
	label_unclaim(la, label_lookup(la, 101));
}

/*
 * A leaves with RD 65000:1 and a VRF named A comes with 65000:2: another
 * tenant. A's labels are retired: held down to the end (remote PEs may
 * still send the old tenant's traffic with them), given to no key, not
 * even A's; then free.
 */
Test(label, a_vrf_back_with_another_rd_never_claims_its_predecessors_labels)
{
	struct label_alloc la;
	struct rd rd1 = fx_rd("65000:1"), rd2 = fx_rd("65000:2"), was;
	size_t n;

	two_of_a_released(&la);
	label_vrf_left(&la, "A", &rd1);
	cr_assert(rd_equal(label_vrf_left_rd(&la, "A"), &rd1));
	fake_now += 10;
	cr_assert_eq(label_vrf_arrived(&la, "A", &rd2, &was), 2);
	cr_assert(rd_equal(&was, &rd1));
	cr_assert_null(label_vrf_left_rd(&la, "A"), "A is there again");
	for (uint32_t l = 100; l <= 101; l++) {
		const struct label_entry *e = label_lookup(&la, l);

		cr_assert(e != NULL && e->state == LABEL_HELD && label_key_retired(&e->key), "%u", l);
		cr_assert_str_eq(e->key.vrf, "A", "what it stood for is still said");
		cr_assert_str_eq(label_kind_name(e->key.kind), l == 100 ? "per-vrf" : "per-prefix");
		cr_assert_eq(label_held_for(&la, e), 50, "the hold-down goes on, not again");
	}
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, 103, "the new A: a new label");
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 104);
	cr_assert_eq(claim_prefix(&la, "C", "10.0.0.0/24"), 105);
	cr_assert_eq(label_next_free(&la, &n), 50);
	cr_assert_eq(n, 2, "both still held down");
	/*
	 * A re-created again: 103 and 104 are retired now, 100 and 101 not
	 * twice. One still in use is held down, retired, when let go.
	 */
	label_unclaim(&la, label_lookup(&la, 103));
	label_vrf_left(&la, "A", &rd2);
	cr_assert_eq(label_vrf_arrived(&la, "A", &rd1, &was), 2);
	label_unclaim(&la, label_lookup(&la, 104));
	cr_assert_eq(label_lookup(&la, 104)->state, LABEL_HELD);
	cr_assert(label_key_retired(&label_lookup(&la, 104)->key));
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 106);
	fake_now += 50;
	cr_assert_eq(label_expire(&la), 2, "100 and 101: free at the end of their hold-down");
	cr_assert_eq(claim_prefix(&la, "C", "10.0.1.0/24"), 100);
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, 101, "a free label is anyone's");
	label_alloc_free(&la);
}

/* Back with the same RD it is the same VRF: its labels come back, nothing is retired. */
Test(label, a_vrf_back_with_its_rd_gets_its_labels_back)
{
	struct label_alloc la;
	struct rd rd1 = fx_rd("65000:1"), was;

	two_of_a_released(&la);
	label_vrf_left(&la, "A", &rd1);
	cr_assert_eq(label_vrf_arrived(&la, "A", &rd1, &was), 0);
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, 100);
	cr_assert_eq(claim_prefix(&la, "A", "10.0.0.0/24"), 101);
	/* A name that never left (a first start, or one the file gives no RD for): as before. */
	cr_assert_eq(label_vrf_arrived(&la, "B", &rd1, &was), 0);
	cr_assert_eq(claim_vrf(&la, "B", 2)->label, 102);
	label_alloc_free(&la);
}

/* A name that left is remembered as long as its labels can be held, not for ever. */
Test(label, a_name_that_left_is_forgotten_with_its_labels)
{
	struct label_alloc la;
	struct rd rd1 = fx_rd("65000:1"), rd2 = fx_rd("65000:2"), was;

	two_of_a_released(&la);
	label_vrf_left(&la, "A", &rd1);
	fake_now += 59;
	label_expire(&la);
	cr_assert_not_null(label_vrf_left_rd(&la, "A"));
	fake_now += 1;
	cr_assert_eq(label_expire(&la), 2);
	cr_assert_null(label_vrf_left_rd(&la, "A"));
	cr_assert_eq(label_vrf_arrived(&la, "A", &rd2, &was), 0, "nothing of the old A is left");
	label_alloc_free(&la);
}

/* The state file may give a retired key twice (A re-created twice in one hold-down). */
Test(label, a_retired_key_may_be_restored_twice)
{
	struct label_alloc la;
	struct label_key k;

	fake_now = 1000;
	label_alloc_init(&la, 100, 199, 60);
	la.clock = fake_clock;
	label_key_vrf(&k, "A");
	k.kind |= LABEL_KIND_RETIRED;
	cr_assert_eq(label_restore(&la, 100, &k, LABEL_HELD, 990), 0);
	cr_assert_eq(label_restore(&la, 101, &k, LABEL_RESERVED, 0), 0);
	label_key_vrf(&k, "A");
	cr_assert_eq(label_restore(&la, 102, &k, LABEL_RESERVED, 0), 0);
	cr_assert_eq(label_restore(&la, 103, &k, LABEL_RESERVED, 0), -EEXIST, "A's own, once");
	cr_assert_eq(claim_vrf(&la, "A", 1)->label, 102);
	label_alloc_free(&la);
}
