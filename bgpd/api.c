/*
 * bgpd's JSON API (docs/api.md): GET /neighbors and GET /routes?rd=&prefix=.
 * Handlers only walk the peers and the RIB and stream JSON through struct
 * jw; formatting for humans is ferryctl's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bgpd/bgpd.h"
#include "common/api.h"
#include "common/log.h"

static size_t stale_count(const struct bgp_peer *p)
{
	size_t n = 0;

	for (const struct rib_path *r = p->src.paths; r; r = r->src_next)
		n += r->stale;
	return n;
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
	jw_array_end(w);
	jw_kv_bool(w, "enhanced_route_refresh", p->est && p->enhanced_rr);
	jw_kv_bool(w, "extended_message", p->est && p->ctx.ext_msg);
	jw_kv_bool(w, "graceful_restart", p->gr_capable);
	jw_kv_uint(w, "stale_routes", stale_count(p));
	jw_kv_bool(w, "route_reflector_client", p->cfg->rr_client);
	jw_key(w, "max_prefix");
	if (p->cfg->max_prefix)
		jw_uint(w, p->cfg->max_prefix);
	else
		jw_null(w);
	jw_kv_bool(w, "tcp_md5", p->cfg->password[0] != '\0');
	jw_kv_bool(w, "ttl_security", p->cfg->ttl_security);
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
	jw_kv_uint(w, "uptime_s", c && p->up_since ? (uint64_t)(time(NULL) - p->up_since) : 0);
	jw_kv_uint(w, "hold_time", hold);
	jw_kv_uint(w, "keepalive", c ? c->keepalive : hold / 3);
	jw_key(w, "last_error");
	jw_string(w, p->last_error[0] ? p->last_error : NULL);
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
	jw_object_end(w);
}

static int get_neighbors(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;

	(void)req;
	jw_object_begin(w);
	jw_key(w, "neighbors");
	jw_array_begin(w);
	for (size_t i = 0; i < d->n_peers; i++)
		neighbor_json(w, &d->peers[i]);
	jw_array_end(w);
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
	char buf[RD_STRLEN], pfx[PREFIX4_STRLEN], path[1024];

	jw_object_begin(w);
	jw_kv_string(w, "rd", rd_format(&e->rd, buf));
	jw_kv_string(w, "prefix", prefix4_format(&e->prefix, pfx));
	jw_kv_uint(w, "label", p->label);
	jw_kv_string(w, "next_hop", ipv4_format(a->nexthop, buf));
	jw_key(w, "route_targets");
	jw_array_begin(w);
	for (size_t i = 0; i < a->n_ext; i++)
		if (extcom_is_rt(&a->ext[i]))
			jw_string(w, extcom_format(&a->ext[i], buf));
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
	jw_kv_string(w, "peer", p->src->local ? "local" : ipv4_format(p->src->address, buf));
	jw_kv_bool(w, "stale", p->stale && !p->src->local);
	jw_kv_bool(w, "best", e->best == p);
	if (e->best == p)
		jw_kv_string(w, "best_reason", e->best_reason);
	jw_object_end(w);
}

struct route_filter {
	bool has_rd, has_prefix;
	struct rd rd;
	struct prefix4 prefix;
};

static bool filter_match(const struct route_filter *f, const struct rib_entry *e)
{
	if (f->has_rd && !rd_equal(&f->rd, &e->rd))
		return false;
	return !f->has_prefix || prefix4_equal(&f->prefix, &e->prefix);
}

static int get_routes(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;
	struct route_filter f = { 0 };
	const char *rd = api_query_get(req, "rd"), *pfx = api_query_get(req, "prefix");
	struct rib_entry **v;
	size_t n;

	if (rd && !(f.has_rd = rd_parse(rd, &f.rd) == 0))
		return api_error(w, 400, "rd: \"%s\" is not a route distinguisher", rd);
	if (pfx && !(f.has_prefix = prefix4_parse(pfx, &f.prefix) == 0))
		return api_error(w, 400, "prefix: \"%s\" is not an IPv4 prefix", pfx);
	v = rib_sorted(d->rib, &n);
	jw_object_begin(w);
	jw_key(w, "routes");
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		if (!filter_match(&f, v[i]))
			continue;
		if (v[i]->best) /* best first, then the others */
			path_json(w, v[i], v[i]->best);
		for (const struct rib_path *p = v[i]->paths; p; p = p->next)
			if (p != v[i]->best)
				path_json(w, v[i], p);
	}
	jw_array_end(w);
	jw_object_end(w);
	free(v);
	return 200;
}

static const struct api_route routes[] = {
	{ "/neighbors", get_neighbors, "BGP neighbors: state, timers, counters" },
	{ "/routes", get_routes, "VPN-IPv4 paths (?rd=&prefix=), best marked" },
};

int bgpd_api_start(struct bgpd *d, const char *path)
{
	d->api = api_server_start(d->base, path, routes, sizeof(routes) / sizeof(routes[0]), d);
	return d->api ? 0 : -1;
}
