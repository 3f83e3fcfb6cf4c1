/*
 * Adj-RIB-Out: what each peer hears. The best path of each destination
 * goes to a peer when its policy allows (adjout_group_eligible:
 * communities, route reflection, no learned routes to eBGP peers) and it is
 * not the peer the path came from (adjout_split_horizon). The exported
 * attributes (next hop self for local routes and eBGP, LOCAL_PREF for iBGP,
 * own AS prepended for eBGP, ORIGINATOR_ID/CLUSTER_LIST when reflecting)
 * depend only on the update group's key, so they are computed, interned and
 * packed once per group (updgroup.c); each member only keeps its own bit per
 * destination so its session state stays exact. A member departs from the
 * group's stream only for split horizon (an override), or when it was
 * parked for not keeping up (a "dirty" bit, resent when it drains).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "bgpd/rtc_update.h"
#include "common/log.h"
#include "common/plural.h"

enum adv_kind { ADV_NONE = 0, ADV_ANNOUNCE, ADV_WITHDRAW };

/*
 * Who hears what: NO_ADVERTISE goes to nobody, NO_EXPORT stays in the AS
 * (RFC 1997), LLGR_STALE goes to LLGR peers only (RFC 9494); local routes go to everyone; routes learned over eBGP go to
 * iBGP peers; routes learned over iBGP are reflected (RFC 4456 §6: a
 * client's to everyone in the AS, a non-client's to clients) and never go
 * to eBGP peers (that needs new labels: no inter-AS option B).
 */
bool adjout_group_eligible(const struct updgroup_key *k, const struct rib_path *path)
{
	const struct rib_source *s;
	const struct bgp_attrs *a;

	if (!path)
		return false;
	/* RFC 4684: a neighbor with route target constraint hears what its membership asks for */
	if (k->rtc_peer && !rtc_peer_wants(k->rtc_peer, path))
		return false;
	s = path->src;
	a = &path->attrs->a;
	if (attr_has_community(a, COMM_NO_ADVERTISE))
		return false;
	/* RFC 9494: only a peer that knows what it means may hear a long-lived stale path */
	if (!k->llgr && attr_has_community(a, COMM_LLGR_STALE))
		return false;
	if (k->ebgp && (attr_has_community(a, COMM_NO_EXPORT) ||
			attr_has_community(a, COMM_NO_EXPORT_SUBCONFED)))
		return false;
	if (s->local)
		return true;
	if (s->ebgp || k->ebgp)
		return s->ebgp && !k->ebgp;
	return s->rr_client || k->rr_client;
}

bool adjout_split_horizon(const struct bgp_peer *p, const struct rib_path *path)
{
	const struct bgp_attrs *a = &path->attrs->a;

	if (path->src == &p->src)
		return true;
	/* back to where it started (RFC 4456 §8; it would drop it anyway) */
	return !path->src->local && attr_has(a, ATTR_ORIGINATOR_ID) &&
	       a->originator_id == p->src.router_id;
}

bool adjout_eligible(const struct bgp_peer *p, const struct rib_path *path)
{
	struct updgroup_key k = { .ebgp = p->ctx.ebgp, .rr_client = p->cfg->rr_client,
				  .llgr = p->llgr, .rtc_peer = p->rtc ? p : NULL };

	return path && !adjout_split_horizon(p, path) && adjout_group_eligible(&k, path);
}

/* RFC 4456 §8: a reflected route names its originator and gains our cluster id. */
static void reflect(const struct updgroup *g, const struct rib_path *path, struct bgp_attrs *a)
{
	static uint32_t cluster[BGP_MAX_EXT_MSG / 4 + 1]; /* static: large, one event loop */
	const struct ferry_config *cfg = g->d->cfg;
	uint32_t id = cfg->bgp.cluster_id ? cfg->bgp.cluster_id : cfg->router_id;

	if (!attr_has(a, ATTR_ORIGINATOR_ID)) {
		a->originator_id = path->src->router_id;
		a->present |= ATTR_BIT(ATTR_ORIGINATOR_ID);
	}
	cluster[0] = id;
	if (a->n_cluster)
		memcpy(cluster + 1, a->cluster, (size_t)a->n_cluster * 4);
	a->cluster = cluster;
	a->n_cluster++;
	a->present |= ATTR_BIT(ATTR_CLUSTER_LIST);
}

/* The attributes g's members hear for path (a new reference), memoized per source and set. */
static struct attr_set *group_export(struct updgroup *g, const struct rib_path *path)
{
	struct bgp_attrs a = path->attrs->a;
	static uint8_t aspath[2 * BGP_MAX_EXT_MSG + 8]; /* static: large, one event loop */
	const struct rib_source *s = path->src;

	if (g->memo_in == path->attrs && g->memo_src == s && g->memo_out)
		return attr_ref(g->memo_out);
	a.present |= ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH);
	if (a.nexthop == 0 || g->key.ebgp)
		a.nexthop = g->key.nexthop;
	if (g->key.ebgp) {
		a.aspath_len = (uint16_t)aspath_prepend(a.aspath, a.aspath_len, g->d->cfg->asn, aspath);
		a.aspath = aspath;
		a.present &= ~(ATTR_BIT(ATTR_LOCAL_PREF) | ATTR_BIT(ATTR_ORIGINATOR_ID) |
			       ATTR_BIT(ATTR_CLUSTER_LIST));
		a.n_cluster = 0;
	} else {
		a.local_pref = rib_path_local_pref(path);
		a.present |= ATTR_BIT(ATTR_LOCAL_PREF);
		if (!s->local && !s->ebgp)
			reflect(g, path, &a);
	}
	attr_unref(g->memo_in);
	attr_unref(g->memo_out);
	g->memo_in = attr_ref(path->attrs);
	g->memo_src = s;
	g->memo_out = attr_intern(&a);
	return attr_ref(g->memo_out);
}

/* Records that p now has (or no longer has) e. */
static void adv_note(struct bgp_peer *p, struct rib_entry *e, bool on)
{
	if (rib_adv_test(e, p->src.slot) == on)
		return;
	rib_adv_set(e, p->src.slot, on);
	if (on)
		p->n_advertised++;
	else
		p->n_advertised--;
}

static void override_push(struct bgp_peer *p, const struct adjout_override *o)
{
	if (p->n_ovr == p->cap_ovr) {
		size_t cap = p->cap_ovr ? p->cap_ovr * 2 : 64;
		struct adjout_override *n = realloc(p->ovr, cap * sizeof(*n));

		if (!n) {
			log_warnx("peer %s: out of memory queueing an update", p->name);
			return;
		}
		p->ovr = n;
		p->cap_ovr = cap;
	}
	p->ovr[p->n_ovr++] = *o;
}

/*
 * Member m's share of e when its group does `kg` at item position pos:
 * nothing to do when m wants the same, else an override. A parked member
 * only gets e marked dirty.
 */
static void member_entry(struct bgp_peer *m, struct rib_entry *e, enum adv_kind kg, size_t pos)
{
	bool had = rib_adv_test(e, m->src.slot), want;
	enum adv_kind km;
	struct adjout_override o;

	if (m->parked) {
		rib_adv_set(e, m->dirty_slot, true);
		return;
	}
	want = kg == ADV_ANNOUNCE && !adjout_split_horizon(m, e->best);
	km = want ? ADV_ANNOUNCE : had ? ADV_WITHDRAW : ADV_NONE;
	adv_note(m, e, want);
	if (km == kg)
		return;
	o.pos = pos;
	o.skip = kg != ADV_NONE;
	o.withdraw = km == ADV_WITHDRAW;
	o.nlri.rd = e->rd;
	o.nlri.prefix = e->prefix;
	o.nlri.label = 0;
	override_push(m, &o);
}

void adjout_group_entry(struct updgroup *g, struct rib_entry *e)
{
	bool elig = adjout_group_eligible(&g->key, e->best);
	struct attr_set *a = elig ? group_export(g, e->best) : NULL;
	enum adv_kind kg;
	size_t pos = g->n_items;

	if (elig && !a)
		return; /* out of memory (logged): try again at the next change */
	kg = elig ? ADV_ANNOUNCE : rib_adv_test(e, g->slot) ? ADV_WITHDRAW : ADV_NONE;
	rib_adv_set(e, g->slot, elig);
	if (g->key.rtc_peer && g->members) /* its only member */
		rtc_held_note(g->members, e);
	if (kg != ADV_NONE)
		updgroup_push(&g->items, &g->n_items, &g->cap_items, e, elig ? e->best->label : 0,
			      attr_ref(a));
	for (struct bgp_peer *m = g->members; m; m = m->grp_next)
		member_entry(m, e, kg, pos);
	attr_unref(a);
}

/* ---- walks of one member's own: joining late, route refresh, resynchronizing ---- */

struct own_walk {
	struct bgp_peer *p;
	bool dirty_only;
};

/* What p should have of e now, onto p's own list (and e freed when nothing holds it). */
static void own_entry(struct rib_entry *e, void *arg)
{
	const struct own_walk *w = arg;
	struct bgp_peer *p = w->p;
	bool elig, want, had = rib_adv_test(e, p->src.slot);
	struct attr_set *a = NULL;

	if (w->dirty_only && !rib_adv_test(e, p->dirty_slot))
		return;
	rib_adv_set(e, p->dirty_slot, false);
	elig = adjout_group_eligible(&p->grp->key, e->best);
	want = elig && !adjout_split_horizon(p, e->best);
	if (want && !(a = group_export(p->grp, e->best)))
		want = elig = false; /* out of memory (logged): the next look tries again */
	/*
	 * A route target constraint peer's group is its own (updgroup_key.rtc_peer),
	 * and its eligibility follows a membership that may have changed since the
	 * group last looked: the group's bit says what this walk decided, or the
	 * next look, comparing against it, would leave the peer without a route
	 * this walk withdrew (or with one it sent) (rtc_rewalk.c).
	 */
	if (p->rtc) {
		rib_adv_set(e, p->grp->slot, elig);
		rtc_held_note(p, e);
	}
	if (want || had)
		updgroup_push(&p->pending, &p->n_pending, &p->cap_pending, e,
			      want ? e->best->label : 0, a);
	adv_note(p, e, want);
	rib_entry_done(p->d->rib, e);
}

static void own_walk(struct bgp_peer *p, bool dirty_only)
{
	struct own_walk w = { p, dirty_only };

	rib_walk_safe(p->d->rib, own_entry, &w);
	/*
	 * Under a membership its last look did not see (RFC 4684: changed since,
	 * not looked at yet): the next look takes its difference from that last
	 * one, which leaves out a route this walk withdrew (or sent) under a
	 * membership route that went and came back (or came and went) in
	 * between. That look is whole instead (rtc_rewalk.c).
	 */
	if (p->rtc && p->rtc_rewalk)
		rtc_rewalk_forget(p);
	updgroup_send_own(p);
}

static void group_walk_entry(struct rib_entry *e, void *arg)
{
	adjout_group_entry(arg, e);
}

static void send_eor(struct bgp_peer *p)
{
	struct wbuf *w = &p->d->out;

	wbuf_reset(w);
	/* RFC 4684 §6: not before the VPN routes its membership asks for, which wait for it */
	if (p->rtc && !p->rtc_ready)
		p->rtc_vpn_eor_owed = true;
	else if (p->est && (p->ctx.afs & BGP_AF_VPNV4) && bgp_update_encode_eor(w) == 0)
		session_send(p->est, w);
	wbuf_reset(w);
	/* IPv4 unicast carries no routes yet (CE peering comes later): just End-of-RIB */
	if (p->est && (p->ctx.afs & BGP_AF_IPV4) && bgp_update_encode_eor_ipv4(w) == 0)
		session_send(p->est, w);
}

void adjout_peer_up(struct bgp_peer *p)
{
	struct updgroup *g;

	rtc_peer_up(p); /* before joining: its key says whether its membership filters */
	if (!(g = updgroup_join(p)))
		return; /* logged; the peer hears nothing until it comes up again */
	if ((p->ctx.afs & BGP_AF_VPNV4) && p->rtc_ready) { /* else its membership's End-of-RIB walks */
		if (g->n_members == 1) {
			/* first member: the group's own walk, shared as any flush */
			rib_walk(p->d->rib, group_walk_entry, g);
			updgroup_send(g);
		} else {
			own_walk(p, false);
		}
	}
	if (bgpd_eor_waits(p->d)) {
		p->eor_owed = true;
		log_info("peer %s: sent %zu %s (update group %u, %zu %s); End-of-RIB once %s",
			 p->name, p->n_advertised, plural(p->n_advertised, "route", "routes"),
			 g->id, g->n_members, plural(g->n_members, "member", "members"),
			 p->d->local_pending ? "vrfmgr's routes are in"
					     : "the neighbors' End-of-RIBs are in (graceful restart)");
		return;
	}
	send_eor(p);
	if (p->rtc_vpn_eor_owed)
		log_info("peer %s: update group %u; its VPN routes and End-of-RIB wait for its route "
			 "target membership (RFC 4684)", p->name, g->id);
	else
		log_info("peer %s: sent %zu %s and End-of-RIB (update group %u, %zu %s)", p->name,
			 p->n_advertised, plural(p->n_advertised, "route", "routes"), g->id,
			 g->n_members, plural(g->n_members, "member", "members"));
}

/* A VPN End-of-RIB that waited for the peer's membership (RFC 4684 §6), once its routes went. */
static void send_rtc_owed_eor(struct bgp_peer *p)
{
	struct wbuf *w = &p->d->out;

	if (!p->rtc_vpn_eor_owed || !p->rtc_ready || p->rtc_rewalk || p->parked || !p->est)
		return;
	p->rtc_vpn_eor_owed = false;
	wbuf_reset(w);
	if (bgp_update_encode_eor(w) == 0)
		session_send(p->est, w);
	log_info("peer %s: sent VPN-IPv4 End-of-RIB after its route target membership (%zu %s "
		 "advertised)", p->name, p->n_advertised,
		 plural(p->n_advertised, "route", "routes"));
}

/* A parked peer's End-of-RIB waits until it has caught up (adjout_drained). */
static void send_owed_eor(struct bgp_peer *p)
{
	send_rtc_owed_eor(p);
	if (!p->eor_owed || p->parked || bgpd_eor_waits(p->d) || !p->est)
		return;
	p->eor_owed = false;
	send_eor(p);
	log_info("peer %s: sent End-of-RIB after vrfmgr's routes%s (%zu %s advertised)", p->name,
		 p->d->gr_restarted ? " and the neighbors'" : "", p->n_advertised,
		 plural(p->n_advertised, "route", "routes"));
}

void adjout_send_owed_eor(struct bgpd *d)
{
	for (size_t i = 0; i < d->peer_slots; i++)
		if (d->peers[i].cfg)
			send_owed_eor(&d->peers[i]);
}

static void send_refresh_marker(struct bgp_peer *p, uint8_t subtype)
{
	struct wbuf *w = &p->d->out;

	wbuf_reset(w);
	if (p->est && bgp_route_refresh_encode(w, BGP_AFI_IPV4, BGP_SAFI_VPN, subtype) == 0)
		session_send(p->est, w);
}

/*
 * While its End-of-RIB is owed (vrfmgr's routes not in yet), a refresh is
 * answered with the routes alone: an EoRR, or an End-of-RIB, would tell the
 * peer the table is complete and it would drop what it keeps of ours.
 */
void adjout_refresh(struct bgp_peer *p)
{
	bool marked = p->enhanced_rr && !p->eor_owed;

	if (!p->grp)
		return;
	if (marked)
		send_refresh_marker(p, BGP_RR_BORR);
	own_walk(p, false);
	if (marked)
		send_refresh_marker(p, BGP_RR_EORR);
	else if (!p->eor_owed)
		send_eor(p);
	log_info("peer %s: resent %zu %s%s", p->name, p->n_advertised,
		 plural(p->n_advertised, "route", "routes"),
		 marked ? " between BoRR and EoRR" : p->eor_owed ? ", End-of-RIB still owed" : "");
}

void adjout_drained(struct bgp_peer *p)
{
	if (!p->parked || !p->grp)
		return;
	own_walk(p, true);
	p->parked = false;
	log_info("peer %s: caught up (%zu %s advertised), back in update group %u", p->name,
		 p->n_advertised, plural(p->n_advertised, "route", "routes"), p->grp->id);
	send_owed_eor(p);
}

void adjout_peer_down(struct bgp_peer *p)
{
	unsigned slots[3] = { p->src.slot, p->dirty_slot, p->held_slot };

	for (size_t i = 0; i < p->n_pending; i++)
		attr_unref(p->pending[i].attrs);
	p->n_pending = 0;
	p->n_ovr = 0;
	updgroup_leave(p);
	p->parked = false;
	p->eor_owed = false;
	rib_adv_clear_slots(p->d->rib, slots, p->held_slot ? 3 : 2);
	rtc_held_reset(p);
	p->n_advertised = 0;
	rtc_peer_down(p);
}

void adjout_forget_source(struct bgpd *d, const struct rib_source *src)
{
	for (struct updgroup *g = d->groups; g; g = g->next) {
		if (g->memo_src != src)
			continue;
		attr_unref(g->memo_in);
		attr_unref(g->memo_out);
		g->memo_in = g->memo_out = NULL;
		g->memo_src = NULL;
	}
}
