/*
 * api_prom_process: the process families of GET /metrics, read back from
 * the text and checked against what the test itself does to the process
 * (memory it allocates, descriptors it opens, CPU it burns).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "common/api.h"
#include "common/jw.h"

#define MB (1024.0 * 1024.0)

/* The metrics text as api_prom_process writes it (NUL-terminated, to free). */
static char *render(void)
{
	struct evbuffer *b = evbuffer_new();
	struct jw w;
	size_t n;
	char *s;

	jw_init(&w, b);
	api_prom_process(&w);
	jw_flush(&w);
	n = evbuffer_get_length(b);
	s = malloc(n + 1);
	cr_assert_not_null(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

/* The sample of family name, which must have its HELP and TYPE (of type) before it. */
static double sample_of(const char *text, const char *name, const char *type)
{
	char want[160], *line;
	const char *p;
	double v;

	snprintf(want, sizeof(want), "# TYPE %s %s\n", name, type);
	cr_assert_not_null(strstr(text, want), "no %s line in:\n%s", want, text);
	snprintf(want, sizeof(want), "# HELP %s ", name);
	cr_assert_not_null(strstr(text, want), "no HELP of %s", name);
	snprintf(want, sizeof(want), "\n%s ", name);
	p = strstr(text, want);
	cr_assert_not_null(p, "no sample of %s in:\n%s", name, text);
	p += strlen(want);
	v = strtod(p, &line);
	cr_assert(line != p && *line == '\n', "%s: not a number: %.20s", name, p);
	return v;
}

static double metric(const char *name, const char *type)
{
	char *text = render();
	double v = sample_of(text, name, type);

	free(text);
	return v;
}

static double vmrss_bytes(void)
{
	char line[128];
	double kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

Test(api_prom_process, resident_memory_is_the_kernels_figure)
{
	double rss = metric("process_resident_memory_bytes", "gauge");
	double vm = metric("process_virtual_memory_bytes", "gauge");
	double status = vmrss_bytes();

	cr_assert_gt(rss, 0);
	cr_assert_geq(vm, rss);
	/* read a moment apart: rendering may touch a few pages more */
	cr_assert(rss > status - 4 * MB && rss < status + 4 * MB, "%.0f against VmRSS %.0f", rss,
		  status);
}

Test(api_prom_process, heap_in_use_follows_malloc_and_free)
{
	double before = metric("ferry_heap_in_use_bytes", "gauge"), held, after;
	char *p = malloc(32 * 1024 * 1024);

	cr_assert_not_null(p);
	memset(p, 1, 32 * 1024 * 1024);
	held = metric("ferry_heap_in_use_bytes", "gauge");
	free(p);
	after = metric("ferry_heap_in_use_bytes", "gauge");
	cr_assert_geq(held, before + 32 * MB, "%.0f then %.0f", before, held);
	cr_assert_leq(after, held - 31 * MB, "%.0f after the free, %.0f before", after, held);
}

Test(api_prom_process, open_descriptors_counted_exactly)
{
	double before = metric("process_open_fds", "gauge"), with, after;
	int fd[3];
	struct rlimit rl;

	for (int i = 0; i < 3; i++)
		cr_assert_geq(fd[i] = open("/dev/null", O_RDONLY), 0);
	with = metric("process_open_fds", "gauge");
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	after = metric("process_open_fds", "gauge");
	cr_assert_eq(with, before + 3);
	cr_assert_eq(after, before);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur != RLIM_INFINITY)
		cr_assert_eq(metric("process_max_fds", "gauge"), (double)rl.rlim_cur);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(api_prom_process, cpu_seconds_grow_with_work)
{
	double before = metric("process_cpu_seconds_total", "counter"), after;
	double start = cpu_now();
	volatile uint64_t x = 0;
	time_t give_up = time(NULL) + 10;

	/* 0.2 s of CPU, or give up after 10 s of wall time on a loaded machine */
	while (cpu_now() < start + 0.2 && time(NULL) < give_up)
		for (int i = 0; i < 100000; i++)
			x += (uint64_t)i;
	after = metric("process_cpu_seconds_total", "counter");
	cr_assert_geq(cpu_now(), start + 0.2, "the machine gave no CPU for 10 s");
	/* getrusage and the CPU clock round differently: allow 20 ms */
	cr_assert_geq(after, before + 0.18, "%.3f then %.3f", before, after);
}

Test(api_prom_process, start_time_is_this_process)
{
	double t = metric("process_start_time_seconds", "gauge");
	double now = (double)time(NULL);

	/* Criterion runs each test in a process of its own, started moments ago */
	cr_assert(t > now - 600 && t <= now + 1, "start %.3f, now %.0f", t, now);
}
