/*
 * The PE both pipeline test files use (test_fwd_pipeline.c,
 * test_fwd_pipeline_icmp.c): VRFs A and B programmed through apply_msg as
 * vrfmgr would, P-style label entries, and the output hook capturing every
 * frame sent. Everything here is static (inline): each file gets its own.
 */
#ifndef TEST_FWD_PE_H
#define TEST_FWD_PE_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/fib.h"
#include "fwd/lfib.h"
#include "fwd/mpls.h"
#include "fwd/nexthop.h"
#include "fwd/pipeline.h"
#include "test_fwd_addrs.h"
#include "test_fwd_util.h"

#define MAX_CAP 32

struct capture {
	struct fwd_iface *ifp;
	uint8_t data[T_BUF];
	size_t len;
};

static __attribute__((unused)) struct capture cap[MAX_CAP];
static __attribute__((unused)) int n_cap;
static __attribute__((unused)) int fail_output;

static inline int cap_output(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
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

static __attribute__((unused)) struct fwd *f;
static __attribute__((unused)) struct fwd_iface *core0, *core1, *ce_a, *ce_b;

static inline void bind_if(const char *name, uint32_t vrf, uint32_t addr)
{
	struct ipc_if_bind b = { .vrf_id = vrf, .address = addr, .plen = 30 };

	strcpy(b.ifname, name);
	t_apply(f, IPC_IF_BIND, &b, sizeof(b));
}

static inline void add_nh(uint32_t id, uint32_t type, uint32_t gw, uint32_t label, const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	strcpy(n.ifname, ifname);
	t_apply(f, IPC_NH_ADD, &n, sizeof(n));
}

static inline void add_route(uint32_t vrf, uint32_t prefix, uint8_t plen, uint32_t nh, uint32_t inner)
{
	struct ipc_fib_entry e = { .vrf_id = vrf, .prefix = prefix, .plen = plen, .nh_id = nh,
				   .inner_label = inner };

	t_apply(f, IPC_FIB_ADD, &e, sizeof(e));
}

static inline void add_label(uint32_t in, uint32_t action, uint32_t vrf, uint32_t nh, uint32_t out)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf, .nh_id = nh,
				    .out_label = out };

	t_apply(f, IPC_LFIB_ADD, &e, sizeof(e));
}

static inline struct fwd_iface *core_if(const char *name, const uint8_t *mac, uint32_t addr)
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
static inline enum fwd_verdict arp_in(struct fwd_iface *ifp, uint16_t op, const uint8_t *smac,
			       uint32_t sip, const uint8_t *dmac, uint32_t tip)
{
	struct tframe t;

	t_arp(&t, dmac, smac, op, sip, NULL, tip);
	return fwd_input(f, ifp, &t.p);
}

/* Makes ifp's ARP entry for ip reachable as a neighbour would (request, then reply). */
static inline void learn(struct fwd_iface *ifp, uint32_t ip, const uint8_t *mac)
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

static inline void setup(void)
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

static inline void teardown(void)
{
	fwd_free(f);
	f = NULL;
}

static inline uint64_t drops(enum fwd_drop d)
{
	return f->drops[d];
}

static inline uint64_t total_drops(void)
{
	uint64_t n = 0;

	for (int i = 0; i < FWD_DROP_MAX; i++)
		n += f->drops[i];
	return n;
}

/*
 * c is an ICMP error of type/code from src to dst, sent on ifp to mac, that
 * quotes the packet orig (its quote bytes; the TTL byte and the header
 * checksum as the packet was when it was dropped: ttl).
 */
static inline void expect_icmp(const struct capture *c, const struct fwd_iface *ifp, const uint8_t *mac,
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

#endif
