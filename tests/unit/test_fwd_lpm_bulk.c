/*
 * fwd/lpm.c with bulk changes like a BGP table's: 100k /24s with one value
 * (a label per VRF: they merge into a few ranges) added, committed in
 * batches, then deleted front first, which must not shift the list once per
 * delete; deleted routes are invisible to get, walk and count before the
 * commit squeezes them out, and one deleted then added again before a commit
 * is back; a chunk with that many routes splits even with few ranges.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "fwd/lpm.h"

#define N 100000
#define BASE 0x14000000u /* 20.0.0.0 */

static int count_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	(void)prefix, (void)plen, (void)tag;
	cr_assert_neq(value, 0);
	(*(size_t *)ctx)++;
	return 0;
}

static size_t walk_count(const struct lpm *t)
{
	size_t n = 0;

	lpm_walk(t, count_cb, &n);
	return n;
}

Test(lpm_bulk, a_hundred_thousand_same_value_routes_in_and_out_front_first, .timeout = 60)
{
	struct lpm *t = lpm_new(NULL, NULL);
	size_t bytes_full;

	for (uint32_t i = 0; i < N; i++) {
		cr_assert_eq(lpm_add(t, BASE + (i << 8), 24, 7, 0, NULL), 0);
		if (i % 1500 == 1499)
			cr_assert_eq(lpm_commit(t), 0);
	}
	cr_assert_eq(lpm_commit(t), 0);
	cr_assert_eq(lpm_count(t), N);
	cr_assert_eq(lpm_lookup(t, BASE + ((N - 1) << 8) + 9), 7);
	cr_assert_eq(lpm_lookup(t, BASE + (N << 8)), 0);
	bytes_full = lpm_memory(t);
	for (uint32_t i = 0; i < N; i++) {
		cr_assert_eq(lpm_delete(t, BASE + (i << 8), 24), 7);
		if (i == N / 2) {
			/* before the commit: gone for the control view, still there for lookups */
			cr_assert_eq(lpm_get(t, BASE + (i << 8), 24, NULL), 0);
			cr_assert_eq(lpm_delete(t, BASE + (i << 8), 24), 0, "deleted twice");
			cr_assert_eq(lpm_count(t), N - N / 2 - 1);
			cr_assert_eq(walk_count(t), N - N / 2 - 1);
			cr_assert_eq(lpm_lookup(t, BASE + (i << 8) + 1), 7);
			cr_assert_eq(lpm_lookup(t, BASE + 1), 0, "committed long ago");
		}
		if (i % 1500 == 1499) {
			cr_assert_eq(lpm_commit(t), 0);
			cr_assert_eq(lpm_lookup(t, BASE + (i << 8)), 0);
			cr_assert_eq(lpm_lookup(t, BASE + ((i + 1) << 8)), 7);
		}
	}
	cr_assert_eq(lpm_commit(t), 0);
	cr_assert_eq(lpm_count(t), 0);
	cr_assert_eq(walk_count(t), 0);
	cr_assert_eq(lpm_lookup(t, BASE + (N / 2 << 8)), 0);
	cr_assert_lt(lpm_memory(t), bytes_full / 10, "lists shrink: %zu of %zu", lpm_memory(t),
		     bytes_full);
	lpm_free(t);
}

Test(lpm_bulk, deleted_then_added_again_before_the_commit)
{
	struct lpm *t = lpm_new(NULL, NULL);
	uint32_t old = 99;
	uint16_t tag = 0;

	cr_assert_eq(lpm_add(t, BASE, 24, 5, 1, NULL), 0);
	cr_assert_eq(lpm_add(t, BASE, 16, 4, 1, NULL), 0);
	cr_assert_eq(lpm_commit(t), 0);
	cr_assert_eq(lpm_delete(t, BASE, 24), 5);
	cr_assert_eq(lpm_add(t, BASE, 24, 6, 2, &old), 0);
	cr_assert_eq(old, 0, "it was gone: a new route");
	cr_assert_eq(lpm_count(t), 2);
	cr_assert_eq(lpm_get(t, BASE, 24, &tag), 6);
	cr_assert_eq(tag, 2);
	cr_assert_eq(lpm_commit(t), 0);
	cr_assert_eq(lpm_lookup(t, BASE + 3), 6);
	cr_assert_eq(lpm_delete(t, BASE, 24), 6);
	cr_assert_eq(lpm_commit(t), 0);
	cr_assert_eq(lpm_lookup(t, BASE + 3), 4, "the /16 covers it again");
	cr_assert_eq(walk_count(t), 1);
	lpm_free(t);
}
