/*
 * dp_kernel_sweep: after a restart, what a previous vrfmgr programmed and
 * this one no longer wants. The kernel keeps forwarding along the old
 * routes while vrfmgr starts (the point of a graceful restart); once the
 * core has converged, every route tagged DPK_RTPROT in one of ferry's VRF
 * tables (DPK_TABLE_BASE + 1..65535) or in the MPLS table that this run
 * did not program is deleted, and so is a VRF device ferry made (its alias
 * says so) that is no VRF of this run (its links released first), and a
 * link in one of this run's VRF devices that this run did not bind there is
 * released; a released link is set down. Routes of any other
 * protocol or table, and VRF devices of anyone else, are never touched.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/route/route.h>

#include "common/log.h"
#include "vrfmgr/dp_kernel_int.h"

#ifndef AF_MPLS
#define AF_MPLS 28
#endif

struct sweep {
	struct dp_kernel *k;
	struct rtnl_route **stale;
	size_t n, cap;
	bool oom;
};

static bool ferry_table(uint32_t table)
{
	return table > DPK_TABLE_BASE && table <= DPK_TABLE_BASE + CFG_VRFS_MAX;
}

/* Is this dumped route one this run programmed? */
static bool wanted(const struct dp_kernel *k, struct rtnl_route *r)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	const uint8_t *b = dst != NULL ? nl_addr_get_binary_addr(dst) : NULL;
	uint32_t be = 0;

	if (rtnl_route_get_family(r) == AF_MPLS) {
		const struct dpk_lfib *l;

		if (b == NULL || nl_addr_get_len(dst) < 4)
			return false;
		memcpy(&be, b, 4);
		l = dpk_map_get(&k->lfibs, ntohl(be) >> 12);
		return l != NULL && l->programmed;
	}
	const struct dpk_fib *f;
	uint32_t table = rtnl_route_get_table(r);

	if (b != NULL && nl_addr_get_len(dst) == 4)
		memcpy(&be, b, 4);
	f = dpk_map_get(&k->fibs, dpk_fib_key(table - DPK_TABLE_BASE, ntohl(be),
					      (uint8_t)(dst != NULL ? nl_addr_get_prefixlen(dst) : 0)));
	return f != NULL && f->programmed;
}

static void on_route(struct rtnl_route *r, void *arg)
{
	struct sweep *s = arg;

	if (rtnl_route_get_protocol(r) != DPK_RTPROT)
		return;
	if (rtnl_route_get_family(r) == AF_INET && !ferry_table(rtnl_route_get_table(r)))
		return;
	if (wanted(s->k, r))
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct rtnl_route **v = realloc(s->stale, cap * sizeof(*v));

		if (v == NULL) {
			s->oom = true;
			return;
		}
		s->stale = v;
		s->cap = cap;
	}
	nl_object_get((struct nl_object *)r);
	s->stale[s->n++] = r;
}

/* A VRF device ferry made that no VRF of this run is: deleted (its routes went above). */
struct dev_sweep {
	struct dp_kernel *k;
	struct stale_dev {
		int ifindex;
		char name[DPK_IFNAMSIZ];
	} *v;
	size_t n, cap;
	bool oom;
};

static void on_vrf_dev(int ifindex, const char *ifname, uint32_t table, bool ferrys, void *arg)
{
	struct dev_sweep *s = arg;

	if (!ferrys || !ferry_table(table))
		return;
	for (size_t i = 0; i < s->k->vrfs.cap; i++) {
		const struct dpk_vrf *v = s->k->vrfs.s[i].val;

		if (v != NULL && v->ifindex == ifindex)
			return;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct stale_dev *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].ifindex = ifindex;
	snprintf(s->v[s->n].name, DPK_IFNAMSIZ, "%s", ifname);
	s->n++;
}

static long sweep_slaves(struct dp_kernel *k, const struct dev_sweep *gone);

/* The number of devices deleted and links released, or -1 when they could not be listed. */
static long sweep_devices(struct dp_kernel *k)
{
	struct dev_sweep s = { .k = k };
	char what[96];
	long deleted = 0, released;
	int rc = k->io_ops->vrf_devs(k->io, on_vrf_dev, &s);

	if (rc < 0) {
		dpk_kernel_error(k, rc, "listing the VRF devices to sweep");
		return -1;
	}
	/* their links first, down: the kernel would release them up into the main table */
	if (s.n > 0 && (released = sweep_slaves(k, &s)) > 0)
		deleted += released;
	for (size_t i = 0; i < s.n; i++) {
		snprintf(what, sizeof(what), "sweeping the previous run's VRF device %s", s.v[i].name);
		if ((rc = k->io_ops->link_del(k->io, s.v[i].ifindex)) < 0) {
			dpk_kernel_error(k, rc, what);
			continue;
		}
		log_info("kernel dataplane: swept VRF device %s, of a VRF no longer configured",
			 s.v[i].name);
		deleted++;
	}
	free(s.v);
	if (s.oom) {
		k->errors++;
		log_warnx("kernel dataplane: sweep: out of memory, some stale VRF devices are left");
	}
	return deleted;
}

/*
 * A link in one of this run's VRF devices that this run did not bind there:
 * a previous run's binding of a link the file no longer gives that VRF (or
 * any). Left there, its CE would still deliver into that VRF. Or (gone) a
 * link in a VRF device about to be swept.
 */
struct slave_sweep {
	struct dp_kernel *k;
	const struct dev_sweep *gone;
	struct stale_slave {
		int ifindex;
		char name[DPK_IFNAMSIZ];
		char vrf[DPK_IFNAMSIZ];
	} *v;
	size_t n, cap;
	bool oom;
};

static const struct dpk_vrf *vrf_of_device(const struct dp_kernel *k, int ifindex)
{
	for (size_t i = 0; ifindex > 0 && i < k->vrfs.cap; i++) {
		const struct dpk_vrf *v = k->vrfs.s[i].val;

		if (v != NULL && v->ifindex == ifindex)
			return v;
	}
	return NULL;
}

static bool bound_here(const struct dp_kernel *k, int ifindex, const struct dpk_vrf *v)
{
	for (size_t i = 0; i < k->binds.cap; i++) {
		const struct dpk_bind *b = k->binds.s[i].val;

		if (b != NULL && b->ifindex == ifindex && b->b.vrf_id == v->id)
			return true;
	}
	return false;
}

/* The name of the device to be swept that master is, or NULL. */
static const char *gone_device(const struct dev_sweep *gone, int master)
{
	for (size_t i = 0; master > 0 && i < gone->n; i++)
		if (gone->v[i].ifindex == master)
			return gone->v[i].name;
	return NULL;
}

static void on_link(int ifindex, const char *ifname, int master, bool up, void *arg)
{
	struct slave_sweep *s = arg;
	const struct dpk_vrf *v;
	const char *dev;

	(void)up;
	if (s->gone != NULL) {
		dev = gone_device(s->gone, master);
	} else {
		v = vrf_of_device(s->k, master);
		dev = v != NULL && !bound_here(s->k, ifindex, v) ? v->ifname : NULL;
	}
	if (dev == NULL)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct stale_slave *n = realloc(s->v, cap * sizeof(*n));

		if (n == NULL) {
			s->oom = true;
			return;
		}
		s->v = n;
		s->cap = cap;
	}
	s->v[s->n].ifindex = ifindex;
	snprintf(s->v[s->n].name, DPK_IFNAMSIZ, "%s", ifname);
	snprintf(s->v[s->n].vrf, DPK_IFNAMSIZ, "%s", dev);
	s->n++;
}

/* The number of links released (and set down), or -1 when they could not be listed. */
static long sweep_slaves(struct dp_kernel *k, const struct dev_sweep *gone)
{
	struct slave_sweep s = { .k = k, .gone = gone };
	char what[96];
	long released = 0;
	int rc = k->io_ops->links(k->io, on_link, &s);

	if (rc < 0) {
		dpk_kernel_error(k, rc, "listing the links of the VRF devices to sweep");
		return -1;
	}
	for (size_t i = 0; i < s.n; i++) {
		snprintf(what, sizeof(what), "releasing %s, a previous run's slave of %s", s.v[i].name,
			 s.v[i].vrf);
		if ((rc = k->io_ops->release(k->io, s.v[i].ifindex)) < 0) {
			dpk_kernel_error(k, rc, what);
			continue;
		}
		log_info("kernel dataplane: released %s from %s: %s", s.v[i].name, s.v[i].vrf,
			 gone != NULL ? "its VRF is no longer configured"
				      : "bound there by a previous run, not by this run's file");
		released++;
	}
	free(s.v);
	if (s.oom) {
		k->errors++;
		log_warnx("kernel dataplane: sweep: out of memory, some stale links are left");
	}
	return released;
}

long dp_kernel_sweep(struct dp_kernel *k)
{
	static const int families[] = { AF_INET, AF_MPLS };
	struct sweep s = { .k = k };
	long deleted = 0;
	char what[160];
	int rc;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if ((rc = k->io_ops->dump(k->io, families[i], on_route, &s)) < 0) {
			snprintf(what, sizeof(what), "listing the %s routes to sweep",
				 families[i] == AF_INET ? "IPv4" : "MPLS");
			dpk_kernel_error(k, rc, what);
			deleted = -1;
		}
	}
	for (size_t i = 0; i < s.n; i++) {
		char dst[64] = "?";
		struct nl_addr *a = rtnl_route_get_dst(s.stale[i]);

		if (a != NULL)
			nl_addr2str(a, dst, sizeof(dst));
		snprintf(what, sizeof(what), "sweeping the previous run's %s route %s (table %u)",
			 rtnl_route_get_family(s.stale[i]) == AF_MPLS ? "MPLS" : "IPv4", dst,
			 rtnl_route_get_table(s.stale[i]));
		if ((rc = k->io_ops->route(k->io, false, s.stale[i])) < 0)
			dpk_kernel_error(k, rc, what);
		else if (deleted >= 0)
			deleted++;
		rtnl_route_put(s.stale[i]);
	}
	free(s.stale);
	if (s.oom) {
		k->errors++;
		log_warnx("kernel dataplane: sweep: out of memory, some stale routes are left");
	}
	if (deleted > 0)
		log_info("kernel dataplane: swept %ld %s left by a previous run", deleted,
			 deleted == 1 ? "route" : "routes");
	/* the routes first: a device's deletion would take those through it along */
	long devs = sweep_devices(k);
	long slaves = sweep_slaves(k, NULL);

	if (devs < 0 || slaves < 0)
		return -1;
	return deleted < 0 ? -1 : deleted + devs + slaves;
}
