/*
 * Each VRF's core-facing table (fib_core.c): what frames popped from the
 * core look up first. Control thread.
 */
#ifndef FERRY_FWD_FIB_CORE_H
#define FERRY_FWD_FIB_CORE_H

#include <stdbool.h>
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
/* A rebuild out of memory is tried again this long after, twice as long each time, up to the max. */
#define FIB_CORE_RETRY_MS 1000u
#define FIB_CORE_RETRY_MAX_MS (FIB_CORE_RETRY_MS << 6) /* 64 s */

/*
 * At v's commit: its core table built again from its full table, when it
 * was dropped (out of memory, or changes enough that a rebuild is cheaper
 * than keeping it); it answers only once committed. 0, -ENOMEM (it waits
 * to be tried again: fib_core_due), or -EAGAIN (it is waiting still).
 */
int fib_core_rebuild(struct fwd *f, struct fwd_vrf *v);
/* Whether v's core table waits for a rebuild that may be tried now. */
bool fib_core_due(const struct fwd *f, const struct fwd_vrf *v);
/* v goes: it waits for nothing any more. */
void fib_core_forget(struct fwd *f, struct fwd_vrf *v);

#endif
