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
static bool ip_parse(struct pctx *c, enum fwd_drop *why)
{
	if (!ipv4_check(ip_hdr(c), c->p->len - FWD_ETH_HLEN, &c->ip, why))
		return false;
	c->p->len = FWD_ETH_HLEN + c->ip.total_len; /* Ethernet padding must not travel on */
	c->is_ip = true;
	return true;
}

static enum fwd_verdict eth_output(struct pctx *c, struct fwd_iface *out, uint32_t nh_ip)
{
	if (out->mtu != 0 && c->p->len - FWD_ETH_HLEN > out->mtu)
		return drop(c, FWD_DROP_MTU_EXCEEDED);
	return arp_output(c->f, out, nh_ip, c->p);
}

static enum fwd_verdict ip_route(struct pctx *c);

/* Addressed to fwd itself: answer pings (routed back through the VRF), drop the rest. */
static enum fwd_verdict local_input(struct pctx *c)
{
	if (c->vrf == NULL || ipv4_echo_reply(ip_hdr(c), &c->ip) < 0)
		return drop(c, FWD_DROP_TO_SELF);
	c->ip.dst = c->ip.src;
	return ip_route(c);
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
 * lookup is counted in the VRF as vector.c counts it: from the core (the
 * packet came with a per-VRF label) or from a CE.
 */
static enum fwd_verdict ip_route(struct pctx *c)
{
	const struct fib_result *e = fib_lookup(c->f, c->vrf, c->ip.dst);

	fwd_vrf_lookup(c->f, c->vrf->id, c->in->role == FWD_IF_CORE, e != NULL);
	if (e == NULL)
		return drop(c, FWD_DROP_NO_ROUTE);
	return pipeline_nh_output(c, e->nh, e->inner_label);
}

static enum fwd_verdict access_ipv4(struct pctx *c)
{
	enum fwd_drop why;

	if (!mac_is_ours(c->p, c->in))
		return FWD_IGNORED; /* another station's frame on a shared segment */
	if (c->in->active)
		fwd_vrf_from_ce(c->f, c->in->vrf_id, c->p->len);
	if (!ip_parse(c, &why))
		return drop(c, why);
	c->vrf = c->in->active ? fib_vrf_get(c->f, c->in->vrf_id) : NULL;
	if (c->ip.dst == c->in->addr)
		return local_input(c);
	if (c->ip.ttl <= 1)
		return drop(c, FWD_DROP_TTL_EXPIRED);
	ipv4_set_ttl(ip_hdr(c), (uint8_t)(c->ip.ttl - 1));
	if (c->vrf == NULL)
		return drop(c, FWD_DROP_NO_ROUTE);
	return ip_route(c);
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
	return ip_parse(c, why);
}

typedef enum fwd_verdict (*lfib_handler)(struct pctx *c, const struct lfib_entry *e,
					 const struct mpls_lse *top);

static enum fwd_verdict do_pop_lookup(struct pctx *c, const struct lfib_entry *e,
				      const struct mpls_lse *top)
{
	enum fwd_drop why;

	if (!pop_to_ip(c, top, &why))
		return drop(c, why);
	if ((c->vrf = fib_vrf_get(c->f, e->vrf_id)) == NULL)
		return drop(c, FWD_DROP_NO_ROUTE);
	return ip_route(c);
}

static enum fwd_verdict do_pop_forward(struct pctx *c, const struct lfib_entry *e,
				       const struct mpls_lse *top)
{
	enum fwd_drop why;

	if (!pop_to_ip(c, top, &why))
		return drop(c, why);
	return pipeline_nh_output(c, e->nh, MPLS_LABEL_NONE);
}

static enum fwd_verdict do_swap(struct pctx *c, const struct lfib_entry *e,
				const struct mpls_lse *top)
{
	int rc = mpls_swap(c->p, e->out_label);
	enum fwd_drop why;

	if (rc < 0)
		return drop(c, pop_error(rc));
	/* penultimate hop popping of the last label exposes IPv4 */
	if (e->out_label == MPLS_LABEL_IMPLICIT_NULL && top->bos && !ip_parse(c, &why))
		return drop(c, why);
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
