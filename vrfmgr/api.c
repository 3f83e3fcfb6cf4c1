/*
 * vrfmgr's JSON API (docs/api.md): GET /vrfs, /routes[?vrf=NAME], /lsps,
 * /labels on <run_dir>/vrfmgr.sock; /explain (api_explain.c), /vpn
 * (api_vpn.c), /events (api_events.c), /metrics (api_metrics.c) and the
 * test-only fault injection (api_debug.c). Handlers walk
 * the core's structs and stream JSON entry by entry; nothing here decides anything, and nothing
 * is formatted for humans (ferryctl does that). Addresses are strings,
 * labels numbers (null when none, 3 = implicit null).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/api.h"
#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/api.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

void vrfapi_kv_addr(struct jw *w, const char *key, uint32_t a)
{
	char b[IPV4_STRLEN];

	jw_kv_string(w, key, ipv4_format(a, b));
}

void vrfapi_kv_prefix(struct jw *w, const char *key, const struct prefix4 *p)
{
	char b[PREFIX4_STRLEN];

	jw_kv_string(w, key, prefix4_format(p, b));
}

void vrfapi_kv_label(struct jw *w, const char *key, uint32_t label)
{
	jw_key(w, key);
	if (label == MPLS_LABEL_NONE)
		jw_null(w);
	else
		jw_uint(w, label);
}

void vrfapi_kv_rts(struct jw *w, const char *key, const struct ext_community *rts, size_t n)
{
	char b[RD_STRLEN];
	size_t i;

	jw_key(w, key);
	jw_array_begin(w);
	for (i = 0; i < n; i++)
		jw_string(w, extcom_format(&rts[i], b));
	jw_array_end(w);
}

void vrfapi_kv_lsp(struct jw *w, const char *key, const struct cfg_lsp *l)
{
	jw_key(w, key);
	if (l == NULL) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	vrfapi_kv_prefix(w, "fec", &l->fec);
	vrfapi_kv_label(w, "out_label", l->out_label);
	vrfapi_kv_addr(w, "next_hop", l->next_hop);
	jw_kv_string(w, "interface", l->interface);
	jw_object_end(w);
}

static const char *label_mode_name(enum cfg_label_mode m)
{
	switch (m) {
	case CFG_LABEL_PER_VRF: return "per-vrf";
	case CFG_LABEL_PER_CE: return "per-ce";
	case CFG_LABEL_PER_PREFIX: return "per-prefix";
	}
	return "unknown";
}

/* The route limit: "limit_state" is "ok", "warning" (at the threshold) or "full". */
static void write_vrf_limit(struct jw *w, const struct vrf_table *t, const struct vrf *v)
{
	uint32_t max = v->cfg->max_routes;
	const char *state = "ok";

	jw_kv_uint(w, "prefix_count", v->routes.count);
	jw_key(w, "max_routes");
	if (max == 0) {
		jw_null(w);
		jw_kv_string(w, "warn_threshold", NULL);
	} else {
		jw_uint(w, max);
		jw_kv_uint(w, "warn_threshold", v->cfg->warn_threshold);
	}
	if (max != 0 && v->routes.count >= max)
		state = "full";
	else if (v->limit_warned)
		state = "warning";
	jw_kv_string(w, "limit_state", state);
	jw_kv_uint(w, "routes_refused", max != 0 ? import_refused(t, v) : 0);
}

static void write_vrf(struct jw *w, const struct vrf_table *t, const struct vrf *v)
{
	char b[RD_STRLEN];
	size_t i;

	jw_object_begin(w);
	jw_kv_string(w, "name", v->cfg->name);
	jw_kv_uint(w, "id", v->id);
	jw_kv_string(w, "rd", rd_format(&v->cfg->rd, b));
	vrfapi_kv_label(w, "label", v->label);
	jw_kv_string(w, "label_mode", label_mode_name(v->cfg->label_mode));
	vrfapi_kv_rts(w, "import_rts", v->cfg->import_rts, v->cfg->n_import_rts);
	vrfapi_kv_rts(w, "export_rts", v->cfg->export_rts, v->cfg->n_export_rts);
	jw_key(w, "interfaces");
	jw_array_begin(w);
	for (i = 0; i < v->cfg->n_interfaces; i++) {
		jw_object_begin(w);
		jw_kv_string(w, "name", v->cfg->interfaces[i].name);
		vrfapi_kv_prefix(w, "address", &v->cfg->interfaces[i].address);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_kv_uint(w, "route_count", v->n_routes);
	write_vrf_limit(w, t, v);
	jw_object_end(w);
}

static int api_vrfs(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	size_t i;

	(void)req;
	jw_object_begin(w);
	jw_key(w, "vrfs");
	jw_array_begin(w);
	for (i = 0; i < vm->table.n_vrfs; i++)
		write_vrf(w, &vm->table, &vm->table.vrfs[i]);
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

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
	jw_kv_string(w, "interface", resolved ? nh->ipc.ifname : NULL);
	if (nh != NULL && nh->ipc.gateway != 0)
		vrfapi_kv_addr(w, "next_hop", nh->ipc.gateway);
	else
		jw_kv_string(w, "next_hop", NULL);
}

static void write_route(struct jw *w, const struct vrf *v, const struct vrf_prefix *vp,
			const struct vrf_route *r)
{
	char b[RD_STRLEN], why[128];
	const char *reason = vrf_route_reason(vp, r, why, sizeof(why));

	jw_object_begin(w);
	jw_kv_string(w, "vrf", v->cfg->name);
	vrfapi_kv_prefix(w, "prefix", &vp->prefix);
	jw_kv_string(w, "source", route_source_name(r->source));
	jw_kv_uint(w, "distance", r->distance);
	jw_kv_string(w, "rd", rd_format(&r->rd, b));
	vrfapi_kv_label(w, "inner_label", r->inner_label);
	write_route_nh(w, r);
	vrfapi_kv_rts(w, "route_targets", r->rts, r->n_rts);
	jw_kv_bool(w, "installed", reason == NULL);
	if (reason != NULL)
		jw_kv_string(w, "reason", reason);
	jw_object_end(w);
}

/* The candidates of prefix p in v, selected first. */
static void write_prefix_routes(struct jw *w, const struct vrf *v, const struct vrf_prefix *vp)
{
	if (vp->best != NULL)
		write_route(w, v, vp, vp->best);
	for (const struct vrf_route *r = vp->routes; r != NULL; r = r->next)
		if (r != vp->best)
			write_route(w, v, vp, r);
}

static void write_vrf_routes(struct jw *w, const struct vrf *v)
{
	struct vrf_prefix **vps;
	size_t i, n = rtable_sorted(&v->routes, &vps);

	for (i = 0; i < n; i++)
		write_prefix_routes(w, v, vps[i]);
	free(vps);
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

/* ?prefix=P (exact, every VRF or one) or ?address=A (longest match, one VRF). */
static int api_routes_find(struct jw *w, struct vrfmgr *vm, struct vrf *only, const char *ps,
			   const char *as)
{
	struct prefix4 p;
	uint32_t a;

	if (ps != NULL && prefix4_parse(ps, &p) < 0)
		return api_error(w, 400, "prefix: \"%.64s\" is not an IPv4 prefix (a.b.c.d/len)", ps);
	if (as != NULL && ipv4_parse(as, &a) < 0)
		return api_error(w, 400, "address: \"%.64s\" is not an IPv4 address", as);
	if (as != NULL && (only == NULL || ps != NULL))
		return api_error(w, 400, "address: wants a VRF and no prefix (?vrf=NAME&address=A)");
	jw_object_begin(w);
	jw_key(w, "routes");
	jw_array_begin(w);
	for (size_t i = 0; i < vm->table.n_vrfs; i++) {
		const struct vrf *v = &vm->table.vrfs[i];
		const struct vrf_prefix *vp;

		if (only != NULL && only != v)
			continue;
		vp = as != NULL ? vrfapi_lookup(v, a) : rtable_find(&v->routes, &p);
		if (vp != NULL)
			write_prefix_routes(w, v, vp);
	}
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

static int api_routes(struct jw *w, const struct api_request *req, void *ctx)
{
	static const char *const keys[] = { "vrf", "prefix", "address", NULL };
	struct vrfmgr *vm = ctx;
	const char *name = api_query_get(req, "vrf"), *ps = api_query_get(req, "prefix"),
		   *as = api_query_get(req, "address");
	struct vrf *only = NULL;
	size_t i;
	int rc;

	if ((rc = api_check_params(w, req, keys)) != 0)
		return rc;
	if (name != NULL && (only = vrf_by_name(&vm->table, name)) == NULL)
		return api_error(w, 404, "no VRF named \"%s\"", name);
	if (ps != NULL || as != NULL)
		return api_routes_find(w, vm, only, ps, as);
	jw_object_begin(w);
	jw_key(w, "routes");
	jw_array_begin(w);
	for (i = 0; i < vm->table.n_vrfs; i++)
		if (only == NULL || only == &vm->table.vrfs[i])
			write_vrf_routes(w, &vm->table.vrfs[i]);
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

static int api_lsps(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	size_t i;

	(void)req;
	jw_object_begin(w);
	jw_key(w, "lsps");
	jw_array_begin(w);
	for (i = 0; i < vm->cfg->n_lsps; i++) {
		const struct cfg_lsp *l = &vm->cfg->lsps[i];

		jw_object_begin(w);
		vrfapi_kv_prefix(w, "fec", &l->fec);
		vrfapi_kv_label(w, "out_label", l->out_label);
		vrfapi_kv_addr(w, "next_hop", l->next_hop);
		jw_kv_string(w, "interface", l->interface);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

static const char *label_action(const struct label_entry *e)
{
	switch (e->state) {
	case LABEL_HELD: return "held";
	case LABEL_RESERVED: return "reserved";
	case LABEL_USED: break;
	}
	return e->key.kind == LABEL_KIND_VRF ? "pop-lookup" : "pop-forward";
}

/* What the label stands for: the CE next hop or the prefix, by mode. */
static void write_label_key(struct jw *w, const struct label_entry *e)
{
	jw_kv_string(w, "mode", label_kind_name(e->key.kind));
	if (e->key.kind == LABEL_KIND_PREFIX)
		vrfapi_kv_prefix(w, "prefix", &e->key.prefix);
	if (e->key.kind == LABEL_KIND_CE) {
		jw_kv_string(w, "interface", e->key.ifname);
		if (e->key.gateway != 0)
			vrfapi_kv_addr(w, "next_hop", e->key.gateway);
		else
			jw_kv_string(w, "next_hop", NULL);
	}
}

static void write_label(struct jw *w, const struct vrf_table *t, const struct label_entry *e)
{
	jw_object_begin(w);
	jw_kv_uint(w, "label", e->label);
	jw_kv_string(w, "vrf", e->key.vrf);
	jw_kv_string(w, "action", label_action(e));
	write_label_key(w, e);
	if (e->state == LABEL_USED && e->nh != NULL)
		jw_kv_uint(w, "nh_id", e->nh->ipc.nh_id);
	if (e->state == LABEL_USED)
		jw_kv_uint(w, "users", e->refs);
	if (e->state == LABEL_HELD)
		jw_kv_uint(w, "held_for_s", label_held_for(&t->labels, e));
	jw_object_end(w);
}

static int api_labels(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const struct label_alloc *la = &vm->table.labels;
	size_t i;

	(void)req;
	jw_object_begin(w);
	jw_key(w, "labels");
	jw_array_begin(w);
	for (i = 0; i < la->n; i++)
		write_label(w, &vm->table, la->v[i]);
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

static const struct api_route vrfmgr_routes[] = {
	{ "/vrfs", api_vrfs, "VRFs: RD, label, route targets, interfaces, route count" },
	{ "/routes", api_routes,
	  "VRF routes, all candidates, selected first (?vrf=NAME, &prefix=P exact, "
	  "&address=A longest match)" },
	{ "/vpn", vrfapi_vpn, "VPN-IPv4 routes bgpd gave, the VRFs holding each (?rd=&prefix=)" },
	{ "/events", vrfapi_events,
	  "server-sent events: FIB, label and next-hop changes sent to fwd (?since=N, ?limit=N)" },
	{ "/metrics", vrfapi_metrics, "Prometheus text: routes per VRF, labels, next hops, IPC" },
	{ "/debug/fwd/fib-del", vrfapi_debug_fib_del,
	  "TEST ONLY: remove ?vrf=&prefix= from fwd behind vrfmgr's back (api.read_only false)",
	  true },
	{ "/debug/fwd/fib-label", vrfapi_debug_fib_label,
	  "TEST ONLY: give fwd's ?vrf=&prefix= entry inner label &label=N (api.read_only false)",
	  true },
	{ "/lsps", api_lsps, "static LSPs used to reach remote PEs" },
	{ "/labels", api_labels, "labels allocated by vrfmgr and what they do" },
	{ "/explain", vrfapi_explain,
	  "whether VPN route rd:prefix is in each VRF (or ?vrf=NAME), why not, and its path" },
};

int vrfmgr_api_start(struct vrfmgr *vm)
{
	if (config_sock_path(vm->cfg, FERRY_SOCK_VRFMGR_API, vm->api_path) < 0) {
		log_warnx("API socket path under %s is too long", vm->cfg->run_dir);
		return -ENAMETOOLONG;
	}
	vm->api = api_server_start(vm->base, vm->api_path, vrfmgr_routes,
				   sizeof(vrfmgr_routes) / sizeof(vrfmgr_routes[0]), vm);
	if (vm->api == NULL)
		return -EIO;
	log_info("JSON API on %s", vm->api_path);
	if (vrfapi_events_start(vm) < 0)
		log_warnx("api: no /events (out of memory)");
	if (api_server_configure(vm->api, vm->cfg, "vrfmgr") < 0) {
		log_warnx("cannot serve the API on TCP (see the config's api section)");
		return -EADDRINUSE;
	}
	return 0;
}

void vrfmgr_api_stop(struct vrfmgr *vm)
{
	if (vm->api == NULL)
		return;
	api_server_free(vm->api);
	vm->api = NULL;
	unlink(vm->api_path);
}
