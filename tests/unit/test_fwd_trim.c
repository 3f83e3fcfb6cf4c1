/*
 * fwd's quiet-time trim (trim.h): the results' chunks whose every id is
 * free go, with the hash and the next-hop index shrunk; a route left keeps
 * its result where it is; results still waiting for their grace period
 * keep their chunk; the tick waits for quiet and trims once a spell.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "common/log.h"
#include "fwd/fib.h"
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
