/*
 * The VRF names that left (label.h): each with the RD it had, so that a
 * VRF built later under the name can be told apart from another tenant
 * behind the same name. Kept while the name's labels may be held down
 * (then forgotten with them), in a hash by name: a restart gives one per
 * VRF from the state file, and every VRF built looks its name up, so a PE
 * with thousands of VRFs must not pay a list walk for each.
 */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/log.h"
#include "vrfmgr/label.h"

#define LEFT_HASH_MIN 16

static size_t name_hash(const char *vrf, size_t nb)
{
	return (size_t)hash_mix64(hash_fnv1a(HASH_FNV_OFFSET, vrf, strnlen(vrf, CFG_NAME_MAX))) &
	       (nb - 1);
}

/* The link that points at vrf's record (at NULL when it has none); NULL when there is no table. */
static struct label_vrf_rd **left_link(const struct label_alloc *la, const char *vrf)
{
	struct label_vrf_rd **pp;

	if (la->left_nb == 0)
		return NULL;
	for (pp = &la->left[name_hash(vrf, la->left_nb)]; *pp != NULL; pp = &(*pp)->next)
		if (strncmp((*pp)->vrf, vrf, sizeof((*pp)->vrf)) == 0)
			break;
	return pp;
}

/* Room for one more name: the table doubles, keeping chains short. */
static int left_grow(struct label_alloc *la)
{
	size_t nb = la->left_nb ? la->left_nb * 2 : LEFT_HASH_MIN;
	struct label_vrf_rd **h;

	if (la->n_left + 1 <= la->left_nb)
		return 0;
	if ((h = calloc(nb, sizeof(*h))) == NULL)
		return -1;
	for (size_t b = 0; b < la->left_nb; b++) {
		struct label_vrf_rd *l, *next;

		for (l = la->left[b]; l != NULL; l = next) {
			size_t i = name_hash(l->vrf, nb);

			next = l->next;
			l->next = h[i];
			h[i] = l;
		}
	}
	free(la->left);
	la->left = h;
	la->left_nb = nb;
	return 0;
}

void label_vrf_left(struct label_alloc *la, const char *vrf, const struct rd *rd)
{
	struct label_vrf_rd **pp = left_link(la, vrf), *l = pp != NULL ? *pp : NULL;

	if (l == NULL) {
		if (left_grow(la) < 0 || (l = calloc(1, sizeof(*l))) == NULL) {
			log_warn("label allocator: vrf %s (its labels are retired at once)", vrf);
			label_retire(la, vrf);
			return;
		}
		strncpy(l->vrf, vrf, sizeof(l->vrf) - 1);
		pp = &la->left[name_hash(vrf, la->left_nb)];
		l->next = *pp;
		*pp = l;
		la->n_left++;
	}
	l->rd = *rd;
	l->since = la->clock();
	la->dirty = true;
}

const struct rd *label_vrf_left_rd(const struct label_alloc *la, const char *vrf)
{
	struct label_vrf_rd **pp = left_link(la, vrf);

	return pp != NULL && *pp != NULL ? &(*pp)->rd : NULL;
}

static void left_unlink(struct label_alloc *la, struct label_vrf_rd **pp)
{
	struct label_vrf_rd *l = *pp;

	*pp = l->next;
	free(l);
	la->n_left--;
	la->dirty = true;
}

size_t label_vrf_arrived(struct label_alloc *la, const char *vrf, const struct rd *rd,
			 struct rd *was)
{
	struct label_vrf_rd **pp = left_link(la, vrf);
	size_t n = 0;

	if (pp == NULL || *pp == NULL)
		return 0;
	if (!rd_equal(&(*pp)->rd, rd)) {
		*was = (*pp)->rd;
		n = label_retire(la, vrf);
	}
	left_unlink(la, pp);
	return n;
}

void label_vrf_left_each(const struct label_alloc *la,
			 void (*fn)(void *ctx, const struct label_vrf_rd *l), void *ctx)
{
	for (size_t b = 0; b < la->left_nb; b++)
		for (const struct label_vrf_rd *l = la->left[b]; l != NULL; l = l->next)
			fn(ctx, l);
}

void label_left_expire(struct label_alloc *la)
{
	for (size_t b = 0; b < la->left_nb && la->n_left > 0; b++) {
		struct label_vrf_rd **pp = &la->left[b];

		while (*pp != NULL) {
			if (label_hold_left(la, (*pp)->since) == 0)
				left_unlink(la, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

void label_left_refresh(struct label_alloc *la)
{
	int64_t now = la->clock();

	for (size_t b = 0; b < la->left_nb; b++)
		for (struct label_vrf_rd *l = la->left[b]; l != NULL; l = l->next)
			l->since = now;
}

void label_left_free(struct label_alloc *la)
{
	for (size_t b = 0; b < la->left_nb; b++) {
		struct label_vrf_rd *l, *next;

		for (l = la->left[b]; l != NULL; l = next) {
			next = l->next;
			free(l);
		}
	}
	free(la->left);
	la->left = NULL;
	la->left_nb = la->n_left = 0;
}
