/*
 * GET /vpn (docs/api.md): the VPN table, every VPN-IPv4 route bgpd gave
 * vrfmgr (its best path per RD:prefix), with the VRFs that hold it and why
 * it is unusable when it is. This is vrfmgr's side of the bgpd -> vrfmgr
 * contract, which `ferryctl verify` holds against bgpd's best paths.
 *
 * ?rd=RD and ?prefix=P narrow it (both: one lookup).
 */
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "vrfmgr/api.h"
#include "vrfmgr/vrfmgr.h"

/* The VRFs holding vr as a bgp candidate (installed or not). */
static void vpn_users_json(struct jw *w, struct vrfmgr *vm, const struct vpn_route *vr)
{
	jw_key(w, "vrfs");
	jw_array_begin(w);
	for (size_t i = 0; i < vm->table.n_vrfs; i++) {
		const struct vrf *v = &vm->table.vrfs[i];
		const struct vrf_prefix *vp = rtable_find(&v->routes, &vr->prefix);

		if (v->cfg == NULL || vp == NULL)
			continue;
		for (const struct vrf_route *r = vp->routes; r != NULL; r = r->next)
			if (r->source == ROUTE_BGP && rd_equal(&r->rd, &vr->rd)) {
				jw_string(w, v->cfg->name);
				break;
			}
	}
	jw_array_end(w);
}

static void vpn_json(struct jw *w, struct vrfmgr *vm, const struct vpn_route *vr)
{
	char b[RD_STRLEN];
	const struct ipc_vpn_route *m = &vr->msg;

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
	vpn_users_json(w, vm, vr);
	jw_object_end(w);
}

int vrfapi_vpn(struct jw *w, const struct api_request *req, void *ctx)
{
	static const char *const keys[] = { "rd", "prefix", NULL };
	struct vrfmgr *vm = ctx;
	const char *rds = api_query_get(req, "rd"), *ps = api_query_get(req, "prefix");
	struct vpn_route **all = NULL;
	struct prefix4 p;
	struct rd rd;
	size_t n;
	int rc;

	if ((rc = api_check_params(w, req, keys)) != 0)
		return rc;
	if (rds != NULL && rd_parse(rds, &rd) < 0)
		return api_error(w, 400, "rd: \"%.64s\" is not a route distinguisher", rds);
	if (ps != NULL && prefix4_parse(ps, &p) < 0)
		return api_error(w, 400, "prefix: \"%.64s\" is not an IPv4 prefix (a.b.c.d/len)", ps);
	jw_object_begin(w);
	jw_kv_uint(w, "count", vm->table.vpn.count);
	jw_key(w, "routes");
	jw_array_begin(w);
	if (rds != NULL && ps != NULL) {
		const struct vpn_route *vr = vpn_find(&vm->table.vpn, &rd, &p);

		if (vr != NULL)
			vpn_json(w, vm, vr);
	} else {
		n = vpn_list(&vm->table.vpn, &all);
		for (size_t i = 0; i < n; i++)
			if ((rds == NULL || rd_equal(&all[i]->rd, &rd)) &&
			    (ps == NULL || prefix4_equal(&all[i]->prefix, &p)))
				vpn_json(w, vm, all[i]);
		free(all);
	}
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}
