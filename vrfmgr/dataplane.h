/*
 * vrfmgr/: the VRF manager, ferry's hub. It owns the VRFs (RD, import and
 * export RTs, attachment interfaces, static and connected routes), the
 * label allocator, the VRF <-> VPN-IPv4 bridge (import by RT, export with
 * RD, RTs and label), next-hop resolution through static LSPs, and what the
 * dataplane (fwd) must hold. It knows nothing of the BGP wire format or of
 * packets.
 *
 * dataplane.h: the one narrow interface through which the core programs a
 * dataplane. The core (vrf.c, nexthop.c, label.c) calls these hooks as its
 * state changes; fwd_sync.c implements them over IPC towards fwd and the
 * unit tests implement them with a recorder. The payloads are the IPC
 * structs because they already are the dataplane's vocabulary; nothing here
 * touches a socket. Ordering promise: a next hop is added before the first
 * FIB entry that uses it and deleted after the last FIB entry using it.
 */
#ifndef FERRY_VRFMGR_DATAPLANE_H
#define FERRY_VRFMGR_DATAPLANE_H

#include "common/ipc.h"

struct dataplane_ops {
	void (*vrf_add)(void *ctx, const struct ipc_vrf *v);
	void (*vrf_del)(void *ctx, const struct ipc_vrf *v);
	void (*if_bind)(void *ctx, const struct ipc_if_bind *b);
	void (*if_unbind)(void *ctx, const struct ipc_if_bind *b);
	void (*nh_add)(void *ctx, const struct ipc_nexthop *nh);
	void (*nh_del)(void *ctx, const struct ipc_nexthop *nh);
	void (*fib_add)(void *ctx, const struct ipc_fib_entry *e);
	void (*fib_del)(void *ctx, const struct ipc_fib_entry *e);
	void (*lfib_add)(void *ctx, const struct ipc_lfib_entry *e);
	void (*lfib_del)(void *ctx, const struct ipc_lfib_entry *e);
	/*
	 * Not for a dataplane (fwd_sync and dp_kernel have none): e, which the
	 * dataplane holds as it is, is now the FIB entry of a route whose route
	 * targets changed since the fib_add (an UPDATE changing only them, a
	 * reload changing its VRF's export RTs, which a local route carries,
	 * or a local route exported or no longer: export_rts_given).
	 * The API's /events (api_events.c) takes it, so a mirror sees the RTs.
	 */
	void (*fib_rts)(void *ctx, const struct ipc_fib_entry *e);
};

struct dataplane {
	const struct dataplane_ops *ops; /* NULL: nothing to program yet */
	void *ctx;
};

#define DP_CALL(dp, fn, arg)                                                                      \
	do {                                                                                      \
		if ((dp)->ops && (dp)->ops->fn)                                                   \
			(dp)->ops->fn((dp)->ctx, (arg));                                          \
	} while (0)

#endif
