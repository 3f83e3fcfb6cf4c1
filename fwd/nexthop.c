/*
 * Next-hop objects by nh_id in a chained hash (ids are vrfmgr's choice, so
 * no assumption that they are dense). Reference counts let FIB/LFIB entries
 * hold direct pointers, so the per-packet path never looks an id up; an
 * update changes the object's fields and publishes a new view of it (see
 * nexthop.h), which every user then sees at once. An object is freed through
 * RCU, since a worker may have found it in a result retired a moment ago.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/label.h"
#include "common/log.h"
#include "fwd/arp.h"
#include "fwd/nexthop.h"
#include "fwd/rcu.h"

struct nh_table {
	struct nexthop **buckets;
	uint32_t n_buckets; /* power of two */
	uint32_t count;
	uint32_t meanings; /* the last nexthop.meaning given */
};

/* nh takes a new meaning (read by workers when they hand a frame over). */
static void nh_new_meaning(struct fwd *f, struct nexthop *nh)
{
	__atomic_store_n(&nh->meaning, ++f->nhs->meanings, __ATOMIC_RELAXED);
}

/* Whether m says what nh says now (present): a refresh, not a new meaning. */
static bool nh_same(const struct nexthop *nh, const struct ipc_nexthop *m)
{
	return nh->present && nh->type == m->type && nh->gateway == m->gateway &&
	       nh->out_label == m->out_label &&
	       strncmp(nh->ifname, m->ifname, sizeof(nh->ifname)) == 0;
}

struct nh_table *nh_table_new(void)
{
	struct nh_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->n_buckets = 64;
	t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static void nh_free(void *p, void *ctx)
{
	struct nexthop *nh = p;

	(void)ctx;
	free(atomic_load_explicit(&nh->view, memory_order_relaxed));
	free(nh);
}

void nh_table_free(struct nh_table *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < t->n_buckets; i++) {
		struct nexthop *nh = t->buckets[i], *next;

		for (; nh != NULL; nh = next) {
			next = nh->hnext;
			nh_free(nh, NULL);
		}
	}
	free(t->buckets);
	free(t);
}

static uint32_t nh_hash(uint32_t id)
{
	return id * 2654435761u;
}

struct nexthop *nh_find(const struct fwd *f, uint32_t id)
{
	const struct nh_table *t = f->nhs;
	struct nexthop *nh = t->buckets[nh_hash(id) & (t->n_buckets - 1)];

	while (nh != NULL && nh->id != id)
		nh = nh->hnext;
	return nh;
}

/* The table with n buckets (a power of two); on ENOMEM it stays as it is. */
static void nh_rehash(struct nh_table *t, uint32_t n)
{
	struct nexthop **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;
	for (uint32_t i = 0; i < t->n_buckets; i++) {
		struct nexthop *nh = t->buckets[i], *next;

		for (; nh != NULL; nh = next) {
			uint32_t h = nh_hash(nh->id) & (n - 1);

			next = nh->hnext;
			nh->hnext = b[h];
			b[h] = nh;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n;
}

static struct nexthop *nh_create(struct fwd *f, uint32_t id)
{
	struct nh_table *t = f->nhs;
	struct nexthop *nh = calloc(1, sizeof(*nh));
	uint32_t h;

	if (nh == NULL)
		return NULL;
	f->table_changes++;
	nh->id = id;
	if (t->count >= t->n_buckets)
		nh_rehash(t, t->n_buckets * 2);
	h = nh_hash(id) & (t->n_buckets - 1);
	nh->hnext = t->buckets[h];
	t->buckets[h] = nh;
	t->count++;
	return nh;
}

/*
 * Quiet time: the buckets, once under 1/8 used, back to at most a quarter
 * full. Only the control thread looks ids up (workers hold pointers to the
 * objects, which do not move). Bytes freed.
 */
size_t nh_table_shrink(struct fwd *f)
{
	struct nh_table *t = f->nhs;
	uint32_t was = t->n_buckets, to = (uint32_t)hash_shrink_size(was, t->count, 64, 4);

	if (to == 0)
		return 0;
	nh_rehash(t, to);
	return t->n_buckets == to ? (size_t)(was - to) * sizeof(*t->buckets) : 0;
}

static void nh_destroy(struct fwd *f, struct nexthop *nh)
{
	struct nh_table *t = f->nhs;
	struct nexthop **pp = &t->buckets[nh_hash(nh->id) & (t->n_buckets - 1)];

	while (*pp != nh)
		pp = &(*pp)->hnext;
	*pp = nh->hnext;
	t->count--;
	f->table_changes++;
	rcu_retire(f->rcu, nh_free, nh, NULL);
}

static void view_free(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

static bool view_eq(const struct nh_view *a, const struct nh_view *b)
{
	return a->type == b->type && a->out_label == b->out_label && a->ifp == b->ifp &&
	       a->adj_gen == b->adj_gen && memcmp(a->adj_mac, b->adj_mac, FWD_ETH_ALEN) == 0;
}

/* nh_view.n_out of nh. */
static uint8_t view_n_out(const struct nexthop *nh)
{
	if (nh->type != IPC_NH_LABELED || nh->out_label == MPLS_LABEL_IMPLICIT_NULL ||
	    nh->out_label == MPLS_LABEL_NONE)
		return 0;
	return nh->out_label <= MPLS_LABEL_MAX ? 1 : NH_PUSH_SLOW;
}

void nh_publish(struct fwd *f, struct nexthop *nh)
{
	struct nh_view *old = atomic_load_explicit(&nh->view, memory_order_relaxed), *v;
	struct nh_view want = { .type = nh->type, .out_label = nh->out_label, .ifp = nh->ifp,
				.n_out = view_n_out(nh), .labeled = nh->type == IPC_NH_LABELED };

	if (nh->adj_ifp != NULL && nh->adj_ifp == nh->ifp) {
		want.adj_gen = nh->adj_gen;
		memcpy(want.adj_mac, nh->adj_mac, FWD_ETH_ALEN);
	}
	if (old != NULL && view_eq(old, &want))
		return;
	if ((v = malloc(sizeof(*v))) == NULL) {
		/* keep the fast path off this next hop rather than show it stale */
		if (old != NULL && (old->type != 0 || old->ifp != NULL)) {
			log_warnx("next hop %u: out of memory: its packets take the slow path", nh->id);
			atomic_store_explicit(&nh->view, NULL, memory_order_release);
			rcu_retire(f->rcu, view_free, old, NULL);
		}
		return;
	}
	*v = want;
	atomic_store_explicit(&nh->view, v, memory_order_release);
	if (old != NULL)
		rcu_retire(f->rcu, view_free, old, NULL);
}

/*
 * The next hops stopped naming ifname: an unbound attachment link that no
 * present one names any more goes from the API (fwd_iface_reap).
 */
static void if_released(struct fwd *f, const char *ifname)
{
	struct fwd_iface *ifp;

	if (ifname[0] != '\0' && (ifp = fwd_iface_find(f, ifname)) != NULL)
		fwd_iface_reap(f, ifp);
}

/*
 * A next hop now names ifname: a removed link (a tenant's that went) is
 * listed again, as unbound, while a next hop uses it (fwd_iface_reap).
 */
static void if_named(struct fwd *f, const char *ifname, uint32_t nh_id)
{
	struct fwd_iface *ifp;

	if (ifname[0] != '\0' && (ifp = fwd_iface_find(f, ifname)) != NULL && ifp->removed) {
		fwd_iface_revive(f, ifp);
		log_info("interface %s listed again: next hop %u uses it", ifp->name, nh_id);
	}
}

bool nh_names_iface(const struct fwd *f, const char *ifname)
{
	const struct nh_table *t = f->nhs;

	for (uint32_t i = 0; i < t->n_buckets; i++)
		for (const struct nexthop *nh = t->buckets[i]; nh != NULL; nh = nh->hnext)
			if (nh->present && strncmp(nh->ifname, ifname, sizeof(nh->ifname)) == 0)
				return true;
	return false;
}

int nh_set(struct fwd *f, const struct ipc_nexthop *m, bool is_static)
{
	struct nexthop *nh;
	char was[IPC_IFNAME_MAX] = "";

	if (m->nh_id == 0 || m->type < IPC_NH_CONNECTED || m->type > IPC_NH_DROP) {
		log_warnx("next hop %u: bad id or type %u", m->nh_id, m->type);
		return -EINVAL;
	}
	if ((nh = nh_find(f, m->nh_id)) == NULL && (nh = nh_create(f, m->nh_id)) == NULL)
		return -ENOMEM;
	if (nh->present)
		memcpy(was, nh->ifname, sizeof(was));
	if (!nh_same(nh, m))
		nh_new_meaning(f, nh);
	nh->type = m->type;
	nh->gateway = m->gateway;
	nh->out_label = m->out_label;
	memset(nh->ifname, 0, sizeof(nh->ifname));
	/*
	 * All 16 bytes without a NUL is no Linux name (IFNAMSIZ): cut to 15 it
	 * would be another link's. It names none: its packets go nowhere.
	 */
	if (strnlen(m->ifname, sizeof(m->ifname)) == sizeof(m->ifname))
		log_warnx("next hop %u: interface name \"%.*s\" is too long: it names no interface",
			  m->nh_id, (int)sizeof(m->ifname), m->ifname);
	else
		memcpy(nh->ifname, m->ifname, strnlen(m->ifname, sizeof(m->ifname)));
	nh->ifp = NULL; /* the name may have changed: resolve again on next use */
	nh->adj_ifp = NULL;
	nh->present = true;
	nh->is_static = is_static;
	nh->gen = f->gen;
	if (strcmp(was, nh->ifname) != 0) {
		if_released(f, was);
		if_named(f, nh->ifname, nh->id);
	}
	nh_publish(f, nh);
	return 0;
}

void nh_del(struct fwd *f, uint32_t id)
{
	struct nexthop *nh = nh_find(f, id);

	if (nh == NULL)
		return;
	nh_new_meaning(f, nh);
	nh->present = false;
	nh->type = 0;
	nh->ifp = NULL;
	nh->adj_ifp = NULL;
	if_released(f, nh->ifname);
	if (nh->refs == 0)
		nh_destroy(f, nh);
	else
		nh_publish(f, nh);
}

struct nexthop *nh_ref(struct fwd *f, uint32_t id)
{
	struct nexthop *nh = nh_find(f, id);

	if (nh == NULL && (nh = nh_create(f, id)) == NULL)
		return NULL;
	nh->refs++;
	return nh;
}

void nh_unref(struct fwd *f, struct nexthop *nh)
{
	if (nh == NULL)
		return;
	if (--nh->refs == 0 && !nh->present)
		nh_destroy(f, nh);
}

struct fwd_iface *nh_iface(struct fwd *f, struct nexthop *nh)
{
	if (nh->ifp == NULL && nh->ifname[0] != '\0' &&
	    (nh->ifp = fwd_iface_find(f, nh->ifname)) != NULL)
		nh_publish(f, nh);
	return nh->ifp != NULL && nh->ifp->active ? nh->ifp : NULL;
}

void nh_adj_learn(struct fwd *f, struct nexthop *nh, struct fwd_iface *out)
{
	const struct arp_entry *e = arp_find(out, nh->gateway);

	if (e == NULL || e->state != ARP_REACHABLE)
		return;
	memcpy(nh->adj_mac, e->mac, FWD_ETH_ALEN);
	nh->adj_gen = out->arp_gen;
	nh->adj_ifp = out;
	nh_publish(f, nh);
}

void nh_sweep(struct fwd *f, uint32_t gen)
{
	struct nh_table *t = f->nhs;

	for (uint32_t i = 0; i < t->n_buckets; i++) {
		struct nexthop *nh = t->buckets[i], *next;

		for (; nh != NULL; nh = next) {
			next = nh->hnext;
			if (nh->present && !nh->is_static && nh->gen != gen)
				nh_del(f, nh->id);
		}
	}
}

const char *nh_type_name(uint32_t type)
{
	static const char *const names[] = {
		[IPC_NH_CONNECTED] = "connected", [IPC_NH_GATEWAY] = "gateway",
		[IPC_NH_LABELED] = "labeled",     [IPC_NH_LOCAL] = "local",
		[IPC_NH_DROP] = "drop",
	};

	return type >= IPC_NH_CONNECTED && type <= IPC_NH_DROP ? names[type] : "unresolved";
}
