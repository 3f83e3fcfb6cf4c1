/*
 * fwd's API endpoints beyond api.c's tables (docs/api.md): GET /fib
 * (streamed, api_fib.c), GET /lookup
 * (what a packet to an address in a VRF gets: the longest-match result,
 * next hop and labels, with the gateway's ARP entry), GET /metrics
 * (Prometheus text) and GET /reload/check (api_reload.c). Registered in
 * api.c's route table. Per-VRF and per-label counters for /counters and
 * /metrics come from api_counters.c.
 */
#ifndef FERRY_FWD_API_EXTRA_H
#define FERRY_FWD_API_EXTRA_H

#include "common/api.h"

int fwd_api_lookup(struct jw *w, const struct api_request *req, void *ctx);
/* GET /fib, streamed and paged (api_fib.c). */
int fwd_api_fib(struct jw *w, const struct api_request *req, void *ctx);
int fwd_api_metrics(struct jw *w, const struct api_request *req, void *ctx);
/* GET /reload/check (api_reload.c): does the file still hold what fwd runs? Unix socket only. */
int fwd_api_reload_check(struct jw *w, const struct api_request *req, void *ctx);

struct fwd;
struct fwd_vrf;
struct fib_entry;
/* One route of /fib as JSON (api.c); e->nh not NULL. */
void fwd_api_fib_entry(struct jw *w, const struct fwd_vrf *v, const struct fib_entry *e);
/* The "vrfs" and "labels" members of GET /counters (api_counters.c): all, or only's. */
void fwd_api_counters_json(struct jw *w, const struct fwd *f, const struct fwd_vrf *only);
/* Their Prometheus families: ferry_fwd_vrf_*_total, ferry_fwd_label_*_total. */
void fwd_api_counters_prom(struct jw *w, const struct fwd *f);

#endif
