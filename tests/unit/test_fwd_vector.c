/*
 * The vector path (fwd/vector.c) on crafted frames: exact output bytes for
 * each fast case (push, pop+lookup, swap, PHP), drops by reason, the next-hop
 * MAC cache following ARP, and whole mixed batches compared frame by frame
 * with pipeline.c alone (f->slow_only) on a twin PE: same frames out, same
 * bytes, same verdicts, same counters. Random batches of 1 to 513 frames
 * (around vector.c's chunk of 256 and its output window) from every link,
 * verdicts asked for or not, on this thread and as a worker (fwd_self,
 * punted frames finished here, counters added up).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/pipeline.h"
#include "fwd/punt.h"
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

static struct pe pe1, pe2;

static const uint8_t mac_core0[6] = { 2, 0, 0, 0, 0xc0, 0 };
static const uint8_t mac_core1[6] = { 2, 0, 0, 0, 0xc1, 0 };
static const uint8_t mac_ce_a[6] = { 2, 0, 0, 0, 0xa1, 0 };
static const uint8_t mac_ce_b[6] = { 2, 0, 0, 0, 0xb1, 0 };
static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };
static const uint8_t mac_p2[6] = { 2, 0, 0, 0, 0x99, 2 };
static const uint8_t mac_cea[6] = { 2, 0, 0, 0, 0xaa, 2 };
static const uint8_t mac_ceb[6] = { 2, 0, 0, 0, 0xbb, 2 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define P_ADDR t_ip(10, 0, 1, 2)
#define P2_ADDR t_ip(10, 0, 2, 2)
#define CEA_ADDR t_ip(10, 1, 1, 2)
#define CEB_ADDR t_ip(10, 2, 1, 2)
#define SITE1 t_ip(192, 168, 100, 10)
#define SITE2 t_ip(192, 168, 101, 10)

static int capture(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
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

static void msg(struct pe *pe, uint16_t type, const void *payload, uint32_t len)
{
	cr_assert(ipc_payload_ok(type, payload, len), "payload of %s", ipc_type_name(type));
	apply_msg(pe->f, type, payload, len);
}

static void nh(struct pe *pe, uint32_t id, uint32_t type, uint32_t gw, uint32_t label,
	       const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	strcpy(n.ifname, ifname);
	msg(pe, IPC_NH_ADD, &n, sizeof(n));
}

static void route(struct pe *pe, uint32_t vrf, uint32_t prefix, uint8_t plen, uint32_t nh_id,
		  uint32_t inner)
{
	struct ipc_fib_entry e = { .vrf_id = vrf, .prefix = prefix, .plen = plen, .nh_id = nh_id,
				   .inner_label = inner };

	msg(pe, IPC_FIB_ADD, &e, sizeof(e));
}

static void label(struct pe *pe, uint32_t in, uint32_t action, uint32_t vrf, uint32_t nh_id,
		  uint32_t out)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf,
				    .nh_id = nh_id, .out_label = out };

	msg(pe, IPC_LFIB_ADD, &e, sizeof(e));
}

static struct fwd_iface *core_if(struct pe *pe, const char *name, const uint8_t *mac,
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

static struct fwd_iface *access_if(struct pe *pe, const char *name, uint32_t vrf,
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
static void arp_in(struct pe *pe, struct fwd_iface *ifp, uint16_t op, const uint8_t *smac,
		   uint32_t sip, uint32_t tip)
{
	struct tframe t;

	t_arp(&t, op == 1 ? bcast : ifp->mac, smac, op, sip, NULL, tip);
	fwd_input(pe->f, ifp, &t.p);
}

/* Makes ifp's neighbour ip reachable: fwd asks (a frame waits), the neighbour answers. */
static void learn(struct pe *pe, struct fwd_iface *ifp, uint32_t ip, const uint8_t *mac)
{
	struct tframe t;

	t_eth(&t, 64, bcast, bcast, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, 2, 64, 17, 10);
	arp_output(pe->f, ifp, ip, &t.p);
	arp_in(pe, ifp, 2, mac, ip, ifp->addr);
	cr_assert_eq(arp_find(ifp, ip)->state, ARP_REACHABLE);
}

static void warm_up(struct pe *pe);

static void pe_setup(struct pe *pe)
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

static void setup(void)
{
	log_init("test_fwd_vector", LOG_LVL_WARN);
	pe_setup(&pe1);
	pe_setup(&pe2);
	pe2.f->slow_only = true; /* the reference: pipeline.c alone */
}

static void teardown(void)
{
	fwd_free(pe1.f);
	fwd_free(pe2.f);
}

TestSuite(vector, .init = setup, .fini = teardown);

/* A UDP frame whose bytes we can predict: headroom 64, IPv4 with the given TTL. */
static void udp_frame(struct tframe *t, const uint8_t *dmac, const uint8_t *smac, uint32_t dst,
		      uint8_t ttl)
{
	t_eth(t, 64, dmac, smac, FWD_ETHERTYPE_IPV4);
	t_ipv4(t, t_ip(192, 168, 100, 10), dst, ttl, 17, 26);
}

static void put_lse(uint8_t *p, uint32_t label, uint8_t tc, bool bos, uint8_t ttl)
{
	struct mpls_lse e = { .label = label, .tc = tc, .bos = bos, .ttl = ttl };

	mpls_lse_encode(p, &e);
}

/* The expected output: Ethernet (dst, src, type), label entries, then the IPv4 packet. */
static size_t expect(uint8_t *buf, const uint8_t *dmac, const uint8_t *smac, uint16_t type,
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

static void assert_out(const struct out *o, struct fwd_iface *ifp, const uint8_t *want,
		       size_t len)
{
	cr_assert_eq(o->ifp, ifp);
	cr_assert_eq(o->len, len, "length %zu, want %zu", o->len, len);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(o->data[i], want[i], "byte %zu: %02x, want %02x", i, o->data[i],
			     want[i]);
}

Test(vector, push_exact_bytes)
{
	struct tframe t;
	uint8_t want[T_BUF];
	uint32_t labels[2] = { 16, 200 };
	uint8_t ttls[2] = { 63, 63 };
	size_t n;

	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_SENT);
	n = expect(want, mac_p, mac_core0, ETHERTYPE_MPLS, labels, ttls, 2, 63, SITE2);
	cr_assert_eq(pe1.n_out, 1);
	assert_out(&pe1.out[0], pe1.core0, want, n);
	cr_assert(t_ip_csum_ok(pe1.out[0].data + 22));
	cr_assert_eq(pe1.f->fast, 1);
	cr_assert_eq(pe1.ce_a->rx_packets, 1);
	cr_assert_eq(pe1.core0->tx_packets, 1);
	cr_assert_eq(pe1.core0->tx_bytes, n);
}

Test(vector, implicit_null_transport_pushes_one_label)
{
	struct tframe t;
	uint8_t want[T_BUF];
	uint32_t labels[1] = { 202 };
	uint8_t ttls[1] = { 9 };
	size_t n;

	udp_frame(&t, mac_ce_b, mac_ceb, t_ip(192, 168, 102, 1), 10);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_b, &t.p), FWD_SENT);
	n = expect(want, mac_p, mac_core0, ETHERTYPE_MPLS, labels, ttls, 1, 9,
		   t_ip(192, 168, 102, 1));
	assert_out(&pe1.out[0], pe1.core0, want, n);
}

Test(vector, pop_lookup_exact_bytes)
{
	struct tframe t;
	uint8_t want[T_BUF];
	uint32_t in[1] = { 100 };
	uint8_t ttls[1] = { 10 };
	size_t n;

	/* uniform model: label TTL 10 - 1 becomes the IP TTL (the IP TTL 64 is not used) */
	t_mpls_frame(&t, mac_core0, mac_p, in, ttls, 1, t_ip(192, 168, 101, 10), SITE1, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	t_eth(&t, 64, mac_cea, mac_ce_a, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, t_ip(192, 168, 101, 10), SITE1, 9, 17, 40);
	n = t.p.len;
	memcpy(want, t.p.data, n);
	assert_out(&pe1.out[0], pe1.ce_a, want, n);
	cr_assert(t_ip_csum_ok(pe1.out[0].data + 14));
	cr_assert_eq(pe1.f->fast, 1);
}

Test(vector, swap_keeps_tc_and_inner_entry)
{
	struct tframe t;
	uint32_t in[2] = { 16, 200 };
	uint8_t ttls[2] = { 5, 33 };

	t_mpls_frame(&t, mac_core0, mac_p, in, ttls, 2, 1, SITE2, 64);
	t.p.data[14 + 2] |= 5 << 1; /* TC 5 on the top entry */
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	cr_assert_eq(pe1.out[0].ifp, pe1.core1);
	cr_assert_arr_eq(pe1.out[0].data, mac_p2, 6);
	cr_assert_arr_eq(pe1.out[0].data + 6, mac_core1, 6);
	cr_assert_eq(t_get16(pe1.out[0].data + 12), ETHERTYPE_MPLS);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).label, 17);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).tc, 5);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).ttl, 4);
	cr_assert(!t_lse(pe1.out[0].data, 0).bos);
	cr_assert_eq(t_lse(pe1.out[0].data, 1).label, 200);
	cr_assert_eq(t_lse(pe1.out[0].data, 1).ttl, 33, "the inner entry is not touched");
	cr_assert(t_lse(pe1.out[0].data, 1).bos);
	cr_assert_eq(pe1.out[0].len, t.p.len);
	cr_assert_eq(pe1.f->fast, 1);
}

Test(vector, php_copies_ttl_to_exposed_label_or_ip)
{
	struct tframe t;
	uint32_t two[2] = { 18, 200 }, one[1] = { 18 };
	uint8_t ttls[2] = { 5, 7 };

	t_mpls_frame(&t, mac_core0, mac_p, two, ttls, 2, 1, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	cr_assert_eq(pe1.out[0].len, 14 + 4 + 60);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).label, 200);
	cr_assert_eq(t_lse(pe1.out[0].data, 0).ttl, 4);
	cr_assert(t_lse(pe1.out[0].data, 0).bos);
	t_mpls_frame(&t, mac_core0, mac_p, one, ttls, 1, 1, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.core0, &t.p), FWD_SENT);
	cr_assert_eq(t_get16(pe1.out[1].data + 12), FWD_ETHERTYPE_IPV4);
	cr_assert_eq(pe1.out[1].data[14 + 8], 4);
	cr_assert(t_ip_csum_ok(pe1.out[1].data + 14));
	cr_assert_eq(pe1.f->fast, 2);
}

Test(vector, drops_by_reason)
{
	struct tframe t;
	struct fwd_pkt p[4];
	struct fwd_iface *in[4] = { pe1.ce_a, pe1.ce_a, pe1.ce_a, pe1.ce_a };
	enum fwd_verdict v[4];
	uint8_t buf[4][T_BUF];

	udp_frame(&t, mac_ce_a, mac_cea, t_ip(8, 8, 8, 8), 64);   /* no route in A */
	memcpy(buf[0], t.buf, T_BUF);
	udp_frame(&t, mac_ce_a, mac_cea, t_ip(192, 168, 66, 1), 64); /* blackhole */
	memcpy(buf[1], t.buf, T_BUF);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 1);               /* TTL */
	memcpy(buf[2], t.buf, T_BUF);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	t.p.data[14 + 10] ^= 1;                                   /* checksum */
	memcpy(buf[3], t.buf, T_BUF);
	for (int i = 0; i < 4; i++)
		p[i] = (struct fwd_pkt){ buf[i] + 64, t.p.len, 64 };
	fwd_input_batch(pe1.f, in, p, 4, v);
	/* no route and TTL: dropped, and an ICMP error back to the CE for each */
	cr_assert_eq(v[0], FWD_SENT);
	cr_assert_eq(v[1], FWD_DROPPED);
	cr_assert_eq(v[2], FWD_SENT);
	cr_assert_eq(v[3], FWD_DROPPED);
	cr_assert_eq(pe1.f->drops[FWD_DROP_NO_ROUTE], 1);
	cr_assert_eq(pe1.f->drops[FWD_DROP_BLACKHOLE], 1);
	cr_assert_eq(pe1.f->drops[FWD_DROP_TTL_EXPIRED], 1);
	cr_assert_eq(pe1.f->drops[FWD_DROP_BAD_IP_CHECKSUM], 1);
	cr_assert_eq(pe1.n_out, 2);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pe1.out[i].ifp, pe1.ce_a);
		cr_assert_eq(pe1.out[i].data[14 + 9], IPV4_PROTO_ICMP);
		cr_assert_eq(pe1.out[i].data[14 + 20], i == 0 ? 3 : 11, "unreachable, then time exceeded");
	}
	cr_assert_eq(pe1.ce_a->rx_packets, 4);
}

Test(vector, mtu_exceeded_after_push)
{
	struct tframe t;

	uint8_t *ip;

	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	ip = t_ipv4(&t, 1, SITE2, 64, 17, 1600 - 20 - 4); /* 1596 + 8 > core MTU 1600 */
	ip[6] = 0x40; /* DF: no fragments; no error either (source 0.0.0.1 is no host) */
	t_put16(ip + 10, 0);
	t_put16(ip + 10, ipv4_checksum(ip, 20));
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_DROPPED);
	cr_assert_eq(pe1.f->drops[FWD_DROP_MTU_EXCEEDED], 1);
	/* without DF the slow path sends it in two fragments */
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, SITE2, 64, 17, 1600 - 20 - 4);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_SENT);
	cr_assert_eq(pe1.n_out, 2);
	cr_assert_eq(pe1.f->ip_fragments, 2);
	t_eth(&t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, SITE2, 64, 17, 1600 - 20 - 8);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_SENT);
	cr_assert_eq(pe1.n_out, 3, "1592 + 8 fits whole");
}

Test(vector, next_hop_mac_follows_arp)
{
	static const uint8_t moved[6] = { 2, 0, 0, 0, 0x99, 0x77 };
	struct tframe t;

	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	fwd_input(pe1.f, pe1.ce_a, &t.p);
	cr_assert_arr_eq(pe1.out[0].data, mac_p, 6);
	/* P's MAC changes: the cached copy must not be used any more */
	arp_in(&pe1, pe1.core0, 2, moved, P_ADDR, pe1.core0->addr);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	fwd_input(pe1.f, pe1.ce_a, &t.p);
	cr_assert_arr_eq(pe1.out[1].data, moved, 6);
	/* P ages out: the next frame waits for ARP instead of using the old MAC */
	pe1.f->now_ms += 301 * 1000;
	arp_tick(pe1.f, pe1.core0);
	udp_frame(&t, mac_ce_a, mac_cea, SITE2, 64);
	cr_assert_eq(fwd_input(pe1.f, pe1.ce_a, &t.p), FWD_QUEUED);
	cr_assert_eq(t_get16(pe1.out[2].data + 12), FWD_ETHERTYPE_ARP);
}

/* ---- the same batch through both paths ---- */

struct batch {
	uint8_t buf[BATCH_MAX][T_BUF];
	struct fwd_pkt p[BATCH_MAX];
	int iface[BATCH_MAX]; /* 0 core0, 1 core1, 2 ce-a1, 3 ce-b1 */
	unsigned n;
};

static struct fwd_iface *iface_of(struct pe *pe, int i)
{
	struct fwd_iface *v[4] = { pe->core0, pe->core1, pe->ce_a, pe->ce_b };

	return v[i];
}

static void add(struct batch *b, const struct tframe *t, int iface)
{
	memcpy(b->buf[b->n], t->buf, T_BUF);
	b->p[b->n] = (struct fwd_pkt){ b->buf[b->n] + (t->p.data - t->buf), t->p.len,
				       t->p.headroom };
	b->iface[b->n++] = iface;
}

/* Runs a copy of b through pe; verdicts into v. */
static void run(struct pe *pe, const struct batch *b, enum fwd_verdict *v)
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
static void assert_same_as(const struct batch *b, bool verdicts)
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

static void assert_same(const struct batch *b)
{
	assert_same_as(b, true);
}

/* Every kind of frame a PE/P meets, fast and slow, in one batch. */
static void mixed(struct batch *b)
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

static void warm_up(struct pe *pe)
{
	struct batch *b = calloc(1, sizeof(*b));
	struct fwd_iface *in[BATCH_MAX];

	mixed(b);
	for (unsigned i = 0; i < b->n; i++)
		in[i] = iface_of(pe, b->iface[i]);
	fwd_input_batch(pe->f, in, b->p, b->n, NULL);
	free(b);
}

Test(vector, mixed_batch_matches_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));

	mixed(b);
	assert_same(b);
	cr_assert_gt(pe1.n_out, 8);
	cr_assert_eq(pe1.f->fast, 8,
		     "push x2, pop+lookup, swap, PHP, pop+forward (to a CE, to a labeled next hop), "
		     "padded push");
	cr_assert_eq(pe2.f->fast, 0);
	free(b);
}

/*
 * Popping to IPv4 gives the IP packet the label's TTL - 1 (uniform model)
 * and updates the header checksum incrementally (vector.c's ttl_set): for
 * every label TTL, with IP TTLs and source addresses (so checksums) spread
 * out, the bytes must be pipeline.c's, on all three ways to pop to IPv4.
 */
Test(vector, popped_ttl_and_checksum_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	const uint32_t pops[3][1] = { { 100 }, { 102 }, { 18 } }; /* lookup, forward, PHP */
	const uint32_t dsts[3] = { SITE1, SITE1, SITE2 };
	uint64_t fast = pe1.f->fast, frames = 0;

	for (unsigned ttl = 2; ttl < 256; ttl++) {
		uint8_t lse_ttl[1] = { (uint8_t)ttl };

		b->n = 0;
		for (int k = 0; k < 3; k++)
			for (int j = 0; j < 2; j++) {
				struct tframe t;
				uint8_t ip_ttl = j ? (uint8_t)(255 - ttl) : (uint8_t)(ttl * 37 + 11);

				t_mpls_frame(&t, mac_core0, mac_p, pops[k], lse_ttl, 1,
					     t_ip(192, 168, 100, (uint8_t)(ttl + j)), dsts[k], ip_ttl);
				add(b, &t, 0);
			}
		pe1.n_out = pe2.n_out = 0;
		assert_same(b);
		frames += b->n;
	}
	cr_assert_eq(pe1.f->fast - fast, frames, "every frame took the vector path");
	free(b);
}

/* Random damage to mixed frames (bytes flipped, lengths cut): both paths must agree. */
Test(vector, damaged_batches_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	uint64_t x = 7;

	for (int round = 0; round < 300; round++) {
		mixed(b);
		for (unsigned i = 0; i < b->n; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((x >> 60) < 6) {
				size_t at = (x >> 20) % (b->p[i].len + 1);

				if (at < b->p[i].len)
					b->p[i].data[at] ^= (uint8_t)(x >> 8) | 1;
			}
			if ((x >> 56) % 16 == 0)
				b->p[i].len = (x >> 30) % (b->p[i].len + 1);
		}
		pe1.n_out = pe2.n_out = 0;
		assert_same(b);
	}
	free(b);
}

/* ---- random batches: every kind of frame, from every link, in any order ---- */

static uint64_t rnd(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* An MPLS frame from P on core link c (0 or 1) to our MAC there. */
static void from_p(struct tframe *t, int c, const uint32_t *labels, const uint8_t *ttls,
		   size_t n, uint32_t src, uint32_t dst, uint8_t ip_ttl)
{
	t_mpls_frame(t, c ? mac_core1 : mac_core0, c ? mac_p2 : mac_p, labels, ttls, n, src, dst,
		     ip_ttl);
}

/* An IPv4 frame from the CE on access link a (2: ce-a1, 3: ce-b1). */
static void from_ce(struct tframe *t, int a, uint32_t dst, uint8_t ttl)
{
	udp_frame(t, a == 2 ? mac_ce_a : mac_ce_b, a == 2 ? mac_cea : mac_ceb, dst, ttl);
}

/*
 * One frame of a kind picked at random (fast and slow, good and bad, on
 * the links it belongs on and on the wrong ones); returns its link.
 */
static int random_frame(struct tframe *t, uint64_t *x, bool no_errors)
{
	uint32_t l[2] = { 100, MPLS_LABEL_NONE };
	uint8_t ttl[2] = { (uint8_t)(2 + rnd(x) % 254), (uint8_t)(2 + rnd(x) % 254) };
	uint8_t h = (uint8_t)(1 + rnd(x) % 250), ip_ttl = (uint8_t)(2 + rnd(x) % 254);
	int c = (int)(rnd(x) % 2), a = 2 + (int)(rnd(x) % 2);
	uint32_t site[3] = { t_ip(192, 168, 100, h), t_ip(192, 168, 101, h),
			     t_ip(192, 168, 102, h) };
	uint32_t src = t_ip(192, 168, 101, (uint8_t)rnd(x));

	/* a worker's: fewer slow ones, so a batch of 513 punts fewer than its ring holds (256) */
	switch (rnd(x) % (no_errors && rnd(x) % 2 ? 6 : 20)) {
	case 0: /* push: A and B to remote sites, B's also over an implicit-null transport */
	case 1:
		from_ce(t, a, site[1 + (a == 3 && rnd(x) % 2)], ip_ttl);
		return a;
	case 2: /* pop + lookup in A or B: to a CE, or back into the core */
	case 3:
		l[0] = 100 + (uint32_t)(rnd(x) % 2);
		from_p(t, c, l, ttl, 1, src, site[rnd(x) % 3], ip_ttl);
		return c;
	case 4: /* swap over an inner entry; PHP to a label or to IPv4 */
		l[0] = rnd(x) % 2 ? 16 : 18;
		l[1] = 200;
		from_p(t, c, l, ttl, 1 + rnd(x) % 2, src, site[1], ip_ttl);
		return c;
	case 5: /* pop + forward: to a CE, or to a next hop pipeline.c must finish */
		l[0] = 102 + (uint32_t)(rnd(x) % 5);
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		return c;
	case 6: /* TTL 1: on the label, on IPv4 from a CE */
		ttl[0] = 1;
		l[0] = rnd(x) % 2 ? 100 : 16;
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		return c;
	case 7:
		from_ce(t, a, site[1], 1);
		return a;
	case 8: /* no route: from a CE, after a pop; a blackhole (A's: B has no route there) */
		if (no_errors || rnd(x) % 2) {
			from_ce(t, 2, t_ip(192, 168, 66, h), ip_ttl);
			return 2;
		}
		from_ce(t, a, t_ip(9, 9, 9, h), ip_ttl);
		return a;
	case 9:
		from_p(t, c, l, ttl, 1, SITE2, no_errors ? site[0] : t_ip(9, 9, 9, h), ip_ttl);
		return c;
	case 10: /* a label the LFIB has not; a per-VRF label not at the bottom */
		l[0] = rnd(x) % 2 ? 999 : 100;
		l[1] = 5;
		from_p(t, c, l, ttl, l[0] == 999 ? 1 : 2, src, site[0], ip_ttl);
		return c;
	case 11: /* an LFIB label, but on an access link */
		t_mpls_frame(t, a == 2 ? mac_ce_a : mac_ce_b, mac_cea, l, ttl, 1, src, site[0],
			     ip_ttl);
		return a;
	case 12: /* an LFIB label, the frame cut short: inside the entry, inside the IPv4 header */
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		t->p.len = FWD_ETH_HLEN + rnd(x) % (MPLS_LSE_LEN + 24);
		return c;
	case 13: /* an LFIB label over a bad IPv4 header: options, checksum */
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		t->p.data[FWD_ETH_HLEN + MPLS_LSE_LEN + (rnd(x) % 2 ? 0 : 10)] ^= 0x01;
		return c;
	case 14: /* not our MAC: on a core link, on an access link */
		if (rnd(x) % 2) {
			from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
			t->p.data[5] ^= 0x40;
			return c;
		}
		udp_frame(t, mac_p, mac_cea, site[1], ip_ttl);
		return a;
	case 15: /* IPv4 on a core link: the kernel's */
		udp_frame(t, c ? mac_core1 : mac_core0, mac_p, site[1], ip_ttl);
		return c;
	case 16: /* ARP: a request for our address on either kind of link */
		if (rnd(x) % 2) {
			t_arp(t, bcast, mac_cea, 1, CEA_ADDR, NULL, t_ip(10, 1, 1, 1));
			return 2;
		}
		t_arp(t, bcast, mac_p, 1, P_ADDR, NULL, t_ip(10, 0, 1, 1));
		return 0;
	case 17: /* to fwd: a ping from a CE; a popped UDP packet to its address in A */
		t_eth(t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
		t_ipv4(t, CEA_ADDR, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 16);
		return 2;
	case 18:
		from_p(t, c, l, ttl, 1, SITE2, t_ip(10, 1, 1, 1), ip_ttl);
		return c;
	default: /* Ethernet padding after IPv4 from a CE; a popped packet */
		if (rnd(x) % 2) {
			from_ce(t, a, site[1], ip_ttl);
			t->p.len += 1 + rnd(x) % 20;
			return a;
		}
		from_p(t, c, l, ttl, 1, src, site[rnd(x) % 3], ip_ttl);
		t->p.len += 1 + rnd(x) % 20;
		return c;
	}
}

/*
 * n random frames. same_ends: the first and the last from ce-a1 (the output
 * step's loop for a batch from one attachment link, tx counted by runs,
 * even with core frames between). no_errors: none that a lookup finds no
 * route for (a worker answers those within a rate limit of its own), and
 * more of the fast kinds.
 */
static void random_batch(struct batch *b, unsigned n, bool same_ends, bool no_errors, uint64_t *x)
{
	b->n = 0;
	for (unsigned i = 0; i < n; i++) {
		struct tframe t;
		int link;

		if (same_ends && (i == 0 || i + 1 == n)) {
			from_ce(&t, 2, t_ip(192, 168, 101, (uint8_t)i), 64);
			link = 2;
		} else {
			link = random_frame(&t, x, no_errors);
		}
		add(b, &t, link);
	}
}

static const unsigned batch_sizes[] = { 1, 2, 7, 255, 256, 257, 513 };

/*
 * Random batches of every size around vector.c's chunk (VEC, 256) and its
 * output window (OUT_AHEAD, 4; 2 * OUT_AHEAD state entries of padding),
 * verdicts asked for and not: pipeline.c's bytes, verdicts and counters.
 */
Test(vector, random_batches_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	uint64_t x = 11, fast = pe1.f->fast;

	cr_assert_not_null(b);
	for (int round = 0; round < 4; round++)
		for (size_t k = 0; k < sizeof(batch_sizes) / sizeof(batch_sizes[0]); k++) {
			random_batch(b, batch_sizes[k], round % 2 == 1, false, &x);
			pe1.n_out = pe2.n_out = 0;
			assert_same_as(b, round < 2);
		}
	cr_assert_gt(pe1.f->fast - fast, 1000, "the vector path finished most frames itself");
	free(b);
}

/* ---- the same on a worker (fwd_self): what it cannot finish, the control thread does ---- */

static int out_cmp(const void *a, const void *b)
{
	const struct out *x = a, *y = b;
	int c = strcmp(x->ifp->name, y->ifp->name);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->data, y->data, x->len);
}

/* The same frames out of both PEs, in any order (a worker's punted frames go out after the rest). */
static void assert_same_frames(void)
{
	cr_assert_eq(pe1.n_out, pe2.n_out);
	qsort(pe1.out, (size_t)pe1.n_out, sizeof(pe1.out[0]), out_cmp);
	qsort(pe2.out, (size_t)pe2.n_out, sizeof(pe2.out[0]), out_cmp);
	for (int i = 0; i < pe1.n_out; i++)
		cr_assert_eq(out_cmp(&pe1.out[i], &pe2.out[i]), 0, "output %d", i);
}

/* Every thread's counters added up (fwd_fold, the API's sums) on both PEs. */
static void assert_same_sums(void)
{
	fwd_fold(pe1.f);
	for (int d = 0; d < FWD_DROP_MAX; d++)
		cr_assert_eq(pe1.f->drops[d], pe2.f->drops[d], "drops %s", fwd_drop_name(d));
	for (int i = 0; i < 4; i++)
		cr_assert_arr_eq(&iface_of(&pe1, i)->ctr, &iface_of(&pe2, i)->ctr,
				 sizeof(struct fwd_if_ctr), "counters of %s",
				 iface_of(&pe1, i)->name);
	for (uint32_t id = 0; id < 4; id++) {
		struct fwd_vrf_ctr a, b;

		fwd_vrf_sum(pe1.f, id, &a);
		fwd_vrf_sum(pe2.f, id, &b);
		cr_assert_arr_eq(&a, &b, sizeof(a), "counters of VRF %u", id);
	}
	for (uint32_t l = 0; l < 1024; l++) {
		struct fwd_label_ctr a, b;

		fwd_label_sum(pe1.f, l, &a);
		fwd_label_sum(pe2.f, l, &b);
		cr_assert_arr_eq(&a, &b, sizeof(a), "counters of label %u", l);
	}
}

/* Frames pe sent on link i among its outputs [from, to). */
static uint64_t sent_on(struct pe *pe, int i, int from, int to)
{
	uint64_t n = 0;

	for (int k = from; k < to; k++)
		n += pe->out[k].ifp == iface_of(pe, i);
	return n;
}

/*
 * b through pe1 as its worker w: what the worker sends and receives is
 * counted in its own interface counters (both output loops), what it
 * cannot finish is punted and finished here, on the control thread, and
 * counted in the shared ones. Returns how many were punted.
 */
static unsigned on_worker(const struct batch *b, struct fwd_thread *w, bool verdicts)
{
	enum fwd_verdict v[BATCH_MAX];
	struct fwd_if_ctr wc[4], cc[4];
	unsigned punted;
	int by_worker;

	for (int i = 0; i < 4; i++) {
		wc[i] = iface_of(&pe1, i)->wctr[w->id].c;
		cc[i] = iface_of(&pe1, i)->ctr;
	}
	fwd_self = w;
	run(&pe1, b, verdicts ? v : NULL);
	fwd_self = NULL;
	by_worker = pe1.n_out;
	punted = punt_ring_drain(pe1.f, w->punt);
	for (int i = 0; i < 4; i++) {
		const struct fwd_if_ctr *now = &iface_of(&pe1, i)->wctr[w->id].c;
		uint64_t rx = 0;

		for (unsigned k = 0; k < b->n; k++)
			rx += b->iface[k] == i;
		cr_assert_eq(now->rx_packets - wc[i].rx_packets, rx, "rx of %d on the worker", i);
		cr_assert_eq(now->tx_packets - wc[i].tx_packets, sent_on(&pe1, i, 0, by_worker),
			     "tx of %d on the worker", i);
		cr_assert_eq(iface_of(&pe1, i)->ctr.rx_packets, cc[i].rx_packets);
		cr_assert_eq(iface_of(&pe1, i)->ctr.tx_packets - cc[i].tx_packets,
			     sent_on(&pe1, i, by_worker, pe1.n_out), "tx of %d on this thread", i);
	}
	return punted;
}

/*
 * pe1 forwards as a worker thread would (fwd_self), and pe2 as pipeline.c
 * alone: added up, the same frames out (in another order: the punted ones
 * last) and the same counters.
 */
Test(vector, random_batches_on_a_worker_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	struct fwd_thread w = { .id = 0 };
	uint64_t x = 23;
	unsigned punted = 0;

	cr_assert_not_null(b);
	w.ctrs = fwd_ctrs_get(pe1.f, 1);
	w.punt = punt_ring_new();
	cr_assert(w.ctrs != NULL && w.punt != NULL);
	pe1.f->threads[pe1.f->n_threads++] = &w;
	pe1.f->no_lazy_commit = true; /* a worker runs: the control thread commits */
	for (int round = 0; round < 4; round++)
		for (size_t k = 0; k < sizeof(batch_sizes) / sizeof(batch_sizes[0]); k++) {
			random_batch(b, batch_sizes[k], round % 2 == 1, true, &x);
			pe1.n_out = pe2.n_out = 0;
			punted += on_worker(b, &w, round < 2);
			run(&pe2, b, NULL);
			assert_same_frames();
			assert_same_sums();
		}
	cr_assert_gt(w.fast, 1000, "the worker finished most frames itself");
	cr_assert_gt(punted, 100, "and punted the rest");
	cr_assert_gt(w.ctrs->label[100].packets, 0, "counted in the worker's own set");
	pe1.f->n_threads = 0;
	punt_ring_free(w.punt);
	free(b);
}
