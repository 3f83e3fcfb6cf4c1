/*
 * A packet too big for its next link (pipeline.c hands it over): IPv4
 * without DF leaves in fragments (frag.h) that each take the rest of the
 * output path, with DF the sender gets fragmentation needed; at an LSR the
 * same happens under the frame's label entries (RFC 3032 3), the error sent
 * on along the LSP.
 */
#include <string.h>

#include "common/label.h"
#include "fwd/arp.h"
#include "fwd/frag.h"
#include "fwd/icmp.h"
#include "fwd/ipv4.h"
#include "fwd/mpls.h"
#include "fwd/pipeline_int.h"

/* The next-hop MTU field of fragmentation needed is 16 bits. */
static uint16_t mtu16(uint32_t mtu)
{
	return (uint16_t)(mtu > 0xFFFF ? 0xFFFF : mtu);
}

/* n fragments made of one packet (n < 0: it could not be cut, dropped). */
static enum fwd_verdict fragmented(struct pctx *c, int n)
{
	if (n < 0)
		return fwd_drop(c->f, FWD_DROP_MTU_EXCEEDED);
	c->f->ip_fragmented++;
	c->f->ip_fragments += (unsigned)n;
	return FWD_SENT;
}

/* A fragment of c's packet: the rest of the output path, as the whole packet would have taken. */
static void fragment_out(void *ctx, struct fwd_pkt *frag)
{
	const struct pctx *c = ctx;
	struct pctx one = *c;
	enum fwd_drop why;

	one.p = frag;
	if (pipeline_ip_parse(&one, &why))
		pipeline_nh_output(&one, c->nh, c->inner);
}

/*
 * An IPv4 packet larger than the egress MTU once k label entries are
 * pushed: with DF set it gets fragmentation needed (the sender learns the
 * MTU it can use); without, it leaves in fragments of that size (frag.h).
 */
enum fwd_verdict pipeline_too_big(struct pctx *c, const struct fwd_iface *out, unsigned k)
{
	uint32_t mtu = out->mtu - k * MPLS_LSE_LEN;

	/* no room for IPv4 at all (mtu wrapped): fragments would come back whole, without end */
	if (out->mtu <= k * MPLS_LSE_LEN)
		return fwd_drop(c->f, FWD_DROP_MTU_EXCEEDED);
	if (ipv4_df(c->p->data + FWD_ETH_HLEN))
		return pipeline_drop_icmp(c, FWD_DROP_MTU_EXCEEDED, ICMP_UNREACH,
					  ICMP_UNREACH_NEEDFRAG, mtu16(mtu));
	return fragmented(c, frag_ipv4(c->p, FWD_ETH_HLEN, &c->ip, mtu, fragment_out, c));
}

/* Where an LSR's fragments go: the frame's own way (arp_output). */
struct lsr_out {
	struct fwd *f;
	struct fwd_iface *out;
	uint32_t nh_ip;
};

static void lsr_fragment_out(void *ctx, struct fwd_pkt *frag)
{
	struct lsr_out *o = ctx;

	arp_output(o->f, o->out, o->nh_ip, frag);
}

/*
 * The label stack an LSR's frame arrived with, from the n entries it has
 * now and the top entry it swapped or popped (c->lsr_in): the top entry
 * gets its label back and the TTL before fwd's decrement; a popped one
 * (PHP) goes back on top, with the exposed entry's class and that TTL.
 * Into lse (room for ICMP_MPLS_STACK_MAX entries); how many entries, 0 when
 * the frame is no LSR's.
 */
static unsigned lsr_rx_stack(const struct pctx *c, unsigned n, uint8_t *lse)
{
	const uint8_t *now = c->p->data + FWD_ETH_HLEN;
	struct mpls_lse top;
	unsigned k = 1;

	if (!c->lsr_in.valid || n == 0)
		return 0;
	mpls_lse_decode(now, &top);
	top.label = c->lsr_in.label;
	top.ttl = top.ttl < 255 ? (uint8_t)(top.ttl + 1) : 255;
	if (c->lsr_in.popped)
		top.bos = false;
	mpls_lse_encode(lse, &top);
	for (unsigned i = c->lsr_in.popped ? 0 : 1; i < n && k < ICMP_MPLS_STACK_MAX; i++, k++)
		memcpy(lse + k * MPLS_LSE_LEN, now + i * MPLS_LSE_LEN, MPLS_LSE_LEN);
	return k;
}

/*
 * The sender of a labeled packet with DF that is too big here gets
 * fragmentation needed from the address it came in on, with the label
 * stack the packet arrived with (RFC 4950), sent on along the LSP under the
 * frame's label entries (fresh TTLs), as swap_expired sends a time
 * exceeded; the egress PE routes it back in the packet's VRF.
 */
static enum fwd_verdict lsr_need_frag(struct pctx *c, struct lsr_out *o, size_t front, unsigned n,
				      const struct ipv4_info *info, uint32_t mtu)
{
	enum fwd_verdict v = fwd_drop(c->f, FWD_DROP_MTU_EXCEEDED);
	uint8_t lse[ICMP_MPLS_STACK_MAX * MPLS_LSE_LEN];
	struct icmp_mpls_stack rx = { lse, 0 };

	if (c->local || c->in->addr == 0 || c->p->headroom < ICMP_ERROR_ROOM ||
	    !icmp_error_allowed(c->p->data + front, info))
		return v;
	if (!icmp_limit_take(&c->f->icmp_lsr, c->f->now_ms)) {
		c->f->icmp_limited++;
		return v;
	}
	c->f->icmp_sent++;
	rx.n = lsr_rx_stack(c, n, lse);
	if (rx.n == 0 || icmp_error_build_mpls(c->p, front, info, ICMP_UNREACH,
					       ICMP_UNREACH_NEEDFRAG, mtu16(mtu), c->in->addr,
					       &rx) < 0)
		icmp_error_build(c->p, front, info, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG,
				 mtu16(mtu), c->in->addr);
	pipeline_lsp_error_ttls(c->p, n);
	c->local = true;
	/* up to 576 bytes and the labels: a smaller link gets it in fragments (no DF on it) */
	if (c->p->len - FWD_ETH_HLEN > o->out->mtu)
		return pipeline_lsr_too_big(c, o->out, o->nh_ip);
	return arp_output(o->f, o->out, o->nh_ip, c->p);
}

/*
 * A labeled frame too big for its egress link (an LSR, RFC 3032 3): with
 * IPv4 under its label entries, the packet leaves in fragments under the
 * same entries, or with DF gets fragmentation needed, the MTU less the
 * labels; without IPv4 to see, it is dropped.
 */
enum fwd_verdict pipeline_lsr_too_big(struct pctx *c, struct fwd_iface *out, uint32_t nh_ip)
{
	struct lsr_out o = { c->f, out, nh_ip };
	struct ipv4_info info;
	enum fwd_drop why;
	unsigned n;
	size_t front = pipeline_stack_front(c->p, &n);
	uint32_t mtu;

	if (front == 0 || out->mtu <= n * MPLS_LSE_LEN ||
	    !ipv4_check(c->p->data + front, c->p->len - front, &info, &why))
		return fwd_drop(c->f, FWD_DROP_MTU_EXCEEDED);
	/*
	 * Bytes after the packet (padding, junk) do not travel on: without them
	 * it may fit, and a bare header would be cut into no fragment at all.
	 */
	c->p->len = front + info.total_len;
	if (c->p->len - FWD_ETH_HLEN <= out->mtu)
		return arp_output(c->f, out, nh_ip, c->p);
	mtu = out->mtu - n * MPLS_LSE_LEN;
	if (ipv4_df(c->p->data + front))
		return lsr_need_frag(c, &o, front, n, &info, mtu);
	return fragmented(c, frag_ipv4(c->p, front, &info, mtu, lsr_fragment_out, &o));
}
