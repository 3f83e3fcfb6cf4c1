/*
 * vrfmgr -> fwd: one handler per IPC message type (table-driven), each
 * stamping what it touches with the current generation so REPLAY_END can
 * sweep what vrfmgr no longer has. Messages come from a local daemon, so a
 * nonsensical one is logged and skipped; it never stops forwarding.
 * Also builds the config-driven parts: core interfaces and static LFIB.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "common/plural.h"
#include "common/prefix.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/lfib.h"
#include "fwd/nexthop.h"

/* A NUL-terminated copy of a fixed-size name field. */
static void name_copy(char out[IPC_IFNAME_MAX + 1], const char *in)
{
	size_t n = strnlen(in, IPC_IFNAME_MAX);

	memcpy(out, in, n);
	out[n] = '\0';
}

static void if_open(struct fwd *f, struct fwd_iface *ifp)
{
	if (!ifp->open && f->hooks.if_open != NULL)
		f->hooks.if_open(f->hooks.ctx, ifp); /* failures are logged; the tick retries */
}

static void if_unbind(struct fwd *f, struct fwd_iface *ifp)
{
	fwd_if_vrf_leave(f, ifp);
	ifp->active = false;
	if (ifp->open && f->hooks.if_close != NULL)
		f->hooks.if_close(f->hooks.ctx, ifp);
	/* after the close: what the workers handed over from it is the old tenant's */
	__atomic_add_fetch(&ifp->bind_seq, 1, __ATOMIC_RELEASE);
	arp_flush(f, ifp);
	log_info("interface %s unbound", ifp->name);
	fwd_iface_reap(f, ifp); /* a removed tenant's link: gone unless a next hop still uses it */
}

/*
 * Another VRF under id (vrfmgr restarted with another config: the lowest
 * free id went to a new VRF, and the replay says so long before REPLAY_END
 * sweeps what the old one left). Nothing of the old VRF may serve the new
 * one meanwhile: its routes, the interfaces bound to it (their CEs would
 * deliver into the new VRF) and the labels that pop into it (its remote
 * traffic too) go now; the new VRF's own follow in the replay.
 */
static void vrf_replaced(struct fwd *f, uint32_t id, const char *old, const char *name)
{
	size_t n_ifs = 0, n_labels;

	for (size_t i = 0; i < f->n_ifaces; i++) {
		struct fwd_iface *ifp = f->ifaces[i];

		if (ifp->role == FWD_IF_ACCESS && ifp->active && ifp->vrf_id == id) {
			if_unbind(f, ifp);
			n_ifs++;
		}
	}
	n_labels = lfib_del_vrf(f, id);
	fib_vrf_del(f, id);
	log_info("vrf %u is %s now, not %s: %s's routes, %zu %s and %zu %s dropped", id, name,
		 old, old, n_ifs, plural(n_ifs, "interface", "interfaces"), n_labels,
		 plural(n_labels, "label", "labels"));
}

static void on_vrf_add(struct fwd *f, const void *m)
{
	const struct ipc_vrf *v = m;
	const struct fwd_vrf *was = fib_vrf_get(f, v->vrf_id);
	char name[IPC_NAME_MAX + 1];
	size_t n = strnlen(v->name, IPC_NAME_MAX);

	memcpy(name, v->name, n);
	name[n] = '\0';
	if (was != NULL && !fib_vrf_named(was, name)) {
		char old[IPC_NAME_MAX + 1];

		snprintf(old, sizeof(old), "%s", was->name);
		vrf_replaced(f, v->vrf_id, old, name);
	}
	fib_vrf_add(f, v->vrf_id, name);
}

/*
 * vrfmgr deletes a VRF's labels before the VRF. One it left popping into
 * the VRF (not a static one: the config's stay) goes with it, said: else a
 * VRF created later under the id would get that label's traffic.
 */
static void on_vrf_del(struct fwd *f, const void *m)
{
	uint32_t id = ((const struct ipc_vrf *)m)->vrf_id;
	size_t n = lfib_del_vrf(f, id);

	if (n > 0)
		log_warnx("vrf %u deleted with %zu %s still popping into it: deleted with it", id, n,
			  plural(n, "label", "labels"));
	fib_vrf_del(f, id);
}

/* The name of VRF id for the log: "A", or "gone" once deleted. */
static const char *vrf_name_of(const struct fwd *f, uint32_t id)
{
	const struct fwd_vrf *v = fib_vrf_get(f, id);

	return v != NULL ? v->name : "gone";
}

/*
 * ifp goes from its VRF to to_id (a reload or a replay moved it): said, as a
 * bind is. What the old VRF still has out of it from before a replay (not
 * refreshed in this generation: vrfmgr, restarted with the new config, will
 * not send it again) goes now, not at REPLAY_END: else that VRF's packets,
 * and its per-CE label's traffic, reach the new owner's CE meanwhile.
 * Outside a replay everything is current and vrfmgr took it out first.
 */
static void if_moved(struct fwd *f, struct fwd_iface *ifp, uint32_t to_id, const char *addr)
{
	size_t n_routes = fib_sweep_out_of(f, ifp->vrf_id, ifp->name, f->gen),
	       n_labels = lfib_sweep_out_of(f, ifp->name, f->gen);

	__atomic_add_fetch(&ifp->bind_seq, 1, __ATOMIC_RELEASE); /* frames handed over: A's */
	log_info("interface %s moved from vrf %u (%s) to vrf %u (%s) as %s", ifp->name,
		 ifp->vrf_id, vrf_name_of(f, ifp->vrf_id), to_id, vrf_name_of(f, to_id), addr);
	if (n_routes + n_labels > 0)
		log_info("interface %s: vrf %u's %zu %s and %zu %s out of it from before the replay "
			 "dropped", ifp->name, ifp->vrf_id, n_routes,
			 plural(n_routes, "route", "routes"), n_labels,
			 plural(n_labels, "label", "labels"));
}

static void on_if_bind(struct fwd *f, const void *m)
{
	const struct ipc_if_bind *b = m;
	char name[IPC_IFNAME_MAX + 1];
	struct fwd_iface *ifp;
	char addr[PREFIX4_STRLEN];
	struct prefix4 p = { b->address, b->plen };

	name_copy(name, b->ifname);
	ifp = fwd_iface_find(f, name);
	if (ifp != NULL && ifp->role == FWD_IF_CORE) {
		log_warnx("IF_BIND for %s refused: it is a core interface", name);
		return;
	}
	if (ifp == NULL && (ifp = fwd_iface_get(f, name, FWD_IF_ACCESS)) == NULL)
		return;
	if (ifp->removed)
		fwd_iface_revive(f, ifp);
	if (ifp->active && ifp->vrf_id != b->vrf_id)
		if_moved(f, ifp, b->vrf_id, prefix4_format(&p, addr));
	/* Renumbered: the neighbours it knew were on the old subnet. */
	if (ifp->active && (ifp->addr != b->address || ifp->plen != b->plen))
		arp_flush(f, ifp);
	if (!ifp->active || ifp->vrf_id != b->vrf_id) { /* from now on it delivers to b's VRF */
		fwd_if_vrf_leave(f, ifp);
		fwd_if_vrf_join(f, ifp, b->vrf_id);
	}
	ifp->addr = b->address;
	ifp->plen = b->plen;
	ifp->gen = f->gen;
	if (!ifp->active) {
		ifp->active = true;
		log_info("interface %s bound to vrf %u as %s", name, b->vrf_id,
			 prefix4_format(&p, addr));
	}
	if_open(f, ifp);
}

static void on_if_unbind(struct fwd *f, const void *m)
{
	char name[IPC_IFNAME_MAX + 1];
	struct fwd_iface *ifp;

	name_copy(name, ((const struct ipc_if_bind *)m)->ifname);
	ifp = fwd_iface_find(f, name);
	if (ifp != NULL && ifp->role == FWD_IF_ACCESS && ifp->active)
		if_unbind(f, ifp);
}

static void on_nh_add(struct fwd *f, const void *m)
{
	const struct ipc_nexthop *nh = m;

	if (nh->nh_id >= NH_ID_STATIC_BASE)
		log_warnx("next hop id %u is in fwd's static range; it may clash", nh->nh_id);
	nh_set(f, nh, false);
}

static void on_nh_del(struct fwd *f, const void *m)
{
	nh_del(f, ((const struct ipc_nexthop *)m)->nh_id);
}

static void on_fib_add(struct fwd *f, const void *m)
{
	const struct ipc_fib_entry *e = m;

	fib_add(f, e->vrf_id, e->prefix, e->plen, e->nh_id, e->inner_label);
}

static void on_fib_del(struct fwd *f, const void *m)
{
	const struct ipc_fib_entry *e = m;

	fib_del(f, e->vrf_id, e->prefix, e->plen);
}

static void on_lfib_add(struct fwd *f, const void *m)
{
	const struct ipc_lfib_entry *in = m;
	struct lfib_entry e = { .in_label = in->in_label, .action = in->action,
				.vrf_id = in->vrf_id, .out_label = in->out_label };

	lfib_set(f, &e, in->action == IPC_LFIB_POP_LOOKUP ? 0 : in->nh_id);
}

static void on_lfib_del(struct fwd *f, const void *m)
{
	lfib_del(f, ((const struct ipc_lfib_entry *)m)->in_label);
}

static void on_replay_begin(struct fwd *f, const void *m)
{
	(void)m;
	f->gen++;
	log_info("replay from vrfmgr started (generation %u)", f->gen);
}

static void on_replay_end(struct fwd *f, const void *m)
{
	size_t n_vrfs = 0, n_routes = 0, n_labels;

	(void)m;
	/* routes and labels first: they release the next hops swept after them */
	fib_sweep(f, f->gen);
	lfib_sweep(f, f->gen);
	nh_sweep(f, f->gen);
	for (size_t i = 0; i < f->n_ifaces; i++) {
		struct fwd_iface *ifp = f->ifaces[i];

		if (ifp->role == FWD_IF_ACCESS && ifp->active && ifp->gen != f->gen)
			if_unbind(f, ifp);
	}
	/* the counts vrfmgr's "replayed ..." line gives, to hold one log against the other */
	for (uint32_t id = 0; id < f->vrf_cap; id++)
		if (f->vrfs[id] != NULL) {
			n_vrfs++;
			n_routes += fib_count(f->vrfs[id]);
		}
	n_labels = lfib_count(f);
	log_info("replay from vrfmgr done: %zu %s, %zu %s and %zu %s", n_vrfs,
		 plural(n_vrfs, "VRF", "VRFs"), n_routes,
		 plural(n_routes, "FIB entry", "FIB entries"), n_labels,
		 plural(n_labels, "LFIB entry", "LFIB entries"));
}

static void (*const handlers[IPC_TYPE_MAX])(struct fwd *f, const void *payload) = {
	[IPC_REPLAY_BEGIN] = on_replay_begin,
	[IPC_REPLAY_END] = on_replay_end,
	[IPC_VRF_ADD] = on_vrf_add,
	[IPC_VRF_DEL] = on_vrf_del,
	[IPC_IF_BIND] = on_if_bind,
	[IPC_IF_UNBIND] = on_if_unbind,
	[IPC_NH_ADD] = on_nh_add,
	[IPC_NH_DEL] = on_nh_del,
	[IPC_FIB_ADD] = on_fib_add,
	[IPC_FIB_DEL] = on_fib_del,
	[IPC_LFIB_ADD] = on_lfib_add,
	[IPC_LFIB_DEL] = on_lfib_del,
};

void apply_msg(struct fwd *f, uint16_t type, const void *payload, uint32_t len)
{
	(void)len; /* the IPC layer checked it against the type */
	if (type >= IPC_TYPE_MAX || handlers[type] == NULL) {
		log_warnx("vrfmgr sent %s, which fwd does not handle", ipc_type_name(type));
		return;
	}
	handlers[type](f, payload);
}

int apply_core_interfaces(struct fwd *f, const struct ferry_config *cfg)
{
	for (size_t i = 0; i < cfg->fwd.n_core_interfaces; i++) {
		const struct cfg_core_if *c = &cfg->fwd.core_interfaces[i];
		struct fwd_iface *ifp = fwd_iface_get(f, c->name, FWD_IF_CORE);

		if (ifp == NULL)
			return -ENOMEM;
		ifp->addr = c->address.addr;
		ifp->plen = c->address.len;
		ifp->active = true;
	}
	return 0;
}

int apply_static_lfib(struct fwd *f, const struct ferry_config *cfg)
{
	for (size_t i = 0; i < cfg->fwd.n_lfib; i++) {
		const struct cfg_lfib_entry *c = &cfg->fwd.lfib[i];
		struct ipc_nexthop nh = { .nh_id = NH_ID_STATIC_BASE + (uint32_t)i,
					  .type = IPC_NH_GATEWAY, .gateway = c->next_hop };
		struct lfib_entry e = { .in_label = c->in_label, .action = IPC_LFIB_SWAP,
					.out_label = c->action == CFG_LFIB_POP ?
							     MPLS_LABEL_IMPLICIT_NULL : c->out_label,
					.is_static = true };
		struct fwd_iface *ifp = fwd_iface_find(f, c->interface);
		int rc;

		if (ifp == NULL || ifp->role != FWD_IF_CORE)
			log_warnx("lfib[%zu]: %s is not a core interface: label %u will not forward",
				  i, c->interface, c->in_label);
		memcpy(nh.ifname, c->interface, strnlen(c->interface, IPC_IFNAME_MAX - 1));
		if ((rc = nh_set(f, &nh, true)) < 0 || (rc = lfib_set(f, &e, nh.nh_id)) < 0)
			return rc;
	}
	return 0;
}
