/*
 * Per-VRF and per-label counters: each thread's set (see ctr.h) and the
 * sums the API reads. A set is two anonymous mappings over the whole VRF
 * id and label range (4 MB and 32 MB of address space): pages are only
 * backed once a VRF id or label is counted (a 4 KB page holds 128
 * labels), so a PE using a few hundred labels pays a few pages per thread,
 * and the arrays never have to grow while workers write into them. Sets
 * live as long as fwd: a worker that stops leaves its counts behind, one
 * that starts again continues them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/label.h"
#include "common/log.h"
#include "fwd/ctr.h"
#include "fwd/lfib.h"

#define VRF_BYTES ((size_t)(FIB_VRF_ID_MAX + 1) * sizeof(struct fwd_vrf_ctr))
#define LABEL_BYTES ((size_t)(MPLS_LABEL_MAX + 1) * sizeof(struct fwd_label_ctr))

static void *zero_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void set_free(struct fwd_ctrs *c)
{
	if (c == NULL)
		return;
	if (c->vrf != NULL)
		munmap(c->vrf, VRF_BYTES);
	if (c->label != NULL)
		munmap(c->label, LABEL_BYTES);
	free(c);
}

struct fwd_ctrs *fwd_ctrs_get(struct fwd *f, unsigned slot)
{
	struct fwd_ctrs *c;

	if (slot > FWD_WORKERS_MAX)
		return NULL;
	if (f->ctrs[slot] != NULL)
		return f->ctrs[slot];
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->vrf = zero_map(VRF_BYTES)) == NULL ||
	    (c->label = zero_map(LABEL_BYTES)) == NULL) {
		log_warnx("counters for thread slot %u: cannot map %zu MB", slot,
			  (VRF_BYTES + LABEL_BYTES) >> 20);
		set_free(c);
		return NULL;
	}
	f->ctrs[slot] = c;
	return c;
}

int fwd_ctrs_init(struct fwd *f)
{
	/* calloc of this size maps fresh pages: only the ids in use are backed */
	f->vrf_links = calloc(FIB_VRF_ID_MAX + 1, sizeof(*f->vrf_links));
	if (f->vrf_links == NULL || fwd_ctrs_get(f, 0) == NULL)
		return -ENOMEM;
	return 0;
}

void fwd_ctrs_free(struct fwd *f)
{
	free(f->vrf_links);
	f->vrf_links = NULL;
	for (unsigned i = 0; i <= FWD_WORKERS_MAX; i++) {
		set_free(f->ctrs[i]);
		f->ctrs[i] = NULL;
	}
}

static uint64_t load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void fwd_label_sum(const struct fwd *f, uint32_t label, struct fwd_label_ctr *out)
{
	*out = (struct fwd_label_ctr){ 0 };
	if (label > MPLS_LABEL_MAX)
		return;
	for (unsigned i = 0; i <= FWD_WORKERS_MAX; i++) {
		const struct fwd_ctrs *c = f->ctrs[i];

		if (c == NULL)
			continue;
		out->packets += load(&c->label[label].packets);
		out->bytes += load(&c->label[label].bytes);
		out->lookups += load(&c->label[label].lookups);
	}
}

/* The counter fields of a VRF line (spare excluded). */
static const size_t vrf_off[] = {
	offsetof(struct fwd_vrf_ctr, from_ce_packets),	 offsetof(struct fwd_vrf_ctr, from_ce_bytes),
	offsetof(struct fwd_vrf_ctr, to_ce_packets),	 offsetof(struct fwd_vrf_ctr, to_ce_bytes),
	offsetof(struct fwd_vrf_ctr, lookups_from_ce), offsetof(struct fwd_vrf_ctr, lookups_from_core),
	offsetof(struct fwd_vrf_ctr, no_route),
};
#define VRF_FIELDS (sizeof(vrf_off) / sizeof(vrf_off[0]))

static uint64_t *vrf_field(struct fwd_vrf_ctr *v, unsigned i)
{
	return (uint64_t *)((char *)v + vrf_off[i]);
}

static uint64_t vrf_get(const struct fwd_vrf_ctr *v, unsigned i)
{
	return load((const uint64_t *)((const char *)v + vrf_off[i]));
}

/*
 * What ifp has sent but ARP, so far: its counts (the control thread's and
 * the workers' as last folded) and what the workers counted since.
 */
static void if_data_tx(const struct fwd *f, const struct fwd_iface *ifp, uint64_t *packets,
		       uint64_t *bytes)
{
	*packets = ifp->tx_packets - ifp->wsum.tx_packets - ifp->tx_arp_packets;
	*bytes = ifp->tx_bytes - ifp->wsum.tx_bytes - ifp->tx_arp_bytes;
	for (unsigned t = 0; t < f->n_threads; t++) {
		const struct fwd_if_ctr *c = &ifp->wctr[f->threads[t]->id].c;

		*packets += load(&c->tx_packets);
		*bytes += load(&c->tx_bytes);
	}
}

/* On its VRF's list: a bound attachment link (apply.c joins it just before it is bound). */
static bool in_vrf(const struct fwd_iface *ifp)
{
	return ifp->role == FWD_IF_ACCESS && ifp->active && ifp->vrf_id <= FIB_VRF_ID_MAX;
}

void fwd_if_vrf_join(struct fwd *f, struct fwd_iface *ifp, uint32_t vrf_id)
{
	ifp->vrf_id = vrf_id;
	if (vrf_id > FIB_VRF_ID_MAX)
		return;
	if_data_tx(f, ifp, &ifp->ce_base_packets, &ifp->ce_base_bytes);
	ifp->vrf_next = f->vrf_links[vrf_id];
	f->vrf_links[vrf_id] = ifp;
}

static void links_remove(struct fwd *f, struct fwd_iface *ifp)
{
	struct fwd_iface **pp = &f->vrf_links[ifp->vrf_id];

	while (*pp != NULL && *pp != ifp)
		pp = &(*pp)->vrf_next;
	if (*pp != NULL)
		*pp = ifp->vrf_next;
	ifp->vrf_next = NULL;
}

void fwd_if_vrf_leave(struct fwd *f, struct fwd_iface *ifp)
{
	struct fwd_vrf_ctr *c;
	uint64_t packets, bytes;

	if (!in_vrf(ifp))
		return;
	links_remove(f, ifp);
	if_data_tx(f, ifp, &packets, &bytes);
	c = &f->ctrs[0]->vrf[ifp->vrf_id];
	fwd_ctr_add(&c->to_ce_packets, packets - ifp->ce_base_packets);
	fwd_ctr_add(&c->to_ce_bytes, bytes - ifp->ce_base_bytes);
}

void fwd_vrf_sum(const struct fwd *f, uint32_t vrf_id, struct fwd_vrf_ctr *out)
{
	*out = (struct fwd_vrf_ctr){ 0 };
	if (vrf_id > FIB_VRF_ID_MAX)
		return;
	for (unsigned i = 0; i <= FWD_WORKERS_MAX; i++) {
		const struct fwd_ctrs *c = f->ctrs[i];

		if (c == NULL)
			continue;
		for (unsigned k = 0; k < VRF_FIELDS; k++)
			*vrf_field(out, k) += vrf_get(&c->vrf[vrf_id], k);
	}
	for (const struct fwd_iface *ifp = f->vrf_links[vrf_id]; ifp != NULL; ifp = ifp->vrf_next) {
		uint64_t packets, bytes;

		if_data_tx(f, ifp, &packets, &bytes);
		out->to_ce_packets += packets - ifp->ce_base_packets;
		out->to_ce_bytes += bytes - ifp->ce_base_bytes;
	}
	out->lookups_from_core += lfib_vrf_lookups(f, vrf_id);
}

void fwd_vrf_ctr_since(struct fwd_vrf_ctr *a, const struct fwd_vrf_ctr *base)
{
	for (unsigned k = 0; k < VRF_FIELDS; k++)
		*vrf_field(a, k) -= vrf_get(base, k);
}
