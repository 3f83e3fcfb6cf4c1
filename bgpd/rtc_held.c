/*
 * Route target constraint (RFC 4684): how many VPN routes a neighbor's
 * membership holds back (its policy would send them, its membership does
 * not ask for them), for GET /neighbor and ferryctl.
 *
 * A count kept where the neighbor's routes are decided, not a walk per
 * request: such a neighbor is alone in its update group, and every time its
 * group decides a destination (a best path that changed, a membership that
 * changed what it may hear, its own walks) adjout.c calls rtc_held_note,
 * which keeps one RIB bit per neighbor, "held back when last decided", and
 * the count of those bits. A destination not decided again is held back as
 * much as before: its best path did not change, and a membership change
 * that would flip it flips whether it is sent, which is decided again
 * (rtc_rewalk.c).
 *
 * The bits are set by one walk, the first time the count is asked for in a
 * session: until then nothing is kept, so a PE nobody asks costs nothing
 * more. The bit is a RIB slot of its own per neighbor, there only when the
 * config bgpd started with has a neighbor with the family (bgpd.c: a PE
 * without one keeps three bits per neighbor); a neighbor that gains the
 * family by a reload without it is counted by a walk of the RIB per request.
 */
#include "bgpd/bgpd.h"

/* Whether p's policy (its group's key, membership aside) sends it best, its membership not. */
static bool held(const struct bgp_peer *p, const struct rib_path *best)
{
	struct updgroup_key policy = p->grp->key;

	policy.rtc_peer = NULL;
	return best && adjout_group_eligible(&policy, best) && !adjout_split_horizon(p, best) &&
	       !rtc_peer_wants(p, best);
}

static void note(struct bgp_peer *p, struct rib_entry *e)
{
	bool h = held(p, e->best);

	if (rib_adv_test(e, p->held_slot) == h)
		return;
	rib_adv_set(e, p->held_slot, h);
	if (h)
		p->n_held++;
	else
		p->n_held--;
}

void rtc_held_note(struct bgp_peer *p, struct rib_entry *e)
{
	if (p->held_counted)
		note(p, e);
}

static void count_entry(struct rib_entry *e, void *arg)
{
	note(arg, e);
}

struct held_walk {
	const struct bgp_peer *p;
	size_t n;
};

static void walk_entry(struct rib_entry *e, void *arg)
{
	struct held_walk *w = arg;

	w->n += held(w->p, e->best);
}

size_t rtc_held_back(const struct bgp_peer *cp)
{
	struct bgp_peer *p = &cp->d->peers[cp - cp->d->peers]; /* the API's view is const */
	struct held_walk w = { p, 0 };

	if (!p->rtc || !p->grp)
		return 0;
	if (!p->held_slot) { /* no bit for it (see above) */
		rib_walk(p->d->rib, walk_entry, &w);
		return w.n;
	}
	if (!p->held_counted) {
		rib_walk(p->d->rib, count_entry, p);
		p->held_counted = true;
	}
	return p->n_held;
}

void rtc_held_reset(struct bgp_peer *p)
{
	p->held_counted = false;
	p->n_held = 0;
}
