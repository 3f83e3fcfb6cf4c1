/*
 * `ferryctl show ...`: the documented command syntax (docs/api.md).
 *
 *   show bgp neighbors [ADDRESS]       (show bgp summary: the same table)
 *   show bgp vpnv4 [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor A|local] [best]
 *   show vrf [NAME] [routes [PREFIX|ADDRESS]]
 *   show vpn [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor A] [imported|not-imported]
 *   show fib [VRF] [PREFIX [longer|shorter]]
 *   show labels [VRF] | lsp | lfib [VRF] | interfaces [VRF] | counters [VRF] [--all] | arp
 *   vrf explain RD PREFIX [VRF]       (main.c)
 *
 * Each form becomes a view: which daemon and path to ask and how to print
 * the answer. A question about one thing (a neighbor, a VPN prefix with its
 * RD, a VRF) gets a detail view (show_detail.c); everything else a table.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"
#include "common/prefix.h"

const char *const cli_show_usage[] = {
	"show bgp neighbors [ADDRESS]   (or show bgp summary)",
	"show bgp vpnv4 [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor ADDRESS|local] [best]",
	"show vrf [NAME] [routes [PREFIX|ADDRESS]]",
	"show vpn [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor ADDRESS] [imported|not-imported]",
	"show labels [VRF]   (RETIRED: a label of a VRF since re-created with another RD)",
	"show lsp",
	"show fib [VRF] [PREFIX [longer|shorter]]",
	"show lfib [VRF]",
	"show interfaces [VRF]",
	"show counters [VRF] [--all]   (--all: also the rows whose counters are all 0)",
	"show arp",
	"show daemons   (the node's bgpd, vrfmgr and fwd: pid, uptime, memory, heap in use, descriptors, CPU)",
	"vrf explain RD PREFIX [VRF]",
	"trace VRF ADDRESS",
	"verify [--once]",
	"events [bgpd] [vrfmgr] [--type T[,T...]] [--vrf NAME] [--since N] [--snapshot] [--count N]",
	"reload check   (would the node take its config file whole: vrfmgr, bgpd and fwd asked; changes nothing)",
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
	snprintf(v->vrf, sizeof(v->vrf), "%.64s", name);
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
	v->print = cli_print_bgp_neighbors;
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
	const char *rd, *prefix, *match, *imported;
	char q[512];
};

/* The words one command takes beyond the shared filters. */
enum vpn_extra {
	VPN_BEST = 1,	  /* bgpd: best paths only (vrfmgr's VPN table holds no others) */
	VPN_IMPORTED = 2, /* vrfmgr: imported by some VRF, or (not-imported) by none */
};

/* imported -> "true", not-imported -> "false", else NULL. */
static const char *imported_value(const char *w)
{
	if (strcmp(w, "imported") == 0)
		return "true";
	if (strcmp(w, "not-imported") == 0)
		return "false";
	return NULL;
}

/* The extra words, as the errors list them after the shared ones. */
static const char *extra_words(int extra)
{
	if (extra & VPN_BEST)
		return ", best";
	if (extra & VPN_IMPORTED)
		return ", imported, not-imported";
	return "";
}

/* A word with a value (rd, rt, neighbor) at argv[*i]: into f->q. 0, 1 when seen before, -1. */
static int vpn_keyword(const char *cmd, int argc, char **argv, int *i, bool *seen_rt,
		       bool *seen_nb, struct vpn_filters *f, char *err, size_t len)
{
	const char *w = argv[*i];
	bool *seen = strcmp(w, "rt") == 0 ? seen_rt : strcmp(w, "neighbor") == 0 ? seen_nb : NULL;

	if (*i + 1 >= argc) {
		snprintf(err, len, "%s: %s needs a value (want %s)", cmd, w, vpnv4_form(w));
		return -1;
	}
	if ((seen != NULL && *seen) || (seen == NULL && f->rd != NULL))
		return 1;
	if (seen != NULL)
		*seen = true;
	else
		f->rd = argv[*i + 1];
	if (cli_path_add(f->q, sizeof(f->q), w, argv[++*i]) < 0)
		return fail(err, len, "argument too long");
	return 0;
}

/*
 * [rd RD] [PREFIX [longer|shorter]] [rt RT] [neighbor A], and what extra
 * allows ([best]; [imported|not-imported]), each at most once, into f->q;
 * cmd names the command in the errors. 0, or -1 with err set.
 */
static int vpn_filters_parse(const char *cmd, int extra, int argc, char **argv,
			     struct vpn_filters *f, char *err, size_t len)
{
	bool seen_rt = false, seen_nb = false, best = false;
	int i, rc;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "rd") == 0 || strcmp(w, "rt") == 0 || strcmp(w, "neighbor") == 0) {
			if ((rc = vpn_keyword(cmd, argc, argv, &i, &seen_rt, &seen_nb, f, err,
					      len)) < 0)
				return -1;
			if (rc > 0)
				goto twice;
		} else if (strcmp(w, "longer") == 0 || strcmp(w, "shorter") == 0) {
			if (f->match != NULL)
				goto twice;
			f->match = w;
		} else if ((extra & VPN_BEST) && strcmp(w, "best") == 0) {
			if (best)
				goto twice;
			best = true;
			cli_path_add(f->q, sizeof(f->q), "best", "true");
		} else if ((extra & VPN_IMPORTED) && imported_value(w) != NULL) {
			if (f->imported != NULL) {
				snprintf(err, len, "%s: \"%s\" after \"%s\" (imported or "
						   "not-imported, once)", cmd, w, f->imported);
				return -1;
			}
			f->imported = w;
			cli_path_add(f->q, sizeof(f->q), "imported", imported_value(w));
		} else if (strchr(w, '/') != NULL && f->prefix == NULL) {
			f->prefix = w;
		} else {
			snprintf(err, len, "%s: unexpected \"%s\" (want rd RD, a prefix a.b.c.d/len, "
					   "longer, shorter, rt RT, neighbor A%s)", cmd, w,
				 extra_words(extra));
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

	if (vpn_filters_parse("show bgp vpnv4", VPN_BEST, argc, argv, &f, err, len) < 0)
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

/*
 * show vpn ...: vrfmgr's VPN table, filtered as show bgp vpnv4 is (no best:
 * it holds only those), and by whether a VRF imported the route:
 * not-imported lists the routes received that no VRF took (a mistyped
 * import RT's).
 */
static int show_vpn(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	struct vpn_filters f;

	if (vpn_filters_parse("show vpn", VPN_IMPORTED, argc, argv, &f, err, len) < 0)
		return -1;
	view_table(v, "vrfmgr", "/vpn", "routes", cli_cols_vpn, cli_ncols_vpn);
	snprintf(v->path, sizeof(v->path), "/vpn%s", f.q);
	return 0;
}

/*
 * PREFIX in the form fwd and vrfmgr want, checked here: a typo is bad usage
 * naming cmd's form, said before any daemon is asked (show fib, show vrf
 * routes). Into ?prefix=.
 */
static int prefix_arg(struct cli_view *v, const char *cmd, const char *form, const char *w,
		      char *err, size_t len)
{
	struct prefix4 p;

	if (prefix4_parse(w, &p) < 0) {
		snprintf(err, len, "%s: \"%.64s\" is not a prefix (want a.b.c.d/len with the host "
				   "bits clear, e.g. 192.168.101.0/24; %s)", cmd, w, form);
		return -1;
	}
	return path_add(v, "prefix", w, err, len);
}

#define VRF_FORM "show vrf [NAME] [routes [PREFIX|ADDRESS]]"

/*
 * ?prefix= for a prefix (that route), ?address= for an address (the route
 * a packet to it takes); either checked before vrfmgr is asked.
 */
static int vrf_routes_at(struct cli_view *v, const char *what, char *err, size_t len)
{
	uint32_t a;

	if (strchr(what, '/') != NULL)
		return prefix_arg(v, "show vrf", VRF_FORM, what, err, len);
	if (ipv4_parse(what, &a) < 0) {
		snprintf(err, len, "show vrf: \"%.64s\" is not an address (want a.b.c.d, or a prefix "
				   "a.b.c.d/len; " VRF_FORM ")", what);
		return -1;
	}
	return path_add(v, "address", what, err, len);
}

static int show_vrf(int argc, char **argv, struct cli_view *v, char *err, size_t len)
{
	bool named_routes = argc >= 2 && strcmp(argv[1], "routes") == 0; /* show vrf NAME routes */

	if (argc == 0) {
		view_table(v, "vrfmgr", "/vrfs", "vrfs", cli_cols_vrfs, cli_ncols_vrfs);
		v->print = cli_print_vrfs;
		return 0;
	}
	if (strcmp(argv[0], "routes") == 0 && argc <= 2 && !named_routes) {
		/* every VRF's routes, or each VRF's route for that prefix or address */
		view_table(v, "vrfmgr", "/routes", "routes", cli_cols_vrf_routes,
			   cli_ncols_vrf_routes);
		v->print = cli_print_vrf_routes;
		return argc == 1 ? 0 : vrf_routes_at(v, argv[1], err, len);
	}
	if (named_routes && argc <= 3) {
		view_table(v, "vrfmgr", "/routes", "routes", cli_cols_vrf_routes,
			   cli_ncols_vrf_routes);
		v->print = cli_print_vrf_routes;
		cli_view_vrf_not_found(v, argv[0]);
		if (path_add(v, "vrf", argv[0], err, len) < 0)
			return -1;
		return argc == 2 ? 0 : vrf_routes_at(v, argv[2], err, len);
	}
	if (argc == 1) {
		/* vrfmgr picks the VRF: --json prints {"vrfs":[that one]}, an unknown name is a 404 */
		view_table(v, "vrfmgr", "/vrfs", "vrfs", cli_cols_vrfs, cli_ncols_vrfs);
		v->print = cli_print_vrf;
		snprintf(v->name, sizeof(v->name), "%s", argv[0]);
		cli_view_vrf_not_found(v, argv[0]);
		return path_add(v, "vrf", argv[0], err, len);
	}
	snprintf(err, len, "show vrf: unexpected \"%.64s\" (want " VRF_FORM ")",
		 argv[named_routes ? 3 : strcmp(argv[0], "routes") == 0 ? 2 : 1]);
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

#define FIB_ARGS "[VRF] [PREFIX [longer|shorter]]"

/* A word that is an address (a.b.c.d), where cmd wants a VRF or a prefix. */
static int fib_address(const char *cmd, const char *w, char *err, size_t len)
{
	snprintf(err, len, "%s: unexpected \"%.64s\" (want %s " FIB_ARGS "; for one address: "
			   "ferryctl trace VRF ADDRESS)", cmd, w, cmd);
	return -1;
}

static bool is_match_word(const char *w)
{
	return strcmp(w, "longer") == 0 || strcmp(w, "shorter") == 0;
}

/*
 * show fib [VRF] [PREFIX [longer|shorter]]: fwd's /fib, of one VRF or all,
 * for one prefix (?prefix=, in every tenant without reading the FIB whole),
 * its more-specifics or the prefixes covering it (?match=), as show vrf
 * routes PREFIX and show vpn PREFIX longer|shorter have it. cmd is the
 * form typed (show fib, or its older alias fwd fib), which errors name.
 */
int cli_fib_parse(const char *cmd, int argc, char **argv, struct cli_view *v, char *err,
		  size_t len)
{
	char form[64];
	uint32_t addr;
	bool prefix = false;
	int i = 0;

	snprintf(form, sizeof(form), "%s " FIB_ARGS, cmd);
	view_table(v, "fwd", "/fib", "fib", cli_cols_fib, cli_ncols_fib);
	if (i < argc && strchr(argv[i], '/') == NULL && !is_match_word(argv[i])) {
		if (ipv4_parse(argv[i], &addr) == 0)
			return fib_address(cmd, argv[i], err, len);
		cli_view_vrf_not_found(v, argv[i]);
		if (path_add(v, "vrf", argv[i++], err, len) < 0)
			return -1;
	}
	if (i < argc && strchr(argv[i], '/') != NULL) {
		if (prefix_arg(v, cmd, form, argv[i++], err, len) < 0)
			return -1;
		prefix = true;
	}
	if (i < argc && is_match_word(argv[i])) {
		if (!prefix) {
			snprintf(err, len, "%s: %s needs a prefix (want %s [VRF] PREFIX %s, e.g. %s "
					   "192.168.0.0/16 %s)", cmd, argv[i], cmd, argv[i], cmd, argv[i]);
			return -1;
		}
		if (path_add(v, "match", argv[i++], err, len) < 0)
			return -1;
	}
	if (i == argc)
		return 0;
	if (ipv4_parse(argv[i], &addr) == 0)
		return fib_address(cmd, argv[i], err, len);
	snprintf(err, len, "%s: unexpected \"%.64s\" (want %s)", cmd, argv[i], form);
	return -1;
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
	{ "labels", "vrfmgr", "/labels", "labels", cli_cols_labels, &cli_ncols_labels,
	  cli_print_label_table },
	{ "lfib", "fwd", "/lfib", "lfib", cli_cols_lfib, &cli_ncols_lfib, cli_print_label_table },
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
		return cli_fib_parse("show fib", argc - 1, argv + 1, v, err, errlen);
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
