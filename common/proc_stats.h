/*
 * The daemon's own process as the kernel and the allocator see it: what
 * GET /metrics (api_prom_process) and GET /process (api_process) report on
 * every daemon, and ferryctl show daemons lists.
 */
#ifndef FERRY_COMMON_PROC_STATS_H
#define FERRY_COMMON_PROC_STATS_H

#include <stdint.h>

struct proc_stats {
	uint64_t rss_bytes;     /* resident */
	uint64_t vm_bytes;      /* virtual */
	/*
	 * What malloc has handed out and not had back. Resident memory also
	 * holds what was freed and the allocator keeps for reuse: a leak is
	 * what makes this one grow.
	 */
	uint64_t heap_in_use_bytes;
	uint64_t open_fds;
	uint64_t max_fds;       /* 0: no limit */
	double cpu_seconds;     /* user + system */
	double start_time;      /* seconds since the epoch; 0 when /proc would not say */
};

/* Fills s; a figure that cannot be read is 0. */
void proc_stats_read(struct proc_stats *s);

#endif
