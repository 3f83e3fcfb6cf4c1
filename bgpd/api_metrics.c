/*
 * bgpd's GET /metrics (docs/api.md): Prometheus text of the sessions
 * (state, uptime, messages, prefixes, UPDATE errors), the RIB's size and
 * the event stream. Counters are the daemon's own since it started; gauges
 * are read now. Labels: neighbor (address) and description.
 */
#include <time.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/api.h"

/* family + one sample per neighbor, value from fn */
static void per_peer(struct jw *w, const struct bgpd *d, const char *name, const char *type,
		     const char *help, uint64_t (*fn)(const struct bgp_peer *p))
{
	api_prom_family(w, name, type, help);
	for (size_t i = 0; i < d->peer_slots; i++) {
		const struct bgp_peer *p = &d->peers[i];

		if (!p->cfg)
			continue;
		api_prom_sample(w, name, "neighbor", p->name, "description", p->cfg->description,
				fn(p));
	}
}

static uint64_t m_state(const struct bgp_peer *p)
{
	return (uint64_t)peer_state(p) + 1; /* 1 Idle .. 6 Established */
}

static uint64_t m_up(const struct bgp_peer *p)
{
	return peer_state(p) == FSM_ESTABLISHED;
}

static uint64_t m_uptime(const struct bgp_peer *p)
{
	return p->est && p->up_since ? (uint64_t)(bgpd_clock() - p->up_since) : 0;
}

static uint64_t m_in(const struct bgp_peer *p)
{
	return p->msgs_in;
}

static uint64_t m_out(const struct bgp_peer *p)
{
	return p->msgs_out;
}

static uint64_t m_rcvd(const struct bgp_peer *p)
{
	return p->src.n_paths;
}

static uint64_t m_adv(const struct bgp_peer *p)
{
	return p->n_advertised;
}

static uint64_t m_flaps(const struct bgp_peer *p)
{
	return p->flaps;
}

static uint64_t m_downs(const struct bgp_peer *p)
{
	return p->session_downs;
}

/* route target constraint (RFC 4684); 0 without the family on the session */
static uint64_t m_rtc_in(const struct bgp_peer *p)
{
	return p->rtc ? p->rtc_in.n : 0;
}

static uint64_t m_rtc_out(const struct bgp_peer *p)
{
	return p->rtc ? p->n_rtc_out : 0;
}

static void update_errors(struct jw *w, const struct bgpd *d)
{
	static const char *const name = "ferry_bgp_update_errors_total";

	api_prom_family(w, name, "counter", "UPDATE errors by RFC 7606 outcome");
	for (size_t i = 0; i < d->peer_slots; i++) {
		const struct bgp_peer *p = &d->peers[i];

		if (!p->cfg)
			continue;
		api_prom_sample(w, name, "neighbor", p->name, "outcome", "treat_as_withdraw",
				p->uerr.treat_as_withdraw);
		api_prom_sample(w, name, "neighbor", p->name, "outcome", "attribute_discard",
				p->uerr.attribute_discard);
		api_prom_sample(w, name, "neighbor", p->name, "outcome", "session_reset",
				p->uerr.session_reset);
	}
}

int bgpd_api_metrics(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;

	api_prom_begin(req);
	per_peer(w, d, "ferry_bgp_session_state", "gauge",
		 "FSM state: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established",
		 m_state);
	per_peer(w, d, "ferry_bgp_session_up", "gauge", "1 when Established", m_up);
	per_peer(w, d, "ferry_bgp_session_uptime_seconds", "gauge", "seconds Established",
		 m_uptime);
	per_peer(w, d, "ferry_bgp_session_flaps", "gauge", "recent failures (idle hold-down)",
		 m_flaps);
	per_peer(w, d, "ferry_bgp_session_downs_total", "counter",
		 "Established sessions that ended since bgpd started", m_downs);
	per_peer(w, d, "ferry_bgp_messages_received_total", "counter", "BGP messages received",
		 m_in);
	per_peer(w, d, "ferry_bgp_messages_sent_total", "counter", "BGP messages sent", m_out);
	per_peer(w, d, "ferry_bgp_prefixes_received", "gauge",
		 "VPN-IPv4 paths in the neighbor's Adj-RIB-In", m_rcvd);
	per_peer(w, d, "ferry_bgp_prefixes_advertised", "gauge",
		 "VPN-IPv4 routes advertised to the neighbor", m_adv);
	per_peer(w, d, "ferry_bgp_rtc_membership_received", "gauge",
		 "route target membership routes the neighbor advertised (RFC 4684)", m_rtc_in);
	per_peer(w, d, "ferry_bgp_rtc_membership_advertised", "gauge",
		 "route target membership routes advertised to the neighbor", m_rtc_out);
	update_errors(w, d);
	api_prom_metric(w, "ferry_bgp_rib_destinations", "gauge", "VPN-IPv4 destinations (RD, prefix)",
			d->rib->n_entries);
	api_prom_metric(w, "ferry_bgp_rib_paths", "gauge", "VPN-IPv4 paths, all sources",
			d->rib->n_paths);
	api_prom_metric(w, "ferry_bgp_rtc_local_membership", "gauge",
			"route targets our VRFs import: our membership routes (RFC 4684)",
			d->rtc_local.n);
	api_prom_metric(w, "ferry_bgp_local_routes", "gauge", "routes vrfmgr exports through bgpd",
			d->local.n_paths);
	api_prom_metric(w, "ferry_api_events_sequence", "counter", "last /events sequence number",
			bgpd_events_last(d));
	api_prom_metric(w, "ferry_api_event_clients", "gauge", "clients reading /events",
			bgpd_events_clients(d));
	api_prom_process(w);
	return 200;
}
