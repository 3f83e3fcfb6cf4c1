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
 *
 * A device set down, or a link taken out of it (dp_kernel_guard.c), is a
 * trouble of the same VRF with the same streak: whatever is undone again
 * and again, vrfmgr's answers are spaced by the backoff and stop after
 * DPK_REMAKE_MAX (a tool fighting it gets no loop). dp_kernel.n_pending
 * counts the VRFs waiting, so that arming the timer after each read of link
 * events walks no VRF when none waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vrfmgr/dp_kernel_int.h"

struct dpk_vrf *dpk_vrf_by_ifindex(const struct dp_kernel *k, int ifindex)
{
	return ifindex > 0 ? dpk_map_get(&k->devices, (uint64_t)ifindex) : NULL;
}

void dpk_vrf_set_ifindex(struct dp_kernel *k, struct dpk_vrf *v, int ifindex)
{
	if (v->ifindex > 0 && dpk_map_get(&k->devices, (uint64_t)v->ifindex) == v)
		dpk_map_del(&k->devices, (uint64_t)v->ifindex);
	v->ifindex = ifindex;
	if (ifindex > 0 && dpk_map_put(&k->devices, (uint64_t)ifindex, v) < 0) {
		k->errors++;
		log_warnx("kernel dataplane: VRF %s: out of memory: a deletion of device %s will "
			  "go unnoticed", v->name, v->ifname);
	}
}

void dpk_vrf_pending(struct dp_kernel *k, struct dpk_vrf *v, bool on)
{
	if (v->remake_pending == on)
		return;
	v->remake_pending = on;
	if (on)
		k->n_pending++;
	else
		k->n_pending--;
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
 * Until the VRF is put right, its marked links down and in no VRF, as a link
 * whose VRF has no device is (dp_kernel.c): one that comes up meanwhile is
 * released down again (dp_kernel_guard.c). The address stays; the bind finds
 * it there. How many.
 */
static size_t links_park(struct dp_kernel *k, uint32_t vrf_id)
{
	size_t n = 0;

	for (size_t i = 0; i < k->binds.cap; i++) {
		struct dpk_bind *b = k->binds.s[i].val;

		if (b != NULL && b->b.vrf_id == vrf_id && b->rebind && b->ifindex > 0) {
			dpk_release_down(k, b->ifindex, b->b.ifname);
			b->ifindex = 0;
			b->addr_added = false;
			n++;
		}
	}
	return n;
}

size_t dpk_links_rebind(struct dp_kernel *k, uint32_t vrf_id)
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

size_t dpk_vrf_reprogram(struct dp_kernel *k, uint32_t vrf_id)
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
		if (v->ifindex <= 0)
			log_warnx("kernel dataplane: VRF %s: device %s gone or refused %u times in a "
				  "row: not made again (its links down, its routes and labels not "
				  "programmed) until vrfmgr restarts",
				  v->name, v->ifname, v->remakes);
		else
			log_warnx("kernel dataplane: VRF %s: device %s set down or its links taken "
				  "out %u times in a row (or refused): not put right again (such "
				  "links down and out of it) until vrfmgr restarts",
				  v->name, v->ifname, v->remakes);
		return;
	}
	dpk_vrf_pending(k, v, true);
	v->remake_due = now + backoff_ms(v->remakes);
}

/* v's device made again; -1 when it could not be (logged). */
static int vrf_remake(struct dp_kernel *k, struct dpk_vrf *v)
{
	char why[160] = "";
	size_t links, routes;
	int rc;

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
		return -1;
	}
	dpk_vrf_set_ifindex(k, v, rc);
	v->down = false;
	v->remade++;
	k->vrf_remakes++;
	links = dpk_links_rebind(k, v->id);
	routes = dpk_vrf_reprogram(k, v->id);
	log_info("kernel dataplane: VRF %s is device %s again (ifindex %d, table %u); links bound "
		 "again: %zu, routes and labels programmed again: %zu",
		 v->name, v->ifname, rc, v->table, links, routes);
	return 0;
}

/* One attempt to put v right: its device made again, or set up and its links bound again. */
static void vrf_repair(struct dp_kernel *k, struct dpk_vrf *v)
{
	int rc;

	v->remakes++;
	v->remade_at = k->now_ms(); /* the backoff counts from the attempt */
	dpk_vrf_pending(k, v, false);
	dpk_map_free(&k->ifindexes, free); /* links came and went: routes look theirs up again */
	rc = v->ifindex <= 0 ? vrf_remake(k, v) : dpk_vrf_put_right(k, v);
	if (rc < 0) {
		links_park(k, v->id);
		remake_schedule(k, v, v->remade_at);
	}
}

void dpk_vrf_trouble(struct dp_kernel *k, struct dpk_vrf *v, const struct dpk_trouble *t)
{
	uint64_t now = k->now_ms();
	size_t parked;

	if (v->given_up) { /* nothing more is done for it: no fight */
		log_warnx("kernel dataplane: VRF %s: %s %s: not put right (given up) until vrfmgr "
			  "restarts", v->name, t->who, t->done);
		return;
	}
	if (v->remake_pending) { /* the attempt due is the next: nothing sooner */
		parked = links_park(k, v->id);
		log_warnx("kernel dataplane: VRF %s: %s %s while it waits to be put right: in %llu "
			  "ms%s", v->name, t->who, t->done,
			  (unsigned long long)(v->remake_due > now ? v->remake_due - now : 0),
			  parked ? ", its links down until then" : "");
		return;
	}
	if (v->remakes > 0 && now - v->remade_at >= DPK_REMAKE_STABLE_MS)
		v->remakes = 0; /* it stayed: a new streak */
	if (v->remakes == 0) {
		log_warnx("kernel dataplane: VRF %s: %s was %s, not by vrfmgr: %s", v->name, t->who,
			  t->done, t->fixing);
		vrf_repair(k, v);
		return;
	}
	parked = links_park(k, v->id);
	remake_schedule(k, v, now);
	if (v->remake_pending)
		log_warnx("kernel dataplane: VRF %s: %s %s again, %llu ms after vrfmgr last put it "
			  "right: %s in %llu ms%s",
			  v->name, t->who, t->done, (unsigned long long)(now - v->remade_at), t->fixed,
			  (unsigned long long)(v->remake_due - now),
			  parked ? ", its links down until then" : "");
}

void dpk_vrf_gone(struct dp_kernel *k, struct dpk_vrf *v)
{
	char who[64];

	snprintf(who, sizeof(who), "device %s (ifindex %d)", v->ifname, v->ifindex);
	dpk_vrf_set_ifindex(k, v, 0);
	links_mark(k, v->id);
	dpk_vrf_trouble(k, v, &(struct dpk_trouble){ who, "deleted", "making it again",
						      "made again" });
}

void dp_kernel_tick(struct dp_kernel *k)
{
	uint64_t now = k->now_ms();

	for (size_t i = 0; k->n_pending > 0 && i < k->vrfs.cap; i++) {
		struct dpk_vrf *v = k->vrfs.s[i].val;

		if (v != NULL && v->remake_pending && v->remake_due <= now)
			vrf_repair(k, v);
	}
}

int64_t dp_kernel_next_tick_ms(const struct dp_kernel *k)
{
	uint64_t now;
	int64_t next = -1;

	if (k->n_pending == 0)
		return -1; /* the common case, after every read of link events: no walk */
	now = k->now_ms();
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
	out->set_up_again = v->set_up_again;
	out->links_bound_again = v->links_bound_again;
	out->state = v->given_up	 ? "given_up"
		     : v->ifindex <= 0 ? (v->remake_pending ? "waiting" : "missing")
		     : v->down	 ? "down"
				 : "present";
	if (v->remake_pending) {
		now = k->now_ms();
		out->repair_pending = true;
		out->remake_in_ms = v->remake_due > now ? v->remake_due - now : 0;
	}
	return true;
}

void dp_kernel_vrf_links(const struct dp_kernel *k, uint32_t vrf_id,
			 void (*cb)(const char *ifname, int ifindex, const char *state, void *arg),
			 void *arg)
{
	char name[IPC_IFNAME_MAX + 1];

	for (size_t i = 0; i < k->binds.cap; i++) {
		const struct dpk_bind *b = k->binds.s[i].val;

		if (b == NULL || b->b.vrf_id != vrf_id)
			continue;
		snprintf(name, sizeof(name), "%.*s", IPC_IFNAME_MAX, b->b.ifname);
		cb(name, b->ifindex, b->rebind ? "waiting" : b->ifindex > 0 ? "bound" : "unbound", arg);
	}
}
