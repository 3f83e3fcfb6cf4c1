/*
 * LFIB storage: a pointer array indexed by the incoming label. Labels in use
 * are small in practice (static LSPs, a per-PE dynamic range), and the array
 * only grows up to the largest label installed, at most 2^20 pointers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipc.h"
#include "common/label.h"
#include "common/log.h"
#include "fwd/lfib.h"
#include "fwd/nexthop.h"

struct lfib *lfib_new(void)
{
	return calloc(1, sizeof(struct lfib));
}

static void entry_free(struct fwd *f, struct lfib_entry *e)
{
	nh_unref(f, e->nh);
	free(e);
}

void lfib_free(struct fwd *f, struct lfib *l)
{
	for (uint32_t i = 0; i < l->cap; i++)
		if (l->tab[i] != NULL)
			entry_free(f, l->tab[i]);
	free(l->tab);
	free(l);
}

static int lfib_grow(struct lfib *l, uint32_t label)
{
	uint32_t cap = l->cap ? l->cap : 1024;
	struct lfib_entry **t;

	while (cap <= label)
		cap *= 2;
	if (cap > MPLS_LABEL_MAX + 1)
		cap = MPLS_LABEL_MAX + 1;
	if ((t = realloc(l->tab, cap * sizeof(*t))) == NULL)
		return -ENOMEM;
	memset(t + l->cap, 0, (cap - l->cap) * sizeof(*t));
	l->tab = t;
	l->cap = cap;
	return 0;
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

int lfib_set(struct fwd *f, const struct lfib_entry *e, uint32_t nh_id)
{
	struct lfib *l = f->lfib;
	struct lfib_entry *n;

	if (!entry_valid(e, nh_id)) {
		log_warnx("lfib: invalid entry for label %u (action %u, next hop %u, out %u)",
			  e->in_label, e->action, nh_id, e->out_label);
		return -EINVAL;
	}
	if (e->in_label >= l->cap && lfib_grow(l, e->in_label) < 0)
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
	if (l->tab[e->in_label] != NULL)
		entry_free(f, l->tab[e->in_label]);
	else
		l->count++;
	l->tab[e->in_label] = n;
	return 0;
}

int lfib_del(struct fwd *f, uint32_t in_label)
{
	struct lfib *l = f->lfib;

	if (in_label >= l->cap || l->tab[in_label] == NULL)
		return -ENOENT;
	entry_free(f, l->tab[in_label]);
	l->tab[in_label] = NULL;
	l->count--;
	return 0;
}

void lfib_foreach(const struct fwd *f, void (*cb)(const struct lfib_entry *e, void *ctx), void *ctx)
{
	const struct lfib *l = f->lfib;

	for (uint32_t i = 0; i < l->cap; i++)
		if (l->tab[i] != NULL)
			cb(l->tab[i], ctx);
}

size_t lfib_count(const struct fwd *f)
{
	return f->lfib->count;
}

void lfib_sweep(struct fwd *f, uint32_t gen)
{
	const struct lfib *l = f->lfib;

	for (uint32_t i = 0; i < l->cap; i++)
		if (l->tab[i] != NULL && !l->tab[i]->is_static && l->tab[i]->gen != gen)
			lfib_del(f, i);
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
