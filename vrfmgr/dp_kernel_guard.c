/*
 * dp_kernel_guard: what is undone behind vrfmgr's back without deleting
 * anything, seen among the link events vrfmgr already reads:
 *   - one of this run's VRF devices set down (`ip link set vrf-A down`): the
 *     kernel drops the routes through it (its local routes) and the VRF's
 *     traffic stops; it is set up again and the VRF's routes and labels
 *     programmed again;
 *   - a link bound to a VRF taken out of its device (`ip link set ce-a1
 *     nomaster`, or enslaved to another master): in the main VRF, up, its CE
 *     reaches the provider's main table; in another VRF, another customer's.
 *     It is enslaved again with its address, and the routes through it (the
 *     kernel dropped them when the move cycled it) programmed again.
 * An event may be read long after it was made: vrfmgr's own repair, or the
 * device's deletion, may have come between. So before acting the kernel is
 * asked how the link is now, and a VRF device that is gone is left to
 * dp_kernel_link_gone (its deletion is read next). The repair goes through
 * dpk_vrf_trouble (dp_kernel_remake.c): at once, or spaced by the backoff
 * when it keeps happening, and no more after DPK_REMAKE_MAX in a row.
 */
#include <stdio.h>

#include "common/log.h"
#include "vrfmgr/dp_kernel_int.h"

/* The VRF device is down now (not a late event of a down undone since, nor of a deletion). */
static bool device_down_now(struct dp_kernel *k, const struct dpk_vrf *v)
{
	int master = 0;
	bool up = true;

	return k->io_ops->link_state(k->io, v->ifindex, &master, &up) == 0 && !up;
}

static void device_down(struct dp_kernel *k, struct dpk_vrf *v)
{
	char who[64];

	if (!device_down_now(k, v))
		return;
	v->down = true;
	snprintf(who, sizeof(who), "device %s (ifindex %d)", v->ifname, v->ifindex);
	dpk_vrf_trouble(k, v, &(struct dpk_trouble){ who, "set down", "setting it up again",
						      "set up again" });
}

/* b's link is out of v's device now, and the device is still there. */
static bool moved(struct dp_kernel *k, const struct dpk_vrf *v, const struct dpk_bind *b,
		  int *master)
{
	int m = 0;
	bool up;

	if (k->io_ops->link_state(k->io, b->ifindex, master, &up) < 0 || *master == v->ifindex)
		return false; /* gone (its deletion is read next), or back in its VRF */
	return k->io_ops->link_state(k->io, v->ifindex, &m, &up) == 0;
}

/* Whether b's link was out of v's device (and is now bound again, or parked). */
static bool link_moved(struct dp_kernel *k, struct dpk_vrf *v, struct dpk_bind *b)
{
	char done[96];
	int master = 0;

	if (!moved(k, v, b, &master))
		return false;
	if (master > 0)
		snprintf(done, sizeof(done), "taken out of %s (now a slave of ifindex %d)", v->ifname,
			 master);
	else
		snprintf(done, sizeof(done), "taken out of %s (now in no VRF device)", v->ifname);
	b->rebind = true;
	dpk_vrf_trouble(k, v, &(struct dpk_trouble){ b->b.ifname, done, "binding it again",
						      "bound again" });
	return true;
}

/*
 * A link parked until its VRF is put right (dp_kernel_remake.c) brought up,
 * or into a VRF, meanwhile: released down again. Not once the VRF is given
 * up: vrfmgr then leaves it to the operator rather than answer each change.
 */
static void parked_event(struct dp_kernel *k, int ifindex, const struct dpk_bind *b, int master,
			 bool up)
{
	const struct dpk_vrf *v = dpk_map_get(&k->vrfs, b->b.vrf_id);

	if ((!up && master == 0) || v == NULL || v->given_up)
		return;
	/* a late event, from before the release parked it: nothing to do */
	if (k->io_ops->link_state(k->io, ifindex, &master, &up) < 0 || (!up && master == 0))
		return;
	log_info("kernel dataplane: %.16s brought up or moved while VRF %s waits to be put right: "
		 "set down again", b->b.ifname, v->name);
	dpk_release_down(k, ifindex, b->b.ifname);
}

bool dpk_guard_event(struct dp_kernel *k, int ifindex, struct dpk_bind *b, int master, bool up)
{
	struct dpk_vrf *v = dpk_vrf_by_ifindex(k, ifindex);

	if (v != NULL) { /* one of this run's VRF devices: no route goes through it by name */
		if (!up && !v->down)
			device_down(k, v);
		else if (up)
			v->down = false; /* events come in order: up since (set up by hand, say) */
		return true;
	}
	if (b == NULL)
		return false;
	if (b->rebind && b->ifindex == 0) {
		parked_event(k, ifindex, b, master, up);
		return true;
	}
	if (b->ifindex != ifindex || b->rebind)
		return false; /* a new link of that name (bound when it comes up), or not bound */
	v = dpk_map_get(&k->vrfs, b->b.vrf_id);
	if (v == NULL || v->ifindex <= 0 || master == v->ifindex)
		return false;
	return link_moved(k, v, b);
}

int dpk_vrf_put_right(struct dp_kernel *k, struct dpk_vrf *v)
{
	char what[96];
	size_t links, routes;
	bool was_down = v->down || device_down_now(k, v);
	int rc;

	if (was_down && (rc = k->io_ops->link_up(k->io, v->ifindex)) < 0) {
		snprintf(what, sizeof(what), "VRF %s: setting device %s up again", v->name, v->ifname);
		dpk_kernel_error(k, rc, what);
		return -1;
	}
	if (was_down)
		v->set_up_again++;
	v->down = false;
	links = dpk_links_rebind(k, v->id);
	v->links_bound_again += links;
	routes = dpk_vrf_reprogram(k, v->id);
	log_info("kernel dataplane: VRF %s put right: device %s %s; links bound again: %zu, "
		 "routes and labels programmed again: %zu",
		 v->name, v->ifname, was_down ? "set up again" : "up", links, routes);
	return 0;
}
