/*
 * Label allocator: a sorted array of allocated labels. Allocation takes the
 * lowest free label, so the first labels handed out are predictable (config
 * order at start) and released labels are reused. Linear scans are fine: a
 * PE holds one label per VRF here, and even per-prefix labels would be a few
 * thousand entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/label.h"

void label_alloc_init(struct label_alloc *la, uint32_t min, uint32_t max)
{
	memset(la, 0, sizeof(*la));
	if (min < MPLS_LABEL_FIRST_UNRESERVED)
		min = MPLS_LABEL_FIRST_UNRESERVED;
	if (max > MPLS_LABEL_MAX)
		max = MPLS_LABEL_MAX;
	la->min = min;
	la->max = max;
}

void label_alloc_free(struct label_alloc *la)
{
	free(la->v);
	memset(la, 0, sizeof(*la));
}

static int label_grow(struct label_alloc *la)
{
	size_t cap = la->cap ? la->cap * 2 : 16;
	struct label_entry *v = realloc(la->v, cap * sizeof(*v));

	if (v == NULL) {
		log_warn("label allocator");
		return -ENOMEM;
	}
	la->v = v;
	la->cap = cap;
	return 0;
}

uint32_t label_alloc_vrf(struct label_alloc *la, uint32_t vrf_id)
{
	uint32_t want = la->min;
	size_t i;

	if (la->min > la->max)
		return MPLS_LABEL_NONE;
	/* The array is sorted: the first gap is the lowest free label. */
	for (i = 0; i < la->n && la->v[i].label == want; i++)
		want++;
	if (want > la->max || want < la->min) {
		log_warnx("label range %u-%u is used up", la->min, la->max);
		return MPLS_LABEL_NONE;
	}
	if (la->n == la->cap && label_grow(la) < 0)
		return MPLS_LABEL_NONE;
	memmove(&la->v[i + 1], &la->v[i], (la->n - i) * sizeof(la->v[0]));
	la->v[i].label = want;
	la->v[i].vrf_id = vrf_id;
	la->n++;
	return want;
}

static size_t label_index(const struct label_alloc *la, uint32_t label)
{
	size_t lo = 0, hi = la->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (la->v[mid].label < label)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct label_entry *label_lookup(const struct label_alloc *la, uint32_t label)
{
	size_t i = label_index(la, label);

	return i < la->n && la->v[i].label == label ? &la->v[i] : NULL;
}

int label_release(struct label_alloc *la, uint32_t label)
{
	size_t i = label_index(la, label);

	if (i >= la->n || la->v[i].label != label)
		return -ENOENT;
	memmove(&la->v[i], &la->v[i + 1], (la->n - i - 1) * sizeof(la->v[0]));
	la->n--;
	return 0;
}
