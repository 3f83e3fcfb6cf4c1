/*
 * mem-latency: how long one load takes when it misses, by working-set size.
 * A chain of dependent loads walks a random cycle through a buffer (one
 * 64-byte line per step, on 2 MB pages so the TLB is not what is measured);
 * each load's address comes from the previous one, so nothing overlaps and
 * the time per step is the latency of wherever the buffer fits: L1, L2, the
 * part of L3 this VM gets, or DRAM. docs/performance.md uses it to explain
 * bench/fwd-lookup: whether the LPM's lines can be in cache at all.
 *
 *   mem-latency [-s STEPS]
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define LINE_WORDS 8 /* 64 bytes of uint64_t */
#define HUGE_PAGE (2u << 20)

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Links every line of buf (n lines) into one random cycle: line i holds the next one's word index. */
static void link_cycle(uint64_t *buf, size_t n)
{
	size_t *order = malloc(n * sizeof(*order));

	if (order == NULL) {
		perror("mem-latency: malloc");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
		size_t j = rng() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		buf[order[i] * LINE_WORDS] = order[(i + 1) % n] * LINE_WORDS;
	free(order);
}

/* Nanoseconds per dependent load over a buffer of bytes. */
static double chase(size_t bytes, long steps)
{
	uint64_t *buf;
	volatile uint64_t sink;
	uint64_t at = 0;
	double t0;

	if (posix_memalign((void **)&buf, HUGE_PAGE, bytes) != 0) {
		fprintf(stderr, "mem-latency: no memory for %zu bytes\n", bytes);
		exit(1);
	}
	madvise(buf, bytes, MADV_HUGEPAGE);
	link_cycle(buf, bytes / 64);
	for (long i = 0; i < steps / 10; i++) /* warm: the buffer and its page tables */
		at = buf[at];
	t0 = now_s();
	for (long i = 0; i < steps; i++)
		at = buf[at];
	sink = at;
	(void)sink;
	free(buf);
	return (now_s() - t0) * 1e9 / (double)steps;
}

int main(int argc, char **argv)
{
	static const size_t kb[] = { 256, 1024, 2048, 4096, 8192, 12288, 16384, 32768, 65536, 262144 };
	long steps = 20000000;
	int c;

	while ((c = getopt(argc, argv, "s:")) != -1) {
		if (c != 's' || (steps = atol(optarg)) <= 0) {
			fprintf(stderr, "usage: mem-latency [-s STEPS] (STEPS > 0)\n");
			return 2;
		}
	}
	printf("dependent loads, one random 64-byte line each, 2 MB pages, %ld steps a size\n", steps);
	for (size_t i = 0; i < sizeof(kb) / sizeof(kb[0]); i++)
		printf("%7zu KB  %6.1f ns a load\n", kb[i], chase(kb[i] << 10, steps));
	return 0;
}
