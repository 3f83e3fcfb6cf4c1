/*
 * Route target constraint (RFC 4684): a neighbor's VPN routes looked at
 * again when its membership changed, at the next flush (one look per burst
 * of changes): routes now wanted are announced, routes no longer wanted
 * withdrawn.
 *
 * Whether a route is wanted depends on the membership only through the
 * route targets of its best path: a route none of whose RTs falls under a
 * membership route that came or went is wanted as much as before, and
 * since the changed routes were sent before the look (the flush drains the
 * RIB's queue first), what the neighbor was told of it is still right. So
 * the look takes the difference between the membership now and at the last
 * look (both sorted), asks each attribute set in use whether one of its
 * RTs falls under that difference, and looks only at the destinations
 * whose best path carries such a set: 4,000 of 1M routes for two RTs
 * swapped, instead of all of them. The paths by attribute set (rib_byattr.h)
 * are kept only while some neighbor has the family; a PE without one never
 * pays for them.
 *
 * The first look after the session came up (its membership End-of-RIB,
 * or the wait over) takes the whole membership as the difference: until
 * then the neighbor heard nothing, as with an empty one, and it sits alone
 * in a group of its own made with the session, where no route is marked
 * as sent. The whole RIB is looked at only when memory ran out on the way
 * (a membership that could not be sorted in or copied, or no index), or
 * when the neighbor's routes were resent between two looks under a
 * membership changed since the first (adjout.c's own_walk forgets it).
 */
#include <stdlib.h>
#include <string.h>

#include "bgpd/bgpd.h"
#include "common/log.h"

struct rewalk {
	struct updgroup *g;
	struct rtc_set delta; /* membership routes added or removed since the last look */
};

/* What g's member should have of e now, where that differs from what it was told. */
static void rewalk_entry(struct rib_entry *e, void *arg)
{
	struct updgroup *g = arg;

	if (adjout_group_eligible(&g->key, e->best) != rib_adv_test(e, g->slot))
		adjout_group_entry(g, e);
	rib_entry_done(g->d->rib, e);
}

static bool delta_covers(const struct attr_set *a, void *arg)
{
	struct rewalk *w = arg;

	return rtc_set_wants(&w->delta, a->a.ext, a->a.n_ext);
}

/* A path under the difference: its destination looked at, once (through its best path). */
static void rewalk_path(struct rib_path *path, void *arg)
{
	struct rewalk *w = arg;
	struct rib_entry *e = path->entry;

	if (e->best == path && adjout_group_eligible(&w->g->key, path) != rib_adv_test(e, w->g->slot))
		adjout_group_entry(w->g, e);
}

/*
 * The routes in exactly one of p's membership at its last look and rtc_in
 * (both sorted: one merge), into delta. 0, or -1 on ENOMEM.
 */
static int delta_of(const struct bgp_peer *p, struct rtc_set *delta)
{
	const struct rtc_set *in = &p->rtc_in;
	size_t i = 0, j = 0;

	while (i < p->n_rtc_walked || j < in->n) {
		int c;

		if (i == p->n_rtc_walked)
			c = 1;
		else if (j == in->n)
			c = -1;
		else
			c = rtc_route_cmp(&p->rtc_walked[i], &in->v[j]);
		if (c != 0 && rtc_set_put(delta, c < 0 ? &p->rtc_walked[i] : &in->v[j], NULL) < 0)
			return -1;
		i += c <= 0;
		j += c >= 0;
	}
	return rtc_set_settle(delta);
}

void rtc_rewalk_forget(struct bgp_peer *p)
{
	free(p->rtc_walked);
	p->rtc_walked = NULL;
	p->n_rtc_walked = 0;
	p->rtc_walked_valid = false;
}

/* p's membership now is what the next look takes its difference from. */
static void remember(struct bgp_peer *p)
{
	const struct rtc_set *in = &p->rtc_in;

	rtc_rewalk_forget(p);
	if (in->n_sorted != in->n)
		return; /* a settle ran out of memory: the next look is whole */
	if (in->n && !(p->rtc_walked = malloc(in->n * sizeof(*p->rtc_walked))))
		return;
	if (in->n)
		memcpy(p->rtc_walked, in->v, in->n * sizeof(*p->rtc_walked));
	p->n_rtc_walked = in->n;
	p->rtc_walked_valid = true;
}

static void rewalk(struct bgpd *d, struct bgp_peer *p)
{
	struct rewalk w = { p->grp, { 0 } };
	bool by_difference = p->rtc_walked_valid && p->rtc_in.n_sorted == p->rtc_in.n &&
			     (d->rib->byattr || rib_byattr_start(d->rib) == 0) &&
			     delta_of(p, &w.delta) == 0;

	if (by_difference) {
		rib_byattr_visit(d->rib->byattr, delta_covers, rewalk_path, &w);
	} else {
		p->rtc_full_walks++;
		rib_walk_safe(d->rib, rewalk_entry, p->grp);
	}
	rtc_set_free(&w.delta);
	remember(p);
}

/* The paths by attribute set while some neighbor has the family, and only then. */
static void byattr_sync(struct bgpd *d)
{
	bool wanted = false;

	for (size_t i = 0; i < d->peer_slots && !wanted; i++)
		wanted = d->peers[i].cfg && d->peers[i].rtc;
	if (!wanted)
		rib_byattr_stop(d->rib);
	else if (!d->rib->byattr && rib_byattr_start(d->rib) < 0)
		log_warnx("out of memory indexing the RIB's paths by attributes: a membership "
			  "change looks at every route");
}

void rtc_flush_rewalks(struct bgpd *d)
{
	byattr_sync(d);
	for (size_t i = 0; i < d->peer_slots; i++) {
		struct bgp_peer *p = &d->peers[i];

		if (!p->cfg || !p->rtc || !p->rtc_rewalk || !p->rtc_ready || !p->grp)
			continue;
		p->rtc_rewalk = false;
		p->rtc_rewalks++;
		rewalk(d, p);
	}
}
