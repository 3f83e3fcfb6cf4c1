/*
 * vrfmgr's GET /routes (docs/api.md): every VRF's routes, each prefix's
 * candidates (selected first) with the whole forwarding chain. One prefix
 * (?prefix=P exact) or the prefix a packet takes (?vrf=&address=, longest
 * match) is a lookup; anything else is a walk, streamed and paged like
 * bgpd's /routes: VRFs in table order, each VRF's prefixes in address
 * order (api_walk.c), ~API_CHUNK bytes at a time while the event loop runs
 * in between, ?limit=N prefixes per page and ?after=VRF:PREFIX (a previous
 * answer's "next") to continue. So a VRF of a million routes is never whole
 * in memory, as a reply or as a sorted copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/api.h"
#include "common/label.h"
#include "vrfmgr/api.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

/* Where the packets of route r go: the fields that depend on its next hop. */
static void write_route_nh(struct jw *w, const struct vrf_route *r)
{
	const struct nexthop *nh = r->nh;
	bool resolved = nh != NULL && nh->resolved;

	jw_key(w, "remote_pe");
	if (r->source == ROUTE_BGP) {
		char b[IPV4_STRLEN];

		jw_string(w, ipv4_format(r->remote_pe, b));
	} else {
		jw_null(w);
	}
	vrfapi_kv_label(w, "outer_label", resolved && nh->ipc.type == IPC_NH_LABELED
					   ? nh->ipc.out_label
					   : MPLS_LABEL_NONE);
	/* a static whose next hop is on no subnet of the VRF has no interface (""): null */
	jw_kv_string(w, "interface", resolved && nh->ipc.ifname[0] != '\0' ? nh->ipc.ifname : NULL);
	if (nh != NULL && nh->ipc.gateway != 0)
		vrfapi_kv_addr(w, "next_hop", nh->ipc.gateway);
	else
		jw_kv_string(w, "next_hop", NULL);
}

static void write_route(struct jw *w, const struct vrf *v, const struct vrf_prefix *vp,
			const struct vrf_route *r)
{
	char why[128];
	const char *reason = vrf_route_reason(vp, r, why, sizeof(why));
	bool exported = export_route_is(v, vp, r);

	jw_object_begin(w);
	jw_kv_string(w, "vrf", v->cfg->name);
	vrfapi_kv_prefix(w, "prefix", &vp->prefix);
	jw_kv_string(w, "source", route_source_name(r->source));
	jw_kv_uint(w, "distance", r->distance);
	api_kv_rd(w, "rd", &r->rd);
	vrfapi_kv_label(w, "inner_label", r->inner_label);
	/* the label remote PEs reach it with: bgpd's "label" of its VPN route (null: not exported) */
	vrfapi_kv_label(w, "export_label", exported ? vp->exp_label->label : MPLS_LABEL_NONE);
	write_route_nh(w, r);
	/* a local route's RTs are those it goes out with: none while it is not exported */
	vrfapi_kv_rts(w, "route_targets", r->rts, export_rts_given(v, vp, r));
	jw_kv_bool(w, "installed", reason == NULL);
	jw_kv_string(w, "reason", reason); /* null when installed: the key is always there */
	jw_object_end(w);
}

/* The candidates of prefix vp in v, selected first; how many. */
static size_t write_prefix_routes(struct jw *w, const struct vrf *v, const struct vrf_prefix *vp)
{
	size_t n = 0;

	if (vp->best != NULL) {
		write_route(w, v, vp, vp->best);
		n++;
	}
	for (const struct vrf_route *r = vp->routes; r != NULL; r = r->next)
		if (r != vp->best) {
			write_route(w, v, vp, r);
			n++;
		}
	return n;
}

/* The installed prefix of v that a packet to addr takes (longest match), or NULL. */
const struct vrf_prefix *vrfapi_lookup(const struct vrf *v, uint32_t addr)
{
	char why[128];

	for (int len = 32; len >= 0; len--) {
		struct prefix4 p = { addr & prefix4_netmask((uint8_t)len), (uint8_t)len };
		const struct vrf_prefix *vp = rtable_find(&v->routes, &p);

		if (vp != NULL && vp->best != NULL && vrf_route_reason(vp, vp->best, why, sizeof(why)) == NULL)
			return vp;
	}
	return NULL;
}

/* ---- the walk ---- */

struct routes_walk {
	struct vrfmgr *vm;
	struct vrfapi_pfilter f;
	bool only;             /* ?vrf= given: that VRF alone */
	size_t vi;             /* the VRF walked: its index and name (a reload moves VRFs) */
	char vrf[CFG_NAME_MAX];
	bool vrf_started;      /* wk is positioned in that VRF */
	uint64_t limit;        /* prefixes per page, 0 = all */
	uint64_t n_prefixes, n_routes;
	struct prefix4 last;   /* the last prefix written: "next" */
	struct vrfapi_walk wk; /* last: large */
};

static void walk_end(struct jw *w, struct routes_walk *rw, bool more)
{
	jw_array_end(w);
	api_kv_next(w, more ? rw->vrf : NULL, &rw->last);
	jw_kv_uint(w, "prefixes", rw->n_prefixes);
	jw_kv_uint(w, "candidates", rw->n_routes);
	jw_object_end(w);
}

/* Makes VRF index i the one walked, from its first prefix. */
static void walk_enter(struct routes_walk *rw, size_t i)
{
	rw->vi = i;
	snprintf(rw->vrf, sizeof(rw->vrf), "%s", rw->vm->table.vrfs[i].cfg->name);
	rw->vrf_started = false;
}

/*
 * The VRF the walk is in, found again by name when a reload moved it; when
 * one removed it, the VRF now at its index (all of them: none with ?vrf=).
 * NULL at the end.
 */
static struct vrf *walk_vrf(struct routes_walk *rw)
{
	struct vrf_table *t = &rw->vm->table;
	struct vrf *v;

	if (rw->vi < t->n_vrfs && t->vrfs[rw->vi].cfg != NULL &&
	    strcmp(t->vrfs[rw->vi].cfg->name, rw->vrf) == 0)
		return &t->vrfs[rw->vi];
	if ((v = vrf_by_name(t, rw->vrf)) != NULL && v->cfg != NULL) {
		rw->vi = (size_t)(v - t->vrfs);
		return v;
	}
	for (; !rw->only && rw->vi < t->n_vrfs; rw->vi++)
		if (t->vrfs[rw->vi].cfg != NULL) {
			walk_enter(rw, rw->vi);
			return &t->vrfs[rw->vi];
		}
	return NULL;
}

/* The next VRF to walk; false when there is none. */
static bool walk_next_vrf(struct routes_walk *rw)
{
	struct vrf_table *t = &rw->vm->table;

	if (rw->only)
		return false;
	for (size_t i = rw->vi + 1; i < t->n_vrfs; i++)
		if (t->vrfs[i].cfg != NULL) {
			walk_enter(rw, i);
			return true;
		}
	return false;
}

#define PROBE_MAX 65536 /* prefixes looked at to tell whether a next page exists */

/* After a full page: does a matching prefix follow? (bounded: then "maybe") */
static bool routes_more(struct routes_walk *rw)
{
	struct vrf_table *t = &rw->vm->table;
	struct vrfapi_walk *probe = malloc(sizeof(*probe));
	size_t vi = rw->vi, looked = 0;
	struct vrfapi_key k;
	bool more = true;

	if (probe == NULL)
		return true;
	vrfapi_walk_copy(probe, &rw->wk);
	for (;;) {
		const struct vrf *v = &t->vrfs[vi];

		while (vrfapi_walk_next(probe, vrfapi_each_prefix, &v->routes, &k)) {
			struct prefix4 p = { k.addr, k.len };
			const struct vrf_prefix *vp = rtable_find(&v->routes, &p);

			if (++looked >= PROBE_MAX ||
			    (vp != NULL && vp->routes != NULL && vrfapi_pfilter_ok(&rw->f, &p)))
				goto out;
		}
		do
			vi++;
		while (!rw->only && vi < t->n_vrfs && t->vrfs[vi].cfg == NULL);
		if (rw->only || vi >= t->n_vrfs) {
			more = false;
			goto out;
		}
		vrfapi_walk_seek(probe, NULL);
		vrfapi_walk_reserve(probe, t->vrfs[vi].routes.count);
	}
out:
	vrfapi_walk_free(probe);
	free(probe);
	return more;
}

/*
 * Writes the walk's next prefixes: DONE (page or walk complete), MORE
 * (chunk full, or this fill's passes over tables reached VRFAPI_FILL_SCAN
 * keys since scanned0) or IDLE (this VRF is done).
 */
static enum api_fill walk_vrf_prefixes(struct jw *w, struct routes_walk *rw, struct vrf *v,
				       size_t budget_end, uint64_t scanned0)
{
	struct vrfapi_key k;

	if (!rw->vrf_started) {
		vrfapi_walk_seek(&rw->wk, NULL);
		rw->vrf_started = true;
	}
	vrfapi_walk_reserve(&rw->wk, v->routes.count);
	while (!vrfapi_walk_yield(&rw->wk, scanned0) &&
	       vrfapi_walk_next(&rw->wk, vrfapi_each_prefix, &v->routes, &k)) {
		struct prefix4 p = { k.addr, k.len };
		const struct vrf_prefix *vp = rtable_find(&v->routes, &p);

		if (vp == NULL || vp->routes == NULL || !vrfapi_pfilter_ok(&rw->f, &p))
			continue;
		rw->n_routes += write_prefix_routes(w, v, vp);
		rw->last = p;
		if (++rw->n_prefixes == rw->limit) {
			walk_end(w, rw, routes_more(rw));
			return API_FILL_DONE;
		}
		if (evbuffer_get_length(w->out) + w->staged >= budget_end)
			return API_FILL_MORE;
	}
	return vrfapi_walk_yield(&rw->wk, scanned0) ? API_FILL_MORE : API_FILL_IDLE;
}

static enum api_fill routes_fill(struct jw *w, void *state)
{
	struct routes_walk *rw = state;
	size_t budget_end = evbuffer_get_length(w->out) + w->staged + API_CHUNK;
	uint64_t scanned0 = rw->wk.scanned;
	struct vrf *v;

	while ((v = walk_vrf(rw)) != NULL) {
		enum api_fill r = walk_vrf_prefixes(w, rw, v, budget_end, scanned0);

		if (r != API_FILL_IDLE)
			return r;
		if (!walk_next_vrf(rw))
			break;
	}
	walk_end(w, rw, false);
	return API_FILL_DONE;
}

static void routes_release(void *state)
{
	struct routes_walk *rw = state;

	vrfapi_walk_free(&rw->wk);
	free(rw);
}

/*
 * ?prefix=P (exact) or ?address=A (longest match), in ?vrf= or in every VRF:
 * one prefix per VRF, no walk. An address without a VRF is what an operator
 * of overlapping tenants asks first: which VRFs reach it, and how.
 */
static int routes_find(struct jw *w, struct vrfmgr *vm, struct vrf *only,
		       const struct vrfapi_pfilter *f, const char *as)
{
	uint64_t n_prefixes = 0, n_routes = 0;
	uint32_t a = 0;

	if (as != NULL && ipv4_parse(as, &a) < 0)
		return api_param_error(w, 400, "address",
				       "address: \"%.64s\" is not an IPv4 address (want a.b.c.d; "
				       "a prefix goes in ?prefix=)", as);
	if (as != NULL && f->has_prefix)
		return api_param_error(w, 400, "address",
				       "address: not with prefix= (want ?address=A or ?prefix=P, "
				       "each with or without ?vrf=NAME)");
	jw_object_begin(w);
	jw_key(w, "routes");
	jw_array_begin(w);
	for (size_t i = 0; i < vm->table.n_vrfs; i++) {
		const struct vrf *v = &vm->table.vrfs[i];
		const struct vrf_prefix *vp;

		if ((only != NULL && only != v) || v->cfg == NULL)
			continue;
		vp = as != NULL ? vrfapi_lookup(v, a) : rtable_find(&v->routes, &f->prefix);
		if (vp != NULL && vp->routes != NULL) {
			n_routes += write_prefix_routes(w, v, vp);
			n_prefixes++;
		}
	}
	jw_array_end(w);
	jw_kv_string(w, "next", NULL);
	jw_kv_uint(w, "prefixes", n_prefixes);
	jw_kv_uint(w, "candidates", n_routes);
	jw_object_end(w);
	return 200;
}

/* Where ?after=VRF:PREFIX puts the walk; 0 or the 400 written. */
static int routes_after(struct jw *w, struct routes_walk *rw, const char *after)
{
	char name[CFG_NAME_MAX];
	struct vrfapi_key k = { 0 };
	struct prefix4 p;
	struct vrf *v;

	if (api_after_split(after, name, sizeof(name), &p) < 0)
		return api_param_error(w, 400, "after",
				       "after: \"%.80s\" is not VRF:PREFIX (want a previous "
				       "answer's \"next\")", after);
	v = vrf_by_name(&rw->vm->table, name);
	if (v == NULL || v->cfg == NULL || (rw->only && strcmp(rw->vrf, name) != 0))
		return api_param_error(w, 400, "after", "after: no VRF \"%s\"%s", name,
				 rw->only ? " (or not the one of ?vrf=)" : "");
	walk_enter(rw, (size_t)(v - rw->vm->table.vrfs));
	k.addr = p.addr;
	k.len = p.len;
	vrfapi_walk_seek(&rw->wk, &k);
	rw->vrf_started = true;
	return 0;
}

int vrfapi_routes(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const char *name = api_query_get(req, "vrf"), *as = api_query_get(req, "address"),
		   *after = api_query_get(req, "after");
	struct routes_walk *rw;
	struct vrfapi_pfilter f;
	struct vrf *only = NULL;
	uint64_t limit = 0;
	int rc;

	if ((rc = vrfapi_pfilter_parse(w, req, &f)) != 0 ||
	    (rc = api_param_uint(w, req, "limit", 1, 1000000000, &limit)) != 0)
		return rc;
	if (name != NULL && ((only = vrf_by_name(&vm->table, name)) == NULL || only->cfg == NULL))
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	/* one prefix per VRF comes back: nothing to page (a limit or cursor would be lost silently) */
	if (as != NULL && (limit != 0 || after != NULL))
		return api_param_error(w, 400, limit != 0 ? "limit" : "after",
				       "%s: not with address= (one longest match per VRF; no paging)",
				       limit != 0 ? "limit" : "after");
	if (as != NULL || (f.has_prefix && f.match == API_MATCH_EXACT && limit == 0 && after == NULL))
		return routes_find(w, vm, only, &f, as);
	if ((rw = calloc(1, sizeof(*rw))) == NULL)
		return api_error(w, 503, "out of memory");
	rw->vm = vm;
	rw->f = f;
	rw->limit = limit;
	rw->only = only != NULL;
	vrfapi_walk_start(&rw->wk, NULL);
	rw->vi = only != NULL ? (size_t)(only - vm->table.vrfs) : 0;
	if (only != NULL)
		walk_enter(rw, rw->vi);
	if (after != NULL && (rc = routes_after(w, rw, after)) != 0) {
		routes_release(rw);
		return rc;
	}
	jw_object_begin(w);
	jw_key(w, "routes");
	jw_array_begin(w);
	return api_stream(w, req, routes_fill, routes_release, rw, NULL);
}
