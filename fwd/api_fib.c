/*
 * fwd's GET /fib[?vrf=NAME][&limit=N][&after=VRF:PREFIX] (docs/api.md),
 * streamed. A FIB of a million routes is ~160 MB of JSON and was written
 * in one go: the control thread (the packet path too, without workers)
 * stopped for over a second and held the whole reply. Now each VRF's keys
 * are taken when the walk reaches it (fib_entries: sorted by prefix, then
 * length, 24 bytes a route) and written ~API_CHUNK at a time, the event
 * loop running in between; each key is looked up again when it is
 * written, so a route removed meanwhile is left out and one changed is
 * written as it is now. A route added to a VRF after the walk reached it
 * is not in this answer.
 *
 * Paged as vrfmgr's /routes is (the same parameters, checks and errors):
 * ?limit=N routes, then "next" (VRF:PREFIX, the last one written) for
 * ?after= to continue from; null when nothing follows. The position is a
 * VRF name and a prefix, not an index, so routes coming and going between
 * pages do not shift it.
 *
 * Filtered as vrfmgr's /routes is too (?prefix=P, &match=exact|longer|
 * shorter), so one prefix is found in every tenant without reading the
 * whole FIB: a VRF's keys are thinned to the matching ones when taken.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/api.h"
#include "common/log.h"
#include "common/prefix.h"
#include "fwd/api_extra.h"
#include "fwd/fib.h"
#include "fwd/fwd.h"
#include "fwd/lpm.h"

#define FIB_LIMIT_MAX 1000000000 /* vrfmgr's /routes bound */
#define PROBE_MAX 65536          /* keys looked at, after a full page, for a later match */

struct fib_walk {
	struct fwd *f;
	bool only;                 /* ?vrf=: that VRF alone */
	uint32_t vrf_id;           /* the VRF walked, found again by id and name each fill */
	char name[IPC_NAME_MAX];
	struct fib_entry *keys;    /* its routes when the walk reached it; NULL: none */
	size_t n, i;
	bool done;                 /* no VRF left */
	bool failed;               /* a VRF's keys could not be allocated */
	uint64_t limit, written;   /* ?limit= (0: all) and routes written so far */
	bool has_prefix;           /* ?prefix= (and ?match=): only the routes it matches */
	struct prefix4 prefix;
	enum api_match match;
	struct prefix4 last;       /* the last route written: "next" after a full page */
};

/* What walk_write stopped at. */
enum walk_stop { WALK_VRF_DONE, WALK_CHUNK_FULL, WALK_PAGE_FULL };

/* The VRF the walk is in when it is still there under its name, else NULL. */
static const struct fwd_vrf *walk_vrf(const struct fib_walk *fw)
{
	const struct fwd_vrf *v = fw->vrf_id < fw->f->vrf_cap ? fw->f->vrfs[fw->vrf_id] : NULL;

	return v != NULL && strcmp(v->name, fw->name) == 0 ? v : NULL;
}

static bool walk_wants(const struct fib_walk *fw, const struct fib_entry *k)
{
	struct prefix4 p = { k->prefix, k->plen };

	return !fw->has_prefix || api_prefix_match(fw->match, &fw->prefix, &p);
}

/* Keeps the keys ?prefix= wants, in their order; how many. */
static size_t keys_thin(const struct fib_walk *fw, struct fib_entry *keys, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (walk_wants(fw, &keys[i]))
			keys[kept++] = keys[i];
	return kept;
}

/* Moves to the next VRF (by id) and takes its keys; false at the end. */
static bool walk_next_vrf(struct fib_walk *fw, bool first)
{
	free(fw->keys);
	fw->keys = NULL;
	if (fw->only && !first) {
		fw->done = true;
		return false;
	}
	for (uint32_t id = first ? fw->vrf_id : fw->vrf_id + 1; id < fw->f->vrf_cap; id++) {
		const struct fwd_vrf *v = fw->f->vrfs[id];

		if (v == NULL)
			continue;
		fw->vrf_id = id;
		memcpy(fw->name, v->name, sizeof(fw->name));
		fw->keys = fib_entries(fw->f, v, &fw->n);
		fw->i = 0;
		fw->failed = fw->keys == NULL && fib_count(v) > 0;
		if (fw->keys != NULL)
			fw->n = keys_thin(fw, fw->keys, fw->n);
		return true;
	}
	fw->done = true;
	return false;
}

/* Key k as the route now in v (next hop and label looked up again); false when gone. */
static bool walk_route(const struct fib_walk *fw, const struct fwd_vrf *v,
		       const struct fib_entry *k, struct fib_entry *e)
{
	uint32_t id = lpm_get(v->lpm, k->prefix, k->plen, NULL);

	if (id == 0)
		return false; /* removed since the keys were taken */
	*e = *k;
	e->nh = fib_result_of(fw->f->res, id)->nh;
	e->inner_label = fib_result_of(fw->f->res, id)->inner_label;
	return e->nh != NULL;
}

/* Writes the VRF's routes from fw->i until budget_end or a full page. */
static enum walk_stop walk_write(struct jw *w, struct fib_walk *fw, const struct fwd_vrf *v,
				 size_t budget_end)
{
	while (fw->i < fw->n) {
		const struct fib_entry *k = &fw->keys[fw->i];
		struct fib_entry e;

		if (evbuffer_get_length(w->out) + w->staged >= budget_end)
			return WALK_CHUNK_FULL;
		fw->i++;
		if (!walk_route(fw, v, k, &e))
			continue;
		fwd_api_fib_entry(w, v, &e);
		fw->last = (struct prefix4){ k->prefix, k->plen };
		if (++fw->written == fw->limit)
			return WALK_PAGE_FULL;
	}
	return WALK_VRF_DONE;
}

/*
 * Whether v has a route ?prefix= wants: exact and shorter by lookups (one
 * per length), longer by its keys, *budget of them at most (then: maybe).
 */
static bool vrf_has_match(const struct fib_walk *fw, const struct fwd_vrf *v, size_t *budget)
{
	struct fib_entry *keys;
	size_t n, i;

	if (fib_count(v) == 0)
		return false;
	if (!fw->has_prefix)
		return true;
	if (fw->match != API_MATCH_LONGER) {
		uint8_t len = fw->match == API_MATCH_EXACT ? fw->prefix.len : 0;

		for (; len <= fw->prefix.len; len++)
			if (lpm_get(v->lpm, fw->prefix.addr & prefix4_netmask(len), len, NULL) != 0)
				return true;
		return false;
	}
	if ((keys = fib_entries(fw->f, v, &n)) == NULL)
		return true; /* no memory to look: maybe */
	for (i = 0; i < n && i < *budget && !walk_wants(fw, &keys[i]); i++)
		;
	free(keys);
	*budget -= i < *budget ? i : *budget;
	return i < n;
}

/*
 * After a full page: does a route follow? The rest of this VRF's keys
 * still there, else (all VRFs) a later VRF with a route the filter wants:
 * so "next" is null when the page was the last, and no empty page follows
 * (with ?match=longer, one may after PROBE_MAX keys looked at in vain).
 */
static bool walk_more(const struct fib_walk *fw, const struct fwd_vrf *v)
{
	size_t budget = PROBE_MAX;
	struct fib_entry e;

	for (size_t i = fw->i; i < fw->n; i++)
		if (walk_route(fw, v, &fw->keys[i], &e))
			return true;
	for (uint32_t id = fw->vrf_id + 1; !fw->only && id < fw->f->vrf_cap; id++)
		if (fw->f->vrfs[id] != NULL && vrf_has_match(fw, fw->f->vrfs[id], &budget))
			return true;
	return false;
}

/*
 * Closes the answer: "next" is the last route written when more follow, else
 * null; "prefixes" how many were written (vrfmgr's /routes' name: one a prefix).
 */
static void walk_end(struct jw *w, const struct fib_walk *fw, bool more)
{
	jw_array_end(w);
	api_kv_next(w, more ? fw->name : NULL, &fw->last);
	jw_kv_uint(w, "prefixes", fw->written);
	jw_object_end(w);
}

static enum api_fill fib_fill(struct jw *w, void *state)
{
	struct fib_walk *fw = state;
	size_t budget_end = evbuffer_get_length(w->out) + w->staged + API_CHUNK;

	while (!fw->done) {
		const struct fwd_vrf *v = walk_vrf(fw);
		enum walk_stop stop = WALK_VRF_DONE;

		if (fw->failed) {
			/* cut short, so the client sees an incomplete answer, not a quietly shorter one */
			log_warnx("api: /fib: no memory for the keys of VRF %s: reply cut", fw->name);
			return API_FILL_ABORT;
		}
		if (v != NULL && fw->keys != NULL)
			stop = walk_write(w, fw, v, budget_end);
		if (stop == WALK_CHUNK_FULL)
			return API_FILL_MORE;
		if (stop == WALK_PAGE_FULL) {
			walk_end(w, fw, walk_more(fw, v));
			return API_FILL_DONE;
		}
		if (!walk_next_vrf(fw, false))
			break;
		if (evbuffer_get_length(w->out) + w->staged >= budget_end)
			return API_FILL_MORE;
	}
	walk_end(w, fw, false);
	return API_FILL_DONE;
}

static void fib_release(void *state)
{
	struct fib_walk *fw = state;

	free(fw->keys);
	free(fw);
}

/* The first of the n sorted keys after p (fib_entries' order: prefix, then length). */
static size_t keys_after(const struct fib_entry *keys, size_t n, const struct prefix4 *p)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fib_entry *k = &keys[mid];

		if (k->prefix < p->addr || (k->prefix == p->addr && k->plen <= p->len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Where ?after=VRF:PREFIX puts the walk: its VRF (fw->vrf_id) and *p; 0 or the 400 written. */
static int fib_after(struct jw *w, struct fib_walk *fw, const char *after, struct prefix4 *p)
{
	char name[IPC_NAME_MAX];
	const struct fwd_vrf *v;

	if (api_after_split(after, name, sizeof(name), p) < 0)
		return api_param_error(w, 400, "after",
				       "after: \"%.80s\" is not VRF:PREFIX (want a previous "
				       "answer's \"next\")", after);
	v = fib_vrf_by_name(fw->f, name);
	if (v == NULL || (fw->only && v->id != fw->vrf_id))
		return api_param_error(w, 400, "after", "after: no VRF \"%s\"%s", name,
				       fw->only ? " (or not the one of ?vrf=)" : "");
	fw->vrf_id = v->id;
	return 0;
}

/* The walk for the request's parameters, or NULL with the error written in *status. */
static struct fib_walk *fib_walk_new(struct jw *w, const struct api_request *req,
				     struct fwd *f, int *status)
{
	const char *name = api_query_get(req, "vrf"), *after = api_query_get(req, "after"),
		   *ps = api_query_get(req, "prefix");
	const struct fwd_vrf *only = NULL;
	struct prefix4 from, pf = { 0 };
	enum api_match match;
	struct fib_walk *fw;
	uint64_t limit = 0;

	if (ps != NULL && prefix4_parse(ps, &pf) < 0) {
		*status = api_param_error(w, 400, "prefix",
					  "prefix: \"%.64s\" is not an IPv4 prefix (want a.b.c.d/len, "
					  "host bits clear)", ps);
		return NULL;
	}
	if ((*status = api_param_match(w, req, ps != NULL, &match)) != 0 ||
	    (*status = api_param_uint(w, req, "limit", 1, FIB_LIMIT_MAX, &limit)) != 0)
		return NULL;
	if (name != NULL && (only = fib_vrf_by_name(f, name)) == NULL) {
		*status = api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
		return NULL;
	}
	if ((fw = calloc(1, sizeof(*fw))) == NULL) {
		*status = api_error(w, 503, "out of memory");
		return NULL;
	}
	*fw = (struct fib_walk){ .f = f, .only = only != NULL, .limit = limit,
				 .vrf_id = only != NULL ? only->id : 0, .has_prefix = ps != NULL,
				 .prefix = pf, .match = match };
	if (after != NULL && (*status = fib_after(w, fw, after, &from)) != 0) {
		free(fw);
		return NULL;
	}
	walk_next_vrf(fw, true); /* none: done, and the first fill closes the array */
	if (after != NULL && fw->keys != NULL)
		fw->i = keys_after(fw->keys, fw->n, &from);
	return fw;
}

int fwd_api_fib(struct jw *w, const struct api_request *req, void *ctx)
{
	struct fib_walk *fw;
	int status;

	if ((fw = fib_walk_new(w, req, ctx, &status)) == NULL)
		return status;
	jw_object_begin(w);
	jw_key(w, "fib");
	jw_array_begin(w);
	return api_stream(w, req, fib_fill, fib_release, fw, NULL);
}
