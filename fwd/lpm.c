/*
 * Per-VRF IPv4 LPM, control side. The design goal: a million routes over a
 * thousand VRFs in tens of bytes per route, a lookup in a handful of cache
 * lines, and updates published to lock-free readers.
 *
 * A VRF's address space is one chunk, cut into ranges of equal answer (like
 * DXR): a range node (lpm_node.c) is a static search tree of 64-byte lines
 * over the cut points, about 8 bytes per range and two ranges per route,
 * whatever the prefixes' spread; a thousand routes take three lines a lookup.
 * A chunk that grows past CHUNK_MAX ranges splits into a directory of 256
 * sub-chunks on the next 8 address bits (at most /0, /8, /16 directories
 * above /24 chunks), so a rebuild never copies more than one chunk.
 *
 * Every chunk and directory has a control node (struct lpm_cnode) with its
 * own routes sorted by (prefix, plen): a chunk at depth d holds the routes of
 * its region with plen >= d, a directory the ones between its depth and
 * depth + 8 (they cover several sub-chunks). Changes edit those lists at once
 * and mark the node dirty; lpm_commit rebuilds each dirty chunk aside,
 * publishes it with one atomic store and retires the old one through RCU. A
 * directory's own routes reach its sub-chunks as their dflt (the answer for
 * addresses no route of the chunk covers), changed in place: adding a /8 over
 * a thousand sub-chunks rewrites a thousand words, it rebuilds nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/lpm.h"
#include "fwd/lpm_node.h"
#include "fwd/rcu.h"

#define STRIDE 8
enum { CN_RANGE = 1, CN_DIR };
/* Ranges in one chunk before it splits: bounds what one rebuild copies (64 KB). */
#define CHUNK_MAX 8192

struct lpm_route {
	uint32_t prefix;
	uint32_t value;
	uint16_t tag;
	uint8_t plen;
	uint8_t pad;
};

#define PEND_MAX 4 /* changed prefixes remembered for an incremental commit */

struct lpm_cnode {
	uint8_t kind;  /* CN_RANGE or CN_DIR */
	uint8_t depth; /* the region is base/depth */
	bool dirty;
	bool rebuild;  /* the next commit rebuilds the chunk (pend[] is not enough) */
	uint8_t n_pend;
	uint8_t pend_plen[PEND_MAX];
	uint32_t pend_prefix[PEND_MAX];
	uint32_t base;
	uint32_t dflt; /* best route of the ancestors covering the region; 0 = none */
	struct lpm_route *r;
	uint32_t n, cap;
	struct lpm_cnode *parent;
	struct lpm_cnode **child; /* dir: [256] */
	uintptr_t live;           /* the published node, 0 while there is none */
	struct lpm_cnode *next_dirty;
};

struct lpm {
	_Atomic uintptr_t own_root;
	_Atomic uintptr_t *root; /* &own_root, or the caller's word */
	struct lpm_cnode *croot; /* NULL while empty */
	struct lpm_cnode *dirty;
	size_t count;
	size_t bytes;
	struct rcu *rcu;
};

static uint32_t mask_of(unsigned plen)
{
	return plen == 0 ? 0 : 0xFFFFFFFFu << (32 - plen);
}

static unsigned slot_of(uint32_t addr, unsigned depth)
{
	return (addr >> (24 - depth)) & 255;
}

struct lpm *lpm_new(struct rcu *rcu, _Atomic uintptr_t *root)
{
	struct lpm *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->root = root != NULL ? root : &t->own_root;
	atomic_store(t->root, LPM_LEAF(0));
	t->rcu = rcu;
	t->bytes = sizeof(*t);
	return t;
}

static void cnode_free_all(struct lpm_cnode *c)
{
	if (c == NULL)
		return;
	if (c->child != NULL)
		for (int i = 0; i < 256; i++)
			cnode_free_all(c->child[i]);
	free(c->child);
	free(c->r);
	lpm_node_free(c->live);
	free(c);
}

void lpm_free(struct lpm *t)
{
	if (t == NULL)
		return;
	cnode_free_all(t->croot);
	free(t);
}

static void free_node(void *p, void *ctx)
{
	(void)ctx;
	lpm_node_free((uintptr_t)p);
}

static void retire(struct lpm *t, uintptr_t x)
{
	if (x == 0 || LPM_IS_LEAF(x))
		return;
	t->bytes -= lpm_node_size(x);
	if (t->rcu != NULL)
		rcu_retire(t->rcu, free_node, (void *)x, NULL);
	else
		lpm_node_free(x);
}

static void mark_dirty(struct lpm *t, struct lpm_cnode *c)
{
	c->rebuild = true;
	if (c->dirty)
		return;
	c->dirty = true;
	c->next_dirty = t->dirty;
	t->dirty = c;
}

/* A route of chunk c changed: remembered, so the commit may patch instead of rebuild. */
static void note_change(struct lpm *t, struct lpm_cnode *c, uint32_t prefix, uint8_t plen)
{
	if (c->n_pend == PEND_MAX) {
		mark_dirty(t, c);
		return;
	}
	c->pend_prefix[c->n_pend] = prefix;
	c->pend_plen[c->n_pend++] = plen;
	if (!c->dirty) {
		c->dirty = true;
		c->next_dirty = t->dirty;
		t->dirty = c;
	}
}

/* A new chunk; dirty unless the caller builds it right away (split). */
static struct lpm_cnode *cnode_new(struct lpm *t, struct lpm_cnode *parent, uint8_t depth,
				   uint32_t base, uint32_t dflt, bool dirty)
{
	struct lpm_cnode *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->kind = CN_RANGE;
	c->depth = depth;
	c->base = base;
	c->dflt = dflt;
	c->parent = parent;
	t->bytes += sizeof(*c);
	if (dirty)
		mark_dirty(t, c);
	return c;
}

static int route_cmp(uint32_t prefix, uint8_t plen, const struct lpm_route *r)
{
	if (prefix != r->prefix)
		return prefix < r->prefix ? -1 : 1;
	return plen < r->plen ? -1 : plen > r->plen;
}

/* Index of prefix/plen in c's list, or where it would go (*found false). */
static uint32_t list_find(const struct lpm_cnode *c, uint32_t prefix, uint8_t plen, bool *found)
{
	uint32_t lo = 0, hi = c->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp = route_cmp(prefix, plen, &c->r[mid]);

		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

static int list_insert(struct lpm *t, struct lpm_cnode *c, uint32_t at,
		       const struct lpm_route *r)
{
	if (c->n == c->cap) {
		uint32_t cap = c->cap + c->cap / 4 + 4;
		struct lpm_route *v = realloc(c->r, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		t->bytes += (cap - c->cap) * sizeof(*v);
		c->r = v;
		c->cap = cap;
	}
	memmove(&c->r[at + 1], &c->r[at], (c->n - at) * sizeof(*c->r));
	c->r[at] = *r;
	c->n++;
	return 0;
}

static void list_remove(struct lpm *t, struct lpm_cnode *c, uint32_t at)
{
	memmove(&c->r[at], &c->r[at + 1], (c->n - at - 1) * sizeof(*c->r));
	c->n--;
	if (c->cap > 16 && c->n < c->cap / 2) {
		uint32_t cap = c->n + c->n / 4 + 4;
		struct lpm_route *v = realloc(c->r, cap * sizeof(*v));

		if (v != NULL) {
			t->bytes -= (c->cap - cap) * sizeof(*v);
			c->r = v;
			c->cap = cap;
		}
	}
}

/* The best route of dir c's own list covering slot idx, else c's dflt. */
static uint32_t dir_cover(const struct lpm_cnode *c, unsigned idx)
{
	uint32_t addr = c->base | (uint32_t)idx << (24 - c->depth);

	for (int l = c->depth + STRIDE - 1; l >= c->depth; l--) {
		bool found;
		uint32_t at = list_find(c, addr & mask_of((unsigned)l), (uint8_t)l, &found);

		if (found)
			return c->r[at].value;
	}
	return c->dflt;
}

/* The control node a route belongs in; created on the way when create is set. */
static struct lpm_cnode *cnode_for(struct lpm *t, uint32_t prefix, uint8_t plen, bool create)
{
	struct lpm_cnode *c = t->croot;

	if (c == NULL) {
		if (!create || (c = cnode_new(t, NULL, 0, 0, 0, true)) == NULL)
			return NULL;
		t->croot = c;
	}
	while (c->kind == CN_DIR && plen >= c->depth + STRIDE) {
		unsigned idx = slot_of(prefix, c->depth);
		struct lpm_cnode *ch = c->child[idx];

		if (ch == NULL) {
			uint8_t d = (uint8_t)(c->depth + STRIDE);

			if (!create || (ch = cnode_new(t, c, d, prefix & mask_of(d),
						       dir_cover(c, idx), true)) == NULL)
				return NULL;
			c->child[idx] = ch;
		}
		c = ch;
	}
	return c;
}

int lpm_add(struct lpm *t, uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag,
	    uint32_t *old)
{
	struct lpm_cnode *c;
	struct lpm_route r;
	uint32_t at;
	bool found;

	if (old != NULL)
		*old = 0;
	if (plen > 32 || value == 0)
		return -EINVAL;
	prefix &= mask_of(plen);
	if ((c = cnode_for(t, prefix, plen, true)) == NULL)
		return -ENOMEM; /* an empty node left behind goes at the next commit */
	at = list_find(c, prefix, plen, &found);
	if (found) {
		if (old != NULL)
			*old = c->r[at].value;
		c->r[at].tag = tag;
		if (c->r[at].value != value) {
			c->r[at].value = value;
			note_change(t, c, prefix, plen);
		}
		return 0;
	}
	r = (struct lpm_route){ .prefix = prefix, .value = value, .tag = tag, .plen = plen };
	if (list_insert(t, c, at, &r) < 0)
		return -ENOMEM;
	t->count++;
	note_change(t, c, prefix, plen);
	return 0;
}

uint32_t lpm_delete(struct lpm *t, uint32_t prefix, uint8_t plen)
{
	struct lpm_cnode *c;
	uint32_t at, value;
	bool found;

	if (plen > 32)
		return 0;
	prefix &= mask_of(plen);
	if ((c = cnode_for(t, prefix, plen, false)) == NULL)
		return 0;
	at = list_find(c, prefix, plen, &found);
	if (!found)
		return 0;
	value = c->r[at].value;
	list_remove(t, c, at);
	t->count--;
	note_change(t, c, prefix, plen);
	return value;
}

uint32_t lpm_get(const struct lpm *t, uint32_t prefix, uint8_t plen, uint16_t *tag)
{
	struct lpm_cnode *c;
	uint32_t at;
	bool found;

	if (plen > 32)
		return 0;
	prefix &= mask_of(plen);
	if ((c = cnode_for((struct lpm *)t, prefix, plen, false)) == NULL)
		return 0;
	at = list_find(c, prefix, plen, &found);
	if (!found)
		return 0;
	if (tag != NULL)
		*tag = c->r[at].tag;
	return c->r[at].value;
}

size_t lpm_count(const struct lpm *t)
{
	return t->count;
}

bool lpm_dirty(const struct lpm *t)
{
	return t->dirty != NULL;
}

/* ---- commit: rebuilding chunks, refreshing directories ---- */

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

/* The best route of chunk c's list shorter than plen that covers prefix, or 0. */
static uint32_t chunk_cover(const struct lpm_cnode *c, uint32_t prefix, uint8_t plen)
{
	for (int l = plen - 1; l >= c->depth; l--) {
		bool found;
		uint32_t at = list_find(c, prefix & mask_of((unsigned)l), (uint8_t)l, &found);

		if (found)
			return c->r[at].value;
	}
	return 0;
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
	st[0].value = chunk_cover(c, s, plen);
	emit(out, s, st[0].value);
	for (uint32_t i = list_find(c, s, plen, &found); i < c->n && c->r[i].prefix <= e; i++) {
		const struct lpm_route *r = &c->r[i];

		while (st[sp].end < r->prefix) {
			sp--;
			emit(out, (uint32_t)(st[sp + 1].end + 1), st[sp].value);
		}
		if (out->n >= max)
			return false;
		emit(out, r->prefix, r->value);
		sp++;
		st[sp].end = (uint64_t)r->prefix + (1ull << (32 - r->plen)) - 1;
		st[sp].value = r->value;
	}
	for (; sp > 0; sp--)
		if (st[sp].end < e)
			emit(out, (uint32_t)(st[sp].end + 1), st[sp - 1].value);
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

	if (c->rebuild || c->live == 0 || c->n == 0 || (x = lpm_rnode_copy(c->live)) == 0)
		return false;
	for (unsigned i = 0; i < c->n_pend; i++) {
		if (!patch_leaf(c, x, c->pend_prefix[i], c->pend_plen[i])) {
			lpm_node_free(x);
			return false;
		}
	}
	t->bytes += lpm_node_size(x);
	publish(t, c, x);
	retire(t, c->live);
	c->live = x;
	return true;
}

/* An empty node goes away: its region answers with its dflt again. */
static void cnode_remove(struct lpm *t, struct lpm_cnode *c)
{
	publish(t, c, LPM_LEAF(c->dflt));
	retire(t, c->live);
	if (c->parent != NULL) {
		c->parent->child[slot_of(c->base, c->parent->depth)] = NULL;
		mark_dirty(t, c->parent); /* it may be empty now too */
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

			if (r->plen != l)
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

		if (r->plen < d) {
			c->r[own++] = *r;
			continue;
		}
		if (child[s] == NULL &&
		    (child[s] = cnode_new(t, c, d, r->prefix & mask_of(d), 0, false)) == NULL)
			rc = -ENOMEM;
		else if (list_insert(t, child[s], child[s]->n, r) < 0)
			rc = -ENOMEM;
	}
	/* on ENOMEM some routes are lost from the control view: logged by the caller */
	c->n = own;
	c->kind = CN_DIR;
	c->child = child;
	c->live = dir;
	dir_refresh(t, c);
	for (int s = 0; s < 256; s++)
		if (child[s] != NULL && commit_node(t, child[s]) < 0)
			rc = -ENOMEM;
	publish(t, c, dir);
	retire(t, old);
	return rc;
}

static int commit_range(struct lpm *t, struct lpm_cnode *c)
{
	uint32_t *keys, *vals, n;
	uintptr_t r, old = c->live;

	if (c->n == 0) {
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
	if (n > CHUNK_MAX && c->depth < 24) {
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
	retire(t, old);
	return 0;
}

static int commit_dir(struct lpm *t, struct lpm_cnode *c)
{
	if (c->n == 0) {
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

/* ---- lookups ---- */

uint32_t lpm_lookup(const struct lpm *t, uint32_t addr)
{
	return lpm_node_lookup(atomic_load_explicit(t->root, memory_order_acquire), addr);
}

uintptr_t lpm_root_word(const struct lpm *t)
{
	return atomic_load_explicit(t->root, memory_order_acquire);
}

void lpm_lookup_roots(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n)
{
	lpm_node_batch(roots, addr, out, n);
}

void lpm_lookup_batch(const struct lpm *const *t, const uint32_t *addr, uint32_t *out,
		      unsigned n)
{
	uintptr_t roots[256];

	for (unsigned i = 0; i < n; i += 256) {
		unsigned k = n - i < 256 ? n - i : 256;

		for (unsigned j = 0; j < k; j++)
			roots[j] = t[i + j] != NULL ? lpm_root_word(t[i + j]) : LPM_LEAF(0);
		lpm_node_batch(roots, addr + i, out + i, k);
	}
}

/* ---- walking ---- */

static int cnode_walk(const struct lpm_cnode *c, lpm_walk_cb cb, void *ctx)
{
	int rc;

	for (uint32_t i = 0; i < c->n; i++)
		if ((rc = cb(c->r[i].prefix, c->r[i].plen, c->r[i].value, c->r[i].tag, ctx)) != 0)
			return rc;
	if (c->child != NULL)
		for (int s = 0; s < 256; s++)
			if (c->child[s] != NULL && (rc = cnode_walk(c->child[s], cb, ctx)) != 0)
				return rc;
	return 0;
}

int lpm_walk(const struct lpm *t, lpm_walk_cb cb, void *ctx)
{
	return t->croot != NULL ? cnode_walk(t->croot, cb, ctx) : 0;
}

size_t lpm_memory(const struct lpm *t)
{
	return t->bytes;
}
