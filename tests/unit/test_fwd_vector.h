/*
 * What both vector-path test files use (test_fwd_vector.c,
 * test_fwd_vector_random.c): two twin PEs (pe1 runs the vector path, pe2
 * pipeline.c alone: the reference) programmed through apply_msg as vrfmgr
 * would, the output hook capturing every frame sent, frame builders, and
 * batches run through both PEs and compared (bytes, verdicts, counters).
 * Everything here is static (inline): each file gets its own.
 */
#ifndef TEST_FWD_VECTOR_H
#define TEST_FWD_VECTOR_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/pipeline.h"
#include "fwd/punt.h"
#include "test_fwd_addrs.h"
#include "test_fwd_util.h"

#define MAX_OUT 2048
/* a batch: two of vector.c's chunks (VEC 256) and one frame more */
#define BATCH_MAX 513

struct out {
	struct fwd_iface *ifp;
	uint8_t data[T_BUF];
	size_t len;
};

/* One PE under test and what it sent. */
struct pe {
	struct fwd *f;
	struct fwd_iface *core0, *core1, *ce_a, *ce_b;
	struct out out[MAX_OUT];
	int n_out;
};

static __attribute__((unused)) struct pe pe1, pe2;

static inline int capture(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	struct pe *pe = ctx;

	cr_assert(pe->n_out < MAX_OUT);
	cr_assert(len <= T_BUF);
	pe->out[pe->n_out].ifp = ifp;
	memcpy(pe->out[pe->n_out].data, frame, len);
	pe->out[pe->n_out].len = len;
	pe->n_out++;
	return 0;
}

static inline void msg(struct pe *pe, uint16_t type, const void *payload, uint32_t len)
{
	cr_assert(ipc_payload_ok(type, payload, len), "payload of %s", ipc_type_name(type));
	apply_msg(pe->f, type, payload, len);
}

static inline void nh(struct pe *pe, uint32_t id, uint32_t type, uint32_t gw, uint32_t label,
		      const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	strcpy(n.ifname, ifname);
	msg(pe, IPC_NH_ADD, &n, sizeof(n));
}

static inline void route(struct pe *pe, uint32_t vrf, uint32_t prefix, uint8_t plen, uint32_t nh_id,
			 uint32_t inner)
{
	struct ipc_fib_entry e = { .vrf_id = vrf, .prefix = prefix, .plen = plen, .nh_id = nh_id,
				   .inner_label = inner };

	msg(pe, IPC_FIB_ADD, &e, sizeof(e));
}

static inline void label(struct pe *pe, uint32_t in, uint32_t action, uint32_t vrf, uint32_t nh_id,
			 uint32_t out)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf,
				    .nh_id = nh_id, .out_label = out };

	msg(pe, IPC_LFIB_ADD, &e, sizeof(e));
}

static inline struct fwd_iface *core_if(struct pe *pe, const char *name, const uint8_t *mac,
					uint32_t addr)
{
	struct fwd_iface *ifp = fwd_iface_get(pe->f, name, FWD_IF_CORE);

	memcpy(ifp->mac, mac, 6);
	ifp->addr = addr;
	ifp->plen = 30;
	ifp->mtu = 1600;
	ifp->active = true;
	return ifp;
}

static inline struct fwd_iface *access_if(struct pe *pe, const char *name, uint32_t vrf,
					  uint32_t addr, const uint8_t *mac)
{
	struct ipc_if_bind b = { .vrf_id = vrf, .address = addr, .plen = 30 };
	struct fwd_iface *ifp;

	strcpy(b.ifname, name);
	msg(pe, IPC_IF_BIND, &b, sizeof(b));
	ifp = fwd_iface_find(pe->f, name);
	memcpy(ifp->mac, mac, 6);
	ifp->mtu = 1500;
	return ifp;
}

/* An ARP frame into ifp (op 1 request, 2 reply), as the neighbour sends it. */
static inline void arp_in(struct pe *pe, struct fwd_iface *ifp, uint16_t op, const uint8_t *smac,
			  uint32_t sip, uint32_t tip)
{
	struct tframe t;

	t_arp(&t, op == 1 ? bcast : ifp->mac, smac, op, sip, NULL, tip);
	fwd_input(pe->f, ifp, &t.p);
}

/* Makes ifp's neighbour ip reachable: fwd asks (a frame waits), the neighbour answers. */
static inline void learn(struct pe *pe, struct fwd_iface *ifp, uint32_t ip, const uint8_t *mac)
{
	struct tframe t;

	t_eth(&t, 64, bcast, bcast, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, 2, 64, 17, 10);
	arp_output(pe->f, ifp, ip, &t.p);
	arp_in(pe, ifp, 2, mac, ip, ifp->addr);
	cr_assert_eq(arp_find(ifp, ip)->state, ARP_REACHABLE);
}

static inline void warm_up(struct pe *pe);

static inline void pe_setup(struct pe *pe)
{
	struct fwd_hooks hooks = { .output = capture, .ctx = pe };
	struct ipc_vrf a = { .vrf_id = 1, .name = "A" }, b = { .vrf_id = 2, .name = "B" };

	memset(pe, 0, sizeof(*pe));
	pe->f = fwd_new(&hooks, 300);
	cr_assert_not_null(pe->f);
	pe->f->now_ms = 1000000;
	pe->core0 = core_if(pe, "core0", mac_core0, t_ip(10, 0, 1, 1));
	pe->core1 = core_if(pe, "core1", mac_core1, t_ip(10, 0, 2, 1));
	msg(pe, IPC_VRF_ADD, &a, sizeof(a));
	msg(pe, IPC_VRF_ADD, &b, sizeof(b));
	pe->ce_a = access_if(pe, "ce-a1", 1, t_ip(10, 1, 1, 1), mac_ce_a);
	pe->ce_b = access_if(pe, "ce-b1", 2, t_ip(10, 2, 1, 1), mac_ce_b);
	nh(pe, 1, IPC_NH_CONNECTED, 0, 0, "ce-a1");
	nh(pe, 2, IPC_NH_GATEWAY, CEA_ADDR, 0, "ce-a1");
	nh(pe, 3, IPC_NH_LABELED, P_ADDR, 16, "core0");
	nh(pe, 5, IPC_NH_GATEWAY, CEB_ADDR, 0, "ce-b1");
	nh(pe, 6, IPC_NH_GATEWAY, P2_ADDR, 0, "core1");
	nh(pe, 7, IPC_NH_LABELED, P_ADDR, MPLS_LABEL_IMPLICIT_NULL, "core0");
	nh(pe, 8, IPC_NH_DROP, 0, 0, "");
	nh(pe, 9, IPC_NH_GATEWAY, t_ip(10, 2, 1, 3), 0, "ce-b1");
	route(pe, 1, t_ip(10, 1, 1, 0), 30, 1, MPLS_LABEL_NONE);
	route(pe, 1, t_ip(192, 168, 100, 0), 24, 2, MPLS_LABEL_NONE);
	route(pe, 1, t_ip(192, 168, 101, 0), 24, 3, 200);
	route(pe, 1, t_ip(192, 168, 66, 0), 24, 8, MPLS_LABEL_NONE);
	route(pe, 2, t_ip(192, 168, 100, 0), 24, 5, MPLS_LABEL_NONE);
	route(pe, 2, t_ip(192, 168, 101, 0), 24, 3, 201);
	route(pe, 2, t_ip(192, 168, 102, 0), 24, 7, 202);
	label(pe, 100, IPC_LFIB_POP_LOOKUP, 1, 0, 0);
	label(pe, 101, IPC_LFIB_POP_LOOKUP, 2, 0, 0);
	label(pe, 16, IPC_LFIB_SWAP, 0, 6, 17);
	label(pe, 18, IPC_LFIB_SWAP, 0, 6, MPLS_LABEL_IMPLICIT_NULL);
	label(pe, 102, IPC_LFIB_POP_FORWARD, 0, 5, 0);
	/* per-CE labels whose next hop the output step cannot finish alone */
	label(pe, 103, IPC_LFIB_POP_FORWARD, 0, 3, 0); /* labeled */
	label(pe, 104, IPC_LFIB_POP_FORWARD, 0, 1, 0); /* connected */
	label(pe, 105, IPC_LFIB_POP_FORWARD, 0, 8, 0); /* drop */
	label(pe, 106, IPC_LFIB_POP_FORWARD, 0, 9, 0); /* gateway without a MAC */
	learn(pe, pe->core0, P_ADDR, mac_p);
	learn(pe, pe->core1, P2_ADDR, mac_p2);
	learn(pe, pe->ce_a, CEA_ADDR, mac_cea);
	learn(pe, pe->ce_b, CEB_ADDR, mac_ceb);
	warm_up(pe); /* next hops learn their MACs on a first, slow frame */
	pe->n_out = 0;
	pe->f->fast = 0;
	memset(pe->f->drops, 0, sizeof(pe->f->drops));
	for (size_t i = 0; i < pe->f->n_ifaces; i++)
		pe->f->ifaces[i]->rx_packets = pe->f->ifaces[i]->rx_bytes =
			pe->f->ifaces[i]->tx_packets = pe->f->ifaces[i]->tx_bytes = 0;
}

static inline void setup(void)
{
	log_init("test_fwd_vector", LOG_LVL_WARN);
	pe_setup(&pe1);
	pe_setup(&pe2);
	pe2.f->slow_only = true; /* the reference: pipeline.c alone */
}

static inline void teardown(void)
{
	fwd_free(pe1.f);
	fwd_free(pe2.f);
}

/* A UDP frame whose bytes we can predict: headroom 64, IPv4 with the given TTL. */
static inline void udp_frame(struct tframe *t, const uint8_t *dmac, const uint8_t *smac,
			     uint32_t dst, uint8_t ttl)
{
	t_eth(t, 64, dmac, smac, FWD_ETHERTYPE_IPV4);
	t_ipv4(t, t_ip(192, 168, 100, 10), dst, ttl, 17, 26);
}

static inline void put_lse(uint8_t *p, uint32_t label, uint8_t tc, bool bos, uint8_t ttl)
{
	struct mpls_lse e = { .label = label, .tc = tc, .bos = bos, .ttl = ttl };

	mpls_lse_encode(p, &e);
}

/* The expected output: Ethernet (dst, src, type), label entries, then the IPv4 packet. */
static inline size_t expect(uint8_t *buf, const uint8_t *dmac, const uint8_t *smac, uint16_t type,
			    const uint32_t *labels, const uint8_t *ttls, size_t n, uint8_t ip_ttl,
			    uint32_t dst)
{
	struct tframe t;
	size_t len;

	t_eth(&t, 64, dmac, smac, type);
	t.p.len += 4 * n;
	t_ipv4(&t, t_ip(192, 168, 100, 10), dst, ip_ttl, 17, 26);
	for (size_t i = 0; i < n; i++)
		put_lse(t.p.data + 14 + 4 * i, labels[i], 0, i + 1 == n, ttls[i]);
	len = t.p.len;
	memcpy(buf, t.p.data, len);
	return len;
}

static inline void assert_out(const struct out *o, struct fwd_iface *ifp, const uint8_t *want,
			      size_t len)
{
	cr_assert_eq(o->ifp, ifp);
	cr_assert_eq(o->len, len, "length %zu, want %zu", o->len, len);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(o->data[i], want[i], "byte %zu: %02x, want %02x", i, o->data[i],
			     want[i]);
}

/* ---- the same batch through both paths ---- */

struct batch {
	uint8_t buf[BATCH_MAX][T_BUF];
	struct fwd_pkt p[BATCH_MAX];
	int iface[BATCH_MAX]; /* 0 core0, 1 core1, 2 ce-a1, 3 ce-b1 */
	unsigned n;
};

static inline struct fwd_iface *iface_of(struct pe *pe, int i)
{
	struct fwd_iface *v[4] = { pe->core0, pe->core1, pe->ce_a, pe->ce_b };

	return v[i];
}

static inline void add(struct batch *b, const struct tframe *t, int iface)
{
	memcpy(b->buf[b->n], t->buf, T_BUF);
	b->p[b->n] = (struct fwd_pkt){ b->buf[b->n] + (t->p.data - t->buf), t->p.len,
				       t->p.headroom };
	b->iface[b->n++] = iface;
}

/* Runs a copy of b through pe; verdicts into v. */
static inline void run(struct pe *pe, const struct batch *b, enum fwd_verdict *v)
{
	static struct batch copy;
	struct fwd_iface *in[BATCH_MAX];

	copy = *b;
	for (unsigned i = 0; i < b->n; i++) {
		copy.p[i].data = copy.buf[i] + (b->p[i].data - b->buf[i]);
		in[i] = iface_of(pe, b->iface[i]);
	}
	fwd_input_batch(pe->f, in, copy.p, b->n, v);
}

/* b through both PEs (verdicts: asked for, else NULL to fwd_input_batch); all must agree. */
static inline void assert_same_as(const struct batch *b, bool verdicts)
{
	enum fwd_verdict v1[BATCH_MAX], v2[BATCH_MAX];

	run(&pe1, b, verdicts ? v1 : NULL);
	run(&pe2, b, verdicts ? v2 : NULL);
	for (unsigned i = 0; verdicts && i < b->n; i++)
		cr_assert_eq(v1[i], v2[i], "frame %u: verdict %d, pipeline.c says %d", i, v1[i],
			     v2[i]);
	cr_assert_eq(pe1.n_out, pe2.n_out);
	for (int i = 0; i < pe1.n_out; i++) {
		cr_assert_str_eq(pe1.out[i].ifp->name, pe2.out[i].ifp->name, "output %d", i);
		cr_assert_eq(pe1.out[i].len, pe2.out[i].len, "output %d", i);
		cr_assert_arr_eq(pe1.out[i].data, pe2.out[i].data, pe1.out[i].len, "output %d", i);
	}
	for (int d = 0; d < FWD_DROP_MAX; d++)
		cr_assert_eq(pe1.f->drops[d], pe2.f->drops[d], "drops %s", fwd_drop_name(d));
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(iface_of(&pe1, i)->rx_packets, iface_of(&pe2, i)->rx_packets);
		cr_assert_eq(iface_of(&pe1, i)->rx_bytes, iface_of(&pe2, i)->rx_bytes);
		cr_assert_eq(iface_of(&pe1, i)->tx_packets, iface_of(&pe2, i)->tx_packets);
		cr_assert_eq(iface_of(&pe1, i)->tx_bytes, iface_of(&pe2, i)->tx_bytes);
	}
	/* per-VRF and per-label counters (ctr.h): every VRF id and label the tests use */
	for (uint32_t id = 0; id < 64; id++)
		cr_assert_arr_eq(&pe1.f->ctrs[0]->vrf[id], &pe2.f->ctrs[0]->vrf[id],
				 sizeof(struct fwd_vrf_ctr), "counters of VRF %u", id);
	for (uint32_t l = 0; l < 1024; l++)
		cr_assert_arr_eq(&pe1.f->ctrs[0]->label[l], &pe2.f->ctrs[0]->label[l],
				 sizeof(struct fwd_label_ctr), "counters of label %u", l);
}

static inline void assert_same(const struct batch *b)
{
	assert_same_as(b, true);
}

/* Every kind of frame a PE/P meets, fast and slow, in one batch. */
static inline void mixed(struct batch *b)
{
	struct tframe t;
	uint32_t l1[1] = { 100 }, l2[2] = { 16, 200 }, php[2] = { 18, 201 }, pf[1] = { 102 };
	uint32_t bad[1] = { 999 }, notbos[2] = { 100, 5 };
	uint32_t pf_slow[4] = { 103, 104, 105, 106 };
	uint8_t ttl[2] = { 64, 64 }, ttl1[2] = { 1, 64 };

	b->n = 0;
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	add(b, &t, 2);                                         /* push */
	udp_frame(&t, mac_ce_b, mac_ceb, SITE2, 64);
	add(b, &t, 3);                                         /* push, B's label */
	udp_frame(&t, mac_ce_a, mac_cea, CEA_ADDR, 64);
	add(b, &t, 2);                                         /* connected: slow */
	udp_frame(&t, mac_ce_a, mac_cea, t_ip(10, 1, 1, 1), 64);
	add(b, &t, 2);                                         /* to fwd, not ICMP */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, CEA_ADDR, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 16);
	add(b, &t, 2);                                         /* ping fwd */
	t_mpls_frame(&t, mac_core0, mac_p, l1, ttl, 1, 1, SITE1, 64);
	add(b, &t, 0);                                         /* pop + lookup */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttl, 2, 1, SITE2, 64);
	add(b, &t, 0);                                         /* swap */
	t_mpls_frame(&t, mac_core0, mac_p, php, ttl, 2, 1, SITE2, 64);
	add(b, &t, 0);                                         /* PHP */
	t_mpls_frame(&t, mac_core0, mac_p, pf, ttl, 1, 1, SITE1, 64);
	add(b, &t, 0);                                         /* pop + forward */
	for (int i = 0; i < 4; i++) {
		t_mpls_frame(&t, mac_core0, mac_p, &pf_slow[i], ttl, 1, 1, SITE1, 64);
		add(b, &t, 0);                         /* pop, then pipeline.c's output */
	}
	t_mpls_frame(&t, mac_core0, mac_p, bad, ttl, 1, 1, SITE1, 64);
	add(b, &t, 0);                                         /* unknown label */
	t_mpls_frame(&t, mac_core0, mac_p, notbos, ttl, 2, 1, SITE1, 64);
	add(b, &t, 0);                                         /* VPN label not at bottom */
	t_mpls_frame(&t, mac_core0, mac_p, l2, ttl1, 2, 1, SITE2, 64);
	add(b, &t, 0);                                         /* label TTL 1 */
	udp_frame(&t, mac_ce_a, mac_cea, t_ip(9, 9, 9, 9), 64);
	add(b, &t, 2);                                         /* no route: ICMP error */
	t_mpls_frame(&t, mac_core0, mac_p, l1, ttl, 1, SITE2, t_ip(9, 9, 9, 9), 64);
	add(b, &t, 0);                                  /* pop, no route: error from A */
	t_mpls_frame(&t, mac_core0, mac_p, l1, ttl1, 1, SITE2, SITE1, 64);
	add(b, &t, 0);                                  /* VPN label TTL 1: error from A */
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 1);
	add(b, &t, 2);                                         /* IP TTL 1: error */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, t_ip(192, 168, 100, 10), SITE2, 64, 17, 1600 - 20 - 4)[6] |= 0x40;
	t_put16(t.p.data + 14 + 10, 0);
	t_put16(t.p.data + 14 + 10, ipv4_checksum(t.p.data + 14, 20));
	add(b, &t, 2);                               /* DF, too big once pushed: error */
	udp_frame(&t, mac_core0, mac_p, SITE2, 64);
	add(b, &t, 0);                                         /* IPv4 on core: kernel's */
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	t.p.data[14] = 0x46;                                   /* options: slow path */
	add(b, &t, 2);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	t.p.len += 6;                                          /* Ethernet padding */
	add(b, &t, 2);
	udp_frame(&t, mac_p, mac_cea, SITE2, 64);
	add(b, &t, 2);                                         /* not our MAC */
	t_eth(&t, 64, mac_ce_a, mac_cea, 0x86DD);
	t.p.len += 40;
	add(b, &t, 2);                                         /* IPv6: unsupported */
	udp_frame(&t, mac_ce_a, mac_cea, t_ip(192, 168, 66, 1), 64);
	add(b, &t, 2);                                         /* blackhole */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t.p.len = 20;
	add(b, &t, 2);                                         /* truncated */
}

static inline void warm_up(struct pe *pe)
{
	struct batch *b = calloc(1, sizeof(*b));
	struct fwd_iface *in[BATCH_MAX];

	mixed(b);
	for (unsigned i = 0; i < b->n; i++)
		in[i] = iface_of(pe, b->iface[i]);
	fwd_input_batch(pe->f, in, b->p, b->n, NULL);
	free(b);
}

#endif
