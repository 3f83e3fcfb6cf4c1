/*
 * bgpd RIB: best-path selection among several paths for one RD:prefix (each
 * RFC 4271 §9.1 step and its reason), replace/withdraw, all of a peer's
 * routes withdrawn when it goes down, the changed queue, replay stale/sweep,
 * Adj-RIB-Out bits and entry release, sorted listing; the changed queue
 * against a model of what the flush has told (paths_only).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <json-c/json.h>

#include "bgpd/api.h"
#include "bgpd/rib.h"
#include "common/jw.h"

static struct rib *rib;
static struct rib_source local = { .slot = 0, .local = true };
static struct rib_source ib1 = { .slot = 1, .router_id = 0x0aff0002, .address = 0x0aff0002,
				 .peer_as = 65000 };
static struct rib_source ib2 = { .slot = 2, .router_id = 0x0aff0003, .address = 0x0aff0003,
				 .peer_as = 65000 };
static struct rib_source eb = { .slot = 3, .ebgp = true, .router_id = 0x0aff0009,
				.address = 0x0a000009, .peer_as = 65001 };
static struct rd rd;
static struct prefix4 pfx;

static void setup(void)
{
	rib = rib_new(8);
	cr_assert_not_null(rib);
	cr_assert_eq(rd_parse("10.255.0.2:100", &rd), 0);
	cr_assert_eq(prefix4_parse("192.168.101.0/24", &pfx), 0);
}

static void teardown(void)
{
	rib_free(rib);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

TestSuite(bgpd_rib, .init = setup, .fini = teardown);

struct pa {
	uint32_t lp;       /* 0: absent */
	const char *path;  /* space-separated sequence, "" for empty */
	uint8_t origin;
	int64_t med;       /* -1: absent */
};

static uint8_t pathbuf[8][64];
static int pathslot;

static struct attr_set *mk(const struct pa *x)
{
	struct bgp_attrs a = { 0 };
	uint8_t *p = pathbuf[pathslot++ % 8];
	size_t n = 0;
	unsigned v;
	const char *s = x->path;
	int used;
	struct attr_set *set;

	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH);
	while (sscanf(s, "%u%n", &v, &used) == 1) {
		if (n == 0) {
			p[0] = ASPATH_SEQUENCE;
			p[1] = 0;
			n = 2;
		}
		p[1]++;
		p[n++] = (uint8_t)(v >> 24);
		p[n++] = (uint8_t)(v >> 16);
		p[n++] = (uint8_t)(v >> 8);
		p[n++] = (uint8_t)v;
		s += used;
	}
	a.aspath = p;
	a.aspath_len = (uint16_t)n;
	a.origin = x->origin;
	a.nexthop = 0x0aff0002;
	if (x->lp) {
		a.present |= ATTR_BIT(ATTR_LOCAL_PREF);
		a.local_pref = x->lp;
	}
	if (x->med >= 0) {
		a.present |= ATTR_BIT(ATTR_MED);
		a.med = (uint32_t)x->med;
	}
	set = attr_intern(&a);
	cr_assert_not_null(set);
	return set;
}

static void add(struct rib_source *src, const struct pa *x, uint32_t label)
{
	struct attr_set *s = mk(x);

	cr_assert_eq(rib_update(rib, src, &rd, &pfx, s, label), 0);
	attr_unref(s);
}

static void drain(void)
{
	struct rib_entry *e;

	while ((e = rib_changed_pop(rib)))
		rib_entry_done(rib, e);
}

static struct rib_entry *entry(void)
{
	struct rib_entry *e = rib_lookup(rib, &rd, &pfx);

	cr_assert_not_null(e);
	return e;
}

static void expect_best(struct rib_source *src, const char *reason)
{
	struct rib_entry *e = entry();

	cr_assert_not_null(e->best);
	cr_assert_eq(e->best->src, src, "best from slot %u", e->best->src->slot);
	cr_assert_str_eq(e->best_reason, reason);
}

Test(bgpd_rib, single_path)
{
	add(&ib1, &(struct pa){ 0, "", 0, -1 }, 200);
	expect_best(&ib1, "only path");
	cr_assert_eq(entry()->best->label, 200);
	cr_assert_eq(rib->n_entries, 1);
	cr_assert_eq(ib1.n_paths, 1);
	drain();
	rib_source_flush(rib, &ib1);
	drain();
}

struct best_case {
	const char *what;
	struct pa a;
	struct rib_source *sa;
	struct pa b;
	struct rib_source *sb;
	int winner; /* 0: a, 1: b */
	const char *reason;
};

Test(bgpd_rib, best_path_steps)
{
	const struct best_case cases[] = {
		{ "local_pref", { 200, "", 0, -1 }, &ib2, { 100, "", 0, -1 }, &ib1, 0,
		  "higher local_pref" },
		{ "default local_pref 100 loses to 150", { 0, "", 0, -1 }, &ib1, { 150, "", 0, -1 }, &ib2,
		  1, "higher local_pref" },
		{ "as_path", { 100, "65001 65002", 0, -1 }, &ib1, { 100, "65003", 0, -1 }, &ib2, 1,
		  "shorter as_path" },
		{ "origin", { 100, "", 2, -1 }, &ib1, { 100, "", 0, -1 }, &ib2, 1, "lower origin" },
		{ "med same neighbor AS", { 100, "65001", 0, 50 }, &ib1, { 100, "65001", 0, 10 }, &ib2, 1,
		  "lower med" },
		{ "med ignored across AS", { 100, "65001", 0, 50 }, &ib1, { 100, "65002", 0, 10 }, &ib2,
		  0, "lower router_id" },
		{ "ebgp over ibgp", { 100, "65001", 0, -1 }, &ib1, { 100, "65001", 0, -1 }, &eb, 1,
		  "ebgp over ibgp" },
		{ "router id", { 100, "", 0, -1 }, &ib2, { 100, "", 0, -1 }, &ib1, 1, "lower router_id" },
		{ "local route first", { 100, "", 0, -1 }, &ib1, { 50, "", 2, 900 }, &local, 1,
		  "local route" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct best_case *c = &cases[i];

		add(c->sa, &c->a, 100);
		add(c->sb, &c->b, 200);
		cr_assert_eq(entry()->best->src, c->winner ? c->sb : c->sa, "%s", c->what);
		cr_assert_str_eq(entry()->best_reason, c->reason, "%s: %s", c->what,
				 entry()->best_reason);
		rib_withdraw(rib, c->sa, &rd, &pfx);
		rib_withdraw(rib, c->sb, &rd, &pfx);
		drain();
		cr_assert_null(rib_lookup(rib, &rd, &pfx), "%s: entry left", c->what);
	}
}

Test(bgpd_rib, lowest_peer_address_breaks_the_last_tie)
{
	struct rib_source a = ib1, b = ib1;

	a.slot = 4;
	b.slot = 5;
	b.address = ib1.address - 1;
	a.paths = b.paths = NULL;
	a.n_paths = b.n_paths = 0;
	add(&a, &(struct pa){ 100, "", 0, -1 }, 1);
	add(&b, &(struct pa){ 100, "", 0, -1 }, 2);
	expect_best(&b, "lower peer address");
	rib_source_flush(rib, &a);
	rib_source_flush(rib, &b);
	drain();
}

/*
 * A source whose router id changed (a peer back from a graceful restart as
 * another router, its paths kept): selection, which compares router ids,
 * runs again, and the entry is queued for export even where the best path
 * stays the source's own (the new id goes out as ORIGINATOR_ID).
 */
Test(bgpd_rib, reselect_after_a_router_id_change)
{
	struct rib_source a = ib1, b = ib2;

	a.slot = 4;
	b.slot = 5;
	a.paths = b.paths = NULL;
	a.n_paths = b.n_paths = 0;
	add(&a, &(struct pa){ 100, "", 0, -1 }, 1);
	add(&b, &(struct pa){ 100, "", 0, -1 }, 2);
	expect_best(&a, "lower router_id");
	drain();

	a.router_id = ib2.router_id + 1; /* now higher than b's */
	rib_source_reselect(rib, &a);
	expect_best(&b, "lower router_id");
	cr_assert_eq(rib_changed_pop(rib), entry(), "a new best not queued");
	rib_entry_done(rib, entry());

	b.router_id = 1; /* b stays best, under another id: its path goes out again */
	rib_source_reselect(rib, &b);
	expect_best(&b, "lower router_id");
	cr_assert_eq(rib_changed_pop(rib), entry(), "the best path's new id not queued");
	rib_entry_done(rib, entry());

	a.router_id = 2; /* a's path is not the best after this either: nothing to send */
	rib_source_reselect(rib, &a);
	expect_best(&b, "lower router_id");
	cr_assert_null(rib_changed_pop(rib));
	rib_source_flush(rib, &a);
	rib_source_flush(rib, &b);
	drain();
}

Test(bgpd_rib, three_paths_and_peer_down)
{
	struct rib_entry *e;

	add(&ib1, &(struct pa){ 100, "65002", 0, -1 }, 201);
	add(&ib2, &(struct pa){ 300, "", 0, -1 }, 202);
	add(&eb, &(struct pa){ 0, "65001", 0, -1 }, 203);
	expect_best(&ib2, "higher local_pref");
	e = rib_changed_pop(rib);
	cr_assert_eq(e, entry());
	cr_assert_null(rib_changed_pop(rib)); /* queued once however many changes */
	rib_entry_done(rib, e);

	/* ib2's session drops: all its routes go, best moves on, entry is queued */
	cr_assert_eq(rib_source_flush(rib, &ib2), 1);
	cr_assert_eq(ib2.n_paths, 0);
	expect_best(&eb, "ebgp over ibgp");
	cr_assert_eq(entry()->best->label, 203);
	cr_assert_eq(rib_changed_pop(rib), entry());

	/* a non-best path changing does not queue the entry */
	add(&ib1, &(struct pa){ 100, "65002", 1, -1 }, 201);
	cr_assert_null(rib_changed_pop(rib));
	/* the best path's attributes changing does */
	add(&eb, &(struct pa){ 0, "65001", 1, -1 }, 203);
	cr_assert_not_null(rib_changed_pop(rib));
	/* a refresh with identical attributes does not */
	add(&eb, &(struct pa){ 0, "65001", 1, -1 }, 203);
	cr_assert_null(rib_changed_pop(rib));

	rib_source_flush(rib, &eb);
	rib_source_flush(rib, &ib1);
	e = rib_changed_pop(rib);
	cr_assert_not_null(e);
	cr_assert_null(e->best);
	rib_entry_done(rib, e);
	cr_assert_null(rib_lookup(rib, &rd, &pfx));
	cr_assert_eq(rib->n_entries, 0);
	cr_assert_eq(rib->n_paths, 0);
}

/* The next queued entry: this test's one destination, paths_only as want. */
static void expect_queued(bool paths_only)
{
	struct rib_entry *e = rib_changed_pop(rib);

	cr_assert_eq(e, entry(), "the destination was not queued");
	cr_assert_eq(e->paths_only, paths_only, "paths_only %d", e->paths_only);
	rib_entry_done(rib, e);
	cr_assert_null(rib_changed_pop(rib), "queued twice");
}

/*
 * A path added or withdrawn behind an unchanged best queues the entry all
 * the same, marked paths_only (its path count, for /events, changed; what
 * peers and vrfmgr hold did not); a change of the best in the same turn,
 * before or after, makes it a whole change again.
 */
Test(bgpd_rib, a_path_behind_the_best_queues_the_entry_for_its_count)
{
	add(&ib1, &(struct pa){ 200, "", 0, -1 }, 1);
	expect_queued(false);
	add(&ib2, &(struct pa){ 100, "", 0, -1 }, 2); /* behind ib1's */
	expect_best(&ib1, "higher local_pref");
	expect_queued(true);
	add(&ib2, &(struct pa){ 150, "", 0, -1 }, 2); /* still behind, as many paths */
	cr_assert_null(rib_changed_pop(rib));
	cr_assert_eq(rib_withdraw(rib, &ib2, &rd, &pfx), 0);
	expect_queued(true);

	add(&ib2, &(struct pa){ 100, "", 0, -1 }, 2); /* behind, then best in the same turn */
	add(&ib1, &(struct pa){ 50, "", 0, -1 }, 1);
	expect_best(&ib2, "higher local_pref");
	expect_queued(false);
	add(&ib1, &(struct pa){ 300, "", 0, -1 }, 1); /* best, then one behind */
	add(&eb, &(struct pa){ 10, "65001", 0, -1 }, 3);
	expect_best(&ib1, "higher local_pref");
	expect_queued(false);

	rib_source_flush(rib, &eb); /* behind: for the count only */
	expect_queued(true);
	rib_source_flush(rib, &ib2);
	rib_source_flush(rib, &ib1);
	expect_queued(false);
	cr_assert_eq(rib->n_entries, 0);
}

Test(bgpd_rib, withdraw_unknown_is_enoent)
{
	cr_assert_lt(rib_withdraw(rib, &ib1, &rd, &pfx), 0);
	add(&ib1, &(struct pa){ 100, "", 0, -1 }, 1);
	cr_assert_lt(rib_withdraw(rib, &ib2, &rd, &pfx), 0);
	cr_assert_eq(rib_withdraw(rib, &ib1, &rd, &pfx), 0);
	drain();
}

Test(bgpd_rib, many_peers_many_prefixes_flush)
{
	enum { N = 2000 };
	struct attr_set *s = mk(&(struct pa){ 100, "", 0, -1 });

	for (uint32_t i = 0; i < N; i++) {
		struct prefix4 p = { 0x0a000000u | i << 8, 24 };

		cr_assert_eq(rib_update(rib, &ib1, &rd, &p, s, i), 0);
		cr_assert_eq(rib_update(rib, &ib2, &rd, &p, s, i), 0);
	}
	attr_unref(s);
	cr_assert_eq(rib->n_entries, N);
	cr_assert_eq(rib->n_paths, 2 * N);
	drain();
	cr_assert_eq(rib_source_flush(rib, &ib1), N);
	cr_assert_eq(rib->n_entries, N);
	drain();
	cr_assert_eq(rib_source_flush(rib, &ib2), N);
	drain();
	cr_assert_eq(rib->n_entries, 0);
}

Test(bgpd_rib, replay_stale_and_sweep)
{
	struct prefix4 p2 = { 0xc0a86500, 25 };
	struct attr_set *s = mk(&(struct pa){ 100, "", 0, -1 });

	add(&local, &(struct pa){ 100, "", 0, -1 }, 100);
	cr_assert_eq(rib_update(rib, &local, &rd, &p2, s, 101), 0);
	rib_source_mark_stale(&local);
	cr_assert_eq(rib_update(rib, &local, &rd, &p2, s, 101), 0); /* refreshed */
	cr_assert_eq(rib_source_sweep(rib, &local), 1);
	cr_assert_eq(local.n_paths, 1);
	cr_assert_null(rib_lookup(rib, &rd, &pfx)->best);
	cr_assert_not_null(rib_lookup(rib, &rd, &p2)->best);
	attr_unref(s);
	drain();
	rib_source_flush(rib, &local);
	drain();
}

Test(bgpd_rib, adj_rib_out_bits_keep_entry)
{
	struct rib_entry *e;

	add(&local, &(struct pa){ 100, "", 0, -1 }, 100);
	e = entry();
	rib_adv_set(e, 1, true);
	rib_adv_set(e, 7, true);
	cr_assert(rib_adv_test(e, 1));
	cr_assert(!rib_adv_test(e, 2));
	drain();
	rib_source_flush(rib, &local);
	drain();
	/* no paths, but still advertised to slots 1 and 7: kept until withdrawn */
	cr_assert_eq(rib_lookup(rib, &rd, &pfx), e);
	rib_adv_set(e, 1, false);
	rib_entry_done(rib, e);
	cr_assert_not_null(rib_lookup(rib, &rd, &pfx));
	rib_adv_clear_slot(rib, 7);
	cr_assert_null(rib_lookup(rib, &rd, &pfx));
}

Test(bgpd_rib, sorted_listing)
{
	const char *rds[] = { "65000:2", "10.255.0.1:1", "65000:1" };
	struct attr_set *s = mk(&(struct pa){ 100, "", 0, -1 });
	struct rib_entry **v;
	char buf[RD_STRLEN];
	size_t n;

	for (int i = 0; i < 3; i++) {
		struct rd r;
		struct prefix4 p = { 0x0a000000u + (uint32_t)(3 - i) * 256, 24 };

		cr_assert_eq(rd_parse(rds[i], &r), 0);
		cr_assert_eq(rib_update(rib, &ib1, &r, &p, s, 1), 0);
		cr_assert_eq(rib_update(rib, &ib1, &r, &pfx, s, 1), 0);
	}
	attr_unref(s);
	v = rib_sorted(rib, &n);
	cr_assert_eq(n, 6);
	cr_assert_str_eq(rd_format(&v[0]->rd, buf), "65000:1"); /* type 0 before type 1 */
	cr_assert_lt(v[0]->prefix.addr, v[1]->prefix.addr);
	cr_assert_str_eq(rd_format(&v[5]->rd, buf), "10.255.0.1:1");
	free(v);
	drain();
	rib_source_flush(rib, &ib1);
	drain();
}

/* A path as /routes writes it, parsed back. */
static json_object *path_json(const struct rib_entry *e, const struct rib_path *p)
{
	struct evbuffer *b = evbuffer_new();
	json_object *j;
	struct jw w;

	jw_init(&w, b);
	bgpd_api_path_json(&w, e, p);
	jw_flush(&w);
	evbuffer_add(b, "", 1);
	j = json_tokener_parse((const char *)evbuffer_pullup(b, -1));
	cr_assert_not_null(j);
	evbuffer_free(b);
	return j;
}

/* best_reason is on every path of /routes: the reason on the best, null on the others. */
Test(bgpd_rib, path_json_best_reason_on_every_path)
{
	struct rib_entry *e;
	size_t n = 0;

	add(&ib1, &(struct pa){ 100, "", 0, -1 }, 200);
	add(&ib2, &(struct pa){ 200, "", 0, -1 }, 201);
	e = entry();
	for (const struct rib_path *p = e->paths; p != NULL; p = p->next, n++) {
		json_object *j = path_json(e, p), *r = NULL;

		cr_assert(json_object_object_get_ex(j, "best_reason", &r), "path %zu: best_reason", n);
		if (p == e->best)
			cr_assert_str_eq(json_object_get_string(r), "higher local_pref");
		else
			cr_assert_null(r, "a path that is not the best: null");
		json_object_put(j);
	}
	cr_assert_eq(n, 2);
}

/* ---- the changed queue against a model of what peers, vrfmgr and /events hold ---- */

enum { MODEL_N = 6 };

/* What the flush last told of a destination: its best (source, attributes, label), its count. */
struct told {
	const struct rib_source *src; /* NULL: no best */
	struct attr_set *attrs;       /* a reference of the model's own: never reused meanwhile */
	uint32_t label;
	unsigned n_paths;
};

static struct told told_now(const struct rib_entry *e)
{
	struct told t = { 0 };

	if (e == NULL)
		return t;
	for (const struct rib_path *p = e->paths; p; p = p->next)
		t.n_paths++;
	if (e->best != NULL) {
		t.src = e->best->src;
		t.attrs = e->best->attrs;
		t.label = e->best->label;
	}
	return t;
}

static struct prefix4 model_prefix(unsigned i)
{
	return (struct prefix4){ 0x0a000000u | i << 8, 24 };
}

/*
 * bgpd.c's flush: every entry popped is an event (its count); one not
 * paths_only is handed to peers and vrfmgr (its best). A paths_only entry
 * must have the best they were last told.
 */
static void model_flush(struct told *told)
{
	struct rib_entry *e;

	while ((e = rib_changed_pop(rib))) {
		struct told now = told_now(e);
		unsigned i = (e->prefix.addr >> 8) & 0xff;

		cr_assert_lt(i, MODEL_N);
		if (e->paths_only) {
			cr_assert_not_null(now.src, "paths_only without a best");
			cr_assert(now.src == told[i].src && now.attrs == told[i].attrs &&
					  now.label == told[i].label,
				  "prefix %u: paths_only, but its best changed since it was sent", i);
		} else {
			if (told[i].attrs != NULL)
				attr_unref(told[i].attrs);
			told[i].src = now.src;
			told[i].attrs = now.attrs != NULL ? attr_ref(now.attrs) : NULL;
			told[i].label = now.label;
		}
		told[i].n_paths = now.n_paths;
		rib_entry_done(rib, e);
	}
	for (unsigned i = 0; i < MODEL_N; i++) {
		struct prefix4 p = model_prefix(i);
		struct told now = told_now(rib_lookup(rib, &rd, &p));

		cr_assert(now.src == told[i].src && now.attrs == told[i].attrs &&
				  now.label == told[i].label,
			  "prefix %u: a best change was not handed on", i);
		cr_assert_eq(now.n_paths, told[i].n_paths, "prefix %u: count %u, told %u", i,
			     now.n_paths, told[i].n_paths);
	}
}

/*
 * Random updates, withdrawals, sessions down, stale marks and sweeps from
 * four sources over a few destinations, a flush every few changes: no
 * paths_only entry hides a change of its best, every change of a best or a
 * count is told, and (ASan) no entry is used after it is freed.
 */
Test(bgpd_rib, changed_queue_tells_every_change_and_paths_only_hides_none)
{
	struct rib_source *srcs[] = { &local, &ib1, &ib2, &eb };
	static const uint32_t lps[] = { 100, 100, 150, 200 };
	struct told told[MODEL_N] = { 0 };
	uint32_t seed = 12345;

	for (int op = 0; op < 20000; op++) {
		struct rib_source *src;
		struct prefix4 p;
		unsigned r;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		src = srcs[r % 4];
		p = model_prefix((r >> 2) % MODEL_N);
		switch ((r >> 6) % 16) {
		case 0 ... 7: {
			struct attr_set *s = mk(&(struct pa){ lps[(r >> 10) % 4], "", 0, -1 });

			cr_assert_eq(rib_update(rib, src, &rd, &p, s, (r >> 12) % 3), 0);
			attr_unref(s);
			break;
		}
		case 8 ... 12:
			rib_withdraw(rib, src, &rd, &p);
			break;
		case 13:
			rib_source_flush(rib, src);
			break;
		case 14:
			rib_source_mark_stale(src);
			break;
		default:
			rib_source_sweep(rib, src);
			break;
		}
		if ((r >> 14) % 4 == 0)
			model_flush(told);
	}
	model_flush(told);
	for (size_t k = 0; k < 4; k++)
		rib_source_flush(rib, srcs[k]);
	model_flush(told);
	cr_assert_eq(rib->n_entries, 0);
	for (unsigned i = 0; i < MODEL_N; i++)
		cr_assert_null(told[i].attrs, "prefix %u: told a best after all went", i);
}
