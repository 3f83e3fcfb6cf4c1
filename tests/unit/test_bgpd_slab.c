/*
 * bgpd object pools (slab.h): objects zeroed, aligned, distinct and reused
 * after being freed; blocks added as needed and given back once the pool is
 * empty (one kept); a pool destroyed with objects out.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/slab.h"

Test(bgpd_slab, objects_zeroed_aligned_and_reused)
{
	struct slab s;
	unsigned char *a, *b, *c;

	slab_init(&s, 13);
	cr_assert_eq(s.obj_size, 16, "rounded up to 8");
	a = slab_alloc(&s);
	b = slab_alloc(&s);
	cr_assert(a && b && a != b);
	cr_assert_eq((uintptr_t)a % 8, 0);
	cr_assert_eq((uintptr_t)b % 8, 0);
	for (int i = 0; i < 13; i++)
		cr_assert_eq(a[i], 0);
	memset(a, 0xab, 13);
	slab_free(&s, a);
	c = slab_alloc(&s);
	cr_assert_eq(c, a, "the freed object is handed out first");
	for (int i = 0; i < 13; i++)
		cr_assert_eq(c[i], 0, "reused object not zeroed at %d", i);
	cr_assert_eq(s.n_live, 2);
	slab_destroy(&s);
	cr_assert_eq(s.n_blocks, 0);
}

Test(bgpd_slab, blocks_come_and_go)
{
	enum { N = 100000 };
	struct slab s;
	void **v = calloc(N, sizeof(*v));

	cr_assert_not_null(v);
	slab_init(&s, 56);
	for (int i = 0; i < N; i++) {
		v[i] = slab_alloc(&s);
		cr_assert_not_null(v[i]);
		memset(v[i], i & 0xff, 56);
	}
	cr_assert_geq(slab_bytes(&s), (size_t)N * 56);
	cr_assert_gt(s.n_blocks, 5);
	for (int i = 0; i < N; i += 2)
		slab_free(&s, v[i]);
	cr_assert_eq(s.n_live, N / 2);
	for (int i = 1; i < N; i += 2) /* the others kept their bytes */
		cr_assert_eq(((unsigned char *)v[i])[55], i & 0xff);
	for (int i = 1; i < N; i += 2)
		slab_free(&s, v[i]);
	cr_assert_eq(s.n_live, 0);
	cr_assert_eq(s.n_blocks, 1, "empty: one block kept");
	v[0] = slab_alloc(&s);
	cr_assert_not_null(v[0]);
	slab_free(&s, v[0]);
	cr_assert_eq(s.n_blocks, 1);
	slab_destroy(&s);
	free(v);
}

/* Under AddressSanitizer (the unit tests' build) a freed object is poisoned. */
Test(bgpd_slab, use_after_free_is_caught, .exit_code = 1)
{
	struct slab s;
	volatile unsigned char *a;

	slab_init(&s, 32);
	a = slab_alloc(&s);
	(void)slab_alloc(&s); /* keeps the pool from emptying */
	slab_free(&s, (void *)a);
	cr_log_info("reading a freed object: AddressSanitizer must stop this test");
	(void)a[8];
}
