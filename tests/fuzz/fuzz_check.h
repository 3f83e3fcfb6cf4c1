/*
 * The harnesses' property check: a failed one names the harness
 * (FUZZ_NAME, defined before this is included) and the condition, and
 * aborts, so libFuzzer keeps the input (tests/fuzz/run greps "property
 * failed").
 */
#ifndef FERRY_FUZZ_CHECK_H
#define FERRY_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                          \
	do {                                                                              \
		if (!(c)) {                                                               \
			fprintf(stderr, FUZZ_NAME ": property failed: %s (%s:%d)\n", #c,  \
				__FILE__, __LINE__);                                      \
			abort();                                                          \
		}                                                                         \
	} while (0)

#endif
