/*
 * fwd_sync: the dataplane that is fwd, over IPC. The core calls these ops
 * as its state changes; they go to the connected fwd, or nowhere while none
 * is connected (fwd keeps what it has and gets a full replay when it comes
 * back: REPLAY_BEGIN, the state, REPLAY_END, after which fwd sweeps what was
 * not refreshed).
 */
#include <string.h>

#include "common/log.h"
#include "vrfmgr/vrfmgr.h"

static void fwd_send(void *ctx, uint16_t type, const void *p, uint32_t len)
{
	struct fwd_sync *fs = ctx;

	if (fs->conn == NULL || fs->conn->dead)
		return;
	if (hub_send(fs->conn, type, p, len) == 0)
		fs->sent[type]++;
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
	fwd_send(ctx, IPC_FIB_ADD, e, sizeof(*e));
}

static void fs_fib_del(void *ctx, const struct ipc_fib_entry *e)
{
	fwd_send(ctx, IPC_FIB_DEL, e, sizeof(*e));
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

static void fwd_replay(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	struct fwd_sync *fs = &vm->fwd;
	struct dataplane dp = { &fwd_sync_ops, fs };

	fs->conn = c;
	memset(fs->sent, 0, sizeof(fs->sent));
	if (hub_send(c, IPC_REPLAY_BEGIN, NULL, 0) < 0)
		return;
	vrf_table_replay(&vm->table, &dp);
	if (hub_send(c, IPC_REPLAY_END, NULL, 0) < 0)
		return;
	log_info("fwd %s: replayed %llu VRFs, %llu interfaces, %llu next hops, %llu FIB and "
		 "%llu LFIB entries",
		 c->name, (unsigned long long)fs->sent[IPC_VRF_ADD],
		 (unsigned long long)fs->sent[IPC_IF_BIND], (unsigned long long)fs->sent[IPC_NH_ADD],
		 (unsigned long long)fs->sent[IPC_FIB_ADD],
		 (unsigned long long)fs->sent[IPC_LFIB_ADD]);
}

void fwd_sync_hello(struct vrfmgr *vm, struct vrfmgr_conn *c)
{
	struct fwd_sync *fs = &vm->fwd;

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
		log_info("fwd %s connected; its replay waits for bgpd's routes (at most %d s)",
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
		vm->fwd.conn = NULL;
		log_info("fwd %s gone; it keeps forwarding and gets a replay when it returns",
			 c->name);
	}
}
