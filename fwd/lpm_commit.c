/*
 * Publishing an LPM's pending changes (lpm_commit). A chunk whose changes
 * each stay within one leaf line is committed by patching those lines in a
 * private copy of its node; anything else rebuilds the chunk from its sorted
 * route list (a sweep keeping the stack of covering routes), splitting it
 * into a directory of 256 sub-chunks past CHUNK_MAX ranges. A directory's
 * own routes reach its sub-chunks as their dflt, updated in place. Every new
 * node is published with one atomic store; the old one goes through RCU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/lpm.h"
#include "fwd/lpm_int.h"
#include "fwd/lpm_node.h"

/* Where c's node is published: the VRF root or its slot in the parent directory. */
static _Atomic uintptr_t *home_of(struct lpm *t, const struct lpm_cnode *c)
{
	if (c->parent == NULL)
		return t->root;
	return &lpm_dir_slots(c->parent->live)[slot_of(c->base, c->parent->depth)];
}

static void publish(struct lpm *t, struct lpm_cnode *c, uintptr_t x)
{
	atomic_store_explicit(home_of(t, c), x, memory_order_release);
}

/* Cut points being collected: a later cut at the same point wins, equal neighbours merge. */
struct cuts {
	uint32_t *keys, *vals, n;
};

static inline void emit(struct cuts *c, uint32_t key, uint32_t value)
{
	uint32_t n = c->n;

	if (n > 0 && c->keys[n - 1] == key)
		n--;
	if (n > 0 && c->vals[n - 1] == value) {
		c->n = n;
		return;
	}
	c->keys[n] = key;
	c->vals[n] = value;
	c->n = n + 1;
}

/*
 * Cuts chunk c's region into ranges from its sorted routes: a sweep keeping
 * the stack of routes that cover the current point (prefixes nest or are
 * disjoint, so the list order visits them depth-first). 0 marks "none".
 */
static uint32_t cut_ranges(const struct lpm_cnode *c, uint32_t *keys, uint32_t *vals)
{
	struct {
		uint64_t end;
		uint32_t value;
	} st[34];
	uint64_t region_end = (uint64_t)c->base + (1ull << (32 - c->depth)) - 1;
	struct cuts out = { keys, vals, 0 };
	int sp = 0;

	st[0].end = region_end;
	st[0].value = 0;
	emit(&out, c->base, 0);
	for (uint32_t i = 0; i < c->n; i++) {
		const struct lpm_route *r = &c->r[i];

		if (r->value == 0)
			continue; /* deleted */
		while (st[sp].end < r->prefix) {
			sp--;
			emit(&out, (uint32_t)(st[sp + 1].end + 1), st[sp].value);
		}
		emit(&out, r->prefix, r->value);
		sp++;
		st[sp].end = (uint64_t)r->prefix + (1ull << (32 - r->plen)) - 1;
		st[sp].value = r->value;
	}
	for (; sp > 0; sp--)
		if (st[sp].end < region_end)
			emit(&out, (uint32_t)(st[sp].end + 1), st[sp - 1].value);
	return out.n;
}

static int commit_node(struct lpm *t, struct lpm_cnode *c);

/* emit() into a buffer of max + 1 entries: false, writing nothing, once it is full. */
static bool emit_bounded(struct cuts *out, uint32_t max, uint32_t key, uint32_t value)
{
	if (out->n > max)
		return false;
	emit(out, key, value);
	return true;
}

/*
 * The ranges of [s, e] (the span of prefix/plen) as the list says now: the
 * cover's value, overlaid by prefix/plen itself and the routes nested in it,
 * which follow it in list order. At most max cuts, else false.
 */
static bool cut_span(const struct lpm_cnode *c, uint32_t s, uint8_t plen, struct cuts *out,
		     uint32_t max)
{
	struct {
		uint64_t end;
		uint32_t value;
	} st[34];
	uint64_t e = (uint64_t)s + (1ull << (32 - plen)) - 1;
	bool found;
	int sp = 0;

	st[0].end = e;
	st[0].value = lpm_list_cover(c, s, plen - 1); /* the best route shorter than plen */
	emit(out, s, st[0].value);
	for (uint32_t i = lpm_list_find(c, s, plen, &found); i < c->n && c->r[i].prefix <= e; i++) {
		const struct lpm_route *r = &c->r[i];

		if (r->value == 0)
			continue; /* deleted */
		while (st[sp].end < r->prefix) {
			sp--;
			if (!emit_bounded(out, max, (uint32_t)(st[sp + 1].end + 1), st[sp].value))
				return false;
		}
		if (!emit_bounded(out, max, r->prefix, r->value))
			return false;
		sp++;
		st[sp].end = (uint64_t)r->prefix + (1ull << (32 - r->plen)) - 1;
		st[sp].value = r->value;
	}
	for (; sp > 0; sp--)
		if (st[sp].end < e &&
		    !emit_bounded(out, max, (uint32_t)(st[sp].end + 1), st[sp - 1].value))
			return false;
	return out->n <= max;
}

/* Appends a range to a leaf being rewritten, merged with an equal predecessor. */
static bool leaf_add(struct lpm_leaf_view *v, uint32_t start, uint32_t val)
{
	if (v->n > 0 && v->val[v->n - 1] == val)
		return true;
	if (v->n == 8)
		return false;
	v->start[v->n] = start;
	v->val[v->n++] = val;
	return true;
}

/*
 * Rewrites, in copy x, the one leaf line the span [s, e] of prefix/plen lies
 * in: its ranges before s, the span as the list says now, its ranges after e
 * (whose values this change cannot touch). false when the span crosses
 * leaves or the leaf would overflow: the chunk is rebuilt instead.
 */
static bool patch_leaf(const struct lpm_cnode *c, uintptr_t x, uint32_t prefix, uint8_t plen)
{
	uint64_t e = (uint64_t)prefix + (1ull << (32 - plen)) - 1;
	uint32_t skeys[9], svals[9], after = 0;
	struct cuts sub = { skeys, svals, 0 };
	struct lpm_leaf_view v, nv;
	bool ok = true;

	lpm_rnode_leaf(x, prefix, &v);
	if (e > v.hi || !cut_span(c, prefix, plen, &sub, 8))
		return false;
	nv = v;
	nv.n = 0;
	for (uint32_t j = 0; j < v.n && v.start[j] < prefix; j++)
		leaf_add(&nv, v.start[j], v.val[j]);
	for (uint32_t j = 0; j < sub.n && ok; j++)
		ok = leaf_add(&nv, skeys[j], svals[j]);
	if (e < v.hi) {
		for (uint32_t j = 0; j < v.n && v.start[j] <= e + 1; j++)
			after = v.val[j];
		ok = ok && leaf_add(&nv, (uint32_t)(e + 1), after);
		for (uint32_t j = 0; j < v.n && ok; j++)
			if (v.start[j] > e + 1)
				ok = leaf_add(&nv, v.start[j], v.val[j]);
	}
	if (!ok || nv.start[0] != v.lo)
		return false;
	lpm_rnode_leaf_store(x, &nv, v.n);
	return true;
}

/* Commits chunk c by patching a copy of its node leaf by leaf; false: rebuild instead. */
static bool commit_patch(struct lpm *t, struct lpm_cnode *c)
{
	uintptr_t x;

	if (c->rebuild || c->live == 0 || c->n == c->n_dead || (x = lpm_rnode_copy(c->live)) == 0)
		return false;
	for (unsigned i = 0; i < c->n_pend; i++) {
		if (!patch_leaf(c, x, c->pend_prefix[i], c->pend_plen[i])) {
			lpm_node_free(x);
			return false;
		}
	}
	t->bytes += lpm_node_size(x);
	publish(t, c, x);
	lpm_retire(t, c->live);
	c->live = x;
	return true;
}

/* An empty node goes away: its region answers with its dflt again. */
static void cnode_remove(struct lpm *t, struct lpm_cnode *c)
{
	publish(t, c, LPM_LEAF(c->dflt));
	lpm_retire(t, c->live);
	if (c->parent != NULL) {
		c->parent->child[slot_of(c->base, c->parent->depth)] = NULL;
		lpm_mark_dirty(t, c->parent); /* it may be empty now too */
	} else {
		t->croot = NULL;
	}
	if (c->child != NULL)
		t->bytes -= 256 * sizeof(*c->child);
	t->bytes -= sizeof(*c) + c->cap * sizeof(*c->r);
	free(c->child);
	free(c->r);
	free(c);
}

/* The answer of each of dir c's slots from its own routes (shortest first) over dflt. */
static void dir_paint(const struct lpm_cnode *c, uint32_t eff[256])
{
	for (int s = 0; s < 256; s++)
		eff[s] = c->dflt;
	for (int l = c->depth; l < c->depth + STRIDE; l++) {
		for (uint32_t i = 0; i < c->n; i++) {
			const struct lpm_route *r = &c->r[i];
			unsigned first = slot_of(r->prefix, c->depth);
			unsigned span = 1u << (c->depth + STRIDE - l);

			if (r->plen != l || r->value == 0)
				continue;
			for (unsigned s = first; s < first + span; s++)
				eff[s] = r->value;
		}
	}
}

static void set_dflt(struct lpm *t, struct lpm_cnode *c, uint32_t dflt);

/* Pushes dir c's answers down: leaf slots, sub-chunk dflts, unbuilt children. */
static void dir_refresh(struct lpm *t, struct lpm_cnode *c)
{
	_Atomic uintptr_t *slot = lpm_dir_slots(c->live);
	uint32_t eff[256];

	dir_paint(c, eff);
	for (int s = 0; s < 256; s++) {
		struct lpm_cnode *ch = c->child[s];

		if (ch != NULL)
			set_dflt(t, ch, eff[s]);
		if (ch == NULL || ch->live == 0)
			atomic_store_explicit(&slot[s], LPM_LEAF(eff[s]), memory_order_release);
	}
}

static void set_dflt(struct lpm *t, struct lpm_cnode *c, uint32_t dflt)
{
	if (c->dflt == dflt)
		return;
	c->dflt = dflt;
	if (c->live == 0)
		return;
	if (c->kind == CN_RANGE)
		lpm_rnode_set_dflt(c->live, dflt);
	else
		dir_refresh(t, c);
}

/* Chunk c holds too many ranges: it becomes a directory of 256 sub-chunks. */
static int split(struct lpm *t, struct lpm_cnode *c)
{
	uint8_t d = (uint8_t)(c->depth + STRIDE);
	struct lpm_cnode **child = calloc(256, sizeof(*child));
	uintptr_t dir = lpm_dir_new(c->depth);
	uint32_t own = 0;
	uintptr_t old = c->live;
	int rc = 0;

	if (child == NULL || dir == 0) {
		free(child);
		lpm_node_free(dir);
		return -ENOMEM;
	}
	t->bytes += 256 * sizeof(*child) + lpm_node_size(dir);
	for (uint32_t i = 0; i < c->n; i++) {
		struct lpm_route *r = &c->r[i];
		unsigned s = slot_of(r->prefix, c->depth);

		if (r->value == 0)
			continue; /* deleted: dropped here */
		if (r->plen < d) {
			c->r[own++] = *r;
			continue;
		}
		if (child[s] == NULL &&
		    (child[s] = lpm_cnode_new(t, c, d, r->prefix & mask_of(d), 0, false)) == NULL)
			rc = -ENOMEM;
		else if (lpm_list_insert(t, child[s], child[s]->n, r) < 0)
			rc = -ENOMEM;
	}
	/* on ENOMEM some routes are lost from the control view: logged by the caller */
	c->n = own;
	c->n_dead = 0;
	lpm_list_plens(c);
	c->kind = CN_DIR;
	c->child = child;
	c->live = dir;
	dir_refresh(t, c);
	for (int s = 0; s < 256; s++)
		if (child[s] != NULL && commit_node(t, child[s]) < 0)
			rc = -ENOMEM;
	publish(t, c, dir);
	lpm_retire(t, old);
	return rc;
}

static int commit_range(struct lpm *t, struct lpm_cnode *c)
{
	uint32_t *keys, *vals, n;
	uintptr_t r, old = c->live;

	if (c->n == c->n_dead) {
		cnode_remove(t, c);
		return 0;
	}
	if (commit_patch(t, c)) {
		c->n_pend = 0;
		return 0;
	}
	keys = malloc((2 * (size_t)c->n + 2) * sizeof(*keys));
	vals = malloc((2 * (size_t)c->n + 2) * sizeof(*vals));
	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	n = cut_ranges(c, keys, vals);
	if ((n > CHUNK_MAX || c->n - c->n_dead > CHUNK_MAX_ROUTES) && c->depth < 24) {
		free(keys);
		free(vals);
		return split(t, c);
	}
	r = lpm_rnode_build(keys, vals, n, c->dflt);
	free(keys);
	free(vals);
	if (r == 0)
		return -ENOMEM;
	c->live = r;
	c->n_pend = 0;
	c->rebuild = false;
	t->bytes += lpm_node_size(r);
	publish(t, c, r);
	lpm_retire(t, old);
	return 0;
}

static int commit_dir(struct lpm *t, struct lpm_cnode *c)
{
	if (c->n == c->n_dead) {
		bool empty = true;

		for (int s = 0; s < 256 && empty; s++)
			empty = c->child[s] == NULL;
		if (empty) {
			cnode_remove(t, c);
			return 0;
		}
	}
	dir_refresh(t, c);
	return 0;
}

static int commit_node(struct lpm *t, struct lpm_cnode *c)
{
	return c->kind == CN_DIR ? commit_dir(t, c) : commit_range(t, c);
}

int lpm_commit(struct lpm *t)
{
	struct lpm_cnode *c, *failed = NULL;
	int rc = 0;

	/*
	 * Deleted routes stay (everything below skips them) until they are half
	 * a list: squeezing every dirty list at every commit was 21% of a
	 * withdraw over 1,000 VRFs.
	 */
	for (c = t->dirty; c != NULL; c = c->next_dirty)
		if (c->n_dead > c->n / 2)
			lpm_list_compact(t, c);
	while ((c = t->dirty) != NULL) {
		t->dirty = c->next_dirty;
		c->next_dirty = NULL;
		c->dirty = false;
		if (commit_node(t, c) < 0) {
			rc = -ENOMEM;
			c->dirty = true;
			c->next_dirty = failed;
			failed = c;
		}
	}
	t->dirty = failed;
	return rc;
}
