/*
 * bgpd as the restarting speaker of graceful restart (RFC 4724 §4.1).
 *
 * fwd and vrfmgr are processes of their own: when bgpd dies they keep
 * forwarding on what it had given them. A bgpd that finds it was not
 * stopped cleanly (main.c) has therefore restarted with its forwarding state
 * kept, and says so in its OPENs: the R bit while it is catching up, the F
 * bit for VPN-IPv4. Peers that kept its routes stale keep using them until
 * its End-of-RIB. Meanwhile it defers what would take a partial table as
 * whole:
 * - vrfmgr's replay stays open (vrfmgr_link.c): vrfmgr refreshes the routes
 *   as they come and sweeps none until every neighbor has sent its
 *   End-of-RIB, so pe-to-pe traffic keeps its routes through the restart;
 * - peers' End-of-RIB waits the same (adjout.c): a route reflector would
 *   otherwise tell its clients its table is complete with half of it.
 * The deferral ends when every neighbor has sent End-of-RIB, or is up
 * without graceful restart (it sends none) or restarting too, or is held
 * down by max-prefix, or after the deferral time
 * (bgp.graceful_restart.deferral_time: a neighbor that stays down must not
 * hold back the others for ever).
 */
#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"

/*
 * A neighbor is caught up with: it sent End-of-RIB; or it is held down
 * (max-prefix: it will send nothing until its hold-down ends, if ever; or
 * shut down in the config); or
 * it is up and will send none for VPN-IPv4 (no graceful restart, or not that
 * family); or it is restarting too (R bit): it waits for our End-of-RIB as
 * we would for its, so neither may wait (RFC 4724 §4.1).
 */
static bool peer_caught_up(const struct bgp_peer *p)
{
	const struct bgp_open *o;

	if (p->gr_eor_seen || peer_held_down(p))
		return true;
	if (p->est == NULL)
		return false;
	o = &p->est->open;
	return !o->cap_gr || o->gr_restarting || !(p->ctx.afs & BGP_AF_VPNV4);
}

static void deferral_end(struct bgpd *d, const char *why)
{
	/*
	 * Not once stopping: REPLAY_END would have vrfmgr sweep what no
	 * neighbor sent again, and a graceful stop (SIGUSR1) leaves it to
	 * the next bgpd
	 */
	if (!d->gr_deferring || d->stopping)
		return;
	d->gr_deferring = false;
	evtimer_del(d->gr_defer_ev);
	log_info("graceful restart: %s; vrfmgr's replay and peers' End-of-RIBs go out", why);
	/* the flush sends what changed, then REPLAY_END and the End-of-RIBs owed */
	bgpd_schedule_flush(d);
}

static void deferral_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct bgpd *d = arg;

	(void)fd;
	(void)what;
	deferral_end(d, "the wait for End-of-RIBs ran out");
}

int bgpd_gr_restarted(struct bgpd *d, unsigned deferral_s)
{
	struct timeval tv = { deferral_s, 0 };

	if (!d->cfg->bgp.graceful_restart)
		return 0;
	d->gr_defer_ev = evtimer_new(d->base, deferral_timeout, d);
	if (!d->gr_defer_ev || evtimer_add(d->gr_defer_ev, &tv) < 0)
		return -1;
	d->gr_restarted = true;
	d->gr_deferring = true;
	log_info("graceful restart: bgpd restarted with fwd's forwarding state kept; waiting up to "
		 "%u s for every neighbor's End-of-RIB", deferral_s);
	return 0;
}

void bgpd_gr_check(struct bgpd *d)
{
	if (!d->gr_deferring)
		return;
	for (size_t i = 0; i < d->peer_slots; i++)
		if (d->peers[i].cfg && !peer_caught_up(&d->peers[i]))
			return;
	deferral_end(d, "every neighbor sent End-of-RIB or has none to send");
}

void bgpd_gr_free(struct bgpd *d)
{
	if (d->gr_defer_ev)
		event_free(d->gr_defer_ev);
	d->gr_defer_ev = NULL;
}
