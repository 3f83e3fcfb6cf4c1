/*
 * The forwarding pipeline in memory: a PE with VRFs A and B (programmed
 * through apply_msg as vrfmgr would) plus P-style label entries, fed byte
 * buffers; frames handed to the output hook are captured and checked.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/fib.h"
#include "fwd/icmp.h"
#include "fwd/lfib.h"
#include "fwd/mpls.h"
#include "fwd/nexthop.h"
#include "fwd/pipeline.h"
#include "test_fwd_util.h"

#define MAX_CAP 32

struct capture {
	struct fwd_iface *ifp;
	uint8_t data[T_BUF];
	size_t len;
};

static struct capture cap[MAX_CAP];
static int n_cap;
static int fail_output;

static int cap_output(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	if (fail_output)
		return -EAGAIN;
	cr_assert(n_cap < MAX_CAP);
	cr_assert(len <= T_BUF);
	cap[n_cap].ifp = ifp;
	memcpy(cap[n_cap].data, frame, len);
	cap[n_cap].len = len;
	n_cap++;
	return 0;
}

static struct fwd *f;
static struct fwd_iface *core0, *core1, *ce_a, *ce_b;

static const uint8_t mac_core0[6] = { 2, 0, 0, 0, 0xc0, 0 };
static const uint8_t mac_core1[6] = { 2, 0, 0, 0, 0xc1, 0 };
static const uint8_t mac_ce_a[6] = { 2, 0, 0, 0, 0xa1, 0 };
static const uint8_t mac_ce_b[6] = { 2, 0, 0, 0, 0xb1, 0 };
static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };     /* neighbour on core0 */
static const uint8_t mac_p2[6] = { 2, 0, 0, 0, 0x99, 2 };    /* neighbour on core1 */
static const uint8_t mac_cea[6] = { 2, 0, 0, 0, 0xaa, 2 };   /* CE of A */
static const uint8_t mac_ceb[6] = { 2, 0, 0, 0, 0xbb, 2 };   /* CE of B */
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define P_ADDR t_ip(10, 0, 1, 2)
#define P2_ADDR t_ip(10, 0, 2, 2)
#define CEA_ADDR t_ip(10, 1, 1, 2)
#define CEB_ADDR t_ip(10, 2, 1, 2)
#define SITE1 t_ip(192, 168, 100, 10)
#define SITE2 t_ip(192, 168, 101, 10)

static void bind_if(const char *name, uint32_t vrf, uint32_t addr)
{
	struct ipc_if_bind b = { .vrf_id = vrf, .address = addr, .plen = 30 };

	strcpy(b.ifname, name);
	t_apply(f, IPC_IF_BIND, &b, sizeof(b));
}

static void add_nh(uint32_t id, uint32_t type, uint32_t gw, uint32_t label, const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	strcpy(n.ifname, ifname);
	t_apply(f, IPC_NH_ADD, &n, sizeof(n));
}

static void add_route(uint32_t vrf, uint32_t prefix, uint8_t plen, uint32_t nh, uint32_t inner)
{
	struct ipc_fib_entry e = { .vrf_id = vrf, .prefix = prefix, .plen = plen, .nh_id = nh,
				   .inner_label = inner };

	t_apply(f, IPC_FIB_ADD, &e, sizeof(e));
}

static void add_label(uint32_t in, uint32_t action, uint32_t vrf, uint32_t nh, uint32_t out)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf, .nh_id = nh,
				    .out_label = out };

	t_apply(f, IPC_LFIB_ADD, &e, sizeof(e));
}

static struct fwd_iface *core_if(const char *name, const uint8_t *mac, uint32_t addr)
{
	struct fwd_iface *ifp = fwd_iface_get(f, name, FWD_IF_CORE);

	cr_assert_not_null(ifp);
	memcpy(ifp->mac, mac, 6);
	ifp->addr = addr;
	ifp->plen = 30;
	ifp->mtu = 1600;
	ifp->active = true;
	return ifp;
}

/* Feeds an ARP frame (op 1 request, 2 reply) into ifp. */
static enum fwd_verdict arp_in(struct fwd_iface *ifp, uint16_t op, const uint8_t *smac,
			       uint32_t sip, const uint8_t *dmac, uint32_t tip)
{
	struct tframe t;

	t_arp(&t, dmac, smac, op, sip, NULL, tip);
	return fwd_input(f, ifp, &t.p);
}

/* Makes ifp's ARP entry for ip reachable as a neighbour would (request, then reply). */
static void learn(struct fwd_iface *ifp, uint32_t ip, const uint8_t *mac)
{
	struct tframe t;

	t_eth(&t, 64, bcast, bcast, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, 2, 64, 17, 10);
	arp_output(f, ifp, ip, &t.p);
	arp_in(ifp, 2, mac, ip, ifp->mac, ifp->addr);
	cr_assert_eq(arp_find(ifp, ip)->state, ARP_REACHABLE);
	n_cap = 0;
	memset(f->drops, 0, sizeof(f->drops));
}

static void setup(void)
{
	struct fwd_hooks hooks = { .output = cap_output };

	log_init("test_fwd_pipeline", LOG_LVL_WARN);
	n_cap = 0;
	fail_output = 0;
	f = fwd_new(&hooks, 300);
	cr_assert_not_null(f);
	f->now_ms = 1000000;
	core0 = core_if("core0", mac_core0, t_ip(10, 0, 1, 1));
	core1 = core_if("core1", mac_core1, t_ip(10, 0, 2, 1));
	t_vrf_add(f, 1, "A");
	t_vrf_add(f, 2, "B");
	bind_if("ce-a1", 1, t_ip(10, 1, 1, 1));
	bind_if("ce-b1", 2, t_ip(10, 2, 1, 1));
	ce_a = fwd_iface_find(f, "ce-a1");
	ce_b = fwd_iface_find(f, "ce-b1");
	memcpy(ce_a->mac, mac_ce_a, 6);
	memcpy(ce_b->mac, mac_ce_b, 6);
	ce_a->mtu = ce_b->mtu = 1500;
	add_nh(1, IPC_NH_CONNECTED, 0, 0, "ce-a1");
	add_nh(2, IPC_NH_GATEWAY, CEA_ADDR, 0, "ce-a1");
	add_nh(3, IPC_NH_LABELED, P_ADDR, 16, "core0");
	add_nh(4, IPC_NH_CONNECTED, 0, 0, "ce-b1");
	add_nh(5, IPC_NH_GATEWAY, CEB_ADDR, 0, "ce-b1");
	add_nh(6, IPC_NH_GATEWAY, P2_ADDR, 0, "core1");
	add_nh(7, IPC_NH_LABELED, P_ADDR, MPLS_LABEL_IMPLICIT_NULL, "core0");
	add_route(1, t_ip(10, 1, 1, 0), 30, 1, MPLS_LABEL_NONE);
	add_route(1, t_ip(192, 168, 100, 0), 24, 2, MPLS_LABEL_NONE);
	add_route(1, t_ip(192, 168, 101, 0), 24, 3, 200);
	add_route(2, t_ip(10, 2, 1, 0), 30, 4, MPLS_LABEL_NONE);
	add_route(2, t_ip(192, 168, 100, 0), 24, 5, MPLS_LABEL_NONE);
	add_route(2, t_ip(192, 168, 101, 0), 24, 3, 201);
	add_route(2, t_ip(192, 168, 102, 0), 24, 7, 202); /* exists only in B */
	add_label(100, IPC_LFIB_POP_LOOKUP, 1, 0, 0);
	add_label(101, IPC_LFIB_POP_LOOKUP, 2, 0, 0);
	add_label(16, IPC_LFIB_SWAP, 0, 6, 17);
	add_label(18, IPC_LFIB_SWAP, 0, 6, MPLS_LABEL_IMPLICIT_NULL);
	add_label(102, IPC_LFIB_POP_FORWARD, 0, 5, 0);
	learn(core0, P_ADDR, mac_p);
	learn(core1, P2_ADDR, mac_p2);
	learn(ce_a, CEA_ADDR, mac_cea);
	learn(ce_b, CEB_ADDR, mac_ceb);
	for (size_t i = 0; i < f->n_ifaces; i++)
		f->ifaces[i]->rx_packets = f->ifaces[i]->rx_bytes = f->ifaces[i]->tx_packets =
			f->ifaces[i]->tx_bytes = 0;
}

static void teardown(void)
{
	fwd_free(f);
	f = NULL;
}

static uint64_t drops(enum fwd_drop d)
{
	return f->drops[d];
}

static uint64_t total_drops(void)
{
	uint64_t n = 0;

	for (int i = 0; i < FWD_DROP_MAX; i++)
		n += f->drops[i];
	return n;
}

TestSuite(pipeline, .init = setup, .fini = teardown);

Test(pipeline, ingress_vrf_lookup_and_push)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(cap[0].ifp, core0);
	cr_assert_arr_eq(cap[0].data, mac_p, 6);
	cr_assert_arr_eq(cap[0].data + 6, mac_core0, 6);
	cr_assert_eq(t_get16(cap[0].data + 12), ETHERTYPE_MPLS);
	struct mpls_lse o = t_lse(cap[0].data, 0), i = t_lse(cap[0].data, 1);
	cr_assert_eq(o.label, 16);
	cr_assert(!o.bos);
	cr_assert_eq(o.ttl, 63, "uniform model: IP TTL - 1 into the labels");
	cr_assert_eq(i.label, 200);
	cr_assert(i.bos);
	cr_assert_eq(i.ttl, 63);
	cr_assert_eq(cap[0].data[22 + 8], 63);
	cr_assert(t_ip_csum_ok(cap[0].data + 22));
	cr_assert_eq(cap[0].len, 14 + 8 + 60);
	cr_assert_eq(ce_a->rx_packets, 1);
	cr_assert_eq(core0->tx_packets, 1);
	cr_assert_eq(core0->tx_bytes, 82);
	cr_assert_eq(total_drops(), 0);
}

Test(pipeline, same_destination_in_vrf_b_uses_b_label)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_b, mac_ceb, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 201);
}

Test(pipeline, implicit_null_transport_pushes_only_vpn_label)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_b, mac_ceb, SITE1, t_ip(192, 168, 102, 1), 64);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 202);
	cr_assert(t_lse(cap[0].data, 0).bos);
	cr_assert_eq(cap[0].len, 14 + 4 + 60);
}

/*
 * c is an ICMP error of type/code from src to dst, sent on ifp to mac, that
 * quotes the packet orig (its quote bytes; the TTL byte and the header
 * checksum as the packet was when it was dropped: ttl).
 */
static void expect_icmp(const struct capture *c, const struct fwd_iface *ifp, const uint8_t *mac,
			uint32_t src, uint32_t dst, uint8_t type, uint8_t code, uint16_t mtu,
			const uint8_t *orig, size_t quote, uint8_t ttl)
{
	const uint8_t *ip = c->data + 14, *icmp = ip + 20, *q = icmp + 8;

	cr_assert_eq(c->ifp, ifp, "ICMP error on %s", c->ifp->name);
	cr_assert_arr_eq(c->data, mac, 6);
	cr_assert_arr_eq(c->data + 6, ifp->mac, 6);
	cr_assert_eq(t_get16(c->data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(c->len, 14 + 28 + quote);
	cr_assert_eq(ip[0], 0x45);
	cr_assert_eq(t_get16(ip + 2), 28 + quote);
	cr_assert_eq(t_get16(ip + 6), 0, "no DF, not a fragment");
	cr_assert_eq(ip[8], 64);
	cr_assert_eq(ip[9], IPV4_PROTO_ICMP);
	cr_assert(t_ip_csum_ok(ip));
	cr_assert_eq(t_get32(ip + 12), src, "from %08x", t_get32(ip + 12));
	cr_assert_eq(t_get32(ip + 16), dst, "to %08x", t_get32(ip + 16));
	cr_assert_eq(icmp[0], type);
	cr_assert_eq(icmp[1], code);
	cr_assert_eq(t_get16(icmp + 4), 0);
	cr_assert_eq(t_get16(icmp + 6), mtu);
	cr_assert_eq(ipv4_checksum(icmp, 8 + quote), 0, "ICMP checksum");
	cr_assert_arr_eq(q, orig, 8);
	cr_assert_eq(q[8], ttl);
	cr_assert_arr_eq(q + 9, orig + 9, 1);
	cr_assert(t_ip_csum_ok(q));
	cr_assert_arr_eq(q + 12, orig + 12, quote - 12);
}

Test(pipeline, vrf_isolation)
{
	struct tframe t;
	uint8_t orig[60];

	/*
	 * 192.168.102.0/24 exists only in B: a packet arriving in A must not use
	 * it. It is dropped, and A's sender hears so: network unreachable from
	 * fwd's address on A's link, back to A's CE.
	 */
	memcpy(orig, t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(192, 168, 102, 1), 64), 60);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 1);
	cr_assert_eq(n_cap, 1);
	expect_icmp(&cap[0], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 3, 0, 0, orig, 60, 63);
	/* B's attachment subnet is not reachable from A either */
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, CEB_ADDR, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 2);
	cr_assert_eq(n_cap, 2);
	cr_assert_eq(cap[1].ifp, ce_a);
	n_cap = 0;
	/* the same local prefix goes to each VRF's own CE */
	t_ip_frame(&t, mac_ce_b, mac_ceb, t_ip(10, 2, 1, 2), SITE1, 64);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_b);
	cr_assert_arr_eq(cap[0].data, mac_ceb, 6);
}

Test(pipeline, egress_pop_and_lookup_in_label_vrf)
{
	struct tframe t;
	uint32_t labels[1] = { 100 };
	uint8_t ttls[1] = { 61 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE2, SITE1, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_a);
	cr_assert_arr_eq(cap[0].data, mac_cea, 6);
	cr_assert_arr_eq(cap[0].data + 6, mac_ce_a, 6);
	cr_assert_eq(t_get16(cap[0].data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(cap[0].data[14 + 8], 60, "label TTL - 1 copied into IP");
	cr_assert(t_ip_csum_ok(cap[0].data + 14));
	cr_assert_eq(cap[0].len, 74);
	/* label 101 lands the same destination in B */
	labels[0] = 101;
	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE2, SITE1, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].ifp, ce_b);
	cr_assert_arr_eq(cap[1].data, mac_ceb, 6);
}

Test(pipeline, egress_pop_forward_per_ce_label)
{
	struct tframe t;
	uint32_t labels[1] = { 102 };
	uint8_t ttls[1] = { 20 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE2, t_ip(172, 16, 0, 1), 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_b, "per-CE label forwards without a lookup");
	cr_assert_eq(cap[0].data[14 + 8], 19);
}

Test(pipeline, p_router_swap)
{
	struct tframe t;
	uint32_t labels[2] = { 16, 200 };
	uint8_t ttls[2] = { 63, 63 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 2, SITE1, SITE2, 63);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, core1);
	cr_assert_arr_eq(cap[0].data, mac_p2, 6);
	cr_assert_arr_eq(cap[0].data + 6, mac_core1, 6);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 17);
	cr_assert_eq(t_lse(cap[0].data, 0).ttl, 62);
	cr_assert(!t_lse(cap[0].data, 0).bos);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 200);
	cr_assert_eq(t_lse(cap[0].data, 1).ttl, 63);
}

Test(pipeline, p_router_php_exposes_inner_label)
{
	struct tframe t;
	uint32_t labels[2] = { 18, 200 };
	uint8_t ttls[2] = { 63, 63 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 2, SITE1, SITE2, 63);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, core1);
	cr_assert_eq(t_get16(cap[0].data + 12), ETHERTYPE_MPLS);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 200);
	cr_assert(t_lse(cap[0].data, 0).bos);
	cr_assert_eq(t_lse(cap[0].data, 0).ttl, 62, "popped TTL - 1 copied into the exposed label");
	cr_assert_eq(cap[0].len, 14 + 4 + 60);
}

Test(pipeline, p_router_php_of_last_label_exposes_ip)
{
	struct tframe t;
	uint32_t labels[1] = { 18 };
	uint8_t ttls[1] = { 5 };

	t_mpls_frame(&t, mac_core0, mac_p, labels, ttls, 1, SITE1, SITE2, 63);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(t_get16(cap[0].data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(cap[0].data[14 + 8], 4);
	cr_assert(t_ip_csum_ok(cap[0].data + 14));
}

Test(pipeline, ttl_expiry)
{
	struct tframe t;
	uint32_t l1[1] = { 100 }, l2[2] = { 16, 200 };
	uint8_t one[2] = { 1, 1 };

	uint8_t orig[60];

	/* from A's CE: time exceeded from fwd's address on A's link, back to the CE */
	memcpy(orig, t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 1), 60);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	expect_icmp(&cap[0], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 11, 0, 0, orig, 60, 1);
	memcpy(orig, t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 0), 60);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	expect_icmp(&cap[1], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 11, 0, 0, orig, 60, 0);
	/*
	 * A's per-VRF label with TTL 1 at this egress PE: the error is from A's
	 * address here, routed in A back to the sender behind the other PE.
	 */
	t_mpls_frame(&t, mac_core0, mac_p, l1, one, 1, SITE2, SITE1, 64);
	memcpy(orig, t.p.data + 14 + 4, 60);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[2].ifp, core0);
	cr_assert_eq(t_lse(cap[2].data, 0).label, 16);
	cr_assert_eq(t_lse(cap[2].data, 1).label, 200);
	cr_assert(t_lse(cap[2].data, 1).bos);
	cr_assert_eq(t_lse(cap[2].data, 1).ttl, 64, "pushed with the error's own TTL");
	/* the error itself, under the labels */
	memmove(cap[2].data + 14, cap[2].data + 22, cap[2].len - 22);
	cap[2].len -= 8;
	t_put16(cap[2].data + 12, FWD_ETHERTYPE_IPV4);
	expect_icmp(&cap[2], core0, mac_p, t_ip(10, 1, 1, 1), SITE2, 11, 0, 0, orig, 60, 64);
	/*
	 * a transit label (P role here): no VRF to answer from, so the error
	 * from core0's address goes on along the LSP under the same labels
	 * (fresh TTLs), for the egress PE to route back to the sender
	 */
	t_mpls_frame(&t, mac_core0, mac_p, l2, one, 2, SITE2, SITE1, 64);
	memcpy(orig, t.p.data + 14 + 8, 60);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_TTL_EXPIRED), 4);
	cr_assert_eq(n_cap, 4);
	cr_assert_eq(t_lse(cap[3].data, 0).label, 17, "swapped as the LFIB says");
	cr_assert_eq(t_lse(cap[3].data, 0).ttl, 254);
	cr_assert(!t_lse(cap[3].data, 0).bos);
	cr_assert_eq(t_lse(cap[3].data, 1).label, 200, "the VPN label kept");
	cr_assert_eq(t_lse(cap[3].data, 1).ttl, 255);
	cr_assert(t_lse(cap[3].data, 1).bos);
	memmove(cap[3].data + 14, cap[3].data + 22, cap[3].len - 22);
	cap[3].len -= 8;
	t_put16(cap[3].data + 12, FWD_ETHERTYPE_IPV4);
	expect_icmp(&cap[3], core1, mac_p2, t_ip(10, 0, 1, 1), SITE2, 11, 0, 0, orig, 60, 64);
	n_cap = 0;
	/* TTL 2 still makes it, leaving with 1 */
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 2);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 0).ttl, 1);
}

/* A frame of total IPv4 bytes from A's CE toward site 2, DF as given. */
static uint8_t *big_frame(struct tframe *t, size_t total, bool df)
{
	uint8_t *ip;

	t_eth(t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(t, SITE1, SITE2, 64, 17, total - 20);
	if (df) {
		ip[6] |= 0x40;
		t_put16(ip + 10, 0);
		t_put16(ip + 10, ipv4_checksum(ip, 20));
	}
	return ip;
}

Test(pipeline, fragmentation_needed_when_df_is_set)
{
	struct tframe t;
	uint8_t orig[548];

	core0->mtu = 1500;
	/* 1496 bytes + two labels > 1500: the sender learns it can send 1492 */
	memcpy(orig, big_frame(&t, 1496, true), sizeof(orig));
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 1);
	cr_assert_eq(n_cap, 1);
	orig[10] = orig[11] = 0; /* the quoted header has TTL 63 and its checksum */
	expect_icmp(&cap[0], ce_a, mac_cea, t_ip(10, 1, 1, 1), SITE1, 3, 4, 1492, orig,
		    sizeof(orig), 63);
	/* without DF: dropped only (fwd does not fragment) */
	big_frame(&t, 1496, false);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 2);
	/* 1492 fits */
	big_frame(&t, 1492, true);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].ifp, core0);
	cr_assert_eq(cap[1].len, 14 + 8 + 1492);
	cr_assert_eq(n_cap, 2);
}

Test(pipeline, icmp_errors_only_where_allowed)
{
	struct tframe t;
	uint8_t *ip;

	/* no error about an ICMP error (an unreachable that cannot be delivered) */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(&t, SITE1, t_ip(8, 8, 8, 8), 64, IPV4_PROTO_ICMP, 36);
	ip[20] = 3;
	t_put16(ip + 22, 0);
	t_put16(ip + 22, ipv4_checksum(ip + 20, 36));
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	/* but about a ping, yes */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, t_ip(8, 8, 8, 8), 64, IPV4_PROTO_ICMP, 36);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(n_cap, 1);
	/* nor about a fragment other than the first */
	ip = t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(8, 8, 8, 8), 64);
	t_put16(ip + 6, 0x0010);
	t_put16(ip + 10, 0);
	t_put16(ip + 10, ipv4_checksum(ip, 20));
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	/* nor to a source that is no single host */
	t_ip_frame(&t, mac_ce_a, mac_cea, t_ip(0, 0, 0, 0), t_ip(8, 8, 8, 8), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	t_ip_frame(&t, mac_ce_a, mac_cea, t_ip(224, 0, 0, 5), SITE2, 1);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	/* an error whose way back has no route is dropped, with no error about it */
	t_ip_frame(&t, mac_ce_a, mac_cea, t_ip(9, 9, 9, 9), t_ip(8, 8, 8, 8), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 6);
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(f->icmp_sent, 2);
}

Test(pipeline, icmp_errors_rate_limited)
{
	struct tframe t;
	int sent = 0;

	for (int i = 0; i < 2 * ICMP_BURST; i++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 1);
		sent += fwd_input(f, ce_a, &t.p) == FWD_SENT;
		n_cap = 0; /* the capture holds 32 */
	}
	cr_assert_eq(sent, ICMP_BURST, "a burst of %d, then none until time passes", ICMP_BURST);
	cr_assert_eq(f->icmp_limited, ICMP_BURST);
	cr_assert_eq(drops(FWD_DROP_TTL_EXPIRED), 2 * ICMP_BURST, "each counted as dropped");
	/* A's flood does not silence B: each VRF has its own bucket */
	t_ip_frame(&t, mac_ce_b, mac_ceb, SITE1, SITE2, 1);
	cr_assert_eq(fwd_input(f, ce_b, &t.p), FWD_SENT, "B's error held back by A's flood");
	n_cap = 0;
	f->now_ms += 10; /* 10 ms: 10 more at 1,000 a second */
	sent = 0;
	for (int i = 0; i < 2 * ICMP_BURST; i++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 1);
		sent += fwd_input(f, ce_a, &t.p) == FWD_SENT;
		n_cap = 0; /* the capture holds 32 */
	}
	cr_assert_eq(sent, 10 * ICMP_PER_SECOND / 1000);
}

Test(pipeline, expired_packets_for_us_are_taken_in)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t one[1] = { 1 };

	/* a ping to A's address here under A's label with TTL 1: answered, not expired */
	t_eth(&t, 64, mac_core0, mac_p, ETHERTYPE_MPLS);
	mpls_lse_encode(t.p.data + 14, &(struct mpls_lse){ .label = l[0], .bos = true, .ttl = one[0] });
	t.p.len += 4;
	t_ipv4(&t, SITE2, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 16);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(drops(FWD_DROP_TTL_EXPIRED), 0);
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 200, "the reply goes back to site 2 in A");
	cr_assert_eq(cap[0].data[14 + 8 + 20], 0, "an echo reply");
}

Test(pipeline, per_ce_label_ttl_expiry_answers_from_its_vrf)
{
	struct tframe t;
	uint32_t l[1] = { 102 };
	uint8_t one[1] = { 1 };
	uint8_t orig[60];

	/* label 102 pops to B's CE: the error comes from B's address, back through B */
	t_mpls_frame(&t, mac_core0, mac_p, l, one, 1, SITE2, SITE1, 64);
	memcpy(orig, t.p.data + 14 + 4, 60);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 0).label, 16);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 201, "B's route to site 2, not A's");
	memmove(cap[0].data + 14, cap[0].data + 22, cap[0].len - 22);
	cap[0].len -= 8;
	t_put16(cap[0].data + 12, FWD_ETHERTYPE_IPV4);
	expect_icmp(&cap[0], core0, mac_p, t_ip(10, 2, 1, 1), SITE2, 11, 0, 0, orig, 60, 64);
}

Test(pipeline, unknown_label_and_bad_stacks)
{
	struct tframe t;
	uint32_t l[2] = { 555, 200 }, l2[2] = { 100, 200 };
	uint8_t ttls[2] = { 9, 9 };

	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 2, 1, 2, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_UNKNOWN_LABEL), 1);
	/* reserved label 3 is never valid on the wire */
	l[0] = 3;
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 2, 1, 2, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_UNKNOWN_LABEL), 2);
	/* a per-VRF label with another label below it */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttls, 2, 1, 2, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_LABEL_STACK), 1);
	/* a per-VRF label over something that is not IPv4 */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttls, 1, 1, 2, 64);
	t.p.data[18] = 0x60;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_LABEL_STACK), 2);
	/* a per-VRF label over a broken IPv4 header */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttls, 1, 1, 2, 64);
	t.p.data[18 + 10] ^= 0x5A;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_IP_CHECKSUM), 1);
	cr_assert_eq(n_cap, 0);
}

Test(pipeline, truncated_and_malformed_frames)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 9 };

	for (size_t len = 0; len < 14; len++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
		t_ip_frame(&t, mac_core0, mac_p, SITE1, SITE2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	}
	cr_assert_eq(drops(FWD_DROP_TRUNCATED), 28);
	for (size_t len = 14; len < 18; len++) {
		t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, 1, 2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	}
	cr_assert_eq(drops(FWD_DROP_TRUNCATED), 32);
	for (size_t len = 14; len < 74; len++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
		t.p.len = len;
		cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED, "IPv4 cut at %zu", len);
	}
	cr_assert_eq(drops(FWD_DROP_TRUNCATED), 32 + 60);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	t.p.data[14] = 0x46;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	t.p.data[14 + 11] ^= 1;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_IP_CHECKSUM), 2);
	cr_assert_eq(n_cap, 0);
}

Test(pipeline, random_garbage_never_crashes)
{
	struct tframe t;
	uint64_t s = 42;
	struct fwd_iface *ifs[4] = { core0, core1, ce_a, ce_b };

	for (int i = 0; i < 20000; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		struct fwd_iface *ifp = ifs[(s >> 60) & 3];
		size_t len = (s >> 33) % 200;

		t_eth(&t, 64, ifp->mac, mac_p, (uint16_t)((s >> 40) & 1 ? 0x8847 : 0x0800));
		for (size_t j = 14; j < len; j++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			t.p.data[j] = (uint8_t)(s >> 56);
		}
		if (len > 14 && (s & 3) == 0)
			t.p.data[14] = 0x45; /* get past the version check now and then */
		t.p.len = len;
		fwd_input(f, ifp, &t.p);
		n_cap = 0;
	}
}

Test(pipeline, ipv4_on_core_is_left_to_the_kernel)
{
	struct tframe t;

	t_ip_frame(&t, mac_core0, mac_p, P_ADDR, t_ip(10, 0, 1, 1), 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_IGNORED);
	t_eth(&t, 64, mac_core0, mac_p, 0x86DD);
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_IGNORED);
	cr_assert_eq(total_drops(), 0);
	cr_assert_eq(core0->rx_packets, 2);
}

Test(pipeline, access_non_ip_is_dropped_and_counted)
{
	struct tframe t;

	t_eth(&t, 64, mac_ce_a, mac_cea, 0x86DD);
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	t_eth(&t, 64, mac_ce_a, mac_cea, ETHERTYPE_MPLS);
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_UNSUPPORTED), 2);
}

Test(pipeline, frames_for_other_macs_are_ignored)
{
	struct tframe t;

	t_ip_frame(&t, mac_p, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_IGNORED);
	cr_assert_eq(n_cap, 0);
	cr_assert_eq(total_drops(), 0);
}

Test(pipeline, mtu_exceeded_after_push)
{
	struct tframe t;

	core0->mtu = 1500;
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 1480);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_MTU_EXCEEDED), 1);
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 1472);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT, "1492 + 8 fits");
}

Test(pipeline, ethernet_padding_is_not_forwarded)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 9 };

	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, SITE1, SITE2, 64, 17, 8); /* 28-byte packet in a 60-byte frame */
	t.p.len = 60;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].len, 14 + 8 + 28);
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, SITE2, SITE1, 64);
	t.p.len += 10;
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].len, 14 + 60);
}

Test(pipeline, ping_to_own_address)
{
	struct tframe t;
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 50 };

	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, CEA_ADDR, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 32);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(cap[0].ifp, ce_a);
	cr_assert_arr_eq(cap[0].data, mac_cea, 6);
	cr_assert_eq(cap[0].data[14 + 20], 0, "echo reply");
	cr_assert_eq(t_get32(cap[0].data + 14 + 16), CEA_ADDR);
	/* from the remote site, through the core: the reply goes back labeled */
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, SITE2, t_ip(10, 1, 1, 1), 64);
	t.p.len -= 60;
	t_ipv4(&t, SITE2, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 32);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	cr_assert_eq(cap[1].ifp, core0);
	cr_assert_eq(t_lse(cap[1].data, 1).label, 200);
	/* anything else addressed to fwd is dropped */
	t_ip_frame(&t, mac_ce_a, mac_cea, CEA_ADDR, t_ip(10, 1, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_TO_SELF), 1);
}

Test(pipeline, arp_answers_own_address_on_access_only)
{
	static const uint8_t newcomer[6] = { 2, 0, 0, 0, 0x55, 5 };

	cr_assert_eq(arp_in(ce_a, 1, newcomer, t_ip(10, 1, 1, 3), bcast, t_ip(10, 1, 1, 1)),
		     FWD_SENT);
	cr_assert_eq(n_cap, 1);
	const uint8_t *a = cap[0].data + 14;
	cr_assert_arr_eq(cap[0].data, newcomer, 6);
	cr_assert_eq(t_get16(cap[0].data + 12), FWD_ETHERTYPE_ARP);
	cr_assert_eq(t_get16(a + 6), 2, "reply");
	cr_assert_arr_eq(a + 8, mac_ce_a, 6);
	cr_assert_eq(t_get32(a + 14), t_ip(10, 1, 1, 1));
	cr_assert_arr_eq(a + 18, newcomer, 6);
	cr_assert_eq(t_get32(a + 24), t_ip(10, 1, 1, 3));
	cr_assert_eq(arp_find(ce_a, t_ip(10, 1, 1, 3))->state, ARP_REACHABLE, "requester learned");
	/* not our address: no answer (a stranger's request is ignored altogether) */
	arp_in(ce_a, 1, newcomer, t_ip(10, 1, 1, 3), bcast, t_ip(10, 1, 1, 2));
	cr_assert_eq(n_cap, 1);
	cr_assert_eq(arp_in(ce_a, 1, newcomer, t_ip(10, 1, 1, 9), bcast, t_ip(10, 1, 1, 2)),
		     FWD_IGNORED);
	cr_assert_null(arp_find(ce_a, t_ip(10, 1, 1, 9)));
	/* the kernel owns core addresses: fwd never answers there */
	cr_assert_eq(arp_in(core0, 1, mac_p, P_ADDR, bcast, t_ip(10, 0, 1, 1)), FWD_CONSUMED);
	cr_assert_eq(n_cap, 1);
	/* core: an unknown neighbour's request teaches nothing */
	arp_in(core0, 1, newcomer, t_ip(10, 0, 1, 3), bcast, t_ip(10, 0, 1, 1));
	cr_assert_null(arp_find(core0, t_ip(10, 0, 1, 3)));
	/* malformed ARP on an access link is counted */
	struct tframe t;
	t_eth(&t, 64, bcast, newcomer, FWD_ETHERTYPE_ARP);
	t.p.len = 30;
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BAD_ARP), 1);
}

Test(pipeline, arp_resolution_queue_and_release)
{
	struct tframe t;
	static const uint8_t host[6] = { 2, 0, 0, 0, 0x77, 7 };
	int i;

	/* a connected destination with no ARP entry yet */
	for (i = 0; i < 6; i++) {
		t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(10, 1, 1, 3), 64);
		t.p.data[14 + 20] = (uint8_t)i; /* tell the frames apart */
		t.p.data[14 + 10] = t.p.data[14 + 11] = 0;
		t_put16(t.p.data + 24, ipv4_checksum(t.p.data + 14, 20));
		cr_assert_eq(fwd_input(f, ce_a, &t.p), i < ARP_QUEUE_MAX ? FWD_QUEUED : FWD_DROPPED);
	}
	cr_assert_eq(drops(FWD_DROP_ARP_QUEUE_FULL), 2);
	cr_assert_eq(n_cap, 1, "one request");
	const uint8_t *a = cap[0].data + 14;
	cr_assert_arr_eq(cap[0].data, bcast, 6);
	cr_assert_eq(t_get16(a + 6), 1);
	cr_assert_eq(t_get32(a + 14), t_ip(10, 1, 1, 1), "asked from our access address");
	cr_assert_eq(t_get32(a + 24), t_ip(10, 1, 1, 3));
	cr_assert_eq(cap[0].len, 60);
	cr_assert_eq(arp_in(ce_a, 2, host, t_ip(10, 1, 1, 3), mac_ce_a, t_ip(10, 1, 1, 1)),
		     FWD_CONSUMED);
	cr_assert_eq(n_cap, 1 + ARP_QUEUE_MAX);
	for (i = 0; i < ARP_QUEUE_MAX; i++) {
		cr_assert_arr_eq(cap[1 + i].data, host, 6);
		cr_assert_eq(cap[1 + i].data[14 + 20], i, "in order");
	}
}

Test(pipeline, arp_core_request_from_core_address)
{
	struct tframe t;

	arp_flush(f, core0);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_QUEUED);
	cr_assert_eq(cap[0].ifp, core0);
	cr_assert_eq(t_get32(cap[0].data + 14 + 14), t_ip(10, 0, 1, 1));
	/* a gratuitous request from the neighbour resolves it too */
	arp_in(core0, 1, mac_p, P_ADDR, bcast, P_ADDR);
	cr_assert_eq(n_cap, 2);
	cr_assert_arr_eq(cap[1].data, mac_p, 6);
	cr_assert_eq(t_get16(cap[1].data + 12), ETHERTYPE_MPLS);
}

Test(pipeline, arp_retries_then_fails_then_ages)
{
	struct tframe t;

	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(10, 1, 1, 3), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_QUEUED);
	for (int i = 0; i < 5; i++) {
		f->now_ms += ARP_RETRY_MS;
		arp_tick(f, ce_a);
	}
	cr_assert_eq(n_cap, ARP_MAX_TRIES, "bounded retries");
	cr_assert_eq(arp_find(ce_a, t_ip(10, 1, 1, 3))->state, ARP_FAILED);
	cr_assert_eq(drops(FWD_DROP_ARP_FAILED), 1);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(10, 1, 1, 3), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_ARP_FAILED), 2);
	f->now_ms += ARP_FAILED_HOLD_MS;
	arp_tick(f, ce_a);
	cr_assert_null(arp_find(ce_a, t_ip(10, 1, 1, 3)), "failed entry forgotten");
	/* reachable entries age out after arp_timeout */
	cr_assert_not_null(arp_find(ce_a, CEA_ADDR));
	f->now_ms += (uint64_t)f->arp_timeout_s * 1000;
	arp_tick(f, ce_a);
	cr_assert_null(arp_find(ce_a, CEA_ADDR));
}

Test(pipeline, tx_failure_is_counted)
{
	struct tframe t;

	fail_output = 1;
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_TX_ERROR), 1);
	cr_assert_eq(core0->tx_packets, 0);
}

Test(pipeline, next_hop_placeholder_until_announced)
{
	struct tframe t;

	add_route(1, t_ip(172, 16, 0, 0), 16, 99, 300);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_NEXTHOP), 1);
	add_nh(99, IPC_NH_LABELED, P_ADDR, 16, "core0");
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[0].data, 1).label, 300);
	/* a next hop update (new LSP label) applies to every route using it */
	add_nh(99, IPC_NH_LABELED, P_ADDR, 40, "core0");
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_SENT);
	cr_assert_eq(t_lse(cap[1].data, 0).label, 40);
	/* drop next hops count as blackhole */
	add_nh(99, IPC_NH_DROP, 0, 0, "");
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, t_ip(172, 16, 1, 1), 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_BLACKHOLE), 1);
}

Test(pipeline, unbound_interface_forwards_nothing)
{
	struct tframe t;
	struct ipc_if_bind b = { .vrf_id = 1 };

	strcpy(b.ifname, "ce-a1");
	t_apply(f, IPC_IF_UNBIND, &b, sizeof(b));
	cr_assert(!ce_a->active);
	t_ip_frame(&t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
	cr_assert_eq(fwd_input(f, ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_ROUTE), 1);
	/* and traffic toward it has no usable next hop */
	t_ip_frame(&t, mac_core0, mac_p, SITE2, SITE1, 64);
	uint32_t l[1] = { 100 };
	uint8_t ttls[1] = { 9 };
	t_mpls_frame(&t, mac_core0, mac_p, l, ttls, 1, SITE2, SITE1, 64);
	cr_assert_eq(fwd_input(f, core0, &t.p), FWD_DROPPED);
	cr_assert_eq(drops(FWD_DROP_NO_NEXTHOP), 1);
}

Test(pipeline, core_interface_cannot_be_bound)
{
	bind_if("core0", 1, t_ip(10, 9, 9, 9));
	cr_assert_eq(core0->role, FWD_IF_CORE);
	cr_assert_eq(core0->addr, t_ip(10, 0, 1, 1));
}
