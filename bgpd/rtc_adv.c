/*
 * Route target constraint (RFC 4684): which VPN-IPv4 routes a neighbor
 * that negotiated AFI 1 / SAFI 132 hears, and the membership routes we
 * advertise.
 *
 * Filtering. Such a neighbor hears a VPN route only when one of the
 * route's route targets falls under a membership route it advertised (the
 * default route, length 0, covers everything). It is alone in its update
 * group (updgroup_key.rtc_peer), so adjout_group_eligible can ask its own
 * membership. Until its membership End-of-RIB (or RTC_EOR_WAIT seconds,
 * RFC 4684 §6) it hears no VPN route, and its VPN End-of-RIB waits too.
 * When its membership changes, the destinations under the route targets
 * that changed are looked at again at the next flush (rtc_rewalk.c):
 * routes newly wanted are announced, routes no longer wanted withdrawn.
 *
 * Advertising. Membership flows against the VPN routes it asks for: a
 * neighbor P is sent what would make it send us the routes that anyone we
 * pass its routes on to wants (§3.2, §4): our own (one route per import RT
 * of our VRFs, origin AS = ours), and the membership of each neighbor Q
 * that VPN routes from P may go to (route reflection, RFC 4456: a client's
 * routes go to every iBGP neighbor, a non-client's to clients; an eBGP
 * neighbor's to iBGP ones). When such a Q has no membership to give (it
 * has no route target constraint configured, or did not negotiate it), P
 * is sent the default route: Q wants everything. rtc_out.c keeps it up to
 * date: a membership change is looked at route by route (through an index
 * of every membership route and its sources), the whole set only when who
 * may hear whom changed; only the differences go out. A received
 * membership route keeps its path attributes, so a reflected one carries
 * ORIGINATOR_ID (ours to a client, RFC 4684 §3.2) and the CLUSTER_LIST
 * grown by ours (RFC 4456 §8).
 *
 * Graceful restart. A neighbor's membership outlives its session as long
 * as its routes are kept stale (rtc_gr_end drops it with them); back, its
 * old one is passed on beside the new until its membership End-of-RIB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "bgpd/rtc_update.h"
#include "common/log.h"
#include "common/plural.h"

/* ---- our own membership ---- */

/* next becomes our membership; true when it differs from what it was. */
static bool local_replace(struct bgpd *d, struct rtc_set *next)
{
	bool same = next->n == d->rtc_local.n;

	for (size_t i = 0; same && i < next->n; i++)
		same = rtc_set_has(&d->rtc_local, &next->v[i]);
	rtc_set_free(&d->rtc_local);
	d->rtc_local = *next;
	if (same)
		return false;
	d->rtc_dirty = true;
	bgpd_schedule_flush(d);
	return true;
}

void rtc_local_set(struct bgpd *d, const struct ext_community *rts, size_t n)
{
	struct rtc_set next = { 0 };
	bool oom = false;

	for (size_t i = 0; i < n && !oom; i++) {
		struct rtc_route r = rtc_route_of(d->cfg->asn, &rts[i]);

		oom = rtc_set_put(&next, &r, NULL) < 0;
	}
	if (oom || rtc_set_settle(&next) < 0) {
		log_warnx("vrfmgr: out of memory taking its import route targets");
		rtc_set_free(&next);
		return;
	}
	if (local_replace(d, &next))
		log_info("vrfmgr: %zu import route %s: our route target membership (RFC 4684)", n,
			 plural(n, "target", "targets"));
}

void rtc_local_set_all(struct bgpd *d)
{
	struct rtc_set next = { 0 };
	const struct rtc_route def = { 0 };

	if (rtc_set_add(&next, &def) < 0) {
		log_warnx("vrfmgr: out of memory taking its import route targets");
		return;
	}
	if (local_replace(d, &next))
		log_warnx("vrfmgr: more import route targets than one message holds: our route "
			  "target membership is the default route (every VPN route, RFC 4684)");
}

/* ---- a neighbor's membership ---- */

/* Sorts in what p's set s took since the last time (rtc.h): before it is looked up. */
static void settle(struct bgp_peer *p, struct rtc_set *s)
{
	if (rtc_set_settle(s) < 0)
		log_warnx("peer %s: out of memory storing membership routes: some dropped",
			  p->name);
}

void rtc_settle_all(struct bgpd *d)
{
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (p->cfg) {
			settle(p, &p->rtc_in);
			settle(p, &p->rtc_old);
		}
	}
}

bool rtc_over_limit(struct bgp_peer *p)
{
	uint32_t limit = peer_rtc_limit(p);

	if (!p->rtc || p->rtc_in.n <= limit)
		return false;
	settle(p, &p->rtc_in); /* repeats among the pending ones are not counted */
	return p->rtc_in.n > limit;
}

static void rtc_ready(struct bgp_peer *p, const char *why)
{
	if (p->rtc_ready)
		return;
	p->rtc_ready = true;
	p->rtc_rewalk = true;
	settle(p, &p->rtc_in);
	evtimer_del(p->rtc_timer);
	if (p->rtc_old.n) { /* the last session's, kept across its restart: what it sent now counts */
		rtc_set_clear(&p->rtc_old);
		p->d->rtc_dirty = true;
	}
	log_info("peer %s: route target membership %s: %zu %s; its VPN routes go out", p->name, why,
		 p->rtc_in.n, plural(p->rtc_in.n, "route", "routes"));
	bgpd_schedule_flush(p->d);
}

void rtc_timer_cb(int fd, short what, void *arg)
{
	struct bgp_peer *p = arg;
	char why[96];

	(void)fd;
	(void)what;
	snprintf(why, sizeof(why), "End-of-RIB not in within %u s, taken as complete",
		 p->d->rtc_eor_wait);
	rtc_ready(p, why);
}

/*
 * Applies one NLRI field, announcements with attributes a (interned: kept
 * with each member, for what we pass on). True when the set changed.
 */
static bool apply(struct bgp_peer *p, struct rbuf r, struct attr_set *a, bool add)
{
	struct rtc_route m;
	bool changed = false;
	int rc;

	while (rbuf_left(&r) > 0 && rtc_nlri_get(&r, &m) == 0) {
		rc = add ? rtc_set_put(&p->rtc_in, &m, attr_ref(a)) : rtc_set_del(&p->rtc_in, &m);
		if (rc < 0)
			log_warnx("peer %s: out of memory storing a membership route", p->name);
		changed |= rc > 0;
	}
	return changed;
}

void rtc_input(struct bgp_peer *p, const struct bgp_update *u, bool withdraw)
{
	bool changed;

	if (!p->rtc)
		return;
	changed = apply(p, u->rtc_unreach, NULL, false);
	if (u->n_rtc_reach) {
		struct attr_set *a = withdraw ? NULL : attr_intern(&u->attrs);

		if (!withdraw && !a)
			log_warnx("peer %s: out of memory storing membership routes", p->name);
		changed |= apply(p, u->rtc_reach, a, a != NULL);
		attr_unref(a);
	}
	if (changed) {
		p->rtc_rewalk = p->rtc_ready;
		p->rtc_pub_dirty = true; /* only its changed routes are looked at (rtc_out.c) */
		p->d->rtc_delta = true;
		bgpd_schedule_flush(p->d);
	}
	if (u->rtc_eor)
		rtc_ready(p, "End-of-RIB");
}

bool rtc_peer_wants(const struct bgp_peer *p, const struct rib_path *path)
{
	const struct bgp_attrs *a = &path->attrs->a;

	if (!p->rtc)
		return true;
	return p->rtc_ready && rtc_set_wants(&p->rtc_in, a->ext, a->n_ext);
}

void rtc_peer_up(struct bgp_peer *p)
{
	struct timeval wait = { p->d->rtc_eor_wait, 0 };

	p->rtc = (p->ctx.afs & BGP_AF_RTC) && (p->ctx.afs & BGP_AF_VPNV4);
	p->rtc_ready = !p->rtc;
	p->rtc_rewalk = p->rtc_eor_sent = p->rtc_vpn_eor_owed = false;
	rtc_set_clear(&p->rtc_old);
	if (p->rtc && p->rtc_kept && p->gr_waiting) { /* back from a graceful restart */
		struct rtc_set t = p->rtc_old;

		p->rtc_old = p->rtc_in; /* passed on, with what it sends, until its End-of-RIB */
		p->rtc_in = t;
	}
	p->rtc_kept = false;
	rtc_set_clear(&p->rtc_in);
	rtc_rewalk_forget(p);
	/*
	 * Until ready it hears nothing, as if its membership were empty, and
	 * it is alone in a new group (no route marked as sent): the first look
	 * takes its whole membership as the difference (rtc_rewalk.c).
	 */
	p->rtc_walked_valid = p->rtc;
	rtc_out_clear(p);
	p->d->rtc_dirty = true; /* the others: one more neighbor with (or without) membership */
	if (p->rtc)
		evtimer_add(p->rtc_timer, &wait);
	bgpd_schedule_flush(p->d); /* our membership goes out there (rtc_flush_adverts) */
}

void rtc_peer_down(struct bgp_peer *p)
{
	if (p->rtc || p->rtc_in.n)
		p->d->rtc_dirty = true;
	p->d->rtc_dirty |= !(p->cfg->families & CFG_AF_RTC); /* a default it caused may go */
	/*
	 * Its membership stays while its routes are kept stale (the caller
	 * says, rtc_gr_end): else a reflector would have the other PEs withdraw
	 * what it imports, and send it those routes only after its End-of-RIB
	 * had swept its stale ones.
	 */
	p->rtc_kept = p->rtc;
	if (p->rtc_old.n) { /* down again before its End-of-RIB: keep the union */
		for (size_t i = 0; i < p->rtc_old.n; i++)
			if (!rtc_set_has(&p->rtc_in, &p->rtc_old.v[i]))
				rtc_set_put(&p->rtc_in, &p->rtc_old.v[i], attr_ref(p->rtc_old.attrs[i]));
		rtc_set_clear(&p->rtc_old);
	}
	p->rtc = p->rtc_ready = p->rtc_rewalk = false;
	p->rtc_eor_sent = p->rtc_vpn_eor_owed = false;
	rtc_rewalk_forget(p);
	rtc_out_clear(p);
	if (p->rtc_timer)
		evtimer_del(p->rtc_timer);
	bgpd_schedule_flush(p->d);
}

void rtc_gr_end(struct bgp_peer *p)
{
	if (p->est || (!p->rtc_kept && !p->rtc_in.n))
		return;
	if (p->rtc_kept)
		log_info("peer %s: graceful restart over: its %zu route target membership %s go",
			 p->name, p->rtc_in.n, plural(p->rtc_in.n, "route", "routes"));
	p->rtc_kept = false;
	rtc_set_clear(&p->rtc_in);
	p->d->rtc_dirty = true;
	bgpd_schedule_flush(p->d);
}

void rtc_peer_free(struct bgp_peer *p)
{
	if (p->rtc_timer)
		event_free(p->rtc_timer);
	p->rtc_timer = NULL;
	rtc_set_free(&p->rtc_in);
	rtc_set_free(&p->rtc_old);
	rtc_rewalk_forget(p);
	rtc_out_free(p);
}

void rtc_free(struct bgpd *d)
{
	rtc_set_free(&d->rtc_local);
	rtc_pub_free(&d->rtc_local_pub);
	rtc_index_free(&d->rtc_idx);
	rtc_changes_free(&d->rtc_changes);
}
