/*
 * fwd with a worker thread, without sockets: a thread registered as an RCU
 * reader runs the vector path as a worker would (fwd_self set, its own
 * counters, a punt ring) while this thread, the control thread, rewrites
 * the next hops and LFIB entries those frames use. Checks:
 *  - every frame sent carries a (label, MAC) pair of one published version
 *    of its LFIB entry or next hop: never half of an update;
 *  - fwd_fold sums the worker's counters into the shared ones exactly;
 *  - what the worker cannot finish is punted, and the control thread
 *    finishes it (drop counted, ARP answered);
 *  - frames that may get an ICMP error are punted (within the worker's
 *    rate limit), those that cannot are dropped on the worker, and an error
 *    is never sent in a VRF that took the id of the one the frame was in;
 *  - frames popped into a VRF follow its core-facing table (fib_core.c)
 *    through route churn and result memory given back (fwd/trim.c).
 * Under ASan, a worker reading an entry or next hop freed too early fails.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/lfib.h"
#include "fwd/nexthop.h"
#include "fwd/pipeline.h"
#include "fwd/punt.h"
#include "fwd/rcu.h"
#include "test_fwd_util.h"

#define G1 t_ip(10, 0, 2, 2)
#define G2 t_ip(10, 0, 2, 3)
#define SITE2 t_ip(192, 168, 101, 10)
#define CEA t_ip(10, 1, 1, 2)
#define BATCH 64

static const uint8_t mac_core0[6] = { 2, 0, 0, 0, 0xc0, 0 };
static const uint8_t mac_core1[6] = { 2, 0, 0, 0, 0xc1, 0 };
static const uint8_t mac_ce_a[6] = { 2, 0, 0, 0, 0xa1, 0 };
static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };
static const uint8_t mac_g1[6] = { 2, 0, 0, 0, 0x61, 1 };
static const uint8_t mac_g2[6] = { 2, 0, 0, 0, 0x62, 2 };
static const uint8_t mac_cea[6] = { 2, 0, 0, 0, 0xaa, 2 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct fwd *f;
static struct fwd_iface *core0, *core1, *ce_a;
static _Atomic uint64_t n_sent, n_good, n_bad;

/* The output hook, on either thread: labels and MACs must pair as one version had them. */
static int out_check(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	uint32_t label;
	const uint8_t *want;

	(void)ctx;
	(void)ifp;
	atomic_fetch_add(&n_sent, 1);
	if (len < 18 || t_get16(frame + 12) != ETHERTYPE_MPLS)
		return 0; /* ARP, frames toward the CE */
	label = t_get32(frame + 14) >> 12;
	want = label == 1000 || label == 3000 ? mac_g1 : label == 2000 || label == 4000 ? mac_g2
											: NULL;
	if (want != NULL && memcmp(frame, want, 6) == 0)
		atomic_fetch_add(&n_good, 1);
	else
		atomic_fetch_add(&n_bad, 1);
	return 0;
}

static void nh(uint32_t id, uint32_t type, uint32_t gw, uint32_t label, const char *ifname)
{
	struct ipc_nexthop n = { .nh_id = id, .type = type, .gateway = gw, .out_label = label };

	strcpy(n.ifname, ifname);
	t_apply(f, IPC_NH_ADD, &n, sizeof(n));
}

static void swap(uint32_t in, uint32_t nh_id, uint32_t out)
{
	struct ipc_lfib_entry e = { .in_label = in, .action = IPC_LFIB_SWAP, .nh_id = nh_id,
				    .out_label = out };

	t_apply(f, IPC_LFIB_ADD, &e, sizeof(e));
}

static struct fwd_iface *core_if(const char *name, const uint8_t *mac, uint32_t addr)
{
	struct fwd_iface *ifp = fwd_iface_get(f, name, FWD_IF_CORE);

	memcpy(ifp->mac, mac, 6);
	ifp->addr = addr;
	ifp->plen = 30;
	ifp->mtu = 1600;
	ifp->active = true;
	return ifp;
}

static void arp_frame(struct tframe *t, struct fwd_iface *ifp, uint16_t op, const uint8_t *smac,
		      uint32_t sip, uint32_t tip)
{
	t_arp(t, op == 1 ? bcast : ifp->mac, smac, op, sip, NULL, tip);
}

/* Neighbour ip on ifp answers fwd's request. */
static void learn(struct fwd_iface *ifp, uint32_t ip, const uint8_t *mac)
{
	struct tframe t;

	t_eth(&t, 64, bcast, bcast, FWD_ETHERTYPE_IPV4);
	t_ipv4(&t, 1, 2, 64, 17, 10);
	arp_output(f, ifp, ip, &t.p);
	arp_frame(&t, ifp, 2, mac, ip, ifp->addr);
	fwd_input(f, ifp, &t.p);
	cr_assert_eq(arp_find(ifp, ip)->state, ARP_REACHABLE);
}

static void swap_frame(struct tframe *t)
{
	uint32_t label = 16;
	uint8_t ttl = 64;

	t_mpls_frame(t, mac_core0, mac_p, &label, &ttl, 1, t_ip(192, 168, 100, 10), SITE2, 64);
}

static void push_frame(struct tframe *t, uint8_t ttl)
{
	t_ip_frame(t, mac_ce_a, mac_cea, t_ip(192, 168, 100, 10), SITE2, ttl);
}

/* Label 100 (pop and look up in A) from P, to 192.168.100.(4 i): both halves of the /24. */
static void pop_frame(struct tframe *t, unsigned i)
{
	uint32_t label = 100;
	uint8_t ttl = 64;

	t_mpls_frame(t, mac_core0, mac_p, &label, &ttl, 1, SITE2,
		     t_ip(192, 168, 100, (uint8_t)(4 * i)), 64);
}

static void setup(void)
{
	struct fwd_hooks hooks = { .output = out_check };
	struct ipc_vrf a = { .vrf_id = 1, .name = "A" };
	struct ipc_if_bind b = { .vrf_id = 1, .address = t_ip(10, 1, 1, 1), .plen = 30 };
	struct ipc_fib_entry r = { .vrf_id = 1, .prefix = t_ip(192, 168, 101, 0), .plen = 24,
				   .nh_id = 3, .inner_label = 200 };

	log_init("test_fwd_workers", LOG_LVL_WARN);
	atomic_store(&n_sent, 0);
	atomic_store(&n_good, 0);
	atomic_store(&n_bad, 0);
	f = fwd_new(&hooks, 300);
	cr_assert_not_null(f);
	f->no_lazy_commit = true; /* a worker runs: this thread commits */
	core0 = core_if("core0", mac_core0, t_ip(10, 0, 1, 1));
	core1 = core_if("core1", mac_core1, t_ip(10, 0, 2, 1));
	t_apply(f, IPC_VRF_ADD, &a, sizeof(a));
	strcpy(b.ifname, "ce-a1");
	t_apply(f, IPC_IF_BIND, &b, sizeof(b));
	ce_a = fwd_iface_find(f, "ce-a1");
	memcpy(ce_a->mac, mac_ce_a, 6);
	ce_a->mtu = 1500;
	nh(1, IPC_NH_GATEWAY, G1, 0, "core1");
	nh(2, IPC_NH_GATEWAY, G2, 0, "core1");
	nh(3, IPC_NH_LABELED, G1, 3000, "core1");
	swap(16, 1, 1000);
	t_apply(f, IPC_FIB_ADD, &r, sizeof(r));
	fib_commit(f);
	learn(core1, G1, mac_g1);
	learn(core1, G2, mac_g2);
	learn(ce_a, CEA, mac_cea);
}

static void teardown(void)
{
	fwd_free(f);
}

TestSuite(workers, .init = setup, .fini = teardown);

/* ---- the worker ---- */

struct worker {
	struct fwd_thread t;
	struct rcu_reader *rd;
	_Atomic bool stop;
	uint64_t fed, punted, batches;
	struct tframe *frames;   /* [BATCH], rebuilt for every batch */
	bool ttl_one;            /* the one-batch test: a TTL 1 frame and an ARP request */
	bool errors;             /* the one-batch test: no route, too big without and with DF */
	bool pop;                /* frames popped into A (label 100) only, to 192.168.100.0/24 */
	enum fwd_verdict v[BATCH];
};

/* From site 2 (A routes it back): to nowhere, then 1,596 bytes (+ 8 > 1,600) without DF, with DF. */
static void error_batch(struct tframe *t, struct fwd_iface **in, struct fwd_pkt *p)
{
	uint8_t *ip;

	t_ip_frame(&t[0], mac_ce_a, mac_cea, SITE2, t_ip(8, 8, 8, 8), 64);
	for (int i = 1; i < 3; i++) {
		t_eth(&t[i], 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
		ip = t_ipv4(&t[i], SITE2, t_ip(192, 168, 101, 20), 64, 17, 1596 - 20);
		if (i == 2) {
			ip[6] = 0x40;
			t_put16(ip + 10, 0);
			t_put16(ip + 10, ipv4_checksum(ip, 20));
		}
	}
	for (int i = 0; i < 3; i++) {
		in[i] = ce_a;
		p[i] = t[i].p;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct fwd_iface *in[BATCH];
	struct fwd_pkt p[BATCH];

	fwd_self = &w->t;
	if (w->errors) {
		error_batch(w->frames, in, p);
		fwd_input_batch(f, in, p, 3, w->v);
		punt_ring_signal(w->t.punt);
		rcu_offline(w->rd);
		return NULL;
	}
	do {
		unsigned n = w->ttl_one ? 2 : BATCH;

		for (unsigned i = 0; i < n; i++) {
			if (w->pop) {
				pop_frame(&w->frames[i], i);
				in[i] = core0;
			} else if (w->ttl_one && i == 1) {
				arp_frame(&w->frames[i], ce_a, 1, mac_cea, CEA, ce_a->addr);
				in[i] = ce_a;
			} else if (w->ttl_one || i % 2 == 1) {
				push_frame(&w->frames[i], w->ttl_one ? 1 : 64);
				in[i] = ce_a;
			} else {
				swap_frame(&w->frames[i]);
				in[i] = core0;
			}
			p[i] = w->frames[i].p;
		}
		fwd_input_batch(f, in, p, n, w->v);
		for (unsigned i = 0; i < n; i++)
			w->punted += w->v[i] == FWD_PUNTED;
		w->fed += n;
		w->batches++;
		punt_ring_signal(w->t.punt);
		rcu_quiescent(f->rcu, w->rd); /* no pointer into the tables held past here */
	} while (!w->ttl_one && !atomic_load(&w->stop));
	rcu_offline(w->rd);
	return NULL;
}

static struct worker *worker_new(bool ttl_one, bool errors)
{
	struct worker *w = calloc(1, sizeof(*w));

	cr_assert_not_null(w);
	w->frames = calloc(BATCH, sizeof(*w->frames));
	w->t.punt = punt_ring_new();
	w->t.ctrs = fwd_ctrs_get(f, 1 + w->t.id); /* as io_worker.c gives a worker its own */
	w->ttl_one = ttl_one;
	w->errors = errors;
	cr_assert(w->frames != NULL && w->t.punt != NULL && w->t.ctrs != NULL);
	w->rd = rcu_register(f->rcu);
	cr_assert_not_null(w->rd);
	f->threads[f->n_threads++] = &w->t;
	return w;
}

static struct worker *worker_start(pthread_t *tid, bool ttl_one)
{
	struct worker *w = worker_new(ttl_one, false);

	cr_assert_eq(pthread_create(tid, NULL, worker_main, w), 0);
	return w;
}

static void warm(void);

/* One batch of error_batch's frames on a worker; returns it joined, its frames not drained. */
static struct worker *worker_errors(void)
{
	struct worker *w;
	pthread_t tid;

	warm(); /* nh 3's MAC learnt: the worker finishes what it can itself */
	w = worker_new(false, true);
	cr_assert_eq(pthread_create(&tid, NULL, worker_main, w), 0);
	pthread_join(tid, NULL);
	cr_assert_eq(w->v[0], FWD_PUNTED, "no route: for the control thread to answer");
	cr_assert_eq(w->v[1], FWD_PUNTED, "too big without DF: for the control thread to fragment");
	cr_assert_eq(w->v[2], FWD_PUNTED, "too big with DF: for the control thread to answer");
	return w;
}

static void worker_free(struct worker *w)
{
	rcu_unregister(f->rcu, w->rd);
	f->n_threads = 0;
	punt_ring_free(w->t.punt);
	free(w->frames);
	free(w);
}

/* A push frame through this (control) thread: the slow path learns nh 3's MAC again. */
static void warm(void)
{
	struct tframe t;

	push_frame(&t, 64);
	fwd_input(f, ce_a, &t.p);
}

Test(workers, readers_never_see_half_an_update)
{
	pthread_t tid;
	struct worker *w = worker_start(&tid, false);
	uint64_t control_in = core0->rx_packets + ce_a->rx_packets, before = 0;

	warm();
	control_in++;
	for (int i = 0; i < 20000; i++) {
		bool odd = i & 1;

		swap(16, odd ? 2 : 1, odd ? 2000 : 1000);        /* entry replaced whole */
		nh(3, IPC_NH_LABELED, odd ? G2 : G1, odd ? 4000 : 3000, "core1"); /* next hop */
		warm();
		control_in++;
		if (i % 64 == 63) {
			cr_assert_eq(lfib_del(f, 16), 0); /* unknown_label for a moment */
			swap(16, 1, 1000);
			punt_ring_drain(f, w->t.punt);
			rcu_poll(f->rcu);
		}
		if (i % 200 == 0) { /* the worker gets to run between changes too */
			while (w->batches == before)
				sched_yield();
			before = w->batches;
		}
	}
	atomic_store(&w->stop, true);
	pthread_join(tid, NULL);
	punt_ring_drain(f, w->t.punt);
	fwd_fold(f);

	cr_assert_eq(atomic_load(&n_bad), 0, "%lu frames with a label and MAC of two versions",
		     (unsigned long)atomic_load(&n_bad));
	cr_assert_gt(w->t.fast, 0, "the worker forwarded on the fast path");
	cr_assert_gt(w->punted, 0, "and punted while a next hop was being re-learned");
	cr_assert_eq(core0->rx_packets + ce_a->rx_packets, w->fed + control_in,
		     "receive counters: worker's and control thread's, summed");
	cr_assert_eq(core1->tx_packets + ce_a->tx_packets + core0->tx_packets,
		     atomic_load(&n_sent), "every frame handed to the output hook counted once");
	worker_free(w);
}

Test(workers, punted_frames_are_finished_by_the_control_thread)
{
	pthread_t tid;
	struct worker *w = worker_start(&tid, true);
	uint64_t sent;

	pthread_join(tid, NULL);
	cr_assert_eq(w->v[0], FWD_PUNTED, "TTL 1: not for a worker to decide");
	cr_assert_eq(w->v[1], FWD_PUNTED, "ARP: the control thread owns the tables");
	fwd_fold(f);
	cr_assert_eq(f->drops[FWD_DROP_TTL_EXPIRED], 0);
	cr_assert_eq(ce_a->rx_packets, 2 + 1, "the worker's two frames and learn()'s ARP");
	sent = atomic_load(&n_sent);
	cr_assert_eq(punt_ring_drain(f, w->t.punt), 2);
	cr_assert_eq(f->drops[FWD_DROP_TTL_EXPIRED], 1);
	cr_assert_eq(atomic_load(&n_sent), sent + 1, "the ARP reply");
	cr_assert_eq(ce_a->rx_packets, 3, "received once, by the worker");
	worker_free(w);
}

Test(workers, frames_that_may_get_an_icmp_error_are_punted)
{
	struct worker *w = worker_errors();
	uint64_t sent = atomic_load(&n_sent);

	cr_assert_eq(punt_ring_drain(f, w->t.punt), 3);
	fwd_fold(f);
	cr_assert_eq(f->drops[FWD_DROP_NO_ROUTE], 1);
	cr_assert_eq(f->drops[FWD_DROP_MTU_EXCEEDED], 1, "only the one with DF");
	cr_assert_eq(f->icmp_sent, 2, "network unreachable and fragmentation needed");
	cr_assert_eq(f->ip_fragmented, 1);
	cr_assert_eq(f->ip_fragments, 2, "1,576 bytes of data: 1,568 and 8 under a 1,600 MTU");
	cr_assert_eq(atomic_load(&n_sent), sent + 4, "both errors back toward site 2, two fragments on");
	worker_free(w);
}

Test(workers, no_error_in_a_vrf_that_took_the_id_since)
{
	struct worker *w = worker_errors();
	struct ipc_vrf a = { .vrf_id = 1, .name = "A" }, b = { .vrf_id = 1, .name = "B" };
	struct ipc_if_bind bind = { .vrf_id = 1, .address = t_ip(10, 1, 1, 1), .plen = 30 };
	struct ipc_fib_entry r = { .vrf_id = 1, .prefix = t_ip(192, 168, 101, 0), .plen = 24,
				   .nh_id = 3, .inner_label = 200 };
	uint64_t sent = atomic_load(&n_sent);

	/* before the control thread drains: A goes, B comes with A's id and a route back */
	t_apply(f, IPC_VRF_DEL, &a, sizeof(a));
	t_apply(f, IPC_VRF_ADD, &b, sizeof(b));
	strcpy(bind.ifname, "ce-a1");
	t_apply(f, IPC_IF_BIND, &bind, sizeof(bind));
	t_apply(f, IPC_FIB_ADD, &r, sizeof(r));
	fib_commit(f);
	cr_assert_eq(punt_ring_drain(f, w->t.punt), 3);
	fwd_fold(f);
	cr_assert_eq(f->drops[FWD_DROP_NO_ROUTE], 1);
	cr_assert_eq(f->drops[FWD_DROP_MTU_EXCEEDED], 1);
	cr_assert_eq(f->icmp_sent, 0, "A's packets answered in B");
	/* fragmenting looks nothing up: the fragments go where A's route sent the packet */
	cr_assert_eq(f->ip_fragments, 2);
	cr_assert_eq(atomic_load(&n_sent), sent + 2);
	worker_free(w);
}

/* A jumbo IPv4 frame (total bytes of IP) from CE A to 192.168.101.20, DF as given, in buf. */
static struct fwd_pkt jumbo_frame(uint8_t *buf, size_t total, bool df)
{
	uint8_t *eth = buf + FWD_HEADROOM, *ip = eth + FWD_ETH_HLEN;

	memset(eth, 0, FWD_ETH_HLEN + total);
	memcpy(eth, mac_ce_a, 6);
	memcpy(eth + 6, mac_cea, 6);
	t_put16(eth + 12, FWD_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	t_put16(ip + 2, (uint16_t)total);
	ip[6] = df ? 0x40 : 0;
	ip[8] = 64;
	ip[9] = 17;
	t_put32(ip + 12, SITE2);
	t_put32(ip + 16, t_ip(192, 168, 101, 20));
	t_put16(ip + 10, ipv4_checksum(ip, 20));
	return (struct fwd_pkt){ eth, FWD_ETH_HLEN + total, FWD_HEADROOM };
}

/*
 * A site with jumbo frames (MTU 9,000) behind a core of 1,600: a worker
 * hands its too-big frames over whole, and the control thread answers the
 * one with DF (fragmentation needed) and cuts the other (a punt slot once
 * held 4 KB, and both were dropped).
 */
Test(workers, jumbo_frames_too_big_are_handed_over_whole)
{
	static uint8_t buf[2][FWD_HEADROOM + FWD_ETH_HLEN + 9000];
	struct worker *w;
	struct fwd_iface *in[2];
	struct fwd_pkt p[2];
	enum fwd_verdict v[2];
	uint64_t sent;

	warm();
	ce_a->mtu = 9000;
	w = worker_new(false, false);
	p[0] = jumbo_frame(buf[0], 9000, true);
	p[1] = jumbo_frame(buf[1], 9000, false);
	in[0] = in[1] = ce_a;
	fwd_self = &w->t; /* this thread plays the worker */
	fwd_input_batch(f, in, p, 2, v);
	fwd_self = NULL;
	cr_assert_eq(v[0], FWD_PUNTED, "with DF: for fragmentation needed");
	cr_assert_eq(v[1], FWD_PUNTED, "without: for fragments");
	sent = atomic_load(&n_sent);
	cr_assert_eq(punt_ring_drain(f, w->t.punt), 2);
	cr_assert_eq(f->icmp_sent, 1);
	cr_assert_eq(f->ip_fragmented, 1);
	cr_assert_eq(f->ip_fragments, 6, "8,980 bytes of data in pieces of 1,568 under a 1,600 MTU");
	cr_assert_eq(atomic_load(&n_sent), sent + 1 + 6);
	worker_free(w);
}

/*
 * A frame a worker handed over whole (ARP, options, TTL expiry...) from
 * ce-a1 while tenant A held it, finished by the control thread after the
 * link went to tenant B (A removed, B bound, or a reload moving it): it is
 * not B's customer's packet and must not be routed in B's VRF.
 */
static void handed_over_then_retenanted(bool unbind_first)
{
	struct ipc_vrf b = { .vrf_id = 2, .name = "B" };
	struct ipc_if_bind unbind = { .vrf_id = 1, .ifname = "ce-a1" };
	struct ipc_if_bind bind = { .vrf_id = 2, .address = t_ip(10, 1, 1, 1), .plen = 30,
				    .ifname = "ce-a1" };
	struct ipc_fib_entry r = { .vrf_id = 2, .prefix = t_ip(192, 168, 101, 0), .plen = 24,
				   .nh_id = 3, .inner_label = 900 };
	struct worker *w = worker_new(false, false);
	struct tframe t;
	uint64_t sent, no_route = f->drops[FWD_DROP_NO_ROUTE];

	push_frame(&t, 64);
	fwd_self = &w->t; /* this thread plays the worker */
	cr_assert_eq(punt_frame(f, ce_a, &t.p), FWD_PUNTED);
	fwd_self = NULL;
	rcu_offline(w->rd); /* the worker between rounds: the control thread may wait for it */
	if (unbind_first)
		t_apply(f, IPC_IF_UNBIND, &unbind, sizeof(unbind));
	t_apply(f, IPC_VRF_ADD, &b, sizeof(b));
	t_apply(f, IPC_FIB_ADD, &r, sizeof(r));
	fib_commit(f);
	t_apply(f, IPC_IF_BIND, &bind, sizeof(bind));
	cr_assert_eq(ce_a->vrf_id, 2);
	sent = atomic_load(&n_sent);
	cr_assert_eq(punt_ring_drain(f, w->t.punt), 1);
	cr_assert_eq(atomic_load(&n_sent), sent, "A's customer's frame went out in B's VPN");
	cr_assert_eq(f->drops[FWD_DROP_NO_ROUTE], no_route + 1);
	/* one handed over after the change is B's */
	fwd_self = &w->t;
	push_frame(&t, 64);
	cr_assert_eq(punt_frame(f, ce_a, &t.p), FWD_PUNTED);
	fwd_self = NULL;
	cr_assert_eq(punt_ring_drain(f, w->t.punt), 1);
	cr_assert_eq(atomic_load(&n_sent), sent + 1);
	worker_free(w);
}

Test(workers, a_frame_handed_over_stays_out_of_the_next_tenants_vrf_after_unbind)
{
	handed_over_then_retenanted(true);
}

Test(workers, a_frame_handed_over_stays_out_of_the_next_tenants_vrf_after_a_move)
{
	handed_over_then_retenanted(false);
}

/*
 * A frame a worker handed over with next hop 3 (waiting for what only the
 * control thread does), finished after vrfmgr deleted id 3 and gave it to
 * another next hop: it must not leave by the new one (another customer's,
 * maybe). A refresh of the same next hop changes nothing.
 */
Test(workers, a_frame_handed_over_does_not_follow_its_next_hops_id_to_a_new_meaning)
{
	struct ipc_nexthop del = { .nh_id = 3 };
	struct worker *w;
	struct tframe t;
	uint64_t sent, no_nh = f->drops[FWD_DROP_NO_NEXTHOP];

	warm(); /* nh 3's gateway learnt */
	w = worker_new(false, false);
	push_frame(&t, 64);
	fwd_self = &w->t; /* this thread plays the worker */
	cr_assert_eq(punt_nh(f, ce_a, &t.p, true, 1, nh_find(f, 3), 200, (struct lsr_in){ 0 }),
		     FWD_PUNTED);
	fwd_self = NULL;
	rcu_offline(w->rd);
	t_apply(f, IPC_NH_DEL, &del, sizeof(del));
	nh(3, IPC_NH_LABELED, G2, 4000, "core1"); /* id 3 again, another next hop */
	sent = atomic_load(&n_sent);
	cr_assert_eq(punt_ring_drain(f, w->t.punt), 1);
	cr_assert_eq(atomic_load(&n_sent), sent, "the frame left by id 3's new next hop");
	cr_assert_eq(f->drops[FWD_DROP_NO_NEXTHOP], no_nh + 1);
	/* handed over now, and the same next hop refreshed meanwhile: it goes */
	fwd_self = &w->t;
	push_frame(&t, 64);
	cr_assert_eq(punt_nh(f, ce_a, &t.p, true, 1, nh_find(f, 3), 200, (struct lsr_in){ 0 }),
		     FWD_PUNTED);
	fwd_self = NULL;
	nh(3, IPC_NH_LABELED, G2, 4000, "core1");
	cr_assert_eq(punt_ring_drain(f, w->t.punt), 1);
	cr_assert_eq(atomic_load(&n_sent), sent + 1);
	worker_free(w);
}

/* Results enough to fill the first chunk: routes made after them take ids of the second. */
#define FILLERS (FIB_RES_CHUNK + 64)

/* Returns once the worker has run a whole batch after `before` batches (the last change). */
static uint64_t worker_ran(struct worker *w, uint64_t before)
{
	while (w->batches <= before + 1)
		sched_yield();
	return w->batches;
}

/*
 * Frames popped into A looked up by a worker in A's core-facing table
 * (fib_core.c) while this thread makes and drops the routes they hit: a
 * local /24 and a remote /25 inside it, each time with a new inner label
 * (a new result), deleted again, A removed and created again under its
 * id, and after each commit the results past their grace period given
 * back (fib_res_shrink, as fwd/trim.c does). A core table published
 * before or after the full one, or holding a result the full table let
 * go, would make the worker read a freed result chunk (ASan).
 */
Test(workers, popped_frames_follow_the_core_table_through_route_churn, .timeout = 120)
{
	struct ipc_lfib_entry pop = { .in_label = 100, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	uint32_t net = t_ip(192, 168, 100, 0);
	pthread_t tid;
	struct worker *w;
	uint64_t before = 0;
	size_t given_back = 0;

	nh(4, IPC_NH_GATEWAY, CEA, 0, "ce-a1");
	t_apply(f, IPC_LFIB_ADD, &pop, sizeof(pop));
	fib_commit(f);
	cr_assert_eq(fib_add(f, 1, net, 24, 4, MPLS_LABEL_NONE), 0);
	cr_assert_eq(fib_add(f, 1, net + 128, 25, 3, 5000), 0);
	fib_commit(f);
	for (unsigned i = 0; i < 64; i += 63) { /* next hops 4 and 3 learn their MACs */
		struct tframe t;

		pop_frame(&t, i);
		cr_assert_eq(fwd_input(f, core0, &t.p), FWD_SENT);
	}
	w = worker_new(false, false);
	w->pop = true;
	cr_assert_eq(pthread_create(&tid, NULL, worker_main, w), 0);
	for (uint32_t i = 0; i < 300; i++) {
		/* A's two routes below take ids of the second chunk */
		for (uint32_t k = 0; k < FILLERS; k++)
			cr_assert_eq(fib_add(f, 1, t_ip(10, 9, k >> 8, k & 0xff), 32, 3, 10000 + k),
				     0);
		cr_assert_eq(fib_add(f, 1, net, 24, 4, MPLS_LABEL_NONE), 0);
		cr_assert_eq(fib_add(f, 1, net + 128, 25, 3, 5000 + i % 1000), 0);
		fib_commit(f);
		before = worker_ran(w, before); /* frames to both routes */
		if (i % 3 == 0) { /* the remote /25 stays in the core table, its local /24 gone */
			cr_assert_eq(fib_del(f, 1, net, 24), 0);
			fib_commit(f);
		}
		before = worker_ran(w, before);
		if (i % 7 == 0) {
			fib_vrf_del(f, 1);
			cr_assert_eq(fib_vrf_add(f, 1, "A"), 0);
		} else {
			fib_del(f, 1, net, 24);
			cr_assert_eq(fib_del(f, 1, net + 128, 25), 0);
			for (uint32_t k = 0; k < FILLERS; k++)
				fib_del(f, 1, t_ip(10, 9, k >> 8, k & 0xff), 32);
		}
		fib_commit(f);
		for (int k = 0; k < 3; k++) { /* the worker pops frames on, to no route */
			before = worker_ran(w, before);
			punt_ring_drain(f, w->t.punt); /* what it punted (no route) */
			rcu_poll(f->rcu);
			given_back += fib_res_shrink(f);
		}
	}
	atomic_store(&w->stop, true);
	pthread_join(tid, NULL);
	punt_ring_drain(f, w->t.punt);
	cr_assert_gt(given_back, 0, "result chunks were given back while the worker ran");
	cr_assert_gt(w->batches, 60);
	cr_assert_gt(w->t.fast, 0, "the worker forwarded popped frames itself");
	cr_assert_eq(atomic_load(&n_bad), 0, "%lu frames with a label and MAC of two versions",
		     (unsigned long)atomic_load(&n_bad));
	worker_free(w);
}
