/*
 * Per-VRF IPv4 longest-prefix match: a multibit trie with strides
 * 8-4-4-4-4-4-4 and controlled prefix expansion. A prefix lives in the node
 * of the level where it ends and is expanded into the 2^(stride-l) slots it
 * covers there (l = its length inside that level's stride). Each slot keeps
 * the longest prefix ending in that node that covers it, plus the child for
 * the next chunk, side by side; a lookup walks at most seven nodes and the
 * deepest hit wins. The first level is a full byte (one 4 KB root per VRF),
 * the rest 4-bit nodes of 256 bytes, so scattered long prefixes cost about
 * 1-2 KB each instead of the 8-16 KB of byte-wide nodes.
 *
 * Deletes must restore what the removed prefix hid, so every node also keeps
 * the prefixes that end in it in a heap-indexed array (index (1 << l) | bits):
 * the new best for a slot is found by walking from l-1 up to 0. Nodes left
 * with no prefix and no child are freed on the way back up.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fwd/lpm.h"

#define LPM_LEVELS 7

/* Bits consumed by each level, and where each level starts in the address. */
static const uint8_t stride[LPM_LEVELS] = { 8, 4, 4, 4, 4, 4, 4 };
static const uint8_t start[LPM_LEVELS] = { 0, 8, 12, 16, 20, 24, 28 };

struct lpm_route {
	uint32_t prefix;
	uint8_t plen;
	void *value;
};

struct lpm_node;

struct lpm_slot {
	const struct lpm_route *best; /* longest prefix of this node covering the slot */
	struct lpm_node *child;
};

struct lpm_node {
	struct lpm_route **pfx; /* [2 << stride], allocated with the first prefix */
	uint16_t n_pfx;
	uint16_t n_child;
	struct lpm_slot slot[]; /* [1 << stride] */
};

struct lpm {
	struct lpm_node *root;
	size_t count;
};

/* Where a prefix lives: node level, byte index at that level, heap index, slot range. */
struct lpm_pos {
	int level;
	unsigned idx;
	unsigned first;
	unsigned n;
};

/* The chunk of addr that indexes the node at level. */
static unsigned chunk_at(uint32_t addr, int level)
{
	return (addr >> (32 - start[level] - stride[level])) & ((1u << stride[level]) - 1);
}

static void pos_of(uint32_t prefix, uint8_t plen, struct lpm_pos *pos)
{
	int level = 0;
	unsigned l, s, bits;

	while (level + 1 < LPM_LEVELS && plen > start[level] + stride[level])
		level++;
	s = stride[level];
	l = plen - start[level];
	bits = l == 0 ? 0 : chunk_at(prefix, level) >> (s - l);
	pos->level = level;
	pos->idx = (1u << l) | bits;
	pos->first = bits << (s - l);
	pos->n = 1u << (s - l);
}

static struct lpm_node *node_new(int level)
{
	return calloc(1, sizeof(struct lpm_node) + (sizeof(struct lpm_slot) << stride[level]));
}

static uint32_t mask_of(uint8_t plen)
{
	return plen == 0 ? 0 : 0xFFFFFFFFu << (32 - plen);
}

struct lpm *lpm_new(void)
{
	struct lpm *t = calloc(1, sizeof(*t));

	if (t != NULL && (t->root = node_new(0)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static void node_free(struct lpm_node *n, int level, void (*free_value)(void *, void *),
		      void *ctx)
{
	for (unsigned i = 0; i < 1u << stride[level]; i++)
		if (n->slot[i].child != NULL)
			node_free(n->slot[i].child, level + 1, free_value, ctx);
	if (n->pfx != NULL) {
		for (unsigned i = 1; i < 2u << stride[level]; i++) {
			if (n->pfx[i] == NULL)
				continue;
			if (free_value != NULL)
				free_value(n->pfx[i]->value, ctx);
			free(n->pfx[i]);
		}
		free(n->pfx);
	}
	free(n);
}

void lpm_free(struct lpm *t, void (*free_value)(void *value, void *ctx), void *ctx)
{
	if (t == NULL)
		return;
	node_free(t->root, 0, free_value, ctx);
	free(t);
}

/* The node holding level pos->level on the path of prefix; created when create is set. */
static struct lpm_node *node_find(struct lpm *t, uint32_t prefix, int level, bool create)
{
	struct lpm_node *n = t->root;

	for (int i = 0; i < level; i++) {
		struct lpm_slot *s = &n->slot[chunk_at(prefix, i)];

		if (s->child == NULL) {
			if (!create)
				return NULL;
			s->child = node_new(i + 1);
			if (s->child == NULL)
				return NULL;
			n->n_child++;
		}
		n = s->child;
	}
	return n;
}

/* Frees the now empty nodes along prefix's path below the root, deepest first. */
static void prune(struct lpm *t, uint32_t prefix, int level)
{
	for (int depth = level; depth > 0; depth--) {
		struct lpm_node *parent = node_find(t, prefix, depth - 1, false);
		struct lpm_slot *s = &parent->slot[chunk_at(prefix, depth - 1)];
		struct lpm_node *n = s->child;

		if (n == NULL || n->n_pfx != 0 || n->n_child != 0)
			return;
		free(n->pfx);
		free(n);
		s->child = NULL;
		parent->n_child--;
	}
}

int lpm_add(struct lpm *t, uint32_t prefix, uint8_t plen, void *value, void **old)
{
	struct lpm_pos pos;
	struct lpm_node *n;
	struct lpm_route *r;

	if (old != NULL)
		*old = NULL;
	if (plen > 32 || value == NULL)
		return -EINVAL;
	prefix &= mask_of(plen);
	pos_of(prefix, plen, &pos);
	n = node_find(t, prefix, pos.level, true);
	if (n == NULL)
		goto nomem;
	if (n->pfx == NULL && (n->pfx = calloc(2u << stride[pos.level], sizeof(*n->pfx))) == NULL)
		goto nomem;
	r = n->pfx[pos.idx];
	if (r != NULL) {
		if (old != NULL)
			*old = r->value;
		r->value = value;
		return 0;
	}
	if ((r = malloc(sizeof(*r))) == NULL)
		goto nomem;
	*r = (struct lpm_route){ .prefix = prefix, .plen = plen, .value = value };
	n->pfx[pos.idx] = r;
	n->n_pfx++;
	t->count++;
	for (unsigned i = pos.first; i < pos.first + pos.n; i++) {
		struct lpm_slot *s = &n->slot[i];

		if (s->best == NULL || s->best->plen < plen)
			s->best = r;
	}
	return 0;
nomem:
	prune(t, prefix, pos.level);
	return -ENOMEM;
}

/* The longest prefix of node n (stride s), shorter than l bits in it, covering slot i. */
static const struct lpm_route *best_below(const struct lpm_node *n, unsigned s, unsigned i,
					  unsigned l)
{
	while (l-- > 0) {
		const struct lpm_route *r = n->pfx[(1u << l) | (i >> (s - l))];

		if (r != NULL)
			return r;
	}
	return NULL;
}

void *lpm_delete(struct lpm *t, uint32_t prefix, uint8_t plen)
{
	struct lpm_pos pos;
	struct lpm_node *n;
	struct lpm_route *r;
	void *value;
	unsigned l;

	if (plen > 32)
		return NULL;
	prefix &= mask_of(plen);
	pos_of(prefix, plen, &pos);
	n = node_find(t, prefix, pos.level, false);
	if (n == NULL || n->pfx == NULL || (r = n->pfx[pos.idx]) == NULL)
		return NULL;
	n->pfx[pos.idx] = NULL;
	n->n_pfx--;
	t->count--;
	l = plen - start[pos.level];
	for (unsigned i = pos.first; i < pos.first + pos.n; i++)
		if (n->slot[i].best == r)
			n->slot[i].best = best_below(n, stride[pos.level], i, l);
	value = r->value;
	free(r);
	if (n->n_pfx == 0 && n != t->root) {
		free(n->pfx);
		n->pfx = NULL;
	}
	prune(t, prefix, pos.level);
	return value;
}

void *lpm_get(const struct lpm *t, uint32_t prefix, uint8_t plen)
{
	struct lpm_pos pos;
	const struct lpm_node *n = t->root;

	if (plen > 32)
		return NULL;
	prefix &= mask_of(plen);
	pos_of(prefix, plen, &pos);
	for (int i = 0; i < pos.level && n != NULL; i++)
		n = n->slot[chunk_at(prefix, i)].child;
	if (n == NULL || n->pfx == NULL || n->pfx[pos.idx] == NULL)
		return NULL;
	return n->pfx[pos.idx]->value;
}

void *lpm_lookup(const struct lpm *t, uint32_t addr)
{
	const struct lpm_node *n = t->root;
	const struct lpm_route *best = NULL;

	for (int level = 0; level < LPM_LEVELS && n != NULL; level++) {
		const struct lpm_slot *s = &n->slot[chunk_at(addr, level)];

		if (s->best != NULL)
			best = s->best;
		n = s->child;
	}
	return best != NULL ? best->value : NULL;
}

size_t lpm_count(const struct lpm *t)
{
	return t->count;
}

static int node_walk(const struct lpm_node *n, int level, lpm_walk_cb cb, void *ctx)
{
	int rc;

	if (n->pfx != NULL) {
		for (unsigned i = 1; i < 2u << stride[level]; i++) {
			const struct lpm_route *r = n->pfx[i];

			if (r != NULL && (rc = cb(r->prefix, r->plen, r->value, ctx)) != 0)
				return rc;
		}
	}
	for (unsigned i = 0; i < 1u << stride[level]; i++)
		if (n->slot[i].child != NULL &&
		    (rc = node_walk(n->slot[i].child, level + 1, cb, ctx)) != 0)
			return rc;
	return 0;
}

int lpm_walk(const struct lpm *t, lpm_walk_cb cb, void *ctx)
{
	return node_walk(t->root, 0, cb, ctx);
}
