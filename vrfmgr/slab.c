/*
 * Fixed-size objects from large blocks (slab.h).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vrfmgr/slab.h"

/*
 * Below malloc's mmap threshold on purpose: blocks come from the heap and
 * reuse what the IPC buffers freed (a million routes arrive through tens of
 * megabytes of buffer), which separate mappings would leave idle in RSS.
 */
#define SLAB_BLOCK (64 * 1024)
/* Each block's first bytes link it to the slab's previous block (objects stay 8-aligned). */
#define BLOCK_LINK 16

static struct slab *all_slabs; /* every slab that handed out an object */
static uint64_t slab_ops;      /* allocations and frees, all slabs: what "quiet" watches */

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_PLAIN_DEFAULT true
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_PLAIN_DEFAULT true
#endif
#endif
#ifndef SLAB_PLAIN_DEFAULT
#define SLAB_PLAIN_DEFAULT false
#endif

static bool plain = SLAB_PLAIN_DEFAULT;

void slab_set_plain(bool p)
{
	plain = p;
}

static size_t per_block(const struct slab *s)
{
	return (SLAB_BLOCK - BLOCK_LINK) / s->size;
}

/* A new current block (the rest of the old one, less than one object, stays unused). */
static int block_new(struct slab *s)
{
	char *b = malloc(SLAB_BLOCK);

	if (b == NULL) {
		s->next = s->end = NULL;
		log_warn("slab");
		return -1;
	}
	memcpy(b, &s->blocks, sizeof(void *));
	s->blocks = b;
	s->n_blocks++;
	s->next = b + BLOCK_LINK;
	s->end = b + SLAB_BLOCK;
	return 0;
}

static void list_in(struct slab *s)
{
	if (!s->listed) {
		s->listed = true;
		s->all_next = all_slabs;
		all_slabs = s;
	}
}

void *slab_alloc(struct slab *s)
{
	void *p;

	list_in(s);
	slab_ops++;
	if (plain) {
		if ((p = calloc(1, s->size)) == NULL)
			log_warn("slab");
		s->live += p != NULL;
		return p;
	}
	if (s->free != NULL) {
		p = s->free;
		memcpy(&s->free, p, sizeof(void *));
	} else {
		if ((size_t)(s->end - s->next) < s->size && block_new(s) < 0)
			return NULL;
		p = s->next;
		s->next += s->size;
		s->carved++;
	}
	memset(p, 0, s->size);
	s->live++;
	return p;
}

void slab_free(struct slab *s, void *p)
{
	if (p == NULL)
		return;
	s->live--;
	slab_ops++;
	if (plain) {
		free(p);
		return;
	}
	memcpy(p, &s->free, sizeof(void *));
	s->free = p;
}

/* ---- giving empty blocks back ---- */

struct block_count {
	char *start;
	size_t n_free;
};

static int by_start(const void *a, const void *b)
{
	const char *x = ((const struct block_count *)a)->start;
	const char *y = ((const struct block_count *)b)->start;

	return x < y ? -1 : x > y;
}

/* The block holding p (blocks sorted by start). */
static struct block_count *block_of(struct block_count *bc, size_t n, const char *p)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (bc[mid].start <= p)
			lo = mid;
		else
			hi = mid;
	}
	return &bc[lo];
}

/*
 * A block none of whose objects is out: every object cut from it is on the
 * free list. Not the current block (objects are still cut from it).
 */
static bool block_empty(const struct slab *s, const struct block_count *b)
{
	bool current = s->end != NULL && b->start == s->end - SLAB_BLOCK;

	return !current && b->n_free == per_block(s);
}

/* The free list without the objects of empty blocks, in the order it had. */
static void free_list_keep(struct slab *s, struct block_count *bc, size_t n)
{
	void *keep = NULL, *last = NULL, *none = NULL;

	for (void *p = s->free, *next; p != NULL; p = next) {
		memcpy(&next, p, sizeof(void *));
		if (block_empty(s, block_of(bc, n, p)))
			continue;
		if (last == NULL)
			keep = p;
		else
			memcpy(last, &p, sizeof(void *));
		last = p;
	}
	if (last != NULL)
		memcpy(last, &none, sizeof(void *));
	s->free = keep;
}

/* The empty blocks freed and left out of the block list; how many. */
static size_t blocks_release(struct slab *s, struct block_count *bc, size_t n)
{
	size_t gone = 0;

	s->blocks = NULL;
	for (size_t i = 0; i < n; i++) {
		if (block_empty(s, &bc[i])) {
			free(bc[i].start);
			gone++;
			continue;
		}
		memcpy(bc[i].start, &s->blocks, sizeof(void *));
		s->blocks = bc[i].start;
	}
	s->n_blocks -= gone;
	s->carved -= gone * per_block(s);
	return gone;
}

size_t slab_trim(struct slab *s)
{
	struct block_count *bc;
	size_t n = 0, gone;

	if (plain || s->carved - s->live < per_block(s) ||
	    (bc = calloc(s->n_blocks, sizeof(*bc))) == NULL)
		return 0;
	for (void *b = s->blocks; b != NULL; memcpy(&b, b, sizeof(void *)))
		bc[n++].start = b;
	qsort(bc, n, sizeof(*bc), by_start);
	for (void *p = s->free; p != NULL; memcpy(&p, p, sizeof(void *)))
		block_of(bc, n, p)->n_free++;
	free_list_keep(s, bc, n);
	gone = blocks_release(s, bc, n);
	free(bc);
	return gone * SLAB_BLOCK;
}

unsigned slab_quiet_ticks(void)
{
	static uint64_t seen;
	static unsigned quiet;

	if (slab_ops != seen) {
		seen = slab_ops;
		quiet = 0;
	} else if (quiet < UINT_MAX) {
		quiet++;
	}
	return quiet;
}

size_t slab_trim_all(void)
{
	size_t bytes = 0;
	bool worth = false;

	for (struct slab *s = all_slabs; s != NULL; s = s->all_next)
		worth |= s->carved - s->live >= 2 * per_block(s);
	for (struct slab *s = all_slabs; worth && s != NULL; s = s->all_next)
		bytes += slab_trim(s);
	return bytes;
}

int slab_release_all(void)
{
	int held = 0;

	for (struct slab *s = all_slabs, *next; s != NULL; s = next) {
		next = s->all_next;
		if (s->live != 0) {
			log_warnx("slab of %zu-byte objects: %zu still in use at exit", s->size,
				  s->live);
			held++;
			continue;
		}
		while (s->blocks != NULL) {
			void *b = s->blocks;

			memcpy(&s->blocks, b, sizeof(void *));
			free(b);
		}
		s->free = NULL;
		s->next = s->end = NULL;
		s->carved = s->n_blocks = 0;
	}
	return held;
}
