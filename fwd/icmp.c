/*
 * ICMP errors, built in place (icmp.h), or with an RFC 4950 label stack
 * extension in a buffer of the thread's. The packet they quote was checked
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
#define ICMP_HDR_LEN 8
#define ICMP_OFF_LENGTH 5 /* RFC 4884: the quote's length in words, the header's 6th octet */
#define ICMP_EXT_VERSION 2
#define ICMP_EXT_HDR_LEN 4
#define ICMP_OBJ_HDR_LEN 4 /* length (2 bytes, the object's with this header), class, c-type */
#define ICMP_CLASS_MPLS_STACK 1
#define ICMP_CTYPE_MPLS_INCOMING 1

/* The longest front and error icmp_error_build_mpls builds. */
#define EXT_FRONT_MAX (FWD_ETH_HLEN + ICMP_MPLS_STACK_MAX * MPLS_LSE_LEN)
#define EXT_ERROR_MAX                                                                        \
	(ICMP_ERROR_ROOM + ICMP_EXT_QUOTE + ICMP_EXT_HDR_LEN + ICMP_OBJ_HDR_LEN +            \
	 ICMP_MPLS_STACK_MAX * MPLS_LSE_LEN)

/*
 * Where icmp_error_build_mpls builds (icmp.h says why not in place): one
 * per thread, headroom in front for the labels the error may be sent under.
 */
static _Thread_local uint8_t ext_buf[FWD_HEADROOM + EXT_FRONT_MAX + EXT_ERROR_MAX];

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

/*
 * The error's IPv4 header (ip) and ICMP header in front of icmp_len bytes
 * of ICMP message, all but the ICMP checksum, which covers what follows.
 */
static void put_headers(uint8_t *ip, size_t icmp_len, uint8_t type, uint8_t code, uint16_t mtu,
			uint32_t src, uint32_t dst)
{
	uint8_t *icmp = ip + IPV4_HDR_MIN;

	memset(ip, 0, ICMP_ERROR_ROOM);
	ip[0] = 0x45;
	ip[1] = ICMP_ERROR_TOS;
	put16(ip + 2, (uint16_t)(IPV4_HDR_MIN + icmp_len));
	ip[8] = ICMP_ERROR_TTL;
	ip[9] = IPV4_PROTO_ICMP;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, ipv4_checksum(ip, IPV4_HDR_MIN));
	icmp[0] = type;
	icmp[1] = code;
	if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
		put16(icmp + 6, mtu);
}

int icmp_error_build(struct fwd_pkt *p, size_t front, const struct ipv4_info *info, uint8_t type,
		     uint8_t code, uint16_t mtu, uint32_t src)
{
	size_t quote = info->total_len < ICMP_QUOTE_MAX ? info->total_len : ICMP_QUOTE_MAX;
	uint8_t *icmp;

	if (p->headroom < ICMP_ERROR_ROOM)
		return -ENOSPC;
	/* the quoted packet stays where it is; the new headers go in front of it */
	memmove(p->data - ICMP_ERROR_ROOM, p->data, front);
	p->data -= ICMP_ERROR_ROOM;
	p->headroom -= ICMP_ERROR_ROOM;
	p->len = front + ICMP_ERROR_ROOM + quote;
	put_headers(p->data + front, ICMP_HDR_LEN + quote, type, code, mtu, src, info->src);
	icmp = p->data + front + IPV4_HDR_MIN;
	put16(icmp + 2, ipv4_checksum(icmp, ICMP_HDR_LEN + quote));
	return 0;
}

/* Whether a frame is in ext_buf already (built there: it must not be copied onto itself). */
static bool in_ext_buf(const uint8_t *data)
{
	uintptr_t a = (uintptr_t)data, start = (uintptr_t)ext_buf;

	return a >= start && a < start + sizeof(ext_buf);
}

/* RFC 4884 section 4: the errors with an "original datagram" field and a length octet. */
static bool takes_extension(uint8_t type)
{
	return type == ICMP_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAM_PROBLEM;
}

/*
 * The extension structure at ext: its header (version 2, checksum over the
 * whole structure) and the incoming label stack object (RFC 4950 section
 * 5: a 4-byte object header, then the entries as they are on the wire).
 * Its length.
 */
static size_t put_mpls_extension(uint8_t *ext, const struct icmp_mpls_stack *stack)
{
	uint8_t *obj = ext + ICMP_EXT_HDR_LEN;
	size_t obj_len = ICMP_OBJ_HDR_LEN + stack->n * MPLS_LSE_LEN;

	ext[0] = ICMP_EXT_VERSION << 4; /* then 12 reserved bits */
	ext[1] = 0;
	put16(ext + 2, 0);
	put16(obj, (uint16_t)obj_len);
	obj[2] = ICMP_CLASS_MPLS_STACK;
	obj[3] = ICMP_CTYPE_MPLS_INCOMING;
	memcpy(obj + ICMP_OBJ_HDR_LEN, stack->lse, stack->n * MPLS_LSE_LEN);
	put16(ext + 2, ipv4_checksum(ext, ICMP_EXT_HDR_LEN + obj_len));
	return ICMP_EXT_HDR_LEN + obj_len;
}

int icmp_error_build_mpls(struct fwd_pkt *p, size_t front, const struct ipv4_info *info,
			  uint8_t type, uint8_t code, uint16_t mtu, uint32_t src,
			  const struct icmp_mpls_stack *stack)
{
	size_t quote = info->total_len < ICMP_EXT_QUOTE ? info->total_len : ICMP_EXT_QUOTE;
	uint8_t *data = ext_buf + FWD_HEADROOM, *ip = data + front, *icmp = ip + IPV4_HDR_MIN;
	uint8_t *q = icmp + ICMP_HDR_LEN;
	size_t icmp_len;

	if (!takes_extension(type) || stack->n == 0 || stack->n > ICMP_MPLS_STACK_MAX ||
	    in_ext_buf(p->data))
		return -EINVAL;
	if (front > EXT_FRONT_MAX)
		return -ENOSPC;
	memcpy(data, p->data, front);
	memcpy(q, p->data + front, quote); /* ipv4_check saw total_len bytes there */
	memset(q + quote, 0, ICMP_EXT_QUOTE - quote);
	icmp_len = ICMP_HDR_LEN + ICMP_EXT_QUOTE + put_mpls_extension(q + ICMP_EXT_QUOTE, stack);
	put_headers(ip, icmp_len, type, code, mtu, src, info->src);
	icmp[ICMP_OFF_LENGTH] = ICMP_EXT_QUOTE / 4;
	put16(icmp + 2, ipv4_checksum(icmp, icmp_len));
	p->data = data;
	p->len = front + IPV4_HDR_MIN + icmp_len;
	p->headroom = FWD_HEADROOM;
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
