/*
 * IPv4 header checks and rewrites. Reads go through struct rbuf (untrusted
 * input); writes touch only offsets the check has already proven present.
 * TTL changes patch the checksum incrementally (RFC 1624), as every hop does.
 */
#include <errno.h>

#include "common/buf.h"
#include "fwd/ipv4.h"

#define IP_OFF_TTL 8
#define IP_OFF_CSUM 10
#define IP_OFF_SRC 12
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_HDR_LEN 8
#define REPLY_TTL 64

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t ipv4_checksum(const void *p, size_t len)
{
	return (uint16_t)~fold(sum16(p, len, 0));
}

bool ipv4_check(const uint8_t *ip, size_t avail, struct ipv4_info *info, enum fwd_drop *why)
{
	struct rbuf r;
	uint8_t vihl, tos, ttl, proto;
	uint16_t total;
	uint32_t src, dst;

	rbuf_init(&r, ip, avail);
	if (rbuf_get_u8(&r, &vihl) < 0 || rbuf_get_u8(&r, &tos) < 0 ||
	    rbuf_get_u16(&r, &total) < 0 || rbuf_skip(&r, 4) < 0 || rbuf_get_u8(&r, &ttl) < 0 ||
	    rbuf_get_u8(&r, &proto) < 0 || rbuf_skip(&r, 2) < 0 || rbuf_get_u32(&r, &src) < 0 ||
	    rbuf_get_u32(&r, &dst) < 0) {
		*why = FWD_DROP_TRUNCATED;
		return false;
	}
	if (vihl >> 4 != 4 || (vihl & 0xF) < 5 || total < (vihl & 0xF) * 4u) {
		*why = FWD_DROP_BAD_IP_HEADER;
		return false;
	}
	if (total > avail || (vihl & 0xF) * 4u > avail) {
		*why = FWD_DROP_TRUNCATED;
		return false;
	}
	if (fold(sum16(ip, (vihl & 0xF) * 4u, 0)) != 0xFFFF) {
		*why = FWD_DROP_BAD_IP_CHECKSUM;
		return false;
	}
	*info = (struct ipv4_info){ .hlen = (uint16_t)((vihl & 0xF) * 4), .total_len = total,
				    .ttl = ttl, .proto = proto, .src = src, .dst = dst };
	return true;
}

int ipv4_echo_reply(uint8_t *ip, const struct ipv4_info *info)
{
	uint8_t *icmp = ip + info->hlen;
	size_t icmp_len = info->total_len - info->hlen;
	uint16_t csum;

	if (info->proto != IPV4_PROTO_ICMP || icmp_len < ICMP_HDR_LEN ||
	    icmp[0] != ICMP_ECHO_REQUEST || icmp[1] != 0 || ipv4_checksum(icmp, icmp_len) != 0)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		uint8_t t = ip[IP_OFF_SRC + i];

		ip[IP_OFF_SRC + i] = ip[IP_OFF_SRC + 4 + i];
		ip[IP_OFF_SRC + 4 + i] = t;
	}
	ip[IP_OFF_TTL] = REPLY_TTL;
	ip[IP_OFF_CSUM] = ip[IP_OFF_CSUM + 1] = 0;
	csum = ipv4_checksum(ip, info->hlen);
	ip[IP_OFF_CSUM] = (uint8_t)(csum >> 8);
	ip[IP_OFF_CSUM + 1] = (uint8_t)csum;
	icmp[0] = ICMP_ECHO_REPLY;
	icmp[2] = icmp[3] = 0;
	csum = ipv4_checksum(icmp, icmp_len);
	icmp[2] = (uint8_t)(csum >> 8);
	icmp[3] = (uint8_t)csum;
	return 0;
}
