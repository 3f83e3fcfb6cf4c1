/*
 * Reload (SIGHUP): a new configuration replaces the running one in place.
 * Neighbors are matched by address. Removed ones get Cease 6/3 (RFC 4486,
 * "Peer De-configured") and their routes are withdrawn as when a session
 * goes down; changed ones get Cease 6/6 ("Other Configuration Change") and
 * come back with their new settings in the same slot; ones shut down get
 * Cease 6/2 with their reason and stay down until the config brings them
 * back; new ones take a free slot and start; the others are not touched,
 * not even their timers.
 *
 * What the running speaker is built around cannot change in place and is
 * refused as a whole: our AS and router id (in every OPEN and every path's
 * comparison), the listening address and port, the cluster id (in the
 * reflected paths already sent and in the loop checks of those received),
 * the run directory (the API and vrfmgr sockets), the API's listener, and
 * more neighbors than the slots sized at start (the RIB's Adj-RIB-Out bits).
 * The other speaker-wide settings are read where they are used, so they
 * apply from then on (timers to the sessions that come up next).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/log.h"
#include "common/plural.h"

static const struct cfg_neighbor *neighbor_find(const struct ferry_config *c, uint32_t addr)
{
	for (size_t i = 0; i < c->bgp.n_neighbors; i++)
		if (c->bgp.neighbors[i].address == addr)
			return &c->bgp.neighbors[i];
	return NULL;
}

static bool api_same(const struct cfg_api *a, const struct cfg_api *b)
{
	return a->listen == b->listen && a->port_bgpd == b->port_bgpd &&
	       a->read_only == b->read_only && strcmp(a->tls_cert, b->tls_cert) == 0 &&
	       strcmp(a->tls_key, b->tls_key) == 0 && strcmp(a->token_file, b->token_file) == 0;
}

/* The first field whose change needs a restart, or NULL. */
static const char *restart_field(const struct ferry_config *oc, const struct ferry_config *nc)
{
	if (!nc->bgp.enabled)
		return "bgp";
	if (strcmp(oc->name, nc->name) != 0)
		return "router.name";
	if (oc->router_id != nc->router_id)
		return "router.router_id";
	if (oc->asn != nc->asn)
		return "router.asn";
	if (strcmp(oc->run_dir, nc->run_dir) != 0)
		return "router.run_dir";
	if (oc->bgp.listen_address != nc->bgp.listen_address)
		return "bgp.listen";
	if (oc->bgp.port != nc->bgp.port)
		return "bgp.port";
	if (oc->bgp.cluster_id != nc->bgp.cluster_id)
		return "bgp.cluster_id";
	if (!api_same(&oc->api, &nc->api))
		return "api";
	return NULL;
}

static int reload_check(const struct bgpd *d, const struct ferry_config *nc, char *err,
			size_t errlen)
{
	const char *what = restart_field(d->cfg, nc);

	if (d->stopping) {
		snprintf(err, errlen, "%s: bgpd is stopping", config_file_name(nc->path));
		return -1;
	}
	if (what && !nc->bgp.enabled) {
		snprintf(err, errlen, "%s: no \"bgp\" section: bgpd would have nothing to do",
			 config_file_name(nc->path));
		return -EINVAL;
	}
	if (what) {
		snprintf(err, errlen, "%s: %s changed; that needs a restart of bgpd",
			 config_file_name(nc->path), what);
		return -EINVAL;
	}
	if (nc->bgp.n_neighbors > d->peer_slots) {
		snprintf(err, errlen,
			 "%s: bgp.neighbors: %zu %s, but this bgpd has room for %zu (sized "
			 "at start from the %zu it had); more need a restart of bgpd",
			 config_file_name(nc->path), nc->bgp.n_neighbors,
			 plural(nc->bgp.n_neighbors, "neighbor", "neighbors"), d->peer_slots,
			 d->cfg->bgp.n_neighbors);
		return -ENOSPC;
	}
	return 0;
}

/*
 * The first setting that differs between two configs of one neighbor, or
 * NULL. The description is left out: it changes no session (applied in place).
 */
static const char *neighbor_diff(const struct cfg_neighbor *a, const struct cfg_neighbor *b)
{
	if (a->remote_as != b->remote_as)
		return "remote_as";
	if (a->local_address != b->local_address)
		return "local_address";
	if (a->passive != b->passive)
		return "passive";
	if (a->families != b->families)
		return "families";
	if (strcmp(a->password, b->password) != 0)
		return "password";
	if (a->ttl_security != b->ttl_security)
		return "ttl_security";
	if (a->rr_client != b->rr_client)
		return "route_reflector_client";
	if (a->max_prefix != b->max_prefix || a->max_prefix_warn_only != b->max_prefix_warn_only ||
	    a->max_prefix_restart != b->max_prefix_restart || a->rtc_limit != b->rtc_limit)
		return "max_prefix";
	if (a->delay_open != b->delay_open)
		return "delay_open";
	return NULL;
}

enum bgpd_reload_fate bgpd_reload_fate(const struct cfg_neighbor *was,
				       const struct cfg_neighbor *n, const char **what)
{
	*what = NULL;
	if (n == NULL)
		return BGPD_RELOAD_REMOVED;
	if (n->shutdown && was->shutdown)
		return BGPD_RELOAD_UNCHANGED; /* its other settings change nothing while down */
	if (n->shutdown)
		return BGPD_RELOAD_SHUT_DOWN;
	if (was->shutdown)
		return BGPD_RELOAD_BROUGHT_UP;
	if ((*what = neighbor_diff(was, n)) != NULL)
		return BGPD_RELOAD_CHANGED;
	return BGPD_RELOAD_UNCHANGED;
}

/* The listener's TCP-MD5 key of p's old password goes when n has another. */
static void unkey_if_changed(const struct bgp_peer *p, const struct cfg_neighbor *n)
{
	if (p->cfg->password[0] && strcmp(p->cfg->password, n->password) != 0)
		session_listener_unkey(p->d, p->cfg->address);
}

/*
 * A neighbor the new config shuts down gets Cease / administrative shutdown
 * with its reason (RFC 9003; a Hard Reset with the N bit, so its routes go
 * on both sides) and stays down; one brought back up dials again as a
 * changed one does. While it stays down its other settings change nothing.
 */
static void reload_shutdown(struct bgp_peer *p, const struct cfg_neighbor *n, bool *restart)
{
	struct bgp_err err;

	unkey_if_changed(p, n);
	if (n->shutdown && p->cfg->shutdown)
		return;
	if (!n->shutdown) {
		log_info("reload: neighbor %s no longer shut down: connecting", p->name);
		*restart = true;
		return;
	}
	log_info("reload: neighbor %s shut down%s%s%s: session closed (Cease, administrative "
		 "shutdown), its routes withdrawn", p->name, n->shutdown_msg[0] ? " (\"" : "",
		 n->shutdown_msg, n->shutdown_msg[0] ? "\")" : "");
	bgp_err_set_shutdown(&err, BGP_CEASE_ADMIN_SHUTDOWN, n->shutdown_msg);
	fsm_peer_reset(p, &err, "shut down in the config");
}

/* Phase 1, on the old config: neighbors that go, and those reset for new settings. */
static void reload_down(struct bgpd *d, const struct ferry_config *nc, bool *restart)
{
	struct bgp_err err;

	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];
		const struct cfg_neighbor *n;
		enum bgpd_reload_fate fate;
		const char *what;

		if (!p->cfg)
			continue;
		n = neighbor_find(nc, p->cfg->address);
		fate = bgpd_reload_fate(p->cfg, n, &what);
		if (fate == BGPD_RELOAD_REMOVED) {
			log_info("reload: neighbor %s removed: session closed (Cease, peer "
				 "de-configured), its routes withdrawn", p->name);
			bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_PEER_DECONFIGURED, NULL, 0);
			fsm_peer_reset(p, &err, "removed from the config");
			if (p->cfg->password[0])
				session_listener_unkey(d, p->cfg->address);
			bgpd_events_sessions(d); /* its last state change, while it has a slot */
			bgpd_peer_release(p);
			continue;
		}
		if (n->shutdown || p->cfg->shutdown) {
			reload_shutdown(p, n, &restart[i]);
			continue;
		}
		if (fate == BGPD_RELOAD_UNCHANGED) {
			if (strcmp(p->cfg->description, n->description) != 0)
				log_info("reload: neighbor %s: new description \"%s\" (session "
					 "untouched)", p->name, n->description);
			continue;
		}
		log_info("reload: neighbor %s changed (%s): session reset (Cease, other "
			 "configuration change), back with the new settings", p->name, what);
		bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_OTHER_CONFIG, NULL, 0);
		fsm_peer_reset(p, &err, "configuration changed");
		unkey_if_changed(p, n);
		restart[i] = true;
	}
}

/* Speaker-wide settings read where they are used: said once, they apply from now on. */
static void reload_log_globals(const struct cfg_bgp *o, const struct cfg_bgp *n)
{
	static const char *const later = "applies to sessions that come up from now on";

	if (o->hold_time != n->hold_time)
		log_info("reload: bgp.hold_time %u -> %u: %s", o->hold_time, n->hold_time, later);
	if (o->graceful_restart != n->graceful_restart || o->gr_restart_time != n->gr_restart_time ||
	    o->gr_notification != n->gr_notification || o->llgr_stale_time != n->llgr_stale_time)
		log_info("reload: bgp.graceful_restart changed: %s", later);
	if (o->gr_deferral_time != n->gr_deferral_time)
		log_info("reload: bgp.graceful_restart.deferral_time %u -> %u: applies when bgpd "
			 "next restarts", o->gr_deferral_time, n->gr_deferral_time);
	if (o->gr_stale_time != n->gr_stale_time)
		log_info("reload: bgp.graceful_restart.stale_time %u -> %u: applies from now on",
			 o->gr_stale_time, n->gr_stale_time);
	if (o->connect_retry != n->connect_retry)
		log_info("reload: bgp.connect_retry %u -> %u: applies from now on",
			 o->connect_retry, n->connect_retry);
}

/* Whether a slot of d holds the neighbor at addr (bgpd_peer_by_addr, read only). */
static bool has_neighbor(const struct bgpd *d, uint32_t addr)
{
	for (size_t i = 0; i < d->peer_slots; i++)
		if (d->peers[i].cfg && d->peers[i].cfg->address == addr)
			return true;
	return false;
}

/* One neighbor of the plan (p NULL: only counting). */
static void plan_note(struct bgpd_reload_plan *p, uint32_t address, enum bgpd_reload_fate fate,
		      const char *what)
{
	if (p == NULL)
		return;
	p->neighbors[p->n].address = address;
	p->neighbors[p->n].fate = fate;
	p->neighbors[p->n].what = what;
	p->n++;
}

/*
 * Whether nc would be refused (-1, err set) and, if not, what applying it
 * would do, decided as the apply decides (reload_check, bgpd_reload_fate,
 * the slots by address) and touching nothing: the counts into st and, when
 * p is not NULL, one entry per neighbor that changes into p (allocated
 * here; -ENOMEM when that fails). bgpd_reload refuses and counts by this
 * before it starts, so its "reload done" line and the dry run agree.
 */
static int reload_walk(const struct bgpd *d, const struct ferry_config *nc,
		       struct bgpd_reload_stats *st, struct bgpd_reload_plan *p, char *err,
		       size_t errlen)
{
	static const struct bgpd_reload_stats none;
	size_t kept = 0;

	*st = none;
	if (reload_check(d, nc, err, errlen) < 0)
		return -1;
	if (p != NULL && !(p->neighbors = calloc(d->peer_slots + nc->bgp.n_neighbors + 1,
						 sizeof(*p->neighbors)))) {
		snprintf(err, errlen, "%s: out of memory", config_file_name(nc->path));
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->peer_slots; i++) {
		const struct bgp_peer *peer = &d->peers[i];
		const struct cfg_neighbor *n;
		enum bgpd_reload_fate fate;
		const char *what;

		if (!peer->cfg)
			continue;
		n = neighbor_find(nc, peer->cfg->address);
		kept += n != NULL;
		fate = bgpd_reload_fate(peer->cfg, n, &what);
		if (fate == BGPD_RELOAD_UNCHANGED) {
			st->unchanged++;
			continue;
		}
		plan_note(p, peer->cfg->address, fate, what);
		if (fate == BGPD_RELOAD_REMOVED)
			st->removed++;
		else
			st->changed++;
	}
	/* addresses are unique in a config: every neighbor of nc not kept is added */
	st->added = nc->bgp.n_neighbors - kept;
	for (size_t i = 0; p != NULL && i < nc->bgp.n_neighbors; i++)
		if (!has_neighbor(d, nc->bgp.neighbors[i].address))
			plan_note(p, nc->bgp.neighbors[i].address, BGPD_RELOAD_ADDED, NULL);
	return 0;
}

int bgpd_reload_plan(const struct bgpd *d, const struct ferry_config *nc,
		     struct bgpd_reload_plan *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	return reload_walk(d, nc, &p->st, p, err, errlen);
}

void bgpd_reload_plan_free(struct bgpd_reload_plan *p)
{
	free(p->neighbors);
	memset(p, 0, sizeof(*p));
}

void bgpd_reload_stats_format(const struct bgpd_reload_stats *st, char *out, size_t len)
{
	snprintf(out, len, "%zu %s added, %zu removed, %zu changed, %zu unchanged", st->added,
		 plural(st->added, "neighbor", "neighbors"), st->removed, st->changed,
		 st->unchanged);
}

const char *bgpd_reload_fate_name(enum bgpd_reload_fate f)
{
	static const char *const names[] = {
		[BGPD_RELOAD_UNCHANGED] = "unchanged",  [BGPD_RELOAD_REMOVED] = "removed",
		[BGPD_RELOAD_CHANGED] = "changed",      [BGPD_RELOAD_SHUT_DOWN] = "shut_down",
		[BGPD_RELOAD_BROUGHT_UP] = "brought_up", [BGPD_RELOAD_ADDED] = "added",
	};

	return names[f];
}

int bgpd_reload(struct bgpd *d, const struct ferry_config *nc, struct bgpd_reload_stats *st,
		char *err, size_t errlen)
{
	bool *restart;

	/* Refused and counted as its dry run (bgpd_reload_plan) refuses and counts. */
	if (reload_walk(d, nc, st, NULL, err, errlen) < 0)
		return -1;
	if (!(restart = calloc(d->peer_slots, sizeof(*restart)))) {
		snprintf(err, errlen, "%s: out of memory", config_file_name(nc->path));
		return -1;
	}
	reload_down(d, nc, restart);
	/* The switch: from here on every neighbor that stays reads the new config. */
	reload_log_globals(&d->cfg->bgp, &nc->bgp);
	d->cfg = nc;
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (!p->cfg)
			continue;
		p->cfg = neighbor_find(nc, p->cfg->address);
		p->src.rr_client = p->cfg->rr_client; /* same, or its routes are gone */
	}
	session_listener_protect(d); /* new keys before the new neighbors' SYNs */
	for (size_t i = 0; i < nc->bgp.n_neighbors; i++) {
		const struct cfg_neighbor *n = &nc->bgp.neighbors[i];
		struct bgp_peer *p;

		if (bgpd_peer_by_addr(d, n->address))
			continue;
		if (!(p = bgpd_peer_add(d, n)))
			continue; /* out of memory (logged); the check left room */
		log_info("reload: neighbor %s added (AS %u)", p->name, n->remote_as);
		fsm_peer_start(p);
	}
	/*
	 * A reset peer is dialed a second later, not at once: a connection
	 * arriving before it has read our Cease would meet its old session
	 * and be refused as a collision, costing a ConnectRetry.
	 */
	for (size_t i = 0; i < d->peer_slots; i++) {
		if (!restart[i])
			continue;
		d->peers[i].idle_state = FSM_ACTIVE;
		session_timer_set(d->peers[i].retry_timer, 1);
	}
	free(restart);
	bgpd_gr_check(d); /* a restart may have waited only for neighbors now removed */
	/* neighbors added or removed may change whom a membership default is owed (RFC 4684) */
	d->rtc_dirty = true;
	bgpd_schedule_flush(d);
	return 0;
}
