/*
 * The vector packet path (in the style of VPP's graph nodes): a batch of
 * frames goes through each step together instead of each frame through all
 * steps, so the LPM lookups of the whole batch run interleaved
 * (lpm_lookup_batch) and their cache misses overlap. Steps:
 *   classify:  every frame; the common cases are recognised here and
 *              prepared (IPv4 from a customer: checked, TTL - 1; MPLS from
 *              the core: LFIB, pop to IPv4 or swap); anything else (ARP,
 *              options, TTL expiry, unknown labels, ...) is left untouched
 *              for the complete per-frame path in pipeline.c;
 *   lookup:    the prepared IPv4 frames, all VRF lookups at once;
 *   output:    in arrival order: next hops whose MAC is cached
 *              (nh_adj_valid) get their labels and Ethernet header written
 *              in one go and leave; the rest continue in pipeline.c from
 *              the next hop on, and the slow frames run there whole.
 * Both halves must give the same bytes and counters for the same frame:
 * tests/unit/test_fwd_vector.c runs batches against pipeline.c alone.
 */
#include <string.h>

#include "common/label.h"
#include "fwd/fib.h"
#include "fwd/ipv4.h"
#include "fwd/lfib.h"
#include "fwd/lpm.h"
#include "fwd/nexthop.h"
#include "fwd/pipeline.h"
#include "fwd/pipeline_int.h"

#define VEC 256
#define ETH_TYPE 12
#define IP_TTL 8

enum vkind { VK_SLOW = 0, VK_DONE, VK_LOOKUP, VK_NH };

struct vstate {
	struct pctx c;      /* what pipeline.c needs to take over */
	struct nexthop *nh; /* VK_NH */
	uint32_t inner;     /* VK_NH: inner label to push under the next hop's */
	uint8_t kind;
	uint8_t verdict;    /* VK_DONE */
};

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	memcpy(&a4, a, 4);
	memcpy(&b4, b, 4);
	memcpy(&a2, a + 4, 2);
	memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

/*
 * A plain 20-byte IPv4 header within avail bytes with a good checksum: the
 * only kind the fast path takes (options and anything odd go the slow way).
 */
static inline bool ip_plain(const uint8_t *ip, size_t avail, struct ipv4_info *info)
{
	uint32_t sum = 0;
	uint16_t total;

	if (avail < IPV4_HDR_MIN || ip[0] != 0x45)
		return false;
	total = get16(ip + 2);
	if (total < IPV4_HDR_MIN || total > avail)
		return false;
	for (int i = 0; i < IPV4_HDR_MIN; i += 2)
		sum += get16(ip + i);
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	if (sum != 0xFFFF)
		return false;
	*info = (struct ipv4_info){ .hlen = IPV4_HDR_MIN, .total_len = total, .ttl = ip[IP_TTL],
				    .proto = ip[9], .src = get32(ip + 12), .dst = get32(ip + 16) };
	return true;
}

/* A next hop the output step can finish alone: MAC known, interface up. */
static inline bool nh_fast(const struct nexthop *nh)
{
	const struct fwd_iface *out = nh->ifp;

	return (nh->type == IPC_NH_GATEWAY || nh->type == IPC_NH_LABELED) && out != NULL &&
	       out->active && nh_adj_valid(nh, out);
}

/* Removes the top label entry the way mpls_pop does (the Ethernet header moves up). */
static inline void pop_top(struct fwd_pkt *p, uint16_t new_type)
{
	memmove(p->data + MPLS_LSE_LEN, p->data, ETH_TYPE);
	p->data += MPLS_LSE_LEN;
	p->len -= MPLS_LSE_LEN;
	p->headroom += MPLS_LSE_LEN;
	p->data[ETH_TYPE] = (uint8_t)(new_type >> 8);
	p->data[ETH_TYPE + 1] = (uint8_t)new_type;
}

/* IPv4 from a customer: checked, TTL decremented, ready for the VRF lookup. */
static uint8_t classify_access(struct vstate *s, uint32_t *dst, const struct lpm **lpm)
{
	struct pctx *c = &s->c;
	uint8_t *ip = c->p->data + FWD_ETH_HLEN;

	if (!c->in->active || !ip_plain(ip, c->p->len - FWD_ETH_HLEN, &c->ip) ||
	    c->ip.dst == c->in->addr || c->ip.ttl <= 1 ||
	    (c->vrf = fib_vrf_get(c->f, c->in->vrf_id)) == NULL)
		return VK_SLOW;
	c->p->len = FWD_ETH_HLEN + c->ip.total_len; /* padding must not travel on */
	ipv4_set_ttl(ip, (uint8_t)(c->ip.ttl - 1));
	c->is_ip = true;
	*dst = c->ip.dst;
	*lpm = c->vrf->lpm;
	return VK_LOOKUP;
}

/* Bottom label with IPv4 under it: TTL - 1 into the IP header, label popped. */
static bool pop_to_ip(struct pctx *c, uint8_t ttl)
{
	uint8_t *ip = c->p->data + FWD_ETH_HLEN + MPLS_LSE_LEN;

	if (!ip_plain(ip, c->p->len - FWD_ETH_HLEN - MPLS_LSE_LEN, &c->ip))
		return false;
	ipv4_set_ttl(ip, (uint8_t)(ttl - 1));
	c->ip.ttl = (uint8_t)(ttl - 1);
	pop_top(c->p, FWD_ETHERTYPE_IPV4);
	c->p->len = FWD_ETH_HLEN + c->ip.total_len;
	c->is_ip = true;
	return true;
}

/* Swap, or PHP (swap to implicit null) toward a next hop the output step can finish. */
static uint8_t classify_swap(struct vstate *s, const struct lfib_entry *e, uint32_t lse)
{
	struct pctx *c = &s->c;
	uint8_t ttl = (uint8_t)lse, *top = c->p->data + FWD_ETH_HLEN;

	if (e->nh->type != IPC_NH_GATEWAY || !nh_fast(e->nh))
		return VK_SLOW;
	if (e->out_label != MPLS_LABEL_IMPLICIT_NULL) {
		if (e->out_label > MPLS_LABEL_MAX)
			return VK_SLOW;
		put32(top, e->out_label << 12 | (lse & 0xF00) | (uint8_t)(ttl - 1));
	} else if (lse & 0x100) {
		if (!pop_to_ip(c, ttl))
			return VK_SLOW;
	} else {
		if (c->p->len < FWD_ETH_HLEN + 2 * MPLS_LSE_LEN)
			return VK_SLOW;
		top[MPLS_LSE_LEN + 3] = (uint8_t)(ttl - 1); /* the exposed entry's TTL */
		pop_top(c->p, ETHERTYPE_MPLS);
	}
	s->nh = e->nh;
	s->inner = MPLS_LABEL_NONE;
	return VK_NH;
}

/* MPLS from the core: the LFIB says pop+lookup, pop+forward or swap. */
static uint8_t classify_core(struct vstate *s, uint32_t *dst, const struct lpm **lpm)
{
	struct pctx *c = &s->c;
	const struct lfib_entry *e;
	uint32_t lse;
	uint8_t ttl;

	if (c->p->len < FWD_ETH_HLEN + MPLS_LSE_LEN)
		return VK_SLOW;
	lse = get32(c->p->data + FWD_ETH_HLEN);
	ttl = (uint8_t)lse;
	if ((e = lfib_lookup(c->f->lfib, lse >> 12)) == NULL || ttl <= 1)
		return VK_SLOW;
	switch (e->action) {
	case IPC_LFIB_POP_LOOKUP:
		if (!(lse & 0x100) || (c->vrf = fib_vrf_get(c->f, e->vrf_id)) == NULL ||
		    !pop_to_ip(c, ttl))
			return VK_SLOW;
		*dst = c->ip.dst;
		*lpm = c->vrf->lpm;
		return VK_LOOKUP;
	case IPC_LFIB_POP_FORWARD:
		if (!(lse & 0x100) || e->nh->type != IPC_NH_GATEWAY || !nh_fast(e->nh) ||
		    !pop_to_ip(c, ttl))
			return VK_SLOW;
		s->nh = e->nh;
		s->inner = MPLS_LABEL_NONE;
		return VK_NH;
	case IPC_LFIB_SWAP:
		return classify_swap(s, e, lse);
	default:
		return VK_SLOW;
	}
}

static uint8_t classify(struct vstate *s, uint32_t *dst, const struct lpm **lpm)
{
	struct fwd_iface *in = s->c.in;
	struct fwd_pkt *p = s->c.p;
	uint16_t type;

	in->rx_packets++;
	in->rx_bytes += p->len;
	if (p->len < FWD_ETH_HLEN || !mac_eq(p->data, in->mac))
		return VK_SLOW;
	type = get16(p->data + ETH_TYPE);
	if (in->role == FWD_IF_ACCESS && type == FWD_ETHERTYPE_IPV4)
		return classify_access(s, dst, lpm);
	if (in->role == FWD_IF_CORE && type == ETHERTYPE_MPLS)
		return classify_core(s, dst, lpm);
	return VK_SLOW;
}

/* Labels a LABELED next hop pushes (implicit null and "none" push nothing). */
static unsigned push_list(const struct nexthop *nh, uint32_t inner, uint32_t out[2])
{
	unsigned k = 0;

	if (nh->type != IPC_NH_LABELED)
		return 0;
	if (nh->out_label != MPLS_LABEL_IMPLICIT_NULL && nh->out_label != MPLS_LABEL_NONE)
		out[k++] = nh->out_label;
	if (inner != MPLS_LABEL_IMPLICIT_NULL && inner != MPLS_LABEL_NONE)
		out[k++] = inner;
	return k;
}

/* Finishes a frame whose next hop is known: labels, MACs, MTU, out. */
static enum fwd_verdict output(struct vstate *s)
{
	struct pctx *c = &s->c;
	struct nexthop *nh = s->nh;
	struct fwd_iface *out = nh->ifp;
	struct fwd_pkt *p = c->p;
	uint32_t labels[2];
	unsigned k;
	uint8_t ttl;

	if (!nh_fast(nh))
		return pipeline_nh_output(c, nh, s->inner);
	k = push_list(nh, s->inner, labels);
	if (k > 0 && (!c->is_ip || p->headroom < k * MPLS_LSE_LEN ||
		      labels[0] > MPLS_LABEL_MAX || labels[k - 1] > MPLS_LABEL_MAX))
		return pipeline_nh_output(c, nh, s->inner);
	if (out->mtu != 0 && p->len + k * MPLS_LSE_LEN - FWD_ETH_HLEN > out->mtu)
		return fwd_drop(c->f, FWD_DROP_MTU_EXCEEDED);
	if (k > 0) {
		ttl = p->data[FWD_ETH_HLEN + IP_TTL];
		p->data -= k * MPLS_LSE_LEN;
		p->len += k * MPLS_LSE_LEN;
		p->headroom -= k * MPLS_LSE_LEN;
		p->data[ETH_TYPE] = ETHERTYPE_MPLS >> 8;
		p->data[ETH_TYPE + 1] = ETHERTYPE_MPLS & 0xFF;
		for (unsigned i = 0; i < k; i++)
			put32(p->data + FWD_ETH_HLEN + i * MPLS_LSE_LEN,
			      labels[i] << 12 | (i + 1 == k ? 0x100u : 0) | ttl);
	}
	memcpy(p->data, nh->adj_mac, FWD_ETH_ALEN);
	memcpy(p->data + FWD_ETH_ALEN, out->mac, FWD_ETH_ALEN);
	return fwd_tx(c->f, out, p->data, p->len);
}

static void run(struct fwd *f, struct fwd_iface *const *in, struct fwd_pkt *p, unsigned n,
		enum fwd_verdict *verdicts)
{
	struct vstate s[VEC];
	const struct lpm *lpm[VEC];
	uint32_t dst[VEC], res[VEC];
	uint16_t which[VEC];
	unsigned nl = 0;

	for (unsigned i = 0; i < n; i++) {
		s[i].c = (struct pctx){ .f = f, .in = in[i], .p = &p[i] };
		s[i].kind = f->slow_only ? VK_SLOW : classify(&s[i], &dst[nl], &lpm[nl]);
		if (f->slow_only) {
			in[i]->rx_packets++;
			in[i]->rx_bytes += p[i].len;
		}
		if (s[i].kind == VK_LOOKUP)
			which[nl++] = (uint16_t)i;
	}
	if (nl > 0)
		lpm_lookup_batch(lpm, dst, res, nl);
	for (unsigned j = 0; j < nl; j++) {
		struct vstate *x = &s[which[j]];

		if (res[j] == 0) {
			x->kind = VK_DONE;
			x->verdict = fwd_drop(f, FWD_DROP_NO_ROUTE);
			continue;
		}
		x->kind = VK_NH;
		x->nh = fib_result_of(f->res, res[j])->nh;
		x->inner = fib_result_of(f->res, res[j])->inner_label;
	}
	for (unsigned i = 0; i < n; i++) {
		enum fwd_verdict v;

		if (s[i].kind == VK_NH)
			v = output(&s[i]);
		else if (s[i].kind == VK_DONE)
			v = s[i].verdict;
		else
			v = pipeline_frame(f, in[i], &p[i]);
		if (verdicts != NULL)
			verdicts[i] = v;
	}
}

void fwd_input_batch(struct fwd *f, struct fwd_iface *const *in, struct fwd_pkt *p, unsigned n,
		     enum fwd_verdict *verdicts)
{
	if (fib_pending(f) && !f->no_lazy_commit)
		fib_commit(f);
	for (unsigned i = 0; i < n; i += VEC)
		run(f, in + i, p + i, n - i < VEC ? n - i : VEC, verdicts ? verdicts + i : NULL);
}

enum fwd_verdict fwd_input(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p)
{
	enum fwd_verdict v;

	fwd_input_batch(f, &in, p, 1, &v);
	return v;
}
