/*
 * ferryctl's detail views (cli/show.c picks them): one neighbor, one VPN
 * destination with every path and why the best won, one VRF, and vrf
 * explain's chain per VRF, written as aligned "title: value" lines from the
 * daemons' JSON. The exact text is in the goldens tests/unit/cli/show_*.txt.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o != NULL && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *cell(struct json_object *o, const char *key, enum cli_col_kind kind,
			char *buf, size_t len)
{
	return cli_cell_format(get(o, key), kind, buf, len);
}

/* Cells for one printf: each C() gets its own buffer out of a small ring. */
static char *slot(void)
{
	static char ring[16][512];
	static unsigned n;

	return ring[n++ % 16];
}

/* A count and its noun: "1 member", "3 members" ("- members" when the daemon gave none). */
static const char *counted(struct json_object *o, const char *key, const char *one,
			   const char *many, char *buf, size_t len)
{
	struct json_object *v = get(o, key);
	char n[64];
	bool is_one = json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 1;

	snprintf(buf, len, "%s %s", cli_cell_format(v, CLI_COL_TEXT, n, sizeof(n)),
		 is_one ? one : many);
	return buf;
}

#define C(o, k) cell(o, k, CLI_COL_TEXT, slot(), 512)
#define N(o, k, one, many) counted(o, k, one, many, slot(), 512)
#define L(o, k) cell(o, k, CLI_COL_LIST, slot(), 512)
#define D(o, k) cell(o, k, CLI_COL_DURATION, slot(), 512)
#define LBL(o, k) cell(o, k, CLI_COL_LABEL, slot(), 512)

static void yes(FILE *out, struct json_object *o, const char *key, const char *name, bool *first)
{
	if (json_object_get_boolean(get(o, key))) {
		fprintf(out, "%s%s", *first ? "" : ", ", name);
		*first = false;
	}
}

/*
 * What a peer's graceful restart capability asks: no family, its routes go
 * when its session does; else they are kept across its restart, and it may
 * say it kept forwarding (F) and that it has just restarted (R).
 */
static void gr_families(FILE *out, struct json_object *o)
{
	struct json_object *fams = get(o, "graceful_restart_families"),
			   *fwd = get(o, "graceful_restart_forwarding");

	if (json_object_get_type(fams) != json_type_array)
		return;
	if (json_object_array_length(fams) == 0) {
		fputs(" (helper only: keeps no family across its restart)", out);
		return;
	}
	fprintf(out, " (of %s", L(o, "graceful_restart_families"));
	if (json_object_get_type(fwd) == json_type_array && json_object_array_length(fwd) > 0)
		fprintf(out, ", forwarding kept: %s", L(o, "graceful_restart_forwarding"));
	if (json_object_get_boolean(get(o, "graceful_restart_restarting")))
		fputs(", restarting now", out);
	fputc(')', out);
}

/* What a peer's long-lived graceful restart capability asks (RFC 9494): families, time, F. */
static void llgr_families(FILE *out, struct json_object *o)
{
	struct json_object *fams = get(o, "llgr_families"), *fwd = get(o, "llgr_forwarding");

	if (json_object_get_type(fams) != json_type_array)
		return;
	fprintf(out, " (of %s, stale time %s s", L(o, "llgr_families"), C(o, "llgr_stale_time"));
	if (json_object_get_type(fwd) == json_type_array && json_object_array_length(fwd) > 0)
		fprintf(out, ", forwarding kept: %s", L(o, "llgr_forwarding"));
	fputc(')', out);
}

static void caps_line(FILE *out, const char *title, struct json_object *o)
{
	bool first = true;

	fprintf(out, "  %-16s %s", title, L(o, "families"));
	first = false;
	yes(out, o, "four_octet_as", "4-octet AS", &first);
	yes(out, o, "route_refresh", "route refresh", &first);
	yes(out, o, "enhanced_route_refresh", "enhanced route refresh", &first);
	yes(out, o, "extended_message", "extended message", &first);
	yes(out, o, "graceful_restart", "graceful restart", &first);
	if (json_object_get_boolean(get(o, "graceful_restart")))
		gr_families(out, o);
	yes(out, o, "graceful_restart_notification", "graceful restart after NOTIFICATION", &first);
	yes(out, o, "long_lived_graceful_restart", "long-lived graceful restart", &first);
	if (json_object_get_boolean(get(o, "long_lived_graceful_restart")))
		llgr_families(out, o);
	fputc('\n', out);
}

int cli_print_neighbor(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *nb = get(doc, "neighbor"), *cfg = get(doc, "config"),
			   *s = get(doc, "session"), *r = get(doc, "routes"), *m = get(doc, "messages"),
			   *ue = get(nb, "update_errors"), *g = get(doc, "update_group"),
			   *rtc = get(doc, "route_target_constraint");

	(void)v;
	if (nb == NULL)
		return -1;
	fprintf(out, "BGP neighbor %s (%s), AS %s: %s", C(nb, "address"), C(nb, "description"),
		C(nb, "remote_as"), C(nb, "state"));
	if (json_object_get_boolean(get(nb, "shutdown"))) {
		struct json_object *why = get(nb, "shutdown_message");

		if (json_object_is_type(why, json_type_string))
			fprintf(out, " (shut down in the config: \"%s\")", json_object_get_string(why));
		else
			fputs(" (shut down in the config)", out);
	}
	if (s != NULL && !json_object_is_type(s, json_type_null))
		fprintf(out, " for %s", D(nb, "uptime_s"));
	else if (json_object_is_type(get(nb, "state_s"), json_type_int)) /* as UP/DOWN says */
		fprintf(out, ", down for %s", D(nb, "state_s"));
	else if (json_object_object_get_ex(nb, "state_s", NULL))
		fputs(", never Established", out);
	fprintf(out, "\n  %-16s %s\n", "last error:", C(nb, "last_error"));
	if (json_object_is_type(get(nb, "connect_error"), json_type_string))
		fprintf(out, "  %-16s %s\n", "connect error:", C(nb, "connect_error"));
	fprintf(out, "  %-16s %s, hold %s, connect retry %s, %s\n", "configured:",
		C(cfg, "local_address"), C(cfg, "hold_time"), C(cfg, "connect_retry"),
		json_object_get_boolean(get(cfg, "passive")) ? "passive" : "active");
	if (s != NULL && !json_object_is_type(s, json_type_null)) {
		struct json_object *rx = get(s, "received");

		fprintf(out, "  %-16s %s -> %s, initiated by %s, hold %s, keepalive %s\n", "session:",
			C(s, "local_address"), C(s, "remote_address"), C(s, "initiated_by"),
			C(s, "hold_time"), C(s, "keepalive"));
		caps_line(out, "negotiated:", get(s, "negotiated"));
		fprintf(out, "  %-16s AS %s, router id %s, hold %s\n", "peer's OPEN:", C(rx, "asn"),
			C(rx, "router_id"), C(rx, "hold_time"));
		caps_line(out, "peer offered:", rx);
	}
	fprintf(out, "  %-16s %s received, %s sent\n", "messages:", C(m, "received"), C(m, "sent"));
	fprintf(out, "  %-16s %s accepted (%s best, %s stale", "routes:", C(r, "accepted"),
		C(r, "best"), C(r, "stale"));
	if (json_object_get_int64(get(r, "long_lived_stale")) > 0)
		fprintf(out, ", %s long-lived stale", C(r, "long_lived_stale"));
	fprintf(out, "), %s advertised, %s queued\n", C(r, "advertised"), C(r, "pending_out"));
	fprintf(out, "  %-16s %s treat-as-withdraw (%s), %s attribute discard, %s reset\n",
		"update errors:", C(ue, "treat_as_withdraw"),
		N(ue, "routes_withdrawn", "route", "routes"),
		C(ue, "attribute_discard"), C(ue, "session_reset"));
	if (rtc != NULL && !json_object_is_type(rtc, json_type_null))
		fprintf(out, "  %-16s %s received (%s), %s advertised; %s held back\n",
			"rt constraint:", N(rtc, "membership_received", "membership route",
					     "membership routes"),
			json_object_get_boolean(get(rtc, "ready")) ? "complete" : "waiting for End-of-RIB",
			C(rtc, "membership_advertised"),
			N(rtc, "held_back", "VPN route", "VPN routes"));
	if (g != NULL && !json_object_is_type(g, json_type_null))
		fprintf(out, "  %-16s %s (%s, %s built), %s queued\n", "update group:", C(g, "id"),
			N(g, "members", "member", "members"),
			N(g, "updates_built", "UPDATE", "UPDATEs"),
			N(doc, "output_queued_bytes", "byte", "bytes"));
	return 0;
}

/* The ranking entry of the path from peer (the reason it won or lost). */
static const char *path_why(struct json_object *ranking, const char *peer, char *buf, size_t len)
{
	size_t k = json_object_is_type(ranking, json_type_array) ? json_object_array_length(ranking)
								   : 0;

	for (size_t i = 0; i < k; i++) {
		struct json_object *e = json_object_array_get_idx(ranking, i);
		const char *p = json_object_get_string(get(e, "peer"));

		if (p != NULL && peer != NULL && strcmp(p, peer) == 0) {
			struct json_object *why = get(e, "reason");

			if (why == NULL)
				why = get(e, "lost_because");
			snprintf(buf, len, "%s%s", get(e, "reason") ? "best: " : "lost: ",
				 why ? json_object_get_string(why) : "-");
			return buf;
		}
	}
	return "-";
}

int cli_print_route(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	static const struct cli_column cols[] = {
		{ "BEST", "best", CLI_COL_MARK },     { "PEER", "peer", CLI_COL_TEXT },
		{ "LABEL", "label", CLI_COL_LABEL },  { "NEXT-HOP", "next_hop", CLI_COL_TEXT },
		{ "ROUTE-TARGETS", "route_targets", CLI_COL_LIST },
		{ "LOCPRF", "local_pref", CLI_COL_TEXT }, { "MED", "med", CLI_COL_TEXT },
		{ "AS-PATH", "as_path", CLI_COL_TEXT }, { "ORIGIN", "origin", CLI_COL_TEXT },
		{ "WHY", "why", CLI_COL_TEXT },
	};
	struct json_object *paths = get(doc, "paths"), *ranking = get(doc, "ranking");
	char why[256];
	size_t k;

	(void)v;
	if (!json_object_is_type(paths, json_type_array))
		return -1;
	k = json_object_array_length(paths);
	fprintf(out, "%s:%s  %zu path%s, best: %s\n", C(doc, "rd"), C(doc, "prefix"), k,
		k == 1 ? "" : "s", C(doc, "best_reason"));
	fprintf(out, "  advertised to: %s; sent to vrfmgr: %s\n\n", L(doc, "advertised_to"),
		cell(doc, "sent_to_vrfmgr", CLI_COL_BOOL, slot(), 512));
	for (size_t i = 0; i < k; i++) {
		struct json_object *p = json_object_array_get_idx(paths, i);

		path_why(ranking, json_object_get_string(get(p, "peer")), why, sizeof(why));
		json_object_object_add(p, "why", json_object_new_string(why));
	}
	return cli_table_print(out, paths, COLS(cols));
}

/*
 * vrfmgr's "exports_waiting": routes the VRF would export and does not, for
 * want of a free label; "exports_old_label": routes exported meanwhile with
 * the label of the VRF's mode before a label_mode change, for want of one
 * of the new mode. Its label is null then, which a per-CE VRF's always is:
 * without this the VRF would look like any other.
 */
static bool label_wait_text(struct json_object *vrf, char *buf, size_t len)
{
	int64_t n = json_object_get_int64(get(vrf, "exports_waiting"));
	int64_t old = json_object_get_int64(get(vrf, "exports_old_label"));
	size_t at = 0;

	buf[0] = '\0';
	if (n > 0)
		at = (size_t)snprintf(buf, len, "%lld route%s not exported: no free label in "
				      "router.label_range (exported once one is free)",
				      (long long)n, n == 1 ? "" : "s");
	if (old > 0 && at < len)
		snprintf(buf + at, len - at, "%s%lld route%s exported with %s label from before the "
			 "label mode change: no free label of the new mode (relabelled once one "
			 "is free)", at ? "; " : "", (long long)old, old == 1 ? "" : "s",
			 old == 1 ? "its" : "their");
	return n > 0 || old > 0;
}

/*
 * A VRF's own route (connected, static) that is not exported (export_label
 * null: unused, outranked, or its VRF exports nothing) reads "not exported"
 * under ROUTE-TARGETS: the VRF's export RTs there (an older vrfmgr gives
 * them on every local route) read as if it went out with them.
 */
static void local_not_exported(struct json_object *r)
{
	const char *src = json_object_get_string(get(r, "source"));
	struct json_object *label;

	/* no export_label at all: a vrfmgr from before it, which cannot say */
	if (src != NULL && (strcmp(src, "connected") == 0 || strcmp(src, "static") == 0) &&
	    json_object_object_get_ex(r, "export_label", &label) && label == NULL)
		json_object_object_add(r, "route_targets", json_object_new_string("not exported"));
}

/*
 * show vrf routes: a route not installed says why under INSTALLED ("no:
 * next hop 10.7.7.7 is not on a connected subnet of the VRF", "no: the
 * path with RD ... is preferred"), the reason vrfmgr gives in /routes;
 * "no" alone left the operator to guess, or to ask --json.
 */
int cli_print_vrf_routes(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *routes = get(doc, "routes");
	size_t k = json_object_is_type(routes, json_type_array) ? json_object_array_length(routes)
								  : 0;
	char why[320];

	for (size_t i = 0; i < k; i++) {
		struct json_object *r = json_object_array_get_idx(routes, i);
		struct json_object *inst = get(r, "installed"), *reason = get(r, "reason");

		local_not_exported(r);
		if (!json_object_is_type(inst, json_type_boolean) || json_object_get_boolean(inst) ||
		    !json_object_is_type(reason, json_type_string))
			continue;
		snprintf(why, sizeof(why), "no: %s", json_object_get_string(reason));
		json_object_object_add(r, "installed", json_object_new_string(why));
	}
	return cli_view_table(out, v, doc);
}

/*
 * show labels, show lfib: a label that pops to a connected subnet has an
 * interface and no gateway (next_hop null): each packet goes to its own
 * destination on that link. NEXT-HOP says "connected" there; "-" read as
 * going nowhere.
 */
int cli_print_label_table(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *rows = get(doc, v->array_key);
	size_t k = json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;

	for (size_t i = 0; i < k; i++) {
		struct json_object *e = json_object_array_get_idx(rows, i);

		if (get(e, "interface") != NULL && get(e, "next_hop") == NULL)
			json_object_object_add(e, "next_hop", json_object_new_string("connected"));
	}
	return cli_view_table(out, v, doc);
}

/* show vrf: a VRF whose routes wait for a label (or a relabel) reads "none free" under LABEL. */
int cli_print_vrfs(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *vrfs = get(doc, "vrfs");
	size_t k = json_object_is_type(vrfs, json_type_array) ? json_object_array_length(vrfs) : 0;

	for (size_t i = 0; i < k; i++) {
		struct json_object *e = json_object_array_get_idx(vrfs, i);

		if (json_object_get_int64(get(e, "exports_waiting")) > 0 ||
		    json_object_get_int64(get(e, "exports_old_label")) > 0)
			json_object_object_add(e, "label", json_object_new_string("none free"));
	}
	return cli_view_table(out, v, doc);
}

int cli_print_vrf(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	static const struct cli_column cols[] = {
		{ "rd:", "rd", CLI_COL_TEXT },
		{ "label:", "label", CLI_COL_LABEL },
		{ "label mode:", "label_mode", CLI_COL_TEXT },
		{ "import RTs:", "import_rts", CLI_COL_LIST },
		{ "export RTs:", "export_rts", CLI_COL_LIST },
		{ "interfaces:", "interfaces", CLI_COL_LIST },
		{ "routes:", "route_count", CLI_COL_TEXT },
		{ "prefixes:", "prefix_count", CLI_COL_TEXT },
		{ "max routes:", "max_routes", CLI_COL_TEXT },
		{ "limit state:", "limit_state", CLI_COL_TEXT },
		{ "refused:", "routes_refused", CLI_COL_TEXT },
		/* last: only for a VRF whose routes wait for a label */
		{ "label wait:", "label_wait", CLI_COL_TEXT },
	};
	struct json_object *vrfs = get(doc, "vrfs");
	size_t k = json_object_is_type(vrfs, json_type_array) ? json_object_array_length(vrfs) : 0;

	for (size_t i = 0; i < k; i++) {
		struct json_object *e = json_object_array_get_idx(vrfs, i);
		const char *name = json_object_get_string(get(e, "name"));
		char wait[320];

		if (name == NULL || strcmp(name, v->name) != 0)
			continue;
		fprintf(out, "VRF %s (id %s)\n", name, C(e, "id"));
		if (!label_wait_text(e, wait, sizeof(wait))) {
			cli_fields_print(out, e, cols, sizeof(cols) / sizeof(cols[0]) - 1, 2);
			return 0;
		}
		json_object_object_add(e, "label_wait", json_object_new_string(wait));
		cli_fields_print(out, e, COLS(cols), 2);
		return 0;
	}
	fprintf(stderr, "ferryctl: no VRF named \"%s\"\n", v->name); /* vrfmgr said 404 first */
	return -2;
}

static void chain_line(FILE *out, struct json_object *ch)
{
	struct json_object *lsp = get(ch, "lsp");

	fprintf(out, "      chain: %s", C(ch, "vpn_route"));
	if (get(ch, "inner_label") != NULL && !json_object_is_type(get(ch, "inner_label"),
								   json_type_null))
		fprintf(out, " -> inner label %s -> PE %s", LBL(ch, "inner_label"),
			C(ch, "remote_pe"));
	if (lsp != NULL && !json_object_is_type(lsp, json_type_null))
		fprintf(out, " -> LSP %s out label %s", C(lsp, "fec"), LBL(ch, "outer_label"));
	fprintf(out, " -> %s via %s\n", C(ch, "interface"), C(ch, "next_hop"));
}

/*
 * More VRFs than this with no RT in common with the route (most of a
 * multi-tenant PE's, for any one route) are one line, not one each.
 */
#define EXPLAIN_NO_RT_LINES 3

static bool no_common_rt(struct json_object *e)
{
	return strcmp(C(e, "verdict"), "no-common-rt") == 0;
}

/* "  499 VRFs: no-common-rt: ... (t1, t2, t3, +496 more; ...)" */
static void explain_no_rt_line(FILE *out, struct json_object *vrfs, size_t k, size_t n_no_rt)
{
	size_t shown = 0;

	fprintf(out, "  %zu VRFs: no-common-rt: none of their import RTs is among the route's (",
		n_no_rt);
	for (size_t i = 0; i < k && shown < EXPLAIN_NO_RT_LINES; i++) {
		struct json_object *e = json_object_array_get_idx(vrfs, i);

		if (no_common_rt(e))
			fprintf(out, "%s%s", shown++ ? ", " : "", C(e, "vrf"));
	}
	fprintf(out, ", +%zu more; vrf explain RD PREFIX VRF for one)\n", n_no_rt - shown);
}

int cli_print_explain(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *vr = get(doc, "vpn_route"), *vrfs = get(doc, "vrfs");
	size_t k = json_object_is_type(vrfs, json_type_array) ? json_object_array_length(vrfs) : 0;
	size_t n_no_rt = 0;

	(void)v;
	fprintf(out, "%s:%s: ", C(doc, "rd"), C(doc, "prefix"));
	if (vr == NULL || json_object_is_type(vr, json_type_null))
		fprintf(out, "not known to vrfmgr (bgpd has not given it, no VRF exports it)\n");
	else if (strcmp(C(vr, "source"), "local") == 0 &&
		 json_object_get_boolean(get(vr, "exported")))
		fprintf(out, "local to VRF %s, exported with label %s, RTs %s\n", C(vr, "vrf"),
			LBL(vr, "label"), L(vr, "route_targets"));
	else if (strcmp(C(vr, "source"), "local") == 0) /* no label nor RT goes with it */
		fprintf(out, "local to VRF %s, not exported\n", C(vr, "vrf"));
	else
		fprintf(out, "from BGP peer %s, label %s, next hop %s, RTs %s%s%s\n", C(vr, "peer"),
			LBL(vr, "label"), C(vr, "next_hop"), L(vr, "route_targets"),
			get(vr, "problem") && !json_object_is_type(get(vr, "problem"), json_type_null)
				? ", problem: "
				: "",
			get(vr, "problem") && !json_object_is_type(get(vr, "problem"), json_type_null)
				? C(vr, "problem")
				: "");
	for (size_t i = 0; i < k; i++)
		n_no_rt += no_common_rt(json_object_array_get_idx(vrfs, i));
	for (size_t i = 0; i < k; i++) {
		struct json_object *e = json_object_array_get_idx(vrfs, i), *ch = get(e, "chain");

		if (n_no_rt > EXPLAIN_NO_RT_LINES && no_common_rt(e))
			continue;
		fprintf(out, "  VRF %s: %s: %s (import RTs %s, in common %s)\n", C(e, "vrf"),
			C(e, "verdict"), C(e, "reason"), L(e, "import_rts"), L(e, "common_rts"));
		if (ch != NULL && !json_object_is_type(ch, json_type_null))
			chain_line(out, ch);
	}
	if (n_no_rt > EXPLAIN_NO_RT_LINES)
		explain_no_rt_line(out, vrfs, k, n_no_rt);
	return 0;
}
