/*
 * dp_kernel_claim: before a VRF's device is made, its table must be its own.
 * The kernel lets two VRF devices share one table (net.vrf.strict_mode is off
 * by default), and a link enslaved to either then sees the routes of both: one
 * customer's traffic in another's VRF. Two ways that happens:
 *   - a VRF device of the host's (no ferry alias) already bound to the table:
 *     the VRF is refused (no device, so no link of its is bound), logged;
 *   - a device ferry made in a previous run for another VRF that held this id
 *     (ids are reused: a VRF removed while vrfmgr was down frees its id), with
 *     that customer's links still enslaved and its routes via the core still
 *     in the table until the sweep: that device is deleted and the table's
 *     protocol-240 routes with it, before the new VRF takes the table.
 * A device of ferry's with this VRF's name and another table (the VRF had
 * another id then) is deleted too, so that it is made again on its own table.
 * A stale device's table is flushed whichever it is: had a VRF of this run
 * taken that table, its own claim would have deleted the device already.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/errno.h>
#include <netlink/route/route.h>

#include "common/log.h"
#include "vrfmgr/dp_kernel_int.h"

struct claim {
	const struct dpk_vrf *v;
	struct claim_dev {
		int ifindex;
		char name[DPK_IFNAMSIZ];
		uint32_t table;
	} stale[8];
	size_t n_stale;
	bool overflow;
	char host[DPK_IFNAMSIZ]; /* a host VRF device on the table: refused */
};

static void on_dev(int ifindex, const char *ifname, uint32_t table, bool ferrys, void *arg)
{
	struct claim *c = arg;
	bool same_name = strcmp(ifname, c->v->ifname) == 0;

	if (same_name == (table == c->v->table))
		return; /* another table under another name, or this VRF's own device */
	if (!ferrys) {
		if (!same_name && c->host[0] == '\0') /* same name: vrf_dev_add refuses it */
			snprintf(c->host, sizeof(c->host), "%s", ifname);
		return;
	}
	if (c->n_stale == sizeof(c->stale) / sizeof(c->stale[0])) {
		c->overflow = true;
		return;
	}
	c->stale[c->n_stale].ifindex = ifindex;
	c->stale[c->n_stale].table = table;
	snprintf(c->stale[c->n_stale].name, DPK_IFNAMSIZ, "%s", ifname);
	c->n_stale++;
}

struct flush {
	uint32_t table;
	struct rtnl_route **v;
	size_t n, cap;
};

static void on_route(struct rtnl_route *r, void *arg)
{
	struct flush *f = arg;
	struct rtnl_route **v;

	if (rtnl_route_get_protocol(r) != DPK_RTPROT || rtnl_route_get_table(r) != f->table)
		return;
	if (f->n == f->cap) {
		if ((v = realloc(f->v, (f->cap ? f->cap * 2 : 16) * sizeof(*v))) == NULL)
			return; /* left to the sweep */
		f->v = v;
		f->cap = f->cap ? f->cap * 2 : 16;
	}
	nl_object_get((struct nl_object *)r);
	f->v[f->n++] = r;
}

/* Protocol-240 routes in table: another VRF's, deleted. */
static void flush_table(struct dp_kernel *k, uint32_t table)
{
	struct flush f = { .table = table };
	char what[96];
	int rc;

	snprintf(what, sizeof(what), "listing table %u's routes of a previous run's VRF", table);
	if ((rc = k->io_ops->dump(k->io, AF_INET, on_route, &f)) < 0)
		dpk_kernel_error(k, rc, what);
	for (size_t i = 0; i < f.n; i++) {
		snprintf(what, sizeof(what), "deleting a previous run's route in table %u", table);
		if ((rc = k->io_ops->route(k->io, false, f.v[i])) < 0 && rc != -NLE_OBJ_NOTFOUND)
			dpk_kernel_error(k, rc, what);
		rtnl_route_put(f.v[i]);
	}
	free(f.v);
}

int dpk_table_claim(struct dp_kernel *k, const struct dpk_vrf *v, char *why, size_t len)
{
	struct claim c = { .v = v };
	char what[160];
	int rc = k->io_ops->vrf_devs(k->io, on_dev, &c);

	if (rc < 0) {
		snprintf(why, len, "cannot list the VRF devices to check table %u is free: %s",
			 v->table, k->io_ops->strerror(rc));
		return -1;
	}
	if (c.host[0] != '\0') {
		snprintf(why, len,
			 "table %u is already the table of VRF device %s, which is not ferry's "
			 "(a link of either would see the other's routes; keep the host's tables "
			 "out of %u..%u)",
			 v->table, c.host, DPK_TABLE_BASE + 1, DPK_TABLE_BASE + CFG_VRFS_MAX);
		return -1;
	}
	if (c.overflow) {
		snprintf(why, len, "too many previous VRF devices on table %u", v->table);
		return -1;
	}
	for (size_t i = 0; i < c.n_stale; i++) {
		snprintf(what, sizeof(what), "deleting %s, a previous run's VRF device on table %u",
			 c.stale[i].name, c.stale[i].table);
		if ((rc = k->io_ops->link_del(k->io, c.stale[i].ifindex)) < 0) {
			dpk_kernel_error(k, rc, what);
			snprintf(why, len, "%s is still on table %u", c.stale[i].name,
				 c.stale[i].table);
			return -1;
		}
		log_info("kernel dataplane: deleted %s, a previous run's VRF device on table %u, "
			 "before VRF %s takes table %u",
			 c.stale[i].name, c.stale[i].table, v->name, v->table);
		flush_table(k, c.stale[i].table); /* no VRF of this run has that table yet */
	}
	return 0;
}
