/*
 * RIB storage: a hash table of destinations keyed by (RD, prefix), each with
 * its paths; every path also sits on its source's list so a session going
 * down withdraws its routes without scanning the table. Changing paths
 * re-runs selection for that one destination and queues it when the best
 * path (or what it carries) changed, so the owner sends one update per
 * destination however many paths moved in one event-loop turn. A path
 * added or removed behind an unchanged best queues it too, marked
 * paths_only: the path count /events reports changed, nothing peers or
 * vrfmgr hold did, and the change is already in hand here (no walk later).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/rib.h"
#include "common/log.h"

struct rib *rib_new(unsigned max_slots)
{
	struct rib *rib = calloc(1, sizeof(*rib));

	if (!rib)
		return NULL;
	rib->adv_words = (max_slots + 63) / 64;
	if (rib->adv_words == 0)
		rib->adv_words = 1;
	slab_init(&rib->entry_slab, sizeof(struct rib_entry) + rib->adv_words * sizeof(uint64_t));
	slab_init(&rib->path_slab, sizeof(struct rib_path));
	return rib;
}

/* ---- the paths by attribute set, while kept (rib_byattr.h) ---- */

int rib_byattr_start(struct rib *rib)
{
	if (rib->byattr)
		return 0;
	if (!(rib->byattr = rib_byattr_new()))
		return -ENOMEM;
	for (size_t i = 0; i < rib->n_buckets; i++)
		for (struct rib_entry *e = rib->buckets[i]; e; e = e->hnext)
			for (struct rib_path *p = e->paths; p; p = p->next)
				if (rib_byattr_add(rib->byattr, p) < 0) {
					rib_byattr_stop(rib);
					return -ENOMEM;
				}
	return 0;
}

void rib_byattr_stop(struct rib *rib)
{
	rib_byattr_free(rib->byattr);
	rib->byattr = NULL;
}

/* p has its attributes now: it joins their group. */
static void byattr_add(struct rib *rib, struct rib_path *p)
{
	if (rib->byattr && rib_byattr_add(rib->byattr, p) < 0) {
		log_warnx("rib: out of memory indexing paths by attributes: index dropped");
		rib_byattr_stop(rib);
	}
}

/* p is about to lose its attributes (replaced, or the path freed). */
static void byattr_del(struct rib *rib, struct rib_path *p)
{
	if (rib->byattr)
		rib_byattr_del(rib->byattr, p);
}

static void path_free(struct rib *rib, struct rib_path *p)
{
	byattr_del(rib, p);
	attr_unref(p->attrs);
	slab_free(&rib->path_slab, p);
}

void rib_free(struct rib *rib)
{
	if (!rib)
		return;
	for (size_t i = 0; i < rib->n_buckets; i++)
		for (struct rib_entry *e = rib->buckets[i]; e; e = e->hnext)
			for (struct rib_path *p = e->paths; p; p = p->next)
				attr_unref(p->attrs);
	rib_byattr_stop(rib);
	slab_destroy(&rib->entry_slab);
	slab_destroy(&rib->path_slab);
	free(rib->buckets);
	free(rib);
}

#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u

static uint32_t rd_state(const struct rd *rd)
{
	uint32_t h = FNV_BASIS;

	for (int i = 0; i < 8; i++)
		h = (h ^ rd->b[i]) * FNV_PRIME;
	return h;
}

static uint32_t key_finish(uint32_t h, const struct prefix4 *p)
{
	h = (h ^ p->addr) * FNV_PRIME;
	h = (h ^ p->len) * FNV_PRIME;
	/*
	 * Finalizer (MurmurHash3 fmix32): a multiply only carries bits upward, so
	 * without it the bucket index (the low bits) never saw the prefix's upper
	 * 24 bits, and /24s of one RD shared a few hundred buckets.
	 */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

uint32_t rib_key_hash(const struct rd *rd, const struct prefix4 *p)
{
	return key_finish(rd_state(rd), p);
}

/*
 * The same hash, with the RD's part remembered: an UPDATE's NLRI nearly
 * always share one RD, and the byte-wise RD steps (eight dependent
 * multiplies) were most of the hashing time. The function itself cannot
 * change without api_rib.c's walk order changing with it.
 */
static uint32_t key_hash(struct rib *rib, const struct rd *rd, const struct prefix4 *p)
{
	if (!rib->memo_valid || !rd_equal(&rib->memo_rd, rd)) {
		rib->memo_rd = *rd;
		rib->memo_state = rd_state(rd);
		rib->memo_valid = true;
	}
	return key_finish(rib->memo_state, p);
}

static bool key_eq(const struct rib_entry *e, uint32_t h, const struct rd *rd,
		   const struct prefix4 *p)
{
	return e->hash == h && e->prefix.addr == p->addr && e->prefix.len == p->len &&
	       rd_equal(&e->rd, rd);
}

static struct rib_entry *lookup_hashed(const struct rib *rib, uint32_t h, const struct rd *rd,
				       const struct prefix4 *prefix)
{
	struct rib_entry *e;

	if (!rib->n_buckets)
		return NULL;
	for (e = rib->buckets[h & (rib->n_buckets - 1)]; e; e = e->hnext)
		if (key_eq(e, h, rd, prefix))
			return e;
	return NULL;
}

struct rib_entry *rib_lookup(struct rib *rib, const struct rd *rd, const struct prefix4 *prefix)
{
	return lookup_hashed(rib, key_hash(rib, rd, prefix), rd, prefix);
}

void rib_prefetch(struct rib *rib, const struct rd *rd, const struct prefix4 *prefix, bool deep)
{
	struct rib_entry **slot;

	if (!rib->n_buckets)
		return;
	slot = &rib->buckets[key_hash(rib, rd, prefix) & (rib->n_buckets - 1)];
	if (!deep)
		__builtin_prefetch(slot);
	else if (*slot)
		__builtin_prefetch(*slot);
}

#define GROW_PREFETCH 8 /* chains ahead whose first entry is fetched while splitting */

/*
 * Doubles the table in place: realloc (mremap for a large table, no copy)
 * and each chain i split between i and i + old size by the hash bit that
 * became significant. Only the stored hashes are read; the first entries of
 * the chains ahead are fetched early, since the entries sit all over memory.
 */
static void table_grow(struct rib *rib)
{
	size_t ob = rib->n_buckets, nb = ob ? ob * 2 : 1024;
	struct rib_entry **t = realloc(rib->buckets, nb * sizeof(*t));

	if (!t)
		return;
	memset(t + ob, 0, (nb - ob) * sizeof(*t));
	for (size_t i = 0; i < ob; i++) {
		struct rib_entry *e = t[i], *en, **lo = &t[i], **hi = &t[i + ob];

		if (i + GROW_PREFETCH < ob && t[i + GROW_PREFETCH])
			__builtin_prefetch(t[i + GROW_PREFETCH]);
		for (; e; e = en) {
			en = e->hnext;
			if (e->hash & ob) {
				*hi = e;
				hi = &e->hnext;
			} else {
				*lo = e;
				lo = &e->hnext;
			}
		}
		*lo = NULL;
		*hi = NULL;
	}
	rib->buckets = t;
	rib->n_buckets = nb;
}

static struct rib_entry *entry_get(struct rib *rib, const struct rd *rd, const struct prefix4 *p)
{
	uint32_t h = key_hash(rib, rd, p);
	struct rib_entry *e = lookup_hashed(rib, h, rd, p);
	size_t b;

	if (e)
		return e;
	if (rib->n_entries >= rib->n_buckets)
		table_grow(rib);
	if (!rib->n_buckets)
		return NULL;
	e = slab_alloc(&rib->entry_slab);
	if (!e)
		return NULL;
	e->rd = *rd;
	e->prefix = *p;
	e->hash = h;
	b = h & (rib->n_buckets - 1);
	e->hnext = rib->buckets[b];
	rib->buckets[b] = e;
	rib->n_entries++;
	return e;
}

/* best_changed false: only the entry's paths came or went (paths_only, rib.h). */
static void changed_push(struct rib *rib, struct rib_entry *e, bool best_changed)
{
	if (e->queued) {
		e->paths_only &= !best_changed;
		return;
	}
	e->queued = true;
	e->paths_only = !best_changed;
	e->chg_next = NULL;
	if (rib->chg_tail)
		rib->chg_tail->chg_next = e;
	else
		rib->chg_head = e;
	rib->chg_tail = e;
}

/*
 * Re-runs selection; queues e when the best path changed, when `touched` (a
 * path whose attributes changed) is the best, or when `force` (the best was removed).
 */
static void entry_select(struct rib *rib, struct rib_entry *e, const struct rib_path *touched,
			 bool force)
{
	struct rib_path *old = e->best, *best = e->paths, *second = NULL;

	for (struct rib_path *p = e->paths ? e->paths->next : NULL; p; p = p->next) {
		if (rib_path_cmp(p, best, NULL) < 0) {
			second = best;
			best = p;
		} else if (!second || rib_path_cmp(p, second, NULL) < 0) {
			second = p;
		}
	}
	e->best = best;
	e->best_reason = best ? "only path" : NULL;
	if (best && second)
		rib_path_cmp(best, second, &e->best_reason);
	if (force || best != old || (touched && touched == best))
		changed_push(rib, e, true);
}

static void path_unlink(struct rib *rib, struct rib_path *p)
{
	struct rib_entry *e = p->entry;
	struct rib_path **pp;
	bool was_best = e->best == p;

	for (pp = &e->paths; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->src_prev)
		p->src_prev->src_next = p->src_next;
	else
		p->src->paths = p->src_next;
	if (p->src_next)
		p->src_next->src_prev = p->src_prev;
	p->src->n_paths--;
	p->src->n_stale -= p->stale;
	p->src->n_llgr -= p->llgr;
	rib->n_paths--;
	if (was_best)
		e->best = NULL;
	path_free(rib, p);
	entry_select(rib, e, NULL, was_best);
	changed_push(rib, e, false); /* always queued now: freed, if empty, when popped */
}

static struct rib_path *path_find(struct rib_entry *e, const struct rib_source *src)
{
	for (struct rib_path *p = e->paths; p; p = p->next)
		if (p->src == src)
			return p;
	return NULL;
}

static struct rib_path *path_new(struct rib *rib, struct rib_entry *e, struct rib_source *src)
{
	struct rib_path *p = slab_alloc(&rib->path_slab);

	if (!p)
		return NULL;
	p->entry = e;
	p->src = src;
	p->next = e->paths;
	e->paths = p;
	p->src_next = src->paths;
	if (src->paths)
		src->paths->src_prev = p;
	src->paths = p;
	src->n_paths++;
	rib->n_paths++;
	return p;
}

int rib_update(struct rib *rib, struct rib_source *src, const struct rd *rd,
	       const struct prefix4 *prefix, struct attr_set *attrs, uint32_t label)
{
	struct rib_entry *e = entry_get(rib, rd, prefix);
	struct rib_path *p;
	bool added;

	if (!e)
		return -ENOMEM;
	p = path_find(e, src);
	if (p && p->stale) {
		src->n_stale--;
		p->stale = false;
		src->n_llgr -= p->llgr;
		p->llgr = false; /* attrs is what the peer sent: LLGR_STALE only if it did */
	}
	if (p && p->attrs == attrs && p->label == label)
		return 0; /* a refresh that changes nothing */
	added = !p;
	if (added && !(p = path_new(rib, e, src))) {
		rib_entry_done(rib, e);
		return -ENOMEM;
	}
	byattr_del(rib, p);
	attr_unref(p->attrs);
	p->attrs = attr_ref(attrs);
	p->label = label;
	byattr_add(rib, p);
	entry_select(rib, e, p, false);
	if (added)
		changed_push(rib, e, false); /* behind the best, its count still changed */
	return 0;
}

int rib_withdraw(struct rib *rib, struct rib_source *src, const struct rd *rd,
		 const struct prefix4 *prefix)
{
	struct rib_entry *e = rib_lookup(rib, rd, prefix);
	struct rib_path *p = e ? path_find(e, src) : NULL;

	if (!p)
		return -ENOENT;
	path_unlink(rib, p);
	return 0;
}

size_t rib_source_flush(struct rib *rib, struct rib_source *src)
{
	size_t n = 0;

	while (src->paths) {
		path_unlink(rib, src->paths);
		n++;
	}
	return n;
}

void rib_source_mark_stale(struct rib_source *src)
{
	for (struct rib_path *p = src->paths; p; p = p->src_next)
		p->stale = true;
	src->n_stale = src->n_paths;
}

size_t rib_source_sweep(struct rib *rib, struct rib_source *src)
{
	struct rib_path *p = src->paths, *next;
	size_t n = 0;

	for (; p; p = next) {
		next = p->src_next;
		if (p->stale) {
			path_unlink(rib, p);
			n++;
		}
	}
	return n;
}

void rib_path_set_llgr(struct rib *rib, struct rib_path *p, struct attr_set *attrs)
{
	if (!p->llgr)
		p->src->n_llgr++;
	p->llgr = true;
	if (p->attrs != attrs) {
		byattr_del(rib, p);
		attr_unref(p->attrs);
		p->attrs = attr_ref(attrs);
		byattr_add(rib, p);
	}
	entry_select(rib, p->entry, p, false);
}

void rib_path_remove(struct rib *rib, struct rib_path *p)
{
	path_unlink(rib, p);
}

void rib_source_reselect(struct rib *rib, struct rib_source *src)
{
	for (struct rib_path *p = src->paths; p; p = p->src_next)
		entry_select(rib, p->entry, p, false);
}

struct rib_entry *rib_changed_pop(struct rib *rib)
{
	struct rib_entry *e = rib->chg_head;

	if (!e)
		return NULL;
	rib->chg_head = e->chg_next;
	if (!rib->chg_head)
		rib->chg_tail = NULL;
	e->chg_next = NULL;
	e->queued = false;
	return e;
}

static bool entry_unused(const struct rib *rib, const struct rib_entry *e)
{
	if (e->paths || e->queued || e->exported || e->export_pending)
		return false;
	for (size_t i = 0; i < rib->adv_words; i++)
		if (e->adv[i])
			return false;
	return true;
}

void rib_entry_done(struct rib *rib, struct rib_entry *e)
{
	struct rib_entry **pp;

	if (!entry_unused(rib, e))
		return;
	pp = &rib->buckets[e->hash & (rib->n_buckets - 1)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	rib->n_entries--;
	slab_free(&rib->entry_slab, e);
}

bool rib_adv_test(const struct rib_entry *e, unsigned slot)
{
	return (e->adv[slot / 64] >> (slot % 64)) & 1u;
}

void rib_adv_set(struct rib_entry *e, unsigned slot, bool on)
{
	if (on)
		e->adv[slot / 64] |= (uint64_t)1 << (slot % 64);
	else
		e->adv[slot / 64] &= ~((uint64_t)1 << (slot % 64));
}

void rib_adv_clear_slot(struct rib *rib, unsigned slot)
{
	rib_adv_clear_slots(rib, &slot, 1);
}

void rib_adv_clear_slots(struct rib *rib, const unsigned *slots, size_t n)
{
	for (size_t i = 0; i < rib->n_buckets; i++) {
		struct rib_entry *e = rib->buckets[i], *en;

		for (; e; e = en) {
			en = e->hnext;
			for (size_t k = 0; k < n; k++)
				rib_adv_set(e, slots[k], false);
			rib_entry_done(rib, e);
		}
	}
}

void rib_walk(struct rib *rib, void (*fn)(struct rib_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < rib->n_buckets; i++)
		for (struct rib_entry *e = rib->buckets[i]; e; e = e->hnext)
			fn(e, arg);
}

void rib_walk_safe(struct rib *rib, void (*fn)(struct rib_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < rib->n_buckets; i++) {
		struct rib_entry *e = rib->buckets[i], *en;

		for (; e; e = en) {
			en = e->hnext; /* fn may free e: the table never shrinks, so en stays */
			fn(e, arg);
		}
	}
}

static int entry_order(const void *x, const void *y)
{
	const struct rib_entry *a = *(const struct rib_entry *const *)x;
	const struct rib_entry *b = *(const struct rib_entry *const *)y;
	int c = memcmp(a->rd.b, b->rd.b, 8);

	if (c)
		return c;
	if (a->prefix.addr != b->prefix.addr)
		return a->prefix.addr < b->prefix.addr ? -1 : 1;
	return (int)a->prefix.len - (int)b->prefix.len;
}

struct rib_entry **rib_sorted(struct rib *rib, size_t *n)
{
	struct rib_entry **v;
	size_t k = 0;

	*n = 0;
	if (!rib->n_entries || !(v = malloc(rib->n_entries * sizeof(*v))))
		return NULL;
	for (size_t i = 0; i < rib->n_buckets; i++)
		for (struct rib_entry *e = rib->buckets[i]; e; e = e->hnext)
			v[k++] = e;
	qsort(v, k, sizeof(*v), entry_order);
	*n = k;
	return v;
}
