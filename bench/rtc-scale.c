/*
 * rtc-scale: what route target constraint (RFC 4684) costs a route
 * reflector running the real bgpd (in this process, one event loop) with
 * N clients, raw sockets on loopback (127.0.1.x) that offer VPN-IPv4 and
 * route target membership and read whatever bgpd sends them.
 *
 *   rtc-scale reflect [-n CLIENTS] [-m MEMBERS] [-r RUNS]
 *     every client announces M membership routes of its own (RTs
 *     65000:c*M+j) and End-of-RIB, all at once; timed until each client has
 *     been advertised the other clients' (N-1)*M and bgpd is idle.
 *   rtc-scale member [-n CLIENTS] [-m MEMBERS] [-r RUNS]
 *     as reflect, untimed; then each run one client (the next each time)
 *     announces one membership route more: timed until every other client
 *     has been advertised it and bgpd is idle.
 *   rtc-scale change [-n CLIENTS] [-m MEMBERS] [-v VPN_ROUTES] [-k CHANGES] [-r RUNS] [-x]
 *     client 0 holds V VPN routes (put into the RIB directly, route i
 *     carries RT 65000:(i % 1000); the CPU time that takes is printed,
 *     with the RIB's paths by attribute set kept as they go in, or with -x
 *     dropped first and built after); client 1's membership is RTs 0..M-1.
 *     Each run client 1 withdraws K of its RTs and announces K others (and
 *     back on the next run), timed until bgpd has re-evaluated and sent
 *     what changed and is idle; what client 1 was sent is then checked
 *     against its membership. Then `held_back` as GET /neighbor reads it
 *     (rtc_held_back: the VPN routes client 1's membership holds back) is
 *     timed and checked against the routes it was not sent.
 *
 * Prints one "run=I ms=T cpu_ms=C" line per run ("change" adds
 * "held_back=H held_back_ms=X") (C: this process's CPU
 * time, bgpd's and the clients') and the medians; "change" first the size
 * of the RIB's paths by attribute set (kept while a neighbor has the
 * family: bgpd/rib_byattr.h) and the CPU time to build it whole. Needs no
 * root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "bgpd/rtc_update.h"
#include "common/log.h"

#define N_RT_VPN 1000 /* distinct RTs among the VPN routes of "change" */

struct client {
	int fd;
	struct wbuf tx;
	size_t tx_off;
};

static struct event_base *base;
static struct bgpd *d;
static struct ferry_config cfg;
static struct client *cl;
static size_t n_cl, n_members, n_vpn, n_changes;
static bool fill_unindexed; /* -x */
static uint16_t port;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* CPU time of this process (bgpd and the clients), less sensitive than the clock to a busy machine. */
static double cpu_ms(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
	       (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static double run_cpu; /* the last run's CPU ms */
static double held_ms; /* "change": the last run's rtc_held_back, in ms */

static void die(const char *what)
{
	fprintf(stderr, "rtc-scale: %s\n", what);
	exit(1);
}

static struct ext_community rt_of(size_t v)
{
	struct ext_community c = { { 0, 2, 0xfd, 0xe8, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
				     (uint8_t)(v >> 8), (uint8_t)v } };

	return c;
}

static void client_addr(size_t i, char *buf)
{
	snprintf(buf, 16, "127.0.%u.%u", (unsigned)(1 + i / 200 % 250), (unsigned)(1 + i % 200));
}

static void load_config(void)
{
	size_t cap = 512 + n_cl * 160, off;
	char *json = malloc(cap), err[256], a[16];

	if (!json)
		die("out of memory");
	off = (size_t)snprintf(json, cap,
			       "{\"router\": {\"name\": \"rr\", \"router_id\": \"127.0.0.2\", "
			       "\"asn\": 65000, \"run_dir\": \"/tmp\"}, \"bgp\": {\"listen\": "
			       "\"127.0.0.2\", \"port\": %u, \"hold_time\": 90, \"neighbors\": [",
			       port);
	for (size_t i = 0; i < n_cl; i++) {
		client_addr(i, a);
		off += (size_t)snprintf(json + off, cap - off,
					"%s{\"address\": \"%s\", \"remote_as\": 65000, \"passive\": "
					"true, \"route_reflector_client\": true, \"families\": "
					"[\"vpnv4\", \"rtc\"]}",
					i ? ", " : "", a);
	}
	snprintf(json + off, cap - off, "]}}");
	if (config_load_string(json, "rtc-scale.json", &cfg, err, sizeof(err)) < 0)
		die(err);
	free(json);
}

/* ---- the clients ---- */

static void client_connect(struct client *c, size_t i)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct bgp_open o = { .asn = 65000, .hold_time = 0, .cap_as4 = true,
			      .afs = BGP_AF_VPNV4 | BGP_AF_RTC };
	char a[16];

	client_addr(i, a);
	o.bgp_id = ntohl(inet_addr(a));
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	inet_pton(AF_INET, a, &sin.sin_addr);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("cannot bind a client socket");
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	sin.sin_port = htons(port);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS)
		die("cannot connect a client");
	wbuf_init(&c->tx);
	bgp_open_encode(&c->tx, &o); /* hold time 0: no keepalives while bgpd is busy */
	bgp_keepalive_encode(&c->tx);
}

/* Writes what c has queued, reads and drops what came: whether anything moved. */
static bool client_io(struct client *c)
{
	static uint8_t sink[1 << 16];
	bool moved = false;
	ssize_t k;

	while (c->tx_off < c->tx.len &&
	       (k = send(c->fd, c->tx.data + c->tx_off, c->tx.len - c->tx_off, MSG_NOSIGNAL)) > 0) {
		c->tx_off += (size_t)k;
		moved = true;
	}
	if (c->tx_off == c->tx.len) {
		wbuf_reset(&c->tx);
		c->tx_off = 0;
	}
	while ((k = recv(c->fd, sink, sizeof(sink), 0)) > 0)
		moved = true;
	return moved;
}

static void client_announce(struct client *c, const struct rtc_route *v, size_t n)
{
	static const struct attr_ctx ctx = { .as4 = true, .afs = BGP_AF_VPNV4 | BGP_AF_RTC };
	struct bgp_attrs a = { 0 };
	int k;

	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a.local_pref = 100;
	a.nexthop = 0x0a000001u;
	for (size_t done = 0; done < n; done += (size_t)k)
		if ((k = rtc_update_encode_reach(&c->tx, &a, v + done, n - done, &ctx)) <= 0)
			die("cannot encode membership routes");
}

static void client_withdraw(struct client *c, const struct rtc_route *v, size_t n)
{
	int k;

	for (size_t done = 0; done < n; done += (size_t)k)
		if ((k = rtc_update_encode_unreach(&c->tx, v + done, n - done)) <= 0)
			die("cannot encode membership withdrawals");
}

/* ---- running the loop ---- */

static bool bgpd_idle(void)
{
	if (event_pending(d->flush_ev, EV_TIMEOUT, NULL) || d->rtc_dirty)
		return false;
	for (size_t i = 0; i < n_cl; i++) {
		const struct bgp_peer *p = &d->peers[i];

		if (p->est && evbuffer_get_length(bufferevent_get_output(p->est->bev)))
			return false;
		if (p->rtc_rewalk)
			return false;
	}
	return true;
}

/* Runs bgpd and the clients until done() holds and nothing moves; false after 600 s. */
static bool run_until(bool (*done)(void))
{
	double end = now_ms() + 600e3;
	int quiet = 0;

	while (now_ms() < end) {
		bool moved = false;

		event_base_loop(base, EVLOOP_NONBLOCK);
		for (size_t i = 0; i < n_cl; i++)
			moved |= client_io(&cl[i]);
		quiet = moved ? 0 : quiet + 1;
		if (quiet >= 3 && bgpd_idle() && done())
			return true;
		if (!moved)
			usleep(100);
	}
	return false;
}

static bool all_established(void)
{
	for (size_t i = 0; i < n_cl; i++)
		if (!d->peers[i].est || !d->peers[i].rtc_eor_sent)
			return false;
	return true;
}

static bool reflected(void)
{
	for (size_t i = 0; i < n_cl; i++) {
		const struct bgp_peer *p = &d->peers[i];

		if (!p->rtc_ready || p->rtc_in.n != n_members ||
		    p->n_rtc_out != (n_cl - 1) * n_members)
			return false;
	}
	return true;
}

static void start(void)
{
	log_init("rtc-scale", LOG_LVL_WARN);
	port = (uint16_t)(20000 + getpid() % 20000);
	base = event_base_new();
	load_config();
	if (!(d = bgpd_new(base, &cfg)) || !(cl = calloc(n_cl, sizeof(*cl))))
		die("cannot start bgpd");
	for (size_t i = 0; i < n_cl; i++)
		client_connect(&cl[i], i);
	if (!run_until(all_established))
		die("clients not established within 600 s");
}

static void stop(void)
{
	for (size_t i = 0; i < n_cl; i++) {
		close(cl[i].fd);
		wbuf_free(&cl[i].tx);
	}
	bgpd_free(d);
	config_free(&cfg);
	event_base_free(base);
	free(cl);
}

/* Every client announces its M membership routes (RTs 65000:c*M..c*M+M-1), then End-of-RIB; v holds M. */
static void announce_all(struct rtc_route *v)
{
	for (size_t i = 0; i < n_cl; i++) {
		for (size_t j = 0; j < n_members; j++) {
			struct ext_community rt = rt_of(i * n_members + j);

			v[j] = rtc_route_of(65000, &rt);
		}
		client_announce(&cl[i], v, n_members);
		rtc_update_encode_eor(&cl[i].tx);
	}
}

/* One run of "reflect": ms to settle. */
static double run_reflect(void)
{
	struct rtc_route *v = malloc(n_members * sizeof(*v));
	double t0;

	start();
	announce_all(v);
	t0 = now_ms();
	run_cpu = cpu_ms();
	if (!run_until(reflected))
		die("membership not reflected within 600 s");
	t0 = now_ms() - t0;
	run_cpu = cpu_ms() - run_cpu;
	free(v);
	stop();
	return t0;
}

/* ---- "member" ---- */

static size_t n_extra; /* membership routes announced by "member" runs so far */

static bool reflected_extra(void)
{
	size_t sum = 0;

	for (size_t i = 0; i < n_cl; i++)
		sum += d->peers[i].n_rtc_out;
	return sum == n_cl * (n_cl - 1) * n_members + (n_cl - 1) * n_extra;
}

static void member_setup(void)
{
	struct rtc_route *v = malloc(n_members * sizeof(*v));

	start();
	announce_all(v);
	free(v);
	if (!run_until(reflected))
		die("membership not reflected within 600 s");
}

/* Run r: client r % N announces RT 65000:(N * M + r). */
static double run_member(size_t r)
{
	struct ext_community rt = rt_of(n_cl * n_members + r);
	struct rtc_route m = rtc_route_of(65000, &rt);
	double t0;

	client_announce(&cl[r % n_cl], &m, 1);
	n_extra++;
	t0 = now_ms();
	run_cpu = cpu_ms();
	if (!run_until(reflected_extra))
		die("membership route not reflected within 600 s");
	run_cpu = cpu_ms() - run_cpu;
	return now_ms() - t0;
}

/* ---- "change" ---- */

static uint64_t rewalks_before;

static bool rewalked(void)
{
	return d->peers[1].rtc_rewalks > rewalks_before;
}

static bool ready_all(void)
{
	for (size_t i = 0; i < n_cl; i++)
		if (!d->peers[i].rtc_ready)
			return false;
	return true;
}

/* Client 0's V VPN routes, straight into the RIB (as if received). */
static void fill_rib(void)
{
	struct attr_set **as = calloc(N_RT_VPN, sizeof(*as));
	struct bgp_peer *p0 = &d->peers[0];

	if (!as)
		die("out of memory");
	for (size_t r = 0; r < N_RT_VPN; r++) {
		struct ext_community rt = rt_of(r);
		struct bgp_attrs a = { 0 };

		a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) |
			    ATTR_BIT(ATTR_LOCAL_PREF) | ATTR_BIT(ATTR_EXT_COMMUNITIES);
		a.local_pref = 100;
		a.nexthop = ntohl(inet_addr("127.0.1.1"));
		a.ext = &rt;
		a.n_ext = 1;
		if (!(as[r] = attr_intern(&a)))
			die("out of memory");
	}
	for (size_t i = 0; i < n_vpn; i++) {
		/* RD 65000:(i >> 16), prefix 10.x.y.0/24 from i's low 16 bits */
		struct rd rd = { { 0, 0, 0xfd, 0xe8, 0, (uint8_t)(i >> 32), (uint8_t)(i >> 24),
				   (uint8_t)(i >> 16) } };
		struct prefix4 pfx = { 0x0a000000u | (uint32_t)(i & 0xffff) << 8, 24 };

		if (rib_update(d->rib, &p0->src, &rd, &pfx, as[i % N_RT_VPN], 100) < 0)
			die("out of memory");
	}
	for (size_t r = 0; r < N_RT_VPN; r++)
		attr_unref(as[r]);
	free(as);
	bgpd_schedule_flush(d);
}

/* How many routes client 1 was sent, and how many its membership asks for. */
static void count_sent(struct rib_entry *e, void *arg)
{
	size_t *n = arg;
	const struct bgp_peer *p1 = &d->peers[1];

	n[0] += rib_adv_test(e, p1->grp->slot);
	n[1] += e->best && rtc_set_wants(&p1->rtc_in, e->best->attrs->a.ext,
					 e->best->attrs->a.n_ext);
}

/*
 * What the RIB's paths by attribute set cost here (kept since client 1
 * negotiated the family): its bytes, and the CPU to build it from scratch
 * (what the first such neighbor costs a full RIB).
 */
static void count_paths(struct rib_entry *e, void *arg)
{
	for (const struct rib_path *p = e->paths; p; p = p->next)
		++*(size_t *)arg;
}

static void index_report(void)
{
	const struct rib_byattr *x;
	size_t n = 0;
	double t, walk;

	walk = cpu_ms(); /* the pass over the paths alone, without the index */
	rib_walk(d->rib, count_paths, &n);
	walk = cpu_ms() - walk;
	rib_byattr_stop(d->rib);
	t = cpu_ms();
	if (rib_byattr_start(d->rib) < 0)
		die("out of memory");
	t = cpu_ms() - t;
	x = d->rib->byattr;
	if (x->n_paths != n)
		die("the index does not hold every path");
	printf("byattr paths=%zu sets=%zu bytes=%zu bytes_per_path=%.1f build_cpu_ms=%.1f "
	       "walk_cpu_ms=%.1f\n",
	       x->n_paths, x->n, rib_byattr_bytes(x), (double)rib_byattr_bytes(x) / (double)x->n_paths,
	       t, walk);
}

static void change_setup(void)
{
	struct rtc_route *v = malloc(n_members * sizeof(*v));
	double t;

	start();
	for (size_t i = 0; i < n_cl; i++) { /* client i > 1: RTs of its own, no VPN routes */
		for (size_t j = 0; j < n_members; j++) {
			struct ext_community rt = rt_of(i == 1 ? j : N_RT_VPN + i * n_members + j);

			v[j] = rtc_route_of(65000, &rt);
		}
		if (i > 0)
			client_announce(&cl[i], v, n_members);
		rtc_update_encode_eor(&cl[i].tx);
	}
	free(v);
	if (!run_until(ready_all))
		die("membership not in within 600 s");
	if (fill_unindexed) /* the flush that follows builds it again */
		rib_byattr_stop(d->rib);
	t = cpu_ms();
	fill_rib();
	printf("fill_cpu_ms=%.1f indexed=%d\n", cpu_ms() - t, d->rib->byattr != NULL);
	if (!run_until(ready_all))
		die("VPN routes not sent within 600 s");
	index_report();
}

/* Run r: client 1 swaps RTs 0..K-1 for M..M+K-1 (even r) or back (odd r). */
static double run_change(size_t r)
{
	struct rtc_route *out = malloc(n_changes * sizeof(*out));
	struct rtc_route *in = malloc(n_changes * sizeof(*in));
	size_t n[2] = { 0, 0 };
	double t0;

	if (!out || !in)
		die("out of memory");
	for (size_t j = 0; j < n_changes; j++) {
		struct ext_community a = rt_of(j), b = rt_of(n_members + j);

		out[j] = rtc_route_of(65000, r % 2 ? &b : &a);
		in[j] = rtc_route_of(65000, r % 2 ? &a : &b);
	}
	client_withdraw(&cl[1], out, n_changes);
	client_announce(&cl[1], in, n_changes);
	rewalks_before = d->peers[1].rtc_rewalks;
	t0 = now_ms();
	run_cpu = cpu_ms();
	if (!run_until(rewalked))
		die("change not taken in within 600 s");
	t0 = now_ms() - t0;
	run_cpu = cpu_ms() - run_cpu;
	rib_walk(d->rib, count_sent, n);
	if (n[0] != n[1] || n[0] != n_vpn / N_RT_VPN * n_members) {
		fprintf(stderr, "rtc-scale: client 1 was sent %zu routes, wants %zu\n", n[0], n[1]);
		exit(1);
	}
	held_ms = now_ms();
	n[1] = rtc_held_back(&d->peers[1]);
	held_ms = now_ms() - held_ms;
	if (n[1] != n_vpn - n[0]) {
		fprintf(stderr, "rtc-scale: %zu routes held back from client 1, want %zu\n", n[1],
			n_vpn - n[0]);
		exit(1);
	}
	free(out);
	free(in);
	return t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: rtc-scale reflect|member|change [-n CLIENTS] [-m MEMBERS] [-v VPN_ROUTES] "
			"[-k CHANGES] [-r RUNS] [-x]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t runs = 5;
	bool change, member;
	double *ms, *cpu;
	int o;

	if (argc < 2 || (strcmp(argv[1], "reflect") && strcmp(argv[1], "change") &&
			 strcmp(argv[1], "member")))
		usage();
	change = !strcmp(argv[1], "change");
	member = !strcmp(argv[1], "member");
	n_cl = change ? 4 : 50;
	n_members = change ? 100 : 100;
	n_vpn = 100000;
	n_changes = 2;
	optind = 2;
	while ((o = getopt(argc, argv, "n:m:v:k:r:x")) != -1) {
		size_t x = optarg ? strtoul(optarg, NULL, 10) : 0;

		if (o == 'n')
			n_cl = x;
		else if (o == 'm')
			n_members = x;
		else if (o == 'v')
			n_vpn = x;
		else if (o == 'k')
			n_changes = x;
		else if (o == 'r')
			runs = x;
		else if (o == 'x')
			fill_unindexed = true;
		else
			usage();
	}
	if (n_cl < 2 || n_cl > 2000 || !n_members || !runs || n_vpn % N_RT_VPN ||
	    (change && (n_changes > n_members || n_members + n_changes > N_RT_VPN)))
		usage();
	if (!(ms = calloc(runs, sizeof(*ms))) || !(cpu = calloc(runs, sizeof(*cpu))))
		die("out of memory");
	if (change) {
		printf("change clients=%zu members=%zu vpn_routes=%zu changes=%zu\n", n_cl, n_members,
		       n_vpn, n_changes);
		change_setup();
	} else if (member) {
		printf("member clients=%zu members=%zu\n", n_cl, n_members);
		member_setup();
	} else {
		printf("reflect clients=%zu members=%zu\n", n_cl, n_members);
	}
	for (size_t i = 0; i < runs; i++) {
		ms[i] = change ? run_change(i) : member ? run_member(i) : run_reflect();
		cpu[i] = run_cpu;
		printf("run=%zu ms=%.1f cpu_ms=%.1f", i, ms[i], cpu[i]);
		if (change)
			printf(" held_back=%zu held_back_ms=%.3f", n_vpn - n_vpn / N_RT_VPN * n_members,
			       held_ms);
		printf("\n");
		fflush(stdout);
	}
	if (change || member)
		stop();
	qsort(ms, runs, sizeof(*ms), cmp_double);
	qsort(cpu, runs, sizeof(*cpu), cmp_double);
	printf("median_ms=%.1f median_cpu_ms=%.1f\n", ms[runs / 2], cpu[runs / 2]);
	free(ms);
	free(cpu);
	return 0;
}
