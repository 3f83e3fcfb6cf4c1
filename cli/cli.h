/*
 * ferryctl: a client of the daemons' JSON API and nothing else. It owns no
 * routing state; it fetches documents over the daemons' Unix sockets in an
 * instance's run directory, or over TCP/TLS with --url (cli/conn.c,
 * cli/http.c, cli/fetch.c) and either prints them
 * raw (--json) or as aligned tables (cli/table.c) chosen by the command
 * (cli/show.c: `show ...`; cli/commands.c: the older two-word forms). Two
 * commands combine several daemons: trace (cli/trace.c) follows one
 * destination through bgpd, vrfmgr and fwd, verify (cli/verify.c) holds
 * their tables against each other; events (cli/events.c) follows the SSE
 * streams. Every public name starts with cli_ because ferryctl is linked
 * beside the daemons' libraries.
 */
#ifndef FERRY_CLI_H
#define FERRY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct json_object;

/* --- conn.c: a connection to a daemon (Unix socket, TCP, TLS) ------------ */

/* --url http[s]://HOST[:PORT] */
struct cli_url {
	bool tls;
	char host[256];
	uint16_t port; /* 0: each daemon's default port (cli_api_port) */
};
/* 0, or -1 with a one-line reason in err. */
int cli_url_parse(const char *s, struct cli_url *u, char *err, size_t errlen);
/* A daemon's default API port: bgpd 7179, vrfmgr 7180, fwd 7181. */
uint16_t cli_api_port(const char *daemon);
/* The first line of path (blanks trimmed) into token. 0, or -1 with err set. */
int cli_token_load(const char *path, char *token, size_t len, char *err, size_t errlen);

/*
 * Whether a bearer token may go to u: always over https://, over plain
 * http:// only to a loopback host (127.0.0.0/8, ::1, localhost); u NULL (the
 * run directory's Unix sockets) is fine. 0, or -1 with err naming the option.
 */
int cli_token_check(const struct cli_url *u, char *err, size_t errlen);

/* Where one daemon's API is. */
struct cli_endpoint {
	const char *sock_path; /* its Unix socket; NULL for TCP */
	const char *host;      /* TCP: name or address */
	uint16_t port;
	bool tls;
	const char *ca_file;   /* TLS: the CA to verify the daemon with; NULL: system CAs */
	const char *token;     /* bearer token sent with every request, or NULL */
};

struct cli_conn;
long long cli_now_ms(void); /* CLOCK_MONOTONIC */
/* Connects (and for TLS, handshakes and verifies) before deadline. 0 or -errno, err set. */
int cli_conn_open(const struct cli_endpoint *ep, long long deadline, struct cli_conn **out,
		  char *err, size_t errlen);
void cli_conn_close(struct cli_conn *c);
int cli_conn_write(struct cli_conn *c, const char *s, size_t len, long long deadline);
/* Up to len bytes; 0 at EOF, -ETIMEDOUT past the deadline, -errno. */
ssize_t cli_conn_read(struct cli_conn *c, char *buf, size_t len, long long deadline);
int cli_conn_fd(const struct cli_conn *c);
/* TLS data already decrypted and waiting (poll on the fd would not show it). */
bool cli_conn_pending(const struct cli_conn *c);

/* --- http.c: one GET ------------------------------------------------------ */

struct cli_response {
	int status;  /* HTTP status code */
	char *body;  /* NUL-terminated, malloc'd */
	size_t body_len;
};

/*
 * GET path from the daemon at ep (HTTP/1.0: the daemon closes when done).
 * Returns 0, or -errno with a one-line reason in err: -ENOENT /
 * -ECONNREFUSED mean the daemon is not running, -ETIMEDOUT that it did not
 * answer within timeout_ms, -EPROTO a response that is not HTTP (or a TLS
 * failure).
 */
int cli_http_get_ep(const struct cli_endpoint *ep, const char *path, int timeout_ms,
		    struct cli_response *resp, char *err, size_t errlen);
/* The same on a Unix socket. */
int cli_http_get(const char *sock_path, const char *path, int timeout_ms,
		 struct cli_response *resp, char *err, size_t errlen);
/*
 * Splits a raw HTTP response (status line, headers, body; chunked or not).
 * -EAGAIN while incomplete: a body without length is complete only at_eof.
 */
int cli_http_parse(const char *raw, size_t len, bool at_eof, struct cli_response *resp);
void cli_response_free(struct cli_response *resp);
/* How far a response being read has got (cli_http_scan); zero it to start. */
enum cli_http_mode {
	CLI_HTTP_HEADERS, /* the blank line after the headers has not arrived */
	CLI_HTTP_TO_EOF,  /* neither Content-Length nor chunked: the body ends at EOF */
	CLI_HTTP_LENGTH,  /* Content-Length: complete at offset end */
	CLI_HTTP_CHUNKED, /* end: the next chunk's size line */
};
struct cli_http_scan {
	enum cli_http_mode mode;
	size_t seen; /* bytes already searched for the end of the headers */
	size_t body; /* offset of the body once the headers are in */
	size_t end;
};
/*
 * Called after each read with all of the response so far (raw grows, never
 * moves in content): 1 when it is complete, 0 while more is needed (a body
 * without length: until EOF), -EPROTO for a broken chunked body or a
 * Content-Length that is not a number. Looks only at what is new, so
 * reading a large body stays linear; header values are read within their
 * line, never past len.
 */
int cli_http_scan(struct cli_http_scan *st, const char *raw, size_t len);
/* Appends s to buf (of size len, NUL-terminated) %-encoded for a query string. */
int cli_url_encode(const char *s, char *buf, size_t len);
/*
 * Sends GET path (HTTP/1.0) and reads the status line and headers. Returns
 * 0 with the open connection in *out, positioned at the body (bytes of it
 * already read are in head/head_len, up to headlen), or -errno with err
 * set. For bodies that are streamed: a large dump, an event stream.
 */
int cli_http_open(const struct cli_endpoint *ep, const char *path, int timeout_ms, int *status,
		  char *head, size_t headlen, size_t *head_len, struct cli_conn **out, char *err,
		  size_t errlen);

/* --- opts.c: numeric options ----------------------------------------------- */

/* Limits of ferryctl's numeric options (-t, events --count, --since). */
#define CLI_TIMEOUT_MAX_MS 3600000
#define CLI_COUNT_MAX 1000000000
/*
 * arg as a whole number in [min, max] into *out: decimal digits only (no
 * sign, blank or suffix). 0, or -1 with err naming opt and saying what
 * it wants ("OPT: \"ARG\" is not WHAT MIN..MAX").
 */
int cli_opt_uint(const char *opt, const char *what, const char *arg, uint64_t min,
		 uint64_t max, uint64_t *out, char *err, size_t errlen);

/* --- fetch.c: the daemons of one instance -------------------------------- */

struct cli_ctx {
	char run_dir[512];
	int timeout_ms;
	bool json;
	bool once;            /* verify --once */
	bool all;             /* show counters --all */
	const char *since;    /* events --since N */
	long count;           /* events --count N, 0 = until interrupted */
	bool snapshot;        /* events --snapshot */
	const char *types;    /* events --type T[,T...] */
	const char *vrf;      /* events --vrf NAME */
	const struct cli_url *url; /* --url: TCP/TLS instead of the run directory's sockets */
	const char *url_daemon;    /* the daemon an explicit --url port is for */
	const char *ca_file;       /* --ca */
	const char *token;         /* from --token-file, or NULL */
	FILE *out;
	FILE *err;
};

/*
 * The run directory under base (/run/ferry) whose daemon's socket is there
 * (NULL: any of bgpd's, vrfmgr's, fwd's), when there is exactly one, into out. Else -1, having said on err that
 * there is none, or which there are (their names, sorted: what -i takes).
 */
int cli_run_dir_find(const char *base, const char *daemon, char *out, size_t len, FILE *err);
/* The run directories under base with any daemon's socket: sorted names joined by ", ". */
void cli_run_dir_names(const char *base, char *buf, size_t len);
/* <run_dir>/<daemon>.sock into buf. */
void cli_sock_path(const struct cli_ctx *c, const char *daemon, char *buf, size_t len);
/*
 * Where daemon's API is for this run: its Unix socket (sock, of len bytes,
 * holds the path) or --url's host with the daemon's port. -1 with err set
 * when --url names a port and daemon is not the one it is for.
 */
int cli_endpoint_of(const struct cli_ctx *c, const char *daemon, struct cli_endpoint *ep,
		    char *sock, size_t len, char *err, size_t errlen);
/*
 * GET path from daemon as a JSON document. 0, or -1 after saying why on
 * c->err (not running, HTTP error with the API's message, not JSON).
 */
int cli_fetch(const struct cli_ctx *c, const char *daemon, const char *path,
	      struct json_object **doc);
/* The same, but a daemon that is not running is -3, nothing printed. */
int cli_fetch_if_running(const struct cli_ctx *c, const char *daemon, const char *path,
			 struct json_object **doc);
/*
 * The same, but a 404 is an answer: -2 and *doc NULL, nothing printed
 * (unless the daemon does not serve the path: the wrong daemon, said as an error).
 */
int cli_fetch_maybe(const struct cli_ctx *c, const char *daemon, const char *path,
		    struct json_object **doc);
/* The body is a daemon's 404 for a path it does not serve (a request sent to the wrong daemon). */
bool cli_no_such_path(const char *body);
/*
 * Says on c->err why GET path from daemon failed with status: the API's
 * "error" when body is its JSON error, else the body. The same words for
 * a table and for --json.
 */
void cli_http_error_print(const struct cli_ctx *c, const char *daemon, const char *path,
			  int status, const char *body);
/*
 * Says why daemon could not be asked (rc and err from cli_http_get_ep or
 * cli_http_open), the same way for tables, --json, trace, verify and events:
 * "DAEMON is not running (...)" when nothing listens, and for a run
 * directory which daemons are there, so a router without it (the lab's P
 * runs fwd alone) is told apart from one whose daemon stopped.
 */
void cli_conn_error_print(const struct cli_ctx *c, const char *daemon, int rc, const char *err);
/* Appends "&key=value" (or "?key=value" when path has no '?') %-encoded. -1 if too long. */
int cli_path_add(char *path, size_t len, const char *key, const char *value);

/* --- table.c: JSON arrays as aligned text tables ------------------------- */

/*
 * A table's list column whose length is per row and unbounded (a hub's
 * import RTs, the VRFs a shared prefix is in): its first items, then how
 * many more, so that one row does not widen the table for hundreds.
 */
#define CLI_LIST_SHORT_MAX 3

enum cli_col_kind {
	CLI_COL_TEXT,     /* string or number as is */
	CLI_COL_LABEL,    /* MPLS label: null "-", 3 "imp-null" */
	CLI_COL_DURATION, /* seconds as [Nd]HH:MM:SS */
	CLI_COL_LIST,     /* array joined with ","; objects' values joined by " " */
	CLI_COL_LIST_SHORT, /* the same, at most CLI_LIST_SHORT_MAX items, then "+N more" */
	CLI_COL_BOOL,     /* "yes" / "no" */
	CLI_COL_MARK,     /* true as "*", else empty */
	CLI_COL_ACTION,   /* an LFIB action, as cli_lfib_action_text says it */
};

struct cli_column {
	const char *header;
	const char *key;
	enum cli_col_kind kind;
};

/* o's member key, or NULL when o is not an object, has no such key or holds null there. */
struct json_object *cli_json_get(struct json_object *o, const char *key);
/* The same member as a string (numbers as text), or NULL. */
const char *cli_json_str(struct json_object *o, const char *key);
/* The same, or "-" where it is missing (for text shown to people). */
const char *cli_json_text(struct json_object *o, const char *key);
/*
 * An LFIB action as ferryctl says it, whichever daemon's API it came from:
 * fwd's spelling (pop_lookup, pop_forward, swap, pop), which its metrics
 * carry too; vrfmgr's API writes pop-lookup and pop-forward (docs/api.md,
 * "Action names"). Any other word (held, reserved) as it is.
 */
const char *cli_lfib_action_text(const char *action);
/* Formats one JSON value (NULL = key absent) as a cell. Returns buf. */
const char *cli_cell_format(struct json_object *v, enum cli_col_kind kind, char *buf,
			    size_t len);
/*
 * Prints rows (a JSON array of objects) as a table with a header line;
 * empty prints the header and "(none)". Returns 0 or -EINVAL when rows is
 * not an array.
 */
int cli_table_print(FILE *out, struct json_object *rows, const struct cli_column *cols,
		    size_t ncols);
/* "  key: value" lines for the keys of obj in cols' order (detail views). */
void cli_fields_print(FILE *out, struct json_object *obj, const struct cli_column *cols,
		      size_t ncols, int indent);

/* --- views: what a command fetches and how it prints -------------------- */

struct cli_view;
typedef int (*cli_print_fn)(FILE *out, const struct cli_view *v, struct json_object *doc);

struct cli_view {
	const char *daemon;       /* "bgpd": the socket is <run_dir>/bgpd.sock */
	char path[1024];          /* "/neighbors", with its query */
	const char *array_key;    /* the array of the document to tabulate */
	const struct cli_column *cols;
	size_t ncols;
	cli_print_fn print;       /* NULL: cli_view_table */
	char name[64];            /* the one thing a detail view shows (show vrf NAME) */
	char not_found[128];      /* said instead of the daemon's message when it answers 404 */
	char vrf[72];             /* the VRF named, for that message (cli_vrf_unknown_print) */
	bool all_rows;            /* show counters --all: also the rows of zeros */
};

/* The default printer: doc[array_key] as a table of cols. */
/* A view asking about the VRF name: a 404 says `no VRF named "NAME"`, in tables and --json. */
void cli_view_vrf_not_found(struct cli_view *v, const char *name);
int cli_view_table(FILE *out, const struct cli_view *v, struct json_object *doc);

/* --- commands.c: the two-word forms (bgp neighbors, vrf routes A, ...) --- */

struct cli_command {
	const char *words[2];         /* "bgp", "neighbors" */
	const char *arg_name;         /* optional argument, e.g. "VRF"; NULL: none */
	const char *arg_query;        /* the query parameter it becomes, e.g. "vrf" */
	const char *daemon;
	const char *path;
	const char *array_key;
	const struct cli_column *cols;
	size_t ncols;
	cli_print_fn print;           /* NULL: cli_view_table */
	const char *help;
	/*
	 * Words beyond [ARG], as the show form it is an alias of takes them
	 * (fwd fib: show fib's): parse gets the words after the two, and args
	 * is their form ("[VRF] [PREFIX [longer|shorter]]"). NULL: [ARG] only.
	 */
	int (*parse)(const char *cmd, int argc, char **argv, struct cli_view *v, char *err,
		     size_t errlen);
	const char *args;
};

extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;

/* "W1 W2 [ARG]" (or W1 W2 ARGS): how the help and the errors write the command. */
void cli_command_form(const struct cli_command *c, char *buf, size_t len);
/* Finds the command named by the words; NULL when none matches. */
const struct cli_command *cli_command_find(const char *w1, const char *w2);
/*
 * Why argv is no command, in one line for err: the words in the way and the
 * commands that would do ("unknown command: vrf lsit (want vrf list, ...)",
 * "unknown command: shwo (want show, trace, ...)").
 */
void cli_command_unknown(int argc, char **argv, char *err, size_t len);
/* The view of a two-word command with its optional argument. 0 or -1 (argument too long). */
int cli_command_view(const struct cli_command *cmd, const char *arg, struct cli_view *v);

/* Column sets and printers shared by both command forms (commands.c). */
extern const struct cli_column cli_cols_bgp_neighbors[], cli_cols_bgp_routes[], cli_cols_vrfs[],
	cli_cols_vrf_routes[], cli_cols_lsps[], cli_cols_labels[], cli_cols_fib[], cli_cols_lfib[],
	cli_cols_arp[], cli_cols_interfaces[], cli_cols_if_state[], cli_cols_vpn[];
extern const size_t cli_ncols_bgp_neighbors, cli_ncols_bgp_routes, cli_ncols_vrfs,
	cli_ncols_vrf_routes, cli_ncols_lsps, cli_ncols_labels, cli_ncols_fib, cli_ncols_lfib,
	cli_ncols_arp, cli_ncols_interfaces, cli_ncols_if_state, cli_ncols_vpn;
/* counters.c: fwd's counters as tables; rows of zeros left out and counted unless v->all_rows. */
int cli_print_counters(FILE *out, const struct cli_view *v, struct json_object *doc);
/* bgpd's paths sorted by RD, prefix, best first, as a table. */
int cli_print_bgp_routes(FILE *out, const struct cli_view *v, struct json_object *doc);
/*
 * The neighbors table: a neighbor with no last_error but a connect_error
 * (never up, or down and its dials failing) shows "connect: WHY" in
 * LAST-ERROR, or an unreachable neighbor would be Active with "-".
 */
int cli_print_bgp_neighbors(FILE *out, const struct cli_view *v, struct json_object *doc);

/* --- show.c: `show ...` ---------------------------------------------------- */

/*
 * Parses the words after "show" into a view. 0, or -1 with a one-line
 * reason in err (unknown or incomplete command).
 */
int cli_show_parse(int argc, char **argv, struct cli_view *v, char *err, size_t errlen);
/*
 * show fib [VRF] [PREFIX [longer|shorter]] (argv: the words after "fib"),
 * and the older fwd fib with the same words: cmd names the form typed in
 * the errors. 0, or -1 with err set.
 */
int cli_fib_parse(const char *cmd, int argc, char **argv, struct cli_view *v, char *err,
		  size_t errlen);
extern const char *const cli_show_usage[];
/* Detail printers (show.c). */
int cli_print_neighbor(FILE *out, const struct cli_view *v, struct json_object *doc);
int cli_print_route(FILE *out, const struct cli_view *v, struct json_object *doc);
int cli_print_vrf(FILE *out, const struct cli_view *v, struct json_object *doc);
int cli_print_vrfs(FILE *out, const struct cli_view *v, struct json_object *doc);
int cli_print_vrf_routes(FILE *out, const struct cli_view *v, struct json_object *doc);
/* show labels, show lfib: a label popping to a connected subnet says so under NEXT-HOP. */
int cli_print_label_table(FILE *out, const struct cli_view *v, struct json_object *doc);
int cli_print_explain(FILE *out, const struct cli_view *v, struct json_object *doc);

/* --- trace.c / verify.c / events.c -------------------------------------- */

/* What trace found, from the documents it fetched (a pure function: unit-tested). */
struct cli_trace_docs {
	const char *vrf, *address;
	struct json_object *vrf_route;  /* vrfmgr /routes?vrf=&address=: routes[] */
	struct json_object *bgp_route;  /* bgpd /route?rd=&prefix= (bgp routes), or NULL */
	struct json_object *explain;    /* vrfmgr /explain?rd=&prefix=&vrf=, or NULL */
	struct json_object *fwd_lookup; /* fwd /lookup?vrf=&address= */
	struct json_object *fwd_fib;    /* fwd /fib?vrf=, or NULL */
	/*
	 * No VRF route: the VPN routes that cover the address (vrfmgr
	 * /vpn?prefix=ADDRESS/32&match=shorter), the VRF (/vrfs?vrf=: its RD and
	 * import RTs, which rank them; NULL: unranked) and, for the first
	 * CLI_TRACE_UNUSED_MAX of them in cli_trace_unused_order, why the VRF
	 * does not use each (an array of /explain?rd=&prefix=&vrf= answers, in
	 * that order; one vrfmgr did not answer is {"rd","prefix","vpn_route":
	 * the covering route,"error"}); NULL when not asked.
	 */
	struct json_object *vpn_covering, *vrf_info, *unused_explains;
	/* a daemon that could not be asked (not running, an error): its part is not checked */
	bool bgpd_unasked, fwd_unasked;
};
/*
 * Builds the report object; returns the number of disagreements plus the
 * daemons that could not be asked ("unchecked").
 */
int cli_trace_report(const struct cli_trace_docs *d, struct json_object **report);
#define CLI_TRACE_UNUSED_MAX 8 /* VPN routes a no-route trace explains, at most */
/*
 * How much a VPN route covering the address matters to the traced VRF
 * (vrf: a /vrfs entry, or NULL): CLI_TRACE_SHARES_RT, it carries one of the
 * VRF's import RTs (it should be there: the next hop, the route limit...);
 * CLI_TRACE_SAME_RD, the VRF's own RD, or its number on another PE (RDs
 * planned as PE:VRF, 10.255.0.2:100 beside VRF A's 10.255.0.1:100: a
 * mistyped import RT shows there); CLI_TRACE_OTHER, another tenant's.
 */
enum cli_trace_relevance { CLI_TRACE_OTHER = 0, CLI_TRACE_SAME_RD, CLI_TRACE_SHARES_RT };
enum cli_trace_relevance cli_trace_relevance(struct json_object *route, struct json_object *vrf);
/*
 * The covering routes[0..n) in the order trace explains them, into
 * order[0..n): the most relevant first, then the longer prefix, then as
 * vrfmgr listed them. 0, or -1 when out of memory.
 */
int cli_trace_unused_order(struct json_object *routes, struct json_object *vrf, size_t *order);
void cli_trace_print(FILE *out, struct json_object *report);
/* ferryctl trace VRF ADDRESS: 0 consistent, 1 disagreement or error, 2 usage. */
int cli_trace(const struct cli_ctx *c, const char *vrf, const char *address);

struct cli_verify_docs {
	struct json_object *bgp_routes; /* bgpd /routes?best=true (NULL: bgpd not asked) */
	struct json_object *vpn;        /* vrfmgr /vpn */
	struct json_object *vrfs;       /* vrfmgr /vrfs */
	struct json_object *vrf_routes; /* vrfmgr /routes */
	struct json_object *labels;     /* vrfmgr /labels */
	struct json_object *fib;        /* fwd /fib (NULL, and lfib: fwd not asked) */
	struct json_object *lfib;       /* fwd /lfib */
	struct json_object *ifaces;     /* fwd /interfaces */
};
/* Compares; the report lists every inconsistency. Returns how many. */
int cli_verify_report(const struct cli_verify_docs *d, struct json_object **report);
/* Releases the documents and zeroes d. */
void cli_verify_docs_free(struct cli_verify_docs *d);
void cli_verify_print(FILE *out, struct json_object *report);
/* ferryctl verify: 0 consistent, 1 inconsistent, incomplete (bgpd or fwd not asked) or error. */
int cli_verify(const struct cli_ctx *c, bool once);

/* --- reload.c: ferryctl reload check --------------------------------------- */
/*
 * Prints what the GET /reload/check answers docs[i] of daemons[i] (i < n)
 * say: per daemon "would apply FILE: SUMMARY" and what it would touch, or
 * "refuses the file: REASON". 0 when every one accepts, else 1.
 */
int cli_reload_report(FILE *out, const char *const *daemons, struct json_object *const *docs,
		      size_t n);
/*
 * Asks the node's daemons (fwd first: in LSR mode, a P router, it is the
 * only one; else vrfmgr, bgpd and fwd) and prints that (or --json); 0 when
 * every one accepts, 1 otherwise.
 */
int cli_reload_check(const struct cli_ctx *c);

/* --- vrf_names.c: an unknown VRF said with the ones there are ----------------- */

/*
 * " (VRFs here: A, B)" from vrfmgr's /vrfs answer (the first 8, then "and N
 * more"), " (no VRF is configured)", or "" when the answer has no list.
 */
void cli_vrf_names_text(struct json_object *vrfs_doc, char *buf, size_t len);
/*
 * ": removed; its label 103 is held down for 12 s more" (or "its 3 labels
 * ... at most") from vrfmgr's /labels?vrf=NAME answer when every label it
 * lists is held down: the VRF was removed; else "".
 */
void cli_vrf_removed_text(struct json_object *labels_doc, char *buf, size_t len);
/*
 * Whether vrfmgr's /vrfs answer lists name: a VRF vrfmgr has (fwd, which
 * said 404, may not have it yet) is not one removed, whatever its labels.
 */
bool cli_vrf_listed(struct json_object *vrfs_doc, const char *name);
/*
 * "ferryctl: no VRF named "NAME"" on c->err, saying it was removed when
 * vrfmgr holds its labels down, with vrfmgr's VRF names when it answers.
 */
void cli_vrf_unknown_print(const struct cli_ctx *c, const char *name);

/* --- daemons.c: show daemons ----------------------------------------------- */

/*
 * The daemons' table from their GET /process answers, docs[i] for bgpd,
 * vrfmgr, fwd in that order (NULL: not running, or "no answer" where
 * unanswered[i]; unanswered may be NULL). 0, or -EINVAL.
 */
int cli_daemons_report(FILE *out, struct json_object *const *docs, const bool *unanswered,
		       size_t n);
/* show daemons: asks each daemon of the node. 0, or 1 when none answers or one fails. */
int cli_show_daemons(const struct cli_ctx *c);

/* What ferryctl events asks: each daemon's stream and its query (/events?since=&type=&vrf=...). */
struct cli_events_plan {
	const char *daemons[2];
	char query[2][384];
	int n;
};
/*
 * The words after "events" with c's events options (--type, --vrf, --since,
 * --snapshot) into the streams to open: 0, or -1 with the word or option in
 * the way and the form wanted in err.
 */
int cli_events_plan(const struct cli_ctx *c, int argc, char **argv, struct cli_events_plan *p,
		    char *err, size_t errlen);
/* ferryctl events [bgpd|vrfmgr]... : prints events until interrupted or count reached. */
int cli_events(const struct cli_ctx *c, int argc, char **argv);
/* One SSE event (name, data JSON) as a human line into buf. */
const char *cli_event_line(const char *daemon, const char *event, const char *data, char *buf,
			   size_t len);

#endif
