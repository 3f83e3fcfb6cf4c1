/*
 * The vector path (fwd/vector.c) against pipeline.c on random batches of 1
 * to 513 frames (around vector.c's chunk of 256 and its output window) of
 * every kind, from every link, in any order, verdicts asked for or not, on
 * this thread and as a worker (fwd_self, punted frames finished here,
 * counters added up): same frames out, same bytes, same counters.
 */
#include "test_fwd_vector.h"

TestSuite(vector, .init = setup, .fini = teardown);

/* ---- random batches: every kind of frame, from every link, in any order ---- */

static uint64_t rnd(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* An MPLS frame from P on core link c (0 or 1) to our MAC there. */
static void from_p(struct tframe *t, int c, const uint32_t *labels, const uint8_t *ttls,
		   size_t n, uint32_t src, uint32_t dst, uint8_t ip_ttl)
{
	t_mpls_frame(t, c ? mac_core1 : mac_core0, c ? mac_p2 : mac_p, labels, ttls, n, src, dst,
		     ip_ttl);
}

/* An IPv4 frame from the CE on access link a (2: ce-a1, 3: ce-b1). */
static void from_ce(struct tframe *t, int a, uint32_t dst, uint8_t ttl)
{
	udp_frame(t, a == 2 ? mac_ce_a : mac_ce_b, a == 2 ? mac_cea : mac_ceb, dst, ttl);
}

/*
 * One frame of a kind picked at random (fast and slow, good and bad, on
 * the links it belongs on and on the wrong ones); returns its link.
 */
static int random_frame(struct tframe *t, uint64_t *x, bool no_errors)
{
	uint32_t l[2] = { 100, MPLS_LABEL_NONE };
	uint8_t ttl[2] = { (uint8_t)(2 + rnd(x) % 254), (uint8_t)(2 + rnd(x) % 254) };
	uint8_t h = (uint8_t)(1 + rnd(x) % 250), ip_ttl = (uint8_t)(2 + rnd(x) % 254);
	int c = (int)(rnd(x) % 2), a = 2 + (int)(rnd(x) % 2);
	uint32_t site[3] = { t_ip(192, 168, 100, h), t_ip(192, 168, 101, h),
			     t_ip(192, 168, 102, h) };
	uint32_t src = t_ip(192, 168, 101, (uint8_t)rnd(x));

	/* a worker's: fewer slow ones, so a batch of 513 punts fewer than its ring holds (256) */
	switch (rnd(x) % (no_errors && rnd(x) % 2 ? 6 : 20)) {
	case 0: /* push: A and B to remote sites, B's also over an implicit-null transport */
	case 1:
		from_ce(t, a, site[1 + (a == 3 && rnd(x) % 2)], ip_ttl);
		return a;
	case 2: /* pop + lookup in A or B: to a CE, or back into the core */
	case 3:
		l[0] = 100 + (uint32_t)(rnd(x) % 2);
		from_p(t, c, l, ttl, 1, src, site[rnd(x) % 3], ip_ttl);
		return c;
	case 4: /* swap over an inner entry; PHP to a label or to IPv4 */
		l[0] = rnd(x) % 2 ? 16 : 18;
		l[1] = 200;
		from_p(t, c, l, ttl, 1 + rnd(x) % 2, src, site[1], ip_ttl);
		return c;
	case 5: /* pop + forward: to a CE, or to a next hop pipeline.c must finish */
		l[0] = 102 + (uint32_t)(rnd(x) % 5);
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		return c;
	case 6: /* TTL 1: on the label, on IPv4 from a CE */
		ttl[0] = 1;
		l[0] = rnd(x) % 2 ? 100 : 16;
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		return c;
	case 7:
		from_ce(t, a, site[1], 1);
		return a;
	case 8: /* no route: from a CE, after a pop; a blackhole (A's: B has no route there) */
		if (no_errors || rnd(x) % 2) {
			from_ce(t, 2, t_ip(192, 168, 66, h), ip_ttl);
			return 2;
		}
		from_ce(t, a, t_ip(9, 9, 9, h), ip_ttl);
		return a;
	case 9:
		from_p(t, c, l, ttl, 1, SITE2, no_errors ? site[0] : t_ip(9, 9, 9, h), ip_ttl);
		return c;
	case 10: /* a label the LFIB has not; a per-VRF label not at the bottom */
		l[0] = rnd(x) % 2 ? 999 : 100;
		l[1] = 5;
		from_p(t, c, l, ttl, l[0] == 999 ? 1 : 2, src, site[0], ip_ttl);
		return c;
	case 11: /* an LFIB label, but on an access link */
		t_mpls_frame(t, a == 2 ? mac_ce_a : mac_ce_b, mac_cea, l, ttl, 1, src, site[0],
			     ip_ttl);
		return a;
	case 12: /* an LFIB label, the frame cut short: inside the entry, inside the IPv4 header */
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		t->p.len = FWD_ETH_HLEN + rnd(x) % (MPLS_LSE_LEN + 24);
		return c;
	case 13: /* an LFIB label over a bad IPv4 header: options, checksum */
		from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
		t->p.data[FWD_ETH_HLEN + MPLS_LSE_LEN + (rnd(x) % 2 ? 0 : 10)] ^= 0x01;
		return c;
	case 14: /* not our MAC: on a core link, on an access link */
		if (rnd(x) % 2) {
			from_p(t, c, l, ttl, 1, src, site[0], ip_ttl);
			t->p.data[5] ^= 0x40;
			return c;
		}
		udp_frame(t, mac_p, mac_cea, site[1], ip_ttl);
		return a;
	case 15: /* IPv4 on a core link: the kernel's */
		udp_frame(t, c ? mac_core1 : mac_core0, mac_p, site[1], ip_ttl);
		return c;
	case 16: /* ARP: a request for our address on either kind of link */
		if (rnd(x) % 2) {
			t_arp(t, bcast, mac_cea, 1, CEA_ADDR, NULL, t_ip(10, 1, 1, 1));
			return 2;
		}
		t_arp(t, bcast, mac_p, 1, P_ADDR, NULL, t_ip(10, 0, 1, 1));
		return 0;
	case 17: /* to fwd: a ping from a CE; a popped UDP packet to its address in A */
		t_eth(t, 64, mac_ce_a, mac_cea, FWD_ETHERTYPE_IPV4);
		t_ipv4(t, CEA_ADDR, t_ip(10, 1, 1, 1), 64, IPV4_PROTO_ICMP, 16);
		return 2;
	case 18:
		from_p(t, c, l, ttl, 1, SITE2, t_ip(10, 1, 1, 1), ip_ttl);
		return c;
	default: /* Ethernet padding after IPv4 from a CE; a popped packet */
		if (rnd(x) % 2) {
			from_ce(t, a, site[1], ip_ttl);
			t->p.len += 1 + rnd(x) % 20;
			return a;
		}
		from_p(t, c, l, ttl, 1, src, site[rnd(x) % 3], ip_ttl);
		t->p.len += 1 + rnd(x) % 20;
		return c;
	}
}

/*
 * n random frames. same_ends: the first and the last from ce-a1 (the output
 * step's loop for a batch from one attachment link, tx counted by runs,
 * even with core frames between). no_errors: none that a lookup finds no
 * route for (a worker answers those within a rate limit of its own), and
 * more of the fast kinds.
 */
static void random_batch(struct batch *b, unsigned n, bool same_ends, bool no_errors, uint64_t *x)
{
	b->n = 0;
	for (unsigned i = 0; i < n; i++) {
		struct tframe t;
		int link;

		if (same_ends && (i == 0 || i + 1 == n)) {
			from_ce(&t, 2, t_ip(192, 168, 101, (uint8_t)i), 64);
			link = 2;
		} else {
			link = random_frame(&t, x, no_errors);
		}
		add(b, &t, link);
	}
}

static const unsigned batch_sizes[] = { 1, 2, 7, 255, 256, 257, 513 };

/*
 * Random batches of every size around vector.c's chunk (VEC, 256) and its
 * output window (OUT_AHEAD, 4; 2 * OUT_AHEAD state entries of padding),
 * verdicts asked for and not: pipeline.c's bytes, verdicts and counters.
 */
Test(vector, random_batches_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	uint64_t x = 11, fast = pe1.f->fast;

	cr_assert_not_null(b);
	for (int round = 0; round < 4; round++)
		for (size_t k = 0; k < sizeof(batch_sizes) / sizeof(batch_sizes[0]); k++) {
			random_batch(b, batch_sizes[k], round % 2 == 1, false, &x);
			pe1.n_out = pe2.n_out = 0;
			assert_same_as(b, round < 2);
		}
	cr_assert_gt(pe1.f->fast - fast, 1000, "the vector path finished most frames itself");
	free(b);
}

/* ---- the same on a worker (fwd_self): what it cannot finish, the control thread does ---- */

static int out_cmp(const void *a, const void *b)
{
	const struct out *x = a, *y = b;
	int c = strcmp(x->ifp->name, y->ifp->name);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->data, y->data, x->len);
}

/* The same frames out of both PEs, in any order (a worker's punted frames go out after the rest). */
static void assert_same_frames(void)
{
	cr_assert_eq(pe1.n_out, pe2.n_out);
	qsort(pe1.out, (size_t)pe1.n_out, sizeof(pe1.out[0]), out_cmp);
	qsort(pe2.out, (size_t)pe2.n_out, sizeof(pe2.out[0]), out_cmp);
	for (int i = 0; i < pe1.n_out; i++)
		cr_assert_eq(out_cmp(&pe1.out[i], &pe2.out[i]), 0, "output %d", i);
}

/* Every thread's counters added up (fwd_fold, the API's sums) on both PEs. */
static void assert_same_sums(void)
{
	fwd_fold(pe1.f);
	for (int d = 0; d < FWD_DROP_MAX; d++)
		cr_assert_eq(pe1.f->drops[d], pe2.f->drops[d], "drops %s", fwd_drop_name(d));
	for (int i = 0; i < 4; i++)
		cr_assert_arr_eq(&iface_of(&pe1, i)->ctr, &iface_of(&pe2, i)->ctr,
				 sizeof(struct fwd_if_ctr), "counters of %s",
				 iface_of(&pe1, i)->name);
	for (uint32_t id = 0; id < 4; id++) {
		struct fwd_vrf_ctr a, b;

		fwd_vrf_sum(pe1.f, id, &a);
		fwd_vrf_sum(pe2.f, id, &b);
		cr_assert_arr_eq(&a, &b, sizeof(a), "counters of VRF %u", id);
	}
	for (uint32_t l = 0; l < 1024; l++) {
		struct fwd_label_ctr a, b;

		fwd_label_sum(pe1.f, l, &a);
		fwd_label_sum(pe2.f, l, &b);
		cr_assert_arr_eq(&a, &b, sizeof(a), "counters of label %u", l);
	}
}

/* Frames pe sent on link i among its outputs [from, to). */
static uint64_t sent_on(struct pe *pe, int i, int from, int to)
{
	uint64_t n = 0;

	for (int k = from; k < to; k++)
		n += pe->out[k].ifp == iface_of(pe, i);
	return n;
}

/*
 * b through pe1 as its worker w: what the worker sends and receives is
 * counted in its own interface counters (both output loops), what it
 * cannot finish is punted and finished here, on the control thread, and
 * counted in the shared ones. Returns how many were punted.
 */
static unsigned on_worker(const struct batch *b, struct fwd_thread *w, bool verdicts)
{
	enum fwd_verdict v[BATCH_MAX];
	struct fwd_if_ctr wc[4], cc[4];
	unsigned punted;
	int by_worker;

	for (int i = 0; i < 4; i++) {
		wc[i] = iface_of(&pe1, i)->wctr[w->id].c;
		cc[i] = iface_of(&pe1, i)->ctr;
	}
	fwd_self = w;
	run(&pe1, b, verdicts ? v : NULL);
	fwd_self = NULL;
	by_worker = pe1.n_out;
	punted = punt_ring_drain(pe1.f, w->punt);
	for (int i = 0; i < 4; i++) {
		const struct fwd_if_ctr *now = &iface_of(&pe1, i)->wctr[w->id].c;
		uint64_t rx = 0;

		for (unsigned k = 0; k < b->n; k++)
			rx += b->iface[k] == i;
		cr_assert_eq(now->rx_packets - wc[i].rx_packets, rx, "rx of %d on the worker", i);
		cr_assert_eq(now->tx_packets - wc[i].tx_packets, sent_on(&pe1, i, 0, by_worker),
			     "tx of %d on the worker", i);
		cr_assert_eq(iface_of(&pe1, i)->ctr.rx_packets, cc[i].rx_packets);
		cr_assert_eq(iface_of(&pe1, i)->ctr.tx_packets - cc[i].tx_packets,
			     sent_on(&pe1, i, by_worker, pe1.n_out), "tx of %d on this thread", i);
	}
	return punted;
}

/*
 * pe1 forwards as a worker thread would (fwd_self), and pe2 as pipeline.c
 * alone: added up, the same frames out (in another order: the punted ones
 * last) and the same counters.
 */
Test(vector, random_batches_on_a_worker_match_pipeline)
{
	struct batch *b = calloc(1, sizeof(*b));
	struct fwd_thread w = { .id = 0 };
	uint64_t x = 23;
	unsigned punted = 0;

	cr_assert_not_null(b);
	w.ctrs = fwd_ctrs_get(pe1.f, 1);
	w.punt = punt_ring_new();
	cr_assert(w.ctrs != NULL && w.punt != NULL);
	pe1.f->threads[pe1.f->n_threads++] = &w;
	pe1.f->no_lazy_commit = true; /* a worker runs: the control thread commits */
	for (int round = 0; round < 4; round++)
		for (size_t k = 0; k < sizeof(batch_sizes) / sizeof(batch_sizes[0]); k++) {
			random_batch(b, batch_sizes[k], round % 2 == 1, true, &x);
			pe1.n_out = pe2.n_out = 0;
			punted += on_worker(b, &w, round < 2);
			run(&pe2, b, NULL);
			assert_same_frames();
			assert_same_sums();
		}
	cr_assert_gt(w.fast, 1000, "the worker finished most frames itself");
	cr_assert_gt(punted, 100, "and punted the rest");
	cr_assert_gt(w.ctrs->label[100].packets, 0, "counted in the worker's own set");
	pe1.f->n_threads = 0;
	punt_ring_free(w.punt);
	free(b);
}
