/*
 * fwd's command-line overrides, -o KEY=VALUE: one setting of the config's
 * fwd section changed for this run (the lab's --io option uses it, so one
 * config serves both backends).
 */
#ifndef FERRY_FWD_OPTIONS_H
#define FERRY_FWD_OPTIONS_H

#include <stddef.h>

#include "common/config.h"

/*
 * Applies kv ("io=af_xdp", "rx_ring=frames", "workers=4") to cfg. Returns 0,
 * or -1 with cfg untouched and a one-line message in err, prefixed "fwd: " as
 * fwd's other errors are:
 *   fwd: -o io=dpdk: want io=af_packet or io=af_xdp
 */
int fwd_option_apply(struct ferry_config *cfg, const char *kv, char *err, size_t errlen);

/*
 * kv checked before any config is read: one fwd_option_apply would refuse
 * is bad usage, its message alone on stderr and exit 2 (OPTS_EXIT_USAGE),
 * whatever the file holds.
 */
void fwd_option_check(const char *kv);

#endif
