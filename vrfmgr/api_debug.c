/*
 * TEST ONLY fault injection (docs/api.md, "Fault injection"): make fwd
 * disagree with vrfmgr, so that `ferryctl verify` and `ferryctl trace` can
 * be shown to catch it. Each call sends one message to fwd through the real
 * dataplane, behind the core's back: vrfmgr's own tables and /events do not
 * change, exactly like a lost or corrupted IPC message would.
 *
 * Write routes: POST only, refused unless the config says
 * "api": {"read_only": false}, and only ever on the Unix socket. A fwd that
 * reconnects gets a full replay and is consistent again.
 */
#include "common/label.h"
#include "vrfmgr/api.h"
#include "vrfmgr/vrfmgr.h"

/* The VRF and installed prefix named by ?vrf=&prefix=; 0 or the error status written. */
static int debug_target(struct jw *w, const struct api_request *req, struct vrfmgr *vm,
			const struct vrf **vout, const struct vrf_prefix **vpout)
{
	const char *name = api_query_get(req, "vrf"), *ps = api_query_get(req, "prefix");
	const struct vrf_prefix *vp;
	struct prefix4 p;
	struct vrf *v;

	if (name == NULL || ps == NULL)
		return api_param_error(w, 400, name == NULL ? "vrf" : "prefix",
				       "want ?vrf=NAME&prefix=PREFIX");
	if ((v = vrf_by_name(&vm->table, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	if (prefix4_parse(ps, &p) < 0)
		return api_param_error(w, 400, "prefix",
				       "prefix: \"%.64s\" is not an IPv4 prefix (want a.b.c.d/len, "
				       "host bits clear)", ps);
	vp = rtable_find(&v->routes, &p);
	if (vp == NULL || vp->fib_nh == NULL)
		return api_error(w, 404, "%s is not installed in VRF %s", ps, name);
	*vout = v;
	*vpout = vp;
	return 0;
}

static int debug_done(struct jw *w, const struct vrfmgr *vm, const char *what, const struct vrf *v,
		      const struct vrf_prefix *vp)
{
	jw_object_begin(w);
	jw_kv_string(w, "injected", what);
	jw_kv_string(w, "vrf", v->cfg->name);
	vrfapi_kv_prefix(w, "prefix", &vp->prefix);
	jw_kv_bool(w, "sent_to_fwd", vm->fwd.conn != NULL);
	jw_object_end(w);
	return 200;
}

int vrfapi_debug_fib_del(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const struct vrf_prefix *vp;
	const struct vrf *v;
	struct ipc_fib_entry e = { 0 };
	int rc;

	if ((rc = debug_target(w, req, vm, &v, &vp)) != 0)
		return rc;
	vrf_prefix_fib_entry(v, vp, &e); /* debug_target found it installed */
	DP_CALL(vrfapi_real_dataplane(vm), fib_del, &e);
	return debug_done(w, vm, "fib-del", v, vp);
}

int vrfapi_debug_fib_label(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	const struct vrf_prefix *vp;
	const struct vrf *v;
	struct ipc_fib_entry e = { 0 };
	uint64_t label = MPLS_LABEL_NONE;
	int rc;

	if ((rc = api_param_uint(w, req, "label", 16, MPLS_LABEL_MAX, &label)) != 0 ||
	    (rc = debug_target(w, req, vm, &v, &vp)) != 0)
		return rc;
	if (label == MPLS_LABEL_NONE)
		return api_param_error(w, 400, "label", "want &label=N (16..%u)", MPLS_LABEL_MAX);
	vrf_prefix_fib_entry(v, vp, &e); /* debug_target found it installed */
	e.inner_label = (uint32_t)label;
	DP_CALL(vrfapi_real_dataplane(vm), fib_add, &e);
	return debug_done(w, vm, "fib-label", v, vp);
}
