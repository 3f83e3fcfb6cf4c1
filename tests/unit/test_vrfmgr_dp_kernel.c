/*
 * vrfmgr/dp_kernel*.c without a kernel: the rtnetlink messages built for
 * each kind of FIB and LFIB entry (table, protocol, type, scope, label
 * stacks, gateways), the VRF device names and table ids, the ops over a
 * recording io (what reaches the kernel for each core call, re-programming
 * when a next hop or a bind changes, errors counted and not lost), the
 * sweep after a restart (only ferry's stale routes go), the sysctls over a
 * directory standing for /proc/sys, and the bookkeeping map.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/lwtunnel.h>
#include <linux/mpls_iptunnel.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/route.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/dp_kernel_int.h"

#ifndef AF_MPLS
#define AF_MPLS 28
#endif

/* ---- a built route, as the kernel would read it ---- */
struct parsed {
	struct rtmsg rtm;
	struct nlattr *tb[RTA_MAX + 1];
	struct nl_msg *msg;
};

static void parse(struct rtnl_route *r, struct parsed *p)
{
	struct nlmsghdr *h;

	cr_assert_not_null(r);
	memset(p, 0, sizeof(*p));
	cr_assert_eq(rtnl_route_build_add_request(r, NLM_F_CREATE | NLM_F_REPLACE, &p->msg), 0);
	h = nlmsg_hdr(p->msg);
	memcpy(&p->rtm, nlmsg_data(h), sizeof(p->rtm));
	cr_assert_eq(nlmsg_parse(h, sizeof(struct rtmsg), p->tb, RTA_MAX, NULL), 0);
	rtnl_route_put(r);
}

static void parsed_free(struct parsed *p)
{
	nlmsg_free(p->msg);
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

static uint32_t attr_be32(struct nlattr *a)
{
	uint32_t v;

	cr_assert_not_null(a);
	cr_assert_eq(nla_len(a), 4);
	memcpy(&v, nla_data(a), 4);
	return ntohl(v);
}

/* The labels in a label stack attribute; asserts the bottom-of-stack bit is on the last only. */
static int labels_of(struct nlattr *a, uint32_t *out)
{
	int n;

	cr_assert_not_null(a);
	n = nla_len(a) / 4;
	for (int i = 0; i < n; i++) {
		uint32_t e;

		memcpy(&e, (char *)nla_data(a) + 4 * i, 4);
		e = ntohl(e);
		cr_assert_eq((e >> 8) & 1, i == n - 1, "bottom of stack bit on entry %d", i);
		cr_assert_eq(e & 0xff, 0, "TTL and TC clear");
		out[i] = e >> 12;
	}
	return n;
}

static struct ipc_nexthop nexthop(uint32_t id, uint32_t type, const char *gw, uint32_t label,
				  const char *ifname)
{
	struct ipc_nexthop nh = { .nh_id = id, .type = type, .out_label = label };

	nh.gateway = gw != NULL ? ip(gw) : 0;
	snprintf(nh.ifname, sizeof(nh.ifname), "%s", ifname);
	return nh;
}

static struct rtnl_route *fib(const struct ipc_nexthop *nh, uint32_t inner, int oif)
{
	struct dpk_fib_in in = { .table = dpk_vrf_table(1), .prefix = ip("192.168.1.0"),
				 .plen = 24, .inner_label = inner, .nh = nh, .oif = oif,
				 .vrf_ifindex = 50 };
	char why[160] = "";
	struct rtnl_route *r = dpk_route_fib(&in, why, sizeof(why));

	cr_assert_not_null(r, "refused: %s", why);
	return r;
}

Test(dp_kernel_names, vrf_device_name_and_table)
{
	char name[DPK_IFNAMSIZ], err[256];

	cr_assert_eq(dpk_vrf_ifname("A", name, err, sizeof(err)), 0);
	cr_assert_str_eq(name, "vrf-A");
	cr_assert_eq(dpk_vrf_ifname("cust-123456", name, err, sizeof(err)), 0);
	cr_assert_str_eq(name, "vrf-cust-123456"); /* 15 characters: the most Linux takes */
	cr_assert_eq(dpk_vrf_ifname("cust-1234567", name, err, sizeof(err)), -1);
	cr_assert(strstr(err, "\"vrf-cust-1234567\" would have 16 characters") != NULL, "%s", err);
	cr_assert(strstr(err, "want a VRF name of 1..11 characters") != NULL, "%s", err);
	cr_assert_eq(dpk_vrf_table(1), 10001);
	cr_assert_eq(dpk_vrf_table(65535), 75535);
}

Test(dp_kernel_route, label_stack_bytes)
{
	static const uint8_t want[8] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x81, 0x00 };
	uint32_t labels[2] = { 16, 200 };
	uint8_t got[8];

	dpk_label_stack(labels, 2, got);
	cr_assert_arr_eq(got, want, 8);
}

Test(dp_kernel_route, gateway_route_in_the_vrf_table)
{
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct parsed p;

	parse(fib(&nh, MPLS_LABEL_NONE, 4), &p);
	cr_assert_eq(p.rtm.rtm_family, AF_INET);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(p.rtm.rtm_type, RTN_UNICAST);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_UNIVERSE);
	cr_assert_eq(p.rtm.rtm_dst_len, 24);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10001);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.1.0"));
	cr_assert_eq(attr_be32(p.tb[RTA_GATEWAY]), ip("10.1.1.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 4);
	cr_assert_null(p.tb[RTA_ENCAP], "an unlabeled next hop pushes nothing");
	parsed_free(&p);
}

/* encap mpls: the labels pushed, outer first */
static int encap_labels(struct parsed *p, uint32_t *labels)
{
	struct nlattr *t[MPLS_IPTUNNEL_MAX + 1];

	cr_assert_not_null(p->tb[RTA_ENCAP_TYPE]);
	cr_assert_eq(nla_get_u16(p->tb[RTA_ENCAP_TYPE]), LWTUNNEL_ENCAP_MPLS);
	cr_assert_eq(nla_parse_nested(t, MPLS_IPTUNNEL_MAX, p->tb[RTA_ENCAP], NULL), 0);
	return labels_of(t[MPLS_IPTUNNEL_DST], labels);
}

Test(dp_kernel_route, labeled_pushes_transport_and_vpn_labels)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	uint32_t labels[4];
	struct parsed p;

	parse(fib(&nh, 200, 3), &p);
	cr_assert_eq(encap_labels(&p, labels), 2);
	cr_assert_eq(labels[0], 16);
	cr_assert_eq(labels[1], 200);
	cr_assert_eq(attr_be32(p.tb[RTA_GATEWAY]), ip("10.0.1.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 3);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10001);
	parsed_free(&p);
}

Test(dp_kernel_route, labeled_implicit_null_pushes_only_the_vpn_label)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", MPLS_LABEL_IMPLICIT_NULL,
					"core0");
	uint32_t labels[4];
	struct parsed p;

	parse(fib(&nh, 200, 3), &p);
	cr_assert_eq(encap_labels(&p, labels), 1);
	cr_assert_eq(labels[0], 200);
	parsed_free(&p);
	/* nothing left to push: a plain route via the gateway */
	parse(fib(&nh, MPLS_LABEL_NONE, 3), &p);
	cr_assert_null(p.tb[RTA_ENCAP]);
	cr_assert_eq(attr_be32(p.tb[RTA_GATEWAY]), ip("10.0.1.2"));
	parsed_free(&p);
}

Test(dp_kernel_route, explicit_null_is_pushed)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2",
					MPLS_LABEL_IPV4_EXPLICIT_NULL, "core0");
	uint32_t labels[4];
	struct parsed p;

	parse(fib(&nh, 300, 3), &p);
	cr_assert_eq(encap_labels(&p, labels), 2);
	cr_assert_eq(labels[0], 0);
	cr_assert_eq(labels[1], 300);
	parsed_free(&p);
}

Test(dp_kernel_route, connected_local_and_drop)
{
	struct ipc_nexthop conn = nexthop(1, IPC_NH_CONNECTED, NULL, MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop local = nexthop(2, IPC_NH_LOCAL, NULL, MPLS_LABEL_NONE, "");
	struct ipc_nexthop drop = nexthop(3, IPC_NH_DROP, NULL, MPLS_LABEL_NONE, "");
	struct parsed p;

	parse(fib(&conn, MPLS_LABEL_NONE, 4), &p);
	cr_assert_eq(p.rtm.rtm_type, RTN_UNICAST);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_LINK);
	cr_assert_null(p.tb[RTA_GATEWAY]);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 4);
	parsed_free(&p);

	parse(fib(&local, MPLS_LABEL_NONE, 0), &p);
	cr_assert_eq(p.rtm.rtm_type, RTN_LOCAL);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_HOST);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 50, "a local route is on the VRF device");
	parsed_free(&p);

	parse(fib(&drop, MPLS_LABEL_NONE, 0), &p);
	cr_assert_eq(p.rtm.rtm_type, RTN_BLACKHOLE);
	cr_assert_null(p.tb[RTA_OIF]);
	cr_assert_null(p.tb[RTA_GATEWAY]);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	parsed_free(&p);
}

Test(dp_kernel_route, refused_with_a_reason)
{
	struct ipc_nexthop gw = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-gone");
	struct ipc_nexthop odd = nexthop(9, 42, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct dpk_fib_in in = { .table = 10001, .prefix = ip("10.9.0.0"), .plen = 16, .nh = &gw,
				 .inner_label = MPLS_LABEL_NONE, .oif = -NLE_OBJ_NOTFOUND };
	char why[160];

	cr_assert_null(dpk_route_fib(&in, why, sizeof(why)));
	cr_assert_str_eq(why, "interface ce-gone of next hop 7 does not exist");
	in.nh = &odd;
	in.oif = 4;
	cr_assert_null(dpk_route_fib(&in, why, sizeof(why)));
	cr_assert(strstr(why, "type 42") != NULL, "%s", why);
}

Test(dp_kernel_route, delete_key_matches_only_ferry_routes)
{
	struct parsed p;

	parse(dpk_route_fib_key(10002, ip("10.2.0.0"), 16), &p);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(p.rtm.rtm_type, RTN_UNSPEC);
	cr_assert_eq(p.rtm.rtm_scope, RT_SCOPE_NOWHERE);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10002);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("10.2.0.0"));
	cr_assert_eq(p.rtm.rtm_dst_len, 16);
	cr_assert_null(p.tb[RTA_OIF]);
	parsed_free(&p);
}

static struct rtnl_route *lfib(const struct ipc_lfib_entry *e, const struct ipc_nexthop *nh,
			       int oif, char *why)
{
	struct dpk_lfib_in in = { .e = e, .nh = nh, .oif = oif, .vrf_ifindex = 50 };

	return dpk_route_lfib(&in, why, 160);
}

static void assert_mpls_key(struct parsed *p, uint32_t label)
{
	uint32_t l[4];

	cr_assert_eq(p->rtm.rtm_family, AF_MPLS);
	cr_assert_eq(p->rtm.rtm_dst_len, 20);
	cr_assert_eq(p->rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(p->rtm.rtm_table, RT_TABLE_MAIN);
	cr_assert_eq(labels_of(p->tb[RTA_DST], l), 1);
	cr_assert_eq(l[0], label);
}

Test(dp_kernel_route, lfib_pop_lookup_goes_to_the_vrf_device)
{
	struct ipc_lfib_entry e = { .in_label = 1000, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	char why[160];
	struct parsed p;

	parse(lfib(&e, NULL, 0, why), &p);
	assert_mpls_key(&p, 1000);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 50);
	cr_assert_null(p.tb[RTA_VIA]);
	cr_assert_null(p.tb[RTA_NEWDST]);
	parsed_free(&p);
}

static uint32_t via_of(struct parsed *p)
{
	struct nlattr *a = p->tb[RTA_VIA];
	uint16_t family;
	uint32_t v;

	cr_assert_not_null(a);
	cr_assert_eq(nla_len(a), 2 + 4);
	memcpy(&family, nla_data(a), 2);
	cr_assert_eq(family, AF_INET);
	memcpy(&v, (char *)nla_data(a) + 2, 4);
	return ntohl(v);
}

Test(dp_kernel_route, lfib_swap_and_php)
{
	struct ipc_nexthop nh = nexthop(4, IPC_NH_GATEWAY, "10.0.2.2", MPLS_LABEL_NONE, "core1");
	struct ipc_lfib_entry e = { .in_label = 1001, .action = IPC_LFIB_SWAP, .nh_id = 4,
				    .out_label = 17 };
	uint32_t l[4];
	char why[160];
	struct parsed p;

	parse(lfib(&e, &nh, 6, why), &p);
	assert_mpls_key(&p, 1001);
	cr_assert_eq(labels_of(p.tb[RTA_NEWDST], l), 1);
	cr_assert_eq(l[0], 17);
	cr_assert_eq(via_of(&p), ip("10.0.2.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 6);
	parsed_free(&p);

	e.out_label = MPLS_LABEL_IMPLICIT_NULL; /* penultimate hop: popped */
	parse(lfib(&e, &nh, 6, why), &p);
	cr_assert_null(p.tb[RTA_NEWDST]);
	cr_assert_eq(via_of(&p), ip("10.0.2.2"));
	parsed_free(&p);
}

Test(dp_kernel_route, lfib_pop_forward_to_a_ce)
{
	struct ipc_nexthop ce = nexthop(5, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop conn = nexthop(6, IPC_NH_CONNECTED, NULL, MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop drop = nexthop(6, IPC_NH_DROP, NULL, MPLS_LABEL_NONE, "");
	struct ipc_lfib_entry e = { .in_label = 1002, .action = IPC_LFIB_POP_FORWARD, .nh_id = 5,
				    .vrf_id = 1 };
	char why[160];
	struct parsed p;

	parse(lfib(&e, &ce, 4, why), &p);
	assert_mpls_key(&p, 1002);
	cr_assert_null(p.tb[RTA_NEWDST]);
	cr_assert_eq(via_of(&p), ip("10.1.1.2"));
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 4);
	parsed_free(&p);

	/* the label of a connected link: popped into the VRF, whose connected route finds the host */
	e.nh_id = 6;
	parse(lfib(&e, &conn, 4, why), &p);
	assert_mpls_key(&p, 1002);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 50);
	cr_assert_null(p.tb[RTA_VIA]);
	parsed_free(&p);
	/* a drop next hop has nowhere to send to */
	drop.nh_id = 6;
	cr_assert_null(lfib(&e, &drop, 4, why));
	cr_assert(strstr(why, "has no gateway") != NULL, "%s", why);
	e.action = 9;
	cr_assert_null(lfib(&e, &ce, 4, why));
	cr_assert(strstr(why, "action 9") != NULL, "%s", why);
}

/* ---- the ops over a recording io ---- */
#define MAX_CALLS 64

static struct call {
	char op[16];
	bool add;
	int ifindex, master;
	uint32_t table;
	char name[DPK_IFNAMSIZ];
	struct rtnl_route *route;
} calls[MAX_CALLS];
static int n_calls;
static int fail_routes; /* the io refuses route adds while set */
static int ifindex_shift; /* the links were made again: new ifindexes */
static bool late_present; /* "ce-late" exists (ifindex 20) */
static struct rtnl_route *dumped[8];
static int n_dumped;

static struct call *record(const char *op)
{
	cr_assert_lt(n_calls, MAX_CALLS);
	memset(&calls[n_calls], 0, sizeof(calls[n_calls]));
	snprintf(calls[n_calls].op, sizeof(calls[n_calls].op), "%s", op);
	return &calls[n_calls++];
}

/* The interfaces this io knows: ifindex = position + 2. */
static const char *const ifnames[] = { "ce-a1", "core0", "ce-b1", NULL };

static int rec_ifindex(void *io, const char *ifname)
{
	(void)io;
	if (strcmp(ifname, "ce-late") == 0)
		return late_present ? 20 : -NLE_OBJ_NOTFOUND;
	for (int i = 0; ifnames[i]; i++)
		if (strcmp(ifnames[i], ifname) == 0)
			return i + 2 + ifindex_shift;
	return -NLE_OBJ_NOTFOUND;
}

static int rec_vrf_dev_add(void *io, const char *ifname, uint32_t table, char *why, size_t len)
{
	struct call *c = record("vrf_dev_add");

	(void)io, (void)why, (void)len;
	snprintf(c->name, sizeof(c->name), "%s", ifname);
	c->table = table;
	return 100 + (int)(table - DPK_TABLE_BASE);
}

static int rec_link_del(void *io, int ifindex)
{
	(void)io;
	record("link_del")->ifindex = ifindex;
	return 0;
}

static int fail_enslave_to; /* the io refuses enslaving to this master while set */

/*
 * The master of each of ifnames[] (0: none) and whether it is up, as the
 * kernel would have them after the calls: up at the start (an operator
 * brought the links up by hand).
 */
static int link_master[3];
static bool link_up[3];

static int slot_of(int ifindex)
{
	for (int i = 0; ifnames[i]; i++)
		if (ifindex == i + 2 + ifindex_shift)
			return i;
	return -1;
}

static int rec_enslave(void *io, int ifindex, int master)
{
	struct call *c = record("enslave");
	int i = slot_of(ifindex);

	(void)io;
	c->ifindex = ifindex;
	c->master = master;
	if (fail_enslave_to != 0 && master == fail_enslave_to)
		return -NLE_BUSY;
	if (i >= 0) { /* as nl_enslave asks: that master, up */
		link_master[i] = master;
		link_up[i] = true;
	}
	return 0;
}

static int rec_release(void *io, int ifindex)
{
	int i = slot_of(ifindex);

	(void)io;
	record("release")->ifindex = ifindex;
	if (i >= 0) { /* as nl_release asks: no master, down */
		link_master[i] = 0;
		link_up[i] = false;
	}
	return 0;
}

static int rec_addr(void *io, bool add, int ifindex, uint32_t address, uint8_t plen)
{
	struct call *c = record("addr");

	(void)io;
	c->add = add;
	c->ifindex = ifindex;
	c->table = address; /* reused: the address */
	c->master = plen;
	return 0;
}

static int rec_route(void *io, bool add, struct rtnl_route *r)
{
	struct call *c = record("route");

	(void)io;
	c->add = add;
	nl_object_get((struct nl_object *)r);
	c->route = r;
	return add && fail_routes ? -NLE_INVAL : 0;
}

static int rec_dump(void *io, int family, void (*cb)(struct rtnl_route *, void *), void *arg)
{
	(void)io;
	for (int i = 0; i < n_dumped; i++)
		if (rtnl_route_get_family(dumped[i]) == family)
			cb(dumped[i], arg);
	return 0;
}

/* The VRF devices the io lists: ifindex, name, table, ferry's alias. */
static struct dev {
	int ifindex;
	const char *name;
	uint32_t table;
	bool ferrys;
} devs[6];
static int n_devs;

static int rec_vrf_devs(void *io, void (*cb)(int, const char *, uint32_t, bool, void *),
			void *arg)
{
	(void)io;
	for (int i = 0; i < n_devs; i++)
		cb(devs[i].ifindex, devs[i].name, devs[i].table, devs[i].ferrys, arg);
	return 0;
}

static const char *rec_strerror(int err)
{
	return nl_geterror(err);
}

/* Every link, as the kernel would list it: ifnames[] (ifindex position + 2 + shift). */
static int rec_links(void *io, void (*cb)(int, const char *, int, bool, void *), void *arg)
{
	(void)io;
	for (int i = 0; ifnames[i]; i++)
		cb(i + 2 + ifindex_shift, ifnames[i], link_master[i], link_up[i], arg);
	cb(40, "eth9", 103, true, arg); /* in another VRF device (vrf-mgmt's, say) */
	return 0;
}

static const struct dpk_io_ops rec_ops = {
	.ifindex = rec_ifindex,
	.vrf_dev_add = rec_vrf_dev_add,
	.link_del = rec_link_del,
	.enslave = rec_enslave,
	.release = rec_release,
	.addr = rec_addr,
	.route = rec_route,
	.dump = rec_dump,
	.vrf_devs = rec_vrf_devs,
	.strerror = rec_strerror,
	.links = rec_links,
};
static struct dp_kernel *k;

static void setup(void)
{
	log_init("test", LOG_LVL_ERR);
	n_calls = 0;
	fail_routes = 0;
	ifindex_shift = 0;
	late_present = false;
	n_dumped = 0;
	n_devs = 0;
	fail_enslave_to = 0;
	memset(link_master, 0, sizeof(link_master));
	for (int i = 0; i < 3; i++)
		link_up[i] = true;
	k = dp_kernel_new(&rec_ops, NULL);
	cr_assert_not_null(k);
}

static void teardown(void)
{
	for (int i = 0; i < n_calls; i++)
		if (calls[i].route != NULL)
			rtnl_route_put(calls[i].route);
	for (int i = 0; i < n_dumped; i++)
		rtnl_route_put(dumped[i]);
	dp_kernel_free(k);
}

static struct parsed last_route(bool add)
{
	struct parsed p;

	cr_assert_gt(n_calls, 0);
	cr_assert_str_eq(calls[n_calls - 1].op, "route");
	cr_assert_eq(calls[n_calls - 1].add, add);
	nl_object_get((struct nl_object *)calls[n_calls - 1].route);
	parse(calls[n_calls - 1].route, &p);
	return p;
}

static void vrf_a(void)
{
	struct ipc_vrf v = { .vrf_id = 1, .name = "A" };

	dp_kernel_ops.vrf_add(k, &v);
}

Test(dp_kernel_ops, vrf_becomes_a_device_with_its_table, .init = setup, .fini = teardown)
{
	struct ipc_vrf v = { .vrf_id = 3, .name = "cust-1234567" };

	vrf_a();
	cr_assert_eq(n_calls, 1);
	cr_assert_str_eq(calls[0].op, "vrf_dev_add");
	cr_assert_str_eq(calls[0].name, "vrf-A");
	cr_assert_eq(calls[0].table, 10001);
	/* a name that cannot be a device: refused, counted, nothing asked of the kernel */
	dp_kernel_ops.vrf_add(k, &v);
	cr_assert_eq(n_calls, 1);
	cr_assert_eq(dp_kernel_errors(k), 1);
	v = (struct ipc_vrf){ .vrf_id = 1, .name = "A" };
	dp_kernel_ops.vrf_del(k, &v);
	cr_assert_str_eq(calls[1].op, "link_del");
	cr_assert_eq(calls[1].ifindex, 101);
}

Test(dp_kernel_ops, bind_enslaves_adds_the_address_and_reprograms, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct parsed p;

	vrf_a();
	/* vrfmgr sends a link's next hops (and routes) before its bind */
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.fib_add(k, &e);
	cr_assert_str_eq(calls[1].op, "route");
	link_up[0] = false; /* ce-a1 made, not brought up: the bind does it */
	dp_kernel_ops.if_bind(k, &b);
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 in vrf-A and up");
	cr_assert_str_eq(calls[2].op, "enslave");
	cr_assert_eq(calls[2].ifindex, 2);
	cr_assert_eq(calls[2].master, 101);
	cr_assert_str_eq(calls[3].op, "addr");
	cr_assert(calls[3].add);
	cr_assert_eq(calls[3].table, ip("10.1.1.1"));
	cr_assert_eq(calls[3].master, 30);
	/* enslaving took the link down and up: its routes are programmed again */
	cr_assert_eq(n_calls, 5);
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.100.0"));
	parsed_free(&p);

	/* unbound: out of vrf-A without its address, and down (its CE reaches no table) */
	dp_kernel_ops.if_unbind(k, &b);
	cr_assert_str_eq(calls[5].op, "addr");
	cr_assert(!calls[5].add);
	cr_assert_str_eq(calls[6].op, "release");
	cr_assert_eq(calls[6].ifindex, 2);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	cr_assert_eq(dp_kernel_errors(k), 0);
	/* bound again: up again */
	dp_kernel_ops.if_bind(k, &b);
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 in vrf-A and up again");
}

/* The calls from index from on, as "op:ifindex/master" words, for a readable assert. */
static void calls_from(int from, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (int i = from; i < n_calls && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s%s:%d/%d", at ? " " : "", calls[i].op,
				       calls[i].ifindex, calls[i].master);
}

Test(dp_kernel_ops, a_removed_vrf_leaves_its_links_down, .init = setup, .fini = teardown)
{
	struct ipc_if_bind a1 = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				  .ifname = "ce-a1" };
	struct ipc_if_bind b1 = { .vrf_id = 2, .address = ip("10.2.1.1"), .plen = 30,
				  .ifname = "ce-b1" };
	struct ipc_vrf va = { .vrf_id = 1, .name = "A" }, vb = { .vrf_id = 2, .name = "B" };
	char got[256];
	int before;

	dp_kernel_ops.vrf_add(k, &va); /* vrf-A, 101 */
	dp_kernel_ops.vrf_add(k, &vb); /* vrf-B, 102 */
	dp_kernel_ops.if_bind(k, &a1);
	dp_kernel_ops.if_bind(k, &b1);
	/* a reload removes A the core's way: its links unbound, then the VRF */
	before = n_calls;
	dp_kernel_ops.if_unbind(k, &a1);
	dp_kernel_ops.vrf_del(k, &va);
	calls_from(before, got, sizeof(got));
	cr_assert_str_eq(got, "addr:2/30 release:2/0 link_del:101/0", "%s", got);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	/* B removed with ce-b1 still bound (a link moving to a kept VRF, bound there next):
	 * released down before its device goes, which the kernel would release up */
	before = n_calls;
	dp_kernel_ops.vrf_del(k, &vb);
	calls_from(before, got, sizeof(got));
	cr_assert_str_eq(got, "release:4/0 link_del:102/0", "%s", got);
	cr_assert(!link_up[2] && link_master[2] == 0, "ce-b1 out of vrf-B and down");
	cr_assert(link_up[1], "core0 untouched");
	cr_assert_eq(dp_kernel_errors(k), 0);
}

static int count_ops(const char *op, int from)
{
	int n = 0;

	for (int i = from; i < n_calls; i++)
		n += strcmp(calls[i].op, op) == 0;
	return n;
}

static FILE *captured;

static void start_capture(void)
{
	cr_assert_not_null(captured = tmpfile());
	fflush(stderr);
	cr_assert_geq(dup2(fileno(captured), 2), 0);
	log_set_level(LOG_LVL_WARN);
}

static char *logged(void)
{
	static char buf[4096];
	size_t n;

	fflush(stderr);
	rewind(captured);
	n = fread(buf, 1, sizeof(buf) - 1, captured);
	buf[n] = '\0';
	return buf;
}

Test(dp_kernel_ops, a_link_that_comes_back_gets_its_routes_again, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop core = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct ipc_fib_entry remote = { .vrf_id = 1, .prefix = ip("192.168.101.0"), .plen = 24,
					.nh_id = 8, .inner_label = 200 };
	struct parsed p;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.nh_add(k, &core);
	dp_kernel_ops.if_bind(k, &b);
	dp_kernel_ops.fib_add(k, &e);
	dp_kernel_ops.fib_add(k, &remote);
	dp_kernel_link_event(k, 2, "ce-a1", true); /* first seen: programmed again, harmless */
	before = n_calls;
	dp_kernel_link_event(k, 2, "ce-a1", true); /* still up: nothing */
	cr_assert_eq(n_calls, before);
	dp_kernel_link_event(k, 2, "ce-a1", false); /* down: the kernel dropped the route */
	cr_assert_eq(n_calls, before);
	dp_kernel_link_event(k, 2, "ce-a1", true); /* up again: only the route through ce-a1 */
	cr_assert_eq(n_calls, before + 1);
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.100.0"));
	parsed_free(&p);
	/* deleted and made again: a new ifindex, bound and addressed again, then its route */
	ifindex_shift = 10;
	before = n_calls;
	dp_kernel_link_event(k, 12, "ce-a1", true);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(count_ops("addr", before), 1);
	cr_assert_eq(count_ops("route", before), 1);
	cr_assert_eq(calls[before].ifindex, 12);
	cr_assert_eq(calls[before].master, 101);
	p = last_route(true);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 12);
	parsed_free(&p);
	/* a link nothing goes through: nothing, and nothing said of its flaps */
	before = n_calls;
	start_capture();
	log_set_level(LOG_LVL_INFO);
	dp_kernel_link_event(k, 30, "eth9", true);
	dp_kernel_link_event(k, 30, "eth9", false);
	dp_kernel_link_event(k, 30, "eth9", true);
	cr_assert_eq(n_calls, before);
	cr_assert(strstr(logged(), "eth9") == NULL, "%s", logged());
	dp_kernel_link_event(k, 12, "ce-a1", false);
	dp_kernel_link_event(k, 12, "ce-a1", true); /* ...but of one routes go through */
	cr_assert(strstr(logged(), "ce-a1 is up again: its routes are programmed again") != NULL,
		  "%s", logged());
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, lost_link_events_are_made_up_by_listing_the_links, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct parsed p;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.if_bind(k, &b);
	dp_kernel_ops.fib_add(k, &e);
	dp_kernel_link_event(k, 2, "ce-a1", true);
	/* ce-a1 went down and up while the watch socket overran: both events lost */
	before = n_calls;
	cr_assert_eq(dp_kernel_resync(k), 0);
	cr_assert_eq(count_ops("route", before), 1, "the route through ce-a1 again");
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.100.0"));
	parsed_free(&p);
	/* and the events that follow are read as before: still up, nothing */
	before = n_calls;
	dp_kernel_link_event(k, 2, "ce-a1", true);
	cr_assert_eq(n_calls, before);
	/* ce-a1 deleted and made again unseen: bound again */
	ifindex_shift = 10;
	before = n_calls;
	cr_assert_eq(dp_kernel_resync(k), 0);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(calls[before].ifindex, 12);
	cr_assert_eq(calls[before].master, 101);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, a_deleted_link_is_forgotten, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	int before;

	vrf_a();
	dp_kernel_ops.if_bind(k, &b);
	dp_kernel_link_event(k, 2, "ce-a1", true);
	/* a host's links come and go (containers' veths): none of them is kept */
	for (int i = 1000; i < 1100; i++) {
		dp_kernel_link_event(k, i, "veth-x", true);
		dp_kernel_link_gone(k, i);
	}
	cr_assert_eq(k->links.n, 1, "only ce-a1's state: %zu", k->links.n);
	/* ce-a1 deleted (down, then gone) and made again with the same ifindex: bound again */
	dp_kernel_link_event(k, 2, "ce-a1", false);
	dp_kernel_link_gone(k, 2);
	before = n_calls;
	dp_kernel_link_event(k, 2, "ce-a1", true);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(calls[before].ifindex, 2);
	cr_assert_eq(calls[before].master, 101);
	cr_assert_eq(count_ops("addr", before), 1);
	cr_assert(calls[before + 1].add);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, a_new_address_replaces_the_old_one, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	int before;

	vrf_a();
	dp_kernel_ops.if_bind(k, &b);
	before = n_calls;
	b.address = ip("10.1.1.5"); /* a reload gave the link another address: IF_BIND again */
	dp_kernel_ops.if_bind(k, &b);
	cr_assert_eq(count_ops("addr", before), 2);
	cr_assert_str_eq(calls[before].op, "addr");
	cr_assert(!calls[before].add, "the old one removed first");
	cr_assert_eq(calls[before].table, ip("10.1.1.1"));
	cr_assert_str_eq(calls[before + 2].op, "addr");
	cr_assert(calls[before + 2].add);
	cr_assert_eq(calls[before + 2].table, ip("10.1.1.5"));
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b); /* the same again: nothing removed */
	cr_assert_eq(count_ops("addr", before), 1);
	cr_assert(calls[before + 1].add, "only the add (already there: no error)");
	/* unbind: the one it has now goes (IF_UNBIND carries no address) */
	before = n_calls;
	dp_kernel_ops.if_unbind(k, &(struct ipc_if_bind){ .vrf_id = 1, .ifname = "ce-a1" });
	cr_assert_str_eq(calls[before].op, "addr");
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before].table, ip("10.1.1.5"));
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, a_link_that_appears_later_is_bound_then, .init = setup, .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.3.1.1"), .plen = 30,
				 .ifname = "ce-late" };
	int before;

	vrf_a();
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b); /* not there: logged and counted, nothing asked */
	cr_assert_eq(n_calls, before);
	cr_assert_eq(dp_kernel_errors(k), 1);
	late_present = true;
	dp_kernel_link_event(k, 20, "ce-late", false); /* made, still down */
	cr_assert_eq(n_calls, before);
	dp_kernel_link_event(k, 20, "ce-late", true);
	cr_assert_eq(count_ops("enslave", before), 1);
	cr_assert_eq(calls[before].ifindex, 20);
	cr_assert_eq(calls[before].master, 101);
	cr_assert_eq(count_ops("addr", before), 1);
	/* unbound before it ever appeared: forgotten, a later link of that name is left alone */
	late_present = false;
	dp_kernel_ops.if_unbind(k, &b);
	before = n_calls;
	late_present = true;
	dp_kernel_link_event(k, 21, "ce-late", true);
	cr_assert_eq(n_calls, before);
}

Test(dp_kernel_ops, next_hop_change_reprograms_its_routes, .init = setup, .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_nexthop other = nexthop(9, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e1 = { .vrf_id = 1, .prefix = ip("192.168.101.0"), .plen = 24,
				    .nh_id = 8, .inner_label = 200 };
	struct ipc_fib_entry e2 = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				    .nh_id = 9, .inner_label = MPLS_LABEL_NONE };
	uint32_t labels[4];
	struct parsed p;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.nh_add(k, &other);
	dp_kernel_ops.fib_add(k, &e1);
	dp_kernel_ops.fib_add(k, &e2);
	before = n_calls;
	dp_kernel_ops.nh_add(k, &nh); /* the same: nothing to do */
	cr_assert_eq(n_calls, before);
	nh.out_label = 17; /* the LSP's label changed */
	dp_kernel_ops.nh_add(k, &nh);
	cr_assert_eq(n_calls, before + 1, "only the route through next hop 8");
	p = last_route(true);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.101.0"));
	cr_assert_eq(encap_labels(&p, labels), 2);
	cr_assert_eq(labels[0], 17);
	cr_assert_eq(labels[1], 200);
	parsed_free(&p);

	dp_kernel_ops.fib_del(k, &e1);
	p = last_route(false);
	cr_assert_eq(p.rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(nla_get_u32(p.tb[RTA_TABLE]), 10001);
	cr_assert_eq(attr_be32(p.tb[RTA_DST]), ip("192.168.101.0"));
	parsed_free(&p);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, errors_are_counted_not_dropped, .init = setup, .fini = teardown)
{
	struct ipc_nexthop gone = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-zz");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct ipc_fib_entry unknown = { .vrf_id = 1, .prefix = ip("10.0.0.0"), .plen = 8,
					 .nh_id = 99, .inner_label = MPLS_LABEL_NONE };

	vrf_a();
	dp_kernel_ops.nh_add(k, &gone);
	dp_kernel_ops.fib_add(k, &e); /* no such interface: not asked of the kernel */
	cr_assert_eq(n_calls, 1);
	cr_assert_eq(dp_kernel_errors(k), 1);
	dp_kernel_ops.fib_add(k, &unknown); /* a next hop never sent */
	cr_assert_eq(dp_kernel_errors(k), 2);
	fail_routes = 1;
	gone = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	dp_kernel_ops.nh_add(k, &gone); /* now resolvable: tried again, the kernel refuses */
	cr_assert_eq(n_calls, 2);
	cr_assert_eq(dp_kernel_errors(k), 3);
}

/* What was logged (stderr, into a file for the test) since start_capture. */
Test(dp_kernel_ops, errors_say_what_was_being_programmed, .init = setup, .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_nexthop drop = nexthop(9, IPC_NH_DROP, NULL, MPLS_LABEL_NONE, "");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.101.0"), .plen = 24,
				   .nh_id = 8, .inner_label = 200 };
	struct ipc_lfib_entry l = { .in_label = 1002, .action = IPC_LFIB_POP_FORWARD, .nh_id = 9,
				    .vrf_id = 1 };
	const char *log;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.nh_add(k, &drop);
	start_capture();
	fail_routes = 1;
	dp_kernel_ops.fib_add(k, &e);
	dp_kernel_ops.lfib_add(k, &l);
	log = logged();
	cr_assert(strstr(log, "warning: kernel dataplane: FIB add in VRF A (table 10001) "
			      "192.168.101.0/24 via next hop 8 (labeled via 10.0.1.2 dev core0, "
			      "push 16/200): Invalid input data or parameter\n") != NULL,
		  "%s", log);
	cr_assert(strstr(log, "warning: kernel dataplane: LFIB add of label 1002 (pop-forward in "
			      "VRF A to next hop 9 (drop)): not programmed: next hop 9 has no "
			      "gateway") != NULL,
		  "%s", log);
	cr_assert_eq(dp_kernel_errors(k), 2);
}

Test(dp_kernel_ops, lfib_entries, .init = setup, .fini = teardown)
{
	struct ipc_lfib_entry pop = { .in_label = 1000, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	struct parsed p;

	vrf_a();
	dp_kernel_ops.lfib_add(k, &pop);
	p = last_route(true);
	assert_mpls_key(&p, 1000);
	cr_assert_eq(nla_get_u32(p.tb[RTA_OIF]), 101, "the VRF device");
	parsed_free(&p);
	dp_kernel_ops.lfib_del(k, &pop);
	p = last_route(false);
	assert_mpls_key(&p, 1000);
	parsed_free(&p);
}

static struct rtnl_route *dumped_route(int family, uint32_t table, uint8_t proto,
				       const char *dst, uint8_t plen, uint32_t label)
{
	struct rtnl_route *r = family == AF_MPLS ? dpk_route_lfib_key(label)
						 : dpk_route_fib_key(table, ip(dst), plen);

	rtnl_route_set_protocol(r, proto);
	cr_assert_lt(n_dumped, 8);
	dumped[n_dumped++] = r;
	return r;
}

Test(dp_kernel_ops, sweep_deletes_only_ferry_vrf_devices_of_no_vrf, .init = setup,
     .fini = teardown)
{
	int before;

	vrf_a(); /* vrf-A, ifindex 101 */
	devs[n_devs++] = (struct dev){ 101, "vrf-A", 10001, true };  /* this run's */
	devs[n_devs++] = (struct dev){ 102, "vrf-B", 10002, true };  /* B is gone */
	devs[n_devs++] = (struct dev){ 103, "vrf-mgmt", 10003, false }; /* not ferry's */
	devs[n_devs++] = (struct dev){ 104, "red", 20, true };       /* not ferry's table */
	before = n_calls;
	cr_assert_eq(dp_kernel_sweep(k), 1);
	cr_assert_eq(n_calls, before + 1);
	cr_assert_str_eq(calls[before].op, "link_del");
	cr_assert_eq(calls[before].ifindex, 102);
}

Test(dp_kernel_ops, sweep_releases_links_a_previous_run_left_in_a_vrf, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	char got[256];
	int before;

	vrf_a(); /* vrf-A, ifindex 101, adopted from the previous run */
	dp_kernel_ops.if_bind(k, &b);
	/* the previous run had ce-b1 in A too; this run's file no longer gives it to A */
	link_master[0] = 101; /* ce-a1: bound there by this run */
	link_master[2] = 101; /* ce-b1 */
	before = n_calls;
	cr_assert_eq(dp_kernel_sweep(k), 1);
	calls_from(before, got, sizeof(got));
	/* only ce-b1 (4) released; ce-a1 stays, eth9 in a device not ferry's is left alone */
	cr_assert_str_eq(got, "release:4/0", "%s", got);
	cr_assert(!link_up[2] && link_master[2] == 0, "ce-b1 out of vrf-A and down");
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 kept, up");
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, sweep_sets_the_links_of_a_swept_device_down_first, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	char got[256];
	int before;

	vrf_a(); /* vrf-A, ifindex 101 */
	dp_kernel_ops.if_bind(k, &b);
	devs[n_devs++] = (struct dev){ 101, "vrf-A", 10001, true };
	devs[n_devs++] = (struct dev){ 102, "vrf-B", 10002, true }; /* B was removed while down */
	link_master[2] = 102; /* ce-b1, B's link, up in vrf-B */
	before = n_calls;
	start_capture();
	log_set_level(LOG_LVL_INFO);
	cr_assert_eq(dp_kernel_sweep(k), 2);
	calls_from(before, got, sizeof(got));
	/* deleting vrf-B alone, the kernel would release ce-b1 up, into the main table */
	cr_assert_str_eq(got, "release:4/0 link_del:102/0", "%s", got);
	cr_assert(!link_up[2] && link_master[2] == 0, "ce-b1 out of vrf-B and down");
	cr_assert(link_up[0] && link_master[0] == 101, "ce-a1 kept, up");
	cr_assert(strstr(logged(), "released ce-b1 from vrf-B: its VRF is no longer configured") !=
			  NULL,
		  "%s", logged());
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_ops, sweep_deletes_only_ferry_routes_not_programmed, .init = setup,
     .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = MPLS_LABEL_NONE };
	struct ipc_lfib_entry pop = { .in_label = 1000, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	struct rtnl_route *stale_ip, *stale_mpls;
	int before;

	vrf_a();
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.fib_add(k, &e);
	dp_kernel_ops.lfib_add(k, &pop);
	dumped_route(AF_INET, 10001, DPK_RTPROT, "192.168.100.0", 24, 0); /* programmed */
	stale_ip = dumped_route(AF_INET, 10001, DPK_RTPROT, "192.168.9.0", 24, 0);
	dumped_route(AF_INET, 10001, 4 /* static: someone else's */, "192.168.8.0", 24, 0);
	dumped_route(AF_INET, 254 /* main: not ferry's */, DPK_RTPROT, "192.168.7.0", 24, 0);
	dumped_route(AF_MPLS, 0, DPK_RTPROT, NULL, 0, 1000); /* programmed */
	stale_mpls = dumped_route(AF_MPLS, 0, DPK_RTPROT, NULL, 0, 1005);
	dumped_route(AF_MPLS, 0, 11 /* zebra's */, NULL, 0, 1006);
	before = n_calls;
	cr_assert_eq(dp_kernel_sweep(k), 2);
	cr_assert_eq(n_calls, before + 2);
	cr_assert_eq(calls[before].route, stale_ip);
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before + 1].route, stale_mpls);
	cr_assert(!calls[before + 1].add);
}

Test(dp_kernel_claim, a_table_a_host_vrf_device_has_is_refused, .init = setup, .fini = teardown)
{
	struct ipc_nexthop nh = nexthop(7, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_fib_entry e = { .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24,
				   .nh_id = 7, .inner_label = 200 };
	struct ipc_if_bind b = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	char got[512];

	/* the host's own VRF on 10001: sharing it, either's links would see the other's routes */
	devs[n_devs++] = (struct dev){ 103, "vrf-mgmt", 10001, false };
	start_capture();
	vrf_a();
	cr_assert_eq(count_ops("vrf_dev_add", 0), 0, "no device made on another's table");
	cr_assert(strstr(logged(), "table 10001 is already the table of VRF device vrf-mgmt, "
				   "which is not ferry's") != NULL,
		  "%s", logged());
	dp_kernel_ops.nh_add(k, &nh);
	dp_kernel_ops.fib_add(k, &e);
	cr_assert_eq(count_ops("route", 0), 0, "nothing put into the host's table");
	/* the link is not left wherever it was (a previous run's VRF): released, no address */
	dp_kernel_ops.if_bind(k, &b);
	calls_from(0, got, sizeof(got));
	cr_assert_str_eq(got, "release:2/0", "%s", got);
	cr_assert(!link_up[0], "ce-a1 down: in the main table it would forward into the core");
	cr_assert_eq(dp_kernel_errors(k), 3);
}

Test(dp_kernel_claim, a_previous_runs_device_on_the_table_goes_with_its_routes, .init = setup,
     .fini = teardown)
{
	struct rtnl_route *stale, *stale7;
	char got[512];

	/* VRF old had id 1 and was removed while vrfmgr was down: A now gets id 1 */
	devs[n_devs++] = (struct dev){ 102, "vrf-old", 10001, true };
	/* A had id 7 in that run (its state lost): its device is on another table */
	devs[n_devs++] = (struct dev){ 105, "vrf-A", 10007, true };
	devs[n_devs++] = (struct dev){ 106, "vrf-C", 10003, true }; /* another VRF's: kept */
	stale = dumped_route(AF_INET, 10001, DPK_RTPROT, "192.168.9.0", 24, 0);
	stale7 = dumped_route(AF_INET, 10007, DPK_RTPROT, "192.168.7.0", 24, 0);
	dumped_route(AF_INET, 10001, 4 /* static: someone else's */, "192.168.8.0", 24, 0);
	dumped_route(AF_INET, 10003, DPK_RTPROT, "192.168.3.0", 24, 0); /* C's */
	vrf_a();
	calls_from(0, got, sizeof(got));
	cr_assert_str_eq(got, "link_del:102/0 route:0/0 link_del:105/0 route:0/0 vrf_dev_add:0/0",
			 "%s", got);
	cr_assert_eq(calls[1].route, stale);
	cr_assert(!calls[1].add);
	cr_assert_eq(calls[3].route, stale7);
	cr_assert(!calls[3].add);
	cr_assert_str_eq(calls[4].name, "vrf-A");
	cr_assert_eq(calls[4].table, 10001);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

Test(dp_kernel_claim, a_link_moved_to_a_vrf_without_device_leaves_the_old_one, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind a = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_if_bind b = { .vrf_id = 2, .address = ip("10.2.2.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_vrf vb = { .vrf_id = 2, .name = "B" };
	int before;
	char got[512];

	vrf_a();
	dp_kernel_ops.if_bind(k, &a);
	/* a reload moves ce-a1 to a new VRF B, whose table a host VRF device holds */
	devs[n_devs++] = (struct dev){ 103, "vrf-mgmt", 10002, false };
	dp_kernel_ops.vrf_add(k, &vb);
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b);
	calls_from(before, got, sizeof(got));
	/* A's address removed, the link out of vrf-A (101), B's address not added */
	cr_assert_str_eq(got, "addr:2/30 release:2/0", "%s", got);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before].table, ip("10.1.1.1"));
}

Test(dp_kernel_claim, a_link_the_kernel_will_not_enslave_is_released, .init = setup,
     .fini = teardown)
{
	struct ipc_if_bind a = { .vrf_id = 1, .address = ip("10.1.1.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_if_bind b = { .vrf_id = 2, .address = ip("10.2.2.1"), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_vrf vb = { .vrf_id = 2, .name = "B" };
	int before;
	char got[512];

	vrf_a();
	dp_kernel_ops.if_bind(k, &a);
	dp_kernel_ops.vrf_add(k, &vb); /* vrf-B: ifindex 102 */
	fail_enslave_to = 102;
	before = n_calls;
	dp_kernel_ops.if_bind(k, &b);
	calls_from(before, got, sizeof(got));
	/* not left in vrf-A with B's address: A's address gone, released, nothing added */
	cr_assert_str_eq(got, "addr:2/30 enslave:2/102 release:2/0", "%s", got);
	cr_assert(!link_up[0] && link_master[0] == 0, "ce-a1 out of vrf-A and down");
	cr_assert(!calls[before].add);
	cr_assert_eq(calls[before].table, ip("10.1.1.1"));
	cr_assert_eq(dp_kernel_errors(k), 1);
}

/* ---- sysctls over a directory standing for /proc/sys ---- */
static char root[64];

static void write_file(const char *rel, const char *val)
{
	char path[200], dir[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "mkdir -p $(dirname %s)", path);
	cr_assert_eq(system(dir), 0);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(val, f);
	fclose(f);
}

static unsigned long read_file(const char *rel)
{
	char path[256];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_not_null(f = fopen(path, "r"));
	cr_assert_eq(fscanf(f, "%lu", &v), 1);
	fclose(f);
	return v;
}

static struct ferry_config sys_cfg(struct cfg_core_if *core, size_t n)
{
	struct ferry_config cfg = { .label_min = 100, .label_max = 199 };

	cfg.fwd.core_interfaces = core;
	cfg.fwd.n_core_interfaces = n;
	return cfg;
}

static void sys_setup(void)
{
	snprintf(root, sizeof(root), "/tmp/ferry-dpk-sys.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
}

static void sys_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
}

Test(dp_kernel_sys, sets_what_the_kernel_needs, .init = sys_setup, .fini = sys_teardown)
{
	struct cfg_core_if core[1] = { { .name = "core0" } };
	struct ferry_config cfg = sys_cfg(core, 1);
	char err[256] = "";

	write_file("net/ipv4/ip_forward", "0\n");
	write_file("net/mpls/platform_labels", "0\n");
	write_file("net/mpls/conf/core0/input", "0\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(read_file("net/ipv4/ip_forward"), 1);
	cr_assert_eq(read_file("net/mpls/platform_labels"), 200, "labels up to label_max");
	cr_assert_eq(read_file("net/mpls/conf/core0/input"), 1);
	/* a larger table is left as it is */
	write_file("net/mpls/platform_labels", "100000\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(read_file("net/mpls/platform_labels"), 100000);
}

Test(dp_kernel_sys, says_which_setting_failed, .init = sys_setup, .fini = sys_teardown)
{
	struct cfg_core_if core[1] = { { .name = "core0" } };
	struct ferry_config cfg = sys_cfg(core, 1);
	char err[256] = "";

	write_file("net/ipv4/ip_forward", "0\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot read net.mpls.platform_labels") != NULL, "%s", err);
	cr_assert(strstr(err, "modprobe mpls_router") != NULL, "%s", err);
	write_file("net/mpls/platform_labels", "0\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot set net.mpls.conf.core0.input=1") != NULL, "%s", err);
}

/* ---- the map, against a plain array ---- */
Test(dp_kernel_map, random_puts_and_deletes_agree_with_an_array)
{
	static void *ref[4096];
	struct dpk_map m = { 0 };
	unsigned seed = 12345;

	for (int i = 0; i < 200000; i++) {
		uint64_t key;

		seed = seed * 1103515245u + 12345u;
		key = (seed >> 8) % 4096;
		if ((seed >> 4) % 3 == 0) {
			cr_assert_eq(dpk_map_del(&m, key << 20), ref[key]);
			ref[key] = NULL;
		} else {
			ref[key] = (void *)(uintptr_t)(i + 1);
			cr_assert_eq(dpk_map_put(&m, key << 20, ref[key]), 0);
		}
	}
	size_t n = 0;
	for (uint64_t key = 0; key < 4096; key++) {
		cr_assert_eq(dpk_map_get(&m, key << 20), ref[key]);
		n += ref[key] != NULL;
	}
	cr_assert_eq(m.n, n);
	dpk_map_free(&m, NULL);
}
