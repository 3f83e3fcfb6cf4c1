/*
 * ferryctl: shows what a ferry router's daemons hold, through their JSON
 * API on Unix sockets in the router's run directory.
 *
 *   ferryctl [-r RUN_DIR|NODE] [--json] <command>
 *
 * NODE (no '/') means /run/ferry/NODE, so `ferryctl -r ferry-pe1 vrf routes`
 * reads the lab's PE1. Without -r: $FERRY_RUN_DIR, else the only directory
 * under /run/ferry where the daemon runs. Exit 0 on success, 1 when the
 * daemon is unreachable or answers with an error, 2 on bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define RUN_BASE "/run/ferry"
#define TIMEOUT_MS 10000
#define PATH_LEN 512

static void usage(FILE *out)
{
	size_t i;
	char words[64];

	fprintf(out, "usage: ferryctl [-r RUN_DIR|NODE] [--json] COMMAND\n\n"
		     "  -r, --run-dir DIR   the router's run directory; a NODE name without '/'\n"
		     "                      means " RUN_BASE "/NODE (e.g. -r ferry-pe1)\n"
		     "  -j, --json          print the daemon's JSON as is\n"
		     "  -h, --help          this text\n\ncommands:\n");
	for (i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];

		snprintf(words, sizeof(words), "%s %s%s%s%s", c->words[0], c->words[1],
			 c->arg_name ? " [" : "", c->arg_name ? c->arg_name : "",
			 c->arg_name ? "]" : "");
		fprintf(out, "  %-20s%s (%s)\n", words, c->help, c->daemon);
	}
}

/* The only run directory under RUN_BASE with daemon's socket, or an error. */
static int find_run_dir(const char *daemon, char *out, size_t len)
{
	char sock[PATH_LEN], found[4][PATH_LEN];
	struct dirent *e;
	struct stat st;
	int n = 0, i;
	DIR *d;

	d = opendir(RUN_BASE);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sock, sizeof(sock), RUN_BASE "/%.200s/%s.sock", e->d_name, daemon);
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode)) {
			if (n < 4)
				snprintf(found[n], PATH_LEN, RUN_BASE "/%.200s", e->d_name);
			n++;
		}
	}
	if (d)
		closedir(d);
	if (n == 1) {
		snprintf(out, len, "%s", found[0]);
		return 0;
	}
	if (n == 0) {
		fprintf(stderr, "ferryctl: no %s running under " RUN_BASE "; say which with -r RUN_DIR\n",
			daemon);
		return -1;
	}
	fprintf(stderr, "ferryctl: %s runs in %d run directories (", daemon, n);
	for (i = 0; i < n && i < 4; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", found[i]);
	fprintf(stderr, "%s); choose one with -r\n", n > 4 ? ", ..." : "");
	return -1;
}

static int run_dir_resolve(const char *arg, const char *daemon, char *out, size_t len)
{
	if (!arg || !*arg)
		arg = getenv("FERRY_RUN_DIR");
	if (!arg || !*arg)
		return find_run_dir(daemon, out, len);
	if (strchr(arg, '/'))
		snprintf(out, len, "%s", arg);
	else
		snprintf(out, len, RUN_BASE "/%s", arg);
	return 0;
}

/* Prints the API's {"error": ...} message, or the body when it has none. */
static void report_http_error(const struct cli_command *cmd, const char *path,
			      const struct cli_response *resp, struct json_object *doc)
{
	struct json_object *msg = NULL;

	if (doc)
		json_object_object_get_ex(doc, "error", &msg);
	fprintf(stderr, "ferryctl: %s: GET %s: %s (HTTP %d)\n", cmd->daemon, path,
		msg ? json_object_get_string(msg) : resp->body, resp->status);
}

static int show(const struct cli_command *cmd, const char *run_dir, const char *arg, int json)
{
	char sock[PATH_LEN + 32], path[PATH_LEN], err[PATH_LEN + 160];
	struct json_object *doc = NULL;
	struct cli_response resp;
	int rc, ret = 1;

	snprintf(sock, sizeof(sock), "%s/%s.sock", run_dir, cmd->daemon);
	snprintf(path, sizeof(path), "%s", cmd->path);
	if (arg) {
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "?%s=", cmd->arg_query);
		if (cli_url_encode(arg, path, sizeof(path)) < 0) {
			fprintf(stderr, "ferryctl: %s: argument too long\n", arg);
			return 2;
		}
	}
	rc = cli_http_get(sock, path, TIMEOUT_MS, &resp, err, sizeof(err));
	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		fprintf(stderr, "ferryctl: %s is not running (%s)\n", cmd->daemon, err);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "ferryctl: %s: %s\n", cmd->daemon, err);
		return 1;
	}
	doc = json_tokener_parse(resp.body);
	if (json) {
		fputs(resp.body, stdout);
		if (resp.body_len == 0 || resp.body[resp.body_len - 1] != '\n')
			putchar('\n');
	}
	if (resp.status < 200 || resp.status > 299)
		report_http_error(cmd, path, &resp, doc);
	else if (!doc || !json_object_is_type(doc, json_type_object))
		fprintf(stderr, "ferryctl: %s: GET %s: the answer is not a JSON object\n",
			cmd->daemon, path);
	else if (!json && (cmd->print ? cmd->print : cli_print_table)(stdout, cmd, doc) < 0)
		fprintf(stderr, "ferryctl: %s: GET %s: no \"%s\" array in the answer\n",
			cmd->daemon, path, cmd->array_key);
	else
		ret = 0;
	json_object_put(doc);
	cli_response_free(&resp);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "run-dir", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd;
	const char *run_arg = NULL, *arg = NULL;
	char run_dir[PATH_LEN];
	int json = 0, c;

	while ((c = getopt_long(argc, argv, "r:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			run_arg = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	cmd = argc >= 2 ? cli_command_find(argv[0], argv[1]) : NULL;
	if (!cmd || argc > 3 || (argc == 3 && !cmd->arg_name)) {
		if (argc > 0)
			fprintf(stderr, "ferryctl: unknown command: %s%s%s%s%s\n", argv[0],
				argc > 1 ? " " : "", argc > 1 ? argv[1] : "", argc > 2 ? " " : "",
				argc > 2 ? argv[2] : "");
		usage(stderr);
		return 2;
	}
	if (argc == 3)
		arg = argv[2];
	if (run_dir_resolve(run_arg, cmd->daemon, run_dir, sizeof(run_dir)) < 0)
		return 1;
	return show(cmd, run_dir, arg, json);
}
