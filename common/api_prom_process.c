/*
 * The daemon's own process in GET /metrics (api_prom_process, api.h): the
 * same gauges on bgpd, vrfmgr and fwd, under the names Prometheus client
 * libraries give their process collectors, so the usual dashboards and
 * alerts work unchanged; and ferry_heap_in_use_bytes, what the allocator has
 * handed out and not been given back. Resident memory also holds what was
 * freed and the allocator keeps for reuse; a leak is what makes the heap in
 * use grow (bench/soak reads it after each cycle).
 */
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/api.h"

#ifdef __SANITIZE_ADDRESS__
/* ASan's allocator serves malloc here, and mallinfo2 does not see it. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

static uint64_t heap_in_use(void)
{
#ifdef __SANITIZE_ADDRESS__
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return (uint64_t)mi.uordblks + mi.hblkhd; /* the heap's chunks and the mmapped ones */
#endif
}

/* Virtual and resident size from /proc/self/statm (in pages there); 0 when unreadable. */
static int statm_bytes(uint64_t *vm, uint64_t *rss)
{
	unsigned long long size = 0, resident = 0;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	if (n != 2 || page <= 0)
		return -1;
	*vm = size * (uint64_t)page;
	*rss = resident * (uint64_t)page;
	return 0;
}

/* Descriptors open now, the one reading the directory left out. */
static uint64_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	uint64_t n = 0;
	struct dirent *e;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 0 ? n - 1 : 0;
}

/*
 * When the process started, seconds since the epoch: field 22 of
 * /proc/self/stat (clock ticks after boot) plus btime of /proc/stat. The
 * command name in field 2 may hold spaces and parentheses, so the fields
 * are counted from its last ')'. 0 when either cannot be read.
 */
static double start_time(void)
{
	char buf[1024], *p;
	unsigned long long ticks = 0, btime = 0;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n;
	int field;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (field = 2; field < 22 && (p = strchr(p + 1, ' ')) != NULL; field++)
		;
	if (p == NULL || sscanf(p, " %llu", &ticks) != 1 || hz <= 0)
		return 0;
	if ((f = fopen("/proc/stat", "re")) == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), f) != NULL && sscanf(buf, "btime %llu", &btime) != 1)
		;
	fclose(f);
	return btime != 0 ? (double)btime + (double)ticks / (double)hz : 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static void gauge(struct jw *w, const char *name, const char *type, const char *help,
		  uint64_t v)
{
	api_prom_family(w, name, type, help);
	api_prom_sample(w, name, NULL, NULL, NULL, NULL, v);
}

static void gauge_f(struct jw *w, const char *name, const char *type, const char *help,
		    double v)
{
	api_prom_family(w, name, type, help);
	api_prom_sample_f(w, name, v);
}

void api_prom_process(struct jw *w)
{
	uint64_t vm = 0, rss = 0;
	struct rlimit rl;

	statm_bytes(&vm, &rss);
	gauge(w, "process_resident_memory_bytes", "gauge", "resident memory size in bytes", rss);
	gauge(w, "process_virtual_memory_bytes", "gauge", "virtual memory size in bytes", vm);
	gauge(w, "ferry_heap_in_use_bytes", "gauge",
	      "bytes malloc has handed out and not had back (resident memory also holds freed ones it keeps)",
	      heap_in_use());
	gauge_f(w, "process_cpu_seconds_total", "counter", "user and system CPU time in seconds",
		cpu_seconds());
	gauge(w, "process_open_fds", "gauge", "open file descriptors", open_fds());
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		gauge(w, "process_max_fds", "gauge", "the limit of open file descriptors",
		      rl.rlim_cur);
	gauge_f(w, "process_start_time_seconds", "gauge",
		"start time of the process since the epoch in seconds", start_time());
}
