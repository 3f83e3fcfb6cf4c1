/*
 * `ferryctl show ...`: the documented command syntax (docs/api.md).
 *
 *   show bgp neighbors [ADDRESS]       (show bgp summary: the same table)
 *   show bgp vpnv4 [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor A|local] [best]
 *   show vrf [NAME] [routes [PREFIX|ADDRESS]]
 *   show vpn [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor A]
 *   show labels [VRF] | lsp | fib [VRF] | lfib [VRF] | interfaces [VRF] | counters [VRF] | arp
 *   vrf explain RD PREFIX [VRF]       (main.c)
 *
 * Each form becomes a view: which daemon and path to ask and how to print
 * the answer. A question about one thing (a neighbor, a VPN prefix with its
 * RD, a VRF) gets a detail view; everything else a table.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define COLS(a) a, sizeof(a) / sizeof(a[0])

const char *const cli_show_usage[] = {
	"show bgp neighbors [ADDRESS]   (or show bgp summary)",
	"show bgp vpnv4 [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor ADDRESS|local] [best]",
	"show vrf [NAME] [routes [PREFIX|ADDRESS]]",
	"show vpn [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor ADDRESS]",
	"show labels [VRF]",
	"show lsp",
	"show fib [VRF]",
	"show lfib [VRF]",
	"show interfaces [VRF]",
	"show counters [VRF]",
	"show arp",
	"vrf explain RD PREFIX [VRF]",
	"trace VRF ADDRESS",
	"verify [--once]",
	"events [bgpd] [vrfmgr] [--since N] [--snapshot] [--count N]",
	NULL,
};

static void view_table(struct cli_view *v, const char *daemon, const char *path,
		       const char *array_key, const struct cli_column *cols, size_t ncols)
{
	memset(v, 0, sizeof(*v));
	v->daemon = daemon;
	snprintf(v->path, sizeof(v->path), "%s", path);
	v->array_key = array_key;
	v->cols = cols;
	v->ncols = ncols;
}

void cli_view_vrf_not_found(struct cli_view *v, const char *name)
{
	snprintf(v->not_found, sizeof(v->not_found), "no VRF named \"%.64s\"", name);
}

static int fail(char *err, size_t len, const char *what)
{
	snprintf(err, len, "%s", what);
	return -1;
}

static int path_add(struct cli_view *v, const char *key, const char *value, char *err,
		    size_t len)
{
	if (cli_path_add(v->path, sizeof(v->path), key, value) < 0)
		return fail(err, len, "argument too long");
	return 0;
}

static int show_bgp_neighbors(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	view_table(v, "bgpd", "/neighbors", "neighbors", cli_cols_bgp_neighbors,
		   cli_ncols_bgp_neighbors);
	if (argc == 0)
		return 0;
	if (argc > 1) {
		snprintf(err, len, "show bgp neighbors: unexpected \"%.64s\" (want show bgp neighbors "
				   "[ADDRESS])", argv[1]);
		return -1;
	}
	snprintf(v->path, sizeof(v->path), "/neighbor");
	v->print = cli_print_neighbor;
	return path_add(v, "address", argv[0], err, len);
}

/* The form each keyword of the VPN route filters wants, for the errors. */
static const char *vpnv4_form(const char *w)
{
	return strcmp(w, "rd") == 0   ? "rd RD, e.g. rd 10.255.0.2:100"
	       : strcmp(w, "rt") == 0 ? "rt RT, e.g. rt 65000:100"
				      : "neighbor ADDRESS or neighbor local";
}

/* The VPN route filters show bgp vpnv4 and show vpn share: what was given, as a query. */
struct vpn_filters {
	const char *rd, *prefix, *match;
	char q[512];
};

/*
 * [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor A] (and [best] when
 * with_best), each at most once, into f->q; cmd names the command in the
 * errors. 0, or -1 with err set.
 */
static int vpn_filters_parse(const char *cmd, bool with_best, int argc, char **argv,
			     struct vpn_filters *f, char *err, size_t len)
{
	bool seen_rt = false, seen_nb = false, best = false;
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];
		bool *seen = strcmp(w, "rt") == 0 ? &seen_rt : strcmp(w, "neighbor") == 0 ? &seen_nb
											    : NULL;

		if (strcmp(w, "rd") == 0 || seen != NULL) {
			if (i + 1 >= argc) {
				snprintf(err, len, "%s: %s needs a value (want %s)", cmd, w,
					 vpnv4_form(w));
				return -1;
			}
			if ((seen != NULL && *seen) || (seen == NULL && f->rd != NULL))
				goto twice;
			if (seen != NULL)
				*seen = true;
			else
				f->rd = argv[i + 1];
			if (cli_path_add(f->q, sizeof(f->q), w, argv[++i]) < 0)
				return fail(err, len, "argument too long");
		} else if (strcmp(w, "longer") == 0 || strcmp(w, "shorter") == 0) {
			if (f->match != NULL)
				goto twice;
			f->match = w;
		} else if (with_best && strcmp(w, "best") == 0) {
			if (best)
				goto twice;
			best = true;
			cli_path_add(f->q, sizeof(f->q), "best", "true");
		} else if (strchr(w, '/') != NULL && f->prefix == NULL) {
			f->prefix = w;
		} else {
			snprintf(err, len, "%s: unexpected \"%s\" (want rd RD, a prefix a.b.c.d/len, "
					   "longer, shorter, rt RT, neighbor A%s)", cmd, w,
				 with_best ? ", best" : "");
			return -1;
		}
	}
	if (f->match != NULL && f->prefix == NULL) {
		snprintf(err, len, "%s: %s needs a prefix (want %s PREFIX %s, e.g. 192.168.0.0/16 %s)",
			 cmd, f->match, cmd, f->match, f->match);
		return -1;
	}
	if (f->prefix != NULL && cli_path_add(f->q, sizeof(f->q), "prefix", f->prefix) < 0)
		return fail(err, len, "argument too long");
	if (f->match != NULL)
		cli_path_add(f->q, sizeof(f->q), "match", f->match);
	return 0;
twice:
	snprintf(err, len, "%s: a second \"%s\" (each filter at most once)", cmd, argv[i]);
	return -1;
}

/* show bgp vpnv4 ...: a table of paths, or one destination in detail. */
static int show_bgp_vpnv4(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	struct vpn_filters f;

	if (vpn_filters_parse("show bgp vpnv4", true, argc, argv, &f, err, len) < 0)
		return -1;
	view_table(v, "bgpd", "/routes", "routes", cli_cols_bgp_routes, cli_ncols_bgp_routes);
	v->print = cli_print_bgp_routes;
	if (f.rd != NULL && f.prefix != NULL && f.match == NULL && argc == 3) {
		/* one VPN prefix: every path and why the best won */
		snprintf(v->path, sizeof(v->path), "/route%s", f.q);
		v->print = cli_print_route;
		return 0;
	}
	snprintf(v->path, sizeof(v->path), "/routes%s", f.q);
	return 0;
}

/* show vpn ...: vrfmgr's VPN table, filtered as show bgp vpnv4 is (no best: it holds only those). */
static int show_vpn(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	struct vpn_filters f;

	if (vpn_filters_parse("show vpn", false, argc, argv, &f, err, len) < 0)
		return -1;
	view_table(v, "vrfmgr", "/vpn", "routes", cli_cols_vpn, cli_ncols_vpn);
	snprintf(v->path, sizeof(v->path), "/vpn%s", f.q);
	return 0;
}

static int show_vrf(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	if (argc == 0) {
		view_table(v, "vrfmgr", "/vrfs", "vrfs", cli_cols_vrfs, cli_ncols_vrfs);
		return 0;
	}
	if (strcmp(argv[0], "routes") == 0 && argc == 1) {
		view_table(v, "vrfmgr", "/routes", "routes", cli_cols_vrf_routes,
			   cli_ncols_vrf_routes);
		return 0;
	}
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "routes") == 0) {
		view_table(v, "vrfmgr", "/routes", "routes", cli_cols_vrf_routes,
			   cli_ncols_vrf_routes);
		cli_view_vrf_not_found(v, argv[0]);
		if (path_add(v, "vrf", argv[0], err, len) < 0)
			return -1;
		/* a prefix is that route; an address, the route a packet to it takes */
		return argc == 2 ? 0 :
			path_add(v, strchr(argv[2], '/') ? "prefix" : "address", argv[2], err, len);
	}
	if (argc == 1) {
		/* vrfmgr picks the VRF: --json prints {"vrfs":[that one]}, an unknown name is a 404 */
		view_table(v, "vrfmgr", "/vrfs", "vrfs", cli_cols_vrfs, cli_ncols_vrfs);
		v->print = cli_print_vrf;
		snprintf(v->name, sizeof(v->name), "%s", argv[0]);
		cli_view_vrf_not_found(v, argv[0]);
		return path_add(v, "vrf", argv[0], err, len);
	}
	snprintf(err, len,
		 "show vrf: unexpected \"%.64s\" (want show vrf [NAME] [routes [PREFIX|ADDRESS]])",
		 argv[argc >= 2 && strcmp(argv[1], "routes") == 0 ? 3 : 1]);
	return -1;
}

struct simple_show {
	const char *word;
	const char *daemon, *path, *array_key;
	const struct cli_column *cols;
	const size_t *ncols;
	cli_print_fn print;
};

static const struct simple_show simple[] = {
	{ "lsp", "vrfmgr", "/lsps", "lsps", cli_cols_lsps, &cli_ncols_lsps, NULL },
	{ "lsps", "vrfmgr", "/lsps", "lsps", cli_cols_lsps, &cli_ncols_lsps, NULL },
	{ "arp", "fwd", "/arp", "arp", cli_cols_arp, &cli_ncols_arp, NULL },
};

#define SHOW_WORDS "bgp, vrf, vpn, labels, lsp, fib, lfib, interfaces, counters, arp"

static int show_bgp(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	if (argc == 0)
		return fail(err, len, "show bgp: neighbors or vpnv4? (want show bgp neighbors "
				      "[ADDRESS] or show bgp vpnv4 [rd RD] [PREFIX] ...)");
	if (strcmp(argv[0], "neighbors") == 0 || strcmp(argv[0], "neighbor") == 0)
		return show_bgp_neighbors(argc - 1, argv + 1, v, err, len);
	if (strcmp(argv[0], "summary") == 0) { /* what FRR and BIRD users type */
		if (argc == 1)
			return show_bgp_neighbors(0, NULL, v, err, len);
		snprintf(err, len, "show bgp summary: unexpected \"%.64s\" (show bgp summary takes "
				   "nothing more)", argv[1]);
		return -1;
	}
	if (strcmp(argv[0], "vpnv4") == 0 || strcmp(argv[0], "routes") == 0)
		return show_bgp_vpnv4(argc - 1, argv + 1, v, err, len);
	snprintf(err, len, "unknown command: show bgp %.64s (want show bgp neighbors [ADDRESS], "
			   "show bgp summary or show bgp vpnv4 ...)", argv[0]);
	return -1;
}

static int show_fib(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	if (argc > 1) {
		snprintf(err, len, "show fib: unexpected \"%.64s\" (want show fib [VRF]; for "
				   "one address: ferryctl trace VRF ADDRESS)", argv[1]);
		return -1;
	}
	view_table(v, "fwd", "/fib", "fib", cli_cols_fib, cli_ncols_fib);
	if (argc == 0)
		return 0;
	cli_view_vrf_not_found(v, argv[0]);
	return path_add(v, "vrf", argv[0], err, len);
}

/* A table that takes one VRF's rows: `show WORD [VRF]` (?vrf=VRF). */
struct vrf_show {
	const char *word;
	const char *daemon, *path, *array_key;
	const struct cli_column *cols;
	const size_t *ncols;
	cli_print_fn print;
};

static const struct vrf_show vrf_shows[] = {
	{ "labels", "vrfmgr", "/labels", "labels", cli_cols_labels, &cli_ncols_labels, NULL },
	{ "lfib", "fwd", "/lfib", "lfib", cli_cols_lfib, &cli_ncols_lfib, NULL },
	{ "interfaces", "fwd", "/interfaces", "interfaces", cli_cols_if_state,
	  &cli_ncols_if_state, NULL },
	/* interfaces' counters, drops, then the per-VRF and per-label tables */
	{ "counters", "fwd", "/counters", "interfaces", cli_cols_interfaces,
	  &cli_ncols_interfaces, cli_print_counters },
};

static int show_of_vrf(const struct vrf_show *s, int argc, char **argv, struct cli_view *v,
		       char *err, size_t len)
{
	if (argc > 1) {
		snprintf(err, len, "show %s: unexpected \"%.64s\" (want show %s [VRF])", s->word,
			 argv[1], s->word);
		return -1;
	}
	view_table(v, s->daemon, s->path, s->array_key, s->cols, *s->ncols);
	v->print = s->print;
	if (argc == 0)
		return 0;
	cli_view_vrf_not_found(v, argv[0]);
	return path_add(v, "vrf", argv[0], err, len);
}

int cli_show_parse(int argc, char **argv, struct cli_view *v, char *err, size_t errlen)
{
	if (argc == 0)
		return fail(err, errlen, "show what? (want one of " SHOW_WORDS "; ferryctl --help)");
	if (strcmp(argv[0], "bgp") == 0)
		return show_bgp(argc - 1, argv + 1, v, err, errlen);
	if (strcmp(argv[0], "vrf") == 0)
		return show_vrf(argc - 1, argv + 1, v, err, errlen);
	if (strcmp(argv[0], "fib") == 0)
		return show_fib(argc - 1, argv + 1, v, err, errlen);
	if (strcmp(argv[0], "vpn") == 0)
		return show_vpn(argc - 1, argv + 1, v, err, errlen);
	for (size_t i = 0; i < sizeof(vrf_shows) / sizeof(vrf_shows[0]); i++)
		if (strcmp(argv[0], vrf_shows[i].word) == 0)
			return show_of_vrf(&vrf_shows[i], argc - 1, argv + 1, v, err, errlen);
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (strcmp(argv[0], simple[i].word) != 0)
			continue;
		if (argc > 1) {
			snprintf(err, errlen, "show %s: unexpected \"%.64s\" (show %s takes nothing "
					      "more)", argv[0], argv[1], argv[0]);
			return -1;
		}
		view_table(v, simple[i].daemon, simple[i].path, simple[i].array_key,
			   simple[i].cols, *simple[i].ncols);
		v->print = simple[i].print;
		return 0;
	}
	snprintf(err, errlen, "unknown command: show %.64s (want one of " SHOW_WORDS ")", argv[0]);
	return -1;
}

/* ---- detail printers ---------------------------------------------------------- */

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
	fputc('\n', out);
}

int cli_print_neighbor(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *nb = get(doc, "neighbor"), *cfg = get(doc, "config"),
			   *s = get(doc, "session"), *r = get(doc, "routes"), *m = get(doc, "messages"),
			   *ue = get(nb, "update_errors"), *g = get(doc, "update_group");

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
	fprintf(out, "  %-16s %s accepted (%s best, %s stale), %s advertised, %s queued\n",
		"routes:", C(r, "accepted"), C(r, "best"), C(r, "stale"), C(r, "advertised"),
		C(r, "pending_out"));
	fprintf(out, "  %-16s %s treat-as-withdraw (%s), %s attribute discard, %s reset\n",
		"update errors:", C(ue, "treat_as_withdraw"),
		N(ue, "routes_withdrawn", "route", "routes"),
		C(ue, "attribute_discard"), C(ue, "session_reset"));
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
	};
	struct json_object *vrfs = get(doc, "vrfs");
	size_t k = json_object_is_type(vrfs, json_type_array) ? json_object_array_length(vrfs) : 0;

	for (size_t i = 0; i < k; i++) {
		struct json_object *e = json_object_array_get_idx(vrfs, i);
		const char *name = json_object_get_string(get(e, "name"));

		if (name == NULL || strcmp(name, v->name) != 0)
			continue;
		fprintf(out, "VRF %s (id %s)\n", name, C(e, "id"));
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
	else if (strcmp(C(vr, "source"), "local") == 0) /* no label goes with it */
		fprintf(out, "local to VRF %s, not exported, RTs %s\n", C(vr, "vrf"),
			L(vr, "route_targets"));
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
