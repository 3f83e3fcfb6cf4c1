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
	struct lfib *l = calloc(1, sizeof(struct lfib));

	/* calloc of this size maps fresh pages: only the VRF ids in use are backed */
	if (l != NULL && (l->pop_head = calloc(FIB_VRF_ID_MAX + 1, sizeof(*l->pop_head))) == NULL) {
		free(l);
		return NULL;
	}
	return l;
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
	free(l->pop_head);
	free(l->pop_next);
	free(l);
}

/* A larger copy of the array, published; the old one retired. */
static int lfib_grow(struct fwd *f, struct lfib *l, uint32_t label)
{
	struct lfib_tab *old = tab_of(l), *t;
	uint32_t cap = old != NULL ? old->cap : 1024, *next;

	while (cap <= label)
		cap *= 2;
	if (cap > MPLS_LABEL_MAX + 1)
		cap = MPLS_LABEL_MAX + 1;
	/*
	 * Not cleared: a link is only read for a label on a list, and written
	 * when the label joins one, so the new slots stay untouched (4 MB at
	 * the top of the label range) as the table's do.
	 */
	if ((next = realloc(l->pop_next, cap * sizeof(*next))) == NULL)
		return -ENOMEM;
	l->pop_next = next;
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

/* e's label on (or off) the list of the VRF e pops into, if it is a per-VRF label's. */
static bool pops_listed(const struct lfib_entry *e)
{
	return e->action == IPC_LFIB_POP_LOOKUP && e->vrf_id <= FIB_VRF_ID_MAX;
}

static void pops_join(struct lfib *l, const struct lfib_entry *e)
{
	if (!pops_listed(e))
		return;
	l->pop_next[e->in_label] = l->pop_head[e->vrf_id];
	l->pop_head[e->vrf_id] = e->in_label;
}

static void pops_leave(struct lfib *l, const struct lfib_entry *e)
{
	uint32_t *at;

	if (!pops_listed(e))
		return;
	at = &l->pop_head[e->vrf_id];
	while (*at != 0 && *at != e->in_label)
		at = &l->pop_next[*at];
	if (*at != 0)
		*at = l->pop_next[e->in_label];
	l->pop_next[e->in_label] = 0;
}

/*
 * old's meaning ends (another replaces it, or it is deleted) with its
 * label's lookups at lookups_now: those made since it began stay the VRF's
 * it popped into, in the control thread's set (ctr.h).
 */
static void lookups_fold(struct fwd *f, const struct lfib_entry *old, uint64_t lookups_now)
{
	if (old->action == IPC_LFIB_POP_LOOKUP)
		fwd_ctr_add(&fwd_vrf_ctr(f->ctrs[0], old->vrf_id)->lookups_from_core,
			    lookups_now - old->base_lookups);
}

/*
 * Where n's counters start: where old's did when n means the same (a
 * replay refreshing the entry, or an unchanged re-add), else now, and
 * old's lookups are folded into its VRF at that same reading.
 */
static void entry_base(struct fwd *f, struct lfib_entry *n, const struct lfib_entry *old)
{
	struct fwd_label_ctr now;

	if (old != NULL && old->action == n->action && old->vrf_id == n->vrf_id &&
	    old->out_label == n->out_label && old->nh == n->nh) {
		n->base_packets = old->base_packets;
		n->base_bytes = old->base_bytes;
		n->base_lookups = old->base_lookups;
		return;
	}
	fwd_label_sum(f, n->in_label, &now);
	if (old != NULL)
		lookups_fold(f, old, now.lookups);
	n->base_packets = now.packets;
	n->base_bytes = now.bytes;
	n->base_lookups = now.lookups;
}

uint64_t lfib_vrf_lookups(const struct fwd *f, uint32_t vrf_id)
{
	const struct lfib *l = f->lfib;
	uint64_t n = 0;

	if (vrf_id > FIB_VRF_ID_MAX)
		return 0;
	for (uint32_t label = l->pop_head[vrf_id]; label != 0; label = l->pop_next[label]) {
		struct fwd_label_ctr now;

		fwd_label_sum(f, label, &now);
		n += now.lookups - entry_at(tab_of(l), label)->base_lookups;
	}
	return n;
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
	struct lfib_entry *n, *old;

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
	old = entry_at(tab_of(l), e->in_label);
	entry_base(f, n, old);
	if (old == NULL)
		l->count++;
	else
		pops_leave(l, old);
	pops_join(l, n);
	entry_publish(f, tab_of(l), e->in_label, n);
	return 0;
}

int lfib_del(struct fwd *f, uint32_t in_label)
{
	struct lfib *l = f->lfib;
	struct lfib_tab *t = tab_of(l);
	struct fwd_label_ctr now;

	if (t == NULL || in_label >= t->cap || entry_at(t, in_label) == NULL)
		return -ENOENT;
	fwd_label_sum(f, in_label, &now);
	lookups_fold(f, entry_at(t, in_label), now.lookups);
	pops_leave(l, entry_at(t, in_label));
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
