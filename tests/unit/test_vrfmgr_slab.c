/*
 * vrfmgr's object allocator (slab.h): objects zeroed and counted; at exit
 * slab_release_all names a slab whose objects are still out. The unit tests
 * build with ASan, where objects are plain calloc/free: the 64 KB blocks
 * themselves are checked by tests/valgrind/run (vrfmgr: 0 bytes in use at exit).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "vrfmgr/slab.h"

struct obj {
	char bytes[24];
};

Test(vrfmgr_slab, objects_zeroed_and_counted)
{
	static struct slab s = SLAB_INIT(struct obj);
	struct obj *a = slab_alloc(&s), *b;

	cr_assert_not_null(a);
	memset(a, 0xAB, sizeof(*a));
	slab_free(&s, a);
	b = slab_alloc(&s);
	cr_assert_not_null(b);
	for (size_t i = 0; i < sizeof(b->bytes); i++)
		cr_assert_eq(b->bytes[i], 0, "a reused object comes back zeroed");
	cr_assert_eq(s.live, 1);
	slab_free(&s, b);
	slab_free(&s, NULL);
	cr_assert_eq(s.live, 0);
}

Test(vrfmgr_slab, release_all_names_slabs_still_in_use)
{
	static struct slab used = SLAB_INIT(struct obj), held = SLAB_INIT(struct obj);
	void *u[3000], *h;

	for (int i = 0; i < 3000; i++) /* more than one 64 KB block outside ASan */
		cr_assert_not_null(u[i] = slab_alloc(&used));
	h = slab_alloc(&held);
	for (int i = 0; i < 3000; i++)
		slab_free(&used, u[i]);
	cr_assert_eq(slab_release_all(), 1, "one slab still has an object out");
	slab_free(&held, h);
	cr_assert_eq(slab_release_all(), 0);
	cr_assert_not_null(u[0] = slab_alloc(&used), "a released slab can start again");
	slab_free(&used, u[0]);
	cr_assert_eq(slab_release_all(), 0);
}
