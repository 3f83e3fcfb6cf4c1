/*
 * bgpd/api_rib.c's walk of the RIB (GET /routes paging): it visits every
 * destination exactly once, in an order that survives the hash table
 * growing under a cursor, and destinations withdrawn or added mid-walk do
 * not make it skip or repeat the others. This also proves api_rib.c's copy
 * of rib.c's hash places entries in the buckets rib.c uses. A filter that
 * does not parse is a 400 naming the forms it takes.
 */
#include <criterion/criterion.h>
#include <sys/queue.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/api.h"
#include "bgpd/rib.h"

static struct rib *rib;
static struct rib_source src = { .slot = 1, .router_id = 0x0aff0002, .address = 0x0aff0002,
				 .peer_as = 65000 };
static struct attr_set *attrs;

static void setup(void)
{
	struct bgp_attrs a = { 0 };

	rib = rib_new(4);
	cr_assert_not_null(rib);
	a.present = ATTR_BIT(ATTR_ORIGIN);
	a.nexthop = 0x0aff0002;
	attrs = attr_intern(&a);
	cr_assert_not_null(attrs);
}

static void teardown(void)
{
	rib_free(rib);
	attr_unref(attrs);
}

TestSuite(bgpd_apirib, .init = setup, .fini = teardown);

/* Destination i: RD 65000:(i % 7), prefix 10.x.y.0/24 from i. */
static void key(uint32_t i, struct rd *rd, struct prefix4 *p)
{
	char s[32];

	snprintf(s, sizeof(s), "65000:%u", i % 7);
	cr_assert_eq(rd_parse(s, rd), 0);
	p->addr = 0x0a000000u | (i << 8);
	p->len = 24;
}

static void add(uint32_t i)
{
	struct rd rd;
	struct prefix4 p;

	key(i, &rd, &p);
	cr_assert_eq(rib_update(rib, &src, &rd, &p, attrs, 100 + i), 0);
}

static void del(uint32_t i)
{
	struct rd rd;
	struct prefix4 p;

	key(i, &rd, &p);
	cr_assert_eq(rib_withdraw(rib, &src, &rd, &p), 0);
}

/* The destination number of e (its label minus 100). */
static uint32_t id_of(const struct rib_entry *e)
{
	return e->paths->label - 100;
}

/*
 * The next destination that has a path: a withdrawn one stays in the table,
 * empty, until the owner pops the changed queue (the API writes nothing for it).
 */
static struct rib_entry *next_live(struct rib_cursor *c, bool started)
{
	struct rib_entry *e;

	while ((e = bgpd_rib_next(rib, c, started)) != NULL && e->paths == NULL)
		started = true;
	return e;
}

Test(bgpd_apirib, full_walk_visits_each_once)
{
	enum { N = 5000 };
	static unsigned char seen[N];
	struct rib_cursor c;
	struct rib_entry *e;
	bool started = false;
	size_t n = 0;

	for (uint32_t i = 0; i < N; i++)
		add(i);
	cr_assert_gt(rib->n_buckets, 1024, "the table grew");
	while ((e = bgpd_rib_next(rib, &c, started)) != NULL) {
		started = true;
		cr_assert_eq(seen[id_of(e)]++, 0, "destination %u seen twice", id_of(e));
		n++;
	}
	cr_assert_eq(n, N);
}

Test(bgpd_apirib, cursor_survives_growth_and_churn)
{
	enum { N = 900, MORE = 6000 };
	static unsigned char seen[N + MORE];
	struct rib_cursor c;
	struct rib_entry *e;
	bool started = false;
	size_t buckets;

	for (uint32_t i = 0; i < N; i++)
		add(i);
	buckets = rib->n_buckets;
	for (int k = 0; k < N / 2; k++) {
		e = bgpd_rib_next(rib, &c, started);
		cr_assert_not_null(e);
		started = true;
		seen[id_of(e)]++;
	}
	/* mid-walk: the table doubles several times, and some unseen routes go */
	for (uint32_t i = N; i < N + MORE; i++)
		add(i);
	cr_assert_gt(rib->n_buckets, buckets);
	for (uint32_t i = 0; i < N; i += 10)
		if (!seen[i])
			del(i);
	while ((e = next_live(&c, true)) != NULL)
		cr_assert_eq(seen[id_of(e)]++, 0, "destination %u seen twice", id_of(e));
	for (uint32_t i = 0; i < N; i++) {
		bool withdrawn = i % 10 == 0 && seen[i] == 0;

		cr_assert(withdrawn || seen[i] == 1, "destination %u seen %u times", i, seen[i]);
	}
}

Test(bgpd_apirib, cursor_of_a_gone_entry_still_places)
{
	struct rib_cursor c, from;
	struct rib_entry *e;
	struct rd rd;
	struct prefix4 p;
	size_t after = 0, total = 0;
	bool started = false;

	for (uint32_t i = 0; i < 300; i++)
		add(i);
	/* the cursor of destination 17 (then withdrawn) splits the walk in two */
	key(17, &rd, &p);
	bgpd_rib_cursor(&rd, &p, &from);
	del(17);
	c = from;
	while (next_live(&c, true) != NULL)
		after++;
	while ((e = next_live(&c, started)) != NULL) {
		started = true;
		total++;
	}
	cr_assert_eq(total, 299);
	cr_assert_lt(after, total);
}

static uint32_t rev32(uint32_t x)
{
	uint32_t r = 0;

	for (int i = 0; i < 32; i++)
		r |= ((x >> i) & 1u) << (31 - i);
	return r;
}

/* The cursor's hash (held bit-reversed) puts each entry in rib.c's bucket: the walk order holds. */
Test(bgpd_apirib, same_hash_as_the_rib)
{
	size_t used = 0, longest = 0;

	for (uint32_t i = 0; i < 20000; i++)
		add(i);
	for (size_t b = 0; b < rib->n_buckets; b++) {
		size_t len = 0;

		for (struct rib_entry *e = rib->buckets[b]; e != NULL; e = e->hnext) {
			struct rib_cursor c;

			bgpd_rib_cursor(&e->rd, &e->prefix, &c);
			cr_assert_eq(rev32(c.rh) & (rib->n_buckets - 1), b, "bucket %zu", b);
			len++;
		}
		used += len > 0;
		longest = len > longest ? len : longest;
	}
	/* /24s of a few RDs spread over the table (the hash mixes every bit) */
	cr_assert_gt(used, rib->n_buckets / 3, "%zu of %zu buckets used", used, rib->n_buckets);
	cr_assert_lt(longest, 12, "a chain of %zu", longest);
}

Test(bgpd_apirib, empty_rib)
{
	struct rib_cursor c;

	cr_assert_null(bgpd_rib_next(rib, &c, false));
}

/* handler's answer to a GET with ?key=value, the reply run to its end (no HTTP: in one go). */
static char *ask_ctx(int (*handler)(struct jw *, const struct api_request *, void *), void *ctx,
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
	*status = handler(&w, &req, ctx);
	jw_flush(&w);
	evbuffer_add(out, "", 1);
	body = strdup((const char *)evbuffer_pullup(out, -1));
	evbuffer_free(out);
	evhttp_clear_headers(&q);
	return body;
}

/* The parameter checks only: ctx is not read. */
static char *ask_param(int (*handler)(struct jw *, const struct api_request *, void *),
		       const char *key, const char *value, int *status)
{
	return ask_ctx(handler, NULL, key, value, status);
}

/*
 * A ?rt= or ?rd= that does not parse is a 400 naming every form rt_parse and
 * rd_parse take, ASNL:NN (a type 2 value of a small AS) included.
 */
Test(bgpd_apirib, a_bad_rd_or_rt_filter_names_every_form)
{
	static const char *const params[] = { "rt", "rd" };
	int status;

	for (int i = 0; i < 2; i++) {
		char *body = ask_param(bgpd_api_routes, params[i], "65000L:70000", &status);

		cr_assert_eq(status, 400, "%s", body);
		cr_assert_not_null(strstr(body, "ASN4:NN or ASNL:NN)"), "%s", body);
		free(body);
	}
}

/* An address that does not parse is a 400 saying the form it wants, not only that it is wrong. */
Test(bgpd_apirib, a_bad_neighbor_or_address_says_the_form_wanted)
{
	int status;
	char *body = ask_param(bgpd_api_routes, "neighbor", "pe2", &status);

	cr_assert_eq(status, 400, "%s", body);
	cr_assert_str_eq(body, "{\"error\":\"neighbor: \\\"pe2\\\" is not an IPv4 address or "
			       "\\\"local\\\" (want a neighbor's a.b.c.d, or local for vrfmgr's "
			       "routes)\",\"status\":400,\"param\":\"neighbor\"}");
	free(body);
	body = ask_param(bgpd_api_neighbor, "address", "pe2", &status);
	cr_assert_eq(status, 400, "%s", body);
	cr_assert_str_eq(body, "{\"error\":\"address: \\\"pe2\\\" is not an IPv4 address (want a "
			       "neighbor's a.b.c.d; GET /neighbors lists them)\",\"status\":400,"
			       "\"param\":\"address\"}");
	free(body);
}

/*
 * ?rt= that few routes carry: the walk yields every ROUTES_FILL_LOOK
 * destinations looked at, written or not (a fill that wrote nothing goes
 * on from its cursor), and the answer is still each match once, in order.
 */
Test(bgpd_apirib, a_filter_passing_few_answers_every_match_across_fills)
{
	struct bgpd d = { .rib = rib };
	struct ext_community rt;
	struct bgp_attrs a = { 0 };
	struct attr_set *tagged;
	static const uint32_t ids[] = { 5, 70001, 140003 };
	char want[64], *body;
	int status;

	cr_assert_eq(rt_parse("65000:9", &rt), 0);
	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_EXT_COMMUNITIES);
	a.nexthop = 0x0aff0002;
	a.ext = &rt;
	a.n_ext = 1;
	tagged = attr_intern(&a);
	cr_assert_not_null(tagged);
	for (uint32_t i = 0; i < 150000; i++)
		add(i);
	for (size_t j = 0; j < 3; j++) {
		struct rd rd;
		struct prefix4 p;

		key(ids[j], &rd, &p);
		cr_assert_eq(rib_update(rib, &src, &rd, &p, tagged, 100 + ids[j]), 0);
	}
	body = ask_ctx(bgpd_api_routes, &d, "rt", "65000:9", &status);
	cr_assert_eq(status, 200, "%s", body);
	cr_assert_not_null(strstr(body, "\"destinations\":3,\"paths\":3"), "%.300s", body);
	for (size_t j = 0; j < 3; j++) {
		snprintf(want, sizeof(want), "\"label\":%u,", 100 + ids[j]);
		cr_assert_not_null(strstr(body, want), "no %s: %.300s", want, body);
	}
	free(body);
	attr_unref(tagged);
}
