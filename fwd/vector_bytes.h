/*
 * The vector path's reads and writes of header bytes (vector.c only): big-endian
 * loads and stores, the MAC compare, the plain IPv4 header check, the TTL
 * written with its checksum updated, and the top label's pop. Each is a few
 * instructions inlined where it is used: at tens of nanoseconds a frame, the
 * generic helpers' calls and loops showed in the profile.
 */
#ifndef FERRY_FWD_VECTOR_BYTES_H
#define FERRY_FWD_VECTOR_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fwd/fwd.h"
#include "fwd/ipv4.h"
#include "common/label.h"

#define ETH_TYPE 12
#define IP_TTL 8

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

static inline bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	memcpy(&a4, a, 4);
	memcpy(&b4, b, 4);
	memcpy(&a2, a + 4, 2);
	memcpy(&b2, b + 4, 2);
	return ((a4 ^ b4) | (uint32_t)(a2 ^ b2)) == 0;
}

/*
 * A plain 20-byte IPv4 header within avail bytes with a good checksum, the
 * only kind the fast path takes (options and anything odd go the slow way);
 * its total length, or 0.
 */
static inline uint16_t ip_plain(const uint8_t *ip, size_t avail)
{
	uint64_t sum, a, b;
	uint32_t c;
	uint16_t total;

	if (avail < IPV4_HDR_MIN || ip[0] != 0x45)
		return 0;
	total = get16(ip + 2);
	if (total < IPV4_HDR_MIN || total > avail)
		return 0;
	/*
	 * one's complement sum by 32-bit words in host order: 0xFFFF either way
	 * round. Written out with scalar loads: gcc -O2 kept the loop (25 more
	 * instructions a frame), and one 20-byte memcpy became an SSE load
	 * whose lanes were then extracted: pop 10% slower (bench/fwd-lookup).
	 */
	memcpy(&a, ip, 8);
	memcpy(&b, ip + 8, 8);
	memcpy(&c, ip + 16, 4);
	sum = (a & 0xFFFFFFFF) + (a >> 32) + (b & 0xFFFFFFFF) + (b >> 32) + c;
	sum = (sum & 0xFFFFFFFF) + (sum >> 32);
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	return sum == 0xFFFF ? total : 0;
}


/*
 * The IPv4 TTL set with the checksum updated: ipv4_set_ttl's RFC 1624
 * arithmetic (HC' = ~(~HC + ~m + m'), m the TTL and protocol word) with the
 * protocol byte cancelled out, ~m + m' = (0xFF - old + ttl) << 8 | 0xFF:
 * the same bytes in half the instructions. For TTL - 1 that is always 0xFEFF.
 */
static inline void ttl_write(uint8_t *ip, uint8_t ttl, uint32_t not_m_plus_m2)
{
	uint32_t sum = (~(uint32_t)get16(ip + 10) & 0xFFFF) + not_m_plus_m2;

	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	ip[IP_TTL] = ttl;
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}

/* TTL - 1; the caller has checked TTL > 1. */
static inline void ttl_dec(uint8_t *ip)
{
	ttl_write(ip, (uint8_t)(ip[IP_TTL] - 1), 0xFEFF);
}

static inline void ttl_set(uint8_t *ip, uint8_t ttl)
{
	ttl_write(ip, ttl, (0xFFu - ip[IP_TTL] + ttl) << 8 | 0xFF);
}

/* Removes the top label entry the way mpls_pop does (the Ethernet header moves up). */
static inline void pop_top(struct fwd_pkt *p, uint16_t new_type)
{
	uint64_t macs_lo;
	uint32_t macs_hi;

	/* both loads before the overlapping stores: a 12-byte memmove, inline */
	memcpy(&macs_lo, p->data, 8);
	memcpy(&macs_hi, p->data + 8, 4);
	memcpy(p->data + MPLS_LSE_LEN, &macs_lo, 8);
	memcpy(p->data + MPLS_LSE_LEN + 8, &macs_hi, 4);
	p->data += MPLS_LSE_LEN;
	p->len -= MPLS_LSE_LEN;
	p->headroom += MPLS_LSE_LEN;
	p->data[ETH_TYPE] = (uint8_t)(new_type >> 8);
	p->data[ETH_TYPE + 1] = (uint8_t)new_type;
}

#endif
