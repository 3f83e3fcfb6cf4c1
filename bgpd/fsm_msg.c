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

typedef int (*msg_handler)(struct bgp_conn *c, const uint8_t *body, size_t len);

/* A message that this state does not expect (RFC 6608 subcodes). */
static int unexpected(struct bgp_conn *c, uint8_t type)
{
	struct bgp_err err;
	uint8_t sub = c->state == FSM_OPENSENT	   ? BGP_ERR_FSM_OPENSENT
		      : c->state == FSM_OPENCONFIRM ? BGP_ERR_FSM_OPENCONFIRM
		      : c->state == FSM_ESTABLISHED ? BGP_ERR_FSM_ESTABLISHED
						    : BGP_ERR_FSM_UNSPEC;

	bgp_err_set(&err, BGP_ERR_FSM, sub, NULL, 0);
	fsm_conn_fail(c, &err, bgp_msg_type_name(type));
	return -1;
}

/* The checks of an OPEN that need our configuration. 0 or -1 with err. */
static int open_check(struct bgp_conn *c, const struct bgp_open *o, struct bgp_err *err)
{
	const struct ferry_config *cfg = c->d->cfg;
	const uint8_t mp[6] = { BGP_CAP_MP, 4, 0, BGP_AFI_IPV4, 0, BGP_SAFI_VPN };

	if (o->asn != c->peer->cfg->remote_as) {
		const uint8_t d[2] = { (uint8_t)(o->my_as2 >> 8), (uint8_t)o->my_as2 };
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS, d, 2);
		return -1;
	}
	if (o->bgp_id == cfg->router_id && o->asn == cfg->asn) { /* RFC 6286 §2.1 */
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID, NULL, 0);
		return -1;
	}
	if (!o->cap_vpnv4) { /* no family in common: RFC 5492 §5 */
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_CAPABILITY, mp, sizeof(mp));
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
	if (other->state == FSM_CONNECT) { /* never got anywhere: just drop it */
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

	if (c->state != FSM_OPENSENT)
		return unexpected(c, BGP_MSG_OPEN);
	if (bgp_open_decode(body, len, &c->open, &err) < 0 || open_check(c, &c->open, &err) < 0) {
		fsm_conn_fail(c, &err, "bad OPEN");
		return -1;
	}
	if (collision(c) < 0)
		return -1;
	c->hold_time = c->open.hold_time < cfg->bgp.hold_time ? c->open.hold_time
							       : cfg->bgp.hold_time;
	c->keepalive = c->hold_time / 3;
	session_send_keepalive(c);
	c->state = FSM_OPENCONFIRM;
	session_timer_set(c->hold_timer, c->hold_time);
	session_timer_set(c->ka_timer, c->keepalive);
	return 0;
}

static void peer_established(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_conn *other = c == p->out ? p->in : p->out;
	struct bgp_err err;
	char id[IPV4_STRLEN];

	if (other) {
		bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		session_close(other, &err);
	}
	p->out = p->in = NULL;
	p->est = c;
	c->state = FSM_ESTABLISHED;
	p->up_since = time(NULL);
	p->local_addr = c->local_addr;
	p->last_error[0] = '\0';
	p->uerr_logged = 0;
	p->ctx.as4 = c->open.cap_as4;
	p->ctx.ebgp = p->cfg->remote_as != c->d->cfg->asn;
	p->ctx.peer_as = c->open.asn;
	p->src.ebgp = p->ctx.ebgp;
	p->src.peer_as = c->open.asn;
	p->src.router_id = c->open.bgp_id;
	p->src.address = p->cfg->address;
	evtimer_del(p->retry_timer);
	log_info("peer %s: session Established (%s, router id %s, hold %us)", p->name,
		 c->outbound ? "outbound" : "inbound", ipv4_format(c->open.bgp_id, id),
		 c->hold_time);
	adjout_peer_up(p);
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

static int on_route_refresh(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	uint16_t afi;
	uint8_t safi;

	if (c->state != FSM_ESTABLISHED)
		return unexpected(c, BGP_MSG_ROUTE_REFRESH);
	if (bgp_route_refresh_decode(body, len, &afi, &safi) == 0 && afi == BGP_AFI_IPV4 &&
	    safi == BGP_SAFI_VPN) {
		log_info("peer %s: route refresh requested, resending", c->peer->name);
		adjout_peer_up(c->peer);
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
	} else {
		bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		fsm_conn_fail(c, &err, "OPEN: connection collision with the established session");
	}
	return -1;
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
