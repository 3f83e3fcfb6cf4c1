/*
 * GET /vpn (docs/api.md): the VPN table, every VPN-IPv4 route bgpd gave
 * vrfmgr (its best path per RD:prefix), with the VRFs that hold it (and
 * "imported": whether any does; both from the route's placement list, so
 * a route costs the VRFs that hold it, not every VRF) and why it is
 * unusable when it is. This is vrfmgr's side of the bgpd -> vrfmgr
 * contract, which `ferryctl verify` holds against bgpd's best paths.
 *
 * Filtered like bgpd's /routes (?rd, prefix with match=exact|longer|shorter,
 * rt, neighbor; rd with an exact prefix is one lookup), and by its own
 * "imported" field (?imported=false: the routes no VRF took) and streamed and
 * paged the same way (?limit=N, ?after=RD:PREFIX): the walk goes in RD then
 * prefix order over the VPN table (api_walk.c), never holding it sorted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/api.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

/* Whether VRF v holds vr as a bgp candidate: the scan kept for when memory is short. */
static bool vpn_held_by(const struct vrf *v, const struct vpn_route *vr)
{
	return v->cfg != NULL &&
	       vrf_route_find((struct vrf *)v, &vr->prefix, ROUTE_BGP, &vr->rd) != NULL;
}

#define VPN_USERS_INLINE 64

/*
 * The VRFs holding vr as a bgp candidate (installed or not), in the VRF
 * array's order; how many. Only those on its placement list are looked at
 * (import_vpn_holders), not every VRF.
 */
static size_t vpn_users_json(struct jw *w, struct vrfmgr *vm, const struct vpn_route *vr)
{
	uint32_t few[VPN_USERS_INLINE], *slots = few;
	size_t n = 0;

	if (vr->n_placed > VPN_USERS_INLINE && (slots = malloc(vr->n_placed * sizeof(*slots))) == NULL)
		log_warn("/vpn: the VRFs of a route (looking into each)");
	jw_key(w, "vrfs");
	jw_array_begin(w);
	if (slots != NULL) {
		n = import_vpn_holders(&vm->table, vr, slots);
		for (size_t i = 0; i < n; i++)
			jw_string(w, vm->table.vrfs[slots[i]].cfg->name);
	}
	for (size_t i = 0; slots == NULL && i < vm->table.n_vrfs; i++)
		if (vpn_held_by(&vm->table.vrfs[i], vr)) {
			jw_string(w, vm->table.vrfs[i].cfg->name);
			n++;
		}
	jw_array_end(w);
	if (slots != few)
		free(slots);
	return n;
}

static void vpn_json(struct jw *w, struct vrfmgr *vm, const struct vpn_route *vr)
{
	char b[RD_STRLEN];
	const struct ipc_vpn_route *m = &vr->msg;
	size_t users;

	jw_object_begin(w);
	jw_kv_string(w, "rd", rd_format(&vr->rd, b));
	vrfapi_kv_prefix(w, "prefix", &vr->prefix);
	vrfapi_kv_label(w, "label", m->label);
	vrfapi_kv_addr(w, "next_hop", m->next_hop);
	vrfapi_kv_addr(w, "peer", m->peer);
	jw_kv_uint(w, "local_pref", m->local_pref);
	vrfapi_kv_rts(w, "route_targets", vr->rts, vr->n_rts);
	jw_kv_string(w, "problem", vr->problem);
	jw_kv_bool(w, "stale", vr->stale);
	users = vpn_users_json(w, vm, vr);
	/* received but in no VRF (no import RT in common, unusable, VRFs full): said outright */
	jw_kv_bool(w, "imported", users > 0);
	jw_object_end(w);
}

/* ---- the walk ---- */

struct vpn_filter {
	bool has_rd, has_rt, has_neighbor, has_imported;
	bool imported; /* ?imported=: held by some VRF (true) or by none (false) */
	struct rd rd;
	struct ext_community rt;
	uint32_t neighbor;
	struct vrfapi_pfilter pf;
};

struct vpn_walk {
	struct vrfmgr *vm;
	struct vpn_filter f;
	uint64_t limit, n;
	struct vrfapi_key last; /* the last route written: "next" */
	struct vrfapi_walk wk;  /* last: large */
};

static bool vpn_match(struct vrfmgr *vm, const struct vpn_filter *f, const struct vpn_route *vr)
{
	if (f->has_rd && !rd_equal(&f->rd, &vr->rd))
		return false;
	if (!vrfapi_pfilter_ok(&f->pf, &vr->prefix))
		return false;
	if (f->has_neighbor && vr->msg.peer != f->neighbor)
		return false;
	if (f->has_rt) {
		size_t i;

		for (i = 0; i < vr->n_rts; i++)
			if (memcmp(&vr->rts[i], &f->rt, sizeof(f->rt)) == 0)
				break;
		if (i == vr->n_rts)
			return false;
	}
	/* last: a look into the VRFs it was placed in */
	if (f->has_imported && import_vpn_held(&vm->table, vr) != f->imported)
		return false;
	return true;
}

static void vpn_end(struct jw *w, struct vpn_walk *vw, bool more)
{
	char rd[RD_STRLEN];
	struct prefix4 p = { vw->last.addr, vw->last.len };

	jw_array_end(w);
	api_kv_next(w, more ? rd_format(&vw->last.rd, rd) : NULL, &p);
	jw_kv_uint(w, "returned", vw->n);
	jw_object_end(w);
}

#define PROBE_MAX 65536 /* routes looked at to tell whether a next page exists */

/* After a full page: does a matching route follow? (bounded: then "maybe") */
static bool vpn_more(struct vpn_walk *vw)
{
	struct vpn_table *t = &vw->vm->table.vpn;
	struct vrfapi_walk *probe = malloc(sizeof(*probe));
	size_t looked = 0;
	struct vrfapi_key k;
	bool more = false;

	if (probe == NULL)
		return true;
	vrfapi_walk_copy(probe, &vw->wk);
	while (!more && vrfapi_walk_next(probe, vrfapi_each_vpn, t, &k)) {
		struct prefix4 p = { k.addr, k.len };
		const struct vpn_route *vr = vpn_find(t, &k.rd, &p);

		more = ++looked >= PROBE_MAX || (vr != NULL && vpn_match(vw->vm, &vw->f, vr));
	}
	vrfapi_walk_free(probe);
	free(probe);
	return more;
}

/* Up to a chunk of routes; MORE also after a pass over the table, written or not. */
static enum api_fill vpn_fill(struct jw *w, void *state)
{
	struct vpn_walk *vw = state;
	struct vpn_table *t = &vw->vm->table.vpn;
	size_t budget_end = evbuffer_get_length(w->out) + w->staged + API_CHUNK;
	uint64_t scanned0 = vw->wk.scanned;
	struct vrfapi_key k;

	vrfapi_walk_reserve(&vw->wk, t->count); /* the table may have grown */
	while (!vrfapi_walk_yield(&vw->wk, scanned0) &&
	       vrfapi_walk_next(&vw->wk, vrfapi_each_vpn, t, &k)) {
		struct prefix4 p = { k.addr, k.len };
		const struct vpn_route *vr = vpn_find(t, &k.rd, &p);

		if (vr == NULL || !vpn_match(vw->vm, &vw->f, vr))
			continue;
		vpn_json(w, vw->vm, vr);
		vw->last = k;
		if (++vw->n == vw->limit) {
			vpn_end(w, vw, vpn_more(vw));
			return API_FILL_DONE;
		}
		if (evbuffer_get_length(w->out) + w->staged >= budget_end)
			return API_FILL_MORE;
	}
	if (vrfapi_walk_yield(&vw->wk, scanned0))
		return API_FILL_MORE;
	vpn_end(w, vw, false);
	return API_FILL_DONE;
}

static void vpn_release(void *state)
{
	struct vpn_walk *vw = state;

	vrfapi_walk_free(&vw->wk);
	free(vw);
}

/* ?rd, prefix, match, rt, neighbor, imported into f: 0, or the 400 written. */
static int vpn_filter_parse(struct jw *w, const struct api_request *req, struct vpn_filter *f)
{
	const char *rds = api_query_get(req, "rd"), *rt = api_query_get(req, "rt"),
		   *nb = api_query_get(req, "neighbor");
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = vrfapi_pfilter_parse(w, req, &f->pf)) != 0)
		return rc;
	if (rds != NULL && !(f->has_rd = rd_parse(rds, &f->rd) == 0))
		return api_param_error(w, 400, "rd",
				       "rd: \"%.64s\" is not a route distinguisher (want ASN:NN, "
				       "IP:NN, ASN4:NN or ASNL:NN)", rds);
	if (rt != NULL && !(f->has_rt = rt_parse(rt, &f->rt) == 0))
		return api_param_error(w, 400, "rt",
				       "rt: \"%.64s\" is not a route target (want ASN:NN, IP:NN, "
				       "ASN4:NN or ASNL:NN)", rt);
	if (nb != NULL && !(f->has_neighbor = ipv4_parse(nb, &f->neighbor) == 0))
		return api_param_error(w, 400, "neighbor",
				       "neighbor: \"%.64s\" is not an IPv4 address (want a.b.c.d: "
				       "vrfmgr holds no local routes)", nb);
	if (api_query_get(req, "imported") != NULL) {
		f->has_imported = true;
		return api_param_bool(w, req, "imported", &f->imported);
	}
	return 0;
}

int vrfapi_vpn(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const char *after = api_query_get(req, "after");
	struct vrfapi_key k = { 0 };
	struct vpn_filter f;
	struct vpn_walk *vw;
	uint64_t limit = 0;
	struct prefix4 ap;
	int rc;

	if ((rc = vpn_filter_parse(w, req, &f)) != 0 ||
	    (rc = api_param_uint(w, req, "limit", 1, 1000000000, &limit)) != 0)
		return rc;
	if (after != NULL) {
		char rds[64];

		if (api_after_split(after, rds, sizeof(rds), &ap) < 0 || rd_parse(rds, &k.rd) < 0)
			return api_param_error(w, 400, "after",
					       "after: \"%.80s\" is not a VPN-IPv4 prefix (want "
					       "RD:PREFIX as in a previous answer's \"next\")", after);
		k.addr = ap.addr;
		k.len = ap.len;
	}
	if ((vw = calloc(1, sizeof(*vw))) == NULL)
		return api_error(w, 503, "out of memory");
	vw->vm = vm;
	vw->f = f;
	vw->limit = limit;
	vrfapi_walk_start(&vw->wk, after != NULL ? &k : NULL);
	jw_object_begin(w);
	jw_kv_uint(w, "count", vm->table.vpn.count);
	jw_key(w, "routes");
	jw_array_begin(w);
	if (f.has_rd && f.pf.has_prefix && f.pf.match == API_MATCH_EXACT && after == NULL) {
		const struct vpn_route *vr = vpn_find(&vm->table.vpn, &f.rd, &f.pf.prefix);

		if (vr != NULL && vpn_match(vm, &f, vr)) {
			vpn_json(w, vm, vr);
			vw->n = 1;
		}
		vpn_end(w, vw, false);
		free(vw);
		return 200;
	}
	return api_stream(w, req, vpn_fill, vpn_release, vw, NULL);
}
