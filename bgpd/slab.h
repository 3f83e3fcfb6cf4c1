/*
 * Fixed-size object pools for the RIB's destinations and paths. A million
 * routes are two million small objects: from malloc each carries an 8-byte
 * header and rounding to 16 (80 B for a 72 B entry), and they end up
 * interleaved with the transient buffers of the same moment (socket input,
 * the IPC stream to vrfmgr), whose freed holes then stay resident. A pool
 * hands out exact-size objects from 1 MiB blocks of its own (mmap), so the
 * RIB costs what its structures say and the heap keeps only what is
 * transient, which glibc can give back.
 */
#ifndef FERRY_BGPD_SLAB_H
#define FERRY_BGPD_SLAB_H

#include <stddef.h>

struct slab_block;

struct slab {
	size_t obj_size;           /* rounded up to 8 */
	void *free;                /* freed objects, linked through their first word */
	struct slab_block *blocks; /* newest first */
	unsigned char *next, *end; /* unused tail of the newest block */
	size_t n_live;             /* objects handed out and not freed */
	size_t n_blocks;
};

/* A pool of objects of obj_size bytes (nothing allocated yet). */
void slab_init(struct slab *s, size_t obj_size);
/* A zeroed object, or NULL on ENOMEM. */
void *slab_alloc(struct slab *s);
/* Gives obj back; when none is left in use, the blocks go back to the kernel (one stays mapped). */
void slab_free(struct slab *s, void *obj);
/* Unmaps everything (objects still out become invalid). */
void slab_destroy(struct slab *s);
/* Bytes mapped for this pool. */
size_t slab_bytes(const struct slab *s);

#endif
