/*
 * fwd's API endpoints beyond api.c's tables (docs/api.md): GET /lookup
 * (what a packet to an address in a VRF gets: the longest-match result,
 * next hop and labels, with the gateway's ARP entry) and GET /metrics
 * (Prometheus text). Registered in api.c's route table.
 */
#ifndef FERRY_FWD_API_EXTRA_H
#define FERRY_FWD_API_EXTRA_H

#include "common/api.h"

int fwd_api_lookup(struct jw *w, const struct api_request *req, void *ctx);
int fwd_api_metrics(struct jw *w, const struct api_request *req, void *ctx);

#endif
