/*
 * Fixed-size objects from large blocks (slab.h).
 */
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

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_PLAIN 1
#endif
#endif

#ifndef SLAB_PLAIN
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
	s->next = b + BLOCK_LINK;
	s->end = b + SLAB_BLOCK;
	return 0;
}
#endif

void *slab_alloc(struct slab *s)
{
	void *p;

	if (!s->listed) {
		s->listed = true;
		s->all_next = all_slabs;
		all_slabs = s;
	}
#ifdef SLAB_PLAIN
	if ((p = calloc(1, s->size)) == NULL)
		log_warn("slab");
	s->live += p != NULL;
	return p;
#else
	if (s->free != NULL) {
		p = s->free;
		memcpy(&s->free, p, sizeof(void *));
	} else {
		if ((size_t)(s->end - s->next) < s->size && block_new(s) < 0)
			return NULL;
		p = s->next;
		s->next += s->size;
	}
	memset(p, 0, s->size);
	s->live++;
	return p;
#endif
}

void slab_free(struct slab *s, void *p)
{
	if (p == NULL)
		return;
	s->live--;
#ifdef SLAB_PLAIN
	free(p);
#else
	memcpy(p, &s->free, sizeof(void *));
	s->free = p;
#endif
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
	}
	return held;
}
