/*
 * Shared by vrfmgr's API files (api.c, api_routes.c, api_vpn.c, ...): the
 * value writers that keep every handler's JSON alike (addresses as strings,
 * labels as numbers or null, RTs as strings), the ordered walk and filters
 * of the streamed listings (api_walk.c), and the handlers api.c registers.
 */
#ifndef FERRY_VRFMGR_API_H
#define FERRY_VRFMGR_API_H

#include <stdbool.h>
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

/* ---- api_walk.c: walks in key order over tables that change between chunks ---- */

/* A VPN key (RD, prefix) or a VRF's prefix (rd zero): sorted by RD, address, length. */
struct vrfapi_key {
	struct rd rd;
	uint32_t addr;
	uint8_t len;
};
int vrfapi_key_cmp(const struct vrfapi_key *a, const struct vrfapi_key *b);

#define VRFAPI_BATCH 8192 /* keys found per pass over a table (128 KiB) */

/*
 * The walk's position is the last key handed out, never a pointer, so the
 * table may change (grow, lose entries) between two steps: the caller
 * looks each key up again and skips it when gone. Entries that exist
 * throughout are seen once each, in key order.
 */
struct vrfapi_walk {
	struct vrfapi_key last;
	bool started;   /* last is valid */
	bool exhausted; /* the batch holds every key left */
	size_t n, pos, seen;
	struct vrfapi_key keys[VRFAPI_BATCH];
};
/* Calls cb for every key of table (in any order). */
typedef void (*vrfapi_each_fn)(const void *table,
			       void (*cb)(const struct vrfapi_key *k, void *arg), void *arg);
/* Positions the walk before the first key, or after *after. */
void vrfapi_walk_start(struct vrfapi_walk *wk, const struct vrfapi_key *after);
/* The next key; false at the end. */
bool vrfapi_walk_next(struct vrfapi_walk *wk, vrfapi_each_fn each, const void *table,
		      struct vrfapi_key *out);
void vrfapi_each_prefix(const void *rtable, void (*cb)(const struct vrfapi_key *k, void *arg),
			void *arg);
void vrfapi_each_vpn(const void *vpn_table, void (*cb)(const struct vrfapi_key *k, void *arg),
		     void *arg);

/* ?prefix=P&match=exact|longer|shorter, as bgpd's /routes has it. */
struct vrfapi_pfilter {
	bool has_prefix;
	struct prefix4 prefix;
	enum api_match match;
};
/* 0, or the 400 written. */
int vrfapi_pfilter_parse(struct jw *w, const struct api_request *req, struct vrfapi_pfilter *f);
bool vrfapi_pfilter_ok(const struct vrfapi_pfilter *f, const struct prefix4 *p);
/* "HEAD:PREFIX" (a page's "next"), split at the last ':'. 0 or -1. */
int vrfapi_after_split(const char *s, char *head, size_t len, struct prefix4 *p);

/* api_routes.c: GET /routes */
int vrfapi_routes(struct jw *w, const struct api_request *req, void *ctx);

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
