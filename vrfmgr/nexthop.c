/*
 * Next-hop objects and their resolution through the static LSP table. The
 * objects live in one list in id order (replays walk it) and are found by
 * their key through a chained hash beside it: a PE has one per remote PE
 * and one per attachment interface and CE gateway, so 10,000 VRFs make
 * 20,000, and a linear search per route was 43% of such a start. They are
 * reference counted by the routes and FIB entries that use them. Whether an
 * object is in the dataplane follows fib_refs alone, which gives the
 * promised order: NH_ADD before the first FIB_ADD, NH_DEL after the last
 * FIB_DEL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
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
	free(t->buckets);
	free(t->id_buckets);
	t->buckets = t->id_buckets = NULL;
	t->n_buckets = 0;
	t->head = t->tail = NULL;
	t->count = 0;
}

/* The key: (LABELED, remote PE) or (type, interface, gateway). */
static uint64_t nh_hash(uint32_t type, const char *ifname, uint32_t gateway, uint32_t remote_pe)
{
	uint64_t h = hash_mix64(((uint64_t)type << 32) |
				(type == IPC_NH_LABELED ? remote_pe : gateway));

	if (type == IPC_NH_LABELED)
		return h;
	return hash_mix64(hash_fnv1a(h, ifname, strnlen(ifname, IPC_IFNAME_MAX)));
}

static uint64_t nh_hash_of(const struct nexthop *nh)
{
	return nh_hash(nh->ipc.type, nh->ipc.ifname, nh->ipc.gateway, nh->remote_pe);
}

/*
 * Doubles the buckets when the chains average past one, linking every
 * object of the list in; whether it did (failing is only slower).
 */
static bool nh_buckets_grow(struct nexthop_table *t)
{
	size_t nb = t->n_buckets ? t->n_buckets * 2 : 64;
	struct nexthop **b, **ib, *nh;

	if (t->count < t->n_buckets)
		return false;
	b = calloc(nb, sizeof(*b));
	ib = calloc(nb, sizeof(*ib));
	if (b == NULL || ib == NULL) {
		log_warn("next-hop hash");
		free(b);
		free(ib);
		return false;
	}
	for (nh = t->head; nh != NULL; nh = nh->next) {
		size_t i = nh_hash_of(nh) & (nb - 1), j = nh->ipc.nh_id & (nb - 1);

		nh->hnext = b[i];
		b[i] = nh;
		nh->inext = ib[j];
		ib[j] = nh;
	}
	free(t->buckets);
	free(t->id_buckets);
	t->buckets = b;
	t->id_buckets = ib;
	t->n_buckets = nb;
	return true;
}

static struct nexthop **nh_bucket(const struct nexthop_table *t, uint64_t h)
{
	return &t->buckets[h & (t->n_buckets - 1)];
}

/* Links a new object (key set) into the hash; the list holds it already. */
static void nh_hash_link(struct nexthop_table *t, struct nexthop *nh)
{
	struct nexthop **b;

	if (nh_buckets_grow(t) || t->n_buckets == 0)
		return; /* the rehash linked nh with the rest; or there is no hash */
	b = nh_bucket(t, nh_hash_of(nh));
	nh->hnext = *b;
	*b = nh;
	b = &t->id_buckets[nh->ipc.nh_id & (t->n_buckets - 1)];
	nh->inext = *b;
	*b = nh;
}

static void nh_hash_unlink(struct nexthop_table *t, struct nexthop *nh)
{
	struct nexthop **pp;

	if (t->n_buckets == 0)
		return;
	for (pp = nh_bucket(t, nh_hash_of(nh)); *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == nh) {
			*pp = nh->hnext;
			break;
		}
	}
	for (pp = &t->id_buckets[nh->ipc.nh_id & (t->n_buckets - 1)]; *pp != NULL;
	     pp = &(*pp)->inext) {
		if (*pp == nh) {
			*pp = nh->inext;
			break;
		}
	}
}

struct nexthop *nexthop_by_id(const struct nexthop_table *t, uint32_t id)
{
	struct nexthop *nh;

	if (t->n_buckets > 0) {
		for (nh = t->id_buckets[id & (t->n_buckets - 1)]; nh != NULL; nh = nh->inext)
			if (nh->ipc.nh_id == id)
				return nh;
		return NULL;
	}
	for (nh = t->head; nh != NULL; nh = nh->next)
		if (nh->ipc.nh_id == id)
			return nh;
	return NULL;
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

static bool nh_is(const struct nexthop *nh, uint32_t type, const char *ifname, uint32_t gateway,
		  uint32_t remote_pe)
{
	if (nh->ipc.type != type)
		return false;
	if (type == IPC_NH_LABELED)
		return nh->remote_pe == remote_pe;
	return nh->ipc.gateway == gateway &&
	       strncmp(nh->ipc.ifname, ifname, sizeof(nh->ipc.ifname)) == 0;
}

static struct nexthop *nexthop_find(const struct nexthop_table *t, uint32_t type, const char *ifname,
			  uint32_t gateway, uint32_t remote_pe)
{
	struct nexthop *nh;

	if (t->n_buckets > 0) {
		nh = *nh_bucket(t, nh_hash(type, ifname, gateway, remote_pe));
		for (; nh != NULL; nh = nh->hnext)
			if (nh_is(nh, type, ifname, gateway, remote_pe))
				return nh;
		return NULL;
	}
	for (nh = t->head; nh != NULL; nh = nh->next) /* no hash: out of memory once */
		if (nh_is(nh, type, ifname, gateway, remote_pe))
			return nh;
	return NULL;
}

static struct nexthop *nexthop_new(struct nexthop_table *t, uint32_t type)
{
	struct nexthop *nh = calloc(1, sizeof(*nh));

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
	nh->prev = t->tail;
	*(t->tail != NULL ? &t->tail->next : &t->head) = nh;
	t->tail = nh;
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
	nh_hash_link(t, nh);
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

size_t nexthop_table_lsp_flips(const struct nexthop_table *t, const struct cfg_lsp *lsps,
			       size_t n_lsps)
{
	size_t n = 0;

	/* set_lsps' "was != resolved", with resolved as nexthop_resolve sets it */
	for (const struct nexthop *nh = t->head; nh != NULL; nh = nh->next)
		if (nh->ipc.type == IPC_NH_LABELED &&
		    nh->resolved != (nexthop_lsp_lookup(lsps, n_lsps, nh->remote_pe) != NULL))
			n++;
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
	nh_hash_link(t, nh);
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
	if (nh == NULL || --nh->refs > 0)
		return;
	if (nh->fib_refs > 0)
		fatalx("next hop %u freed while %u FIB entries use it", nh->ipc.nh_id,
		       nh->fib_refs);
	nh_hash_unlink(t, nh);
	*(nh->prev != NULL ? &nh->prev->next : &t->head) = nh->next;
	*(nh->next != NULL ? &nh->next->prev : &t->tail) = nh->prev;
	t->count--;
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
