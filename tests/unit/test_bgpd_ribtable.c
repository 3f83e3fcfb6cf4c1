/*
 * bgpd RIB table mechanics: the destination hash (fixed values: api_rib.c
 * orders its walks by it), table growth
 * by doubling in place (every entry in bucket hash & (size - 1), load never
 * above 1 after an insert), lookups with RDs interleaved, pools emptied and
 * refilled, and the per-source stale counter through mark, refresh,
 * withdraw, sweep and flush.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgpd/rib.h"

static struct rib *rib;
static struct rib_source ib1 = { .slot = 1, .router_id = 0x0aff0002, .address = 0x0aff0002,
				 .peer_as = 65000 };
static struct rib_source ib2 = { .slot = 2, .router_id = 0x0aff0003, .address = 0x0aff0003,
				 .peer_as = 65000 };
static struct attr_set *set;

static void setup(void)
{
	struct bgp_attrs a = { 0 };

	rib = rib_new(8);
	cr_assert_not_null(rib);
	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH);
	a.nexthop = 0x0aff0002;
	set = attr_intern(&a);
	cr_assert_not_null(set);
}

static void teardown(void)
{
	attr_unref(set);
	rib_free(rib);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_ribtable, .init = setup, .fini = teardown);

static struct rd rd_n(uint32_t n)
{
	struct rd rd = { .b = { 0, 0, 0xfd, 0xe8 } }; /* type 0, 65000:n */

	rd.b[4] = (uint8_t)(n >> 24);
	rd.b[5] = (uint8_t)(n >> 16);
	rd.b[6] = (uint8_t)(n >> 8);
	rd.b[7] = (uint8_t)n;
	return rd;
}

static struct prefix4 pfx_n(uint32_t i)
{
	return (struct prefix4){ 0x14000000u + (i << 8), 24 };
}

static void drain(void)
{
	struct rib_entry *e;

	while ((e = rib_changed_pop(rib)))
		rib_entry_done(rib, e);
}

/* Every entry sits in the bucket its stored hash names, and is counted once. */
static void check_table(size_t want)
{
	size_t n = 0;

	cr_assert_eq(rib->n_buckets & (rib->n_buckets - 1), 0, "size %zu", rib->n_buckets);
	cr_assert_leq(rib->n_entries, rib->n_buckets, "load above 1");
	for (size_t b = 0; b < rib->n_buckets; b++)
		for (const struct rib_entry *e = rib->buckets[b]; e; e = e->hnext) {
			cr_assert_eq(e->hash, rib_key_hash(&e->rd, &e->prefix));
			cr_assert_eq(e->hash & (rib->n_buckets - 1), b);
			n++;
		}
	cr_assert_eq(n, want);
	cr_assert_eq(rib->n_entries, want);
}

/*
 * Values of the hash as first written (byte-wise FNV-1a, fmix32): /routes
 * cursors handed out by api_rib.c are positions in its order, so the
 * function must not change under them (test_bgpd_apirib checks the two
 * files agree).
 */
Test(bgpd_ribtable, hash_is_unchanged)
{
	static const struct { uint8_t rd7; uint32_t addr; uint8_t len; uint32_t h; } v[] = {
		{ 0, 0x14000000u, 16, 0x9ee41495u },
		{ 37, 0x14010100u, 20, 0x44bcbbbcu },
		{ 74, 0x14020200u, 24, 0x2acbd2fau },
		{ 111, 0x14030300u, 28, 0x0bc69dddu },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct rd rd = { .b = { 0, 0, 0xfd, 0xe8, 0, 0, 0, v[i].rd7 } };
		struct prefix4 p = { v[i].addr, v[i].len };

		cr_assert_eq(rib_key_hash(&rd, &p), v[i].h, "key %zu", i);
	}
}

Test(bgpd_ribtable, growth_keeps_every_entry_in_its_bucket)
{
	enum { N = 5000, RDS = 7 };

	for (uint32_t i = 0; i < N; i++) {
		struct rd rd = rd_n(i % RDS);
		struct prefix4 p = pfx_n(i);

		cr_assert_eq(rib_update(rib, &ib1, &rd, &p, set, 16 + i), 0);
		cr_assert_leq(rib->n_entries, rib->n_buckets);
	}
	cr_assert_eq(rib->n_buckets, 8192, "1024 doubled three times for 5000 entries");
	check_table(N);
	/* lookups with the RD changing at every step (the RD memo must follow) */
	for (uint32_t i = 0; i < N; i++) {
		struct rd rd = rd_n(i % RDS), other = rd_n(i % RDS + 1);
		struct prefix4 p = pfx_n(i);
		struct rib_entry *e = rib_lookup(rib, &rd, &p);

		cr_assert_not_null(e, "route %u", i);
		cr_assert_eq(e->paths->label, 16 + i);
		cr_assert_null(rib_lookup(rib, &other, &p), "route %u under another RD", i);
		rib_prefetch(rib, &rd, &p, false);
		rib_prefetch(rib, &rd, &p, true);
	}
	drain();
	cr_assert_eq(rib_source_flush(rib, &ib1), N);
	drain();
	check_table(0);
}

Test(bgpd_ribtable, pools_emptied_and_refilled)
{
	enum { N = 40000 }; /* several 1 MiB blocks of entries and of paths */

	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < N; i++) {
			struct rd rd = rd_n(i & 3);
			struct prefix4 p = pfx_n(i);

			cr_assert_eq(rib_update(rib, &ib1, &rd, &p, set, i), 0);
			cr_assert_eq(rib_update(rib, &ib2, &rd, &p, set, i), 0);
		}
		cr_assert_eq(rib->entry_slab.n_live, N);
		cr_assert_eq(rib->path_slab.n_live, 2 * N);
		cr_assert_gt(rib->path_slab.n_blocks, 1);
		drain();
		for (uint32_t i = 0; i < N; i++) {
			struct rd rd = rd_n(i & 3);
			struct prefix4 p = pfx_n(i);

			cr_assert_eq(rib_withdraw(rib, &ib2, &rd, &p), 0);
		}
		drain();
		cr_assert_eq(rib_source_flush(rib, &ib1), N);
		drain();
		check_table(0);
		cr_assert_eq(rib->entry_slab.n_live, 0);
		cr_assert_eq(rib->path_slab.n_blocks, 1, "an empty pool keeps one block");
	}
}

Test(bgpd_ribtable, stale_counter_follows_the_paths)
{
	enum { N = 10 };
	struct rd rd = rd_n(1);
	struct prefix4 p;

	for (uint32_t i = 0; i < N; i++) {
		p = pfx_n(i);
		cr_assert_eq(rib_update(rib, &ib1, &rd, &p, set, i), 0);
	}
	cr_assert_eq(ib1.n_stale, 0);
	rib_source_mark_stale(&ib1); /* graceful restart: the session died */
	cr_assert_eq(ib1.n_stale, N);
	p = pfx_n(0);
	cr_assert_eq(rib_update(rib, &ib1, &rd, &p, set, 0), 0); /* resent unchanged */
	p = pfx_n(1);
	cr_assert_eq(rib_update(rib, &ib1, &rd, &p, set, 99), 0); /* resent changed */
	cr_assert_eq(rib_update(rib, &ib1, &rd, &p, set, 99), 0); /* twice: counted once */
	cr_assert_eq(ib1.n_stale, N - 2);
	p = pfx_n(2);
	cr_assert_eq(rib_withdraw(rib, &ib1, &rd, &p), 0); /* a stale one withdrawn */
	cr_assert_eq(ib1.n_stale, N - 3);
	p = pfx_n(N);
	cr_assert_eq(rib_update(rib, &ib1, &rd, &p, set, N), 0); /* a new one: not stale */
	cr_assert_eq(ib1.n_stale, N - 3);
	cr_assert_eq(rib_source_sweep(rib, &ib1), N - 3); /* End-of-RIB */
	cr_assert_eq(ib1.n_stale, 0);
	cr_assert_eq(ib1.n_paths, 3);
	rib_source_mark_stale(&ib1);
	cr_assert_eq(ib1.n_stale, 3);
	drain();
	cr_assert_eq(rib_source_flush(rib, &ib1), 3); /* session down for good */
	cr_assert_eq(ib1.n_stale, 0);
	drain();
}
