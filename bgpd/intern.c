/*
 * Interned attribute sets (BIRD rta_lookup, OpenBGPD attr_alloc): routes
 * with the same attributes share one reference-counted copy. A set's
 * identity is a canonical byte string (scalars of the attributes present,
 * the Partial bits, then communities, extended communities, AS_PATH,
 * unknown attributes); the variable parts of the set's struct bgp_attrs
 * point into that string, so one allocation holds everything and equality
 * is a memcmp.
 *
 * The table is process-wide: several speakers in one process (the unit
 * tests) simply share it.
 */
#include <stdlib.h>
#include <string.h>

#include "bgpd/attr.h"
#include "common/log.h"

#define KEY_HDR 56 /* the scalars below; keeps the 32-bit lists 4-aligned */
#define KEY_PARTIAL 48 /* where the Partial bits are in it */

static struct attr_set **buckets;
static size_t n_buckets;
static size_t n_sets;

static uint32_t fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
	return p + 2;
}

static uint8_t *put_bytes(uint8_t *p, const void *src, size_t n)
{
	if (n) /* src may be NULL when n is 0 */
		memcpy(p, src, n);
	return p + n;
}

/* Bytes of the canonical form of a. */
static size_t key_size(const struct bgp_attrs *a)
{
	return KEY_HDR + (size_t)a->n_communities * 4 + (size_t)a->n_large * 12 +
	       (size_t)a->n_cluster * 4 + (size_t)a->n_ext * 8 + a->aspath_len + a->unknown_len;
}

/* Writes the canonical form of a into key: scalars, then the lists, 32-bit ones first. */
static void key_build(const struct bgp_attrs *a, uint8_t *key)
{
	uint8_t *p = key;

#define IF(t, v) (attr_has(a, t) ? (v) : 0)
	memcpy(p, &a->present, 8);
	p += 8;
	p = put32(p, IF(ATTR_ORIGIN, a->origin));
	p = put32(p, a->nexthop);
	p = put32(p, IF(ATTR_MED, a->med));
	p = put32(p, IF(ATTR_LOCAL_PREF, a->local_pref));
	p = put32(p, IF(ATTR_AGGREGATOR, a->aggregator_as));
	p = put32(p, IF(ATTR_AGGREGATOR, a->aggregator_id));
	p = put32(p, IF(ATTR_ORIGINATOR_ID, a->originator_id));
#undef IF
	p = put16(p, a->aspath_len);
	p = put16(p, a->n_communities);
	p = put16(p, a->n_ext);
	p = put16(p, a->unknown_len);
	p = put16(p, a->n_cluster);
	p = put16(p, a->n_large);
	p = put_bytes(p, &a->partial, 8);
	p = put_bytes(p, a->communities, (size_t)a->n_communities * 4);
	p = put_bytes(p, a->large, (size_t)a->n_large * 12);
	p = put_bytes(p, a->cluster, (size_t)a->n_cluster * 4);
	p = put_bytes(p, a->ext, (size_t)a->n_ext * 8);
	p = put_bytes(p, a->aspath, a->aspath_len);
	put_bytes(p, a->unknown, a->unknown_len);
}

/* Points the set's attributes at its own key. */
static void set_fill(struct attr_set *s, const struct bgp_attrs *a)
{
	struct bgp_attrs *o = &s->a;
	const uint8_t *p = s->key + KEY_HDR;

	memcpy(&o->present, s->key, 8);
	memcpy(&o->nexthop, s->key + 12, 4);
	memcpy(&o->partial, s->key + KEY_PARTIAL, 8);
	o->origin = attr_has(a, ATTR_ORIGIN) ? a->origin : 0;
	o->med = attr_has(a, ATTR_MED) ? a->med : 0;
	o->local_pref = attr_has(a, ATTR_LOCAL_PREF) ? a->local_pref : 0;
	o->aggregator_as = attr_has(a, ATTR_AGGREGATOR) ? a->aggregator_as : 0;
	o->aggregator_id = attr_has(a, ATTR_AGGREGATOR) ? a->aggregator_id : 0;
	o->originator_id = attr_has(a, ATTR_ORIGINATOR_ID) ? a->originator_id : 0;
	o->n_communities = a->n_communities;
	o->n_large = a->n_large;
	o->n_cluster = a->n_cluster;
	o->n_ext = a->n_ext;
	o->aspath_len = a->aspath_len;
	o->unknown_len = a->unknown_len;
	o->communities = (const uint32_t *)(const void *)p;
	p += (size_t)a->n_communities * 4;
	o->large = (const uint32_t *)(const void *)p;
	p += (size_t)a->n_large * 12;
	o->cluster = (const uint32_t *)(const void *)p;
	p += (size_t)a->n_cluster * 4;
	o->ext = (const struct ext_community *)p;
	p += (size_t)a->n_ext * 8;
	o->aspath = p;
	p += a->aspath_len;
	o->unknown = p;
}

static void table_grow(void)
{
	size_t nb = n_buckets ? n_buckets * 2 : 256;
	struct attr_set **nt = calloc(nb, sizeof(*nt));

	if (!nt)
		return; /* keep the old table: slower, still correct */
	for (size_t i = 0; i < n_buckets; i++) {
		struct attr_set *s = buckets[i], *next;

		for (; s; s = next) {
			next = s->hnext;
			s->hnext = nt[s->hash & (nb - 1)];
			nt[s->hash & (nb - 1)] = s;
		}
	}
	free(buckets);
	buckets = nt;
	n_buckets = nb;
}

struct attr_set *attr_intern(const struct bgp_attrs *a)
{
	size_t klen = key_size(a);
	struct attr_set *s = malloc(sizeof(*s) + klen), *e;

	if (!s) {
		log_warnx("attr_intern: out of memory");
		return NULL;
	}
	key_build(a, s->key);
	s->key_len = klen;
	s->hash = fnv1a(s->key, klen);
	if (n_sets >= n_buckets)
		table_grow();
	if (!buckets) {
		free(s);
		return NULL;
	}
	for (e = buckets[s->hash & (n_buckets - 1)]; e; e = e->hnext) {
		if (e->hash == s->hash && e->key_len == klen && !memcmp(e->key, s->key, klen)) {
			free(s);
			return attr_ref(e);
		}
	}
	set_fill(s, a);
	s->refcnt = 1;
	s->hnext = buckets[s->hash & (n_buckets - 1)];
	buckets[s->hash & (n_buckets - 1)] = s;
	n_sets++;
	return s;
}

struct attr_set *attr_ref(struct attr_set *s)
{
	if (s)
		s->refcnt++;
	return s;
}

void attr_unref(struct attr_set *s)
{
	struct attr_set **pp;

	if (!s || --s->refcnt > 0)
		return;
	for (pp = &buckets[s->hash & (n_buckets - 1)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
	free(s);
	if (--n_sets == 0) { /* nothing left: give the table back too (clean leak checks) */
		free(buckets);
		buckets = NULL;
		n_buckets = 0;
	}
}

size_t attr_intern_count(void)
{
	return n_sets;
}
