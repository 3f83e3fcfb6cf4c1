/*
 * Push, swap and pop on frames in place. The Ethernet header moves (12 MAC
 * bytes) instead of the payload: a push takes headroom in front of the frame
 * that the receive path reserved, a pop gives it back. TTL follows the RFC
 * 3443 uniform model so traceroute and loops behave as with plain IP.
 */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "fwd/ipv4.h"
#include "fwd/mpls.h"

#define ETH_OFF_TYPE 12
#define MAX_PUSH 8

static void set_ethertype(struct fwd_pkt *p, uint16_t type)
{
	p->data[ETH_OFF_TYPE] = (uint8_t)(type >> 8);
	p->data[ETH_OFF_TYPE + 1] = (uint8_t)type;
}

int mpls_ethertype(const struct fwd_pkt *p)
{
	struct rbuf r;
	uint16_t type;

	rbuf_init(&r, p->data, p->len);
	if (rbuf_skip(&r, ETH_OFF_TYPE) < 0 || rbuf_get_u16(&r, &type) < 0)
		return -EBADMSG;
	return type;
}

int mpls_push(struct fwd_pkt *p, const uint32_t *labels, size_t n, uint8_t ttl)
{
	uint32_t keep[MAX_PUSH];
	size_t k = 0, grow;
	int type = mpls_ethertype(p);
	uint8_t *lse;
	struct mpls_lse top = { 0 };

	if (type < 0)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		if (labels[i] == MPLS_LABEL_IMPLICIT_NULL || labels[i] == MPLS_LABEL_NONE)
			continue;
		if (k == MAX_PUSH || labels[i] > MPLS_LABEL_MAX)
			return -EINVAL;
		keep[k++] = labels[i];
	}
	if (k == 0)
		return 0;
	grow = k * MPLS_LSE_LEN;
	if (p->headroom < grow)
		return -ENOSPC;
	/* pushing onto a label stack: the new entries inherit its traffic class */
	if (type == ETHERTYPE_MPLS && mpls_peek(p, &top) < 0)
		return -EBADMSG;
	memmove(p->data - grow, p->data, ETH_OFF_TYPE);
	p->data -= grow;
	p->len += grow;
	p->headroom -= grow;
	set_ethertype(p, ETHERTYPE_MPLS);
	lse = p->data + FWD_ETH_HLEN;
	for (size_t i = 0; i < k; i++) {
		struct mpls_lse e = { .label = keep[i], .tc = top.tc, .ttl = ttl,
				      .bos = i + 1 == k && type != ETHERTYPE_MPLS };

		mpls_lse_encode(lse + i * MPLS_LSE_LEN, &e);
	}
	return 0;
}

int mpls_peek(const struct fwd_pkt *p, struct mpls_lse *top)
{
	if (mpls_ethertype(p) != ETHERTYPE_MPLS || p->len < FWD_ETH_HLEN + MPLS_LSE_LEN)
		return -EBADMSG;
	mpls_lse_decode(p->data + FWD_ETH_HLEN, top);
	return 0;
}

/* Copies ttl into what lies under the top entry; checks it is there first. */
static int expose_ttl(struct fwd_pkt *p, const struct mpls_lse *top, uint8_t ttl)
{
	uint8_t *under = p->data + FWD_ETH_HLEN + MPLS_LSE_LEN;
	size_t avail = p->len - FWD_ETH_HLEN - MPLS_LSE_LEN;

	if (!top->bos) {
		if (avail < MPLS_LSE_LEN)
			return -EBADMSG;
		under[3] = ttl; /* the TTL is the last byte of an entry */
		return 0;
	}
	if (avail < IPV4_HDR_MIN || under[0] >> 4 != 4)
		return -EBADMSG;
	ipv4_set_ttl(under, ttl);
	return 0;
}

static void take_top(struct fwd_pkt *p, const struct mpls_lse *top)
{
	memmove(p->data + MPLS_LSE_LEN, p->data, ETH_OFF_TYPE);
	p->data += MPLS_LSE_LEN;
	p->len -= MPLS_LSE_LEN;
	p->headroom += MPLS_LSE_LEN;
	set_ethertype(p, top->bos ? FWD_ETHERTYPE_IPV4 : ETHERTYPE_MPLS);
}

int mpls_pop(struct fwd_pkt *p)
{
	struct mpls_lse top;
	int rc;

	if (mpls_peek(p, &top) < 0)
		return -EBADMSG;
	if (top.ttl <= 1)
		return -ETIMEDOUT;
	if ((rc = expose_ttl(p, &top, (uint8_t)(top.ttl - 1))) < 0)
		return rc;
	take_top(p, &top);
	return 0;
}

int mpls_strip(struct fwd_pkt *p)
{
	struct mpls_lse top;

	if (mpls_peek(p, &top) < 0)
		return -EBADMSG;
	take_top(p, &top);
	return 0;
}

int mpls_swap(struct fwd_pkt *p, uint32_t out)
{
	struct mpls_lse top;

	if (out == MPLS_LABEL_IMPLICIT_NULL)
		return mpls_pop(p);
	if (out > MPLS_LABEL_MAX)
		return -EINVAL;
	if (mpls_peek(p, &top) < 0)
		return -EBADMSG;
	if (top.ttl <= 1)
		return -ETIMEDOUT;
	top.label = out;
	top.ttl--;
	mpls_lse_encode(p->data + FWD_ETH_HLEN, &top);
	return 0;
}
