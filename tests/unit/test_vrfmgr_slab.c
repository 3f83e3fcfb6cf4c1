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

/* ---- empty blocks given back (the blocks themselves, as outside ASan) ---- */

#define BLOCK (64 * 1024)
#define PER_BLOCK ((BLOCK - 16) / 24) /* 24-byte objects cut from a block */
#define N_OBJ (10 * PER_BLOCK + 5)    /* ten full blocks and the current one */

static size_t free_list_length(const struct slab *s)
{
	size_t n = 0;

	for (void *p = s->free; p != NULL; memcpy(&p, p, sizeof(void *)))
		n++;
	return n;
}

/*
 * Block 3 kept whole and one object of block 6: the other nine blocks'
 * objects and the current block's freed. Every block but those two and the
 * current one goes; what stays keeps its bytes, and every free object left
 * is in a block still held (ASan: using one in a freed block is an error).
 */
Test(vrfmgr_slab, trim_gives_back_only_blocks_with_every_object_free)
{
	static struct slab s = SLAB_INIT(struct obj);
	static struct obj *o[N_OBJ];
	size_t kept = 0;

	slab_set_plain(false);
	for (size_t i = 0; i < N_OBJ; i++)
		cr_assert_not_null(o[i] = slab_alloc(&s));
	cr_assert_eq(s.n_blocks, 11);
	for (size_t i = 0; i < N_OBJ; i++) {
		bool keep = i / PER_BLOCK == 3 || i == 6 * PER_BLOCK + 17;

		if (keep) {
			memset(o[i]->bytes, (int)(i & 0x7f), sizeof(o[i]->bytes));
			kept++;
		} else {
			slab_free(&s, o[i]);
		}
	}
	cr_assert_eq(slab_trim(&s), 8 * (size_t)BLOCK, "blocks 0-2, 4, 5, 7-9 go");
	cr_assert_eq(s.n_blocks, 3);
	cr_assert_eq(s.live, kept);
	cr_assert_eq(free_list_length(&s), s.carved - s.live);
	cr_assert_eq(s.carved, 2 * PER_BLOCK + 5);
	for (size_t i = 0; i < N_OBJ; i++)
		if (i / PER_BLOCK == 3 || i == 6 * PER_BLOCK + 17)
			for (size_t b = 0; b < sizeof(o[i]->bytes); b++)
				cr_assert_eq(o[i]->bytes[b], (char)(i & 0x7f));
	/* the free objects left are usable: written whole, under ASan */
	for (size_t i = 0, n = s.carved - s.live; i < n; i++)
		memset(slab_alloc(&s), 0xCD, sizeof(struct obj));
	cr_assert_eq(s.n_blocks, 3, "the free objects were used before a new block");
	cr_assert_eq(slab_trim(&s), 0, "nothing free, nothing given back");
}

Test(vrfmgr_slab, trim_without_an_empty_block_changes_nothing)
{
	static struct slab s = SLAB_INIT(struct obj);
	static struct obj *o[N_OBJ];

	slab_set_plain(false);
	for (size_t i = 0; i < N_OBJ; i++)
		o[i] = slab_alloc(&s);
	for (size_t i = 0; i < N_OBJ; i++)
		if (i % PER_BLOCK != 0) /* each block keeps its first object */
			slab_free(&s, o[i]);
	cr_assert_eq(slab_trim(&s), 0);
	cr_assert_eq(s.n_blocks, 11);
	cr_assert_eq(free_list_length(&s), N_OBJ - 11);
}

/* Quiet ticks count the calls in a row with nothing allocated or freed; a change starts again. */
Test(vrfmgr_slab, quiet_ticks_then_trim_all)
{
	static struct slab s = SLAB_INIT(struct obj);
	static struct obj *o[N_OBJ];

	slab_set_plain(false);
	for (size_t i = 0; i < N_OBJ; i++)
		o[i] = slab_alloc(&s);
	for (size_t i = 0; i < N_OBJ; i++)
		slab_free(&s, o[i]);
	cr_assert_eq(slab_quiet_ticks(), 0, "objects were just freed");
	cr_assert_eq(slab_quiet_ticks(), 1, "quiet for one call");
	slab_free(&s, slab_alloc(&s));
	cr_assert_eq(slab_quiet_ticks(), 0, "busy again");
	cr_assert_eq(slab_quiet_ticks(), 1);
	cr_assert_eq(slab_quiet_ticks(), SLAB_QUIET_TICKS);
	cr_assert_eq(slab_quiet_ticks(), SLAB_QUIET_TICKS + 1, "and on");
	cr_assert_eq(slab_trim_all(), 10 * (size_t)BLOCK, "all but the current block");
	cr_assert_eq(slab_trim_all(), 0, "once: nothing worth trimming left");
	cr_assert_eq(s.n_blocks, 1);
	cr_assert_eq(slab_release_all(), 0);
}
