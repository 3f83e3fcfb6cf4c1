/*
 * vrfmgr's GET /metrics (docs/api.md): Prometheus text of the VRFs (routes,
 * prefixes, installed prefixes, limits), labels by state, next hops, the
 * VPN table, the links to bgpd and fwd and what was sent to fwd. Installed
 * prefixes are counted by walking the tables: a scrape of a million routes
 * costs a few tens of milliseconds, once per scrape.
 */
#include <stdio.h>

#include "common/api.h"
#include "common/ipc.h"
#include "vrfmgr/api.h"
#include "vrfmgr/dp_kernel.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

static size_t installed(const struct vrf *v)
{
	size_t n = 0;

	for (size_t b = 0; b < v->routes.nb; b++)
		for (const struct vrf_prefix *vp = v->routes.b[b]; vp != NULL; vp = vp->hnext)
			n += vp->fib_nh != NULL;
	return n;
}

typedef uint64_t (*vrf_value_fn)(const struct vrf_table *t, const struct vrf *v);

static uint64_t v_routes(const struct vrf_table *t, const struct vrf *v)
{
	(void)t;
	return v->n_routes;
}

static uint64_t v_prefixes(const struct vrf_table *t, const struct vrf *v)
{
	(void)t;
	return v->routes.count;
}

static uint64_t v_installed(const struct vrf_table *t, const struct vrf *v)
{
	(void)t;
	return installed(v);
}

static uint64_t v_max(const struct vrf_table *t, const struct vrf *v)
{
	(void)t;
	return v->cfg->max_routes;
}

static uint64_t v_refused(const struct vrf_table *t, const struct vrf *v)
{
	return v->cfg->max_routes != 0 ? import_refused(t, v) : 0;
}

static void per_vrf(struct jw *w, const struct vrf_table *t, const char *name, const char *type,
		    const char *help, vrf_value_fn fn)
{
	api_prom_family(w, name, type, help);
	for (size_t i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].cfg != NULL && !t->vrfs[i].dying)
			api_prom_sample(w, name, "vrf", t->vrfs[i].cfg->name, NULL, NULL,
					fn(t, &t->vrfs[i]));
}

static void labels(struct jw *w, const struct label_alloc *la)
{
	static const char *const states[] = { "used", "held", "reserved" };
	uint64_t n[3] = { 0, 0, 0 };

	for (size_t i = 0; i < la->n; i++)
		if ((unsigned)la->v[i]->state < 3)
			n[la->v[i]->state]++;
	api_prom_family(w, "ferry_labels", "gauge", "labels allocated by vrfmgr, by state");
	for (int s = 0; s < 3; s++)
		api_prom_sample(w, "ferry_labels", "state", states[s], NULL, NULL, n[s]);
	api_prom_metric(w, "ferry_label_range_size", "gauge", "labels vrfmgr may allocate",
			la->max - la->min + 1);
}

static void nexthops(struct jw *w, const struct nexthop_table *t)
{
	uint64_t resolved = 0, unresolved = 0;

	for (const struct nexthop *nh = t->head; nh != NULL; nh = nh->next)
		nh->resolved ? resolved++ : unresolved++;
	api_prom_family(w, "ferry_nexthops", "gauge", "next-hop objects (one per remote PE or CE)");
	api_prom_sample(w, "ferry_nexthops", "resolved", "true", NULL, NULL, resolved);
	api_prom_sample(w, "ferry_nexthops", "resolved", "false", NULL, NULL, unresolved);
}

static void ipc_sent(struct jw *w, const struct fwd_sync *fs)
{
	static const char *const name = "ferry_vrfmgr_fwd_messages_sent_total";

	api_prom_family(w, name, "counter", "IPC messages sent to fwd, by type");
	for (uint16_t t = 1; t < IPC_TYPE_MAX; t++)
		if (fs->sent[t] != 0)
			api_prom_sample(w, name, "type", ipc_type_name(t), NULL, NULL, fs->sent[t]);
}

int vrfapi_metrics(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const struct vrf_table *t = &vm->table;

	api_prom_begin(req);
	per_vrf(w, t, "ferry_vrf_routes", "gauge", "candidate routes in the VRF, all sources",
		v_routes);
	per_vrf(w, t, "ferry_vrf_prefixes", "gauge", "prefixes in the VRF's table", v_prefixes);
	per_vrf(w, t, "ferry_vrf_installed_prefixes", "gauge", "prefixes programmed into fwd",
		v_installed);
	per_vrf(w, t, "ferry_vrf_max_routes", "gauge", "the VRF's route limit (0 = none)", v_max);
	per_vrf(w, t, "ferry_vrf_routes_refused", "gauge", "VPN routes refused by the route limit",
		v_refused);
	labels(w, &t->labels);
	nexthops(w, &t->nhs);
	api_prom_metric(w, "ferry_lsps", "gauge", "static LSPs configured", vm->cfg->n_lsps);
	api_prom_metric(w, "ferry_vpn_routes", "gauge", "VPN-IPv4 routes bgpd gave vrfmgr",
			t->vpn.count);
	api_prom_metric(w, "ferry_vrfmgr_bgpd_connected", "gauge", "1 while bgpd is connected",
			vm->bgp.conn != NULL);
	api_prom_metric(w, "ferry_vrfmgr_fwd_connected", "gauge",
			"1 while fwd is connected and replayed to", vm->fwd.conn != NULL);
	api_prom_metric(w, "ferry_vrfmgr_bgpd_replays_total", "counter",
			"bgpd's replays of its routes taken whole since vrfmgr started",
			vm->bgp.replays);
	api_prom_metric(w, "ferry_vrfmgr_fwd_replays_total", "counter",
			"replays of the whole state sent to fwd since vrfmgr started",
			vm->fwd.replays);
	ipc_sent(w, &vm->fwd);
	if (vm->kernel != NULL) {
		api_prom_metric(w, "ferry_vrfmgr_kernel_errors_total", "counter",
				"entries the kernel dataplane could not program (each logged)",
				dp_kernel_errors(vm->kernel));
		api_prom_metric(w, "ferry_vrfmgr_kernel_vrf_devices_remade_total", "counter",
				"VRF devices deleted behind vrfmgr's back and made again",
				dp_kernel_vrf_remakes(vm->kernel));
		api_prom_metric(w, "ferry_vrfmgr_kernel_vrfs_without_device", "gauge",
				"VRFs with no VRF device now (refused, or deleted and not made again yet)",
				dp_kernel_vrfs_without_device(vm->kernel));
	}
	api_prom_metric(w, "ferry_api_events_sequence", "counter", "last /events sequence number",
			vrfapi_events_last(vm));
	api_prom_metric(w, "ferry_api_event_clients", "gauge", "clients reading /events",
			vrfapi_events_clients(vm));
	api_prom_process(w);
	return 200;
}
