/*
 * Long-lived graceful restart (RFC 9494), as the receiving speaker, for
 * VPN-IPv4. Graceful restart (fsm.c) keeps a peer's routes for minutes;
 * when that ends without the peer's End-of-RIB, a peer that negotiated
 * LLGR gets a second, longer period: its stale routes stay usable, but as
 * a last resort. Each gains the LLGR_STALE community, a real one on the
 * path: best-path selection ranks it below every other path (bestpath.c),
 * it goes on to LLGR peers with the community and is withdrawn from the
 * others (adjout.c), and /routes shows it. Routes the peer marked NO_LLGR
 * go instead. The long-lived stale time (the lower of the peer's and ours:
 * its offer is what it can bear, ours what we will keep) then runs on
 * p->gr_timer, and at its end what is still stale goes (fsm_gr_sweep).
 * The peer's End-of-RIB, a Hard Reset or removal end it as they end
 * graceful restart.
 *
 * Only the helper side: bgpd offers the capability (fsm_send_open) but,
 * as a restarting speaker, does nothing beyond graceful restart.
 */
#include <string.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "common/plural.h"

void llgr_established(struct bgp_peer *p, const struct bgp_conn *c)
{
	const struct bgp_open *o = &c->open;
	/* what our OPEN said, not the config now: a reload may have changed it since */
	uint32_t ours = c->sent_llgr_time;

	/* RFC 9494: the peer's is ignored without its GR capability */
	p->llgr = ours > 0 && o->cap_gr && o->cap_llgr && (o->llgr_afs & BGP_AF_VPNV4);
	p->llgr_peer_time = p->llgr ? o->llgr_time : 0;
	p->llgr_time = p->llgr_peer_time < ours ? p->llgr_peer_time : ours;
}

/* A new reference to s with LLGR_STALE added (s itself when it has it). */
static struct attr_set *with_llgr_stale(struct attr_set *s)
{
	static uint32_t comm[BGP_MAX_EXT_MSG / 4 + 1]; /* static: large, one event loop */
	struct bgp_attrs a = s->a;

	if (attr_has_community(&a, COMM_LLGR_STALE))
		return attr_ref(s);
	if (!attr_has(&a, ATTR_COMMUNITIES))
		a.n_communities = 0;
	if (a.n_communities)
		memcpy(comm, a.communities, (size_t)a.n_communities * 4);
	comm[a.n_communities++] = COMM_LLGR_STALE;
	a.communities = comm;
	a.present |= ATTR_BIT(ATTR_COMMUNITIES);
	return attr_intern(&a);
}

struct llgr_count {
	size_t kept, dropped;
};

/*
 * RFC 9494: each stale path not yet long-lived stale either goes
 * (NO_LLGR) or becomes long-lived stale. Out of memory it goes too: a
 * route kept without its LLGR_STALE would compete as a fresh one.
 */
static struct llgr_count convert(struct bgp_peer *p)
{
	struct rib_path *r = p->src.paths, *next;
	struct llgr_count n = { 0, 0 };
	struct attr_set *a;

	for (; r; r = next) {
		next = r->src_next;
		if (!r->stale || r->llgr)
			continue;
		if (attr_has_community(&r->attrs->a, COMM_NO_LLGR) || !(a = with_llgr_stale(r->attrs))) {
			rib_path_remove(p->d->rib, r);
			n.dropped++;
			continue;
		}
		rib_path_set_llgr(p->d->rib, r, a);
		attr_unref(a);
		n.kept++;
	}
	bgpd_schedule_flush(p->d);
	return n;
}

bool llgr_enter(struct bgp_peer *p)
{
	struct llgr_count n;

	if (!p->llgr || p->llgr_time == 0 || p->src.n_stale == 0)
		return false;
	n = convert(p);
	p->llgr_stale = true;
	p->gr_waiting = true;
	session_timer_set(p->gr_timer, p->llgr_time);
	log_info("peer %s: graceful restart: %zu stale %s now long-lived stale for %u s (RFC "
		 "9494), %zu with NO_LLGR removed", p->name, n.kept, plural(n.kept, "route", "routes"),
		 p->llgr_time, n.dropped);
	return true;
}

bool llgr_session_down(struct bgp_peer *p)
{
	struct llgr_count n;

	if (!p->llgr_stale)
		return false;
	rib_source_mark_stale(&p->src);
	n = convert(p);
	/* the long-lived stale time runs on: a peer that keeps failing does not extend it */
	log_info("peer %s: session down (%s) while its routes are long-lived stale: %zu more "
		 "long-lived stale, %zu with NO_LLGR removed, %zu in all", p->name, p->last_error,
		 n.kept, n.dropped, p->src.n_llgr);
	return true;
}

bool llgr_back(struct bgp_peer *p, const struct bgp_open *o)
{
	/* RFC 9494: kept only if the new LLGR capability has VPN-IPv4 with F */
	if (!p->llgr || !(o->llgr_fwd_afs & BGP_AF_VPNV4))
		return false;
	log_info("peer %s: graceful restart: back, its %zu long-lived stale %s stay until its "
		 "End-of-RIB or the long-lived stale time's end", p->name, p->src.n_llgr,
		 plural(p->src.n_llgr, "route", "routes"));
	return true;
}
