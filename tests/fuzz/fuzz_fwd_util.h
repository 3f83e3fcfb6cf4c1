/*
 * Shared by the fwd harnesses and the seed writer: a PE programmed the way
 * vrfmgr would (VRFs A and B, their attachment links, routes with labels,
 * per-VRF and per-CE labels, P-style swap entries, resolved neighbours),
 * built through apply_msg and the pipeline itself, and the frame record
 * format the fwd_frame harness reads.
 *
 * Frame records (fwd_frame input after its first byte): one byte naming the
 * receiving interface (index mod FZ_N_IFS into fz_if_names), a 2-byte
 * big-endian length, then that many frame bytes (fewer when the input ends).
 */
#ifndef FUZZ_FWD_UTIL_H
#define FUZZ_FWD_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipc.h"
#include "common/label.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/fwd.h"
#include "fwd/ipv4.h"
#include "fwd/pipeline.h"

#define FZ_N_IFS 4
static const char *const fz_if_names[FZ_N_IFS] = { "core0", "core1", "ce-a1", "ce-b1" };

#define FZ_IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define FZ_P_ADDR FZ_IP(10, 0, 1, 2)
#define FZ_P2_ADDR FZ_IP(10, 0, 2, 2)
#define FZ_CEA_ADDR FZ_IP(10, 1, 1, 2)
#define FZ_CEB_ADDR FZ_IP(10, 2, 1, 2)

static const uint8_t fz_mac_if[FZ_N_IFS][6] = {
	{ 2, 0, 0, 0, 0xc0, 0 }, { 2, 0, 0, 0, 0xc1, 0 },
	{ 2, 0, 0, 0, 0xa1, 0 }, { 2, 0, 0, 0, 0xb1, 0 } };
/* the neighbour on each interface: P, P2, CE of A, CE of B */
static const uint8_t fz_mac_nb[FZ_N_IFS][6] = {
	{ 2, 0, 0, 0, 0x99, 1 }, { 2, 0, 0, 0, 0x99, 2 },
	{ 2, 0, 0, 0, 0xaa, 2 }, { 2, 0, 0, 0, 0xbb, 2 } };
static const uint32_t fz_nb_addr[FZ_N_IFS] = { FZ_P_ADDR, FZ_P2_ADDR, FZ_CEA_ADDR, FZ_CEB_ADDR };
static const uint32_t fz_if_addr[FZ_N_IFS] = { FZ_IP(10, 0, 1, 1), FZ_IP(10, 0, 2, 1),
					       FZ_IP(10, 1, 1, 1), FZ_IP(10, 2, 1, 1) };

static inline void fz_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fz_put32(uint8_t *p, uint32_t v)
{
	fz_put16(p, (uint16_t)(v >> 16));
	fz_put16(p + 2, (uint16_t)v);
}

static inline void fz_msg(struct fwd *f, uint16_t type, const void *payload, uint32_t len)
{
	if (!ipc_payload_ok(type, payload, len))
		abort(); /* the fixture itself is wrong */
	apply_msg(f, type, payload, len);
}

static inline void fz_nh(struct fwd *f, uint32_t id, uint32_t type, uint32_t gw, uint32_t label,
			 const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	strcpy(n.ifname, ifname);
	fz_msg(f, IPC_NH_ADD, &n, sizeof(n));
}

static inline void fz_route(struct fwd *f, uint32_t vrf, uint32_t prefix, uint8_t plen,
			    uint32_t nh, uint32_t inner)
{
	struct ipc_fib_entry e = { .vrf_id = vrf, .prefix = prefix, .plen = plen, .nh_id = nh,
				   .inner_label = inner };

	fz_msg(f, IPC_FIB_ADD, &e, sizeof(e));
}

static inline void fz_label(struct fwd *f, uint32_t in, uint32_t action, uint32_t vrf,
			    uint32_t nh, uint32_t out)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf, .nh_id = nh,
				    .out_label = out };

	fz_msg(f, IPC_LFIB_ADD, &e, sizeof(e));
}

/* Core interfaces as the config would give them (active, addressed, MTU 1600). */
static inline int fz_core_ifs(struct fwd *f)
{
	for (int i = 0; i < 2; i++) {
		struct fwd_iface *ifp = fwd_iface_get(f, fz_if_names[i], FWD_IF_CORE);

		if (ifp == NULL)
			return -1;
		memcpy(ifp->mac, fz_mac_if[i], 6);
		ifp->addr = fz_if_addr[i];
		ifp->plen = 30;
		ifp->mtu = 1600;
		ifp->active = true;
	}
	return 0;
}

/* An ARP reply from neighbour i to us, fed through the pipeline. */
static inline void fz_arp_reply(struct fwd *f, struct fwd_iface *ifp, int i)
{
	uint8_t buf[FWD_HEADROOM + 64];
	struct fwd_pkt p = { .data = buf + FWD_HEADROOM, .len = 60, .headroom = FWD_HEADROOM };
	uint8_t *a = p.data + 14;

	memset(buf, 0, sizeof(buf));
	memcpy(p.data, ifp->mac, 6);
	memcpy(p.data + 6, fz_mac_nb[i], 6);
	fz_put16(p.data + 12, FWD_ETHERTYPE_ARP);
	fz_put16(a, 1);
	fz_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	fz_put16(a + 6, 2);
	memcpy(a + 8, fz_mac_nb[i], 6);
	fz_put32(a + 14, fz_nb_addr[i]);
	memcpy(a + 18, ifp->mac, 6);
	fz_put32(a + 24, ifp->addr);
	fwd_input(f, ifp, &p);
}

/* Resolves neighbour i: a frame waits for it (ARP request), then its reply. */
static inline void fz_learn(struct fwd *f, int i)
{
	struct fwd_iface *ifp = fwd_iface_find(f, fz_if_names[i]);
	uint8_t buf[FWD_HEADROOM + 64];
	struct fwd_pkt p = { .data = buf + FWD_HEADROOM, .len = 34, .headroom = FWD_HEADROOM };

	if (ifp == NULL)
		return;
	memset(buf, 0, sizeof(buf));
	fz_put16(p.data + 12, FWD_ETHERTYPE_IPV4);
	arp_output(f, ifp, fz_nb_addr[i], &p);
	fz_arp_reply(f, ifp, i);
}

/*
 * The lab's PE1 in small: VRF A (id 1) on ce-a1, VRF B (id 2) on ce-b1; both
 * hold 192.168.100.0/24 via their CE and 192.168.101.0/24 through core0 with
 * label 16 over inner 200 (A) / 201 (B); B alone has 192.168.102.0/24
 * (implicit-null LSP, inner 202). LFIB: 100/101 pop and look up in A/B, 102
 * pop and forward to B's CE, 16 swap to 17 out of core1, 18 PHP.
 */
static inline void fz_program_pe(struct fwd *f)
{
	struct ipc_vrf va = { .vrf_id = 1, .name = "A" }, vb = { .vrf_id = 2, .name = "B" };
	struct ipc_if_bind ba = { .vrf_id = 1, .address = fz_if_addr[2], .plen = 30,
				  .ifname = "ce-a1" };
	struct ipc_if_bind bb = { .vrf_id = 2, .address = fz_if_addr[3], .plen = 30,
				  .ifname = "ce-b1" };

	fz_msg(f, IPC_REPLAY_BEGIN, NULL, 0);
	fz_msg(f, IPC_VRF_ADD, &va, sizeof(va));
	fz_msg(f, IPC_VRF_ADD, &vb, sizeof(vb));
	fz_msg(f, IPC_IF_BIND, &ba, sizeof(ba));
	fz_msg(f, IPC_IF_BIND, &bb, sizeof(bb));
	fz_nh(f, 1, IPC_NH_CONNECTED, 0, 0, "ce-a1");
	fz_nh(f, 2, IPC_NH_GATEWAY, FZ_CEA_ADDR, 0, "ce-a1");
	fz_nh(f, 3, IPC_NH_LABELED, FZ_P_ADDR, 16, "core0");
	fz_nh(f, 4, IPC_NH_CONNECTED, 0, 0, "ce-b1");
	fz_nh(f, 5, IPC_NH_GATEWAY, FZ_CEB_ADDR, 0, "ce-b1");
	fz_nh(f, 6, IPC_NH_GATEWAY, FZ_P2_ADDR, 0, "core1");
	fz_nh(f, 7, IPC_NH_LABELED, FZ_P_ADDR, MPLS_LABEL_IMPLICIT_NULL, "core0");
	fz_nh(f, 8, IPC_NH_DROP, 0, 0, "");
	fz_nh(f, 9, IPC_NH_LOCAL, 0, 0, "");
	fz_route(f, 1, FZ_IP(10, 1, 1, 0), 30, 1, MPLS_LABEL_NONE);
	fz_route(f, 1, FZ_IP(192, 168, 100, 0), 24, 2, MPLS_LABEL_NONE);
	fz_route(f, 1, FZ_IP(192, 168, 101, 0), 24, 3, 200);
	fz_route(f, 1, FZ_IP(10, 99, 0, 0), 16, 8, MPLS_LABEL_NONE);
	fz_route(f, 2, FZ_IP(10, 2, 1, 0), 30, 4, MPLS_LABEL_NONE);
	fz_route(f, 2, FZ_IP(192, 168, 100, 0), 24, 5, MPLS_LABEL_NONE);
	fz_route(f, 2, FZ_IP(192, 168, 101, 0), 24, 3, 201);
	fz_route(f, 2, FZ_IP(192, 168, 102, 0), 24, 7, 202);
	fz_route(f, 2, FZ_IP(10, 2, 1, 1), 32, 9, MPLS_LABEL_NONE);
	fz_label(f, 100, IPC_LFIB_POP_LOOKUP, 1, 0, 0);
	fz_label(f, 101, IPC_LFIB_POP_LOOKUP, 2, 0, 0);
	fz_label(f, 102, IPC_LFIB_POP_FORWARD, 0, 5, 0);
	fz_label(f, 16, IPC_LFIB_SWAP, 0, 6, 17);
	fz_label(f, 18, IPC_LFIB_SWAP, 0, 6, MPLS_LABEL_IMPLICIT_NULL);
	fz_msg(f, IPC_REPLAY_END, NULL, 0);
}

/* Access interfaces get their MAC and MTU as the I/O backend would give them. */
static inline void fz_access_ifs(struct fwd *f)
{
	for (int i = 2; i < FZ_N_IFS; i++) {
		struct fwd_iface *ifp = fwd_iface_find(f, fz_if_names[i]);

		if (ifp != NULL) {
			memcpy(ifp->mac, fz_mac_if[i], 6);
			ifp->mtu = 1500;
		}
	}
}

/*
 * Back to the fixture's state without a new struct fwd (fwd_new/fwd_free per
 * input cost more than the frames): a replay re-sends the fixture and sweeps
 * what an input added, every ARP table is emptied and the neighbours are
 * learned again, counters restart. What is left (interfaces an input named,
 * inactive; id free lists) does not change what the tables answer.
 */
static inline void fz_reset(struct fwd *f)
{
	f->now_ms = 1000000;
	fz_program_pe(f);
	fz_access_ifs(f);
	for (size_t i = 0; i < f->n_ifaces; i++) {
		struct fwd_iface *ifp = f->ifaces[i];

		arp_flush(f, ifp);
		ifp->rx_packets = ifp->rx_bytes = ifp->tx_packets = ifp->tx_bytes = 0;
	}
	for (int i = 0; i < FZ_N_IFS; i++)
		fz_learn(f, i);
	memset(f->drops, 0, sizeof(f->drops));
}

#endif
