/*
 * dp_kernel: dataplane_ops over the kernel's VRF devices, IPv4 tables and
 * MPLS table (dp_kernel.h has the mapping). It keeps what the core told it
 * (VRFs, next hops, FIB and LFIB entries, bound links) because the kernel
 * has no shared next-hop object that an MPLS-encap route can point to in
 * the libnl this builds with: a next hop that changes (an LSP's label or
 * gateway) is one replace per route using it, done here. A bind re-programs
 * the routes through that link too: enslaving a running link to a VRF
 * device takes it down and up, and the kernel drops IPv4 routes through a
 * link that goes down.
 *
 * Every kernel error is logged with the entry it was about and counted; an
 * entry the kernel refused stays in the state (not programmed) and is tried
 * again when its next hop or link changes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/errno.h>
#include <netlink/route/route.h>

#include "common/clock.h"
#include "common/hash.h"
#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/dp_kernel_int.h"

struct dp_kernel *dp_kernel_new(const struct dpk_io_ops *ops, void *io)
{
	struct dp_kernel *k = calloc(1, sizeof(*k));

	if (k != NULL) {
		k->io_ops = ops;
		k->io = io;
		k->now_ms = clock_mono_ms;
	}
	return k;
}

void dp_kernel_free(struct dp_kernel *k)
{
	if (k == NULL)
		return;
	dpk_map_free(&k->vrfs, free);
	dpk_map_free(&k->nhs, free);
	dpk_map_free(&k->fibs, free);
	dpk_map_free(&k->lfibs, free);
	dpk_map_free(&k->binds, free);
	dpk_map_free(&k->links, NULL);
	dpk_map_free(&k->ifindexes, free);
	dpk_map_free(&k->devices, NULL);
	free(k);
}

size_t dp_kernel_shrink(struct dp_kernel *k)
{
	return dpk_map_shrink(&k->fibs) + dpk_map_shrink(&k->lfibs) + dpk_map_shrink(&k->nhs);
}

uint64_t dp_kernel_errors(const struct dp_kernel *k)
{
	return k->errors;
}

void dpk_kernel_error(struct dp_kernel *k, int err, const char *what)
{
	k->errors++;
	log_warnx("kernel dataplane: %s: %s", what, k->io_ops->strerror(err));
}

uint64_t dpk_ifname_key(const char *ifname)
{
	return hash_mix64(hash_fnv1a(HASH_FNV_OFFSET, ifname, strnlen(ifname, IPC_IFNAME_MAX)));
}

static int ifindex_of(struct dp_kernel *k, const char *ifname)
{
	char name[IPC_IFNAME_MAX + 1];

	snprintf(name, sizeof(name), "%.*s", IPC_IFNAME_MAX, ifname);
	return name[0] != '\0' ? k->io_ops->ifindex(k->io, name) : -NLE_OBJ_NOTFOUND;
}

/* A route's link as last looked up (dp_kernel.ifindexes); its name kept, as two names may share a hash. */
struct dpk_ifindex {
	char name[IPC_IFNAME_MAX + 1];
	int ifindex;
};

/*
 * The ifindex of a next hop's link, to program a route through it: looked
 * up once and kept until a link event (any link's: deleted, made again,
 * renamed) or a resync forgets them all. Looked up per route it was a
 * netlink request of its own (the whole link description, parsed by
 * libnl): most of what programming a route cost vrfmgr (docs/performance.md,
 * "Kernel dataplane: programming N routes"). A bind looks its link up afresh.
 */
static int route_ifindex(struct dp_kernel *k, const char *ifname)
{
	uint64_t key = dpk_ifname_key(ifname);
	struct dpk_ifindex *c = dpk_map_get(&k->ifindexes, key);
	int ifindex;

	if (c != NULL && strncmp(c->name, ifname, IPC_IFNAME_MAX) == 0)
		return c->ifindex;
	if ((ifindex = ifindex_of(k, ifname)) <= 0)
		return ifindex;
	if (c == NULL && ((c = malloc(sizeof(*c))) == NULL || dpk_map_put(&k->ifindexes, key, c) < 0)) {
		free(c);
		return ifindex; /* not kept: looked up again the next time */
	}
	snprintf(c->name, sizeof(c->name), "%.*s", IPC_IFNAME_MAX, ifname);
	c->ifindex = ifindex;
	return ifindex;
}

static const char *addr_str(uint32_t host_order, char buf[INET_ADDRSTRLEN])
{
	uint32_t be = htonl(host_order);

	return inet_ntop(AF_INET, &be, buf, INET_ADDRSTRLEN);
}

/* "next hop 7 (labeled via 10.0.1.2 dev core0, push 16/200)", as far as it is known */
static void nh_what(const struct ipc_nexthop *nh, uint32_t inner, char *buf, size_t len)
{
	static const char *const types[] = { [IPC_NH_CONNECTED] = "connected",
					     [IPC_NH_GATEWAY] = "gateway",
					     [IPC_NH_LABELED] = "labeled", [IPC_NH_LOCAL] = "local",
					     [IPC_NH_DROP] = "drop" };
	char gw[INET_ADDRSTRLEN], push[32] = "";
	uint32_t labels[2];
	int n = nh->type == IPC_NH_LABELED ? dpk_push_labels(nh, inner, labels) : 0;

	if (n == 1)
		snprintf(push, sizeof(push), ", push %u", labels[0]);
	else if (n == 2)
		snprintf(push, sizeof(push), ", push %u/%u", labels[0], labels[1]);
	snprintf(buf, len, "next hop %u (%s%s%s%s%.16s%s)", nh->nh_id,
		 nh->type < sizeof(types) / sizeof(types[0]) && types[nh->type] ? types[nh->type]
										  : "?",
		 nh->gateway ? " via " : "", nh->gateway ? addr_str(nh->gateway, gw) : "",
		 nh->ifname[0] ? " dev " : "", nh->ifname, push);
}

/* "FIB add in VRF A (table 10001) 192.168.1.0/24 via next hop 7 (...)" */
static void fib_what(struct dp_kernel *k, const char *verb, const struct ipc_fib_entry *e,
		     char *buf, size_t len)
{
	const struct dpk_vrf *v = dpk_map_get(&k->vrfs, e->vrf_id);
	const struct ipc_nexthop *nh = dpk_map_get(&k->nhs, e->nh_id);
	char a[INET_ADDRSTRLEN], via[128];

	if (nh != NULL)
		nh_what(nh, e->inner_label, via, sizeof(via));
	else
		snprintf(via, sizeof(via), "next hop %u", e->nh_id);
	snprintf(buf, len, "FIB %s in VRF %s (table %u) %s/%u via %s", verb,
		 v != NULL ? v->name : "?", dpk_vrf_table(e->vrf_id), addr_str(e->prefix, a),
		 e->plen, via);
}

static void route_do(struct dp_kernel *k, bool add, struct rtnl_route *r, const char *what,
		     bool *programmed)
{
	int rc = k->io_ops->route(k->io, add, r);

	rtnl_route_put(r);
	/* a delete of what is not there (never programmed, or already gone) is no error */
	if (rc < 0 && !(!add && rc == -NLE_OBJ_NOTFOUND))
		dpk_kernel_error(k, rc, what);
	if (programmed != NULL)
		*programmed = add && rc == 0;
}

void dpk_fib_program(struct dp_kernel *k, struct dpk_fib *f)
{
	const struct dpk_vrf *v = dpk_map_get(&k->vrfs, f->e.vrf_id);
	const struct ipc_nexthop *nh = dpk_map_get(&k->nhs, f->e.nh_id);
	struct dpk_fib_in in = { .table = dpk_vrf_table(f->e.vrf_id), .prefix = f->e.prefix,
				 .plen = f->e.plen, .inner_label = f->e.inner_label, .nh = nh };
	char what[256], why[160];
	struct rtnl_route *r;

	fib_what(k, "add", &f->e, what, sizeof(what));
	f->programmed = false;
	/* no device: the table may be another's (dp_kernel_claim.c), nothing goes into it */
	if (v == NULL || v->ifindex <= 0 || nh == NULL) {
		k->errors++;
		log_warnx("kernel dataplane: %s: %s", what,
			  v == NULL	    ? "no such VRF was added"
			  : v->ifindex <= 0 ? "the VRF has no device"
					    : "no such next hop was added");
		return;
	}
	in.vrf_ifindex = v->ifindex;
	in.oif = nh->type == IPC_NH_LOCAL || nh->type == IPC_NH_DROP ? 0
								      : route_ifindex(k, nh->ifname);
	if ((r = dpk_route_fib(&in, why, sizeof(why))) == NULL) {
		k->errors++;
		log_warnx("kernel dataplane: %s: not programmed: %s", what, why);
		return;
	}
	route_do(k, true, r, what, &f->programmed);
}

/* "LFIB add of label 201 (pop_forward in VRF B to next hop 3 (connected dev ce-b2))" */
static void lfib_what(const struct ipc_lfib_entry *e, const struct dpk_vrf *v,
		      const struct ipc_nexthop *nh, char *buf, size_t len)
{
	char via[128] = "", out[24] = "";

	if (e->action == IPC_LFIB_SWAP)
		snprintf(out, sizeof(out), " to %u", e->out_label);
	if (nh != NULL) {
		snprintf(via, sizeof(via), " to ");
		nh_what(nh, MPLS_LABEL_NONE, via + 4, sizeof(via) - 4);
	} else if (e->action != IPC_LFIB_POP_LOOKUP) {
		snprintf(via, sizeof(via), " to next hop %u", e->nh_id);
	}
	snprintf(buf, len, "LFIB add of label %u (%s%s in VRF %s%s)", e->in_label,
		 e->action == IPC_LFIB_POP_LOOKUP    ? "pop_lookup"
		 : e->action == IPC_LFIB_POP_FORWARD ? "pop_forward"
		 : e->action == IPC_LFIB_SWAP        ? "swap"
						     : "?",
		 out, v != NULL ? v->name : "?", via);
}

void dpk_lfib_program(struct dp_kernel *k, struct dpk_lfib *l)
{
	const struct ipc_nexthop *nh = NULL;
	const struct dpk_vrf *v = NULL;
	struct dpk_lfib_in in = { .e = &l->e };
	char what[256], why[160];
	struct rtnl_route *r;

	l->programmed = false;
	v = dpk_map_get(&k->vrfs, l->e.vrf_id); /* POP_FORWARD carries its VRF too */
	in.vrf_ifindex = v != NULL ? v->ifindex : 0;
	if (l->e.action != IPC_LFIB_POP_LOOKUP && (nh = dpk_map_get(&k->nhs, l->e.nh_id)) != NULL) {
		in.nh = nh;
		in.oif = route_ifindex(k, nh->ifname);
	}
	lfib_what(&l->e, v, nh, what, sizeof(what));
	if ((r = dpk_route_lfib(&in, why, sizeof(why))) == NULL) {
		k->errors++;
		log_warnx("kernel dataplane: %s: not programmed: %s", what, why);
		return;
	}
	route_do(k, true, r, what, &l->programmed);
}

/* ---- VRFs and links ---- */

static void kd_vrf_add(void *ctx, const struct ipc_vrf *iv)
{
	struct dp_kernel *k = ctx;
	struct dpk_vrf *v = dpk_map_get(&k->vrfs, iv->vrf_id);
	char name[IPC_NAME_MAX], err[300], why[160] = "";
	int rc;

	snprintf(name, sizeof(name), "%.*s", IPC_NAME_MAX - 1, iv->name);
	if (v == NULL) {
		if ((v = calloc(1, sizeof(*v))) == NULL || dpk_map_put(&k->vrfs, iv->vrf_id, v) < 0) {
			free(v);
			log_warnx("kernel dataplane: VRF %s: out of memory", name);
			return;
		}
	}
	v->id = iv->vrf_id;
	v->table = dpk_vrf_table(iv->vrf_id);
	snprintf(v->name, sizeof(v->name), "%s", name);
	if (dpk_vrf_ifname(name, v->ifname, err, sizeof(err)) < 0) {
		k->errors++;
		log_warnx("kernel dataplane: %s", err);
		return;
	}
	dpk_vrf_set_ifindex(k, v, 0);
	/* the core's own (re)build: whatever happened to an earlier device is behind it */
	v->remakes = 0;
	dpk_vrf_pending(k, v, false);
	v->given_up = false;
	v->down = false;
	v->remade = 0;
	v->set_up_again = 0;
	v->links_bound_again = 0;
	if (dpk_table_claim(k, v, why, sizeof(why)) < 0) {
		k->errors++;
		log_warnx("kernel dataplane: VRF %s: device %s for table %u: %s", name, v->ifname,
			  v->table, why);
		return;
	}
	rc = k->io_ops->vrf_dev_add(k->io, v->ifname, v->table, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, sizeof(err), "VRF %s: device %s for table %u%s%s", name, v->ifname,
			 v->table, why[0] ? ": " : "", why);
		dpk_kernel_error(k, rc, err);
		return;
	}
	dpk_vrf_set_ifindex(k, v, rc);
	log_info("kernel dataplane: VRF %s is device %s (ifindex %d), table %u", name, v->ifname,
		 rc, v->table);
}

/* What is left of the VRF's FIB (the core deletes its entries first; this is the backstop). */
static void vrf_fib_drop(struct dp_kernel *k, uint32_t vrf_id)
{
	size_t n = 0;
	uint64_t *keys = calloc(k->fibs.n + 1, sizeof(*keys));

	if (keys == NULL)
		return;
	for (size_t i = 0; i < k->fibs.cap; i++) {
		const struct dpk_fib *f = k->fibs.s[i].val;

		if (f != NULL && f->e.vrf_id == vrf_id)
			keys[n++] = k->fibs.s[i].key;
	}
	for (size_t i = 0; i < n; i++) {
		struct dpk_fib *f = dpk_map_del(&k->fibs, keys[i]);
		struct rtnl_route *r = dpk_route_fib_key(dpk_vrf_table(vrf_id), f->e.prefix,
							 f->e.plen);
		char what[256];

		fib_what(k, "delete", &f->e, what, sizeof(what));
		if (r != NULL)
			route_do(k, false, r, what, NULL);
		free(f);
	}
	free(keys);
}

/*
 * ifname out of its VRF device, and down: in the main table, up, the kernel
 * would forward what its CE sends into the provider's core. A bind sets it
 * up again.
 */
void dpk_release_down(struct dp_kernel *k, int ifindex, const char *ifname)
{
	char what[96];
	int rc;

	if ((rc = k->io_ops->release(k->io, ifindex)) < 0) {
		snprintf(what, sizeof(what), "releasing %.16s from its VRF", ifname);
		dpk_kernel_error(k, rc, what);
	}
}

/*
 * The links still bound to vrf_id when its device goes (the core unbinds them
 * first; one moving to another VRF is bound there next): the kernel would
 * release them up, into the main table.
 */
static void vrf_links_release(struct dp_kernel *k, uint32_t vrf_id)
{
	for (size_t i = 0; i < k->binds.cap; i++) {
		const struct dpk_bind *b = k->binds.s[i].val;

		if (b != NULL && b->b.vrf_id == vrf_id && b->ifindex > 0)
			dpk_release_down(k, b->ifindex, b->b.ifname);
	}
}

static void kd_vrf_del(void *ctx, const struct ipc_vrf *iv)
{
	struct dp_kernel *k = ctx;
	struct dpk_vrf *v = dpk_map_get(&k->vrfs, iv->vrf_id);
	char what[96];
	int rc;

	if (v == NULL)
		return;
	vrf_fib_drop(k, iv->vrf_id);
	vrf_links_release(k, iv->vrf_id);
	/* already gone (deleted by hand as the reload removed it): what was wanted, no error */
	rc = v->ifindex > 0 ? k->io_ops->link_del(k->io, v->ifindex) : 0;
	if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV) {
		snprintf(what, sizeof(what), "VRF %s: deleting device %s", v->name, v->ifname);
		dpk_kernel_error(k, rc, what);
	}
	dpk_vrf_pending(k, v, false);
	dpk_vrf_set_ifindex(k, v, 0);
	free(dpk_map_del(&k->vrfs, iv->vrf_id));
}

/* The routes through ifname, again (after its bind: see the top of the file); how many. */
static size_t reprogram_link(struct dp_kernel *k, const char *ifname)
{
	size_t n = 0;

	for (size_t i = 0; i < k->fibs.cap; i++) {
		struct dpk_fib *f = k->fibs.s[i].val;
		const struct ipc_nexthop *nh = f != NULL ? dpk_map_get(&k->nhs, f->e.nh_id) : NULL;

		if (nh != NULL && strncmp(nh->ifname, ifname, IPC_IFNAME_MAX) == 0) {
			dpk_fib_program(k, f);
			n++;
		}
	}
	for (size_t i = 0; i < k->lfibs.cap; i++) {
		struct dpk_lfib *l = k->lfibs.s[i].val;
		const struct ipc_nexthop *nh = l != NULL && l->e.action != IPC_LFIB_POP_LOOKUP
						       ? dpk_map_get(&k->nhs, l->e.nh_id)
						       : NULL;

		if (nh != NULL && strncmp(nh->ifname, ifname, IPC_IFNAME_MAX) == 0) {
			dpk_lfib_program(k, l);
			n++;
		}
	}
	return n;
}

/* The address vrfmgr gave b's link, removed (already gone: no error). */
static void addr_remove(struct dp_kernel *k, const struct dpk_bind *b)
{
	char what[96], a[INET_ADDRSTRLEN];
	int rc = k->io_ops->addr(k->io, false, b->ifindex, b->b.address, b->b.plen);

	if (rc < 0) {
		snprintf(what, sizeof(what), "removing address %s/%u from %.16s",
			 addr_str(b->b.address, a), b->b.plen, b->b.ifname);
		dpk_kernel_error(k, rc, what);
	}
}

/*
 * A link that cannot go into its VRF must not stay in the one it was in (a
 * reload moving it, or a previous run's binding): that VRF's customer would
 * get this one's traffic. Released, without the address vrfmgr gave it.
 */
static void link_release(struct dp_kernel *k, int ifindex, const struct dpk_bind *was)
{
	if (was->addr_added && was->ifindex == ifindex && was->b.address != 0)
		addr_remove(k, was);
	dpk_release_down(k, ifindex, was->b.ifname);
}

bool dpk_link_bind(struct dp_kernel *k, const struct ipc_if_bind *ib)
{
	const struct dpk_vrf *v = dpk_map_get(&k->vrfs, ib->vrf_id);
	uint64_t key = dpk_ifname_key(ib->ifname);
	struct dpk_bind *b = dpk_map_get(&k->binds, key), was = { 0 };
	char what[160], a[INET_ADDRSTRLEN];
	int ifindex, rc;

	snprintf(what, sizeof(what), "binding %.16s to VRF %s", ib->ifname,
		 v != NULL ? v->name : "?");
	/* kept even when it cannot be done now: a link that appears later is bound then */
	if (b == NULL && ((b = calloc(1, sizeof(*b))) == NULL || dpk_map_put(&k->binds, key, b) < 0)) {
		free(b);
		k->errors++;
		log_warnx("kernel dataplane: %s: out of memory", what);
		return false;
	}
	was = *b; /* a bind of a bound link replaces it (a reload's new address or VRF) */
	b->b = *ib;
	b->ifindex = 0;
	b->addr_added = false;
	b->rebind = false; /* bound now: no longer waiting for its VRF to be put right */
	if ((ifindex = ifindex_of(k, ib->ifname)) < 0) {
		k->errors++;
		log_warnx("kernel dataplane: %s: %s", what,
			  v == NULL || v->ifindex <= 0
				  ? "the VRF has no device"
				  : "no such interface (it is bound when it appears)");
		return false;
	}
	if (v == NULL || v->ifindex <= 0) {
		k->errors++;
		log_warnx("kernel dataplane: %s: the VRF has no device: %.16s is released from "
			  "any VRF instead", what, ib->ifname);
		link_release(k, ifindex, &was);
		return false;
	}
	b->ifindex = ifindex;
	if (was.addr_added && was.ifindex == ifindex &&
	    (was.b.address != ib->address || was.b.plen != ib->plen)) {
		addr_remove(k, &was);
		was.addr_added = false;
	}
	if ((rc = k->io_ops->enslave(k->io, ifindex, v->ifindex)) < 0) {
		dpk_kernel_error(k, rc, what);
		link_release(k, ifindex, &was);
		b->ifindex = 0; /* bound again at the link's next event */
		return false;
	}
	if (ib->address != 0) {
		rc = k->io_ops->addr(k->io, true, ifindex, ib->address, ib->plen);
		snprintf(what, sizeof(what), "address %s/%u on %.16s", addr_str(ib->address, a),
			 ib->plen, ib->ifname);
		b->addr_added = rc == 0;
		if (rc < 0)
			dpk_kernel_error(k, rc, what);
	}
	return true;
}

static void kd_if_bind(void *ctx, const struct ipc_if_bind *ib)
{
	struct dp_kernel *k = ctx;

	if (dpk_link_bind(k, ib))
		reprogram_link(k, ib->ifname);
}

static void kd_if_unbind(void *ctx, const struct ipc_if_bind *ib)
{
	struct dp_kernel *k = ctx;
	struct dpk_bind *b = dpk_map_del(&k->binds, dpk_ifname_key(ib->ifname));
	int ifindex = ifindex_of(k, ib->ifname);

	if (ifindex < 0) { /* gone with its link: nothing left to release */
		free(b);
		return;
	}
	if (b != NULL && b->addr_added && b->b.address != 0) {
		b->ifindex = ifindex;
		addr_remove(k, b);
	}
	dpk_release_down(k, ifindex, ib->ifname);
	free(b);
}

/* ---- next hops, FIB, LFIB ---- */

/* Every entry through nh_id again: the kernel has no shared object to change once. */
static void reprogram_nh(struct dp_kernel *k, uint32_t nh_id)
{
	for (size_t i = 0; i < k->fibs.cap; i++) {
		struct dpk_fib *f = k->fibs.s[i].val;

		if (f != NULL && f->e.nh_id == nh_id)
			dpk_fib_program(k, f);
	}
	for (size_t i = 0; i < k->lfibs.cap; i++) {
		struct dpk_lfib *l = k->lfibs.s[i].val;

		if (l != NULL && l->e.action != IPC_LFIB_POP_LOOKUP && l->e.nh_id == nh_id)
			dpk_lfib_program(k, l);
	}
}

static void kd_nh_add(void *ctx, const struct ipc_nexthop *inh)
{
	struct dp_kernel *k = ctx;
	struct ipc_nexthop *nh = dpk_map_get(&k->nhs, inh->nh_id);
	bool changed = nh != NULL && memcmp(nh, inh, sizeof(*nh)) != 0;

	if (nh == NULL) {
		if ((nh = malloc(sizeof(*nh))) == NULL || dpk_map_put(&k->nhs, inh->nh_id, nh) < 0) {
			free(nh);
			k->errors++;
			log_warnx("kernel dataplane: next hop %u: out of memory", inh->nh_id);
			return;
		}
	}
	*nh = *inh;
	if (changed)
		reprogram_nh(k, inh->nh_id);
}

static void kd_nh_del(void *ctx, const struct ipc_nexthop *inh)
{
	free(dpk_map_del(&((struct dp_kernel *)ctx)->nhs, inh->nh_id));
}

static void kd_fib_add(void *ctx, const struct ipc_fib_entry *e)
{
	struct dp_kernel *k = ctx;
	uint64_t key = dpk_fib_key(e->vrf_id, e->prefix, e->plen);
	struct dpk_fib *f = dpk_map_get(&k->fibs, key);

	if (f == NULL) {
		if ((f = calloc(1, sizeof(*f))) == NULL || dpk_map_put(&k->fibs, key, f) < 0) {
			free(f);
			k->errors++;
			log_warnx("kernel dataplane: FIB entry: out of memory");
			return;
		}
	}
	f->e = *e;
	dpk_fib_program(k, f);
}

static void kd_fib_del(void *ctx, const struct ipc_fib_entry *e)
{
	struct dp_kernel *k = ctx;
	struct dpk_fib *f = dpk_map_del(&k->fibs, dpk_fib_key(e->vrf_id, e->prefix, e->plen));
	struct rtnl_route *r;
	char what[256];

	if (f == NULL)
		return;
	fib_what(k, "delete", &f->e, what, sizeof(what));
	/* even when this run could not program it: a previous run's may be there */
	if ((r = dpk_route_fib_key(dpk_vrf_table(e->vrf_id), e->prefix, e->plen)) != NULL)
		route_do(k, false, r, what, NULL);
	free(f);
}

static void kd_lfib_add(void *ctx, const struct ipc_lfib_entry *e)
{
	struct dp_kernel *k = ctx;
	struct dpk_lfib *l = dpk_map_get(&k->lfibs, e->in_label);

	if (l == NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL || dpk_map_put(&k->lfibs, e->in_label, l) < 0) {
			free(l);
			k->errors++;
			log_warnx("kernel dataplane: LFIB entry %u: out of memory", e->in_label);
			return;
		}
	}
	l->e = *e;
	dpk_lfib_program(k, l);
}

static void kd_lfib_del(void *ctx, const struct ipc_lfib_entry *e)
{
	struct dp_kernel *k = ctx;
	struct dpk_lfib *l = dpk_map_del(&k->lfibs, e->in_label);
	struct rtnl_route *r;
	char what[64];

	if (l == NULL)
		return;
	snprintf(what, sizeof(what), "LFIB delete of label %u", e->in_label);
	if ((r = dpk_route_lfib_key(e->in_label)) != NULL)
		route_do(k, false, r, what, NULL);
	free(l);
}

/*
 * A link came up, or came back as a new interface: the kernel dropped the
 * IPv4 routes through it when it went down (or away), and a link deleted
 * and made again lost its VRF and address too.
 */
void dp_kernel_link_event(struct dp_kernel *k, int ifindex, const char *ifname, int master,
			  bool up)
{
	uintptr_t was = (uintptr_t)dpk_map_get(&k->links, (uint64_t)ifindex);
	struct dpk_bind *b = dpk_map_get(&k->binds, dpk_ifname_key(ifname));
	struct ipc_if_bind again;

	dpk_map_free(&k->ifindexes, free); /* a link changed: routes look theirs up again */
	/* stored as 1 (down) or 2 (up): a map holds no NULL */
	dpk_map_put(&k->links, (uint64_t)ifindex, (void *)(uintptr_t)(up ? 2 : 1));
	/* a VRF device set down, a bound link taken out of it (dp_kernel_guard.c) */
	if (dpk_guard_event(k, ifindex, b, master, up))
		return;
	if (!up || was == 2)
		return;
	if (b != NULL && b->ifindex != ifindex) {
		log_info("kernel dataplane: %s is back as ifindex %d: bound to its VRF again", ifname,
			 ifindex);
		again = b->b;
		kd_if_bind(k, &again);
		return;
	}
	/* said only of a link something goes through: any other's flaps are not ferry's */
	if (reprogram_link(k, ifname) > 0 && was == 1)
		log_info("kernel dataplane: %s is up again: its routes are programmed again", ifname);
}

void dp_kernel_link_gone(struct dp_kernel *k, int ifindex)
{
	struct dpk_vrf *v = dpk_vrf_by_ifindex(k, ifindex);

	dpk_map_del(&k->links, (uint64_t)ifindex);
	dpk_map_free(&k->ifindexes, free); /* its name may be another link's next */
	for (size_t i = 0; i < k->binds.cap; i++) {
		struct dpk_bind *b = k->binds.s[i].val;

		if (b != NULL && b->ifindex == ifindex) {
			b->ifindex = 0; /* bound again when a link of its name comes up */
			b->addr_added = false; /* the address went with the link */
		}
	}
	/*
	 * One of this run's VRF devices: not deleted by vrfmgr, which forgets a
	 * VRF (or gives it its new device) before it reads the events its own
	 * deletes make.
	 */
	if (v != NULL)
		dpk_vrf_gone(k, v);
}

static void resync_one(int ifindex, const char *ifname, int master, bool up, void *arg)
{
	dp_kernel_link_event(arg, ifindex, ifname, master, up);
}

int dp_kernel_resync(struct dp_kernel *k)
{
	int rc;

	/* a VRF device's deletion may be among the events lost: its links are bound again next */
	dpk_vrfs_check(k);
	/* forgotten: each link listed is then new, and one that is up is programmed again */
	dpk_map_free(&k->links, NULL);
	dpk_map_free(&k->ifindexes, free);
	if ((rc = k->io_ops->links(k->io, resync_one, k)) < 0) {
		dpk_kernel_error(k, rc, "listing the links after lost link events");
		return -1;
	}
	return 0;
}

const struct dataplane_ops dp_kernel_ops = {
	.vrf_add = kd_vrf_add,
	.vrf_del = kd_vrf_del,
	.if_bind = kd_if_bind,
	.if_unbind = kd_if_unbind,
	.nh_add = kd_nh_add,
	.nh_del = kd_nh_del,
	.fib_add = kd_fib_add,
	.fib_del = kd_fib_del,
	.lfib_add = kd_lfib_add,
	.lfib_del = kd_lfib_del,
};
