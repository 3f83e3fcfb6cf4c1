/*
 * ferryctl: shows what a ferry router's daemons hold, through their JSON
 * API on Unix sockets in the router's run directory (docs/api.md).
 *
 *   ferryctl [-i INSTANCE] [--json] show ...|trace VRF ADDRESS|verify|events|vrf explain ...
 *            |reload check
 *
 * INSTANCE is a run directory, or a name without '/' meaning
 * /run/ferry/NAME (`ferryctl -i ferry-pe1 show vrf A routes` reads the lab's
 * PE1); -r is the older spelling. Without it: $FERRY_RUN_DIR, else the only
 * directory under /run/ferry where the daemon runs. The older two-word
 * commands (bgp neighbors, vrf routes A, fwd fib ...) still work. Exit 0 on
 * success, 1 when a daemon is unreachable or answers with an error (and for
 * trace and verify, when they find a disagreement, and for reload check,
 * when a daemon would refuse its file), 2 on bad usage.
 *
 * --url http[s]://HOST[:PORT] asks a daemon's TCP listener instead (a remote
 * router's TLS listener: --ca verifies its certificate, --token-file holds
 * the bearer token); without a port each daemon is at its default port.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli/cli.h"
#include "common/prefix.h"
#include "common/rd.h"

#define RUN_BASE "/run/ferry"
#define TIMEOUT_MS 10000
#define PATH_LEN 512

static void usage(FILE *out)
{
	char words[96];

	fprintf(out, "usage: ferryctl [-i INSTANCE | --url URL [--ca FILE] [--token-file FILE]] "
		     "[--json] [-t MS] COMMAND\n\n"
		     "  -i, --instance NAME|DIR  the router's run directory; a NAME without '/'\n"
		     "                           means " RUN_BASE "/NAME (e.g. -i ferry-pe1); -r also\n"
		     "  -j, --json               print JSON (the daemon's, or trace/verify's report)\n"
		     "      --all                show counters: also the rows whose counters are all 0\n"
		     "  -t, --timeout MS         how long a daemon may take to answer (default %d)\n"
		     "  -u, --url URL            ask the daemon's TCP listener, not the run directory's\n"
		     "                           sockets: http://127.0.0.1 or https://HOST[:PORT]\n"
		     "                           (no port: bgpd 7179, vrfmgr 7180, fwd 7181)\n"
		     "      --ca FILE            https: the CA certificate(s) the daemon's must chain to\n"
		     "                           (default: the system's); its name must match HOST\n"
		     "      --token-file FILE    send the bearer token on the file's first line\n"
		     "  -h, --help               this text\n\ncommands:\n",
		TIMEOUT_MS);
	for (size_t i = 0; cli_show_usage[i] != NULL; i++)
		fprintf(out, "  %s\n", cli_show_usage[i]);
	fprintf(out, "\nolder forms, kept as aliases:\n");
	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];

		cli_command_form(c, words, sizeof(words));
		if (strlen(words) >= 20) /* a long form on a line of its own */
			fprintf(out, "  %s\n  %-20s%s (%s)\n", words, "", c->help, c->daemon);
		else
			fprintf(out, "  %-20s%s (%s)\n", words, c->help, c->daemon);
	}
}

static int run_dir_resolve(const char *arg, const char *daemon, char *out, size_t len)
{
	if (!arg || !*arg)
		arg = getenv("FERRY_RUN_DIR");
	if (!arg || !*arg)
		return cli_run_dir_find(RUN_BASE, daemon, out, len, stderr);
	if (strchr(arg, '/'))
		snprintf(out, len, "%s", arg);
	else
		snprintf(out, len, RUN_BASE "/%s", arg);
	/* a mistyped name: say so, not that its daemon is not running */
	if (access(out, F_OK) != 0 && errno == ENOENT) {
		char names[512];

		cli_run_dir_names(RUN_BASE, names, sizeof(names));
		fprintf(stderr, "ferryctl: no run directory %s (want -i NAME of a router under "
				RUN_BASE ", or a run directory's path; %s%s)\n", out,
			names[0] != '\0' ? "routers there: " : "no router runs there", names);
		return -1;
	}
	return 0;
}

/* Copies the rest of a streamed body to out; an idle daemon for timeout_ms ends it. */
static int copy_body(struct cli_conn *conn, FILE *out, int timeout_ms)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = cli_conn_read(conn, buf, sizeof(buf), cli_now_ms() + timeout_ms);
		if (n <= 0)
			return (int)n;
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return -EIO;
	}
}

/* A view's own words for a 404 (an unknown VRF name), else the daemon's error. */
static void view_error(const struct cli_ctx *c, const struct cli_view *v, int status,
		       const char *body)
{
	if (status == 404 && v->not_found[0] != '\0' && !cli_no_such_path(body))
		cli_vrf_unknown_print(c, v->vrf);
	else
		cli_http_error_print(c, v->daemon, v->path, status, body);
}

/*
 * --json and an error status: the daemon's JSON error is read (it is small)
 * and said on stderr as the table form says it; stdout stays empty.
 */
static int view_json_error(const struct cli_ctx *c, const struct cli_view *v,
			   struct cli_conn *conn, int status, const char *head, size_t head_len)
{
	char body[8192];
	size_t n = head_len < sizeof(body) - 1 ? head_len : sizeof(body) - 1;
	ssize_t r = 1;

	memcpy(body, head, n);
	while (n < sizeof(body) - 1 &&
	       (r = cli_conn_read(conn, body + n, sizeof(body) - 1 - n,
				  cli_now_ms() + c->timeout_ms)) > 0)
		n += (size_t)r;
	body[n] = '\0';
	cli_conn_close(conn);
	view_error(c, v, status, body);
	return 1;
}

/*
 * --json: the daemon's answer goes to stdout as it arrives, so a dump of a
 * million routes never sits in ferryctl's memory either.
 */
static int view_json(const struct cli_ctx *c, const struct cli_view *v)
{
	char sock[600], err[800], head[8192];
	struct cli_endpoint ep;
	struct cli_conn *conn;
	size_t head_len = 0;
	int status, rc;

	if (cli_endpoint_of(c, v->daemon, &ep, sock, sizeof(sock), err, sizeof(err)) < 0) {
		fprintf(c->err, "ferryctl: %s\n", err);
		return 1;
	}
	rc = cli_http_open(&ep, v->path, c->timeout_ms, &status, head, sizeof(head), &head_len,
			   &conn, err, sizeof(err));
	if (rc < 0) {
		cli_conn_error_print(c, v->daemon, rc, err); /* as the table form says it */
		return 1;
	}
	if (status < 200 || status > 299)
		return view_json_error(c, v, conn, status, head, head_len);
	fwrite(head, 1, head_len, c->out);
	rc = copy_body(conn, c->out, c->timeout_ms);
	cli_conn_close(conn);
	fputc('\n', c->out);
	if (rc < 0) {
		fprintf(c->err, "ferryctl: %s: GET %s: %s\n", v->daemon, v->path, strerror(-rc));
		return 1;
	}
	return 0;
}

static int view_run(const struct cli_ctx *c, struct cli_view *v)
{
	struct json_object *doc;
	int rc;

	v->all_rows = c->all;

	if (c->json)
		return view_json(c, v);
	rc = v->not_found[0] != '\0' ? cli_fetch_maybe(c, v->daemon, v->path, &doc)
				       : cli_fetch(c, v->daemon, v->path, &doc);
	if (rc == -2)
		view_error(c, v, 404, "");
	if (rc < 0)
		return 1;
	rc = (v->print ? v->print : cli_view_table)(c->out, v, doc);
	if (rc == -EINVAL)
		fprintf(c->err, "ferryctl: %s: GET %s: no \"%s\" array in the answer\n", v->daemon,
			v->path, v->array_key);
	json_object_put(doc);
	return rc < 0 ? 1 : 0;
}

/*
 * vrf explain takes a VPN route's RD and prefix: a typo, or an address where
 * the prefix goes (trace's question), is said here as usage, not as
 * vrfmgr's HTTP 400 after a round trip.
 */
static bool explain_args_bad(const char *rd, const char *prefix, const char *vrf)
{
	struct rd d;
	struct prefix4 p;
	uint32_t a;

	if (rd_parse(rd, &d) < 0) {
		fprintf(stderr, "ferryctl: vrf explain: \"%s\" is not a route distinguisher (want vrf "
				"explain RD PREFIX [VRF], e.g. vrf explain 10.255.0.2:100 "
				"192.168.101.0/24)\n", rd);
		return true;
	}
	if (prefix4_parse(prefix, &p) == 0)
		return false;
	if (ipv4_parse(prefix, &a) == 0)
		fprintf(stderr, "ferryctl: vrf explain: \"%s\" is an address; vrf explain takes the VPN "
				"route's prefix (want vrf explain RD PREFIX [VRF]; the route a packet to "
				"it takes: ferryctl trace %s %s)\n", prefix, vrf ? vrf : "VRF", prefix);
	else
		fprintf(stderr, "ferryctl: vrf explain: \"%s\" is not a prefix (want a.b.c.d/len, host "
				"bits clear, e.g. vrf explain %s 192.168.101.0/24)\n", prefix, rd);
	return true;
}

/* vrf explain RD PREFIX [VRF] */
static int explain(const struct cli_ctx *c, int argc, char **argv, bool check)
{
	struct cli_view v = { .daemon = "vrfmgr", .print = cli_print_explain };

	if (argc < 2 || argc > 3) {
		if (argc > 3)
			fprintf(stderr, "ferryctl: vrf explain: unexpected \"%s\" (want vrf explain RD "
					"PREFIX [VRF])\n", argv[3]);
		else
			fprintf(stderr, "ferryctl: vrf explain: %s (want vrf explain RD PREFIX [VRF], "
					"e.g. vrf explain 10.255.0.2:100 192.168.101.0/24)\n",
				argc == 0 ? "which RD and prefix?" : "which prefix?");
		return 2;
	}
	if (explain_args_bad(argv[0], argv[1], argc == 3 ? argv[2] : NULL))
		return 2;
	if (check)
		return 0;
	snprintf(v.path, sizeof(v.path), "/explain");
	cli_path_add(v.path, sizeof(v.path), "rd", argv[0]);
	cli_path_add(v.path, sizeof(v.path), "prefix", argv[1]);
	if (argc == 3) { /* its 404 is the VRF's: said as every command says an unknown VRF */
		cli_path_add(v.path, sizeof(v.path), "vrf", argv[2]);
		cli_view_vrf_not_found(&v, argv[2]);
	}
	return view_run(c, &v);
}

/* The older two-word commands. */
static int legacy(const struct cli_ctx *c, int argc, char **argv, bool check)
{
	const struct cli_command *cmd = argc >= 2 ? cli_command_find(argv[0], argv[1]) : NULL;
	struct cli_view v;
	char err[600];

	if (!cmd) {
		/* one line naming the word in the way, as show's own errors do */
		cli_command_unknown(argc, argv, err, sizeof(err));
		fprintf(stderr, "ferryctl: %s\n", err);
		return 2;
	}
	if (cmd->parse != NULL) {
		/* an alias that takes its show form's words (fwd fib: show fib's) */
		char name[40];

		snprintf(name, sizeof(name), "%s %s", cmd->words[0], cmd->words[1]);
		if (cmd->parse(name, argc - 2, argv + 2, &v, err, sizeof(err)) < 0) {
			fprintf(stderr, "ferryctl: %s\n", err);
			return 2;
		}
		return check ? 0 : view_run(c, &v);
	}
	if (argc > 3 || (argc == 3 && !cmd->arg_name)) {
		/* the words are right: blame the one too many */
		if (cmd->arg_name)
			fprintf(stderr, "ferryctl: %s %s: unexpected \"%s\" (want %s %s [%s])\n",
				argv[0], argv[1], argv[3], argv[0], argv[1], cmd->arg_name);
		else
			fprintf(stderr, "ferryctl: %s %s: unexpected \"%s\" (%s %s takes nothing "
					"more)\n", argv[0], argv[1], argv[2], argv[0], argv[1]);
		return 2;
	}
	if (cli_command_view(cmd, argc == 3 ? argv[2] : NULL, &v) < 0) {
		fprintf(stderr, "ferryctl: %s: argument too long\n", argv[2]);
		return 2;
	}
	return check ? 0 : view_run(c, &v);
}

/*
 * The daemon whose socket finds the run directory when none is given (and
 * whose port an explicit --url names). events: the one daemon it asks, when
 * --vrf or --type leave one (events --vrf B reads vrfmgr alone), else bgpd.
 */
static const char *home_daemon(const struct cli_ctx *c, int argc, char **argv)
{
	struct cli_events_plan plan;
	struct cli_view v;
	char err[400];
	const struct cli_command *cmd;

	if (argc >= 1 && strcmp(argv[0], "show") == 0 &&
	    cli_show_parse(argc - 1, argv + 1, &v, err, sizeof(err)) == 0)
		return v.daemon;
	if (argc >= 2 && (cmd = cli_command_find(argv[0], argv[1])) != NULL)
		return cmd->daemon;
	if (argc >= 1 && strcmp(argv[0], "events") == 0)
		return cli_events_plan(c, argc - 1, argv + 1, &plan, err, sizeof(err)) == 0 &&
				       plan.n == 1
			       ? plan.daemons[0]
			       : "bgpd";
	if ((argc >= 1 && strcmp(argv[0], "reload") == 0) ||
	    (argc >= 2 && strcmp(argv[0], "show") == 0 && strcmp(argv[1], "daemons") == 0))
		return "fwd"; /* every node runs one: a P router fwd alone */
	return "vrfmgr";
}

/*
 * The daemon whose socket finds the run directory when none is given: NULL
 * (any of them) for the commands that ask each daemon of the node. Their
 * fwd may be the one that is down (or a PE on the kernel dataplane runs
 * none), which is what show daemons is there to say.
 */
static const char *run_dir_daemon(const struct cli_ctx *c, int argc, char **argv)
{
	if ((argc >= 1 && strcmp(argv[0], "reload") == 0) ||
	    (argc >= 2 && strcmp(argv[0], "show") == 0 && strcmp(argv[1], "daemons") == 0))
		return NULL;
	return home_daemon(c, argc, argv);
}

/* trace follows one address: a prefix or a typo is said here, with the command that would do. */
static bool trace_address_bad(const char *vrf, const char *address)
{
	struct prefix4 p;
	uint32_t a;

	if (ipv4_parse(address, &a) == 0)
		return false;
	if (prefix4_parse(address, &p) == 0)
		fprintf(stderr, "ferryctl: trace: \"%s\" is a prefix; trace follows one address "
				"(want trace VRF ADDRESS; for the prefix: ferryctl show vrf %s routes "
				"%s)\n", address, vrf, address);
	else
		fprintf(stderr, "ferryctl: trace: \"%s\" is not an IPv4 address (want trace VRF "
				"ADDRESS, e.g. trace A 192.168.101.10)\n", address);
	return true;
}

/*
 * Runs the command, or with check only looks at its words: a usage error is
 * said (exit 2) before ferryctl looks for a run directory or a daemon, so a
 * typo is named as such even where no router runs.
 */
static int dispatch(const struct cli_ctx *c, int argc, char **argv, bool check)
{
	struct cli_view v;
	char err[400];

	if (strcmp(argv[0], "show") == 0 && argc >= 2 && strcmp(argv[1], "daemons") == 0) {
		if (argc > 2) {
			fprintf(stderr, "ferryctl: show daemons: unexpected \"%s\" (want show daemons)\n",
				argv[2]);
			return 2;
		}
		return check ? 0 : cli_show_daemons(c);
	}
	if (strcmp(argv[0], "show") == 0) {
		if (cli_show_parse(argc - 1, argv + 1, &v, err, sizeof(err)) < 0) {
			fprintf(stderr, "ferryctl: %s\n", err);
			return 2;
		}
		return check ? 0 : view_run(c, &v);
	}
	if (strcmp(argv[0], "trace") == 0) {
		if (argc > 3)
			fprintf(stderr, "ferryctl: trace: unexpected \"%s\" (want trace VRF ADDRESS)\n",
				argv[3]);
		else if (argc < 3)
			fprintf(stderr, "ferryctl: trace: %s (want trace VRF ADDRESS, e.g. trace A "
					"192.168.101.10)\n", argc == 1 ? "which VRF and address?"
									: "which address?");
		if (argc != 3)
			return 2;
		if (trace_address_bad(argv[1], argv[2]))
			return 2;
		return check ? 0 : cli_trace(c, argv[1], argv[2]);
	}
	if (strcmp(argv[0], "verify") == 0) {
		if (argc > 1) {
			fprintf(stderr, "ferryctl: verify: unexpected \"%s\" (want verify [--once])\n",
				argv[1]);
			return 2;
		}
		return check ? 0 : cli_verify(c, c->once);
	}
	if (strcmp(argv[0], "events") == 0) {
		struct cli_events_plan plan;

		if (cli_events_plan(c, argc - 1, argv + 1, &plan, err, sizeof(err)) < 0) {
			fprintf(stderr, "ferryctl: %s\n", err);
			return 2;
		}
		return check ? 0 : cli_events(c, argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[0], "vrf") == 0 && strcmp(argv[1], "explain") == 0)
		return explain(c, argc - 2, argv + 2, check);
	if (strcmp(argv[0], "reload") == 0) {
		if (argc != 2 || strcmp(argv[1], "check") != 0) {
			fprintf(stderr, "ferryctl: reload: %s (want reload check: ferryctl only asks "
					"whether the node's daemons would take their file; SIGHUP "
					"reloads)\n",
				argc == 1 ? "what?" : "unexpected words");
			return 2;
		}
		return check ? 0 : cli_reload_check(c);
	}
	return legacy(c, argc, argv, check);
}

/*
 * The options only one command reads, given to another: said, not ignored
 * (ferryctl --count 5 show vrf showed every VRF). 0, or 2 after saying why.
 */
static int opts_fit(const struct cli_ctx *c, int argc, char **argv)
{
	const char *cmd = argv[0];

	if ((c->since != NULL || c->count > 0 || c->snapshot || c->types != NULL ||
	     c->vrf != NULL) && strcmp(cmd, "events") != 0) {
		fprintf(stderr, "ferryctl: --since, --count, --snapshot, --type and --vrf are for events "
				"(want ferryctl events [--type T[,T...]] [--vrf NAME] [--since N] "
				"[--snapshot] [--count N], or %s without them)\n", cmd);
		return 2;
	}
	if (c->once && strcmp(cmd, "verify") != 0) {
		fprintf(stderr, "ferryctl: --once is for verify (want ferryctl verify --once, or %s "
				"without it)\n", cmd);
		return 2;
	}
	if (c->all && !(argc >= 2 && (strcmp(cmd, "show") == 0 || strcmp(cmd, "fwd") == 0) &&
			strcmp(argv[1], "counters") == 0)) {
		fprintf(stderr, "ferryctl: --all is for show counters (want ferryctl show counters "
				"[VRF] --all, or %s ... without it)\n", cmd);
		return 2;
	}
	return 0;
}

/* What the options say beyond struct cli_ctx: where to ask, and the files named. */
struct opts {
	const char *run_arg, *url_arg, *token_file;
};

/* A bad option value (its option and the form it wants are in err): exit 2. */
static int opt_bad(const char *err)
{
	fprintf(stderr, "ferryctl: %s\n", err);
	return 2;
}

/*
 * The options, wherever they come (as they always could: ferryctl bgp
 * routes --json). Returns -1 to go on, else the exit code (--help, bad usage).
 */
static int parse_opts(int argc, char **argv, struct cli_ctx *c, struct opts *o)
{
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, 'i' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "once", no_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "snapshot", no_argument, NULL, 'S' },
		{ "type", required_argument, NULL, 'y' },
		{ "vrf", required_argument, NULL, 'v' },
		{ "url", required_argument, NULL, 'u' },
		{ "ca", required_argument, NULL, 'C' },
		{ "token-file", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	char err[160];
	uint64_t n;
	int ch;

	while ((ch = getopt_long(argc, argv, "i:r:jt:hu:", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
		case 'r':
			o->run_arg = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 't':
			if (cli_opt_uint("-t/--timeout", "a whole number of milliseconds", optarg, 1,
					 CLI_TIMEOUT_MAX_MS, &n, err, sizeof(err)) < 0)
				return opt_bad(err);
			c->timeout_ms = (int)n;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'o':
			c->once = true;
			break;
		case 'a':
			c->all = true;
			break;
		case 's': /* the daemons take 1..2^64-2 (common/api_events.c) */
			if (cli_opt_uint("--since", "an event sequence number", optarg, 1,
					 UINT64_MAX - 1, &n, err, sizeof(err)) < 0)
				return opt_bad(err);
			c->since = optarg;
			break;
		case 'n':
			if (cli_opt_uint("--count", "a whole number of events", optarg, 1,
					 CLI_COUNT_MAX, &n, err, sizeof(err)) < 0)
				return opt_bad(err);
			c->count = (long)n;
			break;
		case 'S':
			c->snapshot = true;
			break;
		case 'y':
			c->types = optarg;
			break;
		case 'v':
			c->vrf = optarg;
			break;
		case 'u':
			o->url_arg = optarg;
			break;
		case 'C':
			c->ca_file = optarg;
			break;
		case 'T':
			o->token_file = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

/*
 * --ca names a file ferryctl can read, said as bad usage before anything is
 * asked (it was found out only once a TLS connection was up, exit 1).
 */
static int ca_unreadable(const char *path)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	const char *why = NULL;

	if (f == NULL)
		why = strerror(errno);
	else if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	if (f != NULL)
		fclose(f);
	if (why == NULL)
		return 0;
	fprintf(stderr, "ferryctl: --ca %s: %s (want a readable file of PEM certificates)\n", path,
		why);
	return -1;
}

/* --url, --ca and --token-file together: 0, or -1 after saying why. */
static int url_setup(struct cli_ctx *c, const struct opts *o, struct cli_url *url)
{
	static char token[258];
	char err[600];

	if (o->url_arg != NULL && o->run_arg != NULL) {
		fprintf(stderr, "ferryctl: -i (or -r) and --url both name the router to ask; give one\n");
		return -1;
	}
	if (o->url_arg == NULL && c->ca_file != NULL) {
		fprintf(stderr, "ferryctl: --ca is for --url https://...; without --url ferryctl "
				"asks the run directory's Unix sockets\n");
		return -1;
	}
	if (o->url_arg != NULL && cli_url_parse(o->url_arg, url, err, sizeof(err)) < 0) {
		fprintf(stderr, "ferryctl: %s\n", err);
		return -1;
	}
	if (o->url_arg != NULL && c->ca_file != NULL && !url->tls) {
		fprintf(stderr, "ferryctl: --ca is for https://; --url %s is plain http\n",
			o->url_arg);
		return -1;
	}
	if (c->ca_file != NULL && ca_unreadable(c->ca_file) < 0)
		return -1;
	if (o->token_file == NULL)
		return 0;
	if (cli_token_load(o->token_file, token, sizeof(token), err, sizeof(err)) < 0 ||
	    cli_token_check(o->url_arg != NULL ? url : NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "ferryctl: %s\n", err);
		return -1;
	}
	c->token = token;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_ctx c = { .timeout_ms = TIMEOUT_MS, .out = stdout, .err = stderr };
	struct opts o = { 0 };
	static struct cli_url url;
	int rc = parse_opts(argc, argv, &c, &o);

	if (rc >= 0)
		return rc;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	if (argc == 1 && strcmp(argv[0], "help") == 0) { /* as git, ip and most CLIs take it */
		usage(stdout);
		return 0;
	}
	if ((rc = dispatch(&c, argc, argv, true)) != 0 || (rc = opts_fit(&c, argc, argv)) != 0)
		return rc; /* bad usage: said before looking for the router */
	if (url_setup(&c, &o, &url) < 0)
		return 2;
	if (o.url_arg != NULL) {
		c.url = &url;
		c.url_daemon = home_daemon(&c, argc, argv);
		signal(SIGPIPE, SIG_IGN); /* a TLS write to a closed connection: an error, not death */
	} else if (run_dir_resolve(o.run_arg, run_dir_daemon(&c, argc, argv), c.run_dir,
				   sizeof(c.run_dir)) < 0) {
		return 1;
	}
	return dispatch(&c, argc, argv, false);
}
