/* vrfmgr/label.c: lowest free label first, range limits, release and reuse. */
#include <criterion/criterion.h>
#include <errno.h>

#include "common/label.h"
#include "test_vrfmgr_fixture.h"
#include "vrfmgr/label.h"

Test(label, config_order_from_the_bottom_of_the_range)
{
	struct label_alloc la;

	label_alloc_init(&la, 100, 199);
	cr_assert_eq(label_alloc_vrf(&la, 1), 100);
	cr_assert_eq(label_alloc_vrf(&la, 2), 101);
	cr_assert_eq(label_lookup(&la, 100)->vrf_id, 1);
	cr_assert_eq(label_lookup(&la, 101)->vrf_id, 2);
	cr_assert_null(label_lookup(&la, 102));
	cr_assert_eq(la.n, 2);
	label_alloc_free(&la);
}

Test(label, released_label_is_reused_lowest_first)
{
	struct label_alloc la;

	label_alloc_init(&la, 200, 299);
	cr_assert_eq(label_alloc_vrf(&la, 1), 200);
	cr_assert_eq(label_alloc_vrf(&la, 2), 201);
	cr_assert_eq(label_alloc_vrf(&la, 3), 202);
	cr_assert_eq(label_release(&la, 201), 0);
	cr_assert_eq(label_release(&la, 201), -ENOENT);
	cr_assert_null(label_lookup(&la, 201));
	cr_assert_eq(label_alloc_vrf(&la, 4), 201);
	cr_assert_eq(label_alloc_vrf(&la, 5), 203);
	/* The table stays sorted for the API listing. */
	for (size_t i = 1; i < la.n; i++)
		cr_assert_lt(la.v[i - 1].label, la.v[i].label);
	label_alloc_free(&la);
}

Test(label, exhausted_range_gives_none)
{
	struct label_alloc la;

	label_alloc_init(&la, 100, 101);
	cr_assert_eq(label_alloc_vrf(&la, 1), 100);
	cr_assert_eq(label_alloc_vrf(&la, 2), 101);
	cr_assert_eq(label_alloc_vrf(&la, 3), MPLS_LABEL_NONE);
	cr_assert_eq(la.n, 2);
	label_alloc_free(&la);
}

Test(label, reserved_labels_and_max_are_clamped)
{
	struct label_alloc la;

	label_alloc_init(&la, 0, 0xFFFFFFF);
	cr_assert_eq(la.min, MPLS_LABEL_FIRST_UNRESERVED);
	cr_assert_eq(la.max, MPLS_LABEL_MAX);
	cr_assert_eq(label_alloc_vrf(&la, 1), 16);
	label_alloc_free(&la);

	label_alloc_init(&la, MPLS_LABEL_MAX, MPLS_LABEL_MAX);
	cr_assert_eq(label_alloc_vrf(&la, 1), MPLS_LABEL_MAX);
	cr_assert_eq(label_alloc_vrf(&la, 2), MPLS_LABEL_NONE);
	label_alloc_free(&la);
}

Test(label, many_labels_grow_the_table)
{
	struct label_alloc la;
	uint32_t i;

	label_alloc_init(&la, 1000, 99999);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(label_alloc_vrf(&la, i + 1), 1000 + i);
	cr_assert_eq(label_lookup(&la, 1999)->vrf_id, 1000);
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
