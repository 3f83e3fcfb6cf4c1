/*
 * `show counters [VRF]` (and `fwd counters`): fwd's /counters as five
 * tables: interfaces, drops by reason, what fwd's slow path sent itself,
 * VRFs and labels. A row whose counters are all 0 is left out unless --all
 * is given, with one line saying how many: on a PE of 45 tenants most of
 * the ~190 rows (idle tenants, their labels, drop reasons that never
 * happened) are zeros that hide the few that count. --json is fwd's
 * answer as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const struct cli_column vrf_counter_cols[] = {
	{ "VRF", "vrf", CLI_COL_TEXT },
	{ "VRF-ID", "vrf_id", CLI_COL_TEXT },
	{ "FROM-CE-PKTS", "from_ce_packets", CLI_COL_TEXT },
	{ "FROM-CE-BYTES", "from_ce_bytes", CLI_COL_TEXT },
	{ "TO-CE-PKTS", "to_ce_packets", CLI_COL_TEXT },
	{ "TO-CE-BYTES", "to_ce_bytes", CLI_COL_TEXT },
	{ "LOOKUPS-CE", "lookups_from_ce", CLI_COL_TEXT },
	{ "LOOKUPS-CORE", "lookups_from_core", CLI_COL_TEXT },
	{ "NO-ROUTE", "no_route", CLI_COL_TEXT },
};

static const struct cli_column label_counter_cols[] = {
	{ "IN-LABEL", "in_label", CLI_COL_LABEL },
	{ "ACTION", "action", CLI_COL_ACTION },
	{ "VRF", "vrf", CLI_COL_TEXT },
	{ "PACKETS", "packets", CLI_COL_TEXT },
	{ "BYTES", "bytes", CLI_COL_TEXT },
};

/* The tables being printed: whether one came before (a blank line between), rows left out. */
struct counters_out {
	FILE *out;
	bool all;
	bool printed;
	size_t hidden;
};

/* Every column from cols[first] on holds the integer 0 (a missing or odd value counts). */
static bool row_all_zero(struct json_object *row, const struct cli_column *cols, size_t ncols,
			 size_t first)
{
	for (size_t i = first; i < ncols; i++) {
		struct json_object *n = cli_json_get(row, cols[i].key);

		if (!json_object_is_type(n, json_type_int) || json_object_get_int64(n) != 0)
			return false;
	}
	return true;
}

/*
 * rows as a table, the columns from cols[first] on being counters: without
 * --all the rows that are all 0 are counted, not printed, and a table left
 * with none is not printed at all. A daemon's empty table prints as such.
 */
static int print_rows(struct counters_out *co, struct json_object *rows,
		      const struct cli_column *cols, size_t ncols, size_t first)
{
	struct json_object *shown = json_object_get(rows);
	size_t n = json_object_array_length(rows);
	int rc = 0;

	if (!co->all && n > 0) {
		json_object_put(shown);
		if ((shown = json_object_new_array()) == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			struct json_object *row = json_object_array_get_idx(rows, i);

			if (row_all_zero(row, cols, ncols, first))
				co->hidden++;
			else
				json_object_array_add(shown, json_object_get(row));
		}
	}
	if (n == 0 || json_object_array_length(shown) > 0) {
		if (co->printed)
			fputc('\n', co->out);
		co->printed = true;
		rc = cli_table_print(co->out, shown, cols, ncols);
	}
	json_object_put(shown);
	return rc;
}

/* The array doc[key] as a table; nothing when the daemon sent none. */
static int print_more(struct counters_out *co, struct json_object *doc, const char *key,
		      const struct cli_column *cols, size_t ncols, size_t first)
{
	struct json_object *rows = cli_json_get(doc, key);

	if (!json_object_is_type(rows, json_type_array))
		return 0;
	return print_rows(co, rows, cols, ncols, first);
}

/* A row {"what": name, "packets": n} of rows. */
static void add_row(struct json_object *rows, const char *name, struct json_object *n)
{
	struct json_object *row = json_object_new_object();

	if (row == NULL)
		return;
	json_object_object_add(row, "what", json_object_new_string(name));
	json_object_object_add(row, "packets", json_object_get(n));
	json_object_array_add(rows, row);
}

/* The same for the number at doc.obj.key, when doc has it. */
static void add_count(struct json_object *rows, struct json_object *doc, const char *obj,
		      const char *key, const char *name)
{
	struct json_object *o, *n;

	if (json_object_object_get_ex(doc, obj, &o) && json_object_object_get_ex(o, key, &n))
		add_row(rows, name, n);
}

/*
 * Drops by reason, then what fwd's slow path sent itself (ICMP errors,
 * fragments). fwd counts these for itself as a whole, not per VRF: under a
 * VRF's filter (one_vrf) the headers say so, or a tenant's table would show
 * every tenant's drops as its own.
 */
static int print_drops_and_sent(struct counters_out *co, struct json_object *doc, bool one_vrf)
{
	const struct cli_column drop_cols[] = {
		{ one_vrf ? "DROP-REASON (ALL VRFS)" : "DROP-REASON", "what", CLI_COL_TEXT },
		{ "PACKETS", "packets", CLI_COL_TEXT },
	};
	const struct cli_column sent_cols[] = {
		{ one_vrf ? "SENT-BY-FWD (ALL VRFS)" : "SENT-BY-FWD", "what", CLI_COL_TEXT },
		{ "PACKETS", "packets", CLI_COL_TEXT },
	};
	struct json_object *drops, *rows = json_object_new_array(), *sent = json_object_new_array();
	int rc = 0;

	if (rows == NULL || sent == NULL) {
		json_object_put(rows);
		json_object_put(sent);
		return -ENOMEM;
	}
	if (json_object_object_get_ex(doc, "drops", &drops) &&
	    json_object_is_type(drops, json_type_object)) {
		json_object_object_foreach(drops, reason, n)
			add_row(rows, reason, n);
	}
	add_count(sent, doc, "icmp_errors", "sent", "icmp_errors");
	add_count(sent, doc, "icmp_errors", "rate_limited", "icmp_errors_rate_limited");
	add_count(sent, doc, "fragmented", "packets", "packets_fragmented");
	add_count(sent, doc, "fragmented", "fragments", "fragments");
	/* no table for what this fwd does not count at all (an older fwd) */
	if (json_object_array_length(rows) > 0)
		rc = print_rows(co, rows, COLS(drop_cols), 1);
	if (rc >= 0 && json_object_array_length(sent) > 0)
		rc = print_rows(co, sent, COLS(sent_cols), 1);
	json_object_put(rows);
	json_object_put(sent);
	return rc;
}

/*
 * {"interfaces":[...], "drops":{"reason":N,...}, "icmp_errors":{...},
 * "fragmented":{...}, "vrfs":[...], "labels":[...]}: interfaces, drops by
 * reason, what the slow path sent, per-VRF and per-label counters (each
 * part only from a fwd that sends it).
 */
int cli_print_counters(FILE *out, const struct cli_view *v, struct json_object *doc)
{
	struct counters_out co = { out, v->all_rows, false, 0 };
	struct json_object *ifs = cli_json_get(doc, v->array_key);
	bool one_vrf = strstr(v->path, "?vrf=") != NULL || strstr(v->path, "&vrf=") != NULL;
	int rc;

	if (!json_object_is_type(ifs, json_type_array))
		return -EINVAL;
	if ((rc = print_rows(&co, ifs, v->cols, v->ncols, 2)) < 0 ||
	    (rc = print_drops_and_sent(&co, doc, one_vrf)) < 0 ||
	    (rc = print_more(&co, doc, "vrfs", COLS(vrf_counter_cols), 2)) < 0 ||
	    (rc = print_more(&co, doc, "labels", COLS(label_counter_cols), 3)) < 0)
		return rc;
	if (co.hidden > 0)
		fprintf(out, "%s(%zu %s whose counters are all 0 not shown: --all shows them)\n",
			co.printed ? "\n" : "", co.hidden, co.hidden == 1 ? "row" : "rows");
	return 0;
}
