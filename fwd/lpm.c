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
 * and mark the node dirty; lpm_commit (lpm_commit.c) rebuilds each dirty chunk aside,
 * publishes it with one atomic store and retires the old one through RCU. A
 * directory's own routes reach its sub-chunks as their dflt (the answer for
 * addresses no route of the chunk covers), changed in place: adding a /8 over
 * a thousand sub-chunks rewrites a thousand words, it rebuilds nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/lpm.h"
#include "fwd/lpm_int.h"
#include "fwd/lpm_node.h"
#include "fwd/rcu.h"

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

void lpm_retire(struct lpm *t, uintptr_t x)
{
	if (x == 0 || LPM_IS_LEAF(x))
		return;
	t->bytes -= lpm_node_size(x);
	if (t->rcu != NULL)
		rcu_retire(t->rcu, free_node, (void *)x, NULL);
	else
		lpm_node_free(x);
}

void lpm_mark_dirty(struct lpm *t, struct lpm_cnode *c)
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
		lpm_mark_dirty(t, c);
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
struct lpm_cnode *lpm_cnode_new(struct lpm *t, struct lpm_cnode *parent, uint8_t depth,
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
		lpm_mark_dirty(t, c);
	return c;
}

static int route_cmp(uint32_t prefix, uint8_t plen, const struct lpm_route *r)
{
	if (prefix != r->prefix)
		return prefix < r->prefix ? -1 : 1;
	return plen < r->plen ? -1 : plen > r->plen;
}

/* Index of prefix/plen in c's list, or where it would go (*found false). */
uint32_t lpm_list_find(const struct lpm_cnode *c, uint32_t prefix, uint8_t plen, bool *found)
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

int lpm_list_insert(struct lpm *t, struct lpm_cnode *c, uint32_t at, const struct lpm_route *r)
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
	c->plens |= 1ull << r->plen;
	return 0;
}

void lpm_list_plens(struct lpm_cnode *c)
{
	c->plens = 0;
	for (uint32_t i = 0; i < c->n; i++)
		c->plens |= 1ull << c->r[i].plen;
}

/* Squeezes out c's deleted routes (lpm_commit, before it reads the list). */
void lpm_list_compact(struct lpm *t, struct lpm_cnode *c)
{
	uint32_t i, j = 0;

	if (c->n_dead == 0)
		return;
	for (i = 0; i < c->n; i++)
		if (c->r[i].value != 0)
			c->r[j++] = c->r[i];
	c->n = j;
	c->n_dead = 0;
	lpm_list_plens(c);
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

/* The highest length in [0, l] c's list may hold, or -1. */
static int plen_at_most(const struct lpm_cnode *c, int l)
{
	uint64_t m = c->plens & (l >= 63 ? ~0ull : (2ull << l) - 1);

	return m == 0 ? -1 : 63 - __builtin_clzll(m);
}

/*
 * The longest live route of c's own list covering prefix with a length up
 * to hi (-1: none), or 0. Not a search per length: the list is sorted by (prefix,
 * plen), so the covers of prefix/l sort by length, the last one at or
 * before (prefix/l, l) is the longest, and a route E there that is not a
 * cover lies inside every cover sorting before it: those are no longer than
 * the bits E and prefix share. So each search finds the answer or shortens
 * the lengths left to try.
 */
uint32_t lpm_list_cover(const struct lpm_cnode *c, uint32_t prefix, int hi)
{
	int l = hi >= 0 ? plen_at_most(c, hi) : -1;

	while (l >= 0) {
		uint32_t key = prefix & mask_of((unsigned)l), j, diff;
		bool found;
		const struct lpm_route *e;

		j = lpm_list_find(c, key, (uint8_t)l, &found) + found; /* entries <= (key, l) */
		while (j > 0 && c->r[j - 1].value == 0) /* deleted, not yet squeezed out */
			j--;
		if (j == 0)
			return 0;
		e = &c->r[j - 1];
		if (e->plen <= l && (prefix & mask_of(e->plen)) == e->prefix)
			return e->value;
		diff = e->prefix ^ prefix; /* not 0: e sorts before key without covering it */
		l = plen_at_most(c, __builtin_clz(diff));
	}
	return 0;
}

/* The best route of dir c's own list covering slot idx, else c's dflt. */
static uint32_t dir_cover(const struct lpm_cnode *c, unsigned idx)
{
	uint32_t v = lpm_list_cover(c, c->base | (uint32_t)idx << (24 - c->depth),
				    c->depth + STRIDE - 1);

	return v != 0 ? v : c->dflt;
}

/* The control node a route belongs in; created on the way when create is set. */
static struct lpm_cnode *cnode_for(struct lpm *t, uint32_t prefix, uint8_t plen, bool create)
{
	struct lpm_cnode *c = t->croot;

	if (c == NULL) {
		if (!create || (c = lpm_cnode_new(t, NULL, 0, 0, 0, true)) == NULL)
			return NULL;
		t->croot = c;
	}
	while (c->kind == CN_DIR && plen >= c->depth + STRIDE) {
		unsigned idx = slot_of(prefix, c->depth);
		struct lpm_cnode *ch = c->child[idx];

		if (ch == NULL) {
			uint8_t d = (uint8_t)(c->depth + STRIDE);

			if (!create || (ch = lpm_cnode_new(t, c, d, prefix & mask_of(d),
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
	at = lpm_list_find(c, prefix, plen, &found);
	if (found && c->r[at].value == 0) { /* deleted since the last commit: back */
		c->n_dead--;
		t->count++;
	}
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
	if (lpm_list_insert(t, c, at, &r) < 0)
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
	at = lpm_list_find(c, prefix, plen, &found);
	if (!found || c->r[at].value == 0)
		return 0;
	value = c->r[at].value;
	c->r[at].value = 0;
	c->n_dead++;
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
	at = lpm_list_find(c, prefix, plen, &found);
	if (!found || c->r[at].value == 0)
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
		if (c->r[i].value != 0 && (rc = cb(c->r[i].prefix, c->r[i].plen, c->r[i].value, c->r[i].tag, ctx)) != 0)
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

/* c's routes of length >= plen in [prefix, end]: one run of its sorted list. */
static int list_walk_within(const struct lpm_cnode *c, uint32_t prefix, uint8_t plen,
			    uint32_t end, lpm_walk_cb cb, void *ctx)
{
	bool found;
	int rc;

	for (uint32_t i = lpm_list_find(c, prefix, 0, &found); i < c->n && c->r[i].prefix <= end;
	     i++) {
		const struct lpm_route *r = &c->r[i];

		if (r->value != 0 && r->plen >= plen &&
		    (rc = cb(r->prefix, r->plen, r->value, r->tag, ctx)) != 0)
			return rc;
	}
	return 0;
}

int lpm_walk_within(const struct lpm *t, uint32_t prefix, uint8_t plen, lpm_walk_cb cb,
		    void *ctx)
{
	const struct lpm_cnode *c;
	uint32_t end;
	int rc;

	if (plen > 32)
		return 0;
	prefix &= mask_of(plen);
	end = prefix | ~mask_of(plen);
	/* the node holding length plen: every longer route inside is in it or under it */
	if ((c = cnode_for((struct lpm *)t, prefix, plen, false)) == NULL)
		return 0;
	if ((rc = list_walk_within(c, prefix, plen, end, cb, ctx)) != 0)
		return rc;
	if (c->child == NULL)
		return 0;
	/* a directory whose stride plen falls in: the span is whole sub-chunks */
	for (unsigned s = slot_of(prefix, c->depth); s <= slot_of(end, c->depth); s++)
		if (c->child[s] != NULL && (rc = cnode_walk(c->child[s], cb, ctx)) != 0)
			return rc;
	return 0;
}

uint32_t lpm_cover(const struct lpm *t, uint32_t prefix, uint8_t plen)
{
	const struct lpm_cnode *c = t->croot;
	uint32_t best = 0;

	if (plen > 32)
		return 0;
	/* down the path of nodes holding the lengths up to plen: deeper ones hold longer routes */
	while (c != NULL && c->depth <= plen) {
		int hi = c->kind == CN_DIR ? c->depth + STRIDE - 1 : 32;
		uint32_t v = lpm_list_cover(c, prefix, hi < plen ? hi : plen);

		if (v != 0)
			best = v;
		if (c->kind != CN_DIR)
			break;
		c = c->child[slot_of(prefix, c->depth)];
	}
	return best;
}

size_t lpm_memory(const struct lpm *t)
{
	return t->bytes;
}
