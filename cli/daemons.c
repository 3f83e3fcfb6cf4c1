/*
 * ferryctl show daemons: the node's daemons (bgpd, vrfmgr, fwd) and their
 * processes, from each one's GET /process: pid, uptime, resident memory,
 * heap in use, descriptors, CPU. A daemon that is not running is a row
 * saying so (a P router runs fwd alone, a PE on the kernel dataplane no
 * fwd), not an error; one that runs and does not answer is.
 *
 * cli_daemons_report is a pure function of the answers (unit-tested).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

static const char *const daemons[] = { "bgpd", "vrfmgr", "fwd" };
#define N_DAEMONS (sizeof(daemons) / sizeof(daemons[0]))

/* 1536 -> "1.5K", 8912896 -> "8.5M": bytes as a person reads them. */
static const char *size_text(struct json_object *v, char *buf, size_t len)
{
	static const char units[] = "BKMGT";
	double x;
	int u = 0;

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return "-";
	x = (double)json_object_get_uint64(v);
	while (x >= 1024 && u < 4) {
		x /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f%c" : "%.1f%c", x, units[u]);
	return buf;
}

/*
 * One row of text cells from a /process answer; for NULL, "not running", or
 * "no answer" when the daemon was there and did not answer (hung, an HTTP
 * error: stderr says which), which is not the same thing to the operator.
 */
static struct json_object *row_of(const char *daemon, struct json_object *doc, bool unanswered)
{
	struct json_object *row = json_object_new_object(), *up;
	char buf[64], fds[48];
	const char *max;

	json_object_object_add(row, "daemon", json_object_new_string(daemon));
	json_object_object_add(row, "state",
			       json_object_new_string(doc != NULL   ? "running"
						      : unanswered ? "no answer"
								   : "not running"));
	if (doc == NULL)
		return row;
	json_object_object_add(row, "pid", json_object_get(cli_json_get(doc, "pid")));
	up = cli_json_get(doc, "uptime_s");
	json_object_object_add(row, "uptime", json_object_new_string(
		up != NULL ? cli_cell_format(up, CLI_COL_DURATION, buf, sizeof(buf)) : "-"));
	json_object_object_add(row, "rss", json_object_new_string(
		size_text(cli_json_get(doc, "rss_bytes"), buf, sizeof(buf))));
	json_object_object_add(row, "heap", json_object_new_string(
		size_text(cli_json_get(doc, "heap_in_use_bytes"), buf, sizeof(buf))));
	max = cli_json_str(doc, "max_fds");
	snprintf(fds, sizeof(fds), "%s/%s", cli_json_text(doc, "open_fds"), max ? max : "-");
	json_object_object_add(row, "fds", json_object_new_string(fds));
	snprintf(buf, sizeof(buf), "%.2fs",
		 (double)json_object_get_uint64(cli_json_get(doc, "cpu_ms")) / 1000);
	json_object_object_add(row, "cpu", json_object_new_string(buf));
	return row;
}

int cli_daemons_report(FILE *out, struct json_object *const *docs, const bool *unanswered,
		       size_t n)
{
	static const struct cli_column cols[] = {
		{ "DAEMON", "daemon", CLI_COL_TEXT },     { "STATE", "state", CLI_COL_TEXT },
		{ "PID", "pid", CLI_COL_TEXT },           { "UPTIME", "uptime", CLI_COL_TEXT },
		{ "RSS", "rss", CLI_COL_TEXT },           { "HEAP-IN-USE", "heap", CLI_COL_TEXT },
		{ "FDS", "fds", CLI_COL_TEXT },           { "CPU", "cpu", CLI_COL_TEXT },
	};
	struct json_object *rows = json_object_new_array();
	int rc;

	for (size_t i = 0; i < n && i < N_DAEMONS; i++)
		json_object_array_add(rows, row_of(daemons[i], docs[i],
						   unanswered != NULL && unanswered[i]));
	rc = cli_table_print(out, rows, cols, sizeof(cols) / sizeof(cols[0]));
	json_object_put(rows);
	return rc;
}

/*
 * --json: {"daemons": [each /process answer, or {"daemon": NAME, "running":
 * false}, or "running": null for one there that did not answer]}.
 */
static void print_json(FILE *out, struct json_object *const *docs, const bool *unanswered)
{
	struct json_object *all = json_object_new_object(), *list = json_object_new_array();

	for (size_t i = 0; i < N_DAEMONS; i++) {
		struct json_object *d = docs[i] != NULL ? json_object_get(docs[i])
							: json_object_new_object();

		if (docs[i] == NULL)
			json_object_object_add(d, "daemon", json_object_new_string(daemons[i]));
		json_object_object_add(d, "running", unanswered[i] ? NULL
					      : json_object_new_boolean(docs[i] != NULL));
		json_object_array_add(list, d);
	}
	json_object_object_add(all, "daemons", list);
	fprintf(out, "%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(all);
}

int cli_show_daemons(const struct cli_ctx *c)
{
	struct json_object *docs[N_DAEMONS] = { NULL };
	bool unanswered[N_DAEMONS] = { false };
	int failed = 0, running = 0;

	for (size_t i = 0; i < N_DAEMONS; i++) {
		int rc = cli_fetch_if_running(c, daemons[i], "/process", &docs[i]);

		unanswered[i] = rc == -1; /* runs, but no answer: said on c->err */
		failed |= unanswered[i];
		running += rc == 0;
	}
	if (running == 0 && !failed)
		fprintf(c->err, "ferryctl: none of bgpd, vrfmgr and fwd is running at %s\n",
			c->url != NULL ? c->url->host : c->run_dir);
	if (c->json)
		print_json(c->out, docs, unanswered);
	else
		cli_daemons_report(c->out, docs, unanswered, N_DAEMONS);
	for (size_t i = 0; i < N_DAEMONS; i++)
		json_object_put(docs[i]);
	return failed || running == 0 ? 1 : 0;
}
