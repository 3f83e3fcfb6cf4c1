/*
 * Each VRF's core-facing view: a second LPM table that frames popped from
 * the core (a per-VRF label: pop + lookup) look up first. A core link
 * carries every VRF's traffic, so each popped frame looks up in another
 * VRF's tree, mostly from memory; the frames it carries go to the VRF's own
 * sites, and the routes toward them (no inner label: toward a CE) are a
 * fraction of the table (docs/performance.md, issue 5, session 17).
 *
 * The core table holds every local route (unlabeled result), and every
 * route lying inside a route it holds, each with its value: an answer from
 * it is the full table's, and 0 (an address no route of it covers) means
 * "look up in the full table". Why: if the core table's longest match for
 * an address is route E, a longer full-table route covering the address
 * lies inside E, so it is in the core table too and would have matched.
 *
 * Kept so (the invariant: every route inside a core entry is a core entry):
 * a remote route goes in when the core table holds or covers it; a route
 * becoming local goes in and, if it was not in already, brings in every
 * route inside it; a route becoming remote stays (it is inside nothing
 * new); a deleted route leaves. Remote routes a deleted local route brought
 * in stay: each still brings its own answer, and only routes inside it.
 *
 * Out of memory, a VRF's core table is dropped (its root answers 0: every
 * popped frame takes the full lookup) and built again from the full table at
 * the VRF's next commit. So is one changed more than a quarter of its routes'
 * count between two commits (a table loading): cheaper than keeping it.
 * A rebuild that runs out of memory too is tried again at the first commit
 * (any VRF's) or tick (fib_tick) a second later, with no change of its own
 * needed, then 2, 4, ... up to 64 s apart: a rebuild walks the whole table,
 * which an allocation failing for long must not cost at every commit. A
 * line is logged when the table is lost and when it is back.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/label.h"
#include "common/log.h"
#include "fwd/fib.h"
#include "fwd/fib_core.h"
#include "fwd/lpm.h"
#include "fwd/rcu.h"

static bool is_local(const struct fwd *f, uint32_t id)
{
	return fib_result_of(f->res, id)->inner_label == MPLS_LABEL_NONE;
}

struct core_ctx {
	const struct fwd *f;
	struct lpm *core;
	uint8_t min_plen; /* only routes longer than this */
};

/* A route inside one the core table just took: into it too. */
static int add_inside_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct core_ctx *c = ctx;

	(void)tag;
	if (plen <= c->min_plen)
		return 0;
	return lpm_add(c->core, prefix, plen, value, 0, NULL) < 0 ? -ENOMEM : 0;
}

/* Route prefix/plen of the full table now has value id. 0 or -ENOMEM. */
static int core_set(struct fwd *f, struct fwd_vrf *v, uint32_t prefix, uint8_t plen, uint32_t id)
{
	struct core_ctx c = { f, v->core, plen };
	uint32_t was;

	if (!is_local(f, id)) {
		if (lpm_count(v->core) == 0 || lpm_cover(v->core, prefix, plen) == 0)
			return 0; /* nothing of the core table at or around it */
		/* the routes inside it are inside its cover: in already */
		return lpm_add(v->core, prefix, plen, id, 0, NULL) < 0 ? -ENOMEM : 0;
	}
	if (lpm_add(v->core, prefix, plen, id, 0, &was) < 0)
		return -ENOMEM;
	if (was != 0)
		return 0; /* in already: so is every route inside it */
	return lpm_walk_within(v->lpm, prefix, plen, add_inside_cb, &c);
}

static void core_reclaim(void *p, void *ctx)
{
	(void)ctx;
	lpm_free(p);
}

/* The core table goes (its root answers 0: the full lookup), rebuilt at the next commit. */
static void core_drop(struct fwd *f, struct fwd_vrf *v)
{
	atomic_store(&f->vrf_core_roots[v->id], (uintptr_t)1); /* a leaf answering 0 */
	rcu_retire(f->rcu, core_reclaim, v->core, NULL);
	v->core = NULL;
}

/*
 * One more change of v's core table: whether, counting it, its changes since
 * the last commit are enough that rebuilding it at the commit costs less
 * than keeping it. Each kept change is a query into the VRF's core table,
 * cold when changes come VRF after VRF (a table loading); a rebuild walks
 * the full table twice and places each route with a binary search of a
 * small array. A quarter of the routes, and a few.
 */
static bool change_wants_rebuild(struct fwd_vrf *v)
{
	return ++v->core_changes > lpm_count(v->lpm) / 4 + FIB_CORE_BATCH_MIN;
}

void fib_core_set(struct fwd *f, struct fwd_vrf *v, uint32_t prefix, uint8_t plen, uint32_t id)
{
	if (v->core == NULL || (lpm_count(v->core) == 0 && !is_local(f, id)))
		return; /* none, or nothing to do: no query, so not counted either */
	if (change_wants_rebuild(v)) {
		core_drop(f, v);
		return;
	}
	if (core_set(f, v, prefix, plen, id) < 0) {
		log_warnx("vrf %u: out of memory in the core-facing table: popped frames take the "
			  "full lookup until it is rebuilt",
			  v->id);
		core_drop(f, v);
		v->core_lost = true;
	}
}

void fib_core_del(struct fwd *f, struct fwd_vrf *v, uint32_t prefix, uint8_t plen)
{
	if (v->core == NULL || lpm_count(v->core) == 0)
		return;
	if (change_wants_rebuild(v))
		core_drop(f, v);
	else
		lpm_delete(v->core, prefix, plen);
}

/* The addresses of one local route, first to last. */
struct span {
	uint32_t first, last;
};

/* A rebuild's state: the local routes' spans, then only the outermost ones, sorted. */
struct fill_ctx {
	const struct fwd *f;
	struct lpm *core;
	struct span *spans;
	size_t n, cap;
};

static uint32_t last_of(uint32_t prefix, uint8_t plen)
{
	return plen >= 32 ? prefix : prefix | (UINT32_MAX >> plen);
}

static int fill_local_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct fill_ctx *c = ctx;

	(void)tag;
	if (!is_local(c->f, value))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap != 0 ? 2 * c->cap : 64;
		struct span *s = realloc(c->spans, cap * sizeof(*s));

		if (s == NULL)
			return -ENOMEM;
		c->spans = s;
		c->cap = cap;
	}
	c->spans[c->n++] = (struct span){ prefix, last_of(prefix, plen) };
	return lpm_add(c->core, prefix, plen, value, 0, NULL) < 0 ? -ENOMEM : 0;
}

/* The outer one first where two start together: routes nest or are apart. */
static int span_order(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->last > y->last ? -1 : x->last < y->last;
}

/* Only the spans inside no other one: apart from each other, in address order. */
static void keep_outermost(struct fill_ctx *c)
{
	size_t kept = 0;

	qsort(c->spans, c->n, sizeof(*c->spans), span_order);
	for (size_t i = 0; i < c->n; i++)
		if (kept == 0 || c->spans[i].first > c->spans[kept - 1].last)
			c->spans[kept++] = c->spans[i];
	c->n = kept;
}

/* Whether prefix/plen lies inside a local route: one binary search of the outermost spans. */
static bool inside_local(const struct fill_ctx *c, uint32_t prefix, uint8_t plen)
{
	size_t lo = 0, hi = c->n; /* the last span starting at or before prefix is lo - 1 */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->spans[mid].first <= prefix)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && c->spans[lo - 1].last >= last_of(prefix, plen);
}

/*
 * With every local route in: a remote one goes in when inside one of them.
 * The spans first: most routes are outside every one, and their results are
 * not read again (a line from memory each when every route has its own label).
 */
static int fill_remote_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct fill_ctx *c = ctx;

	(void)tag;
	if (!inside_local(c, prefix, plen) || is_local(c->f, value))
		return 0;
	return lpm_add(c->core, prefix, plen, value, 0, NULL) < 0 ? -ENOMEM : 0;
}

/* The local routes, then the remote routes inside them. 0 or -ENOMEM. */
static int fill(struct fill_ctx *c, const struct lpm *full)
{
	int rc = lpm_walk(full, fill_local_cb, c);

	if (rc == 0 && c->n != 0) {
		keep_outermost(c);
		rc = lpm_walk(full, fill_remote_cb, c);
	}
	free(c->spans);
	return rc;
}

bool fib_core_due(const struct fwd *f, const struct fwd_vrf *v)
{
	return v->core == NULL && v->core_fails > 0 && f->now_ms >= v->core_retry_ms;
}

void fib_core_forget(struct fwd *f, struct fwd_vrf *v)
{
	if (v->core_fails > 0)
		f->n_core_waiting--;
	v->core_fails = 0;
}

/* A rebuild ran out of memory: v waits, twice as long as the last time. */
static void rebuild_failed(struct fwd *f, struct fwd_vrf *v)
{
	uint32_t wait = FIB_CORE_RETRY_MAX_MS;

	if (v->core_fails < 6) /* 1 s << 6: the max */
		wait = FIB_CORE_RETRY_MS << v->core_fails;
	if (v->core_fails++ == 0) {
		f->n_core_waiting++;
		log_warnx("vrf %u: out of memory rebuilding the core-facing table: popped frames take "
			  "the full lookup; tried again in %u s, then less often",
			  v->id, wait / 1000);
	}
	v->core_retry_ms = f->now_ms + wait;
}

/* The table is v's again: said when it was lost (out of memory) or a rebuild failed. */
static void rebuild_done(struct fwd *f, struct fwd_vrf *v)
{
	if (v->core_fails > 0 || v->core_lost)
		log_info("vrf %u: core-facing table back (%zu routes)%s", v->id, lpm_count(v->core),
			 v->core_fails > 0 ? ", after rebuilds out of memory" : "");
	fib_core_forget(f, v);
	v->core_lost = false;
}

int fib_core_rebuild(struct fwd *f, struct fwd_vrf *v)
{
	struct fill_ctx c = { .f = f };

	v->core_changes = 0; /* a commit: the count starts again */
	if (v->core != NULL)
		return 0;
	if (v->core_fails > 0 && f->now_ms < v->core_retry_ms)
		return -EAGAIN; /* it waits: the full lookup meanwhile */
	/* answers 0 until committed: every popped frame still takes the full lookup */
	if ((c.core = lpm_new(f->rcu, &f->vrf_core_roots[v->id])) == NULL) {
		rebuild_failed(f, v);
		return -ENOMEM;
	}
	if (fill(&c, v->lpm) != 0) {
		lpm_free(c.core); /* never committed: no reader has seen its nodes */
		atomic_store(&f->vrf_core_roots[v->id], (uintptr_t)1);
		rebuild_failed(f, v);
		return -ENOMEM;
	}
	v->core = c.core;
	rebuild_done(f, v);
	return 0;
}
