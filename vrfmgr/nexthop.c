/*
 * Next-hop objects and their resolution through the static LSP table. The
 * objects live in one list (a PE has a handful: one per remote PE, one per
 * attachment interface or CE gateway), are found by their key and are
 * reference counted by the routes and FIB entries that use them. Whether an
 * object is in the dataplane follows fib_refs alone, which gives the
 * promised order: NH_ADD before the first FIB_ADD, NH_DEL after the last
 * FIB_DEL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/nexthop.h"

void nexthop_table_init(struct nexthop_table *t, const struct cfg_lsp *lsps, size_t n_lsps)
{
	memset(t, 0, sizeof(*t));
	t->next_id = 1;
	t->lsps = lsps;
	t->n_lsps = n_lsps;
}

void nexthop_table_free(struct nexthop_table *t)
{
	struct nexthop *nh, *next;

	for (nh = t->head; nh != NULL; nh = next) {
		next = nh->next;
		free(nh);
	}
	t->head = NULL;
	t->count = 0;
}

const struct cfg_lsp *nexthop_lsp_lookup(const struct cfg_lsp *lsps, size_t n, uint32_t addr)
{
	const struct cfg_lsp *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!prefix4_contains(&lsps[i].fec, addr))
			continue;
		if (best == NULL || lsps[i].fec.len > best->fec.len)
			best = &lsps[i];
	}
	return best;
}

static struct nexthop *nexthop_find(const struct nexthop_table *t, uint32_t type, const char *ifname,
			  uint32_t gateway, uint32_t remote_pe)
{
	struct nexthop *nh;

	for (nh = t->head; nh != NULL; nh = nh->next) {
		if (nh->ipc.type != type)
			continue;
		if (type == IPC_NH_LABELED) {
			if (nh->remote_pe == remote_pe)
				return nh;
		} else if (nh->ipc.gateway == gateway &&
			   strncmp(nh->ipc.ifname, ifname, sizeof(nh->ipc.ifname)) == 0) {
			return nh;
		}
	}
	return NULL;
}

static struct nexthop *nexthop_new(struct nexthop_table *t, uint32_t type)
{
	struct nexthop *nh = calloc(1, sizeof(*nh));
	struct nexthop **pp;

	if (nh == NULL) {
		log_warn("next hop");
		return NULL;
	}
	nh->ipc.nh_id = t->next_id++;
	if (t->next_id == 0) /* 0 is never an id */
		t->next_id = 1;
	nh->ipc.type = type;
	nh->ipc.out_label = MPLS_LABEL_NONE;
	nh->refs = 1;
	/* Appended, so walks (replays) go in id order. */
	for (pp = &t->head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = nh;
	t->count++;
	return nh;
}

struct nexthop *nexthop_ref(struct nexthop *nh)
{
	if (nh != NULL)
		nh->refs++;
	return nh;
}

/* Points a labeled next hop at the LSP its PE resolves through now (or none). */
static void nexthop_resolve(const struct nexthop_table *t, struct nexthop *nh)
{
	const struct cfg_lsp *lsp = nexthop_lsp_lookup(t->lsps, t->n_lsps, nh->remote_pe);

	nh->lsp = lsp;
	nh->resolved = lsp != NULL;
	if (lsp == NULL) { /* NH_DEL reads only the id */
		nh->ipc.gateway = 0;
		nh->ipc.out_label = MPLS_LABEL_NONE;
		memset(nh->ipc.ifname, 0, sizeof(nh->ipc.ifname));
		return;
	}
	nh->ipc.gateway = lsp->next_hop;
	nh->ipc.out_label = lsp->out_label;
	snprintf(nh->ipc.ifname, sizeof(nh->ipc.ifname), "%s", lsp->interface);
}

struct nexthop *nexthop_get_labeled(struct nexthop_table *t, uint32_t remote_pe)
{
	struct nexthop *nh = nexthop_find(t, IPC_NH_LABELED, NULL, 0, remote_pe);

	if (nh != NULL)
		return nexthop_ref(nh);
	nh = nexthop_new(t, IPC_NH_LABELED);
	if (nh == NULL)
		return NULL;
	nh->remote_pe = remote_pe;
	nexthop_resolve(t, nh);
	return nh;
}

size_t nexthop_table_set_lsps(struct nexthop_table *t, const struct cfg_lsp *lsps, size_t n_lsps,
			      const struct dataplane *dp, struct nexthop ***flipped)
{
	struct nexthop *nh, **v = NULL;
	size_t n = 0;

	t->lsps = lsps;
	t->n_lsps = n_lsps;
	*flipped = NULL;
	for (nh = t->head; nh != NULL; nh = nh->next) {
		struct ipc_nexthop before = nh->ipc;
		bool was = nh->resolved;

		if (nh->ipc.type != IPC_NH_LABELED)
			continue;
		nexthop_resolve(t, nh);
		if (was != nh->resolved) {
			struct nexthop **grown = realloc(v, (n + 1) * sizeof(*v));

			if (grown == NULL) {
				log_warn("next hops");
				continue;
			}
			v = grown;
			v[n++] = nh;
		} else if (nh->resolved && nh->fib_refs > 0 &&
			   memcmp(&before, &nh->ipc, sizeof(before)) != 0) {
			/* One replace, and every route through this PE follows. */
			DP_CALL(dp, nh_add, &nh->ipc);
		}
	}
	*flipped = v;
	return n;
}

static struct nexthop *nh_get_link(struct nexthop_table *t, uint32_t type, const char *ifname,
			      uint32_t gateway)
{
	struct nexthop *nh = nexthop_find(t, type, ifname, gateway, 0);

	if (nh != NULL)
		return nexthop_ref(nh);
	nh = nexthop_new(t, type);
	if (nh == NULL)
		return NULL;
	nh->resolved = true;
	nh->ipc.gateway = gateway;
	snprintf(nh->ipc.ifname, sizeof(nh->ipc.ifname), "%s", ifname);
	return nh;
}

struct nexthop *nexthop_get_gateway(struct nexthop_table *t, const char *ifname, uint32_t gateway)
{
	return nh_get_link(t, IPC_NH_GATEWAY, ifname, gateway);
}

struct nexthop *nexthop_get_connected(struct nexthop_table *t, const char *ifname)
{
	return nh_get_link(t, IPC_NH_CONNECTED, ifname, 0);
}

void nexthop_put(struct nexthop_table *t, struct nexthop *nh)
{
	struct nexthop **pp;

	if (nh == NULL || --nh->refs > 0)
		return;
	if (nh->fib_refs > 0)
		fatalx("next hop %u freed while %u FIB entries use it", nh->ipc.nh_id,
		       nh->fib_refs);
	for (pp = &t->head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == nh) {
			*pp = nh->next;
			t->count--;
			break;
		}
	}
	free(nh);
}

void nexthop_fib_hold(struct nexthop_table *t, struct nexthop *nh, const struct dataplane *dp)
{
	(void)t;
	nexthop_ref(nh);
	if (nh->fib_refs++ == 0)
		DP_CALL(dp, nh_add, &nh->ipc);
}

void nexthop_fib_release(struct nexthop_table *t, struct nexthop *nh, const struct dataplane *dp)
{
	if (nh->fib_refs == 0)
		fatalx("next hop %u released more often than held", nh->ipc.nh_id);
	if (--nh->fib_refs == 0)
		DP_CALL(dp, nh_del, &nh->ipc);
	nexthop_put(t, nh);
}

const char *nexthop_type_name(uint32_t type)
{
	static const char *const names[] = {
		[IPC_NH_CONNECTED] = "connected", [IPC_NH_GATEWAY] = "gateway",
		[IPC_NH_LABELED] = "labeled",     [IPC_NH_LOCAL] = "local",
		[IPC_NH_DROP] = "drop",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type] != NULL)
		return names[type];
	return "unknown";
}
