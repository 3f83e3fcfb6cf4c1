/*
 * fwd/lpm.c against a brute-force reference: random tables with many
 * overlapping prefixes, adds, replaces and deletes, then lookups of random
 * addresses near the stored prefixes compared with a linear scan.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "fwd/lpm.h"

#define REF_MAX 6000

struct ref_route {
	uint32_t prefix;
	uint8_t plen;
	uintptr_t value;
	bool used;
};

static struct ref_route ref[REF_MAX];
static size_t n_ref;
static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: deterministic, so a failure is reproducible from the seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t mask(uint8_t plen)
{
	return plen == 0 ? 0 : 0xFFFFFFFFu << (32 - plen);
}

static struct ref_route *ref_find(uint32_t prefix, uint8_t plen)
{
	for (size_t i = 0; i < n_ref; i++)
		if (ref[i].used && ref[i].plen == plen && ref[i].prefix == prefix)
			return &ref[i];
	return NULL;
}

static uintptr_t ref_lookup(uint32_t addr)
{
	int best_len = -1;
	uintptr_t v = 0;

	for (size_t i = 0; i < n_ref; i++) {
		if (!ref[i].used || (addr & mask(ref[i].plen)) != ref[i].prefix)
			continue;
		if ((int)ref[i].plen > best_len) {
			best_len = ref[i].plen;
			v = ref[i].value;
		}
	}
	return v;
}

static size_t ref_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < n_ref; i++)
		n += ref[i].used;
	return n;
}

/* A few base addresses so prefixes nest and overlap at every level. */
static const uint32_t bases[] = { 0x0A000000, 0x0A010100, 0xC0A86500, 0xC0A86400,
				  0x0AFF0001, 0x80000000, 0x00000000, 0xFFFFFFFF };

static uint32_t random_addr(void)
{
	uint32_t base = bases[rng() % (sizeof(bases) / sizeof(bases[0]))];
	unsigned spread = rng() % 33; /* flip only the low `spread` bits */

	return base ^ (spread == 0 ? 0 : (rng() & (0xFFFFFFFFu >> (32 - spread))));
}

static void random_add(struct lpm *t)
{
	uint8_t plen = (uint8_t)(rng() % 33);
	uint32_t prefix = random_addr() & mask(plen);
	uintptr_t value = (uintptr_t)(rng() | 1u);
	struct ref_route *r = ref_find(prefix, plen);
	void *old = (void *)1;

	cr_assert_eq(lpm_add(t, prefix | (~mask(plen) & rng()), plen, (void *)value, &old), 0);
	if (r != NULL) {
		cr_assert_eq((uintptr_t)old, r->value, "replace must return the old value");
		r->value = value;
	} else {
		cr_assert_null(old);
		cr_assert(n_ref < REF_MAX);
		ref[n_ref++] = (struct ref_route){ prefix, plen, value, true };
	}
}

static void random_delete(struct lpm *t)
{
	size_t i;

	if (n_ref == 0)
		return;
	i = rng() % n_ref;
	if (!ref[i].used) {
		/* deleting something absent returns NULL and changes nothing */
		if (ref_find(ref[i].prefix, ref[i].plen) == NULL)
			cr_assert_null(lpm_delete(t, ref[i].prefix, ref[i].plen));
		return;
	}
	cr_assert_eq((uintptr_t)lpm_delete(t, ref[i].prefix, ref[i].plen), ref[i].value);
	ref[i].used = false;
}

static void check_lookups(const struct lpm *t, int n)
{
	for (int i = 0; i < n; i++) {
		uint32_t a = random_addr();

		cr_assert_eq((uintptr_t)lpm_lookup(t, a), ref_lookup(a), "lookup %08x", a);
	}
	for (size_t i = 0; i < n_ref; i++) {
		void *v = lpm_get(t, ref[i].prefix, ref[i].plen);

		if (ref[i].used)
			cr_assert_eq((uintptr_t)v, ref[i].value);
		else if (ref_find(ref[i].prefix, ref[i].plen) == NULL)
			cr_assert_null(v);
	}
	cr_assert_eq(lpm_count(t), ref_count());
}

static int walk_check(uint32_t prefix, uint8_t plen, void *value, void *ctx)
{
	struct ref_route *r = ref_find(prefix, plen);
	size_t *seen = ctx;

	cr_assert_not_null(r, "walk gave %08x/%u which is not stored", prefix, plen);
	cr_assert_eq((uintptr_t)value, r->value);
	(*seen)++;
	return 0;
}

static void run_random(uint64_t seed, int rounds, int adds, int deletes)
{
	struct lpm *t = lpm_new();
	size_t seen = 0;

	cr_assert_not_null(t);
	rng_state = seed;
	n_ref = 0;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < adds; i++)
			random_add(t);
		check_lookups(t, 2000);
		for (int i = 0; i < deletes; i++)
			random_delete(t);
		check_lookups(t, 2000);
	}
	cr_assert_eq(lpm_walk(t, walk_check, &seen), 0);
	cr_assert_eq(seen, ref_count());
	lpm_free(t, NULL, NULL);
}

Test(lpm, empty_table)
{
	struct lpm *t = lpm_new();

	cr_assert_null(lpm_lookup(t, 0x0A000001));
	cr_assert_null(lpm_delete(t, 0x0A000000, 8));
	cr_assert_null(lpm_get(t, 0, 0));
	cr_assert_eq(lpm_count(t), 0);
	lpm_free(t, NULL, NULL);
}

Test(lpm, rejects_bad_input)
{
	struct lpm *t = lpm_new();
	int x;

	cr_assert_eq(lpm_add(t, 0, 33, &x, NULL), -EINVAL);
	cr_assert_eq(lpm_add(t, 0, 8, NULL, NULL), -EINVAL);
	cr_assert_null(lpm_delete(t, 0, 33));
	lpm_free(t, NULL, NULL);
}

Test(lpm, nested_prefixes_and_default)
{
	struct lpm *t = lpm_new();
	int d, a8, a24, a25, h32;

	cr_assert_eq(lpm_add(t, 0, 0, &d, NULL), 0);
	cr_assert_eq(lpm_add(t, 0x0A000000, 8, &a8, NULL), 0);
	cr_assert_eq(lpm_add(t, 0x0A010100, 24, &a24, NULL), 0);
	cr_assert_eq(lpm_add(t, 0x0A010180, 25, &a25, NULL), 0);
	cr_assert_eq(lpm_add(t, 0x0A0101FF, 32, &h32, NULL), 0);
	cr_assert_eq(lpm_lookup(t, 0x0B000000), &d);
	cr_assert_eq(lpm_lookup(t, 0x0A020304), &a8);
	cr_assert_eq(lpm_lookup(t, 0x0A010101), &a24);
	cr_assert_eq(lpm_lookup(t, 0x0A0101F0), &a25);
	cr_assert_eq(lpm_lookup(t, 0x0A0101FF), &h32);
	cr_assert_eq(lpm_delete(t, 0x0A010180, 25), &a25);
	cr_assert_eq(lpm_lookup(t, 0x0A0101F0), &a24, "the /24 must show again");
	cr_assert_eq(lpm_delete(t, 0x0A010100, 24), &a24);
	cr_assert_eq(lpm_lookup(t, 0x0A0101F0), &a8);
	cr_assert_eq(lpm_lookup(t, 0x0A0101FF), &h32);
	cr_assert_eq(lpm_delete(t, 0, 0), &d);
	cr_assert_null(lpm_lookup(t, 0x0B000000));
	cr_assert_eq(lpm_count(t), 2);
	lpm_free(t, NULL, NULL);
}

static void count_free(void *value, void *ctx)
{
	(void)value;
	(*(int *)ctx)++;
}

Test(lpm, free_visits_every_value)
{
	struct lpm *t = lpm_new();
	int v, freed = 0;

	for (uint32_t i = 0; i < 300; i++)
		cr_assert_eq(lpm_add(t, 0x0A000000 | (i << 8), 24, &v, NULL), 0);
	cr_assert_eq(lpm_add(t, 0, 0, &v, NULL), 0);
	lpm_free(t, count_free, &freed);
	cr_assert_eq(freed, 301);
}

Test(lpm, delete_everything_leaves_empty_table)
{
	struct lpm *t = lpm_new();
	int v;

	rng_state = 7;
	for (int i = 0; i < 500; i++)
		cr_assert_eq(lpm_add(t, rng(), 32, &v, NULL), 0);
	rng_state = 7;
	for (int i = 0; i < 500; i++)
		lpm_delete(t, rng(), 32);
	cr_assert_eq(lpm_count(t), 0);
	cr_assert_null(lpm_lookup(t, 0));
	lpm_free(t, NULL, NULL);
}

Test(lpm, random_small_tables)
{
	for (uint64_t seed = 1; seed <= 20; seed++)
		run_random(seed * 0x9E3779B97F4A7C15ULL, 5, 40, 25);
}

Test(lpm, random_large_table)
{
	run_random(0xC0FFEE, 4, 1200, 700);
}
