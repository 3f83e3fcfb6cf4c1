/*
 * The quiet-time trim (see trim.h). Waiting for quiet keeps it out of an
 * ingest or a withdrawal, whose tables would only grow again, and lets the
 * results a withdrawal retired reach the free list first (fib_commit, then a
 * grace period) so that their chunks can go.
 */
#include <malloc.h>

#include "common/clock.h"
#include "common/log.h"
#include "fwd/fib.h"
#include "fwd/nexthop.h"
#include "fwd/trim.h"

/*
 * Free heap worth handing back to the kernel. Only after the tables gave
 * something back (most routes gone): the heap is on 2 MB pages (hugepage.c),
 * and the trim splits those that hold free pages, so a large table under
 * ordinary churn keeps its pages whole.
 */
#define TRIM_HEAP_MIN (4u << 20)

size_t fwd_trim_tick(struct fwd *f, struct fwd_trim *t)
{
	uint64_t t0;
	size_t freed;
	struct mallinfo2 mi;

	if (f->table_changes != t->seen) {
		t->seen = f->table_changes;
		t->quiet = 0;
		t->done = false;
		return 0;
	}
	if (t->done || ++t->quiet < FWD_TRIM_QUIET_S || fib_pending(f))
		return 0;
	t->done = true;
	t0 = clock_mono_ms();
	if ((freed = fib_res_shrink(f) + nh_table_shrink(f)) == 0)
		return 0;
	mi = mallinfo2();
	if (mi.fordblks >= TRIM_HEAP_MIN)
		malloc_trim(0);
	log_info("table memory: %zu kB of results and indexes given back, %zu kB of free heap "
		 "to the kernel, in %llu ms", freed >> 10,
		 mi.fordblks >= TRIM_HEAP_MIN ? mi.fordblks >> 10 : 0,
		 (unsigned long long)(clock_mono_ms() - t0));
	return freed;
}
