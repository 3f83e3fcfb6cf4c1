/*
 * VRFs and FIB entries on top of lpm.c. VRFs sit in an array indexed by id
 * (vrfmgr numbers them 1..n in config order) so the per-packet VRF lookup is
 * one load. A FIB entry holds a counted reference to its next hop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "common/prefix.h"
#include "fwd/fib.h"
#include "fwd/lpm.h"
#include "fwd/nexthop.h"

struct fwd_vrf *fib_vrf_get(const struct fwd *f, uint32_t id)
{
	return id < f->vrf_cap ? f->vrfs[id] : NULL;
}

struct fwd_vrf *fib_vrf_by_name(const struct fwd *f, const char *name)
{
	for (uint32_t i = 0; i < f->vrf_cap; i++)
		if (f->vrfs[i] != NULL && strcmp(f->vrfs[i]->name, name) == 0)
			return f->vrfs[i];
	return NULL;
}

static int vrf_slots(struct fwd *f, uint32_t id)
{
	uint32_t cap = f->vrf_cap ? f->vrf_cap : 16;
	struct fwd_vrf **v;

	while (cap <= id)
		cap *= 2;
	if (cap == f->vrf_cap)
		return 0;
	if ((v = realloc(f->vrfs, cap * sizeof(*v))) == NULL)
		return -ENOMEM;
	memset(v + f->vrf_cap, 0, (cap - f->vrf_cap) * sizeof(*v));
	f->vrfs = v;
	f->vrf_cap = cap;
	return 0;
}

int fib_vrf_add(struct fwd *f, uint32_t id, const char *name)
{
	struct fwd_vrf *v;

	if (id == 0 || id > FIB_VRF_ID_MAX) {
		log_warnx("VRF id %u out of range", id);
		return -EINVAL;
	}
	if (vrf_slots(f, id) < 0)
		return -ENOMEM;
	if ((v = f->vrfs[id]) == NULL) {
		if ((v = calloc(1, sizeof(*v))) == NULL)
			return -ENOMEM;
		if ((v->lpm = lpm_new()) == NULL) {
			free(v);
			return -ENOMEM;
		}
		v->id = id;
		f->vrfs[id] = v;
		log_debug("vrf %u added", id);
	}
	memset(v->name, 0, sizeof(v->name));
	memcpy(v->name, name, strnlen(name, sizeof(v->name) - 1));
	v->gen = f->gen;
	return 0;
}

static void entry_free(void *value, void *ctx)
{
	struct fib_entry *e = value;

	nh_unref(ctx, e->nh);
	free(e);
}

void fib_vrf_del(struct fwd *f, uint32_t id)
{
	struct fwd_vrf *v = fib_vrf_get(f, id);

	if (v == NULL)
		return;
	lpm_free(v->lpm, entry_free, f);
	free(v);
	f->vrfs[id] = NULL;
	log_debug("vrf %u deleted", id);
}

int fib_add(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen, uint32_t nh_id,
	    uint32_t inner_label)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf_id);
	struct fib_entry *e;
	void *old;
	int rc;

	if (v == NULL || plen > 32 || nh_id == 0) {
		log_warnx("fib add: vrf %u unknown, plen %u or next hop %u invalid", vrf_id, plen,
			  nh_id);
		return -EINVAL;
	}
	prefix &= prefix4_netmask(plen);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -ENOMEM;
	*e = (struct fib_entry){ .vrf_id = vrf_id, .prefix = prefix, .plen = plen,
				 .inner_label = inner_label, .gen = f->gen };
	if ((e->nh = nh_ref(f, nh_id)) == NULL || (rc = lpm_add(v->lpm, prefix, plen, e, &old)) < 0) {
		nh_unref(f, e->nh);
		free(e);
		return -ENOMEM;
	}
	if (old != NULL)
		entry_free(old, f);
	return 0;
}

int fib_del(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf_id);
	struct fib_entry *e;

	if (v == NULL || plen > 32)
		return -ENOENT;
	e = lpm_delete(v->lpm, prefix & prefix4_netmask(plen), plen);
	if (e == NULL)
		return -ENOENT;
	entry_free(e, f);
	return 0;
}

const struct fib_entry *fib_lookup(const struct fwd_vrf *v, uint32_t addr)
{
	return lpm_lookup(v->lpm, addr);
}

size_t fib_count(const struct fwd_vrf *v)
{
	return lpm_count(v->lpm);
}

struct collect {
	const struct fib_entry **v;
	size_t n;
};

static int collect_cb(uint32_t prefix, uint8_t plen, void *value, void *ctx)
{
	struct collect *c = ctx;

	(void)prefix;
	(void)plen;
	c->v[c->n++] = value;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct fib_entry *x = *(const struct fib_entry *const *)a;
	const struct fib_entry *y = *(const struct fib_entry *const *)b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

const struct fib_entry **fib_entries(const struct fwd_vrf *v, size_t *n)
{
	struct collect c = { NULL, 0 };
	size_t count = lpm_count(v->lpm);

	*n = 0;
	if (count == 0 || (c.v = malloc(count * sizeof(*c.v))) == NULL)
		return NULL;
	lpm_walk(v->lpm, collect_cb, &c);
	qsort(c.v, c.n, sizeof(*c.v), entry_cmp);
	*n = c.n;
	return c.v;
}

static void vrf_sweep(struct fwd *f, struct fwd_vrf *v, uint32_t gen)
{
	size_t n;
	const struct fib_entry **all = fib_entries(v, &n);

	for (size_t i = 0; i < n; i++)
		if (all[i]->gen != gen)
			fib_del(f, v->id, all[i]->prefix, all[i]->plen);
	free(all);
}

void fib_sweep(struct fwd *f, uint32_t gen)
{
	for (uint32_t id = 0; id < f->vrf_cap; id++) {
		struct fwd_vrf *v = f->vrfs[id];

		if (v == NULL)
			continue;
		if (v->gen != gen)
			fib_vrf_del(f, id);
		else
			vrf_sweep(f, v, gen);
	}
}

void fib_free_all(struct fwd *f)
{
	for (uint32_t id = 0; id < f->vrf_cap; id++)
		fib_vrf_del(f, id);
	free(f->vrfs);
	f->vrfs = NULL;
	f->vrf_cap = 0;
}
