/*
 * VRFs and FIB routes on top of lpm.c. VRFs sit in an array indexed by id
 * (vrfmgr numbers them 1..n in config order) so the per-packet VRF lookup is
 * one load. Routes are interned results (next hop, inner label) in the LPM:
 * a result is reference-counted by the routes using it and holds one
 * reference on its next hop. A result no route uses is retired only once
 * the tables without it are published (fib_commit), and its id reused only
 * after an RCU grace period from then, since a worker may have just read it
 * from a lookup table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/label.h"
#include "common/log.h"
#include "common/prefix.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/fib_core.h"
#include "fwd/lpm.h"
#include "fwd/nexthop.h"
#include "fwd/rcu.h"

#define GEN_TAG(g) ((uint16_t)(g))

int fib_init(struct fwd *f)
{
	struct fib_results *r = calloc(1, sizeof(*r));

	/*
	 * Full-size arrays (pages are only touched as ids are used), so they never
	 * move under a reader. A zero root word means "no such VRF". fib_dirty
	 * too: a VRF with changes can always be listed for the next commit.
	 */
	f->vrfs = calloc(FIB_VRF_ID_MAX + 1, sizeof(*f->vrfs));
	f->vrf_roots = calloc(FIB_VRF_ID_MAX + 1, sizeof(*f->vrf_roots));
	f->vrf_core_roots = calloc(FIB_VRF_ID_MAX + 1, sizeof(*f->vrf_core_roots));
	f->fib_dirty = calloc(FIB_VRF_ID_MAX + 1, sizeof(*f->fib_dirty));
	if (r == NULL || f->vrfs == NULL || f->vrf_roots == NULL || f->vrf_core_roots == NULL ||
	    f->fib_dirty == NULL ||
	    (r->hash = calloc(1024, sizeof(*r->hash))) == NULL) {
		free(r);
		return -ENOMEM;
	}
	r->hash_size = 1024;
	f->res = r;
	return 0;
}

/* ---- interned results ---- */

static struct fib_result *res_at(struct fib_results *r, uint32_t id)
{
	return &r->chunk[id >> FIB_RES_CHUNK_BITS][id & (FIB_RES_CHUNK - 1)];
}

static struct fib_result_ctl *ctl_at(struct fib_results *r, uint32_t id)
{
	return &r->ctl[id >> FIB_RES_CHUNK_BITS][id & (FIB_RES_CHUNK - 1)];
}

static uint32_t res_hash(const struct nexthop *nh, uint32_t label, uint32_t size)
{
	uint64_t h = ((uint64_t)(uintptr_t)nh >> 4) * 0x9E3779B97F4A7C15ULL ^ label * 2654435761u;

	return (uint32_t)(h ^ h >> 29) & (size - 1);
}

/* The hash with size buckets (a power of two); on ENOMEM it stays as it is. */
static void res_rehash(struct fib_results *r, uint32_t size)
{
	uint32_t *h = calloc(size, sizeof(*h));

	if (h == NULL)
		return; /* chains just get longer */
	for (uint32_t i = 0; i < r->hash_size; i++) {
		for (uint32_t id = r->hash[i], next; id != 0; id = next) {
			struct fib_result *x = res_at(r, id);
			uint32_t b = res_hash(x->nh, x->inner_label, size);

			next = ctl_at(r, id)->next;
			ctl_at(r, id)->next = h[b];
			h[b] = id;
		}
	}
	free(r->hash);
	r->hash = h;
	r->hash_size = size;
}

/* The first chunk slot with no chunk (fib_res_shrink leaves holes); n_chunks if none. */
static uint32_t res_empty_slot(const struct fib_results *r)
{
	uint32_t c = 0;

	while (c < r->n_chunks && r->chunk[c] != NULL)
		c++;
	return c;
}

/* A free id: from the free list, else from a new chunk (id 0 is never used). */
static uint32_t res_alloc_id(struct fib_results *r)
{
	uint32_t id = r->free_head, c;

	if (id != 0) {
		r->free_head = ctl_at(r, id)->next;
		return id;
	}
	if ((c = res_empty_slot(r)) == FIB_RES_CHUNKS_MAX)
		return 0;
	if ((r->chunk[c] = calloc(FIB_RES_CHUNK, sizeof(struct fib_result))) == NULL)
		return 0;
	if ((r->ctl[c] = calloc(FIB_RES_CHUNK, sizeof(struct fib_result_ctl))) == NULL) {
		free(r->chunk[c]);
		r->chunk[c] = NULL;
		return 0;
	}
	if (c == r->n_chunks)
		r->n_chunks++;
	id = c << FIB_RES_CHUNK_BITS;
	/* ids id+1 .. id+CHUNK-1 onto the free list (id 0 of chunk 0 stays unused) */
	for (uint32_t i = FIB_RES_CHUNK - 1; i >= 1; i--) {
		ctl_at(r, id + i)->next = r->free_head;
		r->free_head = id + i;
	}
	if (id == 0)
		return res_alloc_id(r);
	return id;
}

/* The id of (nh_id, label) with one more reference; 0 on ENOMEM. */
static uint32_t res_get(struct fwd *f, uint32_t nh_id, uint32_t label)
{
	struct fib_results *r = f->res;
	struct nexthop *nh = nh_find(f, nh_id);
	struct fib_result *x;
	uint32_t b, id;

	f->table_changes++;
	if (nh != NULL) {
		b = res_hash(nh, label, r->hash_size);
		for (id = r->hash[b]; id != 0; id = ctl_at(r, id)->next) {
			x = res_at(r, id);
			if (x->nh == nh && x->inner_label == label) {
				ctl_at(r, id)->refs++;
				return id;
			}
		}
	}
	if ((id = res_alloc_id(r)) == 0)
		return 0;
	if ((nh = nh_ref(f, nh_id)) == NULL) {
		ctl_at(r, id)->next = r->free_head;
		r->free_head = id;
		return 0;
	}
	x = res_at(r, id);
	b = res_hash(nh, label, r->hash_size);
	*x = (struct fib_result){ .nh = nh, .inner_label = label };
	*ctl_at(r, id) = (struct fib_result_ctl){ .refs = 1, .next = r->hash[b] };
	r->hash[b] = id;
	if (++r->count > r->hash_size)
		res_rehash(r, r->hash_size * 2);
	return id;
}

/* After the grace period: nobody can read result id any more. */
static void res_reclaim(void *p, void *ctx)
{
	struct fwd *f = ctx;
	uint32_t id = (uint32_t)(uintptr_t)p;
	struct fib_result *x = res_at(f->res, id);

	nh_unref(f, x->nh);
	*x = (struct fib_result){ 0 };
	*ctl_at(f->res, id) = (struct fib_result_ctl){ .next = f->res->free_head };
	f->res->free_head = id;
}

static void res_put(struct fwd *f, uint32_t id)
{
	struct fib_results *r = f->res;
	struct fib_result *x = res_at(r, id);
	uint32_t *pp;

	f->table_changes++;
	if (--ctl_at(r, id)->refs > 0)
		return;
	pp = &r->hash[res_hash(x->nh, x->inner_label, r->hash_size)];
	while (*pp != id)
		pp = &ctl_at(r, *pp)->next;
	*pp = ctl_at(r, id)->next;
	r->count--;
	ctl_at(r, id)->next = r->dead_head; /* retired by fib_commit, after publishing */
	r->dead_head = id;
}

/* The results of dead_head to RCU: no published table names them any more. */
static void res_retire_dead(struct fwd *f)
{
	struct fib_results *r = f->res;

	while (r->dead_head != 0) {
		uint32_t id = r->dead_head;

		r->dead_head = ctl_at(r, id)->next;
		rcu_retire(f->rcu, res_reclaim, (void *)(uintptr_t)id, f);
	}
}

/* ---- giving results back ---- */

/*
 * A bit per id of r's chunks: set for the ids on the free list (NULL on
 * ENOMEM), and in *n_free how many of them each chunk has.
 */
static uint8_t *res_free_map(struct fib_results *r, uint16_t *n_free)
{
	uint8_t *map = calloc((size_t)r->n_chunks * FIB_RES_CHUNK / 8, 1);

	if (map == NULL)
		return NULL;
	for (uint32_t id = r->free_head; id != 0; id = ctl_at(r, id)->next) {
		map[id / 8] |= (uint8_t)(1u << (id % 8));
		n_free[id >> FIB_RES_CHUNK_BITS]++;
	}
	return map;
}

/* The free list again, of the chunks kept, lowest id first: new results fill them. */
static void res_free_list(struct fib_results *r, const uint8_t *map)
{
	r->free_head = 0;
	for (uint32_t c = r->n_chunks; c-- > 0;) {
		for (uint32_t i = FIB_RES_CHUNK; r->chunk[c] != NULL && i-- > 0;) {
			uint32_t id = c << FIB_RES_CHUNK_BITS | i;

			if (map[id / 8] & (1u << (id % 8))) {
				ctl_at(r, id)->next = r->free_head;
				r->free_head = id;
			}
		}
	}
}

/* The chunks whose every id is free, freed; the free list made again over the others. Bytes freed. */
static size_t res_free_chunks(struct fib_results *r)
{
	uint16_t *n_free = calloc(r->n_chunks, sizeof(*n_free));
	uint8_t *map = n_free != NULL ? res_free_map(r, n_free) : NULL;
	size_t freed = 0;

	for (uint32_t c = 0; map != NULL && c < r->n_chunks; c++) {
		if (r->chunk[c] == NULL || n_free[c] != FIB_RES_CHUNK - (c == 0))
			continue;
		free(r->chunk[c]);
		free(r->ctl[c]);
		r->chunk[c] = NULL;
		r->ctl[c] = NULL;
		freed += FIB_RES_CHUNK * (sizeof(struct fib_result) + sizeof(struct fib_result_ctl));
	}
	if (map != NULL)
		res_free_list(r, map);
	while (r->n_chunks > 0 && r->chunk[r->n_chunks - 1] == NULL)
		r->n_chunks--;
	free(map);
	free(n_free);
	return freed;
}

/*
 * Once most results are gone (under 1/8 of the slots in use), the chunks
 * whose every id is on the free list are freed and the hash shrunk. Not
 * merely unused ids: a result no route uses waits for fib_commit and then a
 * grace period before res_reclaim puts it there, and by then no published
 * table names it and no reader still holds it. Readers reach a chunk only
 * through such ids, so a chunk of free ids is freed at once, no grace
 * period needed; its slot is taken again by the next chunk made
 * (res_alloc_id). The chunks of ids still in use stay: an id is in the
 * lookup tables, so results never move. Control thread. Bytes freed.
 */
size_t fib_res_shrink(struct fwd *f)
{
	struct fib_results *r = f->res;
	uint32_t n_live = 0, was = r->hash_size, to;
	size_t freed = 0;

	for (uint32_t c = 0; c < r->n_chunks; c++)
		n_live += r->chunk[c] != NULL;
	if ((uint64_t)r->count * 8 < (uint64_t)n_live * FIB_RES_CHUNK)
		freed = res_free_chunks(r);
	if ((to = (uint32_t)hash_shrink_size(was, r->count, 1024, 4)) != 0) {
		res_rehash(r, to);
		freed += r->hash_size == to ? (size_t)(was - to) * sizeof(*r->hash) : 0;
	}
	return freed;
}

/* ---- VRFs ---- */

struct fwd_vrf *fib_vrf_get(const struct fwd *f, uint32_t id)
{
	return id <= FIB_VRF_ID_MAX ? f->vrfs[id] : NULL;
}

struct fwd_vrf *fib_vrf_by_name(const struct fwd *f, const char *name)
{
	for (uint32_t i = 0; i < f->vrf_cap; i++)
		if (f->vrfs[i] != NULL && strcmp(f->vrfs[i]->name, name) == 0)
			return f->vrfs[i];
	return NULL;
}

static void vrf_free(struct fwd_vrf *v)
{
	lpm_free(v->lpm);
	lpm_free(v->core);
	free(v->base);
	free(v);
}

static struct fwd_vrf *vrf_new(struct fwd *f, uint32_t id)
{
	struct fwd_vrf *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->id = id;
	v->base = aligned_alloc(64, sizeof(*v->base));
	v->lpm = lpm_new(f->rcu, &f->vrf_roots[id]);
	v->core = lpm_new(f->rcu, &f->vrf_core_roots[id]);
	if (v->base == NULL || v->lpm == NULL || v->core == NULL) {
		vrf_free(v);
		return NULL;
	}
	return v;
}

bool fib_vrf_named(const struct fwd_vrf *v, const char *name)
{
	size_t n = strnlen(name, IPC_NAME_MAX - 1);

	return strncmp(v->name, name, n) == 0 && v->name[n] == '\0';
}

int fib_vrf_add(struct fwd *f, uint32_t id, const char *name)
{
	struct fwd_vrf *v;
	size_t n = strnlen(name, IPC_NAME_MAX - 1);

	if (id == 0 || id > FIB_VRF_ID_MAX) {
		log_warnx("VRF id %u out of range", id);
		return -EINVAL;
	}
	if ((v = f->vrfs[id]) == NULL) {
		if ((v = vrf_new(f, id)) == NULL)
			return -ENOMEM;
		f->vrfs[id] = v;
		if (id >= f->vrf_cap)
			f->vrf_cap = id + 1;
		log_debug("vrf %u added", id);
	} else if (fib_vrf_named(v, name)) {
		v->gen = f->gen; /* a refresh: its counters go on */
		return 0;
	}
	memset(v->name, 0, sizeof(v->name));
	memcpy(v->name, name, n);
	v->gen = f->gen;
	fwd_vrf_sum(f, id, v->base); /* a new VRF (or another under this id): counts start now */
	return 0;
}

void fib_vrf_counters(const struct fwd *f, const struct fwd_vrf *v, struct fwd_vrf_ctr *out)
{
	fwd_vrf_sum(f, v->id, out);
	fwd_vrf_ctr_since(out, v->base);
}

static int release_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	(void)prefix;
	(void)plen;
	(void)tag;
	res_put(ctx, value);
	return 0;
}

/* After the grace period: no worker can be inside this VRF's tables. */
static void vrf_reclaim(void *p, void *ctx)
{
	struct fwd_vrf *v = p;

	(void)ctx;
	vrf_free(v);
}

static void dirty_forget(struct fwd *f, uint32_t id)
{
	for (uint32_t i = 0; i < f->n_fib_dirty; i++)
		if (f->fib_dirty[i] == id)
			f->fib_dirty[i--] = f->fib_dirty[--f->n_fib_dirty];
}

void fib_vrf_del(struct fwd *f, uint32_t id)
{
	struct fwd_vrf *v = fib_vrf_get(f, id);

	if (v == NULL)
		return;
	f->vrfs[id] = NULL;
	atomic_store(&f->vrf_roots[id], 0); /* readers see "no VRF" from now on */
	atomic_store(&f->vrf_core_roots[id], 0);
	atomic_fetch_add_explicit(&f->vrf_epoch, 1, memory_order_release);
	if (v->dirty)
		dirty_forget(f, id);
	fib_core_forget(f, v);
	lpm_walk(v->lpm, release_cb, f);
	rcu_retire(f->rcu, vrf_reclaim, v, NULL);
	log_debug("vrf %u deleted", id);
}

/* ---- routes ---- */

/* fib_dirty has room for every VRF id (fib_init), so a VRF is never left out of it. */
static void mark_dirty(struct fwd *f, struct fwd_vrf *v)
{
	if (v->dirty || (!lpm_dirty(v->lpm) && (v->core == NULL || !lpm_dirty(v->core))))
		return;
	f->fib_dirty[f->n_fib_dirty++] = v->id;
	v->dirty = true;
}

int fib_add(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen, uint32_t nh_id,
	    uint32_t inner_label)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf_id);
	uint32_t id, old;

	if (v == NULL || plen > 32 || nh_id == 0) {
		log_warnx("fib add: vrf %u unknown, plen %u or next hop %u invalid", vrf_id, plen,
			  nh_id);
		return -EINVAL;
	}
	prefix &= prefix4_netmask(plen);
	if ((id = res_get(f, nh_id, inner_label)) == 0 ||
	    lpm_add(v->lpm, prefix, plen, id, GEN_TAG(f->gen), &old) < 0) {
		if (id != 0)
			res_put(f, id);
		log_warnx("fib add: out of memory");
		return -ENOMEM;
	}
	if (id != old) /* the same value again (a replay): nothing changed, nothing counted */
		fib_core_set(f, v, prefix, plen, id);
	if (old != 0)
		res_put(f, old);
	mark_dirty(f, v);
	return 0;
}

int fib_del(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf_id);
	uint32_t id;

	if (v == NULL || plen > 32)
		return -ENOENT;
	prefix &= prefix4_netmask(plen);
	if ((id = lpm_delete(v->lpm, prefix, plen)) == 0)
		return -ENOENT;
	fib_core_del(f, v, prefix, plen);
	res_put(f, id);
	mark_dirty(f, v);
	return 0;
}

/*
 * VRFs whose core table waits for a rebuild that may be tried now: published
 * with the rest. The walk ends at the last waiting VRF, not at the id range's.
 */
static void core_retries_due(struct fwd *f)
{
	uint32_t seen = 0;

	for (uint32_t id = 0; seen < f->n_core_waiting && id < f->vrf_cap; id++) {
		struct fwd_vrf *v = f->vrfs[id];

		if (v == NULL || v->core_fails == 0)
			continue;
		seen++;
		if (!v->dirty && fib_core_due(f, v)) {
			f->fib_dirty[f->n_fib_dirty++] = id;
			v->dirty = true;
		}
	}
}

void fib_commit(struct fwd *f)
{
	uint32_t kept = 0;

	core_retries_due(f);
	for (uint32_t i = 0; i < f->n_fib_dirty; i++) {
		struct fwd_vrf *v = f->vrfs[f->fib_dirty[i]];

		/*
		 * both views together: a popped frame between the two commits
		 * gets the old answer or the new one (fib_core.c), and the
		 * results they drop are retired only once both are published
		 */
		fib_core_rebuild(f, v);
		if (lpm_commit(v->lpm) < 0 || (v->core != NULL && lpm_commit(v->core) < 0)) {
			log_warnx("vrf %u: out of memory publishing routes: retried later", v->id);
			f->fib_dirty[kept++] = v->id;
		} else {
			v->dirty = false;
		}
	}
	f->n_fib_dirty = kept;
	if (kept == 0) /* a VRF left unpublished may still name a dead result */
		res_retire_dead(f);
}

void fib_tick(struct fwd *f)
{
	/* the commit finds the VRFs whose wait is over (core_retries_due) */
	if (f->n_core_waiting != 0 || f->n_fib_dirty != 0) /* or what one out of memory left */
		fib_commit(f);
}

/*
 * Pending changes are published first, unless workers run (no_lazy_commit):
 * then only the control thread's own commits publish, and a lookup made by
 * another thread must not commit beside it (two commits free the same
 * nodes).
 */
const struct fib_result *fib_lookup(struct fwd *f, struct fwd_vrf *v, uint32_t addr)
{
	uint32_t id;

	if (v->dirty && !f->no_lazy_commit)
		fib_commit(f);
	id = lpm_lookup(v->lpm, addr);
	return id != 0 ? fib_result_of(f->res, id) : NULL;
}

/* Results are shared by routes with the same next hop and label: match the pointer, longest first. */
int fib_match_len(const struct fwd *f, const struct fwd_vrf *v, uint32_t addr,
		  const struct fib_result *r)
{
	for (int len = 32; len >= 0 && r != NULL; len--) {
		uint32_t id = lpm_get(v->lpm, addr & prefix4_netmask((uint8_t)len), (uint8_t)len, NULL);

		if (id != 0 && fib_result_of(f->res, id) == r)
			return len;
	}
	return -1;
}

size_t fib_count(const struct fwd_vrf *v)
{
	return lpm_count(v->lpm);
}

size_t fib_memory(const struct fwd *f)
{
	size_t n = sizeof(*f->res) + f->res->hash_size * sizeof(uint32_t) +
		   f->vrf_cap * (sizeof(*f->vrfs) + sizeof(*f->vrf_roots) +
				 sizeof(*f->vrf_core_roots));

	for (uint32_t c = 0; c < f->res->n_chunks; c++)
		if (f->res->chunk[c] != NULL)
			n += FIB_RES_CHUNK * sizeof(struct fib_result);

	for (uint32_t id = 0; id < f->vrf_cap; id++)
		if (f->vrfs[id] != NULL)
			n += sizeof(struct fwd_vrf) + lpm_memory(f->vrfs[id]->lpm) +
			     (f->vrfs[id]->core != NULL ? lpm_memory(f->vrfs[id]->core) : 0);
	return n;
}

/* ---- listing and sweeping ---- */

struct collect {
	struct fwd *f;
	const struct fwd_vrf *v;
	struct fib_entry *e;
	size_t n;
};

static int collect_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct collect *c = ctx;
	const struct fib_result *x = fib_result_of(c->f->res, value);

	c->e[c->n++] = (struct fib_entry){ .vrf_id = c->v->id, .prefix = prefix, .plen = plen,
					   .inner_label = x->inner_label, .nh = x->nh,
					   .gen = tag };
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct fib_entry *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

struct fib_entry *fib_entries(struct fwd *f, const struct fwd_vrf *v, size_t *n)
{
	struct collect c = { f, v, NULL, 0 };
	size_t count = lpm_count(v->lpm);

	*n = 0;
	if (count == 0 || (c.e = malloc(count * sizeof(*c.e))) == NULL)
		return NULL;
	lpm_walk(v->lpm, collect_cb, &c);
	qsort(c.e, c.n, sizeof(*c.e), entry_cmp);
	*n = c.n;
	return c.e;
}

static void vrf_sweep(struct fwd *f, struct fwd_vrf *v, uint32_t gen)
{
	size_t n;
	struct fib_entry *all = fib_entries(f, v, &n);

	for (size_t i = 0; i < n; i++)
		if (all[i].gen != GEN_TAG(gen))
			fib_del(f, v->id, all[i].prefix, all[i].plen);
	free(all);
}

size_t fib_sweep_out_of(struct fwd *f, uint32_t vrf_id, const char *ifname, uint32_t gen)
{
	struct fwd_vrf *v = fib_vrf_get(f, vrf_id);
	struct fib_entry *all;
	size_t n, dropped = 0;

	if (v == NULL)
		return 0;
	all = fib_entries(f, v, &n);
	for (size_t i = 0; i < n; i++)
		if (all[i].gen != GEN_TAG(gen) && all[i].nh != NULL &&
		    strncmp(all[i].nh->ifname, ifname, sizeof(all[i].nh->ifname)) == 0 &&
		    fib_del(f, vrf_id, all[i].prefix, all[i].plen) == 0)
			dropped++;
	free(all);
	return dropped;
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
	if (f->res != NULL)
		res_retire_dead(f);
	rcu_synchronize(f->rcu);
	free(f->vrfs);
	free(f->vrf_roots);
	f->vrf_roots = NULL;
	free(f->vrf_core_roots);
	f->vrf_core_roots = NULL;
	f->vrfs = NULL;
	f->vrf_cap = 0;
	free(f->fib_dirty);
	f->fib_dirty = NULL;
	f->n_fib_dirty = 0;
	if (f->res != NULL) {
		for (uint32_t i = 0; i < f->res->n_chunks; i++) {
			free(f->res->chunk[i]);
			free(f->res->ctl[i]);
		}
		free(f->res->hash);
		free(f->res);
		f->res = NULL;
	}
}
