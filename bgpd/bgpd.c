/*
 * The speaker as a whole: builds peers from the configuration, owns the RIB
 * and the "local" source (vrfmgr's routes), and runs the flush that turns
 * RIB changes into vrfmgr messages and UPDATEs once per event-loop turn (so a
 * burst of changes is packed). Stopping sends Cease to every peer and waits,
 * bounded, for the NOTIFICATIONs to leave.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/api.h"
#include "common/log.h"

const char *fsm_state_name(enum fsm_state s)
{
	static const char *const names[] = { "Idle", "Connect", "Active", "OpenSent",
					     "OpenConfirm", "Established" };
	return s <= FSM_ESTABLISHED ? names[s] : "?";
}

enum fsm_state peer_state(const struct bgp_peer *p)
{
	enum fsm_state s = FSM_IDLE;

	if (p->est)
		return FSM_ESTABLISHED;
	if (p->out && p->out->state > s)
		s = p->out->state;
	if (p->in && p->in->state > s)
		s = p->in->state;
	return s == FSM_IDLE ? p->idle_state : s;
}

struct bgp_peer *bgpd_peer_by_addr(struct bgpd *d, uint32_t addr)
{
	for (size_t i = 0; i < d->peer_slots; i++)
		if (d->peers[i].cfg && d->peers[i].cfg->address == addr)
			return &d->peers[i];
	return NULL;
}

/* A destination whose best path changed, to vrfmgr and to the update groups. */
static void entry_send(struct bgpd *d, struct rib_entry *e)
{
	if (d->vl)
		vrfmgr_link_entry(d->vl, e);
	for (struct updgroup *g = d->groups; g; g = g->next)
		if (g->key.afs & BGP_AF_VPNV4)
			adjout_group_entry(g, e);
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgpd *d = arg;
	struct rib_entry *e;

	(void)fd;
	(void)what;
	rtc_settle_all(d); /* membership taken in since: looked up below */
	updgroup_check_backlog(d);
	while ((e = rib_changed_pop(d->rib))) {
		bgpd_events_route(d, e); /* the /events stream (api.h) */
		if (!e->paths_only) /* else what they hold of it is as it was */
			entry_send(d, e);
		rib_entry_done(d->rib, e);
	}
	if (d->vl) /* after the changes above: a restart's replay ends with them in */
		vrfmgr_link_replay_done(d->vl);
	rtc_flush_rewalks(d); /* memberships changed (RFC 4684): their VPN routes again */
	for (struct updgroup *g = d->groups; g; g = g->next)
		updgroup_send(g);
	rtc_flush_adverts(d);
	adjout_send_owed_eor(d);
}

time_t bgpd_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1;
}

void bgpd_schedule_flush(struct bgpd *d)
{
	if (!event_pending(d->flush_ev, EV_TIMEOUT, NULL))
		event_active(d->flush_ev, 0, 0);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgpd *d = arg;

	(void)fd;
	(void)what;
	if (d->stopping && !d->closing && d->on_stopped) {
		void (*done)(struct bgpd *) = d->on_stopped;

		d->on_stopped = NULL;
		done(d);
	}
}

size_t bgpd_peer_slots(size_t n_neighbors, unsigned bits)
{
	size_t words = (bits * n_neighbors + 1 + 63) / 64;

	return (64 * words - 1) / bits;
}

/* The config has a neighbor with route target constraint: its peers get a held_slot. */
static unsigned slot_bits(const struct ferry_config *cfg)
{
	for (size_t i = 0; i < cfg->bgp.n_neighbors; i++)
		if (cfg->bgp.neighbors[i].families & CFG_AF_RTC)
			return 4;
	return 3;
}

/*
 * RIB bits: 0 local, then for slot i: 1 + i what the peer was told, 1 +
 * slots + i its "dirty" bit; update groups take 1 + 2 * slots onwards; with
 * 4 bits a slot, 1 + 3 * slots + i what its membership holds back (rtc_held.c).
 */
static int peer_init(struct bgpd *d, struct bgp_peer *p, const struct cfg_neighbor *n)
{
	size_t i = (size_t)(p - d->peers);

	memset(p, 0, sizeof(*p));
	p->d = d;
	p->cfg = n;
	ipv4_format(n->address, p->name);
	p->src.slot = (unsigned)i + 1;
	p->dirty_slot = (unsigned)(d->peer_slots + i + 1);
	p->held_slot = d->slot_bits == 4 ? (unsigned)(3 * d->peer_slots + i + 1) : 0;
	p->src.address = n->address;
	p->src.rr_client = n->rr_client;
	p->idle_state = FSM_IDLE;
	p->retry_timer = evtimer_new(d->base, fsm_retry_cb, p);
	p->gr_timer = evtimer_new(d->base, fsm_gr_timer_cb, p);
	p->rtc_timer = evtimer_new(d->base, rtc_timer_cb, p);
	if (!p->retry_timer || !p->gr_timer || !p->rtc_timer) {
		bgpd_peer_release(p);
		return -ENOMEM;
	}
	return 0;
}

struct bgp_peer *bgpd_peer_add(struct bgpd *d, const struct cfg_neighbor *n)
{
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (p->cfg)
			continue;
		if (peer_init(d, p, n) < 0) {
			log_warnx("bgpd: out of memory for a neighbor");
			return NULL;
		}
		return p;
	}
	log_warnx("bgpd: no free neighbor slot (%zu)", d->peer_slots);
	return NULL;
}

void bgpd_peer_release(struct bgp_peer *p)
{
	for (size_t i = 0; i < p->n_pending; i++)
		attr_unref(p->pending[i].attrs);
	free(p->pending);
	free(p->ovr);
	if (p->retry_timer)
		event_free(p->retry_timer);
	if (p->gr_timer)
		event_free(p->gr_timer);
	rtc_peer_free(p);
	/* connections still lingering over a NOTIFICATION point here, but read nothing */
	memset(p, 0, sizeof(*p));
}

static int peers_init(struct bgpd *d)
{
	d->peers = calloc(d->peer_slots, sizeof(*d->peers));
	if (!d->peers)
		return -ENOMEM;
	for (size_t i = 0; i < d->cfg->bgp.n_neighbors; i++)
		if (peer_init(d, &d->peers[i], &d->cfg->bgp.neighbors[i]) < 0)
			return -ENOMEM;
	return 0;
}

struct bgpd *bgpd_new(struct event_base *base, const struct ferry_config *cfg)
{
	struct bgpd *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->base = base;
	d->cfg = cfg;
	d->local.local = true;
	d->local.slot = 0;
	d->local.router_id = cfg->router_id;
	wbuf_init(&d->out);
	d->out_high_water = BGPD_OUT_HIGH_WATER;
	d->rtc_eor_wait = RTC_EOR_WAIT;
	d->out_low_water = BGPD_OUT_LOW_WATER;
	d->probe_wait = BGP_PROBE_WAIT;
	d->ipc_high_water = BGPD_IPC_HIGH_WATER;
	d->ipc_low_water = BGPD_IPC_LOW_WATER;
	d->slot_bits = slot_bits(cfg);
	d->peer_slots = bgpd_peer_slots(cfg->bgp.n_neighbors, d->slot_bits);
	d->rib = rib_new(d->slot_bits * (unsigned)d->peer_slots + 1);
	d->upd = bgp_update_new();
	d->flush_ev = event_new(base, -1, 0, flush_cb, d);
	d->stop_ev = event_new(base, -1, 0, stop_cb, d);
	if (!d->rib || !d->upd || !d->flush_ev || !d->stop_ev || peers_init(d) < 0) {
		log_warnx("bgpd: out of memory");
		bgpd_free(d);
		return NULL;
	}
	if (session_listen(d) < 0) {
		bgpd_free(d);
		return NULL;
	}
	for (size_t i = 0; i < d->peer_slots; i++)
		if (d->peers[i].cfg)
			fsm_peer_start(&d->peers[i]);
	return d;
}

static void peer_close_all(struct bgp_peer *p, const struct bgp_err *err)
{
	struct bgp_conn *cs[4] = { p->est, p->out, p->in, p->probe };
	struct bgp_err hard;

	for (int i = 0; i < 4; i++)
		if (cs[i])
			session_close(cs[i], fsm_hard_if_final(cs[i], err, &hard));
}

/* Every connection closed with err (NULL: none), the listener gone, then done. */
static void stop_with(struct bgpd *d, void (*done)(struct bgpd *d), const struct bgp_err *err)
{
	d->stopping = true;
	d->on_stopped = done;
	for (size_t i = 0; i < d->peer_slots; i++) {
		if (!d->peers[i].cfg)
			continue;
		evtimer_del(d->peers[i].retry_timer);
		evtimer_del(d->peers[i].gr_timer);
		peer_close_all(&d->peers[i], err);
	}
	if (d->listener) {
		evconnlistener_free(d->listener);
		d->listener = NULL;
	}
	event_active(d->stop_ev, 0, 0);
}

void bgpd_stop(struct bgpd *d, void (*done)(struct bgpd *d))
{
	struct bgp_err err;
	char why[BGP_SHUTDOWN_MSG_MAX + 1];

	/* RFC 9003: the peer's operator reads who went and why */
	snprintf(why, sizeof(why), "ferry bgpd on %s stopping", d->cfg->name);
	bgp_err_set_shutdown(&err, BGP_CEASE_ADMIN_SHUTDOWN, why);
	stop_with(d, done, &err);
}

void bgpd_stop_graceful(struct bgpd *d, void (*done)(struct bgpd *d))
{
	stop_with(d, done, NULL);
}

void bgpd_free(struct bgpd *d)
{
	if (!d)
		return;
	d->stopping = true;
	d->on_stopped = NULL;
	for (size_t i = 0; d->peers && i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (!p->cfg)
			continue;
		peer_close_all(p, NULL);
		adjout_peer_down(p);
		bgpd_peer_release(p);
	}
	session_free_closing(d);
	bgpd_gr_free(d);
	if (d->api)
		api_server_free(d->api); /* ends the events' clients, then frees the events */
	bgpd_events_free(d); /* started without an API server: nobody else frees them */
	if (d->vl)
		vrfmgr_link_free(d->vl);
	if (d->listener)
		evconnlistener_free(d->listener);
	rib_free(d->rib);
	rtc_free(d);
	bgp_update_free(d->upd);
	wbuf_free(&d->out);
	free(d->run);
	if (d->flush_ev)
		event_free(d->flush_ev);
	if (d->stop_ev)
		event_free(d->stop_ev);
	free(d->peers);
	free(d);
}

int bgpd_local_add(struct bgpd *d, const struct rd *rd, const struct prefix4 *prefix,
		   uint32_t label, const struct ext_community *rts, size_t n_rts, uint32_t nexthop,
		   uint32_t local_pref, uint32_t med)
{
	struct bgp_attrs a = { 0 };
	struct attr_set *s;
	int rc;

	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a.origin = ORIGIN_IGP;
	a.nexthop = nexthop;
	a.local_pref = local_pref ? local_pref : ATTR_DEFAULT_LOCAL_PREF;
	if (med) {
		a.present |= ATTR_BIT(ATTR_MED);
		a.med = med;
	}
	if (n_rts) {
		a.present |= ATTR_BIT(ATTR_EXT_COMMUNITIES);
		a.ext = rts;
		a.n_ext = (uint16_t)n_rts;
	}
	if (!(s = attr_intern(&a)))
		return -ENOMEM;
	rc = rib_update(d->rib, &d->local, rd, prefix, s, label);
	attr_unref(s);
	bgpd_schedule_flush(d);
	return rc;
}

int bgpd_local_del(struct bgpd *d, const struct rd *rd, const struct prefix4 *prefix)
{
	int rc = rib_withdraw(d->rib, &d->local, rd, prefix);

	bgpd_schedule_flush(d);
	return rc;
}
