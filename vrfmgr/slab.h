/*
 * A fixed-size object allocator for vrfmgr's per-route structures (VPN
 * routes, VRF prefixes and routes: millions of them). malloc adds 8 bytes
 * to each and rounds up to 16, 16-24 bytes a route over three objects;
 * here objects are cut from 64 KB blocks back to back and freed ones are
 * reused. Blocks whose objects are all free go back to the heap when the
 * slabs have been idle a while (slab_quiet_ticks, slab_trim_all: after a
 * table is withdrawn, not in the middle of it), and every block at exit (slab_release_all), so
 * that valgrind sees vrfmgr free everything and an object still held then
 * is named. Built with AddressSanitizer it is plain calloc/free, so the
 * unit tests still catch use after free (slab_set_plain lets a test use
 * the blocks all the same).
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
	size_t carved;    /* objects cut from the blocks it holds (live + free) */
	size_t n_blocks;
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
 * Gives the blocks of s whose objects are all free back to the heap (the
 * current block excepted); the bytes given back. It walks every free object
 * once: meant for a quiet moment, not for each free.
 */
size_t slab_trim(struct slab *s);
/*
 * Route memory goes back when things are quiet: after a table is withdrawn,
 * never in the middle of it (vrfmgr's tick: main.c). Routes come and go as
 * slab objects, so the slabs are what tells quiet from busy.
 */
#define SLAB_QUIET_TICKS 2
/*
 * Called once a second: how many calls in a row, this one included, saw no
 * object allocated or freed (0: some was since the last call).
 */
unsigned slab_quiet_ticks(void);
/*
 * When some slab holds at least two blocks' worth of free objects, trims
 * every slab (slab_trim); the bytes given back.
 */
size_t slab_trim_all(void);
/*
 * At exit, once every object is freed: gives every slab's blocks back. A slab
 * with objects still out keeps its blocks and says how many (logged); the
 * number of such slabs is returned.
 */
int slab_release_all(void);
/* Tests: blocks (false) or plain calloc/free (true, the ASan default); before any object. */
void slab_set_plain(bool plain);

#endif
