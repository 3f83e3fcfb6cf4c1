/*
 * The command table: for each ferryctl command, which daemon and API path
 * it asks (docs/api.md) and how its table looks. One row per command keeps
 * the list of commands, the usage text and the dispatch in one place.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const struct cli_column bgp_neighbor_cols[] = {
	{ "NEIGHBOR", "address", CLI_COL_TEXT },
	{ "AS", "remote_as", CLI_COL_TEXT },
	{ "DESCRIPTION", "description", CLI_COL_TEXT },
	{ "STATE", "state", CLI_COL_TEXT },
	{ "UPTIME", "uptime_s", CLI_COL_DURATION },
	{ "HOLD", "hold_time", CLI_COL_TEXT },
	{ "MSG-IN", "messages_in", CLI_COL_TEXT },
	{ "MSG-OUT", "messages_out", CLI_COL_TEXT },
	{ "PFX-RCVD", "prefixes_received", CLI_COL_TEXT },
	{ "PFX-SENT", "prefixes_advertised", CLI_COL_TEXT },
	{ "FAMILIES", "families", CLI_COL_LIST },
	{ "LAST-ERROR", "last_error", CLI_COL_TEXT },
};

static const struct cli_column bgp_route_cols[] = {
	{ "BEST", "best", CLI_COL_MARK },
	{ "RD", "rd", CLI_COL_TEXT },
	{ "PREFIX", "prefix", CLI_COL_TEXT },
	{ "LABEL", "label", CLI_COL_LABEL },
	{ "NEXT-HOP", "next_hop", CLI_COL_TEXT },
	{ "ROUTE-TARGETS", "route_targets", CLI_COL_LIST },
	{ "LOCPRF", "local_pref", CLI_COL_TEXT },
	{ "MED", "med", CLI_COL_TEXT },
	{ "AS-PATH", "as_path", CLI_COL_LIST },
	{ "ORIGIN", "origin", CLI_COL_TEXT },
	{ "PEER", "peer", CLI_COL_TEXT },
};

static const struct cli_column vrf_cols[] = {
	{ "NAME", "name", CLI_COL_TEXT },
	{ "ID", "id", CLI_COL_TEXT },
	{ "RD", "rd", CLI_COL_TEXT },
	{ "LABEL", "label", CLI_COL_LABEL },
	{ "MODE", "label_mode", CLI_COL_TEXT },
	{ "IMPORT-RT", "import_rts", CLI_COL_LIST },
	{ "EXPORT-RT", "export_rts", CLI_COL_LIST },
	{ "ROUTES", "route_count", CLI_COL_TEXT },
	{ "INTERFACES", "interfaces", CLI_COL_LIST },
};

static const struct cli_column vrf_route_cols[] = {
	{ "VRF", "vrf", CLI_COL_TEXT },
	{ "PREFIX", "prefix", CLI_COL_TEXT },
	{ "SOURCE", "source", CLI_COL_TEXT },
	{ "RD", "rd", CLI_COL_TEXT },
	{ "INNER", "inner_label", CLI_COL_LABEL },
	{ "REMOTE-PE", "remote_pe", CLI_COL_TEXT },
	{ "OUTER", "outer_label", CLI_COL_LABEL },
	{ "NEXT-HOP", "next_hop", CLI_COL_TEXT },
	{ "INTERFACE", "interface", CLI_COL_TEXT },
	{ "ROUTE-TARGETS", "route_targets", CLI_COL_LIST },
	{ "INSTALLED", "installed", CLI_COL_BOOL },
};

static const struct cli_column lsp_cols[] = {
	{ "FEC", "fec", CLI_COL_TEXT },
	{ "OUT-LABEL", "out_label", CLI_COL_LABEL },
	{ "NEXT-HOP", "next_hop", CLI_COL_TEXT },
	{ "INTERFACE", "interface", CLI_COL_TEXT },
};

static const struct cli_column label_cols[] = {
	{ "LABEL", "label", CLI_COL_LABEL },
	{ "VRF", "vrf", CLI_COL_TEXT },
	{ "ACTION", "action", CLI_COL_TEXT },
};

static const struct cli_column fib_cols[] = {
	{ "VRF", "vrf", CLI_COL_TEXT },
	{ "VRF-ID", "vrf_id", CLI_COL_TEXT },
	{ "PREFIX", "prefix", CLI_COL_TEXT },
	{ "TYPE", "type", CLI_COL_TEXT },
	{ "INTERFACE", "interface", CLI_COL_TEXT },
	{ "GATEWAY", "gateway", CLI_COL_TEXT },
	{ "OUT-LABEL", "out_label", CLI_COL_LABEL },
	{ "INNER-LABEL", "inner_label", CLI_COL_LABEL },
};

static const struct cli_column lfib_cols[] = {
	{ "IN-LABEL", "in_label", CLI_COL_LABEL },
	{ "ACTION", "action", CLI_COL_TEXT },
	{ "VRF", "vrf", CLI_COL_TEXT },
	{ "OUT-LABEL", "out_label", CLI_COL_LABEL },
	{ "INTERFACE", "interface", CLI_COL_TEXT },
	{ "NEXT-HOP", "next_hop", CLI_COL_TEXT },
};

static const struct cli_column arp_cols[] = {
	{ "INTERFACE", "interface", CLI_COL_TEXT },
	{ "ADDRESS", "address", CLI_COL_TEXT },
	{ "MAC", "mac", CLI_COL_TEXT },
	{ "STATE", "state", CLI_COL_TEXT },
	{ "AGE", "age_s", CLI_COL_TEXT },
};

static const struct cli_column counter_if_cols[] = {
	{ "INTERFACE", "name", CLI_COL_TEXT },
	{ "ROLE", "role", CLI_COL_TEXT },
	{ "RX-PACKETS", "rx_packets", CLI_COL_TEXT },
	{ "TX-PACKETS", "tx_packets", CLI_COL_TEXT },
	{ "RX-BYTES", "rx_bytes", CLI_COL_TEXT },
	{ "TX-BYTES", "tx_bytes", CLI_COL_TEXT },
};

/* {"interfaces":[...], "drops":{"reason":N,...}}: two tables. */
static int print_counters(FILE *out, const struct cli_command *cmd, struct json_object *doc)
{
	static const struct cli_column drop_cols[] = {
		{ "DROP-REASON", "reason", CLI_COL_TEXT },
		{ "PACKETS", "packets", CLI_COL_TEXT },
	};
	struct json_object *drops, *rows;
	int rc;

	rc = cli_print_table(out, cmd, doc);
	if (rc < 0)
		return rc;
	if (!json_object_object_get_ex(doc, "drops", &drops) ||
	    !json_object_is_type(drops, json_type_object))
		return 0;
	rows = json_object_new_array();
	if (!rows)
		return -ENOMEM;
	json_object_object_foreach(drops, reason, n)
	{
		struct json_object *row = json_object_new_object();

		json_object_object_add(row, "reason", json_object_new_string(reason));
		json_object_object_add(row, "packets", json_object_get(n));
		json_object_array_add(rows, row);
	}
	fputc('\n', out);
	rc = cli_table_print(out, rows, COLS(drop_cols));
	json_object_put(rows);
	return rc;
}

const struct cli_command cli_commands[] = {
	{ { "bgp", "neighbors" }, NULL, NULL, "bgpd", "/neighbors", "neighbors",
	  COLS(bgp_neighbor_cols), NULL, "BGP sessions and their state" },
	{ { "bgp", "routes" }, NULL, NULL, "bgpd", "/routes", "routes", COLS(bgp_route_cols),
	  NULL, "VPN-IPv4 routes (Loc-RIB and local exports)" },
	{ { "vrf", "list" }, NULL, NULL, "vrfmgr", "/vrfs", "vrfs", COLS(vrf_cols), NULL,
	  "VRFs: RD, label, route targets, interfaces" },
	{ { "vrf", "routes" }, "VRF", "vrf", "vrfmgr", "/routes", "routes", COLS(vrf_route_cols),
	  NULL, "routes of every VRF, or of one" },
	{ { "vrf", "lsps" }, NULL, NULL, "vrfmgr", "/lsps", "lsps", COLS(lsp_cols), NULL,
	  "static LSPs toward remote PEs" },
	{ { "vrf", "labels" }, NULL, NULL, "vrfmgr", "/labels", "labels", COLS(label_cols), NULL,
	  "labels allocated by vrfmgr" },
	{ { "fwd", "fib" }, "VRF", "vrf", "fwd", "/fib", "fib", COLS(fib_cols), NULL,
	  "forwarding table of every VRF, or of one" },
	{ { "fwd", "lfib" }, NULL, NULL, "fwd", "/lfib", "lfib", COLS(lfib_cols), NULL,
	  "label forwarding table" },
	{ { "fwd", "arp" }, NULL, NULL, "fwd", "/arp", "arp", COLS(arp_cols), NULL,
	  "ARP entries" },
	{ { "fwd", "counters" }, NULL, NULL, "fwd", "/counters", "interfaces",
	  COLS(counter_if_cols), print_counters, "packet counters and drops by reason" },
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

int cli_print_table(FILE *out, const struct cli_command *cmd, struct json_object *doc)
{
	struct json_object *rows;

	if (!json_object_object_get_ex(doc, cmd->array_key, &rows))
		return -EINVAL;
	return cli_table_print(out, rows, cmd->cols, cmd->ncols);
}
