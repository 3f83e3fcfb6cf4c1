/*
 * The process's own figures (proc_stats.h) from /proc/self, getrusage,
 * getrlimit and the allocator.
 */
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/proc_stats.h"

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

/* Virtual and resident size from /proc/self/statm (in pages there); left alone when unreadable. */
static void statm_bytes(uint64_t *vm, uint64_t *rss)
{
	unsigned long long size = 0, resident = 0;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	if (f == NULL)
		return;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	if (n != 2 || page <= 0)
		return;
	*vm = size * (uint64_t)page;
	*rss = resident * (uint64_t)page;
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

void proc_stats_read(struct proc_stats *s)
{
	struct rlimit rl;

	*s = (struct proc_stats){ 0 };
	statm_bytes(&s->vm_bytes, &s->rss_bytes);
	s->heap_in_use_bytes = heap_in_use();
	s->open_fds = open_fds();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		s->max_fds = rl.rlim_cur;
	s->cpu_seconds = cpu_seconds();
	s->start_time = start_time();
}
