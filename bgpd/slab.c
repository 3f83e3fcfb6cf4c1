/*
 * Object pools (slab.h): bump allocation through mmap'd 1 MiB blocks, a
 * LIFO free list through the freed objects. Under AddressSanitizer a freed
 * object is poisoned until it is handed out again, so the unit tests still
 * catch a use after free of a RIB entry or path.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "bgpd/slab.h"
#include "common/log.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define SLAB_BLOCK ((size_t)1 << 20)

struct slab_block {
	struct slab_block *next;
	uint64_t pad; /* objects start 16-byte aligned */
};

void slab_init(struct slab *s, size_t obj_size)
{
	memset(s, 0, sizeof(*s));
	s->obj_size = obj_size < sizeof(void *) ? sizeof(void *) : (obj_size + 7) & ~(size_t)7;
}

static int block_add(struct slab *s)
{
	struct slab_block *b = mmap(NULL, SLAB_BLOCK, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED) {
		log_warn("slab: mmap %zu bytes", SLAB_BLOCK);
		return -ENOMEM;
	}
	b->next = s->blocks;
	s->blocks = b;
	s->n_blocks++;
	s->next = (unsigned char *)(b + 1);
	s->end = (unsigned char *)b + SLAB_BLOCK;
	POISON(s->next, (size_t)(s->end - s->next));
	return 0;
}

void *slab_alloc(struct slab *s)
{
	void *o = s->free;

	if (o) {
		UNPOISON(o, s->obj_size);
		s->free = *(void **)o;
	} else {
		if ((size_t)(s->end - s->next) < s->obj_size && block_add(s) < 0)
			return NULL;
		o = s->next;
		s->next += s->obj_size;
		UNPOISON(o, s->obj_size);
	}
	memset(o, 0, s->obj_size);
	s->n_live++;
	return o;
}

/* Every object is back: keep the newest block (emptied, its pages released), unmap the others. */
static void slab_shrink(struct slab *s)
{
	struct slab_block *keep = s->blocks, *b, *bn;

	for (b = keep->next; b; b = bn) {
		bn = b->next;
		UNPOISON(b, SLAB_BLOCK); /* the range may be mapped again by someone else */
		munmap(b, SLAB_BLOCK);
	}
	keep->next = NULL;
	s->n_blocks = 1;
	s->free = NULL;
	s->next = (unsigned char *)(keep + 1);
	s->end = (unsigned char *)keep + SLAB_BLOCK;
	POISON(s->next, (size_t)(s->end - s->next));
	/* the pages themselves go back too; the mapping stays for the next burst */
	madvise(keep, SLAB_BLOCK, MADV_DONTNEED);
}

void slab_free(struct slab *s, void *obj)
{
	if (!obj)
		return;
	*(void **)obj = s->free;
	s->free = obj;
	POISON(obj, s->obj_size);
	/* a withdraw-all gives its memory back; a pool that never passed one block keeps it */
	if (--s->n_live == 0 && s->n_blocks > 1)
		slab_shrink(s);
}

void slab_destroy(struct slab *s)
{
	struct slab_block *b, *bn;

	for (b = s->blocks; b; b = bn) {
		bn = b->next;
		UNPOISON(b, SLAB_BLOCK);
		munmap(b, SLAB_BLOCK);
	}
	slab_init(s, s->obj_size);
}

size_t slab_bytes(const struct slab *s)
{
	return s->n_blocks * SLAB_BLOCK;
}
