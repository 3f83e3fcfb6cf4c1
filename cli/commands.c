/*
 * The column sets every table is made of, the printers that do more than
 * one table, and the older two-word commands (bgp neighbors, vrf routes A,
 * fwd fib ...), kept as aliases of `show ...` (show.c) because scripts and
 * the lab tests use them. One row per command keeps the list of commands,
 * the usage text and the dispatch in one place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"
#include "common/prefix.h"
#include "common/rd.h"

#define COLS(a) a, sizeof(a) / sizeof(a[0])
#define EXPORT_COLS(name, ...)                                                                    \
	const struct cli_column cli_cols_##name[] = { __VA_ARGS__ };                              \
	const size_t cli_ncols_##name = sizeof(cli_cols_##name) / sizeof(cli_cols_##name[0]);

EXPORT_COLS(bgp_neighbors, { "NEIGHBOR", "address", CLI_COL_TEXT },
	    { "AS", "remote_as", CLI_COL_TEXT }, { "DESCRIPTION", "description", CLI_COL_TEXT },
	    { "STATE", "state", CLI_COL_TEXT }, { "UP/DOWN", "state_s", CLI_COL_DURATION },
	    { "HOLD", "hold_time", CLI_COL_TEXT }, { "MSG-IN", "messages_in", CLI_COL_TEXT },
	    { "MSG-OUT", "messages_out", CLI_COL_TEXT },
	    { "PFX-RCVD", "prefixes_received", CLI_COL_TEXT },
	    { "PFX-SENT", "prefixes_advertised", CLI_COL_TEXT },
	    { "FAMILIES", "families", CLI_COL_LIST }, { "LAST-ERROR", "last_error", CLI_COL_TEXT })

EXPORT_COLS(bgp_routes, { "BEST", "best", CLI_COL_MARK }, { "RD", "rd", CLI_COL_TEXT },
	    { "PREFIX", "prefix", CLI_COL_TEXT }, { "LABEL", "label", CLI_COL_LABEL },
	    { "NEXT-HOP", "next_hop", CLI_COL_TEXT },
	    { "ROUTE-TARGETS", "route_targets", CLI_COL_LIST },
	    { "LOCPRF", "local_pref", CLI_COL_TEXT }, { "MED", "med", CLI_COL_TEXT },
	    { "AS-PATH", "as_path", CLI_COL_LIST }, { "ORIGIN", "origin", CLI_COL_TEXT },
	    { "PEER", "peer", CLI_COL_TEXT })

EXPORT_COLS(vrfs, { "NAME", "name", CLI_COL_TEXT }, { "ID", "id", CLI_COL_TEXT },
	    { "RD", "rd", CLI_COL_TEXT }, { "LABEL", "label", CLI_COL_LABEL },
	    { "MODE", "label_mode", CLI_COL_TEXT }, { "IMPORT-RT", "import_rts", CLI_COL_LIST_SHORT },
	    { "EXPORT-RT", "export_rts", CLI_COL_LIST_SHORT }, { "ROUTES", "route_count", CLI_COL_TEXT },
	    { "INTERFACES", "interfaces", CLI_COL_LIST })

/*
 * The labels as the stack goes on the wire, outer first, with the headers
 * show fib gives them: an operator matches the two tables by their names.
 */
EXPORT_COLS(vrf_routes, { "VRF", "vrf", CLI_COL_TEXT }, { "PREFIX", "prefix", CLI_COL_TEXT },
	    { "SOURCE", "source", CLI_COL_TEXT }, { "RD", "rd", CLI_COL_TEXT },
	    { "REMOTE-PE", "remote_pe", CLI_COL_TEXT },
	    { "OUTER-LABEL", "outer_label", CLI_COL_LABEL },
	    { "INNER-LABEL", "inner_label", CLI_COL_LABEL }, { "NEXT-HOP", "next_hop", CLI_COL_TEXT },
	    { "INTERFACE", "interface", CLI_COL_TEXT },
	    { "ROUTE-TARGETS", "route_targets", CLI_COL_LIST },
	    { "INSTALLED", "installed", CLI_COL_BOOL })

EXPORT_COLS(lsps, { "FEC", "fec", CLI_COL_TEXT }, { "OUT-LABEL", "out_label", CLI_COL_LABEL },
	    { "NEXT-HOP", "next_hop", CLI_COL_TEXT }, { "INTERFACE", "interface", CLI_COL_TEXT })

EXPORT_COLS(labels, { "LABEL", "label", CLI_COL_LABEL }, { "VRF", "vrf", CLI_COL_TEXT },
	    { "ACTION", "action", CLI_COL_ACTION }, { "MODE", "mode", CLI_COL_TEXT },
	    { "PREFIX", "prefix", CLI_COL_TEXT }, { "INTERFACE", "interface", CLI_COL_TEXT },
	    { "NEXT-HOP", "next_hop", CLI_COL_TEXT }, { "USERS", "users", CLI_COL_TEXT },
	    /* a held label may still be in fwd's LFIB (make-before-break, vrf_label.c) */
	    { "IN-FWD", "programmed", CLI_COL_BOOL }, { "HELD-S", "held_for_s", CLI_COL_TEXT },
	    /* its VRF was re-created with another RD: reserved for no one until its hold-down ends */
	    { "RETIRED", "retired", CLI_COL_BOOL })

/*
 * Outer label first, as show vrf routes has them (the wire's order), and
 * named as there: OUTER-LABEL is fwd's out_label, the LSP's label.
 */
EXPORT_COLS(fib, { "VRF", "vrf", CLI_COL_TEXT }, { "VRF-ID", "vrf_id", CLI_COL_TEXT },
	    { "PREFIX", "prefix", CLI_COL_TEXT }, { "TYPE", "type", CLI_COL_TEXT },
	    { "INTERFACE", "interface", CLI_COL_TEXT }, { "GATEWAY", "gateway", CLI_COL_TEXT },
	    { "OUTER-LABEL", "out_label", CLI_COL_LABEL },
	    { "INNER-LABEL", "inner_label", CLI_COL_LABEL })

EXPORT_COLS(lfib, { "IN-LABEL", "in_label", CLI_COL_LABEL }, { "ACTION", "action", CLI_COL_ACTION },
	    { "VRF", "vrf", CLI_COL_TEXT }, { "OUT-LABEL", "out_label", CLI_COL_LABEL },
	    { "INTERFACE", "interface", CLI_COL_TEXT }, { "NEXT-HOP", "next_hop", CLI_COL_TEXT },
	    { "PACKETS", "packets", CLI_COL_TEXT }, { "BYTES", "bytes", CLI_COL_TEXT })

EXPORT_COLS(arp, { "INTERFACE", "interface", CLI_COL_TEXT },
	    { "ADDRESS", "address", CLI_COL_TEXT }, { "MAC", "mac", CLI_COL_TEXT },
	    { "STATE", "state", CLI_COL_TEXT }, { "AGE-S", "age_s", CLI_COL_TEXT })

EXPORT_COLS(if_state, { "INTERFACE", "name", CLI_COL_TEXT }, { "ROLE", "role", CLI_COL_TEXT },
	    { "STATE", "state", CLI_COL_TEXT }, { "VRF", "vrf", CLI_COL_TEXT },
	    { "ADDRESS", "address", CLI_COL_TEXT }, { "MAC", "mac", CLI_COL_TEXT },
	    { "MTU", "mtu", CLI_COL_TEXT })

EXPORT_COLS(interfaces, { "INTERFACE", "name", CLI_COL_TEXT }, { "ROLE", "role", CLI_COL_TEXT },
	    { "RX-PACKETS", "rx_packets", CLI_COL_TEXT },
	    { "TX-PACKETS", "tx_packets", CLI_COL_TEXT }, { "RX-BYTES", "rx_bytes", CLI_COL_TEXT },
	    { "TX-BYTES", "tx_bytes", CLI_COL_TEXT })

EXPORT_COLS(vpn, { "RD", "rd", CLI_COL_TEXT }, { "PREFIX", "prefix", CLI_COL_TEXT },
	    { "LABEL", "label", CLI_COL_LABEL }, { "NEXT-HOP", "next_hop", CLI_COL_TEXT },
	    { "ROUTE-TARGETS", "route_targets", CLI_COL_LIST }, { "VRFS", "vrfs", CLI_COL_LIST_SHORT },
	    /* "no": received, imported by no VRF (vrf explain RD PREFIX says why) */
	    { "IMPORTED", "imported", CLI_COL_BOOL }, { "PROBLEM", "problem", CLI_COL_TEXT })

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* RD, then prefix (numerically), then best first: bgpd streams in its own order. */
static int bgp_route_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
	const char *rx = str_of(x, "rd"), *ry = str_of(y, "rd"), *px = str_of(x, "prefix"),
		   *py = str_of(y, "prefix");
	struct rd rdx, rdy;
	struct prefix4 pfx, pfy;
	struct json_object *bx, *by;
	int r;

	if (rx && ry && rd_parse(rx, &rdx) == 0 && rd_parse(ry, &rdy) == 0 &&
	    (r = memcmp(rdx.b, rdy.b, sizeof(rdx.b))) != 0)
		return r;
	if (px && py && prefix4_parse(px, &pfx) == 0 && prefix4_parse(py, &pfy) == 0) {
		if (pfx.addr != pfy.addr)
			return pfx.addr < pfy.addr ? -1 : 1;
		if (pfx.len != pfy.len)
			return pfx.len < pfy.len ? -1 : 1;
	}
	json_object_object_get_ex(x, "best", &bx);
	json_object_object_get_ex(y, "best", &by);
	return (int)json_object_get_boolean(by) - (int)json_object_get_boolean(bx);
}

int cli_print_bgp_routes(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *rows;

	if (!json_object_object_get_ex(doc, v->array_key, &rows) ||
	    !json_object_is_type(rows, json_type_array))
		return -EINVAL;
	json_object_array_sort(rows, bgp_route_cmp);
	return cli_view_table(out, v, doc);
}

int cli_print_bgp_neighbors(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *rows = NULL;
	char why[200];

	if (json_object_object_get_ex(doc, "neighbors", &rows) &&
	    json_object_is_type(rows, json_type_array))
		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			struct json_object *n = json_object_array_get_idx(rows, i);
			const char *ce = str_of(n, "connect_error");

			if (ce == NULL || str_of(n, "last_error") != NULL)
				continue;
			snprintf(why, sizeof(why), "connect: %s", ce);
			json_object_object_add(n, "last_error", json_object_new_string(why));
		}
	return cli_view_table(out, v, doc);
}

const struct cli_command cli_commands[] = {
	{ { "bgp", "neighbors" }, NULL, NULL, "bgpd", "/neighbors", "neighbors",
	  COLS(cli_cols_bgp_neighbors), cli_print_bgp_neighbors, "BGP sessions and their state" },
	{ { "bgp", "routes" }, NULL, NULL, "bgpd", "/routes", "routes", COLS(cli_cols_bgp_routes),
	  cli_print_bgp_routes, "VPN-IPv4 routes (Loc-RIB and local exports)" },
	{ { "vrf", "list" }, NULL, NULL, "vrfmgr", "/vrfs", "vrfs", COLS(cli_cols_vrfs),
	  cli_print_vrfs,
	  "VRFs: RD, label, route targets, interfaces" },
	{ { "vrf", "routes" }, "VRF", "vrf", "vrfmgr", "/routes", "routes",
	  COLS(cli_cols_vrf_routes), cli_print_vrf_routes, "routes of every VRF, or of one" },
	{ { "vrf", "lsps" }, NULL, NULL, "vrfmgr", "/lsps", "lsps", COLS(cli_cols_lsps), NULL,
	  "static LSPs toward remote PEs" },
	{ { "vrf", "labels" }, NULL, NULL, "vrfmgr", "/labels", "labels", COLS(cli_cols_labels),
	  cli_print_label_table, "labels allocated by vrfmgr" },
	{ { "fwd", "fib" }, "VRF", "vrf", "fwd", "/fib", "fib", COLS(cli_cols_fib), NULL,
	  "forwarding table of every VRF, or of one; a prefix's routes (show fib)", cli_fib_parse,
	  "[VRF] [PREFIX [longer|shorter]]" },
	{ { "fwd", "lfib" }, NULL, NULL, "fwd", "/lfib", "lfib", COLS(cli_cols_lfib),
	  cli_print_label_table, "label forwarding table" },
	{ { "fwd", "arp" }, NULL, NULL, "fwd", "/arp", "arp", COLS(cli_cols_arp), NULL,
	  "ARP entries" },
	{ { "fwd", "counters" }, NULL, NULL, "fwd", "/counters", "interfaces",
	  COLS(cli_cols_interfaces), cli_print_counters,
	  "packet counters per interface, VRF and label; drops by reason" },
};

const size_t cli_n_commands = sizeof(cli_commands) / sizeof(cli_commands[0]);

const struct cli_command *cli_command_find(const char *w1, const char *w2)
{
	size_t i;

	if (!w1 || !w2)
		return NULL;
	for (i = 0; i < cli_n_commands; i++)
		if (strcmp(cli_commands[i].words[0], w1) == 0 &&
		    strcmp(cli_commands[i].words[1], w2) == 0)
			return &cli_commands[i];
	return NULL;
}

void cli_command_form(const struct cli_command *c, char *buf, size_t len)
{
	if (c->args != NULL)
		snprintf(buf, len, "%s %s %s", c->words[0], c->words[1], c->args);
	else
		snprintf(buf, len, "%s %s%s%s%s", c->words[0], c->words[1], c->arg_name ? " [" : "",
			 c->arg_name ? c->arg_name : "", c->arg_name ? "]" : "");
}

/* Appends the form of each older command under w1 to buf, joined like a sentence. */
static void command_forms(const char *w1, char *buf, size_t len)
{
	size_t n = 0, k = 0, i;

	for (i = 0; i < cli_n_commands; i++)
		n += strcmp(cli_commands[i].words[0], w1) == 0;
	if (strcmp(w1, "vrf") == 0)
		n++; /* vrf explain, which is no table */
	for (i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];
		size_t at = strlen(buf);
		char form[96];

		if (strcmp(c->words[0], w1) != 0)
			continue;
		k++;
		cli_command_form(c, form, sizeof(form));
		snprintf(buf + at, len - at, "%s%s", k == 1 ? "" : k == n ? " or " : ", ", form);
	}
	if (strcmp(w1, "vrf") == 0) {
		size_t at = strlen(buf);

		snprintf(buf + at, len - at, " or vrf explain RD PREFIX [VRF]");
	}
}

void cli_command_unknown(int argc, char **argv, char *err, size_t len)
{
	char forms[400] = "";

	for (size_t i = 0; argc >= 1 && i < cli_n_commands; i++)
		if (strcmp(cli_commands[i].words[0], argv[0]) == 0) {
			command_forms(argv[0], forms, sizeof(forms));
			break;
		}
	if (forms[0] != '\0' && argc == 1)
		snprintf(err, len, "%.16s what? (want %s)", argv[0], forms);
	else if (forms[0] != '\0')
		snprintf(err, len, "unknown command: %.16s %.64s (want %s)", argv[0], argv[1], forms);
	else
		snprintf(err, len, "unknown command: %.64s (want show, trace, verify, events, vrf "
				   "explain or reload check; ferryctl --help lists them)",
			 argc >= 1 ? argv[0] : "");
}

int cli_command_view(const struct cli_command *cmd, const char *arg, struct cli_view *v)
{
	memset(v, 0, sizeof(*v));
	v->daemon = cmd->daemon;
	snprintf(v->path, sizeof(v->path), "%s", cmd->path);
	v->array_key = cmd->array_key;
	v->cols = cmd->cols;
	v->ncols = cmd->ncols;
	v->print = cmd->print;
	if (arg != NULL && cli_path_add(v->path, sizeof(v->path), cmd->arg_query, arg) < 0)
		return -1;
	if (arg != NULL && strcmp(cmd->arg_query, "vrf") == 0)
		cli_view_vrf_not_found(v, arg);
	return 0;
}

int cli_view_table(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct json_object *rows;

	if (!json_object_object_get_ex(doc, v->array_key, &rows) ||
	    !json_object_is_type(rows, json_type_array))
		return -EINVAL;
	return cli_table_print(out, rows, v->cols, v->ncols);
}
