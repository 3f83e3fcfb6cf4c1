/*
 * fwd/: ferry's userspace forwarding plane (this kernel has no MPLS, see
 * DATAPLANE.md). It owns the data interfaces (AF_PACKET), ARP, the per-VRF
 * FIBs (lpm.c), the LFIB, label push/swap/pop with RFC 3443 uniform TTL, and
 * counters. It knows nothing of BGP, RDs or RTs: vrfmgr programs it over IPC
 * (vrfmgr_link.c -> apply.c), or in LSR mode the config's static LFIB does.
 *
 * fwd.h: the forwarding context shared by every fwd module. The packet path
 * (pipeline.c) never does I/O itself: it hands finished frames to
 * hooks.output, so unit tests can run it on byte buffers in memory.
 *
 * Threads: the control thread (event loop, API, vrfmgr, ARP, everything
 * that writes the tables) and, with fwd.workers > 0, worker threads that
 * run the vector path on their own sockets. A worker identifies itself with
 * fwd_self: its counters are its own (summed by the control thread), and
 * what the fast path cannot finish is punted to the control thread.
 */
#ifndef FERRY_FWD_H
#define FERRY_FWD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"

#define FWD_ETH_ALEN 6
#define FWD_ETH_HLEN 14
#define FWD_ETHERTYPE_IPV4 0x0800
#define FWD_ETHERTYPE_ARP 0x0806
/* Bytes kept free before every received frame so labels can be pushed in place. */
#define FWD_HEADROOM 64

/* Why a frame was dropped: one counter each, never a log line per packet. */
enum fwd_drop {
	FWD_DROP_TRUNCATED = 0,   /* shorter than its headers say */
	FWD_DROP_UNSUPPORTED,     /* access link: not ARP/IPv4 (IPv6, VLAN, MPLS...) */
	FWD_DROP_BAD_ARP,         /* malformed ARP on an access link */
	FWD_DROP_BAD_IP_HEADER,   /* version, IHL or total length wrong */
	FWD_DROP_BAD_IP_CHECKSUM,
	FWD_DROP_TTL_EXPIRED,
	FWD_DROP_TO_SELF,         /* addressed to fwd and not an ICMP echo request */
	FWD_DROP_NO_ROUTE,
	FWD_DROP_NO_NEXTHOP,      /* route's next hop unknown or its interface gone */
	FWD_DROP_BLACKHOLE,       /* next hop of type drop */
	FWD_DROP_UNKNOWN_LABEL,
	FWD_DROP_BAD_LABEL_STACK, /* pop to IP where the stack or payload does not allow it */
	FWD_DROP_MTU_EXCEEDED,
	FWD_DROP_NO_HEADROOM,
	FWD_DROP_ARP_QUEUE_FULL,
	FWD_DROP_ARP_FAILED,      /* queued while resolving, neighbour never answered */
	FWD_DROP_ARP_TABLE_FULL,
	FWD_DROP_TX_ERROR,
	FWD_DROP_PUNT_FULL,       /* workers: the control thread's queue was full */
	FWD_DROP_MAX
};

const char *fwd_drop_name(enum fwd_drop d);

/* What became of one received frame (tests check it; counters say the same). */
enum fwd_verdict {
	FWD_SENT = 0,  /* one or more frames handed to hooks.output */
	FWD_QUEUED,    /* held while ARP resolves the next hop */
	FWD_CONSUMED,  /* control traffic handled (ARP learned or answered) */
	FWD_IGNORED,   /* not ours: left to the kernel, not counted as a drop */
	FWD_DROPPED,   /* counted in drops[] */
	FWD_PUNTED,    /* a worker handed it to the control thread (slow path) */
};

enum fwd_if_role { FWD_IF_CORE = 1, FWD_IF_ACCESS };

struct arp_table;
struct fwd_ctrs;

struct fwd_if_ctr {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

/* A worker's counters for one interface, on a cache line of their own. */
struct fwd_if_wctr {
	_Alignas(64) struct fwd_if_ctr c;
};

#define FWD_WORKERS_MAX 16

struct fwd_iface {
	/* the first line: everything the packet path reads or counts per frame */
	_Alignas(64) enum fwd_if_role role;
	bool active;       /* core: configured; access: bound by vrfmgr */
	bool open;         /* the I/O backend has a socket on it */
	bool absent_told;  /* "no such interface" logged: once, not at every retry */
	uint8_t mac[FWD_ETH_ALEN];
	uint32_t mtu;      /* IP MTU; 0 = unknown, not checked */
	uint32_t arp_gen;  /* bumped when an ARP entry goes or changes MAC: next hop caches die */
	uint32_t vrf_id;   /* access links: the VRF packets arriving here are looked up in */
	/* the control thread's counts plus the workers' as last summed (fwd_fold) */
	union {
		struct {
			uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
		};
		struct fwd_if_ctr ctr;
	};
	struct fwd_if_wctr *wctr; /* [FWD_WORKERS_MAX]: each worker's own */
	char name[IPC_IFNAME_MAX];
	uint8_t plen;
	uint32_t gen;      /* replay generation of the last IF_BIND */
	struct arp_table *arp;
	/*
	 * Read per frame too, but only of the link a batch arrived on (one per
	 * batch, already in cache): the first line is for what egress reads.
	 */
	uint32_t addr;     /* our address on the link: ARP source; answered on access links */
	void *io;          /* backend state (io_packet.c) */
	uint32_t idx;      /* position in fwd->ifaces (interfaces are never freed) */
	bool removed; /* an access link no VRF binds and no next hop names (fwd_iface_reap) */
	/*
	 * Access links: bumped when the link leaves its VRF (unbound, after its
	 * sockets closed, or moved to another). A frame a worker handed over
	 * before is the old tenant's; punt.c drops it rather than route it in
	 * the VRF the link serves when it is finished.
	 */
	uint32_t bind_seq;
	struct fwd_if_ctr wsum;   /* the workers' counts already added to ctr */
	/*
	 * What an attachment link delivered to its VRF's CEs (the VRF's to_ce,
	 * ctr.h) is not counted per frame but worked out from its tx counters:
	 * less the ARP frames fwd sent on it (the control thread's, counted
	 * here) and the data it sent before it joined that VRF.
	 */
	uint64_t tx_arp_packets, tx_arp_bytes;
	uint64_t ce_base_packets, ce_base_bytes;
	struct fwd_iface *vrf_next; /* the next link bound to the same VRF (fwd->vrf_links) */
};

/* A worker thread as the packet path sees it (io_worker.c runs it). */
/* A token bucket of the ICMP errors' rate limit (icmp.h). */
struct icmp_limit {
	uint64_t last_ms; /* when tokens was last refilled */
	uint32_t tokens;
	bool started;
};

struct fwd_thread {
	unsigned id; /* index into fwd_iface.wctr */
	/* the frames it hands the control thread to answer with an ICMP error: as many at most */
	struct icmp_limit icmp;
	uint32_t vrf_epoch; /* f->vrf_epoch when its batch began (punt.c) */
	_Alignas(64) uint64_t drops[FWD_DROP_MAX];
	uint64_t fast;
	struct punt_ring *punt; /* frames for the control thread */
	struct fwd_ctrs *ctrs;  /* its per-VRF and per-label counters (ctr.h) */
};

/* NULL on the control thread (and in tests): counters go to the shared fields. */
extern _Thread_local struct fwd_thread *fwd_self;

/* A frame in a buffer with headroom before data (pushes grow toward it). */
struct fwd_pkt {
	uint8_t *data; /* Ethernet header */
	size_t len;
	size_t headroom;
};

struct fwd;

/* The outside world: I/O in the daemon, capture in tests. ctx is hooks.ctx. */
struct fwd_hooks {
	int (*output)(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len);
	int (*if_open)(void *ctx, struct fwd_iface *ifp);   /* may be NULL */
	void (*if_close)(void *ctx, struct fwd_iface *ifp); /* may be NULL */
	void *ctx;
};

struct nh_table;
struct lfib;
struct punt_ring;
struct fwd_vrf;
struct fib_results;
struct rcu;
struct fwd_boot;

struct fwd {
	struct fwd_iface **ifaces;
	size_t n_ifaces;
	uint32_t *if_index; /* open addressing by name: 1 + the position in ifaces, 0 empty */
	size_t if_index_cap;
	struct fwd_vrf **vrfs; /* [FIB_VRF_ID_MAX + 1], by vrf_id */
	/* each VRF's LPM root word, by vrf_id (0: no such VRF): one load to the table */
	_Atomic uintptr_t *vrf_roots;
	/* each VRF's core-facing table's root word (fib_core.c), 0 as in vrf_roots */
	_Atomic uintptr_t *vrf_core_roots;
	uint32_t vrf_cap;      /* ids below this may be in use */
	struct fib_results *res; /* interned (next hop, inner label) of every route */
	uint32_t *fib_dirty;     /* [FIB_VRF_ID_MAX + 1]: VRFs with route changes not yet published */
	uint32_t n_fib_dirty;
	uint32_t n_core_waiting; /* VRFs whose core table waits to be rebuilt again (fib_core.c) */
	struct rcu *rcu;         /* deferred frees for what workers may still read */
	bool slow_only;          /* tests: every frame through pipeline.c alone */
	uint64_t fast;           /* frames vector.c finished itself (tests, stats) */
	bool no_lazy_commit;     /* workers run: only the control thread publishes routes */
	struct fwd_thread *threads[FWD_WORKERS_MAX]; /* workers, for fwd_fold */
	unsigned n_threads;
	uint64_t wdrops[FWD_DROP_MAX]; /* the workers' drops already added to drops[] */
	/* per-VRF and per-label counters by thread: [0] control, [1 + id] worker id (ctr.h) */
	struct fwd_ctrs *ctrs[FWD_WORKERS_MAX + 1];
	/* [FIB_VRF_ID_MAX + 1]: each VRF's bound attachment links, through vrf_next (ctr.c) */
	struct fwd_iface **vrf_links;
	struct nh_table *nhs;
	struct lfib *lfib;
	uint64_t drops[FWD_DROP_MAX];
	uint64_t icmp_sent;    /* ICMP errors sent (pipeline.c, the control thread alone) */
	struct icmp_limit icmp_lsr; /* the rate limit of errors sent along LSPs (no VRF) */
	uint64_t icmp_limited; /* ... held back by their VRF's rate limit */
	uint64_t ip_fragmented; /* IPv4 packets sent in fragments (pipeline.c, control thread) */
	uint64_t ip_fragments;  /* ... and the fragments they made */
	/*
	 * Bumped when a VRF goes (fib.c): a VRF id a worker punted with (punt.c)
	 * means the same VRF on the control thread only if it has not moved
	 * since the worker's batch began: ids are given again to new VRFs.
	 */
	_Atomic uint32_t vrf_epoch;
	uint64_t now_ms;       /* monotonic; set by fwd_clock_update (or by tests) */
	uint32_t arp_timeout_s;
	uint32_t gen;          /* current replay generation (mark-and-sweep) */
	uint64_t table_changes; /* results and next hops made or dropped: trim.h waits for quiet */
	struct fwd_hooks hooks;
	/* how fwd took its config at start (main.c), for GET /reload/check; NULL: no file */
	const struct fwd_boot *boot;
};

struct fwd *fwd_new(const struct fwd_hooks *hooks, uint32_t arp_timeout_s);
void fwd_free(struct fwd *f);
void fwd_clock_update(struct fwd *f);

struct fwd_iface *fwd_iface_find(const struct fwd *f, const char *name);
/* Finds or creates the interface (inactive); NULL on allocation failure or bad name. */
struct fwd_iface *fwd_iface_get(struct fwd *f, const char *name, enum fwd_if_role role);
/*
 * A removed tenant's link: an access link no VRF binds and no next hop
 * uses is marked removed (hidden from the API) rather than freed, since
 * workers' punted frames, next-hop views and worker socket slots (by idx)
 * may still point at it; bound again, the same struct comes back (revive).
 */
void fwd_iface_reap(struct fwd *f, struct fwd_iface *ifp);
/* ifp, removed, is bound or named by a next hop again: its counters start from 0, as a new link's would. */
void fwd_iface_revive(struct fwd *f, struct fwd_iface *ifp);
const char *fwd_if_role_name(enum fwd_if_role r);

/*
 * A counter only its thread writes and the control thread may read at any
 * time (fwd_fold): a relaxed atomic store, the same instructions as ++.
 */
static inline void fwd_ctr_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/* Thread t's counters for ifp (t: fwd_self, read once by a caller that counts often). */
static inline struct fwd_if_ctr *fwd_if_ctr_of(struct fwd_iface *ifp, const struct fwd_thread *t)
{
	return t == NULL ? &ifp->ctr : &ifp->wctr[t->id].c;
}

/* This thread's counters for ifp. */
static inline struct fwd_if_ctr *fwd_if_ctr(struct fwd_iface *ifp)
{
	return fwd_if_ctr_of(ifp, fwd_self);
}

/* Counts a drop; returns FWD_DROPPED so paths can `return fwd_drop(f, ...)`. */
static inline enum fwd_verdict fwd_drop(struct fwd *f, enum fwd_drop why)
{
	struct fwd_thread *t = fwd_self;

	if (t == NULL)
		f->drops[why]++;
	else
		fwd_ctr_add(&t->drops[why], 1);
	return FWD_DROPPED;
}

/* Hands a finished frame to the backend and counts it; FWD_SENT or a counted drop. */
static inline enum fwd_verdict fwd_tx(struct fwd *f, struct fwd_iface *ifp, const uint8_t *frame,
				      size_t len)
{
	struct fwd_if_ctr *c;

	if (f->hooks.output(f->hooks.ctx, ifp, frame, len) < 0)
		return fwd_drop(f, FWD_DROP_TX_ERROR);
	c = fwd_if_ctr(ifp);
	fwd_ctr_add(&c->tx_packets, 1);
	fwd_ctr_add(&c->tx_bytes, len);
	return FWD_SENT;
}

/* Control thread: adds what the workers counted since the last call to the shared counters. */
void fwd_fold(struct fwd *f);

#endif
