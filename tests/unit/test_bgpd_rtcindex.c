/*
 * The reflector's structures for route target constraint (RFC 4684): the
 * hash of membership routes (rtc_map.c: lookups, removals that shift a
 * probe run back, growth, against a plain array as reference) and the
 * index of routes by source (rtc_index.c: publishing a source's
 * membership records only what changed; sources kept sorted with ours
 * first; withdraw and re-announce; a source leaving; partial lengths
 * 32..95 and the default route as keys of their own).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/rtc_index.h"
#include "bgpd/rtc_map.h"
#include "test_bgpd_rtc_routes.h"

/* ---- the map ---- */

Test(bgpd_rtcindex, map_finds_what_was_put_and_nothing_else)
{
	struct rtc_map m = { 0 };

	for (uint32_t i = 0; i < 5000; i++) {
		struct rtc_route r = whole(i);
		struct rtc_map_ent *e = rtc_map_get(&m, &r);

		cr_assert_not_null(e);
		cr_assert(rtc_route_equal(&e->r, &r));
		e->out.src = (int)i;
	}
	cr_assert_eq(m.n, 5000);
	cr_assert_geq(m.cap * 3, 4 * m.n, "load above three quarters");
	for (uint32_t i = 0; i < 5000; i++) {
		struct rtc_route r = whole(i);
		struct rtc_map_ent *e = rtc_map_find(&m, &r);

		cr_assert_not_null(e, "route %u lost", i);
		cr_assert_eq(e->out.src, (int)i, "route %u: another's value", i);
		cr_assert_eq(rtc_map_get(&m, &r), e, "a second get adds another");
	}
	for (uint32_t i = 5000; i < 6000; i++) {
		struct rtc_route r = whole(i);

		cr_assert_null(rtc_map_find(&m, &r));
	}
	rtc_map_free(&m);
}

/*
 * Random puts and removals, against an array of flags: every removal must
 * leave every other entry reachable (the run after it shifted back).
 */
Test(bgpd_rtcindex, map_removals_keep_the_others_reachable)
{
	enum { N = 3000 };
	static bool in[N];
	struct rtc_map m = { 0 };
	unsigned long long x = 88172645463325252ull;
	size_t n = 0;

	for (int step = 0; step < 60000; step++) {
		uint32_t k;
		struct rtc_route r;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (uint32_t)(x % N);
		r = whole(k);
		if (in[k]) {
			rtc_map_del(&m, rtc_map_find(&m, &r));
			n--;
		} else {
			cr_assert_not_null(rtc_map_get(&m, &r));
			n++;
		}
		in[k] = !in[k];
		cr_assert_eq(m.n, n);
		if (step % 997 == 0)
			for (uint32_t i = 0; i < N; i++) {
				struct rtc_route q = whole(i);

				cr_assert_eq(rtc_map_find(&m, &q) != NULL, in[i],
					     "step %d: route %u %s", step, i,
					     in[i] ? "lost" : "still there");
			}
	}
	rtc_map_free(&m);
}

Test(bgpd_rtcindex, map_reserve_makes_room_once)
{
	struct rtc_map m = { 0 };
	struct rtc_map_ent *first;
	struct rtc_route r = whole(0);

	cr_assert_eq(rtc_map_reserve(&m, 1000), 0);
	cr_assert_geq(m.cap * 3, 4 * 1000);
	first = rtc_map_get(&m, &r);
	for (uint32_t i = 1; i < 1000; i++) {
		struct rtc_route q = whole(i);

		cr_assert_not_null(rtc_map_get(&m, &q));
	}
	cr_assert_eq(rtc_map_find(&m, &r), first, "grown although room was made");
	rtc_map_free(&m);
}

Test(bgpd_rtcindex, map_keys_lengths_and_the_default_apart)
{
	struct rtc_map m = { 0 };
	const struct rtc_route def = { 0 };
	struct rtc_route a = whole(7), b = cut(7, 64), c = cut(7, 32), d = cut(7, 95);

	cr_assert_not_null(rtc_map_get(&m, &a));
	cr_assert_not_null(rtc_map_get(&m, &b));
	cr_assert_not_null(rtc_map_get(&m, &c));
	cr_assert_not_null(rtc_map_get(&m, &d));
	cr_assert_not_null(rtc_map_get(&m, &def));
	cr_assert_eq(m.n, 5, "routes of other lengths over one RT taken as one");
	rtc_map_del(&m, rtc_map_find(&m, &b));
	cr_assert_null(rtc_map_find(&m, &b));
	cr_assert_not_null(rtc_map_find(&m, &a));
	cr_assert_not_null(rtc_map_find(&m, &c));
	cr_assert_not_null(rtc_map_find(&m, &d));
	cr_assert_not_null(rtc_map_find(&m, &def));
	rtc_map_free(&m);
}

/* ---- the index ---- */

static struct rtc_map idx;
static struct rtc_changes ch;

static struct attr_set *attrs_with_med(uint32_t med)
{
	struct bgp_attrs a = { 0 };

	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_MED);
	a.med = med;
	return attr_intern(&a);
}

/* Publishes v[0..n) (sorted here) for src, all with attributes a. */
static void publish(struct rtc_pub *pub, int src, struct rtc_route *v, size_t n, struct attr_set *a)
{
	struct attr_set *at[16];

	cr_assert_leq(n, 16);
	for (size_t i = 0; i < n; i++) /* insertion sort in set order */
		for (size_t j = i; j > 0 && rtc_route_cmp(&v[j], &v[j - 1]) < 0; j--) {
			struct rtc_route t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		at[i] = a;
	cr_assert_eq(rtc_index_publish(&idx, pub, src, v, at, n, &ch), 0);
}

/* The sources of r in the index, in order, into s (count returned; 0: not there). */
static size_t sources(const struct rtc_route *r, int *s)
{
	const struct rtc_map_ent *e = rtc_map_find(&idx, r);

	for (uint32_t i = 0; e && i < e->srcs.n; i++)
		s[i] = e->srcs.v[i].src;
	return e ? e->srcs.n : 0;
}

static bool changed(const struct rtc_route *r)
{
	for (size_t i = 0; i < ch.n; i++)
		if (rtc_route_equal(&ch.v[i], r))
			return true;
	return false;
}

static void index_setup(void)
{
	memset(&idx, 0, sizeof(idx));
	memset(&ch, 0, sizeof(ch));
}

static void index_teardown(void)
{
	rtc_index_free(&idx);
	rtc_changes_free(&ch);
	cr_assert_eq(attr_intern_count(), 0, "attribute references leaked");
}

TestSuite(bgpd_rtcindex_pub, .init = index_setup, .fini = index_teardown);

Test(bgpd_rtcindex_pub, sources_sorted_ours_first_and_changes_recorded)
{
	struct rtc_pub p3 = { 0 }, p1 = { 0 }, ours = { 0 };
	struct rtc_route a[] = { whole(1), whole(2) }, b[] = { whole(2), whole(3) },
			 l[] = { whole(2) };
	int s[4];

	publish(&p3, 3, a, 2, NULL);
	cr_assert_eq(ch.n, 2);
	ch.n = 0;
	publish(&p1, 1, b, 2, NULL);
	publish(&ours, -1, l, 1, NULL);
	rtc_changes_settle(&ch);
	cr_assert_eq(ch.n, 2, "65000:2 twice and 65000:3: %zu", ch.n);
	cr_assert(changed(&b[0]) && changed(&b[1]));
	cr_assert_eq(sources(&b[0], s), 3);
	cr_assert(s[0] == -1 && s[1] == 1 && s[2] == 3, "%d %d %d", s[0], s[1], s[2]);
	cr_assert_eq(sources(&a[0], s), 1);
	cr_assert_eq(s[0], 3);
	ch.n = 0;
	publish(&p1, 1, b, 2, NULL); /* the same again: nothing changed */
	cr_assert_eq(ch.n, 0, "an unchanged membership recorded %zu changes", ch.n);
	rtc_pub_free(&p3);
	rtc_pub_free(&p1);
	rtc_pub_free(&ours);
}

Test(bgpd_rtcindex_pub, withdraw_and_announce_again)
{
	struct rtc_pub p = { 0 };
	struct rtc_route all[] = { whole(1), whole(2), whole(3) }, two[] = { whole(1), whole(3) };
	struct rtc_route again[] = { whole(1), whole(2), whole(3) };
	struct rtc_route gone = whole(2);
	int s[2];

	publish(&p, 4, all, 3, NULL);
	ch.n = 0;
	publish(&p, 4, two, 2, NULL);
	cr_assert_eq(ch.n, 1);
	cr_assert(changed(&gone));
	cr_assert_eq(sources(&gone, s), 0, "withdrawn, still in the index");
	cr_assert_eq(idx.n, 2);
	ch.n = 0;
	publish(&p, 4, again, 3, NULL);
	cr_assert_eq(ch.n, 1);
	cr_assert_eq(sources(&gone, s), 1);
	cr_assert_eq(s[0], 4);
	rtc_pub_free(&p);
}

Test(bgpd_rtcindex_pub, new_attributes_are_a_change)
{
	struct rtc_pub p = { 0 };
	struct attr_set *a = attrs_with_med(1), *b = attrs_with_med(2);
	struct rtc_route v[] = { whole(1), whole(2) };
	const struct rtc_map_ent *e;

	publish(&p, 0, v, 2, a);
	ch.n = 0;
	publish(&p, 0, v, 2, b);
	cr_assert_eq(ch.n, 2);
	e = rtc_map_find(&idx, &v[0]);
	cr_assert_eq(e->srcs.v[0].attrs, b, "the index kept the old attributes");
	attr_unref(a); /* p holds its own references: b stays good */
	attr_unref(b);
	cr_assert_eq(attr_intern_count(), 1);
	rtc_pub_free(&p);
}

Test(bgpd_rtcindex_pub, a_source_leaving_takes_only_its_own)
{
	struct rtc_pub p1 = { 0 }, p2 = { 0 };
	struct rtc_route a[] = { whole(1), whole(2) }, b[] = { whole(2) };
	int s[2];

	publish(&p1, 1, a, 2, NULL);
	publish(&p2, 2, b, 1, NULL);
	ch.n = 0;
	cr_assert_eq(rtc_index_publish(&idx, &p1, 1, NULL, NULL, 0, &ch), 0); /* down */
	cr_assert_eq(ch.n, 2);
	cr_assert_eq(sources(&a[0], s), 0);
	cr_assert_eq(sources(&a[1], s), 1, "the other source of 65000:2 went too");
	cr_assert_eq(s[0], 2);
	cr_assert_eq(p1.n, 0);
	rtc_pub_free(&p1);
	rtc_pub_free(&p2);
}

Test(bgpd_rtcindex_pub, partial_lengths_and_the_default_are_routes_of_their_own)
{
	struct rtc_pub p = { 0 }, q = { 0 };
	struct rtc_route v[] = { cut(9, 32), cut(9, 40), cut(9, 95), whole(9), { 0 } };
	struct rtc_route w[] = { cut(9, 40), { 0 } }, left[] = { whole(9) };
	int s[2];

	publish(&p, 1, v, 5, NULL);
	cr_assert_eq(idx.n, 5);
	publish(&q, 2, w, 2, NULL);
	cr_assert_eq(idx.n, 5);
	cr_assert_eq(sources(&w[0], s), 2);
	ch.n = 0;
	publish(&p, 1, left, 1, NULL); /* keeps 65000:9 alone */
	rtc_changes_settle(&ch);
	cr_assert_eq(ch.n, 4);
	cr_assert_eq(idx.n, 3, "/40 and the default stay for source 2, /96 for 1");
	cr_assert_eq(sources(&w[1], s), 1);
	cr_assert_eq(s[0], 2);
	rtc_pub_free(&p);
	rtc_pub_free(&q);
}
