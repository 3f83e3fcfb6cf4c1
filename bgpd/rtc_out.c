/*
 * The membership routes bgpd advertises (RFC 4684 §3.2, §4; rtc_adv.c
 * says what a neighbor P is sent: ours, and the membership of every
 * neighbor Q that VPN routes from P may reach, or the default route when
 * such a Q has none to give).
 *
 * Every source's membership (ours, each neighbor's) is published into one
 * index of routes and their sources (rtc_index.h) at the flush; publishing
 * is a merge with what the source put in before, and records the routes
 * that changed. What P should have of one route is read off that route's
 * sources: ours first, else the lowest slot whose routes may reach P (its
 * attributes go with it). So a neighbor's membership change costs each
 * other neighbor a lookup per changed route, not a recomputation of the
 * union of everyone's membership (O(N * M) per neighbor, O(N^2 * M) per
 * change on a reflector with N neighbors of M routes). What P was sent is
 * kept hashed by route, so the differences go out as found. Everything is
 * looked at again for every neighbor only when who may hear whom changed
 * (a session up or down, a reload, our own membership): rtc_dirty.
 */
#include <stdlib.h>
#include <string.h>

#include "bgpd/bgpd.h"
#include "bgpd/rtc_update.h"
#include "common/log.h"
#include "common/plural.h"

bool rtc_has_membership(const struct bgp_peer *q)
{
	return q->est ? q->rtc : q->rtc_kept && q->gr_waiting;
}

/* ---- publishing each source's membership ---- */

static int slot_of(const struct bgp_peer *p)
{
	return (int)(p - p->d->peers);
}

/*
 * What q gives now (none when it has no membership): its membership, with
 * the last session's (kept across its restart) until its End-of-RIB;
 * where both have a route, the new one's attributes. Both sets are settled.
 */
static void publish_peer(struct bgp_peer *q)
{
	const struct rtc_set *in = &q->rtc_in, *old = &q->rtc_old;
	size_t cap = rtc_has_membership(q) ? in->n + old->n : 0, i = 0, j = 0, n = 0;
	struct rtc_route *v = cap ? malloc(cap * sizeof(*v)) : NULL;
	struct attr_set **a = cap ? malloc(cap * sizeof(*a)) : NULL;

	q->rtc_pub_dirty = false;
	if (cap && (!v || !a)) {
		q->d->rtc_changes.oom = true;
		log_warnx("peer %s: out of memory passing its membership routes on", q->name);
		goto out;
	}
	while (i < (cap ? in->n : 0) || j < (cap ? old->n : 0)) {
		int c = i == in->n ? 1 : j == old->n ? -1 : rtc_route_cmp(&in->v[i], &old->v[j]);

		v[n] = c <= 0 ? in->v[i] : old->v[j];
		a[n++] = c <= 0 ? in->attrs[i] : old->attrs[j];
		i += c <= 0;
		j += c >= 0;
	}
	if (rtc_index_publish(&q->d->rtc_idx, &q->rtc_pub, slot_of(q), v, a, n,
			      &q->d->rtc_changes) < 0)
		log_warnx("peer %s: out of memory passing its membership routes on", q->name);
out:
	free(v);
	free(a);
}

/* Every source's membership into the index: all of them, or those that changed. */
static void publish(struct bgpd *d, bool all)
{
	if (all && rtc_index_publish(&d->rtc_idx, &d->rtc_local_pub, RTC_SRC_LOCAL, d->rtc_local.v,
				     d->rtc_local.attrs, d->rtc_local.n, &d->rtc_changes) < 0)
		log_warnx("out of memory advertising our route target membership");
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *q = &d->peers[i];

		if (q->cfg && (all || q->rtc_pub_dirty))
			publish_peer(q);
	}
}

/* ---- what one neighbor should have ---- */

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
	if (rtc_has_membership(q))
		return false;
	if (!(q->cfg->families & CFG_AF_RTC))
		return true;
	return q->est && !q->rtc;
}

/* Someone who would hear p's routes wants them all: p is sent the default route. */
static bool owes_default(const struct bgp_peer *p)
{
	const struct bgpd *d = p->d;

	for (size_t i = 0; i < d->peer_slots; i++) {
		const struct bgp_peer *q = &d->peers[i];

		if (q->cfg && q != p && vpn_flows(p, q) && wants_everything(q))
			return true;
	}
	return false;
}

/*
 * Who speaks to p for route r, or NULL when p should not have it: ours
 * first (and the default p is owed, def), then the lowest slot whose VPN
 * routes may reach p, not p itself.
 */
static const struct rtc_src *source_for(const struct bgp_peer *p, const struct rtc_route *r,
					bool def)
{
	static const struct rtc_src ours = { RTC_SRC_LOCAL, NULL };
	const struct bgpd *d = p->d;
	const struct rtc_map_ent *e = rtc_map_find(&d->rtc_idx, r);

	if (e && e->srcs.v[0].src == RTC_SRC_LOCAL)
		return &e->srcs.v[0];
	if (def && r->len == 0)
		return &ours;
	for (uint32_t i = 0; e && i < e->srcs.n; i++) {
		const struct bgp_peer *q = &d->peers[e->srcs.v[i].src];

		if (q != p && q->cfg && vpn_flows(p, q))
			return &e->srcs.v[i];
	}
	return NULL;
}

/* ---- what changes for one neighbor ---- */

struct adv_diff {
	struct rtc_route *gone; /* to withdraw */
	size_t n_gone, cap_gone;
	struct rtc_adv *send;   /* to announce, from whom with what */
	size_t n_send, cap_send;
	bool oom;
};

static bool grow(void **v, size_t *cap, size_t n, size_t size, bool *oom)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *nv;

	if (n < *cap)
		return true;
	if (!(nv = realloc(*v, c * size))) {
		*oom = true;
		return false;
	}
	*v = nv;
	*cap = c;
	return true;
}

/* r as p has it (cur, or NULL) against what it should have (want, or NULL). */
static void diff_route(struct adv_diff *x, const struct rtc_route *r, const struct rtc_src *cur,
		       const struct rtc_src *want)
{
	if (!want && cur) {
		if (grow((void **)&x->gone, &x->cap_gone, x->n_gone, sizeof(*x->gone), &x->oom))
			x->gone[x->n_gone++] = *r;
	} else if (want && (!cur || cur->src != want->src || cur->attrs != want->attrs)) {
		/* new, or from another source, or new attributes from it: announced again */
		if (grow((void **)&x->send, &x->cap_send, x->n_send, sizeof(*x->send), &x->oom))
			x->send[x->n_send++] = (struct rtc_adv){ *r, want->src, want->attrs };
	}
}

static const struct rtc_src *out_of(const struct bgp_peer *p, const struct rtc_route *r)
{
	const struct rtc_map_ent *e = rtc_map_find(&p->rtc_out, r);

	return e ? &e->out : NULL;
}

/* Everything p has and everything it could have. */
static void diff_all(const struct bgp_peer *p, struct adv_diff *x)
{
	const struct rtc_route def_route = { 0 };
	bool def = owes_default(p);

	for (size_t i = 0; i < p->rtc_out.cap; i++) {
		const struct rtc_map_ent *e = &p->rtc_out.v[i];

		if (rtc_map_used(e))
			diff_route(x, &e->r, &e->out, source_for(p, &e->r, def));
	}
	for (size_t i = 0; i < p->d->rtc_idx.cap; i++) {
		const struct rtc_map_ent *e = &p->d->rtc_idx.v[i];

		if (rtc_map_used(e) && !out_of(p, &e->r))
			diff_route(x, &e->r, NULL, source_for(p, &e->r, def));
	}
	if (def && !rtc_map_find(&p->d->rtc_idx, &def_route))
		diff_route(x, &def_route, out_of(p, &def_route), source_for(p, &def_route, def));
}

/* Only the routes whose sources changed (d->rtc_changes, settled). */
static void diff_changed(const struct bgp_peer *p, struct adv_diff *x)
{
	const struct rtc_changes *ch = &p->d->rtc_changes;
	int def = -1; /* looked up once, if the default route is among them */

	for (size_t i = 0; i < ch->n; i++) {
		const struct rtc_route *r = &ch->v[i];

		if (r->len == 0 && def < 0)
			def = owes_default(p);
		diff_route(x, r, out_of(p, r), source_for(p, r, def > 0));
	}
}

/* ---- sending ---- */

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

/* Withdrawals first, in route order (length, origin AS, route target). */
static int gone_cmp(const void *x, const void *y)
{
	const struct rtc_route *a = x, *b = y;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->origin_as != b->origin_as)
		return a->origin_as < b->origin_as ? -1 : 1;
	return memcmp(a->rt.b, b->rt.b, 8);
}

/* Announcements by source and attributes (one run of UPDATEs each), then route. */
static int send_cmp(const void *x, const void *y)
{
	const struct rtc_adv *a = x, *b = y;

	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->attrs != b->attrs)
		return (uintptr_t)a->attrs < (uintptr_t)b->attrs ? -1 : 1;
	return gone_cmp(&a->r, &b->r);
}

static void out_del(struct bgp_peer *p, const struct rtc_route *r)
{
	struct rtc_map_ent *e = rtc_map_find(&p->rtc_out, r);

	if (e) {
		attr_unref(e->out.attrs);
		rtc_map_del(&p->rtc_out, e);
	}
}

/* p is told r comes from a (with its attributes): false on ENOMEM (then it is not sent). */
static bool out_put(struct bgp_peer *p, const struct rtc_adv *a)
{
	struct rtc_map_ent *e = rtc_map_get(&p->rtc_out, &a->r);

	if (!e)
		return false;
	attr_ref(a->attrs);
	attr_unref(e->out.attrs);
	e->out = (struct rtc_src){ a->src, a->attrs };
	return true;
}

/* Sends x to p and makes it what p has. */
static void diff_send(struct bgp_peer *p, struct adv_diff *x)
{
	struct rtc_route *batch = malloc((x->n_send + 1) * sizeof(*batch));
	size_t s = 0;

	if (x->oom || !batch) {
		log_warnx("peer %s: out of memory updating membership routes", p->name);
		p->d->rtc_dirty = true; /* everything looked at again at the next flush */
		free(batch);
		return;
	}
	if (x->n_gone)
		qsort(x->gone, x->n_gone, sizeof(*x->gone), gone_cmp);
	for (size_t i = 0; i < x->n_gone; i++)
		out_del(p, &x->gone[i]);
	send_withdrawals(p, x->gone, x->n_gone);
	if (x->n_send)
		qsort(x->send, x->n_send, sizeof(*x->send), send_cmp);
	rtc_map_reserve(&p->rtc_out, x->n_send); /* one rehash (else out_put grows it, or fails) */
	while (s < x->n_send) {
		size_t t = s, n = 0;

		for (; t < x->n_send && x->send[t].src == x->send[s].src &&
		       x->send[t].attrs == x->send[s].attrs;
		     t++)
			if (out_put(p, &x->send[t]))
				batch[n++] = x->send[t].r;
		if (n)
			send_announcements(p, &x->send[s], batch, n);
		s = t;
	}
	p->n_rtc_out = p->rtc_out.n;
	free(batch);
}

/* Brings what p has from us up to date: everything, or only the changed routes. */
static void advertise(struct bgp_peer *p, bool all)
{
	struct adv_diff x = { 0 };

	if (all)
		diff_all(p, &x);
	else
		diff_changed(p, &x);
	diff_send(p, &x);
	free(x.gone);
	free(x.send);
}

/* Our membership, then its End-of-RIB, once vrfmgr has told us ours. */
static void rtc_send_initial(struct bgp_peer *p)
{
	struct wbuf *w = &p->d->out;

	if (p->rtc_eor_sent || p->d->local_pending || !p->est)
		return;
	advertise(p, true);
	wbuf_reset(w);
	if (rtc_update_encode_eor(w) == 0)
		session_send(p->est, w);
	p->rtc_eor_sent = true;
	log_info("peer %s: sent %zu route target membership %s and End-of-RIB", p->name,
		 p->n_rtc_out, plural(p->n_rtc_out, "route", "routes"));
}

void rtc_refresh(struct bgp_peer *p)
{
	struct bgpd *d = p->d;

	if (!p->rtc_eor_sent)
		return; /* the first ones are still to come */
	rtc_settle_all(d);
	publish(d, d->rtc_dirty); /* the others get these changes at the flush */
	if (d->rtc_changes.n || d->rtc_changes.oom) {
		d->rtc_delta = true;
		bgpd_schedule_flush(d);
	}
	advertise(p, true); /* a change not flushed yet: its withdrawals go first */
	rtc_out_clear(p);   /* forget what it has: everything goes again */
	p->rtc_eor_sent = false;
	log_info("peer %s: route refresh for route target membership, resending", p->name);
	rtc_send_initial(p);
}

void rtc_flush_adverts(struct bgpd *d)
{
	bool all = d->rtc_dirty;

	if (!all && !d->rtc_delta && !d->rtc_changes.n && !d->rtc_changes.oom) {
		for (size_t i = 0; i < d->peer_slots; i++) /* only initial ones can be due */
			if (d->peers[i].cfg && d->peers[i].rtc && d->peers[i].est)
				rtc_send_initial(&d->peers[i]);
		return;
	}
	d->rtc_dirty = d->rtc_delta = false;
	publish(d, all);
	all |= d->rtc_changes.oom; /* a change went unrecorded */
	rtc_changes_settle(&d->rtc_changes);
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (!p->cfg || !p->rtc || !p->est)
			continue;
		if (!p->rtc_eor_sent)
			rtc_send_initial(p);
		else if (all || d->rtc_changes.n)
			advertise(p, all);
	}
	d->rtc_changes.n = 0;
	d->rtc_changes.oom = false;
}

void rtc_out_clear(struct bgp_peer *p)
{
	for (size_t i = 0; i < p->rtc_out.cap; i++)
		if (rtc_map_used(&p->rtc_out.v[i]))
			attr_unref(p->rtc_out.v[i].out.attrs);
	rtc_map_free(&p->rtc_out);
	p->n_rtc_out = 0;
}

void rtc_out_free(struct bgp_peer *p)
{
	struct bgpd *d = p->d;

	rtc_out_clear(p);
	if (p->rtc_pub.n) /* the others lose what it gave (a reload that removes it flushes) */
		rtc_index_publish(&d->rtc_idx, &p->rtc_pub, slot_of(p), NULL, NULL, 0,
				  &d->rtc_changes);
	rtc_pub_free(&p->rtc_pub);
}
