/*
 * What each received message does to a connection, one handler per message
 * type (a table, not a switch that does the work inline). OPEN carries the
 * checks that need configuration (peer AS, identifiers, families) and the
 * collision resolution of RFC 4271 §6.8; UPDATE feeds the RIB.
 */
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "common/plural.h"

typedef int (*msg_handler)(struct bgp_conn *c, const uint8_t *body, size_t len);

/* A message that this state does not expect (RFC 6608 subcodes). */
static int unexpected(struct bgp_conn *c, uint8_t type)
{
	struct bgp_err err;
	uint8_t sub = c->state == FSM_OPENSENT	   ? BGP_ERR_FSM_OPENSENT
		      : c->state == FSM_OPENCONFIRM ? BGP_ERR_FSM_OPENCONFIRM
		      : c->state == FSM_ESTABLISHED ? BGP_ERR_FSM_ESTABLISHED
						    : BGP_ERR_FSM_UNSPEC;

	if (c->delay_open) {
		/* §8.2.2, Connect/Active: any message but OPEN drops the connection, no NOTIFICATION */
		c->peer->flaps++;
		fsm_conn_fail(c, NULL, "message before OPEN while delaying ours (DelayOpen)");
		return -1;
	}
	bgp_err_set(&err, BGP_ERR_FSM, sub, NULL, 0);
	fsm_conn_fail(c, &err, bgp_msg_type_name(type));
	return -1;
}

/* The checks of an OPEN that need our configuration. 0 or -1 with err. */
static int open_check(struct bgp_conn *c, const struct bgp_open *o, struct bgp_err *err)
{
	const struct ferry_config *cfg = c->d->cfg;
	uint8_t ours = c->peer->cfg->families, mp[18], n = 0;

	if (o->asn != c->peer->cfg->remote_as) {
		const uint8_t d[2] = { (uint8_t)(o->my_as2 >> 8), (uint8_t)o->my_as2 };
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS, d, 2);
		return -1;
	}
	if (o->bgp_id == cfg->router_id && o->asn == cfg->asn) { /* RFC 6286 §2.1 */
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID, NULL, 0);
		return -1;
	}
	if (!(o->afs & ours)) { /* no family in common: RFC 5492 §5, data = what we miss */
		for (uint8_t af = BGP_AF_VPNV4; af & BGP_AF_ALL; af <<= 1) {
			if (!(ours & af))
				continue;
			mp[n++] = BGP_CAP_MP;
			mp[n++] = 4;
			mp[n++] = 0;
			mp[n++] = BGP_AFI_IPV4;
			mp[n++] = 0;
			mp[n++] = bgp_af_safi(af);
		}
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_CAPABILITY, mp, n);
		return -1;
	}
	return 0;
}

/*
 * RFC 4271 §6.8. The other connection to the same peer, if it has reached
 * OpenSent, collides with c: keep the one initiated by the side with the
 * higher BGP identifier. 0 when c survives, -1 when c was closed.
 */
static int collision(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_conn *other = c == p->out ? p->in : p->out, *loser;
	struct bgp_err err;
	bool keep_inbound;

	if (!other)
		return 0;
	if (other->state < FSM_OPENSENT) { /* no OPEN either way yet (dialing, DelayOpen): drop it */
		session_close(other, NULL);
		return 0;
	}
	keep_inbound = c->d->cfg->router_id < c->open.bgp_id;
	loser = keep_inbound ? p->out : p->in;
	log_info("peer %s: connection collision, keeping the %s connection", p->name,
		 keep_inbound ? "inbound" : "outbound");
	bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
	session_close(loser, &err);
	return loser == c ? -1 : 0;
}

static int on_open(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	const struct ferry_config *cfg = c->d->cfg;
	struct bgp_err err;

	if (c->state != FSM_OPENSENT && !c->delay_open)
		return unexpected(c, BGP_MSG_OPEN);
	if (bgp_open_decode(body, len, &c->open, &err) < 0 || open_check(c, &c->open, &err) < 0) {
		fsm_conn_fail(c, &err, "bad OPEN");
		return -1;
	}
	if (collision(c) < 0)
		return -1;
	if (c->delay_open) { /* §8.2.2 event 20: our OPEN now, then KEEPALIVE, to OpenConfirm */
		c->delay_open = false;
		evtimer_del(c->delay_timer);
		log_info("peer %s: OPEN received while delaying ours (DelayOpen): answered", c->peer->name);
		fsm_send_open(c);
	}
	c->hold_time = c->open.hold_time < cfg->bgp.hold_time ? c->open.hold_time
							       : cfg->bgp.hold_time;
	c->keepalive = c->hold_time / 3;
	c->ext_msg = c->open.cap_ext_msg; /* we always offer it */
	session_send_keepalive(c);
	c->state = FSM_OPENCONFIRM;
	session_timer_set(c->hold_timer, c->hold_time);
	session_timer_set(c->ka_timer, c->keepalive);
	return 0;
}

/*
 * RFC 4724 as receiving speaker: remember whether the peer can restart
 * gracefully; if its routes were kept stale from the last session, keep
 * them until its End-of-RIB (or our stale time) only when it says it kept
 * its forwarding state for VPN-IPv4, else drop them now.
 */
static void peer_gr_established(struct bgp_peer *p, const struct bgp_conn *c)
{
	const struct cfg_bgp *b = &p->d->cfg->bgp;
	const struct bgp_open *o = &c->open;
	unsigned t;

	p->gr_capable = b->graceful_restart && o->cap_gr && (o->gr_afs & BGP_AF_VPNV4);
	p->gr_notif = fsm_conn_gr_notif(c);
	p->gr_time = o->gr_time;
	llgr_established(p, c);
	if (!p->gr_waiting)
		return;
	if (!p->gr_capable || !(o->gr_fwd_afs & BGP_AF_VPNV4)) {
		fsm_gr_sweep(p, "the peer came back without forwarding state");
		return;
	}
	if (p->llgr_stale) { /* the long-lived stale time runs on (llgr.c) */
		if (!llgr_back(p, o))
			fsm_gr_sweep(p, "the peer came back without long-lived forwarding state");
		return;
	}
	t = fsm_gr_stale_left(p, b->gr_stale_time);
	session_timer_set(p->gr_timer, t);
	log_info("peer %s: graceful restart: back, waiting up to %us for End-of-RIB", p->name, t);
}

static void peer_established(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_conn *other = c == p->out ? p->in : p->out;
	struct bgp_err err;
	char id[IPV4_STRLEN];
	bool new_id;

	if (p->est) /* c is a restart's new connection (fsm_conn_restarted): confirmed */
		fsm_conn_lost(p->est, "the peer restarted: its OPEN came on a new connection");
	if (other) {
		bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		session_close(other, &err);
	}
	p->out = p->in = NULL;
	p->est = c;
	c->state = FSM_ESTABLISHED;
	p->up_since = bgpd_clock();
	p->local_addr = c->local_addr;
	p->last_error[0] = '\0';
	p->connect_error[0] = '\0'; /* up, perhaps by its connection: nothing to say */
	p->uerr_logged = 0;
	p->eor_lookalike_logged = false;
	p->ctx.as4 = c->open.cap_as4;
	p->ctx.ebgp = p->cfg->remote_as != c->d->cfg->asn;
	p->ctx.peer_as = c->open.asn;
	p->ctx.ext_msg = c->ext_msg;
	p->ctx.afs = c->open.afs & p->cfg->families;
	p->enhanced_rr = c->open.cap_enhanced_rr;
	p->max_prefix_warned = p->rtc_limit_warned = false;
	/* what the groups memoized for this source may name its last session's router id */
	adjout_forget_source(c->d, &p->src);
	new_id = p->src.router_id != c->open.bgp_id;
	p->src.ebgp = p->ctx.ebgp;
	p->src.peer_as = c->open.asn;
	p->src.router_id = c->open.bgp_id;
	p->src.address = p->cfg->address;
	/*
	 * Routes kept across a graceful restart by a peer now another router:
	 * resent unchanged, they would not be exported again with the new id
	 */
	if (new_id && p->src.n_paths > 0) {
		rib_source_reselect(c->d->rib, &p->src);
		bgpd_schedule_flush(c->d);
	}
	evtimer_del(p->retry_timer);
	log_info("peer %s: session Established (%s, router id %s, hold %us)", p->name,
		 c->outbound ? "outbound" : "inbound", ipv4_format(c->open.bgp_id, id),
		 c->hold_time);
	peer_gr_established(p, c);
	adjout_peer_up(p);
	bgpd_gr_check(c->d); /* one without graceful restart sends no End-of-RIB to wait for */
}

static int on_keepalive(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	(void)body;
	(void)len;
	if (c->state == FSM_OPENCONFIRM)
		peer_established(c);
	else if (c->state != FSM_ESTABLISHED)
		return unexpected(c, BGP_MSG_KEEPALIVE);
	return 0;
}

static int on_notification(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_err err;

	if (bgp_notification_decode(body, len, &err) < 0)
		bgp_err_set(&err, 0, 0, NULL, 0);
	fsm_conn_notified(c, &err);
	return -1;
}

/*
 * A request gets the Adj-RIB-Out again (RFC 2918, bracketed by BoRR/EoRR
 * under RFC 7313). The peer's own BoRR marks its routes stale and its EoRR
 * removes those it did not resend. Other families and subtypes are ignored.
 */
static int on_route_refresh(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	uint16_t afi;
	uint8_t safi, sub;
	struct bgp_err err;
	size_t n;
	int rc;

	if (c->state != FSM_ESTABLISHED)
		return unexpected(c, BGP_MSG_ROUTE_REFRESH);
	if ((rc = bgp_route_refresh_check(body, len, &err)) != 0) {
		if (rc > 0)
			return 0;
		fsm_conn_fail(c, &err, "bad ROUTE-REFRESH");
		return -1;
	}
	if (bgp_route_refresh_decode(body, len, &afi, &safi, &sub) < 0)
		return 0;
	if (bgp_af_bit(afi, safi) == BGP_AF_RTC && p->rtc && sub == BGP_RR_REQUEST) {
		rtc_refresh(p); /* our membership again (its BoRR/EoRR: not kept as paths) */
		return 0;
	}
	if (bgp_af_bit(afi, safi) != BGP_AF_VPNV4 || !(p->ctx.afs & BGP_AF_VPNV4))
		return 0;
	if (sub == BGP_RR_REQUEST) {
		log_info("peer %s: route refresh requested, resending", p->name);
		adjout_refresh(p);
	} else if (sub == BGP_RR_BORR && p->enhanced_rr) {
		rib_source_mark_stale(&p->src);
		log_info("peer %s: enhanced route refresh begins (%zu %s)", p->name, p->src.n_paths,
			 plural(p->src.n_paths, "route", "routes"));
	} else if (sub == BGP_RR_EORR && p->enhanced_rr) {
		n = rib_source_sweep(c->d->rib, &p->src);
		log_info("peer %s: enhanced route refresh ends, %zu %s not refreshed removed",
			 p->name, n, plural(n, "route", "routes"));
		bgpd_schedule_flush(c->d);
	}
	return 0;
}

static int on_update(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	if (c->state != FSM_ESTABLISHED)
		return unexpected(c, BGP_MSG_UPDATE);
	return fsm_update(c, body, len);
}

static const msg_handler handlers[] = {
	[BGP_MSG_OPEN] = on_open,
	[BGP_MSG_UPDATE] = on_update,
	[BGP_MSG_NOTIFICATION] = on_notification,
	[BGP_MSG_KEEPALIVE] = on_keepalive,
	[BGP_MSG_ROUTE_REFRESH] = on_route_refresh,
};

/*
 * RFC 4724 §4.2: a peer that can restart gracefully and sends an OPEN on a
 * new connection while its session is still Established here may have
 * restarted, the old connection's end never reaching us (a reboot sends
 * no FIN). Or it is alive, and that is its own dial that lost a §6.8
 * collision to the session, read late. The OPEN is answered
 * (fsm_conn_restarted) and the peer's answer tells: a restarted peer's
 * KEEPALIVE (the old session then ends, peer_established), a live one's
 * Cease 6/7 (§6.8: a collision with its established session).
 */
static bool open_may_be_restart(const struct bgp_peer *p)
{
	return p->est && p->gr_capable && !p->d->stopping;
}

/* The first message of a connection that came while Established. */
static int probe_message(struct bgp_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
	struct bgp_err err;
	struct bgp_open o;

	if (type == BGP_MSG_NOTIFICATION) {
		session_close(c, NULL);
		return -1;
	}
	if (type != BGP_MSG_OPEN) {
		bgp_err_set(&err, BGP_ERR_FSM, BGP_ERR_FSM_UNSPEC, NULL, 0);
		fsm_conn_fail(c, &err, "message before OPEN");
	} else if (bgp_open_decode(body, len, &o, &err) < 0) {
		fsm_conn_fail(c, &err, "bad OPEN");
	} else if (open_check(c, &o, &err) < 0) {
		fsm_conn_fail(c, &err, "bad OPEN");
	} else if (open_may_be_restart(c->peer)) {
		fsm_conn_restarted(c);
		return fsm_message(c, type, body, len); /* now an inbound connection */
	} else {
		bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		fsm_conn_fail(c, &err, "OPEN: connection collision with the established session");
	}
	return -1;
}

/*
 * Nothing came on the probe c. A peer that rebooted and delays its OPEN
 * (RFC 4271 DelayOpen) waits for ours first, for longer than we wait for
 * it, and then dials again: it would only get a session once the old one's
 * hold timer ran out. From a peer that can restart gracefully the silence
 * is answered with our OPEN, as its OPEN would be (fsm_conn_restarted):
 * its OPEN and KEEPALIVE then say it restarted, a live peer's Cease 6/7
 * (its established session) closes c. Other silent probes are closed.
 */
void fsm_probe_silent(struct bgp_conn *c)
{
	struct bgp_err err;

	if (open_may_be_restart(c->peer)) {
		log_info("peer %s: new connection silent for %u s while Established: sending our "
			 "OPEN (a restarted peer delaying its own waits for it; RFC 4724)",
			 c->peer->name, c->d->probe_wait);
		fsm_probe_answer(c);
		return;
	}
	bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
	session_close(c, &err);
}

int fsm_message(struct bgp_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;

	if (c->closing)
		return -1;
	if (c->probe)
		return probe_message(c, type, body, len);
	p->msgs_in++;
	if (c->state >= FSM_OPENCONFIRM && c->hold_time)
		session_timer_set(c->hold_timer, c->hold_time);
	return handlers[type](c, body, len);
}
