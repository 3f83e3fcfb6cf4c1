/*
 * The forwarding pipeline, one frame at a time:
 *   access link: ARP -> arp.c; IPv4 -> header checks -> to us? (echo) ->
 *                TTL -> LPM in the link's VRF -> next hop;
 *   core link:   MPLS -> LFIB (pop+lookup, pop+forward, swap/PHP) -> next hop;
 *                ARP -> arp.c (learning only); anything else is the kernel's.
 *   next hop:    connected / gateway (ARP, rewrite MACs) or labeled (push
 *                [outer | inner], TTL from IP) -> MTU check -> arp_output.
 * The VRF of a packet comes only from its ingress link or its label, so a
 * packet of one customer can never be looked up in another's table.
 * Every early exit is a counted drop (or "ignored" for the kernel's frames).
 * An IPv4 packet dropped for its TTL, for want of a route or for its size
 * with DF set gets an ICMP error back (icmp.h), rate limited; what is too
 * big for its next link is pipeline_mtu.c's (fragments, or fragmentation
 * needed).
 * A frame it handles from the start is counted here in its VRF or label
 * (ctr.h); one vector.c classified was counted there.
 * This is the complete, per-frame path: vector.c runs the common cases of a
 * whole batch itself and hands everything else here, whole or half done.
 */
#include <errno.h>
#include <string.h>

#include "common/label.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/icmp.h"
#include "fwd/ipv4.h"
#include "fwd/lfib.h"
#include "fwd/mpls.h"
#include "fwd/nexthop.h"
#include "fwd/pipeline.h"
#include "fwd/pipeline_int.h"

#define IP_OFF_TTL 8

static uint8_t *ip_hdr(const struct pctx *c)
{
	return c->p->data + FWD_ETH_HLEN;
}

static enum fwd_verdict drop(struct pctx *c, enum fwd_drop why)
{
	return fwd_drop(c->f, why);
}

static bool mac_is_ours(const struct fwd_pkt *p, const struct fwd_iface *in)
{
	return memcmp(p->data, in->mac, FWD_ETH_ALEN) == 0;
}

/* Validates the IPv4 packet behind the Ethernet header and trims padding. */
bool pipeline_ip_parse(struct pctx *c, enum fwd_drop *why)
{
	if (!ipv4_check(ip_hdr(c), c->p->len - FWD_ETH_HLEN, &c->ip, why))
		return false;
	c->p->len = FWD_ETH_HLEN + c->ip.total_len; /* Ethernet padding must not travel on */
	c->is_ip = true;
	return true;
}

static enum fwd_verdict ip_route(struct pctx *c, uint32_t popped_label);

/* Our address for an error about c's packet: the ingress link's, else one of the VRF's links'. */
static uint32_t icmp_source(const struct pctx *c)
{
	const struct fwd_iface *l;

	if (c->in->role == FWD_IF_ACCESS && c->in->addr != 0)
		return c->in->addr;
	for (l = c->f->vrf_links[c->vrf->id]; l != NULL; l = l->vrf_next)
		if (l->addr != 0)
			return l->addr;
	return 0;
}

/* The packet is for one of our addresses in its VRF (RFC 1812 5.3.1: taken in, whatever its TTL). */
static bool for_us(const struct pctx *c)
{
	const struct fwd_iface *l;

	for (l = c->f->vrf_links[c->vrf->id]; l != NULL; l = l->vrf_next)
		if (l->addr == c->ip.dst)
			return true;
	return false;
}

/*
 * The error about c's packet, of front bytes then the packet of info: with
 * the label stack it arrived with when it arrived labeled (icmp.h), else,
 * or when that cannot be built, the plain one (the caller has checked its
 * headroom).
 */
static void error_build(struct pctx *c, size_t front, const struct ipv4_info *info, uint8_t type,
			uint8_t code, uint16_t mtu, uint32_t src)
{
	if (c->rx_stack == NULL || icmp_error_build_mpls(c->p, front, info, type, code, mtu, src,
							 c->rx_stack) < 0)
		icmp_error_build(c->p, front, info, type, code, mtu, src);
}

/*
 * The packet is dropped and counted as why. When an error may be sent about
 * it (icmp.c), the VRF has a route back to the sender, and the rate limit
 * allows one, the frame becomes that error, from our address in the
 * packet's VRF, and goes back as a ping reply would. The route is looked up
 * before a token is taken: senders with no way back (spoofed) do not use up
 * the VRF's errors.
 */
enum fwd_verdict pipeline_drop_icmp(struct pctx *c, enum fwd_drop why, uint8_t type, uint8_t code,
				    uint16_t mtu)
{
	enum fwd_verdict v = drop(c, why);
	const struct fib_result *back;
	uint32_t src;

	if (!c->is_ip || c->local || c->vrf == NULL || c->p->headroom < ICMP_ERROR_ROOM ||
	    (src = icmp_source(c)) == 0 || !icmp_error_allowed(ip_hdr(c), &c->ip) ||
	    (back = fib_lookup(c->f, c->vrf, c->ip.src)) == NULL)
		return v;
	if (!icmp_limit_take(&c->vrf->icmp, c->f->now_ms)) {
		c->f->icmp_limited++;
		return v;
	}
	c->f->icmp_sent++;
	error_build(c, FWD_ETH_HLEN, &c->ip, type, code, mtu, src);
	if (!pipeline_ip_parse(c, &why))
		return v;
	c->local = true;
	return pipeline_nh_output(c, back->nh, back->inner_label);
}

static bool over_mtu(const struct pctx *c, const struct fwd_iface *out, unsigned k)
{
	return out->mtu != 0 && c->p->len - FWD_ETH_HLEN + k * MPLS_LSE_LEN > out->mtu;
}

/* Label entries looked through for the IPv4 packet an LSR's error quotes (and carries). */
#define STACK_WALK_MAX ICMP_MPLS_STACK_MAX
/* The TTL of the label entries an LSR sends its error on with (as if it came from there). */
#define LSP_ERROR_TTL 255

void pipeline_lsp_error_ttls(struct fwd_pkt *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) /* the TTL is an entry's last byte */
		p->data[FWD_ETH_HLEN + i * MPLS_LSE_LEN + 3] = LSP_ERROR_TTL;
}

size_t pipeline_stack_front(const struct fwd_pkt *p, unsigned *n)
{
	size_t front = FWD_ETH_HLEN;

	for (*n = 0; *n < STACK_WALK_MAX && front + MPLS_LSE_LEN <= p->len; (*n)++) {
		front += MPLS_LSE_LEN;
		if (p->data[front - 2] & 1) { /* S: the bottom of the stack */
			(*n)++;
			return front;
		}
	}
	return 0;
}

static enum fwd_verdict eth_output(struct pctx *c, struct fwd_iface *out, uint32_t nh_ip)
{
	if (over_mtu(c, out, 0))
		return c->is_ip ? pipeline_too_big(c, out, 0) : pipeline_lsr_too_big(c, out, nh_ip);
	return arp_output(c->f, out, nh_ip, c->p);
}

/* Label entries mpls_push writes for these: implicit null and none push nothing. */
static unsigned push_count(const uint32_t *labels, unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		k += labels[i] != MPLS_LABEL_IMPLICIT_NULL && labels[i] != MPLS_LABEL_NONE;
	return k;
}

/* Addressed to fwd itself: answer pings (routed back through the VRF), drop the rest. */
static enum fwd_verdict local_input(struct pctx *c)
{
	if (c->vrf == NULL || ipv4_echo_reply(ip_hdr(c), &c->ip) < 0)
		return drop(c, FWD_DROP_TO_SELF);
	c->ip.dst = c->ip.src;
	c->local = true;
	return ip_route(c, MPLS_LABEL_NONE);
}

/* The TTL for pushed labels: the IP TTL (already decremented) or the top label's. */
static uint8_t push_ttl(const struct pctx *c)
{
	struct mpls_lse top;

	if (c->is_ip)
		return ip_hdr(c)[IP_OFF_TTL];
	return mpls_peek(c->p, &top) == 0 ? top.ttl : 0;
}

enum fwd_verdict pipeline_nh_output(struct pctx *c, struct nexthop *nh, uint32_t inner_label)
{
	struct fwd_iface *out;
	uint32_t labels[2];
	enum fwd_verdict v;

	c->nh = nh;
	c->inner = inner_label;
	if (nh == NULL) /* vector.c's lookup found no route */
		return pipeline_drop_icmp(c, FWD_DROP_NO_ROUTE, ICMP_UNREACH, ICMP_UNREACH_NET, 0);
	if (nh->type == IPC_NH_LOCAL)
		return c->is_ip ? local_input(c) : drop(c, FWD_DROP_BAD_LABEL_STACK);
	if (nh->type == IPC_NH_DROP)
		return drop(c, FWD_DROP_BLACKHOLE);
	if ((out = nh_iface(c->f, nh)) == NULL)
		return drop(c, FWD_DROP_NO_NEXTHOP);
	switch (nh->type) {
	case IPC_NH_CONNECTED:
		if (!c->is_ip)
			return drop(c, FWD_DROP_NO_NEXTHOP);
		if (out->addr == c->ip.dst)
			return local_input(c);
		return eth_output(c, out, c->ip.dst);
	case IPC_NH_GATEWAY:
		v = eth_output(c, out, nh->gateway);
		nh_adj_learn(c->f, nh, out);
		return v;
	case IPC_NH_LABELED:
		labels[0] = nh->out_label;
		labels[1] = inner_label;
		if (c->is_ip && over_mtu(c, out, push_count(labels, 2)))
			return pipeline_too_big(c, out, push_count(labels, 2));
		if (mpls_push(c->p, labels, 2, push_ttl(c)) < 0)
			return drop(c, FWD_DROP_NO_HEADROOM);
		c->is_ip = false;
		v = eth_output(c, out, nh->gateway);
		nh_adj_learn(c->f, nh, out);
		return v;
	default:
		return drop(c, FWD_DROP_NO_NEXTHOP);
	}
}

/*
 * LPM in the packet's VRF; the TTL has been dealt with by the caller. The
 * lookup is counted as vector.c counts it: on the per-VRF label the packet
 * was popped by (popped_label), else in the VRF as one from a CE; fwd's
 * own packets (ping replies, ICMP errors) came from neither and are not
 * counted.
 */
static enum fwd_verdict ip_route(struct pctx *c, uint32_t popped_label)
{
	const struct fib_result *e = fib_lookup(c->f, c->vrf, c->ip.dst);

	if (!c->local)
		fwd_vrf_lookup(c->f, c->vrf->id, popped_label, e != NULL);
	if (e == NULL)
		return pipeline_drop_icmp(c, FWD_DROP_NO_ROUTE, ICMP_UNREACH, ICMP_UNREACH_NET, 0);
	return pipeline_nh_output(c, e->nh, e->inner_label);
}

static enum fwd_verdict access_ipv4(struct pctx *c)
{
	enum fwd_drop why;

	if (!mac_is_ours(c->p, c->in))
		return FWD_IGNORED; /* another station's frame on a shared segment */
	if (c->in->active)
		fwd_vrf_from_ce(c->f, c->in->vrf_id, c->p->len);
	if (!pipeline_ip_parse(c, &why))
		return drop(c, why);
	c->vrf = c->in->active ? fib_vrf_get(c->f, c->in->vrf_id) : NULL;
	if (c->ip.dst == c->in->addr)
		return local_input(c);
	if (c->ip.ttl <= 1)
		return c->vrf != NULL && for_us(c) ?
			       local_input(c) :
			       pipeline_drop_icmp(c, FWD_DROP_TTL_EXPIRED, ICMP_TIME_EXCEEDED,
					 ICMP_TIME_EXCEEDED_TTL, 0);
	ipv4_set_ttl(ip_hdr(c), (uint8_t)(c->ip.ttl - 1));
	if (c->vrf == NULL)
		return drop(c, FWD_DROP_NO_ROUTE);
	return ip_route(c, MPLS_LABEL_NONE);
}

static enum fwd_drop pop_error(int rc)
{
	return rc == -ETIMEDOUT ? FWD_DROP_TTL_EXPIRED : FWD_DROP_BAD_LABEL_STACK;
}

/* Pops the bottom label and checks the IPv4 packet it exposes. */
static bool pop_to_ip(struct pctx *c, const struct mpls_lse *top, enum fwd_drop *why)
{
	int rc;

	if (!top->bos) {
		*why = FWD_DROP_BAD_LABEL_STACK;
		return false;
	}
	if ((rc = mpls_pop(c->p)) < 0) {
		*why = pop_error(rc);
		return false;
	}
	return pipeline_ip_parse(c, why);
}

typedef enum fwd_verdict (*lfib_handler)(struct pctx *c, const struct lfib_entry *e,
					 const struct mpls_lse *top);

/*
 * The bottom label's TTL ran out at this egress PE: the label is taken off
 * so that the error quotes the IPv4 packet it carried, and the error goes
 * back through vrf (RFC 3032 2.3.2: the packet's own VRF, where its sender is).
 * The entry is kept as it arrived for the error's label stack extension.
 */
static enum fwd_verdict pop_expired(struct pctx *c, const struct mpls_lse *top,
				    struct fwd_vrf *vrf)
{
	uint8_t lse[MPLS_LSE_LEN];
	struct icmp_mpls_stack rx = { lse, 1 };
	enum fwd_drop why;

	memcpy(lse, c->p->data + FWD_ETH_HLEN, MPLS_LSE_LEN); /* core_mpls peeked it: there */
	if (!top->bos || mpls_strip(c->p) < 0 || !pipeline_ip_parse(c, &why))
		return drop(c, FWD_DROP_TTL_EXPIRED);
	if ((c->vrf = vrf) != NULL && for_us(c))
		return local_input(c);
	c->rx_stack = &rx;
	return pipeline_drop_icmp(c, FWD_DROP_TTL_EXPIRED, ICMP_TIME_EXCEEDED, ICMP_TIME_EXCEEDED_TTL, 0);
}

struct fwd_vrf *pipeline_ce_vrf(struct fwd *f, struct nexthop *nh)
{
	struct fwd_iface *out = nh_iface(f, nh);

	return out != NULL && out->role == FWD_IF_ACCESS && out->active ?
		       fib_vrf_get(f, out->vrf_id) :
		       NULL;
}

static enum fwd_verdict do_pop_lookup(struct pctx *c, const struct lfib_entry *e,
				      const struct mpls_lse *top)
{
	enum fwd_drop why;

	if (top->ttl <= 1)
		return pop_expired(c, top, fib_vrf_get(c->f, e->vrf_id));
	if (!pop_to_ip(c, top, &why))
		return drop(c, why);
	if ((c->vrf = fib_vrf_get(c->f, e->vrf_id)) == NULL)
		return drop(c, FWD_DROP_NO_ROUTE);
	return ip_route(c, e->in_label);
}

static enum fwd_verdict do_pop_forward(struct pctx *c, const struct lfib_entry *e,
				       const struct mpls_lse *top)
{
	enum fwd_drop why;

	if (top->ttl <= 1)
		return pop_expired(c, top, pipeline_ce_vrf(c->f, e->nh));
	if (!pop_to_ip(c, top, &why))
		return drop(c, why);
	c->vrf = pipeline_ce_vrf(c->f, e->nh); /* the packet's VRF: its errors go back in it */
	return pipeline_nh_output(c, e->nh, MPLS_LABEL_NONE);
}

static enum fwd_verdict do_swap(struct pctx *c, const struct lfib_entry *e,
				const struct mpls_lse *top);

/*
 * A transit label's TTL ran out here (an LSR, RFC 3032 2.3.2). An LSR has
 * no VRF to answer in: the error, from the address the packet came in on,
 * goes on along the LSP under the same label entries with fresh TTLs, and
 * the egress PE routes it back to the sender in the packet's own VRF. So a
 * customer's traceroute sees this hop too, and the label entries the packet
 * arrived with (in the error's extension, icmp.h).
 */
static enum fwd_verdict swap_expired(struct pctx *c, const struct lfib_entry *e,
				     const struct mpls_lse *top)
{
	enum fwd_verdict v = drop(c, FWD_DROP_TTL_EXPIRED);
	struct ipv4_info info;
	enum fwd_drop why;
	unsigned n;
	size_t front = pipeline_stack_front(c->p, &n);
	uint8_t *ip = c->p->data + front;
	struct icmp_mpls_stack rx = { c->p->data + FWD_ETH_HLEN, n };

	if (front == 0 || c->in->addr == 0 || c->p->headroom < ICMP_ERROR_ROOM ||
	    !ipv4_check(ip, c->p->len - front, &info, &why) || !icmp_error_allowed(ip, &info))
		return v;
	if (!icmp_limit_take(&c->f->icmp_lsr, c->f->now_ms)) {
		c->f->icmp_limited++;
		return v;
	}
	c->f->icmp_sent++;
	c->rx_stack = &rx; /* mpls_swap left the entries as they arrived */
	error_build(c, front, &info, ICMP_TIME_EXCEEDED, ICMP_TIME_EXCEEDED_TTL, 0, c->in->addr);
	pipeline_lsp_error_ttls(c->p, n);
	c->local = true;
	return do_swap(c, e, top);
}

static enum fwd_verdict do_swap(struct pctx *c, const struct lfib_entry *e,
				const struct mpls_lse *top)
{
	int rc = mpls_swap(c->p, e->out_label);
	enum fwd_drop why;

	if (rc == -ETIMEDOUT && !c->local)
		return swap_expired(c, e, top);
	if (rc < 0)
		return drop(c, pop_error(rc));
	/* penultimate hop popping of the last label exposes IPv4 */
	if (e->out_label == MPLS_LABEL_IMPLICIT_NULL && top->bos && !pipeline_ip_parse(c, &why))
		return drop(c, why);
	c->lsr_in = (struct lsr_in){ e->in_label, true, e->out_label == MPLS_LABEL_IMPLICIT_NULL };
	return pipeline_nh_output(c, e->nh, MPLS_LABEL_NONE);
}

static const lfib_handler lfib_handlers[] = {
	[IPC_LFIB_POP_LOOKUP] = do_pop_lookup,
	[IPC_LFIB_POP_FORWARD] = do_pop_forward,
	[IPC_LFIB_SWAP] = do_swap,
};

static enum fwd_verdict core_mpls(struct pctx *c)
{
	struct mpls_lse top;
	const struct lfib_entry *e;

	if (!mac_is_ours(c->p, c->in))
		return FWD_IGNORED;
	if (mpls_peek(c->p, &top) < 0)
		return drop(c, FWD_DROP_TRUNCATED);
	e = lfib_lookup(c->f->lfib, top.label);
	if (e != NULL)
		fwd_label_count(c->f, e->in_label, c->p->len);
	if (e == NULL || e->action >= sizeof(lfib_handlers) / sizeof(lfib_handlers[0]) ||
	    lfib_handlers[e->action] == NULL)
		return drop(c, FWD_DROP_UNKNOWN_LABEL);
	return lfib_handlers[e->action](c, e, &top);
}

enum fwd_verdict pipeline_frame(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p)
{
	struct pctx c = { .f = f, .in = in, .p = p };
	int type = mpls_ethertype(p);

	if (type < 0)
		return drop(&c, FWD_DROP_TRUNCATED);
	if (type == FWD_ETHERTYPE_ARP)
		return arp_input(f, in, p);
	if (in->role == FWD_IF_CORE)
		return type == ETHERTYPE_MPLS ? core_mpls(&c) : FWD_IGNORED;
	if (type != FWD_ETHERTYPE_IPV4)
		return drop(&c, FWD_DROP_UNSUPPORTED);
	return access_ipv4(&c);
}
