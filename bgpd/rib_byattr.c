/*
 * Paths by attribute set (rib_byattr.h). Both levels are open addressing
 * with linear probing and deletion by backward shift (no tombstones: a
 * table that churns through withdrawals and announcements stays as short
 * as what is in it), grown at 3/4 full and shrunk below 1/8.
 */
#include <errno.h>
#include <stdlib.h>

#include "bgpd/rib.h"
#include "bgpd/rib_byattr.h"

#define MIN_CAP 4

/* Addresses are 8-byte aligned and clustered: mixed (MurmurHash3's fmix64) before masking. */
static uint64_t ptr_hash(const void *ptr)
{
	uint64_t x = (uint64_t)(uintptr_t)ptr;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Whether slot k is where a probe that started at home reaches before j (cyclically, in (i, j]). */
static bool home_between(size_t home, size_t i, size_t j)
{
	return i <= j ? i < home && home <= j : i < home || home <= j;
}

/* ---- a group's set of paths ---- */

static size_t set_find(struct rib_path *const *set, uint32_t cap, const struct rib_path *p)
{
	size_t mask = cap - 1, i = ptr_hash(p) & mask;

	while (set[i] && set[i] != p)
		i = (i + 1) & mask;
	return i;
}

/* The group's paths rehashed into cap slots (cap a power of 2 above n). -ENOMEM leaves it as it was. */
static int set_resize(struct rib_byattr *x, struct rib_byattr_group *g, uint32_t cap)
{
	struct rib_path **set = calloc(cap, sizeof(*set));

	if (!set)
		return -ENOMEM;
	if (g->cap == 0) {
		if (g->one)
			set[set_find(set, cap, g->one)] = g->one;
	} else {
		for (uint32_t i = 0; i < g->cap; i++)
			if (g->set[i])
				set[set_find(set, cap, g->set[i])] = g->set[i];
		free(g->set);
	}
	x->set_slots = x->set_slots - g->cap + cap;
	g->set = set;
	g->cap = cap;
	return 0;
}

static int set_add(struct rib_byattr *x, struct rib_byattr_group *g, struct rib_path *p)
{
	if (g->cap == 0 && g->n == 0) {
		g->one = p;
		g->n = 1;
		return 0;
	}
	if (g->cap == 0 || (size_t)(g->n + 1) * 4 > (size_t)g->cap * 3) {
		uint32_t cap = g->cap ? g->cap * 2 : MIN_CAP;

		if (set_resize(x, g, cap) < 0)
			return -ENOMEM;
	}
	g->set[set_find(g->set, g->cap, p)] = p;
	g->n++;
	return 0;
}

/* Empties slot i, moving up the paths behind it that probed past it. */
static void set_remove_at(struct rib_path **set, uint32_t cap, size_t i)
{
	size_t mask = cap - 1, j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (!set[j])
			break;
		if (!home_between(ptr_hash(set[j]) & mask, i, j)) {
			set[i] = set[j];
			i = j;
		}
	}
	set[i] = NULL;
}

/* Removes p from g: true when it was there. */
static bool set_del(struct rib_byattr *x, struct rib_byattr_group *g, const struct rib_path *p)
{
	size_t i;

	if (g->cap == 0) {
		if (g->n == 0 || g->one != p)
			return false;
		g->one = NULL;
		g->n = 0;
		return true;
	}
	i = set_find(g->set, g->cap, p);
	if (!g->set[i])
		return false;
	set_remove_at(g->set, g->cap, i);
	g->n--;
	if (g->n == 0) {
		free(g->set);
		x->set_slots -= g->cap;
		g->set = NULL;
		g->cap = 0;
	} else if (g->cap > MIN_CAP && (size_t)g->n * 8 < g->cap) {
		set_resize(x, g, g->cap / 2); /* on ENOMEM it just stays larger */
	}
	return true;
}

/* ---- the groups ---- */

static size_t group_find(const struct rib_byattr *x, const struct attr_set *a)
{
	size_t mask = x->cap - 1, i = ptr_hash(a) & mask;

	while (x->g[i].attrs && x->g[i].attrs != a)
		i = (i + 1) & mask;
	return i;
}

static int groups_resize(struct rib_byattr *x, size_t cap)
{
	struct rib_byattr_group *g = calloc(cap, sizeof(*g)), *old = x->g;
	size_t old_cap = x->cap;

	if (!g)
		return -ENOMEM;
	x->g = g;
	x->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].attrs)
			x->g[group_find(x, old[i].attrs)] = old[i];
	free(old);
	return 0;
}

static void group_remove_at(struct rib_byattr *x, size_t i)
{
	size_t mask = x->cap - 1, j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (!x->g[j].attrs)
			break;
		if (!home_between(ptr_hash(x->g[j].attrs) & mask, i, j)) {
			x->g[i] = x->g[j];
			i = j;
		}
	}
	x->g[i] = (struct rib_byattr_group){ 0 };
	x->n--;
	if (x->cap > MIN_CAP && x->n * 8 < x->cap)
		groups_resize(x, x->cap / 2); /* on ENOMEM it just stays larger */
}

struct rib_byattr *rib_byattr_new(void)
{
	struct rib_byattr *x = calloc(1, sizeof(*x));

	if (x && groups_resize(x, MIN_CAP) < 0) {
		free(x);
		return NULL;
	}
	return x;
}

void rib_byattr_free(struct rib_byattr *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->cap; i++)
		if (x->g[i].attrs && x->g[i].cap)
			free(x->g[i].set);
	free(x->g);
	free(x);
}

int rib_byattr_add(struct rib_byattr *x, struct rib_path *p)
{
	size_t i;

	if (!p->attrs)
		return 0; /* a path being made: it joins when it has them */
	if ((x->n + 1) * 4 > x->cap * 3 && groups_resize(x, x->cap * 2) < 0)
		return -ENOMEM;
	i = group_find(x, p->attrs);
	if (!x->g[i].attrs) {
		x->g[i].attrs = p->attrs;
		x->n++;
	}
	if (set_add(x, &x->g[i], p) < 0) {
		if (x->g[i].n == 0)
			group_remove_at(x, i);
		return -ENOMEM;
	}
	x->n_paths++;
	return 0;
}

void rib_byattr_del(struct rib_byattr *x, struct rib_path *p)
{
	size_t i;

	if (!p->attrs)
		return;
	i = group_find(x, p->attrs);
	if (!x->g[i].attrs || !set_del(x, &x->g[i], p))
		return;
	x->n_paths--;
	if (x->g[i].n == 0)
		group_remove_at(x, i);
}

void rib_byattr_visit(const struct rib_byattr *x, bool (*match)(const struct attr_set *, void *),
		      void (*fn)(struct rib_path *, void *), void *arg)
{
	for (size_t i = 0; i < x->cap; i++) {
		const struct rib_byattr_group *g = &x->g[i];

		if (!g->attrs || !match(g->attrs, arg))
			continue;
		if (g->cap == 0) {
			if (g->n)
				fn(g->one, arg);
			continue;
		}
		for (uint32_t k = 0; k < g->cap; k++)
			if (g->set[k])
				fn(g->set[k], arg);
	}
}

size_t rib_byattr_bytes(const struct rib_byattr *x)
{
	return sizeof(*x) + x->cap * sizeof(*x->g) + x->set_slots * sizeof(struct rib_path *);
}
