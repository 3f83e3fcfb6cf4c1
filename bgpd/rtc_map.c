/*
 * A hash table of membership routes (rtc_map.h). The key is the route as
 * normalized on input (bits past its length are zero), so equal routes hash
 * alike. Entries are 32 bytes, an empty slot is marked in the route's
 * length and the load goes up to three quarters (linear probing still
 * finds a route in a few slots), so that a reflector's N tables of up to
 * N * M routes each stay compact.
 * Sizes are bounded by the callers' sets (rtc_limit per neighbor).
 */
#include <stdlib.h>
#include <string.h>

#include "bgpd/rtc_map.h"
#include "common/hash.h"

/* Length, origin AS and route target through common/hash.h's FNV-1a and mix. */
static size_t route_hash(const struct rtc_route *r)
{
	uint8_t b[13] = { r->len, (uint8_t)(r->origin_as >> 24), (uint8_t)(r->origin_as >> 16),
			  (uint8_t)(r->origin_as >> 8), (uint8_t)r->origin_as };

	memcpy(b + 5, r->rt.b, 8);
	return (size_t)hash_mix64(hash_fnv1a(HASH_FNV_OFFSET, b, sizeof(b)));
}

/* The slot of r, or the empty one ending its run. */
static size_t probe(const struct rtc_map *m, const struct rtc_route *r)
{
	size_t i = route_hash(r) & (m->cap - 1);

	while (rtc_map_used(&m->v[i]) && !rtc_route_equal(&m->v[i].r, r))
		i = (i + 1) & (m->cap - 1);
	return i;
}

struct rtc_map_ent *rtc_map_find(const struct rtc_map *m, const struct rtc_route *r)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = probe(m, r);
	return rtc_map_used(&m->v[i]) ? &m->v[i] : NULL;
}

/* Moves everything into cap slots (a power of two, a third more than the entries). */
static int rehash(struct rtc_map *m, size_t cap)
{
	struct rtc_map_ent *old = m->v, *v = malloc(cap * sizeof(*v));
	size_t old_cap = m->cap;

	if (!v)
		return -1;
	for (size_t i = 0; i < cap; i++)
		v[i].r.len = RTC_MAP_FREE;
	m->v = v;
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (rtc_map_used(&old[i]))
			m->v[probe(m, &old[i].r)] = old[i];
	free(old);
	return 0;
}

int rtc_map_reserve(struct rtc_map *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;

	if (n > SIZE_MAX / 4 - m->n)
		return -1;
	while ((m->n + n) * 4 > cap * 3)
		cap *= 2;
	return cap == m->cap ? 0 : rehash(m, cap);
}

struct rtc_map_ent *rtc_map_get(struct rtc_map *m, const struct rtc_route *r)
{
	size_t i;

	if (rtc_map_reserve(m, 1) < 0)
		return NULL;
	i = probe(m, r);
	if (!rtc_map_used(&m->v[i])) {
		memset(&m->v[i], 0, sizeof(m->v[i]));
		m->v[i].r = *r;
		m->n++;
	}
	return &m->v[i];
}

/* Whether home lies cyclically in (hole, i]: then the entry at i must stay past the hole. */
static bool stays(size_t hole, size_t i, size_t home)
{
	return hole <= i ? hole < home && home <= i : hole < home || home <= i;
}

void rtc_map_del(struct rtc_map *m, struct rtc_map_ent *e)
{
	size_t mask = m->cap - 1, hole = (size_t)(e - m->v), i = hole;

	for (;;) {
		i = (i + 1) & mask;
		if (!rtc_map_used(&m->v[i]))
			break;
		if (stays(hole, i, route_hash(&m->v[i].r) & mask))
			continue;
		m->v[hole] = m->v[i];
		hole = i;
	}
	m->v[hole].r.len = RTC_MAP_FREE;
	m->n--;
}

void rtc_map_free(struct rtc_map *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}
