/*
 * fwd's quiet-time trim (trim.h): the results' chunks whose every id is
 * free go, with the hash and the next-hop index shrunk; a route left keeps
 * its result where it is; results still waiting for their grace period
 * keep their chunk; the tick waits for quiet and trims once a spell; readers
 * looking results up all along (as workers do) never touch a freed chunk.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "common/log.h"
#include "fwd/fib.h"
#include "fwd/lpm.h"
#include "fwd/nexthop.h"
#include "fwd/rcu.h"
#include "fwd/trim.h"
#include "test_fwd_util.h"

#define N_ROUTES 5000u /* five chunks of results and more */

static struct fwd *f;
static struct rcu_reader *rd;

static int out_stub(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)ifp;
	(void)frame;
	(void)len;
	return 0;
}

static void setup(void)
{
	struct fwd_hooks h = { .output = out_stub };

	log_init("test_fwd_trim", LOG_LVL_ERR);
	f = fwd_new(&h, 0);
	cr_assert_not_null(f);
	t_vrf_add(f, 1, "A");
}

static void teardown(void)
{
	if (rd != NULL)
		rcu_unregister(f->rcu, rd);
	rd = NULL;
	fwd_free(f);
}

TestSuite(trim, .init = setup, .fini = teardown);

static void nh_add(uint32_t id)
{
	struct ipc_nexthop n = { .nh_id = id, .type = IPC_NH_LABELED, .gateway = 0x0A000002,
				 .out_label = 16 };

	strcpy(n.ifname, "core0");
	t_apply(f, IPC_NH_ADD, &n, sizeof(n));
}

/* Route i: 10.(i/256).(i%256).0/24 by next hop 7 with VPN label 1000 + i (a result each). */
static void route(uint16_t type, uint32_t i)
{
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = t_ip(10, (int)(i >> 8), (int)(i & 255), 0),
				   .plen = 24, .nh_id = 7, .inner_label = 1000 + i };

	t_apply(f, type, &e, sizeof(e));
}

static void routes(uint16_t type, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		route(type, i);
	fib_commit(f);
}

/* Whether route i is there and its result says next hop 7, label 1000 + i. */
static bool route_reads_right(uint32_t i)
{
	const struct fib_result *r =
		fib_lookup(f, fib_vrf_get(f, 1), t_ip(10, (int)(i >> 8), (int)(i & 255), 9));

	return r != NULL && r->nh != NULL && r->nh->id == 7 && r->inner_label == 1000 + i;
}

static uint32_t chunks(void)
{
	uint32_t n = 0;

	for (uint32_t c = 0; c < f->res->n_chunks; c++)
		n += f->res->chunk[c] != NULL;
	return n;
}

Test(trim, a_withdrawal_gives_every_chunk_and_the_hash_back_and_routes_come_again)
{
	nh_add(7);
	routes(IPC_FIB_ADD, 0, N_ROUTES);
	cr_assert_geq(chunks(), N_ROUTES / FIB_RES_CHUNK);
	cr_assert_gt(f->res->hash_size, 1024u);
	routes(IPC_FIB_DEL, 0, N_ROUTES);
	cr_assert_gt(fib_res_shrink(f), (N_ROUTES / FIB_RES_CHUNK) * FIB_RES_CHUNK * 16);
	cr_assert_eq(chunks(), 0);
	cr_assert_eq(f->res->n_chunks, 0);
	cr_assert_eq(f->res->hash_size, 1024u);
	routes(IPC_FIB_ADD, 0, N_ROUTES);
	for (uint32_t i = 0; i < N_ROUTES; i++)
		cr_assert(route_reads_right(i), "route %u after the shrink", i);
}

Test(trim, a_route_left_keeps_its_chunk_and_its_result_and_new_ones_fill_the_holes)
{
	uint32_t left = N_ROUTES - 100, n_chunks;

	nh_add(7);
	routes(IPC_FIB_ADD, 0, N_ROUTES);
	n_chunks = f->res->n_chunks;
	routes(IPC_FIB_DEL, 0, left);
	routes(IPC_FIB_DEL, left + 1, N_ROUTES);
	cr_assert_gt(fib_res_shrink(f), 0);
	cr_assert_eq(chunks(), 1, "only the chunk of the route left");
	cr_assert(route_reads_right(left));
	routes(IPC_FIB_ADD, 0, 3000);
	for (uint32_t i = 0; i < 3000; i++)
		cr_assert(route_reads_right(i), "route %u, added after the shrink", i);
	cr_assert(route_reads_right(left), "the route left, after new ones");
	cr_assert_leq(f->res->n_chunks, n_chunks, "the holes were filled before any new slot");
}

Test(trim, results_waiting_for_a_grace_period_keep_their_chunks)
{
	uint32_t before;

	nh_add(7);
	routes(IPC_FIB_ADD, 0, N_ROUTES);
	cr_assert_not_null(rd = rcu_register(f->rcu)); /* a worker that has not moved on */
	f->no_lazy_commit = true;
	before = chunks();
	routes(IPC_FIB_DEL, 0, N_ROUTES);
	fib_res_shrink(f);
	cr_assert_eq(chunks(), before, "a worker may still read those results");
	for (int i = 0; i < 2; i++) {
		rcu_quiescent(f->rcu, rd);
		rcu_poll(f->rcu);
	}
	cr_assert_gt(fib_res_shrink(f), 0);
	cr_assert_eq(chunks(), 0);
}

Test(trim, the_next_hop_index_shrinks_and_still_finds_what_is_left)
{
	for (uint32_t id = 1; id <= 4000; id++)
		nh_add(id);
	for (uint32_t id = 2; id <= 4000; id++) {
		struct ipc_nexthop n = { .nh_id = id };

		t_apply(f, IPC_NH_DEL, &n, sizeof(n));
	}
	cr_assert_gt(nh_table_shrink(f), 0);
	cr_assert_not_null(nh_find(f, 1));
	cr_assert_eq(nh_find(f, 1)->id, 1);
	cr_assert_null(nh_find(f, 2));
	nh_add(3);
	cr_assert_not_null(nh_find(f, 3));
	cr_assert_eq(nh_table_shrink(f), 0, "nothing more to give");
}

Test(trim, the_tick_waits_for_quiet_and_trims_once_a_spell)
{
	struct fwd_trim t = { 0 };
	size_t got = 0;

	nh_add(7);
	routes(IPC_FIB_ADD, 0, N_ROUTES);
	routes(IPC_FIB_DEL, 0, N_ROUTES);
	cr_assert_eq(fwd_trim_tick(f, &t), 0, "the tick that saw changes");
	for (unsigned s = 1; s < FWD_TRIM_QUIET_S; s++)
		cr_assert_eq(fwd_trim_tick(f, &t), 0, "quiet for %u s only", s);
	cr_assert_gt(got = fwd_trim_tick(f, &t), 0, "quiet long enough");
	cr_assert_eq(chunks(), 0);
	cr_assert_eq(fwd_trim_tick(f, &t), 0, "once a spell");
	route(IPC_FIB_ADD, 1);
	fib_commit(f);
	cr_assert(route_reads_right(1));
	for (unsigned s = 0; s <= FWD_TRIM_QUIET_S; s++)
		cr_assert_eq(fwd_trim_tick(f, &t), 0, "one route: nothing to give");
}

/* ---- readers all along ---- */

static atomic_bool readers_stop;
static atomic_ulong readers_found;

/*
 * A worker's read path: VRF 1's root word, a batch of lookups, the results'
 * next hop and label read, a quiescent point. Under ASan a freed chunk read
 * here fails the test.
 */
static void *reader_main(void *arg)
{
	struct rcu_reader *r = arg;
	uint32_t x = (uint32_t)(uintptr_t)arg;

	while (!atomic_load(&readers_stop)) {
		uintptr_t roots[16];
		uint32_t addr[16], out[16], n = 0;

		for (int j = 0; j < 16; j++) {
			uint32_t i = (x = x * 1103515245u + 12345u) >> 8 & 8191;

			roots[n] = atomic_load_explicit(&f->vrf_roots[1], memory_order_acquire);
			addr[n] = t_ip(10, (int)(i >> 8), (int)(i & 255), 9);
			n += roots[n] != 0;
		}
		if (n > 0)
			lpm_lookup_roots(roots, addr, out, n);
		for (uint32_t j = 0; j < n; j++) {
			const struct fib_result *res = out[j] ? fib_result_of(f->res, out[j]) : NULL;

			if (res != NULL && res->nh->id >= 7 && res->inner_label >= 1000)
				atomic_fetch_add(&readers_found, 1);
		}
		rcu_quiescent(f->rcu, r);
	}
	rcu_offline(r);
	return NULL;
}

Test(trim, readers_looking_up_all_along_never_read_a_freed_chunk, .timeout = 60)
{
	struct rcu_reader *r[2];
	pthread_t tid[2];
	size_t freed = 0;

	nh_add(7);
	nh_add(8);
	f->no_lazy_commit = true;
	for (int k = 0; k < 2; k++) {
		cr_assert_not_null(r[k] = rcu_register(f->rcu));
		cr_assert_eq(pthread_create(&tid[k], NULL, reader_main, r[k]), 0);
	}
	for (uint32_t round = 0; round < 40; round++) {
		for (uint32_t i = 0; i < N_ROUTES; i++) {
			struct ipc_fib_entry e = { .vrf_id = 1, .plen = 24, .nh_id = 7 + (i + round) % 2,
						   .prefix = t_ip(10, (int)(i >> 8), (int)(i & 255), 0),
						   .inner_label = 1000 + i };

			t_apply(f, IPC_FIB_ADD, &e, sizeof(e));
		}
		fib_commit(f);
		/* all but a route a chunk or so go; trimmed before and after the grace periods */
		for (uint32_t i = 0; i < N_ROUTES; i++)
			if (i % 1000 != round % 7)
				route(IPC_FIB_DEL, i);
		fib_commit(f);
		freed += fib_res_shrink(f);
		while (rcu_poll(f->rcu) != 0)
			;
		freed += fib_res_shrink(f) + nh_table_shrink(f);
		if (round % 2) { /* the VRF goes with its routes, and comes back */
			struct ipc_vrf v = { .vrf_id = 1 };

			t_apply(f, IPC_VRF_DEL, &v, sizeof(v));
			fib_commit(f);
			while (rcu_poll(f->rcu) != 0)
				;
			freed += fib_res_shrink(f);
			t_vrf_add(f, 1, "A");
		}
	}
	atomic_store(&readers_stop, true);
	for (int k = 0; k < 2; k++) {
		pthread_join(tid[k], NULL);
		rcu_unregister(f->rcu, r[k]);
	}
	cr_assert_gt(freed, 0, "chunks were given back while the readers ran");
	cr_assert_gt(atomic_load(&readers_found), 0, "the readers found results");
}
