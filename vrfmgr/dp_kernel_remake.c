/*
 * dp_kernel_remake: one of this run's VRF devices deleted behind vrfmgr's
 * back (`ip link del vrf-A`, another tool's clean-up). The kernel released
 * its links into the main VRF, and up: there, with ip_forward on, what their
 * CEs send is routed by the provider's main table. It dropped the routes and
 * labels through the device (its local routes, the labels popped into it),
 * and the links' cycle dropped the routes through them. vrfmgr makes the
 * device again on the same table, binds its links again with the addresses
 * it gave them, and programs the VRF's routes and labels (and any other
 * route through those links) again.
 *
 * The first time at once. A device deleted again within DPK_REMAKE_STABLE_MS
 * of being made again (another tool fighting vrfmgr over it), or one the
 * kernel refuses to make, is tried after a backoff (DPK_REMAKE_FIRST_MS,
 * doubling, at most DPK_REMAKE_LONGEST_MS), its links down meanwhile; after
 * DPK_REMAKE_MAX attempts in a row no more, until vrfmgr restarts or the
 * core builds the VRF anew. The attempts wait on a timer (dp_kernel_tick,
 * armed by dp_kernel_watch.c), never in a loop.
 *
 * vrfmgr's own deletes (a VRF removed, a previous run's device claimed or
 * swept) are never made again: the VRF is forgotten, or has its new device,
 * before vrfmgr reads the events those deletes make, and only a device that
 * is a VRF's own now counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vrfmgr/dp_kernel_int.h"

struct dpk_vrf *dpk_vrf_by_ifindex(const struct dp_kernel *k, int ifindex)
{
	for (size_t i = 0; ifindex > 0 && i < k->vrfs.cap; i++) {
		struct dpk_vrf *v = k->vrfs.s[i].val;

		if (v != NULL && v->ifindex == ifindex)
			return v;
	}
	return NULL;
}

/* The wait before attempt n + 1 of a streak (n made already). */
static uint64_t backoff_ms(unsigned n)
{
	uint64_t d = DPK_REMAKE_FIRST_MS;

	if (n == 0)
		return 0;
	for (unsigned i = 1; i < n && d < DPK_REMAKE_LONGEST_MS; i++)
		d *= 2;
	return d < DPK_REMAKE_LONGEST_MS ? d : DPK_REMAKE_LONGEST_MS;
}

/* The links bound to vrf_id when its device went: bound again when it is back. */
static void links_mark(struct dp_kernel *k, uint32_t vrf_id)
{
	for (size_t i = 0; i < k->binds.cap; i++) {
		struct dpk_bind *b = k->binds.s[i].val;

		if (b != NULL && b->b.vrf_id == vrf_id && b->ifindex > 0)
			b->rebind = true;
	}
}

/*
 * Until the device is back, its links down and in no VRF, as a link whose
 * VRF has no device is (dp_kernel.c): one that comes up meanwhile is
 * released down again. The address stays; the bind finds it there.
 */
static void links_park(struct dp_kernel *k, uint32_t vrf_id)
{
	for (size_t i = 0; i < k->binds.cap; i++) {
		struct dpk_bind *b = k->binds.s[i].val;

		if (b != NULL && b->b.vrf_id == vrf_id && b->rebind && b->ifindex > 0) {
			dpk_release_down(k, b->ifindex, b->b.ifname);
			b->ifindex = 0;
			b->addr_added = false;
		}
	}
}

static size_t links_rebind(struct dp_kernel *k, uint32_t vrf_id)
{
	size_t n = 0;

	/* dpk_link_bind finds each bind where it is: the map does not change under the walk */
	for (size_t i = 0; i < k->binds.cap; i++) {
		struct dpk_bind *b = k->binds.s[i].val;
		struct ipc_if_bind ib;

		if (b == NULL || b->b.vrf_id != vrf_id || !b->rebind)
			continue;
		b->rebind = false;
		ib = b->b;
		n += dpk_link_bind(k, &ib);
	}
	return n;
}

/* nh goes through a link bound to vrf_id (just bound again: down and up, its routes dropped). */
static bool through_vrf_link(struct dp_kernel *k, const struct ipc_nexthop *nh, uint32_t vrf_id)
{
	const struct dpk_bind *b;

	if (nh == NULL || nh->ifname[0] == '\0')
		return false;
	b = dpk_map_get(&k->binds, dpk_ifname_key(nh->ifname));
	return b != NULL && b->b.vrf_id == vrf_id &&
	       strncmp(b->b.ifname, nh->ifname, IPC_IFNAME_MAX) == 0;
}

static size_t vrf_reprogram(struct dp_kernel *k, uint32_t vrf_id)
{
	size_t n = 0;

	for (size_t i = 0; i < k->fibs.cap; i++) {
		struct dpk_fib *f = k->fibs.s[i].val;

		if (f != NULL && (f->e.vrf_id == vrf_id ||
				  through_vrf_link(k, dpk_map_get(&k->nhs, f->e.nh_id), vrf_id))) {
			dpk_fib_program(k, f);
			n++;
		}
	}
	for (size_t i = 0; i < k->lfibs.cap; i++) {
		struct dpk_lfib *l = k->lfibs.s[i].val;
		const struct ipc_nexthop *nh =
			l != NULL && l->e.action != IPC_LFIB_POP_LOOKUP ? dpk_map_get(&k->nhs, l->e.nh_id)
								       : NULL;

		if (l != NULL && (l->e.vrf_id == vrf_id || through_vrf_link(k, nh, vrf_id))) {
			dpk_lfib_program(k, l);
			n++;
		}
	}
	return n;
}

/* The next attempt after v->remakes, counted from now, or none when they are spent. */
static void remake_schedule(struct dp_kernel *k, struct dpk_vrf *v, uint64_t now)
{
	if (v->remakes >= DPK_REMAKE_MAX) {
		v->given_up = true;
		k->errors++;
		log_warnx("kernel dataplane: VRF %s: device %s gone or refused %u times in a row: "
			  "not made again (its links down, its routes and labels not programmed) "
			  "until vrfmgr restarts",
			  v->name, v->ifname, v->remakes);
		return;
	}
	v->remake_pending = true;
	v->remake_due = now + backoff_ms(v->remakes);
}

static void vrf_remake(struct dp_kernel *k, struct dpk_vrf *v)
{
	char why[160] = "";
	size_t links, routes;
	int rc;

	v->remakes++;
	v->remade_at = k->now_ms(); /* the backoff counts from the attempt */
	v->remake_pending = false;
	dpk_map_free(&k->ifindexes, free); /* links came and went: routes look theirs up again */
	if (dpk_table_claim(k, v, why, sizeof(why)) < 0) {
		rc = 0;
	} else if ((rc = k->io_ops->vrf_dev_add(k->io, v->ifname, v->table, why, sizeof(why))) < 0) {
		size_t at = strlen(why);

		snprintf(why + at, sizeof(why) - at, "%s%s", at ? ": " : "", k->io_ops->strerror(rc));
	}
	if (rc <= 0) {
		k->errors++;
		log_warnx("kernel dataplane: VRF %s: making device %s for table %u again: %s", v->name,
			  v->ifname, v->table, why);
		links_park(k, v->id);
		remake_schedule(k, v, v->remade_at);
		return;
	}
	v->ifindex = rc;
	v->remade++;
	k->vrf_remakes++;
	links = links_rebind(k, v->id);
	routes = vrf_reprogram(k, v->id);
	log_info("kernel dataplane: VRF %s is device %s again (ifindex %d, table %u); links bound "
		 "again: %zu, routes and labels programmed again: %zu",
		 v->name, v->ifname, rc, v->table, links, routes);
}

void dpk_vrf_gone(struct dp_kernel *k, struct dpk_vrf *v)
{
	uint64_t now = k->now_ms();
	int was = v->ifindex;

	v->ifindex = 0;
	links_mark(k, v->id);
	if (v->remakes > 0 && now - v->remade_at >= DPK_REMAKE_STABLE_MS)
		v->remakes = 0; /* it stayed: a new streak */
	if (v->remakes == 0) {
		log_warnx("kernel dataplane: VRF %s: device %s (ifindex %d) was deleted, not by "
			  "vrfmgr: making it again",
			  v->name, v->ifname, was);
		vrf_remake(k, v);
		return;
	}
	links_park(k, v->id);
	remake_schedule(k, v, now);
	if (v->remake_pending)
		log_warnx("kernel dataplane: VRF %s: device %s (ifindex %d) deleted again, %llu ms "
			  "after it was made again: made again in %llu ms, its links down until then",
			  v->name, v->ifname, was, (unsigned long long)(now - v->remade_at),
			  (unsigned long long)(v->remake_due - now));
}

void dp_kernel_tick(struct dp_kernel *k)
{
	uint64_t now = k->now_ms();

	for (size_t i = 0; i < k->vrfs.cap; i++) {
		struct dpk_vrf *v = k->vrfs.s[i].val;

		if (v != NULL && v->remake_pending && v->remake_due <= now)
			vrf_remake(k, v);
	}
}

int64_t dp_kernel_next_tick_ms(const struct dp_kernel *k)
{
	uint64_t now = k->now_ms();
	int64_t next = -1;

	for (size_t i = 0; i < k->vrfs.cap; i++) {
		const struct dpk_vrf *v = k->vrfs.s[i].val;
		int64_t in;

		if (v == NULL || !v->remake_pending)
			continue;
		in = v->remake_due > now ? (int64_t)(v->remake_due - now) : 0;
		if (next < 0 || in < next)
			next = in;
	}
	return next;
}

static void on_listed(int ifindex, const char *ifname, uint32_t table, bool ferrys, void *arg)
{
	(void)ifname, (void)table, (void)ferrys;
	dpk_map_put(arg, (uint64_t)ifindex, (void *)1); /* out of memory: taken as gone, then adopted */
}

void dpk_vrfs_check(struct dp_kernel *k)
{
	struct dpk_map listed = { 0 };
	int rc = k->io_ops->vrf_devs(k->io, on_listed, &listed);

	if (rc < 0) {
		dpk_kernel_error(k, rc, "listing the VRF devices after lost link events");
	} else {
		for (size_t i = 0; i < k->vrfs.cap; i++) {
			struct dpk_vrf *v = k->vrfs.s[i].val;

			if (v != NULL && v->ifindex > 0 && dpk_map_get(&listed, (uint64_t)v->ifindex) == NULL)
				dpk_vrf_gone(k, v);
		}
	}
	dpk_map_free(&listed, NULL);
}

uint64_t dp_kernel_vrf_remakes(const struct dp_kernel *k)
{
	return k->vrf_remakes;
}

size_t dp_kernel_vrfs_without_device(const struct dp_kernel *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->vrfs.cap; i++) {
		const struct dpk_vrf *v = k->vrfs.s[i].val;

		n += v != NULL && v->ifindex <= 0;
	}
	return n;
}

bool dp_kernel_vrf_device(const struct dp_kernel *k, uint32_t vrf_id,
			  struct dp_kernel_vrf_device *out)
{
	const struct dpk_vrf *v = dpk_map_get(&k->vrfs, vrf_id);
	uint64_t now;

	if (v == NULL)
		return false;
	memset(out, 0, sizeof(*out));
	snprintf(out->ifname, sizeof(out->ifname), "%s", v->ifname);
	out->table = v->table;
	out->ifindex = v->ifindex;
	out->remade = v->remade;
	out->state = v->ifindex > 0 ? "present"
		     : v->remake_pending ? "waiting"
		     : v->given_up	 ? "given_up"
					 : "missing";
	if (v->remake_pending) {
		now = k->now_ms();
		out->remake_in_ms = v->remake_due > now ? v->remake_due - now : 0;
	}
	return true;
}
