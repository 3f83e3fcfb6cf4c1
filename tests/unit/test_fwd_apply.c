/*
 * fwd/apply.c and the tables behind it: vrfmgr's messages, replay
 * mark-and-sweep, next-hop reference counting, the static LFIB of LSR mode.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/fib.h"
#include "fwd/lfib.h"
#include "fwd/lpm.h"
#include "fwd/nexthop.h"
#include "fwd/rcu.h"
#include "test_fwd_util.h"

static int out_stub(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)ifp;
	(void)frame;
	(void)len;
	return 0;
}

static int opens, closes;

static int open_stub(void *ctx, struct fwd_iface *ifp)
{
	(void)ctx;
	ifp->open = true;
	opens++;
	return 0;
}

static void close_stub(void *ctx, struct fwd_iface *ifp)
{
	(void)ctx;
	ifp->open = false;
	closes++;
}

static struct fwd *f;

static struct rcu_reader *rd; /* a worker's RCU slot, when a test plays one */

static void setup(void)
{
	struct fwd_hooks h = { .output = out_stub, .if_open = open_stub, .if_close = close_stub };

	log_init("test_fwd_apply", LOG_LVL_ERR);
	opens = closes = 0;
	f = fwd_new(&h, 0);
	cr_assert_not_null(f);
}

static void teardown(void)
{
	if (rd != NULL) /* a test's worker: fwd_free waits for every reader */
		rcu_unregister(f->rcu, rd);
	rd = NULL;
	fwd_free(f);
}

static void send0(uint16_t type)
{
	apply_msg(f, type, NULL, 0);
}

static void vrf(uint16_t type, uint32_t id, const char *name)
{
	struct ipc_vrf v = { .vrf_id = id };

	strcpy(v.name, name);
	apply_msg(f, type, &v, sizeof(v));
}

static void bind_if(uint16_t type, const char *name, uint32_t vrf_id)
{
	struct ipc_if_bind b = { .vrf_id = vrf_id, .address = 0x0A010101, .plen = 30 };

	strcpy(b.ifname, name);
	apply_msg(f, type, &b, sizeof(b));
}

static void nh(uint16_t type, uint32_t id)
{
	struct ipc_nexthop n = { .nh_id = id, .type = IPC_NH_GATEWAY, .gateway = 0x0A010102 };

	strcpy(n.ifname, "ce-a1");
	apply_msg(f, type, &n, sizeof(n));
}

static void route(uint16_t type, uint32_t vrf_id, uint32_t prefix, uint8_t plen, uint32_t nh_id)
{
	struct ipc_fib_entry e = { .vrf_id = vrf_id, .prefix = prefix, .plen = plen,
				   .nh_id = nh_id, .inner_label = MPLS_LABEL_NONE };

	apply_msg(f, type, &e, sizeof(e));
}

static void label(uint16_t type, uint32_t in, uint32_t action, uint32_t vrf_id, uint32_t nh_id)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf_id,
				    .nh_id = nh_id, .out_label = 17 };

	apply_msg(f, type, &e, sizeof(e));
}

static const struct fib_result *get(uint32_t vrf_id, uint32_t addr)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf_id);

	return v != NULL ? fib_lookup(f, v, addr) : NULL;
}

TestSuite(apply, .init = setup, .fini = teardown);

Test(apply, builds_tables)
{
	vrf(IPC_VRF_ADD, 1, "A");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	label(IPC_LFIB_ADD, 100, IPC_LFIB_POP_LOOKUP, 1, 0);
	cr_assert_str_eq(fib_vrf_by_name(f, "A")->name, "A");
	cr_assert_eq(opens, 1);
	struct fwd_iface *ifp = fwd_iface_find(f, "ce-a1");
	cr_assert(ifp->active);
	cr_assert_eq(ifp->role, FWD_IF_ACCESS);
	cr_assert_eq(ifp->vrf_id, 1);
	cr_assert_eq(get(1, 0xC0A8640A)->nh->id, 5);
	cr_assert_eq(nh_iface(f, get(1, 0xC0A8640A)->nh), ifp);
	cr_assert_eq(lfib_lookup(f->lfib, 100)->vrf_id, 1);
	cr_assert_eq(nh_find(f, 5)->refs, 1);
	/* replacing a route keeps one reference */
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	cr_assert_eq(nh_find(f, 5)->refs, 1);
	route(IPC_FIB_DEL, 1, 0xC0A86400, 24, 0);
	cr_assert_null(get(1, 0xC0A8640A));
	cr_assert_eq(nh_find(f, 5)->refs, 0);
	nh(IPC_NH_DEL, 5);
	cr_assert_null(nh_find(f, 5));
	label(IPC_LFIB_DEL, 100, 0, 0, 0);
	cr_assert_null(lfib_lookup(f->lfib, 100));
	bind_if(IPC_IF_UNBIND, "ce-a1", 1);
	cr_assert(!ifp->active);
	cr_assert_eq(closes, 1);
}

/*
 * While workers run, a lookup does not publish: only the control thread's
 * own commits do (a lookup on another thread committing beside them freed
 * the same nodes twice: bench/fwd-lookup -c).
 */
Test(apply, lookup_publishes_only_without_workers)
{
	vrf(IPC_VRF_ADD, 1, "A");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	nh(IPC_NH_ADD, 5);
	f->no_lazy_commit = true;
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	cr_assert_null(get(1, 0xC0A8640A), "published by a lookup while workers run");
	cr_assert(fib_pending(f));
	fib_commit(f);
	cr_assert_eq(get(1, 0xC0A8640A)->nh->id, 5);
	f->no_lazy_commit = false;
	route(IPC_FIB_DEL, 1, 0xC0A86400, 24, 0);
	cr_assert_null(get(1, 0xC0A8640A), "not published by a lookup without workers");
	cr_assert(!fib_pending(f));
}

/* The worker (rd) passes quiescent points while the control thread reclaims what is due. */
static void grace_periods(void)
{
	for (int i = 0; i < 2; i++) {
		rcu_quiescent(f->rcu, rd);
		rcu_poll(f->rcu);
	}
}

/*
 * A deleted route's result lives until the table without it is published:
 * until then a worker still finds it there (it was freed at the delete, and
 * its id free for another route's result, when a grace period ended first).
 */
Test(apply, a_deleted_routes_result_outlives_the_table_that_names_it)
{
	struct fwd_vrf *v;
	uint32_t id;

	vrf(IPC_VRF_ADD, 1, "A");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	fib_commit(f);
	cr_assert_not_null(rd = rcu_register(f->rcu)); /* unregistered by teardown */
	f->no_lazy_commit = true; /* a worker runs */
	v = fib_vrf_get(f, 1);
	route(IPC_FIB_DEL, 1, 0xC0A86400, 24, 0);
	grace_periods();
	id = lpm_lookup(v->lpm, 0xC0A8640A); /* what the worker reads: not published yet */
	cr_assert_neq(id, 0);
	cr_assert_not_null(fib_result_of(f->res, id)->nh, "freed under the published table");
	cr_assert_eq(fib_result_of(f->res, id)->nh->id, 5);
	cr_assert(fib_pending(f), "the control thread has a commit to make");
	fib_commit(f);
	cr_assert_eq(lpm_lookup(v->lpm, 0xC0A8640A), 0);
	grace_periods();
	cr_assert_eq(nh_find(f, 5)->refs, 0, "reclaimed after the commit and a grace period");
}

Test(apply, rejects_nonsense_without_harm)
{
	route(IPC_FIB_ADD, 7, 0x0A000000, 8, 1); /* unknown VRF */
	cr_assert_null(get(7, 0x0A000001));
	vrf(IPC_VRF_ADD, 0, "zero");
	cr_assert_null(fib_vrf_by_name(f, "zero"));
	vrf(IPC_VRF_ADD, 1, "A");
	route(IPC_FIB_ADD, 1, 0x0A000000, 33, 1);
	route(IPC_FIB_ADD, 1, 0x0A000000, 8, 0);
	cr_assert_null(get(1, 0x0A000001));
	label(IPC_LFIB_ADD, 3, IPC_LFIB_POP_LOOKUP, 1, 0);     /* reserved label */
	label(IPC_LFIB_ADD, 1 << 20, IPC_LFIB_POP_LOOKUP, 1, 0); /* too big */
	label(IPC_LFIB_ADD, 100, 9, 1, 0);                      /* no such action */
	label(IPC_LFIB_ADD, 101, IPC_LFIB_SWAP, 0, 0);          /* swap without next hop */
	cr_assert_eq(lfib_count(f), 0);
	struct ipc_nexthop bad = { .nh_id = 0, .type = IPC_NH_GATEWAY };
	apply_msg(f, IPC_NH_ADD, &bad, sizeof(bad));
	bad.nh_id = 3;
	bad.type = 42;
	apply_msg(f, IPC_NH_ADD, &bad, sizeof(bad));
	cr_assert_null(nh_find(f, 3));
	send0(IPC_VPN_ROUTE_ADD); /* not for fwd: logged, ignored */
	send0(IPC_TYPE_MAX + 3);
	/* a long interface name is cut at IFNAMSIZ, not read past */
	struct ipc_if_bind b = { .vrf_id = 1 };
	memset(b.ifname, 'x', sizeof(b.ifname));
	apply_msg(f, IPC_IF_BIND, &b, sizeof(b));
	cr_assert_eq(f->n_ifaces, 0);
}

Test(apply, replay_sweeps_what_was_not_refreshed)
{
	vrf(IPC_VRF_ADD, 1, "A");
	vrf(IPC_VRF_ADD, 2, "B");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	bind_if(IPC_IF_BIND, "ce-b1", 2);
	nh(IPC_NH_ADD, 5);
	nh(IPC_NH_ADD, 6);
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86500, 24, 6);
	route(IPC_FIB_ADD, 2, 0xC0A86400, 24, 6);
	label(IPC_LFIB_ADD, 100, IPC_LFIB_POP_LOOKUP, 1, 0);
	label(IPC_LFIB_ADD, 101, IPC_LFIB_POP_LOOKUP, 2, 0);

	/* vrfmgr restarts: VRF B, ce-b1, next hop 6 and its routes are gone now */
	send0(IPC_REPLAY_BEGIN);
	vrf(IPC_VRF_ADD, 1, "A");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	label(IPC_LFIB_ADD, 100, IPC_LFIB_POP_LOOKUP, 1, 0);
	/* until the replay ends, forwarding keeps the old state */
	cr_assert_not_null(get(1, 0xC0A8650A));
	cr_assert_not_null(get(2, 0xC0A8640A));
	send0(IPC_REPLAY_END);

	cr_assert_not_null(get(1, 0xC0A8640A));
	cr_assert_null(get(1, 0xC0A8650A));
	cr_assert_null(fib_vrf_get(f, 2));
	cr_assert_not_null(lfib_lookup(f->lfib, 100));
	cr_assert_null(lfib_lookup(f->lfib, 101));
	cr_assert_not_null(nh_find(f, 5));
	cr_assert_null(nh_find(f, 6), "unreferenced stale next hop freed");
	cr_assert(fwd_iface_find(f, "ce-a1")->active);
	cr_assert(!fwd_iface_find(f, "ce-b1")->active);
	cr_assert_eq(closes, 1);
}

/*
 * vrfmgr restarted with another config: VRF B is gone and a new VRF C gets
 * B's id 2 (the lowest free). The replay's VRF_ADD 2 "C" comes long before
 * REPLAY_END sweeps B's leftovers, so from it on id 2 must be C alone: not
 * B's routes (C's CE would reach B's sites), not B's interface (B's CE
 * would deliver into C), not B's per-VRF label (B's remote traffic too).
 */
Test(apply, a_vrf_id_given_to_another_vrf_keeps_nothing_of_the_old_one)
{
	vrf(IPC_VRF_ADD, 1, "A");
	vrf(IPC_VRF_ADD, 2, "B");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	bind_if(IPC_IF_BIND, "ce-b1", 2);
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 2, 0xC0A86400, 24, 5);
	label(IPC_LFIB_ADD, 100, IPC_LFIB_POP_LOOKUP, 1, 0);
	label(IPC_LFIB_ADD, 101, IPC_LFIB_POP_LOOKUP, 2, 0);

	send0(IPC_REPLAY_BEGIN);
	vrf(IPC_VRF_ADD, 1, "A");
	vrf(IPC_VRF_ADD, 2, "C");
	cr_assert_str_eq(fib_vrf_get(f, 2)->name, "C");
	cr_assert_null(get(2, 0xC0A8640A), "B's route is not C's");
	cr_assert(!fwd_iface_find(f, "ce-b1")->active, "B's interface does not deliver into C");
	cr_assert_null(lfib_lookup(f->lfib, 101), "B's label does not pop into C");
	cr_assert_not_null(lfib_lookup(f->lfib, 100), "A's untouched");
	cr_assert(fwd_iface_find(f, "ce-a1")->active);
	bind_if(IPC_IF_BIND, "ce-c1", 2);
	send0(IPC_REPLAY_END);
	cr_assert(fwd_iface_find(f, "ce-c1")->active);
	cr_assert_eq(fwd_iface_find(f, "ce-c1")->vrf_id, 2);
}

/* A gateway next hop id on interface ifname. */
static void nh_on(uint32_t id, const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = IPC_NH_GATEWAY, .gateway = 0x0A070102 };

	strcpy(n.ifname, ifname);
	apply_msg(f, IPC_NH_ADD, &n, sizeof(n));
}

/*
 * vrfmgr restarted with a config that moved ce-x from B to A (both stay,
 * same ids). The replay binds ce-x to A long before REPLAY_END sweeps what B
 * had out of it: B's route and per-CE label to ce-x's CE must go with the
 * move, or B's packets (and its remote traffic) reach A's CE meanwhile.
 * Outside a replay nothing is stale and nothing goes: vrfmgr takes the
 * routes out first (vrf_local_shed).
 */
Test(apply, a_replay_moving_an_interface_drops_the_old_vrfs_stale_routes_out_of_it)
{
	vrf(IPC_VRF_ADD, 1, "A");
	vrf(IPC_VRF_ADD, 2, "B");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	bind_if(IPC_IF_BIND, "ce-x", 2);
	nh_on(7, "ce-x");
	nh_on(8, "ce-a1");
	route(IPC_FIB_ADD, 2, 0xAC100700, 24, 7); /* B's 172.16.7.0/24 via its CE on ce-x */
	route(IPC_FIB_ADD, 2, 0xAC100800, 24, 8); /* B's route leaked from A, via A's CE */
	label(IPC_LFIB_ADD, 300, IPC_LFIB_POP_FORWARD, 2, 7);

	send0(IPC_REPLAY_BEGIN);
	vrf(IPC_VRF_ADD, 1, "A");
	bind_if(IPC_IF_BIND, "ce-a1", 1);
	bind_if(IPC_IF_BIND, "ce-x", 1);
	cr_assert_null(get(2, 0xAC10070A), "B's stale route out of ce-x went with the move");
	cr_assert_null(lfib_lookup(f->lfib, 300), "so did its per-CE label to ce-x's CE");
	cr_assert_not_null(get(2, 0xAC10080A), "B's route out of another link waits for the sweep");
	send0(IPC_REPLAY_END);
}

Test(apply, outside_a_replay_a_moved_interface_leaves_the_routes_to_vrfmgr)
{
	vrf(IPC_VRF_ADD, 1, "A");
	vrf(IPC_VRF_ADD, 2, "B");
	bind_if(IPC_IF_BIND, "ce-x", 2);
	nh_on(7, "ce-x");
	route(IPC_FIB_ADD, 1, 0xAC100700, 24, 7); /* A's, leaked from B: a current entry */
	bind_if(IPC_IF_BIND, "ce-x", 1);
	cr_assert_not_null(get(1, 0xAC10070A));
}

/* The same VRF again (a replay, or the same name): a refresh that keeps everything. */
Test(apply, the_same_vrf_added_again_keeps_its_routes_and_interfaces)
{
	vrf(IPC_VRF_ADD, 2, "B");
	bind_if(IPC_IF_BIND, "ce-b1", 2);
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 2, 0xC0A86400, 24, 5);
	label(IPC_LFIB_ADD, 101, IPC_LFIB_POP_LOOKUP, 2, 0);
	vrf(IPC_VRF_ADD, 2, "B");
	cr_assert_not_null(get(2, 0xC0A8640A));
	cr_assert(fwd_iface_find(f, "ce-b1")->active);
	cr_assert_not_null(lfib_lookup(f->lfib, 101));
	cr_assert_eq(closes, 0);
}

/* Criterion runs the suite's setup first (and its teardown last): this only adds to it. */
static void setup_logged(void)
{
	log_set_level(LOG_LVL_INFO);
	cr_redirect_stderr();
}

/*
 * The replay's last log line counts what fwd holds as vrfmgr's "fwd X:
 * replayed 2 VRFs, ... 8 FIB entries and 1 LFIB entry" does, so the two logs can
 * be held against each other (it gave the label entries alone).
 */
Test(apply, replay_done_says_what_fwd_holds, .init = setup_logged)
{
	char buf[4096];
	size_t n;
	FILE *err = cr_get_redirected_stderr();

	send0(IPC_REPLAY_BEGIN);
	vrf(IPC_VRF_ADD, 1, "A");
	vrf(IPC_VRF_ADD, 2, "B");
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86500, 24, 5);
	route(IPC_FIB_ADD, 2, 0xC0A86400, 24, 5);
	label(IPC_LFIB_ADD, 100, IPC_LFIB_POP_LOOKUP, 1, 0);
	send0(IPC_REPLAY_END);
	fflush(stderr);
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "replay from vrfmgr done: 2 VRFs, 3 FIB entries and 1 LFIB entry\n"),
			   "%s", buf);
}

/*
 * An access interface rebound from one VRF to another (a reload moved it)
 * says so in fwd's log, as binding and unbinding do: it moved silently, and
 * a tool watching the log saw ce-x "bound to vrf 2" once and never again.
 */
Test(apply, an_interface_moved_to_another_vrf_is_logged, .init = setup_logged)
{
	char buf[4096];
	size_t n;
	FILE *err = cr_get_redirected_stderr();

	vrf(IPC_VRF_ADD, 1, "A");
	vrf(IPC_VRF_ADD, 2, "B");
	bind_if(IPC_IF_BIND, "ce-x", 2);
	bind_if(IPC_IF_BIND, "ce-x", 2); /* the same again: nothing to say */
	bind_if(IPC_IF_BIND, "ce-x", 1);
	fflush(stderr);
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "interface ce-x bound to vrf 2 as 10.1.1.1/30\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "interface ce-x moved from vrf 2 (B) to vrf 1 (A) as "
				       "10.1.1.1/30\n"), "%s", buf);
	cr_assert_null(strstr(strstr(buf, "bound to vrf 2") + 1, "bound to vrf 2"), "%s", buf);
	cr_assert_eq(fwd_iface_find(f, "ce-x")->vrf_id, 1);
}

Test(apply, next_hop_deleted_while_referenced)
{
	vrf(IPC_VRF_ADD, 1, "A");
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 1, 0x0A000000, 8, 5);
	nh(IPC_NH_DEL, 5);
	/* the route still points at it, as a placeholder */
	cr_assert_not_null(get(1, 0x0A000001));
	cr_assert_eq(get(1, 0x0A000001)->nh->type, 0);
	nh(IPC_NH_ADD, 5);
	cr_assert_eq(get(1, 0x0A000001)->nh->type, IPC_NH_GATEWAY);
	/* deleting the VRF releases its routes' references, once that is published */
	vrf(IPC_VRF_DEL, 1, "A");
	fib_commit(f);
	cr_assert_eq(nh_find(f, 5)->refs, 0);
}

Test(apply, static_lfib_for_lsr_mode)
{
	struct cfg_core_if cores[2] = { { "to-pe1", { 0x0A000102, 30 } },
					{ "to-pe2", { 0x0A000201, 30 } } };
	struct cfg_lfib_entry lfib[2] = {
		{ .in_label = 16, .action = CFG_LFIB_POP, .next_hop = 0x0A000202,
		  .interface = "to-pe2" },
		{ .in_label = 20, .action = CFG_LFIB_SWAP, .out_label = 21, .next_hop = 0x0A000101,
		  .interface = "to-pe1" },
	};
	struct ferry_config cfg = { 0 };

	cfg.fwd.mode = CFG_FWD_LSR;
	cfg.fwd.core_interfaces = cores;
	cfg.fwd.n_core_interfaces = 2;
	cfg.fwd.lfib = lfib;
	cfg.fwd.n_lfib = 2;
	cr_assert_eq(apply_core_interfaces(f, &cfg), 0);
	cr_assert_eq(apply_static_lfib(f, &cfg), 0);
	struct fwd_iface *to_pe2 = fwd_iface_find(f, "to-pe2");
	cr_assert_eq(to_pe2->role, FWD_IF_CORE);
	cr_assert_eq(to_pe2->addr, 0x0A000201);
	const struct lfib_entry *e = lfib_lookup(f->lfib, 16);
	cr_assert_eq(e->action, IPC_LFIB_SWAP);
	cr_assert_eq(e->out_label, MPLS_LABEL_IMPLICIT_NULL);
	cr_assert_str_eq(lfib_action_name(e), "pop");
	cr_assert_eq(e->nh->gateway, 0x0A000202);
	cr_assert_eq(nh_iface(f, e->nh), to_pe2);
	e = lfib_lookup(f->lfib, 20);
	cr_assert_eq(e->out_label, 21);
	cr_assert_str_eq(lfib_action_name(e), "swap");
	/* a vrfmgr replay never sweeps the config's entries */
	send0(IPC_REPLAY_BEGIN);
	send0(IPC_REPLAY_END);
	cr_assert_not_null(lfib_lookup(f->lfib, 16));
	cr_assert_not_null(lfib_lookup(f->lfib, 20));
	cr_assert(fwd_iface_find(f, "to-pe1")->active);
}

Test(apply, fib_entries_sorted)
{
	size_t n;

	vrf(IPC_VRF_ADD, 1, "A");
	nh(IPC_NH_ADD, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86500, 24, 5);
	route(IPC_FIB_ADD, 1, 0x0A000000, 8, 5);
	route(IPC_FIB_ADD, 1, 0xC0A86400, 24, 5);
	route(IPC_FIB_ADD, 1, 0x0A000000, 16, 5);
	route(IPC_FIB_ADD, 1, 0, 0, 5);
	struct fib_entry *v = fib_entries(f, fib_vrf_get(f, 1), &n);
	cr_assert_eq(n, 5);
	cr_assert_eq(v[0].plen, 0);
	cr_assert_eq(v[1].plen, 8);
	cr_assert_eq(v[2].plen, 16);
	cr_assert_eq(v[3].prefix, 0xC0A86400);
	cr_assert_eq(v[4].prefix, 0xC0A86500);
	free(v);
}

/* The name index: every one of many interfaces found by name, each its own, through growth. */
Test(apply, interfaces_found_by_name_among_thousands)
{
	enum { N = 5000 };
	char name[16];

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		cr_assert_not_null(fwd_iface_get(f, name, FWD_IF_ACCESS));
	}
	cr_assert_eq(f->n_ifaces, N);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		cr_assert_eq(fwd_iface_find(f, name), f->ifaces[i], "%s", name);
		cr_assert_eq(fwd_iface_get(f, name, FWD_IF_ACCESS), f->ifaces[i], "%s made twice", name);
	}
	cr_assert_eq(f->n_ifaces, N);
	cr_assert_null(fwd_iface_find(f, "t5000"));
	cr_assert_null(fwd_iface_find(f, "t"));
	cr_assert_null(fwd_iface_find(f, ""));
}

/*
 * A reload renumbering an access link (another address or length) forgets
 * the neighbours fwd knew on it: the old CE's entry stayed "reachable" in
 * /arp, an address off the link's new subnet, until it aged out (300 s).
 * A link moved to another VRF as it is keeps them (test_fwd_counters).
 */
Test(apply, a_renumbered_interface_forgets_its_neighbours)
{
	static const uint8_t ce[6] = { 2, 0, 0, 0, 0, 0x22 };
	struct ipc_if_bind b = { .vrf_id = 1, .address = 0x0A010101, .plen = 30 };
	struct fwd_iface *ifp;

	vrf(IPC_VRF_ADD, 1, "A");
	strcpy(b.ifname, "ce-a1");
	apply_msg(f, IPC_IF_BIND, &b, sizeof(b));
	ifp = fwd_iface_find(f, "ce-a1");
	t_arp_learn(f, ifp, 0x0A010102, ce);
	cr_assert_not_null(arp_find(ifp, 0x0A010102));
	apply_msg(f, IPC_IF_BIND, &b, sizeof(b)); /* the same again: a refresh */
	cr_assert_not_null(arp_find(ifp, 0x0A010102), "an unchanged bind keeps the neighbours");

	b.address = 0x0A010105; /* 10.1.1.5/30: the CE is 10.1.1.6 now */
	apply_msg(f, IPC_IF_BIND, &b, sizeof(b));
	cr_assert_null(arp_find(ifp, 0x0A010102), "10.1.1.2 is off the link's subnet now");

	t_arp_learn(f, ifp, 0x0A010106, ce);
	b.plen = 29; /* 10.1.1.0/29: another subnet again */
	apply_msg(f, IPC_IF_BIND, &b, sizeof(b));
	cr_assert_null(arp_find(ifp, 0x0A010106), "the length changed the subnet too");
}

/*
 * A next hop naming a 16-byte interface (no NUL: no Linux name is that
 * long) names no interface: cut to its first 15 it named another tenant's
 * link of that name, so the route's packets left by it, and it kept that
 * link from being removed once unbound.
 */
Test(apply, a_next_hop_naming_an_overlong_interface_names_no_other)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = 0x0A010101, .plen = 30,
				 .ifname = "ce-tenant-00001" };
	struct ipc_nexthop nh = { .nh_id = 9, .type = IPC_NH_CONNECTED };
	struct fwd_iface *ifp;

	vrf(IPC_VRF_ADD, 1, "A");
	apply_msg(f, IPC_IF_BIND, &b, sizeof(b));
	cr_assert_not_null(ifp = fwd_iface_find(f, "ce-tenant-00001"));
	memcpy(nh.ifname, "ce-tenant-00001X", sizeof(nh.ifname)); /* all 16 bytes */
	apply_msg(f, IPC_NH_ADD, &nh, sizeof(nh));
	cr_assert(nh_find(f, 9) == NULL || nh_iface(f, nh_find(f, 9)) == NULL,
		  "next hop 9 goes out of ce-tenant-00001");
	apply_msg(f, IPC_IF_UNBIND, &b, sizeof(b));
	cr_assert(ifp->removed, "no next hop names ce-tenant-00001");
}
