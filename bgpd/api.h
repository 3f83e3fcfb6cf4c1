/*
 * bgpd's JSON API (docs/api.md), spread over files by concern:
 *   api.c          the route table, GET /neighbors, one path's JSON
 *   api_rib.c      GET /routes (filters, cursor paging, streamed) and
 *                  GET /route (one destination, every path, why the best won)
 *   api_neighbor.c GET /neighbor?address= (timers, capabilities, counters)
 *   events.c       GET /events (route and session changes) and the ring
 *   api_metrics.c  GET /metrics (Prometheus text)
 *   api_reload.c   GET /reload/check (a reload's dry run)
 * Everything here only reads the speaker's structs.
 */
#ifndef FERRY_BGPD_API_H
#define FERRY_BGPD_API_H

#include "bgpd/bgpd.h"
#include "common/api.h"

/* api.c: one path of destination e, and one neighbor, as JSON objects. */
void bgpd_api_path_json(struct jw *w, const struct rib_entry *e, const struct rib_path *p);
void bgpd_api_neighbor_json(struct jw *w, const struct bgp_peer *p);
/*
 * "route_target_constraint": null without RFC 4684 on the session, else
 * its membership counts; detail adds the VPN routes held back by it (a
 * walk of the RIB: /neighbor only, never the /neighbors list).
 */
void bgpd_api_rtc_json(struct jw *w, const struct bgp_peer *p, bool detail);

/* The route serving path (for tests), or NULL. */
const struct api_route *bgpd_api_find(const char *path);

/* api_reload.c: GET /reload/check, a reload's dry run (Unix socket only) */
int bgpd_api_reload_check(struct jw *w, const struct api_request *req, void *ctx);

/* api_rib.c */
int bgpd_api_routes(struct jw *w, const struct api_request *req, void *ctx);
int bgpd_api_route(struct jw *w, const struct api_request *req, void *ctx);

/*
 * The RIB walk behind /routes, usable without HTTP (tests, benchmarks):
 * entries in a fixed order that does not depend on the hash table's size
 * (by bit-reversed hash, then key), so a cursor taken from one entry stays
 * valid while the table grows and routes come and go.
 */
struct rib_cursor {
	uint32_t rh; /* bit-reversed hash */
	struct rd rd;
	struct prefix4 prefix;
};
/*
 * Calls fn on the destinations after *c (from the first when !*started), in
 * order, until fn returns non-zero: *c is then that destination's cursor and
 * *started true, and the walk returns false; true when it reached the end.
 * fn must not change the RIB. Empty destinations (withdrawn, not yet
 * flushed) are visited too.
 */
bool bgpd_rib_walk(struct rib *rib, struct rib_cursor *c, bool *started,
		   int (*fn)(struct rib_entry *e, void *arg), void *arg);
/* The first destination after c (from the first when !started), c moved to it; NULL at the end. */
struct rib_entry *bgpd_rib_next(struct rib *rib, struct rib_cursor *c, bool started);
/* The cursor of rd:prefix (its position in the order). */
void bgpd_rib_cursor(const struct rd *rd, const struct prefix4 *p, struct rib_cursor *c);

/* api_neighbor.c */
int bgpd_api_neighbor(struct jw *w, const struct api_request *req, void *ctx);

/* api_metrics.c */
int bgpd_api_metrics(struct jw *w, const struct api_request *req, void *ctx);

/* events.c */
int bgpd_events_start(struct bgpd *d);
void bgpd_events_free(struct bgpd *d);
/*
 * Called for every destination whose best path changed, or only its number
 * of paths (bgpd.c's flush).
 */
void bgpd_events_route(struct bgpd *d, const struct rib_entry *e);
int bgpd_api_events(struct jw *w, const struct api_request *req, void *ctx);
uint64_t bgpd_events_last(const struct bgpd *d);
/* Publishes the session state changes not yet seen (before a reload frees a neighbor's slot). */
void bgpd_events_sessions(struct bgpd *d);
size_t bgpd_events_clients(const struct bgpd *d);

#endif
