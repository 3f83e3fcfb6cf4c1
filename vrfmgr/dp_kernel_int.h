/*
 * The kernel dataplane's parts (dp_kernel*.c) and what its unit tests reach:
 * the bookkeeping map, the route builders and the state behind the ops.
 */
#ifndef FERRY_VRFMGR_DP_KERNEL_INT_H
#define FERRY_VRFMGR_DP_KERNEL_INT_H

#include "vrfmgr/dp_kernel.h"

/* ---- dp_kernel_map.c: 64-bit key -> pointer (NULL values are not stored) ---- */
struct dpk_map {
	struct dpk_slot {
		uint64_t key;
		void *val; /* NULL: free */
	} *s;
	size_t cap, n;
};
void *dpk_map_get(const struct dpk_map *m, uint64_t key);
/* Inserts or replaces. 0, or -1 out of memory. */
int dpk_map_put(struct dpk_map *m, uint64_t key, void *val);
/* Removes key; its value, or NULL when it was not there. */
void *dpk_map_del(struct dpk_map *m, uint64_t key);
void dpk_map_free(struct dpk_map *m, void (*free_val)(void *));
/* Under 1/8 full: into fewer slots (at most half full, never under 64); the bytes given back. */
size_t dpk_map_shrink(struct dpk_map *m);

/* ---- dp_kernel_route.c: rtnl_route objects for each kind of entry ---- */
/* An IPv4 FIB entry in a VRF's table. */
struct dpk_fib_in {
	uint32_t table;
	uint32_t prefix; /* host order */
	uint8_t plen;
	uint32_t inner_label;          /* MPLS_LABEL_NONE: none */
	const struct ipc_nexthop *nh;
	int oif;                       /* ifindex of nh->ifname (CONNECTED, GATEWAY, LABELED) */
	int vrf_ifindex;               /* the VRF device (LOCAL) */
};
/* An LFIB entry in the kernel's MPLS table. */
struct dpk_lfib_in {
	const struct ipc_lfib_entry *e;
	const struct ipc_nexthop *nh; /* POP_FORWARD, SWAP */
	int oif;                      /* ifindex of nh->ifname */
	int vrf_ifindex;              /* POP_LOOKUP (and POP_FORWARD to a link): the VRF device */
};
/* The route to add, or NULL with why in why (not programmable, or out of memory). */
struct rtnl_route *dpk_route_fib(const struct dpk_fib_in *in, char *why, size_t len);
struct rtnl_route *dpk_route_lfib(const struct dpk_lfib_in *in, char *why, size_t len);
/* Only the key (and protocol, so that nothing but ferry's route matches), to delete. */
struct rtnl_route *dpk_route_fib_key(uint32_t table, uint32_t prefix, uint8_t plen);
struct rtnl_route *dpk_route_lfib_key(uint32_t label);
/*
 * The label stack entries (network order, bottom of stack bit on the last)
 * for the n labels at labels: the bytes of RTA_DST / RTA_NEWDST / MPLS_IPTUNNEL_DST.
 */
void dpk_label_stack(const uint32_t *labels, int n, uint8_t *out);
/* The labels a LABELED next hop pushes for inner: out_label unless implicit null, inner unless none. */
int dpk_push_labels(const struct ipc_nexthop *nh, uint32_t inner, uint32_t labels[2]);

/* ---- dp_kernel.c: the state ---- */
struct dpk_vrf {
	uint32_t id;
	uint32_t table;
	int ifindex; /* 0: the device could not be made (or was deleted and is not made yet) */
	char name[IPC_NAME_MAX];
	char ifname[DPK_IFNAMSIZ];
	/* its device deleted behind vrfmgr's back (dp_kernel_remake.c) */
	unsigned remakes;    /* attempts to make it again in this streak */
	uint64_t remade_at;  /* the last attempt (dp_kernel.now_ms) */
	uint64_t remake_due; /* the next attempt, when remake_pending */
	bool remake_pending; /* set only through dpk_vrf_pending (dp_kernel.n_pending) */
	bool given_up;       /* DPK_REMAKE_MAX attempts in a streak: no more until a restart */
	bool down;           /* its device set down behind vrfmgr's back, not up again yet */
	uint64_t remade;     /* made again since the core built it */
	uint64_t set_up_again;
	uint64_t links_bound_again;
};

struct dpk_fib {
	struct ipc_fib_entry e;
	bool programmed; /* the kernel accepted it */
};

struct dpk_lfib {
	struct ipc_lfib_entry e;
	bool programmed;
};

struct dpk_bind {
	struct ipc_if_bind b;
	int ifindex;
	bool addr_added;
	/*
	 * bound again when its VRF is put right: its VRF's device was deleted, or
	 * it was taken out of it; with ifindex 0, parked (released and down) until then
	 */
	bool rebind;
};

struct dp_kernel {
	const struct dpk_io_ops *io_ops;
	void *io;
	struct dpk_map vrfs;  /* vrf_id -> struct dpk_vrf */
	struct dpk_map nhs;   /* nh_id -> struct ipc_nexthop */
	struct dpk_map fibs;  /* dpk_fib_key -> struct dpk_fib */
	struct dpk_map lfibs; /* in_label -> struct dpk_lfib */
	struct dpk_map binds; /* interface name hash -> struct dpk_bind */
	struct dpk_map links; /* ifindex -> 1 (seen down) or 2 (seen up), from link events */
	struct dpk_map ifindexes; /* interface name hash -> struct dpk_ifindex, for routes (until a link event) */
	struct dpk_map devices; /* ifindex -> struct dpk_vrf whose device it is (dpk_vrf_set_ifindex) */
	size_t n_pending;       /* VRFs with remake_pending: no timer to arm when 0 */
	uint64_t errors;
	uint64_t vrf_remakes; /* VRF devices made again after they were deleted */
	uint64_t (*now_ms)(void); /* a monotonic clock (a test sets its own) */
};

static inline uint64_t dpk_fib_key(uint32_t vrf_id, uint32_t prefix, uint8_t plen)
{
	return (uint64_t)vrf_id << 40 | (uint64_t)prefix << 8 | plen;
}

/* dp_kernel.c: (re)programs one entry from the state (used after a next hop or bind changed). */
void dpk_fib_program(struct dp_kernel *k, struct dpk_fib *f);
void dpk_lfib_program(struct dp_kernel *k, struct dpk_lfib *l);
/* The binds map's key of an interface name. */
uint64_t dpk_ifname_key(const char *ifname);
/*
 * dp_kernel.c: ib's link enslaved to its VRF's device and addressed, without
 * programming the routes through it again (the caller does); whether it was.
 */
bool dpk_link_bind(struct dp_kernel *k, const struct ipc_if_bind *ib);
/* ifindex out of its VRF device and down (named ifname in the log if refused). */
void dpk_release_down(struct dp_kernel *k, int ifindex, const char *ifname);
/*
 * dp_kernel_remake.c: v's device is gone, not by vrfmgr's doing: made again
 * at once, or after a backoff when it keeps going (its links down meanwhile).
 */
void dpk_vrf_gone(struct dp_kernel *k, struct dpk_vrf *v);
/* The VRF whose device is ifindex, or NULL. */
struct dpk_vrf *dpk_vrf_by_ifindex(const struct dp_kernel *k, int ifindex);
/* v's device is now ifindex (0: none), kept in dp_kernel.devices. */
void dpk_vrf_set_ifindex(struct dp_kernel *k, struct dpk_vrf *v, int ifindex);
/* v->remake_pending set or cleared, counted in dp_kernel.n_pending. */
void dpk_vrf_pending(struct dp_kernel *k, struct dpk_vrf *v, bool on);
/*
 * dp_kernel_remake.c: something of v's was undone behind vrfmgr's back (its
 * device set down, a link of its, marked rebind, taken out): put right at
 * once (dpk_vrf_put_right), or, when it keeps happening, after the backoff,
 * the marked links parked meanwhile. who ("device vrf-A (ifindex 7)",
 * "ce-a1") was done ("set down", "taken out of vrf-A (...)"), which fixing
 * ("setting it up again") does and fixed ("set up again") says.
 */
struct dpk_trouble {
	const char *who, *done, *fixing, *fixed;
};
void dpk_vrf_trouble(struct dp_kernel *k, struct dpk_vrf *v, const struct dpk_trouble *t);
/* The links marked rebind bound again; how many. */
size_t dpk_links_rebind(struct dp_kernel *k, uint32_t vrf_id);
/* Every route and label of vrf_id, and through its links, again; how many. */
size_t dpk_vrf_reprogram(struct dp_kernel *k, uint32_t vrf_id);
/*
 * dp_kernel_guard.c: a link event about a VRF device of this run's or a bound
 * link (b, the bind of its name, or NULL) that it dealt with: true when
 * nothing else is to be done with the event.
 */
bool dpk_guard_event(struct dp_kernel *k, int ifindex, struct dpk_bind *b, int master, bool up);
/* v, whose device is there, put right: set up, its marked links bound again. 0 or -1 (logged). */
int dpk_vrf_put_right(struct dp_kernel *k, struct dpk_vrf *v);
/* Every VRF device listed: one of this run's that is not there is gone (dpk_vrf_gone). */
void dpk_vrfs_check(struct dp_kernel *k);
/*
 * dp_kernel_claim.c: v's table made v's alone before its device is made: a
 * previous run's VRF device of ferry's on it (or of v's name on another table)
 * deleted with that table's routes; -1 with why when a host's VRF device has it.
 */
int dpk_table_claim(struct dp_kernel *k, const struct dpk_vrf *v, char *why, size_t len);
/* Logs a kernel error about what (counted). */
void dpk_kernel_error(struct dp_kernel *k, int err, const char *what);

#endif
