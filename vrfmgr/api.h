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

#endif
