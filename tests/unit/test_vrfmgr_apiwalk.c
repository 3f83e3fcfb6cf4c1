/*
 * vrfmgr/api_walk.c: the ordered walk behind the streamed /routes, /vpn and
 * the event snapshot. Over a table that changes between steps (entries
 * added and removed, more keys than one batch holds) it hands out keys in
 * order, never twice, and every key that exists throughout exactly once;
 * and the prefix filters and "next" positions of the listings.
 */
#include <criterion/criterion.h>
#include <sys/queue.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "vrfmgr/api.h"

#define N_KEYS 20000 /* more than two batches */

/* A fake table: a bitmap over keys 0..N_KEYS-1 (the address), enumerated in a scrambled order. */
static bool present[N_KEYS];

static void each_key(const void *table, void (*cb)(const struct vrfapi_key *k, void *arg),
		     void *arg)
{
	struct vrfapi_key k;

	(void)table;
	memset(&k, 0, sizeof(k));
	for (uint32_t i = 0; i < N_KEYS; i++) {
		uint32_t a = (i * 7919u) % N_KEYS; /* 7919 is prime: a permutation */

		if (present[a]) {
			k.addr = a;
			k.len = 24;
			cb(&k, arg);
		}
	}
}

Test(vrfapi_walk, ordered_once_while_the_table_changes)
{
	static struct vrfapi_walk wk;
	static unsigned seen[N_KEYS];
	static bool touched[N_KEYS];
	struct vrfapi_key k;
	uint32_t prev = 0;
	bool first = true;
	size_t steps = 0;

	for (uint32_t a = 0; a < N_KEYS; a++)
		present[a] = a % 3 != 0; /* a third absent at the start */
	vrfapi_walk_start(&wk, NULL);
	while (vrfapi_walk_next(&wk, each_key, NULL, &k)) {
		cr_assert(first || k.addr > prev, "out of order: %u after %u", k.addr, prev);
		first = false;
		prev = k.addr;
		seen[k.addr]++;
		/* the table changes under the walk: some behind and ahead come and go */
		if (++steps % 7 == 0) {
			uint32_t x = (k.addr * 13u + 5) % N_KEYS, y = (k.addr + 1000) % N_KEYS;

			present[x] = !present[x];
			present[y] = false;
			touched[x] = touched[y] = true;
		}
	}
	for (uint32_t a = 0; a < N_KEYS; a++) {
		cr_assert_leq(seen[a], 1, "key %u handed out %u times", a, seen[a]);
		if (a % 3 != 0 && !touched[a])
			cr_assert_eq(seen[a], 1, "key %u was there throughout but not seen", a);
	}
	cr_assert_gt(steps, VRFAPI_BATCH, "the walk spans batches (%zu keys)", steps);
}

/* A bigger fake table: keys 0..n-1, all present, enumerated in a scrambled order. */
#define N_BIG 200000

static void each_big(const void *table, void (*cb)(const struct vrfapi_key *k, void *arg),
		     void *arg)
{
	const uint32_t *n = table;
	struct vrfapi_key k;

	memset(&k, 0, sizeof(k));
	k.len = 24;
	for (uint32_t i = 0; i < *n; i++) {
		k.addr = (uint32_t)(((uint64_t)i * 7919u) % *n); /* n not a multiple of 7919 */
		cb(&k, arg);
	}
}

/* The batch sized from the table: a full walk is 8 passes, not n / 8192 (quadratic). */
Test(vrfapi_walk, reserved_batch_walks_in_eight_passes)
{
	static struct vrfapi_walk wk;
	uint32_t n = N_BIG, expect = 0;
	struct vrfapi_key k;

	vrfapi_walk_start(&wk, NULL);
	vrfapi_walk_reserve(&wk, n);
	cr_assert_eq(wk.cap, N_BIG / 8);
	while (vrfapi_walk_next(&wk, each_big, &n, &k))
		cr_assert_eq(k.addr, expect++, "out of order at %u", expect);
	cr_assert_eq(expect, N_BIG);
	cr_assert_eq(wk.passes, 8, "a full walk took %llu passes", (unsigned long long)wk.passes);
	vrfapi_walk_free(&wk);
	/* without the reservation: one pass per 8192 keys */
	vrfapi_walk_start(&wk, NULL);
	while (vrfapi_walk_next(&wk, each_big, &n, &k))
		;
	cr_assert_eq(wk.passes, (N_BIG + VRFAPI_BATCH - 1) / VRFAPI_BATCH);
	vrfapi_walk_reserve(&wk, 1000); /* small tables keep the batch inside */
	cr_assert_null(wk.big);
	cr_assert_eq(wk.cap, VRFAPI_BATCH);
}

/*
 * A fill that writes nothing (a filter matching no key) still returns after
 * its first pass: each pass, as vpn_fill and routes_fill count them, is a
 * fill of its own, so the event loop runs between passes.
 */
Test(vrfapi_walk, a_fill_yields_after_a_pass)
{
	static struct vrfapi_walk wk;
	uint32_t n = N_BIG;
	uint64_t fills = 0, keys = 0;
	struct vrfapi_key k;
	bool more = true;

	vrfapi_walk_start(&wk, NULL);
	vrfapi_walk_reserve(&wk, n);
	while (more) { /* one iteration: one fill */
		uint64_t scanned0 = wk.scanned, passes0 = wk.passes;

		fills++;
		while (!vrfapi_walk_yield(&wk, scanned0) && (more = vrfapi_walk_next(&wk, each_big, &n, &k)))
			keys++; /* the filter drops it: nothing written */
		cr_assert_leq(wk.passes - passes0, 1, "fill %llu made %llu passes",
			      (unsigned long long)fills, (unsigned long long)(wk.passes - passes0));
	}
	cr_assert_eq(keys, N_BIG);
	cr_assert_eq(fills, 8, "8 passes, 8 fills (got %llu)", (unsigned long long)fills);
	vrfapi_walk_free(&wk);
}

/* A probe ("does more follow?") goes on from the walk's place and leaves the walk alone. */
Test(vrfapi_walk, copy_probes_without_moving_the_walk)
{
	static struct vrfapi_walk wk, probe;
	uint32_t n = N_BIG;
	struct vrfapi_key k, pk;

	vrfapi_walk_start(&wk, NULL);
	vrfapi_walk_reserve(&wk, n);
	for (uint32_t i = 0; i < 30000; i++) /* into the second batch */
		cr_assert(vrfapi_walk_next(&wk, each_big, &n, &k));
	vrfapi_walk_copy(&probe, &wk);
	cr_assert_neq(probe.big, wk.big, "the probe has a batch of its own");
	for (uint32_t i = 0; i < 50000; i++) {
		cr_assert(vrfapi_walk_next(&probe, each_big, &n, &pk));
		cr_assert_eq(pk.addr, 30000 + i);
	}
	cr_assert(vrfapi_walk_next(&wk, each_big, &n, &k));
	cr_assert_eq(k.addr, 30000, "the walk moved with its probe");
	vrfapi_walk_free(&probe);
	vrfapi_walk_free(&wk);
}

Test(vrfapi_walk, resumes_after_a_key)
{
	static struct vrfapi_walk wk;
	struct vrfapi_key k = { .addr = 100, .len = 24 }, out;

	for (uint32_t a = 0; a < N_KEYS; a++)
		present[a] = true;
	vrfapi_walk_start(&wk, &k);
	cr_assert(vrfapi_walk_next(&wk, each_key, NULL, &out));
	cr_assert_eq(out.addr, 101);
	k.addr = N_KEYS - 1;
	vrfapi_walk_start(&wk, &k);
	cr_assert_not(vrfapi_walk_next(&wk, each_key, NULL, &out));
}

Test(vrfapi_walk, key_order_rd_then_prefix)
{
	struct vrfapi_key a = { .addr = 0x0a000000, .len = 8 }, b = a;

	cr_assert_eq(vrfapi_key_cmp(&a, &b), 0);
	b.len = 16;
	cr_assert_lt(vrfapi_key_cmp(&a, &b), 0);
	b = a;
	b.addr = 0x09000000;
	cr_assert_gt(vrfapi_key_cmp(&a, &b), 0);
	b.rd.b[7] = 1; /* a higher RD wins over a lower address */
	cr_assert_lt(vrfapi_key_cmp(&a, &b), 0);
}

Test(vrfapi_walk, prefix_filters)
{
	struct vrfapi_pfilter f = { .has_prefix = true };
	struct prefix4 p;

	prefix4_parse("10.1.0.0/16", &f.prefix);
	prefix4_parse("10.1.2.0/24", &p);
	f.match = API_MATCH_EXACT;
	cr_assert_not(vrfapi_pfilter_ok(&f, &p));
	f.match = API_MATCH_LONGER;
	cr_assert(vrfapi_pfilter_ok(&f, &p));
	f.match = API_MATCH_SHORTER;
	cr_assert_not(vrfapi_pfilter_ok(&f, &p));
	cr_assert(vrfapi_pfilter_ok(&f, &(struct prefix4){ 0x0a000000, 8 }));
}

/* handler's answer to a GET with ?key=value (the parameter checks only: ctx is not read). */
static char *ask_param(int (*handler)(struct jw *, const struct api_request *, void *),
		       const char *key, const char *value, int *status)
{
	struct evkeyvalq q;
	struct evbuffer *out = evbuffer_new();
	struct api_request req = { "/", &q, NULL };
	struct jw w;
	char *body;

	TAILQ_INIT(&q);
	cr_assert_eq(evhttp_add_header(&q, key, value), 0);
	jw_init(&w, out);
	*status = handler(&w, &req, NULL);
	jw_flush(&w);
	evbuffer_add(out, "", 1);
	body = strdup((const char *)evbuffer_pullup(out, -1));
	evbuffer_free(out);
	evhttp_clear_headers(&q);
	return body;
}

/* GET /vpn: a ?rt= or ?rd= that does not parse is a 400 naming every form, ASNL:NN included. */
Test(vrfapi_walk, a_bad_rd_or_rt_filter_names_every_form)
{
	static const char *const params[] = { "rt", "rd" };
	int status;

	for (int i = 0; i < 2; i++) {
		char *body = ask_param(vrfapi_vpn, params[i], "65000L:70000", &status);

		cr_assert_eq(status, 400, "%s", body);
		cr_assert_not_null(strstr(body, "ASN4:NN or ASNL:NN)"), "%s", body);
		free(body);
	}
}
