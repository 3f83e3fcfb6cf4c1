/*
 * dp_kernel_route: the rtnl_route objects the kernel dataplane hands to
 * netlink, one builder per kind of entry. Pure: no socket, so the unit tests
 * check the very messages the kernel would get (attributes, table, label
 * stack, protocol). What the kernel cannot do for an entry is refused here
 * with the reason, which the caller logs.
 *
 * IPv4 (in the VRF's table, protocol DPK_RTPROT):
 *   CONNECTED  unicast, scope link, dev IF
 *   GATEWAY    unicast via GW dev IF
 *   LABELED    unicast encap mpls OUT/INNER via GW dev IF (OUT left out when
 *              implicit null; no encap at all when nothing is left to push)
 *   LOCAL      local, scope host, dev VRF-DEVICE
 *   DROP       blackhole
 * MPLS (the kernel's one label table):
 *   POP_LOOKUP   LABEL dev VRF-DEVICE (popped, then looked up in the VRF)
 *   POP_FORWARD  LABEL via inet GW dev IF (a connected or local next hop: as
 *                POP_LOOKUP, the VRF's connected route finds the host)
 *   SWAP         LABEL as OUT via inet GW dev IF (implicit null: popped, PHP)
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/addr.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "common/label.h"
#include "vrfmgr/dp_kernel_int.h"

#ifndef AF_MPLS
#define AF_MPLS 28
#endif

void dpk_label_stack(const uint32_t *labels, int n, uint8_t *out)
{
	for (int i = 0; i < n; i++) {
		uint32_t entry = htonl(labels[i] << 12 | (i == n - 1 ? 0x100u : 0));

		memcpy(out + 4 * i, &entry, 4);
	}
}

int dpk_push_labels(const struct ipc_nexthop *nh, uint32_t inner, uint32_t labels[2])
{
	int n = 0;

	if (nh->out_label != MPLS_LABEL_IMPLICIT_NULL && nh->out_label != MPLS_LABEL_NONE)
		labels[n++] = nh->out_label;
	if (inner != MPLS_LABEL_NONE)
		labels[n++] = inner;
	return n;
}

static struct nl_addr *ipv4_addr(uint32_t host_order, uint8_t plen)
{
	uint32_t be = htonl(host_order);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, 4);

	if (a != NULL)
		nl_addr_set_prefixlen(a, plen);
	return a;
}

static struct nl_addr *mpls_addr(const uint32_t *labels, int n)
{
	uint8_t buf[8];
	struct nl_addr *a;

	dpk_label_stack(labels, n, buf);
	a = nl_addr_build(AF_MPLS, buf, (size_t)(4 * n));
	if (a != NULL && n == 1)
		nl_addr_set_prefixlen(a, 20); /* the kernel wants rtm_dst_len 20 for a label */
	return a;
}

/* r owns what it is given: each setter takes its own reference. */
static int set_addr(struct rtnl_route *r, struct nl_addr *a, int (*set)(struct rtnl_route *,
								       struct nl_addr *))
{
	int rc = a != NULL ? set(r, a) : -1;

	nl_addr_put(a);
	return rc;
}

static int nh_set_gw(struct rtnl_nexthop *nh, uint32_t gw)
{
	struct nl_addr *a = ipv4_addr(gw, 32);

	if (a == NULL)
		return -1;
	rtnl_route_nh_set_gateway(nh, a);
	nl_addr_put(a);
	return 0;
}

static int nh_set_via(struct rtnl_nexthop *nh, uint32_t gw)
{
	struct nl_addr *a = ipv4_addr(gw, 32);
	int rc;

	if (a == NULL)
		return -1;
	rc = rtnl_route_nh_set_via(nh, a);
	nl_addr_put(a);
	return rc;
}

static int nh_push(struct rtnl_nexthop *nh, const uint32_t *labels, int n)
{
	struct nl_addr *a = mpls_addr(labels, n);
	int rc;

	if (a == NULL)
		return -1;
	rc = rtnl_route_nh_encap_mpls(nh, a, 0);
	nl_addr_put(a);
	return rc;
}

static int nh_newdst(struct rtnl_nexthop *nh, uint32_t label)
{
	struct nl_addr *a = mpls_addr(&label, 1);
	int rc;

	if (a == NULL)
		return -1;
	rc = rtnl_route_nh_set_newdst(nh, a);
	nl_addr_put(a);
	return rc;
}

static struct rtnl_route *route_new(int family, uint32_t table)
{
	struct rtnl_route *r = rtnl_route_alloc();

	if (r == NULL)
		return NULL;
	rtnl_route_set_family(r, (uint8_t)family);
	rtnl_route_set_table(r, table);
	rtnl_route_set_protocol(r, DPK_RTPROT);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	return r;
}

struct rtnl_route *dpk_route_fib_key(uint32_t table, uint32_t prefix, uint8_t plen)
{
	struct rtnl_route *r = route_new(AF_INET, table);

	if (r == NULL)
		return NULL;
	/* any type and scope: the key, and only a route of ferry's protocol, is deleted */
	rtnl_route_set_type(r, RTN_UNSPEC);
	rtnl_route_set_scope(r, RT_SCOPE_NOWHERE);
	if (set_addr(r, ipv4_addr(prefix, plen), rtnl_route_set_dst) < 0) {
		rtnl_route_put(r);
		return NULL;
	}
	return r;
}

struct rtnl_route *dpk_route_lfib_key(uint32_t label)
{
	struct rtnl_route *r = route_new(AF_MPLS, RT_TABLE_MAIN);

	if (r == NULL)
		return NULL;
	if (set_addr(r, mpls_addr(&label, 1), rtnl_route_set_dst) < 0) {
		rtnl_route_put(r);
		return NULL;
	}
	return r;
}

/* The one next hop of a FIB route; -1 with why when there is none to make. */
static int fib_nexthop(struct rtnl_route *r, const struct dpk_fib_in *in, char *why, size_t len)
{
	const struct ipc_nexthop *nh = in->nh;
	struct rtnl_nexthop *n;
	uint32_t labels[2];
	int n_labels, rc = 0;

	switch (nh->type) {
	case IPC_NH_DROP:
		rtnl_route_set_type(r, RTN_BLACKHOLE);
		return 0;
	case IPC_NH_LOCAL:
		rtnl_route_set_type(r, RTN_LOCAL);
		rtnl_route_set_scope(r, RT_SCOPE_HOST);
		if (in->vrf_ifindex <= 0) {
			snprintf(why, len, "the VRF has no device for a local route");
			return -1;
		}
		break;
	case IPC_NH_CONNECTED:
		rtnl_route_set_scope(r, RT_SCOPE_LINK);
		break;
	case IPC_NH_GATEWAY:
	case IPC_NH_LABELED:
		break;
	default:
		snprintf(why, len, "next hop %u has type %u, which the kernel dataplane does not know",
			 nh->nh_id, nh->type);
		return -1;
	}
	if (nh->type != IPC_NH_LOCAL && in->oif <= 0) {
		snprintf(why, len, "interface %.16s of next hop %u does not exist", nh->ifname,
			 nh->nh_id);
		return -1;
	}
	if ((n = rtnl_route_nh_alloc()) == NULL)
		return snprintf(why, len, "out of memory"), -1;
	rtnl_route_nh_set_ifindex(n, nh->type == IPC_NH_LOCAL ? in->vrf_ifindex : in->oif);
	if (nh->type == IPC_NH_GATEWAY || nh->type == IPC_NH_LABELED)
		rc = nh_set_gw(n, nh->gateway);
	if (rc == 0 && nh->type == IPC_NH_LABELED &&
	    (n_labels = dpk_push_labels(nh, in->inner_label, labels)) > 0)
		rc = nh_push(n, labels, n_labels);
	rtnl_route_add_nexthop(r, n); /* r owns n from here */
	if (rc < 0)
		snprintf(why, len, "cannot build next hop %u", nh->nh_id);
	return rc < 0 ? -1 : 0;
}

struct rtnl_route *dpk_route_fib(const struct dpk_fib_in *in, char *why, size_t len)
{
	struct rtnl_route *r = route_new(AF_INET, in->table);

	if (r == NULL) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	if (set_addr(r, ipv4_addr(in->prefix, in->plen), rtnl_route_set_dst) < 0) {
		snprintf(why, len, "out of memory");
		rtnl_route_put(r);
		return NULL;
	}
	if (fib_nexthop(r, in, why, len) < 0) {
		rtnl_route_put(r);
		return NULL;
	}
	return r;
}

/* An LFIB entry's next hop: to the VRF device, or via a neighbour with the label swapped or popped. */
static int lfib_nexthop(struct rtnl_nexthop *n, const struct dpk_lfib_in *in, char *why,
			size_t len)
{
	const struct ipc_lfib_entry *e = in->e;
	const struct ipc_nexthop *nh = in->nh;

	/*
	 * A per-CE label whose next hop is a connected link (the label of the
	 * link's own subnet) has no neighbour to send to: the kernel's MPLS cannot
	 * resolve the packet's destination on the link, its VRF's connected route can.
	 */
	bool via_vrf = e->action == IPC_LFIB_POP_LOOKUP ||
		       (e->action == IPC_LFIB_POP_FORWARD && nh != NULL &&
			(nh->type == IPC_NH_CONNECTED || nh->type == IPC_NH_LOCAL));

	if (via_vrf) {
		if (in->vrf_ifindex <= 0)
			return snprintf(why, len, "VRF %u has no device to look the packet up in",
					e->vrf_id), -1;
		rtnl_route_nh_set_ifindex(n, in->vrf_ifindex);
		return 0;
	}
	if (e->action != IPC_LFIB_POP_FORWARD && e->action != IPC_LFIB_SWAP)
		return snprintf(why, len, "action %u is not pop_lookup, pop_forward or swap",
				e->action), -1;
	if (nh == NULL)
		return snprintf(why, len, "next hop %u is unknown", e->nh_id), -1;
	if ((nh->type != IPC_NH_GATEWAY && nh->type != IPC_NH_LABELED) || nh->gateway == 0)
		return snprintf(why, len,
				"next hop %u has no gateway (the kernel's MPLS needs a neighbour "
				"address to send to on an Ethernet link)", nh->nh_id), -1;
	if (in->oif <= 0)
		return snprintf(why, len, "interface %.16s of next hop %u does not exist",
				nh->ifname, nh->nh_id), -1;
	rtnl_route_nh_set_ifindex(n, in->oif);
	if (nh_set_via(n, nh->gateway) < 0)
		return snprintf(why, len, "out of memory"), -1;
	if (e->action == IPC_LFIB_SWAP && e->out_label != MPLS_LABEL_IMPLICIT_NULL &&
	    e->out_label != MPLS_LABEL_NONE && nh_newdst(n, e->out_label) < 0)
		return snprintf(why, len, "out of memory"), -1;
	return 0;
}

struct rtnl_route *dpk_route_lfib(const struct dpk_lfib_in *in, char *why, size_t len)
{
	struct rtnl_route *r = dpk_route_lfib_key(in->e->in_label);
	struct rtnl_nexthop *n;
	int rc;

	if (r != NULL)
		rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	if (r == NULL || (n = rtnl_route_nh_alloc()) == NULL) {
		snprintf(why, len, "out of memory");
		rtnl_route_put(r);
		return NULL;
	}
	rc = lfib_nexthop(n, in, why, len);
	rtnl_route_add_nexthop(r, n);
	if (rc < 0) {
		rtnl_route_put(r);
		return NULL;
	}
	return r;
}
