/*
 * The LPM tests' random numbers (test_fwd_lpm.c, test_fwd_lpm_node.c):
 * xorshift64*, deterministic, so a failure is reproducible from the seed.
 */
#ifndef TEST_FWD_LPM_RNG_H
#define TEST_FWD_LPM_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

#endif
