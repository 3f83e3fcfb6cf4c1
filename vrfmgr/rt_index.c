/*
 * The import index (rt_index.h). An open-addressing table keyed by the RT's
 * 8 bytes; each entry lists VRF slots in ascending order (built slot by
 * slot), so membership is a binary search and a VRF listing an RT twice is
 * listed once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/log.h"
#include "vrfmgr/rt_index.h"
#include "vrfmgr/vrf.h"

struct rtix_entry {
	struct ext_community rt;
	uint32_t *slots;
	uint32_t n, cap;
	bool used;
};

static size_t rtix_hash(const struct ext_community *rt)
{
	uint64_t k;

	/* A full mix: RTs differ in their last bytes, the top of the word. */
	memcpy(&k, rt->b, sizeof(k));
	return (size_t)hash_mix64(k);
}

static struct rtix_entry *rtix_slot(const struct rt_index *ix, const struct ext_community *rt)
{
	size_t i = rtix_hash(rt) & (ix->cap - 1);

	while (ix->e[i].used && !extcom_equal(&ix->e[i].rt, rt))
		i = (i + 1) & (ix->cap - 1);
	return &ix->e[i];
}

void rt_index_free(struct rt_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->e[i].slots);
	free(ix->e);
	free(ix->slot_by_id);
	memset(ix, 0, sizeof(*ix));
}

static int rtix_add(struct rt_index *ix, const struct ext_community *rt, uint32_t slot)
{
	struct rtix_entry *e = rtix_slot(ix, rt);

	if (!e->used) {
		e->used = true;
		e->rt = *rt;
		ix->n++;
	}
	if (e->n > 0 && e->slots[e->n - 1] == slot)
		return 0; /* the VRF lists this RT twice */
	if (e->n == e->cap) {
		uint32_t cap = e->cap ? e->cap * 2 : 2, *s = realloc(e->slots, cap * sizeof(*s));

		if (s == NULL)
			return -ENOMEM;
		e->slots = s;
		e->cap = cap;
	}
	e->slots[e->n++] = slot;
	return 0;
}

static bool vrf_indexed(const struct vrf *v)
{
	return v->cfg != NULL && !v->dying;
}

/* Sizes the tables for vrfs: RT slots at most half full, ids up to the highest. */
static int rtix_alloc(struct rt_index *ix, const struct vrf *vrfs, size_t n)
{
	size_t rts = 0, max_id = 0, cap = 16;

	for (size_t s = 0; s < n; s++) {
		if (!vrf_indexed(&vrfs[s]))
			continue;
		rts += vrfs[s].cfg->n_import_rts;
		if (vrfs[s].id > max_id)
			max_id = vrfs[s].id;
	}
	while (cap < 2 * rts)
		cap *= 2;
	ix->e = calloc(cap, sizeof(*ix->e));
	ix->slot_by_id = calloc(max_id + 1, sizeof(*ix->slot_by_id));
	if (ix->e == NULL || ix->slot_by_id == NULL)
		return -ENOMEM;
	ix->cap = cap;
	ix->n_ids = max_id + 1;
	return 0;
}

/* Doubles the RT table, the entries (and their slot lists) moved over. */
static int rtix_grow(struct rt_index *ix)
{
	size_t cap = ix->cap * 2;
	struct rtix_entry *e = calloc(cap, sizeof(*e)), *old = ix->e;
	size_t old_cap = ix->cap;

	if (e == NULL)
		return -ENOMEM;
	ix->e = e;
	ix->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].used)
			*rtix_slot(ix, &old[i].rt) = old[i];
	free(old);
	return 0;
}

int rt_index_append(struct rt_index *ix, const struct ext_community *rts, size_t n_rts,
		    uint32_t slot, uint32_t id)
{
	/* Ready, the index holds the array as it is: every slot in it is below this one. */
	if (!ix->ready || ix->cap == 0)
		return -EAGAIN;
	if (id >= ix->n_ids) {
		uint32_t *s = realloc(ix->slot_by_id, (id + 1) * sizeof(*s));

		if (s == NULL)
			goto fail;
		memset(s + ix->n_ids, 0, (id + 1 - ix->n_ids) * sizeof(*s));
		ix->slot_by_id = s;
		ix->n_ids = id + 1;
	}
	if (ix->slot_by_id[id] != 0)
		goto fail; /* the id is listed already: rebuild */
	ix->slot_by_id[id] = slot + 1;
	for (size_t i = 0; i < n_rts; i++) {
		if (2 * (ix->n + 1) > ix->cap && rtix_grow(ix) < 0)
			goto fail;
		if (rtix_add(ix, &rts[i], slot) < 0)
			goto fail;
	}
	return 0;
fail:
	ix->ready = false;
	return -ENOMEM;
}

int rt_index_build(struct rt_index *ix, const struct vrf *vrfs, size_t n)
{
	rt_index_free(ix);
	if (rtix_alloc(ix, vrfs, n) < 0)
		goto nomem;
	for (size_t s = 0; s < n; s++) {
		const struct vrf *v = &vrfs[s];

		if (!vrf_indexed(v))
			continue;
		ix->slot_by_id[v->id] = (uint32_t)s + 1;
		for (size_t i = 0; i < v->cfg->n_import_rts; i++)
			if (rtix_add(ix, &v->cfg->import_rts[i], (uint32_t)s) < 0)
				goto nomem;
	}
	ix->ready = true;
	return 0;
nomem:
	log_warn("import index");
	rt_index_free(ix);
	return -ENOMEM;
}

const uint32_t *rt_index_vrfs(const struct rt_index *ix, const struct ext_community *rt,
			      size_t *n)
{
	const struct rtix_entry *e;

	*n = 0;
	if (ix->cap == 0)
		return NULL;
	e = rtix_slot(ix, rt);
	if (!e->used)
		return NULL;
	*n = e->n;
	return e->slots;
}

bool rt_index_imports(const struct rt_index *ix, uint32_t slot, const struct ext_community *rts,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi;
		const uint32_t *s = rt_index_vrfs(ix, &rts[i], &hi);

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (s[mid] == slot)
				return true;
			if (s[mid] < slot)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return false;
}

long rt_index_slot(const struct rt_index *ix, uint32_t id)
{
	if (id >= ix->n_ids || ix->slot_by_id[id] == 0)
		return -1;
	return (long)ix->slot_by_id[id] - 1;
}
