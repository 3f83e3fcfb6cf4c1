/*
 * vrfmgr/fwd_sync.c over a real IPC socket pair: FIB changes reach fwd
 * grouped by VRF, each VRF's in the order they were made, and never across
 * another message: a next hop before the FIB entries using it, FIB deletes
 * before NH_DEL; a lone change goes out at the end of the event-loop turn;
 * nothing held is lost when the link is torn down or freed. With the kernel
 * dataplane a fwd is turned away and convergence sweeps the kernel instead.
 */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <sys/socket.h>

#include "common/log.h"
#include "vrfmgr/dp_kernel.h"
#include "vrfmgr/vrfmgr.h"

#define MAX_SEEN 4096

static struct event_base *base;
static struct vrfmgr vm;
static struct vrfmgr_conn conn;
static struct ipc_conn *peer;
static struct {
	uint16_t type;
	uint32_t vrf, prefix, nh;
} seen[MAX_SEEN];
static int n_seen;

static void on_peer_msg(struct ipc_conn *c, uint16_t type, const void *p, uint32_t len, void *ctx)
{
	(void)c, (void)len, (void)ctx;
	cr_assert_lt(n_seen, MAX_SEEN);
	seen[n_seen].type = type;
	if (type == IPC_FIB_ADD || type == IPC_FIB_DEL) {
		const struct ipc_fib_entry *e = p;

		seen[n_seen].vrf = e->vrf_id;
		seen[n_seen].prefix = e->prefix;
		seen[n_seen].nh = e->nh_id;
	} else if (type == IPC_NH_ADD || type == IPC_NH_DEL) {
		seen[n_seen].nh = ((const struct ipc_nexthop *)p)->nh_id;
	}
	n_seen++;
}

static void on_close(struct ipc_conn *c, void *ctx)
{
	(void)c, (void)ctx;
}

static void setup(void)
{
	int sv[2];

	log_init("test", LOG_LVL_ERR);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	base = event_base_new();
	memset(&vm, 0, sizeof(vm));
	memset(&conn, 0, sizeof(conn));
	vm.base = base;
	conn.vm = &vm;
	conn.ipc = ipc_conn_new(base, sv[0], NULL, on_close, &conn);
	peer = ipc_conn_new(base, sv[1], on_peer_msg, on_close, NULL);
	cr_assert(conn.ipc != NULL && peer != NULL);
	vm.fwd.conn = &conn;
	cr_assert_eq(fwd_sync_init(&vm), 0);
	n_seen = 0;
}

static void teardown(void)
{
	fwd_sync_free(&vm);
	ipc_conn_free(conn.ipc);
	ipc_conn_free(peer);
	event_base_free(base);
}

TestSuite(fwdsync, .init = setup, .fini = teardown);

/* Runs the loop until the peer has n messages (bounded: the loop goes idle otherwise). */
static void run_until(int n)
{
	for (int i = 0; i < 200 && n_seen < n; i++) {
		struct timeval tv = { 0, 30000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	cr_assert_eq(n_seen, n);
}

static void fib(bool add, uint32_t vrf, uint32_t prefix, uint32_t nh)
{
	struct ipc_fib_entry e = { .vrf_id = vrf, .prefix = prefix, .plen = 24, .nh_id = nh };

	if (add)
		fwd_sync_ops.fib_add(&vm.fwd, &e);
	else
		fwd_sync_ops.fib_del(&vm.fwd, &e);
}

static void nh(bool add, uint32_t id)
{
	struct ipc_nexthop n = { .nh_id = id, .type = IPC_NH_CONNECTED };

	if (add)
		fwd_sync_ops.nh_add(&vm.fwd, &n);
	else
		fwd_sync_ops.nh_del(&vm.fwd, &n);
}

Test(fwdsync, fib_changes_grouped_by_vrf_in_their_order_never_across_other_messages)
{
	nh(true, 7);
	/* VRFs 3, 1, 2 in turn, each prefix added then re-pointed */
	for (uint32_t i = 0; i < 30; i++)
		fib(true, 3 - i % 3, 0x14000000u + (i << 8), 7);
	for (uint32_t i = 0; i < 30; i++)
		fib(true, 3 - i % 3, 0x14000000u + (i << 8), 8);
	nh(false, 9); /* any other message sends what is held first */
	fib(false, 2, 0x14000000u + (1u << 8), 0);
	fib(false, 1, 0x14000000u + (2u << 8), 0);
	nh(false, 7);
	run_until(1 + 60 + 1 + 2 + 1);
	cr_assert_eq(seen[0].type, IPC_NH_ADD);
	/* the 60 changes: VRF 1's, then 2's, then 3's, each VRF's in the order made */
	for (int i = 1; i <= 60; i++) {
		uint32_t vrf = (uint32_t)(i - 1) / 20 + 1, k = (uint32_t)(i - 1) % 20;
		uint32_t idx = (k % 10) * 3 + (3 - vrf); /* the k-th change of that VRF */

		cr_assert_eq(seen[i].type, IPC_FIB_ADD);
		cr_assert_eq(seen[i].vrf, vrf, "message %d: vrf %u", i, seen[i].vrf);
		cr_assert_eq(seen[i].prefix, 0x14000000u + (idx << 8), "message %d", i);
		cr_assert_eq(seen[i].nh, k < 10 ? 7u : 8u, "message %d", i);
	}
	cr_assert_eq(seen[61].type, IPC_NH_DEL);
	cr_assert_eq(seen[61].nh, 9);
	cr_assert_eq(seen[62].type, IPC_FIB_DEL);
	cr_assert_eq(seen[62].vrf, 1); /* grouped: VRF 1 before VRF 2 */
	cr_assert_eq(seen[63].vrf, 2);
	cr_assert_eq(seen[64].type, IPC_NH_DEL);
	cr_assert_eq(seen[64].nh, 7, "after the FIB deletes that used it");
}

Test(fwdsync, a_lone_change_goes_out_by_itself)
{
	fib(true, 5, 0x0A000000u, 3);
	run_until(1);
	cr_assert_eq(seen[0].type, IPC_FIB_ADD);
	cr_assert_eq(seen[0].vrf, 5);
	cr_assert_eq(vm.fwd.n_held, 0);
}

Test(fwdsync, held_changes_go_out_when_freed_and_are_dropped_without_fwd)
{
	fib(true, 5, 0x0A000000u, 3);
	fib(true, 4, 0x0A000100u, 3);
	fwd_sync_free(&vm); /* vrfmgr stopping: sent first */
	run_until(2);
	cr_assert_eq(seen[0].vrf, 4);
	cr_assert_eq(seen[1].vrf, 5);
	cr_assert_eq(fwd_sync_init(&vm), 0);
	vm.fwd.conn = NULL; /* no fwd: nothing is held, fwd gets a replay when it comes */
	fib(true, 6, 0x0A000200u, 3);
	cr_assert_eq(vm.fwd.n_held, 0);
}

/* ---- router.dataplane "kernel": no fwd, and the kernel swept once converged ---- */
static int dumps;

static int count_dump(void *io, int family, void (*cb)(struct rtnl_route *, void *), void *arg)
{
	(void)io, (void)family, (void)cb, (void)arg;
	dumps++;
	return 0;
}

static const char *no_strerror(int err)
{
	(void)err;
	return "?";
}

static int no_devs(void *io, void (*cb)(int, const char *, uint32_t, bool, void *), void *arg)
{
	(void)io, (void)cb, (void)arg;
	return 0;
}

static int no_links(void *io, void (*cb)(int, const char *, int, bool, void *), void *arg)
{
	(void)io, (void)cb, (void)arg;
	return 0;
}

static const struct dpk_io_ops dump_only = { .dump = count_dump, .vrf_devs = no_devs,
					     .strerror = no_strerror, .links = no_links };

static void noop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
}

Test(fwdsync, with_the_kernel_dataplane_a_fwd_is_turned_away)
{
	struct vrfmgr_conn other = { .vm = &vm, .role = IPC_ROLE_FWD, .name = "fwd2" };

	other.drop_ev = event_new(base, -1, 0, noop, NULL);
	vm.kernel = dp_kernel_new(&dump_only, NULL);
	vm.converged = true;
	vm.fwd.conn = NULL;
	fwd_sync_hello(&vm, &other);
	cr_assert(other.dead, "dropped");
	cr_assert_null(vm.fwd.conn, "nothing replayed to it");
	cr_assert_null(vm.fwd.pending);
	dp_kernel_free(vm.kernel);
	vm.kernel = NULL;
	event_free(other.drop_ev);
}

Test(fwdsync, with_the_kernel_dataplane_convergence_sweeps_the_kernel)
{
	vm.kernel = dp_kernel_new(&dump_only, NULL);
	vm.converged = false;
	dumps = 0;
	fwd_sync_converged(&vm, "test");
	cr_assert(vm.converged);
	cr_assert_eq(dumps, 2, "the IPv4 and the MPLS routes listed");
	fwd_sync_converged(&vm, "again"); /* once only */
	cr_assert_eq(dumps, 2);
	dp_kernel_free(vm.kernel);
	vm.kernel = NULL;
}

/*
 * Each whole replay sent to fwd is counted (/metrics'
 * ferry_vrfmgr_fwd_replays_total: scripts/lab restart waits for one more):
 * not while fwd's replay waits for bgpd's routes, once they are in, and
 * again for the next fwd connection.
 */
Test(fwdsync, each_replay_sent_is_counted)
{
	vm.fwd.conn = NULL;
	vm.converged = false;
	conn.role = IPC_ROLE_FWD;
	fwd_sync_hello(&vm, &conn);
	cr_assert_eq(vm.fwd.pending, &conn);
	cr_assert_eq(vm.fwd.replays, 0, "waits for bgpd's routes");
	fwd_sync_converged(&vm, "test");
	cr_assert_eq(vm.fwd.conn, &conn);
	cr_assert_eq(vm.fwd.replays, 1);
	run_until(2);
	cr_assert_eq(seen[0].type, IPC_REPLAY_BEGIN);
	cr_assert_eq(seen[1].type, IPC_REPLAY_END);
	fwd_sync_hello(&vm, &conn); /* fwd back: replayed to at once */
	cr_assert_eq(vm.fwd.replays, 2);
	run_until(4);
}
