/*
 * IPv4 header helpers for the packet path: validation, checksums, TTL
 * rewrite with an incremental checksum update (RFC 1624), ICMP echo reply.
 */
#ifndef FERRY_FWD_IPV4_H
#define FERRY_FWD_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd/fwd.h"

#define IPV4_HDR_MIN 20
#define IPV4_PROTO_ICMP 1

struct ipv4_info {
	uint16_t hlen;      /* header bytes (IHL * 4) */
	uint16_t total_len; /* header + payload */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src, dst;  /* host order */
};

/*
 * Checks the header at ip with avail bytes behind it: version 4, IHL >= 5,
 * IHL*4 <= total length <= avail, header checksum. false with *why set when
 * the packet must be dropped.
 */
bool ipv4_check(const uint8_t *ip, size_t avail, struct ipv4_info *info, enum fwd_drop *why);
/* The Internet checksum (RFC 1071) of len bytes: the value to store. */
uint16_t ipv4_checksum(const void *p, size_t len);
/* Sets the TTL and updates the header checksum incrementally (every packet: inline). */
static inline void ipv4_set_ttl(uint8_t *ip, uint8_t ttl)
{
	uint32_t old = (uint32_t)ip[8] << 8 | ip[9], new = (uint32_t)ttl << 8 | ip[9];
	uint32_t hc = (uint32_t)ip[10] << 8 | ip[11];
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
	uint32_t sum = (~hc & 0xFFFF) + (~old & 0xFFFF) + new;

	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	ip[8] = ttl;
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}
/* Don't Fragment set (a too-big packet gets fragmentation needed, not fragments). */
static inline bool ipv4_df(const uint8_t *ip)
{
	return (ip[6] & 0x40) != 0;
}
/*
 * Turns a checked ICMP echo request (ip, info from ipv4_check) into the echo
 * reply in place. 0, or -EINVAL when it is not a well-formed echo request.
 */
int ipv4_echo_reply(uint8_t *ip, const struct ipv4_info *info);

#endif
