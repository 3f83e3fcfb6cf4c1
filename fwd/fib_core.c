/*
 * Each VRF's core-facing view: a second LPM table that frames popped from
 * the core (a per-VRF label: pop + lookup) look up first. A core link
 * carries every VRF's traffic, so each popped frame looks up in another
 * VRF's tree, mostly from memory; the frames it carries go to the VRF's own
 * sites, and the routes toward them (no inner label: toward a CE) are a
 * fraction of the table (docs/performance.md, issue 5, session 17).
 *
 * The core table holds every local route (unlabeled result), and every
 * route lying inside a route it holds, each with its value: an answer from
 * it is the full table's, and 0 (an address no route of it covers) means
 * "look up in the full table". Why: if the core table's longest match for
 * an address is route E, a longer full-table route covering the address
 * lies inside E, so it is in the core table too and would have matched.
 *
 * Kept so (the invariant: every route inside a core entry is a core entry):
 * a remote route goes in when the core table holds or covers it; a route
 * becoming local goes in and, if it was not in already, brings in every
 * route inside it; a route becoming remote stays (it is inside nothing
 * new); a deleted route leaves. Remote routes a deleted local route brought
 * in stay: each still brings its own answer, and only routes inside it.
 *
 * Out of memory, a VRF's core table is dropped (its root answers 0: every
 * popped frame takes the full lookup) and built again from the full table at
 * the VRF's next commit.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/label.h"
#include "common/log.h"
#include "fwd/fib.h"
#include "fwd/fib_core.h"
#include "fwd/lpm.h"
#include "fwd/rcu.h"

static bool is_local(const struct fwd *f, uint32_t id)
{
	return fib_result_of(f->res, id)->inner_label == MPLS_LABEL_NONE;
}

struct core_ctx {
	const struct fwd *f;
	struct lpm *core;
	uint8_t min_plen; /* only routes longer than this */
};

/* A route inside one the core table just took: into it too. */
static int add_inside_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct core_ctx *c = ctx;

	(void)tag;
	if (plen <= c->min_plen)
		return 0;
	return lpm_add(c->core, prefix, plen, value, 0, NULL) < 0 ? -ENOMEM : 0;
}

/* Route prefix/plen of the full table now has value id. 0 or -ENOMEM. */
static int core_set(struct fwd *f, struct fwd_vrf *v, uint32_t prefix, uint8_t plen, uint32_t id)
{
	struct core_ctx c = { f, v->core, plen };
	uint32_t was;

	if (!is_local(f, id)) {
		if (lpm_cover(v->core, prefix, plen) == 0)
			return 0; /* nothing of the core table at or around it */
		/* the routes inside it are inside its cover: in already */
		return lpm_add(v->core, prefix, plen, id, 0, NULL) < 0 ? -ENOMEM : 0;
	}
	if (lpm_add(v->core, prefix, plen, id, 0, &was) < 0)
		return -ENOMEM;
	if (was != 0)
		return 0; /* in already: so is every route inside it */
	return lpm_walk_within(v->lpm, prefix, plen, add_inside_cb, &c);
}

static void core_reclaim(void *p, void *ctx)
{
	(void)ctx;
	lpm_free(p);
}

/* Out of memory: the core table goes (its root answers 0), rebuilt at the next commit. */
static void core_drop(struct fwd *f, struct fwd_vrf *v)
{
	log_warnx("vrf %u: out of memory in the core-facing table: popped frames take the full "
		  "lookup until it is rebuilt",
		  v->id);
	atomic_store(&f->vrf_core_roots[v->id], (uintptr_t)1); /* a leaf answering 0 */
	rcu_retire(f->rcu, core_reclaim, v->core, NULL);
	v->core = NULL;
}

void fib_core_set(struct fwd *f, struct fwd_vrf *v, uint32_t prefix, uint8_t plen, uint32_t id)
{
	if (v->core != NULL && core_set(f, v, prefix, plen, id) < 0)
		core_drop(f, v);
}

void fib_core_del(struct fwd_vrf *v, uint32_t prefix, uint8_t plen)
{
	if (v->core != NULL)
		lpm_delete(v->core, prefix, plen);
}

static int fill_local_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct core_ctx *c = ctx;

	(void)tag;
	if (!is_local(c->f, value))
		return 0;
	return lpm_add(c->core, prefix, plen, value, 0, NULL) < 0 ? -ENOMEM : 0;
}

/* With every local route in: a remote one goes in when inside one of them. */
static int fill_remote_cb(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag, void *ctx)
{
	struct core_ctx *c = ctx;

	(void)tag;
	if (is_local(c->f, value) || lpm_cover(c->core, prefix, plen) == 0)
		return 0;
	return lpm_add(c->core, prefix, plen, value, 0, NULL) < 0 ? -ENOMEM : 0;
}

int fib_core_rebuild(struct fwd *f, struct fwd_vrf *v)
{
	struct core_ctx c = { f, NULL, 0 };

	if (v->core != NULL)
		return 0;
	/* answers 0 until committed: every popped frame still takes the full lookup */
	if ((c.core = lpm_new(f->rcu, &f->vrf_core_roots[v->id])) == NULL)
		return -ENOMEM;
	/* the local routes first: then a remote route's cover says whether it is inside one */
	if (lpm_walk(v->lpm, fill_local_cb, &c) != 0 || lpm_walk(v->lpm, fill_remote_cb, &c) != 0) {
		lpm_free(c.core); /* never committed: no reader has seen its nodes */
		atomic_store(&f->vrf_core_roots[v->id], (uintptr_t)1);
		return -ENOMEM;
	}
	v->core = c.core;
	return 0;
}
