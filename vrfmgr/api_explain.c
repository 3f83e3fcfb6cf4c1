/*
 * GET /explain?rd=RD&prefix=PREFIX[&vrf=NAME]: for VPN route RD:PREFIX,
 * each VRF's (or one VRF's) verdict from explain.c, as JSON:
 *
 *   {"rd","prefix",
 *    "vpn_route": {"source":"bgp","label","next_hop","peer","local_pref",
 *                  "route_targets","problem"} | {"source":"local","vrf",
 *                  "exported","label","route_targets"} | null,
 *    "vrfs":[{"vrf","verdict","imported","installed","reason",
 *             "import_rts","route_targets","common_rts","chain"}]}
 *
 * "chain" (null when the VRF does not hold the route) is the whole way a
 * packet takes: the VPN route (RD, RTs, inner label), the remote PE, the
 * LSP and its outer label, the interface and next hop it leaves by.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/label.h"
#include "vrfmgr/api.h"
#include "vrfmgr/explain.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrfmgr.h"

/* A local route is exported (with its VRF's export RTs, a label) or not (with neither). */
static bool origin_exported(const struct explain *e)
{
	return e->origin_vp != NULL && e->origin_vp->exp_label != NULL;
}

/*
 * The route targets the route carries (what the VRF's import RTs are held
 * against): a local one's only while exported, as /routes gives them.
 */
static size_t route_rts(const struct explain *e, const struct ext_community **rts)
{
	if (e->vpn != NULL && e->origin == NULL) {
		*rts = e->vpn->rts;
		return e->vpn->n_rts;
	}
	if (e->origin != NULL) {
		*rts = e->origin->cfg->export_rts;
		return origin_exported(e) ? e->origin->cfg->n_export_rts : 0;
	}
	*rts = NULL;
	return 0;
}

static void write_common_rts(struct jw *w, const struct vrf *v, const struct ext_community *rts,
			     size_t n)
{
	char b[RD_STRLEN];

	jw_key(w, "common_rts");
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		if (rt_sets_meet(v->cfg->import_rts, v->cfg->n_import_rts, &rts[i], 1))
			jw_string(w, extcom_format(&rts[i], b));
	jw_array_end(w);
}

static void write_vpn_route(struct jw *w, const struct explain *e)
{
	jw_key(w, "vpn_route");
	if (e->origin != NULL) {
		const struct ext_community *rts;
		size_t n = route_rts(e, &rts);

		jw_object_begin(w);
		jw_kv_string(w, "source", "local");
		jw_kv_string(w, "vrf", e->origin->cfg->name);
		jw_kv_bool(w, "exported", origin_exported(e));
		vrfapi_kv_label(w, "label", origin_exported(e) ? e->origin_vp->exp_label->label
							       : MPLS_LABEL_NONE);
		vrfapi_kv_rts(w, "route_targets", rts, n);
		jw_object_end(w);
	} else if (e->vpn != NULL) {
		const struct ipc_vpn_route *m = &e->vpn->msg;

		jw_object_begin(w);
		jw_kv_string(w, "source", "bgp");
		vrfapi_kv_label(w, "label", m->label);
		vrfapi_kv_addr(w, "next_hop", m->next_hop);
		vrfapi_kv_addr(w, "peer", m->peer);
		jw_kv_uint(w, "local_pref", m->local_pref);
		vrfapi_kv_rts(w, "route_targets", e->vpn->rts, e->vpn->n_rts);
		jw_kv_string(w, "problem", e->vpn->problem);
		jw_object_end(w);
	} else {
		jw_null(w);
	}
}

/* Where the route's packets go, hop by hop. */
static void write_chain(struct jw *w, const struct explain *e)
{
	const struct vrf_route *r = e->route;
	const struct nexthop *nh = r != NULL ? r->nh : NULL;
	char b[RD_STRLEN], pb[PREFIX4_STRLEN];
	bool labeled = nh != NULL && nh->ipc.type == IPC_NH_LABELED;

	jw_key(w, "chain");
	if (!e->imported || r == NULL) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_string(w, "source", route_source_name(r->source));
	{
		char vpn[RD_STRLEN + PREFIX4_STRLEN + 2];

		snprintf(vpn, sizeof(vpn), "%s:%s", rd_format(&r->rd, b),
			 prefix4_format(&e->vp->prefix, pb));
		jw_kv_string(w, "vpn_route", vpn);
	}
	jw_kv_string(w, "rd", rd_format(&r->rd, b));
	vrfapi_kv_rts(w, "route_targets", r->rts, r->n_rts);
	vrfapi_kv_label(w, "inner_label", r->inner_label);
	if (r->source == ROUTE_BGP)
		vrfapi_kv_addr(w, "remote_pe", r->remote_pe);
	else
		jw_kv_string(w, "remote_pe", NULL);
	vrfapi_kv_lsp(w, "lsp", labeled ? nh->lsp : NULL);
	vrfapi_kv_label(w, "outer_label",
			labeled && nh->resolved ? nh->ipc.out_label : MPLS_LABEL_NONE);
	jw_kv_string(w, "interface", nh != NULL && nh->resolved && nh->ipc.ifname[0] != '\0'
					     ? nh->ipc.ifname
					     : NULL);
	if (nh != NULL && nh->ipc.gateway != 0)
		vrfapi_kv_addr(w, "next_hop", nh->ipc.gateway);
	else
		jw_kv_string(w, "next_hop", NULL);
	jw_kv_bool(w, "installed", e->installed);
	jw_object_end(w);
}

static void write_verdict(struct jw *w, const struct explain *e)
{
	const struct ext_community *rts;
	size_t n = route_rts(e, &rts);

	jw_object_begin(w);
	jw_kv_string(w, "vrf", e->vrf->cfg->name);
	jw_kv_string(w, "verdict", explain_verdict_name(e->verdict));
	jw_kv_bool(w, "imported", e->imported);
	jw_kv_bool(w, "installed", e->installed);
	jw_kv_string(w, "reason", e->reason);
	vrfapi_kv_rts(w, "import_rts", e->vrf->cfg->import_rts, e->vrf->cfg->n_import_rts);
	vrfapi_kv_rts(w, "route_targets", rts, n);
	write_common_rts(w, e->vrf, rts, n);
	write_chain(w, e);
	jw_object_end(w);
}

int vrfapi_explain(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const char *name = api_query_get(req, "vrf"), *rds = api_query_get(req, "rd"),
		   *ps = api_query_get(req, "prefix");
	const struct vrf *only = NULL;
	char b[RD_STRLEN];
	struct explain e;
	struct prefix4 p;
	struct rd rd;

	/* the same words as the other endpoints: the parameter, then the form it wants */
	if (rds == NULL || ps == NULL) {
		const char *missing = rds != NULL ? "prefix" : ps != NULL ? "rd" : "rd and prefix";

		return api_param_error(w, 400, rds == NULL ? "rd" : "prefix",
				       "missing %s (want ?rd=RD&prefix=PREFIX, and optionally &vrf=NAME)",
				       missing);
	}
	if (rd_parse(rds, &rd) < 0)
		return api_param_error(w, 400, "rd",
				       "rd: \"%.64s\" is not a route distinguisher (want ASN:NN, "
				       "IP:NN, ASN4:NN or ASNL:NN)", rds);
	if (prefix4_parse(ps, &p) < 0)
		return api_param_error(w, 400, "prefix",
				       "prefix: \"%.64s\" is not an IPv4 prefix (want a.b.c.d/len, "
				       "host bits clear)", ps);
	if (name != NULL && (only = vrf_by_name(&vm->table, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	jw_object_begin(w);
	jw_kv_string(w, "rd", rd_format(&rd, b));
	vrfapi_kv_prefix(w, "prefix", &p);
	explain_source(&vm->table, &rd, &p, &e);
	write_vpn_route(w, &e);
	jw_key(w, "vrfs");
	jw_array_begin(w);
	for (size_t i = 0; i < vm->table.n_vrfs; i++) {
		const struct vrf *v = &vm->table.vrfs[i];

		if (only != NULL && v != only)
			continue;
		explain_route(&vm->table, v, &rd, &p, &e);
		write_verdict(w, &e);
	}
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}
