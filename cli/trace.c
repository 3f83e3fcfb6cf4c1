/*
 * ferryctl trace VRF ADDRESS: the forwarding chain of one destination in
 * one VRF, each link from the daemon that owns it, and every place two
 * daemons disagree:
 *
 *   vrfmgr  the VRF route a packet to ADDRESS matches (longest match among
 *           installed routes), its VPN route (RD, RTs), inner label and
 *           remote PE, the LSP and outer label (/routes?address, /explain);
 *   bgpd    the best path for that RD:prefix (/route): label, next hop, RTs;
 *   fwd     what the packet path itself would do (/lookup): next hop, the
 *           labels it would push, the gateway's MAC; and its FIB entry for
 *           the prefix (/fib).
 *
 * With no VRF route, the VPN routes covering ADDRESS (/vpn, match=shorter),
 * those sharing an import RT or the RD with the VRF (/vrfs) first, and why
 * the VRF does not use each (/explain): "no route" alone left the operator
 * to find a mistyped import RT by hand.
 *
 * cli_trace_report is a pure function of the fetched documents, so its
 * verdicts are unit-tested on recorded answers (tests/unit/test_cli_check.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

struct trace {
	struct json_object *steps, *disagree, *unchecked;
	int n;
};

/* A label or null as text ("-" for none, "imp-null" for 3). */
static const char *lbl(struct json_object *o, const char *key, char *buf, size_t len)
{
	return cli_cell_format(cli_json_get(o, key), CLI_COL_LABEL, buf, len);
}

static bool same(struct json_object *a, const char *ka, struct json_object *b, const char *kb)
{
	const char *x = cli_json_str(a, ka), *y = cli_json_str(b, kb);

	return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static void step(struct trace *t, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void step(struct trace *t, const char *name, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "step", json_object_new_string(name));
	json_object_object_add(o, "text", json_object_new_string(buf));
	json_object_array_add(t->steps, o);
}

/* A daemon that could not be asked: its part of the chain is unknown, and the trace is not clean. */
static void unasked(struct trace *t, const char *daemon, const char *what)
{
	json_object_array_add(t->unchecked, json_object_new_string(daemon));
	t->n++;
	step(t, what, "unknown: %s could not be asked (see above)", daemon);
}

static void disagree(struct trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void disagree(struct trace *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(t->disagree, json_object_new_string(buf));
	t->n++;
}

/* The same set of strings in two arrays. */
static bool same_set(struct json_object *a, struct json_object *b)
{
	size_t na = a ? json_object_array_length(a) : 0, nb = b ? json_object_array_length(b) : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		const char *x = json_object_get_string(json_object_array_get_idx(a, i));
		size_t j;

		for (j = 0; j < nb; j++)
			if (strcmp(x, json_object_get_string(json_object_array_get_idx(b, j))) == 0)
				break;
		if (j == nb)
			return false;
	}
	return true;
}

static char *rts_text(struct json_object *a, char *buf, size_t len)
{
	return (char *)cli_cell_format(a, CLI_COL_LIST, buf, len);
}

/* bgpd's best path for the route vrfmgr uses, held against it. */
static void trace_bgp(struct trace *t, struct json_object *r, struct json_object *doc)
{
	struct json_object *paths = cli_json_get(doc, "paths"), *best = NULL;
	char l1[16], l2[16], rts[256];

	for (size_t i = 0; paths && i < json_object_array_length(paths); i++)
		if (json_object_get_boolean(cli_json_get(json_object_array_get_idx(paths, i), "best")))
			best = json_object_array_get_idx(paths, i);
	if (best == NULL) {
		disagree(t, "bgpd has no best path for %s:%s, which vrfmgr still uses",
			 cli_json_str(r, "rd"), cli_json_str(r, "prefix"));
		return;
	}
	step(t, "BGP best", "from %s, next hop %s, label %s, local-pref %s (%s)",
	     cli_json_str(best, "peer"), cli_json_str(best, "next_hop"),
	     lbl(best, "label", l1, sizeof(l1)),
	     json_object_get_string(cli_json_get(best, "local_pref")),
	     cli_json_text(doc, "best_reason"));
	if (!same(best, "label", r, "inner_label"))
		disagree(t, "bgpd's best path carries label %s, vrfmgr pushes inner label %s",
			 lbl(best, "label", l1, sizeof(l1)), lbl(r, "inner_label", l2, sizeof(l2)));
	if (!same(best, "next_hop", r, "remote_pe"))
		disagree(t, "bgpd's best path has next hop %s, vrfmgr sends to remote PE %s",
			 cli_json_str(best, "next_hop"), cli_json_str(r, "remote_pe"));
	if (!same_set(cli_json_get(best, "route_targets"), cli_json_get(r, "route_targets")))
		disagree(t, "bgpd's best path carries RTs %s, vrfmgr has %s",
			 rts_text(cli_json_get(best, "route_targets"), rts, sizeof(rts)),
			 cli_cell_format(cli_json_get(r, "route_targets"), CLI_COL_LIST, (char[256]){ 0 }, 256));
}

/* The VPN route's chain from vrfmgr: RD, RTs, labels, LSP. */
static void trace_vpn(struct trace *t, struct json_object *r, const struct cli_trace_docs *d)
{
	struct json_object *vrfs = cli_json_get(d->explain, "vrfs"), *ch = NULL, *lsp;
	char l[16], rts[256];

	step(t, "VPN route", "%s:%s, RTs %s", cli_json_str(r, "rd"), cli_json_str(r, "prefix"),
	     rts_text(cli_json_get(r, "route_targets"), rts, sizeof(rts)));
	if (d->bgpd_unasked)
		unasked(t, "bgpd", "BGP best");
	else if (d->bgp_route != NULL)
		trace_bgp(t, r, d->bgp_route);
	else
		disagree(t, "bgpd has no route %s:%s, which vrfmgr still uses", cli_json_str(r, "rd"),
			 cli_json_str(r, "prefix"));
	step(t, "inner label", "%s", lbl(r, "inner_label", l, sizeof(l)));
	step(t, "remote PE", "%s", cli_json_text(r, "remote_pe"));
	if (vrfs != NULL && json_object_array_length(vrfs) > 0)
		ch = cli_json_get(json_object_array_get_idx(vrfs, 0), "chain");
	lsp = cli_json_get(ch, "lsp");
	if (lsp != NULL)
		step(t, "LSP", "%s -> out label %s via %s on %s", cli_json_str(lsp, "fec"),
		     lbl(lsp, "out_label", l, sizeof(l)), cli_json_str(lsp, "next_hop"),
		     cli_json_str(lsp, "interface"));
	else
		step(t, "LSP", "none resolved for %s", cli_json_str(r, "remote_pe"));
	step(t, "outer label", "%s", lbl(r, "outer_label", l, sizeof(l)));
}

/* ---- no VRF route: the VPN routes that cover the address ---- */

static bool rts_meet(struct json_object *a, struct json_object *b)
{
	for (size_t i = 0; a && b && i < json_object_array_length(a); i++)
		for (size_t j = 0; j < json_object_array_length(b); j++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)),
				   json_object_get_string(json_object_array_get_idx(b, j))) == 0)
				return true;
	return false;
}

/* "10.255.0.2:100" -> "100": the number an RD plan of PE:VRF gives the VRF on every PE. */
static const char *rd_number(const char *rd)
{
	const char *c = rd != NULL ? strrchr(rd, ':') : NULL;

	return c != NULL ? c + 1 : NULL;
}

enum cli_trace_relevance cli_trace_relevance(struct json_object *route, struct json_object *vrf)
{
	const char *rd = cli_json_str(route, "rd"), *own = cli_json_str(vrf, "rd");
	const char *n1 = rd_number(rd), *n2 = rd_number(own);

	if (rts_meet(cli_json_get(route, "route_targets"), cli_json_get(vrf, "import_rts")))
		return CLI_TRACE_SHARES_RT;
	if (rd != NULL && own != NULL &&
	    (strcmp(rd, own) == 0 || (n1 != NULL && n2 != NULL && strcmp(n1, n2) == 0)))
		return CLI_TRACE_SAME_RD;
	return CLI_TRACE_OTHER;
}

struct ranked {
	size_t idx;
	int relevance, len;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->relevance != y->relevance)
		return y->relevance - x->relevance;
	if (x->len != y->len)
		return y->len - x->len;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int cli_trace_unused_order(struct json_object *routes, struct json_object *vrf, size_t *order)
{
	size_t n = routes ? json_object_array_length(routes) : 0;
	struct ranked *r = calloc(n ? n : 1, sizeof(*r));

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(routes, i);
		const char *p = cli_json_str(v, "prefix"), *slash = p ? strchr(p, '/') : NULL;

		r[i] = (struct ranked){ i, (int)cli_trace_relevance(v, vrf),
					slash ? atoi(slash + 1) : 0 };
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	for (size_t i = 0; i < n; i++)
		order[i] = r[i].idx;
	free(r);
	return 0;
}

/* The VRF's /vrfs entry, or NULL (not asked, or no answer). */
static struct json_object *vrf_entry(const struct cli_trace_docs *d)
{
	struct json_object *a = cli_json_get(d->vrf_info, "vrfs");

	return a != NULL && json_object_is_type(a, json_type_array) && json_object_array_length(a)
		       ? json_object_array_get_idx(a, 0)
		       : NULL;
}

/* One covering route, and why the VRF does not use it (or that vrfmgr did not say). */
static void unused_step(struct trace *t, const struct cli_trace_docs *d, struct json_object *e)
{
	struct json_object *vrfs = cli_json_get(e, "vrfs");
	struct json_object *v = vrfs && json_object_array_length(vrfs)
					? json_object_array_get_idx(vrfs, 0)
					: NULL;
	char rts[256], imports[256];

	rts_text(cli_json_get(cli_json_get(e, "vpn_route"), "route_targets"), rts, sizeof(rts));
	if (cli_json_str(e, "error") != NULL) {
		step(t, "VPN route", "%s:%s, RTs %s, not explained: %s", cli_json_str(e, "rd"),
		     cli_json_str(e, "prefix"), rts, cli_json_str(e, "error"));
		return;
	}
	step(t, "VPN route", "%s:%s, RTs %s, not used: %s (VRF %s imports %s)",
	     cli_json_str(e, "rd"), cli_json_str(e, "prefix"), rts,
	     v ? cli_json_text(v, "reason") : "not known to vrfmgr", d->vrf,
	     rts_text(cli_json_get(v, "import_rts"), imports, sizeof(imports)));
}

/* "and N more": how many of those not explained share an import RT or the RD with the VRF. */
static void unused_rest(struct trace *t, const struct cli_trace_docs *d, size_t shown)
{
	struct json_object *covering = cli_json_get(d->vpn_covering, "routes"), *vrf = vrf_entry(d);
	size_t n = json_object_array_length(covering), related = 0;
	size_t *order = calloc(n, sizeof(*order));
	char show[80];

	snprintf(show, sizeof(show), "ferryctl show vpn %s/32 shorter", d->address);
	if (vrf != NULL && order != NULL && cli_trace_unused_order(covering, vrf, order) == 0) {
		for (size_t i = shown; i < n; i++)
			related += cli_trace_relevance(json_object_array_get_idx(covering, order[i]),
						       vrf) != CLI_TRACE_OTHER;
		if (related == 0)
			step(t, "VPN route", "and %zu more cover it, none with an import RT or the "
			     "RD of VRF %s (%s)", n - shown, d->vrf, show);
		else
			step(t, "VPN route", "and %zu more cover it, %zu of them with an import RT "
			     "or the RD of VRF %s (%s)", n - shown, related, d->vrf, show);
	} else
		step(t, "VPN route", "and %zu more cover it (%s)", n - shown, show);
	free(order);
}

/*
 * No VRF route covers the address: the VPN routes that do, those that
 * matter to this VRF first (its import RTs, its RD: cli_trace_unused_order),
 * and why the VRF does not use each (vrfmgr's explain: no route target in
 * common, next hop without an LSP, ...). A VRF importing an RT nobody
 * exports (a typo) shows here, with what it imports, next to what the
 * routes carry; on a PE of many tenants, theirs are counted, not listed.
 */
static void trace_unused(struct trace *t, const struct cli_trace_docs *d)
{
	struct json_object *covering = cli_json_get(d->vpn_covering, "routes");
	size_t n = covering ? json_object_array_length(covering) : 0, shown = 0;

	if (d->vpn_covering == NULL)
		return; /* not asked */
	if (n == 0)
		step(t, "VPN route", "none: no VPN route (from any PE) covers %s", d->address);
	for (size_t i = 0; d->unused_explains && i < json_object_array_length(d->unused_explains);
	     i++, shown++)
		unused_step(t, d, json_object_array_get_idx(d->unused_explains, i));
	if (n > shown)
		unused_rest(t, d, shown);
}

/* fwd's FIB entry for prefix in fib, or NULL. */
static struct json_object *fib_entry(struct json_object *fib, const char *prefix)
{
	struct json_object *a = cli_json_get(fib, "fib");

	for (size_t i = 0; prefix && a && i < json_object_array_length(a); i++) {
		const char *p = cli_json_str(json_object_array_get_idx(a, i), "prefix");

		if (p != NULL && strcmp(p, prefix) == 0)
			return json_object_array_get_idx(a, i);
	}
	return NULL;
}

static void push_text(struct json_object *o, const char *outer, const char *inner, char *buf,
		      size_t len)
{
	char l1[16], l2[16];
	bool has_o = cli_json_get(o, outer) != NULL, has_i = cli_json_get(o, inner) != NULL;

	if (!has_o && !has_i)
		snprintf(buf, len, "no labels");
	else if (has_o && has_i)
		snprintf(buf, len, "pushes [%s | %s]", lbl(o, outer, l1, sizeof(l1)),
			 lbl(o, inner, l2, sizeof(l2)));
	else
		snprintf(buf, len, "pushes [%s]", has_o ? lbl(o, outer, l1, sizeof(l1))
							: lbl(o, inner, l2, sizeof(l2)));
}

/* What fwd does with the packet, held against what vrfmgr says it should. */
static void trace_fwd(struct trace *t, struct json_object *r, const struct cli_trace_docs *d)
{
	struct json_object *lk = d->fwd_lookup, *arp = cli_json_get(lk, "arp"), *fe;
	const char *prefix = cli_json_str(r, "prefix");
	char push[64], l1[16], l2[16];

	if (!json_object_get_boolean(cli_json_get(lk, "found"))) {
		disagree(t, "fwd has no route for %s in VRF %s, vrfmgr installed %s", d->address,
			 d->vrf, prefix);
		return;
	}
	push_text(lk, "out_label", "inner_label", push, sizeof(push));
	step(t, "next hop", "%s on %s, MAC %s%s%s%s",
	     cli_json_str(lk, "gateway") ? cli_json_str(lk, "gateway") : "direct",
	     cli_json_str(lk, "interface"),
	     arp ? cli_json_text(arp, "mac") : "not resolved yet",
	     arp ? " (" : "", arp ? cli_json_str(arp, "state") : "", arp ? ")" : "");
	fe = fib_entry(d->fwd_fib, prefix);
	step(t, "fwd holds", "%s %s via %s on %s, %s", fe ? prefix : "(no entry for the prefix)",
	     cli_json_str(lk, "type"), cli_json_text(lk, "gateway"),
	     cli_json_str(lk, "interface"), push);
	if (d->fwd_fib != NULL && fe == NULL)
		disagree(t, "fwd has no FIB entry for %s in VRF %s (a shorter prefix answers)",
			 prefix, d->vrf);
	if (!same(lk, "inner_label", r, "inner_label") || !same(lk, "out_label", r, "outer_label"))
		disagree(t, "fwd pushes [%s | %s], vrfmgr expects [%s | %s]",
			 lbl(lk, "out_label", l1, sizeof(l1)), lbl(lk, "inner_label", l2, sizeof(l2)),
			 lbl(r, "outer_label", (char[16]){ 0 }, 16),
			 lbl(r, "inner_label", (char[16]){ 0 }, 16));
	if (!same(lk, "interface", r, "interface"))
		disagree(t, "fwd sends out of %s, vrfmgr expects %s", cli_json_str(lk, "interface"),
			 cli_json_str(r, "interface"));
	if (cli_json_str(r, "next_hop") != NULL && !same(lk, "gateway", r, "next_hop"))
		disagree(t, "fwd sends to %s, vrfmgr expects next hop %s", cli_json_str(lk, "gateway"),
			 cli_json_str(r, "next_hop"));
}

int cli_trace_report(const struct cli_trace_docs *d, struct json_object **report)
{
	struct json_object *routes = cli_json_get(d->vrf_route, "routes"), *r = NULL;
	struct trace t = { json_object_new_array(), json_object_new_array(), json_object_new_array(),
			   0 };
	const char *src;

	if (routes != NULL && json_object_array_length(routes) > 0)
		r = json_object_array_get_idx(routes, 0); /* the selected candidate */
	if (r == NULL) {
		step(&t, "VRF route", "none: no installed route in VRF %s covers %s", d->vrf,
		     d->address);
		trace_unused(&t, d);
		if (d->fwd_unasked)
			unasked(&t, "fwd", "fwd holds");
		else if (json_object_get_boolean(cli_json_get(d->fwd_lookup, "found")))
			disagree(&t, "fwd still forwards %s in VRF %s (via %s on %s)", d->address,
				 d->vrf, cli_json_str(d->fwd_lookup, "gateway"),
				 cli_json_str(d->fwd_lookup, "interface"));
	} else {
		src = cli_json_str(r, "source");
		step(&t, "VRF route", "%s (%s, distance %s, %s)", cli_json_str(r, "prefix"), src,
		     json_object_get_string(cli_json_get(r, "distance")),
		     json_object_get_boolean(cli_json_get(r, "installed")) ? "installed" : "not installed");
		if (src != NULL && strcmp(src, "bgp") == 0)
			trace_vpn(&t, r, d);
		if (d->fwd_unasked)
			unasked(&t, "fwd", "fwd holds");
		else
			trace_fwd(&t, r, d);
	}
	*report = json_object_new_object();
	json_object_object_add(*report, "vrf", json_object_new_string(d->vrf));
	json_object_object_add(*report, "address", json_object_new_string(d->address));
	json_object_object_add(*report, "route", r ? json_object_get(r) : NULL);
	json_object_object_add(*report, "fwd", json_object_get(d->fwd_lookup));
	json_object_object_add(*report, "steps", t.steps);
	json_object_object_add(*report, "disagreements", t.disagree);
	json_object_object_add(*report, "unchecked", t.unchecked);
	json_object_object_add(*report, "consistent", json_object_new_boolean(t.n == 0));
	return t.n;
}

void cli_trace_print(FILE *out, struct json_object *report)
{
	struct json_object *steps = cli_json_get(report, "steps");
	struct json_object *dis = cli_json_get(report, "disagreements");
	struct json_object *un = cli_json_get(report, "unchecked");
	size_t nd = dis ? json_object_array_length(dis) : 0;
	size_t nu = un ? json_object_array_length(un) : 0;

	fprintf(out, "trace %s in VRF %s\n", cli_json_str(report, "address"), cli_json_str(report, "vrf"));
	for (size_t i = 0; steps && i < json_object_array_length(steps); i++) {
		struct json_object *s = json_object_array_get_idx(steps, i);

		fprintf(out, "  %-12s %s\n", cli_json_str(s, "step"), cli_json_str(s, "text"));
	}
	for (size_t i = 0; i < nd; i++)
		fprintf(out, "  !! %s\n", json_object_get_string(json_object_array_get_idx(dis, i)));
	if (nu > 0) {
		fprintf(out, "  %-12s incomplete: %s%s%s not asked", "verdict",
			json_object_get_string(json_object_array_get_idx(un, 0)),
			nu > 1 ? " and " : "",
			nu > 1 ? json_object_get_string(json_object_array_get_idx(un, 1)) : "");
		if (nd > 0)
			fprintf(out, "; %zu disagreement%s", nd, nd == 1 ? "" : "s");
		fputc('\n', out);
	} else if (nd == 0 && json_object_get_type(cli_json_get(report, "route")) != json_type_object)
		fprintf(out, "  %-12s no route: fwd drops packets to %s (the sender hears network "
			"unreachable); bgpd, vrfmgr and fwd agree\n", "verdict",
			cli_json_str(report, "address"));
	else if (nd == 0)
		fprintf(out, "  %-12s consistent: bgpd, vrfmgr and fwd agree\n", "verdict");
	else
		fprintf(out, "  %-12s %zu disagreement%s\n", "verdict", nd, nd == 1 ? "" : "s");
}

/* vrfmgr's explanation of covering route v in the VRF, or what stands for it when none came. */
static struct json_object *unused_explain(const struct cli_ctx *c, const struct cli_trace_docs *d,
					  struct json_object *v)
{
	struct json_object *e = NULL;
	char p[1024];

	snprintf(p, sizeof(p), "/explain");
	cli_path_add(p, sizeof(p), "rd", cli_json_str(v, "rd"));
	cli_path_add(p, sizeof(p), "prefix", cli_json_str(v, "prefix"));
	cli_path_add(p, sizeof(p), "vrf", d->vrf);
	if (cli_fetch(c, "vrfmgr", p, &e) == 0)
		return e;
	/* one route's question failed (stderr says why): the others are still worth asking */
	e = json_object_new_object();
	json_object_object_add(e, "rd", json_object_get(cli_json_get(v, "rd")));
	json_object_object_add(e, "prefix", json_object_get(cli_json_get(v, "prefix")));
	json_object_object_add(e, "vpn_route", json_object_get(v));
	json_object_object_add(e, "error",
			       json_object_new_string("vrfmgr did not answer GET /explain (see above)"));
	return e;
}

/*
 * No VRF route: the VPN routes covering the address, the VRF's RD and
 * import RTs to rank them by, and vrfmgr's explanation for the first
 * CLI_TRACE_UNUSED_MAX of them in that order. Only /vpn failing ends it.
 */
static int trace_fetch_unused(const struct cli_ctx *c, struct cli_trace_docs *d)
{
	struct json_object *covering;
	size_t n, *order;
	char p[1024], host[32];

	snprintf(host, sizeof(host), "%s/32", d->address);
	snprintf(p, sizeof(p), "/vpn");
	cli_path_add(p, sizeof(p), "prefix", host);
	cli_path_add(p, sizeof(p), "match", "shorter");
	if (cli_fetch(c, "vrfmgr", p, &d->vpn_covering) < 0)
		return -1;
	snprintf(p, sizeof(p), "/vrfs");
	cli_path_add(p, sizeof(p), "vrf", d->vrf);
	if (cli_fetch(c, "vrfmgr", p, &d->vrf_info) < 0)
		d->vrf_info = NULL; /* unranked: in vrfmgr's order */
	covering = cli_json_get(d->vpn_covering, "routes");
	n = covering && json_object_is_type(covering, json_type_array)
		    ? json_object_array_length(covering)
		    : 0;
	if ((order = calloc(n ? n : 1, sizeof(*order))) == NULL ||
	    cli_trace_unused_order(covering, vrf_entry(d), order) < 0) {
		free(order);
		fprintf(c->err, "ferryctl: trace: out of memory\n");
		return -1;
	}
	d->unused_explains = json_object_new_array();
	for (size_t i = 0; i < n && i < CLI_TRACE_UNUSED_MAX; i++)
		json_object_array_add(d->unused_explains,
				      unused_explain(c, d, json_object_array_get_idx(covering, order[i])));
	free(order);
	return 0;
}

/* Fetches what the trace needs; a daemon that cannot answer ends it (-1). */
static int trace_fetch(const struct cli_ctx *c, struct cli_trace_docs *d)
{
	char p[1024];
	struct json_object *routes, *r;
	const char *src;

	snprintf(p, sizeof(p), "/routes");
	cli_path_add(p, sizeof(p), "vrf", d->vrf);
	cli_path_add(p, sizeof(p), "address", d->address);
	switch (cli_fetch_maybe(c, "vrfmgr", p, &d->vrf_route)) {
	case 0:
		break;
	case -2: /* as show vrf NAME says it */
		cli_vrf_unknown_print(c, d->vrf);
		return -1;
	default:
		return -1;
	}
	/* fwd or bgpd unreachable: the rest of the chain is still worth showing (stderr says why) */
	snprintf(p, sizeof(p), "/lookup");
	cli_path_add(p, sizeof(p), "vrf", d->vrf);
	cli_path_add(p, sizeof(p), "address", d->address);
	if (cli_fetch(c, "fwd", p, &d->fwd_lookup) < 0)
		d->fwd_unasked = true;
	snprintf(p, sizeof(p), "/fib");
	cli_path_add(p, sizeof(p), "vrf", d->vrf);
	if (!d->fwd_unasked && cli_fetch(c, "fwd", p, &d->fwd_fib) < 0)
		d->fwd_unasked = true;
	routes = cli_json_get(d->vrf_route, "routes");
	r = routes && json_object_array_length(routes) ? json_object_array_get_idx(routes, 0) : NULL;
	if (r == NULL)
		return trace_fetch_unused(c, d);
	src = cli_json_str(r, "source");
	if (src == NULL || strcmp(src, "bgp") != 0)
		return 0;
	snprintf(p, sizeof(p), "/explain");
	cli_path_add(p, sizeof(p), "rd", cli_json_str(r, "rd"));
	cli_path_add(p, sizeof(p), "prefix", cli_json_str(r, "prefix"));
	cli_path_add(p, sizeof(p), "vrf", d->vrf);
	if (cli_fetch(c, "vrfmgr", p, &d->explain) < 0)
		return -1;
	snprintf(p, sizeof(p), "/route");
	cli_path_add(p, sizeof(p), "rd", cli_json_str(r, "rd"));
	cli_path_add(p, sizeof(p), "prefix", cli_json_str(r, "prefix"));
	/* a 404 here is a finding (bgpd lacks the route), not a failure */
	if (cli_fetch_maybe(c, "bgpd", p, &d->bgp_route) == -1)
		d->bgpd_unasked = true;
	return 0;
}

int cli_trace(const struct cli_ctx *c, const char *vrf, const char *address)
{
	struct cli_trace_docs d = { .vrf = vrf, .address = address };
	struct json_object *report = NULL;
	int n = -1;

	if (trace_fetch(c, &d) == 0) {
		n = cli_trace_report(&d, &report);
		if (c->json)
			fprintf(c->out, "%s\n",
				json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY |
									    JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			cli_trace_print(c->out, report);
	}
	json_object_put(report);
	json_object_put(d.vrf_route);
	json_object_put(d.bgp_route);
	json_object_put(d.explain);
	json_object_put(d.fwd_lookup);
	json_object_put(d.fwd_fib);
	json_object_put(d.vpn_covering);
	json_object_put(d.vrf_info);
	json_object_put(d.unused_explains);
	return n == 0 ? 0 : 1;
}
