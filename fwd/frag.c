/*
 * IPv4 fragmentation (see frag.h). Fragments are built one at a time in a
 * scratch buffer: the output path copies what it keeps (TX ring, ARP
 * queue), so the next fragment may overwrite it.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fwd/frag.h"

#define IP_FLAG_DF 0x4000
#define IP_FLAG_MF 0x2000
#define IP_OFFSET_MASK 0x1FFF
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_COPIED 0x80
#define IPV4_HDR_MAX 60
/* The most data a datagram can carry (RFC 791: a 16-bit total length, a header of 20 at least). */
#define IPV4_DATA_MAX (0xFFFF - IPV4_HDR_MIN)

static uint8_t scratch[FWD_HEADROOM + FRAG_FRONT_MAX + 0xFFFF];

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The header of the fragments after the first into h: the fixed part and
 * the options marked copied, padded with end-of-list to a multiple of 4.
 * Its length, or -EINVAL when an option runs past the header.
 */
static int later_header(const uint8_t *ip, unsigned hlen, uint8_t *h)
{
	unsigned n = IPV4_HDR_MIN, i = IPV4_HDR_MIN;

	memcpy(h, ip, IPV4_HDR_MIN);
	while (i < hlen && ip[i] != IPOPT_EOL) {
		unsigned len;

		if (ip[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || (len = ip[i + 1]) < 2 || i + len > hlen)
			return -EINVAL;
		if (ip[i] & IPOPT_COPIED) {
			memcpy(h + n, ip + i, len);
			n += len;
		}
		i += len;
	}
	while (n % 4 != 0)
		h[n++] = IPOPT_EOL;
	h[0] = (uint8_t)(0x40 | n / 4);
	return (int)n;
}

/*
 * One fragment in the scratch buffer: p's front bytes, header h (hl bytes),
 * data[0..len), at byte offset off.
 */
static struct fwd_pkt build(const struct fwd_pkt *p, size_t front, const uint8_t *h, unsigned hl,
			    const uint8_t *data, unsigned len, unsigned off, bool more)
{
	uint8_t *frame = scratch + FWD_HEADROOM, *ip = frame + front;

	memcpy(frame, p->data, front);
	memcpy(ip, h, hl);
	memcpy(ip + hl, data, len);
	put16(ip + 2, (uint16_t)(hl + len));
	put16(ip + 6, (uint16_t)((more ? IP_FLAG_MF : 0) | off / 8));
	put16(ip + 10, 0);
	put16(ip + 10, ipv4_checksum(ip, hl));
	return (struct fwd_pkt){ frame, front + hl + len, FWD_HEADROOM };
}

int frag_ipv4(const struct fwd_pkt *p, size_t front, const struct ipv4_info *info, unsigned mtu,
	      frag_out_fn out, void *ctx)
{
	const uint8_t *ip = p->data + front, *data = ip + info->hlen;
	uint16_t flags = get16(ip + 6);
	unsigned off = (flags & IP_OFFSET_MASK) * 8u, left = info->total_len - info->hlen;
	bool more_after = (flags & IP_FLAG_MF) != 0; /* the packet is itself a fragment, not the last */
	uint8_t later[IPV4_HDR_MAX];
	int later_len, n = 0;

	/* off + left past the largest datagram: the pieces' offsets would overflow into MF */
	if ((flags & IP_FLAG_DF) || front > FRAG_FRONT_MAX || mtu < info->hlen + 8u ||
	    off + left > IPV4_DATA_MAX ||
	    (later_len = later_header(ip, info->hlen, later)) < 0)
		return -EINVAL;
	while (left > 0) {
		const uint8_t *h = n == 0 ? ip : later;
		unsigned hl = n == 0 ? info->hlen : (unsigned)later_len;
		unsigned room = (mtu - hl) & ~7u, len = left < room ? left : room;
		struct fwd_pkt frag = build(p, front, h, hl, data, len, off, len < left || more_after);

		out(ctx, &frag);
		data += len;
		off += len;
		left -= len;
		n++;
	}
	return n;
}
