/*
 * ferryctl verify's checks of the daemons' tables against each other
 * (verify.c says each contract): bgpd -> vrfmgr, import, exports,
 * vrfmgr -> fwd FIB and LFIB.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/verify_int.h"

/* ---- bgpd -> vrfmgr ---------------------------------------------------------------- */

/* The path vrfmgr should have for each RD:prefix: the best one, if it is remote. */
static struct json_object *bgp_remote_best(struct json_object *routes, struct json_object **any)
{
	struct json_object *best = json_object_new_object();

	*any = json_object_new_object();
	for (size_t i = 0; i < vf_len_of(routes); i++) {
		struct json_object *p = json_object_array_get_idx(routes, i);
		char key[256];

		if (cli_json_str(p, "peer") != NULL && strcmp(cli_json_str(p, "peer"), "local") == 0)
			continue;
		snprintf(key, sizeof(key), "%s:%s", cli_json_text(p, "rd"), cli_json_text(p, "prefix"));
		if (json_object_get_boolean(cli_json_get(p, "best")))
			json_object_object_add(best, key, json_object_get(p));
		if (!json_object_object_get_ex(*any, key, NULL))
			json_object_object_add(*any, key, json_object_get(p));
	}
	return best;
}

void vf_check_bgp_vpn(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *any, *best = bgp_remote_best(cli_json_get(d->bgp_routes, "routes"), &any);
	struct json_object *vpn = vf_index_by(cli_json_get(d->vpn, "routes"), "rd", "prefix");
	char a[16], b[16];

	json_object_object_foreach(any, key, p)
	{
		struct json_object *want, *have;

		if (!json_object_object_get_ex(best, key, &want))
			want = p; /* a local path won: vrfmgr gets a remote one, any */
		v->compared[VF_BGP_VPN]++;
		if (!json_object_object_get_ex(vpn, key, &have))
			vf_found(v, VF_BGP_VPN, key, "missing in vrfmgr: bgpd's best path from %s, label %s",
			      cli_json_text(want, "peer"), vf_lbl(want, "label", a));
		else if (!vf_same(want, "label", have, "label") ||
			 !vf_same(want, "next_hop", have, "next_hop"))
			vf_found(v, VF_BGP_VPN, key, "different: bgpd label %s next hop %s, vrfmgr label %s "
					 "next hop %s", vf_lbl(want, "label", a), cli_json_text(want, "next_hop"),
			      vf_lbl(have, "label", b), cli_json_text(have, "next_hop"));
	}
	json_object_object_foreach(vpn, vkey, vr)
	{
		if (!json_object_object_get_ex(any, vkey, NULL))
			vf_found(v, VF_BGP_VPN, vkey, "extra in vrfmgr: label %s from %s, bgpd has no such route",
			      vf_lbl(vr, "label", a), cli_json_text(vr, "peer"));
	}
	json_object_put(best);
	json_object_put(any);
	json_object_put(vpn);
}

/* ---- import: RTs decide which VRFs hold a VPN route ------------------------------------------ */

static bool rts_meet(struct json_object *a, struct json_object *b)
{
	for (size_t i = 0; i < vf_len_of(a); i++)
		if (vf_contains(b, json_object_get_string(json_object_array_get_idx(a, i))))
			return true;
	return false;
}

void vf_check_import(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *vpn = cli_json_get(d->vpn, "routes");
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");
	char key[256];

	for (size_t i = 0; i < vf_len_of(vpn); i++) {
		struct json_object *r = json_object_array_get_idx(vpn, i), *in = cli_json_get(r, "vrfs");

		if (cli_json_get(r, "problem") != NULL)
			continue; /* unusable: no VRF may hold it */
		snprintf(key, sizeof(key), "%s:%s", cli_json_text(r, "rd"), cli_json_text(r, "prefix"));
		v->compared[VF_IMPORT]++;
		for (size_t k = 0; k < vf_len_of(vrfs); k++) {
			struct json_object *vrf = json_object_array_get_idx(vrfs, k);
			const char *name = cli_json_text(vrf, "name"), *lim = cli_json_str(vrf, "limit_state");
			bool should = rts_meet(cli_json_get(r, "route_targets"), cli_json_get(vrf, "import_rts"));
			bool has = vf_contains(in, name);

			if (should && !has && !(lim != NULL && strcmp(lim, "full") == 0))
				vf_found(v, VF_IMPORT, key, "VRF %s imports one of its RTs but does not hold it",
				      name);
			if (!should && has)
				vf_found(v, VF_IMPORT, key, "VRF %s holds it without a route target in common",
				      name);
		}
	}
}

/* ---- exports: bgpd's local paths are VRF routes ---------------------------------------------- */

static struct json_object *vrf_by_rd(struct json_object *vrfs, const char *rd)
{
	for (size_t k = 0; rd && k < vf_len_of(vrfs); k++)
		if (strcmp(cli_json_text(json_object_array_get_idx(vrfs, k), "rd"), rd) == 0)
			return json_object_array_get_idx(vrfs, k);
	return NULL;
}

/*
 * A VRF whose routes wait for a free label exports none of them: bgpd and
 * vrfmgr agree (there is nothing to compare), yet remote sites cannot
 * reach that customer. A warning, as a link fwd cannot open is. So are the
 * routes of a VRF whose label_mode changed, exported meanwhile with their
 * label of the old mode (vrfmgr's exports_old_label): reachable, but the
 * relabel may wait for good, as long as no label of the new mode is free.
 */
static void exports_waiting(struct verify *v, struct json_object *vrfs)
{
	for (size_t k = 0; k < vf_len_of(vrfs); k++) {
		struct json_object *vrf = json_object_array_get_idx(vrfs, k);
		int64_t n = json_object_get_int64(cli_json_get(vrf, "exports_waiting"));
		int64_t old = json_object_get_int64(cli_json_get(vrf, "exports_old_label"));
		const char *name = cli_json_text(vrf, "name");

		if (n > 0)
			vf_warned(v, VF_EXPORTS, name,
				  "%lld route%s of VRF %s not exported: no free label in "
				  "router.label_range (exported once one is free; show labels)",
				  (long long)n, n == 1 ? "" : "s", name);
		if (old > 0)
			vf_warned(v, VF_EXPORTS, name,
				  "%lld route%s of VRF %s exported with %s label from before the "
				  "label mode change: no free label of the new mode in "
				  "router.label_range (relabelled once one is free; show labels)",
				  (long long)old, old == 1 ? "" : "s", name,
				  old == 1 ? "its" : "their");
	}
}

void vf_check_exports(struct verify *v, const struct cli_verify_docs *d,
			  struct json_object *vroutes)
{
	struct json_object *routes = cli_json_get(d->bgp_routes, "routes");
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");
	char key[256], a[16], b[16];

	for (size_t i = 0; i < vf_len_of(routes); i++) {
		struct json_object *p = json_object_array_get_idx(routes, i), *vrf, *vr;
		char vkey[256];
		const char *src;

		if (cli_json_str(p, "peer") == NULL || strcmp(cli_json_str(p, "peer"), "local") != 0)
			continue;
		snprintf(key, sizeof(key), "%s:%s", cli_json_text(p, "rd"), cli_json_text(p, "prefix"));
		v->compared[VF_EXPORTS]++;
		if ((vrf = vrf_by_rd(vrfs, cli_json_str(p, "rd"))) == NULL) {
			vf_found(v, VF_EXPORTS, key, "bgpd exports it but no VRF has RD %s", cli_json_text(p, "rd"));
			continue;
		}
		snprintf(vkey, sizeof(vkey), "%s:%s", cli_json_text(vrf, "name"),
			 cli_json_text(p, "prefix"));
		src = json_object_object_get_ex(vroutes, vkey, &vr) ? cli_json_str(vr, "source") : NULL;
		if (src == NULL || strcmp(src, "bgp") == 0)
			vf_found(v, VF_EXPORTS, key, "bgpd exports it but VRF %s has no local route %s",
			      cli_json_text(vrf, "name"), cli_json_text(p, "prefix"));
		else if (cli_json_get(vrf, "label") != NULL &&
			 strcmp(cli_json_text(vrf, "label_mode"), "per-vrf") == 0 &&
			 !vf_same(p, "label", vrf, "label"))
			vf_found(v, VF_EXPORTS, key, "exported with label %s, VRF %s's label is %s",
			      vf_lbl(p, "label", a), cli_json_text(vrf, "name"), vf_lbl(vrf, "label", b));
	}
	exports_waiting(v, vrfs);
}

/* ---- vrfmgr -> fwd ------------------------------------------------------------------------------ */

static void fwd_text(struct json_object *e, const char *gw, const char *out, const char *in,
		     char *buf, size_t len)
{
	char a[16], b[16];

	snprintf(buf, len, "via %s on %s [%s | %s]", cli_json_text(e, gw),
		 cli_json_text(e, "interface"), vf_lbl(e, out, a), vf_lbl(e, in, b));
}

void vf_check_fib(struct verify *v, const struct cli_verify_docs *d, struct json_object *vroutes)
{
	struct json_object *fib = vf_index_by(cli_json_get(d->fib, "fib"), "vrf", "prefix");
	char want[160], have[160];

	json_object_object_foreach(vroutes, key, r)
	{
		struct json_object *e;

		if (!json_object_get_boolean(cli_json_get(r, "installed")))
			continue;
		v->compared[VF_FIB]++;
		fwd_text(r, "next_hop", "outer_label", "inner_label", want, sizeof(want));
		if (!json_object_object_get_ex(fib, key, &e)) {
			vf_found(v, VF_FIB, key, "missing in fwd: vrfmgr installed it %s", want);
			continue;
		}
		fwd_text(e, "gateway", "out_label", "inner_label", have, sizeof(have));
		if (!vf_same(r, "inner_label", e, "inner_label") || !vf_same(r, "outer_label", e, "out_label") ||
		    !vf_same(r, "interface", e, "interface") || !vf_same(r, "next_hop", e, "gateway"))
			vf_found(v, VF_FIB, key, "different: vrfmgr %s, fwd %s", want, have);
	}
	json_object_object_foreach(fib, fkey, fe)
	{
		struct json_object *vr;

		if (!json_object_object_get_ex(vroutes, fkey, &vr) ||
		    !json_object_get_boolean(cli_json_get(vr, "installed"))) {
			fwd_text(fe, "gateway", "out_label", "inner_label", have, sizeof(have));
			vf_found(v, VF_FIB, fkey, "extra in fwd: %s, vrfmgr has no installed route", have);
		}
	}
	json_object_put(fib);
}

/* Whether fwd's action a is vrfmgr's b, each as ferryctl says it (pop_lookup for pop-lookup). */
static bool same_action(const char *a, const char *b)
{
	return a != NULL && b != NULL &&
	       strcmp(cli_lfib_action_text(a), cli_lfib_action_text(b)) == 0;
}

/*
 * The LFIB action vrfmgr expects for label l, or NULL for none: one in use
 * says it; one held down and kept in fwd (programmed) has its mode's. In
 * the operator's spelling, fwd's (pop_lookup), as the messages show it.
 */
static const char *lfib_expected(struct json_object *l, bool *held)
{
	const char *act = cli_lfib_action_text(cli_json_text(l, "action"));
	struct json_object *p = cli_json_get(l, "programmed");

	*held = strcmp(act, "held") == 0;
	if (strcmp(act, "pop_lookup") == 0 || strcmp(act, "pop_forward") == 0)
		return act;
	if (!*held || p == NULL || !json_object_get_boolean(p))
		return NULL; /* reserved, or held without an entry */
	return strcmp(cli_json_text(l, "mode"), "per-vrf") == 0 ? "pop_lookup" : "pop_forward";
}

static struct json_object *lfib_entry(struct json_object *lfib, struct json_object *l)
{
	struct json_object *e = NULL;

	for (size_t k = 0; k < vf_len_of(lfib); k++)
		if (vf_same(json_object_array_get_idx(lfib, k), "in_label", l, "label"))
			e = json_object_array_get_idx(lfib, k);
	return e;
}

/* Each label vrfmgr has in fwd's LFIB is there, as it says. */
static void check_lfib_wanted(struct verify *v, struct json_object *labels,
			      struct json_object *lfib)
{
	char key[32];

	for (size_t i = 0; i < vf_len_of(labels); i++) {
		struct json_object *l = json_object_array_get_idx(labels, i), *e;
		bool held;
		const char *act = lfib_expected(l, &held);

		if (act == NULL)
			continue;
		v->compared[VF_LFIB]++;
		snprintf(key, sizeof(key), "label %s", cli_json_text(l, "label"));
		e = lfib_entry(lfib, l);
		if (e == NULL)
			vf_found(v, VF_LFIB, key, "missing in fwd: vrfmgr %s (%s, VRF %s)",
			      held ? "keeps it through its hold-down" : "uses it", act,
			      cli_json_text(l, "vrf"));
		else if (!same_action(cli_json_str(e, "action"), act) ||
			 (strcmp(act, "pop_lookup") == 0 && !vf_same(e, "vrf", l, "vrf")))
			vf_found(v, VF_LFIB, key, "different: vrfmgr %s VRF %s, fwd %s VRF %s", act,
			      cli_json_text(l, "vrf"), cli_lfib_action_text(cli_json_text(e, "action")),
			      cli_json_text(e, "vrf"));
	}
}

void vf_check_lfib(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *labels = cli_json_get(d->labels, "labels");
	struct json_object *lfib = cli_json_get(d->lfib, "lfib");
	char key[32];

	check_lfib_wanted(v, labels, lfib);
	for (size_t k = 0; k < vf_len_of(lfib); k++) {
		struct json_object *e = json_object_array_get_idx(lfib, k), *l = NULL;
		struct json_object *p;
		bool held;

		for (size_t i = 0; i < vf_len_of(labels) && l == NULL; i++)
			if (vf_same(json_object_array_get_idx(labels, i), "label", e, "in_label"))
				l = json_object_array_get_idx(labels, i);
		snprintf(key, sizeof(key), "label %s", cli_json_text(e, "in_label"));
		if (l == NULL)
			vf_found(v, VF_LFIB, key, "extra in fwd: %s, vrfmgr has no such label",
			      cli_lfib_action_text(cli_json_text(e, "action")));
		/* a vrfmgr older than "programmed" says nothing either way */
		else if (lfib_expected(l, &held) == NULL && held &&
			 (p = cli_json_get(l, "programmed")) != NULL && !json_object_get_boolean(p))
			vf_found(v, VF_LFIB, key, "extra in fwd: %s, vrfmgr holds it down without an LFIB "
			      "entry", cli_lfib_action_text(cli_json_text(e, "action")));
	}
}
