/*
 * LFIB storage: a pointer array indexed by the incoming label. Labels in use
 * are small in practice (static LSPs, a per-PE dynamic range), and the array
 * only grows up to the largest label installed, at most 2^20 pointers.
 * Changes are published for lock-free readers (see lfib.h): entries and
 * arrays are replaced, never edited, and what is replaced goes through
 * rcu_retire (freed at once while no worker thread is registered).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipc.h"
#include "common/label.h"
#include "common/log.h"
#include "fwd/ctr.h"
#include "fwd/lfib.h"
#include "fwd/nexthop.h"
#include "fwd/rcu.h"

struct lfib *lfib_new(void)
{
	return calloc(1, sizeof(struct lfib));
}

static void entry_free(struct fwd *f, struct lfib_entry *e)
{
	nh_unref(f, e->nh);
	free(e);
}

/* After the grace period: the entry, and its reference on the next hop. */
static void entry_reclaim(void *p, void *ctx)
{
	entry_free(ctx, p);
}

static void tab_reclaim(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

static struct lfib_tab *tab_of(const struct lfib *l)
{
	return atomic_load_explicit(&l->tab, memory_order_relaxed); /* the control thread's own */
}

static struct lfib_entry *entry_at(const struct lfib_tab *t, uint32_t label)
{
	return atomic_load_explicit(&t->e[label], memory_order_relaxed);
}

void lfib_free(struct fwd *f, struct lfib *l)
{
	struct lfib_tab *t = tab_of(l);

	for (uint32_t i = 0; t != NULL && i < t->cap; i++)
		if (entry_at(t, i) != NULL)
			entry_free(f, entry_at(t, i));
	free(t);
	free(l);
}

/* A larger copy of the array, published; the old one retired. */
static int lfib_grow(struct fwd *f, struct lfib *l, uint32_t label)
{
	struct lfib_tab *old = tab_of(l), *t;
	uint32_t cap = old != NULL ? old->cap : 1024;

	while (cap <= label)
		cap *= 2;
	if (cap > MPLS_LABEL_MAX + 1)
		cap = MPLS_LABEL_MAX + 1;
	if ((t = calloc(1, sizeof(*t) + cap * sizeof(t->e[0]))) == NULL)
		return -ENOMEM;
	t->cap = cap;
	for (uint32_t i = 0; old != NULL && i < old->cap; i++)
		atomic_init(&t->e[i], entry_at(old, i));
	atomic_store_explicit(&l->tab, t, memory_order_release);
	if (old != NULL)
		rcu_retire(f->rcu, tab_reclaim, old, NULL);
	return 0;
}

/* Puts n (or NULL) at label; the entry it replaces is retired. */
static void entry_publish(struct fwd *f, struct lfib_tab *t, uint32_t label, struct lfib_entry *n)
{
	struct lfib_entry *old = entry_at(t, label);

	atomic_store_explicit(&t->e[label], n, memory_order_release);
	if (old != NULL)
		rcu_retire(f->rcu, entry_reclaim, old, f);
}

static bool entry_valid(const struct lfib_entry *e, uint32_t nh_id)
{
	if (e->in_label > MPLS_LABEL_MAX || e->in_label < MPLS_LABEL_FIRST_UNRESERVED)
		return false;
	switch (e->action) {
	case IPC_LFIB_POP_LOOKUP:
		return e->vrf_id != 0;
	case IPC_LFIB_POP_FORWARD:
		return nh_id != 0;
	case IPC_LFIB_SWAP:
		return nh_id != 0 && mpls_label_valid(e->out_label) &&
		       (e->out_label >= MPLS_LABEL_FIRST_UNRESERVED ||
			e->out_label == MPLS_LABEL_IMPLICIT_NULL ||
			e->out_label == MPLS_LABEL_IPV4_EXPLICIT_NULL);
	default:
		return false;
	}
}

/*
 * Where n's counters start: where old's did when n means the same (a
 * replay refreshing the entry, or an unchanged re-add), else now.
 */
static void entry_base(const struct fwd *f, struct lfib_entry *n, const struct lfib_entry *old)
{
	struct fwd_label_ctr now;

	if (old != NULL && old->action == n->action && old->vrf_id == n->vrf_id &&
	    old->out_label == n->out_label && old->nh == n->nh) {
		n->base_packets = old->base_packets;
		n->base_bytes = old->base_bytes;
		return;
	}
	fwd_label_sum(f, n->in_label, &now);
	n->base_packets = now.packets;
	n->base_bytes = now.bytes;
}

void lfib_entry_counters(const struct fwd *f, const struct lfib_entry *e, uint64_t *packets,
			 uint64_t *bytes)
{
	struct fwd_label_ctr now;

	fwd_label_sum(f, e->in_label, &now);
	*packets = now.packets - e->base_packets;
	*bytes = now.bytes - e->base_bytes;
}

int lfib_set(struct fwd *f, const struct lfib_entry *e, uint32_t nh_id)
{
	struct lfib *l = f->lfib;
	struct lfib_entry *n;

	if (!entry_valid(e, nh_id)) {
		log_warnx("lfib: invalid entry for label %u (action %u, next hop %u, out %u)",
			  e->in_label, e->action, nh_id, e->out_label);
		return -EINVAL;
	}
	if ((tab_of(l) == NULL || e->in_label >= tab_of(l)->cap) &&
	    lfib_grow(f, l, e->in_label) < 0)
		return -ENOMEM;
	if ((n = malloc(sizeof(*n))) == NULL)
		return -ENOMEM;
	*n = *e;
	n->nh = NULL;
	n->gen = f->gen;
	if (e->action != IPC_LFIB_POP_LOOKUP && (n->nh = nh_ref(f, nh_id)) == NULL) {
		free(n);
		return -ENOMEM;
	}
	entry_base(f, n, entry_at(tab_of(l), e->in_label));
	if (entry_at(tab_of(l), e->in_label) == NULL)
		l->count++;
	entry_publish(f, tab_of(l), e->in_label, n);
	return 0;
}

int lfib_del(struct fwd *f, uint32_t in_label)
{
	struct lfib *l = f->lfib;
	struct lfib_tab *t = tab_of(l);

	if (t == NULL || in_label >= t->cap || entry_at(t, in_label) == NULL)
		return -ENOENT;
	entry_publish(f, t, in_label, NULL);
	l->count--;
	return 0;
}

void lfib_foreach(const struct fwd *f, void (*cb)(const struct lfib_entry *e, void *ctx), void *ctx)
{
	const struct lfib_tab *t = tab_of(f->lfib);

	for (uint32_t i = 0; t != NULL && i < t->cap; i++)
		if (entry_at(t, i) != NULL)
			cb(entry_at(t, i), ctx);
}

size_t lfib_count(const struct fwd *f)
{
	return f->lfib->count;
}

void lfib_sweep(struct fwd *f, uint32_t gen)
{
	const struct lfib_tab *t = tab_of(f->lfib);

	for (uint32_t i = 0; t != NULL && i < t->cap; i++) {
		const struct lfib_entry *e = entry_at(t, i);

		if (e != NULL && !e->is_static && e->gen != gen)
			lfib_del(f, i);
	}
}

size_t lfib_sweep_out_of(struct fwd *f, const char *ifname, uint32_t gen)
{
	const struct lfib_tab *t = tab_of(f->lfib);
	size_t n = 0;

	for (uint32_t i = 0; t != NULL && i < t->cap; i++) {
		const struct lfib_entry *e = entry_at(t, i);

		if (e != NULL && !e->is_static && e->action == IPC_LFIB_POP_FORWARD &&
		    e->gen != gen && e->nh != NULL &&
		    strncmp(e->nh->ifname, ifname, sizeof(e->nh->ifname)) == 0 && lfib_del(f, i) == 0)
			n++;
	}
	return n;
}

size_t lfib_del_vrf(struct fwd *f, uint32_t vrf_id)
{
	const struct lfib_tab *t = tab_of(f->lfib);
	size_t n = 0;

	for (uint32_t i = 0; t != NULL && i < t->cap; i++) {
		const struct lfib_entry *e = entry_at(t, i);

		if (e != NULL && !e->is_static && e->action == IPC_LFIB_POP_LOOKUP &&
		    e->vrf_id == vrf_id && lfib_del(f, i) == 0)
			n++;
	}
	return n;
}

const char *lfib_action_name(const struct lfib_entry *e)
{
	switch (e->action) {
	case IPC_LFIB_POP_LOOKUP:
		return "pop_lookup";
	case IPC_LFIB_POP_FORWARD:
		return "pop_forward";
	case IPC_LFIB_SWAP:
		return e->out_label == MPLS_LABEL_IMPLICIT_NULL ? "pop" : "swap";
	default:
		return "unknown";
	}
}
