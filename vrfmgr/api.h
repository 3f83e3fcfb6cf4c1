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

/* The routes api.c serves (each with the query parameters it takes), for tests too. */
extern const struct api_route vrfmgr_api_routes[];
extern const size_t vrfmgr_api_n_routes;
/* The route serving path, or NULL. */
const struct api_route *vrfmgr_api_route(const char *path);

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

#define VRFAPI_BATCH 8192 /* keys found per pass at least (128 KiB, inside the walk) */
#define VRFAPI_BATCH_MAX (1u << 18) /* at most (4 MiB): a bigger table takes more passes */
#define VRFAPI_FILL_SCAN 65536 /* keys a fill scans in passes before it yields (see below) */

/*
 * The walk's position is the last key handed out, never a pointer, so the
 * table may change (grow, lose entries) between two steps: the caller
 * looks each key up again and skips it when gone. Entries that exist
 * throughout are seen once each, in key order.
 *
 * Each batch costs a pass over the whole table, so a walk of n keys in
 * batches of b costs n * n / b: vrfapi_walk_reserve sizes the batch from
 * the table (n / 8: a full walk is ~8 passes) in memory of its own, which
 * vrfapi_walk_free returns. Without it the walk uses its 8192 keys inside.
 */
struct vrfapi_walk {
	struct vrfapi_key last;
	bool started;   /* last is valid */
	bool exhausted; /* the batch holds every key left */
	size_t n, pos, seen;
	size_t cap;                 /* keys per batch: VRFAPI_BATCH or big's size */
	uint64_t passes, scanned;   /* passes made and keys they looked at, ever */
	struct vrfapi_key *big;     /* the reserved batch, or NULL */
	struct vrfapi_key keys[VRFAPI_BATCH];
};
/* Calls cb for every key of table (in any order). */
typedef void (*vrfapi_each_fn)(const void *table,
			       void (*cb)(const struct vrfapi_key *k, void *arg), void *arg);
/* Sets the walk up (small batch, nothing reserved) before the first key, or after *after. */
void vrfapi_walk_start(struct vrfapi_walk *wk, const struct vrfapi_key *after);
/* Positions a started walk again (another table, ?after=), keeping its reserved batch. */
void vrfapi_walk_seek(struct vrfapi_walk *wk, const struct vrfapi_key *after);
/* The next key; false at the end. */
bool vrfapi_walk_next(struct vrfapi_walk *wk, vrfapi_each_fn each, const void *table,
		      struct vrfapi_key *out);
/*
 * Batches of max(VRFAPI_BATCH, count / 8) keys (at most VRFAPI_BATCH_MAX)
 * for a table of count keys; only grows. Keeps the small batch when out of
 * memory. Call after vrfapi_walk_start; vrfapi_walk_free when done.
 */
void vrfapi_walk_reserve(struct vrfapi_walk *wk, size_t count);
void vrfapi_walk_free(struct vrfapi_walk *wk);
/* dst goes on where src is (a probe: "does more follow?"), with a batch of its own. */
void vrfapi_walk_copy(struct vrfapi_walk *dst, const struct vrfapi_walk *src);
/*
 * True when the next step needs a pass over the table and this fill (which
 * began when the walk had scanned scanned0 keys) has already scanned
 * VRFAPI_FILL_SCAN: the fill should return API_FILL_MORE, so that a filter
 * matching little does not keep the daemon in one callback for the whole walk.
 */
bool vrfapi_walk_yield(const struct vrfapi_walk *wk, uint64_t scanned0);
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

/* api_reload.c: GET /reload/check, a reload's dry run (Unix socket only) */
int vrfapi_reload_check(struct jw *w, const struct api_request *req, void *ctx);

/* api_debug.c: POST /debug/fwd/... (write routes, test only) */
int vrfapi_debug_fib_del(struct jw *w, const struct api_request *req, void *ctx);
int vrfapi_debug_fib_label(struct jw *w, const struct api_request *req, void *ctx);

#endif
