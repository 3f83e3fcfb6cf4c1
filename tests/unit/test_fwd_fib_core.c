/*
 * fwd/fib_core.c: each VRF's core-facing table, what popped frames look up
 * first. Its promise: "the core table's answer, or on 0 the full table's"
 * is the full table's answer, for every address, after every commit,
 * whatever the routes (local and remote nested every way, /0 and
 * /32, values turning local and remote, deletes, bursts of changes that
 * have the core table rebuilt at the commit). Then frames
 * popped to a local route, to a remote route inside a local one and to no
 * route, through the vector path, against pipeline.c alone. And the
 * invariant itself, entry by entry (every core entry is the full table's,
 * every route inside one is one), through VRFs removed and created again
 * under the same id, replays' sweeps and dropped core tables; a rebuild
 * out of memory tried again, later each time, until the table is back.
 */
#include <dlfcn.h>
#include <errno.h>

#include "fwd/ctr.h"
#include "fwd/fib_core.h"
#include "fwd/lpm.h"
#include "log_capture.h"
#include "test_fwd_lpm_rng.h"
#include "test_fwd_pe.h"

/*
 * Out of memory for real: while fail_realloc is set, realloc fails (a
 * rebuild's first realloc is that of its array of local routes, and the
 * LPM grows its route lists with it; commits use none), counted.
 */
static bool fail_realloc;
static unsigned reallocs_failed;

void *realloc(void *p, size_t n)
{
	static void *(*next)(void *, size_t);

	if (fail_realloc) {
		reallocs_failed++;
		errno = ENOMEM;
		return NULL;
	}
	if (next == NULL)
		*(void **)&next = dlsym(RTLD_NEXT, "realloc"); /* ASan's, or libc's */
	return next(p, n);
}

TestSuite(fib_core, .init = setup, .fini = teardown);

#define N_VRF 2 /* test_fwd_pe.h's A and B */

/* (next hop, inner label) pairs: next hops 1, 2, 5 toward CEs, 3 and 7 toward PE routers */
struct val {
	uint32_t nh, inner;
};
static const struct val vals[] = {
	{ 2, MPLS_LABEL_NONE }, { 1, MPLS_LABEL_NONE }, { 5, MPLS_LABEL_NONE },
	{ 3, 300 },		{ 3, 301 },		{ 7, 400 },
};
#define N_VALS (sizeof(vals) / sizeof(vals[0]))

/* Addresses crowded into a few /24s of 192.168/16 and 10/8, so prefixes nest every way. */
static uint32_t draw_addr(void)
{
	static const uint32_t base[4] = { 0xC0A86400, 0xC0A86500, 0xC0A80000, 0x0A000000 };

	return base[rng() % 4] | (rng() % 4) << 14 | (rng() % 3) << 8 | (rng() & 0xFF);
}

static uint8_t draw_plen(void)
{
	static const uint8_t plens[] = { 0, 1, 8, 12, 16, 17, 18, 20, 22, 23, 24,
					 24, 25, 25, 26, 27, 28, 29, 30, 31, 32, 32 };

	return plens[rng() % sizeof(plens)];
}

/* The vector path's way: the core table, then the full one on 0. */
static uint32_t core_then_full(uint32_t vrf, uint32_t addr)
{
	uintptr_t root = atomic_load(&f->vrf_core_roots[vrf]);
	uint32_t id;

	lpm_lookup_roots(&root, &addr, &id, 1);
	if (id != 0)
		return id;
	root = atomic_load(&f->vrf_roots[vrf]);
	lpm_lookup_roots(&root, &addr, &id, 1);
	return id;
}

/* Every address checked in both VRFs; how many the core table answered itself. */
static unsigned check(const uint32_t *addrs, unsigned n)
{
	unsigned own = 0;

	for (uint32_t vrf = 1; vrf <= N_VRF; vrf++) {
		struct fwd_vrf *v = fib_vrf_get(f, vrf);

		for (unsigned i = 0; i < n; i++) {
			uintptr_t root = atomic_load(&f->vrf_core_roots[vrf]);
			uint32_t full = lpm_lookup(v->lpm, addrs[i]), core;

			cr_assert_eq(core_then_full(vrf, addrs[i]), full,
				     "vrf %u, %08x: core then full %u, full %u", vrf, addrs[i],
				     core_then_full(vrf, addrs[i]), full);
			lpm_lookup_roots(&root, &addrs[i], &core, 1);
			own += core != 0;
		}
	}
	return own;
}

/* As fib_core.c's out-of-memory path leaves a VRF: no core table, the full lookup for all. */
static void drop_core(uint32_t vrf)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf);

	atomic_store(&f->vrf_core_roots[vrf], (uintptr_t)1); /* a leaf answering 0 */
	lpm_free(v->core);
	v->core = NULL;
}

enum { N_ADDR = 600 };

/* The addresses checked: at first routes' first and last addresses, then random ones. */
static void note_addr(uint32_t *addrs, uint32_t *n_addr, uint32_t prefix, uint8_t plen)
{
	if (*n_addr < N_ADDR) {
		uint32_t host = plen == 0 ? 0xFFFFFFFF : ~(0xFFFFFFFFu << (32 - plen));

		addrs[(*n_addr)++] = prefix & ~host; /* a route's first address, and its last */
		addrs[(*n_addr)++] = prefix | host;
	} else {
		addrs[rng() % N_ADDR] = rng() % 8 == 0 ? rng() : draw_addr();
	}
}

/* One random add or delete of a route of vrf. */
static void change(uint32_t *addrs, uint32_t *n_addr, uint32_t vrf, bool add)
{
	uint32_t prefix = draw_addr();
	uint8_t plen = draw_plen();
	const struct val *x = &vals[rng() % N_VALS];

	if (add)
		cr_assert_eq(fib_add(f, vrf, prefix, plen, x->nh, x->inner), 0);
	else
		fib_del(f, vrf, prefix, plen); /* often not there: -ENOENT */
	note_addr(addrs, n_addr, prefix, plen);
}

/*
 * Many changes to one VRF before a commit, as when a table loads: enough
 * that fib_core.c rebuilds its core table at the commit. Whether it did.
 */
static bool burst(uint32_t *addrs, uint32_t *n_addr, uint32_t vrf)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf);
	bool had = v->core != NULL;

	for (size_t i = 0; i < fib_count(v) / 2 + 2 * FIB_CORE_BATCH_MIN; i++)
		change(addrs, n_addr, vrf, rng() % 100 < 60);
	return had && v->core == NULL;
}

Test(fib_core, equals_the_full_lookup_under_random_changes, .timeout = 120)
{
	uint32_t addrs[N_ADDR], n_addr = 0;
	unsigned own = 0, fell_back = 0, checks = 0, rebuilt = 0;

	rng_state = 0x5EED17;
	for (int op = 0; op < 60000; op++) {
		uint32_t vrf = 1 + rng() % N_VRF, r = rng() % 100;

		if (r < 90)
			change(addrs, &n_addr, vrf, r < 55);
		else if (r < 91)
			drop_core(vrf);
		else if (r < 92 && op % 4 == 0)
			rebuilt += burst(addrs, &n_addr, vrf);
		if (r >= 97) {
			unsigned k;

			fib_commit(f);
			k = check(addrs, n_addr);
			own += k;
			fell_back += 2 * n_addr - k;
			checks++;
		}
	}
	fib_commit(f);
	own += check(addrs, n_addr);
	cr_assert_gt(checks, 1000);
	/* the core table did answer (not everything fell back), and fell back too */
	cr_assert_gt(own, checks * 10, "the core table answered %u times", own);
	cr_assert_gt(fell_back, checks * 10);
	/* and the bursts' core tables were rebuilt at their commits, not kept change by change */
	cr_assert_gt(rebuilt, 50, "%u bursts rebuilt", rebuilt);
	for (uint32_t vrf = 1; vrf <= N_VRF; vrf++)
		cr_assert_not_null(fib_vrf_get(f, vrf)->core, "rebuilt at a commit");
}

/* What the core table holds for one local route with remote routes around and inside it. */
Test(fib_core, local_route_with_remote_routes_inside)
{
	struct fwd_vrf *v = fib_vrf_get(f, 1);
	const uint32_t net = t_ip(172, 16, 0, 0), lo = net + 5, hi = net + 200;
	size_t n0 = lpm_count(v->core); /* test_fwd_pe.h's local routes */
	uintptr_t root;
	uint32_t id;

#define CORE_AT(a) (root = atomic_load(&f->vrf_core_roots[1]), \
		    lpm_lookup_roots(&root, &(uint32_t){ a }, &id, 1), id)
#define FULL_AT(a) lpm_lookup(v->lpm, a)
	cr_assert_eq(fib_add(f, 1, net, 25, 3, 300), 0); /* remote, nothing local around: left out */
	fib_commit(f);
	cr_assert_eq(lpm_get(v->core, net, 25, NULL), 0);
	cr_assert_eq(CORE_AT(lo), 0);
	cr_assert_eq(fib_add(f, 1, net, 24, 2, MPLS_LABEL_NONE), 0); /* local over it: both in */
	cr_assert_eq(fib_add(f, 1, net + 128, 32, 7, 400), 0);        /* remote host inside */
	cr_assert_eq(fib_add(f, 1, net + 128, 31, 3, 301), 0);        /* and a /31 around it */
	cr_assert_eq(fib_add(f, 1, 0, 0, 3, 301), 0);                 /* remote default: left out */
	fib_commit(f);
	cr_assert_eq(lpm_count(v->core), n0 + 4, "the /24, the /25, the /32 and the /31");
	cr_assert_neq(FULL_AT(lo), FULL_AT(hi));
	cr_assert_eq(CORE_AT(lo), FULL_AT(lo), "the remote /25 inside the local /24");
	cr_assert_eq(CORE_AT(net + 128), FULL_AT(net + 128), "the remote /32");
	cr_assert_eq(CORE_AT(net + 129), FULL_AT(net + 129), "the remote /31");
	cr_assert_eq(CORE_AT(hi), FULL_AT(hi), "the local /24 itself");
	cr_assert_eq(CORE_AT(t_ip(8, 8, 8, 8)), 0, "the default is not in it");
	cr_assert_eq(fib_del(f, 1, net, 25), 0);
	fib_commit(f);
	cr_assert_eq(CORE_AT(lo), FULL_AT(lo));
	cr_assert_eq(fib_add(f, 1, net, 24, 3, 300), 0); /* local -> remote: stays, its routes too */
	fib_commit(f);
	cr_assert_eq(CORE_AT(hi), FULL_AT(hi));
	cr_assert_eq(CORE_AT(net + 128), FULL_AT(net + 128));
	cr_assert_eq(fib_add(f, 1, 0, 0, 1, MPLS_LABEL_NONE), 0); /* remote -> local, under all */
	fib_commit(f);
	cr_assert_eq(CORE_AT(t_ip(8, 8, 8, 8)), FULL_AT(t_ip(8, 8, 8, 8)));
	cr_assert_eq(CORE_AT(hi), FULL_AT(hi), "the remote /24 under the local /0");
	cr_assert_eq(fib_del(f, 1, net, 24), 0);
	cr_assert_eq(fib_del(f, 1, net + 128, 32), 0);
	fib_commit(f);
	cr_assert_eq(CORE_AT(hi), FULL_AT(hi), "deleted: the local /0 answers");
	cr_assert_eq(CORE_AT(net + 128), FULL_AT(net + 128), "and the /31 still");
	cr_assert_eq(fib_del(f, 1, 0, 0), 0);
	fib_commit(f);
	cr_assert_eq(CORE_AT(net + 129), FULL_AT(net + 129), "left by the /0: its own answer");
#undef CORE_AT
#undef FULL_AT
}

/* VRF id's lookups_from_core as the API shows it (worked out from its labels' lines: ctr.h). */
static uint64_t vrf_core_lookups(uint32_t id)
{
	struct fwd_vrf_ctr c;

	fib_vrf_counters(f, fib_vrf_get(f, id), &c);
	return c.lookups_from_core;
}

/* Frame i of a batch through the vector path, then through pipeline.c alone: the same bytes. */
static void pop_both_ways(const uint32_t *dsts, unsigned n, struct capture *fast_out,
			  int *n_fast_out)
{
	struct tframe t[8];
	struct fwd_pkt p[8];
	struct fwd_iface *in[8];
	uint32_t lbl[1] = { 100 };
	uint8_t ttl[1] = { 10 };

	for (int way = 0; way < 2; way++) {
		for (unsigned i = 0; i < n; i++) {
			t_mpls_frame(&t[i], mac_core0, mac_p, lbl, ttl, 1, SITE2, dsts[i], 64);
			p[i] = t[i].p;
			in[i] = core0;
		}
		n_cap = 0;
		f->slow_only = way == 1;
		fwd_input_batch(f, in, p, n, NULL);
		if (way == 0) {
			memcpy(fast_out, cap, sizeof(cap[0]) * (size_t)n_cap);
			*n_fast_out = n_cap;
		}
	}
	f->slow_only = false;
	cr_assert_eq(n_cap, *n_fast_out);
	for (int i = 0; i < n_cap; i++) {
		cr_assert_eq(cap[i].ifp, fast_out[i].ifp, "output %d", i);
		cr_assert_eq(cap[i].len, fast_out[i].len, "output %d", i);
		cr_assert_arr_eq(cap[i].data, fast_out[i].data, cap[i].len, "output %d", i);
	}
}

/*
 * Label 100 pops into VRF A: to its CE's /24 (local), to a remote /25
 * inside that /24 (back to the core with A's label 300 for it under P's
 * 16), to an address A has no route for (an ICMP error back to the
 * source, SITE2, a remote site of A's: label 200), and to SITE2 itself (a
 * remote route no local one covers: the core table misses, the second
 * lookup in the full one answers). Bytes, counters, and pipeline.c agreeing.
 */
Test(fib_core, popped_frames_local_remote_inside_and_missing)
{
	static struct capture fast_out[MAX_CAP];
	const uint32_t dsts[4] = { t_ip(192, 168, 100, 10), t_ip(192, 168, 100, 200),
				   t_ip(192, 168, 77, 1), SITE2 };
	struct fwd_ctrs *c = f->ctrs[0];
	uint64_t fast;
	int n_fast_out;

	add_route(1, t_ip(192, 168, 100, 128), 25, 3, 300);
	pop_both_ways(dsts, 4, fast_out, &n_fast_out); /* next hops learn their MACs */
	memset(c->vrf, 0, sizeof(c->vrf[0]) * 4);
	memset(&c->label[100], 0, sizeof(c->label[100]));
	memset(f->drops, 0, sizeof(f->drops));
	fast = f->fast;
	pop_both_ways(dsts, 4, fast_out, &n_fast_out);
	cr_assert_eq(n_fast_out, 4);
	cr_assert_eq(f->fast - fast, 3, "local, remote inside and remote finished in vector.c");
	/* local: to A's CE, TTL 10 - 1, no label */
	cr_assert_eq(fast_out[0].ifp, ce_a);
	cr_assert_arr_eq(fast_out[0].data, mac_cea, 6);
	cr_assert_arr_eq(fast_out[0].data + 6, mac_ce_a, 6);
	cr_assert_eq(t_get16(fast_out[0].data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(t_get32(fast_out[0].data + 14 + 16), dsts[0]);
	cr_assert_eq(fast_out[0].data[14 + 8], 9);
	cr_assert(t_ip_csum_ok(fast_out[0].data + 14));
	/* remote inside the local /24: [16 | 300, S] toward P */
	cr_assert_eq(fast_out[1].ifp, core0);
	cr_assert_arr_eq(fast_out[1].data, mac_p, 6);
	cr_assert_eq(t_get16(fast_out[1].data + 12), ETHERTYPE_MPLS);
	cr_assert_eq(t_lse(fast_out[1].data, 0).label, 16);
	cr_assert_eq(t_lse(fast_out[1].data, 0).bos, 0);
	cr_assert_eq(t_lse(fast_out[1].data, 1).label, 300);
	cr_assert_eq(t_lse(fast_out[1].data, 1).bos, 1);
	cr_assert_eq(t_get32(fast_out[1].data + 22 + 16), dsts[1]);
	/* missing: destination unreachable to the source, labeled back toward P */
	cr_assert_eq(fast_out[2].ifp, core0);
	cr_assert_eq(t_lse(fast_out[2].data, 1).label, 200);
	cr_assert_eq(fast_out[2].data[22 + 9], IPV4_PROTO_ICMP);
	cr_assert_eq(fast_out[2].data[22 + 20], 3);
	cr_assert_eq(t_get32(fast_out[2].data + 22 + 16), SITE2);
	/* remote, no local route around it: [16 | 200, S] toward P, after the second lookup */
	cr_assert_eq(fast_out[3].ifp, core0);
	cr_assert_eq(t_lse(fast_out[3].data, 0).label, 16);
	cr_assert_eq(t_lse(fast_out[3].data, 1).label, 200);
	cr_assert_eq(t_lse(fast_out[3].data, 1).bos, 1);
	cr_assert_eq(t_get32(fast_out[3].data + 22 + 16), SITE2);
	/* counted once a frame on each way, the same both ways */
	cr_assert_eq(c->label[100].packets, 8);
	cr_assert_eq(c->label[100].lookups, 8, "each popped frame's lookup, on its label (ctr.h)");
	cr_assert_eq(vrf_core_lookups(1), 8, "... and so in A's lookups_from_core");
	cr_assert_eq(c->vrf[1].no_route, 2);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 2);
}

/* ---- the invariant itself, under VRF removal, re-creation and replays ---- */

struct inv {
	struct fwd_vrf *v;
	uint32_t prefix; /* a core entry being checked by inside_cb */
	uint8_t plen;
};

/* A route of the full table inside the core entry being checked: a core entry too, same value. */
static int inside_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct inv *c = ctx;

	(void)tag;
	cr_assert_eq(lpm_get(c->v->core, prefix, plen, NULL), value,
		     "vrf %u: %08x/%u inside core entry %08x/%u is not in the core table as %u",
		     c->v->id, prefix, plen, c->prefix, c->plen, value);
	return 0;
}

/* A core entry: in the full table with the same value, and all it holds is in it too. */
static int core_entry_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct inv *c = ctx;

	(void)tag;
	cr_assert_eq(lpm_get(c->v->lpm, prefix, plen, NULL), value,
		     "vrf %u: core entry %08x/%u = %u, full table %u", c->v->id, prefix, plen, value,
		     lpm_get(c->v->lpm, prefix, plen, NULL));
	c->prefix = prefix;
	c->plen = plen;
	lpm_walk_within(c->v->lpm, prefix, plen, inside_cb, c);
	return 0;
}

/* Every local route of the full table is a core entry. */
static int local_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct inv *c = ctx;

	(void)tag;
	if (fib_result_of(f->res, value)->inner_label == MPLS_LABEL_NONE)
		cr_assert_eq(lpm_get(c->v->core, prefix, plen, NULL), value,
			     "vrf %u: local %08x/%u not in the core table", c->v->id, prefix, plen);
	return 0;
}

static void check_invariant(void)
{
	for (uint32_t vrf = 1; vrf <= N_VRF; vrf++) {
		struct inv c = { fib_vrf_get(f, vrf), 0, 0 };

		if (c.v == NULL || c.v->core == NULL)
			continue;
		lpm_walk(c.v->core, core_entry_cb, &c);
		lpm_walk(c.v->lpm, local_cb, &c);
	}
}

/*
 * The core table's control view checked entry by entry against the full
 * one (what the lookups above sample), through VRFs removed and created
 * again under the same id, replays that sweep the routes not sent again,
 * and cores dropped as out of memory leaves them.
 */
Test(fib_core, every_core_entry_is_the_full_tables_under_vrf_churn, .timeout = 120)
{
	rng_state = 0xC0FFEE;
	for (int op = 0; op < 20000; op++) {
		uint32_t vrf = 1 + rng() % N_VRF, r = rng() % 1000;
		const struct val *x = &vals[rng() % N_VALS];

		if (fib_vrf_get(f, vrf) == NULL) {
			cr_assert_eq(fib_vrf_add(f, vrf, vrf == 1 ? "A" : "B"), 0);
		} else if (r < 550) {
			cr_assert_eq(fib_add(f, vrf, draw_addr(), draw_plen(), x->nh, x->inner), 0);
		} else if (r < 900) {
			fib_del(f, vrf, draw_addr(), draw_plen());
		} else if (r < 905) {
			fib_vrf_del(f, vrf);
		} else if (r < 910) {
			drop_core(vrf);
		} else if (r < 915) {
			f->gen++; /* a replay: what is sent again stays, the rest is swept */
			for (uint32_t id = 1; id <= N_VRF; id++)
				if (fib_vrf_get(f, id) != NULL)
					fib_vrf_add(f, id, id == 1 ? "A" : "B");
			for (int k = 0; k < 40; k++)
				fib_add(f, vrf, draw_addr(), draw_plen(), x->nh, x->inner);
			fib_sweep(f, f->gen);
		}
		if (r >= 960) {
			fib_commit(f);
			check_invariant();
		}
	}
	fib_commit(f);
	check_invariant();
}

/*
 * A replay (vrfmgr again, fwd_sync) adds every route again with the value
 * it has: the tables do not change, so neither may the core table. Counted
 * as changes, enough of them dropped it, and with the full table not dirty
 * the VRF was not committed, so it was not rebuilt: every popped frame took
 * two lookups until some route of the VRF changed.
 */
Test(fib_core, a_replay_of_the_same_routes_keeps_the_core_table)
{
	struct fwd_vrf *v = fib_vrf_get(f, 1);
	const uint32_t net = t_ip(172, 16, 0, 0);
	uintptr_t root;
	uint32_t id;

	for (uint32_t i = 0; i < 400; i++) /* local /30s */
		cr_assert_eq(fib_add(f, 1, net + 4 * i, 30, 2, MPLS_LABEL_NONE), 0);
	fib_commit(f);
	cr_assert_not_null(v->core);
	f->gen++;
	for (uint32_t i = 0; i < 400; i++)
		cr_assert_eq(fib_add(f, 1, net + 4 * i, 30, 2, MPLS_LABEL_NONE), 0);
	fib_commit(f);
	cr_assert_not_null(v->core, "the core table dropped by a replay that changed nothing");
	root = atomic_load(&f->vrf_core_roots[1]);
	lpm_lookup_roots(&root, &(uint32_t){ net + 8 }, &id, 1);
	cr_assert_eq(id, lpm_lookup(v->lpm, net + 9), "answered by the core table");
	cr_assert_neq(id, 0);
}

/*
 * One batch mixing frames from A's CE (one to no route, one to a remote
 * site) with frames popped into A and B (to a remote route no local one
 * covers, local, no route): the misses of the pushed frames are not looked
 * up again, the popped ones are, in their own VRF's full table. The same
 * bytes and the same VRF counters and drops as pipeline.c alone.
 */
Test(fib_core, a_batch_mixing_pushed_and_popped_misses)
{
	static struct capture fast_out[MAX_CAP];
	static const uint32_t lbl_a[1] = { 100 }, lbl_b[1] = { 101 };
	static const uint8_t ttl[1] = { 10 };
	const uint32_t none = t_ip(192, 168, 77, 1), host = t_ip(192, 168, 100, 7);
	struct fwd_vrf_ctr vrf[2][3];
	struct fwd_label_ctr lbl[2][2];
	uint64_t no_route[2];
	struct fwd_ctrs *c = f->ctrs[0];
	struct tframe t[7];
	struct fwd_pkt p[7];
	struct fwd_iface *in[7];
	int n_fast_out = 0;

	for (int way = 0; way < 3; way++) { /* the first one has next hops learn their MACs */
		t_ip_frame(&t[0], mac_ce_a, mac_cea, host, none, 64);
		t_mpls_frame(&t[1], mac_core0, mac_p, lbl_a, ttl, 1, SITE2, SITE2 + 1, 64);
		t_ip_frame(&t[2], mac_ce_a, mac_cea, host, SITE2, 64);
		t_mpls_frame(&t[3], mac_core0, mac_p, lbl_a, ttl, 1, SITE2, host + 3, 64);
		t_mpls_frame(&t[4], mac_core0, mac_p, lbl_a, ttl, 1, SITE2, none, 64);
		t_mpls_frame(&t[5], mac_core0, mac_p, lbl_b, ttl, 1, SITE2, t_ip(192, 168, 102, 5),
			     64);
		t_ip_frame(&t[6], mac_ce_a, mac_cea, host, none + 1, 64);
		for (int i = 0; i < 7; i++) {
			p[i] = t[i].p;
			in[i] = t[i].p.data[12] == 0x88 ? core0 : ce_a; /* 0x8847: MPLS */
		}
		memset(c->vrf, 0, sizeof(c->vrf[0]) * 3);
		memset(&c->label[100], 0, sizeof(c->label[0]) * 2);
		memset(f->drops, 0, sizeof(f->drops));
		n_cap = 0;
		f->slow_only = way == 2;
		fwd_input_batch(f, in, p, 7, NULL);
		memcpy(vrf[way == 2], c->vrf, sizeof(vrf[0]));
		memcpy(lbl[way == 2], &c->label[100], sizeof(lbl[0]));
		no_route[way == 2] = drops(FWD_DROP_NO_ROUTE);
		if (way == 1) {
			memcpy(fast_out, cap, sizeof(cap[0]) * (size_t)n_cap);
			n_fast_out = n_cap;
		}
	}
	f->slow_only = false;
	cr_assert_eq(n_cap, n_fast_out);
	for (int i = 0; i < n_cap; i++) {
		cr_assert_eq(cap[i].ifp, fast_out[i].ifp, "output %d", i);
		cr_assert_eq(cap[i].len, fast_out[i].len, "output %d", i);
		cr_assert_arr_eq(cap[i].data, fast_out[i].data, cap[i].len, "output %d", i);
	}
	cr_assert_eq(memcmp(vrf[0], vrf[1], sizeof(vrf[0])), 0, "VRF counters as pipeline.c's");
	cr_assert_eq(memcmp(lbl[0], lbl[1], sizeof(lbl[0])), 0, "label counters as pipeline.c's");
	cr_assert_eq(no_route[0], no_route[1]);
	cr_assert_eq(lbl[0][0].lookups, 3, "A's popped frames' lookups, on A's label 100");
	cr_assert_eq(vrf[0][1].lookups_from_ce, 3);
	cr_assert_eq(vrf[0][1].no_route, 3, "two pushed, one popped");
	cr_assert_eq(lbl[0][1].lookups, 1, "B's, on B's label 101");
	cr_assert_eq(vrf[0][2].no_route, 0, "B's remote /24 found in its full table");
	/* the popped frames to remote routes: back to the core under A's 200 and B's 202 */
	for (int i = 0, seen = 0; i < n_cap; i++) {
		if (cap[i].ifp != core0 || t_get16(cap[i].data + 12) != ETHERTYPE_MPLS ||
		    cap[i].data[22 + 9] == IPV4_PROTO_ICMP)
			continue;
		seen++;
		if (t_get32(cap[i].data + 22 + 16) == SITE2 + 1)
			cr_assert_eq(t_lse(cap[i].data, 1).label, 200);
		cr_assert(seen <= 3);
	}
}

/*
 * A batch that has VRF A's core table dropped (changes enough for a
 * rebuild), then removes A and creates it again under its id before the
 * commit: the dropped table freed once (no reader here: rcu_retire frees at
 * once, ASan would see a second free), the new A's core table committed
 * from its own routes, and the VRF gone from the dirty list it was on.
 */
Test(fib_core, a_drop_then_the_vrf_removed_and_made_again_in_one_batch)
{
	const uint32_t net = t_ip(172, 16, 0, 0);
	struct fwd_vrf *v;
	uintptr_t root;
	uint32_t id;

	for (uint32_t i = 0; i < 200; i++)
		cr_assert_eq(fib_add(f, 1, net + 4 * i, 30, 2, MPLS_LABEL_NONE), 0);
	cr_assert_null(fib_vrf_get(f, 1)->core, "dropped: more than 32 + a quarter changed");
	fib_vrf_del(f, 1);
	cr_assert_eq(fib_vrf_add(f, 1, "A"), 0);
	cr_assert_eq(fib_add(f, 1, net, 24, 2, MPLS_LABEL_NONE), 0);
	cr_assert_eq(fib_add(f, 1, net + 128, 25, 3, 300), 0);
	fib_commit(f);
	v = fib_vrf_get(f, 1);
	cr_assert_not_null(v->core);
	cr_assert_eq(lpm_count(v->core), 2, "the new A's /24 and the remote /25 inside it");
	root = atomic_load(&f->vrf_core_roots[1]);
	lpm_lookup_roots(&root, &(uint32_t){ net + 130 }, &id, 1);
	cr_assert_eq(id, lpm_lookup(v->lpm, net + 130));
	check_invariant();
}

/* VRF A's core table after a commit whose rebuild runs out of memory. */
static void commit_out_of_memory(void)
{
	fail_realloc = true;
	reallocs_failed = 0;
	fib_commit(f);
	fail_realloc = false;
}

/*
 * A core table dropped (a burst of changes) whose rebuild at the commit
 * runs out of memory: the routes are published all the same, popped frames
 * take the full lookup, and the rebuild is tried again a second later by
 * the tick, with no route changed, then 2 s after a second failure (not at
 * every commit meanwhile); back, it holds A's routes and says so in the log.
 */
Test(fib_core, a_rebuild_out_of_memory_is_tried_again_until_the_table_is_back)
{
	const uint32_t net = t_ip(172, 16, 0, 0);
	struct fwd_vrf *v = fib_vrf_get(f, 1);
	uint64_t t0 = f->now_ms;
	uintptr_t root;
	uint32_t id;

	log_capture(LOG_LVL_INFO);
	for (uint32_t i = 0; i < 200; i++)
		cr_assert_eq(fib_add(f, 1, net + 4 * i, 30, 2, MPLS_LABEL_NONE), 0);
	cr_assert_eq(fib_add(f, 1, net + 8, 32, 3, 300), 0); /* a remote route inside a local one */
	cr_assert_null(v->core, "dropped: more than 32 + a quarter changed");
	commit_out_of_memory();
	cr_assert_gt(reallocs_failed, 0, "the rebuild was not tried");
	cr_assert_null(v->core);
	cr_assert_not(fib_pending(f), "the routes wait for the core table");
	cr_assert_eq(atomic_load(&f->vrf_core_roots[1]), 1, "popped frames: the full lookup");
	cr_assert_eq(lpm_lookup(v->lpm, net + 8), lpm_get(v->lpm, net + 8, 32, NULL));
	cr_assert_not_null(strstr(log_captured(), "vrf 1: out of memory rebuilding the core-facing "
						  "table"), "%s", log_captured());

	/* waiting: neither another VRF's commit nor a tick tries it */
	cr_assert_eq(fib_add(f, 2, net, 24, 2, MPLS_LABEL_NONE), 0);
	commit_out_of_memory();
	f->now_ms = t0 + FIB_CORE_RETRY_MS - 1;
	fail_realloc = true;
	fib_tick(f);
	fail_realloc = false;
	cr_assert_eq(reallocs_failed, 0, "tried again at once");

	/* a second later it is, fails again, and waits twice as long */
	f->now_ms = t0 + FIB_CORE_RETRY_MS;
	fail_realloc = true;
	fib_tick(f);
	fail_realloc = false;
	cr_assert_gt(reallocs_failed, 0, "not tried again after a second");
	cr_assert_null(v->core);
	reallocs_failed = 0;
	f->now_ms = t0 + 3 * FIB_CORE_RETRY_MS - 1;
	commit_out_of_memory();
	cr_assert_eq(reallocs_failed, 0, "the wait did not double");

	/* then, memory back, the tick brings the table back with no route changed */
	f->now_ms = t0 + 3 * FIB_CORE_RETRY_MS;
	fib_tick(f);
	cr_assert_not_null(v->core, "not rebuilt");
	cr_assert_geq(lpm_count(v->core), 201, "A's 200 local /30s and the remote /32 inside");
	cr_assert_eq(f->n_core_waiting, 0);
	root = atomic_load(&f->vrf_core_roots[1]);
	lpm_lookup_roots(&root, &(uint32_t){ net + 8 }, &id, 1);
	cr_assert_eq(id, lpm_lookup(v->lpm, net + 8), "the core table answers, committed");
	cr_assert_neq(id, 0);
	cr_assert_not_null(strstr(log_captured(), "vrf 1: core-facing table back ("), "%s",
			   log_captured());
	check_invariant();
}

/*
 * VRF A removed while its rebuild waits (out of memory): nothing waits any
 * more, so commits and ticks no longer look for VRFs to try again, and the
 * A made again under its id has its own core table, with no retry of the
 * old one's, even once the longest wait is over.
 */
Test(fib_core, a_vrf_removed_while_its_rebuild_waits_leaves_nothing_waiting)
{
	const uint32_t net = t_ip(172, 16, 0, 0);
	uint64_t t0 = f->now_ms;
	struct fwd_vrf *v;

	for (uint32_t i = 0; i < 200; i++)
		cr_assert_eq(fib_add(f, 1, net + 4 * i, 30, 2, MPLS_LABEL_NONE), 0);
	commit_out_of_memory();
	cr_assert_null(fib_vrf_get(f, 1)->core);
	cr_assert_eq(f->n_core_waiting, 1);
	fib_vrf_del(f, 1);
	cr_assert_eq(f->n_core_waiting, 0, "a VRF gone still counted as waiting");

	cr_assert_eq(fib_vrf_add(f, 1, "A"), 0);
	cr_assert_eq(fib_add(f, 1, net, 24, 2, MPLS_LABEL_NONE), 0);
	fib_commit(f);
	v = fib_vrf_get(f, 1);
	cr_assert_not_null(v->core);
	f->now_ms = t0 + FIB_CORE_RETRY_MAX_MS;
	fail_realloc = true;
	reallocs_failed = 0;
	fib_tick(f);
	fail_realloc = false;
	cr_assert_eq(reallocs_failed, 0, "the new A rebuilt for the old one's wait");
	cr_assert_not_null(v->core);
	cr_assert_not(fib_pending(f));
	check_invariant();
}

/*
 * Two VRFs' rebuilds out of memory at one commit: the tick a second later
 * tries both (the walk for waiting VRFs ends at the last one, not before).
 */
Test(fib_core, two_vrfs_waiting_are_both_tried_again)
{
	const uint32_t net = t_ip(172, 16, 0, 0);
	uint64_t t0 = f->now_ms;

	for (uint32_t vrf = 1; vrf <= 2; vrf++)
		for (uint32_t i = 0; i < 200; i++)
			cr_assert_eq(fib_add(f, vrf, net + 4 * i, 30, 2, MPLS_LABEL_NONE), 0);
	commit_out_of_memory();
	cr_assert_null(fib_vrf_get(f, 1)->core);
	cr_assert_null(fib_vrf_get(f, 2)->core);
	cr_assert_eq(f->n_core_waiting, 2);
	f->now_ms = t0 + FIB_CORE_RETRY_MS;
	fib_tick(f);
	cr_assert_not_null(fib_vrf_get(f, 1)->core, "A not tried again");
	cr_assert_not_null(fib_vrf_get(f, 2)->core, "B not tried again");
	cr_assert_eq(f->n_core_waiting, 0);
	check_invariant();
}
