/*
 * fwd gives memory back once the routes are gone: a withdrawal of a million
 * routes left the results' chunks, their hash and the next-hop index at
 * their peak (about 28 MB), and the heap's freed pages with the process.
 * After a few quiet seconds (no result or next hop made or dropped) the
 * tables shrink (fib_res_shrink, nh_table_shrink) and the heap's free pages
 * go back to the kernel (malloc_trim), once per quiet spell. Control thread.
 */
#ifndef FERRY_FWD_TRIM_H
#define FERRY_FWD_TRIM_H

#include <stdbool.h>
#include <stdint.h>

#include "fwd/fwd.h"

#define FWD_TRIM_QUIET_S 2

struct fwd_trim {
	uint64_t seen;  /* f->table_changes at the last tick */
	unsigned quiet; /* ticks since it last moved */
	bool done;      /* this quiet spell's trim made */
};

/* Once a second. Bytes the tables gave back (0 but on the tick that trims). */
size_t fwd_trim_tick(struct fwd *f, struct fwd_trim *t);

#endif
