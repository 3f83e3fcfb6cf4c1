/*
 * Per-VRF and per-label counters (fwd/ctr.h): frames of every kind a PE sees
 * are counted against the right VRF and label, the same by the vector path
 * and by the per-frame path alone; a per-CE label's packets go to the CE
 * without a VRF lookup while a per-VRF label's count one; counters restart
 * when a label or VRF changes meaning and not when it is refreshed; a VRF's
 * lookups from the core, counted on its labels, stay with the VRF a label
 * popped into when it moves or goes; worker threads count into their own
 * sets, which the readers add up.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/lfib.h"
#include "fwd/pipeline.h"
#include "fwd/punt.h"
#include "fwd/rcu.h"
#include "test_fwd_util.h"

#define GW t_ip(10, 0, 1, 2)
#define CE_A t_ip(10, 1, 1, 2)
#define CE_B t_ip(10, 2, 1, 2)
#define SITE1 t_ip(192, 168, 100, 10)
#define SITE2 t_ip(192, 168, 101, 10)
#define IP_LEN 74   /* Ethernet + IPv4 + 40 bytes */
#define MPLS_LEN 78 /* the same under one label */
#define ARP_LEN 60  /* an ARP request, padded to the minimum frame */

static const uint8_t mac_core0[6] = { 2, 0, 0, 0, 0xc0, 0 };
static const uint8_t mac_ce_a[6] = { 2, 0, 0, 0, 0xa1, 0 };
static const uint8_t mac_ce_b[6] = { 2, 0, 0, 0, 0xb1, 0 };
static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };
static const uint8_t mac_cea[6] = { 2, 0, 0, 0, 0xaa, 2 };
static const uint8_t mac_ceb[6] = { 2, 0, 0, 0, 0xbb, 2 };
static const uint8_t mac_other[6] = { 2, 0, 0, 0, 0x77, 7 };

static struct fwd *f;
static struct fwd_iface *core0, *ce_a, *ce_b;

static struct fwd_iface *bind(const char *ifname, uint32_t vrf_id, uint32_t addr,
			      const uint8_t *mac)
{
	struct ipc_if_bind b = { .vrf_id = vrf_id, .address = addr, .plen = 30 };
	struct fwd_iface *ifp;

	strcpy(b.ifname, ifname);
	t_apply(f, IPC_IF_BIND, &b, sizeof(b));
	ifp = fwd_iface_find(f, ifname);
	memcpy(ifp->mac, mac, 6);
	ifp->mtu = 1500;
	return ifp;
}

static void nh(uint32_t id, uint32_t type, uint32_t gw, uint32_t label, const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	strcpy(n.ifname, ifname);
	t_apply(f, IPC_NH_ADD, &n, sizeof(n));
}

static void route(uint32_t vrf_id, uint32_t prefix, uint32_t nh_id, uint32_t inner)
{
	struct ipc_fib_entry r = { .vrf_id = vrf_id, .prefix = prefix, .plen = 24, .nh_id = nh_id,
				   .inner_label = inner };

	t_apply(f, IPC_FIB_ADD, &r, sizeof(r));
}

static void label(uint32_t in, uint32_t action, uint32_t vrf_id, uint32_t nh_id)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = action, .vrf_id = vrf_id,
				    .nh_id = nh_id, .out_label = MPLS_LABEL_NONE };

	t_apply(f, IPC_LFIB_ADD, &e, sizeof(e));
}

/* Neighbour ip on ifp answers the request a first frame toward it made fwd send. */
static void learn(struct fwd_iface *ifp, uint32_t ip, const uint8_t *mac)
{
	t_arp_learn(f, ifp, ip, mac);
	cr_assert_eq(arp_find(ifp, ip)->state, ARP_REACHABLE);
}

/*
 * pe: core0 to the core; VRF A (1) on ce-a1 with a route to the remote site
 * (labeled, inner 200) and one to its CE; VRF B (2) on ce-b1. Label 100:
 * per-VRF, pop and look up in A; label 101: per-CE, pop and send to B's CE.
 */
static void setup(void)
{
	struct fwd_hooks hooks = { .output = t_out_discard };

	log_init("test_fwd_counters", LOG_LVL_WARN);
	f = fwd_new(&hooks, 300);
	cr_assert_not_null(f);
	core0 = fwd_iface_get(f, "core0", FWD_IF_CORE);
	memcpy(core0->mac, mac_core0, 6);
	core0->addr = t_ip(10, 0, 1, 1);
	core0->plen = 30;
	core0->mtu = 1600;
	core0->active = true;
	t_vrf_add(f, 1, "A");
	t_vrf_add(f, 2, "B");
	ce_a = bind("ce-a1", 1, t_ip(10, 1, 1, 1), mac_ce_a);
	ce_b = bind("ce-b1", 2, t_ip(10, 2, 1, 1), mac_ce_b);
	nh(1, IPC_NH_LABELED, GW, 16, "core0");
	nh(2, IPC_NH_GATEWAY, CE_A, 0, "ce-a1");
	nh(3, IPC_NH_GATEWAY, CE_B, 0, "ce-b1");
	route(1, t_ip(192, 168, 101, 0), 1, 200);
	route(1, t_ip(192, 168, 100, 0), 2, MPLS_LABEL_NONE);
	route(2, t_ip(192, 168, 100, 0), 3, MPLS_LABEL_NONE);
	label(100, IPC_LFIB_POP_LOOKUP, 1, 0);
	label(101, IPC_LFIB_POP_FORWARD, 2, 3);
	fib_commit(f);
	learn(core0, GW, mac_p);
	learn(ce_a, CE_A, mac_cea);
	learn(ce_b, CE_B, mac_ceb);
}

static void teardown(void)
{
	fwd_free(f);
}

TestSuite(counters, .init = setup, .fini = teardown);

static struct fwd_vrf_ctr vrf_ctr(uint32_t id)
{
	struct fwd_vrf_ctr c;

	fib_vrf_counters(f, fib_vrf_get(f, id), &c);
	return c;
}

/* What VRF id counted since *before (setup's ARP learning delivered a frame to each CE). */
static struct fwd_vrf_ctr vrf_delta(uint32_t id, const struct fwd_vrf_ctr *before)
{
	struct fwd_vrf_ctr c = vrf_ctr(id);

	fwd_vrf_ctr_since(&c, before);
	return c;
}

static uint64_t label_packets(uint32_t in, uint64_t *bytes)
{
	uint64_t packets, b;

	lfib_entry_counters(f, lfib_lookup(f->lfib, in), &packets, &b);
	if (bytes != NULL)
		*bytes = b;
	return packets;
}

/* The kinds of frame a PE sees, n of each, into t[] / in[]; returns how many. */
enum kind { PUSH, PER_VRF, PER_CE, NO_ROUTE, NOT_OURS, N_KINDS };

static void make(struct tframe *t, struct fwd_iface **in, enum kind k)
{
	uint32_t lbl = k == PER_CE ? 101 : 100;
	uint8_t ttl = 64;

	switch (k) {
	case PUSH:
		t_ip_frame(t, mac_ce_a, mac_cea, SITE1, SITE2, 64);
		*in = ce_a;
		break;
	case NO_ROUTE:
		t_ip_frame(t, mac_ce_a, mac_cea, SITE1, t_ip(8, 8, 8, 8), 64);
		*in = ce_a;
		break;
	default:
		t_mpls_frame(t, k == NOT_OURS ? mac_other : mac_core0, mac_p, &lbl, &ttl, 1, SITE2,
			     SITE1, 64);
		*in = core0;
	}
}

static void check_attribution(bool slow_only)
{
	static const unsigned count[N_KINDS] = { [PUSH] = 3, [PER_VRF] = 4, [PER_CE] = 5,
						 [NO_ROUTE] = 2, [NOT_OURS] = 1 };
	struct tframe t[32];
	struct fwd_iface *in[32];
	struct fwd_pkt p[32];
	unsigned n = 0;
	struct fwd_vrf_ctr a0 = vrf_ctr(1), b0 = vrf_ctr(2), a, b;
	uint64_t bytes;

	f->slow_only = slow_only;
	/* interleaved, so runs of one counter are cut often */
	for (unsigned round = 0; round < 5; round++)
		for (enum kind k = 0; k < N_KINDS; k++)
			if (round < count[k]) {
				make(&t[n], &in[n], k);
				n++;
			}
	for (unsigned i = 0; i < n; i++)
		p[i] = t[i].p;
	fwd_input_batch(f, in, p, n, NULL);

	a = vrf_delta(1, &a0);
	b = vrf_delta(2, &b0);
	cr_assert_eq(a.from_ce_packets, 3 + 2);
	cr_assert_eq(a.from_ce_bytes, (3 + 2) * IP_LEN);
	cr_assert_eq(a.lookups_from_ce, 3 + 2, "every packet from A's CE is looked up in A");
	cr_assert_eq(a.no_route, 2);
	cr_assert_eq(a.lookups_from_core, 4, "per-VRF label 100: popped and looked up in A");
	/* 4 popped to A's CE, and the ICMP errors about the 2 it sent without a route */
	cr_assert_eq(a.to_ce_packets, 4 + 2);
	cr_assert_eq(a.to_ce_bytes, 4 * IP_LEN + 2 * (IP_LEN + 28));
	cr_assert_eq(label_packets(100, &bytes), 4, "the frame for another MAC is not counted");
	cr_assert_eq(bytes, 4 * MPLS_LEN);
	cr_assert_eq(label_packets(101, &bytes), 5);
	cr_assert_eq(bytes, 5 * MPLS_LEN);
	cr_assert_eq(b.lookups_from_core + b.lookups_from_ce, 0,
		     "per-CE label 101: straight to B's CE, no lookup in B");
	cr_assert_eq(b.to_ce_packets, 5);
	cr_assert_eq(b.to_ce_bytes, 5 * IP_LEN);
	cr_assert_eq(b.from_ce_packets + b.no_route, 0);
	cr_assert_eq(f->drops[FWD_DROP_NO_ROUTE], 2);
}

Test(counters, attributed_to_the_right_vrf_and_label_by_the_vector_path)
{
	check_attribution(false);
	cr_assert_gt(f->fast, 0, "the vector path finished frames itself");
}

Test(counters, attributed_the_same_by_the_per_frame_path)
{
	check_attribution(true);
	cr_assert_eq(f->fast, 0);
}

/* n frames with the per-VRF label 100: popped, looked up in A, sent to A's CE on ce-a1. */
static void per_vrf_frames(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct tframe t;
		struct fwd_iface *in;

		make(&t, &in, PER_VRF);
		fwd_input(f, in, &t.p);
	}
}

static void rebind(const char *ifname, uint32_t vrf_id, uint32_t addr)
{
	struct ipc_if_bind b = { .vrf_id = vrf_id, .address = addr, .plen = 30 };

	strcpy(b.ifname, ifname);
	t_apply(f, vrf_id != 0 ? IPC_IF_BIND : IPC_IF_UNBIND, &b, sizeof(b));
}

/*
 * A VRF's to_ce is worked out from its links' tx counters (ctr.h): the
 * ARP fwd sends there is not the VRF's, and what a link delivered stays
 * with the VRF it was bound to then, when it moves to another or goes.
 */
Test(counters, to_ce_is_what_the_links_delivered_while_bound)
{
	uint64_t a_tx = ce_a->tx_packets;

	/* setup: an ARP request, then the frame that waited for the answer */
	cr_assert_eq(a_tx, 2);
	cr_assert_eq(vrf_ctr(1).to_ce_packets, 1, "ARP is not delivered to the VRF");
	cr_assert_eq(vrf_ctr(1).to_ce_bytes, ce_a->tx_bytes - ARP_LEN);
	per_vrf_frames(3);
	cr_assert_eq(vrf_ctr(1).to_ce_packets, 4);

	rebind("ce-a1", 2, t_ip(10, 1, 1, 1)); /* ce-a1 now serves B */
	cr_assert_eq(vrf_ctr(1).to_ce_packets, 4, "what A's link delivered stays A's");
	cr_assert_eq(vrf_ctr(2).to_ce_packets, 1, "B: only what ce-b1 delivered in setup");
	per_vrf_frames(2); /* looked up in A, but leaving by a link of B's */
	cr_assert_eq(ce_a->tx_packets, a_tx + 5);
	cr_assert_eq(vrf_ctr(1).to_ce_packets, 4);
	cr_assert_eq(vrf_ctr(2).to_ce_packets, 3);
	cr_assert_eq(vrf_ctr(2).to_ce_bytes, ce_b->tx_bytes - ARP_LEN + 2 * IP_LEN,
		     "ce-b1's setup frame and the two");

	rebind("ce-a1", 0, 0); /* unbound: what it delivered stays B's */
	cr_assert_eq(vrf_ctr(2).to_ce_packets, 3);
	rebind("ce-a1", 1, t_ip(10, 1, 1, 1)); /* back to A, which goes on from 4 */
	cr_assert_eq(vrf_ctr(1).to_ce_packets, 4);
	learn(ce_a, CE_A, mac_cea); /* the unbind flushed its ARP: one request, one waiting frame */
	per_vrf_frames(1);
	cr_assert_eq(ce_a->tx_packets, a_tx + 5 + 3);
	cr_assert_eq(vrf_ctr(1).to_ce_packets, 6);
	cr_assert_eq(vrf_ctr(2).to_ce_packets, 3);
}

Test(counters, restart_when_a_label_or_vrf_changes_meaning)
{
	struct tframe t;
	struct fwd_iface *in;
	struct ipc_lfib_entry del = { .in_label = 100 };
	struct ipc_vrf gone = { .vrf_id = 2 };

	for (int i = 0; i < 2; i++) {
		make(&t, &in, PER_VRF);
		fwd_input(f, in, &t.p);
	}
	cr_assert_eq(label_packets(100, NULL), 2);
	label(100, IPC_LFIB_POP_LOOKUP, 1, 0); /* a replay refreshes it */
	cr_assert_eq(label_packets(100, NULL), 2, "same meaning: the count goes on");
	label(100, IPC_LFIB_POP_LOOKUP, 2, 0);
	cr_assert_eq(label_packets(100, NULL), 0, "another VRF: it restarts");
	make(&t, &in, PER_VRF);
	fwd_input(f, in, &t.p);
	cr_assert_eq(label_packets(100, NULL), 1);
	t_apply(f, IPC_LFIB_DEL, &del, sizeof(del));
	label(100, IPC_LFIB_POP_LOOKUP, 2, 0);
	cr_assert_eq(label_packets(100, NULL), 0, "deleted and added again: it restarts");
	label(101, IPC_LFIB_POP_FORWARD, 2, 2);
	cr_assert_eq(label_packets(100, NULL), 0);

	cr_assert_eq(vrf_ctr(2).lookups_from_core, 1);
	t_vrf_add(f, 2, "B");
	cr_assert_eq(vrf_ctr(2).lookups_from_core, 1, "VRF refreshed: the count goes on");
	t_vrf_add(f, 2, "B2");
	cr_assert_eq(vrf_ctr(2).lookups_from_core, 0, "renamed: another VRF, it restarts");
	cr_assert_null(lfib_lookup(f->lfib, 100), "B's label went with B");
	label(100, IPC_LFIB_POP_LOOKUP, 2, 0); /* B2's own, as the replay gives it */
	make(&t, &in, PER_VRF);
	fwd_input(f, in, &t.p);
	cr_assert_eq(vrf_ctr(2).lookups_from_core, 1);
	t_apply(f, IPC_VRF_DEL, &gone, sizeof(gone));
	t_vrf_add(f, 2, "B2");
	cr_assert_eq(vrf_ctr(2).lookups_from_core, 0, "deleted and created again: it restarts");
}

/* ---- lookups from the core: counted on the label, the VRF's worked out (ctr.h) ---- */

/* n frames from the core under label lbl to SITE1 (A's CE in A, B's CE in B), one by one. */
static void labeled_frames(uint32_t lbl, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct tframe t;
		uint8_t ttl = 64;

		t_mpls_frame(&t, mac_core0, mac_p, &lbl, &ttl, 1, SITE2, SITE1, 64);
		fwd_input(f, core0, &t.p);
	}
}

static uint64_t core_lookups(uint32_t vrf_id)
{
	return vrf_ctr(vrf_id).lookups_from_core;
}

static void del_label(uint32_t in)
{
	struct ipc_lfib_entry del = { .in_label = in };

	t_apply(f, IPC_LFIB_DEL, &del, sizeof(del));
}

/*
 * Label 100 pops into A, then into B, back into A, then to a CE: each
 * VRF keeps what the label counted while it popped into it, and counts it
 * from when it pops into it again; a per-CE label counts none.
 */
static void check_label_moves(bool slow_only)
{
	f->slow_only = slow_only;
	cr_assert_eq(core_lookups(1) + core_lookups(2), 0);
	labeled_frames(100, 3);
	cr_assert_eq(core_lookups(1), 3);
	label(100, IPC_LFIB_POP_LOOKUP, 2, 0);
	cr_assert_eq(core_lookups(1), 3, "what it counted in A stays A's");
	cr_assert_eq(core_lookups(2), 0, "B counts it from now on");
	labeled_frames(100, 2);
	cr_assert_eq(core_lookups(1), 3);
	cr_assert_eq(core_lookups(2), 2);
	label(100, IPC_LFIB_POP_LOOKUP, 2, 0); /* a replay: the same meaning */
	cr_assert_eq(core_lookups(2), 2);
	label(100, IPC_LFIB_POP_LOOKUP, 1, 0);
	labeled_frames(100, 1);
	cr_assert_eq(core_lookups(1), 4, "back in A, which goes on from 3");
	cr_assert_eq(core_lookups(2), 2);
	label(100, IPC_LFIB_POP_FORWARD, 1, 2); /* straight to A's CE */
	labeled_frames(100, 2);
	cr_assert_eq(label_packets(100, NULL), 2);
	cr_assert_eq(core_lookups(1), 4, "a per-CE label counts no lookups");
	cr_assert_eq(core_lookups(2), 2);
	cr_assert_eq(f->ctrs[0]->label[100].lookups, 6, "every lookup on the label's own line");
	cr_assert_eq(f->fast > 0, !slow_only);
	f->slow_only = false;
}

Test(counters, lookups_stay_in_the_vrf_a_label_popped_into_by_the_vector_path)
{
	check_label_moves(false);
}

Test(counters, lookups_stay_in_the_vrf_a_label_popped_into_by_the_per_frame_path)
{
	check_label_moves(true);
}

/* Two labels pop into A; deleting either leaves what it counted in A. */
Test(counters, a_deleted_label_leaves_its_lookups_in_its_vrf)
{
	label(102, IPC_LFIB_POP_LOOKUP, 1, 0);
	labeled_frames(100, 2);
	labeled_frames(102, 3);
	cr_assert_eq(core_lookups(1), 5);
	del_label(100); /* not the first on A's list: 102 joined after it */
	cr_assert_eq(core_lookups(1), 5, "100's two stay A's");
	labeled_frames(102, 1);
	cr_assert_eq(core_lookups(1), 6);
	del_label(102);
	cr_assert_eq(core_lookups(1), 6);
	label(100, IPC_LFIB_POP_LOOKUP, 1, 0); /* added again: from its count now */
	labeled_frames(100, 1);
	cr_assert_eq(core_lookups(1), 7);
	labeled_frames(102, 1); /* no entry: dropped, no lookup */
	cr_assert_eq(core_lookups(1), 7);
	cr_assert_eq(core_lookups(2), 0);
}

/*
 * Another VRF under B's id (renamed: its non-static labels go, folded into
 * the id's line; a static one stays, listed), then B deleted and created
 * again (its labels stay): each new VRF starts from zero, as the base
 * fib.c takes when a VRF is created is its whole sum, folded and listed
 * lookups alike.
 */
Test(counters, a_vrf_created_again_counts_its_lookups_from_zero)
{
	struct lfib_entry st = { .in_label = 110, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 2,
				 .is_static = true };
	struct ipc_vrf gone = { .vrf_id = 2 };
	uint64_t no_route;

	cr_assert_eq(lfib_set(f, &st, 0), 0);
	label(100, IPC_LFIB_POP_LOOKUP, 2, 0);
	labeled_frames(100, 2);
	labeled_frames(110, 3);
	cr_assert_eq(core_lookups(2), 5);
	t_vrf_add(f, 2, "B2");
	cr_assert_null(lfib_lookup(f->lfib, 100), "B's label went with B");
	cr_assert_not_null(lfib_lookup(f->lfib, 110), "a static label stays");
	cr_assert_eq(core_lookups(2), 0, "another VRF: from zero");
	labeled_frames(110, 1);
	cr_assert_eq(core_lookups(2), 1);
	t_apply(f, IPC_VRF_DEL, &gone, sizeof(gone));
	/* vrfmgr deletes a VRF's labels before it; one left pops into no VRF: dropped, no lookup */
	no_route = f->drops[FWD_DROP_NO_ROUTE];
	labeled_frames(110, 2);
	cr_assert_eq(label_packets(110, NULL), 6);
	cr_assert_eq(f->drops[FWD_DROP_NO_ROUTE], no_route + 2);
	cr_assert_eq(f->ctrs[0]->label[110].lookups, 4, "3 in B, 1 in B2, none since");
	t_vrf_add(f, 2, "B2");
	cr_assert_eq(core_lookups(2), 0, "deleted and created again: from zero");
	labeled_frames(110, 2);
	cr_assert_eq(core_lookups(2), 2);
	cr_assert_eq(core_lookups(1), 0);
}

/*
 * A VRF deleted while a (non-static) label still pops into it, which
 * vrfmgr never leaves: the label goes with it, folded, so the VRF created
 * again under the id gets none of that label's traffic and starts from zero.
 */
Test(counters, a_label_left_popping_into_a_deleted_vrf_goes_with_it)
{
	struct ipc_vrf gone = { .vrf_id = 2 };

	label(100, IPC_LFIB_POP_LOOKUP, 2, 0);
	labeled_frames(100, 3);
	cr_assert_eq(core_lookups(2), 3);
	t_apply(f, IPC_VRF_DEL, &gone, sizeof(gone));
	cr_assert_null(lfib_lookup(f->lfib, 100), "the label stayed after its VRF");
	t_vrf_add(f, 2, "C");
	labeled_frames(100, 2);
	cr_assert_eq(core_lookups(2), 0, "the new VRF under the id got the old label's traffic");
}

/* Pages of [p, p + len) that hold memory now (mincore). */
static size_t resident_pages(const void *p, size_t len)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), n = 0;
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)(ps - 1);
	size_t pages = ((uintptr_t)p + len - start + ps - 1) / ps;
	unsigned char *vec = malloc(pages);

	cr_assert_not_null(vec);
	cr_assert_eq(mincore((void *)start, pages * ps, vec), 0);
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

/*
 * A label at the top of the range grows the LFIB's table, and the list
 * links beside it (4 bytes a slot: 4 MB), to 2^20 slots: the lists keep
 * working across the move, and the links take memory only where labels
 * are, as the table does (docs/fwd.md: "4 bytes per slot", of address
 * space).
 */
Test(counters, the_lists_of_popping_labels_survive_the_table_growing_and_stay_lazy)
{
	label(102, IPC_LFIB_POP_LOOKUP, 1, 0);
	labeled_frames(100, 1);
	labeled_frames(102, 1);
	label(MPLS_LABEL_MAX, IPC_LFIB_POP_LOOKUP, 2, 0);
	cr_assert_eq(lfib_tab_lookup(f->lfib->tab, MPLS_LABEL_MAX)->vrf_id, 2);
	cr_assert_lt(resident_pages(f->lfib->pop_next, (MPLS_LABEL_MAX + 1) * sizeof(uint32_t)), 64,
		     "4 MB of links for labels 100-102 and 1048575: only their pages backed");
	labeled_frames(MPLS_LABEL_MAX, 2);
	labeled_frames(100, 1);
	cr_assert_eq(core_lookups(1), 3, "A's list as before the table grew");
	cr_assert_eq(core_lookups(2), 2);
	del_label(102);
	del_label(MPLS_LABEL_MAX);
	labeled_frames(100, 1);
	cr_assert_eq(core_lookups(1), 4);
	cr_assert_eq(core_lookups(2), 2);
	cr_assert_eq(f->lfib->pop_head[2], 0, "B's list empty");
}

/* ---- worker threads ---- */

#define BATCH 32
#define ROUNDS 200

struct worker {
	struct fwd_thread t;
	pthread_t tid;
	struct rcu_reader *rd; /* NULL: the control thread */
	uint64_t per_vrf, push; /* frames it fed */
};

/* Alternating runs of label-100 frames and push frames, rounds batches. */
static void feed(struct worker *w, int rounds)
{
	static _Thread_local struct tframe t[BATCH];
	struct fwd_iface *in[BATCH];
	struct fwd_pkt p[BATCH];

	for (int r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < BATCH; i++) {
			enum kind k = (i / 4) % 2 ? PER_VRF : PUSH;

			make(&t[i], &in[i], k);
			p[i] = t[i].p;
			if (k == PER_VRF)
				w->per_vrf++;
			else
				w->push++;
		}
		fwd_input_batch(f, in, p, BATCH, NULL);
		if (w->rd != NULL)
			rcu_quiescent(f->rcu, w->rd);
	}
	if (w->rd != NULL)
		rcu_offline(w->rd);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	fwd_self = &w->t;
	feed(w, ROUNDS);
	return NULL;
}

Test(counters, each_thread_counts_in_its_own_set_and_readers_add_them_up)
{
	struct worker w[2] = { 0 }, control = { 0 };
	uint64_t per_vrf = 0, push = 0;
	struct fwd_vrf_ctr a0 = vrf_ctr(1), a;

	feed(&control, 1); /* next hops' MACs cached: the workers need not punt */
	f->no_lazy_commit = true; /* workers run: only this thread commits (nothing pending) */
	for (unsigned i = 0; i < 2; i++) {
		w[i].t.id = i;
		w[i].rd = rcu_register(f->rcu);
		w[i].t.ctrs = fwd_ctrs_get(f, 1 + i);
		w[i].t.punt = punt_ring_new();
		cr_assert(w[i].t.ctrs != NULL && w[i].t.punt != NULL && w[i].rd != NULL);
		f->threads[f->n_threads++] = &w[i].t;
	}
	for (unsigned i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&w[i].tid, NULL, worker_main, &w[i]), 0);
	feed(&control, ROUNDS); /* this thread forwards at the same time */
	for (unsigned i = 0; i < 2; i++) {
		pthread_join(w[i].tid, NULL);
		punt_ring_drain(f, w[i].t.punt);
		punt_ring_free(w[i].t.punt);
		rcu_unregister(f->rcu, w[i].rd);
		per_vrf += w[i].per_vrf;
		push += w[i].push;
	}
	per_vrf += control.per_vrf;
	push += control.push;

	for (unsigned i = 0; i < 2; i++) {
		cr_assert_eq(f->ctrs[1 + i]->label[100].packets, w[i].per_vrf,
			     "worker %u's label count is in its own set", i);
		cr_assert_eq(f->ctrs[1 + i]->vrf[1].from_ce_packets, w[i].push);
		cr_assert_eq(f->ctrs[1 + i]->label[100].lookups, w[i].per_vrf);
		cr_assert_eq(f->ctrs[1 + i]->vrf[1].lookups_from_core, 0, "on the label only");
	}
	cr_assert_eq(f->ctrs[0]->label[100].packets, control.per_vrf);
	cr_assert_eq(label_packets(100, NULL), per_vrf, "the reader adds every thread's up");
	a = vrf_delta(1, &a0);
	cr_assert_eq(a.from_ce_packets, push);
	cr_assert_eq(a.from_ce_bytes, push * IP_LEN);
	cr_assert_eq(a.lookups_from_ce, push);
	cr_assert_eq(a.lookups_from_core, per_vrf);
	cr_assert_eq(a.to_ce_packets, per_vrf, "worker-sent, or punted and sent by this thread");
	/* re-pointed to B: what every thread counted on the label is folded into A */
	label(100, IPC_LFIB_POP_LOOKUP, 2, 0);
	cr_assert_eq(vrf_delta(1, &a0).lookups_from_core, per_vrf, "the workers' lookups stay A's");
	cr_assert_eq(core_lookups(2), 0);
	f->n_threads = 0;
}
