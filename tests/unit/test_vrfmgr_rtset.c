/*
 * Interned route-target sets compared as sets (rtset.h): the same RTs in
 * another order are the same set, a duplicate counts, and two different
 * sets whose order-free hashes collide (made here on purpose, through the
 * inverse of the hash's mix) are still different.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "common/hash.h"
#include "common/log.h"
#include "vrfmgr/rtset.h"

static void quiet_logs(void)
{
	log_init("test", LOG_LVL_ERR);
}

TestSuite(rtset, .init = quiet_logs);

/* Route target 65000:n, in wire form. */
static struct ext_community rt(uint32_t n)
{
	struct ext_community c = { { EXTCOM_TYPE_AS2, 0x02, 0xfd, 0xe8 } };

	c.b[4] = (uint8_t)(n >> 24), c.b[5] = (uint8_t)(n >> 16);
	c.b[6] = (uint8_t)(n >> 8), c.b[7] = (uint8_t)n;
	return c;
}

static uint64_t word_of(const struct ext_community *c)
{
	uint64_t k;

	memcpy(&k, c->b, sizeof(k));
	return k;
}

/* The multiplicative inverse of odd c modulo 2^64 (Newton: each step doubles the bits). */
static uint64_t inverse(uint64_t c)
{
	uint64_t y = c;

	for (int i = 0; i < 6; i++)
		y *= 2 - c * y;
	return y;
}

/* hash_mix64 undone: x ^= x >> 33 is its own inverse, the multiplies have inverses. */
static uint64_t unmix(uint64_t h)
{
	h ^= h >> 33;
	h *= inverse(0xc4ceb9fe1a85ec53ull);
	h ^= h >> 33;
	h *= inverse(0xff51afd7ed558ccdull);
	return h ^ (h >> 33);
}

Test(rtset, sets_are_equal_by_content_in_any_order_not_by_hash)
{
	struct ext_community ab[2] = { rt(1), rt(2) }, ba[2] = { rt(2), rt(1) }, cd[2] = { rt(3) };
	struct ext_community aab[3] = { rt(1), rt(1), rt(2) }, abb[3] = { rt(1), rt(2), rt(2) };
	struct ext_community baa[3] = { rt(2), rt(1), rt(1) };
	const struct ext_community *s_ab, *s_ba, *s_cd, *s_aab, *s_abb;
	uint64_t want;

	/* cd[1] such that mix(1) + mix(2) == mix(3) + mix(cd[1]): the sums collide */
	want = hash_mix64(word_of(&ab[0])) + hash_mix64(word_of(&ab[1])) -
	       hash_mix64(word_of(&cd[0]));
	want = unmix(want);
	memcpy(cd[1].b, &want, sizeof(want));
	cr_assert_eq(hash_mix64(word_of(&cd[1])), hash_mix64(word_of(&ab[0])) +
							  hash_mix64(word_of(&ab[1])) -
							  hash_mix64(word_of(&cd[0])));

	s_ab = rtset_get(ab, 2);
	s_ba = rtset_get(ba, 2);
	s_cd = rtset_get(cd, 2);
	s_aab = rtset_get(aab, 3);
	s_abb = rtset_get(abb, 3);
	cr_assert_neq(s_ab, s_ba, "interned in order: two sets");
	cr_assert(rtset_same(s_ab, s_ba), "the same RTs in another order");
	cr_assert(rtset_same(s_ba, s_ab));
	cr_assert_not(rtset_same(s_ab, s_cd), "a hash collision taken for equality");
	cr_assert_not(rtset_same(s_ab, NULL));
	cr_assert(rtset_same(NULL, NULL));
	cr_assert_not(rtset_same(s_aab, s_abb), "[a, a, b] is not [a, b, b]");
	cr_assert_not(rtset_same(s_ab, s_aab), "a duplicate more");
	/* the config's arrays (reload.c) */
	cr_assert(rt_sets_equal(aab, 3, baa, 3));
	cr_assert_not(rt_sets_equal(aab, 3, abb, 3), "[a, a, b] is not [a, b, b]");
	cr_assert_not(rt_sets_equal(ab, 2, aab, 3));
	cr_assert(rt_sets_equal(NULL, 0, NULL, 0));

	rtset_put(s_ab);
	rtset_put(s_ba);
	rtset_put(s_cd);
	rtset_put(s_aab);
	rtset_put(s_abb);
	cr_assert_eq(rtset_count(), 0);
}
