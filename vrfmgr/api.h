/*
 * Shared by vrfmgr's API files (api.c, api_explain.c): the value writers
 * that keep every handler's JSON alike (addresses as strings, labels as
 * numbers or null, RTs as strings) and the handlers api.c registers.
 */
#ifndef FERRY_VRFMGR_API_H
#define FERRY_VRFMGR_API_H

#include <stddef.h>
#include <stdint.h>

#include "common/api.h"
#include "common/prefix.h"
#include "common/rd.h"
#include "vrfmgr/nexthop.h"

void vrfapi_kv_addr(struct jw *w, const char *key, uint32_t a);
void vrfapi_kv_prefix(struct jw *w, const char *key, const struct prefix4 *p);
void vrfapi_kv_label(struct jw *w, const char *key, uint32_t label);
void vrfapi_kv_rts(struct jw *w, const char *key, const struct ext_community *rts, size_t n);
/* The LSP a labeled next hop resolves through: {"fec","out_label","next_hop","interface"}. */
void vrfapi_kv_lsp(struct jw *w, const char *key, const struct cfg_lsp *l);

/* api_explain.c: GET /explain?rd=RD&prefix=PREFIX[&vrf=NAME] */
int vrfapi_explain(struct jw *w, const struct api_request *req, void *ctx);

struct vrf;
struct vrf_prefix;
struct vrfmgr;
/* api.c: the installed prefix of v a packet to addr takes (longest match), or NULL. */
const struct vrf_prefix *vrfapi_lookup(const struct vrf *v, uint32_t addr);

/* api_vpn.c: GET /vpn */
int vrfapi_vpn(struct jw *w, const struct api_request *req, void *ctx);

/* api_events.c: GET /events; start puts the tap in front of the dataplane */
int vrfapi_events_start(struct vrfmgr *vm);
int vrfapi_events(struct jw *w, const struct api_request *req, void *ctx);
uint64_t vrfapi_events_last(const struct vrfmgr *vm);
size_t vrfapi_events_clients(const struct vrfmgr *vm);
/* The dataplane behind the tap (fwd), for api_debug.c. */
const struct dataplane *vrfapi_real_dataplane(const struct vrfmgr *vm);

/* api_metrics.c: GET /metrics */
int vrfapi_metrics(struct jw *w, const struct api_request *req, void *ctx);

/* api_debug.c: POST /debug/fwd/... (write routes, test only) */
int vrfapi_debug_fib_del(struct jw *w, const struct api_request *req, void *ctx);
int vrfapi_debug_fib_label(struct jw *w, const struct api_request *req, void *ctx);

#endif
