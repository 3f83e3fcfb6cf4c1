/*
 * dp_kernel: the second dataplane (docs/dataplane-kernel.md). vrfmgr programs
 * the Linux kernel's own VRF devices, IPv4 tables and MPLS table over
 * rtnetlink (libnl-route-3) instead of fwd, on hosts whose kernel has
 * CONFIG_NET_VRF and CONFIG_MPLS_ROUTING.
 *
 * What the core says through dataplane.h becomes:
 *   VRF            -> a VRF device "vrf-<name>" bound to table DPK_TABLE_BASE + id
 *   IF_BIND        -> the attachment link enslaved to it, its address added
 *   FIB entry      -> an IPv4 route in the VRF's table (encap mpls for labeled)
 *   LFIB entry     -> an AF_MPLS route (pop to the VRF device, pop to a CE, swap)
 * every route tagged with protocol DPK_RTPROT, so that a restarted vrfmgr
 * finds what it programmed before (and only that) and sweeps what it no
 * longer wants once it has converged.
 *
 * The kernel is reached through struct dpk_io (netlink in dp_kernel_nl.c, a
 * recorder in the unit tests), so everything above the socket is tested
 * without a kernel.
 */
#ifndef FERRY_VRFMGR_DP_KERNEL_H
#define FERRY_VRFMGR_DP_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "vrfmgr/dataplane.h"

/* rtm_protocol of every route ferry programs (iproute2 shows "proto 240"). */
#define DPK_RTPROT 240
/* A VRF's routing table: DPK_TABLE_BASE + VRF id (ids 1..65535: tables 10001..75535). */
#define DPK_TABLE_BASE 10000u
/* The alias (IFLA_IFALIAS) of the VRF devices ferry made: how a restart knows its own. */
#define DPK_VRF_ALIAS "ferry vrfmgr"
/* VRF device names: this prefix and the VRF's name, within IFNAMSIZ. */
#define DPK_VRF_IFPREFIX "vrf-"
#define DPK_IFNAMSIZ 16
#define DPK_VRF_NAME_MAX (DPK_IFNAMSIZ - 1 - (int)(sizeof(DPK_VRF_IFPREFIX) - 1))

struct rtnl_route;

/* How the kernel is reached. Each returns 0 (or an ifindex) or a negative libnl error. */
struct dpk_io_ops {
	/* ifindex of ifname, or -NLE_OBJ_NOTFOUND */
	int (*ifindex)(void *io, const char *ifname);
	/*
	 * The VRF device ifname with this table, up: created, or the one already
	 * there adopted when it is a VRF device of the same table. Its ifindex.
	 */
	int (*vrf_dev_add)(void *io, const char *ifname, uint32_t table, char *why, size_t len);
	int (*link_del)(void *io, int ifindex);
	/* ifindex made a slave of master (a VRF device), and set up */
	int (*enslave)(void *io, int ifindex, int master);
	/*
	 * ifindex released from its master and set down, in one request: a CE
	 * link out of its VRF is in the main table, where the kernel would
	 * forward what its CE sends (ip_forward is on) into the provider's core.
	 */
	int (*release)(void *io, int ifindex);
	/* address/plen on ifindex added or removed (already so: 0) */
	int (*addr)(void *io, bool add, int ifindex, uint32_t address, uint8_t plen);
	/* add (create or replace) or delete one route */
	int (*route)(void *io, bool add, struct rtnl_route *r);
	/* every route of family (AF_INET, AF_MPLS) whose protocol is DPK_RTPROT, to cb */
	int (*dump)(void *io, int family, void (*cb)(struct rtnl_route *r, void *arg), void *arg);
	/* every VRF device, to cb: its table, and whether its alias is DPK_VRF_ALIAS */
	int (*vrf_devs)(void *io,
			void (*cb)(int ifindex, const char *ifname, uint32_t table, bool ferrys,
				   void *arg),
			void *arg);
	/* a libnl error as text */
	const char *(*strerror)(int err);
	/* every link, to cb: its ifindex, name, master (0: none) and whether it is up */
	int (*links)(void *io,
		     void (*cb)(int ifindex, const char *ifname, int master, bool up, void *arg),
		     void *arg);
	/*
	 * ifindex's master (0: none) and whether it is up, as the kernel has
	 * them now (a link event read late may say otherwise); -NLE_OBJ_NOTFOUND
	 * when it is gone
	 */
	int (*link_state)(void *io, int ifindex, int *master, bool *up);
	/* ifindex set up */
	int (*link_up)(void *io, int ifindex);
};

struct dp_kernel;

/* The dataplane_ops to hand the core, with a struct dp_kernel as ctx. */
extern const struct dataplane_ops dp_kernel_ops;

/* A dp_kernel over io (not owned). NULL when out of memory. */
struct dp_kernel *dp_kernel_new(const struct dpk_io_ops *ops, void *io);
void dp_kernel_free(struct dp_kernel *k);
/*
 * Its tables that grow with routes (FIB and LFIB entries, next hops) into
 * smaller arrays when under 1/8 full (vrfmgr's quiet tick, after a
 * withdrawal); the bytes given back.
 */
size_t dp_kernel_shrink(struct dp_kernel *k);
/*
 * After convergence: deletes every route of protocol DPK_RTPROT in a table
 * of ferry's (or the MPLS table) that this run has not programmed, and every
 * VRF device ferry made (its alias) that is no VRF of this run, and releases
 * every link enslaved to one of this run's VRF devices that this run did not
 * bind there (a previous run's binding). The number of routes, devices and
 * links deleted or released, or -1 when a listing failed (logged).
 */
long dp_kernel_sweep(struct dp_kernel *k);
/*
 * A link event (dp_kernel_watch.c, or a test): ifindex named ifname, a slave
 * of master (0: none), is up or not. One that comes up, or comes back with
 * another ifindex, gets its routes (and its VRF binding) programmed again.
 * One of this run's VRF devices set down, or a bound link out of its VRF
 * device, not by vrfmgr, is put right (dp_kernel_guard.c): at once, or after
 * the backoff below when it keeps happening.
 */
void dp_kernel_link_event(struct dp_kernel *k, int ifindex, const char *ifname, int master,
			  bool up);
/*
 * A link deleted (RTM_DELLINK): forgotten, so that the state of every link
 * the host ever had is not kept, and a link made again with the same ifindex
 * is bound again when it comes up instead of being taken for the old one.
 * One of this run's VRF devices is made again (below).
 */
void dp_kernel_link_gone(struct dp_kernel *k, int ifindex);
/*
 * One of this run's VRF devices deleted behind vrfmgr's back (a link gone,
 * or missing from the listing after lost events) is made again on its table,
 * its links bound again and its routes and labels programmed again
 * (dp_kernel_remake.c); one set down is set up again, a link taken out of it
 * bound again (dp_kernel_guard.c). Each is a repair of the VRF: at once the
 * first time; again within DPK_REMAKE_STABLE_MS of the last repair, or
 * refused, after DPK_REMAKE_FIRST_MS, doubling up to DPK_REMAKE_LONGEST_MS,
 * the links concerned down meanwhile; after DPK_REMAKE_MAX attempts in a
 * row, no more.
 */
#define DPK_REMAKE_FIRST_MS 1000u
#define DPK_REMAKE_LONGEST_MS 30000u
#define DPK_REMAKE_STABLE_MS 60000u
#define DPK_REMAKE_MAX 8u
/* The VRFs due to be put right now are (their devices made again, set up, links bound). */
void dp_kernel_tick(struct dp_kernel *k);
/* Milliseconds until dp_kernel_tick has something to do (0: now), or -1: nothing pending. */
int64_t dp_kernel_next_tick_ms(const struct dp_kernel *k);
/* A VRF's device as the kernel dataplane knows it, for the API (GET /vrfs). */
struct dp_kernel_vrf_device {
	char ifname[DPK_IFNAMSIZ];
	uint32_t table;
	int ifindex; /* 0: none now */
	/*
	 * "present"; "down": set down behind vrfmgr's back, set up again in
	 * remake_in_ms; "waiting": deleted, made again in remake_in_ms;
	 * "given_up": deleted, set down, its links taken out or refused
	 * DPK_REMAKE_MAX times in a row; "missing": never made (refused, logged)
	 */
	const char *state;
	bool repair_pending; /* remake_in_ms holds: the next attempt to put the VRF right */
	uint64_t remake_in_ms;
	uint64_t remade;            /* times made again since the core built the VRF */
	uint64_t set_up_again;      /* times set up again */
	uint64_t links_bound_again; /* its links bound again after they were taken out */
};
/*
 * The links vrf_id binds, to cb: name, ifindex (0: none now) and state:
 * "bound" (in the VRF device, as far as the link events say), "waiting"
 * (taken out, or its device gone: down until the VRF is put right) or
 * "unbound" (no such link yet, or the kernel refused the bind: logged).
 */
void dp_kernel_vrf_links(const struct dp_kernel *k, uint32_t vrf_id,
			 void (*cb)(const char *ifname, int ifindex, const char *state, void *arg),
			 void *arg);
/* vrf_id's device; false when the dataplane has no such VRF. */
bool dp_kernel_vrf_device(const struct dp_kernel *k, uint32_t vrf_id,
			  struct dp_kernel_vrf_device *out);
/* VRF devices made again since start; VRFs that have no device now (none made, or gone). */
uint64_t dp_kernel_vrf_remakes(const struct dp_kernel *k);
size_t dp_kernel_vrfs_without_device(const struct dp_kernel *k);

/*
 * Link events were lost (the watch socket overran: ENOBUFS): every link is
 * listed and taken as an event from an unknown state, so that one that went
 * down and came up unseen gets its routes (and binding) back. -1 when the
 * links could not be listed (logged).
 */
int dp_kernel_resync(struct dp_kernel *k);

/*
 * Watches the kernel's link events on the event loop and hands them to
 * dp_kernel_link_event. NULL with why in err when the socket cannot be made.
 */
struct event_base;
struct dpk_watch;
struct dpk_watch *dpk_watch_start(struct event_base *base, struct dp_kernel *k, char *err,
				  size_t errlen);
void dpk_watch_stop(struct dpk_watch *w);

/* Errors the kernel returned since start (each was logged with what failed). */
uint64_t dp_kernel_errors(const struct dp_kernel *k);

/*
 * The VRF device name for a VRF: "vrf-<name>". 0, or -1 with why in err when
 * it would not fit in IFNAMSIZ (a VRF name longer than DPK_VRF_NAME_MAX).
 */
int dpk_vrf_ifname(const char *vrf_name, char out[DPK_IFNAMSIZ], char *err, size_t errlen);
/* The routing table of VRF id. */
uint32_t dpk_vrf_table(uint32_t vrf_id);

/*
 * The kernel settings the dataplane needs, written under sysctl_root
 * ("/proc/sys"): net.ipv4.ip_forward 1, net.mpls.platform_labels above
 * label_max (raised only), net.mpls.conf.<core>.input 1 for each core link.
 * 0, or -1 with the setting that could not be made and why in err.
 */
int dpk_sysctls_apply(const struct ferry_config *cfg, const char *sysctl_root, char *err,
		      size_t errlen);

#endif
