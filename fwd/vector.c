/*
 * The vector packet path (in the style of VPP's graph nodes): a batch of
 * frames goes through each step together instead of each frame through all
 * steps, so the LPM lookups of the whole batch run interleaved
 * (lpm_lookup_roots) and their cache misses overlap. Steps:
 *   classify:  every frame; the common cases are recognised and prepared
 *              (IPv4 from a customer: checked, TTL - 1; MPLS from the core:
 *              LFIB, pop to IPv4 or swap); anything else (ARP, options, TTL
 *              expiry, unknown labels, ...) is left untouched for the
 *              complete per-frame path in pipeline.c;
 *   lookup:    the prepared IPv4 frames, all VRF lookups at once (a
 *              popped frame in its VRF's core-facing table, fib_core.c,
 *              and in the full one only when that has no route); then
 *              results to next hops;
 *   output:    in arrival order (next hop -> view -> egress interface
 *              prefetched a few frames ahead): next hops whose MAC is cached
 *              (nh_fast_view) get their labels and Ethernet header written
 *              in one go and leave; the rest continue in pipeline.c from the
 *              next hop on, and the slow frames run there whole. On a
 *              worker thread (fwd_self) pipeline.c is not run: those frames
 *              are punted to the control thread (punt.c), which owns ARP.
 * Both halves give the same bytes and counters for the same frame
 * (tests/unit/test_fwd_vector.c checks batches against pipeline.c alone).
 * Per-frame state is kept small and pipeline.c's context is only built for
 * the frames that go there: at tens of nanoseconds a frame, every
 * instruction shows.
 */
#include <string.h>

#include "common/label.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/icmp.h"
#include "fwd/ipv4.h"
#include "fwd/lfib.h"
#include "fwd/lpm.h"
#include "fwd/nexthop.h"
#include "fwd/pipeline.h"
#include "fwd/pipeline_int.h"
#include "fwd/punt.h"
#include "fwd/vector_bytes.h"

#define VEC 256
#define LSE_BOS 0x100u

/*
 * VK_NH: the next hop is known (nh, inner) and the output step finishes the
 * frame; VK_NH_FAR the same for a next hop a lookup or a per-CE label found,
 * one of many, whose view and interface nothing has read yet (the output
 * step prefetches those). VK_NO_ROUTE: the lookup found nothing; pipeline.c
 * drops it and answers with an ICMP error.
 */
enum vkind { VK_SLOW = 0, VK_NO_ROUTE, VK_LOOKUP, VK_NH, VK_NH_FAR };

struct vstate {
	const struct lfib_entry *e; /* core MPLS: the top label's entry, prefetched */
	struct nexthop *nh;         /* VK_NH, VK_NH_FAR */
	uint32_t inner;             /* VK_NH, VK_NH_FAR: inner label to push under the next hop's */
	/* looked up: its VRF; swapped: FWD_VRF_NONE; popped by a per-CE label: FWD_VRF_OF_CE */
	uint32_t vrf_id;
	uint8_t kind;
	bool is_ip;      /* the frame is (now) IPv4 behind the Ethernet header */
};

/* The VRF's LPM root word, or 0 when there is no such VRF. */
static inline uintptr_t vrf_root(const struct fwd *f, uint32_t vrf_id)
{
	if (vrf_id > FIB_VRF_ID_MAX)
		return 0;
	return atomic_load_explicit(&f->vrf_roots[vrf_id], memory_order_acquire);
}

/*
 * The root word of the VRF's core-facing table (fib_core.c), or 0 when there
 * is no such VRF: what a popped frame looks up in first.
 */
static inline uintptr_t vrf_core_root(const struct fwd *f, uint32_t vrf_id)
{
	if (vrf_id > FIB_VRF_ID_MAX)
		return 0;
	return atomic_load_explicit(&f->vrf_core_roots[vrf_id], memory_order_acquire);
}

/* IPv4 from a customer: checked, TTL decremented, ready for the VRF lookup. */
static uint8_t classify_access(const struct fwd *f, const struct fwd_iface *in, struct fwd_pkt *p,
			       struct vstate *s, uint32_t *dst, uintptr_t *root)
{
	uint8_t *ip = p->data + FWD_ETH_HLEN;
	uint16_t total = ip_plain(ip, p->len - FWD_ETH_HLEN);

	if (total == 0 || !in->active || ip[IP_TTL] <= 1)
		return VK_SLOW;
	*dst = get32(ip + 16);
	if (*dst == in->addr || (*root = vrf_root(f, in->vrf_id)) == 0)
		return VK_SLOW;
	p->len = FWD_ETH_HLEN + total; /* Ethernet padding must not travel on */
	ttl_dec(ip);
	s->is_ip = true;
	s->vrf_id = in->vrf_id;
	return VK_LOOKUP;
}

/*
 * Bottom label with IPv4 under it: TTL - 1 into the IP header, label popped.
 * Inlined by force: gcc kept it a call from its two callers (19
 * instructions a popped frame).
 */
static inline __attribute__((always_inline)) bool pop_to_ip(struct fwd_pkt *p, struct vstate *s,
							    uint8_t ttl)
{
	uint8_t *ip = p->data + FWD_ETH_HLEN + MPLS_LSE_LEN;
	uint16_t total = ip_plain(ip, p->len - FWD_ETH_HLEN - MPLS_LSE_LEN);

	if (total == 0)
		return false;
	ttl_set(ip, (uint8_t)(ttl - 1));
	pop_top(p, FWD_ETHERTYPE_IPV4);
	p->len = FWD_ETH_HLEN + total;
	s->is_ip = true;
	return true;
}

/* Swap, or PHP (swap to implicit null), toward a next hop the output step can finish. */
static uint8_t classify_swap(struct fwd_pkt *p, struct vstate *s, uint32_t lse)
{
	const struct lfib_entry *e = s->e;
	uint8_t ttl = (uint8_t)lse, *top = p->data + FWD_ETH_HLEN;
	const struct nh_view *v = nh_fast_view(e->nh);

	if (v == NULL || v->type != IPC_NH_GATEWAY)
		return VK_SLOW;
	if (e->out_label != MPLS_LABEL_IMPLICIT_NULL) {
		if (e->out_label > MPLS_LABEL_MAX)
			return VK_SLOW;
		put32(top, e->out_label << 12 | (lse & 0xF00) | (uint8_t)(ttl - 1));
	} else if (lse & LSE_BOS) {
		if (!pop_to_ip(p, s, ttl))
			return VK_SLOW;
	} else {
		if (p->len < FWD_ETH_HLEN + 2 * MPLS_LSE_LEN)
			return VK_SLOW;
		top[MPLS_LSE_LEN + 3] = (uint8_t)(ttl - 1); /* the exposed entry's TTL */
		pop_top(p, ETHERTYPE_MPLS);
	}
	s->nh = e->nh;
	s->inner = MPLS_LABEL_NONE;
	s->vrf_id = FWD_VRF_NONE;
	return VK_NH;
}

/*
 * MPLS from the core whose top label the LFIB has (s->e, peek_label): it
 * says pop+lookup, pop+forward or swap.
 */
static uint8_t classify_core(const struct fwd *f, struct fwd_pkt *p, struct vstate *s,
			     uint32_t *dst, uintptr_t *root)
{
	const struct lfib_entry *e = s->e;
	uint32_t lse;
	uint8_t ttl;

	lse = get32(p->data + FWD_ETH_HLEN);
	ttl = (uint8_t)lse;
	if (ttl <= 1)
		return VK_SLOW;
	switch (e->action) {
	case IPC_LFIB_POP_LOOKUP:
		if (!(lse & LSE_BOS) || (*root = vrf_core_root(f, e->vrf_id)) == 0 ||
		    !pop_to_ip(p, s, ttl))
			return VK_SLOW;
		s->vrf_id = e->vrf_id;
		*dst = get32(p->data + FWD_ETH_HLEN + 16);
		return VK_LOOKUP;
	case IPC_LFIB_POP_FORWARD:
		/*
		 * the next hop is one of many CEs': its view is checked in the
		 * output step, prefetched there (checking it here too missed the
		 * cache twice a frame: bench/fwd-lookup popce 24.0 -> 19.8 ns)
		 */
		if (!(lse & LSE_BOS) || !pop_to_ip(p, s, ttl))
			return VK_SLOW;
		s->nh = e->nh;
		__builtin_prefetch(s->nh);
		s->inner = MPLS_LABEL_NONE;
		s->vrf_id = FWD_VRF_OF_CE;
		return VK_NH_FAR;
	case IPC_LFIB_SWAP:
		return classify_swap(p, s, lse);
	default:
		return VK_SLOW;
	}
}

static uint8_t classify(const struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p,
			struct vstate *s, uint32_t *dst, uintptr_t *root)
{
	uint16_t type;

	s->is_ip = false;
	if (p->len < FWD_ETH_HLEN || !mac_eq(p->data, in->mac))
		return VK_SLOW;
	type = get16(p->data + ETH_TYPE);
	if (in->role == FWD_IF_ACCESS && type == FWD_ETHERTYPE_IPV4)
		return classify_access(f, in, p, s, dst, root);
	/* peek_label found it: MPLS on a core link, its label in the LFIB (not tested again) */
	if (s->e != NULL)
		return classify_core(f, p, s, dst, root);
	return VK_SLOW;
}

enum fwd_verdict vector_nh_output(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p,
				  bool is_ip, uint32_t vrf_id, struct nexthop *nh, uint32_t inner,
				  struct lsr_in lsr_in)
{
	struct pctx c = { .f = f, .in = in, .p = p, .is_ip = is_ip, .lsr_in = lsr_in };
	enum fwd_drop why;

	if (is_ip) {
		/* pings to fwd are answered in it, errors sent back through it */
		c.vrf = vrf_id == FWD_VRF_OF_CE && nh != NULL ? pipeline_ce_vrf(f, nh) :
								fib_vrf_get(f, vrf_id);
		/* checked once already: this only refills the parsed fields */
		if (!ipv4_check(p->data + FWD_ETH_HLEN, p->len - FWD_ETH_HLEN, &c.ip, &why))
			return fwd_drop(f, why);
	}
	return pipeline_nh_output(&c, nh, inner);
}

/* A swapped frame's incoming top label (read off its LFIB entry: slow path only). */
static struct lsr_in vs_lsr_in(const struct vstate *s)
{
	struct lsr_in r = { 0 };

	if (s->vrf_id == FWD_VRF_NONE && s->e != NULL) {
		r.label = s->e->in_label;
		r.valid = true;
		r.popped = s->e->out_label == MPLS_LABEL_IMPLICIT_NULL;
	}
	return r;
}

/* pipeline.c takes over from the next hop on (on a worker: the control thread does). */
static enum fwd_verdict slow_output(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p,
				    const struct vstate *s)
{
	if (fwd_self != NULL)
		return punt_nh(f, in, p, s->is_ip, s->vrf_id, s->nh, s->inner, vs_lsr_in(s));
	return vector_nh_output(f, in, p, s->is_ip, s->vrf_id, s->nh, s->inner, vs_lsr_in(s));
}

/*
 * A frame pipeline.c may answer with an ICMP error (no route, too big with
 * DF). On a worker it goes to the control thread only within the rate limit
 * (icmp.h): a flood of them must not fill the punt queue, which also carries
 * ARP; beyond that it is dropped here, as it would be there.
 */
static enum fwd_verdict error_output(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p,
				     const struct vstate *s, enum fwd_drop why)
{
	if (fwd_self != NULL && !icmp_limit_take(&fwd_self->icmp, icmp_clock_ms()))
		return fwd_drop(f, why);
	return slow_output(f, in, p, s);
}

/*
 * Too big for its egress link: pipeline.c answers an IPv4 packet with DF
 * (fragmentation needed, within the rate limit) and sends one without in
 * fragments; a labeled one (an LSR's) it fragments under its labels or
 * answers along the LSP. A worker hands those over only while its punt ring
 * has room to spare (punt.h): big packets must not crowd out ARP.
 */
static enum fwd_verdict too_big(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p,
				const struct vstate *s)
{
	if (s->is_ip && ipv4_df(p->data + FWD_ETH_HLEN))
		return error_output(f, in, p, s, FWD_DROP_MTU_EXCEEDED);
	if (fwd_self != NULL)
		return punt_nh_bulk(f, in, p, s->is_ip, s->vrf_id, s->nh, s->inner, vs_lsr_in(s));
	return slow_output(f, in, p, s);
}

/*
 * The label entries output() pushes: the next hop's own (nh_view.n_out)
 * and the route's inner label under a labeled next hop; over 2 when
 * pipeline.c must decide (a label out of range).
 */
static inline unsigned push_count(const struct nh_view *v, uint32_t inner)
{
	unsigned i = v->labeled && inner != MPLS_LABEL_IMPLICIT_NULL && inner != MPLS_LABEL_NONE;

	return v->n_out + (i && inner > MPLS_LABEL_MAX ? NH_PUSH_SLOW : i);
}

/* Writes k (1 or 2) label entries in front of the IPv4 header; TTL from it (RFC 3443 uniform). */
static inline void push_labels(struct fwd_pkt *p, unsigned k, uint32_t top, uint32_t inner)
{
	uint32_t ttl = p->data[FWD_ETH_HLEN + IP_TTL];
	uint8_t *d;

	p->data -= k * MPLS_LSE_LEN;
	p->len += k * MPLS_LSE_LEN;
	p->headroom -= k * MPLS_LSE_LEN;
	d = p->data + FWD_ETH_HLEN;
	if (k == 2) {
		put32(d, top << 12 | ttl);
		put32(d + MPLS_LSE_LEN, inner << 12 | LSE_BOS | ttl);
	} else {
		put32(d, top << 12 | LSE_BOS | ttl);
	}
	p->data[ETH_TYPE] = ETHERTYPE_MPLS >> 8;
	p->data[ETH_TYPE + 1] = ETHERTYPE_MPLS & 0xFF;
}

/*
 * Interface counters by runs: frames of one link in a row are added to its
 * counters once. Received, a batch is one run (it comes from one receive
 * ring); sent, the push path sends a whole batch to one core link (a batch
 * whose frames go to many links is counted frame by frame: tx()). A VRF's
 * to_ce is worked out from its links' tx when read (ctr.h).
 */
struct ifrun {
	const struct fwd_thread *self; /* fwd_self, read once a batch */
	struct fwd_iface *ifp;
	uint64_t frames, bytes;
};

/* Adds the run to its link's tx (or rx) counters; tx is a constant at every call. */
static inline __attribute__((always_inline)) void run_flush(struct ifrun *r, bool tx)
{
	struct fwd_if_ctr *c;

	if (r->frames == 0)
		return;
	c = fwd_if_ctr_of(r->ifp, r->self);
	fwd_ctr_add(tx ? &c->tx_packets : &c->rx_packets, r->frames);
	fwd_ctr_add(tx ? &c->tx_bytes : &c->rx_bytes, r->bytes);
	r->frames = r->bytes = 0;
}

/* One frame of len bytes on ifp. */
static inline __attribute__((always_inline)) void run_count(struct ifrun *r, bool tx,
							    struct fwd_iface *ifp, size_t len)
{
	if (ifp != r->ifp) {
		run_flush(r, tx);
		r->ifp = ifp;
	}
	r->frames++;
	r->bytes += len;
}

/* What output() counts over a batch: frames it finished (fwd->fast) and frames sent. */
struct vout {
	unsigned fast;
	struct ifrun tx;
};

/*
 * Hands a finished frame to the backend (fwd_tx). many: the batch's frames
 * go to many links (a core batch's popped frames, each to its CE), counted
 * frame by frame, where a run would be flushed at nearly every frame
 * (bench/fwd-lookup in callgrind: pop 15 and popce 12 instructions a
 * frame fewer); else by runs. A constant at every call.
 */
static inline __attribute__((always_inline)) enum fwd_verdict
tx(struct fwd *f, struct vout *o, struct fwd_iface *out, const struct fwd_pkt *p, bool many)
{
	if (f->hooks.output(f->hooks.ctx, out, p->data, p->len) < 0)
		return fwd_drop(f, FWD_DROP_TX_ERROR);
	if (many) {
		struct fwd_if_ctr *c = fwd_if_ctr_of(out, o->tx.self);

		fwd_ctr_add(&c->tx_packets, 1);
		fwd_ctr_add(&c->tx_bytes, p->len);
	} else {
		run_count(&o->tx, true, out, p->len);
	}
	return FWD_SENT;
}

/* Finishes a frame whose next hop is known: labels, MACs, MTU, out (many: as for tx). */
static inline __attribute__((always_inline)) enum fwd_verdict
output(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p, const struct vstate *s,
       struct vout *o, bool many)
{
	const struct nh_view *v = nh_fast_view(s->nh);
	struct fwd_iface *out;
	unsigned k;

	if (v == NULL)
		return slow_output(f, in, p, s);
	k = push_count(v, s->inner);
	if (k != 0 && (k > 2 || !s->is_ip || p->headroom < k * MPLS_LSE_LEN))
		return slow_output(f, in, p, s);
	out = v->ifp;
	if (out->mtu != 0 && p->len + k * MPLS_LSE_LEN - FWD_ETH_HLEN > out->mtu)
		return too_big(f, in, p, s);
	if (k != 0)
		push_labels(p, k, v->n_out ? v->out_label : s->inner, s->inner);
	memcpy(p->data, v->adj_mac, FWD_ETH_ALEN);
	memcpy(p->data + FWD_ETH_ALEN, out->mac, FWD_ETH_ALEN);
	o->fast++;
	return tx(f, o, out, p, many);
}

/* The LFIB entry of a core MPLS frame's top label (prefetched), or NULL; t: the LFIB's table. */
static inline const struct lfib_entry *peek_label(const struct lfib_tab *t,
						  const struct fwd_iface *in,
						  const struct fwd_pkt *p)
{
	const struct lfib_entry *e;

	if (in->role != FWD_IF_CORE || p->len < FWD_ETH_HLEN + MPLS_LSE_LEN ||
	    get16(p->data + ETH_TYPE) != ETHERTYPE_MPLS)
		return NULL;
	e = lfib_tab_lookup(t, get32(p->data + FWD_ETH_HLEN) >> 12);
	if (e != NULL)
		__builtin_prefetch(e);
	return e;
}

/*
 * Popped frames looked up in their VRF's core table (fib_core.c): those it
 * has no route for (a destination no local route covers) again in the full
 * table, together. miss: the m lookups that found nothing (indices into the
 * batch's arrays, ascending); root and dst are reused. What the full table
 * finds goes into res and r.
 */
static void lookup_again(const struct fwd *f, const struct vstate *s, const uint16_t *which,
			 const uint16_t *miss, unsigned m, uintptr_t *root, uint32_t *dst,
			 uint32_t *res, const struct fib_result **r)
{
	uint16_t at[VEC];
	uint32_t again[VEC];
	unsigned n = 0;

	for (unsigned k = 0; k < m; k++) {
		unsigned j = miss[k];

		if (s[which[j]].e == NULL) /* not popped */
			continue;
		/* deleted since it was classified: no route (0 is not a root) */
		if ((root[n] = vrf_root(f, s[which[j]].vrf_id)) == 0)
			root[n] = (uintptr_t)1;
		dst[n] = dst[j]; /* n <= k <= j: no later dst[] is overwritten */
		at[n++] = (uint16_t)j;
	}
	if (n == 0)
		return;
	lpm_lookup_roots(root, dst, again, n);
	for (unsigned k = 0; k < n; k++)
		if ((res[at[k]] = again[k]) != 0)
			r[at[k]] = fib_result_of(f->res, again[k]);
}

/*
 * Lookup results to next hops; each loop prefetches what the next one
 * reads. The misses are listed on the way, so lookup_again reads those
 * alone (and a batch without any skips it), and classify need not count
 * popped frames: bench/fwd-lookup in callgrind, 12 instructions fewer a
 * popped frame, 3 a pushed one, and a list instead of a second scan of the
 * batch another 13 a popped frame (most of its batches have a miss or two).
 * A lookup that found nothing (after lookup_again) is counted in its VRF
 * (the lookup itself was counted when the frame was classified).
 */
static void resolve(struct fwd *f, struct vstate *s, const uint16_t *which, uintptr_t *root,
		    uint32_t *dst, uint32_t *res, unsigned nl, struct fwd_ctrs *ctr)
{
	const struct fib_result *r[VEC];
	uint16_t miss[VEC];
	unsigned m = 0;

	for (unsigned j = 0; j < nl; j++) {
		if (__builtin_expect(res[j] == 0, 0)) { /* a branch: counting cost 3 a frame */
			r[j] = NULL;
			miss[m++] = (uint16_t)j;
			continue;
		}
		r[j] = fib_result_of(f->res, res[j]);
		__builtin_prefetch(r[j]);
	}
	if (m != 0)
		lookup_again(f, s, which, miss, m, root, dst, res, r);
	for (unsigned j = 0; j < nl; j++) {
		struct vstate *x = &s[which[j]];

		if (res[j] == 0) {
			fwd_ctr_add(&fwd_vrf_ctr(ctr, x->vrf_id)->no_route, 1);
			x->kind = VK_NO_ROUTE;
			x->nh = NULL;
			x->inner = MPLS_LABEL_NONE;
			continue;
		}
		x->kind = VK_NH_FAR;
		x->nh = r[j]->nh;
		x->inner = r[j]->inner_label;
		__builtin_prefetch(x->nh);
	}
}

/*
 * The output step follows next hop -> view -> egress interface, loads that
 * depend on each other and miss when the frames of a batch go to many CEs
 * (pop: one next hop per VRF). While frame i is output, the view of frame
 * i + 2 * OUT_AHEAD and the interface of frame i + OUT_AHEAD (whose view
 * was fetched a step before) are prefetched: a short window, so what is
 * fetched is still in L1 when it is used (prefetching a whole batch's views,
 * then all their interfaces, overflowed L1 before the output step got there).
 */
#define OUT_AHEAD 4

/*
 * The window runs for batches whose frames mostly have far next hops: the
 * prefetches expected, so gcc puts them in line rather than out of the loop
 * with a jump back (callgrind: pop and popce 1 instruction and 2 loads a
 * frame fewer).
 */
static inline void prefetch_view(const struct vstate *x)
{
	if (__builtin_expect(x->kind == VK_NH_FAR, 1))
		__builtin_prefetch(atomic_load_explicit(&x->nh->view, memory_order_acquire));
}

static inline void prefetch_ifp(const struct vstate *x)
{
	const struct nh_view *v;

	if (__builtin_expect(x->kind == VK_NH_FAR, 1) &&
	    (v = atomic_load_explicit(&x->nh->view, memory_order_acquire)) != NULL)
		__builtin_prefetch(v->ifp);
}

/*
 * The batch's state has 2 * OUT_AHEAD entries past its last frame, marked
 * as having no next hop (prefetch_out_start), so the window tests no bounds
 * (callgrind: pop 6 and popce 9 instructions a frame fewer).
 */
static inline void prefetch_out(const struct vstate *s, unsigned i)
{
	prefetch_view(&s[i + 2 * OUT_AHEAD]);
	prefetch_ifp(&s[i + OUT_AHEAD]);
}

/* The window's start: views of the first frames, then their interfaces. */
static void prefetch_out_start(struct vstate *s, unsigned n)
{
	for (unsigned i = n; i < n + 2 * OUT_AHEAD; i++)
		s[i].kind = VK_SLOW; /* the padding: nothing to fetch */
	for (unsigned i = 0; i < 2 * OUT_AHEAD; i++)
		prefetch_view(&s[i]);
	for (unsigned i = 0; i < OUT_AHEAD; i++)
		prefetch_ifp(&s[i]);
}

/*
 * The output step, frames in arrival order. chase: the frames go to many
 * next hops and links (the prefetch window runs, tx is counted frame by
 * frame); a constant at both calls, so each has its own loop.
 */
static inline __attribute__((always_inline)) void
output_all(struct fwd *f, struct fwd_iface *const *in, struct fwd_pkt *p, const struct vstate *s,
	   unsigned n, enum fwd_verdict *verdicts, struct vout *o, bool chase)
{
	for (unsigned i = 0; i < n; i++) {
		enum fwd_verdict v;

		if (chase)
			prefetch_out(s, i);
		if (s[i].kind >= VK_NH)
			v = output(f, in[i], &p[i], &s[i], o, chase);
		else if (s[i].kind == VK_NO_ROUTE)
			v = error_output(f, in[i], &p[i], &s[i], FWD_DROP_NO_ROUTE);
		else if (fwd_self != NULL)
			v = punt_frame(f, in[i], &p[i]);
		else
			v = pipeline_frame(f, in[i], &p[i]);
		verdicts[i] = v;
	}
}

/* What classification reads beyond the frame: the ingress interfaces (a batch may mix them). */
static void prefetch_ifaces(struct fwd_iface *const *in, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || in[i] != in[i - 1])
			__builtin_prefetch(in[i]);
}

/*
 * The per-VRF and per-label counts of frames the vector path classified
 * (the others are counted by pipeline.c, which handles them from the
 * start). IPv4 from a CE is received in its VRF and looked up there: a
 * batch comes from one link, so consecutive frames of one VRF make one run,
 * added to the thread's counters once. MPLS from the core is received with
 * its label, and looked up in the label's VRF for a per-VRF label: a core
 * batch mixes the labels of many VRFs and LSPs, so those are added frame by
 * frame (a run per label cost more than it saved: bench/fwd-lookup pop).
 */
struct vcount {
	struct fwd_ctrs *ctr;
	uint32_t vrf_id; /* the CE run's VRF */
	uint64_t ce_frames, ce_bytes;
};

static inline __attribute__((always_inline)) void count_flush(struct vcount *k)
{
	struct fwd_vrf_ctr *v;

	if (k->ce_frames == 0)
		return;
	v = fwd_vrf_ctr(k->ctr, k->vrf_id);
	fwd_ctr_add(&v->from_ce_packets, k->ce_frames);
	fwd_ctr_add(&v->from_ce_bytes, k->ce_bytes);
	fwd_ctr_add(&v->lookups_from_ce, k->ce_frames);
	k->ce_frames = k->ce_bytes = 0;
}

/* One classified frame of len bytes as received. */
static inline void count(struct vcount *k, const struct vstate *s, size_t len)
{
	const struct lfib_entry *e = s->e;

	if (e != NULL) {
		struct fwd_label_ctr *l = &k->ctr->label[e->in_label];

		fwd_ctr_add(&l->packets, 1);
		fwd_ctr_add(&l->bytes, len);
		/* on the label's line: the VRF's figure is worked out when read (ctr.h) */
		if (e->action == IPC_LFIB_POP_LOOKUP)
			fwd_ctr_add(&l->lookups, 1);
		return;
	}
	if (s->vrf_id != k->vrf_id && k->ce_frames != 0)
		count_flush(k);
	k->vrf_id = s->vrf_id;
	k->ce_frames++;
	k->ce_bytes += len;
}

/* Frames ahead of the one classified whose LFIB entry is looked up (and prefetched). */
#define PEEK_AHEAD 8

static void run(struct fwd *f, struct fwd_iface *const *in, struct fwd_pkt *p, unsigned n,
		enum fwd_verdict *verdicts)
{
	struct vstate s[VEC + 2 * OUT_AHEAD]; /* + the output window's padding */
	uintptr_t root[VEC];
	uint32_t dst[VEC], res[VEC];
	uint16_t which[VEC];
	enum fwd_verdict unread[VEC];
	unsigned nl = 0;
	bool chase, far = false;
	struct fwd_ctrs *ctr = fwd_ctrs_self(f);
	/* read once a batch: the table a batch sees is current at its start */
	const struct lfib_tab *t = atomic_load_explicit(&f->lfib->tab, memory_order_acquire);
	struct ifrun rx = { .self = fwd_self };
	struct vcount k = { .ctr = ctr };
	struct vout o = { .tx.self = fwd_self };

	if (fwd_self != NULL) /* before the tables are read: what a VRF id means now (punt.c) */
		fwd_self->vrf_epoch = atomic_load_explicit(&f->vrf_epoch, memory_order_acquire);
	prefetch_ifaces(in, n);
	for (unsigned i = 0; i < n && i < PEEK_AHEAD; i++)
		s[i].e = peek_label(t, in[i], &p[i]);
	for (unsigned i = 0; i < n; i++) {
		size_t len = p[i].len;

		if (i + PEEK_AHEAD < n)
			s[i + PEEK_AHEAD].e = peek_label(t, in[i + PEEK_AHEAD], &p[i + PEEK_AHEAD]);
		run_count(&rx, false, in[i], len);
		s[i].kind = classify(f, in[i], &p[i], &s[i], &dst[nl], &root[nl]);
		if (s[i].kind == VK_LOOKUP)
			which[nl++] = (uint16_t)i;
		far |= s[i].kind == VK_NH_FAR;
		if (s[i].kind != VK_SLOW)
			count(&k, &s[i], len);
	}
	run_flush(&rx, false);
	count_flush(&k);
	if (nl > 0) {
		lpm_lookup_roots(root, dst, res, nl);
		resolve(f, s, which, root, dst, res, nl, ctr);
	}
	/*
	 * only looked-up and per-CE label frames have next hops to chase, and a
	 * batch from one attachment link has one CE next hop and few remote
	 * PEs' next hops
	 */
	chase = (nl > 0 || far) && (in[0]->role != FWD_IF_ACCESS || in[n - 1] != in[0]);
	if (verdicts == NULL) /* not wanted: stored aside, without a test a frame */
		verdicts = unread;
	if (chase) {
		prefetch_out_start(s, n);
		output_all(f, in, p, s, n, verdicts, &o, true);
	} else {
		output_all(f, in, p, s, n, verdicts, &o, false);
		run_flush(&o.tx, true);
	}
	if (fwd_self == NULL)
		f->fast += o.fast;
	else
		fwd_self->fast += o.fast;
}

/* Tests: every frame through pipeline.c alone (the reference the vector path must match). */
static void run_slow(struct fwd *f, struct fwd_iface *const *in, struct fwd_pkt *p, unsigned n,
		     enum fwd_verdict *verdicts)
{
	struct ifrun rx = { .self = fwd_self };

	for (unsigned i = 0; i < n; i++)
		run_count(&rx, false, in[i], p[i].len);
	run_flush(&rx, false);
	for (unsigned i = 0; i < n; i++) {
		enum fwd_verdict v = fwd_self != NULL ? punt_frame(f, in[i], &p[i]) :
							pipeline_frame(f, in[i], &p[i]);

		if (verdicts != NULL)
			verdicts[i] = v;
	}
}

void fwd_input_batch(struct fwd *f, struct fwd_iface *const *in, struct fwd_pkt *p, unsigned n,
		     enum fwd_verdict *verdicts)
{
	if (!f->no_lazy_commit && fib_pending(f))
		fib_commit(f);
	for (unsigned i = 0; i < n; i += VEC)
		(f->slow_only ? run_slow : run)(f, in + i, p + i, n - i < VEC ? n - i : VEC,
						 verdicts ? verdicts + i : NULL);
}

enum fwd_verdict fwd_input(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p)
{
	enum fwd_verdict v;

	fwd_input_batch(f, &in, p, 1, &v);
	return v;
}
