/*
 * ICMP errors, built in place (icmp.h). The packet they quote was checked
 * by ipv4_check, so its header and total length are known to be there.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "fwd/icmp.h"

#define IP_OFF_FRAG 6
#define IP_FRAG_OFFSET_MASK 0x1FFF
#define ICMP_ERROR_TTL 64
#define ICMP_ERROR_TOS 0xC0 /* internetwork control, as routers send their errors */

static bool is_icmp_error_type(uint8_t type)
{
	/* destination unreachable, source quench, redirect, time exceeded, parameter problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool one_host(uint32_t a)
{
	uint8_t first = (uint8_t)(a >> 24);

	return first != 0 && first != 127 && first < 224;
}

bool icmp_error_allowed(const uint8_t *ip, const struct ipv4_info *info)
{
	uint16_t frag = (uint16_t)(ip[IP_OFF_FRAG] << 8 | ip[IP_OFF_FRAG + 1]);

	if ((frag & IP_FRAG_OFFSET_MASK) != 0 || !one_host(info->src))
		return false;
	if (info->dst >> 28 == 0xE || info->dst == 0xFFFFFFFFu)
		return false;
	if (info->proto == IPV4_PROTO_ICMP &&
	    (info->total_len <= info->hlen || is_icmp_error_type(ip[info->hlen])))
		return false;
	return true;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

int icmp_error_build(struct fwd_pkt *p, size_t front, const struct ipv4_info *info, uint8_t type,
		     uint8_t code, uint16_t mtu, uint32_t src)
{
	size_t quote = info->total_len < ICMP_QUOTE_MAX ? info->total_len : ICMP_QUOTE_MAX;
	uint8_t *ip, *icmp;

	if (p->headroom < ICMP_ERROR_ROOM)
		return -ENOSPC;
	/* the quoted packet stays where it is; the new headers go in front of it */
	memmove(p->data - ICMP_ERROR_ROOM, p->data, front);
	p->data -= ICMP_ERROR_ROOM;
	p->headroom -= ICMP_ERROR_ROOM;
	p->len = front + ICMP_ERROR_ROOM + quote;
	ip = p->data + front;
	icmp = ip + IPV4_HDR_MIN;
	memset(ip, 0, ICMP_ERROR_ROOM);
	ip[0] = 0x45;
	ip[1] = ICMP_ERROR_TOS;
	put16(ip + 2, (uint16_t)(ICMP_ERROR_ROOM + quote));
	ip[8] = ICMP_ERROR_TTL;
	ip[9] = IPV4_PROTO_ICMP;
	put32(ip + 12, src);
	put32(ip + 16, info->src);
	put16(ip + 10, ipv4_checksum(ip, IPV4_HDR_MIN));
	icmp[0] = type;
	icmp[1] = code;
	if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
		put16(icmp + 6, mtu);
	put16(icmp + 2, ipv4_checksum(icmp, 8 + quote));
	return 0;
}

bool icmp_limit_take(struct icmp_limit *l, uint64_t now_ms)
{
	if (!l->started || now_ms < l->last_ms) {
		l->last_ms = now_ms;
		l->tokens = ICMP_BURST;
		l->started = true;
	} else if (now_ms > l->last_ms) {
		uint64_t add = (now_ms - l->last_ms) * ICMP_PER_SECOND / 1000;

		if (add > 0) {
			l->tokens = add >= ICMP_BURST - l->tokens ? ICMP_BURST : l->tokens + (uint32_t)add;
			l->last_ms = now_ms;
		}
	}
	if (l->tokens == 0)
		return false;
	l->tokens--;
	return true;
}

uint64_t icmp_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
