/*
 * vrfmgr's JSON API (docs/api.md): GET /vrfs, /lsps, /labels on
 * <run_dir>/vrfmgr.sock; /routes (api_routes.c), /explain (api_explain.c),
 * /vpn (api_vpn.c), /events (api_events.c), /metrics (api_metrics.c) and
 * the test-only fault injection (api_debug.c). Handlers walk
 * the core's structs and stream JSON entry by entry; nothing here decides anything, and nothing
 * is formatted for humans (ferryctl does that). Addresses are strings,
 * labels numbers (null when none, 3 = implicit null).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/api.h"
#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/api.h"
#include "vrfmgr/dp_kernel.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

void vrfapi_kv_addr(struct jw *w, const char *key, uint32_t a)
{
	jw_kv_ipv4(w, key, a);
}

/* api_fmt.c's writers: the same text as prefix4_format & co., without printf (dumps) */
void vrfapi_kv_prefix(struct jw *w, const char *key, const struct prefix4 *p)
{
	api_kv_prefix(w, key, p);
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
	jw_key(w, key);
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		api_extcom(w, &rts[i]);
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

/*
 * With the kernel dataplane, the VRF's device: vrfmgr's state does not
 * change when the device is deleted behind its back, this does
 * (docs/dataplane-kernel.md).
 */
static void kv_ifindex(struct jw *w, int ifindex)
{
	jw_key(w, "ifindex");
	if (ifindex > 0)
		jw_uint(w, (uint64_t)ifindex);
	else
		jw_null(w);
}

static void write_vrf_kernel_link(const char *ifname, int ifindex, const char *state, void *arg)
{
	struct jw *w = arg;

	jw_object_begin(w);
	jw_kv_string(w, "name", ifname);
	kv_ifindex(w, ifindex);
	jw_kv_string(w, "state", state);
	jw_object_end(w);
}

static void write_vrf_kernel(struct jw *w, const struct dp_kernel *k, uint32_t vrf_id)
{
	struct dp_kernel_vrf_device d;

	if (k == NULL || !dp_kernel_vrf_device(k, vrf_id, &d))
		return;
	jw_key(w, "kernel_device");
	jw_object_begin(w);
	jw_kv_string(w, "name", d.ifname);
	jw_kv_uint(w, "table", d.table);
	kv_ifindex(w, d.ifindex);
	jw_kv_string(w, "state", d.state);
	if (d.repair_pending)
		jw_kv_uint(w, "remake_in_ms", d.remake_in_ms);
	jw_kv_uint(w, "remade", d.remade);
	jw_kv_uint(w, "set_up_again", d.set_up_again);
	jw_kv_uint(w, "links_bound_again", d.links_bound_again);
	/* its links as the dataplane has them: ferryctl verify's "vrfmgr -> kernel" */
	jw_key(w, "links");
	jw_array_begin(w);
	dp_kernel_vrf_links(k, vrf_id, write_vrf_kernel_link, w);
	jw_array_end(w);
	jw_object_end(w);
}

static void write_vrf(struct jw *w, const struct vrfmgr *vm, const struct vrf *v)
{
	const struct vrf_table *t = &vm->table;
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
	/* exportable, yet not exported: no free label (the log said so once) */
	jw_kv_uint(w, "exports_waiting", vrf_label_exports_waiting(v));
	/* exported, with the label of its mode before a change: the new ones are not free */
	jw_kv_uint(w, "exports_old_label", vrf_label_exports_old_label(v));
	write_vrf_limit(w, t, v);
	write_vrf_kernel(w, vm->kernel, v->id);
	jw_object_end(w);
}

/* GET /vrfs[?vrf=NAME]: every VRF, or the one named (404 when none), in the same array. */
static int api_vrfs(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const char *name = api_query_get(req, "vrf");
	const struct vrf *only = NULL;
	size_t i;

	if (name != NULL && (only = vrf_by_name(&vm->table, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	jw_object_begin(w);
	jw_key(w, "vrfs");
	jw_array_begin(w);
	for (i = 0; i < vm->table.n_vrfs; i++)
		if (only == NULL || only == &vm->table.vrfs[i])
			write_vrf(w, vm, &vm->table.vrfs[i]);
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
	return label_key_kind(&e->key) == LABEL_KIND_VRF ? "pop-lookup" : "pop-forward";
}

/* "interface" and "next_hop" a label pops to (null: the hosts of a connected subnet). */
static void write_label_target(struct jw *w, const char *ifname, uint32_t gateway)
{
	jw_kv_string(w, "interface", ifname);
	if (gateway != 0)
		vrfapi_kv_addr(w, "next_hop", gateway);
	else
		jw_kv_string(w, "next_hop", NULL);
}

/*
 * What the label stands for: the CE next hop or the prefix, by mode; a
 * per-prefix label also where it pops to now (its next hop follows the
 * prefix's), while it has an LFIB entry.
 */
static void write_label_key(struct jw *w, const struct label_entry *e)
{
	jw_kv_string(w, "mode", label_kind_name(e->key.kind));
	if (label_key_kind(&e->key) == LABEL_KIND_PREFIX) {
		vrfapi_kv_prefix(w, "prefix", &e->key.prefix);
		if (e->nh != NULL)
			write_label_target(w, e->nh->ipc.ifname, e->nh->ipc.gateway);
	}
	if (label_key_kind(&e->key) == LABEL_KIND_CE)
		write_label_target(w, e->key.ifname, e->key.gateway);
}

static void write_label(struct jw *w, const struct vrf_table *t, const struct label_entry *e)
{
	jw_object_begin(w);
	jw_kv_uint(w, "label", e->label);
	jw_kv_string(w, "vrf", e->key.vrf);
	jw_kv_string(w, "action", label_action(e));
	write_label_key(w, e);
	/* fwd's LFIB has it: in use, or held down but kept there (vrf_label.c) */
	jw_kv_bool(w, "programmed", e->programmed);
	if (e->programmed && e->nh != NULL)
		jw_kv_uint(w, "nh_id", e->nh->ipc.nh_id);
	if (e->state == LABEL_USED)
		jw_kv_uint(w, "users", e->refs);
	if (e->state == LABEL_HELD)
		jw_kv_uint(w, "held_for_s", label_held_for(&t->labels, e));
	/* its VRF was re-created with another RD: never claimed again, free after the hold-down */
	jw_kv_bool(w, "retired", label_key_retired(&e->key));
	jw_object_end(w);
}

/* Whether a label is held (or used) under name: a VRF removed keeps its held-down ones. */
static bool labels_of(const struct label_alloc *la, const char *name)
{
	for (size_t i = 0; i < la->n; i++)
		if (strcmp(la->v[i]->key.vrf, name) == 0)
			return true;
	return false;
}

/*
 * ?vrf=NAME: that VRF's labels only (those it holds, and those held down
 * under its name), also when the VRF was removed and only its held-down
 * labels are left; a 404 for a name with neither.
 */
static int api_labels(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const struct label_alloc *la = &vm->table.labels;
	const char *name = api_query_get(req, "vrf");
	size_t i;

	if (name != NULL && vrf_by_name(&vm->table, name) == NULL && !labels_of(la, name))
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	jw_object_begin(w);
	jw_key(w, "labels");
	jw_array_begin(w);
	for (i = 0; i < la->n; i++)
		if (name == NULL || strcmp(la->v[i]->key.vrf, name) == 0)
			write_label(w, &vm->table, la->v[i]);
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}


/* GET /process: this daemon's own process (ferryctl show daemons). */
static int h_process(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	api_process_json(w, "vrfmgr");
	return 200;
}

const struct api_route vrfmgr_api_routes[] = {
	{ "/vrfs", api_vrfs,
	  "VRFs: RD, label, route targets, interfaces, route count (?vrf=NAME for one)",
	  .params = API_PARAMS("vrf") },
	{ "/routes", vrfapi_routes,
	  "VRF routes, all candidates, selected first, streamed (?vrf=NAME, &prefix=P&match=, "
	  "&address=A longest match, &limit=N&after=VRF:PREFIX pages)",
	  .params = API_PARAMS("vrf", "prefix", "match", "address", "limit", "after") },
	{ "/vpn", vrfapi_vpn,
	  "VPN-IPv4 routes bgpd gave, the VRFs holding each, streamed (?rd=, prefix=&match=, rt=, "
	  "neighbor=, imported=true|false, limit=&after=RD:PREFIX pages)",
	  .params = API_PARAMS("rd", "prefix", "match", "rt", "neighbor", "imported", "limit",
			       "after") },
	{ "/events", vrfapi_events,
	  "server-sent events: FIB, label and next-hop changes sent to fwd (?since=N, ?snapshot=1, "
	  "?limit=N, ?type=fib,label,nexthop,vrf,interface (some), ?vrf=NAME (that VRF's))",
	  .params = API_PARAMS("since", "limit", "snapshot", "type", "vrf") },
	{ "/metrics", vrfapi_metrics, "Prometheus text: routes per VRF, labels, next hops, IPC" },
	{ "/process", h_process,
	  "this daemon's process: pid, uptime, memory, heap in use, descriptors, CPU" },
	{ "/debug/fwd/fib-del", vrfapi_debug_fib_del,
	  "TEST ONLY: remove ?vrf=&prefix= from fwd behind vrfmgr's back (api.read_only false)",
	  true, API_PARAMS("vrf", "prefix") },
	{ "/debug/fwd/fib-label", vrfapi_debug_fib_label,
	  "TEST ONLY: give fwd's ?vrf=&prefix= entry inner label &label=N (api.read_only false)",
	  true, API_PARAMS("vrf", "prefix", "label") },
	{ "/lsps", api_lsps, "static LSPs used to reach remote PEs" },
	{ "/labels", api_labels,
	  "labels allocated by vrfmgr and what they do (?vrf=NAME for one VRF's)",
	  .params = API_PARAMS("vrf") },
	{ "/reload/check", vrfapi_reload_check,
	  "would SIGHUP reload the config file: accepted (what it would change) or refused "
	  "(why); changes nothing (Unix socket only)",
	  .local = true },
	{ "/explain", vrfapi_explain,
	  "whether VPN route rd:prefix is in each VRF (or ?vrf=NAME), why not, and its path",
	  .params = API_PARAMS("rd", "prefix", "vrf") },
};
const size_t vrfmgr_api_n_routes = sizeof(vrfmgr_api_routes) / sizeof(vrfmgr_api_routes[0]);

const struct api_route *vrfmgr_api_route(const char *path)
{
	for (size_t i = 0; i < vrfmgr_api_n_routes; i++)
		if (strcmp(vrfmgr_api_routes[i].path, path) == 0)
			return &vrfmgr_api_routes[i];
	return NULL;
}

int vrfmgr_api_start(struct vrfmgr *vm)
{
	if (config_sock_path(vm->cfg, FERRY_SOCK_VRFMGR_API, vm->api_path) < 0) {
		log_warnx("API socket path under %s is too long", vm->cfg->run_dir);
		return -ENAMETOOLONG;
	}
	vm->api = api_server_start(vm->base, vm->api_path, vrfmgr_api_routes, vrfmgr_api_n_routes,
				   vm);
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
