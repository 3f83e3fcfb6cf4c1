/*
 * Label allocator: entries allocated one by one (so owners may keep
 * pointers), indexed twice: an array sorted by label (lowest-free search,
 * listings) and a hash by key (the same thing gets the same label back).
 * Linear work per new label is fine: a PE holds a label per VRF or per CE,
 * and even per-prefix labels are a few thousand entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hash.h"
#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/label.h"

#define LABEL_HASH_MIN 64
#define LABEL_ARRAY_MIN 16

static int64_t wall_clock(void)
{
	return (int64_t)time(NULL);
}

void label_key_vrf(struct label_key *k, const char *vrf)
{
	memset(k, 0, sizeof(*k));
	k->kind = LABEL_KIND_VRF;
	strncpy(k->vrf, vrf, sizeof(k->vrf) - 1);
}

void label_key_ce(struct label_key *k, const char *vrf, const char *ifname, uint32_t gateway)
{
	label_key_vrf(k, vrf);
	k->kind = LABEL_KIND_CE;
	strncpy(k->ifname, ifname, sizeof(k->ifname) - 1);
	k->gateway = gateway;
}

void label_key_prefix(struct label_key *k, const char *vrf, const struct prefix4 *p)
{
	label_key_vrf(k, vrf);
	k->kind = LABEL_KIND_PREFIX;
	/* Field by field: a struct copy may bring the source's padding bytes along. */
	k->prefix.addr = p->addr;
	k->prefix.len = p->len;
}

const char *label_kind_name(uint32_t kind)
{
	switch (kind & ~LABEL_KIND_RETIRED) {
	case LABEL_KIND_VRF: return "per-vrf";
	case LABEL_KIND_CE: return "per-ce";
	case LABEL_KIND_PREFIX: return "per-prefix";
	default: return "unknown";
	}
}

void label_alloc_init(struct label_alloc *la, uint32_t min, uint32_t max, uint32_t hold_down)
{
	memset(la, 0, sizeof(*la));
	if (min < MPLS_LABEL_FIRST_UNRESERVED)
		min = MPLS_LABEL_FIRST_UNRESERVED;
	if (max > MPLS_LABEL_MAX)
		max = MPLS_LABEL_MAX;
	la->min = min;
	la->max = max;
	la->hold_down = hold_down;
	la->clock = wall_clock;
}

void label_alloc_free(struct label_alloc *la)
{
	for (size_t i = 0; i < la->n; i++)
		free(la->v[i]);
	free(la->v);
	free(la->hash);
	label_left_free(la);
	memset(la, 0, sizeof(*la));
}

/* FNV-1a over the key's bytes (zero padded, so equal keys hash alike). */
static size_t key_hash(const struct label_key *k, size_t nb)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32)) & (nb - 1);
}

static void hash_link(struct label_alloc *la, struct label_entry *e)
{
	size_t h = key_hash(&e->key, la->nb);

	e->hnext = la->hash[h];
	la->hash[h] = e;
}

static void hash_unlink(struct label_alloc *la, struct label_entry *e)
{
	struct label_entry **pp;

	for (pp = &la->hash[key_hash(&e->key, la->nb)]; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			return;
		}
	}
}

/* The key hash rebuilt with nb buckets (a power of two). 0 or -ENOMEM. */
static int hash_resize(struct label_alloc *la, size_t nb)
{
	struct label_entry **h = calloc(nb, sizeof(*h));

	if (h == NULL)
		return -ENOMEM;
	free(la->hash);
	la->hash = h;
	la->nb = nb;
	for (size_t i = 0; i < la->n; i++)
		hash_link(la, la->v[i]);
	return 0;
}

/* Room for one more entry in both indexes. */
static int label_grow(struct label_alloc *la)
{
	if (la->n == la->cap) {
		size_t cap = la->cap ? la->cap * 2 : LABEL_ARRAY_MIN;
		struct label_entry **v = realloc(la->v, cap * sizeof(*v));

		if (v == NULL)
			goto nomem;
		la->v = v;
		la->cap = cap;
	}
	if (la->n + 1 > la->nb && hash_resize(la, la->nb ? la->nb * 2 : LABEL_HASH_MIN) < 0)
		goto nomem;
	return 0;
nomem:
	log_warn("label allocator");
	return -ENOMEM;
}

size_t label_alloc_shrink(struct label_alloc *la)
{
	size_t given = 0, size;

	if ((size = hash_shrink_size(la->nb, la->n, LABEL_HASH_MIN, 2)) != 0) {
		given += (la->nb - size) * sizeof(*la->hash);
		if (hash_resize(la, size) < 0)
			return 0; /* the old hash is still there */
	}
	if ((size = hash_shrink_size(la->cap, la->n, LABEL_ARRAY_MIN, 2)) != 0) {
		struct label_entry **v;

		if ((v = realloc(la->v, size * sizeof(*v))) != NULL) {
			given += (la->cap - size) * sizeof(*v);
			la->v = v;
			la->cap = size;
		}
	}
	return given;
}

static size_t label_index(const struct label_alloc *la, uint32_t label)
{
	size_t lo = 0, hi = la->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (la->v[mid]->label < label)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct label_entry *label_lookup(const struct label_alloc *la, uint32_t label)
{
	size_t i = label_index(la, label);

	return i < la->n && la->v[i]->label == label ? la->v[i] : NULL;
}

struct label_entry *label_find(const struct label_alloc *la, const struct label_key *key)
{
	struct label_entry *e;

	if (la->nb == 0)
		return NULL;
	for (e = la->hash[key_hash(key, la->nb)]; e != NULL; e = e->hnext)
		if (memcmp(&e->key, key, sizeof(*key)) == 0)
			return e;
	return NULL;
}

/* Inserts a new entry for label (which must be absent). */
static struct label_entry *label_insert(struct label_alloc *la, uint32_t label,
					const struct label_key *key)
{
	struct label_entry *e;
	size_t i;

	if (label_grow(la) < 0 || (e = calloc(1, sizeof(*e))) == NULL) {
		log_warn("label allocator");
		return NULL;
	}
	e->label = label;
	e->key = *key;
	i = label_index(la, label);
	memmove(&la->v[i + 1], &la->v[i], (la->n - i) * sizeof(la->v[0]));
	la->v[i] = e;
	la->n++;
	hash_link(la, e);
	la->dirty = true;
	return e;
}

static void label_remove(struct label_alloc *la, struct label_entry *e)
{
	size_t i;

	/* A label kept in the LFIB through its hold-down leaves it before it is anyone's. */
	if (e->programmed && la->drop != NULL)
		la->drop(la->drop_ctx, e);
	i = label_index(la, e->label);

	hash_unlink(la, e);
	memmove(&la->v[i], &la->v[i + 1], (la->n - i - 1) * sizeof(la->v[0]));
	la->n--;
	la->dirty = true;
	la->freed++;
	free(e);
}

uint32_t label_hold_left(const struct label_alloc *la, int64_t since)
{
	int64_t left = since + (int64_t)la->hold_down - la->clock();

	/* A clock stepped back must not pin a label for longer than the hold-down. */
	if (left > (int64_t)la->hold_down)
		left = la->hold_down;
	return left > 0 ? (uint32_t)left : 0;
}

uint32_t label_held_for(const struct label_alloc *la, const struct label_entry *e)
{
	return e->state == LABEL_HELD ? label_hold_left(la, e->since) : 0;
}

size_t label_expire(struct label_alloc *la)
{
	size_t i = 0, n = 0;

	label_left_expire(la);
	while (i < la->n) {
		struct label_entry *e = la->v[i];

		if (e->state == LABEL_HELD && label_held_for(la, e) == 0) {
			label_remove(la, e);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

uint32_t label_next_free(const struct label_alloc *la, size_t *n_held)
{
	uint32_t first = UINT32_MAX;

	*n_held = 0;
	for (size_t i = 0; i < la->n; i++) {
		const struct label_entry *e = la->v[i];
		uint32_t s;

		if (e->state == LABEL_USED)
			continue;
		s = e->state == LABEL_HELD ? label_held_for(la, e) : la->hold_down;
		(*n_held)++;
		if (s < first)
			first = s;
	}
	return first;
}

/* The lowest label of the range no entry occupies, or MPLS_LABEL_NONE. */
static uint32_t label_lowest_free(const struct label_alloc *la)
{
	uint32_t want = la->min;
	size_t i = label_index(la, la->min);

	/* The array is sorted: the first gap at or above min is the lowest free label. */
	for (; i < la->n && la->v[i]->label == want; i++)
		want++;
	return want <= la->max && want >= la->min ? want : MPLS_LABEL_NONE;
}

static void label_use(struct label_alloc *la, struct label_entry *e, uint32_t vrf_id)
{
	if (e->state != LABEL_USED)
		la->dirty = true;
	e->state = LABEL_USED;
	e->since = 0;
	e->vrf_id = vrf_id;
	e->refs++;
}

struct label_entry *label_claim(struct label_alloc *la, const struct label_key *key,
				uint32_t vrf_id)
{
	struct label_entry *e = label_find(la, key);
	uint32_t label;

	if (e != NULL) {
		label_use(la, e, vrf_id);
		return e;
	}
	if (la->min > la->max)
		return NULL;
	label = label_lowest_free(la);
	if (label == MPLS_LABEL_NONE && label_expire(la) > 0)
		label = label_lowest_free(la);
	/* Not logged here: the caller says what goes without (once, vrf_label.c). */
	if (label == MPLS_LABEL_NONE)
		return NULL;
	e = label_insert(la, label, key);
	if (e != NULL)
		label_use(la, e, vrf_id);
	return e;
}

void label_unclaim(struct label_alloc *la, struct label_entry *e)
{
	if (e == NULL || e->refs == 0)
		return;
	if (--e->refs > 0)
		return;
	if (la->hold_down == 0) {
		label_remove(la, e);
		return;
	}
	e->state = LABEL_HELD;
	e->since = la->clock();
	if (!e->programmed) {
		e->vrf_id = 0;
		e->nh = NULL;
	}
	la->dirty = true;
}

int label_restore(struct label_alloc *la, uint32_t label, const struct label_key *key,
		  enum label_state state, int64_t since)
{
	struct label_entry *e;

	if (label < la->min || label > la->max)
		return -ERANGE;
	if (label_lookup(la, label) != NULL ||
	    (!label_key_retired(key) && label_find(la, key) != NULL))
		return -EEXIST;
	e = label_insert(la, label, key);
	if (e == NULL)
		return -ENOMEM;
	e->state = state == LABEL_HELD ? LABEL_HELD : LABEL_RESERVED;
	e->since = since;
	if (e->state == LABEL_HELD && label_held_for(la, e) == 0)
		label_remove(la, e);
	return 0;
}

size_t label_release_reserved(struct label_alloc *la)
{
	size_t n = 0;

	for (size_t i = 0; i < la->n; i++) {
		struct label_entry *e = la->v[i];

		if (e->state != LABEL_RESERVED)
			continue;
		e->state = LABEL_HELD;
		e->since = la->clock();
		la->dirty = true;
		n++;
	}
	/* The names that left before the restart: remembered as long as their labels are held. */
	label_left_refresh(la);
	if (la->hold_down == 0)
		label_expire(la);
	return n;
}

/*
 * Every label of the VRF named vrf becomes unclaimable: its key, rehashed
 * with the retired mark, matches no key label_claim is given. Held and
 * reserved labels stay so (held down, then freed); one still in use (none
 * is: the VRF that used them is gone) would be held when its last user
 * lets go. A held label kept in fwd leaves it: it may not deliver into the
 * VRF that now has the name.
 */
size_t label_retire(struct label_alloc *la, const char *vrf)
{
	size_t n = 0;

	for (size_t i = 0; i < la->n; i++) {
		struct label_entry *e = la->v[i];

		if (label_key_retired(&e->key) ||
		    strncmp(e->key.vrf, vrf, sizeof(e->key.vrf)) != 0)
			continue;
		if (e->state != LABEL_USED && e->programmed && la->drop != NULL)
			la->drop(la->drop_ctx, e);
		hash_unlink(la, e);
		e->key.kind |= LABEL_KIND_RETIRED;
		hash_link(la, e);
		n++;
	}
	if (n > 0)
		la->dirty = true;
	return n;
}
