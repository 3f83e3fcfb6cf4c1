/*
 * fwd/lpm.c against a brute-force reference (a plain binary trie, one bit
 * per level: obviously right, far too slow for packets). Millions of
 * interleaved adds, replaces, deletes, commits and lookups over several
 * tables (VRFs) holding the same prefixes with different values, with /0,
 * /32 and deep nesting; chunks forced to split into directories and to
 * empty again; batch lookups; and a reader thread looking up without locks
 * while the writer commits (ASan catches a node freed too early).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "fwd/lpm.h"
#include "fwd/lpm_int.h"
#include "fwd/rcu.h"
#include "tests/unit/test_fwd_lpm_rng.h"

#define N_TABLES 6

/* ---- the reference: a binary trie per table ---- */

struct ref_node {
	uint32_t child[2];
	uint32_t value;
};

static struct ref_node *pool;
static uint32_t pool_n, pool_cap;
static uint32_t ref_root[N_TABLES];
static size_t ref_count[N_TABLES];

static uint32_t ref_alloc(void)
{
	if (pool_n == pool_cap) {
		pool_cap = pool_cap ? pool_cap * 2 : 1 << 16;
		pool = realloc(pool, pool_cap * sizeof(*pool));
		cr_assert_not_null(pool);
	}
	pool[pool_n] = (struct ref_node){ { 0, 0 }, 0 };
	return pool_n++;
}

static void ref_reset(void)
{
	pool_n = 0;
	ref_alloc(); /* node 0 = "none" */
	for (int i = 0; i < N_TABLES; i++) {
		ref_root[i] = ref_alloc();
		ref_count[i] = 0;
	}
}

/* Sets (value != 0) or clears the value at prefix/plen; returns the old one. */
static uint32_t ref_set(int t, uint32_t prefix, uint8_t plen, uint32_t value)
{
	uint32_t n = ref_root[t], old;

	for (int i = 0; i < plen; i++) {
		int bit = (prefix >> (31 - i)) & 1;

		if (pool[n].child[bit] == 0) {
			uint32_t c = ref_alloc();

			pool[n].child[bit] = c;
		}
		n = pool[n].child[bit];
	}
	old = pool[n].value;
	pool[n].value = value;
	ref_count[t] += (old == 0) - (value == 0);
	return old;
}

static uint32_t ref_lookup(int t, uint32_t addr)
{
	uint32_t n = ref_root[t], best = pool[n].value;

	for (int i = 0; i < 32 && n != 0; i++) {
		n = pool[n].child[(addr >> (31 - i)) & 1];
		if (n != 0 && pool[n].value != 0)
			best = pool[n].value;
	}
	return best;
}

/* ---- random input that overlaps a lot ---- */

static uint32_t mask(uint8_t plen)
{
	return plen == 0 ? 0 : 0xFFFFFFFFu << (32 - plen);
}

static const uint32_t bases[] = { 0x0A000000, 0x0A010100, 0xC0A86500, 0xC0A86400, 0x0AFF0001,
				  0x80000000, 0x00000000, 0xFFFFFFFF, 0xAC100000, 0x0AFFFF00 };

static uint32_t random_addr(void)
{
	uint32_t base = bases[rng() % (sizeof(bases) / sizeof(bases[0]))];
	unsigned spread = rng() % 33; /* flip only the low `spread` bits */

	if (rng() % 8 == 0)
		return rng();
	return spread == 32 ? rng() : base ^ (rng() & ((1u << spread) - 1));
}

static uint8_t random_plen(void)
{
	static const uint8_t common[] = { 0, 8, 16, 24, 32, 24, 24, 32, 30, 22 };

	return rng() % 2 ? common[rng() % 10] : (uint8_t)(rng() % 33);
}

static void check_table(struct lpm *t, int ti, unsigned probes)
{
	const struct lpm *tv[256];
	uint32_t addr[256], out[256];
	unsigned nb = probes < 256 ? probes : 256;

	cr_assert_eq(lpm_count(t), ref_count[ti]);
	for (unsigned i = 0; i < probes; i++) {
		uint32_t a = random_addr();

		cr_assert_eq(lpm_lookup(t, a), ref_lookup(ti, a), "table %d addr %08x: %u != %u",
			     ti, a, lpm_lookup(t, a), ref_lookup(ti, a));
	}
	for (unsigned i = 0; i < nb; i++) { /* and a batch (lpm_node_batch's walk) */
		tv[i] = t;
		addr[i] = random_addr();
	}
	lpm_lookup_batch(tv, addr, out, nb);
	for (unsigned i = 0; i < nb; i++)
		cr_assert_eq(out[i], ref_lookup(ti, addr[i]), "table %d addr %08x: batch %u", ti,
			     addr[i], out[i]);
}

/* ---- tests ---- */

Test(lpm, empty_and_basics)
{
	struct lpm *t = lpm_new(NULL, NULL);
	uint32_t old = 99;
	uint16_t tag = 0;

	cr_assert_eq(lpm_lookup(t, 0x0A000001), 0);
	cr_assert_eq(lpm_add(t, 0, 33, 1, 0, NULL), -EINVAL);
	cr_assert_eq(lpm_add(t, 0, 8, 0, 0, NULL), -EINVAL);
	cr_assert_eq(lpm_add(t, 0x0A0000FF, 8, 7, 3, &old), 0);
	cr_assert_eq(old, 0);
	cr_assert(lpm_dirty(t));
	cr_assert_eq(lpm_lookup(t, 0x0A000001), 0, "not visible before commit");
	cr_assert_eq(lpm_commit(t), 0);
	cr_assert_not(lpm_dirty(t));
	cr_assert_eq(lpm_lookup(t, 0x0A000001), 7);
	cr_assert_eq(lpm_lookup(t, 0x0B000001), 0);
	cr_assert_eq(lpm_get(t, 0x0A000000, 8, &tag), 7);
	cr_assert_eq(tag, 3);
	cr_assert_eq(lpm_get(t, 0x0A000000, 9, NULL), 0);
	cr_assert_eq(lpm_add(t, 0x0A000000, 8, 8, 4, &old), 0);
	cr_assert_eq(old, 7);
	cr_assert_eq(lpm_add(t, 0, 0, 1, 0, NULL), 0);
	cr_assert_eq(lpm_add(t, 0xFFFFFFFF, 32, 2, 0, NULL), 0);
	cr_assert_eq(lpm_add(t, 0, 32, 3, 0, NULL), 0);
	lpm_commit(t);
	cr_assert_eq(lpm_lookup(t, 0x0A123456), 8);
	cr_assert_eq(lpm_lookup(t, 0x0B000000), 1);
	cr_assert_eq(lpm_lookup(t, 0xFFFFFFFF), 2);
	cr_assert_eq(lpm_lookup(t, 0xFFFFFFFE), 1);
	cr_assert_eq(lpm_lookup(t, 0), 3);
	cr_assert_eq(lpm_lookup(t, 1), 1);
	cr_assert_eq(lpm_count(t), 4);
	cr_assert_eq(lpm_delete(t, 0x0A000000, 8), 8);
	cr_assert_eq(lpm_delete(t, 0x0A000000, 8), 0);
	cr_assert_eq(lpm_delete(t, 0, 0), 1);
	lpm_commit(t);
	cr_assert_eq(lpm_lookup(t, 0x0A123456), 0);
	cr_assert_eq(lpm_lookup(t, 0xFFFFFFFF), 2);
	lpm_delete(t, 0xFFFFFFFF, 32);
	lpm_delete(t, 0, 32);
	lpm_commit(t);
	cr_assert_eq(lpm_count(t), 0);
	cr_assert_eq(lpm_lookup(t, 0), 0);
	lpm_free(t);
}

/* Interleaved operations on several tables sharing prefixes; commits at random points. */
static void churn(struct lpm **t, unsigned ops, unsigned probes, unsigned commit_every)
{
	for (unsigned op = 0; op < ops; op++) {
		int ti = (int)(rng() % N_TABLES);
		uint8_t plen = random_plen();
		uint32_t prefix = random_addr() & mask(plen), value = 1 + rng() % 5000, old;

		if (rng() % 3 == 0) {
			cr_assert_eq(lpm_delete(t[ti], prefix, plen), ref_set(ti, prefix, plen, 0));
		} else {
			cr_assert_eq(lpm_add(t[ti], prefix, plen, value, (uint16_t)op, &old), 0);
			cr_assert_eq(old, ref_set(ti, prefix, plen, value));
		}
		if (rng() % commit_every == 0) {
			cr_assert_eq(lpm_commit(t[ti]), 0);
			check_table(t[ti], ti, probes);
		}
	}
	for (int i = 0; i < N_TABLES; i++) {
		cr_assert_eq(lpm_commit(t[i]), 0);
		check_table(t[i], i, 20000);
	}
}

Test(lpm, against_brute_force, .timeout = 120)
{
	struct lpm *t[N_TABLES];

	rng_state = 0x9E3779B97F4A7C15ULL;
	ref_reset();
	for (int i = 0; i < N_TABLES; i++)
		t[i] = lpm_new(NULL, NULL);
	churn(t, 500000, 8, 3);   /* small tables, commits nearly every op */
	churn(t, 300000, 64, 500); /* bigger batches between commits */
	for (int i = 0; i < N_TABLES; i++)
		lpm_free(t[i]);
	free(pool);
	pool = NULL;
	pool_cap = 0;
}

struct added {
	uint32_t prefix;
	uint8_t plen;
};

/* Thousands of routes in one /8 and one /16: chunks split into directories, then empty. */
Test(lpm, split_and_empty_again, .timeout = 120)
{
	struct lpm *t = lpm_new(NULL, NULL);
	size_t mem0 = lpm_memory(t), n = 0;
	struct added *a = calloc(40000, sizeof(*a));

	rng_state = 42;
	for (int round = 0; round < 2; round++) {
		ref_reset();
		n = 0;
		for (int i = 0; i < 20000; i++) {
			uint8_t plen = (uint8_t)(16 + rng() % 17);
			uint32_t p = (i % 3 ? 0x0A000000u | (rng() & 0xFFFFFF) :
					      0xC0A80000u | (rng() & 0xFFFF)) & mask(plen);
			uint32_t v = 1 + rng() % 100;

			lpm_add(t, p, plen, v, 0, NULL);
			ref_set(0, p, plen, v);
			a[n++] = (struct added){ p, plen };
			if (i % 7 == 0) { /* covering routes between /8 and /16: directory-level */
				uint8_t l = (uint8_t)(plen / 2);

				lpm_add(t, p & mask(l), l, v + 1, 0, NULL);
				ref_set(0, p & mask(l), l, v + 1);
				a[n++] = (struct added){ p & mask(l), l };
			}
		}
		cr_assert_eq(lpm_commit(t), 0);
		check_table(t, 0, 100000);
		for (size_t i = n; i > 1; i--) { /* shuffle, then delete it all in steps */
			size_t j = rng() % i;
			struct added x = a[i - 1];

			a[i - 1] = a[j];
			a[j] = x;
		}
		for (size_t i = 0; i < n; i++) {
			cr_assert_eq(lpm_delete(t, a[i].prefix, a[i].plen),
				     ref_set(0, a[i].prefix, a[i].plen, 0));
			if (i % 2000 == 0) {
				cr_assert_eq(lpm_commit(t), 0);
				check_table(t, 0, 5000);
			}
		}
		cr_assert_eq(lpm_commit(t), 0);
		cr_assert_eq(lpm_count(t), 0);
		cr_assert_eq(lpm_lookup(t, 0x0A000001), 0);
		cr_assert_eq(lpm_memory(t), mem0, "%zu bytes left", lpm_memory(t) - mem0);
	}
	free(a);
	lpm_free(t);
	free(pool);
	pool = NULL;
	pool_cap = 0;
}

/* One chunk of each search-tree depth (1 to 4 lines a lookup), checked exhaustively near cuts. */
Test(lpm, every_tree_depth)
{
	static const unsigned sizes[] = { 3, 50, 900, 3500 };

	for (unsigned s = 0; s < 4; s++) {
		struct lpm *t = lpm_new(NULL, NULL);

		rng_state = 99 + s;
		ref_reset();
		for (unsigned i = 0; i < sizes[s]; i++) {
			uint8_t plen = (uint8_t)(20 + rng() % 13);
			uint32_t p = (0x0A000000u | (rng() & 0xFFFFFF)) & mask(plen);
			uint32_t v = 1 + rng() % 7;

			lpm_add(t, p, plen, v, 0, NULL);
			ref_set(0, p, plen, v);
		}
		cr_assert_eq(lpm_commit(t), 0);
		check_table(t, 0, 50000);
		for (uint32_t a = 0x0A000000u; a < 0x0A000000u + 0x100000u; a += 97)
			cr_assert_eq(lpm_lookup(t, a), ref_lookup(0, a), "size %u addr %08x",
				     sizes[s], a);
		lpm_free(t);
	}
	free(pool);
	pool = NULL;
	pool_cap = 0;
}

Test(lpm, batch_equals_single)
{
	struct lpm *t[N_TABLES];
	const struct lpm *tv[300];
	uint32_t addr[300], out[300];

	rng_state = 7;
	for (int i = 0; i < N_TABLES; i++) {
		t[i] = lpm_new(NULL, NULL);
		for (int k = 0; k < (i == 0 ? 9000 : 100 << i); k++) {
			uint8_t plen = random_plen();

			lpm_add(t[i], random_addr() & mask(plen), plen, 1 + rng() % 1000, 0, NULL);
		}
		lpm_commit(t[i]);
	}
	for (int round = 0; round < 200; round++) {
		unsigned n = 1 + rng() % 300;

		for (unsigned i = 0; i < n; i++) {
			tv[i] = rng() % 17 == 0 ? NULL : t[rng() % N_TABLES];
			addr[i] = random_addr();
		}
		lpm_lookup_batch(tv, addr, out, n);
		for (unsigned i = 0; i < n; i++)
			cr_assert_eq(out[i], tv[i] ? lpm_lookup(tv[i], addr[i]) : 0);
	}
	for (int i = 0; i < N_TABLES; i++)
		lpm_free(t[i]);
}

static int count_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	(void)prefix;
	(void)plen;
	(void)tag;
	*(uint64_t *)ctx += value;
	return 0;
}

Test(lpm, walk_sees_every_route_once)
{
	struct lpm *t = lpm_new(NULL, NULL);
	uint64_t sum = 0, want = 0;

	rng_state = 11;
	ref_reset();
	for (int k = 0; k < 20000; k++) {
		uint8_t plen = random_plen();
		uint32_t p = random_addr() & mask(plen), v = 1 + rng() % 1000;

		lpm_add(t, p, plen, v, 0, NULL);
		ref_set(0, p, plen, v);
	}
	lpm_commit(t);
	for (uint32_t i = 0; i < pool_n; i++)
		want += pool[i].value;
	lpm_walk(t, count_cb, &sum);
	cr_assert_eq(sum, want - pool[ref_root[1]].value * 0);
	cr_assert_eq(lpm_count(t), ref_count[0]);
	lpm_free(t);
	free(pool);
	pool = NULL;
	pool_cap = 0;
}

/* The reference's longest route covering prefix/plen, itself included (lpm_cover), or 0. */
static uint32_t ref_cover(int t, uint32_t prefix, uint8_t plen)
{
	uint32_t n = ref_root[t], best = pool[n].value;

	for (int i = 0; i < plen && n != 0; i++) {
		n = pool[n].child[(prefix >> (31 - i)) & 1];
		if (n != 0 && pool[n].value != 0)
			best = pool[n].value;
	}
	return best;
}

/* The number and value sum of the reference's routes under node n. */
static void ref_subtree(uint32_t n, uint64_t *count, uint64_t *sum)
{
	if (n == 0)
		return;
	*count += pool[n].value != 0;
	*sum += pool[n].value;
	ref_subtree(pool[n].child[0], count, sum);
	ref_subtree(pool[n].child[1], count, sum);
}

static void ref_within(int t, uint32_t prefix, uint8_t plen, uint64_t *count, uint64_t *sum)
{
	uint32_t n = ref_root[t];

	*count = *sum = 0;
	for (int i = 0; i < plen && n != 0; i++)
		n = pool[n].child[(prefix >> (31 - i)) & 1];
	ref_subtree(n, count, sum);
}

struct within {
	uint32_t prefix;
	uint8_t plen;
	uint64_t count, sum;
};

static int within_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct within *w = ctx;

	(void)tag;
	cr_assert_geq(plen, w->plen);
	cr_assert_eq(prefix & mask(w->plen), w->prefix, "%08x/%u outside %08x/%u", prefix, plen,
		     w->prefix, w->plen);
	w->count++;
	w->sum += value;
	return 0;
}

/*
 * lpm_cover and lpm_walk_within (fib_core.c's queries of the control view)
 * against the reference, on a table large enough to split into
 * directories, with deletes pending (not committed) and committed.
 */
Test(lpm, cover_and_walk_within_against_brute_force, .timeout = 120)
{
	struct lpm *t = lpm_new(NULL, NULL);

	rng_state = 17;
	ref_reset();
	for (int round = 0; round < 6; round++) {
		for (int k = 0; k < 6000; k++) {
			uint8_t plen = random_plen();
			uint32_t p = (round % 2 ? 0x0A000000 | (rng() & 0xFFFFFF) : random_addr()) &
				     mask(plen);

			if (rng() % 4 == 0) {
				lpm_delete(t, p, plen);
				ref_set(0, p, plen, 0);
			} else {
				uint32_t v = 1 + rng() % 1000;

				cr_assert_eq(lpm_add(t, p, plen, v, 0, NULL), 0);
				ref_set(0, p, plen, v);
			}
		}
		if (round % 3 != 2)
			lpm_commit(t);
		for (int q = 0; q < 20000; q++) {
			uint8_t plen = random_plen();
			struct within w = { random_addr() & mask(plen), plen, 0, 0 };
			uint64_t count, sum;

			cr_assert_eq(lpm_cover(t, w.prefix, plen), ref_cover(0, w.prefix, plen),
				     "cover of %08x/%u", w.prefix, plen);
			if (q % 8 != 0)
				continue;
			lpm_walk_within(t, w.prefix, plen, within_cb, &w);
			ref_within(0, w.prefix, plen, &count, &sum);
			cr_assert_eq(w.count, count, "routes within %08x/%u", w.prefix, plen);
			cr_assert_eq(w.sum, sum);
		}
	}
	cr_assert_eq(t->croot->kind, CN_DIR, "split: the queries crossed directories");
	lpm_free(t);
	free(pool);
	pool = NULL;
	pool_cap = 0;
}

/*
 * A reader thread looks up without locks while the writer flips routes
 * between two values and commits. Every answer must be one of the values
 * the address can have at some instant; ASan flags a node freed too early.
 */
struct race {
	struct lpm *t;
	struct rcu *rcu;
	atomic_bool stop;
	atomic_ulong lookups, bad;
};

static void *reader(void *arg)
{
	struct race *r = arg;
	struct rcu_reader *rd = rcu_register(r->rcu);
	uint64_t x = 1;

	while (!atomic_load(&r->stop)) {
		for (int i = 0; i < 256; i++) {
			uint32_t a, v;

			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			a = 0x0A000000u | (uint32_t)(x >> 40);  /* inside 10/8 */
			v = lpm_lookup(r->t, a);
			/* 10/8 is always 1; its /24s are 2 or 3 (or absent -> 1) */
			if (v != 1 && v != 2 && v != 3)
				atomic_fetch_add(&r->bad, 1);
		}
		atomic_fetch_add(&r->lookups, 256);
		rcu_quiescent(r->rcu, rd);
	}
	rcu_unregister(r->rcu, rd);
	return NULL;
}

Test(lpm, lock_free_readers_during_commits, .timeout = 120)
{
	struct rcu rcu;
	struct race r = { 0 };
	pthread_t th;

	rcu_init(&rcu);
	r.rcu = &rcu;
	r.t = lpm_new(&rcu, NULL);
	lpm_add(r.t, 0x0A000000, 8, 1, 0, NULL);
	for (uint32_t i = 0; i < 6000; i++) /* enough /24s to split 10/8 into sub-chunks */
		lpm_add(r.t, 0x0A000000 | (i * 2654435761u & 0xFFFF00), 24, 2, 0, NULL);
	lpm_commit(r.t);
	cr_assert_eq(pthread_create(&th, NULL, reader, &r), 0);
	rng_state = 5;
	for (int round = 0; round < 3000; round++) {
		for (int k = 0; k < 50; k++) {
			uint32_t p = 0x0A000000 | (rng() & 0xFFFF00);

			if (rng() % 2)
				lpm_add(r.t, p, 24, 2 + rng() % 2, 0, NULL);
			else
				lpm_delete(r.t, p, 24);
		}
		lpm_commit(r.t);
		rcu_poll(&rcu);
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	rcu_synchronize(&rcu);
	cr_assert_eq(atomic_load(&r.bad), 0, "%lu bad answers", atomic_load(&r.bad));
	cr_assert_gt(atomic_load(&r.lookups), 0);
	lpm_free(r.t);
	rcu_fini(&rcu);
}
