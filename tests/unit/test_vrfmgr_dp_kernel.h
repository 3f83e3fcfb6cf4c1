/*
 * The fixture of the dp_kernel unit tests (test_vrfmgr_dp_kernel*.c): a built
 * route parsed as the kernel would read it, and a recording io standing for
 * the kernel (what each core call sends, links, devices, dumps).
 */
#ifndef TEST_VRFMGR_DP_KERNEL_H
#define TEST_VRFMGR_DP_KERNEL_H

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
#include "log_capture.h"

#ifndef AF_MPLS
#define AF_MPLS 28
#endif

/* ---- a built route, as the kernel would read it ---- */
struct parsed {
	struct rtmsg rtm;
	struct nlattr *tb[RTA_MAX + 1];
	struct nl_msg *msg;
};

static inline void parse(struct rtnl_route *r, struct parsed *p)
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

static inline void parsed_free(struct parsed *p)
{
	nlmsg_free(p->msg);
}

static inline uint32_t ip(const char *s)
{
	struct in_addr a;

	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

static inline uint32_t attr_be32(struct nlattr *a)
{
	uint32_t v;

	cr_assert_not_null(a);
	cr_assert_eq(nla_len(a), 4);
	memcpy(&v, nla_data(a), 4);
	return ntohl(v);
}

/* The labels in a label stack attribute; asserts the bottom-of-stack bit is on the last only. */
static inline int labels_of(struct nlattr *a, uint32_t *out)
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

static inline struct ipc_nexthop nexthop(uint32_t id, uint32_t type, const char *gw, uint32_t label,
				  const char *ifname)
{
	struct ipc_nexthop nh = { .nh_id = id, .type = type, .out_label = label };

	nh.gateway = gw != NULL ? ip(gw) : 0;
	snprintf(nh.ifname, sizeof(nh.ifname), "%s", ifname);
	return nh;
}

static inline struct rtnl_route *fib(const struct ipc_nexthop *nh, uint32_t inner, int oif)
{
	struct dpk_fib_in in = { .table = dpk_vrf_table(1), .prefix = ip("192.168.1.0"),
				 .plen = 24, .inner_label = inner, .nh = nh, .oif = oif,
				 .vrf_ifindex = 50 };
	char why[160] = "";
	struct rtnl_route *r = dpk_route_fib(&in, why, sizeof(why));

	cr_assert_not_null(r, "refused: %s", why);
	return r;
}

/* encap mpls: the labels pushed, outer first */
static inline int encap_labels(struct parsed *p, uint32_t *labels)
{
	struct nlattr *t[MPLS_IPTUNNEL_MAX + 1];

	cr_assert_not_null(p->tb[RTA_ENCAP_TYPE]);
	cr_assert_eq(nla_get_u16(p->tb[RTA_ENCAP_TYPE]), LWTUNNEL_ENCAP_MPLS);
	cr_assert_eq(nla_parse_nested(t, MPLS_IPTUNNEL_MAX, p->tb[RTA_ENCAP], NULL), 0);
	return labels_of(t[MPLS_IPTUNNEL_DST], labels);
}

static inline struct rtnl_route *lfib(const struct ipc_lfib_entry *e, const struct ipc_nexthop *nh,
			       int oif, char *why)
{
	struct dpk_lfib_in in = { .e = e, .nh = nh, .oif = oif, .vrf_ifindex = 50 };

	return dpk_route_lfib(&in, why, 160);
}

static inline void assert_mpls_key(struct parsed *p, uint32_t label)
{
	uint32_t l[4];

	cr_assert_eq(p->rtm.rtm_family, AF_MPLS);
	cr_assert_eq(p->rtm.rtm_dst_len, 20);
	cr_assert_eq(p->rtm.rtm_protocol, DPK_RTPROT);
	cr_assert_eq(p->rtm.rtm_table, RT_TABLE_MAIN);
	cr_assert_eq(labels_of(p->tb[RTA_DST], l), 1);
	cr_assert_eq(l[0], label);
}

static inline uint32_t via_of(struct parsed *p)
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

/* ---- the ops over a recording io ---- */
#define MAX_CALLS 256

static __attribute__((unused)) struct call {
	char op[16];
	bool add;
	int ifindex, master;
	uint32_t table;
	char name[DPK_IFNAMSIZ];
	struct rtnl_route *route;
} calls[MAX_CALLS];
static __attribute__((unused)) int n_calls;
static __attribute__((unused)) int fail_routes; /* the io refuses route adds while set */
static __attribute__((unused)) int ifindex_shift; /* the links were made again: new ifindexes */
static __attribute__((unused)) bool late_present; /* "ce-late" exists (ifindex 20) */
static __attribute__((unused)) struct rtnl_route *dumped[8];
static __attribute__((unused)) int n_dumped;

static inline struct call *record(const char *op)
{
	cr_assert_lt(n_calls, MAX_CALLS);
	memset(&calls[n_calls], 0, sizeof(calls[n_calls]));
	snprintf(calls[n_calls].op, sizeof(calls[n_calls].op), "%s", op);
	return &calls[n_calls++];
}

/* The interfaces this io knows: ifindex = position + 2. */
static __attribute__((unused)) const char *const ifnames[] = { "ce-a1", "core0", "ce-b1", NULL };

static __attribute__((unused)) int n_lookups; /* rec_ifindex calls */

static inline int rec_ifindex(void *io, const char *ifname)
{
	(void)io;
	n_lookups++;
	if (strcmp(ifname, "ce-late") == 0)
		return late_present ? 20 : -NLE_OBJ_NOTFOUND;
	for (int i = 0; ifnames[i]; i++)
		if (strcmp(ifnames[i], ifname) == 0)
			return i + 2 + ifindex_shift;
	return -NLE_OBJ_NOTFOUND;
}

static __attribute__((unused)) int vrf_dev_shift; /* VRF devices made again: new ifindexes */
static __attribute__((unused)) int fail_vrf_devs; /* the io refuses to make VRF devices while set */
/*
 * The VRF devices the io made (by ifindex, below DEV_MAX): there (made, not
 * deleted by rec_link_del or by hand in a test), and down (set down by hand).
 */
#define DEV_MAX 256
static __attribute__((unused)) bool dev_there[DEV_MAX];
static __attribute__((unused)) bool dev_down[DEV_MAX];
static __attribute__((unused)) int fail_link_up; /* the io refuses to set links up while set */

static inline int rec_vrf_dev_add(void *io, const char *ifname, uint32_t table, char *why, size_t len)
{
	struct call *c = record("vrf_dev_add");
	int ifindex;

	(void)io;
	snprintf(c->name, sizeof(c->name), "%s", ifname);
	c->table = table;
	if (fail_vrf_devs) {
		snprintf(why, len, "refused by the test");
		return -NLE_BUSY;
	}
	ifindex = 100 + (int)(table - DPK_TABLE_BASE) + vrf_dev_shift;
	cr_assert_lt(ifindex, DEV_MAX);
	dev_there[ifindex] = true; /* made (or adopted), and up */
	dev_down[ifindex] = false;
	return ifindex;
}

static __attribute__((unused)) bool devs_gone; /* link_del finds nothing (deleted by hand) */

static inline int rec_link_del(void *io, int ifindex)
{
	(void)io;
	record("link_del")->ifindex = ifindex;
	if (ifindex > 0 && ifindex < DEV_MAX)
		dev_there[ifindex] = false;
	return devs_gone ? -NLE_OBJ_NOTFOUND : 0;
}

static __attribute__((unused)) int fail_enslave_to; /* the io refuses enslaving to this master while set */

/*
 * The master of each of ifnames[] (0: none) and whether it is up, as the
 * kernel would have them after the calls: up at the start (an operator
 * brought the links up by hand).
 */
static __attribute__((unused)) int link_master[3];
static __attribute__((unused)) bool link_up[3];

static inline int slot_of(int ifindex)
{
	for (int i = 0; ifnames[i]; i++)
		if (ifindex == i + 2 + ifindex_shift)
			return i;
	return -1;
}

static inline int rec_enslave(void *io, int ifindex, int master)
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

static inline int rec_release(void *io, int ifindex)
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

static inline int rec_addr(void *io, bool add, int ifindex, uint32_t address, uint8_t plen)
{
	struct call *c = record("addr");

	(void)io;
	c->add = add;
	c->ifindex = ifindex;
	c->table = address; /* reused: the address */
	c->master = plen;
	return 0;
}

static inline int rec_route(void *io, bool add, struct rtnl_route *r)
{
	struct call *c = record("route");

	(void)io;
	c->add = add;
	nl_object_get((struct nl_object *)r);
	c->route = r;
	return add && fail_routes ? -NLE_INVAL : 0;
}

static inline int rec_dump(void *io, int family, void (*cb)(struct rtnl_route *, void *), void *arg)
{
	(void)io;
	for (int i = 0; i < n_dumped; i++)
		if (rtnl_route_get_family(dumped[i]) == family)
			cb(dumped[i], arg);
	return 0;
}

/* The VRF devices the io lists: ifindex, name, table, ferry's alias. */
static __attribute__((unused)) struct dev {
	int ifindex;
	const char *name;
	uint32_t table;
	bool ferrys;
} devs[6];
static __attribute__((unused)) int n_devs;

static inline int rec_vrf_devs(void *io, void (*cb)(int, const char *, uint32_t, bool, void *),
			void *arg)
{
	(void)io;
	for (int i = 0; i < n_devs; i++)
		cb(devs[i].ifindex, devs[i].name, devs[i].table, devs[i].ferrys, arg);
	return 0;
}

static inline const char *rec_strerror(int err)
{
	return nl_geterror(err);
}

/* Every link, as the kernel would list it: ifnames[] (ifindex position + 2 + shift). */
static inline int rec_links(void *io, void (*cb)(int, const char *, int, bool, void *), void *arg)
{
	(void)io;
	for (int i = 0; ifnames[i]; i++)
		cb(i + 2 + ifindex_shift, ifnames[i], link_master[i], link_up[i], arg);
	cb(40, "eth9", 103, true, arg); /* in another VRF device (vrf-mgmt's, say) */
	return 0;
}

/* A link of ifnames[] as the io has it, or one of the VRF devices it made. */
static inline int rec_link_state(void *io, int ifindex, int *master, bool *up)
{
	int i = slot_of(ifindex);

	(void)io; /* a read: not recorded among the calls */
	if (i >= 0) {
		*master = link_master[i];
		*up = link_up[i];
		return 0;
	}
	if (ifindex > 0 && ifindex < DEV_MAX && dev_there[ifindex]) {
		*master = 0;
		*up = !dev_down[ifindex];
		return 0;
	}
	return -NLE_OBJ_NOTFOUND;
}

static inline int rec_link_up(void *io, int ifindex)
{
	int i = slot_of(ifindex);

	(void)io;
	record("link_up")->ifindex = ifindex;
	if (fail_link_up)
		return -NLE_BUSY;
	if (i >= 0)
		link_up[i] = true;
	else if (ifindex > 0 && ifindex < DEV_MAX)
		dev_down[ifindex] = false;
	return 0;
}

static __attribute__((unused)) const struct dpk_io_ops rec_ops = {
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
	.link_state = rec_link_state,
	.link_up = rec_link_up,
};
static __attribute__((unused)) struct dp_kernel *k;

static inline void setup(void)
{
	n_lookups = 0;
	log_init("test", LOG_LVL_ERR);
	n_calls = 0;
	fail_routes = 0;
	ifindex_shift = 0;
	late_present = false;
	n_dumped = 0;
	n_devs = 0;
	fail_enslave_to = 0;
	vrf_dev_shift = 0;
	fail_vrf_devs = 0;
	devs_gone = false;
	fail_link_up = 0;
	memset(dev_there, 0, sizeof(dev_there));
	memset(dev_down, 0, sizeof(dev_down));
	memset(link_master, 0, sizeof(link_master));
	for (int i = 0; i < 3; i++)
		link_up[i] = true;
	k = dp_kernel_new(&rec_ops, NULL);
	cr_assert_not_null(k);
}

static inline void teardown(void)
{
	for (int i = 0; i < n_calls; i++)
		if (calls[i].route != NULL)
			rtnl_route_put(calls[i].route);
	for (int i = 0; i < n_dumped; i++)
		rtnl_route_put(dumped[i]);
	dp_kernel_free(k);
}

static inline struct parsed last_route(bool add)
{
	struct parsed p;

	cr_assert_gt(n_calls, 0);
	cr_assert_str_eq(calls[n_calls - 1].op, "route");
	cr_assert_eq(calls[n_calls - 1].add, add);
	nl_object_get((struct nl_object *)calls[n_calls - 1].route);
	parse(calls[n_calls - 1].route, &p);
	return p;
}

/*
 * A link event as the watch reads it: ifindex named ifname, with the master
 * and up flag the io has for it now (a link of ifnames[]; any other in no VRF).
 */
static inline void link_ev(int ifindex, const char *ifname, bool up)
{
	int i = slot_of(ifindex);

	dp_kernel_link_event(k, ifindex, ifname, i >= 0 ? link_master[i] : 0, up);
}

static inline void vrf_a(void)
{
	struct ipc_vrf v = { .vrf_id = 1, .name = "A" };

	dp_kernel_ops.vrf_add(k, &v);
}

static inline void calls_from(int from, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (int i = from; i < n_calls && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s%s:%d/%d", at ? " " : "", calls[i].op,
				       calls[i].ifindex, calls[i].master);
}

static inline int count_ops(const char *op, int from)
{
	int n = 0;

	for (int i = from; i < n_calls; i++)
		n += strcmp(calls[i].op, op) == 0;
	return n;
}

/* ---- the lab of the remake and guard tests: two VRFs, their links, routes and a label ---- */
static __attribute__((unused)) uint64_t fake_now;

static inline uint64_t fake_clock(void)
{
	return fake_now;
}

static __attribute__((unused)) const struct ipc_if_bind lab_a1 = {
	.vrf_id = 1, .address = 0x0a010101, .plen = 30, .ifname = "ce-a1"
};
static __attribute__((unused)) const struct ipc_if_bind lab_b1 = {
	.vrf_id = 2, .address = 0x0a020101, .plen = 30, .ifname = "ce-b1"
};

/*
 * VRF A (vrf-A, 101) with ce-a1 bound, a route via its CE, a route via core0
 * (labeled) and its per-VRF label; VRF B (vrf-B, 102) with ce-b1 and a route
 * via its CE. The clock is the test's, at 1 s.
 */
static inline void lab(void)
{
	struct ipc_vrf vb = { .vrf_id = 2, .name = "B" };
	struct ipc_nexthop ce = nexthop(7, IPC_NH_GATEWAY, "10.1.1.2", MPLS_LABEL_NONE, "ce-a1");
	struct ipc_nexthop core = nexthop(8, IPC_NH_LABELED, "10.0.1.2", 16, "core0");
	struct ipc_nexthop ceb = nexthop(9, IPC_NH_GATEWAY, "10.2.1.2", MPLS_LABEL_NONE, "ce-b1");
	struct ipc_fib_entry e[] = {
		{ .vrf_id = 1, .prefix = ip("192.168.100.0"), .plen = 24, .nh_id = 7,
		  .inner_label = MPLS_LABEL_NONE },
		{ .vrf_id = 1, .prefix = ip("192.168.101.0"), .plen = 24, .nh_id = 8,
		  .inner_label = 200 },
		{ .vrf_id = 2, .prefix = ip("192.168.100.0"), .plen = 24, .nh_id = 9,
		  .inner_label = MPLS_LABEL_NONE },
	};
	struct ipc_lfib_entry pop = { .in_label = 1000, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };

	fake_now = 1000;
	k->now_ms = fake_clock;
	vrf_a();
	dp_kernel_ops.vrf_add(k, &vb);
	dp_kernel_ops.nh_add(k, &ce);
	dp_kernel_ops.nh_add(k, &core);
	dp_kernel_ops.nh_add(k, &ceb);
	dp_kernel_ops.if_bind(k, &lab_a1);
	dp_kernel_ops.if_bind(k, &lab_b1);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		dp_kernel_ops.fib_add(k, &e[i]);
	dp_kernel_ops.lfib_add(k, &pop);
	link_ev(2, "ce-a1", true);
	link_ev(4, "ce-b1", true);
	cr_assert_eq(dp_kernel_errors(k), 0);
}

/* The routes added from call from on: how many, and each one's table (0: MPLS) and oif. */
static inline int routes_from(int from, uint32_t *tables, int *oifs)
{
	int n = 0;

	for (int i = from; i < n_calls; i++) {
		struct rtnl_route *r = calls[i].route;

		if (strcmp(calls[i].op, "route") != 0 || !calls[i].add)
			continue;
		tables[n] = rtnl_route_get_family(r) == AF_MPLS ? 0 : rtnl_route_get_table(r);
		oifs[n++] = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0));
	}
	return n;
}

#endif
