/*
 * Each VRF's core-facing table (fib_core.c): what frames popped from the
 * core look up first. Control thread.
 */
#ifndef FERRY_FWD_FIB_CORE_H
#define FERRY_FWD_FIB_CORE_H

#include <stdint.h>

struct fwd;
struct fwd_vrf;

/*
 * A VRF whose core table is changed more than this plus a quarter of its
 * routes' count times between two commits has it rebuilt at the commit.
 */
#define FIB_CORE_BATCH_MIN 32

/* Route prefix/plen of v's full table was added or now has value id. */
void fib_core_set(struct fwd *f, struct fwd_vrf *v, uint32_t prefix, uint8_t plen, uint32_t id);
/* Route prefix/plen left v's full table. */
void fib_core_del(struct fwd *f, struct fwd_vrf *v, uint32_t prefix, uint8_t plen);
/*
 * At v's commit: its core table built again from its full table, when it
 * was dropped (out of memory, or changes enough that a rebuild is cheaper
 * than keeping it); it answers only once committed. 0 or -ENOMEM.
 */
int fib_core_rebuild(struct fwd *f, struct fwd_vrf *v);

#endif
