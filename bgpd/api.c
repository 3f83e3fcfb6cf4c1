/*
 * bgpd's JSON API (docs/api.md): the route table, GET /neighbors, and the
 * JSON of one path and one neighbor that the other API files (api.h) share.
 * Handlers only walk the peers and the RIB and stream JSON through struct
 * jw; formatting for humans is ferryctl's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/api.h"
#include "common/log.h"

static size_t stale_count(const struct bgp_peer *p)
{
	return p->src.n_stale; /* kept by the RIB: /neighbors stays O(neighbors) */
}

/*
 * Long-lived graceful restart (RFC 9494): whether the last session
 * negotiated it, the peer's stale time, ours (as configured now), the one
 * its routes are kept for, and how many are long-lived stale now.
 */
static void llgr_json(struct jw *w, const struct bgp_peer *p)
{
	jw_key(w, "llgr");
	jw_object_begin(w);
	jw_kv_bool(w, "negotiated", p->llgr);
	jw_kv_uint(w, "stale_time", p->llgr ? p->llgr_time : 0);
	jw_kv_uint(w, "peer_stale_time", p->llgr_peer_time);
	jw_kv_uint(w, "local_stale_time", p->d->cfg->bgp.llgr_stale_time);
	jw_kv_uint(w, "long_lived_stale", p->src.n_llgr);
	jw_object_end(w);
}

/* Families (negotiated once Established, else configured) and session options. */
static void neighbor_caps_json(struct jw *w, const struct bgp_peer *p)
{
	uint8_t afs = p->est ? p->ctx.afs : p->cfg->families;

	jw_key(w, "families");
	jw_array_begin(w);
	if (afs & BGP_AF_VPNV4)
		jw_string(w, "vpnv4");
	if (afs & BGP_AF_IPV4)
		jw_string(w, "ipv4");
	if (afs & BGP_AF_RTC)
		jw_string(w, "rtc");
	jw_array_end(w);
	jw_kv_bool(w, "enhanced_route_refresh", p->est && p->enhanced_rr);
	jw_kv_bool(w, "extended_message", p->est && p->ctx.ext_msg);
	jw_kv_bool(w, "graceful_restart", p->gr_capable);
	jw_kv_uint(w, "stale_routes", stale_count(p));
	llgr_json(w, p);
	jw_kv_bool(w, "route_reflector_client", p->cfg->rr_client);
	jw_key(w, "max_prefix");
	if (p->cfg->max_prefix)
		jw_uint(w, p->cfg->max_prefix);
	else
		jw_null(w);
	jw_kv_bool(w, "tcp_md5", p->cfg->password[0] != '\0');
	jw_kv_bool(w, "ttl_security", p->cfg->ttl_security);
}

void bgpd_api_rtc_json(struct jw *w, const struct bgp_peer *p, bool detail)
{
	jw_key(w, "route_target_constraint");
	if (!p->rtc) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_bool(w, "ready", p->rtc_ready);
	jw_kv_uint(w, "membership_received", p->rtc_in.n);
	jw_kv_uint(w, "membership_advertised", p->n_rtc_out);
	if (detail) {
		char buf[RTC_STRLEN];

		jw_kv_uint(w, "held_back", rtc_held_back(p));
		jw_kv_uint(w, "reevaluations", p->rtc_rewalks);
		jw_key(w, "membership"); /* what it asked for: "default", "AS:RT", "AS:0x.../len" */
		jw_array_begin(w);
		for (size_t i = 0; i < p->rtc_in.n; i++)
			jw_string(w, rtc_route_format(&p->rtc_in.v[i], buf));
		jw_array_end(w);
	}
	jw_object_end(w);
}

static void neighbor_json(struct jw *w, const struct bgp_peer *p)
{
	const struct bgp_conn *c = p->est;
	uint16_t hold = c ? c->hold_time : p->d->cfg->bgp.hold_time;
	char buf[IPV4_STRLEN];

	jw_object_begin(w);
	jw_kv_string(w, "address", p->name);
	jw_kv_uint(w, "remote_as", p->cfg->remote_as);
	jw_kv_string(w, "local_address",
		     ipv4_format(c ? c->local_addr
				   : (p->cfg->local_address ? p->cfg->local_address
							    : p->d->cfg->bgp.listen_address),
				 buf));
	jw_kv_string(w, "description", p->cfg->description);
	jw_kv_string(w, "state", fsm_state_name(peer_state(p)));
	/* shut down in the config, and the reason it sends (null: none) */
	jw_kv_bool(w, "shutdown", p->cfg->shutdown);
	jw_key(w, "shutdown_message");
	jw_string(w, p->cfg->shutdown && p->cfg->shutdown_msg[0] ? p->cfg->shutdown_msg : NULL);
	jw_kv_uint(w, "uptime_s", c && p->up_since ? (uint64_t)(bgpd_clock() - p->up_since) : 0);
	/* how long it has been Established, or down since its last session (null: never up) */
	jw_key(w, "state_s");
	if (c && p->up_since)
		jw_uint(w, (uint64_t)(bgpd_clock() - p->up_since));
	else if (p->down_since)
		jw_uint(w, (uint64_t)(bgpd_clock() - p->down_since));
	else
		jw_null(w);
	jw_kv_uint(w, "hold_time", hold);
	jw_kv_uint(w, "keepalive", c ? c->keepalive : hold / 3);
	jw_key(w, "last_error");
	jw_string(w, p->last_error[0] ? p->last_error : NULL);
	jw_key(w, "connect_error"); /* why our last connect failed; null once one came up */
	jw_string(w, p->connect_error[0] ? p->connect_error : NULL);
	jw_kv_uint(w, "messages_in", p->msgs_in);
	jw_kv_uint(w, "messages_out", p->msgs_out);
	jw_kv_uint(w, "prefixes_received", p->src.n_paths);
	jw_kv_uint(w, "prefixes_advertised", p->n_advertised);
	jw_key(w, "update_errors"); /* RFC 7606 outcomes, since the daemon started */
	jw_object_begin(w);
	jw_kv_uint(w, "treat_as_withdraw", p->uerr.treat_as_withdraw);
	jw_kv_uint(w, "routes_withdrawn", p->uerr.routes_withdrawn);
	jw_kv_uint(w, "attribute_discard", p->uerr.attribute_discard);
	jw_kv_uint(w, "session_reset", p->uerr.session_reset);
	jw_object_end(w);
	neighbor_caps_json(w, p);
	bgpd_api_rtc_json(w, p, false);
	jw_object_end(w);
}

static int get_neighbors(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;

	(void)req;
	jw_object_begin(w);
	jw_key(w, "neighbors");
	jw_array_begin(w);
	for (size_t i = 0; i < d->peer_slots; i++)
		if (d->peers[i].cfg)
			neighbor_json(w, &d->peers[i]);
	jw_array_end(w);
	/* this bgpd's own graceful restart (gr_restart.c) */
	jw_key(w, "restart");
	jw_object_begin(w);
	jw_kv_bool(w, "graceful", d->gr_restarted);
	jw_kv_bool(w, "deferring", d->gr_deferring);
	jw_object_end(w);
	jw_object_end(w);
	return 200;
}

/* Communities, large communities, route reflection attributes. */
static void path_lists_json(struct jw *w, const struct bgp_attrs *a)
{
	char buf[40];

	jw_key(w, "communities");
	jw_array_begin(w);
	for (size_t i = 0; i < a->n_communities; i++) {
		snprintf(buf, sizeof(buf), "%u:%u", a->communities[i] >> 16,
			 a->communities[i] & 0xffff);
		jw_string(w, buf);
	}
	jw_array_end(w);
	jw_key(w, "large_communities");
	jw_array_begin(w);
	for (size_t i = 0; i < a->n_large; i++) {
		snprintf(buf, sizeof(buf), "%u:%u:%u", a->large[3 * i], a->large[3 * i + 1],
			 a->large[3 * i + 2]);
		jw_string(w, buf);
	}
	jw_array_end(w);
	jw_key(w, "originator_id");
	if (attr_has(a, ATTR_ORIGINATOR_ID))
		jw_string(w, ipv4_format(a->originator_id, buf));
	else
		jw_null(w);
	jw_key(w, "cluster_list");
	jw_array_begin(w);
	for (size_t i = 0; i < a->n_cluster; i++)
		jw_string(w, ipv4_format(a->cluster[i], buf));
	jw_array_end(w);
}

static void path_json(struct jw *w, const struct rib_entry *e, const struct rib_path *p)
{
	const struct bgp_attrs *a = &p->attrs->a;
	char path[1024];

	jw_object_begin(w);
	api_kv_rd(w, "rd", &e->rd); /* api_fmt.c: as rd_format & co, without printf */
	api_kv_prefix(w, "prefix", &e->prefix);
	jw_kv_uint(w, "label", p->label);
	jw_kv_ipv4(w, "next_hop", a->nexthop);
	jw_key(w, "route_targets");
	jw_array_begin(w);
	for (size_t i = 0; i < a->n_ext; i++)
		if (extcom_is_rt(&a->ext[i]))
			api_extcom(w, &a->ext[i]);
	jw_array_end(w);
	path_lists_json(w, a);
	jw_kv_string(w, "origin", attr_origin_name(a->origin));
	jw_kv_string(w, "as_path", aspath_format(a->aspath, a->aspath_len, path, sizeof(path)));
	jw_kv_uint(w, "local_pref", rib_path_local_pref(p));
	jw_key(w, "med");
	if (attr_has(a, ATTR_MED))
		jw_uint(w, a->med);
	else
		jw_null(w);
	if (p->src->local)
		jw_kv_string(w, "peer", "local");
	else
		jw_kv_ipv4(w, "peer", p->src->address);
	jw_kv_bool(w, "stale", p->stale && !p->src->local);
	jw_kv_bool(w, "best", e->best == p);
	/* on every path, null on the others: a key is never there on some objects only */
	jw_kv_string(w, "best_reason", e->best == p ? e->best_reason : NULL);
	jw_object_end(w);
}


/* GET /process: this daemon's own process (ferryctl show daemons). */
static int h_process(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	api_process_json(w, "bgpd");
	return 200;
}

static const struct api_route routes[] = {
	{ "/neighbors", get_neighbors, "BGP neighbors: state, timers, counters" },
	{ "/neighbor", bgpd_api_neighbor,
	  "one neighbor in detail: timers, capabilities, session, route counters (?address=A)",
	  .params = API_PARAMS("address") },
	{ "/routes", bgpd_api_routes,
	  "VPN-IPv4 paths, streamed (?rd=&prefix=&match=exact|longer|shorter&rt=&neighbor=&best="
	  "&limit=&after=)",
	  .params = API_PARAMS("rd", "prefix", "match", "rt", "neighbor", "best", "limit", "after") },
	{ "/route", bgpd_api_route,
	  "one VPN-IPv4 destination: every path, why the best won (?rd=&prefix=)",
	  .params = API_PARAMS("rd", "prefix") },
	{ "/events", bgpd_api_events,
	  "server-sent events: route and session changes (?since=N, Last-Event-ID, ?limit=N, "
	  "?snapshot=1, ?type=route,session (some))",
	  .params = API_PARAMS("since", "limit", "snapshot", "type") },
	{ "/metrics", bgpd_api_metrics, "Prometheus text: sessions, messages, prefixes, RIB size" },
	{ "/process", h_process,
	  "this daemon's process: pid, uptime, memory, heap in use, descriptors, CPU" },
	{ "/reload/check", bgpd_api_reload_check,
	  "would SIGHUP reload the config file: accepted (what it would change) or refused "
	  "(why); changes nothing (Unix socket only)",
	  .local = true },
};

const struct api_route *bgpd_api_find(const char *path)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, path) == 0)
			return &routes[i];
	return NULL;
}

int bgpd_api_start(struct bgpd *d, const char *path)
{
	d->api = api_server_start(d->base, path, routes, sizeof(routes) / sizeof(routes[0]), d);
	if (d->api == NULL || bgpd_events_start(d) < 0)
		return -1;
	return api_server_configure(d->api, d->cfg, "bgpd") < 0 ? -1 : 0;
}

/* For the other API files (api.h). */
void bgpd_api_path_json(struct jw *w, const struct rib_entry *e, const struct rib_path *p)
{
	path_json(w, e, p);
}

void bgpd_api_neighbor_json(struct jw *w, const struct bgp_peer *p)
{
	neighbor_json(w, p);
}
