/*
 * Shared by the fwd unit tests: programming fwd as vrfmgr would (t_apply),
 * and frame builders: Ethernet + IPv4 (+ ICMP
 * echo or UDP payload) and label stacks, in buffers with headroom like the
 * receive path gives fwd.
 */
#ifndef TEST_FWD_UTIL_H
#define TEST_FWD_UTIL_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "common/label.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/fwd.h"
#include "fwd/ipv4.h"
#include "fwd/pipeline.h"

#define T_BUF 2048

struct tframe {
	uint8_t buf[T_BUF];
	struct fwd_pkt p;
};

/* Programs f as vrfmgr would, the payload checked first as fwd's IPC reader does. */
static inline void t_apply(struct fwd *f, uint16_t type, const void *payload, uint32_t len)
{
	cr_assert(ipc_payload_ok(type, payload, len), "payload of %s", ipc_type_name(type));
	apply_msg(f, type, payload, len);
}

static inline void t_vrf_add(struct fwd *f, uint32_t id, const char *name)
{
	struct ipc_vrf v = { .vrf_id = id };

	strcpy(v.name, name);
	t_apply(f, IPC_VRF_ADD, &v, sizeof(v));
}

static inline uint32_t t_ip(int a, int b, int c, int d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d;
}

static inline void t_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void t_put32(uint8_t *p, uint32_t v)
{
	t_put16(p, (uint16_t)(v >> 16));
	t_put16(p + 2, (uint16_t)v);
}

static inline uint16_t t_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t t_get32(const uint8_t *p)
{
	return (uint32_t)t_get16(p) << 16 | t_get16(p + 2);
}

/* Starts an Ethernet frame at headroom with the given MACs and ethertype. */
static inline uint8_t *t_eth(struct tframe *t, size_t headroom, const uint8_t *dst,
			     const uint8_t *src, uint16_t type)
{
	memset(t->buf, 0xEE, sizeof(t->buf));
	t->p.data = t->buf + headroom;
	t->p.headroom = headroom;
	memcpy(t->p.data, dst, 6);
	memcpy(t->p.data + 6, src, 6);
	t_put16(t->p.data + 12, type);
	t->p.len = FWD_ETH_HLEN;
	return t->p.data + FWD_ETH_HLEN;
}

/* Appends an IPv4 header + payload_len bytes of payload (ICMP echo request when proto 1). */
static inline uint8_t *t_ipv4(struct tframe *t, uint32_t src, uint32_t dst, uint8_t ttl,
			      uint8_t proto, size_t payload_len)
{
	uint8_t *ip = t->p.data + t->p.len;
	uint16_t total = (uint16_t)(20 + payload_len);

	memset(ip, 0, total);
	ip[0] = 0x45;
	t_put16(ip + 2, total);
	t_put16(ip + 4, 0x1234);
	ip[8] = ttl;
	ip[9] = proto;
	t_put32(ip + 12, src);
	t_put32(ip + 16, dst);
	t_put16(ip + 10, ipv4_checksum(ip, 20));
	for (size_t i = 0; i < payload_len; i++)
		ip[20 + i] = (uint8_t)(i * 7);
	if (proto == IPV4_PROTO_ICMP && payload_len >= 8) {
		ip[20] = 8; /* echo request */
		ip[21] = 0;
		ip[22] = ip[23] = 0;
		t_put16(ip + 22, ipv4_checksum(ip + 20, payload_len));
	}
	t->p.len += total;
	return ip;
}

/* A whole Ethernet/IPv4 frame with 64 bytes of headroom. */
static inline uint8_t *t_ip_frame(struct tframe *t, const uint8_t *dst_mac,
				  const uint8_t *src_mac, uint32_t src, uint32_t dst, uint8_t ttl)
{
	t_eth(t, 64, dst_mac, src_mac, FWD_ETHERTYPE_IPV4);
	return t_ipv4(t, src, dst, ttl, 17, 40);
}

/* An MPLS frame: labels[0] outermost, each with ttls[i], then an IPv4 packet. */
static inline void t_mpls_frame(struct tframe *t, const uint8_t *dst_mac, const uint8_t *src_mac,
				const uint32_t *labels, const uint8_t *ttls, size_t n, uint32_t src,
				uint32_t dst, uint8_t ip_ttl)
{
	t_eth(t, 64, dst_mac, src_mac, ETHERTYPE_MPLS);
	for (size_t i = 0; i < n; i++) {
		struct mpls_lse e = { .label = labels[i], .bos = i + 1 == n, .ttl = ttls[i] };

		mpls_lse_encode(t->p.data + t->p.len, &e);
		t->p.len += 4;
	}
	t_ipv4(t, src, dst, ip_ttl, 17, 40);
}

/* Neighbour ip (mac) answering fwd's ARP request on ifp. */
/*
 * An ARP frame to dmac (op 1 request, 2 reply) from smac / sip about tip;
 * tha the target MAC (NULL: zeros); padded to 60 bytes.
 */
static inline void t_arp(struct tframe *t, const uint8_t *dmac, const uint8_t *smac, uint16_t op,
			 uint32_t sip, const uint8_t *tha, uint32_t tip)
{
	uint8_t *a = t_eth(t, 64, dmac, smac, FWD_ETHERTYPE_ARP);

	t_put16(a, 1);
	t_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	t_put16(a + 6, op);
	memcpy(a + 8, smac, 6);
	t_put32(a + 14, sip);
	if (tha != NULL)
		memcpy(a + 18, tha, 6);
	else
		memset(a + 18, 0, 6);
	t_put32(a + 24, tip);
	t->p.len += 28 + 18;
}

static inline void t_arp_reply(struct tframe *t, const struct fwd_iface *ifp, uint32_t ip,
			       const uint8_t *mac)
{
	t_arp(t, ifp->mac, mac, 2, ip, ifp->mac, ifp->addr);
}

/*
 * fwd learns neighbour ip (mac) on ifp: a first frame toward it makes fwd
 * ask (the frame waits in the ARP queue), the neighbour answers.
 */
static inline void t_arp_learn(struct fwd *f, struct fwd_iface *ifp, uint32_t ip,
			       const uint8_t *mac)
{
	static const uint8_t any[6] = { 2, 0, 0, 0, 0, 1 };
	struct tframe t;

	t_eth(&t, 64, any, any, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, 2, 64, 17, 10);
	arp_output(f, ifp, ip, &t.p);
	t_arp_reply(&t, ifp, ip, mac);
	fwd_input(f, ifp, &t.p);
}

/* An output hook that takes every frame and keeps none. */
static inline int t_out_discard(void *ctx, struct fwd_iface *ifp, const uint8_t *frame,
				size_t len)
{
	(void)ctx;
	(void)ifp;
	(void)frame;
	(void)len;
	return 0;
}

static inline struct mpls_lse t_lse(const uint8_t *frame, size_t i)
{
	struct mpls_lse e;

	mpls_lse_decode(frame + FWD_ETH_HLEN + 4 * i, &e);
	return e;
}

static inline int t_ip_csum_ok(const uint8_t *ip)
{
	return ipv4_checksum(ip, (size_t)(ip[0] & 0xF) * 4) == 0;
}

#endif
