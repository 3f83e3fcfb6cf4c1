/*
 * bgp-sender's output buffer and BGP framing: the 19-byte header, OPEN
 * (multiprotocol VPN-IPv4 and 4-octet AS), KEEPALIVE, the Cease it ends
 * with and End-of-RIB. A few byte stores each, no library codec.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/sender/sender.h"
#include "common/log.h"

uint8_t *ob_room(struct obuf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			fatal("allocating %zu bytes", cap);
		b->cap = cap;
	}
	return b->p + b->len;
}

void ob_put(struct obuf *b, const void *p, size_t n)
{
	memcpy(ob_room(b, n), p, n);
	b->len += n;
}

size_t msg_begin(struct obuf *b, uint8_t type)
{
	size_t start = b->len;
	uint8_t *p = ob_room(b, HDR_LEN);

	memset(p, 0xff, 16);
	ob_put16(p + 16, HDR_LEN);
	p[18] = type;
	b->len += HDR_LEN;
	return start;
}

void msg_end(struct obuf *b, size_t start)
{
	ob_put16(b->p + start + 16, (uint32_t)(b->len - start));
}

void msg_open(struct obuf *b, const struct opts *o)
{
	size_t start = msg_begin(b, 1);
	uint8_t caps[] = {
		2, 12,                             /* one Capabilities parameter */
		1, 4, 0, 1, 0, 128,                /* multiprotocol VPN-IPv4 */
		65, 4, 0, 0, 0, 0,                 /* 4-octet AS */
	};
	uint8_t *p = ob_room(b, 10 + sizeof(caps));

	ob_put32(caps + 10, o->asn);
	p[0] = 4;
	ob_put16(p + 1, o->asn > 65535 ? 23456 : o->asn);
	ob_put16(p + 3, o->hold);
	ob_put32(p + 5, o->router_id);
	p[9] = sizeof(caps);
	memcpy(p + 10, caps, sizeof(caps));
	b->len += 10 + sizeof(caps);
	msg_end(b, start);
}

void msg_keepalive(struct obuf *b)
{
	msg_end(b, msg_begin(b, 4));
}

void msg_cease(struct obuf *b)
{
	size_t start = msg_begin(b, 3);
	uint8_t body[2] = { 6, 2 }; /* Cease / Administrative Shutdown */

	ob_put(b, body, sizeof(body));
	msg_end(b, start);
}

/* End-of-RIB for VPN-IPv4 (RFC 4724 §2): an empty MP_UNREACH_NLRI. */
void msg_eor(struct obuf *b)
{
	size_t start = msg_begin(b, 2);
	uint8_t body[] = { 0, 0, 0, 6, 0x80, 15, 3, 0, 1, 128 };

	ob_put(b, body, sizeof(body));
	msg_end(b, start);
}
