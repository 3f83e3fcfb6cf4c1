/*
 * The RFC 4271 §8 finite state machine, per connection: Connect -> OpenSent
 * -> OpenConfirm -> Established, with the peer showing its most advanced
 * connection (or Idle/Active when it has none). Both PEs dial out, so a
 * peer may hold an outbound and an inbound connection at once; when an OPEN
 * arrives while the other is in OpenSent/OpenConfirm, §6.8 keeps the one
 * initiated by the higher BGP identifier. A connection arriving while
 * Established is a "probe": its first message is read and answered (a
 * header error with its NOTIFICATION, an OPEN with Cease/collision) and it
 * is closed, while the established session carries on untouched; but an
 * OPEN from a peer that can restart gracefully may mean it restarted (RFC
 * 4724 §4.2): it is answered, and the peer's KEEPALIVE on it says so (a
 * live peer refuses our OPEN on its extra connection, §6.8): the old
 * session then ends and the new connection takes its place. A probe still
 * silent when the session ends becomes the peer's inbound connection.
 *
 * Any error sends its NOTIFICATION, closes the connection and, if it was the
 * peer's last, leaves the peer Idle until ConnectRetry, doubled for each
 * recent failure (idle hold-down). A session lost without NOTIFICATION from a
 * peer that can restart gracefully keeps its routes, stale (RFC 4724); with
 * the N bit from both sides, so does one ended by a NOTIFICATION other than
 * a Hard Reset, or by the hold timer (RFC 8538); past that, long-lived
 * stale when negotiated (RFC 9494, llgr.c). Peer input is never fatal to
 * the daemon.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "common/plural.h"

#define HOLD_DOWN_MAX 120    /* seconds: the longest idle hold-down after repeated failures */
#define FLAP_WINDOW 30       /* a session shorter than this counts as a failure */

/* ConnectRetry, doubled for each recent failure (idle hold-down with backoff). */
static void peer_retry_arm(struct bgp_peer *p)
{
	unsigned r = p->d->cfg->bgp.connect_retry ? p->d->cfg->bgp.connect_retry : 5;

	if (p->d->stopping || peer_held_down(p))
		return;
	r <<= p->flaps < 6 ? p->flaps : 6;
	session_timer_set(p->retry_timer, r < HOLD_DOWN_MAX ? r : HOLD_DOWN_MAX);
}

static void peer_dial(struct bgp_peer *p)
{
	if (p->d->stopping || p->cfg->passive || p->est || p->out || peer_held_down(p))
		return;
	p->out = session_connect(p);
	if (!p->out) {
		p->idle_state = FSM_ACTIVE;
		peer_retry_arm(p);
	}
}

void fsm_peer_start(struct bgp_peer *p)
{
	if (p->cfg->shutdown) {
		p->idle_state = FSM_IDLE;
		log_info("peer %s: shut down in the config: no session", p->name);
		return;
	}
	p->idle_state = FSM_ACTIVE;
	peer_dial(p);
}

void fsm_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_peer *p = arg;

	(void)fd;
	(void)what;
	if (p->est || p->out || p->in) {
		peer_retry_arm(p); /* something is under way; look again later */
		return;
	}
	if (p->admin_down) { /* a max-prefix hold-down ran out */
		p->admin_down = false;
		log_info("peer %s: max-prefix hold-down over, connecting again", p->name);
	}
	p->idle_state = FSM_ACTIVE;
	peer_dial(p);
}

/*
 * The F bit: what we told the peer still forwards. True after bgpd itself
 * restarted (gr_restart.c), and when this bgpd had a session with the peer
 * before: the one that ended (TCP loss, hold timer, a NOTIFICATION, RFC
 * 8538) took nothing from fwd. Without it a peer that kept our routes stale
 * drops them at our OPEN, until we send them again.
 */
static bool fwd_kept(const struct bgp_peer *p)
{
	/* p->est: our OPEN on a restarted peer's new connection, before the old session ends */
	return p->d->gr_restarted || p->session_downs > 0 || p->est;
}

void fsm_send_open(struct bgp_conn *c)
{
	const struct ferry_config *cfg = c->d->cfg;
	struct bgp_open o = { .asn = cfg->asn, .hold_time = cfg->bgp.hold_time,
			      .bgp_id = cfg->router_id, .afs = c->peer->cfg->families,
			      .cap_enhanced_rr = true, .cap_ext_msg = true,
			      .cap_gr = cfg->bgp.graceful_restart, .gr_time = cfg->bgp.gr_restart_time,
			      /*
			       * the peer may keep our VPN routes while we restart: fwd
			       * forwards on without us (gr_restart.c)
			       */
			      .gr_afs = BGP_AF_VPNV4, .gr_restarting = c->d->gr_deferring,
			      .gr_notification = cfg->bgp.gr_notification,
			      .gr_fwd_afs = fwd_kept(c->peer) ? BGP_AF_VPNV4 : 0 };
	struct wbuf *w = &c->d->out;

	/* RFC 9494: only beside the graceful restart capability; F as there */
	o.cap_llgr = o.cap_gr && cfg->bgp.llgr_stale_time > 0;
	o.llgr_afs = o.cap_llgr ? BGP_AF_VPNV4 : 0;
	o.llgr_fwd_afs = o.cap_llgr ? o.gr_fwd_afs : 0;
	o.llgr_time = cfg->bgp.llgr_stale_time;

	wbuf_reset(w);
	c->sent_gr_notif = o.cap_gr && o.gr_notification;
	c->sent_llgr_time = o.cap_llgr ? o.llgr_time : 0;
	if (bgp_open_encode(w, &o) == 0)
		session_send(c, w);
	c->state = FSM_OPENSENT;
	session_timer_set(c->hold_timer, BGP_OPEN_HOLD);
}

/*
 * RFC 4271 §8.2.2 with DelayOpen: once TCP is up, our OPEN waits for the
 * peer's (answered at once with OPEN and KEEPALIVE, fsm_msg.c) or for the
 * DelayOpenTimer. The connection stays in Connect (we dialed) or Active.
 * True when delaying.
 */
static bool delay_open(struct bgp_conn *c)
{
	unsigned t = c->peer->cfg->delay_open;

	if (!t)
		return false;
	c->delay_open = true;
	evtimer_del(c->hold_timer); /* the connect timeout is over */
	session_timer_set(c->delay_timer, t);
	log_info("peer %s: %s connection up, waiting up to %us for its OPEN (DelayOpen)",
		 c->peer->name, c->outbound ? "outbound" : "inbound", t);
	return true;
}

void fsm_delay_open_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_conn *c = arg;

	(void)fd;
	(void)what;
	if (!c->delay_open || c->closing)
		return;
	c->delay_open = false;
	log_info("peer %s: no OPEN within %us (DelayOpen), sending ours", c->peer->name,
		 c->peer->cfg->delay_open);
	fsm_send_open(c);
}

static void peer_set_error(struct bgp_peer *p, const char *why, const struct bgp_err *err,
			   bool sent)
{
	char e[BGP_ERR_TEXT_MAX] = "";

	if (err)
		bgp_err_describe(err, e, sizeof(e));
	snprintf(p->last_error, sizeof(p->last_error), "%s%s%s%s", why ? why : "",
		 err ? (sent ? ": sent " : ": received ") : "", e, "");
}

/*
 * The session a probe came to meet is gone before the probe's first
 * message: the probe is no extra connection any more but the peer's only
 * one, an inbound one as if it had just come (our OPEN sent, or DelayOpen).
 * Not for a peer that takes no session now (held down, bgpd stopping).
 */
static void probe_adopt(struct bgp_peer *p)
{
	struct bgp_conn *c = p->probe;

	/* p->in: the peer's restart (fsm_conn_restarted) goes on there */
	if (p->d->stopping || peer_held_down(p) || p->in || p->out) {
		session_close(c, NULL);
		return;
	}
	c->probe = false;
	p->probe = NULL;
	log_info("peer %s: the session ended before the new connection's first message: "
		 "taking it as the peer's connection", p->name);
	fsm_conn_accepted(p, c);
}

/* After a connection closed: the peer waits for ConnectRetry when it has none left. */
static void peer_after_close(struct bgp_peer *p)
{
	if (p->probe && !p->est)
		probe_adopt(p);
	if (p->est || p->out || p->in)
		return;
	p->idle_state = p->cfg->passive ? FSM_ACTIVE : FSM_IDLE;
	peer_retry_arm(p);
}

/*
 * RFC 8538 §3: with the N bit, the session ends gracefully (both sides keep
 * the other's routes) on a TCP loss, the hold timer or any NOTIFICATION but
 * a Hard Reset; without it, only on a TCP loss (err NULL).
 */
static bool ends_gracefully(const struct bgp_peer *p, const struct bgp_err *err)
{
	return err == NULL || (p->gr_notif && !bgp_err_is_hard_reset(err));
}

bool fsm_conn_gr_notif(const struct bgp_conn *c)
{
	return c->state >= FSM_OPENCONFIRM && c->sent_gr_notif && c->open.cap_gr &&
	       c->open.gr_notification;
}

/*
 * RFC 8538 §5, for the NOTIFICATION on c: the Cease subcodes that mean
 * "drop my routes now" (max prefixes, shutdown, de-configured, reset: the
 * MUSTs and the one MAY we take) go to a peer with the N bit as a Hard
 * Reset carrying them, else it would keep our routes stale. In OpenConfirm
 * too: the peer may keep them from the session before.
 */
const struct bgp_err *fsm_hard_if_final(const struct bgp_conn *c, const struct bgp_err *err,
					struct bgp_err *hard)
{
	if (!err || !fsm_conn_gr_notif(c) || err->code != BGP_ERR_CEASE ||
	    err->subcode < BGP_CEASE_MAX_PREFIX || err->subcode > BGP_CEASE_ADMIN_RESET)
		return err;
	bgp_err_hard_reset(err, hard);
	return hard;
}

/*
 * Seconds the stale routes may stay from now: want, but no later than the
 * bound set when they first went stale (one restart: the peer's restart
 * time to come back, our stale time for its End-of-RIB). Consecutive
 * restarts keep them stale (RFC 8538 §4.1) within it: a peer whose every
 * session ends before its End-of-RIB (an UPDATE reset each time) would
 * otherwise keep routes it no longer has for ever.
 */
unsigned fsm_gr_stale_left(const struct bgp_peer *p, unsigned want)
{
	time_t left = p->gr_stale_until - bgpd_clock();

	if (left < 1)
		return 1;
	return (time_t)want < left ? want : (unsigned)left;
}

/* The peer's graceful restart (and long-lived stale time) is over: nothing waits for it. */
static void gr_wait_end(struct bgp_peer *p)
{
	p->gr_waiting = false;
	p->llgr_stale = false;
	evtimer_del(p->gr_timer);
	rtc_gr_end(p); /* its route target membership, kept as long as its routes (RFC 4684) */
}

/*
 * The established session ended. A failure soon after it came up counts
 * toward the idle hold-down. When it ended gracefully (above) and the peer
 * can restart gracefully (RFC 4724 §4.2), its routes stay, marked stale,
 * for its restart time; otherwise they are withdrawn.
 */
static void peer_down(struct bgp_peer *p, bool graceful)
{
	unsigned t;
	size_t n;

	if (p->up_since && bgpd_clock() - p->up_since < FLAP_WINDOW)
		p->flaps++;
	else
		p->flaps = 0;
	adjout_peer_down(p);
	p->up_since = 0;
	p->down_since = bgpd_clock();
	p->session_downs++;
	if (graceful && p->gr_capable && !p->d->stopping && p->src.n_paths) {
		if (llgr_session_down(p))
			return;
		if (!p->gr_waiting)
			p->gr_stale_until = bgpd_clock() + p->gr_time + p->d->cfg->bgp.gr_stale_time;
		rib_source_mark_stale(&p->src);
		p->gr_waiting = true;
		/* RFC 9494 §4.2: no restart time, straight to long-lived stale */
		if (p->gr_time == 0 && p->llgr && p->llgr_time > 0) {
			log_info("peer %s: session down (%s), restart time 0: long-lived stale at once",
				 p->name, p->last_error);
			llgr_enter(p);
			return;
		}
		t = fsm_gr_stale_left(p, p->gr_time ? p->gr_time : 1);
		session_timer_set(p->gr_timer, t);
		log_info("peer %s: session down (%s), graceful restart: %zu %s kept stale for %us",
			 p->name, p->last_error, p->src.n_paths,
			 plural(p->src.n_paths, "route", "routes"), t);
		return;
	}
	n = rib_source_flush(p->d->rib, &p->src);
	gr_wait_end(p);
	log_info("peer %s: session down (%s), %zu %s withdrawn", p->name, p->last_error, n,
		 plural(n, "route", "routes"));
	bgpd_schedule_flush(p->d);
}

void fsm_gr_sweep(struct bgp_peer *p, const char *why)
{
	size_t n;

	if (!p->gr_waiting)
		return;
	gr_wait_end(p);
	n = rib_source_sweep(p->d->rib, &p->src);
	log_info("peer %s: graceful restart: %s, %zu stale %s removed", p->name, why, n,
		 plural(n, "route", "routes"));
	bgpd_schedule_flush(p->d);
}

void fsm_gr_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_peer *p = arg;

	(void)fd;
	(void)what;
	if (p->llgr_stale) {
		fsm_gr_sweep(p, "long-lived stale time over");
		return;
	}
	/* RFC 9494 §4.2: graceful restart is over; a second, longer chance if negotiated */
	if (llgr_enter(p))
		return;
	fsm_gr_sweep(p, p->est ? "no End-of-RIB within the stale time"
			       : "the peer did not come back within its restart time");
}

/*
 * One family's routes from p passed limit (what: "route", "membership
 * route"): log once (warn_only), or Cease 6/1 whose data names the family
 * and the limit (RFC 4486 §4), then down until the restart time, if any.
 */
static void over_limit(struct bgp_peer *p, uint8_t safi, uint32_t limit, size_t have,
		       const char *what, bool *warned)
{
	const struct cfg_neighbor *n = p->cfg;
	const uint8_t data[7] = { 0, BGP_AFI_IPV4, safi, (uint8_t)(limit >> 24), (uint8_t)(limit >> 16),
				  (uint8_t)(limit >> 8), (uint8_t)limit };
	const char *key = safi == BGP_SAFI_RTC ? "max_prefix.rtc_limit" : "max_prefix";
	struct bgp_err err, hard;
	char why[128], whats[32];

	snprintf(whats, sizeof(whats), "%ss", what);
	if (n->max_prefix_warn_only) {
		if (!*warned)
			log_warnx("peer %s: %zu %s, over %s %u (warn only)", p->name, have,
				  plural(have, what, whats), key, limit);
		*warned = true;
		return;
	}
	if (!p->est)
		return;
	snprintf(why, sizeof(why), "%zu %s, over %s %u", have, plural(have, what, whats), key,
		 limit);
	bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, data, sizeof(data));
	p->admin_down = true; /* RFC 4486: no automatic restart unless configured */
	fsm_conn_fail(p->est, &err, why);
	if (p->in) /* a restart under way (fsm_conn_restarted) does not bring it back */
		session_close(p->in, fsm_hard_if_final(p->in, &err, &hard));
	if (n->max_prefix_restart)
		session_timer_set(p->retry_timer, n->max_prefix_restart);
	log_warnx("peer %s: max-prefix: session down%s", p->name,
		  n->max_prefix_restart ? ", dialing again later" : " until bgpd restarts");
	bgpd_gr_check(p->d); /* a restart's deferral does not wait for it */
}

void fsm_max_prefix(struct bgp_peer *p)
{
	over_limit(p, BGP_SAFI_VPN, p->cfg->max_prefix, peer_fresh_paths(p), "route",
		   &p->max_prefix_warned);
}

void fsm_max_rtc(struct bgp_peer *p)
{
	over_limit(p, BGP_SAFI_RTC, peer_rtc_limit(p), p->rtc_in.n, "membership route",
		   &p->rtc_limit_warned);
}

void fsm_conn_fail(struct bgp_conn *c, const struct bgp_err *err, const char *why)
{
	struct bgp_peer *p = c->peer;
	bool was_est = p->est == c;
	struct bgp_err hard;

	if (c->closing)
		return;
	err = fsm_hard_if_final(c, err, &hard);
	if (c->probe || (p->est && !was_est)) { /* a probe, or a restart not confirmed */
		log_warnx("peer %s: extra connection while Established: %s, closed", p->name, why);
		session_close(c, err);
		return;
	}
	peer_set_error(p, why, err, true);
	log_warnx("peer %s: %s", p->name, p->last_error);
	/* before any OPEN only a delaying connection (TCP up) has someone to tell */
	session_close(c, c->state >= FSM_OPENSENT || c->delay_open ? err : NULL);
	if (was_est)
		peer_down(p, ends_gracefully(p, err));
	else if (err)
		p->flaps++; /* OPEN or protocol errors before Established back off too */
	peer_after_close(p);
}

void fsm_conn_lost(struct bgp_conn *c, const char *why)
{
	fsm_conn_fail(c, NULL, why);
}

void fsm_connect_failed(struct bgp_peer *p, const char *why)
{
	if (strcmp(p->connect_error, why) != 0)
		log_info("peer %s: cannot connect: %s (trying again)", p->name, why);
	snprintf(p->connect_error, sizeof(p->connect_error), "%s", why);
}

void fsm_conn_connected(struct bgp_conn *c, bool ok)
{
	struct bgp_peer *p = c->peer;

	if (ok)
		p->connect_error[0] = '\0';
	if (!ok) {
		session_close(c, NULL);
		if (!p->est && !p->in)
			p->idle_state = FSM_ACTIVE;
		peer_retry_arm(p);
		return;
	}
	if (p->est) { /* the inbound one won meanwhile */
		session_close(c, NULL);
		return;
	}
	if (delay_open(c))
		return;
	log_debug("peer %s: connected, sending OPEN", p->name);
	fsm_send_open(c);
}

void fsm_conn_accepted(struct bgp_peer *p, struct bgp_conn *c)
{
	struct bgp_err err;

	if (p->est) {
		if (p->probe)
			session_close(p->probe, NULL);
		c->probe = true;
		p->probe = c;
		session_timer_set(c->hold_timer, p->d->probe_wait);
		log_info("peer %s: new connection while Established, reading its first message",
			 p->name);
		return;
	}
	if (p->in) {
		bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		session_close(p->in, &err);
	}
	p->in = c;
	c->state = FSM_ACTIVE;
	if (delay_open(c))
		return;
	log_debug("peer %s: accepted a connection, sending OPEN", p->name);
	fsm_send_open(c);
}

/*
 * The probe c brought an OPEN from a peer that can restart gracefully
 * (fsm_msg.c): c carries on as an inbound connection, our OPEN sent (an
 * earlier one doing so gets Cease 6/7, as in fsm_conn_accepted). The old
 * session ends when c is Established (fsm_msg.c), the peer's KEEPALIVE
 * saying it accepted a new session: it restarted. A live peer (its own
 * dial racing the session that won, read late) closes c instead, and the
 * session stays.
 */
void fsm_conn_restarted(struct bgp_conn *c)
{
	log_info("peer %s: OPEN on a new connection while Established: answered; if the peer "
		 "confirms it, it restarted (RFC 4724) and the old session ends", c->peer->name);
	fsm_probe_answer(c);
}

void fsm_probe_answer(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_err err;

	c->probe = false;
	p->probe = NULL;
	if (p->in) {
		bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		session_close(p->in, &err);
	}
	p->in = c;
	c->state = FSM_ACTIVE;
	fsm_send_open(c);
}

/* The routes a peer's last session left stale go now: it is gone for good. */
static void peer_gr_drop(struct bgp_peer *p, const char *why)
{
	size_t n;

	if (!p->gr_waiting)
		return;
	gr_wait_end(p);
	n = rib_source_flush(p->d->rib, &p->src);
	log_info("peer %s: %s, %zu stale %s withdrawn", p->name, why, n,
		 plural(n, "route", "routes"));
	bgpd_schedule_flush(p->d);
}

void fsm_conn_notified(struct bgp_conn *c, const struct bgp_err *err)
{
	struct bgp_peer *p = c->peer;
	bool was_est = p->est == c;
	char e[BGP_ERR_TEXT_MAX];

	if (c->probe) {
		session_close(c, NULL);
		return;
	}
	if (p->est && !was_est) { /* on a restart's connection: the peer is alive after all */
		bgp_err_describe(err, e, sizeof(e));
		log_warnx("peer %s: extra connection while Established: received %s, closed",
			  p->name, e);
		session_close(c, NULL);
		return;
	}
	peer_set_error(p, "NOTIFICATION", err, false);
	log_warnx("peer %s: %s", p->name, p->last_error);
	session_close(c, NULL);
	if (was_est) {
		peer_down(p, ends_gracefully(p, err));
	} else {
		/* RFC 8538: a Hard Reset before Established ends the last session's restart too */
		if (bgp_err_is_hard_reset(err))
			peer_gr_drop(p, "Hard Reset received");
		if (err->code != BGP_ERR_CEASE && /* collisions and shutdowns are no failure, */
		    !(err->code == BGP_ERR_OPEN && err->subcode == BGP_ERR_OPEN_VERSION)) /* nor 8.1 ev. 24 */
			p->flaps++;
	}
	peer_after_close(p);
}

void fsm_peer_reset(struct bgp_peer *p, const struct bgp_err *err, const char *why)
{
	struct bgp_err hard;
	struct bgp_conn *c;

	if (p->probe) /* first: the session's end would take it as the peer's connection */
		session_close(p->probe, NULL);
	if (p->est)
		fsm_conn_fail(p->est, err, why); /* down as on any error: its routes withdrawn */
	while ((c = p->out ? p->out : p->in ? p->in : p->probe))
		session_close(c, c->state >= FSM_OPENSENT || c->delay_open
					 ? fsm_hard_if_final(c, err, &hard) : NULL);
	evtimer_del(p->retry_timer);
	peer_gr_drop(p, why);
	adjout_forget_source(p->d, &p->src);
	p->idle_state = FSM_IDLE;
	p->flaps = 0;
	/* the dials end here: a neighbor shut down or made passive has no failure to show */
	p->connect_error[0] = '\0';
	p->admin_down = false;
	p->max_prefix_warned = p->rtc_limit_warned = false;
}
