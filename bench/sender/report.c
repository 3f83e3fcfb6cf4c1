/*
 * bgp-sender's clocks and its key=value output (what bench scripts parse):
 * one line per fact on stdout, flushed at once so a script polling the
 * file sees it when it happens.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "bench/sender/sender.h"

double snd_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double snd_now_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void snd_emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}
