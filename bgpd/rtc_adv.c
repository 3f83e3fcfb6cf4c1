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
 * When its membership changes, every destination is looked at again at
 * the next flush (one RIB walk per change burst): routes newly wanted are
 * announced, routes no longer wanted withdrawn.
 *
 * Advertising. Membership flows against the VPN routes it asks for: a
 * neighbor P is sent what would make it send us the routes that anyone we
 * pass its routes on to wants (§3.2, §4): our own (one route per import RT
 * of our VRFs, origin AS = ours), and the membership of each neighbor Q
 * that VPN routes from P may go to (route reflection, RFC 4456: a client's
 * routes go to every iBGP neighbor, a non-client's to clients; an eBGP
 * neighbor's to iBGP ones). When such a Q has no membership to give (it
 * has no route target constraint configured, or did not negotiate it), P
 * is sent the default route: Q wants everything. The whole set is computed
 * again at each flush where anything it depends on changed, sorted, and
 * compared with what P was sent: only the differences go out. A received
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
		p->d->rtc_dirty = true;
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

/* Forgets what p was advertised (the references it held). */
static void out_clear(struct bgp_peer *p)
{
	for (size_t i = 0; i < p->n_rtc_out; i++)
		attr_unref(p->rtc_out[i].attrs);
	p->n_rtc_out = 0;
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
	out_clear(p);
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
	out_clear(p);
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

/* The membership q gives, Established or kept across its graceful restart. */
static bool has_membership(const struct bgp_peer *q)
{
	return q->est ? q->rtc : q->rtc_kept && q->gr_waiting;
}

/* ---- looking at a neighbor's VPN routes again ---- */

/* What g's member should have of e now, where that differs from what it was told. */
static void rewalk_entry(struct rib_entry *e, void *arg)
{
	struct updgroup *g = arg;

	if (adjout_group_eligible(&g->key, e->best) != rib_adv_test(e, g->slot))
		adjout_group_entry(g, e);
	rib_entry_done(g->d->rib, e);
}

void rtc_flush_rewalks(struct bgpd *d)
{
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (!p->cfg || !p->rtc || !p->rtc_rewalk || !p->rtc_ready || !p->grp)
			continue;
		p->rtc_rewalk = false;
		p->rtc_rewalks++;
		rib_walk_safe(d->rib, rewalk_entry, p->grp);
	}
}

struct held_walk {
	const struct bgp_peer *p;
	struct updgroup_key k;
	size_t n;
};

static void held_entry(struct rib_entry *e, void *arg)
{
	struct held_walk *h = arg;

	if (e->best && adjout_group_eligible(&h->k, e->best) && !adjout_split_horizon(h->p, e->best) &&
	    !rtc_peer_wants(h->p, e->best))
		h->n++;
}

size_t rtc_held_back(const struct bgp_peer *p)
{
	struct held_walk h = { p, { 0 }, 0 };

	if (!p->rtc || !p->grp)
		return 0;
	h.k = p->grp->key;
	h.k.rtc_peer = NULL; /* the policy alone */
	rib_walk(p->d->rib, held_entry, &h);
	return h.n;
}

/* ---- what we advertise ---- */

/*
 * Whether VPN routes learned from `from` (Established) may be passed on to
 * `to`, Established or not (adjout_group_eligible's rules).
 */
static bool vpn_flows(const struct bgp_peer *from, const struct bgp_peer *to)
{
	bool to_ebgp = to->est ? to->ctx.ebgp : to->cfg->remote_as != from->d->cfg->asn;

	if (from->ctx.ebgp || to_ebgp)
		return from->ctx.ebgp && !to_ebgp;
	return from->cfg->rr_client || to->cfg->rr_client;
}

/* q would hear p's routes but has no membership to say which: it wants them all. */
static bool wants_everything(const struct bgp_peer *q)
{
	if (!(q->cfg->families & CFG_AF_VPNV4))
		return false;
	if (has_membership(q))
		return false;
	if (!(q->cfg->families & CFG_AF_RTC))
		return true;
	return q->est && !q->rtc;
}

struct adv_list {
	struct rtc_adv *v;
	size_t n, cap;
	bool oom;
};

static void adv_push(struct adv_list *l, const struct rtc_route *r, int src, struct attr_set *a)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct rtc_adv *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].r = *r;
	l->v[l->n].attrs = a;
	l->v[l->n++].src = src;
}

static int route_cmp(const struct rtc_route *a, const struct rtc_route *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->origin_as != b->origin_as)
		return a->origin_as < b->origin_as ? -1 : 1;
	return memcmp(a->rt.b, b->rt.b, 8);
}

/* By route, then by source: ours first, then the lowest slot (the one kept). */
static int adv_cmp(const void *x, const void *y)
{
	const struct rtc_adv *a = x, *b = y;
	int c = route_cmp(&a->r, &b->r);

	return c ? c : (a->src > b->src) - (a->src < b->src);
}

/* What p should have from us now: sorted, one entry per route. */
static void adv_wanted(const struct bgp_peer *p, struct adv_list *l)
{
	const struct bgpd *d = p->d;
	bool def = false;
	size_t k = 0;

	for (size_t i = 0; i < d->rtc_local.n; i++)
		adv_push(l, &d->rtc_local.v[i], RTC_SRC_LOCAL, NULL);
	for (size_t i = 0; i < d->peer_slots; i++) {
		const struct bgp_peer *q = &d->peers[i];

		if (!q->cfg || q == p || !vpn_flows(p, q))
			continue;
		if (has_membership(q)) {
			for (size_t j = 0; j < q->rtc_in.n; j++)
				adv_push(l, &q->rtc_in.v[j], (int)i, q->rtc_in.attrs[j]);
			for (size_t j = 0; j < q->rtc_old.n; j++)
				adv_push(l, &q->rtc_old.v[j], (int)i, q->rtc_old.attrs[j]);
		}
		def |= wants_everything(q);
	}
	if (def)
		adv_push(l, &(struct rtc_route){ 0 }, RTC_SRC_LOCAL, NULL);
	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), adv_cmp);
	for (size_t i = 0; i < l->n; i++)
		if (k == 0 || route_cmp(&l->v[k - 1].r, &l->v[i].r) != 0)
			l->v[k++] = l->v[i];
	l->n = k;
}

/*
 * The attributes of membership route e as p hears it. Ours: ORIGIN IGP, an
 * empty AS_PATH, LOCAL_PREF over iBGP. A neighbor's keeps its ORIGIN and
 * AS_PATH and, reflected (RFC 4456 §8), gets our cluster id in front of its
 * CLUSTER_LIST; its ORIGINATOR_ID is ours to a client (RFC 4684 §3.2), else
 * kept (or the neighbor's router id).
 * To eBGP our AS is prepended, and nothing of the AS's own goes.
 */
static void adv_attrs(const struct bgp_peer *p, const struct rtc_adv *e, struct bgp_attrs *a)
{
	static uint8_t aspath[2 * BGP_MAX_EXT_MSG + 8];   /* static: large, one event loop */
	static uint32_t cluster[BGP_MAX_EXT_MSG / 4 + 1];
	const struct ferry_config *cfg = p->d->cfg;
	const struct bgp_attrs *in = e->attrs ? &e->attrs->a : NULL;
	const struct rib_source *src = e->src == RTC_SRC_LOCAL ? NULL : &p->d->peers[e->src].src;

	memset(a, 0, sizeof(*a));
	a->present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH);
	a->origin = in && attr_has(in, ATTR_ORIGIN) ? in->origin : ORIGIN_IGP;
	a->nexthop = p->local_addr;
	if (in) {
		a->aspath = in->aspath;
		a->aspath_len = in->aspath_len;
	}
	if (p->ctx.ebgp) {
		a->aspath_len = (uint16_t)aspath_prepend(a->aspath, a->aspath_len, cfg->asn, aspath);
		a->aspath = aspath;
		return;
	}
	a->present |= ATTR_BIT(ATTR_LOCAL_PREF);
	a->local_pref = ATTR_DEFAULT_LOCAL_PREF;
	if (!src || src->ebgp)
		return;
	a->present |= ATTR_BIT(ATTR_ORIGINATOR_ID) | ATTR_BIT(ATTR_CLUSTER_LIST);
	/*
	 * To a client, RFC 4684 §3.2: ours. One NLRI stands for every PE of
	 * the AS importing that RT; with the path's own originator, a client
	 * that also imports it would drop the path as its own (RFC 4456 §8)
	 * when it came back through another reflector, and not send us the
	 * routes the other PEs want.
	 */
	if (p->cfg->rr_client)
		a->originator_id = cfg->router_id;
	else
		a->originator_id = in && attr_has(in, ATTR_ORIGINATOR_ID) ? in->originator_id
									   : src->router_id;
	cluster[0] = cfg->bgp.cluster_id ? cfg->bgp.cluster_id : cfg->router_id;
	a->n_cluster = 1;
	if (in && in->n_cluster) {
		memcpy(cluster + 1, in->cluster, (size_t)in->n_cluster * 4);
		a->n_cluster = (uint16_t)(in->n_cluster + 1);
	}
	a->cluster = cluster;
}

static void send_withdrawals(struct bgp_peer *p, const struct rtc_route *v, size_t n)
{
	struct wbuf *w = &p->d->out;
	int k;

	while (n > 0) {
		wbuf_reset(w);
		if ((k = rtc_update_encode_unreach(w, v, n)) <= 0)
			return;
		session_send(p->est, w);
		v += k;
		n -= (size_t)k;
	}
}

/* Announces v[0..n), which all share e's source and attributes. */
static void send_announcements(struct bgp_peer *p, const struct rtc_adv *e,
			       const struct rtc_route *v, size_t n)
{
	struct wbuf *w = &p->d->out;
	struct bgp_attrs a;
	int k;

	adv_attrs(p, e, &a);
	while (n > 0) {
		wbuf_reset(w);
		if ((k = rtc_update_encode_reach(w, &a, v, n, &p->ctx)) <= 0) {
			log_warnx("peer %s: cannot encode membership routes", p->name);
			return;
		}
		session_send(p->est, w);
		v += k;
		n -= (size_t)k;
	}
}

/* Sends the differences between what p has from us and want; want becomes p's. */
static void adv_send_diff(struct bgp_peer *p, struct adv_list *want)
{
	struct rtc_route *gone = malloc((p->n_rtc_out + 1) * sizeof(*gone));
	struct rtc_route *batch = malloc((want->n + 1) * sizeof(*batch));
	bool *send = calloc(want->n + 1, sizeof(*send));
	size_t i = 0, j = 0, n_gone = 0;

	if (!gone || !batch || !send) {
		log_warnx("peer %s: out of memory updating membership routes", p->name);
		goto out;
	}
	while (i < p->n_rtc_out || j < want->n) {
		int c = i == p->n_rtc_out ? 1
			: j == want->n	  ? -1
					  : route_cmp(&p->rtc_out[i].r, &want->v[j].r);

		if (c < 0) {
			gone[n_gone++] = p->rtc_out[i++].r;
		} else if (c > 0) {
			send[j++] = true;
		} else {
			/* another source, or new attributes from it: announced again */
			send[j] = p->rtc_out[i].src != want->v[j].src ||
				  p->rtc_out[i].attrs != want->v[j].attrs;
			i++;
			j++;
		}
	}
	send_withdrawals(p, gone, n_gone);
	for (size_t s = 0; s < want->n; s++) { /* one run per source and attributes */
		const struct rtc_adv e = want->v[s];
		size_t n = 0;

		for (size_t t = s; t < want->n && send[s]; t++)
			if (send[t] && want->v[t].src == e.src && want->v[t].attrs == e.attrs) {
				batch[n++] = want->v[t].r;
				send[t] = false;
			}
		if (n)
			send_announcements(p, &e, batch, n);
	}
	for (size_t k = 0; k < want->n; k++) /* p's from now on: it holds what they name */
		attr_ref(want->v[k].attrs);
	out_clear(p);
	free(p->rtc_out);
	p->rtc_out = want->v;
	p->n_rtc_out = want->n;
	p->cap_rtc_out = want->cap;
	want->v = NULL;
out:
	free(gone);
	free(batch);
	free(send);
}

/* Brings what p has from us up to date (p Established with the family). */
static void rtc_advertise(struct bgp_peer *p)
{
	struct adv_list want = { 0 };

	adv_wanted(p, &want);
	if (want.oom) {
		log_warnx("peer %s: out of memory computing membership routes", p->name);
		free(want.v);
		return;
	}
	adv_send_diff(p, &want);
	free(want.v);
}

/* Our membership, then its End-of-RIB, once vrfmgr has told us ours. */
static void rtc_send_initial(struct bgp_peer *p)
{
	struct wbuf *w = &p->d->out;

	if (p->rtc_eor_sent || p->d->local_pending || !p->est)
		return;
	rtc_advertise(p);
	wbuf_reset(w);
	if (rtc_update_encode_eor(w) == 0)
		session_send(p->est, w);
	p->rtc_eor_sent = true;
	log_info("peer %s: sent %zu route target membership %s and End-of-RIB", p->name,
		 p->n_rtc_out, plural(p->n_rtc_out, "route", "routes"));
}

void rtc_refresh(struct bgp_peer *p)
{
	if (!p->rtc_eor_sent)
		return; /* the first ones are still to come */
	rtc_settle_all(p->d);
	rtc_advertise(p); /* a change not flushed yet: its withdrawals go first */
	out_clear(p);     /* forget what it has: everything goes again */
	p->rtc_eor_sent = false;
	log_info("peer %s: route refresh for route target membership, resending", p->name);
	rtc_send_initial(p);
}

void rtc_flush_adverts(struct bgpd *d)
{
	bool dirty = d->rtc_dirty;

	d->rtc_dirty = false;
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (!p->cfg || !p->rtc || !p->est)
			continue;
		if (!p->rtc_eor_sent)
			rtc_send_initial(p);
		else if (dirty)
			rtc_advertise(p);
	}
}

void rtc_peer_free(struct bgp_peer *p)
{
	if (p->rtc_timer)
		event_free(p->rtc_timer);
	p->rtc_timer = NULL;
	rtc_set_free(&p->rtc_in);
	rtc_set_free(&p->rtc_old);
	out_clear(p);
	free(p->rtc_out);
	p->rtc_out = NULL;
	p->n_rtc_out = p->cap_rtc_out = 0;
}

void rtc_free(struct bgpd *d)
{
	rtc_set_free(&d->rtc_local);
}
