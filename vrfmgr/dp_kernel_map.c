/*
 * dp_kernel_map: the kernel dataplane's bookkeeping tables (next hops by id,
 * FIB entries by VRF and prefix, LFIB entries by label): one open-addressing
 * map from a 64-bit key to a pointer, linear probing with backward-shift
 * deletion (no tombstones, so a table that churns does not fill up);
 * doubled at 3/4 full, and made smaller when quiet and under 1/8 full
 * (dpk_map_shrink, from dp_kernel_shrink).
 */
#include <stdlib.h>

#include "common/hash.h"
#include "vrfmgr/dp_kernel_int.h"

static size_t slot_of(const struct dpk_map *m, uint64_t key)
{
	return (size_t)hash_mix64(key) & (m->cap - 1);
}

void *dpk_map_get(const struct dpk_map *m, uint64_t key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->s[i].val == NULL)
			return NULL;
		if (m->s[i].key == key)
			return m->s[i].val;
	}
}

#define MAP_MIN_SLOTS 64

/* The entries moved into cap slots (a power of two with room for them). 0 or -1. */
static int map_resize(struct dpk_map *m, size_t cap)
{
	struct dpk_map other = { .cap = cap };

	other.s = calloc(other.cap, sizeof(*other.s));
	if (other.s == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->s[i].val != NULL)
			dpk_map_put(&other, m->s[i].key, m->s[i].val);
	free(m->s);
	*m = other;
	return 0;
}

static int map_grow(struct dpk_map *m)
{
	return map_resize(m, m->cap ? m->cap * 2 : MAP_MIN_SLOTS);
}

size_t dpk_map_shrink(struct dpk_map *m)
{
	size_t cap = hash_shrink_size(m->cap, m->n, MAP_MIN_SLOTS, 2), was = m->cap;

	if (cap == 0)
		return 0;
	return map_resize(m, cap) == 0 ? (was - cap) * sizeof(*m->s) : 0;
}

int dpk_map_put(struct dpk_map *m, uint64_t key, void *val)
{
	if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m) < 0)
		return -1;
	for (size_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->s[i].val == NULL) {
			m->s[i].key = key;
			m->s[i].val = val;
			m->n++;
			return 0;
		}
		if (m->s[i].key == key) {
			m->s[i].val = val;
			return 0;
		}
	}
}

void *dpk_map_del(struct dpk_map *m, uint64_t key)
{
	size_t i, j, mask = m->cap - 1;
	void *val;

	if (m->cap == 0)
		return NULL;
	for (i = slot_of(m, key); m->s[i].key != key || m->s[i].val == NULL; i = (i + 1) & mask)
		if (m->s[i].val == NULL)
			return NULL;
	val = m->s[i].val;
	m->s[i].val = NULL;
	m->n--;
	/* Backward shift: pull later entries of the run into the hole when they may live there. */
	for (j = (i + 1) & mask; m->s[j].val != NULL; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->s[j].key);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->s[i] = m->s[j];
			m->s[j].val = NULL;
			i = j;
		}
	}
	return val;
}

void dpk_map_free(struct dpk_map *m, void (*free_val)(void *))
{
	for (size_t i = 0; free_val != NULL && i < m->cap; i++)
		if (m->s[i].val != NULL)
			free_val(m->s[i].val);
	free(m->s);
	*m = (struct dpk_map){ 0 };
}
