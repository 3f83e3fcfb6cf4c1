/*
 * fwd's JSON API (docs/api.md): GET /fib[?vrf=NAME][&limit=N&after=VRF:PREFIX],
 * /lfib, /arp, /counters on <run_dir>/fwd.sock. Handlers take the struct fwd as ctx.
 */
#ifndef FERRY_FWD_API_H
#define FERRY_FWD_API_H

#include <stddef.h>

#include "common/api.h"
#include "fwd/fwd.h"

extern const struct api_route fwd_api_routes[];
extern const size_t fwd_api_n_routes;

struct api_server *fwd_api_start(struct event_base *base, const char *path, struct fwd *f);

#endif
