/*
 * Uniqueness checks of the config loader (config_get.h): a set of keys
 * (VRF names, RDs, interface names), each with where it was first seen.
 * The loader compared each new entry with every earlier one: 65,535 VRFs
 * took 10 s to check. Open addressing, at most half full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/config_get.h"
#include "common/hash.h"

static uint64_t uniq_hash(const void *key, size_t len)
{
	return hash_mix64(hash_fnv1a(HASH_FNV_OFFSET, key, len));
}

static struct cfg_uniq_slot *uniq_slot(const struct cfg_uniq *u, uint64_t h, const void *key,
				       size_t len)
{
	size_t i = h & (u->cap - 1);

	while (u->s[i].key != NULL &&
	       (u->s[i].hash != h || u->s[i].len != len || memcmp(u->s[i].key, key, len) != 0))
		i = (i + 1) & (u->cap - 1);
	return &u->s[i];
}

static int uniq_grow(struct cfg_uniq *u)
{
	size_t cap = u->cap ? u->cap * 2 : 64;
	struct cfg_uniq_slot *s = calloc(cap, sizeof(*s)), *old = u->s;
	size_t old_cap = u->cap;

	if (s == NULL)
		return -ENOMEM;
	u->s = s;
	u->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key != NULL)
			*uniq_slot(u, old[i].hash, old[i].key, old[i].len) = old[i];
	free(old);
	return 0;
}

int cfg_uniq_put(struct cfg_uniq *u, const void *key, size_t len, size_t a, size_t b,
		 const struct cfg_uniq_slot **seen)
{
	uint64_t h = uniq_hash(key, len);
	struct cfg_uniq_slot *s;

	*seen = NULL;
	if (2 * (u->n + 1) > u->cap && uniq_grow(u) < 0)
		return -ENOMEM;
	s = uniq_slot(u, h, key, len);
	if (s->key != NULL) {
		*seen = s;
		return 1;
	}
	*s = (struct cfg_uniq_slot){ .hash = h, .key = key, .len = len, .a = a, .b = b };
	u->n++;
	return 0;
}

const struct cfg_uniq_slot *cfg_uniq_get(const struct cfg_uniq *u, const void *key, size_t len)
{
	const struct cfg_uniq_slot *s;

	if (u->cap == 0)
		return NULL;
	s = uniq_slot(u, uniq_hash(key, len), key, len);
	return s->key != NULL ? s : NULL;
}

void cfg_uniq_free(struct cfg_uniq *u)
{
	free(u->s);
	memset(u, 0, sizeof(*u));
}
