/*
 * vrfmgr-walk: the ordered walk behind vrfmgr's streamed /vpn (and /routes,
 * the event snapshot), in memory, no I/O. Builds a VPN table of R routes
 * (default 1M over 1,000 RDs) with vpn_put, then walks it in key order as
 * vpn_fill does (vrfapi_walk_next, vpn_find per key) twice: with the walk's
 * own 8192-key batch (what a walk costs without vrfapi_walk_reserve: one
 * pass over the table per 8192 keys, n^2 / 8192) and with the batch sized
 * from the table (vrfapi_walk_reserve: ~8 passes). Prints passes, keys
 * scanned and the thread's CPU seconds of each, and the longest stretch of
 * passes a fill would run before it yields (VRFAPI_FILL_SCAN).
 *
 *   vrfmgr-walk [-r ROUTES] [-v RDS] [-s] (-s: reserved walk only)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vrfmgr/api.h"
#include "vrfmgr/vpn.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void build(struct vpn_table *t, uint32_t routes, uint32_t rds)
{
	static const struct ext_community rt = { { 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 100 } };

	vpn_table_init(t);
	for (uint32_t k = 0; k < routes; k++) {
		struct ipc_vpn_route r = { .plen = 24, .label = 16 + k % 100000,
					   .next_hop = 0x0A000001, .n_rts = 1 };
		uint32_t rd = k % rds;

		r.rd[0] = 0, r.rd[1] = 0, r.rd[2] = 0xfd, r.rd[3] = 0xe8;
		r.rd[6] = (uint8_t)(rd >> 8), r.rd[7] = (uint8_t)rd;
		r.prefix = 0x14000000u + ((k / rds) << 8);
		if (vpn_put(t, &r, &rt) == NULL) {
			fprintf(stderr, "vpn_put: out of memory at %u\n", k);
			exit(1);
		}
	}
}

static bool walk(const struct vpn_table *t, bool reserve)
{
	struct vrfapi_walk *wk = malloc(sizeof(*wk));
	uint64_t n = 0, found = 0, fills = 1, scanned0 = 0;
	struct vrfapi_key k;
	double t0;

	if (wk == NULL)
		exit(1);
	vrfapi_walk_start(wk, NULL);
	if (reserve)
		vrfapi_walk_reserve(wk, t->count);
	t0 = cpu_s();
	for (;;) {
		if (vrfapi_walk_yield(wk, scanned0)) { /* where vpn_fill returns MORE */
			fills++;
			scanned0 = wk->scanned;
		}
		if (!vrfapi_walk_next(wk, vrfapi_each_vpn, t, &k))
			break;
		struct prefix4 p = { k.addr, k.len };

		n++;
		found += vpn_find(t, &k.rd, &p) != NULL;
	}
	printf("%-9s batch %7zu: %9llu keys, %6llu passes, %12llu keys scanned, %3llu fills "
	       "yielding on passes, %.3f s CPU\n", reserve ? "reserved" : "small", wk->cap,
	       (unsigned long long)n, (unsigned long long)wk->passes,
	       (unsigned long long)wk->scanned, (unsigned long long)fills, cpu_s() - t0);
	if (found != t->count || n != t->count)
		printf("  MISMATCH: %llu found of %zu\n", (unsigned long long)found, t->count);
	vrfapi_walk_free(wk);
	free(wk);
	return found == t->count && n == t->count;
}

int main(int argc, char **argv)
{
	uint32_t routes = 1000000, rds = 1000;
	bool only_reserved = false, ok;
	struct vpn_table t;
	double t0;
	int c;

	while ((c = getopt(argc, argv, "r:v:s")) != -1) {
		if (c == 'r')
			routes = (uint32_t)strtoul(optarg, NULL, 10);
		else if (c == 'v')
			rds = (uint32_t)strtoul(optarg, NULL, 10);
		else if (c == 's')
			only_reserved = true;
		else
			return 2;
	}
	if (rds == 0 || rds > 65535)
		rds = 1000;
	t0 = cpu_s();
	build(&t, routes, rds);
	printf("VPN table: %zu routes over %u RDs, built in %.2f s\n", t.count, rds, cpu_s() - t0);
	ok = walk(&t, true);
	if (!only_reserved)
		ok &= walk(&t, false);
	vpn_table_free(&t);
	return ok ? 0 : 1; /* a mismatch fails the run, not only its output */
}
