/*
 * fwd's -o KEY=VALUE overrides (options.h). Kept out of main.c so their
 * parsing and messages are unit tested; main.c prints the message and exits.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/opts.h"
#include "fwd/options.h"

/*
 * -o KEY=A|B: *second = whether the value is B; false (with the message in
 * err) when it is neither.
 */
static bool option_pair(const char *kv, const char *key, const char *a, const char *b,
			bool *second, char *err, size_t errlen)
{
	const char *v = kv + strlen(key) + 1;

	*second = strcmp(v, b) == 0;
	if (*second || strcmp(v, a) == 0)
		return true;
	snprintf(err, errlen, "fwd: -o %s: want %s=%s or %s=%s", kv, key, a, key, b);
	return false;
}

int fwd_option_apply(struct ferry_config *cfg, const char *kv, char *err, size_t errlen)
{
	const char *v = strchr(kv, '=');
	bool second;

	if (v != NULL && strncmp(kv, "io=", 3) == 0) {
		if (!option_pair(kv, "io", "af_packet", "af_xdp", &second, err, errlen))
			return -1;
		cfg->fwd.io = second ? CFG_FWD_IO_AF_XDP : CFG_FWD_IO_AF_PACKET;
		return 0;
	}
	if (v != NULL && strncmp(kv, "rx_ring=", 8) == 0) {
		if (!option_pair(kv, "rx_ring", "blocks", "frames", &second, err, errlen))
			return -1;
		cfg->fwd.rx_ring = second ? CFG_FWD_RX_FRAMES : CFG_FWD_RX_BLOCKS;
		return 0;
	}
	if (v != NULL && strncmp(kv, "workers=", 8) == 0) {
		char *end;
		unsigned long n = strtoul(v + 1, &end, 10);

		/* digits only: strtoul also takes " 4" and "+4" */
		if (v[1] >= '0' && v[1] <= '9' && *end == '\0' && n <= CFG_FWD_WORKERS_MAX) {
			cfg->fwd.workers = (uint32_t)n;
			return 0;
		}
		snprintf(err, errlen, "fwd: -o %s: want workers=0..%d", kv, CFG_FWD_WORKERS_MAX);
		return -1;
	}
	snprintf(err, errlen,
		 "fwd: -o %s: unknown setting (want io=..., rx_ring=... or workers=...)", kv);
	return -1;
}

void fwd_option_check(const char *kv)
{
	/* static: a whole config, of which only the fwd section is written */
	static struct ferry_config scratch;
	char err[256];

	if (fwd_option_apply(&scratch, kv, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(OPTS_EXIT_USAGE);
	}
}
