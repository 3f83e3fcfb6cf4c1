/*
 * The RIB's paths by attribute set (bgpd/rib_byattr.c): started on a RIB
 * that already holds paths, then kept through random announcements,
 * replacements (other attributes, the same), withdrawals, a source's flush,
 * a stale sweep and long-lived stale attributes, it holds exactly the RIB's
 * paths, each under its own attributes (checked against a walk of the RIB
 * after every step); groups of one path, grown to thousands and shrunk
 * back; visiting only the sets asked for; stopped, it is gone, and nothing
 * is indexed while it is.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/rib.h"

#define N_ATTRS 40

static struct rib *rib;
static struct rib_source src[3] = {
	{ .slot = 0, .local = true },
	{ .slot = 1, .router_id = 2, .address = 2, .peer_as = 65000 },
	{ .slot = 2, .router_id = 3, .address = 3, .peer_as = 65000 },
};
static struct attr_set *as[N_ATTRS];
static struct ext_community rts[N_ATTRS];

static void setup(void)
{
	rib = rib_new(8);
	cr_assert_not_null(rib);
	for (size_t i = 0; i < N_ATTRS; i++) {
		struct bgp_attrs a = { 0 };

		rts[i] = (struct ext_community){ { 0, 2, 0xfd, 0xe8, 0, 0, (uint8_t)(i >> 8),
						   (uint8_t)i } };
		a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) |
			    ATTR_BIT(ATTR_EXT_COMMUNITIES);
		a.ext = &rts[i];
		a.n_ext = 1;
		as[i] = attr_intern(&a);
		cr_assert_not_null(as[i]);
	}
}

static void teardown(void)
{
	rib_free(rib);
	for (size_t i = 0; i < N_ATTRS; i++)
		attr_unref(as[i]);
	for (size_t i = 0; i < 3; i++)
		src[i] = (struct rib_source){ .slot = src[i].slot, .local = src[i].local,
					      .router_id = src[i].router_id,
					      .address = src[i].address, .peer_as = src[i].peer_as };
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_ribbyattr, .init = setup, .fini = teardown);

struct seen {
	struct rib_path **v;
	size_t n, cap;
	const struct attr_set *only; /* visit this set alone (NULL: all) */
	size_t sets_asked;
};

static bool match(const struct attr_set *a, void *arg)
{
	struct seen *s = arg;

	s->sets_asked++;
	return !s->only || a == s->only;
}

static void collect(struct rib_path *p, void *arg)
{
	struct seen *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		cr_assert_not_null(s->v);
	}
	s->v[s->n++] = p;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return (x > y) - (x < y);
}

/* Every path of the RIB (under attrs only, when given), by a walk of its table. */
static void rib_paths(struct seen *s, const struct attr_set *only)
{
	for (size_t i = 0; i < rib->n_buckets; i++)
		for (struct rib_entry *e = rib->buckets[i]; e; e = e->hnext)
			for (struct rib_path *p = e->paths; p; p = p->next)
				if (!only || p->attrs == only)
					collect(p, s);
}

/* The index holds exactly the RIB's paths, each visited once and under its own attributes. */
static void check_index(const struct attr_set *only)
{
	struct seen got = { .only = only }, want = { 0 };

	cr_assert_not_null(rib->byattr);
	rib_byattr_visit(rib->byattr, match, collect, &got);
	rib_paths(&want, only);
	if (!only)
		cr_assert_eq(rib->byattr->n_paths, rib->n_paths);
	cr_assert_eq(got.n, want.n, "index visits %zu paths, the RIB has %zu", got.n, want.n);
	cr_assert_eq(got.sets_asked, rib->byattr->n, "each set asked once");
	for (size_t i = 0; i < got.n; i++)
		cr_assert(!only || got.v[i]->attrs == only, "a path of another set visited");
	if (got.n) {
		qsort(got.v, got.n, sizeof(*got.v), ptr_cmp);
		qsort(want.v, want.n, sizeof(*want.v), ptr_cmp);
		cr_assert_eq(memcmp(got.v, want.v, got.n * sizeof(*got.v)), 0, "other paths");
	}
	free(got.v);
	free(want.v);
}

static void route(unsigned i, struct rd *rd, struct prefix4 *pfx)
{
	*rd = (struct rd){ { 0, 0, 0xfd, 0xe8, 0, 0, 0, (uint8_t)(i % 7) } };
	*pfx = (struct prefix4){ 0x0a000000u | (i & 0xffff) << 8, 24 };
}

/* The changed queue drained as bgpd's flush does (emptied entries freed). */
static void drain(void)
{
	struct rib_entry *e;

	while ((e = rib_changed_pop(rib)))
		rib_entry_done(rib, e);
}

/* One random step: an announcement (new or replacing), a withdrawal, now and then more. */
static void random_step(unsigned *seed, unsigned n_routes, bool skewed)
{
	unsigned r = (unsigned)rand_r(seed), i = (unsigned)rand_r(seed) % n_routes;
	struct rib_source *s = &src[(unsigned)rand_r(seed) % 3];
	unsigned a = skewed && r % 4 ? 0 : (unsigned)rand_r(seed) % N_ATTRS;
	struct rd rd;
	struct prefix4 pfx;

	route(i, &rd, &pfx);
	if (r % 10 < 6) {
		cr_assert_eq(rib_update(rib, s, &rd, &pfx, as[a], 100 + i % 3), 0);
	} else if (r % 10 < 9) {
		rib_withdraw(rib, s, &rd, &pfx);
	} else if (r % 500 == 9) {
		rib_source_flush(rib, s);
	} else if (r % 500 == 19) {
		rib_source_mark_stale(s);
	} else if (r % 500 == 29) {
		rib_source_sweep(rib, s);
	} else if (s->paths && s->paths->stale) {
		rib_path_set_llgr(rib, s->paths, as[(a + 1) % N_ATTRS]);
	}
	drain();
}

Test(bgpd_ribbyattr, started_on_a_full_rib_it_follows_every_change)
{
	unsigned seed = 7;

	for (int k = 0; k < 3000; k++)
		random_step(&seed, 2000, false);
	cr_assert_null(rib->byattr, "kept before anyone asked");
	cr_assert_eq(rib_byattr_start(rib), 0);
	check_index(NULL);
	for (int k = 0; k < 20000; k++) {
		random_step(&seed, 2000, false);
		if (k % 97 == 0)
			check_index(NULL);
	}
	check_index(NULL);
	check_index(as[3]);
}

Test(bgpd_ribbyattr, one_set_grows_to_thousands_and_back)
{
	unsigned seed = 11;
	struct rd rd;
	struct prefix4 pfx;

	cr_assert_eq(rib_byattr_start(rib), 0);
	for (unsigned i = 0; i < 5000; i++) {
		route(i, &rd, &pfx);
		cr_assert_eq(rib_update(rib, &src[1], &rd, &pfx, as[0], 1), 0);
	}
	check_index(as[0]);
	cr_assert_eq(rib->byattr->n, 1);
	for (int k = 0; k < 20000; k++) { /* most paths under one set, a few alone under others */
		random_step(&seed, 6000, true);
		if (k % 211 == 0)
			check_index(NULL);
	}
	for (size_t i = 0; i < 3; i++)
		rib_source_flush(rib, &src[i]);
	drain();
	check_index(NULL);
	cr_assert_eq(rib->byattr->n, 0);
	cr_assert_eq(rib->byattr->set_slots, 0, "path sets not given back");
	cr_assert_leq(rib->byattr->cap, 8, "group table not shrunk: %zu slots", rib->byattr->cap);
}

Test(bgpd_ribbyattr, a_path_alone_and_replaced_in_place)
{
	struct rd rd;
	struct prefix4 pfx;
	struct seen got = { .only = as[5] };

	cr_assert_eq(rib_byattr_start(rib), 0);
	route(1, &rd, &pfx);
	cr_assert_eq(rib_update(rib, &src[0], &rd, &pfx, as[5], 1), 0);
	cr_assert_eq(rib->byattr->set_slots, 0, "a group of one holds its path inline");
	check_index(as[5]);
	cr_assert_eq(rib_update(rib, &src[0], &rd, &pfx, as[6], 1), 0); /* other attributes */
	rib_byattr_visit(rib->byattr, match, collect, &got);
	cr_assert_eq(got.n, 0, "still under its old attributes");
	check_index(as[6]);
	cr_assert_eq(rib_update(rib, &src[0], &rd, &pfx, as[6], 2), 0); /* a new label alone */
	check_index(NULL);
	cr_assert_eq(rib->byattr->n_paths, 1);
	cr_assert_eq(rib_withdraw(rib, &src[0], &rd, &pfx), 0);
	check_index(NULL);
	cr_assert_eq(rib->byattr->n, 0);
	free(got.v);
}

Test(bgpd_ribbyattr, stopped_it_is_gone_and_started_again_it_is_whole)
{
	unsigned seed = 3;

	cr_assert_eq(rib_byattr_start(rib), 0);
	for (int k = 0; k < 2000; k++)
		random_step(&seed, 500, false);
	check_index(NULL);
	rib_byattr_stop(rib);
	cr_assert_null(rib->byattr);
	for (int k = 0; k < 2000; k++) /* changes while nothing is kept */
		random_step(&seed, 500, false);
	cr_assert_null(rib->byattr);
	cr_assert_eq(rib_byattr_start(rib), 0);
	cr_assert_eq(rib_byattr_start(rib), 0, "started twice is started");
	check_index(NULL);
	cr_assert_gt(rib_byattr_bytes(rib->byattr), 0);
}
