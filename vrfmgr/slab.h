/*
 * A fixed-size object allocator for vrfmgr's per-route structures (VPN
 * routes, VRF prefixes and routes: millions of them). malloc adds 8 bytes
 * to each and rounds up to 16, 16-24 bytes a route over three objects;
 * here objects are cut from 64 KB blocks back to back and freed ones are
 * reused. Blocks are only given back at exit (slab_release_all), so that
 * valgrind sees vrfmgr free everything and an object still held then is
 * named. Built with AddressSanitizer it is plain calloc/free, so the unit
 * tests still catch use after free.
 */
#ifndef FERRY_VRFMGR_SLAB_H
#define FERRY_VRFMGR_SLAB_H

#include <stdbool.h>
#include <stddef.h>

struct slab {
	size_t size;      /* object size, a multiple of 8 */
	void *free;       /* freed objects, linked through their first word */
	char *next, *end; /* what is left of the current block */
	size_t live;      /* objects handed out */
	void *blocks;     /* its blocks, linked through their first word */
	bool listed;      /* on the list slab_release_all walks (since its first object) */
	struct slab *all_next;
};

#define SLAB_INIT(type) { .size = (sizeof(type) + 7) & ~(size_t)7 }

/* A zeroed object, or NULL when out of memory (logged). */
void *slab_alloc(struct slab *s);
/* Gives p (from slab_alloc on s, or NULL) back. */
void slab_free(struct slab *s, void *p);
/*
 * At exit, once every object is freed: gives every slab's blocks back. A slab
 * with objects still out keeps its blocks and says how many (logged); the
 * number of such slabs is returned.
 */
int slab_release_all(void);

#endif
