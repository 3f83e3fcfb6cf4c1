/*
 * VRF isolation as a property of the real forwarding pipeline: random VRFs
 * whose attachment subnets and routes overlap (every VRF reuses the same
 * interface addresses, prefixes are drawn from one small pool), each VRF's
 * routes pointing only at its own access interfaces or at remote PEs
 * through the core with that VRF's inner labels, per-VRF and per-CE labels
 * in the LFIB; all programmed through apply_msg as vrfmgr would. fwd knows
 * no route targets: what a VRF "imported" is exactly what its FIB holds, so
 * the reference model here is a longest-prefix match over each VRF's own
 * routes.
 *
 * Random packets (from access links, and labelled from the core) go through
 * fwd_input and fwd_input_batch, fast and slow paths. Every frame fwd sends
 * must be what the model says: a packet entering VRF v leaves only on an
 * access interface of v (or to the core with v's inner label), never
 * reaches a VRF that has no route for it, and is dropped when v has none.
 * A label arriving on an access interface (forged inner label) is always
 * dropped. Then the tables churn (deletes, replacements, a replay that
 * sweeps) and the same holds. Bounded: a dozen seeds, a few thousand
 * packets each, fast under ASan.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/lfib.h"
#include "fwd/pipeline.h"
#include "test_fwd_util.h"

#define MAX_VRF 6
#define MAX_IFS 2
#define MAX_RT 48
#define MAX_CAP 96
#define N_LSP 3
#define BATCH 32

enum r_kind { R_LOCAL = 1, R_REMOTE, R_DROP };

struct m_route {
	uint32_t prefix;
	uint8_t plen;
	enum r_kind kind;
	int ifi;        /* R_LOCAL: index into the VRF's interfaces */
	int lsp;        /* R_REMOTE: which transport next hop */
	uint32_t inner; /* R_REMOTE: the remote PE's VPN label for it */
	bool live;
};

struct m_vrf {
	uint32_t id;
	int n_ifs;
	struct fwd_iface *ifs[MAX_IFS];
	uint32_t nh_ce[MAX_IFS];    /* gateway next hop to the CE on each interface */
	uint32_t ce_label[MAX_IFS]; /* per-CE label: pop and forward to that CE */
	uint32_t vrf_label;         /* per-VRF label: pop and look up here */
	struct m_route r[MAX_RT];
	int n_r;
};

struct capture {
	struct fwd_iface *ifp;
	uint8_t data[T_BUF];
	size_t len;
};

static struct fwd *f;
static struct fwd_iface *core0;
static struct m_vrf vrfs[MAX_VRF];
static int n_vrfs;
static uint32_t lsp_out[N_LSP]; /* outer label of each transport next hop */
static struct capture cap[MAX_CAP];
static int n_cap;
static uint64_t rng;

static const uint8_t mac_core0[6] = { 2, 0, 0, 0, 0xc0, 0 };
static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };
#define P_ADDR t_ip(10, 0, 1, 2)
#define NH_DROP_ID 900
#define NH_LSP_ID(i) (800 + (uint32_t)(i))

static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 33);
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

static int cap_output(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	cr_assert(n_cap < MAX_CAP);
	cr_assert(len <= T_BUF);
	cap[n_cap].ifp = ifp;
	memcpy(cap[n_cap].data, frame, len);
	cap[n_cap].len = len;
	n_cap++;
	return 0;
}

/* ---- the CEs and their addresses: the same subnets in every VRF ---- */

static void ce_mac(int v, int k, uint8_t mac[6])
{
	const uint8_t m[6] = { 2, 0, 0, (uint8_t)v, (uint8_t)k, 2 };

	memcpy(mac, m, 6);
}

static uint32_t if_addr(int k)
{
	return t_ip(10, 200, k, 1);
}

static uint32_t ce_addr(int k)
{
	return t_ip(10, 200, k, 2);
}

static void learn(struct fwd_iface *ifp, uint32_t ip, const uint8_t *mac)
{
	t_arp_learn(f, ifp, ip, mac);
	cr_assert_eq(arp_find(ifp, ip)->state, ARP_REACHABLE);
}

/* ---- programming fwd from the model ---- */

static void send_route(const struct m_vrf *v, const struct m_route *r)
{
	struct ipc_fib_entry e = { .vrf_id = v->id, .prefix = r->prefix, .plen = r->plen,
				   .inner_label = MPLS_LABEL_NONE };

	switch (r->kind) {
	case R_LOCAL:
		e.nh_id = v->nh_ce[r->ifi];
		break;
	case R_REMOTE:
		e.nh_id = NH_LSP_ID(r->lsp);
		e.inner_label = r->inner;
		break;
	case R_DROP:
		e.nh_id = NH_DROP_ID;
		break;
	}
	t_apply(f, IPC_FIB_ADD, &e, sizeof(e));
}

static void del_route(const struct m_vrf *v, const struct m_route *r)
{
	struct ipc_fib_entry e = { .vrf_id = v->id, .prefix = r->prefix, .plen = r->plen };

	t_apply(f, IPC_FIB_DEL, &e, sizeof(e));
}

static void send_nh(uint32_t id, uint32_t type, uint32_t gw, uint32_t label, const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	snprintf(n.ifname, sizeof(n.ifname), "%s", ifname);
	t_apply(f, IPC_NH_ADD, &n, sizeof(n));
}

static void send_label(uint32_t in, uint32_t action, uint32_t vrf, uint32_t nh)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf, .nh_id = nh };

	t_apply(f, IPC_LFIB_ADD, &e, sizeof(e));
}

/* Everything the model holds, as a vrfmgr replay would send it. */
static void send_state(void)
{
	for (int i = 0; i < N_LSP; i++)
		send_nh(NH_LSP_ID(i), IPC_NH_LABELED, P_ADDR, lsp_out[i], "core0");
	send_nh(NH_DROP_ID, IPC_NH_DROP, 0, 0, "");
	for (int i = 0; i < n_vrfs; i++) {
		struct m_vrf *v = &vrfs[i];
		struct ipc_vrf m = { .vrf_id = v->id };

		snprintf(m.name, sizeof(m.name), "V%u", v->id);
		t_apply(f, IPC_VRF_ADD, &m, sizeof(m));
		for (int k = 0; k < v->n_ifs; k++) {
			struct ipc_if_bind b = { .vrf_id = v->id, .address = if_addr(k), .plen = 24 };

			snprintf(b.ifname, sizeof(b.ifname), "v%ui%d", v->id, k);
			t_apply(f, IPC_IF_BIND, &b, sizeof(b));
			snprintf(b.ifname, sizeof(b.ifname), "v%ui%d", v->id, k);
			send_nh(v->nh_ce[k], IPC_NH_GATEWAY, ce_addr(k), 0, b.ifname);
			send_label(v->ce_label[k], IPC_LFIB_POP_FORWARD, 0, v->nh_ce[k]);
		}
		send_label(v->vrf_label, IPC_LFIB_POP_LOOKUP, v->id, 0);
		for (int r = 0; r < v->n_r; r++)
			if (v->r[r].live)
				send_route(v, &v->r[r]);
	}
}

/* ---- the model ---- */

static uint32_t mask(uint8_t plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

/* One of a small pool of prefixes, so VRFs overlap (same and nested prefixes). */
static void pool_prefix(uint32_t *prefix, uint8_t *plen)
{
	static const uint32_t base[] = { 0xac100000, 0xac101000, 0xc0a86400, 0xc0a86500,
					 0xc0a80000, 0xac140000 };
	static const uint8_t lens[] = { 0, 8, 12, 16, 20, 24, 25, 28, 30, 32 };

	*plen = lens[rnd_below(sizeof(lens))];
	if (*plen == 0 && rnd_below(4) != 0)
		*plen = 16; /* a default route now and then only */
	*prefix = (base[rnd_below(sizeof(base) / sizeof(base[0]))] | (rnd() & 0x3ff)) &
		  mask(*plen);
}

static struct m_route *find_route(struct m_vrf *v, uint32_t prefix, uint8_t plen)
{
	for (int r = 0; r < v->n_r; r++)
		if (v->r[r].prefix == prefix && v->r[r].plen == plen)
			return &v->r[r];
	return NULL;
}

static void random_route(struct m_vrf *v, struct m_route *r)
{
	uint32_t k = rnd_below(10);

	r->kind = k < 5 ? R_LOCAL : k < 9 ? R_REMOTE : R_DROP;
	r->ifi = (int)rnd_below((uint32_t)v->n_ifs);
	r->lsp = (int)rnd_below(N_LSP);
	/* remote PEs label per VRF: labels of VRF v never appear in another VRF */
	r->inner = 10000 + v->id * 1000 + rnd_below(8);
	r->live = true;
}

/* Adds or replaces a random route in v (model only). */
static struct m_route *model_add(struct m_vrf *v)
{
	uint32_t prefix;
	uint8_t plen;
	struct m_route *r;

	pool_prefix(&prefix, &plen);
	r = find_route(v, prefix, plen);
	if (r == NULL) {
		if (v->n_r == MAX_RT)
			return NULL;
		r = &v->r[v->n_r++];
		r->prefix = prefix;
		r->plen = plen;
	}
	random_route(v, r);
	return r;
}

static const struct m_route *model_lookup(const struct m_vrf *v, uint32_t dst)
{
	const struct m_route *best = NULL;

	for (int r = 0; r < v->n_r; r++) {
		const struct m_route *x = &v->r[r];

		if (x->live && (dst & mask(x->plen)) == x->prefix && (!best || x->plen > best->plen))
			best = x;
	}
	return best;
}

static struct m_vrf *vrf_of_if(const struct fwd_iface *ifp)
{
	for (int i = 0; i < n_vrfs; i++)
		for (int k = 0; k < vrfs[i].n_ifs; k++)
			if (vrfs[i].ifs[k] == ifp)
				return &vrfs[i];
	return NULL;
}

/* A destination: inside some VRF's route (any VRF: overlap is the point) or anywhere. */
static uint32_t random_dst(void)
{
	const struct m_vrf *v = &vrfs[rnd_below((uint32_t)n_vrfs)];

	if (v->n_r > 0 && rnd_below(10) < 8) {
		const struct m_route *r = &v->r[rnd_below((uint32_t)v->n_r)];

		return r->prefix | (rnd() & ~mask(r->plen));
	}
	return (rnd_below(2) ? 0xac100000 : 0xc0a80000) | (rnd() & 0xfffff);
}

static void setup_round(unsigned seed, bool slow)
{
	struct fwd_hooks hooks = { .output = cap_output };
	uint32_t nh_id = 1;

	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	f = fwd_new(&hooks, 300);
	cr_assert_not_null(f);
	f->now_ms = 1000000;
	f->slow_only = slow;
	core0 = fwd_iface_get(f, "core0", FWD_IF_CORE);
	cr_assert_not_null(core0);
	memcpy(core0->mac, mac_core0, 6);
	core0->addr = t_ip(10, 0, 1, 1);
	core0->plen = 30;
	core0->mtu = 1600;
	core0->active = true;
	for (int i = 0; i < N_LSP; i++)
		lsp_out[i] = i == 0 ? MPLS_LABEL_IMPLICIT_NULL : 16 + rnd_below(1000);
	memset(vrfs, 0, sizeof(vrfs));
	n_vrfs = 2 + (int)rnd_below(MAX_VRF - 1);
	for (int i = 0; i < n_vrfs; i++) {
		struct m_vrf *v = &vrfs[i];

		v->id = (i ? vrfs[i - 1].id : 0) + 1 + rnd_below(3); /* ids with gaps */
		v->n_ifs = 1 + (int)rnd_below(MAX_IFS);
		v->vrf_label = 100 + (uint32_t)i;
		for (int k = 0; k < v->n_ifs; k++) {
			v->nh_ce[k] = nh_id++;
			v->ce_label[k] = 200 + (uint32_t)i * MAX_IFS + (uint32_t)k;
		}
		for (int r = 0, n = 8 + (int)rnd_below(MAX_RT - 16); r < n; r++)
			model_add(v);
	}
	t_apply(f, IPC_REPLAY_BEGIN, NULL, 0);
	send_state();
	t_apply(f, IPC_REPLAY_END, NULL, 0);
	for (int i = 0; i < n_vrfs; i++) {
		struct m_vrf *v = &vrfs[i];

		for (int k = 0; k < v->n_ifs; k++) {
			char name[IPC_IFNAME_MAX];
			uint8_t own[6] = { 2, 0, 0, (uint8_t)i, (uint8_t)k, 1 }, ce[6];

			snprintf(name, sizeof(name), "v%ui%d", v->id, k);
			v->ifs[k] = fwd_iface_find(f, name);
			cr_assert_not_null(v->ifs[k], "%s bound", name);
			memcpy(v->ifs[k]->mac, own, 6);
			v->ifs[k]->mtu = 1500;
			ce_mac(i, k, ce);
			learn(v->ifs[k], ce_addr(k), ce);
		}
	}
	learn(core0, P_ADDR, mac_p);
	n_cap = 0;
}

static void teardown_round(void)
{
	fwd_free(f);
	f = NULL;
}

/* ---- packets and what must become of them ---- */

struct pkt {
	struct tframe t;
	struct fwd_iface *in;
	const struct m_vrf *vrf; /* the VRF the packet is in after the ingress step */
	uint32_t dst;
	int ce_fwd;              /* >= 0: per-CE label of vrf's interface ce_fwd */
	bool forged;             /* label arriving on an access link */
	bool unknown;            /* label fwd does not hold */
};

#define SRC t_ip(192, 0, 2, 1) /* every packet's sender */

static void ip_payload(struct pkt *k, uint16_t tag)
{
	uint8_t *ip = t_ipv4(&k->t, SRC, k->dst, 64, 17, 32);

	t_put16(ip + 4, tag); /* IP id: which input an output belongs to */
	t_put16(ip + 10, 0);
	t_put16(ip + 10, ipv4_checksum(ip, 20));
}

static void access_pkt(struct pkt *k, uint16_t tag)
{
	int vi = (int)rnd_below((uint32_t)n_vrfs), ki = (int)rnd_below((uint32_t)vrfs[vi].n_ifs);
	uint8_t ce[6];

	memset(k, 0, sizeof(*k));
	k->vrf = &vrfs[vi];
	k->in = vrfs[vi].ifs[ki];
	k->dst = random_dst();
	k->ce_fwd = -1;
	ce_mac(vi, ki, ce);
	t_eth(&k->t, 64, k->in->mac, ce, FWD_ETHERTYPE_IPV4);
	ip_payload(k, tag);
}

/* A labelled packet: from the core (per-VRF, per-CE or unknown label) or forged on an access link. */
static void label_pkt(struct pkt *k, uint16_t tag, bool forged)
{
	int vi = (int)rnd_below((uint32_t)n_vrfs), ki = (int)rnd_below((uint32_t)vrfs[vi].n_ifs);
	uint32_t c = rnd_below(10), label;
	struct mpls_lse e;
	uint8_t ce[6];

	memset(k, 0, sizeof(*k));
	k->dst = random_dst();
	k->vrf = &vrfs[vi];
	k->ce_fwd = -1;
	if (c < 5) {
		label = vrfs[vi].vrf_label;
	} else if (c < 8) {
		label = vrfs[vi].ce_label[ki];
		k->ce_fwd = ki;
	} else {
		label = 16 + rnd_below(84); /* none of ours: VRF labels are 100.., CE labels 200.. */
		k->unknown = true;
	}
	k->forged = forged;
	if (forged) {
		int vj = (int)rnd_below((uint32_t)n_vrfs);

		k->in = vrfs[vj].ifs[0];
		ce_mac(vj, 0, ce);
		t_eth(&k->t, 64, k->in->mac, ce, ETHERTYPE_MPLS);
	} else {
		k->in = core0;
		t_eth(&k->t, 64, mac_core0, mac_p, ETHERTYPE_MPLS);
	}
	e = (struct mpls_lse){ .label = label, .bos = true, .ttl = 60 };
	mpls_lse_encode(k->t.p.data + k->t.p.len, &e);
	k->t.p.len += 4;
	ip_payload(k, tag);
}

/* Where a captured frame's IPv4 packet starts (after any labels), 0 when it carries none. */
static size_t cap_ip(const struct capture *c)
{
	size_t off = FWD_ETH_HLEN;
	uint16_t type = t_get16(c->data + 12);

	if (type == ETHERTYPE_MPLS) {
		struct mpls_lse e;

		do {
			if (off + 4 > c->len)
				return -1;
			mpls_lse_decode(c->data + off, &e);
			off += 4;
		} while (!e.bos);
	} else if (type != FWD_ETHERTYPE_IPV4) {
		return 0;
	}
	return off + 20 <= c->len ? off : 0;
}

/* An ICMP error fwd sent (its IPv4 header is fwd's: 20 bytes), or NULL. */
static const uint8_t *cap_icmp_error(const struct capture *c)
{
	size_t off = cap_ip(c);

	if (off == 0 || c->data[off + 9] != IPV4_PROTO_ICMP || off + 28 + 20 > c->len)
		return NULL;
	return c->data + off + 20;
}

/*
 * The IP id of a captured frame, -1 when it carries no IPv4: of the packet
 * an ICMP error quotes, for an error (which input it is about).
 */
static int cap_tag(const struct capture *c)
{
	const uint8_t *icmp = cap_icmp_error(c);
	size_t off = cap_ip(c);

	if (icmp != NULL)
		return t_get16(icmp + 8 + 4);
	return off != 0 ? t_get16(c->data + off + 4) : -1;
}

static void expect_routed(const struct pkt *k, uint32_t dst, const struct capture *out, int n_out,
			  const char *how);
/* Time moves on enough between packets that the ICMP rate limit never holds an error back. */
static bool errors_unlimited;

/*
 * No route in the packet's VRF: an ICMP network unreachable back to its
 * sender, which leaves exactly as a packet of that VRF to the sender would
 * (none when the VRF has no route back, or over the rate limit).
 */
static void expect_error(const struct pkt *k, const struct capture *out, int n_out,
			 const char *how)
{
	const struct m_route *back = model_lookup(k->vrf, SRC);
	const uint8_t *icmp;

	if (n_out == 0) {
		cr_assert(!errors_unlimited || back == NULL || back->kind == R_DROP,
			  "%s: VRF %u has no route for %08x and one back: no error sent", how,
			  k->vrf->id, k->dst);
		return;
	}
	cr_assert_eq(n_out, 1, "%s: VRF %u has no route for %08x: one error back, not %d frames",
		     how, k->vrf->id, k->dst, n_out);
	icmp = cap_icmp_error(&out[0]);
	cr_assert_not_null(icmp, "%s: VRF %u has no route for %08x: not an ICMP error", how,
			   k->vrf->id, k->dst);
	cr_assert(icmp[0] == 3 && icmp[1] == 0, "%s: ICMP %u/%u", how, icmp[0], icmp[1]);
	cr_assert_eq(t_get32(icmp + 8 + 16), k->dst, "%s: the error quotes the packet", how);
	expect_routed(k, SRC, out, n_out, how);
}

/* The outputs of one input (k) against the model. */
static void expect(const struct pkt *k, const struct capture *out, int n_out, const char *how)
{
	const struct m_vrf *v = k->vrf;
	uint8_t ce[6];

	/* the property itself, before the exact expectations */
	for (int i = 0; i < n_out; i++) {
		const struct m_vrf *ov = vrf_of_if(out[i].ifp);

		cr_assert(out[i].ifp == core0 || (ov != NULL && !k->forged && ov == v),
			  "%s: packet of VRF %u to %08x left on %s (VRF %d)", how, v->id, k->dst,
			  out[i].ifp->name, ov ? (int)ov->id : -1);
	}
	if (k->forged || k->unknown) {
		cr_assert_eq(n_out, 0, "%s: %s label must be dropped", how,
			     k->forged ? "forged" : "unknown");
		return;
	}
	if (k->ce_fwd >= 0) {
		cr_assert_eq(n_out, 1, "%s: per-CE label of VRF %u", how, v->id);
		cr_assert_eq(out[0].ifp, v->ifs[k->ce_fwd]);
		ce_mac((int)(v - vrfs), k->ce_fwd, ce);
		cr_assert_arr_eq(out[0].data, ce, 6);
		return;
	}
	expect_routed(k, k->dst, out, n_out, how);
}

/* The outputs of k when its VRF routes it (or an error about it) to dst. */
static void expect_routed(const struct pkt *k, uint32_t dst, const struct capture *out, int n_out,
			  const char *how)
{
	const struct m_vrf *v = k->vrf;
	const struct m_route *r = model_lookup(v, dst);
	uint8_t ce[6];

	if (r == NULL && dst != SRC) {
		expect_error(k, out, n_out, how);
		return;
	}
	if (r == NULL || r->kind == R_DROP) {
		cr_assert_eq(n_out, 0, "%s: VRF %u has %s for %08x: must drop, got %d frames on %s",
			     how, v->id, r ? "a blackhole" : "no route", dst, n_out,
			     n_out ? out[0].ifp->name : "-");
		return;
	}
	cr_assert_eq(n_out, 1, "%s: VRF %u to %08x via %08x/%u: one frame", how, v->id, dst,
		     r->prefix, r->plen);
	if (r->kind == R_LOCAL) {
		cr_assert_eq(out[0].ifp, v->ifs[r->ifi], "%s: VRF %u to %08x: on %s, not %s", how,
			     v->id, dst, v->ifs[r->ifi]->name, out[0].ifp->name);
		ce_mac((int)(v - vrfs), r->ifi, ce);
		cr_assert_arr_eq(out[0].data, ce, 6);
		cr_assert_eq(t_get16(out[0].data + 12), FWD_ETHERTYPE_IPV4);
		return;
	}
	cr_assert_eq(out[0].ifp, core0);
	cr_assert_eq(t_get16(out[0].data + 12), ETHERTYPE_MPLS);
	if (lsp_out[r->lsp] == MPLS_LABEL_IMPLICIT_NULL) {
		cr_assert_eq(t_lse(out[0].data, 0).label, r->inner, "%s: inner label of VRF %u", how,
			     v->id);
		cr_assert(t_lse(out[0].data, 0).bos);
	} else {
		cr_assert_eq(t_lse(out[0].data, 0).label, lsp_out[r->lsp]);
		cr_assert(!t_lse(out[0].data, 0).bos);
		cr_assert_eq(t_lse(out[0].data, 1).label, r->inner, "%s: inner label of VRF %u", how,
			     v->id);
		cr_assert(t_lse(out[0].data, 1).bos);
	}
}

static void random_pkt(struct pkt *k, uint16_t tag)
{
	uint32_t c = rnd_below(10);

	if (c < 6)
		access_pkt(k, tag);
	else
		label_pkt(k, tag, c == 9);
}

static void one_by_one(int n)
{
	static struct pkt k;

	errors_unlimited = true;
	for (int i = 0; i < n; i++) {
		random_pkt(&k, (uint16_t)i);
		n_cap = 0;
		f->now_ms += 1; /* a token a millisecond (icmp.h): one packet, at most one error */
		fwd_input(f, k.in, &k.t.p);
		expect(&k, cap, n_cap, "single");
	}
	errors_unlimited = false;
}

static void batches(int n)
{
	static struct pkt k[BATCH];
	static struct capture mine[MAX_CAP];
	struct fwd_iface *in[BATCH];
	struct fwd_pkt p[BATCH];

	for (int b = 0; b < n; b++) {
		unsigned cnt = 1 + rnd_below(BATCH);

		for (unsigned i = 0; i < cnt; i++) {
			random_pkt(&k[i], (uint16_t)(0x8000 | i));
			in[i] = k[i].in;
			p[i] = k[i].t.p;
		}
		n_cap = 0;
		fwd_input_batch(f, in, p, cnt, NULL);
		for (unsigned i = 0; i < cnt; i++) {
			int m = 0;

			for (int c = 0; c < n_cap; c++)
				if (cap_tag(&cap[c]) == (int)(0x8000 | i))
					mine[m++] = cap[c];
			expect(&k[i], mine, m, "batch");
		}
		for (int c = 0; c < n_cap; c++)
			cr_assert_geq(cap_tag(&cap[c]), 0x8000, "batch output with no input: %s",
				      cap[c].ifp->name);
	}
}

/* Deletes, replacements and additions, then a replay that drops some routes by sweep. */
static void churn(void)
{
	for (int n = 0; n < 40; n++) {
		struct m_vrf *v = &vrfs[rnd_below((uint32_t)n_vrfs)];
		struct m_route *r;

		if (v->n_r > 0 && rnd_below(3) == 0) {
			r = &v->r[rnd_below((uint32_t)v->n_r)];
			if (r->live) {
				del_route(v, r);
				r->live = false;
			}
		} else if ((r = model_add(v)) != NULL) {
			send_route(v, r);
		}
	}
	for (int i = 0; i < n_vrfs; i++)
		for (int r = 0; r < vrfs[i].n_r; r++)
			if (vrfs[i].r[r].live && rnd_below(8) == 0)
				vrfs[i].r[r].live = false; /* not resent: the sweep removes it */
	t_apply(f, IPC_REPLAY_BEGIN, NULL, 0);
	send_state();
	t_apply(f, IPC_REPLAY_END, NULL, 0);
	n_cap = 0;
}

static void round_check(unsigned seed, bool slow)
{
	setup_round(seed, slow);
	one_by_one(400);
	batches(20);
	churn();
	one_by_one(400);
	batches(20);
	teardown_round();
}

Test(isolation, random_vrfs_slow_path)
{
	log_init("test_fwd_isolation", LOG_LVL_ERR);
	for (unsigned seed = 1; seed <= 8; seed++)
		round_check(seed, true);
}

Test(isolation, random_vrfs_vector_path)
{
	log_init("test_fwd_isolation", LOG_LVL_ERR);
	for (unsigned seed = 101; seed <= 108; seed++)
		round_check(seed, false);
}

/* Every label fwd holds, and some it does not, on every access interface: all dropped. */
Test(isolation, forged_inner_labels_on_access_links_are_dropped)
{
	static struct pkt k;
	uint64_t unsupported;

	log_init("test_fwd_isolation", LOG_LVL_ERR);
	setup_round(7, false);
	unsupported = f->drops[FWD_DROP_UNSUPPORTED];
	for (int vi = 0; vi < n_vrfs; vi++) {
		for (int ki = 0; ki < vrfs[vi].n_ifs; ki++) {
			for (uint32_t label = 0; label < 300; label++) {
				struct mpls_lse e = { .label = label, .bos = true, .ttl = 60 };
				uint8_t ce[6];

				memset(&k, 0, sizeof(k));
				k.in = vrfs[vi].ifs[ki];
				k.vrf = &vrfs[vi];
				k.forged = true;
				k.dst = random_dst();
				ce_mac(vi, ki, ce);
				t_eth(&k.t, 64, k.in->mac, ce, ETHERTYPE_MPLS);
				mpls_lse_encode(k.t.p.data + k.t.p.len, &e);
				k.t.p.len += 4;
				ip_payload(&k, 1);
				n_cap = 0;
				cr_assert_eq(fwd_input(f, k.in, &k.t.p), FWD_DROPPED);
				expect(&k, cap, n_cap, "forged");
				unsupported++;
			}
		}
	}
	cr_assert_eq(f->drops[FWD_DROP_UNSUPPORTED], unsupported, "each counted as unsupported");
	teardown_round();
}
