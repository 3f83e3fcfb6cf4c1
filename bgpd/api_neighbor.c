/*
 * GET /neighbor?address=A (docs/api.md): one BGP neighbor in full. The
 * summary object of /neighbors, then what an operator asks next: the
 * configured and negotiated timers, the capabilities each side offered and
 * what came of them, the TCP connection, and route counters (accepted into
 * the Adj-RIB-In, stale, chosen as best, advertised), the update group it
 * shares outbound UPDATEs with and the bytes still queued to it.
 */
#include <string.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/api.h"

static void families_json(struct jw *w, const char *key, uint8_t afs)
{
	jw_key(w, key);
	jw_array_begin(w);
	if (afs & BGP_AF_VPNV4)
		jw_string(w, "vpnv4");
	if (afs & BGP_AF_IPV4)
		jw_string(w, "ipv4");
	if (afs & BGP_AF_RTC)
		jw_string(w, "rtc");
	jw_array_end(w);
}

static void config_json(struct jw *w, const struct bgp_peer *p)
{
	const struct cfg_neighbor *n = p->cfg;
	const struct cfg_bgp *b = &p->d->cfg->bgp;

	jw_key(w, "config");
	jw_object_begin(w);
	jw_kv_uint(w, "remote_as", n->remote_as);
	jw_kv_ipv4(w, "local_address", n->local_address ? n->local_address : b->listen_address);
	jw_kv_bool(w, "passive", n->passive);
	jw_kv_uint(w, "hold_time", b->hold_time);
	jw_kv_uint(w, "connect_retry", b->connect_retry);
	families_json(w, "families", n->families);
	jw_object_end(w);
}

/* What the peer's OPEN offered (only known once it arrived). */
static void offered_json(struct jw *w, const struct bgp_open *o)
{
	jw_key(w, "received");
	jw_object_begin(w);
	jw_kv_uint(w, "asn", o->asn);
	jw_kv_ipv4(w, "router_id", o->bgp_id);
	jw_kv_uint(w, "hold_time", o->hold_time);
	jw_kv_bool(w, "four_octet_as", o->cap_as4);
	families_json(w, "families", o->afs);
	jw_kv_bool(w, "route_refresh", o->cap_route_refresh);
	jw_kv_bool(w, "enhanced_route_refresh", o->cap_enhanced_rr);
	jw_kv_bool(w, "extended_message", o->cap_ext_msg);
	jw_kv_bool(w, "graceful_restart", o->cap_gr);
	if (o->cap_gr) {
		jw_kv_uint(w, "graceful_restart_time", o->gr_time);
		/* the families whose routes it asks us to keep across its restart (none: a helper only) */
		families_json(w, "graceful_restart_families", o->gr_afs);
		/* R bit: it has just restarted; F: it kept forwarding on those families meanwhile */
		jw_kv_bool(w, "graceful_restart_restarting", o->gr_restarting);
		/* N bit (RFC 8538): a NOTIFICATION or the hold timer restarts gracefully too */
		jw_kv_bool(w, "graceful_restart_notification", o->gr_notification);
		families_json(w, "graceful_restart_forwarding", o->gr_fwd_afs);
	}
	/* RFC 9494: the families it asks to be kept long-lived stale, F bits, VPN-IPv4's time */
	jw_kv_bool(w, "long_lived_graceful_restart", o->cap_llgr);
	if (o->cap_llgr) {
		families_json(w, "llgr_families", o->llgr_afs);
		families_json(w, "llgr_forwarding", o->llgr_fwd_afs);
		jw_kv_uint(w, "llgr_stale_time", o->llgr_time);
	}
	jw_object_end(w);
}

static void session_json(struct jw *w, const struct bgp_peer *p)
{
	const struct bgp_conn *c = p->est;

	jw_key(w, "session");
	if (c == NULL) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_ipv4(w, "local_address", c->local_addr);
	jw_kv_ipv4(w, "remote_address", c->remote_addr);
	jw_kv_string(w, "initiated_by", c->outbound ? "us" : "peer");
	jw_kv_uint(w, "hold_time", c->hold_time);
	jw_kv_uint(w, "keepalive", c->keepalive);
	jw_key(w, "negotiated");
	jw_object_begin(w);
	families_json(w, "families", p->ctx.afs);
	jw_kv_bool(w, "four_octet_as", p->ctx.as4);
	jw_kv_bool(w, "enhanced_route_refresh", p->enhanced_rr);
	jw_kv_bool(w, "extended_message", p->ctx.ext_msg);
	jw_kv_bool(w, "graceful_restart", p->gr_capable);
	jw_kv_bool(w, "graceful_restart_notification", p->gr_notif);
	jw_kv_bool(w, "long_lived_graceful_restart", p->llgr);
	jw_kv_bool(w, "ebgp", p->ctx.ebgp);
	jw_object_end(w);
	offered_json(w, &c->open);
	jw_object_end(w);
}

static void counters_json(struct jw *w, const struct bgp_peer *p)
{
	uint64_t stale = p->src.n_stale, best = 0;

	for (const struct rib_path *r = p->src.paths; r != NULL; r = r->src_next)
		best += r->entry != NULL && r->entry->best == r;
	jw_key(w, "routes");
	jw_object_begin(w);
	jw_kv_uint(w, "accepted", p->src.n_paths);
	jw_kv_uint(w, "best", best);
	jw_kv_uint(w, "stale", stale);
	jw_kv_uint(w, "long_lived_stale", p->src.n_llgr);
	jw_kv_uint(w, "advertised", p->n_advertised);
	jw_kv_uint(w, "pending_out", p->n_pending);
	jw_object_end(w);
	jw_key(w, "messages");
	jw_object_begin(w);
	jw_kv_uint(w, "received", p->msgs_in);
	jw_kv_uint(w, "sent", p->msgs_out);
	jw_object_end(w);
	jw_kv_uint(w, "flaps", p->flaps);
	jw_kv_uint(w, "session_downs", p->session_downs);
	jw_kv_bool(w, "admin_down", p->admin_down);
}

/* The update group p shares its outbound UPDATEs with, and what waits to be sent. */
static void output_json(struct jw *w, const struct bgp_peer *p)
{
	size_t members = 0;
	uint64_t built = 0;
	unsigned id = bgpd_peer_update_group(p, &members, &built);

	jw_key(w, "update_group");
	if (id == 0) {
		jw_null(w);
	} else {
		jw_object_begin(w);
		jw_kv_uint(w, "id", id);
		jw_kv_uint(w, "members", members);
		jw_kv_uint(w, "updates_built", built);
		jw_object_end(w);
	}
	jw_kv_uint(w, "output_queued_bytes", updgroup_backlog(p));
}

int bgpd_api_neighbor(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;
	const char *a = api_query_get(req, "address");
	struct bgp_peer *p;
	uint32_t addr;

	if (a == NULL)
		return api_param_error(w, 400, "address",
				       "missing address (want ?address=NEIGHBOR; "
				       "GET /neighbors lists them)");
	if (ipv4_parse(a, &addr) < 0)
		return api_param_error(w, 400, "address",
				       "address: \"%.64s\" is not an IPv4 address (want a "
				       "neighbor's a.b.c.d; GET /neighbors lists them)", a);
	if ((p = bgpd_peer_by_addr(d, addr)) == NULL)
		return api_param_error(w, 404, "address", "no neighbor %s configured", a);
	jw_object_begin(w);
	jw_key(w, "neighbor");
	bgpd_api_neighbor_json(w, p);
	config_json(w, p);
	session_json(w, p);
	counters_json(w, p);
	bgpd_api_rtc_json(w, p, true);
	output_json(w, p);
	jw_object_end(w);
	return 200;
}
