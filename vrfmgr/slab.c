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

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_PLAIN 1
#endif
#endif

void *slab_alloc(struct slab *s)
{
	void *p;

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
		if ((size_t)(s->end - s->next) < s->size) {
			/* The rest of the old block (less than one object) is lost. */
			if ((s->next = malloc(SLAB_BLOCK)) == NULL) {
				s->end = NULL;
				log_warn("slab");
				return NULL;
			}
			s->end = s->next + SLAB_BLOCK;
		}
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
