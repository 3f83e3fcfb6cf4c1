/*
 * rtc-ingest: what a neighbor's route target membership (RFC 4684) costs
 * bgpd to take in. N membership routes (route targets 65000:0..N-1 from
 * AS 65000) in a random order are packed into UPDATEs as a peer would send
 * them; each run decodes every UPDATE and puts its NLRI into one set the
 * way bgpd's rtc_input does (attributes interned once per UPDATE), then
 * sorts the set in (rtc_set_settle). -s update settles after every UPDATE:
 * the worst case, a flush after each message; -s end once at the end, as
 * when a burst is read before the flush.
 *
 *   rtc-ingest [-n ROUTES] [-r RUNS] [-s update|end]
 *
 * Prints one "run=I ms=T" line per run and "median_ms=T". Built against a
 * tree without rtc_set_settle (one sorted insert per route), add
 * -DRTC_NO_SETTLE: it measures that insert instead.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"
#include "bgpd/rtc.h"
#include "bgpd/rtc_update.h"

#ifdef RTC_NO_SETTLE
#define rtc_set_settle(s) ((void)(s), 0)
#endif

static const struct attr_ctx ctx = { .as4 = true, .peer_as = 65000,
				     .afs = BGP_AF_VPNV4 | BGP_AF_RTC };

/* The routes in a random order (a fixed seed: every run and build the same). */
static struct rtc_route *shuffled(size_t n)
{
	struct rtc_route *v = malloc(n * sizeof(*v));
	unsigned long long x = 88172645463325252ull;

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct ext_community c = { { 0, 2, 0xfd, 0xe8, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
					     (uint8_t)(i >> 8), (uint8_t)i } };

		v[i] = rtc_route_of(65000, &c);
	}
	for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates, xorshift64 */
		size_t j;
		struct rtc_route t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (size_t)(x % (i + 1));
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	return v;
}

/* All UPDATEs for v[0..n), back to back in w. */
static int encode_all(struct wbuf *w, const struct rtc_route *v, size_t n, size_t *n_msgs)
{
	struct bgp_attrs a = { 0 };
	size_t done = 0;
	int k;

	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a.local_pref = 100;
	a.nexthop = 0x0a000001u;
	*n_msgs = 0;
	while (done < n) {
		if ((k = rtc_update_encode_reach(w, &a, v + done, n - done, &ctx)) <= 0)
			return -1;
		done += (size_t)k;
		(*n_msgs)++;
	}
	return wbuf_ok(w) ? 0 : -1;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* One run: decode and put every UPDATE of msgs[0..len). Milliseconds, or -1. */
static double run(const uint8_t *msgs, size_t len, bool settle_each, size_t want)
{
	struct bgp_update *u = bgp_update_new();
	struct rtc_set s = { 0 };
	struct bgp_err err;
	double t0 = now_ms(), t;

	for (size_t off = 0; off < len;) {
		size_t mlen = (size_t)msgs[off + 16] << 8 | msgs[off + 17];
		struct attr_set *a;
		struct rtc_route m;

		if (bgp_update_decode(msgs + off + 19, mlen - 19, &ctx, u, &err) < 0)
			return -1;
		a = attr_intern(&u->attrs);
		while (rbuf_left(&u->rtc_reach) > 0 && rtc_nlri_get(&u->rtc_reach, &m) == 0)
			if (rtc_set_put(&s, &m, attr_ref(a)) < 0)
				return -1;
		attr_unref(a);
		if (settle_each && rtc_set_settle(&s) < 0)
			return -1;
		off += mlen;
	}
	if (rtc_set_settle(&s) < 0)
		return -1;
	t = now_ms() - t0;
	if (s.n != want)
		t = -1;
	rtc_set_free(&s);
	bgp_update_free(u);
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	size_t n = 100000, runs = 5, n_msgs;
	bool settle_each = true;
	struct rtc_route *v;
	double *ms;
	struct wbuf w;
	int o;

	while ((o = getopt(argc, argv, "n:r:s:")) != -1) {
		if (o == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (o == 'r')
			runs = strtoul(optarg, NULL, 10);
		else if (o == 's' && (!strcmp(optarg, "update") || !strcmp(optarg, "end")))
			settle_each = !strcmp(optarg, "update");
		else {
			fprintf(stderr, "usage: rtc-ingest [-n ROUTES] [-r RUNS] [-s update|end]\n");
			return 2;
		}
	}
	if (n == 0 || runs == 0 || !(v = shuffled(n)) || !(ms = calloc(runs, sizeof(*ms)))) {
		fprintf(stderr, "rtc-ingest: -n and -r must be at least 1 (or out of memory)\n");
		return 2;
	}
	wbuf_init(&w);
	if (encode_all(&w, v, n, &n_msgs) < 0) {
		fprintf(stderr, "rtc-ingest: cannot encode the UPDATEs\n");
		return 1;
	}
	printf("routes=%zu updates=%zu settle=%s\n", n, n_msgs, settle_each ? "update" : "end");
	for (size_t i = 0; i < runs; i++) {
		if ((ms[i] = run(w.data, w.len, settle_each, n)) < 0) {
			fprintf(stderr, "rtc-ingest: run %zu failed (decode, memory or count)\n", i);
			return 1;
		}
		printf("run=%zu ms=%.1f\n", i, ms[i]);
	}
	qsort(ms, runs, sizeof(*ms), cmp_double);
	printf("median_ms=%.1f\n", ms[runs / 2]);
	wbuf_free(&w);
	free(v);
	free(ms);
	return 0;
}
