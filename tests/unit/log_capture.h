/*
 * Tests that read what a daemon logs: stderr goes into a temporary file from
 * log_capture on, and log_captured returns everything written there since
 * (the first 4 KB), so a test can look for a line.
 */
#ifndef FERRY_TESTS_LOG_CAPTURE_H
#define FERRY_TESTS_LOG_CAPTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "common/log.h"

static __attribute__((unused)) FILE *log_capture_file;

/* From now on, what is logged at level and worse goes to the capture file. */
static inline void log_capture(enum log_level level)
{
	cr_assert_not_null(log_capture_file = tmpfile());
	fflush(stderr);
	cr_assert_geq(dup2(fileno(log_capture_file), 2), 0);
	log_set_level(level);
}

static inline const char *log_captured(void)
{
	static char buf[4096];
	size_t n;

	fflush(stderr);
	rewind(log_capture_file);
	n = fread(buf, 1, sizeof(buf) - 1, log_capture_file);
	buf[n] = '\0';
	return buf;
}

#endif
