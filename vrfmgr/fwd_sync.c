/*
 * fwd_sync: the dataplane that is fwd, over IPC. The core calls these ops
 * as its state changes; they go to the connected fwd, or nowhere while none
 * is connected (fwd keeps what it has and gets a full replay when it comes
 * back: REPLAY_BEGIN, the state, REPLAY_END, after which fwd sweeps what was
 * not refreshed).
 *
 * FIB changes are held back briefly and sent grouped by VRF. fwd publishes
 * its FIB after each batch of messages it reads, and a publish costs every
 * VRF table it touches a copy of its lookup chunk: a million routes spread
 * over 1,000 VRFs, in the order bgpd sends them, touched ~640 VRFs per
 * batch (4 s of fwd CPU); grouped, a batch touches a few. Alone, a change
 * goes out at the end of the event-loop turn; while they flood in (the last
 * flush was large and recent), they gather for FS_GROUP_MS, at most
 * FS_HELD_MAX of them. Every other message sends what is held first, so the
 * order promises hold (a next hop before the FIB entries using it, FIB
 * deletes before NH_DEL) and each prefix's changes keep their order. A
 * replay goes out as it is made, VRF by VRF already: nothing is held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/plural.h"
#include "vrfmgr/dp_kernel.h"
#include "vrfmgr/vrfmgr.h"

#define FS_HELD_MAX 65536
#define FS_GROUP_MS 20
/*
 * A flush of this many ... this recently means changes flood in. vrfmgr
 * reads bgpd's stream 16 KB at a time, so a flood is a run of flushes of
 * ~170 changes each, back to back.
 */
#define FS_FLOOD_OPS 64
#define FS_FLOOD_GAP_MS 10

struct fs_fib_op {
	uint32_t seq;  /* arrival order, kept within a VRF */
	uint16_t type; /* IPC_FIB_ADD or IPC_FIB_DEL */
	struct ipc_fib_entry e;
};

static void fwd_send_now(struct fwd_sync *fs, uint16_t type, const void *p, uint32_t len)
{
	if (fs->conn == NULL || fs->conn->dead)
		return;
	if (hub_send(fs->conn, type, p, len) == 0)
		fs->sent[type]++;
}

static int op_cmp(const void *a, const void *b)
{
	const struct fs_fib_op *x = a, *y = b;

	if (x->e.vrf_id != y->e.vrf_id)
		return x->e.vrf_id < y->e.vrf_id ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sends the held FIB changes, VRF by VRF. */
static void fs_flush(struct fwd_sync *fs)
{
	size_t n = fs->n_held;

	if (n == 0)
		return;
	if (fs->flush_ev != NULL)
		evtimer_del(fs->flush_ev);
	fs->n_held = 0;
	qsort(fs->held, n, sizeof(*fs->held), op_cmp);
	for (size_t i = 0; i < n; i++)
		fwd_send_now(fs, fs->held[i].type, &fs->held[i].e, sizeof(fs->held[i].e));
	fs->last_flush_ms = clock_mono_ms();
	fs->last_flush_n = n;
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fs_flush(arg);
}

/* Holds a FIB change (or sends it at once when it cannot be held). */
static void fs_hold(struct fwd_sync *fs, uint16_t type, const struct ipc_fib_entry *e)
{
	if (fs->conn == NULL || fs->conn->dead)
		return;
	if (fs->flush_ev == NULL || fs->replaying ||
	    (fs->n_held == fs->cap_held && fs->cap_held == FS_HELD_MAX)) {
		fs_flush(fs);
		fwd_send_now(fs, type, e, sizeof(*e));
		return;
	}
	if (fs->n_held == fs->cap_held) {
		size_t cap = fs->cap_held ? fs->cap_held * 2 : 1024;
		struct fs_fib_op *h = realloc(fs->held, cap * sizeof(*h));

		if (h == NULL) {
			fs_flush(fs);
			fwd_send_now(fs, type, e, sizeof(*e));
			return;
		}
		fs->held = h;
		fs->cap_held = cap;
	}
	if (fs->n_held == 0) {
		bool flood = fs->last_flush_n >= FS_FLOOD_OPS &&
			     clock_mono_ms() - fs->last_flush_ms < FS_FLOOD_GAP_MS;
		struct timeval tv = { 0, flood ? FS_GROUP_MS * 1000 : 0 };

		evtimer_add(fs->flush_ev, &tv);
	}
	fs->held[fs->n_held] = (struct fs_fib_op){ .seq = (uint32_t)fs->n_held, .type = type,
						   .e = *e };
	fs->n_held++;
}

/* Every message other than a FIB change: what is held goes first. */
static void fwd_send(void *ctx, uint16_t type, const void *p, uint32_t len)
{
	struct fwd_sync *fs = ctx;

	fs_flush(fs);
	fwd_send_now(fs, type, p, len);
}

void fwd_sync_flush(struct vrfmgr *vm)
{
	fs_flush(&vm->fwd);
}

int fwd_sync_init(struct vrfmgr *vm)
{
	vm->fwd.flush_ev = evtimer_new(vm->base, on_flush, &vm->fwd);
	return vm->fwd.flush_ev != NULL ? 0 : -ENOMEM;
}

void fwd_sync_free(struct vrfmgr *vm)
{
	fs_flush(&vm->fwd);
	if (vm->fwd.flush_ev != NULL)
		event_free(vm->fwd.flush_ev);
	free(vm->fwd.held);
	vm->fwd.flush_ev = NULL;
	vm->fwd.held = NULL;
	vm->fwd.n_held = vm->fwd.cap_held = 0;
}

static void fs_vrf_add(void *ctx, const struct ipc_vrf *v)
{
	fwd_send(ctx, IPC_VRF_ADD, v, sizeof(*v));
}

static void fs_vrf_del(void *ctx, const struct ipc_vrf *v)
{
	fwd_send(ctx, IPC_VRF_DEL, v, sizeof(*v));
}

static void fs_if_bind(void *ctx, const struct ipc_if_bind *b)
{
	fwd_send(ctx, IPC_IF_BIND, b, sizeof(*b));
}

static void fs_if_unbind(void *ctx, const struct ipc_if_bind *b)
{
	fwd_send(ctx, IPC_IF_UNBIND, b, sizeof(*b));
}

static void fs_nh_add(void *ctx, const struct ipc_nexthop *nh)
{
	fwd_send(ctx, IPC_NH_ADD, nh, sizeof(*nh));
}

static void fs_nh_del(void *ctx, const struct ipc_nexthop *nh)
{
	fwd_send(ctx, IPC_NH_DEL, nh, sizeof(*nh));
}

static void fs_fib_add(void *ctx, const struct ipc_fib_entry *e)
{
	fs_hold(ctx, IPC_FIB_ADD, e);
}

static void fs_fib_del(void *ctx, const struct ipc_fib_entry *e)
{
	fs_hold(ctx, IPC_FIB_DEL, e);
}

static void fs_lfib_add(void *ctx, const struct ipc_lfib_entry *e)
{
	fwd_send(ctx, IPC_LFIB_ADD, e, sizeof(*e));
}

static void fs_lfib_del(void *ctx, const struct ipc_lfib_entry *e)
{
	fwd_send(ctx, IPC_LFIB_DEL, e, sizeof(*e));
}

const struct dataplane_ops fwd_sync_ops = {
	.vrf_add = fs_vrf_add,
	.vrf_del = fs_vrf_del,
	.if_bind = fs_if_bind,
	.if_unbind = fs_if_unbind,
	.nh_add = fs_nh_add,
	.nh_del = fs_nh_del,
	.fib_add = fs_fib_add,
	.fib_del = fs_fib_del,
	.lfib_add = fs_lfib_add,
	.lfib_del = fs_lfib_del,
};

/* What went in a replay; fwd's "replay from vrfmgr done" line counts the same. */
static void replay_log(const char *name, const uint64_t *sent)
{
	unsigned long long v = sent[IPC_VRF_ADD], i = sent[IPC_IF_BIND], nh = sent[IPC_NH_ADD],
			   fib = sent[IPC_FIB_ADD], lfib = sent[IPC_LFIB_ADD];

	log_info("fwd %s: replayed %llu %s, %llu %s, %llu %s, %llu %s and %llu %s", name, v,
		 plural(v, "VRF", "VRFs"), i, plural(i, "interface", "interfaces"), nh,
		 plural(nh, "next hop", "next hops"), fib, plural(fib, "FIB entry", "FIB entries"),
		 lfib, plural(lfib, "LFIB entry", "LFIB entries"));
}

static void fwd_replay(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	struct fwd_sync *fs = &vm->fwd;
	struct dataplane dp = { &fwd_sync_ops, fs };

	fs_flush(fs); /* to the connection they were meant for */
	fs->conn = c;
	memset(fs->sent, 0, sizeof(fs->sent));
	if (hub_send(c, IPC_REPLAY_BEGIN, NULL, 0) < 0)
		return;
	fs->replaying = true;
	vrf_table_replay(&vm->table, &dp);
	fs->replaying = false;
	if (hub_send(c, IPC_REPLAY_END, NULL, 0) < 0)
		return;
	fs->replays++;
	replay_log(c->name, fs->sent);
}

void fwd_sync_hello(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	struct fwd_sync *fs = &vm->fwd;

	if (vm->kernel != NULL) {
		hub_conn_drop(c, "router.dataplane is \"kernel\": vrfmgr programs the kernel, "
				 "not fwd");
		return;
	}

	if (fs->conn != NULL && fs->conn != c)
		hub_conn_drop(fs->conn, "replaced by a new fwd connection");
	if (fs->pending != NULL && fs->pending != c)
		hub_conn_drop(fs->pending, "replaced by a new fwd connection");
	fs->conn = fs->pending = NULL;
	/*
	 * A replay makes fwd sweep what it does not mention. Right after a vrfmgr
	 * restart that would be every BGP route, which bgpd has not sent again yet:
	 * fwd keeps forwarding on what it has until vrfmgr knows as much as before.
	 */
	if (!vm->converged) {
		fs->pending = c;
		log_info("fwd %s: its replay waits for bgpd's routes (at most %d s)",
			 c->name, VRFMGR_SYNC_GRACE_S);
		return;
	}
	fwd_replay(vm, c);
}

void fwd_sync_converged(struct vrfmgr *vm, const char *why)
{
	struct vrfmgr_conn *c = vm->fwd.pending;

	if (vm->converged)
		return;
	vm->converged = true;
	if (vm->kernel != NULL) {
		/* what a previous run programmed and this one does not want any more */
		log_info("routes complete (%s): sweeping the kernel's stale routes", why);
		dp_kernel_sweep(vm->kernel);
		return;
	}
	log_info("routes complete (%s)%s", why, c != NULL ? ": replaying to fwd" : "");
	vm->fwd.pending = NULL;
	if (c != NULL && !c->dead)
		fwd_replay(vm, c);
}

void fwd_sync_msg(struct vrfmgr *vm, struct vrfmgr_conn *c, uint16_t type, const void *p,
		  uint32_t len)
{
	(void)vm;
	(void)p;
	(void)len;
	/* fwd has nothing to tell vrfmgr yet; tolerate it rather than break the link. */
	log_debug("fwd %s sent %s: ignored", c->name, ipc_type_name(type));
}

void fwd_sync_closed(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	if (vm->fwd.pending == c)
		vm->fwd.pending = NULL;
	if (vm->fwd.conn == c) {
		vm->fwd.n_held = 0; /* the replay at its return says it all */
		vm->fwd.conn = NULL;
		log_info("fwd %s gone; it keeps forwarding and gets a replay when it returns",
			 c->name);
	}
}
