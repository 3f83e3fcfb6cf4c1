/*
 * fwd-lookup: the forwarding code alone, in memory, no I/O. Builds a PE with
 * R routes over V VRFs (default 1M over 1,000) through apply_msg exactly as
 * vrfmgr would program it, then pushes batches of synthetic frames through
 * the real pipeline (fwd_input_batch) and times three paths:
 *   push: customer IPv4 frame on a VRF's access link -> checks, TTL, LPM in
 *         the VRF, push [outer | inner S=1], MAC rewrite, hand to output;
 *   pop:  [vpn label S=1] on the core link -> LFIB pop+lookup, LPM in the
 *         label's VRF, MAC rewrite toward the CE;
 *   swap: [transport | vpn S=1] on the core link -> LFIB swap (P router);
 *   popce: [per-CE label S=1] on the core link -> LFIB pop+forward straight
 *         to the VRF's CE (vrfmgr's per-ce label mode), no second lookup.
 * Destinations are uniformly random routes (a random host inside the chosen
 * prefix), one per packet and never repeated in a cache-friendly order.
 * Arrival (-a): "link" (the default) is how fwd's I/O hands frames over:
 * every receive batch comes from one socket, so a push batch is 256 frames
 * from one attachment link (one VRF, random destinations in it), each batch
 * from a random link; "mixed" makes every frame of a batch come from a
 * different link and VRF, a worst case no real receive path produces. Pop
 * and swap frames arrive on the core link either way, with the labels of
 * random VRFs (pop) or LSPs (swap), frame by frame.
 * The refill (writing the next destination into the batch's frames, as a NIC
 * would deliver them) is timed on its own and reported beside the totals.
 * Memory per route is what the FIB adds to the heap (mallinfo2), everything
 * included: lookup structure, control copy, interned results. Times are the
 * thread's CPU time (the machine is shared), medians of -k runs.
 *
 *   fwd-lookup [-r ROUTES] [-v VRFS] [-n PACKETS] [-k RUNS] [-b BATCH]
 *              [-m clustered|scattered] [-a link|mixed] [-s SEED] [-p lpm,push,pop,popce,swap]
 *              [-c UPDATES_PER_S [-t SECONDS]]
 * -c: route churn at that rate beside the push path forwarded by a worker
 * (bench/lookup/churn.c).
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/label.h"
#include "common/log.h"
#include "common/prefix.h"
#include "fwd/apply.h"
#include "fwd/fib.h"
#include "fwd/hugepage.h"
#include "fwd/ipv4.h"
#include "fwd/lfib.h"
#include "fwd/lpm.h"
#include "fwd/pipeline.h"

#include "bench/lookup/lookup.h"

static uint64_t rng_state = 88172645463325252ULL;
/* Per thread: in churn runs the control thread sends what a worker punted (ICMP errors). */
static _Thread_local uint64_t n_out, bytes_out;

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/*
 * The CPU time of this thread, not the wall clock: on a shared 2-core
 * machine other processes' time slices would otherwise count as ours.
 */
double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int count_output(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)ifp;
	n_out++;
	bytes_out += len + frame[len - 1];
	return 0;
}

/* Mostly /24, some /16-/23, some /25-/32 (see docs/performance.md). */
static uint8_t pick_plen(void)
{
	uint32_t r = rng() % 100;

	if (r < 60)
		return 24;
	if (r < 85)
		return (uint8_t)(16 + rng() % 8);
	return (uint8_t)(25 + rng() % 8);
}

/* Customer space: mostly private blocks plus a few public /16s of the VRF's own. */
static uint32_t pick_base(const struct opts *o, uint32_t v, uint8_t plen)
{
	uint32_t r = rng() % 100, pub;

	if (o->scattered)
		return (1u + rng() % 223) << 24 | (rng() & 0xFFFFFF);
	if (r < 50)
		return 0x0A000000u | (rng() & 0xFFFFFF);
	if (r < 70)
		return 0xAC100000u | (rng() & 0xFFFFF);
	if (r < 80 || plen < 16)
		return 0xC0A80000u | (rng() & 0xFFFF);
	pub = (v * 2654435761u + (rng() % 4) * 40503u) & 0xDFFF; /* 4 public /16s per VRF */
	return (pub + 0x0100u) << 16 | (rng() & 0xFFFF);
}

static void msg(struct fwd *f, uint16_t type, const void *m, uint32_t len)
{
	if (!ipc_payload_ok(type, m, len))
		fatalx("bad %s", ipc_type_name(type));
	apply_msg(f, type, m, len);
}

static void set_name(char *dst, size_t n, const char *fmt, uint32_t v)
{
	snprintf(dst, n, fmt, v);
}

static const uint8_t mac_access[6] = { 2, 0, 0, 0, 0xaa, 1 };
static const uint8_t mac_ce[6] = { 2, 0, 0, 0, 0xce, 2 };
static const uint8_t mac_core[6] = { 2, 0, 0, 0, 0xc0, 1 };
static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };

#define CORE_ADDR 0x0A000101u /* 10.0.1.1, P at .2 */
#define CE_LINK 0x64400001u   /* 100.64.0.1/30 on every access link, CE at .2 */

/* Feeds an ARP frame (op, sender, target) into fwd on ifp. */
static void arp_frame(struct fwd *f, struct fwd_iface *ifp, uint16_t op, const uint8_t *sha,
		      uint32_t spa, uint32_t tpa)
{
	uint8_t buf[SLOT], *a = buf + FWD_HEADROOM + FWD_ETH_HLEN;
	struct fwd_pkt p = { buf + FWD_HEADROOM, 60, FWD_HEADROOM };

	memset(buf, 0, sizeof(buf));
	memcpy(p.data, op == 1 ? (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } :
				 ifp->mac, 6);
	memcpy(p.data + 6, sha, 6);
	p.data[12] = 0x08;
	p.data[13] = 0x06;
	a[1] = 1;
	a[2] = 8;
	a[4] = 6;
	a[5] = 4;
	a[7] = (uint8_t)op;
	memcpy(a + 8, sha, 6);
	for (int i = 0; i < 4; i++) {
		a[14 + i] = (uint8_t)(spa >> (24 - 8 * i));
		a[24 + i] = (uint8_t)(tpa >> (24 - 8 * i));
	}
	fwd_input(f, ifp, &p);
}

static struct fwd_iface **setup_ifaces(struct fwd *f, const struct opts *o)
{
	struct fwd_iface **acc = calloc(o->vrfs + 1, sizeof(*acc));
	struct fwd_iface *core = fwd_iface_get(f, "core0", FWD_IF_CORE);

	core->active = true;
	core->addr = CORE_ADDR;
	memcpy(core->mac, mac_core, 6);
	for (uint32_t v = 1; v <= o->vrfs; v++) {
		struct ipc_vrf m = { .vrf_id = v };
		struct ipc_if_bind b = { .vrf_id = v, .address = CE_LINK, .plen = 30 };
		struct ipc_nexthop nh = { .nh_id = NH_CE(v), .type = IPC_NH_GATEWAY,
					  .gateway = CE_LINK + 1 };
		struct ipc_lfib_entry l = { .in_label = OWN_LABEL(v), .action = IPC_LFIB_POP_LOOKUP,
					    .vrf_id = v };

		set_name(m.name, sizeof(m.name), "V%u", v);
		set_name(b.ifname, sizeof(b.ifname), "a%u", v);
		set_name(nh.ifname, sizeof(nh.ifname), "a%u", v);
		msg(f, IPC_VRF_ADD, &m, sizeof(m));
		msg(f, IPC_IF_BIND, &b, sizeof(b));
		msg(f, IPC_NH_ADD, &nh, sizeof(nh));
		msg(f, IPC_LFIB_ADD, &l, sizeof(l));
		l = (struct ipc_lfib_entry){ .in_label = CE_LABEL(v), .action = IPC_LFIB_POP_FORWARD,
					     .nh_id = NH_CE(v) };
		msg(f, IPC_LFIB_ADD, &l, sizeof(l));
		acc[v] = fwd_iface_find(f, b.ifname);
		memcpy(acc[v]->mac, mac_access, 6);
		/* the CE asks for our address: fwd learns its MAC */
		arp_frame(f, acc[v], 1, mac_ce, CE_LINK + 1, CE_LINK);
	}
	for (uint32_t pe = 0; pe < N_PE; pe++) {
		struct ipc_nexthop nh = { .nh_id = pe + 1, .type = IPC_NH_LABELED,
					  .gateway = CORE_ADDR + 1, .out_label = 16 + pe,
					  .ifname = "core0" };

		msg(f, IPC_NH_ADD, &nh, sizeof(nh));
	}
	/* the P role: swap toward the next LSR (a plain gateway on the core link) */
	struct ipc_nexthop p_nh = { .nh_id = NH_P, .type = IPC_NH_GATEWAY, .gateway = CORE_ADDR + 1,
				    .ifname = "core0" };

	msg(f, IPC_NH_ADD, &p_nh, sizeof(p_nh));
	for (uint32_t i = 0; i < N_SWAP; i++) {
		struct ipc_lfib_entry l = { .in_label = SWAP_BASE + i, .action = IPC_LFIB_SWAP,
					    .nh_id = NH_P, .out_label = 200000 + i };

		msg(f, IPC_LFIB_ADD, &l, sizeof(l));
	}
	return acc;
}

/* Sends one labeled frame toward P so fwd asks for its MAC, then answers. */
static void resolve_core(struct fwd *f, struct fwd_iface **acc, uint32_t vrfs,
			 const struct route *routes, const bool *local)
{
	struct fwd_iface *core = fwd_iface_find(f, "core0");
	uint8_t buf[SLOT];
	struct fwd_pkt p = { buf + FWD_HEADROOM, 60, FWD_HEADROOM };
	uint8_t *ip = p.data + FWD_ETH_HLEN;

	uint32_t i = 0, dst;

	while (local[i])
		i += 1; /* route i (VRF 1 + i % vrfs) of a remote PE */
	dst = routes[i].prefix;
	memset(buf, 0, sizeof(buf));
	memcpy(p.data, mac_access, 6);
	memcpy(p.data + 6, mac_ce, 6);
	p.data[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 46;
	ip[8] = 64;
	ip[9] = 17;
	for (int k = 0; k < 4; k++)
		ip[16 + k] = (uint8_t)(dst >> (24 - 8 * k));
	ip[10] = (uint8_t)(ipv4_checksum(ip, 20) >> 8);
	ip[11] = (uint8_t)ipv4_checksum(ip, 20);
	fwd_input(f, acc[1 + i % vrfs], &p);
	arp_frame(f, core, 2, mac_p, CORE_ADDR + 1, CORE_ADDR);
}

static void add_routes(struct fwd *f, const struct opts *o, struct route *routes, bool *local)
{
	for (uint32_t i = 0; i < o->routes; i++) {
		uint32_t v = 1 + i % o->vrfs, pe = rng() % N_PE;
		struct ipc_fib_entry e = { .vrf_id = v };

		e.plen = pick_plen();
		e.prefix = pick_base(o, v, e.plen) & prefix4_netmask(e.plen);
		local[i] = rng() % 100 < LOCAL_PCT;
		e.nh_id = local[i] ? NH_CE(v) : pe + 1;
		e.inner_label = local[i] ? MPLS_LABEL_NONE : VPN_LABEL(pe, v);
		routes[i] = (struct route){ e.prefix, e.plen };
		msg(f, IPC_FIB_ADD, &e, sizeof(e));
	}
}

/*
 * A random host of a random route (route i belongs to VRF 1 + i % vrfs); a
 * batch of push frames from one link draws its routes from one random VRF.
 */
static void draw_packets(const struct opts *o, const struct route *routes, const bool *local,
			 struct draw *d, bool want_local)
{
	bool by_link = !o->mixed && !want_local;
	uint32_t per_vrf = o->routes / o->vrfs, v = 0;

	for (uint32_t i = 0; i < o->packets; i++) {
		uint32_t r;

		if (i % o->batch == 0)
			v = rng() % o->vrfs;
		do
			r = by_link ? (rng() % per_vrf) * o->vrfs + v : rng() % o->routes;
		while (want_local && !local[r]);
		d[i].key = 1 + r % o->vrfs;
		d[i].dst = routes[r].prefix | (rng() & ~prefix4_netmask(routes[r].plen));
	}
}


void batch_template(struct batch *b, int n_labels)
{
	uint8_t *t = b->tmpl, *ip;

	memset(t, 0, SLOT);
	memcpy(t, n_labels ? mac_core : mac_access, 6);
	memcpy(t + 6, n_labels ? mac_p : mac_ce, 6);
	t[12] = n_labels ? 0x88 : 0x08;
	t[13] = n_labels ? 0x47 : 0x00;
	b->ip_off = FWD_ETH_HLEN + 4u * (unsigned)n_labels;
	for (int i = 0; i < n_labels; i++) {
		t[FWD_ETH_HLEN + 4 * i + 2] = i + 1 == n_labels ? 1 : 0;
		t[FWD_ETH_HLEN + 4 * i + 3] = 64;
	}
	ip = t + b->ip_off;
	ip[0] = 0x45;
	ip[3] = 46;
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 100;
	ip[15] = 7;
	b->csum_base = 0;
	for (int i = 0; i < 20; i += 2)
		b->csum_base += (uint32_t)ip[i] << 8 | ip[i + 1];
	b->tmpl_len = b->ip_off + 46;
}

static inline void put_label(uint8_t *lse, uint32_t label)
{
	lse[0] = (uint8_t)(label >> 12);
	lse[1] = (uint8_t)(label >> 4);
	lse[2] = (uint8_t)((label << 4) | (lse[2] & 0xF));
}

/* What a receive ring would hand fwd: fresh frames with this batch's draws. */
void refill(struct batch *b, struct fwd_iface **acc, struct fwd_iface *core,
	    const struct draw *d, unsigned n, enum path path)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *fr = b->buf[i] + FWD_HEADROOM, *ip = fr + b->ip_off;
		uint32_t s = b->csum_base + (d[i].dst >> 16) + (d[i].dst & 0xFFFF);

		memcpy(fr, b->tmpl, 64);
		s = (s & 0xFFFF) + (s >> 16);
		s = (s & 0xFFFF) + (s >> 16);
		ip[16] = (uint8_t)(d[i].dst >> 24);
		ip[17] = (uint8_t)(d[i].dst >> 16);
		ip[18] = (uint8_t)(d[i].dst >> 8);
		ip[19] = (uint8_t)d[i].dst;
		ip[10] = (uint8_t)(~s >> 8);
		ip[11] = (uint8_t)~s;
		if (path == PATH_POP)
			put_label(fr + FWD_ETH_HLEN, OWN_LABEL(d[i].key));
		else if (path == PATH_POP_CE)
			put_label(fr + FWD_ETH_HLEN, CE_LABEL(d[i].key));
		else if (path == PATH_SWAP)
			put_label(fr + FWD_ETH_HLEN, SWAP_BASE + d[i].key % N_SWAP);
		b->p[i] = (struct fwd_pkt){ fr, b->tmpl_len, FWD_HEADROOM };
		b->in[i] = path == PATH_PUSH ? acc[d[i].key] : core;
	}
}

struct result {
	double total_ns, refill_ns;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct result run_path(struct fwd *f, const struct opts *o, struct batch *b,
			      struct fwd_iface **acc, const struct draw *d, enum path path)
{
	struct fwd_iface *core = fwd_iface_find(f, "core0");
	double tot[64], ref[64];
	struct result r;

	batch_template(b, path == PATH_PUSH ? 0 : path == PATH_SWAP ? 2 : 1);
	for (unsigned k = 0; k < o->runs; k++) {
		uint64_t before = n_out;
		double t0 = now_s();

		for (uint32_t i = 0; i + o->batch <= o->packets; i += o->batch) {
			refill(b, acc, core, d + i, o->batch, path);
			fwd_input_batch(f, b->in, b->p, o->batch, NULL);
		}
		tot[k] = (now_s() - t0) * 1e9 / o->packets;
		if (n_out - before != o->packets - o->packets % o->batch)
			log_warnx("path %d: %llu of %u packets forwarded", path,
				  (unsigned long long)(n_out - before), o->packets);
		t0 = now_s();
		for (uint32_t i = 0; i + o->batch <= o->packets; i += o->batch)
			refill(b, acc, core, d + i, o->batch, path);
		ref[k] = (now_s() - t0) * 1e9 / o->packets;
	}
	r.total_ns = median(tot, o->runs);
	r.refill_ns = median(ref, o->runs);
	return r;
}

/* The LPM alone: the same draws, batched lookups, no frames. */
static double run_lpm(struct fwd *f, const struct opts *o, const struct draw *d)
{
	const struct lpm *t[MAX_BATCH];
	uint32_t addr[MAX_BATCH], out[MAX_BATCH];
	double v[64];
	uint64_t found = 0;

	for (unsigned k = 0; k < o->runs; k++) {
		double t0 = now_s();

		for (uint32_t i = 0; i + o->batch <= o->packets; i += o->batch) {
			for (unsigned j = 0; j < o->batch; j++) {
				t[j] = fib_vrf_get(f, d[i + j].key)->lpm;
				addr[j] = d[i + j].dst;
			}
			lpm_lookup_batch(t, addr, out, o->batch);
			for (unsigned j = 0; j < o->batch; j++)
				found += out[j] != 0;
		}
		v[k] = (now_s() - t0) * 1e9 / o->packets;
	}
	if (found != (uint64_t)o->runs * (o->packets - o->packets % o->batch))
		log_warnx("lpm: %llu lookups found nothing", (unsigned long long)found);
	return median(v, o->runs);
}

static void print_result(const char *name, struct result r)
{
	double net = r.total_ns - r.refill_ns;

	printf("%-5s %7.1f ns/pkt %6.2f Mpps  (refill %4.1f ns; pipeline alone %5.1f ns/pkt = "
	       "%6.2f Mpps)\n", name, r.total_ns, 1e3 / r.total_ns, r.refill_ns, net, 1e3 / net);
}

static void print_drops(const struct fwd *f)
{
	for (int i = 0; i < FWD_DROP_MAX; i++)
		if (f->drops[i] != 0)
			printf("drops %s: %llu\n", fwd_drop_name(i), (unsigned long long)f->drops[i]);
}

/* Whether the comma-separated list paths names path. */
static bool has_path(const char *paths, const char *path)
{
	size_t n = strlen(path);

	for (const char *p = paths; (p = strstr(p, path)) != NULL; p += n)
		if ((p == paths || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static void usage(void)
{
	fprintf(stderr, "usage: fwd-lookup [-r ROUTES] [-v VRFS] [-n PACKETS] [-k RUNS] "
			"[-b BATCH] [-m clustered|scattered] [-a link|mixed] [-s SEED] "
			"[-p lpm,push,pop,popce,swap] "
			"[-c UPDATES_PER_S [-t SECONDS]]\n");
	exit(1);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int ch;

	*o = (struct opts){ .routes = 1000000, .vrfs = 1000, .packets = 1u << 22, .runs = 5,
			    .batch = 256, .seed = 1, .seconds = 5, .paths = "lpm,push,pop,popce,swap" };
	while ((ch = getopt(argc, argv, "r:v:n:k:b:m:a:s:p:c:t:")) != -1) {
		switch (ch) {
		case 'r': o->routes = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'v': o->vrfs = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'n': o->packets = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'k': o->runs = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'b': o->batch = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'm':
			if (strcmp(optarg, "scattered") != 0 && strcmp(optarg, "clustered") != 0)
				usage();
			o->scattered = strcmp(optarg, "scattered") == 0;
			break;
		case 'a':
			if (strcmp(optarg, "mixed") != 0 && strcmp(optarg, "link") != 0)
				usage();
			o->mixed = strcmp(optarg, "mixed") == 0;
			break;
		case 's': o->seed = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': o->paths = optarg; break;
		case 'c': o->churn = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': o->seconds = (uint32_t)strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (o->vrfs == 0 || o->vrfs > 60000 || o->routes < o->vrfs || o->runs == 0 ||
	    o->runs > 64 || o->batch == 0 || o->batch > MAX_BATCH || o->packets < o->batch)
		usage();
}

int main(int argc, char **argv)
{
	struct opts o;
	struct fwd_hooks hooks = { .output = count_output };
	struct fwd *f;
	struct fwd_iface **acc;
	struct route *routes;
	struct draw *d;
	struct batch *b;
	bool *local;
	size_t heap0, heap1, installed = 0, core = 0;
	double t0;

	fwd_huge_pages(argv); /* as fwd does; FERRY_FWD_HUGE_PAGES=0 for 4 KB pages */
	parse_opts(argc, argv, &o);
	rng_state ^= (uint64_t)o.seed * 0x9E3779B97F4A7C15ULL;
	log_init("fwd-lookup", LOG_LVL_WARN);
	routes = calloc(o.routes, sizeof(*routes));
	local = calloc(o.routes, sizeof(*local));
	d = calloc(o.packets, sizeof(*d));
	b = aligned_alloc(64, (sizeof(*b) + 63) / 64 * 64); /* C11: a multiple of the alignment */
	if ((f = fwd_new(&hooks, 300)) == NULL || routes == NULL || local == NULL || d == NULL ||
	    b == NULL)
		fatalx("out of memory");
	acc = setup_ifaces(f, &o);
		heap0 = heap_bytes();
	t0 = now_s();
	add_routes(f, &o, routes, local);
	fib_commit(f);
	heap1 = heap_bytes();
	resolve_core(f, acc, o.vrfs, routes, local);
	for (uint32_t v = 1; v <= o.vrfs; v++) {
		installed += fib_count(fib_vrf_get(f, v));
		core += lpm_count(fib_vrf_get(f, v)->core);
	}
	printf("fwd-lookup: %zu routes installed (%u drawn, %s) over %u VRFs in %.2f s; "
	       "FIB heap %.1f MB = %.1f bytes/route\n", installed, o.routes,
	       o.scattered ? "scattered" : "clustered", o.vrfs, now_s() - t0,
	       (double)(heap1 - heap0) / 1e6, (double)(heap1 - heap0) / (double)installed);
	printf("core-facing tables (what popped frames look up first): %zu entries\n", core);
	printf("%u packets per run, batch %u, median of %u runs; push frames arrive %s; heap on %s\n",
	       o.packets, o.batch, o.runs,
	       o.mixed ? "mixed (every frame of a batch from another link)" :
			 "by link (a batch from one link, as fwd's receive path hands them over)",
	       fwd_huge_pages_on() ? "2 MB pages" : "4 KB pages");
	draw_packets(&o, routes, local, d, false);
	if (o.churn != 0) {
		run_churn(f, &o, b, acc, d, routes);
		o.paths = "";
	}
	if (has_path(o.paths, "lpm"))
		printf("lpm   %7.1f ns/lookup (batched lookups alone)\n", run_lpm(f, &o, d));
	if (has_path(o.paths, "push"))
		print_result("push", run_path(f, &o, b, acc, d, PATH_PUSH));
	draw_packets(&o, routes, local, d, true);
	if (has_path(o.paths, "pop"))
		print_result("pop", run_path(f, &o, b, acc, d, PATH_POP));
	if (has_path(o.paths, "popce"))
		print_result("popce", run_path(f, &o, b, acc, d, PATH_POP_CE));
	if (has_path(o.paths, "swap"))
		print_result("swap", run_path(f, &o, b, acc, d, PATH_SWAP));
	print_drops(f);
	fwd_free(f);
	free(acc);
	free(routes);
	free(local);
	free(d);
	free(b);
	return 0;
}
